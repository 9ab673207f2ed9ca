export * from "./ballots.js";
export * from "./quadratic.js";

export * from "./ballots.ts";
export * from "./quadratic.ts";

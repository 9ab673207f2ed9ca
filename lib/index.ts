export * from "./ballots.ts";
export * from "./quadratic.ts";
export * from "./deployment.ts";

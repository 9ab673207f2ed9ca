export * from "./ballots/ballot.ts";
export * from "./rules/quadratic.ts";
export * from "./deployment.ts";
export * from "./governor-abi.ts";
export * from "./refusals.ts";
export * from "./ballots/relay.ts";
export * from "./replay/index.ts";
export * from "./rules/patronage.ts";

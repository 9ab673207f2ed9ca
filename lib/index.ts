export * from "./ballots.ts";
export * from "./quadratic.ts";
export * from "./deployment.ts";
export * from "./governor-abi.ts";
export * from "./refusals.ts";
export * from "./relay.ts";
export * from "./replay/index.ts";
export * from "./patronage.ts";

export * from "./events.ts";
export * from "./model.ts";
export * from "./patronage.ts";
export * from "../rules/governance.ts";
export * from "./stream.ts";
export * from "./view.ts";

/** Typed readers of decoded event arguments: each throws when the argument is not of the expected kind. */
import type { EventArg } from "./events.ts";

export function big(value: EventArg | undefined): bigint {
  if (typeof value !== "bigint") throw new TypeError(`expected an integer argument, got ${String(value)}`);
  return value;
}
export function str(value: EventArg | undefined): string {
  if (typeof value !== "string") throw new TypeError(`expected a string argument, got ${String(value)}`);
  return value;
}
export function bool(value: EventArg | undefined): boolean {
  if (typeof value !== "boolean") throw new TypeError(`expected a boolean argument, got ${String(value)}`);
  return value;
}
export function list<T>(value: EventArg | undefined, item: (v: EventArg) => T): T[] {
  if (!Array.isArray(value)) throw new TypeError(`expected an array argument, got ${String(value)}`);
  return (value as EventArg[]).map(item);
}
export const num = (value: EventArg | undefined): number => Number(big(value));

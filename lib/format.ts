/**
 * The words Mutual shows people, once: proposal state names, proposal titles, durations and chain times. The
 * app, the auditor's report, the local co-op's commands and the deploy summary all print through these.
 */

/** OpenZeppelin's IGovernor.ProposalState, by number: the one list every script, the replay and the app use. */
export const proposalStates = [
  "Pending",
  "Active",
  "Canceled",
  "Defeated",
  "Succeeded",
  "Queued",
  "Expired",
  "Executed",
] as const;
export type ProposalStateName = (typeof proposalStates)[number];

/** The name of state number `state`, or `state <n>` for a number the governor does not define. */
export const proposalStateName = (state: unknown): string => proposalStates[Number(state)] ?? `state ${state}`;

/**
 * A proposal's title: the first non-empty line of its description without Markdown heading marks, or
 * `(untitled)` when the description has no text.
 */
export function proposalTitle(description: string): string {
  const line = description.split("\n").find((l) => l.trim() !== "") ?? "";
  return line.replace(/^\s*#+\s*/, "").trim() || "(untitled)";
}

/** Seconds per unit, largest first, with the unit's short and long names. */
const DURATION_UNITS: readonly (readonly [seconds: number, short: string, long: string])[] = [
  [86_400, "d", "day"],
  [3_600, "h", "hour"],
  [60, "m", "minute"],
  [1, "s", "second"],
];

export interface DurationStyle {
  /** `short`: `1d 12h`; `long` (default): `1 day 12 hours`. */
  style?: "short" | "long";
  /** At most this many units, largest first (default: all that are not zero). */
  parts?: number;
}

/**
 * A duration in seconds as text: `129600` → `1 day 12 hours` (or `1d 12h` in the short style); `90` →
 * `1 minute 30 seconds`; `0` → `0 seconds` (`0s`). Negative durations read as zero.
 */
export function formatDuration(
  totalSeconds: number | bigint,
  { style = "long", parts = 4 }: DurationStyle = {},
): string {
  let rest = Math.max(0, Number(totalSeconds));
  const out: string[] = [];
  for (const [size, short, long] of DURATION_UNITS) {
    const amount = Math.floor(rest / size);
    rest -= amount * size;
    if (amount === 0) continue;
    out.push(style === "short" ? `${amount}${short}` : `${amount} ${long}${amount === 1 ? "" : "s"}`);
  }
  if (out.length === 0) return style === "short" ? "0s" : "0 seconds";
  return out.slice(0, parts).join(" ");
}

/** A chain timestamp as `2025-06-03 10:00:01 UTC`. */
export function formatChainTime(timestamp: number | bigint): string {
  return `${new Date(Number(timestamp) * 1000)
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d{3}Z$/, "")} UTC`;
}

/** Small formatting helpers shared by the pages. */
import { formatEther } from "viem";

import { formatDuration } from "#lib/format.ts";
import { quorumReached } from "#lib/rules/governance.ts";

/** `129600` → `1 day 12 hours`; `90` → `1 minute 30 seconds`: the two largest units (lib/format.ts). */
export const duration = (totalSeconds: bigint | number): string => formatDuration(totalSeconds, { parts: 2 });

/** `1 credit`, `4 credits`, `0 members`. */
export const count = (n: bigint | number, noun: string): string => `${n} ${noun}${BigInt(n) === 1n ? "" : "s"}`;

/** How far a proposal is from its quorum of members: `3 members voted, 2 needed — quorum reached`. */
export function quorumText(p: { voters: bigint; quorum: bigint }): string {
  return `${count(p.voters, "member")} voted, ${p.quorum} needed${quorumReached(p) ? " — quorum reached" : ""}`;
}

/** `0x1234…abcd`. */
export const short = (address: string) => `${address.slice(0, 6)}…${address.slice(-4)}`;

/** A chain time as a readable date in UTC. */
export function when(timestamp: number | bigint): string {
  return (
    new Date(Number(timestamp) * 1000).toLocaleString("en-GB", {
      dateStyle: "medium",
      timeStyle: "short",
      timeZone: "UTC",
    }) + " UTC"
  );
}

/** "in 2 days 3 hours" / "3 hours ago" relative to the chain's clock. */
export function relative(timestamp: number, now: number): string {
  const delta = timestamp - now;
  if (delta === 0) return "now";
  return delta > 0 ? `in ${duration(delta)}` : `${duration(-delta)} ago`;
}

export const ether = (wei: bigint) =>
  `${Number(formatEther(wei)).toLocaleString("en-GB", { maximumFractionDigits: 4 })} ETH`;

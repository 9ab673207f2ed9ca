/** Small formatting helpers shared by the pages. */
import { formatEther } from "viem";

import { quorumReached } from "../../../lib/replay/rules.ts";

/** `129600` → `1 day 12 hours`; `90` → `1 minute 30 seconds`. */
export function duration(totalSeconds: bigint | number): string {
  let rest = Number(totalSeconds);
  if (rest <= 0) return "0 seconds";
  const units: [number, string][] = [
    [86_400, "day"],
    [3_600, "hour"],
    [60, "minute"],
    [1, "second"],
  ];
  const parts: string[] = [];
  for (const [size, name] of units) {
    const amount = Math.floor(rest / size);
    if (amount > 0) parts.push(`${amount} ${name}${amount === 1 ? "" : "s"}`);
    rest -= amount * size;
  }
  return parts.slice(0, 2).join(" ");
}

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

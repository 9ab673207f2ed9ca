/**
 * Time travel for the local chain (`npm run chain:advance -- <target>`): parsing the target, planning the
 * next moment a proposal changes state, describing what changed, and `advanceChain`, which does it.
 *
 * Everything above `advanceChain` is pure and unit-tested (test/seeds/local-chain.test.ts). `advanceChain`
 * refuses any chain but a local one (scripts/devnet/local-chain.ts) before it sends anything.
 */
import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";

import type { MutualGovernor, VoiceCredits } from "../../types/ethers-contracts/index.ts";
import { assertLocalChain } from "../../lib/deployment.ts";
import { formatDuration, proposalStates, proposalTitle } from "../../lib/format.ts";
import { describeChanges, nextPhase, type ProposalTiming } from "../../lib/phases.ts";

/** Seconds per duration unit. */
export const UNITS: Readonly<Record<string, number>> = { w: 7 * 86_400, d: 86_400, h: 3_600, m: 60, s: 1 };

export const USAGE = `Usage: npm run chain:advance -- <target>

Advances the local chain (http://127.0.0.1:8545) and mines a block.

  <duration>    e.g. 90s, 45m, 12h, 3d, 2w, or a combination such as 1d12h or 2w3d (units s, m, h, d, w)
  next-epoch    to the start of the next voice-credit epoch
  next-phase    to the next moment a proposal changes state (vote opens or closes, timelock delay ends)`;

/** Bad input to the time-travel command (the CLI prints it with the usage and exits with code 2). */
export class TimeTravelInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TimeTravelInputError";
  }
}

export type AdvanceTarget = { kind: "duration"; seconds: number } | { kind: "next-epoch" } | { kind: "next-phase" };

/** Parses a duration such as `90s`, `3d` or `1d12h` into seconds. Each unit at most once; the total must be > 0. */
export function parseDuration(input: string): number {
  const text = input.trim();
  if (text === "") throw new TimeTravelInputError("no duration given");
  if (text.startsWith("-")) throw new TimeTravelInputError(`"${text}": a duration cannot be negative`);
  if (/\d[.,]\d/.test(text))
    throw new TimeTravelInputError(`"${text}": use whole numbers, e.g. 1d12h rather than 1.5d`);
  const part = /(\d+)([a-zA-Z]*)/y;
  const seen = new Set<string>();
  let seconds = 0;
  let at = 0;
  while (at < text.length) {
    part.lastIndex = at;
    const match = part.exec(text);
    if (match === null) {
      throw new TimeTravelInputError(`"${text}": not a duration (expected a number and a unit, e.g. 3d or 1d12h)`);
    }
    const [whole, amount, unit] = match;
    if (unit === "" && at + whole.length === text.length) {
      throw new TimeTravelInputError(`"${text}": ${amount} has no unit (use s, m, h, d or w)`);
    }
    if (unit === "")
      throw new TimeTravelInputError(`"${text}": not a duration (expected a number and a unit, e.g. 3d or 1d12h)`);
    const factor = UNITS[unit];
    if (factor === undefined) throw new TimeTravelInputError(`"${text}": unknown unit "${unit}" (use s, m, h, d or w)`);
    if (seen.has(unit)) throw new TimeTravelInputError(`"${text}": unit "${unit}" is given twice`);
    seen.add(unit);
    seconds += Number(amount) * factor;
    at += whole.length;
  }
  if (!Number.isSafeInteger(seconds)) throw new TimeTravelInputError(`"${text}": duration too large`);
  if (seconds === 0) throw new TimeTravelInputError(`"${text}": a duration must be longer than zero`);
  return seconds;
}

/** Parses the command's one argument: a duration, `next-epoch` or `next-phase`. */
export function parseTarget(input: string): AdvanceTarget {
  const text = input.trim();
  if (text === "next-epoch") return { kind: "next-epoch" };
  if (text === "next-phase") return { kind: "next-phase" };
  return { kind: "duration", seconds: parseDuration(text) };
}

/** Parses the command line (the arguments after the script name). */
export function parseArgs(args: readonly string[]): AdvanceTarget {
  if (args.length === 0) throw new TimeTravelInputError("no duration given");
  if (args.length > 1) throw new TimeTravelInputError(`expected one argument, got ${args.length}: ${args.join(" ")}`);
  return parseTarget(args[0]);
}

// ------------------------------------------------------------------------------------------------
// On a chain
// ------------------------------------------------------------------------------------------------

/** What `advanceChain` needs of a Hardhat network connection. */
export interface TimeTravelConnection {
  ethers: HardhatEthers;
  networkHelpers: {
    time: { latest(): Promise<number>; increaseTo(timestamp: number | bigint): Promise<void> };
  };
}

/** The co-op's contracts, when one is deployed: needed for `next-epoch`, `next-phase` and to report changes. */
export interface TimeTravelCoop {
  governor: MutualGovernor;
  credits: VoiceCredits;
  /** Where to start reading ProposalCreated events (for titles). */
  deployBlock?: number;
}

export interface AdvanceResult {
  chainId: bigint;
  from: number;
  to: number;
  block: number;
  /** What the target was, in words. */
  reason: string;
  changes: string[];
}

/** Reads every proposal of `governor` (enumerated with proposalCount/proposalIdAt) with its timing. */
export async function readProposals(governor: MutualGovernor, fromBlock = 0): Promise<ProposalTiming[]> {
  const count = Number(await governor.proposalCount());
  if (count === 0) return [];
  const titles = new Map<bigint, string>();
  for (const event of await governor.queryFilter(governor.filters.ProposalCreated(), fromBlock)) {
    titles.set(event.args.proposalId, proposalTitle(event.args.description));
  }
  const proposals: ProposalTiming[] = [];
  for (let i = 0; i < count; i++) {
    const id = await governor.proposalIdAt(i);
    proposals.push({
      number: i + 1,
      id,
      title: titles.get(id) ?? `proposal ${id}`,
      state: proposalStates[Number(await governor.state(id))],
      snapshot: await governor.proposalSnapshot(id),
      deadline: await governor.proposalDeadline(id),
      eta: await governor.proposalEta(id),
    });
  }
  return proposals;
}

/**
 * Advances the chain to `target` and mines a block there. Refuses any chain but a local one before sending
 * anything. Throws (sending nothing) when `next-epoch`/`next-phase` have no co-op or nothing scheduled.
 */
export async function advanceChain(
  connection: TimeTravelConnection,
  target: AdvanceTarget,
  coop?: TimeTravelCoop,
): Promise<AdvanceResult> {
  const { ethers, networkHelpers } = connection;
  const chainId = (await ethers.provider.getNetwork()).chainId;
  assertLocalChain(chainId, "advance the chain's time");

  const from = await networkHelpers.time.latest();
  const now = BigInt(from);
  const before = coop ? await readProposals(coop.governor, coop.deployBlock) : [];
  const epochBefore = coop ? await coop.credits.currentEpoch() : undefined;

  let to: bigint;
  let reason: string;
  if (target.kind === "duration") {
    to = now + BigInt(target.seconds);
    reason = `+${formatDuration(target.seconds, { style: "short" })}`;
  } else if (target.kind === "next-epoch") {
    if (!coop) throw new Error(`next-epoch needs a co-op deployed on chain ${chainId}`);
    to = await coop.credits.nextEpochStart();
    if (to <= now) to = now + 1n; // the view ran at an earlier timestamp: the epoch starts with the next block
    reason = `start of credit epoch ${(epochBefore ?? 0n) + 1n}`;
  } else {
    if (!coop) throw new Error(`next-phase needs a co-op deployed on chain ${chainId}`);
    const next = nextPhase(before, now);
    if (next === null) throw new Error("No proposal changes state in the future: nothing to advance to.");
    to = next.time;
    reason = next.events.map((e) => `#${e.proposal.number} "${e.proposal.title}": ${e.what}`).join("; ");
  }

  await networkHelpers.time.increaseTo(to);
  const after = coop ? await readProposals(coop.governor, coop.deployBlock) : [];
  const epochAfter = coop ? await coop.credits.currentEpoch() : undefined;
  const epochs =
    epochBefore !== undefined && epochAfter !== undefined ? { before: epochBefore, after: epochAfter } : undefined;
  const changes = describeChanges(before, after, epochs);
  for (const p of after) {
    if (p.state === "Queued" && p.eta > now && p.eta <= to)
      changes.push(`#${p.number} "${p.title}": timelock delay over, can be executed`);
  }
  return {
    chainId,
    from,
    to: await networkHelpers.time.latest(),
    block: await ethers.provider.getBlockNumber(),
    reason,
    changes,
  };
}

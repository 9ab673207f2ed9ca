/**
 * The rules of a Mutual co-op as pure functions, written from docs/governance.md and the contracts'
 * specifications: issuance schedules and lazy accrual, quorum in members, proposal states, deposit
 * settlement and the timelock's operation ids. The replay recomputes every figure with these; it never
 * takes a figure from the contracts it checks.
 */
import { AbiCoder, keccak256, toUtf8Bytes } from "ethers";

import { accrue } from "./quadratic.ts";
import { proposalStates, type ProposalStateName } from "../format.ts";

/** One issuance schedule (VoiceCredits' `Schedule`): from epoch `firstEpoch`, starting at time `start`. */
export interface Schedule {
  start: number;
  firstEpoch: number;
  epochLength: number;
  creditsPerEpoch: bigint;
  maxBalance: bigint;
}

/** Basis points in one whole. */
export const BPS = 10_000n;

/** Index of the schedule in force at `timestamp`: the last one that has started. */
export function activeScheduleIndex(schedules: readonly Schedule[], timestamp: number): number {
  for (let i = schedules.length - 1; i >= 0; i--) if (schedules[i].start <= timestamp) return i;
  throw new RangeError(`no issuance schedule in force at ${timestamp}`);
}

/**
 * The lower of the cap in force at `timestamp` and the cap of the latest schedule (which may start at the next epoch):
 * the most a proposal deposit may be (`VoiceCredits.lowestCap`).
 */
export function lowestCap(schedules: readonly Schedule[], timestamp: number): bigint {
  const active = schedules[activeScheduleIndex(schedules, timestamp)].maxBalance;
  const latest = schedules[schedules.length - 1].maxBalance;
  return latest < active ? latest : active;
}

/** The epoch number at `timestamp` under schedule `s` (which must have started). */
export function epochAt(s: Schedule, timestamp: number): number {
  return s.firstEpoch + Math.floor((timestamp - s.start) / s.epochLength);
}

/** The epoch number at `timestamp` under the schedules in force then. */
export function currentEpoch(schedules: readonly Schedule[], timestamp: number): number {
  return epochAt(schedules[activeScheduleIndex(schedules, timestamp)], timestamp);
}

/** When epoch `epoch` of schedule `s` ends (the next epoch's start). */
export function epochEnd(s: Schedule, epoch: number): number {
  return s.start + (epoch + 1 - s.firstEpoch) * s.epochLength;
}

/**
 * A balance held as of epoch `fromEpoch`, brought up to the epoch in force at `timestamp`: each epoch adds
 * that epoch's `creditsPerEpoch` up to its `maxBalance`, and a balance at or above the cap stays as it is.
 * The same result as applying the rule epoch by epoch, whatever the schedules in between.
 */
export function accrueTo(
  schedules: readonly Schedule[],
  balance: bigint,
  fromEpoch: number,
  timestamp: number,
): { balance: bigint; epoch: number } {
  const last = activeScheduleIndex(schedules, timestamp);
  const epoch = epochAt(schedules[last], timestamp);
  let i = last;
  while (i > 0 && schedules[i].firstEpoch > fromEpoch) i--;
  let from = fromEpoch;
  for (; i <= last; i++) {
    const s = schedules[i];
    const to = i === last ? epoch : schedules[i + 1].firstEpoch - 1;
    if (to > from) {
      balance = accrue(balance, BigInt(to - from), s.creditsPerEpoch, s.maxBalance);
      from = to;
    }
  }
  return { balance, epoch };
}

/** The balance a new member starts with: the current epoch's allowance (never above the cap). */
export function openingBalance(s: Schedule): bigint {
  return s.creditsPerEpoch < s.maxBalance ? s.creditsPerEpoch : s.maxBalance;
}

/** What reaches a member of a returned deposit of `amount` when they hold `balance` under cap `cap`. */
export function creditedOnReturn(balance: bigint, amount: bigint, cap: bigint): bigint {
  if (balance >= cap) return 0n;
  return amount < cap - balance ? amount : cap - balance;
}

/** Members needed for quorum among `members` at `quorumBps`: ⌈members × fraction⌉, and at least one. */
export function quorumFor(members: bigint, quorumBps: bigint): bigint {
  const needed = (members * quorumBps + BPS - 1n) / BPS;
  return needed === 0n ? 1n : needed;
}

/** Whether a deposit is returned: quorum was met and votes against were fewer than twice the votes for. */
export function depositReturned(quorumReached: boolean, forVotes: bigint, againstVotes: bigint): boolean {
  return quorumReached && againstVotes < 2n * forVotes;
}

/** What decides a proposal's state at a moment (all times are Unix timestamps). */
export interface ProposalStateInput {
  voteStart: number;
  voteEnd: number;
  /** Set when quorum was first reached (late-quorum protection); 0 before. */
  extendedDeadline: number;
  canceled: boolean;
  /** The governor executed it (`ProposalExecuted`). */
  executed: boolean;
  voters: bigint;
  quorum: bigint;
  forVotes: bigint;
  againstVotes: bigint;
  /** When the timelock may execute it (`ProposalQueued`); 0 when never queued. */
  eta: number;
  /** The timelock's operation: every call executed (the operation is done), or cancelled. */
  operationDone: boolean;
  operationCancelled: boolean;
}

/** The deadline of a vote: the later of its scheduled end and the late-quorum extension. */
export function proposalDeadline(p: Pick<ProposalStateInput, "voteEnd" | "extendedDeadline">): number {
  return p.extendedDeadline > p.voteEnd ? p.extendedDeadline : p.voteEnd;
}

/** Quorum met: at least one voter, and at least `quorum` distinct voters. */
export function quorumReached(p: Pick<ProposalStateInput, "voters" | "quorum">): boolean {
  return p.voters > 0n && p.voters >= p.quorum;
}

/** A proposal's state at time `now`, as OpenZeppelin's Governor with GovernorTimelockControl decides it. */
export function proposalState(p: ProposalStateInput, now: number): ProposalStateName {
  if (p.executed) return "Executed";
  if (p.canceled) return "Canceled";
  if (p.voteStart >= now) return "Pending";
  if (proposalDeadline(p) >= now) return "Active";
  if (!quorumReached(p) || !(p.forVotes > p.againstVotes)) return "Defeated";
  if (p.eta === 0) return "Succeeded";
  if (p.operationDone) return "Executed";
  if (p.operationCancelled) return "Canceled";
  return "Queued";
}

const abi = AbiCoder.defaultAbiCoder();

/** keccak256 of a proposal's description, as the governor hashes it. */
export function descriptionHash(description: string): string {
  return keccak256(toUtf8Bytes(description));
}

/**
 * The timelock operation id under which GovernorTimelockControl queues a proposal: `hashOperationBatch`
 * with no predecessor and the salt `bytes20(governor) ^ descriptionHash`.
 */
export function timelockOperationId(
  governor: string,
  targets: readonly string[],
  values: readonly bigint[],
  calldatas: readonly string[],
  description: string,
): string {
  const salt = (BigInt(governor) << 96n) ^ BigInt(descriptionHash(description));
  return keccak256(
    abi.encode(
      ["address[]", "uint256[]", "bytes[]", "bytes32", "bytes32"],
      [targets, values, calldatas, `0x${"00".repeat(32)}`, `0x${salt.toString(16).padStart(64, "0")}`],
    ),
  );
}

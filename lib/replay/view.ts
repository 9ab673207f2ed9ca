/**
 * A replayed co-op as plain data at a moment: what a history page shows and what the audit report writes.
 * Integers stay bigint here; `toJson` turns them into decimal strings.
 */
import { ZeroAddress } from "ethers";

import { describeSchedule, voters, type CreditTotals, type MembershipChange, type Replay } from "./model.ts";
import { currentEpoch, proposalDeadline, quorumReached, type ProposalStateName } from "./rules.ts";

export interface MemberView extends CreditTotals {
  address: string;
  status: "member" | "resigned" | "expelled" | "reassigned";
  isMember: boolean;
  cardId: bigint;
  since: number;
  pastStints: number;
  balance: bigint;
  stored: { balance: bigint; epoch: number; since: number; cardId: bigint };
  proposalsMade: number;
  votesCast: number;
  history: MembershipChange[];
}

export type DepositFate = "held" | "returned" | "burned" | "none";

export interface ProposalView {
  number: number;
  id: bigint;
  title: string;
  proposer: string;
  proposerCard: bigint;
  actions: { target: string; value: bigint; calldata: string; signature: string }[];
  description: string;
  createdBlock: number;
  createdAt: number;
  voteStart: number;
  voteEnd: number;
  deadline: number;
  extended: boolean;
  state: ProposalStateName;
  membersAtSnapshot: bigint | null;
  quorumBps: bigint;
  quorum: bigint;
  quorumReached: boolean;
  forVotes: bigint;
  againstVotes: bigint;
  forVoters: bigint;
  againstVoters: bigint;
  abstainVoters: bigint;
  voters: bigint;
  creditsSpent: bigint;
  skippedBallots: number;
  eta: number;
  operationId: string;
  executedBy: "governor" | "timelock" | null;
  deposit: bigint;
  depositFate: DepositFate;
  depositCredited: bigint;
  depositBurned: bigint;
  receipts: { voter: string; support: number; votes: bigint; credits: bigint; ballots: number }[];
}

export interface CoopView {
  at: { blockNumber: number; timestamp: number };
  memberCount: bigint;
  cardsIssued: bigint;
  memberCountHistory: { timestamp: number; blockNumber: number; count: bigint }[];
  epoch: number;
  schedules: {
    index: number;
    start: number;
    firstEpoch: number;
    epochLength: number;
    creditsPerEpoch: bigint;
    maxBalance: bigint;
    text: string;
  }[];
  parameters: Replay["params"];
  timelockMinDelay: bigint;
  heldDeposits: bigint;
  burnedDeposits: bigint;
  members: MemberView[];
  proposals: ProposalView[];
  parameterChanges: Replay["parameterChanges"];
  treasury: { paidOut: bigint; movements: Replay["treasuryMovements"] };
  skippedBallots: number;
  events: number;
  eventCounts: Record<string, number>;
  findings: Replay["findings"];
}

/** The first line of a description, without a leading Markdown heading mark. */
export function proposalTitle(description: string): string {
  const first = description.split("\n").find((line) => line.trim() !== "") ?? "";
  return first.replace(/^#+\s*/, "").trim();
}

/** The co-op as the replay rebuilt it, seen at block `blockNumber` (time `timestamp`). */
export function coopView(replay: Replay, blockNumber: number, timestamp: number): CoopView {
  const members: MemberView[] = [...replay.members.values()].map((m) => ({
    address: m.address,
    status: m.status,
    isMember: m.since !== 0,
    cardId: m.cardId,
    since: m.since,
    pastStints: m.pastStints,
    balance: replay.balanceAt(m.address, timestamp),
    stored: { ...m.stored },
    ...m.totals,
    proposalsMade: m.proposalsMade,
    votesCast: m.votesCast,
    history: m.history,
  }));
  const proposals: ProposalView[] = replay.proposalList().map((p) => {
    const state = replay.stateOf(p, timestamp);
    const op = replay.operations.get(p.operationId);
    const quorum = replay.quorumOf(p, timestamp);
    const deadline = proposalDeadline({ voteEnd: p.voteEnd, extendedDeadline: p.tally.extendedDeadline });
    const receipts = [...p.receipts.entries()].map(([voter, r]) => ({
      voter,
      support: r.support,
      votes: r.votes,
      credits: r.votes * r.votes,
      ballots: r.ballots,
    }));
    const settlement = p.settlement;
    let depositFate: DepositFate = p.deposit === 0n ? "none" : "held";
    if (settlement !== null && p.deposit > 0n)
      depositFate = settlement.returned && settlement.holder !== ZeroAddress ? "returned" : "burned";
    const executedBy = p.executedByGovernor
      ? "governor"
      : op !== undefined && op.calls.length > 0 && op.executedCalls === op.calls.length
        ? "timelock"
        : null;
    return {
      number: p.number,
      id: p.id,
      title: proposalTitle(p.description),
      proposer: p.proposer,
      proposerCard: p.proposerCard,
      actions: p.targets.map((target, i) => ({
        target,
        value: p.values[i],
        calldata: p.calldatas[i],
        signature: p.signatures[i] ?? "",
      })),
      description: p.description,
      createdBlock: p.createdBlock,
      createdAt: p.createdAt,
      voteStart: p.voteStart,
      voteEnd: p.voteEnd,
      deadline,
      extended: deadline > p.voteEnd,
      state,
      membersAtSnapshot: p.voteStart < timestamp ? replay.memberCountAt(p.voteStart) : null,
      quorumBps: p.quorumBps,
      quorum,
      quorumReached: quorumReached({ voters: voters(p.tally), quorum: p.tally.quorum }),
      forVotes: p.tally.forVotes,
      againstVotes: p.tally.againstVotes,
      forVoters: p.tally.forVoters,
      againstVoters: p.tally.againstVoters,
      abstainVoters: p.tally.abstainVoters,
      voters: voters(p.tally),
      creditsSpent: receipts.reduce((sum, r) => sum + r.credits, 0n),
      skippedBallots: p.skippedBallots,
      eta: p.eta,
      operationId: p.operationId,
      executedBy,
      deposit: p.deposit,
      depositFate,
      depositCredited: settlement?.credited ?? 0n,
      depositBurned: settlement === null ? 0n : settlement.amount - settlement.credited,
      receipts,
    };
  });
  return {
    at: { blockNumber, timestamp },
    memberCount: replay.memberCount(),
    cardsIssued: replay.lastCardId,
    memberCountHistory: replay.memberCountHistory.map((h) => ({ ...h })),
    epoch: replay.schedules.length === 0 ? 0 : currentEpoch(replay.schedules, timestamp),
    schedules: replay.schedules.map((s, index) => ({ index, ...s, text: describeSchedule(s) })),
    parameters: { ...replay.params },
    timelockMinDelay: replay.timelockMinDelay,
    heldDeposits: replay.heldDeposits,
    burnedDeposits: replay.burnedDeposits,
    members,
    proposals,
    parameterChanges: replay.parameterChanges,
    treasury: { paidOut: replay.treasuryPaidOut, movements: replay.treasuryMovements },
    skippedBallots: replay.skippedBallots,
    events: replay.events,
    eventCounts: Object.fromEntries(replay.eventCounts),
    findings: replay.findings,
  };
}

/** JSON text of any value holding bigints (as decimal strings). */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (typeof v === "bigint" ? v.toString() : v), 2);
}

/**
 * A replayed co-op as plain data at a moment: what a history page shows and what the audit report writes.
 * Integers stay bigint here; `toJson` turns them into decimal strings.
 */
import { ZeroAddress, decodeBytes32String } from "ethers";

import { shareOf, type EntryStatusName, type LedgerEntry } from "../rules/patronage.ts";

import { describeSchedule, voters, type CreditTotals, type MembershipChange, type Replay } from "./model.ts";
import { proposalTitle, type ProposalStateName } from "../format.ts";
import { currentEpoch, proposalDeadline, quorumReached } from "../rules/governance.ts";

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
  /** The contribution ledger and the patronage distributor; null for a co-op deployed without them. */
  patronage: PatronageView | null;
}

/** A ledger entry as the rules rebuilt it (`LedgerEntry`), with where and when its events were seen. */
export interface EntryView extends Omit<LedgerEntry, "voidReason"> {
  /** The kind as text (`bytes32` label), or its hex when it is not text. */
  kind: string;
  voidReason: string | null;
  recordedBlock: number;
  recordedAt: number;
  transactionHash: string;
  validatedBlock: number | null;
  voidedBlock: number | null;
}

export interface PeriodView {
  period: bigint;
  start: number;
  end: number;
  reviewEnd: number;
  /** Open for records, under review (void only), or final. */
  phase: "open" | "review" | "final";
  entries: number;
  validated: number;
  voided: number;
  pending: number;
  units: bigint;
  contributors: number;
  /** The ratio the period is shared by (in force when it closed). */
  ratio: bigint;
  /** Validated units per card, with the units that count under the cap once the period is finalized. */
  cards: { cardId: bigint; units: bigint; cappedUnits: bigint | null }[];
  finalized: boolean;
  finalizedBlock: number | null;
  generation: bigint;
  submitted: bigint;
  minUnits: bigint;
  unitCap: bigint;
  cappedSum: bigint;
}

export interface PotView {
  id: bigint;
  period: bigint;
  token: string;
  amount: bigint;
  deadline: number;
  open: boolean;
  maxShare: bigint;
  unitCap: bigint;
  cappedSum: bigint;
  /** The rebuilt shares of the cards that claimed, and what the claims paid. */
  claimed: bigint;
  paid: bigint;
  swept: { amount: bigint; treasury: string; blockNumber: number; transactionHash: string } | null;
  allocatedBlock: number;
  transactionHash: string;
  /** Every contributor of the period: units, rebuilt share, and the claim if any. */
  shares: {
    cardId: bigint;
    holder: string | null;
    units: bigint;
    share: bigint;
    claim: { member: string; amount: bigint; blockNumber: number; transactionHash: string } | null;
  }[];
}

export interface PatronageView {
  ledger: { start: number; periodLength: number; reviewWindow: number } | null;
  currentPeriod: bigint | null;
  attestationThreshold: bigint;
  payRatio: bigint;
  claimWindow: bigint;
  entries: EntryView[];
  periods: PeriodView[];
  pots: PotView[];
}

/** A `bytes32` label as text, or its hex when it holds no text. */
export function kindText(kind: string): string {
  try {
    return decodeBytes32String(kind);
  } catch {
    return kind;
  }
}

/** The patronage contracts as the replay rebuilt them, seen at time `timestamp`. */
export function patronageView(replay: Replay, timestamp: number): PatronageView | null {
  const r = replay.patronage;
  if (r.settings === null && !r.distributorSeen) return null;
  const entries: EntryView[] = [...r.ledger.entries.values()].map((e) => {
    const ev = r.entryEvents.get(e.id);
    return {
      ...e,
      kind: kindText(e.kind),
      attesters: [...e.attesters],
      voidReason: e.voidReason ?? null,
      recordedBlock: ev?.recordedBlock ?? 0,
      recordedAt: ev?.recordedAt ?? 0,
      transactionHash: ev?.transactionHash ?? "",
      validatedBlock: ev?.validatedBlock ?? null,
      voidedBlock: ev?.voidedBlock ?? null,
    };
  });
  const periods: PeriodView[] = r.periods().map((period) => {
    const t = r.periodTimes(period) ?? { start: 0, end: 0, reviewEnd: 0 };
    const own = entries.filter((e) => e.period === period);
    const count = (status: EntryStatusName) => own.filter((e) => e.status === status).length;
    const f = r.finalizations.get(period);
    const figures = f?.figures ?? null;
    const units = r.ledger.periodUnits(period);
    return {
      period,
      start: t.start,
      end: t.end,
      reviewEnd: t.reviewEnd,
      phase: timestamp < t.end ? "open" : timestamp < t.reviewEnd ? "review" : "final",
      entries: own.length,
      validated: count("Validated"),
      voided: count("Voided"),
      pending: count("Pending"),
      units: r.ledger.periodTotal(period),
      contributors: units.size,
      ratio: f?.ratio ?? r.ratioOf(period),
      cards: [...units.entries()]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([cardId, u]) => ({
          cardId,
          units: u,
          cappedUnits: figures === null ? null : u < figures.unitCap ? u : figures.unitCap,
        })),
      finalized: figures !== null,
      finalizedBlock: f?.finalizedBlock ?? null,
      generation: f?.generation ?? 0n,
      submitted: f?.submitted ?? 0n,
      minUnits: f?.minUnits ?? 0n,
      unitCap: figures?.unitCap ?? 0n,
      cappedSum: f?.cappedSum ?? 0n,
    };
  });
  const pots: PotView[] = [...r.pots.values()].map((p) => ({
    id: p.id,
    period: p.period,
    token: p.token,
    amount: p.amount,
    deadline: p.deadline,
    open: timestamp <= p.deadline,
    maxShare: p.maxShare,
    unitCap: p.figures.unitCap,
    cappedSum: p.figures.cappedSum,
    claimed: p.claimed,
    paid: p.paid,
    swept:
      p.swept === null
        ? null
        : {
            amount: p.swept.amount,
            treasury: p.swept.treasury,
            blockNumber: p.swept.blockNumber,
            transactionHash: p.swept.transactionHash,
          },
    allocatedBlock: p.allocatedBlock,
    transactionHash: p.transactionHash,
    shares: [...r.ledger.periodUnits(p.period).entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([cardId, u]) => {
        const c = p.claims.get(cardId);
        return {
          cardId,
          holder: replay.cards.get(cardId) ?? null,
          units: u,
          share: shareOf(p.amount, u, p.figures),
          claim:
            c === undefined
              ? null
              : { member: c.member, amount: c.amount, blockNumber: c.blockNumber, transactionHash: c.transactionHash },
        };
      }),
  }));
  const s = r.settings;
  return {
    ledger: s === null ? null : { start: s.start, periodLength: s.periodLength, reviewWindow: s.reviewWindow },
    currentPeriod: r.periodAt(timestamp),
    attestationThreshold: r.threshold,
    payRatio: r.payRatio(),
    claimWindow: r.claimWindow,
    entries,
    periods,
    pots,
  };
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
    patronage: patronageView(replay, timestamp),
  };
}

/** JSON text of any value holding bigints (as decimal strings). */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (typeof v === "bigint" ? v.toString() : v), 2);
}

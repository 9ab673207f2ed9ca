/**
 * The replay: a co-op's whole history rebuilt from its events alone, one event at a time, in chain order.
 *
 * Every figure is recomputed from the rules (./rules.ts): credits from the issuance schedules and each vote's
 * quadratic marginal cost, quorum from the member count at the snapshot, states and deposit fates from the
 * tallies. Figures an event carries (an opening balance, a forfeited balance, a credited deposit, an extended
 * deadline…) are compared with the recomputed ones, and each disagreement is a finding; the model keeps the
 * recomputed value.
 *
 * Memory grows with the number of members and proposals (and each member's receipts), never with the number
 * of events: events are consumed as they come, and per-event records (votes, credit movements) go to an
 * optional sink instead of being kept.
 */
import { AbiCoder, ZeroAddress, getAddress, keccak256 } from "ethers";

import { marginalCost } from "../rules/quadratic.ts";
import { PersonRegister } from "../rules/patronage.ts";
import { big, bool, list, num, str } from "./args.ts";
import type { EventArg, ReplayEvent } from "./events.ts";
import { PatronageReplay } from "./patronage.ts";
import {
  accrueTo,
  activeScheduleIndex,
  creditedOnReturn,
  depositReturned,
  descriptionHash,
  epochAt,
  epochEnd,
  openingBalance,
  proposalDeadline,
  proposalState,
  quorumFor,
  quorumReached,
  timelockOperationId,
  type Schedule,
} from "../rules/governance.ts";
import type { ProposalStateName } from "../format.ts";

/** An event that contradicts the rules (or the events before it). */
export interface Finding {
  blockNumber: number;
  logIndex: number;
  transactionHash: string;
  message: string;
}

export type CreditEntryKind =
  "opened" | "accrued" | "vote" | "deposit-held" | "deposit-returned" | "forfeited" | "moved-out" | "moved-in";

/** One movement of a member's credits (the credit ledger). `change` is signed; `balance` is after it. */
export interface CreditEntry {
  blockNumber: number;
  timestamp: number;
  transactionHash: string;
  member: string;
  kind: CreditEntryKind;
  change: bigint;
  balance: bigint;
  epoch: number;
  proposalId?: bigint;
}

/** One counted vote: `added` votes on top of `previous`, at a cost of (previous+added)² − previous². */
export interface VoteEntry {
  blockNumber: number;
  timestamp: number;
  transactionHash: string;
  proposalId: bigint;
  voter: string;
  support: number;
  added: bigint;
  total: bigint;
  cost: bigint;
  balanceAfter: bigint;
  reason: string;
}

/** Where per-event records go (a CSV writer, a UI list); the replay keeps none of them. */
export interface ReplaySink {
  /** Every event, in the order it is applied. */
  event?(event: ReplayEvent): void;
  credit?(entry: CreditEntry): void;
  vote?(entry: VoteEntry): void;
}

export type MemberStatus = "member" | "resigned" | "expelled" | "reassigned";

export interface MembershipChange {
  kind: "admitted" | "resigned" | "expelled" | "reassigned-away" | "reassigned-in";
  blockNumber: number;
  timestamp: number;
  cardId: bigint;
  /** For a reassignment: the other address. */
  counterpart?: string;
  /** For an expulsion: the reason in the event. */
  reason?: string;
}

/** A credit account as VoiceCredits stores it: balance as of `epoch`, membership start and card. */
export interface StoredAccount {
  balance: bigint;
  epoch: number;
  since: number;
  cardId: bigint;
}

export interface CreditTotals {
  opened: bigint;
  accrued: bigint;
  spentOnVotes: bigint;
  depositsHeld: bigint;
  depositsReturned: bigint;
  forfeited: bigint;
  movedIn: bigint;
  movedOut: bigint;
}

export interface MemberRecord {
  address: string;
  status: MemberStatus;
  /** The card held now, or the last one held. */
  cardId: bigint;
  /** Start of the current membership (0 when not a member). */
  since: number;
  pastStints: number;
  history: MembershipChange[];
  stored: StoredAccount;
  /** Balance as of `knownEpoch`, always brought up to date when the member is touched (for the ledger). */
  known: { balance: bigint; epoch: number };
  totals: CreditTotals;
  proposalsMade: number;
  votesCast: number;
}

export interface Receipt {
  support: number;
  votes: bigint;
  /** Counted ballots (the nonce of the next signed ballot on this proposal). */
  ballots: number;
}

export interface Tally {
  forVotes: bigint;
  againstVotes: bigint;
  forVoters: bigint;
  againstVoters: bigint;
  abstainVoters: bigint;
  /** Members needed, fixed at the first vote; 0 before. */
  quorum: bigint;
  extendedDeadline: number;
}

export interface DepositSettlement {
  blockNumber: number;
  timestamp: number;
  holder: string;
  amount: bigint;
  returned: boolean;
  credited: bigint;
}

export interface ProposalRecord {
  id: bigint;
  /** 1-based, in the order proposals were made (the governor's proposalIdAt(number - 1)). */
  number: number;
  proposer: string;
  proposerCard: bigint;
  targets: string[];
  values: bigint[];
  signatures: string[];
  calldatas: string[];
  description: string;
  createdBlock: number;
  createdAt: number;
  voteStart: number;
  voteEnd: number;
  quorumBps: bigint;
  deposit: bigint;
  tally: Tally;
  receipts: Map<string, Receipt>;
  skippedBallots: number;
  canceled: boolean;
  executedByGovernor: boolean;
  eta: number;
  operationId: string;
  settlement: DepositSettlement | null;
}

export interface TimelockOperation {
  id: string;
  calls: { target: string; value: bigint }[];
  scheduledBlock: number;
  readyAt: number;
  executedCalls: number;
  executedBlock: number | null;
  executedAt: number | null;
  cancelled: boolean;
}

export interface TreasuryMovement {
  blockNumber: number;
  timestamp: number;
  transactionHash: string;
  operationId: string;
  proposalId: bigint | null;
  target: string;
  value: bigint;
}

export interface ParameterChange {
  blockNumber: number;
  timestamp: number;
  contract: ReplayEvent["contract"];
  name: string;
  from: string;
  to: string;
}

export interface GovernorParameters {
  votingDelay: bigint;
  votingPeriod: bigint;
  quorumBps: bigint;
  proposalDeposit: bigint;
  lateQuorumExtension: bigint;
  timelock: string;
}

/** The co-op's addresses, as the replay needs them (the governor's operation ids, self-calls). */
export interface CoopAddresses {
  MembershipCard: string;
  VoiceCredits: string;
  MutualGovernor: string;
  TimelockController: string;
  /** Patronage (absent from co-ops deployed before it existed). */
  ContributionLedger?: string;
  PatronageDistributor?: string;
}

const abi = AbiCoder.defaultAbiCoder();

const emptyTotals = (): CreditTotals => ({
  opened: 0n,
  accrued: 0n,
  spentOnVotes: 0n,
  depositsHeld: 0n,
  depositsReturned: 0n,
  forfeited: 0n,
  movedIn: 0n,
  movedOut: 0n,
});

/** Rebuilds a co-op from its events. Feed `apply` every event in chain order, then read the model. */
export class Replay {
  readonly addresses: CoopAddresses;
  readonly members = new Map<string, MemberRecord>();
  /** Card number → its holder now (null once given back or taken away). */
  readonly cards = new Map<bigint, string | null>();
  /** Card number → its person (`MembershipCard.personOf`), by the register's rule. */
  readonly persons = new PersonRegister();
  lastCardId = 0n;
  /** Member count after each change: [timestamp, count], one entry per timestamp (as a Checkpoints.Trace208). */
  readonly memberCountHistory: { timestamp: number; blockNumber: number; count: bigint }[] = [];
  /** Every quorum fraction the governor set, in order (`QuorumFractionSet`), the one set at deployment first. */
  readonly quorumHistory: { timestamp: number; bps: bigint }[] = [];
  readonly schedules: Schedule[] = [];
  /** Credits held as deposits by the current governor and former ones (`heldDeposits` is the current one's). */
  private totalHeld = 0n;
  /** What each governor replaced while it held deposits still holds (`VoiceCredits.formerGovernorHeld`). */
  readonly formerGovernorHeld = new Map<string, bigint>();
  /** Credits destroyed by burned deposits and by the cap on returned deposits. */
  burnedDeposits = 0n;
  readonly params: GovernorParameters = {
    votingDelay: 0n,
    votingPeriod: 0n,
    quorumBps: 0n,
    proposalDeposit: 0n,
    lateQuorumExtension: 0n,
    timelock: ZeroAddress,
  };
  creditsGovernor = ZeroAddress;
  timelockMinDelay = 0n;
  readonly owners = new Map<string, string>();
  /** Timelock role → accounts holding it. */
  readonly roles = new Map<string, Set<string>>();
  readonly parameterChanges: ParameterChange[] = [];
  readonly proposals = new Map<bigint, ProposalRecord>();
  readonly operations = new Map<string, TimelockOperation>();
  readonly treasuryMovements: TreasuryMovement[] = [];
  treasuryPaidOut = 0n;
  skippedBallots = 0;
  readonly findings: Finding[] = [];
  /** The contribution ledger and the patronage distributor (./patronage.ts). */
  readonly patronage: PatronageReplay;
  readonly eventCounts = new Map<string, number>();
  events = 0;
  lastBlock = -1;
  lastTimestamp = 0;

  private readonly sink: ReplaySink;
  private readonly operationToProposal = new Map<string, bigint>();
  /** Addresses as events spell them → checksummed (one entry per spelling of a member's address). */
  private readonly checksummed = new Map<string, string>();
  /** A ProposalExtended seen before the vote that reaches quorum. */
  private pendingExtension: { proposalId: bigint; deadline: number; tx: string } | null = null;
  /** A late quorum whose ProposalExtended must come next. */
  private expectedExtension: { proposalId: bigint; deadline: number; tx: string } | null = null;
  private pendingStake: { proposalId: bigint; proposer: string; amount: bigint; tx: string } | null = null;
  private lastSettlementCredit: {
    tx: string;
    kind: "returned" | "burned";
    member?: string;
    amount: bigint;
    credited: bigint;
  } | null = null;
  private current!: ReplayEvent;

  constructor(addresses: CoopAddresses, sink: ReplaySink = {}) {
    this.addresses = {
      MembershipCard: getAddress(addresses.MembershipCard),
      VoiceCredits: getAddress(addresses.VoiceCredits),
      MutualGovernor: getAddress(addresses.MutualGovernor),
      TimelockController: getAddress(addresses.TimelockController),
      ...(addresses.ContributionLedger === undefined
        ? {}
        : { ContributionLedger: getAddress(addresses.ContributionLedger) }),
      ...(addresses.PatronageDistributor === undefined
        ? {}
        : { PatronageDistributor: getAddress(addresses.PatronageDistributor) }),
    };
    this.sink = sink;
    this.patronage = new PatronageReplay({
      finding: (message) => this.finding(message),
      parameter: (name, from, to) => this.parameter(name, from, to),
      holderOf: (cardId) => this.cards.get(cardId),
      personOf: this.persons.personOf,
      ownerOf: (contract) => this.owners.get(contract),
    });
  }

  /** Applies one event. Events must come in chain order (block, then log index). */
  apply(e: ReplayEvent): void {
    this.current = e;
    this.events++;
    this.sink.event?.(e);
    const key = `${e.contract}.${e.name}`;
    this.eventCounts.set(key, (this.eventCounts.get(key) ?? 0) + 1);
    // A late quorum's ProposalExtended sits right next to the vote that reached quorum, in the same transaction:
    // before it (a vote by transaction or a signed ballot) or after it (a compact batch counts, then extends).
    const isVote = e.name === "VoteCast" || e.name === "VoteCastWithParams";
    if (this.pendingExtension !== null && !(isVote && this.pendingExtension.tx === e.transactionHash)) {
      this.finding(
        `ProposalExtended for proposal ${this.pendingExtension.proposalId} with no vote reaching quorum next to it`,
      );
      this.pendingExtension = null;
    }
    if (
      this.expectedExtension !== null &&
      !(e.name === "ProposalExtended" && this.expectedExtension.tx === e.transactionHash)
    ) {
      const x = this.expectedExtension;
      this.finding(
        `proposal ${x.proposalId} reached quorum late: the vote runs to ${x.deadline}, but no ProposalExtended says so`,
      );
      this.expectedExtension = null;
    }
    this.patronage.before(e);
    this.lastBlock = e.blockNumber;
    this.lastTimestamp = e.timestamp;
    const a = e.args;
    switch (key) {
      // ----- MembershipCard
      case "MembershipCard.MemberAdmitted":
        return this.admitted(str(a.account), big(a.tokenId));
      case "MembershipCard.MemberResigned":
        return this.left(str(a.account), big(a.tokenId), "resigned");
      case "MembershipCard.MemberExpelled":
        return this.left(str(a.account), big(a.tokenId), "expelled", str(a.reason));
      case "MembershipCard.MemberReassigned":
        return this.reassigned(str(a.from), str(a.to), big(a.tokenId));
      case "MembershipCard.OwnershipTransferred":
      case "VoiceCredits.OwnershipTransferred":
      case "ContributionLedger.OwnershipTransferred":
      case "PatronageDistributor.OwnershipTransferred":
        this.owners.set(e.contract, str(a.newOwner));
        return;
      // ----- VoiceCredits
      case "VoiceCredits.ScheduleChanged":
        return this.scheduleChanged(a);
      case "VoiceCredits.GovernorChanged":
        return this.governorChanged(str(a.previousGovernor), str(a.newGovernor));
      case "VoiceCredits.FormerGovernorReleased":
        this.formerGovernorHeld.set(getAddress(str(a.formerGovernor)), big(a.remaining));
        return;
      case "VoiceCredits.AccountOpened":
        return this.accountOpened(str(a.member), big(a.cardId), num(a.epoch), big(a.balance));
      case "VoiceCredits.AccountClosed":
        return this.accountClosed(str(a.member), num(a.epoch), big(a.forfeited));
      case "VoiceCredits.AccountMoved":
        return this.accountMoved(str(a.from), str(a.to), num(a.epoch), big(a.balance));
      case "VoiceCredits.DepositHeld":
        return this.depositHeld(str(a.member), num(a.epoch), big(a.amount), big(a.balanceAfter));
      case "VoiceCredits.DepositReturned":
        return this.depositReturnedEvent(str(a.member), num(a.epoch), big(a.amount), big(a.credited));
      case "VoiceCredits.DepositBurned":
        return this.depositBurned(big(a.amount));
      // ----- MutualGovernor
      case "MutualGovernor.VotingDelaySet":
        return this.governorParameter("votingDelay", big(a.oldVotingDelay), big(a.newVotingDelay));
      case "MutualGovernor.VotingPeriodSet":
        return this.governorParameter("votingPeriod", big(a.oldVotingPeriod), big(a.newVotingPeriod));
      case "MutualGovernor.QuorumFractionSet":
        this.quorumHistory.push({ timestamp: e.timestamp, bps: big(a.newQuorumBps) });
        return this.governorParameter("quorumBps", big(a.oldQuorumBps), big(a.newQuorumBps));
      case "MutualGovernor.ProposalDepositSet":
        return this.governorParameter("proposalDeposit", big(a.oldDeposit), big(a.newDeposit));
      case "MutualGovernor.LateQuorumVoteExtensionSet":
        return this.governorParameter("lateQuorumExtension", big(a.oldVoteExtension), big(a.newVoteExtension));
      case "MutualGovernor.TimelockChange":
        this.parameter("timelock", this.params.timelock, str(a.newTimelock));
        this.params.timelock = str(a.newTimelock);
        return;
      case "MutualGovernor.ProposalCreated":
        return this.proposalCreated(a);
      case "MutualGovernor.ProposalDepositStaked":
        this.pendingStake = {
          proposalId: big(a.proposalId),
          proposer: str(a.proposer),
          amount: big(a.amount),
          tx: e.transactionHash,
        };
        return this.depositStaked(big(a.proposalId), str(a.proposer), big(a.amount));
      case "MutualGovernor.VoteCast":
      case "MutualGovernor.VoteCastWithParams":
        return this.voteCast(str(a.voter), big(a.proposalId), num(a.support), big(a.weight), str(a.reason));
      case "MutualGovernor.ProposalExtended": {
        const x = this.expectedExtension;
        const id = big(a.proposalId);
        const deadline = num(a.extendedDeadline);
        if (x !== null) {
          this.expectedExtension = null;
          if (x.proposalId !== id || x.deadline !== deadline) {
            this.finding(
              `ProposalExtended for proposal ${id} to ${deadline}; the rules give proposal ${x.proposalId} to ${x.deadline}`,
            );
          }
        } else this.pendingExtension = { proposalId: id, deadline, tx: e.transactionHash };
        return;
      }
      case "MutualGovernor.BallotSkipped": {
        this.skippedBallots++;
        const p = this.proposals.get(big(a.proposalId));
        if (p !== undefined) p.skippedBallots++;
        return;
      }
      case "MutualGovernor.ProposalQueued":
        return this.proposalQueued(big(a.proposalId), num(a.etaSeconds));
      case "MutualGovernor.ProposalExecuted":
        return this.proposalExecuted(big(a.proposalId));
      case "MutualGovernor.ProposalCanceled":
        return this.proposalCanceled(big(a.proposalId));
      case "MutualGovernor.ProposalDepositSettled":
        return this.depositSettled(big(a.proposalId), str(a.holder), big(a.amount), bool(a.returned), big(a.credited));
      // ----- TimelockController
      case "TimelockController.MinDelayChange":
        this.parameter("minDelay", String(this.timelockMinDelay), String(big(a.newDuration)));
        this.timelockMinDelay = big(a.newDuration);
        return;
      case "TimelockController.RoleGranted":
      case "TimelockController.RoleRevoked": {
        const role = str(a.role);
        const holders = this.roles.get(role) ?? new Set<string>();
        if (e.name === "RoleGranted") holders.add(str(a.account));
        else holders.delete(str(a.account));
        this.roles.set(role, holders);
        return;
      }
      case "TimelockController.CallScheduled":
        return this.callScheduled(str(a.id), num(a.index), str(a.target), big(a.value), num(a.delay));
      case "TimelockController.CallExecuted":
        return this.callExecuted(str(a.id), num(a.index), str(a.target), big(a.value));
      case "TimelockController.Cancelled": {
        const op = this.operations.get(str(a.id));
        if (op === undefined) this.finding(`Cancelled an unknown timelock operation ${str(a.id)}`);
        else op.cancelled = true;
        return;
      }
      default:
        if (e.contract === "ContributionLedger" || e.contract === "PatronageDistributor")
          return this.patronage.apply(e);
        // Events that change nothing the audit rebuilds: ERC-721 Transfer and ERC-5192 Locked (mirrored by the
        // Member* events), VoiceCreditsBound, CallSalt, RoleAdminChanged, EIP712DomainChanged.
        return;
    }
  }

  /** Ends the history: a late quorum or an extension still waiting for its other half is a finding. */
  close(): void {
    if (this.expectedExtension !== null) {
      const x = this.expectedExtension;
      this.finding(
        `proposal ${x.proposalId} reached quorum late: the vote runs to ${x.deadline}, but no ProposalExtended says so`,
      );
    }
    if (this.pendingExtension !== null) {
      this.finding(
        `ProposalExtended for proposal ${this.pendingExtension.proposalId} with no vote reaching quorum next to it`,
      );
    }
    this.expectedExtension = null;
    this.pendingExtension = null;
    this.patronage.close();
  }

  // ------------------------------------------------------------------------------------------------
  // Reading the model
  // ------------------------------------------------------------------------------------------------

  /** The quorum fraction (basis points) in force at `timestamp`: the last change at or before it (the governor's
   * `quorumFractionAt`; 0 before the governor existed). */
  quorumFractionAt(timestamp: number): bigint {
    let bps = 0n;
    for (const q of this.quorumHistory) {
      if (q.timestamp > timestamp) break;
      bps = q.bps;
    }
    return bps;
  }

  /** The governor's `quorum(timestamp)`: the members at `timestamp` at the fraction in force then. */
  quorumAt(timestamp: number): bigint {
    return quorumFor(this.memberCountAt(timestamp), this.quorumFractionAt(timestamp));
  }

  /** The member count at `timestamp`: the last change at or before it (0 before the first admission). */
  memberCountAt(timestamp: number): bigint {
    const h = this.memberCountHistory;
    let low = 0;
    let high = h.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (h[mid].timestamp > timestamp) high = mid;
      else low = mid + 1;
    }
    return low === 0 ? 0n : h[low - 1].count;
  }

  memberCount(): bigint {
    return this.memberCountHistory.at(-1)?.count ?? 0n;
  }

  /** `address`'s spendable credits at `timestamp`, recomputed from its stored account and the schedules. */
  balanceAt(address: string, timestamp: number): bigint {
    const m = this.members.get(getAddress(address));
    if (m === undefined || m.stored.since === 0) return 0n;
    return accrueTo(this.schedules, m.stored.balance, m.stored.epoch, timestamp).balance;
  }

  /** The schedule in force at `timestamp`. */
  scheduleAt(timestamp: number): Schedule {
    return this.schedules[activeScheduleIndex(this.schedules, timestamp)];
  }

  /** The members needed for quorum on `p` as `proposalTally` reports it at `now` (0 while pending). */
  quorumOf(p: ProposalRecord, now: number): bigint {
    if (p.tally.quorum !== 0n) return p.tally.quorum;
    if (p.voteStart < now) return quorumFor(this.memberCountAt(p.voteStart), p.quorumBps);
    return 0n;
  }

  /** `p`'s state at `now`. */
  stateOf(p: ProposalRecord, now: number): ProposalStateName {
    const op = this.operations.get(p.operationId);
    return proposalState(
      {
        voteStart: p.voteStart,
        voteEnd: p.voteEnd,
        extendedDeadline: p.tally.extendedDeadline,
        canceled: p.canceled,
        executed: p.executedByGovernor,
        voters: voters(p.tally),
        quorum: p.tally.quorum,
        forVotes: p.tally.forVotes,
        againstVotes: p.tally.againstVotes,
        eta: p.eta,
        operationDone: op !== undefined && op.executedCalls === op.calls.length && op.calls.length > 0,
        operationCancelled: op !== undefined && op.cancelled,
      },
      now,
    );
  }

  /** Proposals in the order they were made. */
  proposalList(): ProposalRecord[] {
    return [...this.proposals.values()].sort((x, y) => x.number - y.number);
  }

  // ------------------------------------------------------------------------------------------------
  // Membership
  // ------------------------------------------------------------------------------------------------

  private member(address: string): MemberRecord {
    let key = this.checksummed.get(address);
    if (key === undefined) {
      key = getAddress(address);
      this.checksummed.set(address, key);
    }
    let m = this.members.get(key);
    if (m === undefined) {
      m = {
        address: key,
        status: "member",
        cardId: 0n,
        since: 0,
        pastStints: 0,
        history: [],
        stored: { balance: 0n, epoch: 0, since: 0, cardId: 0n },
        known: { balance: 0n, epoch: 0 },
        totals: emptyTotals(),
        proposalsMade: 0,
        votesCast: 0,
      };
      this.members.set(key, m);
    }
    return m;
  }

  private pushCount(delta: 1n | -1n): void {
    const { timestamp, blockNumber } = this.current;
    const count = this.memberCount() + delta;
    const last = this.memberCountHistory.at(-1);
    if (last !== undefined && last.timestamp === timestamp) {
      last.count = count;
      last.blockNumber = blockNumber;
    } else this.memberCountHistory.push({ timestamp, blockNumber, count });
  }

  private change(m: MemberRecord, change: Omit<MembershipChange, "blockNumber" | "timestamp">): void {
    m.history.push({ ...change, blockNumber: this.current.blockNumber, timestamp: this.current.timestamp });
  }

  private admitted(account: string, tokenId: bigint): void {
    const m = this.member(account);
    if (m.since !== 0) this.finding(`MemberAdmitted for ${m.address}, already a member with card #${m.cardId}`);
    if (tokenId !== this.lastCardId + 1n) {
      this.finding(`card #${tokenId} issued to ${m.address}; the next card number is #${this.lastCardId + 1n}`);
    }
    if (tokenId > this.lastCardId) this.lastCardId = tokenId;
    this.cards.set(tokenId, m.address);
    this.persons.admitted(m.address, tokenId);
    m.status = "member";
    m.cardId = tokenId;
    m.since = this.current.timestamp;
    this.change(m, { kind: "admitted", cardId: tokenId });
    this.pushCount(1n);
  }

  private left(account: string, tokenId: bigint, kind: "resigned" | "expelled", reason?: string): void {
    const m = this.member(account);
    if (m.since === 0) this.finding(`${m.address} ${kind} without being a member`);
    else if (m.cardId !== tokenId) this.finding(`${m.address} ${kind} with card #${tokenId}; they hold #${m.cardId}`);
    else this.pushCount(-1n);
    m.pastStints += m.since === 0 ? 0 : 1;
    m.status = kind;
    m.since = 0;
    this.cards.set(tokenId, null);
    this.change(m, reason === undefined ? { kind, cardId: tokenId } : { kind, cardId: tokenId, reason });
  }

  private reassigned(from: string, to: string, tokenId: bigint): void {
    const f = this.member(from);
    const t = this.member(to);
    if (f.since === 0 || f.cardId !== tokenId) {
      this.finding(`card #${tokenId} reassigned from ${f.address}, who does not hold it`);
    }
    if (t.since !== 0) this.finding(`card #${tokenId} reassigned to ${t.address}, already a member`);
    if (f.since !== 0) f.pastStints++;
    f.status = "reassigned";
    f.since = 0;
    t.status = "member";
    t.cardId = tokenId;
    t.since = this.current.timestamp;
    this.cards.set(tokenId, t.address);
    this.persons.reassigned(t.address, tokenId);
    this.change(f, { kind: "reassigned-away", cardId: tokenId, counterpart: t.address });
    this.change(t, { kind: "reassigned-in", cardId: tokenId, counterpart: f.address });
  }

  // ------------------------------------------------------------------------------------------------
  // Credits
  // ------------------------------------------------------------------------------------------------

  private scheduleChanged(a: Readonly<Record<string, EventArg>>): void {
    const now = this.current.timestamp;
    let start: number;
    let firstEpoch: number;
    if (this.schedules.length === 0) {
      start = now;
      firstEpoch = 0;
    } else {
      // A pending schedule that never took effect is replaced.
      if (this.schedules.at(-1)!.start > now) this.schedules.pop();
      const active = this.schedules.at(-1)!;
      const epoch = epochAt(active, now);
      start = epochEnd(active, epoch);
      firstEpoch = epoch + 1;
    }
    const index = this.schedules.length;
    const s: Schedule = {
      start,
      firstEpoch,
      epochLength: num(a.epochLength),
      creditsPerEpoch: big(a.creditsPerEpoch),
      maxBalance: big(a.maxBalance),
    };
    if (num(a.index) !== index || num(a.start) !== start || num(a.firstEpoch) !== firstEpoch) {
      this.finding(
        `ScheduleChanged says schedule ${a.index} from ${a.start} (epoch ${a.firstEpoch}); the rules give schedule ${index} from ${start} (epoch ${firstEpoch})`,
      );
    }
    const previous = this.schedules.at(-1);
    this.schedules.push(s);
    this.parameter(
      "schedule",
      previous === undefined ? "" : describeSchedule(previous),
      `${describeSchedule(s)} from epoch ${firstEpoch}`,
    );
  }

  /** Brings `m`'s ledger balance up to now, writing the accrual to the ledger; returns the current balance. */
  private accrued(m: MemberRecord): { balance: bigint; epoch: number } {
    const now = this.current.timestamp;
    if (m.stored.since === 0) return { balance: 0n, epoch: epochAt(this.scheduleAt(now), now) };
    const up = accrueTo(this.schedules, m.known.balance, m.known.epoch, now);
    if (up.balance !== m.known.balance) {
      m.totals.accrued += up.balance - m.known.balance;
      this.ledger(m, "accrued", up.balance - m.known.balance, up.balance, up.epoch);
    }
    m.known = { balance: up.balance, epoch: up.epoch };
    return up;
  }

  private store(m: MemberRecord, balance: bigint, epoch: number): void {
    m.stored.balance = balance;
    m.stored.epoch = epoch;
    m.known = { balance, epoch };
  }

  private ledger(
    m: MemberRecord,
    kind: CreditEntryKind,
    change: bigint,
    balance: bigint,
    epoch: number,
    proposalId?: bigint,
  ) {
    if (this.sink.credit === undefined) return;
    const e = this.current;
    this.sink.credit({
      blockNumber: e.blockNumber,
      timestamp: e.timestamp,
      transactionHash: e.transactionHash,
      member: m.address,
      kind,
      change,
      balance,
      epoch,
      ...(proposalId === undefined ? {} : { proposalId }),
    });
  }

  private accountOpened(member: string, cardId: bigint, epoch: number, balance: bigint): void {
    const m = this.member(member);
    const now = this.current.timestamp;
    const s = this.scheduleAt(now);
    const expectedEpoch = epochAt(s, now);
    const expectedBalance = openingBalance(s);
    if (epoch !== expectedEpoch || balance !== expectedBalance) {
      this.finding(
        `AccountOpened for ${m.address}: ${balance} credits in epoch ${epoch}; the rules give ${expectedBalance} in epoch ${expectedEpoch}`,
      );
    }
    if (cardId !== m.cardId || m.since !== now) {
      this.finding(`AccountOpened for ${m.address} with card #${cardId}, not in the admission of card #${m.cardId}`);
    }
    m.stored = { balance: expectedBalance, epoch: expectedEpoch, since: now, cardId: m.cardId };
    m.known = { balance: expectedBalance, epoch: expectedEpoch };
    m.totals.opened += expectedBalance;
    this.ledger(m, "opened", expectedBalance, expectedBalance, expectedEpoch);
  }

  private accountClosed(member: string, epoch: number, forfeited: bigint): void {
    const m = this.member(member);
    if (m.stored.since === 0) this.finding(`AccountClosed for ${m.address}, who has no account`);
    const up = this.accrued(m);
    if (epoch !== up.epoch || forfeited !== up.balance) {
      this.finding(
        `AccountClosed for ${m.address}: ${forfeited} forfeited in epoch ${epoch}; the rules give ${up.balance} in epoch ${up.epoch}`,
      );
    }
    m.totals.forfeited += up.balance;
    if (m.stored.since !== 0) this.ledger(m, "forfeited", -up.balance, 0n, up.epoch);
    m.stored = { balance: 0n, epoch: 0, since: 0, cardId: 0n };
    m.known = { balance: 0n, epoch: 0 };
  }

  private accountMoved(from: string, to: string, epoch: number, balance: bigint): void {
    const f = this.member(from);
    const t = this.member(to);
    if (f.stored.since === 0) this.finding(`AccountMoved from ${f.address}, who has no account`);
    const up = this.accrued(f);
    if (epoch !== up.epoch || balance !== up.balance) {
      this.finding(
        `AccountMoved from ${f.address}: ${balance} credits in epoch ${epoch}; the rules give ${up.balance} in epoch ${up.epoch}`,
      );
    }
    const cardId = f.stored.cardId;
    f.stored = { balance: 0n, epoch: 0, since: 0, cardId: 0n };
    f.known = { balance: 0n, epoch: 0 };
    f.totals.movedOut += up.balance;
    this.ledger(f, "moved-out", -up.balance, 0n, up.epoch);
    t.stored = { balance: up.balance, epoch: up.epoch, since: this.current.timestamp, cardId };
    t.known = { balance: up.balance, epoch: up.epoch };
    t.totals.movedIn += up.balance;
    this.ledger(t, "moved-in", up.balance, up.balance, up.epoch);
  }

  private depositHeld(member: string, epoch: number, amount: bigint, balanceAfter: bigint): void {
    const m = this.member(member);
    const stake = this.pendingStake;
    if (
      stake === null ||
      stake.tx !== this.current.transactionHash ||
      stake.proposer !== m.address ||
      stake.amount !== amount
    ) {
      this.finding(`DepositHeld of ${amount} from ${m.address} without the matching ProposalDepositStaked`);
    }
    this.pendingStake = null;
    if (m.stored.since === 0) this.finding(`DepositHeld from ${m.address}, who has no account`);
    const up = this.accrued(m);
    let after = up.balance - amount;
    if (after < 0n) {
      this.finding(`DepositHeld of ${amount} from ${m.address}, who has only ${up.balance} credits`);
      after = 0n;
    }
    if (epoch !== up.epoch || balanceAfter !== after) {
      this.finding(
        `DepositHeld from ${m.address}: ${balanceAfter} left in epoch ${epoch}; the rules give ${after} in epoch ${up.epoch}`,
      );
    }
    this.totalHeld += amount;
    m.totals.depositsHeld += amount;
    this.store(m, after, up.epoch);
    this.ledger(m, "deposit-held", -amount, after, up.epoch, stake?.proposalId);
  }

  /** Credits the credits' current governor holds as deposits (`VoiceCredits.heldDeposits`). */
  get heldDeposits(): bigint {
    let former = 0n;
    for (const held of this.formerGovernorHeld.values()) former += held;
    return this.totalHeld - former;
  }

  /** What `governor` holds as deposits: all current deposits if it is the governor, else what it kept. */
  heldBy(governor: string): bigint {
    const g = getAddress(governor);
    if (getAddress(this.creditsGovernor) === g) return this.heldDeposits;
    return this.formerGovernorHeld.get(g) ?? 0n;
  }

  /** The old governor keeps the deposits it held; a governor set again takes back what it kept. */
  private governorChanged(previous: string, next: string): void {
    this.parameter("governor", this.creditsGovernor, next);
    const held = this.heldDeposits;
    if (held > 0n) this.formerGovernorHeld.set(getAddress(previous), held);
    this.formerGovernorHeld.delete(getAddress(next));
    this.creditsGovernor = next;
  }

  private release(amount: bigint): void {
    if (amount > this.totalHeld) {
      this.finding(`a deposit of ${amount} released while only ${this.totalHeld} are held`);
      this.totalHeld = 0n;
    } else this.totalHeld -= amount;
  }

  private depositReturnedEvent(member: string, epoch: number, amount: bigint, credited: bigint): void {
    this.release(amount);
    const m = this.member(member);
    if (m.stored.since === 0) {
      this.finding(`DepositReturned to ${m.address}, who has no account`);
      return;
    }
    const up = this.accrued(m);
    const expected = creditedOnReturn(up.balance, amount, this.scheduleAt(this.current.timestamp).maxBalance);
    if (epoch !== up.epoch || credited !== expected) {
      this.finding(
        `DepositReturned to ${m.address}: ${credited} of ${amount} credited in epoch ${epoch}; the rules give ${expected} in epoch ${up.epoch}`,
      );
    }
    this.burnedDeposits += amount - expected;
    m.totals.depositsReturned += expected;
    this.store(m, up.balance + expected, up.epoch);
    this.ledger(m, "deposit-returned", expected, up.balance + expected, up.epoch);
    this.lastSettlementCredit = {
      tx: this.current.transactionHash,
      kind: "returned",
      member: m.address,
      amount,
      credited: expected,
    };
  }

  private depositBurned(amount: bigint): void {
    this.release(amount);
    this.burnedDeposits += amount;
    this.lastSettlementCredit = { tx: this.current.transactionHash, kind: "burned", amount, credited: 0n };
  }

  // ------------------------------------------------------------------------------------------------
  // Governor
  // ------------------------------------------------------------------------------------------------

  private governorParameter(name: Exclude<keyof GovernorParameters, "timelock">, from: bigint, to: bigint): void {
    if (from !== this.params[name]) {
      this.finding(`${name} changed from ${from}, but it was ${this.params[name]}`);
    }
    this.parameter(name, String(from), String(to));
    this.params[name] = to;
  }

  private parameter(name: string, from: string, to: string): void {
    const e = this.current;
    this.parameterChanges.push({
      blockNumber: e.blockNumber,
      timestamp: e.timestamp,
      contract: e.contract,
      name,
      from,
      to,
    });
  }

  private proposalCreated(a: Readonly<Record<string, EventArg>>): void {
    const id = big(a.proposalId);
    const proposer = str(a.proposer);
    const targets = list(a.targets, (v) => str(v));
    const values = list(a.values, (v) => big(v));
    const calldatas = list(a.calldatas, (v) => str(v));
    const description = str(a.description);
    const now = this.current.timestamp;
    if (this.proposals.has(id)) this.finding(`proposal ${id} created twice`);
    const expectedId = BigInt(
      keccak256(
        abi.encode(
          ["address[]", "uint256[]", "bytes[]", "bytes32"],
          [targets, values, calldatas, descriptionHash(description)],
        ),
      ),
    );
    if (expectedId !== id)
      this.finding(`proposal id ${id} is not the hash of its actions and description (${expectedId})`);
    const m = this.member(proposer);
    if (m.since === 0) this.finding(`proposal ${id} made by ${m.address}, who is not a member`);
    const voteStart = num(a.voteStart);
    const voteEnd = num(a.voteEnd);
    const expectedStart = now + Number(this.params.votingDelay);
    const expectedEnd = expectedStart + Number(this.params.votingPeriod);
    if (voteStart !== expectedStart || voteEnd !== expectedEnd) {
      this.finding(
        `proposal ${id} votes from ${voteStart} to ${voteEnd}; the voting delay and period give ${expectedStart} to ${expectedEnd}`,
      );
    }
    m.proposalsMade++;
    this.proposals.set(id, {
      id,
      number: this.proposals.size + 1,
      proposer: m.address,
      proposerCard: m.cardId,
      targets,
      values,
      signatures: list(a.signatures, (v) => str(v)),
      calldatas,
      description,
      createdBlock: this.current.blockNumber,
      createdAt: now,
      voteStart: expectedStart,
      voteEnd: expectedEnd,
      quorumBps: this.params.quorumBps,
      deposit: this.params.proposalDeposit,
      tally: {
        forVotes: 0n,
        againstVotes: 0n,
        forVoters: 0n,
        againstVoters: 0n,
        abstainVoters: 0n,
        quorum: 0n,
        extendedDeadline: 0,
      },
      receipts: new Map(),
      skippedBallots: 0,
      canceled: false,
      executedByGovernor: false,
      eta: 0,
      operationId: timelockOperationId(this.addresses.MutualGovernor, targets, values, calldatas, description),
      settlement: null,
    });
    const p = this.proposals.get(id)!;
    this.operationToProposal.set(p.operationId, id);
  }

  private proposal(id: bigint, what: string): ProposalRecord | undefined {
    const p = this.proposals.get(id);
    if (p === undefined) this.finding(`${what} for proposal ${id}, which was never created`);
    return p;
  }

  private depositStaked(id: bigint, proposer: string, amount: bigint): void {
    const p = this.proposal(id, "ProposalDepositStaked");
    if (p === undefined) return;
    if (p.proposer !== getAddress(proposer) || amount !== p.deposit) {
      this.finding(`proposal ${id} staked ${amount} from ${proposer}; the rules give ${p.deposit} from ${p.proposer}`);
    }
  }

  private voteCast(voter: string, id: bigint, support: number, weight: bigint, reason: string): void {
    const p = this.proposal(id, "a vote");
    if (p === undefined) return;
    const m = this.member(voter);
    const now = this.current.timestamp;
    const state = this.stateOf(p, now);
    if (state !== "Active") this.finding(`vote by ${m.address} on proposal ${id} while it is ${state}`);
    if (support > 2) this.finding(`vote by ${m.address} on proposal ${id} with side ${support}`);
    if (m.stored.since === 0 || m.stored.since > p.voteStart) {
      this.finding(`vote by ${m.address} on proposal ${id}: not a member since its snapshot ${p.voteStart}`);
    }
    const receipt = p.receipts.get(m.address);
    const abstain = support === 2;
    if (receipt !== undefined && (receipt.support !== support || abstain)) {
      this.finding(`vote by ${m.address} on proposal ${id} after already voting side ${receipt.support}`);
    }
    if (abstain && weight !== 0n) this.finding(`abstention by ${m.address} on proposal ${id} with weight ${weight}`);
    if (!abstain && weight === 0n) this.finding(`vote by ${m.address} on proposal ${id} adds no votes`);
    const previous = receipt?.votes ?? 0n;
    const added = abstain ? 0n : weight;
    const cost = marginalCost(previous, added);
    const up = this.accrued(m);
    let after = up.balance - cost;
    if (after < 0n) {
      this.finding(`vote by ${m.address} on proposal ${id} costs ${cost} credits; they have ${up.balance}`);
      after = 0n;
    }
    if (cost > 0n) {
      this.store(m, after, up.epoch);
      m.totals.spentOnVotes += cost;
      this.ledger(m, "vote", -cost, after, up.epoch, id);
    }
    m.votesCast++;

    const t = p.tally;
    const newVoter = receipt === undefined;
    if (support === 1) {
      t.forVotes += added;
      if (newVoter) t.forVoters++;
    } else if (support === 0) {
      t.againstVotes += added;
      if (newVoter) t.againstVoters++;
    } else if (newVoter) t.abstainVoters++;
    if (t.quorum === 0n) t.quorum = quorumFor(this.memberCountAt(p.voteStart), p.quorumBps);
    const extension = this.pendingExtension;
    this.pendingExtension = null;
    if (t.extendedDeadline === 0 && voters(t) >= t.quorum) {
      t.extendedDeadline = now + Number(this.params.lateQuorumExtension);
      if (t.extendedDeadline > p.voteEnd) {
        if (extension === null) {
          this.expectedExtension = { proposalId: id, deadline: t.extendedDeadline, tx: this.current.transactionHash };
        } else if (extension.proposalId !== id || extension.deadline !== t.extendedDeadline) {
          this.finding(
            `ProposalExtended for proposal ${extension.proposalId} to ${extension.deadline}; the rules give proposal ${id} to ${t.extendedDeadline}`,
          );
        }
      } else if (extension !== null) {
        this.finding(
          `ProposalExtended for proposal ${extension.proposalId}, whose quorum came early enough to need no extension`,
        );
      }
    } else if (extension !== null) {
      this.finding(
        `ProposalExtended for proposal ${extension.proposalId} by a vote that did not first reach its quorum`,
      );
    }
    p.receipts.set(m.address, {
      support: receipt?.support ?? support,
      votes: previous + added,
      ballots: (receipt?.ballots ?? 0) + 1,
    });
    this.sink.vote?.({
      blockNumber: this.current.blockNumber,
      timestamp: now,
      transactionHash: this.current.transactionHash,
      proposalId: id,
      voter: m.address,
      support,
      added,
      total: previous + added,
      cost,
      balanceAfter: after,
      reason,
    });
  }

  private proposalQueued(id: bigint, eta: number): void {
    const p = this.proposal(id, "ProposalQueued");
    if (p === undefined) return;
    const now = this.current.timestamp;
    const state = this.stateOf(p, now);
    if (state !== "Succeeded") this.finding(`proposal ${id} queued while ${state}`);
    const op = this.operations.get(p.operationId);
    if (op === undefined || op.calls.length !== p.targets.length || op.scheduledBlock !== this.current.blockNumber) {
      this.finding(`proposal ${id} queued without its timelock operation ${p.operationId} being scheduled`);
    }
    const expected = now + Number(this.timelockMinDelay);
    if (eta !== expected) this.finding(`proposal ${id} queued with eta ${eta}; the timelock delay gives ${expected}`);
    p.eta = eta;
  }

  private proposalExecuted(id: bigint): void {
    const p = this.proposal(id, "ProposalExecuted");
    if (p === undefined) return;
    const op = this.operations.get(p.operationId);
    if (op === undefined || op.executedCalls !== op.calls.length || op.executedBlock !== this.current.blockNumber) {
      this.finding(`proposal ${id} executed without its timelock operation running in the same transaction`);
    }
    const state = this.stateOf(p, this.current.timestamp);
    if (state !== "Executed" && state !== "Queued") this.finding(`proposal ${id} executed while ${state}`);
    p.executedByGovernor = true;
  }

  private proposalCanceled(id: bigint): void {
    const p = this.proposal(id, "ProposalCanceled");
    if (p === undefined) return;
    const state = this.stateOf(p, this.current.timestamp);
    if (state !== "Pending") this.finding(`proposal ${id} cancelled while ${state}`);
    p.canceled = true;
  }

  private depositSettled(id: bigint, holder: string, amount: bigint, returned: boolean, credited: bigint): void {
    const p = this.proposal(id, "ProposalDepositSettled");
    if (p === undefined) return;
    const now = this.current.timestamp;
    const state = this.stateOf(p, now);
    if (state === "Pending" || state === "Active") this.finding(`deposit of proposal ${id} settled while ${state}`);
    if (p.settlement !== null) this.finding(`deposit of proposal ${id} settled twice`);
    const rule = depositReturned(
      quorumReached({ voters: voters(p.tally), quorum: p.tally.quorum }),
      p.tally.forVotes,
      p.tally.againstVotes,
    );
    const expectedHolder = this.cards.get(p.proposerCard) ?? ZeroAddress;
    let expectedCredited = 0n;
    if (p.deposit > 0n) {
      const c = this.lastSettlementCredit;
      const inTx = c !== null && c.tx === this.current.transactionHash ? c : null;
      if (rule && expectedHolder !== ZeroAddress) {
        if (inTx === null || inTx.kind !== "returned" || inTx.member !== expectedHolder || inTx.amount !== p.deposit) {
          this.finding(
            `deposit of proposal ${id} should have been returned to ${expectedHolder} by the credits ledger`,
          );
        } else expectedCredited = inTx.credited;
      } else if (inTx === null || inTx.kind !== "burned" || inTx.amount !== p.deposit) {
        this.finding(`deposit of proposal ${id} should have been burned by the credits ledger`);
      }
    }
    this.lastSettlementCredit = null;
    if (
      getAddress(holder) !== expectedHolder ||
      amount !== p.deposit ||
      returned !== rule ||
      credited !== expectedCredited
    ) {
      this.finding(
        `deposit of proposal ${id} settled as (holder ${holder}, ${amount}, returned ${returned}, credited ${credited}); the rules give (holder ${expectedHolder}, ${p.deposit}, returned ${rule}, credited ${expectedCredited})`,
      );
    }
    p.settlement = {
      blockNumber: this.current.blockNumber,
      timestamp: now,
      holder: expectedHolder,
      amount: p.deposit,
      returned: rule,
      credited: expectedCredited,
    };
  }

  // ------------------------------------------------------------------------------------------------
  // Timelock and treasury
  // ------------------------------------------------------------------------------------------------

  private callScheduled(id: string, index: number, target: string, value: bigint, delay: number): void {
    let op = this.operations.get(id);
    if (op === undefined) {
      op = {
        id,
        calls: [],
        scheduledBlock: this.current.blockNumber,
        readyAt: this.current.timestamp + delay,
        executedCalls: 0,
        executedBlock: null,
        executedAt: null,
        cancelled: false,
      };
      this.operations.set(id, op);
    }
    if (index !== op.calls.length) this.finding(`timelock call ${index} of operation ${id} scheduled out of order`);
    if (BigInt(delay) < this.timelockMinDelay) {
      this.finding(
        `timelock operation ${id} scheduled with delay ${delay}, below the minimum ${this.timelockMinDelay}`,
      );
    }
    op.calls.push({ target: getAddress(target), value });
  }

  private callExecuted(id: string, index: number, target: string, value: bigint): void {
    const op = this.operations.get(id);
    const now = this.current.timestamp;
    if (op === undefined) {
      this.finding(`timelock operation ${id} executed without being scheduled`);
    } else {
      if (op.cancelled) this.finding(`timelock operation ${id} executed after it was cancelled`);
      if (now < op.readyAt)
        this.finding(`timelock operation ${id} executed at ${now}, before it was ready at ${op.readyAt}`);
      const call = op.calls[index];
      if (
        index !== op.executedCalls ||
        call === undefined ||
        call.target !== getAddress(target) ||
        call.value !== value
      ) {
        this.finding(`timelock call ${index} of operation ${id} is not the call that was scheduled`);
      }
      op.executedCalls++;
      op.executedBlock = this.current.blockNumber;
      op.executedAt = now;
    }
    if (value > 0n && getAddress(target) !== this.addresses.TimelockController) {
      this.treasuryPaidOut += value;
      this.treasuryMovements.push({
        blockNumber: this.current.blockNumber,
        timestamp: now,
        transactionHash: this.current.transactionHash,
        operationId: id,
        proposalId: this.operationToProposal.get(id) ?? null,
        target: getAddress(target),
        value,
      });
    }
  }

  private finding(message: string): void {
    const e = this.current;
    this.findings.push({
      blockNumber: e.blockNumber,
      logIndex: e.logIndex,
      transactionHash: e.transactionHash,
      message,
    });
  }
}

/** Distinct members who took part, on any side. */
export function voters(t: Tally): bigint {
  return t.forVoters + t.againstVoters + t.abstainVoters;
}

/** Plain words for a schedule. */
export function describeSchedule(s: Schedule): string {
  return `${s.creditsPerEpoch} credits every ${s.epochLength}s, cap ${s.maxBalance}`;
}

export { proposalDeadline };

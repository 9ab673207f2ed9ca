/**
 * Cross-checks: every figure the replay rebuilt, compared with what the chain's view functions answer at a
 * block. The expected side always comes from the replay (events + rules); the chain only ever answers.
 */
import { Interface, ZeroAddress, getAddress, type Result } from "ethers";

import { EntryStatus } from "../../lib/rules/patronage.ts";
import { COOP_CONTRACTS, type CoopAbis, type CoopContract } from "../../lib/replay/events.ts";
import { type Replay } from "../../lib/replay/model.ts";
import { proposalStates } from "../../lib/format.ts";
import { currentEpoch, lowestCap, proposalDeadline, type Schedule } from "../../lib/rules/governance.ts";
import { RpcError, type JsonRpc } from "../../lib/chain/rpc.ts";

/** A figure on which the replay and the chain disagree. */
export interface Mismatch {
  /** The view call and the field, e.g. `VoiceCredits.balanceOf(0xAb…).balance`. */
  subject: string;
  block: number;
  rebuilt: string;
  chain: string;
}

type Value = bigint | number | boolean | string;

/** Whether an error means the node keeps no state for that block (not an archive node). */
export function isMissingHistoricalState(error: unknown): boolean {
  return (
    error instanceof RpcError &&
    /missing trie node|historical state|state.*(not available|unavailable|pruned)|pruned|header not found|unknown block|not (an )?archive|state histor/i.test(
      error.message,
    )
  );
}

/** Calls view functions of the co-op's contracts at a block. */
export class ChainReader {
  readonly rpc: JsonRpc;
  readonly addresses: Partial<Record<CoopContract, string>>;
  private readonly ifaces: Record<CoopContract, Interface>;

  constructor(rpc: JsonRpc, addresses: Partial<Record<CoopContract, string>>, abis: CoopAbis) {
    this.rpc = rpc;
    this.addresses = addresses;
    this.ifaces = Object.fromEntries(COOP_CONTRACTS.map((c) => [c, new Interface(abis[c])])) as Record<
      CoopContract,
      Interface
    >;
  }

  outputs(contract: CoopContract, fn: string): string[] {
    const f = this.ifaces[contract].getFunction(fn);
    if (f === null) throw new Error(`${contract} has no function ${fn}`);
    // A single struct output (e.g. a Schedule) is compared field by field.
    const outputs = f.outputs.length === 1 && f.outputs[0].components !== null ? f.outputs[0].components : f.outputs;
    return outputs.map((o, i) => o.name || String(i));
  }

  async call(contract: CoopContract, fn: string, args: readonly unknown[], block: number): Promise<Result> {
    const iface = this.ifaces[contract];
    const to = this.addresses[contract];
    if (to === undefined) throw new Error(`the deployment has no ${contract}`);
    const data = iface.encodeFunctionData(fn, args);
    const raw = await this.rpc.send<string>("eth_call", [{ to, data }, `0x${block.toString(16)}`]);
    return iface.decodeFunctionResult(fn, raw);
  }

  /** The balance of `holder` in `token` at the block: ETH for the zero address, else the ERC-20's `balanceOf`. */
  async tokenBalance(token: string, holder: string, block: number): Promise<bigint> {
    if (BigInt(token) === 0n) return this.balance(holder, block);
    const data = ERC20.encodeFunctionData("balanceOf", [holder]);
    const raw = await this.rpc.send<string>("eth_call", [{ to: token, data }, `0x${block.toString(16)}`]);
    return ERC20.decodeFunctionResult("balanceOf", raw)[0] as bigint;
  }

  async balance(address: string, block: number): Promise<bigint> {
    return BigInt(await this.rpc.send<string>("eth_getBalance", [address, `0x${block.toString(16)}`]));
  }
}

const ERC20 = new Interface(["function balanceOf(address) view returns (uint256)"]);

function show(v: unknown): string {
  if (typeof v === "string" && /^0x[0-9a-fA-F]{40}$/.test(v)) return getAddress(v);
  return String(v);
}

function same(a: unknown, b: unknown): boolean {
  if (typeof a === "string" && typeof b === "string") return a.toLowerCase() === b.toLowerCase();
  if ((typeof a === "bigint" || typeof a === "number") && (typeof b === "bigint" || typeof b === "number")) {
    return BigInt(a) === BigInt(b);
  }
  return a === b;
}

/** Runs comparisons at one block, a few calls at a time, and collects the mismatches. */
export class Checker {
  readonly block: number;
  checks = 0;
  readonly mismatches: Mismatch[] = [];
  private readonly reader: ChainReader;
  /** Queued comparisons; each reports into its own list, so the mismatches come out in the order they were queued. */
  private readonly queue: ((out: Mismatch[]) => Promise<void>)[] = [];

  constructor(reader: ChainReader, block: number) {
    this.reader = reader;
    this.block = block;
  }

  /** Expects `contract.fn(args)` at the block to return `expected` (one value per output, in order; undefined: any). */
  expect(contract: CoopContract, fn: string, args: readonly unknown[], expected: readonly (Value | undefined)[]): void {
    const subject = `${contract}.${fn}(${args.map(show).join(", ")})`;
    this.queue.push(async (out) => {
      let result = await this.reader.call(contract, fn, args, this.block);
      const names = this.reader.outputs(contract, fn);
      if (result.length === 1 && names.length > 1) result = result[0] as Result;
      expected.forEach((value, i) => {
        if (value === undefined) return;
        this.compare(names.length > 1 ? `${subject}.${names[i]}` : subject, value, result[i], out);
      });
    });
  }

  /** Expects the ETH balance of `address` at the block. */
  expectBalance(subject: string, address: string, expected: bigint): void {
    this.queue.push(async (out) =>
      this.compare(subject, expected, await this.reader.balance(address, this.block), out),
    );
  }

  /** Expects the balance of `holder` in `token` to be at least `owed` (what the pots still hold). */
  expectAtLeast(subject: string, token: string, holder: string, owed: bigint): void {
    this.queue.push(async (out) => {
      const balance = await this.reader.tokenBalance(token, holder, this.block);
      this.record(subject, balance >= owed, `at least ${owed}`, String(balance), out);
    });
  }

  /** Records a comparison that is not an equality: `ok` says whether the chain's figure obeys the rule. */
  record(subject: string, ok: boolean, rebuilt: string, chain: string, out: Mismatch[] = this.mismatches): void {
    this.checks++;
    if (!ok) out.push({ subject, block: this.block, rebuilt, chain });
  }

  compare(subject: string, rebuilt: unknown, chain: unknown, out: Mismatch[] = this.mismatches): void {
    this.checks++;
    if (!same(rebuilt, chain)) out.push({ subject, block: this.block, rebuilt: show(rebuilt), chain: show(chain) });
  }

  /** Runs every queued comparison, `concurrency` at a time. */
  async run(concurrency = 8): Promise<void> {
    const queue = this.queue.splice(0);
    let next = 0;
    // Calls finish in any order; each comparison's mismatches are kept apart and joined in queue order, so a report
    // lists them the same way every run.
    const found: Mismatch[][] = queue.map(() => []);
    const worker = async () => {
      while (next < queue.length) {
        const i = next++;
        await queue[i](found[i]);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
    this.mismatches.push(...found.flat());
  }
}

const scheduleFields = (s: Schedule): Value[] => [
  s.start,
  s.firstEpoch,
  s.epochLength,
  s.creditsPerEpoch,
  s.maxBalance,
];

/** Every figure of the model at the head block `block` (time `timestamp`). */
export function queueHeadChecks(c: Checker, replay: Replay, timestamp: number): void {
  // Membership.
  c.expect("MembershipCard", "memberCount", [], [replay.memberCount()]);
  c.expect("MembershipCard", "cardsIssued", [], [replay.lastCardId]);
  for (const [cardId, holder] of replay.cards) {
    c.expect("MembershipCard", "holderOf", [cardId], [holder ?? ZeroAddress]);
    c.expect("MembershipCard", "personOf", [cardId], [replay.persons.personOf(cardId)]);
  }
  for (const m of replay.members.values()) {
    const member = m.since !== 0;
    c.expect("MembershipCard", "isMember", [m.address], [member]);
    c.expect("MembershipCard", "cardOf", [m.address], [member ? m.cardId : 0n]);
    c.expect("MembershipCard", "memberSince", [m.address], [m.since]);
    c.expect("MembershipCard", "pastStintCount", [m.address], [m.pastStints]);
    c.expect("VoiceCredits", "balanceOf", [m.address], [replay.balanceAt(m.address, timestamp)]);
    c.expect(
      "VoiceCredits",
      "accountOf",
      [m.address],
      [m.stored.balance, m.stored.epoch, m.stored.since, m.stored.cardId],
    );
  }
  const times = new Set<number>();
  for (const h of replay.memberCountHistory) if (h.timestamp < timestamp) times.add(h.timestamp);
  for (const p of replay.proposals.values()) if (p.voteStart < timestamp) times.add(p.voteStart);
  for (const t of times) c.expect("MembershipCard", "memberCountAt", [t], [replay.memberCountAt(t)]);

  // Credits.
  c.expect("VoiceCredits", "heldDeposits", [], [replay.heldDeposits]);
  c.expect(
    "VoiceCredits",
    "balanceOf",
    [replay.addresses.MutualGovernor],
    [replay.heldBy(replay.addresses.MutualGovernor)],
  );
  for (const [former, held] of replay.formerGovernorHeld) {
    c.expect("VoiceCredits", "formerGovernorHeld", [former], [held]);
  }
  c.expect("VoiceCredits", "governor", [], [replay.creditsGovernor]);
  c.expect("VoiceCredits", "scheduleCount", [], [replay.schedules.length]);
  replay.schedules.forEach((s, i) => c.expect("VoiceCredits", "scheduleAt", [i], scheduleFields(s)));
  c.expect("VoiceCredits", "currentEpoch", [], [currentEpoch(replay.schedules, timestamp)]);
  c.expect("VoiceCredits", "lowestCap", [], [lowestCap(replay.schedules, timestamp)]);
  for (const contract of ["MembershipCard", "VoiceCredits"] as const) {
    const owner = replay.owners.get(contract);
    if (owner !== undefined) c.expect(contract, "owner", [], [owner]);
  }

  // Governor parameters.
  const g = replay.params;
  c.expect("MutualGovernor", "votingDelay", [], [g.votingDelay]);
  c.expect("MutualGovernor", "votingPeriod", [], [g.votingPeriod]);
  c.expect("MutualGovernor", "quorumFraction", [], [g.quorumBps]);
  for (const q of replay.quorumHistory) {
    // The fraction from each change on, and the one in force the second before it.
    for (const t of [q.timestamp - 1, q.timestamp]) {
      if (t >= 0) c.expect("MutualGovernor", "quorumFractionAt", [t], [replay.quorumFractionAt(t)]);
    }
  }
  c.expect("MutualGovernor", "proposalDeposit", [], [g.proposalDeposit]);
  c.expect("MutualGovernor", "lateQuorumVoteExtension", [], [g.lateQuorumExtension]);
  c.expect("MutualGovernor", "timelock", [], [g.timelock]);
  c.expect("MutualGovernor", "proposalCount", [], [replay.proposals.size]);
  c.expect("TimelockController", "getMinDelay", [], [replay.timelockMinDelay]);

  // Proposals.
  for (const p of replay.proposalList()) {
    const id = p.id;
    const t = p.tally;
    c.expect("MutualGovernor", "proposalIdAt", [p.number - 1], [id]);
    c.expect("MutualGovernor", "state", [id], [proposalStates.indexOf(replay.stateOf(p, timestamp))]);
    c.expect("MutualGovernor", "proposalSnapshot", [id], [p.voteStart]);
    c.expect(
      "MutualGovernor",
      "proposalDeadline",
      [id],
      [proposalDeadline({ voteEnd: p.voteEnd, extendedDeadline: t.extendedDeadline })],
    );
    c.expect("MutualGovernor", "proposalProposer", [id], [p.proposer]);
    c.expect("MutualGovernor", "proposalEta", [id], [p.eta]);
    c.expect(
      "MutualGovernor",
      "proposalTally",
      [id],
      [t.forVotes, t.againstVotes, t.forVoters, t.againstVoters, t.abstainVoters, replay.quorumOf(p, timestamp)],
    );
    c.expect("MutualGovernor", "proposalVotes", [id], [t.againstVotes, t.forVotes, t.abstainVoters]);
    // quorum(t) at the snapshot is the rule of that time, as a Governor client reads it.
    if (p.voteStart < timestamp) c.expect("MutualGovernor", "quorum", [p.voteStart], [replay.quorumAt(p.voteStart)]);
    c.expect("MutualGovernor", "proposalTerms", [id], [p.quorumBps, p.deposit, p.settlement !== null, p.proposerCard]);
    for (const [voter, r] of p.receipts) {
      c.expect("MutualGovernor", "receiptOf", [id, voter], [true, r.support, r.votes, r.votes * r.votes]);
      c.expect("MutualGovernor", "ballotNonce", [id, voter], [r.ballots]);
      c.expect("MembershipCard", "wasMemberAt", [voter, p.voteStart], [true]);
    }
  }

  // Timelock operations.
  for (const op of replay.operations.values()) {
    const done = op.calls.length > 0 && op.executedCalls === op.calls.length;
    c.expect("TimelockController", "getTimestamp", [op.id], [done ? 1 : op.cancelled ? 0 : op.readyAt]);
  }
}

/** A compact picture of the model at an earlier block, taken during the replay, checked afterwards. */
export interface HistoricalSnapshot {
  block: number;
  timestamp: number;
  memberCount: bigint;
  cardsIssued: bigint;
  heldDeposits: bigint;
  proposalCount: number;
  balances: [string, bigint][];
  /** Per proposal: its state number and its proposalTally fields at that block. */
  proposals: [bigint, number, bigint[]][];
  patronage: PatronageSnapshot;
}

export function takeSnapshot(replay: Replay, block: number, timestamp: number): HistoricalSnapshot {
  return {
    block,
    timestamp,
    memberCount: replay.memberCount(),
    cardsIssued: replay.lastCardId,
    heldDeposits: replay.heldDeposits,
    proposalCount: replay.proposals.size,
    balances: [...replay.members.values()].map((m) => [m.address, replay.balanceAt(m.address, timestamp)]),
    proposals: [...replay.proposals.values()].map((p) => [
      p.id,
      proposalStates.indexOf(replay.stateOf(p, timestamp)),
      [
        p.tally.forVotes,
        p.tally.againstVotes,
        p.tally.forVoters,
        p.tally.againstVoters,
        p.tally.abstainVoters,
        replay.quorumOf(p, timestamp),
      ],
    ]),
    patronage: takePatronageSnapshot(replay),
  };
}

export function queueHistoricalChecks(c: Checker, s: HistoricalSnapshot): void {
  c.expect("MembershipCard", "memberCount", [], [s.memberCount]);
  c.expect("MembershipCard", "cardsIssued", [], [s.cardsIssued]);
  c.expect("VoiceCredits", "heldDeposits", [], [s.heldDeposits]);
  c.expect("MutualGovernor", "proposalCount", [], [s.proposalCount]);
  for (const [address, balance] of s.balances) c.expect("VoiceCredits", "balanceOf", [address], [balance]);
  for (const [id, state, tally] of s.proposals) {
    c.expect("MutualGovernor", "state", [id], [state]);
    c.expect("MutualGovernor", "proposalTally", [id], tally);
  }
  queuePatronageHistoricalChecks(c, s.patronage);
}

const MAX_UINT128 = (1n << 128n) - 1n;

/** What `PatronageDistributor` should hold of `token` (the pots' amounts less what was claimed and swept). */
export function heldSubject(token: string): string {
  return BigInt(token) === 0n
    ? "PatronageDistributor ETH balance, at least the pots less claims and sweeps"
    : `PatronageDistributor balance of ${getAddress(token)}, at least the pots less claims and sweeps`;
}

/** Every patronage figure of the model at the head block (time `timestamp`): ledger, finalizations, pots, claims. */
export function queuePatronageHeadChecks(c: Checker, replay: Replay, timestamp: number): void {
  const r = replay.patronage;
  const { ContributionLedger: ledger, PatronageDistributor: distributor } = replay.addresses;
  if (ledger !== undefined && r.settings !== null) {
    const s = r.settings;
    c.expect("ContributionLedger", "membershipCard", [], [s.card]);
    c.expect("ContributionLedger", "firstPeriodStart", [], [s.start]);
    c.expect("ContributionLedger", "periodLength", [], [s.periodLength]);
    c.expect("ContributionLedger", "reviewWindow", [], [s.reviewWindow]);
    c.expect("ContributionLedger", "attestationThreshold", [], [r.threshold]);
    c.expect("ContributionLedger", "entryCount", [], [r.ledger.entries.size]);
    c.expect("ContributionLedger", "currentPeriod", [], [r.periodAt(timestamp) ?? 0n]);
    const owner = replay.owners.get("ContributionLedger");
    if (owner !== undefined) c.expect("ContributionLedger", "owner", [], [owner]);
    for (const e of r.ledger.entries.values()) {
      c.expect(
        "ContributionLedger",
        "entry",
        [e.id],
        [e.cardId, e.period, e.units, e.threshold, e.attesters.length, EntryStatus[e.status], e.person],
      );
      for (const card of e.attesters) c.expect("ContributionLedger", "hasAttested", [e.id, card], [true]);
    }
    for (const { period, cardId } of r.periodCards()) {
      c.expect("ContributionLedger", "validatedUnits", [period, cardId], [r.unitsOf(period, cardId)]);
    }
    for (const period of r.periods()) {
      const t = r.periodTimes(period)!;
      const totals = r.periodTotals(period);
      c.expect("ContributionLedger", "periodTotals", [period], [totals.units, totals.contributors]);
      c.expect("ContributionLedger", "periodTimes", [period], [t.start, t.end, t.reviewEnd]);
    }
  }
  if (distributor === undefined || !r.distributorSeen) return;
  c.expect("PatronageDistributor", "ledger", [], [ledger ?? ZeroAddress]);
  c.expect("PatronageDistributor", "payRatio", [], [r.payRatio()]);
  c.expect("PatronageDistributor", "claimWindow", [], [r.claimWindow]);
  c.expect("PatronageDistributor", "potCount", [], [r.pots.size]);
  const owner = replay.owners.get("PatronageDistributor");
  if (owner !== undefined) c.expect("PatronageDistributor", "owner", [], [owner]);
  for (const period of r.periods()) {
    if (r.settings !== null) c.expect("PatronageDistributor", "payRatioOf", [period], [r.ratioOf(period)]);
    const f = r.finalizations.get(period);
    c.expect(
      "PatronageDistributor",
      "finalization",
      [period],
      f === undefined
        ? [0n, 0n, 0n, 0n, false, 0n]
        : [f.minUnits, f.submitted, f.generation, f.ratio, f.figures !== null, f.cappedSum],
    );
  }
  for (const p of r.pots.values()) {
    c.expect(
      "PatronageDistributor",
      "pot",
      [p.id],
      [
        p.token,
        p.deadline,
        p.period,
        p.swept !== null,
        p.amount,
        p.claimed,
        p.figures.unitCap < MAX_UINT128 ? p.figures.unitCap : MAX_UINT128,
        p.figures.cappedSum,
        p.maxShare,
      ],
    );
    for (const cardId of r.ledger.periodUnits(p.period).keys()) {
      const share = r.shareOf(p, cardId);
      const claimed = p.claims.has(cardId);
      c.expect("PatronageDistributor", "shareOf", [p.id, cardId], [share]);
      c.expect("PatronageDistributor", "hasClaimed", [p.id, cardId], [claimed]);
      const holder = replay.cards.get(cardId);
      if (holder !== undefined && holder !== null) {
        const open = timestamp <= p.deadline;
        c.expect("PatronageDistributor", "claimable", [p.id, holder], [open && !claimed ? share : 0n]);
      }
    }
    // What each claim paid (its event) against the share the rules give, and all of them against the pot.
    for (const claim of p.claims.values()) {
      c.record(
        `PatronageDistributor.PatronageClaimed(${p.id}, ${claim.cardId}).amount at block ${claim.blockNumber}, the card's share`,
        claim.amount === claim.share,
        String(claim.share),
        String(claim.amount),
      );
    }
    c.record(
      `PatronageDistributor pot ${p.id}: claims paid, never above the pot`,
      p.paid <= p.amount,
      `at most ${p.amount}`,
      String(p.paid),
    );
  }
  for (const token of r.tokens()) c.expectAtLeast(heldSubject(token), token, distributor, r.owed(token));
}

/** The patronage figures of an earlier block (null parts: the contract did not exist yet). */
export interface PatronageSnapshot {
  entryCount: number | null;
  totals: [bigint, bigint, number][];
  units: [bigint, bigint, bigint][];
  distributor: string | null;
  potCount: number;
  /** Per pot: claimed (rebuilt shares) and swept. */
  pots: [bigint, bigint, boolean][];
  owed: [string, bigint][];
}

export function takePatronageSnapshot(replay: Replay): PatronageSnapshot {
  const r = replay.patronage;
  const ledger = replay.addresses.ContributionLedger !== undefined && r.settings !== null;
  const distributor = replay.addresses.PatronageDistributor;
  return {
    entryCount: ledger ? r.ledger.entries.size : null,
    totals: ledger
      ? r.periods().map((p) => {
          const t = r.periodTotals(p);
          return [p, t.units, t.contributors];
        })
      : [],
    units: ledger ? r.periodCards().map(({ period, cardId }) => [period, cardId, r.unitsOf(period, cardId)]) : [],
    distributor: distributor !== undefined && r.distributorSeen ? distributor : null,
    potCount: r.pots.size,
    pots: [...r.pots.values()].map((p) => [p.id, p.claimed, p.swept !== null]),
    owed: r.tokens().map((t) => [t, r.owed(t)]),
  };
}

export function queuePatronageHistoricalChecks(c: Checker, s: PatronageSnapshot): void {
  if (s.entryCount !== null) {
    c.expect("ContributionLedger", "entryCount", [], [s.entryCount]);
    for (const [period, units, contributors] of s.totals) {
      c.expect("ContributionLedger", "periodTotals", [period], [units, contributors]);
    }
    for (const [period, cardId, units] of s.units) {
      c.expect("ContributionLedger", "validatedUnits", [period, cardId], [units]);
    }
  }
  if (s.distributor === null) return;
  c.expect("PatronageDistributor", "potCount", [], [s.potCount]);
  for (const [id, claimed, swept] of s.pots) {
    c.expect("PatronageDistributor", "pot", [id], [undefined, undefined, undefined, swept, undefined, claimed]);
  }
  for (const [token, owed] of s.owed) c.expectAtLeast(heldSubject(token), token, s.distributor, owed);
}

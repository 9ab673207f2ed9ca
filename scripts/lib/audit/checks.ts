/**
 * Cross-checks: every figure the replay rebuilt, compared with what the chain's view functions answer at a
 * block. The expected side always comes from the replay (events + rules); the chain only ever answers.
 */
import { Interface, ZeroAddress, getAddress, type Result } from "ethers";

import { COOP_CONTRACTS, type CoopAbis, type CoopContract } from "../../../lib/replay/events.ts";
import { type Replay } from "../../../lib/replay/model.ts";
import { PROPOSAL_STATES, currentEpoch, proposalDeadline, type Schedule } from "../../../lib/replay/rules.ts";
import { RpcError, type JsonRpc } from "./rpc.ts";

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
  readonly addresses: Record<CoopContract, string>;
  private readonly ifaces: Record<CoopContract, Interface>;

  constructor(rpc: JsonRpc, addresses: Record<CoopContract, string>, abis: CoopAbis) {
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
    const data = iface.encodeFunctionData(fn, args);
    const raw = await this.rpc.send<string>("eth_call", [
      { to: this.addresses[contract], data },
      `0x${block.toString(16)}`,
    ]);
    return iface.decodeFunctionResult(fn, raw);
  }

  async balance(address: string, block: number): Promise<bigint> {
    return BigInt(await this.rpc.send<string>("eth_getBalance", [address, `0x${block.toString(16)}`]));
  }
}

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
  private readonly queue: (() => Promise<void>)[] = [];

  constructor(reader: ChainReader, block: number) {
    this.reader = reader;
    this.block = block;
  }

  /** Expects `contract.fn(args)` at the block to return `expected` (one value per output, in order). */
  expect(contract: CoopContract, fn: string, args: readonly unknown[], expected: readonly Value[]): void {
    const subject = `${contract}.${fn}(${args.map(show).join(", ")})`;
    this.queue.push(async () => {
      let result = await this.reader.call(contract, fn, args, this.block);
      const names = this.reader.outputs(contract, fn);
      if (result.length === 1 && names.length > 1) result = result[0] as Result;
      expected.forEach((value, i) => {
        this.compare(names.length > 1 ? `${subject}.${names[i]}` : subject, value, result[i]);
      });
    });
  }

  /** Expects the ETH balance of `address` at the block. */
  expectBalance(subject: string, address: string, expected: bigint): void {
    this.queue.push(async () => this.compare(subject, expected, await this.reader.balance(address, this.block)));
  }

  /** Records a comparison that is not an equality: `ok` says whether the chain's figure obeys the rule. */
  record(subject: string, ok: boolean, rebuilt: string, chain: string): void {
    this.checks++;
    if (!ok) this.mismatches.push({ subject, block: this.block, rebuilt, chain });
  }

  compare(subject: string, rebuilt: unknown, chain: unknown): void {
    this.checks++;
    if (!same(rebuilt, chain))
      this.mismatches.push({ subject, block: this.block, rebuilt: show(rebuilt), chain: show(chain) });
  }

  /** Runs every queued comparison, `concurrency` at a time. */
  async run(concurrency = 8): Promise<void> {
    const queue = this.queue.splice(0);
    let next = 0;
    const worker = async () => {
      while (next < queue.length) await queue[next++]();
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
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
  for (const [cardId, holder] of replay.cards)
    c.expect("MembershipCard", "holderOf", [cardId], [holder ?? ZeroAddress]);
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
  c.expect("VoiceCredits", "balanceOf", [replay.addresses.MutualGovernor], [replay.heldDeposits]);
  c.expect("VoiceCredits", "governor", [], [replay.creditsGovernor]);
  c.expect("VoiceCredits", "scheduleCount", [], [replay.schedules.length]);
  replay.schedules.forEach((s, i) => c.expect("VoiceCredits", "scheduleAt", [i], scheduleFields(s)));
  c.expect("VoiceCredits", "currentEpoch", [], [currentEpoch(replay.schedules, timestamp)]);
  for (const contract of ["MembershipCard", "VoiceCredits"] as const) {
    const owner = replay.owners.get(contract);
    if (owner !== undefined) c.expect(contract, "owner", [], [owner]);
  }

  // Governor parameters.
  const g = replay.params;
  c.expect("MutualGovernor", "votingDelay", [], [g.votingDelay]);
  c.expect("MutualGovernor", "votingPeriod", [], [g.votingPeriod]);
  c.expect("MutualGovernor", "quorumFraction", [], [g.quorumBps]);
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
    c.expect("MutualGovernor", "state", [id], [PROPOSAL_STATES.indexOf(replay.stateOf(p, timestamp))]);
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
      PROPOSAL_STATES.indexOf(replay.stateOf(p, timestamp)),
      [
        p.tally.forVotes,
        p.tally.againstVotes,
        p.tally.forVoters,
        p.tally.againstVoters,
        p.tally.abstainVoters,
        replay.quorumOf(p, timestamp),
      ],
    ]),
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
}

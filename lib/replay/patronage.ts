/**
 * The patronage part of the replay: the contribution ledger and the patronage distributor rebuilt from their events.
 *
 * The ledger's state (entries, attestations, validated units per card and per period) is `LedgerModel` of
 * `lib/rules/patronage.ts`, and every share is recomputed with the same module's `periodFigures`, `maxShare` and `shareOf`:
 * one copy of the rules for the seeds, the tests, the auditor and the app. What an event carries as the contract's
 * own conclusion (a validated card's units, a period's figures, a pot's largest share and deadline, a sweep) is
 * compared with the recomputed figure, and each disagreement is a finding; the model keeps the recomputed figure.
 * A claim's amount is what the distributor paid: it is kept beside the rebuilt share, and the audit reports a claim
 * that differs from its share, or claims that add up to more than their pot, as mismatches.
 */
import { ZeroAddress, getAddress } from "ethers";

import {
  EntryStatus,
  LedgerModel,
  maxShare,
  periodFigures,
  shareOf,
  type LedgerEntry,
  type PeriodFigures,
} from "../rules/patronage.ts";
import { big, num, str } from "./args.ts";
import type { EventArg, ReplayEvent } from "./events.ts";

/** The ledger's fixed settings, from `ContributionLedgerConfigured`. */
export interface LedgerSettings {
  card: string;
  /** When period 0 began. */
  start: number;
  periodLength: number;
  reviewWindow: number;
}

/** Where and when an entry was recorded, validated and voided (the rest of it is the ledger model's `LedgerEntry`). */
export interface EntryEvents {
  recordedBlock: number;
  recordedAt: number;
  transactionHash: string;
  validatedBlock: number | null;
  validatedAt: number | null;
  voidedBlock: number | null;
  voidedAt: number | null;
}

/** A period's finalization, as its events progressed and the rules recompute it. */
export interface FinalizationRecord {
  period: bigint;
  /** From `FinalizationProgressed`: the pass and how many were submitted in it (the cards are in the calldata). */
  generation: bigint;
  submitted: bigint;
  /** The pass's smallest units and capped sum so far (from `FinalizationProgressed` until the period is final). */
  minUnits: bigint;
  cappedSum: bigint;
  /** The ratio the period is shared by: the one in force at its last second (rebuilt from `PayRatioSet`). */
  ratio: bigint;
  /** Recomputed from the validated units when `PeriodFinalized` is seen; null before. */
  figures: PeriodFigures | null;
  finalizedBlock: number | null;
  finalizedAt: number | null;
}

/** One claim: what the distributor paid (`PatronageClaimed`) and the share the rules give. */
export interface ClaimRecord {
  potId: bigint;
  cardId: bigint;
  member: string;
  amount: bigint;
  share: bigint;
  blockNumber: number;
  timestamp: number;
  transactionHash: string;
}

export interface SweepRecord {
  treasury: string;
  /** What the rules leave in the pot: its amount less the rebuilt shares claimed. */
  amount: bigint;
  blockNumber: number;
  timestamp: number;
  transactionHash: string;
}

export interface PotRecord {
  id: bigint;
  period: bigint;
  /** Zero for ETH. */
  token: string;
  /** What the distributor received (`PotAllocated`). */
  amount: bigint;
  /** Allocation time + the claim window in force. */
  deadline: number;
  /** The period's figures, recomputed. */
  figures: PeriodFigures;
  /** min(R·⌊P·u_min/S⌋, P), recomputed. */
  maxShare: bigint;
  allocatedBlock: number;
  allocatedAt: number;
  transactionHash: string;
  /** Card → its claim. */
  claims: Map<bigint, ClaimRecord>;
  /** The rebuilt shares of the cards that claimed. */
  claimed: bigint;
  /** What the claims paid (from the events). */
  paid: bigint;
  swept: SweepRecord | null;
}

/** What the patronage replay needs of the rest of the replay. */
export interface PatronageContext {
  finding(message: string): void;
  parameter(name: string, from: string, to: string): void;
  /** The holder of card `cardId` now (null once given back, undefined if never issued). */
  holderOf(cardId: bigint): string | null | undefined;
  /** The person of card `cardId` (0 if never issued), rebuilt from the register's events. */
  personOf(cardId: bigint): bigint;
  /** The owner of a co-op contract (`OwnershipTransferred`). */
  ownerOf(contract: "PatronageDistributor"): string | undefined;
}

const MAX_UNITS = (1n << 64n) - 1n;

/** Rebuilds the ledger and the distributor; `Replay` hands it their events. */
export class PatronageReplay {
  settings: LedgerSettings | null = null;
  /** Attestations needed by entries recorded from now on. */
  threshold = 0n;
  readonly ledger: LedgerModel;
  readonly entryEvents = new Map<bigint, EntryEvents>();
  /** Pay ratio checkpoints: [time, ratio], one per time (as a Checkpoints.Trace208). */
  readonly ratios: { timestamp: number; ratio: bigint }[] = [];
  claimWindow = 0n;
  readonly finalizations = new Map<bigint, FinalizationRecord>();
  readonly pots = new Map<bigint, PotRecord>();
  /** Whether the distributor has emitted anything yet (its constructor sets the ratio): it exists. */
  distributorSeen = false;

  private readonly ctx: PatronageContext;
  private current!: ReplayEvent;
  /** An attestation that made its entry count: `ContributionValidated` must follow in the same transaction. */
  private expectedValidation: { entryId: bigint; tx: string } | null = null;

  constructor(ctx: PatronageContext) {
    this.ctx = ctx;
    this.ledger = new LedgerModel(ctx.personOf);
  }

  /** Called with every event of the co-op before it is applied: checks what must follow an attestation. */
  before(e: ReplayEvent): void {
    const x = this.expectedValidation;
    if (x !== null && !(e.name === "ContributionValidated" && e.transactionHash === x.tx)) {
      this.expectedValidation = null;
      this.ctx.finding(`entry ${x.entryId} reached its threshold, but no ContributionValidated says so`);
    }
  }

  close(): void {
    const x = this.expectedValidation;
    this.expectedValidation = null;
    if (x !== null) this.ctx.finding(`entry ${x.entryId} reached its threshold, but no ContributionValidated says so`);
  }

  apply(e: ReplayEvent): void {
    this.current = e;
    const a = e.args;
    switch (`${e.contract}.${e.name}`) {
      case "ContributionLedger.ContributionLedgerConfigured":
        return this.configured(str(a.card), num(a.start), num(a.periodLength), num(a.reviewWindow));
      case "ContributionLedger.AttestationThresholdSet":
        return this.thresholdSet(big(a.oldThreshold), big(a.newThreshold));
      case "ContributionLedger.ContributionRecorded":
        return this.recorded(a);
      case "ContributionLedger.ContributionAttested":
        return this.attested(big(a.entryId), big(a.cardId), str(a.attester), big(a.attestations));
      case "ContributionLedger.ContributionValidated":
        return this.validated(a);
      case "ContributionLedger.ContributionVoided":
        return this.voided(big(a.entryId), big(a.period), big(a.cardId), big(a.unitsRemoved), str(a.reason));
      case "PatronageDistributor.PayRatioSet":
        return this.payRatioSet(big(a.oldRatio), big(a.newRatio));
      case "PatronageDistributor.ClaimWindowSet":
        return this.claimWindowSet(big(a.oldWindow), big(a.newWindow));
      case "PatronageDistributor.FinalizationProgressed":
        return this.progressed(big(a.period), big(a.generation), big(a.submitted), big(a.minUnits), big(a.cappedSum));
      case "PatronageDistributor.PeriodFinalized":
        return this.finalized(a);
      case "PatronageDistributor.PotAllocated":
        return this.allocated(a);
      case "PatronageDistributor.PatronageClaimed":
        return this.claimed(big(a.potId), big(a.cardId), str(a.member), big(a.amount));
      case "PatronageDistributor.PotSwept":
        return this.swept(big(a.potId), str(a.treasury), big(a.amount));
      default:
        return;
    }
  }

  // ------------------------------------------------------------------------------------------------
  // Reading the model
  // ------------------------------------------------------------------------------------------------

  /** When `period` starts, closes and its review ends; null before the ledger is configured. */
  periodTimes(period: bigint): { start: number; end: number; reviewEnd: number } | null {
    const s = this.settings;
    if (s === null) return null;
    const start = s.start + Number(period) * s.periodLength;
    return { start, end: start + s.periodLength, reviewEnd: start + s.periodLength + s.reviewWindow };
  }

  /** The period in progress at `timestamp` (null before the ledger exists). */
  periodAt(timestamp: number): bigint | null {
    const s = this.settings;
    if (s === null || timestamp < s.start) return null;
    return BigInt(Math.floor((timestamp - s.start) / s.periodLength));
  }

  /** The pay ratio in force now (0 before the distributor exists). */
  payRatio(): bigint {
    return this.ratios.at(-1)?.ratio ?? 0n;
  }

  /** The pay ratio at `timestamp`: the last set at or before it, or the first one before any was set. */
  ratioAt(timestamp: number): bigint {
    const r = this.ratios;
    for (let i = r.length - 1; i >= 0; i--) if (r[i].timestamp <= timestamp) return r[i].ratio;
    return r[0]?.ratio ?? 0n;
  }

  /**
   * The pay ratio of `period`: the one in force strictly before it closes, at its last second `end - 1`. A change
   * made at the closing second belongs to the next period (as `PatronageDistributor.payRatioOf`).
   */
  ratioOf(period: bigint): bigint {
    const t = this.periodTimes(period);
    return t === null ? 0n : this.ratioAt(t.end - 1);
  }

  /** Validated units of card `cardId` in `period`. */
  unitsOf(period: bigint, cardId: bigint): bigint {
    return this.ledger.units.get(period)?.get(cardId) ?? 0n;
  }

  /** Validated units of all cards in `period`, and how many cards have some. */
  periodTotals(period: bigint): { units: bigint; contributors: number } {
    return { units: this.ledger.periodTotal(period), contributors: this.ledger.periodUnits(period).size };
  }

  /** Every period an entry, a finalization or a pot names, in order. */
  periods(): bigint[] {
    const set = new Set<bigint>();
    for (const e of this.ledger.entries.values()) set.add(e.period);
    for (const p of this.finalizations.keys()) set.add(p);
    for (const p of this.pots.values()) set.add(p.period);
    return [...set].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  }

  /** Every (period, card) pair an entry names: the validated units the audit checks. */
  periodCards(): { period: bigint; cardId: bigint }[] {
    const seen = new Set<string>();
    const out: { period: bigint; cardId: bigint }[] = [];
    for (const e of this.ledger.entries.values()) {
      const key = `${e.period}:${e.cardId}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ period: e.period, cardId: e.cardId });
    }
    return out;
  }

  /** Card `cardId`'s share of pot `pot`, recomputed from its validated units and the period's figures. */
  shareOf(pot: PotRecord, cardId: bigint): bigint {
    return shareOf(pot.amount, this.unitsOf(pot.period, cardId), pot.figures);
  }

  /** What the distributor should still hold of `token`: every pot's amount less its rebuilt claims, unless swept. */
  owed(token: string): bigint {
    let total = 0n;
    for (const p of this.pots.values()) if (same(p.token, token) && p.swept === null) total += p.amount - p.claimed;
    return total;
  }

  /** The tokens pots were allocated in (ETH as the zero address). */
  tokens(): string[] {
    return [...new Set([...this.pots.values()].map((p) => getAddress(p.token)))];
  }

  // ------------------------------------------------------------------------------------------------
  // Ledger
  // ------------------------------------------------------------------------------------------------

  private configured(card: string, start: number, periodLength: number, reviewWindow: number): void {
    if (this.settings !== null) this.ctx.finding("ContributionLedgerConfigured a second time");
    if (start !== this.current.timestamp) {
      this.ctx.finding(
        `the ledger's first period starts at ${start}, not at its deployment (${this.current.timestamp})`,
      );
    }
    this.settings = { card: getAddress(card), start: this.current.timestamp, periodLength, reviewWindow };
  }

  private thresholdSet(from: bigint, to: bigint): void {
    if (from !== this.threshold)
      this.ctx.finding(`attestation threshold changed from ${from}, but it was ${this.threshold}`);
    if (to < 1n || to > 255n) this.ctx.finding(`attestation threshold set to ${to}, outside 1 to 255`);
    this.ctx.parameter("attestationThreshold", String(from), String(to));
    this.threshold = to;
  }

  private recorded(a: Readonly<Record<string, EventArg>>): void {
    const id = big(a.entryId);
    const cardId = big(a.cardId);
    const contributor = getAddress(str(a.contributor));
    const units = big(a.units);
    const now = this.current.timestamp;
    const expectedId = BigInt(this.ledger.entries.size) + 1n;
    if (id !== expectedId) this.ctx.finding(`entry ${id} recorded; the next entry number is ${expectedId}`);
    let period = big(a.period);
    const current = this.periodAt(now);
    if (current === null) this.ctx.finding(`entry ${id} recorded before the ledger was configured`);
    else if (period !== current) {
      this.ctx.finding(`entry ${id} recorded into period ${period}; at ${now} the current period is ${current}`);
      period = current;
    }
    if (this.ctx.holderOf(cardId) !== contributor) {
      this.ctx.finding(`entry ${id} recorded for card #${cardId} by ${contributor}, who does not hold it`);
    }
    if (units < 1n || units > MAX_UNITS) this.ctx.finding(`entry ${id} records ${units} units, outside 1 to 2^64 - 1`);
    if (big(a.threshold) !== this.threshold) {
      this.ctx.finding(
        `entry ${id} needs ${big(a.threshold)} attestations; the threshold in force is ${this.threshold}`,
      );
    }
    this.guard(() =>
      this.ledger.recorded({
        id,
        period,
        cardId,
        contributor,
        kind: str(a.kind),
        units,
        evidenceHash: str(a.evidenceHash),
        evidenceURI: str(a.evidenceURI),
        threshold: this.threshold,
      }),
    );
    this.entryEvents.set(id, {
      recordedBlock: this.current.blockNumber,
      recordedAt: now,
      transactionHash: this.current.transactionHash,
      validatedBlock: null,
      validatedAt: null,
      voidedBlock: null,
      voidedAt: null,
    });
  }

  private attested(entryId: bigint, cardId: bigint, attester: string, attestations: bigint): void {
    const e = this.ledger.entries.get(entryId);
    const now = this.current.timestamp;
    if (e !== undefined) {
      const t = this.periodTimes(e.period);
      if (t !== null && now >= t.end) {
        this.ctx.finding(`entry ${entryId} attested at ${now}, after its period ${e.period} closed at ${t.end}`);
      }
    }
    if (this.ctx.holderOf(cardId) !== getAddress(attester)) {
      this.ctx.finding(
        `entry ${entryId} attested for card #${cardId} by ${getAddress(attester)}, who does not hold it`,
      );
    }
    if (!this.guard(() => this.ledger.attested(entryId, cardId)) || e === undefined) return;
    if (attestations !== BigInt(e.attesters.length)) {
      this.ctx.finding(
        `entry ${entryId} has ${attestations} attestations by its event; the rules give ${e.attesters.length}`,
      );
    }
    if (e.status === "Validated") {
      this.expectedValidation = { entryId, tx: this.current.transactionHash };
      const times = this.entryEvents.get(entryId);
      if (times !== undefined) {
        times.validatedBlock = this.current.blockNumber;
        times.validatedAt = now;
      }
    }
  }

  private validated(a: Readonly<Record<string, EventArg>>): void {
    const id = big(a.entryId);
    const x = this.expectedValidation;
    this.expectedValidation = null;
    const e = this.ledger.entries.get(id);
    if (x === null || x.entryId !== id || e === undefined) {
      this.ctx.finding(`ContributionValidated for entry ${id}, which no attestation brought to its threshold`);
      return;
    }
    const got = [big(a.period), big(a.cardId), big(a.units), big(a.cardUnits), big(a.periodUnits)];
    const want = [e.period, e.cardId, e.units, this.unitsOf(e.period, e.cardId), this.ledger.periodTotal(e.period)];
    if (got.some((v, i) => v !== want[i])) {
      this.ctx.finding(
        `ContributionValidated for entry ${id} says (period ${got[0]}, card #${got[1]}, ${got[2]} units, card ${got[3]}, period ${got[4]}); the rules give (period ${want[0]}, card #${want[1]}, ${want[2]} units, card ${want[3]}, period ${want[4]})`,
      );
    }
  }

  private voided(entryId: bigint, period: bigint, cardId: bigint, unitsRemoved: bigint, reason: string): void {
    const e = this.ledger.entries.get(entryId);
    const wasValidated = e?.status === "Validated";
    if (!this.guard(() => this.ledger.voided(entryId, reason)) || e === undefined) return;
    const now = this.current.timestamp;
    const t = this.periodTimes(e.period);
    if (t !== null && now >= t.reviewEnd) {
      this.ctx.finding(
        `entry ${entryId} voided at ${now}, after the review of period ${e.period} ended at ${t.reviewEnd}`,
      );
    }
    const expected = wasValidated ? e.units : 0n;
    if (period !== e.period || cardId !== e.cardId || unitsRemoved !== expected) {
      this.ctx.finding(
        `ContributionVoided for entry ${entryId} says (period ${period}, card #${cardId}, ${unitsRemoved} units removed); the rules give (period ${e.period}, card #${e.cardId}, ${expected})`,
      );
    }
    const times = this.entryEvents.get(entryId);
    if (times !== undefined) {
      times.voidedBlock = this.current.blockNumber;
      times.voidedAt = now;
    }
  }

  /** Runs a LedgerModel step; a rule it refuses (attested twice, voided twice…) is a finding. */
  private guard(step: () => void): boolean {
    try {
      step();
      return true;
    } catch (error) {
      this.ctx.finding((error as Error).message);
      return false;
    }
  }

  // ------------------------------------------------------------------------------------------------
  // Distributor
  // ------------------------------------------------------------------------------------------------

  private payRatioSet(from: bigint, to: bigint): void {
    this.distributorSeen = true;
    if (from !== this.payRatio()) this.ctx.finding(`pay ratio changed from ${from}, but it was ${this.payRatio()}`);
    if (to < 1n || to > 1000n) this.ctx.finding(`pay ratio set to ${to}, outside 1 to 1000`);
    this.ctx.parameter("payRatio", String(from), String(to));
    const now = this.current.timestamp;
    const last = this.ratios.at(-1);
    if (last !== undefined && last.timestamp === now) last.ratio = to;
    else this.ratios.push({ timestamp: now, ratio: to });
  }

  private claimWindowSet(from: bigint, to: bigint): void {
    this.distributorSeen = true;
    if (from !== this.claimWindow)
      this.ctx.finding(`claim window changed from ${from}, but it was ${this.claimWindow}`);
    if (to < 86_400n || to > 3650n * 86_400n) this.ctx.finding(`claim window set to ${to}s, outside 1 day to 10 years`);
    this.ctx.parameter("claimWindow", String(from), String(to));
    this.claimWindow = to;
  }

  private finalization(period: bigint): FinalizationRecord {
    let f = this.finalizations.get(period);
    if (f === undefined) {
      f = {
        period,
        generation: 0n,
        submitted: 0n,
        minUnits: 0n,
        cappedSum: 0n,
        ratio: this.ratioOf(period),
        figures: null,
        finalizedBlock: null,
        finalizedAt: null,
      };
      this.finalizations.set(period, f);
    }
    return f;
  }

  /** A finalization call must come after the period's review, and not after the period was finalized. */
  private finalizable(period: bigint, what: string): FinalizationRecord {
    const now = this.current.timestamp;
    const t = this.periodTimes(period);
    if (t === null) this.ctx.finding(`${what} for period ${period} before the ledger was configured`);
    else if (now < t.reviewEnd) {
      this.ctx.finding(`${what} for period ${period} at ${now}, before its review ends at ${t.reviewEnd}`);
    }
    const f = this.finalization(period);
    if (f.figures !== null) this.ctx.finding(`${what} for period ${period}, which was finalized already`);
    return f;
  }

  private progressed(period: bigint, generation: bigint, submitted: bigint, minUnits: bigint, cappedSum: bigint): void {
    const f = this.finalizable(period, "FinalizationProgressed");
    const truth = periodFigures(this.ledger.periodUnits(period), f.ratio < 1n ? 1n : f.ratio);
    if (generation < f.generation) {
      this.ctx.finding(`finalization of period ${period} went back from pass ${f.generation} to ${generation}`);
    }
    if (submitted > BigInt(truth.contributors) || (submitted > 0n && minUnits < truth.minUnits)) {
      this.ctx.finding(
        `finalization of period ${period}: ${submitted} submitted with smallest units ${minUnits}; the period has ${truth.contributors} contributors, the smallest with ${truth.minUnits}`,
      );
    }
    Object.assign(f, { generation, submitted, minUnits, cappedSum });
  }

  private finalized(a: Readonly<Record<string, EventArg>>): void {
    const period = big(a.period);
    const f = this.finalizable(period, "PeriodFinalized");
    const figures = periodFigures(this.ledger.periodUnits(period), f.ratio < 1n ? 1n : f.ratio);
    const got = [big(a.contributors), big(a.minUnits), big(a.ratio), big(a.cappedSum)];
    const want = [BigInt(figures.contributors), figures.minUnits, f.ratio, figures.cappedSum];
    if (got.some((v, i) => v !== want[i])) {
      this.ctx.finding(
        `PeriodFinalized for period ${period} says (${got[0]} contributors, smallest ${got[1]}, ratio ${got[2]}, capped sum ${got[3]}); the rules give (${want[0]}, ${want[1]}, ${want[2]}, ${want[3]})`,
      );
    }
    Object.assign(f, {
      submitted: BigInt(figures.contributors),
      minUnits: figures.minUnits,
      cappedSum: figures.cappedSum,
      figures,
      finalizedBlock: this.current.blockNumber,
      finalizedAt: this.current.timestamp,
    });
  }

  private allocated(a: Readonly<Record<string, EventArg>>): void {
    const id = big(a.potId);
    const period = big(a.period);
    const amount = big(a.amount);
    const now = this.current.timestamp;
    const expectedId = BigInt(this.pots.size) + 1n;
    if (id !== expectedId) this.ctx.finding(`pot ${id} allocated; the next pot number is ${expectedId}`);
    const figures = this.finalizations.get(period)?.figures ?? null;
    if (figures === null) this.ctx.finding(`pot ${id} allocated to period ${period}, which is not finalized`);
    else if (figures.cappedSum === 0n)
      this.ctx.finding(`pot ${id} allocated to period ${period}, which has no contributors`);
    if (amount === 0n) this.ctx.finding(`pot ${id} allocated with nothing in it`);
    const f = figures ?? periodFigures(this.ledger.periodUnits(period), this.ratioOf(period) || 1n);
    const deadline = now + Number(this.claimWindow);
    const largest = maxShare(amount, f);
    if (num(a.deadline) !== deadline || big(a.maxShare) !== largest) {
      this.ctx.finding(
        `pot ${id} allocated with deadline ${a.deadline} and largest share ${a.maxShare}; the claim window and the period's figures give ${deadline} and ${largest}`,
      );
    }
    this.pots.set(id, {
      id,
      period,
      token: getAddress(str(a.token)),
      amount,
      deadline,
      figures: f,
      maxShare: largest,
      allocatedBlock: this.current.blockNumber,
      allocatedAt: now,
      transactionHash: this.current.transactionHash,
      claims: new Map(),
      claimed: 0n,
      paid: 0n,
      swept: null,
    });
  }

  private claimed(potId: bigint, cardId: bigint, member: string, amount: bigint): void {
    const pot = this.pots.get(potId);
    if (pot === undefined) {
      this.ctx.finding(`PatronageClaimed from pot ${potId}, which was never allocated`);
      return;
    }
    const now = this.current.timestamp;
    const who = getAddress(member);
    if (now > pot.deadline)
      this.ctx.finding(`claim of card #${cardId} from pot ${potId} at ${now}, after its deadline ${pot.deadline}`);
    if (pot.swept !== null) this.ctx.finding(`claim of card #${cardId} from pot ${potId}, which was swept`);
    if (this.ctx.holderOf(cardId) !== who) {
      this.ctx.finding(`claim of card #${cardId} from pot ${potId} by ${who}, who does not hold it`);
    }
    if (pot.claims.has(cardId)) {
      this.ctx.finding(`card #${cardId} claimed from pot ${potId} a second time`);
      pot.paid += amount;
      return;
    }
    const share = this.shareOf(pot, cardId);
    pot.claims.set(cardId, {
      potId,
      cardId,
      member: who,
      amount,
      share,
      blockNumber: this.current.blockNumber,
      timestamp: now,
      transactionHash: this.current.transactionHash,
    });
    pot.claimed += share;
    pot.paid += amount;
  }

  private swept(potId: bigint, treasury: string, amount: bigint): void {
    const pot = this.pots.get(potId);
    if (pot === undefined) {
      this.ctx.finding(`PotSwept for pot ${potId}, which was never allocated`);
      return;
    }
    const now = this.current.timestamp;
    if (now <= pot.deadline)
      this.ctx.finding(`pot ${potId} swept at ${now}, before its deadline ${pot.deadline} passed`);
    if (pot.swept !== null) this.ctx.finding(`pot ${potId} swept a second time`);
    const owner = this.ctx.ownerOf("PatronageDistributor") ?? ZeroAddress;
    const expected = pot.amount - pot.claimed;
    if (!same(treasury, owner) || amount !== expected) {
      this.ctx.finding(
        `pot ${potId} swept ${amount} to ${getAddress(treasury)}; the rules leave ${expected} for the treasury ${owner}`,
      );
    }
    pot.swept = {
      treasury: owner,
      amount: expected,
      blockNumber: this.current.blockNumber,
      timestamp: now,
      transactionHash: this.current.transactionHash,
    };
  }
}

function same(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** An entry's status as the ledger's `Status` enum numbers it. */
export function entryStatusNumber(e: LedgerEntry): number {
  return EntryStatus[e.status];
}

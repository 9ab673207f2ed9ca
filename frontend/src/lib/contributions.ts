/**
 * The Contributions page's rules, as plain functions: the contribution ledger and the pots rebuilt from the contracts'
 * events (with the shared `LedgerModel` of `lib/rules/patronage.ts`), what the record form sends or why it refuses, why an
 * entry cannot be attested or a pot claimed, each contributor's share of each pot, and the next finalization chunk.
 * The arithmetic is `lib/rules/patronage.ts`'s — periodFigures, shareOf, finalizationOrder, chunk — never a copy.
 */
import { hexToString, isHex, keccak256, stringToHex, toBytes, zeroAddress, zeroHash, type Hex } from "viem";

import {
  chunk,
  finalizationOrder,
  periodFigures,
  shareOf,
  type LedgerEntry,
  type LedgerModel,
  type NamedLedgerEvent,
  type PeriodFigures,
} from "#lib/rules/patronage.ts";
import { when } from "./format.ts";

/** A decoded event: its name and arguments by name. */
export type NamedEvent = NamedLedgerEvent;

/** When a period starts, closes (no more records or attestations) and its review ends (then it never changes). */
export interface PeriodTimes {
  period: bigint;
  start: number;
  end: number;
  reviewEnd: number;
}

/** `PatronageDistributor.finalization(period)`: complete or in progress. */
export interface Finalization {
  minUnits: bigint;
  submitted: bigint;
  generation: number;
  ratio: bigint;
  finalized: boolean;
  cappedSum: bigint;
}

/** One pot as `PatronageDistributor.pot(id)` holds it, and the claims its events name. */
export interface PotState {
  id: bigint;
  period: bigint;
  /** Zero: ETH. */
  token: string;
  amount: bigint;
  claimed: bigint;
  deadline: number;
  swept: boolean;
  maxShare: bigint;
  /** card → amount paid, from `PatronageClaimed`. */
  claims: Map<bigint, bigint>;
}

/** card → amount, per pot, from the distributor's `PatronageClaimed` events. */
export function claimsByPot(events: readonly NamedEvent[]): Map<bigint, Map<bigint, bigint>> {
  const out = new Map<bigint, Map<bigint, bigint>>();
  for (const e of events) {
    if (e.eventName !== "PatronageClaimed") continue;
    const pot = BigInt(e.args.potId as bigint);
    let claims = out.get(pot);
    if (claims === undefined) out.set(pot, (claims = new Map()));
    claims.set(BigInt(e.args.cardId as bigint), BigInt(e.args.amount as bigint));
  }
  return out;
}

/** A `bytes32` kind as text ("labour"); a kind that is not text is shown as its hex. */
export function kindText(kind: string): string {
  if (!isHex(kind)) return kind;
  try {
    return hexToString(kind as Hex, { size: 32 }).replace(/\0+$/, "");
  } catch {
    return kind;
  }
}

/** Where a period stands at time `now`. */
export type PeriodPhase = "recording" | "review" | "reviewed";

export function phaseOf(times: PeriodTimes, now: number): PeriodPhase {
  if (now < times.end) return "recording";
  if (now < times.reviewEnd) return "review";
  return "reviewed";
}

/** The record form as typed. */
export interface RecordForm {
  kind: string;
  units: string;
  evidenceURI: string;
  /** Empty: the keccak256 of the URI. */
  evidenceHash: string;
}

/** `ContributionLedger.record`'s arguments. */
export interface RecordArgs {
  kind: Hex;
  units: bigint;
  evidenceHash: Hex;
  evidenceURI: string;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

/** The largest units one contribution may carry (the ledger stores them in 64 bits). */
export const MAX_UNITS = (1n << 64n) - 1n;

/** The evidence hash the form sends: the one entered, else the keccak256 of the URI's text, else zero. */
export function evidenceHashOf(uri: string, entered: string): string {
  if (entered.trim() !== "") return entered.trim();
  return uri.trim() === "" ? zeroHash : keccak256(toBytes(uri.trim()));
}

/** What `record` would send, or what is wrong with the form, before anything is sent. */
export function recordArgs(form: RecordForm): Checked<RecordArgs> {
  const fail = (error: string): Checked<RecordArgs> => ({ ok: false, error });
  const kind = form.kind.trim();
  if (kind === "") return fail("Say what kind of contribution it is, such as labour or goods.");
  const kindBytes = new TextEncoder().encode(kind).length;
  if (kindBytes > 31) return fail(`The kind is at most 31 bytes; “${kind}” is ${kindBytes}.`);
  const units = form.units.trim();
  if (!/^\d+$/.test(units)) return fail("Enter a whole number of units, such as 12.");
  const n = BigInt(units);
  if (n === 0n) return fail("A contribution is at least 1 unit.");
  if (n > MAX_UNITS) return fail(`At most ${MAX_UNITS} units in one contribution.`);
  const uri = form.evidenceURI.trim();
  if (uri !== "" && !/^[a-z][a-z0-9+.-]*:[^\s]+$/i.test(uri))
    return fail("The evidence URI must be a full address without spaces, such as ipfs://… or https://….");
  const hash = form.evidenceHash.trim();
  if (hash !== "" && !/^0x[0-9a-fA-F]{64}$/.test(hash))
    return fail("The evidence hash is 0x followed by 64 hexadecimal digits.");
  if (uri === "" && hash === "")
    return fail("Give the evidence: a URI, a hash, or both. Attesters need something to check.");
  return {
    ok: true,
    value: {
      kind: stringToHex(kind, { size: 32 }),
      units: n,
      evidenceHash: evidenceHashOf(uri, hash) as Hex,
      evidenceURI: uri,
    },
  };
}

/** Why `record` would be refused now, or undefined. */
export function recordRefusal(who: { connected: boolean; card: bigint }): string | undefined {
  if (!who.connected) return "Connect a wallet to record a contribution.";
  if (who.card === 0n) return "Only members record contributions: this account holds no card.";
  return undefined;
}

/** An entry's status in words: "pending 0/1", "validated", "voided: the invoice was fake". */
export function statusText(entry: LedgerEntry): string {
  if (entry.status === "Pending") return `pending ${entry.attesters.length}/${entry.threshold}`;
  if (entry.status === "Voided") return `voided: ${entry.voidReason ?? ""}`.trim();
  return entry.status.toLowerCase();
}

/** Why the connected card cannot attest `entry` now (its period closes at `periodEnd`), or undefined. */
export function attestRefusal(
  entry: LedgerEntry,
  who: { connected: boolean; card: bigint },
  periodEnd: number,
  now: number,
): string | undefined {
  if (entry.status === "Validated") return "It counts already.";
  if (entry.status === "Voided") return "It was voided.";
  if (now >= periodEnd) return `Period ${entry.period} closed on ${when(periodEnd)}: attestations are over.`;
  if (!who.connected) return "Connect a wallet to attest.";
  if (who.card === 0n) return "Only members attest: this account holds no card.";
  if (entry.cardId === who.card) return "Your own contribution: another member must attest it.";
  if (entry.attesters.includes(who.card)) return "You attested it already.";
  return undefined;
}

/** Validated units per card in `period`, largest first (ties by card). */
export function unitsByCard(model: LedgerModel, period: bigint): [bigint, bigint][] {
  return [...model.periodUnits(period)].sort(([a, ua], [b, ub]) => (ua === ub ? Number(a - b) : ua > ub ? -1 : 1));
}

/** One contributor's line in a finalized period: units, capped units, and the share of each pot. */
export interface ShareRow {
  cardId: bigint;
  units: bigint;
  capped: bigint;
  shares: { potId: bigint; share: bigint; claimed: bigint | undefined }[];
}

/** The capping of a finalized period and every contributor's share of each of its pots, by `lib/rules/patronage.ts`. */
export function periodShares(
  model: LedgerModel,
  period: bigint,
  finalization: Finalization,
  pots: readonly PotState[],
): { figures: PeriodFigures; agrees: boolean; rows: ShareRow[] } {
  const units = model.periodUnits(period);
  const figures = periodFigures(units, finalization.ratio === 0n ? 1n : finalization.ratio);
  const agrees = figures.minUnits === finalization.minUnits && figures.cappedSum === finalization.cappedSum;
  const mine = pots.filter((p) => p.period === period);
  const rows = unitsByCard(model, period).map(([cardId, u]) => ({
    cardId,
    units: u,
    capped: u < figures.unitCap ? u : figures.unitCap,
    shares: mine.map((p) => ({ potId: p.id, share: shareOf(p.amount, u, figures), claimed: p.claims.get(cardId) })),
  }));
  return { figures, agrees, rows };
}

/** Why the connected member cannot claim from `pot` now, or undefined. `units`: the card's units in the pot's period. */
export function claimRefusal(
  pot: PotState,
  who: { connected: boolean; card: bigint; units: bigint; share: bigint },
  now: number,
): string | undefined {
  if (!who.connected) return "Connect a wallet to claim.";
  if (who.card === 0n) return "Only members claim: this account holds no card.";
  const paid = pot.claims.get(who.card);
  if (paid !== undefined) return `You claimed ${amountText(paid, pot.token)} already.`;
  if (pot.swept || now > pot.deadline) return `Claims closed on ${when(pot.deadline)}.`;
  if (who.units === 0n) return `Nothing to claim: your card has no validated units in period ${pot.period}.`;
  if (who.share === 0n) return "Nothing to claim: your share rounds down to 0.";
  return undefined;
}

/** An amount of a pot's asset: ETH with 18 decimals, a token in its smallest units. */
export function amountText(amount: bigint, token: string): string {
  if (token.toLowerCase() === zeroAddress) {
    const whole = amount / 10n ** 18n;
    const fraction = (amount % 10n ** 18n).toString().padStart(18, "0").replace(/0+$/, "");
    return `${whole}${fraction === "" ? "" : `.${fraction}`} ETH`;
  }
  return `${amount} of token ${token}`;
}

/** Why `period` cannot be finalized now, or undefined. */
export function finalizeRefusal(times: PeriodTimes, finalization: Finalization, now: number): string | undefined {
  if (finalization.finalized) return `Period ${times.period} is finalized.`;
  if (now < times.end) return `Period ${times.period} is still open until ${when(times.end)}.`;
  if (now < times.reviewEnd) return `Period ${times.period} is under review until ${when(times.reviewEnd)}.`;
  return undefined;
}

/**
 * The next `finalize(period, cardIds)` chunk: the contributors in `finalizationOrder` (smallest units first), cut by
 * `chunk`. A pass that started from the true minimum goes on with the cards it has not counted (`counted`: what the
 * distributor's `submittedInPass` says, whoever submitted them); any other pass is started over from the true
 * minimum, which the contract accepts from anyone. A period without contributors is finalized by an empty list.
 */
export function nextFinalizeChunk(
  model: LedgerModel,
  period: bigint,
  finalization: Finalization,
  counted: ReadonlySet<bigint>,
  size = 200,
): bigint[] {
  const order = finalizationOrder(model.periodUnits(period));
  if (order.length === 0) return [];
  const trueMin = model.periodUnits(period).get(order[0])!;
  const goesOn = finalization.submitted > 0n && finalization.minUnits === trueMin;
  return chunk(goesOn ? order.filter((card) => !counted.has(card)) : order, size)[0] ?? [];
}

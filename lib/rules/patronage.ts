/**
 * Patronage arithmetic and the contribution ledger's rules, identical to contracts/libraries/PatronageMath.sol and
 * contracts/patronage/. One copy for the seeds, the tests, the auditor's replay and the app (docs/patronage.md).
 *
 * A period's contributors hold validated units u_m > 0; u_min is the smallest, R the pay ratio, C = R·u_min the cap,
 * S = Σ min(u_m, C). A member's share of a pot P is min(⌊P·min(u_m, C)/S⌋, min(R·⌊P·u_min/S⌋, P)).
 */

/** What a period's pots are shared by, once every contributor is known. */
export interface PeriodFigures {
  /** The number of cards with validated units. */
  contributors: number;
  /** The smallest validated units (0 for a period without contributors). */
  minUnits: bigint;
  ratio: bigint;
  /** C = R·u_min. */
  unitCap: bigint;
  /** S = Σ min(u_m, C). */
  cappedSum: bigint;
}

/** The figures of a period from each card's validated units (cards with 0 units are left out) and its ratio R. */
export function periodFigures(units: ReadonlyMap<bigint, bigint>, ratio: bigint): PeriodFigures {
  if (ratio < 1n) throw new RangeError(`the pay ratio must be at least 1, got ${ratio}`);
  let minUnits = 0n;
  let contributors = 0;
  for (const u of units.values()) {
    if (u <= 0n) continue;
    contributors += 1;
    if (minUnits === 0n || u < minUnits) minUnits = u;
  }
  const unitCap = minUnits * ratio;
  let cappedSum = 0n;
  for (const u of units.values()) if (u > 0n) cappedSum += u < unitCap ? u : unitCap;
  return { contributors, minUnits, ratio, unitCap, cappedSum };
}

/** The largest share of a pot `pot`: min(R·⌊P·u_min/S⌋, P). */
export function maxShare(pot: bigint, figures: PeriodFigures): bigint {
  if (figures.cappedSum === 0n) return 0n;
  const bound = figures.ratio * ((pot * figures.minUnits) / figures.cappedSum);
  return bound < pot ? bound : pot;
}

/** A card's share of a pot `pot`, given its validated units in the pot's period. */
export function shareOf(pot: bigint, units: bigint, figures: PeriodFigures): bigint {
  if (figures.cappedSum === 0n || units <= 0n) return 0n;
  const capped = units < figures.unitCap ? units : figures.unitCap;
  const proportional = (pot * capped) / figures.cappedSum;
  const bound = maxShare(pot, figures);
  return proportional < bound ? proportional : bound;
}

/**
 * The order in which to submit a period's contributors to `PatronageDistributor.finalize`: card numbers, smallest
 * units first (ties by card number). The contract needs only the first to hold the smallest units; a sorted list
 * satisfies that in any chunking.
 */
export function finalizationOrder(units: ReadonlyMap<bigint, bigint>): bigint[] {
  return [...units.entries()]
    .filter(([, u]) => u > 0n)
    .sort(([a, ua], [b, ub]) => (ua === ub ? (a < b ? -1 : a > b ? 1 : 0) : ua < ub ? -1 : 1))
    .map(([card]) => card);
}

/** `list` cut into pieces of at most `size` (a finalization in several transactions). */
export function chunk<T>(list: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`chunk size must be a positive integer, got ${size}`);
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/** `IContributionLedger.Status`, in declaration order. */
export const EntryStatus = { None: 0, Pending: 1, Validated: 2, Voided: 3 } as const;
export type EntryStatusName = keyof typeof EntryStatus;

/** One ledger entry as the rules rebuild it from events. */
export interface LedgerEntry {
  id: bigint;
  period: bigint;
  cardId: bigint;
  contributor: string;
  kind: string;
  units: bigint;
  evidenceHash: string;
  evidenceURI: string;
  threshold: bigint;
  /** The person of the card that recorded it (`IMembershipCard.personOf`). */
  person: bigint;
  /** Card numbers that attested it, in order. */
  attesters: bigint[];
  status: EntryStatusName;
  voidReason?: string;
}

/** The person of card `cardId` (`IMembershipCard.personOf`): a member keeps one across cards and keys. */
export type PersonOf = (cardId: bigint) => bigint;

/**
 * Persons rebuilt from the membership register's events by `MembershipCard`'s rule: a person is the number of the
 * first card they held. A card issued to an address that held a card before (given back, taken away or reassigned
 * away) takes that card's person; a reassigned card keeps its person, and its new address is that person from then
 * on. `MemberAdmitted` and `MemberReassigned` are all it needs: a departure changes nobody's person.
 */
export class PersonRegister {
  readonly #ofCard = new Map<bigint, bigint>();
  /** Address (lower case) → the person of the card it holds or held last. */
  readonly #ofAddress = new Map<string, bigint>();

  /** Card `cardId` issued to `account`; returns its person. */
  admitted(account: string, cardId: bigint): bigint {
    const person = this.#ofAddress.get(account.toLowerCase()) ?? cardId;
    this.#ofCard.set(cardId, person);
    this.#ofAddress.set(account.toLowerCase(), person);
    return person;
  }

  /** Card `cardId` moved to `to`: `to` is the card's person from now on (`from` was already). */
  reassigned(to: string, cardId: bigint): void {
    const person = this.#ofCard.get(cardId);
    if (person !== undefined) this.#ofAddress.set(to.toLowerCase(), person);
  }

  /** The person of card `cardId` (0 for a card never issued), as `IMembershipCard.personOf`. */
  readonly personOf: PersonOf = (cardId) => this.#ofCard.get(cardId) ?? 0n;

  /** Applies one decoded MembershipCard event by name (others change nothing). */
  apply(name: string, args: Readonly<Record<string, unknown>>): void {
    if (name === "MemberAdmitted") this.admitted(String(args.account), BigInt(args.tokenId as bigint));
    else if (name === "MemberReassigned") this.reassigned(String(args.to), BigInt(args.tokenId as bigint));
  }
}

/** Persons rebuilt from the membership register's events (`eventName` and arguments by name), in emission order. */
export function personRegisterFromEvents(
  events: readonly { eventName: string; args: Readonly<Record<string, unknown>> }[],
): PersonRegister {
  const register = new PersonRegister();
  for (const e of events) register.apply(e.eventName, e.args);
  return register;
}

/**
 * The contribution ledger rebuilt from its events by its own rules: an entry counts when its attestations reach the
 * threshold copied into it at recording, and stops counting when voided; nobody attests their own entry, and each
 * person attests an entry once, whichever of their cards they use. Validated units are recomputed here, never
 * copied from `ContributionValidated`, so that a figure the contract got wrong shows up as a mismatch.
 *
 * Persons come from the membership register's events (`personOf` of the replay); without them every card is taken
 * for its own person, which is right for a co-op where nobody was admitted twice or reassigned.
 */
export class LedgerModel {
  readonly entries = new Map<bigint, LedgerEntry>();
  /** period → card → validated units. */
  readonly units = new Map<bigint, Map<bigint, bigint>>();
  readonly #personOf: PersonOf;

  constructor(personOf: PersonOf = (cardId) => cardId) {
    this.#personOf = personOf;
  }

  recorded(e: Omit<LedgerEntry, "attesters" | "status" | "person">): void {
    if (this.entries.has(e.id)) throw new Error(`entry ${e.id} recorded twice`);
    this.entries.set(e.id, { ...e, person: this.#personOf(e.cardId), attesters: [], status: "Pending" });
  }

  attested(entryId: bigint, cardId: bigint): void {
    const e = this.#entry(entryId);
    if (e.status !== "Pending") throw new Error(`entry ${entryId} attested while ${e.status}`);
    const person = this.#personOf(cardId);
    const earlier = e.attesters.find((c) => this.#personOf(c) === person);
    if (earlier !== undefined) {
      throw new Error(
        earlier === cardId
          ? `entry ${entryId} attested twice by card ${cardId}`
          : `entry ${entryId} attested twice by person ${person} (cards ${earlier} and ${cardId})`,
      );
    }
    if (person === e.person) {
      throw new Error(
        cardId === e.cardId
          ? `entry ${entryId} attested by its own card`
          : `entry ${entryId} attested by its own author, person ${person} (card ${cardId})`,
      );
    }
    e.attesters.push(cardId);
    if (BigInt(e.attesters.length) >= e.threshold) {
      e.status = "Validated";
      this.#add(e.period, e.cardId, e.units);
    }
  }

  voided(entryId: bigint, reason: string): void {
    const e = this.#entry(entryId);
    if (e.status === "Voided") throw new Error(`entry ${entryId} voided twice`);
    if (e.status === "Validated") this.#add(e.period, e.cardId, -e.units);
    e.status = "Voided";
    e.voidReason = reason;
  }

  /** Validated units of each card in `period` (cards whose units fell back to 0 are left out). */
  periodUnits(period: bigint): Map<bigint, bigint> {
    return new Map([...(this.units.get(period) ?? new Map<bigint, bigint>())].filter(([, u]) => u > 0n));
  }

  /** Validated units of all cards in `period`. */
  periodTotal(period: bigint): bigint {
    let total = 0n;
    for (const u of this.periodUnits(period).values()) total += u;
    return total;
  }

  #entry(id: bigint): LedgerEntry {
    const e = this.entries.get(id);
    if (e === undefined) throw new Error(`entry ${id} was never recorded`);
    return e;
  }

  #add(period: bigint, cardId: bigint, delta: bigint): void {
    let cards = this.units.get(period);
    if (cards === undefined) this.units.set(period, (cards = new Map()));
    cards.set(cardId, (cards.get(cardId) ?? 0n) + delta);
  }
}

/**
 * Applies one decoded ContributionLedger event (by name, with its arguments by name) to `model`. Events that carry
 * the contract's own conclusions (`ContributionValidated`) or parameters (`AttestationThresholdSet`) change nothing:
 * the model draws its conclusions from the rules, and the auditor compares them.
 */
export function applyLedgerEvent(model: LedgerModel, name: string, args: Readonly<Record<string, unknown>>): void {
  const big = (key: string) => BigInt(args[key] as bigint | number | string);
  const text = (key: string) => String(args[key]);
  switch (name) {
    case "ContributionRecorded":
      model.recorded({
        id: big("entryId"),
        period: big("period"),
        cardId: big("cardId"),
        contributor: text("contributor"),
        kind: text("kind"),
        units: big("units"),
        evidenceHash: text("evidenceHash"),
        evidenceURI: text("evidenceURI"),
        threshold: big("threshold"),
      });
      return;
    case "ContributionAttested":
      model.attested(big("entryId"), big("cardId"));
      return;
    case "ContributionVoided":
      model.voided(big("entryId"), text("reason"));
      return;
    default:
      return;
  }
}

/** A decoded log as ethers' `Contract.queryFilter` returns it. */
export interface DecodedLedgerLog {
  eventName: string;
  args: ArrayLike<unknown>;
  fragment: { inputs: readonly { name: string }[] };
}

/** A ledger event by name, with its arguments by name (as viem decodes it, or as the replay keeps it). */
export interface NamedLedgerEvent {
  eventName: string;
  args: Readonly<Record<string, unknown>>;
}

/** The ledger rebuilt from its events, in the order they were emitted (persons by `personOf`, see `LedgerModel`). */
export function ledgerModelFromEvents(events: readonly NamedLedgerEvent[], personOf?: PersonOf): LedgerModel {
  const model = new LedgerModel(personOf);
  for (const e of events) applyLedgerEvent(model, e.eventName, e.args);
  return model;
}

/** The ledger rebuilt from decoded logs (e.g. `await ledger.queryFilter("*")`), in the order they were emitted. */
export function ledgerModelFromLogs(logs: readonly DecodedLedgerLog[]): LedgerModel {
  const events: NamedLedgerEvent[] = [];
  for (const log of logs) {
    if (log.fragment === undefined) continue;
    const args: Record<string, unknown> = {};
    log.fragment.inputs.forEach((input, i) => (args[input.name] = log.args[i]));
    events.push({ eventName: log.eventName, args });
  }
  return ledgerModelFromEvents(events);
}

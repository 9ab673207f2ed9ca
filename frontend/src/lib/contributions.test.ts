import { describe, expect, it } from "vitest";
import { keccak256, stringToHex, toBytes, zeroAddress, zeroHash } from "viem";

import {
  amountText,
  attestRefusal,
  claimRefusal,
  claimsByPot,
  finalizeRefusal,
  kindText,
  nextFinalizeChunk,
  periodShares,
  phaseOf,
  recordArgs,
  statusText,
  unitsByCard,
  type Finalization,
  type NamedEvent,
  type PotState,
} from "./contributions.ts";
import { ledgerModelFromEvents } from "#lib/rules/patronage.ts";

const A = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
let nextId = 1n;
const recorded = (card: bigint, units: bigint, period = 0n, kind = "baking"): NamedEvent => ({
  eventName: "ContributionRecorded",
  args: {
    entryId: nextId++,
    period,
    cardId: card,
    contributor: A,
    kind: stringToHex(kind, { size: 32 }),
    units,
    evidenceHash: zeroHash,
    evidenceURI: "ipfs://x",
    threshold: 1n,
  },
});
const attested = (entryId: bigint, card: bigint): NamedEvent => ({
  eventName: "ContributionAttested",
  args: { entryId, cardId: card, attester: A, attestations: 1n },
});

/** The worked example of docs/patronage.md: cards 1–5 with 10, 20, 40, 60 + 40 and 200 units; card 6's 500 voided. */
function workedExample() {
  nextId = 1n;
  const events: NamedEvent[] = [
    recorded(1n, 10n),
    recorded(2n, 20n),
    recorded(3n, 40n),
    recorded(4n, 60n),
    recorded(4n, 40n),
    recorded(5n, 200n),
    recorded(6n, 500n),
    recorded(6n, 7n),
  ];
  for (let id = 1n; id <= 7n; id++) events.push(attested(id, id === 1n ? 2n : 1n));
  events.push({ eventName: "ContributionVoided", args: { entryId: 7n, reason: "the invoice was fake" } });
  return ledgerModelFromEvents(events);
}

const finalized: Finalization = {
  minUnits: 10n,
  submitted: 5n,
  generation: 1,
  ratio: 6n,
  finalized: true,
  cappedSum: 190n,
};
const pot = (over: Partial<PotState> = {}): PotState => ({
  id: 1n,
  period: 0n,
  token: zeroAddress,
  amount: 1_000_000n,
  claimed: 0n,
  deadline: 2_000,
  swept: false,
  maxShare: 315_786n,
  claims: new Map(),
  ...over,
});

describe("the ledger rebuilt from events", () => {
  it("counts validated units per card and says each entry's status", () => {
    const model = workedExample();
    expect(unitsByCard(model, 0n)).toEqual([
      [5n, 200n],
      [4n, 100n],
      [3n, 40n],
      [2n, 20n],
      [1n, 10n],
    ]);
    expect(statusText(model.entries.get(1n)!)).toBe("validated");
    expect(statusText(model.entries.get(7n)!)).toBe("voided: the invoice was fake");
    expect(statusText(model.entries.get(8n)!)).toBe("pending 0/1");
    expect(kindText(model.entries.get(1n)!.kind)).toBe("baking");
  });
  it("collects each pot's claims", () => {
    const claims = claimsByPot([
      { eventName: "PatronageClaimed", args: { potId: 1n, cardId: 5n, member: A, amount: 315_786n } },
      { eventName: "PotSwept", args: { potId: 1n, treasury: A, amount: 8n } },
    ]);
    expect(claims.get(1n)).toEqual(new Map([[5n, 315_786n]]));
  });
});

describe("the record form", () => {
  const form = { kind: "labour", units: "12", evidenceURI: "ipfs://hearth/market-day", evidenceHash: "" };
  it("sends the kind as bytes32 and the URI's keccak256 as the evidence hash", () => {
    expect(recordArgs(form)).toEqual({
      ok: true,
      value: {
        kind: stringToHex("labour", { size: 32 }),
        units: 12n,
        evidenceHash: keccak256(toBytes("ipfs://hearth/market-day")),
        evidenceURI: "ipfs://hearth/market-day",
      },
    });
    const hash = `0x${"ab".repeat(32)}`;
    const entered = recordArgs({ ...form, evidenceURI: "", evidenceHash: hash });
    expect(entered.ok && entered.value.evidenceHash).toBe(hash);
  });
  it("refuses bad input with a specific message", () => {
    const error = (over: Partial<typeof form>) => {
      const r = recordArgs({ ...form, ...over });
      return r.ok ? "accepted" : r.error;
    };
    expect(error({ kind: " " })).toBe("Say what kind of contribution it is, such as labour or goods.");
    expect(error({ kind: "x".repeat(32) })).toBe(`The kind is at most 31 bytes; “${"x".repeat(32)}” is 32.`);
    expect(error({ units: "1.5" })).toBe("Enter a whole number of units, such as 12.");
    expect(error({ units: "0" })).toBe("A contribution is at least 1 unit.");
    expect(error({ units: (1n << 64n).toString() })).toBe("At most 18446744073709551615 units in one contribution.");
    expect(error({ evidenceURI: "my receipt" })).toBe(
      "The evidence URI must be a full address without spaces, such as ipfs://… or https://….",
    );
    expect(error({ evidenceHash: "0x1234" })).toBe("The evidence hash is 0x followed by 64 hexadecimal digits.");
    expect(error({ evidenceURI: "", evidenceHash: "" })).toBe(
      "Give the evidence: a URI, a hash, or both. Attesters need something to check.",
    );
  });
});

describe("attesting", () => {
  const model = workedExample();
  const pending = model.entries.get(8n)!; // card 6's, never attested
  const me = { connected: true, card: 2n };
  it("is open on another member's pending entry until the period closes", () => {
    expect(attestRefusal(pending, me, 1_000, 999)).toBeUndefined();
    expect(attestRefusal(pending, me, 1_000, 1_000)).toBe(
      "Period 0 closed on 1 Jan 1970, 00:16 UTC: attestations are over.",
    );
  });
  it("says why not: own entry, attested already, validated, voided, no card, no wallet", () => {
    expect(attestRefusal(pending, { connected: true, card: 6n }, 1_000, 0)).toBe(
      "Your own contribution: another member must attest it.",
    );
    const twoNeeded = { ...pending, threshold: 2n, attesters: [2n] };
    expect(attestRefusal(twoNeeded, me, 1_000, 0)).toBe("You attested it already.");
    expect(attestRefusal(model.entries.get(1n)!, me, 1_000, 0)).toBe("It counts already.");
    expect(attestRefusal(model.entries.get(7n)!, me, 1_000, 0)).toBe("It was voided.");
    expect(attestRefusal(pending, { connected: true, card: 0n }, 1_000, 0)).toBe(
      "Only members attest: this account holds no card.",
    );
    expect(attestRefusal(pending, { connected: false, card: 0n }, 1_000, 0)).toBe("Connect a wallet to attest.");
  });
});

describe("shares of a finalized period", () => {
  it("gives the worked example's capping and shares, by lib/rules/patronage.ts", () => {
    const model = workedExample();
    const claimed = pot({ claims: new Map([[5n, 315_786n]]) });
    const { figures, agrees, rows } = periodShares(model, 0n, finalized, [claimed, pot({ id: 2n, period: 1n })]);
    expect(agrees).toBe(true);
    expect([figures.minUnits, figures.unitCap, figures.cappedSum, figures.contributors]).toEqual([10n, 60n, 190n, 5]);
    expect(rows.map((r) => [r.cardId, r.units, r.capped, r.shares.map((s) => [s.potId, s.share, s.claimed])])).toEqual([
      [5n, 200n, 60n, [[1n, 315_786n, 315_786n]]],
      [4n, 100n, 60n, [[1n, 315_786n, undefined]]],
      [3n, 40n, 40n, [[1n, 210_526n, undefined]]],
      [2n, 20n, 20n, [[1n, 105_263n, undefined]]],
      [1n, 10n, 10n, [[1n, 52_631n, undefined]]],
    ]);
    expect(periodShares(model, 0n, { ...finalized, cappedSum: 191n }, []).agrees).toBe(false);
  });
  it("says why a member cannot claim", () => {
    const me = { connected: true, card: 2n, units: 20n, share: 105_263n };
    expect(claimRefusal(pot(), me, 2_000)).toBeUndefined();
    expect(claimRefusal(pot(), me, 2_001)).toBe("Claims closed on 1 Jan 1970, 00:33 UTC.");
    expect(claimRefusal(pot({ swept: true }), me, 0)).toBe("Claims closed on 1 Jan 1970, 00:33 UTC.");
    expect(claimRefusal(pot({ claims: new Map([[2n, 105_263n]]) }), me, 0)).toBe(
      "You claimed 0.000000000000105263 ETH already.",
    );
    expect(claimRefusal(pot(), { ...me, units: 0n, share: 0n }, 0)).toBe(
      "Nothing to claim: your card has no validated units in period 0.",
    );
    expect(claimRefusal(pot(), { ...me, share: 0n }, 0)).toBe("Nothing to claim: your share rounds down to 0.");
    expect(claimRefusal(pot(), { ...me, card: 0n }, 0)).toBe("Only members claim: this account holds no card.");
    expect(claimRefusal(pot(), { ...me, connected: false }, 0)).toBe("Connect a wallet to claim.");
  });
  it("writes amounts of ETH exactly and of a token in its smallest units", () => {
    expect(amountText(315_789_473_684_210_526n, zeroAddress)).toBe("0.315789473684210526 ETH");
    expect(amountText(10n ** 18n, zeroAddress)).toBe("1 ETH");
    expect(amountText(5n, A)).toBe(`5 of token ${A}`);
  });
});

describe("finalizing", () => {
  const times = { period: 0n, start: 0, end: 100, reviewEnd: 200 };
  const none: Finalization = { minUnits: 0n, submitted: 0n, generation: 0, ratio: 0n, finalized: false, cappedSum: 0n };
  it("is open once the review has ended, until finalized", () => {
    expect(phaseOf(times, 99)).toBe("recording");
    expect(phaseOf(times, 100)).toBe("review");
    expect(phaseOf(times, 200)).toBe("reviewed");
    expect(finalizeRefusal(times, none, 99)).toBe("Period 0 is still open until 1 Jan 1970, 00:01 UTC.");
    expect(finalizeRefusal(times, none, 150)).toBe("Period 0 is under review until 1 Jan 1970, 00:03 UTC.");
    expect(finalizeRefusal(times, none, 200)).toBeUndefined();
    expect(finalizeRefusal(times, finalized, 200)).toBe("Period 0 is finalized.");
  });
  it("submits the smallest first, goes on with what a pass from the true minimum has not counted, restarts any other", () => {
    const model = workedExample();
    const nothing = new Set<bigint>();
    expect(nextFinalizeChunk(model, 0n, none, nothing)).toEqual([1n, 2n, 3n, 4n, 5n]);
    expect(nextFinalizeChunk(model, 0n, none, nothing, 2)).toEqual([1n, 2n]);
    expect(nextFinalizeChunk(model, 0n, { ...none, submitted: 2n, minUnits: 10n }, new Set([1n, 2n]), 2)).toEqual([
      3n,
      4n,
    ]);
    // Someone else counted card 4 out of order: the app submits the cards still missing, whatever their place.
    expect(nextFinalizeChunk(model, 0n, { ...none, submitted: 2n, minUnits: 10n }, new Set([1n, 4n]))).toEqual([
      2n,
      3n,
      5n,
    ]);
    expect(nextFinalizeChunk(model, 0n, { ...none, submitted: 1n, minUnits: 40n }, new Set([3n]), 2)).toEqual([1n, 2n]);
    expect(nextFinalizeChunk(model, 9n, none, nothing)).toEqual([]);
  });
});

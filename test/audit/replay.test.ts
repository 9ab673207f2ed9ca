/**
 * The replay (lib/replay) on its own, without a chain: the rules it recomputes with, the findings it raises when
 * an event contradicts them, the guard that refuses an incomplete history, and synthetic histories.
 */
import { expect } from "chai";
import { ZeroAddress, ZeroHash, encodeBytes32String, getAddress } from "ethers";
import {
  IncompleteHistoryError,
  LogOrderGuard,
  Replay,
  accrueTo,
  lowestCap,
  proposalState,
  quorumFor,
  type ProposalStateInput,
  type ReplayEvent,
  type Schedule,
} from "../../lib/index.ts";
import { coopView } from "../../lib/replay/view.ts";
import { SYNTHETIC_COOP, memberAddress, sideOf, syntheticHistory } from "../../scripts/bench/synthetic-history.ts";

const WEEK = 7 * 86_400;
const LEDGER = getAddress("0x0000000000000000000000000000000000001ed9");
const DISTRIBUTOR = getAddress("0x00000000000000000000000000000000000d1570");

function thrownBy(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected an error");
}

describe("Replay rules (lib/rules/governance.ts)", function () {
  it("accrues across a schedule change as docs/governance.md works it out: 120 → 170, 220, 270, 300; 400 stays 400", function () {
    const schedules: Schedule[] = [
      { start: 0, firstEpoch: 0, epochLength: WEEK, creditsPerEpoch: 100n, maxBalance: 400n },
      // Set during week 5, in force from the start of week 6.
      { start: 6 * WEEK, firstEpoch: 6, epochLength: WEEK, creditsPerEpoch: 50n, maxBalance: 300n },
    ];
    const weeks = [6, 7, 8, 9, 10].map((w) => accrueTo(schedules, 120n, 5, w * WEEK + 1).balance);
    expect(weeks).to.deep.equal([170n, 220n, 270n, 300n, 300n]);
    expect(accrueTo(schedules, 400n, 5, 9 * WEEK).balance).to.equal(400n);
    // The doc's first table: admitted at 100, then 200, 300, 400, 400 (capped).
    expect([1, 2, 3, 4].map((w) => accrueTo(schedules.slice(0, 1), 100n, 0, w * WEEK).balance)).to.deep.equal([
      200n,
      300n,
      400n,
      400n,
    ]);
  });

  it("takes the lowest cap a deposit must fit: the cap in force, or a lower one set for the next epoch", function () {
    const first: Schedule = { start: 0, firstEpoch: 0, epochLength: WEEK, creditsPerEpoch: 100n, maxBalance: 400n };
    const lower: Schedule = {
      start: 6 * WEEK,
      firstEpoch: 6,
      epochLength: WEEK,
      creditsPerEpoch: 50n,
      maxBalance: 300n,
    };
    const higher: Schedule = { ...lower, maxBalance: 500n };
    expect(lowestCap([first], WEEK)).to.equal(400n);
    expect(lowestCap([first, lower], 5 * WEEK)).to.equal(300n); // set, not yet in force: counts already
    expect(lowestCap([first, higher], 5 * WEEK)).to.equal(400n); // a higher cap counts once in force
    expect(lowestCap([first, higher], 6 * WEEK)).to.equal(500n);
  });

  it("computes quorum in members as ⌈members × fraction⌉, at least one (the table of docs/governance.md)", function () {
    expect(quorumFor(7n, 2000n)).to.equal(2n);
    expect(quorumFor(10n, 2000n)).to.equal(2n);
    expect(quorumFor(25n, 3000n)).to.equal(8n);
    expect(quorumFor(200n, 1500n)).to.equal(30n);
    expect(quorumFor(0n, 2000n)).to.equal(1n);
  });

  it("decides states as the governor does, a proposal executed straight on the timelock included", function () {
    const base: ProposalStateInput = {
      voteStart: 100,
      voteEnd: 200,
      extendedDeadline: 0,
      canceled: false,
      executed: false,
      voters: 3n,
      quorum: 2n,
      forVotes: 5n,
      againstVotes: 4n,
      eta: 0,
      operationDone: false,
      operationCancelled: false,
    };
    expect(proposalState(base, 100)).to.equal("Pending");
    expect(proposalState(base, 200)).to.equal("Active");
    expect(proposalState({ ...base, extendedDeadline: 250 }, 240)).to.equal("Active");
    expect(proposalState(base, 201)).to.equal("Succeeded");
    expect(proposalState({ ...base, forVotes: 4n }, 201)).to.equal("Defeated");
    expect(proposalState({ ...base, voters: 1n }, 201)).to.equal("Defeated");
    expect(proposalState({ ...base, eta: 300 }, 201)).to.equal("Queued");
    expect(proposalState({ ...base, eta: 300, operationDone: true }, 400)).to.equal("Executed");
    expect(proposalState({ ...base, eta: 300, operationCancelled: true }, 400)).to.equal("Canceled");
  });
});

describe("Replay model (lib/replay/model.ts)", function () {
  const tx = `0x${"ab".repeat(32)}`;
  const at = (
    block: number,
    timestamp: number,
    contract: ReplayEvent["contract"],
    name: string,
    args: ReplayEvent["args"],
  ): ReplayEvent => ({
    contract,
    name,
    args,
    blockNumber: block,
    logIndex: 0,
    transactionHash: tx,
    timestamp,
  });
  const founded = () => {
    const r = new Replay(SYNTHETIC_COOP);
    r.apply(
      at(1, 1000, "VoiceCredits", "ScheduleChanged", {
        index: 0n,
        start: 1000n,
        firstEpoch: 0n,
        epochLength: BigInt(WEEK),
        creditsPerEpoch: 100n,
        maxBalance: 400n,
      }),
    );
    r.apply(at(2, 1000, "MembershipCard", "MemberAdmitted", { account: memberAddress(0), tokenId: 1n }));
    return r;
  };

  it("keeps the balance the rules give and reports an AccountOpened that says otherwise", function () {
    const r = founded();
    r.apply(
      at(2, 1000, "VoiceCredits", "AccountOpened", { member: memberAddress(0), cardId: 1n, epoch: 0n, balance: 150n }),
    );
    expect(r.findings.map((f) => f.message)).to.deep.equal([
      `AccountOpened for ${memberAddress(0)}: 150 credits in epoch 0; the rules give 100 in epoch 0`,
    ]);
    expect(r.balanceAt(memberAddress(0), 1000 + 2 * WEEK)).to.equal(300n);
  });

  it("reports a member leaving with a card they do not hold, and a card number out of sequence", function () {
    const r = founded();
    r.apply(at(3, 1001, "MembershipCard", "MemberAdmitted", { account: memberAddress(1), tokenId: 5n }));
    r.apply(at(4, 1002, "MembershipCard", "MemberResigned", { account: memberAddress(0), tokenId: 2n }));
    expect(r.findings.map((f) => f.message)).to.deep.equal([
      `card #5 issued to ${memberAddress(1)}; the next card number is #2`,
      `${memberAddress(0)} resigned with card #2; they hold #1`,
    ]);
  });

  it("replays a synthetic history that obeys the rules without a finding, with the tallies it was built with", function () {
    const shape = { members: 40, proposals: 12, votes: 240 };
    const r = new Replay(SYNTHETIC_COOP);
    for (const e of syntheticHistory(shape)) r.apply(e);
    expect(r.findings).to.deep.equal([]);
    expect(r.memberCount()).to.equal(40n);
    const perProposal = shape.votes / shape.proposals;
    const sides = Array.from({ length: perProposal }, (_, k) => sideOf(k));
    for (const p of r.proposals.values()) {
      expect(p.tally.forVotes).to.equal(BigInt(sides.filter((s) => s === 1).length));
      expect(p.tally.againstVotes).to.equal(BigInt(sides.filter((s) => s === 0).length));
      expect(p.tally.abstainVoters).to.equal(BigInt(sides.filter((s) => s === 2).length));
      expect(p.settlement?.returned).to.equal(true);
    }
    expect(r.heldDeposits).to.equal(0n);
  });

  it("keeps no event: three times the vote events on the same voter-proposal pairs leave the model the same size", function () {
    const sizes = (ballotsPerVoter: number) => {
      const r = new Replay(SYNTHETIC_COOP);
      for (const e of syntheticHistory({ members: 40, proposals: 12, votes: 240, ballotsPerVoter })) r.apply(e);
      expect(r.findings).to.deep.equal([]);
      const receipts = [...r.proposals.values()].reduce((n, p) => n + p.receipts.size, 0);
      return {
        events: r.events,
        members: r.members.size,
        proposals: r.proposals.size,
        receipts,
        changes: r.parameterChanges.length,
      };
    };
    const once = sizes(1);
    const thrice = sizes(3);
    expect(thrice.events).to.be.greaterThan(2 * once.events);
    expect({ ...thrice, events: 0 }).to.deep.equal({ ...once, events: 0 });
  });

  it("rebuilds an ineligible vote as a finding: the voter was admitted after the snapshot", function () {
    const r = new Replay(SYNTHETIC_COOP);
    const events = [...syntheticHistory({ members: 10, proposals: 1, votes: 5 })];
    const vote = events.findIndex((e) => e.name.startsWith("VoteCast"));
    const late = memberAddress(99);
    events.splice(vote, 0, {
      ...events[vote],
      name: "MemberAdmitted",
      contract: "MembershipCard",
      args: { account: late, tokenId: 11n },
    });
    events.splice(vote + 1, 0, {
      ...events[vote + 1],
      name: "VoteCast",
      args: { ...events[vote + 1].args, voter: late },
    });
    for (const e of events) r.apply(e);
    expect(r.findings.map((f) => f.message)).to.include(
      `vote by ${late} on proposal ${events[vote + 1].args.proposalId}: not a member since its snapshot ${[...r.proposals.values()][0].voteStart}`,
    );
  });
});

describe("Replay: late quorum and ProposalExtended", function () {
  /** A synthetic history whose late-quorum extension is 10 days, so every proposal's quorum comes late. */
  function lateQuorumHistory(): { events: ReplayEvent[]; quorumVote: number } {
    // The vote now runs 10 days past the quorum: the history stops before the deposit is settled.
    const settlement = new Set(["DepositReturned", "DepositBurned", "ProposalDepositSettled"]);
    const events = [...syntheticHistory({ members: 40, proposals: 1, votes: 20 })]
      .filter((e) => !settlement.has(e.name))
      .map((e) =>
        e.name === "LateQuorumVoteExtensionSet"
          ? { ...e, args: { ...e.args, newVoteExtension: BigInt(10 * 86_400) } }
          : e,
      );
    // Quorum is 10% of 40 members: the fourth voter reaches it.
    const votes = events.flatMap((e, i) => (e.name.startsWith("VoteCast") ? [i] : []));
    return { events, quorumVote: votes[3] };
  }
  const extension = (vote: ReplayEvent, logIndex: number): ReplayEvent => ({
    ...vote,
    contract: "MutualGovernor",
    name: "ProposalExtended",
    logIndex,
    args: { proposalId: vote.args.proposalId, extendedDeadline: BigInt(vote.timestamp + 10 * 86_400) },
  });
  const replayed = (events: ReplayEvent[]) => {
    const r = new Replay(SYNTHETIC_COOP);
    for (const e of events) r.apply(e);
    r.close();
    return r;
  };

  it("accepts the extension just before the vote that reached quorum (a vote by transaction or a signed ballot)", function () {
    const { events, quorumVote } = lateQuorumHistory();
    const vote = events[quorumVote];
    events.splice(quorumVote, 1, extension(vote, vote.logIndex), { ...vote, logIndex: vote.logIndex + 1 });
    const r = replayed(events);
    expect(r.findings).to.deep.equal([]);
    expect([...r.proposals.values()][0].tally.extendedDeadline).to.equal(vote.timestamp + 10 * 86_400);
  });

  it("accepts the extension just after the vote that reached quorum (a compact batch counts, then extends)", function () {
    const { events, quorumVote } = lateQuorumHistory();
    const vote = events[quorumVote];
    events.splice(quorumVote + 1, 0, extension(vote, vote.logIndex + 1));
    expect(replayed(events).findings).to.deep.equal([]);
  });

  it("reports a late quorum without its extension, and an extension with a deadline the rules do not give", function () {
    const { events, quorumVote } = lateQuorumHistory();
    const vote = events[quorumVote];
    const deadline = vote.timestamp + 10 * 86_400;
    expect(replayed(events).findings.map((f) => f.message)).to.deep.equal([
      `proposal ${vote.args.proposalId} reached quorum late: the vote runs to ${deadline}, but no ProposalExtended says so`,
    ]);
    const wrong = extension(vote, vote.logIndex + 1);
    events.splice(quorumVote + 1, 0, { ...wrong, args: { ...wrong.args, extendedDeadline: BigInt(deadline + 1) } });
    expect(replayed(events).findings.map((f) => f.message)).to.deep.equal([
      `ProposalExtended for proposal ${vote.args.proposalId} to ${deadline + 1}; the rules give proposal ${vote.args.proposalId} to ${deadline}`,
    ]);
  });
});

describe("Log order guard (lib/replay/stream.ts)", function () {
  it("accepts contiguous ranges from the deployment to the head with logs in order", function () {
    const g = new LogOrderGuard(10, 30);
    g.range(10, 19);
    g.log({ blockNumber: 12, logIndex: 0 });
    g.log({ blockNumber: 12, logIndex: 3 });
    g.range(20, 30);
    g.log({ blockNumber: 20, logIndex: 0 });
    expect(() => g.finish()).to.not.throw();
  });

  const cases: [string, (g: LogOrderGuard) => void, string][] = [
    [
      "a gap between ranges",
      (g) => (g.range(10, 19), g.range(21, 30)),
      "blocks 20..20 are missing: no range covered them",
    ],
    [
      "overlapping ranges",
      (g) => (g.range(10, 19), g.range(15, 30)),
      "range 15..30 overlaps blocks already read (up to 19)",
    ],
    [
      "a first range after the deployment block",
      (g) => g.range(11, 30),
      "blocks 10..10 are missing: no range covered them",
    ],
    [
      "a history that stops early",
      (g) => (g.range(10, 20), g.finish()),
      "blocks 21..30 are missing: the history stops early",
    ],
    [
      "a log outside its range",
      (g) => (g.range(10, 19), g.log({ blockNumber: 25, logIndex: 0 })),
      "log 0 of block 25 lies outside the range 10..19 it came with",
    ],
    [
      "a repeated log",
      (g) => (g.range(10, 19), g.log({ blockNumber: 12, logIndex: 1 }), g.log({ blockNumber: 12, logIndex: 1 })),
      "logs out of order: log 1 of block 12 comes after log 1 of block 12",
    ],
    [
      "a log removed by a reorganisation",
      (g) => (g.range(10, 19), g.log({ blockNumber: 12, logIndex: 1, removed: true })),
      "log 1 of block 12 was removed by a chain reorganisation",
    ],
    ["a range past the head", (g) => g.range(10, 31), "range 10..31 goes past the head block 30"],
  ];
  for (const [scenario, run, message] of cases) {
    it(`refuses ${scenario}`, function () {
      const error = thrownBy(() => run(new LogOrderGuard(10, 30)));
      expect(error).to.be.instanceOf(IncompleteHistoryError);
      expect(error.message).to.equal(message);
    });
  }
});

describe("Replay of patronage (lib/replay/patronage.ts)", function () {
  const DAY = 86_400;
  const PERIOD = 30 * DAY;
  const REVIEW = 7 * DAY;
  const T0 = 1_000_000;
  const card = SYNTHETIC_COOP.MembershipCard;
  const treasury = SYNTHETIC_COOP.TimelockController;
  const lost = memberAddress(50);
  let block = 0;
  let log = 0;
  const ev = (timestamp: number, contract: ReplayEvent["contract"], name: string, args: ReplayEvent["args"]) => ({
    contract,
    name,
    args,
    blockNumber: ++block,
    logIndex: log++,
    transactionHash: `0x${block.toString(16).padStart(64, "0")}`,
    timestamp,
  });
  const kind = encodeBytes32String("labour");

  /** Three members (cards 1, 2, 3), a ledger of 30-day periods with a 7-day review, a 6:1 distributor. */
  const coop = () => {
    block = 0;
    log = 0;
    const r = new Replay({ ...SYNTHETIC_COOP, ContributionLedger: LEDGER, PatronageDistributor: DISTRIBUTOR });
    for (let i = 0; i < 3; i++)
      r.apply(ev(T0, "MembershipCard", "MemberAdmitted", { account: memberAddress(i), tokenId: BigInt(i + 1) }));
    r.apply(
      ev(T0, "ContributionLedger", "ContributionLedgerConfigured", {
        card,
        start: BigInt(T0),
        periodLength: BigInt(PERIOD),
        reviewWindow: BigInt(REVIEW),
      }),
    );
    r.apply(ev(T0, "ContributionLedger", "AttestationThresholdSet", { oldThreshold: 0n, newThreshold: 1n }));
    r.apply(ev(T0, "PatronageDistributor", "PayRatioSet", { oldRatio: 0n, newRatio: 6n }));
    r.apply(ev(T0, "PatronageDistributor", "ClaimWindowSet", { oldWindow: 0n, newWindow: BigInt(90 * DAY) }));
    r.apply(ev(T0, "PatronageDistributor", "OwnershipTransferred", { previousOwner: ZeroAddress, newOwner: treasury }));
    return r;
  };
  const record = (r: Replay, t: number, entryId: bigint, cardId: number, units: bigint, period = 0n) =>
    r.apply(
      ev(t, "ContributionLedger", "ContributionRecorded", {
        entryId,
        period,
        cardId: BigInt(cardId),
        contributor: memberAddress(cardId - 1),
        kind,
        units,
        evidenceHash: ZeroHash,
        evidenceURI: "ipfs://evidence",
        threshold: 1n,
      }),
    );
  /** Card `by` (held by `holder`) attests; with a threshold of 1 the contract then says the entry counts. */
  const attest = (r: Replay, t: number, entryId: bigint, by: number, validated?: [bigint, bigint, bigint, bigint]) => {
    r.apply(
      ev(t, "ContributionLedger", "ContributionAttested", {
        entryId,
        cardId: BigInt(by),
        attester: by === 1 && r.cards.get(1n) === lost ? lost : memberAddress(by - 1),
        attestations: 1n,
      }),
    );
    if (validated === undefined) return;
    const [cardId, units, cardUnits, periodUnits] = validated;
    const e = ev(t, "ContributionLedger", "ContributionValidated", {
      entryId,
      period: 0n,
      cardId,
      units,
      cardUnits,
      periodUnits,
    });
    r.apply({ ...e, transactionHash: `0x${(block - 1).toString(16).padStart(64, "0")}` });
  };
  const after = T0 + PERIOD + REVIEW + 1;

  it("rebuilds entries, units per card and per period, and keeps a voided validated entry's units out", function () {
    const r = coop();
    record(r, T0 + 10, 1n, 1, 10n);
    record(r, T0 + 20, 2n, 2, 500n);
    record(r, T0 + 30, 3n, 3, 7n);
    attest(r, T0 + 40, 1n, 2, [1n, 10n, 10n, 10n]);
    attest(r, T0 + 50, 2n, 3, [2n, 500n, 500n, 510n]);
    // Governance voids the validated 500 during the review: they leave the card and the period.
    r.apply(
      ev(T0 + PERIOD + DAY, "ContributionLedger", "ContributionVoided", {
        entryId: 2n,
        period: 0n,
        cardId: 2n,
        unitsRemoved: 500n,
        reason: "fake invoice",
      }),
    );
    expect(r.findings).to.deep.equal([]);
    const p = r.patronage;
    expect([...p.ledger.entries.values()].map((e) => e.status)).to.deep.equal(["Validated", "Voided", "Pending"]);
    expect(p.ledger.entries.get(2n)!.voidReason).to.equal("fake invoice");
    expect([p.unitsOf(0n, 1n), p.unitsOf(0n, 2n), p.unitsOf(0n, 3n)]).to.deep.equal([10n, 0n, 0n]);
    expect(p.periodTotals(0n)).to.deep.equal({ units: 10n, contributors: 1 });
    const view = coopView(r, block, T0 + PERIOD + DAY).patronage!;
    expect(view.entries.map((e) => [e.kind, e.status])).to.deep.equal([
      ["labour", "Validated"],
      ["labour", "Voided"],
      ["labour", "Pending"],
    ]);
    expect(view.periods[0]).to.include({ phase: "review", validated: 1, voided: 1, pending: 1, contributors: 1 });
  });

  it("keeps a reassigned card's units with the card, lets the new key attest as that card and refuses the old key", function () {
    const r = coop();
    record(r, T0 + 10, 1n, 1, 10n);
    attest(r, T0 + 20, 1n, 2, [1n, 10n, 10n, 10n]);
    r.apply(ev(T0 + 30, "MembershipCard", "MemberReassigned", { from: memberAddress(0), to: lost, tokenId: 1n }));
    record(r, T0 + 40, 2n, 2, 20n);
    attest(r, T0 + 50, 2n, 1, [2n, 20n, 20n, 30n]);
    expect(r.findings).to.deep.equal([]);
    expect(r.patronage.unitsOf(0n, 1n)).to.equal(10n);
    expect(r.patronage.ledger.entries.get(2n)!.attesters).to.deep.equal([1n]);
    // The old key holds no card any more: an attestation in its name contradicts the card's register.
    r.apply(
      ev(T0 + 60, "ContributionLedger", "ContributionAttested", {
        entryId: 2n,
        cardId: 1n,
        attester: memberAddress(0),
        attestations: 2n,
      }),
    );
    expect(r.findings.map((f) => f.message)).to.deep.equal([
      `entry 2 attested for card #1 by ${memberAddress(0)}, who does not hold it`,
      "entry 2 attested while Validated",
    ]);
  });

  for (const [when, offset, ratioOfPeriod0] of [
    ["at the period's last second (end - 1)", -1, 3n],
    ["at its closing second (end)", 0, 6n],
    ["a second after it closed (end + 1)", 1, 6n],
  ] as const) {
    it(`gives a period the ratio in force strictly before its end: a change ${when} makes it ${ratioOfPeriod0}`, function () {
      const r = coop();
      r.apply(ev(T0 + PERIOD + offset, "PatronageDistributor", "PayRatioSet", { oldRatio: 6n, newRatio: 3n }));
      expect(r.findings).to.deep.equal([]);
      expect([r.patronage.ratioOf(0n), r.patronage.ratioOf(1n), r.patronage.payRatio()]).to.deep.equal([
        ratioOfPeriod0,
        3n,
        3n,
      ]);
    });
  }

  it("knows a person across cards and keys: a re-admitted author or attester, and a reassigned card's old key admitted again, attest nothing twice", function () {
    const r = coop();
    const resign = (t: number, i: number, tokenId: bigint) =>
      r.apply(ev(t, "MembershipCard", "MemberResigned", { account: memberAddress(i), tokenId }));
    const admit = (t: number, account: string, tokenId: bigint) =>
      r.apply(ev(t, "MembershipCard", "MemberAdmitted", { account, tokenId }));
    record(r, T0 + 10, 1n, 1, 10n);
    // Card 2 attests entry 1, resigns and comes back as card 4: still person 2.
    attest(r, T0 + 20, 1n, 2, [1n, 10n, 10n, 10n]);
    record(r, T0 + 30, 2n, 1, 5n);
    r.apply(ev(T0 + 31, "ContributionLedger", "AttestationThresholdSet", { oldThreshold: 1n, newThreshold: 2n }));
    r.apply(
      ev(T0 + 32, "ContributionLedger", "ContributionRecorded", {
        entryId: 3n,
        period: 0n,
        cardId: 3n,
        contributor: memberAddress(2),
        kind,
        units: 7n,
        evidenceHash: ZeroHash,
        evidenceURI: "",
        threshold: 2n,
      }),
    );
    r.apply(
      ev(T0 + 33, "ContributionLedger", "ContributionAttested", {
        entryId: 3n,
        cardId: 2n,
        attester: memberAddress(1),
        attestations: 1n,
      }),
    );
    resign(T0 + 40, 1, 2n);
    admit(T0 + 41, memberAddress(1), 4n);
    // Card 1 (the author of entry 2) resigns and comes back as card 5.
    resign(T0 + 42, 0, 1n);
    admit(T0 + 43, memberAddress(0), 5n);
    // Card 3 moves to a new key; the old key is admitted again as card 6.
    r.apply(ev(T0 + 44, "MembershipCard", "MemberReassigned", { from: memberAddress(2), to: lost, tokenId: 3n }));
    admit(T0 + 45, memberAddress(2), 6n);
    expect([4n, 5n, 6n, 3n].map((c) => r.persons.personOf(c))).to.deep.equal([2n, 1n, 3n, 3n]);
    expect(r.patronage.ledger.entries.get(2n)!.person).to.equal(1n);
    expect(r.findings).to.deep.equal([]);

    const attestedBy = (t: number, entryId: bigint, cardId: bigint, attester: string) =>
      r.apply(ev(t, "ContributionLedger", "ContributionAttested", { entryId, cardId, attester, attestations: 2n }));
    attestedBy(T0 + 50, 3n, 4n, memberAddress(1)); // person 2 again, on entry 3
    attestedBy(T0 + 51, 2n, 5n, memberAddress(0)); // person 1, entry 2's author
    attestedBy(T0 + 52, 3n, 6n, memberAddress(2)); // person 3, entry 3's author, from the old key
    expect(r.findings.map((f) => f.message)).to.deep.equal([
      "entry 3 attested twice by person 2 (cards 2 and 4)",
      "entry 2 attested by its own author, person 1 (card 5)",
      "entry 3 attested by its own author, person 3 (card 6)",
    ]);
    expect(r.patronage.ledger.entries.get(3n)!.attesters).to.deep.equal([2n]);
  });

  it("finalizes, allocates and pays by the rules; a claim is kept beside its rebuilt share; the sweep leaves the rest", function () {
    const r = coop();
    record(r, T0 + 10, 1n, 1, 10n);
    record(r, T0 + 20, 2n, 2, 100n);
    attest(r, T0 + 30, 1n, 2, [1n, 10n, 10n, 10n]);
    attest(r, T0 + 40, 2n, 1, [2n, 100n, 100n, 110n]);
    r.apply(
      ev(after, "PatronageDistributor", "FinalizationProgressed", {
        period: 0n,
        generation: 0n,
        submitted: 2n,
        minUnits: 10n,
        cappedSum: 70n,
      }),
    );
    r.apply(
      ev(after, "PatronageDistributor", "PeriodFinalized", {
        period: 0n,
        contributors: 2n,
        minUnits: 10n,
        ratio: 6n,
        cappedSum: 70n,
      }),
    );
    const P = 1_000_000n;
    r.apply(
      ev(after + 1, "PatronageDistributor", "PotAllocated", {
        potId: 1n,
        period: 0n,
        token: ZeroAddress,
        amount: P,
        deadline: BigInt(after + 1 + 90 * DAY),
        maxShare: 6n * ((P * 10n) / 70n),
      }),
    );
    // Card 2 is capped at 60 units: ⌊P·60/70⌋ = 857,142, cut to 6·⌊P·10/70⌋ = 857,142; card 1 gets 142,857.
    r.apply(
      ev(after + 2, "PatronageDistributor", "PatronageClaimed", {
        potId: 1n,
        cardId: 2n,
        member: memberAddress(1),
        amount: 857_143n,
      }),
    );
    const pot = r.patronage.pots.get(1n)!;
    expect(pot.claims.get(2n)).to.include({ amount: 857_143n, share: 857_142n });
    expect([pot.claimed, pot.paid]).to.deep.equal([857_142n, 857_143n]);
    r.apply(
      ev(after + 2 + 91 * DAY, "PatronageDistributor", "PotSwept", { potId: 1n, treasury, amount: P - 857_142n }),
    );
    expect(r.findings).to.deep.equal([]);
    expect(pot.swept).to.include({ amount: P - 857_142n, treasury });
    const view = coopView(r, block, after + 2 + 91 * DAY).patronage!;
    expect(view.pots[0].shares.map((s) => [s.cardId, s.share, s.claim?.amount ?? null])).to.deep.equal([
      [1n, 142_857n, null],
      [2n, 857_142n, 857_143n],
    ]);
    expect(r.parameterChanges.map((c) => c.name)).to.deep.equal(["attestationThreshold", "payRatio", "claimWindow"]);
  });

  it("reports events whose figures contradict the rules: validated units, a finalization, a pot, a late attestation, a sweep", function () {
    const r = coop();
    record(r, T0 + 10, 1n, 1, 10n);
    attest(r, T0 + 20, 1n, 2, [1n, 10n, 11n, 10n]);
    record(r, T0 + 30, 2n, 2, 5n);
    attest(r, T0 + PERIOD, 2n, 3);
    r.apply(
      ev(T0 + PERIOD + DAY, "PatronageDistributor", "PeriodFinalized", {
        period: 0n,
        contributors: 1n,
        minUnits: 10n,
        ratio: 6n,
        cappedSum: 10n,
      }),
    );
    r.apply(
      ev(after, "PatronageDistributor", "PotAllocated", {
        potId: 1n,
        period: 0n,
        token: ZeroAddress,
        amount: 100n,
        deadline: BigInt(after),
        maxShare: 90n,
      }),
    );
    r.apply(ev(after + 1, "PatronageDistributor", "PotSwept", { potId: 1n, treasury, amount: 100n }));
    r.close();
    expect(r.findings.map((f) => f.message)).to.deep.equal([
      "ContributionValidated for entry 1 says (period 0, card #1, 10 units, card 11, period 10); the rules give (period 0, card #1, 10 units, card 10, period 10)",
      `entry 2 attested at ${T0 + PERIOD}, after its period 0 closed at ${T0 + PERIOD}`,
      "entry 2 reached its threshold, but no ContributionValidated says so",
      `PeriodFinalized for period 0 at ${T0 + PERIOD + DAY}, before its review ends at ${T0 + PERIOD + REVIEW}`,
      "PeriodFinalized for period 0 says (1 contributors, smallest 10, ratio 6, capped sum 10); the rules give (2, 5, 6, 15)",
      `pot 1 allocated with deadline ${after} and largest share 90; the claim window and the period's figures give ${after + 90 * DAY} and 100`,
      `pot 1 swept at ${after + 1}, before its deadline ${after + 90 * DAY} passed`,
    ]);
  });
});

/**
 * The replay (lib/replay) on its own, without a chain: the rules it recomputes with, the findings it raises when
 * an event contradicts them, the guard that refuses an incomplete history, and synthetic histories.
 */
import { expect } from "chai";
import {
  IncompleteHistoryError,
  LogOrderGuard,
  Replay,
  accrueTo,
  proposalState,
  quorumFor,
  type ProposalStateInput,
  type ReplayEvent,
  type Schedule,
} from "../../lib/index.ts";
import { SYNTHETIC_COOP, memberAddress, sideOf, syntheticHistory } from "../../scripts/bench/synthetic-history.ts";

const WEEK = 7 * 86_400;

function thrownBy(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected an error");
}

describe("Replay rules (lib/replay/rules.ts)", function () {
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

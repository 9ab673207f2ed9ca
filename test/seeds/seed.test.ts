import { expect } from "chai";
import { network } from "hardhat";
import { getAddress, id as keccakText, parseEther } from "ethers";

import { Support } from "../../lib/ballots/ballot.ts";
import { voteCost } from "../../lib/rules/quadratic.ts";
import { defaultConfig, deployCoop } from "../../deploy/coop.ts";
import { bakery, type DemoProposal, type DemoVote } from "../../seeds/bakery.ts";
import { CLOSED_PERIOD, demoProblems, proposalDescription, seedCoop, tallyOf } from "../../seeds/seed.ts";
import { periodFigures, shareOf } from "../../lib/rules/patronage.ts";
import { ProposalState } from "../helpers/governor-fixtures.ts";

const connection = await network.create();
const { ethers, networkHelpers } = connection;

const SIDE: Record<DemoVote["side"], number> = { for: Support.For, against: Support.Against, abstain: Support.Abstain };

/** The error a promise rejects with (fails if it resolves). */
async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the promise to be rejected");
}

/** The bakery co-op deployed with deployCoop from its own config, then seeded. */
async function seededFixture() {
  const signers = await ethers.getSigners();
  const coop = await deployCoop(connection, bakery.config);
  const lines: string[] = [];
  const report = await seedCoop(connection, coop, bakery, (line) => lines.push(line));
  const address = (key: string) => {
    const person = [...bakery.members, bakery.applicant, bakery.relayer].find((p) => p.key === key);
    if (!person) throw new Error(`unknown person ${key}`);
    return signers[person.account].address;
  };
  // Each demo proposal's id, found from its ProposalCreated event by its description (not from the report).
  const created = await coop.governor.queryFilter(coop.governor.filters.ProposalCreated(), coop.deployBlock);
  const events = new Map<string, (typeof created)[number]>();
  for (const p of bakery.proposals) {
    const event = created.find((e) => e.args.description === proposalDescription(p));
    if (!event) throw new Error(`no ProposalCreated event for "${p.title}"`);
    events.set(p.key, event);
  }
  const idOf = (p: DemoProposal) => events.get(p.key)!.args.proposalId;
  return { coop, report, lines, signers, address, events, idOf };
}

function withFinalState(state: DemoProposal["finalState"]): DemoProposal[] {
  return bakery.proposals.filter((p) => p.finalState === state);
}

describe("Demo co-op data (seeds/bakery.ts)", function () {
  it("is consistent: demoProblems finds nothing wrong with it", function () {
    expect(demoProblems(bakery)).to.deep.equal([]);
  });

  it("covers every state the demo promises, each proposal with a real action", function () {
    const executed = withFinalState("Executed");
    expect(
      executed.some((p) => p.actions.some((a) => a.kind === "pay")),
      "an executed treasury payment",
    ).to.equal(true);
    expect(
      executed.some((p) => p.actions.some((a) => a.kind === "admit")),
      "an executed admission",
    ).to.equal(true);
    for (const state of ["Queued", "Succeeded", "Defeated", "Canceled", "Active", "Pending"] as const) {
      expect(withFinalState(state), state).to.not.be.empty;
    }
    expect(bakery.proposals.every((p) => p.actions.length > 0)).to.equal(true);
    expect(bakery.proposals.some((p) => p.actions.some((a) => a.kind === "governor"))).to.equal(true);
    const burnedByMargin = withFinalState("Defeated").filter((p) => {
      const t = tallyOf(p.votes);
      return p.deposit === "burned" && t.againstVotes >= 2 * t.forVotes;
    });
    expect(burnedByMargin, "a defeat by a wide margin with its deposit burned").to.not.be.empty;
    expect(
      bakery.proposals.some((p) => p.deposit === "returned"),
      "a returned deposit",
    ).to.equal(true);
    expect(
      withFinalState("Active").every((p) => p.votes.length > 0),
      "votes on the active proposal",
    ).to.equal(true);
    expect(
      bakery.proposals.some((p) => p.votes.some((v) => v.signed)),
      "a signed ballot",
    ).to.equal(true);
    expect(bakery.proposals.at(-1)!.finalState, "the pending proposal is made last").to.equal("Pending");
  });

  it("has eight members on accounts 1..8, the applicant on 9, and founders that are those accounts' addresses", async function () {
    const signers = await ethers.getSigners();
    expect(bakery.members.map((m) => m.account)).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(bakery.applicant.account).to.equal(9);
    expect(bakery.config.founders).to.deep.equal(bakery.members.map((m) => signers[m.account].address));
  });
});

describe("Seeding the demo co-op onto a fresh co-op (seedCoop)", function () {
  it("leaves every seeded proposal in the state the seed file says", async function () {
    const { coop, idOf } = await networkHelpers.loadFixture(seededFixture);
    for (const p of bakery.proposals) {
      expect(await coop.governor.state(idOf(p)), p.title).to.equal(ProposalState[p.finalState]);
    }
  });

  it("reports every proposal, in the governor's order, with its id, title, proposer and expected and actual state", async function () {
    const { coop, report, events } = await networkHelpers.loadFixture(seededFixture);
    expect(report.ok).to.equal(true);
    expect(report.proposals).to.have.length(bakery.proposals.length);
    expect(await coop.governor.proposalCount()).to.equal(BigInt(bakery.proposals.length));
    for (const row of report.proposals) {
      const p = bakery.proposals.find((q) => q.key === row.key)!;
      expect(row.id, p.title).to.equal(events.get(p.key)!.args.proposalId);
      expect(row.id, p.title).to.equal(await coop.governor.proposalIdAt(row.number - 1));
      expect(row.title).to.equal(p.title);
      expect(row.expected).to.equal(p.finalState);
      expect(ProposalState[row.actual]).to.equal(await coop.governor.state(row.id));
      expect(row.proposer).to.equal(bakery.members.find((m) => m.key === p.proposer)!.name);
    }
  });

  it("makes each proposal from its proposer's account", async function () {
    const { events, address } = await networkHelpers.loadFixture(seededFixture);
    for (const p of bakery.proposals) expect(events.get(p.key)!.args.proposer, p.title).to.equal(address(p.proposer));
  });

  it("admits the applicant through the executed admission: they are a member with a card", async function () {
    const { coop, address } = await networkHelpers.loadFixture(seededFixture);
    const applicant = address(bakery.applicant.key);
    expect(await coop.card.isMember(applicant)).to.equal(true);
    expect(await coop.card.cardOf(applicant)).to.equal(BigInt(bakery.members.length + 1));
    expect(await coop.card.memberCount()).to.equal(BigInt(bakery.members.length + 1));
  });

  it("pays suppliers exactly the executed payments and nothing for proposals that did not execute", async function () {
    const { coop, report } = await networkHelpers.loadFixture(seededFixture);
    let paid = 0n;
    for (const supplier of bakery.suppliers) {
      let expected = 0n;
      for (const p of withFinalState("Executed")) {
        for (const a of p.actions) if (a.kind === "pay" && a.supplier === supplier.key) expected += parseEther(a.eth);
      }
      paid += expected;
      expect(await ethers.provider.getBalance(supplier.address), supplier.name).to.equal(expected);
    }
    expect(paid, "at least one supplier was paid").to.be.greaterThan(0n);
    // The patronage pot left the treasury too (claims come out of the distributor, not the treasury).
    let allocated = 0n;
    for (const p of withFinalState("Executed")) {
      for (const a of p.actions) if (a.kind === "patronage") allocated += parseEther(a.eth);
    }
    expect(allocated, "a patronage pot").to.be.greaterThan(0n);
    const treasury = await ethers.provider.getBalance(await coop.timelock.getAddress());
    expect(treasury).to.equal(parseEther(bakery.treasuryTopUp.eth) - paid - allocated);
    expect(report.treasuryBalance).to.equal(treasury);
  });

  it("tallies each proposal exactly as the data's votes: votes per side and voters per side", async function () {
    const { coop, idOf } = await networkHelpers.loadFixture(seededFixture);
    for (const p of bakery.proposals) {
      const tally = await coop.governor.proposalTally(idOf(p));
      const count = (side: DemoVote["side"]) => BigInt(p.votes.filter((v) => v.side === side).length);
      const sum = (side: DemoVote["side"]) =>
        BigInt(p.votes.filter((v) => v.side === side).reduce((s, v) => s + v.votes, 0));
      expect(
        [tally.forVotes, tally.againstVotes, tally.forVoters, tally.againstVoters, tally.abstainVoters],
        p.title,
      ).to.deep.equal([sum("for"), sum("against"), count("for"), count("against"), count("abstain")]);
    }
  });

  it("charges every voter votes² credits for their votes (receipts and the credit ledger agree)", async function () {
    const { coop, idOf, address } = await networkHelpers.loadFixture(seededFixture);
    const { governor, credits } = coop;
    for (const p of bakery.proposals) {
      for (const v of p.votes) {
        const voter = address(v.voter);
        const cost = voteCost(BigInt(v.votes));
        const receipt = await governor.receiptOf(idOf(p), voter);
        expect(
          [receipt.voted, receipt.support, receipt.votes, receipt.creditsSpent],
          `${v.voter} on ${p.key}`,
        ).to.deep.equal([true, BigInt(SIDE[v.side]), BigInt(v.votes), cost]);
        // The ledger: the voter's balance just before and just after the block of their vote, in one epoch.
        const cast = [
          ...(await governor.queryFilter(governor.filters.VoteCast(voter), coop.deployBlock)),
          ...(await governor.queryFilter(governor.filters.VoteCastWithParams(voter), coop.deployBlock)),
        ].filter((e) => e.args.proposalId === idOf(p));
        expect(cast, `${v.voter}'s vote events on ${p.key}`).to.have.length(1);
        const block = cast[0].blockNumber;
        expect(await credits.currentEpoch({ blockTag: block - 1 })).to.equal(
          await credits.currentEpoch({ blockTag: block }),
        );
        const before = await credits.balanceOf(voter, { blockTag: block - 1 });
        const after = await credits.balanceOf(voter, { blockTag: block });
        expect(before - after, `credits ${v.voter} paid on ${p.key}`).to.equal(cost);
      }
    }
  });

  it("burns the deposit of the proposal rejected by a wide margin: ProposalDepositSettled says returned=false", async function () {
    const { coop, idOf } = await networkHelpers.loadFixture(seededFixture);
    const rejected = withFinalState("Defeated").filter((p) => p.deposit === "burned");
    expect(rejected).to.not.be.empty;
    for (const p of rejected) {
      const [settled] = await coop.governor.queryFilter(
        coop.governor.filters.ProposalDepositSettled(idOf(p)),
        coop.deployBlock,
      );
      expect(settled, p.title).to.not.equal(undefined);
      expect(settled.args.returned).to.equal(false);
      expect(settled.args.credited).to.equal(0n);
      const tally = await coop.governor.proposalTally(idOf(p));
      expect(tally.againstVotes >= 2n * tally.forVotes, "against ≥ 2 × for").to.equal(true);
      expect(
        tally.forVoters + tally.againstVoters + tally.abstainVoters >= tally.quorumMembers,
        "quorum was met",
      ).to.equal(true);
    }
  });

  it("settles every deposit the data settles the way it says, returned ones to the proposer", async function () {
    const { coop, idOf, address } = await networkHelpers.loadFixture(seededFixture);
    const settledInData = bakery.proposals.filter((p) => p.deposit !== undefined);
    for (const p of bakery.proposals) {
      const events = await coop.governor.queryFilter(
        coop.governor.filters.ProposalDepositSettled(idOf(p)),
        coop.deployBlock,
      );
      if (p.deposit === undefined) {
        expect(events, p.title).to.have.length(0);
        continue;
      }
      expect(events, p.title).to.have.length(1);
      expect(events[0].args.returned, p.title).to.equal(p.deposit === "returned");
      expect(events[0].args.amount).to.equal(bakery.config.proposalDeposit);
      expect(events[0].args.holder).to.equal(address(p.proposer));
      // The demo spans a few weeks, so no proposer is near the 400-credit cap: a returned deposit comes back whole.
      expect(events[0].args.credited).to.equal(p.deposit === "returned" ? events[0].args.amount : 0n);
    }
    expect(settledInData.some((p) => p.deposit === "returned")).to.equal(true);
  });

  it("has the cancelled proposal cancelled by its proposer while it was still pending", async function () {
    const { coop, idOf, address } = await networkHelpers.loadFixture(seededFixture);
    for (const p of withFinalState("Canceled")) {
      const events = await coop.governor.queryFilter(coop.governor.filters.ProposalCanceled(), coop.deployBlock);
      const cancelled = events.find((e) => e.args.proposalId === idOf(p));
      if (!cancelled) throw new Error(`no ProposalCanceled event for "${p.title}"`);
      const tx = await cancelled.getTransaction();
      expect(tx.from).to.equal(address(p.proposer));
      const block = await cancelled.getBlock();
      expect(
        BigInt(block.timestamp) <= (await coop.governor.proposalSnapshot(idOf(p))),
        "cancelled before the snapshot",
      ).to.equal(true);
    }
  });

  it("casts the signed votes through castBallots sent by the relayer, who holds no card", async function () {
    const { coop, idOf, address } = await networkHelpers.loadFixture(seededFixture);
    const relayer = address(bakery.relayer.key);
    expect(await coop.card.isMember(relayer)).to.equal(false);
    const castBallots = coop.governor.interface.getFunction("castBallots")!.selector;
    let signed = 0;
    for (const p of bakery.proposals) {
      for (const v of p.votes.filter((vote) => vote.signed)) {
        const events = (
          await coop.governor.queryFilter(coop.governor.filters.VoteCast(address(v.voter)), coop.deployBlock)
        ).filter((e) => e.args.proposalId === idOf(p));
        expect(events, `${v.voter} on ${p.key}`).to.have.length(1);
        const tx = await events[0].getTransaction();
        expect(tx.from).to.equal(relayer);
        expect(tx.data.slice(0, 10)).to.equal(castBallots);
        expect(events[0].args.reason).to.equal(v.reason);
        signed += 1;
      }
    }
    expect(signed).to.be.greaterThan(0);
  });

  it("ends with the queued change still waiting in the timelock, the active vote open and the pending vote not started", async function () {
    const { coop, idOf } = await networkHelpers.loadFixture(seededFixture);
    const now = BigInt(await networkHelpers.time.latest());
    for (const p of withFinalState("Queued")) {
      expect((await coop.governor.proposalEta(idOf(p))) > now, `${p.title}: eta in the future`).to.equal(true);
    }
    // The queued proposal changes the deposit; not executed, so the deposit is still the deployed one.
    expect(await coop.governor.proposalDeposit()).to.equal(bakery.config.proposalDeposit);
    for (const p of withFinalState("Active")) {
      expect((await coop.governor.proposalSnapshot(idOf(p))) < now).to.equal(true);
      expect((await coop.governor.proposalDeadline(idOf(p))) >= now).to.equal(true);
    }
    for (const p of withFinalState("Pending"))
      expect((await coop.governor.proposalSnapshot(idOf(p))) >= now).to.equal(true);
  });

  it("logs one readable line per step: every proposal made, every vote, every time jump", async function () {
    const { lines } = await networkHelpers.loadFixture(seededFixture);
    expect(lines.every((line) => !line.includes("\n"))).to.equal(true);
    for (const p of bakery.proposals) {
      expect(
        lines.filter((l) => l.includes(`: "${p.title}"`) && l.includes("proposed by")),
        p.title,
      ).to.have.length(1);
      for (const v of p.votes)
        expect(
          lines.filter((l) => l.includes(`"${v.reason}"`)),
          v.reason,
        ).to.have.length(1);
    }
    expect(lines.filter((l) => l.startsWith("⏩ chain time"))).to.not.be.empty;
    expect(
      lines.at(-1)!.startsWith(`Seeded ${bakery.proposals.length} proposals, each in its expected state; chain time `),
    ).to.equal(true);
  });

  it("refuses to seed the same co-op twice, before sending anything", async function () {
    const { coop } = await networkHelpers.loadFixture(seededFixture);
    const block = await ethers.provider.getBlockNumber();
    const lines: string[] = [];
    const error = await rejectionOf(seedCoop(connection, coop, bakery, (line) => lines.push(line)));
    expect(error.message).to.equal(
      `The co-op at ${await coop.governor.getAddress()} already has ${bakery.proposals.length} proposal(s): the demo is seeded onto a freshly deployed co-op. ` +
        "Restart the node and deploy again.",
    );
    expect(await ethers.provider.getBlockNumber()).to.equal(block);
    expect(await coop.governor.proposalCount()).to.equal(BigInt(bakery.proposals.length));
    expect(lines).to.deep.equal([]);
  });

  it("refuses a co-op whose founders are not the demo's members, before sending anything", async function () {
    const signers = await ethers.getSigners();
    const strangers = signers.slice(11, 19).map((s) => s.address);
    const coop = await deployCoop(connection, { ...defaultConfig(strangers), name: "Another Co-op", symbol: "OTHER" });
    const block = await ethers.provider.getBlockNumber();
    const treasury = await ethers.provider.getBalance(await coop.timelock.getAddress());
    const amara = bakery.members[0];
    const error = await rejectionOf(seedCoop(connection, coop, bakery, () => {}));
    expect(error.message).to.equal(
      `${amara.name} (account ${amara.account}, ${signers[amara.account].address}) is not a member of the co-op at ${await coop.card.getAddress()}: ` +
        "deploy it with demoCoopConfig(demo, accounts) so that the demo's members are its founders.",
    );
    expect(await ethers.provider.getBlockNumber()).to.equal(block);
    expect(await ethers.provider.getBalance(await coop.timelock.getAddress())).to.equal(treasury);
    expect(await coop.governor.proposalCount()).to.equal(0n);
  });

  it("refuses inconsistent demo data, listing every problem, before sending anything", async function () {
    const coop = await deployCoop(connection, bakery.config);
    const block = await ethers.provider.getBlockNumber();
    const flour = bakery.proposals[0];
    const broken = {
      ...bakery,
      proposals: [
        { ...flour, votes: [{ voter: "iris", side: "for" as const, votes: 1, reason: "too early" }] },
        ...bakery.proposals.slice(1),
      ],
    };
    const error = await rejectionOf(seedCoop(connection, coop, broken, () => {}));
    expect(error.message).to.equal(
      "The demo data is inconsistent:\n" +
        '  - proposal "flour": voter "iris" is not a member at the snapshot\n' +
        '  - proposal "flour": ends Executed, but its votes do not pass it\n' +
        '  - proposal "flour": its deposit would be burned, not returned',
    );
    expect(await ethers.provider.getBlockNumber()).to.equal(block);
    expect(await coop.governor.proposalCount()).to.equal(0n);
  });

  it("makes each proposal from the data's description and payments: the governor derives the same id from them", async function () {
    const { coop, idOf, events } = await networkHelpers.loadFixture(seededFixture);
    for (const p of bakery.proposals) {
      const e = events.get(p.key)!.args;
      // `values` is shadowed by Array.prototype.values on an ethers Result: read it by position.
      const values: bigint[] = [...e[3]];
      expect(
        await coop.governor.getProposalId([...e.targets], values, [...e.calldatas], keccakText(proposalDescription(p))),
      ).to.equal(idOf(p));
      const pays = p.actions.filter((a) => a.kind === "pay");
      for (const a of pays) {
        const supplier = bakery.suppliers.find((s) => s.key === a.supplier)!;
        const i = e.targets.findIndex((t) => t === getAddress(supplier.address));
        expect(i, `${p.key} pays ${supplier.name}`).to.be.greaterThanOrEqual(0);
        expect(values[i]).to.equal(parseEther(a.eth));
      }
    }
  });
});

describe("Seeding the demo's patronage (a closed period with contributions, a pot, claims)", function () {
  /** Validated units per member key in the demo's closed period, by the data (attested entries only). */
  function demoUnits(): Map<string, bigint> {
    const units = new Map<string, bigint>();
    for (const c of bakery.patronage!.closedPeriod) {
      if (c.attestedBy.length < bakery.config.attestationThreshold) continue;
      units.set(c.member, (units.get(c.member) ?? 0n) + BigInt(c.units));
    }
    return units;
  }

  it("records every contribution with its evidence, and counts only the attested ones", async function () {
    const { coop, address } = await networkHelpers.loadFixture(seededFixture);
    const { ledger, card } = coop;
    const all = [...bakery.patronage!.closedPeriod, ...bakery.patronage!.currentPeriod];
    expect(await ledger.entryCount()).to.equal(BigInt(all.length));
    for (const [i, c] of all.entries()) {
      const entry = await ledger.entry(BigInt(i + 1));
      expect(entry.cardId, `entry ${i + 1}`).to.equal(await card.cardOf(address(c.member)));
      expect(entry.units).to.equal(BigInt(c.units));
      expect(entry.status, `entry ${i + 1}`).to.equal(c.attestedBy.length > 0 ? 2n : 1n); // Validated : Pending
    }
    for (const [key, units] of demoUnits()) {
      expect(await ledger.validatedUnits(CLOSED_PERIOD, await card.cardOf(address(key))), key).to.equal(units);
    }
    expect(await ledger.validatedUnits(CLOSED_PERIOD, await card.cardOf(address("ben")))).to.equal(0n);
  });

  it("finalizes the closed period with the figures of the worked example, and allocates the pot by a passed proposal", async function () {
    const { coop, report, address } = await networkHelpers.loadFixture(seededFixture);
    const { distributor, card } = coop;
    const byCard = new Map<bigint, bigint>();
    for (const [key, units] of demoUnits()) byCard.set(await card.cardOf(address(key)), units);
    const figures = periodFigures(byCard, 6n);
    const f = await distributor.finalization(CLOSED_PERIOD);
    expect([f.finalized, f.minUnits, BigInt(f.ratio), f.cappedSum]).to.deep.equal([true, 10n, 6n, 190n]);
    expect(f.cappedSum).to.equal(figures.cappedSum);
    expect(await distributor.potCount()).to.equal(1n);
    const pot = await distributor.pot(1n);
    expect([pot.period, pot.amount]).to.deep.equal([CLOSED_PERIOD, parseEther("1")]);
    expect(report.patronage).to.include({ period: CLOSED_PERIOD, contributors: 5, potId: 1n, pot: parseEther("1") });
  });

  it("pays each demo claimant the share the rules give, and nobody else yet", async function () {
    const { coop, report, address } = await networkHelpers.loadFixture(seededFixture);
    const { distributor, card } = coop;
    const byCard = new Map<bigint, bigint>();
    for (const [key, units] of demoUnits()) byCard.set(await card.cardOf(address(key)), units);
    const figures = periodFigures(byCard, 6n);
    const claims = bakery.patronage!.claims;
    expect(report.patronage!.claims.map((c) => c.name)).to.deep.equal(
      claims.map((key) => bakery.members.find((m) => m.key === key)!.name),
    );
    let total = 0n;
    for (const [key, units] of demoUnits()) {
      const cardId = await card.cardOf(address(key));
      const expected = shareOf(parseEther("1"), units, figures);
      expect(await distributor.shareOf(1n, cardId), key).to.equal(expected);
      expect(await distributor.hasClaimed(1n, cardId), key).to.equal(claims.includes(key));
      if (claims.includes(key)) {
        expect(report.patronage!.claims.find((c) => c.units === units)!.amount).to.equal(expected);
        total += expected;
      }
    }
    expect((await distributor.pot(1n)).claimed).to.equal(total);
    expect(await ethers.provider.getBalance(await distributor.getAddress())).to.equal(parseEther("1") - total);
  });

  it("leaves the period under way with entries, one waiting for attestation", async function () {
    const { coop, report } = await networkHelpers.loadFixture(seededFixture);
    expect(await coop.ledger.currentPeriod()).to.be.greaterThan(CLOSED_PERIOD);
    expect(report.patronage).to.include({ currentEntries: 2, currentPending: 1 });
    const last = await coop.ledger.entry(await coop.ledger.entryCount());
    expect(last.period).to.equal(await coop.ledger.currentPeriod());
  });

  it("refuses demo data whose patronage the ledger would refuse", function () {
    const broken = structuredClone({ ...bakery, config: { ...bakery.config } });
    broken.patronage!.closedPeriod[0].attestedBy = [broken.patronage!.closedPeriod[0].member];
    broken.patronage!.claims = [...broken.patronage!.claims, "ben"];
    expect(demoProblems(broken)).to.deep.equal([
      `patronage.closedPeriod[0]: "hiro" attests their own contribution`,
      `patronage.claims: "ben" has no validated contribution in the closed period`,
    ]);
  });
});

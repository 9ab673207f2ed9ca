import { expect } from "chai";
import { network } from "hardhat";

import { DAY } from "../../deploy/coop.ts";
import { deployCoopWithMembers, govern, call, type Ctx } from "../helpers/governor-fixtures.ts";

const connection = await network.create();
const { ethers, networkHelpers } = connection;

const YEAR = 365 * DAY;
const valid = {
  votingDelay: DAY,
  votingPeriod: 3 * DAY,
  quorumBps: 2000,
  proposalDeposit: 10n,
  lateQuorumExtension: DAY,
};

async function coopFixture(): Promise<Ctx> {
  return deployCoopWithMembers(connection);
}

/** Deploys a governor for the fixture's card and credits with `params`: the constructor applies every bound. */
async function deployGovernor(ctx: Ctx, params: typeof valid) {
  const { card, credits, timelock } = ctx.coop;
  return ethers.deployContract("MutualGovernor", [
    "Bounds",
    await card.getAddress(),
    await credits.getAddress(),
    await timelock.getAddress(),
    params,
  ]);
}

describe("MutualGovernor parameter bounds", function () {
  it("accepts durations of exactly MAX_DURATION (365 days)", async function () {
    const ctx = await networkHelpers.loadFixture(coopFixture);
    expect(await ctx.coop.governor.MAX_DURATION()).to.equal(BigInt(YEAR));
    const governor = await deployGovernor(ctx, {
      ...valid,
      votingDelay: YEAR,
      votingPeriod: YEAR,
      lateQuorumExtension: YEAR,
    });
    expect(await governor.votingDelay()).to.equal(BigInt(YEAR));
    expect(await governor.votingPeriod()).to.equal(BigInt(YEAR));
    expect(await governor.lateQuorumVoteExtension()).to.equal(BigInt(YEAR));
  });

  for (const name of ["votingDelay", "votingPeriod", "lateQuorumExtension"] as const) {
    it(`refuses a ${name} longer than a year with MutualGovernorInvalidParameter("${name}", value)`, async function () {
      const ctx = await networkHelpers.loadFixture(coopFixture);
      const { governor } = ctx.coop;
      await expect(deployGovernor(ctx, { ...valid, [name]: YEAR + 1 }))
        .to.be.revertedWithCustomError(governor, "MutualGovernorInvalidParameter")
        .withArgs(name, YEAR + 1);
    });
  }

  it('refuses a quorum fraction of 0 or above 10,000 bps with MutualGovernorInvalidParameter("quorumBps", value)', async function () {
    const ctx = await networkHelpers.loadFixture(coopFixture);
    const { governor } = ctx.coop;
    for (const bps of [0, 10_001]) {
      await expect(deployGovernor(ctx, { ...valid, quorumBps: bps }))
        .to.be.revertedWithCustomError(governor, "MutualGovernorInvalidParameter")
        .withArgs("quorumBps", bps);
    }
  });

  it("refuses a passed proposal that would set a late-quorum extension overflowing the clock: governance cannot freeze itself", async function () {
    const ctx = await networkHelpers.loadFixture(coopFixture);
    const { governor } = ctx.coop;
    const absurd = 2n ** 48n - 1n;
    const before = await governor.lateQuorumVoteExtension();
    await expect(
      govern(ctx, [await call(governor, "setLateQuorumVoteExtension", [absurd])], "Extend every vote for ever"),
    )
      .to.be.revertedWithCustomError(governor, "MutualGovernorInvalidParameter")
      .withArgs("lateQuorumExtension", absurd);
    expect(await governor.lateQuorumVoteExtension()).to.equal(before);
  });

  it('refuses a voting delay of 0, at deployment and from a passed proposal, with MutualGovernorInvalidParameter("votingDelay", 0): no same-second admission window', async function () {
    const ctx = await networkHelpers.loadFixture(coopFixture);
    const { governor } = ctx.coop;
    await expect(deployGovernor(ctx, { ...valid, votingDelay: 0 }))
      .to.be.revertedWithCustomError(governor, "MutualGovernorInvalidParameter")
      .withArgs("votingDelay", 0);
    const before = await governor.votingDelay();
    await expect(govern(ctx, [await call(governor, "setVotingDelay", [0])], "Vote the moment a proposal is made"))
      .to.be.revertedWithCustomError(governor, "MutualGovernorInvalidParameter")
      .withArgs("votingDelay", 0);
    expect(await governor.votingDelay()).to.equal(before);
    // One second is the least, and accepted.
    expect(await (await deployGovernor(ctx, { ...valid, votingDelay: 1 })).votingDelay()).to.equal(1n);
  });

  describe("quorum(t) is the quorum of time t", function () {
    it("answers a historic quorum(t) with the fraction in force at t after a change, as GovernorVotesQuorumFraction does (2 of 10 members at 20%, then 10 at 100%)", async function () {
      const ctx = await networkHelpers.loadFixture(coopFixture);
      const { governor, card } = ctx.coop;
      const before = BigInt(await networkHelpers.time.latest());
      await networkHelpers.mine();
      expect(await card.memberCountAt(before)).to.equal(10n);
      expect(await governor.quorum(before)).to.equal(2n);
      const p = await govern(ctx, [await call(governor, "setQuorumFraction", [10_000])], "Everyone must vote");
      const changedAt = BigInt(await networkHelpers.time.latest());
      await networkHelpers.mine();
      expect(await governor.quorumFraction()).to.equal(10_000n);
      expect(await governor.quorum(changedAt)).to.equal(10n);
      // Before the change: the rule then in force, not today's.
      expect(await governor.quorum(before)).to.equal(2n);
      expect(await governor.quorumFractionAt(before)).to.equal(2000n);
      expect(await governor.quorumFractionAt(changedAt - 1n)).to.equal(2000n);
      expect(await governor.quorumFractionAt(changedAt)).to.equal(10_000n);
      // The proposal that made the change kept the fraction it was made with.
      expect((await governor.proposalTerms(p.id)).quorumBps).to.equal(2000n);
      expect(await governor.quorum(await governor.proposalSnapshot(p.id))).to.equal(
        (await governor.proposalTally(p.id)).quorumMembers,
      );
    });
  });

  describe("the proposal deposit never exceeds what a member can hold", function () {
    it("refuses a deposit above the credit cap at deployment and from a passed proposal with VoiceCreditsCapBelowDeposit(cap, deposit)", async function () {
      const ctx = await networkHelpers.loadFixture(coopFixture);
      const { governor, credits } = ctx.coop;
      const cap = (await credits.currentSchedule()).maxBalance;
      expect(await credits.lowestCap()).to.equal(cap);
      await expect(deployGovernor(ctx, { ...valid, proposalDeposit: cap + 1n }))
        .to.be.revertedWithCustomError(credits, "VoiceCreditsCapBelowDeposit")
        .withArgs(cap, cap + 1n);
      expect(await (await deployGovernor(ctx, { ...valid, proposalDeposit: cap })).proposalDeposit()).to.equal(cap);

      const before = await governor.proposalDeposit();
      await expect(govern(ctx, [await call(governor, "setProposalDeposit", [cap + 1n])], "Price every member out"))
        .to.be.revertedWithCustomError(credits, "VoiceCreditsCapBelowDeposit")
        .withArgs(cap, cap + 1n);
      expect(await governor.proposalDeposit()).to.equal(before);
    });

    it("refuses a schedule whose cap is below the deposit with VoiceCreditsCapBelowDeposit(maxBalance, deposit), and a deposit above a lower cap scheduled for the next epoch", async function () {
      const ctx = await networkHelpers.loadFixture(coopFixture);
      const { governor, credits } = ctx.coop;
      const deposit = await governor.proposalDeposit();
      const schedule = await credits.currentSchedule();
      const count = await credits.scheduleCount();
      await expect(
        govern(ctx, [await call(credits, "setSchedule", [schedule.epochLength, 1n, deposit - 1n])], "Cap below"),
      )
        .to.be.revertedWithCustomError(credits, "VoiceCreditsCapBelowDeposit")
        .withArgs(deposit - 1n, deposit);
      expect(await credits.scheduleCount()).to.equal(count);

      // A cap exactly at the deposit is accepted; it starts at the next epoch, and a deposit must fit it already.
      await govern(ctx, [await call(credits, "setSchedule", [schedule.epochLength, 1n, deposit])], "Cap at deposit");
      expect((await credits.currentSchedule()).maxBalance).to.equal(schedule.maxBalance);
      expect(await credits.lowestCap()).to.equal(deposit);
      await expect(govern(ctx, [await call(governor, "setProposalDeposit", [deposit + 1n])], "Above the next cap"))
        .to.be.revertedWithCustomError(credits, "VoiceCreditsCapBelowDeposit")
        .withArgs(deposit, deposit + 1n);
      expect(await governor.proposalDeposit()).to.equal(deposit);
    });

    it("lowers the deposit and then the cap in one proposal, in that order", async function () {
      const ctx = await networkHelpers.loadFixture(coopFixture);
      const { governor, credits } = ctx.coop;
      const schedule = await credits.currentSchedule();
      await govern(
        ctx,
        [
          await call(governor, "setProposalDeposit", [2n]),
          await call(credits, "setSchedule", [schedule.epochLength, 2n, 5n]),
        ],
        "Smaller deposits, a smaller cap",
      );
      expect(await governor.proposalDeposit()).to.equal(2n);
      expect(await credits.lowestCap()).to.equal(5n);
    });
  });
});

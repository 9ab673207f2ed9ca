import { expect } from "chai";
import { network } from "hardhat";

import { DAY } from "../../scripts/lib/deploy-coop.ts";
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
});

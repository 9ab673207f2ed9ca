import { expect } from "chai";
import { network } from "hardhat";
import { encodeBytes32String, id as keccakText, parseEther, ZeroAddress } from "ethers";

import { DAY } from "../../deploy/coop.ts";
import { maxShare, periodFigures, shareOf } from "../../lib/rules/patronage.ts";
import {
  call,
  deployCoopWithMembers,
  endVoting,
  govern,
  passingVoters,
  propose,
  readAccounts,
  startVoting,
  vote,
  type Action,
  type Ctx,
} from "../helpers/governor-fixtures.ts";
import {
  expectPatronageUnchanged,
  finalizationOf,
  finalizePeriod,
  ledgerModelOf,
  type PatronageScope,
} from "../helpers/patronage.ts";
import type { TestToken } from "../../types/ethers-contracts/index.ts";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const { loadFixture } = networkHelpers;

const LABOUR = encodeBytes32String("labour");
const ETH_POT = parseEther("1");
const TOKEN_POT = 1_000_000n;

/** Records `units` for `member` in the current period; returns the entry id. */
async function record(ctx: Ctx, member: number, units: bigint, uri = "ipfs://timesheet"): Promise<bigint> {
  const { ledger } = ctx.coop;
  const signer = ctx.members[member];
  const entryId = (await ledger.entryCount()) + 1n;
  await (await ledger.connect(signer).record(LABOUR, units, keccakText(uri), uri)).wait();
  return entryId;
}

async function attest(ctx: Ctx, member: number, entryId: bigint): Promise<void> {
  await (await ctx.coop.ledger.connect(ctx.members[member]).attest(entryId)).wait();
}

/** The allocation of an ETH pot, as a proposal action: the timelock sends the ETH with the call. */
async function ethPotAction(ctx: Ctx, period: bigint, amount: bigint): Promise<Action> {
  const action = await call(ctx.coop.distributor, "allocate", [period, ZeroAddress, amount]);
  return { ...action, value: amount };
}

/**
 * A co-op of six members whose first period holds the worked example of docs/patronage.md (10, 20, 40, 100 in two
 * entries, 200 units), a 500-unit entry and a duplicate of 9 voided by governance, and a pending entry that never
 * counts. The period is
 * finalized from its events; governance allocated 1 ETH and 1,000,000 tokens to it.
 */
async function allocatedFixture() {
  const ctx = await deployCoopWithMembers(connection, { memberCount: 6 });
  const { ledger, distributor, timelock } = ctx.coop;
  const treasury = await timelock.getAddress();
  await (await ctx.deployer.sendTransaction({ to: treasury, value: parseEther("10") })).wait();

  const entries = {
    e10: await record(ctx, 0, 10n),
    e20: await record(ctx, 1, 20n),
    e40: await record(ctx, 2, 40n),
    e60: await record(ctx, 3, 60n),
    e40b: await record(ctx, 3, 40n),
    e200: await record(ctx, 4, 200n),
    fake: await record(ctx, 5, 500n, "ipfs://fake-invoice"),
    pending: await record(ctx, 5, 7n),
    duplicate: await record(ctx, 1, 9n, "ipfs://timesheet-again"),
  };
  await attest(ctx, 1, entries.e10);
  await attest(ctx, 2, entries.e20);
  await attest(ctx, 3, entries.e40);
  await attest(ctx, 4, entries.e60);
  await attest(ctx, 0, entries.e40b);
  await attest(ctx, 5, entries.e200);
  await attest(ctx, 0, entries.fake);
  await attest(ctx, 3, entries.duplicate);
  // Governance voids the fake invoice and a timesheet recorded twice during the period (a proposal takes six days
  // with the default timings): Fay is left with nothing, Ben keeps his first 20 units.
  await govern(
    ctx,
    [
      await call(ledger, "voidEntry", [entries.fake, "the invoice was fake"]),
      await call(ledger, "voidEntry", [entries.duplicate, "the same timesheet twice"]),
    ],
    "Void entries 7 and 9",
  );

  const [, end, reviewEnd] = await ledger.periodTimes(0);
  await networkHelpers.time.increaseTo(reviewEnd);
  const order = await finalizePeriod(ctx, 0n, 2);

  const token = (await ethers.deployContract("TestToken")) as unknown as TestToken;
  await (await token.mint(treasury, TOKEN_POT)).wait();
  const distributorAddress = await distributor.getAddress();
  await govern(
    ctx,
    [
      await ethPotAction(ctx, 0n, ETH_POT),
      await call(token, "approve", [distributorAddress, TOKEN_POT]),
      await call(distributor, "allocate", [0n, await token.getAddress(), TOKEN_POT]),
    ],
    "Patronage for the first quarter: 1 ETH and 1,000,000 tokens",
  );
  return { ...ctx, entries, order, token, end, reviewEnd };
}

type Allocated = Awaited<ReturnType<typeof allocatedFixture>>;

function scopeOf(ctx: Allocated): PatronageScope {
  return {
    entryIds: Object.values(ctx.entries),
    periods: [0n, 1n],
    potIds: [1n, 2n, 3n],
    accounts: [...ctx.members, ...ctx.outsiders.slice(0, 1)].map((s) => s.address),
    tokens: [ctx.token],
  };
}

describe("Patronage through governance (ContributionLedger + PatronageDistributor)", function () {
  describe("the full flow", function () {
    it("finalizes the period from its events with the figures the shared module computes", async function () {
      const ctx = await loadFixture(allocatedFixture);
      const model = await ledgerModelOf(ctx.coop.ledger);
      const units = model.periodUnits(0n);
      const cardOf = (i: number) => ctx.coop.card.cardOf(ctx.members[i].address);
      expect([...units.entries()]).to.deep.equal([
        [await cardOf(0), 10n],
        [await cardOf(1), 20n],
        [await cardOf(2), 40n],
        [await cardOf(3), 100n],
        [await cardOf(4), 200n],
      ]);
      expect(ctx.order).to.deep.equal([1n, 2n, 3n, 4n, 5n]);
      const figures = periodFigures(units, 6n);
      expect(await finalizationOf(ctx.coop.distributor, 0n)).to.deep.equal({
        minUnits: 10n,
        ratio: 6n,
        cappedSum: 190n,
        finalized: true,
      });
      expect(figures.cappedSum).to.equal(190n);
      const [total, contributors] = await ctx.coop.ledger.periodTotals(0n);
      expect([total, contributors]).to.deep.equal([model.periodTotal(0n), 5n]);
    });

    it("records the pots the proposal allocated from the treasury", async function () {
      const ctx = await loadFixture(allocatedFixture);
      const { distributor, timelock } = ctx.coop;
      expect(await distributor.potCount()).to.equal(2n);
      const eth = await distributor.pot(1n);
      const token = await distributor.pot(2n);
      expect([eth.token, eth.amount, eth.period]).to.deep.equal([ZeroAddress, ETH_POT, 0n]);
      expect([token.token, token.amount]).to.deep.equal([await ctx.token.getAddress(), TOKEN_POT]);
      expect(await ethers.provider.getBalance(await distributor.getAddress())).to.equal(ETH_POT);
      expect(await ctx.token.balanceOf(await distributor.getAddress())).to.equal(TOKEN_POT);
      expect(await ctx.token.balanceOf(await timelock.getAddress())).to.equal(0n);
      const figures = periodFigures((await ledgerModelOf(ctx.coop.ledger)).periodUnits(0n), 6n);
      expect(token.maxShare).to.equal(maxShare(TOKEN_POT, figures));
      expect(token.maxShare).to.equal(6n * 52_631n);
    });

    it("pays each member the share the rules give, once, and sweeps the rest back to the treasury", async function () {
      const ctx = await loadFixture(allocatedFixture);
      const { distributor, card, timelock } = ctx.coop;
      const figures = periodFigures((await ledgerModelOf(ctx.coop.ledger)).periodUnits(0n), 6n);
      const expected = [52_631n, 105_263n, 210_526n, 315_786n, 315_786n];
      let claimedTokens = 0n;
      let claimedEth = 0n;
      for (const [i, member] of ctx.members.slice(0, 5).entries()) {
        const cardId = await card.cardOf(member.address);
        const units = await ctx.coop.ledger.validatedUnits(0n, cardId);
        const tokenShare = shareOf(TOKEN_POT, units, figures);
        expect(tokenShare).to.equal(expected[i]);
        await expect(distributor.connect(member).claim(2n))
          .to.emit(distributor, "PatronageClaimed")
          .withArgs(2n, cardId, member.address, tokenShare);
        expect(await ctx.token.balanceOf(member.address)).to.equal(tokenShare);
        claimedTokens += tokenShare;

        const ethShare = shareOf(ETH_POT, units, figures);
        expect(await distributor.claimable(1n, member.address)).to.equal(ethShare);
        const before = await ethers.provider.getBalance(member.address);
        const receipt = await (await distributor.connect(member).claim(1n)).wait();
        const gas = receipt!.gasUsed * receipt!.gasPrice;
        expect(await ethers.provider.getBalance(member.address)).to.equal(before + ethShare - gas);
        claimedEth += ethShare;
      }
      expect(claimedTokens).to.equal(999_992n);
      expect((await distributor.pot(2n)).claimed).to.equal(claimedTokens);
      expect(claimedEth <= ETH_POT).to.equal(true);

      const deadline = (await distributor.pot(1n)).deadline;
      await networkHelpers.time.increaseTo(deadline + 1n);
      const treasury = await timelock.getAddress();
      const treasuryEth = await ethers.provider.getBalance(treasury);
      await expect(distributor.connect(ctx.outsiders[0]).sweep(1n))
        .to.emit(distributor, "PotSwept")
        .withArgs(1n, treasury, ETH_POT - claimedEth);
      await (await distributor.connect(ctx.outsiders[0]).sweep(2n)).wait();
      expect(await ethers.provider.getBalance(treasury)).to.equal(treasuryEth + ETH_POT - claimedEth);
      expect(await ctx.token.balanceOf(treasury)).to.equal(TOKEN_POT - claimedTokens);
      expect(await ethers.provider.getBalance(await distributor.getAddress())).to.equal(0n);
      expect(await ctx.token.balanceOf(await distributor.getAddress())).to.equal(0n);
    });

    it("never touches credits or votes: attesting and claiming during a vote change no balance nor receipt", async function () {
      const ctx = await loadFixture(allocatedFixture);
      const p = await propose(ctx, ctx.members[0], "Buy a second oven");
      await startVoting(ctx, p);
      await vote(ctx, p, ctx.members[1], 1, 2n);
      const accounts = ctx.members.map((m) => m.address);
      const before = await readAccounts(ctx, [p.id], accounts);
      const entry = await record(ctx, 2, 15n);
      await attest(ctx, 3, entry);
      for (const member of ctx.members.slice(0, 5)) await (await ctx.coop.distributor.connect(member).claim(2n)).wait();
      expect(await readAccounts(ctx, [p.id], accounts)).to.deep.equal(before);
      expect((await ctx.coop.governor.proposalTally(p.id)).forVotes).to.equal(2n);
    });
  });

  describe("refusals: the exact error with its arguments, and nothing changed", function () {
    it("refuses a member attesting their own entry: ContributionLedgerSelfAttestation(entryId, cardId, person)", async function () {
      const ctx = await loadFixture(allocatedFixture);
      const entry = await record(ctx, 0, 5n);
      const scope = { ...scopeOf(ctx), entryIds: [...scopeOf(ctx).entryIds, entry] };
      const cardId = await ctx.coop.card.cardOf(ctx.members[0].address);
      await expectPatronageUnchanged(ctx, scope, () =>
        expect(ctx.coop.ledger.connect(ctx.members[0]).attest(entry))
          .to.be.revertedWithCustomError(ctx.coop.ledger, "ContributionLedgerSelfAttestation")
          .withArgs(entry, cardId, cardId),
      );
    });

    it("refuses a member who resigned and was admitted again by a passed proposal attesting their own old entry: ContributionLedgerSelfAttestation(entryId, newCard, person)", async function () {
      const ctx = await loadFixture(allocatedFixture);
      const { ledger, card } = ctx.coop;
      const author = ctx.members[0];
      const firstCard = await card.cardOf(author.address);
      const entry = await record(ctx, 0, 5n);
      await (await card.connect(author).resign()).wait();
      await govern(ctx, [await call(card, "admit", [author.address])], "Welcome back", {
        proposer: ctx.members[2],
        exclude: [author.address],
      });
      const newCard = await card.cardOf(author.address);
      expect(newCard).to.not.equal(firstCard);
      expect(await card.personOf(newCard)).to.equal(firstCard);
      const scope = { ...scopeOf(ctx), entryIds: [...scopeOf(ctx).entryIds, entry] };
      await expectPatronageUnchanged(ctx, scope, () =>
        expect(ledger.connect(author).attest(entry))
          .to.be.revertedWithCustomError(ledger, "ContributionLedgerSelfAttestation")
          .withArgs(entry, newCard, firstCard),
      );
    });

    it("refuses a second attestation by the same card: ContributionLedgerAlreadyAttested(entryId, cardId, person)", async function () {
      const ctx = await loadFixture(allocatedFixture);
      const { ledger, card } = ctx.coop;
      await govern(ctx, [await call(ledger, "setAttestationThreshold", [2n])], "Two attestations from now on");
      const entry = await record(ctx, 0, 5n);
      expect((await ledger.entry(entry)).threshold).to.equal(2n);
      await attest(ctx, 1, entry);
      const scope = { ...scopeOf(ctx), entryIds: [entry], periods: [await ledger.currentPeriod()] };
      const cardId = await card.cardOf(ctx.members[1].address);
      await expectPatronageUnchanged(ctx, scope, () =>
        expect(ledger.connect(ctx.members[1]).attest(entry))
          .to.be.revertedWithCustomError(ledger, "ContributionLedgerAlreadyAttested")
          .withArgs(entry, cardId, cardId),
      );
      await attest(ctx, 2, entry);
      expect((await ledger.entry(entry)).status).to.equal(2n); // Validated at the second card
    });

    it("refuses an attester who resigned and was admitted again attesting a second time, so with a threshold of 2 one person never validates an entry: ContributionLedgerAlreadyAttested(entryId, newCard, person)", async function () {
      const ctx = await loadFixture(allocatedFixture);
      const { ledger, card } = ctx.coop;
      await govern(ctx, [await call(ledger, "setAttestationThreshold", [2n])], "Two attestations from now on");
      const entry = await record(ctx, 0, 5n);
      const attester = ctx.members[1];
      const firstCard = await card.cardOf(attester.address);
      await attest(ctx, 1, entry);
      await (await card.connect(attester).resign()).wait();
      await govern(ctx, [await call(card, "admit", [attester.address])], "Welcome back");
      const newCard = await card.cardOf(attester.address);
      const scope = { ...scopeOf(ctx), entryIds: [entry], periods: [await ledger.currentPeriod()] };
      await expectPatronageUnchanged(ctx, scope, () =>
        expect(ledger.connect(attester).attest(entry))
          .to.be.revertedWithCustomError(ledger, "ContributionLedgerAlreadyAttested")
          .withArgs(entry, newCard, firstCard),
      );
      const e = await ledger.entry(entry);
      expect([e.attestations, e.status]).to.deep.equal([1n, 1n]); // one attestation, still Pending
    });

    it("refuses a non-member recording or attesting: ContributionLedgerNotMember(account)", async function () {
      const ctx = await loadFixture(allocatedFixture);
      const { ledger } = ctx.coop;
      const outsider = ctx.outsiders[0];
      const entry = await record(ctx, 0, 5n);
      const scope = { ...scopeOf(ctx), entryIds: [entry], periods: [await ledger.currentPeriod()] };
      await expectPatronageUnchanged(ctx, scope, async () => {
        await expect(ledger.connect(outsider).record(LABOUR, 5n, keccakText("x"), "x"))
          .to.be.revertedWithCustomError(ledger, "ContributionLedgerNotMember")
          .withArgs(outsider.address);
        await expect(ledger.connect(outsider).attest(entry))
          .to.be.revertedWithCustomError(ledger, "ContributionLedgerNotMember")
          .withArgs(outsider.address);
      });
    });

    it("refuses a second claim: PatronageDistributorAlreadyClaimed(potId, cardId)", async function () {
      const ctx = await loadFixture(allocatedFixture);
      const member = ctx.members[2];
      await (await ctx.coop.distributor.connect(member).claim(1n)).wait();
      await expectPatronageUnchanged(ctx, scopeOf(ctx), () =>
        expect(ctx.coop.distributor.connect(member).claim(1n))
          .to.be.revertedWithCustomError(ctx.coop.distributor, "PatronageDistributorAlreadyClaimed")
          .withArgs(1n, ctx.coop.card.cardOf(member.address)),
      );
    });

    it("refuses a claim before the pot is allocated: PatronageDistributorUnknownPot(potId)", async function () {
      const ctx = await loadFixture(allocatedFixture);
      await expectPatronageUnchanged(ctx, scopeOf(ctx), () =>
        expect(ctx.coop.distributor.connect(ctx.members[0]).claim(3n))
          .to.be.revertedWithCustomError(ctx.coop.distributor, "PatronageDistributorUnknownPot")
          .withArgs(3n),
      );
    });

    it("refuses a claim for a voided entry: PatronageDistributorNothingToClaim(potId, cardId)", async function () {
      const ctx = await loadFixture(allocatedFixture);
      const member = ctx.members[5];
      expect((await ctx.coop.ledger.entry(ctx.entries.fake)).status).to.equal(3n); // Voided
      await expectPatronageUnchanged(ctx, scopeOf(ctx), () =>
        expect(ctx.coop.distributor.connect(member).claim(1n))
          .to.be.revertedWithCustomError(ctx.coop.distributor, "PatronageDistributorNothingToClaim")
          .withArgs(1n, ctx.coop.card.cardOf(member.address)),
      );
    });

    it("refuses a claim by a member governance expelled: PatronageDistributorNotMember(account)", async function () {
      const ctx = await loadFixture(allocatedFixture);
      const member = ctx.members[4];
      await govern(ctx, [await call(ctx.coop.card, "expel", [member.address, "left in bad faith"])], "Expel", {
        exclude: [member.address],
      });
      await expectPatronageUnchanged(ctx, scopeOf(ctx), () =>
        expect(ctx.coop.distributor.connect(member).claim(1n))
          .to.be.revertedWithCustomError(ctx.coop.distributor, "PatronageDistributorNotMember")
          .withArgs(member.address),
      );
    });

    it("refuses an allocation not made by governance: OwnableUnauthorizedAccount(caller)", async function () {
      const ctx = await loadFixture(allocatedFixture);
      const { distributor } = ctx.coop;
      await expectPatronageUnchanged(ctx, scopeOf(ctx), async () => {
        for (const caller of [ctx.members[0], ctx.deployer]) {
          await expect(distributor.connect(caller).allocate(0n, ZeroAddress, ETH_POT, { value: ETH_POT }))
            .to.be.revertedWithCustomError(distributor, "OwnableUnauthorizedAccount")
            .withArgs(caller.address);
        }
      });
    });

    it("refuses, at execution, a passed allocation to a period not finalized: PatronageDistributorNotFinalized(period)", async function () {
      const ctx = await loadFixture(allocatedFixture);
      const { governor, distributor } = ctx.coop;
      const p = await propose(ctx, ctx.members[0], "Patronage for the second quarter", [
        await ethPotAction(ctx, 1n, ETH_POT),
      ]);
      await startVoting(ctx, p);
      for (const voter of await passingVoters(ctx, p)) await vote(ctx, p, voter, 1, 1n);
      await endVoting(ctx, p);
      await (await governor.queue(p.targets, p.values, p.calldatas, p.descriptionHash)).wait();
      await networkHelpers.time.increaseTo((await governor.proposalEta(p.id)) + 1n);
      await expectPatronageUnchanged(ctx, scopeOf(ctx), () =>
        expect(governor.execute(p.targets, p.values, p.calldatas, p.descriptionHash))
          .to.be.revertedWithCustomError(distributor, "PatronageDistributorNotFinalized")
          .withArgs(1n),
      );
    });
  });

  it("refuses to finalize before the review ends, and lets a void through until then", async function () {
    const ctx = await deployCoopWithMembers(connection, { memberCount: 4 });
    const { ledger, distributor } = ctx.coop;
    const entry = await record(ctx, 0, 30n);
    await attest(ctx, 1, entry);
    const [, end, reviewEnd] = await ledger.periodTimes(0n);
    // A void proposed at the close of the period still executes within the review (14 days > 6 days).
    await networkHelpers.time.increaseTo(end);
    await govern(ctx, [await call(ledger, "voidEntry", [entry, "counted twice"])], "Void entry 1");
    expect(BigInt(await networkHelpers.time.latest()) < reviewEnd).to.equal(true);
    expect(await ledger.validatedUnits(0n, 1n)).to.equal(0n);
    await expect(distributor.finalize(0n, []))
      .to.be.revertedWithCustomError(distributor, "PatronageDistributorPeriodUnderReview")
      .withArgs(0n, reviewEnd);
    await networkHelpers.time.increaseTo(reviewEnd);
    await expect(distributor.finalize(0n, [])).to.emit(distributor, "PeriodFinalized").withArgs(0n, 0n, 0n, 6n, 0n);
    expect(Number(reviewEnd - end)).to.equal(14 * DAY);
  });
});

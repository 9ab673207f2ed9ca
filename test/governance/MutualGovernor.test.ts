import { expect } from "chai";
import { network } from "hardhat";
import { anyValue } from "@nomicfoundation/hardhat-ethers-chai-matchers/withArgs";
import { PANIC_CODES } from "@nomicfoundation/hardhat-ethers-chai-matchers/panic";
import { AbiCoder, ZeroAddress, ZeroHash, id as keccakText } from "ethers";

import { DAY } from "../../deploy/coop.ts";
import { Support } from "../../lib/ballots/ballot.ts";
import { accrue, isqrt, marginalCost, voteCost } from "../../lib/rules/quadratic.ts";
import {
  ProposalState,
  call,
  coopFixtures,
  deployCoopWithMembers,
  encodeVotes,
  endVoting,
  expectNotEligible,
  expectUnchanged,
  govern,
  governWhileOpen,
  minedAt,
  noopAction,
  propose,
  quorumFor,
  readState,
  startVoting,
  stateBitmap,
  timelockOperationId,
  vote,
  type Ctx,
} from "../helpers/governor-fixtures.ts";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const { loadFixture } = networkHelpers;
const coder = AbiCoder.defaultAbiCoder();
/** A contract call's result (a tuple with names) as a plain array, for deep equality. */
const arr = <T extends readonly unknown[]>(result: T): unknown[] => [...result];

const { coopFixture, openProposalFixture } = coopFixtures(connection);

/** A co-op whose returned deposits overflow the cap: 3 credits per 2-day epoch, a cap of 20, a deposit of 10. */
async function tightCapFixture(): Promise<Ctx> {
  const ctx = await deployCoopWithMembers(connection, {
    config: { epochLength: 2 * DAY, creditsPerEpoch: 3n, maxBalance: 20n, proposalDeposit: 10n },
  });
  // Let every member fill up to the cap.
  await networkHelpers.time.increase(14 * DAY);
  return ctx;
}

async function addressesOf(ctx: Ctx) {
  return {
    timelock: await ctx.coop.timelock.getAddress(),
    governor: await ctx.coop.governor.getAddress(),
    card: await ctx.coop.card.getAddress(),
    credits: await ctx.coop.credits.getAddress(),
  };
}

/** Current holders of `role` among every account the timelock ever granted it to (from the RoleGranted log). */
async function roleHolders(ctx: Ctx, role: string): Promise<string[]> {
  const { timelock } = ctx.coop;
  const granted = await timelock.queryFilter(timelock.filters.RoleGranted(role), ctx.coop.deployBlock);
  const candidates = [...new Set(granted.map((e) => e.args.account))];
  const holders: string[] = [];
  for (const account of candidates) if (await timelock.hasRole(role, account)) holders.push(account);
  return holders;
}

describe("MutualGovernor", function () {
  describe("after deployCoop, no EOA holds any power", function () {
    it("gives the card and the credits to the timelock and lets only the governor spend credits", async function () {
      const ctx = await loadFixture(coopFixture);
      const { card, credits, governor } = ctx.coop;
      const a = await addressesOf(ctx);
      expect(await card.owner()).to.equal(a.timelock);
      expect(await credits.owner()).to.equal(a.timelock);
      expect(await credits.governor()).to.equal(a.governor);
      expect(await governor.timelock()).to.equal(a.timelock);
      expect(await governor.membershipCard()).to.equal(a.card);
      expect(await governor.voiceCredits()).to.equal(a.credits);
      expect(await card.voiceCredits()).to.equal(a.credits);
    });

    it("makes the governor the only proposer and canceller, the timelock its own only admin, and execution open to anyone", async function () {
      const ctx = await loadFixture(coopFixture);
      const { timelock } = ctx.coop;
      const a = await addressesOf(ctx);
      const ADMIN = await timelock.DEFAULT_ADMIN_ROLE();
      const PROPOSER = await timelock.PROPOSER_ROLE();
      const CANCELLER = await timelock.CANCELLER_ROLE();
      const EXECUTOR = await timelock.EXECUTOR_ROLE();

      expect(await roleHolders(ctx, PROPOSER)).to.deep.equal([a.governor]);
      expect(await roleHolders(ctx, CANCELLER)).to.deep.equal([a.governor]);
      expect(await roleHolders(ctx, ADMIN)).to.deep.equal([a.timelock]);
      expect(await roleHolders(ctx, EXECUTOR)).to.deep.equal([ZeroAddress]);
      expect(await timelock.getMinDelay()).to.equal(BigInt(ctx.coop.config.timelockDelay));

      for (const signer of await ethers.getSigners()) {
        for (const role of [ADMIN, PROPOSER, CANCELLER, EXECUTOR]) {
          expect(await timelock.hasRole(role, signer.address), `${signer.address} holds ${role}`).to.equal(false);
        }
      }
    });

    it("refuses card.admit/expel/reassign and credits.setSchedule/setGovernor from the old deployer or any EOA with OwnableUnauthorizedAccount, changing nothing", async function () {
      const ctx = await loadFixture(coopFixture);
      const { card, credits } = ctx.coop;
      const [newcomer] = ctx.outsiders;
      const member = ctx.members[0];
      for (const caller of [ctx.deployer, member, newcomer]) {
        const before = {
          members: await card.memberCount(),
          newcomer: await card.isMember(newcomer.address),
          schedules: await credits.scheduleCount(),
          schedule: arr(await credits.currentSchedule()),
          governor: await credits.governor(),
        };
        await expect(card.connect(caller).admit(newcomer.address))
          .to.be.revertedWithCustomError(card, "OwnableUnauthorizedAccount")
          .withArgs(caller.address);
        await expect(card.connect(caller).expel(member.address, "no reason"))
          .to.be.revertedWithCustomError(card, "OwnableUnauthorizedAccount")
          .withArgs(caller.address);
        await expect(card.connect(caller).reassign(member.address, newcomer.address))
          .to.be.revertedWithCustomError(card, "OwnableUnauthorizedAccount")
          .withArgs(caller.address);
        await expect(credits.connect(caller).setSchedule(DAY, 1_000n, 10_000n))
          .to.be.revertedWithCustomError(credits, "OwnableUnauthorizedAccount")
          .withArgs(caller.address);
        await expect(credits.connect(caller).setGovernor(caller.address))
          .to.be.revertedWithCustomError(credits, "OwnableUnauthorizedAccount")
          .withArgs(caller.address);
        expect({
          members: await card.memberCount(),
          newcomer: await card.isMember(newcomer.address),
          schedules: await credits.scheduleCount(),
          schedule: arr(await credits.currentSchedule()),
          governor: await credits.governor(),
        }).to.deep.equal(before);
      }
    });

    it("refuses the old deployer's timelock role grants and schedules with AccessControlUnauthorizedAccount", async function () {
      const ctx = await loadFixture(coopFixture);
      const { timelock, card } = ctx.coop;
      const { deployer } = ctx;
      const ADMIN = await timelock.DEFAULT_ADMIN_ROLE();
      const PROPOSER = await timelock.PROPOSER_ROLE();
      const CANCELLER = await timelock.CANCELLER_ROLE();
      await expect(timelock.connect(deployer).grantRole(PROPOSER, deployer.address))
        .to.be.revertedWithCustomError(timelock, "AccessControlUnauthorizedAccount")
        .withArgs(deployer.address, ADMIN);
      const data = card.interface.encodeFunctionData("admit", [deployer.address]);
      await expect(timelock.connect(deployer).schedule(await card.getAddress(), 0n, data, ZeroHash, ZeroHash, 2 * DAY))
        .to.be.revertedWithCustomError(timelock, "AccessControlUnauthorizedAccount")
        .withArgs(deployer.address, PROPOSER);
      await expect(timelock.connect(deployer).cancel(ZeroHash))
        .to.be.revertedWithCustomError(timelock, "AccessControlUnauthorizedAccount")
        .withArgs(deployer.address, CANCELLER);
      expect(await timelock.hasRole(PROPOSER, deployer.address)).to.equal(false);
      const opId = await timelock.hashOperation(await card.getAddress(), 0n, data, ZeroHash, ZeroHash);
      expect(await timelock.isOperation(opId)).to.equal(false);
    });
  });

  describe("proposing", function () {
    it("lets a member propose: stakes the deposit (ProposalDepositStaked, DepositHeld) and records proposer, snapshot, deadline and terms", async function () {
      const ctx = await loadFixture(coopFixture);
      const { governor, credits, card } = ctx.coop;
      const alice = ctx.members[0];
      const deposit = await governor.proposalDeposit();
      const quorumBps = await governor.quorumFraction();
      const balance = await credits.balanceOf(alice.address);
      const held = await credits.heldDeposits();
      const epoch = await credits.currentEpoch();
      const action = await noopAction(ctx);
      const description = "Repaint the shop front";
      const id = await governor.getProposalId([action.target], [0n], [action.data], keccakText(description));

      const tx = await governor.connect(alice).propose([action.target], [0n], [action.data], description);
      const at = await minedAt(ctx, tx);
      const snapshot = at + (await governor.votingDelay());
      const deadline = snapshot + (await governor.votingPeriod());
      await expect(tx).to.emit(governor, "ProposalDepositStaked").withArgs(id, alice.address, deposit);
      await expect(tx)
        .to.emit(credits, "DepositHeld")
        .withArgs(alice.address, epoch, deposit, balance - deposit);
      await expect(tx)
        .to.emit(governor, "ProposalCreated")
        .withArgs(id, alice.address, [action.target], [0n], anyValue, [action.data], snapshot, deadline, description);

      expect(await credits.balanceOf(alice.address)).to.equal(balance - deposit);
      expect(await credits.heldDeposits()).to.equal(held + deposit);
      expect(await credits.balanceOf(await governor.getAddress())).to.equal(held + deposit);
      expect(await governor.proposalProposer(id)).to.equal(alice.address);
      expect(await governor.proposalSnapshot(id)).to.equal(snapshot);
      expect(await governor.proposalDeadline(id)).to.equal(deadline);
      expect(arr(await governor.proposalTerms(id))).to.deep.equal([
        quorumBps,
        deposit,
        false,
        await card.cardOf(alice.address),
      ]);
      expect(await governor.state(id)).to.equal(ProposalState.Pending);
      // While pending, the quorum in members is not known yet.
      expect((await governor.proposalTally(id)).quorumMembers).to.equal(0n);
    });

    it("enumerates proposals in the order they were made (proposalCount, proposalIdAt) and panics past the end", async function () {
      const ctx = await loadFixture(coopFixture);
      const { governor } = ctx.coop;
      expect(await governor.proposalCount()).to.equal(0n);
      const made: bigint[] = [];
      for (const [i, proposer] of ctx.members.slice(0, 3).entries()) {
        made.push((await propose(ctx, proposer, `Proposal number ${i}`)).id);
        expect(await governor.proposalCount()).to.equal(BigInt(i + 1));
      }
      for (const [i, id] of made.entries()) expect(await governor.proposalIdAt(i)).to.equal(id);
      await expect(governor.proposalIdAt(made.length)).to.be.revertedWithPanic(PANIC_CODES.ARRAY_ACCESS_OUT_OF_BOUNDS);
    });

    it("refuses a proposal from a non-member with MutualGovernorNotMember(account); nothing is staked or recorded", async function () {
      const ctx = await loadFixture(coopFixture);
      const { governor } = ctx.coop;
      const stranger = ctx.outsiders[0];
      const action = await noopAction(ctx);
      await expectUnchanged(ctx, [], [stranger.address, await governor.getAddress()], async () => {
        await expect(governor.connect(stranger).propose([action.target], [0n], [action.data], "Let me in"))
          .to.be.revertedWithCustomError(governor, "MutualGovernorNotMember")
          .withArgs(stranger.address);
      });
      expect(await governor.proposalCount()).to.equal(0n);
    });

    it("refuses a proposal from a member who resigned with MutualGovernorNotMember(account)", async function () {
      const ctx = await loadFixture(coopFixture);
      const { governor, card } = ctx.coop;
      const leaver = ctx.members[4];
      await (await card.connect(leaver).resign()).wait();
      const action = await noopAction(ctx);
      await expectUnchanged(ctx, [], [leaver.address], async () => {
        await expect(governor.connect(leaver).propose([action.target], [0n], [action.data], "One last idea"))
          .to.be.revertedWithCustomError(governor, "MutualGovernorNotMember")
          .withArgs(leaver.address);
      });
      expect(await governor.proposalCount()).to.equal(0n);
    });

    it("refuses a proposal from a member short of the deposit with InsufficientCredits(member, deposit, available)", async function () {
      const ctx = await loadFixture(openProposalFixture);
      const { governor, credits } = ctx.coop;
      const spender = ctx.members[1];
      // Spend as many credits as possible on the open proposal first.
      await vote(ctx, ctx.p, spender, Support.For, isqrt(await credits.balanceOf(spender.address)));
      const available = await credits.balanceOf(spender.address);
      const deposit = await governor.proposalDeposit();
      expect(available).to.be.lessThan(deposit);
      const action = await noopAction(ctx);
      await expectUnchanged(ctx, [ctx.p.id], [spender.address], async () => {
        await expect(governor.connect(spender).propose([action.target], [0n], [action.data], "Cannot afford this"))
          .to.be.revertedWithCustomError(credits, "InsufficientCredits")
          .withArgs(spender.address, deposit, available);
      });
    });

    it("refuses the same proposal twice with GovernorUnexpectedProposalState and stakes no second deposit", async function () {
      const ctx = await loadFixture(coopFixture);
      const { governor } = ctx.coop;
      const p = await propose(ctx, ctx.members[0], "Duplicate me");
      const copycat = ctx.members[1];
      await expectUnchanged(ctx, [p.id], [copycat.address, ctx.members[0].address], async () => {
        await expect(governor.connect(copycat).propose(p.targets, p.values, p.calldatas, p.description))
          .to.be.revertedWithCustomError(governor, "GovernorUnexpectedProposalState")
          .withArgs(p.id, ProposalState.Pending, ZeroHash);
      });
    });
  });

  describe("voting", function () {
    it("charges n² credits for n votes (n = 1..10) and records receipt, nonce and tally", async function () {
      const ctx = await loadFixture(openProposalFixture);
      const { governor, credits } = ctx.coop;
      let forVotes = 0n;
      for (const [i, voter] of ctx.members.entries()) {
        const n = BigInt(i + 1);
        const before = await credits.balanceOf(voter.address);
        expect(await governor.hasVoted(ctx.p.id, voter.address)).to.equal(false);
        const params = encodeVotes(n);
        await expect(governor.connect(voter).castVoteWithReasonAndParams(ctx.p.id, Support.For, `${n} votes`, params))
          .to.emit(governor, "VoteCastWithParams")
          .withArgs(voter.address, ctx.p.id, Support.For, n, `${n} votes`, params);
        forVotes += n;
        expect(await credits.balanceOf(voter.address)).to.equal(before - voteCost(n));
        expect(arr(await governor.receiptOf(ctx.p.id, voter.address))).to.deep.equal([true, 1n, n, voteCost(n)]);
        expect(await governor.ballotNonce(ctx.p.id, voter.address)).to.equal(1n);
        expect(await governor.hasVoted(ctx.p.id, voter.address)).to.equal(true);
      }
      const members = BigInt(ctx.members.length);
      expect(arr(await governor.proposalTally(ctx.p.id))).to.deep.equal([
        forVotes,
        0n,
        members,
        0n,
        0n,
        quorumFor(members, BigInt(ctx.coop.config.quorumBps)),
      ]);
      expect(arr(await governor.proposalVotes(ctx.p.id))).to.deep.equal([0n, forVotes, 0n]);
    });

    it("charges only the marginal cost of a top-up, so the member's total is always (total votes)²", async function () {
      const ctx = await loadFixture(openProposalFixture);
      const { governor, credits } = ctx.coop;
      const voter = ctx.members[1];
      const start = await credits.balanceOf(voter.address);
      let total = 0n;
      for (const added of [3n, 2n, 1n]) {
        const before = await credits.balanceOf(voter.address);
        await vote(ctx, ctx.p, voter, Support.For, added);
        expect(await credits.balanceOf(voter.address)).to.equal(before - marginalCost(total, added));
        total += added;
        expect(start - (await credits.balanceOf(voter.address))).to.equal(voteCost(total));
      }
      expect(arr(await governor.receiptOf(ctx.p.id, voter.address))).to.deep.equal([true, 1n, total, voteCost(total)]);
      expect(await governor.ballotNonce(ctx.p.id, voter.address)).to.equal(3n);
      const tally = await governor.proposalTally(ctx.p.id);
      expect(tally.forVotes).to.equal(total);
      expect(tally.forVoters).to.equal(1n);
    });

    it("counts castVote as one vote costing one credit and emits VoteCast without params", async function () {
      const ctx = await loadFixture(openProposalFixture);
      const { governor, credits } = ctx.coop;
      const voter = ctx.members[2];
      const before = await credits.balanceOf(voter.address);
      await expect(governor.connect(voter).castVote(ctx.p.id, Support.Against))
        .to.emit(governor, "VoteCast")
        .withArgs(voter.address, ctx.p.id, Support.Against, 1n, "");
      expect(await credits.balanceOf(voter.address)).to.equal(before - voteCost(1n));
      expect(arr(await governor.receiptOf(ctx.p.id, voter.address))).to.deep.equal([true, 0n, 1n, voteCost(1n)]);
      const tally = await governor.proposalTally(ctx.p.id);
      expect([tally.againstVotes, tally.againstVoters, tally.forVotes, tally.forVoters]).to.deep.equal([
        1n,
        1n,
        0n,
        0n,
      ]);
    });

    it("lets a member abstain for free: counted as present, no votes, whatever params say", async function () {
      const ctx = await loadFixture(openProposalFixture);
      const { governor, credits } = ctx.coop;
      const [, quiet, quieter] = ctx.members;
      const before = [await credits.balanceOf(quiet.address), await credits.balanceOf(quieter.address)];
      await expect(governor.connect(quiet).castVote(ctx.p.id, Support.Abstain))
        .to.emit(governor, "VoteCast")
        .withArgs(quiet.address, ctx.p.id, Support.Abstain, 0n, "");
      await expect(governor.connect(quieter).castVoteWithReasonAndParams(ctx.p.id, Support.Abstain, "", encodeVotes(5)))
        .to.emit(governor, "VoteCastWithParams")
        .withArgs(quieter.address, ctx.p.id, Support.Abstain, 0n, "", encodeVotes(5));
      expect([await credits.balanceOf(quiet.address), await credits.balanceOf(quieter.address)]).to.deep.equal(before);
      for (const m of [quiet, quieter]) {
        expect(arr(await governor.receiptOf(ctx.p.id, m.address))).to.deep.equal([true, 2n, 0n, 0n]);
        expect(await governor.hasVoted(ctx.p.id, m.address)).to.equal(true);
      }
      expect(arr(await governor.proposalVotes(ctx.p.id))).to.deep.equal([0n, 0n, 2n]);
      expect((await governor.proposalTally(ctx.p.id)).abstainVoters).to.equal(2n);
    });

    it("reports both sides in votes and in members (proposalTally, proposalVotes) and hasVoted only for voters", async function () {
      const ctx = await loadFixture(openProposalFixture);
      const { governor } = ctx.coop;
      const [a, b, c, d, e] = ctx.members;
      await vote(ctx, ctx.p, a, Support.For, 3n);
      await vote(ctx, ctx.p, b, Support.Against, 2n);
      await vote(ctx, ctx.p, c, Support.For, 4n);
      await vote(ctx, ctx.p, d, Support.Abstain, 0n);
      const t = await governor.proposalTally(ctx.p.id);
      expect([t.forVotes, t.againstVotes, t.forVoters, t.againstVoters, t.abstainVoters]).to.deep.equal([
        7n,
        2n,
        2n,
        1n,
        1n,
      ]);
      expect(arr(await governor.proposalVotes(ctx.p.id))).to.deep.equal([2n, 7n, 1n]);
      expect(await governor.hasVoted(ctx.p.id, e.address)).to.equal(false);
      expect(arr(await governor.receiptOf(ctx.p.id, e.address))).to.deep.equal([false, 0n, 0n, 0n]);
      expect(await governor.ballotNonce(ctx.p.id, e.address)).to.equal(0n);
    });
  });

  describe("refused votes change nothing", function () {
    it("refuses a non-member with MutualGovernorNotEligible(voter, snapshot)", async function () {
      const ctx = await loadFixture(openProposalFixture);
      const stranger = ctx.outsiders[0];
      await expectNotEligible(ctx, ctx.p.id, [stranger], [Support.For, Support.Abstain]);
    });

    it("refuses flash membership: a member admitted by governance after the snapshot cannot vote on that proposal (but can on a later one)", async function () {
      const ctx = await loadFixture(coopFixture);
      const { governor, card, credits } = ctx.coop;
      const newcomer = ctx.outsiders[0];
      const { target } = await governWhileOpen(
        ctx,
        [await call(card, "admit", [newcomer.address])],
        "Admit a newcomer",
      );
      const snapshot = await governor.proposalSnapshot(target.id);
      expect(await card.isMember(newcomer.address)).to.equal(true);
      expect(await card.memberSince(newcomer.address)).to.be.greaterThan(snapshot);
      expect(await credits.balanceOf(newcomer.address)).to.be.greaterThan(0n);

      await expectUnchanged(ctx, [target.id], [newcomer.address], async () => {
        await expect(governor.connect(newcomer).castVoteWithReasonAndParams(target.id, Support.For, "", encodeVotes(3)))
          .to.be.revertedWithCustomError(governor, "MutualGovernorNotEligible")
          .withArgs(newcomer.address, snapshot);
        await expect(governor.connect(newcomer).castVote(target.id, Support.Abstain))
          .to.be.revertedWithCustomError(governor, "MutualGovernorNotEligible")
          .withArgs(newcomer.address, snapshot);
      });

      // A proposal made after the admission is open to the newcomer.
      const later = await propose(ctx, ctx.members[1], "Welcome party");
      await startVoting(ctx, later);
      const before = await credits.balanceOf(newcomer.address);
      await vote(ctx, later, newcomer, Support.For, 2n);
      expect(await credits.balanceOf(newcomer.address)).to.equal(before - voteCost(2n));
    });

    it("refuses a member who was re-admitted during the vote: membership must be continuous since the snapshot", async function () {
      const ctx = await loadFixture(coopFixture);
      const { governor, card } = ctx.coop;
      const returner = ctx.members[6];
      const { target } = await governWhileOpen(
        ctx,
        [await call(card, "admit", [returner.address])],
        "Re-admit a former member",
        {
          exclude: [returner.address],
          beforeExecute: async () => {
            await (await card.connect(returner).resign()).wait();
          },
        },
      );
      const snapshot = await governor.proposalSnapshot(target.id);
      expect(await card.isMember(returner.address)).to.equal(true);
      expect(await card.wasMemberAt(returner.address, snapshot)).to.equal(true);
      await expectNotEligible(ctx, target.id, [returner]);
    });

    it("refuses both addresses of a card reassigned during the vote", async function () {
      const ctx = await loadFixture(coopFixture);
      const { card } = ctx.coop;
      const lostKey = ctx.members[5];
      const newKey = ctx.outsiders[0];
      const { target } = await governWhileOpen(
        ctx,
        [await call(card, "reassign", [lostKey.address, newKey.address])],
        "Move a card to a new key",
        {
          exclude: [lostKey.address],
        },
      );
      expect(await card.isMember(newKey.address)).to.equal(true);
      await expectNotEligible(ctx, target.id, [lostKey, newKey]);
    });

    it("refuses a member who resigned during the vote with MutualGovernorNotEligible(voter, snapshot)", async function () {
      const ctx = await loadFixture(openProposalFixture);
      const { card } = ctx.coop;
      const leaver = ctx.members[5];
      await (await card.connect(leaver).resign()).wait();
      await expectNotEligible(ctx, ctx.p.id, [leaver], [Support.Against]);
    });

    it("refuses a member expelled by governance during the vote with MutualGovernorNotEligible(voter, snapshot)", async function () {
      const ctx = await loadFixture(coopFixture);
      const { governor, card } = ctx.coop;
      const expelled = ctx.members[7];
      const { target } = await governWhileOpen(
        ctx,
        [await call(card, "expel", [expelled.address, "broke the rules"])],
        "Expel a member",
        {
          exclude: [expelled.address],
        },
      );
      const snapshot = await governor.proposalSnapshot(target.id);
      expect(await card.isMember(expelled.address)).to.equal(false);
      expect(await card.wasMemberAt(expelled.address, snapshot)).to.equal(true);
      await expectNotEligible(ctx, target.id, [expelled]);
    });

    it("refuses votes beyond the member's budget with InsufficientCredits(voter, cost, available)", async function () {
      const ctx = await loadFixture(openProposalFixture);
      const { governor, credits } = ctx.coop;
      const voter = ctx.members[3];
      const available = await credits.balanceOf(voter.address);
      const tooMany = isqrt(available) + 1n;
      await expectUnchanged(ctx, [ctx.p.id], [voter.address], async () => {
        await expect(
          governor.connect(voter).castVoteWithReasonAndParams(ctx.p.id, Support.For, "", encodeVotes(tooMany)),
        )
          .to.be.revertedWithCustomError(credits, "InsufficientCredits")
          .withArgs(voter.address, voteCost(tooMany), available);
      });
      // The most the budget allows still counts.
      await vote(ctx, ctx.p, voter, Support.For, isqrt(available));
      expect(await credits.balanceOf(voter.address)).to.equal(available - voteCost(isqrt(available)));
    });

    it("refuses a top-up whose marginal cost exceeds what is left with InsufficientCredits(voter, marginal cost, available)", async function () {
      const ctx = await loadFixture(openProposalFixture);
      const { governor, credits } = ctx.coop;
      const voter = ctx.members[3];
      await vote(ctx, ctx.p, voter, Support.For, 6n);
      const left = await credits.balanceOf(voter.address);
      const added = isqrt(left + voteCost(6n)) - 6n + 1n; // one more than the budget allows
      await expectUnchanged(ctx, [ctx.p.id], [voter.address], async () => {
        await expect(governor.connect(voter).castVoteWithReasonAndParams(ctx.p.id, Support.For, "", encodeVotes(added)))
          .to.be.revertedWithCustomError(credits, "InsufficientCredits")
          .withArgs(voter.address, marginalCost(6n, added), left);
      });
    });

    it("refuses switching sides with MutualGovernorCannotSwitchSides(voter, previousSupport)", async function () {
      const ctx = await loadFixture(openProposalFixture);
      const { governor } = ctx.coop;
      const [, yes, no, neutral] = ctx.members;
      await vote(ctx, ctx.p, yes, Support.For, 2n);
      await vote(ctx, ctx.p, no, Support.Against, 1n);
      await vote(ctx, ctx.p, neutral, Support.Abstain, 0n);
      const cases: [typeof yes, number, number][] = [
        [yes, Support.Against, Support.For],
        [yes, Support.Abstain, Support.For],
        [no, Support.For, Support.Against],
        [no, Support.Abstain, Support.Against],
        [neutral, Support.For, Support.Abstain],
        [neutral, Support.Against, Support.Abstain],
      ];
      await expectUnchanged(ctx, [ctx.p.id], [yes.address, no.address, neutral.address], async () => {
        for (const [voter, support, previous] of cases) {
          await expect(governor.connect(voter).castVoteWithReasonAndParams(ctx.p.id, support, "", encodeVotes(1)))
            .to.be.revertedWithCustomError(governor, "MutualGovernorCannotSwitchSides")
            .withArgs(voter.address, previous);
        }
      });
    });

    it("refuses a second abstention with GovernorAlreadyCastVote(voter)", async function () {
      const ctx = await loadFixture(openProposalFixture);
      const { governor } = ctx.coop;
      const neutral = ctx.members[2];
      await vote(ctx, ctx.p, neutral, Support.Abstain, 0n);
      await expectUnchanged(ctx, [ctx.p.id], [neutral.address], async () => {
        await expect(governor.connect(neutral).castVote(ctx.p.id, Support.Abstain))
          .to.be.revertedWithCustomError(governor, "GovernorAlreadyCastVote")
          .withArgs(neutral.address);
      });
    });

    it("refuses zero votes, first or as a top-up, with MutualGovernorZeroVotes(voter)", async function () {
      const ctx = await loadFixture(openProposalFixture);
      const { governor } = ctx.coop;
      const [, fresh, topper] = ctx.members;
      await vote(ctx, ctx.p, topper, Support.Against, 2n);
      await expectUnchanged(ctx, [ctx.p.id], [fresh.address, topper.address], async () => {
        await expect(governor.connect(fresh).castVoteWithReasonAndParams(ctx.p.id, Support.For, "", encodeVotes(0)))
          .to.be.revertedWithCustomError(governor, "MutualGovernorZeroVotes")
          .withArgs(fresh.address);
        await expect(
          governor.connect(topper).castVoteWithReasonAndParams(ctx.p.id, Support.Against, "", encodeVotes(0)),
        )
          .to.be.revertedWithCustomError(governor, "MutualGovernorZeroVotes")
          .withArgs(topper.address);
      });
    });

    it("refuses malformed vote params with MutualGovernorInvalidVoteParams(params)", async function () {
      const ctx = await loadFixture(openProposalFixture);
      const { governor } = ctx.coop;
      const voter = ctx.members[1];
      const malformed = [
        "0x01",
        "0x" + "00".repeat(31), // 31 bytes
        coder.encode(["uint256", "uint256"], [1, 1]), // 64 bytes
        encodeVotes(2) + "00", // 33 bytes
      ];
      await expectUnchanged(ctx, [ctx.p.id], [voter.address], async () => {
        for (const params of malformed) {
          await expect(governor.connect(voter).castVoteWithReasonAndParams(ctx.p.id, Support.For, "", params))
            .to.be.revertedWithCustomError(governor, "MutualGovernorInvalidVoteParams")
            .withArgs(params);
        }
      });
    });

    it("refuses more votes than any balance could pay for with MutualGovernorTooManyVotes(voter, votes)", async function () {
      const ctx = await loadFixture(openProposalFixture);
      const { governor } = ctx.coop;
      const voter = ctx.members[1];
      const maxPerMember = (1n << 24n) - 1n;
      await expectUnchanged(ctx, [ctx.p.id], [voter.address], async () => {
        for (const votes of [maxPerMember + 1n, (1n << 256n) - 1n]) {
          await expect(
            governor.connect(voter).castVoteWithReasonAndParams(ctx.p.id, Support.For, "", encodeVotes(votes)),
          )
            .to.be.revertedWithCustomError(governor, "MutualGovernorTooManyVotes")
            .withArgs(voter.address, votes);
        }
      });
    });

    it("refuses an invalid side with GovernorInvalidVoteType()", async function () {
      const ctx = await loadFixture(openProposalFixture);
      const { governor } = ctx.coop;
      const voter = ctx.members[1];
      await expectUnchanged(ctx, [ctx.p.id], [voter.address], async () => {
        for (const support of [3, 255]) {
          await expect(governor.connect(voter).castVote(ctx.p.id, support))
            .to.be.revertedWithCustomError(governor, "GovernorInvalidVoteType")
            .withArgs();
          await expect(governor.connect(voter).castVoteWithReasonAndParams(ctx.p.id, support, "", encodeVotes(1)))
            .to.be.revertedWithCustomError(governor, "GovernorInvalidVoteType")
            .withArgs();
        }
      });
    });

    it("refuses votes before the snapshot and after the deadline with GovernorUnexpectedProposalState, and on an unknown id with GovernorNonexistentProposal", async function () {
      const ctx = await loadFixture(coopFixture);
      const { governor } = ctx.coop;
      const voter = ctx.members[1];
      const p = await propose(ctx, ctx.members[0], "Too early, too late");
      await expectUnchanged(ctx, [p.id], [voter.address], async () => {
        await expect(governor.connect(voter).castVote(p.id, Support.For))
          .to.be.revertedWithCustomError(governor, "GovernorUnexpectedProposalState")
          .withArgs(p.id, ProposalState.Pending, stateBitmap(ProposalState.Active));
      });
      await endVoting(ctx, p);
      await expectUnchanged(ctx, [p.id], [voter.address], async () => {
        await expect(governor.connect(voter).castVote(p.id, Support.For))
          .to.be.revertedWithCustomError(governor, "GovernorUnexpectedProposalState")
          .withArgs(p.id, ProposalState.Defeated, stateBitmap(ProposalState.Active));
      });
      const unknown = p.id + 1n;
      await expect(governor.connect(voter).castVote(unknown, Support.For))
        .to.be.revertedWithCustomError(governor, "GovernorNonexistentProposal")
        .withArgs(unknown);
    });
  });

  describe("quorum counts members", function () {
    for (const bps of [1n, 2000n, 2500n, 3333n, 10_000n]) {
      it(`needs ceil(10 members × ${bps} bps) voters, at least one`, async function () {
        const ctx = await deployCoopWithMembers(connection, { config: { quorumBps: Number(bps) } });
        const { governor, card } = ctx.coop;
        const p = await propose(ctx, ctx.members[0], `Quorum at ${bps} bps`);
        await startVoting(ctx, p);
        const snapshot = await governor.proposalSnapshot(p.id);
        const expected = quorumFor(await card.memberCountAt(snapshot), bps);
        expect((await governor.proposalTally(p.id)).quorumMembers).to.equal(expected);
        expect(await governor.quorum(snapshot)).to.equal(expected);
        expect((await governor.proposalTerms(p.id)).quorumBps).to.equal(bps);
      });
    }

    it("10 members at 20% need 2 voters: one voter (even with many votes) is not enough", async function () {
      const ctx = await loadFixture(openProposalFixture);
      const { governor } = ctx.coop;
      const needed = quorumFor(BigInt(ctx.members.length), BigInt(ctx.coop.config.quorumBps));
      expect(needed).to.equal(2n);
      await vote(ctx, ctx.p, ctx.members[1], Support.For, 9n);
      await endVoting(ctx, ctx.p);
      expect(await governor.state(ctx.p.id)).to.equal(ProposalState.Defeated);
      const t = await governor.proposalTally(ctx.p.id);
      expect([t.forVotes, t.forVoters, t.quorumMembers]).to.deep.equal([9n, 1n, needed]);
    });

    it("10 members at 20% need 2 voters: two voters meet it and the proposal succeeds", async function () {
      const ctx = await loadFixture(openProposalFixture);
      const { governor } = ctx.coop;
      await vote(ctx, ctx.p, ctx.members[1], Support.For, 1n);
      await vote(ctx, ctx.p, ctx.members[2], Support.For, 1n);
      await endVoting(ctx, ctx.p);
      expect(await governor.state(ctx.p.id)).to.equal(ProposalState.Succeeded);
    });

    it("counts an abstaining member toward quorum", async function () {
      const ctx = await loadFixture(openProposalFixture);
      const { governor } = ctx.coop;
      await vote(ctx, ctx.p, ctx.members[1], Support.For, 1n);
      await vote(ctx, ctx.p, ctx.members[2], Support.Abstain, 0n);
      await endVoting(ctx, ctx.p);
      expect(await governor.state(ctx.p.id)).to.equal(ProposalState.Succeeded);
    });

    it("keeps a proposal's quorum when members are admitted after its snapshot", async function () {
      const ctx = await loadFixture(coopFixture);
      const { governor, card } = ctx.coop;
      const newcomers = ctx.outsiders.slice(0, 3);
      const actions = await Promise.all(newcomers.map((n) => call(card, "admit", [n.address])));
      const { target } = await governWhileOpen(ctx, actions, "Admit three new members");
      const snapshot = await governor.proposalSnapshot(target.id);
      const before = BigInt(ctx.members.length);
      const after = before + BigInt(newcomers.length);
      const bps = BigInt(ctx.coop.config.quorumBps);
      expect(await card.memberCount()).to.equal(after);
      expect(await card.memberCountAt(snapshot)).to.equal(before);
      expect(quorumFor(after, bps)).to.be.greaterThan(quorumFor(before, bps));

      expect((await governor.proposalTally(target.id)).quorumMembers).to.equal(quorumFor(before, bps));
      await networkHelpers.mine();
      expect(await governor.quorum(BigInt(await networkHelpers.time.latest()) - 1n)).to.equal(quorumFor(after, bps));

      for (const voter of ctx.members.slice(1, 1 + Number(quorumFor(before, bps))))
        await vote(ctx, target, voter, Support.For, 1n);
      expect((await governor.proposalTally(target.id)).quorumMembers).to.equal(quorumFor(before, bps));
      await endVoting(ctx, target);
      expect(await governor.state(target.id)).to.equal(ProposalState.Succeeded);
    });
  });

  describe("passing and defeat", function () {
    it("passes with quorum and more votes for than against", async function () {
      const ctx = await loadFixture(openProposalFixture);
      const { governor } = ctx.coop;
      await vote(ctx, ctx.p, ctx.members[1], Support.For, 3n);
      await vote(ctx, ctx.p, ctx.members[2], Support.Against, 2n);
      await endVoting(ctx, ctx.p);
      expect(await governor.state(ctx.p.id)).to.equal(ProposalState.Succeeded);
    });

    it("defeats a tie", async function () {
      const ctx = await loadFixture(openProposalFixture);
      const { governor } = ctx.coop;
      await vote(ctx, ctx.p, ctx.members[1], Support.For, 2n);
      await vote(ctx, ctx.p, ctx.members[2], Support.Against, 2n);
      await endVoting(ctx, ctx.p);
      const t = await governor.proposalTally(ctx.p.id);
      expect(t.forVotes).to.equal(t.againstVotes);
      expect(await governor.state(ctx.p.id)).to.equal(ProposalState.Defeated);
    });

    it("defeats more votes against than for", async function () {
      const ctx = await loadFixture(openProposalFixture);
      const { governor } = ctx.coop;
      await vote(ctx, ctx.p, ctx.members[1], Support.For, 2n);
      await vote(ctx, ctx.p, ctx.members[2], Support.Against, 3n);
      await endVoting(ctx, ctx.p);
      expect(await governor.state(ctx.p.id)).to.equal(ProposalState.Defeated);
    });

    it("decides by quadratic votes, not by heads, once quorum is met", async function () {
      const ctx = await loadFixture(openProposalFixture);
      const { governor } = ctx.coop;
      await vote(ctx, ctx.p, ctx.members[1], Support.For, 4n);
      for (const m of ctx.members.slice(2, 5)) await vote(ctx, ctx.p, m, Support.Against, 1n);
      await endVoting(ctx, ctx.p);
      const t = await governor.proposalTally(ctx.p.id);
      expect(t.forVoters).to.be.lessThan(t.againstVoters);
      expect(await governor.state(ctx.p.id)).to.equal(ProposalState.Succeeded);
    });
  });

  describe("late quorum", function () {
    it("extends the deadline to (vote time + lateQuorumVoteExtension) when quorum is first reached near the end", async function () {
      const ctx = await loadFixture(openProposalFixture);
      const { governor } = ctx.coop;
      const deadline = await governor.proposalDeadline(ctx.p.id);
      const extension = await governor.lateQuorumVoteExtension();
      await vote(ctx, ctx.p, ctx.members[1], Support.For, 1n);
      await networkHelpers.time.setNextBlockTimestamp(deadline - 100n);
      const tx = await governor.connect(ctx.members[2]).castVote(ctx.p.id, Support.For);
      const at = await minedAt(ctx, tx);
      const extended = at + extension;
      expect(extended).to.be.greaterThan(deadline);
      await expect(tx).to.emit(governor, "ProposalExtended").withArgs(ctx.p.id, extended);
      expect(await governor.proposalDeadline(ctx.p.id)).to.equal(extended);

      // Still open after the original deadline: another member can still vote.
      await networkHelpers.time.increaseTo(deadline + 1n);
      expect(await governor.state(ctx.p.id)).to.equal(ProposalState.Active);
      await vote(ctx, ctx.p, ctx.members[3], Support.Against, 1n);
      expect(await governor.proposalDeadline(ctx.p.id)).to.equal(extended);
      await networkHelpers.time.increaseTo(extended);
      expect(await governor.state(ctx.p.id)).to.equal(ProposalState.Active);
      await networkHelpers.time.increaseTo(extended + 1n);
      expect(await governor.state(ctx.p.id)).to.equal(ProposalState.Succeeded);
    });

    it("does not move the deadline (and emits no ProposalExtended) when quorum is reached early", async function () {
      const ctx = await loadFixture(openProposalFixture);
      const { governor } = ctx.coop;
      const deadline = await governor.proposalDeadline(ctx.p.id);
      await vote(ctx, ctx.p, ctx.members[1], Support.For, 1n);
      const tx = governor.connect(ctx.members[2]).castVote(ctx.p.id, Support.For);
      await expect(tx).to.not.emit(governor, "ProposalExtended");
      const t = await governor.proposalTally(ctx.p.id);
      expect(t.forVoters).to.equal(t.quorumMembers);
      expect(await governor.proposalDeadline(ctx.p.id)).to.equal(deadline);
    });

    it("extends only once: votes after quorum was reached never move the deadline again", async function () {
      const ctx = await loadFixture(openProposalFixture);
      const { governor } = ctx.coop;
      const deadline = await governor.proposalDeadline(ctx.p.id);
      await vote(ctx, ctx.p, ctx.members[1], Support.For, 1n);
      await networkHelpers.time.setNextBlockTimestamp(deadline - 10n);
      await vote(ctx, ctx.p, ctx.members[2], Support.For, 1n);
      const extended = await governor.proposalDeadline(ctx.p.id);
      expect(extended).to.be.greaterThan(deadline);
      await networkHelpers.time.setNextBlockTimestamp(extended - 10n);
      const tx = governor.connect(ctx.members[3]).castVote(ctx.p.id, Support.Against);
      await expect(tx).to.not.emit(governor, "ProposalExtended");
      expect(await governor.proposalDeadline(ctx.p.id)).to.equal(extended);
    });
  });

  describe("deposit settlement", function () {
    it("refuses to settle while Pending or Active with MutualGovernorDepositNotSettleable(id, state)", async function () {
      const ctx = await loadFixture(coopFixture);
      const { governor } = ctx.coop;
      const p = await propose(ctx, ctx.members[0], "Settle me too soon");
      const accounts = [ctx.members[0].address, await governor.getAddress()];
      await expectUnchanged(ctx, [p.id], accounts, async () => {
        await expect(governor.settleDeposit(p.id))
          .to.be.revertedWithCustomError(governor, "MutualGovernorDepositNotSettleable")
          .withArgs(p.id, ProposalState.Pending);
      });
      await startVoting(ctx, p);
      await vote(ctx, p, ctx.members[1], Support.For, 1n);
      await vote(ctx, p, ctx.members[2], Support.For, 1n);
      await expectUnchanged(ctx, [p.id], accounts, async () => {
        await expect(governor.settleDeposit(p.id))
          .to.be.revertedWithCustomError(governor, "MutualGovernorDepositNotSettleable")
          .withArgs(p.id, ProposalState.Active);
      });
      expect((await governor.proposalTerms(p.id)).depositSettled).to.equal(false);
    });

    it("returns the deposit when quorum is met and against < 2×for, even if the proposal is defeated; anyone may settle", async function () {
      const ctx = await loadFixture(openProposalFixture);
      const { governor, credits } = ctx.coop;
      const proposer = ctx.members[0];
      await vote(ctx, ctx.p, ctx.members[1], Support.For, 3n);
      await vote(ctx, ctx.p, ctx.members[2], Support.Against, 5n);
      await endVoting(ctx, ctx.p);
      expect(await governor.state(ctx.p.id)).to.equal(ProposalState.Defeated);
      const [against, forVotes] = await governor.proposalVotes(ctx.p.id);
      expect(against < 2n * forVotes).to.equal(true);

      const deposit = (await governor.proposalTerms(ctx.p.id)).deposit;
      const balance = await credits.balanceOf(proposer.address);
      const held = await credits.heldDeposits();
      const epoch = await credits.currentEpoch();
      const settler = ctx.outsiders[0];
      expect(await governor.connect(settler).settleDeposit.staticCall(ctx.p.id)).to.equal(true);
      const tx = governor.connect(settler).settleDeposit(ctx.p.id);
      await expect(tx)
        .to.emit(governor, "ProposalDepositSettled")
        .withArgs(ctx.p.id, proposer.address, deposit, true, deposit);
      await expect(tx).to.emit(credits, "DepositReturned").withArgs(proposer.address, epoch, deposit, deposit);
      expect(await credits.balanceOf(proposer.address)).to.equal(balance + deposit);
      expect(await credits.heldDeposits()).to.equal(held - deposit);
      expect((await governor.proposalTerms(ctx.p.id)).depositSettled).to.equal(true);
    });

    it("burns the deposit when quorum is not met", async function () {
      const ctx = await loadFixture(openProposalFixture);
      const { governor, credits } = ctx.coop;
      const proposer = ctx.members[0];
      await vote(ctx, ctx.p, ctx.members[1], Support.For, 5n);
      await endVoting(ctx, ctx.p);
      const t = await governor.proposalTally(ctx.p.id);
      expect(t.forVoters + t.againstVoters + t.abstainVoters).to.be.lessThan(t.quorumMembers);
      const deposit = (await governor.proposalTerms(ctx.p.id)).deposit;
      const balance = await credits.balanceOf(proposer.address);
      const held = await credits.heldDeposits();
      expect(await governor.settleDeposit.staticCall(ctx.p.id)).to.equal(false);
      const tx = governor.settleDeposit(ctx.p.id);
      await expect(tx)
        .to.emit(governor, "ProposalDepositSettled")
        .withArgs(ctx.p.id, proposer.address, deposit, false, 0n);
      await expect(tx).to.emit(credits, "DepositBurned").withArgs(deposit);
      await expect(tx).to.not.emit(credits, "DepositReturned");
      expect(await credits.balanceOf(proposer.address)).to.equal(balance);
      expect(await credits.heldDeposits()).to.equal(held - deposit);
    });

    it("burns the deposit when against ≥ 2×for (exactly twice) and returns it at one vote less", async function () {
      const ctx = await loadFixture(coopFixture);
      const { governor, credits } = ctx.coop;
      const proposer = ctx.members[0];
      const burned = await propose(ctx, proposer, "Rejected by a wide margin");
      const kept = await propose(ctx, proposer, "Rejected by a narrow margin");
      await startVoting(ctx, kept);
      await vote(ctx, burned, ctx.members[1], Support.For, 2n);
      await vote(ctx, burned, ctx.members[2], Support.Against, 4n);
      await vote(ctx, kept, ctx.members[3], Support.For, 2n);
      await vote(ctx, kept, ctx.members[4], Support.Against, 3n);
      await endVoting(ctx, kept);
      const [againstBurned, forBurned] = await governor.proposalVotes(burned.id);
      expect(againstBurned).to.equal(2n * forBurned);
      const [againstKept, forKept] = await governor.proposalVotes(kept.id);
      expect(againstKept).to.equal(2n * forKept - 1n);

      const deposit = await governor.proposalDeposit();
      const balance = await credits.balanceOf(proposer.address);
      await expect(governor.settleDeposit(burned.id))
        .to.emit(governor, "ProposalDepositSettled")
        .withArgs(burned.id, proposer.address, deposit, false, 0n);
      expect(await credits.balanceOf(proposer.address)).to.equal(balance);
      await expect(governor.settleDeposit(kept.id))
        .to.emit(governor, "ProposalDepositSettled")
        .withArgs(kept.id, proposer.address, deposit, true, deposit);
      expect(await credits.balanceOf(proposer.address)).to.equal(balance + deposit);
      expect(await credits.heldDeposits()).to.equal(0n);
    });

    it("caps a returned deposit at maxBalance and burns the excess", async function () {
      const ctx = await loadFixture(tightCapFixture);
      const { governor, credits } = ctx.coop;
      const proposer = ctx.members[0];
      const cap = (await credits.currentSchedule()).maxBalance;
      expect(await credits.balanceOf(proposer.address)).to.equal(cap);
      const p = await propose(ctx, proposer, "Settle into a full account");
      await startVoting(ctx, p);
      await vote(ctx, p, ctx.members[1], Support.For, 1n);
      await vote(ctx, p, ctx.members[2], Support.For, 1n);
      await endVoting(ctx, p);

      const deposit = (await governor.proposalTerms(p.id)).deposit;
      const balance = await credits.balanceOf(proposer.address);
      const room = cap - balance;
      const credited = room < deposit ? room : deposit;
      expect(credited).to.be.lessThan(deposit); // the cap bites
      const held = await credits.heldDeposits();
      const epoch = await credits.currentEpoch();
      const tx = governor.settleDeposit(p.id);
      await expect(tx)
        .to.emit(governor, "ProposalDepositSettled")
        .withArgs(p.id, proposer.address, deposit, true, credited);
      await expect(tx).to.emit(credits, "DepositReturned").withArgs(proposer.address, epoch, deposit, credited);
      expect(await credits.balanceOf(proposer.address)).to.equal(cap);
      expect(await credits.heldDeposits()).to.equal(held - deposit);
    });

    it("burns the deposit of a proposer who resigned, even when the vote would have returned it", async function () {
      const ctx = await loadFixture(openProposalFixture);
      const { governor, credits, card } = ctx.coop;
      const proposer = ctx.members[0];
      await vote(ctx, ctx.p, ctx.members[1], Support.For, 2n);
      await vote(ctx, ctx.p, ctx.members[2], Support.For, 1n);
      await (await card.connect(proposer).resign()).wait();
      await endVoting(ctx, ctx.p);
      expect(await governor.state(ctx.p.id)).to.equal(ProposalState.Succeeded);
      const deposit = (await governor.proposalTerms(ctx.p.id)).deposit;
      const held = await credits.heldDeposits();
      const tx = governor.settleDeposit(ctx.p.id);
      // The vote's rule says "return" (returned = true), but nobody is credited: the credits are destroyed.
      await expect(tx).to.emit(governor, "ProposalDepositSettled").withArgs(ctx.p.id, ZeroAddress, deposit, true, 0n);
      await expect(tx).to.emit(credits, "DepositBurned").withArgs(deposit);
      await expect(tx).to.not.emit(credits, "DepositReturned");
      expect(await credits.balanceOf(proposer.address)).to.equal(0n);
      expect(await credits.heldDeposits()).to.equal(held - deposit);
    });

    it("returns the deposit to the new key of a proposer whose card was reassigned during the vote", async function () {
      const ctx = await loadFixture(coopFixture);
      const { governor, credits, card } = ctx.coop;
      const lostKey = ctx.members[9];
      const newKey = ctx.outsiders[0];
      const cardId = await card.cardOf(lostKey.address);
      // The target proposal is made by `lostKey`; governance then moves that card to `newKey` while it is open.
      const { target } = await governWhileOpen(
        ctx,
        [await call(card, "reassign", [lostKey.address, newKey.address])],
        "Move a card to a new key",
        {
          targetProposer: lostKey,
          exclude: [lostKey.address],
        },
      );
      expect((await governor.proposalTerms(target.id)).proposerCard).to.equal(cardId);
      for (const voter of ctx.members.slice(0, 3)) await vote(ctx, target, voter, Support.For, 1n);
      await endVoting(ctx, target);
      expect(await governor.state(target.id)).to.equal(ProposalState.Succeeded);

      const deposit = (await governor.proposalTerms(target.id)).deposit;
      const before = await credits.balanceOf(newKey.address);
      const held = await credits.heldDeposits();
      const tx = governor.settleDeposit(target.id);
      await expect(tx)
        .to.emit(governor, "ProposalDepositSettled")
        .withArgs(target.id, newKey.address, deposit, true, deposit);
      await expect(tx).to.emit(credits, "DepositReturned").withArgs(newKey.address, anyValue, deposit, deposit);
      expect(await credits.balanceOf(newKey.address)).to.equal(before + deposit);
      expect(await credits.balanceOf(lostKey.address)).to.equal(0n);
      expect(await credits.heldDeposits()).to.equal(held - deposit);
    });

    it("refuses a second settlement with MutualGovernorDepositAlreadySettled(id); nothing moves", async function () {
      const ctx = await loadFixture(openProposalFixture);
      const { governor } = ctx.coop;
      await vote(ctx, ctx.p, ctx.members[1], Support.For, 1n);
      await vote(ctx, ctx.p, ctx.members[2], Support.For, 1n);
      await endVoting(ctx, ctx.p);
      await (await governor.settleDeposit(ctx.p.id)).wait();
      const accounts = [ctx.members[0].address, await governor.getAddress()];
      await expectUnchanged(ctx, [ctx.p.id], accounts, async () => {
        await expect(governor.settleDeposit(ctx.p.id))
          .to.be.revertedWithCustomError(governor, "MutualGovernorDepositAlreadySettled")
          .withArgs(ctx.p.id);
      });
    });

    it("refuses to settle an unknown proposal with GovernorNonexistentProposal(id)", async function () {
      const ctx = await loadFixture(coopFixture);
      const { governor, credits } = ctx.coop;
      const unknown = 12345n;
      await expect(governor.settleDeposit(unknown))
        .to.be.revertedWithCustomError(governor, "GovernorNonexistentProposal")
        .withArgs(unknown);
      expect(await credits.heldDeposits()).to.equal(0n);
    });
  });

  describe("timelock and governance-only parameters", function () {
    async function passedAdmission(ctx: Ctx) {
      const newcomer = ctx.outsiders[0];
      const p = await propose(ctx, ctx.members[0], "Admit a baker", [
        await call(ctx.coop.card, "admit", [newcomer.address]),
      ]);
      await startVoting(ctx, p);
      await vote(ctx, p, ctx.members[1], Support.For, 1n);
      await vote(ctx, p, ctx.members[2], Support.For, 1n);
      await endVoting(ctx, p);
      return { p, newcomer };
    }

    it("refuses execution before the timelock delay with TimelockController's TimelockUnexpectedOperationState(operationId, Ready)", async function () {
      const ctx = await loadFixture(coopFixture);
      const { governor, timelock, card } = ctx.coop;
      const { p, newcomer } = await passedAdmission(ctx);
      await (await governor.queue(p.targets, p.values, p.calldatas, p.descriptionHash)).wait();
      const opId = await timelockOperationId(ctx, p);
      const READY = 2n; // TimelockController.OperationState.Ready
      await expect(governor.execute(p.targets, p.values, p.calldatas, p.descriptionHash))
        .to.be.revertedWithCustomError(timelock, "TimelockUnexpectedOperationState")
        .withArgs(opId, stateBitmap(READY));
      expect(await governor.state(p.id)).to.equal(ProposalState.Queued);
      expect(await timelock.isOperationPending(opId)).to.equal(true);
      expect(await timelock.isOperationReady(opId)).to.equal(false);
      expect(await card.isMember(newcomer.address)).to.equal(false);

      await networkHelpers.time.increaseTo((await governor.proposalEta(p.id)) + 1n);
      await expect(governor.execute(p.targets, p.values, p.calldatas, p.descriptionHash))
        .to.emit(governor, "ProposalExecuted")
        .withArgs(p.id);
      expect(await card.isMember(newcomer.address)).to.equal(true);
      expect(await governor.state(p.id)).to.equal(ProposalState.Executed);
    });

    it("refuses execution of a passed proposal that was never queued with GovernorUnexpectedProposalState(id, Succeeded, Queued)", async function () {
      const ctx = await loadFixture(coopFixture);
      const { governor, timelock, card } = ctx.coop;
      const { p, newcomer } = await passedAdmission(ctx);
      expect(await governor.state(p.id)).to.equal(ProposalState.Succeeded);
      await expect(governor.execute(p.targets, p.values, p.calldatas, p.descriptionHash))
        .to.be.revertedWithCustomError(governor, "GovernorUnexpectedProposalState")
        .withArgs(p.id, ProposalState.Succeeded, stateBitmap(ProposalState.Queued));
      expect(await governor.state(p.id)).to.equal(ProposalState.Succeeded);
      expect(await timelock.isOperation(await timelockOperationId(ctx, p))).to.equal(false);
      expect(await card.isMember(newcomer.address)).to.equal(false);
    });

    it("refuses every governance-only setter called directly with GovernorOnlyExecutor(caller), leaving the parameters as they were", async function () {
      const ctx = await loadFixture(coopFixture);
      const { governor } = ctx.coop;
      const params = async () => [
        await governor.votingDelay(),
        await governor.votingPeriod(),
        await governor.quorumFraction(),
        await governor.proposalDeposit(),
        await governor.lateQuorumVoteExtension(),
        await governor.timelock(),
      ];
      const before = await params();
      for (const caller of [ctx.deployer, ctx.members[0], ctx.outsiders[0]]) {
        const g = governor.connect(caller);
        const attempts = [
          () => g.setVotingDelay(2 * DAY),
          () => g.setVotingPeriod(5 * DAY),
          () => g.setQuorumFraction(5000),
          () => g.setProposalDeposit(1n),
          () => g.setLateQuorumVoteExtension(2 * DAY),
          () => g.updateTimelock(caller.address),
        ];
        for (const attempt of attempts) {
          await expect(attempt())
            .to.be.revertedWithCustomError(governor, "GovernorOnlyExecutor")
            .withArgs(caller.address);
        }
      }
      expect(await params()).to.deep.equal(before);
    });

    it("applies every governor parameter changed by a passed proposal; earlier proposals keep their quorum fraction and deposit", async function () {
      const ctx = await loadFixture(coopFixture);
      const { governor, credits, card } = ctx.coop;
      const old = {
        votingDelay: await governor.votingDelay(),
        votingPeriod: await governor.votingPeriod(),
        quorumBps: await governor.quorumFraction(),
        deposit: await governor.proposalDeposit(),
        extension: await governor.lateQuorumVoteExtension(),
      };
      const next = {
        votingDelay: old.votingDelay * 2n,
        votingPeriod: old.votingPeriod + BigInt(DAY),
        quorumBps: 5000n,
        deposit: old.deposit * 2n,
        extension: old.extension * 2n,
      };
      const g = await propose(ctx, ctx.members[0], "Tighten the rules", [
        await call(governor, "setVotingDelay", [next.votingDelay]),
        await call(governor, "setVotingPeriod", [next.votingPeriod]),
        await call(governor, "setQuorumFraction", [next.quorumBps]),
        await call(governor, "setProposalDeposit", [next.deposit]),
        await call(governor, "setLateQuorumVoteExtension", [next.extension]),
      ]);
      const earlier = await propose(ctx, ctx.members[1], "Made under the old rules");
      await startVoting(ctx, earlier);
      await vote(ctx, g, ctx.members[2], Support.For, 1n);
      await vote(ctx, g, ctx.members[3], Support.For, 1n);
      await endVoting(ctx, g);
      await (await governor.queue(g.targets, g.values, g.calldatas, g.descriptionHash)).wait();
      await networkHelpers.time.increaseTo((await governor.proposalEta(g.id)) + 1n);
      const tx = governor.execute(g.targets, g.values, g.calldatas, g.descriptionHash);
      await expect(tx).to.emit(governor, "VotingDelaySet").withArgs(old.votingDelay, next.votingDelay);
      await expect(tx).to.emit(governor, "VotingPeriodSet").withArgs(old.votingPeriod, next.votingPeriod);
      await expect(tx).to.emit(governor, "QuorumFractionSet").withArgs(old.quorumBps, next.quorumBps);
      await expect(tx).to.emit(governor, "ProposalDepositSet").withArgs(old.deposit, next.deposit);
      await expect(tx).to.emit(governor, "LateQuorumVoteExtensionSet").withArgs(old.extension, next.extension);

      expect(await governor.votingDelay()).to.equal(next.votingDelay);
      expect(await governor.votingPeriod()).to.equal(next.votingPeriod);
      expect(await governor.quorumFraction()).to.equal(next.quorumBps);
      expect(await governor.proposalDeposit()).to.equal(next.deposit);
      expect(await governor.lateQuorumVoteExtension()).to.equal(next.extension);
      expect(arr(await governor.proposalTerms(earlier.id)).slice(0, 3)).to.deep.equal([
        old.quorumBps,
        old.deposit,
        false,
      ]);
      expect((await governor.proposalTally(earlier.id)).quorumMembers).to.equal(
        quorumFor(await card.memberCountAt(await governor.proposalSnapshot(earlier.id)), old.quorumBps),
      );

      const proposer = ctx.members[4];
      const balance = await credits.balanceOf(proposer.address);
      const action = await noopAction(ctx);
      const description = "Made under the new rules";
      const id = await governor.getProposalId([action.target], [0n], [action.data], keccakText(description));
      const created = await governor.connect(proposer).propose([action.target], [0n], [action.data], description);
      const at = await minedAt(ctx, created);
      await expect(created).to.emit(governor, "ProposalDepositStaked").withArgs(id, proposer.address, next.deposit);
      expect(await credits.balanceOf(proposer.address)).to.equal(balance - next.deposit);
      expect(arr(await governor.proposalTerms(id))).to.deep.equal([
        next.quorumBps,
        next.deposit,
        false,
        await card.cardOf(proposer.address),
      ]);
      expect(await governor.proposalSnapshot(id)).to.equal(at + next.votingDelay);
      expect(await governor.proposalDeadline(id)).to.equal(at + next.votingDelay + next.votingPeriod);
      await startVoting(ctx, id);
      expect((await governor.proposalTally(id)).quorumMembers).to.equal(
        quorumFor(await card.memberCountAt(await governor.proposalSnapshot(id)), next.quorumBps),
      );
    });

    it("applies credits.setSchedule passed by governance from the next epoch, without rewriting accrued credits", async function () {
      const ctx = await loadFixture(coopFixture);
      const { governor, credits } = ctx.coop;
      const old = await credits.currentSchedule();
      const next = {
        epochLength: old.epochLength,
        creditsPerEpoch: old.creditsPerEpoch / 2n,
        maxBalance: old.maxBalance * 3n,
      };
      const g = await propose(ctx, ctx.members[0], "Halve the weekly credits, raise the cap", [
        await call(credits, "setSchedule", [next.epochLength, next.creditsPerEpoch, next.maxBalance]),
      ]);
      await startVoting(ctx, g);
      await vote(ctx, g, ctx.members[1], Support.For, 1n);
      await vote(ctx, g, ctx.members[2], Support.For, 1n);
      await endVoting(ctx, g);
      await (await governor.queue(g.targets, g.values, g.calldatas, g.descriptionHash)).wait();
      await networkHelpers.time.increaseTo((await governor.proposalEta(g.id)) + 1n);

      const count = await credits.scheduleCount();
      const epoch = await credits.currentEpoch();
      const start = await credits.nextEpochStart();
      expect(start).to.be.greaterThan(BigInt(await networkHelpers.time.latest()) + 60n); // not at an epoch boundary
      await expect(governor.execute(g.targets, g.values, g.calldatas, g.descriptionHash))
        .to.emit(credits, "ScheduleChanged")
        .withArgs(count, start, epoch + 1n, next.epochLength, next.creditsPerEpoch, next.maxBalance);
      expect(await credits.scheduleCount()).to.equal(count + 1n);

      // Until the next epoch, the old schedule stays in force.
      expect(arr(await credits.currentSchedule())).to.deep.equal(arr(old));
      const member = ctx.members[5];
      const before = await credits.balanceOf(member.address);
      await networkHelpers.time.increaseTo(start);
      const s = await credits.currentSchedule();
      expect([s.epochLength, s.creditsPerEpoch, s.maxBalance]).to.deep.equal([
        next.epochLength,
        next.creditsPerEpoch,
        next.maxBalance,
      ]);
      expect(await credits.currentEpoch()).to.equal(epoch + 1n);
      const afterOne = accrue(before, 1n, next.creditsPerEpoch, next.maxBalance);
      expect(await credits.balanceOf(member.address)).to.equal(afterOne);
      await networkHelpers.time.increase(Number(next.epochLength));
      expect(await credits.balanceOf(member.address)).to.equal(
        accrue(afterOne, 1n, next.creditsPerEpoch, next.maxBalance),
      );
    });

    it("refuses an out-of-range parameter even from governance: execution reverts with MutualGovernorInvalidParameter and the proposal stays queued", async function () {
      const ctx = await loadFixture(coopFixture);
      const { governor } = ctx.coop;
      const g = await propose(ctx, ctx.members[0], "Quorum of nobody", [
        await call(governor, "setQuorumFraction", [0]),
      ]);
      await startVoting(ctx, g);
      await vote(ctx, g, ctx.members[1], Support.For, 1n);
      await vote(ctx, g, ctx.members[2], Support.For, 1n);
      await endVoting(ctx, g);
      await (await governor.queue(g.targets, g.values, g.calldatas, g.descriptionHash)).wait();
      await networkHelpers.time.increaseTo((await governor.proposalEta(g.id)) + 1n);
      const bps = await governor.quorumFraction();
      await expect(governor.execute(g.targets, g.values, g.calldatas, g.descriptionHash))
        .to.be.revertedWithCustomError(governor, "MutualGovernorInvalidParameter")
        .withArgs("quorumBps", 0n);
      expect(await governor.quorumFraction()).to.equal(bps);
      expect(await governor.state(g.id)).to.equal(ProposalState.Queued);
    });

    it("runs a whole cycle through govern(): a passed proposal admits a member and its deposit is then returned", async function () {
      const ctx = await loadFixture(coopFixture);
      const { governor, card, credits } = ctx.coop;
      const newcomer = ctx.outsiders[1];
      const p = await govern(ctx, [await call(card, "admit", [newcomer.address])], "Admit through the full cycle");
      expect(await card.isMember(newcomer.address)).to.equal(true);
      const deposit = (await governor.proposalTerms(p.id)).deposit;
      const before = await credits.balanceOf(p.proposer.address);
      await expect(governor.settleDeposit(p.id))
        .to.emit(governor, "ProposalDepositSettled")
        .withArgs(p.id, p.proposer.address, deposit, true, anyValue);
      const after = await credits.balanceOf(p.proposer.address);
      const cap = (await credits.currentSchedule()).maxBalance;
      expect(after).to.equal(before + deposit > cap ? cap : before + deposit);
    });
  });

  it("leaves readState stable across pure reads (sanity check of the unchanged-state helper)", async function () {
    const ctx = await loadFixture(openProposalFixture);
    const accounts = ctx.members.map((m) => m.address);
    const first = await readState(ctx, [ctx.p.id], accounts);
    expect(await readState(ctx, [ctx.p.id], accounts)).to.deep.equal(first);
    await vote(ctx, ctx.p, ctx.members[1], Support.For, 1n);
    expect(await readState(ctx, [ctx.p.id], accounts)).to.not.deep.equal(first);
  });
});

import { expect } from "chai";
import { network } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import {
  Signature,
  TypedDataEncoder,
  ZeroHash,
  getAddress,
  toBeHex,
  keccak256,
  toUtf8Bytes,
  type TransactionReceipt,
} from "ethers";
import { createWalletClient, custom } from "viem";

import {
  COMPACT_MAX_DEADLINE,
  COMPACT_MAX_VOTES,
  Support,
  ballotTuple,
  compactBallot,
  notCompactReason,
  type CompactBallot,
  governorDomain,
  quadraticBallotTypes,
  voteRefusals,
  type GovernorDomain,
  type SignedBallot,
} from "../../lib/ballots/ballot.ts";
import { marginalCost, voteCost } from "../../lib/rules/quadratic.ts";
import type {
  ApproveAllWalletMock,
  ERC1271WalletMock,
  GasBurnerWalletMock,
} from "../../types/ethers-contracts/index.ts";
import {
  ProposalState,
  VoteRefusal,
  coopDomain,
  deployCoopWithMembers,
  encodeVotes,
  expectUnchanged,
  ozBallotTypes,
  ozExtendedBallotTypes,
  propose,
  readAccounts,
  signBallot,
  startVoting,
  stateBitmap,
  vote,
  type Ctx,
  type ProposalRef,
} from "../helpers/governor-fixtures.ts";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const { loadFixture } = networkHelpers;
const HOUR = 60n * 60n;

interface BallotCtx extends Ctx {
  /** Two proposals, both open for voting. */
  a: ProposalRef;
  b: ProposalRef;
  wallet: ERC1271WalletMock;
  walletOwner: HardhatEthersSigner;
  burner: GasBurnerWalletMock;
  approveAll: ApproveAllWalletMock;
  /** Submits ballots; holds no card. */
  relayer: HardhatEthersSigner;
  /** Holds no card. */
  stranger: HardhatEthersSigner;
  chainId: bigint;
  domain: GovernorDomain;
}

/**
 * Ten EOA members plus three contract-wallet members (a good ERC-1271 wallet, a gas burner and an
 * approve-everything wallet), with proposals A and B open for voting.
 */
async function ballotsFixture(): Promise<BallotCtx> {
  const signers = await ethers.getSigners();
  const walletOwner = signers[signers.length - 1];
  const wallet = await ethers.deployContract("ERC1271WalletMock", [walletOwner.address]);
  const burner = await ethers.deployContract("GasBurnerWalletMock");
  const approveAll = await ethers.deployContract("ApproveAllWalletMock");
  const ctx = await deployCoopWithMembers(connection, {
    extraFounders: [await wallet.getAddress(), await burner.getAddress(), await approveAll.getAddress()],
  });
  const a = await propose(ctx, ctx.members[0], "Proposal A: buy flour in bulk");
  const b = await propose(ctx, ctx.members[1], "Proposal B: open on Sundays");
  await startVoting(ctx, b);
  const domain = await coopDomain(ctx);
  const chainId = domain.chainId;
  const [relayer, stranger] = ctx.outsiders;
  if (walletOwner === relayer || walletOwner === stranger) throw new Error("not enough signers");
  return { ...ctx, a, b, wallet, walletOwner, burner, approveAll, relayer, stranger, chainId, domain };
}

function parseBatch(ctx: Ctx, receipt: TransactionReceipt) {
  const governorAddress = receipt.to;
  const skipped: [bigint, string, bigint, bigint][] = [];
  const counted: [string, bigint, bigint, bigint, string][] = [];
  for (const log of receipt.logs) {
    if (log.address !== governorAddress) continue;
    const parsed = ctx.coop.governor.interface.parseLog(log);
    if (parsed?.name === "BallotSkipped")
      skipped.push([parsed.args[0], parsed.args[1], parsed.args[2], parsed.args[3]]);
    if (parsed?.name === "VoteCast") {
      counted.push([parsed.args[0], parsed.args[1], parsed.args[2], parsed.args[3], parsed.args[4]]);
    }
  }
  return { skipped, counted };
}

async function submit(ctx: BallotCtx, ballots: SignedBallot[]): Promise<TransactionReceipt> {
  const tx = await ctx.coop.governor.connect(ctx.relayer).castBallots(ballots.map(ballotTuple));
  const receipt = await tx.wait();
  if (receipt === null || receipt.status !== 1) throw new Error("batch failed");
  return receipt;
}

describe("Signed ballots", function () {
  describe("shared EIP-712 definitions", function () {
    it("match the contract: same type hash and same digest as ballotDigest", async function () {
      const ctx = await loadFixture(ballotsFixture);
      const { governor } = ctx.coop;
      const encoder = TypedDataEncoder.from(quadraticBallotTypes);
      expect(keccak256(toUtf8Bytes(encoder.encodeType("QuadraticBallot")))).to.equal(
        await governor.QUADRATIC_BALLOT_TYPEHASH(),
      );
      const b = await signBallot(ctx, ctx.members[2], { proposalId: ctx.b.id, votes: 4n, reason: "Sundays are busy" });
      const { signature: _signature, ...message } = b;
      expect(await governor.ballotDigest(ballotTuple(b))).to.equal(
        TypedDataEncoder.hash(ctx.domain, quadraticBallotTypes, message),
      );
      const [, name, version, chainId, verifyingContract] = await governor.eip712Domain();
      expect([name, version, chainId, verifyingContract]).to.deep.equal([
        ctx.domain.name,
        ctx.domain.version,
        ctx.domain.chainId,
        ctx.domain.verifyingContract,
      ]);
      expect(voteRefusals.length).to.equal(Object.keys(VoteRefusal).length);
    });
  });

  describe("castBallot", function () {
    it("counts a valid ballot submitted by a relayer and charges the voter votes² credits (the relayer nothing)", async function () {
      const ctx = await loadFixture(ballotsFixture);
      const { governor, credits } = ctx.coop;
      const voter = ctx.members[2];
      const votes = 3n;
      const b = await signBallot(ctx, voter, { proposalId: ctx.b.id, votes, reason: "yes please" });
      const balance = await credits.balanceOf(voter.address);
      expect(await governor.connect(ctx.relayer).castBallot.staticCall(ballotTuple(b))).to.equal(votes);
      await expect(governor.connect(ctx.relayer).castBallot(ballotTuple(b)))
        .to.emit(governor, "VoteCast")
        .withArgs(voter.address, ctx.b.id, Support.For, votes, "yes please");
      expect(await credits.balanceOf(voter.address)).to.equal(balance - voteCost(votes));
      expect(await credits.balanceOf(ctx.relayer.address)).to.equal(0n);
      expect([...(await governor.receiptOf(ctx.b.id, voter.address))]).to.deep.equal([
        true,
        1n,
        votes,
        voteCost(votes),
      ]);
      expect(await governor.ballotNonce(ctx.b.id, voter.address)).to.equal(1n);
      expect((await governor.proposalTally(ctx.b.id)).forVotes).to.equal(votes);
    });

    it("charges a top-up ballot (next nonce) only the marginal cost, and an abstain ballot nothing", async function () {
      const ctx = await loadFixture(ballotsFixture);
      const { governor, credits } = ctx.coop;
      const [, , voter, quiet] = ctx.members;
      await (
        await governor.castBallot(
          ballotTuple(await signBallot(ctx, voter, { proposalId: ctx.b.id, support: Support.Against, votes: 2n })),
        )
      ).wait();
      const before = await credits.balanceOf(voter.address);
      const topUp = await signBallot(ctx, voter, { proposalId: ctx.b.id, support: Support.Against, votes: 3n });
      expect(topUp.nonce).to.equal(1n);
      await (await governor.castBallot(ballotTuple(topUp))).wait();
      expect(await credits.balanceOf(voter.address)).to.equal(before - marginalCost(2n, 3n));
      expect([...(await governor.receiptOf(ctx.b.id, voter.address))]).to.deep.equal([true, 0n, 5n, voteCost(5n)]);

      const quietBalance = await credits.balanceOf(quiet.address);
      await (
        await governor.castBallot(
          ballotTuple(await signBallot(ctx, quiet, { proposalId: ctx.b.id, support: Support.Abstain, votes: 7n })),
        )
      ).wait();
      expect(await credits.balanceOf(quiet.address)).to.equal(quietBalance);
      expect([...(await governor.receiptOf(ctx.b.id, quiet.address))]).to.deep.equal([true, 2n, 0n, 0n]);
    });

    it("refuses a replayed ballot with InvalidAccountNonce(voter, expected); nothing changes", async function () {
      const ctx = await loadFixture(ballotsFixture);
      const { governor } = ctx.coop;
      const voter = ctx.members[2];
      const b = await signBallot(ctx, voter, { proposalId: ctx.b.id, votes: 2n });
      await (await governor.connect(ctx.relayer).castBallot(ballotTuple(b))).wait();
      await expectUnchanged(ctx, [ctx.a.id, ctx.b.id], [voter.address], async () => {
        await expect(governor.connect(ctx.relayer).castBallot(ballotTuple(b)))
          .to.be.revertedWithCustomError(governor, "InvalidAccountNonce")
          .withArgs(voter.address, 1n);
      });
    });

    it("refuses an expired ballot with MutualGovernorBallotExpired(deadline), and counts one submitted exactly at its deadline", async function () {
      const ctx = await loadFixture(ballotsFixture);
      const { governor } = ctx.coop;
      const voter = ctx.members[3];
      const latest = BigInt(await networkHelpers.time.latest());
      const expired = await signBallot(ctx, voter, { proposalId: ctx.b.id, deadline: latest - 1n });
      await expectUnchanged(ctx, [ctx.b.id], [voter.address], async () => {
        await expect(governor.connect(ctx.relayer).castBallot(ballotTuple(expired)))
          .to.be.revertedWithCustomError(governor, "MutualGovernorBallotExpired")
          .withArgs(latest - 1n);
      });
      const lastSecond = await signBallot(ctx, voter, { proposalId: ctx.b.id, deadline: latest + 100n });
      await networkHelpers.time.setNextBlockTimestamp(latest + 100n);
      await (await governor.connect(ctx.relayer).castBallot(ballotTuple(lastSecond))).wait();
      expect(await governor.hasVoted(ctx.b.id, voter.address)).to.equal(true);
    });

    it("refuses ballots signed over a wrong domain (chain id, verifying contract, name, version) with GovernorInvalidSignature(voter)", async function () {
      const ctx = await loadFixture(ballotsFixture);
      const { governor, timelock } = ctx.coop;
      const voter = ctx.members[4];
      const domains: GovernorDomain[] = [
        governorDomain(ctx.domain.name, ctx.chainId + 1n, ctx.domain.verifyingContract),
        governorDomain(ctx.domain.name, ctx.chainId, await timelock.getAddress()),
        governorDomain("Some Other Co-op", ctx.chainId, ctx.domain.verifyingContract),
        { ...ctx.domain, version: "2" },
      ];
      await expectUnchanged(ctx, [ctx.b.id], [voter.address], async () => {
        for (const domain of domains) {
          const b = await signBallot(ctx, voter, { proposalId: ctx.b.id }, domain);
          await expect(governor.connect(ctx.relayer).castBallot(ballotTuple(b)))
            .to.be.revertedWithCustomError(governor, "GovernorInvalidSignature")
            .withArgs(voter.address);
        }
      });
    });

    it("refuses a ballot signed for proposal A but submitted for proposal B with GovernorInvalidSignature(voter)", async function () {
      const ctx = await loadFixture(ballotsFixture);
      const { governor } = ctx.coop;
      const voter = ctx.members[4];
      const forA = await signBallot(ctx, voter, { proposalId: ctx.a.id, votes: 2n });
      await expectUnchanged(ctx, [ctx.a.id, ctx.b.id], [voter.address], async () => {
        await expect(governor.connect(ctx.relayer).castBallot(ballotTuple({ ...forA, proposalId: ctx.b.id })))
          .to.be.revertedWithCustomError(governor, "GovernorInvalidSignature")
          .withArgs(voter.address);
      });
      // It still counts on A, where it belongs.
      await (await governor.connect(ctx.relayer).castBallot(ballotTuple(forA))).wait();
      expect((await governor.receiptOf(ctx.a.id, voter.address)).votes).to.equal(2n);
    });

    it("keeps a pending ballot for proposal B valid after the voter votes on A directly and by ballot (keyed nonces)", async function () {
      const ctx = await loadFixture(ballotsFixture);
      const { governor, credits } = ctx.coop;
      const voter = ctx.members[5];
      const pendingForB = await signBallot(ctx, voter, { proposalId: ctx.b.id, votes: 2n });
      expect(pendingForB.nonce).to.equal(0n);

      await (await governor.connect(voter).castVote(ctx.a.id, Support.For)).wait();
      await (
        await governor
          .connect(ctx.relayer)
          .castBallot(ballotTuple(await signBallot(ctx, voter, { proposalId: ctx.a.id, votes: 1n })))
      ).wait();
      expect(await governor.ballotNonce(ctx.a.id, voter.address)).to.equal(2n);
      expect(await governor.ballotNonce(ctx.b.id, voter.address)).to.equal(0n);

      const before = await credits.balanceOf(voter.address);
      await expect(governor.connect(ctx.relayer).castBallot(ballotTuple(pendingForB)))
        .to.emit(governor, "VoteCast")
        .withArgs(voter.address, ctx.b.id, Support.For, 2n, "");
      expect(await credits.balanceOf(voter.address)).to.equal(before - voteCost(2n));
      expect(await governor.ballotNonce(ctx.b.id, voter.address)).to.equal(1n);
      // A QuadraticBallot uses its own per-proposal nonce, never OpenZeppelin's account nonce.
      expect(await governor.nonces(voter.address)).to.equal(0n);
    });

    it("refuses a ballot signed by someone else for the voter, or altered after signing, with GovernorInvalidSignature(voter)", async function () {
      const ctx = await loadFixture(ballotsFixture);
      const { governor } = ctx.coop;
      const [, , , , , , victim, forger] = ctx.members;
      const forged = await signBallot(ctx, forger, { proposalId: ctx.b.id, voter: victim.address, votes: 5n });
      const genuine = await signBallot(ctx, victim, { proposalId: ctx.b.id, votes: 1n });
      await expectUnchanged(ctx, [ctx.b.id], [victim.address, forger.address], async () => {
        await expect(governor.connect(ctx.relayer).castBallot(ballotTuple(forged)))
          .to.be.revertedWithCustomError(governor, "GovernorInvalidSignature")
          .withArgs(victim.address);
        for (const altered of [
          { ...genuine, votes: 9n },
          { ...genuine, support: Support.Against },
          { ...genuine, reason: "changed" },
          { ...genuine, deadline: genuine.deadline + 1n },
          { ...genuine, signature: "0x" },
        ]) {
          await expect(governor.connect(ctx.relayer).castBallot(ballotTuple(altered)))
            .to.be.revertedWithCustomError(governor, "GovernorInvalidSignature")
            .withArgs(victim.address);
        }
      });
    });

    it("refuses a ballot on a pending proposal with GovernorUnexpectedProposalState and on an unknown one with GovernorNonexistentProposal", async function () {
      const ctx = await loadFixture(ballotsFixture);
      const { governor } = ctx.coop;
      const voter = ctx.members[6];
      const pending = await propose(ctx, ctx.members[2], "Proposal C: not open yet");
      const early = await signBallot(ctx, voter, { proposalId: pending.id });
      const unknownId = ctx.b.id ^ 1n;
      const unknown = await signBallot(ctx, voter, { proposalId: unknownId });
      await expectUnchanged(ctx, [pending.id], [voter.address], async () => {
        await expect(governor.connect(ctx.relayer).castBallot(ballotTuple(early)))
          .to.be.revertedWithCustomError(governor, "GovernorUnexpectedProposalState")
          .withArgs(pending.id, ProposalState.Pending, stateBitmap(ProposalState.Active));
        await expect(governor.connect(ctx.relayer).castBallot(ballotTuple(unknown)))
          .to.be.revertedWithCustomError(governor, "GovernorNonexistentProposal")
          .withArgs(unknownId);
      });
    });

    it("passes on the vote's own refusals: non-member, over budget, switched sides", async function () {
      const ctx = await loadFixture(ballotsFixture);
      const { governor, credits } = ctx.coop;
      const [, , , , , , , , spendthrift, turncoat] = ctx.members;
      await vote(ctx, ctx.b, turncoat, Support.For, 1n);
      const snapshot = await governor.proposalSnapshot(ctx.b.id);
      const available = await credits.balanceOf(spendthrift.address);
      const tooMany = 11n;
      expect(voteCost(tooMany)).to.be.greaterThan(available);
      const accounts = [ctx.stranger.address, spendthrift.address, turncoat.address];
      await expectUnchanged(ctx, [ctx.b.id], accounts, async () => {
        await expect(governor.castBallot(ballotTuple(await signBallot(ctx, ctx.stranger, { proposalId: ctx.b.id }))))
          .to.be.revertedWithCustomError(governor, "MutualGovernorNotEligible")
          .withArgs(ctx.stranger.address, snapshot);
        await expect(
          governor.castBallot(
            ballotTuple(await signBallot(ctx, spendthrift, { proposalId: ctx.b.id, votes: tooMany })),
          ),
        )
          .to.be.revertedWithCustomError(credits, "InsufficientCredits")
          .withArgs(spendthrift.address, voteCost(tooMany), available);
        await expect(
          governor.castBallot(
            ballotTuple(await signBallot(ctx, turncoat, { proposalId: ctx.b.id, support: Support.Against })),
          ),
        )
          .to.be.revertedWithCustomError(governor, "MutualGovernorCannotSwitchSides")
          .withArgs(turncoat.address, Support.For);
      });
    });
  });

  describe("ERC-1271 contract wallets", function () {
    it("counts a ballot from a member wallet signed by the wallet's owner key, and refuses one signed by another key", async function () {
      const ctx = await loadFixture(ballotsFixture);
      const { governor, credits, card } = ctx.coop;
      const walletAddress = await ctx.wallet.getAddress();
      expect(await card.isMember(walletAddress)).to.equal(true);
      expect(await card.isMember(ctx.walletOwner.address)).to.equal(false);

      const bad = await signBallot(ctx, ctx.members[0], { proposalId: ctx.b.id, voter: walletAddress, votes: 2n });
      await expectUnchanged(ctx, [ctx.b.id], [walletAddress], async () => {
        await expect(governor.connect(ctx.relayer).castBallot(ballotTuple(bad)))
          .to.be.revertedWithCustomError(governor, "GovernorInvalidSignature")
          .withArgs(walletAddress);
      });

      const good = await signBallot(ctx, ctx.walletOwner, { proposalId: ctx.b.id, voter: walletAddress, votes: 2n });
      const before = await credits.balanceOf(walletAddress);
      await expect(governor.connect(ctx.relayer).castBallot(ballotTuple(good)))
        .to.emit(governor, "VoteCast")
        .withArgs(walletAddress, ctx.b.id, Support.For, 2n, "");
      expect(await credits.balanceOf(walletAddress)).to.equal(before - voteCost(2n));
      expect(await governor.ballotNonce(ctx.b.id, walletAddress)).to.equal(1n);
      // The owner key itself holds no card and gained no vote.
      expect(await governor.hasVoted(ctx.b.id, ctx.walletOwner.address)).to.equal(false);
    });

    it("skips a gas-burning wallet's ballot in a batch (InvalidSignature) at a bounded cost, and counts the rest", async function () {
      const ctx = await loadFixture(ballotsFixture);
      const { governor } = ctx.coop;
      const burnerAddress = await ctx.burner.getAddress();
      const [, , first, , , , , , , last] = ctx.members;
      const good1 = await signBallot(ctx, first, { proposalId: ctx.b.id, votes: 2n });
      const good2 = await signBallot(ctx, last, { proposalId: ctx.b.id, votes: 1n });
      const hostile = await signBallot(ctx, ctx.members[0], { proposalId: ctx.b.id, voter: burnerAddress, votes: 1n });
      const limit = await governor.ERC1271_GAS_LIMIT();

      const withoutBurner = await governor
        .connect(ctx.relayer)
        .castBallots.estimateGas([good1, good2].map(ballotTuple));
      const batch = [good1, hostile, good2].map(ballotTuple);
      expect(await governor.connect(ctx.relayer).castBallots.staticCall(batch)).to.equal(2n);
      const receipt = await submit(ctx, [good1, hostile, good2]);
      // The burner did burn its whole allowance (the check is real), and no more than that.
      expect(receipt.gasUsed - withoutBurner).to.be.greaterThan(limit);
      expect(receipt.gasUsed - withoutBurner).to.be.lessThan(limit + 50_000n);

      const { skipped, counted } = parseBatch(ctx, receipt);
      expect(skipped).to.deep.equal([[1n, burnerAddress, ctx.b.id, VoteRefusal.InvalidSignature]]);
      expect(counted.map((c) => c[0])).to.deep.equal([first.address, last.address]);
      expect(await governor.hasVoted(ctx.b.id, burnerAddress)).to.equal(false);
      expect(await governor.ballotNonce(ctx.b.id, burnerAddress)).to.equal(0n);

      // Alone, it is refused with GovernorInvalidSignature rather than running the transaction out of gas.
      await expect(governor.connect(ctx.relayer).castBallot(ballotTuple(hostile)))
        .to.be.revertedWithCustomError(governor, "GovernorInvalidSignature")
        .withArgs(burnerAddress);
    });

    it("accepts any signature for the approve-everything wallet (a member): only the first 32 bytes of its 64 KiB answer are read, at a bounded cost", async function () {
      const ctx = await loadFixture(ballotsFixture);
      const { governor, credits } = ctx.coop;
      const approveAllAddress = await ctx.approveAll.getAddress();
      const limit = await governor.ERC1271_GAS_LIMIT();

      // What the wallet answers: the ERC-1271 magic value in the first word, then zero padding, 64 KiB in all.
      const answer = await ethers.provider.call({
        to: approveAllAddress,
        data: ctx.approveAll.interface.encodeFunctionData("isValidSignature", [ZeroHash, "0x"]),
      });
      expect((answer.length - 2) / 2).to.equal(65_536);
      expect(answer.slice(0, 10)).to.equal("0x1626ba7e");

      // A reference: an EOA's ballot of the same shape, after a first vote has already cached the quorum.
      await vote(ctx, ctx.b, ctx.members[2], Support.For, 1n);
      const eoaBallot = await signBallot(ctx, ctx.members[3], { proposalId: ctx.b.id, votes: 2n });
      const eoaReceipt = (await (await governor.connect(ctx.relayer).castBallot(ballotTuple(eoaBallot))).wait())!;

      const garbage: SignedBallot = {
        proposalId: ctx.b.id,
        support: Support.For,
        voter: approveAllAddress,
        votes: 2n,
        nonce: 0n,
        deadline: BigInt(await networkHelpers.time.latest()) + HOUR,
        reason: "",
        signature: "0xdeadbeef",
      };
      const before = await credits.balanceOf(approveAllAddress);
      const tx = await governor.connect(ctx.relayer).castBallot(ballotTuple(garbage));
      await expect(tx).to.emit(governor, "VoteCast").withArgs(approveAllAddress, ctx.b.id, Support.For, 2n, "");
      const receipt = (await tx.wait())!;
      expect(receipt.gasUsed).to.be.lessThan(eoaReceipt.gasUsed + limit);
      // Tighter: the extra cost is about what the wallet burns itself (calling it directly as a transaction),
      // not that plus copying its 64 KiB answer, which would add more than 20k gas of memory expansion and copy.
      const direct = await ethers.provider.estimateGas({
        to: approveAllAddress,
        data: ctx.approveAll.interface.encodeFunctionData("isValidSignature", [ZeroHash, garbage.signature]),
      });
      const walletOwnCost = direct - 21_000n;
      expect(receipt.gasUsed - eoaReceipt.gasUsed).to.be.lessThan(walletOwnCost + 10_000n);
      expect(await credits.balanceOf(approveAllAddress)).to.equal(before - voteCost(2n));

      // It approves only ballots in its own name: a garbage signature for an EOA member is refused.
      const victim = ctx.members[4];
      await expectUnchanged(ctx, [ctx.b.id], [victim.address], async () => {
        await expect(governor.connect(ctx.relayer).castBallot(ballotTuple({ ...garbage, voter: victim.address })))
          .to.be.revertedWithCustomError(governor, "GovernorInvalidSignature")
          .withArgs(victim.address);
      });

      // In a batch it counts too, next to a normal ballot.
      const next = { ...garbage, proposalId: ctx.a.id };
      const other = await signBallot(ctx, ctx.members[5], { proposalId: ctx.a.id });
      const batchReceipt = await submit(ctx, [next, other]);
      const { skipped, counted } = parseBatch(ctx, batchReceipt);
      expect(skipped).to.deep.equal([]);
      expect(counted.map((c) => c[0])).to.deep.equal([approveAllAddress, ctx.members[5].address]);
    });
  });

  describe("castBallots", function () {
    it("counts the good ballots of a mixed batch and skips each bad one with BallotSkipped(index, voter, proposalId, reason), changing nothing for it", async function () {
      const ctx = await loadFixture(ballotsFixture);
      const { governor, credits } = ctx.coop;
      const m = ctx.members;
      const walletAddress = await ctx.wallet.getAddress();
      const latest = BigInt(await networkHelpers.time.latest());
      const pendingC = await propose(ctx, m[2], "Proposal C: still pending");

      // Earlier direct votes that some ballots then conflict with.
      await vote(ctx, ctx.b, m[2], Support.For, 1n);
      await vote(ctx, ctx.a, m[1], Support.Abstain, 0n);

      const unknownId = ctx.a.id ^ ctx.b.id;
      const good0 = await signBallot(ctx, m[3], { proposalId: ctx.b.id, votes: 2n, reason: "good 0" });
      const batch: { ballot: SignedBallot; reason: bigint }[] = [
        { ballot: good0, reason: VoteRefusal.None },
        {
          ballot: await signBallot(ctx, m[4], { proposalId: ctx.b.id, deadline: latest - 1n }),
          reason: VoteRefusal.BallotExpired,
        },
        { ballot: await signBallot(ctx, m[5], { proposalId: ctx.b.id, nonce: 5n }), reason: VoteRefusal.InvalidNonce },
        {
          ballot: await signBallot(ctx, m[7], { proposalId: ctx.b.id, voter: m[6].address }),
          reason: VoteRefusal.InvalidSignature,
        },
        {
          ballot: await signBallot(ctx, m[8], {
            proposalId: ctx.b.id,
            support: Support.Against,
            votes: 3n,
            reason: "good 4",
          }),
          reason: VoteRefusal.None,
        },
        { ballot: await signBallot(ctx, ctx.stranger, { proposalId: ctx.b.id }), reason: VoteRefusal.NotEligible },
        {
          ballot: await signBallot(ctx, m[9], { proposalId: ctx.b.id, votes: 11n }),
          reason: VoteRefusal.InsufficientCredits,
        },
        {
          ballot: await signBallot(ctx, m[2], { proposalId: ctx.b.id, support: Support.Against }),
          reason: VoteRefusal.SwitchedSides,
        },
        { ballot: await signBallot(ctx, m[4], { proposalId: unknownId }), reason: VoteRefusal.ProposalNotActive },
        { ballot: good0, reason: VoteRefusal.InvalidNonce }, // the same ballot again in the same batch
        {
          ballot: await signBallot(ctx, ctx.walletOwner, {
            proposalId: ctx.a.id,
            voter: walletAddress,
            reason: "good 10",
          }),
          reason: VoteRefusal.None,
        },
        { ballot: await signBallot(ctx, m[5], { proposalId: ctx.b.id, votes: 0n }), reason: VoteRefusal.ZeroVotes },
        {
          ballot: await signBallot(ctx, m[6], { proposalId: ctx.b.id, support: 3 }),
          reason: VoteRefusal.InvalidSupport,
        },
        {
          ballot: await signBallot(ctx, m[7], { proposalId: ctx.b.id, votes: 1n << 24n }),
          reason: VoteRefusal.TooManyVotes,
        },
        { ballot: await signBallot(ctx, m[9], { proposalId: pendingC.id }), reason: VoteRefusal.ProposalNotActive },
        {
          ballot: await signBallot(ctx, m[1], { proposalId: ctx.a.id, support: Support.Abstain }),
          reason: VoteRefusal.AlreadyAbstained,
        },
      ];
      const good = batch.filter((x) => x.reason === VoteRefusal.None).map((x) => x.ballot);
      const badVoters = [m[1], m[2], m[4], m[5], m[6], m[7], m[9], ctx.stranger].map((s) => s.address);
      const proposals = [ctx.a.id, ctx.b.id, pendingC.id];

      const tallies = async () =>
        Promise.all([ctx.a.id, ctx.b.id].map(async (id) => [...(await governor.proposalTally(id))]));
      const talliesBefore = await tallies();
      const badBefore = await readAccounts(ctx, proposals, badVoters);
      const goodBalances = await Promise.all(good.map((g) => credits.balanceOf(g.voter)));

      const tuples = batch.map((x) => ballotTuple(x.ballot));
      expect(await governor.connect(ctx.relayer).castBallots.staticCall(tuples)).to.equal(BigInt(good.length));
      const receipt = await submit(
        ctx,
        batch.map((x) => x.ballot),
      );
      const { skipped, counted } = parseBatch(ctx, receipt);

      expect(skipped).to.deep.equal(
        batch.flatMap((x, i) =>
          x.reason === VoteRefusal.None ? [] : [[BigInt(i), x.ballot.voter, x.ballot.proposalId, x.reason]],
        ),
      );
      expect(counted).to.deep.equal(good.map((g) => [g.voter, g.proposalId, BigInt(g.support), g.votes, g.reason]));

      // Bad ballots changed nothing for their voters.
      expect(await readAccounts(ctx, proposals, badVoters)).to.deep.equal(badBefore);
      // Good ballots were charged votes², once each.
      for (const [i, g] of good.entries()) {
        expect(await credits.balanceOf(g.voter)).to.equal(goodBalances[i] - voteCost(g.votes));
        expect([...(await governor.receiptOf(g.proposalId, g.voter))]).to.deep.equal([
          true,
          BigInt(g.support),
          g.votes,
          voteCost(g.votes),
        ]);
        expect(await governor.ballotNonce(g.proposalId, g.voter)).to.equal(1n);
      }
      // The tallies moved by exactly the good ballots.
      const [
        [aFor, aAgainst, aForVoters, aAgainstVoters, aAbstain],
        [bFor, bAgainst, bForVoters, bAgainstVoters, bAbstain],
      ] = talliesBefore as bigint[][];
      const sum = (id: bigint, support: number) =>
        good.filter((g) => g.proposalId === id && g.support === support).reduce((s, g) => s + g.votes, 0n);
      const heads = (id: bigint, support: number) =>
        BigInt(good.filter((g) => g.proposalId === id && g.support === support).length);
      const after = (await tallies()) as bigint[][];
      expect(after[0].slice(0, 5)).to.deep.equal([
        aFor + sum(ctx.a.id, Support.For),
        aAgainst + sum(ctx.a.id, Support.Against),
        aForVoters + heads(ctx.a.id, Support.For),
        aAgainstVoters + heads(ctx.a.id, Support.Against),
        aAbstain,
      ]);
      expect(after[1].slice(0, 5)).to.deep.equal([
        bFor + sum(ctx.b.id, Support.For),
        bAgainst + sum(ctx.b.id, Support.Against),
        bForVoters + heads(ctx.b.id, Support.For),
        bAgainstVoters + heads(ctx.b.id, Support.Against),
        bAbstain,
      ]);
    });

    it("counts a voter's ballot and its top-up (nonces 0 and 1) in the same batch, charging (total votes)²", async function () {
      const ctx = await loadFixture(ballotsFixture);
      const { governor, credits } = ctx.coop;
      const voter = ctx.members[4];
      const first = await signBallot(ctx, voter, { proposalId: ctx.b.id, votes: 2n });
      const topUp = await signBallot(ctx, voter, { proposalId: ctx.b.id, votes: 3n, nonce: first.nonce + 1n });
      const before = await credits.balanceOf(voter.address);
      expect(await governor.castBallots.staticCall([first, topUp].map(ballotTuple))).to.equal(2n);
      const { skipped, counted } = parseBatch(ctx, await submit(ctx, [first, topUp]));
      expect(skipped).to.deep.equal([]);
      expect(counted.map((c) => c[3])).to.deep.equal([2n, 3n]);
      expect(await credits.balanceOf(voter.address)).to.equal(before - voteCost(5n));
      expect([...(await governor.receiptOf(ctx.b.id, voter.address))]).to.deep.equal([true, 1n, 5n, voteCost(5n)]);
      expect(await governor.ballotNonce(ctx.b.id, voter.address)).to.equal(2n);
    });

    it("returns 0 for a batch of only bad ballots, or an empty one, and changes nothing", async function () {
      const ctx = await loadFixture(ballotsFixture);
      const { governor } = ctx.coop;
      const latest = BigInt(await networkHelpers.time.latest());
      const bad = [
        await signBallot(ctx, ctx.members[2], { proposalId: ctx.b.id, deadline: latest - 1n }),
        await signBallot(ctx, ctx.stranger, { proposalId: ctx.b.id }),
      ];
      const accounts = [ctx.members[2].address, ctx.stranger.address];
      expect(await governor.castBallots.staticCall(bad.map(ballotTuple))).to.equal(0n);
      expect(await governor.castBallots.staticCall([])).to.equal(0n);
      await expectUnchanged(ctx, [ctx.a.id, ctx.b.id], accounts, async () => {
        const receipt = await submit(ctx, bad);
        expect(parseBatch(ctx, receipt)).to.deep.equal({
          skipped: [
            [0n, ctx.members[2].address, ctx.b.id, VoteRefusal.BallotExpired],
            [1n, ctx.stranger.address, ctx.b.id, VoteRefusal.NotEligible],
          ],
          counted: [],
        });
        await submit(ctx, []);
      });
    });
  });

  describe("castBallotsCompact", function () {
    /** Sends compact `ballots` on `proposalId` from the relayer and returns the receipt. */
    async function submitCompact(ctx: BallotCtx, proposalId: bigint, ballots: CompactBallot[]) {
      const tx = await ctx.coop.governor.connect(ctx.relayer).castBallotsCompact(proposalId, ballots);
      const receipt = await tx.wait();
      if (receipt === null || receipt.status !== 1) throw new Error("compact batch failed");
      return receipt;
    }

    /**
     * `ballot` with an `s` in the upper half of the curve order, where a signature's malleable twin lives (for
     * any valid (r, s, v), (r, n - s, v ^ 1) recovers the same signer). Every such `s` must be refused before
     * recovery, as OpenZeppelin's ECDSA does.
     */
    function highS(ballot: CompactBallot): CompactBallot {
      const halfOrder = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;
      const parity = BigInt(ballot.vs) >> 255n;
      return { ...ballot, vs: toBeHex((parity << 255n) | (halfOrder + 1n), 32) };
    }

    it("counts good compact ballots and skips each bad one with BallotSkipped(index, voter, proposalId, reason), changing nothing for it", async function () {
      const ctx = await loadFixture(ballotsFixture);
      const { governor, credits } = ctx.coop;
      const m = ctx.members;
      const latest = BigInt(await networkHelpers.time.latest());
      await vote(ctx, ctx.b, m[2], Support.For, 1n);
      const id = ctx.b.id;

      const good0 = compactBallot(await signBallot(ctx, m[3], { proposalId: id, votes: 2n }));
      const good1 = compactBallot(await signBallot(ctx, m[8], { proposalId: id, support: Support.Against, votes: 3n }));
      const reserved = compactBallot(await signBallot(ctx, m[5], { proposalId: id }));
      const batch: { ballot: CompactBallot; voter: string; reason: bigint }[] = [
        { ballot: good0, voter: m[3].address, reason: VoteRefusal.None },
        {
          ballot: compactBallot(await signBallot(ctx, m[4], { proposalId: id, deadline: latest - 1n })),
          voter: m[4].address,
          reason: VoteRefusal.BallotExpired,
        },
        {
          // Signed with a nonce other than the voter's current one: the digest the governor rebuilds differs.
          ballot: compactBallot(await signBallot(ctx, m[5], { proposalId: id, nonce: 1n })),
          voter: m[5].address,
          reason: VoteRefusal.InvalidSignature,
        },
        {
          ballot: compactBallot(await signBallot(ctx, m[7], { proposalId: id, voter: m[6].address })),
          voter: m[6].address,
          reason: VoteRefusal.InvalidSignature,
        },
        {
          ballot: highS(compactBallot(await signBallot(ctx, m[6], { proposalId: id }))),
          voter: m[6].address,
          reason: VoteRefusal.InvalidSignature,
        },
        {
          ballot: compactBallot(await signBallot(ctx, m[4], { proposalId: ctx.a.id })),
          voter: m[4].address,
          reason: VoteRefusal.InvalidSignature, // signed for proposal A, submitted in a batch for B
        },
        {
          ballot: { ...reserved, head: toBeHex(BigInt(reserved.head) | (1n << 250n), 32) },
          voter: m[5].address,
          reason: VoteRefusal.InvalidVoteParams,
        },
        { ballot: good1, voter: m[8].address, reason: VoteRefusal.None },
        {
          ballot: compactBallot(await signBallot(ctx, ctx.stranger, { proposalId: id })),
          voter: ctx.stranger.address,
          reason: VoteRefusal.NotEligible,
        },
        {
          ballot: compactBallot(await signBallot(ctx, m[9], { proposalId: id, votes: 11n })),
          voter: m[9].address,
          reason: VoteRefusal.InsufficientCredits,
        },
        {
          ballot: compactBallot(await signBallot(ctx, m[2], { proposalId: id, support: Support.Against })),
          voter: m[2].address,
          reason: VoteRefusal.SwitchedSides,
        },
        {
          ballot: compactBallot(await signBallot(ctx, m[7], { proposalId: id, votes: 0n })),
          voter: m[7].address,
          reason: VoteRefusal.ZeroVotes,
        },
        {
          ballot: compactBallot(await signBallot(ctx, m[7], { proposalId: id, support: 3 })),
          voter: m[7].address,
          reason: VoteRefusal.InvalidSupport,
        },
        { ballot: good0, voter: m[3].address, reason: VoteRefusal.InvalidSignature }, // replayed in the same batch
      ];
      const goodVoters = [m[3], m[8]];
      const goodVotes = [2n, 3n];
      const badVoters = [m[2], m[4], m[5], m[6], m[7], m[9], ctx.stranger].map((x) => x.address);

      const tallyBefore = [...(await governor.proposalTally(id))];
      const badBefore = await readAccounts(ctx, [ctx.a.id, id], badVoters);
      const goodBefore = await Promise.all(goodVoters.map((v) => credits.balanceOf(v.address)));
      const ballots = batch.map((x) => x.ballot);

      expect(await governor.connect(ctx.relayer).castBallotsCompact.staticCall(id, ballots)).to.equal(2n);
      const { skipped, counted } = parseBatch(ctx, await submitCompact(ctx, id, ballots));

      expect(skipped).to.deep.equal(
        batch.flatMap((x, i) => (x.reason === VoteRefusal.None ? [] : [[BigInt(i), x.voter, id, x.reason]])),
      );
      expect(counted).to.deep.equal([
        [m[3].address, id, BigInt(Support.For), 2n, ""],
        [m[8].address, id, BigInt(Support.Against), 3n, ""],
      ]);
      expect(await readAccounts(ctx, [ctx.a.id, id], badVoters)).to.deep.equal(badBefore);
      for (const [i, v] of goodVoters.entries()) {
        expect(await credits.balanceOf(v.address)).to.equal(goodBefore[i] - voteCost(goodVotes[i]));
        expect(await governor.ballotNonce(id, v.address)).to.equal(1n);
      }
      expect(await credits.balanceOf(ctx.relayer.address)).to.equal(0n);
      const [forVotes, againstVotes, forVoters, againstVoters, abstainVoters, quorumMembers] = tallyBefore;
      expect([...(await governor.proposalTally(id))]).to.deep.equal([
        forVotes + 2n,
        againstVotes + 3n,
        forVoters + 1n,
        againstVoters + 1n,
        abstainVoters,
        quorumMembers,
      ]);
    });

    it("counts exactly as the same ballots sent one by one through castBallot (tallies, receipts, nonces, balances)", async function () {
      const ctx = await loadFixture(ballotsFixture);
      const { governor, credits } = ctx.coop;
      const plan = [
        { voter: ctx.members[2], support: Support.For, votes: 3n },
        { voter: ctx.members[3], support: Support.Against, votes: 2n },
        { voter: ctx.members[4], support: Support.Abstain, votes: 0n },
        { voter: ctx.members[2], support: Support.For, votes: 1n }, // a top-up: nonce 1
        { voter: ctx.members[5], support: Support.For, votes: 4n },
        { voter: ctx.members[6], support: Support.For, votes: 1n },
      ];
      const sign = async (id: bigint) => {
        const nonces = new Map<string, bigint>();
        const out: SignedBallot[] = [];
        for (const x of plan) {
          const nonce = nonces.get(x.voter.address) ?? 0n;
          nonces.set(x.voter.address, nonce + 1n);
          out.push(await signBallot(ctx, x.voter, { proposalId: id, support: x.support, votes: x.votes, nonce }));
        }
        return out;
      };
      const snapshot = await networkHelpers.takeSnapshot();
      const oneByOne = await sign(ctx.b.id);
      for (const b of oneByOne) await (await governor.connect(ctx.relayer).castBallot(ballotTuple(b))).wait();
      const read = async () => ({
        tally: [...(await governor.proposalTally(ctx.b.id))],
        receipts: await Promise.all(plan.map(async (x) => [...(await governor.receiptOf(ctx.b.id, x.voter.address))])),
        nonces: await Promise.all(plan.map((x) => governor.ballotNonce(ctx.b.id, x.voter.address))),
        balances: await Promise.all(plan.map((x) => credits.balanceOf(x.voter.address))),
      });
      const expected = await read();
      await snapshot.restore();

      const compact = (await sign(ctx.b.id)).map(compactBallot);
      const receipt = await submitCompact(ctx, ctx.b.id, compact);
      expect(parseBatch(ctx, receipt).skipped).to.deep.equal([]);
      expect(await read()).to.deep.equal(expected);
      expect(expected.tally[0]).to.equal(9n); // 3 + 1 + 4 + 1 for: the plan really counted
    });

    it("refuses the whole batch when the proposal is not open: GovernorUnexpectedProposalState for a pending one, GovernorNonexistentProposal for an unknown one", async function () {
      const ctx = await loadFixture(ballotsFixture);
      const { governor } = ctx.coop;
      const pending = await propose(ctx, ctx.members[2], "Proposal C: still pending");
      const ballot = compactBallot(await signBallot(ctx, ctx.members[3], { proposalId: pending.id }));
      await expectUnchanged(ctx, [pending.id], [ctx.members[3].address], async () => {
        await expect(governor.connect(ctx.relayer).castBallotsCompact(pending.id, [ballot]))
          .to.be.revertedWithCustomError(governor, "GovernorUnexpectedProposalState")
          .withArgs(pending.id, ProposalState.Pending, stateBitmap(ProposalState.Active));
        const unknown = ctx.a.id ^ ctx.b.id;
        await expect(governor.connect(ctx.relayer).castBallotsCompact(unknown, [ballot]))
          .to.be.revertedWithCustomError(governor, "GovernorNonexistentProposal")
          .withArgs(unknown);
      });
    });

    it("refuses a batch on a proposal cancelled while pending once its vote window opens (the tally word marks it cancelled)", async function () {
      const ctx = await loadFixture(ballotsFixture);
      const { governor } = ctx.coop;
      const c = await propose(ctx, ctx.members[2], "Proposal C: withdrawn before the vote");
      await (await governor.connect(ctx.members[2]).cancel(c.targets, c.values, c.calldatas, c.descriptionHash)).wait();
      await startVoting(ctx, c);
      expect(await governor.state(c.id)).to.equal(ProposalState.Canceled);
      const voter = ctx.members[3];
      const signed = await signBallot(ctx, voter, { proposalId: c.id });
      const refusals = [
        governor.connect(ctx.relayer).castBallotsCompact(c.id, [compactBallot(signed)]),
        governor.connect(voter).castVote(c.id, Support.For),
        governor.connect(ctx.relayer).castBallot(ballotTuple(signed)),
      ];
      for (const attempt of refusals) {
        await expect(attempt)
          .to.be.revertedWithCustomError(governor, "GovernorUnexpectedProposalState")
          .withArgs(c.id, ProposalState.Canceled, stateBitmap(ProposalState.Active));
      }
      const { skipped } = parseBatch(ctx, await submit(ctx, [signed]));
      expect(skipped).to.deep.equal([[0n, voter.address, c.id, VoteRefusal.ProposalNotActive]]);
      expect(await governor.hasVoted(c.id, voter.address)).to.equal(false);
    });

    it("returns 0 for an empty batch and changes nothing", async function () {
      const ctx = await loadFixture(ballotsFixture);
      expect(await ctx.coop.governor.castBallotsCompact.staticCall(ctx.b.id, [])).to.equal(0n);
      await expectUnchanged(ctx, [ctx.b.id], [ctx.members[3].address], async () => {
        expect(parseBatch(ctx, await submitCompact(ctx, ctx.b.id, []))).to.deep.equal({ skipped: [], counted: [] });
      });
    });
  });

  describe("compact form (lib/ballots/ballot.ts)", function () {
    it("packs voter, side, votes and deadline into one word and the signature into r and vs (EIP-2098)", async function () {
      const ctx = await loadFixture(ballotsFixture);
      const b = await signBallot(ctx, ctx.members[3], { proposalId: ctx.b.id, support: Support.Against, votes: 7n });
      const c = compactBallot(b);
      const head = BigInt(c.head);
      expect(getAddress(toBeHex(head & ((1n << 160n) - 1n), 20))).to.equal(b.voter);
      expect((head >> 160n) & 0xffn).to.equal(BigInt(Support.Against));
      expect((head >> 168n) & 0xffffffn).to.equal(7n);
      expect(head >> 192n).to.equal(b.deadline);
      const sig = Signature.from(b.signature);
      expect([c.r, c.vs]).to.deep.equal([sig.r, sig.yParityAndS]);
    });

    it("refuses what cannot travel compact, saying why: a reason, too many votes, a late deadline, a contract wallet's signature", async function () {
      const ctx = await loadFixture(ballotsFixture);
      const b = await signBallot(ctx, ctx.members[3], { proposalId: ctx.b.id });
      expect(notCompactReason(b)).to.equal(undefined);
      const cases: [SignedBallot, string][] = [
        [{ ...b, reason: "why" }, "it has a reason"],
        [{ ...b, votes: COMPACT_MAX_VOTES + 1n }, "its votes exceed 2^24 - 1"],
        [{ ...b, deadline: COMPACT_MAX_DEADLINE + 1n }, "its deadline exceeds 2^48 - 1"],
        [{ ...b, signature: `${b.signature}00` }, "its signature is not 65 bytes"],
        [{ ...b, signature: `${b.signature.slice(0, 130)}1d` }, "its signature's v is neither 27 nor 28"],
        [{ ...b, support: 256 }, "its side is not a uint8"],
      ];
      for (const [ballot, why] of cases) {
        expect(notCompactReason(ballot)).to.equal(why);
        expect(() => compactBallot(ballot)).to.throw(`cannot be compact: ${why}`);
      }
    });
  });

  describe("OpenZeppelin castVoteBySig with OpenZeppelin's account nonces", function () {
    /** What a standard client does: read nonces(voter), sign OpenZeppelin's Ballot, send castVoteBySig. */
    async function standardVoteBySig(
      ctx: BallotCtx,
      voter: HardhatEthersSigner,
      proposalId: bigint,
      sign: (message: { proposalId: bigint; support: number; voter: string; nonce: bigint }) => Promise<string>,
    ): Promise<void> {
      const { governor } = ctx.coop;
      const nonce = await governor.nonces(voter.address);
      const signature = await sign({ proposalId, support: Support.For, voter: voter.address, nonce });
      await expect(governor.connect(ctx.relayer).castVoteBySig(proposalId, Support.For, voter.address, signature))
        .to.emit(governor, "VoteCast")
        .withArgs(voter.address, proposalId, Support.For, 1n, "");
      expect(await governor.nonces(voter.address)).to.equal(nonce + 1n);
    }

    async function threeOpenProposals(ctx: BallotCtx): Promise<bigint[]> {
      const c = await propose(ctx, ctx.members[2], "Proposal C: a second oven");
      await startVoting(ctx, c);
      return [ctx.a.id, ctx.b.id, c.id];
    }

    it("counts a standard client's castVoteBySig on three proposals in a row, signed by ethers with nonces(voter) 0, 1, 2", async function () {
      const ctx = await loadFixture(ballotsFixture);
      const voter = ctx.members[6];
      const before = await ctx.coop.credits.balanceOf(voter.address);
      const ids = await threeOpenProposals(ctx);
      for (const id of ids) {
        await standardVoteBySig(ctx, voter, id, (message) => voter.signTypedData(ctx.domain, ozBallotTypes, message));
      }
      expect(await ctx.coop.governor.nonces(voter.address)).to.equal(3n);
      for (const id of ids) {
        expect([...(await ctx.coop.governor.receiptOf(id, voter.address))]).to.deep.equal([true, 1n, 1n, 1n]);
      }
      expect(await ctx.coop.credits.balanceOf(voter.address)).to.equal(before - 3n * voteCost(1n));
    });

    it("counts a standard client's castVoteBySig on three proposals in a row, signed by viem (eth_signTypedData_v4)", async function () {
      const ctx = await loadFixture(ballotsFixture);
      const voter = ctx.members[7];
      const account = getAddress(voter.address) as `0x${string}`;
      const wallet = createWalletClient({ account, transport: custom(connection.provider) });
      const ids = await threeOpenProposals(ctx);
      for (const id of ids) {
        await standardVoteBySig(ctx, voter, id, (message) =>
          wallet.signTypedData({
            account,
            domain: { ...ctx.domain, verifyingContract: getAddress(ctx.domain.verifyingContract) as `0x${string}` },
            types: ozBallotTypes,
            primaryType: "Ballot",
            message: { ...message, voter: getAddress(message.voter) as `0x${string}` },
          }),
        );
      }
      expect(await ctx.coop.governor.nonces(voter.address)).to.equal(3n);
    });

    it("refuses a replayed castVoteBySig, and one signed with a nonce other than nonces(voter), with GovernorInvalidSignature(voter)", async function () {
      const ctx = await loadFixture(ballotsFixture);
      const { governor } = ctx.coop;
      const voter = ctx.members[8];
      const first = { proposalId: ctx.b.id, support: Support.For, voter: voter.address, nonce: 0n };
      const signature = await voter.signTypedData(ctx.domain, ozBallotTypes, first);
      await (await governor.connect(ctx.relayer).castVoteBySig(ctx.b.id, Support.For, voter.address, signature)).wait();
      // The replay: nonce 0 is used up (the voter's nonce is now 1).
      const skipAhead = await voter.signTypedData(ctx.domain, ozBallotTypes, {
        ...first,
        proposalId: ctx.a.id,
        nonce: 5n,
      });
      await expectUnchanged(ctx, [ctx.a.id, ctx.b.id], [voter.address], async () => {
        await expect(governor.connect(ctx.relayer).castVoteBySig(ctx.b.id, Support.For, voter.address, signature))
          .to.be.revertedWithCustomError(governor, "GovernorInvalidSignature")
          .withArgs(voter.address);
        await expect(governor.castVoteBySig(ctx.a.id, Support.For, voter.address, skipAhead))
          .to.be.revertedWithCustomError(governor, "GovernorInvalidSignature")
          .withArgs(voter.address);
      });
      expect(await governor.nonces(voter.address)).to.equal(1n);
    });

    it("keeps the two nonce schemes apart: a QuadraticBallot uses no account nonce, and a castVoteBySig leaves a pending ballot on another proposal valid", async function () {
      const ctx = await loadFixture(ballotsFixture);
      const { governor } = ctx.coop;
      const voter = ctx.members[9];
      const pendingForB = await signBallot(ctx, voter, { proposalId: ctx.b.id, votes: 2n });
      await standardVoteBySig(ctx, voter, ctx.a.id, (message) =>
        voter.signTypedData(ctx.domain, ozBallotTypes, message),
      );
      await (await governor.connect(ctx.relayer).castBallot(ballotTuple(pendingForB))).wait();
      expect(await governor.nonces(voter.address)).to.equal(1n);
      expect(await governor.ballotNonce(ctx.b.id, voter.address)).to.equal(1n);
      expect((await governor.receiptOf(ctx.b.id, voter.address)).votes).to.equal(2n);
    });

    it("counts castVoteWithReasonAndParamsBySig (ExtendedBallot, signed with nonces(voter)) with its votes² cost, and refuses its replay", async function () {
      const ctx = await loadFixture(ballotsFixture);
      const { governor, credits } = ctx.coop;
      const voter = ctx.members[8];
      const params = encodeVotes(3n);
      const message = {
        proposalId: ctx.b.id,
        support: Support.For,
        voter: voter.address,
        nonce: await governor.nonces(voter.address),
        reason: "by sig",
        params,
      };
      const signature = await voter.signTypedData(ctx.domain, ozExtendedBallotTypes, message);
      const before = await credits.balanceOf(voter.address);
      await expect(
        governor
          .connect(ctx.relayer)
          .castVoteWithReasonAndParamsBySig(ctx.b.id, Support.For, voter.address, "by sig", params, signature),
      )
        .to.emit(governor, "VoteCastWithParams")
        .withArgs(voter.address, ctx.b.id, Support.For, 3n, "by sig", params);
      expect(await credits.balanceOf(voter.address)).to.equal(before - voteCost(3n));
      expect(await governor.nonces(voter.address)).to.equal(message.nonce + 1n);
      await expectUnchanged(ctx, [ctx.b.id], [voter.address], async () => {
        await expect(
          governor
            .connect(ctx.relayer)
            .castVoteWithReasonAndParamsBySig(ctx.b.id, Support.For, voter.address, "by sig", params, signature),
        )
          .to.be.revertedWithCustomError(governor, "GovernorInvalidSignature")
          .withArgs(voter.address);
      });
    });

    it("accepts castVoteBySig from an ERC-1271 member wallet signed by its owner", async function () {
      const ctx = await loadFixture(ballotsFixture);
      const { governor } = ctx.coop;
      const walletAddress = await ctx.wallet.getAddress();
      const signature = await ctx.walletOwner.signTypedData(ctx.domain, ozBallotTypes, {
        proposalId: ctx.a.id,
        support: Support.Against,
        voter: walletAddress,
        nonce: 0n,
      });
      await (
        await governor.connect(ctx.relayer).castVoteBySig(ctx.a.id, Support.Against, walletAddress, signature)
      ).wait();
      expect([...(await governor.receiptOf(ctx.a.id, walletAddress))]).to.deep.equal([true, 0n, 1n, voteCost(1n)]);
    });
  });
});

/**
 * The relayer's restart, step by step: each test leaves the database as a crash at one precise moment would
 * (a batch recorded but never broadcast, broadcast and mined while the relayer was down, or overtaken by another
 * transaction of the relayer's account), then starts a new relayer on it.
 */
import { expect } from "chai";
import { network } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { Wallet } from "ethers";

import { Support, voteRefusals, type GovernorDomain } from "../../lib/ballots/ballot.ts";
import type { Deployment } from "../../lib/deployment.ts";
import { VoteRefusal } from "../../lib/refusals.ts";
import { toBallotRequest } from "../../lib/ballots/relay.ts";
import {
  coopDomain,
  deployCoopWithMembers,
  propose,
  signBallot,
  startVoting,
  vote,
  type Ctx,
} from "../helpers/governor-fixtures.ts";
import {
  RELAYER_KEY,
  deploymentOfCoop,
  postRaw,
  startTestRelayer,
  tempDir,
  waitForBallot,
  type TestRelayer,
} from "./helpers.ts";

const connection = await network.create();
const { ethers } = connection;

describe("Relayer restart and reconciliation", function () {
  let ctx: Ctx;
  let domain: GovernorDomain;
  let deployment: Deployment;
  let proposalId: bigint;
  let nextVoter = 0;

  before(async function () {
    ctx = await deployCoopWithMembers(connection, { memberCount: 12 });
    const p = await propose(ctx, ctx.members[0], "Restart: fix the oven");
    await startVoting(ctx, p);
    proposalId = p.id;
    domain = await coopDomain(ctx);
    deployment = await deploymentOfCoop(ctx.coop, domain.chainId);
  });

  /** A relayer whose submitter does not run: ballots stay queued until the test moves them. */
  async function stoppedRelayer(dbPath: string): Promise<TestRelayer> {
    const relayer = await startTestRelayer(ethers.provider, deployment, RELAYER_KEY, {
      dbPath,
      submitter: { pollMs: 20, maxBatchAgeMs: 20 },
    });
    await relayer.submitter.stop();
    return relayer;
  }

  /** Posts one fresh ballot of a member who has not voted yet; returns its id and voter. */
  async function queueBallot(relayer: TestRelayer): Promise<{ id: string; voter: HardhatEthersSigner }> {
    const voter = ctx.members[++nextVoter];
    const ballot = await signBallot(ctx, voter, { proposalId, votes: 2n, nonce: 0n }, domain);
    const answer = await postRaw(relayer.url, JSON.stringify(toBallotRequest(ballot, domain)));
    expect(answer.status).to.equal(202);
    return { id: answer.body.id as string, voter };
  }

  /** Votes `voter` cast on the proposal, by any path: ballots and castVote emit VoteCast, vote params VoteCastWithParams. */
  async function castCount(voter: string): Promise<number> {
    const { governor } = ctx.coop;
    const events = [
      ...(await governor.queryFilter(governor.filters.VoteCast(voter), deployment.deployBlock)),
      ...(await governor.queryFilter(governor.filters.VoteCastWithParams(voter), deployment.deployBlock)),
    ];
    return events.filter((e) => e.args.proposalId === proposalId).length;
  }

  it("broadcasts a batch recorded just before a crash, the very same transaction, and counts it once", async function () {
    const dbPath = `${tempDir()}/relayer.sqlite`;
    const before = await stoppedRelayer(dbPath);
    const a = await queueBallot(before);
    const b = await queueBallot(before);
    const batch = (await before.submitter.prepareBatch(before.store.queued(50)))!;
    before.store.recordBatch(batch);
    await before.close();
    expect(await ethers.provider.getTransaction(batch.txHash)).to.equal(null);

    const after = await startTestRelayer(ethers.provider, deployment, RELAYER_KEY, { dbPath });
    try {
      for (const { id, voter } of [a, b]) {
        const settled = await waitForBallot(after.url, id);
        expect(settled).to.include({ status: "included", txHash: batch.txHash });
        expect(await castCount(voter.address)).to.equal(1);
      }
      expect(after.logs.some((line) => line.includes(`resuming ${batch.txHash}`))).to.equal(true);
    } finally {
      await after.close();
    }
  });

  it("settles a batch that was mined while the relayer was down from its receipt, sending nothing", async function () {
    const dbPath = `${tempDir()}/relayer.sqlite`;
    const before = await stoppedRelayer(dbPath);
    const a = await queueBallot(before);
    const batch = (await before.submitter.prepareBatch(before.store.queued(50)))!;
    before.store.recordBatch(batch);
    await ethers.provider.broadcastTransaction(batch.rawTx);
    await before.close();
    const relayerNonce = await ethers.provider.getTransactionCount(before.address);

    const after = await startTestRelayer(ethers.provider, deployment, RELAYER_KEY, { dbPath });
    try {
      expect(await waitForBallot(after.url, a.id)).to.include({ status: "included", txHash: batch.txHash });
      expect(await ethers.provider.getTransactionCount(after.address)).to.equal(relayerNonce);
      expect(await castCount(a.voter.address)).to.equal(1);
    } finally {
      await after.close();
    }
  });

  it("requeues the ballots of a batch whose nonce went to another transaction, and rejects one counted elsewhere", async function () {
    const dbPath = `${tempDir()}/relayer.sqlite`;
    const before = await stoppedRelayer(dbPath);
    const kept = await queueBallot(before);
    const spent = await queueBallot(before);
    const batch = (await before.submitter.prepareBatch(before.store.queued(50)))!;
    before.store.recordBatch(batch);
    await before.close();
    // Meanwhile the relayer's account sends something else with that nonce, and one voter votes directly.
    const account = new Wallet(RELAYER_KEY, ethers.provider);
    await (await account.sendTransaction({ to: account.address, value: 0n, nonce: batch.accountNonce })).wait();
    await vote(ctx, proposalId, spent.voter, Support.Against, 1n);

    const after = await startTestRelayer(ethers.provider, deployment, RELAYER_KEY, {
      dbPath,
      submitter: { pollMs: 20, maxBatchAgeMs: 20 },
    });
    try {
      const requeued = await waitForBallot(after.url, kept.id);
      expect(requeued.status).to.equal("included");
      expect(requeued.txHash).to.not.equal(batch.txHash);
      const rejected = await waitForBallot(after.url, spent.id);
      expect(rejected).to.include({ status: "rejected" });
      expect(rejected.rejection).to.deep.equal({
        refusal: VoteRefusal.InvalidNonce,
        reason: `${voteRefusals[VoteRefusal.InvalidNonce]} (another vote spent nonce 0)`,
      });
      expect(await ethers.provider.getTransaction(batch.txHash)).to.equal(null);
      expect(await castCount(kept.voter.address)).to.equal(1);
      expect(await castCount(spent.voter.address)).to.equal(1);
      const receipt = await ctx.coop.governor.receiptOf(proposalId, spent.voter.address);
      expect([receipt.support, receipt.votes]).to.deep.equal([BigInt(Support.Against), 1n]);
    } finally {
      await after.close();
    }
  });

  it("refuses a database made for another governor", async function () {
    const dbPath = `${tempDir()}/relayer.sqlite`;
    const first = await stoppedRelayer(dbPath);
    await first.close();
    const elsewhere = {
      ...deployment,
      contracts: { ...deployment.contracts, MutualGovernor: deployment.contracts.MembershipCard },
    };
    let error: Error | undefined;
    try {
      await startTestRelayer(ethers.provider, elsewhere, RELAYER_KEY, { dbPath });
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).to.equal(
      `${dbPath} holds the ballots of governor ${deployment.contracts.MutualGovernor.toLowerCase()} on chain ${domain.chainId}, not of ${deployment.contracts.MembershipCard} on chain ${domain.chainId}: use another database file`,
    );
  });
});

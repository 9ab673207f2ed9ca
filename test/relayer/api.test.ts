import { expect } from "chai";
import { network } from "hardhat";

import { Support, ballotTuple, governorDomain, voteRefusals, type GovernorDomain } from "../../lib/ballots/ballot.ts";
import { VoteRefusal } from "../../lib/refusals.ts";
import { ballotId, governorBallotInterface, toBallotRequest, type BallotRequest } from "../../lib/ballots/relay.ts";
import {
  coopDomain,
  deployCoopWithMembers,
  endVoting,
  propose,
  signBallot,
  startVoting,
  vote,
  type Ctx,
  type ProposalRef,
} from "../helpers/governor-fixtures.ts";
import {
  RELAYER_KEY,
  deploymentOfCoop,
  get,
  postRaw,
  startTestRelayer,
  waitForBallot,
  type Answer,
  type TestRelayer,
} from "./helpers.ts";

const connection = await network.create();
const { ethers } = connection;

describe("Relayer API", function () {
  let ctx: Ctx;
  let domain: GovernorDomain;
  let open: ProposalRef;
  let other: ProposalRef;
  let closed: ProposalRef;
  let relayer: TestRelayer;

  before(async function () {
    ctx = await deployCoopWithMembers(connection, { memberCount: 10 });
    closed = await propose(ctx, ctx.members[1], "Closed: a vote that ended");
    await startVoting(ctx, closed);
    await endVoting(ctx, closed);
    open = await propose(ctx, ctx.members[0], "Open: buy flour");
    other = await propose(ctx, ctx.members[2], "Open too: paint the shop");
    await startVoting(ctx, open);
    domain = await coopDomain(ctx);
    relayer = await startTestRelayer(ethers.provider, await deploymentOfCoop(ctx.coop, domain.chainId), RELAYER_KEY, {
      submitter: { maxBatchAgeMs: 50, pollMs: 20 },
    });
  });

  after(async function () {
    await relayer?.close();
  });

  async function latest(): Promise<bigint> {
    return BigInt(await ctx.helpers.time.latest());
  }

  function post(request: BallotRequest | object, url = relayer.url): Promise<Answer> {
    return postRaw(url, JSON.stringify(request));
  }

  /** Posts a refused request and checks the status, the error, the message, and that nothing was stored. */
  async function expectRefused(
    request: BallotRequest | string,
    status: number,
    error: string,
    message: string,
    id?: string,
  ): Promise<void> {
    const before = relayer.store.counts();
    const answer = typeof request === "string" ? await postRaw(relayer.url, request) : await post(request);
    expect(answer).to.deep.equal({ status, body: { error, message } });
    expect(relayer.store.counts()).to.deep.equal(before);
    if (id !== undefined) {
      expect(relayer.store.get(id)).to.equal(undefined);
      expect((await get(relayer.url, `/ballots/${id}`)).status).to.equal(404);
    }
  }

  describe("accepting a ballot", function () {
    it("stores a valid ballot, answers 202 with its EIP-712 digest as id, and includes it on chain", async function () {
      const voter = ctx.members[8];
      const ballot = await signBallot(ctx, voter, { proposalId: open.id, votes: 2n, reason: "yes, twice" });
      const answer = await post(toBallotRequest(ballot, domain));
      expect(answer.status).to.equal(202);
      const id = await ctx.coop.governor.ballotDigest(ballotTuple(ballot));
      expect(answer.body).to.include({ id, status: "queued", voter: voter.address, votes: "2", duplicate: false });
      expect(relayer.store.get(id)?.status).to.be.oneOf(["queued", "submitted"]);

      const settled = await waitForBallot(relayer.url, id);
      expect(settled.status).to.equal("included");
      expect(settled.txHash).to.match(/^0x[0-9a-f]{64}$/);
      const receipt = await ctx.coop.governor.receiptOf(open.id, voter.address);
      expect([receipt.voted, receipt.votes]).to.deep.equal([true, 2n]);
      const tx = await ethers.provider.getTransaction(settled.txHash as string);
      expect(tx?.from).to.equal(relayer.address);
    });

    it("answers the same id for the same ballot twice and submits it once", async function () {
      const voter = ctx.members[4];
      const ballot = await signBallot(ctx, voter, { proposalId: other.id, votes: 3n });
      const first = await post(toBallotRequest(ballot, domain));
      const second = await post(toBallotRequest(ballot, domain));
      expect(first.status).to.equal(202);
      expect(second.status).to.equal(202);
      expect(second.body.id).to.equal(first.body.id);
      expect(second.body.duplicate).to.equal(true);
      const settled = await waitForBallot(relayer.url, first.body.id as string);
      expect(settled.status).to.equal("included");
      const third = await post(toBallotRequest(ballot, domain));
      expect(third.body).to.include({ id: first.body.id, status: "included", duplicate: true });

      expect(await ctx.coop.governor.ballotNonce(other.id, voter.address)).to.equal(1n);
      const casts = await ctx.coop.governor.queryFilter(ctx.coop.governor.filters.VoteCast(voter.address));
      expect(casts.filter((e) => e.args.proposalId === other.id)).to.have.length(1);
    });

    it("keeps its database in WAL mode", function () {
      expect(relayer.store.journalMode()).to.equal("wal");
    });
  });

  describe("refusing a bad body (400, 413, 415)", function () {
    it("refuses malformed JSON", async function () {
      await expectRefused(
        '{"chainId": 31337,',
        400,
        "MalformedJson",
        "the body is not valid JSON: Body is not valid JSON but content-type is set to 'application/json'",
      );
    });

    it("refuses an empty body", async function () {
      await expectRefused("", 400, "MalformedJson", "the body is empty: send a JSON ballot");
    });

    it("refuses a body over the size limit", async function () {
      const request = toBallotRequest(await signBallot(ctx, ctx.members[5], { proposalId: open.id }), domain);
      const huge = JSON.stringify({ ...request, padding: "x".repeat(17 * 1024) });
      await expectRefused(huge, 413, "BodyTooLarge", "the body is larger than 16384 bytes");
    });

    it("refuses a body that is not JSON", async function () {
      const before = relayer.store.counts();
      const answer = await postRaw(relayer.url, "chainId=31337", "application/x-www-form-urlencoded");
      expect(answer).to.deep.equal({
        status: 415,
        body: {
          error: "UnsupportedMediaType",
          message: "the body must be JSON (content-type: application/json), not application/x-www-form-urlencoded",
        },
      });
      expect(relayer.store.counts()).to.deep.equal(before);
    });

    for (const field of ["signature", "voter", "nonce", "deadline", "chainId", "verifyingContract"] as const) {
      it(`refuses a ballot without ${field}`, async function () {
        const ballot = await signBallot(ctx, ctx.members[5], { proposalId: open.id });
        const request: Partial<BallotRequest> = toBallotRequest(ballot, domain);
        delete request[field];
        await expectRefused(
          JSON.stringify(request),
          400,
          "InvalidBody",
          `body must have required property '${field}'`,
          ballotId(domain, ballot),
        );
      });
    }

    it("refuses a field of the wrong type, an unknown field, a number that is not a uint256", async function () {
      const ballot = await signBallot(ctx, ctx.members[5], { proposalId: open.id });
      const request = toBallotRequest(ballot, domain);
      await expectRefused(JSON.stringify({ ...request, votes: 1 }), 400, "InvalidBody", "body/votes must be string");
      await expectRefused(
        JSON.stringify({ ...request, weight: "1" }),
        400,
        "InvalidBody",
        "body must NOT have additional properties",
      );
      await expectRefused(
        JSON.stringify({ ...request, support: 3 }),
        400,
        "InvalidBody",
        "body/support must be equal to one of the allowed values",
      );
      await expectRefused(
        JSON.stringify({ ...request, signature: "0x123" }),
        400,
        "InvalidBody",
        'body/signature must match pattern "^0x([0-9a-fA-F]{2}){1,2048}$"',
      );
      await expectRefused(
        JSON.stringify({ ...request, proposalId: "9".repeat(78) }),
        400,
        "InvalidBody",
        "body/proposalId must be below 2^256",
      );
    });
  });

  describe("refusing a ballot that cannot count (422, 409)", function () {
    it("refuses a ballot signed for another chain", async function () {
      const over = governorDomain(domain.name, 1n, domain.verifyingContract);
      const ballot = await signBallot(ctx, ctx.members[5], { proposalId: open.id }, over);
      await expectRefused(
        JSON.stringify(toBallotRequest(ballot, over)),
        422,
        "WrongChain",
        `the ballot is signed for chain 1; this relayer submits to chain ${domain.chainId}`,
        ballotId(domain, ballot),
      );
    });

    it("refuses a ballot signed for another verifying contract", async function () {
      const card = await ctx.coop.card.getAddress();
      const over = governorDomain(domain.name, domain.chainId, card);
      const ballot = await signBallot(ctx, ctx.members[5], { proposalId: open.id }, over);
      await expectRefused(
        JSON.stringify(toBallotRequest(ballot, over)),
        422,
        "WrongVerifyingContract",
        `the ballot is signed for the contract ${card}; this relayer submits to the governor ${domain.verifyingContract}`,
        ballotId(domain, ballot),
      );
    });

    it("refuses a ballot whose signature is not the voter's", async function () {
      const [signer, voter] = [ctx.members[3], ctx.members[5]];
      const ballot = await signBallot(ctx, signer, { proposalId: open.id, voter: voter.address });
      await expectRefused(
        JSON.stringify(toBallotRequest(ballot, domain)),
        422,
        "InvalidSignature",
        `the signature does not match the voter: it recovers to ${signer.address}, not ${voter.address}`,
        ballotId(domain, ballot),
      );
      const garbled = { ...ballot, signature: `0x${"11".repeat(65)}` };
      await expectRefused(
        JSON.stringify(toBallotRequest(garbled, domain)),
        422,
        "InvalidSignature",
        "the signature does not match the voter: it is not a valid ECDSA signature",
      );
    });

    it("refuses an expired ballot", async function () {
      const deadline = (await latest()) - 1n;
      const ballot = await signBallot(ctx, ctx.members[5], { proposalId: open.id, deadline });
      await expectRefused(
        JSON.stringify(toBallotRequest(ballot, domain)),
        422,
        "BallotExpired",
        `${voteRefusals[VoteRefusal.BallotExpired]} (deadline ${deadline})`,
        ballotId(domain, ballot),
      );
    });

    it("refuses a ballot from someone who is not a member", async function () {
      const stranger = ctx.outsiders[0];
      const ballot = await signBallot(ctx, stranger, { proposalId: open.id });
      const snapshot = await ctx.coop.governor.proposalSnapshot(open.id);
      await expectRefused(
        JSON.stringify(toBallotRequest(ballot, domain)),
        422,
        "NotEligible",
        `${voteRefusals[VoteRefusal.NotEligible]} (snapshot ${snapshot})`,
        ballotId(domain, ballot),
      );
    });

    it("refuses a ballot over the voter's credit budget", async function () {
      const voter = ctx.members[5];
      const balance = await ctx.coop.credits.balanceOf(voter.address);
      const ballot = await signBallot(ctx, voter, { proposalId: open.id, votes: 11n });
      await expectRefused(
        JSON.stringify(toBallotRequest(ballot, domain)),
        422,
        "InsufficientCredits",
        `${voteRefusals[VoteRefusal.InsufficientCredits]} (needs 121, has ${balance})`,
        ballotId(domain, ballot),
      );
    });

    it("refuses a replayed nonce: the voter already voted on the proposal", async function () {
      const voter = ctx.members[6];
      await vote(ctx, open, voter, Support.For, 1n);
      const ballot = await signBallot(ctx, voter, { proposalId: open.id, nonce: 0n });
      await expectRefused(
        JSON.stringify(toBallotRequest(ballot, domain)),
        422,
        "InvalidNonce",
        `${voteRefusals[VoteRefusal.InvalidNonce]} (the next one is 1)`,
        ballotId(domain, ballot),
      );
    });

    it("refuses a ballot for a closed proposal", async function () {
      const ballot = await signBallot(ctx, ctx.members[5], { proposalId: closed.id });
      await expectRefused(
        JSON.stringify(toBallotRequest(ballot, domain)),
        422,
        "ProposalNotActive",
        `${voteRefusals[VoteRefusal.ProposalNotActive]} (it is Defeated)`,
        ballotId(domain, ballot),
      );
    });

    it("refuses a second, different ballot for a nonce whose ballot is still waiting", async function () {
      const voter = ctx.members[7];
      await relayer.submitter.stop();
      try {
        const first = await post(
          toBallotRequest(await signBallot(ctx, voter, { proposalId: open.id, votes: 1n }), domain),
        );
        expect(first.status).to.equal(202);
        const second = await signBallot(ctx, voter, { proposalId: open.id, votes: 2n });
        await expectRefused(
          JSON.stringify(toBallotRequest(second, domain)),
          409,
          "NonceTaken",
          `another ballot of ${voter.address} on this proposal with nonce 0 is waiting (${first.body.id}); sign the next one after it is included`,
          ballotId(domain, second),
        );
        relayer.submitter.start();
        expect((await waitForBallot(relayer.url, first.body.id as string)).status).to.equal("included");
      } finally {
        relayer.submitter.start();
      }
    });
  });

  describe("settling ballots on chain", function () {
    it("marks a ballot the batch skipped as rejected, with the reason of its BallotSkipped event", async function () {
      const voter = ctx.members[9];
      const balance = await ctx.coop.credits.balanceOf(voter.address);
      // Each ballot alone fits the budget (64 and 49 credits of 100); together they do not.
      expect(balance).to.equal(100n);
      await relayer.submitter.stop();
      // With reasons, both travel in one castBallots call (ballots on two proposals).
      const a = await post(
        toBallotRequest(await signBallot(ctx, voter, { proposalId: open.id, votes: 8n, reason: "eight" }), domain),
      );
      const b = await post(
        toBallotRequest(await signBallot(ctx, voter, { proposalId: other.id, votes: 7n, reason: "seven" }), domain),
      );
      expect([a.status, b.status]).to.deep.equal([202, 202]);
      relayer.submitter.start();
      const [first, second] = [
        await waitForBallot(relayer.url, a.body.id as string),
        await waitForBallot(relayer.url, b.body.id as string),
      ];
      expect(first.status).to.equal("included");
      expect(second.status).to.equal("rejected");
      expect(second.rejection).to.deep.equal({
        refusal: VoteRefusal.InsufficientCredits,
        reason: voteRefusals[VoteRefusal.InsufficientCredits],
      });
      expect(second.txHash).to.equal(first.txHash);
      expect(await ctx.coop.governor.ballotNonce(other.id, voter.address)).to.equal(0n);
    });

    it("sends a member's ballot without a reason in castBallotsCompact, and marks it rejected when a direct vote spent the credits meanwhile", async function () {
      const voter = ctx.members[3];
      expect(await ctx.coop.credits.balanceOf(voter.address)).to.equal(100n);
      await relayer.submitter.stop();
      const answer = await post(
        toBallotRequest(await signBallot(ctx, voter, { proposalId: open.id, votes: 8n }), domain),
      );
      expect(answer.status).to.equal(202);
      // 49 credits spent on the other proposal by transaction: 51 left, the ballot needs 64.
      await vote(ctx, other.id, voter, Support.For, 7n);
      relayer.submitter.start();
      const settled = await waitForBallot(relayer.url, answer.body.id as string);
      expect(settled.status).to.equal("rejected");
      expect(settled.rejection).to.deep.equal({
        refusal: VoteRefusal.InsufficientCredits,
        reason: voteRefusals[VoteRefusal.InsufficientCredits],
      });
      const tx = await ctx.coop.governor.runner!.provider!.getTransaction(settled.txHash as string);
      expect(governorBallotInterface.parseTransaction({ data: tx!.data })?.name).to.equal("castBallotsCompact");
      expect(await ctx.coop.governor.ballotNonce(open.id, voter.address)).to.equal(0n);
    });

    it("rejects a queued ballot that expired before it was sent, without paying for it", async function () {
      const voter = ctx.members[2];
      await relayer.submitter.stop();
      const ballot = await signBallot(ctx, voter, { proposalId: other.id, deadline: (await latest()) + 60n });
      const answer = await post(toBallotRequest(ballot, domain));
      expect(answer.status).to.equal(202);
      await ctx.helpers.time.increase(120);
      relayer.submitter.start();
      const settled = await waitForBallot(relayer.url, answer.body.id as string);
      expect(settled).to.include({ status: "rejected" });
      expect(settled.txHash).to.equal(undefined);
      expect(settled.rejection).to.deep.equal({
        refusal: VoteRefusal.BallotExpired,
        reason: voteRefusals[VoteRefusal.BallotExpired],
      });
      expect(await ctx.coop.governor.ballotNonce(other.id, voter.address)).to.equal(0n);
    });
  });

  describe("status, health and limits", function () {
    it("answers 404 for an unknown ballot and 400 for a malformed id", async function () {
      const unknown = `0x${"ab".repeat(32)}`;
      expect(await get(relayer.url, `/ballots/${unknown}`)).to.deep.equal({
        status: 404,
        body: { error: "UnknownBallot", message: `no ballot ${unknown}` },
      });
      expect(await get(relayer.url, "/ballots/42")).to.deep.equal({
        status: 400,
        body: { error: "InvalidBody", message: 'params/id must match pattern "^0x[0-9a-fA-F]{64}$"' },
      });
    });

    it("answers /health with the chain, the governor, its address and the ballots by status", async function () {
      const { status, body } = await get(relayer.url, "/health");
      expect(status).to.equal(200);
      expect(body).to.include({
        ok: true,
        chainId: Number(domain.chainId),
        governor: domain.verifyingContract,
        relayer: relayer.address,
      });
      expect(body.ballots).to.deep.equal(relayer.store.counts());
    });

    it("limits the ballots of one voter and of everyone, and stores nothing over a limit", async function () {
      const limited = await startTestRelayer(
        ethers.provider,
        await deploymentOfCoop(ctx.coop, domain.chainId),
        RELAYER_KEY,
        {
          limits: { voterRate: 2, globalRate: 4, rateWindowMs: 60_000 },
          submitter: { maxBatchAgeMs: 3_600_000 },
        },
      );
      try {
        const voter = ctx.members[3];
        const ok1 = await post(
          toBallotRequest(await signBallot(ctx, voter, { proposalId: open.id }), domain),
          limited.url,
        );
        const ok2 = await post(
          toBallotRequest(await signBallot(ctx, voter, { proposalId: other.id }), domain),
          limited.url,
        );
        expect([ok1.status, ok2.status]).to.deep.equal([202, 202]);
        const before = limited.store.counts();
        const third = await post(
          toBallotRequest(await signBallot(ctx, voter, { proposalId: open.id, votes: 2n }), domain),
          limited.url,
        );
        expect(third.status).to.equal(429);
        expect(third.body.error).to.equal("VoterRateLimited");
        expect(third.body.message).to.match(
          new RegExp(`^the relayer takes at most 2 ballots per 60 s from voter ${voter.address}; retry in \\d+ s$`),
        );
        const fourth = await post(
          toBallotRequest(await signBallot(ctx, ctx.members[1], { proposalId: open.id }), domain),
          limited.url,
        );
        expect(fourth.status).to.equal(202);
        const fifth = await post(
          toBallotRequest(await signBallot(ctx, ctx.members[0], { proposalId: open.id }), domain),
          limited.url,
        );
        expect(fifth.status).to.equal(429);
        expect(fifth.body.error).to.equal("RateLimited");
        expect(fifth.body.message).to.match(/^the relayer takes at most 4 ballots per 60 s; retry in \d+ s$/);
        expect(limited.store.counts()).to.deep.equal({ ...before, queued: before.queued + 1 });
        relayer.logs.push(...limited.logs);
      } finally {
        await limited.close();
      }
    });

    it("never logs the relayer's key", async function () {
      const health = JSON.stringify((await get(relayer.url, "/health")).body);
      const hex = RELAYER_KEY.slice(2).toLowerCase();
      expect(relayer.logs.length).to.be.greaterThan(2);
      for (const text of [...relayer.logs, health]) {
        expect(text.toLowerCase()).to.not.include(hex);
      }
    });
  });
});

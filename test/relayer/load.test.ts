import { expect } from "chai";
import { network } from "hardhat";

import {
  loadVote,
  postAll,
  setUpLoadCoop,
  signLoadBallots,
  waitUntilSettled,
  type LoadCoop,
} from "../../scripts/bench/ballot-load.ts";
import { RELAYER_KEY, deploymentOfCoop, startTestRelayer } from "./helpers.ts";

const connection = await network.create();
const { ethers } = connection;

const MEMBERS = 200;
const PROPOSALS = 5;

describe("Relayer under load (loopback)", function () {
  // A guard against a hang, not a speed check (the relayer benchmark measures speed): on a loaded 2-core machine
  // signing, posting and including 1,000 ballots can take over a minute, and waitUntilSettled allows two.
  this.timeout(240_000);
  it("includes 1,000 ballots from 200 members, sent concurrently, each exactly once", async function () {
    const load: LoadCoop = await setUpLoadCoop(connection, MEMBERS, PROPOSALS);
    const { governor } = load.coop;
    const deadline = BigInt((await ethers.provider.getBlock("latest"))!.timestamp) + 86_400n;
    const requests = await signLoadBallots(load, deadline);
    expect(requests).to.have.length(MEMBERS * PROPOSALS);

    const relayer = await startTestRelayer(
      ethers.provider,
      await deploymentOfCoop(load.coop, load.domain.chainId),
      RELAYER_KEY,
      { submitter: { maxBatch: 50, maxBatchAgeMs: 200, pollMs: 20 } },
    );
    try {
      const results = await postAll(relayer.url, requests, 100);
      expect(results.filter((r) => r.status !== 202)).to.deep.equal([]);
      const ids = new Set(results.map((r) => r.body.id));
      expect(ids.size).to.equal(requests.length);

      const health = await waitUntilSettled(relayer.url, requests.length, 120_000);
      expect(health.ballots).to.deep.equal({ queued: 0, submitted: 0, included: requests.length, rejected: 0 });

      // On chain: every member's receipt on every proposal holds exactly its one ballot.
      for (let p = 0; p < PROPOSALS; p++) {
        const id = load.proposals[p];
        for (let m = 0; m < MEMBERS; m++) {
          const voter = load.members[m].address;
          const { support, votes } = loadVote(m, p);
          const receipt = await governor.receiptOf(id, voter);
          expect([receipt.voted, receipt.support, receipt.votes]).to.deep.equal([true, BigInt(support), votes]);
          expect(await governor.ballotNonce(id, voter)).to.equal(1n);
        }
      }
      const casts = await governor.queryFilter(governor.filters.VoteCast(), load.coop.deployBlock);
      expect(casts).to.have.length(requests.length);
      const pairs = new Set(casts.map((e) => `${e.args.voter}:${e.args.proposalId}`));
      expect(pairs.size).to.equal(requests.length);
      // Batches, not one transaction per ballot.
      expect(relayer.store.gasTotals().batches).to.be.at.most(Math.ceil(requests.length / 50) * 2);
    } finally {
      await relayer.close();
    }
  });
});

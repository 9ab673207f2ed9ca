/**
 * The app's live history (frontend/src/lib/live-history.ts) on a real chain served over HTTP: the seeded demo co-op,
 * then new blocks, then chains that changed under it. After every refresh its history must equal a replay of the
 * whole chain from scratch, and it must have read only the blocks it had not read yet.
 */
import { expect } from "chai";

import type { Coop } from "../../deploy/coop.ts";
import { JsonRpc } from "../../lib/chain/rpc.ts";
import type { Deployment } from "../../lib/deployment.ts";
import { startSeededChain, type SeededChain } from "../helpers/seeded-chain.ts";
import { COOP_ABIS as abis, LiveHistory, type CoopHistory } from "../../frontend/src/lib/live-history.ts";

/** A JsonRpc that remembers the block ranges of its eth_getLogs calls. */
class CountingRpc extends JsonRpc {
  ranges: [number, number][] = [];
  override send<T>(method: string, params: unknown[]): Promise<T> {
    if (method === "eth_getLogs") {
      const { fromBlock, toBlock } = params[0] as { fromBlock: string; toBlock: string };
      this.ranges.push([Number(fromBlock), Number(toBlock)]);
    }
    return super.send<T>(method, params);
  }
}

/** A history as plain JSON (bigints as strings), so that two can be compared field by field. */
function plain(history: CoopHistory): unknown {
  return JSON.parse(JSON.stringify(history, (_, v: unknown) => (typeof v === "bigint" ? `${v}n` : v)));
}

describe("The app's live history follows the chain block by block", function () {
  this.timeout(300_000);
  const closers: (() => Promise<unknown>)[] = [];
  let url: string;
  let coop: Coop;
  let deployment: Deployment;
  let connection: SeededChain["connection"];
  let rpc: CountingRpc;
  let live: LiveHistory;

  before(async function () {
    const chain = await startSeededChain("live-history");
    closers.push(() => chain.close());
    ({ rpcUrl: url, connection, coop, deployment } = chain);
    rpc = new CountingRpc(url, { attempts: 1 });
    live = new LiveHistory(deployment, rpc, abis);
  });

  after(async function () {
    for (const close of closers.reverse()) await close().catch(() => {});
  });

  /** A replay of the whole chain by a history that has read nothing yet. */
  async function fromScratch(): Promise<CoopHistory> {
    return new LiveHistory(deployment, new JsonRpc(url, { attempts: 1 }), abis).refresh();
  }

  async function head(): Promise<number> {
    return connection.ethers.provider.getBlockNumber();
  }

  /** A member who has not voted on the open proposal casts one vote on it; returns the proposal's id. */
  async function voteOnTheOpenProposal(history: CoopHistory): Promise<bigint> {
    const open = history.view.proposals.find((p) => p.state === "Active");
    expect(open, "the demo has an open vote").to.not.equal(undefined);
    const voted = new Set(open!.receipts.map((r) => r.voter));
    const members = new Set(
      history.view.members.filter((m) => m.isMember && m.since <= open!.voteStart).map((m) => m.address),
    );
    const signer = (await connection.ethers.getSigners()).find((s) => members.has(s.address) && !voted.has(s.address));
    expect(signer, "a member who has not voted yet").to.not.equal(undefined);
    await (await coop.governor.connect(signer!).castVote(open!.id, 1)).wait();
    return open!.id;
  }

  it("replays the seeded co-op in full the first time, reading every block from the deployment's", async function () {
    const first = await live.refresh();
    const top = await head();
    expect(first.view.at.blockNumber).to.equal(top);
    expect(first.events.length).to.be.greaterThan(100);
    expect(rpc.ranges[0][0]).to.equal(deployment.deployBlock);
    expect(rpc.ranges.at(-1)![1]).to.equal(top);
    expect(live.replays).to.equal(1);
    expect(plain(first)).to.deep.equal(plain(await fromScratch()));
  });

  it("reads no logs when no block was mined, and only the new block's logs after a vote", async function () {
    rpc.ranges = [];
    const same = await live.refresh();
    expect(rpc.ranges).to.deep.equal([]);
    const before = await head();

    const id = await voteOnTheOpenProposal(same);
    const after = await live.refresh();
    expect(rpc.ranges).to.deep.equal([[before + 1, before + 1]]);
    expect(after.events.length).to.equal(same.events.length + 1);
    expect(after.events.at(-1)).to.include({ name: "VoteCast", blockNumber: before + 1 });
    expect(after.events.at(-1)!.args.proposalId).to.equal(id);
    expect(live.replays).to.equal(1);
    expect(plain(after)).to.deep.equal(plain(await fromScratch()));
  });

  it("replays again from the deployment block when a block it read was replaced (same height, another hash)", async function () {
    const base = await live.refresh();
    const snapshot = await connection.provider.request({ method: "evm_snapshot", params: [] });
    await voteOnTheOpenProposal(base);
    const withVote = await live.refresh();
    expect(withVote.events.length).to.equal(base.events.length + 1);

    // The vote's block is replaced by an empty block with another timestamp: the same height, another hash.
    await connection.provider.request({ method: "evm_revert", params: [snapshot] });
    await connection.provider.request({ method: "evm_increaseTime", params: [17] });
    await connection.provider.request({ method: "evm_mine", params: [] });
    rpc.ranges = [];
    const replaced = await live.refresh();
    expect(live.replays).to.equal(2);
    expect(rpc.ranges[0][0]).to.equal(deployment.deployBlock);
    expect(replaced.events.length).to.equal(base.events.length);
    expect(plain(replaced)).to.deep.equal(plain(await fromScratch()));
  });

  it("replays again when a block it read was replaced and the chain has grown past it", async function () {
    const base = await live.refresh();
    const snapshot = await connection.provider.request({ method: "evm_snapshot", params: [] });
    await voteOnTheOpenProposal(base);
    await live.refresh();
    const replaysBefore = live.replays;

    // The vote's block is replaced by an empty one and another block follows: the head is above the block read.
    await connection.provider.request({ method: "evm_revert", params: [snapshot] });
    await connection.provider.request({ method: "evm_increaseTime", params: [23] });
    await connection.provider.request({ method: "evm_mine", params: [] });
    await connection.provider.request({ method: "evm_mine", params: [] });
    const grown = await live.refresh();
    expect(live.replays).to.equal(replaysBefore + 1);
    expect(grown.view.at.blockNumber).to.equal(base.view.at.blockNumber + 2);
    expect(grown.events.length).to.equal(base.events.length);
    expect(plain(grown)).to.deep.equal(plain(await fromScratch()));
  });

  it("replays again when the chain went back below the block it read (a local chain reverted)", async function () {
    const snapshot = await connection.provider.request({ method: "evm_snapshot", params: [] });
    const base = await live.refresh();
    await voteOnTheOpenProposal(base);
    await connection.provider.request({ method: "evm_mine", params: [] });
    await live.refresh();
    const replaysBefore = live.replays;

    await connection.provider.request({ method: "evm_revert", params: [snapshot] });
    const reverted = await live.refresh();
    expect(live.replays).to.equal(replaysBefore + 1);
    expect(reverted.view.at.blockNumber).to.equal(await head());
    expect(plain(reverted)).to.deep.equal(plain(base));
  });

  it("refuses a chain whose head is below the co-op's deployment block, naming both", async function () {
    const wrong = new LiveHistory({ ...deployment, deployBlock: (await head()) + 1_000 }, new JsonRpc(url), abis);
    const top = await head();
    let error: unknown;
    await wrong.refresh().catch((e: unknown) => (error = e));
    expect(String(error)).to.include(`head block ${top} is below the co-op's deployment block ${top + 1_000}`);
  });

  it("serves concurrent refreshes one after the other, each with the whole history", async function () {
    const [a, b] = await Promise.all([live.refresh(), live.refresh()]);
    expect(plain(a)).to.deep.equal(plain(b));
    expect(plain(b)).to.deep.equal(plain(await fromScratch()));
  });
});

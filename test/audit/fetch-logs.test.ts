import { expect } from "chai";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import { fetchLogChunks, isRangeLimit, type LogChunk } from "../../scripts/lib/audit/fetch-logs.ts";
import { JsonRpc, RpcError, RpcUnreachableError } from "../../scripts/lib/audit/rpc.ts";

/**
 * A JSON-RPC endpoint with a public provider's habits, on loopback: it refuses `eth_getLogs` over more than
 * `maxRange` blocks, answers some requests with HTTP 429 or 503 first, and serves one log per block.
 */
interface LimitedNode {
  url: string;
  /** Every `eth_getLogs` range asked, answered or not: [from, to]. */
  asked: [number, number][];
  /** Transient failures still to send, in order, before answering normally. */
  failures: number[];
  close(): Promise<void>;
}

const ADDRESS = "0x00000000000000000000000000000000000000c0";

async function startLimitedNode(maxRange: number, options: { rangeError?: string; code?: number } = {}) {
  const asked: [number, number][] = [];
  const failures: number[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      const failure = failures.shift();
      if (failure !== undefined) {
        res.writeHead(failure, { "content-type": "text/plain" }).end("busy");
        return;
      }
      const request = JSON.parse(body) as {
        id: number;
        method: string;
        params: [{ fromBlock: string; toBlock: string }];
      };
      const answer = (payload: object) =>
        res
          .writeHead(200, { "content-type": "application/json" })
          .end(JSON.stringify({ jsonrpc: "2.0", id: request.id, ...payload }));
      if (request.method !== "eth_getLogs") {
        answer({ error: { code: -32601, message: `the method ${request.method} does not exist` } });
        return;
      }
      const from = Number(request.params[0].fromBlock);
      const to = Number(request.params[0].toBlock);
      asked.push([from, to]);
      if (to - from + 1 > maxRange) {
        answer({
          error: {
            code: options.code ?? -32005,
            message: options.rangeError ?? `query exceeds max block range ${maxRange}`,
          },
        });
        return;
      }
      const logs = [];
      for (let block = from; block <= to; block++) {
        logs.push({
          address: ADDRESS,
          topics: [`0x${"ab".repeat(32)}`],
          data: "0x",
          blockNumber: `0x${block.toString(16)}`,
          logIndex: "0x0",
          transactionHash: `0x${block.toString(16).padStart(64, "0")}`,
          blockTimestamp: `0x${(1_700_000_000 + block * 12).toString(16)}`,
        });
      }
      answer({ result: logs });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const node: LimitedNode = {
    url: `http://127.0.0.1:${port}`,
    asked,
    failures,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return node;
}

async function readAll(rpc: JsonRpc, from: number, to: number): Promise<LogChunk[]> {
  const chunks: LogChunk[] = [];
  for await (const chunk of fetchLogChunks(rpc, [ADDRESS], from, to, { initialSpan: 64, maxSpan: 256 })) {
    chunks.push(chunk);
  }
  return chunks;
}

describe("Reading logs from a limited endpoint (audit)", function () {
  let node: LimitedNode;
  afterEach(async () => node?.close());

  it("halves a range the node refuses until it is accepted, grows it again after each success, and reads every block once, in order", async function () {
    node = await startLimitedNode(10);
    const rpc = new JsonRpc(node.url, { backoffMs: 1 });
    const chunks = await readAll(rpc, 100, 199);

    // Contiguous, ordered, complete: every block's one log, exactly once.
    expect(chunks[0].fromBlock).to.equal(100);
    expect(chunks.at(-1)!.toBlock).to.equal(199);
    for (let i = 1; i < chunks.length; i++) expect(chunks[i].fromBlock).to.equal(chunks[i - 1].toBlock + 1);
    const blocks = chunks.flatMap((c) => c.logs.map((l) => Number(l.blockNumber)));
    expect(blocks).to.deep.equal(Array.from({ length: 100 }, (_, i) => 100 + i));
    expect(chunks.flatMap((c) => c.logs.map((l) => l.timestamp))).to.deep.equal(
      blocks.map((b) => 1_700_000_000 + b * 12),
    );

    // The first request asked 64 blocks, then 32, then 16, then 8: accepted. After a success the span doubles
    // (16: refused, back to 8), so no accepted range is wider than the node's 10.
    expect(node.asked.slice(0, 4)).to.deep.equal([
      [100, 163],
      [100, 131],
      [100, 115],
      [100, 107],
    ]);
    const accepted = chunks.map((c) => c.toBlock - c.fromBlock + 1);
    expect(Math.max(...accepted)).to.be.at.most(10);
    expect(accepted.filter((n) => n === 8).length).to.be.greaterThan(5);
  });

  it("recognises the usual wordings of a range limit, and only those", function () {
    for (const [code, message] of [
      [-32005, "query returned more than 10000 results"],
      [-32602, "block range is too wide"],
      [-32000, "Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range"],
      [-32600, "exceed maximum block range: 5000"],
    ] as const) {
      expect(isRangeLimit(new RpcError("eth_getLogs", code, message)), message).to.equal(true);
    }
    expect(isRangeLimit(new RpcError("eth_getLogs", -32602, "invalid address"))).to.equal(false);
    expect(isRangeLimit(new Error("block range too wide"))).to.equal(false);
  });

  it("retries HTTP 429 and 503 answers with backoff and carries on, counting the retries", async function () {
    node = await startLimitedNode(1_000);
    node.failures.push(429, 503);
    const rpc = new JsonRpc(node.url, { backoffMs: 1 });
    const chunks = await readAll(rpc, 1, 20);
    expect(chunks.flatMap((c) => c.logs).length).to.equal(20);
    expect(rpc.retries).to.equal(2);
  });

  it("gives up with RpcUnreachableError after its attempts when the endpoint keeps failing", async function () {
    node = await startLimitedNode(1_000);
    node.failures.push(503, 503, 503);
    const rpc = new JsonRpc(node.url, { backoffMs: 1, attempts: 3 });
    let error: unknown;
    try {
      await readAll(rpc, 1, 5);
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(RpcUnreachableError);
    expect((error as Error).message).to.equal(
      `${node.url} did not answer eth_getLogs after 3 attempts: HTTP 503 Service Unavailable`,
    );
    expect(node.asked).to.deep.equal([]);
  });

  it("passes on an error that is not a range limit at once, without halving or retrying", async function () {
    node = await startLimitedNode(10, { code: -32602, rangeError: "invalid params: unknown filter field" });
    const rpc = new JsonRpc(node.url, { backoffMs: 1 });
    let error: unknown;
    try {
      await readAll(rpc, 1, 100);
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(RpcError);
    expect((error as RpcError).code).to.equal(-32602);
    expect(node.asked).to.deep.equal([[1, 64]]);
    expect(rpc.retries).to.equal(0);
  });
});

import { expect } from "chai";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import { fetchLogChunks, isRangeLimit, suggestedSpan, type LogChunk } from "../../lib/chain/logs.ts";
import { JsonRpc, RpcError, RpcUnreachableError } from "../../lib/chain/rpc.ts";

/**
 * A JSON-RPC endpoint with a public provider's habits, on loopback: it refuses `eth_getLogs` over more than
 * `maxRange` blocks, answers some requests with HTTP 429 or 503 first, and serves one log per block.
 */
interface LimitedNode {
  url: string;
  /** Every `eth_getLogs` range asked, answered or not: [from, to]. */
  asked: [number, number][];
  /** Transient failures still to send, in order, before answering normally: a status, and a Retry-After if any. */
  failures: (number | { status: number; retryAfter: string | (() => string) })[];
  /** When each request arrived (Date.now()). */
  arrivals: number[];
  close(): Promise<void>;
}

const ADDRESS = "0x00000000000000000000000000000000000000c0";

async function startLimitedNode(maxRange: number, options: { rangeError?: string; code?: number } = {}) {
  const asked: [number, number][] = [];
  const failures: LimitedNode["failures"] = [];
  const arrivals: number[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      arrivals.push(Date.now());
      const failure = failures.shift();
      if (failure !== undefined) {
        const { status, retryAfter } =
          typeof failure === "number" ? { status: failure, retryAfter: undefined } : failure;
        res
          .writeHead(status, {
            "content-type": "text/plain",
            ...(retryAfter === undefined
              ? {}
              : { "retry-after": typeof retryAfter === "string" ? retryAfter : retryAfter() }),
          })
          .end("busy");
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
    arrivals,
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

  /** Every block's one log, exactly once, in contiguous ranges from `from` to `to`. */
  function expectWhole(chunks: LogChunk[], from: number, to: number): void {
    expect(chunks[0].fromBlock).to.equal(from);
    expect(chunks.at(-1)!.toBlock).to.equal(to);
    for (let i = 1; i < chunks.length; i++) expect(chunks[i].fromBlock).to.equal(chunks[i - 1].toBlock + 1);
    const blocks = chunks.flatMap((c) => c.logs.map((l) => Number(l.blockNumber)));
    expect(blocks).to.deep.equal(Array.from({ length: to - from + 1 }, (_, i) => from + i));
    expect(chunks.flatMap((c) => c.logs.map((l) => l.timestamp))).to.deep.equal(
      blocks.map((b) => 1_700_000_000 + b * 12),
    );
  }

  it("takes the limit a refusal names, asks no wider range again, and a second read on the same client is never refused", async function () {
    node = await startLimitedNode(10, { rangeError: "exceed maximum block range: 10" });
    const rpc = new JsonRpc(node.url, { backoffMs: 1 });
    const chunks = await readAll(rpc, 100, 199);
    expectWhole(chunks, 100, 199);
    // 64 blocks refused, naming 10: then ten ranges of 10, none refused.
    expect(node.asked).to.deep.equal([
      [100, 163],
      ...Array.from({ length: 10 }, (_, i) => [100 + 10 * i, 109 + 10 * i]),
    ]);
    expect(rpc.logRanges).to.deep.equal({ accepted: 10, refused: 11 });
    node.asked.length = 0;
    expectWhole(await readAll(rpc, 200, 249), 200, 249);
    expect(node.asked.every(([from, to]) => to - from + 1 === 10)).to.equal(true);
    expect(node.asked).to.have.length(5);
  });

  it("halves a range refused without a limit, closes in on the limit between accepted and refused, then is never refused again", async function () {
    node = await startLimitedNode(10, { rangeError: "block range is too wide" });
    const rpc = new JsonRpc(node.url, { backoffMs: 1 });
    const chunks = await readAll(rpc, 100, 399);
    expectWhole(chunks, 100, 399);
    const widths = node.asked.map(([from, to]) => to - from + 1);
    const refusedAt = widths.map((w, i) => (w > 10 ? i : -1)).filter((i) => i >= 0);
    // 64, 32, 16 refused; 8 accepted; 12 refused; 10 accepted; 11 refused; from there on 10, every time.
    expect(widths.slice(0, 8)).to.deep.equal([64, 32, 16, 8, 12, 10, 11, 10]);
    expect(refusedAt).to.deep.equal([0, 1, 2, 4, 6]);
    expect(widths.slice(7, -1).every((w) => w === 10)).to.equal(true);
    expect(widths.at(-1)).to.be.at.most(10);
    expect(rpc.logRanges).to.deep.equal({ accepted: 10, refused: 11 });
  });

  it("reads the range a refusal suggests or the limit it states, and none from a count of results", function () {
    expect(
      [
        "exceed maximum block range: 10",
        "Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range and no limit on the response size, or you can request any block range with a cap of 10K logs in the response. Based on your parameters, this block range should work: [0x1, 0xa]",
        "Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range",
        "query exceeds max block range 100000",
        "block range too large, maximum 1,000",
        "eth_getLogs is limited to a 10,000 range",
        "query returned more than 10000 results",
        "block range is too wide",
      ].map(suggestedSpan),
    ).to.deep.equal([10, 10, 2_000, 100_000, 1_000, 10_000, null, null]);
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

  it("waits what Retry-After names, in seconds and as an HTTP date, before asking again", async function () {
    node = await startLimitedNode(1_000);
    // An HTTP date has whole seconds: two seconds after the answer, written so, is more than one second after it.
    const date = () => new Date(Date.now() + 2_000).toUTCString();
    node.failures.push({ status: 429, retryAfter: "1" }, { status: 503, retryAfter: date });
    const rpc = new JsonRpc(node.url, { backoffMs: 1 });
    expectWhole(await readAll(rpc, 1, 20), 1, 20);
    expect(rpc.retries).to.equal(2);
    const [first, second, third] = node.arrivals;
    // Without the header the backoff would be 1 ms, then 2 ms.
    expect(second - first).to.be.at.least(990);
    expect(third - second).to.be.at.least(900);
  });

  it("gives up at once, naming the wait, when Retry-After asks for longer than the client's bound", async function () {
    node = await startLimitedNode(1_000);
    node.failures.push({ status: 429, retryAfter: "3600" });
    const rpc = new JsonRpc(node.url, { backoffMs: 1, maxRetryAfterMs: 60_000 });
    let error: unknown;
    try {
      await readAll(rpc, 1, 5);
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(RpcUnreachableError);
    expect((error as Error).message).to.equal(
      `${node.url} asks to wait 3600 s before eth_getLogs (Retry-After: 3600), more than the 60 s this client waits`,
    );
    expect(node.arrivals).to.have.length(1);
    expect(rpc.retries).to.equal(0);
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
    expect((error as Error).message).to.equal(`${node.url} did not answer eth_getLogs after 3 attempts: HTTP 503`);
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

/**
 * Serves an in-process Hardhat network over HTTP JSON-RPC on a free local port, so that a tool that only
 * speaks JSON-RPC (the audit command) can read a chain a test deployed and seeded in-process.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

interface RequestProvider {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
}

interface JsonRpcRequest {
  id: unknown;
  method: string;
  params?: unknown[];
}

async function answer(provider: RequestProvider, req: JsonRpcRequest) {
  try {
    return {
      jsonrpc: "2.0",
      id: req.id,
      result: await provider.request({ method: req.method, params: req.params ?? [] }),
    };
  } catch (error) {
    const e = error as { code?: number; message?: string };
    return { jsonrpc: "2.0", id: req.id, error: { code: e.code ?? -32603, message: e.message ?? String(error) } };
  }
}

export async function serveOverHttp(provider: RequestProvider): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", async () => {
      let parsed: JsonRpcRequest | JsonRpcRequest[];
      try {
        parsed = JSON.parse(body);
      } catch {
        response.writeHead(400).end();
        return;
      }
      const result = Array.isArray(parsed)
        ? await Promise.all(parsed.map((r) => answer(provider, r)))
        : await answer(provider, parsed);
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(result));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

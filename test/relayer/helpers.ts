/**
 * Shared set-up of the relayer tests: a relayer started in the test's process on a co-op of the in-process
 * chain, with its database in a fresh temporary folder and its log captured.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import type { Provider } from "ethers";
import { Wallet } from "ethers";

import type { Deployment } from "../../lib/deployment.ts";
import { startRelayer, type Relayer, type RelayerConfig } from "../../relayer/relayer.ts";
import type { Coop } from "../../deploy/coop.ts";
import { hardhatAccountKey } from "../../seeds/bakery.ts";

/** A funded relayer key for the in-process chain: Hardhat account 19 (never a member in these tests). */
export const RELAYER_ACCOUNT = 19;
/** Its private key. */
export const RELAYER_KEY = hardhatAccountKey(RELAYER_ACCOUNT);

/** A fresh temporary folder. */
export function tempDir(prefix = "mutual-relayer-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** The addresses record of a co-op deployed in a test. */
export async function deploymentOfCoop(coop: Coop, chainId: bigint, name = "Test Co-op"): Promise<Deployment> {
  return {
    chainId: Number(chainId),
    name,
    deployBlock: coop.deployBlock,
    contracts: {
      MembershipCard: await coop.card.getAddress(),
      VoiceCredits: await coop.credits.getAddress(),
      MutualGovernor: await coop.governor.getAddress(),
      TimelockController: await coop.timelock.getAddress(),
    },
  };
}

export interface TestRelayer extends Relayer {
  /** Every line the relayer logged. */
  logs: string[];
  dbPath: string;
}

/** Starts a relayer on a free port of 127.0.0.1 with a database in `dbPath` (a fresh file unless given). */
export async function startTestRelayer(
  provider: Provider,
  deployment: Deployment,
  key: string,
  options: Partial<RelayerConfig> & { dbPath?: string; logs?: string[] } = {},
): Promise<TestRelayer> {
  const logs = options.logs ?? [];
  const dbPath = options.dbPath ?? join(tempDir(), "relayer.sqlite");
  const relayer = await startRelayer({
    provider,
    wallet: new Wallet(key),
    deployment,
    dbPath,
    port: 0,
    ...options,
    log: (line) => logs.push(line),
  });
  return Object.assign(relayer, { logs, dbPath });
}

export interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** Posts raw `body` text to `path` of the relayer. */
export async function postRaw(url: string, body: string, contentType = "application/json"): Promise<Answer> {
  const response = await fetch(`${url}/ballots`, { method: "POST", headers: { "content-type": contentType }, body });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** GETs `path` of the relayer. */
export async function get(url: string, path: string): Promise<Answer> {
  const response = await fetch(`${url}${path}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Polls a ballot until it is included or rejected. */
export async function waitForBallot(url: string, id: string, timeoutMs = 20_000): Promise<Record<string, unknown>> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await get(url, `/ballots/${id}`);
    if (body.status === "included" || body.status === "rejected") return body;
    if (Date.now() > until) throw new Error(`ballot ${id} still ${String(body.status)} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

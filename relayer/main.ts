/**
 * Runs the relayer on its own, for a real co-op: `npm run relayer -- --rpc <url> [--deployment <file>]`.
 * See docs/relayer.md and `--help`. Ctrl-C (or SIGTERM) stops taking ballots and stops after the current step;
 * whatever was accepted is in the database and is picked up by the next start.
 *
 * Exit codes: 0 stopped on request; 1 failed while running or starting; 2 bad settings, found before anything
 * is sent.
 */
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { deploymentFile, parseDeployment } from "../lib/deployment.ts";
import { ConfigError, USAGE, defaultDbPath, loadRelayerWallet, parseRelayerArgs } from "./config.ts";
import { startRelayer, type Relayer } from "./relayer.ts";
import { relayerProvider } from "./rpc.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const log = (line: string) => console.log(`${new Date().toISOString()} ${line}`);

function fail(code: number, message: string): never {
  console.error(`relayer: ${message}`);
  process.exit(code);
}

let options;
try {
  // `npm run` starts in the repository root; INIT_CWD is where the command was typed.
  options = parseRelayerArgs(process.argv.slice(2), process.env, process.env.INIT_CWD ?? process.cwd());
} catch (error) {
  if (error instanceof ConfigError) fail(2, `${error.message}\n\n${USAGE}`);
  throw error;
}
if (options.help) {
  console.log(USAGE);
  process.exit(0);
}

let wallet;
try {
  wallet = await loadRelayerWallet(process.env);
} catch (error) {
  if (error instanceof ConfigError) fail(2, error.message);
  throw error;
}

// No response cache, the chain id asked once, and a throttling endpoint's Retry-After honoured (relayer/rpc.ts).
const provider = relayerProvider(options.rpc);
let chainId: bigint;
try {
  chainId = (await provider.getNetwork()).chainId;
} catch (error) {
  fail(1, `cannot reach the chain at the RPC endpoint: ${(error as Error).message}`);
}

const deploymentPath = options.deployment ?? join(ROOT, deploymentFile(chainId));
let deployment;
try {
  deployment = parseDeployment(JSON.parse(await readFile(deploymentPath, "utf8")), deploymentPath);
} catch (error) {
  fail(2, `cannot read the deployment ${deploymentPath}: ${(error as Error).message}`);
}

let relayer: Relayer;
try {
  relayer = await startRelayer({
    provider,
    wallet,
    deployment,
    dbPath: options.db ?? defaultDbPath(ROOT, chainId, deployment.contracts.MutualGovernor),
    host: options.host,
    port: options.port,
    limits: { globalRate: options.rate, voterRate: options.voterRate },
    ...(options.allowedOrigins !== undefined ? { allowedOrigins: options.allowedOrigins } : {}),
    submitter: { maxBatch: options.batchSize, maxBatchAgeMs: options.batchAgeMs },
    log,
  });
} catch (error) {
  fail(1, (error as Error).message);
}

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  log("relayer: stopping");
  await relayer.close();
  await provider.destroy();
  process.exit(0);
}
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());

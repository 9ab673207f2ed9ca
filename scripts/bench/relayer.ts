/**
 * Relayer benchmark: members sign ballots, a client posts them concurrently to a relayer on 127.0.0.1, and the
 * relayer batches them onto an in-process chain. Prints how fast ballots are accepted (validated, simulated and
 * stored durably) and included, and the gas per vote in the batches. Figures only: nothing is asserted.
 *
 *   npm run bench:relayer
 *   npm run bench:relayer -- --members 200 --proposals 5 --batch 50 --concurrency 100
 */
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

import { Wallet } from "ethers";
import hre from "hardhat";

import { hardhatAccountKey } from "../../seeds/bakery.ts";
import { startRelayer } from "../../relayer/relayer.ts";
import { postAll, setUpLoadCoop, signLoadBallots, waitUntilSettled } from "./ballot-load.ts";

const USAGE = "usage: npm run bench:relayer [-- --members N] [--proposals N] [--batch N] [--concurrency N]";
let values;
try {
  values = parseArgs({
    options: {
      members: { type: "string", default: "200" },
      proposals: { type: "string", default: "5" },
      batch: { type: "string", default: "50" },
      concurrency: { type: "string", default: "100" },
      help: { type: "boolean", default: false },
    },
    strict: true,
  }).values;
} catch (error) {
  console.error(`${(error as Error).message}\n${USAGE}`);
  process.exit(2);
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const number = (name: "members" | "proposals" | "batch" | "concurrency", max: number) => {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    console.error(`--${name} must be a whole number from 1 to ${max}, got "${values[name]}"\n${USAGE}`);
    process.exit(2);
  }
  return n;
};
const members = number("members", 1000);
const proposals = number("proposals", 9);
const batch = number("batch", 500);
const concurrency = number("concurrency", 1000);
if (members < proposals) {
  console.error(`--members must be at least --proposals (the first members propose)\n${USAGE}`);
  process.exit(2);
}

const connection = await hre.network.create();
const { ethers } = connection;
console.log(`Setting up: a co-op of ${members} members, ${proposals} open proposals…`);
const load = await setUpLoadCoop(connection, members, proposals);
const deadline = BigInt((await ethers.provider.getBlock("latest"))!.timestamp) + 86_400n;
let started = performance.now();
const requests = await signLoadBallots(load, deadline);
const signing = performance.now() - started;

const dbPath = join(tmpdir(), `mutual-relayer-bench-${process.pid}.sqlite`);
const relayer = await startRelayer({
  provider: ethers.provider,
  wallet: new Wallet(hardhatAccountKey(19)),
  deployment: {
    chainId: Number(load.domain.chainId),
    name: "Load Test Co-op",
    deployBlock: load.coop.deployBlock,
    contracts: {
      MembershipCard: await load.coop.card.getAddress(),
      VoiceCredits: await load.coop.credits.getAddress(),
      MutualGovernor: await load.coop.governor.getAddress(),
      TimelockController: await load.coop.timelock.getAddress(),
    },
  },
  dbPath,
  port: 0,
  limits: { globalRate: requests.length * 2 },
  submitter: { maxBatch: batch, maxBatchAgeMs: 200, pollMs: 20 },
  log: () => {},
});

try {
  started = performance.now();
  const results = await postAll(relayer.url, requests, concurrency);
  const accepting = performance.now() - started;
  const accepted = results.filter((r) => r.status === 202).length;
  const health = await waitUntilSettled(relayer.url, accepted, 600_000);
  const settling = performance.now() - started;
  const gas = relayer.store.gasTotals();
  const perVote = gas.included === 0 ? 0n : gas.gasUsed / BigInt(gas.included);
  const rows: [string, string][] = [
    ["ballots signed", `${requests.length} (${members} members × ${proposals} proposals) in ${seconds(signing)}`],
    [
      "accepted (202)",
      `${accepted} in ${seconds(accepting)} — ${rate(accepted, accepting)} ballots/s, ${concurrency} in flight`,
    ],
    [
      "included on chain",
      `${health.ballots.included} (rejected ${health.ballots.rejected}) after ${seconds(settling)} — ${rate(health.ballots.included, settling)} ballots/s`,
    ],
    ["batch transactions", `${gas.batches} (at most ${batch} ballots each)`],
    ["gas in the batches", `${gas.gasUsed} — ${perVote} gas per vote`],
  ];
  console.log(`\nRelayer benchmark (loopback, in-process chain, SQLite WAL with full sync)`);
  for (const [what, value] of rows) console.log(`  ${what.padEnd(20)} ${value}`);
} finally {
  await relayer.close();
  for (const suffix of ["", "-wal", "-shm"]) rmSync(`${dbPath}${suffix}`, { force: true });
  await connection.close();
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

function rate(count: number, ms: number): string {
  return (count / (ms / 1000)).toFixed(0);
}

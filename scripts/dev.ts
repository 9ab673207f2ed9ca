/**
 * The main command: a living co-op on this machine.
 *
 *   npm start                 # node + contracts + demo co-op; Ctrl-C stops everything it started
 *   npm start -- --once       # the whole bring-up, check every part answers, print the summary, exit 0
 *   npm start -- --port 8546  # another port for the node
 *
 * Steps: build the contracts → start a Hardhat node (an in-process EDR chain served over HTTP and
 * WebSocket on 127.0.0.1) → deploy a co-op through the Ignition module over JSON-RPC, as on any network →
 * write deploy/addresses/<chainId>.json → replay the demo seeds with time travel → print a summary.
 * Every run starts clean: a fresh chain, and the previous local deployment journal is removed first.
 */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";

import { formatEther } from "ethers";
import hre from "hardhat";

import { deployCoop } from "./lib/deploy-coop.ts";
import { ROOT, deploymentOf, writeDeployment } from "./lib/deployment-file.ts";
import { portIsFree, rpcAnswers } from "./lib/net.ts";
import { bakery, demoCoopConfig, hardhatAccount, hardhatAccountKey } from "../seeds/bakery.ts";
import { formatReport, seedCoop, type SeedReport } from "../seeds/seed.ts";
import type { Coop } from "./lib/deploy-coop.ts";

const USAGE = "usage: npm start [-- --once] [-- --port <port>]";
let args;
try {
  args = parseArgs({
    options: {
      once: { type: "boolean", default: false },
      port: { type: "string", default: "8545" },
      help: { type: "boolean" },
    },
    strict: true,
  }).values;
} catch (error) {
  console.error(`${(error as Error).message}\n${USAGE}`);
  process.exit(2);
}
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
const port = Number(args.port);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error(`--port must be a TCP port (1-65535), got "${args.port}"\n${USAGE}`);
  process.exit(2);
}

const HOST = "127.0.0.1";
const RPC_URL = `http://${HOST}:${port}`;
// Closed on the way out: the JSON-RPC server (and, as they join the stack, the relayer and the app).
const closers: (() => Promise<void>)[] = [];

let step = 0;
const progress = (text: string) => console.log(`[${++step}] ${text}`);
const detail = (text: string) => console.log(`    ${text}`);

async function shutdown(code: number): Promise<never> {
  await Promise.allSettled(closers.map((close) => close()));
  process.exit(code);
}
process.on("SIGINT", () => {
  console.log("\nStopping…");
  void shutdown(0);
});
process.on("SIGTERM", () => void shutdown(0));

try {
  progress("building the contracts");
  await hre.tasks.getTask("build").run({ quiet: true });

  progress(`starting a Hardhat node on ${RPC_URL}`);
  if (!(await portIsFree(port, HOST))) {
    throw new Error(
      `port ${port} on ${HOST} is in use (another node?). Stop it, or choose another: npm start -- --port 8546`,
    );
  }
  const server = await hre.network.createServer("default", HOST, port);
  await server.listen();
  closers.push(() => server.close());
  if (!(await rpcAnswers(RPC_URL))) throw new Error(`the node at ${RPC_URL} does not answer JSON-RPC`);

  const connection = await hre.network.create({ network: "localhost", override: { url: RPC_URL } });
  const { ethers } = connection;
  const chainId = Number((await ethers.provider.getNetwork()).chainId);

  progress(`deploying ${bakery.config.name} (MembershipCard, VoiceCredits, TimelockController, MutualGovernor)`);
  // A fresh node has none of the previous run's contracts: forget that run's deployment journal.
  await rm(join(ROOT, "deploy", "deployments", `chain-${chainId}`), { recursive: true, force: true });
  const accounts = (await ethers.getSigners()).map((s) => s.address);
  const coop = await deployCoop(connection, demoCoopConfig(bakery, accounts));
  const file = await writeDeployment(await deploymentOf(coop, chainId));
  detail(`addresses written to ${file.slice(ROOT.length + 1)}`);

  progress("seeding the demo co-op (members, proposals in every state, time travel between phases)");
  const report = await seedCoop(connection, coop, bakery, detail);

  progress("checking every part answers");
  const checks: [string, boolean][] = [
    ["node answers JSON-RPC", await rpcAnswers(RPC_URL)],
    ["card counts the members", (await coop.card.memberCount()) > 0n],
    ["governor lists the proposals", (await coop.governor.proposalCount()) === BigInt(report.proposals.length)],
    ["every proposal is in its seeded state", report.ok],
  ];
  for (const [what, ok] of checks) detail(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (checks.some(([, ok]) => !ok)) throw new Error("a part of the local co-op did not answer as expected");

  await printSummary(chainId, coop, report);

  if (args.once) await shutdown(0);
  console.log("\nThe co-op is running. Ctrl-C stops the node.");
} catch (error) {
  console.error(`\nnpm start failed: ${(error as Error).message}`);
  await shutdown(1);
}

async function printSummary(chainId: number, coop: Coop, report: SeedReport) {
  const provider = coop.card.runner!.provider!;
  const treasury = await coop.timelock.getAddress();

  console.log(`
${coop.config.name} — a local co-op
  JSON-RPC          ${RPC_URL}   (chain id ${chainId}; add it to your wallet as a custom network)
  MembershipCard    ${await coop.card.getAddress()}
  VoiceCredits      ${await coop.credits.getAddress()}
  MutualGovernor    ${await coop.governor.getAddress()}
  Timelock/treasury ${treasury}   ${formatEther(await provider.getBalance(treasury))} ETH
  Addresses file    deploy/addresses/${chainId}.json

Demo members — LOCAL TEST KEYS, public knowledge: never use them on a real network`);
  const people = [...bakery.members, bakery.applicant, bakery.relayer];
  const nameWidth = Math.max(...people.map((m) => m.name.length));
  const roleWidth = Math.max(...people.map((m) => m.role.length));
  for (const m of people) {
    const address = hardhatAccount(m.account);
    const card = await coop.card.cardOf(address);
    const holding = card === 0n ? "no card".padEnd(8) : `card #${card}`.padEnd(8);
    console.log(
      `  ${m.name.padEnd(nameWidth)}  ${m.role.padEnd(roleWidth)}  ${address}  ${holding}  ${String(await coop.credits.balanceOf(address)).padStart(4)} credits  key ${hardhatAccountKey(m.account)}`,
    );
  }
  console.log(`\n${formatReport(report)}`);
  console.log(`
Next: npm run chain:advance -- 1d   (or next-phase, next-epoch) moves the chain's clock.`);
}

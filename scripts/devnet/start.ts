/**
 * The main command: a living co-op on this machine.
 *
 *   npm start                 # node + contracts + demo co-op; Ctrl-C stops everything it started
 *   npm start -- --once       # the whole bring-up, check every part answers, print the summary, exit 0
 *   npm start -- --port 8546  # another port for the node
 *   npm start -- --relayer-port 8788  # another port for the ballot relayer
 *   npm start -- --app-port 5174      # another port for the members' app
 *
 * Steps: build the contracts → start a Hardhat node (an in-process EDR chain served over HTTP and
 * WebSocket on 127.0.0.1) → deploy a co-op through the Ignition module over JSON-RPC, as on any network →
 * write deploy/addresses/<chainId>.json → replay the demo seeds with time travel → start the ballot relayer
 * (relayer/, on 127.0.0.1:8787, paying from the demo relayer account) → serve the members' app (Vite, on
 * 127.0.0.1:5173, frontend/) → print a summary. With --once the
 * relayer must also accept one real signed ballot and see it included.
 * Every run starts clean: a fresh chain, and the previous local deployment journal is removed first.
 */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";

import { JsonRpcProvider, Wallet, formatEther, type TypedDataField } from "ethers";
import hre from "hardhat";

import { deployCoop, deploymentOf } from "../../deploy/coop.ts";
import { ROOT, writeDeployment } from "../../lib/deployment.node.ts";
import { Support, quadraticBallotTypes } from "../../lib/ballots/ballot.ts";
import { toBallotRequest } from "../../lib/ballots/relay.ts";
import { DEFAULT_RELAYER_PORT, startRelayer, type Relayer } from "../../relayer/relayer.ts";
import { portIsFree, rpcAnswers } from "./net.ts";
import { DEFAULT_APP_PORT, appAnswers, startApp, type AppServer } from "./app-server.ts";
import { bakery, demoCoopConfig, hardhatAccount, hardhatAccountKey } from "../../seeds/bakery.ts";
import { formatReport, seedCoop, type SeedReport } from "../../seeds/seed.ts";
import type { Coop } from "../../deploy/coop.ts";

const USAGE = "usage: npm start [-- --once] [-- --port <port>] [-- --relayer-port <port>] [-- --app-port <port>]";
let args;
try {
  args = parseArgs({
    options: {
      once: { type: "boolean", default: false },
      port: { type: "string", default: "8545" },
      "relayer-port": { type: "string", default: String(DEFAULT_RELAYER_PORT) },
      "app-port": { type: "string", default: String(DEFAULT_APP_PORT) },
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

const relayerPort = Number(args["relayer-port"]);
if (!Number.isInteger(relayerPort) || relayerPort < 1 || relayerPort > 65535 || relayerPort === port) {
  console.error(
    `--relayer-port must be a TCP port (1-65535) other than the node's, got "${args["relayer-port"]}"\n${USAGE}`,
  );
  process.exit(2);
}

const appPort = Number(args["app-port"]);
if (!Number.isInteger(appPort) || appPort < 1 || appPort > 65535 || appPort === port || appPort === relayerPort) {
  console.error(
    `--app-port must be a TCP port (1-65535) other than the node's and the relayer's, got "${args["app-port"]}"\n${USAGE}`,
  );
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

  progress(`starting the ballot relayer on http://${HOST}:${relayerPort}`);
  const relayer = await startLocalRelayer(chainId, coop);

  progress(`serving the members' app on http://${HOST}:${appPort}`);
  if (!(await portIsFree(appPort, HOST))) {
    throw new Error(
      `port ${appPort} on ${HOST} is in use. Stop what uses it, or choose another: npm start -- --app-port 5174`,
    );
  }
  const app = await startApp({ rpcUrl: RPC_URL, relayerUrl: relayer.url, port: appPort, host: HOST });
  closers.push(() => app.close());

  progress("checking every part answers");
  const checks: [string, boolean][] = [
    ["node answers JSON-RPC", await rpcAnswers(RPC_URL)],
    ["card counts the members", (await coop.card.memberCount()) > 0n],
    ["governor lists the proposals", (await coop.governor.proposalCount()) === BigInt(report.proposals.length)],
    ["every proposal is in its seeded state", report.ok],
    ["relayer answers /health", await relayerHealthy(relayer)],
    ["app serves its page and compiled JavaScript", await appAnswers(app.url)],
  ];
  // A real ballot through the relayer changes the demo (one more vote on the open proposal): --once only.
  if (args.once) checks.push(["relayer includes a signed ballot", await relayOneBallot(relayer, coop, report)]);
  for (const [what, ok] of checks) detail(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (checks.some(([, ok]) => !ok)) throw new Error("a part of the local co-op did not answer as expected");

  await printSummary(chainId, coop, report, relayer, app);

  if (args.once) await shutdown(0);
  console.log(`\nThe co-op is running: open ${app.url} in a browser. Ctrl-C stops the node, the relayer and the app.`);
} catch (error) {
  console.error(`\nnpm start failed: ${(error as Error).message}`);
  await shutdown(1);
}

/**
 * The relayer of the local co-op, as it would run for a real one (over JSON-RPC, its own database), paying from
 * the demo relayer account — a public test key, for the local chain only. Its database starts empty with the chain.
 */
async function startLocalRelayer(chainId: number, coop: Coop): Promise<Relayer> {
  if (!(await portIsFree(relayerPort, HOST))) {
    throw new Error(
      `port ${relayerPort} on ${HOST} is in use (another relayer?). Stop it, or choose another: npm start -- --relayer-port 8788`,
    );
  }
  const dbPath = join(ROOT, ".relayer", `local-${chainId}.sqlite`);
  for (const suffix of ["", "-wal", "-shm"]) await rm(`${dbPath}${suffix}`, { force: true });
  const provider = new JsonRpcProvider(RPC_URL, undefined, { cacheTimeout: -1, staticNetwork: true });
  const relayer = await startRelayer({
    provider,
    wallet: new Wallet(hardhatAccountKey(bakery.relayer.account)),
    deployment: await deploymentOf(coop, chainId),
    dbPath,
    host: HOST,
    port: relayerPort,
    // The app's own origin, by either name: a page of the app may call the relayer directly, not only through
    // the app server's /relayer proxy.
    allowedOrigins: [`http://${HOST}:${appPort}`, `http://localhost:${appPort}`],
    log: (line) => detail(line),
  });
  closers.push(async () => {
    await relayer.close();
    provider.destroy();
  });
  return relayer;
}

async function relayerHealthy(relayer: Relayer): Promise<boolean> {
  try {
    const body = (await (await fetch(`${relayer.url}/health`)).json()) as { ok?: boolean };
    return body.ok === true;
  } catch {
    return false;
  }
}

/**
 * Signs a ballot as the app does — a demo member who has not voted yet on the open proposal — posts it to the
 * relayer and waits until the relayer reports it included, then checks the member's receipt on chain.
 */
async function relayOneBallot(relayer: Relayer, coop: Coop, report: SeedReport): Promise<boolean> {
  const open = report.proposals.find((p) => p.actual === "Active");
  if (open === undefined) return false;
  const voted = new Set(bakery.proposals.find((p) => p.key === open.key)!.votes.map((v) => v.voter));
  const member = bakery.members.find((m) => !voted.has(m.key));
  if (member === undefined) return false;
  const signer = new Wallet(hardhatAccountKey(member.account));
  const { governor } = coop;
  const latest = (await governor.runner!.provider!.getBlock("latest"))!;
  const { domain } = relayer;
  const message = {
    proposalId: open.id,
    support: Support.For,
    voter: signer.address,
    votes: 1n,
    nonce: await governor.ballotNonce(open.id, signer.address),
    deadline: BigInt(latest.timestamp) + 3600n,
    reason: "Signed in my wallet, relayed without gas.",
  };
  const types = quadraticBallotTypes as unknown as Record<string, TypedDataField[]>;
  const ballot = { ...message, signature: await signer.signTypedData(domain, types, message) };
  const posted = await fetch(`${relayer.url}/ballots`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(toBallotRequest(ballot, domain)),
  });
  const { id } = (await posted.json()) as { id?: string };
  if (posted.status !== 202 || id === undefined) return false;
  for (let i = 0; i < 200; i++) {
    const { status } = (await (await fetch(`${relayer.url}/ballots/${id}`)).json()) as { status: string };
    if (status === "included") {
      detail(`${member.name} signed a ballot on #${open.number}; the relayer included it (${id.slice(0, 10)}…)`);
      return (await governor.receiptOf(open.id, signer.address)).voted;
    }
    if (status === "rejected") return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

async function printSummary(chainId: number, coop: Coop, report: SeedReport, relayer: Relayer, app: AppServer) {
  const provider = coop.card.runner!.provider!;
  const treasury = await coop.timelock.getAddress();

  console.log(`
${coop.config.name} — a local co-op
  Members' app      ${app.url}   (connect as any demo member: Connect → "act as a demo member")
  JSON-RPC          ${RPC_URL}   (chain id ${chainId}; add it to your wallet as a custom network)
  MembershipCard    ${await coop.card.getAddress()}
  VoiceCredits      ${await coop.credits.getAddress()}
  MutualGovernor    ${await coop.governor.getAddress()}
  Timelock/treasury ${treasury}   ${formatEther(await provider.getBalance(treasury))} ETH
  Contributions     ${await coop.ledger.getAddress()}   (ContributionLedger; period ${await coop.ledger.currentPeriod()} under way)
  Patronage         ${await coop.distributor.getAddress()}   (PatronageDistributor; ${formatEther(await provider.getBalance(await coop.distributor.getAddress()))} ETH unclaimed)
  Addresses file    deploy/addresses/${chainId}.json
  Ballot relayer    ${relayer.url}   (POST /ballots, GET /ballots/:id, /health; pays from ${relayer.address})

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

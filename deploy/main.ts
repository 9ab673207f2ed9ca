/**
 * Deploys a co-op to a network from its parameter file: `npm run deploy -- --network sepolia`.
 * See docs/deploy.md. The work is done by deploy/config.ts; this file only parses the
 * command line, connects, asks for confirmation on a public chain and prints.
 *
 * Exit codes: 0 deployed and the hand-over checked; 1 not deployed (declined, or a transaction or the
 * network failed: run again to resume) or the hand-over check failed; 2 bad input (arguments, parameter
 * file, unknown network, missing secret, unfunded deployer), found before anything is sent.
 */
import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline/promises";
import { parseArgs } from "node:util";
import { formatEther, formatUnits } from "ethers";

import { deploymentFile, isLocalChain } from "../lib/deployment.ts";
import {
  deployFromParameters,
  describeConfig,
  describeResult,
  displayPath,
  journalDir,
  ParametersError,
  parametersFile,
  readCoopParameters,
  StaleJournalError,
  staleJournalCard,
} from "./config.ts";
import { readDeployment, ROOT } from "../lib/deployment.node.ts";

const USAGE = `Usage: npm run deploy -- [--network <name>] [--parameters <file>] [--yes]

  --network, -n <name>     a network of hardhat.config.ts (default: localhost)
  --parameters, -p <file>  the parameter file (default: deploy/parameters/<network>.json)
  --yes, -y                do not ask for confirmation before deploying to a public chain
  --help, -h               show this help`;

const OK = 0;
const FAILED = 1;
const BAD_INPUT = 2;

function exit(code: number, message?: string): never {
  if (message !== undefined) console.error(`deploy: ${message}`);
  process.exit(code);
}

let args;
try {
  args = parseArgs({
    options: {
      network: { type: "string", short: "n", default: "localhost" },
      parameters: { type: "string", short: "p" },
      yes: { type: "boolean", short: "y", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    allowPositionals: false,
    strict: true,
  }).values;
} catch (error) {
  exit(BAD_INPUT, `${(error as Error).message}\n\n${USAGE}`);
}
if (args.help) {
  console.log(USAGE);
  exit(OK);
}
const networkName = args.network;
// `npm run` starts scripts in the repository root; INIT_CWD is where the command was typed.
const parametersPath =
  args.parameters !== undefined
    ? resolve(process.env.INIT_CWD ?? process.cwd(), args.parameters)
    : join(ROOT, parametersFile(networkName));

const { default: hre } = await import("hardhat");
const networkConfig = hre.config.networks[networkName];
if (networkConfig === undefined) {
  exit(
    BAD_INPUT,
    `unknown network "${networkName}"; hardhat.config.ts defines: ${Object.keys(hre.config.networks).join(", ")}.`,
  );
}
if (networkConfig.type === "edr-simulated") {
  exit(
    BAD_INPUT,
    `"${networkName}" is an in-process chain that vanishes when this command ends. ` +
      "Start a node (`npx hardhat node`) and deploy with --network localhost, or pick a public network.",
  );
}

let config;
try {
  config = await readCoopParameters(parametersPath);
} catch (error) {
  if (error instanceof ParametersError) exit(BAD_INPUT, error.message);
  throw error;
}

// Deploy what the sources say now, not a stale build.
try {
  await hre.tasks.getTask("build").run({ quiet: true, noTests: true });
} catch (error) {
  exit(FAILED, `the contracts do not build: ${(error as Error).message}`);
}

let connection;
try {
  connection = await hre.network.create(networkName);
} catch (error) {
  const message = (error as Error).message;
  const variable = /Configuration Variable "([^"]+)" not found/.exec(message)?.[1];
  if (variable !== undefined) {
    exit(
      BAD_INPUT,
      `${variable} is not set, and the "${networkName}" network needs it. Store it in the keystore with\n` +
        `  npx hardhat keystore set ${variable}\n` +
        "or set it as an environment variable (see docs/deploy.md). Never write it in a file of the repository.",
    );
  }
  exit(BAD_INPUT, `cannot use network "${networkName}": ${message}`);
}
const { ethers } = connection;

let chainId: number;
try {
  chainId = Number((await ethers.provider.getNetwork()).chainId);
} catch (error) {
  exit(FAILED, `cannot reach "${networkName}": ${(error as Error).message}`);
}
let deployer: string;
try {
  const signers = await ethers.getSigners();
  if (signers.length === 0)
    exit(BAD_INPUT, `no account to deploy from on "${networkName}": set its accounts in hardhat.config.ts.`);
  deployer = signers[0].address;
} catch (error) {
  exit(
    BAD_INPUT,
    `the account configured for "${networkName}" cannot be used: ${(error as Error).message}\n` +
      "A private key is 0x followed by 64 hexadecimal digits (see docs/deploy.md).",
  );
}
const balance = await ethers.provider.getBalance(deployer);
const local = isLocalChain(chainId);
const journal = journalDir(chainId, hre.config.paths.ignition);
const feeData = await ethers.provider.getFeeData();

console.log(`Deploying a co-op
  network             ${networkName} (chain id ${chainId}${local ? ", a local chain" : ""})
  deployer            ${deployer}
  balance             ${formatEther(balance)} ETH${feeData.gasPrice !== null ? ` (gas price ${formatUnits(feeData.gasPrice, "gwei")} gwei)` : ""}
  parameters          ${displayPath(parametersPath)}
${describeConfig(config)
  .map((line) => `  ${line}`)
  .join("\n")}`);
const staleCard = await staleJournalCard(ethers.provider, journal);
if (staleCard !== undefined) {
  if (!local) exit(BAD_INPUT, new StaleJournalError(chainId, staleCard).message);
  // A local chain's journal (git-ignored) outlived its node: start afresh.
  await rm(journal, { recursive: true, force: true });
  console.log(`  fresh start         ${displayPath(journal)} described a chain that was restarted; discarded it`);
}
if (existsSync(journal)) {
  console.log(
    `  resuming            Ignition's journal ${displayPath(journal)} exists: finished steps are not sent again`,
  );
} else if (!local) {
  const recorded = await readDeployment(chainId).catch(() => undefined);
  if (recorded !== undefined) {
    console.log(
      `  note                ${deploymentFile(chainId)} records "${recorded.name}" (card ${recorded.contracts.MembershipCard}); this deployment replaces it`,
    );
  }
}

if (balance === 0n)
  exit(BAD_INPUT, `the deployer ${deployer} has no ETH on "${networkName}": fund it, then run again.`);

if (!local && !args.yes) {
  if (!process.stdin.isTTY)
    exit(
      BAD_INPUT,
      `refusing to deploy to chain ${chainId} without confirmation: not a terminal. Pass --yes to confirm.`,
    );
  const prompt = createInterface({ input: process.stdin, output: process.stdout });
  const answer = await prompt.question(
    `\nDeploy "${config.name}" to ${networkName} (chain ${chainId}) from ${deployer}? Type "yes" to go on: `,
  );
  prompt.close();
  if (!/^y(es)?$/i.test(answer.trim())) exit(FAILED, "not confirmed; nothing was sent.");
}

// Ignition's progress display redraws the terminal; in a log it would repeat every frame.
const displayUi = process.stdout.isTTY === true;
console.log(displayUi ? "" : "\nDeploying through Hardhat Ignition…");
let result;
try {
  result = await deployFromParameters(connection, config, { displayUi });
} catch (error) {
  const message = (error as Error).message;
  if (error instanceof StaleJournalError) exit(FAILED, message);
  if (message.includes("reconciliation errors")) {
    // Ignition sent nothing: the journal records a deployment with other parameters.
    exit(
      BAD_INPUT,
      `${message}\n${displayPath(journal)} records a deployment of this chain with other parameters. To resume it, ` +
        "restore the parameters it was started with; to deploy another co-op on this chain, move that folder away first.",
    );
  }
  exit(
    FAILED,
    `the deployment failed: ${message}\n` +
      `Finished steps are recorded in ${displayPath(journal)}; run the same command again to resume from there.`,
  );
}
const spent = balance - (await ethers.provider.getBalance(deployer));
await connection.close();

console.log(`\n${describeResult(result).join("\n")}\n\nThis run cost the deployer ${formatEther(spent)} ETH.`);
if (!local) {
  console.log(`
Next
  commit              ${deploymentFile(chainId)} and ${displayPath(journal)}
  verify the source   npx hardhat ignition verify chain-${chainId} --network ${networkName} --build-profile default`);
}

if (result.handOver.some((check) => !check.ok)) {
  exit(
    FAILED,
    "the contracts are deployed but the hand-over of power is incomplete (see FAIL above): do not use this co-op.",
  );
}
exit(OK);

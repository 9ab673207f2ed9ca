/**
 * What `deploy/main.ts` does, as functions that tests can call without spawning a process:
 * reading and checking a per-network parameter file (`deploy/parameters/<network>.json`), deploying
 * the co-op it describes through `deployCoop` (the one deployment code path), recording the addresses
 * file and checking that no externally owned account kept any power.
 */
import { readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { getAddress, isAddress, ZeroAddress } from "ethers";

import type { Deployment } from "../lib/deployment.ts";
import { formatDuration } from "../lib/format.ts";
import { PATRONAGE_DEFAULTS } from "./modules/MutualCoop.ts";
import {
  deployCoop,
  deploymentOf,
  moduleParameters,
  type Coop,
  type CoopConfig,
  type DeployConnection,
} from "./coop.ts";
import { ROOT, writeDeployment } from "../lib/deployment.node.ts";

/** The Ignition module's id: the one key of a parameter file. */
export const MODULE_ID = "MutualCoop";

/**
 * The most founders admitted at deployment. They are admitted in one transaction (`admitMany`, about
 * 80,000 gas each), and Ethereum caps a transaction at 16,777,216 gas (EIP-7825); 150 leaves a margin.
 * A bigger co-op admits the others by proposal once it runs.
 */
export const MAX_FOUNDERS = 150;

/** `VoiceCredits.MAX_EPOCH_LENGTH` (366 days). */
export const MAX_EPOCH_LENGTH = 366 * 24 * 60 * 60;
/** `VoiceCredits.MIN_EPOCH_LENGTH` (one hour: epoch numbers cannot overflow their 32 bits for 490,000 years). */
export const MIN_EPOCH_LENGTH = 60 * 60;

/** The parameter file of `network`, relative to the repository root. */
export function parametersFile(network: string): string {
  return `deploy/parameters/${network}.json`;
}

/** A parameter file that cannot be used: every problem found, one line each. */
export class ParametersError extends Error {
  readonly problems: string[];

  constructor(source: string, problems: string[]) {
    super(
      `${source}: ${problems.length === 1 ? problems[0] : `${problems.length} problems:\n  - ${problems.join("\n  - ")}`}`,
    );
    this.name = "ParametersError";
    this.problems = problems;
  }
}

const UINT32_MAX = 2n ** 32n - 1n;
const UINT48_MAX = 2n ** 48n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;
const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER);

type IntegerField =
  | "epochLength"
  | "creditsPerEpoch"
  | "maxBalance"
  | "votingDelay"
  | "votingPeriod"
  | "quorumBps"
  | "proposalDeposit"
  | "lateQuorumExtension"
  | "timelockDelay";

/** Each integer field: its smallest and largest value (what the contracts accept) and its unit. */
const INTEGER_FIELDS: Record<IntegerField, { min: bigint; max: bigint; unit: string }> = {
  epochLength: { min: BigInt(MIN_EPOCH_LENGTH), max: BigInt(MAX_EPOCH_LENGTH), unit: "seconds" },
  creditsPerEpoch: { min: 1n, max: UINT48_MAX, unit: "credits" },
  maxBalance: { min: 1n, max: UINT48_MAX, unit: "credits" },
  votingDelay: { min: 1n, max: UINT48_MAX, unit: "seconds" },
  votingPeriod: { min: 1n, max: UINT32_MAX, unit: "seconds" },
  quorumBps: { min: 1n, max: 10_000n, unit: "basis points of the members" },
  proposalDeposit: { min: 0n, max: UINT64_MAX, unit: "credits" },
  lateQuorumExtension: { min: 0n, max: UINT48_MAX, unit: "seconds" },
  timelockDelay: { min: 0n, max: SAFE_MAX, unit: "seconds" },
};

type OptionalField = "periodLength" | "reviewWindow" | "attestationThreshold" | "payRatio" | "claimWindow";

/** Patronage parameters: a file may leave them out (the module's defaults then apply, PATRONAGE_DEFAULTS). */
const OPTIONAL_FIELDS: Record<OptionalField, { min: bigint; max: bigint; unit: string; fallback: bigint }> = {
  periodLength: { min: 86_400n, max: 5n * 365n * 86_400n, unit: "seconds", fallback: PATRONAGE_DEFAULTS.periodLength },
  reviewWindow: { min: 0n, max: 365n * 86_400n, unit: "seconds", fallback: PATRONAGE_DEFAULTS.reviewWindow },
  attestationThreshold: { min: 1n, max: 255n, unit: "attestations", fallback: PATRONAGE_DEFAULTS.attestationThreshold },
  payRatio: { min: 1n, max: 1000n, unit: "times the smallest share", fallback: PATRONAGE_DEFAULTS.payRatio },
  claimWindow: { min: 86_400n, max: 10n * 365n * 86_400n, unit: "seconds", fallback: PATRONAGE_DEFAULTS.claimWindow },
};

const STRING_FIELDS = ["name", "symbol"] as const;
/** Module parameters that the deploy derives from `name`; a file may repeat them only with those values. */
const DERIVED_FIELDS = ["creditsName", "creditsSymbol"] as const;
const KNOWN_FIELDS = new Set<string>([
  ...STRING_FIELDS,
  "founders",
  ...Object.keys(INTEGER_FIELDS),
  ...Object.keys(OPTIONAL_FIELDS),
  ...DERIVED_FIELDS,
]);

/**
 * An integer as Ignition reads it from a parameter file: a JSON number (at most 2^53 − 1) or a string of
 * digits ending in `n` ("1000000n"). Returns the value, or a description of what is wrong.
 */
function integerOf(value: unknown): bigint | string {
  if (typeof value === "number") {
    if (!Number.isInteger(value)) return `must be a whole number, not ${value}`;
    if (!Number.isSafeInteger(value))
      return `${value} is too big for a JSON number; write it as a string ending in n, e.g. "${BigInt(Math.trunc(value))}n"`;
    return BigInt(value);
  }
  if (typeof value === "string") {
    if (/^\d+n$/.test(value)) return BigInt(value.slice(0, -1));
    return `must be a number; "${value}" is a string (Ignition reads only strings of digits ending in n, like "100n", as numbers)`;
  }
  return `must be a number, not ${describe(value)}`;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}

/**
 * Checks the parsed contents of a parameter file (`{"MutualCoop": {...}}`) and returns the co-op it
 * describes; throws a `ParametersError` listing every problem (missing or unknown field, wrong type,
 * value out of range, bad or duplicate founder, empty founders list, cap below the credits of one epoch…).
 */
export function parseCoopParameters(value: unknown, source = "parameters"): CoopConfig {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ParametersError(source, [
      `must be a JSON object of the form {"${MODULE_ID}": {...}}, not ${describe(value)}`,
    ]);
  }
  const outer = value as Record<string, unknown>;
  const others = Object.keys(outer).filter((key) => key !== MODULE_ID);
  if (!(MODULE_ID in outer)) {
    throw new ParametersError(source, [
      `no "${MODULE_ID}" entry: the parameters go inside {"${MODULE_ID}": {...}}` +
        (others.length ? ` (found ${others.map((k) => `"${k}"`).join(", ")})` : ""),
    ]);
  }
  const problems: string[] = others.map((key) => `"${key}": unknown entry (only "${MODULE_ID}" is deployed)`);
  const raw = outer[MODULE_ID];
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new ParametersError(source, [
      ...problems,
      `${MODULE_ID} must be an object of parameters, not ${describe(raw)}`,
    ]);
  }
  const p = raw as Record<string, unknown>;

  for (const key of Object.keys(p)) {
    if (!KNOWN_FIELDS.has(key)) problems.push(`${key}: unknown parameter (known: ${[...KNOWN_FIELDS].join(", ")})`);
  }

  const strings: Partial<Record<(typeof STRING_FIELDS)[number], string>> = {};
  for (const key of STRING_FIELDS) {
    const v = p[key];
    if (v === undefined) problems.push(`${key}: missing`);
    else if (typeof v !== "string") problems.push(`${key}: must be a string, not ${describe(v)}`);
    else if (v.trim() === "") problems.push(`${key}: must not be empty`);
    else strings[key] = v;
  }

  const numbers: Partial<Record<IntegerField, bigint>> = {};
  for (const [key, { min, max, unit }] of Object.entries(INTEGER_FIELDS) as [
    IntegerField,
    (typeof INTEGER_FIELDS)[IntegerField],
  ][]) {
    if (p[key] === undefined) {
      problems.push(`${key}: missing (${unit})`);
      continue;
    }
    const n = integerOf(p[key]);
    if (typeof n === "string") problems.push(`${key}: ${n}`);
    else if (n < min || n > max)
      problems.push(`${key}: ${n} is out of range; it must be between ${min} and ${max} (${unit})`);
    else numbers[key] = n;
  }
  const optional = {} as Record<OptionalField, bigint>;
  for (const [key, { min, max, unit, fallback }] of Object.entries(OPTIONAL_FIELDS) as [
    OptionalField,
    (typeof OPTIONAL_FIELDS)[OptionalField],
  ][]) {
    optional[key] = fallback;
    if (p[key] === undefined) continue;
    const n = integerOf(p[key]);
    if (typeof n === "string") problems.push(`${key}: ${n}`);
    else if (n < min || n > max)
      problems.push(`${key}: ${n} is out of range; it must be between ${min} and ${max} (${unit})`);
    else optional[key] = n;
  }
  const { votingDelay, votingPeriod, timelockDelay } = numbers;
  if (votingDelay !== undefined && votingPeriod !== undefined && timelockDelay !== undefined) {
    const governance = votingDelay + votingPeriod + timelockDelay;
    if (optional.reviewWindow < governance) {
      problems.push(
        `reviewWindow: ${optional.reviewWindow} seconds is shorter than a proposal takes to execute (votingDelay + votingPeriod + timelockDelay = ${governance}); governance could never void an entry recorded at the end of a period`,
      );
    }
  }
  const { creditsPerEpoch, maxBalance, proposalDeposit } = numbers;
  if (creditsPerEpoch !== undefined && maxBalance !== undefined && maxBalance < creditsPerEpoch) {
    problems.push(
      `maxBalance: ${maxBalance} is less than creditsPerEpoch (${creditsPerEpoch}); the cap must hold at least one epoch's credits`,
    );
  }
  if (proposalDeposit !== undefined && maxBalance !== undefined && proposalDeposit > maxBalance) {
    problems.push(
      `proposalDeposit: ${proposalDeposit} is more than maxBalance (${maxBalance}); no member could ever hold enough credits to propose`,
    );
  }

  const founders = checkFounders(p.founders, problems);

  if (strings.name !== undefined) {
    const derived = moduleParameters({ name: strings.name } as CoopConfig)[MODULE_ID];
    for (const key of DERIVED_FIELDS) {
      if (p[key] !== undefined && p[key] !== derived[key]) {
        problems.push(
          `${key}: the deploy sets it to ${JSON.stringify(derived[key])} (derived from name); remove it or use that value`,
        );
      }
    }
  }

  if (problems.length > 0) throw new ParametersError(source, problems);
  const n = numbers as Record<IntegerField, bigint>;
  return {
    name: strings.name!,
    symbol: strings.symbol!,
    founders: founders!,
    epochLength: Number(n.epochLength),
    creditsPerEpoch: n.creditsPerEpoch,
    maxBalance: n.maxBalance,
    votingDelay: Number(n.votingDelay),
    votingPeriod: Number(n.votingPeriod),
    quorumBps: Number(n.quorumBps),
    proposalDeposit: n.proposalDeposit,
    lateQuorumExtension: Number(n.lateQuorumExtension),
    timelockDelay: Number(n.timelockDelay),
    periodLength: Number(optional.periodLength),
    reviewWindow: Number(optional.reviewWindow),
    attestationThreshold: Number(optional.attestationThreshold),
    payRatio: Number(optional.payRatio),
    claimWindow: Number(optional.claimWindow),
  };
}

/** The founders as checksummed addresses, or undefined after adding what is wrong to `problems`. */
function checkFounders(value: unknown, problems: string[]): string[] | undefined {
  if (value === undefined) {
    problems.push("founders: missing (a JSON array of the founders' addresses)");
    return undefined;
  }
  if (!Array.isArray(value)) {
    problems.push(`founders: must be a JSON array of addresses, not ${describe(value)}`);
    return undefined;
  }
  if (value.length === 0) {
    problems.push(
      "founders: the list is empty. A co-op without members can never pass a proposal, so nobody could ever govern it " +
        "(nor admit anyone). Add the founders' addresses.",
    );
    return undefined;
  }
  const before = problems.length;
  if (value.length > MAX_FOUNDERS) {
    problems.push(
      `founders: ${value.length} founders; at most ${MAX_FOUNDERS} are admitted at deployment (one transaction). Admit the others by proposal.`,
    );
  }
  const seen = new Map<string, number>();
  const founders: string[] = [];
  value.forEach((entry, i) => {
    if (typeof entry !== "string") {
      problems.push(`founders[${i}]: must be an address string, not ${describe(entry)}`);
      return;
    }
    if (!isAddress(entry)) {
      const looksLikeAddress = /^0x[0-9a-fA-F]{40}$/.test(entry);
      problems.push(
        `founders[${i}]: "${entry}" is not an address${looksLikeAddress ? " (its mixed-case checksum is wrong: check for a typo)" : ""}`,
      );
      return;
    }
    const address = getAddress(entry);
    if (address === ZeroAddress) {
      problems.push(`founders[${i}]: the zero address cannot be a member`);
      return;
    }
    const first = seen.get(address);
    if (first !== undefined) {
      problems.push(`founders[${i}]: ${address} is listed twice (also founders[${first}]); one card per address`);
      return;
    }
    seen.set(address, i);
    founders.push(address);
  });
  return problems.length === before ? founders : undefined;
}

/** Reads and checks a parameter file; errors (missing file, bad JSON, bad field) are `ParametersError`s. */
export async function readCoopParameters(path: string, root = ROOT): Promise<CoopConfig> {
  const shown = displayPath(path, root);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ParametersError(shown, [
      code === "ENOENT"
        ? "no such file (docs/deploy.md explains how to write one)."
        : `cannot read it (${code ?? String(error)})`,
    ]);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ParametersError(shown, [`not valid JSON: ${(error as Error).message}`]);
  }
  return parseCoopParameters(parsed, shown);
}

/** `path` relative to `root` when it lies inside it, else as given. */
export function displayPath(path: string, root = ROOT): string {
  const rel = relative(root, path);
  return rel && !rel.startsWith("..") && !rel.startsWith("/") ? rel : path;
}

/** One check of the hand-over of power: what it says and whether it holds. */
export interface HandOverCheck {
  what: string;
  ok: boolean;
}

/**
 * Checks that every power went to the timelock: the card, the credits, the contribution ledger and the patronage
 * distributor are owned by it, the credits' governor is the governor, the governor is the timelock's proposer and canceller, anyone may execute, the
 * timelock administers itself, and `deployer` holds no role of the timelock and owns nothing.
 */
export async function checkHandOver(coop: Coop, deployer: string): Promise<HandOverCheck[]> {
  const { card, credits, governor, timelock, ledger, distributor } = coop;
  const timelockAddress = await timelock.getAddress();
  const governorAddress = await governor.getAddress();
  const [admin, proposer, canceller, executor] = await Promise.all([
    timelock.DEFAULT_ADMIN_ROLE(),
    timelock.PROPOSER_ROLE(),
    timelock.CANCELLER_ROLE(),
    timelock.EXECUTOR_ROLE(),
  ]);
  const deployerRoles: string[] = [];
  for (const [name, role] of Object.entries({ admin, proposer, canceller, executor })) {
    if (await timelock.hasRole(role, deployer)) deployerRoles.push(name);
  }
  return [
    { what: "MembershipCard is owned by the timelock", ok: (await card.owner()) === timelockAddress },
    { what: "VoiceCredits is owned by the timelock", ok: (await credits.owner()) === timelockAddress },
    { what: "ContributionLedger is owned by the timelock", ok: (await ledger.owner()) === timelockAddress },
    { what: "PatronageDistributor is owned by the timelock", ok: (await distributor.owner()) === timelockAddress },
    { what: "VoiceCredits is spent only by the governor", ok: (await credits.governor()) === governorAddress },
    {
      what: "the governor is the timelock's proposer and canceller",
      ok: (await timelock.hasRole(proposer, governorAddress)) && (await timelock.hasRole(canceller, governorAddress)),
    },
    { what: "anyone may execute a passed proposal after the delay", ok: await timelock.hasRole(executor, ZeroAddress) },
    { what: "the timelock administers itself", ok: await timelock.hasRole(admin, timelockAddress) },
    {
      what: `the deployer holds no timelock role${deployerRoles.length ? ` (holds: ${deployerRoles.join(", ")})` : ""}`,
      ok: deployerRoles.length === 0,
    },
  ];
}

export interface DeployOptions {
  /** Where `deploy/addresses/<chainId>.json` is written (the repository root by default). */
  root?: string;
  /** Show Ignition's progress while it deploys (the CLI does; tests don't). */
  displayUi?: boolean;
}

export interface DeployResult {
  coop: Coop;
  chainId: number;
  deployer: string;
  deployment: Deployment;
  /** The addresses file written. */
  addressesFile: string;
  handOver: HandOverCheck[];
}

/**
 * Deploys the co-op described by `config` with `deployCoop` from the connection's first account (on a
 * network with a journal, Ignition resumes an interrupted deployment of the same parameters), writes
 * `deploy/addresses/<chainId>.json` under `root`, and checks the hand-over of power.
 */
export async function deployFromParameters(
  connection: DeployConnection,
  config: CoopConfig,
  options: DeployOptions = {},
): Promise<DeployResult> {
  const { ethers } = connection;
  const [signer] = await ethers.getSigners();
  const chainId = Number((await ethers.provider.getNetwork()).chainId);
  const deploying: DeployConnection = options.displayUi
    ? {
        ethers,
        ignition: { deploy: (module, opts) => connection.ignition.deploy(module, { ...opts, displayUi: true }) },
      }
    : connection;
  const coop = await deployCoop(deploying, config);
  const card = await coop.card.getAddress();
  // Ignition trusts its journal: after a local node restarts, it "resumes" onto contracts that are gone.
  if ((await ethers.provider.getCode(card)) === "0x") throw new StaleJournalError(chainId, card);
  const deployment = await deploymentOf(coop, chainId);
  const addressesFile = await writeDeployment(deployment, options.root ?? ROOT);
  return {
    coop,
    chainId,
    deployer: signer.address,
    deployment,
    addressesFile,
    handOver: await checkHandOver(coop, signer.address),
  };
}

/** Raised when Ignition's journal describes contracts that the chain does not have. */
export class StaleJournalError extends Error {
  constructor(chainId: number, card: string) {
    super(
      `Ignition's journal deploy/deployments/chain-${chainId} says the co-op's card is at ${card}, but chain ${chainId} ` +
        "has no contract there: the journal belongs to another chain with the same id (a restarted local node?). " +
        "Move that folder away to deploy afresh.",
    );
    this.name = "StaleJournalError";
  }
}

/**
 * The card address recorded in the Ignition journal `dir` when this chain has no contract there (the
 * journal is stale: a local node was restarted), else undefined (no journal, nothing deployed yet, or
 * the contract is there).
 */
export async function staleJournalCard(
  provider: { getCode(address: string): Promise<string> },
  dir: string,
): Promise<string | undefined> {
  let recorded: Record<string, string>;
  try {
    recorded = JSON.parse(await readFile(join(dir, "deployed_addresses.json"), "utf8"));
  } catch {
    return undefined;
  }
  const card = recorded[`${MODULE_ID}#MembershipCard`];
  if (typeof card !== "string") return undefined;
  return (await provider.getCode(card)) === "0x" ? card : undefined;
}

/** Where Ignition keeps the journal of a deployment on `chainId` (its default deployment id). */
export function journalDir(chainId: number, ignitionRoot = join(ROOT, "deploy")): string {
  return join(ignitionRoot, "deployments", `chain-${chainId}`);
}

/** The co-op's rules in a few lines, for the confirmation and the summary. */
export function describeConfig(config: CoopConfig): string[] {
  return [
    `co-op               ${config.name} (cards: ${config.symbol})`,
    `founders            ${config.founders.length}`,
    `voice credits       ${config.creditsPerEpoch} per member every ${formatDuration(config.epochLength)}, at most ${config.maxBalance} held`,
    `proposals           deposit ${config.proposalDeposit} credits; vote opens ${formatDuration(config.votingDelay)} after, lasts ${formatDuration(config.votingPeriod)} (+${formatDuration(config.lateQuorumExtension)} if quorum comes late)`,
    `quorum              ${config.quorumBps / 100}% of members`,
    `timelock delay      ${formatDuration(config.timelockDelay)}`,
  ];
}

/** The summary printed after a deployment. */
export function describeResult(result: DeployResult, root = ROOT): string[] {
  const { deployment } = result;
  const lines = [
    `${deployment.name} is deployed on chain ${deployment.chainId}, from block ${deployment.deployBlock}.`,
    "",
    "Contracts",
    ...Object.entries(deployment.contracts).map(([name, address]) => `  ${name.padEnd(20)}${address}`),
    "",
    `Addresses file        ${displayPath(result.addressesFile, root)}`,
    "",
    "Hand-over of power",
    ...result.handOver.map((check) => `  ${check.ok ? "ok  " : "FAIL"}  ${check.what}`),
  ];
  return lines;
}

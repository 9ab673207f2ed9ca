import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";

import type { Deployment } from "../lib/deployment.ts";
import MutualCoop, { PATRONAGE_DEFAULTS } from "./modules/MutualCoop.ts";
import type {
  ContributionLedger,
  MembershipCard,
  MutualGovernor,
  PatronageDistributor,
  TimelockController,
  VoiceCredits,
} from "../types/ethers-contracts/index.ts";

/** Everything that defines a co-op at deployment. All durations are in seconds. */
export interface CoopConfig {
  name: string;
  /** Symbol of the membership cards, e.g. "BAKE". */
  symbol: string;
  /** Accounts admitted at deployment (the founders). */
  founders: string[];
  epochLength: number;
  creditsPerEpoch: bigint;
  maxBalance: bigint;
  votingDelay: number;
  votingPeriod: number;
  /** Share of members who must take part, in basis points (e.g. 2000 = 20%). */
  quorumBps: number;
  proposalDeposit: bigint;
  lateQuorumExtension: number;
  timelockDelay: number;
  /** Patronage: seconds per contribution period (from 1 day to 5 years). */
  periodLength: number;
  /** Seconds after a period closes during which governance may still void its entries. */
  reviewWindow: number;
  /** Attestations by other members an entry needs to count. */
  attestationThreshold: number;
  /** The pay ratio R: no patronage share above R times the smallest. */
  payRatio: number;
  /** Seconds members have to claim from a pot once it is allocated. */
  claimWindow: number;
}

export interface Coop {
  card: MembershipCard;
  credits: VoiceCredits;
  governor: MutualGovernor;
  timelock: TimelockController;
  ledger: ContributionLedger;
  distributor: PatronageDistributor;
  /** The first block of the deployment: where an auditor starts reading events. */
  deployBlock: number;
  config: CoopConfig;
}

/** What `deployCoop` needs of a Hardhat network connection (`await network.create()`). */
export interface DeployConnection {
  ethers: HardhatEthers;
  // The Ignition helper of hardhat-ignition-ethers; typed loosely to keep this module free of its internals.
  ignition: {
    deploy: (module: typeof MutualCoop, options?: object) => Promise<Record<string, { getAddress(): Promise<string> }>>;
  };
}

export const DAY = 24 * 60 * 60;

/**
 * Defaults for a small co-op: weekly epochs, 100 credits a week, a 3-day vote, 20% quorum; patronage by quarterly
 * periods with a two-week review, one attestation, a 6:1 pay ratio and 90 days to claim.
 */
export function defaultConfig(founders: string[]): CoopConfig {
  return {
    name: "Mutual Co-op",
    symbol: "MUTUAL",
    founders,
    epochLength: 7 * DAY,
    creditsPerEpoch: 100n,
    maxBalance: 400n,
    votingDelay: 1 * DAY,
    votingPeriod: 3 * DAY,
    quorumBps: 2000,
    proposalDeposit: 10n,
    lateQuorumExtension: 1 * DAY,
    timelockDelay: 2 * DAY,
    periodLength: Number(PATRONAGE_DEFAULTS.periodLength),
    reviewWindow: Number(PATRONAGE_DEFAULTS.reviewWindow),
    attestationThreshold: Number(PATRONAGE_DEFAULTS.attestationThreshold),
    payRatio: Number(PATRONAGE_DEFAULTS.payRatio),
    claimWindow: Number(PATRONAGE_DEFAULTS.claimWindow),
  };
}

/** The Ignition parameters of the `MutualCoop` module for `config`. */
export function moduleParameters(config: CoopConfig) {
  return {
    MutualCoop: {
      name: config.name,
      symbol: config.symbol,
      creditsName: `${config.name} Voice Credits`,
      creditsSymbol: "VOICE",
      founders: config.founders,
      epochLength: config.epochLength,
      creditsPerEpoch: config.creditsPerEpoch,
      maxBalance: config.maxBalance,
      votingDelay: config.votingDelay,
      votingPeriod: config.votingPeriod,
      quorumBps: config.quorumBps,
      proposalDeposit: config.proposalDeposit,
      lateQuorumExtension: config.lateQuorumExtension,
      timelockDelay: config.timelockDelay,
      periodLength: config.periodLength,
      reviewWindow: config.reviewWindow,
      attestationThreshold: config.attestationThreshold,
      payRatio: config.payRatio,
      claimWindow: config.claimWindow,
    },
  };
}

/**
 * Deploys and wires a whole co-op through the Ignition module `deploy/modules/MutualCoop.ts`, from the
 * connection's first account: the founders are admitted, then every power goes to the timelock (the
 * card, the credits, the contribution ledger and the patronage distributor are owned by it, the governor is its only proposer and canceller, anyone may
 * execute a passed proposal once its delay is over, and the deployer renounces the timelock's admin
 * role). Returns typed contracts connected to the first account.
 */
export async function deployCoop(connection: DeployConnection, config: CoopConfig): Promise<Coop> {
  const { ethers } = connection;
  const before = await ethers.provider.getBlockNumber();
  const deployed = await connection.ignition.deploy(MutualCoop, { parameters: moduleParameters(config) });
  const address = (name: string) => deployed[name].getAddress();
  const card = await ethers.getContractAt("MembershipCard", await address("card"));
  return {
    card,
    credits: await ethers.getContractAt("VoiceCredits", await address("credits")),
    governor: await ethers.getContractAt("MutualGovernor", await address("governor")),
    timelock: await ethers.getContractAt("TimelockController", await address("timelock")),
    ledger: await ethers.getContractAt("ContributionLedger", await address("ledger")),
    distributor: await ethers.getContractAt("PatronageDistributor", await address("distributor")),
    deployBlock: await findDeployBlock(ethers, await card.getAddress(), before + 1),
    config,
  };
}

/**
 * The block in which the card was created: `from` for a fresh deployment; for a deployment that Ignition
 * resumed from an earlier run, found by bisecting on the card's code (which needs a node that keeps state).
 */
async function findDeployBlock(ethers: HardhatEthers, card: string, from: number): Promise<number> {
  const hasCode = async (block: number) => (await ethers.provider.getCode(card, block)) !== "0x";
  if (from <= 1 || !(await hasCode(from - 1))) return from;
  let low = 0;
  let high = from - 1;
  while (low < high) {
    const mid = Math.floor((low + high) / 2);
    if (await hasCode(mid)) high = mid;
    else low = mid + 1;
  }
  return low;
}

/** The addresses record of a freshly deployed co-op. */
export async function deploymentOf(coop: Coop, chainId: number | bigint): Promise<Deployment> {
  return {
    chainId: Number(chainId),
    name: coop.config.name,
    deployBlock: coop.deployBlock,
    contracts: {
      MembershipCard: await coop.card.getAddress(),
      VoiceCredits: await coop.credits.getAddress(),
      MutualGovernor: await coop.governor.getAddress(),
      TimelockController: await coop.timelock.getAddress(),
      ContributionLedger: await coop.ledger.getAddress(),
      PatronageDistributor: await coop.distributor.getAddress(),
    },
  };
}

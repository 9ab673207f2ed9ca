import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import { ZeroAddress } from "ethers";

import type { MembershipCard, MutualGovernor, TimelockController, VoiceCredits } from "../../types/ethers-contracts/index.js";

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
}

export interface Coop {
  card: MembershipCard;
  credits: VoiceCredits;
  governor: MutualGovernor;
  timelock: TimelockController;
  deployBlock: number;
  config: CoopConfig;
}

export const DAY = 24 * 60 * 60;

/** Defaults for a small co-op: weekly epochs, 100 credits a week, a 3-day vote, 20% quorum. */
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
  };
}

/**
 * Deploys and wires a whole co-op, admits the founders, then hands every power to the timelock:
 * the card and the credits are owned by the timelock, the governor is its only proposer and
 * canceller, anyone may execute a passed proposal once its delay is over, and the deployer
 * renounces the timelock's admin role. After this the deployer keeps no power at all.
 */
export async function deployCoop(
  ethers: HardhatEthers,
  deployer: HardhatEthersSigner,
  config: CoopConfig,
): Promise<Coop> {
  const startBlock = await ethers.provider.getBlockNumber();
  const me = await deployer.getAddress();

  const card = (await ethers.deployContract("MembershipCard", [config.name, config.symbol, me], deployer)) as unknown as MembershipCard;
  await card.waitForDeployment();
  const credits = (await ethers.deployContract(
    "VoiceCredits",
    [
      await card.getAddress(),
      `${config.name} Voice Credits`,
      "VOICE",
      config.epochLength,
      config.creditsPerEpoch,
      config.maxBalance,
      me,
    ],
    deployer,
  )) as unknown as VoiceCredits;
  await credits.waitForDeployment();
  await (await card.bindVoiceCredits(await credits.getAddress())).wait();

  const timelock = (await ethers.deployContract(
    "TimelockController",
    [config.timelockDelay, [], [ZeroAddress], me],
    deployer,
  )) as unknown as TimelockController;
  await timelock.waitForDeployment();

  const governor = (await ethers.deployContract(
    "MutualGovernor",
    [
      config.name,
      await card.getAddress(),
      await credits.getAddress(),
      await timelock.getAddress(),
      {
        votingDelay: config.votingDelay,
        votingPeriod: config.votingPeriod,
        quorumBps: config.quorumBps,
        proposalDeposit: config.proposalDeposit,
        lateQuorumExtension: config.lateQuorumExtension,
      },
    ],
    deployer,
  )) as unknown as MutualGovernor;
  await governor.waitForDeployment();
  const governorAddress = await governor.getAddress();
  const timelockAddress = await timelock.getAddress();

  await (await credits.setGovernor(governorAddress)).wait();
  await (await timelock.grantRole(await timelock.PROPOSER_ROLE(), governorAddress)).wait();
  await (await timelock.grantRole(await timelock.CANCELLER_ROLE(), governorAddress)).wait();

  for (const founder of config.founders) {
    await (await card.admit(founder)).wait();
  }

  // Hand every power to the timelock.
  await (await card.transferOwnership(timelockAddress)).wait();
  await (await credits.transferOwnership(timelockAddress)).wait();
  await (await timelock.renounceRole(await timelock.DEFAULT_ADMIN_ROLE(), me)).wait();

  return { card, credits, governor, timelock, deployBlock: startBlock + 1, config };
}

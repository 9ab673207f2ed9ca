/**
 * What every part of the benchmark shares: the connection, fixed keys, sending and checking transactions,
 * progress on stderr, and a co-op whose card the deployer still owns (for direct admissions).
 */
import type hre from "hardhat";
import { Wallet, ZeroAddress, getAddress, id, type TransactionReceipt, type TransactionResponse } from "ethers";

import type { CoopConfig } from "../../deploy/coop.ts";
import type {
  MembershipCard,
  MutualGovernor,
  TimelockController,
  VoiceCredits,
} from "../../types/ethers-contracts/index.ts";

export type Connection = Awaited<ReturnType<typeof hre.network.create>>;

/** A measured transaction: its gas and its calldata (the floor prices the calldata). */
export interface Measured {
  gas: bigint;
  data: string;
}

const started = performance.now();

/** Progress goes to stderr, so that stdout holds only the result. */
export function progress(text: string): void {
  console.error(`• [${((performance.now() - started) / 1000).toFixed(1).padStart(5)}s] ${text}`);
}

export function elapsedSeconds(): number {
  return (performance.now() - started) / 1000;
}

export function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(`benchmark check failed: ${message}`);
}

/** A fixed key per role, so that every run uses the same addresses (and signs the same bytes). */
export function fixedWallet(connection: Connection, label: string): Wallet {
  return new Wallet(id(`mutual gas benchmark: ${label}`), connection.ethers.provider);
}

/** A fixed address for a member who never signs anything (no key needed, cheap to make by the thousand). */
export function fixedAddress(label: string): string {
  return getAddress(`0x${id(`mutual gas benchmark: ${label}`).slice(26)}`);
}

/** Sends a transaction, waits for it, and checks it succeeded. */
export async function mined(label: string, sent: Promise<TransactionResponse>): Promise<TransactionReceipt> {
  const response = await sent;
  const receipt = await response.wait();
  if (receipt === null || receipt.status !== 1) throw new Error(`${label}: transaction failed`);
  return receipt;
}

/** Sends a measured transaction and returns its gasUsed and its calldata. */
export async function measure(label: string, sent: Promise<TransactionResponse>): Promise<Measured> {
  const response = await sent;
  const receipt = await response.wait();
  if (receipt === null || receipt.status !== 1) throw new Error(`${label}: transaction failed`);
  return { gas: receipt.gasUsed, data: response.data };
}

export interface OwnedCoop {
  card: MembershipCard;
  credits: VoiceCredits;
  governor: MutualGovernor;
  timelock: TimelockController;
}

/**
 * A Mutual co-op deployed contract by contract, whose card and credits the deployer still owns, so that
 * `admit` and `admitMany` are direct calls. The same contracts and wiring as `deployCoop`, except the hand-over
 * of power to the timelock, which no measured figure depends on. Admits no one.
 */
export async function deployOwnedCoop(connection: Connection, config: CoopConfig): Promise<OwnedCoop> {
  const { ethers } = connection;
  const [deployer] = await ethers.getSigners();
  const card = (await ethers.deployContract(
    "MembershipCard",
    [config.name, config.symbol, deployer.address],
    deployer,
  )) as unknown as MembershipCard;
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
      deployer.address,
    ],
    deployer,
  )) as unknown as VoiceCredits;
  await credits.waitForDeployment();
  await mined("bind credits", card.bindVoiceCredits(await credits.getAddress()));
  const timelock = (await ethers.deployContract(
    "TimelockController",
    [config.timelockDelay, [], [ZeroAddress], deployer.address],
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
  await mined("set governor", credits.setGovernor(await governor.getAddress()));
  return { card, credits, governor, timelock };
}

/** Admits `accounts` with `admitMany`, `chunk` at a time; returns the gas of every transaction. */
export async function admitInChunks(card: MembershipCard, accounts: string[], chunk: number): Promise<bigint[]> {
  const gas: bigint[] = [];
  for (let from = 0; from < accounts.length; from += chunk) {
    const receipt = await mined("admitMany", card.admitMany(accounts.slice(from, from + chunk)));
    gas.push(receipt.gasUsed);
  }
  return gas;
}

/**
 * Decoded events of a co-op, in the shape the replay consumes: one plain object per log, with the block,
 * its timestamp and the log's position. The decoder works from the contracts' ABIs (the compiled artifacts,
 * passed in by the caller), so nothing here is written by hand from the Solidity.
 */
import { Interface, type InterfaceAbi, type Result } from "ethers";

import type { Deployment } from "../deployment.ts";

/** Which of a co-op's contracts emitted an event. */
export type CoopContract =
  | "MembershipCard"
  | "VoiceCredits"
  | "MutualGovernor"
  | "TimelockController"
  | "ContributionLedger"
  | "PatronageDistributor";
export const COOP_CONTRACTS: readonly CoopContract[] = [
  "MembershipCard",
  "VoiceCredits",
  "MutualGovernor",
  "TimelockController",
  "ContributionLedger",
  "PatronageDistributor",
];

/** The patronage contracts, absent from the addresses files of co-ops deployed before they existed. */
export const PATRONAGE_CONTRACTS: readonly CoopContract[] = ["ContributionLedger", "PatronageDistributor"];

/** The contracts `deployment` has an address for, in the order of COOP_CONTRACTS. */
export function deployedContracts(deployment: Pick<Deployment, "contracts">): CoopContract[] {
  return COOP_CONTRACTS.filter((c) => deployment.contracts[c] !== undefined);
}

/** The address of `contract` in `deployment`; throws for a patronage contract the deployment does not have. */
export function contractAddress(deployment: Pick<Deployment, "contracts">, contract: CoopContract): string {
  const address = deployment.contracts[contract];
  if (address === undefined) throw new Error(`the deployment has no ${contract}`);
  return address;
}

/** A decoded argument: integers as bigint, addresses checksummed, bytes as 0x-hex, arrays as arrays. */
export type EventArg = bigint | string | boolean | readonly EventArg[];

/** One decoded event, where it happened, and when. */
export interface ReplayEvent {
  contract: CoopContract;
  name: string;
  args: Readonly<Record<string, EventArg>>;
  blockNumber: number;
  /** The log's index in its block. */
  logIndex: number;
  transactionHash: string;
  /** The block's timestamp (the co-op's clock). */
  timestamp: number;
}

/** A raw JSON-RPC log (`eth_getLogs`), numbers as hex or numbers. */
export interface RawLog {
  address: string;
  topics: readonly string[];
  data: string;
  blockNumber: string | number;
  logIndex: string | number;
  transactionHash: string;
  removed?: boolean;
  /** Some nodes include the block's timestamp in each log. */
  blockTimestamp?: string | number;
}

/** The ABIs of a co-op's contracts, from the compiled artifacts. */
export type CoopAbis = Readonly<Record<CoopContract, InterfaceAbi>>;

/** A log that none of the co-op's ABIs can decode. */
export class UndecodableLogError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UndecodableLogError";
  }
}

function plain(value: unknown): EventArg {
  if (typeof value === "bigint" || typeof value === "string" || typeof value === "boolean") return value;
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === "number") return BigInt(value);
  throw new TypeError(`cannot represent ${String(value)} as an event argument`);
}

function argsOf(result: Result, names: readonly string[]): Record<string, EventArg> {
  const args: Record<string, EventArg> = {};
  names.forEach((name, i) => {
    const value = result[i];
    // Nested Results (arrays) become plain arrays.
    args[name] = plain(typeof value === "object" && value !== null && "toArray" in value ? value.toArray() : value);
  });
  return args;
}

/** Turns raw logs of a deployment into ReplayEvents, knowing which contract is which. */
export function createLogDecoder(deployment: Deployment, abis: CoopAbis) {
  const byAddress = new Map<string, { contract: CoopContract; iface: Interface }>();
  for (const contract of deployedContracts(deployment)) {
    byAddress.set(contractAddress(deployment, contract).toLowerCase(), {
      contract,
      iface: new Interface(abis[contract]),
    });
  }
  return function decode(log: RawLog, timestamp: number): ReplayEvent {
    const source = byAddress.get(log.address.toLowerCase());
    if (source === undefined) throw new UndecodableLogError(`log from ${log.address}, which is not a co-op contract`);
    const parsed = source.iface.parseLog({ topics: [...log.topics], data: log.data });
    if (parsed === null) {
      throw new UndecodableLogError(
        `${source.contract} log with topic ${log.topics[0] ?? "(none)"} in block ${Number(log.blockNumber)} matches no event of its ABI`,
      );
    }
    return {
      contract: source.contract,
      name: parsed.name,
      args: argsOf(
        parsed.args,
        parsed.fragment.inputs.map((input) => input.name),
      ),
      blockNumber: Number(log.blockNumber),
      logIndex: Number(log.logIndex),
      transactionHash: log.transactionHash,
      timestamp,
    };
  };
}

/** Per event, the argument that names the member it concerns. */
const MEMBER_ARG: Readonly<Record<string, string>> = {
  MemberAdmitted: "account",
  MemberResigned: "account",
  MemberExpelled: "account",
  MemberReassigned: "from",
  AccountOpened: "member",
  AccountClosed: "member",
  AccountMoved: "from",
  DepositHeld: "member",
  DepositReturned: "member",
  ProposalCreated: "proposer",
  ProposalDepositStaked: "proposer",
  ProposalDepositSettled: "holder",
  VoteCast: "voter",
  VoteCastWithParams: "voter",
  BallotSkipped: "voter",
  ContributionRecorded: "contributor",
  ContributionAttested: "attester",
  PatronageClaimed: "member",
};

/**
 * The member an event concerns — admitted or leaving, whose credits moved, who proposed, voted or gets a deposit
 * back (for a reassigned card or moved credits, the address they left) — or null for an event about no one member
 * (a rule change, a timelock call, a card's lock…). For patronage: who recorded, attested or claimed. The audit's `events.csv` and the app's history page both name it.
 */
export function eventMember(e: ReplayEvent): string | null {
  const key = MEMBER_ARG[e.name];
  const value = key === undefined ? undefined : e.args[key];
  return typeof value === "string" && BigInt(value) !== 0n ? value : null;
}

/** The proposal an event names (`proposalId`), or null. */
export function eventProposal(e: ReplayEvent): bigint | null {
  const value = e.args.proposalId;
  return typeof value === "bigint" ? value : null;
}

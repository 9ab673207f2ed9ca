/**
 * Where a co-op lives on a chain: the one file per chain (`deploy/addresses/<chainId>.json`) that the
 * scripts, the relayer and the app read. Nothing else in the project holds a contract address.
 */
export interface Deployment {
  chainId: number;
  /** The co-op's name. */
  name: string;
  /** The first block of the deployment: where an auditor starts reading events. */
  deployBlock: number;
  contracts: {
    MembershipCard: string;
    VoiceCredits: string;
    MutualGovernor: string;
    TimelockController: string;
    /** Patronage (absent from the files of co-ops deployed before it existed). */
    ContributionLedger?: string;
    PatronageDistributor?: string;
  };
}

/** The addresses file of `chainId`, relative to the repository root. */
export function deploymentFile(chainId: number | bigint): string {
  return `deploy/addresses/${chainId}.json`;
}

/** Chains on which the demo seeds and time travel may run: Hardhat's and Anvil's local chain ids. */
export const LOCAL_CHAIN_IDS: readonly number[] = [31337, 1337];

/** Whether `chainId` is a local development chain. */
export function isLocalChain(chainId: number | bigint): boolean {
  return LOCAL_CHAIN_IDS.includes(Number(chainId));
}

/** Checks the shape of a parsed addresses file and returns it typed, or throws saying what is wrong. */
export function parseDeployment(value: unknown, source = "deployment"): Deployment {
  const fail = (what: string): never => {
    throw new Error(`${source}: ${what}`);
  };
  if (typeof value !== "object" || value === null) fail("not a JSON object");
  const d = value as Record<string, unknown>;
  if (!Number.isInteger(d.chainId)) fail("chainId must be an integer");
  if (typeof d.name !== "string") fail("name must be a string");
  if (!Number.isInteger(d.deployBlock) || (d.deployBlock as number) < 0) fail("deployBlock must be a block number");
  const contracts = d.contracts as Record<string, unknown> | undefined;
  if (typeof contracts !== "object" || contracts === null) fail("contracts must be an object");
  for (const key of ["MembershipCard", "VoiceCredits", "MutualGovernor", "TimelockController"]) {
    const address = contracts![key];
    if (typeof address !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(address))
      fail(`contracts.${key} must be an address`);
  }
  for (const key of ["ContributionLedger", "PatronageDistributor"]) {
    const address = contracts![key];
    if (address !== undefined && (typeof address !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(address)))
      fail(`contracts.${key} must be an address when present`);
  }
  return value as Deployment;
}

/*
 * The one check every command that rewrites history (demo seeding, time travel) runs before it sends anything:
 * the chain must be a local development chain.
 */

/** The message of the refusal for `chainId`; `what` says what was refused, e.g. "seed the demo co-op". */
export function notLocalChainMessage(chainId: number | bigint, what: string): string {
  return (
    `Refusing to ${what} on chain ${chainId}: it is not a local development chain ` +
    `(only ${LOCAL_CHAIN_IDS.join(" and ")} are). Start the local co-op with \`npm start\`.`
  );
}

/** Throws with a message naming the chain unless `chainId` is a local development chain. */
export function assertLocalChain(chainId: number | bigint, what: string): void {
  if (!isLocalChain(chainId)) throw new Error(notLocalChainMessage(chainId, what));
}

import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { deploymentFile, parseDeployment, type Deployment } from "../../lib/deployment.ts";
import type { Coop } from "./deploy-coop.ts";

/** The repository root. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

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

/** Writes `deploy/addresses/<chainId>.json`; returns its path. */
export async function writeDeployment(deployment: Deployment, root = ROOT): Promise<string> {
  const path = join(root, deploymentFile(deployment.chainId));
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(deployment, null, 2)}\n`);
  return path;
}

/** Reads and checks `deploy/addresses/<chainId>.json`, with a clear error when it is missing. */
export async function readDeployment(chainId: number | bigint, root = ROOT): Promise<Deployment> {
  const path = join(root, deploymentFile(chainId));
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    throw new Error(
      `No co-op is deployed on chain ${chainId}: ${deploymentFile(chainId)} does not exist. Deploy one first.`,
    );
  }
  return parseDeployment(JSON.parse(text), deploymentFile(chainId));
}

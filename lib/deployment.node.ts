/** A co-op's addresses file (`deploy/addresses/<chainId>.json`) on disk: Node only. */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { deploymentFile, parseDeployment, type Deployment } from "./deployment.ts";

/** The repository root. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

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

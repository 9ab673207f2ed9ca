/**
 * Storage slots of a contract's state variables, from the compiler's storage layout: the build info's own
 * input (artifacts/build-info) compiled again by the same solc with only `storageLayout` selected, which takes
 * about a second because no code is generated. Used by tests that rewrite a contract's storage behind its back.
 * The build info is the one the contract's artifact names (`buildInfoId`): older builds may still lie beside it.
 */
import { readFile, readdir } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const require = createRequire(import.meta.url);

interface StorageEntry {
  label: string;
  slot: string;
  offset: number;
  type: string;
}

const layouts = new Map<string, Promise<Map<string, StorageEntry[]>>>();

/** The id of the build that produced `contract`'s artifact (under artifacts/contracts/). */
async function buildInfoIdOf(contract: string): Promise<string> {
  const dir = join(ROOT, "artifacts", "contracts");
  const files = await readdir(dir, { recursive: true });
  const file = files.find((f) => f.endsWith(`/${contract}.json`) || f === `${contract}.json`);
  if (file === undefined) throw new Error(`no artifact for ${contract} in artifacts/contracts: run npx hardhat build`);
  const artifact = JSON.parse(await readFile(join(dir, file), "utf8")) as { buildInfoId: string };
  return artifact.buildInfoId;
}

async function compileLayouts(buildInfoId: string): Promise<Map<string, StorageEntry[]>> {
  const file = join(ROOT, "artifacts", "build-info", `${buildInfoId}.json`);
  const buildInfo = JSON.parse(await readFile(file, "utf8")) as {
    input: { settings: { outputSelection: unknown } };
  };
  const input = {
    ...buildInfo.input,
    settings: { ...buildInfo.input.settings, outputSelection: { "*": { "*": ["storageLayout"] } } },
  };
  const solc = require("solc") as { compile(input: string): string };
  const output = JSON.parse(solc.compile(JSON.stringify(input))) as {
    contracts: Record<string, Record<string, { storageLayout: { storage: StorageEntry[] } }>>;
  };
  const result = new Map<string, StorageEntry[]>();
  for (const [path, contracts] of Object.entries(output.contracts)) {
    if (!path.startsWith("project/contracts/")) continue;
    for (const [name, c] of Object.entries(contracts)) result.set(name, c.storageLayout.storage);
  }
  return result;
}

/** The slot of state variable `variable` of contract `contract` (of contracts/). */
export async function storageSlot(contract: string, variable: string): Promise<bigint> {
  const id = await buildInfoIdOf(contract);
  if (!layouts.has(id)) layouts.set(id, compileLayouts(id));
  const storage = (await layouts.get(id)!).get(contract);
  if (storage === undefined) throw new Error(`no storage layout for ${contract}`);
  const entry = storage.find((e) => e.label === variable);
  if (entry === undefined) throw new Error(`${contract} has no state variable ${variable}`);
  return BigInt(entry.slot);
}

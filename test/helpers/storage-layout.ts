/**
 * Storage slots of a contract's state variables, from the compiler's storage layout: the build info's own
 * input (artifacts/build-info) compiled again by the same solc with only `storageLayout` selected, which takes
 * about a second because no code is generated. Used by tests that rewrite a contract's storage behind its back.
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

let layouts: Promise<Map<string, StorageEntry[]>> | null = null;

async function compileLayouts(): Promise<Map<string, StorageEntry[]>> {
  const dir = join(ROOT, "artifacts", "build-info");
  const file = (await readdir(dir)).find((f) => f.endsWith(".json") && !f.endsWith(".output.json"));
  if (file === undefined) throw new Error("no build info in artifacts/build-info: run npx hardhat build");
  const buildInfo = JSON.parse(await readFile(join(dir, file), "utf8")) as {
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
  layouts ??= compileLayouts();
  const storage = (await layouts).get(contract);
  if (storage === undefined) throw new Error(`no storage layout for ${contract}`);
  const entry = storage.find((e) => e.label === variable);
  if (entry === undefined) throw new Error(`${contract} has no state variable ${variable}`);
  return BigInt(entry.slot);
}

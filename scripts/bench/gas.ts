/**
 * Gas benchmark: Mutual against the OpenZeppelin Governor v5 a token DAO deploys, each operation against its
 * EVM floor, and how Mutual's costs behave at scale. Results: docs/performance.md.
 *
 *   npm run bench                                     # the table and the scale figures on stdout
 *   npm run bench -- --floors                         # ... and the floor arithmetic of every operation
 *   npm run --silent bench -- --json > gas.json       # everything as JSON on stdout (progress on stderr)
 *   npm run bench -- --check                          # fail (exit 1) if a row's Mutual gas rose > 1% over the snapshot
 *   npm run bench -- --update                         # rewrite the snapshot, scripts/bench/gas-snapshot.json
 *   npm run bench -- --chart docs/performance-chart.svg   # write the bar chart
 *
 * It runs on plain Node (`node scripts/bench/gas.ts`, which is what `npm run bench` does through the install
 * check of scripts/tools/bootstrap.mjs): it builds the contracts first, then starts an in-process Hardhat chain.
 *
 * Every measured operation is a real transaction, checked (it succeeded; a vote moved the tally by exactly
 * that vote), and its figure is `receipt.gasUsed` (the 21,000 base and the calldata included). Figures are
 * the same from run to run: fixed keys (derived from fixed strings), fixed ballot deadlines, the same
 * transactions in the same order on a fresh chain. Parts: compare.ts (the table), patronage.ts (the patronage
 * rows, Mutual only), floors.ts (the floors),
 * scale.ts (the scale section), report.ts (printing, snapshot, chart).
 */
import { readFile, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

import hre from "hardhat";

import { elapsedSeconds, progress } from "./chain.ts";
import { compareWithOpenZeppelin } from "./compare.ts";
import {
  chartSvg,
  compareWithSnapshot,
  formatFloor,
  formatRows,
  formatScale,
  gas,
  snapshotOf,
  type Snapshot,
} from "./report.ts";
import { measurePatronage } from "./patronage.ts";
import { measureScale } from "./scale.ts";

const SNAPSHOT = join(dirname(fileURLToPath(import.meta.url)), "gas-snapshot.json");
const USAGE = `usage: npm run bench [-- [--json] [--floors] [--check | --update] [--chart <file.svg>]]

  --json           print the rows, floors and scale figures as JSON on stdout (progress stays on stderr)
  --floors         print the floor arithmetic of every operation after the table
  --check          compare each row's Mutual gas with scripts/bench/gas-snapshot.json; exit 1 if one rose > 1%
  --update         rewrite scripts/bench/gas-snapshot.json with this run's figures
  --chart <file>   write an SVG bar chart of the table to <file>`;

let args;
try {
  args = parseArgs({
    options: {
      json: { type: "boolean", default: false },
      floors: { type: "boolean", default: false },
      check: { type: "boolean", default: false },
      update: { type: "boolean", default: false },
      chart: { type: "string" },
      help: { type: "boolean", default: false },
    },
    strict: true,
    allowPositionals: false,
  }).values;
} catch (error) {
  console.error(`${(error as Error).message}\n${USAGE}`);
  process.exit(2);
}
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
if (args.check && args.update) {
  console.error(`--check and --update exclude each other\n${USAGE}`);
  process.exit(2);
}

/** Where messages about the snapshot and the chart go: stdout, unless stdout carries JSON. */
const say = args.json ? (text: string) => console.error(text) : (text: string) => console.log(text);

try {
  progress("building the contracts");
  // The build may report what it compiled on stdout: keep stdout for the result alone.
  const stdoutWrite = process.stdout.write;
  process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
  try {
    await hre.tasks.getTask("build").run({ quiet: true });
  } finally {
    process.stdout.write = stdoutWrite;
  }

  const connection = await hre.network.create();
  const chainId = (await connection.ethers.provider.getNetwork()).chainId;
  const hardfork = "hardfork" in connection.networkConfig ? String(connection.networkConfig.hardfork) : "unknown";
  progress(`network ${connection.networkName} (in-process, chain ${chainId}, hardfork ${hardfork})`);

  const comparison = await compareWithOpenZeppelin(connection);
  const patronage = await measurePatronage(connection);
  const scale = await measureScale(connection);
  // Every row is guarded by the snapshot; the chart compares with OpenZeppelin, so it shows the governance rows.
  const rows = [...comparison.rows, ...patronage.rows];
  const floors = [...comparison.floors, ...patronage.floors];
  progress(`done in ${elapsedSeconds().toFixed(0)}s`);

  if (args.json) {
    console.log(JSON.stringify({ hardfork, rows, floors, scale }, null, 2));
  } else {
    console.log(
      `\nGas used per transaction (receipt.gasUsed, including the 21,000 base and calldata); hardfork ${hardfork}`,
    );
    console.log(
      `OpenZeppelin admission: ERC20Votes mint ${gas(comparison.erc20Mint)} + delegate ${gas(comparison.erc20Delegate)}; ` +
        `ERC721Votes mint ${gas(comparison.erc721Mint)} + delegate ${gas(comparison.erc721Delegate)}`,
    );
    console.log(`EVM floor: 21,000 + calldata + the storage writes and logs the operation cannot avoid (--floors)\n`);
    console.log(formatRows(comparison.rows));
    console.log(
      `\nPatronage (Mutual only: OpenZeppelin has no counterpart; scripts/bench/patronage.ts, docs/patronage.md)\n`,
    );
    console.log(formatRows(patronage.rows));
    if (args.floors) {
      console.log(`\nFloors (scripts/bench/floors.ts)\n`);
      console.log(floors.map(formatFloor).join("\n\n"));
    }
    console.log(`\n${formatScale(scale)}`);
  }

  if (args.chart !== undefined) {
    const file = resolve(process.cwd(), args.chart);
    await writeFile(file, chartSvg(comparison.rows, "Mutual vs OpenZeppelin Governor v5 vs the EVM floor (gas)"));
    say(`\nchart written to ${args.chart}`);
  }

  if (args.update) {
    await writeFile(SNAPSHOT, `${JSON.stringify(snapshotOf(rows), null, 2)}\n`);
    say(`\nsnapshot written: scripts/bench/gas-snapshot.json (${rows.length} rows)`);
  } else if (args.check) {
    let snapshot: Snapshot;
    try {
      snapshot = JSON.parse(await readFile(SNAPSHOT, "utf8")) as Snapshot;
    } catch (error) {
      throw new Error(
        `cannot read the snapshot scripts/bench/gas-snapshot.json (${(error as Error).message}); create it with --update`,
      );
    }
    const result = compareWithSnapshot(rows, snapshot);
    say(`\n${result.lines.join("\n")}`);
    if (!result.ok) process.exitCode = 1;
  }
} catch (error) {
  console.error(`\nbenchmark failed: ${(error as Error).stack ?? (error as Error).message}`);
  process.exitCode = 1;
}

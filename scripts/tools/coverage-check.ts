/**
 * Checks contract coverage against a floor, after `npx hardhat test --coverage`.
 *
 *   node scripts/tools/coverage-check.ts [--floor 95] [--dir coverage] [--root .] [--branches]
 *
 * Reads Hardhat's report (coverage/lcov.info for lines, coverage/data/ for the statement hits that branch
 * coverage is derived from: see scripts/tools/coverage.ts), counts the files under contracts/ except
 * contracts/mocks/ (test doubles and the benchmark-only OpenZeppelin reference), prints a per-file table and
 * the totals, and exits 1 naming every file whose line or branch coverage is under the floor (2 when the
 * report is missing or does not match the sources). `--branches` also lists every branch with the evidence
 * for it; `--root` names another project root (the sources are read from it; the default is this repository).
 */
import { dirname, join, resolve } from "node:path";
import { exit } from "node:process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

import { belowFloor, CoverageError, formatTable, lineRanges, loadCoverage } from "./coverage.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const INCLUDE = ["contracts/"];
const EXCLUDE = ["contracts/mocks/"];

const USAGE =
  "usage: node scripts/tools/coverage-check.ts [--floor PERCENT] [--dir COVERAGE_DIR] [--root PROJECT_ROOT] [--branches]";

let floor: number;
let root: string;
let dir: string;
let listBranches: boolean;
try {
  const { values } = parseArgs({
    options: {
      floor: { type: "string", default: "95" },
      root: { type: "string", default: ROOT },
      dir: { type: "string" },
      branches: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    exit(0);
  }
  floor = Number(values.floor);
  if (values.floor.trim() === "" || !Number.isFinite(floor) || floor < 0 || floor > 100) {
    throw new Error(`--floor must be a percentage from 0 to 100, got "${values.floor}"`);
  }
  root = resolve(values.root);
  dir = resolve(values.dir ?? join(root, "coverage"));
  listBranches = values.branches;
} catch (error) {
  console.error(`coverage-check: ${(error as Error).message}\n${USAGE}`);
  exit(2);
}

try {
  const files = await loadCoverage({ root, dir, include: INCLUDE, exclude: EXCLUDE });
  console.log(
    `\nContract coverage (${INCLUDE.join(", ")} without ${EXCLUDE.join(", ")}; branches: both sides of every if)\n`,
  );
  console.log(formatTable(files, floor));

  if (listBranches) {
    console.log("\nBranches:");
    for (const f of files) {
      console.log(`  ${f.path}`);
      for (const b of [...f.branches, ...f.unmeasured].sort((x, y) => x.line - y.line)) {
        const mark = f.unmeasured.includes(b) ? "n/a" : b.taken ? "yes" : "NO ";
        console.log(`    ${mark}  line ${b.line}: ${b.label} (${b.evidence})`);
      }
    }
  }

  const details = files.filter((f) => f.uncoveredLines.length > 0 || f.branches.some((b) => !b.taken));
  if (details.length > 0) {
    console.log("\nNot covered:");
    for (const f of details) {
      console.log(`  ${f.path}`);
      if (f.uncoveredLines.length > 0) console.log(`    lines ${lineRanges(f.uncoveredLines)}`);
      for (const b of f.branches.filter((x) => !x.taken)) console.log(`    line ${b.line}: ${b.label} (${b.evidence})`);
    }
  }
  const unmeasured = files.reduce((n, f) => n + f.unmeasured.length, 0);
  if (unmeasured > 0) {
    console.log(
      `\nNot measured: ${unmeasured} branches of ?: expressions (EDR instruments statements, not expressions; --branches lists them).`,
    );
  }

  const failures = belowFloor(files, floor);
  if (failures.length > 0) {
    console.error(`\ncoverage-check: FAILED: ${failures.length} file(s) under the ${floor}% floor:`);
    for (const f of failures) console.error(`  ${f.path}: ${f.reasons.join(", ")}`);
    exit(1);
  }
  console.log(`\ncoverage-check: every contract is at or above ${floor}% line and branch coverage.`);
} catch (error) {
  if (!(error instanceof CoverageError)) throw error;
  console.error(`coverage-check: ${error.message}`);
  exit(2);
}

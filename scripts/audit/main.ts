/**
 * The auditor's tool: rebuilds a co-op's whole history from its events and checks it against the chain.
 *
 *   npm run audit -- --rpc <url> --deployment <file> [--out <dir>] [--to-block <n>] [--quiet]
 *
 * Exit codes: 0 everything matches; 1 mismatches or events that contradict the rules (all listed);
 * 2 bad input (arguments, an unreachable node, a deployment file for another chain); 3 the history could
 * not be read whole (a gap, an overlap, logs out of order, a reorganisation), so nothing was concluded.
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { parseArgs } from "node:util";

import { formatEther } from "ethers";

import { parseDeployment, type Deployment } from "../../lib/deployment.ts";
import { IncompleteHistoryError } from "../../lib/replay/stream.ts";
import type { PatronageView } from "../../lib/replay/view.ts";
import { ROOT } from "../../lib/deployment.node.ts";
import { AuditInputError, loadCoopAbis, runAudit, type AuditResult } from "./run.ts";

const USAGE = `usage: npm run audit -- --rpc <url> --deployment <file> [--out <dir>] [--to-block <n>] [--quiet]

  --rpc <url>          JSON-RPC endpoint of the chain (http or https)
  --deployment <file>  the co-op's addresses file, e.g. deploy/addresses/31337.json
  --out <dir>          report folder (default: audit-report)
  --to-block <n>       audit up to block n instead of the head
  --quiet              no progress bar`;

function fail(message: string, code: number): never {
  console.error(`audit: ${message}`);
  process.exit(code);
}

let args;
try {
  args = parseArgs({
    options: {
      rpc: { type: "string" },
      deployment: { type: "string" },
      out: { type: "string", default: "audit-report" },
      "to-block": { type: "string" },
      quiet: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
    strict: true,
  }).values;
} catch (error) {
  fail(`${(error as Error).message}\n${USAGE}`, 2);
}
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
if (args.rpc === undefined) fail(`--rpc is required\n${USAGE}`, 2);
if (args.deployment === undefined) fail(`--deployment is required\n${USAGE}`, 2);
let rpcUrl: URL;
try {
  rpcUrl = new URL(args.rpc);
} catch {
  fail(`--rpc must be an http(s) URL, got "${args.rpc}"`, 2);
}
if (rpcUrl.protocol !== "http:" && rpcUrl.protocol !== "https:") {
  fail(`--rpc must be an http(s) URL, got "${args.rpc}"`, 2);
}
let toBlock: number | undefined;
if (args["to-block"] !== undefined) {
  toBlock = Number(args["to-block"]);
  if (!/^\d+$/.test(args["to-block"]) || !Number.isSafeInteger(toBlock)) {
    fail(`--to-block must be a block number, got "${args["to-block"]}"`, 2);
  }
}

let deployment: Deployment;
try {
  const text = await readFile(args.deployment, "utf8").catch(() =>
    fail(`cannot read the deployment file ${args.deployment}`, 2),
  );
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    fail(`${args.deployment} is not JSON`, 2);
  }
  deployment = parseDeployment(json, args.deployment);
} catch (error) {
  fail((error as Error).message, 2);
}

const tty = process.stderr.isTTY === true;
let lastShown = -1;
const onProgress = args.quiet
  ? undefined
  : (line: string) => {
      if (tty) process.stderr.write(`\r${line}`);
      else {
        // Without a terminal, one line per quarter of the way.
        const pct = Number(/(\d+)%/.exec(line)?.[1] ?? 0);
        const step = Math.floor(pct / 25);
        if (step > lastShown) {
          lastShown = step;
          process.stderr.write(`${line}\n`);
        }
      }
    };

let result: AuditResult;
const started = Date.now();
try {
  result = await runAudit({
    rpcUrl: rpcUrl.toString(),
    deployment,
    abis: await loadCoopAbis(ROOT),
    outDir: resolve(args.out),
    toBlock,
    onProgress,
  });
  if (tty && onProgress) process.stderr.write("\n");
} catch (error) {
  if (tty && onProgress) process.stderr.write("\n");
  if (error instanceof AuditInputError) fail(error.message, 2);
  if (error instanceof IncompleteHistoryError) fail(`refusing to audit an incomplete history: ${error.message}`, 3);
  fail((error as Error).message, 2);
}

const v = result.view;
function patronageLine(p: PatronageView | null): string {
  if (p === null) return "no contribution ledger in this deployment";
  const finalized = p.periods.filter((q) => q.finalized).length;
  const claims = p.pots.reduce((n, pot) => n + pot.shares.filter((s) => s.claim !== null).length, 0);
  return `${p.entries.length} entries in ${p.periods.length} period(s), ${finalized} finalized; ${p.pots.length} pot(s), ${claims} claim(s)`;
}
const seconds = ((Date.now() - started) / 1000).toFixed(1);
console.log(`Audit of ${deployment.name} on chain ${result.chainId}, blocks ${deployment.deployBlock}..${result.head.blockNumber} (${seconds}s)
  events replayed     ${v.events}
  members             ${v.memberCount} now, ${v.cardsIssued} cards issued, ${v.members.length} addresses
  proposals           ${v.proposals.length} (${Object.entries(
    v.proposals.reduce<Record<string, number>>((n, p) => ({ ...n, [p.state]: (n[p.state] ?? 0) + 1 }), {}),
  )
    .map(([state, n]) => `${n} ${state}`)
    .join(", ")})
  votes               ${v.proposals.reduce((n, p) => n + p.receipts.reduce((m, r) => m + r.ballots, 0), 0)} counted, ${v.skippedBallots} ballots skipped
  credits             ${v.heldDeposits} held as deposits, ${v.burnedDeposits} destroyed with deposits
  treasury            ${formatEther(v.treasury.paidOut)} ETH paid out, ${formatEther(result.treasury.closing)} ETH now
  patronage           ${patronageLine(v.patronage)}
  checks at head      ${result.checks.head} (${result.checks.patronage} of them on patronage)
  checks earlier      ${result.historical.unavailable ? "node keeps no historical state" : `${result.checks.historical} at blocks ${result.historical.blocks.join(", ") || "none"}`}
  report              ${result.reportDir}`);
if (result.ok) {
  console.log("\nPASS: every figure rebuilt from events matches the chain.");
  process.exit(0);
}
console.log(
  `\nFAIL: ${result.mismatches.length} mismatch(es), ${result.findings.length} event(s) contradicting the rules`,
);
for (const m of result.mismatches)
  console.log(`  MISMATCH ${m.subject} at block ${m.block}: rebuilt ${m.rebuilt}, chain ${m.chain}`);
for (const f of result.findings) console.log(`  FINDING  block ${f.blockNumber} log ${f.logIndex}: ${f.message}`);
process.exit(1);

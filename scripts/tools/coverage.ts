/**
 * Contract coverage from what `hardhat test --coverage` (Hardhat 3.18) leaves in `coverage/`:
 *
 * - `coverage/lcov.info`: line coverage only (`DA`, `LF`, `LH`). Hardhat writes no branch records
 *   (`BRDA`/`BRF`/`BRH`): EDR instruments statements, not branches.
 * - `coverage/data/<runner>/<uuid>.json`: the raw hits, `{ "<statement tag, hex>": <count> }`, one file per
 *   test runner (`solidity`, `mocha`). A count is the number of hit reports (calls, transactions, test runs)
 *   in which the statement ran at least once.
 *
 * Branch coverage is derived here from those hits: EDR's public `addStatementCoverageInstrumentation` gives,
 * for a source and its source name (`project/<path>`, as Hardhat passes it), the same statement tags and
 * ranges Hardhat recorded; solc-js parses the same source into an AST that says where the branches are. Each
 * `if` has two branches, "then" and "else" (written or not):
 *
 * - then: a statement inside the then-body ran;
 * - written else: a statement inside the else-body ran (for `else if`, the inner `if` itself);
 * - implicit else (no `else`): proven taken when some hit report ran the `if` but nothing in its then-body
 *   (`hits(if) > hits(then)`), or when the then-body always leaves the block (revert, return, break,
 *   continue) and the statement after the `if` ran. Without such proof it counts as not taken.
 *
 * The ternary operator (`c ? a : b`) is a branch too, but its sides are expressions, which EDR does not
 * instrument: such branches are counted and reported as not measured, never as covered or uncovered.
 *
 * When a future Hardhat writes `BRDA` records into lcov.info, those are used instead.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";

const require = createRequire(import.meta.url);
/** Requires from Hardhat's own location, so that EDR is the copy Hardhat instrumented the run with. */
const requireFromHardhat = createRequire(import.meta.resolve("hardhat"));

// ------------------------------------------------------------------------------------------------
// lcov
// ------------------------------------------------------------------------------------------------

/** One `BRDA` record. */
export interface LcovBranch {
  line: number;
  block: string;
  branch: string;
  /** Times taken; 0 for `-` (never evaluated). */
  taken: number;
}

/** One `SF` section of an lcov tracefile. */
export interface LcovFile {
  /** Path as written after `SF:`, with `/` separators. */
  path: string;
  /** Line number → execution count, from `DA` records. */
  lines: Map<number, number>;
  /** `BRDA` records; undefined when the section has none (Hardhat 3.18 writes none). */
  branches: LcovBranch[] | undefined;
}

export class CoverageError extends Error {}

/** Parses an lcov tracefile. Throws a CoverageError on a malformed record. */
export function parseLcov(text: string): Map<string, LcovFile> {
  const files = new Map<string, LcovFile>();
  let current: LcovFile | undefined;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === "" || line.startsWith("TN:")) continue;
    const colon = line.indexOf(":");
    const key = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? "" : line.slice(colon + 1);
    const where = `lcov line ${i + 1}`;
    if (key === "SF") {
      const path = value.replaceAll("\\", "/");
      current = { path, lines: new Map(), branches: undefined };
      files.set(path, current);
      continue;
    }
    if (key === "end_of_record") {
      current = undefined;
      continue;
    }
    if (current === undefined) throw new CoverageError(`${where}: "${line}" outside an SF section`);
    if (key === "DA") {
      const [lineNo, count] = value.split(",");
      current.lines.set(toInt(lineNo, where), (current.lines.get(toInt(lineNo, where)) ?? 0) + toInt(count, where));
    } else if (key === "BRDA") {
      const [lineNo, block, branch, taken] = value.split(",");
      if (branch === undefined || taken === undefined) throw new CoverageError(`${where}: malformed BRDA "${value}"`);
      current.branches ??= [];
      current.branches.push({
        line: toInt(lineNo, where),
        block,
        branch,
        taken: taken === "-" ? 0 : toInt(taken, where),
      });
    }
    // LF/LH/BRF/BRH/FN/FNDA/FNF/FNH are summaries or function data: recomputed or unused.
  }
  return files;
}

function toInt(text: string | undefined, where: string): number {
  const n = Number(text);
  if (text === undefined || text.trim() === "" || !Number.isInteger(n) || n < 0) {
    throw new CoverageError(`${where}: expected a non-negative integer, got "${text}"`);
  }
  return n;
}

// ------------------------------------------------------------------------------------------------
// Branches from statement hits
// ------------------------------------------------------------------------------------------------

/** An instrumented statement: its range in the original source (UTF-16 offsets) and its hit count. */
export interface HitStatement {
  start: number;
  end: number;
  hits: number;
}

/** One side of a branch point. */
export interface Branch {
  line: number;
  /** What the branch is, e.g. `if (amount == 0): else (implicit)`. */
  label: string;
  taken: boolean;
  /** Why it counts as taken or not. */
  evidence: string;
}

export interface BranchAnalysis {
  branches: Branch[];
  /** Branches that exist but cannot be measured from statement hits (both sides of each `?:`). */
  unmeasured: Branch[];
}

/** The parts of a solc AST node this module reads. */
export interface AstNode {
  nodeType: string;
  src: string;
  [key: string]: unknown;
}

/**
 * Finds the branches of one source and whether each was taken.
 *
 * @param source The source text, exactly as instrumented.
 * @param ast Its solc AST (`stopAfter: "parsing"` is enough); `src` offsets are UTF-8 byte offsets.
 * @param statements The statements EDR instrumented, with their hit counts.
 */
export function analyseBranches(source: string, ast: AstNode, statements: HitStatement[]): BranchAnalysis {
  const toUtf16 = byteToUtf16(source);
  const lineOf = lineFinder(source);
  const range = (node: AstNode) => {
    const [start, length] = node.src.split(":").map(Number);
    return { start: toUtf16(start), end: toUtf16(start + length) };
  };

  // Map each AST statement node to the EDR statement that starts where it starts. EDR's ranges include the
  // whitespace and comments before a statement, so compare starts once those are skipped.
  const hitsAt = new Map<number, number>();
  for (const s of statements) {
    const start = skipTrivia(source, s.start, s.end);
    hitsAt.set(start, Math.max(hitsAt.get(start) ?? 0, s.hits));
  }
  const instrumented = (node: AstNode) => hitsAt.get(range(node).start);
  /** Hits of the most-run instrumented statement within `node` (itself included), or undefined if none. */
  const hitsWithin = (node: AstNode | null | undefined): number | undefined => {
    if (node === null || node === undefined) return undefined;
    let best: number | undefined;
    for (const n of walk(node)) {
      if (!isStatement(n)) continue;
      const h = instrumented(n);
      if (h !== undefined) best = Math.max(best ?? 0, h);
    }
    return best;
  };

  const branches: Branch[] = [];
  const unmeasured: Branch[] = [];
  const parents = new Map<AstNode, AstNode>();
  for (const node of walk(ast, parents)) {
    if (node.nodeType === "Conditional") {
      const { start, end } = range(node.condition as AstNode);
      const text = `${oneLine(source.slice(start, end))} ? … : …`;
      const line = lineOf(range(node).start);
      const evidence = "not measured: EDR does not instrument expressions";
      unmeasured.push(
        { line, label: `${text}: true side`, taken: false, evidence },
        { line, label: `${text}: false side`, taken: false, evidence },
      );
      continue;
    }
    if (node.nodeType !== "IfStatement") continue;
    const { start, end } = range(node.condition as AstNode);
    const text = `if (${oneLine(source.slice(start, end))})`;
    const line = lineOf(range(node).start);
    const ifHits = instrumented(node) ?? hitsWithin(node) ?? 0;
    const trueBody = node.trueBody as AstNode;
    const falseBody = node.falseBody as AstNode | null | undefined;
    const thenHits = hitsWithin(trueBody);
    branches.push({
      line,
      label: `${text}: then`,
      taken: (thenHits ?? 0) > 0,
      evidence:
        thenHits === undefined
          ? "then-body has no instrumented statement"
          : `then-body ran in ${thenHits} hit report(s)`,
    });
    if (falseBody !== null && falseBody !== undefined) {
      const elseHits = hitsWithin(falseBody);
      branches.push({
        line,
        label: `${text}: else`,
        taken: (elseHits ?? 0) > 0,
        evidence:
          elseHits === undefined
            ? "else-body has no instrumented statement"
            : `else-body ran in ${elseHits} hit report(s)`,
      });
      continue;
    }
    const label = `${text}: else (implicit)`;
    if (thenHits !== undefined && ifHits > thenHits) {
      branches.push({
        line,
        label,
        taken: true,
        evidence: `the if ran in ${ifHits} hit report(s), its then-body in ${thenHits}`,
      });
      continue;
    }
    const after = continuation(node, parents);
    const afterHits = after === undefined ? 0 : (hitsWithin(after) ?? 0);
    if (afterHits > 0) {
      branches.push({
        line,
        label,
        taken: true,
        evidence: `the then-body always leaves and the next statement ran in ${afterHits} hit report(s)`,
      });
      continue;
    }
    const why =
      ifHits === 0
        ? "not taken: the if never ran"
        : after !== undefined
          ? "not taken: the then-body always leaves and the next statement never ran"
          : alwaysLeaves(trueBody)
            ? "not proven: the then-body always leaves but nothing follows the if to show the else ran"
            : "not proven: every hit report that ran the if also ran its then-body (the else may still have run in one of them)";
    branches.push({ line, label, taken: false, evidence: why });
  }
  branches.sort((a, b) => a.line - b.line);
  unmeasured.sort((a, b) => a.line - b.line);
  return { branches, unmeasured };
}

/**
 * The statement that runs next only when the `if` takes its implicit else, or undefined when there is none:
 * its next sibling in a block, if its then-body always leaves the block. An `else if` without an else
 * continues where the outer `if` does, under the same condition for the outer then-body.
 */
function continuation(ifNode: AstNode, parents: Map<AstNode, AstNode>): AstNode | undefined {
  if (!alwaysLeaves(ifNode.trueBody as AstNode)) return undefined;
  const parent = parents.get(ifNode);
  if (parent === undefined) return undefined;
  if (parent.nodeType === "Block" || parent.nodeType === "UncheckedBlock") {
    const siblings = parent.statements as AstNode[];
    return siblings[siblings.indexOf(ifNode) + 1];
  }
  if (parent.nodeType === "IfStatement" && parent.falseBody === ifNode) return continuation(parent, parents);
  return undefined;
}

/** Whether every path through `node` leaves the enclosing block: revert, return, break or continue. */
export function alwaysLeaves(node: AstNode | null | undefined): boolean {
  if (node === null || node === undefined) return false;
  switch (node.nodeType) {
    case "Return":
    case "RevertStatement":
    case "Break":
    case "Continue":
      return true;
    case "ExpressionStatement": {
      const call = node.expression as AstNode;
      const callee = call.nodeType === "FunctionCall" ? (call.expression as AstNode) : undefined;
      return callee?.nodeType === "Identifier" && callee.name === "revert";
    }
    case "Block":
    case "UncheckedBlock":
      return (node.statements as AstNode[]).some((s) => alwaysLeaves(s));
    case "IfStatement":
      return alwaysLeaves(node.trueBody as AstNode) && alwaysLeaves(node.falseBody as AstNode | null);
    default:
      return false;
  }
}

/** Statement nodes: `*Statement` (if, for, while, emit, revert, expression, ...) and the few named otherwise. */
function isStatement(node: AstNode): boolean {
  return (
    node.nodeType.endsWith("Statement") ||
    ["Block", "UncheckedBlock", "Return", "Break", "Continue", "InlineAssembly"].includes(node.nodeType)
  );
}

/** Every node of the tree under `root` (root included), depth first; records parents if asked. */
function* walk(root: AstNode, parents?: Map<AstNode, AstNode>): Generator<AstNode> {
  const stack: AstNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    yield node;
    for (const value of Object.values(node)) {
      const children = Array.isArray(value) ? value : [value];
      for (const child of children) {
        if (child !== null && typeof child === "object" && typeof (child as AstNode).nodeType === "string") {
          parents?.set(child as AstNode, node);
          stack.push(child as AstNode);
        }
      }
    }
  }
}

/** Skips whitespace and comments from `start`, not past `end`. */
export function skipTrivia(source: string, start: number, end: number): number {
  let i = start;
  while (i < end) {
    if (/\s/.test(source[i])) i++;
    else if (source.startsWith("//", i)) {
      const nl = source.indexOf("\n", i);
      i = nl === -1 ? end : nl + 1;
    } else if (source.startsWith("/*", i)) {
      const close = source.indexOf("*/", i + 2);
      i = close === -1 ? end : close + 2;
    } else break;
  }
  return Math.min(i, end);
}

/** Converts solc's UTF-8 byte offsets to UTF-16 offsets (string indices) of `source`. */
function byteToUtf16(source: string): (byte: number) => number {
  if (!/[^\x00-\x7f]/.test(source)) return (byte) => byte;
  const map: number[] = [];
  let units = 0;
  for (const ch of source) {
    const bytes = Buffer.byteLength(ch, "utf8");
    for (let b = 0; b < bytes; b++) map.push(units);
    units += ch.length;
  }
  map.push(units);
  return (byte) => map[Math.min(byte, map.length - 1)];
}

function lineFinder(source: string): (offset: number) => number {
  const starts = [0];
  for (let i = 0; i < source.length; i++) if (source[i] === "\n") starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > 60 ? `${flat.slice(0, 57)}…` : flat;
}

// ------------------------------------------------------------------------------------------------
// Per-file results and the floor
// ------------------------------------------------------------------------------------------------

export interface FileCoverage {
  path: string;
  linesFound: number;
  linesHit: number;
  uncoveredLines: number[];
  branchesFound: number;
  branchesHit: number;
  /** Every measured branch, taken or not, with its evidence. */
  branches: Branch[];
  /** Branches that exist but cannot be measured (both sides of each `?:`, when derived from statement hits). */
  unmeasured: Branch[];
}

export interface Totals {
  linesFound: number;
  linesHit: number;
  branchesFound: number;
  branchesHit: number;
}

/** Percentage, or undefined when there is nothing to cover. */
export function percent(hit: number, found: number): number | undefined {
  return found === 0 ? undefined : (hit * 100) / found;
}

/** The files whose line or branch coverage is under `floor` percent, each with the reasons. */
export function belowFloor(files: FileCoverage[], floor: number): { path: string; reasons: string[] }[] {
  const failures: { path: string; reasons: string[] }[] = [];
  for (const f of files) {
    const reasons: string[] = [];
    // hit / found < floor / 100, compared without rounding.
    if (f.linesFound > 0 && f.linesHit * 100 < floor * f.linesFound) {
      reasons.push(`lines ${fmt(percent(f.linesHit, f.linesFound))}% (${f.linesHit}/${f.linesFound})`);
    }
    if (f.branchesFound > 0 && f.branchesHit * 100 < floor * f.branchesFound) {
      reasons.push(`branches ${fmt(percent(f.branchesHit, f.branchesFound))}% (${f.branchesHit}/${f.branchesFound})`);
    }
    if (reasons.length > 0) failures.push({ path: f.path, reasons });
  }
  return failures;
}

function countBranches(branches: Branch[]): { branchesFound: number; branchesHit: number } {
  return { branchesFound: branches.length, branchesHit: branches.filter((b) => b.taken).length };
}

export function totals(files: FileCoverage[]): Totals {
  const t: Totals = { linesFound: 0, linesHit: 0, branchesFound: 0, branchesHit: 0 };
  for (const f of files) {
    t.linesFound += f.linesFound;
    t.linesHit += f.linesHit;
    t.branchesFound += f.branchesFound;
    t.branchesHit += f.branchesHit;
  }
  return t;
}

/** Whether `path` is counted: under one of `include`, under none of `exclude` (directory prefixes). */
export function isCounted(path: string, include: string[], exclude: string[]): boolean {
  const under = (dir: string) => path.startsWith(dir.endsWith("/") ? dir : `${dir}/`);
  return include.some(under) && !exclude.some(under);
}

/** Two decimals, rounded down so that 94.999 never prints as 95.00. */
export function fmt(value: number | undefined): string {
  return value === undefined ? "-" : (Math.floor(value * 100 + 1e-9) / 100).toFixed(2);
}

/** The per-file table and the totals, as text. */
export function formatTable(files: FileCoverage[], floor: number): string {
  const rows = files.map((f) => [
    f.path,
    `${f.linesHit}/${f.linesFound}`,
    fmt(percent(f.linesHit, f.linesFound)),
    `${f.branchesHit}/${f.branchesFound}`,
    fmt(percent(f.branchesHit, f.branchesFound)),
    belowFloor([f], floor).length > 0 ? "BELOW FLOOR" : "ok",
  ]);
  const t = totals(files);
  const header = ["File", "Lines", "Line %", "Branches", "Branch %", `Floor ${floor}%`];
  const total = [
    "Total",
    `${t.linesHit}/${t.linesFound}`,
    fmt(percent(t.linesHit, t.linesFound)),
    `${t.branchesHit}/${t.branchesFound}`,
    fmt(percent(t.branchesHit, t.branchesFound)),
    "",
  ];
  const all = [header, ...rows, total];
  const widths = header.map((_, c) => Math.max(...all.map((r) => r[c].length)));
  const render = (r: string[]) =>
    r
      .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
      .join("  ")
      .trimEnd();
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  return [render(header), rule, ...rows.map(render), rule, render(total)].join("\n");
}

/** Compresses sorted line numbers into ranges: 3, 5-7, 10. */
export function lineRanges(lines: number[]): string {
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    let j = i;
    while (j + 1 < lines.length && lines[j + 1] === lines[j] + 1) j++;
    out.push(i === j ? `${lines[i]}` : `${lines[i]}-${lines[j]}`);
    i = j;
  }
  return out.join(", ");
}

// ------------------------------------------------------------------------------------------------
// Loading what Hardhat wrote
// ------------------------------------------------------------------------------------------------

export interface LoadOptions {
  /** The project root: lcov paths are relative to it. */
  root: string;
  /** The coverage directory (Hardhat: `<root>/coverage`). */
  dir: string;
  include: string[];
  exclude: string[];
  /** Hit data older than lcov.info by more than this is refused as left over from another run. */
  maxDataAgeMs?: number;
}

/** Sums the hit counts of every `<dir>/data/<runner>/*.json`. */
export async function readHits(dir: string, lcovTime: number, maxAgeMs: number): Promise<Map<string, number>> {
  const hits = new Map<string, number>();
  const dataDir = join(dir, "data");
  let runners: string[];
  try {
    runners = await readdir(dataDir);
  } catch {
    throw new CoverageError(`no hit data in ${dataDir}: run \`npx hardhat test --coverage\` first`);
  }
  for (const runner of runners) {
    const runnerDir = join(dataDir, runner);
    if (!(await stat(runnerDir)).isDirectory()) continue;
    for (const name of await readdir(runnerDir)) {
      if (!name.endsWith(".json")) continue;
      const file = join(runnerDir, name);
      const age = lcovTime - (await stat(file)).mtimeMs;
      if (age > maxAgeMs) {
        throw new CoverageError(
          `${file} is ${Math.round(age / 60_000)} min older than lcov.info: it is left over from an earlier run ` +
            "(a run of one test runner only keeps the other's old data). Run `npx hardhat test --coverage` " +
            "(all runners) again.",
        );
      }
      const entries = JSON.parse(await readFile(file, "utf8")) as Record<string, number>;
      for (const [tag, count] of Object.entries(entries)) hits.set(tag, (hits.get(tag) ?? 0) + count);
    }
  }
  return hits;
}

/** Parses sources into solc ASTs (parsing only: no imports are resolved, nothing is compiled). */
export function parseSources(sources: Record<string, string>): Record<string, AstNode> {
  const solc = require("solc") as { compile(input: string, callbacks?: object): string };
  const input = {
    language: "Solidity",
    sources: Object.fromEntries(Object.entries(sources).map(([name, content]) => [name, { content }])),
    settings: { stopAfter: "parsing", outputSelection: { "*": { "": ["ast"] } } },
  };
  const output = JSON.parse(
    solc.compile(JSON.stringify(input), { import: () => ({ error: "not needed for parsing" }) }),
  ) as {
    errors?: { severity: string; formattedMessage: string }[];
    sources?: Record<string, { ast: AstNode }>;
  };
  const errors = (output.errors ?? []).filter((e) => e.severity === "error");
  if (errors.length > 0)
    throw new CoverageError(`solc could not parse the sources:\n${errors.map((e) => e.formattedMessage).join("\n")}`);
  return Object.fromEntries(Object.entries(output.sources ?? {}).map(([name, s]) => [name, s.ast]));
}

/** A statement EDR instruments: its tag (hex, as in the hit data) and its range (UTF-16 offsets). */
export interface TaggedStatement {
  tag: string;
  start: number;
  end: number;
}

/**
 * The statements EDR instruments in `source` under Hardhat's source name for a project file (`project/<path>`):
 * the same tags Hardhat recorded, as long as the source has not changed since.
 */
export function statementTags(path: string, source: string): TaggedStatement[] {
  const edr = requireFromHardhat("@nomicfoundation/edr") as {
    addStatementCoverageInstrumentation(
      source: string,
      sourceId: string,
      solidityVersion: string,
    ): { metadata: { kind: string; tag: Uint8Array; startUtf16: number; endUtf16: number }[] };
    latestSupportedSolidityVersion(): string;
  };
  // The version only picks EDR's parser; the tags depend on the source name and text.
  const { metadata } = edr.addStatementCoverageInstrumentation(
    source,
    `project/${path}`,
    edr.latestSupportedSolidityVersion(),
  );
  return metadata
    .filter((m) => m.kind === "statement")
    .map((m) => ({ tag: Buffer.from(m.tag).toString("hex"), start: m.startUtf16, end: m.endUtf16 }));
}

/** The statements of `source` with their hit counts. */
export function instrumentedStatements(path: string, source: string, hits: Map<string, number>): HitStatement[] {
  return statementTags(path, source).map((s) => ({ start: s.start, end: s.end, hits: hits.get(s.tag) ?? 0 }));
}

/** Reads Hardhat's coverage output and computes line and branch coverage of the counted files. */
export async function loadCoverage(options: LoadOptions): Promise<FileCoverage[]> {
  const lcovPath = join(options.dir, "lcov.info");
  let lcovText: string;
  let lcovTime: number;
  try {
    lcovText = await readFile(lcovPath, "utf8");
    lcovTime = (await stat(lcovPath)).mtimeMs;
  } catch {
    throw new CoverageError(`no coverage report at ${lcovPath}: run \`npx hardhat test --coverage\` first`);
  }
  const lcov = [...parseLcov(lcovText).values()].filter((f) => isCounted(f.path, options.include, options.exclude));
  if (lcov.length === 0) {
    throw new CoverageError(
      `${lcovPath} has no file under ${options.include.join(", ")}: did the tests run with --coverage?`,
    );
  }
  lcov.sort((a, b) => a.path.localeCompare(b.path));

  const needStatements = lcov.filter((f) => f.branches === undefined);
  const sources: Record<string, string> = {};
  for (const f of needStatements) {
    try {
      sources[f.path] = await readFile(join(options.root, f.path), "utf8");
    } catch {
      throw new CoverageError(
        `${lcovPath} covers ${f.path}, which is not in ${options.root}: run \`npx hardhat test --coverage\` again`,
      );
    }
  }
  const hits =
    needStatements.length > 0 ? await readHits(options.dir, lcovTime, options.maxDataAgeMs ?? 30 * 60_000) : new Map();
  const asts = needStatements.length > 0 ? parseSources(sources) : {};

  return lcov.map((f) => {
    const lineEntries = [...f.lines.entries()];
    const base = {
      path: f.path,
      linesFound: lineEntries.length,
      linesHit: lineEntries.filter(([, c]) => c > 0).length,
      uncoveredLines: lineEntries
        .filter(([, c]) => c === 0)
        .map(([l]) => l)
        .sort((a, b) => a - b),
    };
    if (f.branches !== undefined) {
      const branches = f.branches.map((b) => ({
        line: b.line,
        label: `block ${b.block}, branch ${b.branch}`,
        taken: b.taken > 0,
        evidence: `lcov.info: taken ${b.taken} time(s)`,
      }));
      return { ...base, ...countBranches(branches), branches, unmeasured: [] };
    }
    const statements = instrumentedStatements(f.path, sources[f.path], hits);
    const ranStatements = statements.filter((s) => s.hits > 0).length;
    if (ranStatements > 0 !== base.linesHit > 0) {
      throw new CoverageError(
        `${f.path}: lcov.info reports ${base.linesHit} lines run but the hit data matches ${ranStatements} statements. ` +
          "The source changed since the coverage run, or Hardhat changed how it tags statements: " +
          "run `npx hardhat test --coverage` again.",
      );
    }
    const { branches, unmeasured } = analyseBranches(sources[f.path], asts[f.path], statements);
    return { ...base, ...countBranches(branches), branches, unmeasured };
  });
}

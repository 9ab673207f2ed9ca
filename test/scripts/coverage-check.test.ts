import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { expect } from "chai";

import {
  analyseBranches,
  belowFloor,
  CoverageError,
  fmt,
  isCounted,
  lineRanges,
  loadCoverage,
  parseLcov,
  parseSources,
  skipTrivia,
  statementTags,
  totals,
} from "../../scripts/tools/coverage.ts";
import type { FileCoverage } from "../../scripts/tools/coverage.ts";

const HERE = dirname(fileURLToPath(import.meta.url));
const FIXTURE_LCOV = join(HERE, "fixtures", "lcov-report", "lcov.info");
const CHECK_SCRIPT = join(HERE, "..", "..", "scripts", "tools", "coverage-check.ts");

/** A tiny contract with one of each kind of branch. The comment's non-ASCII text moves solc's byte offsets. */
const TINY = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// Ünïcode and ☕ before the code: UTF-8 byte offsets differ from string offsets from here on.
contract Tiny {
    error Zero();
    uint256 public y;

    function guard(uint256 x) external {
        if (x == 0) revert Zero();
        y = x;
    }

    function bump(uint256 x) external {
        if (x > 10) {
            y += 1;
        }
    }

    function pick(uint256 x) external {
        if (x == 1) {
            y = 1;
        } else {
            y = 2;
        }
    }

    function chain(uint256 x) external pure returns (uint256) {
        if (x == 1) return 10;
        else if (x == 2) return 20;
        return 30;
    }

    function clamp(uint256 x) external pure returns (uint256) {
        return x > 1 ? x : 1;
    }
}
`;
const TINY_PATH = "contracts/Tiny.sol";

/** Tags of TINY's statements keyed by the start of their text (`if (x == 0)`, `revert Zero()`, ...). */
function tagsBySnippet(source: string = TINY): (snippet: string) => string {
  const statements = statementTags(TINY_PATH, source).map((s) => ({
    ...s,
    text: source.slice(skipTrivia(source, s.start, s.end), s.end),
  }));
  return (snippet) => {
    const found = statements.filter((s) => s.text.startsWith(snippet));
    expect(found, `exactly one statement starts with "${snippet}"`).to.have.length(1);
    return found[0].tag;
  };
}

/** Analyses TINY with the given hit counts (by statement snippet); returns "line label" → taken. */
function analyse(hitsBySnippet: Record<string, number>): {
  taken: Map<string, boolean>;
  evidence: Map<string, string>;
  unmeasured: number;
} {
  const tag = tagsBySnippet();
  const hits = new Map(Object.entries(hitsBySnippet).map(([snippet, n]) => [tag(snippet), n]));
  const statements = statementTags(TINY_PATH, TINY).map((s) => ({
    start: s.start,
    end: s.end,
    hits: hits.get(s.tag) ?? 0,
  }));
  const ast = parseSources({ [TINY_PATH]: TINY })[TINY_PATH];
  const { branches, unmeasured } = analyseBranches(TINY, ast, statements);
  return {
    taken: new Map(branches.map((b) => [`${b.line} ${b.label}`, b.taken])),
    evidence: new Map(branches.map((b) => [`${b.line} ${b.label}`, b.evidence])),
    unmeasured: unmeasured.length,
  };
}

function file(
  path: string,
  linesHit: number,
  linesFound: number,
  branchesHit: number,
  branchesFound: number,
): FileCoverage {
  return { path, linesHit, linesFound, uncoveredLines: [], branchesHit, branchesFound, branches: [], unmeasured: [] };
}

describe("scripts/tools/coverage-check.ts (contract coverage floor)", function () {
  describe("parseLcov", function () {
    it("reads each SF section's DA lines and BRDA branches, with / separators; no BRDA means no branch data", async function () {
      const files = parseLcov(await readFile(FIXTURE_LCOV, "utf8"));
      expect([...files.keys()]).to.deep.equal([
        "contracts/Token.sol",
        "contracts/lib/Math.sol",
        "contracts/mocks/Double.sol",
      ]);
      const token = files.get("contracts/Token.sol")!;
      expect([...token.lines]).to.deep.equal([
        [10, 4],
        [11, 4],
        [12, 0],
        [14, 2],
      ]);
      expect(token.branches).to.equal(undefined);
      expect(files.get("contracts/lib/Math.sol")!.branches).to.deep.equal([
        { line: 5, block: "0", branch: "0", taken: 1 },
        { line: 5, block: "0", branch: "1", taken: 0 }, // "-": never evaluated
      ]);
    });

    it("refuses malformed records with a CoverageError that names the line", function () {
      expect(() => parseLcov("SF:a.sol\nDA:3,x\nend_of_record\n")).to.throw(CoverageError, /lcov line 2/);
      expect(() => parseLcov("DA:3,1\n")).to.throw(CoverageError, /outside an SF section/);
      expect(() => parseLcov("SF:a.sol\nBRDA:3,0\n")).to.throw(CoverageError, /malformed BRDA/);
    });
  });

  describe("which files count", function () {
    it("counts contracts/ but not contracts/mocks/, nor look-alike folders or tests", function () {
      const counted = (p: string) => isCounted(p, ["contracts/"], ["contracts/mocks/"]);
      expect(counted("contracts/credits/VoiceCredits.sol")).to.equal(true);
      expect(counted("contracts/mocks/ERC1271WalletMock.sol")).to.equal(false);
      expect(counted("contracts/mocks/reference/ReferenceGovernor.sol")).to.equal(false);
      expect(counted("contracts-old/Governor.sol")).to.equal(false);
      expect(counted("test/utils/CoopFixture.sol")).to.equal(false);
    });
  });

  describe("the floor", function () {
    it("passes a file exactly at the floor and fails one just under it, naming lines or branches and the counts", function () {
      const failures = belowFloor(
        [
          file("contracts/A.sol", 19, 20, 20, 20),
          file("contracts/B.sol", 189, 200, 19, 20),
          file("contracts/C.sol", 20, 20, 37, 39),
        ],
        95,
      );
      expect(failures).to.deep.equal([
        { path: "contracts/B.sol", reasons: ["lines 94.50% (189/200)"] },
        { path: "contracts/C.sol", reasons: ["branches 94.87% (37/39)"] },
      ]);
    });

    it("does not fail a file with nothing to cover (no branches, or no lines)", function () {
      expect(
        belowFloor([file("contracts/NoIf.sol", 10, 10, 0, 0), file("contracts/I.sol", 0, 0, 0, 0)], 95),
      ).to.deep.equal([]);
    });

    it("takes any floor: 100 fails a single missed line, 0 passes everything", function () {
      expect(belowFloor([file("contracts/A.sol", 999, 1000, 4, 4)], 100)).to.have.length(1);
      expect(belowFloor([file("contracts/A.sol", 0, 1000, 0, 4)], 0)).to.deep.equal([]);
    });

    it("adds up totals and never rounds a percentage up to the floor", function () {
      expect(totals([file("a", 1, 2, 3, 4), file("b", 5, 6, 7, 8)])).to.deep.equal({
        linesHit: 6,
        linesFound: 8,
        branchesHit: 10,
        branchesFound: 12,
      });
      expect(fmt(94.999)).to.equal("94.99");
      expect(fmt(95)).to.equal("95.00");
      expect(fmt((19 * 100) / 20)).to.equal("95.00");
      expect(fmt(undefined)).to.equal("-");
      expect(lineRanges([3, 5, 6, 7, 10])).to.equal("3, 5-7, 10");
    });
  });

  describe("branches from statement hits", function () {
    it("finds both sides of every if, and counts each ?: as two branches it cannot measure", function () {
      const { taken, unmeasured } = analyse({});
      expect([...taken.keys()]).to.deep.equal([
        "10 if (x == 0): then",
        "10 if (x == 0): else (implicit)",
        "15 if (x > 10): then",
        "15 if (x > 10): else (implicit)",
        "21 if (x == 1): then",
        "21 if (x == 1): else",
        "29 if (x == 1): then",
        "29 if (x == 1): else",
        "30 if (x == 2): then",
        "30 if (x == 2): else (implicit)",
      ]);
      expect(
        [...taken.values()].every((t) => !t),
        "nothing ran, nothing taken",
      ).to.equal(true);
      expect(unmeasured).to.equal(2);
    });

    it("guard: a revert that never ran, while the next statement did, is then not taken and else taken", function () {
      const { taken } = analyse({ "if (x == 0)": 5, "y = x": 5 });
      expect(taken.get("10 if (x == 0): then")).to.equal(false);
      expect(taken.get("10 if (x == 0): else (implicit)")).to.equal(true);
    });

    it("guard: the next statement proves the else even when every hit report that ran the if also reverted", function () {
      // E.g. one test calls guard(0), catches the revert, then calls guard(1): one report with both sides.
      const { taken, evidence } = analyse({ "if (x == 0)": 2, "revert Zero()": 2, "y = x": 1 });
      expect(taken.get("10 if (x == 0): then")).to.equal(true);
      expect(taken.get("10 if (x == 0): else (implicit)")).to.equal(true);
      expect(evidence.get("10 if (x == 0): else (implicit)")).to.match(/always leaves and the next statement ran in 1/);
    });

    it("guard: a revert that always ran, with the next statement never reached, is then taken and else not", function () {
      const { taken, evidence } = analyse({ "if (x == 0)": 2, "revert Zero()": 2 });
      expect(taken.get("10 if (x == 0): then")).to.equal(true);
      expect(taken.get("10 if (x == 0): else (implicit)")).to.equal(false);
      expect(evidence.get("10 if (x == 0): else (implicit)")).to.match(/never ran/);
    });

    it("an if whose body does not leave: else proven when the if ran in more hit reports than its body, else not proven", function () {
      expect(analyse({ "if (x > 10)": 3, "y += 1": 1 }).taken.get("15 if (x > 10): else (implicit)")).to.equal(true);
      const same = analyse({ "if (x > 10)": 2, "y += 1": 2 });
      expect(same.taken.get("15 if (x > 10): then")).to.equal(true);
      expect(same.taken.get("15 if (x > 10): else (implicit)")).to.equal(false);
      expect(same.evidence.get("15 if (x > 10): else (implicit)")).to.match(/^not proven/);
    });

    it("a written else is taken when a statement in it ran", function () {
      const { taken } = analyse({ "if (x == 1) {": 3, "y = 1": 3 });
      expect(taken.get("21 if (x == 1): then")).to.equal(true);
      expect(taken.get("21 if (x == 1): else")).to.equal(false);
      expect(analyse({ "if (x == 1) {": 3, "y = 2": 1 }).taken.get("21 if (x == 1): else")).to.equal(true);
    });

    it("else if: the inner if running takes the outer else; the statement after the chain takes the inner implicit else", function () {
      const { taken } = analyse({ "if (x == 1) return": 4, "return 10": 4, "if (x == 2)": 1, "return 30": 1 });
      expect(taken.get("29 if (x == 1): then")).to.equal(true);
      expect(taken.get("29 if (x == 1): else")).to.equal(true);
      expect(taken.get("30 if (x == 2): then")).to.equal(false);
      expect(taken.get("30 if (x == 2): else (implicit)")).to.equal(true);
    });
  });

  describe("loadCoverage and the command, on a tiny Hardhat-style report", function () {
    let root: string;
    let tag: (snippet: string) => string;

    /** Writes contracts/, coverage/lcov.info and coverage/data/{mocha,solidity}/*.json as Hardhat would. */
    async function writeProject(mochaHits: Record<string, number>, solidityHits: Record<string, number>) {
      await rm(join(root, "coverage"), { recursive: true, force: true });
      await mkdir(join(root, "contracts", "mocks"), { recursive: true });
      await writeFile(join(root, TINY_PATH), TINY);
      await writeFile(join(root, "contracts", "mocks", "Double.sol"), "contract Double {}\n");
      for (const [runner, hits] of [
        ["mocha", mochaHits],
        ["solidity", solidityHits],
      ] as const) {
        await mkdir(join(root, "coverage", "data", runner), { recursive: true });
        const data = Object.fromEntries(Object.entries(hits).map(([snippet, n]) => [tag(snippet), n]));
        await writeFile(join(root, "coverage", "data", runner, `${runner}-run.json`), JSON.stringify(data));
      }
      // Lines 10-11, 15-16, 21-22, 24, 29-31 and 35: two never ran.
      const lines = [
        [10, 3],
        [11, 3],
        [15, 2],
        [16, 1],
        [21, 1],
        [22, 1],
        [24, 0],
        [29, 1],
        [30, 1],
        [31, 0],
        [35, 0],
      ];
      const lcov = [
        "TN:",
        `SF:${TINY_PATH}`,
        ...lines.map(([l, c]) => `DA:${l},${c}`),
        "end_of_record",
        "SF:contracts/mocks/Double.sol",
        "DA:1,0",
        "end_of_record",
        "",
      ];
      await writeFile(join(root, "coverage", "lcov.info"), lcov.join("\n"));
    }

    const MOCHA = {
      "if (x == 0)": 3,
      "y = x": 3,
      "if (x > 10)": 1,
      "y += 1": 1,
      "if (x == 1) {": 1,
      "y = 1": 1,
      "if (x == 1) return": 1,
      "return 10": 1,
    };

    beforeEach(async function () {
      root = await mkdtemp(join(tmpdir(), "mutual-coverage-"));
      tag = tagsBySnippet();
    });

    afterEach(async function () {
      await rm(root, { recursive: true, force: true });
    });

    it("counts contracts/ without mocks: lines from lcov.info, branches from the hits of every runner added up", async function () {
      // bump's if ran once in each runner, its body once in all: 2 > 1 proves the implicit else, but only summed.
      await writeProject(MOCHA, { "if (x > 10)": 1 });
      const [tiny, ...others] = await loadCoverage({
        root,
        dir: join(root, "coverage"),
        include: ["contracts/"],
        exclude: ["contracts/mocks/"],
      });
      expect(others).to.deep.equal([]);
      expect(tiny.path).to.equal(TINY_PATH);
      expect([tiny.linesHit, tiny.linesFound, tiny.uncoveredLines]).to.deep.equal([8, 11, [24, 31, 35]]);
      const taken = tiny.branches.filter((b) => b.taken).map((b) => `${b.line} ${b.label}`);
      expect(taken).to.deep.equal([
        "10 if (x == 0): else (implicit)",
        "15 if (x > 10): then",
        "15 if (x > 10): else (implicit)",
        "21 if (x == 1): then",
        "29 if (x == 1): then",
      ]);
      expect([tiny.branchesHit, tiny.branchesFound, tiny.unmeasured.length]).to.deep.equal([5, 10, 2]);

      await writeProject(MOCHA, {});
      const [alone] = await loadCoverage({
        root,
        dir: join(root, "coverage"),
        include: ["contracts/"],
        exclude: ["contracts/mocks/"],
      });
      expect(alone.branchesHit).to.equal(4);
    });

    it("refuses hit data left over from an earlier run, and a source edited since the run", async function () {
      await writeProject(MOCHA, {});
      const options = { root, dir: join(root, "coverage"), include: ["contracts/"], exclude: ["contracts/mocks/"] };
      const old = new Date(Date.now() - 2 * 3600_000);
      await utimes(join(root, "coverage", "data", "solidity", "solidity-run.json"), old, old);
      await expectRejection(loadCoverage(options), /left over from an earlier run/);

      await writeProject(MOCHA, {});
      await writeFile(join(root, TINY_PATH), `${TINY}// edited\n`);
      await expectRejection(loadCoverage(options), /source changed since the coverage run/);
    });

    it("refuses a missing report, telling how to make one", async function () {
      await expectRejection(
        loadCoverage({ root, dir: join(root, "coverage"), include: ["contracts/"], exclude: [] }),
        /no coverage report at .*lcov\.info: run `npx hardhat test --coverage` first/,
      );
    });

    it("the command prints the table and exits 1 naming each file under the floor, 0 at a floor it meets, 2 on bad input", async function () {
      this.timeout(60_000); // five runs of the command, each loading solc and EDR
      await writeProject(MOCHA, {});
      const under = runCheck(["--root", root, "--floor", "95"]);
      expect(under.status, under.stderr).to.equal(1);
      expect(under.stdout).to.match(/contracts\/Tiny\.sol\s+8\/11\s+72\.72\s+4\/10\s+40\.00\s+BELOW FLOOR/);
      expect(under.stdout).to.match(/Total\s+8\/11\s+72\.72\s+4\/10\s+40\.00/);
      expect(under.stdout).to.not.contain("Double.sol");
      expect(under.stderr).to.contain("FAILED: 1 file(s) under the 95% floor");
      expect(under.stderr).to.contain("contracts/Tiny.sol: lines 72.72% (8/11), branches 40.00% (4/10)");

      const met = runCheck(["--root", root, "--floor", "40"]);
      expect(met.status, met.stderr).to.equal(0);
      expect(met.stdout).to.contain("every contract is at or above 40% line and branch coverage");

      expect(runCheck(["--root", root, "--floor", "101"]).status).to.equal(2);
      expect(runCheck(["--root", root, "--flor", "95"]).status).to.equal(2);
      const missing = runCheck(["--root", join(root, "nowhere")]);
      expect(missing.status).to.equal(2);
      expect(missing.stderr).to.contain("run `npx hardhat test --coverage` first");
    });
  });
});

function runCheck(args: string[]) {
  return spawnSync(process.execPath, [CHECK_SCRIPT, ...args], { encoding: "utf8" });
}

async function expectRejection(promise: Promise<unknown>, message: RegExp) {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(CoverageError);
    expect((error as Error).message).to.match(message);
    return;
  }
  expect.fail(`expected a CoverageError matching ${message}`);
}

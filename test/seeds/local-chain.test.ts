import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { expect } from "chai";
import { network } from "hardhat";

import { deployCoop } from "../../deploy/coop.ts";
import { assertLocalChain } from "../../lib/deployment.ts";
import {
  USAGE,
  TimeTravelInputError,
  advanceChain,
  parseArgs,
  parseDuration,
  parseTarget,
} from "../../scripts/devnet/time-travel.ts";
import { formatDuration, proposalTitle } from "../../lib/format.ts";
import { describeChanges, nextPhase, type ProposalTiming } from "../../lib/phases.ts";
import { bakery } from "../../seeds/bakery.ts";
import { seedCoop } from "../../seeds/seed.ts";
import { ProposalState, deployCoopWithMembers, propose, startVoting } from "../helpers/governor-fixtures.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const local = await network.create();
const sepolia = await network.create({ override: { chainId: 11155111 } });

/** The error `run` throws (fails if it does not throw). */
function thrownBy(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected an error");
}

async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the promise to be rejected");
}

describe("Only local chains are seeded or time-travelled (assertLocalChain)", function () {
  for (const chainId of [31337, 1337, 31337n, 1337n]) {
    it(`accepts chain ${chainId} (${typeof chainId})`, function () {
      expect(() => assertLocalChain(chainId, "seed the demo co-op")).to.not.throw();
    });
  }

  for (const [chainId, name] of [
    [1, "Ethereum mainnet"],
    [11155111, "Sepolia"],
    [8453, "Base"],
  ] as const) {
    it(`refuses chain ${chainId} (${name}) with a message naming the chain`, function () {
      const error = thrownBy(() => assertLocalChain(chainId, "seed the demo co-op"));
      expect(error.message).to.equal(
        `Refusing to seed the demo co-op on chain ${chainId}: it is not a local development chain (only 31337 and 1337 are). ` +
          "Start the local co-op with `npm start`.",
      );
    });
  }
});

describe("Seeding or time travel on a non-local chain (an in-process chain with chain id 11155111)", function () {
  it("runs on a chain whose id really is 11155111", async function () {
    expect((await sepolia.ethers.provider.getNetwork()).chainId).to.equal(11155111n);
  });

  it("seedCoop refuses before sending any transaction: same block, no proposal, treasury and nonces untouched, nothing logged", async function () {
    const coop = await deployCoop(sepolia, bakery.config);
    const { ethers } = sepolia;
    const signers = await ethers.getSigners();
    const treasury = await coop.timelock.getAddress();
    const read = async () => ({
      block: await ethers.provider.getBlockNumber(),
      proposals: await coop.governor.proposalCount(),
      treasury: await ethers.provider.getBalance(treasury),
      nonces: await Promise.all(signers.slice(0, 11).map((s) => ethers.provider.getTransactionCount(s.address))),
    });
    const before = await read();
    const lines: string[] = [];
    const error = await rejectionOf(seedCoop(sepolia, coop, bakery, (line) => lines.push(line)));
    expect(error.message).to.equal(
      'Refusing to seed the demo co-op "Hearth Bakery Co-op" on chain 11155111: it is not a local development chain ' +
        "(only 31337 and 1337 are). Start the local co-op with `npm start`.",
    );
    expect(await read()).to.deep.equal(before);
    expect(lines).to.deep.equal([]);
  });

  it("advanceChain refuses before mining anything: same block, same chain time", async function () {
    const { ethers, networkHelpers } = sepolia;
    const block = await ethers.provider.getBlockNumber();
    const time = await networkHelpers.time.latest();
    const error = await rejectionOf(advanceChain(sepolia, { kind: "duration", seconds: 86_400 }));
    expect(error.message).to.equal(
      "Refusing to advance the chain's time on chain 11155111: it is not a local development chain (only 31337 and 1337 are). " +
        "Start the local co-op with `npm start`.",
    );
    expect(await ethers.provider.getBlockNumber()).to.equal(block);
    expect(await networkHelpers.time.latest()).to.equal(time);
  });
});

describe("Time-travel durations (parseDuration)", function () {
  const cases: [string, number][] = [
    ["90s", 90],
    ["45m", 45 * 60],
    ["12h", 12 * 3600],
    ["3d", 3 * 86_400],
    ["2w", 14 * 86_400],
    ["1d12h", 86_400 + 12 * 3600],
    ["2w3d", 17 * 86_400],
    ["1h30m15s", 3600 + 1800 + 15],
    ["12h1d", 86_400 + 12 * 3600],
    [" 3d ", 3 * 86_400],
  ];
  for (const [text, seconds] of cases) {
    it(`reads "${text}" as ${seconds} seconds`, function () {
      expect(parseDuration(text)).to.equal(seconds);
    });
  }

  const bad: [string, string][] = [
    ["", "no duration given"],
    ["   ", "no duration given"],
    ["-3d", '"-3d": a duration cannot be negative'],
    ["3y", '"3y": unknown unit "y" (use s, m, h, d or w)'],
    ["1d2x", '"1d2x": unknown unit "x" (use s, m, h, d or w)'],
    ["90", '"90": 90 has no unit (use s, m, h, d or w)'],
    ["1d30", '"1d30": 30 has no unit (use s, m, h, d or w)'],
    ["0d", '"0d": a duration must be longer than zero'],
    ["0h0m", '"0h0m": a duration must be longer than zero'],
    ["1d2d", '"1d2d": unit "d" is given twice'],
    ["abc", '"abc": not a duration (expected a number and a unit, e.g. 3d or 1d12h)'],
    ["1.5d", '"1.5d": use whole numbers, e.g. 1d12h rather than 1.5d'],
    ["3d 12h", '"3d 12h": not a duration (expected a number and a unit, e.g. 3d or 1d12h)'],
    ["3d-1h", '"3d-1h": not a duration (expected a number and a unit, e.g. 3d or 1d12h)'],
    ["99999999999999w", '"99999999999999w": duration too large'],
  ];
  for (const [text, message] of bad) {
    it(`refuses "${text}": ${message}`, function () {
      const error = thrownBy(() => parseDuration(text));
      expect(error).to.be.instanceOf(TimeTravelInputError);
      expect(error.message).to.equal(message);
    });
  }
});

describe("Time-travel targets and arguments (parseTarget, parseArgs)", function () {
  it("reads next-epoch and next-phase as targets, anything else as a duration", function () {
    expect(parseTarget("next-epoch")).to.deep.equal({ kind: "next-epoch" });
    expect(parseTarget("next-phase")).to.deep.equal({ kind: "next-phase" });
    expect(parseTarget("1d12h")).to.deep.equal({ kind: "duration", seconds: 129_600 });
  });

  it("refuses a misspelt target as a duration without a unit", function () {
    expect(thrownBy(() => parseTarget("next-week")).message).to.equal(
      '"next-week": not a duration (expected a number and a unit, e.g. 3d or 1d12h)',
    );
  });

  it("takes exactly one argument: none is an empty duration, two are refused", function () {
    expect(parseArgs(["3d"])).to.deep.equal({ kind: "duration", seconds: 259_200 });
    expect(thrownBy(() => parseArgs([])).message).to.equal("no duration given");
    expect(thrownBy(() => parseArgs(["1d", "12h"])).message).to.equal("expected one argument, got 2: 1d 12h");
  });

  it("formats durations and titles for the command's output", function () {
    expect(formatDuration(129_600, { style: "short" })).to.equal("1d 12h");
    expect(formatDuration(90, { style: "short" })).to.equal("1m 30s");
    expect(formatDuration(0, { style: "short" })).to.equal("0s");
    expect(formatDuration(129_601)).to.equal("1 day 12 hours 1 second");
    expect(formatDuration(129_601, { parts: 2 })).to.equal("1 day 12 hours");
    expect(formatDuration(3_600)).to.equal("1 hour");
    expect(formatDuration(-5)).to.equal("0 seconds");
    expect(proposalTitle("   \n")).to.equal("(untitled)");
    expect(proposalTitle("# Pay the mill\n\nBody")).to.equal("Pay the mill");
    expect(proposalTitle("\n\nPlain first line\nmore")).to.equal("Plain first line");
  });
});

describe("Planning the next phase (nextPhase)", function () {
  const timing = (number: number, state: ProposalTiming["state"], fields: Partial<ProposalTiming>): ProposalTiming => ({
    number,
    id: BigInt(number),
    title: `P${number}`,
    state,
    snapshot: 0n,
    deadline: 0n,
    eta: 0n,
    ...fields,
  });
  const proposals = [
    timing(1, "Pending", { snapshot: 1500n, deadline: 2000n }),
    timing(2, "Active", { snapshot: 900n, deadline: 1200n }),
    timing(3, "Queued", { snapshot: 100n, deadline: 400n, eta: 1100n }),
    timing(4, "Executed", { snapshot: 100n, deadline: 400n, eta: 600n }),
    timing(5, "Canceled", { snapshot: 1050n, deadline: 1350n }),
    timing(6, "Succeeded", { snapshot: 100n, deadline: 700n }),
  ];

  it("picks the earliest future moment: a queued proposal's timelock eta before a vote closes", function () {
    const next = nextPhase(proposals, 1000n)!;
    expect(next.time).to.equal(1100n);
    expect(next.events.map((e) => [e.proposal.number, e.what])).to.deep.equal([
      [3, "timelock delay ends (can be executed)"],
    ]);
  });

  it("then the second after the active vote's deadline, then the second after the pending one's snapshot", function () {
    expect(nextPhase(proposals, 1100n)!.time).to.equal(1201n);
    const opens = nextPhase(proposals, 1201n)!;
    expect([opens.time, opens.events[0].proposal.number, opens.events[0].what]).to.deep.equal([
      1501n,
      1,
      "voting opens",
    ]);
    expect(nextPhase(proposals, 1501n)!.time).to.equal(2001n);
  });

  it("ignores cancelled, executed and succeeded proposals and returns null when nothing is scheduled", function () {
    expect(nextPhase(proposals, 2001n)).to.equal(null);
    expect(nextPhase([], 0n)).to.equal(null);
  });

  it("returns every event at the earliest moment when several coincide", function () {
    const tied = [timing(1, "Active", { deadline: 500n }), timing(2, "Pending", { snapshot: 500n, deadline: 800n })];
    const next = nextPhase(tied, 400n)!;
    expect(next.time).to.equal(501n);
    expect(next.events.map((e) => [e.proposal.number, e.what])).to.deep.equal([
      [1, "voting closes"],
      [2, "voting opens"],
    ]);
  });

  it("describes state changes and a new credit epoch", function () {
    const before = [timing(1, "Pending", {}), timing(2, "Active", {})];
    const after = [timing(1, "Active", {}), timing(2, "Active", {}), timing(3, "Pending", {})];
    expect(describeChanges(before, after, { before: 2n, after: 3n })).to.deep.equal([
      "credit epoch 2 → 3: members accrued new voice credits",
      '#1 "P1": Pending → Active',
      '#3 "P3": new, Pending',
    ]);
  });
});

describe("Advancing the local chain (advanceChain on chain 31337)", function () {
  const { ethers, networkHelpers } = local;

  async function coopWithProposal() {
    const ctx = await deployCoopWithMembers(local, { memberCount: 4 });
    const p = await propose(ctx, ctx.members[0], "# Buy a second proofing cabinet\n\nIt fills up every morning.");
    return {
      ctx,
      p,
      coop: { governor: ctx.coop.governor, credits: ctx.coop.credits, deployBlock: ctx.coop.deployBlock },
    };
  }

  it("moves chain time forward by exactly 1d12h and mines one block", async function () {
    const block = await ethers.provider.getBlockNumber();
    const from = await networkHelpers.time.latest();
    const result = await advanceChain(local, parseTarget("1d12h"));
    expect([result.chainId, result.from, result.to, result.block]).to.deep.equal([
      31337n,
      from,
      from + 129_600,
      block + 1,
    ]);
    expect(await networkHelpers.time.latest()).to.equal(from + 129_600);
    expect(result.reason).to.equal("+1d 12h");
  });

  it("next-epoch lands on the start of the next credit epoch and reports the new epoch", async function () {
    const { ctx, coop } = await networkHelpers.loadFixture(coopWithProposal);
    const start = await ctx.coop.credits.nextEpochStart();
    const epoch = await ctx.coop.credits.currentEpoch();
    const result = await advanceChain(local, { kind: "next-epoch" }, coop);
    expect(BigInt(result.to)).to.equal(start);
    expect(await ctx.coop.credits.currentEpoch()).to.equal(epoch + 1n);
    expect(result.changes).to.include(`credit epoch ${epoch} → ${epoch + 1n}: members accrued new voice credits`);
  });

  it("next-phase lands one second after the pending proposal's snapshot: its vote opens", async function () {
    const { ctx, p, coop } = await networkHelpers.loadFixture(coopWithProposal);
    const snapshot = await ctx.coop.governor.proposalSnapshot(p.id);
    const result = await advanceChain(local, { kind: "next-phase" }, coop);
    expect(BigInt(result.to)).to.equal(snapshot + 1n);
    expect(await ctx.coop.governor.state(p.id)).to.equal(ProposalState.Active);
    expect(result.reason).to.equal('#1 "Buy a second proofing cabinet": voting opens');
    expect(result.changes).to.deep.equal(['#1 "Buy a second proofing cabinet": Pending → Active']);
  });

  it("next-phase from an open vote lands one second after its deadline: the vote closes", async function () {
    const { ctx, p, coop } = await networkHelpers.loadFixture(coopWithProposal);
    await startVoting(ctx, p);
    const deadline = await ctx.coop.governor.proposalDeadline(p.id);
    const result = await advanceChain(local, { kind: "next-phase" }, coop);
    expect(BigInt(result.to)).to.equal(deadline + 1n);
    expect(await ctx.coop.governor.state(p.id)).to.equal(ProposalState.Defeated);
    expect(result.changes).to.deep.equal(['#1 "Buy a second proofing cabinet": Active → Defeated']);
  });

  it("next-phase with nothing scheduled refuses without mining a block", async function () {
    const { ctx, p, coop } = await networkHelpers.loadFixture(coopWithProposal);
    await networkHelpers.time.increaseTo((await ctx.coop.governor.proposalDeadline(p.id)) + 1n);
    const block = await ethers.provider.getBlockNumber();
    const error = await rejectionOf(advanceChain(local, { kind: "next-phase" }, coop));
    expect(error.message).to.equal("No proposal changes state in the future: nothing to advance to.");
    expect(await ethers.provider.getBlockNumber()).to.equal(block);
  });
});

describe("The chain:advance command (scripts/devnet/chain-advance.ts) on bad input", function () {
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [join("scripts", "devnet", "chain-advance.ts"), ...args], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 60_000,
    });

  for (const [args, message] of [
    [["3y"], '"3y": unknown unit "y" (use s, m, h, d or w)'],
    [["-3d"], '"-3d": a duration cannot be negative'],
    [[], "no duration given"],
    [[""], "no duration given"],
  ] as const) {
    it(`exits with code 2 and the usage for ${JSON.stringify(args)}, without touching any chain`, function () {
      const result = run(...args);
      expect(result.status).to.equal(2);
      expect(result.stderr).to.equal(`${message}\n\n${USAGE}\n`);
      expect(result.stdout).to.equal("");
    });
  }

  it("prints the usage and exits with code 0 for --help", function () {
    const result = run("--help");
    expect(result.status).to.equal(0);
    expect(result.stdout).to.equal(`${USAGE}\n`);
  });
});

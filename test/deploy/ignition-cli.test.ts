import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { network } from "hardhat";

import MutualCoop from "../../deploy/modules/MutualCoop.ts";
import { MODULE_ID, parametersFile } from "../../deploy/config.ts";
import { ROOT } from "../../lib/deployment.node.ts";

const HARDHAT = join(ROOT, "node_modules", "hardhat", "dist", "src", "cli.js");
const CONTRACTS = [
  "MembershipCard",
  "VoiceCredits",
  "TimelockController",
  "MutualGovernor",
  "ContributionLedger",
  "PatronageDistributor",
];

type Params = Record<string, unknown>;

/**
 * Runs `hardhat ignition deploy deploy/modules/MutualCoop.ts --parameters <file>` as a user types it, on the
 * in-process chain (the default network); `--build-profile default` reuses the test build instead of compiling
 * the production profile.
 */
function ignitionDeploy(file: string) {
  return spawnSync(
    process.execPath,
    [HARDHAT, "ignition", "deploy", "deploy/modules/MutualCoop.ts", "--parameters", file, "--build-profile", "default"],
    { cwd: ROOT, encoding: "utf8", timeout: 300_000, env: { ...process.env, FORCE_COLOR: "0" } },
  );
}

/** The contract names the command lists under "Deployed Addresses". */
function deployedNames(stdout: string): string[] {
  return [...stdout.matchAll(/^MutualCoop#(\w+) - 0x[0-9a-fA-F]{40}$/gm)].map((m) => m[1]).sort();
}

async function withTempFile<T>(contents: unknown, use: (file: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "mutual-ignition-"));
  try {
    const file = join(dir, "parameters.json");
    await writeFile(file, JSON.stringify(contents));
    return await use(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Deploys the module with a parameter file's values, as Ignition reads them, and checks the co-op it makes. */
async function checkDeployment(params: Params) {
  const connection = await network.create();
  try {
    const { card, credits, governor, timelock } = await connection.ignition.deploy(MutualCoop, {
      parameters: { [MODULE_ID]: params } as never,
    });
    expect(await card.name()).to.equal(params.name);
    expect(await card.symbol()).to.equal(params.symbol);
    expect(await credits.name()).to.equal(`${params.name as string} Voice Credits`);
    expect(await credits.symbol()).to.equal("VOICE");
    const schedule = await credits.currentSchedule();
    expect(schedule.epochLength).to.equal(BigInt(params.epochLength as number));
    expect(schedule.creditsPerEpoch).to.equal(BigInt(params.creditsPerEpoch as number));
    expect(schedule.maxBalance).to.equal(BigInt(params.maxBalance as number));
    expect(await governor.votingPeriod()).to.equal(BigInt(params.votingPeriod as number));
    expect(await timelock.getMinDelay()).to.equal(BigInt(params.timelockDelay as number));
    const founders = params.founders as string[];
    expect(await card.memberCount()).to.equal(BigInt(founders.length));
    for (const founder of founders) expect(await card.isMember(founder), founder).to.equal(true);
    expect(await card.owner()).to.equal(await timelock.getAddress());
  } finally {
    await connection.close();
  }
}

describe("Plain `hardhat ignition deploy` with the repository's parameter files (deploy/parameters/)", function () {
  this.timeout(600_000);

  it("deploys the localhost file's co-op: the file supplies every parameter the module has no default for", async function () {
    const file = parametersFile("localhost");
    const child = ignitionDeploy(file);
    expect(child.status, child.stderr + child.stdout).to.equal(0);
    expect(child.stdout).to.include("[ MutualCoop ] successfully deployed");
    expect(deployedNames(child.stdout)).to.deep.equal([...CONTRACTS].sort());
    await checkDeployment(JSON.parse(await readFile(join(ROOT, file), "utf8"))[MODULE_ID]);
  });

  it("deploys the sepolia file's co-op once its founders are filled in, on the rules the file sets", async function () {
    const sepolia = JSON.parse(await readFile(join(ROOT, parametersFile("sepolia")), "utf8"))[MODULE_ID] as Params;
    const localhost = JSON.parse(await readFile(join(ROOT, parametersFile("localhost")), "utf8"))[MODULE_ID] as Params;
    const filled = { ...sepolia, founders: (localhost.founders as string[]).slice(0, 3) };
    await withTempFile({ [MODULE_ID]: filled }, async (file) => {
      const child = ignitionDeploy(file);
      expect(child.status, child.stderr + child.stdout).to.equal(0);
      expect(deployedNames(child.stdout)).to.deep.equal([...CONTRACTS].sort());
    });
    await checkDeployment(filled);
  });

  it("stops with the missing parameter's name when a file leaves out one the module needs (creditsName)", async function () {
    const localhost = JSON.parse(await readFile(join(ROOT, parametersFile("localhost")), "utf8"))[MODULE_ID] as Params;
    const { creditsName: _dropped, ...withoutCreditsName } = localhost;
    await withTempFile({ [MODULE_ID]: withoutCreditsName }, async (file) => {
      const child = ignitionDeploy(file);
      expect(child.status).to.not.equal(0);
      expect(child.stderr + child.stdout).to.match(/creditsName/);
    });
  });
});

describe("Source verification configuration (hardhat.config.ts verify)", function () {
  /** The `verify` entry of hardhat.config.ts, as a fresh Node process with `env` reads it. */
  function verifyConfig(env: NodeJS.ProcessEnv): unknown {
    const child = spawnSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        "const c = (await import('./hardhat.config.ts')).default; console.log(JSON.stringify(c.verify));",
      ],
      { cwd: ROOT, encoding: "utf8", env },
    );
    expect(child.status, child.stderr).to.equal(0);
    return JSON.parse(child.stdout);
  }

  it("leaves Etherscan out without ETHERSCAN_API_KEY, so ignition verify does not fail on a key it lacks", function () {
    const { ETHERSCAN_API_KEY: _unset, ...env } = process.env;
    expect(verifyConfig(env)).to.deep.equal({ etherscan: { enabled: false } });
  });

  it("enables Etherscan with the key read as a configuration variable when ETHERSCAN_API_KEY is set", function () {
    const config = verifyConfig({ ...process.env, ETHERSCAN_API_KEY: "placeholder" }) as {
      etherscan: { apiKey: { _type: string; name: string }; enabled?: boolean };
    };
    expect(config.etherscan.enabled).to.equal(undefined);
    expect(config.etherscan.apiKey).to.include({ _type: "ConfigurationVariable", name: "ETHERSCAN_API_KEY" });
  });
});

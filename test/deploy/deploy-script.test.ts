import { expect } from "chai";
import { network } from "hardhat";
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getAddress, toBeHex, ZeroAddress } from "ethers";

import { deploymentFile } from "../../lib/deployment.ts";
import { moduleParameters } from "../../deploy/coop.ts";
import {
  checkHandOver,
  deployFromParameters,
  MAX_FOUNDERS,
  MODULE_ID,
  ParametersError,
  parametersFile,
  parseCoopParameters,
  readCoopParameters,
} from "../../deploy/config.ts";
import { readDeployment, ROOT } from "../../lib/deployment.node.ts";

const LOCALHOST_FILE = join(ROOT, parametersFile("localhost"));
const SEPOLIA_FILE = join(ROOT, parametersFile("sepolia"));

type Params = Record<string, unknown>;

/** The `MutualCoop` entry of the localhost parameter file, fresh for each use. */
async function goodParams(): Promise<Params> {
  return JSON.parse(await readFile(LOCALHOST_FILE, "utf8"))[MODULE_ID];
}

/** The problems `parseCoopParameters` finds in `{"MutualCoop": params}` (none when it parses). */
function problemsOf(file: unknown): string[] {
  try {
    parseCoopParameters(file);
    return [];
  } catch (error) {
    expect(error).to.be.instanceOf(ParametersError);
    return (error as ParametersError).problems;
  }
}

async function withTempDir<T>(use: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "mutual-deploy-"));
  try {
    return await use(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe("Deploy script: parameter files (deploy/config.ts)", function () {
  it("turns the localhost file into the CoopConfig whose module parameters are the file's values", async function () {
    const raw = await goodParams();
    const config = await readCoopParameters(LOCALHOST_FILE);

    expect(config.founders).to.deep.equal(raw.founders);
    expect(typeof config.epochLength).to.equal("number");
    expect(typeof config.creditsPerEpoch).to.equal("bigint");
    const params = moduleParameters(config)[MODULE_ID] as Record<string, unknown>;
    for (const [key, value] of Object.entries(raw)) {
      expect(String(params[key]), key).to.equal(String(value));
    }
  });

  it("accepts the sepolia file once its founders are filled in, and refuses it while the list is empty", async function () {
    const raw = JSON.parse(await readFile(SEPOLIA_FILE, "utf8"));
    const founders: string[] = (await goodParams()).founders as string[];

    const asShipped = problemsOf({ [MODULE_ID]: { ...raw[MODULE_ID], founders: [] } });
    expect(asShipped).to.have.length(1);
    expect(asShipped[0]).to.match(/^founders: the list is empty\. A co-op without members can never pass a proposal/);

    const config = parseCoopParameters({ [MODULE_ID]: { ...raw[MODULE_ID], founders: founders.slice(0, 3) } });
    expect(config.founders).to.deep.equal(founders.slice(0, 3));
    expect(config.votingPeriod).to.equal(raw[MODULE_ID].votingPeriod);
  });

  it("reads big integers written as Ignition does (digits ending in n) and checksums lower-case founders", async function () {
    const raw = await goodParams();
    const founders = raw.founders as string[];
    const maxBalance = 2n ** 48n - 1n;
    const config = parseCoopParameters({
      [MODULE_ID]: {
        ...raw,
        founders: founders.map((f) => f.toLowerCase()),
        maxBalance: `${maxBalance}n`,
        creditsPerEpoch: "100n",
      },
    });
    expect(config.maxBalance).to.equal(maxBalance);
    expect(config.creditsPerEpoch).to.equal(100n);
    expect(config.founders).to.deep.equal(founders);
  });

  it("accepts creditsName and creditsSymbol only with the values the deploy derives from the name", async function () {
    const raw = await goodParams();
    const derived = moduleParameters(parseCoopParameters({ [MODULE_ID]: raw }))[MODULE_ID];
    expect(
      problemsOf({ [MODULE_ID]: { ...raw, creditsName: derived.creditsName, creditsSymbol: derived.creditsSymbol } }),
    ).to.deep.equal([]);
    const problems = problemsOf({ [MODULE_ID]: { ...raw, creditsName: "Bread Tokens" } });
    expect(problems).to.deep.equal([
      `creditsName: the deploy sets it to "${derived.creditsName}" (derived from name); remove it or use that value`,
    ]);
  });

  /** One bad field each: the change to a good file, and the one problem it must produce. */
  const badFields: { scenario: string; change: (p: Params) => void; problem: RegExp }[] = [
    { scenario: "name missing", change: (p) => delete p.name, problem: /^name: missing$/ },
    { scenario: "name not a string", change: (p) => (p.name = 42), problem: /^name: must be a string, not a number$/ },
    { scenario: "symbol empty", change: (p) => (p.symbol = "  "), problem: /^symbol: must not be empty$/ },
    {
      scenario: "epochLength missing",
      change: (p) => delete p.epochLength,
      problem: /^epochLength: missing \(seconds\)$/,
    },
    {
      scenario: "epochLength a plain string",
      change: (p) => (p.epochLength = "604800"),
      problem: /^epochLength: must be a number; "604800" is a string/,
    },
    {
      scenario: "epochLength longer than 366 days",
      change: (p) => (p.epochLength = 367 * 86400),
      problem: /^epochLength: 31708800 is out of range; it must be between 3600 and 31622400 \(seconds\)$/,
    },
    {
      scenario: "creditsPerEpoch fractional",
      change: (p) => (p.creditsPerEpoch = 1.5),
      problem: /^creditsPerEpoch: must be a whole number, not 1\.5$/,
    },
    {
      scenario: "creditsPerEpoch zero",
      change: (p) => (p.creditsPerEpoch = 0),
      problem: /^creditsPerEpoch: 0 is out of range/,
    },
    {
      scenario: "maxBalance below creditsPerEpoch",
      change: (p) => (p.maxBalance = Number(p.creditsPerEpoch) - 1),
      problem: /^maxBalance: \d+ is less than creditsPerEpoch \(\d+\); the cap must hold at least one epoch's credits$/,
    },
    {
      scenario: "votingDelay negative",
      change: (p) => (p.votingDelay = -1),
      problem: /^votingDelay: -1 is out of range/,
    },
    {
      scenario: "votingPeriod zero",
      change: (p) => (p.votingPeriod = 0),
      problem: /^votingPeriod: 0 is out of range; it must be between 1 and 4294967295 \(seconds\)$/,
    },
    {
      scenario: "votingPeriod null",
      change: (p) => (p.votingPeriod = null),
      problem: /^votingPeriod: must be a number, not null$/,
    },
    {
      scenario: "quorumBps zero",
      change: (p) => (p.quorumBps = 0),
      problem: /^quorumBps: 0 is out of range; it must be between 1 and 10000/,
    },
    {
      scenario: "quorumBps above 10000",
      change: (p) => (p.quorumBps = 10_001),
      problem: /^quorumBps: 10001 is out of range; it must be between 1 and 10000/,
    },
    {
      scenario: "proposalDeposit above maxBalance",
      change: (p) => (p.proposalDeposit = Number(p.maxBalance) + 1),
      problem:
        /^proposalDeposit: \d+ is more than maxBalance \(\d+\); no member could ever hold enough credits to propose$/,
    },
    {
      scenario: "lateQuorumExtension missing",
      change: (p) => delete p.lateQuorumExtension,
      problem: /^lateQuorumExtension: missing \(seconds\)$/,
    },
    {
      scenario: "timelockDelay beyond a safe JSON number",
      change: (p) => (p.timelockDelay = 2 ** 53 + 2),
      problem: /^timelockDelay: 9007199254740994 is too big for a JSON number; write it as a string ending in n/,
    },
    { scenario: "founders missing", change: (p) => delete p.founders, problem: /^founders: missing/ },
    {
      scenario: "founders not an array",
      change: (p) => (p.founders = (p.founders as string[])[0]),
      problem: /^founders: must be a JSON array of addresses, not a string$/,
    },
    { scenario: "founders empty", change: (p) => (p.founders = []), problem: /^founders: the list is empty\./ },
    {
      scenario: "a founder that is not an address",
      change: (p) => (p.founders as unknown[]).splice(2, 1, "alice.eth"),
      problem: /^founders\[2\]: "alice\.eth" is not an address$/,
    },
    {
      scenario: "a founder with a wrong mixed-case checksum",
      change: (p) => {
        const list = p.founders as string[];
        const address = list[1];
        // Flip the case of the first letter after 0x: same address, broken checksum.
        const at = address.slice(2).search(/[a-fA-F]/) + 2;
        const flipped =
          address[at] === address[at].toUpperCase() ? address[at].toLowerCase() : address[at].toUpperCase();
        list[1] = address.slice(0, at) + flipped + address.slice(at + 1);
      },
      problem:
        /^founders\[1\]: "0x[0-9a-fA-F]{40}" is not an address \(its mixed-case checksum is wrong: check for a typo\)$/,
    },
    {
      scenario: "a founder that is a number",
      change: (p) => (p.founders as unknown[]).push(7),
      problem: /^founders\[8\]: must be an address string, not a number$/,
    },
    {
      scenario: "the zero address as a founder",
      change: (p) => (p.founders as unknown[]).push(ZeroAddress),
      problem: /^founders\[8\]: the zero address cannot be a member$/,
    },
    {
      scenario: "a founder listed twice (in another case)",
      change: (p) => (p.founders as string[]).push((p.founders as string[])[3].toLowerCase()),
      problem: /^founders\[8\]: 0x[0-9a-fA-F]{40} is listed twice \(also founders\[3\]\); one card per address$/,
    },
    {
      scenario: "more founders than one transaction can admit",
      change: (p) => (p.founders = Array.from({ length: MAX_FOUNDERS + 1 }, (_, i) => getAddress(toBeHex(i + 1, 20)))),
      problem: new RegExp(
        `^founders: ${MAX_FOUNDERS + 1} founders; at most ${MAX_FOUNDERS} are admitted at deployment`,
      ),
    },
    {
      scenario: "a pay ratio of zero",
      change: (p) => (p.payRatio = 0),
      problem: /^payRatio: 0 is out of range; it must be between 1 and 1000 \(times the smallest share\)$/,
    },
    {
      scenario: "a period shorter than a day",
      change: (p) => (p.periodLength = 3600),
      problem: /^periodLength: 3600 is out of range; it must be between 86400 and 157680000 \(seconds\)$/,
    },
    {
      scenario: "an attestation threshold of 256",
      change: (p) => (p.attestationThreshold = 256),
      problem: /^attestationThreshold: 256 is out of range; it must be between 1 and 255 \(attestations\)$/,
    },
    {
      scenario: "a claim window given as a plain string",
      change: (p) => (p.claimWindow = "90 days"),
      problem: /^claimWindow: must be a number; "90 days" is a string/,
    },
    {
      scenario: "a review window shorter than a proposal takes",
      change: (p) => (p.reviewWindow = 3600),
      problem:
        /^reviewWindow: 3600 seconds is shorter than a proposal takes to execute \(votingDelay \+ votingPeriod \+ timelockDelay = \d+\); governance could never void an entry/,
    },
    {
      scenario: "a misspelt parameter",
      change: (p) => (p.quorumBPS = 2000),
      problem: /^quorumBPS: unknown parameter \(known: /,
    },
  ];

  for (const { scenario, change, problem } of badFields) {
    it(`refuses a file with ${scenario}, naming that field alone`, async function () {
      const params = await goodParams();
      change(params);
      const problems = problemsOf({ [MODULE_ID]: params });
      expect(problems, JSON.stringify(problems)).to.have.length(1);
      expect(problems[0]).to.match(problem);
    });
  }

  it("applies the patronage defaults to a file that leaves them out, and reads them when given", async function () {
    const params = await goodParams();
    for (const key of ["periodLength", "reviewWindow", "attestationThreshold", "payRatio", "claimWindow"])
      delete params[key];
    const defaults = parseCoopParameters({ [MODULE_ID]: params });
    expect([
      defaults.periodLength,
      defaults.reviewWindow,
      defaults.attestationThreshold,
      defaults.payRatio,
      defaults.claimWindow,
    ]).to.deep.equal([91 * 86_400, 14 * 86_400, 1, 6, 90 * 86_400]);
    const given = parseCoopParameters({
      [MODULE_ID]: { ...params, periodLength: 86_400, reviewWindow: "31536000n", attestationThreshold: 3, payRatio: 1 },
    });
    expect([given.periodLength, given.reviewWindow, given.attestationThreshold, given.payRatio]).to.deep.equal([
      86_400,
      365 * 86_400,
      3,
      1,
    ]);
  });

  it("reports every bad field at once, one line each", async function () {
    const params = await goodParams();
    params.quorumBps = 0;
    params.founders = [];
    delete params.symbol;
    const problems = problemsOf({ [MODULE_ID]: params });
    expect(problems).to.have.length(3);
    expect(problems.map((p) => p.split(":")[0]).sort()).to.deep.equal(["founders", "quorumBps", "symbol"]);
    expect(() => parseCoopParameters({ [MODULE_ID]: params }, "x.json")).to.throw(
      ParametersError,
      /^x\.json: 3 problems:\n {2}- /,
    );
  });

  it('refuses a file that is not {"MutualCoop": {...}}', async function () {
    const params = await goodParams();
    expect(problemsOf([params])[0]).to.match(
      /^must be a JSON object of the form \{"MutualCoop": \{\.\.\.\}\}, not an array$/,
    );
    expect(problemsOf(params)[0]).to.match(
      /^no "MutualCoop" entry: the parameters go inside \{"MutualCoop": \{\.\.\.\}\} \(found "name", /,
    );
    expect(problemsOf({ [MODULE_ID]: "x" })).to.deep.equal([
      `${MODULE_ID} must be an object of parameters, not a string`,
    ]);
    expect(problemsOf({ [MODULE_ID]: params, Other: {} })).to.deep.equal([
      `"Other": unknown entry (only "${MODULE_ID}" is deployed)`,
    ]);
  });

  it("names a missing file and a file that is not JSON", async function () {
    await withTempDir(async (dir) => {
      const failure = async (path: string) => {
        try {
          await readCoopParameters(path);
        } catch (error) {
          expect(error).to.be.instanceOf(ParametersError);
          return (error as Error).message;
        }
        expect.fail(`${path} was accepted`);
      };
      expect(await failure(join(dir, "nope.json"))).to.match(/nope\.json: no such file/);
      const broken = join(dir, "broken.json");
      await writeFile(broken, '{"MutualCoop": {"name": "A",}}');
      expect(await failure(broken)).to.match(/broken\.json: not valid JSON: /);
    });
  });
});

describe("Deploy script: deploying from a parameter file on the in-process chain", function () {
  it("deploys the co-op, writes the addresses file under the given root, and leaves the deployer no power", async function () {
    const connection = await network.create();
    const { ethers } = connection;
    const [deployer] = await ethers.getSigners();
    const config = await readCoopParameters(LOCALHOST_FILE);

    await withTempDir(async (root) => {
      const result = await deployFromParameters(connection, config, { root });
      const chainId = Number((await ethers.provider.getNetwork()).chainId);
      expect(result.chainId).to.equal(chainId);
      expect(result.deployer).to.equal(deployer.address);
      expect(result.addressesFile).to.equal(join(root, deploymentFile(chainId)));

      // The file read back describes the contracts that were deployed.
      const { card, credits, governor, timelock, ledger, distributor } = result.coop;
      const recorded = await readDeployment(chainId, root);
      expect(recorded).to.deep.equal({
        chainId,
        name: config.name,
        deployBlock: result.coop.deployBlock,
        contracts: {
          MembershipCard: await card.getAddress(),
          VoiceCredits: await credits.getAddress(),
          MutualGovernor: await governor.getAddress(),
          TimelockController: await timelock.getAddress(),
          ContributionLedger: await ledger.getAddress(),
          PatronageDistributor: await distributor.getAddress(),
        },
      });
      for (const address of Object.values(recorded.contracts)) {
        expect(await ethers.provider.getCode(address), address).to.not.equal("0x");
      }
      expect(await ethers.provider.getCode(recorded.contracts.MembershipCard, recorded.deployBlock - 1)).to.equal("0x");
      expect(await card.name()).to.equal(config.name);
      expect(await governor.quorumFraction()).to.equal(BigInt(config.quorumBps));
      expect(await card.memberCount()).to.equal(BigInt(config.founders.length));
      for (const founder of config.founders) expect(await card.isMember(founder), founder).to.equal(true);

      // Every hand-over check holds, and the deployer is refused where it once had power.
      expect(result.handOver.filter((check) => !check.ok)).to.deep.equal([]);
      expect(result.handOver.length).to.be.greaterThan(0);
      for (const role of [
        await timelock.DEFAULT_ADMIN_ROLE(),
        await timelock.PROPOSER_ROLE(),
        await timelock.CANCELLER_ROLE(),
        await timelock.EXECUTOR_ROLE(),
      ]) {
        expect(await timelock.hasRole(role, deployer.address)).to.equal(false);
      }
      await expect(card.connect(deployer).admit(deployer.address))
        .to.be.revertedWithCustomError(card, "OwnableUnauthorizedAccount")
        .withArgs(deployer.address);
      await expect(credits.connect(deployer).setSchedule(1, 1, 1))
        .to.be.revertedWithCustomError(credits, "OwnableUnauthorizedAccount")
        .withArgs(deployer.address);

      // The hand-over check is not vacuous: a timelock the deployer still administers fails it.
      const keptTimelock = await ethers.deployContract("TimelockController", [0, [], [ZeroAddress], deployer.address]);
      const checks = await checkHandOver({ ...result.coop, timelock: keptTimelock }, deployer.address);
      const failed = checks.filter((check) => !check.ok).map((check) => check.what);
      expect(failed).to.include("MembershipCard is owned by the timelock");
      expect(failed).to.include("the deployer holds no timelock role (holds: admin)");
    });
    await connection.close();
  });
});

describe("Deploy script: the command line refuses bad input before connecting (deploy/main.ts)", function () {
  const run = (args: string[]) =>
    spawnSync(process.execPath, [join(ROOT, "deploy", "main.ts"), ...args], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 60_000,
    });

  it("exits with 2 and names the bad field of the parameter file, before connecting or printing anything else", async function () {
    await withTempDir(async (dir) => {
      const params = await goodParams();
      params.quorumBps = 12_000;
      const file = join(dir, "bad.json");
      await writeFile(file, JSON.stringify({ [MODULE_ID]: params }));

      const child = run(["--network", "localhost", "--parameters", file]);
      expect(child.status, child.stderr).to.equal(2);
      expect(child.stderr).to.match(/quorumBps: 12000 is out of range; it must be between 1 and 10000/);
      // It stopped before connecting: nothing was printed about a network or a deployer.
      expect(child.stdout).to.equal("");
    });
  });

  it("exits with 2 on an unknown option, an unknown network or an in-process network", async function () {
    const unknownOption = run(["--netwrok", "sepolia"]);
    expect(unknownOption.status).to.equal(2);
    expect(unknownOption.stderr).to.match(/Unknown option '--netwrok'/);

    const unknownNetwork = run(["--network", "mainnet"]);
    expect(unknownNetwork.status).to.equal(2);
    expect(unknownNetwork.stderr).to.match(/unknown network "mainnet"; hardhat\.config\.ts defines: .*sepolia/);

    const inProcess = run(["--network", "default"]);
    expect(inProcess.status).to.equal(2);
    expect(inProcess.stderr).to.match(/in-process chain that vanishes/);
  });
});

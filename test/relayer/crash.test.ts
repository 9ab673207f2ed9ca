import { spawn, type ChildProcess } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";

import { expect } from "chai";
import hre from "hardhat";

import type { BallotRequest } from "../../lib/ballots/relay.ts";
import {
  loadVote,
  postBallot,
  setUpLoadCoop,
  signLoadBallots,
  waitUntilSettled,
} from "../../scripts/bench/ballot-load.ts";
import { ROOT } from "../../lib/deployment.node.ts";
import { RELAYER_KEY, deploymentOfCoop, get, tempDir } from "./helpers.ts";

const MEMBERS = 40;
const PROPOSALS = 3;
const KILL_AFTER_ACKS = 60;

/** A TCP port nothing listens on now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

interface RelayerProcess {
  child: ChildProcess;
  output: string[];
  url: string;
}

/** Runs relayer/main.ts in a child process (this process's Node 22) and waits until /health answers. */
async function spawnRelayer(args: string[], port: number): Promise<RelayerProcess> {
  const child = spawn(process.execPath, [join(ROOT, "relayer", "main.ts"), ...args, "--port", String(port)], {
    cwd: ROOT,
    env: { ...process.env, RELAYER_PRIVATE_KEY: RELAYER_KEY },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  child.stdout!.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const until = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the relayer exited (${child.exitCode}): ${output.join("")}`);
    try {
      if ((await fetch(`${url}/health`)).ok) return { child, output, url };
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`the relayer did not answer in time: ${output.join("")}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once("exit", () => resolve()));
}

describe("Relayer crash and restart (separate process)", function () {
  it("loses no acknowledged ballot and counts none twice after a SIGKILL while ballots stream in", async function () {
    const server = await hre.network.createServer("default", "127.0.0.1", 0);
    const { port: rpcPort } = await server.listen();
    const rpc = `http://127.0.0.1:${rpcPort}`;
    const connection = await hre.network.create({ network: "localhost", override: { url: rpc } });
    const children: ChildProcess[] = [];
    // Ignition keeps a journal for a chain served over HTTP: give this throw-away chain its own, removed at the end.
    const deploymentId = `test-relayer-crash-${process.pid}`;
    try {
      const { ethers } = connection;
      const deployConnection = {
        ethers,
        ignition: {
          deploy: (module: Parameters<typeof connection.ignition.deploy>[0], options?: object) =>
            connection.ignition.deploy(module, { ...options, deploymentId }),
        },
      };
      const load = await setUpLoadCoop(deployConnection, MEMBERS, PROPOSALS);
      const deadline = BigInt((await ethers.provider.getBlock("latest"))!.timestamp) + 86_400n;
      const requests = await signLoadBallots(load, deadline);
      const dir = tempDir();
      const deploymentPath = join(dir, "deployment.json");
      writeFileSync(deploymentPath, JSON.stringify(await deploymentOfCoop(load.coop, load.domain.chainId)));
      const args = [
        "--rpc",
        rpc,
        "--deployment",
        deploymentPath,
        "--db",
        join(dir, "relayer.sqlite"),
        "--batch-size",
        "8",
        "--batch-age",
        "0.05",
      ];
      const port = await freePort();

      // First run: stream ballots; kill it hard once KILL_AFTER_ACKS are acknowledged, with posts in flight.
      const first = await spawnRelayer(args, port);
      children.push(first.child);
      const acked = new Map<string, BallotRequest>();
      const unanswered: BallotRequest[] = [];
      let next = 0;
      let killed = false;
      const worker = async () => {
        while (next < requests.length && !killed) {
          const request = requests[next++];
          const result = await postBallot(first.url, request);
          if (result.status === 202) acked.set(result.body.id!, request);
          else if (result.status === 0) unanswered.push(request);
          else throw new Error(`unexpected answer ${result.status}: ${JSON.stringify(result.body)}`);
          if (acked.size >= KILL_AFTER_ACKS && !killed) {
            killed = true;
            first.child.kill("SIGKILL");
          }
        }
      };
      await Promise.all(Array.from({ length: 6 }, worker));
      await exited(first.child);
      expect(first.child.signalCode).to.equal("SIGKILL");
      const countedBeforeRestart = (
        await load.coop.governor.queryFilter(load.coop.governor.filters.VoteCast(), load.coop.deployBlock)
      ).length;

      // Second run on the same database: resend what was never answered and what was never sent, plus a few
      // acknowledged ones again; everything settles.
      const second = await spawnRelayer(args, port);
      children.push(second.child);
      const rest = [...unanswered, ...requests.slice(next)];
      for (const request of rest) {
        const result = await postBallot(second.url, request);
        expect(result.status, JSON.stringify(result.body)).to.equal(202);
        acked.set(result.body.id!, request);
      }
      for (const [id, request] of [...acked].slice(0, 5)) {
        const again = await postBallot(second.url, request);
        expect(again.status).to.equal(202);
        expect(again.body).to.include({ id, duplicate: true });
      }
      expect(acked.size).to.equal(requests.length);
      const health = await waitUntilSettled(second.url, requests.length, 120_000);
      expect(health.ballots).to.deep.equal({ queued: 0, submitted: 0, included: requests.length, rejected: 0 });
      for (const id of acked.keys()) {
        expect((await get(second.url, `/ballots/${id}`)).body.status, id).to.equal("included");
      }

      // On chain: each ballot counted exactly once.
      const { governor } = load.coop;
      for (let p = 0; p < PROPOSALS; p++) {
        for (let m = 0; m < MEMBERS; m++) {
          const voter = load.members[m].address;
          const receipt = await governor.receiptOf(load.proposals[p], voter);
          expect([receipt.voted, receipt.votes]).to.deep.equal([true, loadVote(m, p).votes]);
          expect(await governor.ballotNonce(load.proposals[p], voter)).to.equal(1n);
        }
      }
      const casts = await governor.queryFilter(governor.filters.VoteCast(), load.coop.deployBlock);
      expect(casts).to.have.length(requests.length);
      expect(new Set(casts.map((e) => `${e.args.voter}:${e.args.proposalId}`)).size).to.equal(requests.length);
      expect(countedBeforeRestart).to.be.lessThan(requests.length);

      second.child.kill("SIGTERM");
      await exited(second.child);
      expect(second.child.exitCode).to.equal(0);
      const output = [...first.output, ...second.output].join("");
      expect(output).to.include("relayer: stopping");
      expect(output.toLowerCase()).to.not.include(RELAYER_KEY.slice(2).toLowerCase());
    } finally {
      for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await connection.close();
      await server.close();
      rmSync(join(ROOT, "deploy", "deployments", deploymentId), { recursive: true, force: true });
    }
  });
});

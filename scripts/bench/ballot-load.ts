/**
 * A co-op under a stream of signed ballots, for the relayer's load and crash tests and its benchmark: many
 * members (offline keys: they sign, they never need ETH), a few proposals open for votes, one ballot per member
 * per proposal signed exactly as the app signs, and a client that posts them to a relayer with bounded
 * concurrency.
 */
import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import { Wallet, id as keccakText, keccak256, toUtf8Bytes, type TypedDataField } from "ethers";

import {
  Support,
  governorDomain,
  quadraticBallotTypes,
  type GovernorDomain,
  type QuadraticBallotMessage,
  type SignedBallot,
} from "../../lib/ballots/ballot.ts";
import { toBallotRequest, type BallotRequest } from "../../lib/ballots/relay.ts";
import { hardhatAccountKey } from "../../seeds/bakery.ts";
import { defaultConfig, deployCoop, type Coop, type DeployConnection } from "../../deploy/coop.ts";

const ballotTypes = quadraticBallotTypes as unknown as Record<string, TypedDataField[]>;

export interface LoadCoop {
  coop: Coop;
  /** Every member's key; the first `proposals.length` are Hardhat accounts 1.. (they hold ETH and propose). */
  members: Wallet[];
  /** Proposals open for votes. */
  proposals: bigint[];
  domain: GovernorDomain;
}

/** A member's key that is not a Hardhat account: derived from its number, so runs are repeatable. */
export function loadMemberKey(index: number): string {
  return keccak256(toUtf8Bytes(`mutual relayer load member ${index}`));
}

/**
 * Deploys a co-op of `memberCount` members and opens `proposalCount` proposals, each made by one of the first
 * members (Hardhat accounts 1..proposalCount, which hold ETH), then moves the clock past the voting delay.
 */
export async function setUpLoadCoop(
  connection: DeployConnection,
  memberCount: number,
  proposalCount: number,
): Promise<LoadCoop> {
  const { ethers } = connection;
  const members = Array.from(
    { length: memberCount },
    (_, i) => new Wallet(i < proposalCount ? hardhatAccountKey(i + 1) : loadMemberKey(i)),
  );
  const config = { ...defaultConfig(members.map((m) => m.address)), name: "Load Test Co-op" };
  const coop = await deployCoop(connection, config);
  const proposals: bigint[] = [];
  const signers = await ethers.getSigners();
  const timelock = await coop.timelock.getAddress();
  for (let p = 0; p < proposalCount; p++) {
    const proposer = signers[p + 1];
    if (proposer.address !== members[p].address) throw new Error(`signer ${p + 1} is not member ${p}`);
    const description = `# Load proposal ${p + 1}`;
    await (await coop.governor.connect(proposer).propose([timelock], [0n], ["0x"], description)).wait();
    proposals.push(await coop.governor.getProposalId([timelock], [0n], ["0x"], keccakText(description)));
  }
  await advance(ethers, Number(await coop.governor.votingDelay()) + 1);
  const chainId = (await ethers.provider.getNetwork()).chainId;
  const domain = governorDomain(await coop.governor.name(), chainId, await coop.governor.getAddress());
  return { coop, members, proposals, domain };
}

/** Moves the chain's clock forward by `seconds` and mines a block (any Hardhat chain, in-process or over HTTP). */
export async function advance(ethers: HardhatEthers, seconds: number): Promise<void> {
  await ethers.provider.send("evm_increaseTime", [seconds]);
  await ethers.provider.send("evm_mine", []);
}

/** Signs `message` by `member` exactly as the app does. */
export async function signBallot(
  member: Wallet,
  domain: GovernorDomain,
  message: QuadraticBallotMessage,
): Promise<SignedBallot> {
  return { ...message, signature: await member.signTypedData(domain, ballotTypes, message) };
}

/** The votes member `m` casts on proposal `p` in a load run: 1 to 3, for or against. */
export function loadVote(m: number, p: number): { support: number; votes: bigint } {
  return { support: (m + p) % 3 === 0 ? Support.Against : Support.For, votes: BigInt(1 + ((m + p) % 3)) };
}

/** One first ballot (nonce 0) per member per proposal, member-major, deadline `deadline`. */
export async function signLoadBallots(load: LoadCoop, deadline: bigint): Promise<BallotRequest[]> {
  const requests: BallotRequest[] = [];
  for (let m = 0; m < load.members.length; m++) {
    for (let p = 0; p < load.proposals.length; p++) {
      const { support, votes } = loadVote(m, p);
      const ballot = await signBallot(load.members[m], load.domain, {
        proposalId: load.proposals[p],
        support,
        voter: load.members[m].address,
        votes,
        nonce: 0n,
        deadline,
        reason: "",
      });
      requests.push(toBallotRequest(ballot, load.domain));
    }
  }
  return requests;
}

export interface PostResult {
  request: BallotRequest;
  status: number;
  body: { id?: string; status?: string; error?: string; message?: string };
}

/** Posts one ballot; a connection refused or reset (the relayer gone) is status 0. */
export async function postBallot(url: string, request: BallotRequest): Promise<PostResult> {
  try {
    const response = await fetch(`${url}/ballots`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(request),
    });
    return { request, status: response.status, body: (await response.json()) as PostResult["body"] };
  } catch {
    return { request, status: 0, body: {} };
  }
}

/** Posts every request with at most `concurrency` in flight; results in the order of `requests`. */
export async function postAll(url: string, requests: BallotRequest[], concurrency: number): Promise<PostResult[]> {
  const results: PostResult[] = new Array(requests.length);
  let next = 0;
  const worker = async () => {
    while (next < requests.length) {
      const i = next++;
      results[i] = await postBallot(url, requests[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, requests.length) }, worker));
  return results;
}

/** Polls the relayer until no ballot is queued or submitted; returns the last /health body. */
export async function waitUntilSettled(
  url: string,
  expected: number,
  timeoutMs: number,
): Promise<{ ballots: Record<string, number> }> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const health = (await (await fetch(`${url}/health`)).json()) as { ballots: Record<string, number> };
    const { queued, submitted, included, rejected } = health.ballots;
    if (queued === 0 && submitted === 0 && included + rejected >= expected) return health;
    if (Date.now() > until)
      throw new Error(`the relayer did not settle in ${timeoutMs} ms: ${JSON.stringify(health.ballots)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Shared set-up for the MutualGovernor and signed-ballot tests: a co-op deployed with deployCoop,
 * proposals, the whole governance cycle (propose → vote → queue → execute), ballots signed exactly as the
 * app signs them (lib/ballots/ballot.ts), and a read-out of every piece of state a refused vote must leave untouched.
 * For the card and credits tests: a card and a credits ledger deployed on their own, without a governor.
 */
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { NetworkHelpers } from "@nomicfoundation/hardhat-network-helpers/types";
import { expect } from "chai";
import {
  AbiCoder,
  ZeroHash,
  id as keccakText,
  toBeHex,
  type ContractTransactionResponse,
  type Interface,
  type Result,
  type TypedDataDomain,
  type TypedDataField,
} from "ethers";

import {
  Support,
  governorDomain,
  quadraticBallotTypes,
  type GovernorDomain,
  type QuadraticBallotMessage,
  type SignedBallot,
} from "../../lib/ballots/ballot.ts";

import type { MembershipCard, VoiceCredits } from "../../types/ethers-contracts/index.ts";
import {
  DAY,
  defaultConfig,
  deployCoop,
  type Coop,
  type CoopConfig,
  type DeployConnection,
} from "../../deploy/coop.ts";

/** OpenZeppelin's IGovernor.ProposalState. */
export const ProposalState = {
  Pending: 0n,
  Active: 1n,
  Canceled: 2n,
  Defeated: 3n,
  Succeeded: 4n,
  Queued: 5n,
  Expired: 6n,
  Executed: 7n,
} as const;

/** IMutualGovernor.VoteRefusal, in declaration order (the number BallotSkipped carries). */
export const VoteRefusal = {
  None: 0n,
  ProposalNotActive: 1n,
  InvalidSupport: 2n,
  InvalidVoteParams: 3n,
  ZeroVotes: 4n,
  SwitchedSides: 5n,
  AlreadyAbstained: 6n,
  NotEligible: 7n,
  InsufficientCredits: 8n,
  TooManyVotes: 9n,
  BallotExpired: 10n,
  InvalidNonce: 11n,
  InvalidSignature: 12n,
} as const;

/** The `allowedStates` bitmap OpenZeppelin's Governor puts in GovernorUnexpectedProposalState. */
export function stateBitmap(...states: bigint[]): string {
  return toBeHex(
    states.reduce((bits, s) => bits | (1n << s), 0n),
    32,
  );
}

const coder = AbiCoder.defaultAbiCoder();

/** Vote params: `abi.encode(uint256 votes)`. */
export function encodeVotes(votes: bigint | number): string {
  return coder.encode(["uint256"], [votes]);
}

/** Ceil(members × bps / 10 000), and at least 1: the governor's quorum rule, restated. */
export function quorumFor(members: bigint, bps: bigint): bigint {
  const needed = (members * bps + 9_999n) / 10_000n;
  return needed === 0n ? 1n : needed;
}

export interface Ctx {
  ethers: HardhatEthers;
  helpers: NetworkHelpers;
  coop: Coop;
  deployer: HardhatEthersSigner;
  /** The EOA founders, in order. */
  members: HardhatEthersSigner[];
  /** Signers that hold no card. */
  outsiders: HardhatEthersSigner[];
}

export interface Action {
  target: string;
  value?: bigint;
  data: string;
}

export interface ProposalRef {
  id: bigint;
  targets: string[];
  values: bigint[];
  calldatas: string[];
  description: string;
  descriptionHash: string;
  proposer: HardhatEthersSigner;
}

/**
 * Deploys a co-op whose founders are `memberCount` EOAs (signers 1..memberCount) plus `extraFounders`.
 * Every other signer but the deployer (signer 0) is an outsider.
 */
export async function deployCoopWithMembers(
  connection: DeployConnection & { networkHelpers: NetworkHelpers },
  options: { memberCount?: number; config?: Partial<CoopConfig>; extraFounders?: string[] } = {},
): Promise<Ctx> {
  const { ethers, networkHelpers: helpers } = connection;
  const signers = await ethers.getSigners();
  const memberCount = options.memberCount ?? 10;
  const [deployer, ...rest] = signers;
  const members = rest.slice(0, memberCount);
  const outsiders = rest.slice(memberCount);
  const founders = [...members.map((m) => m.address), ...(options.extraFounders ?? [])];
  const config: CoopConfig = { ...defaultConfig(founders), ...options.config, founders };
  const coop = await deployCoop(connection, config);
  return { ethers, helpers, coop, deployer, members, outsiders };
}

/**
 * The fixtures most governance tests start from, for `loadFixture` (call once per file, so that each keeps its
 * identity): `coop`, ten EOA members with the default parameters (20% quorum, deposit 10, 100 credits a week, cap
 * 400); `openProposal`, the same co-op with one proposal by members[0] open for voting.
 */
export function coopFixtures(connection: DeployConnection & { networkHelpers: NetworkHelpers }) {
  return {
    coopFixture: async (): Promise<Ctx> => deployCoopWithMembers(connection),
    openProposalFixture: async (): Promise<Ctx & { p: ProposalRef }> => {
      const ctx = await deployCoopWithMembers(connection);
      const p = await propose(ctx, ctx.members[0], "Buy a second oven");
      await startVoting(ctx, p);
      return { ...ctx, p };
    },
  };
}

/** A harmless action: send nothing to the timelock (its `receive` accepts it). */
export async function noopAction(ctx: Ctx): Promise<Action> {
  return { target: await ctx.coop.timelock.getAddress(), value: 0n, data: "0x" };
}

/** An action calling `contract.fn(...args)` from the timelock. */
export async function call(
  contract: { getAddress(): Promise<string>; interface: Interface },
  fn: string,
  args: readonly unknown[],
): Promise<Action> {
  return { target: await contract.getAddress(), value: 0n, data: contract.interface.encodeFunctionData(fn, args) };
}

/** Builds a proposal (without submitting it). */
export async function buildProposal(
  ctx: Ctx,
  proposer: HardhatEthersSigner,
  description: string,
  actions?: Action[],
): Promise<ProposalRef> {
  const list = actions ?? [await noopAction(ctx)];
  const targets = list.map((a) => a.target);
  const values = list.map((a) => a.value ?? 0n);
  const calldatas = list.map((a) => a.data);
  const descriptionHash = keccakText(description);
  const id = await ctx.coop.governor.getProposalId(targets, values, calldatas, descriptionHash);
  return { id, targets, values, calldatas, description, descriptionHash, proposer };
}

/** Submits a proposal from `proposer` and returns it. */
export async function propose(
  ctx: Ctx,
  proposer: HardhatEthersSigner,
  description: string,
  actions?: Action[],
): Promise<ProposalRef> {
  const p = await buildProposal(ctx, proposer, description, actions);
  await (await ctx.coop.governor.connect(proposer).propose(p.targets, p.values, p.calldatas, p.description)).wait();
  return p;
}

/** Mines a block at `timestamp` unless the chain is already there. */
export async function advanceTo(ctx: Ctx, timestamp: bigint | number): Promise<void> {
  const latest = BigInt(await ctx.helpers.time.latest());
  if (latest < BigInt(timestamp)) await ctx.helpers.time.increaseTo(BigInt(timestamp));
}

/** Moves time to one second after the snapshot: the proposal is Active. */
export async function startVoting(ctx: Ctx, p: ProposalRef | bigint): Promise<void> {
  const id = typeof p === "bigint" ? p : p.id;
  await advanceTo(ctx, (await ctx.coop.governor.proposalSnapshot(id)) + 1n);
}

/** Moves time to one second after the (possibly extended) deadline: the vote is over. */
export async function endVoting(ctx: Ctx, p: ProposalRef | bigint): Promise<void> {
  const id = typeof p === "bigint" ? p : p.id;
  await advanceTo(ctx, (await ctx.coop.governor.proposalDeadline(id)) + 1n);
}

/** Casts `votes` votes on `support` for `voter`, and waits for the receipt. */
export async function vote(
  ctx: Ctx,
  p: ProposalRef | bigint,
  voter: HardhatEthersSigner,
  support: number,
  votes: bigint | number = 1n,
) {
  const id = typeof p === "bigint" ? p : p.id;
  return (
    await ctx.coop.governor.connect(voter).castVoteWithReasonAndParams(id, support, "", encodeVotes(votes))
  ).wait();
}

/** The members (other than `exclude`) who vote for a proposal so that it reaches quorum and passes. */
export async function passingVoters(ctx: Ctx, p: ProposalRef, exclude: string[] = []): Promise<HardhatEthersSigner[]> {
  const { quorumMembers } = await ctx.coop.governor.proposalTally(p.id);
  const eligible = ctx.members.filter((m) => !exclude.includes(m.address));
  return eligible.slice(0, Number(quorumMembers));
}

/** Queues a passed proposal, waits for the timelock delay, executes it. */
export async function queueAndExecute(ctx: Ctx, p: ProposalRef): Promise<void> {
  const { governor } = ctx.coop;
  await (await governor.queue(p.targets, p.values, p.calldatas, p.descriptionHash)).wait();
  await advanceTo(ctx, (await governor.proposalEta(p.id)) + 1n);
  await (await governor.execute(p.targets, p.values, p.calldatas, p.descriptionHash)).wait();
}

/**
 * Runs the whole governance cycle for `actions`: a member proposes, a quorum of members votes for,
 * the vote ends, the proposal is queued and executed. Returns the executed proposal.
 */
export async function govern(
  ctx: Ctx,
  actions: Action[],
  description: string,
  options: { proposer?: HardhatEthersSigner; exclude?: string[] } = {},
): Promise<ProposalRef> {
  const proposer = options.proposer ?? ctx.members[0];
  const p = await propose(ctx, proposer, description, actions);
  await startVoting(ctx, p);
  for (const voter of await passingVoters(ctx, p, options.exclude)) await vote(ctx, p, voter, 1, 1n);
  await endVoting(ctx, p);
  await queueAndExecute(ctx, p);
  if ((await ctx.coop.governor.state(p.id)) !== ProposalState.Executed)
    throw new Error("governance proposal did not execute");
  return p;
}

/**
 * Opens a `target` proposal whose snapshot precedes the execution of a governance proposal carrying
 * `actions`, then executes that governance proposal while `target` is still Active. This is the set-up of
 * every "membership changed after the snapshot" scenario.
 */
export async function governWhileOpen(
  ctx: Ctx,
  actions: Action[],
  description: string,
  options: {
    targetProposer?: HardhatEthersSigner;
    governanceProposer?: HardhatEthersSigner;
    exclude?: string[];
    /** Runs once the target's snapshot is past and the governance proposal is queued, before it executes. */
    beforeExecute?: (target: ProposalRef) => Promise<void>;
  } = {},
): Promise<{ governance: ProposalRef; target: ProposalRef }> {
  const { governor } = ctx.coop;
  const governanceProposer = options.governanceProposer ?? ctx.members[0];
  const targetProposer = options.targetProposer ?? ctx.members[ctx.members.length - 1];
  const governance = await propose(ctx, governanceProposer, description, actions);
  await startVoting(ctx, governance);
  for (const voter of await passingVoters(ctx, governance, options.exclude)) await vote(ctx, governance, voter, 1, 1n);

  // The target's snapshot falls shortly before the governance vote ends, well before it can be executed.
  const deadline = await governor.proposalDeadline(governance.id);
  await advanceTo(ctx, deadline - 10n - (await governor.votingDelay()));
  const target = await propose(ctx, targetProposer, `Target of: ${description}`);

  await endVoting(ctx, governance);
  await (
    await governor.queue(governance.targets, governance.values, governance.calldatas, governance.descriptionHash)
  ).wait();
  if ((await governor.proposalSnapshot(target.id)) >= BigInt(await ctx.helpers.time.latest())) {
    throw new Error("target snapshot is not past at queue time");
  }
  if (options.beforeExecute) await options.beforeExecute(target);
  await advanceTo(ctx, (await governor.proposalEta(governance.id)) + 1n);
  await (
    await governor.execute(governance.targets, governance.values, governance.calldatas, governance.descriptionHash)
  ).wait();
  if ((await governor.state(governance.id)) !== ProposalState.Executed)
    throw new Error("governance proposal did not execute");
  if ((await governor.state(target.id)) !== ProposalState.Active)
    throw new Error("target proposal is no longer active");
  const latest = BigInt(await ctx.helpers.time.latest());
  if ((await governor.proposalSnapshot(target.id)) >= latest)
    throw new Error("target snapshot is not before the execution");
  return { governance, target };
}

/** The timelock operation id of a queued proposal (GovernorTimelockControl's salt: governor ^ description hash). */
export async function timelockOperationId(ctx: Ctx, p: ProposalRef): Promise<string> {
  const governorAddress = await ctx.coop.governor.getAddress();
  const salt = toBeHex((BigInt(governorAddress) << 96n) ^ BigInt(p.descriptionHash), 32);
  return ctx.coop.timelock.hashOperationBatch(p.targets, p.values, p.calldatas, ZeroHash, salt);
}

function plain(value: unknown): unknown {
  if (value !== null && typeof value === "object" && typeof (value as Result).toArray === "function") {
    return (value as Result).toArray().map(plain);
  }
  return value;
}

/**
 * Everything a refused vote, ballot or settlement must leave untouched: credit balances, held deposits,
 * membership, the enumeration, and per proposal its tally, votes, terms, deadline and state, and each
 * account's receipt, ballot nonce and hasVoted flag.
 */
export async function readState(ctx: Ctx, proposalIds: bigint[], accounts: string[]) {
  const { governor, credits, card } = ctx.coop;
  return {
    balances: await Promise.all(accounts.map((a) => credits.balanceOf(a))),
    stored: await Promise.all(accounts.map(async (a) => plain(await credits.accountOf(a)))),
    heldDeposits: await credits.heldDeposits(),
    memberCount: await card.memberCount(),
    proposalCount: await governor.proposalCount(),
    proposals: await Promise.all(
      proposalIds.map(async (id) => ({
        state: await governor.state(id),
        tally: plain(await governor.proposalTally(id)),
        votes: plain(await governor.proposalVotes(id)),
        terms: plain(await governor.proposalTerms(id)),
        deadline: await governor.proposalDeadline(id),
        receipts: await Promise.all(
          accounts.map(async (a) => ({
            receipt: plain(await governor.receiptOf(id, a)),
            nonce: await governor.ballotNonce(id, a),
            hasVoted: await governor.hasVoted(id, a),
          })),
        ),
      })),
    ),
  };
}

/** Runs `attempt` (which asserts a refusal) and checks that {readState} is the same before and after. */
export async function expectUnchanged(
  ctx: Ctx,
  proposalIds: bigint[],
  accounts: string[],
  attempt: () => Promise<unknown>,
): Promise<void> {
  const before = await readState(ctx, proposalIds, accounts);
  await attempt();
  expect(await readState(ctx, proposalIds, accounts)).to.deep.equal(before);
}

/**
 * Asserts that each of `voters`, voting on `proposalId` with castVote on each of `supports` in turn, is refused
 * with MutualGovernorNotEligible(voter, snapshot), and that {readState} of the proposal and the voters is unchanged.
 */
export async function expectNotEligible(
  ctx: Ctx,
  proposalId: bigint,
  voters: HardhatEthersSigner[],
  supports: number[] = [Support.For],
): Promise<void> {
  const { governor } = ctx.coop;
  const snapshot = await governor.proposalSnapshot(proposalId);
  await expectUnchanged(
    ctx,
    [proposalId],
    voters.map((v) => v.address),
    async () => {
      for (const voter of voters) {
        for (const support of supports) {
          await expect(governor.connect(voter).castVote(proposalId, support))
            .to.be.revertedWithCustomError(governor, "MutualGovernorNotEligible")
            .withArgs(voter.address, snapshot);
        }
      }
    },
  );
}

/** The timestamp of the block that mined `tx`. */
export async function minedAt(ctx: Ctx, tx: { wait(): Promise<{ blockNumber: number } | null> }): Promise<bigint> {
  const receipt = await tx.wait();
  if (receipt === null) throw new Error("transaction was not mined");
  const block = await ctx.ethers.provider.getBlock(receipt.blockNumber);
  if (block === null) throw new Error("block not found");
  return BigInt(block.timestamp);
}

/** Per-account state only: credit balances and, per proposal, each account's receipt, ballot nonce and hasVoted. */
export async function readAccounts(ctx: Ctx, proposalIds: bigint[], accounts: string[]) {
  const { governor, credits } = ctx.coop;
  return {
    balances: await Promise.all(accounts.map((a) => credits.balanceOf(a))),
    receipts: await Promise.all(
      proposalIds.map((id) =>
        Promise.all(
          accounts.map(async (a) => ({
            receipt: plain(await governor.receiptOf(id, a)),
            nonce: await governor.ballotNonce(id, a),
            hasVoted: await governor.hasVoted(id, a),
          })),
        ),
      ),
    ),
  };
}

/** Anything that signs EIP-712 data as ethers' signers do: a Hardhat signer or a Wallet. */
export interface TypedDataSigner {
  address: string;
  signTypedData(domain: TypedDataDomain, types: Record<string, TypedDataField[]>, value: object): Promise<string>;
}

/** The co-op governor's EIP-712 domain, as the app builds it (lib/ballots/ballot.ts): its name, the chain, its address. */
export async function coopDomain(ctx: Ctx): Promise<GovernorDomain> {
  const { governor } = ctx.coop;
  const { chainId } = await ctx.ethers.provider.getNetwork();
  return governorDomain(await governor.name(), chainId, await governor.getAddress());
}

/** Signs `message` over `domain` exactly as the app does: the QuadraticBallot types of lib/ballots/ballot.ts. */
export async function signBallotMessage(
  signer: TypedDataSigner,
  domain: GovernorDomain,
  message: QuadraticBallotMessage,
): Promise<SignedBallot> {
  return { ...message, signature: await signer.signTypedData(domain, quadraticBallotTypes, message) };
}

/**
 * A ballot signed by `signer` over `domain` (the co-op's own unless given), for itself unless `fields.voter` says
 * otherwise. Unless given: one vote for, the voter's current nonce on the proposal, a deadline an hour away, no reason.
 */
export async function signBallot(
  ctx: Ctx,
  signer: TypedDataSigner,
  fields: Partial<QuadraticBallotMessage> & { proposalId: bigint },
  domain?: GovernorDomain,
): Promise<SignedBallot> {
  const voter = fields.voter ?? signer.address;
  const message: QuadraticBallotMessage = {
    proposalId: fields.proposalId,
    support: fields.support ?? Support.For,
    voter,
    votes: fields.votes ?? 1n,
    nonce: fields.nonce ?? (await ctx.coop.governor.ballotNonce(fields.proposalId, voter)),
    deadline: fields.deadline ?? BigInt(await ctx.helpers.time.latest()) + 3600n,
    reason: fields.reason ?? "",
  };
  return signBallotMessage(signer, domain ?? (await coopDomain(ctx)), message);
}

/** OpenZeppelin Governor's EIP-712 types for castVoteBySig. */
export const ozBallotTypes = {
  Ballot: [
    { name: "proposalId", type: "uint256" },
    { name: "support", type: "uint8" },
    { name: "voter", type: "address" },
    { name: "nonce", type: "uint256" },
  ],
};

/** OpenZeppelin Governor's EIP-712 types for castVoteWithReasonAndParamsBySig. */
export const ozExtendedBallotTypes = {
  ExtendedBallot: [
    { name: "proposalId", type: "uint256" },
    { name: "support", type: "uint8" },
    { name: "voter", type: "address" },
    { name: "nonce", type: "uint256" },
    { name: "reason", type: "string" },
    { name: "params", type: "bytes" },
  ],
};

/** Deploys a MembershipCard named `name` (symbol BAKE) owned by `owner`. */
export async function deployCard(
  ethers: HardhatEthers,
  owner: HardhatEthersSigner,
  name = "Bakery Co-op",
): Promise<MembershipCard> {
  const card = (await ethers.deployContract(
    "MembershipCard",
    [name, "BAKE", owner.address],
    owner,
  )) as unknown as MembershipCard;
  await card.waitForDeployment();
  return card;
}

/**
 * Deploys a VoiceCredits ledger (symbol VOICE) for `card`, owned by `owner`. Unless given: named "Bakery Voice
 * Credits", weekly epochs of 100 credits, a cap of 400.
 */
export async function deployCredits(
  ethers: HardhatEthers,
  card: MembershipCard,
  owner: HardhatEthersSigner,
  options: { name?: string; epochLength?: number | bigint; creditsPerEpoch?: bigint; maxBalance?: bigint } = {},
): Promise<VoiceCredits> {
  const credits = (await ethers.deployContract(
    "VoiceCredits",
    [
      await card.getAddress(),
      options.name ?? "Bakery Voice Credits",
      "VOICE",
      options.epochLength ?? 7 * DAY,
      options.creditsPerEpoch ?? 100n,
      options.maxBalance ?? 400n,
      owner.address,
    ],
    owner,
  )) as unknown as VoiceCredits;
  await credits.waitForDeployment();
  return credits;
}

/** A card and its credits owned by the deployer, with a plain signer as the credits' governor; and the other signers. */
export interface OwnedCard {
  card: MembershipCard;
  credits: VoiceCredits;
  owner: HardhatEthersSigner;
  gov: HardhatEthersSigner;
  alice: HardhatEthersSigner;
  bob: HardhatEthersSigner;
  carol: HardhatEthersSigner;
  dave: HardhatEthersSigner;
  stranger: HardhatEthersSigner;
}

/**
 * A card and a credits ledger (default schedule) bound to each other and owned by the deployer, signer 0 (so
 * governance-only functions can be called directly), with signer 1 as the governor (so spending and deposits can be
 * exercised without a governor contract).
 */
export async function deployOwnedCard(
  ethers: HardhatEthers,
  names: { card?: string; credits?: string } = {},
): Promise<OwnedCard> {
  const [owner, gov, alice, bob, carol, dave, stranger] = await ethers.getSigners();
  const card = await deployCard(ethers, owner, names.card);
  const credits = await deployCredits(ethers, card, owner, { name: names.credits });
  await (await card.bindVoiceCredits(await credits.getAddress())).wait();
  await (await credits.setGovernor(gov.address)).wait();
  return { card, credits, owner, gov, alice, bob, carol, dave, stranger };
}

/**
 * Block-time helpers for `connection`: `timestampOf(tx)`, the timestamp of the block that mined `tx`;
 * `sendAt(t, send)`, sends `send()` in a block with exactly timestamp `t` and checks that it was mined then.
 */
export function blockTime(connection: { ethers: HardhatEthers; networkHelpers: NetworkHelpers }) {
  const { ethers, networkHelpers } = connection;
  async function timestampOf(tx: Promise<ContractTransactionResponse> | ContractTransactionResponse): Promise<number> {
    const receipt = await (await tx).wait();
    if (receipt === null) throw new Error("transaction was not mined");
    const block = await ethers.provider.getBlock(receipt.blockNumber);
    if (block === null) throw new Error("block not found");
    return block.timestamp;
  }
  async function sendAt(t: number, send: () => Promise<ContractTransactionResponse>): Promise<void> {
    await networkHelpers.time.setNextBlockTimestamp(t);
    expect(await timestampOf(send())).to.equal(t);
  }
  return { timestampOf, sendAt };
}

/**
 * Gas benchmark: Mutual against the OpenZeppelin Governor v5 a token DAO deploys.
 *
 *   npm run bench                                 # table on stdout
 *   BENCH_JSON=1 npm run bench                    # the same rows as JSON on stdout
 *   npx hardhat run scripts/bench/gas.ts          # without the install check
 *   BENCH_JSON=1 npx hardhat run scripts/bench/gas.ts
 *
 * JSON output: set BENCH_JSON=1. Hardhat 3.18's `run` forwards no arguments to the script:
 * `hardhat run scripts/bench/gas.ts --json` fails with HHE504 (unknown option) and `... -- --json`
 * with HHE506, and so does `npm run bench -- --json`. The script still honours `--json` should it
 * ever reach process.argv, but BENCH_JSON=1 is the supported switch. Progress goes to stderr and the
 * result alone to stdout, so `BENCH_JSON=1 npm run bench --silent > gas.json` gives clean JSON.
 *
 * What it does, in one run on one in-process chain, with the contracts of this project built with
 * the project's compiler settings:
 *  - deploys a Mutual co-op with `deployCoop` (20 founders, powers handed to the timelock), a second
 *    Mutual co-op whose card stays owned by the deployer (for the admission row only), and the
 *    OpenZeppelin reference: ReferenceVotesToken (ERC20Votes) + TimelockController + ReferenceGovernor
 *    with the same voting delay, voting period, quorum share and timelock delay; the same 20 voters
 *    each received 100 tokens and delegated to themselves beforehand;
 *  - sends every measured operation as a real transaction, Mutual first then OpenZeppelin, in a fixed
 *    order from fixed accounts (voter keys are derived from fixed strings), and records
 *    `receipt.gasUsed` (intrinsic 21,000 and calldata included);
 *  - asserts each transaction succeeded and, for votes, that the tally moved by exactly that vote.
 *
 * Rows: operation | Mutual | OpenZeppelin | ratio (Mutual/OZ). "n/a" where a system has no such
 * operation. Reading them:
 *  - votes happen in the same credit epoch as the members' admission, so Mutual's credit accrual takes
 *    its usual path with nothing to add; the reference voters have one checkpoint each (OZ's best case);
 *  - "propose (first proposal ever)" includes Mutual's one-off write of the proposal list's length;
 *    Mutual's propose also stakes the deposit and pre-writes the tally slot that votes then update;
 *  - the reference's castVoteBySig writes a fresh nonce slot per voter; Mutual's ballot nonce lives in
 *    the vote receipt;
 *  - the chain is Hardhat's default in-process network (EDR); its hardfork is printed on stderr.
 */
import { network } from "hardhat";
import {
  AbiCoder,
  Wallet,
  ZeroAddress,
  id,
  parseEther,
  type TransactionReceipt,
  type TransactionResponse,
} from "ethers";

import { defaultConfig, deployCoop } from "../lib/deploy-coop.ts";
import { Support, ballotTuple, governorDomain, quadraticBallotTypes, type SignedBallot } from "../../lib/ballots.ts";
import type {
  MembershipCard,
  MutualGovernor,
  ReferenceGovernor,
  ReferenceVotesToken,
  TimelockController,
  VoiceCredits,
} from "../../types/ethers-contracts/index.ts";

const JSON_OUTPUT = process.env.BENCH_JSON === "1" || process.argv.includes("--json");

// ------------------------------------------------------------------------------------------------
// Set-up
// ------------------------------------------------------------------------------------------------

const VOTERS = 20;
const TOKENS_PER_VOTER = parseEther("100");
const QUORUM_PERCENT = 20; // the reference's quorum, equal to Mutual's default 2000 bps
const PAYMENT = parseEther("1");
const REASON = "Fresh flour keeps the ovens busy";
const BATCH = 10;
// Voter positions on the measured proposal (0-based): see the order of votes below.
const FIRST = 0;
const LATER = 4; // the 5th voter
const WITH_REASON = 5;
const WITH_PARAMS = 6;
const SIGNED = 7;
const BATCH_FROM = 8; // voters 8..17 sign the batch
const NEW_EPOCH = 18; // votes one credit epoch later: the first spend of a new epoch
const PROPOSER = VOTERS - 1;

const connection = await network.create();
const { ethers, networkHelpers, networkName, networkConfig } = connection;
const coder = AbiCoder.defaultAbiCoder();
const progress = (text: string) => console.error(`• ${text}`);

/** A fixed key per role, so that every run uses the same addresses. */
const wallet = (label: string) => new Wallet(id(`mutual gas benchmark: ${label}`), ethers.provider);

const [deployer] = await ethers.getSigners();
const relayer = deployer;
const voters = Array.from({ length: VOTERS }, (_, i) => wallet(`voter ${i}`));
const newcomer = wallet("newcomer");
const supplier = wallet("supplier");
const chainId = (await ethers.provider.getNetwork()).chainId;

/** Sends a transaction, waits for it, and checks it succeeded. */
async function mined(label: string, sent: Promise<TransactionResponse>): Promise<TransactionReceipt> {
  const response = await sent;
  const receipt = await response.wait();
  if (receipt === null || receipt.status !== 1) throw new Error(`${label}: transaction failed`);
  return receipt;
}

/** Sends a measured transaction and returns its gasUsed. */
async function gasOf(label: string, sent: Promise<TransactionResponse>): Promise<bigint> {
  return (await mined(label, sent)).gasUsed;
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(`benchmark check failed: ${message}`);
}

progress(`network ${networkName} (chain ${chainId}, hardfork ${"hardfork" in networkConfig ? networkConfig.hardfork : "?"})`);
progress("funding the voters, the newcomer and the supplier");
for (const account of [...voters, newcomer, supplier]) {
  await mined("fund", deployer.sendTransaction({ to: account.address, value: parseEther("10") }));
}

// --- Mutual: a co-op as `deployCoop` makes it (every power with the timelock) ---
progress("deploying a Mutual co-op with 20 members (deployCoop)");
// The default rules, with a vote long enough (8 days) to span a credit epoch (7 days), so that one row
// measures a vote that is the member's first spend of a new epoch. The period does not change any gas figure.
const config = { ...defaultConfig(voters.map((v) => v.address)), votingPeriod: 8 * 24 * 60 * 60 };
const coop = await deployCoop(connection, config);
const mGovernor: MutualGovernor = coop.governor;
const mTimelock: TimelockController = coop.timelock;

// --- Mutual, second co-op: the deployer stays owner of the card, so that `admit` is a direct call ---
progress("deploying a Mutual co-op whose card the deployer still owns (admission row)");
const ownedCard = (await ethers.deployContract(
  "MembershipCard",
  [config.name, config.symbol, deployer.address],
  deployer,
)) as unknown as MembershipCard;
await ownedCard.waitForDeployment();
const ownedCredits = (await ethers.deployContract(
  "VoiceCredits",
  [
    await ownedCard.getAddress(),
    `${config.name} Voice Credits`,
    "VOICE",
    config.epochLength,
    config.creditsPerEpoch,
    config.maxBalance,
    deployer.address,
  ],
  deployer,
)) as unknown as VoiceCredits;
await ownedCredits.waitForDeployment();
await mined("bind credits", ownedCard.bindVoiceCredits(await ownedCredits.getAddress()));
const ownedTimelock = (await ethers.deployContract(
  "TimelockController",
  [config.timelockDelay, [], [ZeroAddress], deployer.address],
  deployer,
)) as unknown as TimelockController;
await ownedTimelock.waitForDeployment();
const ownedGovernor = (await ethers.deployContract(
  "MutualGovernor",
  [
    config.name,
    await ownedCard.getAddress(),
    await ownedCredits.getAddress(),
    await ownedTimelock.getAddress(),
    {
      votingDelay: config.votingDelay,
      votingPeriod: config.votingPeriod,
      quorumBps: config.quorumBps,
      proposalDeposit: config.proposalDeposit,
      lateQuorumExtension: config.lateQuorumExtension,
    },
  ],
  deployer,
)) as unknown as MutualGovernor;
await ownedGovernor.waitForDeployment();
await mined("set governor", ownedCredits.setGovernor(await ownedGovernor.getAddress()));
for (const v of voters) await mined("admit founder", ownedCard.admit(v.address));

// --- OpenZeppelin reference ---
progress("deploying the OpenZeppelin reference (ERC20Votes + TimelockController + Governor)");
const token = (await ethers.deployContract("ReferenceVotesToken", [], deployer)) as unknown as ReferenceVotesToken;
await token.waitForDeployment();
const oTimelock = (await ethers.deployContract(
  "TimelockController",
  [config.timelockDelay, [], [ZeroAddress], deployer.address],
  deployer,
)) as unknown as TimelockController;
await oTimelock.waitForDeployment();
const oGovernor = (await ethers.deployContract(
  "ReferenceGovernor",
  [await token.getAddress(), await oTimelock.getAddress(), config.votingDelay, config.votingPeriod, QUORUM_PERCENT],
  deployer,
)) as unknown as ReferenceGovernor;
await oGovernor.waitForDeployment();
const oGovernorAddress = await oGovernor.getAddress();
await mined("grant proposer", oTimelock.grantRole(await oTimelock.PROPOSER_ROLE(), oGovernorAddress));
await mined("grant canceller", oTimelock.grantRole(await oTimelock.CANCELLER_ROLE(), oGovernorAddress));
await mined("renounce admin", oTimelock.renounceRole(await oTimelock.DEFAULT_ADMIN_ROLE(), deployer.address));
for (const v of voters) {
  await mined("mint", token.mint(v.address, TOKENS_PER_VOTER));
  await mined("delegate", token.connect(v).delegate(v.address));
}

for (const treasury of [mTimelock, oTimelock]) {
  await mined(
    "fund treasury",
    deployer.sendTransaction({ to: await treasury.getAddress(), value: parseEther("10") }),
  );
}

// Same settings on both sides.
check((await mGovernor.votingDelay()) === (await oGovernor.votingDelay()), "voting delays differ");
check((await mGovernor.votingPeriod()) === (await oGovernor.votingPeriod()), "voting periods differ");
check((await mTimelock.getMinDelay()) === (await oTimelock.getMinDelay()), "timelock delays differ");
check((await coop.card.memberCount()) === BigInt(VOTERS), "Mutual should have 20 members");
for (const v of voters) {
  check((await token.delegates(v.address)) === v.address, "every reference voter delegated to self");
}

// ------------------------------------------------------------------------------------------------
// Measurements
// ------------------------------------------------------------------------------------------------

interface Row {
  operation: string;
  mutual: number | null;
  openzeppelin: number | null;
  ratio: number | null;
}
const rows: Row[] = [];
function row(operation: string, mutual: bigint | number | null, openzeppelin: bigint | number | null): void {
  const m = mutual === null ? null : Number(mutual);
  const o = openzeppelin === null ? null : Number(openzeppelin);
  rows.push({ operation, mutual: m, openzeppelin: o, ratio: m !== null && o !== null ? Math.round((m / o) * 1000) / 1000 : null });
}

// --- Admission of a member who can vote at once ---
progress("admission: card.admit vs token.mint + delegate");
const admitGas = await gasOf("admit", ownedCard.admit(newcomer.address));
check(await ownedCard.isMember(newcomer.address), "newcomer admitted");
check((await ownedCredits.balanceOf(newcomer.address)) === config.creditsPerEpoch, "newcomer holds credits at once");
const mintGas = await gasOf("mint", token.mint(newcomer.address, TOKENS_PER_VOTER));
const delegateGas = await gasOf("delegate", token.connect(newcomer).delegate(newcomer.address));
check((await token.getVotes(newcomer.address)) === TOKENS_PER_VOTER, "newcomer holds votes at once");

// --- Proposals: the same single action on both sides (the treasury pays the supplier 1 ETH) ---
const targets = [supplier.address];
const values = [PAYMENT];
const calldatas = ["0x"];
// Same length, so that the two propose rows differ only by what a first proposal costs.
const warmUpDescription = "Pay the flour supplier 1 ETH, round 1";
const description = "Pay the flour supplier 1 ETH, round 2";
const descriptionHash = id(description);

progress("propose (first proposal ever, then a second one)");
const proposer = voters[PROPOSER];
const mProposeFirst = await gasOf("Mutual propose #1", mGovernor.connect(proposer).propose(targets, values, calldatas, warmUpDescription));
const oProposeFirst = await gasOf("OZ propose #1", oGovernor.connect(proposer).propose(targets, values, calldatas, warmUpDescription));
const mPropose = await gasOf("Mutual propose", mGovernor.connect(proposer).propose(targets, values, calldatas, description));
const oPropose = await gasOf("OZ propose", oGovernor.connect(proposer).propose(targets, values, calldatas, description));
const mId = await mGovernor.getProposalId(targets, values, calldatas, descriptionHash);
const oId = await oGovernor.getProposalId(targets, values, calldatas, descriptionHash);
check((await mGovernor.proposalCount()) === 2n && (await mGovernor.proposalIdAt(1)) === mId, "Mutual proposal recorded");
check((await oGovernor.proposalProposer(oId)) === proposer.address, "reference proposal recorded");

await networkHelpers.time.increase(config.votingDelay + 1);
check((await mGovernor.state(mId)) === 1n && (await oGovernor.state(oId)) === 1n, "both proposals are active");

/** Measures one Mutual vote and checks the tally moved by `votes` votes and one voter, for. */
async function mutualVote(label: string, voter: string, votes: bigint, sent: () => Promise<TransactionResponse>) {
  const before = await mGovernor.proposalTally(mId);
  const gas = await gasOf(label, sent());
  const after = await mGovernor.proposalTally(mId);
  check(after.forVotes === before.forVotes + votes, `${label}: ${votes} vote(s) counted for`);
  check(after.forVoters === before.forVoters + 1n, `${label}: one more voter for`);
  const receipt = await mGovernor.receiptOf(mId, voter);
  check(receipt.voted && receipt.support === BigInt(Support.For) && receipt.votes === votes, `${label}: receipt`);
  return gas;
}

/** Measures one reference vote and checks the tally moved by the voter's weight, for. */
async function referenceVote(label: string, voter: string, sent: () => Promise<TransactionResponse>) {
  const before = await oGovernor.proposalVotes(oId);
  const gas = await gasOf(label, sent());
  const after = await oGovernor.proposalVotes(oId);
  check(after.forVotes === before.forVotes + TOKENS_PER_VOTER, `${label}: weight counted for`);
  check(await oGovernor.hasVoted(oId, voter), `${label}: hasVoted`);
  return gas;
}

const votesParam = (n: number) => coder.encode(["uint256"], [n]);
const castVote = async (i: number) => {
  const v = voters[i];
  return [
    await mutualVote(`Mutual castVote #${i + 1}`, v.address, 1n, () => mGovernor.connect(v).castVote(mId, Support.For)),
    await referenceVote(`OZ castVote #${i + 1}`, v.address, () => oGovernor.connect(v).castVote(oId, Support.For)),
  ] as const;
};

progress("castVote: first voter, voters 2–4, then the 5th voter");
const [mFirst, oFirst] = await castVote(FIRST);
for (let i = FIRST + 1; i < LATER; i++) await castVote(i);
const [mLater, oLater] = await castVote(LATER);

progress("castVoteWithReason");
const reasonVoter = voters[WITH_REASON];
const mReason = await mutualVote("Mutual castVoteWithReason", reasonVoter.address, 1n, () =>
  mGovernor.connect(reasonVoter).castVoteWithReason(mId, Support.For, REASON),
);
const oReason = await referenceVote("OZ castVoteWithReason", reasonVoter.address, () =>
  oGovernor.connect(reasonVoter).castVoteWithReason(oId, Support.For, REASON),
);

progress("castVoteWithReasonAndParams, 3 votes (Mutual only)");
const paramsVoter = voters[WITH_PARAMS];
const mParams = await mutualVote("Mutual castVoteWithReasonAndParams", paramsVoter.address, 3n, () =>
  mGovernor.connect(paramsVoter).castVoteWithReasonAndParams(mId, Support.For, REASON, votesParam(3)),
);
// The reference has no multi-vote ballot; the same voter votes plainly so both tallies keep the same voters.
await referenceVote("OZ castVote (unmeasured)", paramsVoter.address, () => oGovernor.connect(paramsVoter).castVote(oId, Support.For));

// --- Signed votes ---
const mDomain = governorDomain(await mGovernor.name(), chainId, await mGovernor.getAddress());
const oDomain = governorDomain(await oGovernor.name(), chainId, oGovernorAddress);
const mutualBallotTypes = quadraticBallotTypes;
const referenceBallotTypes = {
  Ballot: [
    { name: "proposalId", type: "uint256" },
    { name: "support", type: "uint8" },
    { name: "voter", type: "address" },
    { name: "nonce", type: "uint256" },
  ],
};
// A fixed deadline (2100-01-01), not "now + 1 day": the chain's clock follows the wall clock, and a
// deadline taken from it would change the ballots' calldata, hence their gas, from run to run.
const ballotDeadline = 4_102_444_800n;
check(BigInt((await ethers.provider.getBlock("latest"))!.timestamp) < ballotDeadline, "ballot deadline in the future");

async function signMutual(v: Wallet): Promise<SignedBallot> {
  const message = {
    proposalId: mId,
    support: Support.For,
    voter: v.address,
    votes: 1n,
    nonce: await mGovernor.ballotNonce(mId, v.address),
    deadline: ballotDeadline,
    reason: "",
  };
  const signature = await v.signTypedData(mDomain, mutualBallotTypes, message);
  return { ...message, signature };
}

async function signReference(v: Wallet): Promise<string> {
  const nonce = await oGovernor.nonces(v.address);
  return v.signTypedData(oDomain, referenceBallotTypes, { proposalId: oId, support: Support.For, voter: v.address, nonce });
}

progress("one signed vote: castBallot vs castVoteBySig");
const signer = voters[SIGNED];
const mBallot = await signMutual(signer);
const oSignature = await signReference(signer);
const mSigned = await mutualVote("Mutual castBallot", signer.address, 1n, () =>
  mGovernor.connect(relayer).castBallot(ballotTuple(mBallot)),
);
const oSigned = await referenceVote("OZ castVoteBySig", signer.address, () =>
  oGovernor.connect(relayer).castVoteBySig(oId, Support.For, signer.address, oSignature),
);
check((await oGovernor.nonces(signer.address)) === 1n, "reference nonce used");

progress(`${BATCH} signed ballots: one castBallots vs ${BATCH} castVoteBySig`);
const batchVoters = voters.slice(BATCH_FROM, BATCH_FROM + BATCH);
const mBallots: ReturnType<typeof ballotTuple>[] = [];
for (const v of batchVoters) mBallots.push(ballotTuple(await signMutual(v)));
const oSignatures: string[] = [];
for (const v of batchVoters) oSignatures.push(await signReference(v));

const tallyBefore = await mGovernor.proposalTally(mId);
const batchReceipt = await mined("Mutual castBallots", mGovernor.connect(relayer).castBallots(mBallots));
const tallyAfter = await mGovernor.proposalTally(mId);
const skipped = batchReceipt.logs.filter((log) => mGovernor.interface.parseLog(log)?.name === "BallotSkipped");
check(skipped.length === 0, "no ballot of the batch was skipped");
check(tallyAfter.forVotes === tallyBefore.forVotes + BigInt(BATCH), "every batched ballot counted");
check(tallyAfter.forVoters === tallyBefore.forVoters + BigInt(BATCH), "every batched voter counted");
for (const v of batchVoters) check((await mGovernor.receiptOf(mId, v.address)).voted, "batched voter has a receipt");
const mBatch = batchReceipt.gasUsed;

let oBatch = 0n;
for (let i = 0; i < BATCH; i++) {
  const v = batchVoters[i];
  oBatch += await referenceVote(`OZ castVoteBySig (batch ${i + 1})`, v.address, () =>
    oGovernor.connect(relayer).castVoteBySig(oId, Support.For, v.address, oSignatures[i]),
  );
}

// --- A vote in a new credit epoch: the member's credits are brought up to date first ---
progress("castVote one credit epoch later");
await networkHelpers.time.increase(config.epochLength);
check((await mGovernor.state(mId)) === 1n && (await oGovernor.state(oId)) === 1n, "both proposals still active");
check((await coop.credits.currentEpoch()) === 1n, "the vote falls in the next credit epoch");
const [mNewEpoch, oNewEpoch] = await castVote(NEW_EPOCH);

// --- Queue and execute ---
progress("queue and execute");
await networkHelpers.time.increase(config.votingPeriod + 1);
check((await mGovernor.state(mId)) === 4n && (await oGovernor.state(oId)) === 4n, "both proposals succeeded");
const mQueue = await gasOf("Mutual queue", mGovernor.queue(targets, values, calldatas, descriptionHash));
const oQueue = await gasOf("OZ queue", oGovernor.queue(targets, values, calldatas, descriptionHash));
check((await mGovernor.state(mId)) === 5n && (await oGovernor.state(oId)) === 5n, "both proposals queued");
await networkHelpers.time.increase(config.timelockDelay + 1);
const paid = await ethers.provider.getBalance(supplier.address);
const mExecute = await gasOf("Mutual execute", mGovernor.execute(targets, values, calldatas, descriptionHash));
const oExecute = await gasOf("OZ execute", oGovernor.execute(targets, values, calldatas, descriptionHash));
check((await mGovernor.state(mId)) === 7n && (await oGovernor.state(oId)) === 7n, "both proposals executed");
check((await ethers.provider.getBalance(supplier.address)) === paid + 2n * PAYMENT, "the supplier was paid twice");

// ------------------------------------------------------------------------------------------------
// Report
// ------------------------------------------------------------------------------------------------

row("propose (first proposal ever)", mProposeFirst, oProposeFirst);
row("propose", mPropose, oPropose);
row("castVote, first vote on a proposal", mFirst, oFirst);
row("castVote, later voter (5th)", mLater, oLater);
row("castVote, later voter, first spend of a new epoch", mNewEpoch, oNewEpoch);
row("castVoteWithReason", mReason, oReason);
row("castVoteWithReasonAndParams, 3 votes", mParams, null);
row("signed vote: castBallot | castVoteBySig", mSigned, oSigned);
row(`${BATCH} signed votes, total: castBallots | ${BATCH} castVoteBySig txs`, mBatch, oBatch);
row(`${BATCH} signed votes, per vote: castBallots/${BATCH} | avg castVoteBySig`, Math.round(Number(mBatch) / BATCH), Math.round(Number(oBatch) / BATCH));
row("admit a member who can vote at once: card.admit | mint + delegate", admitGas, mintGas + delegateGas);
row("queue", mQueue, oQueue);
row("execute", mExecute, oExecute);
row("queue + execute", mQueue + mExecute, oQueue + oExecute);

if (JSON_OUTPUT) {
  console.log(JSON.stringify(rows, null, 2));
} else {
  const headers = ["operation", "Mutual", "OpenZeppelin", "ratio (Mutual/OZ)"];
  const cells = rows.map((r) => [
    r.operation,
    r.mutual === null ? "n/a" : r.mutual.toLocaleString("en-US"),
    r.openzeppelin === null ? "n/a" : r.openzeppelin.toLocaleString("en-US"),
    r.ratio === null ? "n/a" : r.ratio.toFixed(3),
  ]);
  const widths = headers.map((h, c) => Math.max(h.length, ...cells.map((line) => line[c].length)));
  const line = (values: string[]) =>
    values.map((v, c) => (c === 0 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join(" | ");
  console.log(`\nGas used per transaction (receipt.gasUsed, including the 21,000 base and calldata)`);
  console.log(`${VOTERS} voters; OpenZeppelin token mint ${mintGas.toLocaleString("en-US")} + delegate ${delegateGas.toLocaleString("en-US")}\n`);
  console.log(line(headers));
  console.log(widths.map((w) => "-".repeat(w)).join("-|-"));
  for (const c of cells) console.log(line(c));
}

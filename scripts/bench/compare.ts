/**
 * Mutual against the OpenZeppelin Governor v5 a token DAO deploys: every row of the table, measured as real
 * transactions on one chain and checked (each succeeded; each vote moved the tally by exactly that vote).
 *
 * Set-up, in this order (the order fixes every address, hence every signed byte, hence every figure):
 *  - a Mutual co-op from `deployCoop` (20 founders, every power with the timelock), and a second Mutual co-op
 *    whose card the deployer still owns (for the admission row);
 *  - the OpenZeppelin reference: ReferenceVotesToken (ERC20Votes) + TimelockController + ReferenceGovernor with
 *    the same voting delay, voting period, quorum share and timelock delay; the same 20 voters each received
 *    100 tokens and delegated to themselves beforehand;
 *  - after the rows above are measured: ReferenceVotesNFT (ERC721Votes, one token per member) for the second
 *    admission row, and a third Mutual co-op (51 members) and a second reference (51 holders) for the
 *    50-ballot batch, so that nothing added perturbs the rows before.
 *
 * Reading the rows:
 *  - votes happen in the same credit epoch as the members' admission, so Mutual's credit accrual takes its usual
 *    path with nothing to add; the reference voters have one checkpoint each (OpenZeppelin's best case);
 *  - "propose (first proposal ever)" includes Mutual's one-off write of the proposal list's length; Mutual's
 *    propose also stakes the deposit and pre-writes the tally slot that votes then update;
 *  - the reference's castVoteBySig writes a fresh nonce slot per voter; Mutual's ballot nonce lives in the receipt.
 */
import { AbiCoder, ZeroAddress, id, parseEther, type TransactionResponse, type Wallet } from "ethers";

import { defaultConfig, deployCoop, type CoopConfig } from "../../deploy/coop.ts";
import {
  Support,
  ballotTuple,
  compactBallot,
  governorDomain,
  quadraticBallotTypes,
  type CompactBallot,
  type SignedBallot,
} from "../../lib/ballots/ballot.ts";
import type {
  MutualGovernor,
  ReferenceGovernor,
  ReferenceVotesNFT,
  ReferenceVotesToken,
  TimelockController,
} from "../../types/ethers-contracts/index.ts";
import {
  check,
  deployOwnedCoop,
  fixedWallet,
  measure,
  mined,
  progress,
  type Connection,
  type Measured,
} from "./chain.ts";
import { floorComponents, floorOf, type Floor, type FloorSpec } from "./floors.ts";
import { makeRow, type Row } from "./report.ts";

const VOTERS = 20;
const TOKENS_PER_VOTER = parseEther("100");
const QUORUM_PERCENT = 20; // the reference's quorum, equal to Mutual's default 2000 bps
const PAYMENT = parseEther("1");
const REASON = "Fresh flour keeps the ovens busy";
const BATCH = 10;
const BIG_BATCH = 50;
// Voter positions on the measured proposal (0-based): see the order of votes below.
const FIRST = 0;
const LATER = 4; // the 5th voter
const WITH_REASON = 5;
const WITH_PARAMS = 6;
const SIGNED = 7;
const BATCH_FROM = 8; // voters 8..17 sign the batch
const NEW_EPOCH = 18; // votes one credit epoch later: the first spend of a new epoch
const PROPOSER = VOTERS - 1;
/** A fixed deadline (2100-01-01), not "now + 1 day": the chain's clock follows the wall clock, and a deadline
 * taken from it would change the ballots' calldata, hence their gas, from run to run. */
const BALLOT_DEADLINE = 4_102_444_800n;

const coder = AbiCoder.defaultAbiCoder();
const votesParam = (n: number) => coder.encode(["uint256"], [n]);

const referenceBallotTypes = {
  Ballot: [
    { name: "proposalId", type: "uint256" },
    { name: "support", type: "uint8" },
    { name: "voter", type: "address" },
    { name: "nonce", type: "uint256" },
  ],
};

export interface Comparison {
  rows: Row[];
  /** Every floor the rows use, in order of first use. */
  floors: Floor[];
  /** The reference's admission, in parts. */
  erc20Mint: bigint;
  erc20Delegate: bigint;
  erc721Mint: bigint;
  erc721Delegate: bigint;
}

/** Signs Mutual quadratic ballots and reference ballots for one proposal on each side. */
function signers(
  connection: Connection,
  mGovernor: MutualGovernor,
  oGovernor: ReferenceGovernor,
  mId: bigint,
  oId: bigint,
) {
  return {
    async mutual(v: Wallet): Promise<SignedBallot> {
      const chainId = (await connection.ethers.provider.getNetwork()).chainId;
      const domain = governorDomain(await mGovernor.name(), chainId, await mGovernor.getAddress());
      const message = {
        proposalId: mId,
        support: Support.For,
        voter: v.address,
        votes: 1n,
        nonce: await mGovernor.ballotNonce(mId, v.address),
        deadline: BALLOT_DEADLINE,
        reason: "",
      };
      return { ...message, signature: await v.signTypedData(domain, quadraticBallotTypes, message) };
    },
    async reference(v: Wallet): Promise<string> {
      const chainId = (await connection.ethers.provider.getNetwork()).chainId;
      const domain = governorDomain(await oGovernor.name(), chainId, await oGovernor.getAddress());
      const nonce = await oGovernor.nonces(v.address);
      return v.signTypedData(domain, referenceBallotTypes, {
        proposalId: oId,
        support: Support.For,
        voter: v.address,
        nonce,
      });
    },
  };
}

/** The OpenZeppelin reference: an ERC20Votes token, a timelock and the governor, with `holders` who delegated. */
async function deployReference(connection: Connection, config: CoopConfig, holders: Wallet[]) {
  const { ethers } = connection;
  const [deployer] = await ethers.getSigners();
  const token = (await ethers.deployContract("ReferenceVotesToken", [], deployer)) as unknown as ReferenceVotesToken;
  await token.waitForDeployment();
  const timelock = (await ethers.deployContract(
    "TimelockController",
    [config.timelockDelay, [], [ZeroAddress], deployer.address],
    deployer,
  )) as unknown as TimelockController;
  await timelock.waitForDeployment();
  const governor = (await ethers.deployContract(
    "ReferenceGovernor",
    [await token.getAddress(), await timelock.getAddress(), config.votingDelay, config.votingPeriod, QUORUM_PERCENT],
    deployer,
  )) as unknown as ReferenceGovernor;
  await governor.waitForDeployment();
  const governorAddress = await governor.getAddress();
  await mined("grant proposer", timelock.grantRole(await timelock.PROPOSER_ROLE(), governorAddress));
  await mined("grant canceller", timelock.grantRole(await timelock.CANCELLER_ROLE(), governorAddress));
  await mined("renounce admin", timelock.renounceRole(await timelock.DEFAULT_ADMIN_ROLE(), deployer.address));
  for (const v of holders) {
    await mined("mint", token.mint(v.address, TOKENS_PER_VOTER));
    await mined("delegate", token.connect(v).delegate(v.address));
  }
  return { token, timelock, governor };
}

export async function compareWithOpenZeppelin(connection: Connection): Promise<Comparison> {
  const { ethers, networkHelpers } = connection;
  const [deployer] = await ethers.getSigners();
  const relayer = deployer;
  const wallet = (label: string) => fixedWallet(connection, label);
  const voters = Array.from({ length: VOTERS }, (_, i) => wallet(`voter ${i}`));
  const newcomer = wallet("newcomer");
  const supplier = wallet("supplier");

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
  const owned = await deployOwnedCoop(connection, config);
  for (const v of voters) await mined("admit founder", owned.card.admit(v.address));

  // --- OpenZeppelin reference ---
  progress("deploying the OpenZeppelin reference (ERC20Votes + TimelockController + Governor)");
  const { token, timelock: oTimelock, governor: oGovernor } = await deployReference(connection, config, voters);

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
  for (const v of voters)
    check((await token.delegates(v.address)) === v.address, "every reference voter delegated to self");

  // --- Admission of a member who can vote at once ---
  progress("admission: card.admit vs token.mint + delegate");
  const admit = await measure("admit", owned.card.admit(newcomer.address));
  check(await owned.card.isMember(newcomer.address), "newcomer admitted");
  check((await owned.credits.balanceOf(newcomer.address)) === config.creditsPerEpoch, "newcomer holds credits at once");
  const erc20Mint = (await measure("mint", token.mint(newcomer.address, TOKENS_PER_VOTER))).gas;
  const erc20Delegate = (await measure("delegate", token.connect(newcomer).delegate(newcomer.address))).gas;
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
  const mProposeFirst = await measure(
    "Mutual propose #1",
    mGovernor.connect(proposer).propose(targets, values, calldatas, warmUpDescription),
  );
  const oProposeFirst = (
    await measure("OZ propose #1", oGovernor.connect(proposer).propose(targets, values, calldatas, warmUpDescription))
  ).gas;
  const mPropose = await measure(
    "Mutual propose",
    mGovernor.connect(proposer).propose(targets, values, calldatas, description),
  );
  const oPropose = (
    await measure("OZ propose", oGovernor.connect(proposer).propose(targets, values, calldatas, description))
  ).gas;
  const mId = await mGovernor.getProposalId(targets, values, calldatas, descriptionHash);
  const oId = await oGovernor.getProposalId(targets, values, calldatas, descriptionHash);
  check(
    (await mGovernor.proposalCount()) === 2n && (await mGovernor.proposalIdAt(1)) === mId,
    "Mutual proposal recorded",
  );
  check((await oGovernor.proposalProposer(oId)) === proposer.address, "reference proposal recorded");

  await networkHelpers.time.increase(config.votingDelay + 1);
  check((await mGovernor.state(mId)) === 1n && (await oGovernor.state(oId)) === 1n, "both proposals are active");

  /** Measures one Mutual vote and checks the tally moved by `votes` votes and one voter, for. */
  async function mutualVote(label: string, voter: string, votes: bigint, sent: () => Promise<TransactionResponse>) {
    const before = await mGovernor.proposalTally(mId);
    const measured = await measure(label, sent());
    const after = await mGovernor.proposalTally(mId);
    check(after.forVotes === before.forVotes + votes, `${label}: ${votes} vote(s) counted for`);
    check(after.forVoters === before.forVoters + 1n, `${label}: one more voter for`);
    const receipt = await mGovernor.receiptOf(mId, voter);
    check(receipt.voted && receipt.support === BigInt(Support.For) && receipt.votes === votes, `${label}: receipt`);
    return measured;
  }

  /** Measures one reference vote and checks the tally moved by the voter's weight, for. */
  async function referenceVote(label: string, voter: string, sent: () => Promise<TransactionResponse>) {
    const before = await oGovernor.proposalVotes(oId);
    const { gas } = await measure(label, sent());
    const after = await oGovernor.proposalVotes(oId);
    check(after.forVotes === before.forVotes + TOKENS_PER_VOTER, `${label}: weight counted for`);
    check(await oGovernor.hasVoted(oId, voter), `${label}: hasVoted`);
    return gas;
  }

  const castVote = async (i: number) => {
    const v = voters[i];
    return [
      await mutualVote(`Mutual castVote #${i + 1}`, v.address, 1n, () =>
        mGovernor.connect(v).castVote(mId, Support.For),
      ),
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
  await referenceVote("OZ castVote (unmeasured)", paramsVoter.address, () =>
    oGovernor.connect(paramsVoter).castVote(oId, Support.For),
  );

  // --- Signed votes ---
  check(
    BigInt((await ethers.provider.getBlock("latest"))!.timestamp) < BALLOT_DEADLINE,
    "ballot deadline in the future",
  );
  const sign = signers(connection, mGovernor, oGovernor, mId, oId);

  progress("one signed vote: castBallot vs castVoteBySig");
  const signer = voters[SIGNED];
  const mBallot = await sign.mutual(signer);
  const oSignature = await sign.reference(signer);
  const mSigned = await mutualVote("Mutual castBallot", signer.address, 1n, () =>
    mGovernor.connect(relayer).castBallot(ballotTuple(mBallot)),
  );
  const oSigned = await referenceVote("OZ castVoteBySig", signer.address, () =>
    oGovernor.connect(relayer).castVoteBySig(oId, Support.For, signer.address, oSignature),
  );
  check((await oGovernor.nonces(signer.address)) === 1n, "reference nonce used");

  progress(`${BATCH} signed ballots: one castBallotsCompact vs ${BATCH} castVoteBySig`);
  const batchVoters = voters.slice(BATCH_FROM, BATCH_FROM + BATCH);
  const mBallots: CompactBallot[] = [];
  for (const v of batchVoters) mBallots.push(compactBallot(await sign.mutual(v)));
  const oSignatures: string[] = [];
  for (const v of batchVoters) oSignatures.push(await sign.reference(v));
  const mBatch = await castBatch(mGovernor, mId, batchVoters, "castBallotsCompact", () =>
    mGovernor.connect(relayer).castBallotsCompact(mId, mBallots),
  );
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
  const mQueue = await measure("Mutual queue", mGovernor.queue(targets, values, calldatas, descriptionHash));
  const oQueue = (await measure("OZ queue", oGovernor.queue(targets, values, calldatas, descriptionHash))).gas;
  check((await mGovernor.state(mId)) === 5n && (await oGovernor.state(oId)) === 5n, "both proposals queued");
  await networkHelpers.time.increase(config.timelockDelay + 1);
  const paid = await ethers.provider.getBalance(supplier.address);
  const mExecute = await measure("Mutual execute", mGovernor.execute(targets, values, calldatas, descriptionHash));
  const oExecute = (await measure("OZ execute", oGovernor.execute(targets, values, calldatas, descriptionHash))).gas;
  check((await mGovernor.state(mId)) === 7n && (await oGovernor.state(oId)) === 7n, "both proposals executed");
  check((await ethers.provider.getBalance(supplier.address)) === paid + 2n * PAYMENT, "the supplier was paid twice");

  // ----------------------------------------------------------------------------------------------
  // Added after every row above, so that they stay as they were
  // ----------------------------------------------------------------------------------------------

  // --- Admission against an NFT DAO: ERC721Votes mint + delegate ---
  progress("admission: ERC721Votes mint + delegate (ReferenceVotesNFT)");
  const nft = (await ethers.deployContract("ReferenceVotesNFT", [], deployer)) as unknown as ReferenceVotesNFT;
  await nft.waitForDeployment();
  for (const v of voters) {
    await mined("NFT mint", nft.mint(v.address));
    await mined("NFT delegate", nft.connect(v).delegate(v.address));
  }
  const erc721Mint = (await measure("NFT mint", nft.mint(newcomer.address))).gas;
  const erc721Delegate = (await measure("NFT delegate", nft.connect(newcomer).delegate(newcomer.address))).gas;
  check((await nft.getVotes(newcomer.address)) === 1n, "NFT newcomer holds a vote at once");

  // --- Batches of 50 signed ballots, in a co-op and a reference of their own ---
  progress(`${BIG_BATCH} signed ballots: a Mutual co-op and a reference with ${2 * BIG_BATCH + 1} members each`);
  const bigVoters = Array.from({ length: BIG_BATCH }, (_, i) => wallet(`batch voter ${i}`));
  // A second 50, whose ballots go through the general castBallots (reasons, contract wallets).
  const generalVoters = Array.from({ length: BIG_BATCH }, (_, i) => wallet(`general batch voter ${i}`));
  const bigProposer = wallet("batch proposer");
  for (const account of [bigProposer, ...bigVoters]) {
    await mined("fund", deployer.sendTransaction({ to: account.address, value: parseEther("1") }));
  }
  const bigConfig = {
    ...defaultConfig([bigProposer, ...bigVoters, ...generalVoters].map((v) => v.address)),
    name: "Mutual Batch Co-op",
  };
  const bigCoop = await deployCoop(connection, bigConfig);
  const bigReference = await deployReference(connection, bigConfig, [bigProposer, ...bigVoters]);
  const bigDescription = "Pay the flour supplier 1 ETH, round 3";
  const bigHash = id(bigDescription);
  await mined(
    "Mutual propose",
    bigCoop.governor.connect(bigProposer).propose(targets, values, calldatas, bigDescription),
  );
  await mined(
    "OZ propose",
    bigReference.governor.connect(bigProposer).propose(targets, values, calldatas, bigDescription),
  );
  const bigMId = await bigCoop.governor.getProposalId(targets, values, calldatas, bigHash);
  const bigOId = await bigReference.governor.getProposalId(targets, values, calldatas, bigHash);
  await networkHelpers.time.increase(bigConfig.votingDelay + 1);
  // A first vote on each side (the quorum is cached by it), as on the proposal of the 10-ballot batch.
  await mined("Mutual first vote", bigCoop.governor.connect(bigProposer).castVote(bigMId, Support.For));
  await mined("OZ first vote", bigReference.governor.connect(bigProposer).castVote(bigOId, Support.For));
  const bigSign = signers(connection, bigCoop.governor, bigReference.governor, bigMId, bigOId);
  const bigBallots: CompactBallot[] = [];
  for (const v of bigVoters) bigBallots.push(compactBallot(await bigSign.mutual(v)));
  const mBigBatch = await castBatch(bigCoop.governor, bigMId, bigVoters, "castBallotsCompact", () =>
    bigCoop.governor.connect(relayer).castBallotsCompact(bigMId, bigBallots),
  );
  const generalBallots: ReturnType<typeof ballotTuple>[] = [];
  for (const v of generalVoters) generalBallots.push(ballotTuple(await bigSign.mutual(v)));
  const mGeneralBatch = await castBatch(bigCoop.governor, bigMId, generalVoters, "castBallots", () =>
    bigCoop.governor.connect(relayer).castBallots(generalBallots),
  );
  let oBigBatch = 0n;
  for (const v of bigVoters) {
    const signature = await bigSign.reference(v);
    const before = await bigReference.governor.proposalVotes(bigOId);
    oBigBatch += (
      await measure(
        "OZ castVoteBySig",
        bigReference.governor.connect(relayer).castVoteBySig(bigOId, Support.For, v.address, signature),
      )
    ).gas;
    const after = await bigReference.governor.proposalVotes(bigOId);
    check(after.forVotes === before.forVotes + TOKENS_PER_VOTER, "reference batch vote counted");
  }

  // ----------------------------------------------------------------------------------------------
  // Rows and their floors
  // ----------------------------------------------------------------------------------------------

  const specs = floorComponents({ targets, values, calldatas, description, reason: REASON, params: votesParam(3) });
  const floors: Floor[] = [];
  /** The floor of `spec` for `tx`, recorded once per distinct operation and calldata. */
  const floor = (spec: FloorSpec, tx: Measured): Floor => {
    const f = floorOf(spec, tx.data);
    const same = floors.find((g) => g.operation === f.operation && g.total === f.total);
    if (same) return same;
    floors.push(f);
    return f;
  };
  const single = (operation: string, m: Measured, o: bigint | null, spec: FloorSpec) => {
    const f = floor(spec, m);
    return makeRow(operation, m.gas, o, f.total, f.operation);
  };
  const rows: Row[] = [
    single("propose (first proposal ever)", mProposeFirst, oProposeFirst, specs.proposeFirst),
    single("propose", mPropose, oPropose, specs.propose),
    single("castVote, first vote on a proposal", mFirst, oFirst, specs.castVote),
    single("castVote, later voter (5th)", mLater, oLater, specs.castVote),
    single("castVote, later voter, first spend of a new epoch", mNewEpoch, oNewEpoch, specs.castVote),
    single("castVoteWithReason", mReason, oReason, specs.castVoteWithReason),
    single("castVoteWithReasonAndParams, 3 votes", mParams, null, specs.castVoteWithReasonAndParams),
    single("signed vote: castBallot | castVoteBySig", mSigned, oSigned, specs.castBallot),
  ];
  for (const [n, m, o] of [
    [BATCH, mBatch, oBatch],
    [BIG_BATCH, mBigBatch, oBigBatch],
  ] as const) {
    const f = floor(specs.castBallotsCompact(n), m);
    rows.push(
      makeRow(`${n} signed votes, total: castBallotsCompact | ${n} castVoteBySig txs`, m.gas, o, f.total, f.operation),
      makeRow(
        `${n} signed votes, per vote: castBallotsCompact/${n} | avg castVoteBySig`,
        Math.round(Number(m.gas) / n),
        Math.round(Number(o) / n),
        f.total / n,
        `${f.operation} / ${n}`,
      ),
    );
  }
  const general = floor(specs.castBallots(BIG_BATCH), mGeneralBatch);
  rows.push(
    makeRow(
      `${BIG_BATCH} signed votes, per vote, any ballot (reason, contract wallet): castBallots/${BIG_BATCH} | avg castVoteBySig`,
      Math.round(Number(mGeneralBatch.gas) / BIG_BATCH),
      Math.round(Number(oBigBatch) / BIG_BATCH),
      general.total / BIG_BATCH,
      `${general.operation} / ${BIG_BATCH}`,
    ),
  );
  const admitFloor = floor(specs.admit, admit);
  const queueFloor = floor(specs.queue, mQueue);
  const executeFloor = floor(specs.execute, mExecute);
  rows.push(
    makeRow(
      "admit a member who can vote at once: card.admit | ERC20Votes mint + delegate",
      admit.gas,
      erc20Mint + erc20Delegate,
      admitFloor.total,
      admitFloor.operation,
    ),
    makeRow(
      "admit a member who can vote at once: card.admit | ERC721Votes mint + delegate",
      admit.gas,
      erc721Mint + erc721Delegate,
      admitFloor.total,
      admitFloor.operation,
    ),
    makeRow("queue", mQueue.gas, oQueue, queueFloor.total, queueFloor.operation),
    makeRow("execute", mExecute.gas, oExecute, executeFloor.total, executeFloor.operation),
    makeRow(
      "queue + execute",
      mQueue.gas + mExecute.gas,
      oQueue + oExecute,
      queueFloor.total + executeFloor.total,
      `${queueFloor.operation} + ${executeFloor.operation}`,
    ),
  );
  return { rows, floors, erc20Mint, erc20Delegate, erc721Mint, erc721Delegate };
}

/** Sends one batch of ballots from `voters` (one vote for each) and checks that every one counted. */
async function castBatch(
  governor: MutualGovernor,
  proposalId: bigint,
  voters: Wallet[],
  label: string,
  send: () => Promise<TransactionResponse>,
): Promise<Measured> {
  const before = await governor.proposalTally(proposalId);
  const response = await send();
  const receipt = await mined(`${label} (${voters.length})`, Promise.resolve(response));
  const after = await governor.proposalTally(proposalId);
  const skipped = receipt.logs.filter((log) => governor.interface.parseLog(log)?.name === "BallotSkipped");
  check(skipped.length === 0, `${label}: no ballot of the batch was skipped`);
  check(after.forVotes === before.forVotes + BigInt(voters.length), `${label}: every batched ballot counted`);
  check(after.forVoters === before.forVoters + BigInt(voters.length), `${label}: every batched voter counted`);
  for (const v of voters) check((await governor.receiptOf(proposalId, v.address)).voted, `${label}: receipt`);
  return { gas: receipt.gasUsed, data: response.data };
}

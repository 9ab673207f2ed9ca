/**
 * Scale (Mutual only, gas figures, no timing): does a vote cost more in a bigger co-op, or for a member who has
 * been idle for many epochs, and what does issuing credits to 10,000 members cost?
 *
 *  - castVote of a later voter (the 5th voter on a proposal, member #N) in co-ops of 10, 100 and 1,000 members;
 *  - castVote of a later voter whose last activity (admission) was 1, 10 and 100 credit epochs ago;
 *  - 10,000 members admitted with admitMany in chunks, one epoch passes: no transaction, every balance grew;
 *    member #10,000's vote costs what member #1's does.
 *
 * Each figure is asserted flat: the spread must stay within TOLERANCE gas.
 */
import { id, parseEther, type Wallet } from "ethers";

import { defaultConfig } from "../../deploy/coop.ts";
import { Support } from "../../lib/ballots/ballot.ts";
import {
  admitInChunks,
  check,
  deployOwnedCoop,
  fixedAddress,
  fixedWallet,
  measure,
  mined,
  progress,
  type Connection,
  type OwnedCoop,
} from "./chain.ts";
import type { ScaleResult } from "./report.ts";

const SIZES = [10, 100, 1_000];
const IDLE_EPOCHS = [1, 10, 100];
const ISSUANCE_MEMBERS = 10_000;
/** Members per admitMany: about 76k gas each, so 200 stay under the 16,777,216 gas a transaction may use (EIP-7825). */
const CHUNK = 200;
/** The most two figures of one series may differ by, in gas. */
const TOLERANCE = 300;
const SPOT_CHECKS = [1, 2, 5_000, 9_999, 10_000];
/** Any target: the scale proposals are voted on, never executed. */
const TARGET = fixedAddress("scale proposal target");

interface ScaleCoop extends OwnedCoop {
  /** Member #n (1-based): a wallet for those who act, a bare address for the others. */
  member: (n: number) => string;
  wallet: (n: number) => Wallet;
  admitGas: bigint[];
}

/** A co-op of `size` members, admitted in chunks; members listed in `acting` get funded wallets. */
async function scaleCoop(connection: Connection, label: string, size: number, acting: number[]): Promise<ScaleCoop> {
  const [deployer] = await connection.ethers.getSigners();
  const wallets = new Map<number, Wallet>();
  for (const n of acting) {
    const w = fixedWallet(connection, `${label} member ${n}`);
    wallets.set(n, w);
    await mined("fund", deployer.sendTransaction({ to: w.address, value: parseEther("1") }));
  }
  const member = (n: number) => wallets.get(n)?.address ?? fixedAddress(`${label} member ${n}`);
  // A quorum of one member (1 bp of up to 10,000 members): the first vote reaches it, so every measured vote
  // takes the path of the table's "later voter" (after quorum) whatever the co-op's size. A vote cast before
  // quorum is reached costs about 290 gas more, in a co-op of any size.
  const config = { ...defaultConfig([]), name: `Mutual ${label}`, quorumBps: 1 };
  const coop = await deployOwnedCoop(connection, config);
  const admitGas = await admitInChunks(
    coop.card,
    Array.from({ length: size }, (_, i) => member(i + 1)),
    CHUNK,
  );
  check((await coop.card.memberCount()) === BigInt(size), `${label}: ${size} members`);
  const wallet = (n: number) => {
    const w = wallets.get(n);
    if (w === undefined) throw new Error(`${label}: member #${n} has no wallet`);
    return w;
  };
  return { ...coop, member, wallet, admitGas };
}

/** Proposes (member #proposer), opens the vote, and returns the proposal id. */
async function openProposal(
  connection: Connection,
  coop: ScaleCoop,
  proposer: number,
  description: string,
): Promise<bigint> {
  const governor = coop.governor.connect(coop.wallet(proposer));
  await mined("propose", governor.propose([TARGET], [0n], ["0x"], description));
  const proposalId = await coop.governor.getProposalId([TARGET], [0n], ["0x"], id(description));
  await connection.networkHelpers.time.increase(Number(await coop.governor.votingDelay()) + 1);
  check((await coop.governor.state(proposalId)) === 1n, `${description}: active`);
  return proposalId;
}

/** Member #n votes once, for; checks it counted; returns the gas. */
async function vote(coop: ScaleCoop, proposalId: bigint, n: number, label: string): Promise<number> {
  const voter = coop.wallet(n);
  const before = await coop.governor.proposalTally(proposalId);
  const { gas } = await measure(label, coop.governor.connect(voter).castVote(proposalId, Support.For));
  const after = await coop.governor.proposalTally(proposalId);
  check(after.forVotes === before.forVotes + 1n && after.forVoters === before.forVoters + 1n, `${label}: counted`);
  return Number(gas);
}

const spread = (figures: number[]) => Math.max(...figures) - Math.min(...figures);

export async function measureScale(connection: Connection): Promise<ScaleResult> {
  const { networkHelpers } = connection;

  // --- castVote of a later voter, by co-op size ---
  const bySize: ScaleResult["bySize"] = [];
  let hundred: ScaleCoop | undefined;
  for (const size of SIZES) {
    progress(
      `scale: a co-op of ${size.toLocaleString("en-US")} members, castVote of member #${size.toLocaleString("en-US")} as the 5th voter`,
    );
    const idle = size === 100 ? [97, 98, 99] : [];
    const coop = await scaleCoop(connection, `scale ${size}`, size, [1, 2, 3, 4, size, ...idle]);
    // The same description in every co-op: the same proposal id, hence the same calldata.
    const proposalId = await openProposal(connection, coop, 1, "Scale check");
    for (let n = 1; n <= 4; n++) await vote(coop, proposalId, n, `warm-up vote #${n}`);
    bySize.push({ members: size, gas: await vote(coop, proposalId, size, `castVote of member #${size}`) });
    if (size === 100) hundred = coop;
  }

  // --- castVote of a later voter, by epochs since the voter's last activity ---
  const byIdleEpochs: ScaleResult["byIdleEpochs"] = [];
  if (hundred === undefined) throw new Error("the 100-member co-op is missing");
  const schedule = await hundred.credits.scheduleAt(0);
  const epochLength = Number(schedule.epochLength);
  for (const [i, epochs] of IDLE_EPOCHS.entries()) {
    progress(`scale: castVote of a member idle for ${epochs} epoch(s)`);
    const voter = 97 + i;
    await networkHelpers.time.increaseTo(Number(schedule.start) + epochs * epochLength + 60);
    const proposalId = await openProposal(connection, hundred, 1, `Scale check, epoch ${epochs}`);
    check((await hundred.credits.currentEpoch()) === BigInt(epochs), `the vote falls in epoch ${epochs}`);
    const account = await hundred.credits.accountOf(hundred.member(voter));
    check(account.epoch === 0n, `member #${voter} untouched since admission (epoch 0)`);
    await vote(hundred, proposalId, 2, "warm-up vote");
    byIdleEpochs.push({ epochs, gas: await vote(hundred, proposalId, voter, `castVote after ${epochs} idle epochs`) });
  }

  // --- Credit issuance for 10,000 members ---
  progress(`scale: admitting ${ISSUANCE_MEMBERS.toLocaleString("en-US")} members in chunks of ${CHUNK}`);
  const big = await scaleCoop(connection, "scale 10000", ISSUANCE_MEMBERS, [1, 2, ISSUANCE_MEMBERS]);
  const perEpoch = await big.credits.currentSchedule().then((s) => Number(s.creditsPerEpoch));
  const maxBalance = await big.credits.currentSchedule().then((s) => Number(s.maxBalance));
  const balance = async (n: number) => Number(await big.credits.balanceOf(big.member(n)));
  const before = await Promise.all(SPOT_CHECKS.map(balance));
  const epochBefore = await big.credits.currentEpoch();

  progress("scale: one credit epoch passes");
  const { ethers } = connection;
  const lastBlock = await ethers.provider.getBlockNumber();
  await networkHelpers.time.increase(Number((await big.credits.currentSchedule()).epochLength));
  const nowBlock = await ethers.provider.getBlockNumber();
  let issuanceTransactions = 0;
  let issuanceGas = 0n;
  for (let b = lastBlock + 1; b <= nowBlock; b++) {
    const block = await ethers.provider.getBlock(b);
    if (block === null) throw new Error(`block ${b} missing`);
    issuanceTransactions += block.transactions.length;
    issuanceGas += block.gasUsed;
  }
  check((await big.credits.currentEpoch()) === epochBefore + 1n, "one epoch passed");
  check(issuanceTransactions === 0 && issuanceGas === 0n, "no transaction while the epoch turned");
  const after = await Promise.all(SPOT_CHECKS.map(balance));
  SPOT_CHECKS.forEach((n, i) => {
    check(
      after[i] === Math.min(before[i] + perEpoch, maxBalance) && after[i] > before[i],
      `member #${n}'s credits grew`,
    );
  });

  progress("scale: member #1 and member #10,000 vote");
  const proposalId = await openProposal(connection, big, 2, "Scale check, 10,000 members");
  await vote(big, proposalId, 2, "warm-up vote");
  const firstMemberVote = await vote(big, proposalId, 1, "castVote of member #1");
  const lastMemberVote = await vote(big, proposalId, ISSUANCE_MEMBERS, "castVote of member #10,000");

  const result: ScaleResult = {
    bySize,
    sizeSpread: spread(bySize.map((r) => r.gas)),
    byIdleEpochs,
    idleSpread: spread(byIdleEpochs.map((r) => r.gas)),
    issuance: {
      members: ISSUANCE_MEMBERS,
      chunk: CHUNK,
      admitTransactions: big.admitGas.length,
      admitGasPerMember: Math.round(Number(big.admitGas[big.admitGas.length - 1]) / CHUNK),
      issuanceTransactions,
      issuanceGas: Number(issuanceGas),
      spotChecks: SPOT_CHECKS.map((member, i) => ({ member, before: before[i], after: after[i] })),
      firstMemberVote,
      lastMemberVote,
    },
    tolerance: TOLERANCE,
  };
  check(result.sizeSpread <= TOLERANCE, `castVote by co-op size spreads ${result.sizeSpread} gas (> ${TOLERANCE})`);
  check(result.idleSpread <= TOLERANCE, `castVote by idle epochs spreads ${result.idleSpread} gas (> ${TOLERANCE})`);
  check(
    Math.abs(firstMemberVote - lastMemberVote) <= TOLERANCE,
    `member #10,000's vote (${lastMemberVote}) differs from member #1's (${firstMemberVote}) by more than ${TOLERANCE}`,
  );
  return result;
}

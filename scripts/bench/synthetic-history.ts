/**
 * A synthetic co-op history, as decoded events, for the replay benchmark and its tests: `members` founders,
 * `proposals` proposals made in weekly waves of up to 50, each voted on by `votes / proposals` members (for,
 * against or abstaining), each counted vote optionally topped up `ballotsPerVoter - 1` more times, then every
 * deposit settled. The events obey the rules (credits, costs, quorum, deposits), so a correct replay finds
 * nothing wrong. Generated lazily: the history is never held in memory.
 */
import { AbiCoder, getAddress, keccak256 } from "ethers";

import type { EventArg, ReplayEvent } from "../../lib/replay/events.ts";
import type { CoopAddresses } from "../../lib/replay/model.ts";
import {
  accrueTo,
  creditedOnReturn,
  depositReturned,
  descriptionHash,
  epochAt,
  openingBalance,
  quorumFor,
  type Schedule,
} from "../../lib/rules/governance.ts";

export interface SyntheticShape {
  members: number;
  proposals: number;
  /** Distinct (voter, proposal) pairs. */
  votes: number;
  /** Vote events per pair: 1, or more for top-ups. */
  ballotsPerVoter?: number;
}

export const SYNTHETIC_COOP: CoopAddresses = {
  MembershipCard: getAddress("0x00000000000000000000000000000000000c0a4d"),
  VoiceCredits: getAddress("0x00000000000000000000000000000000000c4ed1"),
  MutualGovernor: getAddress("0x0000000000000000000000000000000000060ae4"),
  TimelockController: getAddress("0x00000000000000000000000000000000000071c3"),
};

const DAY = 86_400;
const WEEK = 7 * DAY;
const T0 = 1_700_000_000;
const DEPOSIT = 10n;
const QUORUM_BPS = 1000n;
const abi = AbiCoder.defaultAbiCoder();

export const memberAddress = (i: number) => getAddress(`0x${(0x1000 + i).toString(16).padStart(40, "0")}`);

/** The side of the `k`-th voter on a proposal: mostly for, some against, every tenth abstains. */
export function sideOf(k: number): 0 | 1 | 2 {
  if (k % 10 === 9) return 2;
  return k % 3 === 0 ? 0 : 1;
}

/** Every event of the synthetic history, in chain order. */
export function* syntheticHistory(shape: SyntheticShape): Generator<ReplayEvent> {
  const { members, proposals } = shape;
  const perProposal = Math.floor(shape.votes / proposals);
  const ballots = shape.ballotsPerVoter ?? 1;
  if (perProposal > members) throw new RangeError("more voters per proposal than members");
  const schedule: Schedule = { start: T0, firstEpoch: 0, epochLength: WEEK, creditsPerEpoch: 100n, maxBalance: 400n };
  const schedules = [schedule];
  const balances = Array.from({ length: members }, () => ({ balance: 0n, epoch: 0 }));
  let block = 1;
  let time = T0;
  let log = 0;
  let tx = "";
  const newTx = (at: number) => {
    if (at > time) time = at;
    block++;
    log = 0;
    tx = `0x${block.toString(16).padStart(64, "0")}`;
  };
  const event = (contract: ReplayEvent["contract"], name: string, args: Record<string, EventArg>): ReplayEvent => ({
    contract,
    name,
    args,
    blockNumber: block,
    logIndex: log++,
    transactionHash: tx,
    timestamp: time,
  });
  const addresses = Array.from({ length: members }, (_, i) => memberAddress(i));
  const voteParams = [abi.encode(["uint256"], [0n]), abi.encode(["uint256"], [1n])];
  const up = (i: number) => {
    const b = accrueTo(schedules, balances[i].balance, balances[i].epoch, time);
    balances[i] = b;
    return b;
  };

  newTx(T0);
  yield event("VoiceCredits", "ScheduleChanged", {
    index: 0n,
    start: BigInt(T0),
    firstEpoch: 0n,
    epochLength: BigInt(WEEK),
    creditsPerEpoch: 100n,
    maxBalance: 400n,
  });
  newTx(T0);
  yield event("TimelockController", "MinDelayChange", { oldDuration: 0n, newDuration: BigInt(2 * DAY) });
  newTx(T0);
  yield event("MutualGovernor", "VotingDelaySet", { oldVotingDelay: 0n, newVotingDelay: BigInt(DAY) });
  yield event("MutualGovernor", "VotingPeriodSet", { oldVotingPeriod: 0n, newVotingPeriod: BigInt(3 * DAY) });
  yield event("MutualGovernor", "QuorumFractionSet", { oldQuorumBps: 0n, newQuorumBps: QUORUM_BPS });
  yield event("MutualGovernor", "ProposalDepositSet", { oldDeposit: 0n, newDeposit: DEPOSIT });
  yield event("MutualGovernor", "LateQuorumVoteExtensionSet", { oldVoteExtension: 0n, newVoteExtension: BigInt(DAY) });
  yield event("MutualGovernor", "TimelockChange", {
    oldTimelock: getAddress("0x" + "00".repeat(20)),
    newTimelock: SYNTHETIC_COOP.TimelockController,
  });
  newTx(T0);
  for (let i = 0; i < members; i++) {
    if (i % 200 === 0) newTx(T0);
    const account = memberAddress(i);
    yield event("MembershipCard", "MemberAdmitted", { account, tokenId: BigInt(i + 1) });
    balances[i] = { balance: openingBalance(schedule), epoch: epochAt(schedule, time) };
    yield event("VoiceCredits", "AccountOpened", {
      member: account,
      cardId: BigInt(i + 1),
      epoch: BigInt(balances[i].epoch),
      balance: balances[i].balance,
    });
  }

  const quorum = quorumFor(BigInt(members), QUORUM_BPS);
  for (let wave = 0; wave * 50 < proposals; wave++) {
    const waveStart = T0 + DAY + wave * WEEK;
    const first = wave * 50;
    const count = Math.min(50, proposals - first);
    const made: {
      id: bigint;
      proposer: number;
      voteStart: number;
      voteEnd: number;
      forVotes: bigint;
      againstVotes: bigint;
      voters: bigint;
      extended: number;
    }[] = [];
    for (let j = first; j < first + count; j++) {
      newTx(waveStart);
      const proposer = j % members;
      const targets = [SYNTHETIC_COOP.TimelockController];
      const values = [0n];
      const calldatas = ["0x"];
      const description = `# Synthetic proposal ${j + 1}`;
      const id = BigInt(
        keccak256(
          abi.encode(
            ["address[]", "uint256[]", "bytes[]", "bytes32"],
            [targets, values, calldatas, descriptionHash(description)],
          ),
        ),
      );
      const voteStart = time + DAY;
      const voteEnd = voteStart + 3 * DAY;
      yield event("MutualGovernor", "ProposalCreated", {
        proposalId: id,
        proposer: memberAddress(proposer),
        targets,
        values,
        signatures: [""],
        calldatas,
        voteStart: BigInt(voteStart),
        voteEnd: BigInt(voteEnd),
        description,
      });
      yield event("MutualGovernor", "ProposalDepositStaked", {
        proposalId: id,
        proposer: memberAddress(proposer),
        amount: DEPOSIT,
      });
      const b = up(proposer);
      balances[proposer] = { balance: b.balance - DEPOSIT, epoch: b.epoch };
      yield event("VoiceCredits", "DepositHeld", {
        member: memberAddress(proposer),
        epoch: BigInt(b.epoch),
        amount: DEPOSIT,
        balanceAfter: b.balance - DEPOSIT,
      });
      made.push({ id, proposer, voteStart, voteEnd, forVotes: 0n, againstVotes: 0n, voters: 0n, extended: 0 });
    }
    // Votes, round-robin over the wave's proposals, one per block, 6 seconds apart.
    let at = made[0].voteStart + 1;
    for (let round = 0; round < ballots; round++) {
      for (let k = 0; k < perProposal; k++) {
        for (let n = 0; n < made.length; n++) {
          const p = made[n];
          const side = sideOf(k);
          if (side === 2 && round > 0) continue; // an abstention is not topped up
          newTx(at);
          at += 6;
          const i = ((first + n) * perProposal + k) % members;
          const b = up(i);
          const cost = side === 2 ? 0n : BigInt(2 * round + 1); // (round+1)² − round²
          if (cost > 0n) balances[i] = { balance: b.balance - cost, epoch: b.epoch };
          if (round === 0) p.voters++;
          if (side === 1) p.forVotes += 1n;
          if (side === 0) p.againstVotes += 1n;
          if (round === 0 && p.voters === quorum && time + DAY > p.voteEnd) {
            p.extended = time + DAY;
            yield event("MutualGovernor", "ProposalExtended", {
              proposalId: p.id,
              extendedDeadline: BigInt(p.extended),
            });
          }
          const weight = side === 2 ? 0n : 1n;
          const voter = addresses[i];
          if (k % 2 === 0)
            yield event("MutualGovernor", "VoteCast", {
              voter,
              proposalId: p.id,
              support: BigInt(side),
              weight,
              reason: "",
            });
          else
            yield event("MutualGovernor", "VoteCastWithParams", {
              voter,
              proposalId: p.id,
              support: BigInt(side),
              weight,
              reason: "",
              params: voteParams[Number(weight)],
            });
        }
      }
    }
    // Settle every deposit of the wave after its vote.
    for (const p of made) {
      newTx(Math.max(p.voteEnd, p.extended) + 1);
      const returned = depositReturned(p.voters >= quorum && p.voters > 0n, p.forVotes, p.againstVotes);
      let credited = 0n;
      if (returned) {
        const b = up(p.proposer);
        credited = creditedOnReturn(b.balance, DEPOSIT, schedule.maxBalance);
        balances[p.proposer] = { balance: b.balance + credited, epoch: b.epoch };
        yield event("VoiceCredits", "DepositReturned", {
          member: memberAddress(p.proposer),
          epoch: BigInt(b.epoch),
          amount: DEPOSIT,
          credited,
        });
      } else yield event("VoiceCredits", "DepositBurned", { amount: DEPOSIT });
      yield event("MutualGovernor", "ProposalDepositSettled", {
        proposalId: p.id,
        holder: memberAddress(p.proposer),
        amount: DEPOSIT,
        returned,
        credited,
      });
    }
  }
}

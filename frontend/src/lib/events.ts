/** Each event of a co-op's history in words, for the history page. */
import { formatEther, zeroAddress as ZeroAddress } from "viem";

import { kindText, type ReplayEvent } from "#lib/replay/index.ts";
import { describeRefusal } from "#lib/refusals.ts";
import { duration, short, when } from "./format.ts";

const sides = ["against", "for", "abstaining"];

/** An exact amount of a pot's token: ETH in ether (every digit, so figures can be compared), an ERC-20 in units. */
export function potAmount(token: string, amount: bigint): string {
  return BigInt(token) === 0n ? `${formatEther(amount)} ETH` : `${amount} of token ${short(token)}`;
}

const plural = (n: unknown, word: string) => `${n} ${word}${BigInt(n as bigint) === 1n ? "" : "s"}`;

/** `proposalId` → its number in the co-op (1-based), for links. */
export type ProposalNumbers = ReadonlyMap<bigint, number>;
/** `potId` → the pot's token (the zero address for ETH): claims and sweeps name the pot, not the token. */
export type PotTokens = ReadonlyMap<bigint, string>;

export function describeEvent(e: ReplayEvent, numbers: ProposalNumbers, pots: PotTokens = new Map()): string {
  const a = e.args as Record<string, bigint | string | boolean | readonly unknown[]>;
  const who = (key: string) => short(String(a[key]));
  const p = (key = "proposalId") => {
    const n = numbers.get(a[key] as bigint);
    return n === undefined ? "a proposal" : `proposal #${n}`;
  };
  switch (e.name) {
    case "MemberAdmitted":
      return `${who("account")} admitted with card #${a.tokenId}`;
    case "MemberResigned":
      return `${who("account")} resigned (card #${a.tokenId})`;
    case "MemberExpelled":
      return `${who("account")} expelled (card #${a.tokenId})${a.reason ? `: “${a.reason}”` : ""}`;
    case "MemberReassigned":
      return `card #${a.tokenId} moved from ${who("from")} to ${who("to")}`;
    case "AccountOpened":
      return `${who("member")} opened a credit account with ${a.balance} credits`;
    case "AccountClosed":
      return `${who("member")}'s credit account closed, ${a.forfeited} credits forfeited`;
    case "AccountMoved":
      return `${a.balance} credits moved from ${who("from")} to ${who("to")}`;
    case "DepositHeld":
      return `${who("member")} staked a deposit of ${a.amount} credits`;
    case "DepositReturned":
      return `deposit of ${a.amount} credits returned to ${who("member")} (${a.credited} credited)`;
    case "DepositBurned":
      return `${a.amount} deposit credits burned`;
    case "ScheduleChanged":
      return `credit schedule: ${a.creditsPerEpoch} credits every ${duration(a.epochLength as bigint)}, up to ${a.maxBalance}`;
    case "ProposalCreated":
      return `${p()} created by ${who("proposer")}`;
    case "ProposalDepositStaked":
      return `${p()}: ${a.amount} credits staked by ${who("proposer")}`;
    case "ProposalDepositSettled": {
      // The holder is whoever holds the proposer's card now: nobody once it has been given back.
      const holder = BigInt(a.holder as string) === 0n ? "" : ` of ${who("holder")}`;
      return `${p()}: deposit${holder} ${a.returned ? `returned (${a.credited} credited)` : "burned"}`;
    }
    case "VoteCast":
    case "VoteCastWithParams":
      return Number(a.support) === 2
        ? `${who("voter")} abstained on ${p()}`
        : `${who("voter")} cast ${a.weight} vote${a.weight === 1n ? "" : "s"} ${sides[Number(a.support)]} ${p()}`;
    case "BallotSkipped":
      return `a ballot of ${who("voter")} on ${p()} was skipped: ${describeRefusal(a.reason as bigint)}`;
    case "ProposalExtended":
      return `${p()}: late quorum, voting extended`;
    case "ProposalQueued":
      return `${p()} queued in the timelock`;
    case "ProposalExecuted":
      return `${p()} executed`;
    case "ProposalCanceled":
      return `${p()} cancelled`;
    case "QuorumFractionSet":
      return `quorum set to ${Number(a.newQuorumBps) / 100}% of members`;
    case "ProposalDepositSet":
      return `proposal deposit set to ${a.newDeposit} credits`;
    case "VotingDelaySet":
      return `voting delay set to ${duration(a.newVotingDelay as bigint)}`;
    case "VotingPeriodSet":
      return `voting period set to ${duration(a.newVotingPeriod as bigint)}`;
    case "LateQuorumVoteExtensionSet":
      return `late-quorum extension set to ${duration(a.newVoteExtension as bigint)}`;
    case "CallScheduled":
      return `timelock scheduled a call to ${who("target")}${(a.value as bigint) > 0n ? ` with ${formatEther(a.value as bigint)} ETH` : ""}`;
    case "CallExecuted":
      return (a.value as bigint) > 0n && a.data === "0x"
        ? `treasury paid ${formatEther(a.value as bigint)} ETH to ${who("target")}`
        : `timelock called ${who("target")}${(a.value as bigint) > 0n ? ` with ${formatEther(a.value as bigint)} ETH` : ""}`;
    case "MinDelayChange":
      return `timelock delay set to ${duration(a.newDuration as bigint)}`;
    case "Transfer":
      return `card #${a.tokenId} ${BigInt(a.from as string) === 0n ? `issued to ${who("to")}` : BigInt(a.to as string) === 0n ? `withdrawn from ${who("from")}` : `moved to ${who("to")}`}`;
    case "Locked":
      return `card #${a.tokenId} locked (soulbound)`;
    case "RoleGranted":
      return `timelock role granted to ${who("account")}`;
    case "RoleRevoked":
      return `timelock role revoked from ${who("account")}`;
    case "OwnershipTransferred":
      return `ownership handed to ${who("newOwner")}`;
    case "Unlocked":
      return `card #${a.tokenId} unlocked`;
    case "CallSalt":
      return "timelock operation salted (unique id)";
    case "Cancelled":
      return "timelock operation cancelled";
    case "RoleAdminChanged":
      return "timelock role administration set";
    case "VoiceCreditsBound":
      return `membership card bound to the voice credits at ${who("credits")}`;
    case "GovernorChanged":
      return `voice credits now spent through the governor at ${who("newGovernor")}`;
    case "TimelockChange":
      return `governor executes through the timelock at ${who("newTimelock")}`;
    case "EIP712DomainChanged":
      return "signing domain changed";
    // ----- Patronage: the contribution ledger
    case "ContributionLedgerConfigured":
      return `contribution ledger opened: periods of ${duration(a.periodLength as bigint)}, each reviewed for ${duration(a.reviewWindow as bigint)} after it closes`;
    case "AttestationThresholdSet":
      return `contributions recorded from now on need ${plural(a.newThreshold, "attestation")}`;
    case "ContributionRecorded":
      return `${who("contributor")} recorded entry #${a.entryId}: ${plural(a.units, "unit")} of ${kindText(a.kind as string)} in period ${a.period}${Number(a.threshold) > 1 ? ` (needs ${a.threshold} attestations)` : ""}`;
    case "ContributionAttested":
      return `${who("attester")} attested entry #${a.entryId} (${plural(a.attestations, "attestation")})`;
    case "ContributionValidated":
      return `entry #${a.entryId} validated: ${plural(a.units, "unit")} count for card #${a.cardId} in period ${a.period}`;
    case "ContributionVoided":
      return `entry #${a.entryId} voided, ${plural(a.unitsRemoved, "unit")} removed${a.reason ? `: “${a.reason}”` : ""}`;
    // ----- Patronage: the distributor
    case "PayRatioSet":
      return `pay ratio set to ${a.newRatio}:1 for periods that close from now on`;
    case "ClaimWindowSet":
      return `patronage claim window set to ${duration(a.newWindow as bigint)}`;
    case "FinalizationProgressed":
      return `period ${a.period}: ${plural(a.submitted, "contributor")} submitted for finalization`;
    case "PeriodFinalized":
      return `period ${a.period} finalized: ${plural(a.contributors, "contributor")}, smallest ${plural(a.minUnits, "unit")}, ratio ${a.ratio}:1, capped sum ${a.cappedSum}`;
    case "PotAllocated":
      return `pot #${a.potId} of ${potAmount(a.token as string, a.amount as bigint)} allocated to period ${a.period}, claims until ${when(a.deadline as bigint)}`;
    case "PatronageClaimed":
      return `${who("member")} claimed ${potAmount(pots.get(a.potId as bigint) ?? ZeroAddress, a.amount as bigint)} from pot #${a.potId} (card #${a.cardId})`;
    case "PotSwept":
      return `pot #${a.potId} swept: ${potAmount(pots.get(a.potId as bigint) ?? ZeroAddress, a.amount as bigint)} back to the treasury`;
    default:
      return e.name;
  }
}

/**
 * Why a vote or a signed ballot cannot count, in plain words, from either of the two ways the governor says
 * so: a batch skips a ballot with `BallotSkipped(index, voter, proposalId, reason)` (a `VoteRefusal` number),
 * and `castBallot` reverts with a custom error that carries its arguments. The relayer and the app show these
 * words; one copy here.
 */
import { voteRefusals } from "./ballots/ballot.ts";
import { proposalStateName, proposalStates } from "./format.ts";

/** IMutualGovernor.VoteRefusal, by name: the number `BallotSkipped` carries. */
export const VoteRefusal = {
  None: 0,
  ProposalNotActive: 1,
  InvalidSupport: 2,
  InvalidVoteParams: 3,
  ZeroVotes: 4,
  SwitchedSides: 5,
  AlreadyAbstained: 6,
  NotEligible: 7,
  InsufficientCredits: 8,
  TooManyVotes: 9,
  BallotExpired: 10,
  InvalidNonce: 11,
  InvalidSignature: 12,
} as const;
export type VoteRefusalValue = (typeof VoteRefusal)[keyof typeof VoteRefusal];

/** A refusal: its `VoteRefusal` number and the words to show. */
export interface BallotRefusal {
  refusal: VoteRefusalValue;
  reason: string;
}

/** The words for refusal number `refusal` of a `BallotSkipped` event. */
export function describeRefusal(refusal: number | bigint): string {
  const words = voteRefusals[Number(refusal)];
  return words ?? `refused for an unknown reason (${refusal})`;
}

/** A decoded custom error: its name and arguments (ethers' `ErrorDescription` and viem's decoded errors fit). */
export interface DecodedError {
  name: string;
  args: ArrayLike<unknown>;
}

/**
 * The refusal a custom error of `castBallot` (or a direct vote) stands for, with its arguments in the words;
 * undefined for an error that is not about the ballot.
 */
export function describeBallotError(error: DecodedError): BallotRefusal | undefined {
  const a = error.args;
  const words = (refusal: VoteRefusalValue, detail?: string): BallotRefusal => ({
    refusal,
    reason: detail === undefined ? voteRefusals[refusal] : `${voteRefusals[refusal]} (${detail})`,
  });
  switch (error.name) {
    case "MutualGovernorBallotExpired":
      return words(VoteRefusal.BallotExpired, `deadline ${a[0]}`);
    case "GovernorUnexpectedProposalState":
      return words(VoteRefusal.ProposalNotActive, `it is ${proposalStateName(a[1])}`);
    case "GovernorNonexistentProposal":
      return words(VoteRefusal.ProposalNotActive, `no proposal ${a[0]} exists`);
    case "InvalidAccountNonce":
      return words(VoteRefusal.InvalidNonce, `the next one is ${a[1]}`);
    case "GovernorInvalidSignature":
      return words(VoteRefusal.InvalidSignature, `voter ${a[0]}`);
    case "GovernorInvalidVoteType":
      return words(VoteRefusal.InvalidSupport);
    case "GovernorAlreadyCastVote":
      return words(VoteRefusal.AlreadyAbstained);
    case "MutualGovernorInvalidVoteParams":
      return words(VoteRefusal.InvalidVoteParams);
    case "MutualGovernorCannotSwitchSides":
      return words(VoteRefusal.SwitchedSides, `it voted ${["against", "for", "abstain"][Number(a[1])] ?? a[1]}`);
    case "MutualGovernorZeroVotes":
      return words(VoteRefusal.ZeroVotes);
    case "MutualGovernorTooManyVotes":
      return words(VoteRefusal.TooManyVotes, `${a[1]} votes`);
    case "MutualGovernorNotEligible":
      return words(VoteRefusal.NotEligible, `snapshot ${a[1]}`);
    case "InsufficientCredits":
      return words(VoteRefusal.InsufficientCredits, `needs ${a[1]}, has ${a[2]}`);
    default:
      return undefined;
  }
}

/** The states a `GovernorUnexpectedProposalState` error's bitmap allows, by name. */
function expectedStates(bitmap: unknown): string {
  let bits: bigint;
  try {
    bits = BigInt(bitmap as string);
  } catch {
    return "another state";
  }
  const names = proposalStates.filter((_, i) => (bits >> BigInt(i)) & 1n);
  return names.length === 0 ? "another state" : names.join(" or ");
}

/**
 * Any custom error of the co-op's contracts (MutualGovernor, MembershipCard, VoiceCredits, the timelock,
 * ContributionLedger, PatronageDistributor and the OpenZeppelin pieces they build on), in plain words with its arguments: the one place the app turns a revert
 * into a sentence. Ballot errors read as {@link describeBallotError}'s; an error no contract declares reads as
 * its name.
 */
export function describeContractError(error: DecodedError): string {
  const ballot = describeBallotError(error);
  if (ballot !== undefined) {
    if (error.name === "GovernorUnexpectedProposalState") {
      // An empty bitmap is `propose` finding the same actions and description proposed already.
      if (BigInt(error.args[2] as string) === 0n)
        return `The same proposal exists already (it is ${proposalStateName(error.args[1])}): change its actions or description.`;
      return `Proposal ${proposalStateName(error.args[1])}: the action needs it to be ${expectedStates(error.args[2])}.`;
    }
    return `${capital(ballot.reason)}.`;
  }
  const a = error.args;
  switch (error.name) {
    case "MutualGovernorNotMember":
      return `Only members can propose: ${a[0]} holds no membership card.`;
    case "MutualGovernorDepositAlreadySettled":
      return "This proposal's deposit was settled already.";
    case "MutualGovernorDepositNotSettleable":
      return `The deposit can be settled only after the vote (the proposal is ${proposalStateName(a[1])}).`;
    case "MutualGovernorInvalidParameter":
      return `The value ${a[1]} is out of range for ${a[0]}.`;
    case "MutualGovernorRelayRefused":
      return "No proposal may act as the governor: relay is refused. A proposal acts through the timelock.";
    case "GovernorRestrictedProposer":
      return `This description is reserved for ${a[0]}: its "#proposer=" suffix names another account.`;
    case "GovernorInvalidProposalLength":
      return `A proposal needs as many targets, values and calls (got ${a[0]}, ${a[2]} and ${a[1]}), and at least one.`;
    case "GovernorUnableToCancel":
      return `Only the proposer can cancel, and only while the proposal is pending (${a[1]} cannot).`;
    case "GovernorOnlyExecutor":
      return `Only the timelock may do this (${a[0]} is not it).`;
    case "GovernorAlreadyQueuedProposal":
      return "The proposal is queued already.";
    case "GovernorProposalQueueingFailed":
    case "GovernorProposalQueueingNotRequired":
      return "The timelock would not queue this proposal.";
    case "GovernorInsufficientProposerVotes":
      return `${a[0]} cannot propose: it has ${a[1]} of the ${a[2]} votes needed.`;
    case "GovernorInvalidVoteParams":
      return capital(`${voteRefusals[VoteRefusal.InvalidVoteParams]}.`);
    case "GovernorInvalidVotingPeriod":
      return `A voting period of ${a[0]} seconds is not allowed.`;
    case "GovernorDisabledDeposit":
      return "The governor does not accept ETH sent to it.";
    case "MembershipCardAlreadyMember":
      return `${a[0]} is a member already.`;
    case "MembershipCardNotMember":
      return `${a[0]} is not a member.`;
    case "MembershipCardInvalidAccount":
      return `${a[0]} cannot hold a membership card.`;
    case "MembershipCardCoopContract":
      return `${a[0]} is one of the co-op's own contracts (the card, the timelock, the credits, the governor, the contribution ledger or the patronage distributor): it cannot be a member.`;
    case "MembershipCardSoulbound":
      return `Card #${a[0]} is soulbound: it cannot be transferred.`;
    case "MembershipCardApprovalDisabled":
      return "Membership cards cannot be approved for anyone else.";
    case "MembershipCardFull":
      return `The co-op is full: at most ${a[0]} cards.`;
    case "MembershipCardFutureLookup":
      return `Time ${a[0]} is in the future (the chain is at ${a[1]}).`;
    case "MembershipCardCreditsAlreadyBound":
    case "MembershipCardCreditsNotBound":
      return "The membership card and the voice credits are not wired as expected.";
    case "VoiceCreditsNotMember":
      return `${a[0]} holds no credit account: not a member.`;
    case "VoiceCreditsUnauthorizedCard":
    case "VoiceCreditsUnauthorizedGovernor":
      return `${a[0]} may not move voice credits.`;
    case "VoiceCreditsInsufficientHeld":
      return `The governor holds ${a[1]} credits in deposits, fewer than ${a[0]}.`;
    case "VoiceCreditsInvalidSchedule":
      return `An invalid credit schedule: epochs of ${a[0]} seconds, ${a[1]} credits each, a cap of ${a[2]}.`;
    case "VoiceCreditsCapBelowDeposit":
      return `A credit cap of ${a[0]} is below the proposal deposit of ${a[1]}: nobody could ever propose again. Lower the deposit before the cap, raise the cap before the deposit.`;
    case "VoiceCreditsInvalidGovernor":
      return `${a[0]} cannot be the credits' governor (the zero address, or the governor already).`;
    case "TimelockUnexpectedOperationState":
      return "The timelock operation is not ready: wait until its delay has passed, or it was executed already.";
    case "TimelockInsufficientDelay":
      return `A delay of ${a[0]} seconds is under the timelock's minimum of ${a[1]}.`;
    case "TimelockUnexecutedPredecessor":
      return "An earlier timelock operation must be executed first.";
    case "TimelockUnauthorizedCaller":
      return `${a[0]} may not execute timelock operations.`;
    case "TimelockInvalidOperationLength":
      return "The timelock operation has mismatched targets, values and calls.";
    case "AccessControlUnauthorizedAccount":
      return `${a[0]} lacks the role this needs.`;
    case "ERC721NonexistentToken":
      return `There is no card #${a[0]}: it was never issued, or it was given back.`;
    case "ERC721InvalidOwner":
      return `${a[0]} cannot own a membership card.`;
    case "ERC721IncorrectOwner":
    case "ERC721InsufficientApproval":
    case "ERC721InvalidApprover":
    case "ERC721InvalidOperator":
    case "ERC721InvalidReceiver":
    case "ERC721InvalidSender":
      return "Membership cards are soulbound: they cannot be transferred or approved.";
    case "StringsInsufficientHexLength":
      return "The card's on-chain picture could not write a number as text.";
    case "AccessControlBadConfirmation":
      return "A role can be renounced only by its holder, for itself.";
    case "MembershipCardOwnershipNotRenounceable":
    case "VoiceCreditsOwnershipNotRenounceable":
    case "ContributionLedgerOwnershipNotRenounceable":
    case "PatronageDistributorOwnershipNotRenounceable":
      return "The co-op's contracts never renounce their owner: their powers stay with the timelock, or move to a new owner.";
    case "OwnableUnauthorizedAccount":
      return `Only the owner (the co-op's timelock) can do this; ${a[0]} is not it.`;
    case "FailedCall":
      return "A call made by the proposal failed (a payment to an address that refuses ETH, or a call that reverted).";
    case "ContributionLedgerNotMember":
      return `Only members record and attest contributions: ${a[0]} holds no membership card.`;
    case "ContributionLedgerInvalidUnits":
      return `A contribution must be from 1 to ${MAX_UNITS} units (got ${a[0]}).`;
    case "ContributionLedgerUnknownEntry":
      return `There is no contribution #${a[0]}.`;
    case "ContributionLedgerSelfAttestation":
      return `Card #${a[1]} is held by the member who recorded contribution #${a[0]} (their first card was #${a[2]}): nobody attests their own contribution.`;
    case "ContributionLedgerAlreadyAttested":
      return `Card #${a[1]} is held by a member who attested contribution #${a[0]} already, with this card or another (their first card was #${a[2]}).`;
    case "ContributionLedgerAlreadyValidated":
      return `Contribution #${a[0]} counts already: it needs no more attestations.`;
    case "ContributionLedgerEntryVoided":
      return `Contribution #${a[0]} was voided: it takes no attestations.`;
    case "ContributionLedgerPeriodClosed":
      return `Period ${a[0]} closed on ${utc(a[1])}: its contributions can no longer be attested.`;
    case "ContributionLedgerReviewClosed":
      return `The review of period ${a[0]} ended on ${utc(a[1])}: its contributions can no longer be voided.`;
    case "ContributionLedgerInvalidThreshold":
      return `A contribution needs from 1 to ${a[1]} attestations (got ${a[0]}).`;
    case "ContributionLedgerInvalidPeriods":
      return `Periods last from 1 day to 5 years and their review at most 1 year (got ${a[0]} and ${a[1]} seconds).`;
    case "PatronageDistributorPeriodUnderReview":
      return `Period ${a[0]} is under review until ${utc(a[1])}: it can be finalized only after that.`;
    case "PatronageDistributorAlreadyFinalized":
      return `Period ${a[0]} is finalized already.`;
    case "PatronageDistributorNotContributor":
      return `Card #${a[1]} has no validated units in period ${a[0]}: it is not a contributor.`;
    case "PatronageDistributorNotFinalized":
      return `Period ${a[0]} is not finalized yet: it must be finalized after its review.`;
    case "PatronageDistributorNothingToShare":
      return `Period ${a[0]} has no validated contributions: there is nobody to share a pot with.`;
    case "PatronageDistributorInvalidAllocation":
      return BigInt(a[0] as string) === 0n
        ? `An ETH pot must be more than 0 and sent with the call (amount ${a[1]} wei, ${a[2]} wei sent).`
        : `A pot of token ${a[0]} must be more than 0 and send no ETH (amount ${a[1]}, ${a[2]} wei sent).`;
    case "PatronageDistributorUnknownPot":
      return `There is no pot #${a[0]}.`;
    case "PatronageDistributorNotMember":
      return `Only members claim patronage: ${a[0]} holds no membership card.`;
    case "PatronageDistributorAlreadyClaimed":
      return `Card #${a[1]} claimed its share of pot #${a[0]} already.`;
    case "PatronageDistributorNothingToClaim":
      return `Card #${a[1]} has no share of pot #${a[0]}: nothing to claim.`;
    case "PatronageDistributorClaimClosed":
      return `Claims from pot #${a[0]} closed on ${utc(a[1])}.`;
    case "PatronageDistributorClaimOpen":
      return `Pot #${a[0]} can be swept only after its claims close, on ${utc(a[1])}.`;
    case "PatronageDistributorAlreadySwept":
      return `Pot #${a[0]} was swept already.`;
    case "PatronageDistributorInvalidParameter":
      return `The value ${a[1]} is out of range for ${a[0]}.`;
    case "ReentrancyGuardReentrantCall":
      return "The call came back into the distributor while it was paying: it refuses that.";
    case "SafeERC20FailedOperation":
      return `The token ${a[0]} refused the transfer (too small a balance or allowance?).`;
    case "InsufficientBalance":
      return `The contract holds ${a[0]} wei, fewer than the ${a[1]} it must send.`;
    case "OwnableInvalidOwner":
      return `${a[0]} cannot be the owner.`;
    case "CheckpointUnorderedInsertion":
      return "A checkpoint was written out of order.";
    case "SafeCastOverflowedUintDowncast":
      return `The value ${a[1]} does not fit ${a[0]} bits.`;
    case "StringTooLong":
    case "InvalidShortString":
      return "A text is too long.";
    default:
      return `The contract refused: ${error.name}.`;
  }
}

/** The largest units one contribution may carry: 2^64 - 1. */
const MAX_UNITS = (1n << 64n) - 1n;

/** A chain time (seconds) as `2025-03-01 12:00 UTC`. */
function utc(timestamp: unknown): string {
  const seconds = Number(timestamp as bigint);
  if (!Number.isFinite(seconds)) return String(timestamp);
  return `${new Date(seconds * 1000).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

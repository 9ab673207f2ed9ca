/**
 * Why a vote or a signed ballot cannot count, in plain words, from either of the two ways the governor says
 * so: a batch skips a ballot with `BallotSkipped(index, voter, proposalId, reason)` (a `VoteRefusal` number),
 * and `castBallot` reverts with a custom error that carries its arguments. The relayer and the app show these
 * words; one copy here.
 */
import { voteRefusals } from "./ballots.ts";
import { proposalStates } from "./governor-abi.ts";

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

const proposalStateName = (state: unknown) => proposalStates[Number(state)] ?? `state ${state}`;

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

/**
 * EIP-712 definitions of Mutual's signed ballots, shared by the tests, the relayer and the app.
 * The shapes match what ethers' `signTypedData` and viem's `signTypedData` take.
 */

/** Sides of a vote, as in OpenZeppelin's GovernorCountingSimple. */
export const Support = { Against: 0, For: 1, Abstain: 2 } as const;
export type SupportValue = (typeof Support)[keyof typeof Support];

/** One field of an EIP-712 struct type. */
export interface TypedDataField {
  name: string;
  type: string;
}

/**
 * The EIP-712 types of a quadratic ballot (MutualGovernor.QUADRATIC_BALLOT_TYPEHASH).
 * Plain mutable arrays, as both ethers' and viem's `signTypedData` accept.
 */
export const quadraticBallotTypes: { QuadraticBallot: TypedDataField[] } = {
  QuadraticBallot: [
    { name: "proposalId", type: "uint256" },
    { name: "support", type: "uint8" },
    { name: "voter", type: "address" },
    { name: "votes", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
    { name: "reason", type: "string" },
  ],
};

/** The signed fields of a quadratic ballot. */
export interface QuadraticBallotMessage {
  proposalId: bigint;
  support: number;
  voter: string;
  votes: bigint;
  /** The voter's ballot count on this proposal: `governor.ballotNonce(proposalId, voter)`. */
  nonce: bigint;
  /** Unix time after which the ballot no longer counts. */
  deadline: bigint;
  reason: string;
}

/** A ballot with its signature, in the order of MutualGovernor's `Ballot` struct. */
export interface SignedBallot extends QuadraticBallotMessage {
  signature: string;
}

export interface GovernorDomain {
  name: string;
  version: string;
  chainId: bigint;
  verifyingContract: string;
}

/** The governor's EIP-712 domain: its name, version "1", the chain and its address. */
export function governorDomain(name: string, chainId: bigint, verifyingContract: string): GovernorDomain {
  return { name, version: "1", chainId, verifyingContract };
}

/** The tuple MutualGovernor's `castBallot`/`castBallots` take for one ballot. */
export function ballotTuple(b: SignedBallot) {
  return {
    proposalId: b.proposalId,
    support: b.support,
    voter: b.voter,
    votes: b.votes,
    nonce: b.nonce,
    deadline: b.deadline,
    reason: b.reason,
    signature: b.signature,
  };
}

/**
 * Why a batched ballot was skipped: the `VoteRefusal` enum of IMutualGovernor, in plain words,
 * indexed by the number the `BallotSkipped` event carries.
 */
export const voteRefusals = [
  "counted",
  "the proposal is not open for votes",
  "the side must be against (0), for (1) or abstain (2)",
  "the vote parameters must be one number of votes",
  "a vote must add at least one vote",
  "the voter already voted on the other side",
  "the voter already abstained",
  "the voter was not a member at the proposal's snapshot and ever since",
  "the voter has too few credits",
  "too many votes for one member",
  "the ballot expired",
  "the ballot's nonce is not the voter's next one on this proposal",
  "the signature does not match the voter",
] as const;

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

/** The most votes, and the latest deadline, a compact ballot can carry (its `uint24` and `uint48` fields). */
export const COMPACT_MAX_VOTES = (1n << 24n) - 1n;
export const COMPACT_MAX_DEADLINE = (1n << 48n) - 1n;

/**
 * One ballot as MutualGovernor's `castBallotsCompact` takes it (`IMutualGovernor.CompactBallot`): `head` packs,
 * from the lowest bit, voter (160 bits), support (8), votes (24) and deadline (48); `r` and `vs` are the EIP-2098
 * signature (`vs` is `s` with the recovery bit on top).
 */
export interface CompactBallot {
  head: string;
  r: string;
  vs: string;
}

/**
 * Why `ballot` cannot travel in compact form, or `undefined` if it can. Compact ballots carry no reason,
 * votes below 2^24, a deadline below 2^48, and a 65-byte signature of an externally owned account (a contract
 * wallet's signature goes through `castBallots`).
 */
export function notCompactReason(ballot: SignedBallot): string | undefined {
  if (ballot.support < 0 || ballot.support > 255 || !Number.isInteger(ballot.support)) return "its side is not a uint8";
  if (ballot.votes < 0n || ballot.deadline < 0n) return "its votes or deadline are negative";
  if (!/^0x[0-9a-fA-F]{40}$/.test(ballot.voter)) return "its voter is not an address";
  if (ballot.reason !== "") return "it has a reason";
  if (ballot.votes > COMPACT_MAX_VOTES) return "its votes exceed 2^24 - 1";
  if (ballot.deadline > COMPACT_MAX_DEADLINE) return "its deadline exceeds 2^48 - 1";
  if (!/^0x[0-9a-fA-F]{130}$/.test(ballot.signature)) return "its signature is not 65 bytes";
  const v = parseInt(ballot.signature.slice(130, 132), 16);
  if (v !== 27 && v !== 28 && v !== 0 && v !== 1) return "its signature's v is neither 27 nor 28";
  return undefined;
}

/**
 * A signed ballot in compact form (EIP-2098 signature: `vs` is `s` with the recovery bit on top).
 * Throws when it cannot be compact (see {@link notCompactReason}). The nonce is not sent: the governor uses the
 * voter's current one, so `ballot.nonce` must be it for the ballot to count.
 */
export function compactBallot(ballot: SignedBallot): CompactBallot {
  const why = notCompactReason(ballot);
  if (why !== undefined) throw new Error(`ballot of ${ballot.voter} cannot be compact: ${why}`);
  const r = `0x${ballot.signature.slice(2, 66)}`;
  const s = BigInt(`0x${ballot.signature.slice(66, 130)}`);
  const yParity = BigInt(parseInt(ballot.signature.slice(130, 132), 16) % 27);
  const vs = (yParity << 255n) | s;
  const head =
    BigInt(ballot.voter) | (BigInt(ballot.support) << 160n) | (ballot.votes << 168n) | (ballot.deadline << 192n);
  return { head: word(head), r, vs: word(vs) };
}

/** `value` as a 32-byte hex word. */
function word(value: bigint): string {
  return `0x${value.toString(16).padStart(64, "0")}`;
}

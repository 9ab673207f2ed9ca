/**
 * Relaying signed ballots: the JSON a client posts to the relayer (its schema, and the conversion from and to
 * a `SignedBallot`), a ballot's id, and how ballots are packed into calls to the governor and read back from a
 * receipt. Shared by the relayer, its tests and the app.
 */
import { Interface, TypedDataEncoder, getAddress, recoverAddress, type TypedDataField } from "ethers";

import {
  compactBallot,
  notCompactReason,
  quadraticBallotTypes,
  type GovernorDomain,
  type QuadraticBallotMessage,
  type SignedBallot,
} from "./ballot.ts";
import { governorBallotAbi } from "../governor-abi.ts";
import { describeRefusal } from "../refusals.ts";

/** The longest reason a relayed ballot may carry, in characters. */
export const MAX_REASON_LENGTH = 1000;
/** The longest signature a relayed ballot may carry, in bytes (an ERC-1271 wallet may sign with more than 65). */
export const MAX_SIGNATURE_BYTES = 2048;

/**
 * A signed ballot as JSON: the EIP-712 domain's chain and verifying contract, the signed fields, and the
 * signature. Numbers that may exceed 2^53 are decimal strings.
 */
export interface BallotRequest {
  chainId: number;
  verifyingContract: string;
  proposalId: string;
  support: number;
  voter: string;
  votes: string;
  nonce: string;
  deadline: string;
  reason: string;
  signature: string;
}

const uint256 = { type: "string", pattern: "^(0|[1-9][0-9]{0,77})$" } as const;
const address = { type: "string", pattern: "^0x[0-9a-fA-F]{40}$" } as const;

/** JSON Schema (draft-07, as Ajv and Fastify take it) of a {@link BallotRequest}. */
export const ballotRequestSchema = {
  $id: "BallotRequest",
  type: "object",
  additionalProperties: false,
  required: [
    "chainId",
    "verifyingContract",
    "proposalId",
    "support",
    "voter",
    "votes",
    "nonce",
    "deadline",
    "reason",
    "signature",
  ],
  properties: {
    chainId: { type: "integer", minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
    verifyingContract: address,
    proposalId: uint256,
    support: { type: "integer", enum: [0, 1, 2] },
    voter: address,
    votes: uint256,
    nonce: uint256,
    deadline: uint256,
    reason: { type: "string", maxLength: MAX_REASON_LENGTH },
    signature: { type: "string", pattern: `^0x([0-9a-fA-F]{2}){1,${MAX_SIGNATURE_BYTES}}$` },
  },
} as const;

/** The JSON to post for `ballot`, signed over `domain`. */
export function toBallotRequest(ballot: SignedBallot, domain: GovernorDomain): BallotRequest {
  return {
    chainId: Number(domain.chainId),
    verifyingContract: domain.verifyingContract,
    proposalId: ballot.proposalId.toString(),
    support: ballot.support,
    voter: ballot.voter,
    votes: ballot.votes.toString(),
    nonce: ballot.nonce.toString(),
    deadline: ballot.deadline.toString(),
    reason: ballot.reason,
    signature: ballot.signature,
  };
}

/** The numbers a {@link BallotRequest} holds as decimal strings must fit a uint256. */
const UINT256_LIMIT = 1n << 256n;

/**
 * The ballot a request (already checked against {@link ballotRequestSchema}) carries, with checksummed
 * addresses; throws a `RangeError` naming the field when a number does not fit a uint256.
 */
export function fromBallotRequest(request: BallotRequest): {
  chainId: bigint;
  verifyingContract: string;
  ballot: SignedBallot;
} {
  const uint = (field: "proposalId" | "votes" | "nonce" | "deadline") => {
    const value = BigInt(request[field]);
    if (value >= UINT256_LIMIT) throw new RangeError(`${field} must be below 2^256`);
    return value;
  };
  return {
    chainId: BigInt(request.chainId),
    verifyingContract: getAddress(request.verifyingContract),
    ballot: {
      proposalId: uint("proposalId"),
      support: request.support,
      voter: getAddress(request.voter),
      votes: uint("votes"),
      nonce: uint("nonce"),
      deadline: uint("deadline"),
      reason: request.reason,
      signature: request.signature.toLowerCase(),
    },
  };
}

const ballotTypes = quadraticBallotTypes as unknown as Record<string, TypedDataField[]>;

/**
 * A ballot's id: its EIP-712 digest, the very hash the voter signed and `ballotDigest` returns. The same ballot
 * has the same id whatever its signature's encoding, so a relayer stores and submits it once.
 */
export function ballotId(domain: GovernorDomain, ballot: QuadraticBallotMessage): string {
  return TypedDataEncoder.hash(domain, ballotTypes, {
    proposalId: ballot.proposalId,
    support: ballot.support,
    voter: ballot.voter,
    votes: ballot.votes,
    nonce: ballot.nonce,
    deadline: ballot.deadline,
    reason: ballot.reason,
  });
}

/** The governor's ballot interface (ethers). */
export const governorBallotInterface = new Interface(governorBallotAbi);

/** One call to the governor that casts ballots. */
export interface BallotCall<T extends SignedBallot> {
  /** The governor function it calls. */
  method: "castBallots" | "castBallotsCompact";
  /** The ballots in the order the call carries them: a `BallotSkipped` index points into this list. */
  ballots: T[];
  /** The calldata, to send to the governor. */
  data: string;
}

/**
 * Whether `ballot`'s signature is its voter's own ECDSA signature of `id` (the ballot's EIP-712 digest, see
 * {@link ballotId}): an externally owned account's, as the compact form requires. A contract wallet's signature
 * is checked by the wallet (ERC-1271) and is not.
 */
export function signedByVoter(id: string, ballot: SignedBallot): boolean {
  try {
    return getAddress(recoverAddress(id, ballot.signature)) === getAddress(ballot.voter);
  } catch {
    return false;
  }
}

/**
 * Which ballots go in which call, and how each call is encoded: the one place a relayer decides it. The oldest
 * ballot decides the first call. An externally owned account's ballot without a reason travels compact: with the
 * other such ballots on its proposal, in `castBallotsCompact` (three words of calldata each, about 40,000 gas per
 * vote in a batch of 50). Any other ballot (a reason, a contract wallet, a deadline beyond 2^48) travels with the
 * other such ballots in `castBallots(Ballot[])`. Ballots keep their order within a call, at most `maxPerCall` per
 * call; both entry points skip a bad ballot without sinking the rest. `ballots[i].id` is the ballot's digest.
 */
export function planBallotCalls<T extends SignedBallot & { id: string }>(
  ballots: readonly T[],
  maxPerCall: number,
): BallotCall<T>[] {
  if (!Number.isInteger(maxPerCall) || maxPerCall < 1) throw new RangeError("maxPerCall must be a positive integer");
  let rest = ballots.map((ballot) => ({
    ballot,
    compact: notCompactReason(ballot) === undefined && signedByVoter(ballot.id, ballot),
  }));
  const calls: BallotCall<T>[] = [];
  while (rest.length > 0) {
    const first = rest[0];
    const part: T[] = [];
    const left: typeof rest = [];
    for (const x of rest) {
      const fits = first.compact ? x.compact && x.ballot.proposalId === first.ballot.proposalId : !x.compact;
      if (fits && part.length < maxPerCall) part.push(x.ballot);
      else left.push(x);
    }
    rest = left;
    calls.push(first.compact ? compactCall(first.ballot.proposalId, part) : generalCall(part));
  }
  return calls;
}

function compactCall<T extends SignedBallot>(proposalId: bigint, ballots: T[]): BallotCall<T> {
  const data = governorBallotInterface.encodeFunctionData("castBallotsCompact", [
    proposalId,
    ballots.map((b) => {
      const c = compactBallot(b);
      return [c.head, c.r, c.vs];
    }),
  ]);
  return { method: "castBallotsCompact", ballots, data };
}

function generalCall<T extends SignedBallot>(ballots: T[]): BallotCall<T> {
  const data = governorBallotInterface.encodeFunctionData("castBallots", [
    ballots.map((b) => [b.proposalId, b.support, b.voter, b.votes, b.nonce, b.deadline, b.reason, b.signature]),
  ]);
  return { method: "castBallots", ballots, data };
}

/** What became of one ballot of a mined call. */
export type BallotOutcome<T> =
  { ballot: T; counted: true } | { ballot: T; counted: false; refusal: number; reason: string };

/** A log as receipts carry it. */
export interface ReceiptLog {
  address: string;
  topics: readonly string[];
  data: string;
}

/**
 * What became of each ballot of `call`, from the logs of its successful transaction to `governor`: a ballot with
 * a `BallotSkipped` event was refused for the reason it names, every other one counted.
 */
export function ballotCallOutcomes<T extends SignedBallot>(
  call: BallotCall<T>,
  logs: readonly ReceiptLog[],
  governor: string,
): BallotOutcome<T>[] {
  const skipped = new Map<number, number>();
  const skippedTopic = governorBallotInterface.getEvent("BallotSkipped")!.topicHash;
  for (const log of logs) {
    if (log.address.toLowerCase() !== governor.toLowerCase() || log.topics[0] !== skippedTopic) continue;
    const parsed = governorBallotInterface.parseLog({ topics: [...log.topics], data: log.data })!;
    skipped.set(Number(parsed.args.index), Number(parsed.args.reason));
  }
  return call.ballots.map((ballot, index) => {
    const refusal = skipped.get(index);
    return refusal === undefined
      ? { ballot, counted: true as const }
      : { ballot, counted: false as const, refusal, reason: describeRefusal(refusal) };
  });
}

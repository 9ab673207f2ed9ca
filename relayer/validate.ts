/**
 * Whether a posted ballot can count, decided before anything is stored: its domain (chain and governor), its
 * signature, and then everything the chain knows (deadline, proposal state, nonce, membership, credits) by
 * simulating `castBallot` from the relayer's address with `eth_call` and decoding the custom error it reverts
 * with. A ballot that passes would count if it were mined now.
 */
import { getAddress, verifyTypedData, type Provider, type TypedDataField } from "ethers";

import { quadraticBallotTypes, type GovernorDomain, type SignedBallot } from "../lib/ballots/ballot.ts";
import { describeBallotError, VoteRefusal } from "../lib/refusals.ts";
import { ballotId, fromBallotRequest, governorBallotInterface, type BallotRequest } from "../lib/ballots/relay.ts";

/** A refusal to relay a ballot, with the HTTP status and a stable code for clients. */
export class BallotRejectedError extends Error {
  override readonly name = "BallotRejectedError";
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** The chain could not be asked (not the ballot's fault): the client may try again. */
export class ChainUnavailableError extends Error {
  override readonly name = "ChainUnavailableError";
}

const refusalCodes = Object.fromEntries(Object.entries(VoteRefusal).map(([name, n]) => [n, name])) as Record<
  number,
  string
>;
const ballotTypes = quadraticBallotTypes as unknown as Record<string, TypedDataField[]>;

/** The revert data an `eth_call` failure carries, wherever the provider put it. */
export function revertData(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  const visit = (e: unknown): string | undefined => {
    if (e === null || typeof e !== "object" || seen.has(e)) return undefined;
    seen.add(e);
    const o = e as Record<string, unknown>;
    if (typeof o.data === "string" && /^0x[0-9a-fA-F]*$/.test(o.data) && o.data.length >= 10) return o.data;
    for (const key of ["data", "error", "info", "cause", "revert"]) {
      const found = visit(o[key]);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  return visit(error);
}

/** How hard the validator tries a chain read before it turns a member away with 503. */
export interface ReadRetries {
  /** Attempts in all (the first one included). */
  attempts: number;
  /** Pause after the first failure; it doubles after each further one. */
  backoffMs: number;
}

/** Five attempts over about 1.5 s: a flaky RPC (a 500, a 429, a dropped connection) rarely fails five in a row. */
export const defaultReadRetries: ReadRetries = { attempts: 5, backoffMs: 100 };

/**
 * `read()`, tried again after a failure that `isFinal` does not call final (a revert is an answer, not a failure),
 * up to `retries.attempts` times with a doubling pause; the last failure is thrown.
 */
export async function withReadRetries<T>(
  read: () => Promise<T>,
  retries: ReadRetries,
  isFinal: (error: unknown) => boolean = () => false,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (error) {
      if (attempt >= retries.attempts || isFinal(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, retries.backoffMs * 2 ** (attempt - 1)));
    }
  }
}

/** Why `castBallot(ballot)` reverts, decoded; undefined when the call succeeds. */
export async function simulateBallot(
  provider: Provider,
  from: string,
  governor: string,
  ballot: SignedBallot,
  retries: ReadRetries = defaultReadRetries,
): Promise<{ refusal: number; code: string; reason: string } | undefined> {
  const data = governorBallotInterface.encodeFunctionData("castBallot", [
    [
      ballot.proposalId,
      ballot.support,
      ballot.voter,
      ballot.votes,
      ballot.nonce,
      ballot.deadline,
      ballot.reason,
      ballot.signature,
    ],
  ]);
  try {
    // A revert carries data and is final; anything else (HTTP 500, 429, a dropped connection) is tried again.
    await withReadRetries(
      () => provider.call({ from, to: governor, data }),
      retries,
      (e) => revertData(e) !== undefined,
    );
    return undefined;
  } catch (error) {
    const revert = revertData(error);
    const decoded = revert === undefined ? null : governorBallotInterface.parseError(revert);
    const refusal = decoded === null ? undefined : describeBallotError(decoded);
    if (refusal !== undefined) return { ...refusal, code: refusalCodes[refusal.refusal] };
    if (revert !== undefined) {
      return { refusal: -1, code: "Reverted", reason: `the governor refused the ballot (${decoded?.name ?? revert})` };
    }
    throw new ChainUnavailableError(
      `cannot simulate the ballot on the chain after ${retries.attempts} attempts: ${(error as Error).message}`,
    );
  }
}

export interface ValidatorConfig {
  provider: Provider;
  /** The governor's EIP-712 domain. */
  domain: GovernorDomain;
  /** The relayer's address: simulations run from it, as the batch will. */
  relayer: string;
  /** How often a failed chain read is tried again before the ballot is refused with 503. */
  retries?: ReadRetries;
}

/** A ballot that passed the checks that need no chain: its domain and (for an EOA) its signature. */
export interface ParsedBallot {
  id: string;
  ballot: SignedBallot;
}

export class BallotValidator {
  readonly #config: ValidatorConfig;

  constructor(config: ValidatorConfig) {
    this.#config = config;
  }

  /**
   * The ballot a (schema-valid) request carries and its id, after the checks that need no simulation: the
   * numbers fit, the domain is this relayer's, and an EOA's signature recovers to the voter.
   */
  async parse(request: BallotRequest): Promise<ParsedBallot> {
    const { domain, provider } = this.#config;
    let parsed;
    try {
      parsed = fromBallotRequest(request);
    } catch (error) {
      throw new BallotRejectedError(400, "InvalidBody", `body/${(error as Error).message}`);
    }
    if (parsed.chainId !== domain.chainId) {
      throw new BallotRejectedError(
        422,
        "WrongChain",
        `the ballot is signed for chain ${parsed.chainId}; this relayer submits to chain ${domain.chainId}`,
      );
    }
    if (parsed.verifyingContract !== getAddress(domain.verifyingContract)) {
      throw new BallotRejectedError(
        422,
        "WrongVerifyingContract",
        `the ballot is signed for the contract ${parsed.verifyingContract}; this relayer submits to the governor ${getAddress(domain.verifyingContract)}`,
      );
    }
    const { ballot } = parsed;
    const id = ballotId(domain, ballot);
    let signer: string | undefined;
    try {
      signer = verifyTypedData(domain, ballotTypes, ballot, ballot.signature);
    } catch {
      signer = undefined;
    }
    // A contract wallet (ERC-1271) signs in its own way: the simulation asks the wallet itself.
    if (signer !== ballot.voter) {
      let code: string;
      const retries = this.#config.retries ?? defaultReadRetries;
      try {
        code = await withReadRetries(() => provider.getCode(ballot.voter), retries);
      } catch (error) {
        throw new ChainUnavailableError(
          `cannot read the voter's code after ${retries.attempts} attempts: ${(error as Error).message}`,
        );
      }
      if (code === "0x") {
        throw new BallotRejectedError(
          422,
          "InvalidSignature",
          signer === undefined
            ? `the signature does not match the voter: it is not a valid ECDSA signature`
            : `the signature does not match the voter: it recovers to ${signer}, not ${ballot.voter}`,
        );
      }
    }
    return { id, ballot };
  }

  /** Throws a {@link BallotRejectedError} saying why the ballot would not count if it were mined now. */
  async simulate(ballot: SignedBallot): Promise<void> {
    const { provider, relayer, domain } = this.#config;
    const refusal = await simulateBallot(
      provider,
      relayer,
      domain.verifyingContract,
      ballot,
      this.#config.retries ?? defaultReadRetries,
    );
    if (refusal !== undefined) throw new BallotRejectedError(422, refusal.code, refusal.reason);
  }
}

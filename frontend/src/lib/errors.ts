/**
 * Every error the app can meet, in plain words: a contract's custom error (decoded with the co-op's generated
 * ABIs and described by `describeContractError` in the shared module, the one list of words), a refusal in the
 * wallet, an unreachable chain, or a relayer's answer.
 */
import { BaseError, ContractFunctionRevertedError, decodeErrorResult, type Abi, type Hex } from "viem";

import {
  contributionLedgerAbi,
  membershipCardAbi,
  mutualGovernorAbi,
  patronageDistributorAbi,
  timelockControllerAbi,
  voiceCreditsAbi,
} from "#lib/abi/contracts.ts";
import { describeContractError } from "#lib/refusals.ts";

/** Every custom error the co-op's contracts declare, for decoding raw revert data. */
const errorAbi = [
  ...mutualGovernorAbi,
  ...membershipCardAbi,
  ...voiceCreditsAbi,
  ...timelockControllerAbi,
  ...contributionLedgerAbi,
  ...patronageDistributorAbi,
].filter((item) => item.type === "error") as Abi;

/** Decodes raw revert data (`0x` + selector + arguments) into words; undefined if no co-op error matches. */
export function describeRevertData(data: string): string | undefined {
  if (!/^0x[0-9a-fA-F]{8}/.test(data)) return undefined;
  try {
    const decoded = decodeErrorResult({ abi: errorAbi, data: data as Hex });
    return describeContractError({ name: decoded.errorName, args: (decoded.args ?? []) as readonly unknown[] });
  } catch {
    return undefined;
  }
}

/** Finds revert data anywhere in an error's cause chain (wallets nest it differently). */
function revertDataOf(error: unknown, depth = 0): string | undefined {
  if (error === null || typeof error !== "object" || depth > 8) return undefined;
  const e = error as { data?: unknown; cause?: unknown };
  if (typeof e.data === "string" && e.data.startsWith("0x") && e.data.length >= 10) return e.data;
  if (typeof e.data === "object" && e.data !== null) {
    const inner = (e.data as { data?: unknown }).data;
    if (typeof inner === "string" && inner.startsWith("0x") && inner.length >= 10) return inner;
  }
  return revertDataOf(e.cause, depth + 1);
}

/** Any error as one sentence a member can act on. */
export function describeError(error: unknown): string {
  if (error instanceof BaseError) {
    const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError);
    if (reverted instanceof ContractFunctionRevertedError && reverted.data !== undefined) {
      return describeContractError({
        name: reverted.data.errorName,
        args: (reverted.data.args ?? []) as readonly unknown[],
      });
    }
    const data = revertDataOf(error);
    const decoded = data === undefined ? undefined : describeRevertData(data);
    if (decoded !== undefined) return decoded;
    const rejected = error.walk(
      (e) => (e as { code?: number }).code === 4001 || (e as BaseError).name === "UserRejectedRequestError",
    );
    if (rejected !== null) return "You declined the request in your wallet.";
    if (error.walk((e) => (e as BaseError).name === "HttpRequestError") !== null)
      return "The chain did not answer: is the node running?";
    if (error.walk((e) => (e as BaseError).name === "InsufficientFundsError") !== null)
      return "This account has too little ETH to pay the gas. Sign a ballot for the relayer instead: it needs none.";
    return error.shortMessage;
  }
  const data = revertDataOf(error);
  const decoded = data === undefined ? undefined : describeRevertData(data);
  if (decoded !== undefined) return decoded;
  if (error instanceof Error) return error.message;
  return String(error);
}

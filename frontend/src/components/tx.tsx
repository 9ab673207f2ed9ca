/**
 * A transaction's life in the page: waiting for the wallet → pending on chain → confirmed, or failed with the
 * reason in words (`describeError`). One status line per action, announced to screen readers.
 */
import { useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { usePublicClient } from "wagmi";
import type { Hash, TransactionReceipt } from "viem";

import { describeError } from "../lib/errors.ts";

export type TxState =
  | { status: "idle" }
  | { status: "wallet"; label: string }
  | { status: "pending"; label: string; hash: Hash }
  | { status: "confirmed"; label: string; hash: Hash }
  | { status: "failed"; label: string; error: string; hash?: Hash };

export function useTx() {
  const client = usePublicClient();
  const queryClient = useQueryClient();
  const [state, setState] = useState<TxState>({ status: "idle" });
  async function run(label: string, send: () => Promise<Hash>): Promise<TransactionReceipt | undefined> {
    setState({ status: "wallet", label });
    let hash: Hash | undefined;
    try {
      hash = await send();
      setState({ status: "pending", label, hash });
      const receipt = await client!.waitForTransactionReceipt({ hash });
      if (receipt.status !== "success") {
        setState({ status: "failed", label, hash, error: "The transaction was mined but reverted." });
        return undefined;
      }
      setState({ status: "confirmed", label, hash });
      await queryClient.invalidateQueries();
      return receipt;
    } catch (error) {
      setState({ status: "failed", label, hash, error: describeError(error) });
      return undefined;
    }
  }
  return {
    state,
    run,
    busy: state.status === "wallet" || state.status === "pending",
    reset: () => setState({ status: "idle" }),
  };
}

export function TxStatus({ state }: { state: TxState }) {
  if (state.status === "idle") return <div role="status" aria-live="polite" className="sr-only" />;
  const text =
    state.status === "wallet"
      ? `${state.label}: confirm in your wallet…`
      : state.status === "pending"
        ? `${state.label}: pending on chain…`
        : state.status === "confirmed"
          ? `${state.label}: confirmed.`
          : `${state.label} failed. ${state.error}`;
  return (
    <div role="status" aria-live="polite" className={`tx tx-${state.status}`} data-tx={state.status}>
      <span className="tx-dot" aria-hidden="true" />
      <span>{text}</span>
      {"hash" in state && state.hash !== undefined && (
        <code className="tx-hash" title={state.hash}>
          {state.hash.slice(0, 10)}…
        </code>
      )}
    </div>
  );
}

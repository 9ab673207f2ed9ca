/**
 * Voting without gas: sign an EIP-712 ballot in the wallet, post it to the relayer (`POST /ballots`, the request
 * of `lib/ballots/relay.ts`), then follow it (`GET /ballots/:id`) until it is included on chain or rejected.
 */
import { useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { usePublicClient, useSignTypedData } from "wagmi";
import type { Address } from "viem";

import { governorDomain, quadraticBallotTypes } from "#lib/ballots/ballot.ts";
import { toBallotRequest } from "#lib/ballots/relay.ts";
import { CHAIN_ID, relayerUrl } from "../env.ts";
import { describeError } from "../lib/errors.ts";
import { mutualGovernorAbi } from "#lib/abi/contracts.ts";

export type BallotState =
  | { status: "idle" }
  | { status: "signing" }
  | { status: "queued" | "submitted"; id: string }
  | { status: "included"; id: string; txHash: string }
  | { status: "rejected" | "failed"; error: string; id?: string };

/** How long a signed ballot stays valid. */
const BALLOT_LIFETIME = 86_400n;

export function useBallot(governor: Address) {
  const client = usePublicClient();
  const { signTypedDataAsync } = useSignTypedData();
  const queryClient = useQueryClient();
  const [state, setState] = useState<BallotState>({ status: "idle" });

  async function send(voter: Address, proposalId: bigint, support: number, votes: bigint) {
    setState({ status: "signing" });
    try {
      const [name, nonce, block] = await Promise.all([
        client!.readContract({ address: governor, abi: mutualGovernorAbi, functionName: "name" }),
        client!.readContract({
          address: governor,
          abi: mutualGovernorAbi,
          functionName: "ballotNonce",
          args: [proposalId, voter],
        }),
        client!.getBlock(),
      ]);
      const domain = governorDomain(name, BigInt(CHAIN_ID), governor);
      const message = {
        proposalId,
        support,
        voter,
        votes,
        nonce,
        deadline: block.timestamp + BALLOT_LIFETIME,
        reason: "",
      };
      const signature = await signTypedDataAsync({
        domain: { ...domain, verifyingContract: governor },
        types: quadraticBallotTypes,
        primaryType: "QuadraticBallot",
        message,
      });
      const base = relayerUrl();
      const posted = await fetch(`${base}/ballots`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(toBallotRequest({ ...message, signature }, domain)),
      });
      const body = (await posted.json().catch(() => ({}))) as { id?: string; message?: string };
      if (posted.status !== 202 || body.id === undefined) {
        setState({ status: "rejected", error: body.message ?? `The relayer answered ${posted.status}.` });
        return;
      }
      const id = body.id;
      setState({ status: "queued", id });
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        const answer = await fetch(`${base}/ballots/${id}`);
        const ballot = (await answer.json()) as { status: string; txHash?: string; rejection?: { reason: string } };
        if (ballot.status === "included") {
          setState({ status: "included", id, txHash: ballot.txHash ?? "" });
          await queryClient.invalidateQueries();
          return;
        }
        if (ballot.status === "rejected") {
          setState({ status: "rejected", id, error: ballot.rejection?.reason ?? "the relayer rejected it" });
          return;
        }
        setState({ status: ballot.status === "submitted" ? "submitted" : "queued", id });
      }
    } catch (error) {
      const text = error instanceof TypeError ? `The relayer at ${relayerUrl()} did not answer.` : describeError(error);
      setState({ status: "failed", error: text });
    }
  }
  return { state, send };
}

export function ballotText(state: BallotState): string {
  switch (state.status) {
    case "idle":
      return "";
    case "signing":
      return "Ballot: sign it in your wallet…";
    case "queued":
      return "Ballot: the relayer stored it and will submit it shortly…";
    case "submitted":
      return "Ballot: submitted on chain, waiting for the block…";
    case "included":
      return "Ballot: included on chain.";
    case "rejected":
      return `Ballot refused: ${state.error}`;
    case "failed":
      return `Ballot failed: ${state.error}`;
  }
}

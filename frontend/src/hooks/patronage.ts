/**
 * Patronage for the pages: the contribution ledger rebuilt from its events (`lib/rules/patronage.ts`'s `LedgerModel`), the
 * claims from the distributor's, and the figures only the contracts hold — periods' times, finalizations, pots —
 * read with the generated ABIs at the same block. The events are the co-op's live history (`coopHistory`: replayed
 * once, then carried forward block by block), so no log is read twice; the views are read again at each new block.
 */
import { useQuery } from "@tanstack/react-query";
import { useBlockNumber, useConnection, usePublicClient, useReadContract } from "wagmi";
import type { Abi, Address, PublicClient } from "viem";

import { contributionLedgerAbi, membershipCardAbi, patronageDistributorAbi } from "#lib/abi/contracts.ts";
import { coopHistory, useDeployment } from "./coop.ts";
import type { Deployment } from "#lib/deployment.ts";
import type { ReplayEvent } from "#lib/replay/index.ts";
import { ledgerModelFromEvents, personRegisterFromEvents, type LedgerModel } from "#lib/rules/patronage.ts";
import {
  claimsByPot,
  type Finalization,
  type NamedEvent,
  type PeriodTimes,
  type PotState,
} from "../lib/contributions.ts";

export interface PatronageState {
  ledger: Address;
  distributor: Address;
  head: { blockNumber: bigint; timestamp: number };
  currentPeriod: bigint;
  /** Attestations an entry recorded now needs. */
  threshold: bigint;
  /** The pay ratio in force now, and how long a pot allocated now can be claimed. */
  payRatio: bigint;
  claimWindow: bigint;
  /** Periods 0 to the current one, with their finalization. */
  periods: (PeriodTimes & { finalization: Finalization })[];
  pots: PotState[];
  model: LedgerModel;
}

/** The events of `contract` in the co-op's history, as the page's rules take them. */
function eventsOf(events: readonly ReplayEvent[], contract: ReplayEvent["contract"]): NamedEvent[] {
  return events.filter((e) => e.contract === contract).map((e) => ({ eventName: e.name, args: e.args }));
}

/** Reads the patronage contracts of `deployment` at the head block. */
export async function loadPatronage(client: PublicClient, deployment: Deployment): Promise<PatronageState> {
  const ledger = deployment.contracts.ContributionLedger as Address;
  const distributor = deployment.contracts.PatronageDistributor as Address;
  const history = await coopHistory(deployment);
  // The views are read at the block the history reached, so that events and views agree.
  const block = await client.getBlock({ blockNumber: BigInt(history.view.at.blockNumber) });
  const at = { blockNumber: block.number };
  const readLedger = <T>(functionName: string, args: readonly unknown[] = []) =>
    client.readContract({
      ...at,
      address: ledger,
      abi: contributionLedgerAbi as Abi,
      functionName,
      args,
    }) as Promise<T>;
  const readDistributor = <T>(functionName: string, args: readonly unknown[] = []) =>
    client.readContract({
      ...at,
      address: distributor,
      abi: patronageDistributorAbi as Abi,
      functionName,
      args,
    }) as Promise<T>;
  const [currentPeriod, threshold, payRatio, claimWindow, potCount] = await Promise.all([
    readLedger<bigint>("currentPeriod"),
    readLedger<bigint>("attestationThreshold"),
    readDistributor<bigint>("payRatio"),
    readDistributor<bigint>("claimWindow"),
    readDistributor<bigint>("potCount"),
  ]);
  const periods = await Promise.all(
    Array.from({ length: Number(currentPeriod) + 1 }, async (_, i) => {
      const period = BigInt(i);
      const [times, f] = await Promise.all([
        readLedger<readonly [bigint, bigint, bigint]>("periodTimes", [period]),
        readDistributor<{
          minUnits: bigint;
          submitted: bigint;
          generation: number;
          ratio: number;
          finalized: boolean;
          cappedSum: bigint;
        }>("finalization", [period]),
      ]);
      return {
        period,
        start: Number(times[0]),
        end: Number(times[1]),
        reviewEnd: Number(times[2]),
        finalization: {
          minUnits: f.minUnits,
          submitted: BigInt(f.submitted),
          generation: Number(f.generation),
          ratio: BigInt(f.ratio),
          finalized: f.finalized,
          cappedSum: f.cappedSum,
        },
      };
    }),
  );
  const claims = claimsByPot(eventsOf(history.events, "PatronageDistributor"));
  const pots = await Promise.all(
    Array.from({ length: Number(potCount) }, async (_, i) => {
      const id = BigInt(i + 1);
      const p = await readDistributor<{
        token: string;
        deadline: number;
        period: number;
        swept: boolean;
        amount: bigint;
        claimed: bigint;
        maxShare: bigint;
      }>("pot", [id]);
      return {
        id,
        period: BigInt(p.period),
        token: p.token,
        amount: p.amount,
        claimed: p.claimed,
        deadline: Number(p.deadline),
        swept: p.swept,
        maxShare: p.maxShare,
        claims: claims.get(id) ?? new Map<bigint, bigint>(),
      };
    }),
  );
  return {
    ledger,
    distributor,
    head: { blockNumber: block.number, timestamp: Number(block.timestamp) },
    currentPeriod,
    threshold,
    payRatio,
    claimWindow,
    periods,
    pots,
    model: ledgerModelFromEvents(
      eventsOf(history.events, "ContributionLedger"),
      personRegisterFromEvents(eventsOf(history.events, "MembershipCard")).personOf,
    ),
  };
}

/** The co-op's patronage, read again whenever a block is mined; disabled for a co-op deployed without it. */
export function usePatronage() {
  const deployment = useDeployment();
  const client = usePublicClient();
  const block = useBlockNumber({ watch: true });
  const ledger = deployment.data?.contracts.ContributionLedger;
  return useQuery({
    queryKey: ["patronage", ledger, block.data?.toString()],
    enabled: ledger !== undefined && deployment.data?.contracts.PatronageDistributor !== undefined && !!client,
    placeholderData: (previous) => previous,
    queryFn: () => loadPatronage(client!, deployment.data!),
  });
}

/** The connected account, its card number (0: none) and whether it holds one now. */
export function useMyCard(card: Address) {
  const { address } = useConnection();
  const cardOf = useReadContract({
    address: card,
    abi: membershipCardAbi,
    functionName: "cardOf",
    args: [address as Address],
    query: { enabled: address !== undefined },
  });
  return { address, connected: address !== undefined, card: address === undefined ? 0n : (cardOf.data ?? 0n) };
}

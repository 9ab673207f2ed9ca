/**
 * Patronage for the pages: the contribution ledger rebuilt from its events (`lib/patronage.ts`'s `LedgerModel`), the
 * claims from the distributor's, and the figures only the contracts hold — periods' times, finalizations, pots —
 * read with the generated ABIs at the same head block. Logs are read by the audit's range-adapting reader; the whole
 * state is read again whenever a block is mined.
 */
import { useQuery } from "@tanstack/react-query";
import { useBlockNumber, useConnection, usePublicClient, useReadContract } from "wagmi";
import { decodeEventLog, type Abi, type Address, type Hex, type PublicClient } from "viem";

import { RPC_URL } from "../env.ts";
import { contributionLedgerAbi, membershipCardAbi, patronageDistributorAbi } from "../generated/abis.ts";
import { useDeployment } from "./coop.ts";
import { JsonRpc } from "../../../scripts/lib/audit/rpc.ts";
import { fetchLogChunks } from "../../../scripts/lib/audit/fetch-logs.ts";
import type { Deployment } from "../../../lib/deployment.ts";
import type { LedgerModel } from "../../../lib/patronage.ts";
import {
  claimsByPot,
  rebuildLedger,
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

function decode(abi: Abi, logs: readonly { topics: readonly string[]; data: string }[]): NamedEvent[] {
  const out: NamedEvent[] = [];
  for (const log of logs) {
    try {
      const e = decodeEventLog({ abi, topics: log.topics as [Hex, ...Hex[]], data: log.data as Hex });
      out.push({ eventName: String(e.eventName), args: (e.args ?? {}) as Record<string, unknown> });
    } catch {
      // A log of another contract sharing the range: not ours.
    }
  }
  return out;
}

/** Reads the patronage contracts of `deployment` at the head block. */
export async function loadPatronage(client: PublicClient, deployment: Deployment): Promise<PatronageState> {
  const ledger = deployment.contracts.ContributionLedger as Address;
  const distributor = deployment.contracts.PatronageDistributor as Address;
  const block = await client.getBlock();
  const at = { blockNumber: block.number };
  const rpc = new JsonRpc(RPC_URL, { attempts: 2, backoffMs: 200, timeoutMs: 15_000 });
  const ledgerLogs: { topics: readonly string[]; data: string }[] = [];
  const distributorLogs: { topics: readonly string[]; data: string }[] = [];
  for await (const piece of fetchLogChunks(rpc, [ledger, distributor], deployment.deployBlock, Number(block.number))) {
    for (const log of piece.logs)
      (log.address.toLowerCase() === ledger.toLowerCase() ? ledgerLogs : distributorLogs).push(log);
  }
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
  const claims = claimsByPot(decode(patronageDistributorAbi as Abi, distributorLogs));
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
    model: rebuildLedger(decode(contributionLedgerAbi as Abi, ledgerLogs)),
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

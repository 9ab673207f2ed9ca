/**
 * The co-op's data for the pages. The addresses come from the deployment's addresses file; the history — members,
 * proposals, tallies, deposits, every event — is rebuilt in the browser by the same replay the auditor runs
 * (`lib/replay`, fed by the audit's log reader), refreshed at each new block; live figures (balances, states,
 * receipts) are read from the contracts through wagmi.
 */
import { useQuery } from "@tanstack/react-query";
import { useBlockNumber } from "wagmi";

import { CHAIN_ID, RPC_URL } from "../env.ts";
import { parseDeployment, deploymentFile, type Deployment } from "../../../lib/deployment.ts";
import {
  COOP_CONTRACTS,
  LogOrderGuard,
  Replay,
  coopView,
  createLogDecoder,
  type CoopView,
  type ReplayEvent,
} from "../../../lib/replay/index.ts";
import { JsonRpc } from "../../../scripts/lib/audit/rpc.ts";
import { fetchLogChunks } from "../../../scripts/lib/audit/fetch-logs.ts";
import { membershipCardAbi, mutualGovernorAbi, timelockControllerAbi, voiceCreditsAbi } from "../generated/abis.ts";

const abis = {
  MembershipCard: membershipCardAbi,
  VoiceCredits: voiceCreditsAbi,
  MutualGovernor: mutualGovernorAbi,
  TimelockController: timelockControllerAbi,
} as never;

/** The co-op on the app's chain: `deploy/addresses/<chainId>.json`, as the server publishes it. */
export function useDeployment() {
  return useQuery({
    queryKey: ["deployment", CHAIN_ID],
    staleTime: Infinity,
    queryFn: async (): Promise<Deployment> => {
      const response = await fetch(`/addresses/${CHAIN_ID}.json`, { cache: "no-store" });
      if (response.status === 404)
        throw new Error(`No co-op is deployed on chain ${CHAIN_ID}: ${deploymentFile(CHAIN_ID)} does not exist.`);
      if (!response.ok) throw new Error(`The addresses file answered ${response.status}.`);
      return parseDeployment(await response.json(), deploymentFile(CHAIN_ID));
    },
  });
}

export interface CoopHistory {
  view: CoopView;
  events: ReplayEvent[];
}

/** Replays the co-op's history from its events up to the head block. */
export async function replayCoop(deployment: Deployment, rpcUrl = RPC_URL): Promise<CoopHistory> {
  const rpc = new JsonRpc(rpcUrl, { attempts: 2, backoffMs: 200, timeoutMs: 15_000 });
  const head = await rpc.send<{ number: string; timestamp: string }>("eth_getBlockByNumber", ["latest", false]);
  const toBlock = Number(head.number);
  const replay = new Replay(deployment.contracts);
  const decode = createLogDecoder(deployment, abis);
  const guard = new LogOrderGuard(deployment.deployBlock, toBlock);
  const events: ReplayEvent[] = [];
  const addresses = COOP_CONTRACTS.map((c) => deployment.contracts[c]);
  for await (const chunk of fetchLogChunks(rpc, addresses, deployment.deployBlock, toBlock)) {
    guard.range(chunk.fromBlock, chunk.toBlock);
    for (const log of chunk.logs) {
      guard.log({ blockNumber: Number(log.blockNumber), logIndex: Number(log.logIndex), removed: log.removed });
      const event = decode(log, log.timestamp);
      replay.apply(event);
      events.push(event);
    }
  }
  guard.finish();
  replay.close();
  return { view: coopView(replay, toBlock, Number(head.timestamp)), events };
}

/** The replayed co-op, rebuilt whenever a block is mined. */
export function useCoop() {
  const deployment = useDeployment();
  const block = useBlockNumber({ watch: true });
  return useQuery({
    queryKey: ["coop", deployment.data?.contracts.MutualGovernor, block.data?.toString()],
    enabled: deployment.data !== undefined,
    placeholderData: (previous) => previous,
    queryFn: () => replayCoop(deployment.data!),
  });
}

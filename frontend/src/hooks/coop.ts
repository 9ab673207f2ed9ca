/**
 * The co-op's data for the pages. The addresses come from the deployment's addresses file; the history — members,
 * proposals, tallies, deposits, every event — is rebuilt in the browser by the same replay the auditor runs
 * (`lib/replay`, fed by the shared log reader, `lib/chain/logs.ts`) and carried forward at each new block by reading only that block's
 * logs (`LiveHistory`); live figures (balances, states, receipts) are read from the contracts through wagmi.
 */
import { useQuery } from "@tanstack/react-query";
import { useBlockNumber } from "wagmi";

import { CHAIN_ID, RPC_URL } from "../env.ts";
import { parseDeployment, deploymentFile, type Deployment } from "#lib/deployment.ts";
import { JsonRpc } from "#lib/chain/rpc.ts";
import { COOP_ABIS, LiveHistory, type CoopHistory } from "../lib/live-history.ts";

export type { CoopHistory };

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

/** One live history per co-op and endpoint, kept for as long as the page is open. */
const histories = new Map<string, LiveHistory>();

/** The co-op's history up to the head block: replayed in full the first time, then only the new blocks' logs. */
export function coopHistory(deployment: Deployment, rpcUrl = RPC_URL): Promise<CoopHistory> {
  const key = `${rpcUrl} ${deployment.chainId} ${deployment.contracts.MutualGovernor} ${deployment.deployBlock}`;
  let live = histories.get(key);
  if (live === undefined) {
    live = new LiveHistory(
      deployment,
      new JsonRpc(rpcUrl, { attempts: 2, backoffMs: 200, timeoutMs: 15_000 }),
      COOP_ABIS,
    );
    histories.set(key, live);
  }
  return live.refresh();
}

/** The replayed co-op, brought up to date whenever a block is mined. */
export function useCoop() {
  const deployment = useDeployment();
  const block = useBlockNumber({ watch: true });
  return useQuery({
    queryKey: ["coop", deployment.data?.contracts.MutualGovernor, block.data?.toString()],
    enabled: deployment.data !== undefined,
    placeholderData: (previous) => previous,
    queryFn: () => coopHistory(deployment.data!),
  });
}

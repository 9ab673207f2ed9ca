/**
 * The wagmi configuration: the co-op's chain, injected wallets found through EIP-6963 (MetaMask and the like,
 * `multiInjectedProviderDiscovery`), and on the local chain the demo members as a built-in wallet.
 */
import { createConfig, http, injected } from "wagmi";
import { defineChain } from "viem";
import { hardhat } from "viem/chains";

import { CHAIN_ID, IS_LOCAL, RPC_URL } from "../env.ts";
import { chosenDemoAccount, demoConnector, type DemoAccount } from "./demo-connector.ts";

export const chain =
  CHAIN_ID === hardhat.id
    ? defineChain({ ...hardhat, name: "Local chain", rpcUrls: { default: { http: [RPC_URL] } } })
    : defineChain({
        id: CHAIN_ID,
        name: `Chain ${CHAIN_ID}`,
        nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
        rpcUrls: { default: { http: [RPC_URL] } },
      });

/** The demo accounts the local dev server lists (loaded before the app renders). */
export const demo: { accounts: DemoAccount[] } = { accounts: [] };

/** A demo member's name on the local chain; undefined elsewhere (no names exist there: addresses speak for themselves). */
export const demoName = (address: string): string | undefined =>
  demo.accounts.find((a) => a.address.toLowerCase() === address.toLowerCase())?.name;

export const wagmiConfig = createConfig({
  chains: [chain],
  multiInjectedProviderDiscovery: true,
  connectors: IS_LOCAL ? [injected(), demoConnector(chain, () => chosenDemoAccount(demo.accounts))] : [injected()],
  transports: { [chain.id]: http(RPC_URL) } as Record<number, ReturnType<typeof http>>,
  pollingInterval: IS_LOCAL ? 500 : 4_000,
});

declare module "wagmi" {
  interface Register {
    config: typeof wagmiConfig;
  }
}

/**
 * The demo accounts as a wallet, on the local chain only: a wagmi connector over a viem local account made from a
 * demo member's public test key, so a developer can act as any member without a browser wallet. Transactions are
 * signed in the page and sent raw; typed data (ballots) is signed with the same key; everything else goes to the
 * node. The keys are Hardhat's well-known local keys: they must never hold anything on a real network.
 */
import { createConnector } from "wagmi";
import {
  createWalletClient,
  getAddress,
  http,
  numberToHex,
  type Address,
  type Chain,
  type EIP1193RequestFn,
  type Hex,
  type TypedDataDefinition,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";

import { isLocalChain } from "#lib/deployment.ts";

/** A demo member as the dev server lists them (`/demo-accounts.json`). */
export interface DemoAccount {
  name: string;
  role: string;
  address: string;
  key: string;
}

const CHOSEN_KEY = "mutual.demoAccount";
/** Set while the demo wallet is connected, so that a reload reconnects it as wagmi does for injected wallets. */
const CONNECTED_KEY = "mutual.demoConnected";
const remembered = () => typeof localStorage !== "undefined" && localStorage.getItem(CONNECTED_KEY) === "1";

/** The demo account this browser acts as (by address), remembered across reloads. */
export function chosenDemoAccount(accounts: readonly DemoAccount[]): DemoAccount | undefined {
  const saved = typeof localStorage === "undefined" ? null : localStorage.getItem(CHOSEN_KEY);
  return accounts.find((a) => a.address.toLowerCase() === saved?.toLowerCase()) ?? accounts[0];
}

export function chooseDemoAccount(address: string): void {
  localStorage.setItem(CHOSEN_KEY, address);
}

/** A connector acting as `account()` (read at connect time) on `chain`, which must be a local chain. */
export function demoConnector(chain: Chain, account: () => DemoAccount | undefined) {
  if (!isLocalChain(chain.id)) throw new Error("demo accounts exist on the local chain only");
  let current: ReturnType<typeof privateKeyToAccount> | undefined;
  let connected = false;
  const rpcUrl = chain.rpcUrls.default.http[0];

  return createConnector((config) => ({
    id: "mutual-demo",
    name: "Demo member (local chain)",
    type: "mutual-demo",
    async connect(parameters?: { withCapabilities?: boolean }) {
      const chosen = account();
      if (chosen === undefined) throw new Error("No demo accounts: is the local co-op running (npm start)?");
      current = privateKeyToAccount(chosen.key as Hex);
      connected = true;
      localStorage.setItem(CONNECTED_KEY, "1");
      const accounts = [current.address];
      config.emitter.emit("change", { accounts });
      // The caller decides whether it wants capabilities; the demo wallet has none.
      return {
        accounts: (parameters?.withCapabilities
          ? accounts.map((address) => ({ address, capabilities: {} }))
          : accounts) as never,
        chainId: chain.id,
      };
    },
    async disconnect() {
      connected = false;
      current = undefined;
      localStorage.removeItem(CONNECTED_KEY);
    },
    async getAccounts() {
      return current === undefined ? [] : [current.address];
    },
    async getChainId() {
      return chain.id;
    },
    async isAuthorized() {
      return (connected && current !== undefined) || (remembered() && account() !== undefined);
    },
    async getProvider() {
      const wallet = () => {
        if (current === undefined) throw new Error("The demo wallet is not connected.");
        return createWalletClient({ account: current, chain, transport: http(rpcUrl) });
      };
      const forward = async (method: string, params: unknown) => {
        const response = await fetch(rpcUrl, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params: params ?? [] }),
        });
        const body = (await response.json()) as {
          result?: unknown;
          error?: { code: number; message: string; data?: unknown };
        };
        if (body.error) throw Object.assign(new Error(body.error.message), body.error);
        return body.result;
      };
      const request = async ({ method, params }: { method: string; params?: unknown }) => {
        const p = (params ?? []) as unknown[];
        switch (method) {
          case "eth_chainId":
            return numberToHex(chain.id);
          case "eth_accounts":
          case "eth_requestAccounts":
            return current === undefined ? [] : [current.address];
          case "wallet_switchEthereumChain":
            if (Number((p[0] as { chainId: string }).chainId) !== chain.id)
              throw new Error("The demo wallet lives on the local chain only.");
            return null;
          case "eth_sendTransaction": {
            const tx = p[0] as { to?: Address; data?: Hex; value?: Hex; gas?: Hex };
            return wallet().sendTransaction({
              to: tx.to,
              data: tx.data,
              value: tx.value === undefined ? undefined : BigInt(tx.value),
              gas: tx.gas === undefined ? undefined : BigInt(tx.gas),
            } as never);
          }
          case "eth_signTypedData_v4": {
            const typed = JSON.parse(p[1] as string) as TypedDataDefinition;
            if (getAddress(p[0] as string) !== current?.address) throw new Error("Not the connected demo account.");
            const { EIP712Domain: _, ...types } = typed.types as Record<string, unknown>;
            return current.signTypedData({ ...typed, types } as never);
          }
          case "personal_sign":
            if (current === undefined) throw new Error("The demo wallet is not connected.");
            return current.signMessage({ message: { raw: p[0] as Hex } });
          default:
            return forward(method, params);
        }
      };
      return { request: request as unknown as EIP1193RequestFn, on() {}, removeListener() {} };
    },
    onAccountsChanged(accounts: string[]) {
      config.emitter.emit("change", { accounts: accounts.map((a) => getAddress(a)) });
    },
    onChainChanged() {},
    onDisconnect() {
      config.emitter.emit("disconnect");
      connected = false;
      localStorage.removeItem(CONNECTED_KEY);
    },
  }));
}

/**
 * Where the app finds the chain and the relayer. On the local chain the Vite server proxies both (`/rpc`, `/relayer`),
 * so the browser talks to one origin; a deployment sets `VITE_CHAIN_ID`, `VITE_RPC_URL` and `VITE_RELAYER_URL` at
 * build time. The relayer's URL can also be changed in the app (kept in this browser).
 */
import { isLocalChain } from "#lib/deployment.ts";

const env = import.meta.env as Record<string, string | undefined>;
const origin = typeof window === "undefined" ? "http://localhost" : window.location.origin;

export const CHAIN_ID = Number(env.VITE_CHAIN_ID ?? 31337);
export const RPC_URL = new URL(env.VITE_RPC_URL ?? "/rpc", origin).toString();
export const IS_LOCAL = isLocalChain(CHAIN_ID);

const RELAYER_KEY = "mutual.relayerUrl";
export const DEFAULT_RELAYER_URL = new URL(env.VITE_RELAYER_URL ?? "/relayer", origin).toString().replace(/\/$/, "");

/** The relayer's base URL: this browser's choice, else the build's default. Empty: no relayer. */
export function relayerUrl(): string {
  const saved = typeof localStorage === "undefined" ? null : localStorage.getItem(RELAYER_KEY);
  return saved ?? DEFAULT_RELAYER_URL;
}

export function setRelayerUrl(url: string): void {
  localStorage.setItem(RELAYER_KEY, url.trim().replace(/\/$/, ""));
}

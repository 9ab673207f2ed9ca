/**
 * The one check every command that rewrites history (demo seeding, time travel) runs before it sends
 * anything: the chain must be a local development chain (lib/deployment.ts, `LOCAL_CHAIN_IDS`).
 */
import { LOCAL_CHAIN_IDS, isLocalChain } from "../../lib/deployment.ts";

/** The message of the refusal for `chainId`; `what` says what was refused, e.g. "seed the demo co-op". */
export function notLocalChainMessage(chainId: number | bigint, what: string): string {
  return (
    `Refusing to ${what} on chain ${chainId}: it is not a local development chain ` +
    `(only ${LOCAL_CHAIN_IDS.join(" and ")} are). Start one with \`npx hardhat node\`.`
  );
}

/** Throws with a message naming the chain unless `chainId` is a local development chain. */
export function assertLocalChain(chainId: number | bigint, what: string): void {
  if (!isLocalChain(chainId)) throw new Error(notLocalChainMessage(chainId, what));
}

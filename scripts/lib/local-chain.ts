/**
 * The one check every command that rewrites history (demo seeding, time travel) runs before it sends
 * anything: the chain must be a local development chain (lib/deployment.ts, `LOCAL_CHAIN_IDS`).
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { LOCAL_CHAIN_IDS, isLocalChain } from "../../lib/deployment.ts";

/** The message of the refusal for `chainId`; `what` says what was refused, e.g. "seed the demo co-op". */
export function notLocalChainMessage(chainId: number | bigint, what: string): string {
  return (
    `Refusing to ${what} on chain ${chainId}: it is not a local development chain ` +
    `(only ${LOCAL_CHAIN_IDS.join(" and ")} are). Start the local co-op with \`npm start\`.`
  );
}

/** Throws with a message naming the chain unless `chainId` is a local development chain. */
export function assertLocalChain(chainId: number | bigint, what: string): void {
  if (!isLocalChain(chainId)) throw new Error(notLocalChainMessage(chainId, what));
}

/**
 * Connects to the `localhost` network (the node `npm start` serves) and checks it is a local chain before
 * anything is sent; says so plainly when no node answers.
 */
export async function connectToLocalChain(hre: HardhatRuntimeEnvironment, what: string) {
  const connection = await hre.network.create("localhost");
  let chainId: bigint;
  try {
    chainId = (await connection.ethers.provider.getNetwork()).chainId;
  } catch {
    await connection.close();
    throw new Error(
      "No node answers on the localhost network (http://127.0.0.1:8545). Start the local co-op with `npm start`.",
    );
  }
  try {
    assertLocalChain(chainId, what);
  } catch (error) {
    await connection.close();
    throw error;
  }
  return { connection, chainId };
}

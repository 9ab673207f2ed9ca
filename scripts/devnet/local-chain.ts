/** A Hardhat connection to the local co-op's node, refused unless it is a local chain (lib/deployment.ts). */
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { assertLocalChain } from "../../lib/deployment.ts";

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

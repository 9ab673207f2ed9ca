/**
 * `npm run chain:advance -- <target>`: moves the local chain (http://127.0.0.1:8545) forward and mines a block.
 *
 *   npm run chain:advance -- 3d            a duration: 90s, 45m, 12h, 3d, 2w, or combined, e.g. 1d12h
 *   npm run chain:advance -- next-epoch    to the start of the next voice-credit epoch
 *   npm run chain:advance -- next-phase    to the next moment a proposal changes state
 *
 * Prints the new chain time and what changed (proposal states, credit epoch). `next-epoch` and `next-phase`
 * read the co-op from deploy/addresses/<chainId>.json; a plain duration works without one.
 * Exit codes: 0 done; 1 refused (not a local chain, no node, no co-op, nothing scheduled); 2 bad input.
 */
import {
  USAGE,
  TimeTravelInputError,
  advanceChain,
  parseArgs,
  type AdvanceTarget,
  type TimeTravelCoop,
} from "./time-travel.ts";
import { formatChainTime, formatDuration } from "../../lib/format.ts";
import { connectToLocalChain } from "./local-chain.ts";

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === "--help" || args[0] === "-h")) {
  console.log(USAGE);
  process.exit(0);
}

let target: AdvanceTarget;
try {
  target = parseArgs(args);
} catch (error) {
  if (!(error instanceof TimeTravelInputError)) throw error;
  console.error(`${error.message}\n\n${USAGE}`);
  process.exit(2);
}

// Loaded after the arguments are checked, so that bad input is answered at once.
const { default: hre } = await import("hardhat");
const { readDeployment } = await import("../../lib/deployment.node.ts");

async function main(): Promise<void> {
  const { connection, chainId } = await connectToLocalChain(hre, "advance the chain's time");
  try {
    const { ethers } = connection;

    let coop: TimeTravelCoop | undefined;
    try {
      const deployment = await readDeployment(chainId);
      if ((await ethers.provider.getCode(deployment.contracts.MutualGovernor)) !== "0x") {
        coop = {
          governor: await ethers.getContractAt("MutualGovernor", deployment.contracts.MutualGovernor),
          credits: await ethers.getContractAt("VoiceCredits", deployment.contracts.VoiceCredits),
          deployBlock: deployment.deployBlock,
        };
      }
    } catch (error) {
      if (target.kind !== "duration") throw error;
    }
    if (!coop && target.kind !== "duration") {
      throw new Error(
        `${target.kind} needs a co-op deployed on chain ${chainId}, and the deployment file names none that exists.`,
      );
    }

    const result = await advanceChain(connection, target, coop);
    console.log(
      `Chain ${result.chainId}: ${formatChainTime(result.from)} → ${formatChainTime(result.to)} ` +
        `(+${formatDuration(result.to - result.from, { style: "short" })}), block ${result.block}`,
    );
    console.log(`Target: ${result.reason}`);
    if (!coop) console.log("No co-op deployed on this chain: nothing else to report.");
    else if (result.changes.length === 0) console.log("Nothing changed state.");
    else for (const line of ["What changed:", ...result.changes.map((c) => `  - ${c}`)]) console.log(line);
  } finally {
    await connection.close();
  }
}

try {
  await main();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}

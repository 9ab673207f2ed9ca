/**
 * `npm run seed`: replays the demo co-op (seeds/bakery.ts) onto the co-op deployed on the local node
 * (http://127.0.0.1:8545), using time travel between phases, and prints every proposal with its state.
 *
 * Reads the co-op's addresses from deploy/addresses/<chainId>.json. Refuses any chain but a local one
 * (31337, 1337) before sending anything. Exit code 0 when every proposal ends in its expected state, 1 otherwise.
 */
import hre from "hardhat";

import { formatReport, seedCoop } from "../../seeds/seed.ts";
import { deploymentFile } from "../../lib/deployment.ts";
import { readDeployment } from "../../lib/deployment.node.ts";
import { connectToLocalChain } from "./local-chain.ts";

async function main(): Promise<number> {
  const { connection, chainId } = await connectToLocalChain(hre, "seed the demo co-op");
  try {
    const { ethers } = connection;
    const deployment = await readDeployment(chainId);
    const { contracts } = deployment;
    if ((await ethers.provider.getCode(contracts.MutualGovernor)) === "0x") {
      throw new Error(
        `${deploymentFile(chainId)} names a governor at ${contracts.MutualGovernor}, but there is no contract there ` +
          "(was the node restarted?). Deploy the co-op again.",
      );
    }
    const coop = {
      card: await ethers.getContractAt("MembershipCard", contracts.MembershipCard),
      credits: await ethers.getContractAt("VoiceCredits", contracts.VoiceCredits),
      governor: await ethers.getContractAt("MutualGovernor", contracts.MutualGovernor),
      timelock: await ethers.getContractAt("TimelockController", contracts.TimelockController),
      ...(contracts.ContributionLedger !== undefined && contracts.PatronageDistributor !== undefined
        ? {
            ledger: await ethers.getContractAt("ContributionLedger", contracts.ContributionLedger),
            distributor: await ethers.getContractAt("PatronageDistributor", contracts.PatronageDistributor),
          }
        : {}),
    };
    const report = await seedCoop(connection, coop);
    console.log(`\n${formatReport(report)}`);
    return report.ok ? 0 : 1;
  } finally {
    await connection.close();
  }
}

try {
  process.exitCode = await main();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}

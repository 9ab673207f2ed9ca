/**
 * The main command (`npm start`): compiles the contracts, deploys a whole co-op on an in-process
 * Hardhat chain, admits its founders, hands every power to the timelock, and prints what was made.
 */
import { network } from "hardhat";
import { formatEther, parseEther } from "ethers";

import { DAY, defaultConfig, deployCoop } from "./lib/deploy-coop.ts";

const connection = await network.create();
const { ethers } = connection;
const [deployer, ...accounts] = await ethers.getSigners();
const founders = accounts.slice(0, 5).map((a) => a.address);

const step = (text: string) => console.log(`• ${text}`);

step("deploying MembershipCard, VoiceCredits, TimelockController and MutualGovernor");
const config = { ...defaultConfig(founders), name: "Hearth Bakery Co-op", symbol: "HEARTH" };
const coop = await deployCoop(connection, config);
const { card, credits, governor, timelock } = coop;
const treasury = await timelock.getAddress();
await (await deployer.sendTransaction({ to: treasury, value: parseEther("25") })).wait();
step(`admitted ${founders.length} founders and handed every power to the timelock`);

const days = (seconds: number) => `${seconds / DAY} day${seconds === DAY ? "" : "s"}`;
const timelockAdmin = await timelock.hasRole(await timelock.DEFAULT_ADMIN_ROLE(), deployer.address);

console.log(`
${config.name} is running on an in-process Hardhat chain (chain id ${(await ethers.provider.getNetwork()).chainId}).

Contracts
  MembershipCard      ${await card.getAddress()}   owner: timelock
  VoiceCredits        ${await credits.getAddress()}   owner: timelock
  MutualGovernor      ${await governor.getAddress()}
  TimelockController  ${treasury}   treasury: ${formatEther(await ethers.provider.getBalance(treasury))} ETH

Rules
  voice credits       ${config.creditsPerEpoch} per member every ${days(config.epochLength)}, at most ${config.maxBalance} held
  votes               n votes on a proposal cost n² credits
  proposals           members only, deposit ${config.proposalDeposit} credits
  vote                opens ${days(config.votingDelay)} after a proposal, lasts ${days(config.votingPeriod)} (+${days(config.lateQuorumExtension)} if quorum comes late)
  quorum              ${config.quorumBps / 100}% of members at the snapshot
  timelock delay      ${days(config.timelockDelay)}

Members (${await card.memberCount()})`);
for (const founder of founders) {
  console.log(`  card #${await card.cardOf(founder)}  ${founder}  ${await credits.balanceOf(founder)} credits`);
}
console.log(`
Powers kept by the deployer ${deployer.address}: card owner ${(await card.owner()) === deployer.address}, credits owner ${
  (await credits.owner()) === deployer.address
}, timelock admin ${timelockAdmin}.`);

import { expect } from "chai";
import { network } from "hardhat";
import { ZeroAddress } from "ethers";

import { defaultConfig, deployCoop } from "../../deploy/coop.ts";

const connection = await network.create();
const { ethers, networkHelpers } = connection;

async function deployedFixture() {
  const signers = await ethers.getSigners();
  const founders = signers.slice(1, 8).map((s) => s.address);
  const config = {
    ...defaultConfig(founders),
    name: "Hearth Bakery Co-op",
    symbol: "HEARTH",
    epochLength: 3 * 24 * 3600,
    creditsPerEpoch: 50n,
    maxBalance: 150n,
    votingDelay: 3600,
    votingPeriod: 2 * 24 * 3600,
    quorumBps: 3000,
    proposalDeposit: 7n,
    lateQuorumExtension: 7200,
    timelockDelay: 86400,
    periodLength: 30 * 24 * 3600,
    reviewWindow: 5 * 24 * 3600,
    attestationThreshold: 2,
    payRatio: 4,
    claimWindow: 60 * 24 * 3600,
  };
  const coop = await deployCoop(connection, config);
  return { coop, config, signers };
}

describe("Deploying a co-op through the Ignition module (deploy/modules/MutualCoop.ts)", function () {
  it("wires the six contracts to each other", async function () {
    const { coop } = await networkHelpers.loadFixture(deployedFixture);
    const { card, credits, governor, timelock, ledger, distributor } = coop;
    expect(await ledger.membershipCard()).to.equal(await card.getAddress());
    expect(await distributor.ledger()).to.equal(await ledger.getAddress());
    expect(await card.voiceCredits()).to.equal(await credits.getAddress());
    expect(await credits.card()).to.equal(await card.getAddress());
    expect(await credits.governor()).to.equal(await governor.getAddress());
    expect(await governor.membershipCard()).to.equal(await card.getAddress());
    expect(await governor.voiceCredits()).to.equal(await credits.getAddress());
    expect(await governor.timelock()).to.equal(await timelock.getAddress());
  });

  it("applies every parameter of the configuration", async function () {
    const { coop, config } = await networkHelpers.loadFixture(deployedFixture);
    const { card, credits, governor, timelock } = coop;
    expect(await card.name()).to.equal(config.name);
    expect(await card.symbol()).to.equal(config.symbol);
    expect(await credits.name()).to.equal(`${config.name} Voice Credits`);
    const schedule = await credits.currentSchedule();
    expect(schedule.epochLength).to.equal(BigInt(config.epochLength));
    expect(schedule.creditsPerEpoch).to.equal(config.creditsPerEpoch);
    expect(schedule.maxBalance).to.equal(config.maxBalance);
    expect(await governor.name()).to.equal(config.name);
    expect(await governor.votingDelay()).to.equal(BigInt(config.votingDelay));
    expect(await governor.votingPeriod()).to.equal(BigInt(config.votingPeriod));
    expect(await governor.quorumFraction()).to.equal(BigInt(config.quorumBps));
    expect(await governor.proposalDeposit()).to.equal(config.proposalDeposit);
    expect(await governor.lateQuorumVoteExtension()).to.equal(BigInt(config.lateQuorumExtension));
    expect(await timelock.getMinDelay()).to.equal(BigInt(config.timelockDelay));
    const { ledger, distributor } = coop;
    expect(await ledger.periodLength()).to.equal(BigInt(config.periodLength));
    expect(await ledger.reviewWindow()).to.equal(BigInt(config.reviewWindow));
    expect(await ledger.attestationThreshold()).to.equal(BigInt(config.attestationThreshold));
    expect(await distributor.payRatio()).to.equal(BigInt(config.payRatio));
    expect(await distributor.claimWindow()).to.equal(BigInt(config.claimWindow));
  });

  it("starts the ledger's first period at its deployment, with no contributions and no pots", async function () {
    const { coop } = await networkHelpers.loadFixture(deployedFixture);
    const { ledger, distributor } = coop;
    const first = await ethers.provider.getBlock(coop.deployBlock);
    const latest = await ethers.provider.getBlock("latest");
    const start = await ledger.firstPeriodStart();
    expect(start >= BigInt(first!.timestamp) && start <= BigInt(latest!.timestamp)).to.equal(true);
    expect(await ledger.currentPeriod()).to.equal(0n);
    expect(await ledger.entryCount()).to.equal(0n);
    expect(await distributor.potCount()).to.equal(0n);
  });

  it("admits the founders, in order, each with the first epoch's credits", async function () {
    const { coop, config } = await networkHelpers.loadFixture(deployedFixture);
    expect(await coop.card.memberCount()).to.equal(BigInt(config.founders.length));
    for (const [i, founder] of config.founders.entries()) {
      expect(await coop.card.cardOf(founder)).to.equal(BigInt(i + 1));
      expect(await coop.credits.balanceOf(founder)).to.equal(config.creditsPerEpoch);
    }
  });

  it("records the first block of the deployment, where the card was created", async function () {
    const { coop } = await networkHelpers.loadFixture(deployedFixture);
    const card = await coop.card.getAddress();
    expect(await ethers.provider.getCode(card, coop.deployBlock)).to.not.equal("0x");
    expect(await ethers.provider.getCode(card, coop.deployBlock - 1)).to.equal("0x");
  });

  it("leaves no power with the deployer or any other externally owned account", async function () {
    const { coop, signers } = await networkHelpers.loadFixture(deployedFixture);
    const { card, credits, governor, timelock, ledger, distributor } = coop;
    const timelockAddress = await timelock.getAddress();
    const governorAddress = await governor.getAddress();
    expect(await card.owner()).to.equal(timelockAddress);
    expect(await credits.owner()).to.equal(timelockAddress);
    expect(await ledger.owner()).to.equal(timelockAddress);
    expect(await distributor.owner()).to.equal(timelockAddress);

    const roles = {
      admin: await timelock.DEFAULT_ADMIN_ROLE(),
      proposer: await timelock.PROPOSER_ROLE(),
      canceller: await timelock.CANCELLER_ROLE(),
      executor: await timelock.EXECUTOR_ROLE(),
    };
    for (const signer of signers) {
      for (const [name, role] of Object.entries(roles)) {
        expect(await timelock.hasRole(role, signer.address), `${signer.address} holds ${name}`).to.equal(false);
      }
    }
    // The timelock administers itself; the governor proposes and cancels; anyone may execute.
    expect(await timelock.hasRole(roles.admin, timelockAddress)).to.equal(true);
    expect(await timelock.hasRole(roles.proposer, governorAddress)).to.equal(true);
    expect(await timelock.hasRole(roles.canceller, governorAddress)).to.equal(true);
    expect(await timelock.hasRole(roles.executor, ZeroAddress)).to.equal(true);
    expect(await timelock.hasRole(roles.admin, governorAddress)).to.equal(false);

    // And the former owner is refused everywhere.
    const deployer = signers[0];
    await expect(card.connect(deployer).admit(deployer.address))
      .to.be.revertedWithCustomError(card, "OwnableUnauthorizedAccount")
      .withArgs(deployer.address);
    await expect(credits.connect(deployer).setSchedule(1, 1, 1))
      .to.be.revertedWithCustomError(credits, "OwnableUnauthorizedAccount")
      .withArgs(deployer.address);
    await expect(ledger.connect(deployer).setAttestationThreshold(1))
      .to.be.revertedWithCustomError(ledger, "OwnableUnauthorizedAccount")
      .withArgs(deployer.address);
    await expect(ledger.connect(deployer).voidEntry(1, "no"))
      .to.be.revertedWithCustomError(ledger, "OwnableUnauthorizedAccount")
      .withArgs(deployer.address);
    await expect(distributor.connect(deployer).setPayRatio(2))
      .to.be.revertedWithCustomError(distributor, "OwnableUnauthorizedAccount")
      .withArgs(deployer.address);
    await expect(distributor.connect(deployer).allocate(0, ZeroAddress, 1, { value: 1 }))
      .to.be.revertedWithCustomError(distributor, "OwnableUnauthorizedAccount")
      .withArgs(deployer.address);
    await expect(timelock.connect(deployer).grantRole(roles.proposer, deployer.address))
      .to.be.revertedWithCustomError(timelock, "AccessControlUnauthorizedAccount")
      .withArgs(deployer.address, roles.admin);
  });
});

import { expect } from "chai";
import { network } from "hardhat";
import { AbiCoder, id, parseEther } from "ethers";

import { DAY, defaultConfig, deployCoop } from "../../deploy/coop.ts";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const coder = AbiCoder.defaultAbiCoder();
const votes = (n: number) => coder.encode(["uint256"], [n]);

describe("A co-op's whole life", function () {
  it("admits, accrues, proposes, votes quadratically, queues, executes and settles the deposit", async function () {
    const [deployer, alice, bob, carol, dave, newcomer, supplier] = await ethers.getSigners();
    const coop = await deployCoop(connection, {
      ...defaultConfig([alice.address, bob.address, carol.address, dave.address]),
    });
    const { card, credits, governor, timelock } = coop;
    const treasury = await timelock.getAddress();
    await deployer.sendTransaction({ to: treasury, value: parseEther("10") });

    expect(await card.memberCount()).to.equal(4n);
    expect(await credits.balanceOf(alice.address)).to.equal(100n);
    await networkHelpers.time.increase(7 * DAY);
    expect(await credits.balanceOf(alice.address)).to.equal(200n);

    const targets = [treasury, await card.getAddress()];
    const values = [parseEther("2"), 0n];
    const calldatas = ["0x", card.interface.encodeFunctionData("admit", [newcomer.address])];
    // A payment is a call with value from the timelock to the supplier; keep the first target the supplier.
    targets[0] = supplier.address;
    const description = "Pay the flour supplier 2 ETH and admit a new baker";
    await governor.connect(alice).propose(targets, values, calldatas, description);
    const proposalId = await governor.getProposalId(targets, values, calldatas, id(description));
    expect(await credits.balanceOf(alice.address)).to.equal(190n);
    expect(await governor.proposalCount()).to.equal(1n);
    expect(await governor.proposalIdAt(0)).to.equal(proposalId);

    await networkHelpers.time.increase(DAY + 1);
    await governor.connect(alice).castVoteWithReasonAndParams(proposalId, 1, "yes", votes(3));
    expect(await credits.balanceOf(alice.address)).to.equal(181n);
    await governor.connect(alice).castVoteWithReasonAndParams(proposalId, 1, "more", votes(2));
    // total 5 votes cost 25: 9 + 16
    expect(await credits.balanceOf(alice.address)).to.equal(165n);
    await governor.connect(bob).castVote(proposalId, 0);
    await governor.connect(carol).castVote(proposalId, 2);

    const tally = await governor.proposalTally(proposalId);
    expect(tally.forVotes).to.equal(5n);
    expect(tally.againstVotes).to.equal(1n);
    expect(tally.abstainVoters).to.equal(1n);
    expect(tally.quorumMembers).to.equal(1n);

    await networkHelpers.time.increase(3 * DAY);
    expect(await governor.state(proposalId)).to.equal(4n); // Succeeded
    await governor.queue(targets, values, calldatas, id(description));
    await networkHelpers.time.increase(2 * DAY + 1);
    const before = await ethers.provider.getBalance(supplier.address);
    await governor.execute(targets, values, calldatas, id(description));
    expect(await ethers.provider.getBalance(supplier.address)).to.equal(before + parseEther("2"));
    expect(await card.isMember(newcomer.address)).to.equal(true);
    expect(await governor.state(proposalId)).to.equal(7n); // Executed

    await governor.settleDeposit(proposalId);
    expect(await credits.balanceOf(alice.address)).to.equal(175n);
  });
});

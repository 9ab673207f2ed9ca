import { expect } from "chai";
import hre from "hardhat";
import { ErrorFragment, EventFragment, FunctionFragment, Interface, Wallet, id } from "ethers";

import {
  Support,
  compactBallot,
  governorDomain,
  quadraticBallotTypes,
  type SignedBallot,
} from "../../lib/ballots/ballot.ts";
import { governorBallotAbi } from "../../lib/governor-abi.ts";
import { VoteRefusal, describeBallotError, describeRefusal } from "../../lib/refusals.ts";
import {
  ballotCallOutcomes,
  ballotId,
  governorBallotInterface,
  planBallotCalls,
  signedByVoter,
} from "../../lib/ballots/relay.ts";

describe("Shared relaying definitions", function () {
  it("every fragment of the ballot ABI is in the compiled MutualGovernor, with the same signature and outputs", async function () {
    const artifact = await hre.artifacts.readArtifact("MutualGovernor");
    const compiled = new Interface(artifact.abi);
    for (const fragment of governorBallotInterface.fragments) {
      if (fragment instanceof FunctionFragment) {
        const found = compiled.getFunction(fragment.selector);
        expect(found?.format("full"), fragment.format()).to.equal(fragment.format("full"));
      } else if (fragment instanceof EventFragment) {
        const found = compiled.getEvent(fragment.topicHash);
        expect(found?.format("full"), fragment.format()).to.equal(fragment.format("full"));
      } else if (fragment instanceof ErrorFragment) {
        expect(compiled.getError(fragment.selector)?.format("sighash"), fragment.format()).to.equal(
          fragment.format("sighash"),
        );
      }
    }
    expect(governorBallotInterface.fragments).to.have.length(governorBallotAbi.length);
  });

  it("plans ballots into calls of at most maxPerCall, in order, and refuses a size below one", function () {
    // Signatures that recover to no voter: every ballot travels in the general castBallots.
    const ballots = Array.from({ length: 5 }, (_, i) => ({
      id: id(`ballot ${i}`),
      proposalId: 7n,
      support: Support.For,
      voter: `0x${String(i + 1).padStart(40, "0")}`,
      votes: 1n,
      nonce: 0n,
      deadline: 100n,
      reason: "",
      signature: `0x${"22".repeat(65)}`,
    }));
    const calls = planBallotCalls(ballots, 2);
    expect(calls.map((c) => c.ballots)).to.deep.equal([ballots.slice(0, 2), ballots.slice(2, 4), ballots.slice(4)]);
    const decoded = governorBallotInterface.decodeFunctionData("castBallots", calls[1].data);
    expect(decoded[0].map((b: { voter: string }) => b.voter.toLowerCase())).to.deep.equal([
      ballots[2].voter,
      ballots[3].voter,
    ]);
    expect(calls.map((c) => c.method)).to.deep.equal(["castBallots", "castBallots", "castBallots"]);
    expect(() => planBallotCalls(ballots, 0)).to.throw(RangeError, "maxPerCall must be a positive integer");
  });

  it("sends an account's ballots without a reason compact, one call per proposal, and the rest through castBallots; the oldest ballot's call first", async function () {
    const domain = governorDomain("Test Co-op", 31337n, "0x00000000000000000000000000000000000000aa");
    const wallets = Array.from({ length: 5 }, (_, i) => new Wallet(id(`planner ${i}`)));
    const sign = async (signer: Wallet, voter: string, proposalId: bigint, reason: string) => {
      const message = { proposalId, support: Support.For, voter, votes: 2n, nonce: 0n, deadline: 1000n, reason };
      const signature = await signer.signTypedData(domain, quadraticBallotTypes, message);
      return { ...message, signature, id: ballotId(domain, message) };
    };
    const [w0, w1, w2, w3, w4] = wallets;
    const a = await sign(w0, w0.address, 1n, ""); // compact, proposal 1
    const b = await sign(w1, w1.address, 2n, ""); // compact, proposal 2
    const c = await sign(w2, w2.address, 1n, "with a reason"); // general
    const d = await sign(w3, w3.address, 1n, ""); // compact, proposal 1
    const e = await sign(w4, w0.address, 1n, ""); // signed by someone else (as for a contract wallet): general
    for (const x of [a, b, d]) expect(signedByVoter(x.id, x)).to.equal(true);
    expect(signedByVoter(e.id, e)).to.equal(false);

    const calls = planBallotCalls([a, b, c, d, e], 50);
    expect(calls.map((x) => [x.method, x.ballots])).to.deep.equal([
      ["castBallotsCompact", [a, d]],
      ["castBallotsCompact", [b]],
      ["castBallots", [c, e]],
    ]);
    const [proposalId, compact] = governorBallotInterface.decodeFunctionData("castBallotsCompact", calls[0].data);
    expect(proposalId).to.equal(1n);
    expect(compact.map((x: { head: string; r: string; vs: string }) => [x.head, x.r, x.vs])).to.deep.equal(
      [a, d].map((x) => {
        const cb = compactBallot(x);
        return [cb.head, cb.r, cb.vs];
      }),
    );
    // At most maxPerCall in each call, in order.
    expect(planBallotCalls([a, d, b], 1).map((x) => x.ballots)).to.deep.equal([[a], [d], [b]]);
  });

  it("reads each ballot's fate from the logs: skipped with its reason, or counted", function () {
    const governor = "0x00000000000000000000000000000000000000aa";
    const ballots = ["0x01", "0x02", "0x03"].map((voter) => ({ voter }) as unknown as SignedBallot);
    const call = { method: "castBallots" as const, ballots, data: "0x" };
    const skipped = governorBallotInterface.encodeEventLog("BallotSkipped", [
      1,
      "0x0000000000000000000000000000000000000002",
      7,
      VoteRefusal.InsufficientCredits,
    ]);
    const elsewhere = { address: "0x00000000000000000000000000000000000000bb", ...skipped };
    const outcomes = ballotCallOutcomes(call, [{ address: governor, ...skipped }, elsewhere], governor);
    expect(outcomes).to.deep.equal([
      { ballot: ballots[0], counted: true },
      {
        ballot: ballots[1],
        counted: false,
        refusal: VoteRefusal.InsufficientCredits,
        reason: "the voter has too few credits",
      },
      { ballot: ballots[2], counted: true },
    ]);
  });

  it("puts every ballot error of the governor into words, and leaves other errors alone", function () {
    expect(describeBallotError({ name: "InsufficientCredits", args: ["0x01", 16n, 9n] })).to.deep.equal({
      refusal: VoteRefusal.InsufficientCredits,
      reason: "the voter has too few credits (needs 16, has 9)",
    });
    expect(describeBallotError({ name: "MutualGovernorCannotSwitchSides", args: ["0x01", 0n] })).to.deep.equal({
      refusal: VoteRefusal.SwitchedSides,
      reason: "the voter already voted on the other side (it voted against)",
    });
    expect(describeBallotError({ name: "GovernorNonexistentProposal", args: [5n] })?.reason).to.equal(
      "the proposal is not open for votes (no proposal 5 exists)",
    );
    for (const fragment of governorBallotInterface.fragments) {
      if (fragment instanceof ErrorFragment) {
        const args = fragment.inputs.map(() => 0n);
        expect(describeBallotError({ name: fragment.name, args }), fragment.name).to.not.equal(undefined);
      }
    }
    expect(describeBallotError({ name: "OwnableUnauthorizedAccount", args: ["0x01"] })).to.equal(undefined);
    expect(describeRefusal(99)).to.equal("refused for an unknown reason (99)");
  });
});

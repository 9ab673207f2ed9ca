import { describe, expect, it } from "vitest";
import { encodeFunctionData, parseAbi, parseEther } from "viem";

import { describeAction } from "./actions.ts";
import { admit, expel, parameter, payment, proposalDescription, rawCall } from "./builders.ts";
import type { Deployment } from "../../../lib/deployment.ts";

const deployment: Deployment = {
  chainId: 31337,
  name: "Test Co-op",
  deployBlock: 1,
  contracts: {
    MembershipCard: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
    VoiceCredits: "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0",
    MutualGovernor: "0xDc64a140Aa3E981100a9becA4E685f962f0cF6C9",
    TimelockController: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
  },
};
const ALICE = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

function built(result: ReturnType<typeof payment>) {
  if (!result.ok) throw new Error(result.error);
  return result.action;
}

describe("describeAction", () => {
  it("says a treasury payment in ETH", () => {
    expect(describeAction(built(payment(deployment, ALICE, "2")), deployment)).toBe(`pay 2 ETH to ${ALICE}`);
  });
  it("says admissions and expulsions with the reason", () => {
    expect(describeAction(built(admit(deployment, ALICE.toLowerCase())), deployment)).toBe(
      `admit ${ALICE} as a member`,
    );
    expect(describeAction(built(expel(deployment, ALICE, "left the bakery")), deployment)).toBe(
      `expel ${ALICE} (reason: “left the bakery”)`,
    );
  });
  it("says parameter changes in their units", () => {
    expect(describeAction(built(parameter(deployment, "setQuorumFraction", "25")), deployment)).toBe(
      "set the quorum to 25% of members",
    );
    expect(describeAction(built(parameter(deployment, "setVotingPeriod", "432000")), deployment)).toBe(
      "set the voting period to 5 days",
    );
    expect(describeAction(built(parameter(deployment, "setProposalDeposit", "15")), deployment)).toBe(
      "set the proposal deposit to 15 credits",
    );
  });
  it("decodes a raw call with its ABI fragment, and names the selector without one", () => {
    const action = built(rawCall(ALICE, "function store(uint256 value)", "42", "0.5"));
    expect(describeAction(action, deployment, "function store(uint256 value)")).toBe(
      `call store(42) on ${ALICE}, sending 0.5 ETH`,
    );
    const data = encodeFunctionData({ abi: parseAbi(["function store(uint256 value)"]), args: [42n] });
    expect(describeAction({ target: ALICE, value: 0n, calldata: data }, deployment)).toBe(
      `call ${ALICE} with 36 bytes of data (function ${data.slice(0, 10)})`,
    );
    expect(action.value).toBe(parseEther("0.5"));
  });
});

describe("builders refuse bad input with a specific message", () => {
  it("names what is wrong", () => {
    expect(payment(deployment, "0x1234", "1")).toEqual({
      ok: false,
      error: "“0x1234” is not an address (0x followed by 40 hexadecimal digits).",
    });
    expect(payment(deployment, ALICE, "0")).toEqual({ ok: false, error: "A payment must be more than 0 ETH." });
    expect(expel(deployment, ALICE, " ")).toEqual({
      ok: false,
      error: "Give the reason: it stays in the co-op's history.",
    });
    expect(parameter(deployment, "setQuorumFraction", "150")).toEqual({
      ok: false,
      error: "The quorum must be between 0.01% and 100% of members.",
    });
    expect(rawCall(ALICE, "function store(uint256 value)", "1, 2", "")).toEqual({
      ok: false,
      error: "store takes 1 argument, got 2.",
    });
  });
  it("ends a description with the proposer", () => {
    expect(proposalDescription(" Title ", "Body", ALICE.toLowerCase())).toBe(`# Title\n\nBody\n\n#proposer=${ALICE}`);
  });
});

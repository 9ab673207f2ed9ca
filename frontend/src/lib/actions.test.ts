import { describe, expect, it } from "vitest";
import { encodeFunctionData, erc20Abi, parseAbi, parseEther, zeroAddress } from "viem";

import { describeAction } from "./actions.ts";
import {
  MAX_DURATION,
  admit,
  expel,
  parameter,
  payment,
  proposalDescription,
  rawCall,
  shareSurplus,
} from "./builders.ts";
import { contributionLedgerAbi, patronageDistributorAbi } from "#lib/abi/contracts.ts";
import type { Deployment } from "#lib/deployment.ts";

const deployment: Deployment = {
  chainId: 31337,
  name: "Test Co-op",
  deployBlock: 1,
  contracts: {
    MembershipCard: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
    VoiceCredits: "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0",
    MutualGovernor: "0xDc64a140Aa3E981100a9becA4E685f962f0cF6C9",
    TimelockController: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
    ContributionLedger: "0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9",
    PatronageDistributor: "0x5FC8d32690cc91D4c39d9d3abcBD16989F875707",
  },
};
const TOKEN = "0xa513E6E4b8f2a923D98304ec87F64353C4D5C853";
/** The default co-op's cap: 400 credits now, no other scheduled. */
const LIMITS = { lowestCap: 400n };
const periods = [
  { period: 0n, finalized: true, contributors: 5 },
  { period: 1n, finalized: true, contributors: 0 },
  { period: 2n, finalized: false, contributors: 0 },
];
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
    expect(describeAction(built(parameter(deployment, "setQuorumFraction", "25", LIMITS)), deployment)).toBe(
      "set the quorum to 25% of members",
    );
    expect(describeAction(built(parameter(deployment, "setVotingPeriod", "432000", LIMITS)), deployment)).toBe(
      "set the voting period to 5 days",
    );
    expect(describeAction(built(parameter(deployment, "setProposalDeposit", "15", LIMITS)), deployment)).toBe(
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
    expect(parameter(deployment, "setQuorumFraction", "150", LIMITS)).toEqual({
      ok: false,
      error: "The quorum must be between 0.01% and 100% of members.",
    });
    expect(parameter(deployment, "setProposalDeposit", "401", LIMITS)).toEqual({
      ok: false,
      error:
        "At most 400 credits, the most a member can hold: a larger deposit could never be paid, and the governor refuses it.",
    });
    expect(parameter(deployment, "setProposalDeposit", "400", LIMITS).ok).toBe(true);
    expect(parameter(deployment, "setVotingDelay", String(MAX_DURATION + 1), LIMITS)).toEqual({
      ok: false,
      error: "At most 31536000 seconds (one year): the governor refuses longer.",
    });
    expect(parameter(deployment, "setLateQuorumVoteExtension", String(MAX_DURATION), LIMITS).ok).toBe(true);
    expect(parameter(deployment, "setVotingPeriod", "0", LIMITS)).toEqual({
      ok: false,
      error: "A vote must stay open for at least 1 second.",
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

describe("sharing a surplus", () => {
  const input = { period: "0", asset: "eth" as const, token: "", amount: "1", decimals: "18" };
  it("allocates an ETH pot in one action, sent with it, and says it in words", () => {
    const result = shareSurplus(deployment, periods, input);
    if (!result.ok) throw new Error(result.error);
    expect(result.actions).toEqual([
      {
        target: deployment.contracts.PatronageDistributor,
        value: parseEther("1"),
        calldata: encodeFunctionData({
          abi: patronageDistributorAbi,
          functionName: "allocate",
          args: [0n, zeroAddress, parseEther("1")],
        }),
      },
    ]);
    expect(describeAction(result.actions[0], deployment)).toBe(
      "share 1 ETH as patronage among the contributors of period 0, by validated units under the pay-ratio cap",
    );
  });
  it("allocates an ERC-20 pot in two actions: approve the distributor, then allocate", () => {
    const result = shareSurplus(deployment, periods, {
      ...input,
      asset: "erc20",
      token: TOKEN,
      amount: "250.5",
      decimals: "6",
    });
    if (!result.ok) throw new Error(result.error);
    expect(result.actions.map((a) => [a.target, a.value])).toEqual([
      [TOKEN, 0n],
      [deployment.contracts.PatronageDistributor, 0n],
    ]);
    expect(result.actions[0].calldata).toBe(
      encodeFunctionData({
        abi: erc20Abi,
        functionName: "approve",
        args: [deployment.contracts.PatronageDistributor as `0x${string}`, 250_500_000n],
      }),
    );
    expect(result.actions.map((a) => describeAction(a, deployment))).toEqual([
      `allow the patronage distributor to take 250500000 of token ${TOKEN} (in its smallest units)`,
      `share 250500000 of token ${TOKEN} (in its smallest units) as patronage among the contributors of period 0, by validated units under the pay-ratio cap`,
    ]);
  });
  it("refuses what the distributor would refuse, and bad input, with a specific message", () => {
    const error = (over: Partial<Parameters<typeof shareSurplus>[2]>, d: Deployment = deployment) => {
      const r = shareSurplus(d, periods, { ...input, ...over });
      return r.ok ? "accepted" : r.error;
    };
    expect(error({ period: "first" })).toBe("Enter the period's number, such as 0.");
    expect(error({ period: "2" })).toBe(
      "Period 2 is not finalized: a pot can go to a period once its review has ended and it is finalized (on the Contributions page).",
    );
    expect(error({ period: "7" })).toContain("Period 7 is not finalized");
    expect(error({ period: "1" })).toBe(
      "Period 1 has no validated contributions: there is nobody to share a pot with.",
    );
    expect(error({ amount: "0" })).toBe("A pot must be more than 0 ETH.");
    expect(error({ amount: "one" })).toBe("Enter an amount of ETH, such as 0.5.");
    expect(error({ asset: "erc20", token: "0x12" })).toBe(
      "“0x12” is not an address (0x followed by 40 hexadecimal digits).",
    );
    expect(error({ asset: "erc20", token: zeroAddress })).toBe(
      "The token's address cannot be zero: choose ETH for a pot of ETH.",
    );
    expect(error({ asset: "erc20", token: TOKEN, decimals: "x" })).toBe(
      "Enter the token's decimals, a whole number from 0 to 36 (most tokens have 18, USDC 6).",
    );
    expect(error({ asset: "erc20", token: TOKEN, decimals: "6", amount: "1.1234567" })).toBe(
      "Enter an amount of tokens with at most 6 decimals, such as 250.5.",
    );
    expect(error({ asset: "erc20", token: TOKEN, decimals: "0", amount: "1.5" })).toBe(
      "Enter a whole number of tokens: this token has no decimals.",
    );
    expect(error({ asset: "erc20", token: TOKEN, decimals: "0", amount: (1n << 128n).toString() })).toBe(
      "A pot is at most 2^128 − 1 of the token's smallest unit.",
    );
    const { PatronageDistributor: _, ...older } = deployment.contracts;
    expect(error({}, { ...deployment, contracts: older })).toBe(
      "This co-op was deployed without a patronage distributor.",
    );
  });
  it("says the other patronage calls in words", () => {
    const call = (target: string, data: `0x${string}`) =>
      describeAction({ target, value: 0n, calldata: data }, deployment);
    const d = deployment.contracts.PatronageDistributor!;
    const l = deployment.contracts.ContributionLedger!;
    expect(call(d, encodeFunctionData({ abi: patronageDistributorAbi, functionName: "setPayRatio", args: [4n] }))).toBe(
      "set the pay ratio to 4:1 for periods that close from now on",
    );
    expect(
      call(
        d,
        encodeFunctionData({ abi: patronageDistributorAbi, functionName: "setClaimWindow", args: [60n * 86_400n] }),
      ),
    ).toBe("give members 60 days to claim from each pot allocated from now on");
    expect(call(d, encodeFunctionData({ abi: patronageDistributorAbi, functionName: "sweep", args: [1n] }))).toBe(
      "send what is left of patronage pot #1 back to the treasury",
    );
    expect(
      call(
        l,
        encodeFunctionData({
          abi: contributionLedgerAbi,
          functionName: "voidEntry",
          args: [7n, "the invoice was fake"],
        }),
      ),
    ).toBe("void contribution #7 (reason: “the invoice was fake”)");
    expect(
      call(l, encodeFunctionData({ abi: contributionLedgerAbi, functionName: "setAttestationThreshold", args: [2n] })),
    ).toBe("require 2 attestations for each contribution recorded from now on");
    const transfer = encodeFunctionData({ abi: erc20Abi, functionName: "transfer", args: [ALICE, 5n] });
    expect(call(TOKEN, transfer)).toBe(`send 5 of token ${TOKEN} (in its smallest units) to ${ALICE}`);
  });
});

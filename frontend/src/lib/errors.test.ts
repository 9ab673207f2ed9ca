import { describe, expect, it } from "vitest";
import { BaseError, encodeErrorResult, type Abi } from "viem";

import { describeError, describeRevertData } from "./errors.ts";
import { mutualGovernorAbi, membershipCardAbi } from "../generated/abis.ts";

const ALICE = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

describe("describeRevertData", () => {
  it("decodes the governor's refusals with their numbers", () => {
    const data = encodeErrorResult({
      abi: mutualGovernorAbi as Abi,
      errorName: "InsufficientCredits",
      args: [ALICE, 121n, 100n],
    });
    expect(describeRevertData(data)).toBe("The voter has too few credits (needs 121, has 100).");
    const sides = encodeErrorResult({
      abi: mutualGovernorAbi as Abi,
      errorName: "MutualGovernorCannotSwitchSides",
      args: [ALICE, 1],
    });
    expect(describeRevertData(sides)).toBe("The voter already voted on the other side (it voted for).");
  });
  it("says which state a proposal is in and which it needs", () => {
    const data = encodeErrorResult({
      abi: mutualGovernorAbi as Abi,
      errorName: "GovernorUnexpectedProposalState",
      args: [1n, 0, `0x${(1n << 4n).toString(16).padStart(64, "0")}`],
    });
    expect(describeRevertData(data)).toBe("Proposal Pending: the action needs it to be Succeeded.");
  });
  it("says a proposal made twice exists already", () => {
    const data = encodeErrorResult({
      abi: mutualGovernorAbi as Abi,
      errorName: "GovernorUnexpectedProposalState",
      args: [1n, 1, `0x${"0".repeat(64)}`],
    });
    expect(describeRevertData(data)).toBe(
      "The same proposal exists already (it is Active): change its actions or description.",
    );
  });
  it("decodes the membership card's errors", () => {
    const data = encodeErrorResult({
      abi: membershipCardAbi as Abi,
      errorName: "MembershipCardAlreadyMember",
      args: [ALICE],
    });
    expect(describeRevertData(data)).toBe(`${ALICE} is a member already.`);
  });
  it("leaves unknown data alone", () => {
    expect(describeRevertData("0xdeadbeef")).toBeUndefined();
  });
});

describe("describeError", () => {
  it("finds revert data nested in a wallet's error", () => {
    const data = encodeErrorResult({
      abi: mutualGovernorAbi as Abi,
      errorName: "MutualGovernorNotMember",
      args: [ALICE],
    });
    const error = new BaseError("execution reverted", { cause: Object.assign(new Error("reverted"), { data }) });
    expect(describeError(error)).toBe(`Only members can propose: ${ALICE} holds no membership card.`);
  });
  it("says a declined request plainly", () => {
    const error = new BaseError("User rejected", { cause: Object.assign(new Error("denied"), { code: 4001 }) });
    expect(describeError(error)).toBe("You declined the request in your wallet.");
  });
});

import { describe, expect, it } from "vitest";
import { BaseError, encodeErrorResult, type Abi } from "viem";

import { describeError, describeRevertData } from "./errors.ts";
import {
  contributionLedgerAbi,
  mutualGovernorAbi,
  membershipCardAbi,
  patronageDistributorAbi,
  timelockControllerAbi,
  voiceCreditsAbi,
} from "#lib/abi/contracts.ts";
import { describeContractError } from "#lib/refusals.ts";

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

describe("patronage refusals", () => {
  const ledger = (errorName: string, args: readonly unknown[]) =>
    describeRevertData(encodeErrorResult({ abi: contributionLedgerAbi as Abi, errorName, args }));
  const distributor = (errorName: string, args: readonly unknown[]) =>
    describeRevertData(encodeErrorResult({ abi: patronageDistributorAbi as Abi, errorName, args }));
  const TOKEN = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
  // 2025-03-01 12:00 UTC
  const T = 1_740_830_400n;

  it("says each ledger refusal with its numbers", () => {
    expect(ledger("ContributionLedgerNotMember", [ALICE])).toBe(
      `Only members record and attest contributions: ${ALICE} holds no membership card.`,
    );
    expect(ledger("ContributionLedgerInvalidUnits", [0n])).toBe(
      "A contribution must be from 1 to 18446744073709551615 units (got 0).",
    );
    expect(ledger("ContributionLedgerUnknownEntry", [42n])).toBe("There is no contribution #42.");
    expect(ledger("ContributionLedgerSelfAttestation", [3n, 8n, 5n])).toBe(
      "Card #8 is held by the member who recorded contribution #3 (their first card was #5): nobody attests their own contribution.",
    );
    expect(ledger("ContributionLedgerAlreadyAttested", [3n, 8n, 2n])).toBe(
      "Card #8 is held by a member who attested contribution #3 already, with this card or another (their first card was #2).",
    );
    expect(ledger("ContributionLedgerAlreadyValidated", [3n])).toBe(
      "Contribution #3 counts already: it needs no more attestations.",
    );
    expect(ledger("ContributionLedgerEntryVoided", [3n])).toBe("Contribution #3 was voided: it takes no attestations.");
    expect(ledger("ContributionLedgerPeriodClosed", [1n, T])).toBe(
      "Period 1 closed on 2025-03-01 12:00 UTC: its contributions can no longer be attested.",
    );
    expect(ledger("ContributionLedgerReviewClosed", [1n, T])).toBe(
      "The review of period 1 ended on 2025-03-01 12:00 UTC: its contributions can no longer be voided.",
    );
    expect(ledger("ContributionLedgerInvalidThreshold", [0n, 255n])).toBe(
      "A contribution needs from 1 to 255 attestations (got 0).",
    );
    expect(ledger("ContributionLedgerInvalidPeriods", [60n, 0n])).toBe(
      "Periods last from 1 day to 5 years and their review at most 1 year (got 60 and 0 seconds).",
    );
  });

  it("says each distributor refusal with its numbers", () => {
    expect(distributor("PatronageDistributorPeriodUnderReview", [0n, T])).toBe(
      "Period 0 is under review until 2025-03-01 12:00 UTC: it can be finalized only after that.",
    );
    expect(distributor("PatronageDistributorAlreadyFinalized", [0n])).toBe("Period 0 is finalized already.");
    expect(distributor("PatronageDistributorNotContributor", [0n, 2n])).toBe(
      "Card #2 has no validated units in period 0: it is not a contributor.",
    );
    expect(distributor("PatronageDistributorNotFinalized", [1n])).toBe(
      "Period 1 is not finalized yet: it must be finalized after its review.",
    );
    expect(distributor("PatronageDistributorNothingToShare", [1n])).toBe(
      "Period 1 has no validated contributions: there is nobody to share a pot with.",
    );
    expect(
      distributor("PatronageDistributorInvalidAllocation", ["0x0000000000000000000000000000000000000000", 5n, 4n]),
    ).toBe("An ETH pot must be more than 0 and sent with the call (amount 5 wei, 4 wei sent).");
    expect(distributor("PatronageDistributorInvalidAllocation", [TOKEN, 0n, 0n])).toBe(
      `A pot of token ${TOKEN} must be more than 0 and send no ETH (amount 0, 0 wei sent).`,
    );
    expect(distributor("PatronageDistributorUnknownPot", [9n])).toBe("There is no pot #9.");
    expect(distributor("PatronageDistributorNotMember", [ALICE])).toBe(
      `Only members claim patronage: ${ALICE} holds no membership card.`,
    );
    expect(distributor("PatronageDistributorAlreadyClaimed", [1n, 8n])).toBe(
      "Card #8 claimed its share of pot #1 already.",
    );
    expect(distributor("PatronageDistributorNothingToClaim", [1n, 2n])).toBe(
      "Card #2 has no share of pot #1: nothing to claim.",
    );
    expect(distributor("PatronageDistributorClaimClosed", [1n, T])).toBe(
      "Claims from pot #1 closed on 2025-03-01 12:00 UTC.",
    );
    expect(distributor("PatronageDistributorClaimOpen", [1n, T])).toBe(
      "Pot #1 can be swept only after its claims close, on 2025-03-01 12:00 UTC.",
    );
    expect(distributor("PatronageDistributorAlreadySwept", [1n])).toBe("Pot #1 was swept already.");
    expect(distributor("PatronageDistributorInvalidParameter", ["payRatio", 0n])).toBe(
      "The value 0 is out of range for payRatio.",
    );
    expect(distributor("ReentrancyGuardReentrantCall", [])).toBe(
      "The call came back into the distributor while it was paying: it refuses that.",
    );
    expect(distributor("SafeERC20FailedOperation", [TOKEN])).toBe(
      `The token ${TOKEN} refused the transfer (too small a balance or allowance?).`,
    );
  });

  it("says the card's ERC-721 and the timelock's role refusals in words", () => {
    expect(describeContractError({ name: "ERC721NonexistentToken", args: [12n] })).toBe(
      "There is no card #12: it was never issued, or it was given back.",
    );
    expect(describeContractError({ name: "ERC721InvalidOwner", args: [ALICE] })).toBe(
      `${ALICE} cannot own a membership card.`,
    );
    expect(describeContractError({ name: "ERC721InsufficientApproval", args: [ALICE, 1n] })).toBe(
      "Membership cards are soulbound: they cannot be transferred or approved.",
    );
    expect(describeContractError({ name: "VoiceCreditsCapBelowDeposit", args: [9n, 10n] })).toBe(
      "A credit cap of 9 is below the proposal deposit of 10: nobody could ever propose again. Lower the deposit before the cap, raise the cap before the deposit.",
    );
    expect(describeContractError({ name: "MembershipCardOwnershipNotRenounceable", args: [] })).toBe(
      "The co-op's contracts never renounce their owner: their powers stay with the timelock, or move to a new owner.",
    );
  });

  it("has words for every error the co-op's contracts declare", () => {
    const unnamed = [
      ...membershipCardAbi,
      ...voiceCreditsAbi,
      ...mutualGovernorAbi,
      ...timelockControllerAbi,
      ...contributionLedgerAbi,
      ...patronageDistributorAbi,
    ]
      .filter((item) => item.type === "error")
      .map((item) => (item as { name: string }).name)
      .filter((name) => describeContractError({ name, args: [0n, 0n, 0n] }).startsWith("The contract refused"));
    expect(unnamed).toEqual([]);
  });
});

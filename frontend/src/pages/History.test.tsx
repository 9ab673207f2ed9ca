// @vitest-environment jsdom
import { afterEach, describe, expect, it } from "vitest";
import { cleanup, render, screen } from "@testing-library/react";
import { MemoryRouter } from "react-router";

import { HistoryEntry } from "./History.tsx";
import type { ReplayEvent } from "#lib/replay/index.ts";

const VOTER = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
const TX = "0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060";
const PROPOSAL_ID = 0x1234n;
const numbers = new Map([[PROPOSAL_ID, 2]]);

function event(name: string, contract: ReplayEvent["contract"], args: ReplayEvent["args"]): ReplayEvent {
  return { contract, name, args, blockNumber: 42, logIndex: 3, transactionHash: TX, timestamp: 1_750_000_000 };
}

const TOKEN = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const pots = new Map([
  [1n, "0x0000000000000000000000000000000000000000"],
  [2n, TOKEN],
]);

function entry(e: ReplayEvent) {
  render(
    <MemoryRouter>
      <ol>
        <HistoryEntry event={e} numbers={numbers} pots={pots} target={false} />
      </ol>
    </MemoryRouter>,
  );
  return screen.getByRole("listitem");
}

afterEach(cleanup);

describe("HistoryEntry", () => {
  it("shows a vote in words with its block and transaction, and names them in data attributes", () => {
    const li = entry(
      event("VoteCastWithParams", "MutualGovernor", {
        voter: VOTER,
        proposalId: PROPOSAL_ID,
        support: 1n,
        weight: 3n,
        reason: "",
        params: "0x",
      }),
    );
    expect(li.querySelector(".what")?.textContent).toBe("0xf39F…2266 cast 3 votes for proposal #2");
    expect(li.querySelector(".where")?.textContent).toBe("block 42 · tx 0x5c50…2060");
    expect(li.querySelector(".where code")?.getAttribute("title")).toBe(TX);
    expect(li.id).toBe("e-42-3");
    expect({ ...li.dataset }).toEqual({
      block: "42",
      log: "3",
      tx: TX,
      contract: "MutualGovernor",
      event: "VoteCastWithParams",
      proposal: "2",
      member: VOTER,
    });
    expect(screen.getByRole("link", { name: "#2" }).getAttribute("href")).toBe("/proposals/2");
  });

  it("an event about no member and no proposal carries neither attribute nor link", () => {
    const li = entry(event("QuorumFractionSet", "MutualGovernor", { oldQuorumBps: 2000n, newQuorumBps: 2500n }));
    expect(li.querySelector(".what")?.textContent).toBe("quorum set to 25% of members");
    expect(li.dataset.member).toBeUndefined();
    expect(li.dataset.proposal).toBeUndefined();
    expect(screen.queryByRole("link", { name: /^#/ })).toBeNull();
  });

  it("a settled deposit names the card's holder, or nobody once the card is given back", () => {
    const settled = (holder: string, returned: boolean, credited: bigint) =>
      event("ProposalDepositSettled", "MutualGovernor", {
        proposalId: PROPOSAL_ID,
        holder,
        amount: 10n,
        returned,
        credited,
      });
    const returned = entry(settled(VOTER, true, 10n));
    expect(returned.querySelector(".what")?.textContent).toBe(
      "proposal #2: deposit of 0xf39F…2266 returned (10 credited)",
    );
    expect(returned.dataset.member).toBe(VOTER);
    cleanup();
    const burned = entry(settled("0x0000000000000000000000000000000000000000", false, 0n));
    expect(burned.querySelector(".what")?.textContent).toBe("proposal #2: deposit burned");
    expect(burned.dataset.member).toBeUndefined();
  });

  it("describes every patronage event in words, naming who recorded, attested and claimed", () => {
    const what = (e: ReplayEvent) => {
      const li = entry(e);
      const text = [li.querySelector(".what")?.textContent, li.dataset.member ?? null];
      cleanup();
      return text;
    };
    const labour = "0x6c61626f75720000000000000000000000000000000000000000000000000000";
    expect(
      what(
        event("ContributionLedgerConfigured", "ContributionLedger", {
          card: TOKEN,
          start: 1_750_000_000n,
          periodLength: 2_592_000n,
          reviewWindow: 604_800n,
        }),
      ),
    ).toEqual(["contribution ledger opened: periods of 30 days, each reviewed for 7 days after it closes", null]);
    expect(
      what(event("AttestationThresholdSet", "ContributionLedger", { oldThreshold: 1n, newThreshold: 2n })),
    ).toEqual(["contributions recorded from now on need 2 attestations", null]);
    expect(
      what(
        event("ContributionRecorded", "ContributionLedger", {
          entryId: 4n,
          period: 1n,
          cardId: 3n,
          contributor: VOTER,
          kind: labour,
          units: 12n,
          evidenceHash: `0x${"00".repeat(32)}`,
          evidenceURI: "",
          threshold: 1n,
        }),
      ),
    ).toEqual(["0xf39F…2266 recorded entry #4: 12 units of labour in period 1", VOTER]);
    expect(
      what(
        event("ContributionAttested", "ContributionLedger", {
          entryId: 4n,
          cardId: 5n,
          attester: VOTER,
          attestations: 1n,
        }),
      ),
    ).toEqual(["0xf39F…2266 attested entry #4 (1 attestation)", VOTER]);
    expect(
      what(
        event("ContributionValidated", "ContributionLedger", {
          entryId: 4n,
          period: 1n,
          cardId: 3n,
          units: 12n,
          cardUnits: 12n,
          periodUnits: 40n,
        }),
      ),
    ).toEqual(["entry #4 validated: 12 units count for card #3 in period 1", null]);
    expect(
      what(
        event("ContributionVoided", "ContributionLedger", {
          entryId: 4n,
          period: 1n,
          cardId: 3n,
          unitsRemoved: 12n,
          reason: "fake invoice",
        }),
      ),
    ).toEqual(["entry #4 voided, 12 units removed: “fake invoice”", null]);
    expect(
      what(
        event("PeriodFinalized", "PatronageDistributor", {
          period: 0n,
          contributors: 5n,
          minUnits: 10n,
          ratio: 6n,
          cappedSum: 190n,
        }),
      ),
    ).toEqual(["period 0 finalized: 5 contributors, smallest 10 units, ratio 6:1, capped sum 190", null]);
    expect(
      what(
        event("PatronageClaimed", "PatronageDistributor", {
          potId: 1n,
          cardId: 3n,
          member: VOTER,
          amount: 315_789_473_684_210_526n,
        }),
      ),
    ).toEqual(["0xf39F…2266 claimed 0.315789473684210526 ETH from pot #1 (card #3)", VOTER]);
    expect(what(event("PotSwept", "PatronageDistributor", { potId: 2n, treasury: VOTER, amount: 8n }))).toEqual([
      "pot #2 swept: 8 of token 0x5FbD…0aa3 back to the treasury",
      null,
    ]);
    expect(what(event("PayRatioSet", "PatronageDistributor", { oldRatio: 6n, newRatio: 4n }))).toEqual([
      "pay ratio set to 4:1 for periods that close from now on",
      null,
    ]);
  });
});

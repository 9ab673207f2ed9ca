// @vitest-environment jsdom
import { afterEach, describe, expect, it } from "vitest";
import { cleanup, render, screen } from "@testing-library/react";
import { MemoryRouter } from "react-router";

import { HistoryEntry } from "./History.tsx";
import type { ReplayEvent } from "../../../lib/replay/index.ts";

const VOTER = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
const TX = "0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060";
const PROPOSAL_ID = 0x1234n;
const numbers = new Map([[PROPOSAL_ID, 2]]);

function event(name: string, contract: ReplayEvent["contract"], args: ReplayEvent["args"]): ReplayEvent {
  return { contract, name, args, blockNumber: 42, logIndex: 3, transactionHash: TX, timestamp: 1_750_000_000 };
}

function entry(e: ReplayEvent) {
  render(
    <MemoryRouter>
      <ol>
        <HistoryEntry event={e} numbers={numbers} target={false} />
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
});

import { describe, expect, it } from "vitest";

import { planVote, type VoteContext } from "./vote.ts";

const fresh: VoteContext = {
  state: "Active",
  eligible: true,
  balance: 100n,
  previous: { voted: false, support: 0, votes: 0n },
};

describe("planVote", () => {
  it("prices n votes at n² credits", () => {
    const plan = planVote(fresh, "for", 3n);
    expect(plan.cost).toBe(9n);
    expect(plan.left).toBe(91n);
    expect(plan.refusal).toBeUndefined();
    expect(plan.affordable).toBe(10n);
  });
  it("prices a top-up at the marginal cost: 3 then 2 more costs 16", () => {
    const plan = planVote({ ...fresh, previous: { voted: true, support: 1, votes: 3n } }, "for", 2n);
    expect(plan.cost).toBe(16n);
    expect(plan.total).toBe(5n);
    expect(plan.totalCost).toBe(25n);
  });
  it("refuses switching sides", () => {
    const plan = planVote({ ...fresh, previous: { voted: true, support: 1, votes: 3n } }, "against", 1n);
    expect(plan.refusal).toMatch(/cannot switch sides/);
  });
  it("refuses more than the balance buys, with the numbers", () => {
    expect(planVote(fresh, "for", 11n).refusal).toBe("Too few credits: 11 more votes cost 121, you hold 100.");
  });
  it("refuses a voter who was not a member at the snapshot", () => {
    expect(planVote({ ...fresh, eligible: false }, "for", 1n).refusal).toMatch(
      /not a member at the proposal's snapshot/,
    );
  });
  it("refuses when voting is not open", () => {
    expect(planVote({ ...fresh, state: "Pending" }, "for", 1n).refusal).toBe("Voting has not opened yet.");
    expect(planVote({ ...fresh, state: "Defeated" }, "for", 1n).refusal).toBe(
      "Voting is closed: the proposal is defeated.",
    );
  });
  it("lets a member abstain for free, once", () => {
    const abstain = planVote(fresh, "abstain", 0n);
    expect(abstain.cost).toBe(0n);
    expect(abstain.refusal).toBeUndefined();
    const again = planVote({ ...fresh, previous: { voted: true, support: 2, votes: 0n } }, "abstain", 0n);
    expect(again.refusal).toBe("You abstained already.");
  });
  it("refuses zero votes", () => {
    expect(planVote(fresh, "for", 0n).refusal).toBe("Choose at least one vote.");
  });
});

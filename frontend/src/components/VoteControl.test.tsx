// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen } from "@testing-library/react";

import { VoteControl } from "./VoteControl.tsx";
import type { VoteContext } from "../lib/vote.ts";

const context: VoteContext = {
  state: "Active",
  eligible: true,
  balance: 100n,
  previous: { voted: false, support: 0, votes: 0n },
};

afterEach(cleanup);

describe("VoteControl", () => {
  it("shows the cost n² live and votes with the chosen side and number", () => {
    const onVote = vi.fn();
    render(<VoteControl context={context} relayer onVote={onVote} onSign={vi.fn()} />);
    fireEvent.change(screen.getByLabelText("Votes"), { target: { value: "3" } });
    expect(screen.getByTestId("vote-cost").textContent).toBe("9");
    expect(screen.getByTestId("credits-left").textContent).toBe("91");
    fireEvent.click(screen.getByRole("button", { name: "Vote by transaction" }));
    expect(onVote).toHaveBeenCalledWith("for", 3n);
  });
  it("shows the marginal cost over an earlier vote", () => {
    render(
      <VoteControl
        context={{ ...context, previous: { voted: true, support: 1, votes: 3n } }}
        relayer={false}
        onVote={vi.fn()}
        onSign={vi.fn()}
      />,
    );
    fireEvent.change(screen.getByLabelText("Votes to add"), { target: { value: "2" } });
    expect(screen.getByTestId("vote-cost").textContent).toBe("16");
    expect(screen.getByTestId("vote-total").textContent).toBe("5² = 25");
    expect(screen.queryByRole("button", { name: "Sign a ballot (no gas)" })).toBeNull();
  });
  it("refuses before sending: over budget, switching sides, bad input", () => {
    const onVote = vi.fn();
    const onSign = vi.fn();
    render(
      <VoteControl
        context={{ ...context, previous: { voted: true, support: 1, votes: 3n } }}
        relayer
        onVote={onVote}
        onSign={onSign}
      />,
    );
    fireEvent.change(screen.getByLabelText("Votes to add"), { target: { value: "9" } });
    expect(screen.getByTestId("vote-refusal").textContent).toBe(
      "Too few credits: 9 more votes cost 135, you hold 100.",
    );
    expect((screen.getByRole("button", { name: "Vote by transaction" }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(screen.getByLabelText("Against"));
    expect(screen.getByTestId("vote-refusal").textContent).toBe("You voted for already: votes cannot switch sides.");
    fireEvent.click(screen.getByLabelText("For"));
    fireEvent.change(screen.getByLabelText("Votes to add"), { target: { value: "two" } });
    expect(screen.getByTestId("vote-refusal").textContent).toBe("Enter a whole number of votes, such as 3.");
    fireEvent.click(screen.getByRole("button", { name: "Sign a ballot (no gas)" }));
    expect(onSign).not.toHaveBeenCalled();
    expect(onVote).not.toHaveBeenCalled();
  });
  it("signs a ballot through the relayer when asked", () => {
    const onSign = vi.fn();
    render(<VoteControl context={context} relayer onVote={vi.fn()} onSign={onSign} />);
    fireEvent.click(screen.getByRole("button", { name: "Sign a ballot (no gas)" }));
    expect(onSign).toHaveBeenCalledWith("for", 1n);
  });
});

/**
 * The quadratic vote control's rules: what a vote would cost, and whether the governor would refuse it. The same
 * checks as `GovernorCountingQuadratic._price` and the credits ledger, made before anything is sent, so a member
 * reads why in words instead of paying for a reverted transaction.
 */
import { marginalCost, maxAffordableVotes, voteCost } from "#lib/rules/quadratic.ts";
import { Support, voteRefusals } from "#lib/ballots/ballot.ts";

export type Side = "for" | "against" | "abstain";
export const SIDES: readonly Side[] = ["for", "against", "abstain"];
export const supportOf: Record<Side, number> = { for: Support.For, against: Support.Against, abstain: Support.Abstain };
export const sideOf = (support: number): Side => (support === 0 ? "against" : support === 1 ? "for" : "abstain");

/** What the member already cast on the proposal (`governor.receiptOf`). */
export interface PreviousVote {
  voted: boolean;
  support: number;
  votes: bigint;
}

/** Everything the control needs to know about the member and the proposal. */
export interface VoteContext {
  /** The proposal's state name ("Active" while votes count). */
  state: string;
  /** A member since the proposal's snapshot (or earlier) and ever since. */
  eligible: boolean;
  /** Voice credits the member holds now. */
  balance: bigint;
  previous: PreviousVote;
}

/** The votes most any member may hold on one proposal (a receipt keeps them in 24 bits). */
export const MAX_VOTES_PER_MEMBER = (1n << 24n) - 1n;

export interface VotePlan {
  /** Votes after this vote (0 for an abstention). */
  total: bigint;
  /** The member's total cost on the proposal after this vote: total². */
  totalCost: bigint;
  /** What this vote costs now: the marginal cost over the earlier votes. */
  cost: bigint;
  /** Credits left after it. */
  left: bigint;
  /** The most votes the member could add on this side. */
  affordable: bigint;
  /** Why the governor would refuse it, in words; undefined when it would count. */
  refusal?: string;
}

const words = (i: number) => voteRefusals[i].charAt(0).toUpperCase() + voteRefusals[i].slice(1);

/** Prices adding `votes` votes on `side` and says whether the governor would refuse it. */
export function planVote(ctx: VoteContext, side: Side, votes: bigint): VotePlan {
  const previous = ctx.previous.voted ? ctx.previous.votes : 0n;
  const abstain = side === "abstain";
  const added = abstain ? 0n : votes < 0n ? 0n : votes;
  const total = abstain ? previous : previous + added;
  const cost = abstain ? 0n : marginalCost(previous, added);
  const left = ctx.balance - cost;
  const plan: VotePlan = {
    total,
    totalCost: voteCost(total),
    cost,
    left: left < 0n ? 0n : left,
    affordable: maxAffordableVotes(ctx.balance, previous),
  };
  const refuse = (refusal: string): VotePlan => ({ ...plan, refusal });
  if (ctx.state !== "Active")
    return refuse(
      ctx.state === "Pending"
        ? "Voting has not opened yet."
        : `Voting is closed: the proposal is ${ctx.state.toLowerCase()}.`,
    );
  if (!ctx.eligible) return refuse(`${words(7)}.`);
  if (ctx.previous.voted) {
    const before = sideOf(ctx.previous.support);
    if (before !== side) return refuse(`You voted ${before} already: votes cannot switch sides.`);
    if (abstain) return refuse("You abstained already.");
  }
  if (abstain) return plan;
  if (votes < 1n) return refuse("Choose at least one vote.");
  if (total > MAX_VOTES_PER_MEMBER) return refuse(`${words(9)}.`);
  if (cost > ctx.balance) return refuse(`Too few credits: ${votes} more votes cost ${cost}, you hold ${ctx.balance}.`);
  return plan;
}

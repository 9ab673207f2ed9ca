/**
 * The quadratic vote control: a side, a number of votes, and live what it costs — n² in all, the marginal cost
 * over an earlier vote, the credits left — with the governor's refusals said before anything is sent. The member
 * votes by transaction, or signs a ballot for the relayer (no ETH needed).
 */
import { useId, useState } from "react";

import { SIDES, planVote, sideOf, type Side, type VoteContext } from "../lib/vote.ts";

export interface VoteControlProps {
  context: VoteContext;
  busy?: boolean;
  /** Whether a relayer is configured: offers signing a ballot. */
  relayer: boolean;
  onVote(side: Side, votes: bigint): void;
  onSign(side: Side, votes: bigint): void;
}

const sideLabel: Record<Side, string> = { for: "For", against: "Against", abstain: "Abstain" };

export function VoteControl({ context, busy = false, relayer, onVote, onSign }: VoteControlProps) {
  const id = useId();
  const previous = context.previous;
  const [side, setSide] = useState<Side>(previous.voted ? sideOf(previous.support) : "for");
  const [text, setText] = useState("1");
  const parsed = /^\d{1,7}$/.test(text.trim()) ? BigInt(text.trim()) : null;
  const plan = planVote(context, side, parsed ?? 0n);
  const inputError = side !== "abstain" && parsed === null ? "Enter a whole number of votes, such as 3." : undefined;
  const refusal = inputError ?? plan.refusal;
  const votes = parsed ?? 0n;
  return (
    <form
      className="vote"
      aria-labelledby={`${id}-title`}
      onSubmit={(e) => {
        e.preventDefault();
        if (refusal === undefined) onVote(side, votes);
      }}
    >
      <h3 id={`${id}-title`}>Your vote</h3>
      {previous.voted && (
        <p className="muted" data-testid="previous-vote">
          You cast {previous.support === 2 ? "an abstention" : `${previous.votes} ${sideOf(previous.support)}`} (
          {(previous.votes * previous.votes).toString()} credits).
        </p>
      )}
      <fieldset className="sides">
        <legend>Side</legend>
        {SIDES.map((s) => (
          <label key={s} className={`side side-${s}${side === s ? " chosen" : ""}`}>
            <input type="radio" name={`${id}-side`} value={s} checked={side === s} onChange={() => setSide(s)} />
            {sideLabel[s]}
          </label>
        ))}
      </fieldset>
      {side !== "abstain" && (
        <div className="field">
          <label htmlFor={`${id}-votes`}>{previous.voted ? "Votes to add" : "Votes"}</label>
          <div className="stepper">
            <button
              type="button"
              aria-label="One vote fewer"
              onClick={() => setText(String(votes > 1n ? votes - 1n : 1n))}
            >
              −
            </button>
            <input
              id={`${id}-votes`}
              inputMode="numeric"
              value={text}
              aria-invalid={inputError !== undefined}
              aria-describedby={`${id}-cost`}
              onChange={(e) => setText(e.target.value)}
            />
            <button type="button" aria-label="One vote more" onClick={() => setText(String(votes + 1n))}>
              +
            </button>
          </div>
        </div>
      )}
      <dl className="cost" id={`${id}-cost`} aria-live="polite">
        <div>
          <dt>Cost now</dt>
          <dd data-testid="vote-cost">{plan.cost.toString()}</dd>
        </div>
        {previous.voted && side !== "abstain" && (
          <div>
            <dt>Your total</dt>
            <dd data-testid="vote-total">
              {plan.total.toString()}² = {plan.totalCost.toString()}
            </dd>
          </div>
        )}
        <div>
          <dt>Credits left</dt>
          <dd data-testid="credits-left">{plan.left.toString()}</dd>
        </div>
        <div>
          <dt>Most you can add</dt>
          <dd>{plan.affordable.toString()}</dd>
        </div>
      </dl>
      {side !== "abstain" && !previous.voted && parsed !== null && (
        <p className="muted formula">
          {votes.toString()} vote{votes === 1n ? "" : "s"} cost {votes.toString()}² = {plan.cost.toString()} credits.
        </p>
      )}
      {previous.voted && side !== "abstain" && parsed !== null && refusal === undefined && (
        <p className="muted formula">
          Adding {votes.toString()} costs {plan.total.toString()}² − {previous.votes.toString()}² ={" "}
          {plan.cost.toString()} credits.
        </p>
      )}
      {refusal !== undefined && (
        <p className="refusal" role="alert" data-testid="vote-refusal">
          {refusal}
        </p>
      )}
      <div className="actions">
        <button type="submit" className="primary" disabled={busy || refusal !== undefined}>
          Vote by transaction
        </button>
        {relayer && (
          <button
            type="button"
            disabled={busy || refusal !== undefined}
            onClick={() => onSign(side, votes)}
            title="Sign a ballot in your wallet; the co-op's relayer submits it, you pay no gas"
          >
            Sign a ballot (no gas)
          </button>
        )}
      </div>
    </form>
  );
}

import Markdown from "react-markdown";
import { Link, useParams } from "react-router";
import { useConnection, useReadContract, useWriteContract } from "wagmi";
import { getAddress, keccak256, toBytes, type Address, type Hex } from "viem";

import { Empty, Page, StateBadge, WithCoop } from "../components/common.tsx";
import { TxStatus, useTx } from "../components/tx.tsx";
import { VoteControl } from "../components/VoteControl.tsx";
import { ballotText, useBallot } from "../hooks/ballot.ts";
import { describeAction } from "../lib/actions.ts";
import { count, quorumText, relative, short, when } from "../lib/format.ts";
import { supportOf, type Side } from "../lib/vote.ts";
import { membershipCardAbi, mutualGovernorAbi, voiceCreditsAbi } from "#lib/abi/contracts.ts";
import { proposalStates } from "#lib/format.ts";
import { depositReturned } from "#lib/rules/governance.ts";
import { relayerUrl } from "../env.ts";
import { demoName as nameOf } from "../wallet/config.ts";

import type { Deployment } from "#lib/deployment.ts";
import type { CoopHistory } from "../hooks/coop.ts";

export function ProposalDetail() {
  const { number } = useParams();
  return (
    <WithCoop>
      {(coop, deployment) => {
        const proposal = coop.view.proposals.find((p) => String(p.number) === number);
        if (proposal === undefined)
          return (
            <Page title="No such proposal">
              <Empty>
                The co-op has no proposal #{number}. <Link to="/proposals">See all proposals</Link>.
              </Empty>
            </Page>
          );
        return <Detail coop={coop} deployment={deployment} number={proposal.number} />;
      }}
    </WithCoop>
  );
}

/** What becomes of the deposit, by the rule of docs/governance.md: returned with a quorum unless rejected widely. */
function depositText(p: {
  depositFate: string;
  state: string;
  quorumReached: boolean;
  forVotes: bigint;
  againstVotes: bigint;
}) {
  if (p.depositFate === "none") return "No deposit was staked.";
  if (p.depositFate === "returned") return "Returned to the proposer.";
  if (p.depositFate === "burned") return "Burned.";
  if (p.state === "Pending" || p.state === "Active")
    return "Held by the governor: returned if a quorum votes and fewer than twice as many votes are against as for, burned otherwise.";
  if (p.state === "Canceled") return "Held until settled, then burned: the proposal was cancelled.";
  return depositReturned(p.quorumReached, p.forVotes, p.againstVotes)
    ? "Held until someone settles it; it will be returned (a quorum voted, no wide rejection)."
    : "Held until someone settles it; it will be burned (no quorum, or rejected by a wide margin).";
}

function Detail({ coop, deployment, number }: { coop: CoopHistory; deployment: Deployment; number: number }) {
  const p = coop.view.proposals.find((x) => x.number === number)!;
  const now = coop.view.at.timestamp;
  const governor = deployment.contracts.MutualGovernor as Address;
  const { address } = useConnection();
  const tx = useTx();
  const ballot = useBallot(governor);
  const { writeContractAsync } = useWriteContract();
  const live = useReadContract({ address: governor, abi: mutualGovernorAbi, functionName: "state", args: [p.id] });
  const state = live.data === undefined ? p.state : proposalStates[live.data];
  const receipt = useReadContract({
    address: governor,
    abi: mutualGovernorAbi,
    functionName: "receiptOf",
    args: [p.id, address as Address],
    query: { enabled: address !== undefined },
  });
  const balance = useReadContract({
    address: deployment.contracts.VoiceCredits as Address,
    abi: voiceCreditsAbi,
    functionName: "balanceOf",
    args: [address as Address],
    query: { enabled: address !== undefined },
  });
  const since = useReadContract({
    address: deployment.contracts.MembershipCard as Address,
    abi: membershipCardAbi,
    functionName: "memberSince",
    args: [address as Address],
    query: { enabled: address !== undefined },
  });
  const descriptionHash = keccak256(toBytes(p.description));
  const call = [
    p.actions.map((a) => a.target as Address),
    p.actions.map((a) => a.value),
    p.actions.map((a) => a.calldata as Hex),
    descriptionHash,
  ] as const;
  const body = p.description.replace(/^\s*#[^\n]*\n?/, "").replace(/\n*#proposer=0x[0-9a-fA-F]{40}\s*$/, "");
  const quorumPct = p.quorum === 0n ? 0 : Math.min(100, Number((p.voters * 100n) / p.quorum));
  const totalVotes = p.forVotes + p.againstVotes;
  const forPct = totalVotes === 0n ? 0 : Number((p.forVotes * 100n) / totalVotes);

  function vote(side: Side, votes: bigint) {
    const support = supportOf[side];
    void tx.run(side === "abstain" ? "Abstaining" : `Casting ${votes} ${side}`, () =>
      side === "abstain"
        ? writeContractAsync({
            address: governor,
            abi: mutualGovernorAbi,
            functionName: "castVote",
            args: [p.id, support],
          })
        : writeContractAsync({
            address: governor,
            abi: mutualGovernorAbi,
            functionName: "castVoteWithReasonAndParams",
            args: [p.id, support, "", `0x${votes.toString(16).padStart(64, "0")}`],
          }),
    );
  }

  return (
    <Page
      title={`#${p.number} ${p.title}`}
      lead={
        <>
          Proposed by {nameOf(p.proposer) !== undefined && <strong>{nameOf(p.proposer)} </strong>}
          <code>{getAddress(p.proposer)}</code> on {when(p.createdAt)}
        </>
      }
    >
      <div className="detail-head">
        <StateBadge state={state} />
        <span className="muted" data-testid="time-left">
          {state === "Pending" && `Voting opens ${relative(p.voteStart, now)}`}
          {state === "Active" &&
            `Voting closes ${relative(p.deadline, now)}${p.extended ? " (extended: late quorum)" : ""}`}
          {state === "Queued" && (p.eta > now ? `Executable ${relative(p.eta, now)}` : "Ready to execute")}
          {state === "Succeeded" && "Passed: queue it in the timelock"}
          {(state === "Defeated" || state === "Executed" || state === "Canceled" || state === "Expired") &&
            `Voting closed ${relative(p.deadline, now)}`}
        </span>
      </div>
      <div className="detail">
        <div className="detail-main">
          <section className="card">
            <h2>What it does</h2>
            <ol className="actions-list" data-testid="actions">
              {p.actions.map((a, i) => (
                <li key={i}>
                  {describeAction({ target: a.target, value: a.value, calldata: a.calldata }, deployment)}
                </li>
              ))}
            </ol>
          </section>
          <section className="card prose">
            <h2>Description</h2>
            {body.trim() === "" ? <p className="muted">No description.</p> : <Markdown>{body}</Markdown>}
          </section>
          <section className="card">
            <h2>Voters</h2>
            {p.receipts.length === 0 ? (
              <p className="muted">Nobody has voted yet.</p>
            ) : (
              <ul className="plain list" data-testid="receipts">
                {p.receipts.map((r) => (
                  <li key={r.voter}>
                    {nameOf(r.voter) !== undefined && <strong>{nameOf(r.voter)} </strong>}
                    <code>{short(r.voter)}</code>{" "}
                    {r.support === 2 ? "abstained" : `${r.votes} ${r.support === 1 ? "for" : "against"}`}
                    <span className="muted small"> · {count(r.credits, "credit")}</span>
                  </li>
                ))}
              </ul>
            )}
          </section>
        </div>
        <aside className="detail-side">
          <section className="card tally" aria-label="Tally">
            <h2>Tally</h2>
            <div className="bar" aria-hidden="true">
              <span className="bar-for" style={{ width: `${forPct}%` }} />
            </div>
            <dl className="facts">
              <dt>For</dt>
              <dd data-testid="for-votes">
                {count(p.forVotes, "vote")} · {count(p.forVoters, "member")}
              </dd>
              <dt>Against</dt>
              <dd data-testid="against-votes">
                {count(p.againstVotes, "vote")} · {count(p.againstVoters, "member")}
              </dd>
              <dt>Abstained</dt>
              <dd>{count(p.abstainVoters, "member")}</dd>
            </dl>
            <h3>Quorum</h3>
            <div
              className="progress"
              role="progressbar"
              aria-label="Quorum"
              aria-valuemin={0}
              aria-valuemax={Number(p.quorum)}
              aria-valuenow={Number(p.voters)}
            >
              <span style={{ width: `${quorumPct}%` }} />
            </div>
            <p className="small" data-testid="quorum">
              {quorumText(p)}
            </p>
            <h3>Deposit</h3>
            <p className="small" data-testid="deposit">
              {p.deposit.toString()} credits. {depositText({ ...p, state })}
            </p>
          </section>
          {state === "Active" || state === "Pending" ? (
            address === undefined ? (
              <section className="card">
                <p>Connect a wallet to vote.</p>
              </section>
            ) : receipt.data === undefined || balance.data === undefined || since.data === undefined ? (
              <section className="card">
                <p className="muted">Reading your credits…</p>
              </section>
            ) : (
              <section className="card">
                <VoteControl
                  key={`${receipt.data[0]}-${receipt.data[2]}`}
                  context={{
                    state,
                    eligible: since.data !== 0 && BigInt(since.data) <= BigInt(p.voteStart),
                    balance: balance.data,
                    previous: { voted: receipt.data[0], support: receipt.data[1], votes: receipt.data[2] },
                  }}
                  busy={
                    tx.busy ||
                    ballot.state.status === "signing" ||
                    ballot.state.status === "queued" ||
                    ballot.state.status === "submitted"
                  }
                  relayer={relayerUrl() !== ""}
                  onVote={vote}
                  onSign={(side, votes) =>
                    void ballot.send(address, p.id, supportOf[side], side === "abstain" ? 0n : votes)
                  }
                />
                <div
                  role="status"
                  aria-live="polite"
                  className={`ballot ballot-${ballot.state.status}`}
                  data-testid="ballot-status"
                >
                  {ballotText(ballot.state)}
                </div>
              </section>
            )
          ) : null}
          {(state === "Succeeded" || state === "Queued") && (
            <section className="card">
              <h2>Carry it out</h2>
              {state === "Succeeded" && (
                <button
                  type="button"
                  className="primary"
                  disabled={tx.busy}
                  onClick={() =>
                    tx.run("Queueing", () =>
                      writeContractAsync({
                        address: governor,
                        abi: mutualGovernorAbi,
                        functionName: "queue",
                        args: call,
                      }),
                    )
                  }
                >
                  Queue in the timelock
                </button>
              )}
              {state === "Queued" && (
                <button
                  type="button"
                  className="primary"
                  disabled={tx.busy || p.eta > now}
                  onClick={() =>
                    tx.run("Executing", () =>
                      writeContractAsync({
                        address: governor,
                        abi: mutualGovernorAbi,
                        functionName: "execute",
                        args: call,
                      }),
                    )
                  }
                >
                  {p.eta > now ? `Executable ${relative(p.eta, now)}` : "Execute"}
                </button>
              )}
            </section>
          )}
          {p.depositFate === "held" && !["Pending", "Active"].includes(state) && (
            <section className="card">
              <h2>Deposit</h2>
              <button
                type="button"
                disabled={tx.busy}
                onClick={() =>
                  tx.run("Settling the deposit", () =>
                    writeContractAsync({
                      address: governor,
                      abi: mutualGovernorAbi,
                      functionName: "settleDeposit",
                      args: [p.id],
                    }),
                  )
                }
              >
                Settle the deposit
              </button>
            </section>
          )}
          <TxStatus state={tx.state} />
        </aside>
      </div>
    </Page>
  );
}

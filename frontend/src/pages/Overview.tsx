import { Link } from "react-router";
import { useBalance, useReadContract } from "wagmi";

import { Page, ProposalLink, StateBadge, WithCoop } from "../components/common.tsx";
import { duration, ether, relative } from "../lib/format.ts";
import { epochEnd } from "#lib/rules/governance.ts";
import { voiceCreditsAbi } from "#lib/abi/contracts.ts";
import type { Deployment } from "#lib/deployment.ts";
import type { CoopHistory } from "../hooks/coop.ts";

export function Overview() {
  return <WithCoop>{(coop, deployment) => <OverviewBody coop={coop} deployment={deployment} />}</WithCoop>;
}

function OverviewBody({ coop, deployment }: { coop: CoopHistory; deployment: Deployment }) {
  const { view } = coop;
  const treasury = useBalance({ address: deployment.contracts.TimelockController as `0x${string}` });
  const epoch = useReadContract({
    address: deployment.contracts.VoiceCredits as `0x${string}`,
    abi: voiceCreditsAbi,
    functionName: "currentEpoch",
  });
  const schedule = view.schedules.at(-1);
  const now = view.at.timestamp;
  const nextEpoch = schedule === undefined ? undefined : epochEnd(schedule, view.epoch);
  const p = view.parameters;
  const open = view.proposals.filter((x) => x.state === "Active" || x.state === "Pending");
  return (
    <Page title={deployment.name} lead="A co-operative on Ethereum: one member, one equal voice.">
      <section className="stats" aria-label="The co-op at a glance">
        <div className="stat">
          <span className="stat-label">Members</span>
          <span className="stat-value" data-testid="member-count">
            {view.memberCount.toString()}
          </span>
        </div>
        <div className="stat">
          <span className="stat-label">Treasury</span>
          <span className="stat-value" data-testid="treasury">
            {treasury.data === undefined ? "…" : ether(treasury.data.value)}
          </span>
        </div>
        <div className="stat">
          <span className="stat-label">Credit epoch</span>
          <span className="stat-value">{(epoch.data ?? BigInt(view.epoch)).toString()}</span>
          {nextEpoch !== undefined && <span className="stat-note">next {relative(nextEpoch, now)}</span>}
        </div>
        <div className="stat">
          <span className="stat-label">Open proposals</span>
          <span className="stat-value">{open.length}</span>
        </div>
      </section>

      <div className="grid2">
        <section className="card">
          <h2>Rules in force</h2>
          <dl className="facts">
            {schedule && (
              <>
                <dt>Voice credits</dt>
                <dd>
                  {schedule.creditsPerEpoch.toString()} per member every {duration(schedule.epochLength)}, up to{" "}
                  {schedule.maxBalance.toString()}
                </dd>
              </>
            )}
            <dt>Proposal deposit</dt>
            <dd>{p.proposalDeposit.toString()} credits</dd>
            <dt>Quorum</dt>
            <dd>{Number(p.quorumBps) / 100}% of members</dd>
            <dt>Voting delay</dt>
            <dd>{duration(p.votingDelay)}</dd>
            <dt>Voting period</dt>
            <dd>{duration(p.votingPeriod)}</dd>
            <dt>Late-quorum extension</dt>
            <dd>{duration(p.lateQuorumExtension)}</dd>
            <dt>Timelock delay</dt>
            <dd>{duration(view.timelockMinDelay)}</dd>
          </dl>
        </section>
        <section className="card">
          <h2>Open for votes</h2>
          {open.length === 0 ? (
            <p className="muted">
              No proposal is open. <Link to="/new">Make one</Link>.
            </p>
          ) : (
            <ul className="plain list">
              {open.map((x) => (
                <li key={x.number}>
                  <StateBadge state={x.state} />{" "}
                  <ProposalLink number={x.number}>
                    #{x.number} {x.title}
                  </ProposalLink>
                  <span className="muted small"> · closes {relative(x.deadline, now)}</span>
                </li>
              ))}
            </ul>
          )}
          <p>
            <Link to="/proposals">All proposals →</Link>
          </p>
        </section>
      </div>
      <section className="card">
        <h2>Contracts</h2>
        <dl className="facts mono">
          {Object.entries(deployment.contracts).map(([name, address]) => (
            <div key={name} className="fact-row">
              <dt>{name === "TimelockController" ? "Treasury (timelock)" : name}</dt>
              <dd>
                <code>{address}</code>
              </dd>
            </div>
          ))}
        </dl>
      </section>
    </Page>
  );
}

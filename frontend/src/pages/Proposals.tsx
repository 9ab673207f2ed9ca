import { Link, useSearchParams } from "react-router";

import { Empty, Page, ProposalLink, StateBadge, WithCoop } from "../components/common.tsx";
import { quorumText, relative } from "../lib/format.ts";
import { proposalStates } from "#lib/format.ts";

export function Proposals() {
  const [params, setParams] = useSearchParams();
  const filter = params.get("state");
  return (
    <WithCoop>
      {({ view }) => {
        const shown = [...view.proposals].reverse().filter((p) => filter === null || p.state === filter);
        return (
          <Page title="Proposals" lead="Everything the co-op decided, and what is open now.">
            <div className="toolbar">
              <nav className="filters" aria-label="Filter by state">
                <button type="button" aria-pressed={filter === null} onClick={() => setParams({})}>
                  All ({view.proposals.length})
                </button>
                {proposalStates.map((s) => {
                  const count = view.proposals.filter((p) => p.state === s).length;
                  if (count === 0 && filter !== s) return null;
                  return (
                    <button key={s} type="button" aria-pressed={filter === s} onClick={() => setParams({ state: s })}>
                      {s} ({count})
                    </button>
                  );
                })}
              </nav>
              <Link className="button primary" to="/new">
                New proposal
              </Link>
            </div>
            {shown.length === 0 ? (
              <Empty>{filter === null ? "No proposals yet." : `No ${filter.toLowerCase()} proposals.`}</Empty>
            ) : (
              <ul className="plain proposals">
                {shown.map((p) => (
                  <li key={p.number} className="proposal-row">
                    <div>
                      <StateBadge state={p.state} />{" "}
                      <ProposalLink number={p.number}>
                        <span className="muted">#{p.number}</span> {p.title}
                      </ProposalLink>
                    </div>
                    <div className="muted small">
                      {p.forVotes.toString()} for · {p.againstVotes.toString()} against ·{" "}
                      {p.state === "Pending"
                        ? "quorum set when voting opens"
                        : p.quorum === 0n
                          ? `${p.voters} voters`
                          : quorumText(p)}
                      {(p.state === "Active" || p.state === "Pending") && (
                        <> · closes {relative(p.deadline, view.at.timestamp)}</>
                      )}
                    </div>
                  </li>
                ))}
              </ul>
            )}
          </Page>
        );
      }}
    </WithCoop>
  );
}

import { Link, useLocation } from "react-router";
import { useEffect } from "react";

import { Empty, Page, WithCoop } from "../components/common.tsx";
import { describeEvent } from "../lib/events.ts";
import { when } from "../lib/format.ts";

export function History() {
  const location = useLocation();
  useEffect(() => {
    if (location.hash) document.getElementById(location.hash.slice(1))?.scrollIntoView();
  });
  return (
    <WithCoop>
      {({ view, events }) => {
        const numbers = new Map(view.proposals.map((p) => [p.id, p.number]));
        return (
          <Page
            title="History"
            lead={`Every event of the co-op, in chain order, rebuilt by the auditor's replay: ${events.length} events up to block ${view.at.blockNumber}.`}
          >
            {view.findings.length > 0 && (
              <div className="banner warn" role="alert">
                The replay found {view.findings.length} inconsistencies: {view.findings[0].message}
              </div>
            )}
            {events.length === 0 ? (
              <Empty>No events yet.</Empty>
            ) : (
              <ol className="timeline" data-testid="history">
                {events.map((e) => {
                  const anchor = `e-${e.blockNumber}-${e.logIndex}`;
                  const proposal = numbers.get(e.args.proposalId as bigint);
                  return (
                    <li key={anchor} id={anchor} className={location.hash === `#${anchor}` ? "target" : undefined}>
                      <a href={`#${anchor}`} className="when" title={`block ${e.blockNumber}, log ${e.logIndex}`}>
                        {when(e.timestamp)}
                      </a>
                      <span className="what">{describeEvent(e, numbers)}</span>
                      <span className="muted small">
                        {e.contract} · {e.name}
                        {proposal !== undefined && (
                          <>
                            {" "}
                            · <Link to={`/proposals/${proposal}`}>#{proposal}</Link>
                          </>
                        )}
                      </span>
                    </li>
                  );
                })}
              </ol>
            )}
          </Page>
        );
      }}
    </WithCoop>
  );
}

import { Link, useLocation } from "react-router";
import { useEffect } from "react";

import { Empty, Page, WithCoop } from "../components/common.tsx";
import { eventMember, eventProposal, type ReplayEvent } from "#lib/replay/index.ts";
import { describeEvent, type PotTokens, type ProposalNumbers } from "../lib/events.ts";
import { short, when } from "../lib/format.ts";

/**
 * One event of the history: when, what in words, where (block and transaction) and which contract emitted it.
 * The `data-*` attributes say the same for tools: the end-to-end test compares them with the audit's `events.csv`.
 */
export function HistoryEntry({
  event: e,
  numbers,
  pots,
  target,
}: {
  event: ReplayEvent;
  numbers: ProposalNumbers;
  /** Each pot's token, for the amounts of claims and sweeps. */
  pots?: PotTokens;
  target: boolean;
}) {
  const anchor = `e-${e.blockNumber}-${e.logIndex}`;
  const id = eventProposal(e);
  const proposal = id === null ? undefined : numbers.get(id);
  const member = eventMember(e);
  return (
    <li
      id={anchor}
      className={target ? "target" : undefined}
      data-block={e.blockNumber}
      data-log={e.logIndex}
      data-tx={e.transactionHash}
      data-contract={e.contract}
      data-event={e.name}
      data-proposal={proposal}
      data-member={member ?? undefined}
    >
      <a href={`#${anchor}`} className="when" title={`block ${e.blockNumber}, log ${e.logIndex}`}>
        {when(e.timestamp)}
      </a>
      <span className="what">{describeEvent(e, numbers, pots)}</span>
      <span className="muted small">
        <span className="where">
          block {e.blockNumber} · tx <code title={e.transactionHash}>{short(e.transactionHash)}</code>
        </span>{" "}
        · {e.contract} · {e.name}
        {proposal !== undefined && (
          <>
            {" "}
            · <Link to={`/proposals/${proposal}`}>#{proposal}</Link>
          </>
        )}
      </span>
    </li>
  );
}

export function History() {
  const location = useLocation();
  useEffect(() => {
    if (location.hash) document.getElementById(location.hash.slice(1))?.scrollIntoView();
  });
  return (
    <WithCoop>
      {({ view, events }) => {
        const numbers = new Map(view.proposals.map((p) => [p.id, p.number]));
        const pots = new Map((view.patronage?.pots ?? []).map((p) => [p.id, p.token]));
        return (
          <Page
            title="History"
            lead={
              <span data-testid="history-extent" data-block={view.at.blockNumber}>
                Every event of the co-op, in chain order, rebuilt by the auditor's replay: {events.length} events up to
                block {view.at.blockNumber}.
              </span>
            }
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
                  return (
                    <HistoryEntry
                      key={anchor}
                      event={e}
                      numbers={numbers}
                      pots={pots}
                      target={location.hash === `#${anchor}`}
                    />
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

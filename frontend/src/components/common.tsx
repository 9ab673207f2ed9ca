/** Shared pieces of the pages: loading, error and empty states, the page frame, labels. */
import type { ReactNode } from "react";
import { Link } from "react-router";

import { useCoop, useDeployment, type CoopHistory } from "../hooks/coop.ts";
import type { Deployment } from "#lib/deployment.ts";
import { describeError } from "../lib/errors.ts";

export function Loading({ what }: { what: string }) {
  return (
    <div className="state" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> Loading {what}…
    </div>
  );
}

export function ErrorState({ error, retry }: { error: unknown; retry?: () => void }) {
  return (
    <div className="state error" role="alert">
      <p>{describeError(error)}</p>
      {retry && (
        <button type="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="state empty">{children}</div>;
}

/** Renders `children` once the deployment and the replayed history are loaded; loading and error states otherwise. */
export function WithCoop({ children }: { children: (coop: CoopHistory, deployment: Deployment) => ReactNode }) {
  const deployment = useDeployment();
  const coop = useCoop();
  if (deployment.error) return <ErrorState error={deployment.error} retry={() => deployment.refetch()} />;
  if (coop.error && coop.data === undefined) return <ErrorState error={coop.error} retry={() => coop.refetch()} />;
  if (deployment.data === undefined || coop.data === undefined) return <Loading what="the co-op's history" />;
  return <>{children(coop.data, deployment.data)}</>;
}

export function Page({ title, lead, children }: { title: string; lead?: ReactNode; children: ReactNode }) {
  return (
    <main id="main" tabIndex={-1}>
      <header className="page-head">
        <h1>{title}</h1>
        {lead && <p className="lead">{lead}</p>}
      </header>
      {children}
    </main>
  );
}

export function StateBadge({ state }: { state: string }) {
  return <span className={`badge badge-${state.toLowerCase()}`}>{state}</span>;
}

export function ProposalLink({ number, children }: { number: number; children: ReactNode }) {
  return <Link to={`/proposals/${number}`}>{children}</Link>;
}

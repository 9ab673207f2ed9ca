import { useState } from "react";
import { useReadContract, useWriteContract } from "wagmi";
import type { Address, Hash } from "viem";

import { Empty, ErrorState, Loading, Page, WithCoop } from "../components/common.tsx";
import { TxStatus, useTx } from "../components/tx.tsx";
import { contributionLedgerAbi, patronageDistributorAbi } from "#lib/abi/contracts.ts";
import { useMyCard, usePatronage, type PatronageState } from "../hooks/patronage.ts";
import {
  amountText,
  attestRefusal,
  claimRefusal,
  evidenceHashOf,
  finalizeRefusal,
  kindText,
  nextFinalizeChunk,
  periodShares,
  phaseOf,
  recordArgs,
  recordRefusal,
  statusText,
  unitsByCard,
  type RecordForm,
} from "../lib/contributions.ts";
import { relative, short, when } from "../lib/format.ts";
import { demoName } from "../wallet/config.ts";
import type { CoopHistory } from "../hooks/coop.ts";
import { finalizationOrder, type LedgerEntry } from "#lib/rules/patronage.ts";

type Period = PatronageState["periods"][number];
type Who = { connected: boolean; card: bigint };

export function Contributions() {
  return (
    <WithCoop>
      {(coop, deployment) =>
        deployment.contracts.ContributionLedger === undefined ||
        deployment.contracts.PatronageDistributor === undefined ? (
          <Page title="Contributions">
            <Empty>This co-op was deployed without a contribution ledger and a patronage distributor.</Empty>
          </Page>
        ) : (
          <Ledger coop={coop} card={deployment.contracts.MembershipCard as Address} />
        )
      }
    </WithCoop>
  );
}

function Ledger({ coop, card }: { coop: CoopHistory; card: Address }) {
  const patronage = usePatronage();
  const me = useMyCard(card);
  if (patronage.error && patronage.data === undefined)
    return <ErrorState error={patronage.error} retry={() => patronage.refetch()} />;
  if (patronage.data === undefined) return <Loading what="the contribution ledger" />;
  const p = patronage.data;
  const now = p.head.timestamp;
  const current = p.periods.at(-1)!;
  /** A card by its member's name on the local chain, else its holder's address. */
  const memberOf = (cardId: bigint) => {
    const holder = coop.view.members.find((m) => m.cardId === cardId)?.address;
    const name = holder && demoName(holder);
    return name ?? (holder ? short(holder) : `card #${cardId}`);
  };
  return (
    <Page
      title="Contributions"
      lead={`Members record what they put in and other members attest it. A pot of surplus is shared by validated units, under a pay-ratio cap: no share above ${p.payRatio} times the smallest.`}
    >
      <div className="grid2">
        <section className="card" data-testid="current-period">
          <h2>Period {current.period.toString()}, under way</h2>
          <dl className="facts">
            <dt>Began</dt>
            <dd>{when(current.start)}</dd>
            <dt>Record and attest</dt>
            <dd data-testid="time-left">
              until {when(current.end)} ({relative(current.end, now)})
            </dd>
            <dt>Review ends</dt>
            <dd>
              {when(current.reviewEnd)}: governance may void an entry until then; then the period can be finalized
            </dd>
            <dt>Attestations needed</dt>
            <dd>{p.threshold.toString()} from other members</dd>
            <dt>Claims</dt>
            <dd>open for {Math.round(Number(p.claimWindow) / 86_400)} days from a pot's allocation</dd>
          </dl>
        </section>
        <Record ledger={p.ledger} who={me} />
      </div>
      {[...p.periods].reverse().map((period) => (
        <PeriodSection key={period.period.toString()} state={p} period={period} who={me} memberOf={memberOf} />
      ))}
    </Page>
  );
}

function Record({ ledger, who }: { ledger: Address; who: Who }) {
  const tx = useTx();
  const { writeContractAsync } = useWriteContract();
  const empty: RecordForm = { kind: "", units: "", evidenceURI: "", evidenceHash: "" };
  const [form, setForm] = useState<RecordForm>(empty);
  const [error, setError] = useState("");
  const refusal = recordRefusal(who);
  const field = (name: keyof RecordForm) => ({
    id: `c-${name}`,
    value: form[name],
    onChange: (e: { target: { value: string } }) => setForm({ ...form, [name]: e.target.value }),
  });
  async function submit(e: React.FormEvent) {
    e.preventDefault();
    const checked = recordArgs(form);
    if (!checked.ok) return setError(checked.error);
    setError("");
    const { kind, units, evidenceHash, evidenceURI } = checked.value;
    const receipt = await tx.run("Recording", () =>
      writeContractAsync({
        address: ledger,
        abi: contributionLedgerAbi,
        functionName: "record",
        args: [kind, units, evidenceHash, evidenceURI],
      }),
    );
    if (receipt !== undefined) setForm(empty);
  }
  const hash = evidenceHashOf(form.evidenceURI, form.evidenceHash);
  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby="record-title">
      <h2 id="record-title">Record a contribution</h2>
      <div className="fields">
        <div className="field">
          <label htmlFor="c-kind">Kind</label>
          <input {...field("kind")} placeholder="labour, goods, delivery…" autoComplete="off" />
        </div>
        <div className="field">
          <label htmlFor="c-units">Units</label>
          <input {...field("units")} inputMode="numeric" placeholder="12" />
        </div>
        <div className="field wide">
          <label htmlFor="c-evidenceURI">Evidence URI</label>
          <input {...field("evidenceURI")} placeholder="ipfs://… or https://…" spellCheck={false} />
        </div>
        <div className="field wide">
          <label htmlFor="c-evidenceHash">Evidence hash (optional)</label>
          <input {...field("evidenceHash")} placeholder="0x… (else the URI's keccak256)" spellCheck={false} />
        </div>
      </div>
      <p className="muted small">
        Evidence hash sent:{" "}
        {form.evidenceURI.trim() === "" && form.evidenceHash.trim() === "" ? (
          "the URI's keccak256, once you enter one"
        ) : (
          <code className="hash" data-testid="evidence-hash">
            {hash}
          </code>
        )}
      </p>
      {error && (
        <p className="refusal" role="alert">
          {error}
        </p>
      )}
      <button type="submit" className="primary" disabled={refusal !== undefined || tx.busy}>
        Record
      </button>
      {refusal && <p className="muted small">{refusal}</p>}
      <TxStatus state={tx.state} />
    </form>
  );
}

function PeriodSection({
  state,
  period,
  who,
  memberOf,
}: {
  state: PatronageState;
  period: Period;
  who: Who;
  memberOf: (cardId: bigint) => string;
}) {
  const tx = useTx();
  const { writeContractAsync } = useWriteContract();
  const now = state.head.timestamp;
  const phase = phaseOf(period, now);
  const entries = [...state.model.entries.values()].filter((e) => e.period === period.period).reverse();
  const units = unitsByCard(state.model, period.period);
  const f = period.finalization;
  const pots = state.pots.filter((p) => p.period === period.period);
  const finalizeBlock = finalizeRefusal(period, f, now);
  // Which contributors the pass under way counted already (anyone may have submitted them, in any order).
  const order = finalizationOrder(state.model.periodUnits(period.period));
  const counted = useReadContract({
    address: state.distributor,
    abi: patronageDistributorAbi,
    functionName: "submittedInPass",
    args: [period.period, order],
    blockNumber: state.head.blockNumber,
    query: { enabled: phase === "reviewed" && !f.finalized && f.submitted > 0n },
  });
  const chunk = nextFinalizeChunk(
    state.model,
    period.period,
    f,
    new Set(order.filter((_, i) => counted.data?.[i] === true)),
  );
  const send = (label: string, write: () => Promise<Hash>) => tx.run(label, write);
  const p = period.period.toString();
  const phaseWords =
    phase === "recording"
      ? `open until ${when(period.end)}`
      : phase === "review"
        ? `closed; under review until ${when(period.reviewEnd)}`
        : f.finalized
          ? "closed, reviewed and finalized"
          : "closed and reviewed: ready to be finalized";
  return (
    <section className="card" data-testid={`period-${p}`} aria-labelledby={`period-${p}-title`}>
      <h2 id={`period-${p}-title`}>
        Period {p} <span className={`badge badge-${phase}`}>{f.finalized ? "finalized" : phase}</span>
      </h2>
      <p className="muted">
        {when(period.start)} – {when(period.end)}: {phaseWords}.
      </p>
      {entries.length === 0 ? (
        <Empty>No contribution recorded in period {p}.</Empty>
      ) : (
        <div className="table-wrap">
          <table data-testid={`entries-${p}`}>
            <caption className="sr-only">Contributions recorded in period {p}</caption>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Member</th>
                <th scope="col">Kind</th>
                <th scope="col" className="num">
                  Units
                </th>
                <th scope="col" className="wide-only">
                  Evidence
                </th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <EntryRow
                  key={e.id.toString()}
                  entry={e}
                  who={who}
                  memberOf={memberOf}
                  refusal={attestRefusal(e, who, period.end, now)}
                  busy={tx.busy}
                  onAttest={() =>
                    send(`Attesting #${e.id}`, () =>
                      writeContractAsync({
                        address: state.ledger,
                        abi: contributionLedgerAbi,
                        functionName: "attest",
                        args: [e.id],
                      }),
                    )
                  }
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {!f.finalized && units.length > 0 && (
        <>
          <h3>Validated units</h3>
          <ul className="plain units-list" data-testid={`units-${p}`}>
            {units.map(([cardId, u]) => (
              <li key={cardId.toString()}>
                {memberOf(cardId)} <strong>{u.toString()}</strong>
              </li>
            ))}
          </ul>
        </>
      )}
      {f.finalized ? (
        <Shares state={state} period={period} who={who} memberOf={memberOf} send={send} busy={tx.busy} />
      ) : (
        phase === "reviewed" && (
          <div className="finalize">
            <p>
              Anyone may finalize the period: {units.length} contributor{units.length === 1 ? "" : "s"}, the smallest
              first (in {chunk.length === units.length ? "one transaction" : `chunks of ${chunk.length}`}).
              {f.submitted > 0n && ` ${f.submitted} submitted so far.`}
            </p>
            <button
              type="button"
              disabled={finalizeBlock !== undefined || tx.busy}
              onClick={() =>
                send(`Finalizing period ${p}`, () =>
                  writeContractAsync({
                    address: state.distributor,
                    abi: patronageDistributorAbi,
                    functionName: "finalize",
                    args: [period.period, chunk],
                  }),
                )
              }
            >
              Finalize period {p}
            </button>
          </div>
        )
      )}
      {pots.length === 0 && f.finalized && units.length > 0 && (
        <p className="muted">No pot allocated to this period yet: a passed proposal shares a surplus with it.</p>
      )}
      <TxStatus state={tx.state} />
    </section>
  );
}

function EntryRow({
  entry,
  who,
  memberOf,
  refusal,
  busy,
  onAttest,
}: {
  entry: LedgerEntry;
  who: Who;
  memberOf: (cardId: bigint) => string;
  refusal: string | undefined;
  busy: boolean;
  onAttest: () => void;
}) {
  const uri = entry.evidenceURI;
  const link = /^https?:\/\//.test(uri);
  return (
    <tr data-entry={entry.id.toString()} data-status={entry.status}>
      <td>{entry.id.toString()}</td>
      <td>
        {memberOf(entry.cardId)}
        {entry.cardId === who.card && <span className="muted small"> (you)</span>}
      </td>
      <td>{kindText(entry.kind)}</td>
      <td className="num">{entry.units.toString()}</td>
      <td className="wide-only evidence">
        {uri === "" ? (
          <code className="hash">{entry.evidenceHash.slice(0, 10)}…</code>
        ) : link ? (
          <a href={uri} rel="noreferrer noopener" target="_blank">
            <Breakable text={uri} />
          </a>
        ) : (
          <code>
            <Breakable text={uri} />
          </code>
        )}
      </td>
      <td>
        <span className={`badge badge-${entry.status.toLowerCase()}`} data-testid="entry-status">
          {statusText(entry)}
        </span>
        {entry.status === "Pending" && (
          <span className="attest">
            <button type="button" disabled={refusal !== undefined || busy} onClick={onAttest}>
              Attest #{entry.id.toString()}
            </button>
            {refusal && <span className="muted small">{refusal}</span>}
          </span>
        )}
      </td>
    </tr>
  );
}

/** A URI that wraps after its slashes rather than inside a word. */
function Breakable({ text }: { text: string }) {
  const parts = text.split(/(?<=\/)/);
  return (
    <>
      {parts.map((part, i) => (
        <span key={i}>
          {part}
          {i < parts.length - 1 && <wbr />}
        </span>
      ))}
    </>
  );
}

function Shares({
  state,
  period,
  who,
  memberOf,
  send,
  busy,
}: {
  state: PatronageState;
  period: Period;
  who: Who;
  memberOf: (cardId: bigint) => string;
  send: (label: string, write: () => Promise<Hash>) => unknown;
  busy: boolean;
}) {
  const { writeContractAsync } = useWriteContract();
  const pots = state.pots.filter((x) => x.period === period.period);
  const { figures, agrees, rows } = periodShares(state.model, period.period, period.finalization, pots);
  const now = state.head.timestamp;
  const p = period.period.toString();
  if (figures.contributors === 0) return <p className="muted">Finalized without contributors: no pot can go to it.</p>;
  return (
    <div className="shares" data-testid={`shares-${p}`}>
      <h3>Shares under the pay-ratio cap</h3>
      <dl className="facts capping">
        <dt>Smallest units (u_min)</dt>
        <dd data-testid="u-min">{figures.minUnits.toString()}</dd>
        <dt>Cap (R · u_min)</dt>
        <dd data-testid="unit-cap">
          {figures.ratio.toString()} × {figures.minUnits.toString()} = {figures.unitCap.toString()} units
        </dd>
        <dt>Capped sum (S)</dt>
        <dd data-testid="capped-sum">{figures.cappedSum.toString()} units</dd>
      </dl>
      {!agrees && (
        <p className="refusal" role="alert">
          The ledger's events give u_min {figures.minUnits.toString()} and S {figures.cappedSum.toString()}; the
          distributor finalized {period.finalization.minUnits.toString()} and {period.finalization.cappedSum.toString()}
          .
        </p>
      )}
      <div className="table-wrap">
        <table data-testid={`share-table-${p}`}>
          <caption className="sr-only">Each contributor's share of period {p}'s pots</caption>
          <thead>
            <tr>
              <th scope="col">Member</th>
              <th scope="col" className="num">
                Units
              </th>
              <th scope="col" className="num">
                Capped
              </th>
              {pots.map((pot) => (
                <th scope="col" className="num" key={pot.id.toString()}>
                  Pot #{pot.id.toString()}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.cardId.toString()} data-card={r.cardId.toString()}>
                <td>
                  {memberOf(r.cardId)}
                  {r.cardId === who.card && <span className="muted small"> (you)</span>}
                </td>
                <td className="num">{r.units.toString()}</td>
                <td className="num">{r.capped.toString()}</td>
                {r.shares.map((s) => (
                  <td className="num" key={s.potId.toString()} data-share={s.share.toString()}>
                    {amountText(s.share, pots.find((x) => x.id === s.potId)!.token)}
                    <span className="muted small share-state">
                      {s.claimed !== undefined ? " claimed" : " unclaimed"}
                    </span>
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ul className="plain pots">
        {pots.map((pot) => {
          const mine = rows.find((r) => r.cardId === who.card);
          const share = mine?.shares.find((s) => s.potId === pot.id)?.share ?? 0n;
          const refusal = claimRefusal(pot, { ...who, units: mine?.units ?? 0n, share }, now);
          return (
            <li key={pot.id.toString()} className="pot" data-testid={`pot-${pot.id}`}>
              <div>
                <strong>
                  Pot #{pot.id.toString()}: {amountText(pot.amount, pot.token)}
                </strong>
                <div className="muted small">
                  {amountText(pot.claimed, pot.token)} claimed by {pot.claims.size} of {rows.length} contributors;{" "}
                  {pot.swept
                    ? "swept back to the treasury"
                    : `claims ${now > pot.deadline ? "closed" : "close"} ${when(pot.deadline)} (${relative(pot.deadline, now)})`}
                  ; no share above {amountText(pot.maxShare, pot.token)}.
                </div>
              </div>
              <div className="pot-claim">
                <button
                  type="button"
                  className="primary"
                  disabled={refusal !== undefined || busy}
                  onClick={() =>
                    send(`Claiming from pot #${pot.id}`, () =>
                      writeContractAsync({
                        address: state.distributor,
                        abi: patronageDistributorAbi,
                        functionName: "claim",
                        args: [pot.id],
                      }),
                    )
                  }
                >
                  Claim {refusal === undefined ? amountText(share, pot.token) : ""}
                </button>
                {refusal && (
                  <span className="muted small" data-testid="claim-refusal">
                    {refusal}
                  </span>
                )}
              </div>
            </li>
          );
        })}
      </ul>
    </div>
  );
}

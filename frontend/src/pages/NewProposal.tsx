import { useState } from "react";
import { useNavigate } from "react-router";
import { useConnection, useReadContract, useWriteContract } from "wagmi";
import type { Address, Hex } from "viem";

import { Page, WithCoop } from "../components/common.tsx";
import { TxStatus, useTx } from "../components/tx.tsx";
import { describeAction } from "../lib/actions.ts";
import {
  PARAMETERS,
  admit,
  expel,
  parameter,
  payment,
  proposalDescription,
  rawCall,
  shareSurplus,
  type Built,
  type BuiltMany,
  type Parameter,
  type PeriodStatus,
} from "../lib/builders.ts";
import { usePatronage } from "../hooks/patronage.ts";
import { mutualGovernorAbi, voiceCreditsAbi } from "#lib/abi/contracts.ts";
import type { Action } from "../lib/actions.ts";
import type { Deployment } from "#lib/deployment.ts";
import { lowestCap } from "#lib/rules/governance.ts";
import type { CoopHistory } from "../hooks/coop.ts";

type Kind = "payment" | "admit" | "expel" | "parameter" | "surplus" | "raw";
const kinds: [Kind, string][] = [
  ["payment", "Treasury payment"],
  ["surplus", "Share a surplus"],
  ["admit", "Admit a member"],
  ["expel", "Expel a member"],
  ["parameter", "Change a rule"],
  ["raw", "Call a contract"],
];

export function NewProposal() {
  return <WithCoop>{(coop, deployment) => <Builder coop={coop} deployment={deployment} />}</WithCoop>;
}

function Builder({ coop, deployment }: { coop: CoopHistory; deployment: Deployment }) {
  const { address } = useConnection();
  const navigate = useNavigate();
  const tx = useTx();
  const { writeContractAsync } = useWriteContract();
  const [kind, setKind] = useState<Kind>("payment");
  const [f, setF] = useState<Record<string, string>>({ parameter: "setProposalDeposit" });
  const [actions, setActions] = useState<Action[]>([]);
  const [built, setBuilt] = useState<Built | BuiltMany | undefined>();
  const patronage = usePatronage();
  const periods: PeriodStatus[] = (patronage.data?.periods ?? []).map((p) => ({
    period: p.period,
    finalized: p.finalization.finalized,
    contributors: Number(p.finalization.submitted),
  }));
  const shareable = periods.filter((p) => p.finalized && p.contributors > 0);
  const [title, setTitle] = useState("");
  const [body, setBody] = useState("");
  const [formError, setFormError] = useState("");
  const credits = useReadContract({
    address: deployment.contracts.VoiceCredits as Address,
    abi: voiceCreditsAbi,
    functionName: "balanceOf",
    args: [address as Address],
    query: { enabled: address !== undefined },
  });
  const deposit = coop.view.parameters.proposalDeposit;
  const member = coop.view.members.find((m) => m.isMember && m.address.toLowerCase() === address?.toLowerCase());
  const field = (name: string) => ({
    id: `f-${name}`,
    value: f[name] ?? "",
    onChange: (e: { target: { value: string } }) => setF({ ...f, [name]: e.target.value }),
  });

  function add() {
    const result: Built | BuiltMany =
      kind === "surplus"
        ? shareSurplus(deployment, periods, {
            period: f.period ?? "",
            asset: f.asset === "erc20" ? "erc20" : "eth",
            token: f.token ?? "",
            amount: f.amount ?? "",
            decimals: f.decimals ?? "18",
          })
        : kind === "payment"
          ? payment(deployment, f.to ?? "", f.eth ?? "")
          : kind === "admit"
            ? admit(deployment, f.who ?? "")
            : kind === "expel"
              ? expel(deployment, f.who ?? "", f.reason ?? "")
              : kind === "parameter"
                ? parameter(deployment, f.parameter as Parameter, f.value ?? "", {
                    lowestCap: lowestCap(coop.view.schedules, coop.view.at.timestamp),
                  })
                : rawCall(f.to ?? "", f.fragment ?? "", f.args ?? "", f.eth ?? "");
    setBuilt(result);
    if (result.ok) {
      setActions([...actions, ...("actions" in result ? result.actions : [result.action])]);
      setF({ parameter: f.parameter });
    }
  }

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    if (address === undefined) return setFormError("Connect a wallet first.");
    if (member === undefined) return setFormError("Only members can propose: this account holds no card.");
    if (title.trim() === "") return setFormError("Give the proposal a title.");
    if (actions.length === 0) return setFormError("Add at least one action: a proposal must do something.");
    if (credits.data !== undefined && credits.data < deposit)
      return setFormError(`Proposing stakes ${deposit} credits; you hold ${credits.data}.`);
    setFormError("");
    const description = proposalDescription(title, body, address);
    const receipt = await tx.run("Proposing", () =>
      writeContractAsync({
        address: deployment.contracts.MutualGovernor as Address,
        abi: mutualGovernorAbi,
        functionName: "propose",
        args: [
          actions.map((a) => a.target as Address),
          actions.map((a) => a.value),
          actions.map((a) => a.calldata as Hex),
          description,
        ],
      }),
    );
    if (receipt !== undefined) navigate(`/proposals/${coop.view.proposals.length + 1}`);
  }

  return (
    <Page
      title="New proposal"
      lead={`Proposing stakes ${deposit} credits: returned when a quorum votes and the proposal is not rejected by a wide margin.`}
    >
      <form className="builder" onSubmit={submit} noValidate>
        <section className="card">
          <h2>1. What should the co-op do?</h2>
          <div className="tabs" role="radiogroup" aria-label="Kind of action">
            {kinds.map(([k, label]) => (
              <label key={k} className={kind === k ? "chosen" : undefined}>
                <input
                  type="radio"
                  name="kind"
                  value={k}
                  checked={kind === k}
                  onChange={() => {
                    setKind(k);
                    setBuilt(undefined);
                  }}
                />
                {label}
              </label>
            ))}
          </div>
          <div className="fields">
            {(kind === "payment" || kind === "raw") && (
              <div className="field">
                <label htmlFor="f-to">{kind === "payment" ? "Pay to" : "Contract"}</label>
                <input {...field("to")} placeholder="0x…" spellCheck={false} autoComplete="off" />
              </div>
            )}
            {kind === "payment" && (
              <div className="field">
                <label htmlFor="f-eth">Amount (ETH)</label>
                <input {...field("eth")} inputMode="decimal" placeholder="0.5" />
              </div>
            )}
            {(kind === "admit" || kind === "expel") && (
              <div className="field">
                <label htmlFor="f-who">{kind === "admit" ? "New member's address" : "Member's address"}</label>
                <input {...field("who")} placeholder="0x…" spellCheck={false} autoComplete="off" />
              </div>
            )}
            {kind === "expel" && (
              <div className="field">
                <label htmlFor="f-reason">Reason (kept in the history)</label>
                <input {...field("reason")} />
              </div>
            )}
            {kind === "parameter" && (
              <>
                <div className="field">
                  <label htmlFor="f-parameter">Rule</label>
                  <select {...field("parameter")}>
                    {(Object.keys(PARAMETERS) as Parameter[]).map((p) => (
                      <option key={p} value={p}>
                        {PARAMETERS[p].label}
                      </option>
                    ))}
                  </select>
                </div>
                <div className="field">
                  <label htmlFor="f-value">New value</label>
                  <input {...field("value")} inputMode="decimal" />
                </div>
              </>
            )}
            {kind === "surplus" && (
              <>
                <div className="field">
                  <label htmlFor="f-period">Contribution period</label>
                  <input
                    {...field("period")}
                    inputMode="numeric"
                    placeholder={shareable[0]?.period.toString() ?? "0"}
                  />
                </div>
                <div className="field">
                  <label htmlFor="f-asset">Pot in</label>
                  <select {...field("asset")} value={f.asset ?? "eth"}>
                    <option value="eth">ETH</option>
                    <option value="erc20">an ERC-20 token</option>
                  </select>
                </div>
                {f.asset === "erc20" && (
                  <>
                    <div className="field">
                      <label htmlFor="f-token">Token contract</label>
                      <input {...field("token")} placeholder="0x…" spellCheck={false} autoComplete="off" />
                    </div>
                    <div className="field">
                      <label htmlFor="f-decimals">Token decimals</label>
                      <input {...field("decimals")} value={f.decimals ?? "18"} inputMode="numeric" />
                    </div>
                  </>
                )}
                <div className="field">
                  <label htmlFor="f-amount">{f.asset === "erc20" ? "Pot (tokens)" : "Pot (ETH)"}</label>
                  <input {...field("amount")} inputMode="decimal" placeholder="1" />
                </div>
                <p className="muted small note">
                  The pot is shared among the period's contributors by validated units, under the pay-ratio cap; claims
                  stay open {patronage.data ? Math.round(Number(patronage.data.claimWindow) / 86_400) : 90} days, then
                  what is left returns to the treasury.{" "}
                  {shareable.length === 0
                    ? "No period is finalized with contributors yet."
                    : `Finalized periods with contributors: ${shareable.map((p) => `${p.period} (${p.contributors})`).join(", ")}.`}
                  {f.asset === "erc20" &&
                    " A token pot is two actions: the treasury approves the distributor, then the distributor takes the tokens."}
                </p>
              </>
            )}
            {kind === "raw" && (
              <>
                <div className="field wide">
                  <label htmlFor="f-fragment">Function (ABI fragment)</label>
                  <input {...field("fragment")} placeholder="function store(uint256 value)" spellCheck={false} />
                </div>
                <div className="field wide">
                  <label htmlFor="f-args">Arguments (JSON, comma-separated)</label>
                  <input {...field("args")} placeholder='42, "0x…"' spellCheck={false} />
                </div>
                <div className="field">
                  <label htmlFor="f-eth">ETH to send (optional)</label>
                  <input {...field("eth")} inputMode="decimal" />
                </div>
              </>
            )}
          </div>
          <button type="button" onClick={add}>
            Add this action
          </button>
          {built !== undefined && !built.ok && (
            <p className="refusal" role="alert">
              {built.error}
            </p>
          )}
          {actions.length > 0 && (
            <ol className="actions-list" aria-label="Actions" data-testid="draft-actions">
              {actions.map((a, i) => (
                <li key={i}>
                  {describeAction(a, deployment, kind === "raw" ? f.fragment : undefined)}{" "}
                  <button type="button" className="link" onClick={() => setActions(actions.filter((_, j) => j !== i))}>
                    Remove
                  </button>
                </li>
              ))}
            </ol>
          )}
        </section>
        <section className="card">
          <h2>2. Explain it</h2>
          <div className="field wide">
            <label htmlFor="title">Title</label>
            <input id="title" value={title} onChange={(e) => setTitle(e.target.value)} />
          </div>
          <div className="field wide">
            <label htmlFor="body">Why (Markdown)</label>
            <textarea id="body" rows={6} value={body} onChange={(e) => setBody(e.target.value)} />
          </div>
          <p className="muted small">
            The description ends with <code>#proposer={address ?? "your address"}</code>: only you can submit a proposal
            with this text, so nobody can copy it ahead of you.
          </p>
        </section>
        {formError && (
          <p className="refusal" role="alert">
            {formError}
          </p>
        )}
        <button type="submit" className="primary big" disabled={tx.busy}>
          Propose ({deposit.toString()} credits deposit)
        </button>
        <TxStatus state={tx.state} />
      </form>
    </Page>
  );
}

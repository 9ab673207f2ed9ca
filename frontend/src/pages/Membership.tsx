import { useState } from "react";
import { useConnection, useReadContract, useWriteContract } from "wagmi";
import type { Address } from "viem";

import { Page, WithCoop, Loading } from "../components/common.tsx";
import { TxStatus, useTx } from "../components/tx.tsx";
import { duration, relative, when } from "../lib/format.ts";
import { membershipCardAbi, voiceCreditsAbi } from "#lib/abi/contracts.ts";
import { accrue } from "#lib/rules/quadratic.ts";
import { epochEnd } from "#lib/rules/governance.ts";

/** The card's image: `tokenURI` is a data URI of JSON whose `image` is an SVG data URI. */
function cardImage(uri: string | undefined): { image?: string; name?: string } {
  if (uri === undefined) return {};
  try {
    const json = uri.startsWith("data:application/json;base64,")
      ? atob(uri.slice("data:application/json;base64,".length))
      : decodeURIComponent(uri.slice(uri.indexOf(",") + 1));
    return JSON.parse(json) as { image?: string; name?: string };
  } catch {
    return {};
  }
}

export function Membership() {
  const { address } = useConnection();
  return (
    <WithCoop>
      {({ view }, deployment) => {
        if (address === undefined)
          return (
            <Page title="My membership">
              <div className="state empty">Connect a wallet to see your card and your credits.</div>
            </Page>
          );
        return (
          <Mine
            address={address}
            view={view}
            card={deployment.contracts.MembershipCard as Address}
            credits={deployment.contracts.VoiceCredits as Address}
          />
        );
      }}
    </WithCoop>
  );
}

function Mine({
  address,
  view,
  card,
  credits,
}: {
  address: Address;
  view: import("#lib/replay/index.ts").CoopView;
  card: Address;
  credits: Address;
}) {
  const cardId = useReadContract({ address: card, abi: membershipCardAbi, functionName: "cardOf", args: [address] });
  const uri = useReadContract({
    address: card,
    abi: membershipCardAbi,
    functionName: "tokenURI",
    args: [cardId.data ?? 0n],
    query: { enabled: (cardId.data ?? 0n) > 0n },
  });
  const balance = useReadContract({
    address: credits,
    abi: voiceCreditsAbi,
    functionName: "balanceOf",
    args: [address],
  });
  if (cardId.data === undefined || balance.data === undefined) return <Loading what="your card" />;
  const me = view.members.find((m) => m.address.toLowerCase() === address.toLowerCase());
  if (cardId.data === 0n)
    return (
      <Page title="My membership">
        <div className="state empty">
          {address} holds no card. Membership is granted by a members' vote: ask a member to propose admitting you.
        </div>
      </Page>
    );
  const meta = cardImage(uri.data);
  const schedule = view.schedules.at(-1)!;
  const next = epochEnd(schedule, view.epoch);
  const renewed = accrue(balance.data, 1n, schedule.creditsPerEpoch, schedule.maxBalance);
  return (
    <Page title="My membership" lead={meta.name}>
      <div className="grid2">
        <figure className="membership-card">
          {meta.image ? (
            <img src={meta.image} alt={`Membership card #${cardId.data}`} data-testid="card-image" />
          ) : (
            <Loading what="the card" />
          )}
        </figure>
        <section className="card">
          <h2>Voice credits</h2>
          <p className="big-number" data-testid="my-credits">
            {balance.data.toString()}
          </p>
          <p>
            {renewed > balance.data
              ? `They renew to ${renewed} ${relative(next, view.at.timestamp)} (${when(next)}): ${schedule.creditsPerEpoch} every ${duration(schedule.epochLength)}, up to ${schedule.maxBalance}.`
              : `You are at the cap of ${schedule.maxBalance}: the next epoch (${relative(next, view.at.timestamp)}) adds nothing until you spend.`}
          </p>
          <dl className="facts">
            <dt>Card</dt>
            <dd>#{cardId.data.toString()}</dd>
            {me && (
              <>
                <dt>Member since</dt>
                <dd>{when(me.since)}</dd>
                <dt>Spent on votes</dt>
                <dd>{me.spentOnVotes.toString()} credits</dd>
                <dt>Proposals made</dt>
                <dd>{me.proposalsMade}</dd>
              </>
            )}
          </dl>
        </section>
      </div>
      <Resign card={card} />
    </Page>
  );
}

/** Resigning: the member alone decides, with no vote; the card is given back and the credits are zeroed. */
function Resign({ card }: { card: Address }) {
  const tx = useTx();
  const { writeContractAsync } = useWriteContract();
  const [sure, setSure] = useState(false);
  return (
    <section className="card">
      <h2>Leave the co-op</h2>
      <p className="muted">
        Any member may resign at any time, alone: no vote is needed and nobody can stop it. Your card is given back and
        your voice credits are zeroed; coming back takes an admission vote.
      </p>
      <label className="check">
        <input type="checkbox" checked={sure} onChange={(e) => setSure(e.target.checked)} /> I understand, I want to
        resign
      </label>
      <button
        type="button"
        disabled={!sure || tx.busy}
        onClick={() =>
          tx.run("Resigning", () =>
            writeContractAsync({ address: card, abi: membershipCardAbi, functionName: "resign" }),
          )
        }
      >
        Resign
      </button>
      <TxStatus state={tx.state} />
    </section>
  );
}

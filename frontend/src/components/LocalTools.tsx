/**
 * Local chain tools (chain 31337/1337 only): move the chain's clock to the next moment a proposal changes state,
 * or to the next credit epoch, with the same planner as `npm run chain:advance` (scripts/devnet/time-travel.ts).
 */
import { useState } from "react";
import { useQueryClient } from "@tanstack/react-query";

import { IS_LOCAL, RPC_URL } from "../env.ts";
import { nextPhase, type ProposalTiming } from "#lib/phases.ts";
import { useCoop } from "../hooks/coop.ts";
import { duration } from "../lib/format.ts";
import { epochEnd } from "#lib/rules/governance.ts";

async function rpc(method: string, params: unknown[]) {
  const response = await fetch(RPC_URL, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = (await response.json()) as { error?: { message: string } };
  if (body.error) throw new Error(body.error.message);
}

export function LocalTools() {
  const coop = useCoop();
  const queryClient = useQueryClient();
  const [message, setMessage] = useState("");
  if (!IS_LOCAL || coop.data === undefined) return null;
  const { view } = coop.data;
  const now = view.at.timestamp;
  const timings: ProposalTiming[] = view.proposals.map((p) => ({
    number: p.number,
    id: p.id,
    title: p.title,
    state: p.state,
    snapshot: BigInt(p.voteStart),
    deadline: BigInt(p.deadline),
    eta: BigInt(p.eta),
  }));
  const phase = nextPhase(timings, BigInt(now));
  const schedule = view.schedules.at(-1);
  const nextEpoch = schedule === undefined ? undefined : epochEnd(schedule, view.epoch);
  async function travel(to: number, what: string) {
    try {
      await rpc("evm_setNextBlockTimestamp", [`0x${to.toString(16)}`]);
      await rpc("evm_mine", []);
      setMessage(`Moved ${duration(to - now)} ahead: ${what}.`);
      await queryClient.invalidateQueries();
    } catch (error) {
      setMessage(`The node refused: ${(error as Error).message}`);
    }
  }
  return (
    <section className="tools" aria-label="Local chain tools">
      <span className="tools-label">Local chain</span>
      {phase !== null ? (
        <button
          type="button"
          onClick={() =>
            travel(Number(phase.time), phase.events.map((e) => `#${e.proposal.number} ${e.what}`).join("; "))
          }
        >
          Next phase: {phase.events.map((e) => `#${e.proposal.number} ${e.what}`).join("; ")} (
          {duration(Number(phase.time) - now)})
        </button>
      ) : (
        <span className="muted">No proposal changes state later.</span>
      )}
      {nextEpoch !== undefined && (
        <button type="button" onClick={() => travel(nextEpoch, "a new credit epoch began")}>
          Next epoch ({duration(nextEpoch - now)})
        </button>
      )}
      <span role="status" aria-live="polite" className="muted" data-testid="tools-message">
        {message}
      </span>
    </section>
  );
}

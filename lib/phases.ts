/**
 * When a co-op's proposals next change state, and what changed between two readings: the planner behind
 * `npm run chain:advance -- next-phase` and the app's local "skip to the next phase" button. Pure, no chain.
 */
import type { ProposalStateName } from "./format.ts";

/** What the planner needs of one proposal. */
export interface ProposalTiming {
  /** 1-based position in the governor's enumeration. */
  number: number;
  id: bigint;
  title: string;
  state: ProposalStateName;
  snapshot: bigint;
  deadline: bigint;
  /** 0 unless queued. */
  eta: bigint;
}

export interface PhaseEvent {
  time: bigint;
  proposal: ProposalTiming;
  what: string;
}

/** Every future moment at which a proposal changes state, earliest first. */
export function upcomingEvents(proposals: readonly ProposalTiming[], now: bigint): PhaseEvent[] {
  const events: PhaseEvent[] = [];
  for (const p of proposals) {
    // A proposal is Pending while snapshot >= now and Active while deadline >= now: it changes one second later.
    if (p.state === "Pending") events.push({ time: p.snapshot + 1n, proposal: p, what: "voting opens" });
    if (p.state === "Pending" || p.state === "Active")
      events.push({ time: p.deadline + 1n, proposal: p, what: "voting closes" });
    // The timelock operation is ready at its eta.
    if (p.state === "Queued" && p.eta > 0n)
      events.push({ time: p.eta, proposal: p, what: "timelock delay ends (can be executed)" });
  }
  return events
    .filter((e) => e.time > now)
    .sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : a.proposal.number - b.proposal.number));
}

/** The next moment any proposal changes state, with everything that happens then; null if nothing is scheduled. */
export function nextPhase(
  proposals: readonly ProposalTiming[],
  now: bigint,
): { time: bigint; events: PhaseEvent[] } | null {
  const events = upcomingEvents(proposals, now);
  if (events.length === 0) return null;
  const time = events[0].time;
  return { time, events: events.filter((e) => e.time === time) };
}

/** Lines describing what changed between two readings of the same proposals (and the credit epoch). */
export function describeChanges(
  before: readonly ProposalTiming[],
  after: readonly ProposalTiming[],
  epochs?: { before: bigint; after: bigint },
): string[] {
  const lines: string[] = [];
  if (epochs && epochs.after !== epochs.before)
    lines.push(`credit epoch ${epochs.before} → ${epochs.after}: members accrued new voice credits`);
  const earlier = new Map(before.map((p) => [p.id, p]));
  for (const p of after) {
    const was = earlier.get(p.id);
    const label = `#${p.number} "${p.title}"`;
    if (was === undefined) lines.push(`${label}: new, ${p.state}`);
    else if (was.state !== p.state) lines.push(`${label}: ${was.state} → ${p.state}`);
  }
  return lines;
}

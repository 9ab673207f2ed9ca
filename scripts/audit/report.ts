/**
 * The audit's report folder: report.md (readable, with chart.svg), model.json (the whole rebuilt model and
 * every check), and CSV files: members, proposals, every event, votes and the credit ledger. Event, vote and
 * ledger rows are written while the replay runs, so they never sit in memory.
 */
import { createWriteStream, type WriteStream } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";

import { formatEther } from "ethers";

import { eventMember, eventProposal, type ReplayEvent } from "../../lib/replay/events.ts";
import type { CreditEntry, ReplaySink, VoteEntry } from "../../lib/replay/model.ts";
import { toJson, type CoopView, type PatronageView } from "../../lib/replay/view.ts";
import type { AuditResult } from "./run.ts";

export const REPORT_FILES = [
  "report.md",
  "chart.svg",
  "model.json",
  "members.csv",
  "proposals.csv",
  "events.csv",
  "votes.csv",
  "credit-ledger.csv",
  "contributions.csv",
  "payouts.csv",
] as const;

const SIDES = ["against", "for", "abstain"];

/** What a spreadsheet reads as the start of a formula (OWASP, CSV injection): `=`, `+`, `-`, `@`, tab, carriage return. */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV field, always quoted, inner quotes doubled. Text that a spreadsheet would run as a formula (a proposal's
 * title, a vote's reason, an entry's evidence: anyone's words) gets a leading `'`, so that it reads as text; numbers
 * are the audit's own and stay as they are, a negative change included.
 */
export function csvField(value: unknown): string {
  if (typeof value === "bigint" || typeof value === "number") return `"${value}"`;
  const text = value === null || value === undefined ? "" : String(value);
  return `"${(FORMULA_START.test(text) ? `'${text}` : text).replace(/"/g, '""')}"`;
}
const csvRow = (fields: unknown[]) => `${fields.map(csvField).join(",")}\n`;
const iso = (t: number) => new Date(t * 1000).toISOString().replace(".000Z", "Z");

/** The header of `events.csv`: one row per event, in chain order. */
export const EVENTS_CSV_HEADER = ["block", "log", "time", "transaction", "contract", "event", "proposal", "member"];

/** Streams every event, the votes and the credit ledger to CSV files while the replay runs. */
export class StreamingCsvSink implements ReplaySink {
  private readonly events: WriteStream;
  private readonly votes: WriteStream;
  private readonly ledger: WriteStream;

  constructor(dir: string) {
    this.events = createWriteStream(join(dir, "events.csv"));
    this.events.write(csvRow(EVENTS_CSV_HEADER));
    this.votes = createWriteStream(join(dir, "votes.csv"));
    this.ledger = createWriteStream(join(dir, "credit-ledger.csv"));
    this.votes.write(
      csvRow([
        "block",
        "time",
        "transaction",
        "proposal",
        "voter",
        "side",
        "added",
        "total",
        "cost",
        "balance_after",
        "reason",
      ]),
    );
    this.ledger.write(
      csvRow(["block", "time", "transaction", "member", "kind", "change", "balance", "epoch", "proposal"]),
    );
  }

  event(e: ReplayEvent): void {
    this.events.write(
      csvRow([
        e.blockNumber,
        e.logIndex,
        iso(e.timestamp),
        e.transactionHash,
        e.contract,
        e.name,
        eventProposal(e),
        eventMember(e),
      ]),
    );
  }

  vote(v: VoteEntry): void {
    this.votes.write(
      csvRow([
        v.blockNumber,
        iso(v.timestamp),
        v.transactionHash,
        v.proposalId,
        v.voter,
        SIDES[v.support] ?? v.support,
        v.added,
        v.total,
        v.cost,
        v.balanceAfter,
        v.reason,
      ]),
    );
  }

  credit(c: CreditEntry): void {
    this.ledger.write(
      csvRow([
        c.blockNumber,
        iso(c.timestamp),
        c.transactionHash,
        c.member,
        c.kind,
        c.change,
        c.balance,
        c.epoch,
        c.proposalId,
      ]),
    );
  }

  async close(): Promise<void> {
    await Promise.all(
      [this.events, this.votes, this.ledger].map(
        (s) => new Promise<void>((resolve, reject) => s.end((e?: Error | null) => (e ? reject(e) : resolve()))),
      ),
    );
  }
}

export async function prepareReportDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await Promise.all(REPORT_FILES.map((f) => rm(join(dir, f), { force: true })));
}

export async function removeReportFiles(dir: string): Promise<void> {
  await Promise.all(REPORT_FILES.map((f) => rm(join(dir, f), { force: true })));
}

/** An SVG chart: per proposal, participation against quorum (top) and votes for and against (bottom). */
export function chartSvg(view: CoopView): string {
  const ps = view.proposals;
  const slot = 56;
  const left = 48;
  const width = left + Math.max(1, ps.length) * slot + 24;
  const panel = 150;
  const top1 = 40;
  const top2 = top1 + panel + 60;
  const height = top2 + panel + 40;
  const maxVotes = Math.max(1, ...ps.map((p) => Number(p.forVotes > p.againstVotes ? p.forVotes : p.againstVotes)));
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
  );
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(
    `<text x="${left}" y="20" font-size="13" font-weight="bold">Participation: members who voted, % of members at the snapshot (line: quorum)</text>`,
  );
  out.push(
    `<text x="${left}" y="${top2 - 20}" font-size="13" font-weight="bold">Quadratic votes: for (green) and against (red)</text>`,
  );
  for (const [top, labels] of [
    [top1, ["100%", "50%", "0%"]],
    [top2, [String(maxVotes), String(Math.round(maxVotes / 2)), "0"]],
  ] as const) {
    labels.forEach((label, i) => {
      const y = top + (i * panel) / 2;
      out.push(`<line x1="${left}" y1="${y}" x2="${width - 16}" y2="${y}" stroke="#dddddd"/>`);
      out.push(`<text x="${left - 6}" y="${y + 4}" text-anchor="end" fill="#555555">${xml(label)}</text>`);
    });
  }
  ps.forEach((p, i) => {
    const x = left + i * slot + 10;
    const members = Number(p.membersAtSnapshot ?? 0n);
    if (members > 0) {
      const share = Number(p.voters) / members;
      const h = Math.min(1, share) * panel;
      out.push(
        `<rect x="${x}" y="${top1 + panel - h}" width="32" height="${h}" fill="#4a78b5"><title>#${xml(p.number)}: ${xml(p.voters)} of ${members} members</title></rect>`,
      );
      const q = (Number(p.quorum) / members) * panel;
      out.push(
        `<line x1="${x - 4}" y1="${top1 + panel - q}" x2="${x + 36}" y2="${top1 + panel - q}" stroke="#222222" stroke-width="2"/>`,
      );
    }
    const hf = (Number(p.forVotes) / maxVotes) * panel;
    const ha = (Number(p.againstVotes) / maxVotes) * panel;
    out.push(
      `<rect x="${x}" y="${top2 + panel - hf}" width="15" height="${hf}" fill="#3a9a4a"><title>#${xml(p.number)}: ${xml(p.forVotes)} for</title></rect>`,
    );
    out.push(
      `<rect x="${x + 17}" y="${top2 + panel - ha}" width="15" height="${ha}" fill="#c0453a"><title>#${xml(p.number)}: ${xml(p.againstVotes)} against</title></rect>`,
    );
    for (const y of [top1 + panel + 14, top2 + panel + 14]) {
      out.push(`<text x="${x + 16}" y="${y}" text-anchor="middle">#${xml(p.number)}</text>`);
    }
    out.push(`<text x="${x + 16}" y="${top2 + panel + 28}" text-anchor="middle" fill="#555555">${xml(p.state)}</text>`);
  });
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}

/**
 * Text from the chain (a title, a finding, a parameter) for a Markdown table cell: a line break would end the row,
 * a `|` would split the cell, and HTML, links, images and emphasis would be rendered, so each is escaped as
 * CommonMark allows (any ASCII punctuation after a backslash is literal text).
 */
const md = (text: string) => text.replace(/[\\`*_[\]<>|~]/g, "\\$&").replace(/\r\n|[\n\r]/g, " ");
/** Text for a Markdown code span in a table cell: only a `|` and a line break need care there. */
const mdCode = (text: string) => text.replace(/\|/g, "\\|").replace(/\r\n|[\n\r]/g, " ");
/** Text for SVG, in an element or an attribute: XML's five special characters as entities. */
const xml = (value: unknown) =>
  String(value).replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]!,
  );

export function reportMarkdown(r: AuditResult): string {
  const v = r.view;
  const lines: string[] = [];
  const passed = r.mismatches.length === 0 && r.findings.length === 0;
  lines.push(`# Audit of ${md(r.deployment.name)} (chain ${r.chainId})`, "");
  lines.push(
    `**${passed ? "PASS" : "FAIL"}** — ${r.mismatches.length} mismatch(es) with the chain, ${r.findings.length} event(s) contradicting the rules.`,
    "",
  );
  lines.push(
    `- Read ${v.events} events of blocks ${r.deployment.deployBlock}..${r.head.blockNumber} (head at ${iso(r.head.timestamp)}).`,
  );
  lines.push(
    `- Checked ${r.checks.head} figures against the chain's view functions at the head block (${r.checks.patronage} of them on patronage: the ledger, finalizations, pots and claims).`,
  );
  lines.push(
    r.historical.unavailable
      ? `- Earlier blocks: the node keeps no historical state, so ${r.historical.blocks.length} earlier block(s) could not be checked.`
      : `- Checked ${r.checks.historical} figures at ${r.historical.blocks.length} earlier block(s): ${r.historical.blocks.join(", ") || "none"}.`,
  );
  lines.push(
    `- Contracts: card ${r.deployment.contracts.MembershipCard}, credits ${r.deployment.contracts.VoiceCredits}, governor ${r.deployment.contracts.MutualGovernor}, timelock ${r.deployment.contracts.TimelockController}${r.deployment.contracts.ContributionLedger === undefined ? "" : `, contribution ledger ${r.deployment.contracts.ContributionLedger}`}${r.deployment.contracts.PatronageDistributor === undefined ? "" : `, patronage distributor ${r.deployment.contracts.PatronageDistributor}`}.`,
    "",
  );
  if (r.mismatches.length > 0) {
    lines.push("## Mismatches", "", "| Figure | Block | Rebuilt from events | Chain says |", "|---|---:|---:|---:|");
    for (const m of r.mismatches)
      lines.push(`| \`${mdCode(m.subject)}\` | ${m.block} | ${md(m.rebuilt)} | ${md(m.chain)} |`);
    lines.push("");
  }
  if (r.findings.length > 0) {
    lines.push("## Events that contradict the rules", "", "| Block | Log | Finding |", "|---:|---:|---|");
    for (const f of r.findings) lines.push(`| ${f.blockNumber} | ${f.logIndex} | ${md(f.message)} |`);
    lines.push("");
  }
  lines.push("## Members", "", `${v.memberCount} members now; ${v.cardsIssued} cards issued in all.`, "");
  lines.push(
    "| Address | Card | Status | Since | Credits now | Spent on votes | Proposals | Votes |",
    "|---|---:|---|---|---:|---:|---:|---:|",
  );
  for (const m of v.members) {
    lines.push(
      `| ${m.address} | #${m.cardId} | ${m.status} | ${m.since === 0 ? "—" : iso(m.since)} | ${m.balance} | ${m.spentOnVotes} | ${m.proposalsMade} | ${m.votesCast} |`,
    );
  }
  lines.push("", "## Proposals", "", "![Participation and tallies per proposal](chart.svg)", "");
  lines.push(
    "| # | Title | State | For | Against | Voters / members | Quorum | Deposit |",
    "|---:|---|---|---:|---:|---:|---:|---|",
  );
  for (const p of v.proposals) {
    const deposit =
      p.depositFate === "returned"
        ? `returned (${p.depositCredited} of ${p.deposit})`
        : `${p.depositFate}${p.deposit > 0n ? ` (${p.deposit})` : ""}`;
    lines.push(
      `| ${p.number} | ${md(p.title)} | ${p.state}${p.extended ? " (extended)" : ""} | ${p.forVotes} (${p.forVoters}) | ${p.againstVotes} (${p.againstVoters}) | ${p.voters} / ${p.membersAtSnapshot ?? "—"} | ${p.quorum === 0n ? "—" : `${p.quorum}${p.quorumReached ? " ✓" : ""}`} | ${deposit} |`,
    );
  }
  lines.push("", "For and against show quadratic votes (and members). Abstentions count as voters.", "");
  lines.push("## Credits", "", "| Schedule | From | Rule |", "|---:|---|---|");
  for (const s of v.schedules) lines.push(`| ${s.index} | ${iso(s.start)} (epoch ${s.firstEpoch}) | ${s.text} |`);
  const sum = (k: "opened" | "accrued" | "spentOnVotes" | "forfeited") => v.members.reduce((t, m) => t + m[k], 0n);
  lines.push(
    "",
    `Issued on admission ${sum("opened")}, accrued ${sum("accrued")}, spent on votes ${sum("spentOnVotes")}, forfeited by leavers ${sum("forfeited")}; deposits held now ${v.heldDeposits}, destroyed ${v.burnedDeposits}. Current epoch ${v.epoch}.`,
    "",
  );
  if (v.parameterChanges.length > 0) {
    lines.push(
      "## Parameter changes",
      "",
      "| Block | Time | Contract | Parameter | From | To |",
      "|---:|---|---|---|---|---|",
    );
    for (const c of v.parameterChanges)
      lines.push(
        `| ${c.blockNumber} | ${iso(c.timestamp)} | ${c.contract} | ${c.name} | ${md(c.from) || "—"} | ${md(c.to)} |`,
      );
    lines.push("");
  }
  const t = r.treasury;
  lines.push("## Treasury (the timelock)", "");
  lines.push(
    `Opening balance ${t.opening === null ? "unknown (no historical state)" : `${formatEther(t.opening)} ETH`}; paid out by executed proposals ${formatEther(v.treasury.paidOut)} ETH; received ${t.received === null ? "unknown" : `${formatEther(t.received)} ETH`} (plain transfers emit no event: derived from balances); balance now ${formatEther(t.closing)} ETH.`,
    "",
  );
  if (v.treasury.movements.length > 0) {
    lines.push("| Block | Time | Proposal | To | ETH |", "|---:|---|---:|---|---:|");
    for (const m of v.treasury.movements) {
      const p = v.proposals.find((q) => q.id === m.proposalId);
      lines.push(
        `| ${m.blockNumber} | ${iso(m.timestamp)} | ${p ? `#${p.number}` : "—"} | ${m.target} | ${formatEther(m.value)} |`,
      );
    }
    lines.push("");
  }
  if (v.patronage !== null) lines.push(...patronageMarkdown(v.patronage));
  lines.push(
    "## Files",
    "",
    "- `model.json`: the whole rebuilt model and every mismatch",
    "- `members.csv`, `proposals.csv`, `events.csv`, `votes.csv`, `credit-ledger.csv`",
    "- `contributions.csv` (every ledger entry), `payouts.csv` (every contributor's share of every pot, claims and sweeps)",
    "",
  );
  return lines.join("\n");
}

/** An amount of a pot's token: ETH in ether, an ERC-20 in its smallest units. */
export function potAmount(token: string, amount: bigint): string {
  return BigInt(token) === 0n ? `${formatEther(amount)} ETH` : `${amount} (token ${token})`;
}

const days = (seconds: number | bigint) => `${Number(seconds) / 86_400} days`;

/** The report's periods, pots and payouts. */
export function patronageMarkdown(p: PatronageView): string[] {
  const lines: string[] = [];
  lines.push("## Contribution periods", "");
  if (p.ledger !== null) {
    lines.push(
      `Periods of ${days(p.ledger.periodLength)} from ${iso(p.ledger.start)}, review ${days(p.ledger.reviewWindow)}; current period ${p.currentPeriod ?? "—"}; entries need ${p.attestationThreshold} attestation(s); pay ratio ${p.payRatio}:1; claim window ${days(p.claimWindow)}. Units, contributors, the smallest units *u*<sub>min</sub>, the cap *C* = *R* · *u*<sub>min</sub> and the capped sum *S* are recomputed from the entries and their attestations.`,
      "",
    );
  }
  lines.push(
    "| Period | Closes | Review ends | Phase | Entries (validated / voided / pending) | Units | Contributors | Ratio | Finalized | u_min | Cap C | S |",
    "|---:|---|---|---|---|---:|---:|---:|---|---:|---:|---:|",
  );
  for (const q of p.periods) {
    lines.push(
      `| ${q.period} | ${iso(q.end)} | ${iso(q.reviewEnd)} | ${q.phase} | ${q.entries} (${q.validated} / ${q.voided} / ${q.pending}) | ${q.units} | ${q.contributors} | ${q.ratio} | ${q.finalized ? `yes, block ${q.finalizedBlock}` : q.submitted > 0n ? `in progress (${q.submitted} submitted)` : "no"} | ${q.finalized ? q.minUnits : "—"} | ${q.finalized ? q.unitCap : "—"} | ${q.finalized ? q.cappedSum : "—"} |`,
    );
  }
  lines.push("");
  for (const q of p.periods) {
    if (q.cards.length === 0) continue;
    lines.push(
      `Period ${q.period}, validated units per card: ${q.cards.map((c) => `#${c.cardId} ${c.units}${c.cappedUnits !== null && c.cappedUnits < c.units ? ` (capped at ${c.cappedUnits})` : ""}`).join(", ")}.`,
      "",
    );
  }
  lines.push("## Pots and payouts", "");
  if (p.pots.length === 0) lines.push("No pot allocated yet.", "");
  else {
    lines.push(
      "| Pot | Period | Amount | Deadline | Largest share | Claimed | Left | Swept |",
      "|---:|---:|---:|---|---:|---:|---:|---|",
    );
    for (const pot of p.pots) {
      lines.push(
        `| ${pot.id} | ${pot.period} | ${potAmount(pot.token, pot.amount)} | ${iso(pot.deadline)}${pot.open ? " (open)" : ""} | ${potAmount(pot.token, pot.maxShare)} | ${potAmount(pot.token, pot.claimed)} | ${potAmount(pot.token, pot.amount - pot.claimed)} | ${pot.swept === null ? "no" : `${potAmount(pot.token, pot.swept.amount)} to the treasury, block ${pot.swept.blockNumber}`} |`,
      );
    }
    lines.push(
      "",
      "| Pot | Card | Holder now | Units | Share (rebuilt) | Claimed | Block |",
      "|---:|---:|---|---:|---:|---:|---:|",
    );
    for (const pot of p.pots) {
      for (const s of pot.shares) {
        lines.push(
          `| ${pot.id} | #${s.cardId} | ${s.holder ?? "— (no holder)"} | ${s.units} | ${potAmount(pot.token, s.share)} | ${s.claim === null ? "—" : potAmount(pot.token, s.claim.amount)} | ${s.claim?.blockNumber ?? "—"} |`,
        );
      }
    }
    lines.push("");
  }
  return lines;
}

/** `contributions.csv`: one row per ledger entry. */
export function contributionsCsv(p: PatronageView | null): string {
  const header = csvRow([
    "entry",
    "period",
    "card",
    "contributor",
    "kind",
    "units",
    "evidence_hash",
    "evidence_uri",
    "threshold",
    "attestations",
    "attesters",
    "status",
    "void_reason",
    "recorded_block",
    "recorded_time",
    "transaction",
    "validated_block",
    "voided_block",
  ]);
  return (
    header +
    (p?.entries ?? [])
      .map((e) =>
        csvRow([
          e.id,
          e.period,
          e.cardId,
          e.contributor,
          e.kind,
          e.units,
          e.evidenceHash,
          e.evidenceURI,
          e.threshold,
          e.attesters.length,
          e.attesters.map((a) => `#${a}`).join(" "),
          e.status.toLowerCase(),
          e.voidReason,
          e.recordedBlock,
          iso(e.recordedAt),
          e.transactionHash,
          e.validatedBlock,
          e.voidedBlock,
        ]),
      )
      .join("")
  );
}

/** `payouts.csv`: per pot, one `share` row per contributor (with its claim, if any) and one `sweep` row once swept. */
export function payoutsCsv(p: PatronageView | null): string {
  const header = csvRow([
    "pot",
    "period",
    "token",
    "kind",
    "card",
    "account",
    "units",
    "share",
    "paid",
    "block",
    "transaction",
  ]);
  const rows: string[] = [];
  for (const pot of p?.pots ?? []) {
    for (const s of pot.shares) {
      rows.push(
        csvRow([
          pot.id,
          pot.period,
          pot.token,
          "share",
          s.cardId,
          s.claim?.member ?? s.holder,
          s.units,
          s.share,
          s.claim?.amount ?? 0n,
          s.claim?.blockNumber,
          s.claim?.transactionHash,
        ]),
      );
    }
    if (pot.swept !== null) {
      rows.push(
        csvRow([
          pot.id,
          pot.period,
          pot.token,
          "sweep",
          "",
          pot.swept.treasury,
          "",
          pot.amount - pot.claimed,
          pot.swept.amount,
          pot.swept.blockNumber,
          pot.swept.transactionHash,
        ]),
      );
    }
  }
  return header + rows.join("");
}

export async function writeReport(dir: string, r: AuditResult): Promise<void> {
  const v = r.view;
  const members =
    csvRow([
      "address",
      "card",
      "status",
      "member",
      "since",
      "past_stints",
      "balance",
      "opened",
      "accrued",
      "spent_on_votes",
      "deposits_held",
      "deposits_returned",
      "forfeited",
      "moved_in",
      "moved_out",
      "proposals",
      "votes",
    ]) +
    v.members
      .map((m) =>
        csvRow([
          m.address,
          m.cardId,
          m.status,
          m.isMember,
          m.since === 0 ? "" : iso(m.since),
          m.pastStints,
          m.balance,
          m.opened,
          m.accrued,
          m.spentOnVotes,
          m.depositsHeld,
          m.depositsReturned,
          m.forfeited,
          m.movedIn,
          m.movedOut,
          m.proposalsMade,
          m.votesCast,
        ]),
      )
      .join("");
  const proposals =
    csvRow([
      "number",
      "id",
      "title",
      "proposer",
      "state",
      "vote_start",
      "deadline",
      "for_votes",
      "against_votes",
      "for_voters",
      "against_voters",
      "abstain_voters",
      "members_at_snapshot",
      "quorum_bps",
      "quorum",
      "quorum_reached",
      "credits_spent",
      "skipped_ballots",
      "deposit",
      "deposit_fate",
      "deposit_credited",
      "executed_by",
    ]) +
    v.proposals
      .map((p) =>
        csvRow([
          p.number,
          p.id,
          p.title,
          p.proposer,
          p.state,
          iso(p.voteStart),
          iso(p.deadline),
          p.forVotes,
          p.againstVotes,
          p.forVoters,
          p.againstVoters,
          p.abstainVoters,
          p.membersAtSnapshot,
          p.quorumBps,
          p.quorum,
          p.quorumReached,
          p.creditsSpent,
          p.skippedBallots,
          p.deposit,
          p.depositFate,
          p.depositCredited,
          p.executedBy,
        ]),
      )
      .join("");
  await Promise.all([
    writeFile(join(dir, "report.md"), reportMarkdown(r)),
    writeFile(join(dir, "chart.svg"), chartSvg(v)),
    writeFile(
      join(dir, "model.json"),
      `${toJson({ chainId: r.chainId, deployment: r.deployment, head: r.head, ok: r.ok, checks: r.checks, mismatches: r.mismatches, historical: r.historical, treasury: r.treasury, model: v })}\n`,
    ),
    writeFile(join(dir, "members.csv"), members),
    writeFile(join(dir, "proposals.csv"), proposals),
    writeFile(join(dir, "contributions.csv"), contributionsCsv(v.patronage)),
    writeFile(join(dir, "payouts.csv"), payoutsCsv(v.patronage)),
  ]);
}

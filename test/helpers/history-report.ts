/**
 * The app's history page against the audit's report folder: the same events in the same order, each naming the
 * same block, log, transaction, contract, proposal and member, and the figures the page shows in words (votes,
 * tallies, cards and member counts, credits, deposits, treasury payments, proposals' fates) equal to those the
 * audit rebuilt (model.json, votes.csv, credit-ledger.csv), and for patronage the units recorded and validated per
 * entry (contributions.csv) and the amounts claimed from each pot (payouts.csv). `compareHistoryWithReport` lists every difference in
 * words; none means they agree.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";

import { getAddress, parseEther } from "ethers";
import type { Page } from "playwright-core";

/** One entry of the history page as the browser shows it (its `data-*` attributes and visible text). */
export interface HistoryPageEntry {
  block: number;
  log: number;
  tx: string;
  contract: string;
  event: string;
  /** The proposal's number (`data-proposal`), null when the event names none. */
  proposal: number | null;
  member: string | null;
  /** The event in words. */
  what: string;
  /** "block N · tx 0x…" as shown. */
  where: string;
  /** The proposal link's text ("#3"), null when there is none. */
  link: string | null;
}

export interface HistoryPage {
  /** The page's lead ("… N events up to block B."). */
  extent: string;
  entries: HistoryPageEntry[];
}

/** What the browser reads of each entry; a string, as this project's tests evaluate in the page. */
const READ_ENTRIES = `[...document.querySelectorAll('[data-testid="history"] > li')].map((li) => ({
  block: Number(li.dataset.block),
  log: Number(li.dataset.log),
  tx: li.dataset.tx ?? "",
  contract: li.dataset.contract ?? "",
  event: li.dataset.event ?? "",
  proposal: li.dataset.proposal === undefined ? null : Number(li.dataset.proposal),
  member: li.dataset.member ?? null,
  what: li.querySelector(".what")?.textContent ?? "",
  where: li.querySelector(".where")?.textContent ?? "",
  link: li.querySelector("a[href^='/proposals/']")?.textContent ?? null,
}))`;

/** Reads the history page open in `page`. */
export async function readHistoryPage(page: Page): Promise<HistoryPage> {
  const extent = (await page.getByTestId("history-extent").textContent()) ?? "";
  const entries = (await page.evaluate(READ_ENTRIES)) as HistoryPageEntry[];
  return { extent, entries };
}

type Row = Record<string, string>;

/** RFC 4180 CSV (quoted fields may hold commas, quotes and line breaks) into rows keyed by the header. */
export function parseCsv(text: string): Row[] {
  const records: string[][] = [];
  let field = "";
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      record.push(field);
      field = "";
    } else if (c === "\n") {
      record.push(field);
      records.push(record);
      record = [];
      field = "";
    } else if (c !== "\r") field += c;
  }
  if (field !== "" || record.length > 0) records.push([...record, field]);
  const [header, ...rows] = records;
  return rows.map((r) => Object.fromEntries(header.map((name, i) => [name, r[i] ?? ""])));
}

/** model.json as the audit writes it (integers as decimal strings). */
export interface ReportModel {
  ok: boolean;
  head: { blockNumber: number; timestamp: number };
  deployment: { contracts: Record<string, string> };
  model: {
    events: number;
    memberCount: string;
    cardsIssued: string;
    memberCountHistory: { blockNumber: number; count: string }[];
    heldDeposits: string;
    burnedDeposits: string;
    members: { address: string; history: { kind: string; blockNumber: number; cardId: string }[] }[];
    proposals: {
      number: number;
      id: string;
      proposer: string;
      createdBlock: number;
      state: string;
      eta: number;
      executedBy: string | null;
      forVotes: string;
      againstVotes: string;
      forVoters: string;
      againstVoters: string;
      abstainVoters: string;
      voters: string;
      deposit: string;
      depositFate: string;
      depositCredited: string;
    }[];
    treasury: { movements: { blockNumber: number; transactionHash: string; target: string; value: string }[] };
  };
}

export interface AuditReport {
  model: ReportModel;
  events: Row[];
  votes: Row[];
  ledger: Row[];
  contributions: Row[];
  payouts: Row[];
}

export async function readAuditReport(dir: string): Promise<AuditReport> {
  const text = (file: string) => readFile(join(dir, file), "utf8");
  return {
    model: JSON.parse(await text("model.json")) as ReportModel,
    events: parseCsv(await text("events.csv")),
    votes: parseCsv(await text("votes.csv")),
    ledger: parseCsv(await text("credit-ledger.csv")),
    contributions: parseCsv(await text("contributions.csv")),
    payouts: parseCsv(await text("payouts.csv")),
  };
}

/** `0x1234…abcd`, as the app shortens addresses and hashes. */
export const short = (address: string) => `${address.slice(0, 6)}…${address.slice(-4)}`;
const show = (value: unknown) => JSON.stringify(value);

/** Compares two lists item by item; at most `limit` differences are spelled out. */
function sameList<T>(what: string, page: T[], report: T[], out: string[], limit = 5): void {
  if (page.length !== report.length) out.push(`${what}: the page has ${page.length}, the report ${report.length}`);
  let shown = 0;
  let more = 0;
  for (let i = 0; i < Math.max(page.length, report.length); i++) {
    if (show(page[i]) === show(report[i])) continue;
    if (shown++ < limit) out.push(`${what} #${i}: the page has ${show(page[i])}, the report ${show(report[i])}`);
    else more++;
  }
  if (more > 0) out.push(`${what}: ${more} more differences`);
}

/** Every difference between the history page and the audit's report, in words; empty when they agree. */
export function compareHistoryWithReport(page: HistoryPage, report: AuditReport): string[] {
  const out: string[] = [];
  const { model: m } = report.model;
  const numberOf = new Map(m.proposals.map((p) => [p.id, p.number]));
  const byNumber = new Map(m.proposals.map((p) => [p.number, p]));
  const entries = page.entries;

  // How much of the chain each has read.
  const extent = `${m.events} events up to block ${report.model.head.blockNumber}.`;
  if (!page.extent.includes(extent)) out.push(`the page's lead "${page.extent}" does not end with "${extent}"`);

  // The same events, in the same order, each about the same proposal and member.
  sameList(
    "event",
    entries.map((e) => ({
      block: e.block,
      log: e.log,
      tx: e.tx,
      contract: e.contract,
      event: e.event,
      proposal: e.proposal,
      member: e.member,
    })),
    report.events.map((r) => ({
      block: Number(r.block),
      log: Number(r.log),
      tx: r.transaction,
      contract: r.contract,
      event: r.event,
      proposal: r.proposal === "" ? null : (numberOf.get(r.proposal) ?? -1),
      member: r.member === "" ? null : r.member,
    })),
    out,
  );
  // What a reader sees says the same: the block and transaction, the proposal's link, the member's address.
  for (const [i, e] of entries.entries()) {
    if (e.where !== `block ${e.block} · tx ${short(e.tx)}`) out.push(`entry #${i} reads "${e.where}" as its place`);
    if (e.link !== (e.proposal === null ? null : `#${e.proposal}`))
      out.push(`entry #${i} links ${e.link} for proposal ${e.proposal}`);
    if (e.member !== null && !e.what.includes(short(e.member)))
      out.push(`entry #${i} "${e.what}" does not name ${e.member}`);
  }

  // Votes: each counted vote of votes.csv, in words, in order.
  const sides: Record<string, string> = { for: "for", against: "against" };
  sameList(
    "vote",
    entries
      .filter((e) => e.event === "VoteCast" || e.event === "VoteCastWithParams")
      .map((e) => ({ block: e.block, tx: e.tx, what: e.what })),
    report.votes.map((v) => {
      const n = numberOf.get(v.proposal);
      const who = short(getAddress(v.voter));
      return {
        block: Number(v.block),
        tx: v.transaction,
        what:
          v.side === "abstain"
            ? `${who} abstained on proposal #${n}`
            : `${who} cast ${v.added} vote${v.added === "1" ? "" : "s"} ${sides[v.side]} proposal #${n}`,
      };
    }),
    out,
  );

  // Tallies: the page's votes added up per proposal equal the audit's tallies, in votes and in members.
  const tallies = new Map<number, { for: bigint; against: bigint; voters: Record<string, Set<string>> }>();
  for (const e of entries) {
    if (e.event !== "VoteCast" && e.event !== "VoteCastWithParams") continue;
    const cast = /cast (\d+) votes? (for|against) proposal #(\d+)$/.exec(e.what);
    const abstained = /abstained on proposal #(\d+)$/.exec(e.what);
    const number = Number(cast?.[3] ?? abstained?.[1]);
    const t = tallies.get(number) ?? {
      for: 0n,
      against: 0n,
      voters: { for: new Set(), against: new Set(), abstain: new Set() },
    };
    tallies.set(number, t);
    if (cast !== null) {
      const side = cast[2] as "for" | "against";
      t[side] += BigInt(cast[1]);
      t.voters[side].add(e.member ?? "");
    } else if (abstained !== null) t.voters.abstain.add(e.member ?? "");
    else out.push(`vote entry "${e.what}" reads as no vote`);
  }
  sameList(
    "tally",
    m.proposals.map((p) => {
      const t = tallies.get(p.number);
      const n = (side: string) => String(t?.voters[side].size ?? 0);
      return {
        number: p.number,
        forVotes: String(t?.for ?? 0n),
        againstVotes: String(t?.against ?? 0n),
        forVoters: n("for"),
        againstVoters: n("against"),
        abstainVoters: n("abstain"),
        voters: String(Number(n("for")) + Number(n("against")) + Number(n("abstain"))),
      };
    }),
    m.proposals.map((p) => ({
      number: p.number,
      forVotes: p.forVotes,
      againstVotes: p.againstVotes,
      forVoters: p.forVoters,
      againstVoters: p.againstVoters,
      abstainVoters: p.abstainVoters,
      voters: p.voters,
    })),
    out,
  );

  // Members: the cards the page names on admission, and the member count after each block that changed it.
  const cardAt = new Map<string, string>();
  for (const member of m.members)
    for (const h of member.history)
      if (h.kind === "admitted") cardAt.set(`${member.address}@${h.blockNumber}`, h.cardId);
  const counts: { blockNumber: number; count: string }[] = [];
  let count = 0n;
  let lastCard = 0n;
  for (const e of entries) {
    if (e.contract !== "MembershipCard") continue;
    let delta = 0n;
    if (e.event === "MemberAdmitted") {
      const card = /admitted with card #(\d+)$/.exec(e.what)?.[1];
      const expected = cardAt.get(`${e.member}@${e.block}`);
      if (card !== expected) out.push(`"${e.what}" at block ${e.block}: the report gives card #${expected}`);
      if (card !== undefined && BigInt(card) > lastCard) lastCard = BigInt(card);
      delta = 1n;
    } else if (e.event === "MemberResigned" || e.event === "MemberExpelled") delta = -1n;
    if (delta === 0n) continue;
    count += delta;
    if (counts.at(-1)?.blockNumber === e.block) counts.at(-1)!.count = String(count);
    else counts.push({ blockNumber: e.block, count: String(count) });
  }
  sameList(
    "member count",
    counts,
    m.memberCountHistory.map((h) => ({ blockNumber: h.blockNumber, count: h.count })),
    out,
  );
  if (String(count) !== m.memberCount) out.push(`the page counts ${count} members, the report ${m.memberCount}`);
  if (String(lastCard) !== m.cardsIssued)
    out.push(`the page's last card is #${lastCard}, the report's #${m.cardsIssued}`);

  // Credits: every opening, forfeit, move, deposit held and returned the page states, as in the credit ledger.
  const creditWords: Record<string, [kind: string, pattern: RegExp, sign: bigint]> = {
    AccountOpened: ["opened", /opened a credit account with (\d+) credits$/, 1n],
    AccountClosed: ["forfeited", /, (\d+) credits forfeited$/, -1n],
    AccountMoved: ["moved-out", /^(\d+) credits moved from/, -1n],
    DepositHeld: ["deposit-held", /staked a deposit of (\d+) credits$/, -1n],
    DepositReturned: ["deposit-returned", /\((\d+) credited\)$/, 1n],
  };
  const kinds = new Set(Object.values(creditWords).map(([kind]) => kind));
  sameList(
    "credit movement",
    entries
      .filter((e) => e.contract === "VoiceCredits" && creditWords[e.event] !== undefined)
      .map((e) => {
        const [kind, pattern, sign] = creditWords[e.event];
        const amount = pattern.exec(e.what)?.[1];
        return {
          block: e.block,
          tx: e.tx,
          member: e.member,
          kind,
          change: amount === undefined ? `"${e.what}"` : String(sign * BigInt(amount)),
        };
      }),
    report.ledger
      .filter((r) => kinds.has(r.kind))
      .map((r) => ({ block: Number(r.block), tx: r.transaction, member: r.member, kind: r.kind, change: r.change })),
    out,
  );

  // Deposits: what the page says was staked, returned and burned leaves what the audit holds and destroyed.
  let held = 0n;
  let burned = 0n;
  for (const e of entries) {
    if (e.contract !== "VoiceCredits") continue;
    if (e.event === "DepositHeld") held += BigInt(/deposit of (\d+) credits$/.exec(e.what)?.[1] ?? -1);
    if (e.event === "DepositReturned") {
      const [, amount, credited] = /^deposit of (\d+) credits returned to .* \((\d+) credited\)$/.exec(e.what) ?? [];
      held -= BigInt(amount ?? -1);
      burned += BigInt(amount ?? -1) - BigInt(credited ?? 0);
    }
    if (e.event === "DepositBurned") {
      const amount = BigInt(/^(\d+) deposit credits burned$/.exec(e.what)?.[1] ?? -1);
      held -= amount;
      burned += amount;
    }
  }
  if (String(held) !== m.heldDeposits) out.push(`the page leaves ${held} credits held, the report ${m.heldDeposits}`);
  if (String(burned) !== m.burnedDeposits) out.push(`the page burns ${burned} credits, the report ${m.burnedDeposits}`);
  const settled = entries.filter((e) => e.event === "ProposalDepositSettled");
  sameList(
    "deposit settled",
    settled.map((e) => {
      const words = /deposit(?: of \S+)? (?:returned \((\d+) credited\)|(burned))$/.exec(e.what);
      const p = byNumber.get(e.proposal ?? -1);
      const fate = p?.deposit === "0" ? "none" : words?.[1] !== undefined && e.member !== null ? "returned" : "burned";
      return { proposal: e.proposal, fate, credited: words?.[1] ?? (words?.[2] ? "0" : `"${e.what}"`) };
    }),
    settled.map((e) => {
      const p = byNumber.get(e.proposal ?? -1);
      return { proposal: e.proposal, fate: p?.depositFate, credited: p?.depositCredited };
    }),
    out,
  );
  const settledNumbers = settled.map((e) => e.proposal);
  const settledInReport = m.proposals
    .filter((p) => p.depositFate === "returned" || p.depositFate === "burned")
    .map((p) => p.number);
  if (settledInReport.some((n) => !settledNumbers.includes(n)))
    out.push(`deposits settled: the page shows ${show(settledNumbers)}, the report ${show(settledInReport)}`);

  // The treasury: every payment out, as the report lists them.
  const timelock = short(getAddress(report.model.deployment.contracts.TimelockController));
  sameList(
    "treasury payment",
    entries
      .filter((e) => e.event === "CallExecuted")
      .map((e) => ({ e, paid: /(?:paid|with) ([\d.]+) ETH(?: to (\S+))?$/.exec(e.what) }))
      .filter(({ e, paid }) => paid !== null && !(paid[2] ?? e.what).includes(timelock))
      .map(({ e, paid }) => ({
        block: e.block,
        tx: e.tx,
        wei: String(parseEther(paid![1])),
        to: paid![2] ?? /called (\S+)/.exec(e.what)?.[1],
      })),
    m.treasury.movements.map((t) => ({
      block: t.blockNumber,
      tx: t.transactionHash,
      wei: t.value,
      to: short(getAddress(t.target)),
    })),
    out,
  );

  // Proposals: made in order by their proposers, and queued, executed or cancelled as the report's states say.
  sameList(
    "proposal made",
    entries
      .filter((e) => e.event === "ProposalCreated")
      .map((e) => ({ number: e.proposal, block: e.block, proposer: e.member, what: e.what })),
    m.proposals.map((p) => ({
      number: p.number,
      block: p.createdBlock,
      proposer: p.proposer,
      what: `proposal #${p.number} created by ${short(p.proposer)}`,
    })),
    out,
  );
  // In the order of their numbers (a later proposal may be queued first), as the report lists proposals.
  const numbersOf = (event: string, words: string) =>
    entries
      .filter((e) => e.event === event && e.what === `proposal #${e.proposal} ${words}`)
      .map((e) => e.proposal ?? -1)
      .sort((a, b) => a - b);
  sameList(
    "queued",
    numbersOf("ProposalQueued", "queued in the timelock"),
    m.proposals.filter((p) => p.eta > 0).map((p) => p.number),
    out,
  );
  sameList(
    "executed",
    numbersOf("ProposalExecuted", "executed"),
    m.proposals.filter((p) => p.executedBy === "governor").map((p) => p.number),
    out,
  );
  sameList(
    "cancelled",
    numbersOf("ProposalCanceled", "cancelled"),
    m.proposals.filter((p) => p.state === "Canceled").map((p) => p.number),
    out,
  );

  // Patronage: the units each entry recorded and, once attested, validated, as contributions.csv has them.
  const byBlock = <T extends { block: number; entry?: string; pot?: string }>(list: T[]) =>
    list.sort((a, b) => a.block - b.block || Number(a.entry ?? a.pot ?? 0) - Number(b.entry ?? b.pot ?? 0));
  sameList(
    "contribution recorded",
    byBlock(
      entries
        .filter((e) => e.event === "ContributionRecorded")
        .map((e) => {
          const words = /recorded entry #(\d+): (\d+) units? of .* in period (\d+)/.exec(e.what);
          return { block: e.block, entry: words?.[1], units: words?.[2], period: words?.[3], member: e.member };
        }),
    ),
    byBlock(
      report.contributions.map((c) => ({
        block: Number(c.recorded_block),
        entry: c.entry,
        units: c.units,
        period: c.period,
        member: c.contributor,
      })),
    ),
    out,
  );
  sameList(
    "units validated",
    byBlock(
      entries
        .filter((e) => e.event === "ContributionValidated")
        .map((e) => {
          const words = /^entry #(\d+) validated: (\d+) units? count for card #(\d+) in period (\d+)$/.exec(e.what);
          return { block: e.block, entry: words?.[1], units: words?.[2], card: words?.[3], period: words?.[4] };
        }),
    ),
    byBlock(
      report.contributions
        .filter((c) => c.validated_block !== "")
        .map((c) => ({
          block: Number(c.validated_block),
          entry: c.entry,
          units: c.units,
          card: c.card,
          period: c.period,
        })),
    ),
    out,
  );
  // The amounts claimed from each pot, as payouts.csv has them.
  sameList(
    "patronage claimed",
    byBlock(
      entries
        .filter((e) => e.event === "PatronageClaimed")
        .map((e) => {
          const words = /claimed ([\d.]+) ETH from pot #(\d+) \(card #(\d+)\)$/.exec(e.what);
          return {
            block: e.block,
            pot: words?.[2],
            tx: e.tx,
            card: words?.[3],
            member: e.member,
            wei: words === null ? `"${e.what}"` : String(parseEther(words[1])),
          };
        }),
    ),
    byBlock(
      report.payouts
        .filter((r) => r.kind === "share" && r.block !== "")
        .map((r) => ({
          block: Number(r.block),
          pot: r.pot,
          tx: r.transaction,
          card: r.card,
          member: r.account,
          wei: r.paid,
        })),
    ),
    out,
  );
  return out;
}

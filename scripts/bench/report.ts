/**
 * Everything the benchmark prints or writes: the table, the floors, the scale figures, the snapshot check
 * and the SVG chart. Pure functions of the measured figures.
 */
import type { Floor } from "./floors.ts";

/** One line of the table. Gas figures are receipt.gasUsed (or a sum or mean of them), floors as floors.ts says. */
export interface Row {
  operation: string;
  mutual: number;
  openzeppelin: number | null;
  /** Mutual / OpenZeppelin, 3 decimals. */
  ratio: number | null;
  floor: number;
  /** Mutual / floor, 3 decimals. */
  floorRatio: number;
  /** How the floor was reached: the floors (by operation) it sums or divides. */
  floorFrom: string;
}

export function ratio(a: number, b: number): number {
  return Math.round((a / b) * 1000) / 1000;
}

export function makeRow(
  operation: string,
  mutual: bigint | number,
  openzeppelin: bigint | number | null,
  floor: number,
  floorFrom: string,
): Row {
  const m = Number(mutual);
  const o = openzeppelin === null ? null : Number(openzeppelin);
  const f = Math.round(floor);
  return {
    operation,
    mutual: m,
    openzeppelin: o,
    ratio: o === null ? null : ratio(m, o),
    floor: f,
    floorRatio: ratio(m, f),
    floorFrom,
  };
}

export const gas = (n: number | bigint) => Number(n).toLocaleString("en-US");

function table(headers: string[], cells: string[][], leftColumns = 1): string {
  const widths = headers.map((h, c) => Math.max(h.length, ...cells.map((line) => line[c].length)));
  const line = (values: string[]) =>
    values.map((v, c) => (c < leftColumns ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join(" | ");
  return [line(headers), widths.map((w) => "-".repeat(w)).join("-|-"), ...cells.map(line)].join("\n");
}

export function formatRows(rows: Row[]): string {
  return table(
    ["operation", "Mutual", "OpenZeppelin", "ratio", "EVM floor", "Mutual/floor"],
    rows.map((r) => [
      r.operation,
      gas(r.mutual),
      r.openzeppelin === null ? "n/a" : gas(r.openzeppelin),
      r.ratio === null ? "n/a" : r.ratio.toFixed(3),
      gas(r.floor),
      r.floorRatio.toFixed(3),
    ]),
  );
}

export function formatFloor(floor: Floor): string {
  const width = Math.max(...floor.components.map((c) => gas(c.gas).length), gas(floor.total).length);
  const nameWidth = Math.max(...floor.components.map((c) => c.name.length));
  const lines = [`${floor.operation}: floor ${gas(floor.total)} gas`];
  for (const c of floor.components)
    lines.push(`  ${gas(c.gas).padStart(width)}  ${c.name.padEnd(nameWidth)}  ${c.why}`);
  lines.push(`  ${"-".repeat(width)}`);
  lines.push(`  ${gas(floor.standard).padStart(width)}  total`);
  lines.push(
    `  EIP-7623 calldata floor: 21,000 + 10 × tokens = ${gas(floor.calldataFloor)}: ${
      floor.calldataFloor > floor.standard ? "it applies" : "below the total, does not apply"
    }`,
  );
  return lines.join("\n");
}

// ------------------------------------------------------------------------------------------------
// Scale
// ------------------------------------------------------------------------------------------------

export interface ScaleResult {
  /** castVote of a later voter (the 5th, member #N) in co-ops of N members. */
  bySize: { members: number; gas: number }[];
  sizeSpread: number;
  /** castVote of a later voter whose last activity (admission) was `epochs` credit epochs ago. */
  byIdleEpochs: { epochs: number; gas: number }[];
  idleSpread: number;
  issuance: {
    members: number;
    chunk: number;
    admitTransactions: number;
    /** Gas per member admitted by a full admitMany chunk. */
    admitGasPerMember: number;
    /** Transactions and gas between the last admission and the next epoch's balances. */
    issuanceTransactions: number;
    issuanceGas: number;
    spotChecks: { member: number; before: number; after: number }[];
    firstMemberVote: number;
    lastMemberVote: number;
  };
  /** Largest spread allowed, in gas. */
  tolerance: number;
}

export function formatScale(s: ScaleResult): string {
  const i = s.issuance;
  const lines = [
    `Scale (Mutual only; gas per transaction, no timing)`,
    ``,
    `castVote of a later voter (the 5th voter, member #N) in a co-op of N members:`,
    table(
      ["members", "castVote gas"],
      s.bySize.map((r) => [gas(r.members), gas(r.gas)]),
      0,
    ),
    `spread ${gas(s.sizeSpread)} gas (allowed ${s.tolerance})`,
    ``,
    `castVote of a later voter whose last activity was k credit epochs ago (100 members):`,
    table(
      ["epochs ago", "castVote gas"],
      s.byIdleEpochs.map((r) => [gas(r.epochs), gas(r.gas)]),
      0,
    ),
    `spread ${gas(s.idleSpread)} gas (allowed ${s.tolerance})`,
    ``,
    `Credit issuance for ${gas(i.members)} members:`,
    `  admitted with admitMany in ${i.admitTransactions} transactions of up to ${i.chunk} (${gas(i.admitGasPerMember)} gas per member in a full chunk)`,
    `  one epoch later: ${i.issuanceTransactions} transactions, ${gas(i.issuanceGas)} gas, and every member's credits grew:`,
    ...i.spotChecks.map(
      (c) =>
        `    member #${gas(c.member).padEnd(6)} ${String(c.before).padStart(4)} → ${String(c.after).padStart(4)} credits`,
    ),
    `  castVote (first spend of the new epoch, a later voter): member #1 ${gas(i.firstMemberVote)} gas, member #${gas(i.members)} ${gas(i.lastMemberVote)} gas`,
  ];
  return lines.join("\n");
}

// ------------------------------------------------------------------------------------------------
// Snapshot (the regression guard)
// ------------------------------------------------------------------------------------------------

export interface Snapshot {
  comment: string;
  /** Mutual gas per row, by operation. */
  mutual: Record<string, number>;
}

/** A rise above this share of the snapshot fails --check. */
export const TOLERANCE = 0.01;

export function snapshotOf(rows: Row[]): Snapshot {
  return {
    comment:
      "Mutual's gas per benchmark row (scripts/bench/gas.ts). `npm run bench -- --check` fails when a row rises more than 1% above its figure here; `npm run bench -- --update` rewrites this file.",
    mutual: Object.fromEntries(rows.map((r) => [r.operation, r.mutual])),
  };
}

export interface CheckResult {
  ok: boolean;
  lines: string[];
}

export function compareWithSnapshot(rows: Row[], snapshot: Snapshot): CheckResult {
  const lines: string[] = [];
  let failures = 0;
  let falls = 0;
  for (const r of rows) {
    const before = snapshot.mutual[r.operation];
    if (before === undefined) {
      failures++;
      lines.push(`FAIL  ${r.operation}: not in the snapshot (new row?) — run npm run bench -- --update`);
      continue;
    }
    const change = (r.mutual - before) / before;
    const delta = `${gas(before)} → ${gas(r.mutual)} (${change >= 0 ? "+" : ""}${(change * 100).toFixed(2)}%)`;
    if (change > TOLERANCE) {
      failures++;
      lines.push(`FAIL  ${r.operation}: ${delta}, more than ${TOLERANCE * 100}% above the snapshot`);
    } else if (r.mutual < before) {
      falls++;
      lines.push(`lower ${r.operation}: ${delta}`);
    } else if (r.mutual > before) {
      lines.push(`ok    ${r.operation}: ${delta}, within ${TOLERANCE * 100}%`);
    }
  }
  for (const operation of Object.keys(snapshot.mutual)) {
    if (!rows.some((r) => r.operation === operation))
      lines.push(`note  ${operation}: in the snapshot but no longer measured`);
  }
  if (falls > 0)
    lines.push(`${falls} row(s) cheaper than the snapshot: record the gain with npm run bench -- --update`);
  lines.push(
    failures === 0
      ? `gas check passed: no row of ${rows.length} rose more than ${TOLERANCE * 100}% above scripts/bench/gas-snapshot.json`
      : `gas check FAILED: ${failures} row(s) above the snapshot (scripts/bench/gas-snapshot.json)`,
  );
  return { ok: failures === 0, lines };
}

// ------------------------------------------------------------------------------------------------
// Chart
// ------------------------------------------------------------------------------------------------

const escapeXml = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/**
 * A horizontal grouped bar chart (Mutual, OpenZeppelin, EVM floor) of the per-transaction and per-vote rows,
 * as a standalone SVG. Totals (batch totals, queue + execute) are left out to keep one scale readable.
 */
export function chartSvg(rows: Row[], title: string): string {
  const shown = rows.filter((r) => !r.operation.includes(", total") && r.operation !== "queue + execute");
  const series = [
    { key: "Mutual", color: "#2f6f4f", value: (r: Row) => r.mutual },
    { key: "OpenZeppelin", color: "#8a8f98", value: (r: Row) => r.openzeppelin },
    { key: "EVM floor", color: "#e0b341", value: (r: Row) => r.floor },
  ];
  // About 6.5 px per character of a 12 px sans-serif label.
  const labelWidth = Math.max(200, Math.ceil(Math.max(...shown.map((r) => r.operation.length)) * 6.5) + 16);
  const plotWidth = 520;
  const bar = 11;
  const groupGap = 14;
  const top = 70;
  const groupHeight = series.length * bar + groupGap;
  const height = top + shown.length * groupHeight + 40;
  const width = labelWidth + plotWidth + 90;
  const max = Math.max(...shown.flatMap((r) => series.map((s) => s.value(r) ?? 0)));
  const step = 25_000;
  const axisMax = Math.ceil(max / step) * step;
  const x = (v: number) => labelWidth + (v / axisMax) * plotWidth;

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="12" y="24" font-size="15" font-weight="600">${escapeXml(title)}</text>`,
  );
  series.forEach((s, i) => {
    const lx = labelWidth + i * 140;
    out.push(
      `<rect x="${lx}" y="38" width="12" height="12" fill="${s.color}"/>`,
      `<text x="${lx + 18}" y="48">${escapeXml(s.key)}</text>`,
    );
  });
  for (let v = 0; v <= axisMax; v += step) {
    const gx = x(v).toFixed(1);
    out.push(
      `<line x1="${gx}" y1="${top - 6}" x2="${gx}" y2="${height - 34}" stroke="#e5e7eb"/>`,
      `<text x="${gx}" y="${height - 18}" text-anchor="middle" fill="#555">${v === 0 ? "0" : `${v / 1000}k`}</text>`,
    );
  }
  shown.forEach((r, g) => {
    const gy = top + g * groupHeight;
    out.push(
      `<text x="${labelWidth - 8}" y="${gy + (series.length * bar) / 2 + 4}" text-anchor="end">${escapeXml(r.operation)}</text>`,
    );
    series.forEach((s, i) => {
      const value = s.value(r);
      const y = gy + i * bar;
      if (value === null) {
        out.push(`<text x="${labelWidth + 4}" y="${y + bar - 2}" font-size="10" fill="#888">n/a</text>`);
        return;
      }
      out.push(
        `<rect x="${labelWidth}" y="${y}" width="${(x(value) - labelWidth).toFixed(1)}" height="${bar - 2}" fill="${s.color}"><title>${escapeXml(`${r.operation}: ${s.key} ${gas(value)}`)}</title></rect>`,
        `<text x="${(x(value) + 4).toFixed(1)}" y="${y + bar - 2}" font-size="10" fill="#333">${gas(value)}</text>`,
      );
    });
  });
  out.push(
    `<text x="${labelWidth + plotWidth / 2}" y="${height - 4}" text-anchor="middle" fill="#555">gas (receipt.gasUsed; per vote for batches)</text>`,
  );
  out.push(`</svg>`);
  return `${out.join("\n")}\n`;
}

/**
 * Benchmark of the audit's replay (lib/replay): synthetic histories of decoded events (no chain), replayed
 * event by event. Prints events per second and heap: the peak while replaying and what the model retains
 * after a garbage collection. The rows vary the number of events with members and proposals fixed (top-ups),
 * then members and proposals with events fixed, to show what memory follows.
 *
 *   npm run bench:audit
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

import { Replay } from "../../lib/replay/model.ts";
import { SYNTHETIC_COOP, syntheticHistory, type SyntheticShape } from "./synthetic-history.ts";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const MB = 1024 * 1024;
const heap = () => process.memoryUsage().heapUsed;

interface Row {
  shape: SyntheticShape;
  events: number;
  seconds: number;
  peak: number;
  retained: number;
  findings: number;
}

function run(shape: SyntheticShape): Row {
  gc();
  const base = heap();
  let peak = 0;
  const replay = new Replay(SYNTHETIC_COOP);
  const started = process.hrtime.bigint();
  let n = 0;
  for (const e of syntheticHistory(shape)) {
    replay.apply(e);
    if (++n % 5_000 === 0) peak = Math.max(peak, heap() - base);
  }
  replay.close();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  peak = Math.max(peak, heap() - base);
  gc();
  const retained = heap() - base;
  const row = { shape, events: replay.events, seconds, peak, retained, findings: replay.findings.length };
  if (replay.findings.length > 0) console.error(replay.findings.slice(0, 5));
  return row;
}

const shapes: [string, SyntheticShape][] = [
  ["the target: 1,000 members, 500 proposals, 100,000 votes", { members: 1000, proposals: 500, votes: 100_000 }],
  [
    "same co-op, every vote topped up once (2x vote events)",
    { members: 1000, proposals: 500, votes: 100_000, ballotsPerVoter: 2 },
  ],
  [
    "same co-op, every vote topped up twice (3x vote events)",
    { members: 1000, proposals: 500, votes: 100_000, ballotsPerVoter: 3 },
  ],
  ["2,000 members", { members: 2000, proposals: 500, votes: 100_000 }],
  ["1,000 proposals", { members: 1000, proposals: 1000, votes: 100_000 }],
  ["half the votes (50,000 voter-proposal pairs)", { members: 1000, proposals: 500, votes: 50_000 }],
];

run({ members: 100, proposals: 50, votes: 2_000 }); // warm-up
console.log("Replay benchmark (lib/replay): synthetic decoded events, no chain\n");
console.log(
  `${"history".padEnd(58)} ${"members".padStart(7)} ${"props".padStart(5)} ${"pairs".padStart(7)} ${"events".padStart(8)} ${"events/s".padStart(9)} ${"peak heap".padStart(10)} ${"retained".padStart(9)}`,
);
let failed = false;
for (const [label, shape] of shapes) {
  const r = run(shape);
  failed ||= r.findings > 0;
  console.log(
    `${label.padEnd(58)} ${String(shape.members).padStart(7)} ${String(shape.proposals).padStart(5)} ${String(shape.votes).padStart(7)} ${String(r.events).padStart(8)} ${Math.round(
      r.events / r.seconds,
    )
      .toLocaleString("en")
      .padStart(
        9,
      )} ${`${(r.peak / MB).toFixed(1)} MB`.padStart(10)} ${`${(r.retained / MB).toFixed(1)} MB`.padStart(9)}${r.findings > 0 ? `  ${r.findings} FINDINGS` : ""}`,
  );
}
console.log(`
Retained heap is the model after replay (members, proposals and one receipt per voter-proposal pair, which the
governor keeps too). It does not grow with the number of events: more vote events on the same pairs (top-ups)
leave it unchanged, while more members, proposals or pairs raise it.`);
if (failed) {
  console.error("the replay found events that contradict the rules in a synthetic history that obeys them");
  process.exit(1);
}

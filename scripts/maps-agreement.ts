// SPDX-License-Identifier: GPL-2.0-only
// Replays the recorded map traces (fixtures/traces/maps) on the emulator and
// prints agreement per map type; with --diffs, the first differences.
// `npx tsx scripts/maps-agreement.ts [--diffs [N]] [filter]`

import { readFileSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { traceMapType } from "../src/corpus/maps.ts";
import { compareTrace, formatDifference } from "../src/trace/compare.ts";
import { parseTrace } from "../src/trace/format.ts";
import { replayOnEmulator } from "../src/trace/replay.ts";

const DIR = join(resolve(dirname(fileURLToPath(import.meta.url)), ".."), "fixtures", "traces", "maps");

export function listTraceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...listTraceFiles(p));
    else if (e.name.endsWith(".jsonl")) out.push(p);
  }
  return out.sort();
}

const args = process.argv.slice(2);
const diffs = args.includes("--diffs");
const nIdx = args.indexOf("--diffs");
const maxDiffs = nIdx >= 0 && /^\d+$/.test(args[nIdx + 1] ?? "") ? Number(args[nIdx + 1]) : 30;
const filter = args.find((a, i) => !a.startsWith("--") && !(i === nIdx + 1 && /^\d+$/.test(a)));
const rows = new Map<string, { ops: number; agree: number }>();
let shown = 0;
for (const file of listTraceFiles(DIR)) {
  const trace = parseTrace(readFileSync(file, "utf8"));
  if (filter && !trace.name.includes(filter)) continue;
  const cmp = compareTrace(trace, replayOnEmulator(trace).outcomes);
  const key = traceMapType(trace.name);
  const row = rows.get(key) ?? { ops: 0, agree: 0 };
  for (const c of cmp) {
    if (!c.compared || c.op.op !== "bpf") continue;
    row.ops++;
    if (c.diffs.length === 0) row.agree++;
    else if (diffs && shown < maxDiffs) {
      shown++;
      console.log(`${trace.name} op ${c.index} cmd ${c.op.cmd} ${c.op.note ?? ""}: ${c.diffs.map(formatDifference).join("; ")} | emu: ${c.actual?.reason ?? ""}`);
    }
  }
  rows.set(key, row);
}
let ops = 0;
let agree = 0;
for (const [k, r] of [...rows].sort()) {
  ops += r.ops;
  agree += r.agree;
  console.log(`${k.padEnd(24)} ${String(r.agree).padStart(6)}/${String(r.ops).padEnd(6)} ${((100 * r.agree) / r.ops).toFixed(2)}%`);
}
console.log(`${"total".padEnd(24)} ${String(agree).padStart(6)}/${String(ops).padEnd(6)} ${((100 * agree) / ops).toFixed(2)}%`);

// SPDX-License-Identifier: GPL-2.0-only
// Records the func_info / line_info corpus (src/corpus/btfinfo.ts) on the
// live kernel and writes one trace per file to fixtures/traces/btfinfo/.
// Needs root and a working bpf(); the runner works in private mount and
// network namespaces. Usage: npx tsx scripts/record-btfinfo-traces.ts

import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { btfInfoCorpus } from "../src/corpus/btfinfo.ts";
import { kernelAvailability, runTracesOnKernelDetailed } from "../src/oracle/native.ts";
import { serializeTrace } from "../src/trace/format.ts";
import { compareTrace, formatDifference, type OpOutcome } from "../src/trace/compare.ts";

const OUT = join(resolve(dirname(fileURLToPath(import.meta.url)), ".."), "fixtures", "traces", "btfinfo");

const avail = kernelAvailability();
if (!avail.ok) {
  console.error(`cannot record: ${avail.reason}`);
  process.exit(1);
}
const corpus = btfInfoCorpus();
// Two runs: a trace whose results differ between them carries something host-specific that needs a mask.
const [first, second] = [await runTracesOnKernelDetailed(corpus, { parallel: 2 }), await runTracesOnKernelDetailed(corpus, { parallel: 2 })];
const failed = [...first, ...second].filter((r) => !r.ok);
for (const r of failed) console.error(`${r.trace.name}: ${(r as { error: string }).error}`);
if (failed.length) process.exit(1);
let unstable = 0;
first.forEach((r, i) => {
  // The second recording's results as outcomes of the first: only unmasked differences count.
  const outcomes: OpOutcome[] = second[i]!.trace.ops.map((op) => (op.expect ? { ...op.expect } : { ret: 0 }));
  const diffs = compareTrace(r.trace, outcomes).filter((c) => c.diffs.length);
  if (diffs.length) {
    unstable++;
    console.error(`${r.trace.name}: the two recordings differ: ${diffs.map((c) => `#${c.index} ${c.diffs.map(formatDifference).join("; ")}`).join(" | ")}`);
  }
});
if (unstable) process.exit(1);
mkdirSync(OUT, { recursive: true });
for (const f of readdirSync(OUT)) if (f.endsWith(".jsonl")) rmSync(join(OUT, f));
for (const r of first) writeFileSync(join(OUT, `${r.trace.name.replace(/^btfinfo\//, "")}.jsonl`), serializeTrace(r.trace));
console.log(`recorded ${first.length} traces into ${OUT}`);

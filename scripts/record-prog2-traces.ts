// SPDX-License-Identifier: GPL-2.0-only
// Records the second programs corpus (src/corpus/progs2.ts) on the live
// kernel into one bundle per class, fixtures/traces/progs2/<class>.jsonl.gz.
// Needs root and a working bpf(); run with
// `npx tsx scripts/record-prog2-traces.ts [name-substring]`. With a filter,
// only the matching traces are recorded and printed (nothing is written).

import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { prog2Corpus } from "../src/corpus/progs2.ts";
import { serializeTraceBundle } from "../src/corpus/index.ts";
import { kernelAvailability, runTracesOnKernelDetailed } from "../src/oracle/native.ts";
import type { Trace } from "../src/trace/format.ts";

const OUT = join(resolve(dirname(fileURLToPath(import.meta.url)), ".."), "fixtures", "traces", "progs2");

const avail = kernelAvailability();
if (!avail.ok) {
  console.error(`cannot record: ${avail.reason}`);
  process.exit(1);
}
const filter = process.argv[2];
const corpus = prog2Corpus().filter((t) => filter === undefined || t.name.includes(filter));
const t0 = Date.now();
const results = await runTracesOnKernelDetailed(corpus, { timeoutMs: 60000 });
const failed = results.filter((r) => !r.ok);
for (const r of failed) console.error(`${r.trace.name}: ${(r as { error: string }).error}`);
if (failed.length) process.exit(1);
if (filter !== undefined) {
  for (const r of results) console.log(serializeTraceBundle([r.trace]));
  process.exit(0);
}
const byClass = new Map<string, Trace[]>();
for (const r of results) {
  const cls = r.trace.name.split("/")[1]!;
  byClass.set(cls, [...(byClass.get(cls) ?? []), r.trace]);
}
mkdirSync(OUT, { recursive: true });
for (const f of readdirSync(OUT)) if (f.endsWith(".jsonl.gz")) rmSync(join(OUT, f));
for (const [cls, ts] of byClass) writeFileSync(join(OUT, `${cls}.jsonl.gz`), gzipSync(serializeTraceBundle(ts)));
console.log(`recorded ${results.length} traces in ${byClass.size} classes into ${OUT} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);

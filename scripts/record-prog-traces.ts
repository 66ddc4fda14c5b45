// SPDX-License-Identifier: GPL-2.0-only
// Records the programs corpus (src/corpus/progs.ts) on the live kernel
// and writes one trace per file to fixtures/traces/progs/. Needs root and a
// working bpf(); run with `npx tsx scripts/record-prog-traces.ts`.

import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { progCorpus } from "../src/corpus/progs.ts";
import { kernelAvailability, runTracesOnKernelDetailed } from "../src/oracle/native.ts";
import { serializeTrace } from "../src/trace/format.ts";

const OUT = join(resolve(dirname(fileURLToPath(import.meta.url)), ".."), "fixtures", "traces", "progs");

const avail = kernelAvailability();
if (!avail.ok) {
  console.error(`cannot record: ${avail.reason}`);
  process.exit(1);
}
const results = await runTracesOnKernelDetailed(progCorpus());
const failed = results.filter((r) => !r.ok);
for (const r of failed) console.error(`${r.trace.name}: ${(r as { error: string }).error}`);
if (failed.length) process.exit(1);
mkdirSync(OUT, { recursive: true });
for (const f of readdirSync(OUT)) if (f.endsWith(".jsonl")) rmSync(join(OUT, f));
for (const r of results) {
  const file = join(OUT, `${r.trace.name.replace(/^progs\//, "")}.jsonl`);
  writeFileSync(file, serializeTrace(r.trace));
}
console.log(`recorded ${results.length} traces into ${OUT}`);

// SPDX-License-Identifier: GPL-2.0-only
// Records the map corpus (src/corpus/maps.ts) on the live kernel into
// fixtures/traces/maps/<type>/<case>.jsonl. Needs root and a working bpf();
// run with `npx tsx scripts/record-map-traces.ts`.

import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { mapCorpus } from "../src/corpus/maps.ts";
import { kernelAvailability, runTracesOnKernelDetailed } from "../src/oracle/native.ts";
import { serializeTrace } from "../src/trace/format.ts";

const OUT = join(resolve(dirname(fileURLToPath(import.meta.url)), ".."), "fixtures", "traces", "maps");

const avail = kernelAvailability();
if (!avail.ok) {
  console.error(`cannot record: ${avail.reason}`);
  process.exit(1);
}
const results = await runTracesOnKernelDetailed(mapCorpus(), { timeoutMs: 60000 });
const failed = results.filter((r) => !r.ok);
for (const r of failed) console.error(`${r.trace.name}: ${(r as { error: string }).error}`);
if (failed.length) process.exit(1);
rmSync(OUT, { recursive: true, force: true });
for (const r of results) {
  const file = join(OUT, `${r.trace.name.replace(/^maps\//, "")}.jsonl`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, serializeTrace(r.trace));
}
console.log(`recorded ${results.length} traces into ${OUT}`);

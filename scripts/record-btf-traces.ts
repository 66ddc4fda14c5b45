// SPDX-License-Identifier: GPL-2.0-only
// Records the BTF corpus (src/corpus/btf.ts) on the live kernel into one
// bundle, fixtures/traces/btf/btf.jsonl.gz. Needs root and a working bpf();
// run with `npx tsx scripts/record-btf-traces.ts`.

import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { btfCorpus } from "../src/corpus/btf.ts";
import { serializeTraceBundle } from "../src/corpus/index.ts";
import { kernelAvailability, runTracesOnKernelDetailed } from "../src/oracle/native.ts";

const OUT = join(resolve(dirname(fileURLToPath(import.meta.url)), ".."), "fixtures", "traces", "btf", "btf.jsonl.gz");

const avail = kernelAvailability();
if (!avail.ok) {
  console.error(`cannot record: ${avail.reason}`);
  process.exit(1);
}
const results = await runTracesOnKernelDetailed(btfCorpus(), { timeoutMs: 60000 });
const failed = results.filter((r) => !r.ok);
for (const r of failed) console.error(`${r.trace.name}: ${(r as { error: string }).error}`);
if (failed.length) process.exit(1);
mkdirSync(dirname(OUT), { recursive: true });
rmSync(OUT.replace(/\.gz$/, ""), { force: true });
writeFileSync(OUT, gzipSync(serializeTraceBundle(results.map((r) => r.trace))));
console.log(`recorded ${results.length} traces into ${OUT}`);

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
import { LOG_BASE } from "../src/corpus/prog_builder.ts";
import type { Mask, Trace, TraceOp } from "../src/trace/format.ts";

/**
 * A level-1 log that names maps prints their kernel addresses (ld_imm64 of a
 * map fd): mask only those 18-character addresses, in the text and in the
 * stale tail past its NUL, instead of the whole log region. log_true_size
 * stays compared (the addresses have a fixed width). Logs naming anything of
 * variable width (map ids) and BPF_LOG_STATS logs keep their whole mask.
 */
function narrowLogMasks(t: Trace): Trace {
  const ops = t.ops.map((op): TraceOp => {
    if (op.op !== "bpf" || op.cmd !== 5 || !op.expect || !op.mask?.mem) return op;
    const level = new DataView(op.attr.buffer, op.attr.byteOffset).getUint32(24, true);
    if (level & 4) return op;
    const logMasks = op.mask.mem.filter((m) => m.addr >= LOG_BASE);
    if (logMasks.length !== 1) return op;
    const region = logMasks[0]!;
    const image = op.expect.mem.find((m) => m.addr === region.addr);
    const text = image ? new TextDecoder("latin1").decode(image.bytes) : "";
    if (/map\[id:|prog\[id:|btf_id/.test(text)) return op;
    const ranges = [...text.matchAll(/0xffff[0-9a-f]{12}/g)].map((m) => ({ addr: region.addr + BigInt(m.index!), len: 18 }));
    // The stale tail may begin inside an address the final summary line cut: mask that fragment.
    const nul = text.indexOf("\0");
    const frag = nul >= 0 ? /^[0-9a-fx]{1,17}(?= {2,};)/.exec(text.slice(nul + 1)) : null;
    if (frag) ranges.push({ addr: region.addr + BigInt(nul + 1), len: frag[0].length });
    const mem = [...op.mask.mem.filter((m) => m !== region), ...ranges];
    const attr = (op.mask.attr ?? []).filter(([o]) => o !== 140);
    const mask: Mask = { ...(op.mask.ret ? { ret: true } : {}), ...(attr.length ? { attr } : {}), ...(mem.length ? { mem } : {}) };
    const { mask: _m, ...rest } = op;
    return Object.keys(mask).length ? { ...rest, mask } : rest;
  });
  return { ...t, ops };
}

const OUT = join(resolve(dirname(fileURLToPath(import.meta.url)), ".."), "fixtures", "traces", "progs2");

const avail = kernelAvailability();
if (!avail.ok) {
  console.error(`cannot record: ${avail.reason}`);
  process.exit(1);
}
const filter = process.argv[2];
const corpus = prog2Corpus().filter((t) => filter === undefined || t.name.includes(filter));
const t0 = Date.now();
const raw = await runTracesOnKernelDetailed(corpus, { timeoutMs: 60000 });
const results = raw.map((r) => (r.ok ? { ...r, trace: narrowLogMasks(r.trace) } : r));
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

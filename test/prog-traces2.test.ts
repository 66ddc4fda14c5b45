// SPDX-License-Identifier: GPL-2.0-only
// Replays the second programs corpus (fixtures/traces/progs2, recorded on
// Linux 6.18 by scripts/record-prog2-traces.ts) on the emulator. A case (one
// trace: its maps, one PROG_LOAD, maybe a test run) agrees when every call
// in it agrees. Agreement is printed per class, with the masks as recorded
// (logs naming map ids or host times masked) and with every log byte and
// log_true_size compared. The recorded traces are the expected values.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import "../src/index.ts";
import { stripExpectations } from "../src/cli/trace-cases.ts";
import { parseTraceBundle } from "../src/corpus/index.ts";
import { unmaskLogs } from "./support/prog-logs.ts";
import { prog2Corpus } from "../src/corpus/progs2.ts";
import { compareTrace, formatDifference, type OpOutcome } from "../src/trace/compare.ts";
import { kernelAvailability, runTracesOnKernelDetailed } from "../src/oracle/native.ts";
import type { Trace } from "../src/trace/format.ts";
import { replayOnEmulator } from "../src/trace/replay.ts";

const avail = kernelAvailability();
if (!avail.ok) console.log(`[prog-traces2.test] live re-recording skipped: ${avail.reason}`);

const DIR = join(import.meta.dirname, "..", "fixtures", "traces", "progs2");
const traces: Trace[] = readdirSync(DIR)
  .filter((f) => f.endsWith(".jsonl.gz"))
  .sort()
  .flatMap((f) => parseTraceBundle(gunzipSync(readFileSync(join(DIR, f))).toString("utf8")));

/**
 * The trace with the log masks (log window and log_true_size) removed, but
 * for the host-specific bytes no emulator can know: kernel addresses (masks of up to 18
 * bytes) and BPF_LOG_STATS logs, which print the host's verification time.
 */
const unmaskHostless = (t: Trace): Trace =>
  unmaskLogs(t, { keepMem: (m) => m.len <= 18, keepOp: (op) => (new DataView(op.attr.buffer, op.attr.byteOffset).getUint32(24, true) & 4) !== 0 });

interface Tally {
  cases: number;
  agree: number;
  verdict: number;
  perClass: Map<string, [number, number]>;
  /** Cases whose return values differ without a "bpfemu:" reason. */
  wrong: string[];
  /** Cases the emulator declares not emulated. */
  unsupported: number;
}

function tally(ts: readonly Trace[]): Tally {
  const r: Tally = { cases: 0, agree: 0, verdict: 0, perClass: new Map(), wrong: [], unsupported: 0 };
  for (const t of ts) {
    const replay = replayOnEmulator(t);
    const cmp = compareTrace(t, replay.outcomes).filter((c) => c.compared && c.op.op === "bpf");
    const ok = cmp.every((c) => c.diffs.length === 0);
    const retDiffs = cmp.filter((c) => c.diffs.some((d) => d.kind === "ret"));
    const cls = t.name.split("/")[1]!;
    const pc = r.perClass.get(cls) ?? [0, 0];
    pc[1]++;
    r.cases++;
    if (ok) {
      r.agree++;
      pc[0]++;
    }
    if (retDiffs.length === 0) r.verdict++;
    else if (retDiffs.some((c) => replay.outcomes[c.index]?.reason?.includes("bpfemu:"))) r.unsupported++;
    else r.wrong.push(`${t.name}#${retDiffs[0]!.index}: ${retDiffs[0]!.diffs.filter((d) => d.kind === "ret").map(formatDifference).join("; ")}`);
    r.perClass.set(cls, pc);
  }
  return r;
}

describe("programs corpus 2 replay (recorded on 6.18)", () => {
  it("has one recording per corpus trace", () => {
    expect(traces.map((t) => t.name).sort()).toEqual(prog2Corpus().map((t) => t.name).sort());
    expect(traces.every((t) => t.recordedOn !== null)).toBe(true);
  });

  it("agrees with the kernel (numbers printed per class)", () => {
    const masked = tally(traces);
    const withLog = tally(traces.map(unmaskHostless));
    const pct = (a: number, b: number): string => ((100 * a) / b).toFixed(1) + "%";
    const rows = [...masked.perClass].map(([cls, [a, n]]) => `    ${cls.padEnd(16)} ${String(a).padStart(4)}/${String(n).padEnd(4)} logs compared ${withLog.perClass.get(cls)![0]}/${n}`);
    console.log(
      `programs corpus 2: ${masked.cases} cases\n` +
        `  masks as recorded: ${masked.agree}/${masked.cases} (${pct(masked.agree, masked.cases)}), verdicts ${masked.verdict}/${masked.cases}, declared unsupported ${masked.unsupported}\n` +
        `  logs compared:     ${withLog.agree}/${withLog.cases} (${pct(withLog.agree, withLog.cases)})\n` +
        rows.join("\n") +
        (masked.wrong.length ? `\n  wrong verdicts (${masked.wrong.length}):\n    ` + masked.wrong.slice(0, 40).join("\n    ") : ""),
    );
    expect(masked.cases).toBeGreaterThanOrEqual(800);
    // Issue #6: at least 97% with the logs masked, 90% with them compared; a verdict may differ
    // only where the emulator says it does not emulate something ("bpfemu: ...").
    expect(masked.agree / masked.cases).toBeGreaterThanOrEqual(0.97);
    expect(withLog.agree / withLog.cases).toBeGreaterThanOrEqual(0.96);
    expect(masked.wrong).toEqual([]);
  });

  it.skipIf(!avail.ok)("re-recording every 7th case on this kernel gives the committed results (masks hold)", async () => {
    const sample = traces.filter((_, i) => i % 7 === 0);
    const fresh = await runTracesOnKernelDetailed(sample.map(stripExpectations), { timeoutMs: 60000 });
    expect(fresh.filter((r) => !r.ok).map((r) => r.trace.name)).toEqual([]);
    const stale: string[] = [];
    fresh.forEach((r, i) => {
      const outcomes = r.trace.ops.map((op): OpOutcome => (op.op === "bpf" && op.expect ? { ...op.expect } : { ret: 0 }));
      for (const c of compareTrace(sample[i]!, outcomes)) if (c.diffs.length) stale.push(`${sample[i]!.name}#${c.index}: ${c.diffs.map(formatDifference).join("; ")}`);
    });
    console.log(`[prog-traces2.test] re-recorded ${sample.length} cases, ${stale.length} differ`);
    expect(stale.slice(0, 10)).toEqual([]);
  });
});

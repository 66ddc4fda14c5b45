// SPDX-License-Identifier: GPL-2.0-only
// Every committed trace under fixtures/traces/** replayed on the emulator
// (no root needed), with agreement reported per fixture directory and
// family; and, when the live kernel is usable, a re-recording of a sample of
// the core corpus checked against the committed expectations, plus the live
// emulator-vs-kernel agreement. Expected values are the kernel's recordings.

import { describe, expect, it } from "vitest";
import { generateCorpus } from "../src/corpus/index.ts";
import { agreementLine, byFamily, formatFamilies, replayAndCompare, type TraceResult } from "../src/corpus/report.ts";
import { fixtureDirOf, fixtureTraces } from "../src/cli/trace-files.ts";
import { stripExpectations } from "../src/cli/trace-cases.ts";
import { kernelAvailability, runTracesOnKernelDetailed } from "../src/oracle/native.ts";
import { compareTrace, formatDifference, type OpOutcome } from "../src/trace/compare.ts";
import type { Trace } from "../src/trace/format.ts";

const fixtures = fixtureTraces();

describe("committed traces", () => {
  it("exist, parse, carry the kernel's results and have unique names", () => {
    expect(fixtures.length).toBeGreaterThan(5000);
    const names = new Map<string, string>();
    for (const { file, trace } of fixtures) {
      const prev = names.get(trace.name);
      expect(prev, `${trace.name} in both ${prev} and ${file}`).toBeUndefined();
      names.set(trace.name, file);
      expect(trace.recordedOn, `${file}: ${trace.name} was never recorded`).not.toBeNull();
      for (const op of trace.ops) if (op.op === "bpf") expect(op.expect, `${trace.name}: a bpf op without expect`).toBeDefined();
    }
  });

  it("the core corpus covers all 38 commands with at least 5000 cases", () => {
    const core = fixtures.filter((f) => fixtureDirOf(f.file) === "core");
    expect(core.length).toBeGreaterThanOrEqual(5000);
    const cmds = new Set<number>();
    for (const { trace } of core) for (const op of trace.ops) if (op.op === "bpf" && op.cmd >= 0 && op.cmd < 38) cmds.add(op.cmd);
    expect(cmds.size).toBe(38);
  });

  it("the committed core corpus is what the generators produce (re-record after changing them)", () => {
    const committed = new Set(fixtures.filter((f) => fixtureDirOf(f.file) === "core").map((f) => f.trace.name));
    const generated = generateCorpus().map((c) => c.trace.name);
    const missing = generated.filter((n) => !committed.has(n));
    expect(missing.slice(0, 10), `${missing.length} generated cases are not recorded: run npx bpfemu record all -o fixtures/traces/core/ --gzip`).toEqual([]);
    expect(committed.size).toBe(generated.length);
  });

  it("replay on the emulator (agreement per directory and family; divergences are checked in divergences.test.ts)", () => {
    const started = Date.now();
    const results: TraceResult[] = [];
    const dirOf = new Map<Trace, string>();
    for (const { file, trace } of fixtures) {
      dirOf.set(trace, fixtureDirOf(file));
      results.push(replayAndCompare(trace));
    }
    const threw = results.filter((r) => r.replay.stopped?.error.includes("threw"));
    console.log(
      `[traces.test] ${fixtures.length} committed traces replayed in ${((Date.now() - started) / 1000).toFixed(1)} s\n` +
        formatFamilies(byFamily(results, (t) => (dirOf.get(t) === "core" ? `core/${t.name.split("/")[1]}` : dirOf.get(t)!)), "dir/family") +
        `\n${agreementLine(results.filter((r) => r.agrees).length, results.length)}` +
        (threw.length ? `\n${threw.length} replays stopped because sys_bpf threw (emulator bugs), e.g. ${threw[0]!.trace.name}: ${threw[0]!.replay.stopped!.error}` : ""),
    );
    expect(results.length).toBe(fixtures.length);
  });
});

const avail = kernelAvailability();
if (!avail.ok) console.log(`[traces.test] live diff skipped: ${avail.reason}`);

describe.skipIf(!avail.ok)("live kernel", () => {
  // Every 8th core case: a few seconds of kernel time.
  const sample = fixtures.filter((f) => fixtureDirOf(f.file) === "core").filter((_, i) => i % 8 === 0).map((f) => f.trace);

  it("re-recording a sample of the core corpus gives the committed results, and the emulator is compared live", async () => {
    const fresh = await runTracesOnKernelDetailed(sample.map(stripExpectations));
    const failed = fresh.filter((r) => !r.ok);
    expect(failed.map((r) => `${r.trace.name}: ${(r as { error: string }).error}`)).toEqual([]);
    const stale: string[] = [];
    const live: TraceResult[] = [];
    fresh.forEach((r, i) => {
      const committed = sample[i]!;
      // The fresh recording plays the emulator's role: same comparison, same masks.
      const outcomes: OpOutcome[] = r.trace.ops.map((op) => (op.expect === undefined ? { ret: 0 } : { ...op.expect }));
      for (const c of compareTrace(committed, outcomes))
        if (c.diffs.length) stale.push(`${committed.name}#${c.index}: ${c.diffs.map(formatDifference).join("; ")}`);
      live.push(replayAndCompare(r.trace));
    });
    expect(stale.slice(0, 10), `${stale.length} committed results differ from this kernel: re-record`).toEqual([]);
    console.log(`[traces.test] live diff of ${live.length} sampled cases\n${formatFamilies(byFamily(live))}\n${agreementLine(live.filter((x) => x.agrees).length, live.length)}`);
  });
});

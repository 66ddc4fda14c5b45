// SPDX-License-Identifier: GPL-2.0-only
// Replays the func_info / line_info corpus (src/corpus/btfinfo.ts, recorded
// on Linux 6.18 by scripts/record-btfinfo-traces.ts into
// fixtures/traces/btfinfo) and checks that the emulator agrees with the
// recorded kernel results: return values, attrs written back (rec sizes,
// log_true_size), the verifier logs with their source lines, and prog info.
// The recorded traces are the expected values. Traces the emulator cannot
// follow would be listed in NOT_EMULATED and must fail with a "bpfemu:"
// reason; traces whose verifier walk differs for reasons outside BTF info
// are listed in VERIFIER_DIVERGENT and must still get the kernel's verdict.

import { describe, expect, it } from "vitest";
import "../src/index.ts";
import { readTraceFile, traceFilesUnder, FIXTURE_TRACES } from "../src/cli/trace-files.ts";
import { compareTrace, formatDifference } from "../src/trace/compare.ts";
import type { Trace } from "../src/trace/format.ts";
import { replayOnEmulator } from "../src/trace/replay.ts";
import { join } from "node:path";

const traces: Trace[] = traceFilesUnder(join(FIXTURE_TRACES, "btfinfo")).flatMap(readTraceFile);

/** Cases the emulator refuses with a "bpfemu:" reason (none at the moment). */
const NOT_EMULATED = new Set<string>([]);

/**
 * Verifier walks that differ for reasons outside func/line info (verifier.ts):
 * LD_ABS in a subprogram is also a way out of it for the 6.18 verifier
 * (the "returning from callee" path with R0=0), which the emulator does not walk.
 */
const VERIFIER_DIVERGENT = new Set(["btfinfo/func-ldabs-int-sub"]);

const PROG_LOAD = 5;

describe("func_info / line_info corpus (recorded on 6.18)", () => {
  it("has at least 60 recorded cases", () => {
    expect(traces.length).toBeGreaterThanOrEqual(60);
    expect(traces.every((t) => t.recordedOn !== null)).toBe(true);
  });

  it("agrees with the kernel on every op (numbers printed)", () => {
    let ops = 0;
    let exact = 0;
    let loads = 0;
    let loadsExact = 0;
    const bad: string[] = [];
    const notEmulated: string[] = [];
    const divergent: string[] = [];
    let tracesExact = 0;
    for (const t of traces) {
      const replay = replayOnEmulator(t);
      const cmp = compareTrace(t, replay.outcomes).filter((c) => c.compared && c.op.op === "bpf");
      const diffs = cmp.filter((c) => c.diffs.length);
      for (const c of cmp) {
        ops++;
        if (!c.diffs.length) exact++;
        if (c.op.op === "bpf" && c.op.cmd === PROG_LOAD) {
          loads++;
          if (!c.diffs.length) loadsExact++;
        }
      }
      if (!diffs.length && !replay.stopped) tracesExact++;
      const lines = diffs.map((c) => `${t.name}#${c.index}: ${c.diffs.map(formatDifference).join("; ").slice(0, 400)}`);
      if (NOT_EMULATED.has(t.name)) {
        notEmulated.push(t.name);
        // An honest refusal: the first differing load says it is not emulated.
        const first = diffs[0];
        expect(first?.actual?.reason ?? "", `${t.name} should fail with a bpfemu: reason`).toContain("bpfemu:");
        continue;
      }
      if (VERIFIER_DIVERGENT.has(t.name)) {
        // Same verdict, different walk: only the return values must agree.
        divergent.push(...(lines.length ? lines : [`${t.name}: agrees now (remove it from VERIFIER_DIVERGENT)`]));
        for (const c of diffs) expect(c.diffs.some((d) => d.kind === "ret"), `${t.name}#${c.index} verdict`).toBe(false);
        continue;
      }
      if (replay.stopped) lines.push(`${t.name}: replay stopped at #${replay.stopped.index}: ${replay.stopped.error}`);
      bad.push(...lines);
    }
    console.log(
      `btfinfo corpus: ${traces.length} traces, ${tracesExact} agree exactly; bpf calls exact ${exact}/${ops}, PROG_LOAD exact ${loadsExact}/${loads}` +
        (notEmulated.length ? `\n  not emulated (bpfemu:): ${notEmulated.join(", ")}` : "") +
        (divergent.length ? "\n  verifier walk differences (same verdict):\n    " + divergent.join("\n    ") : "") +
        (bad.length ? "\n  differences:\n    " + bad.join("\n    ") : ""),
    );
    expect(bad).toEqual([]);
  });
});

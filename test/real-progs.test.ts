// SPDX-License-Identifier: GPL-2.0-only
// Replays the real programs (bpf-progs/*.bpf.c built by clang, loaded by
// scripts/record-real-progs.ts the way libbpf would: BTF, maps, global
// data, PROG_LOAD with func/line info and a level-1 log, test runs, info)
// recorded on Linux 6.18 in fixtures/traces/real, and checks that the
// emulator gives each PROG_LOAD the kernel's verdict (an fd, or the same
// errno; an errno the emulator gives for something it does not emulate
// does not count). Agreement is printed twice: with the masks as recorded (logs that
// name kernel ids masked) and with every log byte compared. The recorded
// traces are the expected values; no clang is needed here.

import { describe, expect, it } from "vitest";
import "../src/index.ts";
import { readTraceFile, traceFilesUnder, FIXTURE_TRACES } from "../src/cli/trace-files.ts";
import { unmaskLogs } from "./support/prog-logs.ts";
import { compareTrace, formatDifference } from "../src/trace/compare.ts";
import type { Trace } from "../src/trace/format.ts";
import { replayOnEmulator } from "../src/trace/replay.ts";
import { join } from "node:path";

const PROG_LOAD = 5;
const traces: Trace[] = traceFilesUnder(join(FIXTURE_TRACES, "real")).flatMap(readTraceFile);

interface Tally {
  programs: number;
  verdicts: number;
  loadsExact: number;
  ops: number;
  opsExact: number;
  opsRet: number;
  verdictDiffs: string[];
  otherRetDiffs: string[];
}

const verdict = (ret: number): string => (ret >= 0 ? "fd" : `errno ${-ret}`);

function tally(ts: readonly Trace[]): Tally {
  const r: Tally = { programs: 0, verdicts: 0, loadsExact: 0, ops: 0, opsExact: 0, opsRet: 0, verdictDiffs: [], otherRetDiffs: [] };
  for (const t of ts) {
    const replay = replayOnEmulator(t);
    for (const c of compareTrace(t, replay.outcomes)) {
      if (!c.compared || c.op.op !== "bpf") continue;
      const retDiff = c.diffs.some((d) => d.kind === "ret");
      r.ops++;
      if (c.diffs.length === 0) r.opsExact++;
      if (!retDiff) r.opsRet++;
      if (c.op.cmd !== PROG_LOAD) {
        if (retDiff) r.otherRetDiffs.push(`${t.name}#${c.index} cmd ${c.op.cmd}: ${c.diffs.filter((d) => d.kind === "ret").map(formatDifference).join("; ")}`);
        continue;
      }
      r.programs++;
      const k = c.op.expect!.ret;
      const out = replay.outcomes[c.index];
      const e = out?.ret;
      // An errno the emulator gives because it does not emulate something ("bpfemu: ...") is no agreement, even when the numbers match.
      if (e !== undefined && verdict(k) === verdict(e) && !(out?.reason ?? "").includes("bpfemu:")) r.verdicts++;
      else r.verdictDiffs.push(`${t.name}#${c.index}: kernel ${verdict(k)}, emulator ${e === undefined ? "stopped" : verdict(e)}${out?.reason ? ` (${out.reason})` : ""}`);
      if (c.diffs.length === 0) r.loadsExact++;
    }
  }
  return r;
}

describe("real programs (clang-built, loaded as libbpf would, recorded on 6.18)", () => {
  it("has at least 40 recorded programs", () => {
    expect(traces.length).toBeGreaterThanOrEqual(40);
    expect(traces.every((t) => t.recordedOn !== null)).toBe(true);
    expect(traces.filter((t) => t.ops.some((o) => o.op === "bpf" && o.cmd === PROG_LOAD)).length).toBe(traces.length);
  });

  it("gives at least 40 programs the kernel's verdict (numbers printed)", () => {
    const masked = tally(traces);
    const withLog = tally(traces.map((t) => unmaskLogs(t)));
    const pct = (a: number, b: number): string => `${a}/${b} (${((100 * a) / b).toFixed(1)}%)`;
    // Each program is recorded twice: as libbpf loads it (BTF, func/line info) and without BTF (".nobtf").
    const noBtf = tally(traces.filter((t) => t.name.endsWith(".nobtf")));
    const libbpf = tally(traces.filter((t) => !t.name.endsWith(".nobtf")));
    console.log(
      `real programs: ${traces.length} traces, ${masked.programs} PROG_LOADs, ${masked.ops} bpf calls\n` +
        `  verdict (fd vs errno):  ${pct(masked.verdicts, masked.programs)} — with BTF as libbpf loads: ${pct(libbpf.verdicts, libbpf.programs)}, without BTF: ${pct(noBtf.verdicts, noBtf.programs)}\n` +
        `  PROG_LOAD exact, logs masked as recorded: ${pct(masked.loadsExact, masked.programs)}; every log byte compared: ${pct(withLog.loadsExact, withLog.programs)}\n` +
        `  all bpf calls: exact ${pct(masked.opsExact, masked.ops)} (logs compared: ${pct(withLog.opsExact, withLog.ops)}), ret ${pct(masked.opsRet, masked.ops)}` +
        (masked.verdictDiffs.length ? "\n  verdict differences:\n    " + masked.verdictDiffs.join("\n    ") : "") +
        (masked.otherRetDiffs.length ? "\n  other return-value differences:\n    " + masked.otherRetDiffs.slice(0, 30).join("\n    ") : ""),
    );
    expect(masked.verdicts).toBeGreaterThanOrEqual(40);
  });
});

// SPDX-License-Identifier: GPL-2.0-only
// Replays the recorded programs corpus (fixtures/traces/progs, recorded on
// Linux 6.18 by scripts/record-prog-traces.ts) on the emulator and reports
// agreement twice: with the masks as recorded (verifier logs of programs that
// print kernel addresses or host times masked) and with every log byte and
// log_true_size compared. The recorded traces are the expected values.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import "../src/index.ts";
import { unmaskLogs } from "./support/prog-logs.ts";
import { progCorpus } from "../src/corpus/progs.ts";
import { compareTrace, formatDifference } from "../src/trace/compare.ts";
import { parseTrace, type Trace } from "../src/trace/format.ts";
import { replayOnEmulator } from "../src/trace/replay.ts";

const DIR = join(import.meta.dirname, "..", "fixtures", "traces", "progs");
const traces: Trace[] = readdirSync(DIR)
  .filter((f) => f.endsWith(".jsonl"))
  .sort()
  .map((f) => parseTrace(readFileSync(join(DIR, f), "utf8")));

interface Tally {
  ops: number;
  exact: number;
  ret: number;
  diffs: string[];
}

function tally(ts: readonly Trace[]): Tally {
  const r: Tally = { ops: 0, exact: 0, ret: 0, diffs: [] };
  for (const t of ts) {
    const replay = replayOnEmulator(t);
    for (const c of compareTrace(t, replay.outcomes)) {
      if (!c.compared || c.op.op !== "bpf") continue;
      r.ops++;
      if (c.diffs.length === 0) r.exact++;
      if (!c.diffs.some((d) => d.kind === "ret")) r.ret++;
      else r.diffs.push(`${t.name}#${c.index}: ${c.diffs.filter((d) => d.kind === "ret").map(formatDifference).join("; ")}`);
    }
  }
  return r;
}

describe("programs corpus replay (recorded on 6.18)", () => {
  it("has one recording per corpus trace", () => {
    expect(traces.map((t) => t.name).sort()).toEqual(progCorpus().map((t) => t.name).sort());
    expect(traces.every((t) => t.recordedOn !== null)).toBe(true);
  });

  it("agrees with the kernel (numbers printed; return values differ only on declared unsupported features)", () => {
    const masked = tally(traces);
    const withLog = tally(traces.map((t) => unmaskLogs(t)));
    const pct = (a: number, b: number): string => ((100 * a) / b).toFixed(1) + "%";
    console.log(
      `programs corpus: ${traces.length} traces, ${masked.ops} bpf calls\n` +
        `  masks as recorded: exact ${masked.exact}/${masked.ops} (${pct(masked.exact, masked.ops)}), ret ${masked.ret}/${masked.ops} (${pct(masked.ret, masked.ops)})\n` +
        `  logs compared:     exact ${withLog.exact}/${withLog.ops} (${pct(withLog.exact, withLog.ops)})` +
        (masked.diffs.length ? "\n  ret differences:\n    " + masked.diffs.join("\n    ") : ""),
    );
    expect(masked.ops).toBeGreaterThan(100);
    // A return value may differ only where the emulator says it does not emulate something ("bpfemu: ...").
    expect(masked.diffs.filter((d) => !d.includes("bpfemu:"))).toEqual([]);
  });
});

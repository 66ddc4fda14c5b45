// SPDX-License-Identifier: GPL-2.0-only
// The token/bpffs traces of fixtures/traces/token/, recorded on Linux 6.18
// by scripts/record-token-traces.ts, replayed on the emulator: every op's
// return value, attr write-back and changed user memory must agree, overall
// and per command at >= 99%. A second part re-records the corpus on the live
// kernel (when available) and checks the fixtures are still what it says.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tokenCorpus } from "../src/corpus/token.ts";
import { kernelAvailability, runTracesOnKernel } from "../src/oracle/native.ts";
import { compareTrace, formatDifference, formatSummary, summarize, type OpComparison } from "../src/trace/compare.ts";
import { parseTrace, type Trace } from "../src/trace/format.ts";
import { replayOnEmulator } from "../src/trace/replay.ts";

const DIR = join(import.meta.dirname, "..", "fixtures", "traces", "token");

function loadFixtures(): Trace[] {
  return readdirSync(DIR)
    .filter((f) => f.endsWith(".jsonl"))
    .sort()
    .map((f) => parseTrace(readFileSync(join(DIR, f), "utf8")));
}

const CMD_NAMES: Record<number, string> = { 0: "MAP_CREATE", 1: "MAP_LOOKUP_ELEM", 2: "MAP_UPDATE_ELEM", 5: "PROG_LOAD", 6: "OBJ_PIN", 7: "OBJ_GET", 15: "OBJ_GET_INFO_BY_FD", 18: "BTF_LOAD", 19: "BTF_GET_FD_BY_ID", 36: "TOKEN_CREATE" };

describe("token traces replayed on the emulator", () => {
  const traces = loadFixtures();

  it("has the recorded corpus", () => {
    expect(traces.length).toBe(tokenCorpus().length);
    for (const t of traces) expect(t.recordedOn, t.name).not.toBeNull();
  });

  it("agrees with the kernel on >= 99% of ops, overall and per command", () => {
    const all: OpComparison[] = [];
    const divergences: string[] = [];
    for (const t of traces) {
      const r = replayOnEmulator(t);
      if (r.stopped) divergences.push(`${t.name}: replay stopped at op ${r.stopped.index}: ${r.stopped.error}`);
      for (const c of compareTrace(t, r.outcomes)) {
        all.push(c);
        if (c.compared && c.diffs.length) divergences.push(`${t.name} #${c.index}: ${c.diffs.map(formatDifference).join("; ")}`);
      }
    }
    const rows = summarize(all, (cmd) => CMD_NAMES[cmd]);
    console.log(`[token-traces] ${traces.length} traces\n${formatSummary(rows)}`);
    if (divergences.length) console.log(`[token-traces] divergences:\n${divergences.join("\n")}`);
    const total = rows.reduce((n, r) => n + r.total, 0);
    const agree = rows.reduce((n, r) => n + r.agree, 0);
    expect(total).toBeGreaterThan(300);
    expect(agree / total).toBeGreaterThanOrEqual(0.99);
    for (const r of rows) expect(r.agree / r.total, r.key).toBeGreaterThanOrEqual(0.99);
  });
});

const avail = kernelAvailability();
if (!avail.ok) console.log(`[token-traces] live re-recording skipped: ${avail.reason}`);

describe.skipIf(!avail.ok)("token corpus on the live kernel", () => {
  it("still gives the recorded results", async () => {
    const fixtures = new Map(loadFixtures().map((t) => [t.name, t]));
    const live = await runTracesOnKernel(tokenCorpus());
    const bad: string[] = [];
    for (const t of live) {
      const rec = fixtures.get(t.name);
      if (rec === undefined) {
        bad.push(`${t.name}: no fixture`);
        continue;
      }
      const outcomes = t.ops.map((o) => (o.expect === undefined ? { ret: 0 } : o.expect));
      for (const c of compareTrace(rec, outcomes)) if (c.compared && c.diffs.length) bad.push(`${t.name} #${c.index}: ${c.diffs.map(formatDifference).join("; ")}`);
    }
    expect(bad).toEqual([]);
  });
});

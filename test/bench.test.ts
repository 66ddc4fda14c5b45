// SPDX-License-Identifier: GPL-2.0-only
// `npm run bench` as users run it: every stream once, in short rounds, with
// --json. What it checks is what the figures rest on: the last line has the
// shape issue #7 promises, every stream produced a figure on each side, and
// on a usable kernel the first iteration of every stream returned the same
// values on both sides (the run prints "results differ" or "emulator
// rejects" next to a stream where they do not). The expected returns are the
// live kernel's own, read in the same run; without root or bpf() the kernel
// side is skipped with the bench's printed reason and only the emulator side
// and the JSON shape are checked.

import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..");

interface StreamRow {
  name: string;
  emulatorCallsPerSec: number | null;
  kernelCallsPerSec: number | null;
  ratio: number | null;
}

const STREAMS = [
  "reject-e2big",
  "reject-check-attr",
  "array-lookup",
  "array-update",
  "hash-lookup",
  "hash-update",
  "map-create-close",
  "hash-get-next-key-walk",
  "prog-load-100",
  "token-create",
  "trace-replay",
];

describe("npm run bench -- --json", () => {
  it("measures every stream on both sides, and both sides return the same on each", { timeout: 240_000 }, () => {
    const r = spawnSync(process.execPath, ["--import", "tsx", "bench/run.ts", "--json", "--no-memory", "--rounds", "1", "--round-ms", "20", "--cpu", "any"], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 230_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split("\n");
    const skipped = lines.find((l) => l.startsWith("kernel side skipped: "));
    if (skipped !== undefined) console.log(`bench.test: ${skipped}; only the emulator side is checked`);
    const out = JSON.parse(lines[lines.length - 1]!) as { streams: StreamRow[] };
    expect(out.streams.map((s) => s.name)).toEqual(STREAMS);
    for (const s of out.streams) {
      expect(Object.keys(s).sort()).toEqual(["emulatorCallsPerSec", "kernelCallsPerSec", "name", "ratio"]);
      expect(s.emulatorCallsPerSec, s.name).toBeGreaterThan(0);
      if (skipped !== undefined) {
        expect(s.kernelCallsPerSec).toBeNull();
        expect(s.ratio).toBeNull();
      } else {
        expect(s.kernelCallsPerSec, s.name).toBeGreaterThan(0);
        expect(s.ratio).toBeCloseTo(s.emulatorCallsPerSec! / s.kernelCallsPerSec!, 6);
      }
    }
    // A stream's line carries a note in brackets when its sides disagree, erred or produced nothing.
    const noted = lines.filter((l) => STREAMS.some((n) => l.startsWith(`${n} `)) && l.includes("["));
    expect(noted).toEqual([]);
  });
});

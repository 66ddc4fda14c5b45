// SPDX-License-Identifier: GPL-2.0-only
// Replaying recorded traces on the emulator and listing every op that differs
// from the kernel's recorded answer: what the per-family trace suites share.

import { expect } from "vitest";
import { compareTrace, formatDifference } from "../../src/trace/compare.ts";
import type { Trace } from "../../src/trace/format.ts";
import { replayOnEmulator } from "../../src/trace/replay.ts";

/** Every compared op of the traces, and `<trace>#<op> <difference>` for each one that differs. */
export function differences(ts: readonly Trace[]): { ops: number; diffs: string[] } {
  let ops = 0;
  const diffs: string[] = [];
  for (const t of ts) {
    const replay = replayOnEmulator(t);
    expect(replay.stopped, `${t.name} stopped`).toBeUndefined();
    for (const c of compareTrace(t, replay.outcomes)) {
      if (!c.compared) continue;
      ops++;
      for (const d of c.diffs) diffs.push(`${t.name}#${c.index} ${formatDifference(d)}`);
    }
  }
  return { ops, diffs };
}

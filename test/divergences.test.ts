// SPDX-License-Identifier: GPL-2.0-only
// fixtures/known-divergences.txt lists every op of a committed trace where
// the emulator and the recorded kernel disagree, one `<trace-name>#<op-index>
// <reason>` per line. This test fails on a divergence the file does not list
// (a regression, or a new trace that needs fixing or listing) and on a listed
// op that now agrees (delete the line: the file only shrinks). It covers
// every directory under fixtures/traces/**.

import { describe, expect, it } from "vitest";
import { divergencesOf, replayAndCompare } from "../src/corpus/report.ts";
import { fixtureTraces, readKnownDivergences } from "../src/cli/trace-files.ts";

const fixtures = fixtureTraces();
const known = readKnownDivergences();

describe("known divergences", () => {
  const names = new Set(fixtures.map((f) => f.trace.name));
  const diverging = new Map<string, string>();
  for (const { trace } of fixtures) for (const d of divergencesOf(replayAndCompare(trace))) diverging.set(d.key, d.reason);
  console.log(`[divergences.test] ${fixtures.length} traces, ${diverging.size} diverging ops, ${known.size} listed in fixtures/known-divergences.txt`);

  it("every diverging op is listed", () => {
    const unlisted = [...diverging].filter(([k]) => !known.has(k)).map(([k, r]) => `${k} ${r}`);
    expect(
      unlisted.slice(0, 20),
      `${unlisted.length} diverging ops are not in fixtures/known-divergences.txt: fix the emulator, or add the lines ` +
        "(npx bpfemu replay --divergences fixtures/traces prints them all)",
    ).toEqual([]);
  });

  it("every listed op still diverges (the file only shrinks)", () => {
    const fixed = [...known.values()].filter((k) => !diverging.has(k.key) && names.has(k.key.replace(/#\d+$/, "")));
    expect(
      fixed.slice(0, 20).map((k) => `line ${k.line}: ${k.key}`),
      `${fixed.length} listed ops now agree with the kernel: delete their lines from fixtures/known-divergences.txt`,
    ).toEqual([]);
  });

  it("every listed op names a committed trace", () => {
    const gone = [...known.values()].filter((k) => !names.has(k.key.replace(/#\d+$/, "")));
    expect(gone.slice(0, 20).map((k) => `line ${k.line}: ${k.key}`), `${gone.length} lines name traces that no longer exist: delete them`).toEqual([]);
  });
});

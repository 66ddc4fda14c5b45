// SPDX-License-Identifier: GPL-2.0-only
// fixtures/known-divergences.txt lists every op of a committed trace where
// the emulator and the recorded kernel disagree, one `<trace-name>#<op-index>
// <reason>` per line. This test fails on a divergence the file does not list
// (a regression, or a new trace that needs fixing or listing). A listed op
// that now agrees, or a line naming a trace that is gone, is reported so the
// line gets deleted (the file only shrinks); with BPFEMU_STRICT_DIVERGENCES=1
// (as `npm run test:strict` sets) those fail too. They are soft by default
// because several engineers land fixes at once and each fix would otherwise
// turn every other branch red until the file is regenerated. It covers every
// directory under fixtures/traces/**.

import { describe, expect, it } from "vitest";
import { divergencesOf, replayAndCompare } from "../src/corpus/report.ts";
import { fixtureTraces, readKnownDivergences } from "../src/cli/trace-files.ts";

const fixtures = fixtureTraces();
const known = readKnownDivergences();
const strict = process.env["BPFEMU_STRICT_DIVERGENCES"] === "1";

/** Fails in strict mode; otherwise prints what to delete. */
function staleLines(lines: string[], message: string): void {
  if (lines.length === 0) return;
  if (strict) expect(lines.slice(0, 20), message).toEqual([]);
  else console.warn(`[divergences.test] ${message}:\n  ${lines.slice(0, 20).join("\n  ")}${lines.length > 20 ? "\n  ..." : ""}`);
}

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
    staleLines(
      fixed.map((k) => `line ${k.line}: ${k.key}`),
      `${fixed.length} listed ops now agree with the kernel: delete their lines from fixtures/known-divergences.txt`,
    );
  });

  it("every listed op names a committed trace", () => {
    const gone = [...known.values()].filter((k) => !names.has(k.key.replace(/#\d+$/, "")));
    staleLines(
      gone.map((k) => `line ${k.line}: ${k.key}`),
      `${gone.length} lines name traces that no longer exist: delete them`,
    );
  });
});

// SPDX-License-Identifier: GPL-2.0-only
// Turning command-line arguments into cases: corpus selectors, trace files
// and directories; the bundled corpus; dropping recorded results. Node only.

import { existsSync, statSync } from "node:fs";
import { SelectionError, selectCases } from "../corpus/index.ts";
import type { Trace, TraceOp } from "../trace/format.ts";
import { UsageError } from "./common.ts";
import { FIXTURE_TRACES, expandTracePaths, isTraceFile, readTraceFile } from "./trace-files.ts";

/** Removes recorded results so that a trace can be recorded afresh. */
export function stripExpectations(t: Trace): Trace {
  return { ...t, recordedOn: null, ops: t.ops.map((op) => (op.expect === undefined ? op : ({ ...op, expect: undefined } as unknown as TraceOp))).map(dropUndefined) };
}

function dropUndefined(op: TraceOp): TraceOp {
  const o = { ...op } as Record<string, unknown>;
  if (o["expect"] === undefined) delete o["expect"];
  return o as unknown as TraceOp;
}

/** Cases named on the command line: corpus selectors, trace files and directories. */
export function resolveCases(args: readonly string[]): Trace[] {
  const selectors: string[] = [];
  const traces: Trace[] = [];
  for (const a of args) {
    if (existsSync(a) && (statSync(a).isDirectory() || isTraceFile(a) || statSync(a).isFile())) {
      try {
        for (const f of expandTracePaths([a])) traces.push(...readTraceFile(f));
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
    } else selectors.push(a);
  }
  if (selectors.length) {
    try {
      traces.push(...selectCases(selectors).map((c) => c.trace));
    } catch (e) {
      if (e instanceof SelectionError) throw new UsageError(e.message);
      throw e;
    }
  }
  return traces;
}

/** Every committed trace under fixtures/traces/** (the bundled corpus), expectations dropped. */
export function bundledCorpus(): Trace[] {
  if (!existsSync(FIXTURE_TRACES)) return selectCases(["all"]).map((c) => c.trace);
  return expandTracePaths([FIXTURE_TRACES]).flatMap((f) => readTraceFile(f)).map(stripExpectations);
}

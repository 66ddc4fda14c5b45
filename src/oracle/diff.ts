// SPDX-License-Identifier: GPL-2.0-only
// Differential run: the same traces on the live kernel and on the emulator,
// compared op by op. Node only (it drives the native runner).

import { compareTrace, summarize } from "../trace/compare.ts";
import type { AgreementCount, OpComparison } from "../trace/compare.ts";
import type { Trace } from "../trace/format.ts";
import { replayOnEmulator } from "../trace/replay.ts";
import type { ReplayOptions, ReplayResult } from "../trace/replay.ts";
import { runTracesOnKernelDetailed } from "./native.ts";
import type { KernelRunOptions } from "./native.ts";

export interface TraceDiff {
  /** The trace with the kernel's expectations recorded. */
  readonly recorded: Trace;
  readonly replay: ReplayResult;
  readonly ops: readonly OpComparison[];
  /** True when every compared op agreed and the replay ran to the end. */
  readonly agrees: boolean;
}

export interface DiffReport {
  readonly diffs: TraceDiff[];
  /** Traces the kernel runner could not run (timeout, refusal, setup failure). */
  readonly kernelFailures: { readonly trace: Trace; readonly error: string }[];
  readonly summary: AgreementCount[];
}

/**
 * Records `traces` on the kernel (ignoring any `expect` they carry), replays
 * them on fresh emulated kernels and compares. `cmdName` labels the summary.
 */
export async function diffKernelAndEmulator(
  traces: readonly Trace[],
  opts: KernelRunOptions & ReplayOptions & { readonly cmdName?: (cmd: number) => string | undefined } = {},
): Promise<DiffReport> {
  const results = await runTracesOnKernelDetailed(traces, opts);
  const diffs: TraceDiff[] = [];
  const kernelFailures: { trace: Trace; error: string }[] = [];
  for (const r of results) {
    if (!r.ok) {
      kernelFailures.push({ trace: r.trace, error: r.error });
      continue;
    }
    const replay = replayOnEmulator(r.trace, opts);
    const ops = compareTrace(r.trace, replay.outcomes);
    const agrees = replay.stopped === undefined && ops.every((o) => o.diffs.length === 0);
    diffs.push({ recorded: r.trace, replay, ops, agrees });
  }
  const summary = summarize(
    diffs.flatMap((d) => d.ops),
    opts.cmdName,
  );
  return { diffs, kernelFailures, summary };
}

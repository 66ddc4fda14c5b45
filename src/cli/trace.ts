// SPDX-License-Identifier: GPL-2.0-only
// bpfemu record / replay / diff: the differential suite as users run it.
//   record <cases...> -o <out>   run corpus cases (or case files) on the live kernel, write traces
//   replay <trace...>            run recorded traces on the emulator, compare with the kernel's answers
//   diff [cases...]              run on both and report agreement (default: the bundled corpus)

import {
  agreementLine,
  byFamily,
  commandSummary,
  divergencesOf,
  formatFamilies,
  formatTraceReport,
  replayAndCompare,
  type TraceResult,
} from "../corpus/report.ts";
import { formatSummary } from "../trace/compare.ts";
import type { Trace } from "../trace/format.ts";
import { kernelAvailability, runTracesOnKernelDetailed, type KernelRunResult } from "../oracle/native.ts";
import { UsageError, parseArgs, type Io } from "./common.ts";
import { bundledCorpus, resolveCases, stripExpectations } from "./trace-cases.ts";
import { expandTracePaths, readKnownDivergences, readTraceFile, writeTraces } from "./trace-files.ts";

function needKernel(what: string): void {
  const a = kernelAvailability();
  if (!a.ok) throw new UsageError(`${what} needs the live kernel, which is not usable here: ${a.reason}`);
}

function numOpt(opts: Map<string, string | true>, key: string): number | undefined {
  const v = opts.get(key);
  if (v === undefined) return undefined;
  if (v === true || !/^\d+$/.test(v)) throw new UsageError(`--${key} takes a number`);
  return Number(v);
}

/** Runs traces on the kernel in chunks, reporting progress on stderr when it takes a while. */
async function recordOnKernel(traces: readonly Trace[], io: Io, opts: { timeoutMs?: number; parallel?: number }): Promise<KernelRunResult[]> {
  const started = Date.now();
  const chunk = 1000;
  const out: KernelRunResult[] = [];
  let lastReport = started;
  for (let i = 0; i < traces.length; i += chunk) {
    const part = traces.slice(i, i + chunk).map(stripExpectations);
    const runOpts: { timeoutMs?: number; parallel?: number } = {};
    if (opts.timeoutMs !== undefined) runOpts.timeoutMs = opts.timeoutMs;
    if (opts.parallel !== undefined) runOpts.parallel = opts.parallel;
    out.push(...(await runTracesOnKernelDetailed(part, runOpts)));
    const now = Date.now();
    if (now - started > 3000 && (now - lastReport > 2000 || out.length === traces.length)) {
      io.err(`kernel: ${out.length}/${traces.length} cases (${((now - started) / 1000).toFixed(1)} s)`);
      lastReport = now;
    }
  }
  return out;
}

// ------------------------------------------------------------------ record

export async function record(argv: readonly string[], io: Io): Promise<number> {
  const { pos, opts } = parseArgs(argv, ["o", "output", "timeout", "parallel"]);
  const out = opts.get("o") ?? opts.get("output");
  if (pos.length === 0) throw new UsageError("record: name cases: a generator (all, entry, fuzz, sequences, size, ...), family:<name>, a glob, or a case file");
  if (out === undefined || out === true) throw new UsageError("record: -o <file.jsonl[.gz] | dir/> is required");
  const traces = resolveCases(pos);
  if (traces.length === 0) throw new UsageError("record: no cases");
  needKernel("record");
  const runOpts: { timeoutMs?: number; parallel?: number } = {};
  const to = numOpt(opts, "timeout");
  const par = numOpt(opts, "parallel");
  if (to !== undefined) runOpts.timeoutMs = to;
  if (par !== undefined) runOpts.parallel = par;
  const results = await recordOnKernel(traces, io, runOpts);
  const failed = results.filter((r): r is Extract<KernelRunResult, { ok: false }> => !r.ok);
  for (const f of failed.slice(0, 20)) io.err(`${f.trace.name}: ${f.error}`);
  const ok = results.filter((r) => r.ok).map((r) => r.trace);
  const files = writeTraces(out, ok, { gzip: opts.has("gzip") });
  io.out(`recorded ${ok.length} of ${traces.length} cases into ${files.length === 1 ? files[0] : `${files.length} files under ${out}`}${failed.length ? `; ${failed.length} failed on the kernel` : ""}`);
  return failed.length ? 1 : 0;
}

// ------------------------------------------------------------------ replay

export function replay(argv: readonly string[], io: Io): number {
  const { pos, opts } = parseArgs(argv, ["max"]);
  if (pos.length === 0) throw new UsageError("replay: name trace files or directories (e.g. fixtures/traces)");
  let files: string[];
  try {
    files = expandTracePaths(pos);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const quiet = opts.has("q") || opts.has("quiet");
  const listOnly = opts.has("divergences");
  const known = opts.has("known") ? readKnownDivergences() : undefined;
  const results: TraceResult[] = [];
  for (const f of files) {
    let traces: Trace[];
    try {
      traces = readTraceFile(f);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    for (const t of traces) {
      const r = replayAndCompare(t);
      results.push(r);
      if (listOnly) {
        for (const d of divergencesOf(r)) io.out(`${d.key} ${d.reason}`);
        continue;
      }
      if (quiet && r.agrees) continue;
      for (const l of formatTraceReport(r, { onlyDiffering: quiet })) io.out(l);
    }
  }
  const agree = results.filter((r) => r.agrees).length;
  if (listOnly) return agree === results.length ? 0 : 1;
  const divs = results.flatMap(divergencesOf);
  io.out("");
  if (results.length > 1) {
    io.out(formatSummary(commandSummary(results)));
    io.out("");
    io.out(formatFamilies(byFamily(results)));
  }
  if (known !== undefined) {
    const unlisted = divs.filter((d) => !known.has(d.key)).length;
    io.out(`${divs.length} diverging ops, ${unlisted} not in fixtures/known-divergences.txt`);
  }
  io.out(`replayed ${results.length} traces from ${files.length} files: ${agree} agree, ${results.length - agree} differ (${divs.length} diverging ops)`);
  return agree === results.length ? 0 : 1;
}

// -------------------------------------------------------------------- diff

export async function diff(argv: readonly string[], io: Io): Promise<number> {
  const { pos, opts } = parseArgs(argv, ["timeout", "parallel", "show", "o", "save"]);
  const started = Date.now();
  const traces = pos.length ? resolveCases(pos) : bundledCorpus();
  if (traces.length === 0) throw new UsageError("diff: no cases");
  needKernel("diff");
  const runOpts: { timeoutMs?: number; parallel?: number } = {};
  const to = numOpt(opts, "timeout");
  const par = numOpt(opts, "parallel");
  if (to !== undefined) runOpts.timeoutMs = to;
  if (par !== undefined) runOpts.parallel = par;
  if (traces.length > 500) io.err(`diff: ${traces.length} cases on the kernel, then on the emulator`);
  const kernel = await recordOnKernel(traces, io, runOpts);
  const failed = kernel.filter((r): r is Extract<KernelRunResult, { ok: false }> => !r.ok);
  const recorded = kernel.filter((r) => r.ok).map((r) => r.trace);
  const save = opts.get("save") ?? opts.get("o");
  if (typeof save === "string") writeTraces(save, recorded, { gzip: save.endsWith(".gz") || opts.has("gzip") });

  const t1 = Date.now();
  const results: TraceResult[] = [];
  let lastReport = t1;
  for (const t of recorded) {
    results.push(replayAndCompare(t));
    const now = Date.now();
    if (now - lastReport > 2000) {
      io.err(`emulator: ${results.length}/${recorded.length} cases (${((now - t1) / 1000).toFixed(1)} s)`);
      lastReport = now;
    }
  }
  const agree = results.filter((r) => r.agrees).length;

  io.out("per command (bpf ops, every op of every case):");
  io.out(formatSummary(commandSummary(results)));
  io.out("");
  io.out("per family (cases):");
  io.out(formatFamilies(byFamily(results)));
  const show = numOpt(opts, "show") ?? 10;
  const divs = results.flatMap(divergencesOf);
  if (divs.length) {
    io.out("");
    io.out(`first differences (${Math.min(show, divs.length)} of ${divs.length} diverging ops):`);
    const shownTraces = new Set<string>();
    for (const d of divs) {
      if (shownTraces.size >= show) break;
      if (shownTraces.has(d.trace.name)) continue;
      shownTraces.add(d.trace.name);
      const r = results.find((x) => x.trace === d.trace)!;
      for (const l of formatTraceReport(r, { onlyDiffering: true })) io.out(l);
    }
  }
  if (failed.length) {
    io.out("");
    io.out(`${failed.length} cases could not run on the kernel (not counted):`);
    for (const f of failed.slice(0, 10)) io.out(`  ${f.trace.name}: ${f.error}`);
  }
  io.out("");
  io.out(`time: kernel ${((t1 - started) / 1000).toFixed(1)} s, emulator ${((Date.now() - t1) / 1000).toFixed(1)} s`);
  io.out(agreementLine(agree, results.length));
  return agree === results.length && failed.length === 0 ? 0 : 1;
}

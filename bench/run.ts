// SPDX-License-Identifier: GPL-2.0-only
// npm run bench [-- --json] [--quick] [--rounds N] [--round-ms MS] [--no-kernel] [--no-memory] [--only NAME[,NAME]] [--trace FILE] [--cpu N|any]
//
// Runs every stream of bench/streams.ts through the emulator and through the
// live kernel (native/bench.c), stream by stream so that both sides see the
// same machine load, and prints calls/s per side and their ratio
// (emulator / kernel), each the median of the rounds. Then heap bytes per
// entry of 1M-entry array and hash maps (bench/memory.ts in a child with
// --expose-gc). With --json the last line is
//   {"streams":[{"name","emulatorCallsPerSec","kernelCallsPerSec","ratio"}]}
// Without a usable kernel (not root, no cc, bpf() refused) the kernel side is
// skipped, says why, and reports null.

import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { allStreams, type Stream } from "./streams.ts";
import { prepareOnEmulator, warmUp, type PreparedStream, type SideResult, type TimingOptions } from "./emulator.ts";
import { kernelUsable, runOnKernel } from "./native.ts";
import type { MemoryRow } from "./memory.ts";
import { errnoName } from "../src/abi/errno.ts";
import { findQuietNs, QuietGate } from "./quiet.ts";

interface Args {
  json: boolean;
  kernel: boolean;
  memory: boolean;
  memoryEntries: number;
  only: string[] | null;
  trace: string | undefined;
  cpu: string;
  /** Every stream in this process, one after the other (otherwise each stream runs in a child process of its own). */
  sameProcess: boolean;
  /** Measure round pairs whatever the CPU's state (no quiet gate, bench/quiet.ts). */
  anyState: boolean;
  /** This process is the child that measures one stream for a parent (prints its row as JSON). */
  streamChild: boolean;
  timing: TimingOptions;
}

function parseArgs(argv: readonly string[]): Args {
  const a: Args = { json: false, kernel: true, memory: true, memoryEntries: 1_000_000, only: null, trace: undefined, cpu: "idle", sameProcess: false, anyState: false, streamChild: false, timing: { rounds: 5, roundMs: 200, warmupMs: 150 } };
  for (let i = 0; i < argv.length; i++) {
    const x = argv[i]!;
    const val = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${x} needs a value`);
      return v;
    };
    if (x === "--json") a.json = true;
    else if (x === "--no-kernel") a.kernel = false;
    else if (x === "--no-memory") a.memory = false;
    else if (x === "--quick") a.timing = { rounds: 3, roundMs: 60, warmupMs: 40 };
    else if (x === "--rounds") a.timing = { ...a.timing, rounds: Number(val()) };
    else if (x === "--round-ms") a.timing = { ...a.timing, roundMs: Number(val()) };
    else if (x === "--memory-entries") a.memoryEntries = Number(val());
    else if (x === "--only") a.only = val().split(",");
    else if (x === "--trace") a.trace = val();
    else if (x === "--cpu") a.cpu = val();
    else if (x === "--same-process") a.sameProcess = true;
    else if (x === "--any-state") a.anyState = true;
    else if (x === "--stream-child") a.streamChild = true;
    else throw new Error(`unknown option ${x}`);
  }
  return a;
}

function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((p, q) => p - q);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const fmtRate = (v: number | null): string => (v === null ? "-" : v >= 1e6 ? `${(v / 1e6).toFixed(2)}M` : v >= 1e3 ? `${(v / 1e3).toFixed(1)}k` : v.toFixed(0));
const fmtRet = (r: number): string => (r < 0 ? errnoName(r) : String(r));

function describeRets(rets: readonly number[]): string {
  if (rets.length <= 6) return rets.map(fmtRet).join(",");
  return `${rets.slice(0, 5).map(fmtRet).join(",")},… (${rets.length})`;
}

interface Row {
  name: string;
  emulatorCallsPerSec: number | null;
  kernelCallsPerSec: number | null;
  ratio: number | null;
  note: string;
}

/**
 * Both sides of one stream, round by round in turn (kernel round, emulator
 * round, ...), so that a change in the machine's load between rounds hits
 * both sides alike. Each kernel round is a fresh runner child (setup, a short
 * warm-up, one timed round); the emulator keeps its task across rounds.
 */
function measure(s: Stream, kernelBin: string | null, timing: TimingOptions, gate: QuietGate | null): [SideResult | undefined, SideResult] {
  let prepared: PreparedStream;
  try {
    prepared = prepareOnEmulator(s);
    warmUp(prepared, timing.warmupMs);
  } catch (e) {
    const er: SideResult = { firstRets: [], rounds: [], error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
    return [kernelBin === null ? undefined : runOnKernel(kernelBin, [s], timing).get(s.name), er];
  }
  const eRounds: number[] = [];
  let kr: { firstRets: number[]; rounds: number[]; error?: string } | undefined;
  // Which pairs were measured on a quiet CPU (all of them without a gate).
  const quietPair: boolean[] = [];
  const kTiming: TimingOptions = { rounds: 1, roundMs: timing.roundMs, warmupMs: Math.min(timing.warmupMs, 50) };
  // With the gate, pairs go on until `rounds` of them were quiet, or twice that many were measured.
  const maxPairs = gate === null ? timing.rounds : timing.rounds * 2;
  for (let r = 0; r < maxPairs && quietPair.filter(Boolean).length < timing.rounds; r++) {
    // A pair is measured again (twice at most) when the CPU was quiet before it and contended between its rounds or after
    // them (bench/quiet.ts).
    for (let attempt = 0; ; attempt++) {
      const quietBefore = gate === null || gate.waitQuiet(GATE_WAIT_MS);
      let kRound: number | undefined;
      if (kernelBin !== null && kr?.error === undefined) {
        const one = runOnKernel(kernelBin, [s], kTiming).get(s.name);
        if (one === undefined) kr = { firstRets: [], rounds: [], error: "no result from the runner" };
        else if (one.error !== undefined) kr = { firstRets: one.firstRets, rounds: [], error: one.error };
        else {
          kr ??= { firstRets: one.firstRets, rounds: [] };
          kRound = one.rounds[0];
        }
      }
      // A probe between the two rounds too: a stretch of contention that starts and ends inside the pair is otherwise missed.
      const quietMid = gate === null || gate.stillQuiet();
      let eRound: number;
      try {
        eRound = prepared.round(timing.roundMs);
      } catch (e) {
        return [kr, { firstRets: prepared.firstRets, rounds: [], error: e instanceof Error ? (e.stack ?? e.message) : String(e) }];
      }
      let quiet = true;
      if (gate !== null) {
        const quietAfter = gate.stillQuiet() && quietMid;
        if (quietBefore && !quietAfter && attempt < 2) {
          gate.stats.redone++;
          continue;
        }
        quiet = quietBefore && quietAfter;
        if (quiet) gate.stats.quiet++;
        else gate.stats.contended++;
      }
      // Kernel rounds line up with the pairs unless the kernel side failed (then it has none and is not filtered below).
      if (kRound !== undefined) kr!.rounds.push(kRound);
      eRounds.push(eRound);
      quietPair.push(quiet);
      break;
    }
  }
  // With at least three quiet pairs, the contended ones are left out of both medians (the gate's purpose); with fewer, every
  // pair counts and the row's note says how many were quiet.
  const nQuiet = quietPair.filter(Boolean).length;
  const keep = (_: number, i: number): boolean => nQuiet < MIN_QUIET_PAIRS || quietPair[i] === true;
  const eKept = eRounds.filter(keep);
  if (kr !== undefined && kr.rounds.length === eRounds.length) kr.rounds = kr.rounds.filter(keep);
  const er: SideResult = prepared.firstReason === undefined ? { firstRets: prepared.firstRets, rounds: eKept } : { firstRets: prepared.firstRets, rounds: eKept, firstReason: prepared.firstReason };
  return [kr, er];
}

/** Quiet pairs needed for the medians to be taken over quiet pairs only. */
const MIN_QUIET_PAIRS = 3;

/** How long a round pair waits for a quiet CPU before it is measured anyway (and counted as contended). */
const GATE_WAIT_MS = 10_000;

/** The gate for this process's round pairs, from what the top-level process found (null with --any-state or no baseline). */
function makeGate(args: Args): QuietGate | null {
  if (args.anyState) return null;
  const q = Number(process.env["BPFEMU_BENCH_QUIET_NS"]);
  if (!(q > 0)) return null;
  const pinned = Number.parseInt(process.env["BPFEMU_BENCH_CPU"] ?? "", 10);
  return new QuietGate(q, Number.isInteger(pinned) ? pinned : null);
}

/** Busy share of each CPU over `ms` of wall time, from /proc/stat; null where that cannot be read. */
function cpuBusy(ms: number): number[] | null {
  const read = (): number[][] | null => {
    try {
      return readFileSync("/proc/stat", "utf8")
        .split("\n")
        .filter((l) => /^cpu\d+ /.test(l))
        .map((l) => l.trim().split(/\s+/).slice(1).map(Number));
    } catch {
      return null;
    }
  };
  const a = read();
  if (a === null) return null;
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  const b = read();
  if (b === null || b.length !== a.length) return null;
  return a.map((x, i) => {
    const y = b[i]!;
    const total = y.reduce((p, v) => p + v, 0) - x.reduce((p, v) => p + v, 0);
    // Fields 3 and 4 are idle and iowait.
    const idle = y[3]! + (y[4] ?? 0) - x[3]! - (x[4] ?? 0);
    return total > 0 ? 1 - idle / total : 0;
  });
}

/**
 * Runs the bench again under taskset on one CPU, so that both sides (this
 * process and the kernel runner children, which inherit the affinity) run on
 * the same CPU. On a small shared VM a busy kernel thread bound to one CPU
 * (a kworker) halved the CPU-time rate of whatever else ran on that CPU,
 * moving a side's figure by 2x from round to round; pinned to the idlest CPU
 * the rounds agree within a few percent. Returns true when the child ran.
 */
function pinToIdleCpu(args: Args): boolean {
  if (args.cpu === "any" || process.env["BPFEMU_BENCH_CPU"] !== undefined || process.platform !== "linux") return false;
  let cpu: number;
  let why: string;
  if (args.cpu === "idle") {
    const busy = cpuBusy(300);
    if (busy === null || busy.length < 2) return false;
    cpu = busy.indexOf(Math.min(...busy));
    why = `the idlest over 300 ms: ${busy.map((b, i) => `cpu${i} ${(b * 100).toFixed(0)}%`).join(", ")}`;
  } else {
    cpu = Number(args.cpu);
    if (!Number.isInteger(cpu) || cpu < 0) throw new Error(`--cpu wants a CPU number, idle or any, not ${args.cpu}`);
    why = "--cpu";
  }
  const argv = [process.execPath, ...process.execArgv, process.argv[1]!, ...process.argv.slice(2)];
  const env: NodeJS.ProcessEnv = { ...process.env, BPFEMU_BENCH_CPU: `${cpu} (${why})` };
  if (!args.anyState) {
    // The probe's quiet speed, from every CPU over about a second (bench/quiet.ts), before this process is pinned.
    const q = findQuietNs(24);
    if (Number.isFinite(q.quietNs) && q.cpus.length > 0) {
      env["BPFEMU_BENCH_QUIET_NS"] = String(q.quietNs);
      env["BPFEMU_BENCH_CPUS"] = q.cpus.join(",");
    }
  }
  const r = spawnSync("taskset", ["-c", String(cpu), ...argv], { stdio: ["inherit", "inherit", "inherit"], env });
  if (r.error !== undefined) return false; // no taskset: run unpinned here
  process.exitCode = r.status ?? 1;
  return true;
}

/** Both sides of one stream in this process, as a report row. */
function measureRow(s: Stream, kernelBin: string | null, args: Args): Row {
  const gate = makeGate(args);
  const [kr, er] = measure(s, kernelBin, args.timing, gate);
  const e = er.error === undefined ? median(er.rounds) : null;
  const k = kr !== undefined && kr.error === undefined ? median(kr.rounds) : null;
  const notes: string[] = [];
  if (er.error !== undefined) notes.push(`emulator error: ${er.error.split("\n")[0]}`);
  if (kr?.error !== undefined) notes.push(`kernel error: ${kr.error}`);
  if (kernelBin !== null && kr === undefined) notes.push("kernel: no result");
  if (kr !== undefined && kr.error === undefined && er.error === undefined) {
    const same = kr.firstRets.length === er.firstRets.length && kr.firstRets.every((v, i) => v === er.firstRets[i] || (v >= 0 && er.firstRets[i]! >= 0));
    if (!same) {
      const ePos = er.firstRets.some((v) => v >= 0);
      const kPos = kr.firstRets.some((v) => v >= 0);
      notes.push(`${kPos && !ePos ? "emulator rejects" : "results differ"}: kernel ${describeRets(kr.firstRets)} / emulator ${describeRets(er.firstRets)}${er.firstReason ? ` (${er.firstReason})` : ""}`);
    }
  } else if (er.error === undefined && kernelBin === null) {
    if (er.firstRets.every((v) => v < 0) && !s.name.startsWith("reject")) notes.push(`emulator rejects: ${describeRets(er.firstRets)}${er.firstReason ? ` (${er.firstReason})` : ""}`);
  }
  if (gate !== null) {
    const g = gate.stats;
    // Every pair quiet is the expected case; anything else is said, with the probe's two speeds.
    if (g.contended > 0 || g.redone > 0 || g.moves > 0)
      notes.push(
        `quiet pairs ${g.quiet}/${g.quiet + g.contended}${g.contended > 0 ? (g.quiet >= MIN_QUIET_PAIRS ? ", medians of the quiet ones" : ", medians of all") : ""}, ${g.redone} redone, ${g.moves} CPU moves (probe ${g.quietNs.toFixed(2)}-${g.slowestNs.toFixed(2)} ns)`,
      );
  }
  return { name: s.name, emulatorCallsPerSec: e, kernelCallsPerSec: k, ratio: e !== null && k !== null ? e / k : null, note: notes.join("; ") };
}

/**
 * One stream measured by a child process of its own (this script with
 * --stream-child --only NAME), as a JMH fork: V8 keeps what it learnt about
 * the types at every call site for the life of the process, and streams run
 * one after another in one process slowed the later ones by what the earlier
 * ones taught it (the replay stream ran at 185 ns per call alone and 325 after
 * the other ten). The kernel side is a fresh runner per round either way.
 * --same-process measures them all here instead.
 */
function measureInChild(s: Stream): Row {
  const pass: string[] = [];
  const raw = process.argv.slice(2);
  for (let i = 0; i < raw.length; i++) {
    const x = raw[i]!;
    if (x === "--only" || x === "--cpu") i++;
    else if (x !== "--json" && x !== "--no-memory") pass.push(x);
  }
  const argv = [...process.execArgv, process.argv[1]!, ...pass, "--only", s.name, "--no-memory", "--stream-child", "--cpu", "any"];
  const r = spawnSync(process.execPath, argv, { encoding: "utf8", timeout: 600_000, maxBuffer: 1 << 24 });
  const last = (r.stdout ?? "").trim().split("\n").pop() ?? "";
  try {
    return JSON.parse(last) as Row;
  } catch {
    const why = `${r.error?.message ?? ""} ${(r.stderr ?? "").trim().split("\n").slice(-3).join(" | ")}`.trim();
    return { name: s.name, emulatorCallsPerSec: null, kernelCallsPerSec: null, ratio: null, note: `stream child failed (status ${r.status}): ${why}` };
  }
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  if (pinToIdleCpu(args)) return;
  const t0 = performance.now();
  let streams: Stream[] = allStreams(args.trace);
  if (args.only !== null) streams = streams.filter((s) => args.only!.includes(s.name));

  let kernelBin: string | null = null;
  let kernelSkip = "";
  if (args.kernel) {
    const k = kernelUsable();
    if (k.ok) kernelBin = k.bin;
    else kernelSkip = k.reason;
  } else kernelSkip = "--no-kernel";
  const pinned = process.env["BPFEMU_BENCH_CPU"];
  if (!args.streamChild) console.log(`bpfemu bench: ${streams.length} streams, median of ${args.timing.rounds} rounds of ${args.timing.roundMs} ms per side, ${args.sameProcess ? "all streams in this process" : "each stream in a process of its own"}, ${pinned === undefined ? "not pinned to a CPU" : `both sides on cpu ${pinned}`}`);
  const quietNs = process.env["BPFEMU_BENCH_QUIET_NS"];
  if (!args.streamChild)
    console.log(
      args.anyState || quietNs === undefined
        ? "round pairs kept whatever the CPU's state (--any-state or no probe baseline)"
        : `round pairs kept when a probe loop before, between and after their rounds shows the CPU at its quiet speed (${Number(quietNs).toFixed(2)} ns per element; bench/quiet.ts; --any-state keeps every pair)`,
    );
  if (kernelBin === null && !args.streamChild) console.log(`kernel side skipped: ${kernelSkip}`);

  const rows: Row[] = [];
  for (const s of streams) {
    const row = args.sameProcess || args.streamChild ? measureRow(s, kernelBin, args) : measureInChild(s);
    if (args.streamChild) {
      console.log(JSON.stringify(row));
      return;
    }
    rows.push(row);
    console.log(
      `${s.name.padEnd(24)} emulator ${fmtRate(row.emulatorCallsPerSec).padStart(8)}/s  kernel ${fmtRate(row.kernelCallsPerSec).padStart(8)}/s  ratio ${row.ratio === null ? "-" : `${row.ratio.toFixed(1)}x`}${row.note ? `  [${row.note}]` : ""}`,
    );
  }

  let memory: MemoryRow[] | { error: string } | null = null;
  if (args.memory) {
    const script = join(import.meta.dirname, "memory.ts");
    const r = spawnSync(process.execPath, ["--expose-gc", "--import", "tsx", script, String(args.memoryEntries)], { encoding: "utf8", timeout: 300_000, cwd: join(import.meta.dirname, "..") });
    const last = r.stdout.trim().split("\n").pop() ?? "";
    try {
      const parsed = JSON.parse(last) as { memory?: MemoryRow[]; error?: string };
      memory = parsed.memory ?? { error: parsed.error ?? "no result" };
    } catch {
      memory = { error: `memory child failed (status ${r.status}): ${r.stderr.trim().split("\n").slice(-3).join(" | ")}` };
    }
    if (Array.isArray(memory)) {
      console.log(`heap bytes per entry (heapUsed + arrayBuffers, after gc) at ${args.memoryEntries} entries:`);
      for (const m of memory) {
        if (m.error !== undefined) console.log(`  ${m.map} key ${m.keySize} value ${m.valueSize}: ${m.error}`);
        else console.log(`  ${m.map.padEnd(6)} key ${m.keySize} value ${String(m.valueSize).padEnd(3)} ${m.bytesPerEntry.toFixed(1).padStart(7)} B/entry = ${m.overhead.toFixed(2)}x key+value (fill ${m.seconds.toFixed(1)} s)`);
      }
    } else console.log(`memory: ${memory.error}`);
  }
  console.log(`total ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  if (args.json) {
    console.log(JSON.stringify({ streams: rows.map(({ name, emulatorCallsPerSec, kernelCallsPerSec, ratio }) => ({ name, emulatorCallsPerSec, kernelCallsPerSec, ratio })) }));
  }
}

main();

// SPDX-License-Identifier: GPL-2.0-only
// Contention on a shared VM, seen from inside: on this 2-vCPU guest each vCPU
// switches, every few seconds, between two speeds. A plain JavaScript loop
// over an Int32Array takes ~1.2 ns per element in one and ~2.2 in the other,
// the emulator's calls take twice as long, and the kernel's bpf() only
// ~1.2x as long (its cost is mostly the syscall entry and exit, which the
// neighbour slows less). /proc/stat shows nothing (no steal, no busy
// thread): it is the host's other tenant on the same physical core.
//
// So a round pair (kernel round, emulator round) is only kept when a short
// probe loop, run just before it, between its rounds and just after it,
// shows the CPU at its quiet speed; otherwise the bench moves both sides to the other CPU or waits, and
// after a bounded wait measures anyway and says so. Both sides of a pair
// always run on the same CPU in the same state. bench/run.ts reports how
// many pairs were quiet; --any-state turns the gate off.

import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

const probeArr = new Int32Array(64);
for (let i = 0; i < probeArr.length; i++) probeArr[i] = i * 7;

function probeLoop(rounds: number, arr: Int32Array): number {
  let s = 0;
  for (let r = 0; r < rounds; r++) for (let i = 0; i < arr.length; i++) s = (s + arr[i]!) | 0;
  return s;
}

const sink = { v: 0 };

/** ns of CPU time per element of the probe loop (~3 ms). */
export function probeNs(): number {
  sink.v ^= probeLoop(200, probeArr);
  const t0 = process.cpuUsage();
  sink.v ^= probeLoop(40_000, probeArr);
  const u = process.cpuUsage(t0);
  return ((u.user + u.system) * 1000) / (40_000 * probeArr.length);
}

/** The CPUs this process may run on, from /proc/self/status (null where unknown). */
function allowedCpus(): number[] | null {
  try {
    const m = /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync("/proc/self/status", "utf8"));
    if (m === null) return null;
    const out: number[] = [];
    for (const part of m[1]!.split(",")) {
      const [a, b] = part.split("-").map(Number);
      for (let c = a!; c <= (b ?? a!); c++) out.push(c);
    }
    return out;
  } catch {
    return null;
  }
}

/** Moves every thread of this process to `cpu` (children spawned later inherit it). */
function moveTo(cpu: number): boolean {
  const r = spawnSync("taskset", ["-a", "-p", "-c", String(cpu), String(process.pid)], { stdio: "ignore" });
  return r.status === 0;
}

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export interface GateStats {
  /** Round pairs kept with the CPU quiet before, between and after their rounds. */
  quiet: number;
  /** Round pairs measured after the wait ran out (CPU contended). */
  contended: number;
  /** Pairs measured again because the CPU turned contended during them. */
  redone: number;
  /** Moves of both sides to another CPU (the header's CPU is where they started). */
  moves: number;
  /** The quiet speed of the probe (ns per element), and the slowest probe seen. */
  quietNs: number;
  slowestNs: number;
}

/**
 * Gate for round pairs. `quietNs` is the probe's speed on a quiet CPU, as the
 * parent found it (the fastest of probes on every CPU over a second), so that
 * a child that starts in a contended stretch does not take that for quiet.
 */
export class QuietGate {
  readonly stats: GateStats;
  private readonly cpus: number[];
  private cpu: number;

  constructor(quietNs: number, cpu: number | null) {
    this.stats = { quiet: 0, contended: 0, redone: 0, moves: 0, quietNs, slowestNs: 0 };
    this.cpus = allowedCpusOfMachine();
    this.cpu = cpu ?? this.cpus[0] ?? 0;
  }

  private probe(): boolean {
    const ns = probeNs();
    // The quiet speed is the fastest probe yet: a baseline taken in a contended stretch is corrected by the first quiet probe.
    if (ns < this.stats.quietNs) this.stats.quietNs = ns;
    if (ns > this.stats.slowestNs) this.stats.slowestNs = ns;
    // 25% over it: the two states are ~1.8x apart, quiet probes vary by ~10%, and stretches in between were seen.
    return ns <= this.stats.quietNs * 1.25;
  }

  /** Waits (at most `maxMs`) for a quiet CPU, trying each allowed CPU in turn; true when one is quiet. */
  waitQuiet(maxMs: number): boolean {
    const t0 = performance.now();
    for (;;) {
      if (this.probe()) return true;
      for (const c of this.cpus) {
        if (c === this.cpu) continue;
        if (!moveTo(c)) continue;
        this.cpu = c;
        this.stats.moves++;
        if (this.probe()) return true;
      }
      if (performance.now() - t0 > maxMs) return false;
      sleepMs(50);
    }
  }

  /** Whether the CPU is still quiet after a pair. */
  stillQuiet(): boolean {
    return this.probe();
  }
}

/** The machine's CPUs this process may use (at least the one it is on). */
function allowedCpusOfMachine(): number[] {
  // The parent pins children to one CPU; the machine's list comes from the environment it sets.
  const env = process.env["BPFEMU_BENCH_CPUS"];
  if (env !== undefined) return env.split(",").map(Number).filter((n) => Number.isInteger(n) && n >= 0);
  return allowedCpus() ?? [0];
}

/**
 * The probe's quiet speed on this machine: the fastest of `n` probes spread
 * over every allowed CPU (moving this process between them; its caller then
 * runs the bench in a child pinned where it wants). Returns the speed and the
 * CPUs tried.
 */
export function findQuietNs(n: number): { quietNs: number; cpus: number[] } {
  const cpus = allowedCpus() ?? [];
  let best = Infinity;
  if (cpus.length === 0) {
    for (let i = 0; i < n; i++) best = Math.min(best, probeNs());
    return { quietNs: best, cpus };
  }
  for (let i = 0; i < n; i++) {
    const c = cpus[i % cpus.length]!;
    if (cpus.length > 1) moveTo(c);
    best = Math.min(best, probeNs());
    sleepMs(20);
  }
  return { quietNs: best, cpus };
}

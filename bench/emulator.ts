// SPDX-License-Identifier: GPL-2.0-only
// The emulator side of a bench stream: the same ops as native/bench.c, through
// the public API, timed the same way (whole iterations of the body, process
// CPU time read after batches that double until one takes 1 ms).

import { Kernel, type Task } from "../src/index.ts";
import type { BenchOp, Stream } from "./streams.ts";

export interface SideResult {
  /** Returns of the body's first iteration (a repeated bpf op: first and last call). */
  readonly firstRets: number[];
  /** Calls per second of each round. */
  readonly rounds: number[];
  readonly error?: string;
  /** lastError.reason of the first failing call of the first iteration, if any. */
  readonly firstReason?: string;
}

export interface TimingOptions {
  readonly rounds: number;
  readonly roundMs: number;
  readonly warmupMs: number;
}

function spawnFor(s: Stream): { t: Task; firstFd: number } {
  const k = new Kernel();
  if (s.env.kind === "userns") return { t: k.spawn({ userns: "new", bpffs: s.env.bpffs }), firstFd: 4 };
  return { t: k.spawn(), firstFd: 3 };
}

/** One pass over ops; returns the number of calls made. */
function runOps(t: Task, ops: readonly BenchOp[], firstFd: number, rec: number[] | null, why: { reason?: string } | null): number {
  let calls = 0;
  let last = -1;
  for (let i = 0; i < ops.length; i++) {
    const o = ops[i]!;
    switch (o.op) {
      case "map":
        break;
      case "write":
        t.memory.write(o.addr, o.bytes);
        break;
      case "bpf": {
        const { cmd, attr, size, repeat } = o;
        let r = 0;
        for (let k = 0; k < repeat; k++) {
          r = t.sys_bpf(cmd, attr, size);
          if (rec !== null && (k === 0 || k === repeat - 1)) {
            rec.push(r);
            if (r < 0 && why !== null && why.reason === undefined) why.reason = t.lastError?.reason ?? "";
          }
        }
        last = r;
        calls += repeat;
        break;
      }
      case "close": {
        let fd: number;
        if (o.fd === "last") {
          if (last < 0) break;
          fd = last;
        } else fd = o.fd;
        const r = t.close(fd);
        if (rec !== null) rec.push(r);
        calls++;
        break;
      }
      case "open": {
        const r = t.open(o.path, o.flags);
        if (rec !== null) rec.push(r);
        calls++;
        break;
      }
      case "reset":
        t.files.closeRange(firstFd);
        break;
    }
  }
  return calls;
}

/**
 * One iteration of the body as a function. A body of a single bpf op (most
 * streams) becomes a bare call loop; a longer body (map-create-close, the
 * trace replay) becomes straight-line code, one statement per op, so the
 * harness adds no more per call than native/bench.c's switch over its ops
 * does (runOps's dispatch was ~14% of the replay stream's emulator time).
 */
function compileBody(t: Task, s: Stream, firstFd: number): () => number {
  const body = s.body;
  const only = body.length === 1 ? body[0]! : null;
  if (only !== null && only.op === "bpf") {
    const { cmd, attr, size, repeat } = only;
    if (repeat === 1) return () => (t.sys_bpf(cmd, attr, size), 1);
    return () => {
      for (let k = 0; k < repeat; k++) t.sys_bpf(cmd, attr, size);
      return repeat;
    };
  }
  if (interpretBodies) return () => runOps(t, body, firstFd, null, null);
  const vals: unknown[] = [];
  const ref = (v: unknown): string => {
    vals.push(v);
    return `v[${vals.length - 1}]`;
  };
  let src = "let last = -1, calls = 0;\n";
  for (const o of body) {
    switch (o.op) {
      case "map":
        break;
      case "write":
        src += `t.memory.write(${ref(o.addr)}, ${ref(o.bytes)});\n`;
        break;
      case "bpf":
        src +=
          o.repeat === 1
            ? `last = t.sys_bpf(${o.cmd}, ${ref(o.attr)}, ${o.size});\n`
            : `for (let k = 0; k < ${o.repeat}; k++) last = t.sys_bpf(${o.cmd}, ${ref(o.attr)}, ${o.size});\n`;
        src += `calls += ${o.repeat};\n`;
        break;
      case "close":
        src += o.fd === "last" ? "if (last >= 0) { t.close(last); calls++; }\n" : `t.close(${o.fd}); calls++;\n`;
        break;
      case "open":
        src += `t.open(${ref(o.path)}, ${o.flags}); calls++;\n`;
        break;
      case "reset":
        // native/bench.c: close_range(first_fd, ~0U, 0), not counted as a call.
        src += `t.files.closeRange(${firstFd});\n`;
        break;
    }
  }
  src += "return calls;";
  const make = new Function("t", "v", `return () => {\n${src}\n};`) as (t: Task, v: unknown[]) => () => number;
  return make(t, vals);
}

/** runOps for every body (bench/ab-harness.ts compares the two). */
let interpretBodies = false;
export function setInterpretBodies(on: boolean): void {
  interpretBodies = on;
}

/** CPU time of this process (all threads, so GC helpers count) in ns. */
function cpuNs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
}

/**
 * Whole iterations for at least `ms` of CPU time. CPU time rather than wall
 * time, on both sides, so that other jobs on the machine do not count
 * against either; the clock is read after batches that double until one
 * takes 1 ms, so reading it (getrusage) costs under 0.1%.
 */
function timed(iter: () => number, ms: number): { calls: number; ns: number } {
  const limit = ms * 1e6;
  let calls = 0;
  let batch = 1;
  const t0 = cpuNs();
  let now = t0;
  while (now - t0 < limit) {
    const b0 = now;
    calls += runBatch(iter, batch);
    now = cpuNs();
    if (now - b0 < 1_000_000 && batch < 1 << 24) batch *= 2;
  }
  return { calls, ns: now - t0 };
}

/**
 * `batch` iterations of the body. The loop is a function of its own so that
 * V8 spends its inlining budget on the body (a bare call of sys_bpf) rather
 * than on process.cpuUsage(): inlined into timed(), the clock reading left
 * too little of the budget for sys_bpf, which became a call of its own per
 * iteration (~13% of a rejected call's samples in a perf profile), a cost a
 * caller's own loop would not have. native/bench.c reads its clock outside
 * its loop too.
 */
function runBatch(iter: () => number, batch: number): number {
  let calls = 0;
  for (let i = 0; i < batch; i++) calls += iter();
  return calls;
}

/** A stream set up on a fresh kernel and task, ready to be timed round by round. */
export interface PreparedStream {
  readonly firstRets: number[];
  readonly firstReason?: string;
  /** Times one round of at least `ms` of CPU time; returns calls per second. */
  round(ms: number): number;
}

export function prepareOnEmulator(s: Stream): PreparedStream {
  const { t, firstFd } = spawnFor(s);
  for (const o of s.setup) if (o.op === "map") t.memory.map(o.addr, o.len);
  for (const o of s.setup) if (o.op === "map" && o.bytes !== undefined && o.bytes.length > 0) t.memory.write(o.addr, o.bytes);
  runOps(t, s.setup, firstFd, null, null);
  const firstRets: number[] = [];
  const why: { reason?: string } = {};
  runOps(t, s.body, firstFd, firstRets, why);
  const iter = compileBody(t, s, firstFd);
  const round = (ms: number): number => {
    const { calls, ns } = timed(iter, ms);
    return (calls * 1e9) / ns;
  };
  return why.reason === undefined ? { firstRets, round } : { firstRets, round, firstReason: why.reason };
}

/**
 * Runs the stream until V8 has compiled its path: at least `minMs` of CPU,
 * then 50 ms windows until two in a row agree within 3% (at most 3 s). In a
 * fresh process a fixed 40 ms warm-up left the replay and program-load
 * streams at a quarter and a half of their steady rate for the first rounds.
 */
export function warmUp(p: PreparedStream, minMs: number): void {
  p.round(minMs);
  let prev = p.round(50);
  for (let spent = minMs + 50; spent < 3000; spent += 50) {
    const r = p.round(50);
    if (Math.abs(r - prev) <= 0.03 * Math.max(r, prev)) return;
    prev = r;
  }
}

/** Sets up a fresh kernel and task for the stream and times its body. */
export function runOnEmulator(s: Stream, opts: TimingOptions): SideResult {
  try {
    const p = prepareOnEmulator(s);
    warmUp(p, opts.warmupMs);
    const rounds: number[] = [];
    for (let r = 0; r < opts.rounds; r++) rounds.push(p.round(opts.roundMs));
    return p.firstReason === undefined ? { firstRets: p.firstRets, rounds } : { firstRets: p.firstRets, rounds, firstReason: p.firstReason };
  } catch (e) {
    return { firstRets: [], rounds: [], error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
  }
}

// SPDX-License-Identifier: GPL-2.0-only
// Runs a trace's ops on a fresh emulated kernel through the public API and
// records the emulator's outcomes in the shape of `expect`. No Node API.

import { Kernel } from "../index.ts";
import type { OpOutcome } from "./compare.ts";
import type { BpffsDelegation, MemImage, Trace, TraceEnv } from "./format.ts";

/** The part of the public Task API a replay drives (structural, so stubs can stand in). */
export interface ReplayTask {
  readonly memory: {
    map(addr: bigint, length: number): void;
    write(addr: bigint, bytes: Uint8Array): void;
    read(addr: bigint, length: number): Uint8Array;
  };
  sys_bpf(cmd: number, attr: ArrayBuffer, size: number): number;
  close(fd: number): number;
  mkdir(path: string, mode: number): number;
  unlink(path: string): number;
  open(path: string, flags: number): number;
  readonly lastError: { readonly errno: number; readonly name: string; readonly reason: string } | null | undefined;
}

export interface ReplayKernel {
  spawn(opts?: { caps?: readonly string[]; userns?: "new"; bpffs?: BpffsDelegation }): ReplayTask;
}

export interface ReplayOptions {
  /** Builds the fresh kernel for this trace. Default: `new Kernel({ abi: trace.abi })` from the package root. */
  readonly createKernel?: (trace: Trace) => ReplayKernel;
}

export interface ReplayResult {
  /** One per op, in order; shorter than the trace when the replay stopped. */
  readonly outcomes: OpOutcome[];
  /** Why the replay stopped early (an op the emulator's API rejected, e.g. an invalid mapping). */
  readonly stopped?: { readonly index: number; readonly error: string };
}

function defaultKernel(trace: Trace): ReplayKernel {
  return new Kernel({ abi: trace.abi } as ConstructorParameters<typeof Kernel>[0]) as unknown as ReplayKernel;
}

function spawnFor(kernel: ReplayKernel, env: TraceEnv): ReplayTask {
  switch (env.kind) {
    case "root":
      return kernel.spawn();
    case "nocap":
      return kernel.spawn({ caps: [] });
    case "userns":
      return kernel.spawn({ userns: "new", bpffs: { ...env.bpffs } });
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function message(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/** Replays `trace` on a fresh emulated kernel; never throws for an emulator failure. */
export function replayOnEmulator(trace: Trace, opts: ReplayOptions = {}): ReplayResult {
  const outcomes: OpOutcome[] = [];
  let task: ReplayTask;
  try {
    task = spawnFor((opts.createKernel ?? defaultKernel)(trace), trace.env);
  } catch (e) {
    return { outcomes, stopped: { index: 0, error: `spawn(${trace.env.kind}): ${message(e)}` } };
  }
  // Tracked regions and their contents as of the last op, so that each bpf
  // op reports exactly the regions it changed (as the runner does).
  const regions: { addr: bigint; len: number; snapshot: Uint8Array }[] = [];
  const withReason = (ret: number): OpOutcome => {
    if (ret >= 0) return { ret };
    const reason = task.lastError?.reason;
    return reason === undefined ? { ret } : { ret, reason };
  };

  for (let index = 0; index < trace.ops.length; index++) {
    const op = trace.ops[index]!;
    try {
      switch (op.op) {
        case "map":
          task.memory.map(op.addr, op.len);
          if (op.bytes && op.bytes.length) task.memory.write(op.addr, op.bytes);
          regions.push({ addr: op.addr, len: op.len, snapshot: task.memory.read(op.addr, op.len) });
          outcomes.push({ ret: 0 });
          break;
        case "write":
          task.memory.write(op.addr, op.bytes);
          for (const r of regions) r.snapshot = task.memory.read(r.addr, r.len);
          outcomes.push({ ret: 0 });
          break;
        case "bpf": {
          const attr = op.attr.slice();
          let ret: number;
          try {
            ret = task.sys_bpf(op.cmd, attr.buffer, op.size);
          } catch (e) {
            // sys_bpf must never throw: record it as this op's outcome and stop.
            outcomes.push({ ret: Number.NaN, threw: message(e) });
            return { outcomes, stopped: { index, error: `sys_bpf threw: ${message(e)}` } };
          }
          const mem: MemImage[] = [];
          for (const r of regions) {
            const now = task.memory.read(r.addr, r.len);
            if (!sameBytes(now, r.snapshot)) {
              mem.push({ addr: r.addr, bytes: now });
              r.snapshot = now;
            }
          }
          outcomes.push({ ...withReason(ret), attr: attr.slice(), mem });
          break;
        }
        case "close":
          outcomes.push(withReason(task.close(op.fd)));
          break;
        case "mkdir":
          outcomes.push(withReason(task.mkdir(op.path, op.mode)));
          break;
        case "unlink":
          outcomes.push(withReason(task.unlink(op.path)));
          break;
        case "open":
          outcomes.push(withReason(task.open(op.path, op.flags)));
          break;
      }
    } catch (e) {
      if (op.op !== "map" && op.op !== "write") outcomes.push({ ret: Number.NaN, threw: message(e) });
      return { outcomes, stopped: { index, error: `${op.op}: ${message(e)}` } };
    }
  }
  return { outcomes };
}

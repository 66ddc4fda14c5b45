// SPDX-License-Identifier: GPL-2.0-only
// The live-kernel side of differential testing: builds native/bpfrun.c with
// the machine's cc on first use and runs traces through it. Node only.

import { execFileSync, spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { availableParallelism, release } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DELEGATE_OPTIONS, bytesToHex, hexToBytes } from "../trace/format.ts";
import type { BpfExpect, MemImage, RetExpect, Trace, TraceEnv, TraceOp } from "../trace/format.ts";

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const RUNNER_SOURCE = join(REPO_ROOT, "native", "bpfrun.c");
const CACHE_DIR = join(REPO_ROOT, "node_modules", ".cache", "bpfemu");
const CFLAGS = ["-O2", "-Wall", "-std=gnu11"];

export type Availability = { ok: true } | { ok: false; reason: string };

export interface KernelRunOptions {
  /** Per-trace limit; the child is SIGKILLed and the trace reported as failed. Default 10000. */
  readonly timeoutMs?: number;
  /** Children running at once. Default: the number of CPUs. */
  readonly parallel?: number;
  /**
   * A fresh network namespace for every trace (bpfrun -N). By default only
   * traces that attach, detach, create links or test-run get one; the rest
   * share the runner's private, pristine netns, which is 2-3x faster.
   */
  readonly freshNetnsPerTrace?: boolean;
}

export type KernelRunResult =
  | { readonly ok: true; readonly trace: Trace }
  | { readonly ok: false; readonly trace: Trace; readonly error: string };

export class KernelRunError extends Error {
  readonly results: readonly KernelRunResult[];
  constructor(results: readonly KernelRunResult[]) {
    const failed = results.filter((r) => !r.ok) as { trace: Trace; error: string }[];
    const shown = failed.slice(0, 5).map((r) => `${r.trace.name}: ${r.error}`);
    super(`${failed.length} of ${results.length} traces failed on the kernel: ${shown.join("; ")}${failed.length > 5 ? "; ..." : ""}`);
    this.name = "KernelRunError";
    this.results = results;
  }
}

let runnerPath: string | undefined;

/** Compiles the runner once per source version; edits to bpfrun.c produce a new binary. */
export function buildRunner(): string {
  if (runnerPath !== undefined && existsSync(runnerPath)) return runnerPath;
  const src = readFileSync(RUNNER_SOURCE);
  const hash = createHash("sha256").update(src).update(CFLAGS.join(" ")).digest("hex").slice(0, 16);
  const out = join(CACHE_DIR, `bpfrun-${hash}`);
  if (!existsSync(out)) {
    mkdirSync(CACHE_DIR, { recursive: true });
    // Parallel test workers may build at once: each writes its own file and
    // the rename makes whichever finishes last win atomically.
    const tmp = `${out}.${process.pid}.tmp`;
    try {
      execFileSync("cc", [...CFLAGS, "-o", tmp, RUNNER_SOURCE], { stdio: ["ignore", "pipe", "pipe"] });
      renameSync(tmp, out);
    } finally {
      rmSync(tmp, { force: true });
    }
  }
  runnerPath = out;
  return out;
}

// ------------------------------------------------------------ runner protocol

const utf8 = new TextEncoder();

function hexOrDash(bytes: Uint8Array): string {
  return bytes.length === 0 ? "-" : bytesToHex(bytes);
}

function envLine(idx: number, env: TraceEnv): string {
  if (env.kind !== "userns") return `T ${idx} ${env.kind}`;
  const vals = DELEGATE_OPTIONS.map((k) => {
    const v = env.bpffs[k];
    return v === undefined ? "-" : hexOrDash(utf8.encode(v));
  });
  return `T ${idx} userns ${vals.join(" ")}`;
}

function opLine(op: TraceOp): string {
  switch (op.op) {
    case "map":
      return `M ${op.addr.toString(16)} ${op.len} ${hexOrDash(op.bytes ?? new Uint8Array())}`;
    case "write":
      return `W ${op.addr.toString(16)} ${hexOrDash(op.bytes)}`;
    case "bpf":
      return `B ${op.cmd} ${op.size} ${hexOrDash(op.attr)}`;
    case "close":
      return `C ${op.fd}`;
    case "mkdir":
      return `D ${op.mode} ${hexOrDash(utf8.encode(op.path))}`;
    case "unlink":
      return `U ${hexOrDash(utf8.encode(op.path))}`;
    case "open":
      return `O ${op.flags} ${hexOrDash(utf8.encode(op.path))}`;
  }
}

/** The runner's stdin for a batch: traces are numbered by their index. */
export function encodeRunnerInput(traces: readonly Trace[]): string {
  const parts: string[] = [];
  traces.forEach((t, i) => {
    parts.push(envLine(i, t.env));
    for (const op of t.ops) parts.push(opLine(op));
    parts.push("E");
  });
  return parts.join("\n") + "\n";
}

function hexToText(hex: string): string {
  try {
    return new TextDecoder().decode(hexToBytes(hex));
  } catch {
    return hex;
  }
}

/** Applies one "R" line's result to an op. */
function withResult(op: TraceOp, line: string): TraceOp {
  const parts = line.split(" ");
  const ret = Number(parts[1]);
  if (!Number.isSafeInteger(ret)) throw new Error(`runner: bad result line ${line.slice(0, 80)}`);
  switch (op.op) {
    case "map":
    case "write":
      // Mapping and writing cannot fail once the runner accepted the trace.
      return op;
    case "bpf": {
      const attr = parts[2] === "-" || parts[2] === undefined ? new Uint8Array() : hexToBytes(parts[2]);
      const mem: MemImage[] = parts.slice(3).map((m) => {
        const colon = m.indexOf(":");
        return { addr: BigInt("0x" + m.slice(0, colon)), bytes: hexToBytes(m.slice(colon + 1)) };
      });
      const expect: BpfExpect = { ret, attr, mem };
      return { ...op, expect };
    }
    default: {
      const expect: RetExpect = { ret };
      return { ...op, expect } as TraceOp;
    }
  }
}

interface RawResult {
  lines: string[];
  done?: { ok: true } | { ok: false; error: string };
}

function runRunner(input: string, opts: KernelRunOptions): Promise<Map<number, RawResult>> {
  const bin = buildRunner();
  const args = ["-j", String(opts.parallel ?? availableParallelism()), "-t", String(opts.timeoutMs ?? 10000)];
  if (opts.freshNetnsPerTrace) args.push("-N");
  return new Promise((resolvePromise, reject) => {
    const child = spawn(bin, args, { stdio: ["pipe", "pipe", "pipe"] });
    const results = new Map<number, RawResult>();
    let current: RawResult | undefined;
    let stderr = "";
    const handle = (line: string): void => {
      const tag = line.charAt(0);
      if (tag === "S") {
        current = { lines: [] };
        results.set(Number(line.slice(2)), current);
      } else if (tag === "R") {
        current?.lines.push(line);
      } else if (tag === "K") {
        const [, , status, msg] = line.split(" ");
        if (current)
          current.done = status === "ok" ? { ok: true } : { ok: false, error: hexToText(msg ?? "") };
        current = undefined;
      }
    };
    child.stdout.setEncoding("latin1");
    // A line can be megabytes (a large region's hex): keep the pieces of an
    // unfinished line and only scan each new chunk once.
    let partial: string[] = [];
    child.stdout.on("data", (chunk: string) => {
      let start = 0;
      let nl: number;
      while ((nl = chunk.indexOf("\n", start)) >= 0) {
        const piece = chunk.slice(start, nl);
        if (partial.length) {
          partial.push(piece);
          handle(partial.join(""));
          partial = [];
        } else handle(piece);
        start = nl + 1;
      }
      if (start < chunk.length) partial.push(chunk.slice(start));
    });
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (c: string) => (stderr += c));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (code !== 0) reject(new Error(`bpfrun exited with ${signal ?? code}: ${stderr.trim()}`));
      else resolvePromise(results);
    });
    child.stdin.on("error", () => {
      /* surfaced through "close" */
    });
    child.stdin.end(input);
  });
}

/** Runs traces and reports each one's outcome; never throws for a single trace's failure. */
export async function runTracesOnKernelDetailed(
  traces: readonly Trace[],
  opts: KernelRunOptions = {},
): Promise<KernelRunResult[]> {
  const raw = await runRunner(encodeRunnerInput(traces), opts);
  const recordedOn = release();
  return traces.map((t, i): KernelRunResult => {
    const r = raw.get(i);
    if (!r?.done) return { ok: false, trace: t, error: "runner gave no result" };
    if (!r.done.ok) return { ok: false, trace: t, error: r.done.error };
    if (r.lines.length !== t.ops.length)
      return { ok: false, trace: t, error: `runner gave ${r.lines.length} results for ${t.ops.length} ops` };
    const ops = t.ops.map((op, k) => withResult(op, r.lines[k]!));
    return { ok: true, trace: { ...t, recordedOn, ops } };
  });
}

/**
 * Copies of the traces with every op's `expect` recorded from the live kernel
 * and `recordedOn` set; masks are kept as given. Throws KernelRunError (which
 * carries all per-trace results) if any trace failed, timed out or was refused.
 */
export async function runTracesOnKernel(traces: readonly Trace[], opts: KernelRunOptions = {}): Promise<Trace[]> {
  const results = await runTracesOnKernelDetailed(traces, opts);
  if (results.some((r) => !r.ok)) throw new KernelRunError(results);
  return results.map((r) => r.trace);
}

// -------------------------------------------------------------- availability

let availability: Availability | undefined;

function probeAvailability(): Availability {
  if (process.platform !== "linux") return { ok: false, reason: `not Linux (${process.platform})` };
  if (typeof process.getuid !== "function" || process.getuid() !== 0)
    return { ok: false, reason: "not running as root (the runner needs namespaces, mounts and bpf())" };
  let bin: string;
  try {
    bin = buildRunner();
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string };
    return { ok: false, reason: `cannot build native/bpfrun.c with cc: ${err.stderr?.toString().trim() || err.message}` };
  }
  // One ARRAY map create (key 4, value 8, max_entries 1) in a root child
  // exercises fork, unshare, the bpffs mount and bpf() itself.
  const input = "T 0 root\nB 0 20 0200000004000000080000000100000000000000\nE\n";
  const r = spawnSync(bin, ["-j", "1", "-t", "5000"], { input, encoding: "latin1", timeout: 20000 });
  if (r.error) return { ok: false, reason: `cannot run bpfrun: ${r.error.message}` };
  const lines = r.stdout.split("\n");
  const k = lines.find((l) => l.startsWith("K 0 "));
  if (!k) return { ok: false, reason: `bpfrun gave no result (status ${r.status}): ${r.stderr.trim()}` };
  if (!k.startsWith("K 0 ok")) return { ok: false, reason: `runner setup failed: ${hexToText(k.split(" ")[3] ?? "")}` };
  const ret = Number(lines.find((l) => l.startsWith("R "))?.split(" ")[1]);
  if (!(ret >= 0)) return { ok: false, reason: `bpf(BPF_MAP_CREATE) is not permitted here (ret ${ret})` };
  return { ok: true };
}

/** Whether traces can run on this machine's kernel; the probe runs once per process. */
export function kernelAvailability(): Availability {
  availability ??= probeAvailability();
  return availability;
}

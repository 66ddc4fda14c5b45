// SPDX-License-Identifier: GPL-2.0-only
// Comparing what the emulator did with what the kernel did, op by op,
// respecting masks for host-specific bytes (ids, load times, JIT sizes).
// No Node API.

import { bytesToHex, formatAddr } from "./format.ts";
import type { BpfExpect, Mask, MemImage, RetExpect, Trace, TraceOp } from "./format.ts";

/** One side's result for an op, in the shape of `expect` (a replay produces these too). */
export interface OpOutcome {
  readonly ret: number;
  /** bpf ops: the attr bytes after the call. */
  readonly attr?: Uint8Array;
  /** bpf ops: regions that changed during the call, full contents after it. */
  readonly mem?: readonly MemImage[];
  /** Emulator only: task.lastError.reason for a negative return. */
  readonly reason?: string;
  /** Emulator only: the call threw instead of returning (always a bug). */
  readonly threw?: string;
}

export type Difference =
  | { readonly kind: "ret"; readonly expected: number; readonly actual: number; readonly reason?: string }
  /** Differing unmasked attr bytes starting at `offset`. */
  | { readonly kind: "attr"; readonly offset: number; readonly expected: Uint8Array; readonly actual: Uint8Array }
  /** Differing unmasked user memory starting at `addr`. */
  | { readonly kind: "mem"; readonly addr: bigint; readonly expected: Uint8Array; readonly actual: Uint8Array }
  /** The emulator threw, or the shapes cannot be compared. */
  | { readonly kind: "error"; readonly detail: string };

/** Region contents before a call, one map per side, keyed by region address. */
export interface MemBefore {
  readonly expected: ReadonlyMap<bigint, Uint8Array>;
  readonly actual: ReadonlyMap<bigint, Uint8Array>;
}

function retAgrees(expected: number, actual: number, mask: Mask | undefined): boolean {
  if (mask?.ret) return (expected >= 0 && actual >= 0) || expected === actual;
  return expected === actual;
}

/** Byte i of a buffer starting at `base` is masked when any range covers it. */
function maskedBytes(length: number, base: bigint, ranges: readonly { start: bigint; len: number }[]): Uint8Array {
  const m = new Uint8Array(length);
  const end = base + BigInt(length);
  for (const r of ranges) {
    const s = r.start > base ? r.start : base;
    const e0 = r.start + BigInt(r.len);
    const e = e0 < end ? e0 : end;
    for (let a = s; a < e; a++) m[Number(a - base)] = 1;
  }
  return m;
}

/** Coalesces unmasked differing bytes into runs: [offset, length] pairs. */
function diffRuns(a: Uint8Array, b: Uint8Array, masked: Uint8Array): [number, number][] {
  const runs: [number, number][] = [];
  const n = Math.max(a.length, b.length);
  let start = -1;
  for (let i = 0; i <= n; i++) {
    const differs = i < n && masked[i] !== 1 && (i >= a.length || i >= b.length || a[i] !== b[i]);
    if (differs && start < 0) start = i;
    else if (!differs && start >= 0) {
      runs.push([start, i - start]);
      start = -1;
    }
  }
  return runs;
}

/**
 * Differences between the kernel's result (`expected`) and the emulator's
 * (`actual`) for one op. For memory, a region that changed on one side only
 * is compared against the other side's contents before the call, taken from
 * `before`; without `before` such a region is reported whole.
 */
export function compareOp(
  expected: RetExpect | BpfExpect,
  actual: OpOutcome,
  mask?: Mask,
  before?: MemBefore,
): Difference[] {
  const diffs: Difference[] = [];
  if (actual.threw !== undefined) return [{ kind: "error", detail: `emulator threw: ${actual.threw}` }];
  if (!retAgrees(expected.ret, actual.ret, mask)) {
    const d: { kind: "ret"; expected: number; actual: number; reason?: string } = {
      kind: "ret",
      expected: expected.ret,
      actual: actual.ret,
    };
    if (actual.reason !== undefined) d.reason = actual.reason;
    diffs.push(d);
  }
  if (!("attr" in expected)) return diffs;

  const eAttr = expected.attr;
  const aAttr = actual.attr ?? new Uint8Array();
  const attrMask = maskedBytes(
    Math.max(eAttr.length, aAttr.length),
    0n,
    (mask?.attr ?? []).map(([off, len]) => ({ start: BigInt(off), len })),
  );
  for (const [off, len] of diffRuns(eAttr, aAttr, attrMask))
    diffs.push({ kind: "attr", offset: off, expected: eAttr.slice(off, off + len), actual: aAttr.slice(off, off + len) });

  const memMask = (mask?.mem ?? []).map((r) => ({ start: r.addr, len: r.len }));
  const eMem = new Map(expected.mem.map((m) => [m.addr, m.bytes]));
  const aMem = new Map((actual.mem ?? []).map((m) => [m.addr, m.bytes]));
  const addrs = [...new Set([...eMem.keys(), ...aMem.keys()])].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  for (const addr of addrs) {
    const e = eMem.get(addr) ?? before?.expected.get(addr);
    const a = aMem.get(addr) ?? before?.actual.get(addr);
    if (e === undefined || a === undefined) {
      const side = eMem.has(addr) ? "kernel" : "emulator";
      diffs.push({ kind: "error", detail: `region ${formatAddr(addr)} changed on the ${side} side only` });
      continue;
    }
    const m = maskedBytes(Math.max(e.length, a.length), addr, memMask);
    for (const [off, len] of diffRuns(e, a, m))
      diffs.push({ kind: "mem", addr: addr + BigInt(off), expected: e.slice(off, off + len), actual: a.slice(off, off + len) });
  }
  return diffs;
}

export function formatDifference(d: Difference): string {
  switch (d.kind) {
    case "ret":
      return `ret: kernel ${d.expected}, emulator ${d.actual}${d.reason ? ` (${d.reason})` : ""}`;
    case "attr":
      return `attr[${d.offset}..${d.offset + d.expected.length}): kernel ${bytesToHex(d.expected)}, emulator ${bytesToHex(d.actual)}`;
    case "mem":
      return `mem ${formatAddr(d.addr)}+${d.expected.length}: kernel ${bytesToHex(d.expected)}, emulator ${bytesToHex(d.actual)}`;
    case "error":
      return d.detail;
  }
}

// ------------------------------------------------------------ whole traces

export interface OpComparison {
  readonly index: number;
  readonly op: TraceOp;
  /** False when the op carries no `expect` (nothing to compare). */
  readonly compared: boolean;
  readonly diffs: readonly Difference[];
  readonly actual: OpOutcome | undefined;
}

/**
 * Compares a recorded trace with the emulator's outcomes (one per op, in
 * order; fewer when the replay stopped early). Region contents before each
 * call are tracked per side from the map/write ops and the `mem` images, so
 * a masked-only change on one side is no difference.
 */
export function compareTrace(trace: Trace, outcomes: readonly OpOutcome[]): OpComparison[] {
  const kernelMem = new Map<bigint, Uint8Array>();
  const emuMem = new Map<bigint, Uint8Array>();
  const result: OpComparison[] = [];
  trace.ops.forEach((op, index) => {
    const actual = outcomes[index];
    if (op.op === "map") {
      const init = new Uint8Array(op.len);
      if (op.bytes) init.set(op.bytes);
      kernelMem.set(op.addr, init);
      emuMem.set(op.addr, init.slice());
    } else if (op.op === "write") {
      applyWrite(kernelMem, op.addr, op.bytes);
      applyWrite(emuMem, op.addr, op.bytes);
    }
    if (op.expect === undefined) {
      result.push({ index, op, compared: false, diffs: [], actual });
      return;
    }
    if (actual === undefined) {
      result.push({ index, op, compared: true, diffs: [{ kind: "error", detail: "emulator replay stopped before this op" }], actual });
      return;
    }
    const diffs = compareOp(op.expect, actual, op.mask, { expected: kernelMem, actual: emuMem });
    if ("mem" in op.expect) for (const m of op.expect.mem) kernelMem.set(m.addr, m.bytes);
    for (const m of actual.mem ?? []) emuMem.set(m.addr, m.bytes);
    result.push({ index, op, compared: true, diffs, actual });
  });
  return result;
}

function applyWrite(mem: Map<bigint, Uint8Array>, addr: bigint, bytes: Uint8Array): void {
  for (const [base, buf] of mem) {
    const end = base + BigInt(buf.length);
    for (let i = 0; i < bytes.length; i++) {
      const a = addr + BigInt(i);
      if (a >= base && a < end) buf[Number(a - base)] = bytes[i]!;
    }
  }
}

// ---------------------------------------------------------------- summaries

export interface AgreementCount {
  /** "MAP_CREATE" (or "cmd 99") for bpf ops, the op kind for the rest. */
  readonly key: string;
  total: number;
  /** Every compared byte and the ret agreed. */
  agree: number;
  /** The ret (or its sign, when masked) agreed. */
  retAgree: number;
}

/** Agreement counts per bpf command and per other op kind, in first-seen order. */
export function summarize(
  comparisons: Iterable<OpComparison>,
  cmdName: (cmd: number) => string | undefined = () => undefined,
): AgreementCount[] {
  const byKey = new Map<string, AgreementCount>();
  for (const c of comparisons) {
    if (!c.compared) continue;
    const key = c.op.op === "bpf" ? (cmdName(c.op.cmd) ?? `cmd ${c.op.cmd}`) : c.op.op;
    let s = byKey.get(key);
    if (!s) byKey.set(key, (s = { key, total: 0, agree: 0, retAgree: 0 }));
    s.total++;
    if (c.diffs.length === 0) s.agree++;
    if (!c.diffs.some((d) => d.kind === "ret" || d.kind === "error")) s.retAgree++;
  }
  return [...byKey.values()];
}

/** A fixed-width table of summarize() rows with a total line. */
export function formatSummary(rows: readonly AgreementCount[]): string {
  const width = Math.max(8, ...rows.map((r) => r.key.length));
  const line = (k: string, agree: number, retAgree: number, total: number): string =>
    `${k.padEnd(width)}  ${String(agree).padStart(6)}/${String(total).padEnd(6)} exact  ${String(retAgree).padStart(6)}/${String(total).padEnd(6)} ret`;
  const out = rows.map((r) => line(r.key, r.agree, r.retAgree, r.total));
  const sum = (f: (r: AgreementCount) => number): number => rows.reduce((n, r) => n + f(r), 0);
  out.push(line("total", sum((r) => r.agree), sum((r) => r.retAgree), sum((r) => r.total)));
  return out.join("\n");
}

// SPDX-License-Identifier: GPL-2.0-only
// The second programs corpus (issue #6): one PROG_LOAD case per trace,
// grouped in classes that become one bundle each (fixtures/traces/progs2/
// <class>.jsonl.gz): a helper-availability matrix per program type, with
// unset and with well-typed arguments, as root and without capabilities;
// register state and pointer arithmetic per program class; return values
// per program type; bpf-to-bpf calls, jumps and back-edges; every opcode and
// reserved fields; ld_imm64 pseudo forms; license, name and log variants.
// Level-1 logs are compared unless the program names a map (the kernel prints
// map ids, which are host-global). Expectations come from recording on the
// live kernel (scripts/record-prog2-traces.ts). No Node API.

import type { Trace, TraceEnv } from "../trace/format.ts";
import * as A from "./bpf_asm.ts";
import { ProgBuilder, type LoadOpts } from "./prog_builder.ts";

const { R0, R1, R2, R3, R4, R5, R6, R7, R8, R9, R10 } = A;
const P = A.prog;
const S = A.SZ;
const PT = { SOCKET_FILTER: 1, KPROBE: 2, SCHED_CLS: 3, SCHED_ACT: 4, TRACEPOINT: 5, XDP: 6, PERF_EVENT: 7, CGROUP_SKB: 8, RAW_TRACEPOINT: 17 } as const;
const MT = { HASH: 1, ARRAY: 2, PROG_ARRAY: 3, PERF_EVENT_ARRAY: 4, PERCPU_ARRAY: 6, STACK_TRACE: 7, DEVMAP: 14, QUEUE: 22, RINGBUF: 27 } as const;

const ROOT: TraceEnv = { kind: "root" };
const NOCAP: TraceEnv = { kind: "nocap" };

type MapSpec = readonly [type: number, key: number, value: number, max: number];

/** One case: one trace with the maps created first (fds 3, 4, ...) and one load. */
interface Case {
  cls: string;
  name: string;
  type: number;
  insns: Uint8Array;
  o?: LoadOpts;
  maps?: readonly MapSpec[];
  env?: TraceEnv;
  /** Test-run the loaded program with a 64-byte frame. */
  run?: boolean;
  /** MAP_UPDATE_ELEM calls before the load: (map fd, u32 key, value bytes). */
  updates?: readonly (readonly [fd: number, key: number, value: Uint8Array])[];
  /** MAP_LOOKUP_ELEM calls after the test run: (map fd, u32 key, value size). */
  lookups?: readonly (readonly [fd: number, key: number, valueSize: number])[];
}

const TYPE_NAMES: Readonly<Record<number, string>> = { 1: "sf", 2: "kprobe", 3: "tc", 4: "act", 5: "tp", 6: "xdp", 7: "perf", 8: "cgskb", 17: "rawtp" };
const RUNNABLE = new Set<number>([PT.SOCKET_FILTER, PT.SCHED_CLS, PT.SCHED_ACT, PT.XDP, PT.CGROUP_SKB]);

const ret0 = [A.mov64i(R0, 0), A.exit()];
const fp = (r: number, off: number): Uint8Array[] => [A.mov64r(r, R10), A.alu64i(A.ALU.ADD, r, off)];

/** Lookup of key 0 in the map at `fd`: leaves the result in R0. */
function lookup0(fd: number): Uint8Array[] {
  return [A.st(S.W, R10, -4, 0), ...fp(R2, -4), A.ldMapFd(R1, fd), A.call(1)];
}

// --- (a) helpers ----------------------------------------------------------------------------

/** A call with well-typed arguments for the helpers whose prototypes are simple; the maps it needs. */
function typedCall(id: number): { insns: Uint8Array[]; maps?: MapSpec[] } | null {
  const ARR: MapSpec[] = [[MT.ARRAY, 4, 8, 4]];
  switch (id) {
    case 1: return { insns: [...lookup0(3)], maps: ARR };
    case 2: return { insns: [A.st(S.W, R10, -4, 0), A.st(S.DW, R10, -16, 1), ...fp(R2, -4), ...fp(R3, -16), A.ldMapFd(R1, 3), A.mov64i(R4, 0), A.call(2)], maps: ARR };
    case 3: return { insns: [A.st(S.W, R10, -4, 0), ...fp(R2, -4), A.ldMapFd(R1, 3), A.call(3)], maps: [[MT.HASH, 4, 8, 4]] };
    case 4: case 45: case 112: case 113: case 114: case 115:
      return { insns: [...fp(R1, -16), A.mov64i(R2, 16), A.mov64i(R3, 0), A.call(id)] };
    case 6: return { insns: [A.st(S.DW, R10, -8, 0x0a6968), ...fp(R1, -8), A.mov64i(R2, 8), A.call(6)] };
    case 9: return { insns: [A.st(S.DW, R10, -8, 0), A.mov64i(R2, 0), ...fp(R3, -8), A.mov64i(R4, 8), A.mov64i(R5, 0), A.call(9)] };
    case 12: return { insns: [A.ldMapFd(R2, 3), A.mov64i(R3, 0), A.call(12)], maps: [[MT.PROG_ARRAY, 4, 4, 4]] };
    case 16: return { insns: [...fp(R1, -16), A.mov64i(R2, 16), A.call(16)] };
    case 23: return { insns: [A.mov64i(R1, 1), A.mov64i(R2, 0), A.call(23)] };
    case 25: return { insns: [A.st(S.DW, R10, -8, 0), A.ldMapFd(R2, 3), A.ld64(R3, 0xffffffffn), ...fp(R4, -8), A.mov64i(R5, 8), A.call(25)], maps: [[MT.PERF_EVENT_ARRAY, 4, 4, 2]] };
    case 26: return { insns: [A.mov64i(R2, 0), ...fp(R3, -8), A.mov64i(R4, 8), A.call(26)] };
    case 28: return { insns: [A.st(S.DW, R10, -8, 0), A.mov64i(R1, 0), A.mov64i(R2, 0), ...fp(R3, -8), A.mov64i(R4, 8), A.mov64i(R5, 0), A.call(28)] };
    case 44: case 65: return { insns: [A.mov64i(R2, 0), A.call(id)] };
    case 51: return { insns: [A.ldMapFd(R1, 3), A.mov64i(R2, 0), A.mov64i(R3, 0), A.call(51)], maps: [[MT.DEVMAP, 4, 4, 2]] };
    case 87: return { insns: [A.st(S.DW, R10, -8, 7), A.ldMapFd(R1, 3), ...fp(R2, -8), A.mov64i(R3, 0), A.call(87)], maps: [[MT.QUEUE, 0, 8, 4]] };
    case 88: case 89: return { insns: [A.ldMapFd(R1, 3), ...fp(R2, -8), A.call(id)], maps: [[MT.QUEUE, 0, 8, 4]] };
    default: return null;
  }
}

const NOARG_HELPERS = [5, 7, 8, 14, 15, 35, 42, 80, 118, 125, 158, 160, 208];

function helperCases(): Case[] {
  const c: Case[] = [];
  // Every id 1..211 with the argument registers unset, for three types; a spread for the rest.
  const full = [PT.SOCKET_FILTER, PT.SCHED_CLS, PT.KPROBE];
  for (const t of full) for (let id = 1; id <= 211; id++) c.push({ cls: "helpers", name: `${TYPE_NAMES[t]}-h${id}`, type: t, insns: P(A.call(id), ret0) });
  const spread = [PT.XDP, PT.SCHED_ACT, PT.CGROUP_SKB, PT.TRACEPOINT, PT.PERF_EVENT, PT.RAW_TRACEPOINT];
  spread.forEach((t, k) => {
    for (let id = 1 + k; id <= 211; id += 4) c.push({ cls: "helpers", name: `${TYPE_NAMES[t]}-h${id}`, type: t, insns: P(A.call(id), ret0) });
  });
  // Ids outside the table and zero-argument helpers everywhere.
  for (const t of [...full, ...spread]) {
    for (const id of [0, 212, 255, -1, 100000]) c.push({ cls: "helpers", name: `${TYPE_NAMES[t]}-bad${id}`, type: t, insns: P(A.call(id), ret0) });
  }
  // A license that is not GPL-compatible: gpl_only helpers are refused first.
  for (let id = 1; id <= 211; id += 3) c.push({ cls: "helpers-nongpl", name: `kprobe-h${id}`, type: PT.KPROBE, insns: P(A.call(id), ret0), o: { license: "MIT" } });
  for (let id = 2; id <= 211; id += 6) c.push({ cls: "helpers-nongpl", name: `tc-h${id}`, type: PT.SCHED_CLS, insns: P(A.call(id), ret0), o: { license: "BSD" } });
  // Well-typed arguments per type.
  const typed = [1, 2, 3, 4, 6, 9, 12, 16, 23, 25, 26, 28, 44, 45, 51, 65, 87, 88, 89, 112, 113, 114, 115, ...NOARG_HELPERS];
  for (const t of [...full, ...spread]) {
    for (const id of typed) {
      const k = typedCall(id);
      if (k === null) {
        c.push({ cls: "helpers-typed", name: `${TYPE_NAMES[t]}-h${id}`, type: t, insns: P(A.call(id), ret0) });
        continue;
      }
      c.push({ cls: "helpers-typed", name: `${TYPE_NAMES[t]}-h${id}`, type: t, insns: P(k.insns, ret0), ...(k.maps ? { maps: k.maps } : {}) });
    }
  }
  // Without capabilities: unprivileged loads as the host's sysctl allows.
  for (const t of [PT.SOCKET_FILTER, PT.CGROUP_SKB, PT.XDP, PT.KPROBE]) {
    for (const id of [1, 5, 6, 14, 26, 113]) {
      const k = typedCall(id) ?? { insns: [A.call(id)] };
      c.push({ cls: "helpers-nocap", name: `${TYPE_NAMES[t]}-h${id}`, type: t, insns: P(k.insns, ret0), env: NOCAP, ...(k.maps ? { maps: k.maps } : {}) });
    }
  }
  return c;
}

// --- (b) registers, stack, pointer arithmetic -------------------------------------------------------

/** Each class's context: a word it may read, a word past it, and the packet pointers if any. */
interface Cls {
  t: number;
  eat?: number;
  okOff: number;
  badOff: number;
  pkt?: [data: number, end: number];
  ok: number;
}
const CLASSES: Cls[] = [
  { t: PT.SOCKET_FILTER, okOff: 0, badOff: 200, ok: 0 },
  { t: PT.XDP, okOff: 12, badOff: 24, pkt: [0, 4], ok: 2 },
  { t: PT.SCHED_CLS, okOff: 0, badOff: 200, pkt: [76, 80], ok: 0 },
  { t: PT.CGROUP_SKB, okOff: 0, badOff: 200, pkt: [76, 80], ok: 1 },
  { t: PT.TRACEPOINT, okOff: 8, badOff: 4, ok: 0 },
  { t: PT.KPROBE, okOff: 80, badOff: 168, ok: 0 },
];

function regCases(): Case[] {
  const c: Case[] = [];
  for (const k of CLASSES) {
    const n = TYPE_NAMES[k.t]!;
    const r = [A.mov64i(R0, k.ok), A.exit()];
    const add = (name: string, insns: Uint8Array, maps?: MapSpec[], run = false): void => {
      c.push({ cls: "regs", name: `${n}-${name}`, type: k.t, insns, ...(k.eat ? { o: { eat: k.eat } } : {}), ...(maps ? { maps } : {}), ...(run && RUNNABLE.has(k.t) ? { run } : {}) });
    };
    // Uninitialised reads of every register but R1 and R10.
    for (const reg of [R0, R2, R3, R4, R5, R6, R7, R8, R9]) add(`uninit-r${reg}`, P(A.mov64r(R1, reg), r));
    add("uninit-store", P(A.stx(S.DW, R10, R3, -8), r));
    add("uninit-alu-src", P(A.mov64i(R0, k.ok), A.alu64r(A.ALU.ADD, R0, R4), A.exit()));
    add("uninit-jmp", P(A.mov64i(R0, k.ok), A.jmpr(A.JMP.JEQ, R0, R5, 0), A.exit()));
    // R10 is read-only.
    add("r10-add", P(A.alu64i(A.ALU.ADD, R10, -8), r));
    add("r10-mov32", P(A.mov32i(R10, 0), r));
    add("r10-ldx", P(A.ldx(S.DW, R10, R10, -8), r));
    add("r10-neg", P(A.raw(0x87, R10, 0, 0, 0), r));
    add("r10-copy", P(A.mov64r(R2, R10), A.alu64i(A.ALU.ADD, R2, -8), A.st(S.DW, R2, 0, 1), r));
    // Stack bounds, alignment and initialisation.
    for (const [off, sz] of [[-512, S.DW], [-513, S.B], [-520, S.DW], [-1, S.B], [-2, S.H], [-4, S.W], [0, S.B], [-3, S.W], [-6, S.DW], [-510, S.H], [8, S.DW]] as const) {
      add(`stack-st${off}-${sz}`, P(A.st(sz, R10, off, 1), r));
    }
    for (const off of [-8, -16, -512, -504]) add(`stack-spill${off}`, P(A.mov64i(R2, 3), A.stx(S.DW, R10, R2, off), A.ldx(S.DW, R0, R10, off), A.alu64i(A.ALU.AND, R0, 1), A.exit()), undefined, true);
    add("stack-read-partial", P(A.st(S.W, R10, -8, 1), A.ldx(S.DW, R0, R10, -8), A.alu64i(A.ALU.AND, R0, 1), A.exit()));
    add("stack-ptr-spill-fill", P(A.stx(S.DW, R10, R1, -8), A.ldx(S.DW, R2, R10, -8), A.ldx(S.W, R0, R2, k.okOff), A.mov64i(R0, k.ok), A.exit()));
    add("stack-ptr-spill-partial", P(A.stx(S.DW, R10, R1, -8), A.ldx(S.W, R2, R10, -8), r));
    add("stack-ptr-overwrite", P(A.stx(S.DW, R10, R1, -8), A.st(S.B, R10, -8, 0), A.ldx(S.DW, R2, R10, -8), r));
    add("stack-spill32", P(A.mov64i(R2, 5), A.stx(S.W, R10, R2, -4), A.ldx(S.W, R0, R10, -4), A.alu64i(A.ALU.AND, R0, 1), A.exit()), undefined, true);
    // Pointer arithmetic on the context.
    add("ctx-add-read", P(A.alu64i(A.ALU.ADD, R1, k.okOff), A.ldx(S.W, R0, R1, 0), r));
    add("ctx-sub", P(A.alu64i(A.ALU.SUB, R1, 8), r));
    add("ctx-mul", P(A.alu64i(A.ALU.MUL, R1, 2), r));
    add("ctx-add-reg", P(A.mov64i(R2, 4), A.alu64r(A.ALU.ADD, R1, R2), r));
    add("ctx-add-ctx", P(A.mov64r(R2, R1), A.alu64r(A.ALU.ADD, R1, R2), r));
    add("ctx-sub-ctx", P(A.mov64r(R2, R1), A.alu64r(A.ALU.SUB, R1, R2), A.mov64r(R0, R1), A.alu64i(A.ALU.AND, R0, 0), A.exit()));
    add("ctx-alu32", P(A.alu32i(A.ALU.ADD, R1, 4), r));
    add("ctx-and", P(A.alu64i(A.ALU.AND, R1, 0xff), r));
    add("ctx-read-ok", P(A.ldx(S.W, R0, R1, k.okOff), A.mov64i(R0, k.ok), A.exit()), undefined, true);
    add("ctx-read-bad", P(A.ldx(S.W, R0, R1, k.badOff), r));
    add("ctx-read-neg", P(A.ldx(S.W, R0, R1, -4), r));
    add("ctx-read-dw", P(A.ldx(S.DW, R0, R1, k.okOff), r));
    add("ctx-write", P(A.st(S.W, R1, k.okOff, 0), r));
    add("ctx-stx-write", P(A.mov64i(R2, 0), A.stx(S.W, R1, R2, k.okOff), r));
    add("ctx-atomic", P(A.mov64i(R2, 1), A.atomic(S.W, A.ATOMIC.ADD, R1, R2, k.okOff), r));
    add("ctx-var-off", P(A.ldx(S.W, R2, R1, k.okOff), A.alu64i(A.ALU.AND, R2, 4), A.alu64r(A.ALU.ADD, R1, R2), A.ldx(S.W, R0, R1, 0), r));
    // Stack pointer arithmetic.
    add("fp-add-access", P(A.mov64r(R2, R10), A.alu64i(A.ALU.ADD, R2, -16), A.st(S.DW, R2, 8, 1), A.ldx(S.DW, R0, R2, 8), A.alu64i(A.ALU.AND, R0, 1), A.exit()), undefined, true);
    add("fp-sub-oob", P(A.mov64r(R2, R10), A.alu64i(A.ALU.SUB, R2, 600), A.st(S.DW, R2, 0, 1), r));
    add("fp-add-pos", P(A.mov64r(R2, R10), A.alu64i(A.ALU.ADD, R2, 8), A.st(S.DW, R2, -8, 1), r));
    add("fp-mul", P(A.mov64r(R2, R10), A.alu64i(A.ALU.MUL, R2, 3), r));
    add("fp-var-write", P(A.ldx(S.W, R3, R1, k.okOff), A.alu64i(A.ALU.AND, R3, 8), A.mov64r(R2, R10), A.alu64i(A.ALU.ADD, R2, -16), A.alu64r(A.ALU.ADD, R2, R3), A.st(S.DW, R2, 0, 1), r));
    add("fp-leak-ret", P(A.mov64r(R0, R10), A.alu64i(A.ALU.ADD, R0, -8), A.exit()));
    add("fp-cmp", P(A.mov64r(R2, R10), A.mov64i(R0, k.ok), A.jmpi(A.JMP.JEQ, R2, 0, 1), A.mov64i(R0, k.ok), A.exit()));
    add("fp-sub-fp", P(A.mov64r(R2, R10), A.alu64i(A.ALU.ADD, R2, -8), A.alu64r(A.ALU.SUB, R2, R10), A.mov64r(R0, R2), A.alu64i(A.ALU.AND, R0, 0), A.exit()));
    // Map values after lookup, with and without a NULL check, at bounds.
    const ARR: MapSpec[] = [[MT.ARRAY, 4, 16, 2]];
    const HASH: MapSpec[] = [[MT.HASH, 4, 16, 2]];
    for (const [off, sz] of [[0, S.DW], [8, S.DW], [12, S.W], [14, S.W], [15, S.B], [16, S.B], [-1, S.B]] as const) {
      add(`mapval-hash-${off}-${sz}`, P(lookup0(3), A.jmpi(A.JMP.JEQ, R0, 0, 1), A.ldx(sz, R2, R0, off), r), HASH);
    }
    add("mapval-nocheck", P(lookup0(3), A.ldx(S.DW, R2, R0, 0), r), HASH);
    add("mapval-array-const", P(lookup0(3), A.ldx(S.DW, R2, R0, 8), r), ARR, true);
    add("mapval-jne-check", P(lookup0(3), A.jmpi(A.JMP.JNE, R0, 0, 2), A.mov64i(R0, k.ok), A.exit(), A.st(S.DW, R0, 0, 1), r), HASH);
    add("mapval-write-after-check", P(lookup0(3), A.jmpi(A.JMP.JEQ, R0, 0, 2), A.mov64i(R2, 9), A.stx(S.DW, R0, R2, 8), r), HASH, true);
    add("mapval-add-const", P(lookup0(3), A.jmpi(A.JMP.JEQ, R0, 0, 2), A.alu64i(A.ALU.ADD, R0, 12), A.ldx(S.W, R2, R0, 0), r), HASH);
    add("mapval-add-over", P(lookup0(3), A.jmpi(A.JMP.JEQ, R0, 0, 2), A.alu64i(A.ALU.ADD, R0, 13), A.ldx(S.W, R2, R0, 0), r), HASH);
    add("mapval-var-masked", P(lookup0(3), A.jmpi(A.JMP.JEQ, R0, 0, 4), A.ldx(S.DW, R2, R0, 0), A.alu64i(A.ALU.AND, R2, 7), A.alu64r(A.ALU.ADD, R0, R2), A.ldx(S.DW, R3, R0, 0), r), HASH);
    add("mapval-var-masked-ok", P(lookup0(3), A.jmpi(A.JMP.JEQ, R0, 0, 4), A.ldx(S.DW, R2, R0, 0), A.alu64i(A.ALU.AND, R2, 7), A.alu64r(A.ALU.ADD, R0, R2), A.ldx(S.B, R3, R0, 8), r), HASH);
    add("mapval-var-unbounded", P(lookup0(3), A.jmpi(A.JMP.JEQ, R0, 0, 3), A.ldx(S.DW, R2, R0, 0), A.alu64r(A.ALU.ADD, R0, R2), A.ldx(S.B, R3, R0, 0), r), HASH);
    add("mapval-jgt-bound", P(lookup0(3), A.jmpi(A.JMP.JEQ, R0, 0, 4), A.ldx(S.DW, R2, R0, 0), A.jmpi(A.JMP.JGT, R2, 15, 2), A.alu64r(A.ALU.ADD, R0, R2), A.ldx(S.B, R3, R0, 0), r), HASH);
    add("mapval-jge-bound-off1", P(lookup0(3), A.jmpi(A.JMP.JEQ, R0, 0, 4), A.ldx(S.DW, R2, R0, 0), A.jmpi(A.JMP.JGT, R2, 16, 2), A.alu64r(A.ALU.ADD, R0, R2), A.ldx(S.B, R3, R0, 0), r), HASH);
    add("mapval-signed-neg", P(lookup0(3), A.jmpi(A.JMP.JEQ, R0, 0, 4), A.ldx(S.DW, R2, R0, 0), A.jmpi(A.JMP.JSGT, R2, 15, 2), A.alu64r(A.ALU.ADD, R0, R2), A.ldx(S.B, R3, R0, 0), r), HASH);
    add("mapval-ptr-leak-store", P(lookup0(3), A.jmpi(A.JMP.JEQ, R0, 0, 1), A.stx(S.DW, R0, R0, 0), r), HASH);
    add("mapval-null-arith", P(lookup0(3), A.alu64i(A.ALU.ADD, R0, 8), r), HASH);
    add("mapval-null-ret", P(lookup0(3), A.exit()), HASH);
    add("mapptr-deref", P(A.ldMapFd(R2, 3), A.ldx(S.DW, R0, R2, 0), r), ARR);
    add("mapptr-arith", P(A.ldMapFd(R2, 3), A.alu64i(A.ALU.ADD, R2, 8), r), ARR);
    // Division and shifts.
    add("div-reg-unknown", P(A.ldx(S.W, R2, R1, k.okOff), A.mov64i(R0, 10), A.alu64r(A.ALU.DIV, R0, R2), A.mov64i(R0, k.ok), A.exit()), undefined, true);
    add("mod-reg-zero", P(A.mov64i(R2, 0), A.mov64i(R0, 10), A.alu64r(A.ALU.MOD, R0, R2), A.alu64i(A.ALU.AND, R0, 0), A.alu64i(A.ALU.ADD, R0, k.ok), A.exit()), undefined, true);
    add("div32-imm0", P(A.mov64i(R0, 10), A.alu32i(A.ALU.DIV, R0, 0), A.exit()));
    add("sdiv-imm0", P(A.mov64i(R0, 10), A.alu64i(A.ALU.DIV, R0, 0, 1), A.exit()));
    add("sdiv-minus1", P(A.ld64(R0, 0x8000000000000000n), A.alu64i(A.ALU.DIV, R0, -1, 1), A.alu64i(A.ALU.AND, R0, 0), A.alu64i(A.ALU.ADD, R0, k.ok), A.exit()), undefined, true);
    add("div-ptr", P(A.mov64r(R0, R10), A.alu64i(A.ALU.DIV, R0, 2), A.exit()));
    add("div-by-ptr", P(A.mov64i(R0, 10), A.alu64r(A.ALU.DIV, R0, R10), A.exit()));
    add("div-bad-off", P(A.mov64i(R0, 10), A.alu64i(A.ALU.DIV, R0, 2, 2), A.exit()));
    add("lsh-reg-unknown", P(A.ldx(S.W, R2, R1, k.okOff), A.mov64i(R0, 1), A.alu64r(A.ALU.LSH, R0, R2), A.alu64i(A.ALU.AND, R0, 0), A.alu64i(A.ALU.ADD, R0, k.ok), A.exit()), undefined, true);
    add("shift-neg", P(A.mov64i(R0, 1), A.alu64i(A.ALU.LSH, R0, -1), A.exit()));
    add("arsh32-33", P(A.mov64i(R0, 1), A.alu32i(A.ALU.ARSH, R0, 33), A.exit()));
    // Pointer comparisons and leaks.
    add("ptr-cmp-scalar", P(A.mov64i(R0, k.ok), A.jmpi(A.JMP.JGT, R1, 5, 0), A.exit()));
    add("ptr-cmp-ptr", P(A.mov64i(R0, k.ok), A.jmpr(A.JMP.JGT, R1, R10, 0), A.exit()));
    add("ptr-to-ctx-leak-ret", P(A.mov64r(R0, R1), A.exit()));
    add("ptr-32bit-mov", P(A.mov32r(R2, R1), A.mov64i(R0, k.ok), A.exit()));
    add("ptr-neg", P(A.raw(0x87, R1, 0, 0, 0), r));
    add("ptr-bswap", P(A.raw(0xd4, R1, 0, 0, 16), r));
    // Direct packet access where the class has it.
    if (k.pkt) {
      const [d, e] = k.pkt;
      const pk = (n: number, body: Uint8Array[]): Uint8Array => P(A.ldx(S.W, R2, R1, d), A.ldx(S.W, R3, R1, e), A.mov64r(R4, R2), A.alu64i(A.ALU.ADD, R4, n), A.jmpr(A.JMP.JGT, R4, R3, body.length), ...body, r);
      add("pkt-read-in", pk(8, [A.ldx(S.DW, R5, R2, 0)]), undefined, true);
      add("pkt-read-over", pk(8, [A.ldx(S.DW, R5, R2, 1)]));
      add("pkt-write", pk(4, [A.st(S.W, R2, 0, 0)]), undefined, true);
      add("pkt-read-neg", pk(8, [A.ldx(S.B, R5, R2, -1)]));
      add("pkt-end-deref", P(A.ldx(S.W, R3, R1, e), A.ldx(S.B, R0, R3, 0), r));
      add("pkt-end-arith", P(A.ldx(S.W, R3, R1, e), A.alu64i(A.ALU.SUB, R3, 1), r));
      add("pkt-no-check", P(A.ldx(S.W, R2, R1, d), A.ldx(S.B, R0, R2, 0), r));
      add("pkt-reverse-check", P(A.ldx(S.W, R2, R1, d), A.ldx(S.W, R3, R1, e), A.mov64r(R4, R2), A.alu64i(A.ALU.ADD, R4, 4), A.jmpr(A.JMP.JLE, R4, R3, 1), r[0]!, A.ldx(S.W, R5, R2, 0), r));
      add("pkt-jge-check", P(A.ldx(S.W, R2, R1, d), A.ldx(S.W, R3, R1, e), A.mov64r(R4, R2), A.alu64i(A.ALU.ADD, R4, 4), A.jmpr(A.JMP.JGE, R3, R4, 1), r[0]!, A.ldx(S.W, R5, R2, 0), r));
      add("pkt-var-add", pk(16, [A.ldx(S.B, R5, R2, 0), A.alu64i(A.ALU.AND, R5, 7), A.alu64r(A.ALU.ADD, R2, R5), A.ldx(S.B, R5, R2, 8)]));
      add("pkt-ptr-ret", P(A.ldx(S.W, R0, R1, d), A.exit()));
      add("pkt-sub-ptrs", P(A.ldx(S.W, R2, R1, d), A.ldx(S.W, R3, R1, e), A.alu64r(A.ALU.SUB, R3, R2), A.mov64r(R0, R3), A.alu64i(A.ALU.AND, R0, 0), A.alu64i(A.ALU.ADD, R0, k.ok), A.exit()), undefined, true);
      add("pkt-add-huge", P(A.ldx(S.W, R2, R1, d), A.alu64i(A.ALU.ADD, R2, 0x10000), r));
      add("pkt-32bit-load", P(A.ldx(S.H, R2, R1, d), r));
    }
  }
  return c;
}

// --- (c) return values ----------------------------------------------------------------------------

function retCases(): Case[] {
  const c: Case[] = [];
  const TYPES: [number, number, string][] = [
    [PT.SOCKET_FILTER, 0, "sf"], [PT.XDP, 0, "xdp"], [PT.SCHED_CLS, 0, "tc"], [PT.SCHED_ACT, 0, "act"],
    [PT.CGROUP_SKB, 0, "cgskb-in"], [PT.CGROUP_SKB, 1, "cgskb-eg"], [PT.TRACEPOINT, 0, "tp"], [PT.KPROBE, 0, "kprobe"],
    [PT.PERF_EVENT, 0, "perf"], [PT.RAW_TRACEPOINT, 0, "rawtp"],
  ];
  for (const [t, eat, n] of TYPES) {
    const o: LoadOpts | undefined = eat ? { eat } : undefined;
    const add = (name: string, insns: Uint8Array, run = true): void => {
      c.push({ cls: "retvals", name: `${n}-${name}`, type: t, insns, ...(o ? { o } : {}), ...(run && RUNNABLE.has(t) ? { run } : {}) });
    };
    for (const v of [0, 1, 2, 3, 4, 5, 7, -1, 0x7fffffff, -0x80000000]) add(`imm${v}`, P(A.mov64i(R0, v), A.exit()));
    add("imm32-neg", P(A.mov32i(R0, -1), A.exit()));
    add("ld64-big", P(A.ld64(R0, 0x100000001n), A.exit()));
    add("uninit", P(A.exit()), false);
    add("ptr-ctx", P(A.mov64r(R0, R1), A.exit()), false);
    add("ptr-fp", P(A.mov64r(R0, R10), A.exit()), false);
    add("unknown", P(A.ldx(S.W, R0, R1, t === PT.KPROBE ? 80 : t === PT.TRACEPOINT ? 8 : t === PT.XDP ? 12 : 0), A.exit()));
    add("and1", P(A.ldx(S.W, R0, R1, t === PT.KPROBE ? 80 : t === PT.TRACEPOINT ? 8 : t === PT.XDP ? 12 : 0), A.alu64i(A.ALU.AND, R0, 1), A.exit()));
    add("and3", P(A.ldx(S.W, R0, R1, t === PT.KPROBE ? 80 : t === PT.TRACEPOINT ? 8 : t === PT.XDP ? 12 : 0), A.alu64i(A.ALU.AND, R0, 3), A.exit()));
    add("branch-0-or-2", P(A.ldx(S.W, R2, R1, t === PT.KPROBE ? 80 : t === PT.TRACEPOINT ? 8 : t === PT.XDP ? 12 : 0), A.mov64i(R0, 0), A.jmpi(A.JMP.JEQ, R2, 0, 1), A.mov64i(R0, 2), A.exit()));
    add("jgt-bounded", P(A.ldx(S.W, R0, R1, t === PT.KPROBE ? 80 : t === PT.TRACEPOINT ? 8 : t === PT.XDP ? 12 : 0), A.jmpi(A.JMP.JGT, R0, 1, 1), A.exit(), A.mov64i(R0, 0), A.exit()));
    add("helper-ret", P(A.call(7), A.exit()), false);
    add("subprog-ret", P(A.callLocal(1), A.exit(), A.mov64i(R0, 1), A.exit()));
    add("subprog-ret-5", P(A.callLocal(1), A.exit(), A.mov64i(R0, 5), A.exit()));
  }
  return c;
}

// --- (d) calls, jumps, back-edges ----------------------------------------------------------------

function flowCases(): Case[] {
  const c: Case[] = [];
  for (const t of [PT.SOCKET_FILTER, PT.XDP, PT.KPROBE]) {
    const n = TYPE_NAMES[t]!;
    const add = (name: string, insns: Uint8Array, run = true): void => {
      c.push({ cls: "flow", name: `${n}-${name}`, type: t, insns, ...(run && RUNNABLE.has(t) ? { run } : {}) });
    };
    // bpf-to-bpf calls
    add("call-ok", P(A.callLocal(1), A.exit(), A.mov64i(R0, 1), A.exit()));
    add("call-self", P(A.callLocal(-1), A.exit()), false);
    add("call-recursive", P(A.callLocal(1), A.exit(), A.callLocal(-1), A.exit()), false);
    add("call-into-ld64", P(A.callLocal(1), A.ld64(R0, 1n), A.exit()), false);
    add("call-out", P(A.callLocal(10), A.exit()), false);
    add("call-neg-out", P(A.callLocal(-5), A.exit()), false);
    add("call-to-exit", P(A.mov64i(R0, 0), A.callLocal(0), A.exit()), false);
    add("call-bad-off", P(A.raw(0x85, 0, 1, 1, 1), A.exit(), ret0), false);
    add("call-bad-dst", P(A.raw(0x85, 1, 1, 0, 1), A.exit(), ret0), false);
    add("call-src3", P(A.raw(0x85, 0, 3, 0, 1), A.exit(), ret0), false);
    add("call-args-5", P(A.mov64i(R1, 1), A.mov64i(R2, 2), A.mov64i(R3, 3), A.mov64i(R4, 4), A.mov64i(R5, 5), A.callLocal(1), A.exit(), A.mov64r(R0, R5), A.alu64r(A.ALU.ADD, R0, R1), A.alu64i(A.ALU.AND, R0, 1), A.exit()));
    add("call-r6-preserved", P(A.mov64i(R6, 1), A.callLocal(2), A.mov64r(R0, R6), A.exit(), A.mov64i(R6, 7), A.mov64i(R0, 0), A.exit()));
    add("call-r1-clobbered", P(A.mov64i(R1, 1), A.callLocal(2), A.mov64r(R0, R1), A.exit(), A.mov64i(R0, 0), A.exit()), false);
    add("call-stack-ptr", P(A.st(S.DW, R10, -8, 1), A.mov64r(R1, R10), A.alu64i(A.ALU.ADD, R1, -8), A.callLocal(1), A.exit(), A.ldx(S.DW, R0, R1, 0), A.alu64i(A.ALU.AND, R0, 1), A.exit()));
    add("call-stack-write-caller", P(A.mov64r(R1, R10), A.alu64i(A.ALU.ADD, R1, -8), A.callLocal(2), A.ldx(S.DW, R0, R10, -8), A.exit(), A.st(S.DW, R1, 0, 0), A.mov64i(R0, 0), A.exit()));
    add("call-stack-oob-callee", P(A.mov64r(R1, R10), A.alu64i(A.ALU.ADD, R1, -8), A.callLocal(1), A.exit(), A.st(S.DW, R1, 8, 0), A.mov64i(R0, 0), A.exit()), false);
    add("call-ret-stack-ptr", P(A.callLocal(2), A.mov64i(R0, 0), A.exit(), A.mov64r(R0, R10), A.exit()), false);
    add("call-stack-256x2", P(A.st(S.DW, R10, -256, 0), A.callLocal(2), A.mov64i(R0, 0), A.exit(), A.st(S.DW, R10, -256, 0), A.mov64i(R0, 0), A.exit()));
    add("call-stack-512x2", P(A.st(S.DW, R10, -512, 0), A.callLocal(2), A.mov64i(R0, 0), A.exit(), A.st(S.DW, R10, -8, 0), A.mov64i(R0, 0), A.exit()), false);
    add("call-depth-8", P(...Array.from({ length: 7 }, () => [A.callLocal(1), A.exit()]).flat(), ret0));
    add("call-depth-10", P(...Array.from({ length: 9 }, () => [A.callLocal(1), A.exit()]).flat(), ret0), false);
    add("call-two-callees", P(A.callLocal(3), A.mov64r(R6, R0), A.callLocal(3), A.exit(), A.mov64i(R0, 0), A.exit(), A.mov64i(R0, 1), A.exit()));
    add("call-subprog-no-exit", P(A.callLocal(1), A.exit(), A.mov64i(R0, 1)), false);
    add("call-subprog-falls-through", P(A.callLocal(2), A.exit(), A.mov64i(R0, 1), A.ja(0), A.mov64i(R0, 2), A.exit()));
    add("call-jump-into-subprog", P(A.mov64i(R0, 0), A.jmpi(A.JMP.JEQ, R0, 0, 2), A.callLocal(1), A.exit(), A.mov64i(R0, 1), A.exit()), false);
    add("call-unreachable-subprog", P(ret0, A.mov64i(R0, 1), A.exit()), false);
    add("call-loop-in-subprog", P(A.callLocal(1), A.exit(), A.mov64i(R0, 0), A.alu64i(A.ALU.ADD, R0, 1), A.jmpi(A.JMP.JLT, R0, 4, -2), A.alu64i(A.ALU.AND, R0, 1), A.exit()));
    add("call-ctx-passed", P(A.callLocal(1), A.exit(), A.ldx(S.W, R0, R1, t === PT.KPROBE ? 80 : t === PT.XDP ? 12 : 0), A.mov64i(R0, 0), A.exit()));
    // Jumps
    add("ja-0", P(A.ja(0), ret0));
    add("ja-neg1", P(A.mov64i(R0, 0), A.ja(-1), A.exit()), false);
    add("ja-into-ld64", P(A.ja(1), A.ld64(R0, 5n), A.exit()), false);
    add("ja-to-last", P(A.mov64i(R0, 0), A.ja(0), A.exit()));
    add("ja-past-end", P(A.mov64i(R0, 0), A.ja(1), A.exit()), false);
    add("ja-before-start", P(A.ja(-2), ret0), false);
    add("gotol-ok", P(A.mov64i(R0, 0), A.raw(0x06, 0, 0, 0, 1), A.mov64i(R0, 1), A.exit()));
    add("gotol-out", P(A.mov64i(R0, 0), A.raw(0x06, 0, 0, 0, 9), A.exit()), false);
    add("gotol-off-set", P(A.mov64i(R0, 0), A.raw(0x06, 0, 0, 1, 0), A.exit()), false);
    add("jmp32-ja", P(A.mov64i(R0, 0), A.raw(0x06, 0, 0, 0, 0), A.exit()));
    add("jeq-into-ld64", P(A.mov64i(R0, 0), A.jmpi(A.JMP.JEQ, R0, 0, 1), A.ld64(R1, 1n), A.exit()), false);
    add("cond-both-exit", P(A.mov64i(R0, 0), A.jmpi(A.JMP.JEQ, R0, 1, 1), A.exit(), A.exit()));
    add("dead-branch-bad", P(A.mov64i(R0, 0), A.jmpi(A.JMP.JEQ, R0, 1, 1), A.exit(), A.mov64r(R0, R7), A.exit()));
    add("live-branch-bad", P(A.call(7), A.jmpi(A.JMP.JEQ, R0, 1, 1), A.exit(), A.mov64r(R0, R7), A.exit()), false);
    // Back-edges and loops
    for (const [op, lim, step] of [[A.JMP.JLT, 10, 1], [A.JMP.JNE, 10, 1], [A.JMP.JSLT, 100, 7], [A.JMP.JLE, 3, 1], [A.JMP.JNE, 10, 2], [A.JMP.JGT, 0, -1], [A.JMP.JLT, 5000, 1]] as const) {
      const init = op === A.JMP.JGT ? 8 : 0;
      add(`loop-${op.toString(16)}-${lim}-${step}`, P(A.mov64i(R0, init), A.alu64i(A.ALU.ADD, R0, step), A.jmpi(op, R0, lim, -2), A.alu64i(A.ALU.AND, R0, 1), A.exit()), true);
    }
    add("loop-jmp32", P(A.mov32i(R0, 0), A.alu32i(A.ALU.ADD, R0, 1), A.jmp32i(A.JMP.JLT, R0, 6, -2), A.alu64i(A.ALU.AND, R0, 1), A.exit()));
    // Runs into the 1M-insn limit (slow to replay: one type only).
    if (t === PT.SOCKET_FILTER) add("loop-unknown-bound", P(A.call(7), A.mov64r(R1, R0), A.mov64i(R0, 0), A.alu64i(A.ALU.ADD, R0, 1), A.jmpr(A.JMP.JLT, R0, R1, -2), A.mov64i(R0, 0), A.exit()), false);
    add("loop-masked-bound", P(A.call(7), A.mov64r(R1, R0), A.alu64i(A.ALU.AND, R1, 15), A.mov64i(R0, 0), A.alu64i(A.ALU.ADD, R0, 1), A.jmpr(A.JMP.JLT, R0, R1, -2), A.mov64i(R0, 0), A.exit()));
    add("loop-nested", P(A.mov64i(R1, 0), A.mov64i(R2, 0), A.alu64i(A.ALU.ADD, R2, 1), A.jmpi(A.JMP.JLT, R2, 3, -2), A.alu64i(A.ALU.ADD, R1, 1), A.jmpi(A.JMP.JLT, R1, 3, -5), A.mov64i(R0, 0), A.exit()));
    add("loop-no-progress", P(A.mov64i(R0, 0), A.mov64i(R1, 1), A.jmpi(A.JMP.JNE, R1, 0, -1), A.exit()), false);
    add("loop-stack-counter", P(A.st(S.DW, R10, -8, 0), A.ldx(S.DW, R0, R10, -8), A.alu64i(A.ALU.ADD, R0, 1), A.stx(S.DW, R10, R0, -8), A.jmpi(A.JMP.JLT, R0, 4, -4), A.mov64i(R0, 0), A.exit()));
    add("loop-back-to-start", P(A.mov64i(R0, 0), A.alu64i(A.ALU.ADD, R0, 1), A.jmpi(A.JMP.JGE, R0, 3, 1), A.ja(-3), A.alu64i(A.ALU.AND, R0, 1), A.exit()));
  }
  return c;
}

// --- opcodes and reserved fields ---------------------------------------------------------------

/** Every opcode 0..255 with fields that suit its class, in a socket filter with R6 = ctx and a stack slot set. */
function opcodeCases(): Case[] {
  const c: Case[] = [];
  const pre = [A.mov64r(R6, R1), A.st(S.DW, R10, -8, 3), A.mov64i(R0, 0), A.mov64i(R2, 1)];
  for (let code = 0; code < 256; code++) {
    const cl = code & 7;
    let insn: Uint8Array;
    let extra: Uint8Array[] = [];
    switch (cl) {
      case A.CLS.LD:
        insn = A.raw(code, R0, 0, 0, (code & 0xe0) === 0 ? 7 : 12);
        if (code === 0x18) extra = [A.raw(0, 0, 0, 0, 0)];
        break;
      case A.CLS.LDX: insn = A.raw(code, R0, R10, -8, 0); break;
      case A.CLS.ST: insn = A.raw(code, R10, 0, -8, 1); break;
      case A.CLS.STX: insn = A.raw(code, R10, R2, -8, (code & 0xe0) === 0xc0 ? 0 : 0); break;
      case A.CLS.ALU: case A.CLS.ALU64:
        insn = (code & 0xf0) === 0xd0 ? A.raw(code, R0, 0, 0, 32) : A.raw(code, R0, (code & 8) ? R2 : 0, 0, (code & 8) ? 0 : 3);
        break;
      default:
        insn = (code & 0xf0) === 0x80 ? A.raw(code, 0, 0, 0, 7) : (code & 0xf0) === 0x90 ? A.raw(code, 0, 0, 0, 0) : A.raw(code, R0, (code & 8) ? R2 : 0, 0, (code & 8) ? 0 : 1);
    }
    c.push({ cls: "opcodes", name: `op-${code.toString(16).padStart(2, "0")}`, type: PT.SOCKET_FILTER, insns: P(pre, insn, extra, A.alu64i(A.ALU.AND, R0, 0), A.exit()), run: true });
  }
  // Reserved fields set, one field at a time, for one insn of each form.
  const forms: [string, number, number, number, number, number][] = [
    ["mov64k", 0xb7, R0, 0, 0, 1], ["mov64x", 0xbf, R0, R2, 0, 0], ["add32k", 0x04, R0, 0, 0, 1], ["add64x", 0x0f, R0, R2, 0, 0],
    ["ldxw", 0x61, R0, R10, -8, 0], ["stw", 0x62, R10, 0, -8, 1], ["stxdw", 0x7b, R10, R2, -8, 0], ["jeqk", 0x15, R0, 0, 0, 1],
    ["jeqx", 0x1d, R0, R2, 0, 0], ["ja", 0x05, 0, 0, 0, 0], ["le16", 0xd4, R0, 0, 0, 16], ["neg64", 0x87, R0, 0, 0, 0],
    ["ldabs", 0x28, 0, 0, 0, 12], ["ldind", 0x40, 0, R2, 0, 12], ["exit", 0x95, 0, 0, 0, 0], ["call", 0x85, 0, 0, 0, 7],
  ];
  for (const [n, code, dst, src, off, imm] of forms) {
    const variants: [string, Uint8Array][] = [
      ["dst", A.raw(code, dst === 0 && code !== 0xd4 ? 1 : 11, src, off, imm)],
      ["src", A.raw(code, dst, src === 0 ? 3 : 12, off, imm)],
      ["off", A.raw(code, dst, src, off === 0 ? 1 : off + 1, imm)],
      ["imm", A.raw(code, dst, src, off, imm === 0 ? 1 : imm + 64)],
    ];
    for (const [f, insn] of variants) {
      c.push({ cls: "opcodes", name: `reserved-${n}-${f}`, type: PT.SOCKET_FILTER, insns: P(pre, insn, A.alu64i(A.ALU.AND, R0, 0), A.exit()) });
    }
  }
  return c;
}

// --- ld_imm64 pseudo forms --------------------------------------------------------------------

function ld64Cases(): Case[] {
  const c: Case[] = [];
  const ARR: MapSpec[] = [[MT.ARRAY, 4, 16, 1]];
  const add = (name: string, insns: Uint8Array, maps?: MapSpec[], o?: LoadOpts): void => {
    c.push({ cls: "ld64", name, type: PT.SOCKET_FILTER, insns, ...(maps ? { maps } : {}), ...(o ? { o } : {}) });
  };
  const two = (src: number, imm: number, imm2: number, dst = R1, code2 = 0, dst2 = 0, src2 = 0, off2 = 0, off = 0): Uint8Array[] => [A.raw(0x18, dst, src, off, imm), A.raw(code2, dst2, src2, off2, imm2)];
  for (let src = 0; src <= 7; src++) {
    add(`src${src}-nomap`, P(two(src, 3, 0), ret0));
    add(`src${src}-map`, P(two(src, 3, 0), ret0), ARR);
  }
  add("plain-hi", P(two(0, 1, 2, R0), A.alu64i(A.ALU.RSH, R0, 32), A.exit()));
  add("second-code", P(two(0, 1, 0, R1, 0x18), ret0));
  add("second-dst", P(two(0, 1, 0, R1, 0, 1), ret0));
  add("second-src", P(two(0, 1, 0, R1, 0, 0, 1), ret0));
  add("second-off", P(two(0, 1, 0, R1, 0, 0, 0, 1), ret0));
  add("first-off", P(two(0, 1, 0, R1, 0, 0, 0, 0, 1), ret0));
  add("dst-r10", P(two(0, 1, 0, R10), ret0));
  add("dst-r11", P(two(0, 1, 0, 11), ret0));
  add("mapfd-imm2", P(two(1, 3, 1), ret0), ARR);
  add("mapfd-neg", P(two(1, -1, 0), ret0));
  add("mapfd-stdin", P(two(1, 0, 0), ret0));
  for (const off of [0, 4, 15, 16, -1, 0x7fffffff]) add(`mapval-off${off}`, P(two(2, 3, off), ret0), ARR);
  add("mapval-read-end", P(two(2, 3, 12), A.ldx(S.W, R0, R1, 0), A.exit()), ARR);
  add("mapval-read-over", P(two(2, 3, 12), A.ldx(S.DW, R0, R1, 0), A.exit()), ARR);
  add("mapval-write", P(two(2, 3, 0), A.st(S.DW, R1, 8, 5), ret0), ARR);
  add("mapval-queue", P(two(2, 3, 0), ret0), [[MT.QUEUE, 0, 8, 4]]);
  add("mapval-percpu", P(two(2, 3, 0), ret0), [[MT.PERCPU_ARRAY, 4, 8, 1]]);
  add("mapval-2elem", P(two(2, 3, 0), ret0), [[MT.ARRAY, 4, 8, 2]]);
  add("mapfd-deref", P(two(1, 3, 0), A.ldx(S.W, R0, R1, 0), A.exit()), ARR);
  add("mapfd-ret", P(two(1, 3, 0, R0), A.exit()), ARR);
  add("mapfd-twice", P(two(1, 3, 0), two(1, 3, 0, R2), ret0), ARR);
  add("two-maps", P(two(1, 3, 0), two(1, 4, 0, R2), ret0), [[MT.ARRAY, 4, 16, 1], [MT.HASH, 4, 4, 1]]);
  add("mapidx-nofdarray", P(two(5, 0, 0), ret0), ARR);
  add("mapidxval-nofdarray", P(two(6, 0, 0), ret0), ARR);
  add("ld64-last-slot", P(A.mov64i(R0, 0), A.exit(), A.raw(0x18, R1, 0, 0, 0)));
  add("ld64-r0-exit", P(A.ld64(R0, 0xffffffff00000000n), A.exit()));
  add("ld64-jump-second", P(A.mov64i(R0, 0), A.jmpi(A.JMP.JEQ, R0, 0, 2), A.ld64(R1, 1n), A.exit()));
  return c;
}

// --- license, name and log variants -----------------------------------------------------------------

function variantCases(): Case[] {
  const c: Case[] = [];
  const ok = P(A.mov64i(R0, 0), A.exit());
  const bad = P(A.mov64i(R0, 0), A.ldx(S.DW, R1, R10, 8), A.exit());
  const loop = P(A.mov64i(R0, 0), A.alu64i(A.ALU.ADD, R0, 1), A.jmpi(A.JMP.JLT, R0, 3, -2), A.alu64i(A.ALU.AND, R0, 0), A.exit());
  const progs: [string, Uint8Array][] = [["ok", ok], ["bad", bad], ["loop", loop]];
  for (const [pn, insns] of progs) {
    for (const level of [1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 15, 16, 0x20]) {
      for (const size of [0, 1, 16, 64, 100, 4096]) {
        if (size === 0 && level > 9) continue;
        // Level 4 (stats) prints the host's verification time: stay away from it unless masked.
        const stats = (level & 4) !== 0;
        c.push({ cls: "log", name: `${pn}-l${level}-s${size}`, type: PT.SOCKET_FILTER, insns, o: { logLevel: level, logSize: size, compareLog: !stats } });
      }
    }
  }
  for (const lic of ["GPL", "GPL v2", "GPL and additional rights", "Dual BSD/GPL", "Dual MIT/GPL", "Dual MPL/GPL", "Proprietary", "MIT", "gpl", "GPL ", " GPL", "GPLv2", "Dual BSD/GPL\n", ""]) {
    c.push({ cls: "license", name: `lic-${JSON.stringify(lic).replace(/[^A-Za-z0-9]/g, "_")}`, type: PT.KPROBE, insns: P(A.st(S.DW, R10, -8, 0x0a6968), ...fp(R1, -8), A.mov64i(R2, 8), A.call(6), ret0), o: { license: lic } });
  }
  c.push({ cls: "license", name: "lic-long", type: PT.SOCKET_FILTER, insns: ok, o: { license: "G".repeat(200) } });
  c.push({ cls: "license", name: "lic-unmapped", type: PT.SOCKET_FILTER, insns: ok, o: { license: 0x7ff0000000n } });
  const names: [string, string | Uint8Array][] = [
    ["empty", ""], ["a", "a"], ["underscore", "_x_"], ["dot", "a.b.c"], ["digits", "0123456789"], ["max15", "abcdefghijklmno"],
    ["space", "a b"], ["dash", "a-b"], ["slash", "a/b"], ["colon", "a:b"], ["upper", "ABC"], ["nonascii", Uint8Array.from([0xc3, 0xa9])],
    ["nul-mid", Uint8Array.from([0x61, 0, 0x2d])], ["full16", new Uint8Array(16).fill(0x62)], ["tab", "a\tb"], ["dollar", "a$b"],
  ];
  for (const [n, name] of names) c.push({ cls: "name", name: `name-${n}`, type: PT.SOCKET_FILTER, insns: ok, o: { name } });
  // Program sizes: empty, one instruction, the unprivileged limit and beyond (straight-line movs).
  for (const cnt of [0, 1, 2, 4096, 4097]) {
    const body = cnt <= 1 ? (cnt === 0 ? new Uint8Array(0) : P(A.exit())) : P(...Array.from({ length: cnt - 1 }, () => A.mov64i(R0, 0)), A.exit());
    c.push({ cls: "log", name: `size-${cnt}`, type: PT.SOCKET_FILTER, insns: body, o: { logLevel: 1, logSize: 1024, compareLog: cnt < 4000 } });
  }
  return c;
}

// --- references, callbacks and stack ids ---------------------------------------------------------

/**
 * Ring buffer reservations (acquire_reference / release_reference, the NULL
 * check, PTR_TO_MEM bounds, leaks at exit), bpf_get_stackid's map and
 * BPF_PSEUDO_FUNC / bpf_loop without BTF func_info.
 */
function refCases(): Case[] {
  const c: Case[] = [];
  const RB: MapSpec[] = [[MT.RINGBUF, 0, 0, 4096]];
  const reserve = (size = 8): Uint8Array[] => [A.ldMapFd(R1, 3), A.mov64i(R2, size), A.mov64i(R3, 0), A.call(131)];
  const add = (name: string, insns: Uint8Array, maps: MapSpec[] = RB, type: number = PT.TRACEPOINT, env?: TraceEnv): void => {
    c.push({ cls: "refs", name, type, insns, maps, ...(env ? { env } : {}) });
  };
  add("rb-submit", P(reserve(), A.jmpi(A.JMP.JEQ, R0, 0, 3), A.mov64r(R1, R0), A.mov64i(R2, 0), A.call(132), ret0));
  add("rb-discard", P(reserve(), A.jmpi(A.JMP.JEQ, R0, 0, 3), A.mov64r(R1, R0), A.mov64i(R2, 0), A.call(133), ret0));
  add("rb-write-submit", P(reserve(16), A.jmpi(A.JMP.JEQ, R0, 0, 5), A.st(S.DW, R0, 0, 1), A.st(S.DW, R0, 8, 2), A.mov64r(R1, R0), A.mov64i(R2, 0), A.call(132), ret0));
  add("rb-leak", P(reserve(), ret0));
  add("rb-leak-checked", P(reserve(), A.jmpi(A.JMP.JEQ, R0, 0, 0), ret0));
  add("rb-leak-two", P(reserve(), A.mov64r(R6, R0), reserve(16), A.mov64r(R7, R0), ret0));
  add("rb-submit-unchecked", P(reserve(), A.mov64r(R1, R0), A.mov64i(R2, 0), A.call(132), ret0));
  add("rb-submit-twice", P(reserve(), A.jmpi(A.JMP.JEQ, R0, 0, 7), A.mov64r(R6, R0), A.mov64r(R1, R6), A.mov64i(R2, 0), A.call(132), A.mov64r(R1, R6), A.mov64i(R2, 0), A.call(132), ret0));
  add("rb-use-after-submit", P(reserve(), A.jmpi(A.JMP.JEQ, R0, 0, 5), A.mov64r(R6, R0), A.mov64r(R1, R6), A.mov64i(R2, 0), A.call(132), A.st(S.DW, R6, 0, 1), ret0));
  add("rb-submit-offset", P(reserve(16), A.jmpi(A.JMP.JEQ, R0, 0, 4), A.mov64r(R1, R0), A.alu64i(A.ALU.ADD, R1, 8), A.mov64i(R2, 0), A.call(132), ret0));
  add("rb-write-oob", P(reserve(), A.jmpi(A.JMP.JEQ, R0, 0, 4), A.st(S.DW, R0, 8, 1), A.mov64r(R1, R0), A.mov64i(R2, 0), A.call(132), ret0));
  add("rb-read-neg", P(reserve(), A.jmpi(A.JMP.JEQ, R0, 0, 4), A.ldx(S.W, R2, R0, -4), A.mov64r(R1, R0), A.mov64i(R2, 0), A.call(132), ret0));
  add("rb-arith-unchecked", P(reserve(), A.alu64i(A.ALU.ADD, R0, 8), ret0));
  add("rb-deref-unchecked", P(reserve(), A.st(S.DW, R0, 0, 1), ret0));
  add("rb-size-unknown", P(A.call(7), A.mov64r(R2, R0), A.ldMapFd(R1, 3), A.mov64i(R3, 0), A.call(131), ret0));
  add("rb-size-zero", P(reserve(0), A.jmpi(A.JMP.JEQ, R0, 0, 3), A.mov64r(R1, R0), A.mov64i(R2, 0), A.call(133), ret0));
  add("rb-size-ptr", P(A.ldMapFd(R1, 3), A.mov64r(R2, R10), A.mov64i(R3, 0), A.call(131), ret0));
  add("rb-wrong-map", P(reserve(), ret0), [[MT.ARRAY, 4, 8, 1]]);
  add("rb-submit-scalar", P(A.mov64i(R1, 0), A.mov64i(R2, 0), A.call(132), ret0), []);
  add("rb-submit-stack", P(A.mov64r(R1, R10), A.alu64i(A.ALU.ADD, R1, -8), A.mov64i(R2, 0), A.call(132), ret0), []);
  add("rb-helper-mem", P(reserve(16), A.jmpi(A.JMP.JEQ, R0, 0, 7), A.mov64r(R6, R0), A.mov64r(R1, R6), A.mov64i(R2, 16), A.call(16), A.mov64r(R1, R6), A.mov64i(R2, 0), A.call(132), ret0));
  add("rb-helper-mem-oob", P(reserve(8), A.jmpi(A.JMP.JEQ, R0, 0, 7), A.mov64r(R6, R0), A.mov64r(R1, R6), A.mov64i(R2, 16), A.call(16), A.mov64r(R1, R6), A.mov64i(R2, 0), A.call(132), ret0));
  add("rb-spill-submit", P(reserve(), A.jmpi(A.JMP.JEQ, R0, 0, 4), A.stx(S.DW, R10, R0, -8), A.ldx(S.DW, R1, R10, -8), A.mov64i(R2, 0), A.call(132), ret0));
  add("rb-socket-filter", P(reserve(), ret0), RB, PT.SOCKET_FILTER);
  // bpf_get_stackid(ctx, map, flags)
  const ST: MapSpec[] = [[MT.STACK_TRACE, 4, 64, 16]];
  const stackid = [A.ldMapFd(R2, 3), A.mov64i(R3, 0), A.call(27)];
  add("stackid-kprobe", P(stackid, A.mov64r(R6, R0), ret0), ST, PT.KPROBE);
  add("stackid-tp", P(stackid, ret0), ST, PT.TRACEPOINT);
  add("stackid-ret-range", P(stackid, A.jmpi(A.JMP.JSLT, R0, 0, 1), A.alu64i(A.ALU.AND, R0, 0), A.exit()), ST, PT.KPROBE);
  add("stackid-array-map", P(stackid, ret0), [[MT.ARRAY, 4, 8, 1]], PT.KPROBE);
  add("stackid-stackmap-lookup", P(...lookup0(3), ret0), ST, PT.KPROBE);
  add("stackid-moved-ctx", P(A.alu64i(A.ALU.ADD, R1, 8), stackid, ret0), ST, PT.KPROBE);
  add("stackid-socket-filter", P(stackid, ret0), ST, PT.SOCKET_FILTER);
  // BPF_PSEUDO_FUNC: the callback at insn 8, two ld_imm64 halves in between.
  const loop = (flags: number): Uint8Array => P(A.mov64i(R1, 4), A.ld64(R2, 6n, 4), A.mov64i(R3, 0), A.mov64i(R4, flags), A.call(181), A.mov64i(R0, 0), A.exit(), A.mov64i(R0, 0), A.exit());
  add("loop-no-func-info", loop(0), [], PT.SOCKET_FILTER);
  add("loop-nocap", loop(0), [], PT.SOCKET_FILTER, NOCAP);
  add("pseudo-func-out", P(A.ld64(R2, 9n, 4), ret0), [], PT.SOCKET_FILTER);
  return c;
}

/**
 * Test runs of the helpers that change what a run returns: bpf_l3_csum_replace on a tc program (field sizes 0, 2
 * and 4, bad flags, odd, late and huge offsets; the helper's return is the program's) and bpf_redirect_map on XDP
 * (empty and filled device-map slots, the action bits and the other flags, a 64-bit index).
 */
function runCases(): Case[] {
  const c: Case[] = [];
  const csum = (name: string, off: number, from: number, to: number, flags: number): void => {
    const insns = P(A.mov64i(R2, off), A.mov64i(R3, from), A.mov64i(R4, to), A.mov64i(R5, flags), A.call(10), A.exit());
    c.push({ cls: "runs", name: `l3csum-${name}`, type: PT.SCHED_CLS, insns, run: true });
  };
  csum("2", 24, 0x1234, 0x5678, 2);
  csum("2-same", 24, 0x4321, 0x4321, 2);
  csum("4", 24, 0x12345678, 0x0badcafe, 4);
  csum("0-diff", 24, 0, 0x00ff00ff, 0);
  csum("0-from", 24, 1, 2, 0);
  csum("size-8", 24, 1, 2, 8);
  csum("size-1", 24, 1, 2, 1);
  csum("flag-16", 24, 1, 2, 0x12);
  csum("odd-off", 25, 1, 2, 2);
  csum("last", 62, 1, 2, 2);
  csum("past-end", 64, 1, 2, 2);
  csum("off-64k", 0x10000, 1, 2, 2);
  csum("neg-off", -2, 1, 2, 2);
  const DEV: MapSpec[] = [[MT.DEVMAP, 4, 4, 8]];
  const lo = Uint8Array.of(1, 0, 0, 0);
  const redirect = (name: string, index: number, flags: number, filled: boolean): void => {
    const insns = P(A.ldMapFd(R1, 3), A.mov64i(R2, index), A.mov64i(R3, flags), A.call(51), A.exit());
    c.push({ cls: "runs", name: `redirect-${name}`, type: PT.XDP, insns, maps: DEV, run: true, ...(filled ? { updates: [[3, 1, lo]] } : {}) });
  };
  redirect("empty-0", 1, 0, false);
  redirect("empty-pass", 1, 2, false);
  redirect("empty-tx", 1, 3, false);
  redirect("empty-broadcast", 1, 8, false);
  redirect("empty-bad-flag", 1, 0x20, false);
  redirect("filled", 1, 0, true);
  redirect("filled-other-slot", 2, 2, true);
  redirect("filled-exclude", 1, 0x10, true);
  redirect("filled-neg-index", -1, 2, true);
  // bpf_skb_load_bytes into a map value: the kernel writes the map's own memory, so a lookup after the run sees the
  // packet bytes (or the zeroes a failing load leaves). The value starts non-zero.
  const ARR8: MapSpec[] = [[MT.ARRAY, 4, 8, 1]];
  const ones = new Uint8Array(8).fill(0xee);
  const skbLoad = (name: string, off: number, len: number): void => {
    const insns = P(A.mov64r(R6, R1), ...lookup0(3), A.jmpi(A.JMP.JEQ, R0, 0, 5), A.mov64r(R1, R6), A.mov64i(R2, off), A.mov64r(R3, R0), A.mov64i(R4, len), A.call(26), ret0);
    c.push({ cls: "runs", name: `skb-load-mapval-${name}`, type: PT.SOCKET_FILTER, insns, maps: ARR8, run: true, updates: [[3, 0, ones]], lookups: [[3, 0, 8]] });
  };
  skbLoad("8", 0, 8);
  skbLoad("4-late", 20, 4);
  skbLoad("past-end", 60, 8);
  return c;
}

// --- assembly --------------------------------------------------------------------------------

/** Frames for the test runs. */
const ETH = ((): Uint8Array => {
  const b = new Uint8Array(64);
  for (let i = 0; i < b.length; i++) b[i] = (i * 13 + 5) & 0xff;
  b[12] = 0x08;
  b[13] = 0x00;
  return b;
})();

export function prog2Cases(): Case[] {
  return [...helperCases(), ...regCases(), ...retCases(), ...flowCases(), ...opcodeCases(), ...ld64Cases(), ...variantCases(), ...refCases(), ...runCases()];
}

/** The corpus as traces named progs2/<class>/<name>. */
export function prog2Corpus(): Trace[] {
  return prog2Cases().map((k) => {
    const b = new ProgBuilder();
    for (const m of k.maps ?? []) b.mapCreate(m[0], m[1], m[2], m[3]);
    for (const [fd, key, value] of k.updates ?? []) b.mapUpdate(fd, Uint8Array.of(key & 0xff, (key >> 8) & 0xff, (key >> 16) & 0xff, key >>> 24), value);
    const logged = k.o?.logLevel !== undefined || k.o?.logSize !== undefined;
    // The kernel prints map ids for map fds in ld_imm64: such logs stay masked.
    const mapIds = (k.maps?.length ?? 0) > 0;
    b.load(k.type, k.insns, { ...(logged ? {} : { logLevel: 1, logSize: 16384, compareLog: !mapIds }), ...(k.o ?? {}) });
    // BPF_LOG_STATS prints the host's verification time: its length leaks into log_true_size even without a buffer.
    const load = b.ops[b.ops.length - 1]!;
    if (((k.o?.logLevel ?? 0) & 4) !== 0 && load.op === "bpf" && !load.mask?.attr?.some(([o]) => o === 140)) {
      b.ops[b.ops.length - 1] = { ...load, mask: { ...(load.mask ?? {}), attr: [...(load.mask?.attr ?? []), [140, 4]] } };
    }
    if (k.run) b.testRun(3 + (k.maps?.length ?? 0), { data: ETH, dataOut: 64 });
    for (const [fd, key, size] of k.lookups ?? []) b.mapLookup(fd, Uint8Array.of(key & 0xff, (key >> 8) & 0xff, (key >> 16) & 0xff, key >>> 24), size);
    return { name: `progs2/${k.cls}/${k.name}`, description: `PROG_LOAD (${k.cls}) ${k.name}`, abi: "linux-6.18", env: k.env ?? ROOT, recordedOn: null, ops: b.ops };
  });
}

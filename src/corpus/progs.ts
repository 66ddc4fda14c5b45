// SPDX-License-Identifier: GPL-2.0-only
// The programs corpus: PROG_LOAD of valid and invalid programs for socket
// filters, XDP, tc, cgroup_skb, tracepoints and kprobes (decoding, ld_imm64,
// CFG, registers, stack, context, maps, packets, helpers, calls, return
// values), license/log/name variants, prog info, ids and PROG_TEST_RUN.
// Every load carries a log buffer in the log window (masked unless a case
// says the log is compared); expectations come from recording on the live
// kernel (scripts/record-prog-traces.ts). No Node API.

import type { Trace, TraceEnv } from "../trace/format.ts";
import * as A from "./bpf_asm.ts";
import { ProgBuilder, type LoadOpts } from "./prog_builder.ts";

const { R0, R1, R2, R3, R4, R5, R6, R7, R10 } = A;
const P = A.prog;
const S = A.SZ;
const PT = { SOCKET_FILTER: 1, KPROBE: 2, SCHED_CLS: 3, SCHED_ACT: 4, TRACEPOINT: 5, XDP: 6, CGROUP_SKB: 8 } as const;
const MT = { HASH: 1, ARRAY: 2, PROG_ARRAY: 3, PERF_EVENT_ARRAY: 4, PERCPU_ARRAY: 6, QUEUE: 22 } as const;

const ROOT: TraceEnv = { kind: "root" };

/** Lookup of key 0 in the map at `fd`: leaves the result in R0. */
function lookup0(fd: number): Uint8Array[] {
  return [A.st(S.W, R10, -4, 0), A.mov64r(R2, R10), A.alu64i(A.ALU.ADD, R2, -4), A.ldMapFd(R1, fd), A.call(1)];
}

/** One verifier case: a program, its type and options, with the log compared unless `maskLog`. */
interface Case {
  name: string;
  type: number;
  insns: Uint8Array;
  o?: LoadOpts;
  maps?: [type: number, key: number, value: number, max: number][];
}

function verifierCases(): Case[] {
  const c: Case[] = [];
  const add = (name: string, type: number, insns: Uint8Array, o?: LoadOpts, maps?: Case["maps"]): void => {
    c.push({ name, type, insns, ...(o ? { o } : {}), ...(maps ? { maps } : {}) });
  };
  const ret0 = [A.mov64i(R0, 0), A.exit()];
  // Decoding and structure
  add("ok-ret0", PT.SOCKET_FILTER, P(ret0));
  add("no-exit", PT.SOCKET_FILTER, P(A.mov64i(R0, 0)));
  add("r0-uninit", PT.SOCKET_FILTER, P(A.exit()));
  add("jump-out", PT.SOCKET_FILTER, P(A.ja(5), A.exit()));
  add("jump-back-out", PT.SOCKET_FILTER, P(A.mov64i(R0, 0), A.ja(-3), A.exit()));
  add("unreachable", PT.SOCKET_FILTER, P(ret0, ret0));
  add("unknown-opcode-ff", PT.SOCKET_FILTER, P(A.raw(0xff, 0, 0, 0, 0), A.exit()));
  add("unknown-opcode-e7", PT.SOCKET_FILTER, P(A.mov64i(R0, 0), A.raw(0xe7, 0, 0, 0, 0), A.exit()));
  add("ld64-last", PT.SOCKET_FILTER, P(ret0, A.raw(0x18, 0, 0, 0, 0)));
  add("ld64-second-bad", PT.SOCKET_FILTER, P(A.raw(0x18, 0, 0, 0, 0), A.raw(0, 1, 0, 0, 0), A.exit()));
  add("ld64-src7", PT.SOCKET_FILTER, P(A.raw(0x18, 0, 7, 0, 0), A.raw(0, 0, 0, 0, 0), A.exit()));
  add("ld64-plain", PT.SOCKET_FILTER, P(A.ld64(R0, 0x1234567890n), A.exit()));
  add("ld64-badfd", PT.SOCKET_FILTER, P(A.ldMapFd(R1, 99), ret0));
  add("ld64-notmap", PT.SOCKET_FILTER, P(A.ldMapFd(R1, 0), ret0));
  add("ldx-reserved", PT.SOCKET_FILTER, P(A.mov64i(R0, 0), A.raw(0x79, 0, 10, -8, 1), A.exit()));
  add("st-reserved", PT.SOCKET_FILTER, P(A.mov64i(R0, 0), A.raw(0x7a, 10, 1, -8, 1), A.exit()));
  add("mov-k-src", PT.SOCKET_FILTER, P(A.raw(0xb7, 0, 1, 0, 0), A.exit()));
  add("mov-off", PT.SOCKET_FILTER, P(A.raw(0xb7, 0, 0, 1, 0), A.exit()));
  add("alu-reserved", PT.SOCKET_FILTER, P(A.mov64i(R0, 0), A.raw(0x07, 0, 0, 2, 1), A.exit()));
  add("jmp-k-src", PT.SOCKET_FILTER, P(A.mov64i(R0, 0), A.raw(0x15, 0, 1, 0, 0), A.exit()));
  add("exit-reserved", PT.SOCKET_FILTER, P(A.mov64i(R0, 0), A.raw(0x95, 0, 0, 0, 1), A.exit()));
  add("call-reserved", PT.SOCKET_FILTER, P(A.raw(0x85, 1, 0, 0, 5), A.exit()));
  add("ja-reserved", PT.SOCKET_FILTER, P(A.mov64i(R0, 0), A.raw(0x05, 0, 0, 0, 1), A.exit()));
  add("neg-reserved", PT.SOCKET_FILTER, P(A.mov64i(R0, 0), A.raw(0x87, 0, 0, 0, 1), A.exit()));
  add("end-reserved", PT.SOCKET_FILTER, P(A.mov64i(R0, 0), A.raw(0xd4, 0, 0, 0, 8), A.exit()));
  // Registers and ALU
  add("r10-write", PT.SOCKET_FILTER, P(A.mov64i(R10, 0), ret0));
  add("uninit-r2", PT.SOCKET_FILTER, P(A.mov64r(R0, R2), A.exit()));
  add("div0", PT.SOCKET_FILTER, P(A.mov64i(R0, 1), A.alu64i(A.ALU.DIV, R0, 0), A.exit()));
  add("mod0-32", PT.SOCKET_FILTER, P(A.mov64i(R0, 1), A.alu32i(A.ALU.MOD, R0, 0), A.exit()));
  add("shift-64", PT.SOCKET_FILTER, P(A.mov64i(R0, 1), A.alu64i(A.ALU.LSH, R0, 64), A.exit()));
  add("shift-32", PT.SOCKET_FILTER, P(A.mov64i(R0, 1), A.alu32i(A.ALU.RSH, R0, 32), A.exit()));
  add("alu-mix", PT.SOCKET_FILTER, P(A.mov64i(R0, 7), A.alu64i(A.ALU.MUL, R0, 6), A.alu64i(A.ALU.XOR, R0, 3), A.alu32i(A.ALU.ARSH, R0, 1), A.alu64i(A.ALU.AND, R0, 0xff), A.exit()));
  add("sdiv-smod-movsx", PT.SOCKET_FILTER, P(A.mov64i(R0, -7), A.alu64i(A.ALU.DIV, R0, 2, 1), A.alu64i(A.ALU.MOD, R0, 3, 1), A.raw(0xbf, 1, 0, 8, 0), A.mov64r(R0, R1), A.exit()));
  add("bswap", PT.SOCKET_FILTER, P(A.mov64i(R0, 0x1234), A.raw(0xd7, 0, 0, 0, 16), A.raw(0xdc, 0, 0, 0, 32), A.exit()));
  // Stack
  add("stack-oob", PT.SOCKET_FILTER, P(A.st(S.DW, R10, -520, 0), ret0));
  add("stack-pos", PT.SOCKET_FILTER, P(A.st(S.DW, R10, 0, 0), ret0));
  add("stack-misaligned", PT.SOCKET_FILTER, P(A.st(S.DW, R10, -4, 0), ret0));
  add("stack-spill-fill", PT.SOCKET_FILTER, P(A.mov64i(R1, 42), A.stx(S.DW, R10, R1, -8), A.ldx(S.DW, R0, R10, -8), A.exit()));
  add("stack-read-uninit-root", PT.SOCKET_FILTER, P(A.ldx(S.DW, R0, R10, -8), A.exit()));
  add("atomic-add", PT.SOCKET_FILTER, P(A.st(S.DW, R10, -8, 1), A.mov64i(R1, 2), A.atomic(S.DW, A.ATOMIC.ADD | A.ATOMIC.FETCH, R10, R1, -8), A.mov64r(R0, R1), A.exit()));
  add("atomic-bad-op", PT.SOCKET_FILTER, P(A.st(S.DW, R10, -8, 1), A.mov64i(R1, 2), A.atomic(S.DW, 0x30, R10, R1, -8), ret0));
  // Context
  add("ctx-len", PT.SOCKET_FILTER, P(A.ldx(S.W, R0, R1, 0), A.exit()));
  add("ctx-bad-off", PT.SOCKET_FILTER, P(A.ldx(S.W, R0, R1, 1000), A.exit()));
  add("ctx-sf-data", PT.SOCKET_FILTER, P(A.ldx(S.W, R0, R1, 76), A.exit()));
  add("ctx-sf-write-mark", PT.SOCKET_FILTER, P(A.st(S.W, R1, 8, 1), ret0));
  add("ctx-sf-write-cb", PT.SOCKET_FILTER, P(A.st(S.W, R1, 48, 1), ret0));
  add("ctx-narrow", PT.SOCKET_FILTER, P(A.ldx(S.B, R0, R1, 1), A.exit()));
  add("ctx-modified", PT.SOCKET_FILTER, P(A.alu64i(A.ALU.ADD, R1, 4), A.ldx(S.W, R0, R1, 0), A.exit()));
  add("ctx-tc-write-mark", PT.SCHED_CLS, P(A.st(S.W, R1, 8, 1), ret0));
  add("ctx-xdp-write", PT.XDP, P(A.st(S.W, R1, 12, 1), ret0));
  add("ctx-xdp-egress", PT.XDP, P(A.ldx(S.W, R0, R1, 20), A.exit()));
  add("ctx-kprobe", PT.KPROBE, P(A.ldx(S.DW, R0, R1, 112), A.exit()));
  add("ctx-kprobe-oob", PT.KPROBE, P(A.ldx(S.DW, R0, R1, 168), A.exit()));
  add("ctx-tp-low", PT.TRACEPOINT, P(A.ldx(S.DW, R0, R1, 0), A.exit()));
  add("ctx-tp-ok", PT.TRACEPOINT, P(A.ldx(S.DW, R0, R1, 16), A.exit()));
  // Packets
  const pktCheck = (n: number, acc: number): Uint8Array => P(A.ldx(S.W, R2, R1, 0), A.ldx(S.W, R3, R1, 4), A.mov64r(R4, R2), A.alu64i(A.ALU.ADD, R4, n), A.jmpr(A.JMP.JGT, R4, R3, 2), A.ldx(S.B, R0, R2, acc), A.exit(), A.mov64i(R0, 1), A.exit());
  add("xdp-pkt-ok", PT.XDP, pktCheck(14, 12));
  add("xdp-pkt-edge", PT.XDP, pktCheck(14, 14));
  add("xdp-pkt-nocheck", PT.XDP, P(A.ldx(S.W, R2, R1, 0), A.ldx(S.B, R0, R2, 12), A.exit()));
  add("tc-pkt-ok", PT.SCHED_CLS, P(A.ldx(S.W, R2, R1, 76), A.ldx(S.W, R3, R1, 80), A.mov64r(R4, R2), A.alu64i(A.ALU.ADD, R4, 34), A.jmpr(A.JMP.JGT, R4, R3, 2), A.ldx(S.H, R0, R2, 12), A.exit(), A.mov64i(R0, 0), A.exit()));
  add("tc-pkt-lt", PT.SCHED_CLS, P(A.ldx(S.W, R2, R1, 76), A.ldx(S.W, R3, R1, 80), A.mov64r(R4, R2), A.alu64i(A.ALU.ADD, R4, 8), A.jmpr(A.JMP.JLT, R3, R4, 2), A.ldx(S.DW, R0, R2, 0), A.exit(), A.mov64i(R0, 0), A.exit()));
  add("cgskb-pkt-write", PT.CGROUP_SKB, P(A.ldx(S.W, R2, R1, 76), A.ldx(S.W, R3, R1, 80), A.mov64r(R4, R2), A.alu64i(A.ALU.ADD, R4, 8), A.jmpr(A.JMP.JGT, R4, R3, 2), A.st(S.B, R2, 0, 1), A.mov64i(R0, 1), A.exit(), A.mov64i(R0, 1), A.exit()));
  add("ld-abs-ok", PT.SOCKET_FILTER, P(A.mov64r(R6, R1), A.ldAbs(S.H, 12), A.exit()));
  add("ld-abs-no-r6", PT.SOCKET_FILTER, P(A.ldAbs(S.H, 12), A.exit()));
  add("ld-abs-xdp", PT.XDP, P(A.mov64r(R6, R1), A.ldAbs(S.H, 12), A.exit()));
  add("ld-ind-ok", PT.SCHED_CLS, P(A.mov64r(R6, R1), A.mov64i(R2, 2), A.ldInd(S.B, R2, 12), A.exit()));
  // Maps
  const ARR: Case["maps"] = [[MT.ARRAY, 4, 8, 4]];
  const HASH: Case["maps"] = [[MT.HASH, 4, 8, 4]];
  add("map-array-const-key", PT.SOCKET_FILTER, P(lookup0(3), A.ldx(S.W, R0, R0, 0), A.exit()), undefined, ARR);
  add("map-hash-nonull", PT.SOCKET_FILTER, P(lookup0(3), A.ldx(S.W, R0, R0, 0), A.exit()), undefined, HASH);
  add("map-hash-nullcheck", PT.SOCKET_FILTER, P(lookup0(3), A.jmpi(A.JMP.JEQ, R0, 0, 1), A.ldx(S.W, R0, R0, 4), A.mov64i(R0, 0), A.exit()), undefined, HASH);
  add("map-oob", PT.SOCKET_FILTER, P(lookup0(3), A.jmpi(A.JMP.JEQ, R0, 0, 1), A.ldx(S.W, R0, R0, 8), A.mov64i(R0, 0), A.exit()), undefined, ARR);
  add("map-ptr-arith-null", PT.SOCKET_FILTER, P(lookup0(3), A.alu64i(A.ALU.ADD, R0, 4), A.mov64i(R0, 0), A.exit()), undefined, HASH);
  add("map-update", PT.XDP, P(A.st(S.W, R10, -4, 1), A.st(S.DW, R10, -16, 7), A.mov64r(R2, R10), A.alu64i(A.ALU.ADD, R2, -4), A.mov64r(R3, R10), A.alu64i(A.ALU.ADD, R3, -16), A.ldMapFd(R1, 3), A.mov64i(R4, 0), A.call(2), A.mov64i(R0, 2), A.exit()), undefined, ARR);
  add("map-key-uninit-root", PT.SOCKET_FILTER, P(A.mov64r(R2, R10), A.alu64i(A.ALU.ADD, R2, -4), A.ldMapFd(R1, 3), A.call(1), ret0), undefined, HASH);
  add("map-key-not-stack", PT.SOCKET_FILTER, P(A.mov64r(R2, R1), A.ldMapFd(R1, 3), A.call(1), ret0), undefined, HASH);
  add("map-value-direct", PT.SOCKET_FILTER, P(A.ldMapValue(R1, 3, 4), A.ldx(S.W, R0, R1, 0), A.exit()), undefined, ARR);
  add("map-value-direct-oob", PT.SOCKET_FILTER, P(A.ldMapValue(R1, 3, 8), ret0), undefined, ARR);
  add("map-value-direct-hash", PT.SOCKET_FILTER, P(A.ldMapValue(R1, 3, 0), ret0), undefined, HASH);
  add("map-arg-not-map", PT.SOCKET_FILTER, P(A.mov64r(R2, R10), A.call(1), ret0));
  add("map-tail-call-wrong-map", PT.SOCKET_FILTER, P(A.ldMapFd(R2, 3), A.mov64i(R3, 0), A.call(12), ret0), undefined, ARR);
  add("map-tail-call", PT.SOCKET_FILTER, P(A.ldMapFd(R2, 3), A.mov64i(R3, 0), A.call(12), ret0), undefined, [[MT.PROG_ARRAY, 4, 4, 4]]);
  add("map-bounded-index", PT.SOCKET_FILTER, P(lookup0(3), A.jmpi(A.JMP.JEQ, R0, 0, 6), A.ldx(S.W, R1, R0, 0), A.jmpi(A.JMP.JGT, R1, 4, 4), A.alu64r(A.ALU.ADD, R0, R1), A.ldx(S.B, R0, R0, 0), A.exit(), A.mov64i(R0, 0), A.exit(), A.mov64i(R0, 0), A.exit()), undefined, HASH);
  add("map-unbounded-index", PT.SOCKET_FILTER, P(lookup0(3), A.jmpi(A.JMP.JEQ, R0, 0, 4), A.ldx(S.W, R1, R0, 0), A.alu64r(A.ALU.ADD, R0, R1), A.ldx(S.B, R0, R0, 0), A.exit(), A.mov64i(R0, 0), A.exit()), undefined, HASH);
  // Helpers
  add("helper-unknown", PT.SOCKET_FILTER, P(A.mov64i(R0, 0), A.call(212), ret0));
  add("helper-huge", PT.SOCKET_FILTER, P(A.mov64i(R0, 0), A.call(100000), ret0));
  add("helper-wrong-type", PT.XDP, P(A.mov64i(R0, 0), A.call(26), ret0));
  add("helper-ktime", PT.SOCKET_FILTER, P(A.call(5), A.exit()));
  add("helper-pidtgid-sf", PT.SOCKET_FILTER, P(A.call(14), A.exit()));
  add("helper-printk-nongpl", PT.SOCKET_FILTER, P(A.mov64i(R0, 0), A.call(6), ret0), { license: "MIT" });
  add("helper-printk-gpl", PT.KPROBE, P(A.st(S.DW, R10, -8, 0x0a6968), A.mov64r(R1, R10), A.alu64i(A.ALU.ADD, R1, -8), A.mov64i(R2, 8), A.call(6), ret0));
  add("helper-probe-read-ctx", PT.SOCKET_FILTER, P(A.mov64i(R0, 0), A.call(113), ret0));
  add("helper-probe-read", PT.KPROBE, P(A.mov64r(R3, R1), A.mov64r(R1, R10), A.alu64i(A.ALU.ADD, R1, -16), A.mov64i(R2, 16), A.call(113), ret0));
  add("helper-size-zero", PT.KPROBE, P(A.mov64r(R1, R10), A.alu64i(A.ALU.ADD, R1, -8), A.mov64i(R2, 0), A.call(6), ret0));
  add("helper-r2-uninit", PT.SCHED_CLS, P(A.mov64i(R0, 0), A.call(9), ret0));
  add("helper-skb-load-bytes", PT.SCHED_CLS, P(A.mov64i(R2, 0), A.mov64r(R3, R10), A.alu64i(A.ALU.ADD, R3, -8), A.mov64i(R4, 8), A.call(26), A.ldx(S.DW, R0, R10, -8), A.exit()));
  add("helper-clobbers-r1", PT.SOCKET_FILTER, P(A.call(5), A.mov64r(R0, R1), A.exit()));
  add("helper-pidtgid-nongpl-kprobe", PT.KPROBE, P(A.call(14), A.exit()), { license: "Proprietary" });
  add("helper-redirect-xdp", PT.XDP, P(A.mov64i(R1, 1), A.mov64i(R2, 0), A.call(23), A.exit()));
  // Calls
  add("subprog-ok", PT.SOCKET_FILTER, P(A.callLocal(1), A.exit(), A.mov64i(R0, 1), A.exit()));
  add("subprog-bad-target", PT.SOCKET_FILTER, P(A.callLocal(5), A.exit(), A.mov64i(R0, 1), A.exit()));
  add("subprog-jump-across", PT.SOCKET_FILTER, P(A.callLocal(2), A.ja(1), A.exit(), A.mov64i(R0, 1), A.exit()));
  add("subprog-r0-uninit", PT.SOCKET_FILTER, P(A.callLocal(1), A.exit(), A.exit()));
  add("subprog-args", PT.SOCKET_FILTER, P(A.mov64i(R1, 5), A.callLocal(1), A.exit(), A.mov64r(R0, R1), A.exit()));
  add("subprog-r6-uninit", PT.SOCKET_FILTER, P(A.mov64i(R6, 5), A.callLocal(1), A.exit(), A.mov64r(R0, R6), A.exit()));
  // Loops
  add("loop-bounded", PT.SOCKET_FILTER, P(A.mov64i(R0, 0), A.alu64i(A.ALU.ADD, R0, 1), A.jmpi(A.JMP.JLT, R0, 10, -2), A.exit()));
  add("loop-infinite", PT.SOCKET_FILTER, P(A.mov64i(R0, 0), A.ja(-1), A.exit()));
  add("loop-infinite-2", PT.SOCKET_FILTER, P(A.mov64i(R0, 0), A.mov64i(R1, 0), A.jmpi(A.JMP.JEQ, R1, 0, -2), A.exit()));
  // Return values
  add("cgskb-ret-ok", PT.CGROUP_SKB, P(A.mov64i(R0, 1), A.exit()));
  add("cgskb-ret-5", PT.CGROUP_SKB, P(A.mov64i(R0, 5), A.exit()));
  add("cgskb-ret-unknown", PT.CGROUP_SKB, P(A.ldx(S.W, R0, R1, 0), A.exit()));
  add("cgskb-egress-3", PT.CGROUP_SKB, P(A.mov64i(R0, 3), A.exit()), { eat: 1 });
  add("cgskb-ret-ptr", PT.CGROUP_SKB, P(A.mov64r(R0, R10), A.exit()));
  add("sf-ret-ptr", PT.SOCKET_FILTER, P(A.mov64r(R0, R1), A.exit()));
  add("xdp-ret-big", PT.XDP, P(A.ld64(R0, 0x100000000n), A.exit()));
  add("tc-act-ok", PT.SCHED_ACT, P(ret0));
  add("tp-ok", PT.TRACEPOINT, P(ret0));
  add("kprobe-ok", PT.KPROBE, P(ret0));
  // jmp32 and branch evaluation
  add("jmp32-known", PT.SOCKET_FILTER, P(A.ld64(R1, 0x100000001n), A.jmp32i(A.JMP.JEQ, R1, 1, 1), A.exit(), A.mov64i(R0, 0), A.exit()));
  add("branch-both", PT.XDP, P(A.ldx(S.W, R2, R1, 12), A.mov64i(R0, 1), A.jmpi(A.JMP.JGT, R2, 3, 1), A.mov64i(R0, 2), A.exit()));
  add("branch-second-fails", PT.XDP, P(A.ldx(S.W, R2, R1, 12), A.mov64i(R0, 1), A.jmpi(A.JMP.JGT, R2, 3, 1), A.exit(), A.mov64r(R0, R3), A.exit()));
  // Loader-shaped programs and more verdicts
  add("xdp-parse-ipv4", 6, P(
    A.ldx(S.W, R2, R1, 4), A.ldx(S.W, R1, R1, 0), A.mov64i(R0, 1),
    A.mov64r(R3, R1), A.alu64i(A.ALU.ADD, R3, 14), A.jmpr(A.JMP.JGT, R3, R2, 9),
    A.ldx(S.H, R4, R1, 12), A.jmpi(A.JMP.JNE, R4, 8, 7),
    A.mov64r(R3, R1), A.alu64i(A.ALU.ADD, R3, 34), A.jmpr(A.JMP.JGT, R3, R2, 4),
    A.ldx(S.B, R4, R1, 23), A.mov64i(R0, 2), A.jmpi(A.JMP.JNE, R4, 17, 1), A.mov64i(R0, 1),
    A.exit()));
  add("tc-mark", 3, P(A.ldx(S.W, R2, R1, 8), A.alu32i(A.ALU.OR, R2, 0x10), A.stx(S.W, R1, R2, 8), A.ldx(S.W, R3, R1, 16), A.mov64i(R0, 0), A.jmpi(A.JMP.JEQ, R3, 0x8, 1), A.mov64i(R0, 2), A.exit()));
  add("sf-ldabs-proto", 1, P(A.mov64r(R6, R1), A.ldAbs(S.B, 9), A.jmpi(A.JMP.JEQ, R0, 6, 2), A.mov64i(R0, 0), A.exit(), A.mov64i(R0, -1), A.exit()));
  add("kprobe-count", 2, P(
    A.call(14), A.alu64i(A.ALU.RSH, R0, 32), A.stx(S.W, R10, R0, -4),
    A.mov64r(R2, R10), A.alu64i(A.ALU.ADD, R2, -4), A.ldMapFd(R1, 3), A.call(1),
    A.jmpi(A.JMP.JEQ, R0, 0, 4), A.mov64i(R1, 1), A.atomic(S.DW, A.ATOMIC.ADD, R0, R1, 0), A.mov64i(R0, 0), A.exit(),
    A.st(S.DW, R10, -16, 1), A.mov64r(R2, R10), A.alu64i(A.ALU.ADD, R2, -4), A.mov64r(R3, R10), A.alu64i(A.ALU.ADD, R3, -16),
    A.ldMapFd(R1, 3), A.mov64i(R4, 1), A.call(2), A.mov64i(R0, 0), A.exit()), undefined, [[1, 4, 8, 128]]);
  add("tp-perf-output", 5, P(
    A.mov64r(R6, R1), A.ldx(S.DW, R7, R6, 8), A.stx(S.DW, R10, R7, -8), A.call(5), A.stx(S.DW, R10, R0, -16),
    A.mov64r(R1, R6), A.ldMapFd(R2, 3), A.ld64(R3, 0xffffffffn), A.mov64r(R4, R10), A.alu64i(A.ALU.ADD, R4, -16), A.mov64i(R5, 16), A.call(25), A.mov64i(R0, 0), A.exit()), undefined, [[4, 4, 4, 2]]);
  add("cgskb-len", 8, P(A.ldx(S.W, R2, R1, 0), A.mov64i(R0, 1), A.jmpi(A.JMP.JLT, R2, 1500, 1), A.mov64i(R0, 0), A.exit()));
  add("array-var-key", 6, P(A.ldx(S.W, R2, R1, 16), A.alu32i(A.ALU.AND, R2, 3), A.stx(S.W, R10, R2, -4), A.mov64r(R2, R10), A.alu64i(A.ALU.ADD, R2, -4), A.ldMapFd(R1, 3), A.call(1), A.jmpi(A.JMP.JEQ, R0, 0, 1), A.ldx(S.DW, R0, R0, 0), A.mov64i(R0, 2), A.exit()), undefined, [[2, 4, 8, 4]]);
  add("array-var-key-nocheck", 6, P(A.ldx(S.W, R2, R1, 16), A.alu32i(A.ALU.AND, R2, 3), A.stx(S.W, R10, R2, -4), A.mov64r(R2, R10), A.alu64i(A.ALU.ADD, R2, -4), A.ldMapFd(R1, 3), A.call(1), A.ldx(S.DW, R0, R0, 0), A.mov64i(R0, 2), A.exit()), undefined, [[2, 4, 8, 4]]);
  add("subprog-stack-arg", 1, P(A.st(S.DW, R10, -8, 5), A.mov64r(R1, R10), A.alu64i(A.ALU.ADD, R1, -8), A.callLocal(1), A.exit(), A.ldx(S.DW, R0, R1, 0), A.st(S.DW, R10, -16, 1), A.exit()));
  add("subprog-two", 3, P(A.mov64i(R1, 1), A.callLocal(3), A.mov64r(R1, R0), A.callLocal(1), A.exit(), A.mov64r(R0, R1), A.alu64i(A.ALU.ADD, R0, 1), A.exit()));
  add("loop-map", 1, P(A.mov64i(R6, 0), A.st(S.W, R10, -4, 0), A.mov64r(R2, R10), A.alu64i(A.ALU.ADD, R2, -4), A.ldMapFd(R1, 3), A.call(1), A.alu64i(A.ALU.ADD, R6, 1), A.jmpi(A.JMP.JLT, R6, 4, -7), A.mov64i(R0, 0), A.exit()), undefined, [[2, 4, 8, 4]]);
  add("xdp-ctx-write-ro", 6, P(A.st(S.W, R1, 16, 0), A.mov64i(R0, 2), A.exit()));
  add("r0-one-branch", 1, P(A.ldx(S.W, R2, R1, 0), A.jmpi(A.JMP.JEQ, R2, 0, 1), A.mov64i(R0, 0), A.exit()));
  add("stack-var-off", 1, P(A.ldx(S.W, R2, R1, 0), A.alu64i(A.ALU.AND, R2, 7), A.mov64r(R3, R10), A.alu64i(A.ALU.ADD, R3, -16), A.alu64r(A.ALU.ADD, R3, R2), A.st(S.B, R3, 0, 1), A.mov64i(R0, 0), A.exit()));
  add("jmp32-unknown", 1, P(A.ldx(S.W, R2, R1, 0), A.mov64i(R0, 0), A.jmp32i(A.JMP.JSGT, R2, 10, 1), A.mov64i(R0, 1), A.exit()));
  add("alu32-unknown", 1, P(A.ldx(S.W, R2, R1, 0), A.alu32i(A.ALU.ADD, R2, 5), A.alu32i(A.ALU.LSH, R2, 2), A.alu32r(A.ALU.XOR, R2, R2), A.mov64r(R0, R2), A.exit()));
  add("ldsx-stack", 1, P(A.st(S.B, R10, -1, -3), A.ldxsx(S.B, R0, R10, -1), A.exit()));
  add("gotol", 1, P(A.mov64i(R0, 0), A.raw(0x06, 0, 0, 0, 1), A.mov64i(R0, 1), A.exit()));
  add("bswap64", 1, P(A.ld64(R0, 0x0102030405060708n), A.raw(0xd7, 0, 0, 0, 64), A.exit()));
  add("helper-uninit-stack-root", 2, P(A.mov64r(R1, R10), A.alu64i(A.ALU.ADD, R1, -16), A.mov64i(R2, 16), A.call(6), A.mov64i(R0, 0), A.exit()));
  add("map-neg-index", 1, P(A.ldMapValue(R1, 3, 0), A.ldx(S.W, R2, R1, 0), A.alu64i(A.ALU.LSH, R2, 32), A.alu64i(A.ALU.ARSH, R2, 32), A.alu64r(A.ALU.ADD, R1, R2), A.ldx(S.B, R0, R1, 0), A.exit()), undefined, [[2, 4, 16, 1]]);
  add("map-value-direct-ok", 1, P(A.ldMapValue(R1, 3, 4), A.ldx(S.W, R0, R1, 0), A.exit()), undefined, [[2, 4, 16, 1]]);
  add("pkt-var-off", 6, P(A.ldx(S.W, R2, R1, 0), A.ldx(S.W, R3, R1, 4), A.mov64r(R4, R2), A.alu64i(A.ALU.ADD, R4, 64), A.jmpr(A.JMP.JGT, R4, R3, 5), A.ldx(S.B, R5, R2, 0), A.alu64i(A.ALU.AND, R5, 15), A.alu64r(A.ALU.ADD, R2, R5), A.ldx(S.B, R0, R2, 0), A.exit(), A.mov64i(R0, 2), A.exit()));
  add("pkt-write-xdp", 6, P(A.ldx(S.W, R2, R1, 0), A.ldx(S.W, R3, R1, 4), A.mov64r(R4, R2), A.alu64i(A.ALU.ADD, R4, 6), A.jmpr(A.JMP.JGT, R4, R3, 2), A.st(S.W, R2, 0, -1), A.st(S.H, R2, 4, -1), A.mov64i(R0, 2), A.exit()));
  add("ptr-leak-ctx-store", 3, P(A.stx(S.DW, R1, R10, 48), A.mov64i(R0, 0), A.exit()));
  add("nested-calls-9", 1, P(A.callLocal(1), A.exit(), A.callLocal(1), A.exit(), A.callLocal(1), A.exit(), A.callLocal(1), A.exit(), A.callLocal(1), A.exit(), A.callLocal(1), A.exit(), A.callLocal(1), A.exit(), A.callLocal(1), A.exit(), A.mov64i(R0, 0), A.exit()));
  add("stack-combined", 1, P(A.st(S.DW, R10, -512, 0), A.callLocal(1), A.exit(), A.st(S.DW, R10, -8, 0), A.mov64i(R0, 0), A.exit()));
  add("queue-push", 1, P(A.st(S.DW, R10, -8, 7), A.ldMapFd(R1, 3), A.mov64r(R2, R10), A.alu64i(A.ALU.ADD, R2, -8), A.mov64i(R3, 0), A.call(87), A.mov64i(R0, 0), A.exit()), undefined, [[22, 0, 8, 4]]);
  add("queue-lookup", 1, P(A.st(S.DW, R10, -8, 7), A.ldMapFd(R1, 3), A.mov64r(R2, R10), A.alu64i(A.ALU.ADD, R2, -8), A.call(1), A.mov64i(R0, 0), A.exit()), undefined, [[22, 0, 8, 4]]);
  add("redirect-map-array", 6, P(A.ldMapFd(R1, 3), A.mov64i(R2, 0), A.mov64i(R3, 0), A.call(51), A.exit()), undefined, [[2, 4, 8, 4]]);
  return c;
}


/** A seeded linear-congruential generator, so the random corpus is the same on every run. */
function lcg(seed: number): (n: number) => number {
  let x = seed;
  return (n) => {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    return x % n;
  };
}

const IMMS = [0, 1, -1, 2, 7, 31, 32, 63, 64, 0x7fffffff, -0x80000000, 0x12345678, -5, 255, 256, 65535];

/**
 * A random straight-line program over R0-R5 (all set by ld_imm64 first):
 * ALU and ALU64 with register and immediate operands (sdiv/smod included,
 * no constant zero divisors), neg, movsx, bswap/le/be, conditional jumps
 * over one insn in JMP and JMP32, and moves. The verifier accepts all of
 * them; PROG_TEST_RUN's retval shows R0.
 */
function randomAluProgram(rnd: (n: number) => number): Uint8Array[] {
  const ins: Uint8Array[] = [];
  for (let r = 0; r <= 5; r++) ins.push(A.ld64(r, BigInt.asUintN(64, BigInt(rnd(0x7fffffff)) * BigInt(rnd(0x7fffffff)) * (rnd(2) ? -1n : 1n))));
  const n = 6 + rnd(10);
  const ops = [0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x90, 0xa0, 0xc0];
  for (let i = 0; i < n; i++) {
    const d = rnd(6);
    const sr = rnd(6);
    const imm = IMMS[rnd(IMMS.length)]!;
    const k = rnd(12);
    if (k < 7) {
      const op = ops[rnd(ops.length)]!;
      const w = rnd(2) ? A.CLS.ALU64 : A.CLS.ALU;
      const off = (op === 0x30 || op === 0x90) && rnd(2) ? 1 : 0;
      if (rnd(2)) ins.push(A.raw(w | op | 0x08, d, sr, off, 0));
      else {
        let im = imm;
        if ((op === 0x30 || op === 0x90) && im === 0) im = 3;
        if (op === 0x60 || op === 0x70 || op === 0xc0) im = rnd(w === A.CLS.ALU64 ? 64 : 32);
        ins.push(A.raw(w | op, d, 0, off, im));
      }
    } else if (k === 7) ins.push(A.raw((rnd(2) ? A.CLS.ALU64 : A.CLS.ALU) | 0x80, d, 0, 0, 0));
    else if (k === 8) {
      const sz = [8, 16, 32][rnd(3)]!;
      ins.push(A.raw((rnd(2) ? A.CLS.ALU64 : A.CLS.ALU) | 0xb0 | 0x08, d, sr, sz === 32 && rnd(2) ? 16 : sz, 0));
    } else if (k === 9) {
      const sz = [16, 32, 64][rnd(3)]!;
      const c = rnd(3);
      ins.push(A.raw(c === 0 ? 0xd7 : c === 1 ? 0xd4 : 0xdc, d, 0, 0, sz));
    } else if (k === 10) {
      const jop = [0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0xa0, 0xb0, 0xc0, 0xd0][rnd(11)]!;
      const cls = rnd(2) ? A.CLS.JMP : A.CLS.JMP32;
      ins.push(rnd(2) ? A.raw(cls | jop | 0x08, d, sr, 1, 0) : A.raw(cls | jop, d, 0, 1, imm));
      ins.push(A.alu64i(A.ALU.ADD, d, 17));
    } else ins.push(A.mov64r(d, sr));
  }
  return ins;
}

/** All program traces, without expectations. */
export function progCorpus(): Trace[] {
  const out: Trace[] = [];
  const add = (name: string, description: string, env: TraceEnv, build: (b: ProgBuilder) => void): void => {
    const b = new ProgBuilder();
    build(b);
    out.push({ name: `progs/${name}`, description, abi: "linux-6.18", env, recordedOn: null, ops: b.ops });
  };
  // The map pointer the kernel prints is a kernel address: logs of programs with map fds stay masked.
  for (const k of verifierCases()) {
    const hasMapPtr = k.maps !== undefined && !k.name.startsWith("map-value-direct-");
    add(`verifier-${k.name}`, `PROG_LOAD verdict and log (level 1) of ${k.name}`, ROOT, (b) => {
      for (const m of k.maps ?? []) b.mapCreate(m[0], m[1], m[2], m[3]);
      b.load(k.type, k.insns, { logLevel: 1, logSize: 16384, compareLog: !hasMapPtr, ...(k.o ?? {}) });
    });
  }
  const ok = P(A.mov64i(R0, 0), A.exit());
  const bad = P(A.mov64i(R0, 0));
  // Log attribute rules and log sizes
  add("log-attrs", "bpf_vlog_init(): buffer/size pairing, level bits, UINT_MAX >> 2; tiny buffers give ENOSPC (rotating keeps the tail, FIXED the head)", ROOT, (b) => {
    b.load(1, ok, { logLevel: 0, logSize: 64, compareLog: true, note: "log_size without level" });
    b.load(1, ok, { logLevel: 1, logSize: 0, logBuf: 0x30000000n, note: "buffer pointer without size" });
    b.load(1, ok, { logLevel: 1, logSize: 0, note: "level without buffer: succeeds, log_true_size written" });
    b.load(1, ok, { logLevel: 0x10, logSize: 64, compareLog: true, note: "unknown level bit" });
    b.load(1, ok, { logLevel: 1, logSize: 0x40000000, logBuf: 0x30000000n, note: "log_size over UINT_MAX >> 2" });
    b.load(1, ok, { logLevel: 1, logSize: 20, compareLog: true, note: "rotating, truncated: ENOSPC" });
    b.load(1, ok, { logLevel: 9, logSize: 20, compareLog: true, note: "BPF_LOG_FIXED, truncated: ENOSPC" });
    b.load(1, bad, { logLevel: 1, logSize: 10, compareLog: true, note: "verifier error, truncated log: the verifier's errno wins" });
    b.load(1, ok, { logLevel: 2, logSize: 4096, compareLog: true, note: "level 2" });
    b.load(1, ok, { logLevel: 4, logSize: 4096, note: "stats (host time): masked" });
    b.load(1, ok, { logLevel: 1, logSize: 4096, size: 140, compareLog: true, note: "attr too short for log_true_size" });
    b.load(1, ok, { logLevel: 1, logSize: 4096, size: 144, compareLog: true, note: "attr ends at log_true_size" });
    b.load(1, ok, { logLevel: 1, logSize: 200, logBuf: 0x7ff0000000n, note: "unmapped log buffer: EFAULT" });
  });
  add("license-name", "licenses (GPL-compatible or not), names", ROOT, (b) => {
    for (const lic of ["GPL", "GPL v2", "Dual BSD/GPL", "Dual MIT/GPL", "MIT", "", "gpl", "Proprietary"]) b.load(PT.KPROBE, P(A.call(14), A.exit()), { license: lic, note: `license ${JSON.stringify(lic)}` });
    b.load(1, ok, { name: "my_prog.1" });
    b.load(1, ok, { name: "bad-name" });
    b.load(1, ok, { name: new Uint8Array(16).fill(0x61), note: "no NUL in 16 bytes" });
    b.load(1, ok, { license: 0n, note: "NULL license" });
    b.load(1, ok, { kernVersion: 0x12345, note: "kern_version is ignored" });
  });
  add("info-basic", "prog info: type, tag, name, gpl_compatible, xlated insns, map ids; ids and times masked", ROOT, (b) => {
    b.load(PT.SOCKET_FILTER, P(A.mov64i(R0, 3), A.exit()), { name: "info_prog", license: "GPL" });
    b.progInfo(3, 232, { xlated: 16 });
    b.progInfo(3, 8);
    b.progInfo(3, 240, { note: "past the struct: zero tail is fine" });
    b.progInfo(3, 232, { xlated: 8, note: "xlated buffer shorter than the program" });
    b.load(PT.SOCKET_FILTER, P(A.mov64i(R0, 0), A.exit()), { license: "MIT" });
    b.progInfo(4, 232);
  });
  add("info-maps", "prog info of a program using two maps, then PROG_BIND_MAP of a third", ROOT, (b) => {
    b.mapCreate(MT.HASH, 4, 8, 4).mapCreate(MT.ARRAY, 4, 8, 4).mapCreate(MT.ARRAY, 4, 4, 1);
    b.load(PT.XDP, P(lookup0(3), lookup0(4), A.mov64i(R0, 2), A.exit()));
    b.progInfo(6, 232, { mapIds: 4 });
    b.bindMap(6, 5).bindMap(6, 5).bindMap(6, 99).bindMap(6, 0).bindMap(6, 5, 1);
    b.progInfo(6, 232, { mapIds: 1 });
    b.close(3).close(4).close(5);
    b.progInfo(6, 232, { mapIds: 4, note: "maps stay alive while the program holds them" });
  });
  add("info-rec-size", "set_info_rec_size(): record sizes must match when given", ROOT, (b) => {
    b.load(PT.SOCKET_FILTER, ok);
    const fields: [number, 4, number][] = [[0, 4, 3], [4, 4, 232]];
    const info = new Uint8Array(232);
    new DataView(info.buffer).setUint32(132, 4, true);
    const buf = b.region(232, info);
    b.bpf(15, 16, [...fields, [8, 8, buf]], "func_info_rec_size 4");
    const info2 = new Uint8Array(232);
    new DataView(info2.buffer).setUint32(132, 8, true);
    new DataView(info2.buffer).setUint32(172, 16, true);
    const buf2 = b.region(232, info2);
    b.bpf(15, 16, [...fields, [8, 8, buf2]], "the kernel's record sizes", 16, { mem: [{ addr: buf2 + 4n, len: 4 }, { addr: buf2 + 16n, len: 4 }, { addr: buf2 + 40n, len: 8 }, { addr: buf2 + 104n, len: 24 }] });
  });
  add("refs-pin", "program fds, pins and PROG_GET_NEXT_ID; the pinned program outlives its fds", ROOT, (b) => {
    b.load(PT.SOCKET_FILTER, ok).pin(3, "/sys/fs/bpf/p").close(3).get("/sys/fs/bpf/p").progInfo(3, 4);
    b.bpf(11, 8, [[0, 4, 0x7ffffffe]], "no id above INT_MAX-1");
    b.bpf(13, 4, [[0, 4, 0]], "id 0");
  });
  // PROG_TEST_RUN
  const eth = new Uint8Array(64);
  for (let i = 0; i < eth.length; i++) eth[i] = (i * 7 + 1) & 0xff;
  add("test-run-sf", "socket filter test runs: retval, data_out, short data, repeat", ROOT, (b) => {
    b.load(PT.SOCKET_FILTER, P(A.ldx(S.W, R0, R1, 0), A.exit()));
    b.testRun(3, { data: eth, dataOut: 64, note: "retval = skb->len" });
    b.testRun(3, { data: eth.subarray(0, 10), note: "shorter than ETH_HLEN" });
    b.testRun(3, { data: eth, repeat: 5 });
    b.testRun(3, { note: "no data" });
    b.load(PT.SOCKET_FILTER, P(A.mov64r(R6, R1), A.ldAbs(S.H, 12), A.exit()));
    b.testRun(4, { data: eth, note: "ld_abs reads the ethertype" });
    b.testRun(4, { data: eth, dataOut: 10, note: "data_size_out smaller: ENOSPC" });
  });
  add("test-run-xdp", "XDP test runs: packet reads and writes, retval, data_out", ROOT, (b) => {
    b.load(PT.XDP, P(A.ldx(S.W, R2, R1, 0), A.ldx(S.W, R3, R1, 4), A.mov64r(R4, R2), A.alu64i(A.ALU.ADD, R4, 14), A.jmpr(A.JMP.JGT, R4, R3, 4), A.ldx(S.B, R0, R2, 12), A.st(S.B, R2, 0, 0xaa), A.alu64i(A.ALU.AND, R0, 3), A.exit(), A.mov64i(R0, 1), A.exit()));
    b.testRun(3, { data: eth, dataOut: 64 });
    b.testRun(3, { data: eth.subarray(0, 10), dataOut: 64, note: "too short: XDP_DROP path" });
    b.testRun(3, { data: eth, dataOut: 64, repeat: 3 });
    b.testRun(3, { data: eth, ctx: new Uint8Array(24), note: "ctx_in of zeros" });
  });
  add("test-run-tc", "tc test runs with a map update", ROOT, (b) => {
    b.mapCreate(MT.ARRAY, 4, 8, 2);
    b.load(PT.SCHED_CLS, P(A.ldx(S.W, R6, R1, 0), A.st(S.W, R10, -4, 1), A.stx(S.DW, R10, R6, -16), A.mov64r(R2, R10), A.alu64i(A.ALU.ADD, R2, -4), A.mov64r(R3, R10), A.alu64i(A.ALU.ADD, R3, -16), A.ldMapFd(R1, 3), A.mov64i(R4, 0), A.call(2), A.mov64i(R0, 7), A.exit()));
    b.testRun(4, { data: eth, dataOut: 64 });
    b.mapLookup(3, Uint8Array.from([1, 0, 0, 0]), 8);
  });
  add("test-run-ctx", "test runs with ctx_in/ctx_out: __sk_buff fields in and out, xdp_md, unsupported types", ROOT, (b) => {
    b.load(PT.SOCKET_FILTER, P(A.ldx(S.W, R0, R1, 0), A.exit()));
    b.load(PT.XDP, P(A.mov64i(R0, 2), A.exit()));
    b.load(PT.KPROBE, P(A.mov64i(R0, 0), A.exit()));
    b.load(PT.CGROUP_SKB, P(A.ldx(S.W, R0, R1, 0), A.alu64i(A.ALU.AND, R0, 1), A.exit()));
    b.load(PT.TRACEPOINT, P(A.mov64i(R0, 0), A.exit()));
    // tc: mark += 1, cb[0] = len, returns priority
    b.load(PT.SCHED_CLS, P(A.ldx(S.W, R2, R1, 8), A.alu32i(A.ALU.ADD, R2, 1), A.stx(S.W, R1, R2, 8), A.ldx(S.W, R3, R1, 0), A.stx(S.W, R1, R3, 48), A.ldx(S.W, R0, R1, 32), A.exit()));
    const skbCtx = new Uint8Array(192);
    new DataView(skbCtx.buffer).setUint32(8, 41, true);
    new DataView(skbCtx.buffer).setUint32(32, 6, true);
    b.testRun(3, { data: eth, ctx: new Uint8Array(192), ctxOut: 192, note: "sf ctx in/out" });
    b.testRun(3, { data: eth, ctxOut: 192, note: "sf ctx out only" });
    b.testRun(3, { data: eth, ctxOut: 100, note: "ctx_out too small: ENOSPC" });
    b.testRun(8, { data: eth, ctx: skbCtx, ctxOut: 192, note: "tc reads and writes mark, cb, priority" });
    const bad = new Uint8Array(192);
    bad[0] = 1;
    b.testRun(3, { data: eth, ctx: bad, note: "__sk_buff len in ctx_in: EINVAL" });
    const ifx = new Uint8Array(192);
    ifx[40] = 7;
    b.testRun(3, { data: eth, ctx: ifx, note: "ifindex 7: ENODEV" });
    b.testRun(3, { data: eth, ctx: new Uint8Array(200), note: "ctx_in longer than __sk_buff, zero tail" });
    b.testRun(4, { data: eth, ctx: new Uint8Array(24), ctxOut: 24, note: "xdp ctx" });
    b.testRun(4, { data: eth, ctxOut: 24, note: "xdp ctx out only" });
    b.testRun(5, { data: eth, note: "kprobe: ENOTSUPP" });
    b.testRun(6, { data: eth, dataOut: 64, note: "cgroup_skb" });
    b.testRun(7, { data: eth, note: "tracepoint: ENOTSUPP" });
    b.testRun(3, { data: eth, flags: 1, note: "sf flags" });
    b.testRun(4, { data: eth, flags: 1, note: "xdp flags 1" });
    b.testRun(4, { data: eth, cpu: 1, note: "xdp cpu 1" });
    b.testRun(3, { data: new Uint8Array(4000), note: "skb data over the page" });
    b.testRun(4, { data: new Uint8Array(4000), dataOut: 4000, note: "xdp data past the linear part" });
    b.testRun(3, { data: eth, dataOut: 64, dataSizeOut: 0, note: "data_size_out 0" });
    b.testRun(4, { data: eth, repeat: 100000, note: "repeat 100000" });
  });
  add("test-run-helpers", "test runs through packet helpers: xdp_adjust_head/tail, skb_load/store_bytes, redirect", ROOT, (b) => {
    const reload = [A.ldx(S.W, R2, R1, 0), A.ldx(S.W, R3, R1, 4), A.mov64r(R4, R2), A.alu64i(A.ALU.ADD, R4, 4), A.jmpr(A.JMP.JGT, R4, R3, 2), A.st(S.W, R2, 0, 0x11223344), A.mov64i(R0, 2), A.exit()];
    b.load(PT.XDP, P(A.mov64r(R6, R1), A.mov64i(R2, 14), A.call(44), A.mov64r(R1, R6), reload), { note: "adjust_head +14 then write" });
    b.load(PT.XDP, P(A.mov64r(R6, R1), A.mov64i(R2, -4), A.call(44), A.mov64r(R1, R6), reload), { note: "adjust_head -4 then write" });
    b.load(PT.XDP, P(A.mov64r(R6, R1), A.mov64i(R2, -10), A.call(65), A.mov64r(R1, R6), A.mov64i(R2, 30), A.call(65), A.mov64r(R1, R6), reload), { note: "adjust_tail -10, +30" });
    b.load(PT.XDP, P(A.mov64i(R2, 100000), A.call(44), A.exit()), { note: "adjust_head too far: R0 = -EINVAL" });
    b.load(PT.SCHED_CLS, P(A.mov64i(R2, 12), A.mov64r(R3, R10), A.alu64i(A.ALU.ADD, R3, -8), A.mov64i(R4, 2), A.call(26), A.ldx(S.H, R0, R10, -8), A.exit()), { note: "skb_load_bytes(12, 2)" });
    b.load(PT.SCHED_CLS, P(A.mov64i(R2, 60), A.mov64r(R3, R10), A.alu64i(A.ALU.ADD, R3, -8), A.mov64i(R4, 8), A.call(26), A.exit()), { note: "skb_load_bytes past the end" });
    b.load(PT.SCHED_CLS, P(A.st(S.DW, R10, -8, -1), A.mov64i(R2, 0), A.mov64r(R3, R10), A.alu64i(A.ALU.ADD, R3, -8), A.mov64i(R4, 6), A.mov64i(R5, 0), A.call(9), A.exit()), { note: "skb_store_bytes(0, ff*6)" });
    b.load(PT.XDP, P(A.mov64i(R1, 1), A.mov64i(R2, 0), A.call(23), A.exit()), { note: "xdp redirect" });
    b.load(PT.SCHED_CLS, P(A.mov64i(R1, 1), A.mov64i(R2, 0), A.call(23), A.exit()), { note: "tc redirect" });
    b.load(PT.XDP, P(A.mov64i(R1, 1), A.mov64i(R2, 2), A.call(23), A.exit()), { note: "xdp redirect, bad flags" });
    for (let fd = 3; fd <= 12; fd++) b.testRun(fd, { data: eth, dataOut: 128 });
  });
  add("token-verifier", "loads through a BPF token in a user namespace: the verifier takes CAP_BPF/CAP_PERFMON from the token (subprogs, loops, uninitialised stack, pointers)", { kind: "userns", bpffs: { delegate_cmds: "prog_load:map_create:prog_test_run", delegate_maps: "array", delegate_progs: "xdp:socket_filter", delegate_attachs: "any" } }, (b) => {
    b.bpf(36, 8, [[0, 4, 0], [4, 4, 3]], "token");
    const TOK = 0x10000;
    const withTok = (ty: number, insns: Uint8Array, note: string): void => {
      b.load(ty, insns, { flags: TOK, eat: ty === PT.XDP ? 37 : 0, logLevel: 1, logSize: 4096, compareLog: true, note });
      const last = b.ops[b.ops.length - 1]!;
      if (last.op === "bpf") new DataView(last.attr.buffer).setInt32(144, 4, true);
    };
    withTok(PT.XDP, P(A.callLocal(1), A.exit(), A.mov64i(R0, 2), A.exit()), "bpf-to-bpf call through the token");
    withTok(PT.XDP, P(A.mov64i(R0, 0), A.alu64i(A.ALU.ADD, R0, 1), A.jmpi(A.JMP.JLT, R0, 4, -2), A.exit()), "bounded loop through the token");
    withTok(PT.XDP, P(A.ldx(S.DW, R0, R10, -8), A.mov64i(R0, 2), A.exit()), "uninitialised stack read through the token");
    withTok(PT.SOCKET_FILTER, P(A.mov64r(R0, R1), A.exit()), "pointer returned through the token");
    withTok(PT.SOCKET_FILTER, P(A.ldx(S.W, R0, R1, 0), A.exit()), "skb->len");
    b.testRun(6, { data: eth, dataOut: 64 });
    b.testRun(9, { data: eth });
  });
  // Random ALU/JMP programs run through the interpreter: R0's low and high halves as retval.
  for (let part = 0; part < 4; part++) {
    add(`interp-random-${part}`, `25 seeded random ALU/ALU64/JMP/JMP32 programs (seed ${part + 1}), each loaded twice (R0, R0 >> 32) and test-run`, ROOT, (b) => {
      const rnd = lcg(part + 1);
      for (let i = 0; i < 25; i++) {
        const body = randomAluProgram(rnd);
        b.load(PT.SOCKET_FILTER, P(body, A.exit()));
        b.load(PT.SOCKET_FILTER, P(body, A.alu64i(A.ALU.RSH, R0, 32), A.exit()));
      }
      for (let fd = 3; fd < 53; fd++) b.testRun(fd, { data: new Uint8Array(14) });
    });
  }
  // Every program type with a trivial program, returning 0 and 7, and reading the context's first word.
  const TYPE_EAT: [number, number][] = [[1, 0], [2, 0], [3, 0], [4, 0], [5, 0], [6, 0], [7, 0], [8, 0], [9, 0], [10, 0], [11, 0], [12, 0], [13, 0], [14, 0], [15, 0], [16, 0], [17, 0], [18, 8], [18, 10], [18, 21], [19, 0], [20, 0], [21, 0], [22, 0], [23, 0], [24, 0], [25, 21], [26, 0], [26, 24], [27, 0], [28, 0], [29, 0], [30, 36], [31, 0], [32, 45], [2, 56]];
  for (const [ty, eat] of TYPE_EAT) {
    add(`types-${ty}-eat${eat}`, `prog_type ${ty}, expected_attach_type ${eat}: r0 = 0, r0 = 7, a context read, sleepable; then a test run`, ROOT, (b) => {
      b.load(ty, P(A.mov64i(R0, 0), A.exit()), { eat, logLevel: 1, logSize: 4096, compareLog: true });
      b.load(ty, P(A.mov64i(R0, 7), A.exit()), { eat, logLevel: 1, logSize: 4096, compareLog: true });
      b.load(ty, P(A.ldx(S.W, R0, R1, 0), A.mov64i(R0, 0), A.exit()), { eat, logLevel: 1, logSize: 4096, compareLog: true });
      b.load(ty, P(A.mov64i(R0, 0), A.exit()), { eat, flags: 16, logLevel: 1, logSize: 4096, compareLog: true, note: "BPF_F_SLEEPABLE" });
      b.testRun(3, { data: eth, dataOut: 64 });
    });
  }
  return out;
}

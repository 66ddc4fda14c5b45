// SPDX-License-Identifier: GPL-2.0-only
// The func_info / line_info corpus: PROG_LOAD with prog_btf_fd and BTF
// func/line records, one trace per case, each starting from a BTF_LOAD of
// the same small BTF object. The cases walk check_btf_info_early,
// check_btf_func, check_btf_line and check_core_relo in the kernel's order
// (record sizes, tails, faults, insn_off rules, type ids, string offsets,
// one line record per subprogram), the source lines of the verifier log,
// and the prog info that reports the records back. Recorded on the live
// kernel by scripts/record-btfinfo-traces.ts into fixtures/traces/btfinfo/.
// No Node API.

import type { Trace, TraceEnv } from "../trace/format.ts";
import * as A from "./bpf_asm.ts";
import { BtfBuilder } from "./btf.ts";
import { CMD, ProgBuilder } from "./prog_builder.ts";

const ROOT: TraceEnv = { kind: "root" };
const PT = { SOCKET_FILTER: 1, KPROBE: 2, SCHED_CLS: 3, XDP: 6 } as const;
const BTF_LOAD = 18;
const BTF_GET_FD_BY_ID = 19;
const MAP_ARRAY = 2;
/** The BTF object's fd in every trace (fds 0-2 are the runner's). */
const BTF_FD = 3;

/** The type ids of the corpus BTF (see corpusBtf). */
export const T = {
  int: 1,
  skbPtr: 2,
  skb: 3,
  mainProto: 4,
  main: 5,
  sub: 6,
  subProto: 7,
  voidSub: 8,
  voidProto: 9,
  globalSub: 10,
  vpProto: 11,
  voidPtr: 12,
  vpMain: 13,
  ptrSub: 14,
  ptrProto: 15,
  intPtr: 16,
  gCtx: 17,
  gVoidPtr: 18,
  gIntPtr: 19,
  sixProto: 20,
  gSix: 21,
  structRetProto: 22,
  gStruct: 23,
  gTwo: 24,
  mainSix: 25,
  mainVoid: 26,
  xdpMain: 30,
  skbMain: 34,
  kpTypedefMain: 39,
  twoArgMain: 41,
  kpStructMain: 44,
} as const;

interface CorpusBtf {
  blob: Uint8Array;
  /** String offsets by text. */
  s: (str: string) => number;
  strLen: number;
}

/** The BTF every trace loads: ints, a __sk_buff context, FUNC types with each linkage and prototype the cases need, source lines and file names. */
export function corpusBtf(): CorpusBtf {
  const b = new BtfBuilder();
  b.int("int", 4, 32, 1); // 1
  b.ptr(T.skb); // 2
  b.struct("__sk_buff", 4, [["len", T.int, 0]]); // 3
  b.proto(T.int, [["skb", T.skbPtr]]); // 4
  b.func("main_fn", T.mainProto, 1); // 5 global, like every SEC() program
  b.func("sub_fn", T.subProto, 0); // 6 static
  b.proto(T.int, [["x", T.int]]); // 7
  b.func("void_fn", T.voidProto, 0); // 8 static, returns void
  b.proto(0, []); // 9
  b.func("glob_fn", T.subProto, 1); // 10 global
  b.proto(T.int, [["ctx", T.voidPtr]]); // 11
  b.ptr(0); // 12 void *
  b.func("vp_main", T.vpProto, 1); // 13 global main taking void *
  b.func("ptr_fn", T.ptrProto, 0); // 14 static taking int *
  b.proto(T.int, [["p", T.intPtr]]); // 15
  b.ptr(T.int); // 16
  b.func("ctx_fn", T.mainProto, 1); // 17 global taking the context
  b.func("g_vp", T.vpProto, 1); // 18 global taking void *
  b.func("g_ip", T.ptrProto, 1); // 19 global taking int *
  b.proto(T.int, ["a", "b", "c", "d", "e", "f"].map((n): [string, number] => [n, T.int])); // 20
  b.func("g_six", T.sixProto, 1); // 21
  b.proto(T.skb, [["x", T.int]]); // 22 returns a struct
  b.func("g_struct", T.structRetProto, 1); // 23
  b.func("g_two", T.subProto, 1); // 24 a second global int (int)
  b.func("main_six", T.sixProto, 1); // 25
  b.func("main_void", T.voidProto, 1); // 26
  b.struct("xdp_md", 4, [["data", T.int, 0]]); // 27
  b.ptr(27); // 28
  b.proto(T.int, [["ctx", 28]]); // 29
  b.func("xdp_main", 29, 1); // 30
  b.struct("sk_buff", 4, [["len", T.int, 0]]); // 31
  b.ptr(31); // 32
  b.proto(T.int, [["skb", 32]]); // 33
  b.func("skb_main", 33, 1); // 34
  b.struct("pt_regs", 8, [["di", T.int, 0]]); // 35
  b.mod(8, 35, "bpf_user_pt_regs_t"); // 36 typedef
  b.ptr(36); // 37
  b.proto(T.int, [["ctx", 37]]); // 38
  b.func("kp_main", 38, 1); // 39
  b.proto(T.int, [["skb", T.skbPtr], ["data", T.voidPtr]]); // 40
  b.func("two_arg_main", 40, 1); // 41
  b.ptr(35); // 42
  b.proto(T.int, [["regs", 42]]); // 43
  b.func("kp_main2", 43, 1); // 44
  for (const s of LINES) b.s(s);
  const blob = b.blob();
  const strLen = new DataView(blob.buffer).getUint32(20, true);
  const s = (str: string): number => {
    const off = b.s(str);
    if (off >= strLen) throw new Error(`corpusBtf: string ${JSON.stringify(str)} is not in the loaded blob (add it to LINES)`);
    return off;
  };
  return { blob, s, strLen };
}

const LINES = ["int main_fn(struct __sk_buff *skb)", "  int x = 1;", "\treturn x;", "", "int sub_fn(int x)", "return x + 1;", "/home/user/src/prog.bpf.c", "prog.bpf.c", "a/b/", "while (1) {}", "x"] as const;

export interface FuncRec {
  insn_off: number;
  type_id: number;
}

export interface LineRec {
  insn_off: number;
  file: number;
  line: number;
  lineNo: number;
  col?: number;
}

export interface BtfLoadOpts {
  type?: number;
  btfFd?: number;
  /** func_info records; or raw bytes. */
  funcs?: FuncRec[] | Uint8Array;
  funcRecSize?: number;
  funcCnt?: number;
  /** Pointer override for func_info. */
  funcPtr?: bigint;
  lines?: LineRec[] | Uint8Array;
  lineRecSize?: number;
  lineCnt?: number;
  linePtr?: bigint;
  coreRelos?: Uint8Array;
  coreRecSize?: number;
  coreCnt?: number;
  fdArray?: bigint;
  fdArrayCnt?: number;
  logLevel?: number;
  logSize?: number;
  note?: string;
  size?: number;
  license?: string;
}

function recBytes(recs: readonly number[][], recSize: number): Uint8Array {
  const out = new Uint8Array(recs.length * recSize);
  const dv = new DataView(out.buffer);
  recs.forEach((r, i) => r.forEach((w, k) => dv.setUint32(i * recSize + k * 4, w >>> 0, true)));
  return out;
}

/** The trace builder with a BTF_LOAD first and a PROG_LOAD that carries BTF records. */
class BtfInfoBuilder extends ProgBuilder {
  readonly btf: CorpusBtf;

  constructor(btf: CorpusBtf) {
    super();
    this.btf = btf;
    const a = this.region(btf.blob.length, btf.blob);
    this.bpf(BTF_LOAD, 32, [[0, 8, a], [16, 4, btf.blob.length]], "BTF_LOAD of the corpus BTF (fd 3)");
  }

  /** A region whose bytes end exactly at a page end, so that reading past them faults. */
  pageEnd(bytes: Uint8Array): bigint {
    const len = 4096;
    const buf = new Uint8Array(len);
    buf.set(bytes, len - bytes.length);
    return this.region(len, buf) + BigInt(len - bytes.length);
  }

  btfProg(insns: Uint8Array, o: BtfLoadOpts = {}): this {
    const ins = this.region(insns.length, insns);
    const lic = this.str(o.license ?? "GPL");
    const level = o.logLevel ?? 1;
    const logSize = o.logSize ?? (level ? 16384 : 0);
    const logBuf = logSize ? this.logRegion(logSize) : 0n;
    type F = readonly [number, 1 | 2 | 4 | 8, number | bigint];
    const fields: F[] = [[0, 4, o.type ?? PT.SOCKET_FILTER], [4, 4, insns.length / 8], [8, 8, ins], [16, 8, lic], [24, 4, level], [28, 4, logSize], [32, 8, logBuf]];
    fields.push([72, 4, o.btfFd ?? BTF_FD]);
    if (o.funcs !== undefined || o.funcCnt !== undefined) {
      const rs = o.funcRecSize ?? 8;
      const bytes = o.funcs instanceof Uint8Array ? o.funcs : recBytes((o.funcs ?? []).map((f) => [f.insn_off, f.type_id]), rs);
      const cnt = o.funcCnt ?? (o.funcs instanceof Uint8Array ? bytes.length / rs : (o.funcs ?? []).length);
      const p = o.funcPtr ?? (bytes.length ? this.region(bytes.length, bytes) : 0n);
      fields.push([76, 4, rs], [80, 8, p], [88, 4, cnt]);
    }
    if (o.lines !== undefined || o.lineCnt !== undefined) {
      const rs = o.lineRecSize ?? 16;
      const bytes = o.lines instanceof Uint8Array ? o.lines : recBytes((o.lines ?? []).map((l) => [l.insn_off, l.file, l.line, ((l.lineNo << 10) | (l.col ?? 0)) >>> 0]), rs);
      const cnt = o.lineCnt ?? (o.lines instanceof Uint8Array ? bytes.length / rs : (o.lines ?? []).length);
      const p = o.linePtr ?? (bytes.length ? this.region(bytes.length, bytes) : 0n);
      fields.push([92, 4, rs], [96, 8, p], [104, 4, cnt]);
    }
    if (o.coreRelos !== undefined) {
      const p = this.region(o.coreRelos.length, o.coreRelos);
      fields.push([116, 4, o.coreCnt ?? 1], [128, 8, p], [136, 4, o.coreRecSize ?? 16]);
    }
    if (o.fdArray !== undefined) fields.push([120, 8, o.fdArray], [148, 4, o.fdArrayCnt ?? 0]);
    return this.bpf(CMD.PROG_LOAD, 168, fields, o.note, o.size ?? 168);
  }

  /** OBJ_GET_INFO_BY_FD asking for func_info, line_info and jited_line_info; ids, times and kernel addresses masked. */
  btfInfo(fd: number, o: { nrFunc?: number; nrLine?: number; nrJited?: number; funcRec?: number; lineRec?: number; jitedRec?: number; note?: string } = {}): this {
    const len = 232;
    const info = new Uint8Array(len);
    const iv = new DataView(info.buffer);
    const extra: { addr: bigint; len: number }[] = [];
    const nf = o.nrFunc ?? 4;
    const nl = o.nrLine ?? 8;
    const nj = o.nrJited ?? 8;
    iv.setUint32(132, o.funcRec ?? 8, true);
    iv.setBigUint64(136, this.region(Math.max(nf * 8, 8)), true);
    iv.setUint32(144, nf, true);
    iv.setUint32(148, nl, true);
    iv.setBigUint64(152, this.region(Math.max(nl * 16, 8)), true);
    const jl = this.region(Math.max(nj * 8, 8));
    iv.setBigUint64(160, jl, true);
    iv.setUint32(168, nj, true);
    iv.setUint32(172, o.lineRec ?? 16, true);
    iv.setUint32(176, o.jitedRec ?? 8, true);
    // The jited line addresses are kernel addresses.
    extra.push({ addr: jl, len: Math.max(nj * 8, 8) });
    const buf = this.region(len, info);
    // id (4), jited_prog_len (16), load_time (40), jited ksyms/func lens (104..128), btf_id (128), run stats (192..216),
    // xlated_prog_len (20: the kernel's fixups may add instructions), verified_insns (216).
    const masked: [number, number][] = [[4, 4], [16, 4], [20, 4], [40, 8], [104, 8], [112, 16], [128, 4], [192, 24], [216, 4]];
    const mem = masked.map(([off, l]) => ({ addr: buf + BigInt(off), len: l }));
    return this.bpf(CMD.OBJ_GET_INFO_BY_FD, 16, [[0, 4, fd], [4, 4, len], [8, 8, buf]], o.note, 16, { mem: [...mem, ...extra] });
  }
}

// ------------------------------------------------------------------ programs

const { R0, R1, R6 } = A;
/** r0 = 0; exit */
const P_MIN = A.prog(A.mov64i(R0, 0), A.exit());
/** main calls a static subprogram at insn 4: r1 = 5; call +2; r0 = 0; exit; r0 = r1; exit */
const P_SUB = A.prog(A.mov64i(R1, 5), A.callLocal(2), A.mov64i(R0, 0), A.exit(), A.mov64r(R0, R1), A.exit());
/** a ld_imm64 at 0 (its second half at 1 has code 0) */
const P_LD64 = A.prog(A.ld64(R0, 0n), A.exit());
/** a subprogram at 3 that does LD_ABS */
const P_SUB_LDABS = A.prog(A.mov64i(R0, 0), A.callLocal(1), A.exit(), A.ldAbs(A.SZ.B, 0), A.exit());
/** a subprogram at 3 with a tail call */
const P_SUB_TAIL = A.prog(A.mov64i(R0, 0), A.callLocal(1), A.exit(), A.call(12), A.exit());
/** main calls a subprogram at 2 that keeps ctx in r6 and does LD_ABS (verifiable) */
const P_SUB_LDABS_OK = A.prog(A.callLocal(1), A.exit(), A.mov64r(R6, R1), A.ldAbs(A.SZ.B, 0), A.exit());
/** reads an uninitialised register at insn 3: the level-1 log shows the source lines before */
const P_FAIL = A.prog(A.mov64i(R0, 1), A.alu64i(A.ALU.ADD, R0, 1), A.mov64i(R1, 2), A.mov64r(R0, A.R2), A.exit());
/** loops on itself: infinite loop detected at insn 1 */
const P_LOOP = A.prog(A.mov64i(R0, 0), A.ja(-1), A.exit());
/** main passes ctx in r1 to a function at 2 that reads skb->len */
const P_CALL_CTX = A.prog(A.callLocal(1), A.exit(), A.ldx(A.SZ.W, R0, R1, 0), A.exit());
/** the subprogram at 4 returns the frame pointer */
const P_SUB_RET_FP = A.prog(A.mov64i(R1, 5), A.callLocal(2), A.mov64i(R0, 0), A.exit(), A.mov64r(R0, A.R10), A.exit());
/** the subprogram at 4 reads an uninitialised r2 */
const P_SUB_FAIL = A.prog(A.mov64i(R1, 5), A.callLocal(2), A.mov64i(R0, 0), A.exit(), A.mov64r(R0, A.R2), A.exit());
/** main leaves ctx in r1 and calls the subprogram at 4 */
const P_SUB_CTX_ARG = A.prog(A.mov64i(A.R2, 0), A.callLocal(2), A.mov64i(R0, 0), A.exit(), A.mov64i(R0, 1), A.exit());
/** main calls 4, which calls 6 */
const P_CHAIN = A.prog(A.mov64i(R1, 5), A.callLocal(2), A.mov64i(R0, 0), A.exit(), A.callLocal(1), A.exit(), A.mov64r(R0, R1), A.exit());
/** straight-line success, five insns */
const P_OK5 = A.prog(A.mov64i(R0, 1), A.alu64i(A.ALU.ADD, R0, 1), A.mov64i(R1, 2), A.alu64r(A.ALU.ADD, R0, R1), A.exit());

const fi = (...r: [number, number][]): FuncRec[] => r.map(([insn_off, type_id]) => ({ insn_off, type_id }));

export function btfInfoCorpus(): Trace[] {
  const btf = corpusBtf();
  const F = btf.s("/home/user/src/prog.bpf.c");
  const F2 = btf.s("prog.bpf.c");
  const FDIR = btf.s("a/b/");
  const L = (insn_off: number, text: string, lineNo: number, file = F, col = 0): LineRec => ({ insn_off, file, line: btf.s(text), lineNo, col });
  const l0 = L(0, "int main_fn(struct __sk_buff *skb)", 1);
  const out: Trace[] = [];
  const add = (name: string, description: string, build: (b: BtfInfoBuilder) => void, env: TraceEnv = ROOT): void => {
    const b = new BtfInfoBuilder(btf);
    build(b);
    out.push({ name: `btfinfo/${name}`, description, abi: "linux-6.18", env, recordedOn: null, ops: b.ops });
  };
  const mainOnly = fi([0, T.main]);
  const mainSub = fi([0, T.main], [4, T.sub]);
  const linesSub = [l0, L(4, "int sub_fn(int x)", 10)];

  // --- check_btf_info_early: the BTF fd --------------------------------------------------
  add("fd-closed", "func_info with a prog_btf_fd that is not open: EBADF", (b) => b.btfProg(P_MIN, { btfFd: 99, funcs: mainOnly }));
  add("fd-closed-line-only", "line_info alone also looks the BTF fd up: EBADF", (b) => b.btfProg(P_MIN, { btfFd: 99, lines: [l0] }));
  add("fd-map", "prog_btf_fd is a map: EINVAL", (b) => {
    b.mapCreate(MAP_ARRAY, 4, 8, 1);
    b.btfProg(P_MIN, { btfFd: 4, funcs: mainOnly });
  });
  add("fd-prog", "prog_btf_fd is a program: EINVAL", (b) => {
    b.btfProg(P_MIN, {});
    b.btfProg(P_MIN, { btfFd: 4, funcs: mainOnly });
  });
  add("fd-vmlinux", "prog_btf_fd is the kernel's BTF (BTF_GET_FD_BY_ID 1): EACCES", (b) => {
    b.bpf(BTF_GET_FD_BY_ID, 12, [[0, 4, 1]], "vmlinux BTF");
    b.btfProg(P_MIN, { btfFd: 4, funcs: mainOnly });
  });
  add("fd-ignored-without-records", "no func or line info: prog_btf_fd is never looked at", (b) => b.btfProg(P_MIN, { btfFd: 99 }));
  add("fd-array-first", "a bad fd_array entry is reported before a bad prog_btf_fd (process_fd_array runs first)", (b) => {
    const fa = b.region(4, new Uint8Array([99, 0, 0, 0]));
    b.btfProg(P_MIN, { btfFd: 98, funcs: mainOnly, fdArray: fa, fdArrayCnt: 1 });
  });

  // --- check_btf_func_early: record size, tails, faults ----------------------------------
  for (const rs of [0, 4, 6, 10, 256, 0xffffffff]) add(`func-recsize-${rs}`, `func_info_rec_size ${rs}: invalid func info rec size`, (b) => b.btfProg(P_MIN, { funcs: new Uint8Array(8), funcRecSize: rs, funcCnt: 1 }));
  add("func-recsize-252-zero-tail", "func_info_rec_size 252 with a zero tail is accepted", (b) => {
    const r = new Uint8Array(252);
    new DataView(r.buffer).setUint32(4, T.main, true);
    b.btfProg(P_MIN, { funcs: r, funcRecSize: 252, funcCnt: 1 });
  });
  add("func-recsize-12-nonzero-tail", "a nonzero byte past 8: E2BIG, 'nonzero tailing record', func_info_rec_size written back as 8", (b) => {
    b.btfProg(P_MIN, { funcs: Uint8Array.from([0, 0, 0, 0, T.main, 0, 0, 0, 0, 0, 1, 0]), funcRecSize: 12, funcCnt: 1 });
  });
  add("func-nonzero-tail-second", "the second record's tail is nonzero: E2BIG after the first was taken", (b) => {
    const r = new Uint8Array(32);
    const dv = new DataView(r.buffer);
    dv.setUint32(4, T.main, true);
    dv.setUint32(16, 4, true);
    dv.setUint32(20, T.sub, true);
    dv.setUint32(28, 7, true);
    b.btfProg(P_SUB, { funcs: r, funcRecSize: 16, funcCnt: 2 });
  });
  add("func-tail-unreadable", "record size 16, the record's tail on an unmapped page: EFAULT", (b) => {
    const p = b.pageEnd(Uint8Array.from([0, 0, 0, 0, T.main, 0, 0, 0]));
    b.btfProg(P_MIN, { funcPtr: p, funcRecSize: 16, funcCnt: 1 });
  });
  add("func-unmapped", "func_info points at unmapped memory: EFAULT", (b) => b.btfProg(P_MIN, { funcPtr: 0x7ff0000000n, funcCnt: 1 }));
  add("func-null", "func_info is NULL with a count: EFAULT", (b) => b.btfProg(P_MIN, { funcPtr: 0n, funcCnt: 1 }));
  add("func-second-unreadable", "two records, only the first is mapped: EFAULT", (b) => {
    const p = b.pageEnd(Uint8Array.from([0, 0, 0, 0, T.main, 0, 0, 0]));
    b.btfProg(P_SUB, { funcPtr: p, funcCnt: 2 });
  });
  add("func-cnt-huge", "func_info_cnt 0x10000000: the record array would pass INT_MAX bytes (ENOMEM before any read)", (b) => b.btfProg(P_MIN, { funcs: mainOnly, funcCnt: 0x10000000 }));

  // --- check_btf_func_early: insn_off and type ids ---------------------------------------------
  add("func-first-insn-off", "the first record must be at insn 0", (b) => b.btfProg(P_MIN, { funcs: fi([1, T.main]) }));
  add("func-insn-off-same", "records must have increasing insn_off", (b) => b.btfProg(P_SUB, { funcs: fi([0, T.main], [0, T.sub]) }));
  add("func-insn-off-smaller", "a smaller insn_off after a bigger one", (b) => b.btfProg(P_SUB, { funcs: fi([0, T.main], [4, T.sub], [2, T.sub]) }));
  add("func-type-0", "type id 0 (void) is no FUNC", (b) => b.btfProg(P_MIN, { funcs: fi([0, 0]) }));
  add("func-type-int", "type id of an INT", (b) => b.btfProg(P_MIN, { funcs: fi([0, T.int]) }));
  add("func-type-proto", "type id of a FUNC_PROTO", (b) => b.btfProg(P_MIN, { funcs: fi([0, T.mainProto]) }));
  add("func-type-past-end", "type id past the last type", (b) => b.btfProg(P_MIN, { funcs: fi([0, 9999]) }));
  add("func-type-negative", "type id 0xffffffff is printed as -1", (b) => b.btfProg(P_MIN, { funcs: fi([0, -1]) }));
  add("func-type-second-bad", "the second record's type is bad: checked before the subprograms are known", (b) => b.btfProg(P_MIN, { funcs: fi([0, T.main], [5, T.int]) }));

  // --- check_btf_func: against the subprograms -------------------------------------------------
  add("func-count-less", "one record for two subprograms", (b) => b.btfProg(P_SUB, { funcs: mainOnly }));
  add("func-count-more", "two records for one subprogram", (b) => b.btfProg(P_MIN, { funcs: fi([0, T.main], [1, T.sub]) }));
  add("func-layout-mismatch", "second record at 3, subprogram at 4", (b) => b.btfProg(P_SUB, { funcs: fi([0, T.main], [3, T.sub]) }));
  add("func-ldabs-void-sub", "LD_ABS in a subprogram returning void", (b) => b.btfProg(P_SUB_LDABS, { funcs: fi([0, T.main], [3, T.voidSub]) }));
  add("func-tailcall-void-sub", "a tail call in a subprogram returning void", (b) => b.btfProg(P_SUB_TAIL, { funcs: fi([0, T.main], [3, T.voidSub]) }));
  add("nobtf-ldabs-sub", "without BTF, LD_ABS in a subprogram is refused", (b) => b.btfProg(P_SUB_LDABS, {}));
  add("nobtf-tailcall-sub", "without BTF, a tail call in a subprogram is refused", (b) => b.btfProg(P_SUB_TAIL, {}));
  add("func-ldabs-int-sub", "LD_ABS in an int subprogram with BTF is allowed", (b) =>
    b.btfProg(P_SUB_LDABS_OK, { funcs: fi([0, T.main], [2, T.sub]), lines: [l0, L(2, "int sub_fn(int x)", 10)] }),
  );
  add("func-ok-sub", "main and a static subprogram with func and line info: loads", (b) => b.btfProg(P_SUB, { funcs: mainSub, lines: linesSub }));
  add("func-only-ok", "func_info without line_info: loads", (b) => b.btfProg(P_SUB, { funcs: mainSub }));
  add("func-cnt-0-recsize-junk", "func_info_cnt 0: the record size is not looked at, line_info alone loads", (b) => b.btfProg(P_MIN, { funcs: [], funcRecSize: 3, funcCnt: 0, lines: [l0] }));

  // --- check_btf_line --------------------------------------------------------------------------------
  for (const rs of [8, 12, 18, 256]) add(`line-recsize-${rs}`, `line_info_rec_size ${rs}: EINVAL without a log line`, (b) => b.btfProg(P_MIN, { funcs: mainOnly, lines: new Uint8Array(rs < 16 ? 16 : rs), lineRecSize: rs, lineCnt: 1 }));
  add("line-recsize-32-zero-tail", "line_info_rec_size 32 with a zero tail is accepted", (b) => {
    const r = new Uint8Array(32);
    const dv = new DataView(r.buffer);
    dv.setUint32(4, F, true);
    dv.setUint32(8, btf.s("  int x = 1;"), true);
    dv.setUint32(12, 7 << 10, true);
    b.btfProg(P_FAIL, { funcs: mainOnly, lines: r, lineRecSize: 32, lineCnt: 1 });
  });
  add("line-recsize-20-nonzero-tail", "a nonzero byte past 16: E2BIG, line_info_rec_size written back as 16", (b) => {
    const r = new Uint8Array(20);
    r[16] = 1;
    b.btfProg(P_MIN, { funcs: mainOnly, lines: r, lineRecSize: 20, lineCnt: 1 });
  });
  add("line-unmapped", "line_info points at unmapped memory: EFAULT", (b) => b.btfProg(P_MIN, { funcs: mainOnly, linePtr: 0x7ff0000000n, lineCnt: 1 }));
  add("line-cnt-over-int-max", "line_info_cnt over INT_MAX / 16: EINVAL", (b) => b.btfProg(P_MIN, { funcs: mainOnly, lines: [l0], lineCnt: 0x08000000 }));
  add("line-insn-off-past-end", "a record past the last instruction", (b) => b.btfProg(P_MIN, { funcs: mainOnly, lines: [L(5, "  int x = 1;", 2)] }));
  add("line-insn-off-at-len", "a record at prog->len", (b) => b.btfProg(P_MIN, { funcs: mainOnly, lines: [l0, L(2, "  int x = 1;", 2)] }));
  add("line-insn-off-same", "two records at the same insn", (b) => b.btfProg(P_MIN, { funcs: mainOnly, lines: [l0, L(0, "  int x = 1;", 2)] }));
  add("line-insn-off-decreasing", "a record before the previous one", (b) => b.btfProg(P_OK5, { funcs: mainOnly, lines: [l0, L(3, "  int x = 1;", 2), L(2, "\treturn x;", 3)] }));
  add("line-ldimm64-second-half", "a record on the second half of a ld_imm64 (code 0)", (b) => b.btfProg(P_LD64, { funcs: mainOnly, lines: [l0, L(1, "  int x = 1;", 2)] }));
  add("line-bad-line-off", "line_off past the string section", (b) => b.btfProg(P_MIN, { funcs: mainOnly, lines: [{ insn_off: 0, file: F, line: btf.strLen, lineNo: 1 }] }));
  add("line-bad-file-off", "file_name_off past the string section", (b) => b.btfProg(P_MIN, { funcs: mainOnly, lines: [{ insn_off: 0, file: 0x7fffffff, line: 0, lineNo: 1 }] }));
  add("line-missing-main", "the first record is at insn 1: func#0 has none", (b) => b.btfProg(P_OK5, { funcs: mainOnly, lines: [L(1, "  int x = 1;", 2)] }));
  add("line-missing-sub-mid", "a record after the subprogram's start skips it", (b) => b.btfProg(P_SUB, { funcs: mainSub, lines: [l0, L(5, "return x + 1;", 11)] }));
  add("line-missing-sub-end", "no record for the last subprogram", (b) => b.btfProg(P_SUB, { funcs: mainSub, lines: [l0, L(1, "  int x = 1;", 2)] }));
  add("line-only-with-sub", "line_info without func_info, one record per subprogram: loads", (b) => b.btfProg(P_SUB, { lines: linesSub }));
  add("line-only-missing-sub", "line_info without func_info still needs a record per subprogram", (b) => b.btfProg(P_SUB, { lines: [l0] }));
  add("line-checked-after-func", "a bad func layout is reported before bad line records", (b) => b.btfProg(P_SUB, { funcs: fi([0, T.main], [3, T.sub]), lines: [L(7, "x", 1)] }));

  // --- the verifier log with source lines --------------------------------------------------------
  add("log-fail-lines", "level 1 error log: '; <line> @ <file>:<n>' before the instructions; leading blanks trimmed, directories cut", (b) =>
    b.btfProg(P_FAIL, { funcs: mainOnly, lines: [l0, L(1, "  int x = 1;", 2), L(3, "\treturn x;", 3, F2)] }),
  );
  add("log-fail-same-line-cols", "records on the same file and line (other columns) print once", (b) =>
    b.btfProg(P_FAIL, { funcs: mainOnly, lines: [L(0, "  int x = 1;", 2, F, 5), L(1, "  int x = 1;", 2, F, 9), L(2, "\treturn x;", 2, F, 12), L(3, "\treturn x;", 3)] }),
  );
  add("log-fail-same-line-other-file", "the same line number in another file prints again", (b) =>
    b.btfProg(P_FAIL, { funcs: mainOnly, lines: [L(0, "  int x = 1;", 2, F), L(2, "\treturn x;", 2, F2)] }),
  );
  add("log-fail-empty-line", "an empty source line and line 0, a file name ending in '/'", (b) =>
    b.btfProg(P_FAIL, { funcs: mainOnly, lines: [L(0, "", 0), L(2, "\treturn x;", 4, FDIR)] }),
  );
  add("log-fail-void-ctx", "a global main taking void *: the prototype check logs its complaint first", (b) =>
    b.btfProg(P_FAIL, { funcs: fi([0, T.vpMain]), lines: [l0] }),
  );
  add("log-fail-kprobe-void-ctx", "a kprobe main taking void *", (b) =>
    b.btfProg(P_FAIL, { type: PT.KPROBE, funcs: fi([0, T.vpMain]), lines: [l0] }),
  );
  // btf_prepare_func_args() of the main program: only its log lines show (a mismatch makes the BTF unreliable, no error).
  for (const [name, type, id, what] of [
    ["main-six-args", PT.SOCKET_FILTER, T.mainSix, "six arguments"],
    ["main-void-ret", PT.SOCKET_FILTER, T.mainVoid, "a void return"],
    ["main-two-args-void-ptr", PT.SOCKET_FILTER, T.twoArgMain, "a second argument of type void *"],
    ["main-xdp-md", PT.XDP, T.xdpMain, "struct xdp_md * in XDP"],
    ["main-xdp-void-ptr", PT.XDP, T.vpMain, "void * in XDP"],
    ["main-xdp-skb", PT.XDP, T.main, "struct __sk_buff * in XDP (memory, not the context)"],
    ["main-socket-sk-buff", PT.SOCKET_FILTER, T.skbMain, "struct sk_buff * (the kernel struct __sk_buff projects)"],
    ["main-kprobe-typedef", PT.KPROBE, T.kpTypedefMain, "bpf_user_pt_regs_t * in a kprobe"],
    ["main-kprobe-pt-regs", PT.KPROBE, T.kpStructMain, "struct pt_regs * in a kprobe"],
    ["main-cls-skb", PT.SCHED_CLS, T.main, "struct __sk_buff * in SCHED_CLS"],
  ] as const)
    add(`log-fail-${name}`, `a failing main program whose BTF prototype has ${what}`, (b) => b.btfProg(P_FAIL, { type, funcs: fi([0, id]), lines: [l0] }));
  add("log-fail-static-main", "main with a static FUNC: no prototype check message", (b) => b.btfProg(P_FAIL, { funcs: fi([0, T.sub]), lines: [l0] }));
  add("log-infinite-loop", "infinite loop detected: the loop's source line first", (b) =>
    b.btfProg(P_LOOP, { funcs: mainOnly, lines: [l0, L(1, "while (1) {}", 5)] }),
  );
  add("log-level2-ok", "level 2 log of a straight program: lines and instructions", (b) =>
    b.btfProg(P_OK5, { funcs: mainOnly, lines: [l0, L(1, "  int x = 1;", 2), L(3, "\treturn x;", 3)], logLevel: 2 }),
  );
  add("log-level1-ok", "level 1 success: the walk's lines are dropped, log_true_size counts them", (b) =>
    b.btfProg(P_OK5, { funcs: mainOnly, lines: [l0, L(1, "  int x = 1;", 2), L(3, "\treturn x;", 3)] }),
  );
  add("log-small-buffer", "a 64-byte log with source lines: the verifier's error wins, the tail is kept", (b) =>
    b.btfProg(P_FAIL, { funcs: mainOnly, lines: [l0, L(1, "  int x = 1;", 2)], logSize: 64 }),
  );
  add("log-fixed-small", "BPF_LOG_FIXED, a 100-byte log: the head is kept", (b) =>
    b.btfProg(P_FAIL, { funcs: mainOnly, lines: [l0, L(1, "  int x = 1;", 2)], logLevel: 9, logSize: 100 }),
  );
  add("log-none", "no log: the errors are the same", (b) => b.btfProg(P_SUB, { funcs: fi([0, T.main], [3, T.sub]), logLevel: 0 }));

  // --- CO-RE relocation records (after func and line info) ---------------------------------------
  add("core-recsize-8", "core_relo_rec_size 8: EINVAL", (b) => b.btfProg(P_MIN, { funcs: mainOnly, lines: [l0], coreRelos: new Uint8Array(16), coreRecSize: 8 }));
  add("core-insn-off-odd", "core_relo insn_off not a multiple of 8", (b) => b.btfProg(P_MIN, { funcs: mainOnly, lines: [l0], coreRelos: Uint8Array.from([3, 0, 0, 0, ...new Array<number>(12).fill(0)]) }));
  add("core-insn-off-past-end", "core_relo insn_off past the program", (b) => b.btfProg(P_MIN, { funcs: mainOnly, lines: [l0], coreRelos: Uint8Array.from([16, 0, 0, 0, ...new Array<number>(12).fill(0)]) }));
  add("core-without-btf-info", "core_relo_cnt without func or line info is not looked at", (b) => b.btfProg(P_MIN, { coreRelos: new Uint8Array(16), coreRecSize: 8 }));
  add("core-checked-after-line", "bad line records are reported before bad CO-RE records", (b) => b.btfProg(P_MIN, { funcs: mainOnly, lines: [L(1, "x", 1)], coreRelos: new Uint8Array(16), coreRecSize: 8 }));

  // --- prog info ---------------------------------------------------------------------------------------
  add("info-records", "prog info reports func_info (type ids, insn_off), line_info and one jited line per record", (b) => {
    b.btfProg(P_SUB, { funcs: mainSub, lines: [l0, L(2, "  int x = 1;", 2), L(4, "int sub_fn(int x)", 10), L(5, "return x + 1;", 11)] });
    b.btfInfo(4);
  });
  add("info-short-buffers", "prog info with room for one record of each", (b) => {
    b.btfProg(P_SUB, { funcs: mainSub, lines: linesSub });
    b.btfInfo(4, { nrFunc: 1, nrLine: 1, nrJited: 1 });
  });
  add("info-bad-rec-size", "prog info with a wrong func_info_rec_size: EINVAL", (b) => {
    b.btfProg(P_SUB, { funcs: mainSub, lines: linesSub });
    b.btfInfo(4, { funcRec: 4 });
  });
  add("info-bad-line-rec-size", "prog info with a wrong line_info_rec_size: EINVAL", (b) => {
    b.btfProg(P_SUB, { funcs: mainSub, lines: linesSub });
    b.btfInfo(4, { lineRec: 8 });
  });
  add("info-no-btf", "prog info of a program loaded without BTF: no records", (b) => {
    b.btfProg(P_SUB, {});
    b.btfInfo(4);
  });
  add("info-btf-closed", "the program keeps its BTF: close the BTF fd, the records are still reported", (b) => {
    b.btfProg(P_SUB, { funcs: mainSub, lines: linesSub });
    b.close(BTF_FD);
    b.btfInfo(4);
  });
  add("btf-reused", "two programs share one BTF object", (b) => {
    b.btfProg(P_SUB, { funcs: mainSub, lines: linesSub });
    b.btfProg(P_MIN, { funcs: mainOnly, lines: [l0] });
    b.btfInfo(5, { nrFunc: 2, nrLine: 2, nrJited: 2 });
  });
  add("failed-load-then-ok", "a refused load drops its BTF reference; the BTF still loads the next program", (b) => {
    b.btfProg(P_SUB, { funcs: mainOnly, lines: linesSub });
    b.btfProg(P_SUB, { funcs: mainSub, lines: linesSub });
    b.btfInfo(4);
  });
  add("global-sub", "a global subprogram is verified on its own against its prototype", (b) => b.btfProg(P_SUB, { funcs: fi([0, T.main], [4, T.globalSub]), lines: linesSub }));
  add("global-sub-info", "prog info of a program with a global subprogram", (b) => {
    b.btfProg(P_SUB, { funcs: fi([0, T.main], [4, T.globalSub]), lines: linesSub });
    b.btfInfo(4);
  });
  const g = (type: number): FuncRec[] => fi([0, T.main], [4, type]);
  add("global-sub-level1-fail", "a global function whose own walk fails: the log starts at 'Validating'", (b) => b.btfProg(P_SUB_FAIL, { funcs: g(T.globalSub), lines: linesSub }));
  add("global-sub-ret-fp", "a global function returning a stack pointer", (b) => b.btfProg(P_SUB_RET_FP, { funcs: g(T.globalSub), lines: linesSub }));
  add("global-sub-ctx-to-scalar", "ctx passed where the prototype wants int: the caller's args are invalid", (b) => b.btfProg(P_SUB_CTX_ARG, { funcs: g(T.globalSub), lines: linesSub }));
  add("global-sub-scalar-to-ctx", "a scalar passed where the prototype wants the context", (b) => b.btfProg(P_SUB, { funcs: g(T.gCtx), lines: linesSub }));
  add("global-ctx-ok", "a global function taking the context reads it", (b) => b.btfProg(P_CALL_CTX, { funcs: fi([0, T.main], [2, T.gCtx]), lines: [l0, L(2, "int sub_fn(int x)", 10)] }));
  add("global-void-ptr", "a global function taking void *: its prototype is refused at the call", (b) => b.btfProg(P_SUB, { funcs: g(T.gVoidPtr), lines: linesSub }));
  add("global-int-ptr", "a global function taking int * called with a scalar", (b) => b.btfProg(P_SUB, { funcs: g(T.gIntPtr), lines: linesSub }));
  add("global-six-args", "a global function with six arguments", (b) => b.btfProg(P_SUB, { funcs: g(T.gSix), lines: linesSub }));
  add("global-struct-ret", "a global function returning a struct", (b) => b.btfProg(P_SUB, { funcs: g(T.gStruct), lines: linesSub }));
  add("global-chain", "a global function calling another: verified in turn", (b) =>
    b.btfProg(P_CHAIN, { funcs: fi([0, T.main], [4, T.globalSub], [6, T.gTwo]), lines: [...linesSub, L(6, "return x + 1;", 11)] }),
  );
  add("global-chain-level2", "the same at log level 2", (b) =>
    b.btfProg(P_CHAIN, { funcs: fi([0, T.main], [4, T.globalSub], [6, T.gTwo]), lines: [...linesSub, L(6, "return x + 1;", 11)], logLevel: 2, logSize: 65536 }),
  );
  add("global-static-mix", "a global function calling a static one", (b) =>
    b.btfProg(P_CHAIN, { funcs: fi([0, T.main], [4, T.globalSub], [6, T.sub]), lines: [...linesSub, L(6, "return x + 1;", 11)] }),
  );
  add("static-ptr-sub", "a static subprogram taking int * called with a scalar: its BTF becomes unreliable, no error", (b) =>
    b.btfProg(P_SUB, { funcs: fi([0, T.main], [4, T.ptrSub]), lines: linesSub }),
  );
  return out;
}

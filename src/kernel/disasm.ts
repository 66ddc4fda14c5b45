// SPDX-License-Identifier: GPL-2.0-only
// print_bpf_insn() (kernel/bpf/disasm.c) as the verifier log shows it:
// "(b7) r0 = 0", "(61) r2 = *(u32 *)(r1 +0)", "(85) call bpf_map_lookup_elem#1".

import { HELPER_NAMES } from "./helper_tables.ts";

export interface DInsn {
  code: number;
  dst: number;
  src: number;
  off: number;
  imm: number;
}

const ALU_OP = ["+=", "-=", "*=", "/=", "|=", "&=", "<<=", ">>=", "neg", "%=", "^=", "=", "s>>=", "endian"];
const JMP_OP = ["jmp", "==", ">", ">=", "&", "!=", "s>", "s>=", "call", "exit", "<", "<=", "s<", "s<="];
const SIZE = ["u32", "u16", "u8", "u64"];
const SSIZE = ["s32", "s16", "s8", "s64"];

export function helperName(id: number): string {
  const n = id >= 0 && id < HELPER_NAMES.length ? HELPER_NAMES[id] : undefined;
  return n ? `bpf_${n}` : "unknown";
}

const hex = (v: number): string => "0x" + (v >>> 0).toString(16);
const signed = (v: number): string => (v >= 0 ? "+" : "") + v;

/** print_bpf_insn(); `imm64` is the full value of an ld_imm64 as the log shows it. */
export function disasm(insn: DInsn, imm64?: bigint): string {
  const cls = insn.code & 7;
  const code = `(${insn.code.toString(16).padStart(2, "0")})`;
  const r = (n: number, w: boolean): string => `${w ? "w" : "r"}${n}`;
  if (cls === 4 || cls === 7) {
    const w = cls === 4;
    const op = insn.code & 0xf0;
    const x = (insn.code & 8) !== 0;
    if (op === 0xd0) {
      const kind = cls === 7 ? "bswap" : x ? "be" : "le";
      return `${code} ${r(insn.dst, false)} = ${kind}${insn.imm} ${r(insn.dst, false)}`;
    }
    if (op === 0x80) return `${code} ${r(insn.dst, w)} = -${r(insn.dst, w)}`;
    if (op === 0xb0 && x && insn.off !== 0) return `${code} ${r(insn.dst, w)} = (s${insn.off})${r(insn.src, w)}`;
    const sop = (op === 0x30 || op === 0x90) && insn.off === 1 ? "s" + ALU_OP[op >> 4] : ALU_OP[op >> 4];
    return x ? `${code} ${r(insn.dst, w)} ${sop} ${r(insn.src, w)}` : `${code} ${r(insn.dst, w)} ${sop} ${insn.imm}`;
  }
  if (cls === 3) {
    const mode = insn.code & 0xe0;
    const sz = SIZE[(insn.code >> 3) & 3]!;
    if (mode === 0x60) return `${code} *(${sz} *)(r${insn.dst} ${signed(insn.off)}) = r${insn.src}`;
    if (mode === 0xc0) {
      const a = (insn.code & 0x18) === 0x18 ? "atomic64" : "atomic";
      const w = (insn.code & 0x18) === 0x18 ? "r" : "w";
      const imm = insn.imm;
      const base = imm & ~1;
      const opn = base === 0 ? "add" : base === 0x40 ? "or" : base === 0x50 ? "and" : base === 0xa0 ? "xor" : "";
      if (imm === 0 || imm === 0x40 || imm === 0x50 || imm === 0xa0) return `${code} lock *(${sz} *)(r${insn.dst} ${signed(insn.off)}) ${ALU_OP[imm >> 4]} r${insn.src}`;
      if (imm & 1 && opn) return `${code} ${w}${insn.src} = ${a}_fetch_${opn}((${sz} *)(r${insn.dst} ${signed(insn.off)}), ${w}${insn.src})`;
      if (imm === 0xe1) return `${code} ${w}${insn.src} = ${a}_xchg((${sz} *)(r${insn.dst} ${signed(insn.off)}), ${w}${insn.src})`;
      if (imm === 0xf1) return `${code} ${w}0 = ${a}_cmpxchg((${sz} *)(r${insn.dst} ${signed(insn.off)}), ${w}0, ${w}${insn.src})`;
    }
    return `BUG_${code.slice(1, 3)}`;
  }
  if (cls === 2) {
    const sz = SIZE[(insn.code >> 3) & 3]!;
    return `${code} *(${sz} *)(r${insn.dst} ${signed(insn.off)}) = ${insn.imm}`;
  }
  if (cls === 1) {
    const mode = insn.code & 0xe0;
    const s = (insn.code >> 3) & 3;
    return `${code} r${insn.dst} = *(${mode === 0x80 ? SSIZE[s] : SIZE[s]} *)(r${insn.src} ${signed(insn.off)})`;
  }
  if (cls === 0) {
    const mode = insn.code & 0xe0;
    const sz = SIZE[(insn.code >> 3) & 3]!;
    if (mode === 0x20) return `${code} r0 = *(${sz} *)skb[${insn.imm}]`;
    if (mode === 0x40) return `${code} r0 = *(${sz} *)skb[r${insn.src} + ${insn.imm}]`;
    if (insn.code === 0x18) return `${code} r${insn.dst} = 0x${BigInt.asUintN(64, imm64 ?? BigInt(insn.imm)).toString(16)}`;
    return `BUG_ld_${insn.code.toString(16).padStart(2, "0")}`;
  }
  // JMP / JMP32
  const op = insn.code & 0xf0;
  const w = cls === 6;
  if (op === 0x80) {
    if (insn.src === 1) return `${code} call pc${signed(insn.imm)}`;
    if (insn.src === 2) return `${code} call kernel-function`;
    // __func_get_name(): helper names only for src_reg 0; any other source is "unknown".
    return `${code} call ${insn.src === 0 ? helperName(insn.imm) : "unknown"}#${insn.imm}`;
  }
  if (op === 0x90) return `${code} exit`;
  if (op === 0x00) return w ? `${code} gotol pc${signed(insn.imm)}` : `${code} goto pc${signed(insn.off)}`;
  if (op === 0xe0) return `${code} may_goto pc${signed(insn.off)}`;
  const x = (insn.code & 8) !== 0;
  const rhs = x ? r(insn.src, w) : hex(insn.imm);
  return `${code} if ${r(insn.dst, w)} ${JMP_OP[op >> 4]} ${rhs} goto pc${signed(insn.off)}`;
}

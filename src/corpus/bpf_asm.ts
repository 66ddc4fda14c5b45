// SPDX-License-Identifier: GPL-2.0-only
// A small BPF assembler for the program corpus and tests: one function per
// instruction form, each returning the 8-byte encoding (code, dst|src<<4,
// off le16, imm le32). Names follow the kernel's insn macros loosely so that
// a program reads like the loaders' output. No Node API.

import { concatBytes } from "../abi/bytes.ts";

export type Insn = Uint8Array;

export const R0 = 0, R1 = 1, R2 = 2, R3 = 3, R4 = 4, R5 = 5, R6 = 6, R7 = 7, R8 = 8, R9 = 9, R10 = 10;

export const CLS = { LD: 0x00, LDX: 0x01, ST: 0x02, STX: 0x03, ALU: 0x04, JMP: 0x05, JMP32: 0x06, ALU64: 0x07 } as const;
export const SZ = { W: 0x00, H: 0x08, B: 0x10, DW: 0x18 } as const;
export const MODE = { IMM: 0x00, ABS: 0x20, IND: 0x40, MEM: 0x60, MEMSX: 0x80, ATOMIC: 0xc0 } as const;
export const SRC = { K: 0x00, X: 0x08 } as const;
export const ALU = { ADD: 0x00, SUB: 0x10, MUL: 0x20, DIV: 0x30, OR: 0x40, AND: 0x50, LSH: 0x60, RSH: 0x70, NEG: 0x80, MOD: 0x90, XOR: 0xa0, MOV: 0xb0, ARSH: 0xc0, END: 0xd0 } as const;
export const JMP = { JA: 0x00, JEQ: 0x10, JGT: 0x20, JGE: 0x30, JSET: 0x40, JNE: 0x50, JSGT: 0x60, JSGE: 0x70, CALL: 0x80, EXIT: 0x90, JLT: 0xa0, JLE: 0xb0, JSLT: 0xc0, JSLE: 0xd0 } as const;
export const ATOMIC = { ADD: 0x00, OR: 0x40, AND: 0x50, XOR: 0xa0, FETCH: 0x01, XCHG: 0xe1, CMPXCHG: 0xf1 } as const;

/** One raw instruction. */
export function raw(code: number, dst: number, src: number, off: number, imm: number): Insn {
  const b = new Uint8Array(8);
  const v = new DataView(b.buffer);
  b[0] = code & 0xff;
  b[1] = (dst & 0xf) | ((src & 0xf) << 4);
  v.setInt16(2, off, true);
  v.setInt32(4, imm | 0, true);
  return b;
}

export const mov64i = (d: number, imm: number): Insn => raw(CLS.ALU64 | ALU.MOV | SRC.K, d, 0, 0, imm);
export const mov64r = (d: number, s: number): Insn => raw(CLS.ALU64 | ALU.MOV | SRC.X, d, s, 0, 0);
export const mov32i = (d: number, imm: number): Insn => raw(CLS.ALU | ALU.MOV | SRC.K, d, 0, 0, imm);
export const mov32r = (d: number, s: number): Insn => raw(CLS.ALU | ALU.MOV | SRC.X, d, s, 0, 0);
export const alu64i = (op: number, d: number, imm: number, off = 0): Insn => raw(CLS.ALU64 | op | SRC.K, d, 0, off, imm);
export const alu64r = (op: number, d: number, s: number, off = 0): Insn => raw(CLS.ALU64 | op | SRC.X, d, s, off, 0);
export const alu32i = (op: number, d: number, imm: number, off = 0): Insn => raw(CLS.ALU | op | SRC.K, d, 0, off, imm);
export const alu32r = (op: number, d: number, s: number, off = 0): Insn => raw(CLS.ALU | op | SRC.X, d, s, off, 0);
export const ldx = (sz: number, d: number, s: number, off: number): Insn => raw(CLS.LDX | MODE.MEM | sz, d, s, off, 0);
export const ldxsx = (sz: number, d: number, s: number, off: number): Insn => raw(CLS.LDX | MODE.MEMSX | sz, d, s, off, 0);
export const stx = (sz: number, d: number, s: number, off: number): Insn => raw(CLS.STX | MODE.MEM | sz, d, s, off, 0);
export const st = (sz: number, d: number, off: number, imm: number): Insn => raw(CLS.ST | MODE.MEM | sz, d, 0, off, imm);
export const atomic = (sz: number, op: number, d: number, s: number, off: number): Insn => raw(CLS.STX | MODE.ATOMIC | sz, d, s, off, op);
export const jmpi = (op: number, d: number, imm: number, off: number): Insn => raw(CLS.JMP | op | SRC.K, d, 0, off, imm);
export const jmpr = (op: number, d: number, s: number, off: number): Insn => raw(CLS.JMP | op | SRC.X, d, s, off, 0);
export const jmp32i = (op: number, d: number, imm: number, off: number): Insn => raw(CLS.JMP32 | op | SRC.K, d, 0, off, imm);
export const jmp32r = (op: number, d: number, s: number, off: number): Insn => raw(CLS.JMP32 | op | SRC.X, d, s, off, 0);
export const ja = (off: number): Insn => raw(CLS.JMP | JMP.JA, 0, 0, off, 0);
export const call = (helper: number): Insn => raw(CLS.JMP | JMP.CALL, 0, 0, 0, helper);
/** A bpf-to-bpf call to insn (pc + 1 + rel). */
export const callLocal = (rel: number): Insn => raw(CLS.JMP | JMP.CALL, 0, 1, 0, rel);
export const exit = (): Insn => raw(CLS.JMP | JMP.EXIT, 0, 0, 0, 0);
export const ldAbs = (sz: number, imm: number): Insn => raw(CLS.LD | MODE.ABS | sz, 0, 0, 0, imm);
export const ldInd = (sz: number, s: number, imm: number): Insn => raw(CLS.LD | MODE.IND | sz, 0, s, 0, imm);

/** ld_imm64: two slots; src is the pseudo kind (0 plain, 1 map fd, 2 map value, 3 BTF id, 4 func, 5 map idx, 6 map idx value). */
export function ld64(d: number, v: bigint, src = 0): Insn {
  const lo = Number(BigInt.asUintN(32, v)) | 0;
  const hi = Number(BigInt.asUintN(32, v >> 32n)) | 0;
  const b = new Uint8Array(16);
  b.set(raw(CLS.LD | MODE.IMM | SZ.DW, d, src, 0, lo), 0);
  b.set(raw(0, 0, 0, 0, hi), 8);
  return b;
}
export const ldMapFd = (d: number, fd: number): Insn => ld64(d, BigInt(fd), 1);
/** BPF_PSEUDO_MAP_VALUE: imm = fd, next imm = offset into the value. */
export function ldMapValue(d: number, fd: number, off: number): Insn {
  const b = new Uint8Array(16);
  b.set(raw(CLS.LD | MODE.IMM | SZ.DW, d, 2, 0, fd), 0);
  b.set(raw(0, 0, 0, 0, off), 8);
  return b;
}

/** Concatenates instructions into the program bytes. */
export function prog(...insns: (Insn | readonly Insn[])[]): Uint8Array {
  const flat: Insn[] = [];
  for (const i of insns) {
    if (i instanceof Uint8Array) flat.push(i);
    else flat.push(...i);
  }
  return concatBytes(...flat);
}

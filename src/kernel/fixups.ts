// SPDX-License-Identifier: GPL-2.0-only
// The verifier's rewrites after a successful walk, as far as they show in the
// xlated program that BPF_OBJ_GET_INFO_BY_FD dumps, in bpf_check()'s order:
// opt_hard_wire_dead_code_branches / opt_remove_dead_code / opt_remove_nops
// (bpf_capable loads) or sanitize_dead_code, convert_ctx_accesses() with the
// per-type convert_ctx_access callbacks and gen_prologue, do_misc_fixups()
// (LD_ABS/LD_IND, division guards, inlined helpers, map_gen_lookup), then the
// subprogram call form jit_subprogs() leaves. bpf_insn_prepare_dump()'s map
// references are done by the caller (verifier.ts xlatedDump), its hiding of
// call imms by prog info (info.ts).
//
// Offsets of kernel structures (sk_buff, xdp_buff, bpf_array, htab_elem) are
// those of the 6.18 x86-64 build, read off the live kernel's xlated dumps
// (ctx_xlated.ts for the context accesses; test/xlated-*-probe.c).
// Call imms of helpers are kernel text offsets (func - __bpf_call_base) and
// host-specific: the dump keeps the helper id for them, internal functions
// (LD_ABS helpers, __htab_map_lookup_elem) get imm 0, and so do the kernel
// addresses of inlined helpers. Not done: Spectre v4 nospec after stack
// stores and sanitize_ptr_alu for loads without CAP_PERFMON, the zero
// extension pass (x86-64 needs none), map-in-map. bpf_loop calls whose flags
// are always 0 and callback always the same are inlined (optimize_bpf_loop).

import { BPF_MAP_TYPE as MT, BPF_PROG_TYPE as PT } from "../uapi/gen/consts-6.18.ts";
import type { BpfMap } from "./bpf.ts";
import { CTX_XLATED_6_18 } from "./ctx_xlated.ts";

/** One instruction as the passes see it (ld_imm64 is two). */
interface Insn {
  code: number;
  dst: number;
  src: number;
  off: number;
  imm: number;
}

/** The walk's reached instructions, as the dead-code passes ask about them. */
export interface SeenMarks {
  has(k: number): boolean;
}

export interface FixupInput {
  /** Loaded instructions with map references already in dump form (pseudo kind, map id, offset). */
  readonly insns: Uint8Array;
  readonly progType: number;
  /** Instructions the walk saw dereference the context (load or store). */
  readonly ctxInsns: ReadonlySet<number>;
  /** Map at each helper call site; null once two different maps met there (bpf_map_ptr_poisoned). */
  readonly callMaps: ReadonlyMap<number, BpfMap | null>;
  readonly subprogStarts: readonly number[];
  /** Instructions the walk reached (insn_aux_data seen); null: no dead-code passes. Only asked about ld_imm64 first halves and other insns. */
  readonly seen?: SeenMarks | null;
  /** env->bpf_capable: dead code is removed; otherwise it is overwritten with traps. */
  readonly privileged?: boolean;
  /** env->seen_direct_write: the walk saw a store into the packet. */
  readonly directWrite?: boolean;
  /** bpf_loop calls fit for inlining (loop_inline_state): call index -> callback subprogram and the containing subprogram's stack depth. */
  readonly loopInline?: ReadonlyMap<number, { readonly callback: number; readonly stackDepth: number }> | null;
}

export interface FixupResult {
  readonly xlated: Uint8Array;
  /** New index of each original instruction's first patched instruction; null: nothing moved. */
  readonly newIndex: readonly number[] | null;
  readonly subprogStarts: number[];
}

function decodeAll(b: Uint8Array): Insn[] {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out: Insn[] = [];
  for (let o = 0; o + 8 <= b.length; o += 8)
    out.push({ code: b[o]!, dst: b[o + 1]! & 15, src: b[o + 1]! >> 4, off: dv.getInt16(o + 2, true), imm: dv.getInt32(o + 4, true) });
  return out;
}

function encodeAll(insns: readonly Insn[]): Uint8Array {
  const out = new Uint8Array(insns.length * 8);
  const dv = new DataView(out.buffer);
  insns.forEach((i, k) => {
    out[k * 8] = i.code;
    out[k * 8 + 1] = (i.dst & 15) | ((i.src & 15) << 4);
    dv.setInt16(k * 8 + 2, i.off, true);
    dv.setInt32(k * 8 + 4, i.imm, true);
  });
  return out;
}

const I = (code: number, dst: number, src: number, off: number, imm: number): Insn => ({ code, dst, src, off, imm });
const isLdImm64 = (i: Insn): boolean => i.code === 0x18;
const cls = (code: number): number => code & 7;

function templateInsns(hex: string): Insn[] {
  const words = hex.split(" ");
  const b = new Uint8Array(words.length * 8);
  words.forEach((w, k) => {
    for (let j = 0; j < 8; j++) b[k * 8 + j] = parseInt(w.slice(j * 2, j * 2 + 2), 16);
  });
  return decodeAll(b);
}

/**
 * convert_ctx_accesses() with the type's convert_ctx_access callback
 * (bpf_convert_ctx_access, tc_cls_act_convert_ctx_access,
 * xdp_convert_ctx_access, sock_ops_convert_ctx_access, ...): each load or
 * store on the context the walk saw becomes the kernel structure's access,
 * from the table recorded on 6.18 (ctx_xlated.ts). Accesses without an entry
 * (identity rewrites, types not recorded) stay as loaded.
 */
export function convert_ctx_accesses(insns: Insn[][], input: FixupInput): void {
  // Types whose context is read as it is (pt_regs, tracepoint records) have no entries.
  const type = input.progType;
  for (const idx of input.ctxInsns) {
    const seq = insns[idx];
    if (!seq || seq.length !== 1) continue;
    const i = seq[0]!;
    const c = cls(i.code);
    if ((i.code & 0xe0) !== 0x60 || (c !== 1 && c !== 2 && c !== 3)) continue;
    // BPF_SIZE: W, H, B, DW.
    const sz = "whbd"[(i.code >> 3) & 3]!;
    const hex = CTX_XLATED_6_18[`${type}:${c === 1 ? "l" : c === 3 ? "s" : "i"}${sz}:${i.off}`];
    if (hex === undefined) continue;
    // The template was recorded with fixed registers (and immediate 7 for BPF_ST); put the insn's own in their places.
    const [dReg, sReg] = c === 1 ? [2, 1] : [1, 0];
    const reg = (r: number): number => (r === dReg ? i.dst : r === sReg && c !== 2 ? i.src : r);
    insns[idx] = templateInsns(hex).map((t) => ({ ...t, dst: reg(t.dst), src: reg(t.src), imm: c === 2 && cls(t.code) === 2 && t.imm === 7 ? i.imm : t.imm }));
  }
  // gen_prologue(): a program writing into the packet first unclones the skb
  // (bpf_unclone_prologue); jumps to insn 0 land on the prologue's start.
  const drop = UNCLONE_DROP[input.progType];
  if (input.directWrite && drop !== undefined && insns.length) insns[0] = [...unclone_prologue(drop), ...insns[0]!];
}

/** Return value of a failed bpf_skb_pull_data in the prologue: TC_ACT_SHOT for tc and lwt xmit, SK_DROP for sk_skb. */
const UNCLONE_DROP: Readonly<Record<number, number>> = { [PT.SCHED_CLS]: 2, [PT.SCHED_ACT]: 2, [PT.LWT_XMIT]: 2, [PT.SK_SKB]: 0 };

/** bpf_unclone_prologue(): if the skb is cloned, pull it (bpf_skb_pull_data(skb, 0)) or return `drop`; R1 restored from R6. */
function unclone_prologue(drop: number): Insn[] {
  const SKB_CLONED_BYTE = 126; // the byte of sk_buff holding the cloned bit (bit 0) on 6.18
  return [
    I(0x71, 6, 1, SKB_CLONED_BYTE, 0),
    I(0x54, 6, 0, 0, 1),
    I(0x15, 6, 0, 7, 0),
    I(0xbf, 6, 1, 0, 0),
    I(0xaf, 2, 2, 0, 0),
    I(0x85, 0, 0, 0, 39), // bpf_skb_pull_data (the kernel dumps its text offset)
    I(0x15, 0, 0, 2, 0),
    I(0xb4, 0, 0, 0, drop),
    I(0x95, 0, 0, 0, 0),
    I(0xbf, 1, 6, 0, 0),
  ];
}

/** offsetof(struct bpf_array, value) (and pptrs) on 6.18 x86-64. */
const BPF_ARRAY_VALUE = 312;
/** offsetof(struct htab_elem, key). */
const HTAB_ELEM_KEY = 48;
/** offsetof(struct htab_elem, lru_node) + offsetof(struct bpf_lru_node, ref). */
const HTAB_LRU_REF = 35;

const roundUp8 = (n: number): number => (n + 7) & ~7;
const isPow2 = (n: number): boolean => n > 0 && (n & (n - 1)) === 0;

/** array_map_gen_lookup() / percpu_array_map_gen_lookup() / htab_map_gen_lookup(); null: the call stays. */
function map_gen_lookup(map: BpfMap): Insn[] | null {
  const BPF_F_INNER_MAP = 1 << 12;
  if (map.map_flags & BPF_F_INNER_MAP && (map.map_type === MT.ARRAY || map.map_type === MT.PERCPU_ARRAY)) return null;
  const r0 = 0, r1 = 1, r2 = 2;
  // struct bpf_array's bypass_spec_v1 / index_mask (arraymap.ts); other maps have none.
  const arr = map as BpfMap & { bypass_spec_v1?: boolean; index_mask?: number };
  const spec = { bypass: arr.bypass_spec_v1 ?? true, mask: arr.index_mask ?? 0 };
  switch (map.map_type) {
    case MT.ARRAY: {
      // Maps created without CAP_PERFMON (map->bypass_spec_v1 false) also mask the index (Spectre v1).
      const elem = roundUp8(map.value_size);
      return [
        I(0x07, r1, 0, 0, BPF_ARRAY_VALUE),
        I(0x61, r0, r2, 0, 0),
        ...(spec.bypass ? [I(0x35, r0, 0, 3, map.max_entries)] : [I(0x35, r0, 0, 4, map.max_entries), I(0x54, r0, 0, 0, spec.mask)]),
        isPow2(elem) ? I(0x67, r0, 0, 0, Math.log2(elem)) : I(0x27, r0, 0, 0, elem),
        I(0x0f, r0, r1, 0, 0),
        I(0x05, 0, 0, 1, 0),
        I(0xb7, r0, 0, 0, 0),
      ];
    }
    case MT.PERCPU_ARRAY:
      return [
        I(0x07, r1, 0, 0, BPF_ARRAY_VALUE),
        I(0x61, r0, r2, 0, 0),
        ...(spec.bypass ? [I(0x35, r0, 0, 5, map.max_entries)] : [I(0x35, r0, 0, 6, map.max_entries), I(0x54, r0, 0, 0, spec.mask)]),
        I(0x67, r0, 0, 0, 3),
        I(0x0f, r0, r1, 0, 0),
        I(0x79, r0, r0, 0, 0),
        // BPF_MOV64_PERCPU_REG: this CPU's copy of the per-CPU pointer.
        I(0xbf, r0, r0, -1, 0),
        I(0x05, 0, 0, 1, 0),
        I(0xb7, r0, 0, 0, 0),
      ];
    case MT.HASH:
      return [I(0x85, 0, 0, 0, 0), I(0x15, r0, 0, 1, 0), I(0x07, r0, 0, 0, HTAB_ELEM_KEY + roundUp8(map.key_size))];
    case MT.LRU_HASH:
      // htab_lru_map_gen_lookup(): the element's lru_node.ref byte is set unless already set.
      return [
        I(0x85, 0, 0, 0, 0),
        I(0x15, r0, 0, 4, 0),
        I(0x71, r1, r0, HTAB_LRU_REF, 0),
        I(0x55, r1, 0, 1, 0),
        I(0x72, r0, 0, HTAB_LRU_REF, 1),
        I(0x07, r0, 0, 0, HTAB_ELEM_KEY + roundUp8(map.key_size)),
      ];
    case MT.PERCPU_HASH:
      // htab_percpu_map_gen_lookup(): the per-CPU pointer after the key, then this CPU's copy.
      return [I(0x85, 0, 0, 0, 0), I(0x15, r0, 0, 3, 0), I(0x07, r0, 0, 0, HTAB_ELEM_KEY + roundUp8(map.key_size)), I(0x79, r0, r0, 0, 0), I(0xbf, r0, r0, -1, 0)];
    default:
      return null;
  }
}

/** bpf_gen_ld_abs(): LD_ABS / LD_IND become a call of bpf_skb_load_helper_{8,16,32}_no_cache; a negative result exits with 0. */
function gen_ld_abs(i: Insn): Insn[] {
  const out: Insn[] = [];
  if ((i.code & 0xe0) === 0x20) out.push(I(0xb7, 2, 0, 0, i.imm));
  else {
    out.push(I(0xbf, 2, i.src, 0, 0));
    if (i.imm) out.push(I(0x07, 2, 0, 0, i.imm));
  }
  out.push(I(0xbf, 1, 6, 0, 0));
  out.push(I(0x85, 0, 0, 0, 0));
  out.push(I(0x75, 0, 0, 2, 0));
  out.push(I(0xac, 0, 0, 0, 0));
  out.push(I(0x95, 0, 0, 0, 0));
  return out;
}

/**
 * do_misc_fixups() guards of division and modulo by a register (0 divides to
 * 0, modulo 0 leaves the dividend; signed forms also route -1 around the
 * divide through BPF_REG_AX = r11) and signed division or modulo by the
 * immediate -1 (negation, 0). Recorded from the 6.18 kernel with src = r2,
 * dst = r3; key "<x|k-1>:<code>:<off>".
 */
const DIV_MOD_6_18: Readonly<Record<string, string>> = {
  "x:52:0": "5602020000000000 ac33000000000000 0500010000000000 3c23000000000000",
  "x:52:1": "bf2b000000000000 040b000001000000 260b040001000000 160b010000000000 b403000000000000 8403000000000000 0500010000000000 3c23010000000000",
  "x:148:0": "1602020000000000 9c23000000000000 0500010000000000 bc33000000000000",
  "x:148:1": "bf2b000000000000 040b000001000000 260b030001000000 160b040001000000 b403000000000000 0500010000000000 9c23010000000000 0500010000000000 bc33000000000000",
  "x:55:0": "5502020000000000 ac33000000000000 0500010000000000 3f23000000000000",
  "x:55:1": "bf2b000000000000 070b000001000000 250b040001000000 150b010000000000 b703000000000000 8703000000000000 0500010000000000 3f23010000000000",
  "x:151:0": "1502010000000000 9f23000000000000",
  "x:151:1": "bf2b000000000000 070b000001000000 250b030001000000 150b030001000000 b403000000000000 0500010000000000 9f23010000000000",
  "k-1:52:1": "8403000000000000",
  "k-1:148:1": "b403000000000000",
  "k-1:55:1": "8703000000000000",
  "k-1:151:1": "b403000000000000",
};

function divModGuard(i: Insn): Insn[] | null {
  const c = cls(i.code);
  const op = i.code & 0xf0;
  if ((c !== 4 && c !== 7) || (op !== 0x30 && op !== 0x90)) return null;
  const x = (i.code & 0x08) !== 0;
  if (!x && !(i.imm === -1 && i.off === 1)) return null;
  const hex = DIV_MOD_6_18[`${x ? "x" : "k-1"}:${i.code & ~0x08}:${i.off}`];
  if (hex === undefined) return null;
  const reg = (r: number): number => (r === 3 ? i.dst : r === 2 ? i.src : r);
  return templateInsns(hex).map((t) => ({ ...t, dst: reg(t.dst), src: reg(t.src) }));
}

/**
 * Helpers the x86-64 JIT lets the verifier inline: bpf_get_smp_processor_id
 * (this CPU's cpu_number through a per-CPU move) and bpf_jiffies64 (a load of
 * jiffies). The kernel addresses in them are host-specific: 0 here.
 */
function inlineHelper(id: number): Insn[] | null {
  if (id === 8) return [I(0xb7, 0, 0, 0, 0), I(0xbf, 0, 0, -1, 0), I(0x61, 0, 0, 0, 0)];
  if (id === 118) return [I(0x18, 0, 0, 0, 0), I(0x00, 0, 0, 0, 0), I(0x79, 0, 0, 0, 0)];
  return null;
}

/** do_misc_fixups(): LD_ABS/LD_IND, division guards, inlined helpers and map lookups (the JIT is always requested on x86-64). */
export function do_misc_fixups(insns: Insn[][], input: FixupInput): void {
  for (let idx = 0; idx < insns.length; idx++) {
    const seq = insns[idx]!;
    if (seq.length !== 1) continue;
    const i = seq[0]!;
    if (cls(i.code) === 0 && ((i.code & 0xe0) === 0x20 || (i.code & 0xe0) === 0x40)) {
      insns[idx] = gen_ld_abs(i);
      continue;
    }
    const guard = divModGuard(i);
    if (guard) {
      insns[idx] = guard;
      continue;
    }
    if (i.code === 0x85 && i.src === 0) {
      const inl = inlineHelper(i.imm);
      if (inl) {
        insns[idx] = inl;
        continue;
      }
    }
    if (i.code === 0x85 && i.src === 0 && i.imm === 1) {
      const map = input.callMaps.get(idx);
      if (!map) continue;
      const gen = map_gen_lookup(map);
      if (gen) insns[idx] = gen;
    }
  }
}

const isCondJump = (i: Insn): boolean => {
  const op = i.code & 0xf0;
  return (cls(i.code) === 5 || cls(i.code) === 6) && op !== 0x00 && op !== 0x80 && op !== 0x90 && op !== 0xe0;
};

/**
 * opt_hard_wire_dead_code_branches(): a conditional jump whose fall-through
 * the walk never reached becomes `goto off`; one whose target it never
 * reached becomes `goto +0` (removed as a nop next).
 */
function opt_hard_wire_dead_code_branches(slots: Insn[][], seen: SeenMarks): void {
  slots.forEach((s, k) => {
    if (s.length !== 1 || !seen.has(k) || !isCondJump(s[0]!)) return;
    const i = s[0]!;
    if (!seen.has(k + 1)) slots[k] = [I(0x05, 0, 0, i.off, 0)];
    else if (!seen.has(k + 1 + i.off)) slots[k] = [I(0x05, 0, 0, 0, 0)];
  });
}

/** opt_remove_dead_code(): instructions the walk never reached are dropped (verifier_remove_insns). */
function opt_remove_dead_code(slots: Insn[][], seen: SeenMarks): void {
  slots.forEach((s, k) => {
    if (s.length && !seen.has(k)) slots[k] = [];
  });
}

/**
 * opt_remove_nops(): `goto +0` instructions go, in one forward pass: a jump
 * is compared as it stands after the removals before it, so one that only
 * becomes `goto +0` through a later removal stays.
 */
function opt_remove_nops(slots: Insn[][]): void {
  for (let k = 0; k < slots.length; k++) {
    const s = slots[k]!;
    if (s.length !== 1) continue;
    const i = s[0]!;
    if (i.code !== 0x05 || i.dst || i.src || i.imm) continue;
    const t = k + 1 + i.off;
    let off = 0;
    if (t > k) for (let j = k + 1; j < t && j < slots.length; j++) off += slots[j]!.length;
    else for (let j = Math.max(t, 0); j <= k; j++) off -= slots[j]!.length;
    if (off === 0) slots[k] = [];
  }
}

/** sanitize_dead_code(): for unprivileged loads, unreached instructions become `goto -1`. */
function sanitize_dead_code(slots: Insn[][], seen: SeenMarks, sanitized: Set<number>): void {
  slots.forEach((s, k) => {
    if (!s.length || seen.has(k)) return;
    slots[k] = s.map(() => I(0x05, 0, 0, -1, 0));
    sanitized.add(k);
  });
}

/**
 * A byte scan for whether any pass could change the program: no context
 * access, nothing unreached, no nop jump, no call, LD_ABS/LD_IND or
 * division/modulo. Large straight-line programs then skip the per-insn objects.
 */
function untouched(input: FixupInput): boolean {
  if (input.ctxInsns.size || input.directWrite || input.subprogStarts.length > 1) return false;
  const b = input.insns;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let o = 0, k = 0; o + 8 <= b.length; o += 8, k++) {
    if (input.seen && !input.seen.has(k)) return false;
    const code = b[o]!;
    const c = code & 7;
    if (code === 0x18) {
      o += 8;
      k++;
      continue;
    }
    if (code === 0x85) return false;
    if (code === 0x05 && dv.getInt16(o + 2, true) === 0) return false;
    if (c === 0 && ((code & 0xe0) === 0x20 || (code & 0xe0) === 0x40)) return false;
    if ((c === 4 || c === 7) && ((code & 0xf0) === 0x30 || (code & 0xf0) === 0x90)) return false;
  }
  return true;
}

/**
 * inline_bpf_loop(): the 19 instructions that replace a bpf_loop call: the
 * BPF_MAX_LOOPS check, R6-R8 spilled below the frame (at stackBase) and used
 * as count, index and context, the callback called while it returns 0, R0 the
 * number of iterations. The call's target is filled in at output time.
 */
function inlineBpfLoop(stackBase: number): Insn[] {
  const I = (code: number, dst: number, src: number, off: number, imm: number): Insn => ({ code, dst, src, off, imm });
  const r6 = stackBase, r7 = stackBase + 8, r8 = stackBase + 16;
  return [
    I(0xb5, 1, 0, 2, 1 << 23),
    I(0xb4, 0, 0, 0, -7),
    I(0x05, 0, 0, 16, 0),
    I(0x7b, 10, 6, r6, 0),
    I(0x7b, 10, 7, r7, 0),
    I(0x7b, 10, 8, r8, 0),
    I(0xbf, 6, 1, 0, 0),
    I(0xb4, 7, 0, 0, 0),
    I(0xbf, 8, 3, 0, 0),
    I(0x3d, 7, 6, 5, 0),
    I(0xbf, 1, 7, 0, 0),
    I(0xbf, 2, 8, 0, 0),
    I(0x85, 0, 1, 0, 0),
    I(0x07, 7, 0, 0, 1),
    I(0x15, 0, 0, -6, 0),
    I(0xbf, 0, 7, 0, 0),
    I(0x79, 6, 10, r6, 0),
    I(0x79, 7, 10, r7, 0),
    I(0x79, 8, 10, r8, 0),
  ];
}

/**
 * The passes over the loaded program, then the jumps and subprogram calls
 * re-aimed the way bpf_patch_insn_data()/bpf_adj_branches() keep them: a jump
 * to a patched instruction lands on its first replacement.
 */
export function xlatedInsns(input: FixupInput): FixupResult {
  if (!input.loopInline?.size && untouched(input)) return { xlated: input.insns, newIndex: null, subprogStarts: [...input.subprogStarts] };
  const flat = decodeAll(input.insns);
  // One slot per original instruction; the second half of an ld_imm64 rides with the first.
  const slots: Insn[][] = [];
  for (let k = 0; k < flat.length; k++) {
    if (isLdImm64(flat[k]!) && k + 1 < flat.length) {
      slots.push([flat[k]!, flat[k + 1]!]);
      slots.push([]);
      k++;
    } else slots.push([flat[k]!]);
  }
  // optimize_bpf_loop() comes before the dead-code passes: the call becomes the loop (its callback call is aimed at output time).
  const loops = new Map<number, number>();
  for (const [k, li] of input.loopInline ?? []) {
    slots[k] = inlineBpfLoop(-(li.stackDepth + 24 + (Math.ceil(li.stackDepth / 8) * 8 - li.stackDepth)));
    loops.set(k, li.callback);
  }
  const sanitized = new Set<number>();
  if (input.seen) {
    if (input.privileged) {
      opt_hard_wire_dead_code_branches(slots, input.seen);
      opt_remove_dead_code(slots, input.seen);
      opt_remove_nops(slots);
    } else sanitize_dead_code(slots, input.seen, sanitized);
  }
  // Slots still holding their own instruction keep jump offsets relative to the loaded program.
  const before = slots.slice();
  convert_ctx_accesses(slots, input);
  do_misc_fixups(slots, input);
  const aimed = slots.map((s, k) => s === before[k] && !sanitized.has(k) && s.length === 1);

  const newIndex: number[] = [];
  let n = 0;
  for (const s of slots) {
    newIndex.push(n);
    n += s.length;
  }
  newIndex.push(n);
  const out: Insn[] = [];
  const multi = input.subprogStarts.length > 1;
  const newStarts = input.subprogStarts.map((s) => newIndex[s] ?? s);
  slots.forEach((s, k) => {
    if (aimed[k]) {
      const o = s[0]!;
      const i = { ...o };
      const c = cls(i.code);
      const op = i.code & 0xf0;
      const here = newIndex[k]!;
      if ((c === 5 || c === 6) && op !== 0x90 && op !== 0x80) {
        // Conditional and unconditional jumps; JMP32|JA (gotol) keeps its offset in imm.
        if (c === 6 && op === 0x00) i.imm = (newIndex[k + 1 + o.imm] ?? here + 1 + o.imm) - here - 1;
        else i.off = (newIndex[k + 1 + o.off] ?? here + 1 + o.off) - here - 1;
      } else if (c === 5 && op === 0x80 && i.src === 1) {
        const rel = (newIndex[k + 1 + o.imm] ?? here + 1 + o.imm) - here - 1;
        // jit_subprogs(): off keeps the relative target, imm becomes the callee's subprogram number.
        if (multi) {
          const target = here + 1 + rel;
          i.off = rel;
          i.imm = Math.max(0, newStarts.indexOf(target));
        } else i.imm = rel;
      }
      out.push(i);
    } else if (s.length === 2 && isLdImm64(s[0]!) && s[0]!.src === 4 && s[0] === before[k]![0]) {
      // A BPF_PSEUDO_FUNC ld_imm64 after jit_subprogs(): the callee's relative start, then its subprogram number (recorded on 6.18).
      const here = newIndex[k]!;
      const target = newIndex[k + 1 + s[0]!.imm] ?? here + 1 + s[0]!.imm;
      out.push({ ...s[0]!, imm: target - here - 1 }, { ...s[1]!, imm: Math.max(0, newStarts.indexOf(target)) });
    } else if (loops.has(k)) {
      // The callback call of an inlined bpf_loop, in jit_subprogs() form like any bpf-to-bpf call.
      const call = s[12]!;
      const pos = newIndex[k]! + 12;
      const sub = loops.get(k)!;
      const rel = newStarts[sub]! - pos - 1;
      out.push(...s.slice(0, 12), multi ? { ...call, off: rel, imm: sub } : { ...call, imm: rel }, ...s.slice(13));
    } else out.push(...s);
  });
  return { xlated: encodeAll(out), newIndex, subprogStarts: newStarts };
}

/**
 * What the program keeps of the passes (prog.ts BpfProg): the loaded
 * instructions with map references in dump form, which the interpreter runs
 * (original semantics, original offsets) and reads the map id of an ld_imm64
 * from, while xlated holds the rewritten dump; and the xlated index of each
 * loaded instruction (bpf_patch_insn_data's moves). The three are set
 * together when xlated is built, which may be on its first read: every
 * reader here reads xlated first.
 */
export interface XlatedHolder {
  readonly xlated: Uint8Array;
  mapRefDumpBytes: Uint8Array | null;
  xlatedIndex: readonly number[] | null;
}

export function setXlatedIndex(prog: XlatedHolder, newIndex: readonly number[] | null): void {
  prog.xlatedIndex = newIndex;
}

/**
 * An instruction offset of the loaded program in the xlated one: subprogram
 * starts (adjust_subprog_starts, so func_info via adjust_btf_func) and
 * line_info (bpf_adj_linfo) move past the instructions inserted before them;
 * an offset at a patched instruction stays on its first replacement.
 */
export function xlatedOffset(prog: XlatedHolder, off: number): number {
  void prog.xlated;
  return prog.xlatedIndex?.[off] ?? off;
}

export function setMapRefDump(prog: XlatedHolder, insns: Uint8Array): void {
  prog.mapRefDumpBytes = insns;
}

export function mapRefDump(prog: XlatedHolder): Uint8Array {
  const x = prog.xlated;
  return prog.mapRefDumpBytes ?? x;
}

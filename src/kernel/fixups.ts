// SPDX-License-Identifier: GPL-2.0-only
// The verifier's rewrites after a successful walk, as far as they show in the
// xlated program that BPF_OBJ_GET_INFO_BY_FD dumps: convert_ctx_accesses()
// with the per-type convert_ctx_access callbacks (net/core/filter.c),
// do_misc_fixups() (LD_ABS/LD_IND, map_gen_lookup inlining), the subprogram
// call form jit_subprogs() leaves, and bpf_insn_prepare_dump().
//
// Offsets of kernel structures (sk_buff, xdp_buff, bpf_array, htab_elem) are
// those of the 6.18 x86-64 build, read off the live kernel's xlated dumps.
// Call imms of helpers are kernel text offsets (func - __bpf_call_base) and
// host-specific: the dump keeps the helper id for them, internal functions
// (LD_ABS helpers, __htab_map_lookup_elem) get imm 0.

import { BPF_MAP_TYPE as MT, BPF_PROG_TYPE as PT } from "../uapi/gen/consts-6.18.ts";
import type { BpfMap } from "./bpf.ts";

/** One instruction as the passes see it (ld_imm64 is two). */
interface Insn {
  code: number;
  dst: number;
  src: number;
  off: number;
  imm: number;
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
  /** Instructions the walk never reached (privileged loads remove them: opt_remove_dead_code). */
  readonly seen?: ReadonlySet<number> | null;
}

export interface FixupResult {
  readonly xlated: Uint8Array;
  /** New index of each original instruction's first patched instruction. */
  readonly newIndex: readonly number[];
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
const SIZE_BYTES = [4, 2, 1, 8] as const;
/** BPF_SIZE bits for a byte count. */
const sizeBits = (n: number): number => (n === 4 ? 0x00 : n === 2 ? 0x08 : n === 1 ? 0x10 : 0x18);

/** A ctx access rewritten: the kernel field's size and offset, or a sequence. */
type CtxRule = { size: number; off: number } | ((i: Insn) => Insn[]);

/** bpf_convert_ctx_access() fields common to socket filters, cgroup skb and tc (struct sk_buff). */
const SKB_COMMON: Record<number, CtxRule> = {
  0: { size: 4, off: 112 }, // len
  8: { size: 4, off: 164 }, // mark
  16: { size: 2, off: 176 }, // protocol
  32: { size: 4, off: 140 }, // priority
  // cb[0..4] sit in qdisc_skb_cb->data at the same offsets (sk_buff.cb at 40, data at +8).
  48: { size: 4, off: 48 },
  52: { size: 4, off: 52 },
  56: { size: 4, off: 56 },
  60: { size: 4, off: 60 },
  64: { size: 4, off: 64 },
};

/** Loads of data / data_end: skb->data (200) and bpf_skb_data_end.data_end in the cb (80). */
const SKB_PKT: Record<number, CtxRule> = {
  76: { size: 8, off: 200 },
  80: { size: 8, off: 80 },
};

/** tc_cls_act_convert_ctx_access(): tc_classid in qdisc_skb_cb, ifindex through skb->dev (never NULL here). */
const SKB_TC: Record<number, CtxRule> = {
  72: { size: 2, off: 46 },
  40: (i) => [I(0x79, i.dst, i.src, 16, 0), I(0x61, i.dst, i.dst, 224, 0)],
};

/** xdp_convert_ctx_access(): data and data_end are the first two pointers of struct xdp_buff. */
const XDP: Record<number, CtxRule> = {
  0: { size: 8, off: 0 },
  4: { size: 8, off: 8 },
  8: { size: 8, off: 16 },
};

function ctxRules(progType: number): Record<number, CtxRule> | null {
  switch (progType) {
    case PT.SOCKET_FILTER:
    case PT.CGROUP_SKB:
      return { ...SKB_COMMON, ...SKB_PKT };
    case PT.SCHED_CLS:
    case PT.SCHED_ACT:
      return { ...SKB_COMMON, ...SKB_PKT, ...SKB_TC };
    case PT.XDP:
      return XDP;
    default:
      // Tracing contexts (pt_regs, tracepoint records) are read as they are.
      return null;
  }
}

/**
 * convert_ctx_accesses(): each load or store on the context becomes the
 * kernel structure's access. Fields without a known rule stay as loaded.
 */
export function convert_ctx_accesses(insns: Insn[][], input: FixupInput): void {
  const rules = ctxRules(input.progType);
  if (!rules) return;
  for (const idx of input.ctxInsns) {
    const seq = insns[idx];
    if (!seq || seq.length !== 1) continue;
    const i = seq[0]!;
    const c = cls(i.code);
    const mode = i.code & 0xe0;
    if (mode !== 0x60) continue;
    const size = SIZE_BYTES[(i.code >> 3) & 3]!;
    const rule = rules[i.off];
    if (!rule) continue;
    if (typeof rule === "function") {
      if (c === 1) insns[idx] = rule(i);
      continue;
    }
    // __sk_buff and xdp_md fields are all u32: a full-width access takes the kernel field's size;
    // narrower loads are shifted and masked by the kernel (not emulated: left as loaded).
    if (size !== 4) continue;
    const code = (i.code & ~0x18) | sizeBits(rule.size);
    insns[idx] = [{ ...i, code, off: rule.off }];
  }
}

/** offsetof(struct bpf_array, value) (and pptrs) on 6.18 x86-64. */
const BPF_ARRAY_VALUE = 312;
/** offsetof(struct htab_elem, key). */
const HTAB_ELEM_KEY = 48;

const roundUp8 = (n: number): number => (n + 7) & ~7;
const isPow2 = (n: number): boolean => n > 0 && (n & (n - 1)) === 0;

/** array_map_gen_lookup() / percpu_array_map_gen_lookup() / htab_map_gen_lookup(); null: the call stays. */
function map_gen_lookup(map: BpfMap): Insn[] | null {
  const BPF_F_INNER_MAP = 1 << 12;
  if (map.map_flags & BPF_F_INNER_MAP && (map.map_type === MT.ARRAY || map.map_type === MT.PERCPU_ARRAY)) return null;
  const r0 = 0, r1 = 1, r2 = 2;
  switch (map.map_type) {
    case MT.ARRAY: {
      // Privileged map creators bypass Spectre v1 masking (map->bypass_spec_v1), so no index_mask AND.
      const elem = roundUp8(map.value_size);
      return [
        I(0x07, r1, 0, 0, BPF_ARRAY_VALUE),
        I(0x61, r0, r2, 0, 0),
        I(0x35, r0, 0, 3, map.max_entries),
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
        I(0x35, r0, 0, 5, map.max_entries),
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

/** do_misc_fixups(): LD_ABS/LD_IND and inlined map lookups (the JIT is always requested on x86-64). */
export function do_misc_fixups(insns: Insn[][], input: FixupInput): void {
  for (let idx = 0; idx < insns.length; idx++) {
    const seq = insns[idx]!;
    if (seq.length !== 1) continue;
    const i = seq[0]!;
    if (cls(i.code) === 0 && ((i.code & 0xe0) === 0x20 || (i.code & 0xe0) === 0x40)) {
      insns[idx] = gen_ld_abs(i);
      continue;
    }
    if (i.code === 0x85 && i.src === 0 && i.imm === 1) {
      const map = input.callMaps.get(idx);
      if (!map) continue;
      const gen = map_gen_lookup(map);
      if (gen) insns[idx] = gen;
    }
  }
}

/**
 * The passes over the loaded program, then the jumps and subprogram calls
 * re-aimed the way bpf_patch_insn_data()/bpf_adj_branches() keep them: a jump
 * to a patched instruction lands on its first replacement.
 */
export function xlatedInsns(input: FixupInput): FixupResult {
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
  const origJump = slots.map((s) => (s.length === 1 ? { ...s[0]! } : null));
  convert_ctx_accesses(slots, input);
  do_misc_fixups(slots, input);

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
    const o = origJump[k];
    if (s.length === 1 && o && s[0]!.code === o.code) {
      const i = { ...s[0]! };
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
    } else out.push(...s);
  });
  return { xlated: encodeAll(out), newIndex, subprogStarts: newStarts };
}

/**
 * The loaded instructions with map references in dump form, per program: the
 * interpreter runs these (original semantics, original offsets) and reads the
 * map id of an ld_imm64 from them, while prog.xlated holds the rewritten dump.
 */
const mapRefDumps = new WeakMap<object, Uint8Array>();

export function setMapRefDump(prog: object, insns: Uint8Array): void {
  mapRefDumps.set(prog, insns);
}

export function mapRefDump(prog: { readonly xlated: Uint8Array }): Uint8Array {
  return mapRefDumps.get(prog) ?? prog.xlated;
}

// SPDX-License-Identifier: GPL-2.0-only
// A verifier core (kernel/bpf/verifier.c, bpf_check) for the programs loaders
// emit: the pre-passes in the kernel's order (subprograms, jump ranges,
// ld_imm64 resolution, opcode table, CFG), then a path walk over abstract
// register and stack states with the kernel's prune points and checkpoint
// heuristics, memory-access checks for stack, context, map values and
// packets, helper calls by id with the measured per-type availability,
// bpf-to-bpf calls and return-value ranges. What it cannot judge (kfuncs,
// BTF-typed pointers, most helpers outside the common set, variable stack
// offsets) is rejected with a reason that names the missing feature.

import { HOST_LE } from "../abi/bytes.ts";
import { BPF_F } from "../uapi/defines.ts";
import { E2BIG, EACCES, EBADF, EFAULT, EINVAL, ENOTSUPP, EPERM, EPROTO } from "../abi/errno.ts";
import { BPF_ATTACH_TYPE as AT, BPF_MAP_TYPE as MT, BPF_PROG_TYPE as PT } from "../uapi/gen/consts-6.18.ts";
import type { BpfArray } from "./arraymap.ts";
import type { BpfMap, BpfToken } from "./bpf.ts";
import { CAP } from "./capability.ts";
import { bpf_token_capable } from "./token.ts";
import {
  S32_MAX,
  S32_MIN,
  S64_MAX,
  S64_MIN,
  TNUM_UNKNOWN,
  U32_MAX,
  U64_MAX,
  boundsSync,
  coerceToSize,
  markUnbounded,
  s64,
  scalarOp,
  sextUnknown,
  tnumAdd,
  tnumConst,
  tnumIn,
  tnumIsConst,
  tnumIsUnknown,
  tnumSub,
  tnumSubreg,
  zext32,
  type Tnum,
} from "./bounds.ts";
import { disasm, helperName, type DInsn } from "./disasm.ts";
import { setMapRefDump, setXlatedIndex, xlatedInsns, xlatedOffset } from "./fixups.ts";
import { HELPER_UNSET_ARGS, HELPERS_BY_PROG_TYPE } from "./helper_tables.ts";
import { bpf_map_fops } from "./maps.ts";
import type { BpfProg } from "./prog.ts";
import type { Task } from "./task.ts";
import type { BtfInfoHooks } from "./verifier_btf.ts";
import { BPF_LOG_LEVEL1, BPF_LOG_LEVEL2, BPF_LOG_STATS, type VLog } from "./vlog.ts";
import { decodeUtf8 } from "../abi/text.ts";

const MAX_BPF_STACK = 512;
const BPF_COMPLEXITY_LIMIT_INSNS = 1_000_000;
const BPF_COMPLEXITY_LIMIT_JMP_SEQ = 8192;
const MAX_CALL_FRAMES = 8;
const BPF_MAX_VAR_OFF = 1 << 29;
const MAX_PACKET_OFF = 0xffff;


// --- register types (enum bpf_reg_type, the subset modelled) --------------------------

const T = { NOT_INIT: 0, SCALAR: 1, CTX: 2, MAP_PTR: 3, MAP_VALUE: 4, STACK: 5, PKT: 6, PKT_META: 7, PKT_END: 8, RINGBUF_MEM: 9, FUNC: 10 } as const;
const MAYBE_NULL = 0x100;
/** BigInt(k) for 0 <= k < 256, made once: most immediates are small, and BigInt() of a number allocates each time. */
const SMALL_BIGINT: readonly bigint[] = Array.from({ length: 256 }, (_, k) => BigInt(k));
/** tnum_const(0), shared (tnums are values: nothing writes into one). */
const TNUM_ZERO: Tnum = tnumConst(0n);
/** tnum_const(k) for 0 <= k < 256, shared the same way: a known small imm makes no tnum object. */
const SMALL_TNUM: readonly Tnum[] = SMALL_BIGINT.map((k) => (k === 0n ? TNUM_ZERO : tnumConst(k)));
// RINGBUF_MEM is PTR_TO_MEM | MEM_RINGBUF, FUNC is PTR_TO_FUNC (a BPF_PSEUDO_FUNC ld_imm64).
const TYPE_STR: Record<number, string> = { 0: "?", 1: "scalar", 2: "ctx", 3: "map_ptr", 4: "map_value", 5: "fp", 6: "pkt", 7: "pkt_meta", 8: "pkt_end", 9: "ringbuf_mem", 10: "func" };

function regTypeStr(t: number): string {
  return TYPE_STR[t & 0xff]! + (t & MAYBE_NULL ? "_or_null" : "");
}

// --- register and stack state -----------------------------------------------------------

class Reg {
  declare t: number;
  declare off: number;
  declare tn: Tnum;
  declare smin: bigint;
  declare smax: bigint;
  declare umin: bigint;
  declare umax: bigint;
  declare s32min: bigint;
  declare s32max: bigint;
  declare u32min: bigint;
  declare u32max: bigint;
  declare id: number;
  declare range: number;
  declare map: BpfMap | null;
  declare frameno: number;
  /** The acquired reference this pointer belongs to (ref_obj_id), 0 for none. */
  declare refObjId: number;
  /** PTR_TO_MEM's mem_size. */
  declare memSize: number;
  /** PTR_TO_FUNC's subprogram. */
  declare subprogno: number;

  /**
   * A register not yet written (NOT_INIT, unknown bounds). The fields are
   * declared only (a plain declaration is emitted as a class field, defined
   * as undefined by an initializer function before the constructor runs)
   * and assigned here once, in declaration order, from module constants (a
   * literal -0x80000000n is a BigInt negation, made anew for each register).
   */
  constructor() {
    this.t = T.NOT_INIT;
    this.off = 0;
    this.tn = TNUM_UNKNOWN;
    this.smin = S64_MIN;
    this.smax = S64_MAX;
    this.umin = 0n;
    this.umax = U64_MAX;
    this.s32min = S32_MIN;
    this.s32max = S32_MAX;
    this.u32min = 0n;
    this.u32max = U32_MAX;
    this.id = 0;
    this.range = 0;
    this.map = null;
    this.frameno = 0;
    this.refObjId = 0;
    this.memSize = 0;
    this.subprogno = 0;
  }

  clone(): Reg {
    return new Reg().copyFrom(this);
  }

  /** Every field of o into this (what Object.assign would do, written out: the generic copy is several times slower). */
  copyFrom(o: Reg): this {
    this.t = o.t;
    this.off = o.off;
    this.tn = o.tn;
    this.smin = o.smin;
    this.smax = o.smax;
    this.umin = o.umin;
    this.umax = o.umax;
    this.s32min = o.s32min;
    this.s32max = o.s32max;
    this.u32min = o.u32min;
    this.u32max = o.u32max;
    this.id = o.id;
    this.range = o.range;
    this.map = o.map;
    this.frameno = o.frameno;
    this.refObjId = o.refObjId;
    this.memSize = o.memSize;
    this.subprogno = o.subprogno;
    return this;
  }

  /** A scalar: the pointer fields (offset, ids, range, map, ref, size, subprogram) cleared, the bounds left to the caller. */
  private clearToScalar(): void {
    this.t = T.SCALAR;
    this.off = 0;
    this.id = 0;
    this.range = 0;
    this.map = null;
    this.refObjId = 0;
    this.memSize = 0;
    this.subprogno = 0;
  }

  setUnknown(): void {
    this.clearToScalar();
    this.tn = TNUM_UNKNOWN;
    markUnbounded(this);
  }

  setConst(v: bigint): void {
    this.setConstU64(BigInt.asUintN(64, v));
  }

  /**
   * __mark_reg_known() of an insn's imm, sign-extended to 64 bits or
   * zero-extended from 32 (as32): the bounds follow from the imm's sign
   * with number compares, where setConstU64 compares bigints.
   */
  setConstImm(imm: number, as32: boolean): void {
    this.clearToScalar();
    if (imm >= 0) {
      // Below 2^31: the same value in every view.
      if (imm < 256) {
        this.setSmall(imm);
        return;
      }
      const x = BigInt(imm);
      this.tn = { v: x, m: 0n };
      this.umin = this.umax = this.smin = this.smax = x;
      this.u32min = this.u32max = this.s32min = this.s32max = x;
      return;
    }
    const s = BigInt(imm);
    const u32 = BigInt(imm >>> 0);
    // Zero-extended: a value in [2^31, 2^32), negative only as s32. Sign-extended: 2^64 + imm, negative as s64 and s32.
    const x = as32 ? u32 : BigInt.asUintN(64, s);
    this.tn = { v: x, m: 0n };
    this.umin = this.umax = x;
    this.smin = this.smax = as32 ? x : s;
    this.u32min = this.u32max = u32;
    this.s32min = this.s32max = s;
  }

  /** setConstImm() of an imm in [0, 256): the shared BigInts and tnum, no call (movImmRun's loop). */
  setConstSmall(imm: number): void {
    this.clearToScalar();
    this.setSmall(imm);
  }

  /** The bounds and tnum of a known value in [0, 256), the same in every view. */
  private setSmall(imm: number): void {
    const x = SMALL_BIGINT[imm]!;
    this.tn = SMALL_TNUM[imm]!;
    this.umin = this.umax = this.smin = this.smax = x;
    this.u32min = this.u32max = this.s32min = this.s32max = x;
  }

  /**
   * __mark_reg_known() of a scalar whose value x is already in [0, 2^64):
   * the pointer fields cleared as __mark_reg_unknown() would, then every
   * bound the value itself, each written once (bounds.ts markKnown, without
   * the unknown bounds it would overwrite).
   */
  setConstU64(x: bigint): void {
    this.clearToScalar();
    // Tnums are never changed in place, so every known zero can share one.
    this.tn = x === 0n ? TNUM_ZERO : { v: x, m: 0n };
    this.umin = this.umax = x;
    this.smin = this.smax = x > S64_MAX ? BigInt.asIntN(64, x) : x;
    if (x <= 0x7fffffffn) {
      this.u32min = this.u32max = x;
      this.s32min = this.s32max = x;
    } else {
      this.u32min = this.u32max = BigInt.asUintN(32, x);
      this.s32min = this.s32max = BigInt.asIntN(32, x);
    }
  }

  /** An unknown value of `bytes` bytes, zero-extended (what a narrow load gives). */
  setUnknownSized(bytes: number): void {
    this.setUnknown();
    if (bytes < 8) coerceToSize(this, bytes);
  }

  setNotInit(): void {
    this.setUnknown();
    this.t = T.NOT_INIT;
  }

  /** mark_reg_known_zero() of a fresh register, then its pointer type (init_reg_state's R10, the entry's R1). */
  setPtrKnownZero(t: number): void {
    this.t = t;
    this.tn = TNUM_ZERO;
    this.smin = this.smax = 0n;
    this.umin = this.umax = 0n;
  }

  isConst(): boolean {
    return this.t === T.SCALAR && tnumIsConst(this.tn);
  }

  /** reg_bounds_sync() */
  sync(): void {
    boundsSync(this);
  }
}

/**
 * The known scalar an ALU or JMP insn's imm operand is (the kernel's
 * on-stack src_reg of check_alu_op / check_cond_jmp_op): one register
 * rewritten for each such insn. The range code only reads it (nothing keeps
 * it or its fields' owner), and walks never overlap.
 */
const IMM_REG = new Reg();

const STACK_INVALID = 0, STACK_SPILL = 1, STACK_MISC = 2, STACK_ZERO = 3;
const SLOT_CHAR = ["?", "r", "m", "0"];

class Slot {
  types = [0, 0, 0, 0, 0, 0, 0, 0];
  spilled = new Reg();
  clone(): Slot {
    const s = new Slot();
    s.types = this.types.slice();
    s.spilled = this.spilled.clone();
    return s;
  }
}

/**
 * The 11 registers of a new frame, not yet written. The array is a literal of
 * 11 elements (pushing them one by one grows its store twice), its slots
 * then filled in a loop: one `new Reg()` site is inlined once, where eleven
 * sites outgrew V8's inlining budget and most went through the generic
 * construct stub.
 */
function freshRegs(): Reg[] {
  const r = IMM_REG;
  const regs = [r, r, r, r, r, r, r, r, r, r, r];
  for (let i = 0; i < 11; i++) regs[i] = new Reg();
  return regs;
}

class Frame {
  regs: Reg[];
  stack: Slot[] = [];
  callsite = -1;
  subprog = 0;
  frameno = 0;
  /** A callback's frame (in_callback_fn): R0 must be in [0, 1] at its exit, which goes back to the call. */
  inCallback = false;
  /** How many times the callback of the helper call in this frame was entered (callback_depth). */
  callbackDepth = 0;
  /** The registers come with the frame (no empty array made to be replaced). */
  constructor(regs: Reg[]) {
    this.regs = regs;
  }
  clone(): Frame {
    const f = new Frame(this.regs.map((r) => r.clone()));
    f.stack = this.stack.map((s) => s.clone());
    f.callsite = this.callsite;
    f.subprog = this.subprog;
    f.frameno = this.frameno;
    f.inCallback = this.inCallback;
    f.callbackDepth = this.callbackDepth;
    return f;
  }
  slot(spi: number): Slot {
    while (this.stack.length <= spi) this.stack.push(new Slot());
    return this.stack[spi]!;
  }
}

/** A checkpoint in the explored list, with the count of paths still running below it. */
interface Checkpoint {
  state: VState;
  branches: number;
  parent: Checkpoint | null;
  insn: number;
  /** is_state_visited() statistics for the eviction heuristic (bpf_verifier_state_list). */
  miss: number;
  hit: number;
  /** Evicted from the explored list while paths still ran below it (the kernel's free list). */
  evicted?: boolean;
  /** The walk's count of live states, to free an evicted one when its last path ends. */
  env?: { liveStates: number };
}

/** An acquired reference (struct bpf_reference_state): its id and the insn that acquired it. */
interface RefState {
  id: number;
  insn: number;
}

class VState {
  frames: Frame[];
  parent: Checkpoint | null = null;
  /** The references held on this path (bpf_verifier_state refs). */
  refs: RefState[] = [];
  /** Callback entries on this path (callback_unroll_depth): states of different depths are no infinite loop. */
  callbackUnrollDepth = 0;
  /** The frames come with the state (no empty array made to be replaced). */
  constructor(frames: Frame[]) {
    this.frames = frames;
  }
  clone(): VState {
    const s = new VState(this.frames.map((f) => f.clone()));
    s.callbackUnrollDepth = this.callbackUnrollDepth;
    s.parent = this.parent;
    s.refs = this.refs.map((r) => ({ ...r }));
    return s;
  }
  get cur(): Frame {
    return this.frames[this.frames.length - 1]!;
  }
}

/** Thrown to end verification with an errno; the message is already in the log. */
class VerifyError {
  readonly err: number;
  readonly reason: string;
  constructor(err: number, reason: string) {
    this.err = err;
    this.reason = reason;
  }
}

// --- helper prototypes ------------------------------------------------------------------

// ALLOC_SIZE is ARG_CONST_ALLOC_SIZE_OR_ZERO, RINGBUF_RELEASE is ARG_PTR_TO_RINGBUF_MEM | OBJ_RELEASE.
const A = { ANY: 1, MAP_PTR: 2, MAP_KEY: 3, MAP_VALUE: 4, UNINIT_MAP_VALUE: 5, CTX: 6, MEM: 7, UNINIT_MEM: 8, SIZE: 9, SIZE_OR_ZERO: 10, MEM_OR_NULL: 11, ALLOC_SIZE: 12, RINGBUF_RELEASE: 13, FUNC: 14, STACK_OR_NULL: 15 } as const;
const RET = { INT: 1, VOID: 2, MAP_VALUE_OR_NULL: 3, RINGBUF_MEM_OR_NULL: 4 } as const;

interface Proto {
  gpl: boolean;
  args: number[];
  ret: number;
  /** Invalidates packet pointers (bpf_helper_changes_pkt_data). */
  pkt?: boolean;
}

const PROTOS: Record<number, Proto> = {
  1: { gpl: false, args: [A.MAP_PTR, A.MAP_KEY], ret: RET.MAP_VALUE_OR_NULL },
  2: { gpl: false, args: [A.MAP_PTR, A.MAP_KEY, A.MAP_VALUE, A.ANY], ret: RET.INT },
  3: { gpl: false, args: [A.MAP_PTR, A.MAP_KEY], ret: RET.INT },
  4: { gpl: true, args: [A.UNINIT_MEM, A.SIZE_OR_ZERO, A.ANY], ret: RET.INT },
  5: { gpl: false, args: [], ret: RET.INT },
  6: { gpl: true, args: [A.MEM, A.SIZE], ret: RET.INT },
  7: { gpl: false, args: [], ret: RET.INT },
  8: { gpl: false, args: [], ret: RET.INT },
  9: { gpl: false, args: [A.CTX, A.ANY, A.MEM, A.SIZE, A.ANY], ret: RET.INT, pkt: true },
  10: { gpl: false, args: [A.CTX, A.ANY, A.ANY, A.ANY, A.ANY], ret: RET.INT, pkt: true },
  11: { gpl: false, args: [A.CTX, A.ANY, A.ANY, A.ANY, A.ANY], ret: RET.INT, pkt: true },
  12: { gpl: false, args: [A.CTX, A.MAP_PTR, A.ANY], ret: RET.VOID },
  13: { gpl: false, args: [A.CTX, A.ANY, A.ANY], ret: RET.INT, pkt: true },
  14: { gpl: false, args: [], ret: RET.INT },
  15: { gpl: false, args: [], ret: RET.INT },
  16: { gpl: false, args: [A.UNINIT_MEM, A.SIZE], ret: RET.INT },
  23: { gpl: false, args: [A.ANY, A.ANY], ret: RET.INT },
  25: { gpl: true, args: [A.CTX, A.MAP_PTR, A.ANY, A.MEM, A.SIZE_OR_ZERO], ret: RET.INT },
  26: { gpl: false, args: [A.CTX, A.ANY, A.UNINIT_MEM, A.SIZE], ret: RET.INT },
  27: { gpl: true, args: [A.CTX, A.MAP_PTR, A.ANY], ret: RET.INT },
  28: { gpl: false, args: [A.MEM_OR_NULL, A.SIZE_OR_ZERO, A.MEM_OR_NULL, A.SIZE_OR_ZERO, A.ANY], ret: RET.INT },
  35: { gpl: true, args: [], ret: RET.INT },
  42: { gpl: false, args: [], ret: RET.INT },
  44: { gpl: false, args: [A.CTX, A.ANY], ret: RET.INT, pkt: true },
  51: { gpl: false, args: [A.MAP_PTR, A.ANY, A.ANY], ret: RET.INT },
  65: { gpl: false, args: [A.CTX, A.ANY], ret: RET.INT, pkt: true },
  87: { gpl: false, args: [A.MAP_PTR, A.MAP_VALUE, A.ANY], ret: RET.INT },
  88: { gpl: false, args: [A.MAP_PTR, A.UNINIT_MAP_VALUE], ret: RET.INT },
  89: { gpl: false, args: [A.MAP_PTR, A.UNINIT_MAP_VALUE], ret: RET.INT },
  45: { gpl: true, args: [A.UNINIT_MEM, A.SIZE_OR_ZERO, A.ANY], ret: RET.INT },
  112: { gpl: true, args: [A.UNINIT_MEM, A.SIZE_OR_ZERO, A.ANY], ret: RET.INT },
  113: { gpl: true, args: [A.UNINIT_MEM, A.SIZE_OR_ZERO, A.ANY], ret: RET.INT },
  114: { gpl: true, args: [A.UNINIT_MEM, A.SIZE_OR_ZERO, A.ANY], ret: RET.INT },
  115: { gpl: true, args: [A.UNINIT_MEM, A.SIZE_OR_ZERO, A.ANY], ret: RET.INT },
  118: { gpl: false, args: [], ret: RET.INT },
  125: { gpl: false, args: [], ret: RET.INT },
  // bpf_ringbuf_reserve acquires a reference; submit and discard release it.
  131: { gpl: false, args: [A.MAP_PTR, A.ALLOC_SIZE, A.ANY], ret: RET.RINGBUF_MEM_OR_NULL },
  132: { gpl: false, args: [A.RINGBUF_RELEASE, A.ANY], ret: RET.VOID },
  133: { gpl: false, args: [A.RINGBUF_RELEASE, A.ANY], ret: RET.VOID },
  // bpf_loop(nr_loops, callback_fn, callback_ctx, flags)
  181: { gpl: false, args: [A.ANY, A.FUNC, A.STACK_OR_NULL, A.ANY], ret: RET.INT },
};

const MEM_TYPES = "fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_";

function helperAvailable(pt: number, id: number): boolean | undefined {
  const hex = HELPERS_BY_PROG_TYPE[pt];
  if (hex === undefined) return undefined;
  return ((BigInt("0x" + hex) >> BigInt(id)) & 1n) === 1n;
}

/** A helper the core has no prototype or context model for: refused with a reason naming it. */
function helperNotEmulated(env: Env, id: number): never {
  return env.fail(-EINVAL, `bpfemu: helper ${helperName(id)}#${id} is not emulated`);
}

/** check_map_func_compatibility(): maps that only certain helpers take, and helpers that need certain maps. */
function mapFuncCompatible(mt: number, fn: number): boolean {
  const generic = fn === 1 || fn === 2 || fn === 3;
  switch (mt) {
    case MT.PROG_ARRAY:
      return fn === 12;
    case MT.PERF_EVENT_ARRAY:
      return fn === 25 || fn === 22 || fn === 27 || fn === 55 || fn === 67;
    case MT.RINGBUF:
      return fn >= 130 && fn <= 134;
    case MT.QUEUE:
    case MT.STACK:
      return fn === 87 || fn === 88 || fn === 89;
    case MT.DEVMAP:
    case MT.DEVMAP_HASH:
    case MT.CPUMAP:
    case MT.XSKMAP:
      return fn === 51 || fn === 1 || (mt === MT.XSKMAP && fn === 1);
    case MT.STACK_TRACE:
      return fn === 27;
    case MT.CGROUP_ARRAY:
    case MT.SOCKMAP:
    case MT.SOCKHASH:
    case MT.REUSEPORT_SOCKARRAY:
    case MT.USER_RINGBUF:
    case MT.ARENA:
      return false;
    case MT.BLOOM_FILTER:
      return fn === 87 || fn === 89;
    default:
      if (fn === 12) return false;
      if (fn === 25) return false;
      if (fn === 51) return false;
      if (fn === 87 || fn === 88 || fn === 89) return false;
      return generic || true;
  }
}

// --- context layouts ------------------------------------------------------------------

/** What a context load yields: a scalar, or a packet pointer. */
type CtxResult = { ok: false; unsupported?: boolean } | { ok: true; t: number };

const SKB = { len: 0, tc_classid: 72, data: 76, data_end: 80, family: 88, local_port: 136, data_meta: 140, flow_keys: 144, tstamp: 152, wire_len: 160, sk: 168, tstamp_type: 180, hwtstamp: 184, size: 192 } as const;

function inRange(off: number, start: number, size: number): boolean {
  return off >= start && off < start + size;
}

/** bpf_skb_is_valid_access() plus the per-type filters (sk_filter, tc_cls_act, cg_skb). */
function skbAccess(pt: number, off: number, size: number, write: boolean, prog: BpfProg): CtxResult {
  const bad: CtxResult = { ok: false };
  if (off < 0 || off >= SKB.size) return bad;
  if (pt === PT.SOCKET_FILTER) {
    if (inRange(off, SKB.tc_classid, 4) || inRange(off, SKB.data, 4) || inRange(off, SKB.data_meta, 4) || inRange(off, SKB.data_end, 4) || (off >= SKB.family && off < SKB.local_port + 4) || inRange(off, SKB.tstamp, 8) || inRange(off, SKB.wire_len, 4) || inRange(off, SKB.hwtstamp, 8)) return bad;
    if (write && !(off >= 48 && off < 68)) return bad;
  } else if (pt === PT.LWT_IN || pt === PT.LWT_OUT || pt === PT.LWT_XMIT || pt === PT.LWT_SEG6LOCAL) {
    // lwt_is_valid_access()
    if (inRange(off, SKB.tc_classid, 4) || (off >= SKB.family && off < SKB.local_port + 4) || inRange(off, SKB.data_meta, 4) || inRange(off, SKB.tstamp, 8) || inRange(off, SKB.wire_len, 4) || inRange(off, SKB.hwtstamp, 8)) return bad;
    if (write && !(inRange(off, 8, 4) || inRange(off, 32, 4) || (off >= 48 && off < 68))) return bad;
  } else if (pt === PT.SK_SKB) {
    // sk_skb_is_valid_access()
    if (inRange(off, SKB.tc_classid, 4) || inRange(off, SKB.data_meta, 4) || inRange(off, SKB.tstamp, 8) || inRange(off, SKB.wire_len, 4) || inRange(off, SKB.hwtstamp, 8)) return bad;
    if (write && !(inRange(off, 44, 4) || inRange(off, 32, 4))) return bad;
    if (inRange(off, 8, 4)) return bad;
  } else if (pt === PT.CGROUP_SKB) {
    if (inRange(off, SKB.tc_classid, 4) || inRange(off, SKB.data_meta, 4) || inRange(off, SKB.wire_len, 4)) return bad;
    if (write && !(inRange(off, 8, 4) || inRange(off, 32, 4) || (off >= 48 && off < 68) || inRange(off, SKB.tstamp, 8))) return bad;
  } else {
    if (write && !(inRange(off, 8, 4) || inRange(off, 44, 4) || inRange(off, 32, 4) || inRange(off, SKB.tc_classid, 4) || (off >= 48 && off < 68) || inRange(off, SKB.tstamp, 8) || inRange(off, 12, 4))) return bad;
    if (off >= SKB.family && off < SKB.local_port + 4) return bad;
  }
  const skSkb = pt === PT.SK_SKB;
  void prog;
  if (off % size !== 0) return bad;
  let t: number = T.SCALAR;
  if (off >= 48 && off < 68) {
    if (off + size > 68) return bad;
  } else if ((off >= 92 && off < 132) || inRange(off, SKB.data, 4) || inRange(off, SKB.data_meta, 4) || inRange(off, SKB.data_end, 4)) {
    if (size !== 4) return bad;
    if (pt !== PT.SOCKET_FILTER && !(skSkb && off >= 92 && off < 132)) {
      if (inRange(off, SKB.data, 4)) t = T.PKT;
      else if (inRange(off, SKB.data_end, 4)) t = T.PKT_END;
      else if (inRange(off, SKB.data_meta, 4)) t = T.PKT_META;
    }
  } else if (inRange(off, SKB.flow_keys, 8)) {
    return bad;
  } else if (inRange(off, SKB.hwtstamp, 8)) {
    if (write || size !== 8) return bad;
  } else if (inRange(off, SKB.tstamp, 8)) {
    if (size !== 8) return bad;
  } else if (inRange(off, SKB.sk, 8)) {
    // skb->sk is a PTR_TO_SOCK_COMMON_OR_NULL, which the core does not model.
    return off === SKB.sk && size === 8 && !write ? { ok: false, unsupported: true } : bad;
  } else if (off >= SKB.tstamp_type && off < SKB.hwtstamp) {
    // tc reads __sk_buff->tstamp_type (one byte); everything else up to hwtstamp is padding.
    if ((pt === PT.SCHED_CLS || pt === PT.SCHED_ACT) && off === SKB.tstamp_type && size === 1 && !write) return { ok: true, t: T.SCALAR };
    return bad;
  } else {
    if (write) {
      if (size !== 4) return bad;
    } else {
      // bpf_ctx_narrow_access_ok(): 1, 2 or 4 bytes inside the 4-byte field
      if (size !== 1 && size !== 2 && size !== 4) return bad;
      if ((off & 3) + size > 4) return bad;
    }
  }
  return { ok: true, t };
}

function ctxAccess(prog: BpfProg, off: number, size: number, write: boolean): CtxResult {
  const bad: CtxResult = { ok: false };
  switch (prog.type) {
    case PT.SOCKET_FILTER:
    case PT.SCHED_CLS:
    case PT.SCHED_ACT:
    case PT.CGROUP_SKB:
      return skbAccess(prog.type, off, size, write, prog);
    case PT.XDP: {
      // xdp_is_valid_access(): struct xdp_md, 4-byte reads only
      if (off === 20 && prog.expected_attach_type !== AT.XDP_DEVMAP) return bad;
      if (write) return bad;
      if (off < 0 || off >= 24 || off % size !== 0 || size !== 4) return bad;
      return { ok: true, t: off === 0 ? T.PKT : off === 4 ? T.PKT_END : off === 8 ? T.PKT_META : T.SCALAR };
    }
    case PT.KPROBE:
      // kprobe_prog_is_valid_access(): struct pt_regs (168 bytes), read only, aligned
      if (off < 0 || off >= 168 || write || off % size !== 0 || off + size > 168) return bad;
      return { ok: true, t: T.SCALAR };
    case PT.TRACEPOINT:
      // tp_prog_is_valid_access(): past the common 8 bytes, below PERF_MAX_TRACE_SIZE. The first
      // comparison is against sizeof(void *), unsigned: a negative offset passes it (probed on 6.18).
      if ((off >= 0 && off < 8) || off >= 8192 || write || off % size !== 0) return bad;
      return { ok: true, t: T.SCALAR };
    case PT.LWT_IN:
    case PT.LWT_OUT:
    case PT.LWT_XMIT:
    case PT.LWT_SEG6LOCAL:
    case PT.SK_SKB:
      return skbAccess(prog.type, off, size, write, prog);
    case PT.RAW_TRACEPOINT_WRITABLE:
    case PT.RAW_TRACEPOINT:
      // raw_tp_writable_prog_is_valid_access(): the first u64 is a tracepoint buffer pointer (not modelled)
      if (prog.type === PT.RAW_TRACEPOINT_WRITABLE && off === 0) return size === 8 && !write ? { ok: false, unsupported: true } : bad;
      // raw_tp_prog_is_valid_access(): up to MAX_BPF_FUNC_ARGS (12) u64 arguments, read only
      if (off < 0 || off >= 96 || write || off % size !== 0) return bad;
      return { ok: true, t: T.SCALAR };
    case PT.PERF_EVENT: {
      // pe_prog_is_valid_access(): struct bpf_perf_event_data (regs 168 bytes, sample_period, addr)
      if (off < 0 || off >= 184 || write || off % size !== 0) return bad;
      if (off >= 168) return (off & 7) + size <= 8 && (size === 1 || size === 2 || size === 4 || size === 8) ? { ok: true, t: T.SCALAR } : bad;
      return size === 8 ? { ok: true, t: T.SCALAR } : bad;
    }
    case PT.CGROUP_DEVICE:
      // struct bpf_cgroup_dev_ctx { access_type, major, minor }: reads; access_type may be narrow
      if (write || off < 0 || off + size > 12 || off % size !== 0) return bad;
      if (off < 4) return size <= 4 ? { ok: true, t: T.SCALAR } : bad;
      return size === 4 ? { ok: true, t: T.SCALAR } : bad;
    case PT.SOCK_OPS: {
      // sock_ops_is_valid_access(): struct bpf_sock_ops (224 bytes)
      if (off < 0 || off >= 224 || off % size !== 0) return bad;
      if (write) return (off === 4 || off === 164) && size === 4 ? { ok: true, t: T.SCALAR } : bad;
      // u64 fields (bytes_received, bytes_acked, skb_hwtstamp) and pointers (sk, skb_data, skb_data_end): whole 8-byte reads only.
      if ((off >= 168 && off < 184) || (off >= 216 && off < 224)) return size === 8 && off % 8 === 0 ? { ok: true, t: T.SCALAR } : bad;
      if (off >= 184 && off < 208) return size === 8 && off % 8 === 0 ? { ok: false, unsupported: true } : bad;
      if (off === 212) return size <= 4 ? { ok: true, t: T.SCALAR } : bad;
      return size === 4 ? { ok: true, t: T.SCALAR } : bad;
    }
    case PT.CGROUP_SOCK: {
      // sock_filter_is_valid_access(): __sock_filter_check_attach_type() decides which fields this hook sees,
      // then bpf_sock_is_valid_access() the sizes (struct bpf_sock, 80 bytes).
      if (off < 0 || off >= 80 || off % size !== 0) return bad;
      const eat = prog.expected_attach_type;
      const create = eat === AT.CGROUP_INET_SOCK_CREATE || eat === AT.CGROUP_INET_SOCK_RELEASE;
      if (off === 0 || off === 16 || off === 20) {
        if (!create) return bad;
      } else if (off >= 24 && off < 28) {
        if (eat !== AT.CGROUP_INET4_POST_BIND || write) return bad;
      } else if (off >= 28 && off < 44) {
        if (eat !== AT.CGROUP_INET6_POST_BIND || write) return bad;
      } else if (off === 44) {
        if ((eat !== AT.CGROUP_INET4_POST_BIND && eat !== AT.CGROUP_INET6_POST_BIND) || write) return bad;
      } else if (write) return bad;
      // Narrow reads: at the field's offset for family, type, protocol, src_port, state, rx_queue_mapping;
      // anywhere inside the address fields; dst_port is a 2-byte field unless read whole.
      if (off === 4 || off === 8 || off === 12 || off === 44 || off === 72 || off === 76) return size <= 4 ? { ok: true, t: T.SCALAR } : bad;
      if ((off >= 24 && off < 44) || (off >= 52 && off < 72)) return (off & 3) + size <= 4 ? { ok: true, t: T.SCALAR } : bad;
      if (off >= 48 && off < 52) return off < 50 && (size === 4 ? off === 48 : size <= 2 && off + size <= 50) ? { ok: true, t: T.SCALAR } : bad;
      return size === 4 ? { ok: true, t: T.SCALAR } : bad;
    }
    case PT.CGROUP_SOCK_ADDR:
      // struct bpf_sock_addr: user_family, family, type and protocol are plain u32 reads; the rest depends on the attach type (not modelled)
      if (!write && size === 4 && (off === 0 || off === 28 || off === 32 || off === 36)) return { ok: true, t: T.SCALAR };
      if (off === 64) return size === 8 && !write ? { ok: false, unsupported: true } : bad;
      return { ok: false, unsupported: true };
    case PT.SK_MSG:
    case PT.SK_REUSEPORT:
    case PT.CGROUP_SOCKOPT:
    case PT.SK_LOOKUP:
    case PT.NETFILTER: {
      // Pointer fields (data, data_end, sk, optval, state, skb...) are 8-byte reads; other fields are not modelled.
      const ptrs: Record<number, readonly number[]> = { [PT.SK_MSG]: [0, 8, 72], [PT.SK_REUSEPORT]: [0, 8, 40, 48], [PT.CGROUP_SOCKOPT]: [0, 8, 16], [PT.SK_LOOKUP]: [0], [PT.NETFILTER]: [0, 8] };
      const p = ptrs[prog.type]!.find((o) => off >= o && off < o + 8);
      if (p !== undefined && (size !== 8 || off !== p)) return bad;
      return { ok: false, unsupported: true };
    }
    case PT.FLOW_DISSECTOR:
      // flow_dissector_is_valid_access(): only data, data_end (4 bytes) and flow_keys (8), read only
      if (write) return bad;
      if (off === SKB.data || off === SKB.data_end) return size === 4 ? { ok: true, t: off === SKB.data ? T.PKT : T.PKT_END } : bad;
      if (off === SKB.flow_keys) return size === 8 ? { ok: false, unsupported: true } : bad;
      return bad;
    case PT.CGROUP_SYSCTL:
      // struct bpf_sysctl { write, file_pos }: write is read-only, file_pos writable with 4 bytes
      if (off < 0 || off + size > 8 || off % size !== 0 || size > 4) return bad;
      if (off < 4) return write ? bad : { ok: true, t: T.SCALAR };
      if (write) return size === 4 ? { ok: true, t: T.SCALAR } : bad;
      return { ok: true, t: T.SCALAR };
    default:
      return { ok: false, unsupported: true };
  }
}

/** Program types whose context layout the core knows; other types are verified without context access. */
export function verifierSupports(pt: number): boolean {
  return pt === PT.SOCKET_FILTER || pt === PT.KPROBE || pt === PT.SCHED_CLS || pt === PT.SCHED_ACT || pt === PT.TRACEPOINT || pt === PT.XDP || pt === PT.CGROUP_SKB;
}

// --- the environment ---------------------------------------------------------------------

export interface CheckResult {
  err: number;
  reason: string;
}

interface Subprog {
  start: number;
  stack_depth: number;
}

/** What resolve_pseudo_ldimm64() found at an ld_imm64: its map, and the value offset for BPF_PSEUDO_MAP_VALUE. */
interface LdMap {
  map: BpfMap;
  off: number;
  value: boolean;
}

const NO_LD_MAPS: ReadonlyMap<number, LdMap> = new Map();
const NO_INSNS: ReadonlySet<number> = new Set();
const NO_CALL_MAPS: ReadonlyMap<number, BpfMap | null> = new Map();

/**
 * A set of stack slot indices as two 32-bit masks (a spi is below
 * MAX_BPF_STACK / 8 = 64), instead of a Set per load: the kernel's
 * scratched_stack_slots is a u64 too.
 */
class SlotSet {
  private lo = 0;
  private hi = 0;
  add(i: number): void {
    if (i < 32) this.lo |= 1 << i;
    else if (i < 64) this.hi |= 1 << (i - 32);
  }
  has(i: number): boolean {
    return i < 32 ? (this.lo & (1 << i)) !== 0 : i < 64 && (this.hi & (1 << (i - 32))) !== 0;
  }
  /** Non-zero when any slot is in the set (used where a Set's size was tested). */
  get size(): number {
    return this.lo | this.hi;
  }
  clear(): void {
    this.lo = 0;
    this.hi = 0;
  }
}

class Env {
  readonly t: Task;
  readonly prog: BpfProg;
  readonly log: VLog;
  /** The loaded program, one array per field (InsnArrays), and its length. */
  readonly a: InsnArrays;
  readonly n: number;
  readonly bpf_capable: boolean;
  readonly allow_ptr_leaks: boolean;
  readonly strict_alignment: boolean;
  subprogs: Subprog[] = [];
  // The collections below are made on first use (most loads need few of them); the
  // *OrNull fields let the end of bpf_check read them without making empty ones.
  ldMapsOrNull: Map<number, LdMap> | null = null;
  /** ld_imm64 index -> the map it names (and the value offset for MAP_VALUE). */
  get ldMaps(): Map<number, LdMap> {
    return (this.ldMapsOrNull ??= new Map());
  }
  readonly used_maps: BpfMap[] = [];
  private liveDone = false;
  /**
   * compute_live_registers()'s result: the registers live before each insn
   * (InsnArrays.live). The pass cannot fail and changes nothing else, and
   * only state comparisons at prune points and the level-2 log read its
   * result, so it runs when first read: a program the walk never compares
   * states for does not pay for it.
   */
  get liveIn(): Int32Array {
    if (!this.liveDone) {
      this.liveDone = true;
      computeLive(this);
    }
    return this.a.live;
  }
  /** check_cfg() found every edge going forward (cfgForward): no loop in the program. */
  cfgForward = false;
  /** ld_imm64 pairs (resolve_pseudo_ldimm64): their second halves are never walked. */
  ldImm64Pairs = 0;
  /** Distinct insns the walks reached (F_SEEN marks set). */
  seenCount = 0;
  private exploredOrNull: Map<number, Checkpoint[]> | null = null;
  /** explored_state: the checkpoints at each prune point. */
  get explored(): Map<number, Checkpoint[]> {
    return (this.exploredOrNull ??= new Map());
  }
  insn_processed = 0;
  jmps_processed = 0;
  prev_insn_processed = 0;
  prev_jmps_processed = 0;
  total_states = 0;
  peak_states = 0;
  /** States in the explored lists plus evicted ones not yet freed (explored_states_size + free_list_size). */
  liveStates = 0;
  max_states_per_insn = 0;
  id_gen = 0;
  // log state for the per-insn lines
  prev_log_pos = 0;
  prev_insn_print_pos = 0;
  scratchedRegs = 0;
  /** The stack slots the insn touched, for the log (mark_stack_slot_scratched); spi is below 64. */
  readonly scratchedSlots = new SlotSet();
  insnIdx = 0;
  /** func_info / line_info of the load (verifier_btf.ts), when it came with prog_btf_fd. */
  btfi: BtfInfoHooks | null = null;
  private globalCalledOrNull: Set<number> | null = null;
  private globalVerifiedOrNull: Set<number> | null = null;
  /** Global subprograms a walk called (subprog_aux->called) and those already verified. */
  get globalCalled(): Set<number> {
    return (this.globalCalledOrNull ??= new Set());
  }
  get globalVerified(): Set<number> {
    return (this.globalVerifiedOrNull ??= new Set());
  }
  ctxInsnsOrNull: Set<number> | null = null;
  /** Loads and stores the walk saw on the context (insn_aux_data ctx access, for convert_ctx_accesses). */
  get ctxInsns(): Set<number> {
    return (this.ctxInsnsOrNull ??= new Set());
  }
  callMapsOrNull: Map<number, BpfMap | null> | null = null;
  /** Map each helper call saw in R1; null once two maps met there (bpf_map_ptr_store poisoning). */
  get callMaps(): Map<number, BpfMap | null> {
    return (this.callMapsOrNull ??= new Map());
  }
  /** env->seen_direct_write: a store into the packet (the tc prologue unclones the skb). */
  seenDirectWrite = false;
  /** The branch stack of the running walk (push_stack of a callback entry); do_check sets it before anything reads it. */
  pending!: Pending[];
  loopInlineOrNull: Map<number, { fit: boolean; callback: number }> | null = null;
  /** loop_inline_state of each bpf_loop call: flags always 0 and one callback make it fit for inlining. */
  get loopInline(): Map<number, { fit: boolean; callback: number }> {
    return (this.loopInlineOrNull ??= new Map());
  }
  /** Set by a callback's exit: the next prune hit says "from X to Y: safe" (do_print_state). */
  returned = false;

  /** The log level asks for the per-insn lines (BPF_LOG_LEVEL1 or 2); the level is fixed for the load. */
  readonly level1: boolean;

  constructor(t: Task, prog: BpfProg, log: VLog, a: InsnArrays, token: BpfToken | null) {
    this.t = t;
    this.prog = prog;
    this.log = log;
    this.a = a;
    this.n = a.n;
    this.level1 = (log.level & (BPF_LOG_LEVEL1 | BPF_LOG_LEVEL2)) !== 0;
    // env->bpf_capable and bpf_allow_ptr_leaks(): capabilities through the program's token, if any.
    this.bpf_capable = bpf_token_capable(t, token, CAP.BPF);
    this.allow_ptr_leaks = bpf_token_capable(t, token, CAP.PERFMON);
    this.strict_alignment = (prog.prog_flags & 1) !== 0;
  }

  verbose(s: string): void {
    this.log.write(s);
  }

  fail(err: number, msg: string): never {
    if (msg) this.verbose(msg + "\n");
    throw new VerifyError(err, msg || "verifier error");
  }
}

// --- the program as the passes read it ----------------------------------------------------

/** InsnArrays.flags bits: a prune point, a forced checkpoint (mark_force_checkpoint), reached by the walk (insn_aux_data seen). */
const F_PRUNE = 1, F_FORCE = 2, F_SEEN = 4;

/** The words of no program (InsnArrays.w between loads). */
const NO_WORDS: Int32Array<ArrayBufferLike> = new Int32Array(0);

/** Longer programs get arrays of their own, dropped after the load: the shared set stays under ~5 MB. */
const INSN_ARRAYS_SHARED_MAX = 1 << 16;

/**
 * The loaded instructions as the passes read them (the opcodes in an array
 * of their own, the other fields from the loaded words), so that no pass
 * makes an object per instruction, and the per-instruction
 * working arrays of the passes (check_cfg's walk, compute_live_registers,
 * the prune/force/seen marks of insn_aux_data). Typed arrays of more than a
 * few elements are costly to allocate, so one set serves every load:
 * bpf_check() runs to completion without ever re-entering itself, takes the
 * set at its start (take() clears what it uses and grows it for a longer
 * program) and nothing reads it after it returns.
 */
class InsnArrays {
  n = 0;
  /** The OPC_* facts of every opcode in the program, or-ed (decode). */
  summary = 0;
  /** The first insn of the JMP/JMP32 classes, n when there is none (decode). */
  firstJ = 0;
  private cap = -1;
  code = new Uint8Array(0);
  /**
   * The loaded insns as little-endian 32-bit words, two per insn from wb
   * (code, dst_reg:4 src_reg:4 and off in the first, imm in the second):
   * a view of the program's own copy when it is aligned on a little-endian
   * host (no per-field arrays to fill), else wcopy. The field readers
   * (insnDst, insnSrc, insnOff, insnImm) read it. bpf_check() drops the
   * view at its end, so the shared set keeps no program's buffer.
   */
  w: Int32Array<ArrayBufferLike> = NO_WORDS;
  wb = 0;
  private wcopy = NO_WORDS;
  flags = new Uint8Array(0);
  /** check_cfg(): up to two successors per insn, how many there are, how many the walk took, the insn state, the DFS stack. */
  s0 = new Int32Array(0);
  s1 = new Int32Array(0);
  sc = new Uint8Array(0);
  taken = new Uint8Array(0);
  state = new Uint8Array(0);
  stack = new Int32Array(0);
  /** compute_live_registers(): uses, defs and the live-in set per insn. */
  use = new Int32Array(0);
  def = new Int32Array(0);
  live = new Int32Array(0);
  /** An aligned little-endian copy of a program decode() could not view in place (wcopy), grown as needed. */
  copyWords(n: number): Int32Array<ArrayBufferLike> {
    if (this.wcopy.length < 2 * n) this.wcopy = new Int32Array(2 * Math.max(n, 64));
    return this.wcopy;
  }

  /** Sized and cleared for n instructions. */
  take(n: number): this {
    if (n > this.cap) {
      const c = n > INSN_ARRAYS_SHARED_MAX ? n : Math.min(Math.max(n, 64, this.cap * 2), INSN_ARRAYS_SHARED_MAX);
      this.code = new Uint8Array(c);
      this.flags = new Uint8Array(c);
      this.s0 = new Int32Array(c);
      this.s1 = new Int32Array(c);
      this.sc = new Uint8Array(c);
      this.taken = new Uint8Array(c);
      this.state = new Uint8Array(c);
      this.stack = new Int32Array(c);
      this.use = new Int32Array(c);
      this.def = new Int32Array(c);
      this.live = new Int32Array(c);
      this.cap = c;
    } else {
      // decode() writes every opcode; the marks start from zero. check_cfg's states, the depth-first
      // walk's counts and compute_live_registers' sets are cleared by those passes, which often do not run.
      this.flags.fill(0, 0, n);
    }
    this.n = n;
    return this;
  }
}

const INSN_ARRAYS = new InsnArrays();

/** dst_reg of insn i (InsnArrays.w). */
function insnDst(a: InsnArrays, i: number): number {
  return (a.w[a.wb + 2 * i]! >> 8) & 0xf;
}

/** src_reg of insn i. */
function insnSrc(a: InsnArrays, i: number): number {
  return (a.w[a.wb + 2 * i]! >> 12) & 0xf;
}

/** off of insn i (s16: the word's top half, sign-extended by the shift). */
function insnOff(a: InsnArrays, i: number): number {
  return a.w[a.wb + 2 * i]! >> 16;
}

/** imm of insn i (s32). */
function insnImm(a: InsnArrays, i: number): number {
  return a.w[a.wb + 2 * i + 1]!;
}

/**
 * Facts about an opcode that let a pre-pass know it has nothing to do: the
 * passes still run in bpf_check()'s order, and a pass skips its loop only
 * when no insn of the program could make it act or fail.
 */
const OPC_CALL = 1, OPC_LDIMM64 = 2, OPC_JMP = 4, OPC_LDX = 8, OPC_BAD = 16, OPC_JCLASS = 32;
const OPC = new Uint8Array(256);
for (let k = 0; k < 256; k++) {
  const c = k & 7;
  const op = k & 0xf0;
  let f = 0;
  if (k === 0x85) f |= OPC_CALL;
  if (k === 0x18) f |= OPC_LDIMM64;
  // A jump with a target: everything of the JMP/JMP32 classes but call and exit.
  if ((c === 5 || c === 6) && op !== 0x80 && op !== 0x90) f |= OPC_JMP;
  // Any insn of the JMP/JMP32 classes, call and exit included.
  if (c === 5 || c === 6) f |= OPC_JCLASS;
  if (c === 1) f |= OPC_LDX;
  if (k !== 0x18 && !bpf_opcode_in_insntable(k)) f |= OPC_BAD;
  OPC[k] = f;
}


/**
 * An Int32Array over the whole of the last buffer decode() read. The
 * program copies are cut from shared slabs (prog.ts bpf_prog_insns_alloc),
 * so consecutive loads usually sit in one buffer, and one view of it serves
 * them all instead of a view per load. It only reads the bytes the caller
 * passed; nothing is kept about what they were.
 */
const WORDS_KEEP_MAX = 16384;
const wordsMemo: { buf: ArrayBufferLike | null; view: Int32Array<ArrayBufferLike> } = { buf: null, view: new Int32Array(0) };
function wordsOf(buf: ArrayBufferLike): Int32Array<ArrayBufferLike> {
  // A buffer larger than a slab is a long program's own: viewed once, not kept alive here.
  if (buf.byteLength > WORDS_KEEP_MAX) return new Int32Array(buf, 0, buf.byteLength >> 2);
  if (buf !== wordsMemo.buf) {
    wordsMemo.view = new Int32Array(buf, 0, buf.byteLength >> 2);
    wordsMemo.buf = buf;
  }
  return wordsMemo.view;
}

/**
 * The loaded bytes as the passes read them (struct bpf_insn: code, dst_reg:4
 * src_reg:4, s16 off, s32 imm, little-endian): the words in place when the
 * copy is aligned on a little-endian host, else an aligned copy; the opcodes
 * into their own array, and the OPC facts of the program.
 */
function decode(bytes: Uint8Array): InsnArrays {
  const n = bytes.length >> 3;
  const a = n <= INSN_ARRAYS_SHARED_MAX ? INSN_ARRAYS.take(n) : new InsnArrays().take(n);
  let w: Int32Array<ArrayBufferLike>;
  let base = 0;
  // The view of the buffer is made once per slab (wordsOf), so every aligned program is read in place.
  if (HOST_LE && (bytes.byteOffset & 3) === 0) {
    w = wordsOf(bytes.buffer);
    base = bytes.byteOffset >> 2;
  } else {
    w = a.copyWords(n);
    for (let i = 0, o = 0; i < 2 * n; i++, o += 4) w[i] = bytes[o]! | (bytes[o + 1]! << 8) | (bytes[o + 2]! << 16) | (bytes[o + 3]! << 24);
  }
  a.w = w;
  a.wb = base;
  const code = a.code;
  let sum = 0;
  // Counts the insns before the first of the JMP classes, without a branch: adds 1 until OPC_JCLASS (bit 5) is in sum.
  let firstJ = 0;
  for (let i = 0; i < n; i++) {
    const k = w[base + 2 * i]! & 0xff;
    code[i] = k;
    sum |= OPC[k]!;
    firstJ += ((sum >> 5) & 1) ^ 1;
  }
  a.summary = sum;
  a.firstJ = firstJ;
  return a;
}

/** Insn i as an object, for the cold paths (log lines). */
function insnAt(a: InsnArrays, i: number): DInsn {
  return { code: a.code[i]!, dst: insnDst(a, i), src: insnSrc(a, i), off: insnOff(a, i), imm: insnImm(a, i) };
}

function isLdImm64(i: DInsn): boolean {
  return i.code === 0x18;
}

/** bpf_opcode_in_insntable(): the opcodes the interpreter's jump table has. */
export function bpf_opcode_in_insntable(code: number): boolean {
  const c = code & 7;
  const op = code & 0xf0;
  switch (c) {
    case 4:
    case 7:
      if (op > 0xd0) return false;
      if (op === 0xd0) return c === 4 || (code & 8) === 0; // ALU64 END only as BPF_TO_LE (bswap)
      if (op === 0x80) return (code & 8) === 0;
      return true;
    case 5:
      if (op === 0xe0) return (code & 8) === 0; // may_goto (JCOND)
      if (op === 0xf0) return false;
      if (op === 0x80 || op === 0x90) return (code & 8) === 0;
      if (op === 0x00) return (code & 8) === 0;
      return true;
    case 6:
      if (op === 0x80 || op === 0x90 || op >= 0xe0) return false;
      if (op === 0x00) return (code & 8) === 0;
      return true;
    case 0:
      return code === 0x18 || code === 0x20 || code === 0x28 || code === 0x30 || code === 0x40 || code === 0x48 || code === 0x50;
    case 1:
      return ((code & 0xe0) === 0x60 && true) || ((code & 0xe0) === 0x80 && (code & 0x18) !== 0x18);
    case 2:
      return (code & 0xe0) === 0x60;
    case 3:
      return (code & 0xe0) === 0x60 || ((code & 0xe0) === 0xc0 && ((code & 0x18) === 0x18 || (code & 0x18) === 0x00 || true));
  }
  return false;
}

// --- pre-passes --------------------------------------------------------------------------

/** add_subprog_and_kfunc() */
function addSubprogs(env: Env): void {
  const { n, a } = env;
  const code = a.code;
  // Most programs have no calls: the main program is the only subprogram and no set is needed.
  let starts: number[] | null = null;
  // Without a call or an ld_imm64 (BPF_PSEUDO_FUNC) there is nothing to look at.
  for (let i = 0; a.summary & (OPC_CALL | OPC_LDIMM64) && i < n; i++) {
    const c = code[i]!;
    const sr = insnSrc(a, i);
    const pseudoCall = c === 0x85 && sr === 1;
    const pseudoFunc = c === 0x18 && sr === 4;
    const kfunc = c === 0x85 && sr === 2;
    if (!pseudoCall && !pseudoFunc && !kfunc) continue;
    if (!env.bpf_capable) env.fail(-EPERM, "loading/calling other bpf or kernel functions are allowed for CAP_BPF and CAP_SYS_ADMIN");
    if (kfunc) env.fail(-EINVAL, "bpfemu: kfunc calls are not emulated (they need kernel BTF)");
    const target = i + insnImm(a, i) + 1;
    if (target < 0 || target >= n) env.fail(-EINVAL, "call to invalid destination");
    starts ??= [0];
    if (!starts.includes(target)) starts.push(target);
  }
  if (starts === null) env.subprogs = [{ start: 0, stack_depth: 0 }];
  else env.subprogs = starts.sort((x, y) => x - y).map((start) => ({ start, stack_depth: 0 }));
}

/** check_subprogs(): jumps stay inside their subprogram, which ends in exit or an unconditional jump. */
function checkSubprogs(env: Env): void {
  const { n, a } = env;
  const code = a.code;
  const subs = env.subprogs;
  let cur = 0;
  let start = subs[0]!.start;
  let end = subs.length > 1 ? subs[1]!.start : n;
  if (!(a.summary & OPC_JMP)) {
    // No jump to keep in range: only each subprogram's last insn is looked at.
    for (let i = 0; i < subs.length; i++) {
      const last = code[(i + 1 < subs.length ? subs[i + 1]!.start : n) - 1]!;
      if (last !== 0x95 && last !== 0x05 && last !== 0x06) env.fail(-EINVAL, "last insn is not an exit or jmp");
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    const k = code[i]!;
    const c = k & 7;
    const op = k & 0xf0;
    if ((c === 5 || c === 6) && op !== 0x80 && op !== 0x90) {
      // Only BPF_JMP32|BPF_JA itself (gotol) takes its offset from imm.
      const to = i + (k === 0x06 ? insnImm(a, i) : insnOff(a, i)) + 1;
      if (to < start || to >= end) env.fail(-EINVAL, `jump out of range from insn ${i} to ${to}`);
    }
    if (i === end - 1) {
      if (k !== 0x95 && k !== 0x05 && k !== 0x06) env.fail(-EINVAL, "last insn is not an exit or jmp");
      cur++;
      start = end;
      end = cur + 1 < subs.length ? subs[cur + 1]!.start : n;
    }
  }
}

/** check_attach_btf_id(): sleepable flags, struct_ops and tracing targets (which need kernel BTF: refused). */
function checkAttachBtfId(env: Env): void {
  const prog = env.prog;
  const sleepable = (prog.prog_flags & 16) !== 0;
  if (prog.type === PT.SYSCALL) {
    if (sleepable) return;
    env.fail(-EINVAL, "Syscall programs can only be sleepable");
  }
  // can_be_sleepable(): fentry/fexit/fmod_ret/iter tracing, LSM, uprobes (KPROBE) and struct_ops.
  const eat = prog.expected_attach_type;
  const canSleep =
    prog.type === PT.TRACING ? eat === AT.TRACE_FENTRY || eat === AT.TRACE_FEXIT || eat === AT.MODIFY_RETURN || eat === AT.TRACE_ITER : prog.type === PT.LSM || prog.type === PT.KPROBE || prog.type === PT.STRUCT_OPS;
  if (sleepable && !canSleep)
    env.fail(-EINVAL, "Only fentry/fexit/fmod_ret, lsm, iter, uprobe, and struct_ops programs can be sleepable");
  if (prog.type === PT.STRUCT_OPS) {
    if (!prog.gpl_compatible) env.fail(-EINVAL, "struct ops programs must have a GPL compatible license");
    if (!prog.attach_btf_id) throw new VerifyError(-ENOTSUPP, "struct_ops program without attach_btf_id");
    env.fail(-EINVAL, "bpfemu: struct_ops targets are not emulated (they need kernel BTF)");
  }
  if (prog.type !== PT.TRACING && prog.type !== PT.LSM && prog.type !== PT.EXT) return;
  if (!prog.attach_btf_id) env.fail(-EINVAL, "Tracing programs must provide btf_id");
  env.fail(-EINVAL, "bpfemu: tracing attach targets are not emulated (they need kernel BTF)");
}

/** resolve_pseudo_ldimm64(): reserved LDX fields, ld_imm64 pairs and their maps, and the opcode table. */
function resolveLdImm64(env: Env): void {
  const { n, a } = env;
  const code = a.code;
  // Without an LDX, an ld_imm64 or an opcode outside the table no insn is refused or resolved here.
  if (!(a.summary & (OPC_LDX | OPC_LDIMM64 | OPC_BAD))) return;
  for (let i = 0; i < n; i++) {
    const k = code[i]!;
    if ((k & 7) === 1 && (((k & 0xe0) !== 0x60 && (k & 0xe0) !== 0x80) || insnImm(a, i) !== 0)) env.fail(-EINVAL, "BPF_LDX uses reserved fields");
    if (k === 0x18) {
      if (i === n - 1 || code[i + 1] !== 0 || insnDst(a, i + 1) !== 0 || insnSrc(a, i + 1) !== 0 || insnOff(a, i + 1) !== 0) env.fail(-EINVAL, "invalid bpf_ld_imm64 insn");
      const sr = insnSrc(a, i);
      if (sr === 0) {
        env.ldImm64Pairs++;
        i++;
        continue;
      }
      if (sr === 3) env.fail(-EINVAL, "bpfemu: BPF_PSEUDO_BTF_ID (ksyms) is not emulated");
      if (sr === 4) {
        env.ldImm64Pairs++;
        i++;
        continue;
      }
      // resolve_pseudo_ldimm64(): a map fd or index carries nothing in the second imm.
      if ((sr !== 1 && sr !== 2 && sr !== 5 && sr !== 6) || ((sr === 1 || sr === 5) && insnImm(a, i + 1) !== 0)) env.fail(-EINVAL, "unrecognized bpf_ld_imm64 insn");
      if (sr === 5 || sr === 6) env.fail(-EPROTO, "fd_idx without fd_array is invalid");
      const fd = insnImm(a, i);
      const f = env.t.files.get(fd);
      if (f === undefined || f.f_op !== bpf_map_fops) env.fail(f === undefined ? -EBADF : -EINVAL, `fd ${fd} is not pointing to valid bpf_map`);
      const map = f.private_data as BpfMap;
      let vo = 0;
      if (sr === 2) {
        vo = insnImm(a, i + 1) >>> 0;
        if (vo >= BPF_MAX_VAR_OFF) env.fail(-EINVAL, `direct value offset of ${vo} is not allowed`);
        if (map.map_type !== MT.ARRAY) env.fail(-EINVAL, "no direct value access support for this map type");
        // array_map_direct_value_addr(): single-element arrays only (-ENOTSUPP), then the offset.
        if (map.max_entries !== 1) env.fail(-ENOTSUPP, `invalid access to map value pointer, value_size=${map.value_size} off=${vo}`);
        if (vo >= map.value_size) env.fail(-EINVAL, `invalid access to map value pointer, value_size=${map.value_size} off=${vo}`);
      }
      env.ldMaps.set(i, { map, off: vo, value: sr === 2 });
      env.ldImm64Pairs++;
      if (!env.used_maps.includes(map)) {
        if (env.used_maps.length >= 64) env.fail(-E2BIG, "too many maps in the program (MAX_USED_MAPS 64)");
        env.used_maps.push(map);
      }
      i++;
      continue;
    }
    if (!bpf_opcode_in_insntable(k)) env.fail(-EINVAL, `unknown opcode ${k.toString(16).padStart(2, "0")}`);
  }
}

/** is_sync_callback_calling_function(): for_each_map_elem, find_vma, loop, user_ringbuf_drain. */
function isCallbackHelper(id: number): boolean {
  return id === 164 || id === 180 || id === 181 || id === 209;
}

/**
 * visit_insn(): the successors of t (InsnArrays s0/s1, their count in sc),
 * with the prune points and forced checkpoints it marks; check_cfg() calls it
 * once per insn, when the walk first reaches it.
 */
function visitInsn(a: InsnArrays, t: number): void {
  const { flags, s0, s1, sc } = a;
  const k = a.code[t]!;
  const c = k & 7;
  sc[t] = 1;
  s0[t] = t + 1;
  if (k === 0x18) {
    s0[t] = t + 2;
    // visit_func_call_insn() for a BPF_PSEUDO_FUNC: the ld_imm64, the insn after it and the callee are prune points, the callee a branch.
    if (insnSrc(a, t) === 4) {
      const callee = t + insnImm(a, t) + 1;
      markPrune(a, t + 2);
      markPrune(a, t);
      markPrune(a, callee);
      sc[t] = 2;
      s1[t] = callee;
    }
    return;
  }
  if (c !== 5 && c !== 6) return;
  const op = k & 0xf0;
  if (op === 0x90) {
    sc[t] = 0;
    return;
  }
  if (op === 0x80) {
    markPrune(a, t + 1);
    const sr = insnSrc(a, t);
    const id = insnImm(a, t);
    // A helper that calls a callback gets a forced checkpoint at the call.
    if (sr === 0 && isCallbackHelper(id)) {
      markPrune(a, t);
      flags[t] = flags[t]! | F_FORCE;
    }
    // The async callback's setter is a prune point only.
    if (sr === 0 && id === 170) markPrune(a, t);
    if (sr === 1) {
      markPrune(a, t);
      // push_insn(BRANCH) marks the callee's first insn too.
      markPrune(a, t + id + 1);
      sc[t] = 2;
      s1[t] = t + id + 1;
    }
    return;
  }
  if (op === 0x00) {
    const to = t + (c === 6 ? insnImm(a, t) : insnOff(a, t)) + 1;
    markPrune(a, to);
    s0[t] = to;
    return;
  }
  const to = t + insnOff(a, t) + 1;
  markPrune(a, t);
  markPrune(a, to);
  sc[t] = 2;
  s1[t] = to;
}

/** mark_prune_point(); a target outside the program is refused by the walk right after. */
function markPrune(a: InsnArrays, t: number): void {
  if (t >= 0 && t < a.n) a.flags[t] = a.flags[t]! | F_PRUNE;
}

/**
 * check_cfg() of a program whose reachable edges all go forward (no loop,
 * nothing out of range): the depth-first walk would visit the same insns
 * (reachability does not depend on the order), mark the same prune points,
 * find no back-edge and no bad target, and leave every reached insn
 * explored; one sweep in insn order finds them. Returns the first insn
 * it left unreached (-1: none), or CFG_NOT_FORWARD, having changed nothing
 * the walk does not redo, at the first edge that is not forward: then the
 * walk runs.
 */
function cfgForward(a: InsnArrays): number {
  const { n, state, s0, s1, sc, code } = a;
  if (!(a.summary & (OPC_JMP | OPC_LDIMM64))) {
    // Straight-line code (no jump with a target, no ld_imm64): the sweep below would reach each insn from the one
    // before it up to the first exit, mark nothing, and leave the insn after that exit the first unreached one; a
    // program that runs off its end is not forward. Any other insn of the JMP classes (a call) takes the sweep.
    // decode() found the first insn of those classes.
    const t = a.firstJ;
    if (t < n && (code[t]! & 0xf0) === 0x90) return t + 1 < n ? t + 1 : -1;
  }
  // The sweep's states start from zero (take() leaves them: only check_cfg reads them, and often not at all).
  state.fill(0, 0, n);
  let unreached = -1;
  state[0] = 2;
  for (let t = 0; t < n; t++) {
    if (state[t] !== 2) {
      if (unreached < 0) unreached = t;
      continue;
    }
    const op = code[t]!;
    const c = op & 7;
    if (c !== 5 && c !== 6 && op !== 0x18) {
      // An insn that is neither a jump nor an ld_imm64: visitInsn() would give it one successor, the next insn,
      // and no mark. Nothing reads the successor arrays after a forward sweep (the walk, when it runs, visits
      // every insn again), so they are not written.
      if (t + 1 >= n) return CFG_NOT_FORWARD;
      state[t + 1] = 2;
      continue;
    }
    visitInsn(a, t);
    const k = sc[t]!;
    if (k === 0) continue;
    const w0 = s0[t]!;
    if (w0 <= t || w0 >= n) return CFG_NOT_FORWARD;
    state[w0] = 2;
    if (k === 2) {
      const w1 = s1[t]!;
      if (w1 <= t || w1 >= n) return CFG_NOT_FORWARD;
      state[w1] = 2;
    }
  }
  return unreached;
}

/** cfgForward(): an edge that does not go forward; the depth-first walk has to run. */
const CFG_NOT_FORWARD = -2;

/** check_cfg(): depth-first walk; back-edges need CAP_BPF, every insn must be reachable. */
function checkCfg(env: Env): void {
  const { n, a } = env;
  // 0 unseen, 1 discovered, 2 explored; successors and the count the walk has taken live in the InsnArrays.
  const { state, code } = a;
  const fwd = cfgForward(a);
  if (fwd === CFG_NOT_FORWARD) {
    state.fill(0, 0, n);
    checkCfgWalk(env);
  } else {
    env.cfgForward = true;
    // Without an ld_imm64 the check below stops at the first unreached insn, which the sweep knows.
    if (!(a.summary & OPC_LDIMM64)) {
      if (fwd >= 0) env.fail(-EINVAL, `unreachable insn ${fwd}`);
      return;
    }
  }
  for (let i = 0; i < n; i++) {
    if (state[i] !== 2) env.fail(-EINVAL, `unreachable insn ${i}`);
    if (code[i] === 0x18) {
      // A jump that lands on the second half leaves it explored.
      if (i + 1 < n && state[i + 1] !== 0) env.fail(-EINVAL, `jump into the middle of ldimm64 insn ${i}`);
      i++;
    }
  }
}

/** check_cfg()'s depth-first walk. */
function checkCfgWalk(env: Env): void {
  const { n, a } = env;
  const { state, s0, s1, sc, taken, stack } = a;
  taken.fill(0, 0, n);
  // Every insn is pushed at most once (when it is first discovered), so n slots hold the stack.
  let sp = 0;
  state[0] = 1;
  visitInsn(a, 0);
  stack[sp++] = 0;
  while (sp > 0) {
    const top = stack[sp - 1]!;
    const k = taken[top]!;
    if (k >= sc[top]!) {
      state[top] = 2;
      sp--;
      continue;
    }
    taken[top] = k + 1;
    const w = k === 0 ? s0[top]! : s1[top]!;
    if (w < 0 || w >= n) env.fail(-EINVAL, `jump out of range from insn ${top} to ${w}`);
    if (state[w] === 0) {
      state[w] = 1;
      visitInsn(a, w);
      stack[sp++] = w;
    } else if (state[w] === 1) {
      if (!env.bpf_capable) {
        // push_insn(): both ends' source lines go before the message.
        env.btfi?.verboseLinfo(top, `${top}: `);
        env.btfi?.verboseLinfo(w, `${w}: `);
        env.fail(-EINVAL, `back-edge from insn ${top} to ${w}`);
      }
    }
  }
}

/** compute_live_registers(): which registers are read before being written from each insn on. */
function computeLive(env: Env): void {
  const { n, a } = env;
  const { code, use, def, live } = a;
  // Up to two successors per insn, -1 for none (out-of-range targets are dropped); check_cfg is done with s0/s1.
  const s0 = a.s0;
  const s1 = a.s1;
  let backward = false;
  // check_cfg() saw only forward edges: going from the end, each insn's successors are final
  // before it is reached, and its live set is written at once (no second loop).
  const fwd = env.cfgForward;
  for (let i = 0; i < n; i++) {
    const t = fwd ? n - 1 - i : i;
    const k = code[t]!;
    const c = k & 7;
    const x = (k & 8) !== 0;
    const op = k & 0xf0;
    const d = insnDst(a, t);
    const sr = insnSrc(a, t);
    let u = 0;
    let df = 0;
    let na = t + 1;
    let nb = -1;
    switch (c) {
      case 4:
      case 7:
        if (op === 0xb0) u = x ? 1 << sr : 0;
        else u = (1 << d) | (x ? 1 << sr : 0);
        df = 1 << d;
        break;
      case 1:
        u = 1 << sr;
        df = 1 << d;
        break;
      case 2:
        u = 1 << d;
        break;
      case 3: {
        const atomic = (k & 0xe0) === 0xc0;
        const im = insnImm(a, t);
        u = (1 << d) | (1 << sr) | (atomic && im === 0xf1 ? 1 : 0);
        if (atomic && im & 1) df = im === 0xf1 ? 1 : 1 << sr;
        break;
      }
      case 0:
        if (k === 0x18) {
          df = 1 << d;
          na = t + 2;
        } else {
          u = (1 << 6) | ((k & 0xe0) === 0x40 ? 1 << sr : 0);
          df = 0x3f;
        }
        break;
      default:
        if (op === 0x90) {
          u = 1;
          na = -1;
        } else if (op === 0x80) {
          u = 0x3e;
          df = 0x3f;
          if (sr === 1) nb = t + insnImm(a, t) + 1;
        } else if (op === 0x00) {
          na = t + (c === 6 ? insnImm(a, t) : insnOff(a, t)) + 1;
        } else {
          u = (1 << d) | (x ? 1 << sr : 0);
          nb = t + insnOff(a, t) + 1;
        }
    }
    const sa = na >= 0 && na < n ? na : -1;
    const sb = nb >= 0 && nb < n ? nb : -1;
    if (fwd) {
      live[t] = u | (((sa >= 0 ? live[sa]! : 0) | (sb >= 0 ? live[sb]! : 0)) & ~df);
      continue;
    }
    use[t] = u;
    def[t] = df;
    s0[t] = sa;
    s1[t] = sb;
    if ((sa >= 0 && sa <= t) || (sb >= 0 && sb <= t)) backward = true;
  }
  // Without an edge to an earlier (or the same) insn, one pass from the end
  // sees every successor's final set before its predecessors: the fixed
  // point the repeated passes would reach, without the pass that confirms it.
  if (fwd) return;
  // The fixed point starts from empty sets (the forward case above wrote each before reading it).
  live.fill(0, 0, n);
  let changed = true;
  if (!backward) {
    for (let t = n - 1; t >= 0; t--) {
      const na = s0[t]!;
      const nb = s1[t]!;
      live[t] = use[t]! | (((na >= 0 ? live[na]! : 0) | (nb >= 0 ? live[nb]! : 0)) & ~def[t]!);
    }
    changed = false;
  }
  while (changed) {
    changed = false;
    for (let t = n - 1; t >= 0; t--) {
      const na = s0[t]!;
      const nb = s1[t]!;
      const out = (na >= 0 ? live[na]! : 0) | (nb >= 0 ? live[nb]! : 0);
      const v = use[t]! | (out & ~def[t]!);
      if (v !== live[t]) {
        live[t] = v;
        changed = true;
      }
    }
  }
}

// --- state printing (print_verifier_state) -------------------------------------------------

/** verbose_unum()/verbose_snum(): decimal inside the s16 range, hex (of the u64) outside it. */
function unum(v: bigint): string {
  return v <= 32767n ? v.toString() : "0x" + v.toString(16);
}
function snum(v: bigint): string {
  return v >= -32768n && v <= 32767n ? v.toString() : "0x" + BigInt.asUintN(64, v).toString(16);
}

function regBounds32(r: Reg): { s32min: bigint; s32max: bigint; u32min: bigint; u32max: bigint } {
  return { s32min: r.s32min, s32max: r.s32max, u32min: r.u32min, u32max: r.u32max };
}

/** print_scalar_ranges() */
function scalarRanges(r: Reg): string[] {
  const b = regBounds32(r);
  const m = [
    { name: "smin", val: r.smin, omit: r.smin === S64_MIN },
    { name: "smax", val: r.smax, omit: r.smax === S64_MAX },
    { name: "umin", val: r.umin, omit: r.umin === 0n },
    { name: "umax", val: r.umax, omit: r.umax === U64_MAX },
    { name: "smin32", val: b.s32min, omit: b.s32min === -0x80000000n },
    { name: "smax32", val: b.s32max, omit: b.s32max === 0x7fffffffn },
    { name: "umin32", val: b.u32min, omit: b.u32min === 0n },
    { name: "umax32", val: b.u32max, omit: b.u32max === U32_MAX },
  ];
  const out: string[] = [];
  for (let i = 0; i < m.length; i++) {
    const m1 = m[i]!;
    if (m1.omit) continue;
    const neg1 = m1.name[0] === "s" && m1.val < 0n;
    let s = `${m1.name}=`;
    for (let j = i + 2; j < m.length; j += 2) {
      const m2 = m[j]!;
      if (m2.omit) continue;
      const v1 = m1.name[0] === "s" ? BigInt.asUintN(64, m1.val) : m1.val;
      const v2 = m2.name[0] === "s" ? BigInt.asUintN(64, m2.val) : m2.val;
      if (v1 !== v2) continue;
      const neg2 = m2.name[0] === "s" && m2.val < 0n;
      if (neg2 !== neg1) continue;
      m2.omit = true;
      s += `${m2.name}=`;
    }
    // The 32-bit values print as 32-bit numbers: hex of the u32 outside the decimal range.
    if (m1.name.endsWith("32")) s += m1.val >= -32768n && m1.val <= 32767n ? m1.val.toString() : "0x" + BigInt.asUintN(32, m1.val).toString(16);
    else s += m1.name[0] === "s" ? snum(m1.val) : unum(m1.val);
    out.push(s);
  }
  return out;
}

function tnumStr(tn: Tnum): string {
  return `(0x${tn.v.toString(16)}; 0x${tn.m.toString(16)})`;
}

/** print_reg_state() */
function regStr(r: Reg, frameno = r.frameno): string {
  if (r.t === T.STACK && tnumIsConst(r.tn) && r.frameno !== frameno) {
    const v = s64(r.tn.v) + BigInt(r.off);
    return `fp[${r.frameno}]${v >= 0n ? "+" : ""}${v}`;
  }
  if ((r.t === T.SCALAR || r.t === T.STACK) && tnumIsConst(r.tn)) {
    return (r.t === T.SCALAR ? "" : regTypeStr(r.t)) + snum(s64(r.tn.v) + BigInt(r.off));
  }
  const parts: string[] = [];
  if (r.id) parts.push(`id=${r.id}`);
  if (r.refObjId) parts.push(`ref_obj_id=${r.refObjId}`);
  const base = r.t & 0xff;
  if ((base === T.MAP_PTR || base === T.MAP_VALUE) && r.map) {
    const nul = r.map.name.indexOf(0);
    const name = decodeUtf8(r.map.name.subarray(0, nul < 0 ? 16 : nul));
    if (name) parts.push(`map=${name}`);
    parts.push(`ks=${r.map.key_size},vs=${r.map.value_size}`);
  }
  if (r.t !== T.SCALAR && r.off) parts.push(`off=${snum(BigInt(r.off))}`);
  if (base === T.PKT || base === T.PKT_META) parts.push(`r=${unum(BigInt.asUintN(64, BigInt(r.range)))}`);
  else if (base === T.RINGBUF_MEM) parts.push(`sz=${r.memSize}`);
  if (tnumIsConst(r.tn)) {
    if (r.tn.v) parts.push(`imm=${r.tn.v.toString(16)}`);
  } else {
    parts.push(...scalarRanges(r));
    if (!tnumIsUnknown(r.tn)) parts.push(`var_off=${tnumStr(r.tn)}`);
  }
  return `${regTypeStr(r.t)}(${parts.join(",")})`;
}

function printState(env: Env, st: VState, all: boolean): string {
  const f = st.cur;
  let s = "";
  if (f.frameno) s += ` frame${f.frameno}:`;
  for (let i = 0; i < 11; i++) {
    const r = f.regs[i]!;
    if (r.t === T.NOT_INIT) continue;
    if (!all && !(env.scratchedRegs & (1 << i))) continue;
    s += ` R${i}=${regStr(r, f.frameno)}`;
  }
  for (let i = 0; i < f.stack.length; i++) {
    if (!all && !env.scratchedSlots.has(i)) continue;
    const slot = f.stack[i]!;
    if (!slot.types.some((x) => x !== STACK_INVALID)) continue;
    let types = slot.types.map((x) => SLOT_CHAR[x]!).join("");
    if (slot.types[7] === STACK_SPILL) {
      const j = slot.types.indexOf(STACK_SPILL);
      types = types.slice(0, j);
      s += ` fp${(-i - 1) * 8}=${types}${regStr(slot.spilled, f.frameno)}`;
    } else {
      s += ` fp${(-i - 1) * 8}=${types}`;
    }
  }
  // print_verifier_state(): the path's references after the stack.
  if (st.refs.length) s += " refs=" + st.refs.map((r) => r.id).join(",");
  if (f.inCallback) s += " cb";
  return s;
}

/** vlog_alignment() */
function vlogAlignment(pos: number): number {
  const v = Math.max(pos + 4, 40);
  return Math.ceil(v / 8) * 8 - pos - 1;
}

function printInsnState(env: Env, st: VState): void {
  if (env.prev_log_pos && env.prev_log_pos === env.log.end_pos) {
    env.log.reset(env.prev_log_pos - 1);
    env.verbose(" ".repeat(vlogAlignment(env.prev_insn_print_pos)) + ";");
  } else {
    env.verbose(`${env.insnIdx}:`);
  }
  env.verbose(printState(env, st, false) + "\n");
  env.scratchedRegs = 0;
  env.scratchedSlots.clear();
}

// --- the main walk ---------------------------------------------------------------------------

interface Pending {
  state: VState;
  insn: number;
  prev: number;
  log_pos: number;
}

function newId(env: Env): number {
  return ++env.id_gen;
}

function initState(_env: Env): VState {
  const f = new Frame(freshRegs());
  f.regs[1]!.setPtrKnownZero(T.CTX);
  f.regs[10]!.setPtrKnownZero(T.STACK);
  // A literal of one frame: a push would grow an empty array's store to 17 slots.
  return new VState([f]);
}

/** states_equal(): live registers and the stack of `cur` are within those of `old`. */
function statesEqual(env: Env, old: VState, cur: VState, insn: number, exact: boolean): boolean {
  if (old.frames.length !== cur.frames.length) return false;
  const idmap = new Map<number, number>();
  // refsafe(): the same references, their ids mapped like the registers' ids.
  if (old.refs.length !== cur.refs.length) return false;
  for (let i = 0; i < old.refs.length; i++) if (!checkIds(idmap, old.refs[i]!.id, cur.refs[i]!.id)) return false;
  for (let fi = 0; fi < cur.frames.length; fi++) {
    const of = old.frames[fi]!;
    const cf = cur.frames[fi]!;
    if (of.callsite !== cf.callsite) return false;
    // func_states_equal(): an old state entered the callback no more times than the current one.
    if (of.callbackDepth > cf.callbackDepth) return false;
    const live = fi === cur.frames.length - 1 ? env.liveIn[insn] ?? 0x7ff : 0x7ff;
    for (let r = 0; r < 11; r++) {
      if (!(live & (1 << r)) && r !== 10) continue;
      if (!regSafe(of.regs[r]!, cf.regs[r]!, idmap, exact)) return false;
    }
    const ns = Math.max(of.stack.length, cf.stack.length);
    for (let i = 0; i < ns; i++) {
      const a = of.stack[i] ?? new Slot();
      const b = cf.stack[i] ?? new Slot();
      for (let j = 0; j < 8; j++) if (a.types[j] !== b.types[j]) return false;
      if (a.types[7] === STACK_SPILL && !regSafe(a.spilled, b.spilled, idmap, exact)) return false;
    }
  }
  return true;
}

/** check_ids(): an old id always maps to the same current id. */
function checkIds(idmap: Map<number, number>, a: number, b: number): boolean {
  if (!a && !b) return true;
  const m = idmap.get(a);
  if (m === undefined) idmap.set(a, b);
  else if (m !== b) return false;
  return true;
}

function regSafe(a: Reg, b: Reg, idmap: Map<number, number>, exact: boolean): boolean {
  if (a.t === T.NOT_INIT) return !exact || b.t === T.NOT_INIT;
  if (a.t !== b.t) return false;
  if (a.id || b.id) {
    const m = idmap.get(a.id);
    if (m === undefined) idmap.set(a.id, b.id);
    else if (m !== b.id) return false;
  }
  if (a.memSize !== b.memSize || a.subprogno !== b.subprogno || !checkIds(idmap, a.refObjId, b.refObjId)) return false;
  if (a.off !== b.off || a.map !== b.map || a.frameno !== b.frameno) return false;
  if (exact) return a.tn.v === b.tn.v && a.tn.m === b.tn.m && a.umin === b.umin && a.umax === b.umax && a.smin === b.smin && a.smax === b.smax && a.range === b.range;
  if ((a.t === T.PKT || a.t === T.PKT_META) && a.range > b.range) return false;
  return a.umin <= b.umin && a.umax >= b.umax && a.smin <= b.smin && a.smax >= b.smax && tnumIn(a.tn, b.tn);
}

/** update_branch_counts(): a path ended; checkpoints whose last path this was are complete. */
function branchDone(cp: Checkpoint | null): void {
  while (cp) {
    cp.branches--;
    if (cp.branches > 0) break;
    // maybe_free_verifier_state(): an evicted state goes once nothing runs below it.
    if (cp.evicted && cp.env) cp.env.liveStates--;
    cp = cp.parent;
  }
}

/** is_state_visited(): 1 to prune, 0 to go on (maybe after adding a checkpoint). */
function isStateVisited(env: Env, st: VState, insn: number): number {
  const forced = (env.a.flags[insn]! & F_FORCE) !== 0;
  let addNew = forced || (env.jmps_processed - env.prev_jmps_processed >= 2 && env.insn_processed - env.prev_insn_processed >= 8);
  const list = env.explored.get(insn) ?? [];
  const statesCnt = list.length;
  // The explored list is walked newest first (list_add at the head), which decides whose miss counts grow.
  for (let i = list.length - 1; i >= 0; i--) {
    const cp = list[i]!;
    if (cp.branches > 0) {
      // A helper call that enters a callback: a state within an earlier one still on the path is
      // safe (the callback's effect is already being explored), and no infinite-loop check.
      if (forced) {
        if (statesEqual(env, cp.state, st, insn, false)) {
          cp.hit++;
          return 1;
        }
      } else if (cp.state.callbackUnrollDepth === st.callbackUnrollDepth && statesEqual(env, cp.state, st, insn, true)) {
        env.btfi?.verboseLinfo(insn, "; ");
        env.verbose(`infinite loop detected at insn ${insn}\n`);
        env.verbose("cur state:" + printState(env, st, true) + "\n");
        env.verbose("old state:" + printState(env, cp.state, true) + "\n");
        throw new VerifyError(-EINVAL, `infinite loop detected at insn ${insn}`);
      }
      if (!forced && env.jmps_processed - env.prev_jmps_processed < 20 && env.insn_processed - env.prev_insn_processed < 100) addNew = false;
    } else if (statesEqual(env, cp.state, st, insn, false)) {
      cp.hit++;
      return 1;
    }
    // The miss path of is_state_visited(): a state that keeps missing is evicted
    // (n = 64 for a forced checkpoint still being explored, else 3).
    if (addNew) cp.miss++;
    const n = forced && cp.branches > 0 ? 64 : 3;
    if (cp.miss > cp.hit * n + n) {
      list.splice(i, 1);
      // A state nothing runs below is freed at once; others wait on the free list.
      if (cp.branches > 0) cp.evicted = true;
      else env.liveStates--;
    }
  }
  if (statesCnt > env.max_states_per_insn) env.max_states_per_insn = statesCnt;
  if (!addNew) return 0;
  env.total_states++;
  // update_peak_states(): the most states alive at once.
  env.liveStates++;
  if (env.liveStates > env.peak_states) env.peak_states = env.liveStates;
  env.prev_jmps_processed = env.jmps_processed;
  env.prev_insn_processed = env.insn_processed;
  const cp: Checkpoint = { state: st.clone(), branches: 1, parent: st.parent, insn, miss: 0, hit: 0, env };
  list.push(cp);
  env.explored.set(insn, list);
  // The path continues below the new checkpoint; its old parent keeps counting it through the child.
  st.parent = cp;
  return 0;
}

function regOf(env: Env, st: VState, r: number, read: boolean, what?: string): Reg {
  // check_reg_arg(): R0..R10 only.
  if (r > 10) env.fail(-EINVAL, `R${r} is invalid`);
  const fr = st.frames;
  const reg = fr[fr.length - 1]!.regs[r]!;
  env.scratchedRegs |= 1 << r;
  if (read) {
    if (reg.t === T.NOT_INIT) env.fail(-EACCES, `R${r} !read_ok`);
  } else if (r === 10) {
    env.fail(-EACCES, "frame pointer is read only");
  }
  void what;
  return reg;
}

function isPtr(r: Reg): boolean {
  return r.t !== T.SCALAR && r.t !== T.NOT_INIT;
}

// --- memory access ---------------------------------------------------------------------------

function checkStackAccess(env: Env, st: VState, regno: number, reg: Reg, off: number, size: number, write: boolean): { spi: number; frame: Frame; abs: number } {
  if (!tnumIsConst(reg.tn)) env.fail(-EACCES, "bpfemu: variable-offset stack access is not emulated");
  const abs = Number(s64(reg.tn.v)) + reg.off + off;
  if (abs % size !== 0) env.fail(-EACCES, `misaligned stack access off ${s64(reg.tn.v)}+${reg.off}+${off} size ${size}`);
  if (abs >= 0 || abs < -MAX_BPF_STACK) env.fail(-EACCES, `invalid${write ? " write to" : " read from"} stack R${regno} off=${abs} size=${size}`);
  const frame = st.frames[reg.frameno]!;
  const sp = frame.subprog;
  const depth = -abs;
  if (env.subprogs[sp] && env.subprogs[sp]!.stack_depth < depth) env.subprogs[sp]!.stack_depth = depth;
  return { spi: Math.floor((-abs - 1) / 8), frame, abs };
}

function stackWrite(env: Env, st: VState, regno: number, reg: Reg, off: number, size: number, value: Reg | null, imm: number | null): void {
  const { frame, abs } = checkStackAccess(env, st, regno, reg, off, size, true);
  const spi = Math.floor((-abs - 1) / 8);
  const slot = frame.slot(spi);
  env.scratchedSlots.add(spi);
  if (size === 8 && value !== null && (isPtr(value) || value.isConst() || value.t === T.SCALAR)) {
    // save_register_state(): a full 8-byte spill keeps the register; an unknown scalar gets an id shared with the copy.
    if (value.t === T.SCALAR && !value.isConst() && !value.id) value.id = newId(env);
    if (value.t === T.SCALAR && !value.isConst()) {
      slot.types = [1, 1, 1, 1, 1, 1, 1, 1];
    } else {
      slot.types = [1, 1, 1, 1, 1, 1, 1, 1];
    }
    slot.spilled = value.clone();
    return;
  }
  const isZero = (value !== null && value.isConst() && value.tn.v === 0n) || imm === 0;
  if (size === 8 && imm !== null) {
    const r = new Reg();
    r.setConst(BigInt(imm));
    slot.spilled = r;
    slot.types = [1, 1, 1, 1, 1, 1, 1, 1];
    return;
  }
  if (size === 8 && value === null) {
    slot.types = new Array(8).fill(isZero ? STACK_ZERO : STACK_MISC);
    slot.spilled = new Reg();
    return;
  }
  // check_stack_write_fixed_off(): a narrow store of a scalar register or of an
  // immediate at the start of a slot is a narrow spill (save_register_state()).
  if (abs % 8 === 0 && env.bpf_capable && ((value !== null && value.t === T.SCALAR) || (value === null && imm !== null))) {
    let r: Reg;
    if (value !== null) {
      const fits = value.umax === 0n || value.umax.toString(2).length <= size * 8;
      // assign_scalar_id_before_mov(), and the relation broken on a narrowing spill.
      if (fits && !value.isConst() && !value.id) value.id = newId(env);
      r = value.clone();
      if (!fits) r.id = 0;
    } else {
      r = new Reg();
      r.setConst(BigInt.asUintN(64, BigInt(imm!)));
    }
    slot.spilled = r;
    for (let j = 0; j < 8; j++) {
      if (j >= 8 - size) slot.types[j] = STACK_SPILL;
      // mark_stack_slot_misc(): zero bytes stay zero, and uninitialised ones for root.
      else if (slot.types[j] !== STACK_ZERO && !(env.allow_ptr_leaks && slot.types[j] === STACK_INVALID)) slot.types[j] = STACK_MISC;
    }
    return;
  }
  // A plain write destroys a spill: scrub_spilled_slot() turns its initialised bytes into misc ones.
  if (slot.types[7] === STACK_SPILL) {
    for (let j = 0; j < 8; j++) if (slot.types[j] !== STACK_INVALID) slot.types[j] = STACK_MISC;
    slot.spilled = new Reg();
  }
  const slotOff = -abs - 1;
  for (let i = 0; i < size; i++) slot.types[(slotOff - i) % 8] = isZero ? STACK_ZERO : STACK_MISC;
}

function stackRead(env: Env, st: VState, regno: number, reg: Reg, off: number, size: number, dst: Reg | null): void {
  const { frame, abs } = checkStackAccess(env, st, regno, reg, off, size, false);
  const spi = Math.floor((-abs - 1) / 8);
  env.scratchedSlots.add(spi);
  const slot = frame.stack[spi] ?? new Slot();
  if (slot.types.every((x) => x === STACK_SPILL) && size === 8 && abs % 8 === 0) {
    if (dst) dst.copyFrom(slot.spilled);
    return;
  }
  // check_stack_read_fixed_off(): a spilled pointer is filled whole or not at all; a
  // narrow spill filled from its start at most its size comes back as the register.
  if (slot.types[7] === STACK_SPILL) {
    if (isPtr(slot.spilled)) env.fail(-EACCES, "invalid size of register fill");
    let spillSize = 1;
    for (let i = 7; i > 0 && slot.types[i - 1] === STACK_SPILL; i--) spillSize++;
    if (size <= spillSize && abs % 8 === 0) {
      if (dst) {
        const r = slot.spilled.clone();
        const width = r.umax === 0n ? 0 : r.umax.toString(2).length;
        if (width > size * 8) r.id = 0;
        coerceToSize(r, size);
        dst.copyFrom(r);
      }
      return;
    }
    let spillCnt = 0, zeroCnt = 0;
    const so = -abs - 1;
    for (let i = 0; i < size; i++) {
      const ty = slot.types[(so - i) % 8]!;
      if (ty === STACK_SPILL) spillCnt++;
      else if (ty === STACK_ZERO) zeroCnt++;
      else if (ty === STACK_INVALID && !env.allow_ptr_leaks) env.fail(-EACCES, `invalid read from stack off ${abs}+${i} size ${size}`);
    }
    if (dst) {
      if ((spillCnt === size && slot.spilled.isConst() && slot.spilled.tn.v === 0n) || zeroCnt === size) dst.setConst(0n);
      else dst.setUnknown();
    }
    return;
  }
  let allZero = true;
  const slotOff = -abs - 1;
  for (let i = 0; i < size; i++) {
    const ty = slot.types[(slotOff - i) % 8]!;
    if (ty !== STACK_ZERO) allZero = false;
    if (ty === STACK_INVALID && !env.allow_ptr_leaks) env.fail(-EACCES, `invalid read from stack off ${abs}+0 size ${size}`);
  }
  if (slot.types[7] === STACK_SPILL && isPtr(slot.spilled) && !env.allow_ptr_leaks) env.fail(-EACCES, "leaking pointer from stack");
  if (dst) {
    if (allZero) dst.setConst(0n);
    else if (slot.types[7] === STACK_SPILL && slot.spilled.isConst() && size < 8 && abs % 8 === 0) {
      const r = new Reg();
      r.setConst(slot.spilled.tn.v & ((1n << BigInt(size * 8)) - 1n));
      dst.copyFrom(r);
    } else dst.setUnknownSized(size);
  }
}

/**
 * check_stack_access_within_bounds() + check_stack_{write,read}_var_off():
 * every byte the access may touch must be in the frame; a write turns them
 * all into misc bytes, a read (root may read uninitialised stack) is unknown.
 */
function stackVarOff(env: Env, st: VState, regno: number, reg: Reg, off: number, size: number, write: boolean, dst: Reg | null): void {
  const lo = Number(reg.smin) + reg.off + off;
  const hi = Number(reg.smax) + reg.off + off;
  if (reg.smin < -BigInt(MAX_BPF_STACK) || reg.smax > BigInt(MAX_BPF_STACK) || lo < -MAX_BPF_STACK || hi + size > 0) {
    env.fail(-EACCES, `invalid variable-offset${write ? " write to" : " read from"} stack R${regno} var_off=${tnumStr(reg.tn)} off=${off} size=${size}`);
  }
  const frame = st.frames[reg.frameno]!;
  const sp = frame.subprog;
  if (env.subprogs[sp] && env.subprogs[sp]!.stack_depth < -lo) env.subprogs[sp]!.stack_depth = -lo;
  if (write) {
    for (let a = lo; a < hi + size; a++) {
      const spi = Math.floor((-a - 1) / 8);
      const slot = frame.slot(spi);
      if (slot.types[7] === STACK_SPILL) {
        slot.types = new Array(8).fill(STACK_MISC);
        slot.spilled = new Reg();
      }
      slot.types[(-a - 1) % 8] = STACK_MISC;
      env.scratchedSlots.add(spi);
    }
  } else {
    if (!env.allow_ptr_leaks) env.fail(-EACCES, `bpfemu: unprivileged variable-offset stack reads are not emulated`);
    if (dst) dst.setUnknownSized(size);
  }
}

/** The bytes a helper reads from (or writes to) memory `reg` points at, `size` long. */
function checkHelperMem(env: Env, st: VState, regno: number, reg: Reg, size: number, write: boolean, initRequired: boolean): void {
  const base = reg.t;
  if (base === T.STACK) {
    if (!tnumIsConst(reg.tn)) env.fail(-EACCES, "bpfemu: variable-offset stack access is not emulated");
    const abs = Number(s64(reg.tn.v)) + reg.off;
    if (abs < -MAX_BPF_STACK || abs + size > 0 || (size === 0 && abs >= 0)) env.fail(-EACCES, `invalid${write ? " write to" : " read from"} stack R${regno} off=${abs} size=${size}`);
    const frame = st.frames[reg.frameno]!;
    const sp = frame.subprog;
    if (env.subprogs[sp] && env.subprogs[sp]!.stack_depth < -abs) env.subprogs[sp]!.stack_depth = -abs;
    for (let i = 0; i < size; i++) {
      const a = abs + i;
      const spi = Math.floor((-a - 1) / 8);
      const slot = frame.slot(spi);
      const idx = (-a - 1) % 8;
      if (write) {
        env.scratchedSlots.add(spi);
        if (slot.types[7] === STACK_SPILL) {
          slot.types = new Array(8).fill(STACK_MISC);
          slot.spilled = new Reg();
        }
        slot.types[idx] = STACK_MISC;
      } else if (initRequired && slot.types[idx] === STACK_INVALID && !env.allow_ptr_leaks) {
        env.fail(-EACCES, `invalid indirect read from stack R${regno} off ${abs}+${i} size ${size}`);
      }
    }
    return;
  }
  if (base === T.MAP_VALUE) {
    checkMapValue(env, regno, reg, 0, size, write);
    return;
  }
  if (base === T.PKT || base === T.PKT_META) {
    checkPacket(env, regno, reg, 0, size);
    return;
  }
  if (base === T.RINGBUF_MEM) {
    // check_helper_mem_access() of PTR_TO_MEM.
    checkMemRegion(env, regno, reg, reg.off, size, reg.memSize, false);
    return;
  }
  env.fail(-EACCES, `R${regno} type=${regTypeStr(reg.t)} expected=${MEM_TYPES}`);
}

/** check_mem_region_access() of PTR_TO_MEM: `off` already holds the register's fixed offset. */
function checkMemRegion(env: Env, regno: number, reg: Reg, off: number, size: number, memSize: number, zeroOk: boolean): void {
  // __check_mem_access(): the access lies inside [0, mem_size).
  const inside = (o: bigint): boolean => !(o < 0n || (size === 0 && !zeroOk) || o > BigInt(memSize) - BigInt(size));
  const lo = reg.smin + BigInt(off);
  if (reg.smin < 0n && (reg.smin === S64_MIN || lo !== BigInt.asIntN(32, lo) || lo < 0n)) env.fail(-EACCES, `R${regno} min value is negative, either use unsigned index or do a if (index >=0) check.`);
  if (!inside(lo)) {
    env.verbose(`invalid access to memory, mem_size=${memSize} off=${lo} size=${size}\n`);
    env.fail(-EACCES, `R${regno} min value is outside of the allowed memory range`);
  }
  if (reg.umax >= BigInt(BPF_MAX_VAR_OFF)) env.fail(-EACCES, `R${regno} unbounded memory access, make sure to bounds check any such access`);
  const hi = reg.umax + BigInt(off);
  if (!inside(hi)) {
    env.verbose(`invalid access to memory, mem_size=${memSize} off=${hi} size=${size}\n`);
    env.fail(-EACCES, `R${regno} max value is outside of the allowed memory range`);
  }
}

function checkMapValue(env: Env, regno: number, reg: Reg, off: number, size: number, write: boolean): void {
  const map = reg.map!;
  // check_map_access_type(): BPF_F_RDONLY_PROG is 0x80 and BPF_F_WRONLY_PROG 0x100.
  if (write && map.map_flags & BPF_F.RDONLY_PROG) env.fail(-EACCES, `write into map forbidden, value_size=${map.value_size} off=${reg.off + off} size=${size}`);
  if (!write && map.map_flags & BPF_F.WRONLY_PROG) env.fail(-EACCES, `read from map forbidden, value_size=${map.value_size} off=${reg.off + off} size=${size}`);
  if (reg.smin < 0n) env.fail(-EACCES, `R${regno} min value is negative, either use unsigned index or do a if (index >=0) check.`);
  const lo = Number(reg.smin) + reg.off + off;
  if (lo < 0 || lo + size > map.value_size) {
    env.verbose(`invalid access to map value, value_size=${map.value_size} off=${lo} size=${size}\n`);
    env.fail(-EACCES, `R${regno} min value is outside of the allowed memory range`);
  }
  if (reg.umax >= BigInt(BPF_MAX_VAR_OFF)) env.fail(-EACCES, `R${regno} unbounded memory access, make sure to bounds check any such access`);
  const hi = Number(reg.umax) + reg.off + off;
  if (hi + size > map.value_size) {
    env.verbose(`invalid access to map value, value_size=${map.value_size} off=${hi} size=${size}\n`);
    env.fail(-EACCES, `R${regno} max value is outside of the allowed memory range`);
  }
}

function checkPacket(env: Env, regno: number, reg: Reg, insnOff: number, size: number): void {
  if (reg.smin < 0n) env.fail(-EACCES, `R${regno} min value is negative, either use unsigned index or do a if (index >=0) check.`);
  // check_packet_access(): only the fixed offset (reg->off + insn off) is checked against the
  // range, which find_good_pkt_pointers() set past the variable part shared by the pointer's id.
  const off = reg.off + insnOff;
  if (off < 0 || off + size > reg.range) {
    env.verbose(`invalid access to packet, off=${off} size=${size}, R${regno}(id=${reg.id},off=${off},r=${reg.range})\n`);
    env.fail(-EACCES, `R${regno} offset is outside of the packet`);
  }
}

function mayAccessDirectPktData(env: Env, write: boolean): boolean {
  switch (env.prog.type) {
    case PT.SCHED_CLS:
    case PT.SCHED_ACT:
    case PT.XDP:
    case PT.LWT_XMIT:
    case PT.SK_SKB:
    case PT.SK_MSG:
      return true;
    case PT.CGROUP_SKB:
    case PT.LWT_IN:
    case PT.LWT_OUT:
    case PT.LWT_SEG6LOCAL:
    case PT.SK_REUSEPORT:
    case PT.FLOW_DISSECTOR:
      return !write;
    default:
      return false;
  }
}

/** check_mem_access() for LDX/STX/ST. */
/**
 * check_ptr_alignment(): strict for the stack, for atomics (strictOnce) and
 * under BPF_F_STRICT_ALIGNMENT; packets are checked as if NET_IP_ALIGN (2)
 * preceded them. One-byte accesses are always aligned.
 */
function checkPtrAlignment(env: Env, reg: Reg, off: number, size: number, strictOnce: boolean): void {
  let strict = env.strict_alignment || strictOnce;
  const base = reg.t & 0xff;
  const varStr = tnumIsConst(reg.tn) ? String(s64(reg.tn.v)) : tnumStr(reg.tn);
  if (base === T.PKT || base === T.PKT_META) {
    if (!strict || size === 1) return;
    const t = tnumAdd(reg.tn, tnumConst(BigInt(2 + reg.off + off)));
    if (t.v % BigInt(size) !== 0n || (t.m & BigInt(size - 1)) !== 0n) env.fail(-EACCES, `misaligned packet access off 2+${varStr}+${reg.off}+${off} size ${size}`);
    return;
  }
  const desc = base === T.MAP_VALUE ? "value " : base === T.CTX ? "context " : base === T.STACK ? "stack " : "";
  if (base === T.STACK) strict = true;
  if (!strict || size === 1) return;
  const t = tnumAdd(reg.tn, tnumConst(BigInt(reg.off + off)));
  if ((t.v & BigInt(size - 1)) !== 0n || (t.m & BigInt(size - 1)) !== 0n) env.fail(-EACCES, `misaligned ${desc}access off ${varStr}+${reg.off}+${off} size ${size}`);
}

function checkMemAccess(env: Env, st: VState, regno: number, off: number, size: number, write: boolean, valueReg: Reg | null, imm: number | null, dst: Reg | null, strictOnce = false): void {
  const reg = st.cur.regs[regno]!;
  checkPtrAlignment(env, reg, off, size, strictOnce);
  switch (reg.t) {
    case T.STACK:
      if (!tnumIsConst(reg.tn)) {
        stackVarOff(env, st, regno, reg, off, size, write, dst);
        return;
      }
      if (write) stackWrite(env, st, regno, reg, off, size, valueReg, imm);
      else stackRead(env, st, regno, reg, off, size, dst);
      return;
    case T.CTX: {
      // __check_ptr_off_reg(): a fixed offset first, then a variable one.
      if (reg.off) env.fail(-EACCES, `dereference of modified ctx ptr R${regno} off=${reg.off} disallowed`);
      if (!tnumIsConst(reg.tn) || reg.tn.v !== 0n) env.fail(-EACCES, `variable ctx access var_off=${tnumStr(reg.tn)} disallowed`);
      if (write && valueReg && isPtr(valueReg) && !env.allow_ptr_leaks) env.fail(-EACCES, "leaks addr into ctx");
      const r = ctxAccess(env.prog, off, size, write);
      if (r.ok) env.ctxInsns.add(env.insnIdx);
      if (!r.ok && r.unsupported) env.fail(-EINVAL, `bpfemu: context access for prog_type ${env.prog.type} is not emulated`);
      if (!r.ok) env.fail(-EACCES, `invalid bpf_context access off=${off} size=${size}`);
      if (dst) {
        if (r.t === T.SCALAR) dst.setUnknownSized(size);
        else {
          dst.setUnknown();
          dst.t = r.t;
          dst.tn = tnumConst(0n);
          dst.smin = dst.smax = 0n;
          dst.umin = dst.umax = 0n;
          dst.id = 0;
          dst.range = 0;
        }
      }
      return;
    }
    case T.MAP_VALUE:
      if (write && valueReg && isPtr(valueReg) && !env.allow_ptr_leaks) env.fail(-EACCES, "R leaks addr into map");
      checkMapValue(env, regno, reg, off, size, write);
      if (dst) {
        dst.setUnknownSized(size);
        // bpf_map_direct_read(): a constant offset into a frozen, program-read-only array (bpf_map_is_rdonly) reads its bytes.
        const map = reg.map!;
        if (!write && tnumIsConst(reg.tn) && map.map_flags & BPF_F.RDONLY_PROG && map.frozen && !map.writecnt && map.map_type === MT.ARRAY) {
          const moff = off + reg.off + Number(reg.tn.v);
          // array_map_direct_value_addr(): single-element arrays only.
          if (map.max_entries !== 1) throw new VerifyError(-ENOTSUPP, "bpf_map_direct_read: array_map_direct_value_addr needs max_entries 1");
          if (moff >= map.value_size) throw new VerifyError(-EINVAL, "bpf_map_direct_read: offset past the value");
          const buf = new Uint8Array(size);
          (map as BpfArray).data!.read(moff, buf, 0, size);
          let v = 0n;
          for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(buf[i]!);
          // BPF_MEMSX loads sign-extend the bytes (is_ldsx).
          if ((env.a.code[env.insnIdx]! & 0xe0) === 0x80) v = BigInt.asUintN(64, BigInt.asIntN(size * 8, v));
          dst.setConst(v);
        }
      }
      return;
    case T.PKT:
    case T.PKT_META:
      if (!mayAccessDirectPktData(env, write)) env.fail(-EACCES, write ? "cannot write into packet" : `R${regno} invalid mem access '${regTypeStr(reg.t)}'`);
      if (write) env.seenDirectWrite = true;
      if (write && valueReg && isPtr(valueReg) && !env.allow_ptr_leaks) env.fail(-EACCES, "leaks addr into packet");
      checkPacket(env, regno, reg, off, size);
      if (dst) dst.setUnknownSized(size);
      return;
    case T.RINGBUF_MEM:
      // check_mem_access() of PTR_TO_MEM (a NULL-checked ring buffer reservation).
      if (write && valueReg && isPtr(valueReg) && !env.allow_ptr_leaks) env.fail(-EACCES, `R${insnSrc(env.a, env.insnIdx)} leaks addr into mem`);
      checkMemRegion(env, regno, reg, off + reg.off, size, reg.memSize, false);
      if (dst) dst.setUnknownSized(size);
      return;
    case T.MAP_PTR:
      // check_ptr_to_map_access() reads struct bpf_map through vmlinux BTF.
      if (env.allow_ptr_leaks && !write) env.fail(-EACCES, "bpfemu: reads through a map pointer (struct bpf_map BTF) are not emulated");
      env.fail(-EACCES, `R${regno} invalid mem access '${regTypeStr(reg.t)}'`);
      break;
    default:
      env.fail(-EACCES, `R${regno} invalid mem access '${regTypeStr(reg.t)}'`);
  }
}

// --- ALU --------------------------------------------------------------------------------------

/** An ALU32 result: the low half, zero-extended (zext_32_to_64 + reg_bounds_sync). */
function truncTo32(r: Reg): void {
  if (r.isConst()) {
    r.setConst(r.tn.v & U32_MAX);
    return;
  }
  r.tn = tnumSubreg(r.tn);
  zext32(r);
  boundsSync(r);
}

/**
 * adjust_scalar_min_max_vals(): ranges for ADD/SUB/MUL/AND/OR/XOR and
 * constant shifts (bounds.ts); DIV and MOD (signed or not) give an unknown
 * value, as in the kernel.
 */
function scalarAlu(_env: Env, op: number, dst: Reg, src: Reg, is64: boolean, _signedOff: number): void {
  // is_safe_to_compute_dst_reg_range() false (div, mod, shifts by unknown or oversized amounts):
  // __mark_reg_unknown(), the whole 64-bit register, before any 32-bit zero extension.
  if (op === 0x30 || op === 0x90 || !scalarOp(dst, src, op, !is64)) {
    dst.setUnknown();
    return;
  }
  dst.id = 0;
}

/**
 * check_alu_op() of BPF_MOV | BPF_K (ALU or ALU64): the reserved fields, then
 * check_reg_arg() of the destination, which becomes the known imm. The most
 * common insn of most programs: do_check calls it directly (small enough to
 * be inlined there), and checkAlu() for the same opcode comes here too.
 */
function checkMovImm(env: Env, st: VState, insn: DInsn, is64: boolean): void {
  movImmTo(env, st, insn.dst, insn.src, insn.off, insn.imm, is64);
}

/** checkMovImm() of the insn's fields (do_check passes them from the loaded words). */
function movImmTo(env: Env, st: VState, dst: number, src: number, off: number, imm: number, is64: boolean): void {
  if (src !== 0 || off !== 0) env.fail(-EINVAL, "BPF_MOV uses reserved fields");
  const d = regOf(env, st, dst, false);
  d.setConstImm(imm, !is64);
}

function checkAlu(env: Env, st: VState, insn: DInsn): void {
  const code = insn.code;
  const op = code & 0xf0;
  const x = (code & 8) !== 0;
  const is64 = (code & 7) === 7;
  if (op === 0x80 || op === 0xd0) {
    if (op === 0x80) {
      if (insn.src !== 0 || insn.off !== 0 || insn.imm !== 0 || x) env.fail(-EINVAL, "BPF_NEG uses reserved fields");
    } else if (insn.src !== 0 || insn.off !== 0 || (insn.imm !== 16 && insn.imm !== 32 && insn.imm !== 64) || (is64 && x)) {
      env.fail(-EINVAL, "BPF_END uses reserved fields");
    }
    const d = regOf(env, st, insn.dst, true);
    if (isPtr(d) && !env.allow_ptr_leaks) env.fail(-EACCES, `R${insn.dst} pointer arithmetic prohibited`);
    regOf(env, st, insn.dst, false);
    if (isPtr(d)) {
      // check_reg_arg(DST_OP) of a pointer operand: an unknown scalar, nothing more.
      d.setUnknown();
      return;
    }
    if (d.isConst()) {
      let v = d.tn.v;
      if (op === 0x80) v = is64 ? BigInt.asUintN(64, -v) : BigInt.asUintN(32, -(v & U32_MAX));
      else {
        const n = BigInt(insn.imm);
        const m = (1n << n) - 1n;
        const swap = (val: bigint): bigint => {
          let o = 0n;
          for (let i = 0n; i < n / 8n; i++) o = (o << 8n) | ((val >> (i * 8n)) & 0xffn);
          return o;
        };
        v = is64 || x ? swap(v & m) : v & m;
      }
      d.setConst(v);
    } else {
      d.setUnknown();
      if (!is64 || op === 0xd0) truncTo32(d);
      if (op === 0xd0 && insn.imm === 64) d.setUnknown();
    }
    return;
  }
  if (op === 0xb0) {
    if (x) {
      if (!is64) {
        if ((insn.off !== 0 && insn.off !== 8 && insn.off !== 16) || insn.imm) env.fail(-EINVAL, "BPF_MOV uses reserved fields");
      } else if (insn.off === 1) {
        env.fail(-EINVAL, "bpfemu: addr_space_cast (arena) is not emulated");
      } else if ((insn.off !== 0 && insn.off !== 8 && insn.off !== 16 && insn.off !== 32) || insn.imm) {
        env.fail(-EINVAL, "BPF_MOV uses reserved fields");
      }
      const s = regOf(env, st, insn.src, true);
      const d = regOf(env, st, insn.dst, false);
      if (insn.off !== 0) {
        if (isPtr(s)) env.fail(-EACCES, `R${insn.src} sign-extension part of pointer`);
        const bits = BigInt(insn.off);
        if (s.isConst()) {
          const v = BigInt.asUintN(64, BigInt.asIntN(Number(bits), s.tn.v));
          d.setConst(is64 ? v : v & U32_MAX);
        } else {
          d.setUnknown();
          sextUnknown(d, insn.off / 8, !is64);
        }
        return;
      }
      if (is64) {
        // A copied unknown scalar shares an id with its source (bounds learnt later are not propagated here).
        if (s.t === T.SCALAR && !s.isConst() && !s.id) s.id = newId(env);
        d.copyFrom(s);
      } else if (isPtr(s)) {
        if (!env.allow_ptr_leaks) env.fail(-EACCES, `R${insn.src} partial copy of pointer`);
        d.setUnknown();
        truncTo32(d);
      } else {
        // A scalar that fits in 32 bits shares its id with the copy (assign_scalar_id_before_mov); a wider one's copy has none.
        const u32src = s.umax <= U32_MAX;
        if (u32src && !s.isConst() && !s.id) s.id = newId(env);
        const c = s.clone();
        truncTo32(c);
        c.id = u32src ? s.id : 0;
        d.copyFrom(c);
      }
    } else checkMovImm(env, st, insn, is64);
    return;
  }
  if (op > 0xd0) env.fail(-EINVAL, `invalid BPF_ALU opcode ${op.toString(16)}`);
  if (x) {
    if (insn.imm !== 0 || (insn.off !== 0 && insn.off !== 1) || (insn.off === 1 && op !== 0x90 && op !== 0x30)) env.fail(-EINVAL, "BPF_ALU uses reserved fields");
    regOf(env, st, insn.src, true);
  } else if (insn.src !== 0 || (insn.off !== 0 && insn.off !== 1) || (insn.off === 1 && op !== 0x90 && op !== 0x30)) {
    env.fail(-EINVAL, "BPF_ALU uses reserved fields");
  }
  const d = regOf(env, st, insn.dst, true);
  if ((op === 0x90 || op === 0x30) && !x && insn.imm === 0) env.fail(-EINVAL, "div by zero");
  if ((op === 0x60 || op === 0x70 || op === 0xc0) && !x) {
    const size = is64 ? 64 : 32;
    if (insn.imm < 0 || insn.imm >= size) env.fail(-EINVAL, `invalid shift ${insn.imm}`);
  }
  regOf(env, st, insn.dst, false);
  let src: Reg;
  if (x) src = st.cur.regs[insn.src]!;
  else {
    src = IMM_REG;
    src.setConstImm(insn.imm, !is64);
  }
  if (isPtr(d) || isPtr(src)) {
    ptrAlu(env, st, insn, op, d, src, is64);
    return;
  }
  scalarAlu(env, op, d, src, is64, insn.off);
}

/** bpf_alu_string[], by opcode >> 4. */
const ALU_STR = ["+=", "-=", "*=", "/=", "|=", "&=", "<<=", ">>=", "neg", "%=", "^=", "=", "s>>=", "endian"];

/** check_reg_sane_offset() on the scalar operand of pointer arithmetic. */
function sanePtrOffset(env: Env, ptr: Reg, off: Reg): void {
  const tstr = regTypeStr(ptr.t);
  if (off.isConst()) {
    const v = s64(off.tn.v);
    if (v >= BigInt(BPF_MAX_VAR_OFF) || v <= -BigInt(BPF_MAX_VAR_OFF)) env.fail(-EINVAL, `math between ${tstr} pointer and ${v} is not allowed`);
  }
  if (off.smin === S64_MIN) env.fail(-EINVAL, `math between ${tstr} pointer and register with unbounded min value is not allowed`);
  if (off.smin >= BigInt(BPF_MAX_VAR_OFF) || off.smin <= -BigInt(BPF_MAX_VAR_OFF)) env.fail(-EINVAL, `value ${off.smin} makes ${tstr} pointer be out of bounds`);
}

/** adjust_ptr_min_max_vals(): pointer +/- scalar, pointer - pointer. */
function ptrAlu(env: Env, _st: VState, insn: DInsn, op: number, d: Reg, s: Reg, is64: boolean): void {
  const dst = insn.dst;
  const opStr = ALU_STR[op >> 4]!;
  // adjust_reg_min_max_vals(): pointer op pointer gives an arbitrary scalar, only ever allowed for a subtraction.
  if (isPtr(d) && isPtr(s)) {
    if (op === 0x10 && env.allow_ptr_leaks) {
      d.setUnknown();
      return;
    }
    env.fail(-EACCES, `R${dst} pointer ${opStr} pointer prohibited`);
  }
  const ptr = isPtr(d) ? d : s;
  const off = isPtr(d) ? s : d;
  // adjust_ptr_min_max_vals(): 32-bit ALU on a pointer, the same.
  if (!is64) {
    if (op === 0x10 && env.allow_ptr_leaks) {
      d.setUnknown();
      return;
    }
    env.fail(-EACCES, `R${dst} 32-bit pointer arithmetic prohibited`);
  }
  if (ptr.t & MAYBE_NULL) env.fail(-EACCES, `R${dst} pointer arithmetic on ${regTypeStr(ptr.t)} prohibited, null-check it first`);
  if (ptr.t === T.MAP_PTR || ptr.t === T.PKT_END) env.fail(-EACCES, `R${dst} pointer arithmetic on ${regTypeStr(ptr.t)} prohibited`);
  if (op !== 0x00 && op !== 0x10) {
    // The opcode switch comes after check_reg_sane_offset().
    sanePtrOffset(env, ptr, off);
    if (op === 0x40 || op === 0x50 || op === 0xa0) env.fail(-EACCES, `R${dst} bitwise operator ${opStr} on pointer prohibited`);
    env.fail(-EACCES, `R${dst} pointer arithmetic with ${opStr} operator prohibited`);
  }
  if (op === 0x10 && !isPtr(d)) env.fail(-EACCES, `R${dst} tried to subtract pointer from scalar`);
  // JITs may not handle a frame pointer moved by subtraction.
  if (op === 0x10 && ptr.t === T.STACK) env.fail(-EACCES, `R${dst} subtraction from stack pointer prohibited`);
  sanePtrOffset(env, ptr, off);
  const r = ptr.clone();
  if (off.isConst()) {
    const v = Number(s64(off.tn.v));
    const nv = op === 0x10 ? r.off - v : r.off + v;
    if (nv < -(1 << 29) || nv > 1 << 29) env.fail(-EACCES, `value ${v} makes ${regTypeStr(r.t)} pointer be out of bounds`);
    r.off = nv;
  } else {
    if (op === 0x10) {
      if (!env.allow_ptr_leaks) env.fail(-EACCES, `R${dst} tried to subtract pointer from scalar`);
      r.tn = tnumSub(r.tn, off.tn);
      r.umin = 0n;
      r.umax = U64_MAX;
      r.smin = S64_MIN;
      r.smax = S64_MAX;
    } else {
      r.tn = tnumAdd(r.tn, off.tn);
      const umax = r.umax + off.umax;
      r.umin = r.umin + off.umin;
      r.umax = umax > U64_MAX ? U64_MAX : umax;
      if (off.smin < 0n) {
        r.smin = S64_MIN;
        r.smax = S64_MAX;
        r.umin = 0n;
        r.umax = U64_MAX;
      } else {
        r.smin = r.umin <= S64_MAX ? r.umin : S64_MIN;
        r.smax = r.umax <= S64_MAX ? r.umax : S64_MAX;
      }
    }
    r.sync();
    if (r.t === T.PKT || r.t === T.PKT_META) {
      r.id = newId(env);
      r.range = 0;
    }
  }
  d.copyFrom(r);
}

// --- conditional jumps -------------------------------------------------------------------------

/** is_branch_taken(): 1 taken, 0 not taken, -1 unknown. */
function branchTaken(d: Reg, s: Reg, op: number, is32: boolean): number {
  if (isPtr(d) || isPtr(s)) {
    const p = isPtr(d) ? d : s;
    const o = isPtr(d) ? s : d;
    if (isPtr(d) && isPtr(s)) return -1;
    // reg_not_null(): map values and map pointers, not stack or context pointers.
    if (!(p.t & MAYBE_NULL) && o.isConst() && o.tn.v === 0n && (p.t === T.MAP_VALUE || p.t === T.MAP_PTR)) {
      if (op === 0x10) return 0;
      if (op === 0x50) return 1;
    }
    return -1;
  }
  // is_scalar_branch_taken(): the 32-bit bounds for JMP32, the 64-bit ones otherwise.
  const sbits = is32 ? 32 : 64;
  const dc = is32 ? (d.tn.m & U32_MAX) === 0n : tnumIsConst(d.tn);
  const sc = is32 ? (s.tn.m & U32_MAX) === 0n : tnumIsConst(s.tn);
  const amin = is32 ? d.u32min : d.umin, amax = is32 ? d.u32max : d.umax;
  const bmin = is32 ? s.u32min : s.umin, bmax = is32 ? s.u32max : s.umax;
  const asmin = is32 ? d.s32min : d.smin, asmax = is32 ? d.s32max : d.smax;
  const bsmin = is32 ? s.s32min : s.smin, bsmax = is32 ? s.s32max : s.smax;
  const av = is32 ? d.tn.v & U32_MAX : d.tn.v;
  const bv = is32 ? s.tn.v & U32_MAX : s.tn.v;
  const am = is32 ? d.tn.m & U32_MAX : d.tn.m;
  if (dc && sc) {
    const x = av, y = bv;
    switch (op) {
      case 0x10: return x === y ? 1 : 0;
      case 0x50: return x !== y ? 1 : 0;
      case 0x20: return x > y ? 1 : 0;
      case 0x30: return x >= y ? 1 : 0;
      case 0xa0: return x < y ? 1 : 0;
      case 0xb0: return x <= y ? 1 : 0;
      case 0x60: return BigInt.asIntN(sbits, x) > BigInt.asIntN(sbits, y) ? 1 : 0;
      case 0x70: return BigInt.asIntN(sbits, x) >= BigInt.asIntN(sbits, y) ? 1 : 0;
      case 0xc0: return BigInt.asIntN(sbits, x) < BigInt.asIntN(sbits, y) ? 1 : 0;
      case 0xd0: return BigInt.asIntN(sbits, x) <= BigInt.asIntN(sbits, y) ? 1 : 0;
      case 0x40: return (x & y) !== 0n ? 1 : 0;
    }
  }
  if (op === 0x40) {
    if (sc && (av & bv) !== 0n) return 1;
    if (sc && ((av | am) & bv) === 0n) return 0;
    return -1;
  }
  if (op === 0x10 && (asmin > bsmax || asmax < bsmin)) return 0;
  if (op === 0x50 && (asmin > bsmax || asmax < bsmin)) return 1;
  switch (op) {
    case 0x10:
      if (amin > bmax || amax < bmin) return 0;
      return -1;
    case 0x50:
      if (amin > bmax || amax < bmin) return 1;
      return -1;
    case 0x20:
      if (amin > bmax) return 1;
      if (amax <= bmin) return 0;
      return -1;
    case 0x30:
      if (amin >= bmax) return 1;
      if (amax < bmin) return 0;
      return -1;
    case 0xa0:
      if (amax < bmin) return 1;
      if (amin >= bmax) return 0;
      return -1;
    case 0xb0:
      if (amax <= bmin) return 1;
      if (amin > bmax) return 0;
      return -1;
    case 0x60:
      if (asmin > bsmax) return 1;
      if (asmax <= bsmin) return 0;
      return -1;
    case 0x70:
      if (asmin >= bsmax) return 1;
      if (asmax < bsmin) return 0;
      return -1;
    case 0xc0:
      if (asmax < bsmin) return 1;
      if (asmin >= bsmax) return 0;
      return -1;
    case 0xd0:
      if (asmax <= bsmin) return 1;
      if (asmin > bsmax) return 0;
      return -1;
  }
  return -1;
}

/** reg_set_min_max() for a scalar against a constant: narrow both outcomes (32-bit bounds for JMP32). */
function refineScalar(r: Reg, op: number, c: bigint, taken: boolean, is32: boolean): void {
  if (r.t !== T.SCALAR) return;
  const neg: Record<number, number> = { 0x10: 0x50, 0x50: 0x10, 0x20: 0xb0, 0xb0: 0x20, 0x30: 0xa0, 0xa0: 0x30, 0x60: 0xd0, 0xd0: 0x60, 0x70: 0xc0, 0xc0: 0x70 };
  const o = taken ? op : neg[op];
  if (o === undefined) return;
  const uc = is32 ? c & U32_MAX : c;
  const sc = is32 ? BigInt.asIntN(32, c) : BigInt.asIntN(64, c);
  const k = is32 ? { umin: "u32min", umax: "u32max", smin: "s32min", smax: "s32max" } as const : { umin: "umin", umax: "umax", smin: "smin", smax: "smax" } as const;
  const b = r.clone();
  switch (o) {
    case 0x10:
      if (!is32) {
        r.setConst(c);
        return;
      }
      b[k.umin] = b[k.umax] = uc;
      b[k.smin] = b[k.smax] = sc;
      b.tn = { v: (b.tn.v & ~U32_MAX & U64_MAX) | uc, m: b.tn.m & ~U32_MAX & U64_MAX };
      break;
    case 0x50:
      // JNE against a bound trims it.
      if (b[k.umin] === uc) b[k.umin] = uc + 1n;
      else if (b[k.umax] === uc) b[k.umax] = uc - 1n;
      if (b[k.smin] === sc) b[k.smin] = sc + 1n;
      else if (b[k.smax] === sc) b[k.smax] = sc - 1n;
      break;
    case 0x20:
      if (uc + 1n > b[k.umin]) b[k.umin] = uc + 1n;
      break;
    case 0x30:
      if (uc > b[k.umin]) b[k.umin] = uc;
      break;
    case 0xa0:
      if (uc - 1n < b[k.umax]) b[k.umax] = uc - 1n;
      break;
    case 0xb0:
      if (uc < b[k.umax]) b[k.umax] = uc;
      break;
    case 0x60:
      if (sc + 1n > b[k.smin]) b[k.smin] = sc + 1n;
      break;
    case 0x70:
      if (sc > b[k.smin]) b[k.smin] = sc;
      break;
    case 0xc0:
      if (sc - 1n < b[k.smax]) b[k.smax] = sc - 1n;
      break;
    case 0xd0:
      if (sc < b[k.smax]) b[k.smax] = sc;
      break;
    default:
      return;
  }
  if (b[k.umin] > b[k.umax] || b[k.smin] > b[k.smax]) return;
  b.sync();
  r.copyFrom(b);
}

/** mark_ptr_or_null_regs(): after a NULL check every copy of the pointer becomes a value or 0. */
function markPtrOrNull(st: VState, id: number, isNull: boolean): void {
  // mark_ptr_or_null_regs(): on the NULL side an acquired reference is dropped with the pointer.
  if (isNull) {
    const at = st.refs.findIndex((r) => r.id === id);
    if (at >= 0) st.refs.splice(at, 1);
  }
  for (const f of st.frames) {
    const regs = [...f.regs, ...f.stack.filter((s) => s.types[7] === STACK_SPILL).map((s) => s.spilled)];
    for (const r of regs) {
      if (r.id === id && r.t & MAYBE_NULL) {
        if (isNull) r.setConst(0n);
        else {
          r.t &= ~MAYBE_NULL;
          r.id = 0;
        }
      }
    }
  }
}

/** find_good_pkt_pointers() */
function goodPkt(st: VState, dst: Reg, rightOpen: boolean): void {
  if (dst.off < 0 || (dst.off === 0 && rightOpen)) return;
  if (dst.umax > BigInt(MAX_PACKET_OFF) || Number(dst.umax) + dst.off > MAX_PACKET_OFF) return;
  let nr = dst.off;
  if (rightOpen) nr++;
  for (const f of st.frames) {
    const regs = [...f.regs, ...f.stack.filter((s) => s.types[7] === STACK_SPILL).map((s) => s.spilled)];
    for (const r of regs) if (r.t === dst.t && r.id === dst.id && r.range < nr) r.range = nr;
  }
}

// --- calls -------------------------------------------------------------------------------------

function clobberCallerSaved(env: Env, st: VState): void {
  for (let r = 0; r <= 5; r++) st.cur.regs[r]!.setNotInit();
  void env;
}

function constMapKey(st: VState, reg: Reg, size: number): bigint | null {
  if (reg.t !== T.STACK || !tnumIsConst(reg.tn)) return null;
  const abs = Number(s64(reg.tn.v)) + reg.off;
  const f = st.frames[reg.frameno]!;
  let zero = true;
  for (let i = 0; i < size; i++) {
    const a = abs + i;
    const slot = f.stack[Math.floor((-a - 1) / 8)];
    if (!slot || slot.types[(-a - 1) % 8] !== STACK_ZERO) zero = false;
  }
  if (zero) return 0n;
  const slot = f.stack[Math.floor((-abs - 1) / 8)];
  if (slot && slot.types[7] === STACK_SPILL && abs % 8 === 0 && slot.spilled.isConst()) return slot.spilled.tn.v & ((1n << BigInt(size * 8)) - 1n);
  return null;
}

function checkHelperCall(env: Env, st: VState, insn: DInsn, idx: number): void {
  const id = insn.imm;
  const pt = env.prog.type;
  if (id < 0 || id >= 212) env.fail(-EINVAL, `invalid func ${helperName(id)}#${id}`);
  const avail = helperAvailable(pt, id);
  if (avail === false) env.fail(-EINVAL, `program of this type cannot use helper ${helperName(id)}#${id}`);
  const proto = PROTOS[id];
  if (avail === true && proto === undefined) return unsetArgsHelperCall(env, st, id);
  if (avail === undefined || proto === undefined) env.fail(-EINVAL, `bpfemu: helper ${helperName(id)}#${id} is not emulated`);
  if (!env.prog.gpl_compatible && proto.gpl) env.fail(-EINVAL, "cannot call GPL-restricted function from non-GPL compatible program");
  let map: BpfMap | null = null;
  let keyReg: Reg | null = null;
  let msizeMax = 0n;
  let allocSize = 0;
  let releaseRef = 0;
  let callback = -1;
  for (let i = 0; i < proto.args.length; i++) {
    const regno = i + 1;
    const a = proto.args[i]!;
    const reg = regOf(env, st, regno, true);
    switch (a) {
      case A.ANY:
        break;
      case A.MAP_PTR:
        if (reg.t !== T.MAP_PTR) env.fail(-EACCES, `R${regno} type=${regTypeStr(reg.t)} expected=map_ptr`);
        map = reg.map;
        break;
      case A.CTX:
        if (reg.t !== T.CTX) env.fail(-EACCES, `R${regno} type=${regTypeStr(reg.t)} expected=ctx`);
        if (reg.off || !tnumIsConst(reg.tn) || reg.tn.v !== 0n) env.fail(-EACCES, `dereference of modified ctx ptr R${regno} off=${reg.off} disallowed`);
        break;
      case A.MAP_KEY:
      case A.MAP_VALUE:
      case A.UNINIT_MAP_VALUE: {
        if (reg.t !== T.STACK && reg.t !== T.PKT && reg.t !== T.PKT_META && reg.t !== T.MAP_VALUE && reg.t !== T.RINGBUF_MEM) env.fail(-EACCES, `R${regno} type=${regTypeStr(reg.t)} expected=${MEM_TYPES}`);
        if (!map) env.fail(-EACCES, "invalid map_ptr to access map->key");
        const size = a === A.MAP_KEY ? map.key_size : map.value_size;
        if (size === 0) env.fail(-EACCES, "invalid zero-sized read");
        checkHelperMem(env, st, regno, reg, size, a === A.UNINIT_MAP_VALUE, a !== A.UNINIT_MAP_VALUE);
        if (a === A.MAP_KEY) keyReg = reg;
        break;
      }
      case A.MEM:
      case A.UNINIT_MEM:
      case A.MEM_OR_NULL:
        if (a === A.MEM_OR_NULL && reg.isConst() && reg.tn.v === 0n) break;
        if (reg.t !== T.STACK && reg.t !== T.PKT && reg.t !== T.PKT_META && reg.t !== T.MAP_VALUE && reg.t !== T.RINGBUF_MEM) env.fail(-EACCES, `R${regno} type=${regTypeStr(reg.t)} expected=${MEM_TYPES}`);
        break;
      case A.SIZE:
      case A.SIZE_OR_ZERO: {
        // check_mem_size_reg(): the size bounds the memory argument before it.
        const memReg = st.cur.regs[regno - 1]!;
        const memArg = proto.args[i - 1]!;
        if (memArg === A.MEM_OR_NULL && memReg.isConst() && memReg.tn.v === 0n) break;
        if (reg.t !== T.SCALAR) env.fail(-EACCES, `R${regno} type=${regTypeStr(reg.t)} expected=scalar`);
        if (reg.smin < 0n) env.fail(-EACCES, `R${regno} min value is negative, either use unsigned or 'var &= const'`);
        if (reg.umin === 0n && a === A.SIZE) env.fail(-EACCES, `R${regno} invalid zero-sized read: u64=[${reg.umin},${reg.umax}]`);
        if (reg.umax >= BigInt(BPF_MAX_VAR_OFF)) env.fail(-EACCES, `R${regno} unbounded memory access, use 'var &= const' or 'if (var < const)'`);
        if (reg.umax > 0n) checkHelperMem(env, st, regno - 1, memReg, Number(reg.umax), memArg === A.UNINIT_MEM, memArg !== A.UNINIT_MEM);
        msizeMax = reg.umax;
        break;
      }
      case A.FUNC:
        if (reg.t !== T.FUNC) env.fail(-EACCES, `R${regno} type=${regTypeStr(reg.t)} expected=func`);
        callback = reg.subprogno;
        break;
      case A.STACK_OR_NULL:
        if (reg.isConst() && reg.tn.v === 0n) break;
        if (reg.t !== T.STACK) env.fail(-EACCES, `R${regno} type=${regTypeStr(reg.t)} expected=fp`);
        break;
      case A.ALLOC_SIZE:
        // check_func_arg(): ARG_CONST_ALLOC_SIZE_OR_ZERO takes a constant.
        if (reg.t !== T.SCALAR) env.fail(-EACCES, `R${regno} type=${regTypeStr(reg.t)} expected=scalar`);
        if (!tnumIsConst(reg.tn)) env.fail(-EACCES, `R${regno} is not a known constant'`);
        allocSize = Number(BigInt.asUintN(32, reg.tn.v));
        break;
      case A.RINGBUF_RELEASE:
        // check_reg_type(), check_func_arg_reg_off() for a release argument, then the reference itself.
        if (reg.t !== T.RINGBUF_MEM) env.fail(-EACCES, `R${regno} type=${regTypeStr(reg.t)} expected=ringbuf_mem`);
        if (reg.off) env.fail(-EINVAL, `R${regno} must have zero offset when passed to release func or trusted arg to kfunc`);
        if (!tnumIsConst(reg.tn) || reg.tn.v !== 0n) env.fail(-EACCES, `variable ringbuf_mem access var_off=${tnumStr(reg.tn)} disallowed`);
        if (!reg.refObjId) env.fail(-EINVAL, `R${regno} must be referenced when passed to release function`);
        releaseRef = reg.refObjId;
        break;
    }
  }
  if (id === 181) {
    // update_loop_inline_state(): flags (R4) a known 0 and the same callback on every visit.
    const r4 = st.cur.regs[4]!;
    const zero = r4.isConst() && r4.tn.v === 0n;
    const li = env.loopInline.get(idx);
    if (!li) env.loopInline.set(idx, { fit: zero, callback });
    else if (li.fit) li.fit = zero && li.callback === callback;
    // check_helper_call() of bpf_loop: the callback is entered (push_callback_call) while this
    // frame's callback_depth stays below nr_loops' maximum; then the call returns.
    const caller = st.cur;
    if (BigInt(caller.callbackDepth) < st.cur.regs[1]!.umax) pushCallback(env, st, idx, callback);
    else caller.callbackDepth = 0;
  }
  if (releaseRef) {
    // release_reference(): the reference goes, and every copy of the pointer with it (mark_reg_invalid).
    const at = st.refs.findIndex((r) => r.id === releaseRef);
    if (at < 0) env.fail(-EINVAL, `func ${helperName(id)}#${id} reference has not been acquired before`);
    st.refs.splice(at, 1);
    for (const f of st.frames) {
      const regs = [...f.regs, ...f.stack.filter((sl) => sl.types[7] === STACK_SPILL).map((sl) => sl.spilled)];
      for (const r of regs) {
        if (r.refObjId !== releaseRef) continue;
        if (env.allow_ptr_leaks) r.setUnknown();
        else r.setNotInit();
      }
    }
  }
  if (id === 12 && map && map.map_type !== MT.PROG_ARRAY) {
    // check_map_func_compatibility(): this message has no newline in the kernel.
    env.verbose("expected prog array map for tail call");
    throw new VerifyError(-EINVAL, "expected prog array map for tail call");
  }
  if (map && !mapFuncCompatible(map.map_type, id)) env.fail(-EINVAL, `cannot pass map_type ${map.map_type} into func ${helperName(id)}#${id}`);
  // check_map_func_compatibility(), the helper's side: these take one map type only.
  if (map && ((id === 27 && map.map_type !== MT.STACK_TRACE) || (id === 131 && map.map_type !== MT.RINGBUF))) env.fail(-EINVAL, `cannot pass map_type ${map.map_type} into func ${helperName(id)}#${id}`);
  if ((id === 12 || id === 25 || id === 51) && !map) env.fail(-EINVAL, `cannot pass map_type 0 into func ${helperName(id)}#${id}`);
  if (id === 12 && map && map.map_type !== MT.PROG_ARRAY) env.fail(-EINVAL, `cannot pass map_type ${map.map_type} into func ${helperName(id)}#${id}`);
  if (id === 25 && map && map.map_type !== MT.PERF_EVENT_ARRAY) env.fail(-EINVAL, `cannot pass map_type ${map.map_type} into func ${helperName(id)}#${id}`);
  if (map && (map.map_type === MT.ARRAY_OF_MAPS || map.map_type === MT.HASH_OF_MAPS) && id === 1) env.fail(-EINVAL, "bpfemu: lookups in map-in-map types are not emulated");
  if (map && map.hasSpinLock) env.fail(-EINVAL, "bpfemu: maps with bpf_spin_lock values are not emulated");
  // The key's constant value lets an array lookup return a non-NULL value pointer.
  let keyConst: bigint | null = null;
  if (id === 1 && map && keyReg) keyConst = constMapKey(st, keyReg, map.key_size);
  if (map) env.callMaps.set(idx, env.callMaps.has(idx) && env.callMaps.get(idx) !== map ? null : map);
  clobberCallerSaved(env, st);
  const r0 = regOf(env, st, 0, false);
  if (proto.ret === RET.MAP_VALUE_OR_NULL) {
    r0.setUnknown();
    r0.t = T.MAP_VALUE;
    r0.map = map;
    r0.tn = tnumConst(0n);
    r0.umin = r0.umax = 0n;
    r0.smin = r0.smax = 0n;
    const elide = (map!.map_type === MT.ARRAY || map!.map_type === MT.PERCPU_ARRAY) && keyConst !== null && keyConst < BigInt(map!.max_entries);
    if (!elide) {
      r0.t |= MAYBE_NULL;
      r0.id = newId(env);
    }
  } else if (proto.ret === RET.RINGBUF_MEM_OR_NULL) {
    // RET_PTR_TO_RINGBUF_MEM_OR_NULL of the reserved size; the id for the NULL check comes first,
    // then acquire_reference() takes the next one for both id and ref_obj_id.
    r0.setUnknown();
    r0.t = T.RINGBUF_MEM | MAYBE_NULL;
    r0.tn = tnumConst(0n);
    r0.umin = r0.umax = 0n;
    r0.smin = r0.smax = 0n;
    r0.memSize = allocSize;
    newId(env);
    const ref = newId(env);
    st.refs.push({ id: ref, insn: idx });
    r0.id = ref;
    r0.refObjId = ref;
  } else if (proto.ret === RET.VOID) {
    r0.setNotInit();
  } else {
    r0.setUnknown();
    // do_refine_retval_range(): a CPU number is below nr_cpu_ids.
    if (id === 8) {
      const max = BigInt(env.t.kernel.possibleCpus - 1);
      r0.smax = r0.umax = max;
      r0.s32max = r0.u32max = max;
      boundsSync(r0);
    }
    // The string readers return at most the buffer size, or an errno.
    if (id === 45 || id === 114 || id === 115) {
      r0.smax = r0.s32max = msizeMax;
      r0.smin = r0.s32min = -4095n;
      boundsSync(r0);
    }
  }
  if (proto.pkt) {
    // clear_all_pkt_pointers()
    for (const f of st.frames) {
      for (const r of f.regs) if (r.t === T.PKT || r.t === T.PKT_META || r.t === T.PKT_END) r.setUnknown();
      for (const s of f.stack) if (s.types[7] === STACK_SPILL && (s.spilled.t === T.PKT || s.spilled.t === T.PKT_META || s.spilled.t === T.PKT_END)) s.spilled.setUnknown();
    }
  }
  void idx;
}

/**
 * push_callback_call() with set_loop_callback_state(): a copy of the state
 * enters the callback in a new frame (setup_func_entry) and waits on the
 * branch stack, with R1 the unknown index and R2 the caller's R3; the current
 * path goes on after the call.
 */
function pushCallback(env: Env, st: VState, idx: number, sub: number): void {
  const cb = pushBranch(env, st, env.pending, env.subprogs[sub]!.start, idx);
  if (cb.frames.length >= MAX_CALL_FRAMES) env.fail(-E2BIG, `the call stack of ${cb.frames.length + 1} frames is too deep`);
  const caller = cb.cur;
  const f = new Frame(freshRegs());
  f.callsite = idx;
  f.frameno = cb.frames.length;
  f.subprog = sub;
  f.inCallback = true;
  f.regs[1]!.setUnknown();
  f.regs[2] = caller.regs[3]!.clone();
  f.regs[10]!.setPtrKnownZero(T.STACK);
  f.regs[10]!.frameno = f.frameno;
  caller.callbackDepth++;
  cb.callbackUnrollDepth++;
  cb.frames.push(f);
  st.cur.callbackDepth = 0;
}

/**
 * check_helper_call() for a helper whose prototype is not emulated: only the
 * checks before its first well-typed argument, as measured with R1 the entry
 * context and R2..R5 unset (HELPER_UNSET_ARGS). Anything past them is
 * declared not emulated.
 */
function unsetArgsHelperCall(env: Env, st: VState, id: number): void {
  const m = HELPER_UNSET_ARGS[id];
  if (m === undefined || id === 158) helperNotEmulated(env, id);
  const gpl = m!.startsWith("g");
  const kind = gpl ? m!.slice(1) : m!;
  if (!env.prog.gpl_compatible && gpl) env.fail(-EINVAL, "cannot call GPL-restricted function from non-GPL compatible program");
  if (kind === "sleep") env.fail(-EINVAL, "helper call might sleep in a non-sleepable prog");
  // check_func_arg() of R1: these helpers take the untouched context (or anything) there.
  const r1 = regOf(env, st, 1, true);
  const entryCtx = r1.t === T.CTX && r1.off === 0 && tnumIsConst(r1.tn) && r1.tn.v === 0n;
  if (!entryCtx) helperNotEmulated(env, id);
  if (kind.startsWith("R1:")) env.fail(-EACCES, `R1 type=ctx expected=${kind.slice(3)}`);
  if (kind === "R2") {
    regOf(env, st, 2, true);
    helperNotEmulated(env, id);
  }
  // check_get_func_ip(): kprobes (and tracing types, not emulated here) only.
  if (id === 173 && env.prog.type !== PT.KPROBE) env.fail(-ENOTSUPP, `func ${helperName(id)}#${id} not supported for program type ${env.prog.type}`);
  // Accepted: R0 is an unknown scalar; bpf_skb_vlan_pop changes packet data.
  clobberCallerSaved(env, st);
  regOf(env, st, 0, false).setUnknown();
  if (id === 19) {
    for (const f of st.frames) {
      for (const r of f.regs) if (r.t === T.PKT || r.t === T.PKT_META || r.t === T.PKT_END) r.setUnknown();
      for (const s of f.stack) if (s.types[7] === STACK_SPILL && (s.spilled.t === T.PKT || s.spilled.t === T.PKT_META || s.spilled.t === T.PKT_END)) s.spilled.setUnknown();
    }
  }
}

/** check_return_code() for the program's main exit. */
function checkReturnCode(env: Env, st: VState): void {
  const r0 = regOf(env, st, 0, true);
  if (isPtr(r0) && !env.allow_ptr_leaks) env.fail(-EACCES, "R0 leaks addr as return value");
  // A global function (frame 0 of its own walk) returns a scalar; the program type's range is the main program's.
  if (st.frames[0]!.subprog !== 0) {
    if (r0.t !== T.SCALAR) env.fail(-EINVAL, `At subprogram exit the register R0 is not a scalar value (${regTypeStr(r0.t)})`);
    return;
  }
  let lo = 0n, hi = 1n;
  const eat = env.prog.expected_attach_type;
  switch (env.prog.type) {
    case PT.CGROUP_SKB:
      if (eat === AT.CGROUP_INET_EGRESS) hi = 3n;
      break;
    case PT.CGROUP_SOCK_ADDR:
      if (eat === AT.CGROUP_UDP4_RECVMSG || eat === AT.CGROUP_UDP6_RECVMSG || eat === AT.CGROUP_UNIX_RECVMSG || eat === AT.CGROUP_INET4_GETPEERNAME || eat === AT.CGROUP_INET6_GETPEERNAME || eat === AT.CGROUP_UNIX_GETPEERNAME || eat === AT.CGROUP_INET4_GETSOCKNAME || eat === AT.CGROUP_INET6_GETSOCKNAME || eat === AT.CGROUP_UNIX_GETSOCKNAME) lo = 1n;
      if (eat === AT.CGROUP_INET4_BIND || eat === AT.CGROUP_INET6_BIND) hi = 3n;
      break;
    case PT.CGROUP_SOCK:
    case PT.SOCK_OPS:
    case PT.CGROUP_DEVICE:
    case PT.CGROUP_SYSCTL:
    case PT.CGROUP_SOCKOPT:
    case PT.SK_LOOKUP:
    case PT.NETFILTER:
      break;
    case PT.KPROBE:
      if (eat !== AT.TRACE_KPROBE_SESSION && eat !== AT.TRACE_UPROBE_SESSION) return;
      break;
    default:
      return;
  }
  if (r0.t !== T.SCALAR) env.fail(-EINVAL, `At program exit the register R0 is not a known value (${regTypeStr(r0.t)})`);
  if (r0.smin < lo || r0.smax > hi) {
    // verbose_invalid_scalar(): only the signed bounds that are known.
    let has = "";
    if (r0.smin > S64_MIN) has += ` smin=${r0.smin}`;
    if (r0.smax < S64_MAX) has += ` smax=${r0.smax}`;
    env.fail(-EINVAL, `At program exit the register R0 has${has || " unknown scalar value"} should have been in [${lo}, ${hi}]`);
  }
}

// --- do_check ------------------------------------------------------------------------------------

function doCheck(env: Env, subprog = 0): void {
  const a = env.a;
  const n = env.n;
  const flags = a.flags;
  // The insn being walked, filled from the loaded words at each step (step() and what it calls only read it while it runs).
  const insn: DInsn = { code: 0, dst: 0, src: 0, off: 0, imm: 0 };
  const stack: Pending[] = [];
  env.pending = stack;
  let st = initState(env);
  let idx = 0;
  if (subprog) {
    // do_check_common() of a global function: its registers come from its BTF prototype.
    if (env.level1) env.verbose(`Validating ${env.btfi!.subprogName(subprog)}() func#${subprog}...\n`);
    const args = env.btfi!.globalArgs(subprog);
    if (!Array.isArray(args)) throw new VerifyError(args.err, args.reason);
    const f = st.cur;
    f.subprog = subprog;
    f.regs[1]!.setNotInit();
    args.forEach((a, i) => {
      const r = f.regs[i + 1]!;
      if (a === "any") r.setUnknown();
      else {
        r.t = T.CTX;
        r.tn = tnumConst(0n);
        r.smin = r.smax = 0n;
        r.umin = r.umax = 0n;
      }
    });
    idx = env.subprogs[subprog]!.start;
  }
  let prev = -1;
  // The log level is fixed for the load: read once, not per insn.
  const level1 = env.level1;
  const level2 = (env.log.level & BPF_LOG_LEVEL2) !== 0;
  const popLog = !level2;
  let doPrintState = false;
  // The initial state is scratched: the first line shows R1 and R10.
  env.scratchedRegs = 0x7ff;
  // do_check_common(): the source lines start afresh for each walk; the main program's BTF prototype is looked at for the log.
  env.btfi?.resetLinfo();
  if (!subprog) env.btfi?.prepareMain(env.prog.type);
  for (;;) {
    if (idx < 0 || idx >= n) env.fail(-EFAULT, `invalid insn idx ${idx} insn_cnt ${n}`);
    const k = a.code[idx]!;
    // A MOV of an imm (the commonest insn) reads its fields from the words; only the log and the other insns need the object.
    const movImm = k === 0xb7 || k === 0xb4;
    if (level1 || !movImm) {
      insn.code = k;
      // The insn's two words: code, dst_reg:4 src_reg:4 and off in the first, imm in the second.
      const lo = a.w[a.wb + 2 * idx]!;
      insn.dst = (lo >> 8) & 0xf;
      insn.src = (lo >> 12) & 0xf;
      insn.off = lo >> 16;
      insn.imm = a.w[a.wb + 2 * idx + 1]!;
    }
    env.insnIdx = idx;
    const fl = flags[idx]!;
    if (!(fl & F_SEEN)) {
      flags[idx] = fl | F_SEEN;
      env.seenCount++;
    }
    if (++env.insn_processed > BPF_COMPLEXITY_LIMIT_INSNS) env.fail(-E2BIG, `BPF program is too large. Processed ${env.insn_processed} insn`);
    let pruned = false;
    if (level1 && (env.scratchedRegs || env.scratchedSlots.size) && !(level2 && doPrintState)) printInsnState(env, st);
    if (fl & F_PRUNE) {
      if (isStateVisited(env, st, idx) === 1) pruned = true;
    }
    const returned = env.returned;
    if (returned) env.returned = false;
    if (pruned) {
      // is_state_visited() hit: the log says which branch turned out safe.
      // After a callback's exit the kernel's line has one more blank line before it (recorded on 6.18: sock_bpf_loop).
      if (level1) env.verbose(doPrintState || returned ? `${returned ? "\n" : ""}\nfrom ${prev} to ${idx}: safe\n` : `${idx}: safe\n`);
    } else {
      if (level2 && doPrintState) {
        env.verbose(`\nfrom ${prev} to ${idx}:`);
        env.verbose(printState(env, st, true) + "\n");
        doPrintState = false;
      } else if (level1 && doPrintState) {
        env.verbose(`${idx}:` + printState(env, st, true) + "\n");
        doPrintState = false;
      }
      if (level1) {
        if (env.scratchedRegs || env.scratchedSlots.size) printInsnState(env, st);
        env.btfi?.verboseLinfo(idx, "; ");
        env.prev_log_pos = env.log.end_pos;
        env.verbose(`${idx}: ${disasm(insn, isLdImm64(insn) ? fakeImm64(env, idx) : undefined)}\n`);
        env.prev_insn_print_pos = env.log.end_pos - env.prev_log_pos;
        env.prev_log_pos = env.log.end_pos;
      }
      // ALU and ALU64 insns, the most common, go straight to check_alu_op(): they always fall through to the next insn.
      const c = k & 7;
      let next: number | null;
      if (movImm) {
        movImmTo(env, st, insnDst(a, idx), insnSrc(a, idx), insnOff(a, idx), insnImm(a, idx), k === 0xb7);
        // Without the per-insn log, the MOV imm insns right after this one are walked by movImmRun (done: the
        // last one); a MOV followed by anything else (the common case outside long runs) does not call it.
        const nk = idx + 1 < n ? a.code[idx + 1]! : 0;
        if (!level1 && (nk === 0xb7 || nk === 0xb4)) {
          const done = movImmRun(env, st, idx);
          prev = done;
          idx = done + 1;
          continue;
        }
        next = idx + 1;
      } else if (c === 4 || c === 7) {
        checkAlu(env, st, insn);
        next = idx + 1;
      } else next = step(env, st, insn, idx, stack);
      if (next !== null) {
        prev = idx;
        idx = next;
        continue;
      }
    }
    // process_bpf_exit: the path is done; take the next pending branch.
    branchDone(st.parent);
    const p = stack.pop();
    if (p === undefined) break;
    if (popLog) env.log.reset(p.log_pos);
    st = p.state;
    idx = p.insn;
    prev = p.prev;
    doPrintState = true;
    // A resumed branch prints its whole state first (after the prune check).
    env.scratchedRegs = 0;
    env.scratchedSlots.clear();
  }
}

/**
 * do_check()'s loop over the MOV imm insns (check_alu_op's BPF_MOV | BPF_K)
 * that follow one the main loop has just walked, when no per-insn log is
 * written. Each next insn is walked here while it is a MOV of an imm in
 * [0, 256) with zero reserved fields and a destination below R10, not a
 * prune point, and within the complexity limit, with the main loop's
 * bookkeeping in the same order (seen mark, then the count). Anything else
 * is left to the main loop untouched, errors included. The current frame's
 * registers are looked up once: only a call, an exit or a resumed branch
 * changes the frame, and none of those is a MOV. Each insn is read as its
 * two words (one load for code, registers and off, one for the imm), and
 * the loop makes no call: setConstSmall is inlined. Returns the index of
 * the last insn walked (idx when none was).
 */
function movImmRun(env: Env, st: VState, idx: number): number {
  const a = env.a;
  const w = a.w;
  const flags = a.flags;
  const base = a.wb;
  const n = env.n;
  const fr = st.frames;
  const regs = fr[fr.length - 1]!.regs;
  let processed = env.insn_processed;
  let seen = env.seenCount;
  let i = idx;
  for (let j = idx + 1; j < n && processed < BPF_COMPLEXITY_LIMIT_INSNS; j++) {
    const lo = w[base + 2 * j]!;
    // The first word of struct bpf_insn: code 0xb7 (ALU64) or 0xb4 (ALU), src_reg and off zero; only dst_reg may be set.
    const k = lo & ~0xf00;
    if (k !== 0xb7 && k !== 0xb4) break;
    const d = (lo >> 8) & 0xf;
    const v = w[base + 2 * j + 1]!;
    if (d >= 10 || (v & ~0xff) !== 0) break;
    const fl = flags[j]!;
    if (fl & F_PRUNE) break;
    if (!(fl & F_SEEN)) {
      flags[j] = fl | F_SEEN;
      seen++;
    }
    processed++;
    regs[d]!.setConstSmall(v);
    i = j;
  }
  env.insn_processed = processed;
  env.seenCount = seen;
  env.insnIdx = i;
  return i;
}

function fakeImm64(env: Env, idx: number): bigint {
  const m = env.ldMapsOrNull?.get(idx);
  const lo = BigInt(insnImm(env.a, idx) >>> 0);
  const hi = BigInt(insnImm(env.a, idx + 1) >>> 0);
  // The kernel prints the map's kernel address here; the emulator prints a stand-in.
  if (m) return 0xffff888100000000n + BigInt(m.map.id) * 0x1000n + BigInt(m.off);
  return (hi << 32n) | lo;
}

function pushBranch(env: Env, st: VState, stack: Pending[], insn: number, prev: number): VState {
  const copy = st.clone();
  if (st.parent) st.parent.branches++;
  stack.push({ state: copy, insn, prev, log_pos: env.log.end_pos });
  if (stack.length > BPF_COMPLEXITY_LIMIT_JMP_SEQ) env.fail(-E2BIG, `The sequence of ${stack.length} jumps is too complex.`);
  return copy;
}

/** bpf_size_to_bytes() by BPF_SIZE >> 3: W, H, B, DW. */
const BPF_SIZE_BYTES: readonly number[] = [4, 2, 1, 8];

/** One instruction; returns the next index, or null when the path ends. */
function step(env: Env, st: VState, insn: DInsn, idx: number, stack: Pending[]): number | null {
  const c = insn.code & 7;
  // ALU and ALU64 first: the most common classes, and the only ones without a size.
  if (c === 4 || c === 7) {
    checkAlu(env, st, insn);
    return idx + 1;
  }
  const sz = BPF_SIZE_BYTES[(insn.code >> 3) & 3]!;
  switch (c) {
    case 1: {
      const s = regOf(env, st, insn.src, true);
      void s;
      const d = regOf(env, st, insn.dst, false);
      const tmp = new Reg();
      const sx = (insn.code & 0xe0) === 0x80;
      checkMemAccess(env, st, insn.src, insn.off, sz, false, null, null, tmp);
      if (sx && tmp.t === T.SCALAR) {
        if (tmp.isConst()) tmp.setConst(BigInt.asUintN(64, BigInt.asIntN(sz * 8, tmp.tn.v)));
        else sextUnknown(tmp, sz, false);
      }
      d.copyFrom(tmp);
      return idx + 1;
    }
    case 3: {
      const mode = insn.code & 0xe0;
      if (mode === 0xc0) {
        checkAtomic(env, st, insn, sz);
        return idx + 1;
      }
      if (mode !== 0x60 || insn.imm !== 0) env.fail(-EINVAL, "BPF_STX uses reserved fields");
      const s = regOf(env, st, insn.src, true);
      regOf(env, st, insn.dst, true);
      checkMemAccess(env, st, insn.dst, insn.off, sz, true, s, null, null);
      return idx + 1;
    }
    case 2: {
      if ((insn.code & 0xe0) !== 0x60 || insn.src !== 0) env.fail(-EINVAL, "BPF_ST uses reserved fields");
      regOf(env, st, insn.dst, true);
      checkMemAccess(env, st, insn.dst, insn.off, sz, true, null, insn.imm, null);
      return idx + 1;
    }
    case 0: {
      if (isLdImm64(insn)) {
        // check_ld_imm(): reserved off, then check_reg_arg() of the destination.
        if (insn.off !== 0) env.fail(-EINVAL, "BPF_LD_IMM64 uses reserved fields");
        if (insn.dst > 10) env.fail(-EINVAL, `R${insn.dst} is invalid`);
        const d = regOf(env, st, insn.dst, false);
        const m = env.ldMapsOrNull?.get(idx);
        if (m) {
          d.setUnknown();
          d.map = m.map;
          d.tn = tnumConst(0n);
          d.umin = d.umax = 0n;
          d.smin = d.smax = 0n;
          if (m.value) {
            d.t = T.MAP_VALUE;
            d.off = m.off;
          } else d.t = T.MAP_PTR;
        } else if (insn.src === 0) {
          d.setConst((BigInt(insnImm(env.a, idx + 1) >>> 0) << 32n) | BigInt(insn.imm >>> 0));
        } else if (insn.src === 4) {
          // check_ld_imm() of BPF_PSEUDO_FUNC: the callee needs BTF func_info and static linkage.
          const sub = env.subprogs.findIndex((x) => x.start === idx + insn.imm + 1);
          const bi = env.btfi as (BtfInfoHooks & { func_info?: unknown[]; linkage?: number[] }) | null;
          if (!bi?.func_info?.length) env.fail(-EINVAL, "missing btf func_info");
          if ((bi!.linkage?.[sub] ?? 0) !== 0) env.fail(-EINVAL, "callback function not static");
          d.setUnknown();
          d.t = T.FUNC;
          d.tn = tnumConst(0n);
          d.umin = d.umax = 0n;
          d.smin = d.smax = 0n;
          d.subprogno = sub;
        }
        return idx + 2;
      }
      // LD_ABS / LD_IND (check_ld_abs)
      const pt = env.prog.type;
      if (pt !== PT.SOCKET_FILTER && pt !== PT.SCHED_CLS && pt !== PT.SCHED_ACT) env.fail(-EINVAL, "BPF_LD_[ABS|IND] instructions not allowed for this program type");
      const ind = (insn.code & 0xe0) === 0x40;
      if (insn.dst !== 0 || insn.off !== 0 || sz === 8 || (!ind && insn.src !== 0)) env.fail(-EINVAL, "BPF_LD_[ABS|IND] uses reserved fields");
      const r6 = regOf(env, st, 6, true);
      if (ind) regOf(env, st, insn.src, true);
      if (r6.t !== T.CTX) env.fail(-EINVAL, "at the time of BPF_LD_ABS|IND R6 != pointer to skb");
      clobberCallerSaved(env, st);
      regOf(env, st, 0, false).setUnknown();
      return idx + 1;
    }
    default: {
      env.jmps_processed++;
      const op = insn.code & 0xf0;
      const x = (insn.code & 8) !== 0;
      if (op === 0x80) {
        if (x || (insn.src !== 2 && insn.off !== 0) || (insn.src !== 0 && insn.src !== 1 && insn.src !== 2) || insn.dst !== 0 || c === 6) env.fail(-EINVAL, "BPF_CALL uses reserved fields");
        if (insn.src === 1) {
          // check_func_call(): btf_check_subprog_call() first (log lines only for static functions), then a new frame with R1-R5 passed on.
          const sub = env.subprogs.findIndex((s) => s.start === idx + insn.imm + 1);
          const argErr = env.btfi?.checkSubprogCall(sub, (r) => {
            const g = st.cur.regs[r]!;
            return { kind: g.t === T.SCALAR ? "scalar" : g.t === T.CTX ? "ctx" : "other", off: g.off, isNull: g.t === T.SCALAR && tnumIsConst(g.tn) && g.tn.v === 0n };
          });
          if (sub > 0 && env.btfi?.isGlobal(sub)) {
            // A global function is verified on its own (do_check_subprogs); the caller only gets an unknown R0.
            const name = env.btfi.subprogName(sub);
            if (argErr) {
              if (argErr.reason.startsWith("bpfemu:")) throw new VerifyError(argErr.err, argErr.reason);
              env.fail(argErr.err, `Caller passes invalid args into func#${sub} ('${name}')`);
            }
            if (env.level1) env.verbose(`Func#${sub} ('${name}') is global and assumed valid.\n`);
            env.globalCalled.add(sub);
            clobberCallerSaved(env, st);
            st.cur.regs[0]!.setUnknown();
            env.scratchedRegs |= 0x3f;
            return idx + 1;
          }
          if (st.frames.length >= MAX_CALL_FRAMES) env.fail(-E2BIG, `the call stack of ${st.frames.length + 1} frames is too deep`);
          const target = idx + insn.imm + 1;
          const f = new Frame(freshRegs());
          f.callsite = idx;
          f.frameno = st.frames.length;
          f.subprog = env.subprogs.findIndex((s) => s.start === target);
          for (let r = 1; r <= 5; r++) f.regs[r] = st.cur.regs[r]!.clone();
          f.regs[10]!.setPtrKnownZero(T.STACK);
          f.regs[10]!.frameno = f.frameno;
          for (let r = 0; r <= 5; r++) st.cur.regs[r]!.setNotInit();
          st.frames.push(f);
          env.scratchedRegs = 0x7ff;
          if (env.level1) {
            env.verbose("caller:\n");
            const callee = st.frames.pop()!;
            env.verbose(printState(env, st, true) + "\n");
            st.frames.push(callee);
            env.verbose("callee:\n");
            env.verbose(printState(env, st, true) + "\n");
          }
          return target;
        }
        if (insn.src === 2) env.fail(-EINVAL, "bpfemu: kfunc calls are not emulated");
        checkHelperCall(env, st, insn, idx);
        return idx + 1;
      }
      if (op === 0x00) {
        if (x || insn.src !== 0 || insn.dst !== 0 || (c === 5 && insn.imm !== 0) || (c === 6 && insn.off !== 0)) env.fail(-EINVAL, "BPF_JA uses reserved fields");
        return idx + (c === 6 ? insn.imm : insn.off) + 1;
      }
      if (op === 0x90) {
        if (x || insn.imm !== 0 || insn.src !== 0 || insn.dst !== 0 || c === 6) env.fail(-EINVAL, "BPF_EXIT uses reserved fields");
        if (st.frames.length > 1) {
          // prepare_func_exit(): R0 goes back to the caller (unchecked here; the caller's use checks it).
          const r0 = st.cur.regs[0]!;
          if (r0.t === T.STACK && r0.frameno === st.frames.length - 1) env.fail(-EINVAL, "cannot return stack pointer to the caller");
          const cbExit = st.cur.inCallback;
          if (cbExit) {
            // A callback returns a scalar in its callback_ret_range, [0, 1] for bpf_loop; the walk goes back to the call.
            if (r0.t !== T.SCALAR) env.fail(-EACCES, "R0 not a scalar value");
            if (r0.smin < 0n || r0.smax > 1n) {
              let has = "";
              if (r0.smin > S64_MIN) has += ` smin=${r0.smin}`;
              if (r0.smax < S64_MAX) has += ` smax=${r0.smax}`;
              env.fail(-EINVAL, `At callback return the register R0 has${has || " unknown scalar value"} should have been in [0, 1]`);
            }
          }
          const callee = st.frames.pop()!;
          if (!cbExit) st.cur.regs[0] = callee.regs[0]!.clone();
          env.scratchedRegs = 0x7ff;
          if (env.level1) {
            env.verbose("returning from callee:\n");
            env.verbose(printState(env, (() => {
              const tmp = st.clone();
              tmp.frames.push(callee);
              return tmp;
            })(), true) + "\n");
            env.verbose("to caller at " + (callee.callsite + (cbExit ? 0 : 1)) + ":\n");
            env.verbose(printState(env, st, true) + "\n");
          }
          env.scratchedRegs = 0;
          env.scratchedSlots.clear();
          // widen_imprecise_scalars() is not modelled: the emulator keeps every scalar precise.
          if (cbExit) {
            env.returned = true;
            return callee.callsite;
          }
          return callee.callsite + 1;
        }
        // check_resource_leak() before check_return_code(): every reference must be released at the main exit.
        if (st.refs.length) {
          for (const r of st.refs) env.verbose(`Unreleased reference id=${r.id} alloc_insn=${r.insn}\n`);
          env.fail(-EINVAL, "BPF_EXIT instruction in main prog would lead to reference leak");
        }
        checkReturnCode(env, st);
        return null;
      }
      if (op === 0xe0) env.fail(-EINVAL, "bpfemu: may_goto is not emulated");
      if (op > 0xd0) env.fail(-EINVAL, `invalid BPF_JMP/JMP32 opcode ${op.toString(16)}`);
      if (x) {
        if (insn.imm !== 0) env.fail(-EINVAL, "BPF_JMP/JMP32 uses reserved fields");
        const s = regOf(env, st, insn.src, true);
        if (isPtr(s) && !env.allow_ptr_leaks) env.fail(-EACCES, `R${insn.src} pointer comparison prohibited`);
      } else if (insn.src !== 0) env.fail(-EINVAL, "BPF_JMP/JMP32 uses reserved fields");
      const d = regOf(env, st, insn.dst, true);
      if (isPtr(d) && !x && !env.allow_ptr_leaks && !(d.t & MAYBE_NULL)) env.fail(-EACCES, `R${insn.dst} pointer comparison prohibited`);
      const is32 = c === 6;
      let s: Reg;
      if (x) s = st.cur.regs[insn.src]!;
      else {
        s = IMM_REG;
        s.setConstImm(insn.imm, is32);
      }
      const target = idx + insn.off + 1;
      const taken = branchTaken(d, s, op, is32);
      if (taken === 1) return target;
      if (taken === 0) return idx + 1;
      const other = pushBranch(env, st, stack, target, idx);
      // NULL checks on maybe-NULL pointers
      const od = other.cur.regs[insn.dst]!;
      if ((op === 0x10 || op === 0x50) && d.t & MAYBE_NULL && s.isConst() && s.tn.v === 0n && !is32) {
        const id = d.id;
        markPtrOrNull(other, id, op === 0x10);
        markPtrOrNull(st, id, op !== 0x10);
        return idx + 1;
      }
      // packet range checks: pkt vs pkt_end
      if (x && !is32) {
        const os = other.cur.regs[insn.src]!;
        const dp = d.t === T.PKT || d.t === T.PKT_META;
        const sp = s.t === T.PKT || s.t === T.PKT_META;
        // mark_pkt_end(): on the out-of-bounds side the compared pointer is past (-2) or at (-1) the end.
        const BEYOND = -2, AT = -1;
        if (dp && s.t === T.PKT_END) {
          if (op === 0x20) { goodPkt(st, d, false); od.range = BEYOND; }
          else if (op === 0xa0) { goodPkt(other, od, true); d.range = AT; }
          else if (op === 0x30) { goodPkt(st, d, true); od.range = AT; }
          else if (op === 0xb0) { goodPkt(other, od, false); d.range = BEYOND; }
        } else if (d.t === T.PKT_END && sp) {
          if (op === 0x20) { goodPkt(other, os, true); s.range = AT; }
          else if (op === 0xa0) { goodPkt(st, s, false); os.range = BEYOND; }
          else if (op === 0x30) { goodPkt(other, os, false); s.range = BEYOND; }
          else if (op === 0xb0) { goodPkt(st, s, true); os.range = AT; }
        }
      }
      if (d.t === T.SCALAR && s.isConst()) {
        refineScalar(od, op, s.tn.v, true, is32);
        refineScalar(d, op, s.tn.v, false, is32);
      } else if (x && s.t === T.SCALAR && d.t === T.SCALAR && d.isConst()) {
        // reg_set_min_max() learns about the source too: the comparison seen from its side.
        const FLIP: Record<number, number> = { 0x20: 0xa0, 0xa0: 0x20, 0x30: 0xb0, 0xb0: 0x30, 0x60: 0xc0, 0xc0: 0x60, 0x70: 0xd0, 0xd0: 0x70 };
        const fop = FLIP[op] ?? op;
        refineScalar(other.cur.regs[insn.src]!, fop, d.tn.v, true, is32);
        refineScalar(s, fop, d.tn.v, false, is32);
      }
      return idx + 1;
    }
  }
}

function checkAtomic(env: Env, st: VState, insn: DInsn, sz: number): void {
  const ok = [0x00, 0x01, 0x40, 0x41, 0x50, 0x51, 0xa0, 0xa1, 0xe1, 0xf1];
  if (insn.imm === 0x100 || insn.imm === 0x110) env.fail(-EINVAL, "bpfemu: load-acquire/store-release atomics are not emulated");
  if (!ok.includes(insn.imm)) env.fail(-EINVAL, `BPF_ATOMIC uses invalid atomic opcode ${(insn.imm >>> 0).toString(16).padStart(2, "0")}`);
  if (sz !== 4 && sz !== 8) env.fail(-EINVAL, "invalid atomic operand size");
  const s = regOf(env, st, insn.src, true);
  const base = regOf(env, st, insn.dst, true);
  if (insn.imm === 0xf1) regOf(env, st, 0, true);
  if (isPtr(s) && !env.allow_ptr_leaks) env.fail(-EACCES, `R${insn.src} leaks addr into mem`);
  if (base.t === T.CTX || base.t === T.PKT || base.t === T.PKT_META) env.fail(-EACCES, `BPF_ATOMIC stores into R${insn.dst} ${regTypeStr(base.t)} is not allowed`);
  // The fetched value is what the read gives (a spilled constant stays known); the slot turns to misc.
  const tmp = new Reg();
  checkMemAccess(env, st, insn.dst, insn.off, sz, false, null, null, tmp, true);
  checkMemAccess(env, st, insn.dst, insn.off, sz, true, null, null, null, true);
  if (insn.imm & 1) {
    const d = insn.imm === 0xf1 ? 0 : insn.src;
    const r = regOf(env, st, d, false);
    r.copyFrom(tmp);
  }
}

// --- bpf_check ---------------------------------------------------------------------------------

/**
 * bpf_check() after bpf_vlog_init: the pre-passes, the walk, stack depth,
 * the statistics line. Returns 0 or -errno; on success the program gets its
 * used maps, xlated insns and verified_insns.
 */
export function bpf_check(t: Task, prog: BpfProg, log: VLog, token: BpfToken | null = null, btfi: BtfInfoHooks | null = null): CheckResult {
  const env = new Env(t, prog, log, decode(prog.orig), token);
  env.btfi = btfi;
  let err = 0;
  let reason = "";
  // The clock is read only for the BPF_LOG_STATS line.
  const started = log.level & BPF_LOG_STATS ? Date.now() : 0;
  let starts: readonly number[] = MAIN_ONLY_STARTS;
  try {
    // check_btf_info_early() before add_subprog_and_kfunc, check_btf_info() after check_subprogs.
    btfHook(btfi?.early() ?? null);
    addSubprogs(env);
    checkSubprogs(env);
    // The subprograms' starts are fixed from here on: one array serves check_btf_info, the program and its xlated dump.
    starts = env.subprogs.length === 1 ? MAIN_ONLY_STARTS : env.subprogs.map((s) => s.start);
    btfHook(btfi?.late(starts, prog.orig) ?? null);
    checkAttachBtfId(env);
    resolveLdImm64(env);
    checkCfg(env);
    // computeLive(): run on first use (Env.liveIn).
    if (log.level & BPF_LOG_LEVEL2) {
      for (let i = 0; i < env.subprogs.length; i++) env.verbose(`func#${i} @${env.subprogs[i]!.start}\n`);
      env.verbose("Live regs before insn:\n");
      for (let i = 0; i < env.n; i++) {
        const insn = insnAt(env.a, i);
        let m = "";
        for (let r = 0; r < 10; r++) m += env.liveIn[i]! & (1 << r) ? String(r) : ".";
        env.verbose(`${String(i).padStart(7)}: ${m} ${disasm(insn, isLdImm64(insn) ? fakeImm64(env, i) : undefined)}\n`);
        if (isLdImm64(insn)) i++;
      }
    }
    doCheck(env);
    // do_check_common() ends a successful walk by dropping the per-insn log.
    if (env.level1 && !(log.level & BPF_LOG_LEVEL2)) log.reset(0);
    // do_check_subprogs(): each global function a walk called is verified alone against its BTF prototype, until no new one is called.
    for (let again = btfi !== null; again; ) {
      again = false;
      for (let i = 1; i < env.subprogs.length; i++) {
        if (!btfi!.isGlobal(i) || !env.globalCalled.has(i) || env.globalVerified.has(i)) continue;
        doCheck(env, i);
        if (env.level1 && !(log.level & BPF_LOG_LEVEL2)) log.reset(0);
        if (env.level1) env.verbose(`Func#${i} ('${btfi!.subprogName(i)}') is safe for any args that match its prototype\n`);
        env.globalVerified.add(i);
        again = true;
      }
    }
    // check_max_stack_depth(): frames rounded to 16 bytes (JIT) along the call chain must fit in 512.
    // bpf_enable_priv_stack(): the x86-64 JIT gives tracing programs (kprobe, tracepoint, perf_event,
    // raw tracepoints) without tail calls a private stack for frames of 64 bytes or more, not counted here.
    // One subprogram is never refused here: the sum is only looked at with more.
    if (env.subprogs.length > 1) {
      const privStack = privStackType(env.prog.type) && !hasTailCall(env);
      let sumDepth = 0;
      for (const sp of env.subprogs) {
        const d = Math.ceil(sp.stack_depth / 16) * 16;
        sumDepth += privStack && d >= 64 ? 0 : d;
      }
      if (sumDepth > MAX_BPF_STACK) env.fail(-EACCES, `combined stack size of ${env.subprogs.length} calls is ${sumDepth}. Too large`);
    }
  } catch (e) {
    if (!(e instanceof VerifyError)) throw e;
    err = e.err;
    reason = e.reason;
  }
  // print_verification_stats()
  if (log.level & BPF_LOG_STATS) {
    env.verbose(`verification time ${Math.max(0, Math.round((Date.now() - started) * 1000))} usec\n`);
    env.verbose("stack depth " + env.subprogs.map((s) => Math.ceil(s.stack_depth / 8) * 8 || s.stack_depth).join("+") + "\n");
  }
  // The summary line is printed at any non-zero log level, BPF_LOG_FIXED alone included (probed: level 8 → 98 bytes).
  if (log.level) {
    env.verbose(`processed ${env.insn_processed} insns (limit ${BPF_COMPLEXITY_LIMIT_INSNS}) max_states_per_insn ${env.max_states_per_insn} total_states ${env.total_states} peak_states ${env.peak_states} mark_read 0\n`);
  }
  if (!err) {
    for (const m of env.used_maps) {
      m.refcnt++;
      prog.used_maps.push(m);
    }
    prog.verified_insns = env.insn_processed;
    prog.subprog_starts = starts;
    // A main program alone with no stack (a frozen [0] is also what the starts of such a program are) shares one array.
    prog.stack_depth = env.subprogs.length === 1 && env.subprogs[0]!.stack_depth === 0 ? MAIN_ONLY_STARTS : env.subprogs.map((s) => s.stack_depth);
    prog.setXlatedBuilder(xlatedBuilder(env, starts));
    adjLinfoAfterRemove(prog, btfi);
  }
  // Nothing reads the insns' words after the load: the shared arrays keep no view of this program's buffer.
  env.a.w = NO_WORDS;
  return { err, reason };
}

/** Tracing types the x86-64 JIT may give a private stack (bpf_enable_priv_stack). */
function privStackType(pt: number): boolean {
  return pt === PT.KPROBE || pt === PT.TRACEPOINT || pt === PT.PERF_EVENT || pt === PT.RAW_TRACEPOINT || pt === PT.RAW_TRACEPOINT_WRITABLE;
}

/** A bpf_tail_call helper call anywhere in the program (prog->aux->tail_call_reachable for the private stack). */
function hasTailCall(env: Env): boolean {
  const a = env.a;
  const code = a.code;
  for (let i = 0; i < env.n; i++) if (code[i] === 0x85 && insnSrc(a, i) === 0 && insnImm(a, i) === 12) return true;
  return false;
}

/**
 * bpf_adj_linfo_after_remove(): the dead-code passes drop the line records of
 * removed instructions; of those right before live code only the last stays,
 * moved onto that code, and records past the program's new end go. Removed
 * instructions map to the next live one (xlatedOffset), so among records
 * landing on one offset the last is kept. The records are the load's own
 * (ProgBtfLoad.linfo), which the program keeps after bpf_check.
 */
function adjLinfoAfterRemove(prog: BpfProg, btfi: BtfInfoHooks | null): void {
  const li = (btfi as (BtfInfoHooks & { linfo?: { insn_off: number }[] }) | null)?.linfo;
  if (!li || li.length === 0) return;
  const end = prog.xlated.length / 8;
  const keep = li.filter((r, i) => {
    const at = xlatedOffset(prog, r.insn_off);
    const next = li[i + 1];
    return at < end && (next === undefined || xlatedOffset(prog, next.insn_off) !== at);
  });
  if (keep.length !== li.length) li.splice(0, li.length, ...keep);
}

function btfHook(r: { err: number; reason: string } | null): void {
  if (r) throw new VerifyError(r.err, r.reason);
}

/**
 * The map references in dump form (bpf_insn_prepare_dump: pseudo kind, map id,
 * value offset), then the verifier's rewrites (fixups.ts). The interpreter
 * keeps running the loaded instructions (mapRefDump).
 *
 * Built when the dump is first read (BpfProg.xlated), from what the walk left:
 * the walk's sets and maps are not touched after bpf_check() returns, the
 * loaded instructions never change, and the maps' ids and attributes are
 * fixed while the program holds them, so the bytes are those a build at load
 * time gives. Only these inputs are kept, not the verifier environment.
 */
/** Every insn (ld_imm64 first halves) was reached: what the dead-code passes ask of the seen marks. */
const ALL_SEEN = { has: (_k: number): boolean => true };

/**
 * The walk's seen marks for the dead-code passes, out of the shared
 * InsnArrays: the passes only ask about ld_imm64 first halves and other
 * insns (never a second half), so a program that reached all of those
 * needs no copy.
 */
/** The starts of a program that is only its main subprogram; nothing writes into the starts arrays. */
const MAIN_ONLY_STARTS: readonly number[] = Object.freeze([0]);
const NO_LOOP_INLINE: ReadonlyMap<number, { fit: boolean; callback: number }> = new Map();

function seenSet(env: Env): { has(k: number): boolean } {
  const { flags } = env.a;
  // The walks reach no second half of an ld_imm64 (check_cfg refuses jumps there), so they reached
  // everything else exactly when they reached n - pairs distinct insns.
  if (env.seenCount === env.n - env.ldImm64Pairs) return ALL_SEEN;
  const set = new Set<number>();
  for (let i = 0; i < env.n; i++) if (flags[i]! & F_SEEN) set.add(i);
  return set;
}

function xlatedBuilder(env: Env, starts: readonly number[]): () => Uint8Array {
  const prog = env.prog;
  const ldMaps = env.ldMapsOrNull ?? NO_LD_MAPS;
  const progType = prog.type;
  const ctxInsns = env.ctxInsnsOrNull ?? NO_INSNS;
  const callMaps = env.callMapsOrNull ?? NO_CALL_MAPS;
  const seen = seenSet(env);
  const privileged = env.bpf_capable;
  const directWrite = env.seenDirectWrite;
  // optimize_bpf_loop(): each fit call, with the stack depth of the subprogram holding it.
  let loopInline: Map<number, { callback: number; stackDepth: number }> | null = null;
  for (const [k, li] of env.loopInlineOrNull ?? NO_LOOP_INLINE) {
    if (!li.fit) continue;
    loopInline ??= new Map();
    let sub = 0;
    while (sub + 1 < env.subprogs.length && env.subprogs[sub + 1]!.start <= k) sub++;
    loopInline.set(k, { callback: li.callback, stackDepth: env.subprogs[sub]!.stack_depth });
  }
  return () => {
    const out = prog.orig.slice();
    const dv = new DataView(out.buffer);
    for (const [i, m] of ldMaps) {
      out[i * 8 + 1] = (out[i * 8 + 1]! & 0x0f) | ((m.value ? 2 : 1) << 4);
      dv.setUint32(i * 8 + 4, m.map.id, true);
      dv.setUint32(i * 8 + 12, m.off, true);
    }
    setMapRefDump(prog, out);
    const r = xlatedInsns({ loopInline, insns: out, progType, ctxInsns, callMaps, subprogStarts: starts, seen, privileged, directWrite });
    setXlatedIndex(prog, r.newIndex);
    return r.xlated;
  };
}

// SPDX-License-Identifier: GPL-2.0-only
// The BPF interpreter (kernel/bpf/core.c, ___bpf_prog_run) over a small
// address model: context, stack frames, packet and map values are regions
// at fixed fake addresses, so pointers are plain u64 values as in the
// kernel. The whole current ISA runs: ALU/ALU64 with sdiv/smod/movsx/bswap,
// JMP/JMP32, LD_IMM64/ABS/IND, LDX/LDX MEMSX, ST/STX and atomics; helpers
// are the map element helpers, a few scalar and packet ones, and bpf_loop
// (its callback runs as a call frame per iteration).

import type { BpfMap } from "./bpf.ts";
import { mapOps, type MapOps } from "./maps.ts";
import { mapRefDump } from "./fixups.ts";
import type { BpfProg } from "./prog.ts";
import type { Task } from "./task.ts";

export interface Region {
  /**
   * The region's first address. A number: every region lies below 2^48, where
   * doubles are exact, and an address at or above 2^53 stays above them all
   * when converted, so the bounds checks need no BigInt arithmetic.
   */
  base: number;
  bytes: Uint8Array;
  /** Called after a store into the region (map values write back). */
  onWrite?: () => void;
  /**
   * When the owner gives it (false), set on every write into the region the
   * program makes (stores, atomics, helpers writing into its memory), so an
   * owner that reuses the bytes from run to run knows whether they changed.
   */
  written?: boolean;
}

/** Packet helpers of the test-run context (bpf_xdp_adjust_head/tail, bpf_skb_load/store_bytes). */
export interface PktOps {
  adjustHead?: (delta: number) => number;
  adjustTail?: (delta: number) => number;
  loadBytes?: (off: number, len: number) => Uint8Array | null;
  storeBytes?: (off: number, src: Uint8Array) => number;
}

export interface RunCtx {
  pkt?: PktOps;
  /** bpf_tail_call(): the program in the slot, if any. */
  tailCall?: (map: BpfMap, index: number) => BpfProg | null;
  t: Task;
  prog: BpfProg;
  regions: Region[];
  /** The context pointer (R1 at entry). */
  ctx: bigint;
  /** Context loads that are not plain memory (packet pointers, computed fields). */
  ctxLoad?: (off: number, size: number) => bigint | undefined;
  /** LD_ABS/LD_IND: the packet bytes they index, from skb->data. */
  skbData?: () => Uint8Array;
  /**
   * Stack regions by call depth kept from run to run of this context (see
   * newStack): the caller drops them from `regions` between runs, and a
   * stack is zeroed whenever it is mapped again.
   */
  stacks?: Region[];
  /**
   * Map value regions made since `regions` last lost them (a test run
   * resets both per repeat): each gets its own 1 MiB window above
   * MAPVAL_BASE. Per context, not per process: a process-wide count reached
   * FUNC/STACK space after 2^24 lookups.
   */
  mapValueSlot?: number;
}

export const STACK_BASE = 0x7f0000000000n;
/** A BPF_PSEUDO_FUNC ld_imm64 gives this plus the callee's insn index (the kernel gives its address). */
const FUNC_BASE = 0x5f0000000000n;
/** BPF_MAX_LOOPS */
const BPF_MAX_LOOPS = 8n * 1024n * 1024n;
export const MAPVAL_BASE = 0x6f0000000000n;

const U64 = (1n << 64n) - 1n;
/** BPF_SIZE(): BPF_W, BPF_H, BPF_B, BPF_DW in bytes. */
const SIZES: readonly number[] = [4, 2, 1, 8];

class Fault extends Error {}

/** find()'s second result: the access's offset in the region it returned (no object per access). */
const foundAt = { off: 0 };

function find(rc: RunCtx, addr: bigint, size: number): Region {
  const a = Number(addr);
  const regions = rc.regions;
  for (let i = 0; i < regions.length; i++) {
    const r = regions[i]!;
    const d = a - r.base;
    if (d >= 0 && d + size <= r.bytes.length) {
      foundAt.off = d;
      return r;
    }
  }
  throw new Fault(`access to 0x${addr.toString(16)}+${size} outside every region`);
}

function load(rc: RunCtx, addr: bigint, size: number): bigint {
  if (rc.ctxLoad) {
    // Both below 2^53 when it matters (see Region.base): the offset is exact, and a far address is far off.
    const d = Number(addr) - Number(rc.ctx);
    if (d >= 0 && d < 0x10000) {
      const v = rc.ctxLoad(d, size);
      if (v !== undefined) return v;
    }
  }
  const r = find(rc, addr, size);
  const b = r.bytes;
  const o = foundAt.off;
  // Little-endian, assembled as numbers: one BigInt per load rather than two per byte.
  switch (size) {
    case 1:
      return BigInt(b[o]!);
    case 2:
      return BigInt(b[o]! | (b[o + 1]! << 8));
    case 4:
      return BigInt((b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0);
    case 8: {
      const lo = (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
      const hi = (b[o + 4]! | (b[o + 5]! << 8) | (b[o + 6]! << 16) | (b[o + 7]! << 24)) >>> 0;
      return (BigInt(hi) << 32n) | BigInt(lo);
    }
  }
  let v = 0n;
  for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[o + i]!);
  return v;
}

/** The low `size` bytes of v, little-endian; then the region's write hook. */
function store(rc: RunCtx, addr: bigint, size: number, v: bigint): void {
  const r = find(rc, addr, size);
  const b = r.bytes;
  const o = foundAt.off;
  if (size <= 4) {
    const x = Number(BigInt.asUintN(32, v));
    for (let i = 0; i < size; i++) b[o + i] = (x >>> (8 * i)) & 0xff;
  } else {
    const lo = Number(BigInt.asUintN(32, v));
    const hi = Number(BigInt.asUintN(32, v >> 32n));
    for (let i = 0; i < 4; i++) b[o + i] = (lo >>> (8 * i)) & 0xff;
    for (let i = 4; i < size; i++) b[o + i] = (hi >>> (8 * (i - 4))) & 0xff;
  }
  if (r.written === false) r.written = true;
  r.onWrite?.();
}

/** Map value windows between MAPVAL_BASE and STACK_BASE. */
const MAPVAL_SLOTS = Number((STACK_BASE - MAPVAL_BASE) / 0x100000n) - 1;

/**
 * A map value as the program sees it: a region over a copy that writes back
 * on every store. A class, so that the write-back is a method and not a named
 * closure per lookup (a defineProperty each under tsx).
 */
class MapValueRegion implements Region {
  readonly base: number;
  readonly bytes: Uint8Array;
  private readonly t: Task;
  private readonly map: BpfMap;
  private readonly ops: MapOps;
  private readonly key: Uint8Array;

  constructor(base: number, t: Task, map: BpfMap, key: Uint8Array, value: Uint8Array) {
    this.base = base;
    this.t = t;
    this.map = map;
    this.ops = mapOps(map);
    this.key = key;
    this.bytes = value;
  }

  onWrite(): void {
    void this.ops.map_update_sys?.(this.t, this.map, this.key, this.bytes, 2n);
  }
}

function mapValueRegion(rc: RunCtx, map: BpfMap, key: Uint8Array, value: Uint8Array): bigint {
  const slot = (rc.mapValueSlot ?? 0) + 1;
  // One run with this many lookups (bpf_loop can make 8M per call) would need windows above STACK_BASE: end the run rather than alias the stack.
  if (slot > MAPVAL_SLOTS) throw new Fault("bpfemu: more map values in one run than the emulator's address windows hold");
  rc.mapValueSlot = slot;
  const base = MAPVAL_BASE + BigInt(slot) * 0x100000n;
  rc.regions.push(new MapValueRegion(Number(base), rc.t, map, key, value));
  return base;
}

function bytesAt(rc: RunCtx, addr: bigint, n: number): Uint8Array {
  const r = find(rc, addr, n);
  return r.bytes.slice(foundAt.off, foundAt.off + n);
}

/**
 * The used map a map pointer names (the map id stands in its address). A
 * module function, not a closure per helper call: under tsx every named
 * closure costs a defineProperty when it is made.
 */
function mapOfPtr(prog: BpfProg, v: bigint): BpfMap {
  const m = prog.used_maps.find((x) => BigInt(x.id) === (v >> 12n) - 0xffff888100000n);
  if (!m) throw new Fault("bad map pointer");
  return m;
}

/** Each call depth's stack base and frame pointer (base + 512), made once: BigInt arithmetic allocates. */
const stackBases: number[] = [];
const stackFps: bigint[] = [];

/**
 * A zeroed 512-byte stack for call depth `depth`; returns its frame pointer.
 * The region is the one already mapped for that depth (zeroed again), else
 * the RunCtx's spare one for the depth (zeroed, as a new one would be), else
 * a new one, kept as the spare: a test run's many repeats then allocate no
 * stack after the first.
 */
function newStack(rc: RunCtx, depth: number): bigint {
  let base = stackBases[depth];
  if (base === undefined) {
    const b = STACK_BASE + BigInt(depth) * 0x1000n;
    base = Number(b);
    stackBases[depth] = base;
    stackFps[depth] = b + 512n;
  }
  const regions = rc.regions;
  for (let i = 0; i < regions.length; i++) {
    const r = regions[i]!;
    if (r.base === base) {
      r.bytes.fill(0);
      return stackFps[depth]!;
    }
  }
  const spare = rc.stacks;
  let r = spare?.[depth];
  if (r !== undefined) r.bytes.fill(0);
  else {
    r = { base, bytes: new Uint8Array(512) };
    if (spare) spare[depth] = r;
  }
  regions.push(r);
  return stackFps[depth]!;
}

/** The low w bits of val, byte-swapped (BPF_END to big-endian, or bswap). */
function bswapBits(val: bigint, w: bigint): bigint {
  let out = 0n;
  for (let i = 0n; i < w / 8n; i++) out = (out << 8n) | ((val >> (i * 8n)) & 0xffn);
  return out;
}

function callHelper(rc: RunCtx, id: number, a: bigint[], prog: BpfProg): bigint {
  switch (id) {
    case 1: {
      const map = mapOfPtr(prog, a[1]!);
      const key = bytesAt(rc, a[2]!, map.key_size);
      const ops = mapOps(map);
      const value = new Uint8Array(map.value_size);
      if (!ops.map_lookup_sys || ops.map_lookup_sys(rc.t, map, key, value, 0n) !== 0) return 0n;
      return mapValueRegion(rc, map, key, value);
    }
    case 2: {
      const map = mapOfPtr(prog, a[1]!);
      const key = bytesAt(rc, a[2]!, map.key_size);
      const value = bytesAt(rc, a[3]!, map.value_size);
      const r = mapOps(map).map_update_sys?.(rc.t, map, key, value, a[4]!) ?? -22;
      return BigInt.asUintN(64, BigInt(r));
    }
    case 3: {
      const map = mapOfPtr(prog, a[1]!);
      const key = bytesAt(rc, a[2]!, map.key_size);
      const r = mapOps(map).map_delete_elem?.(rc.t, map, key) ?? -22;
      return BigInt.asUintN(64, BigInt(r));
    }
    case 5:
    case 125:
      return BigInt(Date.now()) * 1_000_000n;
    case 7:
      return BigInt((Math.random() * 2 ** 32) >>> 0);
    case 8:
    case 42:
      return 0n;
    case 14:
    case 15:
      return 0n;
    case 23:
      // bpf_redirect(): XDP_REDIRECT for XDP, TC_ACT_REDIRECT for tc; unknown flags give the drop/shot code.
      if (a[2]! & ~1n) return rc.prog.type === 6 ? 0n : 2n;
      return rc.prog.type === 6 ? 4n : 7n;
    case 44:
    case 65: {
      // Called as methods: the test run's PktOps is an object whose helpers read its packet through `this`.
      const p = rc.pkt;
      const delta = Number(BigInt.asIntN(32, a[2]! & 0xffffffffn));
      const r = id === 44 ? p?.adjustHead?.(delta) : p?.adjustTail?.(delta);
      if (r === undefined) throw new Fault(`helper ${id} has no packet here`);
      return BigInt.asUintN(64, BigInt(r));
    }
    case 26: {
      const off = Number(BigInt.asIntN(32, a[2]! & 0xffffffffn));
      const len = Number(a[4]! & 0xffffffffn);
      const got = rc.pkt?.loadBytes?.(off, len) ?? null;
      const r = find(rc, a[3]!, len);
      const o = foundAt.off;
      if (r.written === false) r.written = true;
      // The kernel writes the destination's own memory: a map value takes the bytes (or the zeroes of a failed load) too.
      if (got === null) {
        r.bytes.fill(0, o, o + len);
        r.onWrite?.();
        return BigInt.asUintN(64, -14n);
      }
      r.bytes.set(got, o);
      r.onWrite?.();
      return 0n;
    }
    case 9: {
      const off = Number(BigInt.asIntN(32, a[2]! & 0xffffffffn));
      const len = Number(a[4]! & 0xffffffffn);
      const src = bytesAt(rc, a[3]!, len);
      return BigInt.asUintN(64, BigInt(rc.pkt?.storeBytes?.(off, src) ?? -14));
    }
    case 10:
      return BigInt.asUintN(64, BigInt(l3CsumReplace(rc, a)));
    case 51:
      return redirectMap(rc, mapOfPtr(prog, a[1]!), a[2]!, a[3]!);
    default:
      throw new Fault(`helper ${id} cannot run in the emulator`);
  }
}

// One's-complement arithmetic of include/net/checksum.h. The sums are byte-order symmetric, so the words are taken
// in network order straight from the bytes the program's registers would store (little-endian) and the packet's.
const be16OfReg = (v: bigint): number => {
  const x = Number(v & 0xffffn);
  return ((x & 0xff) << 8) | (x >>> 8);
};
const be32OfReg = (v: bigint): number => {
  const x = Number(v & 0xffffffffn);
  return (((x & 0xff) << 24) | (((x >>> 8) & 0xff) << 16) | (((x >>> 16) & 0xff) << 8) | (x >>> 24)) >>> 0;
};
function csum16Add(a: number, b: number): number {
  let r = (a + b) & 0xffff;
  if (r < b) r = (r + 1) & 0xffff;
  return r;
}
function csumAdd(a: number, b: number): number {
  let r = (a + b) >>> 0;
  if (r < b) r = (r + 1) >>> 0;
  return r;
}
function csumFold(c: number): number {
  let s = (c & 0xffff) + (c >>> 16);
  s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

/**
 * bpf_l3_csum_replace() (net/core/filter.c): flags other than the field size are EINVAL, an odd or too large offset
 * and a field past the packet are EFAULT, then csum_replace_by_diff / csum_replace2 / csum_replace4 by size.
 */
function l3CsumReplace(rc: RunCtx, a: bigint[]): number {
  const offset = a[2]!;
  const from = a[3]!;
  const to = a[4]!;
  const flags = a[5]!;
  if (flags & ~0xfn) return -22;
  if (offset > 0xffffn || offset & 1n) return -14;
  const off = Number(offset);
  const cur = rc.pkt?.loadBytes?.(off, 2) ?? null;
  if (cur === null) return -14;
  const sum = (cur[0]! << 8) | cur[1]!;
  let res: number;
  switch (Number(flags & 0xfn)) {
    case 0:
      if (from !== 0n) return -22;
      // csum_replace_by_diff()
      res = csumFold(csumAdd(be32OfReg(to), (~sum | 0xffff0000) >>> 0));
      break;
    case 2:
      // csum_replace2()
      res = ~csum16Add(csum16Add(~sum & 0xffff, ~be16OfReg(from) & 0xffff), be16OfReg(to)) & 0xffff;
      break;
    case 4: {
      // csum_replace4()
      const tmp = csumAdd((~sum & 0xffff | 0xffff0000) >>> 0, ~be32OfReg(from) >>> 0);
      res = csumFold(csumAdd(tmp, be32OfReg(to)));
      break;
    }
    default:
      return -22;
  }
  return rc.pkt?.storeBytes?.(off, Uint8Array.of(res >>> 8, res & 0xff)) ?? -14;
}

/**
 * bpf_xdp_redirect_map() (__bpf_xdp_redirect_map): flags beyond the action bits and the map type's own flags give
 * XDP_ABORTED; an empty slot gives the action in the flags' low bits (unless broadcasting); a filled one
 * XDP_REDIRECT, which a test run reports as the return value without sending anything.
 */
function redirectMap(rc: RunCtx, map: BpfMap, index: bigint, flags: bigint): bigint {
  const ACTIONS = 3n;
  const BROADCAST = 8n;
  const devmap = map.map_type === 14 || map.map_type === 25;
  const flagMask = devmap ? BROADCAST | 16n : 0n;
  if (flags & ~(ACTIONS | flagMask)) return 0n;
  const key = new Uint8Array(map.key_size);
  new DataView(key.buffer).setUint32(0, Number(index & 0xffffffffn), true);
  const value = new Uint8Array(map.value_size);
  // The lookup takes a u32 key: the index is truncated, as the helper's call does.
  const found = mapOps(map).map_lookup_sys?.(rc.t, map, key, value, 0n) === 0;
  if (!found && !(flags & BROADCAST)) return flags & ACTIONS;
  return 4n;
}

/** ___bpf_prog_run(): returns R0, or a fault message. */
export function bpf_prog_run(rc: RunCtx): { r0: bigint } | { fault: string } {
  let prog = rc.prog;
  let code = prog.orig;
  let n = code.length / 8;
  let tailCalls = 0;
  const regs: bigint[] = [0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n];
  // A frame is a bpf-to-bpf call, or a bpf_loop() running its callback (loop: the next index, the count, the callback and its context).
  const frames: { ret: number; saved: bigint[]; fp: bigint; loop?: { i: bigint; n: bigint; cb: number; ctx: bigint } }[] = [];
  let depth = 0;
  regs[1] = rc.ctx;
  regs[10] = newStack(rc, depth);
  let pc = 0;
  let steps = 0;
  try {
    for (;;) {
      if (pc < 0 || pc >= n) throw new Fault(`pc ${pc} out of the program`);
      if (++steps > 10_000_000) throw new Fault("too many steps");
      const o = pc * 8;
      const op = code[o]!;
      const dst = code[o + 1]! & 0xf;
      const src = code[o + 1]! >> 4;
      // The insn's fields from the bytes (little-endian, sign-extended by the shifts): no DataView per run.
      const off = ((code[o + 2]! | (code[o + 3]! << 8)) << 16) >> 16;
      const imm = code[o + 4]! | (code[o + 5]! << 8) | (code[o + 6]! << 16) | (code[o + 7]! << 24);
      const cls = op & 7;
      pc++;
      if (cls === 7 || cls === 4) {
        const is64 = cls === 7;
        const bits = is64 ? 64 : 32;
        const m = is64 ? U64 : 0xffffffffn;
        const x = (op & 8) !== 0;
        const aop = op & 0xf0;
        let a = regs[dst]! & m;
        let b = (x ? regs[src]! : BigInt.asUintN(64, BigInt(imm))) & m;
        // The signed views only for the ops that read them (sdiv, smod, arsh): BigInt arithmetic allocates.
        let r: bigint;
        switch (aop) {
          case 0x00: r = a + b; break;
          case 0x10: r = a - b; break;
          case 0x20: r = a * b; break;
          case 0x30:
            if (off === 1) {
              const sa = BigInt.asIntN(bits, a);
              const sb = BigInt.asIntN(bits, b);
              r = sb === 0n ? 0n : sb === -1n ? -sa : sa / sb;
            } else r = b === 0n ? 0n : a / b;
            break;
          case 0x40: r = a | b; break;
          case 0x50: r = a & b; break;
          case 0x60: r = a << (b & (is64 ? 63n : 31n)); break;
          case 0x70: r = a >> (b & (is64 ? 63n : 31n)); break;
          case 0x80: r = -a; break;
          case 0x90:
            if (off === 1) {
              const sa = BigInt.asIntN(bits, a);
              const sb = BigInt.asIntN(bits, b);
              r = sb === 0n ? sa : sb === -1n ? 0n : sa % sb;
            } else r = b === 0n ? a : a % b;
            break;
          case 0xa0: r = a ^ b; break;
          case 0xb0:
            if (x && off) {
              const s = regs[src]! & ((1n << BigInt(off)) - 1n);
              r = BigInt.asIntN(off, s);
            } else r = x ? regs[src]! : BigInt.asUintN(64, BigInt(imm));
            break;
          case 0xc0: r = BigInt.asIntN(bits, a) >> (b & (is64 ? 63n : 31n)); break;
          case 0xd0: {
            const w = BigInt(imm);
            a = regs[dst]!;
            const val = a & ((1n << w) - 1n);
            // BPF_TO_LE on a little-endian host truncates; BPF_TO_BE and ALU64 bswap swap.
            r = is64 || x ? bswapBits(val, w) : val;
            regs[dst] = r;
            continue;
          }
          default: throw new Fault(`bad ALU op ${op}`);
        }
        void b;
        regs[dst] = is64 ? BigInt.asUintN(64, r) : BigInt.asUintN(32, r);
        continue;
      }
      if (cls === 5 || cls === 6) {
        const jop = op & 0xf0;
        if (jop === 0x80) {
          if (src === 1) {
            frames.push({ ret: pc, saved: [regs[6]!, regs[7]!, regs[8]!, regs[9]!, regs[10]!], fp: regs[10]! });
            depth++;
            regs[10] = newStack(rc, depth);
            pc = pc + imm;
            continue;
          }
          if (imm === 12) {
            // bpf_tail_call(): on success the target replaces this program, stack and registers kept; MAX_TAIL_CALL_CNT 33.
            const map = rc.prog.used_maps.find((x) => BigInt(x.id) === (regs[2]! >> 12n) - 0xffff888100000n) ?? prog.used_maps.find((x) => BigInt(x.id) === (regs[2]! >> 12n) - 0xffff888100000n);
            const target = map && tailCalls < 33 ? rc.tailCall?.(map, Number(regs[3]! & 0xffffffffn)) ?? null : null;
            if (target) {
              tailCalls++;
              prog = target;
              code = prog.orig;
              n = code.length / 8;
              pc = 0;
            }
            continue;
          }
          if (imm === 181) {
            // bpf_loop(): flags must be 0 and nr_loops (u32) at most BPF_MAX_LOOPS; the callback gets (i, ctx) and stops the loop by returning non-zero.
            const nr = regs[1]! & 0xffffffffn;
            if (regs[4]! !== 0n) regs[0] = BigInt.asUintN(64, -22n);
            else if (nr > BPF_MAX_LOOPS) regs[0] = BigInt.asUintN(64, -7n);
            else if (nr === 0n) regs[0] = 0n;
            else {
              const cb = Number(regs[2]! - FUNC_BASE);
              const ctx = regs[3]!;
              frames.push({ ret: pc, saved: [regs[6]!, regs[7]!, regs[8]!, regs[9]!, regs[10]!], fp: regs[10]!, loop: { i: 0n, n: nr, cb, ctx } });
              depth++;
              regs[10] = newStack(rc, depth);
              regs[1] = 0n;
              regs[2] = ctx;
              pc = cb;
            }
            continue;
          }
          regs[0] = callHelper(rc, imm, regs, prog);
          continue;
        }
        if (jop === 0x90) {
          const f = frames.pop();
          if (!f) return { r0: regs[0]! };
          const lp = f.loop;
          if (lp) {
            lp.i++;
            if (regs[0]! === 0n && lp.i < lp.n) {
              // The next iteration: a fresh call of the callback.
              frames.push(f);
              regs[10] = newStack(rc, depth);
              regs[1] = lp.i;
              regs[2] = lp.ctx;
              pc = lp.cb;
              continue;
            }
            regs[0] = lp.i;
          }
          depth--;
          [regs[6], regs[7], regs[8], regs[9], regs[10]] = f.saved as [bigint, bigint, bigint, bigint, bigint];
          pc = f.ret;
          continue;
        }
        if (jop === 0x00) {
          pc += cls === 6 ? imm : off;
          continue;
        }
        const w = cls === 6;
        const m = w ? 0xffffffffn : U64;
        const bits = w ? 32 : 64;
        const a = regs[dst]! & m;
        const b = ((op & 8) !== 0 ? regs[src]! : BigInt.asUintN(64, BigInt(imm))) & m;
        let t: boolean;
        // The signed views only for the signed compares (BigInt arithmetic allocates).
        switch (jop) {
          case 0x10: t = a === b; break;
          case 0x20: t = a > b; break;
          case 0x30: t = a >= b; break;
          case 0x40: t = (a & b) !== 0n; break;
          case 0x50: t = a !== b; break;
          case 0x60: t = BigInt.asIntN(bits, a) > BigInt.asIntN(bits, b); break;
          case 0x70: t = BigInt.asIntN(bits, a) >= BigInt.asIntN(bits, b); break;
          case 0xa0: t = a < b; break;
          case 0xb0: t = a <= b; break;
          case 0xc0: t = BigInt.asIntN(bits, a) < BigInt.asIntN(bits, b); break;
          case 0xd0: t = BigInt.asIntN(bits, a) <= BigInt.asIntN(bits, b); break;
          default: throw new Fault(`bad JMP op ${op}`);
        }
        if (t) pc += off;
        continue;
      }
      const size = SIZES[(op >> 3) & 3]!;
      const mode = op & 0xe0;
      if (cls === 0) {
        if (op === 0x18) {
          // The second half's imm is the high word; the first's (imm, unsigned) the low one.
          const hi = BigInt((code[o + 12]! | (code[o + 13]! << 8) | (code[o + 14]! << 16) | (code[o + 15]! << 24)) >>> 0);
          const lo = BigInt(imm >>> 0);
          if (src === 1 || src === 2) {
            // The verifier recorded which map each ld_imm64 names (in the loaded insns, not the rewritten dump); the map id stands in its address.
            const mr = mapRefDump(prog);
            const xl = new DataView(mr.buffer, mr.byteOffset, mr.byteLength);
            const id = BigInt(xl.getUint32(o + 4, true));
            if (src === 1) regs[dst] = (0xffff888100000n + id) << 12n;
            else {
              const map = prog.used_maps.find((mm) => BigInt(mm.id) === id)!;
              const key = new Uint8Array(4);
              const value = new Uint8Array(map.value_size);
              mapOps(map).map_lookup_sys?.(rc.t, map, key, value, 0n);
              regs[dst] = mapValueRegion(rc, map, key, value) + hi;
            }
          } else if (src === 4) regs[dst] = FUNC_BASE + BigInt(pc + imm);
          else regs[dst] = (hi << 32n) | lo;
          pc++;
          continue;
        }
        // LD_ABS / LD_IND: big-endian reads from skb->data; out of bounds ends the program with 0.
        const data = rc.skbData ? rc.skbData() : new Uint8Array(0);
        const at = mode === 0x20 ? imm : Number(BigInt.asIntN(32, regs[src]! & 0xffffffffn)) + imm;
        for (let r = 1; r <= 5; r++) regs[r] = 0n;
        if (at < 0 || at + size > data.length) return { r0: 0n };
        let v = 0n;
        for (let i = 0; i < size; i++) v = (v << 8n) | BigInt(data[at + i]!);
        regs[0] = v;
        continue;
      }
      if (cls === 1) {
        let v = load(rc, BigInt.asUintN(64, regs[src]! + BigInt(off)), size);
        if (mode === 0x80) v = BigInt.asUintN(64, BigInt.asIntN(size * 8, v));
        regs[dst] = v;
        continue;
      }
      if (cls === 2) {
        store(rc, BigInt.asUintN(64, regs[dst]! + BigInt(off)), size, BigInt.asUintN(64, BigInt(imm)));
        continue;
      }
      // STX
      const addr = BigInt.asUintN(64, regs[dst]! + BigInt(off));
      if (mode === 0x60) {
        store(rc, addr, size, regs[src]!);
        continue;
      }
      const m = size === 8 ? U64 : 0xffffffffn;
      const old = load(rc, addr, size);
      const sv = regs[src]! & m;
      let nv: bigint;
      switch (imm & ~1) {
        case 0x00: nv = (old + sv) & m; break;
        case 0x40: nv = old | sv; break;
        case 0x50: nv = old & sv; break;
        case 0xa0: nv = old ^ sv; break;
        case 0xe0: nv = sv; break;
        case 0xf0:
          nv = old === (regs[0]! & m) ? sv : old;
          regs[0] = old;
          store(rc, addr, size, nv);
          continue;
        default:
          throw new Fault(`atomic op ${imm}`);
      }
      store(rc, addr, size, nv);
      if (imm & 1) regs[src] = old;
    }
  } catch (e) {
    if (e instanceof Fault) return { fault: e.message };
    throw e;
  }
}

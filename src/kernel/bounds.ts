// SPDX-License-Identifier: GPL-2.0-only
// Scalar range tracking as the verifier does it (kernel/bpf/verifier.c,
// tnum.c): a tnum plus signed/unsigned 64-bit and 32-bit bounds, the
// reg_bounds_sync() family that lets them inform each other, and the
// per-operation range rules of adjust_scalar_min_max_vals() for ALU and
// ALU64. All values are bigint; 32-bit values are kept in their s32/u32
// ranges.

export const U64_MAX = (1n << 64n) - 1n;
export const S64_MAX = (1n << 63n) - 1n;
export const S64_MIN = -(1n << 63n);
export const U32_MAX = 0xffffffffn;
export const S32_MAX = 0x7fffffffn;
export const S32_MIN = -0x80000000n;

export interface Tnum {
  v: bigint;
  m: bigint;
}

export const s64 = (v: bigint): bigint => BigInt.asIntN(64, v);
export const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);
export const s32 = (v: bigint): bigint => BigInt.asIntN(32, v);
export const u32 = (v: bigint): bigint => BigInt.asUintN(32, v);
const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);
const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);

export const tnumConst = (v: bigint): Tnum => ({ v: u64(v), m: 0n });
export const TNUM_UNKNOWN: Tnum = { v: 0n, m: U64_MAX };

export function tnumRange(lo: bigint, hi: bigint): Tnum {
  const chi = lo ^ hi;
  if (chi === 0n) return tnumConst(lo);
  const bits = BigInt(chi.toString(2).length);
  if (bits > 63n) return TNUM_UNKNOWN;
  const delta = (1n << bits) - 1n;
  return { v: lo & ~delta, m: delta };
}
export function tnumAdd(a: Tnum, b: Tnum): Tnum {
  const sm = u64(a.m + b.m);
  const sv = u64(a.v + b.v);
  const sigma = u64(sm + sv);
  const chi = sigma ^ sv;
  const mu = chi | a.m | b.m;
  return { v: sv & ~mu & U64_MAX, m: mu };
}
export function tnumSub(a: Tnum, b: Tnum): Tnum {
  const dv = u64(a.v - b.v);
  const alpha = u64(dv + a.m);
  const beta = u64(dv - b.m);
  const chi = alpha ^ beta;
  const mu = chi | a.m | b.m;
  return { v: dv & ~mu & U64_MAX, m: mu };
}
export function tnumAnd(a: Tnum, b: Tnum): Tnum {
  const alpha = a.v | a.m;
  const beta = b.v | b.m;
  const v = a.v & b.v;
  return { v, m: alpha & beta & ~v & U64_MAX };
}
export function tnumOr(a: Tnum, b: Tnum): Tnum {
  const v = a.v | b.v;
  const mu = a.m | b.m;
  return { v, m: mu & ~v & U64_MAX };
}
export function tnumXor(a: Tnum, b: Tnum): Tnum {
  const v = a.v ^ b.v;
  const mu = a.m | b.m;
  return { v: v & ~mu & U64_MAX, m: mu };
}
/** tnum_mul(): the long-multiplication form. */
export function tnumMul(a: Tnum, b: Tnum): Tnum {
  let accV = u64(a.v * b.v);
  let acc: Tnum = { v: 0n, m: 0n };
  let x = a;
  let y = b;
  while (x.v || x.m) {
    if (x.v & 1n) acc = tnumAdd(acc, { v: 0n, m: y.m });
    else if (x.m & 1n) acc = tnumAdd(acc, { v: 0n, m: y.v | y.m });
    x = { v: x.v >> 1n, m: x.m >> 1n };
    y = { v: u64(y.v << 1n), m: u64(y.m << 1n) };
  }
  const r = tnumAdd({ v: accV, m: 0n }, acc);
  accV = 0n;
  return r;
}
export const tnumLsh = (a: Tnum, s: bigint): Tnum => ({ v: u64(a.v << s), m: u64(a.m << s) });
export const tnumRsh = (a: Tnum, s: bigint): Tnum => ({ v: a.v >> s, m: a.m >> s });
export function tnumArsh(a: Tnum, s: bigint, bits: 32 | 64): Tnum {
  if (bits === 32) return { v: u32(s32(a.v) >> s), m: u32(s32(a.m) >> s) };
  return { v: u64(s64(a.v) >> s), m: u64(s64(a.m) >> s) };
}
export function tnumIntersect(a: Tnum, b: Tnum): Tnum {
  const v = a.v | b.v;
  const mu = a.m & b.m;
  return { v: v & ~mu & U64_MAX, m: mu };
}
export const tnumSubreg = (a: Tnum): Tnum => ({ v: a.v & U32_MAX, m: a.m & U32_MAX });
export const tnumClearSubreg = (a: Tnum): Tnum => ({ v: a.v & ~U32_MAX & U64_MAX, m: a.m & ~U32_MAX & U64_MAX });
export const tnumIsConst = (a: Tnum): boolean => a.m === 0n;
export const tnumSubregIsConst = (a: Tnum): boolean => (a.m & U32_MAX) === 0n;
export const tnumIsUnknown = (a: Tnum): boolean => a.m === U64_MAX;
export const tnumIn = (a: Tnum, b: Tnum): boolean => (b.m & ~a.m) === 0n && (b.v & ~a.m) === a.v;

/** The scalar part of a bpf_reg_state. */
export interface Bounds {
  tn: Tnum;
  smin: bigint;
  smax: bigint;
  umin: bigint;
  umax: bigint;
  s32min: bigint;
  s32max: bigint;
  u32min: bigint;
  u32max: bigint;
}

export function markUnbounded(b: Bounds): void {
  b.smin = S64_MIN;
  b.smax = S64_MAX;
  b.umin = 0n;
  b.umax = U64_MAX;
  b.s32min = S32_MIN;
  b.s32max = S32_MAX;
  b.u32min = 0n;
  b.u32max = U32_MAX;
}
function mark64Unbounded(b: Bounds): void {
  b.smin = S64_MIN;
  b.smax = S64_MAX;
  b.umin = 0n;
  b.umax = U64_MAX;
}
function mark32Unbounded(b: Bounds): void {
  b.s32min = S32_MIN;
  b.s32max = S32_MAX;
  b.u32min = 0n;
  b.u32max = U32_MAX;
}

/** __mark_reg_known() */
export function markKnown(b: Bounds, v: bigint): void {
  const x = u64(v);
  b.tn = tnumConst(x);
  b.umin = b.umax = x;
  b.smin = b.smax = s64(x);
  b.u32min = b.u32max = u32(x);
  b.s32min = b.s32max = s32(x);
}

export function markUnknown(b: Bounds): void {
  b.tn = TNUM_UNKNOWN;
  markUnbounded(b);
}

function update32(b: Bounds): void {
  const t = tnumSubreg(b.tn);
  b.s32min = max(b.s32min, s32(t.v | (t.m & 0x80000000n)));
  b.s32max = min(b.s32max, s32(t.v | (t.m & 0x7fffffffn)));
  b.u32min = max(b.u32min, t.v);
  b.u32max = min(b.u32max, t.v | t.m);
}
function update64(b: Bounds): void {
  const t = b.tn;
  b.smin = max(b.smin, s64(t.v | (t.m & (1n << 63n))));
  b.smax = min(b.smax, s64(t.v | (t.m & S64_MAX)));
  b.umin = max(b.umin, t.v);
  b.umax = min(b.umax, t.v | t.m);
}
/** __update_reg_bounds() */
export function updateBounds(b: Bounds): void {
  update32(b);
  update64(b);
}

function deduce32(b: Bounds): void {
  if (b.umin >> 32n === b.umax >> 32n) {
    b.u32min = max(b.u32min, u32(b.umin));
    b.u32max = min(b.u32max, u32(b.umax));
    if (s32(b.umin) <= s32(b.umax)) {
      b.s32min = max(b.s32min, s32(b.umin));
      b.s32max = min(b.s32max, s32(b.umax));
    }
  }
  if (b.smin >> 32n === b.smax >> 32n) {
    if (u32(b.smin) <= u32(b.smax)) {
      b.u32min = max(b.u32min, u32(b.smin));
      b.u32max = min(b.u32max, u32(b.smax));
    }
    if (s32(b.smin) <= s32(b.smax)) {
      b.s32min = max(b.s32min, s32(b.smin));
      b.s32max = min(b.s32max, s32(b.smax));
    }
  }
  if (u32(u64(b.umin) >> 32n) + 1n === u32(u64(b.umax) >> 32n) || (u32(u64(b.umin) >> 32n) === U32_MAX && u32(u64(b.umax) >> 32n) === 0n)) {
    if (s32(b.umin) < 0n && s32(b.umax) >= 0n) {
      b.s32min = max(b.s32min, s32(b.umin));
      b.s32max = min(b.s32max, s32(b.umax));
    }
  }
  const shi = u32(u64(b.smin) >> 32n);
  const shx = u32(u64(b.smax) >> 32n);
  if (u32(shi + 1n) === shx && s32(b.smin) < 0n && s32(b.smax) >= 0n) {
    b.s32min = max(b.s32min, s32(b.smin));
    b.s32max = min(b.s32max, s32(b.smax));
  }
  if (s32(b.u32min) <= s32(b.u32max)) {
    b.s32min = max(b.s32min, s32(b.u32min));
    b.s32max = min(b.s32max, s32(b.u32max));
  }
  if (u32(b.s32min) <= u32(b.s32max)) {
    b.u32min = max(b.u32min, u32(b.s32min));
    b.u32max = min(b.u32max, u32(b.s32max));
  }
}

function deduce64(b: Bounds): void {
  if (s64(b.umin) <= s64(b.umax)) {
    b.smin = max(b.smin, s64(b.umin));
    b.smax = min(b.smax, s64(b.umax));
  }
  if (u64(b.smin) <= u64(b.smax)) {
    b.umin = max(u64(b.smin), b.umin);
    b.umax = min(u64(b.smax), b.umax);
  } else if (b.umax < u64(b.smin)) {
    b.smin = s64(b.umin);
    b.smax = min(b.smax, s64(b.umax));
  } else if (u64(b.smax) < b.umin) {
    b.smin = max(b.smin, s64(b.umin));
    b.smax = s64(b.umax);
  }
}

function deduceMixed(b: Bounds): void {
  const lo = ~U32_MAX & U64_MAX;
  let nmin = (b.umin & lo) | b.u32min;
  let nmax = (b.umax & lo) | b.u32max;
  b.umin = max(b.umin, nmin);
  b.umax = min(b.umax, nmax);
  let smin = s64((u64(b.smin) & lo) | b.u32min);
  let smax = s64((u64(b.smax) & lo) | b.u32max);
  b.smin = max(b.smin, smin);
  b.smax = min(b.smax, smax);
  if (u32(b.s32min) <= u32(b.s32max)) {
    nmin = (b.umin & lo) | u32(b.s32min);
    nmax = (b.umax & lo) | u32(b.s32max);
    b.umin = max(b.umin, nmin);
    b.umax = min(b.umax, nmax);
    smin = s64((u64(b.smin) & lo) | u32(b.s32min));
    smax = s64((u64(b.smax) & lo) | u32(b.s32max));
    b.smin = max(b.smin, smin);
    b.smax = min(b.smax, smax);
  }
  if (b.s32min >= 0n && b.smin >= S32_MIN && b.smax <= S32_MAX) {
    b.smin = b.s32min;
    b.smax = b.s32max;
    b.umin = b.s32min;
    b.umax = b.s32max;
    b.tn = tnumIntersect(b.tn, tnumRange(u64(b.smin), u64(b.smax)));
  }
}

function boundOffset(b: Bounds): void {
  const v64 = tnumIntersect(b.tn, tnumRange(b.umin, b.umax));
  const v32 = tnumIntersect(tnumSubreg(v64), tnumRange(b.u32min, b.u32max));
  b.tn = tnumOr(tnumClearSubreg(v64), v32);
}

/** reg_bounds_sync() */
export function boundsSync(b: Bounds): void {
  updateBounds(b);
  for (let i = 0; i < 3; i++) {
    deduce32(b);
    deduce64(b);
    deduceMixed(b);
  }
  boundOffset(b);
  updateBounds(b);
}

/** zext_32_to_64(): an ALU32 result is zero-extended. */
export function zext32(b: Bounds): void {
  b.tn = tnumSubreg(b.tn);
  b.umin = b.u32min;
  b.umax = b.u32max;
  if (b.s32min >= 0n && b.s32max >= 0n) {
    b.smin = b.s32min;
    b.smax = b.s32max;
  } else {
    b.smin = 0n;
    b.smax = U32_MAX;
  }
}

/** coerce_reg_to_size(): the low `size` bytes, zero-extended. */
export function coerceToSize(b: Bounds, size: number): void {
  const mask = (1n << BigInt(size * 8)) - 1n;
  b.tn = { v: b.tn.v & mask, m: b.tn.m & mask };
  if ((b.umin & ~mask) === (b.umax & ~mask)) {
    b.umin &= mask;
    b.umax &= mask;
  } else {
    b.umin = 0n;
    b.umax = mask;
  }
  b.smin = b.umin;
  b.smax = b.umax;
  if (size >= 4) {
    b.u32min = u32(b.umin);
    b.u32max = u32(b.umax);
    b.s32min = S32_MIN;
    b.s32max = S32_MAX;
  } else {
    b.u32min = b.umin;
    b.u32max = b.umax;
    b.s32min = b.umin;
    b.s32max = b.umax;
  }
  if (size === 4) {
    b.s32min = S32_MIN;
    b.s32max = S32_MAX;
  }
  boundsSync(b);
}

/** coerce_reg_to_size_sx() for an unknown value: the sign-extended range of `size` bytes. */
export function sextUnknown(b: Bounds, size: number, to32: boolean): void {
  markUnknown(b);
  const half = 1n << BigInt(size * 8 - 1);
  b.smin = -half;
  b.smax = half - 1n;
  b.s32min = -half;
  b.s32max = half - 1n;
  if (to32) {
    b.smin = 0n;
    b.smax = U32_MAX;
    b.umin = 0n;
    b.umax = U32_MAX;
    b.tn = { v: 0n, m: U32_MAX };
  }
  boundsSync(b);
}

const addOv = (a: bigint, b: bigint, lo: bigint, hi: bigint): boolean => a + b < lo || a + b > hi;

/**
 * adjust_scalar_min_max_vals() for the range-computable operations (ADD,
 * SUB, MUL, AND, OR, XOR, and shifts by a constant): both widths are
 * computed, an ALU32 result is zero-extended, then the bounds sync.
 * Returns false when the kernel would mark the result unknown instead.
 */
export function scalarOp(d: Bounds, s: Bounds, op: number, alu32: boolean): boolean {
  const bitness = alu32 ? 32n : 64n;
  const srcConst = alu32 ? tnumSubregIsConst(s.tn) : tnumIsConst(s.tn);
  switch (op) {
    case 0x00: {
      // ADD
      if (addOv(d.s32min, s.s32min, S32_MIN, S32_MAX) || addOv(d.s32max, s.s32max, S32_MIN, S32_MAX)) {
        d.s32min = S32_MIN;
        d.s32max = S32_MAX;
      } else {
        d.s32min += s.s32min;
        d.s32max += s.s32max;
      }
      if (d.u32max + s.u32max > U32_MAX) {
        d.u32min = 0n;
        d.u32max = U32_MAX;
      } else {
        d.u32min += s.u32min;
        d.u32max += s.u32max;
      }
      if (addOv(d.smin, s.smin, S64_MIN, S64_MAX) || addOv(d.smax, s.smax, S64_MIN, S64_MAX)) {
        d.smin = S64_MIN;
        d.smax = S64_MAX;
      } else {
        d.smin += s.smin;
        d.smax += s.smax;
      }
      if (d.umax + s.umax > U64_MAX) {
        d.umin = 0n;
        d.umax = U64_MAX;
      } else {
        d.umin += s.umin;
        d.umax += s.umax;
      }
      d.tn = tnumAdd(d.tn, s.tn);
      break;
    }
    case 0x10: {
      // SUB
      if (addOv(d.s32min, -s.s32max, S32_MIN, S32_MAX) || addOv(d.s32max, -s.s32min, S32_MIN, S32_MAX)) {
        d.s32min = S32_MIN;
        d.s32max = S32_MAX;
      } else {
        const a = d.s32min - s.s32max;
        d.s32max = d.s32max - s.s32min;
        d.s32min = a;
      }
      if (d.u32min < s.u32max) {
        d.u32min = 0n;
        d.u32max = U32_MAX;
      } else {
        d.u32min -= s.u32max;
        d.u32max -= s.u32min;
      }
      if (addOv(d.smin, -s.smax, S64_MIN, S64_MAX) || addOv(d.smax, -s.smin, S64_MIN, S64_MAX)) {
        d.smin = S64_MIN;
        d.smax = S64_MAX;
      } else {
        const a = d.smin - s.smax;
        d.smax = d.smax - s.smin;
        d.smin = a;
      }
      if (d.umin < s.umax) {
        d.umin = 0n;
        d.umax = U64_MAX;
      } else {
        d.umin -= s.umax;
        d.umax -= s.umin;
      }
      d.tn = tnumSub(d.tn, s.tn);
      break;
    }
    case 0x20: {
      // MUL: products of the corners when nothing overflows.
      d.tn = tnumMul(d.tn, s.tn);
      const p32 = [d.s32min * s.s32min, d.s32min * s.s32max, d.s32max * s.s32min, d.s32max * s.s32max];
      if (p32.some((p) => p < S32_MIN || p > S32_MAX)) {
        d.s32min = S32_MIN;
        d.s32max = S32_MAX;
      } else {
        d.s32min = p32.reduce(min);
        d.s32max = p32.reduce(max);
      }
      if (d.u32max * s.u32max > U32_MAX) {
        d.u32min = 0n;
        d.u32max = U32_MAX;
      } else {
        d.u32min *= s.u32min;
        d.u32max *= s.u32max;
      }
      const p64 = [d.smin * s.smin, d.smin * s.smax, d.smax * s.smin, d.smax * s.smax];
      if (p64.some((p) => p < S64_MIN || p > S64_MAX)) {
        d.smin = S64_MIN;
        d.smax = S64_MAX;
      } else {
        d.smin = p64.reduce(min);
        d.smax = p64.reduce(max);
      }
      if (d.umax * s.umax > U64_MAX) {
        d.umin = 0n;
        d.umax = U64_MAX;
      } else {
        d.umin *= s.umin;
        d.umax *= s.umax;
      }
      break;
    }
    case 0x50:
    case 0x40:
    case 0xa0: {
      const f = op === 0x50 ? tnumAnd : op === 0x40 ? tnumOr : tnumXor;
      d.tn = f(d.tn, s.tn);
      const t32 = tnumSubreg(d.tn);
      if (op === 0x50) {
        d.u32min = t32.v;
        d.u32max = min(d.u32max, s.u32max);
      } else if (op === 0x40) {
        d.u32min = max(d.u32min, s.u32min);
        d.u32max = t32.v | t32.m;
      } else {
        d.u32min = t32.v;
        d.u32max = t32.v | t32.m;
      }
      if (s32(d.u32min) <= s32(d.u32max)) {
        d.s32min = s32(d.u32min);
        d.s32max = s32(d.u32max);
      } else {
        d.s32min = S32_MIN;
        d.s32max = S32_MAX;
      }
      if (op === 0x50) {
        d.umin = d.tn.v;
        d.umax = min(d.umax, s.umax);
      } else if (op === 0x40) {
        d.umin = max(d.umin, s.umin);
        d.umax = d.tn.v | d.tn.m;
      } else {
        d.umin = d.tn.v;
        d.umax = d.tn.v | d.tn.m;
      }
      if (s64(d.umin) <= s64(d.umax)) {
        d.smin = s64(d.umin);
        d.smax = s64(d.umax);
      } else {
        d.smin = S64_MIN;
        d.smax = S64_MAX;
      }
      break;
    }
    case 0x60:
    case 0x70:
    case 0xc0: {
      if (!srcConst || s.umax >= bitness) return false;
      const sh = alu32 ? u32(s.tn.v) : s.tn.v;
      if (op === 0x60) {
        if (alu32) {
          lsh32(d, sh);
          d.tn = tnumSubreg(tnumLsh(tnumSubreg(d.tn), sh));
          mark64Unbounded(d);
          update32(d);
        } else {
          // __scalar64_min_max_lsh(): the <<32 special case keeps non-negative 32-bit bounds.
          d.smax = sh === 32n && d.s32max >= 0n ? d.s32max << 32n : S64_MAX;
          d.smin = sh === 32n && d.s32min >= 0n ? d.s32min << 32n : S64_MIN;
          if (d.umax > 1n << (63n - sh)) {
            d.umin = 0n;
            d.umax = U64_MAX;
          } else {
            d.umin <<= sh;
            d.umax <<= sh;
          }
          lsh32(d, sh);
          d.tn = tnumLsh(d.tn, sh);
          updateBounds(d);
        }
      } else if (op === 0x70) {
        if (alu32) {
          d.s32min = S32_MIN;
          d.s32max = S32_MAX;
          const t = tnumRsh(tnumSubreg(d.tn), sh);
          d.u32min >>= sh;
          d.u32max >>= sh;
          d.tn = t;
          mark64Unbounded(d);
          update32(d);
        } else {
          d.smin = S64_MIN;
          d.smax = S64_MAX;
          d.tn = tnumRsh(d.tn, sh);
          d.umin >>= sh;
          d.umax >>= sh;
          mark32Unbounded(d);
          updateBounds(d);
        }
      } else if (alu32) {
        d.s32min = s32(d.s32min) >> sh;
        d.s32max = s32(d.s32max) >> sh;
        d.tn = tnumArsh(tnumSubreg(d.tn), sh, 32);
        d.u32min = 0n;
        d.u32max = U32_MAX;
        mark64Unbounded(d);
        update32(d);
      } else {
        d.smin >>= sh;
        d.smax >>= sh;
        d.tn = tnumArsh(d.tn, sh, 64);
        d.umin = 0n;
        d.umax = U64_MAX;
        mark32Unbounded(d);
        updateBounds(d);
      }
      break;
    }
    default:
      return false;
  }
  if (alu32) zext32(d);
  boundsSync(d);
  return true;
}

function lsh32(d: Bounds, sh: bigint): void {
  d.s32min = S32_MIN;
  d.s32max = S32_MAX;
  if (sh > 31n || d.u32max > 1n << (31n - sh)) {
    d.u32min = 0n;
    d.u32max = U32_MAX;
  } else {
    d.u32min <<= sh;
    d.u32max <<= sh;
  }
}

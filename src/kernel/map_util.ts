// SPDX-License-Identifier: GPL-2.0-only
// Pieces every map implementation shares: the flag masks of include/linux/bpf.h
// and the per-type files, bpf_map_attr_numa_node(), the allocation-size model
// behind bpf_map_area_alloc(), lazily allocated byte storage, and jhash.
// This module imports nothing from maps.ts, so the map implementations can
// be evaluated while maps.ts is still loading.

import type { Attr } from "../abi/attr.ts";
import { copy8, copyBytes } from "../abi/uaccess.ts";
import { BPF_F } from "../uapi/defines.ts";
import type { Kernel } from "./kernel.ts";
import type { MapOps } from "./maps.ts";

/** bpf_map_types[]: index = map type; filled by map_types.ts (kept here, free of import cycles). */
export const bpf_map_types: (MapOps | undefined)[] = [];

export function registerMapOps(type: number, ops: MapOps): void {
  bpf_map_types[type] = ops;
}

export const BPF_ANY = 0;
export const BPF_NOEXIST = 1;
export const BPF_EXIST = 2;
export const BPF_F_LOCK = 4;

export const BPF_F_ACCESS_MASK = BPF_F.RDONLY | BPF_F.RDONLY_PROG | BPF_F.WRONLY | BPF_F.WRONLY_PROG;
export const INT_MAX = 0x7fffffff;
export const U32_MAX = 0xffffffff;
export const PAGE_SIZE = 4096;
/** KMALLOC_MAX_SIZE with SLUB on x86-64: 1 << (MAX_PAGE_ORDER + PAGE_SHIFT) = 4 MiB. */
export const KMALLOC_MAX_SIZE = 4 * 1024 * 1024;
/** PCPU_MIN_UNIT_SIZE: the largest per-CPU value. */
export const PCPU_MIN_UNIT_SIZE = 32 * 1024;
export const MAX_BPF_STACK = 512;
export const NUMA_NO_NODE = -1;

/** bpf_map_flags_access_ok(): RDONLY_PROG and WRONLY_PROG exclude each other. */
export function bpf_map_flags_access_ok(flags: number): boolean {
  return (flags & (BPF_F.RDONLY_PROG | BPF_F.WRONLY_PROG)) !== (BPF_F.RDONLY_PROG | BPF_F.WRONLY_PROG);
}

/** bpf_map_attr_numa_node(): the node only counts with BPF_F_NUMA_NODE. */
export function bpf_map_attr_numa_node(attr: Attr): number {
  return attr.u32("map_flags") & BPF_F.NUMA_NODE ? attr.s32("numa_node") : NUMA_NO_NODE;
}

/** bpf_map_flags_retain_permanent(): RDONLY/WRONLY belong to the fd, not the map. */
export function bpf_map_flags_retain_permanent(flags: number): number {
  return (flags & ~(BPF_F.RDONLY | BPF_F.WRONLY)) >>> 0;
}

export function round_up(v: number, a: number): number {
  return Math.ceil(v / a) * a;
}

/** roundup_pow_of_two() on an unsigned long: 0 and 1 give 1. */
export function roundup_pow_of_two(n: number): number {
  if (n <= 1) return 1;
  // Integer ops up to 2^29, so the result is a small integer to V8: `2 ** x` is a double, and a double stored in
  // a field (a hash map's n_buckets) makes V8 keep that field boxed for every map, unboxed per use on the hot path.
  if (n <= 0x20000000) return 1 << (32 - Math.clz32(n - 1));
  return 2 ** Math.ceil(Math.log2(n));
}

export function is_power_of_2(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0 && n <= 0x80000000 ? true : n === 0x80000000;
}

/** fls_long(x): index of the highest set bit, 1-based; 0 for 0. */
export function fls(n: number): number {
  return n === 0 ? 0 : Math.floor(Math.log2(n)) + 1;
}

// ---------------------------------------------------------------------------
// The memory model. bpf_map_area_alloc() ends in vmalloc, which refuses a
// request larger than all of RAM at once (totalram_pages()); anything smaller
// is really allocated by the kernel. The emulator allocates lazily, so the
// only observable difference is the ENOMEM bound, which follows the host.
// ---------------------------------------------------------------------------

/** MemTotal of the machine the traces were recorded on (24.2 GiB): the default totalram. */
export const DEFAULT_TOTALRAM = 25325268992;
const totalram = new WeakMap<Kernel, number>();

/** Sets the emulated kernel's RAM size, which bounds bpf_map_area_alloc(). */
export function setTotalRam(k: Kernel, bytes: number): void {
  totalram.set(k, bytes);
  if (k === ramMemo.kernel) ramMemo.ram = bytes;
}

/** The last kernel asked about and its RAM size: every map creation asks, almost always for the same kernel (no WeakMap lookup then). */
const ramMemo: { kernel: Kernel | null; ram: number } = { kernel: null, ram: DEFAULT_TOTALRAM };

/** bpf_map_area_alloc(size) succeeding? Sizes are exact in doubles up to 2^53. */
export function bpf_map_area_alloc_ok(k: Kernel, size: number): boolean {
  if (k !== ramMemo.kernel) {
    ramMemo.ram = totalram.get(k) ?? DEFAULT_TOTALRAM;
    ramMemo.kernel = k;
  }
  return size <= ramMemo.ram;
}

// ---------------------------------------------------------------------------
// Lazily allocated, chunked byte storage: a map costs what was written to it,
// and the kernel's zero-filled preallocation is modelled by absent chunks.
// ---------------------------------------------------------------------------

const CHUNK_SHIFT = 20;
const CHUNK = 1 << CHUNK_SHIFT;

export class LazyBytes {
  readonly size: number;
  private readonly chunks: (Uint8Array | undefined)[] = [];
  /** Each chunk as 4-byte words (the same buffer), made with it, for read8/write8. */
  private readonly words: (Int32Array | undefined)[] = [];

  constructor(size: number) {
    this.size = size;
  }

  private chunk(i: number): Uint8Array {
    let c = this.chunks[i];
    if (c === undefined) {
      const len = Math.min(CHUNK, this.size - i * CHUNK);
      c = new Uint8Array(len);
      this.chunks[i] = c;
      this.words[i] = new Int32Array(c.buffer, 0, len >> 2);
    }
    return c;
  }

  /**
   * read() of 8 bytes at a word offset into dw[di], dw[di + 1] (dst as
   * words): two word copies instead of eight byte copies. False when off is
   * not a multiple of 4 or the 8 bytes cross a chunk: use read().
   */
  read8(off: number, dw: Int32Array, di: number): boolean {
    const inC = off & (CHUNK - 1);
    if ((off & 3) !== 0 || off >= 0x7fffffff || inC + 8 > CHUNK) return false;
    const c = this.words[off >> CHUNK_SHIFT];
    if (c === undefined) {
      dw[di] = 0;
      dw[di + 1] = 0;
    } else {
      const ci = inC >> 2;
      dw[di] = c[ci]!;
      dw[di + 1] = c[ci + 1]!;
    }
    return true;
  }

  /** write() of 8 bytes from sw[si], sw[si + 1] at a word offset; false as for read8(). */
  write8(off: number, sw: Int32Array, si: number): boolean {
    const inC = off & (CHUNK - 1);
    if ((off & 3) !== 0 || off >= 0x7fffffff || inC + 8 > CHUNK) return false;
    const i = off >> CHUNK_SHIFT;
    let c = this.words[i];
    if (c === undefined) {
      this.chunk(i);
      c = this.words[i]!;
    }
    const ci = inC >> 2;
    c[ci] = sw[si]!;
    c[ci + 1] = sw[si + 1]!;
    return true;
  }

  /** Copies `len` bytes at `off` into dst[dstOff...]; unwritten bytes read as zero. */
  read(off: number, dst: Uint8Array, dstOff: number, len: number): void {
    // One element inside one chunk (every call of a map with small values):
    // no division and no subarray() view, which costs more than the copy.
    if (off < 0x7fffffff) {
      const inC = off & (CHUNK - 1);
      if (inC + len <= CHUNK) {
        const c = this.chunks[off >> CHUNK_SHIFT];
        if (c === undefined) dst.fill(0, dstOff, dstOff + len);
        else if (len === 8) copy8(dst, dstOff, c, inC);
        else copyBytes(dst, dstOff, c, inC, len);
        return;
      }
    }
    while (len > 0) {
      const ci = Math.floor(off / CHUNK);
      const inC = off - ci * CHUNK;
      const n = Math.min(len, CHUNK - inC);
      const c = this.chunks[ci];
      if (c === undefined) dst.fill(0, dstOff, dstOff + n);
      else copyBytes(dst, dstOff, c, inC, n);
      off += n;
      dstOff += n;
      len -= n;
    }
  }

  write(off: number, src: Uint8Array, srcOff: number, len: number): void {
    if (off < 0x7fffffff) {
      const ci = off >> CHUNK_SHIFT;
      const inC = off & (CHUNK - 1);
      if (inC + len <= CHUNK) {
        const c = this.chunks[ci] ?? this.chunk(ci);
        if (len === 8) copy8(c, inC, src, srcOff);
        else copyBytes(c, inC, src, srcOff, len);
        return;
      }
    }
    while (len > 0) {
      const ci = Math.floor(off / CHUNK);
      const inC = off - ci * CHUNK;
      const n = Math.min(len, CHUNK - inC);
      copyBytes(this.chunk(ci), inC, src, srcOff, n);
      off += n;
      srcOff += n;
      len -= n;
    }
  }

  fill0(off: number, len: number): void {
    while (len > 0) {
      const ci = Math.floor(off / CHUNK);
      const inC = off - ci * CHUNK;
      const n = Math.min(len, CHUNK - inC);
      this.chunks[ci]?.fill(0, inC, inC + n);
      off += n;
      len -= n;
    }
  }

  /** Bytes actually held. */
  get allocated(): number {
    let n = 0;
    for (const c of this.chunks) if (c) n += c.length;
    return n;
  }
}

// ---------------------------------------------------------------------------
// include/linux/jhash.h: Bob Jenkins' lookup3, as the kernel uses it.
// ---------------------------------------------------------------------------

const JHASH_INITVAL = 0xdeadbeef;

/*
 * The mix and final steps are written out on local int32 variables in both
 * functions: a state object (or a helper returning three words) allocates
 * per hash, and every hash-map element call hashes its key. Arithmetic is
 * mod 2^32 through `| 0`; the result is made unsigned at the end.
 */

function le32(k: Uint8Array, o: number): number {
  return k[o]! | (k[o + 1]! << 8) | (k[o + 2]! << 16) | (k[o + 3]! << 24);
}

/** jhash(key, length, initval): bytes, with the tail added byte by byte. */
export function jhash(k: Uint8Array, off: number, length: number, initval: number): number {
  return jhashBits(k, off, length, initval) >>> 0;
}

/** jhash2(words, length_in_words, initval): u32 words in CPU (little-endian) order. */
export function jhash2(k: Uint8Array, off: number, words: number, initval: number): number {
  return jhash2Bits(k, off, words, initval) >>> 0;
}

/*
 * The hashes' bits as an int32. A u32 of 2^30 or more is not a small integer
 * to V8, so returning one from a function that is not inlined allocates a
 * HeapNumber: the hash table keeps and compares the int32 bits instead.
 */

function jhashBits(k: Uint8Array, off: number, length: number, initval: number): number {
  let a = (JHASH_INITVAL + length + initval) | 0;
  let b = a;
  let c = a;
  let o = off;
  while (length > 12) {
    a = (a + le32(k, o)) | 0;
    b = (b + le32(k, o + 4)) | 0;
    c = (c + le32(k, o + 8)) | 0;
    // __jhash_mix
    a = (a - c) | 0; a ^= (c << 4) | (c >>> 28); c = (c + b) | 0;
    b = (b - a) | 0; b ^= (a << 6) | (a >>> 26); a = (a + c) | 0;
    c = (c - b) | 0; c ^= (b << 8) | (b >>> 24); b = (b + a) | 0;
    a = (a - c) | 0; a ^= (c << 16) | (c >>> 16); c = (c + b) | 0;
    b = (b - a) | 0; b ^= (a << 19) | (a >>> 13); a = (a + c) | 0;
    c = (c - b) | 0; c ^= (b << 4) | (b >>> 28); b = (b + a) | 0;
    length -= 12;
    o += 12;
  }
  if (length === 0) return c;
  // The switch with fallthrough: each remaining byte into its lane.
  for (let i = length - 1; i >= 0; i--) {
    const v = k[o + i]! << ((i & 3) * 8);
    if (i >= 8) c = (c + v) | 0;
    else if (i >= 4) b = (b + v) | 0;
    else a = (a + v) | 0;
  }
  return jhashFinal(a, b, c);
}

function jhash2Bits(k: Uint8Array, off: number, words: number, initval: number): number {
  let a = (JHASH_INITVAL + (words << 2) + initval) | 0;
  let b = a;
  let c = a;
  let o = off;
  while (words > 3) {
    a = (a + le32(k, o)) | 0;
    b = (b + le32(k, o + 4)) | 0;
    c = (c + le32(k, o + 8)) | 0;
    // __jhash_mix
    a = (a - c) | 0; a ^= (c << 4) | (c >>> 28); c = (c + b) | 0;
    b = (b - a) | 0; b ^= (a << 6) | (a >>> 26); a = (a + c) | 0;
    c = (c - b) | 0; c ^= (b << 8) | (b >>> 24); b = (b + a) | 0;
    a = (a - c) | 0; a ^= (c << 16) | (c >>> 16); c = (c + b) | 0;
    b = (b - a) | 0; b ^= (a << 19) | (a >>> 13); a = (a + c) | 0;
    c = (c - b) | 0; c ^= (b << 4) | (b >>> 28); b = (b + a) | 0;
    words -= 3;
    o += 12;
  }
  if (words === 0) return c;
  if (words === 3) c = (c + le32(k, o + 8)) | 0;
  if (words >= 2) b = (b + le32(k, o + 4)) | 0;
  a = (a + le32(k, o)) | 0;
  return jhashFinal(a, b, c);
}

/** htab_map_hash_bits() of a 4-byte key (k0) or an 8-byte one (k0, k1), given as its little-endian words. */
export function htab_hash_words(k0: number, k1: number, key_len: number, hashrnd: number): number {
  const i = (JHASH_INITVAL + key_len + hashrnd) | 0;
  return jhashFinal((i + k0) | 0, key_len === 8 ? (i + k1) | 0 : i, i);
}

/** __jhash_final(a, b, c): the c it leaves, as int32 bits. */
function jhashFinal(a: number, b: number, c: number): number {
  c ^= b; c = (c - ((b << 14) | (b >>> 18))) | 0;
  a ^= c; a = (a - ((c << 11) | (c >>> 21))) | 0;
  b ^= a; b = (b - ((a << 25) | (a >>> 7))) | 0;
  c ^= b; c = (c - ((b << 16) | (b >>> 16))) | 0;
  a ^= c; a = (a - ((c << 4) | (c >>> 28))) | 0;
  b ^= a; b = (b - ((a << 14) | (a >>> 18))) | 0;
  c ^= b; c = (c - ((b << 24) | (b >>> 8))) | 0;
  return c;
}

/** htab_map_hash(): jhash2 over whole words when the key is a multiple of 4 bytes. */
export function htab_map_hash(k: Uint8Array, off: number, key_len: number, hashrnd: number): number {
  return htab_map_hash_bits(k, off, key_len, hashrnd) >>> 0;
}

/** htab_map_hash() as int32 bits (see jhashBits). */
export function htab_map_hash_bits(k: Uint8Array, off: number, key_len: number, hashrnd: number): number {
  // One- and two-word keys (the common u32 and u64 keys) need only the final
  // mix: written apart from jhash2Bits, whose loop makes it too long for
  // TurboFan to inline into the lookup.
  if (key_len === 4) {
    const i = (JHASH_INITVAL + 4 + hashrnd) | 0;
    return jhashFinal((i + le32(k, off)) | 0, i, i);
  }
  if (key_len === 8) {
    const i = (JHASH_INITVAL + 8 + hashrnd) | 0;
    return jhashFinal((i + le32(k, off)) | 0, (i + le32(k, off + 4)) | 0, i);
  }
  if ((key_len & 3) === 0) return jhash2Bits(k, off, key_len >> 2, hashrnd);
  return jhashBits(k, off, key_len, hashrnd);
}

// SPDX-License-Identifier: GPL-2.0-only
// kernel/bpf/hashtab.c: HASH, PERCPU_HASH, LRU_HASH, LRU_PERCPU_HASH and
// HASH_OF_MAPS, with bpf_lru_list.c's common and per-CPU LRU for one CPU.
//
// Storage holds no JS object per element: elements are slots in growable
// typed arrays (key bytes, value bytes, bucket-chain links, hashes, LRU
// links) and buckets are a lazily chunked array of chain heads. New
// elements go to the head of their bucket, as hlist_nulls_add_head_rcu()
// does, so get_next_key and the batch walkers visit elements in the
// kernel's order. That order is the kernel's only with BPF_F_ZERO_SEED
// (hashrnd 0); without it the kernel picks a random seed, and the emulator
// uses 0 anyway.

import type { Attr } from "../abi/attr.ts";
import { E2BIG, EEXIST, EFAULT, EINVAL, ENOENT, ENOMEM, ENOSPC, ENOTSUPP, EPERM } from "../abi/errno.ts";
import { BPF_MAP_TYPE as MT } from "../uapi/gen/consts-6.18.ts";
import { BPF_F } from "../uapi/defines.ts";
import { BpfMap } from "./bpf.ts";
import { CAP } from "./capability.ts";
import { bpf_map_fd_get_ptr, bpf_map_fd_put_ptr, bpf_map_fd_sys_lookup_elem, bpf_map_meta_alloc, bpf_map_meta_equal } from "./arraymap.ts";
import {
  BPF_EXIST as BPF_EXIST_,
  BPF_F_ACCESS_MASK,
  BPF_F_LOCK,
  BPF_NOEXIST as BPF_NOEXIST_,
  KMALLOC_MAX_SIZE,
  PCPU_MIN_UNIT_SIZE,
  bpf_map_area_alloc_ok,
  bpf_map_attr_numa_node,
  bpf_map_flags_access_ok,
  bpf_map_flags_retain_permanent,
  htab_hash_words,
  htab_map_hash_bits,
  round_up,
  roundup_pow_of_two,
} from "./map_util.ts";
import { copyBytes } from "../abi/uaccess.ts";
import type { MapOps } from "./maps.ts";
import { check_and_init_map_value, generic_map_delete_batch, generic_map_update_batch, putBatchCount } from "./maps.ts";
import type { Call } from "./syscall.ts";
import type { Task } from "./task.ts";

// The update flags as consts of this module: an imported binding is read
// through the exporting module's cell and checked for its temporal dead zone
// on every use. map_util.ts is evaluated before this module
// (HTAB_CREATE_FLAG_MASK below reads it).
const BPF_EXIST = BPF_EXIST_;
const BPF_NOEXIST = BPF_NOEXIST_;

const HTAB_CREATE_FLAG_MASK = BPF_F.NO_PREALLOC | BPF_F.NO_COMMON_LRU | BPF_F.NUMA_NODE | BPF_F_ACCESS_MASK | BPF_F.ZERO_SEED;
/** sizeof(struct htab_elem) and struct bucket on x86-64, for the allocation-size model. */
const SIZEOF_HTAB_ELEM = 48;
const SIZEOF_BUCKET = 16;
const NIL = -1;

// --- bucket heads: chunked, allocated on first use ----------------------------------

const HCHUNK_SHIFT = 14;
const HCHUNK = 1 << HCHUNK_SHIFT;

/** Stands for a first chunk not allocated yet: every bucket NIL, never written (set() replaces it first). */
const NIL_CHUNK = new Int32Array(HCHUNK).fill(NIL);

class Heads {
  readonly n: number;
  private readonly chunks: (Int32Array | undefined)[] = [];
  /**
   * chunks[0], or NIL_CHUNK while it is not allocated: a map of up to HCHUNK
   * buckets (most) finds a head in one typed-array load, not two dependent
   * loads through the chunk list first.
   */
  private first: Int32Array = NIL_CHUNK;
  /** Non-empty buckets per chunk, so walks skip empty chunks. */
  private readonly used: Uint32Array;

  constructor(n: number) {
    this.n = n;
    this.used = new Uint32Array(Math.ceil(n / HCHUNK));
  }

  get(b: number): number {
    if (b < HCHUNK) return this.first[b]!;
    const c = this.chunks[b >>> HCHUNK_SHIFT];
    return c === undefined ? NIL : c[b & (HCHUNK - 1)]!;
  }

  set(b: number, v: number): void {
    const ci = b >>> HCHUNK_SHIFT;
    let c = this.chunks[ci];
    if (c === undefined) {
      if (v === NIL) return;
      c = new Int32Array(Math.min(HCHUNK, this.n - ci * HCHUNK)).fill(NIL);
      this.chunks[ci] = c;
      if (ci === 0) this.first = c;
    }
    const i = b & (HCHUNK - 1);
    const was = c[i]!;
    if (was === NIL && v !== NIL) this.used[ci]!++;
    else if (was !== NIL && v === NIL) this.used[ci]!--;
    c[i] = v;
  }

  /** The first non-empty bucket at or after b, or -1. */
  nextNonEmpty(b: number): number {
    const n = this.n;
    while (b < n) {
      const ci = b >>> HCHUNK_SHIFT;
      if (this.used[ci] === 0) {
        b = (ci + 1) << HCHUNK_SHIFT;
        continue;
      }
      const c = this.chunks[ci]!;
      // Integer compares (Math.min gave a double bound, compared as doubles in the loop).
      const chunkEnd = (ci + 1) << HCHUNK_SHIFT;
      const end = chunkEnd < n ? chunkEnd : n;
      for (; b < end; b++) if (c[b & (HCHUNK - 1)] !== NIL) return b;
    }
    return -1;
  }

  get bytes(): number {
    let n = this.used.byteLength;
    for (const c of this.chunks) if (c) n += c.byteLength;
    return n;
  }
}

/** The heads of a BpfHtab before htab_map_alloc() gives it its own (never written). */
const NO_HEADS = new Heads(1);

// --- LRU lists (bpf_lru_list.c), over element slots ------------------------------

const T_ACTIVE = 0;
const T_INACTIVE = 1;
const T_LOCAL_PENDING = 4;
/** LOCAL_FREE_TARGET / LOCAL_NR_SCANS / PERCPU_FREE_TARGET */
const LOCAL_FREE_TARGET = 128;
const NR_SCANS = 128;
const PERCPU_FREE_TARGET = 4;

interface DList {
  head: number;
  tail: number;
  count: number;
}

function dlist(): DList {
  return { head: NIL, tail: NIL, count: 0 };
}

/**
 * What a BpfHtab holds before htab_map_alloc() sizes it: shared empty
 * arrays (never written: grow() replaces them) instead of eight typed arrays
 * and five list heads made per map, which were a quarter of a HASH
 * MAP_CREATE. Only LRU maps get their lists.
 */
const EMPTY_I32 = new Int32Array(0);
const EMPTY_U8 = new Uint8Array(0);
const NO_LISTS: DList[] = [];
/** The BPF_* update flags as BigInts, made once (BigInt(x) allocates on every call). */
const BIG_NOEXIST = BigInt(BPF_NOEXIST);
const BIG_EXIST = BigInt(BPF_EXIST);
const NOT_F_LOCK = ~BigInt(BPF_F_LOCK);
const BIG_F_LOCK = BigInt(BPF_F_LOCK);

export class BpfHtab extends BpfMap {
  n_buckets = 1;
  hashrnd = 0;
  percpu = false;
  lru = false;
  percpu_lru = false;
  prealloc = true;
  fd = false;
  ncpu = 1;
  /** Bytes stored per element: value_size, or round_up(value_size, 8) per CPU. */
  vsize = 0;
  count = 0;
  heads: Heads = NO_HEADS;
  cap = 0;
  hnext = EMPTY_I32;
  /** Each slot's htab_map_hash() as int32 bits (see map_util.ts). */
  hash = EMPTY_I32;
  keys = EMPTY_U8;
  vals = EMPTY_U8;
  /** keys and vals as 4-byte words (the same buffers) when key_size and vsize are multiples of 4, for the fast path. */
  keys32 = EMPTY_I32;
  vals32 = EMPTY_I32;
  /** Slots never used yet start at `fresh`; freed slots are chained through hnext. */
  fresh = 0;
  freeSlot = NIL;
  /**
   * Bumped by every change of a bucket chain (linkHead, unlink): while it
   * stays the same, every linked slot keeps its key and its place.
   */
  gen = 0;
  /** The slot the fast path's last get_next_key answered with, valid while gen === cursorGen (see htabFastNextSlot). */
  cursor = NIL;
  cursorGen = -1;
  /** HASH_OF_MAPS: slot -> inner map. */
  objs: (BpfMap | undefined)[] | null = null;
  // LRU state for CPU 0: nodes are slots; free nodes are only counted.
  lprev = EMPTY_I32;
  lnext = EMPTY_I32;
  ltype = EMPTY_U8;
  lref = EMPTY_U8;
  lists: DList[] = NO_LISTS;
  globalFree = 0;
  localFree = 0;
  target_free = 1;
}

function h(m: BpfMap): BpfHtab {
  return m as BpfHtab;
}

// --- alloc --------------------------------------------------------------------------

/** htab_map_alloc_check() */
function htab_map_alloc_check(t: Task, attr: Attr): number {
  const type = attr.u32("map_type");
  const percpu = type === MT.PERCPU_HASH || type === MT.LRU_PERCPU_HASH;
  const lru = type === MT.LRU_HASH || type === MT.LRU_PERCPU_HASH;
  const flags = attr.u32("map_flags");
  const percpu_lru = (flags & BPF_F.NO_COMMON_LRU) !== 0;
  const prealloc = !(flags & BPF_F.NO_PREALLOC);
  const numa_node = bpf_map_attr_numa_node(attr);
  if (flags & BPF_F.ZERO_SEED && !t.capable(CAP.SYS_ADMIN)) return t.fail(-EPERM, "hash: BPF_F_ZERO_SEED needs CAP_SYS_ADMIN");
  if (flags & ~HTAB_CREATE_FLAG_MASK) return t.fail(-EINVAL, `hash: map_flags 0x${flags.toString(16)} outside NO_PREALLOC|NO_COMMON_LRU|NUMA_NODE|access|ZERO_SEED`);
  if (!bpf_map_flags_access_ok(flags)) return t.fail(-EINVAL, "hash: RDONLY_PROG and WRONLY_PROG together");
  if (!lru && percpu_lru) return t.fail(-EINVAL, "hash: NO_COMMON_LRU is only for LRU maps");
  if (lru && !prealloc) return t.fail(-ENOTSUPP, "hash: LRU maps are always preallocated (NO_PREALLOC gives ENOTSUPP)");
  if (numa_node !== -1 && (percpu || percpu_lru)) return t.fail(-EINVAL, "hash: per-CPU maps and NO_COMMON_LRU take no NUMA node");
  if (attr.u32("max_entries") === 0 || attr.u32("key_size") === 0 || attr.u32("value_size") === 0) return t.fail(-EINVAL, "hash: max_entries, key_size and value_size must be > 0");
  if (attr.u32("key_size") + attr.u32("value_size") >= KMALLOC_MAX_SIZE - SIZEOF_HTAB_ELEM) return t.fail(-E2BIG, "hash: key_size + value_size is past KMALLOC_MAX_SIZE - sizeof(htab_elem)");
  if (percpu && round_up(attr.u32("value_size"), 8) > PCPU_MIN_UNIT_SIZE) return t.fail(-E2BIG, "hash: per-CPU value_size rounds past PCPU_MIN_UNIT_SIZE (32768)");
  return 0;
}

/** fd_htab_map_alloc_check() */
function fd_htab_map_alloc_check(t: Task, attr: Attr): number {
  if (attr.u32("value_size") !== 4) return t.fail(-EINVAL, `hash of maps: value_size ${attr.u32("value_size")} must be 4 (an fd)`);
  return htab_map_alloc_check(t, attr);
}

/** htab_map_alloc() */
function htab_map_alloc(t: Task, attr: Attr, ops: MapOps): BpfHtab | number {
  const type = attr.u32("map_type");
  const flags = attr.u32("map_flags");
  const hm = new BpfHtab(ops);
  hm.initFromAttr(attr);
  hm.map_flags = bpf_map_flags_retain_permanent(hm.map_flags);
  hm.percpu = type === MT.PERCPU_HASH || type === MT.LRU_PERCPU_HASH;
  hm.lru = type === MT.LRU_HASH || type === MT.LRU_PERCPU_HASH;
  hm.percpu_lru = (flags & BPF_F.NO_COMMON_LRU) !== 0;
  hm.prealloc = !(flags & BPF_F.NO_PREALLOC);
  hm.fd = type === MT.HASH_OF_MAPS;
  const ncpu = t.kernel.possibleCpus;
  if (hm.percpu_lru) {
    // Every CPU's list gets the same number of elements.
    const attr_max = attr.u32("max_entries");
    let m = Math.ceil(attr_max / ncpu) * ncpu;
    if (m > 0xffffffff) m = Math.floor(attr_max / ncpu) * ncpu;
    hm.max_entries = m;
  }
  if (hm.max_entries > 2 ** 31) return t.fail(-E2BIG, `hash: max_entries ${hm.max_entries} is over 2^31`);
  hm.n_buckets = roundup_pow_of_two(hm.max_entries);
  const elem_size = SIZEOF_HTAB_ELEM + round_up(hm.key_size, 8) + (hm.percpu ? 8 : round_up(hm.value_size, 8));
  if (hm.n_buckets > Math.floor(0xffffffff / SIZEOF_BUCKET)) return t.fail(-E2BIG, `hash: ${hm.n_buckets} buckets overflow a u32 of bucket bytes`);
  if (!bpf_map_area_alloc_ok(t.kernel, hm.n_buckets * SIZEOF_BUCKET)) return t.fail(-ENOMEM, "hash: bucket array does not fit in RAM");
  if (hm.prealloc) {
    const n = hm.max_entries + (hm.lru ? 0 : ncpu);
    if (!bpf_map_area_alloc_ok(t.kernel, elem_size * n)) return t.fail(-ENOMEM, "hash: preallocated elements do not fit in RAM");
    if (hm.percpu && !bpf_map_area_alloc_ok(t.kernel, n * round_up(hm.value_size, 8) * ncpu)) return t.fail(-ENOMEM, "hash: per-CPU values do not fit");
  }
  hm.hashrnd = 0; // BPF_F_ZERO_SEED, or the seed the emulator uses instead of get_random_u32()
  hm.ncpu = ncpu;
  hm.vsize = hm.percpu ? round_up(hm.value_size, 8) * ncpu : hm.fd ? 0 : hm.value_size;
  hm.heads = new Heads(hm.n_buckets);
  if (hm.fd) hm.objs = [];
  if (hm.lru) {
    hm.lists = [dlist(), dlist(), dlist(), dlist(), dlist()];
    if (hm.percpu_lru) {
      // bpf_percpu_lru_populate(): CPU 0's list holds max_entries / ncpu nodes.
      hm.globalFree = Math.floor(hm.max_entries / ncpu);
    } else {
      hm.globalFree = hm.max_entries;
      hm.target_free = Math.min(LOCAL_FREE_TARGET, Math.max(1, Math.floor(Math.floor(hm.max_entries / ncpu) / 2)));
    }
  }
  return hm;
}

// --- slots ------------------------------------------------------------------------

function grow(hm: BpfHtab): void {
  const cap = Math.max(16, hm.cap * 2);
  const resize = <T extends Int32Array | Uint32Array | Uint8Array>(a: T, n: number, ctor: new (n: number) => T): T => {
    const b = new ctor(n);
    b.set(a);
    return b;
  };
  hm.hnext = resize(hm.hnext, cap, Int32Array);
  hm.hash = resize(hm.hash, cap, Int32Array);
  hm.keys = resize(hm.keys, cap * hm.key_size, Uint8Array);
  hm.vals = resize(hm.vals, cap * hm.vsize, Uint8Array);
  if ((hm.key_size & 3) === 0) hm.keys32 = new Int32Array(hm.keys.buffer);
  if ((hm.vsize & 3) === 0) hm.vals32 = new Int32Array(hm.vals.buffer);
  if (hm.lru) {
    hm.lprev = resize(hm.lprev, cap, Int32Array);
    hm.lnext = resize(hm.lnext, cap, Int32Array);
    hm.ltype = resize(hm.ltype, cap, Uint8Array);
    hm.lref = resize(hm.lref, cap, Uint8Array);
  }
  hm.cap = cap;
}

function allocSlot(hm: BpfHtab): number {
  if (hm.freeSlot !== NIL) {
    const s = hm.freeSlot;
    hm.freeSlot = hm.hnext[s]!;
    return s;
  }
  if (hm.fresh === hm.cap) grow(hm);
  return hm.fresh++;
}

function freeSlot(hm: BpfHtab, s: number): void {
  if (hm.objs) {
    const inner = hm.objs[s];
    hm.objs[s] = undefined;
    if (inner) bpf_map_fd_put_ptr(inner);
  }
  hm.hnext[s] = hm.freeSlot;
  hm.freeSlot = s;
}

function keyEq(hm: BpfHtab, s: number, key: Uint8Array): boolean {
  const ks = hm.key_size;
  const o = s * ks;
  for (let i = 0; i < ks; i++) if (hm.keys[o + i] !== key[i]) return false;
  return true;
}

function bucketOf(hm: BpfHtab, hash: number): number {
  return hash & (hm.n_buckets - 1);
}

/** lookup_elem_raw(): the slot holding key in its bucket, or -1. */
function lookup(hm: BpfHtab, key: Uint8Array, hash: number): number {
  for (let s = hm.heads.get(bucketOf(hm, hash)); s !== NIL; s = hm.hnext[s]!) if (hm.hash[s] === hash && keyEq(hm, s, key)) return s;
  return NIL;
}

/** htab_map_hash() of a key, as int32 bits: only its low bits (the bucket) and equality are used. */
function hashKey(hm: BpfHtab, key: Uint8Array): number {
  return htab_map_hash_bits(key, 0, hm.key_size, hm.hashrnd);
}

/** hlist_nulls_add_head_rcu() */
function linkHead(hm: BpfHtab, s: number, hash: number, key: Uint8Array): void {
  hm.gen++;
  const b = bucketOf(hm, hash);
  hm.hash[s] = hash;
  copyBytes(hm.keys, s * hm.key_size, key, 0, hm.key_size);
  hm.hnext[s] = hm.heads.get(b);
  hm.heads.set(b, s);
}

/** hlist_nulls_del_rcu() */
function unlink(hm: BpfHtab, s: number): void {
  hm.gen++;
  const b = bucketOf(hm, hm.hash[s]!);
  let p = hm.heads.get(b);
  if (p === s) {
    hm.heads.set(b, hm.hnext[s]!);
    return;
  }
  while (p !== NIL) {
    const n = hm.hnext[p]!;
    if (n === s) {
      hm.hnext[p] = hm.hnext[s]!;
      return;
    }
    p = n;
  }
}

/** copy_map_value(), or pcpu_copy_value(onallcpus) for per-CPU maps: each CPU's whole rounded slot, padding included (vsize covers it). */
function writeValue(hm: BpfHtab, s: number, value: Uint8Array): void {
  copyBytes(hm.vals, s * hm.vsize, value, 0, hm.vsize);
}

function readValue(hm: BpfHtab, s: number, out: Uint8Array, outOff = 0): void {
  if (hm.fd) {
    new DataView(out.buffer, out.byteOffset, out.byteLength).setUint32(outOff, bpf_map_fd_sys_lookup_elem(hm.objs![s]), true);
    return;
  }
  copyBytes(out, outOff, hm.vals, s * hm.vsize, hm.vsize);
}

// --- LRU ----------------------------------------------------------------------------

function lDel(hm: BpfHtab, n: number): void {
  const l = hm.lists[hm.ltype[n]!]!;
  const p = hm.lprev[n]!;
  const x = hm.lnext[n]!;
  if (p === NIL) l.head = x;
  else hm.lnext[p] = x;
  if (x === NIL) l.tail = p;
  else hm.lprev[x] = p;
  l.count--;
}

/** list_move(node, list head) with the node's new type; the ref bit is cleared. */
function lMoveHead(hm: BpfHtab, n: number, type: number, inList: boolean): void {
  if (inList) lDel(hm, n);
  const l = hm.lists[type]!;
  hm.ltype[n] = type;
  hm.lref[n] = 0;
  hm.lprev[n] = NIL;
  hm.lnext[n] = l.head;
  if (l.head !== NIL) hm.lprev[l.head] = n;
  else l.tail = n;
  l.head = n;
  l.count++;
}

/** htab_lru_map_delete_node(): evicts the element from the table. */
function lruDelFromHtab(hm: BpfHtab, n: number): void {
  unlink(hm, n);
  hm.count--;
}

/** __bpf_lru_list_rotate_active() */
function rotateActive(hm: BpfHtab): void {
  const act = hm.lists[T_ACTIVE]!;
  const first = act.head;
  let i = 0;
  for (let n = act.tail; n !== NIL; ) {
    const prev = hm.lprev[n]!;
    if (hm.lref[n]) lMoveHead(hm, n, T_ACTIVE, true);
    else lMoveHead(hm, n, T_INACTIVE, true);
    if (++i === NR_SCANS || n === first) break;
    n = prev;
  }
}

/** __bpf_lru_list_rotate_inactive(), walking the whole list from its tail (up to NR_SCANS). */
function rotateInactive(hm: BpfHtab): void {
  const ina = hm.lists[T_INACTIVE]!;
  let i = 0;
  for (let n = ina.tail; n !== NIL && i < NR_SCANS; i++) {
    const prev = hm.lprev[n]!;
    if (hm.lref[n]) lMoveHead(hm, n, T_ACTIVE, true);
    n = prev;
  }
}

function rotate(hm: BpfHtab): void {
  if (hm.lists[T_INACTIVE]!.count < hm.lists[T_ACTIVE]!.count) rotateActive(hm);
  rotateInactive(hm);
}

/** __bpf_lru_list_shrink(): evict up to tgt unreferenced inactive nodes, else force one. */
function shrink(hm: BpfHtab, tgt: number): number {
  const ina = hm.lists[T_INACTIVE]!;
  let nshrinked = 0;
  let i = 0;
  for (let n = ina.tail; n !== NIL; ) {
    const prev = hm.lprev[n]!;
    if (hm.lref[n]) {
      lMoveHead(hm, n, T_ACTIVE, true);
    } else {
      lruDelFromHtab(hm, n);
      lDel(hm, n);
      freeSlot(hm, n);
      if (++nshrinked === tgt) break;
    }
    if (++i === NR_SCANS) break;
    n = prev;
  }
  if (nshrinked) return nshrinked;
  const l = ina.count ? ina : hm.lists[T_ACTIVE]!;
  if (l.tail === NIL) return 0;
  const n = l.tail;
  lruDelFromHtab(hm, n);
  lDel(hm, n);
  freeSlot(hm, n);
  return 1;
}

/** prealloc_lru_pop() -> bpf_lru_pop_free(): a free node for CPU 0, evicting if needed; -1 if none. */
function lruPop(hm: BpfHtab): number {
  if (hm.percpu_lru) {
    // bpf_percpu_lru_pop_free()
    rotate(hm);
    if (hm.globalFree === 0) hm.globalFree += shrink(hm, PERCPU_FREE_TARGET);
    if (hm.globalFree === 0) return NIL;
    hm.globalFree--;
    const s = allocSlot(hm);
    lMoveHead(hm, s, T_INACTIVE, false);
    return s;
  }
  // bpf_common_lru_pop_free(): the local free list, refilled from the global one.
  if (hm.localFree === 0) {
    // bpf_lru_list_pop_free_to_local(): flush pending, rotate, take free, shrink the rest.
    const pend = hm.lists[T_LOCAL_PENDING]!;
    for (let n = pend.tail; n !== NIL; ) {
      const prev = hm.lprev[n]!;
      lMoveHead(hm, n, hm.lref[n] ? T_ACTIVE : T_INACTIVE, true);
      n = prev;
    }
    rotate(hm);
    const take = Math.min(hm.globalFree, hm.target_free);
    hm.globalFree -= take;
    hm.localFree += take;
    if (take < hm.target_free) hm.localFree += shrink(hm, hm.target_free - take);
  }
  let s: number;
  if (hm.localFree > 0) {
    hm.localFree--;
    s = allocSlot(hm);
  } else {
    // Steal from the pending list: its oldest unreferenced element, else its oldest.
    const pend = hm.lists[T_LOCAL_PENDING]!;
    let victim = NIL;
    for (let n = pend.tail; n !== NIL; n = hm.lprev[n]!)
      if (!hm.lref[n]) {
        victim = n;
        break;
      }
    if (victim === NIL) victim = pend.tail;
    if (victim === NIL) return NIL;
    lruDelFromHtab(hm, victim);
    lDel(hm, victim);
    s = victim;
  }
  lMoveHead(hm, s, T_LOCAL_PENDING, false);
  return s;
}

/** bpf_lru_push_free(): pending nodes go back to the local free list, others to the global one. */
function lruPushFree(hm: BpfHtab, s: number): void {
  const type = hm.ltype[s]!;
  lDel(hm, s);
  freeSlot(hm, s);
  if (!hm.percpu_lru && type === T_LOCAL_PENDING) hm.localFree++;
  else hm.globalFree++;
}

// --- element ops ------------------------------------------------------------------------

/** check_flags() */
function check_flags(exists: boolean, flags: bigint): number {
  if (flags === 0n) return 0;
  const f = flags & NOT_F_LOCK;
  if (exists && f === BIG_NOEXIST) return -EEXIST;
  if (!exists && f === BIG_EXIST) return -ENOENT;
  return 0;
}

function newElem(hm: BpfHtab, old: boolean): number {
  // alloc_htab_elem(): a new key needs a free element (prealloc) or room under max_entries.
  if (!old && hm.count >= hm.max_entries) return -E2BIG;
  hm.count++;
  return allocSlot(hm);
}

/** htab_map_update_elem() and its LRU / per-CPU / fd variants. */
function htab_update(t: Task, m: BpfMap, key: Uint8Array, value: Uint8Array, flags: bigint, inner?: BpfMap): number {
  const hm = h(m);
  const hash = hashKey(hm, key);
  if (hm.lru && !hm.percpu) {
    // htab_lru_map_update_elem(): pop (maybe evicting) before looking.
    if (flags > BIG_EXIST) return -EINVAL;
    const s = lruPop(hm);
    if (s === NIL) return -ENOMEM;
    const old = lookup(hm, key, hash);
    const err = check_flags(old !== NIL, flags);
    if (err) {
      lruPushFree(hm, s);
      return err;
    }
    writeValue(hm, s, value);
    linkHead(hm, s, hash, key);
    hm.count++;
    if (old !== NIL) {
      hm.lref[s] = 1;
      unlink(hm, old);
      hm.count--;
      lruPushFree(hm, old);
    }
    return 0;
  }
  if (hm.lru) {
    // __htab_lru_percpu_map_update_elem(): values are updated in place.
    if (flags > BIG_EXIST) return -EINVAL;
    let s = NIL;
    if (flags !== BIG_EXIST) {
      s = lruPop(hm);
      if (s === NIL) return -ENOMEM;
    }
    const old = lookup(hm, key, hash);
    const err = check_flags(old !== NIL, flags);
    if (!err) {
      if (old !== NIL) {
        hm.lref[old] = 1;
        writeValue(hm, old, value);
      } else {
        writeValue(hm, s, value);
        linkHead(hm, s, hash, key);
        hm.count++;
        s = NIL;
      }
    }
    if (s !== NIL) lruPushFree(hm, s);
    return err;
  }
  if (hm.percpu || hm.fd) {
    // htab_map_update_elem_in_place()
    if (flags > BIG_EXIST) return -EINVAL;
    const old = lookup(hm, key, hash);
    const err = check_flags(old !== NIL, flags);
    if (err) return err;
    if (old !== NIL) {
      if (hm.fd) {
        const prev = hm.objs![old];
        hm.objs![old] = inner;
        if (prev) bpf_map_fd_put_ptr(prev);
      } else writeValue(hm, old, value);
      return 0;
    }
    const s = newElem(hm, false);
    if (s < 0) return s;
    if (hm.fd) hm.objs![s] = inner;
    else writeValue(hm, s, value);
    linkHead(hm, s, hash, key);
    return 0;
  }
  if (flags !== 0n && (flags & NOT_F_LOCK) > BIG_EXIST) return -EINVAL;
  const old = lookup(hm, key, hash);
  const err = check_flags(old !== NIL, flags);
  if (err) return err;
  const s = newElem(hm, old !== NIL);
  if (s < 0) return s;
  writeValue(hm, s, value);
  // The new element goes to the head and the old one is unlinked: an update moves a key to the front.
  linkHead(hm, s, hash, key);
  if (old !== NIL) {
    unlink(hm, old);
    hm.count--;
    freeSlot(hm, old);
  }
  void t;
  return 0;
}

function htab_update_sys(t: Task, m: BpfMap, key: Uint8Array, value: Uint8Array, flags: bigint): number {
  const hm = h(m);
  if (hm.fd) {
    // bpf_fd_htab_map_update_elem(): the fd is resolved first.
    const fd = new DataView(value.buffer, value.byteOffset, 4).getInt32(0, true);
    const p = bpf_map_fd_get_ptr(t, m, fd);
    if (typeof p === "number") return p;
    const err = htab_update(t, m, key, value, flags, p as BpfMap);
    if (err) bpf_map_fd_put_ptr(p);
    return err;
  }
  return htab_update(t, m, key, value, flags);
}

function removeSlot(hm: BpfHtab, s: number): void {
  unlink(hm, s);
  hm.count--;
  if (hm.lru) lruPushFree(hm, s);
  else freeSlot(hm, s);
}

function htab_delete(_t: Task, m: BpfMap, key: Uint8Array): number {
  const hm = h(m);
  const s = lookup(hm, key, hashKey(hm, key));
  if (s === NIL) return -ENOENT;
  removeSlot(hm, s);
  return 0;
}

function htab_lookup_sys(_t: Task, m: BpfMap, key: Uint8Array, value: Uint8Array): number {
  const hm = h(m);
  const s = lookup(hm, key, hashKey(hm, key));
  if (s === NIL) return -ENOENT;
  readValue(hm, s, value);
  return 0;
}

function htab_lookup_and_delete(m: BpfMap, key: Uint8Array, value: Uint8Array): number {
  const hm = h(m);
  const s = lookup(hm, key, hashKey(hm, key));
  if (s === NIL) return -ENOENT;
  readValue(hm, s, value);
  removeSlot(hm, s);
  return 0;
}

/** htab_map_get_next_key(): the rest of the key's bucket, then the next non-empty bucket. */
function htab_get_next_key(m: BpfMap, key: Uint8Array | null, next: Uint8Array): number {
  const hm = h(m);
  let i = 0;
  if (key !== null) {
    const hash = hashKey(hm, key);
    const s = lookup(hm, key, hash);
    if (s !== NIL) {
      const n = hm.hnext[s]!;
      if (n !== NIL) {
        copyBytes(next, 0, hm.keys, n * hm.key_size, hm.key_size);
        return 0;
      }
      i = bucketOf(hm, hash) + 1;
    }
  }
  const b = hm.heads.nextNonEmpty(i);
  if (b < 0) return -ENOENT;
  const s = hm.heads.get(b);
  copyBytes(next, 0, hm.keys, s * hm.key_size, hm.key_size);
  return 0;
}

// --- the fast path's element ops (kernel/fastpath.ts) -----------------------------------
// The same steps as htab_lookup_sys / htab_update / htab_delete /
// htab_get_next_key for a plain HASH map (htab_map_ops: no LRU, no per-CPU,
// no fd values), with the key and value read from and written to the user's
// page at an offset instead of through the syscall side's kernel copies.
// They only ever succeed: anything that would fail returns FAST_MISS (or
// NIL) before changing the table, and the generic path then runs the call.

/** What the fast ops return when the call must take the generic path: their only negative answer (callers test `< 0`). */
export const HTAB_MISS = -1;

/** Whether m is a plain HASH map the fast path may handle. */
export function htabFastOk(m: BpfMap): boolean {
  return m.ops === htab_map_ops && !m.hasSpecialFields;
}

/**
 * lookupAt()/findWords(): whether the slot found was its bucket's head
 * (htabFastUpdate then need not move it). A const object's field: a
 * module-level let is checked for its temporal dead zone on every read.
 */
const found = { atHead: false };

/** lookup() with the key at kb[ko..]: the slot, or NIL. */
function lookupAt(hm: BpfHtab, kb: Uint8Array, ko: number, hash: number): number {
  const ks = hm.key_size;
  const keys = hm.keys;
  const hs = hm.hash;
  const hn = hm.hnext;
  const head = hm.heads.get(hash & (hm.n_buckets - 1));
  outer: for (let s = head; s !== NIL; s = hn[s]!) {
    if (hs[s] !== hash) continue;
    const o = s * ks;
    // 4- and 8-byte keys compared written out (a byte loop costs several ns more per call).
    if (ks === 4) {
      if (keys[o] !== kb[ko] || keys[o + 1] !== kb[ko + 1] || keys[o + 2] !== kb[ko + 2] || keys[o + 3] !== kb[ko + 3]) continue;
    } else if (ks === 8) {
      if (keys[o] !== kb[ko] || keys[o + 1] !== kb[ko + 1] || keys[o + 2] !== kb[ko + 2] || keys[o + 3] !== kb[ko + 3]) continue;
      if (keys[o + 4] !== kb[ko + 4] || keys[o + 5] !== kb[ko + 5] || keys[o + 6] !== kb[ko + 6] || keys[o + 7] !== kb[ko + 7]) continue;
    } else for (let i = 0; i < ks; i++) if (keys[o + i] !== kb[ko + i]) continue outer;
    found.atHead = s === head;
    return s;
  }
  return NIL;
}

/**
 * lookupAt() for a 4-byte key (k0) or an 8-byte one (k0, k1) given as its
 * little-endian words: the slot, or NIL; sets found.atHead.
 */
function findWords(hm: BpfHtab, k0: number, k1: number, ks: number, hash: number): number {
  const hs = hm.hash;
  const hn = hm.hnext;
  const keys = hm.keys32;
  const kwords = ks >> 2;
  const head = hm.heads.get(hash & (hm.n_buckets - 1));
  for (let s = head; s !== NIL; s = hn[s]!) {
    if (hs[s] !== hash) continue;
    const o = s * kwords;
    if (keys[o] !== k0) continue;
    if (ks === 8 && keys[o + 1] !== k1) continue;
    found.atHead = s === head;
    return s;
  }
  return NIL;
}

/**
 * htab_lookup_sys() into vb[vo..]: 0, or HTAB_MISS when the key is absent
 * (ENOENT on the generic path). lookupAt() and the copy written out in one
 * function for 4- and 8-byte keys: as separate functions V8 compiled them
 * apart (they exceed its inlining budget together), and the calls and their
 * argument checks were a fifth of a lookup.
 */
export function htabFastLookup(m: BpfMap, kb: Uint8Array, kw: Int32Array, ko: number, vb: Uint8Array, vw: Int32Array, vo: number): number {
  const hm = m as BpfHtab;
  const ks = hm.key_size;
  if ((ks !== 4 && ks !== 8) || (ko & 3) !== 0) {
    const s = lookupAt(hm, kb, ko, htab_map_hash_bits(kb, ko, ks, hm.hashrnd));
    if (s === NIL) return HTAB_MISS;
    copyBytes(vb, vo, hm.vals, s * hm.vsize, hm.vsize);
    return 0;
  }
  // A 4- or 8-byte key at a word offset, read and compared as words (kw is kb as words; keys32 is keys as words).
  const ki = ko >> 2;
  const k0 = kw[ki]!;
  const k1 = ks === 8 ? kw[ki + 1]! : 0;
  const hash = htab_hash_words(k0, k1, ks, hm.hashrnd);
  // findWords() written out: with it this function is too long for V8 to inline into the fast path's caller, so it
  // is compiled on its own with the hash and the copy inlined, where the caller's inlining budget could not take both.
  const hs = hm.hash;
  const hn = hm.hnext;
  const keys = hm.keys32;
  const kwords = ks >> 2;
  let s = hm.heads.get(hash & (hm.n_buckets - 1));
  for (; s !== NIL; s = hn[s]!) {
    if (hs[s] !== hash) continue;
    const o = s * kwords;
    if (keys[o] !== k0) continue;
    if (ks === 8 && keys[o + 1] !== k1) continue;
    break;
  }
  if (s === NIL) return HTAB_MISS;
  const vs = hm.vsize;
  const q = s * vs;
  if (vs === 8 && (vo & 3) === 0) {
    // Two words, as the key.
    const vals = hm.vals32;
    const vi = vo >> 2;
    const qi = q >> 2;
    vw[vi] = vals[qi]!;
    vw[vi + 1] = vals[qi + 1]!;
  } else copyBytes(vb, vo, hm.vals, q, vs);
  return 0;
}

/**
 * htab_update()'s plain-HASH branch with flags lo (hi word zero, checked by
 * the caller; 0, BPF_NOEXIST or BPF_EXIST): 0, or HTAB_MISS for
 * EEXIST/ENOENT/E2BIG, with the table untouched.
 */
export function htabFastUpdate(m: BpfMap, kb: Uint8Array, kw: Int32Array, ko: number, vb: Uint8Array, vw: Int32Array, vo: number, flags: number): number {
  const hm = m as BpfHtab;
  const ks = hm.key_size;
  let hash: number;
  let old: number;
  if ((ks === 4 || ks === 8) && (ko & 3) === 0) {
    // A 4- or 8-byte key at a word offset as words, as in htabFastLookup.
    const ki = ko >> 2;
    const k0 = kw[ki]!;
    const k1 = ks === 8 ? kw[ki + 1]! : 0;
    hash = htab_hash_words(k0, k1, ks, hm.hashrnd);
    old = findWords(hm, k0, k1, ks, hash);
  } else {
    hash = htab_map_hash_bits(kb, ko, ks, hm.hashrnd);
    old = lookupAt(hm, kb, ko, hash);
  }
  // check_flags()
  if (flags === BPF_NOEXIST ? old !== NIL : flags === BPF_EXIST && old === NIL) return HTAB_MISS;
  const b = hash & (hm.n_buckets - 1);
  if (old !== NIL) {
    // The generic path puts a new slot at the bucket's head and frees the
    // old one. Slots are not observable, only the chain order is: the old
    // slot takes the new value and moves to the head (where it often is).
    const vs = hm.vsize;
    if (vs === 8 && (vo & 3) === 0) {
      const vals = hm.vals32;
      const qi = old * 2;
      const vi = vo >> 2;
      vals[qi] = vw[vi]!;
      vals[qi + 1] = vw[vi + 1]!;
    } else copyBytes(hm.vals, old * vs, vb, vo, vs);
    if (!found.atHead) {
      unlink(hm, old);
      hm.hnext[old] = hm.heads.get(b);
      hm.heads.set(b, old);
      hm.gen++;
    }
    return 0;
  }
  // newElem()
  if (hm.count >= hm.max_entries) return HTAB_MISS;
  hm.count++;
  const s = allocSlot(hm);
  copyBytes(hm.vals, s * hm.vsize, vb, vo, hm.vsize);
  // linkHead()
  hm.hash[s] = hash;
  copyBytes(hm.keys, s * hm.key_size, kb, ko, hm.key_size);
  hm.hnext[s] = hm.heads.get(b);
  hm.heads.set(b, s);
  hm.gen++;
  return 0;
}

/** htab_delete(): 0, or HTAB_MISS when the key is absent. */
export function htabFastDelete(m: BpfMap, kb: Uint8Array, ko: number): number {
  const hm = m as BpfHtab;
  const s = lookupAt(hm, kb, ko, htab_map_hash_bits(kb, ko, hm.key_size, hm.hashrnd));
  if (s === NIL) return HTAB_MISS;
  removeSlot(hm, s);
  return 0;
}

/**
 * htab_get_next_key(): the slot whose key comes next (its bytes are at
 * keys[slot * key_size]), or HTAB_MISS at the end (ENOENT). kb === null: no
 * key, the first one.
 */
export function htabFastNextSlot(m: BpfMap, kb: Uint8Array | null, kw: Int32Array, ko: number): number {
  const hm = m as BpfHtab;
  const s = nextSlot(hm, kb, kw, ko);
  if (s !== NIL) {
    hm.cursor = s;
    hm.cursorGen = hm.gen;
  }
  return s === NIL ? HTAB_MISS : s;
}

function nextSlot(hm: BpfHtab, kb: Uint8Array | null, kw: Int32Array, ko: number): number {
  let i = 0;
  if (kb !== null) {
    // A walk passes back the key it was just given: when that is the cursor's
    // key and no chain changed since, the key is at the cursor's slot, which
    // is what hashing it and walking its bucket would find (keys are unique).
    const c = hm.cursor;
    if (c !== NIL && hm.cursorGen === hm.gen) {
      const ks = hm.key_size;
      let same = true;
      // A 4-byte key at a word offset: one word compare (kw is kb as words).
      if (ks === 4 && (ko & 3) === 0) same = hm.keys32[c] === kw[ko >> 2];
      else {
        const keys = hm.keys;
        const o = c * ks;
        for (let j = 0; j < ks; j++)
          if (keys[o + j] !== kb[ko + j]) {
            same = false;
            break;
          }
      }
      if (same) {
        const n = hm.hnext[c]!;
        if (n !== NIL) return n;
        const b = hm.heads.nextNonEmpty((hm.hash[c]! & (hm.n_buckets - 1)) + 1);
        return b < 0 ? NIL : hm.heads.get(b);
      }
    }
    const hash = htab_map_hash_bits(kb, ko, hm.key_size, hm.hashrnd);
    const s = lookupAt(hm, kb, ko, hash);
    if (s !== NIL) {
      const n = hm.hnext[s]!;
      if (n !== NIL) return n;
      i = (hash & (hm.n_buckets - 1)) + 1;
    }
  }
  const b = hm.heads.nextNonEmpty(i);
  if (b < 0) return NIL;
  return hm.heads.get(b);
}

/** The stored keys of m (a slot's key is at slot * key_size). */
export function htabKeys(m: BpfMap): Uint8Array {
  return (m as BpfHtab).keys;
}

/** htabKeys() as 4-byte words, when key_size is a multiple of 4 (a slot's key at slot * key_size / 4). */
export function htabKeyWords(m: BpfMap): Int32Array {
  return (m as BpfHtab).keys32;
}

/** __htab_map_lookup_and_delete_batch(): whole buckets at a time; in/out_batch are bucket indexes. */
function htab_batch(do_delete: boolean) {
  return (c: Call, m: BpfMap): number => {
    const { t, attr } = c;
    const hm = h(m);
    const ef = attr.u64("batch.elem_flags");
    if (ef & NOT_F_LOCK || (ef & BIG_F_LOCK && !hm.hasSpinLock)) return t.fail(-EINVAL, "batch.elem_flags: only BPF_F_LOCK, and only with a bpf_spin_lock");
    if (attr.u64("batch.flags")) return t.fail(-EINVAL, "batch.flags must be 0 for hash maps");
    const max_count = attr.u32("batch.count");
    if (!max_count) return 0;
    if (putBatchCount(c, 0)) return t.fail(-EFAULT, "batch.count: write-back faulted");
    const ubatch = attr.u64("batch.in_batch");
    let batch = 0;
    if (ubatch !== 0n) {
      const b = new Uint8Array(4);
      if (t.memory.copyIn(b, ubatch, 4) !== 0) return t.fail(-EFAULT, "batch.in_batch: reading the bucket index faulted");
      batch = new DataView(b.buffer).getUint32(0, true);
    }
    if (batch >= hm.n_buckets) return t.fail(-ENOENT, `batch.in_batch ${batch} is past the last bucket (${hm.n_buckets})`);
    const key_size = hm.key_size;
    const value_size = hm.fd ? 4 : hm.percpu ? round_up(hm.value_size, 8) * hm.ncpu : hm.value_size;
    const ukeys = attr.u64("batch.keys");
    const uvalues = attr.u64("batch.values");
    let total = 0;
    let ret = 0;
    for (;;) {
      // Skip empty buckets without copying anything.
      let bucket_cnt = 0;
      for (;;) {
        bucket_cnt = 0;
        for (let s = hm.heads.get(batch); s !== NIL; s = hm.hnext[s]!) bucket_cnt++;
        if (bucket_cnt || batch + 1 >= hm.n_buckets) break;
        const nb = hm.heads.nextNonEmpty(batch + 1);
        batch = nb < 0 ? hm.n_buckets - 1 : nb;
      }
      if (bucket_cnt > max_count - total) {
        if (total === 0) ret = t.fail(-ENOSPC, `batch.count ${max_count} cannot hold bucket ${batch}'s ${bucket_cnt} elements`);
        break;
      }
      const keys = new Uint8Array(key_size * bucket_cnt);
      const values = new Uint8Array(value_size * bucket_cnt);
      let k = 0;
      const doomed: number[] = [];
      for (let s = hm.heads.get(batch); s !== NIL; s = hm.hnext[s]!, k++) {
        keys.set(hm.keys.subarray(s * key_size, (s + 1) * key_size), k * key_size);
        readValue(hm, s, values, k * value_size);
        check_and_init_map_value(m, values, k * value_size, value_size);
        if (do_delete) doomed.push(s);
      }
      for (const s of doomed) removeSlot(hm, s);
      if (bucket_cnt && (t.memory.copyOut(ukeys + BigInt(total * key_size), keys) !== 0 || t.memory.copyOut(uvalues + BigInt(total * value_size), values) !== 0)) {
        return t.fail(-EFAULT, "batch.keys or batch.values: write faulted");
      }
      total += bucket_cnt;
      batch++;
      if (batch >= hm.n_buckets) {
        ret = t.fail(-ENOENT, `batch reached the last bucket after ${total} elements`);
        break;
      }
    }
    const ob = new Uint8Array(4);
    new DataView(ob.buffer).setUint32(0, batch, true);
    if (t.memory.copyOut(attr.u64("batch.out_batch"), ob) !== 0 || putBatchCount(c, total)) return t.fail(-EFAULT, "batch.out_batch or batch.count: write-back faulted");
    return ret;
  };
}

function meta(m: BpfMap): bigint {
  const hm = h(m);
  return BigInt(hm.n_buckets * SIZEOF_BUCKET + hm.max_entries * (SIZEOF_HTAB_ELEM + round_up(hm.key_size, 8) + round_up(hm.value_size, 8)));
}

function htabOps(name: string): MapOps {
  const ops: MapOps = {
    name,
    map_alloc_check: htab_map_alloc_check,
    map_alloc: (t, attr) => htab_map_alloc(t, attr, ops),
    map_meta_equal: bpf_map_meta_equal,
    map_lookup_sys: htab_lookup_sys,
    map_update_sys: htab_update_sys,
    map_delete_elem: htab_delete,
    map_get_next_key: htab_get_next_key,
    map_lookup_and_delete_elem: htab_lookup_and_delete,
    map_lookup_batch: htab_batch(false),
    map_lookup_and_delete_batch: htab_batch(true),
    map_update_batch: generic_map_update_batch,
    map_delete_batch: generic_map_delete_batch,
    map_mem_usage: meta,
    map_check_btf: true,
    // readValue() writes vsize bytes (4 for maps of maps), the whole value the syscall side passes.
    sys_value_filled: true,
  };
  return ops;
}

export const htab_map_ops = htabOps("htab_map_ops");
export const htab_percpu_map_ops = htabOps("htab_percpu_map_ops");
export const htab_lru_map_ops = htabOps("htab_lru_map_ops");
export const htab_lru_percpu_map_ops = htabOps("htab_lru_percpu_map_ops");

const { map_meta_equal: _noMetaEqual, map_check_btf: _noBtf, ...htabOfMapsBase } = htabOps("htab_of_maps_map_ops");
export const htab_of_maps_map_ops: MapOps = {
  ...htabOfMapsBase,
  map_alloc_check: fd_htab_map_alloc_check,
  map_alloc: (t, attr) => {
    const metaMap = bpf_map_meta_alloc(t, attr.u32("inner_map_fd"));
    if (typeof metaMap === "number") return metaMap;
    const m = htab_map_alloc(t, attr, htab_of_maps_map_ops);
    if (typeof m === "number") return m;
    m.inner_map_meta = metaMap;
    return m;
  },
  map_free: (m) => {
    const hm = h(m);
    for (const inner of hm.objs ?? []) if (inner) bpf_map_fd_put_ptr(inner);
    hm.objs = [];
  },
};

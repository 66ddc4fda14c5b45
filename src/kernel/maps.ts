// SPDX-License-Identifier: GPL-2.0-only
// The map half of kernel/bpf/syscall.c: fd lookup (__bpf_map_get), the
// element commands after their CHECK_ATTR, the generic batch walkers, map
// ids, references and the end of map_create. Per-type storage lives in
// arraymap.ts, hashtab.ts and friends; map_types.ts fills bpf_map_types[]
// (the kernel's bpf_types.h) and is loaded from here, so that any user of
// the syscall entry sees every type registered.

import { E2BIG, EBADF, EBUSY, EEXIST, EFAULT, EINVAL, ENOENT, ENOMEM, ENOTSUPP, EOPNOTSUPP, EPERM, ENOSPC } from "../abi/errno.ts";
import type { Attr, CmdFields } from "../abi/attr.ts";
import { BPF_MAP_TYPE as MT } from "../uapi/gen/consts-6.18.ts";
import { BPF_F } from "../uapi/defines.ts";
import { BpfMap, createOffs, type BpfMapOps, type BpfToken } from "./bpf.ts";
import { File, FMODE_READ, FMODE_WRITE, O_CLOEXEC, type FileOperations } from "./file.ts";
import { BPF_F_LOCK } from "./map_util.ts";
import { bpf_obj_name_cpy, ensureUserAttr, type Call } from "./syscall.ts";
import { bpf_map_put_btf, bpf_map_record, map_create_btf } from "./btf.ts";
import { CAP } from "./capability.ts";
import { bpf_token_capable } from "./token.ts";
import type { Task } from "./task.ts";

/**
 * struct bpf_map_ops as the syscall side uses it. Keys and values are byte
 * arrays of key_size and bpf_map_value_size(); results are 0 or -errno.
 * The *_sys operations are the syscall paths of bpf_map_copy_value() and
 * bpf_map_update_value(), one per type instead of the kernel's type switch.
 */
export interface MapOps extends BpfMapOps {
  /** map_meta_equal: present on types that may be inner maps. */
  map_meta_equal?: (meta: BpfMap, inner: BpfMap) => boolean;
  /** bpf_map_copy_value() for this type: fills `value`. */
  map_lookup_sys?: (t: Task, map: BpfMap, key: Uint8Array, value: Uint8Array, flags: bigint) => number;
  /** bpf_map_update_value() for this type. */
  map_update_sys?: (t: Task, map: BpfMap, key: Uint8Array, value: Uint8Array, flags: bigint) => number;
  map_delete_elem?: (t: Task, map: BpfMap, key: Uint8Array) => number;
  map_get_next_key?: (map: BpfMap, key: Uint8Array | null, next: Uint8Array) => number;
  map_lookup_and_delete_elem?: (map: BpfMap, key: Uint8Array, value: Uint8Array, flags: bigint) => number;
  map_push_elem?: (map: BpfMap, value: Uint8Array, flags: bigint) => number;
  map_pop_elem?: (map: BpfMap, value: Uint8Array) => number;
  map_peek_elem?: (map: BpfMap, value: Uint8Array) => number;
  map_lookup_batch?: (c: Call, map: BpfMap) => number;
  map_lookup_and_delete_batch?: (c: Call, map: BpfMap) => number;
  map_update_batch?: (c: Call, map: BpfMap) => number;
  map_delete_batch?: (c: Call, map: BpfMap) => number;
  /** Only ARRAY: sha256 of the values, for bpf_map_info.hash. */
  map_get_hash?: (map: BpfMap) => Uint8Array;
  /** Called for every fd close (perf event arrays drop the entries that fd added). */
  map_release?: (map: BpfMap, f: File) => void;
  /**
   * Set when a successful map_lookup_sys / map_lookup_and_delete_elem /
   * map_pop_elem writes every byte of the value buffer, so the syscall side
   * may hand it a reused buffer without zeroing it first.
   */
  sys_value_filled?: boolean;
}

export { bpf_map_types, registerMapOps } from "./map_util.ts";

/** bpf_map_offload_ops: a map bound to a netdev; none of ours can offload. */
export const bpf_map_offload_ops: MapOps = {
  name: "bpf_map_offload_ops",
  map_alloc: (t: Task, attr: Attr) => {
    // bpf_map_offload_map_alloc(): only ARRAY and HASH, no flags, a device that can offload.
    const type = attr.u32("map_type");
    if (type !== MT.ARRAY && type !== MT.HASH) return t.fail(-EINVAL, `map_ifindex: only ARRAY and HASH maps can be offloaded (map_type ${type})`);
    if (attr.u32("map_flags")) return t.fail(-EINVAL, "map_ifindex: offloaded maps take no map_flags");
    const ifindex = attr.u32("map_ifindex");
    // A fresh network namespace has only lo (ifindex 1), which cannot offload.
    if (ifindex !== 1) return t.fail(-EINVAL, `map_ifindex ${ifindex}: no such device`);
    return t.fail(-EOPNOTSUPP, `map_ifindex ${ifindex} (lo) cannot offload maps`);
  },
  map_mem_usage: () => 0n,
};

export const bpf_map_fops: FileOperations = {
  name: "bpf_map_fops",
  release: (f: File) => {
    const map = f.private_data as BpfMap;
    // bpf_map_release(): the per-fd hook, then the user reference.
    (map.ops as MapOps).map_release?.(map, f);
    bpf_map_put_with_uref(map);
  },
};

/** __bpf_map_get(): -EBADF when the fd is not open, -EINVAL when it is not a map. */
export function bpf_map_get(t: Task, ufd: number, field: string): BpfMap | number {
  const f = t.files.get(ufd);
  if (f === undefined) return t.fail(-EBADF, `${field}: fd ${ufd} is not open`);
  if (f.f_op !== bpf_map_fops) return t.fail(-EINVAL, `${field}: fd ${ufd} is not a map (${f.f_op.name})`);
  return f.private_data as BpfMap;
}

/** map_get_sys_perms(): the fd's mode, without write once the map is frozen. */
export function map_get_sys_perms(map: BpfMap, f: File): number {
  let mode = f.f_mode;
  if (map.frozen) mode &= ~FMODE_WRITE;
  return mode;
}

/** __bpf_map_get() returning the map's file (the map is its private_data): no object per call. */
function mapFile(t: Task, ufd: number, field: string): File | number {
  const f = t.files.get(ufd);
  if (f === undefined || f.f_op !== bpf_map_fops) return mapFileFail(t, ufd, field, f);
  return f;
}

/** mapFile()'s failures, kept out of it so that it stays small enough to be inlined. */
function mapFileFail(t: Task, ufd: number, field: string, f: File | undefined): number {
  if (f === undefined) return t.fail(-EBADF, `${field}: fd ${ufd} is not open`);
  return t.fail(-EINVAL, `${field}: fd ${ufd} is not a map (${f.f_op.name})`);
}

/**
 * Field offsets of an element command's layout, resolved once per layout
 * and kept in CmdFields.memo: a call reads its fields at fixed offsets.
 */
interface ElemOffs {
  readonly map_fd: number;
  readonly key: number;
  readonly value: number;
  readonly next_key: number;
  readonly flags: number;
}

function elemOffs(attr: Attr): ElemOffs {
  const m = attr.fields.memo as ElemOffs | null;
  return m !== null ? m : makeElemOffs(attr.fields);
}

/** Kept apart from elemOffs(): a closure over `f` there would make V8 allocate its context on every call. */
function makeElemOffs(f: CmdFields): ElemOffs {
  const at = (name: string): number => f.get(name)?.offset ?? -1;
  const m: ElemOffs = { map_fd: at("map_fd"), key: at("key"), value: at("value"), next_key: at("next_key"), flags: at("flags") };
  f.memo = m;
  return m;
}

/**
 * Scratch buffers for the element commands' kernel copies of keys and
 * values (the kernel's kvmalloc'd copies), one per size and role. A copy is
 * consumed before the command returns and element commands do not nest, so
 * reusing them is safe; map implementations copy what they keep. Large
 * sizes are allocated per call.
 */
const SCRATCH_MAX = 512;
const keyScratch: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(SCRATCH_MAX + 1).fill(undefined);
const valueScratch: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(SCRATCH_MAX + 1).fill(undefined);
const nextScratch: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(SCRATCH_MAX + 1).fill(undefined);

function scratch(pool: (Uint8Array | undefined)[], n: number): Uint8Array {
  if (n > SCRATCH_MAX) return new Uint8Array(n);
  let b = pool[n];
  if (b === undefined) pool[n] = b = new Uint8Array(n);
  return b;
}

/**
 * The value buffer of a lookup: a reused buffer is zeroed first unless the
 * map type fills every byte of it (MapOps.sys_value_filled), so that what
 * a lookup returns never depends on an earlier call.
 */
function lookupValueBuf(t: Task, map: BpfMap): Uint8Array {
  const n = bpf_map_value_size(t, map);
  if (n > SCRATCH_MAX) return new Uint8Array(n);
  const b = scratch(valueScratch, n);
  if ((map.ops as MapOps).sys_value_filled !== true) b.fill(0);
  return b;
}

/** bpf_map_value_size(): per-CPU maps hold round_up(value_size, 8) per possible CPU; fd maps expose a u32. */
export function bpf_map_value_size(t: Task, map: BpfMap): number {
  switch (map.map_type) {
    case MT.PERCPU_HASH:
    case MT.LRU_PERCPU_HASH:
    case MT.PERCPU_ARRAY:
    case MT.PERCPU_CGROUP_STORAGE:
      return Math.ceil(map.value_size / 8) * 8 * t.kernel.possibleCpus;
    case MT.PERF_EVENT_ARRAY:
    case MT.CGROUP_ARRAY:
    case MT.ARRAY_OF_MAPS:
    case MT.HASH_OF_MAPS:
    case MT.PROG_ARRAY:
      return 4;
    default:
      return map.value_size;
  }
}

export function mapOps(map: BpfMap): MapOps {
  return map.ops as MapOps;
}

/** btf_record_has_field(map->record, BPF_SPIN_LOCK) */
function hasSpinLock(map: BpfMap): boolean {
  return map.hasSpinLock;
}

/**
 * __bpf_copy_key(): a key pointer with key_size 0 is rejected; no key means
 * no key. `off` is the pointer's offset in the attr (a number pointer: see
 * Attr.ptrAt); the copy lands in `pool`'s scratch buffer.
 */
function copyKeyAt(c: Call, map: BpfMap, off: number, field: string, pool: (Uint8Array | undefined)[]): Uint8Array | number {
  const ukey = c.attr.ptrAt(off);
  const n = map.key_size;
  if (n === 0) {
    if (ukey !== 0) return c.t.fail(-EINVAL, `${field}: map has key_size 0 but a key pointer was given`);
    return scratch(pool, 0);
  }
  const key = scratch(pool, n);
  if (c.t.memory.copyInAt(key, ukey, n) !== 0) return keyFault(c, off, n, field);
  return key;
}

function keyFault(c: Call, off: number, n: number, field: string): number {
  return c.t.fail(-EFAULT, `${field}: reading ${n} key bytes at 0x${c.attr.u64At(off).toString(16)} faulted`);
}

/** copy_to_user of `bytes` to the pointer at attr offset `off`. */
function copyOutAt(c: Call, off: number, bytes: Uint8Array, field: string): number {
  if (c.t.memory.copyOutAt(c.attr.ptrAt(off), bytes) !== 0) return outFault(c, off, bytes.length, field);
  return 0;
}

function outFault(c: Call, off: number, n: number, field: string): number {
  return c.t.fail(-EFAULT, `${field}: writing ${n} bytes to 0x${c.attr.u64At(off).toString(16)} faulted`);
}

/** bpf_map_copy_value(): the syscall lookup of one element into `value`. */
export function bpf_map_copy_value(t: Task, map: BpfMap, key: Uint8Array, value: Uint8Array, flags: bigint): number {
  const o = mapOps(map);
  if (map.map_type === MT.QUEUE || map.map_type === MT.STACK || map.map_type === MT.BLOOM_FILTER)
    return o.map_peek_elem ? o.map_peek_elem(map, value) : -ENOTSUPP;
  if (o.map_lookup_sys) {
    const err = o.map_lookup_sys(t, map, key, value, flags);
    if (!err) check_and_init_map_value(map, value);
    return err;
  }
  return -ENOTSUPP;
}

/**
 * check_and_init_map_value(): special fields of a value (bpf_spin_lock,
 * timers, kptrs...) never reach user space; a copy out has them zeroed. Per-CPU
 * values repeat the layout every round_up(value_size, 8) bytes.
 */
export function check_and_init_map_value(map: BpfMap, value: Uint8Array, at = 0, len = value.length - at): void {
  // A map has a record exactly when its value BTF has special fields (btf.ts sets both): no WeakMap lookup per lookup otherwise.
  if (!map.hasSpecialFields) return;
  const rec = bpf_map_record(map);
  if (rec === undefined || rec.length === 0) return;
  const stride = len > map.value_size ? Math.ceil(map.value_size / 8) * 8 : map.value_size;
  for (let base = at; base + map.value_size <= at + len; base += stride) for (const f of rec) value.fill(0, base + f.off, base + f.off + f.size);
}

/** bpf_map_update_value(): the syscall update of one element. */
export function bpf_map_update_value(t: Task, map: BpfMap, key: Uint8Array, value: Uint8Array, flags: bigint): number {
  const o = mapOps(map);
  if (map.map_type === MT.QUEUE || map.map_type === MT.STACK || map.map_type === MT.BLOOM_FILTER)
    return o.map_push_elem ? o.map_push_elem(map, value, flags) : -ENOTSUPP;
  if (o.map_update_sys) return o.map_update_sys(t, map, key, value, flags);
  return -ENOTSUPP;
}

function errReason(map: BpfMap, what: string, err: number): string {
  switch (err) {
    case -ENOENT:
      return `${what}: no such element in ${map.ops.name}`;
    case -EEXIST:
      return `${what}: element exists (BPF_NOEXIST) in ${map.ops.name}`;
    case -E2BIG:
      return `${what}: index out of range or map full (${map.ops.name}, max_entries ${map.max_entries})`;
    case -ENOSPC:
      return `${what}: no room (${map.ops.name})`;
    case -ENOTSUPP:
    case -EOPNOTSUPP:
      return `${what}: not supported by ${map.ops.name}`;
    case -EINVAL:
      return `${what}: rejected by ${map.ops.name} (flags or key)`;
    default:
      return `${what} failed in ${map.ops.name}`;
  }
}

// --- BPF_MAP_LOOKUP_ELEM -----------------------------------------------------
// The element commands read their fields at offsets resolved once per layout
// (elemOffs), test flag bits on the words (no BigInt unless a map type wants
// the flags), and copy keys and values through scratch buffers.

export function map_lookup_elem(c: Call): number {
  const { t, attr } = c;
  const E = elemOffs(attr);
  const f = mapFile(t, attr.u32At(E.map_fd), "map_fd");
  if (typeof f === "number") return f;
  const map = f.private_data as BpfMap;
  if (!(map_get_sys_perms(map, f) & FMODE_READ)) return t.fail(-EPERM, "map_fd does not allow reading (write-only fd)");
  if (attr.u32At(E.flags) & BPF_F.LOCK && !hasSpinLock(map)) return t.fail(-EINVAL, "BPF_F_LOCK on a map without a bpf_spin_lock");
  const key = copyKeyAt(c, map, E.key, "key", keyScratch);
  if (typeof key === "number") return key;
  const value = lookupValueBuf(t, map);
  const flags = attr.u64At(E.flags);
  if (map.map_type === MT.BLOOM_FILTER) {
    // A bloom filter is asked with the value: copied in, tested, never copied out.
    if (t.memory.copyInAt(value, attr.ptrAt(E.value), value.length) !== 0) return t.fail(-EFAULT, `value: reading ${value.length} bytes faulted`);
    const err = bpf_map_copy_value(t, map, key, value, flags);
    return err ? t.fail(err, errReason(map, "lookup", err)) : 0;
  }
  const err = bpf_map_copy_value(t, map, key, value, flags);
  if (err) return t.fail(err, errReason(map, "lookup", err));
  return copyOutAt(c, E.value, value, "value");
}

// --- BPF_MAP_UPDATE_ELEM -----------------------------------------------------

export function map_update_elem(c: Call): number {
  const { t, attr } = c;
  const E = elemOffs(attr);
  const f = mapFile(t, attr.u32At(E.map_fd), "map_fd");
  if (typeof f === "number") return f;
  const map = f.private_data as BpfMap;
  if (!(map_get_sys_perms(map, f) & FMODE_WRITE)) return t.fail(-EPERM, map.frozen ? "map is frozen" : "map_fd does not allow writing (read-only fd)");
  if (attr.u32At(E.flags) & BPF_F.LOCK && !hasSpinLock(map)) return t.fail(-EINVAL, "BPF_F_LOCK on a map without a bpf_spin_lock");
  const key = copyKeyAt(c, map, E.key, "key", keyScratch);
  if (typeof key === "number") return key;
  // Every byte of the value is copied in before it is used.
  const value = scratch(valueScratch, bpf_map_value_size(t, map));
  if (t.memory.copyInAt(value, attr.ptrAt(E.value), value.length) !== 0) return t.fail(-EFAULT, `value: reading ${value.length} bytes faulted`);
  const err = bpf_map_update_value(t, map, key, value, attr.u64At(E.flags));
  return err ? t.fail(err, errReason(map, "update", err)) : 0;
}

// --- BPF_MAP_DELETE_ELEM -----------------------------------------------------

export function map_delete_elem(c: Call): number {
  const { t, attr } = c;
  const E = elemOffs(attr);
  const f = mapFile(t, attr.u32At(E.map_fd), "map_fd");
  if (typeof f === "number") return f;
  const map = f.private_data as BpfMap;
  if (!(map_get_sys_perms(map, f) & FMODE_WRITE)) return t.fail(-EPERM, map.frozen ? "map is frozen" : "map_fd does not allow writing");
  const key = copyKeyAt(c, map, E.key, "key", keyScratch);
  if (typeof key === "number") return key;
  const o = mapOps(map);
  const err = o.map_delete_elem ? o.map_delete_elem(t, map, key) : -ENOTSUPP;
  return err ? t.fail(err, errReason(map, "delete", err)) : 0;
}

// --- BPF_MAP_GET_NEXT_KEY ----------------------------------------------------

export function map_get_next_key(c: Call): number {
  const { t, attr } = c;
  const E = elemOffs(attr);
  const f = mapFile(t, attr.u32At(E.map_fd), "map_fd");
  if (typeof f === "number") return f;
  const map = f.private_data as BpfMap;
  if (!(map_get_sys_perms(map, f) & FMODE_READ)) return t.fail(-EPERM, "map_fd does not allow reading");
  let key: Uint8Array | null = null;
  if (attr.ptrAt(E.key) !== 0) {
    const k = copyKeyAt(c, map, E.key, "key", keyScratch);
    if (typeof k === "number") return k;
    key = k;
  }
  // get_next_key writes all key_size bytes of next whenever it succeeds.
  const next = scratch(nextScratch, map.key_size);
  const o = mapOps(map);
  const err = o.map_get_next_key ? o.map_get_next_key(map, key, next) : -ENOTSUPP;
  if (err) return t.fail(err, err === -ENOENT ? "no next key" : errReason(map, "get_next_key", err));
  return copyOutAt(c, E.next_key, next, "next_key");
}

// --- BPF_MAP_LOOKUP_AND_DELETE_ELEM -----------------------------------------

export function map_lookup_and_delete_elem(c: Call): number {
  const { t, attr } = c;
  const E = elemOffs(attr);
  const f = mapFile(t, attr.u32At(E.map_fd), "map_fd");
  if (typeof f === "number") return f;
  const map = f.private_data as BpfMap;
  const perms = map_get_sys_perms(map, f);
  if (!(perms & FMODE_READ) || !(perms & FMODE_WRITE)) return t.fail(-EPERM, "map_fd must allow both reading and writing");
  const flo = attr.u32At(E.flags);
  if ((flo !== 0 || attr.hi32At(E.flags) !== 0) && (map.map_type === MT.QUEUE || map.map_type === MT.STACK)) return t.fail(-EINVAL, "flags must be 0 for QUEUE and STACK maps");
  if (flo & BPF_F.LOCK && !hasSpinLock(map)) return t.fail(-EINVAL, "BPF_F_LOCK on a map without a bpf_spin_lock");
  const key = copyKeyAt(c, map, E.key, "key", keyScratch);
  if (typeof key === "number") return key;
  const value = lookupValueBuf(t, map);
  const o = mapOps(map);
  let err: number;
  if (map.map_type === MT.QUEUE || map.map_type === MT.STACK) {
    err = o.map_pop_elem ? o.map_pop_elem(map, value) : -ENOTSUPP;
  } else if (
    map.map_type === MT.HASH ||
    map.map_type === MT.PERCPU_HASH ||
    map.map_type === MT.LRU_HASH ||
    map.map_type === MT.LRU_PERCPU_HASH ||
    map.map_type === MT.STACK_TRACE
  ) {
    err = o.map_lookup_and_delete_elem ? o.map_lookup_and_delete_elem(map, key, value, attr.u64At(E.flags)) : -ENOTSUPP;
  } else {
    return t.fail(-ENOTSUPP, `LOOKUP_AND_DELETE is only for QUEUE, STACK, the hash family and STACK_TRACE (map_type ${map.map_type})`);
  }
  if (err) return t.fail(err, errReason(map, "lookup_and_delete", err));
  return copyOutAt(c, E.value, value, "value");
}

// --- BPF_MAP_FREEZE ------------------------------------------------------------

/** How many maps were ever frozen: fastpath.ts keeps a file's permissions while it is unchanged. */
export const mapFreezes = { count: 0 };

export function map_freeze(c: Call): number {
  const { t, attr } = c;
  const f = mapFile(t, attr.u32("map_fd"), "map_fd");
  if (typeof f === "number") return f;
  const map = f.private_data as BpfMap;
  if (map.map_type === MT.STRUCT_OPS || map.hasSpecialFields) return t.fail(-ENOTSUPP, "STRUCT_OPS maps and maps with BTF special fields cannot be frozen");
  if (!(map_get_sys_perms(map, f) & FMODE_WRITE)) return t.fail(-EPERM, map.frozen ? "map is already frozen (write permission is gone, so this is EPERM, not EBUSY)" : "map_fd does not allow writing");
  if (map.writecnt) return t.fail(-EBUSY, "map has writable mmaps");
  if (map.frozen) return t.fail(-EBUSY, "map is already frozen");
  map.frozen = true;
  mapFreezes.count++;
  return 0;
}

// --- batch ops -------------------------------------------------------------------

/** bpf_map_do_batch(): permissions, then the type's walker or -ENOTSUPP. */
export function bpf_map_do_batch(c: Call): number {
  const { t, attr } = c;
  const f = mapFile(t, attr.u32("batch.map_fd"), "batch.map_fd");
  if (typeof f === "number") return f;
  const map = f.private_data as BpfMap;
  const name = attr.fields.layout.name;
  const has_read = name === "MAP_LOOKUP_BATCH" || name === "MAP_LOOKUP_AND_DELETE_BATCH";
  const has_write = name !== "MAP_LOOKUP_BATCH";
  const perms = map_get_sys_perms(map, f);
  if (has_read && !(perms & FMODE_READ)) return t.fail(-EPERM, "batch.map_fd does not allow reading");
  if (has_write && !(perms & FMODE_WRITE)) return t.fail(-EPERM, map.frozen ? "map is frozen" : "batch.map_fd does not allow writing");
  const o = mapOps(map);
  const fn =
    name === "MAP_LOOKUP_BATCH"
      ? o.map_lookup_batch
      : name === "MAP_LOOKUP_AND_DELETE_BATCH"
        ? o.map_lookup_and_delete_batch
        : name === "MAP_UPDATE_BATCH"
          ? o.map_update_batch
          : o.map_delete_batch;
  if (fn === undefined) return t.fail(-ENOTSUPP, `${name} is not implemented for ${map.ops.name}`);
  return fn(c, map);
}

/** put_user(v, &uattr->batch.count) */
export function putBatchCount(c: Call, v: number): number {
  const off = c.attr.fields.offsetOf("batch.count");
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, true);
  return c.t.memory.copyOut(c.uattr + BigInt(off), b) !== 0 ? -EFAULT : 0;
}

/** The elem_flags check of the generic walkers (6.18: only BPF_F_LOCK, and only with a spin lock). */
export function batchElemFlagsCheck(c: Call, map: BpfMap): number {
  const ef = c.attr.u64("batch.elem_flags");
  if (ef & ~BigInt(BPF_F_LOCK)) return c.t.fail(-EINVAL, `batch.elem_flags 0x${ef.toString(16)}: only BPF_F_LOCK is allowed`);
  if (ef & BigInt(BPF_F_LOCK) && !hasSpinLock(map)) return c.t.fail(-EINVAL, "batch.elem_flags: BPF_F_LOCK on a map without a bpf_spin_lock");
  return 0;
}

/** generic_map_delete_batch() */
export function generic_map_delete_batch(c: Call, map: BpfMap): number {
  const { t, attr } = c;
  let err = batchElemFlagsCheck(c, map);
  if (err) return err;
  const max_count = attr.u32("batch.count");
  if (!max_count) return 0;
  if (putBatchCount(c, 0)) return t.fail(-EFAULT, "batch.count: write-back faulted");
  const keys = attr.u64("batch.keys");
  const key = new Uint8Array(map.key_size);
  const o = mapOps(map);
  let cp = 0;
  for (; cp < max_count; cp++) {
    err = -EFAULT;
    if (t.memory.copyIn(key, keys + BigInt(cp * map.key_size), map.key_size) !== 0) break;
    err = o.map_delete_elem ? o.map_delete_elem(t, map, key) : -ENOTSUPP;
    if (err) break;
  }
  if (putBatchCount(c, cp)) err = -EFAULT;
  return err ? t.fail(err, `delete batch stopped at element ${cp}: ${errReason(map, "delete", err)}`) : 0;
}

/** generic_map_update_batch() */
export function generic_map_update_batch(c: Call, map: BpfMap): number {
  const { t, attr } = c;
  let err = batchElemFlagsCheck(c, map);
  if (err) return err;
  const value_size = bpf_map_value_size(t, map);
  const max_count = attr.u32("batch.count");
  if (!max_count) return 0;
  if (putBatchCount(c, 0)) return t.fail(-EFAULT, "batch.count: write-back faulted");
  const keys = attr.u64("batch.keys");
  const values = attr.u64("batch.values");
  const flags = attr.u64("batch.elem_flags");
  const key = new Uint8Array(map.key_size);
  const value = new Uint8Array(value_size);
  let cp = 0;
  for (; cp < max_count; cp++) {
    err = -EFAULT;
    if (t.memory.copyIn(key, keys + BigInt(cp * map.key_size), map.key_size) !== 0 || t.memory.copyIn(value, values + BigInt(cp * value_size), value_size) !== 0) break;
    err = bpf_map_update_value(t, map, key, value, flags);
    if (err) break;
  }
  if (putBatchCount(c, cp)) err = -EFAULT;
  return err ? t.fail(err, `update batch stopped at element ${cp}: ${errReason(map, "update", err)}`) : 0;
}

/** generic_map_lookup_batch(): get_next_key walks; elements that vanish are skipped. */
export function generic_map_lookup_batch(c: Call, map: BpfMap): number {
  const { t, attr } = c;
  let err = batchElemFlagsCheck(c, map);
  if (err) return err;
  const value_size = bpf_map_value_size(t, map);
  const max_count = attr.u32("batch.count");
  if (!max_count) return 0;
  if (putBatchCount(c, 0)) return t.fail(-EFAULT, "batch.count: write-back faulted");
  const ubatch = attr.u64("batch.in_batch");
  const uobatch = attr.u64("batch.out_batch");
  const keys = attr.u64("batch.keys");
  const values = attr.u64("batch.values");
  const flags = attr.u64("batch.elem_flags");
  let buf_prevkey: Uint8Array = new Uint8Array(map.key_size);
  let key: Uint8Array = new Uint8Array(map.key_size);
  const value = new Uint8Array(value_size);
  let prev_key: Uint8Array | null = null;
  if (ubatch !== 0n && t.memory.copyIn(buf_prevkey, ubatch, map.key_size) !== 0) return t.fail(-EFAULT, "batch.in_batch: reading the previous key faulted");
  if (ubatch !== 0n) prev_key = buf_prevkey;
  const o = mapOps(map);
  let cp = 0;
  while (cp < max_count) {
    err = o.map_get_next_key ? o.map_get_next_key(map, prev_key, key) : -ENOTSUPP;
    if (err) break;
    err = bpf_map_copy_value(t, map, key, value, flags);
    if (err !== -ENOENT) {
      if (err) return t.fail(err, errReason(map, "lookup batch", err));
      if (t.memory.copyOut(keys + BigInt(cp * map.key_size), key) !== 0) return t.fail(-EFAULT, "batch.keys: write faulted");
      if (t.memory.copyOut(values + BigInt(cp * value_size), value) !== 0) return t.fail(-EFAULT, "batch.values: write faulted");
      cp++;
    }
    // swap(prev_key, key), with prev_key pointing at buf_prevkey the first time.
    if (prev_key === null) prev_key = buf_prevkey;
    const tmp = prev_key;
    prev_key = key;
    key = tmp;
    buf_prevkey = prev_key;
  }
  if (err === -EFAULT) return t.fail(err, "lookup batch faulted");
  if (putBatchCount(c, cp) || (cp && t.memory.copyOut(uobatch, prev_key!) !== 0)) return t.fail(-EFAULT, "batch.count or batch.out_batch: write-back faulted");
  return err ? t.fail(err, err === -ENOENT ? `lookup batch reached the end after ${cp} elements` : errReason(map, "lookup batch", err)) : 0;
}

// --- ids -----------------------------------------------------------------------------


export function map_get_fd_by_id(c: Call, id: number, f_flags: number): number {
  const { t } = c;
  const map = t.kernel.map_idr.find(id);
  if (map === undefined || map.refcnt === 0) return t.fail(-ENOENT, `no map with id ${id}`);
  // bpf_map_new_fd after __bpf_map_inc_not_zero with a user reference.
  map.refcnt++;
  map.usercnt++;
  const fd = t.files.install(new File(bpf_map_fops, map, f_flags | O_CLOEXEC));
  if (fd < 0) {
    bpf_map_put_with_uref(map);
    return t.fail(fd, "no free fd");
  }
  return fd;
}

// --- references ---------------------------------------------------------------------

export function bpf_map_inc(map: BpfMap): void {
  map.refcnt++;
}

/** bpf_map_put(): the last reference frees the map and returns its id (bpf_map_free_id). */
export function bpf_map_put(map: BpfMap): void {
  if (--map.refcnt === 0) {
    const idr = map.idr;
    if (idr !== null && map.id) idr.remove(map.id);
    map.id = 0;
    map.ops.map_free?.(map);
    // Only map_create_btf (btf.ts) gives a map its BTF, and always with one of these ids non-zero: without any, no WeakMap lookup.
    if (map.btf_key_type_id | map.btf_value_type_id | map.btf_vmlinux_value_type_id) bpf_map_put_btf(map);
  }
}

/** bpf_map_put_with_uref(): the last user reference clears prog arrays (map_release_uref). */
export function bpf_map_put_with_uref(map: BpfMap): void {
  if (--map.usercnt === 0) map.ops.map_release_uref?.(map);
  bpf_map_put(map);
}

// --- end of map_create ------------------------------------------------------------

/**
 * The part of map_create() after ops->map_alloc: the name, BTF, the
 * exclusive-program hash, the id and the fd.
 */
export function map_create_finish(c: Call, map: BpfMap, _token: BpfToken | null, f_flags: number): number {
  const { t, attr } = c;
  const o = createOffs(attr);
  // bpf_obj_name_cpy(); an empty name (NUL first) keeps the map's shared
  // all-zero name: names are never written after this, only read and copied out.
  const src = attr.bytesAt(o.map_name, o.map_name_size);
  if (src.length === 0 || src[0] !== 0) {
    const name = bpf_obj_name_cpy(t, src, "map_name");
    if (typeof name === "number") return freeUnpublished(map, name);
    map.name = name;
  }

  // btf_get_by_fd(), map_check_btf() and the type ids (btf.ts). Without any
  // type id it does nothing, so the capability closure is only made when one is set.
  if (attr.u32At(o.btf_key_type_id) || attr.u32At(o.btf_value_type_id) || attr.u32At(o.btf_vmlinux_value_type_id)) {
    const btfErr = map_create_btf(c, map, () => bpf_token_capable(t, _token, CAP.BPF));
    if (btfErr) return freeUnpublished(map, btfErr);
  }

  const hash = attr.u64At(o.excl_prog_hash);
  const hsize = attr.u32At(o.excl_prog_hash_size);
  if (hash !== 0n) {
    if (hsize !== 32) return freeUnpublished(map, t.fail(-EINVAL, `excl_prog_hash_size ${hsize} must be 32 (SHA256_DIGEST_SIZE)`));
    const buf = new Uint8Array(32);
    // The only user memory map_create reads: the attr must be in the address space (the hash may point into it).
    ensureUserAttr(c);
    if (t.memory.copyIn(buf, hash, 32) !== 0) return freeUnpublished(map, t.fail(-EFAULT, "excl_prog_hash: reading 32 bytes faulted"));
  } else if (hsize) {
    return freeUnpublished(map, t.fail(-EINVAL, "excl_prog_hash_size is set without excl_prog_hash"));
  }

  const id = t.kernel.map_idr.alloc(map);
  if (id < 0) return freeUnpublished(map, t.fail(-ENOSPC, "map idr is full"));
  map.id = id;
  map.idr = t.kernel.map_idr;
  map.refcnt = 1;
  map.usercnt = 1;
  const fd = t.files.install(new File(bpf_map_fops, map, f_flags | O_CLOEXEC));
  if (fd < 0) {
    bpf_map_put_with_uref(map);
    return t.fail(fd, "no free fd");
  }
  return fd;
}

/** map_create()'s free_map path: the map never got an id or an fd. */
function freeUnpublished(map: BpfMap, err: number): number {
  map.ops.map_free?.(map);
  bpf_map_put_btf(map);
  return err;
}

export { BpfMap };
void ENOMEM;

// Every map type, registered in bpf_map_types[] (bpf_types.h).
import "./map_types.ts";

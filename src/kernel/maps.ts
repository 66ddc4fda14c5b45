// SPDX-License-Identifier: GPL-2.0-only
// The map half of kernel/bpf/syscall.c: fd lookup (__bpf_map_get), the
// element commands after their CHECK_ATTR, map ids and the end of
// map_create. Per-type storage lives in arraymap.ts, hashtab.ts and friends,
// registered in bpf_map_types below.

import { EBADF, EEXIST, EFAULT, EINVAL, ENOENT, ENOTSUPP, EOPNOTSUPP, EPERM, ENOSPC } from "../abi/errno.ts";
import type { Attr } from "../abi/attr.ts";
import { BPF_MAP_TYPE as MT } from "../uapi/gen/consts-6.18.ts";
import { BPF_F } from "../uapi/defines.ts";
import { BpfMap, type BpfMapOps, type BpfToken } from "./bpf.ts";
import { File, FMODE_READ, FMODE_WRITE, O_CLOEXEC, type FileOperations } from "./file.ts";
import type { Call } from "./syscall.ts";
import type { Task } from "./task.ts";

/**
 * Element operations a map type provides. Keys and values are plain byte
 * arrays of key_size and bpf_map_value_size(); results are 0 or -errno.
 */
export interface MapElemOps {
  map_lookup_elem?: (map: BpfMap, key: Uint8Array, out: Uint8Array) => number;
  map_update_elem?: (map: BpfMap, key: Uint8Array, value: Uint8Array, flags: bigint) => number;
  map_delete_elem?: (map: BpfMap, key: Uint8Array) => number;
  map_get_next_key?: (map: BpfMap, key: Uint8Array | null, next: Uint8Array) => number;
  map_lookup_and_delete_elem?: (map: BpfMap, key: Uint8Array, out: Uint8Array, flags: bigint) => number;
  map_push_elem?: (map: BpfMap, value: Uint8Array, flags: bigint) => number;
  map_pop_elem?: (map: BpfMap, out: Uint8Array) => number;
  map_peek_elem?: (map: BpfMap, out: Uint8Array) => number;
}

export type MapOps = BpfMapOps & MapElemOps;

/** bpf_map_types[]: index = map type; filled by the map implementations. */
export const bpf_map_types: (MapOps | undefined)[] = [];

export function registerMapOps(type: number, ops: MapOps): void {
  bpf_map_types[type] = ops;
}

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
  release: (f: File) => bpf_map_put_with_uref(f.private_data as BpfMap),
};

/** __bpf_map_get(): -EBADF when the fd is not open, -EINVAL when it is not a map. */
export function bpf_map_get(t: Task, ufd: number, field: string): BpfMap | number {
  const f = t.files.get(ufd);
  if (f === undefined) return t.fail(-EBADF, `${field}: fd ${ufd} is not open`);
  if (f.f_op !== bpf_map_fops) return t.fail(-EINVAL, `${field}: fd ${ufd} is not a map (${f.f_op.name})`);
  return f.private_data as BpfMap;
}

/** map_get_sys_perms(): what the fd allows, narrowed by the map's RDONLY/WRONLY (for syscalls) flags. */
export function map_get_sys_perms(map: BpfMap, f: File): number {
  let mode = f.f_mode;
  if (map.map_flags & BPF_F.RDONLY) mode &= ~FMODE_WRITE;
  if (map.map_flags & BPF_F.WRONLY) mode &= ~FMODE_READ;
  if (map.frozen) mode &= ~FMODE_WRITE;
  return mode;
}

function mapAndFile(t: Task, ufd: number, field: string): { map: BpfMap; f: File } | number {
  const m = bpf_map_get(t, ufd, field);
  if (typeof m === "number") return m;
  return { map: m, f: t.files.get(ufd)! };
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

function ops(map: BpfMap): MapOps {
  return map.ops as MapOps;
}

/** __bpf_copy_key(): a key pointer with key_size 0 is rejected; no key means no key. */
function copyKey(c: Call, map: BpfMap, ukey: bigint, field: string): Uint8Array | number {
  if (map.key_size === 0) {
    if (ukey !== 0n) return c.t.fail(-EINVAL, `${field}: map has key_size 0 but a key pointer was given`);
    return new Uint8Array(0);
  }
  const key = new Uint8Array(map.key_size);
  if (c.t.memory.copyIn(key, ukey, map.key_size) !== 0) return c.t.fail(-EFAULT, `${field}: reading ${map.key_size} key bytes at 0x${ukey.toString(16)} faulted`);
  return key;
}

function copyOut(c: Call, uptr: bigint, bytes: Uint8Array, field: string): number {
  if (c.t.memory.copyOut(uptr, bytes) !== 0) return c.t.fail(-EFAULT, `${field}: writing ${bytes.length} bytes to 0x${uptr.toString(16)} faulted`);
  return 0;
}

// --- BPF_MAP_LOOKUP_ELEM -----------------------------------------------------

export function map_lookup_elem(c: Call): number {
  const { t, attr } = c;
  const r = mapAndFile(t, attr.u32("map_fd"), "map_fd");
  if (typeof r === "number") return r;
  const { map, f } = r;
  if (!(map_get_sys_perms(map, f) & FMODE_READ)) return t.fail(-EPERM, "map_fd does not allow reading (write-only fd or map)");
  const flags = attr.u64("flags");
  if (flags & BigInt(BPF_F.LOCK) && !map.hasSpinLock) return t.fail(-EINVAL, "BPF_F_LOCK on a map without a bpf_spin_lock");
  const key = copyKey(c, map, attr.u64("key"), "key");
  if (typeof key === "number") return key;
  const value = new Uint8Array(bpf_map_value_size(t, map));
  let err: number;
  const o = ops(map);
  if (map.map_type === MT.QUEUE || map.map_type === MT.STACK) {
    err = o.map_peek_elem ? o.map_peek_elem(map, value) : -ENOTSUPP;
  } else if (o.map_lookup_elem) {
    err = o.map_lookup_elem(map, key, value);
  } else {
    err = -ENOTSUPP;
  }
  if (err) return err === -ENOENT ? t.fail(err, "key not found") : t.fail(err, `lookup failed in ${map.ops.name}`);
  return copyOut(c, attr.u64("value"), value, "value");
}

// --- BPF_MAP_UPDATE_ELEM -----------------------------------------------------

export function map_update_elem(c: Call): number {
  const { t, attr } = c;
  const r = mapAndFile(t, attr.u32("map_fd"), "map_fd");
  if (typeof r === "number") return r;
  const { map, f } = r;
  if (!(map_get_sys_perms(map, f) & FMODE_WRITE)) return t.fail(-EPERM, map.frozen ? "map is frozen" : "map_fd does not allow writing (read-only fd or map)");
  const flags = attr.u64("flags");
  if (flags & BigInt(BPF_F.LOCK) && !map.hasSpinLock) return t.fail(-EINVAL, "BPF_F_LOCK on a map without a bpf_spin_lock");
  const key = copyKey(c, map, attr.u64("key"), "key");
  if (typeof key === "number") return key;
  const value = new Uint8Array(bpf_map_value_size(t, map));
  if (t.memory.copyIn(value, attr.u64("value"), value.length) !== 0) return t.fail(-EFAULT, `value: reading ${value.length} bytes faulted`);
  const o = ops(map);
  let err: number;
  if (map.map_type === MT.QUEUE || map.map_type === MT.STACK || map.map_type === MT.BLOOM_FILTER) {
    err = o.map_push_elem ? o.map_push_elem(map, value, flags) : -ENOTSUPP;
  } else if (o.map_update_elem) {
    err = o.map_update_elem(map, key, value, flags);
  } else {
    err = -ENOTSUPP;
  }
  if (err) {
    const why = err === -EEXIST ? "key exists (BPF_NOEXIST)" : err === -ENOENT ? "key does not exist (BPF_EXIST)" : `update failed in ${map.ops.name}`;
    return t.fail(err, why);
  }
  return 0;
}

// --- BPF_MAP_DELETE_ELEM -----------------------------------------------------

export function map_delete_elem(c: Call): number {
  const { t, attr } = c;
  const r = mapAndFile(t, attr.u32("map_fd"), "map_fd");
  if (typeof r === "number") return r;
  const { map, f } = r;
  if (!(map_get_sys_perms(map, f) & FMODE_WRITE)) return t.fail(-EPERM, "map_fd does not allow writing");
  const key = copyKey(c, map, attr.u64("key"), "key");
  if (typeof key === "number") return key;
  const o = ops(map);
  const err = o.map_delete_elem ? o.map_delete_elem(map, key) : -ENOTSUPP;
  if (err) return t.fail(err, err === -ENOENT ? "key not found" : `delete not supported or failed in ${map.ops.name}`);
  return 0;
}

// --- BPF_MAP_GET_NEXT_KEY ----------------------------------------------------

export function map_get_next_key(c: Call): number {
  const { t, attr } = c;
  const r = mapAndFile(t, attr.u32("map_fd"), "map_fd");
  if (typeof r === "number") return r;
  const { map, f } = r;
  if (!(map_get_sys_perms(map, f) & FMODE_READ)) return t.fail(-EPERM, "map_fd does not allow reading");
  let key: Uint8Array | null = null;
  const ukey = attr.u64("key");
  if (ukey !== 0n) {
    const k = copyKey(c, map, ukey, "key");
    if (typeof k === "number") return k;
    key = k;
  }
  const next = new Uint8Array(map.key_size);
  const o = ops(map);
  const err = o.map_get_next_key ? o.map_get_next_key(map, key, next) : -ENOTSUPP;
  if (err) return t.fail(err, err === -ENOENT ? "no next key" : `get_next_key failed in ${map.ops.name}`);
  return copyOut(c, attr.u64("next_key"), next, "next_key");
}

// --- BPF_MAP_LOOKUP_AND_DELETE_ELEM -----------------------------------------

export function map_lookup_and_delete_elem(c: Call): number {
  const { t, attr } = c;
  const r = mapAndFile(t, attr.u32("map_fd"), "map_fd");
  if (typeof r === "number") return r;
  const { map, f } = r;
  const perms = map_get_sys_perms(map, f);
  if (!(perms & FMODE_READ) || !(perms & FMODE_WRITE)) return t.fail(-EPERM, "map_fd must allow both reading and writing");
  const flags = attr.u64("flags");
  if (flags && (map.map_type === MT.QUEUE || map.map_type === MT.STACK)) return t.fail(-EINVAL, "flags must be 0 for QUEUE and STACK maps");
  if (flags & BigInt(BPF_F.LOCK) && !map.hasSpinLock) return t.fail(-EINVAL, "BPF_F_LOCK on a map without a bpf_spin_lock");
  const key = copyKey(c, map, attr.u64("key"), "key");
  if (typeof key === "number") return key;
  const value = new Uint8Array(bpf_map_value_size(t, map));
  const o = ops(map);
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
    err = o.map_lookup_and_delete_elem ? o.map_lookup_and_delete_elem(map, key, value, flags) : -ENOTSUPP;
  } else {
    return t.fail(-ENOTSUPP, `LOOKUP_AND_DELETE is not supported for map_type ${map.map_type}`);
  }
  if (err) return t.fail(err, err === -ENOENT ? "key not found (or map empty)" : `lookup_and_delete failed in ${map.ops.name}`);
  return copyOut(c, attr.u64("value"), value, "value");
}

// --- BPF_MAP_FREEZE ------------------------------------------------------------

export function map_freeze(c: Call): number {
  const { t, attr } = c;
  const r = mapAndFile(t, attr.u32("map_fd"), "map_fd");
  if (typeof r === "number") return r;
  const { map, f } = r;
  if (map.map_type === MT.STRUCT_OPS || map.hasSpecialFields) return t.fail(-ENOTSUPP, "STRUCT_OPS maps and maps with BTF special fields cannot be frozen");
  if (!(map_get_sys_perms(map, f) & FMODE_WRITE)) return t.fail(-EPERM, map.frozen ? "map is already frozen (write permission is gone, so this is EPERM, not EBUSY)" : "map_fd does not allow writing");
  if (map.writecnt) return t.fail(-16, "map has writable mmaps");
  if (map.frozen) return t.fail(-16, "map is already frozen");
  map.frozen = true;
  return 0;
}

// --- batch ops -------------------------------------------------------------------

/** bpf_map_do_batch(): the generic prologue; the batch walkers belong to the map implementations. */
export function bpf_map_do_batch(c: Call): number {
  const { t, attr, cmd } = c;
  const r = mapAndFile(t, attr.u32("batch.map_fd"), "batch.map_fd");
  if (typeof r === "number") return r;
  const { map, f } = r;
  const name = attr.fields.layout.name;
  const has_read = name === "MAP_LOOKUP_BATCH" || name === "MAP_LOOKUP_AND_DELETE_BATCH";
  const has_write = name !== "MAP_LOOKUP_BATCH";
  const perms = map_get_sys_perms(map, f);
  if (has_read && !(perms & FMODE_READ)) return t.fail(-EPERM, "batch.map_fd does not allow reading");
  if (has_write && !(perms & FMODE_WRITE)) return t.fail(-EPERM, "batch.map_fd does not allow writing");
  const batch = (map.ops as Record<string, unknown>)[`batch_${name}`] as ((c: Call, map: BpfMap) => number) | undefined;
  if (batch === undefined) return t.fail(-ENOTSUPP, `${name} is not implemented for map_type ${map.map_type}`);
  void cmd;
  return batch(c, map);
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

export function bpf_map_put(map: BpfMap): void {
  if (--map.refcnt === 0) {
    map.ops.map_free?.(map);
    // The id goes back to the idr only when the map is freed.
    // (Upstream removes it in bpf_map_free_id, called from bpf_map_put.)
  }
}

export function bpf_map_put_with_uref(map: BpfMap): void {
  if (--map.usercnt === 0) map.ops.map_release_uref?.(map);
  bpf_map_put(map);
}

// --- end of map_create ------------------------------------------------------------

/**
 * The part of map_create() after ops->map_alloc: the name, BTF, the
 * exclusive-program hash, the id and the fd.
 */
export function map_create_finish(c: Call, map: BpfMap, _token: BpfToken | null, f_flags: number, nameReason: (n: Uint8Array, field: string) => string): number {
  const { t, attr } = c;
  const name = attr.bytesOf("map_name");
  // bpf_obj_name_cpy
  let nul = -1;
  for (let i = 0; i < name.length; i++) {
    const ch = name[i]!;
    if (ch === 0) {
      nul = i;
      break;
    }
    const ok = (ch >= 0x30 && ch <= 0x39) || (ch >= 0x41 && ch <= 0x5a) || (ch >= 0x61 && ch <= 0x7a) || (ch >= 0xc0 && ch !== 0xd7 && ch !== 0xf7) || ch === 0x5f || ch === 0x2e;
    if (!ok) break;
  }
  if (nul < 0) return free(t.fail(-EINVAL, nameReason(name, "map_name")));
  map.name = new Uint8Array(16);
  map.name.set(name.subarray(0, nul));

  if (attr.u32("btf_key_type_id") || attr.u32("btf_value_type_id") || attr.u32("btf_vmlinux_value_type_id")) {
    // BTF objects: btf_get_by_fd errors first.
    const ufd = attr.u32("btf_fd");
    const f = t.files.get(ufd);
    if (f === undefined) return free(t.fail(-EBADF, `btf_fd ${ufd} is not open`));
    return free(t.fail(-EINVAL, `btf_fd ${ufd} is not a BTF object`));
  }

  const hash = attr.u64("excl_prog_hash");
  const hsize = attr.u32("excl_prog_hash_size");
  if (hash !== 0n) {
    if (hsize !== 32) return free(t.fail(-EINVAL, `excl_prog_hash_size ${hsize} must be 32 (SHA256_DIGEST_SIZE)`));
    const buf = new Uint8Array(32);
    if (t.memory.copyIn(buf, hash, 32) !== 0) return free(t.fail(-EFAULT, "excl_prog_hash: reading 32 bytes faulted"));
  } else if (hsize) {
    return free(t.fail(-EINVAL, "excl_prog_hash_size is set without excl_prog_hash"));
  }

  const id = t.kernel.map_idr.alloc(map);
  if (id < 0) return free(t.fail(-ENOSPC, "map idr is full"));
  map.id = id;
  map.refcnt = 1;
  map.usercnt = 1;
  const fd = t.files.install(new File(bpf_map_fops, map, f_flags | O_CLOEXEC));
  if (fd < 0) {
    bpf_map_put_with_uref(map);
    return t.fail(fd, "no free fd");
  }
  return fd;

  function free(err: number): number {
    map.ops.map_free?.(map);
    return err;
  }
}

export { BpfMap };

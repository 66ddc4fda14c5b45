// SPDX-License-Identifier: GPL-2.0-only
// The map types whose elements are kernel objects the emulator has few of:
// STACK_TRACE (stackmap.c), DEVMAP and DEVMAP_HASH (devmap.c), CPUMAP
// (cpumap.c), XSKMAP (xskmap.c), SOCKMAP and SOCKHASH (sock_map.c),
// REUSEPORT_SOCKARRAY (reuseport_array.c), the BTF-keyed local storages
// (bpf_local_storage.c), CGROUP_STORAGE (local_storage.c), STRUCT_OPS
// (bpf_struct_ops.c) and ARENA (arena.c). Creation follows each type's
// checks exactly; element commands give the answers of a map whose objects
// (sockets, stacks, attached cgroups) do not exist. DEVMAP and CPUMAP
// entries that only need the loopback device or a possible CPU are stored.

import type { Attr } from "../abi/attr.ts";
import { E2BIG, EBADF, EEXIST, EINVAL, ENODEV, ENOENT, ENOMEM, ENOSPC, ENOTSUPP, EOPNOTSUPP, EOVERFLOW, ERANGE } from "../abi/errno.ts";
import { BPF_MAP_TYPE as MT } from "../uapi/gen/consts-6.18.ts";
import { BPF_F } from "../uapi/defines.ts";
import { BpfMap } from "./bpf.ts";
import { array_map_alloc_check, bpf_array_get_next_key, bpf_map_meta_equal } from "./arraymap.ts";
import type { MapOps } from "./maps.ts";
import {
  BPF_EXIST,
  BPF_F_ACCESS_MASK,
  BPF_F_LOCK,
  BPF_NOEXIST,
  KMALLOC_MAX_SIZE,
  MAX_BPF_STACK,
  PAGE_SIZE,
  PCPU_MIN_UNIT_SIZE,
  bpf_map_area_alloc_ok,
  bpf_map_flags_access_ok,
  bpf_map_flags_retain_permanent,
  roundup_pow_of_two,
} from "./map_util.ts";
import type { Task } from "./task.ts";
import { sock_map_release_progs } from "./sock_map.ts";

const ENOTSOCK = 88;
const NR_CPUS = 256;
/** sysctl kernel.perf_event_max_stack */
const PERF_EVENT_MAX_STACK = 127;
/** sizeof(struct bpf_stack_build_id) */
const SIZEOF_BUILD_ID = 32;
/** BPF_LOCAL_STORAGE_MAX_VALUE_SIZE: min(KMALLOC_MAX_SIZE - MAX_BPF_STACK, U16_MAX) - sizeof(struct bpf_local_storage_elem) (128). */
const LOCAL_STORAGE_MAX_VALUE_SIZE = Math.min(KMALLOC_MAX_SIZE - MAX_BPF_STACK - 128, 0xffff - 128);

function u32At(b: Uint8Array, off = 0): number {
  return (b[off]! | (b[off + 1]! << 8) | (b[off + 2]! << 16) | (b[off + 3]! << 24)) >>> 0;
}

function putU32(b: Uint8Array, v: number, off = 0): void {
  new DataView(b.buffer, b.byteOffset, b.byteLength).setUint32(off, v >>> 0, true);
}

function newMap(ops: MapOps, attr: Attr): BpfMap {
  const m = new BpfMap(ops);
  m.initFromAttr(attr);
  m.map_flags = bpf_map_flags_retain_permanent(m.map_flags);
  return m;
}

/** sockfd_lookup(): every emulated fd is a BPF object or /dev/null, never a socket. */
function sockfd_lookup(t: Task, fd: number): number {
  if (t.files.get(fd) === undefined) return t.fail(-EBADF, `value: fd ${fd} is not open`);
  return t.fail(-ENOTSOCK, `value: fd ${fd} is not a socket`);
}

const arrayLike = { map_get_next_key: bpf_array_get_next_key };

// --- STACK_TRACE ------------------------------------------------------------------

const STACK_CREATE_FLAG_MASK = BPF_F.NUMA_NODE | BPF_F.RDONLY | BPF_F.WRONLY | BPF_F.STACK_BUILD_ID;

export const stack_trace_map_ops: MapOps = {
  name: "stack_trace_map_ops",
  map_meta_equal: bpf_map_meta_equal,
  // stack_map_alloc()
  map_alloc: (t, attr) => {
    const flags = attr.u32("map_flags");
    const vs = attr.u32("value_size");
    if (flags & ~STACK_CREATE_FLAG_MASK) return t.fail(-EINVAL, `stack trace: map_flags 0x${flags.toString(16)}: only NUMA_NODE, RDONLY, WRONLY and STACK_BUILD_ID`);
    if (attr.u32("max_entries") === 0 || attr.u32("key_size") !== 4 || vs < 8 || vs % 8) return t.fail(-EINVAL, "stack trace: needs max_entries > 0, key_size 4 and value_size a multiple of 8");
    if (flags & BPF_F.STACK_BUILD_ID) {
      if (vs % SIZEOF_BUILD_ID || vs / SIZEOF_BUILD_ID > PERF_EVENT_MAX_STACK) return t.fail(-EINVAL, "stack trace: build-id value_size must be n * 32 with n <= perf_event_max_stack");
    } else if (vs / 8 > PERF_EVENT_MAX_STACK) return t.fail(-EINVAL, "stack trace: value_size / 8 is over perf_event_max_stack (127)");
    if (attr.u32("max_entries") > 2 ** 31) return t.fail(-E2BIG, "stack trace: max_entries over 2^31");
    const n_buckets = roundup_pow_of_two(attr.u32("max_entries"));
    if (!bpf_map_area_alloc_ok(t.kernel, n_buckets * 8 + 400)) return t.fail(-ENOMEM, "stack trace: bucket array does not fit in RAM");
    if (!bpf_map_area_alloc_ok(t.kernel, (vs + 16) * attr.u32("max_entries"))) return t.fail(-ENOMEM, "stack trace: preallocated stacks do not fit in RAM");
    return newMap(stack_trace_map_ops, attr);
  },
  // No program ever records a stack here: every bucket is empty.
  map_lookup_sys: () => -ENOENT,
  map_update_sys: () => -EINVAL,
  map_delete_elem: (_t, m, key) => (u32At(key) >= roundup_pow_of_two(m.max_entries) ? -E2BIG : -ENOENT),
  map_get_next_key: () => -ENOENT,
  map_lookup_and_delete_elem: () => -ENOENT,
  map_mem_usage: (m) => BigInt(roundup_pow_of_two(m.max_entries) * 8 + m.max_entries * (m.value_size + 16)),
};

// --- DEVMAP / DEVMAP_HASH ---------------------------------------------------------

const DEV_CREATE_FLAG_MASK = BPF_F.NUMA_NODE | BPF_F.RDONLY | BPF_F.WRONLY;

class BpfDtab extends BpfMap {
  n_buckets = 1;
  /** DEVMAP: index -> ifindex. DEVMAP_HASH: key -> ifindex, in bucket lists (newest first). */
  slots = new Map<number, number>();
  buckets = new Map<number, number[]>();
  items = 0;
}

function dt(m: BpfMap): BpfDtab {
  return m as BpfDtab;
}

/** dev_map_alloc() -> dev_map_init_map() */
function dev_map_alloc(ops: MapOps) {
  return (t: Task, attr: Attr): BpfMap | number => {
    const vs = attr.u32("value_size");
    if (attr.u32("max_entries") === 0 || attr.u32("key_size") !== 4 || (vs !== 4 && vs !== 8) || attr.u32("map_flags") & ~DEV_CREATE_FLAG_MASK)
      return t.fail(-EINVAL, "devmap: needs max_entries > 0, key_size 4, value_size 4 or 8 and only NUMA_NODE/RDONLY/WRONLY");
    const m = new BpfDtab(ops);
    m.initFromAttr(attr);
    // Lookups hand programs a pointer into the entry: the verifier must keep them read-only.
    m.map_flags = bpf_map_flags_retain_permanent(attr.u32("map_flags") | BPF_F.RDONLY_PROG);
    if (attr.u32("map_type") === MT.DEVMAP_HASH) {
      if (m.max_entries > 2 ** 31) return t.fail(-EINVAL, "devmap hash: max_entries over 2^31");
      m.n_buckets = roundup_pow_of_two(m.max_entries);
      if (!bpf_map_area_alloc_ok(t.kernel, m.n_buckets * 8)) return t.fail(-ENOMEM, "devmap hash: buckets do not fit in RAM");
    } else if (!bpf_map_area_alloc_ok(t.kernel, m.max_entries * 8)) return t.fail(-ENOMEM, "devmap: netdev array does not fit in RAM");
    return m;
  };
}

/** __dev_map_alloc_node(): the namespace has only lo (ifindex 1), and no XDP program can exist. */
function dev_map_alloc_node(t: Task, value: Uint8Array, vs: number): number {
  const ifindex = u32At(value);
  const progfd = vs === 8 ? new DataView(value.buffer, value.byteOffset, 8).getInt32(4, true) : 0;
  if (ifindex !== 1) return t.fail(-EINVAL, `value: ifindex ${ifindex}: no such device in this network namespace`);
  if (progfd > 0) return t.fail(-EINVAL, `value: bpf_prog.fd ${progfd} is not an XDP program`);
  return 0;
}

function devLookupValue(_m: BpfMap, ifindex: number, value: Uint8Array): void {
  value.fill(0);
  putU32(value, ifindex);
}

export const dev_map_ops: MapOps = {
  name: "dev_map_ops",
  ...arrayLike,
  map_meta_equal: bpf_map_meta_equal,
  map_alloc: (t, attr) => dev_map_alloc(dev_map_ops)(t, attr),
  map_lookup_sys: (_t, m, key, value) => {
    const v = u32At(key) < m.max_entries ? dt(m).slots.get(u32At(key)) : undefined;
    if (v === undefined) return -ENOENT;
    devLookupValue(m, v, value);
    return 0;
  },
  // dev_map_update_elem()
  map_update_sys: (t, m, key, value, flags) => {
    const i = u32At(key);
    if (flags > BigInt(BPF_EXIST)) return -EINVAL;
    if (i >= m.max_entries) return -E2BIG;
    if (flags === BigInt(BPF_NOEXIST)) return -EEXIST;
    const ifindex = u32At(value);
    if (!ifindex) {
      const progfd = m.value_size === 8 ? new DataView(value.buffer, value.byteOffset, 8).getInt32(4, true) : 0;
      if (progfd > 0) return t.fail(-EINVAL, "value: a bpf_prog.fd needs an ifindex");
      dt(m).slots.delete(i);
      return 0;
    }
    const err = dev_map_alloc_node(t, value, m.value_size);
    if (err) return err;
    dt(m).slots.set(i, ifindex);
    return 0;
  },
  map_delete_elem: (_t, m, key) => {
    if (u32At(key) >= m.max_entries) return -EINVAL;
    dt(m).slots.delete(u32At(key));
    return 0;
  },
  map_mem_usage: (m) => BigInt(m.max_entries * 8),
};

function dhashBucket(m: BpfDtab, idx: number): number[] {
  const b = idx & (m.n_buckets - 1);
  let l = m.buckets.get(b);
  if (l === undefined) m.buckets.set(b, (l = []));
  return l;
}

export const dev_map_hash_ops: MapOps = {
  name: "dev_map_hash_ops",
  map_meta_equal: bpf_map_meta_equal,
  map_alloc: (t, attr) => dev_map_alloc(dev_map_hash_ops)(t, attr),
  map_lookup_sys: (_t, m, key, value) => {
    const v = dt(m).slots.get(u32At(key));
    if (v === undefined) return -ENOENT;
    devLookupValue(m, v, value);
    return 0;
  },
  // __dev_map_hash_update_elem(): the bucket is the key itself, masked.
  map_update_sys: (t, m, key, value, flags) => {
    const d = dt(m);
    const idx = u32At(key);
    if (flags > BigInt(BPF_EXIST) || !u32At(value)) return -EINVAL;
    const old = d.slots.has(idx);
    if (old && flags & BigInt(BPF_NOEXIST)) return -EEXIST;
    const err = dev_map_alloc_node(t, value, m.value_size);
    if (err) return err;
    const l = dhashBucket(d, idx);
    if (old) l.splice(l.indexOf(idx), 1);
    else {
      if (d.items >= m.max_entries) return -E2BIG;
      d.items++;
    }
    l.unshift(idx);
    d.slots.set(idx, u32At(value));
    return 0;
  },
  map_delete_elem: (_t, m, key) => {
    const d = dt(m);
    const idx = u32At(key);
    if (!d.slots.has(idx)) return -ENOENT;
    const l = dhashBucket(d, idx);
    l.splice(l.indexOf(idx), 1);
    d.slots.delete(idx);
    d.items--;
    return 0;
  },
  // dev_map_hash_get_next_key()
  map_get_next_key: (m, key, next) => {
    const d = dt(m);
    let i = 0;
    if (key) {
      const idx = u32At(key);
      if (d.slots.has(idx)) {
        const l = dhashBucket(d, idx);
        const p = l.indexOf(idx);
        if (p + 1 < l.length) {
          putU32(next, l[p + 1]!);
          return 0;
        }
        i = (idx & (d.n_buckets - 1)) + 1;
      }
    }
    const bs = [...d.buckets.keys()].filter((b) => b >= i && d.buckets.get(b)!.length).sort((a, b) => a - b);
    if (!bs.length) return -ENOENT;
    putU32(next, d.buckets.get(bs[0]!)![0]!);
    return 0;
  },
  map_mem_usage: (m) => BigInt(dt(m).n_buckets * 8),
};

// --- CPUMAP -------------------------------------------------------------------------

class BpfCpuMap extends BpfMap {
  qsize = new Map<number, number>();
}

export const cpu_map_ops: MapOps = {
  name: "cpu_map_ops",
  ...arrayLike,
  map_meta_equal: bpf_map_meta_equal,
  // cpu_map_alloc()
  map_alloc: (t, attr) => {
    const vs = attr.u32("value_size");
    if (attr.u32("max_entries") === 0 || attr.u32("key_size") !== 4 || (vs !== 4 && vs !== 8) || attr.u32("map_flags") & ~BPF_F.NUMA_NODE)
      return t.fail(-EINVAL, "cpumap: needs max_entries > 0, key_size 4, value_size 4 or 8 and only NUMA_NODE");
    if (attr.u32("max_entries") > NR_CPUS) return t.fail(-E2BIG, `cpumap: max_entries ${attr.u32("max_entries")} is over NR_CPUS (${NR_CPUS})`);
    const m = new BpfCpuMap(cpu_map_ops);
    m.initFromAttr(attr);
    m.map_flags = bpf_map_flags_retain_permanent(m.map_flags);
    return m;
  },
  map_lookup_sys: (_t, m, key, value) => {
    const q = (m as BpfCpuMap).qsize.get(u32At(key));
    if (q === undefined) return -ENOENT;
    value.fill(0);
    putU32(value, q);
    return 0;
  },
  // cpu_map_update_elem()
  map_update_sys: (t, m, key, value, flags) => {
    const cpu = u32At(key);
    if (flags > BigInt(BPF_EXIST)) return -EINVAL;
    if (cpu >= m.max_entries) return -E2BIG;
    if (flags === BigInt(BPF_NOEXIST)) return -EEXIST;
    const qsize = u32At(value);
    if (qsize > 16384) return t.fail(-EOVERFLOW, `value: qsize ${qsize} is over 16384`);
    if (cpu >= t.kernel.possibleCpus) return t.fail(-ENODEV, `key: cpu ${cpu} is not a possible CPU`);
    if (qsize === 0) {
      (m as BpfCpuMap).qsize.delete(cpu);
      return 0;
    }
    const progfd = m.value_size === 8 ? new DataView(value.buffer, value.byteOffset, 8).getInt32(4, true) : 0;
    // __cpu_map_entry_alloc() fails as a whole (-ENOMEM) when the program cannot be used.
    if (progfd > 0) return t.fail(-ENOMEM, `value: bpf_prog.fd ${progfd} is not a CPUMAP XDP program`);
    (m as BpfCpuMap).qsize.set(cpu, qsize);
    return 0;
  },
  map_delete_elem: (_t, m, key) => {
    if (u32At(key) >= m.max_entries) return -EINVAL;
    (m as BpfCpuMap).qsize.delete(u32At(key));
    return 0;
  },
  map_mem_usage: (m) => BigInt(m.max_entries * 8),
};

// --- XSKMAP -------------------------------------------------------------------------

export const xsk_map_ops: MapOps = {
  name: "xsk_map_ops",
  ...arrayLike,
  map_meta_equal: (meta, m) => bpf_map_meta_equal(meta, m) && meta.max_entries === m.max_entries,
  // xsk_map_alloc()
  map_alloc: (t, attr) => {
    if (attr.u32("max_entries") === 0 || attr.u32("key_size") !== 4 || attr.u32("value_size") !== 4 || attr.u32("map_flags") & ~(BPF_F.NUMA_NODE | BPF_F.RDONLY | BPF_F.WRONLY))
      return t.fail(-EINVAL, "xskmap: needs max_entries > 0, key_size 4, value_size 4 and only NUMA_NODE/RDONLY/WRONLY");
    if (!bpf_map_area_alloc_ok(t.kernel, attr.u32("max_entries") * 8 + 400)) return t.fail(-ENOMEM, "xskmap: socket array does not fit in RAM");
    return newMap(xsk_map_ops, attr);
  },
  map_lookup_sys: () => -EOPNOTSUPP,
  map_update_sys: (t, m, key, value, flags) => {
    if (flags > BigInt(BPF_EXIST)) return -EINVAL;
    if (u32At(key) >= m.max_entries) return -E2BIG;
    return sockfd_lookup(t, u32At(value));
  },
  map_delete_elem: (_t, m, key) => (u32At(key) >= m.max_entries ? -EINVAL : 0),
  map_mem_usage: (m) => BigInt(m.max_entries * 8),
};

// --- SOCKMAP / SOCKHASH --------------------------------------------------------------

const SOCK_CREATE_FLAG_MASK = BPF_F.NUMA_NODE | BPF_F.RDONLY | BPF_F.WRONLY;

/** sock_map_update_elem_sys() */
function sock_update_sys(t: Task, m: BpfMap, _key: Uint8Array, value: Uint8Array): number {
  const ufd = m.value_size === 8 ? new DataView(value.buffer, value.byteOffset, 8).getBigUint64(0, true) : BigInt(u32At(value));
  if (ufd > 0x7fffffffn) return -EINVAL;
  return sockfd_lookup(t, Number(ufd));
}

export const sock_map_ops: MapOps = {
  name: "sock_map_ops",
  ...arrayLike,
  map_meta_equal: bpf_map_meta_equal,
  // sock_map_alloc()
  map_alloc: (t, attr) => {
    const vs = attr.u32("value_size");
    if (attr.u32("max_entries") === 0 || attr.u32("key_size") !== 4 || (vs !== 4 && vs !== 8) || attr.u32("map_flags") & ~SOCK_CREATE_FLAG_MASK)
      return t.fail(-EINVAL, "sockmap: needs max_entries > 0, key_size 4, value_size 4 or 8 and only NUMA_NODE/RDONLY/WRONLY");
    if (!bpf_map_area_alloc_ok(t.kernel, attr.u32("max_entries") * 8)) return t.fail(-ENOMEM, "sockmap: socket array does not fit in RAM");
    return newMap(sock_map_ops, attr);
  },
  // sock_map_lookup_sys(): only 8-byte values can carry the socket cookie.
  map_lookup_sys: (_t, m) => (m.value_size !== 8 ? -ENOSPC : -ENOENT),
  map_update_sys: sock_update_sys,
  map_release_uref: sock_map_release_progs,
  map_delete_elem: (_t, m, key) => (u32At(key) >= m.max_entries ? -EINVAL : -EINVAL),
  map_mem_usage: (m) => BigInt(m.max_entries * 8),
};

export const sock_hash_ops: MapOps = {
  name: "sock_hash_ops",
  map_meta_equal: bpf_map_meta_equal,
  // sock_hash_alloc()
  map_alloc: (t, attr) => {
    const vs = attr.u32("value_size");
    if (attr.u32("max_entries") === 0 || attr.u32("key_size") === 0 || (vs !== 4 && vs !== 8) || attr.u32("map_flags") & ~SOCK_CREATE_FLAG_MASK)
      return t.fail(-EINVAL, "sockhash: needs max_entries > 0, key_size > 0, value_size 4 or 8 and only NUMA_NODE/RDONLY/WRONLY");
    if (attr.u32("key_size") > MAX_BPF_STACK) return t.fail(-E2BIG, `sockhash: key_size ${attr.u32("key_size")} is over MAX_BPF_STACK (512)`);
    let n = roundup_pow_of_two(attr.u32("max_entries"));
    if (n > 0xffffffff) n = 0;
    if (n === 0 || n > Math.floor(0xffffffff / 16)) return t.fail(-EINVAL, "sockhash: bucket count overflows");
    if (!bpf_map_area_alloc_ok(t.kernel, n * 16)) return t.fail(-ENOMEM, "sockhash: buckets do not fit in RAM");
    return newMap(sock_hash_ops, attr);
  },
  map_lookup_sys: (_t, m) => (m.value_size !== 8 ? -ENOSPC : -ENOENT),
  map_update_sys: sock_update_sys,
  map_release_uref: sock_map_release_progs,
  map_delete_elem: () => -ENOENT,
  map_get_next_key: () => -ENOENT,
  map_mem_usage: (m) => BigInt(roundup_pow_of_two(m.max_entries) * 16),
};

// --- REUSEPORT_SOCKARRAY ----------------------------------------------------------------

export const reuseport_array_ops: MapOps = {
  name: "reuseport_array_ops",
  ...arrayLike,
  map_meta_equal: bpf_map_meta_equal,
  // reuseport_array_alloc_check()
  map_alloc_check: (t, attr) => {
    if (attr.u32("key_size") !== 4) return t.fail(-EINVAL, "reuseport array: key_size must be 4");
    if (attr.u32("value_size") !== 4 && attr.u32("value_size") !== 8) return t.fail(-EINVAL, "reuseport array: value_size must be 4 or 8");
    return array_map_alloc_check(t, attr);
  },
  map_alloc: (t, attr) => {
    if (!bpf_map_area_alloc_ok(t.kernel, attr.u32("max_entries") * 8 + 300)) return t.fail(-ENOMEM, "reuseport array: socket array does not fit in RAM");
    return newMap(reuseport_array_ops, attr);
  },
  // bpf_fd_reuseport_array_lookup_elem()
  map_lookup_sys: (_t, m) => (m.value_size !== 8 ? -ENOSPC : -ENOENT),
  // bpf_fd_reuseport_array_update_elem()
  map_update_sys: (t, m, key, value, flags) => {
    if (flags > BigInt(BPF_EXIST)) return -EINVAL;
    if (u32At(key) >= m.max_entries) return -E2BIG;
    let fd: number;
    if (m.value_size === 8) {
      const fd64 = new DataView(value.buffer, value.byteOffset, 8).getBigUint64(0, true);
      if (fd64 > 0x7fffffffn) return -EINVAL;
      fd = Number(fd64);
    } else fd = new DataView(value.buffer, value.byteOffset, 4).getInt32(0, true);
    return sockfd_lookup(t, fd);
  },
  map_delete_elem: (_t, m, key) => (u32At(key) >= m.max_entries ? -E2BIG : -ENOENT),
  map_mem_usage: (m) => BigInt(m.max_entries * 8),
};

// --- local storage (SK, INODE, TASK, CGRP) ----------------------------------------------

/** bpf_local_storage_map_alloc_check(): these maps only exist with a BTF key and value. */
function local_storage_alloc_check(t: Task, attr: Attr): number {
  const flags = attr.u32("map_flags");
  if (flags & ~(BPF_F.NO_PREALLOC | BPF_F.CLONE) || !(flags & BPF_F.NO_PREALLOC) || attr.u32("max_entries") || attr.u32("key_size") !== 4 || !attr.u32("value_size") || !attr.u32("btf_key_type_id") || !attr.u32("btf_value_type_id"))
    return t.fail(-EINVAL, "local storage: needs BPF_F_NO_PREALLOC, max_entries 0, key_size 4, value_size > 0 and a BTF key and value type");
  if (attr.u32("value_size") > LOCAL_STORAGE_MAX_VALUE_SIZE) return t.fail(-E2BIG, `local storage: value_size over ${LOCAL_STORAGE_MAX_VALUE_SIZE}`);
  return 0;
}

function localStorageOps(name: string): MapOps {
  const ops: MapOps = {
    name,
    map_meta_equal: bpf_map_meta_equal,
    map_alloc_check: local_storage_alloc_check,
    map_alloc: (_t, attr) => newMap(ops, attr),
    map_lookup_sys: () => -EBADF,
    map_update_sys: () => -EBADF,
    map_delete_elem: () => -EBADF,
    map_get_next_key: () => -ENOTSUPP,
    map_mem_usage: () => 0n,
    map_check_btf: true,
  };
  return ops;
}

export const sk_storage_map_ops = localStorageOps("sk_storage_map_ops");
export const inode_storage_map_ops = localStorageOps("inode_storage_map_ops");
export const task_storage_map_ops = localStorageOps("task_storage_map_ops");
export const cgrp_storage_map_ops = localStorageOps("cgrp_storage_map_ops");

// --- CGROUP_STORAGE / PERCPU_CGROUP_STORAGE --------------------------------------------

const LOCAL_STORAGE_CREATE_FLAG_MASK = BPF_F.NUMA_NODE | BPF_F_ACCESS_MASK;

function cgroupStorageOps(name: string, percpu: boolean): MapOps {
  const ops: MapOps = {
    name,
    // cgroup_storage_map_alloc()
    map_alloc: (t, attr) => {
      const max_value_size = percpu ? Math.min(LOCAL_STORAGE_MAX_VALUE_SIZE, PCPU_MIN_UNIT_SIZE) : LOCAL_STORAGE_MAX_VALUE_SIZE;
      const ks = attr.u32("key_size");
      const flags = attr.u32("map_flags");
      if (ks !== 16 && ks !== 8) return t.fail(-EINVAL, "cgroup storage: key_size must be 16 (struct bpf_cgroup_storage_key) or 8");
      if (attr.u32("value_size") === 0) return t.fail(-EINVAL, "cgroup storage: value_size must be > 0");
      if (attr.u32("value_size") > max_value_size) return t.fail(-E2BIG, `cgroup storage: value_size over ${max_value_size}`);
      if (flags & ~LOCAL_STORAGE_CREATE_FLAG_MASK || !bpf_map_flags_access_ok(flags)) return t.fail(-EINVAL, "cgroup storage: only NUMA_NODE and access flags");
      if (attr.u32("max_entries")) return t.fail(-EINVAL, "cgroup storage: max_entries must be 0");
      return newMap(ops, attr);
    },
    // Storage exists only for cgroups a program is attached to; none are.
    map_lookup_sys: () => -ENOENT,
    map_update_sys: (_t, _m, _k, _v, flags) => {
      if (percpu) return flags !== 0n && flags !== BigInt(BPF_EXIST) ? -EINVAL : -ENOENT;
      return flags & ~BigInt(BPF_F_LOCK | BPF_EXIST) ? -EINVAL : -ENOENT;
    },
    map_delete_elem: () => -EINVAL,
    map_get_next_key: () => -ENOENT,
    map_mem_usage: () => 0n,
    map_check_btf: true,
  };
  return ops;
}

export const cgroup_storage_map_ops = cgroupStorageOps("cgroup_storage_map_ops", false);
export const percpu_cgroup_storage_map_ops = cgroupStorageOps("percpu_cgroup_storage_map_ops", true);

// --- STRUCT_OPS -------------------------------------------------------------------------

export const bpf_struct_ops_map_ops: MapOps = {
  name: "bpf_struct_ops_map_ops",
  // bpf_struct_ops_map_alloc_check()
  map_alloc_check: (t, attr) => {
    if (attr.u32("key_size") !== 4 || attr.u32("max_entries") !== 1 || attr.u32("map_flags") & ~(BPF_F.LINK | BPF_F.VTYPE_BTF_OBJ_FD) || !attr.u32("btf_vmlinux_value_type_id"))
      return t.fail(-EINVAL, "struct_ops: needs key_size 4, max_entries 1, only LINK/VTYPE_BTF_OBJ_FD and a btf_vmlinux_value_type_id");
    return 0;
  },
  // bpf_struct_ops_map_alloc()
  map_alloc: (t, attr) => {
    if (attr.u32("map_flags") & BPF_F.VTYPE_BTF_OBJ_FD) {
      const fd = attr.u32("value_type_btf_obj_fd");
      const f = t.files.get(fd);
      if (f === undefined) return t.fail(-EBADF, `value_type_btf_obj_fd ${fd} is not open`);
      return t.fail(-EINVAL, `value_type_btf_obj_fd ${fd} is not a module BTF`);
    }
    return t.fail(-ENOTSUPP, `struct_ops: btf_vmlinux_value_type_id ${attr.u32("btf_vmlinux_value_type_id")} is not a struct_ops value type the emulator knows (known divergence: no vmlinux BTF lookup)`);
  },
  map_mem_usage: () => 0n,
};

// --- ARENA ---------------------------------------------------------------------------------

export const arena_map_ops: MapOps = {
  name: "arena_map_ops",
  // arena_map_alloc()
  map_alloc: (t, attr) => {
    const flags = attr.u32("map_flags");
    if (attr.u32("key_size") || attr.u32("value_size") || attr.u32("max_entries") === 0 || !(flags & BPF_F.MMAPABLE) || flags & ~(BPF_F.SEGV_ON_FAULT | BPF_F.MMAPABLE | BPF_F.NO_USER_CONV))
      return t.fail(-EINVAL, "arena: needs key_size 0, value_size 0, max_entries > 0, BPF_F_MMAPABLE and only SEGV_ON_FAULT/NO_USER_CONV besides");
    const extra = attr.u64("map_extra");
    if (extra & BigInt(PAGE_SIZE - 1)) return t.fail(-EINVAL, "arena: map_extra (the user VMA start) must be page-aligned");
    const vm_range = BigInt(attr.u32("max_entries")) * BigInt(PAGE_SIZE);
    if (vm_range > 1n << 32n) return t.fail(-E2BIG, "arena: max_entries pages span more than 4 GiB");
    if (extra >> 32n !== (extra + vm_range - 1n) >> 32n) return t.fail(-ERANGE, "arena: the user VMA would cross a 4 GiB boundary");
    return newMap(arena_map_ops, attr);
  },
  map_lookup_sys: () => -EINVAL,
  map_update_sys: () => -EOPNOTSUPP,
  map_delete_elem: () => -EOPNOTSUPP,
  map_get_next_key: () => -EOPNOTSUPP,
  map_mem_usage: () => 0n,
};


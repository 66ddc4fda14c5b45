// SPDX-License-Identifier: GPL-2.0-only
// kernel/bpf/arraymap.c: ARRAY, PERCPU_ARRAY and the fd arrays (PROG_ARRAY,
// PERF_EVENT_ARRAY, CGROUP_ARRAY, ARRAY_OF_MAPS). Values live in one lazily
// chunked byte store (max_entries x round_up(value_size, 8), times the
// possible CPUs for PERCPU_ARRAY); fd arrays keep the objects they hold in a
// sparse table.

import type { Attr } from "../abi/attr.ts";
import { E2BIG, EBADF, EEXIST, EINVAL, ENOENT, ENOMEM, ENOTSUPP } from "../abi/errno.ts";
import { BPF_MAP_TYPE as MT } from "../uapi/gen/consts-6.18.ts";
import { BPF_F } from "../uapi/defines.ts";
import { BpfMap, createOffs } from "./bpf.ts";
import { bpf_prog_get } from "./objects.ts";
import { BpfProg, bpf_prog_inc, bpf_prog_put } from "./prog.ts";
import { BPF_PROG_TYPE as PT } from "../uapi/gen/consts-6.18.ts";
import {
  BPF_ANY,
  BPF_EXIST,
  BPF_F_ACCESS_MASK,
  BPF_F_LOCK,
  BPF_NOEXIST,
  INT_MAX,
  LazyBytes,
  PCPU_MIN_UNIT_SIZE,
  bpf_map_area_alloc_ok,
  bpf_map_flags_access_ok,
  bpf_map_flags_retain_permanent,
  fls,
  round_up,
} from "./map_util.ts";
import type { MapOps } from "./maps.ts";
import { bpf_map_get, bpf_map_inc, bpf_map_put, generic_map_lookup_batch, generic_map_update_batch } from "./maps.ts";
import { Sha256 } from "./sha256.ts";
import type { Task } from "./task.ts";

const ARRAY_CREATE_FLAG_MASK = BPF_F.NUMA_NODE | BPF_F.MMAPABLE | BPF_F_ACCESS_MASK | BPF_F.PRESERVE_ELEMS | BPF_F.INNER_MAP;
/** The BPF_* update flags as BigInts, made once (BigInt(x) allocates on every call). */
const BIG_ANY = BigInt(BPF_ANY);
const BIG_NOEXIST = BigInt(BPF_NOEXIST);
const BIG_EXIST = BigInt(BPF_EXIST);
const NOT_F_LOCK = ~BigInt(BPF_F_LOCK);
/** sizeof(struct bpf_array) on x86-64, for the allocation-size model only. */
const SIZEOF_BPF_ARRAY = 312;

export class BpfArray extends BpfMap {
  elem_size = 0;
  index_mask = 0;
  bypass_spec_v1 = false;
  ncpu = 1;
  /** Values (ARRAY, PERCPU_ARRAY): element i, cpu c at (i * ncpu + c) * elem_size. */
  data: LazyBytes | null = null;
  /** fd arrays: index -> the object (inner map, program) the slot holds. */
  ptrs: Map<number, unknown> | null = null;
}

function u32At(b: Uint8Array, off = 0): number {
  return (b[off]! | (b[off + 1]! << 8) | (b[off + 2]! << 16) | (b[off + 3]! << 24)) >>> 0;
}

function putU32(b: Uint8Array, v: number, off = 0): void {
  new DataView(b.buffer, b.byteOffset, b.byteLength).setUint32(off, v >>> 0, true);
}

/** array_map_alloc_check() */
export function array_map_alloc_check(t: Task, attr: Attr): number {
  const o = createOffs(attr);
  const type = attr.u32At(o.map_type);
  const percpu = type === MT.PERCPU_ARRAY;
  const flags = attr.u32At(o.map_flags);
  // bpf_map_attr_numa_node() on the memoized offsets.
  const numa_node = flags & BPF_F.NUMA_NODE ? attr.u32At(o.numa_node) | 0 : -1;
  if (attr.u32At(o.max_entries) === 0) return t.fail(-EINVAL, "array: max_entries must be > 0");
  if (attr.u32At(o.key_size) !== 4) return t.fail(-EINVAL, `array: key_size ${attr.u32At(o.key_size)} must be 4`);
  if (attr.u32At(o.value_size) === 0) return t.fail(-EINVAL, "array: value_size must be > 0");
  if (flags & ~ARRAY_CREATE_FLAG_MASK) return t.fail(-EINVAL, `array: map_flags 0x${flags.toString(16)} outside NUMA_NODE|MMAPABLE|access|PRESERVE_ELEMS|INNER_MAP`);
  if (!bpf_map_flags_access_ok(flags)) return t.fail(-EINVAL, "array: RDONLY_PROG and WRONLY_PROG together");
  if (percpu && numa_node !== -1) return t.fail(-EINVAL, "array: PERCPU_ARRAY takes no NUMA node");
  if (type !== MT.ARRAY && flags & (BPF_F.MMAPABLE | BPF_F.INNER_MAP)) return t.fail(-EINVAL, "array: MMAPABLE and INNER_MAP are only for ARRAY");
  if (type !== MT.PERF_EVENT_ARRAY && flags & BPF_F.PRESERVE_ELEMS) return t.fail(-EINVAL, "array: PRESERVE_ELEMS is only for PERF_EVENT_ARRAY");
  if (attr.u32At(o.value_size) > INT_MAX) return t.fail(-E2BIG, `array: value_size ${attr.u32At(o.value_size)} is over INT_MAX`);
  if (percpu && round_up(attr.u32At(o.value_size), 8) > PCPU_MIN_UNIT_SIZE) return t.fail(-E2BIG, `array: per-CPU value_size ${attr.u32At(o.value_size)} rounds past PCPU_MIN_UNIT_SIZE (32768)`);
  return 0;
}

/** fd_array_map_alloc_check() */
function fd_array_map_alloc_check(t: Task, attr: Attr): number {
  const o = createOffs(attr);
  if (attr.u32At(o.value_size) !== 4) return t.fail(-EINVAL, `fd array: value_size ${attr.u32At(o.value_size)} must be 4 (an fd)`);
  if (attr.u32At(o.map_flags) & (BPF_F.RDONLY_PROG | BPF_F.WRONLY_PROG)) return t.fail(-EINVAL, "fd array: RDONLY_PROG/WRONLY_PROG are not supported");
  return array_map_alloc_check(t, attr);
}

/** array_map_alloc() */
export function array_map_alloc(t: Task, attr: Attr, ops: MapOps): BpfArray | number {
  const o = createOffs(attr);
  const type = attr.u32At(o.map_type);
  const percpu = type === MT.PERCPU_ARRAY;
  const elem_size = round_up(attr.u32At(o.value_size), 8);
  const attr_max = attr.u32At(o.max_entries);
  // bpf_bypass_spec_v1(): CAP_PERFMON (or CAP_SYS_ADMIN); mitigations are on.
  const bypass = t.perfmon_capable();
  const index_mask = 2 ** fls(attr_max - 1) - 1;
  let max_entries = attr_max;
  if (!bypass) {
    // Spectre v1: round the allocation up to a power of two, the index mask's span.
    max_entries = (index_mask + 1) >>> 0;
    if (max_entries < attr_max) return t.fail(-E2BIG, `array: max_entries ${attr_max} rounded up to a power of two overflows u32 (no CAP_PERFMON, so no spectre v1 bypass)`);
  }
  let array_size = SIZEOF_BPF_ARRAY;
  if (percpu) array_size += max_entries * 8;
  else if (attr.u32At(o.map_flags) & BPF_F.MMAPABLE) array_size = 4096 + round_up(max_entries * elem_size, 4096);
  else array_size += max_entries * elem_size;
  if (!bpf_map_area_alloc_ok(t.kernel, array_size)) return t.fail(-ENOMEM, `array: ${array_size} bytes is more than the kernel can vmalloc (totalram)`);
  const ncpu = t.kernel.possibleCpus;
  if (percpu && !bpf_map_area_alloc_ok(t.kernel, max_entries * elem_size * ncpu)) return t.fail(-ENOMEM, "percpu array: per-CPU areas do not fit");
  const a = new BpfArray(ops);
  a.initFromAttr(attr);
  a.map_flags = bpf_map_flags_retain_permanent(a.map_flags);
  a.elem_size = elem_size;
  a.index_mask = index_mask;
  a.bypass_spec_v1 = bypass;
  a.ncpu = percpu ? ncpu : 1;
  if (type === MT.ARRAY || percpu) a.data = new LazyBytes(a.max_entries * elem_size * a.ncpu);
  else a.ptrs = new Map();
  return a;
}

function arr(m: BpfMap): BpfArray {
  return m as BpfArray;
}

/** array_map_lookup_elem() + copy_map_value(), or bpf_percpu_array_copy() for per-CPU. */
function array_map_lookup_sys(_t: Task, m: BpfMap, key: Uint8Array, value: Uint8Array): number {
  const a = arr(m);
  const index = u32At(key);
  if (index >= a.max_entries) return -ENOENT;
  if (a.ncpu > 1 || a.map_type === MT.PERCPU_ARRAY) {
    // Each CPU's rounded area, zero padding included.
    a.data!.read(index * a.ncpu * a.elem_size, value, 0, a.ncpu * a.elem_size);
  } else {
    a.data!.read(index * a.elem_size, value, 0, a.value_size);
  }
  return 0;
}

/** array_map_update_elem() / bpf_percpu_array_update() */
function array_map_update_sys(_t: Task, m: BpfMap, key: Uint8Array, value: Uint8Array, flags: bigint): number {
  const a = arr(m);
  const index = u32At(key);
  if (a.map_type === MT.PERCPU_ARRAY) {
    if (flags > BIG_EXIST) return -EINVAL;
    if (index >= a.max_entries) return -E2BIG;
    if (flags === BIG_NOEXIST) return -EEXIST;
    // copy_map_value_long() per CPU: the whole rounded slot, padding included (probed: padding reads back).
    a.data!.write(index * a.ncpu * a.elem_size, value, 0, a.ncpu * a.elem_size);
    return 0;
  }
  // The usual flags (BPF_ANY) skip the BigInt arithmetic, which allocates.
  if (flags !== 0n && (flags & NOT_F_LOCK) > BIG_EXIST) return -EINVAL;
  if (index >= a.max_entries) return -E2BIG;
  if (flags !== 0n && (flags & BIG_NOEXIST) !== 0n) return -EEXIST;
  a.data!.write(index * a.elem_size, value, 0, a.value_size);
  return 0;
}

/** bpf_array_get_next_key(): no key or one out of range restarts at 0. */
export function bpf_array_get_next_key(m: BpfMap, key: Uint8Array | null, next: Uint8Array): number {
  const index = key ? u32At(key) : 0xffffffff;
  if (index >= m.max_entries) {
    putU32(next, 0);
    return 0;
  }
  if (index === m.max_entries - 1) return -ENOENT;
  putU32(next, index + 1);
  return 0;
}

/** array_map_get_hash(): sha256 over every element's rounded slot. */
function array_map_get_hash(m: BpfMap): Uint8Array {
  const a = arr(m);
  const h = new Sha256();
  const total = a.max_entries * a.elem_size;
  const buf = new Uint8Array(Math.min(total, 1 << 20));
  for (let off = 0; off < total; off += buf.length) {
    const n = Math.min(buf.length, total - off);
    a.data!.read(off, buf, 0, n);
    h.update(buf.subarray(0, n));
  }
  return h.digest();
}

const arrayCommon = {
  map_alloc_check: array_map_alloc_check,
  map_get_next_key: bpf_array_get_next_key,
  map_lookup_sys: array_map_lookup_sys,
  map_update_sys: array_map_update_sys,
  map_delete_elem: () => -EINVAL,
  map_lookup_batch: generic_map_lookup_batch,
  map_update_batch: generic_map_update_batch,
  map_mem_usage: (m: BpfMap) => BigInt(SIZEOF_BPF_ARRAY + m.max_entries * arr(m).elem_size * arr(m).ncpu),
  map_check_btf: true,
};

/** array_map_meta_equal(): with BPF_F_INNER_MAP the size may differ. */
function array_map_meta_equal(meta: BpfMap, inner: BpfMap): boolean {
  if (!bpf_map_meta_equal(meta, inner)) return false;
  return meta.map_flags & BPF_F.INNER_MAP ? true : meta.max_entries === inner.max_entries;
}

/** bpf_map_meta_equal() (map_in_map.c) */
export function bpf_map_meta_equal(meta: BpfMap, inner: BpfMap): boolean {
  return meta.map_type === inner.map_type && meta.key_size === inner.key_size && meta.value_size === inner.value_size && meta.map_flags === inner.map_flags;
}

export const array_map_ops: MapOps = {
  name: "array_map_ops",
  ...arrayCommon,
  sys_value_filled: true,
  map_meta_equal: array_map_meta_equal,
  map_alloc: (t, attr) => array_map_alloc(t, attr, array_map_ops),
  map_get_hash: array_map_get_hash,
};

export const percpu_array_map_ops: MapOps = {
  name: "percpu_array_map_ops",
  ...arrayCommon,
  sys_value_filled: true,
  map_meta_equal: bpf_map_meta_equal,
  map_alloc: (t, attr) => array_map_alloc(t, attr, percpu_array_map_ops),
};

// --- fd arrays --------------------------------------------------------------------

/** What map_fd_get_ptr resolves an fd to: an object reference, or -errno. */
type FdGetPtr = (t: Task, map: BpfMap, fd: number) => unknown;

/** bpf_fd_array_map_lookup_elem(): only types with map_fd_sys_lookup_elem report an id. */
function fd_array_lookup_sys(sysLookup: ((p: unknown) => number) | null) {
  return (_t: Task, m: BpfMap, key: Uint8Array, value: Uint8Array): number => {
    if (sysLookup === null) return -ENOTSUPP;
    const a = arr(m);
    const index = u32At(key);
    const p = index < a.max_entries ? a.ptrs!.get(index) : undefined;
    if (p === undefined) return -ENOENT;
    putU32(value, sysLookup(p));
    return 0;
  };
}

/** bpf_fd_array_map_update_elem() */
function fd_array_update_sys(getPtr: FdGetPtr, putPtr: (p: unknown) => void) {
  return (t: Task, m: BpfMap, key: Uint8Array, value: Uint8Array, flags: bigint): number => {
    const a = arr(m);
    if (flags !== BIG_ANY) return -EINVAL;
    const index = u32At(key);
    if (index >= a.max_entries) return -E2BIG;
    const p = getPtr(t, m, u32At(value));
    if (typeof p === "number") return p;
    const old = a.ptrs!.get(index);
    a.ptrs!.set(index, p);
    if (old !== undefined) putPtr(old);
    return 0;
  };
}

/** __fd_array_map_delete_elem() */
function fd_array_delete(putPtr: (p: unknown) => void) {
  return (_t: Task, m: BpfMap, key: Uint8Array): number => {
    const a = arr(m);
    const index = u32At(key);
    if (index >= a.max_entries) return -E2BIG;
    const old = a.ptrs!.get(index);
    if (old === undefined) return -ENOENT;
    a.ptrs!.delete(index);
    putPtr(old);
    return 0;
  };
}

/** bpf_fd_array_map_clear() */
function fd_array_clear(putPtr: (p: unknown) => void) {
  return (m: BpfMap): void => {
    const a = arr(m);
    const olds = [...a.ptrs!.values()];
    a.ptrs!.clear();
    for (const p of olds) putPtr(p);
  };
}

const fdCommon = {
  map_alloc_check: fd_array_map_alloc_check,
  map_get_next_key: bpf_array_get_next_key,
  map_mem_usage: (m: BpfMap) => BigInt(SIZEOF_BPF_ARRAY + m.max_entries * 8),
};

/** The prog_array owner fields of struct bpf_map (bpf_map_owner): the first program decides them. */
interface ProgArrayOwner {
  type: number;
  xdp_has_frags: boolean;
  sleepable: boolean;
  expected_attach_type: number;
}
const owners = new WeakMap<BpfMap, ProgArrayOwner>();

/**
 * __bpf_prog_map_compatible(): the first program stored fixes the owner's
 * type, frags and sleepable flags and attach type; later ones must match.
 * Every program here is "jited", so that field always agrees.
 */
function bpf_prog_map_compatible(map: BpfMap, prog: BpfProg): boolean {
  const want: ProgArrayOwner = {
    type: prog.type,
    xdp_has_frags: (prog.prog_flags & BPF_F.XDP_HAS_FRAGS) !== 0,
    sleepable: (prog.prog_flags & BPF_F.SLEEPABLE) !== 0,
    expected_attach_type: prog.expected_attach_type,
  };
  const own = owners.get(map);
  if (own === undefined) {
    owners.set(map, want);
    return true;
  }
  return own.type === want.type && own.xdp_has_frags === want.xdp_has_frags && own.sleepable === want.sleepable && own.expected_attach_type === want.expected_attach_type;
}

/** prog_fd_array_get_ptr(): a program fd, not an extension, compatible with the array's owner; the slot holds a reference. */
function prog_fd_array_get_ptr(t: Task, m: BpfMap, fd: number): unknown {
  const p = bpf_prog_get(t, fd, "value (prog fd)");
  if (typeof p === "number") return p;
  const prog = p as BpfProg;
  if (prog.type === PT.EXT || !bpf_prog_map_compatible(m, prog)) return t.fail(-EINVAL, "value: program is not compatible with this prog array (type, attach type, frags or sleepable differ from the first one stored)");
  bpf_prog_inc(prog);
  return prog;
}

/** prog_fd_array_put_ptr(): the slot's reference goes. */
function prog_fd_array_put_ptr(p: unknown): void {
  bpf_prog_put(p as BpfProg);
}

const noPut = (): void => {};
export const prog_array_map_ops: MapOps = {
  name: "prog_array_map_ops",
  ...fdCommon,
  map_alloc: (t, attr) => array_map_alloc(t, attr, prog_array_map_ops),
  map_lookup_sys: fd_array_lookup_sys((p) => (p as { id: number }).id),
  map_update_sys: fd_array_update_sys(prog_fd_array_get_ptr, prog_fd_array_put_ptr),
  map_delete_elem: fd_array_delete(prog_fd_array_put_ptr),
  // prog_array_map_clear(): the last user reference empties the array.
  map_release_uref: fd_array_clear(prog_fd_array_put_ptr),
};

/** perf_event_get(): any fd that is not a perf event gives -EBADF. */
function perf_event_fd_array_get_ptr(t: Task, _m: BpfMap, fd: number): unknown {
  return t.fail(-EBADF, `value: fd ${fd} is not a perf event`);
}

export const perf_event_array_map_ops: MapOps = {
  name: "perf_event_array_map_ops",
  ...fdCommon,
  map_meta_equal: bpf_map_meta_equal,
  map_alloc: (t, attr) => array_map_alloc(t, attr, perf_event_array_map_ops),
  map_lookup_sys: fd_array_lookup_sys(null),
  map_update_sys: fd_array_update_sys(perf_event_fd_array_get_ptr, noPut),
  map_delete_elem: fd_array_delete(noPut),
};

/** cgroup_get_from_fd(): any fd that is not a cgroup v2 directory gives -EBADF. */
function cgroup_fd_array_get_ptr(t: Task, _m: BpfMap, fd: number): unknown {
  return t.fail(-EBADF, `value: fd ${fd} is not a cgroup directory`);
}

export const cgroup_array_map_ops: MapOps = {
  name: "cgroup_array_map_ops",
  ...fdCommon,
  map_meta_equal: bpf_map_meta_equal,
  map_alloc: (t, attr) => array_map_alloc(t, attr, cgroup_array_map_ops),
  map_lookup_sys: fd_array_lookup_sys(null),
  map_update_sys: fd_array_update_sys(cgroup_fd_array_get_ptr, noPut),
  map_delete_elem: fd_array_delete(noPut),
};

// --- map in map (map_in_map.c) ---------------------------------------------------------

/** bpf_map_meta_alloc(): a template copied from the inner map the caller shows us. */
export function bpf_map_meta_alloc(t: Task, inner_map_ufd: number): BpfMap | number {
  const inner = bpf_map_get(t, inner_map_ufd, "inner_map_fd");
  if (typeof inner === "number") return inner;
  if (inner.inner_map_meta) return t.fail(-EINVAL, "inner_map_fd: maps of maps cannot nest more than one level");
  const ops = inner.ops as MapOps;
  if (!ops.map_meta_equal) return t.fail(-ENOTSUPP, `inner_map_fd: ${ops.name} cannot be an inner map`);
  const meta = new BpfMap(ops);
  meta.map_type = inner.map_type;
  meta.key_size = inner.key_size;
  meta.value_size = inner.value_size;
  meta.map_flags = inner.map_flags;
  meta.max_entries = inner.max_entries;
  return meta;
}

/** bpf_map_fd_get_ptr(): the inner map must match the template. */
export function bpf_map_fd_get_ptr(t: Task, m: BpfMap, fd: number): unknown {
  const inner = bpf_map_get(t, fd, "value (inner map fd)");
  if (typeof inner === "number") return inner;
  const meta = m.inner_map_meta!;
  if (!(meta.ops as MapOps).map_meta_equal!(meta, inner)) return t.fail(-EINVAL, "value: inner map does not match inner_map_fd's type, sizes and flags");
  bpf_map_inc(inner);
  return inner;
}

export function bpf_map_fd_put_ptr(p: unknown): void {
  bpf_map_put(p as BpfMap);
}

/** bpf_map_fd_sys_lookup_elem(): the inner map's id. */
export function bpf_map_fd_sys_lookup_elem(p: unknown): number {
  return (p as BpfMap).id;
}

export const array_of_maps_map_ops: MapOps = {
  name: "array_of_maps_map_ops",
  ...fdCommon,
  map_alloc: (t, attr) => {
    const meta = bpf_map_meta_alloc(t, attr.u32("inner_map_fd"));
    if (typeof meta === "number") return meta;
    const m = array_map_alloc(t, attr, array_of_maps_map_ops);
    if (typeof m === "number") return m;
    m.inner_map_meta = meta;
    return m;
  },
  map_free: fd_array_clear(bpf_map_fd_put_ptr),
  map_lookup_sys: fd_array_lookup_sys(bpf_map_fd_sys_lookup_elem),
  map_update_sys: fd_array_update_sys(bpf_map_fd_get_ptr, bpf_map_fd_put_ptr),
  map_delete_elem: fd_array_delete(bpf_map_fd_put_ptr),
  map_lookup_batch: generic_map_lookup_batch,
  map_update_batch: generic_map_update_batch,
};

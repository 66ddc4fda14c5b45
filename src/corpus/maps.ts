// SPDX-License-Identifier: GPL-2.0-only
// The map corpus: traces that create every map type with swept and random
// parameters, then drive element commands, batches, freezes, info and
// get_next_key walks on the data-holding types. The same traces run on the
// live kernel (scripts/record-map-traces.ts) and on the emulator
// (test/maps-corpus.test.ts). No Node API: deterministic from a seed.
//
// Host-specific bytes are masked: map ids in bpf_map_info and the inner map
// ids that map-in-map lookups return. Hash iteration order is only the
// kernel's with BPF_F_ZERO_SEED, so order-sensitive hash traces set it.

import type { Mask, Trace, TraceEnv, TraceOp } from "../trace/format.ts";

const CMD = {
  MAP_CREATE: 0,
  LOOKUP: 1,
  UPDATE: 2,
  DELETE: 3,
  NEXT: 4,
  INFO: 15,
  LOOKUP_AND_DELETE: 21,
  FREEZE: 22,
  LOOKUP_BATCH: 24,
  LOOKUP_AND_DELETE_BATCH: 25,
  UPDATE_BATCH: 26,
  DELETE_BATCH: 27,
} as const;

export const MAP_TYPE_NAMES: readonly string[] = [
  "unspec", "hash", "array", "prog_array", "perf_event_array", "percpu_hash", "percpu_array", "stack_trace", "cgroup_array",
  "lru_hash", "lru_percpu_hash", "lpm_trie", "array_of_maps", "hash_of_maps", "devmap", "sockmap", "cpumap", "xskmap",
  "sockhash", "cgroup_storage", "reuseport_sockarray", "percpu_cgroup_storage", "queue", "stack", "sk_storage",
  "devmap_hash", "struct_ops", "ringbuf", "inode_storage", "task_storage", "bloom_filter", "user_ringbuf", "cgrp_storage", "arena",
];

const F = {
  NO_PREALLOC: 0x1, NO_COMMON_LRU: 0x2, NUMA_NODE: 0x4, RDONLY: 0x8, WRONLY: 0x10, STACK_BUILD_ID: 0x20, ZERO_SEED: 0x40,
  RDONLY_PROG: 0x80, WRONLY_PROG: 0x100, CLONE: 0x200, MMAPABLE: 0x400, PRESERVE_ELEMS: 0x800, INNER_MAP: 0x1000, LINK: 0x2000,
  SEGV_ON_FAULT: 0x20000, NO_USER_CONV: 0x40000,
} as const;

const NCPU = 2;

/** xorshift32: a small deterministic generator. */
class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 1;
  }
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s;
  }
  int(n: number): number {
    return this.next() % n;
  }
  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)]!;
  }
  bytes(n: number): Uint8Array {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = this.next() & 0xff;
    return b;
  }
}

type Field = readonly [offset: number, size: 4 | 8, value: number | bigint];

function attrBytes(len: number, fields: readonly Field[]): Uint8Array {
  const b = new Uint8Array(len);
  const v = new DataView(b.buffer);
  for (const [off, size, val] of fields) {
    if (size === 4) v.setUint32(off, Number(BigInt.asUintN(32, BigInt(val))), true);
    else v.setBigUint64(off, BigInt.asUintN(64, BigInt(val)), true);
  }
  return b;
}

function u32le(v: number): Uint8Array {
  return attrBytes(4, [[0, 4, v]]);
}

interface CreateSpec {
  type: number;
  key: number;
  value: number;
  max: number;
  flags?: number;
  inner?: number;
  numa?: number;
  extra?: bigint;
  name?: Uint8Array;
  btfKey?: number;
  btfValue?: number;
  btfVmlinux?: number;
  btfFd?: number;
}

class Builder {
  readonly ops: TraceOp[] = [];
  private nextAddr = 0x10000000n;

  region(len: number, bytes?: Uint8Array): bigint {
    const addr = this.nextAddr;
    this.nextAddr += BigInt(Math.ceil(Math.max(len, 1) / 4096) * 4096);
    this.ops.push(bytes === undefined ? { op: "map", addr, len } : { op: "map", addr, len, bytes });
    return addr;
  }

  write(addr: bigint, bytes: Uint8Array): void {
    this.ops.push({ op: "write", addr, bytes });
  }

  bpf(cmd: number, len: number, fields: readonly Field[], note?: string, mask?: Mask): void {
    const attr = attrBytes(len, fields);
    const op: TraceOp = { op: "bpf", cmd, size: len, attr, ...(note === undefined ? {} : { note }), ...(mask === undefined ? {} : { mask }) };
    this.ops.push(op);
  }

  create(s: CreateSpec, note?: string): void {
    const fields: Field[] = [
      [0, 4, s.type], [4, 4, s.key], [8, 4, s.value], [12, 4, s.max], [16, 4, s.flags ?? 0], [20, 4, s.inner ?? 0], [24, 4, s.numa ?? 0],
      [48, 4, s.btfFd ?? 0], [52, 4, s.btfKey ?? 0], [56, 4, s.btfValue ?? 0], [60, 4, s.btfVmlinux ?? 0], [64, 8, s.extra ?? 0n],
    ];
    const attr = attrBytes(96, fields);
    if (s.name) attr.set(s.name.subarray(0, 16), 28);
    this.ops.push({ op: "bpf", cmd: CMD.MAP_CREATE, size: 96, attr, note: note ?? `create ${MAP_TYPE_NAMES[s.type]} k${s.key} v${s.value} n${s.max} f0x${(s.flags ?? 0).toString(16)}` });
  }

  close(fd: number): void {
    this.ops.push({ op: "close", fd });
  }

  elem(cmd: number, fd: number, key: bigint, value: bigint, flags: bigint | number = 0, note?: string, mask?: Mask): void {
    this.bpf(cmd, 32, [[0, 4, fd], [8, 8, key], [16, 8, value], [24, 8, BigInt(flags)]], note, mask);
  }

  freeze(fd: number): void {
    this.bpf(CMD.FREEZE, 8, [[0, 4, fd]], `freeze fd ${fd}`);
  }

  batch(cmd: number, fd: number, inB: bigint, outB: bigint, keys: bigint, values: bigint, count: number, elemFlags = 0, flags = 0, mask?: Mask): void {
    this.bpf(cmd, 56, [[0, 8, inB], [8, 8, outB], [16, 8, keys], [24, 8, values], [32, 4, count], [36, 4, fd], [40, 8, BigInt(elemFlags)], [48, 8, BigInt(flags)]], `batch cmd ${cmd} count ${count}`, mask);
  }

  /** OBJ_GET_INFO_BY_FD into a fresh region; the map id (offset 4) is host-specific. */
  info(fd: number, infoLen = 104, prefill?: Uint8Array): bigint {
    const buf = this.region(128, prefill);
    this.bpf(CMD.INFO, 16, [[0, 4, fd], [4, 4, infoLen], [8, 8, buf]], `info fd ${fd} len ${infoLen}`, { mem: [{ addr: buf + 4n, len: 4 }] });
    return buf;
  }
}

function trace(name: string, description: string, b: Builder, env: TraceEnv = { kind: "root" }): Trace {
  return { name: `maps/${name}`, description, abi: "linux-6.18", env, recordedOn: null, ops: b.ops };
}

// ---------------------------------------------------------------------------
// Creation: per type, a sweep of sizes and of every flag bit, plus random specs.
// ---------------------------------------------------------------------------

function createCase(b: Builder, s: CreateSpec, withInfo: boolean): void {
  b.create(s);
  if (withInfo) b.info(3);
  b.close(3);
}

/** A sane spec for each type (the one the kernel accepts). */
export function goodSpec(type: number): CreateSpec {
  switch (type) {
    case 1: case 5: case 9: case 10: return { type, key: 8, value: 8, max: 16 };
    case 2: case 6: return { type, key: 4, value: 8, max: 16 };
    case 3: case 4: case 8: return { type, key: 4, value: 4, max: 8 };
    case 7: return { type, key: 4, value: 64, max: 16 };
    case 11: return { type, key: 8, value: 8, max: 16, flags: F.NO_PREALLOC };
    case 12: case 13: return { type, key: type === 12 ? 4 : 8, value: 4, max: 8 };
    case 14: case 25: case 16: return { type, key: 4, value: 4, max: 8 };
    case 15: case 18: case 20: return { type, key: 4, value: 8, max: 8 };
    case 17: return { type, key: 4, value: 4, max: 8 };
    case 19: case 21: return { type, key: 16, value: 8, max: 0 };
    case 22: case 23: return { type, key: 0, value: 8, max: 8 };
    case 24: case 28: case 29: case 32: return { type, key: 4, value: 8, max: 0, flags: F.NO_PREALLOC, btfKey: 1, btfValue: 2 };
    case 26: return { type, key: 4, value: 8, max: 1, btfVmlinux: 1 };
    case 27: case 31: return { type, key: 0, value: 0, max: 4096 };
    case 30: return { type, key: 0, value: 8, max: 16 };
    case 33: return { type, key: 0, value: 0, max: 16, flags: F.MMAPABLE };
    default: return { type, key: 4, value: 4, max: 1 };
  }
}

const SIZES = [0, 1, 3, 4, 5, 8, 9, 12, 16, 20, 64, 260, 261, 512, 513, 1016, 1024, 32768, 32769, 65407, 65408, 0x7fffffff, 0x80000000, 0xffffffff];
const MAXES = [0, 1, 2, 3, 7, 100, 255, 256, 257, 4096, 8192, 12288, 1 << 20, (1 << 20) + 1, 0x10000000, 0x10000001, 0x80000000, 0x80000001, 0xffffffff];

/**
 * max_entries of 2^20 and more only where the kernel refuses before
 * allocating (a size check, or a vmalloc larger than all of RAM): anything
 * else makes the kernel really allocate, and for prog arrays spend minutes
 * clearing every slot after close.
 */
function hugeMaxRefusedAtOnce(type: number, m: number): boolean {
  if ([1, 5, 9, 10, 13].includes(type)) return m > 0x10000000;
  if (type === 7) return m > 0x80000000;
  if ([16, 19, 21, 24, 26, 28, 29, 32, 33, 11].includes(type)) return true;
  if (type === 25 || type === 18) return m > 0x80000000;
  if (type === 20) return m === 0xffffffff;
  if (type === 27 || type === 31) return m !== 0x80000000 && (m & (m - 1)) !== 0;
  if (type === 30 || type === 3) return false;
  return m === 0xffffffff;
}

function createTraces(out: Trace[], rng: Rng): void {
  for (let type = 0; type <= 35; type++) {
    const base = type <= 33 ? goodSpec(type) : { type, key: 4, value: 4, max: 1 };
    const tname = MAP_TYPE_NAMES[type] ?? `type${type}`;
    // The good spec, with info, and every single flag bit.
    let b = new Builder();
    createCase(b, base, true);
    for (let bit = 0; bit < 20; bit++) createCase(b, { ...base, flags: (base.flags ?? 0) | (1 << bit) }, true);
    out.push(trace(`${tname}/create-flags`, `${tname}: the accepted spec, then each map_flags bit added`, b));
    if (type > 33) continue;
    // Sizes: key, value and max_entries one at a time.
    b = new Builder();
    for (const k of SIZES) createCase(b, { ...base, key: k }, false);
    out.push(trace(`${tname}/create-key-size`, `${tname}: key_size sweep`, b));
    b = new Builder();
    for (const v of SIZES) if (!(type === 1 && v > 1 << 20) || v === 0xffffffff) createCase(b, { ...base, value: v }, false);
    out.push(trace(`${tname}/create-value-size`, `${tname}: value_size sweep`, b));
    b = new Builder();
    for (const m of MAXES) {
      if (m >= 1 << 20 && !hugeMaxRefusedAtOnce(type, m)) continue;
      createCase(b, { ...base, max: m }, false);
    }
    out.push(trace(`${tname}/create-max-entries`, `${tname}: max_entries sweep`, b));
    // Random specs: small random sizes and flag combinations.
    b = new Builder();
    for (let i = 0; i < 24; i++) {
      const s: CreateSpec = {
        ...base,
        key: rng.pick([0, 4, 8, rng.int(70)]),
        value: rng.pick([0, 4, 8, rng.int(300)]),
        max: rng.pick([0, 1, 16, rng.int(5000)]),
        flags: rng.int(3) === 0 ? rng.next() & 0x7ffff : rng.pick([0, base.flags ?? 0, (base.flags ?? 0) | (1 << rng.int(19))]),
        extra: rng.int(5) === 0 ? BigInt(rng.int(20)) : 0n,
      };
      createCase(b, s, true);
    }
    out.push(trace(`${tname}/create-random`, `${tname}: random sizes and flags`, b));
  }
  // Names, numa nodes, map_extra, inner maps, BTF ids.
  const b = new Builder();
  const names: number[][] = [[], [0x61], [0x41, 0x5f, 0x2e, 0x39], Array(15).fill(0x61), Array(16).fill(0x61), [0x2d], [0x20], [0xc0], [0xd7], [0xff], [0x61, 0, 0x2d]];
  for (const n of names) {
    const nb = new Uint8Array(16);
    nb.set(n.slice(0, 16));
    createCase(b, { ...goodSpec(2), name: nb }, true);
  }
  for (const node of [0, 1, 0xffffffff, 5]) createCase(b, { ...goodSpec(1), flags: F.NUMA_NODE, numa: node }, true);
  for (const extra of [0n, 1n, 5n, 15n, 16n, 0x100n]) createCase(b, { ...goodSpec(30), extra }, true);
  for (const extra of [0n, 1n, 0x1000n, 0x7fff0000n, 0xfffff000n, 0x100000000n]) createCase(b, { ...goodSpec(33), max: 256, extra }, true);
  createCase(b, { ...goodSpec(2), btfKey: 1 }, false);
  createCase(b, { ...goodSpec(2), btfKey: 1, btfValue: 2 }, false);
  createCase(b, { ...goodSpec(2), btfValue: 2, btfFd: 99 }, false);
  createCase(b, { ...goodSpec(2), btfVmlinux: 5 }, false);
  out.push(trace("misc/create-attrs", "names, NUMA nodes, map_extra, BTF ids", b));
}

// ---------------------------------------------------------------------------
// Element traces.
// ---------------------------------------------------------------------------

interface ElemCtx {
  b: Builder;
  rng: Rng;
  fd: number;
  spec: CreateSpec;
  /** bpf_map_value_size() */
  vsize: number;
  keyBuf: bigint;
  valBuf: bigint;
  nextBuf: bigint;
  keyPool: Uint8Array[];
  /** Inner-map fds (map-in-map) */
  innerFds?: number[];
  masks?: { lookup?: boolean };
}

function randKey(c: ElemCtx): Uint8Array {
  return c.rng.int(8) === 0 ? c.rng.bytes(c.spec.key) : c.rng.pick(c.keyPool);
}

function elemStep(c: ElemCtx, allowBatch: boolean): void {
  const { b, rng, fd } = c;
  const r = rng.int(allowBatch ? 16 : 13);
  const valueMask: Mask | undefined = c.masks?.lookup ? { mem: [{ addr: c.valBuf, len: c.vsize }] } : undefined;
  if (r <= 3) {
    const v = c.innerFds ? u32le(rng.pick(c.innerFds)) : rng.bytes(c.vsize);
    b.write(c.keyBuf, randKey(c));
    b.write(c.valBuf, v);
    b.elem(CMD.UPDATE, fd, c.keyBuf, c.valBuf, rng.int(6) === 0 ? rng.pick([3, 4, 8, 0x100000000]) : rng.int(3), "update");
  } else if (r <= 6) {
    b.write(c.keyBuf, randKey(c));
    b.elem(CMD.LOOKUP, fd, c.keyBuf, c.valBuf, rng.int(10) === 0 ? 4 : 0, "lookup", valueMask);
  } else if (r <= 8) {
    b.write(c.keyBuf, randKey(c));
    b.elem(CMD.DELETE, fd, c.keyBuf, 0n, 0, "delete");
  } else if (r <= 11) {
    // get_next_key: from NULL, from a known key, or from a random one.
    const k = rng.int(3);
    if (k === 0) b.elem(CMD.NEXT, fd, 0n, c.nextBuf, 0, "next from NULL");
    else {
      b.write(c.keyBuf, randKey(c));
      b.elem(CMD.NEXT, fd, c.keyBuf, c.nextBuf, 0, "next");
    }
  } else if (r === 12) {
    b.write(c.keyBuf, randKey(c));
    b.elem(CMD.LOOKUP_AND_DELETE, fd, c.keyBuf, c.valBuf, 0, "lookup_and_delete", valueMask);
  } else {
    batchStep(c);
  }
}

function batchStep(c: ElemCtx): void {
  const { b, rng, fd } = c;
  const n = rng.pick([0, 1, 2, 3, 5, 8, 16, 40]);
  const ks = Math.max(c.spec.key, 1);
  const keys = b.region(Math.max(ks * 40, 8));
  const vals = b.region(Math.max(c.vsize * 40, 8));
  // Reserved so that the regions after it keep the addresses the recorded traces use.
  void b.region(Math.max(ks, 8));
  const outB = b.region(Math.max(ks, 8));
  const cmd = rng.pick([CMD.LOOKUP_BATCH, CMD.LOOKUP_BATCH, CMD.LOOKUP_AND_DELETE_BATCH, CMD.UPDATE_BATCH, CMD.DELETE_BATCH]);
  const mask: Mask | undefined = c.masks?.lookup ? { mem: [{ addr: vals, len: c.vsize * 40 }] } : undefined;
  if (cmd === CMD.UPDATE_BATCH || cmd === CMD.DELETE_BATCH) {
    const kb = new Uint8Array(ks * n);
    const vb = new Uint8Array(c.vsize * n);
    for (let i = 0; i < n; i++) {
      kb.set(randKey(c).subarray(0, c.spec.key), i * c.spec.key);
      vb.set(c.innerFds ? u32le(rng.pick(c.innerFds)) : rng.bytes(c.vsize), i * c.vsize);
    }
    if (kb.length) b.write(keys, kb);
    if (vb.length) b.write(vals, vb);
    b.batch(cmd, fd, 0n, 0n, keys, vals, n, rng.int(8) === 0 ? rng.pick([1, 2, 4]) : 0);
    return;
  }
  // Lookups: from the start, then continue from out_batch as a program would.
  b.batch(cmd, fd, 0n, outB, keys, vals, n, 0, rng.int(10) === 0 ? 1 : 0, mask);
  if (rng.int(2)) {
    b.batch(cmd, fd, outB, outB, keys, vals, n, 0, 0, mask);
  }
}

function elemTrace(out: Trace[], rng: Rng, name: string, spec: CreateSpec, steps: number, opts: { batch?: boolean; freezeAt?: number; env?: TraceEnv; innerSpec?: CreateSpec; keyPool?: Uint8Array[]; maskLookup?: boolean } = {}): void {
  const b = new Builder();
  let fd = 3;
  let innerFds: number[] | undefined;
  if (opts.innerSpec) {
    // Inner maps first: fds 3, 4, 5; the template is fd 3.
    for (let i = 0; i < 3; i++) b.create(opts.innerSpec, "inner map");
    innerFds = [3, 4, 5, 6];
    b.create({ ...spec, inner: 3 });
    fd = 6;
    innerFds = [3, 4, 5, 6, 0];
  } else {
    b.create(spec);
  }
  b.info(fd);
  const type = spec.type;
  const vsize = [5, 6, 10, 21].includes(type) ? Math.ceil(spec.value / 8) * 8 * NCPU : [3, 4, 8, 12, 13].includes(type) ? 4 : spec.value;
  const keyPool = opts.keyPool ?? Array.from({ length: Math.max(4, Math.min(spec.max + 4, 24)) }, (_, i) => keyFor(spec, i, rng));
  const c: ElemCtx = {
    b,
    rng,
    fd,
    spec,
    vsize,
    keyBuf: b.region(Math.max(spec.key, 8)),
    valBuf: b.region(Math.max(vsize, 8)),
    nextBuf: b.region(Math.max(spec.key, 8)),
    keyPool,
    ...(innerFds ? { innerFds } : {}),
    ...(opts.maskLookup ? { masks: { lookup: true } } : {}),
  };
  for (let i = 0; i < steps; i++) {
    if (opts.freezeAt === i) b.freeze(fd);
    elemStep(c, opts.batch ?? false);
  }
  // A full walk at the end shows the final contents in iteration order.
  walk(c, spec.max + 6);
  if (opts.batch) {
    const keys = b.region(Math.max(spec.key, 1) * 64);
    const vals = b.region(Math.max(vsize, 1) * 64);
    b.batch(CMD.LOOKUP_BATCH, fd, 0n, c.nextBuf, keys, vals, 64, 0, 0, opts.maskLookup ? { mem: [{ addr: vals, len: vsize * 64 }] } : undefined);
  }
  b.info(fd);
  out.push(trace(name, `${MAP_TYPE_NAMES[type]}: ${steps} random element commands`, b, opts.env));
}

/** get_next_key from NULL, then from each returned key, then lookups of each. */
function walk(c: ElemCtx, n: number): void {
  const { b, fd } = c;
  b.elem(CMD.NEXT, fd, 0n, c.nextBuf, 0, "walk start");
  for (let i = 0; i < Math.min(n, 40); i++) {
    b.elem(CMD.NEXT, fd, c.nextBuf, c.nextBuf, 0, "walk");
  }
}

function keyFor(spec: CreateSpec, i: number, rng: Rng): Uint8Array {
  const k = new Uint8Array(spec.key);
  if (spec.type === 11) {
    // LPM: prefixlen then data; prefixes of a few related addresses.
    const dv = new DataView(k.buffer);
    const plen = rng.pick([0, 1, 7, 8, 9, 16, 24, (spec.key - 4) * 8, (spec.key - 4) * 8 + 1]);
    dv.setUint32(0, Math.min(plen, (spec.key - 4) * 8 + (i % 7 === 0 ? 1 : 0)), true);
    for (let j = 4; j < spec.key; j++) k[j] = rng.pick([0x0a, 0xc0, 0xa8, 0x00, 0xff, i & 0xff, (i * 37) & 0xff]);
    return k;
  }
  if (spec.key >= 4) {
    // Small indexes for arrays (some out of range), arbitrary bytes otherwise.
    if ([2, 3, 4, 6, 7, 8, 12, 14, 15, 16, 17, 20, 25].includes(spec.type)) {
      new DataView(k.buffer).setUint32(0, rng.int(4) === 0 ? rng.pick([spec.max, spec.max + 1, 0xffffffff, i]) : i % Math.max(spec.max, 1), true);
      return k;
    }
  }
  for (let j = 0; j < spec.key; j++) k[j] = (i * 31 + j * 7 + (rng.next() & 3)) & 0xff;
  return k;
}

function elemTraces(out: Trace[], rng: Rng): void {
  const rounds = (n: number, fn: (i: number) => void): void => {
    for (let i = 0; i < n; i++) fn(i);
  };
  // ARRAY and PERCPU_ARRAY
  rounds(14, (i) => {
    const value = rng.pick([1, 4, 8, 12, 16, 24, 100]);
    const max = rng.pick([1, 2, 5, 16, 33]);
    elemTrace(out, rng, `array/elem-${i}`, { type: 2, key: 4, value, max, flags: rng.int(4) === 0 ? F.MMAPABLE : 0 }, 40, { batch: true, freezeAt: i % 4 === 3 ? 30 : -1 });
  });
  rounds(8, (i) => elemTrace(out, rng, `percpu_array/elem-${i}`, { type: 6, key: 4, value: rng.pick([1, 4, 8, 12, 20]), max: rng.pick([1, 3, 8]) }, 30, { batch: true }));
  // The hash family, ZERO_SEED so that order is the kernel's.
  rounds(30, (i) => {
    const key = rng.pick([1, 2, 3, 4, 5, 8, 12, 13, 16, 20]);
    const max = rng.pick([1, 2, 3, 4, 8, 16, 17, 100]);
    const flags = F.ZERO_SEED | (rng.int(3) === 0 ? F.NO_PREALLOC : 0);
    elemTrace(out, rng, `hash/elem-${i}`, { type: 1, key, value: rng.pick([1, 4, 8, 9, 16]), max, flags }, 50, { batch: true, freezeAt: i % 7 === 6 ? 40 : -1 });
  });
  rounds(10, (i) => elemTrace(out, rng, `percpu_hash/elem-${i}`, { type: 5, key: rng.pick([4, 8, 6]), value: rng.pick([4, 8, 12]), max: rng.pick([2, 4, 16]), flags: F.ZERO_SEED | (i % 2 ? F.NO_PREALLOC : 0) }, 40, { batch: true }));
  rounds(12, (i) => elemTrace(out, rng, `lru_hash/elem-${i}`, { type: 9, key: rng.pick([4, 8]), value: rng.pick([4, 8]), max: rng.pick([4, 8, 16, 64]), flags: F.ZERO_SEED }, 40, { batch: i % 2 === 0 }));
  rounds(6, (i) => elemTrace(out, rng, `lru_percpu_hash/elem-${i}`, { type: 10, key: 4, value: rng.pick([4, 8]), max: rng.pick([4, 8, 16]), flags: F.ZERO_SEED | (i % 3 === 0 ? F.NO_COMMON_LRU : 0) }, 30, { batch: true }));
  rounds(4, (i) => elemTrace(out, rng, `lru_hash/common-off-${i}`, { type: 9, key: 4, value: 8, max: rng.pick([4, 8, 16]), flags: F.ZERO_SEED | F.NO_COMMON_LRU }, 30));
  // Without ZERO_SEED: order-insensitive commands only.
  rounds(6, (i) => {
    const b = new Builder();
    const spec: CreateSpec = { type: rng.pick([1, 5]), key: 8, value: 8, max: 8 };
    b.create(spec);
    const kb = b.region(8);
    const vb = b.region(16 * NCPU);
    const vsize = spec.type === 5 ? 8 * NCPU : 8;
    for (let j = 0; j < 30; j++) {
      b.write(kb, u32le(rng.int(12)));
      const op = rng.int(3);
      if (op === 0) {
        b.write(vb, rng.bytes(vsize));
        b.elem(CMD.UPDATE, 3, kb, vb, rng.int(3));
      } else if (op === 1) b.elem(CMD.LOOKUP, 3, kb, vb);
      else b.elem(CMD.DELETE, 3, kb, 0n);
    }
    out.push(trace(`hash/random-seed-${i}`, "hash without ZERO_SEED: order-free commands", b));
  });
  // Queue and stack
  rounds(10, (i) => elemTrace(out, rng, `${i % 2 ? "stack" : "queue"}/elem-${i}`, { type: i % 2 ? 23 : 22, key: 0, value: rng.pick([1, 4, 8, 13]), max: rng.pick([1, 2, 3, 5]) }, 40, { batch: true }));
  // Bloom filter
  rounds(8, (i) => elemTrace(out, rng, `bloom_filter/elem-${i}`, { type: 30, key: 0, value: rng.pick([1, 4, 8, 5, 12]), max: rng.pick([1, 4, 100]), flags: F.ZERO_SEED, extra: BigInt(rng.pick([0, 1, 3, 15])) }, 40));
  // LPM trie
  rounds(14, (i) => elemTrace(out, rng, `lpm_trie/elem-${i}`, { type: 11, key: rng.pick([5, 6, 8, 12, 20]), value: rng.pick([1, 4, 8]), max: rng.pick([2, 4, 8, 32]), flags: F.NO_PREALLOC }, 50));
  // Map in map
  rounds(6, (i) => elemTrace(out, rng, `array_of_maps/elem-${i}`, { type: 12, key: 4, value: 4, max: rng.pick([2, 4, 8]) }, 30, { batch: true, innerSpec: { type: 2, key: 4, value: 8, max: 4 }, maskLookup: true }));
  rounds(6, (i) => elemTrace(out, rng, `hash_of_maps/elem-${i}`, { type: 13, key: rng.pick([4, 8]), value: 4, max: rng.pick([2, 4, 8]), flags: F.ZERO_SEED }, 30, { batch: true, innerSpec: { type: 1, key: 8, value: 8, max: 4 }, maskLookup: true }));
  // fd arrays, devices, sockets, storages, ringbufs, arena: element commands on empty or simple maps.
  for (const type of [3, 4, 8, 7, 14, 25, 16, 17, 15, 18, 20, 19, 21, 27, 31, 33]) {
    rounds(3, (i) => {
      const base = goodSpec(type);
      const spec = { ...base, value: type === 15 || type === 18 || type === 20 ? rng.pick([4, 8]) : type === 14 || type === 25 || type === 16 ? rng.pick([4, 8]) : base.value, flags: (base.flags ?? 0) | (type === 25 || type === 18 ? 0 : 0) };
      elemTrace(out, rng, `${MAP_TYPE_NAMES[type]}/elem-${i}`, spec, 30, { batch: true, keyPool: devKeys(spec, rng) });
    });
  }
}

/** Keys, and for devmaps and cpumaps values that exist here (lo = ifindex 1, CPUs 0 and 1). */
function devKeys(spec: CreateSpec, rng: Rng): Uint8Array[] {
  const pool: Uint8Array[] = [];
  for (let i = 0; i < 10; i++) {
    const k = new Uint8Array(spec.key);
    if (spec.key >= 4) new DataView(k.buffer).setUint32(0, rng.pick([0, 1, 2, 3, spec.max, 255]), true);
    pool.push(k);
  }
  return pool;
}

/** Traces for specific rules: info buffers, hash, freeze, permissions, map-in-map, refs. */
function ruleTraces(out: Trace[]): void {
  // Info: lengths, prefilled garbage, hash on an array.
  {
    const b = new Builder();
    b.create({ type: 2, key: 4, value: 8, max: 4, flags: F.RDONLY_PROG | F.NUMA_NODE, name: new TextEncoder().encode("info_map\0\0\0\0\0\0\0\0") });
    for (const len of [0, 1, 4, 8, 20, 24, 40, 80, 88, 96, 100, 104, 108, 112, 128, 4096, 4097]) b.info(3, len);
    const junk = new Uint8Array(128).fill(0xa5);
    b.info(3, 104, junk);
    const junk2 = new Uint8Array(128).fill(0);
    junk2.fill(0x5a, 104, 128);
    b.info(3, 128, junk2);
    // hash: pointer and size rules, then a real hash of a frozen and an unfrozen array.
    const h = b.region(32);
    const withHash = (ptr: bigint, size: number): Uint8Array => {
      const i = new Uint8Array(104);
      const dv = new DataView(i.buffer);
      dv.setBigUint64(88, ptr, true);
      dv.setUint32(96, size, true);
      return i;
    };
    b.info(3, 104, withHash(h, 32));
    b.info(3, 104, withHash(h, 31));
    b.info(3, 104, withHash(0n, 32));
    b.info(3, 104, withHash(0x1000n, 32));
    const kb = b.region(4, u32le(1));
    const vb = b.region(8, Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]));
    b.elem(CMD.UPDATE, 3, kb, vb);
    b.info(3, 104, withHash(h, 32));
    b.freeze(3);
    b.info(3, 104, withHash(h, 32));
    b.freeze(3);
    b.elem(CMD.UPDATE, 3, kb, vb);
    b.elem(CMD.DELETE, 3, kb, 0n);
    b.batch(CMD.UPDATE_BATCH, 3, 0n, 0n, kb, vb, 1);
    b.batch(CMD.LOOKUP_BATCH, 3, 0n, b.region(8), b.region(64), b.region(128), 4);
    b.create({ type: 1, key: 4, value: 8, max: 4 });
    b.info(4, 104, withHash(h, 32));
    out.push(trace("misc/info-and-hash", "bpf_map_info lengths, caller bytes, map hash and freeze", b));
  }
  // Read-only and write-only fds.
  for (const fl of [F.RDONLY, F.WRONLY]) {
    const b = new Builder();
    b.create({ type: 1, key: 4, value: 4, max: 4, flags: fl | F.ZERO_SEED });
    const kb = b.region(4, u32le(7));
    const vb = b.region(4, u32le(9));
    b.elem(CMD.UPDATE, 3, kb, vb);
    b.elem(CMD.LOOKUP, 3, kb, vb);
    b.elem(CMD.NEXT, 3, 0n, vb);
    b.elem(CMD.DELETE, 3, kb, 0n);
    b.elem(CMD.LOOKUP_AND_DELETE, 3, kb, vb);
    b.freeze(3);
    b.batch(CMD.LOOKUP_BATCH, 3, 0n, b.region(8), b.region(16), b.region(16), 2);
    b.batch(CMD.DELETE_BATCH, 3, 0n, 0n, kb, vb, 1);
    b.info(3);
    out.push(trace(`misc/fd-mode-${fl === F.RDONLY ? "rdonly" : "wronly"}`, "element commands through a read-only or write-only fd", b));
  }
  // Map-in-map rules: templates that cannot be inner maps, mismatched inner maps, nesting.
  {
    const b = new Builder();
    b.create({ type: 2, key: 4, value: 8, max: 4 }); // 3
    b.create({ type: 12, key: 4, value: 4, max: 4, inner: 3 }); // 4
    b.create({ type: 12, key: 4, value: 4, max: 4, inner: 4 }, "nested template"); // fails
    b.create({ type: 3, key: 4, value: 4, max: 4 }); // 5 prog array
    b.create({ type: 13, key: 4, value: 4, max: 4, inner: 5 }, "prog array template");
    b.create({ type: 13, key: 4, value: 4, max: 4, inner: 99 }, "closed template");
    b.create({ type: 13, key: 4, value: 4, max: 4, inner: 0 }, "not a map");
    b.create({ type: 2, key: 4, value: 8, max: 5 }); // 6: other max_entries
    b.create({ type: 2, key: 4, value: 16, max: 4 }); // 7: other value size
    b.create({ type: 2, key: 4, value: 8, max: 4, flags: F.INNER_MAP }); // 8
    b.create({ type: 12, key: 4, value: 4, max: 4, inner: 8 }); // 9: INNER_MAP template
    const kb = b.region(4, u32le(0));
    const vb = b.region(8);
    for (const [outer, inner] of [[4, 3], [4, 6], [4, 7], [4, 8], [9, 8], [9, 3], [4, 99], [4, 0], [4, 4]] as const) {
      b.write(vb, u32le(inner));
      b.elem(CMD.UPDATE, outer, kb, vb, 0, `outer ${outer} <- ${inner}`);
    }
    b.elem(CMD.LOOKUP, 4, kb, vb, 0, "id of the inner map", { mem: [{ addr: vb, len: 4 }] });
    b.close(3);
    b.elem(CMD.LOOKUP, 4, kb, vb, 0, "inner map stays alive in the slot", { mem: [{ addr: vb, len: 4 }] });
    b.elem(CMD.DELETE, 4, kb, 0n);
    b.elem(CMD.DELETE, 4, kb, 0n);
    b.write(kb, u32le(4));
    b.elem(CMD.DELETE, 4, kb, 0n);
    out.push(trace("misc/map-in-map-rules", "inner_map_fd rules and inner map matching", b));
  }
  // Big sizes: the errno comes at once, nothing is allocated.
  {
    const b = new Builder();
    for (const [type, key, value, max] of [[2, 4, 8, 0xffffffff], [2, 4, 0x7fffffff, 0xffffffff], [6, 4, 8, 0xffffffff], [1, 8, 8, 0xffffffff], [1, 8, 8, 0x80000001], [1, 4, 0x3fffc0, 1], [1, 4, 0x3fffff, 1], [5, 4, 32769, 1], [22, 0, 0x400001, 1], [30, 0, 0x400001, 1], [11, 8, 0x400000, 1]] as const) {
      createCase(b, { type, key, value, max, flags: type === 11 ? F.NO_PREALLOC : 0 }, false);
    }
    out.push(trace("misc/huge", "sizes the kernel refuses at once", b));
  }
  // Unprivileged: creation is refused before allocation, after alloc_check.
  {
    const b = new Builder();
    for (let type = 1; type <= 33; type++) createCase(b, goodSpec(type), false);
    createCase(b, { type: 2, key: 4, value: 0, max: 1 }, false);
    createCase(b, { type: 1, key: 4, value: 4, max: 1, flags: F.ZERO_SEED }, false);
    out.push(trace("misc/nocap-create", "every type without capabilities", b, { kind: "nocap" }));
  }
  // Hash full, E2BIG; LRU eviction in order; per-CPU value layout.
  for (const max of [1, 2, 3, 4, 8]) {
    const b = new Builder();
    b.create({ type: 1, key: 4, value: 4, max, flags: F.ZERO_SEED });
    const kb = b.region(4);
    const vb = b.region(4);
    for (let i = 0; i < max + 3; i++) {
      b.write(kb, u32le(i * 0x01010101));
      b.write(vb, u32le(i));
      b.elem(CMD.UPDATE, 3, kb, vb, 0);
    }
    b.write(kb, u32le(0));
    b.elem(CMD.UPDATE, 3, kb, vb, 2, "replace when full");
    b.elem(CMD.UPDATE, 3, kb, vb, 1, "NOEXIST when full");
    const c = { b, fd: 3, nextBuf: b.region(8) } as unknown as ElemCtx;
    walk(c, max + 2);
    b.create({ type: 9, key: 4, value: 4, max, flags: F.ZERO_SEED });
    for (let i = 0; i < max * 3; i++) {
      b.write(kb, u32le(i));
      b.write(vb, u32le(i));
      b.elem(CMD.UPDATE, 4, kb, vb, 0);
    }
    walk({ b, fd: 4, nextBuf: c.nextBuf } as unknown as ElemCtx, max * 3);
    out.push(trace(`hash/full-${max}`, "hash E2BIG when full; LRU evicting", b));
  }
}

/** The whole corpus, deterministic. */
export function mapCorpus(seed = 0x6d617073): Trace[] {
  const rng = new Rng(seed);
  const out: Trace[] = [];
  createTraces(out, rng);
  elemTraces(out, rng);
  ruleTraces(out);
  return out;
}

/** The map type a corpus trace is about, from its name (maps/<type>/...). */
export function traceMapType(name: string): string {
  return name.split("/")[1] ?? "?";
}

// SPDX-License-Identifier: GPL-2.0-only
// The core differential corpus: size and tail patterns, the CHECK_ATTR sweep,
// field-level fuzz per command (flag bits one by one, fds of every kind,
// pointers mapped/unmapped/straddling, boundary values, seeded random
// mutations), capability environments, and sequences that create objects
// and use them. Every case is one trace; names are core/<family>/<...>.
// Deterministic: the same code gives the same traces. No Node API.

import type { FieldDesc } from "../uapi/layout.ts";
import type { Mask, Trace, TraceEnv } from "../trace/format.ts";
import { BPF_ATTACH_TYPE as AT, BPF_CMD as CMD, BPF_MAP_TYPE as MT, BPF_PROG_TYPE as PT } from "../uapi/gen/consts-6.18.ts";
import { encodeAttr } from "../abi/decode.ts";
import { ATTR_SIZE, Builder, ZERO_SEED, FD_KINDS, PTR_KINDS, TABLES, USERNS_ALL, cstr, prng, u32le, u64le, type FdKind, type FieldValues, type PtrKind } from "./builder.ts";
import { CMD_SPECS, primarySpecs, type BaseCall, type CmdSpec } from "./specs.ts";

export interface CorpusCase {
  /** The generator family ("size", "check-attr", "flags", ...). */
  readonly family: string;
  readonly trace: Trace;
  /** The case could make the kernel allocate more than MAP_BUDGET: never run. */
  readonly heavy?: boolean;
}

const cmdName = (cmd: number): string => TABLES.commands[cmd]?.name ?? `cmd${cmd}`;
const specLabel = (s: CmdSpec): string => `${cmdName(s.cmd)}.${s.variant}`;

/** Runs a spec's setup in a fresh builder and returns the builder and the base call. */
function start(spec: CmdSpec, env?: TraceEnv): { b: Builder; base: BaseCall } {
  const b = new Builder(env);
  return { b, base: spec.setup(b) };
}

function finish(family: string, b: Builder, name: string, description: string): CorpusCase {
  const c = { family, trace: b.trace(`core/${family}/${name}`, description) };
  return b.heavy ? { ...c, heavy: true } : c;
}

/** The base attr as 168 bytes. */
function baseBytes(spec: CmdSpec, base: BaseCall): Uint8Array {
  return encodeAttr(TABLES, spec.cmd, base.fields);
}

function maskOpt(base: BaseCall, fields: FieldValues = base.fields): { mask?: Mask } {
  const m = base.maskFor !== undefined ? base.maskFor(fields) : base.mask;
  return m === undefined ? {} : { mask: m };
}

// ------------------------------------------------------------------ size

const UNKNOWN_CMDS = [-1, 38, 39, 0x7fffffff, -0x80000000] as const;

function sizesFor(end: number): number[] {
  const s = new Set<number>([0, 1, 2, 3, 5, 7, end - 1, end, end + 1, ATTR_SIZE - 1, ATTR_SIZE, ATTR_SIZE + 1, ATTR_SIZE + 8, 4095, 4096, 4097, 8192, 0x80000000, 0xffffffff]);
  for (let x = 4; x < end; x += 4) s.add(x);
  return [...s].filter((x) => x >= 0).sort((a, b) => a - b);
}

export function sizeCases(): CorpusCase[] {
  const out: CorpusCase[] = [];
  for (const spec of primarySpecs()) {
    const end = TABLES.commands[spec.cmd]!.end;
    for (const size of sizesFor(end)) {
      const { b, base } = start(spec);
      const full = baseBytes(spec, base);
      // The buffer is `size` bytes (zero past the union) up to a page; larger sizes get the union only.
      const len = size <= 4097 ? size : ATTR_SIZE;
      const attr = new Uint8Array(len);
      attr.set(full.subarray(0, Math.min(len, ATTR_SIZE)));
      b.bpf(spec.cmd, attr, { size, ...maskOpt(base) });
      out.push(finish("size", b, `${specLabel(spec)}/size-${size}`, `base ${specLabel(spec)} with size ${size}, buffer ${len} bytes`));
    }
    // Tails: a non-zero byte past the union, a buffer shorter than size.
    const tails: { name: string; size: number; len: number; poke?: number }[] = [
      { name: "tail-168", size: ATTR_SIZE + 8, len: ATTR_SIZE + 8, poke: ATTR_SIZE },
      { name: "tail-last", size: 4096, len: 4096, poke: 4095 },
      { name: "tail-mid", size: 1024, len: 1024, poke: 777 },
      { name: "short-end", size: end, len: end - 1 },
      { name: "short-union", size: ATTR_SIZE, len: Math.min(end, ATTR_SIZE - 1) },
      { name: "short-tail", size: 4096, len: ATTR_SIZE },
      { name: "empty-size8", size: 8, len: 0 },
      { name: "empty-size0", size: 0, len: 0 },
    ];
    for (const t of tails) {
      const { b, base } = start(spec);
      const full = baseBytes(spec, base);
      const attr = new Uint8Array(t.len);
      attr.set(full.subarray(0, Math.min(t.len, ATTR_SIZE)));
      if (t.poke !== undefined) attr[t.poke] = 0x5a;
      b.bpf(spec.cmd, attr, { size: t.size, ...maskOpt(base) });
      out.push(finish("size", b, `${specLabel(spec)}/${t.name}`, `base ${specLabel(spec)}: size ${t.size}, buffer ${t.len}${t.poke !== undefined ? `, byte ${t.poke} non-zero` : ""}`));
    }
  }
  for (const cmd of UNKNOWN_CMDS) {
    for (const [size, poke] of [[0, -1], [8, -1], [ATTR_SIZE, -1], [ATTR_SIZE + 8, ATTR_SIZE + 7], [4097, -1]] as const) {
      const b = new Builder();
      const attr = new Uint8Array(Math.min(size, 4097));
      if (poke >= 0) attr[poke] = 1;
      b.bpf(cmd, attr, { size });
      out.push(finish("size", b, `cmd${cmd}/size-${size}${poke >= 0 ? "-tail" : ""}`, `unknown command ${cmd}, size ${size}`));
    }
  }
  return out;
}

// ------------------------------------------------------------- check-attr

export function checkAttrCases(): CorpusCase[] {
  const out: CorpusCase[] = [];
  for (const spec of primarySpecs()) {
    const end = TABLES.commands[spec.cmd]!.end;
    for (let off = end; off < ATTR_SIZE; off++) {
      if (!(off - end < 8 || off % 8 === 0 || off === ATTR_SIZE - 1)) continue;
      const { b, base } = start(spec);
      const attr = baseBytes(spec, base);
      attr[off] = off % 2 ? 0x80 : 0x01;
      b.bpf(spec.cmd, attr, { size: ATTR_SIZE, ...maskOpt(base) });
      out.push(finish("check-attr", b, `${specLabel(spec)}/off-${off}`, `base ${specLabel(spec)} with byte ${off} (past LAST_FIELD, end ${end}) = 0x${attr[off]!.toString(16)}`));
    }
  }
  return out;
}

// ------------------------------------------------------------------ fields

/** Fields of a command, without union alternates (same bytes as an earlier arm) unless the base sets them. */
function primaryFields(spec: CmdSpec, base: BaseCall): FieldDesc[] {
  const layout = TABLES.commands[spec.cmd]!;
  const taken: [number, number][] = [];
  const out: FieldDesc[] = [];
  // Fields the base names come first, so their arm wins the bytes.
  const ordered = [...layout.fields.filter((f) => f.name in base.fields), ...layout.fields.filter((f) => !(f.name in base.fields))];
  for (const f of ordered) {
    if (f.offset >= layout.end) continue;
    if (taken.some(([a, e]) => f.offset < e && f.offset + f.size > a)) continue;
    taken.push([f.offset, f.offset + f.size]);
    out.push(f);
  }
  return out.sort((a, b) => a.offset - b.offset);
}

const isFlags = (f: FieldDesc): boolean => /flags$/.test(f.name);
const isFd = (f: FieldDesc): boolean =>
  /(^|[._])(\w+_)?fd$/.test(f.name) && f.name !== "task_fd_query.fd" && f.kind !== "uptr";
const isPtr = (f: FieldDesc): boolean => f.kind === "uptr";

/** Flags that make an fd field meaningful. */
const FD_FIELD_FLAG: Record<string, [string, number]> = {
  map_token_fd: ["map_flags", 0x10000],
  prog_token_fd: ["prog_flags", 0x10000],
  btf_token_fd: ["btf_flags", 0x10000],
  fd_by_id_token_fd: ["open_flags", 0x10000],
  path_fd: ["file_flags", 0x4000],
  value_type_btf_obj_fd: ["map_flags", 0x8000],
};

function withField(b: Builder, spec: CmdSpec, base: BaseCall, values: FieldValues, family: string, name: string, description: string): CorpusCase {
  const fields = { ...base.fields, ...values };
  b.call(spec.cmd, fields, maskOpt(base, fields));
  return finish(family, b, `${specLabel(spec)}/${name}`, description);
}

export function flagCases(): CorpusCase[] {
  const out: CorpusCase[] = [];
  for (const spec of CMD_SPECS) {
    const probe = start(spec);
    for (const f of primaryFields(spec, probe.base).filter(isFlags)) {
      const bits = f.size * 8;
      for (let bit = 0; bit < bits; bit++) {
        const { b, base } = start(spec);
        const cur = base.fields[f.name];
        const v = f.size === 8 ? BigInt((cur as bigint | number | undefined) ?? 0n) | (1n << BigInt(bit)) : ((Number(cur ?? 0) | (1 << bit)) >>> 0);
        out.push(withField(b, spec, base, { [f.name]: v }, "flags", `${f.name}-bit${bit}`, `${specLabel(spec)} with ${f.name} bit ${bit} set`));
      }
    }
  }
  return out;
}

export function fdCases(): CorpusCase[] {
  const out: CorpusCase[] = [];
  for (const spec of CMD_SPECS) {
    const probe = start(spec);
    for (const f of primaryFields(spec, probe.base).filter(isFd)) {
      const flag = FD_FIELD_FLAG[f.name.replace(/^.*\./, "")];
      for (const withFlag of flag === undefined ? [false] : [false, true]) {
        for (const kind of FD_KINDS) {
          const env = kind === "token" ? USERNS_ALL : undefined;
          const b = new Builder(env);
          const fd = b.fd(kind as FdKind);
          const base = spec.setup(b);
          const values: FieldValues = { [f.name]: fd };
          if (withFlag && flag) values[flag[0]] = (Number(base.fields[flag[0]] ?? 0) | flag[1]) >>> 0;
          const tag = `${f.name}-${kind}${withFlag ? "-flag" : ""}`;
          // Info of another kind of object than the base expects: mask every kind's host-global bytes.
          const b2 = spec.cmd === CMD.OBJ_GET_INFO_BY_FD ? { ...base, maskFor: (fv: FieldValues) => Builder.infoMaskAny(BigInt(fv["info.info"] as bigint)) } : base;
          out.push(withField(b, spec, b2, values, "fds", tag, `${specLabel(spec)} with ${f.name} = a ${kind} fd (${fd})${withFlag ? ` and ${flag![0]} |= 0x${flag![1].toString(16)}` : ""}`));
        }
      }
    }
  }
  return out;
}

export function ptrCases(): CorpusCase[] {
  const out: CorpusCase[] = [];
  for (const spec of CMD_SPECS) {
    const probe = start(spec);
    for (const f of primaryFields(spec, probe.base).filter(isPtr)) {
      for (const kind of [...PTR_KINDS, "zeros"] as const) {
        const { b, base } = start(spec);
        const p = kind === "zeros" ? b.region(4096) : b.ptr(kind as PtrKind, 64);
        out.push(withField(b, spec, base, { [f.name]: p }, "ptrs", `${f.name}-${kind}`, `${specLabel(spec)} with ${f.name} ${kind === "zeros" ? "pointing to a zeroed page" : kind === "straddle" ? "4 bytes before an unmapped page" : kind}`));
      }
    }
  }
  return out;
}

const U32_EDGES = [0, 1, 2, 3, 4, 5, 7, 8, 16, 31, 32, 33, 64, 255, 256, 4096, 65536, 0x7fffffff, 0x80000000, 0xffffffff];
const U64_EXTRA = [1n << 32n, 1n << 63n, (1n << 64n) - 1n];
/** Ids the host certainly does not have, and the id-walk limits. */
const ID_EDGES = [0, 0x7ffffff0, 0x7ffffffe, 0x7fffffff, 0x80000000, 0xffffffff];

/** Field-specific value lists: enums swept, host-global ids kept out of the host's range. */
function valuesFor(spec: CmdSpec, f: FieldDesc): readonly (number | bigint | Uint8Array)[] {
  const n = f.name;
  if (n === "map_type") return Array.from({ length: 36 }, (_, i) => i);
  if (n === "prog_type") return Array.from({ length: 35 }, (_, i) => i);
  if (/attach_type$/.test(n)) return Array.from({ length: 60 }, (_, i) => i);
  if (n === "start_id" || n === "prog_id" || n === "map_id" || n === "link_id") return ID_EDGES;
  if (n === "btf_id") return [...ID_EDGES, 1];
  if (n === "task_fd_query.pid") return [0, 1, 2, 0x7fffffff, 0xffffffff];
  if (n === "task_fd_query.fd") return [0, 1000000, 0x7fffffff, 0xffffffff];
  if (n === "test.repeat") return [0, 1, 2, 100, 1000];
  if (n === "enable_stats.type" || n === "prog_stream_read.stream_id") return [0, 1, 2, 3, 4, 0xffffffff];
  if (f.kind === "bytes") {
    const names = ["", "a", "abc_.9", "bad-name", "has space", "x".repeat(15), "x".repeat(16), "\u00c0\u00df", "\u00d7", "a\0junk"];
    return names.map((s) => {
      const out = new Uint8Array(f.size);
      for (let i = 0; i < s.length && i < f.size; i++) out[i] = s.charCodeAt(i);
      return out;
    });
  }
  const edges: (number | bigint)[] = [...U32_EDGES];
  if (f.size === 8) edges.push(...U64_EXTRA);
  if (f.size === 2) return edges.filter((x) => Number(x) <= 0xffff);
  if (f.size === 1 || f.kind === "bits") return [0, 1, 2, 3, 7, 8, 15, 255].filter((x) => x < 2 ** (f.bitSize ?? f.size * 8));
  void spec;
  return edges;
}

export function valueCases(): CorpusCase[] {
  const out: CorpusCase[] = [];
  for (const spec of CMD_SPECS) {
    const probe = start(spec);
    for (const f of primaryFields(spec, probe.base).filter((x) => !isFlags(x) && !isFd(x) && !isPtr(x))) {
      valuesFor(spec, f).forEach((v, i) => {
        const { b, base } = start(spec);
        const shown = v instanceof Uint8Array ? `bytes #${i}` : `0x${v.toString(16)}`;
        out.push(withField(b, spec, base, { [f.name]: v }, "values", `${f.name}-${v instanceof Uint8Array ? `s${i}` : v.toString()}`, `${specLabel(spec)} with ${f.name} = ${shown}`));
      });
    }
  }
  return out;
}

/** Seeded multi-field mutations of each base (seed = 0x5eed + spec index). */
export function randomCases(perSpec = 8): CorpusCase[] {
  const out: CorpusCase[] = [];
  CMD_SPECS.forEach((spec, si) => {
    const rnd = prng(0x5eed + si);
    const probe = start(spec);
    const fields = primaryFields(spec, probe.base).filter((f) => !isPtr(f) && !isFd(f));
    if (fields.length === 0) return;
    for (let k = 0; k < perSpec; k++) {
      const { b, base } = start(spec);
      const values: FieldValues = {};
      const count = 1 + Math.floor(rnd() * Math.min(3, fields.length));
      const parts: string[] = [];
      for (let j = 0; j < count; j++) {
        const f = fields[Math.floor(rnd() * fields.length)]!;
        let v: number | bigint | Uint8Array;
        if (isFlags(f)) v = f.size === 8 ? 1n << BigInt(Math.floor(rnd() * 64)) : (1 << Math.floor(rnd() * 32)) >>> 0;
        else {
          const list = valuesFor(spec, f);
          v = list[Math.floor(rnd() * list.length)]!;
        }
        values[f.name] = v;
        parts.push(`${f.name}=${v instanceof Uint8Array ? "bytes" : "0x" + v.toString(16)}`);
      }
      out.push(withField(b, spec, base, values, "random", `seed${si}-${k}`, `${specLabel(spec)} with ${parts.join(", ")} (seed 0x${(0x5eed + si).toString(16)})`));
    }
  });
  return out;
}

// ------------------------------------------------------------------ caps

export function capCases(): CorpusCase[] {
  const out: CorpusCase[] = [];
  const envs: [string, TraceEnv][] = [
    ["nocap", { kind: "nocap" }],
    ["userns", USERNS_ALL],
  ];
  for (const [tag, env] of envs) {
    for (const spec of CMD_SPECS) {
      const { b, base } = start(spec, env);
      b.call(spec.cmd, base.fields, maskOpt(base));
      out.push(finish("caps", b, `${tag}/${specLabel(spec)}`, `base ${specLabel(spec)} in env ${tag}`));
    }
    for (let type = 0; type < 34; type++) {
      const b = new Builder(env);
      const p = MAP_PARAMS[type] ?? DEFAULT_PARAMS;
      b.call(CMD.MAP_CREATE, { map_type: type, key_size: p.key, value_size: p.value, max_entries: p.max, map_flags: p.flags ?? 0, map_extra: p.extra ?? 0n });
      out.push(finish("caps", b, `${tag}/MAP_CREATE.type${type}`, `MAP_CREATE of map type ${type} in env ${tag}`));
    }
    // With a token: map create and prog load through it.
    if (env.kind === "userns") {
      for (let type = 0; type < 34; type++) {
        const b = new Builder(env);
        const tok = b.fd("token");
        const p = MAP_PARAMS[type] ?? DEFAULT_PARAMS;
        b.call(CMD.MAP_CREATE, { map_type: type, key_size: p.key, value_size: p.value, max_entries: p.max, map_flags: (p.flags ?? 0) | 0x10000, map_extra: p.extra ?? 0n, map_token_fd: tok });
        out.push(finish("caps", b, `token/MAP_CREATE.type${type}`, `MAP_CREATE of map type ${type} through a token`));
      }
      for (let pt = 0; pt < 33; pt++) {
        const b = new Builder(env);
        const tok = b.fd("token");
        b.progLoad(pt, { prog_flags: 0x10000, prog_token_fd: tok });
        out.push(finish("caps", b, `token/PROG_LOAD.type${pt}`, `PROG_LOAD of prog type ${pt} through a token`));
      }
    }
  }
  return out;
}

// ------------------------------------------------------------------ maps

interface MapParams {
  key: number;
  value: number;
  max: number;
  flags?: number;
  extra?: bigint;
}

const DEFAULT_PARAMS: MapParams = { key: 4, value: 8, max: 4 };
/** Parameters a typical user would pass per map type (what the kernel makes of them is recorded). */
const MAP_PARAMS: Partial<Record<number, MapParams>> = {
  [MT.HASH]: { key: 4, value: 8, max: 8 },
  [MT.PROG_ARRAY]: { key: 4, value: 4, max: 4 },
  [MT.PERF_EVENT_ARRAY]: { key: 4, value: 4, max: 4 },
  [MT.PERCPU_HASH]: { key: 4, value: 8, max: 8 },
  [MT.STACK_TRACE]: { key: 4, value: 8 * 127, max: 4 },
  [MT.CGROUP_ARRAY]: { key: 4, value: 4, max: 4 },
  [MT.LRU_HASH]: { key: 4, value: 8, max: 8 },
  [MT.LRU_PERCPU_HASH]: { key: 4, value: 8, max: 8 },
  [MT.LPM_TRIE]: { key: 8, value: 8, max: 8, flags: 1 },
  [MT.ARRAY_OF_MAPS]: { key: 4, value: 4, max: 4 },
  [MT.HASH_OF_MAPS]: { key: 4, value: 4, max: 4 },
  [MT.DEVMAP]: { key: 4, value: 4, max: 4 },
  [MT.SOCKMAP]: { key: 4, value: 4, max: 4 },
  [MT.CPUMAP]: { key: 4, value: 4, max: 2 },
  [MT.XSKMAP]: { key: 4, value: 4, max: 4 },
  [MT.SOCKHASH]: { key: 4, value: 4, max: 4 },
  [MT.CGROUP_STORAGE]: { key: 8, value: 8, max: 0 },
  [MT.REUSEPORT_SOCKARRAY]: { key: 4, value: 4, max: 4 },
  [MT.PERCPU_CGROUP_STORAGE]: { key: 8, value: 8, max: 0 },
  [MT.QUEUE]: { key: 0, value: 8, max: 4 },
  [MT.STACK]: { key: 0, value: 8, max: 4 },
  [MT.SK_STORAGE]: { key: 4, value: 8, max: 0, flags: 1 },
  [MT.DEVMAP_HASH]: { key: 4, value: 4, max: 4 },
  [MT.STRUCT_OPS]: { key: 4, value: 8, max: 1 },
  [MT.RINGBUF]: { key: 0, value: 0, max: 4096 },
  [MT.INODE_STORAGE]: { key: 4, value: 8, max: 0, flags: 1 },
  [MT.TASK_STORAGE]: { key: 4, value: 8, max: 0, flags: 1 },
  [MT.BLOOM_FILTER]: { key: 0, value: 8, max: 16, extra: 3n },
  [MT.USER_RINGBUF]: { key: 0, value: 0, max: 4096 },
  [MT.CGRP_STORAGE]: { key: 4, value: 8, max: 0, flags: 1 },
  [MT.ARENA]: { key: 0, value: 0, max: 1, flags: 0x400 },
};

/** Key and value bytes for element k of a map with these sizes. */
function keyBytes(p: MapParams, type: number, k: number): Uint8Array {
  const b = new Uint8Array(p.key);
  if (type === MT.LPM_TRIE && p.key >= 8) {
    new DataView(b.buffer).setUint32(0, 32, true);
    b.set([10, 0, 0, k & 0xff], 4);
    return b;
  }
  if (p.key >= 4) new DataView(b.buffer).setUint32(0, k, true);
  else if (p.key > 0) b[0] = k;
  return b;
}

function valueBytes(p: MapParams, type: number, k: number, fdValue?: number): Uint8Array {
  const percpu = type === MT.PERCPU_ARRAY || type === MT.PERCPU_HASH || type === MT.LRU_PERCPU_HASH;
  const len = percpu ? Math.ceil(p.value / 8) * 8 * 2 : p.value;
  const b = new Uint8Array(len);
  if (fdValue !== undefined && len >= 4) new DataView(b.buffer).setUint32(0, fdValue, true);
  else for (let i = 0; i < len; i++) b[i] = (k * 17 + i) & 0xff;
  return b;
}

/** MAP_CREATE then every element op, info, pin/get and freeze on one map. */
function mapSequence(type: number, p: MapParams, label: string): CorpusCase {
  const percpuVal = type === MT.PERCPU_ARRAY || type === MT.PERCPU_HASH || type === MT.LRU_PERCPU_HASH;
  const b = new Builder();
  // Hash tables get a zero seed so that iteration order is reproducible on the kernel.
  const htab = type === MT.HASH || type === MT.PERCPU_HASH || type === MT.LRU_HASH || type === MT.LRU_PERCPU_HASH || type === MT.HASH_OF_MAPS;
  const extra: FieldValues = { map_flags: (p.flags ?? 0) | (htab ? ZERO_SEED : 0), map_extra: p.extra ?? 0n, map_name: cstr(`m${type}`, 16) };
  const fdMaps = type === MT.ARRAY_OF_MAPS || type === MT.HASH_OF_MAPS;
  if (fdMaps) extra["inner_map_fd"] = b.arrayMap();
  const fd = b.mapCreate(type, p.key, p.value, p.max, extra);
  const inner = fdMaps ? (extra["inner_map_fd"] as number) : undefined;
  const vlen = percpuVal ? Math.ceil(p.value / 8) * 16 : Math.max(p.value, 8);
  const out = b.region(Math.max(vlen, 8));
  const k1 = b.region(Math.max(p.key, 1), keyBytes(p, type, 1));
  const k2 = b.region(Math.max(p.key, 1), keyBytes(p, type, 2));
  const kMissing = b.region(Math.max(p.key, 1), keyBytes(p, type, 3));
  const nk = b.region(Math.max(p.key, 1));
  const v1 = b.region(Math.max(vlen, 8), valueBytes(p, type, 1, inner));
  const v2 = b.region(Math.max(vlen, 8), valueBytes(p, type, 2, inner));
  const keyOr0 = (x: bigint): bigint => (p.key === 0 ? 0n : x);
  // A map-in-map lookup returns the inner map's id, which is host-global.
  const idMask = (addr: bigint, len: number): { mask?: Mask } => (fdMaps ? { mask: { mem: [{ addr, len }] } } : {});
  b.call(CMD.MAP_UPDATE_ELEM, { map_fd: fd, key: keyOr0(k1), value: v1, flags: 0n }, { note: "update k1 ANY" });
  b.call(CMD.MAP_UPDATE_ELEM, { map_fd: fd, key: keyOr0(k2), value: v2, flags: 1n }, { note: "update k2 NOEXIST" });
  b.call(CMD.MAP_UPDATE_ELEM, { map_fd: fd, key: keyOr0(k1), value: v2, flags: 1n }, { note: "update k1 NOEXIST again" });
  b.call(CMD.MAP_UPDATE_ELEM, { map_fd: fd, key: keyOr0(kMissing), value: v2, flags: 2n }, { note: "update missing EXIST" });
  b.call(CMD.MAP_LOOKUP_ELEM, { map_fd: fd, key: keyOr0(k1), value: out }, { note: "lookup k1", ...idMask(out, 4) });
  b.call(CMD.MAP_LOOKUP_ELEM, { map_fd: fd, key: keyOr0(kMissing), value: out }, { note: "lookup missing" });
  b.call(CMD.MAP_GET_NEXT_KEY, { map_fd: fd, key: 0n, next_key: nk }, { note: "first key" });
  b.call(CMD.MAP_GET_NEXT_KEY, { map_fd: fd, key: keyOr0(k1), next_key: nk }, { note: "key after k1" });
  b.call(CMD.MAP_GET_NEXT_KEY, { map_fd: fd, key: keyOr0(kMissing), next_key: nk }, { note: "key after a missing key" });
  const info = b.region(104);
  b.call(CMD.OBJ_GET_INFO_BY_FD, { "info.bpf_fd": fd, "info.info_len": 104, "info.info": info }, { mask: Builder.infoMask("map", info), note: "map info" });
  const keys = b.region(Math.max(p.key, 1) * 4);
  const vals = b.region(vlen * 4);
  const ob = b.region(8);
  b.call(CMD.MAP_LOOKUP_BATCH, { "batch.map_fd": fd, "batch.keys": keys, "batch.values": vals, "batch.count": 4, "batch.out_batch": ob }, { note: "lookup batch", ...idMask(vals, vlen * 4) });
  b.call(CMD.MAP_LOOKUP_AND_DELETE_ELEM, { map_fd: fd, key: keyOr0(k2), value: out }, { note: "lookup and delete k2", ...idMask(out, 4) });
  b.call(CMD.MAP_DELETE_ELEM, { map_fd: fd, key: keyOr0(k1) }, { note: "delete k1" });
  b.call(CMD.MAP_DELETE_ELEM, { map_fd: fd, key: keyOr0(k1) }, { note: "delete k1 again" });
  const path = b.str(`/sys/fs/bpf/m${type}`);
  b.call(CMD.OBJ_PIN, { pathname: path, bpf_fd: fd }, { note: "pin" });
  b.call(CMD.OBJ_GET, { pathname: path, file_flags: 0x8 }, { note: "get read-only" });
  b.call(CMD.MAP_FREEZE, { map_fd: fd }, { note: "freeze" });
  b.call(CMD.MAP_UPDATE_ELEM, { map_fd: fd, key: keyOr0(k1), value: v1, flags: 0n }, { note: "update after freeze" });
  b.call(CMD.MAP_FREEZE, { map_fd: fd }, { note: "freeze again" });
  b.close(fd);
  b.unlink(`/sys/fs/bpf/m${type}`);
  return finish("map-seq", b, `type${type}/${label}`, `map type ${type} ${label}: key ${p.key}, value ${p.value}, max ${p.max}`);
}

export function mapCases(): CorpusCase[] {
  const out: CorpusCase[] = [];
  for (let type = 0; type < 36; type++) {
    const p = MAP_PARAMS[type] ?? DEFAULT_PARAMS;
    out.push(mapSequence(type, p, "typical"));
    out.push(mapSequence(type, { ...p, key: p.key === 0 ? 0 : 8, value: p.value === 0 ? 0 : 24 }, "wide"));
    out.push(mapSequence(type, { ...p, flags: (p.flags ?? 0) | 0x1 }, "no-prealloc"));
    out.push(mapSequence(type, { ...p, max: 1 }, "max1"));
  }
  return out;
}

// --------------------------------------------------------------- objects

/** Sequences over pins, gets, fd modes, BTF and programs. */
export function objectCases(): CorpusCase[] {
  const out: CorpusCase[] = [];
  const seq = (name: string, description: string, body: (b: Builder) => void, env?: TraceEnv): void => {
    const b = new Builder(env);
    body(b);
    out.push(finish("objects", b, name, description));
  };
  for (const mode of [0, 0x8, 0x10, 0x18]) {
    seq(`map-modes/${mode}`, `map created with map_flags 0x${mode.toString(16)}, then read, written, frozen, pinned and reopened`, (b) => {
      const fd = b.mapCreate(MT.ARRAY, 4, 8, 2, { map_flags: mode });
      const k = b.region(4, u32le(1));
      const v = b.region(8, u64le(9n));
      b.call(CMD.MAP_UPDATE_ELEM, { map_fd: fd, key: k, value: v });
      b.call(CMD.MAP_LOOKUP_ELEM, { map_fd: fd, key: k, value: v });
      b.call(CMD.MAP_GET_NEXT_KEY, { map_fd: fd, key: k, next_key: v });
      b.call(CMD.MAP_FREEZE, { map_fd: fd });
      const path = b.str("/sys/fs/bpf/mode");
      b.call(CMD.OBJ_PIN, { pathname: path, bpf_fd: fd });
      for (const ff of [0, 0x8, 0x10]) {
        const g = b.callFd(CMD.OBJ_GET, { pathname: path, file_flags: ff });
        b.call(CMD.MAP_UPDATE_ELEM, { map_fd: g, key: k, value: v });
        b.call(CMD.MAP_LOOKUP_ELEM, { map_fd: g, key: k, value: v });
        b.close(g);
      }
    });
  }
  seq("pin/dirs", "pin into nested bpffs directories, get through path_fd, unlink", (b) => {
    const fd = b.arrayMap();
    b.mkdir("/sys/fs/bpf/d1");
    b.mkdir("/sys/fs/bpf/d1/d2", 0o700);
    const dir = b.openPath("/sys/fs/bpf/d1", O_DIR);
    b.call(CMD.OBJ_PIN, { pathname: b.str("d2/m"), bpf_fd: fd, file_flags: 0x4000, path_fd: dir });
    b.call(CMD.OBJ_PIN, { pathname: b.str("/sys/fs/bpf/d1/d2/m"), bpf_fd: fd });
    b.call(CMD.OBJ_GET, { pathname: b.str("d2/m"), file_flags: 0x4000, path_fd: dir });
    b.call(CMD.OBJ_GET, { pathname: b.str("d2/m"), path_fd: dir });
    b.call(CMD.OBJ_GET, { pathname: b.str("/sys/fs/bpf/d1/d2"), file_flags: 0 });
    b.call(CMD.OBJ_PIN, { pathname: b.str("/sys/fs/bpf/d1/x.y"), bpf_fd: fd });
    b.call(CMD.OBJ_PIN, { pathname: b.str("/tmp/m"), bpf_fd: fd });
    b.call(CMD.OBJ_PIN, { pathname: b.str("/sys/fs/bpf/nope/m"), bpf_fd: fd });
    b.call(CMD.OBJ_PIN, { pathname: b.str(""), bpf_fd: fd });
    b.unlink("/sys/fs/bpf/d1/d2/m");
    b.call(CMD.OBJ_GET, { pathname: b.str("/sys/fs/bpf/d1/d2/m") });
  });
  for (const kind of ["prog", "btf", "link", "stats", "bpffs"] as const) {
    seq(`pin/${kind}`, `pin and get a ${kind} fd, then its info`, (b) => {
      const fd = b.fd(kind);
      const path = b.str(`/sys/fs/bpf/${kind}`);
      b.call(CMD.OBJ_PIN, { pathname: path, bpf_fd: fd });
      const g = b.callFd(CMD.OBJ_GET, { pathname: path });
      const infoKind = kind === "prog" ? "prog" : kind === "btf" ? "btf" : kind === "link" ? "link" : "map";
      const len = kind === "prog" ? 232 : kind === "link" ? 64 : 32;
      const info = b.region(len);
      b.call(CMD.OBJ_GET_INFO_BY_FD, { "info.bpf_fd": g, "info.info_len": len, "info.info": info }, { mask: Builder.infoMask(infoKind, info) });
    });
  }
  for (const len of [0, 1, 4, 8, 24, 40, 80, 96, 104, 105, 200, 4096, 4097]) {
    seq(`info-len/map-${len}`, `map info with info_len ${len}`, (b) => {
      const fd = b.arrayMap();
      const info = b.region(Math.max(len, 8) + 16);
      b.call(CMD.OBJ_GET_INFO_BY_FD, { "info.bpf_fd": fd, "info.info_len": len, "info.info": info }, { mask: Builder.infoMask("map", info) });
    });
    seq(`info-len/btf-${len}`, `btf info with info_len ${len}`, (b) => {
      const fd = b.btfLoad();
      const info = b.region(Math.max(len, 8) + 16);
      b.call(CMD.OBJ_GET_INFO_BY_FD, { "info.bpf_fd": fd, "info.info_len": len, "info.info": info }, { mask: Builder.infoMask("btf", info) });
    });
    seq(`info-len/prog-${len}`, `prog info with info_len ${len}`, (b) => {
      const fd = b.progLoad();
      const info = b.region(Math.max(len, 8) + 16);
      b.call(CMD.OBJ_GET_INFO_BY_FD, { "info.bpf_fd": fd, "info.info_len": len, "info.info": info }, { mask: Builder.infoMask("prog", info) });
    });
    seq(`info-len/token-${len}`, `token info with info_len ${len}`, (b) => {
      const fd = b.fd("token");
      const info = b.region(Math.max(len, 8) + 16);
      b.call(CMD.OBJ_GET_INFO_BY_FD, { "info.bpf_fd": fd, "info.info_len": len, "info.info": info });
    }, USERNS_ALL);
  }
  // Non-zero bytes past what the kernel knows of an info struct: bpf_check_uarg_tail_zero on info.
  for (const [kind, known] of [["map", 104], ["btf", 32], ["prog", 232]] as const) {
    seq(`info-tail/${kind}`, `${kind} info with a non-zero byte past sizeof(info)`, (b) => {
      const fd = kind === "map" ? b.arrayMap() : kind === "btf" ? b.btfLoad() : b.progLoad();
      const bytes = new Uint8Array(known + 8);
      bytes[known + 3] = 1;
      const info = b.region(known + 8, bytes);
      b.call(CMD.OBJ_GET_INFO_BY_FD, { "info.bpf_fd": fd, "info.info_len": known + 8, "info.info": info });
    });
  }
  seq("btf/load-get", "load BTF, read its info, get it by id 1 (vmlinux) and walk ids", (b) => {
    const fd = b.btfLoad();
    const info = b.region(32);
    b.call(CMD.OBJ_GET_INFO_BY_FD, { "info.bpf_fd": fd, "info.info_len": 32, "info.info": info }, { mask: Builder.infoMask("btf", info) });
    b.callFd(CMD.BTF_GET_FD_BY_ID, { btf_id: 1 });
    b.call(CMD.BTF_GET_NEXT_ID, { start_id: 0 });
    const m = b.mapCreate(MT.ARRAY, 4, 4, 1, { btf_fd: fd, btf_key_type_id: 1, btf_value_type_id: 1 });
    const mi = b.region(104);
    b.call(CMD.OBJ_GET_INFO_BY_FD, { "info.bpf_fd": m, "info.info_len": 104, "info.info": mi }, { mask: Builder.infoMask("map", mi) });
  });
  for (const pt of [PT.SOCKET_FILTER, PT.XDP, PT.SCHED_CLS, PT.CGROUP_SKB, PT.KPROBE, PT.TRACEPOINT, PT.SYSCALL, PT.SK_SKB]) {
    seq(`prog/type${pt}`, `load a two-instruction program of type ${pt}, read info, bind a map, read streams`, (b) => {
      const fd = b.progLoad(pt);
      const info = b.region(232);
      b.call(CMD.OBJ_GET_INFO_BY_FD, { "info.bpf_fd": fd, "info.info_len": 232, "info.info": info }, { mask: Builder.infoMask("prog", info) });
      const m = b.arrayMap();
      b.call(CMD.PROG_BIND_MAP, { "prog_bind_map.prog_fd": fd, "prog_bind_map.map_fd": m });
      b.call(CMD.PROG_BIND_MAP, { "prog_bind_map.prog_fd": fd, "prog_bind_map.map_fd": m });
      b.call(CMD.PROG_STREAM_READ_BY_FD, { "prog_stream_read.stream_buf": b.region(64), "prog_stream_read.stream_buf_len": 64, "prog_stream_read.stream_id": 2, "prog_stream_read.prog_fd": fd });
    });
  }
  seq("stats/twice", "ENABLE_STATS twice, close both", (b) => {
    const a = b.callFd(CMD.ENABLE_STATS, { "enable_stats.type": 0 });
    const c = b.callFd(CMD.ENABLE_STATS, { "enable_stats.type": 0 });
    b.close(a);
    b.close(c);
    b.close(c);
  });
  seq("link/xdp", "XDP link on lo: info, update, detach, update after detach", (b) => {
    const l = b.xdpLink();
    const info = b.region(64);
    b.call(CMD.OBJ_GET_INFO_BY_FD, { "info.bpf_fd": l, "info.info_len": 64, "info.info": info }, { mask: Builder.infoMask("link", info) });
    const p2 = b.progLoad(PT.XDP, { expected_attach_type: AT.XDP }, 1);
    b.call(CMD.LINK_UPDATE, { "link_update.link_fd": l, "link_update.new_prog_fd": p2 });
    b.call(CMD.LINK_DETACH, { "link_detach.link_fd": l });
    b.call(CMD.LINK_UPDATE, { "link_update.link_fd": l, "link_update.new_prog_fd": p2 });
  });
  return out;
}

const O_DIR = 0o200000;

// ------------------------------------------------------------ registry

export interface Generator {
  readonly name: string;
  readonly description: string;
  readonly generate: () => CorpusCase[];
}

export const GENERATORS: readonly Generator[] = [
  { name: "size", description: "every command's base attr at sizes 0..end, past the union and past a page; non-zero tails; short buffers; unknown commands", generate: sizeCases },
  { name: "check-attr", description: "one non-zero byte past LAST_FIELD of each command's base attr (CHECK_ATTR)", generate: checkAttrCases },
  { name: "flags", description: "every flags field of every base, one bit at a time", generate: flagCases },
  { name: "fds", description: "every fd field given fds of every kind (never opened, closed, stdin, -1, map, prog, btf, bpffs dir, link, stats, token)", generate: fdCases },
  { name: "ptrs", description: "every pointer field NULL, unmapped, straddling a page end, a kernel address, a zeroed page", generate: ptrCases },
  { name: "values", description: "every other field at boundary values; enums swept", generate: valueCases },
  { name: "random", description: "seeded multi-field mutations of each base", generate: () => randomCases() },
  { name: "caps", description: "each base without capabilities and in a user namespace; map and prog types through a token", generate: capCases },
  { name: "map-seq", description: "per map type: create, update/lookup/get_next_key/delete, info, batch, pin/get, freeze, close", generate: mapCases },
  { name: "objects", description: "pins and gets over bpffs, fd modes, info lengths, BTF, programs, links, stats", generate: objectCases },
];

/** Aliases a user may type: `entry` is the entry path, `fuzz` the field-level families, `maps` the map sequences. */
export const GENERATOR_ALIASES: Readonly<Record<string, readonly string[]>> = {
  entry: ["size", "check-attr"],
  fuzz: ["flags", "fds", "ptrs", "values", "random"],
  sequences: ["map-seq", "objects"],
  maps: ["map-seq"],
};

/** Every case of the named generators (all of them by default), in a stable order. */
export function generateCorpus(names: readonly string[] = GENERATORS.map((g) => g.name)): CorpusCase[] {
  const out: CorpusCase[] = [];
  for (const g of GENERATORS) if (names.includes(g.name)) for (const c of g.generate()) if (!c.heavy) out.push(c);
  return out;
}

void ATTR_SIZE;

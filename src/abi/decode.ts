// SPDX-License-Identifier: GPL-2.0-only
// Decodes attr bytes through a command's layout table, strace-style, and
// encodes field values back. Both directions derive from the same table, so
// they round-trip by construction of the table, not of this code.

import type { CmdLayout, FieldDesc, UapiTables } from "../uapi/layout.ts";
import { BPF_F_ATTACH, BPF_F_PROG, BPF_F_QUERY, BPF_F_TEST, BPF_F_TOKEN_V1 } from "../uapi/defines.ts";

/** Fields whose value names an enum entry. */
const FIELD_ENUMS: Readonly<Record<string, string>> = {
  map_type: "bpf_map_type",
  prog_type: "bpf_prog_type",
  expected_attach_type: "bpf_attach_type",
  attach_type: "bpf_attach_type",
  "query.attach_type": "bpf_attach_type",
  "link_create.attach_type": "bpf_attach_type",
  "enable_stats.type": "bpf_stats_type",
};

type FlagSet = Readonly<Record<string, number>>;

function enumFlags(tables: UapiTables, enumKey: string, prefix: string): FlagSet {
  const out: Record<string, number> = {};
  for (const v of tables.enums[enumKey]?.values ?? []) if (v.name.startsWith(prefix)) out[v.name] = v.value;
  return out;
}

function prefixed(set: FlagSet): FlagSet {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(set)) out[`BPF_F_${k}`] = v;
  return out;
}

/** Which flag names a flags field is decoded with. */
function flagSetFor(tables: UapiTables, cmd: CmdLayout, field: string): FlagSet | undefined {
  const mapFlags = enumFlags(tables, "BPF_F_NO_PREALLOC", "BPF_F_");
  switch (field) {
    case "map_flags":
      return mapFlags;
    case "prog_flags":
      return { ...prefixed(BPF_F_PROG), BPF_F_TOKEN_FD: mapFlags["BPF_F_TOKEN_FD"] ?? 0x10000 };
    case "file_flags":
    case "open_flags":
    case "btf_flags":
      return pick(mapFlags, ["BPF_F_RDONLY", "BPF_F_WRONLY", "BPF_F_PATH_FD", "BPF_F_TOKEN_FD"]);
    case "attach_flags":
    case "link_update.flags":
      return { ...prefixed(BPF_F_ATTACH), BPF_F_LINK: mapFlags["BPF_F_LINK"] ?? 0x2000 };
    case "query.query_flags":
      return prefixed(BPF_F_QUERY);
    case "test.flags":
      return prefixed(BPF_F_TEST);
    case "token_create.flags":
      return cmd.fields.some((f) => f.name === "token_create.allowed_cmds") ? prefixed(BPF_F_TOKEN_V1) : undefined;
    case "flags":
    case "batch.elem_flags":
      return { BPF_NOEXIST: 1, BPF_EXIST: 2, BPF_F_LOCK: 4 };
    default:
      return undefined;
  }
}

function pick(set: FlagSet, names: string[]): FlagSet {
  const out: Record<string, number> = {};
  for (const n of names) if (set[n] !== undefined) out[n] = set[n];
  return out;
}

export interface DecodedField {
  readonly field: FieldDesc;
  /** number for 32-bit and smaller, bigint for 64-bit, bytes for arrays */
  readonly value: number | bigint | Uint8Array;
  /** strace-like rendering: names for enums and flags, hex for pointers, strings for names. */
  readonly text: string;
  /** True for the second and later arms of a union (same bytes as an earlier field). */
  readonly alternate: boolean;
}

export interface DecodedAttr {
  readonly cmd: number;
  readonly name: string;
  readonly size: number;
  readonly end: number;
  readonly attrSize: number;
  readonly fields: readonly DecodedField[];
  /** Offsets in [end, min(size, attrSize)) holding non-zero bytes: CHECK_ATTR fails on these. */
  readonly pastLastField: readonly number[];
  /** Offsets in [attrSize, size) holding non-zero bytes: the tail check answers E2BIG. */
  readonly pastUnion: readonly number[];
}

/** Reads a field from the kernel's (zero-extended) copy of the attr. */
export function readField(view: DataView, f: FieldDesc): number | bigint | Uint8Array {
  switch (f.kind) {
    case "u8":
      return view.getUint8(f.offset);
    case "u16":
      return f.type === "__s16" ? view.getInt16(f.offset, true) : view.getUint16(f.offset, true);
    case "u32":
      return view.getUint32(f.offset, true);
    case "s32":
      return view.getInt32(f.offset, true);
    case "u64":
    case "uptr":
      return view.getBigUint64(f.offset, true);
    case "s64":
      return view.getBigInt64(f.offset, true);
    case "bits": {
      const unit = f.size === 1 ? view.getUint8(f.offset) : f.size === 2 ? view.getUint16(f.offset, true) : view.getUint32(f.offset, true);
      return (unit >>> (f.bitOffset ?? 0)) & ((1 << (f.bitSize ?? 1)) - 1);
    }
    case "bytes":
      return new Uint8Array(view.buffer, view.byteOffset + f.offset, f.size).slice();
  }
}

/** Writes a field; the inverse of readField. */
export function writeField(view: DataView, f: FieldDesc, v: number | bigint | Uint8Array): void {
  switch (f.kind) {
    case "u8":
      view.setUint8(f.offset, Number(v));
      return;
    case "u16":
      view.setUint16(f.offset, Number(v) & 0xffff, true);
      return;
    case "u32":
    case "s32":
      view.setUint32(f.offset, Number(BigInt.asUintN(32, BigInt(v as number | bigint))), true);
      return;
    case "u64":
    case "uptr":
    case "s64":
      view.setBigUint64(f.offset, BigInt.asUintN(64, BigInt(v as number | bigint)), true);
      return;
    case "bits": {
      const sh = f.bitOffset ?? 0;
      const mask = ((1 << (f.bitSize ?? 1)) - 1) << sh;
      const get = f.size === 1 ? view.getUint8(f.offset) : f.size === 2 ? view.getUint16(f.offset, true) : view.getUint32(f.offset, true);
      const nv = ((get & ~mask) | ((Number(v) << sh) & mask)) >>> 0;
      if (f.size === 1) view.setUint8(f.offset, nv);
      else if (f.size === 2) view.setUint16(f.offset, nv, true);
      else view.setUint32(f.offset, nv, true);
      return;
    }
    case "bytes": {
      const b = v instanceof Uint8Array ? v : new Uint8Array(0);
      const dst = new Uint8Array(view.buffer, view.byteOffset + f.offset, f.size);
      dst.fill(0);
      dst.set(b.subarray(0, f.size));
      return;
    }
  }
}

function renderFlags(v: number | bigint, set: FlagSet): string {
  let rest = BigInt(v);
  if (rest === 0n) return "0";
  const parts: string[] = [];
  for (const [name, bit] of Object.entries(set)) {
    const b = BigInt(bit);
    if (b !== 0n && (b & (b - 1n)) === 0n && (rest & b) === b) {
      parts.push(name);
      rest &= ~b;
    }
  }
  if (rest !== 0n) parts.push(`0x${rest.toString(16)}`);
  return parts.join("|");
}

function renderBytes(b: Uint8Array, asString: boolean): string {
  if (asString) {
    const nul = b.indexOf(0);
    const printable = (nul < 0 ? b : b.subarray(0, nul)).every((c) => c >= 0x20 && c < 0x7f);
    if (printable) {
      let s = "";
      for (const c of nul < 0 ? b : b.subarray(0, nul)) s += String.fromCharCode(c);
      const rest = nul < 0 ? b.subarray(b.length) : b.subarray(nul);
      return JSON.stringify(s) + (nul < 0 ? " (no NUL)" : rest.some((c) => c !== 0) ? " (bytes after NUL)" : "");
    }
  }
  return `[${[...b].map((c) => c.toString(16).padStart(2, "0")).join(" ")}]`;
}

export function renderField(tables: UapiTables, cmd: CmdLayout, f: FieldDesc, v: number | bigint | Uint8Array): string {
  if (v instanceof Uint8Array) return renderBytes(v, f.type.startsWith("char"));
  const en = FIELD_ENUMS[f.name];
  if (en !== undefined) {
    const names = (tables.enums[en]?.values ?? []).filter((e) => BigInt(e.value) === BigInt(v) && !e.name.startsWith("__MAX"));
    return names.length ? names[0]!.name : `${String(v)} /* unknown ${en} */`;
  }
  const flags = flagSetFor(tables, cmd, f.name);
  if (flags !== undefined) return renderFlags(v, flags);
  if (f.kind === "uptr") return v === 0n ? "NULL" : `0x${v.toString(16)}`;
  return String(v);
}

/** Decodes `size` bytes of an attr for command `cmd` as the kernel would see them. */
export function decodeAttr(tables: UapiTables, cmd: number, bytes: Uint8Array, size: number = bytes.length): DecodedAttr | undefined {
  const layout = tables.commands[cmd];
  if (layout === undefined) return undefined;
  const attrSize = tables.attrSize;
  const used = Math.min(size, attrSize, bytes.length);
  const k = new Uint8Array(attrSize);
  k.set(bytes.subarray(0, used));
  const view = new DataView(k.buffer);
  const fields: DecodedField[] = [];
  const covered: [number, number][] = [];
  for (const f of layout.fields) {
    const alternate = covered.some(([a, b]) => f.offset < b && f.offset + f.size > a && !(f.kind === "bits"));
    const value = readField(view, f);
    fields.push({ field: f, value, text: renderField(tables, layout, f, value), alternate });
    // Bytes belong to the first field that covers them; later arms are alternates.
    if (!alternate) covered.push([f.offset, f.offset + f.size]);
  }
  const pastLastField: number[] = [];
  for (let i = layout.end; i < used; i++) if (k[i] !== 0) pastLastField.push(i);
  const pastUnion: number[] = [];
  for (let i = attrSize; i < Math.min(size, bytes.length); i++) if (bytes[i] !== 0) pastUnion.push(i);
  return { cmd, name: layout.name, size, end: layout.end, attrSize, fields, pastLastField, pastUnion };
}

/** strace-like one-liner: {map_type=BPF_MAP_TYPE_ARRAY, key_size=4, ...}; alternates only when non-zero. */
export function formatDecoded(d: DecodedAttr, opts: { all?: boolean } = {}): string {
  const parts: string[] = [];
  for (const f of d.fields) {
    if (f.alternate && !opts.all && isZero(f.value)) continue;
    parts.push(`${f.field.name}=${f.text}`);
  }
  return `{${parts.join(", ")}}`;
}

function isZero(v: number | bigint | Uint8Array): boolean {
  return v instanceof Uint8Array ? v.every((c) => c === 0) : BigInt(v) === 0n;
}

/** Builds attr bytes for `cmd` from field values by name (the inverse of decodeAttr). */
export function encodeAttr(tables: UapiTables, cmd: number, values: Readonly<Record<string, number | bigint | Uint8Array>>): Uint8Array {
  const layout = tables.commands[cmd];
  if (layout === undefined) throw new RangeError(`unknown command ${cmd}`);
  const out = new Uint8Array(tables.attrSize);
  const view = new DataView(out.buffer);
  for (const [name, v] of Object.entries(values)) {
    const f = layout.fields.find((x) => x.name === name);
    if (f === undefined) throw new RangeError(`${layout.name} has no field ${name}`);
    writeField(view, f, v);
  }
  return out;
}

/** Resolves "MAP_CREATE", "BPF_MAP_CREATE", "map_create" or "0" to a command number. */
export function parseCmd(tables: UapiTables, s: string): number | undefined {
  if (/^\d+$/.test(s)) return Number(s);
  const n = s.toUpperCase().replace(/^BPF_/, "");
  const hit = tables.commands.find((c) => c.name === n);
  if (hit !== undefined) return hit.cmd;
  if (n === "PROG_RUN") return tables.commands.find((c) => c.name === "PROG_TEST_RUN")?.cmd;
  return undefined;
}

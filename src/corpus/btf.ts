// SPDX-License-Identifier: GPL-2.0-only
// The BTF corpus: BPF_BTF_LOAD of valid and mutated blobs — the header, the
// section layout, the string section, every kind's meta checks and the
// resolve pass — each with a verifier log buffer so the log lines and
// btf_log_true_size are compared; the log buffer modes (fixed, rotating,
// too small, level without a buffer); BTF objects (fds, info, vmlinux) and
// maps created with key/value BTF. Expectations come from the live kernel
// (scripts/record-btf-traces.ts); test/btf.test.ts replays them. No Node API.

import type { Trace } from "../trace/format.ts";
import { BPF_CMD as CMD, BPF_MAP_TYPE as MT } from "../uapi/gen/consts-6.18.ts";
import { Builder, u32le } from "./builder.ts";
import { goodSpec, MAP_TYPE_NAMES } from "./maps.ts";
import { BTF_INT_BOOL as INT_BOOL, BTF_INT_CHAR as INT_CHAR, BTF_INT_SIGNED as INT_SIGNED, BTF_KIND as KIND, BTF_MAGIC } from "../uapi/btf.ts";

export { BTF_KIND as KIND, BTF_INT_SIGNED as INT_SIGNED, BTF_INT_CHAR as INT_CHAR, BTF_INT_BOOL as INT_BOOL } from "../uapi/btf.ts";

/** btf_type info word. */
export function info(kind: number, vlen = 0, kflag = 0): number {
  return ((kflag & 1) << 31) | ((kind & 0x1f) << 24) | (vlen & 0xffff);
}

/** Header fields a blob may override; anything left out is computed. */
export interface HdrOpts {
  magic?: number;
  version?: number;
  flags?: number;
  hdr_len?: number;
  type_off?: number;
  type_len?: number;
  str_off?: number;
  str_len?: number;
  /** Bytes after the 24-byte header (hdr_len grows by their length unless given). */
  hdrTail?: Uint8Array;
  /** Bytes between the header and the type section (type_off grows unless given). */
  gap?: Uint8Array;
  /** Sections in this order: "ts" (types then strings) or "st". */
  order?: "ts" | "st";
  /** Bytes appended after both sections. */
  trailer?: Uint8Array;
  /** Replace the string section bytes. */
  strings?: Uint8Array;
  /** Cut the blob to this many bytes. */
  cut?: number;
}

/** Assembles a BTF blob: types as u32 words, strings interned. */
export class BtfBuilder {
  private readonly strs: number[] = [0];
  private readonly seen = new Map<string, number>();
  readonly words: number[] = [];
  private count = 0;

  /** Offset of a string (latin-1 bytes), added on first use; "" is 0. */
  s(str: string): number {
    if (str === "") return 0;
    const o = this.seen.get(str);
    if (o !== undefined) return o;
    const off = this.strs.length;
    for (let i = 0; i < str.length; i++) this.strs.push(str.charCodeAt(i) & 0xff);
    this.strs.push(0);
    this.seen.set(str, off);
    return off;
  }

  /** A raw type: name offset, info word, size/type, extra words. Returns its id. */
  raw(name_off: number, inf: number, sizeType: number, ...extra: number[]): number {
    this.words.push(name_off >>> 0, inf >>> 0, sizeType >>> 0, ...extra.map((x) => x >>> 0));
    return ++this.count;
  }

  /** Extra words after the last type (members, params, ...). */
  more(...w: number[]): void {
    this.words.push(...w.map((x) => x >>> 0));
  }

  int(name: string, size = 4, bits = size * 8, enc = 0, off = 0): number {
    return this.raw(this.s(name), info(KIND.INT), size, ((enc & 0xf) << 24) | ((off & 0xff) << 16) | (bits & 0xff));
  }

  ptr(type: number): number {
    return this.raw(0, info(KIND.PTR), type);
  }

  mod(kind: number, type: number, name = ""): number {
    return this.raw(this.s(name), info(kind), type);
  }

  array(elem: number, index: number, nelems: number): number {
    return this.raw(0, info(KIND.ARRAY), 0, elem, index, nelems);
  }

  /** STRUCT/UNION: members as [name, type, offset-word]. */
  struct(name: string, size: number, members: [string, number, number][], opts: { union?: boolean; kflag?: number } = {}): number {
    const id = this.raw(this.s(name), info(opts.union ? KIND.UNION : KIND.STRUCT, members.length, opts.kflag ?? 0), size);
    for (const [n, t, o] of members) this.more(this.s(n), t, o);
    return id;
  }

  enum(name: string, size: number, vals: [string, number][], kflag = 0): number {
    const id = this.raw(this.s(name), info(KIND.ENUM, vals.length, kflag), size);
    for (const [n, v] of vals) this.more(this.s(n), v);
    return id;
  }

  enum64(name: string, size: number, vals: [string, bigint][], kflag = 0): number {
    const id = this.raw(this.s(name), info(KIND.ENUM64, vals.length, kflag), size);
    for (const [n, v] of vals) this.more(this.s(n), Number(BigInt.asUintN(64, v) & 0xffffffffn), Number(BigInt.asUintN(64, v) >> 32n));
    return id;
  }

  fwd(name: string, union = 0): number {
    return this.raw(this.s(name), info(KIND.FWD, 0, union), 0);
  }

  proto(ret: number, args: [string, number][]): number {
    const id = this.raw(0, info(KIND.FUNC_PROTO, args.length), ret);
    for (const [n, t] of args) this.more(this.s(n), t);
    return id;
  }

  func(name: string, proto: number, linkage = 0): number {
    return this.raw(this.s(name), info(KIND.FUNC, linkage), proto);
  }

  var(name: string, type: number, linkage = 0): number {
    return this.raw(this.s(name), info(KIND.VAR), type, linkage);
  }

  datasec(name: string, size: number, vsis: [number, number, number][]): number {
    const id = this.raw(this.s(name), info(KIND.DATASEC, vsis.length), size);
    for (const [t, o, s] of vsis) this.more(t, o, s);
    return id;
  }

  float(name: string, size: number): number {
    return this.raw(this.s(name), info(KIND.FLOAT), size);
  }

  declTag(value: string, type: number, idx: number, kflag = 0): number {
    return this.raw(this.s(value), info(KIND.DECL_TAG, 0, kflag), type, idx);
  }

  typeTag(value: string, type: number, kflag = 0): number {
    return this.raw(this.s(value), info(KIND.TYPE_TAG, 0, kflag), type);
  }

  blob(o: HdrOpts = {}): Uint8Array {
    const types = u32le(...this.words);
    const strings = o.strings ?? Uint8Array.from(this.strs);
    const hdrTail = o.hdrTail ?? new Uint8Array(0);
    const gap = o.gap ?? new Uint8Array(0);
    const hdr_len = o.hdr_len ?? 24 + hdrTail.length;
    const order = o.order ?? "ts";
    const type_off = o.type_off ?? (order === "ts" ? gap.length : strings.length);
    const str_off = o.str_off ?? (order === "ts" ? gap.length + types.length : 0);
    const body = order === "ts" ? [gap, types, strings] : [strings, types];
    const total = 24 + hdrTail.length + body.reduce((n, b) => n + b.length, 0) + (o.trailer?.length ?? 0);
    const out = new Uint8Array(total);
    const v = new DataView(out.buffer);
    v.setUint16(0, o.magic ?? BTF_MAGIC, true);
    out[2] = o.version ?? 1;
    out[3] = o.flags ?? 0;
    v.setUint32(4, hdr_len >>> 0, true);
    v.setUint32(8, type_off >>> 0, true);
    v.setUint32(12, (o.type_len ?? types.length) >>> 0, true);
    v.setUint32(16, str_off >>> 0, true);
    v.setUint32(20, (o.str_len ?? strings.length) >>> 0, true);
    out.set(hdrTail, 24);
    let p = 24 + hdrTail.length;
    for (const b of body) {
      out.set(b, p);
      p += b.length;
    }
    if (o.trailer) out.set(o.trailer, p);
    return o.cut === undefined ? out : out.slice(0, o.cut);
  }
}

/** The log every load carries unless a case says otherwise. */
const LOG_SIZE = 8192;

export interface LoadOpts {
  level?: number;
  /** Log buffer size (0: no buffer). */
  logSize?: number;
  /** attr length and size (default: 40, the CHECK_ATTR end). */
  attrLen?: number;
  /** btf_size if it differs from the blob's length. */
  size?: number;
  /** Put the blob at a pointer of its own (default: a region with a guard page). */
  ptr?: bigint;
}

/** BTF_LOAD of a blob with a log buffer: the fd it would get. */
export function btfLoad(b: Builder, blob: Uint8Array, o: LoadOpts = {}): number {
  const p = o.ptr ?? b.region(Math.max(blob.length, 1), blob);
  const logSize = o.logSize ?? LOG_SIZE;
  const level = o.level ?? 1;
  const fields: Record<string, number | bigint> = { btf: p, btf_size: o.size ?? blob.length };
  if (logSize) {
    fields.btf_log_buf = b.region(logSize);
    fields.btf_log_size = logSize;
  }
  if (level) fields.btf_log_level = level;
  const opts: { len?: number } = {};
  if (o.attrLen !== undefined) opts.len = o.attrLen;
  b.call(CMD.BTF_LOAD, fields, opts);
  return -1;
}

interface Case {
  name: string;
  desc: string;
  build: (b: Builder) => void;
}

function load(name: string, desc: string, blob: () => Uint8Array, o: LoadOpts = {}): Case {
  return { name, desc, build: (b) => btfLoad(b, blob(), o) };
}

/** A blob with one base type plus whatever `f` adds. */
function withInt(f: (x: BtfBuilder, int: number) => void, o: HdrOpts = {}): () => Uint8Array {
  return () => {
    const x = new BtfBuilder();
    const int = x.int("int", 4, 32, INT_SIGNED);
    f(x, int);
    return x.blob(o);
  };
}

function only(f: (x: BtfBuilder) => void, o: HdrOpts = {}): () => Uint8Array {
  return () => {
    const x = new BtfBuilder();
    f(x);
    return x.blob(o);
  };
}

const intOnly = withInt(() => {});

function headerCases(): Case[] {
  const c: Case[] = [];
  c.push(load("valid-int", "one INT, log level 1", intOnly));
  c.push(load("valid-int-nolog", "one INT, no log", intOnly, { level: 0, logSize: 0 }));
  c.push(load("valid-int-level-nobuf", "log level 1 without a buffer: only btf_log_true_size", intOnly, { logSize: 0 }));
  c.push(load("valid-int-attr28", "attr of 28 bytes: btf_log_true_size is not written", intOnly, { attrLen: 28 }));
  c.push(load("valid-int-attr32", "attr of 32 bytes: btf_log_true_size is written", intOnly, { attrLen: 32 }));
  for (const sz of [1, 16, 64, 200, 255, 256])
    c.push(load(`log-rotate-${sz}`, `rotating log of ${sz} bytes`, intOnly, { logSize: sz }));
  for (const sz of [1, 16, 64, 200, 256]) c.push(load(`log-fixed-${sz}`, `BPF_LOG_FIXED log of ${sz} bytes`, intOnly, { logSize: sz, level: 9 }));
  c.push(load("log-level2", "log level 2", intOnly, { level: 2 }));
  c.push(load("log-fail-small", "a failing load with a small rotating log", withInt(() => {}, { magic: 0x1234 }), { logSize: 32 }));
  c.push(load("log-fail-small-fixed", "a failing load with a small fixed log", withInt(() => {}, { magic: 0x1234 }), { logSize: 32, level: 9 }));
  c.push(load("log-fail-nobuf", "a failing load, level 1 without a buffer", withInt(() => {}, { magic: 0x1234 }), { logSize: 0 }));
  for (const n of [0, 1, 4, 7, 8, 23]) c.push(load(`size-${n}`, `btf_size ${n}`, withInt(() => {}, { cut: n }), n === 0 ? { ptr: 0n, size: 0 } : {}));
  c.push(load("hdr-len-over-size", "hdr_len beyond the data", withInt(() => {}, { hdr_len: 4096 })));
  c.push(load("hdr-len-8", "hdr_len 8: the section fields read as zero", withInt(() => {}, { hdr_len: 8 })));
  c.push(load("hdr-len-16", "hdr_len 16", withInt(() => {}, { hdr_len: 16 })));
  c.push(load("hdr-len-0", "hdr_len 0", withInt(() => {}, { hdr_len: 0 })));
  c.push(load("hdr-tail-zero", "hdr_len 32 with zero tail", withInt(() => {}, { hdrTail: new Uint8Array(8) })));
  c.push(load("hdr-tail-nonzero", "hdr_len 32 with a non-zero tail byte: E2BIG", withInt(() => {}, { hdrTail: Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 1) })));
  c.push(load("hdr-tail-odd", "hdr_len 25 (unaligned types)", withInt(() => {}, { hdrTail: new Uint8Array(1) })));
  c.push(load("magic-bad", "magic 0x1234", withInt(() => {}, { magic: 0x1234 })));
  c.push(load("magic-swapped", "magic 0x9feb (other endian)", withInt(() => {}, { magic: 0x9feb })));
  c.push(load("version-0", "version 0", withInt(() => {}, { version: 0 })));
  c.push(load("version-2", "version 2", withInt(() => {}, { version: 2 })));
  c.push(load("flags-1", "flags 1", withInt(() => {}, { flags: 1 })));
  c.push(load("flags-80", "flags 0x80", withInt(() => {}, { flags: 0x80 })));
  c.push(load("no-data", "only the header", withInt(() => {}, { cut: 24 })));
  c.push(load("no-types", "type_len 0", only(() => {}, {})));
  c.push(load("type-off-unaligned", "two bytes before the types", withInt(() => {}, { gap: new Uint8Array(2) })));
  c.push(load("type-off-gap4", "a four-byte gap before the types: unsupported section", withInt(() => {}, { gap: new Uint8Array(4), type_off: 4, str_off: 20 })));
  c.push(load("type-off-gap-covered", "type_off 4 with the gap counted", withInt(() => {}, { gap: new Uint8Array(4) })));
  c.push(load("strings-first", "strings before types", withInt(() => {}, { order: "st" })));
  c.push(load("overlap", "str_off inside the types", withInt(() => {}, { str_off: 8 })));
  c.push(load("type-len-long", "type_len past the data", withInt(() => {}, { type_len: 1000 })));
  c.push(load("str-len-long", "str_len past the data", withInt(() => {}, { str_len: 1000 })));
  c.push(load("str-off-far", "str_off past the data", withInt(() => {}, { str_off: 5000 })));
  c.push(load("type-off-far", "type_off past the data", withInt(() => {}, { type_off: 0x80000000 })));
  c.push(load("trailer", "bytes after the string section", withInt(() => {}, { trailer: new Uint8Array(4) })));
  c.push(load("str-len-short", "str_len one short (a trailing byte)", withInt(() => {}, { str_len: 4 })));
  c.push(load("str-empty", "str_len 0", withInt(() => {}, { strings: new Uint8Array(0) })));
  c.push(load("str-first-not-nul", "string section not starting with NUL", withInt(() => {}, { strings: Uint8Array.of(0x61, 0x69, 0x6e, 0x74, 0) })));
  c.push(load("str-last-not-nul", "string section not ending with NUL", withInt(() => {}, { strings: Uint8Array.of(0, 0x69, 0x6e, 0x74) })));
  c.push(load("str-only-nul", "string section of one NUL and an anonymous... INT (needs a name? no)", only((x) => x.raw(0, info(KIND.INT), 4, 32))));
  c.push(load("type-truncated-4", "type section ends 4 bytes into a btf_type", withInt((x) => x.more(0), {})));
  c.push(load("type-truncated-int", "INT with no int_data word", only((x) => x.raw(x.s("int"), info(KIND.INT), 4))));
  return c;
}

function intCases(): Case[] {
  const c: Case[] = [];
  const one = (name: string, desc: string, f: (x: BtfBuilder) => void): void => {
    c.push(load(name, desc, only(f)));
  };
  one("int-anon", "INT without a name", (x) => x.raw(0, info(KIND.INT), 4, 32));
  one("int-vlen", "INT with vlen 1", (x) => x.raw(x.s("int"), info(KIND.INT, 1), 4, 32));
  one("int-kflag", "INT with kind_flag", (x) => x.raw(x.s("int"), info(KIND.INT, 0, 1), 4, 32));
  one("int-data-high", "int_data with bits 28-31", (x) => x.raw(x.s("int"), info(KIND.INT), 4, 0x10000020));
  one("int-bits-129", "129 bits", (x) => x.raw(x.s("int"), info(KIND.INT), 17, 129));
  one("int-bits-off-128", "64 bits at offset 65", (x) => x.int("int", 16, 64, 0, 65));
  one("int-bits-over-size", "33 bits in 4 bytes", (x) => x.int("int", 4, 33));
  one("int-bits-0", "0 bits", (x) => x.int("int", 4, 0));
  one("int-size-0", "size 0, 0 bits", (x) => x.int("int", 0, 0));
  one("int-128", "__int128", (x) => x.int("__int128", 16, 128, INT_SIGNED));
  one("int-char", "CHAR encoding", (x) => x.int("char", 1, 8, INT_CHAR));
  one("int-bool", "BOOL encoding", (x) => x.int("_Bool", 1, 8, INT_BOOL));
  one("int-enc-3", "SIGNED|CHAR: unsupported (ENOTSUPP)", (x) => x.int("int", 4, 32, 3));
  one("int-enc-8", "encoding 8", (x) => x.int("int", 4, 32, 8));
  one("int-bitfield", "3 bits at offset 5 in a byte", (x) => x.int("bf", 1, 3, 0, 5));
  one("int-size-big", "size 0xffffffff", (x) => x.int("int", 0xffffffff, 32));
  one("int-info-bad", "info bits 16-23 set", (x) => x.raw(x.s("int"), info(KIND.INT) | 0x10000, 4, 32));
  one("int-info-bit29", "info bit 29 set", (x) => x.raw(x.s("int"), info(KIND.INT) | 0x20000000, 4, 32));
  one("kind-0", "kind UNKN", (x) => x.raw(0, 0, 4, 32));
  one("kind-20", "kind 20", (x) => x.raw(0, info(20), 4, 32));
  one("kind-31", "kind 31", (x) => x.raw(0, info(31), 4, 32));
  one("name-off-invalid", "name_off past the strings", (x) => x.raw(1000, info(KIND.INT), 4, 32));
  one("name-off-huge", "name_off 0x1000000", (x) => x.raw(0x1000000, info(KIND.INT), 4, 32));
  one("name-odd-chars", "INT named with a dash (INT names are not checked)", (x) => x.int("un-signed int", 4, 32));
  return c;
}

function refCases(): Case[] {
  const c: Case[] = [];
  const w = (name: string, desc: string, f: (x: BtfBuilder, int: number) => void): void => {
    c.push(load(name, desc, withInt(f)));
  };
  w("ptr-void", "PTR to void", (x) => x.ptr(0));
  w("ptr-int", "PTR to int", (x, i) => x.ptr(i));
  w("ptr-missing", "PTR to an id past the types", (x) => x.ptr(9));
  w("ptr-max-type", "PTR to 0x100000", (x) => x.ptr(0x100000));
  w("ptr-named", "named PTR", (x, i) => x.raw(x.s("p"), info(KIND.PTR), i));
  w("ptr-vlen", "PTR with vlen", (x, i) => x.raw(0, info(KIND.PTR, 1), i));
  w("ptr-kflag", "PTR with kind_flag", (x, i) => x.raw(0, info(KIND.PTR, 0, 1), i));
  w("ptr-self", "PTR to itself", (x) => x.ptr(2));
  w("ptr-ptr-loop", "PTR -> PTR -> first", (x) => {
    x.ptr(3);
    x.ptr(2);
  });
  w("const-loop", "CONST -> VOLATILE -> CONST", (x) => {
    x.mod(KIND.CONST, 3);
    x.mod(KIND.VOLATILE, 2);
  });
  w("const-void", "const void", (x) => x.mod(KIND.CONST, 0));
  w("const-int", "const int", (x, i) => x.mod(KIND.CONST, i));
  w("const-named", "named CONST", (x, i) => x.mod(KIND.CONST, i, "c"));
  w("volatile-named", "named VOLATILE", (x, i) => x.mod(KIND.VOLATILE, i, "v"));
  w("restrict-ptr", "restrict pointer", (x, i) => x.mod(KIND.RESTRICT, x.ptr(i)));
  w("typedef-int", "typedef int myint", (x, i) => x.mod(KIND.TYPEDEF, i, "myint"));
  w("typedef-void", "typedef void v", (x) => x.mod(KIND.TYPEDEF, 0, "v"));
  w("typedef-anon", "TYPEDEF without a name", (x, i) => x.mod(KIND.TYPEDEF, i));
  w("typedef-digit", "TYPEDEF named 1abc", (x, i) => x.mod(KIND.TYPEDEF, i, "1abc"));
  w("typedef-dot", "TYPEDEF named a.b (dots are allowed)", (x, i) => x.mod(KIND.TYPEDEF, i, "a.b"));
  w("typedef-dash", "TYPEDEF named a-b", (x, i) => x.mod(KIND.TYPEDEF, i, "a-b"));
  w("typedef-latin1", "TYPEDEF named with Latin-1 letters", (x, i) => x.mod(KIND.TYPEDEF, i, "\xc0\xe9t\xff"));
  w("typedef-d7", "TYPEDEF named with 0xd7", (x, i) => x.mod(KIND.TYPEDEF, i, "a\xd7"));
  w("typedef-long-511", "TYPEDEF name of 511 chars", (x, i) => x.mod(KIND.TYPEDEF, i, "a".repeat(511)));
  w("typedef-long-512", "TYPEDEF name of 512 chars", (x, i) => x.mod(KIND.TYPEDEF, i, "a".repeat(512)));
  w("typedef-long-1500", "TYPEDEF name of 1500 chars (long log line)", (x, i) => x.mod(KIND.TYPEDEF, i, "b".repeat(1500)));
  w("typedef-func-proto", "typedef of a prototype", (x, i) => x.mod(KIND.TYPEDEF, x.proto(i, []), "fn_t"));
  w("typedef-fwd", "typedef of a forward struct", (x) => x.mod(KIND.TYPEDEF, x.fwd("s"), "s_t"));
  w("typedef-var", "typedef of a VAR", (x, i) => x.mod(KIND.TYPEDEF, x.var("v", i), "t"));
  w("typedef-func", "typedef of a FUNC", (x, i) => x.mod(KIND.TYPEDEF, x.func("f", x.proto(i, [])), "t"));
  w("type-tag", "PTR -> TYPE_TAG -> int", (x, i) => x.ptr(x.typeTag("user", i)));
  w("type-tag-kflag", "TYPE_TAG with kind_flag (attribute)", (x, i) => x.ptr(x.typeTag("attr", i, 1)));
  w("type-tag-anon", "TYPE_TAG without a value", (x, i) => x.raw(0, info(KIND.TYPE_TAG), i));
  w("type-tag-after-const", "TYPE_TAG below a CONST", (x, i) => x.mod(KIND.CONST, x.typeTag("t", i)));
  w("type-tag-before-const", "TYPE_TAG above a CONST", (x, i) => x.typeTag("t", x.mod(KIND.CONST, i)));
  w("chain-31", "31 CONSTs", (x, i) => {
    let t = i;
    for (let k = 0; k < 31; k++) t = x.mod(KIND.CONST, t);
  });
  w("chain-33-down", "33 CONSTs, each pointing to the next (deep DFS)", (x, i) => {
    const first = 2;
    for (let k = 0; k < 33; k++) x.mod(KIND.CONST, k === 32 ? i : first + k + 1);
  });
  w("ptr-chain-40", "40 PTRs, each to the next", (x, i) => {
    for (let k = 0; k < 40; k++) x.ptr(k === 39 ? i : 3 + k);
  });
  w("ptr-to-var", "PTR to a VAR", (x, i) => x.ptr(x.var("v", i)));
  w("ptr-to-datasec", "PTR to a DATASEC", (x, i) => {
    const v = x.var("v", i);
    x.ptr(x.datasec(".data", 4, [[v, 0, 4]]));
  });
  w("ptr-to-func", "PTR to a FUNC", (x, i) => x.ptr(x.func("f", x.proto(i, []))));
  w("ptr-to-proto", "PTR to a FUNC_PROTO", (x, i) => x.ptr(x.proto(i, [])));
  return c;
}

function arrayCases(): Case[] {
  const c: Case[] = [];
  const w = (name: string, desc: string, f: (x: BtfBuilder, int: number) => void): void => {
    c.push(load(name, desc, withInt(f)));
  };
  w("array-ok", "int[4]", (x, i) => x.array(i, i, 4));
  w("array-0", "int[0]", (x, i) => x.array(i, i, 0));
  w("array-2d", "int[2][3]", (x, i) => x.array(x.array(i, i, 3), i, 2));
  w("array-named", "named ARRAY", (x, i) => x.raw(x.s("a"), info(KIND.ARRAY), 0, i, i, 1));
  w("array-vlen", "ARRAY with vlen", (x, i) => x.raw(0, info(KIND.ARRAY, 1), 0, i, i, 1));
  w("array-kflag", "ARRAY with kind_flag", (x, i) => x.raw(0, info(KIND.ARRAY, 0, 1), 0, i, i, 1));
  w("array-size", "ARRAY with size 4", (x, i) => x.raw(0, info(KIND.ARRAY), 4, i, i, 1));
  w("array-elem-0", "element type void", (x, i) => x.array(0, i, 1));
  w("array-index-0", "index type void", (x, i) => x.array(i, 0, 1));
  w("array-elem-big", "element type 0x100000", (x, i) => x.array(0x100000, i, 1));
  w("array-elem-missing", "element type past the types", (x, i) => x.array(7, i, 1));
  w("array-index-missing", "index type past the types", (x, i) => x.array(i, 7, 1));
  w("array-index-ptr", "index type PTR", (x, i) => x.array(i, x.ptr(i), 1));
  w("array-index-bits", "index type a 31-bit INT", (x, i) => x.array(i, x.int("u31", 4, 31), 1));
  w("array-index-typedef", "index type typedef int", (x, i) => x.array(i, x.mod(KIND.TYPEDEF, i, "idx"), 1));
  w("array-elem-fwd", "element FWD", (x, i) => x.array(x.fwd("s"), i, 1));
  w("array-elem-proto", "element FUNC_PROTO", (x, i) => x.array(x.proto(i, []), i, 1));
  w("array-elem-var", "element VAR", (x, i) => x.array(x.var("v", i), i, 1));
  w("array-elem-bitfield", "element a 3-bit INT", (x, i) => x.array(x.int("bf", 1, 3), i, 2));
  w("array-overflow", "int[0x40000000]", (x, i) => x.array(i, i, 0x40000000));
  w("array-big-ok", "char[0xffffffff]", (x, i) => x.array(x.int("char", 1, 8), i, 0xffffffff));
  w("array-nested-overflow", "int[0x10000][0x10000]", (x, i) => x.array(x.array(i, i, 0x10000), i, 0x10000));
  w("array-self", "array of itself", (x, i) => x.array(2, i, 1));
  w("array-meta-short", "ARRAY with 8 bytes of btf_array", (x, i) => x.raw(0, info(KIND.ARRAY), 0, i, i));
  return c;
}

function structCases(): Case[] {
  const c: Case[] = [];
  const w = (name: string, desc: string, f: (x: BtfBuilder, int: number) => void): void => {
    c.push(load(name, desc, withInt(f)));
  };
  w("struct-ok", "struct s { int a; int b; }", (x, i) => x.struct("s", 8, [["a", i, 0], ["b", i, 32]]));
  w("struct-anon", "anonymous struct", (x, i) => x.struct("", 4, [["a", i, 0]]));
  w("struct-empty", "struct with no members, size 0", (x) => x.struct("e", 0, []));
  w("struct-bad-name", "struct named 9s", (x, i) => x.struct("9s", 4, [["a", i, 0]]));
  w("struct-member-anon", "anonymous member", (x, i) => x.struct("s", 4, [["", i, 0]]));
  w("struct-member-bad-name", "member named a b", (x, i) => x.struct("s", 4, [["a b", i, 0]]));
  w("struct-member-name-off", "member name_off past the strings", (x, i) => {
    x.raw(x.s("s"), info(KIND.STRUCT, 1), 4);
    x.more(5000, i, 0);
  });
  w("struct-member-void", "member of type void", (x) => x.struct("s", 4, [["a", 0, 0]]));
  w("struct-member-big-id", "member type 0x100000", (x) => x.struct("s", 4, [["a", 0x100000, 0]]));
  w("struct-member-missing", "member type past the types", (x) => x.struct("s", 4, [["a", 9, 0]]));
  w("struct-offsets-decreasing", "second member before the first", (x, i) => x.struct("s", 8, [["a", i, 32], ["b", i, 0]]));
  w("struct-offsets-equal", "two members at offset 0", (x, i) => x.struct("s", 8, [["a", i, 0], ["b", i, 0]]));
  w("struct-member-past-size", "member offset past the struct", (x, i) => x.struct("s", 4, [["a", i, 40]]));
  w("struct-member-exceeds", "int member at byte 2 of a 4-byte struct", (x, i) => x.struct("s", 4, [["a", i, 16]]));
  w("struct-member-unaligned-int", "int member at bit 3 (plain bitfield)", (x, i) => x.struct("s", 8, [["a", i, 3]]));
  w("struct-member-int-bitfield", "a 3-bit int member at bit 5", (x) => x.struct("s", 1, [["a", x.int("bf", 1, 3, 0, 0), 5]]));
  w("struct-member-int-copy-bits", "a 128-bit int at bit 7", (x) => x.struct("s", 32, [["a", x.int("i128", 16, 128), 7]]));
  w("union-ok", "union u { int a; char b; }", (x, i) => x.struct("u", 4, [["a", i, 0], ["b", x.int("char", 1, 8), 0]], { union: true }));
  w("union-offset", "union member at offset 8", (x, i) => x.struct("u", 8, [["a", i, 0], ["b", i, 8]], { union: true }));
  w("struct-ptr-member", "struct with a pointer", (x, i) => x.struct("s", 8, [["p", x.ptr(i), 0]]));
  w("struct-ptr-unaligned", "pointer at bit 4", (x, i) => x.struct("s", 16, [["p", 3, 4]], {}) && x.ptr(i));
  w("struct-ptr-exceeds", "pointer in a 4-byte struct", (x, i) => {
    x.struct("s", 4, [["p", 3, 0]]);
    x.ptr(i);
  });
  w("struct-self-ptr", "struct s { struct s *next; }", (x) => {
    x.struct("s", 8, [["next", 3, 0]]);
    x.ptr(2);
  });
  w("struct-self", "struct s { struct s a; }", (x) => x.struct("s", 8, [["a", 2, 0]]));
  w("struct-mutual", "struct a { struct b x; }; struct b { struct a y; }", (x) => {
    x.struct("a", 4, [["x", 3, 0]]);
    x.struct("b", 4, [["y", 2, 0]]);
  });
  w("struct-nested", "struct outer { struct inner in; int c; }", (x, i) => {
    const inner = x.struct("inner", 8, [["a", i, 0], ["b", i, 32]]);
    x.struct("outer", 12, [["in", inner, 0], ["c", i, 64]]);
  });
  w("struct-nested-exceeds", "inner struct larger than the room left", (x, i) => {
    const inner = x.struct("inner", 8, [["a", i, 0], ["b", i, 32]]);
    x.struct("outer", 12, [["c", i, 0], ["in", inner, 64]]);
  });
  w("struct-member-fwd", "member of a forward-declared type", (x) => x.struct("s", 4, [["a", x.fwd("t"), 0]]));
  w("struct-member-func", "member of a FUNC type", (x, i) => x.struct("s", 4, [["a", x.func("f", x.proto(i, [])), 0]]));
  w("struct-member-var", "member of a VAR type", (x, i) => x.struct("s", 4, [["a", x.var("v", i), 0]]));
  w("struct-member-typedef", "member of typedef int", (x, i) => x.struct("s", 4, [["a", x.mod(KIND.TYPEDEF, i, "t"), 0]]));
  w("struct-member-typedef-void", "member of typedef void", (x) => x.struct("s", 4, [["a", x.mod(KIND.TYPEDEF, 0, "t"), 0]]));
  w("struct-member-array", "member int[2]", (x, i) => x.struct("s", 8, [["a", x.array(i, i, 2), 0]]));
  w("struct-member-array-exceeds", "member int[3] in 8 bytes", (x, i) => x.struct("s", 8, [["a", x.array(i, i, 3), 0]]));
  w("struct-member-array-unaligned", "member int[1] at bit 4", (x, i) => x.struct("s", 8, [["a", x.array(i, i, 1), 4]]));
  w("struct-member-enum", "enum member", (x) => x.struct("s", 4, [["e", x.enum("e", 4, [["A", 0]]), 0]]));
  w("struct-member-enum-exceeds", "enum member past the end", (x) => x.struct("s", 4, [["e", x.enum("e", 4, [["A", 0]]), 8]]));
  w("struct-member-float", "double member", (x) => x.struct("s", 8, [["d", x.float("double", 8), 0]]));
  w("struct-member-float-unaligned", "double at byte 4", (x) => x.struct("s", 16, [["d", x.float("double", 8), 32]]));
  w("struct-member-float-exceeds", "double in 4 bytes", (x) => x.struct("s", 4, [["d", x.float("double", 8), 0]]));
  w("struct-kflag-bitfield", "kind_flag: int a:3 at bit 2", (x, i) => x.struct("s", 4, [["a", i, (3 << 24) | 2]], { kflag: 1 }));
  w("struct-kflag-plain", "kind_flag: int at 32 without bitfield size", (x, i) => x.struct("s", 8, [["a", i, 0], ["b", i, 32]], { kflag: 1 }));
  w("struct-kflag-unaligned", "kind_flag: int at bit 3 without a bitfield size", (x, i) => x.struct("s", 8, [["a", i, 3]], { kflag: 1 }));
  w("struct-kflag-too-wide", "kind_flag: int a:33", (x, i) => x.struct("s", 8, [["a", i, 33 << 24]], { kflag: 1 }));
  w("struct-kflag-base-bitfield", "kind_flag: base type is a 3-bit int", (x) => x.struct("s", 4, [["a", x.int("bf", 1, 3), 1 << 24]], { kflag: 1 }));
  w("struct-kflag-exceeds", "kind_flag: a:8 at bit 28 of 4 bytes", (x, i) => x.struct("s", 4, [["a", i, (8 << 24) | 28]], { kflag: 1 }));
  w("struct-kflag-ptr-bitfield", "kind_flag: pointer with a bitfield size", (x, i) => x.struct("s", 8, [["p", x.ptr(i), 1 << 24]], { kflag: 1 }));
  w("struct-kflag-ptr", "kind_flag: pointer without a bitfield size", (x, i) => x.struct("s", 8, [["p", x.ptr(i), 0]], { kflag: 1 }));
  w("struct-kflag-enum-bitfield", "kind_flag: enum e:4", (x) => x.struct("s", 4, [["e", x.enum("e", 4, [["A", 0]]), 4 << 24]], { kflag: 1 }));
  w("struct-kflag-enum-wide", "kind_flag: enum e:33", (x) => x.struct("s", 8, [["e", x.enum("e", 4, [["A", 0]]), 33 << 24]], { kflag: 1 }));
  w("struct-kflag-typedef-bitfield", "kind_flag: typedef int t:5", (x, i) => x.struct("s", 4, [["a", x.mod(KIND.TYPEDEF, i, "t"), 5 << 24]], { kflag: 1 }));
  w("struct-kflag-offset-past", "kind_flag: bit offset past the struct", (x, i) => x.struct("s", 4, [["a", i, (1 << 24) | 64]], { kflag: 1 }));
  w("struct-meta-short", "vlen 3 with one member's bytes", (x, i) => {
    x.raw(x.s("s"), info(KIND.STRUCT, 3), 12);
    x.more(x.s("a"), i, 0);
  });
  w("struct-member-func-proto", "member of a FUNC_PROTO type", (x, i) => x.struct("s", 4, [["a", x.proto(i, []), 0]]));
  w("struct-member-datasec", "member of a DATASEC type", (x, i) => x.struct("s", 4, [["a", x.datasec(".d", 4, [[x.var("v", i), 0, 4]]), 0]]));
  w("struct-many-members", "struct with 100 members", (x, i) => x.struct("big", 400, Array.from({ length: 100 }, (_, k) => [`m${k}`, i, k * 32] as [string, number, number])));
  return c;
}

function enumCases(): Case[] {
  const c: Case[] = [];
  const o = (name: string, desc: string, f: (x: BtfBuilder) => void): void => {
    c.push(load(name, desc, only(f)));
  };
  o("enum-ok", "enum e { A, B = -1 }", (x) => x.enum("e", 4, [["A", 0], ["B", -1]]));
  o("enum-signed", "kind_flag enum with -1", (x) => x.enum("e", 4, [["A", 0], ["B", -1]], 1));
  o("enum-anon", "anonymous enum", (x) => x.enum("", 4, [["A", 1]]));
  o("enum-empty", "enum with no values", (x) => x.enum("e", 4, []));
  for (const s of [0, 1, 2, 3, 8, 16]) o(`enum-size-${s}`, `enum of size ${s}`, (x) => x.enum("e", s, [["A", 1]]));
  o("enum-bad-name", "enum named e!", (x) => x.enum("e!", 4, [["A", 1]]));
  o("enum-value-anon", "enumerator without a name", (x) => x.enum("e", 4, [["", 1]]));
  o("enum-value-bad-name", "enumerator named 0A", (x) => x.enum("e", 4, [["A", 1], ["0A", 2]]));
  o("enum-value-name-off", "enumerator name_off past the strings", (x) => {
    x.raw(x.s("e"), info(KIND.ENUM, 2), 4);
    x.more(x.s("A"), 1, 999, 2);
  });
  o("enum-meta-short", "vlen 2 with one enumerator's bytes", (x) => {
    x.raw(x.s("e"), info(KIND.ENUM, 2), 4);
    x.more(x.s("A"), 1);
  });
  o("enum64-ok", "enum64 with large values", (x) => x.enum64("e", 8, [["A", 0x123456789n], ["B", -2n]]));
  o("enum64-signed", "kind_flag enum64", (x) => x.enum64("e", 8, [["A", -5n], ["B", 0x7fffffffffffffffn]], 1));
  o("enum64-size-4", "enum64 of size 4", (x) => x.enum64("e", 4, [["A", 1n]]));
  o("enum64-size-3", "enum64 of size 3", (x) => x.enum64("e", 3, [["A", 1n]]));
  o("enum64-meta-short", "enum64 vlen 1 with 8 bytes", (x) => {
    x.raw(x.s("e"), info(KIND.ENUM64, 1), 8);
    x.more(x.s("A"), 1);
  });
  o("fwd-struct", "struct forward", (x) => x.fwd("s"));
  o("fwd-union", "union forward (kind_flag)", (x) => x.fwd("u", 1));
  o("fwd-anon", "anonymous forward", (x) => x.raw(0, info(KIND.FWD), 0));
  o("fwd-vlen", "FWD with vlen", (x) => x.raw(x.s("s"), info(KIND.FWD, 1), 0));
  o("fwd-type", "FWD with a type", (x) => x.raw(x.s("s"), info(KIND.FWD), 1));
  o("fwd-bad-name", "FWD named s s", (x) => x.fwd("s s"));
  o("float-ok", "float, double, long double", (x) => {
    x.float("float", 4);
    x.float("double", 8);
    x.float("long_double", 16);
    x.float("half", 2);
    x.float("x87", 12);
  });
  for (const s of [0, 1, 3, 6, 32]) o(`float-size-${s}`, `FLOAT of size ${s}`, (x) => x.float("f", s));
  o("float-vlen", "FLOAT with vlen", (x) => x.raw(x.s("f"), info(KIND.FLOAT, 1), 4));
  o("float-kflag", "FLOAT with kind_flag", (x) => x.raw(x.s("f"), info(KIND.FLOAT, 0, 1), 4));
  o("float-anon", "anonymous FLOAT (names are not checked)", (x) => x.float("", 4));
  return c;
}

function funcCases(): Case[] {
  const c: Case[] = [];
  const w = (name: string, desc: string, f: (x: BtfBuilder, int: number) => void): void => {
    c.push(load(name, desc, withInt(f)));
  };
  w("func-ok", "int f(int a, int b)", (x, i) => x.func("f", x.proto(i, [["a", i], ["b", i]])));
  w("func-global", "global linkage", (x, i) => x.func("f", x.proto(i, [["a", i]]), 1));
  w("func-extern", "extern linkage (2)", (x, i) => x.func("f", x.proto(i, [["a", i]]), 2));
  w("func-anon", "FUNC without a name", (x, i) => x.raw(0, info(KIND.FUNC), x.proto(i, [])));
  w("func-bad-name", "FUNC named f()", (x, i) => x.func("f()", x.proto(i, [])));
  w("func-kflag", "FUNC with kind_flag", (x, i) => x.raw(x.s("f"), info(KIND.FUNC, 0, 1), x.proto(i, [])));
  w("func-not-proto", "FUNC of an INT", (x, i) => x.func("f", i));
  w("func-void-type", "FUNC of void", (x) => x.func("f", 0));
  w("func-missing", "FUNC of a type past the end", (x) => x.func("f", 30));
  w("func-unnamed-arg", "FUNC whose prototype has an unnamed argument", (x, i) => x.func("f", x.proto(i, [["", i]])));
  w("func-vararg", "FUNC with a trailing vararg", (x, i) => x.func("f", x.proto(i, [["a", i], ["", 0]])));
  w("proto-void", "void (*)(void)", (x) => x.proto(0, []));
  w("proto-vararg-only", "prototype with only a vararg", (x) => x.proto(0, [["", 0]]));
  w("proto-vararg-named", "vararg with a name", (x, i) => x.proto(0, [["a", i], ["v", 0]]));
  w("proto-args-log", "four arguments (log format)", (x, i) => x.proto(i, [["a", i], ["", i], ["c", i], ["", 0]]));
  w("proto-named", "named FUNC_PROTO", (x, i) => x.raw(x.s("p"), info(KIND.FUNC_PROTO), i));
  w("proto-kflag", "FUNC_PROTO with kind_flag", (x, i) => x.raw(0, info(KIND.FUNC_PROTO, 0, 1), i));
  w("proto-ret-missing", "return type past the end", (x) => x.proto(40, []));
  w("proto-ret-var", "return type a VAR", (x, i) => x.proto(x.var("v", i), []));
  w("proto-ret-fwd", "return type a forward", (x) => x.proto(x.fwd("s"), []));
  w("proto-ret-typedef", "return type typedef int", (x, i) => x.proto(x.mod(KIND.TYPEDEF, i, "t"), []));
  w("proto-ret-typedef-void", "return type typedef void", (x) => x.proto(x.mod(KIND.TYPEDEF, 0, "t"), []));
  w("proto-arg-missing", "argument type past the end", (x) => x.proto(0, [["a", 40]]));
  w("proto-arg-void", "void argument before the last", (x, i) => x.proto(0, [["a", 0], ["b", i]]));
  w("proto-arg-bad-name", "argument named 1a", (x, i) => x.proto(0, [["1a", i]]));
  w("proto-arg-name-off", "argument name_off past the strings", (x, i) => {
    x.raw(0, info(KIND.FUNC_PROTO, 1), 0);
    x.more(777, i);
  });
  w("proto-arg-datasec", "argument a DATASEC", (x, i) => x.proto(0, [["a", x.datasec(".d", 4, [[x.var("v", i), 0, 4]])]]));
  w("proto-arg-struct", "argument a struct", (x, i) => x.proto(0, [["a", x.struct("s", 4, [["m", i, 0]])]]));
  w("proto-arg-fwd", "argument a forward", (x) => x.proto(0, [["a", x.fwd("s")]]));
  w("proto-arg-ptr-loop", "argument a pointer loop", (x) => {
    x.proto(0, [["a", 3]]);
    x.ptr(3);
  });
  w("proto-meta-short", "vlen 2 with one parameter's bytes", (x, i) => {
    x.raw(0, info(KIND.FUNC_PROTO, 2), i);
    x.more(x.s("a"), i);
  });
  w("var-ok", "static int v", (x, i) => x.var("v", i));
  w("var-global", "global allocated", (x, i) => x.var("v", i, 1));
  w("var-extern", "linkage 2", (x, i) => x.var("v", i, 2));
  w("var-anon", "VAR without a name", (x, i) => x.raw(0, info(KIND.VAR), i, 0));
  w("var-vlen", "VAR with vlen", (x, i) => x.raw(x.s("v"), info(KIND.VAR, 1), i, 0));
  w("var-kflag", "VAR with kind_flag", (x, i) => x.raw(x.s("v"), info(KIND.VAR, 0, 1), i, 0));
  w("var-void", "VAR of void", (x) => x.var("v", 0));
  w("var-fwd", "VAR of a forward", (x) => x.var("v", x.fwd("s")));
  w("var-ptr", "VAR of a pointer", (x, i) => x.var("v", x.ptr(i)));
  w("var-const-ptr", "VAR of const pointer", (x, i) => x.var("v", x.mod(KIND.CONST, x.ptr(i))));
  w("var-of-var", "VAR of a VAR", (x, i) => x.var("w", x.var("v", i)));
  w("var-meta-short", "VAR without linkage", (x, i) => x.raw(x.s("v"), info(KIND.VAR), i));
  w("datasec-ok", ".data with two vars", (x, i) => {
    const a = x.var("a", i);
    const b = x.var("b", i);
    x.datasec(".data", 8, [[a, 0, 4], [b, 4, 4]]);
  });
  w("datasec-empty", "empty .bss", (x) => x.datasec(".bss", 4, []));
  w("datasec-size-0", "DATASEC of size 0", (x) => x.datasec(".bss", 0, []));
  w("datasec-kflag", "DATASEC with kind_flag", (x) => x.raw(x.s(".bss"), info(KIND.DATASEC, 0, 1), 4));
  w("datasec-anon", "DATASEC without a name", (x) => x.raw(0, info(KIND.DATASEC), 4));
  w("datasec-name-space", "DATASEC named with a space", (x) => x.datasec("my sec", 4, []));
  w("datasec-name-ctrl", "DATASEC named with a control char", (x) => x.datasec("a\x01", 4, []));
  w("datasec-name-latin1", "DATASEC named with 0xa0 and 0x80", (x) => {
    x.datasec("a\xa0", 4, []);
    x.datasec("b\x80", 4, []);
  });
  w("datasec-vsi-type-0", "member of type 0", (x) => x.datasec(".d", 8, [[0, 0, 4]]));
  w("datasec-vsi-overlap", "overlapping members", (x, i) => {
    const a = x.var("a", i);
    x.datasec(".d", 8, [[a, 0, 4], [a, 2, 4]]);
  });
  w("datasec-vsi-offset-past", "member offset past the size", (x, i) => x.datasec(".d", 8, [[x.var("a", i), 8, 4]]));
  w("datasec-vsi-size-0", "member of size 0", (x, i) => x.datasec(".d", 8, [[x.var("a", i), 0, 0]]));
  w("datasec-vsi-size-big", "member larger than the section", (x, i) => x.datasec(".d", 8, [[x.var("a", i), 0, 16]]));
  w("datasec-vsi-end-past", "member ending past the section", (x, i) => x.datasec(".d", 8, [[x.var("a", i), 6, 4]]));
  w("datasec-not-var", "member an INT", (x, i) => x.datasec(".d", 8, [[i, 0, 4]]));
  w("datasec-var-too-small", "member size smaller than the var", (x, i) => x.datasec(".d", 8, [[x.var("a", i), 0, 2]]));
  w("datasec-var-missing", "member id past the end", (x) => x.datasec(".d", 8, [[50, 0, 4]]));
  w("datasec-meta-short", "vlen 2 with one member's bytes", (x, i) => {
    x.raw(x.s(".d"), info(KIND.DATASEC, 2), 8);
    x.more(x.var("a", i), 0, 4);
  });
  return c;
}

function tagCases(): Case[] {
  const c: Case[] = [];
  const w = (name: string, desc: string, f: (x: BtfBuilder, int: number) => void): void => {
    c.push(load(name, desc, withInt(f)));
  };
  w("decl-tag-struct", "tag on a struct", (x, i) => x.declTag("tag", x.struct("s", 4, [["a", i, 0]]), -1));
  w("decl-tag-member", "tag on member 0", (x, i) => x.declTag("tag", x.struct("s", 4, [["a", i, 0]]), 0));
  w("decl-tag-member-past", "tag on member 1 of 1", (x, i) => x.declTag("tag", x.struct("s", 4, [["a", i, 0]]), 1));
  w("decl-tag-idx-neg", "component_idx -2", (x, i) => x.declTag("tag", x.struct("s", 4, [["a", i, 0]]), -2));
  w("decl-tag-func", "tag on a function", (x, i) => x.declTag("tag", x.func("f", x.proto(i, [["a", i]])), -1));
  w("decl-tag-func-arg", "tag on argument 0", (x, i) => x.declTag("tag", x.func("f", x.proto(i, [["a", i]])), 0));
  w("decl-tag-func-arg-past", "tag on argument 1 of 1", (x, i) => x.declTag("tag", x.func("f", x.proto(i, [["a", i]])), 1));
  w("decl-tag-var", "tag on a var", (x, i) => x.declTag("tag", x.var("v", i), -1));
  w("decl-tag-var-idx", "tag on a var with component 0", (x, i) => x.declTag("tag", x.var("v", i), 0));
  w("decl-tag-typedef", "tag on a typedef", (x, i) => x.declTag("tag", x.mod(KIND.TYPEDEF, i, "t"), -1));
  w("decl-tag-typedef-idx", "tag on a typedef with component 0", (x, i) => x.declTag("tag", x.mod(KIND.TYPEDEF, i, "t"), 0));
  w("decl-tag-int", "tag on an INT", (x, i) => x.declTag("tag", i, -1));
  w("decl-tag-missing", "tag on a type past the end", (x) => x.declTag("tag", 40, -1));
  w("decl-tag-empty", "tag with an empty value", (x, i) => x.raw(0, info(KIND.DECL_TAG), i, 0xffffffff));
  w("decl-tag-vlen", "tag with vlen", (x, i) => x.raw(x.s("t"), info(KIND.DECL_TAG, 1), x.struct("s", 4, [["a", i, 0]]), 0xffffffff));
  w("decl-tag-kflag", "tag with kind_flag (attribute)", (x, i) => x.declTag("attr", x.struct("s", 4, [["a", i, 0]]), -1, 1));
  w("decl-tag-value-chars", "tag value with any characters", (x, i) => x.declTag("arg: ctx?!", x.struct("s", 4, [["a", i, 0]]), -1));
  w("decl-tag-meta-short", "DECL_TAG without component_idx", (x, i) => x.raw(x.s("t"), info(KIND.DECL_TAG), i));
  w("decl-tag-of-tag", "tag on a tag", (x, i) => x.declTag("t2", x.declTag("t1", x.struct("s", 4, [["a", i, 0]]), -1), -1));
  w("mixed-kinds", "every kind at once", (x, i) => {
    const ch = x.int("char", 1, 8, INT_SIGNED);
    const p = x.ptr(i);
    const arr = x.array(ch, i, 16);
    const st = x.struct("s", 32, [["a", i, 0], ["p", p, 64], ["name", arr, 128]]);
    x.struct("u", 8, [["x", i, 0], ["y", p, 0]], { union: true });
    x.enum("e", 4, [["E0", 0], ["E1", 1]]);
    x.fwd("later");
    x.mod(KIND.TYPEDEF, st, "s_t");
    x.mod(KIND.VOLATILE, i);
    x.mod(KIND.CONST, i);
    x.mod(KIND.RESTRICT, p);
    const fp = x.proto(i, [["s", x.ptr(st)]]);
    x.func("fn", fp, 1);
    const v = x.var("g", i, 1);
    x.datasec(".data", 4, [[v, 0, 4]]);
    x.float("double", 8);
    x.declTag("tag", st, 0);
    x.ptr(x.typeTag("user", i));
    x.enum64("e64", 8, [["BIG", 1n << 40n]]);
  });
  // btf_parse_struct_metas(): structs holding the special structs get a field record that must parse.
  w("meta-spin-lock", "struct with a bpf_spin_lock", (x, i) => x.struct("v", 8, [["a", i, 0], ["l", x.struct("bpf_spin_lock", 4, [["val", i, 0]]), 32]]));
  w("meta-spin-lock-size8", "bpf_spin_lock of 8 bytes", (x, i) => x.struct("v", 8, [["l", x.struct("bpf_spin_lock", 8, [["a", i, 0], ["b", i, 32]]), 0]]));
  w("meta-spin-lock-twice", "two bpf_spin_locks", (x, i) => {
    const sl = x.struct("bpf_spin_lock", 4, [["val", i, 0]]);
    x.struct("v", 8, [["a", sl, 0], ["b", sl, 32]]);
  });
  w("meta-spin-lock-unaligned", "bpf_spin_lock at byte 2", (x, i) => x.struct("v", 8, [["l", x.struct("bpf_spin_lock", 4, [["val", i, 0]]), 16]]));
  w("meta-spin-lock-unused", "bpf_spin_lock defined but not a member anywhere", (x, i) => x.struct("bpf_spin_lock", 4, [["val", i, 0]]));
  w("meta-refcount", "struct with a bpf_refcount", (x, i) => x.struct("v", 8, [["a", i, 0], ["r", x.struct("bpf_refcount", 4, [["x", i, 0]]), 32]]));
  w("meta-nodes-no-refcount", "bpf_list_node and bpf_rb_node without a refcount", (x, i) => {
    const l = x.int("long", 8, 64);
    const ln = x.struct("bpf_list_node", 24, [["a", l, 0], ["b", l, 64], ["c", l, 128]]);
    const rn = x.struct("bpf_rb_node", 32, [["a", l, 0], ["b", l, 64], ["c", l, 128], ["d", l, 192]]);
    x.struct("v", 56, [["ln", ln, 0], ["rn", rn, 192]]);
    void i;
  });
  w("meta-nodes-refcount", "bpf_list_node, bpf_rb_node and a refcount", (x, i) => {
    const l = x.int("long", 8, 64);
    const ln = x.struct("bpf_list_node", 24, [["a", l, 0], ["b", l, 64], ["c", l, 128]]);
    const rn = x.struct("bpf_rb_node", 32, [["a", l, 0], ["b", l, 64], ["c", l, 128], ["d", l, 192]]);
    const rc = x.struct("bpf_refcount", 4, [["x", i, 0]]);
    x.struct("v", 64, [["ln", ln, 0], ["rn", rn, 192], ["rc", rc, 448]]);
  });
  w("meta-kptr-unknown-tag", "pointer to a type tag that is not a kptr", (x, i) => x.struct("v", 8, [["p", x.ptr(x.typeTag("foo", x.struct("t", 4, [["a", i, 0]]))), 0]]));
  w("meta-kptr-local", "kptr to a program-local struct", (x, i) => x.struct("v", 8, [["p", x.ptr(x.typeTag("kptr", x.struct("local_t", 4, [["a", i, 0]]))), 0]]));
  return c;
}

/** bpf_btf_info is 32 bytes: btf, btf_size, id, name, name_len, kernel_btf. */
const INFO_LEN = 32;

function infoCases(): Trace[] {
  const out: Trace[] = [];
  const add = (name: string, desc: string, f: (b: Builder) => void): void => {
    const b = new Builder();
    f(b);
    out.push(b.trace(`btf/${name}`, desc));
  };
  const blobInt = intOnly();
  const load0 = (b: Builder): number => {
    b.call(CMD.BTF_LOAD, { btf: b.region(blobInt.length, blobInt), btf_size: blobInt.length });
    return 3;
  };
  const info = (b: Builder, fd: number, fields: { btf?: bigint; btf_size?: number; name?: bigint; name_len?: number }, len = INFO_LEN): void => {
    const buf = new Uint8Array(Math.max(len, 1));
    const v = new DataView(buf.buffer);
    if (len >= 8) v.setBigUint64(0, fields.btf ?? 0n, true);
    if (len >= 12) v.setUint32(8, fields.btf_size ?? 0, true);
    if (len >= 24) v.setBigUint64(16, fields.name ?? 0n, true);
    if (len >= 28) v.setUint32(24, fields.name_len ?? 0, true);
    const p = b.region(buf.length, buf);
    b.call(CMD.OBJ_GET_INFO_BY_FD, { "info.bpf_fd": fd, "info.info_len": len, "info.info": p }, { mask: Builder.infoMask("btf", p) });
  };
  add("info-basic", "load, info without buffers", (b) => info(b, load0(b), {}));
  add("info-bytes-exact", "info copies the whole blob", (b) => info(b, load0(b), { btf: b.region(blobInt.length), btf_size: blobInt.length }));
  add("info-bytes-short", "info with btf_size 10: a partial copy", (b) => info(b, load0(b), { btf: b.region(64), btf_size: 10 }));
  add("info-bytes-long", "info with a larger btf_size", (b) => info(b, load0(b), { btf: b.region(4096), btf_size: 4096 }));
  add("info-bytes-null", "btf NULL with btf_size 8: EFAULT", (b) => info(b, load0(b), { btf_size: 8 }));
  add("info-bytes-unmapped", "btf unmapped", (b) => info(b, load0(b), { btf: 0x40000000n, btf_size: 8 }));
  add("info-name-len-only", "name_len without name", (b) => info(b, load0(b), { name_len: 8 }));
  add("info-name-only", "name without name_len", (b) => info(b, load0(b), { name: b.region(16) }));
  add("info-name", "name buffer of 16: an empty name", (b) => info(b, load0(b), { name: b.region(16, new Uint8Array(16).fill(0x55)), name_len: 16 }));
  add("info-name-1", "name buffer of 1", (b) => info(b, load0(b), { name: b.region(4, Uint8Array.of(0x55, 0x55, 0x55, 0x55)), name_len: 1 }));
  for (const len of [0, 4, 8, 12, 16, 24, 28, 31, 40]) add(`info-len-${len}`, `info_len ${len}`, (b) => info(b, load0(b), { btf: b.region(64), btf_size: 64, name: b.region(8), name_len: 8 }, len));
  add("info-tail-nonzero", "info_len 40 with a non-zero tail: E2BIG", (b) => {
    const fd = load0(b);
    const buf = new Uint8Array(40);
    buf[36] = 1;
    const p = b.region(40, buf);
    b.call(CMD.OBJ_GET_INFO_BY_FD, { "info.bpf_fd": fd, "info.info_len": 40, "info.info": p }, { mask: Builder.infoMask("btf", p) });
  });
  add("info-vmlinux", "vmlinux BTF by id 1: kernel_btf, name, btf_size", (b) => {
    b.call(CMD.BTF_GET_FD_BY_ID, { btf_id: 1 });
    info(b, 3, { name: b.region(32), name_len: 32 });
  });
  add("info-vmlinux-name-short", "vmlinux name into 4 bytes: ENOSPC", (b) => {
    b.call(CMD.BTF_GET_FD_BY_ID, { btf_id: 1 });
    info(b, 3, { name: b.region(8, new Uint8Array(8).fill(0x55)), name_len: 4 });
  });
  add("info-vmlinux-name-exact", "vmlinux name into 8 bytes", (b) => {
    b.call(CMD.BTF_GET_FD_BY_ID, { btf_id: 1 });
    info(b, 3, { name: b.region(8), name_len: 8 });
  });
  add("info-vmlinux-name-7", "vmlinux name into 7 bytes: ENOSPC", (b) => {
    b.call(CMD.BTF_GET_FD_BY_ID, { btf_id: 1 });
    info(b, 3, { name: b.region(8), name_len: 7 });
  });
  add("info-closed", "info on a closed BTF fd", (b) => {
    const fd = load0(b);
    b.close(fd);
    info(b, fd, {});
  });
  add("fd-close-reload", "two loads, close, load again: fd numbers", (b) => {
    load0(b);
    load0(b);
    b.close(3);
    load0(b);
  });
  add("load-twice-info", "two loads of the same blob have their own ids (masked) and the same bytes", (b) => {
    load0(b);
    load0(b);
    info(b, 4, { btf: b.region(64), btf_size: 64 });
  });
  return out;
}

function mapCases(): Trace[] {
  const out: Trace[] = [];
  const add = (name: string, desc: string, blob: Uint8Array, maps: { type: number; key: number; value: number; max: number; k: number; v: number; flags?: number; fd?: "btf" | "vmlinux" | "map" }[]): void => {
    const b = new Builder();
    b.call(CMD.BTF_LOAD, { btf: b.region(blob.length, blob), btf_size: blob.length });
    let next = 4;
    let vml = -1;
    for (const m of maps) {
      let fd = 3;
      if (m.fd === "vmlinux") {
        if (vml < 0) {
          b.call(CMD.BTF_GET_FD_BY_ID, { btf_id: 1 });
          vml = next++;
        }
        fd = vml;
      } else if (m.fd === "map") fd = 77;
      b.call(CMD.MAP_CREATE, { map_type: m.type, key_size: m.key, value_size: m.value, max_entries: m.max, map_flags: m.flags ?? 0, btf_fd: fd, btf_key_type_id: m.k, btf_value_type_id: m.v });
    }
    void next;
    out.push(b.trace(`btf/map-${name}`, desc));
  };
  // Types: 1 int, 2 u32 (unsigned), 3 long (8), 4 struct bpf_spin_lock, 5 struct val { int a; struct bpf_spin_lock l; },
  // 6 struct bpf_timer (16), 7 struct tv { struct bpf_timer t; }, 8 typedef u32 key_t, 9 .data datasec, 10 var, 11 char, 12 struct trie key, 13 u64
  const x = new BtfBuilder();
  const int = x.int("int", 4, 32, INT_SIGNED);
  const u32 = x.int("u32", 4, 32);
  const long = x.int("long", 8, 64, INT_SIGNED);
  const sl = x.struct("bpf_spin_lock", 4, [["val", u32, 0]]);
  const val = x.struct("val", 8, [["a", int, 0], ["l", sl, 32]]);
  const timer = x.struct("bpf_timer", 16, [["a", long, 0], ["b", long, 64]]);
  const tv = x.struct("tv", 16, [["t", timer, 0]]);
  const keyT = x.mod(KIND.TYPEDEF, u32, "key_t");
  const v = x.var("g", int, 1);
  const ds = x.datasec(".data", 4, [[v, 0, 4]]);
  const ch = x.int("char", 1, 8);
  const tkey = x.struct("tkey", 8, [["prefixlen", u32, 0], ["data", x.array(ch, u32, 4), 32]]);
  const u64 = x.int("u64", 8, 64);
  const vl = x.struct("vl", 8, [["l", sl, 0], ["pad", u32, 32]]);
  const blob = x.blob();
  const A = MT.ARRAY;
  const H = MT.HASH;
  add("array-ok", "ARRAY with u32 key and int value", blob, [{ type: A, key: 4, value: 4, max: 1, k: u32, v: int }]);
  add("array-key-int-signed", "ARRAY with a signed int key", blob, [{ type: A, key: 4, value: 4, max: 1, k: int, v: int }]);
  add("array-key-typedef", "ARRAY with typedef key", blob, [{ type: A, key: 4, value: 4, max: 1, k: keyT, v: int }]);
  add("array-key-size", "ARRAY key_size 4 with a long key", blob, [{ type: A, key: 4, value: 4, max: 1, k: long, v: int }]);
  add("array-value-size", "ARRAY value_size 8 with an int value", blob, [{ type: A, key: 4, value: 8, max: 1, k: u32, v: int }]);
  add("array-key-missing", "key id past the types", blob, [{ type: A, key: 4, value: 4, max: 1, k: 200, v: int }]);
  add("array-value-missing", "value id past the types", blob, [{ type: A, key: 4, value: 4, max: 1, k: u32, v: 200 }]);
  add("array-key-struct", "ARRAY keyed by a struct of 4 bytes", blob, [{ type: A, key: 4, value: 4, max: 1, k: sl, v: int }]);
  add("array-keyless-datasec", "keyless ARRAY of 1 with a DATASEC value (.data)", blob, [{ type: A, key: 4, value: 4, max: 1, k: 0, v: ds }]);
  add("array-keyless-2", "keyless ARRAY of 2", blob, [{ type: A, key: 4, value: 4, max: 2, k: 0, v: ds }]);
  add("array-keyless-int", "keyless ARRAY with an int value", blob, [{ type: A, key: 4, value: 4, max: 1, k: 0, v: int }]);
  add("percpu-array-ok", "PERCPU_ARRAY", blob, [{ type: MT.PERCPU_ARRAY, key: 4, value: 4, max: 1, k: u32, v: int }]);
  add("hash-ok", "HASH", blob, [{ type: H, key: 4, value: 4, max: 4, k: int, v: int }]);
  add("hash-keyless", "HASH without a key type", blob, [{ type: H, key: 4, value: 4, max: 4, k: 0, v: int }]);
  add("hash-key-long", "HASH with an 8-byte key", blob, [{ type: H, key: 8, value: 4, max: 4, k: long, v: int }]);
  add("hash-spin-lock", "HASH with a spin lock value", blob, [{ type: H, key: 4, value: 8, max: 4, k: int, v: val }]);
  add("array-spin-lock", "ARRAY with a spin lock value", blob, [{ type: A, key: 4, value: 8, max: 1, k: u32, v: val }]);
  add("array-spin-lock-first", "ARRAY with a spin lock first", blob, [{ type: A, key: 4, value: 8, max: 1, k: u32, v: vl }]);
  add("percpu-array-spin-lock", "PERCPU_ARRAY with a spin lock: EOPNOTSUPP", blob, [{ type: MT.PERCPU_ARRAY, key: 4, value: 8, max: 1, k: u32, v: val }]);
  add("array-spin-lock-rdonly-prog", "spin lock with BPF_F_RDONLY_PROG: EACCES", blob, [{ type: A, key: 4, value: 8, max: 1, k: u32, v: val, flags: 0x80 }]);
  add("array-spin-lock-mmapable", "spin lock in a mmapable array", blob, [{ type: A, key: 4, value: 8, max: 1, k: u32, v: val, flags: 0x400 }]);
  add("array-timer", "ARRAY with a bpf_timer", blob, [{ type: A, key: 4, value: 16, max: 1, k: u32, v: tv }]);
  add("percpu-hash-timer", "PERCPU_HASH with a bpf_timer: EOPNOTSUPP", blob, [{ type: MT.PERCPU_HASH, key: 4, value: 16, max: 1, k: int, v: tv }]);
  add("lru-hash-timer", "LRU_HASH with a bpf_timer", blob, [{ type: MT.LRU_HASH, key: 4, value: 16, max: 1, k: int, v: tv }]);
  add("queue", "QUEUE with BTF: ENOTSUPP", blob, [{ type: MT.QUEUE, key: 0, value: 4, max: 4, k: 0, v: int }]);
  add("queue-key", "QUEUE with a key type", blob, [{ type: MT.QUEUE, key: 0, value: 4, max: 4, k: int, v: int }]);
  add("ringbuf", "RINGBUF with BTF", blob, [{ type: MT.RINGBUF, key: 0, value: 0, max: 4096, k: 0, v: int }]);
  add("prog-array", "PROG_ARRAY with BTF", blob, [{ type: MT.PROG_ARRAY, key: 4, value: 4, max: 1, k: u32, v: u32 }]);
  add("lpm-struct-key", "LPM_TRIE with a struct key", blob, [{ type: MT.LPM_TRIE, key: 8, value: 4, max: 1, k: tkey, v: int, flags: 1 }]);
  add("lpm-int-key", "LPM_TRIE with an int key", blob, [{ type: MT.LPM_TRIE, key: 8, value: 4, max: 1, k: u64, v: int, flags: 1 }]);
  add("bloom-keyless", "BLOOM_FILTER without a key", blob, [{ type: MT.BLOOM_FILTER, key: 0, value: 4, max: 4, k: 0, v: int }]);
  add("bloom-key", "BLOOM_FILTER with a key type", blob, [{ type: MT.BLOOM_FILTER, key: 0, value: 4, max: 4, k: int, v: int }]);
  add("task-storage", "TASK_STORAGE with int key", blob, [{ type: MT.TASK_STORAGE, key: 4, value: 4, max: 0, k: int, v: int, flags: 1 }]);
  add("task-storage-u32", "TASK_STORAGE with u32 key", blob, [{ type: MT.TASK_STORAGE, key: 4, value: 8, max: 0, k: u32, v: val, flags: 1 }]);
  add("sk-storage-long", "SK_STORAGE with an 8-byte value", blob, [{ type: MT.SK_STORAGE, key: 4, value: 8, max: 0, k: int, v: long, flags: 1 }]);
  add("cgroup-storage", "CGROUP_STORAGE with a u64 key", blob, [{ type: MT.CGROUP_STORAGE, key: 8, value: 4, max: 0, k: u64, v: int }]);
  add("vmlinux-fd", "the vmlinux BTF as btf_fd: EACCES", blob, [{ type: A, key: 4, value: 4, max: 1, k: u32, v: int, fd: "vmlinux" }]);
  add("no-fd", "btf_fd never opened", blob, [{ type: A, key: 4, value: 4, max: 1, k: u32, v: int, fd: "map" }]);
  add("value-only-array", "ARRAY with only a value type", blob, [{ type: A, key: 4, value: 4, max: 4, k: 0, v: int }]);
  add("value-fwd", "value type a forward", (() => {
    const y = new BtfBuilder();
    y.int("int", 4, 32);
    y.fwd("s");
    return y.blob();
  })(), [{ type: A, key: 4, value: 4, max: 1, k: 1, v: 2 }]);
  // Maps with BTF afterwards: info shows the BTF (its id masked) and the type ids; BPF_F_LOCK needs a bpf_spin_lock;
  // maps with special fields cannot be frozen.
  const seq = (name: string, desc: string, f: (b: Builder) => void): void => {
    const b = new Builder();
    b.callFd(CMD.BTF_LOAD, { btf: b.region(blob.length, blob), btf_size: blob.length });
    f(b);
    out.push(b.trace(`btf/map-${name}`, desc));
  };
  const mapInfo = (b: Builder, fd: number): void => {
    const p = b.region(104);
    b.call(CMD.OBJ_GET_INFO_BY_FD, { "info.bpf_fd": fd, "info.info_len": 104, "info.info": p }, { mask: Builder.infoMask("map", p) });
  };
  const lookup = (b: Builder, fd: number, key: Uint8Array, size: number, flags: bigint): void => {
    b.call(CMD.MAP_LOOKUP_ELEM, { map_fd: fd, key: b.region(key.length, key), value: b.region(size), flags });
  };
  seq("info", "ARRAY with BTF: info, then the BTF fd closed and info again", (b) => {
    const fd = b.mapCreate(A, 4, 4, 1, { btf_fd: 3, btf_key_type_id: u32, btf_value_type_id: int });
    mapInfo(b, fd);
    b.close(3);
    mapInfo(b, fd);
  });
  seq("info-keyless", "keyless .data ARRAY: info", (b) => mapInfo(b, b.mapCreate(A, 4, 4, 1, { btf_fd: 3, btf_value_type_id: ds })));
  seq("spin-lock-ops", "ARRAY with a bpf_spin_lock: BPF_F_LOCK updates and lookups, freeze refused", (b) => {
    const fd = b.mapCreate(A, 4, 8, 1, { btf_fd: 3, btf_key_type_id: u32, btf_value_type_id: val });
    b.update(fd, u32le(0), u32le(7, 9), 4n);
    lookup(b, fd, u32le(0), 8, 4n);
    b.update(fd, u32le(0), u32le(8, 10), 0n);
    lookup(b, fd, u32le(0), 8, 0n);
    b.call(CMD.MAP_FREEZE, { map_fd: fd });
    mapInfo(b, fd);
  });
  seq("no-lock-flag", "ARRAY with BTF but no lock: BPF_F_LOCK refused, freeze allowed", (b) => {
    const fd = b.mapCreate(A, 4, 4, 1, { btf_fd: 3, btf_key_type_id: u32, btf_value_type_id: int });
    b.update(fd, u32le(0), u32le(7), 4n);
    b.call(CMD.MAP_FREEZE, { map_fd: fd });
  });
  seq("hash-lock-batch", "HASH with a bpf_spin_lock: batch lookup with BPF_F_LOCK", (b) => {
    const fd = b.mapCreate(H, 4, 8, 4, { btf_fd: 3, btf_key_type_id: int, btf_value_type_id: val, map_flags: 0x40 });
    b.update(fd, u32le(1), u32le(1, 2), 4n);
    const keys = b.region(16);
    const vals = b.region(32);
    const ob = b.region(4);
    b.call(CMD.MAP_LOOKUP_BATCH, { "batch.out_batch": ob, "batch.keys": keys, "batch.values": vals, "batch.count": 4, "batch.map_fd": fd, "batch.elem_flags": 4n });
  });
  seq("timer-freeze", "ARRAY with a bpf_timer: freeze refused", (b) => {
    const fd = b.mapCreate(A, 4, 16, 1, { btf_fd: 3, btf_key_type_id: u32, btf_value_type_id: tv });
    b.call(CMD.MAP_FREEZE, { map_fd: fd });
  });
  seq("two-maps-one-btf", "two maps share one BTF object", (b) => {
    const a = b.mapCreate(A, 4, 4, 1, { btf_fd: 3, btf_key_type_id: u32, btf_value_type_id: int });
    const h = b.mapCreate(H, 4, 4, 1, { btf_fd: 3, btf_key_type_id: int, btf_value_type_id: int });
    b.close(3);
    mapInfo(b, a);
    mapInfo(b, h);
  });
  // Which map_check_btf each map type has: keyless and keyed loads with char-array key and value types of the
  // accepted sizes (map_check_no_btf answers ENOTSUPP, no op at all refuses a keyless BTF with EINVAL).
  for (let type = 1; type <= 33; type++) {
    if (type === MT.STRUCT_OPS) continue;
    const spec = goodSpec(type);
    const y = new BtfBuilder();
    const ch = y.int("char", 1, 8);
    const idx = y.int("u32", 4, 32);
    const k = y.array(ch, idx, spec.key);
    const v = y.array(ch, idx, spec.value);
    const yb = y.blob();
    for (const keyed of [false, true])
      add(`type-${MAP_TYPE_NAMES[type]}-${keyed ? "keyed" : "keyless"}`, `${MAP_TYPE_NAMES[type]} with char-array ${keyed ? "key and value" : "value only"}`, yb, [
        { type, key: spec.key, value: spec.value, max: spec.max, k: keyed ? k : 0, v, flags: spec.flags ?? 0 },
      ]);
  }
  return out;
}

/** Every BTF corpus trace, named btf/<case>. */
export function btfCorpus(): Trace[] {
  const out: Trace[] = [];
  for (const c of [...headerCases(), ...intCases(), ...refCases(), ...arrayCases(), ...structCases(), ...enumCases(), ...funcCases(), ...tagCases()]) {
    const b = new Builder();
    c.build(b);
    out.push(b.trace(`btf/${c.name}`, c.desc));
  }
  out.push(...infoCases(), ...mapCases());
  return out;
}

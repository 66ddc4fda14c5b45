// SPDX-License-Identifier: GPL-2.0-only
// bpfemu trace format, version 1 (JSON Lines). docs/traces.md is the
// normative description; this module is its parser and serializer. No Node
// API here: traces are also replayed in browsers.

import { ATTR_END, PAGE_SIZE } from "../abi/uaccess.ts";

export const TRACE_VERSION = 1;

/**
 * Every bpf op's attr bytes end exactly at ATTR_END, and the page there is
 * unmapped: bytes past the attr's length fault, the way a short user buffer
 * does. An empty attr is a pointer to that unmapped page. The emulator's
 * address space and native/bpfrun.c use the same constant.
 */
export { ATTR_END, PAGE_SIZE } from "../abi/uaccess.ts";
/** `map` ops must stay out of [ATTR_END - ATTR_WINDOW, ATTR_END + PAGE_SIZE): the attr lives there. */
export const ATTR_WINDOW = 0x100000n;

export type DelegateOption = "delegate_cmds" | "delegate_maps" | "delegate_progs" | "delegate_attachs";
export const DELEGATE_OPTIONS: readonly DelegateOption[] = [
  "delegate_cmds",
  "delegate_maps",
  "delegate_progs",
  "delegate_attachs",
];

/** bpffs mount options a privileged parent sets for a `userns` trace; absent ones are not set. */
export type BpffsDelegation = Partial<Record<DelegateOption, string>>;

export type TraceEnv =
  /** uid 0, all capabilities, init namespaces */
  | { readonly kind: "root" }
  /** uid 0, every capability set emptied with capset(), init namespaces */
  | { readonly kind: "nocap" }
  /** uid 0 with all caps inside a new user namespace (none in the init ns), own mount ns, delegated bpffs root at fd 3 */
  | { readonly kind: "userns"; readonly bpffs: BpffsDelegation };

export interface MemImage {
  readonly addr: bigint;
  readonly bytes: Uint8Array;
}

/** What the kernel did for a non-bpf op. */
export interface RetExpect {
  /** Return value, or -errno. */
  readonly ret: number;
}

/** What the kernel did for a bpf op. */
export interface BpfExpect extends RetExpect {
  /** The attr bytes after the call (same length as the op's attr). */
  readonly attr: Uint8Array;
  /** Every `map` region whose bytes changed during the call, with its full contents afterwards, in map order. */
  readonly mem: readonly MemImage[];
}

/** Host-specific parts of a result that comparisons skip. */
export interface Mask {
  /** Compare only the sign: both >= 0, or the same -errno. */
  readonly ret?: boolean;
  /** [offset, length] ranges of the attr. */
  readonly attr?: readonly (readonly [number, number])[];
  readonly mem?: readonly { readonly addr: bigint; readonly len: number }[];
}

interface OpCommon {
  readonly mask?: Mask;
}

export interface MapOp extends OpCommon {
  readonly op: "map";
  /** Page-aligned. */
  readonly addr: bigint;
  /** Tracked length; the mapping itself is rounded up to whole pages. */
  readonly len: number;
  /** Initial contents from `addr` (at most `len` bytes); the rest is zero. */
  readonly bytes?: Uint8Array;
  readonly expect?: RetExpect;
}

export interface WriteOp extends OpCommon {
  readonly op: "write";
  readonly addr: bigint;
  readonly bytes: Uint8Array;
  readonly expect?: RetExpect;
}

export interface BpfOp extends OpCommon {
  readonly op: "bpf";
  /** int cmd as passed to the syscall (may be negative or unknown). */
  readonly cmd: number;
  /** unsigned int size as passed to the syscall. */
  readonly size: number;
  /** Placed at ATTR_END - attr.length. */
  readonly attr: Uint8Array;
  readonly note?: string;
  readonly expect?: BpfExpect;
}

export interface CloseOp extends OpCommon {
  readonly op: "close";
  readonly fd: number;
  readonly expect?: RetExpect;
}

export interface MkdirOp extends OpCommon {
  readonly op: "mkdir";
  readonly path: string;
  readonly mode: number;
  readonly expect?: RetExpect;
}

export interface UnlinkOp extends OpCommon {
  readonly op: "unlink";
  readonly path: string;
  readonly expect?: RetExpect;
}

export interface OpenOp extends OpCommon {
  readonly op: "open";
  readonly path: string;
  /** openat(AT_FDCWD, path, flags) with Linux x86_64 O_* values. */
  readonly flags: number;
  readonly expect?: RetExpect;
}

export type TraceOp = MapOp | WriteOp | BpfOp | CloseOp | MkdirOp | UnlinkOp | OpenOp;
export type OpKind = TraceOp["op"];

export interface Trace {
  readonly name: string;
  readonly description: string;
  /** "linux-6.18" */
  readonly abi: string;
  readonly env: TraceEnv;
  /** uname -r of the kernel the expectations came from; null when none did. */
  readonly recordedOn: string | null;
  readonly ops: readonly TraceOp[];
}

// ---------------------------------------------------------------- hex helpers

const HEX_DIGITS = "0123456789abcdef";
const BYTE_HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => HEX_DIGITS[i >> 4]! + HEX_DIGITS[i & 15]!);

export function bytesToHex(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += BYTE_HEX[bytes[i]!]!;
  return s;
}


/** Lowercase, no separators, even length; throws RangeError otherwise. */
export function hexToBytes(hex: string): Uint8Array {
  // Decoded and checked in one pass over the char codes: a regex test plus parseInt(substr()) per byte was ~30%
  // of replaying a corpus of programs (the insns, logs and memory of every op are hex).
  const n = hex.length;
  if ((n & 1) !== 0) throw notHex(hex);
  const out = new Uint8Array(n >> 1);
  const t = NIBBLE;
  for (let i = 0, j = 0; j < n; i++, j += 2) {
    const hi = t[hex.charCodeAt(j) & 0x7f]!;
    const lo = t[hex.charCodeAt(j + 1) & 0x7f]!;
    // A char code of 128 or more would alias an ASCII entry through the mask: checked apart.
    if ((hi | lo) < 0 || (hex.charCodeAt(j) | hex.charCodeAt(j + 1)) > 0x7f) throw notHex(hex);
    out[i] = (hi << 4) | lo;
  }
  return out;
}

function notHex(hex: string): RangeError {
  return new RangeError(`not lowercase hex of whole bytes: ${JSON.stringify(abbreviate(hex))}`);
}

/** The value of a lowercase hex digit by ASCII code, -1 for any other character. */
const NIBBLE = ((): Int8Array => {
  const t = new Int8Array(128).fill(-1);
  for (let c = 0; c < 10; c++) t[48 + c] = c;
  for (let c = 0; c < 6; c++) t[97 + c] = 10 + c;
  return t;
})();

const ADDR_RE = /^0x[0-9a-f]+$/;
const U64_MAX = (1n << 64n) - 1n;

export function formatAddr(addr: bigint): string {
  return "0x" + addr.toString(16);
}

export function parseAddr(s: string): bigint {
  if (!ADDR_RE.test(s)) throw new RangeError(`not a "0x..." lowercase hex address: ${JSON.stringify(abbreviate(s))}`);
  const v = BigInt(s);
  if (v > U64_MAX) throw new RangeError(`address above 2^64-1: ${s}`);
  return v;
}

function abbreviate(s: string): string {
  return s.length > 40 ? s.slice(0, 37) + "..." : s;
}

// -------------------------------------------------------------------- parser

export class TraceParseError extends Error {
  readonly line: number;
  readonly field: string | undefined;
  constructor(line: number, field: string | undefined, detail: string) {
    super(`line ${line}${field === undefined ? "" : `, field "${field}"`}: ${detail}`);
    this.name = "TraceParseError";
    this.line = line;
    this.field = field;
  }
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

/** Reads one JSON object's fields with line/field-precise errors. */
class Fields {
  readonly line: number;
  readonly obj: JsonObject;
  readonly prefix: string;
  private readonly seen = new Set<string>();

  constructor(line: number, obj: JsonObject, prefix = "") {
    this.line = line;
    this.obj = obj;
    this.prefix = prefix;
  }

  fail(field: string | undefined, detail: string): never {
    throw new TraceParseError(this.line, field === undefined ? undefined : this.prefix + field, detail);
  }

  has(k: string): boolean {
    return Object.hasOwn(this.obj, k);
  }

  private raw(k: string, optional: boolean): Json | undefined {
    this.seen.add(k);
    if (!this.has(k)) {
      if (optional) return undefined;
      this.fail(k, "missing");
    }
    return this.obj[k];
  }

  str(k: string): string {
    const v = this.raw(k, false);
    if (typeof v !== "string") this.fail(k, `expected a string, got ${describe(v)}`);
    return v;
  }

  /** The raw value of an optional key, marked as read. */
  peek(k: string): Json | undefined {
    return this.raw(k, true);
  }

  optStr(k: string): string | undefined {
    return this.has(k) ? this.str(k) : (this.raw(k, true), undefined);
  }

  int(k: string, min: number, max: number): number {
    const v = this.raw(k, false);
    if (typeof v !== "number" || !Number.isSafeInteger(v)) this.fail(k, `expected an integer, got ${describe(v)}`);
    if (v < min || v > max) this.fail(k, `${v} is outside [${min}, ${max}]`);
    return v;
  }

  addr(k: string): bigint {
    const s = this.str(k);
    try {
      return parseAddr(s);
    } catch (e) {
      return this.fail(k, (e as Error).message);
    }
  }

  hex(k: string): Uint8Array {
    const s = this.str(k);
    try {
      return hexToBytes(s);
    } catch (e) {
      return this.fail(k, (e as Error).message);
    }
  }

  sub(k: string): Fields {
    const v = this.raw(k, false);
    if (v === null || typeof v !== "object" || Array.isArray(v)) this.fail(k, `expected an object, got ${describe(v)}`);
    return new Fields(this.line, v, `${this.prefix}${k}.`);
  }

  arr(k: string): Json[] {
    const v = this.raw(k, false);
    if (!Array.isArray(v)) this.fail(k, `expected an array, got ${describe(v)}`);
    return v;
  }

  /** Rejects keys nobody asked for: a typo must not silently drop an expectation. */
  done(): void {
    for (const k of Object.keys(this.obj)) if (!this.seen.has(k)) this.fail(k, "unknown field");
  }
}

function describe(v: Json | undefined): string {
  if (v === undefined) return "nothing";
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") return "an object";
  if (typeof v === "string") return `string ${JSON.stringify(abbreviate(v))}`;
  return `${typeof v} ${String(v)}`;
}

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;
const UINT_MAX = 2 ** 32 - 1;
/** Syscall returns are longs; any safe integer is representable. */
const RET_MIN = Number.MIN_SAFE_INTEGER;
const RET_MAX = Number.MAX_SAFE_INTEGER;

function parseEnv(f: Fields): TraceEnv {
  const e = f.sub("env");
  const kind = e.str("kind");
  let env: TraceEnv;
  if (kind === "root" || kind === "nocap") env = { kind };
  else if (kind === "userns") {
    const b = e.sub("bpffs");
    const bpffs: BpffsDelegation = {};
    for (const k of DELEGATE_OPTIONS) {
      const v = b.optStr(k);
      if (v !== undefined) bpffs[k] = v;
    }
    b.done();
    env = { kind, bpffs };
  } else return e.fail("kind", `unknown env kind ${JSON.stringify(kind)} (root, nocap, userns)`);
  e.done();
  return env;
}

function parseHeader(f: Fields): Omit<Trace, "ops"> {
  const version = f.int("bpfemuTrace", 0, INT_MAX);
  if (version !== TRACE_VERSION) f.fail("bpfemuTrace", `unsupported trace version ${version} (this parser reads ${TRACE_VERSION})`);
  const name = f.str("name");
  const description = f.str("description");
  const abi = f.str("abi");
  const env = parseEnv(f);
  // Optional: a hand-written trace that was never recorded may leave it out.
  const r = f.peek("recordedOn");
  const recordedOn = r === null || r === undefined ? null : f.str("recordedOn");
  f.done();
  return { name, description, abi, env, recordedOn };
}

function parseMask(f: Fields): Mask {
  const m = f.sub("mask");
  const mask: { ret?: boolean; attr?: [number, number][]; mem?: { addr: bigint; len: number }[] } = {};
  if (m.has("ret")) {
    const v = m.peek("ret");
    if (v !== true) m.fail("ret", `expected true, got ${describe(v)}`);
    mask.ret = true;
  }
  if (m.has("attr")) {
    mask.attr = m.arr("attr").map((r, i) => {
      if (!Array.isArray(r) || r.length !== 2 || !r.every((x) => typeof x === "number" && Number.isSafeInteger(x) && x >= 0))
        return m.fail(`attr[${i}]`, "expected [offset, length] with non-negative integers");
      return [r[0] as number, r[1] as number] as [number, number];
    });
  }
  if (m.has("mem")) {
    mask.mem = m.arr("mem").map((r, i) => {
      if (r === null || typeof r !== "object" || Array.isArray(r)) return m.fail(`mem[${i}]`, "expected {addr, len}");
      const rf = new Fields(m.line, r, `${m.prefix}mem[${i}].`);
      const out = { addr: rf.addr("addr"), len: rf.int("len", 0, RET_MAX) };
      rf.done();
      return out;
    });
  }
  m.done();
  return mask;
}

function parseMemImages(f: Fields, k: string): MemImage[] {
  return f.arr(k).map((r, i) => {
    if (r === null || typeof r !== "object" || Array.isArray(r)) return f.fail(`${k}[${i}]`, "expected {addr, hex}");
    const rf = new Fields(f.line, r, `${f.prefix}${k}[${i}].`);
    const out = { addr: rf.addr("addr"), bytes: rf.hex("hex") };
    rf.done();
    return out;
  });
}

function parseRetExpect(f: Fields): RetExpect {
  const e = f.sub("expect");
  const out = { ret: e.int("ret", RET_MIN, RET_MAX) };
  e.done();
  return out;
}

function parseBpfExpect(f: Fields, attrLen: number): BpfExpect {
  const e = f.sub("expect");
  const ret = e.int("ret", RET_MIN, RET_MAX);
  const attr = e.hex("attr");
  if (attr.length !== attrLen) e.fail("attr", `has ${attr.length} bytes, the op's attr has ${attrLen}`);
  const mem = e.has("mem") ? parseMemImages(e, "mem") : [];
  e.done();
  return { ret, attr, mem };
}

function parseOp(f: Fields): TraceOp {
  const kind = f.str("op");
  const mask = f.has("mask") ? parseMask(f) : undefined;
  const withMask = <T extends object>(o: T): T => (mask === undefined ? o : { ...o, mask });
  let op: TraceOp;
  switch (kind) {
    case "map": {
      const addr = f.addr("addr");
      if (addr % BigInt(PAGE_SIZE) !== 0n) f.fail("addr", "not page-aligned");
      const len = f.int("len", 1, RET_MAX);
      if (addr < ATTR_END + BigInt(PAGE_SIZE) && addr + BigInt(len) > ATTR_END - ATTR_WINDOW)
        f.fail("addr", `region overlaps the attr window [${formatAddr(ATTR_END - ATTR_WINDOW)}, ${formatAddr(ATTR_END + BigInt(PAGE_SIZE))})`);
      const o: { op: "map"; addr: bigint; len: number; bytes?: Uint8Array; expect?: RetExpect } = { op: "map", addr, len };
      if (f.has("hex")) {
        o.bytes = f.hex("hex");
        if (o.bytes.length > len) f.fail("hex", `${o.bytes.length} bytes do not fit in len ${len}`);
      }
      if (f.has("expect")) o.expect = parseRetExpect(f);
      op = withMask(o);
      break;
    }
    case "write": {
      const o: { op: "write"; addr: bigint; bytes: Uint8Array; expect?: RetExpect } = {
        op: "write",
        addr: f.addr("addr"),
        bytes: f.hex("hex"),
      };
      if (f.has("expect")) o.expect = parseRetExpect(f);
      op = withMask(o);
      break;
    }
    case "bpf": {
      const cmd = f.int("cmd", INT_MIN, INT_MAX);
      const size = f.int("size", 0, UINT_MAX);
      const attr = f.hex("attr");
      if (BigInt(attr.length) > ATTR_WINDOW) f.fail("attr", `longer than the ${ATTR_WINDOW} byte attr window`);
      const o: { op: "bpf"; cmd: number; size: number; attr: Uint8Array; note?: string; expect?: BpfExpect } = {
        op: "bpf",
        cmd,
        size,
        attr,
      };
      const note = f.optStr("note");
      if (note !== undefined) o.note = note;
      if (f.has("expect")) o.expect = parseBpfExpect(f, attr.length);
      op = withMask(o);
      break;
    }
    case "close": {
      const o: { op: "close"; fd: number; expect?: RetExpect } = { op: "close", fd: f.int("fd", INT_MIN, INT_MAX) };
      if (f.has("expect")) o.expect = parseRetExpect(f);
      op = withMask(o);
      break;
    }
    case "mkdir": {
      const o: { op: "mkdir"; path: string; mode: number; expect?: RetExpect } = {
        op: "mkdir",
        path: pathField(f),
        mode: f.int("mode", 0, 0o7777),
      };
      if (f.has("expect")) o.expect = parseRetExpect(f);
      op = withMask(o);
      break;
    }
    case "unlink": {
      const o: { op: "unlink"; path: string; expect?: RetExpect } = { op: "unlink", path: pathField(f) };
      if (f.has("expect")) o.expect = parseRetExpect(f);
      op = withMask(o);
      break;
    }
    case "open": {
      const o: { op: "open"; path: string; flags: number; expect?: RetExpect } = {
        op: "open",
        path: pathField(f),
        flags: f.int("flags", INT_MIN, INT_MAX),
      };
      if (f.has("expect")) o.expect = parseRetExpect(f);
      op = withMask(o);
      break;
    }
    default:
      return f.fail("op", `unknown op ${JSON.stringify(kind)} (map, write, bpf, close, mkdir, unlink, open)`);
  }
  f.done();
  return op;
}

function pathField(f: Fields): string {
  const p = f.str("path");
  if (p.includes("\0")) f.fail("path", "contains a NUL byte");
  return p;
}

function parseJsonLine(text: string, line: number): JsonObject {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new TraceParseError(line, undefined, `invalid JSON: ${(e as Error).message}`);
  }
  if (v === null || typeof v !== "object" || Array.isArray(v))
    throw new TraceParseError(line, undefined, "expected a JSON object");
  return v as JsonObject;
}

/** Parses a whole trace file; throws TraceParseError naming the line and field. Blank lines are skipped. */
export function parseTrace(text: string): Trace {
  const lines = text.split("\n");
  let header: Omit<Trace, "ops"> | undefined;
  const ops: TraceOp[] = [];
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.replace(/\r$/, "");
    if (raw.trim() === "") continue;
    const f = new Fields(i + 1, parseJsonLine(raw, i + 1));
    if (header === undefined) {
      if (!f.has("bpfemuTrace")) f.fail("bpfemuTrace", "missing: the first line must be the trace header");
      header = parseHeader(f);
    } else {
      if (f.has("bpfemuTrace")) f.fail("bpfemuTrace", "a second header; one trace per file");
      ops.push(parseOp(f));
    }
  }
  if (header === undefined) throw new TraceParseError(1, undefined, "empty trace: no header line");
  return { ...header, ops };
}

// ---------------------------------------------------------------- serializer

function envJson(env: TraceEnv): Record<string, unknown> {
  if (env.kind !== "userns") return { kind: env.kind };
  const bpffs: Record<string, string> = {};
  for (const k of DELEGATE_OPTIONS) {
    const v = env.bpffs[k];
    if (v !== undefined) bpffs[k] = v;
  }
  return { kind: "userns", bpffs };
}

function maskJson(m: Mask): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  if (m.ret) o["ret"] = true;
  if (m.attr !== undefined) o["attr"] = m.attr.map(([a, b]) => [a, b]);
  if (m.mem !== undefined) o["mem"] = m.mem.map((r) => ({ addr: formatAddr(r.addr), len: r.len }));
  return o;
}

/** One op as a plain JSON-ready object, keys in the documented order. */
export function opToJson(op: TraceOp): Record<string, unknown> {
  const o: Record<string, unknown> = { op: op.op };
  switch (op.op) {
    case "map":
      o["addr"] = formatAddr(op.addr);
      o["len"] = op.len;
      if (op.bytes !== undefined) o["hex"] = bytesToHex(op.bytes);
      break;
    case "write":
      o["addr"] = formatAddr(op.addr);
      o["hex"] = bytesToHex(op.bytes);
      break;
    case "bpf":
      o["cmd"] = op.cmd;
      o["size"] = op.size;
      o["attr"] = bytesToHex(op.attr);
      if (op.note !== undefined) o["note"] = op.note;
      break;
    case "close":
      o["fd"] = op.fd;
      break;
    case "mkdir":
      o["path"] = op.path;
      o["mode"] = op.mode;
      break;
    case "unlink":
      o["path"] = op.path;
      break;
    case "open":
      o["path"] = op.path;
      o["flags"] = op.flags;
      break;
  }
  if (op.expect !== undefined) {
    if (op.op === "bpf") {
      const e = op.expect;
      o["expect"] = {
        ret: e.ret,
        attr: bytesToHex(e.attr),
        mem: e.mem.map((m) => ({ addr: formatAddr(m.addr), hex: bytesToHex(m.bytes) })),
      };
    } else o["expect"] = { ret: op.expect.ret };
  }
  if (op.mask !== undefined) o["mask"] = maskJson(op.mask);
  return o;
}

/** Deterministic: fixed key order, one line per op, trailing newline. */
export function serializeTrace(trace: Trace): string {
  const header = {
    bpfemuTrace: TRACE_VERSION,
    name: trace.name,
    description: trace.description,
    abi: trace.abi,
    env: envJson(trace.env),
    recordedOn: trace.recordedOn,
  };
  let out = JSON.stringify(header) + "\n";
  for (const op of trace.ops) out += JSON.stringify(opToJson(op)) + "\n";
  return out;
}

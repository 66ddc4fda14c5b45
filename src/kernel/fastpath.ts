// SPDX-License-Identifier: GPL-2.0-only
// A fast path in front of __sys_bpf() for the calls programs make most: the
// element commands on ARRAY and HASH maps, and the attrs the entry rejects
// before any handler runs (a non-zero tail past the union: E2BIG; CHECK_ATTR
// of an element command: EINVAL).
//
// It reads the fields straight from the caller's attr bytes at offsets taken
// once per table set from the layout tables, and copies keys and values
// directly between the user's page and the map's storage. The kernel's own
// copies of the attr, key and value are not observable here: every field is
// read before anything is written back, keys are consumed before a value is
// written, and a call either completes as the kernel would or returns
// FAST_MISS before changing anything, and then runs on the generic path
// (__sys_bpf and the handlers in syscall.ts/maps.ts), which gives the same
// answer from scratch. So any case this file does not know (another map
// type, flags, a fault, a missing key, a short attr...) is simply not its
// business; it must only never answer differently from the generic path.

import { HOST_LE, firstNonZeroIn64 } from "../abi/bytes.ts";
import { E2BIG, EINVAL } from "../abi/errno.ts";
import { FAST_MISS } from "../abi/miss.ts";
import * as uaccess from "../abi/uaccess.ts";
import type { AddressSpace } from "../abi/uaccess.ts";
import * as attrs from "../abi/attr.ts";
import type { UapiTables } from "../uapi/layout.ts";
import { BPF_MAP_TYPE } from "../uapi/gen/consts-6.18.ts";
import type { BpfMap } from "./bpf.ts";
import * as arraymap from "./arraymap.ts";
import type { BpfArray } from "./arraymap.ts";
import { FMODE_READ, FMODE_WRITE, type File } from "./file.ts";
import * as hashtab from "./hashtab.ts";
import * as maps from "./maps.ts";
import * as syscall from "./syscall.ts";
import type { Task } from "./task.ts";

// What the per-call code uses from other modules, as consts of this one: an
// imported binding is read through the exporting module's cell and checked
// for its temporal dead zone on every use (E2BIG and CHECK_ATTR rejects were
// ~7% faster without). Functions are hoisted, so they are there even while a
// module cycle is still evaluating; the objects and constants read below are
// only read per call, never at this module's evaluation.
const copyBytes = uaccess.copyBytes;
const cmdFields = attrs.cmdFields;
const htabFastDelete = hashtab.htabFastDelete;
const htabFastLookup = hashtab.htabFastLookup;
const htabFastNextSlot = hashtab.htabFastNextSlot;
const htabFastOk = hashtab.htabFastOk;
const htabFastUpdate = hashtab.htabFastUpdate;
const htabKeys = hashtab.htabKeys;
const htabKeyWords = hashtab.htabKeyWords;
const checkAttrReason = syscall.checkAttrReason;
// bytes.ts imports nothing: evaluated before this module.
const firstNonZero = firstNonZeroIn64;
const tailReason = syscall.tailReason;

/** The call was not handled: run it on the generic path. Not a value any bpf() call returns (abi/miss.ts). */
export { FAST_MISS };

const ATTR_END_NUM = Number(uaccess.ATTR_END);
// Imported constants used per call, as consts of this module.
const PAGE_SIZE_L = uaccess.PAGE_SIZE;
const NEG_E2BIG = -E2BIG;
const NEG_EINVAL = -EINVAL;
const MODE_READ = FMODE_READ;
const MODE_WRITE = FMODE_WRITE;

/**
 * Off: every call takes the generic path. The fast path reads attr fields,
 * keys and values as Int32Array words, in the host's byte order: on a
 * big-endian host it is always off, and the generic path reads little-endian
 * explicitly. Switched off by bench/ab.ts, which compares the two in one
 * process, and by test/fastpath.test.ts, which runs both.
 */
const state = { enabled: HOST_LE };
export function setFastPath(on: boolean): void {
  state.enabled = on && HOST_LE;
}

const K_NONE = 0;
const K_LOOKUP = 1;
const K_UPDATE = 2;
const K_DELETE = 3;
const K_NEXT = 4;

/** An element command's fields, as offsets in the attr (from the layout table). */
class ElemCmd {
  readonly kind: number;
  /** The command's CHECK_ATTR end (offsetofend of its last field). */
  readonly end: number;
  readonly fd: number;
  readonly key: number;
  /** value (LOOKUP, UPDATE) or next_key (GET_NEXT_KEY). */
  readonly val: number;
  readonly flags: number;
  constructor(kind: number, end: number, fd: number, key: number, val: number, flags: number) {
    this.kind = kind;
    this.end = end;
    this.fd = fd;
    this.key = key;
    this.val = val;
    this.flags = flags;
  }
}

const NONE = new ElemCmd(K_NONE, 0, 0, 0, 0, 0);

/** Per table set: the element commands' offsets by command number (NONE for every other command). */
const byTables = new WeakMap<UapiTables, ElemCmd[]>();
/** The last table set's commands (a const object's fields: see MapCache). */
const tc: { tables: UapiTables | null; cmds: ElemCmd[] } = { tables: null, cmds: [] };

// cmdsFor, wordsOf, pinnedU32 and mapAt are a test and a load, with the rest in a function of their own: each inlined
// copy counts its bytecode against the caller's inlining budget (920 bytes in all), which the element handlers and
// their pin/copy helpers then have for themselves. With the rest inline, whether a handler was inlined with its
// helpers or called with its helpers un-inlined varied from process to process (~36 or ~45 ns per array update).
function cmdsFor(tables: UapiTables): ElemCmd[] {
  return tables === tc.tables ? tc.cmds : cmdsForNew(tables);
}

function cmdsForNew(tables: UapiTables): ElemCmd[] {
  let arr = byTables.get(tables);
  if (arr === undefined) {
    arr = tables.commands.map((c) => {
      const kind = c.name === "MAP_LOOKUP_ELEM" ? K_LOOKUP : c.name === "MAP_UPDATE_ELEM" ? K_UPDATE : c.name === "MAP_DELETE_ELEM" ? K_DELETE : c.name === "MAP_GET_NEXT_KEY" ? K_NEXT : K_NONE;
      if (kind === K_NONE) return NONE;
      const at = (name: string, size: number): number => {
        const f = c.fields.find((x) => x.name === name);
        // A field the fast path needs must be whole and inside [0, end): otherwise the command is left to the generic path.
        return f !== undefined && f.size === size && f.offset + size <= c.end && (f.offset & 3) === 0 ? f.offset : -1;
      };
      const fd = at("map_fd", 4);
      const key = at("key", 8);
      const val = kind === K_NEXT ? at("next_key", 8) : kind === K_DELETE ? 0 : at("value", 8);
      const flags = kind === K_LOOKUP || kind === K_UPDATE ? at("flags", 8) : 0;
      if (fd < 0 || key < 0 || val < 0 || flags < 0) return NONE;
      return new ElemCmd(kind, c.end, fd, key, val, flags);
    });
    byTables.set(tables, arr);
  }
  tc.tables = tables;
  tc.cmds = arr;
  return arr;
}

/**
 * 4-byte and 8-byte word views of the last attr array seen, so fields are read
 * a word at a time and zero runs scanned 8 bytes at a time (a caller usually
 * reuses its attr buffer). quads is null when the array is not at a multiple of 8.
 */
const wc: { bytes: Uint8Array | null; words: Int32Array; quads: BigInt64Array | null } = { bytes: null, words: new Int32Array(0), quads: null };

function wordsOf(bytes: Uint8Array): Int32Array | null {
  return bytes === wc.bytes ? wc.words : wordsOfNew(bytes);
}

function wordsOfNew(bytes: Uint8Array): Int32Array | null {
  if ((bytes.byteOffset & 3) !== 0) return null;
  const w = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.length >> 2);
  wc.bytes = bytes;
  wc.words = w;
  wc.quads = (bytes.byteOffset & 7) === 0 ? new BigInt64Array(bytes.buffer, bytes.byteOffset, bytes.length >> 3) : null;
  return w;
}

/** The 8-byte view of `bytes` (see wc), or null. */
function quadsOf(bytes: Uint8Array): BigInt64Array | null {
  return bytes === wc.bytes ? wc.quads : quadsOfNew(bytes);
}

function quadsOfNew(bytes: Uint8Array): BigInt64Array | null {
  return wordsOfNew(bytes) === null ? null : wc.quads;
}

/**
 * syscall.ts tailReason("bpf_attr", ...) for the entry's own tail, remembered
 * here for the last offset and sizes: the test of the memo inlined into the
 * caller's loop compares three numbers and no string.
 */
const e2m = { at: -1, expected: -1, actual: -1, reason: "" };
function e2bigReason(at: number, expected: number, actual: number): string {
  e2m.reason = tailReason("bpf_attr", at, expected, actual);
  e2m.at = at;
  e2m.expected = expected;
  e2m.actual = actual;
  return e2m.reason;
}

/**
 * __sys_bpf()'s bpf_check_uarg_tail_zero() for an attr longer than the
 * kernel's union (size > attrSize), straight from the caller's bytes, for any
 * command: -E2BIG with its reason recorded, or FAST_MISS (the tail is zero, or
 * the size is one the generic entry must judge: over a page, past the bytes,
 * not a u32). Small, so that sys_bpf() inlines it into its caller: a rejected
 * attr then costs no call of bpf_fast().
 */
export function bpf_fast_tail(t: Task, bytes: Uint8Array, size: number, attrSize: number): number {
  if (!state.enabled || size > PAGE_SIZE_L || size > bytes.length || size >>> 0 !== size) return FAST_MISS;
  const i = firstNonZero(bytes, quadsOf(bytes), attrSize, size);
  return i < 0 ? FAST_MISS : t.fail(NEG_E2BIG, e2m.at === i && e2m.expected === attrSize && e2m.actual === size ? e2m.reason : e2bigReason(i, attrSize, size));
}

/**
 * bpf(cmd, attr, size) for the attr `bytes` (at ATTR_END - bytes.length, as
 * sys_bpf() models it): the return value, or FAST_MISS. Failures it answers
 * record their reason with t.fail(), as the generic path's checks do.
 */
export function bpf_fast(t: Task, cmd: number, bytes: Uint8Array, size: number): number {
  const tables = t.kernel.tables;
  const attrSize = tables.attrSize;
  const len = bytes.length;
  // Only sizes the generic path would use unchanged (size >>> 0), and attrs whose first `size` bytes are all there (no fault).
  // Attrs over MAX_LEN would reach down into the pointers' range (see USER_HI_MAX).
  if (!state.enabled || size >>> 0 !== size || size > len || len > MAX_LEN || (cmd | 0) !== cmd || cmd < 0) return FAST_MISS;
  const w = wordsOf(bytes);
  if (size > attrSize) {
    // bpf_check_uarg_tail_zero() over the caller's bytes (sys_bpf ran it already; a caller of bpf_fast alone may not have).
    // bpf_fast_tail's FAST_MISS means a zero tail only once the sizes it does not judge are out: over a page is the last.
    if (size > PAGE_SIZE_L) return FAST_MISS;
    const r = bpf_fast_tail(t, bytes, size, attrSize);
    if (r !== FAST_MISS) return r;
    size = attrSize;
  }
  const cmds = cmdsFor(tables);
  if (cmd >= cmds.length) return FAST_MISS;
  const ec = cmds[cmd]!;
  if (ec.kind === K_NONE) return FAST_MISS;
  // CHECK_ATTR() over [end, size): the kernel's copy is zero past size.
  const end = ec.end;
  if (size < end) return FAST_MISS;
  if (size > end) {
    const i = firstNonZero(bytes, quadsOf(bytes), end, size);
    if (i >= 0) return t.fail(NEG_EINVAL, checkAttrReason(cmdFields(tables, cmd)!, i, bytes[i]!));
  }
  if (w === null) return FAST_MISS;
  // The map first, then a function per command and kind of map: each is compiled on its own with its helpers inlined
  // (V8 inlines callees only up to a bytecode budget per function, which one function for both kinds of map exceeded).
  const kind = ec.kind;
  const mk = mapAt(t, w[ec.fd >> 2]! >>> 0, kind === K_LOOKUP || kind === K_NEXT ? MODE_READ : MODE_WRITE);
  if (mk === KIND_HTAB) {
    if (kind === K_LOOKUP) return htabLookup(t, w, ec);
    if (kind === K_UPDATE) return htabUpdate(t, w, ec);
    if (kind === K_DELETE) return htabDelete(t, w, ec);
    return htabNext(t, w, ec);
  }
  if (mk === KIND_ARRAY) {
    if (kind === K_LOOKUP) return arrayLookup(t, w, ec);
    if (kind === K_UPDATE) return arrayUpdate(t, w, ec);
    // An array's delete is EINVAL, on the generic path.
    if (kind === K_DELETE) return FAST_MISS;
    return arrayNext(t, w, ec);
  }
  return FAST_MISS;
}

/**
 * What mapAt() found for the last map file: its map, whether it is an ARRAY
 * or plain HASH the fast path handles, and its permissions. Reading a map's
 * fields before knowing its class makes those loads see every class of map
 * a program uses (polymorphic, a third slower in the bench); with this a
 * call on the same file as the last one reads none of them. Valid while no
 * map was frozen since (the only way a file's permissions change).
 */
class MapCache {
  /** maps.mapFreezes, read when the first map file is seen (not at this module's evaluation: see the consts above). */
  counter: { count: number } | null = null;
  file: File | null = null;
  map: BpfMap | null = null;
  kind = 0;
  mode = 0;
  freezes = -1;
}
/** The fields of an object behind a const binding: module-level lets are checked for their temporal dead zone on every read. */
const mc = new MapCache();
const KIND_OTHER = 0;
const KIND_ARRAY = 1;
const KIND_HTAB = 2;

/** __bpf_map_get() + map_get_sys_perms(): the kind of the map at fd (its map left in mc.map), or KIND_OTHER when the fast path does not handle it or the fd does not allow `mode` (the generic path reports why). */
function mapAt(t: Task, fd: number, mode: number): number {
  // The last map file, still at fd, with no map frozen since (mc.file is only ever set together with mc.counter, and
  // only to a file that get() returned, so no O_PATH file): its kind and permissions as found then.
  const f = t.files.peek(fd);
  return f === mc.file && mc.freezes === mc.counter!.count ? (mc.mode & mode ? mc.kind : KIND_OTHER) : mapAtNew(t, fd, mode);
}

/** mapAt() for another file than last time (or after a freeze), in a function of its own so that mapAt stays small enough to inline. */
function mapAtNew(t: Task, fd: number, mode: number): number {
  const f = t.files.get(fd);
  if (f === undefined || f.f_op !== maps.bpf_map_fops) return KIND_OTHER;
  const map = f.private_data as BpfMap;
  let m = f.f_mode;
  if (map.frozen) m &= ~FMODE_WRITE;
  mc.file = f;
  mc.map = map;
  mc.mode = m;
  mc.kind = isArray(map) ? KIND_ARRAY : htabFastOk(map) ? KIND_HTAB : KIND_OTHER;
  const counter = maps.mapFreezes;
  mc.counter = counter;
  mc.freezes = counter.count;
  return mc.mode & mode ? mc.kind : KIND_OTHER;
}

/**
 * User pointers stay two int32 words (lo, hi) all the way to
 * AddressSpace.pin(): as a double (about 2.7e8 and up) a pointer passed to a
 * function that is not inlined would be a heap number. A high word at or
 * above USER_HI_MAX is left to the generic path: the attr's own pages (below
 * ATTR_END) start there, and in them the generic path sees the attr instead
 * of the memory; everything above is EFAULT.
 */
const USER_HI_MAX = Math.floor(ATTR_END_NUM / 4294967296);

/**
 * The longest attr whose pages stay at or above USER_HI_MAX * 2^32. (| 0: an
 * int constant; as the double that the arithmetic gives, every call compared
 * the attr's length as a double.)
 */
const MAX_LEN = (ATTR_END_NUM - USER_HI_MAX * 4294967296) | 0;

function badHi(hi: number): boolean {
  return hi < 0 || hi >= USER_HI_MAX;
}

/** The u32 (an array index) at offset o of the last pinned buffer: one word at a word offset. */
function pinnedU32(mem: AddressSpace, o: number): number {
  return (o & 3) === 0 ? mem.pinWords[o >> 2]! >>> 0 : pinnedU32Bytes(mem, o);
}

function pinnedU32Bytes(mem: AddressSpace, o: number): number {
  const b = mem.pinBuf;
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}

function isArray(map: BpfMap): boolean {
  return map.ops === arraymap.array_map_ops && map.map_type === BPF_MAP_TYPE.ARRAY && !map.hasSpecialFields;
}

// The handlers below repeat their prologue (flags, the key and value pointer words, the map's fields) on purpose: each
// is compiled with its helpers inlined within V8's inlining budget, and reads one class of map only. A shared prologue
// function took budget from the pins and copies, and whether they were inlined then varied from process to process
// (docs/performance.md, fourth and fifth rounds).

// map_lookup_elem(): flags 0 only (BPF_F_LOCK and bad flags: generic path).
function arrayLookup(t: Task, w: Int32Array, ec: ElemCmd): number {
  const fi = ec.flags >> 2;
  if ((w[fi]! | w[fi + 1]!) !== 0) return FAST_MISS;
  const ki = ec.key >> 2;
  const kHi = w[ki + 1]!;
  const vi = ec.val >> 2;
  const vHi = w[vi + 1]!;
  if (badHi(kHi) || badHi(vHi)) return FAST_MISS;
  const a = mc.map as BpfArray;
  const mem = t.memory;
  const ko = mem.pin(w[ki]!, kHi, 4, false);
  if (ko < 0) return FAST_MISS;
  const index = pinnedU32(mem, ko);
  if (index >= a.max_entries) return FAST_MISS;
  const vs = a.value_size;
  const vo = mem.pin(w[vi]!, vHi, vs, true);
  if (vo < 0) return FAST_MISS;
  const off = index * a.elem_size;
  // An 8-byte value at a word offset as two words.
  if (vs === 8 && (vo & 3) === 0 && a.data!.read8(off, mem.pinWords, vo >> 2)) return 0;
  a.data!.read(off, mem.pinBuf, vo, vs);
  return 0;
}

function htabLookup(t: Task, w: Int32Array, ec: ElemCmd): number {
  const fi = ec.flags >> 2;
  if ((w[fi]! | w[fi + 1]!) !== 0) return FAST_MISS;
  const ki = ec.key >> 2;
  const kHi = w[ki + 1]!;
  const vi = ec.val >> 2;
  const vHi = w[vi + 1]!;
  if (badHi(kHi) || badHi(vHi)) return FAST_MISS;
  const map = mc.map!;
  const ks = map.key_size;
  if (ks === 0) return FAST_MISS;
  const mem = t.memory;
  const ko = mem.pin(w[ki]!, kHi, ks, false);
  if (ko < 0) return FAST_MISS;
  const kb = mem.pinBuf;
  const kw = mem.pinWords;
  const vo = mem.pin(w[vi]!, vHi, map.value_size, true);
  if (vo < 0) return FAST_MISS;
  // The key is read in full (hashed and compared) before the value is written, so overlapping key and value are fine.
  // HTAB_MISS is the fast ops' only negative answer.
  return htabFastLookup(map, kb, kw, ko, mem.pinBuf, mem.pinWords, vo) < 0 ? FAST_MISS : 0;
}

// map_update_elem(): flags BPF_ANY, BPF_NOEXIST, BPF_EXIST where they succeed.
function arrayUpdate(t: Task, w: Int32Array, ec: ElemCmd): number {
  const fi = ec.flags >> 2;
  const flags = w[fi]!;
  // array_map_update_elem(): NOEXIST is EEXIST for an array (generic path), and so is anything but ANY and EXIST here.
  if (w[fi + 1] !== 0 || (flags !== 0 && flags !== 2)) return FAST_MISS;
  const ki = ec.key >> 2;
  const kHi = w[ki + 1]!;
  const vi = ec.val >> 2;
  const vHi = w[vi + 1]!;
  if (badHi(kHi) || badHi(vHi)) return FAST_MISS;
  const a = mc.map as BpfArray;
  const mem = t.memory;
  const ko = mem.pin(w[ki]!, kHi, 4, false);
  if (ko < 0) return FAST_MISS;
  const index = pinnedU32(mem, ko);
  if (index >= a.max_entries) return FAST_MISS;
  const vs = a.value_size;
  const vo = mem.pin(w[vi]!, vHi, vs, false);
  if (vo < 0) return FAST_MISS;
  const off = index * a.elem_size;
  if (vs === 8 && (vo & 3) === 0 && a.data!.write8(off, mem.pinWords, vo >> 2)) return 0;
  a.data!.write(off, mem.pinBuf, vo, vs);
  return 0;
}

function htabUpdate(t: Task, w: Int32Array, ec: ElemCmd): number {
  const fi = ec.flags >> 2;
  const flags = w[fi]!;
  if (w[fi + 1] !== 0 || flags < 0 || flags > 2) return FAST_MISS;
  const ki = ec.key >> 2;
  const kHi = w[ki + 1]!;
  const vi = ec.val >> 2;
  const vHi = w[vi + 1]!;
  if (badHi(kHi) || badHi(vHi)) return FAST_MISS;
  const map = mc.map!;
  const ks = map.key_size;
  if (ks === 0) return FAST_MISS;
  const mem = t.memory;
  const ko = mem.pin(w[ki]!, kHi, ks, false);
  if (ko < 0) return FAST_MISS;
  const kb = mem.pinBuf;
  const kw = mem.pinWords;
  const vo = mem.pin(w[vi]!, vHi, map.value_size, false);
  if (vo < 0) return FAST_MISS;
  return htabFastUpdate(map, kb, kw, ko, mem.pinBuf, mem.pinWords, vo, flags) < 0 ? FAST_MISS : 0;
}

// map_delete_elem() on a HASH map.
function htabDelete(t: Task, w: Int32Array, ec: ElemCmd): number {
  const map = mc.map!;
  const ki = ec.key >> 2;
  const kHi = w[ki + 1]!;
  const ks = map.key_size;
  if (badHi(kHi) || ks === 0) return FAST_MISS;
  const mem = t.memory;
  const ko = mem.pin(w[ki]!, kHi, ks, false);
  if (ko < 0) return FAST_MISS;
  return htabFastDelete(map, mem.pinBuf, ko) < 0 ? FAST_MISS : 0;
}

// map_get_next_key(): a NULL key starts the walk; the end of the walk (ENOENT) takes the generic path.
function htabNext(t: Task, w: Int32Array, ec: ElemCmd): number {
  const map = mc.map!;
  const ki = ec.key >> 2;
  const kLo = w[ki]!;
  const kHi = w[ki + 1]!;
  const ni = ec.val >> 2;
  const nHi = w[ni + 1]!;
  if (badHi(kHi) || badHi(nHi)) return FAST_MISS;
  const ks = map.key_size;
  if (ks === 0) return FAST_MISS;
  const mem = t.memory;
  let s: number;
  if ((kLo | kHi) === 0) s = htabFastNextSlot(map, null, mem.pinWords, 0);
  else {
    const ko = mem.pin(kLo, kHi, ks, false);
    if (ko < 0) return FAST_MISS;
    s = htabFastNextSlot(map, mem.pinBuf, mem.pinWords, ko);
  }
  if (s < 0) return FAST_MISS;
  // The key was consumed above: next_key may be the same buffer.
  const no = mem.pin(w[ni]!, nHi, ks, true);
  if (no < 0) return FAST_MISS;
  // A 4-byte key to a word offset as one word.
  if (ks === 4 && (no & 3) === 0) mem.pinWords[no >> 2] = htabKeyWords(map)[s]!;
  else copyBytes(mem.pinBuf, no, htabKeys(map), s * ks, ks);
  return 0;
}

// bpf_array_get_next_key()
function arrayNext(t: Task, w: Int32Array, ec: ElemCmd): number {
  const map = mc.map!;
  const ki = ec.key >> 2;
  const kLo = w[ki]!;
  const kHi = w[ki + 1]!;
  const ni = ec.val >> 2;
  const nHi = w[ni + 1]!;
  if (badHi(kHi) || badHi(nHi)) return FAST_MISS;
  const mem = t.memory;
  let index = 0xffffffff;
  if ((kLo | kHi) !== 0) {
    const ko = mem.pin(kLo, kHi, 4, false);
    if (ko < 0) return FAST_MISS;
    index = pinnedU32(mem, ko);
  }
  let next = 0;
  if (index < map.max_entries) {
    if (index === map.max_entries - 1) return FAST_MISS;
    next = index + 1;
  }
  const no = mem.pin(w[ni]!, nHi, 4, true);
  if (no < 0) return FAST_MISS;
  const nb = mem.pinBuf;
  nb[no] = next & 0xff;
  nb[no + 1] = (next >>> 8) & 0xff;
  nb[no + 2] = (next >>> 16) & 0xff;
  nb[no + 3] = next >>> 24;
  return 0;
}

// SPDX-License-Identifier: GPL-2.0-only
// kernel/bpf/syscall.c: the bpf() entry point and one handler per command, in
// the kernel's check order (errno priority is part of the ABI). Handlers
// return an fd, 0 or a negative errno, and name the failing check through
// t.fail(). Map, program, link and BTF semantics live in their own files.

import { Attr, cmdFields as cmdFields_, type CmdFields } from "../abi/attr.ts";
import * as errno from "../abi/errno.ts";
import { LAZY_MISS as LAZY_MISS_ } from "../abi/miss.ts";
import { PAGE_SIZE, UA_OVERLAY, copyBytes, u8set as u8set_, uattrFor as uattrFor_ } from "../abi/uaccess.ts";
import * as consts from "../uapi/gen/consts-6.18.ts";
import { BPF_F as BPF_F_ } from "../uapi/defines.ts";
import type { BpfMap, BpfToken } from "./bpf.ts";
import { createOffs as createOffs_ } from "./bpf.ts";
import { CAP as CAP_ } from "./capability.ts";
import { O_CLOEXEC, O_RDONLY, O_RDWR, O_WRONLY, type File } from "./file.ts";
import * as maps from "./maps.ts";
import * as objs from "./objects.ts";
import type { Task } from "./task.ts";
import type { UapiTables } from "../uapi/layout.ts";
import * as token from "./token.ts";
import * as tok from "./token_create.ts";
import { bpf_token_create_v1 } from "./token_v1.ts";
import * as fs from "./inode_ops.ts";

// What the handlers use per call from other modules, as consts of this one: an
// imported binding is read through the exporting module's cell and checked for
// its temporal dead zone on every use. Only functions (hoisted, there even
// while a module cycle is still evaluating) and the constants of modules that
// import nothing but each other (errno, miss, uaccess, the generated
// constants, defines, capability) are copied here.
const { E2BIG, EBADF, EBADFD, EFAULT, EINVAL, ENOENT, ENOTSUPP, EOPNOTSUPP, EPERM, ESRCH } = errno;
const { BPF_ATTACH_TYPE: AT, BPF_CMD, BPF_MAP_TYPE: MT, BPF_PROG_TYPE: PT } = consts;
const LAZY_MISS = LAZY_MISS_;
const BPF_F = BPF_F_;
const CAP = CAP_;
const cmdFields = cmdFields_;
const u8set = u8set_;
const uattrFor = uattrFor_;
const createOffs = createOffs_;
const { bpf_token_allow_cmd, bpf_token_allow_map_type, bpf_token_allow_prog_type, bpf_token_capable, bpf_token_get_from_fd, bpf_token_put, maxMapType } = token;

export const INT_MAX = 0x7fffffff;
export const BPF_OBJ_NAME_LEN = 16;
const BPF_COMPLEXITY_LIMIT_INSNS = 1_000_000;
const BPF_MAXINSNS = 4096;
const BTF_MAX_TYPE = 0xfffff;

// ---------------------------------------------------------------------------
// Entry: __sys_bpf
// ---------------------------------------------------------------------------

/**
 * bpf_check_uarg_tail_zero(): a caller may pass a larger attr than this
 * kernel knows, as long as the extra bytes are zero. Over a page is "silly".
 */
export function bpf_check_uarg_tail_zero(t: Task, uaddr: bigint, expected: number, actual: number, what: string): number {
  if (actual > PAGE_SIZE) return t.fail(-E2BIG, `${what}: size ${actual} is over PAGE_SIZE (4096)`);
  if (actual <= expected) return 0;
  return tail_zero_at(t, Number(uaddr), expected, actual, what);
}

/** The rest of bpf_check_uarg_tail_zero() with the address as a number (actual > expected, actual <= PAGE_SIZE). */
function tail_zero_at(t: Task, ua: number, expected: number, actual: number, what: string): number {
  const res = t.memory.checkZeroedAt(ua + expected, actual - expected);
  if (res < 0) return t.fail(-EFAULT, `${what}: bytes [${expected}, ${actual}) past the kernel's struct (${expected} bytes) are not readable`);
  if (res === 0) return t.fail(-E2BIG, tailReason(what, t.memory.lastNonZero - ua, expected, actual));
  return 0;
}

/**
 * The E2BIG reason, remembered for the last arguments: a caller that keeps
 * retrying the same oversized attr does not rebuild the same string.
 */
const tailMemo = { what: "", at: -1, expected: -1, actual: -1, reason: "" };
export function tailReason(what: string, at: number, expected: number, actual: number): string {
  const m = tailMemo;
  // The string is built in a function of its own: inlined with it, this one took ~100 bytes of its callers' inlining
  // budget (the entry's inlined tail check among them) for a branch a retried attr never takes.
  return m.at === at && m.expected === expected && m.actual === actual && m.what === what ? m.reason : tailReasonNew(what, at, expected, actual);
}

function tailReasonNew(what: string, at: number, expected: number, actual: number): string {
  const m = tailMemo;
  m.what = what;
  m.at = at;
  m.expected = expected;
  m.actual = actual;
  m.reason = `${what}: non-zero byte at offset ${at} past the kernel's struct (${expected} bytes); size ${actual}`;
  return m.reason;
}

/** Context of one bpf() call, handed to every handler. */
export interface Call {
  readonly t: Task;
  readonly cmd: number;
  readonly attr: Attr;
  /** The user's attr pointer (uattr), for put_user/copy_to_user write-backs. */
  readonly uattr: bigint;
  /** min(size, sizeof(union bpf_attr)) */
  readonly size: number;
}

/**
 * __sys_bpf(): tail check, clamp, zero-filled copy, LSM hook (no policy is
 * loaded, so it allows), then one switch over the commands.
 *
 * The kernel's copy lives on its stack; here it is the task's reusable Attr
 * (AddressSpace.kattr), zero-filled past `size` on every call, so a call
 * allocates neither the buffer nor its DataView. `ua` is uattr as a number,
 * or UA_OVERLAY for the attr sys_bpf() installed.
 */
export function __sys_bpf(t: Task, cmd: number, uattr: bigint, size: number, ua: number = Number(uattr), src: Uint8Array | null = null): number {
  const tables = t.kernel.tables;
  const attrSize = tables.attrSize;
  size = size >>> 0;
  if (size > attrSize) {
    const err = oversizeAttr(t, ua, attrSize, size);
    if (err) return err;
    size = attrSize;
  }
  cmd = cmd | 0;
  const mem = t.memory;
  // The command's layout is looked up before the copy (no side effects) but
  // an unknown command is reported after it: a faulting copy comes first.
  const fields = cmd >= 0 ? cmdFields(tables, cmd) : undefined;
  let attr = mem.kattr;
  // The task's copy is used unless a call of this task is already using it
  // (a nested call gets a fresh one); it is made on the first call, before
  // anything can fail, so that failing calls do not allocate either.
  const own = !mem.kattrBusy;
  if (!own || attr === null || attr.bytes.length !== attrSize) {
    attr = freshAttr(t, own, attrSize, fields);
  } else {
    const dirty = attr.dirtyEnd;
    if (dirty > size) clearAttr(attr, size, dirty);
  }
  // Past `size` the copy is zero; a copy that faults part-way leaves [0, size) partly written.
  attr.dirtyEnd = size;
  // src is the array sys_bpf installed at ua (UA_OVERLAY): when it holds all `size` bytes the copy cannot fault and is taken from it.
  if (src !== null && size <= src.length) copyFromCaller(attr, src, size);
  else if (mem.copyAttrAt(attr.bytes, attr.words, ua, size) !== 0) return entryFail(t, -EFAULT, size, cmd, fields);
  if (fields === undefined) return entryFail(t, -EINVAL, size, cmd, fields);
  const handler = handlersFor(tables)[cmd];
  if (handler === undefined) return entryFail(t, -EINVAL, size, cmd, fields);
  fields.rewind();
  attr.fields = fields;
  if (!own) return handler({ t, cmd, attr, uattr, size });
  // The task's own copy keeps one Call context too, refilled per call (a nested call makes its own).
  const c = callOf(attr, t, cmd, uattr, size);
  mem.kattrBusy = true;
  try {
    return handler(c);
  } finally {
    mem.kattrBusy = false;
  }
}

/**
 * copy_from_user() of the attr when the caller's array `src` holds all
 * `size` bytes. A fresh array (a trace cycles through its attrs) is copied
 * with one set(), the cheapest way here; an array passed again, as loops
 * do, a word at a time through a view of it made on its second call.
 */
function copyFromCaller(attr: Attr, src: Uint8Array, size: number): void {
  const dst = attr.bytes;
  if (src !== attr.prevSrc) {
    attr.prevSrc = src;
    attr.prevSrc32 = null;
    if (size === src.length) u8set.call(dst, src);
    else copyBytes(dst, 0, src, 0, size);
    return;
  }
  let w = attr.prevSrc32;
  // A view made of a buffer detached since has length 0: made again (or none, and the bytes are copied).
  if (w === null || w.length !== src.length >> 2) w = attr.prevSrc32 = (src.byteOffset & 3) === 0 ? new Int32Array(src.buffer, src.byteOffset, src.length >> 2) : null;
  const d32 = attr.words;
  const n = size >> 2;
  if (w === null || n > d32.length) {
    copyBytes(dst, 0, src, 0, size);
    return;
  }
  for (let i = 0; i < n; i++) d32[i] = w[i]!;
  for (let i = n << 2; i < size; i++) dst[i] = src[i]!;
}

/** sys_bpf_lazy() could not take the call: run it on the generic entry. Not a value any bpf() call returns. */
export { LAZY_MISS };

/**
 * sys_bpf() for the handlers that touch no user memory, or only after
 * ensureUserAttr(): the caller's attr is copied straight from its array and
 * not installed in the address space (AddressSpace.setOverlay, ~6% of a
 * replayed token trace) unless the handler asks for it. Only a call whose
 * attr is all in the array and fits the union (no tail check, no fault),
 * and not nested; anything else returns LAZY_MISS before changing anything.
 * cmd and size are finite numbers (sys_bpf checked). The handlers:
 * map_create (installs it before reading excl_prog_hash), token_create
 * (never reads user memory) and bpf_btf_load (installs it before
 * btf_new_fd, after the flag, token and capability checks).
 */
export function sys_bpf_lazy(t: Task, cmd: number, size: number, src: Uint8Array): number {
  const tables = t.kernel.tables;
  const mem = t.memory;
  if (mem.kattrBusy || size >>> 0 !== size || size > tables.attrSize || size > src.length || (cmd | 0) !== cmd || cmd < 0) return LAZY_MISS;
  // Which of the two handlers the command has in this table set, a byte per command: a direct call below, not one through the table.
  const kinds = tables === lazyMemo.tables ? lazyMemo.kinds : lazyKindsFor(tables);
  const kind = cmd < kinds.length ? kinds[cmd]! : LAZY_NONE;
  if (kind === LAZY_NONE) return LAZY_MISS;
  const fields = cmdFields(tables, cmd);
  if (fields === undefined) return LAZY_MISS;
  let attr = mem.kattr;
  if (attr === null || attr.bytes.length !== tables.attrSize) attr = freshAttr(t, true, tables.attrSize, fields);
  else if (attr.dirtyEnd > size) clearAttr(attr, size, attr.dirtyEnd);
  attr.dirtyEnd = size;
  copyFromCaller(attr, src, size);
  fields.rewind();
  attr.fields = fields;
  const c = callOf(attr, t, cmd, uattrFor(src.length), size);
  attr.lazySrc = src;
  mem.kattrBusy = true;
  try {
    return kind === LAZY_MAP_CREATE ? map_create(c) : kind === LAZY_TOKEN_CREATE ? token_create(c) : bpf_btf_load(c);
  } finally {
    mem.kattrBusy = false;
    attr.lazySrc = null;
    if (attr.overlaid) {
      attr.overlaid = false;
      mem.setOverlay(null);
    }
  }
}

/** The handlers sys_bpf_lazy runs, by command number of the last table set (taken from the handler table, so both dispatch alike). */
const LAZY_NONE = 0;
const LAZY_MAP_CREATE = 1;
const LAZY_TOKEN_CREATE = 2;
const LAZY_BTF_LOAD = 3;
/** The last table set's lazy kinds (fields of a const object: module-level lets are checked for their temporal dead zone on every read). */
const lazyMemo: { tables: UapiTables | null; kinds: Uint8Array } = { tables: null, kinds: new Uint8Array(0) };
function lazyKindsFor(tables: UapiTables): Uint8Array {
  const kinds = Uint8Array.from(handlersFor(tables), (h) => (h === map_create ? LAZY_MAP_CREATE : h === token_create ? LAZY_TOKEN_CREATE : h === bpf_btf_load ? LAZY_BTF_LOAD : LAZY_NONE));
  lazyMemo.tables = tables;
  lazyMemo.kinds = kinds;
  return kinds;
}

/**
 * Installs the caller's attr in the address space, as sys_bpf does before
 * the generic entry, for a handler run by sys_bpf_lazy() that is about to
 * read user memory (the attr's own bytes may be what it reads). Nothing to
 * do on any other call.
 */
export function ensureUserAttr(c: Call): void {
  const attr = c.attr;
  const src = attr.lazySrc;
  if (src === null) return;
  attr.lazySrc = null;
  attr.overlaid = true;
  c.t.memory.setOverlay(src);
}

/** The task's reused Call context of its own attr copy, refilled for this call (made on the first). */
function callOf(attr: Attr, t: Task, cmd: number, uattr: bigint, size: number): CallCtx {
  let c = attr.call as CallCtx | null;
  if (c === null) attr.call = c = new CallCtx(t, cmd, attr, uattr, size);
  else {
    c.t = t;
    c.cmd = cmd;
    c.uattr = uattr;
    c.size = size;
  }
  return c;
}


// __sys_bpf()'s rare branches, kept out of it so that the common path stays small.

/** An attr larger than the kernel's union: over a page, or a non-zero tail (bpf_check_uarg_tail_zero). */
function oversizeAttr(t: Task, ua: number, attrSize: number, size: number): number {
  if (size > PAGE_SIZE) return t.fail(-E2BIG, `bpf_attr: size ${size} is over PAGE_SIZE (4096)`);
  if (ua === UA_OVERLAY) {
    // The installed attr, by offset (no address as a double); a tail running past its end takes the generic path below.
    const res = t.memory.checkZeroedOverlay(attrSize, size);
    if (res === 1) return 0;
    if (res === 0) return t.fail(-E2BIG, tailReason("bpf_attr", t.memory.lastNonZeroRel, attrSize, size));
    ua = t.memory.overlayStart;
  }
  return tail_zero_at(t, ua, attrSize, size, "bpf_attr");
}

/**
 * Zeroes [from, to) of the reused copy: what the last call wrote past this
 * call's size. Whole words through the copy's Int32Array (a fill() call was a
 * visible part of a short call following a long one), the ends by bytes.
 */
function clearAttr(attr: Attr, from: number, to: number): void {
  const bytes = attr.bytes;
  const w = attr.words;
  let i = from;
  if (to - from > 8 && w.length << 2 >= to) {
    while (i & 3) bytes[i++] = 0;
    const we = to >> 2;
    for (let k = i >> 2; k < we; k++) w[k] = 0;
    i = we << 2;
  }
  for (; i < to; i++) bytes[i] = 0;
}

/** A new kernel copy: the task's first call, a nested call, or a table set of another size. */
function freshAttr(t: Task, own: boolean, attrSize: number, fields: CmdFields | undefined): Attr {
  const attr = new Attr(new Uint8Array(attrSize), fields ?? cmdFields(t.kernel.tables, 0)!);
  if (own) t.memory.kattr = attr;
  return attr;
}

/** The entry's own failures: the copy faulted (-EFAULT), an unknown command, a command without a handler. */
function entryFail(t: Task, err: number, size: number, cmd: number, fields: CmdFields | undefined): number {
  if (err === -EFAULT) return t.fail(-EFAULT, `copy_from_user of ${size} attr bytes faulted`);
  if (fields === undefined) return t.fail(-EINVAL, `unknown command ${cmd} (this ABI has 0..${t.kernel.tables.commands.length - 1})`);
  return t.fail(-EINVAL, `command ${fields.layout.name} has no handler`);
}

/** The Call of a task's reusable attr copy (see __sys_bpf). */
class CallCtx implements Call {
  t: Task;
  cmd: number;
  readonly attr: Attr;
  uattr: bigint;
  size: number;
  constructor(t: Task, cmd: number, attr: Attr, uattr: bigint, size: number) {
    this.t = t;
    this.cmd = cmd;
    this.attr = attr;
    this.uattr = uattr;
    this.size = size;
  }
}

/**
 * CHECK_ATTR(): every byte after the command's LAST_FIELD, up to
 * sizeof(union bpf_attr), must be zero in the kernel's copy. The copy is
 * zero from `size` on (handlers call this before writing to it), so only
 * [end, size) needs a look.
 */
export function CHECK_ATTR(c: Call): boolean {
  const attr = c.attr;
  const end = attr.fields.end;
  if (c.size <= end) return false;
  const at = attr.firstNonZero(end, c.size);
  if (at < 0) return false;
  c.t.fail(-EINVAL, checkAttrReason(attr.fields, at, attr.bytes[at]!));
  return true;
}

/** CHECK_ATTR's reason for the non-zero `byte` at offset `at` (also used by fastpath.ts), remembered for the last arguments. */
export function checkAttrReason(fields: CmdFields, at: number, byte: number): string {
  const m = checkAttrMemo;
  if (m.fields !== fields || m.at !== at || m.byte !== byte) {
    m.fields = fields;
    m.at = at;
    m.byte = byte;
    m.reason = `CHECK_ATTR(BPF_${fields.layout.name}): byte ${at} is 0x${byte.toString(16).padStart(2, "0")}, but everything from offset ${fields.end} (end of ${fields.layout.lastField}) must be zero`;
  }
  return m.reason;
}

/** The last CHECK_ATTR reason and what it was made from (see tailMemo). */
const checkAttrMemo: { fields: CmdFields | null; at: number; byte: number; reason: string } = { fields: null, at: -1, byte: -1, reason: "" };

type Handler = (c: Call) => number;

// ---------------------------------------------------------------------------
// fd helpers shared by the handlers
// ---------------------------------------------------------------------------

/** bpf_get_file_flag(): RDONLY and WRONLY are exclusive; they pick the fd's mode. */
export function bpf_get_file_flag(flags: number): number {
  if (flags & BPF_F.RDONLY && flags & BPF_F.WRONLY) return -EINVAL;
  if (flags & BPF_F.RDONLY) return O_RDONLY;
  if (flags & BPF_F.WRONLY) return O_WRONLY;
  return O_RDWR;
}

/**
 * bpf_obj_name_cpy(): letters, digits, '_' and '.' before a NUL that must
 * come within the field. Returns the name (zero-padded to the field's size)
 * or -EINVAL naming the offending byte.
 */
export function bpf_obj_name_cpy(t: Task, src: Uint8Array, field: string): Uint8Array<ArrayBuffer> | number {
  const dst = new Uint8Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const ch = src[i]!;
    if (ch === 0) return dst;
    if (!isalnum(ch) && ch !== 0x5f /* _ */ && ch !== 0x2e /* . */)
      return t.fail(-EINVAL, `bpf_obj_name_cpy: ${field}[${i}] is 0x${ch.toString(16).padStart(2, "0")}; only letters, digits, '_' and '.' are allowed`);
    dst[i] = ch;
  }
  return t.fail(-EINVAL, `bpf_obj_name_cpy: ${field} has no NUL within ${src.length} bytes`);
}

export function isalnum(ch: number): boolean {
  if ((ch >= 0x30 && ch <= 0x39) || (ch >= 0x41 && ch <= 0x5a) || (ch >= 0x61 && ch <= 0x7a)) return true;
  // lib/ctype.c: Latin-1 letters (upper 0xc0-0xde, lower 0xdf-0xff), but not × (0xd7) and ÷ (0xf7).
  return ch >= 0xc0 && ch !== 0xd7 && ch !== 0xf7;
}

// ---------------------------------------------------------------------------
// BPF_MAP_CREATE
// ---------------------------------------------------------------------------

const BPF_MAP_CREATE_LAST_FIELD = "excl_prog_hash_size";
void BPF_MAP_CREATE_LAST_FIELD;

/*
 * map_create's failure reasons that name only the map type (or the sysctl),
 * made once per value: a token trace fails most of its MAP_CREATEs on these,
 * and a template string per call was a good part of such a call.
 */
const MTR_PAST_MAX = 0;
const MTR_NO_OPS = 1;
const MTR_CAP_BPF = 2;
const MTR_CAP_NET_ADMIN = 3;
const MTR_NO_CLASS = 4;
const mapTypeReasons: string[][] = [[], [], [], [], []];

function mapTypeReason(kind: number, map_type: number): string {
  const memo = mapTypeReasons[kind]!;
  let s = map_type < 4096 ? memo[map_type] : undefined;
  if (s === undefined) {
    s =
      kind === MTR_PAST_MAX
        ? `map_type ${map_type} is past __MAX_BPF_MAP_TYPE`
        : kind === MTR_NO_OPS
          ? `map_type ${map_type} has no map ops`
          : kind === MTR_CAP_BPF
            ? `map_type ${map_type} needs CAP_BPF`
            : kind === MTR_CAP_NET_ADMIN
              ? `map_type ${map_type} needs CAP_NET_ADMIN`
              : `map_type ${map_type}: no privilege class`;
    if (map_type < 4096) memo[map_type] = s;
  }
  return s;
}

const unprivReasons: string[] = [];

function unprivReason(sysctl: number, withToken: boolean): string {
  const k = sysctl * 2 + (withToken ? 1 : 0);
  let s = k >= 0 && k < 16 ? unprivReasons[k] : undefined;
  if (s === undefined) {
    s = `kernel.unprivileged_bpf_disabled=${sysctl} and the caller lacks CAP_BPF${withToken ? " in the token's user namespace" : ""}`;
    if (k >= 0 && k < 16) unprivReasons[k] = s;
  }
  return s;
}

function map_create(c: Call): number {
  const { t, attr } = c;
  if (CHECK_ATTR(c)) return -EINVAL;
  const v1 = t.kernel.abi === "rfc-v1";
  // Fields at fixed offsets of this layout (bpf.ts createOffs), not by name.
  const o = createOffs(attr);

  // Upstream: the token is signalled by a flag, which is consumed here; in v1 a non-zero map_token_fd is the signal.
  let map_flags = attr.u32At(o.map_flags);
  const token_flag = v1 ? attr.u32At(o.map_token_fd) !== 0 : (map_flags & BPF_F.TOKEN_FD) !== 0;
  // Clearing a bit that is not set writes the value already there: only a set flag is written back.
  if (!v1 && token_flag) {
    map_flags &= ~BPF_F.TOKEN_FD;
    attr.setU32At(o.map_flags, map_flags);
  }

  const map_type = attr.u32At(o.map_type);
  if (attr.u32At(o.btf_vmlinux_value_type_id)) {
    if (map_type !== MT.STRUCT_OPS || attr.u32At(o.btf_key_type_id) || attr.u32At(o.btf_value_type_id))
      return t.fail(-EINVAL, "btf_vmlinux_value_type_id is only for STRUCT_OPS maps, with btf_key_type_id and btf_value_type_id zero");
  } else if (attr.u32At(o.btf_key_type_id) && !attr.u32At(o.btf_value_type_id)) {
    return t.fail(-EINVAL, "btf_key_type_id is set but btf_value_type_id is 0");
  }

  if ((attr.u32At(o.map_extra) | attr.hi32At(o.map_extra)) !== 0 && map_type !== MT.BLOOM_FILTER && map_type !== MT.ARENA)
    return t.fail(-EINVAL, `map_extra is only for BLOOM_FILTER and ARENA maps (map_type ${map_type})`);

  const f_flags = bpf_get_file_flag(map_flags);
  if (f_flags < 0) return t.fail(f_flags, "map_flags: BPF_F_RDONLY and BPF_F_WRONLY are both set");

  // bpf_map_attr_numa_node(): only meaningful with BPF_F_NUMA_NODE; NUMA_NO_NODE (-1) passes.
  if (map_flags & BPF_F.NUMA_NODE) {
    const node = attr.u32At(o.numa_node);
    if (node !== 0xffffffff && node >= t.kernel.numaNodes)
      return t.fail(-EINVAL, `numa_node ${node} is not an online node (nr_node_ids ${t.kernel.numaNodes})`);
  }

  // find_and_alloc_map() first half: the type table.
  if (map_type >= maxMapType(t)) return t.fail(-EINVAL, mapTypeReason(MTR_PAST_MAX, map_type));
  let ops = maps.bpf_map_types[map_type];
  if (ops === undefined) return t.fail(-EINVAL, mapTypeReason(MTR_NO_OPS, map_type));
  // The optional ops are a function or absent (exactOptionalPropertyTypes), so they are compared with undefined: a truthiness test
  // of a function loads its map, a dependent load that was a visible part of a failing create.
  if (ops.map_alloc_check !== undefined) {
    const err = ops.map_alloc_check(t, attr);
    if (err) return err;
  }
  if (attr.u32At(o.map_ifindex)) ops = maps.bpf_map_offload_ops;
  if (ops.map_mem_usage === undefined) return t.fail(-EINVAL, "map type has no map_mem_usage");

  let token: BpfToken | null = null;
  if (token_flag) {
    const r = map_create_token(t, attr.u32At(o.map_token_fd) | 0, map_type);
    if (typeof r === "number") return r;
    token = r;
  }
  try {
    const err = map_create_capable(t, token, map_type);
    if (err) return err;
    const m = ops.map_alloc(t, attr);
    if (typeof m === "number") return m;
    return maps.map_create_finish(c, m, token, f_flags);
  } finally {
    bpf_token_put(token);
  }
}

/**
 * map_create()'s token lookup: the token, null when it does not cover this
 * request (dropped silently: the checks that follow run as if none was
 * given), or the errno of a bad token fd. Kept out of map_create so that the
 * common path stays small.
 */
function map_create_token(t: Task, ufd: number, map_type: number): BpfToken | null | number {
  const r = bpf_token_get_from_fd(t, ufd, "map_token_fd");
  if (typeof r === "number") return r;
  if (!bpf_token_allow_cmd(r, BPF_CMD.MAP_CREATE) || !bpf_token_allow_map_type(t, r, map_type)) {
    bpf_token_put(r);
    return null;
  }
  return r;
}

/** map_create()'s privilege checks: the unprivileged_bpf_disabled sysctl, then the per-type class (centralised in map_create since 6.5). 0 or -EPERM. */
function map_create_capable(t: Task, token: BpfToken | null, map_type: number): number {
  const sysctl = t.kernel.unprivilegedBpfDisabled;
  if (sysctl && !bpf_token_capable(t, token, CAP.BPF)) return t.fail(-EPERM, unprivReason(sysctl, token !== null));
  // The class by table (a switch over 33 types made this function too large for TurboFan to inline into map_create).
  const cls = map_type < MAP_CLASS.length ? MAP_CLASS[map_type]! : CLASS_NONE;
  if (cls === CLASS_UNPRIV) return 0;
  if (cls === CLASS_BPF) return bpf_token_capable(t, token, CAP.BPF) ? 0 : t.fail(-EPERM, mapTypeReason(MTR_CAP_BPF, map_type));
  if (cls === CLASS_NET_ADMIN) return bpf_token_capable(t, token, CAP.NET_ADMIN) ? 0 : t.fail(-EPERM, mapTypeReason(MTR_CAP_NET_ADMIN, map_type));
  return t.fail(-EPERM, mapTypeReason(MTR_NO_CLASS, map_type));
}

/*
 * map_create()'s privilege class of each map type: no capability needed
 * (past the sysctl), CAP_BPF, CAP_NET_ADMIN, or none (a type map_create does
 * not list is refused).
 */
const CLASS_NONE = 0;
const CLASS_UNPRIV = 1;
const CLASS_BPF = 2;
const CLASS_NET_ADMIN = 3;
const MAP_CLASS = ((): Uint8Array => {
  const c = new Uint8Array(64);
  for (const mt of [MT.ARRAY, MT.PERCPU_ARRAY, MT.PROG_ARRAY, MT.PERF_EVENT_ARRAY, MT.CGROUP_ARRAY, MT.ARRAY_OF_MAPS, MT.HASH, MT.PERCPU_HASH, MT.HASH_OF_MAPS, MT.RINGBUF, MT.USER_RINGBUF, MT.CGROUP_STORAGE, MT.PERCPU_CGROUP_STORAGE])
    c[mt] = CLASS_UNPRIV;
  for (const mt of [MT.SK_STORAGE, MT.INODE_STORAGE, MT.TASK_STORAGE, MT.CGRP_STORAGE, MT.BLOOM_FILTER, MT.LPM_TRIE, MT.REUSEPORT_SOCKARRAY, MT.STACK_TRACE, MT.QUEUE, MT.STACK, MT.LRU_HASH, MT.LRU_PERCPU_HASH, MT.STRUCT_OPS, MT.CPUMAP, MT.ARENA])
    c[mt] = CLASS_BPF;
  for (const mt of [MT.SOCKMAP, MT.SOCKHASH, MT.DEVMAP, MT.DEVMAP_HASH, MT.XSKMAP]) c[mt] = CLASS_NET_ADMIN;
  return c;
})();

// ---------------------------------------------------------------------------
// Element commands: the shared prologue lives here, the work in maps.ts.
// ---------------------------------------------------------------------------

/** LOOKUP and LOOKUP_AND_DELETE reject unknown flags before looking at the fd. */
function only_f_lock(c: Call): number {
  // Tested on the two words: no BigInt is made unless the check fails.
  const attr = c.attr;
  const o = attr.fields.offsetOf("flags");
  if ((attr.u32At(o) & ~BPF_F.LOCK) === 0 && attr.hi32At(o) === 0) return 0;
  return c.t.fail(-EINVAL, `flags 0x${attr.u64At(o).toString(16)}: only BPF_F_LOCK is allowed`);
}

function map_lookup_elem(c: Call): number {
  if (CHECK_ATTR(c)) return -EINVAL;
  return only_f_lock(c) || maps.map_lookup_elem(c);
}

function map_update_elem(c: Call): number {
  if (CHECK_ATTR(c)) return -EINVAL;
  return maps.map_update_elem(c);
}

function map_delete_elem(c: Call): number {
  if (CHECK_ATTR(c)) return -EINVAL;
  return maps.map_delete_elem(c);
}

function map_get_next_key(c: Call): number {
  if (CHECK_ATTR(c)) return -EINVAL;
  return maps.map_get_next_key(c);
}

function map_lookup_and_delete_elem(c: Call): number {
  if (CHECK_ATTR(c)) return -EINVAL;
  return only_f_lock(c) || maps.map_lookup_and_delete_elem(c);
}

function map_freeze(c: Call): number {
  if (CHECK_ATTR(c)) return -EINVAL;
  return maps.map_freeze(c);
}

function bpf_map_do_batch(c: Call): number {
  if (CHECK_ATTR(c)) return -EINVAL;
  return maps.bpf_map_do_batch(c);
}

// ---------------------------------------------------------------------------
// BPF_PROG_LOAD (the part before the verifier)
// ---------------------------------------------------------------------------

/** Prog types that need CAP_NET_ADMIN (is_net_admin_prog_type). */
function is_net_admin_prog_type(pt: number): boolean {
  switch (pt) {
    case PT.SCHED_CLS:
    case PT.SCHED_ACT:
    case PT.XDP:
    case PT.LWT_IN:
    case PT.LWT_OUT:
    case PT.LWT_XMIT:
    case PT.LWT_SEG6LOCAL:
    case PT.SK_SKB:
    case PT.SK_MSG:
    case PT.FLOW_DISSECTOR:
    case PT.CGROUP_DEVICE:
    case PT.CGROUP_SOCK:
    case PT.CGROUP_SOCK_ADDR:
    case PT.CGROUP_SOCKOPT:
    case PT.CGROUP_SYSCTL:
    case PT.SOCK_OPS:
    case PT.EXT:
    case PT.NETFILTER:
      return true;
    default:
      return false;
  }
}

/** Prog types that need CAP_PERFMON (is_perfmon_prog_type). */
function is_perfmon_prog_type(pt: number): boolean {
  switch (pt) {
    case PT.KPROBE:
    case PT.TRACEPOINT:
    case PT.PERF_EVENT:
    case PT.RAW_TRACEPOINT:
    case PT.RAW_TRACEPOINT_WRITABLE:
    case PT.TRACING:
    case PT.LSM:
    case PT.STRUCT_OPS:
    case PT.EXT:
      return true;
    default:
      return false;
  }
}

/** bpf_prog_load_fixup_attach_type(): older loaders leave these attach types 0. */
function bpf_prog_load_fixup_attach_type(attr: Attr, o: objs.LoadOffs): void {
  const pt = attr.u32At(o.prog_type);
  if (attr.u32At(o.expected_attach_type) !== 0) return;
  if (pt === PT.CGROUP_SOCK) attr.setU32At(o.expected_attach_type, AT.CGROUP_INET_SOCK_CREATE);
  else if (pt === PT.SK_REUSEPORT) attr.setU32At(o.expected_attach_type, AT.SK_REUSEPORT_SELECT);
}

/** bpf_prog_load_check_attach(): which expected_attach_type each prog type accepts. */
function bpf_prog_load_check_attach(t: Task, pt: number, eat: number, hasAttachBtf: boolean, btf_id: number, hasDstProg: boolean): number {
  if (btf_id) {
    if (btf_id > BTF_MAX_TYPE) return t.fail(-EINVAL, `attach_btf_id ${btf_id} is above BTF_MAX_TYPE`);
    if (!hasAttachBtf && !hasDstProg) return t.fail(-EINVAL, "attach_btf_id without a BTF object or target program");
    if (pt !== PT.TRACING && pt !== PT.LSM && pt !== PT.STRUCT_OPS && pt !== PT.EXT) return t.fail(-EINVAL, `attach_btf_id is not allowed for prog_type ${pt}`);
  }
  if (hasAttachBtf && (!btf_id || hasDstProg)) return t.fail(-EINVAL, "attach_btf_obj_fd needs attach_btf_id and no target program");
  if (hasDstProg && pt !== PT.TRACING && pt !== PT.EXT) return t.fail(-EINVAL, "attach_prog_fd is only for TRACING and EXT programs");
  switch (pt) {
    case PT.CGROUP_SOCK:
      switch (eat) {
        case AT.CGROUP_INET_SOCK_CREATE:
        case AT.CGROUP_INET_SOCK_RELEASE:
        case AT.CGROUP_INET4_POST_BIND:
        case AT.CGROUP_INET6_POST_BIND:
          return 0;
        default:
          return badEat(t, eat, pt, "CGROUP_SOCK takes INET_SOCK_CREATE/RELEASE, INET4/6_POST_BIND");
      }
    case PT.CGROUP_SOCK_ADDR:
      switch (eat) {
        case AT.CGROUP_INET4_BIND:
        case AT.CGROUP_INET6_BIND:
        case AT.CGROUP_INET4_CONNECT:
        case AT.CGROUP_INET6_CONNECT:
        case AT.CGROUP_UNIX_CONNECT:
        case AT.CGROUP_INET4_GETPEERNAME:
        case AT.CGROUP_INET6_GETPEERNAME:
        case AT.CGROUP_UNIX_GETPEERNAME:
        case AT.CGROUP_INET4_GETSOCKNAME:
        case AT.CGROUP_INET6_GETSOCKNAME:
        case AT.CGROUP_UNIX_GETSOCKNAME:
        case AT.CGROUP_UDP4_SENDMSG:
        case AT.CGROUP_UDP6_SENDMSG:
        case AT.CGROUP_UNIX_SENDMSG:
        case AT.CGROUP_UDP4_RECVMSG:
        case AT.CGROUP_UDP6_RECVMSG:
        case AT.CGROUP_UNIX_RECVMSG:
          return 0;
        default:
          return badEat(t, eat, pt, "CGROUP_SOCK_ADDR takes the bind/connect/getpeername/getsockname/sendmsg/recvmsg types");
      }
    case PT.CGROUP_SKB:
      return eat === AT.CGROUP_INET_INGRESS || eat === AT.CGROUP_INET_EGRESS ? 0 : badEat(t, eat, pt, "CGROUP_SKB takes INET_INGRESS or INET_EGRESS");
    case PT.CGROUP_SOCKOPT:
      return eat === AT.CGROUP_SETSOCKOPT || eat === AT.CGROUP_GETSOCKOPT ? 0 : badEat(t, eat, pt, "CGROUP_SOCKOPT takes GETSOCKOPT or SETSOCKOPT");
    case PT.SK_LOOKUP:
      return eat === AT.SK_LOOKUP ? 0 : badEat(t, eat, pt, "SK_LOOKUP takes SK_LOOKUP");
    case PT.SK_REUSEPORT:
      return eat === AT.SK_REUSEPORT_SELECT || eat === AT.SK_REUSEPORT_SELECT_OR_MIGRATE ? 0 : badEat(t, eat, pt, "SK_REUSEPORT takes SELECT or SELECT_OR_MIGRATE");
    case PT.NETFILTER:
      return eat === AT.NETFILTER ? 0 : badEat(t, eat, pt, "NETFILTER takes NETFILTER");
    case PT.SYSCALL:
    case PT.EXT:
      return eat ? badEat(t, eat, pt, "must be 0") : 0;
    default:
      return 0;
  }
}

/** bpf_prog_load_check_attach()'s refusal of an expected_attach_type (a module function: a closure per load costs a defineProperty under tsx). */
function badEat(t: Task, eat: number, pt: number, what: string): number {
  return t.fail(-EINVAL, `expected_attach_type ${eat} is not valid for prog_type ${pt} (${what})`);
}

const BPF_F_PROG_LOAD_MASK =
  BPF_F.STRICT_ALIGNMENT | BPF_F.ANY_ALIGNMENT | BPF_F.TEST_STATE_FREQ | BPF_F.SLEEPABLE | BPF_F.TEST_RND_HI32 | BPF_F.XDP_HAS_FRAGS | BPF_F.XDP_DEV_BOUND_ONLY | BPF_F.TEST_REG_INVARIANTS;

function bpf_prog_load(c: Call): number {
  const { t, attr } = c;
  if (CHECK_ATTR(c)) return -EINVAL;
  const v1 = t.kernel.abi === "rfc-v1";
  // Fields at fixed offsets of this layout (objects.ts loadOffs), not by name.
  const o = objs.loadOffs(attr);
  const prog_flags = attr.u32At(o.prog_flags);
  // v1 predates BPF_F_TEST_REG_INVARIANTS (6.7): its mask ends at BPF_F_XDP_DEV_BOUND_ONLY (patch 14 context).
  const mask = v1 ? BPF_F_PROG_LOAD_MASK & ~BPF_F.TEST_REG_INVARIANTS : BPF_F_PROG_LOAD_MASK | BPF_F.TOKEN_FD;
  if (prog_flags & ~mask) return t.fail(-EINVAL, `prog_flags 0x${prog_flags.toString(16)} has unknown bits 0x${(prog_flags & ~mask >>> 0).toString(16)}`);

  bpf_prog_load_fixup_attach_type(attr, o);
  const pt = attr.u32At(o.prog_type);
  const eat = attr.u32At(o.expected_attach_type);

  let token: BpfToken | null = null;
  const wantToken = v1 ? attr.u32At(o.prog_token_fd) !== 0 : (prog_flags & BPF_F.TOKEN_FD) !== 0;
  if (wantToken) {
    const r = bpf_token_get_from_fd(t, attr.u32At(o.prog_token_fd) | 0, "prog_token_fd");
    if (typeof r === "number") return r;
    token = r;
    if (!bpf_token_allow_cmd(token, BPF_CMD.PROG_LOAD) || !bpf_token_allow_prog_type(t, token, pt, eat)) {
      bpf_token_put(token);
      token = null;
    }
  }
  try {
    const bpf_cap = bpf_token_capable(t, token, CAP.BPF);
    // BPF_F_ANY_ALIGNMENT without CAP_BPF only matters without efficient unaligned access; x86-64 has it.
    if (t.kernel.unprivilegedBpfDisabled && !bpf_cap)
      return t.fail(-EPERM, `kernel.unprivileged_bpf_disabled=${t.kernel.unprivilegedBpfDisabled} and the caller lacks CAP_BPF`);
    const insn_cnt = attr.u32At(o.insn_cnt);
    const limit = bpf_cap ? BPF_COMPLEXITY_LIMIT_INSNS : BPF_MAXINSNS;
    if (insn_cnt === 0 || insn_cnt > limit) return t.fail(-E2BIG, `insn_cnt ${insn_cnt} must be 1..${limit}`);
    if (pt !== PT.SOCKET_FILTER && pt !== PT.CGROUP_SKB && !bpf_cap) return t.fail(-EPERM, `prog_type ${pt} needs CAP_BPF`);
    if (is_net_admin_prog_type(pt) && !bpf_token_capable(t, token, CAP.NET_ADMIN)) return t.fail(-EPERM, `prog_type ${pt} needs CAP_NET_ADMIN`);
    if (is_perfmon_prog_type(pt) && !bpf_token_capable(t, token, CAP.PERFMON)) return t.fail(-EPERM, `prog_type ${pt} needs CAP_PERFMON`);

    // attach_prog_fd / attach_btf_obj_fd share offset 112: a prog first, then a BTF object.
    let hasDstProg = false;
    let hasAttachBtf = false;
    const attach_btf_id = attr.u32At(o.attach_btf_id);
    const apfd = attr.u32At(o.attach_prog_fd);
    if (apfd) {
      const f = t.files.get(apfd);
      if (f !== undefined && objs.isProgFile(f)) hasDstProg = true;
      else if (f !== undefined && objs.isBtfFile(f)) {
        if (!objs.btfIsKernel(f)) return t.fail(-ENOTSUPP, `attach_btf_obj_fd ${apfd} is not a kernel BTF`);
        hasAttachBtf = true;
      } else return t.fail(-EINVAL, `attach_prog_fd ${apfd} is neither a program nor a BTF object`);
    } else if (attach_btf_id) {
      hasAttachBtf = true; // vmlinux BTF is always present here
    }
    let err = bpf_prog_load_check_attach(t, pt, eat, hasAttachBtf, attach_btf_id, hasDstProg);
    if (err) return err;
    err = objs.bpf_prog_load_rest(c, token);
    return err;
  } finally {
    bpf_token_put(token);
  }
}

// ---------------------------------------------------------------------------
// BPF_OBJ_PIN / BPF_OBJ_GET
// ---------------------------------------------------------------------------

function bpf_obj_pin(c: Call): number {
  const { t, attr } = c;
  const file_flags = attr.u32("file_flags");
  if (CHECK_ATTR(c) || file_flags & ~BPF_F.PATH_FD) {
    if (file_flags & ~BPF_F.PATH_FD) t.fail(-EINVAL, `file_flags 0x${file_flags.toString(16)}: only BPF_F_PATH_FD is allowed`);
    return -EINVAL;
  }
  if (!(file_flags & BPF_F.PATH_FD) && attr.s32("path_fd")) return t.fail(-EINVAL, "path_fd is set without BPF_F_PATH_FD");
  return fs.bpf_obj_pin_user(c);
}

function bpf_obj_get(c: Call): number {
  const { t, attr } = c;
  const file_flags = attr.u32("file_flags");
  const allowed = BPF_F.RDONLY | BPF_F.WRONLY | BPF_F.PATH_FD;
  if (CHECK_ATTR(c)) return -EINVAL;
  if (attr.u32("bpf_fd") !== 0) return t.fail(-EINVAL, "bpf_fd must be 0 for BPF_OBJ_GET");
  if (file_flags & ~allowed) return t.fail(-EINVAL, `file_flags 0x${file_flags.toString(16)}: only RDONLY, WRONLY and PATH_FD are allowed`);
  if (!(file_flags & BPF_F.PATH_FD) && attr.s32("path_fd")) return t.fail(-EINVAL, "path_fd is set without BPF_F_PATH_FD");
  const f_flags = bpf_get_file_flag(file_flags);
  if (f_flags < 0) return t.fail(-EINVAL, "file_flags: BPF_F_RDONLY and BPF_F_WRONLY are both set");
  return fs.bpf_obj_get_user(c, f_flags);
}

// ---------------------------------------------------------------------------
// BPF_PROG_ATTACH / BPF_PROG_DETACH
// ---------------------------------------------------------------------------

const BPF_F_ATTACH_MASK_BASE = BPF_F.ALLOW_OVERRIDE | BPF_F.ALLOW_MULTI | BPF_F.REPLACE | BPF_F.PREORDER;
const BPF_F_ATTACH_MASK_MPROG = BPF_F.REPLACE | BPF_F.BEFORE | BPF_F.AFTER | BPF_F.ID | BPF_F.LINK;

/** attach_type_to_prog_type() */
export function attach_type_to_prog_type(at: number): number {
  switch (at) {
    case AT.CGROUP_INET_INGRESS:
    case AT.CGROUP_INET_EGRESS:
      return PT.CGROUP_SKB;
    case AT.CGROUP_INET_SOCK_CREATE:
    case AT.CGROUP_INET_SOCK_RELEASE:
    case AT.CGROUP_INET4_POST_BIND:
    case AT.CGROUP_INET6_POST_BIND:
      return PT.CGROUP_SOCK;
    case AT.CGROUP_INET4_BIND:
    case AT.CGROUP_INET6_BIND:
    case AT.CGROUP_INET4_CONNECT:
    case AT.CGROUP_INET6_CONNECT:
    case AT.CGROUP_UNIX_CONNECT:
    case AT.CGROUP_INET4_GETPEERNAME:
    case AT.CGROUP_INET6_GETPEERNAME:
    case AT.CGROUP_UNIX_GETPEERNAME:
    case AT.CGROUP_INET4_GETSOCKNAME:
    case AT.CGROUP_INET6_GETSOCKNAME:
    case AT.CGROUP_UNIX_GETSOCKNAME:
    case AT.CGROUP_UDP4_SENDMSG:
    case AT.CGROUP_UDP6_SENDMSG:
    case AT.CGROUP_UNIX_SENDMSG:
    case AT.CGROUP_UDP4_RECVMSG:
    case AT.CGROUP_UDP6_RECVMSG:
    case AT.CGROUP_UNIX_RECVMSG:
      return PT.CGROUP_SOCK_ADDR;
    case AT.CGROUP_SOCK_OPS:
      return PT.SOCK_OPS;
    case AT.CGROUP_DEVICE:
      return PT.CGROUP_DEVICE;
    case AT.SK_MSG_VERDICT:
      return PT.SK_MSG;
    case AT.SK_SKB_STREAM_PARSER:
    case AT.SK_SKB_STREAM_VERDICT:
    case AT.SK_SKB_VERDICT:
      return PT.SK_SKB;
    case AT.LIRC_MODE2:
      return PT.LIRC_MODE2;
    case AT.FLOW_DISSECTOR:
      return PT.FLOW_DISSECTOR;
    case AT.CGROUP_SYSCTL:
      return PT.CGROUP_SYSCTL;
    case AT.CGROUP_GETSOCKOPT:
    case AT.CGROUP_SETSOCKOPT:
      return PT.CGROUP_SOCKOPT;
    case AT.TRACE_ITER:
    case AT.TRACE_RAW_TP:
    case AT.TRACE_FENTRY:
    case AT.TRACE_FEXIT:
    case AT.MODIFY_RETURN:
      return PT.TRACING;
    case AT.LSM_MAC:
      return PT.LSM;
    case AT.SK_LOOKUP:
      return PT.SK_LOOKUP;
    case AT.XDP:
      return PT.XDP;
    case AT.LSM_CGROUP:
      return PT.LSM;
    case AT.TCX_INGRESS:
    case AT.TCX_EGRESS:
    case AT.NETKIT_PRIMARY:
    case AT.NETKIT_PEER:
      return PT.SCHED_CLS;
    default:
      return PT.UNSPEC;
  }
}

/** is_cgroup_prog_type(): program types that attach to cgroups; LSM only as LSM_CGROUP through a link. */
export function is_cgroup_prog_type(pt: number, at: number, link: boolean): boolean {
  switch (pt) {
    case PT.CGROUP_DEVICE:
    case PT.CGROUP_SKB:
    case PT.CGROUP_SOCK:
    case PT.CGROUP_SOCK_ADDR:
    case PT.CGROUP_SOCKOPT:
    case PT.CGROUP_SYSCTL:
    case PT.SOCK_OPS:
      return true;
    case PT.LSM:
      // LSM_CGROUP attaches only through links.
      return link ? at === AT.LSM_CGROUP : false;
    default:
      return false;
  }
}

function is_mprog_type(pt: number, at: number): boolean {
  return pt === PT.SCHED_CLS && (at === AT.TCX_INGRESS || at === AT.TCX_EGRESS || at === AT.NETKIT_PRIMARY || at === AT.NETKIT_PEER);
}

function bpf_prog_attach(c: Call): number {
  const { t, attr } = c;
  if (CHECK_ATTR(c)) return -EINVAL;
  const at = attr.u32("attach_type");
  const ptype = attach_type_to_prog_type(at);
  if (ptype === PT.UNSPEC) return t.fail(-EINVAL, `attach_type ${at} has no program type`);
  const flags = attr.u32("attach_flags");
  if (is_mprog_type(ptype, at)) {
    if (flags & ~BPF_F_ATTACH_MASK_MPROG) return t.fail(-EINVAL, `attach_flags 0x${flags.toString(16)} not allowed for tcx/netkit`);
  } else if (is_cgroup_prog_type(ptype, 0, false)) {
    if (flags & ~(BPF_F_ATTACH_MASK_BASE | BPF_F_ATTACH_MASK_MPROG)) return t.fail(-EINVAL, `attach_flags 0x${flags.toString(16)} not allowed for cgroup attach`);
  } else {
    if (flags & ~BPF_F_ATTACH_MASK_BASE) return t.fail(-EINVAL, `attach_flags 0x${flags.toString(16)} not allowed`);
    if (attr.u32("relative_fd") || attr.u64("expected_revision")) return t.fail(-EINVAL, "relative_fd and expected_revision must be 0 for this attach type");
  }
  const prog = objs.bpf_prog_get_type(t, attr.u32("attach_bpf_fd"), ptype, "attach_bpf_fd");
  if (typeof prog === "number") return prog;
  return objs.prog_attach_rest(c, prog, ptype);
}

function bpf_prog_detach(c: Call): number {
  const { t, attr } = c;
  if (CHECK_ATTR(c)) return -EINVAL;
  const at = attr.u32("attach_type");
  const ptype = attach_type_to_prog_type(at);
  const flags = attr.u32("attach_flags");
  if (is_mprog_type(ptype, at)) {
    if (flags & ~BPF_F_ATTACH_MASK_MPROG) return t.fail(-EINVAL, `attach_flags 0x${flags.toString(16)} not allowed for tcx/netkit detach`);
    if (attr.u32("attach_bpf_fd")) {
      const prog = objs.bpf_prog_get_type(t, attr.u32("attach_bpf_fd"), ptype, "attach_bpf_fd");
      if (typeof prog === "number") return prog;
    } else if (!t.bpf_net_capable()) {
      // bpf_mprog_detach_empty(): detaching "whatever is first" needs CAP_NET_ADMIN.
      return t.fail(-EPERM, "detaching without attach_bpf_fd needs CAP_NET_ADMIN");
    }
  } else if (is_cgroup_prog_type(ptype, 0, false)) {
    if (flags || attr.u32("relative_fd")) return t.fail(-EINVAL, "attach_flags and relative_fd must be 0 for a cgroup detach");
  } else if (flags || attr.u32("relative_fd") || attr.u64("expected_revision")) {
    return t.fail(-EINVAL, "attach_flags, relative_fd and expected_revision must be 0 for this attach type");
  }
  return objs.prog_detach_rest(c, ptype);
}

// ---------------------------------------------------------------------------
// BPF_PROG_TEST_RUN
// ---------------------------------------------------------------------------

function bpf_prog_test_run(c: Call): number {
  const { t, attr } = c;
  if (CHECK_ATTR(c)) return -EINVAL;
  if ((attr.u32("test.ctx_size_in") !== 0) !== (attr.u64("test.ctx_in") !== 0n))
    return t.fail(-EINVAL, "test.ctx_size_in and test.ctx_in must both be set or both be zero");
  if ((attr.u32("test.ctx_size_out") !== 0) !== (attr.u64("test.ctx_out") !== 0n))
    return t.fail(-EINVAL, "test.ctx_size_out and test.ctx_out must both be set or both be zero");
  const prog = objs.bpf_prog_get(t, attr.u32("test.prog_fd"), "test.prog_fd");
  if (typeof prog === "number") return prog;
  return objs.prog_test_run_rest(c, prog);
}

// ---------------------------------------------------------------------------
// *_GET_NEXT_ID and *_GET_FD_BY_ID
// ---------------------------------------------------------------------------

function bpf_obj_get_next_id(c: Call, kind: "prog" | "map" | "btf" | "link"): number {
  const { t, attr } = c;
  const start_id = attr.u32("start_id");
  if (CHECK_ATTR(c)) return -EINVAL;
  if (start_id >= INT_MAX) return t.fail(-EINVAL, `start_id ${start_id} is not below INT_MAX`);
  if (!t.capable(CAP.SYS_ADMIN)) return t.fail(-EPERM, `${kind} ids need CAP_SYS_ADMIN in the init user namespace (tokens do not apply)`);
  const idr = kind === "prog" ? t.kernel.prog_idr : kind === "map" ? t.kernel.map_idr : kind === "btf" ? t.kernel.btf_idr : t.kernel.link_idr;
  const next = idr.nextAfter(start_id);
  if (next === undefined) return t.fail(-ENOENT, `no ${kind} id above ${start_id}`);
  return put_user_u32(c, "next_id", next);
}

/** put_user() of a u32 field back into the caller's attr. */
export function put_user_u32(c: Call, field: string, v: number): number {
  const off = c.attr.fields.offsetOf(field);
  if (copy_to_user_u32(c.t, Number(c.uattr) + off, v) !== 0) return c.t.fail(-EFAULT, `writing ${field} back to the attr at offset ${off} faulted`);
  return 0;
}

/**
 * The u32 v, little-endian, to user address ua: 0 or -EFAULT (nothing else
 * recorded). One scratch word (copyOutAt copies it before returning) and the
 * address as a number: a buffer, a DataView and two BigInts per write-back
 * were ~6% of a short PROG_LOAD, which writes log_true_size back.
 */
export function copy_to_user_u32(t: Task, ua: number, v: number): number {
  const b = PUT_USER_U32;
  b[0] = v & 0xff;
  b[1] = (v >>> 8) & 0xff;
  b[2] = (v >>> 16) & 0xff;
  b[3] = (v >>> 24) & 0xff;
  return t.memory.copyOutAt(ua, b);
}
const PUT_USER_U32 = new Uint8Array(4);

function bpf_prog_get_fd_by_id(c: Call): number {
  const { t, attr } = c;
  if (CHECK_ATTR(c)) return -EINVAL;
  if (!t.capable(CAP.SYS_ADMIN)) return t.fail(-EPERM, "PROG_GET_FD_BY_ID needs CAP_SYS_ADMIN");
  return objs.prog_get_fd_by_id(c, attr.u32("prog_id"));
}

function bpf_map_get_fd_by_id(c: Call): number {
  const { t, attr } = c;
  const open_flags = attr.u32("open_flags");
  if (CHECK_ATTR(c)) return -EINVAL;
  if (open_flags & ~(BPF_F.RDONLY | BPF_F.WRONLY)) return t.fail(-EINVAL, `open_flags 0x${open_flags.toString(16)}: only RDONLY and WRONLY are allowed`);
  if (!t.capable(CAP.SYS_ADMIN)) return t.fail(-EPERM, "MAP_GET_FD_BY_ID needs CAP_SYS_ADMIN");
  const f_flags = bpf_get_file_flag(open_flags);
  if (f_flags < 0) return t.fail(-EINVAL, "open_flags: RDONLY and WRONLY are both set");
  return maps.map_get_fd_by_id(c, attr.u32("map_id"), f_flags);
}

function bpf_btf_get_fd_by_id(c: Call): number {
  const { t, attr } = c;
  if (CHECK_ATTR(c)) return -EINVAL;
  const open_flags = attr.u32("open_flags");
  if (open_flags & ~BPF_F.TOKEN_FD) return t.fail(-EINVAL, `open_flags 0x${open_flags.toString(16)}: only BPF_F_TOKEN_FD is allowed`);
  let token: BpfToken | null = null;
  if (open_flags & BPF_F.TOKEN_FD) {
    const r = bpf_token_get_from_fd(t, attr.s32("fd_by_id_token_fd"), "fd_by_id_token_fd");
    if (typeof r === "number") return r;
    token = r;
    if (!bpf_token_allow_cmd(token, BPF_CMD.BTF_GET_FD_BY_ID)) {
      bpf_token_put(token);
      token = null;
    }
  }
  try {
    if (!bpf_token_capable(t, token, CAP.SYS_ADMIN)) return t.fail(-EPERM, "BTF_GET_FD_BY_ID needs CAP_SYS_ADMIN");
    return objs.btf_get_fd_by_id(c, attr.u32("btf_id"));
  } finally {
    bpf_token_put(token);
  }
}

function bpf_link_get_fd_by_id(c: Call): number {
  const { t, attr } = c;
  if (CHECK_ATTR(c)) return -EINVAL;
  if (!t.capable(CAP.SYS_ADMIN)) return t.fail(-EPERM, "LINK_GET_FD_BY_ID needs CAP_SYS_ADMIN");
  return objs.link_get_fd_by_id(c, attr.u32("link_id"));
}

// ---------------------------------------------------------------------------
// BPF_OBJ_GET_INFO_BY_FD
// ---------------------------------------------------------------------------

function bpf_obj_get_info_by_fd(c: Call): number {
  const { t, attr } = c;
  if (CHECK_ATTR(c)) return -EINVAL;
  const ufd = attr.u32("info.bpf_fd");
  const f = t.files.get(ufd);
  // CLASS(fd, f) failing is reported as -EBADFD here, unlike every other command.
  if (f === undefined) return t.fail(-EBADFD, `info.bpf_fd ${ufd} is not open (OBJ_GET_INFO_BY_FD answers EBADFD, not EBADF)`);
  return objs.obj_get_info(c, f);
}

// ---------------------------------------------------------------------------
// BPF_PROG_QUERY
// ---------------------------------------------------------------------------

function bpf_prog_query(c: Call): number {
  const { t, attr } = c;
  // The capability check comes before CHECK_ATTR here.
  if (!t.bpf_net_capable()) return t.fail(-EPERM, "PROG_QUERY needs CAP_NET_ADMIN or CAP_SYS_ADMIN (checked before CHECK_ATTR)");
  if (CHECK_ATTR(c)) return -EINVAL;
  const qf = attr.u32("query.query_flags");
  if (qf & ~BPF_F.QUERY_EFFECTIVE) return t.fail(-EINVAL, `query.query_flags 0x${qf.toString(16)}: only BPF_F_QUERY_EFFECTIVE is allowed`);
  return objs.prog_query_rest(c);
}

// ---------------------------------------------------------------------------
// BPF_RAW_TRACEPOINT_OPEN
// ---------------------------------------------------------------------------

function bpf_raw_tracepoint_open(c: Call): number {
  const { t, attr } = c;
  if (CHECK_ATTR(c)) return -EINVAL;
  const prog = objs.bpf_prog_get(t, attr.u32("raw_tracepoint.prog_fd"), "raw_tracepoint.prog_fd");
  if (typeof prog === "number") return prog;
  return objs.raw_tp_open_rest(c, prog);
}

// ---------------------------------------------------------------------------
// BPF_BTF_LOAD
// ---------------------------------------------------------------------------

/** BTF_LOAD's unknown-flags reason, remembered for the last value (a template string per refused call otherwise). */
const btfFlagsMemo = { flags: -1, reason: "" };
function btfFlagsReason(flags: number): string {
  if (btfFlagsMemo.flags !== flags) {
    btfFlagsMemo.flags = flags;
    btfFlagsMemo.reason = `btf_flags 0x${flags.toString(16)}: only BPF_F_TOKEN_FD is allowed`;
  }
  return btfFlagsMemo.reason;
}

function bpf_btf_load(c: Call): number {
  const { t, attr } = c;
  if (CHECK_ATTR(c)) return -EINVAL;
  const v1 = t.kernel.abi === "rfc-v1";
  const btf_flags = attr.u32("btf_flags");
  if (!v1 && btf_flags & ~BPF_F.TOKEN_FD) return t.fail(-EINVAL, btfFlagsReason(btf_flags));
  let token: BpfToken | null = null;
  const want = v1 ? attr.u32("btf_token_fd") !== 0 : (btf_flags & BPF_F.TOKEN_FD) !== 0;
  if (want) {
    const r = bpf_token_get_from_fd(t, attr.s32("btf_token_fd"), "btf_token_fd");
    if (typeof r === "number") return r;
    token = r;
    if (!bpf_token_allow_cmd(token, BPF_CMD.BTF_LOAD)) {
      bpf_token_put(token);
      token = null;
    }
  }
  try {
    if (!bpf_token_capable(t, token, CAP.BPF)) return t.fail(-EPERM, "BTF_LOAD needs CAP_BPF");
  } finally {
    bpf_token_put(token);
  }
  // Everything from here reads or writes user memory (the blob, the log, btf_log_true_size); nothing before did (sys_bpf_lazy).
  ensureUserAttr(c);
  return objs.btf_new_fd(c);
}

// ---------------------------------------------------------------------------
// BPF_TASK_FD_QUERY
// ---------------------------------------------------------------------------

function bpf_task_fd_query(c: Call): number {
  const { t, attr } = c;
  if (CHECK_ATTR(c)) return -EINVAL;
  if (!t.capable(CAP.SYS_ADMIN)) return t.fail(-EPERM, "TASK_FD_QUERY needs CAP_SYS_ADMIN");
  if (attr.u32("task_fd_query.flags") !== 0) return t.fail(-EINVAL, "task_fd_query.flags must be 0");
  const pid = attr.u32("task_fd_query.pid");
  // pids 1 and 2 are the host's init and kthreadd, which emulated tasks never are:
  // on the reference host init answers EPERM and kthreadd has no files.
  if (pid === 1) return t.fail(-EPERM, "task_fd_query.pid 1: the host's init refuses fd queries (as observed on the reference kernel)");
  if (pid === 2) return t.fail(-EBADF, "task_fd_query.pid 2 is kthreadd, which has no open files");
  const task = t.kernel.findTask(pid);
  if (task === undefined) return t.fail(-ENOENT, `task_fd_query.pid ${pid}: no such task`);
  const fd = attr.u32("task_fd_query.fd");
  const f = task.files.get(fd);
  if (f === undefined) return t.fail(-EBADF, `task_fd_query.fd ${fd} is not open in task ${pid}`);
  return objs.task_fd_query_rest(c, f);
}
void ESRCH;

// ---------------------------------------------------------------------------
// Links
// ---------------------------------------------------------------------------

function link_create(c: Call): number {
  const { t, attr } = c;
  if (CHECK_ATTR(c)) return -EINVAL;
  if (attr.u32("link_create.attach_type") === AT.STRUCT_OPS) return objs.link_create_struct_ops(c);
  const prog = objs.bpf_prog_get(t, attr.u32("link_create.prog_fd"), "link_create.prog_fd");
  if (typeof prog === "number") return prog;
  return objs.link_create_rest(c, prog);
}

function link_update(c: Call): number {
  const { t, attr } = c;
  if (CHECK_ATTR(c)) return -EINVAL;
  const flags = attr.u32("link_update.flags");
  if (flags & ~BPF_F.REPLACE) return t.fail(-EINVAL, `link_update.flags 0x${flags.toString(16)}: only BPF_F_REPLACE is allowed`);
  const link = objs.bpf_link_get_from_fd(t, attr.u32("link_update.link_fd"), "link_update.link_fd");
  if (typeof link === "number") return link;
  return objs.link_update_rest(c, link);
}

function link_detach(c: Call): number {
  const { t, attr } = c;
  if (CHECK_ATTR(c)) return -EINVAL;
  const link = objs.bpf_link_get_from_fd(t, attr.u32("link_detach.link_fd"), "link_detach.link_fd");
  if (typeof link === "number") return link;
  return objs.link_detach_rest(c, link);
}

// ---------------------------------------------------------------------------
// BPF_ENABLE_STATS, BPF_ITER_CREATE, BPF_PROG_BIND_MAP
// ---------------------------------------------------------------------------

function bpf_enable_stats(c: Call): number {
  const { t, attr } = c;
  if (CHECK_ATTR(c)) return -EINVAL;
  if (!t.capable(CAP.SYS_ADMIN)) return t.fail(-EPERM, "ENABLE_STATS needs CAP_SYS_ADMIN");
  const type = attr.u32("enable_stats.type");
  if (type !== 0 /* BPF_STATS_RUN_TIME */) return t.fail(-EINVAL, `enable_stats.type ${type}: only BPF_STATS_RUN_TIME (0) exists`);
  return objs.bpf_enable_runtime_stats(c);
}

function bpf_iter_create(c: Call): number {
  const { t, attr } = c;
  if (CHECK_ATTR(c)) return -EINVAL;
  if (attr.u32("iter_create.flags")) return t.fail(-EINVAL, "iter_create.flags must be 0");
  const link = objs.bpf_link_get_from_fd(t, attr.u32("iter_create.link_fd"), "iter_create.link_fd");
  if (typeof link === "number") return link;
  return objs.iter_create_rest(c, link);
}

function bpf_prog_bind_map(c: Call): number {
  const { t, attr } = c;
  if (CHECK_ATTR(c)) return -EINVAL;
  if (attr.u32("prog_bind_map.flags")) return t.fail(-EINVAL, "prog_bind_map.flags must be 0");
  const prog = objs.bpf_prog_get(t, attr.u32("prog_bind_map.prog_fd"), "prog_bind_map.prog_fd");
  if (typeof prog === "number") return prog;
  const map = maps.bpf_map_get(t, attr.u32("prog_bind_map.map_fd"), "prog_bind_map.map_fd");
  if (typeof map === "number") return map;
  return objs.prog_bind_map_rest(c, prog, map);
}

// ---------------------------------------------------------------------------
// BPF_TOKEN_CREATE
// ---------------------------------------------------------------------------

function token_create(c: Call): number {
  const { t, attr } = c;
  if (CHECK_ATTR(c)) return -EINVAL;
  if (t.kernel.abi === "rfc-v1") return bpf_token_create_v1(c);
  if (attr.u32("token_create.flags")) return t.fail(-EINVAL, "token_create.flags must be 0");
  return tok.bpf_token_create(c);
}

// ---------------------------------------------------------------------------
// BPF_PROG_STREAM_READ_BY_FD
// ---------------------------------------------------------------------------

function prog_stream_read(c: Call): number {
  const { t, attr } = c;
  if (CHECK_ATTR(c)) return -EINVAL;
  const prog = objs.bpf_prog_get(t, attr.u32("prog_stream_read.prog_fd"), "prog_stream_read.prog_fd");
  if (typeof prog === "number") return prog;
  return objs.prog_stream_read_rest(c, prog);
}

// ---------------------------------------------------------------------------
// The switch of __sys_bpf, keyed by command name so that every ABI profile
// dispatches through its own enum.
// ---------------------------------------------------------------------------

const HANDLERS: Readonly<Record<string, Handler>> = {
  MAP_CREATE: map_create,
  MAP_LOOKUP_ELEM: map_lookup_elem,
  MAP_UPDATE_ELEM: map_update_elem,
  MAP_DELETE_ELEM: map_delete_elem,
  MAP_GET_NEXT_KEY: map_get_next_key,
  PROG_LOAD: bpf_prog_load,
  OBJ_PIN: bpf_obj_pin,
  OBJ_GET: bpf_obj_get,
  PROG_ATTACH: bpf_prog_attach,
  PROG_DETACH: bpf_prog_detach,
  PROG_TEST_RUN: bpf_prog_test_run,
  PROG_GET_NEXT_ID: (c) => bpf_obj_get_next_id(c, "prog"),
  MAP_GET_NEXT_ID: (c) => bpf_obj_get_next_id(c, "map"),
  PROG_GET_FD_BY_ID: bpf_prog_get_fd_by_id,
  MAP_GET_FD_BY_ID: bpf_map_get_fd_by_id,
  OBJ_GET_INFO_BY_FD: bpf_obj_get_info_by_fd,
  PROG_QUERY: bpf_prog_query,
  RAW_TRACEPOINT_OPEN: bpf_raw_tracepoint_open,
  BTF_LOAD: bpf_btf_load,
  BTF_GET_FD_BY_ID: bpf_btf_get_fd_by_id,
  TASK_FD_QUERY: bpf_task_fd_query,
  MAP_LOOKUP_AND_DELETE_ELEM: map_lookup_and_delete_elem,
  MAP_FREEZE: map_freeze,
  BTF_GET_NEXT_ID: (c) => bpf_obj_get_next_id(c, "btf"),
  MAP_LOOKUP_BATCH: bpf_map_do_batch,
  MAP_LOOKUP_AND_DELETE_BATCH: bpf_map_do_batch,
  MAP_UPDATE_BATCH: bpf_map_do_batch,
  MAP_DELETE_BATCH: bpf_map_do_batch,
  LINK_CREATE: link_create,
  LINK_UPDATE: link_update,
  LINK_GET_FD_BY_ID: bpf_link_get_fd_by_id,
  LINK_GET_NEXT_ID: (c) => bpf_obj_get_next_id(c, "link"),
  ENABLE_STATS: bpf_enable_stats,
  ITER_CREATE: bpf_iter_create,
  LINK_DETACH: link_detach,
  PROG_BIND_MAP: bpf_prog_bind_map,
  TOKEN_CREATE: token_create,
  PROG_STREAM_READ_BY_FD: prog_stream_read,
};

/** HANDLERS by command number for a table set, made once: dispatch is an array index, not a name lookup. */
const handlerCache = new WeakMap<UapiTables, readonly (Handler | undefined)[]>();
const handlerMemo: { tables: UapiTables | null; handlers: readonly (Handler | undefined)[] } = { tables: null, handlers: [] };
function handlersFor(tables: UapiTables): readonly (Handler | undefined)[] {
  if (tables === handlerMemo.tables) return handlerMemo.handlers;
  let arr = handlerCache.get(tables);
  if (arr === undefined) {
    arr = tables.commands.map((c) => HANDLERS[c.name]);
    handlerCache.set(tables, arr);
  }
  handlerMemo.tables = tables;
  handlerMemo.handlers = arr;
  return arr;
}

export type { File, BpfMap };
void O_CLOEXEC;
void EOPNOTSUPP;

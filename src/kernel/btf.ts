// SPDX-License-Identifier: GPL-2.0-only
// BTF objects (kernel/bpf/btf.c): BPF_BTF_LOAD's btf_parse() with the
// kernel's validation in its order — the header (btf_parse_hdr,
// btf_check_sec_info), the string section, pass 1 over every type
// (btf_check_all_metas: each kind's check_meta) and pass 2 (btf_check_all_types:
// the resolve DFS, check_member/check_kflag_member, func_proto checks), then
// btf_check_type_tags — with the BTF verifier log written line by line as the
// kernel prints it; the object itself (ids, fds, refcounts) and
// btf_get_info_by_fd. No Node API.

import { E2BIG, EACCES, EBADF, EEXIST, EFAULT, EINVAL, ELOOP, ENOENT, ENOSPC, ENOTSUPP, EOPNOTSUPP, EPERM } from "../abi/errno.ts";
import { File, O_CLOEXEC, O_RDONLY, type FileOperations } from "./file.ts";
import { VLog } from "./vlog.ts";
import { bpf_check_uarg_tail_zero, copy_to_user_u32, put_user_u32, type Call } from "./syscall.ts";
import type { Task } from "./task.ts";
import { BTF_INT_BOOL, BTF_INT_CHAR, BTF_INT_SIGNED, BTF_KIND, BTF_MAGIC } from "../uapi/btf.ts";

export { BTF_KIND, BTF_MAGIC };

export const BTF_VERSION = 1;
/** 16 MiB: BTF_MAX_SIZE */
export const BTF_MAX_SIZE = 16 * 1024 * 1024;
export const BTF_MAX_TYPE = 0xfffff;
const BTF_MAX_NAME_OFFSET = 0xffffff;
/** sizeof(struct btf_header) */
const BTF_HDR_SIZE = 24;
/** struct btf_type: name_off, info, size/type */
const TYPE_SIZE = 12;
const BTF_INFO_MASK = 0x9f00ffff;
const BTF_INT_MASK = 0x0fffffff;
const BITS_PER_U128 = 128;
const MAX_RESOLVE_DEPTH = 32;
/** KSYM_NAME_LEN: the longest identifier the name checks look at. */
const KSYM_NAME_LEN = 512;
/** BPF_VERIFIER_TMP_LOG_SIZE: one vlog call formats into this many bytes (NUL included). */
const TMP_LOG_SIZE = 1024;

const K = BTF_KIND;
const BTF_KIND_MAX = 19;

const KIND_STR = ["UNKNOWN", "INT", "PTR", "ARRAY", "STRUCT", "UNION", "ENUM", "FWD", "TYPEDEF", "VOLATILE", "CONST", "RESTRICT", "FUNC", "FUNC_PROTO", "VAR", "DATASEC", "FLOAT", "DECL_TAG", "TYPE_TAG", "ENUM64"] as const;

const BTF_FUNC_GLOBAL = 1;
const BTF_VAR_STATIC = 0;
const BTF_VAR_GLOBAL_ALLOCATED = 1;

/** The VOID type (btf_void): a zeroed btf_type that is not in the section. */
const VOID = -1;

// ------------------------------------------------------------------ the parsed BTF

/** Btf.resolved_* before btf_check_all_types() sizes them: empty, so nothing is ever written into them. */
const NO_RESOLVED = new Uint32Array(0);
/** Env.visit_states before btf_check_all_types() sizes it: empty, so nothing is ever written into it. */
const NO_VISIT_STATES = new Uint8Array(0);

/** struct btf after btf_parse(): the bytes, the header and where each type starts. */
export class Btf {
  readonly data: Uint8Array;
  /** A DataView of data, made by the first u32()/s32(): a blob rejected at its header (most of a token trace's loads) never reads a type, and the view cost more than the rest of such a load. */
  private dv: DataView | null = null;
  magic = 0;
  version = 0;
  flags = 0;
  hdr_len = 0;
  type_off = 0;
  type_len = 0;
  str_off = 0;
  str_len = 0;
  /** Absolute offset of the string section (nohdr_data + str_off). */
  strings = 0;
  /** Absolute offset of each type's btf_type; index 0 is VOID. */
  readonly types: number[] = [];
  /** Allocated slots (btf->types_size), grown as btf_add_type does. */
  types_size = 0;
  /** Sized by btf_check_all_types(); until then the shared empty array (a typed array per Btf cost more than its parse of a small blob). */
  resolved_ids: Uint32Array = NO_RESOLVED;
  resolved_sizes: Uint32Array = NO_RESOLVED;

  constructor(data: Uint8Array) {
    this.data = data;
  }

  private view(): DataView {
    const v = new DataView(this.data.buffer, this.data.byteOffset, this.data.byteLength);
    this.dv = v;
    return v;
  }

  get nr_types(): number {
    return this.types.length;
  }

  /** btf_type_by_id(): undefined past the last type. */
  typeById(id: number): number | undefined {
    return id >>> 0 < this.types.length ? this.types[id >>> 0] : undefined;
  }

  u32(off: number): number {
    return (this.dv ?? this.view()).getUint32(off, true);
  }

  s32(off: number): number {
    return (this.dv ?? this.view()).getInt32(off, true);
  }

  nameOff(t: number): number {
    return t < 0 ? 0 : this.u32(t);
  }

  info(t: number): number {
    return t < 0 ? 0 : this.u32(t + 4);
  }

  /** t->size and t->type share a word. */
  sizeType(t: number): number {
    return t < 0 ? 0 : this.u32(t + 8);
  }

  kind(t: number): number {
    return (this.info(t) >>> 24) & 0x1f;
  }

  vlen(t: number): number {
    return this.info(t) & 0xffff;
  }

  kflag(t: number): boolean {
    return this.info(t) >>> 31 === 1;
  }

  /** btf_str_by_offset(): the string's offset in data, or -1 past the section. */
  strAt(off: number): number {
    return off >>> 0 < this.str_len ? this.strings + off : -1;
  }

  /** The NUL-terminated bytes at an absolute offset (the section ends in a NUL). */
  cstr(abs: number): Uint8Array {
    let e = abs;
    while (e < this.data.length && this.data[e] !== 0) e++;
    return this.data.subarray(abs, e);
  }

  /** btf_name_by_offset() as a byte string, or null. */
  nameBytes(off: number): Uint8Array | null {
    const a = this.strAt(off);
    return a < 0 ? null : this.cstr(a);
  }

  /** btf_name_offset_valid() */
  nameOffsetValid(off: number): boolean {
    return off <= BTF_MAX_NAME_OFFSET && off < this.str_len;
  }

  /** btf_find_by_name_kind() */
  findByNameKind(name: string, kind: number): number {
    for (let i = 1; i < this.nr_types; i++) {
      const t = this.types[i]!;
      if (this.kind(t) !== kind) continue;
      const n = this.nameBytes(this.nameOff(t));
      if (n !== null && bytesEq(n, name)) return i;
    }
    return -ENOENT;
  }
}

function bytesEq(b: Uint8Array, s: string): boolean {
  if (b.length !== s.length) return false;
  for (let i = 0; i < b.length; i++) if (b[i] !== s.charCodeAt(i)) return false;
  return true;
}

// -------------------------------------------------------------- kind predicates

function isModifier(btf: Btf, t: number): boolean {
  const k = btf.kind(t);
  return k === K.TYPEDEF || k === K.VOLATILE || k === K.CONST || k === K.RESTRICT || k === K.TYPE_TAG;
}
const isVoid = (t: number | undefined): boolean => t === VOID;
const kindIs = (btf: Btf, t: number | undefined, k: number): boolean => t !== undefined && t !== VOID && btf.kind(t) === k;
const isStruct = (btf: Btf, t: number | undefined): boolean => kindIs(btf, t, K.STRUCT) || kindIs(btf, t, K.UNION);
const isPtr = (btf: Btf, t: number | undefined): boolean => kindIs(btf, t, K.PTR);
const isArray = (btf: Btf, t: number | undefined): boolean => kindIs(btf, t, K.ARRAY);
const isVar = (btf: Btf, t: number | undefined): boolean => kindIs(btf, t, K.VAR);
const isFunc = (btf: Btf, t: number | undefined): boolean => kindIs(btf, t, K.FUNC);
const isFuncProto = (btf: Btf, t: number | undefined): boolean => kindIs(btf, t, K.FUNC_PROTO);
const isDatasec = (btf: Btf, t: number | undefined): boolean => kindIs(btf, t, K.DATASEC);
const isDeclTag = (btf: Btf, t: number | undefined): boolean => kindIs(btf, t, K.DECL_TAG);
const isFwd = (btf: Btf, t: number | undefined): boolean => kindIs(btf, t, K.FWD);
const isInt = (btf: Btf, t: number | undefined): boolean => kindIs(btf, t, K.INT);
const isTypedef = (btf: Btf, t: number | undefined): boolean => kindIs(btf, t, K.TYPEDEF);
const isTypeTag = (btf: Btf, t: number | undefined): boolean => kindIs(btf, t, K.TYPE_TAG);
const isMod = (btf: Btf, t: number | undefined): boolean => t !== undefined && t !== VOID && isModifier(btf, t);

/** btf_type_nosize() */
function nosize(btf: Btf, t: number): boolean {
  return isVoid(t) || isFwd(btf, t) || isFunc(btf, t) || isFuncProto(btf, t);
}

/** btf_type_nosize_or_null() */
function nosizeOrNull(btf: Btf, t: number | undefined): boolean {
  return t === undefined || nosize(btf, t);
}

/** btf_type_is_resolve_source_only() */
function sourceOnly(btf: Btf, t: number): boolean {
  return isVar(btf, t) || isDeclTag(btf, t) || isDatasec(btf, t);
}

/** btf_type_needs_resolve() */
function needsResolve(btf: Btf, t: number): boolean {
  return isMod(btf, t) || isPtr(btf, t) || isStruct(btf, t) || isArray(btf, t) || isVar(btf, t) || isFunc(btf, t) || isDeclTag(btf, t) || isDatasec(btf, t);
}

/** btf_type_has_size() */
function hasSize(btf: Btf, t: number): boolean {
  if (t === VOID) return false;
  const k = btf.kind(t);
  return k === K.INT || k === K.STRUCT || k === K.UNION || k === K.ENUM || k === K.DATASEC || k === K.FLOAT || k === K.ENUM64;
}

/** btf_type_is_decl_tag_target() */
function isDeclTagTarget(btf: Btf, t: number): boolean {
  return isFunc(btf, t) || isStruct(btf, t) || isVar(btf, t) || isTypedef(btf, t);
}

const INT_BITS = (d: number): number => d & 0xff;
const INT_OFFSET = (d: number): number => (d >>> 16) & 0xff;
const INT_ENCODING = (d: number): number => (d >>> 24) & 0x0f;
const roundupBytes = (bits: number): number => (bits >>> 3) + (bits & 7 ? 1 : 0);

/** btf_type_int_is_regular(): a whole u8/u16/u32/u64/u128 at bit offset 0. */
function intIsRegular(btf: Btf, t: number): boolean {
  const d = btf.u32(t + TYPE_SIZE);
  const nr_bits = INT_BITS(d);
  const nr_bytes = roundupBytes(nr_bits);
  return !(nr_bits & 7 || INT_OFFSET(d) || (nr_bytes !== 1 && nr_bytes !== 2 && nr_bytes !== 4 && nr_bytes !== 8 && nr_bytes !== 16));
}

/** btf_type_id_size(): follows one resolved modifier/var; undefined for types without a size. */
export function btf_type_id_size(btf: Btf, id: number): { t: number; id: number; size: number } | undefined {
  let t = btf.typeById(id);
  if (nosizeOrNull(btf, t)) return undefined;
  let size = 0;
  if (hasSize(btf, t!)) size = btf.sizeType(t!);
  else if (isArray(btf, t)) size = btf.resolved_sizes[id]!;
  else if (isPtr(btf, t)) size = 8;
  else {
    if (!isMod(btf, t) && !isVar(btf, t)) return undefined;
    id = btf.resolved_ids[id]!;
    t = btf.typeById(id);
    if (nosizeOrNull(btf, t)) return undefined;
    else if (hasSize(btf, t!)) size = btf.sizeType(t!);
    else if (isArray(btf, t)) size = btf.resolved_sizes[id]!;
    else if (isPtr(btf, t)) size = 8;
    else return undefined;
  }
  return { t: t!, id, size };
}

// ------------------------------------------------------------------- ctype

/** The kernel's _ctype table for Latin-1: letters include 0xc0-0xff except 0xd7 and 0xf7. */
function isalpha(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0xc0 && c !== 0xd7 && c !== 0xf7);
}
function isalnum(c: number): boolean {
  return isalpha(c) || (c >= 0x30 && c <= 0x39);
}
/** isprint: punctuation, letters, digits and the two spaces (0x20, 0xa0). */
function isprint(c: number): boolean {
  return (c >= 0x20 && c <= 0x7e) || c >= 0xa0;
}

/** __btf_name_char_ok(): letters, '_' and '.', digits after the first. */
function nameCharOk(c: number, first: boolean): boolean {
  return (first ? isalpha(c) : isalnum(c)) || c === 0x5f || c === 0x2e;
}

/** btf_name_valid_identifier() (the offset is known to be valid). */
function nameValidIdentifier(btf: Btf, off: number): boolean {
  let p = btf.strAt(off);
  const d = btf.data;
  if (!nameCharOk(d[p]!, true)) return false;
  const limit = p + KSYM_NAME_LEN;
  p++;
  while (d[p] && p < limit) {
    if (!nameCharOk(d[p]!, false)) return false;
    p++;
  }
  return !d[p];
}

/** btf_name_valid_section(): any printable characters. */
function nameValidSection(btf: Btf, off: number): boolean {
  let p = btf.strAt(off);
  const d = btf.data;
  if (!d[p]) return false;
  const limit = p + KSYM_NAME_LEN;
  while (d[p] && p < limit) {
    if (!isprint(d[p]!)) return false;
    p++;
  }
  return !d[p];
}

// ------------------------------------------------------------------- the log

const CHECK_META = 0;
const CHECK_TYPE = 1;
const RESOLVE_TBD = 0;
const RESOLVE_PTR = 1;
const RESOLVE_STRUCT_OR_ARRAY = 2;
const NOT_VISITED = 0;
const VISITED = 1;
const RESOLVED = 2;

interface Vertex {
  t: number;
  type_id: number;
  next_member: number;
}

/** A struct member as the check_member ops see it (modifier_check_member passes a copy with the resolved type). */
interface Member {
  name_off: number;
  type: number;
  offset: number;
}

type Part = string | Uint8Array;

/** struct btf_verifier_env */
class Env {
  readonly btf: Btf;
  readonly log: VLog;
  log_type_id = 0;
  phase = CHECK_META;
  resolve_mode = RESOLVE_TBD;
  /** Sized by btf_check_all_types() before its first use; until then a shared empty array (a typed array per parse was a visible part of a rejected load). */
  visit_states: Uint8Array = NO_VISIT_STATES;
  readonly stack: Vertex[] = [];

  constructor(btf: Btf, log: VLog) {
    this.btf = btf;
    this.log = log;
  }

  /** One bpf_verifier_vlog() call: formatted into a 1 KiB buffer, so longer output is cut at 1023 bytes. */
  vlog(...parts: Part[]): void {
    if (!this.log.needed) return;
    let n = 0;
    for (const p of parts) n += p.length;
    const out = new Uint8Array(Math.min(n, TMP_LOG_SIZE - 1));
    let o = 0;
    for (const p of parts) {
      for (let i = 0; i < p.length && o < out.length; i++) out[o++] = typeof p === "string" ? p.charCodeAt(i) & 0xff : p[i]!;
      if (o >= out.length) break;
    }
    this.log.writeBytes(out);
  }

  /** __btf_name_by_offset(): "(anon)" for 0, "(invalid-name-offset)" past the section. */
  name(off: number): Part {
    if (!off) return "(anon)";
    return this.btf.nameBytes(off) ?? "(invalid-name-offset)";
  }

  /** __btf_verifier_log_type(): "[id] KIND name", the kind's details, the message. */
  logType(t: number, details: boolean, msg: string | null): void {
    if (!this.log.needed) return;
    const btf = this.btf;
    this.vlog(`[${this.log_type_id}] ${KIND_STR[btf.kind(t)]} `, this.name(btf.nameOff(t)), details ? " " : "");
    if (details) this.logDetails(t);
    if (msg) {
      this.vlog(" ");
      this.vlog(msg);
    }
    this.vlog("\n");
  }

  /** btf_verifier_log_member() */
  logMember(st: number, m: Member, msg: string | null): void {
    if (!this.log.needed) return;
    if (this.phase !== CHECK_META) this.logType(st, true, null);
    if (this.btf.kflag(st)) this.vlog("\t", this.name(m.name_off), ` type_id=${m.type} bitfield_size=${m.offset >>> 24} bits_offset=${m.offset & 0xffffff}`);
    else this.vlog("\t", this.name(m.name_off), ` type_id=${m.type} bits_offset=${m.offset}`);
    if (msg) {
      this.vlog(" ");
      this.vlog(msg);
    }
    this.vlog("\n");
  }

  /** btf_verifier_log_vsi() */
  logVsi(dt: number, vsi: number, msg: string | null): void {
    if (!this.log.needed) return;
    const btf = this.btf;
    if (this.phase !== CHECK_META) this.logType(dt, true, null);
    this.vlog(`\t type_id=${btf.u32(vsi)} offset=${btf.u32(vsi + 4)} size=${btf.u32(vsi + 8)}`);
    if (msg) {
      this.vlog(" ");
      this.vlog(msg);
    }
    this.vlog("\n");
  }

  /** The kind ops' log_details. */
  private logDetails(t: number): void {
    const btf = this.btf;
    const k = btf.kind(t);
    const extra = t + TYPE_SIZE;
    switch (k) {
      case K.INT: {
        const d = btf.u32(extra);
        const e = INT_ENCODING(d);
        const enc = e === 0 ? "(none)" : e === BTF_INT_SIGNED ? "SIGNED" : e === BTF_INT_CHAR ? "CHAR" : e === BTF_INT_BOOL ? "BOOL" : "UNKN";
        this.vlog(`size=${btf.sizeType(t)} bits_offset=${INT_OFFSET(d)} nr_bits=${INT_BITS(d)} encoding=${enc}`);
        return;
      }
      case K.PTR:
      case K.TYPEDEF:
      case K.VOLATILE:
      case K.CONST:
      case K.RESTRICT:
      case K.TYPE_TAG:
      case K.FUNC:
        this.vlog(`type_id=${btf.sizeType(t)}`);
        return;
      case K.ARRAY:
        this.vlog(`type_id=${btf.u32(extra)} index_type_id=${btf.u32(extra + 4)} nr_elems=${btf.u32(extra + 8)}`);
        return;
      case K.STRUCT:
      case K.UNION:
      case K.ENUM:
      case K.ENUM64:
      case K.DATASEC:
        this.vlog(`size=${btf.sizeType(t)} vlen=${btf.vlen(t)}`);
        return;
      case K.FWD:
        this.vlog(btf.kflag(t) ? "union" : "struct");
        return;
      case K.FUNC_PROTO: {
        // btf_func_proto_log()
        const n = btf.vlen(t);
        const arg = (i: number): number => extra + i * 8;
        this.vlog(`return=${btf.sizeType(t)} args=(`);
        if (!n) this.vlog("void");
        else if (n === 1 && !btf.u32(arg(0) + 4)) this.vlog("vararg");
        else {
          this.vlog(`${btf.u32(arg(0) + 4)} `, this.name(btf.u32(arg(0))));
          for (let i = 1; i < n - 1; i++) this.vlog(`, ${btf.u32(arg(i) + 4)} `, this.name(btf.u32(arg(i))));
          if (n > 1) {
            const last = arg(n - 1);
            if (btf.u32(last + 4)) this.vlog(`, ${btf.u32(last + 4)} `, this.name(btf.u32(last)));
            else this.vlog(", vararg");
          }
        }
        this.vlog(")");
        return;
      }
      case K.VAR:
        this.vlog(`type_id=${btf.sizeType(t)} linkage=${btf.u32(extra)}`);
        return;
      case K.FLOAT:
        this.vlog(`size=${btf.sizeType(t)}`);
        return;
      case K.DECL_TAG:
        this.vlog(`type=${btf.sizeType(t)} component_idx=${btf.s32(extra)}`);
        return;
    }
  }

  // ------------------------------------------------------------ resolve stack

  isResolveSink(next: number): boolean {
    const btf = this.btf;
    switch (this.resolve_mode) {
      case RESOLVE_TBD:
        return !needsResolve(btf, next);
      case RESOLVE_PTR:
        return !isMod(btf, next) && !isPtr(btf, next);
      default:
        return !isMod(btf, next) && !isArray(btf, next) && !isStruct(btf, next);
    }
  }

  isResolved(id: number): boolean {
    return this.visit_states[id] === RESOLVED;
  }

  /** env_stack_push() */
  push(t: number, id: number): number {
    if (this.stack.length === MAX_RESOLVE_DEPTH) return -E2BIG;
    if (this.visit_states[id] !== NOT_VISITED) return -EEXIST;
    this.visit_states[id] = VISITED;
    this.stack.push({ t, type_id: id, next_member: 0 });
    if (this.resolve_mode === RESOLVE_TBD) {
      if (isPtr(this.btf, t)) this.resolve_mode = RESOLVE_PTR;
      else if (isStruct(this.btf, t) || isArray(this.btf, t)) this.resolve_mode = RESOLVE_STRUCT_OR_ARRAY;
    }
    return 0;
  }

  setNextMember(n: number): void {
    this.stack[this.stack.length - 1]!.next_member = n & 0xffff;
  }

  /** env_stack_pop_resolved() */
  popResolved(resolved_id: number, resolved_size: number): void {
    const v = this.stack.pop()!;
    this.btf.resolved_sizes[v.type_id] = resolved_size;
    this.btf.resolved_ids[v.type_id] = resolved_id;
    this.visit_states[v.type_id] = RESOLVED;
  }
}

// ----------------------------------------------------------------- check_meta

/** Each kind's check_meta: bytes used after the btf_type, or -errno. */
function checkMetaKind(env: Env, t: number, meta_left: number): number {
  const btf = env.btf;
  const kind = btf.kind(t);
  const vlen = btf.vlen(t);
  const kflag = btf.kflag(t);
  const extra = t + TYPE_SIZE;
  const basicLeft = (needed: number): boolean => {
    if (meta_left >= needed) return true;
    env.logType(t, false, `meta_left:${meta_left} meta_needed:${needed}`);
    return false;
  };
  const fail = (msg: string, err = -EINVAL): number => {
    env.logType(t, true, msg);
    return err;
  };
  switch (kind) {
    case K.INT: {
      // btf_int_check_meta()
      if (!basicLeft(4)) return -EINVAL;
      if (vlen) return fail("vlen != 0");
      if (kflag) return fail("Invalid btf_info kind_flag");
      const d = btf.u32(extra);
      if (d & ~BTF_INT_MASK) {
        env.logType(t, false, `Invalid int_data:${(d >>> 0).toString(16)}`);
        return -EINVAL;
      }
      const nr_bits = INT_BITS(d) + INT_OFFSET(d);
      if (nr_bits > BITS_PER_U128) return fail(`nr_bits exceeds ${BITS_PER_U128}`);
      if (roundupBytes(nr_bits) > btf.sizeType(t)) return fail("nr_bits exceeds type_size");
      const enc = INT_ENCODING(d);
      if (enc && enc !== BTF_INT_SIGNED && enc !== BTF_INT_CHAR && enc !== BTF_INT_BOOL) return fail("Unsupported encoding", -ENOTSUPP);
      env.logType(t, true, null);
      return 4;
    }
    case K.PTR:
    case K.TYPEDEF:
    case K.VOLATILE:
    case K.CONST:
    case K.RESTRICT:
    case K.TYPE_TAG: {
      // btf_ref_type_check_meta(): a type_tag may carry kind_flag (an attribute tag)
      if (vlen) return fail("vlen != 0");
      if (kflag && kind !== K.TYPE_TAG) return fail("Invalid btf_info kind_flag");
      if (btf.sizeType(t) > BTF_MAX_TYPE) return fail("Invalid type_id");
      const no = btf.nameOff(t);
      if (kind === K.TYPEDEF) {
        if (!no || !nameValidIdentifier(btf, no)) return fail("Invalid name");
      } else if (kind === K.TYPE_TAG) {
        const v = btf.nameBytes(no);
        if (v === null || v.length === 0) return fail("Invalid name");
      } else if (no) return fail("Invalid name");
      env.logType(t, true, null);
      return 0;
    }
    case K.FWD: {
      // btf_fwd_check_meta()
      if (vlen) return fail("vlen != 0");
      if (btf.sizeType(t)) return fail("type != 0");
      const no = btf.nameOff(t);
      if (!no || !nameValidIdentifier(btf, no)) return fail("Invalid name");
      env.logType(t, true, null);
      return 0;
    }
    case K.ARRAY: {
      // btf_array_check_meta()
      if (!basicLeft(12)) return -EINVAL;
      if (btf.nameOff(t)) return fail("Invalid name");
      if (vlen) return fail("vlen != 0");
      if (kflag) return fail("Invalid btf_info kind_flag");
      if (btf.sizeType(t)) return fail("size != 0");
      const elem = btf.u32(extra);
      const index = btf.u32(extra + 4);
      if (!elem || elem > BTF_MAX_TYPE) return fail("Invalid elem");
      if (!index || index > BTF_MAX_TYPE) return fail("Invalid index");
      env.logType(t, true, null);
      return 12;
    }
    case K.STRUCT:
    case K.UNION: {
      // btf_struct_check_meta()
      const is_union = kind === K.UNION;
      const needed = vlen * 12;
      if (!basicLeft(needed)) return -EINVAL;
      const no = btf.nameOff(t);
      if (no && !nameValidIdentifier(btf, no)) return fail("Invalid name");
      env.logType(t, true, null);
      const struct_size = btf.sizeType(t);
      let last_offset = 0;
      for (let i = 0; i < vlen; i++) {
        const m = memberAt(btf, t, i);
        if (!btf.nameOffsetValid(m.name_off)) {
          env.logMember(t, m, `Invalid member name_offset:${m.name_off}`);
          return -EINVAL;
        }
        if (m.name_off && !nameValidIdentifier(btf, m.name_off)) {
          env.logMember(t, m, "Invalid name");
          return -EINVAL;
        }
        if (!m.type || m.type > BTF_MAX_TYPE) {
          env.logMember(t, m, "Invalid type_id");
          return -EINVAL;
        }
        const offset = kflag ? m.offset & 0xffffff : m.offset;
        if (is_union && offset) {
          env.logMember(t, m, "Invalid member bits_offset");
          return -EINVAL;
        }
        // ">" rather than ">=": the last member may be a zero-length array
        if (last_offset > offset) {
          env.logMember(t, m, "Invalid member bits_offset");
          return -EINVAL;
        }
        if (roundupBytes(offset) > struct_size) {
          env.logMember(t, m, "Member bits_offset exceeds its struct size");
          return -EINVAL;
        }
        env.logMember(t, m, null);
        last_offset = offset;
      }
      return needed;
    }
    case K.ENUM:
    case K.ENUM64: {
      // btf_enum_check_meta() / btf_enum64_check_meta()
      const rec = kind === K.ENUM ? 8 : 12;
      const needed = vlen * rec;
      if (!basicLeft(needed)) return -EINVAL;
      const size = btf.sizeType(t);
      if (size > 8 || size === 0 || size & (size - 1)) return fail("Unexpected size");
      const no = btf.nameOff(t);
      if (no && !nameValidIdentifier(btf, no)) return fail("Invalid name");
      env.logType(t, true, null);
      for (let i = 0; i < vlen; i++) {
        const e = extra + i * rec;
        const eno = btf.u32(e);
        if (!btf.nameOffsetValid(eno)) {
          env.vlog(`\tInvalid name_offset:${eno}`);
          return -EINVAL;
        }
        if (!eno || !nameValidIdentifier(btf, eno)) return fail("Invalid name");
        let val: string;
        if (kind === K.ENUM) val = kflag ? String(btf.s32(e + 4)) : String(btf.u32(e + 4));
        else {
          const v = (BigInt(btf.u32(e + 8)) << 32n) | BigInt(btf.u32(e + 4));
          val = String(kflag ? BigInt.asIntN(64, v) : v);
        }
        env.vlog("\t", env.name(eno), ` val=${val}\n`);
      }
      return needed;
    }
    case K.FUNC_PROTO: {
      // btf_func_proto_check_meta()
      const needed = vlen * 8;
      if (!basicLeft(needed)) return -EINVAL;
      if (btf.nameOff(t)) return fail("Invalid name");
      if (kflag) return fail("Invalid btf_info kind_flag");
      env.logType(t, true, null);
      return needed;
    }
    case K.FUNC: {
      // btf_func_check_meta()
      const no = btf.nameOff(t);
      if (!no || !nameValidIdentifier(btf, no)) return fail("Invalid name");
      if (vlen > BTF_FUNC_GLOBAL) return fail("Invalid func linkage");
      if (kflag) return fail("Invalid btf_info kind_flag");
      env.logType(t, true, null);
      return 0;
    }
    case K.VAR: {
      // btf_var_check_meta()
      if (!basicLeft(4)) return -EINVAL;
      if (vlen) return fail("vlen != 0");
      if (kflag) return fail("Invalid btf_info kind_flag");
      const no = btf.nameOff(t);
      if (!no || !nameValidIdentifier(btf, no)) return fail("Invalid name");
      const ty = btf.sizeType(t);
      if (!ty || ty > BTF_MAX_TYPE) return fail("Invalid type_id");
      const linkage = btf.u32(extra);
      if (linkage !== BTF_VAR_STATIC && linkage !== BTF_VAR_GLOBAL_ALLOCATED) return fail("Linkage not supported");
      env.logType(t, true, null);
      return 4;
    }
    case K.DATASEC: {
      // btf_datasec_check_meta()
      const needed = vlen * 12;
      if (!basicLeft(needed)) return -EINVAL;
      const size = btf.sizeType(t);
      if (!size) return fail("size == 0");
      if (kflag) return fail("Invalid btf_info kind_flag");
      const no = btf.nameOff(t);
      if (!no || !nameValidSection(btf, no)) return fail("Invalid name");
      env.logType(t, true, null);
      let last_end = 0;
      let sum = 0;
      for (let i = 0; i < vlen; i++) {
        const vsi = extra + i * 12;
        const ty = btf.u32(vsi);
        const off = btf.u32(vsi + 4);
        const sz = btf.u32(vsi + 8);
        if (!ty || ty > BTF_MAX_TYPE) {
          env.logVsi(t, vsi, "Invalid type_id");
          return -EINVAL;
        }
        if (off < last_end || off >= size) {
          env.logVsi(t, vsi, "Invalid offset");
          return -EINVAL;
        }
        if (!sz || sz > size) {
          env.logVsi(t, vsi, "Invalid size");
          return -EINVAL;
        }
        last_end = off + sz;
        if (last_end > size) {
          env.logVsi(t, vsi, "Invalid offset+size");
          return -EINVAL;
        }
        env.logVsi(t, vsi, null);
        sum += sz;
      }
      if (size < sum) return fail("Invalid btf_info size");
      return needed;
    }
    case K.FLOAT: {
      // btf_float_check_meta()
      if (vlen) return fail("vlen != 0");
      if (kflag) return fail("Invalid btf_info kind_flag");
      const size = btf.sizeType(t);
      if (size !== 2 && size !== 4 && size !== 8 && size !== 12 && size !== 16) return fail("Invalid type_size");
      env.logType(t, true, null);
      return 0;
    }
    case K.DECL_TAG: {
      // btf_decl_tag_check_meta(): kind_flag marks an attribute tag and is allowed
      if (!basicLeft(4)) return -EINVAL;
      const v = btf.nameBytes(btf.nameOff(t));
      if (v === null || v.length === 0) return fail("Invalid value");
      if (vlen) return fail("vlen != 0");
      if (btf.s32(extra) < -1) return fail("Invalid component_idx");
      env.logType(t, true, null);
      return 4;
    }
  }
  return -EINVAL;
}

function memberAt(btf: Btf, st: number, i: number): Member {
  const m = st + TYPE_SIZE + i * 12;
  return { name_off: btf.u32(m), type: btf.u32(m + 4), offset: btf.u32(m + 8) };
}

/** btf_check_meta(): the common btf_type checks, then the kind's. */
function btf_check_meta(env: Env, t: number, meta_left: number): number {
  const btf = env.btf;
  const saved = meta_left;
  if (meta_left < TYPE_SIZE) {
    env.vlog(`[${env.log_type_id}] meta_left:${meta_left} meta_needed:${TYPE_SIZE}`);
    return -EINVAL;
  }
  meta_left -= TYPE_SIZE;
  const info = btf.info(t);
  if (info & ~BTF_INFO_MASK) {
    env.vlog(`[${env.log_type_id}] Invalid btf_info:${(info >>> 0).toString(16)}`);
    return -EINVAL;
  }
  const kind = btf.kind(t);
  if (kind > BTF_KIND_MAX || kind === K.UNKN) {
    env.vlog(`[${env.log_type_id}] Invalid kind:${kind}`);
    return -EINVAL;
  }
  const no = btf.nameOff(t);
  if (!btf.nameOffsetValid(no)) {
    env.vlog(`[${env.log_type_id}] Invalid name_offset:${no}`);
    return -EINVAL;
  }
  const var_meta = checkMetaKind(env, t, meta_left);
  if (var_meta < 0) return var_meta;
  meta_left -= var_meta;
  return saved - meta_left;
}

/** btf_add_type(): the types array grows by a quarter (at least 16) up to BTF_MAX_TYPE slots. */
function btf_add_type(env: Env, t: number): number {
  const btf = env.btf;
  if (btf.types_size === btf.nr_types) {
    if (btf.types_size === BTF_MAX_TYPE) {
      env.vlog("Exceeded max num of types");
      return -E2BIG;
    }
    const expand_by = Math.max(btf.types_size >>> 2, 16);
    btf.types_size = Math.min(BTF_MAX_TYPE, btf.types_size + expand_by);
    if (btf.nr_types === 0) btf.types.push(VOID);
  }
  btf.types.push(t);
  return 0;
}

/** btf_check_all_metas(): pass 1. */
function btf_check_all_metas(env: Env): number {
  const btf = env.btf;
  let cur = btf.hdr_len + btf.type_off;
  const end = cur + btf.type_len;
  env.log_type_id = 1;
  while (cur < end) {
    const meta = btf_check_meta(env, cur, end - cur);
    if (meta < 0) return meta;
    // The kernel ignores btf_add_type()'s result here.
    btf_add_type(env, cur);
    cur += meta;
    env.log_type_id++;
  }
  return 0;
}

// -------------------------------------------------------------- check_member ops

type CheckMember = (env: Env, st: number, m: Member, mt: number) => number;

function memberErr(env: Env, st: number, m: Member, msg: string): number {
  env.logMember(st, m, msg);
  return -EINVAL;
}

/** btf_df_check_member / btf_df_check_kflag_member */
function dfCheckMember(kflagVariant: boolean): CheckMember {
  return (env, st) => {
    env.logType(st, false, kflagVariant ? "Unsupported check_kflag_member" : "Unsupported check_member");
    return -EINVAL;
  };
}

/** btf_int_check_member() */
const intCheckMember: CheckMember = (env, st, m, mt) => {
  const btf = env.btf;
  const d = btf.u32(mt + TYPE_SIZE);
  let off = m.offset;
  const struct_size = btf.sizeType(st);
  if (0xffffffff - off < INT_OFFSET(d)) return memberErr(env, st, m, "bits_offset exceeds U32_MAX");
  off += INT_OFFSET(d);
  const bytes_offset = off >>> 3;
  const nr_copy_bits = INT_BITS(d) + (off & 7);
  if (nr_copy_bits > BITS_PER_U128) return memberErr(env, st, m, "nr_copy_bits exceeds 128");
  if (struct_size < bytes_offset || struct_size - bytes_offset < roundupBytes(nr_copy_bits)) return memberErr(env, st, m, "Member exceeds struct_size");
  return 0;
};

/** btf_int_check_kflag_member() */
const intCheckKflagMember: CheckMember = (env, st, m, mt) => {
  const btf = env.btf;
  if (!intIsRegular(btf, mt)) return memberErr(env, st, m, "Invalid member base type");
  const d = btf.u32(mt + TYPE_SIZE);
  let nr_bits = m.offset >>> 24;
  const off = m.offset & 0xffffff;
  const struct_size = btf.sizeType(st);
  if (!nr_bits) {
    if (off & 7) return memberErr(env, st, m, "Invalid member offset");
    nr_bits = INT_BITS(d);
  } else if (nr_bits > INT_BITS(d)) return memberErr(env, st, m, "Invalid member bitfield_size");
  const bytes_offset = off >>> 3;
  const nr_copy_bits = nr_bits + (off & 7);
  if (nr_copy_bits > BITS_PER_U128) return memberErr(env, st, m, "nr_copy_bits exceeds 128");
  if (struct_size < bytes_offset || struct_size - bytes_offset < roundupBytes(nr_copy_bits)) return memberErr(env, st, m, "Member exceeds struct_size");
  return 0;
};

/** btf_modifier_check_member / _kflag_member: check against the resolved type. */
function modifierCheckMember(kflagVariant: boolean): CheckMember {
  return (env, st, m) => {
    const r = btf_type_id_size(env.btf, m.type);
    if (r === undefined) return memberErr(env, st, m, "Invalid member");
    const rm: Member = { name_off: m.name_off, type: r.id, offset: m.offset };
    const ops = kindOps(env.btf, r.t);
    return (kflagVariant ? ops.checkKflagMember : ops.checkMember)(env, st, rm, r.t);
  };
}

/** btf_ptr_check_member() */
const ptrCheckMember: CheckMember = (env, st, m) => {
  if (m.offset & 7) return memberErr(env, st, m, "Member is not byte aligned");
  if (((env.btf.sizeType(st) - (m.offset >>> 3)) >>> 0) < 8) return memberErr(env, st, m, "Member exceeds struct_size");
  return 0;
};

/** btf_array_check_member() */
const arrayCheckMember: CheckMember = (env, st, m) => {
  if (m.offset & 7) return memberErr(env, st, m, "Member is not byte aligned");
  const r = btf_type_id_size(env.btf, m.type);
  const array_size = r?.size ?? 0;
  if (((env.btf.sizeType(st) - (m.offset >>> 3)) >>> 0) < array_size) return memberErr(env, st, m, "Member exceeds struct_size");
  return 0;
};

/** btf_struct_check_member() and btf_enum_check_member() */
const sizedCheckMember: CheckMember = (env, st, m, mt) => {
  if (m.offset & 7) return memberErr(env, st, m, "Member is not byte aligned");
  if (((env.btf.sizeType(st) - (m.offset >>> 3)) >>> 0) < env.btf.sizeType(mt)) return memberErr(env, st, m, "Member exceeds struct_size");
  return 0;
};

/** btf_enum_check_kflag_member() */
const enumCheckKflagMember: CheckMember = (env, st, m) => {
  const off = m.offset & 0xffffff;
  let nr_bits = m.offset >>> 24;
  if (!nr_bits) {
    if (off & 7) return memberErr(env, st, m, "Member is not byte aligned");
    nr_bits = 32;
  } else if (nr_bits > 32) return memberErr(env, st, m, "Invalid member bitfield_size");
  if (env.btf.sizeType(st) < roundupBytes(off + nr_bits)) return memberErr(env, st, m, "Member exceeds struct_size");
  return 0;
};

/** btf_float_check_member() */
const floatCheckMember: CheckMember = (env, st, m, mt) => {
  const size = env.btf.sizeType(mt);
  const align_bits = Math.min(8, size) * 8;
  if (m.offset % align_bits) return memberErr(env, st, m, "Member is not properly aligned");
  if (Math.floor(m.offset / 8) + size > env.btf.sizeType(st)) return memberErr(env, st, m, "Member exceeds struct_size");
  return 0;
};

/** btf_generic_check_kflag_member(): no bitfield, then the plain check. */
const genericCheckKflagMember: CheckMember = (env, st, m, mt) => {
  if (m.offset >>> 24) return memberErr(env, st, m, "Invalid member bitfield_size");
  return kindOps(env.btf, mt).checkMember(env, st, m, mt);
};

interface KindOps {
  resolve: ((env: Env, v: Vertex) => number) | null;
  checkMember: CheckMember;
  checkKflagMember: CheckMember;
}

const DF_MEMBER = dfCheckMember(false);
const DF_KFLAG_MEMBER = dfCheckMember(true);

function kindOps(btf: Btf, t: number): KindOps {
  switch (btf.kind(t)) {
    case K.INT:
      return { resolve: null, checkMember: intCheckMember, checkKflagMember: intCheckKflagMember };
    case K.PTR:
      return { resolve: ptrResolve, checkMember: ptrCheckMember, checkKflagMember: genericCheckKflagMember };
    case K.ARRAY:
      return { resolve: arrayResolve, checkMember: arrayCheckMember, checkKflagMember: genericCheckKflagMember };
    case K.STRUCT:
    case K.UNION:
      return { resolve: structResolve, checkMember: sizedCheckMember, checkKflagMember: genericCheckKflagMember };
    case K.ENUM:
    case K.ENUM64:
      return { resolve: null, checkMember: sizedCheckMember, checkKflagMember: enumCheckKflagMember };
    case K.TYPEDEF:
    case K.VOLATILE:
    case K.CONST:
    case K.RESTRICT:
    case K.TYPE_TAG:
      return { resolve: modifierResolve, checkMember: modifierCheckMember(false), checkKflagMember: modifierCheckMember(true) };
    case K.FUNC:
      return { resolve: funcResolve, checkMember: DF_MEMBER, checkKflagMember: DF_KFLAG_MEMBER };
    case K.VAR:
      return { resolve: varResolve, checkMember: DF_MEMBER, checkKflagMember: DF_KFLAG_MEMBER };
    case K.DATASEC:
      return { resolve: datasecResolve, checkMember: DF_MEMBER, checkKflagMember: DF_KFLAG_MEMBER };
    case K.FLOAT:
      return { resolve: null, checkMember: floatCheckMember, checkKflagMember: genericCheckKflagMember };
    case K.DECL_TAG:
      return { resolve: declTagResolve, checkMember: DF_MEMBER, checkKflagMember: DF_KFLAG_MEMBER };
    default:
      // FWD, FUNC_PROTO (and VOID): btf_df_*
      return { resolve: null, checkMember: DF_MEMBER, checkKflagMember: DF_KFLAG_MEMBER };
  }
}

// ------------------------------------------------------------------ resolve ops

function typeErr(env: Env, t: number, msg: string): number {
  env.logType(t, true, msg);
  return -EINVAL;
}

/** btf_type_id_resolve(): the id a needs-resolve type resolved to. */
function idResolve(btf: Btf, id: number): { t: number | undefined; id: number } {
  const rid = btf.resolved_ids[id]!;
  return { t: btf.typeById(rid), id: rid };
}

/** btf_modifier_resolve() and btf_ptr_resolve() (the pointer also continues from a last-resolved pointer). */
function refResolve(isPointer: boolean): (env: Env, v: Vertex) => number {
  return (env, v) => {
    const btf = env.btf;
    let next_id = btf.sizeType(v.t);
    let next = btf.typeById(next_id);
    if (next === undefined || sourceOnly(btf, next)) return typeErr(env, v.t, "Invalid type_id");
    if (!env.isResolveSink(next) && !env.isResolved(next_id)) return env.push(next, next_id);
    if (isPointer && isMod(btf, next)) {
      const r = idResolve(btf, next_id);
      if (isPtr(btf, r.t) && !env.isResolveSink(r.t!) && !env.isResolved(r.id)) return env.push(r.t!, r.id);
    }
    const sz = btf_type_id_size(btf, next_id);
    if (sz === undefined) {
      if (env.isResolved(next_id)) {
        const r = idResolve(btf, next_id);
        next = r.t;
        next_id = r.id;
      }
      // "typedef void new_void", "const void", pointers to forward declarations and prototypes
      if (!isVoid(next) && !isFwd(btf, next) && !isFuncProto(btf, next)) return typeErr(env, v.t, "Invalid type_id");
    } else next_id = sz.id;
    env.popResolved(next_id, 0);
    return 0;
  };
}
const modifierResolve = refResolve(false);
const ptrResolve = refResolve(true);

/** btf_var_resolve() */
function varResolve(env: Env, v: Vertex): number {
  const btf = env.btf;
  const next_id = btf.sizeType(v.t);
  const next = btf.typeById(next_id);
  if (next === undefined || sourceOnly(btf, next)) return typeErr(env, v.t, "Invalid type_id");
  if (!env.isResolveSink(next) && !env.isResolved(next_id)) return env.push(next, next_id);
  if (isMod(btf, next)) {
    const r = idResolve(btf, next_id);
    if (isPtr(btf, r.t) && !env.isResolveSink(r.t!) && !env.isResolved(r.id)) return env.push(r.t!, r.id);
  }
  // A variable must resolve to something with a size: no forward types.
  const sz = btf_type_id_size(btf, next_id);
  if (sz === undefined) return typeErr(env, v.t, "Invalid type_id");
  env.popResolved(sz.id, 0);
  return 0;
}

/** btf_array_resolve() */
function arrayResolve(env: Env, v: Vertex): number {
  const btf = env.btf;
  const extra = v.t + TYPE_SIZE;
  const elem_id0 = btf.u32(extra);
  const index_id0 = btf.u32(extra + 4);
  const nelems = btf.u32(extra + 8);
  const index = btf.typeById(index_id0);
  if (nosizeOrNull(btf, index) || sourceOnly(btf, index!)) return typeErr(env, v.t, "Invalid index");
  if (!env.isResolveSink(index!) && !env.isResolved(index_id0)) return env.push(index!, index_id0);
  const ri = btf_type_id_size(btf, index_id0);
  if (ri === undefined || !isInt(btf, ri.t) || !intIsRegular(btf, ri.t)) return typeErr(env, v.t, "Invalid index");
  const elem = btf.typeById(elem_id0);
  if (nosizeOrNull(btf, elem) || sourceOnly(btf, elem!)) return typeErr(env, v.t, "Invalid elem");
  if (!env.isResolveSink(elem!) && !env.isResolved(elem_id0)) return env.push(elem!, elem_id0);
  const re = btf_type_id_size(btf, elem_id0);
  if (re === undefined) return typeErr(env, v.t, "Invalid elem");
  if (isInt(btf, re.t) && !intIsRegular(btf, re.t)) return typeErr(env, v.t, "Invalid array of int");
  if (nelems && re.size > Math.floor(0xffffffff / nelems)) return typeErr(env, v.t, "Array size overflows U32_MAX");
  env.popResolved(re.id, Math.imul(re.size, nelems) >>> 0);
  return 0;
}

/** btf_struct_resolve(): each member resolved and checked in turn. */
function structResolve(env: Env, v: Vertex): number {
  const btf = env.btf;
  const kflag = btf.kflag(v.t);
  if (v.next_member) {
    const last = memberAt(btf, v.t, v.next_member - 1);
    const last_id = last.type;
    if (!env.isResolved(last_id)) return -EINVAL;
    const lt = btf.typeById(last_id)!;
    const ops = kindOps(btf, lt);
    const err = (kflag ? ops.checkKflagMember : ops.checkMember)(env, v.t, last, lt);
    if (err) return err;
  }
  const vlen = btf.vlen(v.t);
  for (let i = v.next_member; i < vlen; i++) {
    const m = memberAt(btf, v.t, i);
    const mt = btf.typeById(m.type);
    if (nosizeOrNull(btf, mt) || sourceOnly(btf, mt!)) return memberErr(env, v.t, m, "Invalid member");
    if (!env.isResolveSink(mt!) && !env.isResolved(m.type)) {
      env.setNextMember(i + 1);
      return env.push(mt!, m.type);
    }
    const ops = kindOps(btf, mt!);
    const err = (kflag ? ops.checkKflagMember : ops.checkMember)(env, v.t, m, mt!);
    if (err) return err;
  }
  env.popResolved(0, 0);
  return 0;
}

/** btf_datasec_resolve() */
function datasecResolve(env: Env, v: Vertex): number {
  const btf = env.btf;
  env.resolve_mode = RESOLVE_TBD;
  const vlen = btf.vlen(v.t);
  for (let i = v.next_member; i < vlen; i++) {
    const vsi = v.t + TYPE_SIZE + i * 12;
    const var_id = btf.u32(vsi);
    const vt = btf.typeById(var_id);
    if (vt === undefined || !isVar(btf, vt)) {
      env.logVsi(v.t, vsi, "Not a VAR kind member");
      return -EINVAL;
    }
    if (!env.isResolveSink(vt) && !env.isResolved(var_id)) {
      env.setNextMember(i + 1);
      return env.push(vt, var_id);
    }
    const r = btf_type_id_size(btf, btf.sizeType(vt));
    if (r === undefined) {
      env.logVsi(v.t, vsi, "Invalid type");
      return -EINVAL;
    }
    if (btf.u32(vsi + 8) < r.size) {
      env.logVsi(v.t, vsi, "Invalid size");
      return -EINVAL;
    }
  }
  env.popResolved(0, 0);
  return 0;
}

/** btf_func_check(): the prototype, and every named argument. */
function btf_func_check(env: Env, t: number): number {
  const btf = env.btf;
  const proto = btf.typeById(btf.sizeType(t));
  if (proto === undefined || !isFuncProto(btf, proto)) return typeErr(env, t, "Invalid type_id");
  const n = btf.vlen(proto);
  for (let i = 0; i < n; i++) {
    const a = proto + TYPE_SIZE + i * 8;
    if (!btf.u32(a) && btf.u32(a + 4)) return typeErr(env, t, `Invalid arg#${i + 1}`);
  }
  return 0;
}

/** btf_func_resolve() */
function funcResolve(env: Env, v: Vertex): number {
  const err = btf_func_check(env, v.t);
  if (err) return err;
  env.popResolved(env.btf.sizeType(v.t), 0);
  return 0;
}

/** btf_decl_tag_resolve() */
function declTagResolve(env: Env, v: Vertex): number {
  const btf = env.btf;
  const next_id = btf.sizeType(v.t);
  let next = btf.typeById(next_id);
  if (next === undefined || !isDeclTagTarget(btf, next)) return typeErr(env, v.t, "Invalid type_id");
  if (!env.isResolveSink(next) && !env.isResolved(next_id)) return env.push(next, next_id);
  const idx = btf.s32(v.t + TYPE_SIZE);
  if (idx !== -1) {
    if (isVar(btf, next) || isTypedef(btf, next)) return typeErr(env, v.t, "Invalid component_idx");
    let vlen: number;
    if (isStruct(btf, next)) vlen = btf.vlen(next);
    else {
      next = btf.typeById(btf.sizeType(next));
      vlen = next === undefined ? 0 : btf.vlen(next);
    }
    if (idx >>> 0 >= vlen) return typeErr(env, v.t, "Invalid component_idx");
  }
  env.popResolved(next_id, 0);
  return 0;
}

/** btf_resolve_valid(): the final sanity check after a type resolved. */
function resolveValid(env: Env, t: number, id: number): boolean {
  const btf = env.btf;
  if (!env.isResolved(id)) return false;
  if (isStruct(btf, t) || isDatasec(btf, t)) return !btf.resolved_ids[id] && !btf.resolved_sizes[id];
  if (isDeclTag(btf, t) || isFunc(btf, t)) return !!btf.resolved_ids[id] && !btf.resolved_sizes[id];
  if (isMod(btf, t) || isPtr(btf, t) || isVar(btf, t)) {
    const r = idResolve(btf, id);
    return r.t !== undefined && !isMod(btf, r.t) && !isVar(btf, r.t) && !isDatasec(btf, r.t);
  }
  if (isArray(btf, t)) {
    const extra = t + TYPE_SIZE;
    const e = btf_type_id_size(btf, btf.u32(extra));
    return e !== undefined && !isMod(btf, e.t) && Math.imul(btf.u32(extra + 8), e.size) >>> 0 === btf.resolved_sizes[id];
  }
  return false;
}

/** btf_resolve(): the DFS from one type. */
function btf_resolve(env: Env, t: number, id: number): number {
  const saved = env.log_type_id;
  let err = 0;
  env.resolve_mode = RESOLVE_TBD;
  env.push(t, id);
  while (!err && env.stack.length) {
    const v = env.stack[env.stack.length - 1]!;
    env.log_type_id = v.type_id;
    const resolve = kindOps(env.btf, v.t).resolve;
    if (resolve === null) {
      env.logType(v.t, false, "Unsupported resolve");
      err = -EINVAL;
    } else err = resolve(env, v);
  }
  env.log_type_id = id;
  if (err === -E2BIG) env.logType(t, true, `Exceeded max resolving depth:${MAX_RESOLVE_DEPTH}`);
  else if (err === -EEXIST) env.logType(t, true, "Loop detected");
  if (!err && !resolveValid(env, t, id)) {
    env.logType(t, true, "Invalid resolve state");
    err = -EINVAL;
  }
  env.log_type_id = saved;
  // A failed DFS leaves its stack behind in the kernel too; nothing resolves after an error.
  return err;
}

/** btf_func_proto_check(): the return type and every argument have sizes. */
function btf_func_proto_check(env: Env, t: number): number {
  const btf = env.btf;
  const ret_id = btf.sizeType(t);
  let n = btf.vlen(t);
  const arg = (i: number): number => t + TYPE_SIZE + i * 8;
  if (ret_id) {
    const rt = btf.typeById(ret_id);
    if (rt === undefined || sourceOnly(btf, rt)) return typeErr(env, t, "Invalid return type");
    if (needsResolve(btf, rt) && !env.isResolved(ret_id)) {
      const err = btf_resolve(env, rt, ret_id);
      if (err) return err;
    }
    if (btf_type_id_size(btf, ret_id) === undefined) return typeErr(env, t, "Invalid return type");
  }
  if (!n) return 0;
  if (!btf.u32(arg(n - 1) + 4)) {
    if (btf.u32(arg(n - 1))) return typeErr(env, t, `Invalid arg#${n}`);
    n--;
  }
  for (let i = 0; i < n; i++) {
    const aid = btf.u32(arg(i) + 4);
    const ano = btf.u32(arg(i));
    const at = btf.typeById(aid);
    if (at === undefined || sourceOnly(btf, at)) return typeErr(env, t, `Invalid arg#${i + 1}`);
    if (ano && (!btf.nameOffsetValid(ano) || !nameValidIdentifier(btf, ano))) return typeErr(env, t, `Invalid arg#${i + 1}`);
    if (needsResolve(btf, at) && !env.isResolved(aid)) {
      const err = btf_resolve(env, at, aid);
      if (err) return err;
    }
    if (btf_type_id_size(btf, aid) === undefined) return typeErr(env, t, `Invalid arg#${i + 1}`);
  }
  return 0;
}

/** btf_check_all_types(): pass 2. */
function btf_check_all_types(env: Env): number {
  const btf = env.btf;
  btf.resolved_ids = new Uint32Array(btf.nr_types);
  btf.resolved_sizes = new Uint32Array(btf.nr_types);
  env.visit_states = new Uint8Array(btf.nr_types);
  env.phase = CHECK_TYPE;
  for (let i = 1; i < btf.nr_types; i++) {
    const t = btf.types[i]!;
    env.log_type_id = i;
    if (needsResolve(btf, t) && !env.isResolved(i)) {
      const err = btf_resolve(env, t, i);
      if (err) return err;
    }
    if (isFuncProto(btf, t)) {
      const err = btf_func_proto_check(env, t);
      if (err) return err;
    }
  }
  return 0;
}

// ------------------------------------------------------------ header, sections

/** btf_verifier_log_hdr() */
function logHdr(env: Env, size: number): void {
  // vlog drops the lines without a log, but their template strings would be built first.
  if (!env.log.needed) return;
  const b = env.btf;
  env.vlog(`magic: 0x${b.magic.toString(16)}\n`);
  env.vlog(`version: ${b.version}\n`);
  env.vlog(`flags: 0x${b.flags.toString(16)}\n`);
  env.vlog(`hdr_len: ${b.hdr_len}\n`);
  env.vlog(`type_off: ${b.type_off}\n`);
  env.vlog(`type_len: ${b.type_len}\n`);
  env.vlog(`str_off: ${b.str_off}\n`);
  env.vlog(`str_len: ${b.str_len}\n`);
  env.vlog(`btf_total_size: ${size}\n`);
}

/** btf_check_sec_info(): the type and string sections, sorted, must tile the data after the header. */
function btf_check_sec_info(env: Env, size: number): number {
  const b = env.btf;
  let secs = [
    { off: b.type_off, len: b.type_len },
    { off: b.str_off, len: b.str_len },
  ];
  // btf_sec_info_cmp() compares differences as ints; lib/sort's heapsort on two elements keeps them only when the first is smaller.
  const cmp = (x: { off: number; len: number }, y: { off: number; len: number }): number => (x.off - y.off) | 0 || (x.len - y.len) | 0;
  if (cmp(secs[0]!, secs[1]!) >= 0) secs = [secs[1]!, secs[0]!];
  let total = 0;
  const expected = (size - b.hdr_len) >>> 0;
  for (const s of secs) {
    if (expected < s.off) {
      env.vlog("Invalid section offset");
      return -EINVAL;
    }
    if (total < s.off) {
      env.vlog("Unsupported section found");
      return -EINVAL;
    }
    if (total > s.off) {
      env.vlog("Section overlap found");
      return -EINVAL;
    }
    if (expected - total < s.len) {
      env.vlog("Total section length too long");
      return -EINVAL;
    }
    total += s.len;
  }
  if (expected !== total) {
    env.vlog("Unsupported section found");
    return -EINVAL;
  }
  return 0;
}

/** btf_parse_hdr()'s zeroed copy of the header, one for every parse (it is read before btf_parse_hdr returns). */
const HDR_SCRATCH = new Uint8Array(BTF_HDR_SIZE);
const HDR_VIEW = new DataView(HDR_SCRATCH.buffer);

/** btf_parse_hdr() */
function btf_parse_hdr(env: Env): number {
  const b = env.btf;
  const size = b.data.length;
  if (size < 8) {
    env.vlog("hdr_len not found");
    return -EINVAL;
  }
  // hdr_len from the bytes: a DataView of the blob (Btf.u32) is made only once types are read.
  const d = b.data;
  const hdr_len = (d[4]! | (d[5]! << 8) | (d[6]! << 16) | (d[7]! << 24)) >>> 0;
  if (size < hdr_len) {
    env.vlog("btf_header not found");
    return -EINVAL;
  }
  // Header bytes this kernel does not know must be zero.
  for (let i = BTF_HDR_SIZE; i < hdr_len; i++) {
    if (b.data[i]) {
      env.vlog("Unsupported btf_header");
      return -E2BIG;
    }
  }
  const copy = Math.min(hdr_len, BTF_HDR_SIZE);
  // The kernel copies min(hdr_len, sizeof(btf_header)) into a zeroed header; one scratch header serves every parse.
  const h = HDR_SCRATCH;
  // The copied bytes, then zeros to the end (a fill() call first cost more than the 24 stores).
  for (let i = 0; i < copy; i++) h[i] = b.data[i]!;
  for (let i = copy; i < BTF_HDR_SIZE; i++) h[i] = 0;
  const hv = HDR_VIEW;
  b.magic = hv.getUint16(0, true);
  b.version = h[2]!;
  b.flags = h[3]!;
  b.hdr_len = hv.getUint32(4, true);
  b.type_off = hv.getUint32(8, true);
  b.type_len = hv.getUint32(12, true);
  b.str_off = hv.getUint32(16, true);
  b.str_len = hv.getUint32(20, true);
  logHdr(env, size);
  if (b.magic !== BTF_MAGIC) {
    env.vlog("Invalid magic");
    return -EINVAL;
  }
  if (b.version !== BTF_VERSION) {
    env.vlog("Unsupported version");
    return -ENOTSUPP;
  }
  if (b.flags) {
    env.vlog("Unsupported flags");
    return -ENOTSUPP;
  }
  if (size === b.hdr_len) {
    env.vlog("No data");
    return -EINVAL;
  }
  return btf_check_sec_info(env, size);
}

/** btf_parse_str_sec(): last in the data, NUL first and last, offsets within BTF_MAX_NAME_OFFSET. */
function btf_parse_str_sec(env: Env): number {
  const b = env.btf;
  const start = b.hdr_len + b.str_off;
  const end = start + b.str_len;
  if (end !== b.data.length) {
    env.vlog("String section is not at the end");
    return -EINVAL;
  }
  b.strings = start;
  if (!b.str_len || b.str_len - 1 > BTF_MAX_NAME_OFFSET || b.data[end - 1]) {
    env.vlog("Invalid string section");
    return -EINVAL;
  }
  if (b.data[start]) {
    env.vlog("Invalid string section");
    return -EINVAL;
  }
  return 0;
}

/** btf_parse_type_sec() */
function btf_parse_type_sec(env: Env): number {
  const b = env.btf;
  if (b.type_off & 3) {
    env.vlog("Unaligned type_off");
    return -EINVAL;
  }
  if (!b.type_len) {
    env.vlog("No type found");
    return -EINVAL;
  }
  const err = btf_check_all_metas(env);
  if (err) return err;
  return btf_check_all_types(env);
}

/** btf_check_type_tags(): type tags come first in a modifier chain, and chains end within 32 steps. */
function btf_check_type_tags(env: Env): number {
  const btf = env.btf;
  let good_id = 0;
  for (let i = 1; i < btf.nr_types; i++) {
    let t = btf.typeById(i);
    if (t === undefined) return -EINVAL;
    if (!isMod(btf, t)) continue;
    let chain_limit = 32;
    let cur = i;
    let in_tags = isTypeTag(btf, t);
    while (isMod(btf, t)) {
      if (!chain_limit--) {
        env.vlog("Max chain length or cycle detected");
        return -ELOOP;
      }
      if (isTypeTag(btf, t)) {
        if (!in_tags) {
          env.vlog("Type tags don't precede modifiers");
          return -EINVAL;
        }
      } else if (in_tags) in_tags = false;
      if (cur <= good_id) break;
      cur = btf.sizeType(t!);
      t = btf.typeById(cur);
      if (t === undefined) return -EINVAL;
    }
    good_id = i;
  }
  return 0;
}

/** The special structs btf_parse_struct_metas() looks for by name. */
const ALLOC_OBJ_FIELDS = ["bpf_spin_lock", "bpf_list_head", "bpf_list_node", "bpf_rb_root", "bpf_rb_node", "bpf_refcount"] as const;

/**
 * btf_parse_struct_metas(): structs that hold one of the special structs
 * (found by name) or a kptr type get a field record, which must parse.
 * Records with kptrs or graph roots need the vmlinux BTF and decl-tag
 * lookups that are not emulated: such BTF is refused with a bpfemu reason.
 */
function btf_parse_struct_metas(btf: Btf): { err: number; why: string } | null {
  const aof = new Set<number>();
  for (const n of ALLOC_OBJ_FIELDS) {
    const id = btf.findByNameKind(n, K.STRUCT);
    if (id >= 0) aof.add(id);
  }
  for (let i = 1; i < btf.nr_types; i++) if (isKptrType(btf, btf.types[i]!)) aof.add(i);
  if (!aof.size) return null;
  for (let i = 1; i < btf.nr_types; i++) {
    const t = btf.types[i]!;
    if (!kindIs(btf, t, K.STRUCT)) continue;
    let hit = false;
    for (let j = 0; j < btf.vlen(t) && !hit; j++) hit = aof.has(memberAt(btf, t, j).type);
    if (!hit) continue;
    const rec = btf_parse_fields(btf, t, F.SPIN_LOCK | F.LIST_HEAD | F.LIST_NODE | F.RB_ROOT | F.RB_NODE | F.REFCOUNT | F_KPTR, btf.sizeType(t));
    if (rec === null) return { err: -EFAULT, why: `struct [${i}] holds a special type but no special field was found` };
    if (rec instanceof FieldErr) return { err: rec.err, why: `struct [${i}]: ${rec.why}` };
    // btf_parse_fields(): bpf_rb_node and bpf_list_node together need a bpf_refcount
    let mask = 0;
    for (const f of rec) mask |= f.type;
    if (mask & F.LIST_NODE && mask & F.RB_NODE && !(mask & F.REFCOUNT)) return { err: -EINVAL, why: `struct [${i}]: list and rbtree node without a refcount` };
  }
  return null;
}

/** btf_find_kptr() on a type by itself: a (volatile) pointer to a kptr type tag over a struct. */
function isKptrType(btf: Btf, t0: number): boolean {
  let t: number | undefined = t0;
  if (kindIs(btf, t, K.VOLATILE)) t = btf.typeById(btf.sizeType(t!));
  if (!isPtr(btf, t)) return false;
  const tag = btf.typeById(btf.sizeType(t!));
  if (!isTypeTag(btf, tag) || btf.kflag(tag!)) return false;
  if (isTypeTag(btf, btf.typeById(btf.sizeType(tag!)))) return false;
  const v = btf.nameBytes(btf.nameOff(tag!));
  if (v === null || !(bytesEq(v, "kptr_untrusted") || bytesEq(v, "kptr") || bytesEq(v, "percpu_kptr"))) return false;
  let base = btf.typeById(btf.sizeType(tag!));
  while (base !== undefined && isMod(btf, base)) base = btf.typeById(btf.sizeType(base));
  return isStruct(btf, base) && kindIs(btf, base, K.STRUCT);
}

// -------------------------------------------------------------------- btf_parse

export interface BtfLoadResult {
  err: number;
  reason: string;
  btf?: Btf;
}

/**
 * btf_parse() after the size limit, the log attribute checks and the copy:
 * header, strings, types, type tags, struct metas; the log is finalized and
 * btf_log_true_size written back (when the attr reaches it) on success and
 * on failure, where -ENOSPC/-EFAULT from the log replace the error.
 */
export function btf_parse(c: Call, data: Uint8Array): BtfLoadResult {
  const { t, attr } = c;
  const log = new VLog(t, attr.u32("btf_log_level"), attr.u64("btf_log_buf"), attr.u32("btf_log_size"));
  const btf = new Btf(data);
  const env = new Env(btf, log);
  let err = btf_parse_hdr(env);
  let reason = "BTF header";
  if (!err) {
    err = btf_parse_str_sec(env);
    reason = "BTF string section";
  }
  if (!err) {
    err = btf_parse_type_sec(env);
    reason = "BTF types";
  }
  if (!err) {
    err = btf_check_type_tags(env);
    reason = "BTF type tag chains";
  }
  if (!err) {
    const m = btf_parse_struct_metas(btf);
    if (m !== null) {
      err = m.err;
      reason = `BTF struct metas (${m.why})`;
    }
  }
  const fin = log.finalize();
  let ferr = fin.err;
  // put_user() of btf_log_true_size when the attr reaches it; its fault is reported below as the log's.
  const tsOff = attr.fields.offsetOf("btf_log_true_size");
  if (tsOff >= 0 && c.size >= tsOff + 4 && copy_to_user_u32(t, Number(c.uattr) + tsOff, fin.true_size >>> 0) !== 0) ferr = -EFAULT;
  if (ferr) {
    const why = ferr === -ENOSPC ? `log: ${fin.true_size} bytes do not fit in btf_log_size ${attr.u32("btf_log_size")}` : "log: writing the log faulted";
    return { err: ferr, reason: err ? `${why} (after ${reason} failed with ${err})` : why };
  }
  if (err) return { err, reason: rejectedReason(reason, err) };
  return { err: 0, reason: "", btf };
}

/** btf_parse()'s "<section> rejected (<errno>)" reason, remembered for the last pair (a program retrying a bad blob fails the same way). */
const rejectedMemo = { what: "", err: 0, reason: "" };
function rejectedReason(what: string, err: number): string {
  const m = rejectedMemo;
  if (m.what !== what || m.err !== err) {
    m.what = what;
    m.err = err;
    m.reason = `${what} rejected (${err}); see the BTF log`;
  }
  return m.reason;
}


// ---------------------------------------------------------------- BTF objects

/** Size of the running kernel's vmlinux BTF (/sys/kernel/btf/vmlinux on the reference host, fixtures/btf/vmlinux-6.18.btf.gz). */
export const VMLINUX_BTF_SIZE = 5515646;

/** struct btf as an object: user BTF from BTF_LOAD, or the kernel's vmlinux BTF. */
export interface BtfObj {
  readonly kind: "btf";
  readonly kernel: boolean;
  readonly name: string;
  id?: number;
  /** fds and users (maps); the id goes when it drops to zero. The vmlinux object has none: it never goes. */
  refcnt?: number;
  /** The loaded bytes (user BTF). */
  data?: Uint8Array;
  parsed?: Btf;
  idr?: { remove(id: number): void };
}

/** btf_put(): the last reference frees the id. */
export function btf_put(b: BtfObj): void {
  if (b.refcnt === undefined) return;
  if (--b.refcnt === 0 && b.id !== undefined) b.idr?.remove(b.id);
}

export function btf_get(b: BtfObj): void {
  if (b.refcnt !== undefined) b.refcnt++;
}

/** btf_fops: O_RDONLY | O_CLOEXEC anon inode files; release drops the reference. */
export const btf_fops: FileOperations = {
  name: "btf_fops",
  release: (f) => btf_put(f.private_data as BtfObj),
};

/** btf_data_size of an object (the kernel's own BTF has no bytes here, only its size). */
export function btf_data_size(b: BtfObj): number {
  return b.data?.length ?? (b.kernel ? VMLINUX_BTF_SIZE : 0);
}

/**
 * btf_new_fd() after the size limit, bpf_vlog_init and the copy: parse,
 * btf_alloc_id (cyclic from 1), then the fd.
 */
export function btf_new_fd_parsed(c: Call, data: Uint8Array): number {
  const { t } = c;
  const r = btf_parse(c, data);
  if (r.btf === undefined) return t.fail(r.err, r.reason);
  const obj: BtfObj = { kind: "btf", kernel: false, name: "", refcnt: 1, data, parsed: r.btf, idr: t.kernel.btf_idr };
  const id = t.kernel.btf_idr.alloc(obj);
  if (id < 0) return t.fail(-ENOSPC, "btf idr is full");
  obj.id = id;
  const fd = t.files.install(new File(btf_fops, obj, O_RDONLY | O_CLOEXEC));
  if (fd < 0) {
    btf_put(obj);
    return t.fail(fd, "no free fd for the BTF object");
  }
  return fd;
}

/** btf_get_fd_by_id(): a new O_RDONLY|O_CLOEXEC fd and reference. */
export function btf_get_fd_by_id(t: Task, id: number): number {
  const b = t.kernel.btf_idr.find(id) as BtfObj | undefined;
  if (b === undefined || b.refcnt === 0) return t.fail(-ENOENT, `no BTF object with id ${id}`);
  btf_get(b);
  const fd = t.files.install(new File(btf_fops, b, O_RDONLY | O_CLOEXEC));
  if (fd < 0) {
    btf_put(b);
    return t.fail(fd, "no free fd");
  }
  return fd;
}

/** __btf_get_by_fd(): -EBADF for a closed fd, -EINVAL for another kind of file. */
export function btf_get_by_fd(t: Task, ufd: number, field: string): BtfObj | number {
  const f = t.files.get(ufd);
  if (f === undefined) return t.fail(-EBADF, `${field}: fd ${ufd} is not open`);
  if (f.f_op !== btf_fops) return t.fail(-EINVAL, `${field}: fd ${ufd} is not a BTF object (${f.f_op.name})`);
  return f.private_data as BtfObj;
}

/** Whether a file is a BTF object (isBtfFile). */
export function isBtf(f: File): boolean {
  return f.f_op === btf_fops;
}

// ------------------------------------------------------------- OBJ_GET_INFO_BY_FD

/**
 * The vmlinux BTF bytes, when a host-side caller supplies them (the core
 * cannot read fixtures/btf/vmlinux-6.18.btf.gz without Node APIs). Without
 * them a copy-out of the kernel's BTF is refused: a known divergence.
 */
let vmlinuxBytes: Uint8Array | null = null;

export function provideVmlinuxBtf(bytes: Uint8Array): void {
  if (bytes.length !== VMLINUX_BTF_SIZE) throw new RangeError(`vmlinux BTF must be ${VMLINUX_BTF_SIZE} bytes, not ${bytes.length}`);
  vmlinuxBytes = bytes;
}

/**
 * bpf_btf_get_info_by_fd() + btf_get_info_by_fd(): the tail check against
 * sizeof(bpf_btf_info), the caller's struct as the starting point, the BTF
 * bytes copied out up to min(btf_size, the caller's btf_size), then the name
 * (-ENOSPC, after writing a truncated name, when name_len is too short), and
 * the struct and info_len written back.
 */
export function btf_get_info_by_fd(c: Call, b: BtfObj): number {
  const { t, attr } = c;
  const layout = t.kernel.tables.structs["bpf_btf_info"];
  if (layout === undefined) return t.fail(-EINVAL, "this ABI has no bpf_btf_info");
  const uinfo = attr.u64("info.info");
  const ulen = attr.u32("info.info_len");
  const err0 = bpf_check_uarg_tail_zero(t, uinfo, layout.size, ulen, "info (bpf_btf_info)");
  if (err0) return err0;
  const len = Math.min(ulen, layout.size);
  const info = new Uint8Array(layout.size);
  const iv = new DataView(info.buffer);
  if (t.memory.copyIn(info, uinfo, len) !== 0) return t.fail(-EFAULT, `info: reading ${len} bytes of bpf_btf_info faulted`);
  const off = (name: string): number => layout.fields.find((f) => f.name === name)!.offset;
  iv.setUint32(off("id"), b.id ?? 1, true);
  const size = btf_data_size(b);
  const ubtf = iv.getBigUint64(off("btf"), true);
  const copy = Math.min(size, iv.getUint32(off("btf_size"), true));
  if (copy) {
    const bytes = b.data ?? (b.kernel ? vmlinuxBytes : null);
    if (bytes === null) return t.fail(-EINVAL, "bpfemu: the vmlinux BTF bytes are not loaded, so they cannot be copied out (known divergence)");
    if (t.memory.copyOut(ubtf, bytes.subarray(0, copy)) !== 0) return t.fail(-EFAULT, `info.btf: writing ${copy} bytes faulted`);
  }
  iv.setUint32(off("btf_size"), size, true);
  iv.setUint32(off("kernel_btf"), b.kernel ? 1 : 0, true);
  const uname = iv.getBigUint64(off("name"), true);
  const uname_len = iv.getUint32(off("name_len"), true);
  if ((uname === 0n) !== (uname_len === 0)) return t.fail(-EINVAL, "info: name and name_len must be given together");
  const name = new Uint8Array(b.name.length + 1);
  for (let i = 0; i < b.name.length; i++) name[i] = b.name.charCodeAt(i);
  iv.setUint32(off("name_len"), b.name.length, true);
  let ret = 0;
  if (uname !== 0n) {
    if (uname_len >= name.length) {
      if (t.memory.copyOut(uname, name) !== 0) return t.fail(-EFAULT, "info.name: writing the name faulted");
    } else {
      if (t.memory.copyOut(uname, name.subarray(0, uname_len - 1)) !== 0) return t.fail(-EFAULT, "info.name: writing the name faulted");
      if (t.memory.copyOut(uname + BigInt(uname_len - 1), new Uint8Array(1)) !== 0) return t.fail(-EFAULT, "info.name: writing the NUL faulted");
      ret = t.fail(-ENOSPC, `info.name_len ${uname_len} is too short for "${b.name}"`);
    }
  }
  if (t.memory.copyOut(uinfo, info.subarray(0, len)) !== 0) return t.fail(-EFAULT, `info: writing ${len} bytes faulted`);
  const e = put_user_u32(c, "info.info_len", len);
  if (e) return e;
  return ret;
}

// ---------------------------------------------------------------- maps with BTF

/** enum btf_field_type bits (include/linux/bpf.h). */
const BPF_FIELD = {
  SPIN_LOCK: 1 << 0,
  TIMER: 1 << 1,
  KPTR_UNREF: 1 << 2,
  KPTR_REF: 1 << 3,
  KPTR_PERCPU: 1 << 4,
  LIST_HEAD: 1 << 5,
  LIST_NODE: 1 << 6,
  RB_ROOT: 1 << 7,
  RB_NODE: 1 << 8,
  REFCOUNT: 1 << 9,
  WORKQUEUE: 1 << 10,
  UPTR: 1 << 11,
  RES_SPIN_LOCK: 1 << 12,
  TASK_WORK: 1 << 13,
} as const;
const F = BPF_FIELD;
const F_KPTR = F.KPTR_UNREF | F.KPTR_REF | F.KPTR_PERCPU;

/** btf_field_type_size() / btf_field_type_align() */
const FIELD_SIZE_ALIGN: Record<number, [number, number]> = {
  [F.SPIN_LOCK]: [4, 4],
  [F.RES_SPIN_LOCK]: [8, 4],
  [F.TIMER]: [16, 8],
  [F.WORKQUEUE]: [16, 8],
  [F.TASK_WORK]: [8, 8],
  [F.KPTR_UNREF]: [8, 8],
  [F.KPTR_REF]: [8, 8],
  [F.KPTR_PERCPU]: [8, 8],
  [F.UPTR]: [8, 8],
  [F.LIST_HEAD]: [16, 8],
  [F.LIST_NODE]: [24, 8],
  [F.RB_ROOT]: [16, 8],
  [F.RB_NODE]: [32, 8],
  [F.REFCOUNT]: [4, 4],
};

interface FieldInfo {
  type: number;
  off: number;
}

/** The names btf_get_field_type() matches; the first three may appear once per struct. */
const UNIQUE_FIELDS: [number, string][] = [
  [F.SPIN_LOCK, "bpf_spin_lock"],
  [F.RES_SPIN_LOCK, "bpf_res_spin_lock"],
  [F.TIMER, "bpf_timer"],
  [F.WORKQUEUE, "bpf_wq"],
  [F.TASK_WORK, "bpf_task_work"],
];
const NAMED_FIELDS: [number, string][] = [
  [F.LIST_HEAD, "bpf_list_head"],
  [F.LIST_NODE, "bpf_list_node"],
  [F.RB_ROOT, "bpf_rb_root"],
  [F.RB_NODE, "bpf_rb_node"],
  [F.REFCOUNT, "bpf_refcount"],
];

class FieldErr {
  readonly err: number;
  readonly why: string;
  constructor(err: number, why: string) {
    this.err = err;
    this.why = why;
  }
}

/** btf_get_field_type(): by the struct's name; anything that is not a struct may be a kptr. */
function getFieldType(btf: Btf, vt: number, mask: number, seen: { m: number }): number {
  const nb = btf.nameOff(vt) ? btf.nameBytes(btf.nameOff(vt)) : null;
  for (const [bit, n] of UNIQUE_FIELDS) {
    if (mask & bit && nb !== null && bytesEq(nb, n)) {
      if (seen.m & bit) throw new FieldErr(-E2BIG, `two ${n} fields`);
      seen.m |= bit;
      return bit;
    }
  }
  for (const [bit, n] of NAMED_FIELDS) if (mask & bit && nb !== null && bytesEq(nb, n)) return bit;
  if (mask & (F_KPTR | F.UPTR) && !isStruct(btf, vt)) return F.KPTR_REF;
  return 0;
}

/** btf_find_field_one(): arrays flattened, nested structs searched, one special field matched. */
function findFieldOne(btf: Btf, vt0: number | undefined, off: number, expected: number, mask: number, seen: { m: number }, out: FieldInfo[], level: number): void {
  let vt = vt0;
  let nelems = 1;
  let i = 0;
  for (; i < MAX_RESOLVE_DEPTH && isArray(btf, vt); i++) {
    nelems = Math.imul(nelems, btf.u32(vt! + TYPE_SIZE + 8)) >>> 0;
    vt = btf.typeById(btf.u32(vt! + TYPE_SIZE));
  }
  if (i === MAX_RESOLVE_DEPTH) throw new FieldErr(-E2BIG, "array nesting too deep");
  if (nelems === 0 || vt === undefined) return;
  const ft = getFieldType(btf, vt, mask, seen);
  if (!ft && isStruct(btf, vt)) {
    const sz = btf.sizeType(vt);
    if (expected && expected !== Math.imul(sz, nelems) >>> 0) return;
    if (level + 1 >= MAX_RESOLVE_DEPTH) throw new FieldErr(-E2BIG, "struct nesting too deep");
    const inner: FieldInfo[] = [];
    findStructField(btf, vt, mask, inner, level + 1);
    if (!inner.length) return;
    for (const f of inner) f.off += off;
    if (nelems > 1) repeatFields(inner, nelems - 1, sz);
    out.push(...inner);
    return;
  }
  if (!ft) return;
  const [sz, align] = FIELD_SIZE_ALIGN[ft]!;
  if (expected && expected !== Math.imul(sz, nelems) >>> 0) return;
  if (off % align) return;
  if (ft & (F_KPTR | F.UPTR)) {
    // btf_find_kptr(): a (volatile) pointer to a type tag naming the kind of kptr
    let p: number | undefined = vt;
    if (kindIs(btf, p, K.VOLATILE)) p = btf.typeById(btf.sizeType(p!));
    if (!isPtr(btf, p)) return;
    const tag = btf.typeById(btf.sizeType(p!));
    if (!isTypeTag(btf, tag) || btf.kflag(tag!)) return;
    if (isTypeTag(btf, btf.typeById(btf.sizeType(tag!)))) throw new FieldErr(-EINVAL, "two type tags on a kptr");
    const v = btf.nameBytes(btf.nameOff(tag!)) ?? new Uint8Array(0);
    const kt = bytesEq(v, "kptr_untrusted") ? F.KPTR_UNREF : bytesEq(v, "kptr") ? F.KPTR_REF : bytesEq(v, "percpu_kptr") ? F.KPTR_PERCPU : bytesEq(v, "uptr") ? F.UPTR : 0;
    if (!kt) throw new FieldErr(-EINVAL, "a pointer type tag that is no kptr kind");
    if (!(kt & mask)) return;
    let base = btf.typeById(btf.sizeType(tag!));
    while (base !== undefined && isMod(btf, base)) base = btf.typeById(btf.sizeType(base));
    if (!kindIs(btf, base, K.STRUCT)) throw new FieldErr(-EINVAL, "a kptr to something other than a struct");
    // btf_parse_kptr() looks the struct up in vmlinux (and wants a destructor for referenced kptrs to kernel
    // types); that lookup is not emulated: every kptr is taken as a program-local type.
    const one: FieldInfo[] = [{ type: kt, off }];
    if (nelems > 1) repeatFields(one, nelems - 1, sz);
    out.push(...one);
    return;
  } else if (ft & (F.LIST_HEAD | F.RB_ROOT)) {
    throw new FieldErr(-EINVAL, "bpfemu: bpf_list_head/bpf_rb_root fields (contains: decl tags) are not emulated");
  } else if (!isStruct(btf, vt) || btf.sizeType(vt) !== sz) return; // btf_find_struct(): IGNORE
  const one: FieldInfo[] = [{ type: ft, off }];
  if (nelems > 1) repeatFields(one, nelems - 1, sz);
  out.push(...one);
}

/** btf_repeat_fields(): only kptrs and graph roots may repeat (arrays of them). */
function repeatFields(info: FieldInfo[], repeat: number, elem: number): void {
  for (const f of info) if (!(f.type & (F_KPTR | F.UPTR | F.LIST_HEAD | F.RB_ROOT))) throw new FieldErr(-EINVAL, "a special field in an array");
  const n = info.length;
  if (n * (repeat + 1) > BTF_FIELDS_MAX) throw new FieldErr(-E2BIG, "too many special fields");
  for (let i = 0; i < repeat; i++) for (let j = 0; j < n; j++) info.push({ type: info[j]!.type, off: info[j]!.off + (i + 1) * elem });
}
const BTF_FIELDS_MAX = 11;

/** btf_find_struct_field() */
function findStructField(btf: Btf, st: number, mask: number, out: FieldInfo[], level: number): void {
  const seen = { m: 0 };
  const kflag = btf.kflag(st);
  for (let i = 0; i < btf.vlen(st); i++) {
    const m = memberAt(btf, st, i);
    const off = kflag ? m.offset & 0xffffff : m.offset;
    if (off % 8) throw new FieldErr(-EINVAL, "a member not at a byte offset");
    findFieldOne(btf, btf.typeById(m.type), off / 8, 0, mask, seen, out, level);
  }
}

/** btf_find_datasec_var() */
function findDatasecVar(btf: Btf, dt: number, mask: number, out: FieldInfo[]): void {
  const seen = { m: 0 };
  for (let i = 0; i < btf.vlen(dt); i++) {
    const vsi = dt + TYPE_SIZE + i * 12;
    const v = btf.typeById(btf.u32(vsi))!;
    findFieldOne(btf, btf.typeById(btf.sizeType(v)), btf.u32(vsi + 4), btf.u32(vsi + 8), mask, seen, out, 0);
  }
}

/**
 * btf_parse_fields(): the special fields of a map value. null when there
 * are none; a FieldErr when the kernel's record would be an error (which
 * map_check_btf then ignores, as the kernel does).
 */
function btf_parse_fields(btf: Btf, t: number, mask: number, value_size: number): FieldInfo[] | null | FieldErr {
  const out: FieldInfo[] = [];
  try {
    if (isStruct(btf, t)) findStructField(btf, t, mask, out, 0);
    else if (isDatasec(btf, t)) findDatasecVar(btf, t, mask, out);
    else return new FieldErr(-EINVAL, "not a struct or datasec");
    if (out.length > BTF_FIELDS_MAX) return new FieldErr(-E2BIG, "too many special fields");
  } catch (e) {
    if (e instanceof FieldErr) return e;
    throw e;
  }
  if (!out.length) return null;
  let next = 0;
  for (const f of out) {
    const sz = FIELD_SIZE_ALIGN[f.type]![0];
    if (f.off + sz > value_size) return new FieldErr(-EFAULT, "field past the value");
    if (f.off < next) return new FieldErr(-EEXIST, "overlapping special fields");
    next = f.off + sz;
  }
  return out;
}

/** Map types by the map_check_btf op they have: absent types use map_check_no_btf. */
const MT = {
  HASH: 1, ARRAY: 2, PERCPU_HASH: 5, PERCPU_ARRAY: 6, LRU_HASH: 9, LRU_PERCPU_HASH: 10, LPM_TRIE: 11, CGROUP_STORAGE: 19,
  PERCPU_CGROUP_STORAGE: 21, SK_STORAGE: 24, INODE_STORAGE: 28, TASK_STORAGE: 29, BLOOM_FILTER: 30, CGRP_STORAGE: 32, ARENA: 33,
} as const;

/**
 * Map types whose ops have no map_check_btf at all (probed on 6.18, corpus
 * btf/map-type-*): a keyless BTF is refused with -EINVAL, a keyed one is
 * taken as it is. The others either check (mapTypeCheckBtf) or use
 * map_check_no_btf (-ENOTSUPP).
 */
const NO_CHECK_OP: readonly number[] = [1, 3, 5, 9, 10, 20, 22, 23, 27, 31];

/** The map types' map_check_btf ops (key_type is VOID for a keyless map); null for map_check_no_btf. */
function mapTypeCheckBtf(btf: Btf, map: { map_type: number; max_entries: number; key_size: number }, key: number, value: number): number | null {
  switch (map.map_type) {
    case MT.ARRAY:
    case MT.PERCPU_ARRAY: {
      // array_map_check_btf(): keyless only for a one-element .data/.bss/.rodata ARRAY; else a 32-bit int key
      if (key === VOID) {
        if (map.map_type !== MT.ARRAY || map.max_entries !== 1) return -EINVAL;
        return isDatasec(btf, value) ? 0 : -EINVAL;
      }
      if (!isInt(btf, key)) return -EINVAL;
      const d = btf.u32(key + TYPE_SIZE);
      return INT_BITS(d) !== 32 || INT_OFFSET(d) ? -EINVAL : 0;
    }
    case MT.LPM_TRIE:
      // trie_check_btf(): the key must be a struct
      return isStruct(btf, key) ? 0 : -EINVAL;
    case MT.BLOOM_FILTER:
      return key === VOID ? 0 : -EINVAL;
    case MT.SK_STORAGE:
    case MT.INODE_STORAGE:
    case MT.TASK_STORAGE:
    case MT.CGRP_STORAGE:
      // bpf_local_storage_map_check_btf(): a 32-bit int key
      return isInt(btf, key) && btf.sizeType(key) === 4 ? 0 : -EINVAL;
    case MT.CGROUP_STORAGE:
    case MT.PERCPU_CGROUP_STORAGE: {
      // cgroup_storage_check_btf(): struct bpf_cgroup_storage_key or a u64 cgroup inode id
      if (map.key_size === 12 || map.key_size === 16) {
        if (!isStruct(btf, key) || btf.vlen(key) !== 2) return -EINVAL;
        if (!memberIsRegInt(btf, key, memberAt(btf, key, 0), 0, 8)) return -EINVAL;
        return memberIsRegInt(btf, key, memberAt(btf, key, 1), 8, 4) ? 0 : -EINVAL;
      }
      if (!isInt(btf, key)) return -EINVAL;
      const d = btf.u32(key + TYPE_SIZE);
      return INT_BITS(d) !== 64 || INT_OFFSET(d) ? -EINVAL : 0;
    }
    case MT.ARENA:
      return 0;
    default:
      return null; // map_check_no_btf
  }
}

/** btf_member_is_reg_int() */
function memberIsRegInt(btf: Btf, s: number, m: Member, off: number, size: number): boolean {
  const r = btf_type_id_size(btf, m.type);
  if (r === undefined || !isInt(btf, r.t)) return false;
  const d = btf.u32(r.t + TYPE_SIZE);
  const nr_bits = INT_BITS(d);
  if (btf.kflag(s)) return !(m.offset >>> 24) && roundupBytes(m.offset & 0xffffff) === off && roundupBytes(nr_bits) === size;
  return !(INT_OFFSET(d) || m.offset & 7 || roundupBytes(m.offset) !== off || nr_bits & 7 || roundupBytes(nr_bits) !== size);
}

/** Which map types each special field may live in (map_check_btf). */
function fieldAllowed(bit: number, mt: number): boolean {
  switch (bit) {
    case F.SPIN_LOCK:
    case F.RES_SPIN_LOCK:
      return mt === MT.HASH || mt === MT.ARRAY || mt === MT.CGROUP_STORAGE || mt === MT.SK_STORAGE || mt === MT.INODE_STORAGE || mt === MT.TASK_STORAGE || mt === MT.CGRP_STORAGE;
    case F.TIMER:
    case F.WORKQUEUE:
    case F.TASK_WORK:
    case F.LIST_HEAD:
    case F.RB_ROOT:
      return mt === MT.HASH || mt === MT.LRU_HASH || mt === MT.ARRAY;
    case F.KPTR_UNREF:
    case F.KPTR_REF:
    case F.KPTR_PERCPU:
    case F.REFCOUNT:
      return [MT.HASH, MT.PERCPU_HASH, MT.LRU_HASH, MT.LRU_PERCPU_HASH, MT.ARRAY, MT.PERCPU_ARRAY, MT.SK_STORAGE, MT.INODE_STORAGE, MT.TASK_STORAGE, MT.CGRP_STORAGE].includes(mt as never);
    case F.UPTR:
      return mt === MT.TASK_STORAGE;
    default:
      return false;
  }
}

/**
 * map->record: the special fields of a map's value (bpf_spin_lock, bpf_timer,
 * ...), in offset order. The kernel never copies these bytes between user
 * memory and an element (copy_map_value) and zeroes them in what a lookup
 * returns (check_and_init_map_value).
 */
const mapRecord = new WeakMap<object, { type: number; off: number; size: number }[]>();

export function bpf_map_record(map: object): readonly { readonly type: number; readonly off: number; readonly size: number }[] | undefined {
  return mapRecord.get(map);
}

/** The map's BTF object (map->btf), for info and release. */
const mapBtf = new WeakMap<object, BtfObj>();

export function bpf_map_btf(map: object): BtfObj | undefined {
  return mapBtf.get(map);
}

/** Drops the map's BTF reference (bpf_map_free -> btf_put). */
export function bpf_map_put_btf(map: object): void {
  const b = mapBtf.get(map);
  if (b === undefined) return;
  mapBtf.delete(map);
  btf_put(b);
}

interface MapLike {
  map_type: number;
  key_size: number;
  value_size: number;
  max_entries: number;
  map_flags: number;
  btf_key_type_id: number;
  btf_value_type_id: number;
  btf_vmlinux_value_type_id: number;
  hasSpinLock: boolean;
  hasSpecialFields: boolean;
}

/**
 * The BTF part of map_create(): btf_get_by_fd(btf_fd), kernel BTF refused
 * with -EACCES, map_check_btf() when a value type is given (key and value
 * sizes, the special fields in the value with their capability and map-type
 * rules, the map type's own map_check_btf op, -ENOTSUPP for
 * map_check_no_btf), then the ids. The caller frees the map on an error;
 * the BTF reference taken here is dropped again in that case.
 */
export function map_create_btf(c: Call, map: MapLike, bpfCapable: () => boolean): number {
  const { t, attr } = c;
  const key_id = attr.u32("btf_key_type_id");
  const value_id = attr.u32("btf_value_type_id");
  const vmlinux_id = attr.u32("btf_vmlinux_value_type_id");
  if (!key_id && !value_id && !vmlinux_id) return 0;
  const b = btf_get_by_fd(t, attr.s32("btf_fd"), "btf_fd");
  if (typeof b === "number") return b;
  if (b.kernel) return t.fail(-EACCES, `btf_fd ${attr.s32("btf_fd")} is the kernel's own BTF`);
  const btf = b.parsed!;
  if (value_id) {
    const err = map_check_btf(c, map, btf, key_id, value_id, bpfCapable);
    if (err) return err;
  }
  btf_get(b);
  mapBtf.set(map, b);
  map.btf_key_type_id = key_id;
  map.btf_value_type_id = value_id;
  map.btf_vmlinux_value_type_id = vmlinux_id;
  return 0;
}

/** map_check_btf() */
function map_check_btf(c: Call, map: MapLike, btf: Btf, key_id: number, value_id: number, bpfCapable: () => boolean): number {
  const { t } = c;
  let key = VOID;
  const noOp = NO_CHECK_OP.includes(map.map_type);
  if (key_id) {
    const k = btf_type_id_size(btf, key_id);
    if (k === undefined || k.size !== map.key_size) return t.fail(-EINVAL, `btf_key_type_id ${key_id}: ${k === undefined ? "no type with a size" : `size ${k.size} is not key_size ${map.key_size}`}`);
    key = k.t;
  } else if (noOp) return t.fail(-EINVAL, `map type ${map.map_type} has no map_check_btf: a BTF needs a key type`);
  const v = btf_type_id_size(btf, value_id);
  if (v === undefined || v.size !== map.value_size) return t.fail(-EINVAL, `btf_value_type_id ${value_id}: ${v === undefined ? "no type with a size" : `size ${v.size} is not value_size ${map.value_size}`}`);
  const rec = btf_parse_fields(btf, v.t, F.SPIN_LOCK | F.RES_SPIN_LOCK | F.TIMER | F_KPTR | F.LIST_HEAD | F.RB_ROOT | F.REFCOUNT | F.WORKQUEUE | F.UPTR | F.TASK_WORK, map.value_size);
  if (rec instanceof FieldErr && rec.why.startsWith("bpfemu:")) return t.fail(rec.err, rec.why);
  if (Array.isArray(rec)) {
    if (!bpfCapable()) return t.fail(-EPERM, "special fields in the value need CAP_BPF");
    if (map.map_flags & (0x80 | 0x100)) return t.fail(-EACCES, "special fields with BPF_F_RDONLY_PROG/WRONLY_PROG");
    let mask = 0;
    for (const f of rec) mask |= f.type;
    for (let i = 0; i < 32; i++) {
      const bit = mask & (1 << i);
      if (bit && !fieldAllowed(bit, map.map_type)) return t.fail(-EOPNOTSUPP, `map type ${map.map_type} cannot hold special field 0x${bit.toString(16)}`);
    }
    map.hasSpecialFields = true;
    map.hasSpinLock = (mask & F.SPIN_LOCK) !== 0;
    mapRecord.set(map, rec.map((f) => ({ type: f.type, off: f.off, size: FIELD_SIZE_ALIGN[f.type]![0] })));
  }
  if (noOp) return 0;
  const r = mapTypeCheckBtf(btf, map, key, v.t);
  if (r === null) return t.fail(-ENOTSUPP, `map type ${map.map_type} takes no BTF (map_check_no_btf)`);
  if (r < 0) {
    map.hasSpecialFields = false;
    map.hasSpinLock = false;
    mapRecord.delete(map);
    return t.fail(r, `map type ${map.map_type}: map_check_btf refused the key/value types`);
  }
  return 0;
}

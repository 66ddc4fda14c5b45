// SPDX-License-Identifier: GPL-2.0-only
// The kernel's copy of union bpf_attr for one call, read through the layout
// table of the command being run. A field the ABI profile does not have reads
// as zero, so one handler serves several kernel versions.
//
// This is on every call's path: field offsets are resolved once per command
// (a name -> offset map built from the layout table), and a task's copy and
// its DataView are made once and reused by every call (see __sys_bpf).

import { firstNonZeroIn } from "./bytes.ts";
import type { CmdLayout, FieldDesc, UapiTables } from "../uapi/layout.ts";

/** How many field reads of one call the sequence cache of CmdFields follows. */
const SEQ_MAX = 64;

/** Per-command field index, built once per table set. */
export class CmdFields {
  readonly layout: CmdLayout;
  /** layout.end: where CHECK_ATTR starts looking. */
  readonly end: number;
  private readonly byName = new Map<string, FieldDesc>();
  /** name -> byte offset, the only lookup the accessors make. */
  private readonly offsets = new Map<string, number>();

  /**
   * A slot for one family of handlers to keep what it derives from this
   * layout (the element commands keep their field offsets here), so a call
   * resolves no field names at all. Owned by maps.ts.
   */
  memo: unknown = null;
  /** The MAP_CREATE field offsets (kernel/bpf.ts CreateOffs), on the MAP_CREATE layout only; a slot of its own so that its loads see one shape. */
  createMemo: unknown = null;

  constructor(layout: CmdLayout) {
    this.layout = layout;
    this.end = layout.end;
    for (const f of layout.fields) {
      this.byName.set(f.name, f);
      this.offsets.set(f.name, f.offset);
    }
  }

  get(name: string): FieldDesc | undefined {
    return this.byName.get(name);
  }

  /**
   * The order in which the last call's handler asked for fields, with their
   * offsets. A handler asks for the same fields in the same order call after
   * call, so the next lookup is usually the name at `pos`: one comparison of
   * two interned strings (a pointer compare) instead of a hash lookup. A miss
   * falls back to the map and re-records from there, so the answer is always
   * the map's; only the speed depends on the order.
   */
  private readonly seqNames: string[] = [];
  private readonly seqOffs: number[] = [];
  private pos = 0;

  /** Called by the entry at the start of each call that reads this command's fields. */
  rewind(): void {
    this.pos = 0;
  }

  /** Offset of a field, or -1 when this ABI does not have it. */
  offsetOf(name: string): number {
    const p = this.pos;
    if (this.seqNames[p] === name) {
      this.pos = p + 1;
      return this.seqOffs[p]!;
    }
    return this.lookupAndRecord(name, p);
  }

  private lookupAndRecord(name: string, p: number): number {
    const o = this.offsets.get(name);
    const off = o === undefined ? -1 : o;
    if (p < SEQ_MAX) {
      this.seqNames[p] = name;
      this.seqOffs[p] = off;
      this.pos = p + 1;
    }
    return off;
  }

  /** The field (if any) that covers byte `off`, for diagnostics. */
  fieldAt(off: number): FieldDesc | undefined {
    let best: FieldDesc | undefined;
    for (const f of this.layout.fields) if (off >= f.offset && off < f.offset + f.size) best ??= f;
    return best;
  }
}

const cache = new WeakMap<UapiTables, CmdFields[]>();
// Almost every call uses the same table set as the one before.
/** The last table set's CmdFields (fields of a const object: module-level lets are checked for their temporal dead zone on every read). */
const fieldsMemo: { tables: UapiTables | null; fields: CmdFields[] } = { tables: null, fields: [] };

export function cmdFields(tables: UapiTables, cmd: number): CmdFields | undefined {
  if (tables !== fieldsMemo.tables) {
    let arr = cache.get(tables);
    if (arr === undefined) {
      arr = tables.commands.map((c) => new CmdFields(c));
      cache.set(tables, arr);
    }
    fieldsMemo.tables = tables;
    fieldsMemo.fields = arr;
  }
  return fieldsMemo.fields[cmd];
}

export class Attr {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  /** The whole 4-byte words of bytes (the entry copies the caller's attr a word at a time); empty when bytes is not 4-aligned. */
  readonly words: Int32Array;
  /** The command whose layout names the fields; a reused copy is pointed at each call's command. */
  fields: CmdFields;
  /**
   * Bytes at or past this offset are zero. The entry sets it to the copied
   * size and setU32 raises it, so the next call that reuses this copy zeroes
   * only [its size, dirtyEnd) instead of the whole union.
   */
  dirtyEnd: number;
  /** The entry's reusable Call context for this copy (kernel/syscall.ts owns it). */
  call: object | null = null;
  /** The caller's attr array the entry copied last, and a word view of it once it came twice in a row (kernel/syscall.ts owns them). */
  prevSrc: Uint8Array | null = null;
  prevSrc32: Int32Array | null = null;
  /**
   * While a handler run by sys_bpf_lazy (kernel/syscall.ts) has not asked
   * for user memory: the caller's array, not yet installed in the address
   * space. `overlaid`: it was installed on demand, and is removed after.
   */
  lazySrc: Uint8Array | null = null;
  overlaid = false;

  /**
   * The last bigint u64() returned at each offset and the two words it was
   * made from. getBigUint64 allocates a BigInt every time; a program that
   * reuses its key/value buffers passes the same pointers call after call,
   * and then a u64 read is two u32 reads and a compare.
   */
  private readonly u64Lo: Int32Array;
  private readonly u64Hi: Int32Array;
  private readonly u64Val: (bigint | undefined)[] = [];
  /** bytesOf()'s views by offset. */
  private readonly views: (Uint8Array | undefined)[] = [];

  constructor(bytes: Uint8Array, fields: CmdFields) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.words = (bytes.byteOffset & 3) === 0 ? new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 2) : new Int32Array(0);
    this.fields = fields;
    this.dirtyEnd = bytes.length;
    this.u64Lo = new Int32Array(bytes.length);
    this.u64Hi = new Int32Array(bytes.length);
  }

  has(name: string): boolean {
    return this.fields.offsetOf(name) >= 0;
  }

  u32(name: string): number {
    const o = this.fields.offsetOf(name);
    return o < 0 ? 0 : this.view.getUint32(o, true);
  }

  s32(name: string): number {
    const o = this.fields.offsetOf(name);
    return o < 0 ? 0 : this.view.getInt32(o, true);
  }

  u64(name: string): bigint {
    return this.u64At(this.fields.offsetOf(name));
  }

  /** u32 at a byte offset from CmdFields.offsetOf (-1: the ABI has no such field, reads 0). */
  u32At(o: number): number {
    return o < 0 ? 0 : this.view.getUint32(o, true);
  }

  /** u64 at a byte offset from CmdFields.offsetOf, as u64() returns it. */
  u64At(o: number): bigint {
    if (o < 0) return 0n;
    const v = this.view;
    const lo = v.getInt32(o, true);
    const hi = v.getInt32(o + 4, true);
    if ((lo | hi) === 0) return 0n;
    const cached = this.u64Val[o];
    if (cached !== undefined && this.u64Lo[o] === lo && this.u64Hi[o] === hi) return cached;
    const b = v.getBigUint64(o, true);
    this.u64Lo[o] = lo;
    this.u64Hi[o] = hi;
    this.u64Val[o] = b;
    return b;
  }

  /**
   * A u64 user pointer at a byte offset, as a number. Exact below 2^53, and
   * user addresses are below TASK_SIZE_MAX (2^47); a larger u64 becomes a
   * number that is still at or above TASK_SIZE_MAX, so access checks on it
   * fail the same way, and it is 0 only when the u64 is 0. Saves the BigInt
   * and Number(bigint) of the pointer on every element call.
   */
  ptrAt(o: number): number {
    if (o < 0) return 0;
    const v = this.view;
    return v.getUint32(o + 4, true) * 4294967296 + v.getUint32(o, true);
  }

  /** The low and high words of a u64 field are both read by callers that test flag bits without a BigInt. */
  hi32At(o: number): number {
    return o < 0 ? 0 : this.view.getUint32(o + 4, true);
  }

  /** A fixed-size byte array field (char map_name[16]); empty when absent. A view into the copy: callers copy what they keep. */
  bytesOf(name: string): Uint8Array {
    const f = this.fields.get(name);
    if (f === undefined) return new Uint8Array(0);
    // The views are made once per offset and size: they alias this reused copy anyway, so a view made on an earlier call is the same bytes.
    const v = this.views[f.offset];
    if (v !== undefined && v.length === f.size) return v;
    const nv = this.bytes.subarray(f.offset, f.offset + f.size);
    this.views[f.offset] = nv;
    return nv;
  }

  /** bytesOf() by offset and size (from a memo of offsets); empty when o is -1. */
  bytesAt(o: number, size: number): Uint8Array {
    if (o < 0) return new Uint8Array(0);
    const v = this.views[o];
    if (v !== undefined && v.length === size) return v;
    const nv = this.bytes.subarray(o, o + size);
    this.views[o] = nv;
    return nv;
  }

  setU32(name: string, v: number): void {
    this.setU32At(this.fields.offsetOf(name), v);
  }

  /** setU32() at a byte offset (-1: no such field, nothing written). */
  setU32At(o: number, v: number): void {
    if (o < 0) return;
    this.view.setUint32(o, v >>> 0, true);
    if (o + 4 > this.dirtyEnd) this.dirtyEnd = o + 4;
  }

  /** First non-zero byte in [from, to), or -1 (memchr_inv). */
  firstNonZero(from: number, to: number): number {
    return firstNonZeroIn(this.bytes, this.words, from, to);
  }
}

// SPDX-License-Identifier: GPL-2.0-only
// The kernel's copy of union bpf_attr for one call, read through the layout
// table of the command being run. A field the ABI profile does not have reads
// as zero, so one handler serves several kernel versions.

import type { CmdLayout, FieldDesc, UapiTables } from "../uapi/layout.ts";

/** Per-command field index, built once per table set. */
export class CmdFields {
  readonly layout: CmdLayout;
  private readonly byName = new Map<string, FieldDesc>();

  constructor(layout: CmdLayout) {
    this.layout = layout;
    for (const f of layout.fields) this.byName.set(f.name, f);
  }

  get(name: string): FieldDesc | undefined {
    return this.byName.get(name);
  }

  /** Offset of a field, or -1 when this ABI does not have it. */
  offsetOf(name: string): number {
    return this.byName.get(name)?.offset ?? -1;
  }

  /** The field (if any) that covers byte `off`, for diagnostics. */
  fieldAt(off: number): FieldDesc | undefined {
    let best: FieldDesc | undefined;
    for (const f of this.layout.fields) if (off >= f.offset && off < f.offset + f.size) best ??= f;
    return best;
  }
}

const cache = new WeakMap<UapiTables, CmdFields[]>();

export function cmdFields(tables: UapiTables, cmd: number): CmdFields | undefined {
  let arr = cache.get(tables);
  if (arr === undefined) {
    arr = tables.commands.map((c) => new CmdFields(c));
    cache.set(tables, arr);
  }
  return arr[cmd];
}

export class Attr {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly fields: CmdFields;

  constructor(bytes: Uint8Array, fields: CmdFields) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.fields = fields;
  }

  private off(name: string): number {
    return this.fields.offsetOf(name);
  }

  has(name: string): boolean {
    return this.fields.offsetOf(name) >= 0;
  }

  u32(name: string): number {
    const o = this.off(name);
    return o < 0 ? 0 : this.view.getUint32(o, true);
  }

  s32(name: string): number {
    const o = this.off(name);
    return o < 0 ? 0 : this.view.getInt32(o, true);
  }

  u64(name: string): bigint {
    const o = this.off(name);
    return o < 0 ? 0n : this.view.getBigUint64(o, true);
  }

  /** A fixed-size byte array field (char map_name[16]); empty when absent. */
  bytesOf(name: string): Uint8Array {
    const f = this.fields.get(name);
    return f === undefined ? new Uint8Array(0) : this.bytes.subarray(f.offset, f.offset + f.size);
  }

  setU32(name: string, v: number): void {
    const o = this.off(name);
    if (o >= 0) this.view.setUint32(o, v >>> 0, true);
  }

  /** First non-zero byte in [from, to), or -1 (memchr_inv). */
  firstNonZero(from: number, to: number): number {
    for (let i = from; i < to; i++) if (this.bytes[i] !== 0) return i;
    return -1;
  }
}

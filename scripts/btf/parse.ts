// SPDX-License-Identifier: GPL-2.0-only
// A raw reader for the BTF blob the kernel exposes in /sys/kernel/btf/vmlinux
// (format: Documentation/bpf/btf.rst, struct btf_header / struct btf_type in
// include/uapi/linux/btf.h). It decodes the header, the type section and the
// string section into plain objects; nothing here knows about bpf_attr.
//
// Only base (non-split) BTF is read: type ids start at 1 and id 0 is void.

import { BTF_INT_BOOL, BTF_INT_CHAR, BTF_INT_SIGNED, BTF_KIND, BTF_MAGIC } from "../../src/uapi/btf.ts";

export { BTF_INT_BOOL, BTF_INT_CHAR, BTF_INT_SIGNED, BTF_KIND, BTF_MAGIC };

export type BtfKindName = keyof typeof BTF_KIND;

const KIND_NAMES: readonly BtfKindName[] = (() => {
  const names: BtfKindName[] = [];
  for (const [k, v] of Object.entries(BTF_KIND)) names[v] = k as BtfKindName;
  return names;
})();


/** BTF_INT_* encoding bits. */

export interface BtfHeader {
  readonly magic: number;
  readonly version: number;
  readonly flags: number;
  readonly hdrLen: number;
  /** Offsets are relative to the end of the header (hdrLen), as in the format. */
  readonly typeOff: number;
  readonly typeLen: number;
  readonly strOff: number;
  readonly strLen: number;
}

interface BtfTypeBase {
  /** Type id: index into Btf.types. */
  readonly id: number;
  /** "" for anonymous types. */
  readonly name: string;
}

export interface BtfInt extends BtfTypeBase {
  readonly kind: "INT";
  readonly size: number;
  /** BTF_INT_SIGNED | BTF_INT_CHAR | BTF_INT_BOOL */
  readonly encoding: number;
  readonly bitOffset: number;
  readonly bits: number;
}

/** PTR, TYPEDEF, VOLATILE, CONST, RESTRICT, TYPE_TAG: a name (maybe) and one referenced type. */
export interface BtfRef extends BtfTypeBase {
  readonly kind: "PTR" | "TYPEDEF" | "VOLATILE" | "CONST" | "RESTRICT" | "TYPE_TAG";
  readonly type: number;
}

export interface BtfArray extends BtfTypeBase {
  readonly kind: "ARRAY";
  readonly type: number;
  readonly indexType: number;
  readonly nelems: number;
}

export interface BtfMember {
  readonly name: string;
  readonly type: number;
  /** Offset of the member from the start of its struct/union, in bits. */
  readonly bitOffset: number;
  /** Non-zero only for bitfields (kind_flag set and a size in the top 8 bits). */
  readonly bitfieldSize: number;
}

export interface BtfComposite extends BtfTypeBase {
  readonly kind: "STRUCT" | "UNION";
  readonly size: number;
  /** kind_flag: member offsets carry bitfield sizes. */
  readonly kindFlag: boolean;
  readonly members: readonly BtfMember[];
}

export interface BtfEnumValue {
  readonly name: string;
  /** Always a bigint so ENUM and ENUM64 read the same way; signedness applied. */
  readonly value: bigint;
}

export interface BtfEnum extends BtfTypeBase {
  readonly kind: "ENUM" | "ENUM64";
  readonly size: number;
  /** kind_flag: values are signed. */
  readonly signed: boolean;
  readonly values: readonly BtfEnumValue[];
}

export interface BtfFwd extends BtfTypeBase {
  readonly kind: "FWD";
  /** kind_flag: forward-declared union rather than struct. */
  readonly isUnion: boolean;
}

export interface BtfFunc extends BtfTypeBase {
  readonly kind: "FUNC";
  readonly type: number;
  /** vlen: BTF_FUNC_STATIC 0, GLOBAL 1, EXTERN 2 */
  readonly linkage: number;
}

export interface BtfParam {
  readonly name: string;
  readonly type: number;
}

export interface BtfFuncProto extends BtfTypeBase {
  readonly kind: "FUNC_PROTO";
  readonly returnType: number;
  readonly params: readonly BtfParam[];
}

export interface BtfVar extends BtfTypeBase {
  readonly kind: "VAR";
  readonly type: number;
  readonly linkage: number;
}

export interface BtfVarSecinfo {
  readonly type: number;
  readonly offset: number;
  readonly size: number;
}

export interface BtfDatasec extends BtfTypeBase {
  readonly kind: "DATASEC";
  readonly size: number;
  readonly vars: readonly BtfVarSecinfo[];
}

export interface BtfFloat extends BtfTypeBase {
  readonly kind: "FLOAT";
  readonly size: number;
}

export interface BtfDeclTag extends BtfTypeBase {
  readonly kind: "DECL_TAG";
  readonly type: number;
  /** -1 when the tag applies to the type itself, else the member/param index. */
  readonly componentIdx: number;
}

export interface BtfVoid {
  readonly id: 0;
  readonly name: "";
  readonly kind: "UNKN";
}

export type BtfType =
  | BtfVoid
  | BtfInt
  | BtfRef
  | BtfArray
  | BtfComposite
  | BtfEnum
  | BtfFwd
  | BtfFunc
  | BtfFuncProto
  | BtfVar
  | BtfDatasec
  | BtfFloat
  | BtfDeclTag;

export interface Btf {
  readonly header: BtfHeader;
  /** Indexed by type id; types[0] is void. */
  readonly types: readonly BtfType[];
  /** Read a NUL-terminated string at an offset of the string section. */
  str(off: number): string;
  /** All types with this exact name (any kind), in id order. */
  byName(name: string): readonly BtfType[];
}

export class BtfError extends Error {
  override readonly name = "BtfError";
}

const VOID: BtfVoid = { id: 0, name: "", kind: "UNKN" };

/** Parse a raw (uncompressed) BTF blob. */
export function parseBtf(data: Uint8Array): Btf {
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (data.byteLength < 24) throw new BtfError(`BTF too short: ${data.byteLength} bytes`);
  const magic = dv.getUint16(0, true);
  if (magic !== BTF_MAGIC) {
    if (dv.getUint16(0, false) === BTF_MAGIC) throw new BtfError("big-endian BTF is not supported");
    throw new BtfError(`bad BTF magic 0x${magic.toString(16)}`);
  }
  const header: BtfHeader = {
    magic,
    version: dv.getUint8(2),
    flags: dv.getUint8(3),
    hdrLen: dv.getUint32(4, true),
    typeOff: dv.getUint32(8, true),
    typeLen: dv.getUint32(12, true),
    strOff: dv.getUint32(16, true),
    strLen: dv.getUint32(20, true),
  };
  if (header.version !== 1) throw new BtfError(`unsupported BTF version ${header.version}`);
  const typeStart = header.hdrLen + header.typeOff;
  const typeEnd = typeStart + header.typeLen;
  const strStart = header.hdrLen + header.strOff;
  const strEnd = strStart + header.strLen;
  if (typeEnd > data.byteLength || strEnd > data.byteLength) {
    throw new BtfError("BTF sections extend past the end of the blob");
  }

  // When the string section is pure ASCII (vmlinux BTF is), decode it once and
  // slice: byte offsets equal string indices. Otherwise decode each string as
  // UTF-8 on demand.
  const strBytes = data.subarray(strStart, strEnd);
  if (header.strLen > 0 && strBytes[header.strLen - 1] !== 0) throw new BtfError("string section is not NUL-terminated");
  const ascii = strBytes.every((b) => b < 0x80);
  const whole = ascii ? new TextDecoder("latin1").decode(strBytes) : "";
  const utf8 = new TextDecoder("utf-8", { fatal: true });
  const str = (off: number): string => {
    if (off === 0) return "";
    if (off >= header.strLen) throw new BtfError(`string offset ${off} out of range`);
    if (ascii) return whole.slice(off, whole.indexOf("\0", off));
    return utf8.decode(strBytes.subarray(off, strBytes.indexOf(0, off)));
  };

  const types: BtfType[] = [VOID];
  let p = typeStart;
  const need = (n: number): void => {
    if (p + n > typeEnd) throw new BtfError(`type ${types.length} truncated at byte ${p - typeStart}`);
  };
  while (p < typeEnd) {
    need(12);
    const id = types.length;
    const name = str(dv.getUint32(p, true));
    const info = dv.getUint32(p + 4, true);
    const sizeOrType = dv.getUint32(p + 8, true);
    p += 12;
    const vlen = info & 0xffff;
    const kindNum = (info >>> 24) & 0x1f;
    const kindFlag = (info >>> 31) === 1;
    const kind = KIND_NAMES[kindNum];
    switch (kind) {
      case "INT": {
        need(4);
        const v = dv.getUint32(p, true);
        p += 4;
        types.push({
          id,
          name,
          kind,
          size: sizeOrType,
          encoding: (v >>> 24) & 0x0f,
          bitOffset: (v >>> 16) & 0xff,
          bits: v & 0xff,
        });
        break;
      }
      case "PTR":
      case "TYPEDEF":
      case "VOLATILE":
      case "CONST":
      case "RESTRICT":
      case "TYPE_TAG":
        types.push({ id, name, kind, type: sizeOrType });
        break;
      case "ARRAY": {
        need(12);
        types.push({
          id,
          name,
          kind,
          type: dv.getUint32(p, true),
          indexType: dv.getUint32(p + 4, true),
          nelems: dv.getUint32(p + 8, true),
        });
        p += 12;
        break;
      }
      case "STRUCT":
      case "UNION": {
        need(12 * vlen);
        const members: BtfMember[] = new Array(vlen);
        for (let i = 0; i < vlen; i++) {
          const off = dv.getUint32(p + 8, true);
          // With kind_flag the offset word packs bitfield_size:8 | bit_offset:24.
          members[i] = {
            name: str(dv.getUint32(p, true)),
            type: dv.getUint32(p + 4, true),
            bitOffset: kindFlag ? off & 0xffffff : off,
            bitfieldSize: kindFlag ? off >>> 24 : 0,
          };
          p += 12;
        }
        types.push({ id, name, kind, size: sizeOrType, kindFlag, members });
        break;
      }
      case "ENUM": {
        need(8 * vlen);
        const values: BtfEnumValue[] = new Array(vlen);
        for (let i = 0; i < vlen; i++) {
          const raw = kindFlag ? dv.getInt32(p + 4, true) : dv.getUint32(p + 4, true);
          values[i] = { name: str(dv.getUint32(p, true)), value: BigInt(raw) };
          p += 8;
        }
        types.push({ id, name, kind, size: sizeOrType, signed: kindFlag, values });
        break;
      }
      case "ENUM64": {
        need(12 * vlen);
        const values: BtfEnumValue[] = new Array(vlen);
        for (let i = 0; i < vlen; i++) {
          const lo = BigInt(dv.getUint32(p + 4, true));
          const hi = BigInt(dv.getUint32(p + 8, true));
          const u = (hi << 32n) | lo;
          values[i] = { name: str(dv.getUint32(p, true)), value: kindFlag ? BigInt.asIntN(64, u) : u };
          p += 12;
        }
        types.push({ id, name, kind, size: sizeOrType, signed: kindFlag, values });
        break;
      }
      case "FWD":
        types.push({ id, name, kind, isUnion: kindFlag });
        break;
      case "FUNC":
        types.push({ id, name, kind, type: sizeOrType, linkage: vlen });
        break;
      case "FUNC_PROTO": {
        need(8 * vlen);
        const params: BtfParam[] = new Array(vlen);
        for (let i = 0; i < vlen; i++) {
          params[i] = { name: str(dv.getUint32(p, true)), type: dv.getUint32(p + 4, true) };
          p += 8;
        }
        types.push({ id, name, kind, returnType: sizeOrType, params });
        break;
      }
      case "VAR": {
        need(4);
        types.push({ id, name, kind, type: sizeOrType, linkage: dv.getUint32(p, true) });
        p += 4;
        break;
      }
      case "DATASEC": {
        need(12 * vlen);
        const vars: BtfVarSecinfo[] = new Array(vlen);
        for (let i = 0; i < vlen; i++) {
          vars[i] = {
            type: dv.getUint32(p, true),
            offset: dv.getUint32(p + 4, true),
            size: dv.getUint32(p + 8, true),
          };
          p += 12;
        }
        types.push({ id, name, kind, size: sizeOrType, vars });
        break;
      }
      case "FLOAT":
        types.push({ id, name, kind, size: sizeOrType });
        break;
      case "DECL_TAG": {
        need(4);
        types.push({ id, name, kind, type: sizeOrType, componentIdx: dv.getInt32(p, true) });
        p += 4;
        break;
      }
      default:
        throw new BtfError(`type ${id}: unknown BTF kind ${kindNum}`);
    }
  }
  if (p !== typeEnd) throw new BtfError("type section does not end on a type boundary");

  let nameIndex: Map<string, BtfType[]> | undefined;
  const byName = (n: string): readonly BtfType[] => {
    if (nameIndex === undefined) {
      nameIndex = new Map();
      for (const t of types) {
        if (t.name === "") continue;
        const list = nameIndex.get(t.name);
        if (list === undefined) nameIndex.set(t.name, [t]);
        else list.push(t);
      }
    }
    return nameIndex.get(n) ?? [];
  };

  return { header, types, str, byName };
}

// SPDX-License-Identifier: GPL-2.0-only
// Type arithmetic over a parsed BTF: sizes, C spellings, and the flattening of
// nested structs/unions into dotted leaf paths. The policy of what a leaf
// *means* (uptr vs u64 and so on) lives in scripts/gen-uapi.ts, not here.

import type { Btf, BtfComposite, BtfEnum, BtfType } from "./parse.ts";
import { BtfError, BTF_INT_SIGNED } from "./parse.ts";

/** Pointers in vmlinux BTF of a 64-bit kernel. */
const PTR_SIZE = 8;

export function typeById(btf: Btf, id: number): BtfType {
  const t = btf.types[id];
  if (t === undefined) throw new BtfError(`type id ${id} out of range`);
  return t;
}

/** Follow typedefs and cv/type-tag modifiers down to the type that has a shape. */
export function resolve(btf: Btf, id: number): BtfType {
  let t = typeById(btf, id);
  for (let hops = 0; hops < 64; hops++) {
    switch (t.kind) {
      case "TYPEDEF":
      case "CONST":
      case "VOLATILE":
      case "RESTRICT":
      case "TYPE_TAG":
        t = typeById(btf, t.type);
        continue;
      default:
        return t;
    }
  }
  throw new BtfError(`type ${id}: modifier chain too long`);
}

/** sizeof() of a type, as the C compiler that produced the BTF saw it. */
export function sizeOf(btf: Btf, id: number): number {
  const t = resolve(btf, id);
  switch (t.kind) {
    case "INT":
    case "STRUCT":
    case "UNION":
    case "ENUM":
    case "ENUM64":
    case "FLOAT":
    case "DATASEC":
      return t.size;
    case "PTR":
      return PTR_SIZE;
    case "ARRAY":
      return t.nelems * sizeOf(btf, t.type);
    default:
      throw new BtfError(`type ${id} (${t.kind}) has no size`);
  }
}

/**
 * The C spelling of a type as BTF names it: typedef names are kept
 * ("__aligned_u64", not "__u64"), arrays are written "elem[n]".
 */
export function cTypeName(btf: Btf, id: number): string {
  const t = typeById(btf, id);
  switch (t.kind) {
    case "UNKN":
      return "void";
    case "INT":
    case "TYPEDEF":
    case "FLOAT":
      return t.name;
    case "STRUCT":
      return t.name === "" ? "struct {...}" : `struct ${t.name}`;
    case "UNION":
      return t.name === "" ? "union {...}" : `union ${t.name}`;
    case "ENUM":
    case "ENUM64":
      return t.name === "" ? "enum {...}" : `enum ${t.name}`;
    case "FWD":
      return `${t.isUnion ? "union" : "struct"} ${t.name}`;
    case "CONST":
      return `const ${cTypeName(btf, t.type)}`;
    case "VOLATILE":
      return `volatile ${cTypeName(btf, t.type)}`;
    case "RESTRICT":
      return `${cTypeName(btf, t.type)} restrict`;
    case "TYPE_TAG":
      return cTypeName(btf, t.type);
    case "PTR":
      return `${cTypeName(btf, t.type)} *`;
    case "ARRAY":
      return `${cTypeName(btf, t.type)}[${t.nelems}]`;
    default:
      throw new BtfError(`type ${id} (${t.kind}) is not a data type`);
  }
}

/** A named STRUCT or UNION (exactly one must exist). */
export function findComposite(btf: Btf, name: string, kind: "STRUCT" | "UNION"): BtfComposite {
  const hits = btf.byName(name).filter((t): t is BtfComposite => t.kind === kind);
  if (hits.length !== 1) throw new BtfError(`expected one ${kind} ${name}, found ${hits.length}`);
  return hits[0]!;
}

/** A named ENUM or ENUM64 (exactly one must exist). */
export function findEnum(btf: Btf, name: string): BtfEnum {
  const hits = btf.byName(name).filter((t): t is BtfEnum => t.kind === "ENUM" || t.kind === "ENUM64");
  if (hits.length !== 1) throw new BtfError(`expected one enum ${name}, found ${hits.length}`);
  return hits[0]!;
}

/** What a leaf resolves to, enough for a caller to pick a codec kind. */
export type LeafShape =
  | { readonly shape: "int"; readonly size: number; readonly signed: boolean }
  | { readonly shape: "enum"; readonly size: number; readonly signed: boolean }
  | { readonly shape: "array"; readonly size: number; readonly elemSize: number; readonly elemIsInt: boolean }
  | { readonly shape: "ptr"; readonly size: number }
  | { readonly shape: "other"; readonly size: number; readonly kind: string };

export function leafShape(btf: Btf, id: number): LeafShape {
  const t = resolve(btf, id);
  switch (t.kind) {
    case "INT":
      return { shape: "int", size: t.size, signed: (t.encoding & BTF_INT_SIGNED) !== 0 };
    case "ENUM":
    case "ENUM64":
      return { shape: "enum", size: t.size, signed: t.signed };
    case "ARRAY": {
      const elem = resolve(btf, t.type);
      return {
        shape: "array",
        size: sizeOf(btf, t.id),
        elemSize: sizeOf(btf, t.type),
        elemIsInt: elem.kind === "INT",
      };
    }
    case "PTR":
      return { shape: "ptr", size: PTR_SIZE };
    default:
      return { shape: "other", size: sizeOf(btf, t.id), kind: t.kind };
  }
}

/** One non-composite member reached by flattening, with its absolute position. */
export interface Leaf {
  /** Dotted path; anonymous struct/union levels add nothing to it. */
  readonly path: string;
  /** Member type id as declared (typedefs kept). */
  readonly type: number;
  /** Absolute bit offset from the start of the outermost type. */
  readonly bitOffset: number;
  /** Bitfield width, 0 for ordinary members. */
  readonly bitfieldSize: number;
  /** Declaration order, for stable sorting. */
  readonly seq: number;
}

/**
 * Flatten a struct or union into its leaves. Every arm of every nested union is
 * visited; named nested aggregates prefix their members with "name.".
 */
export function flatten(btf: Btf, root: BtfComposite, basePath = "", baseBits = 0): Leaf[] {
  const out: Leaf[] = [];
  const walk = (t: BtfComposite, prefix: string, bits: number): void => {
    for (const m of t.members) {
      const mt = resolve(btf, m.type);
      const at = bits + m.bitOffset;
      if ((mt.kind === "STRUCT" || mt.kind === "UNION") && m.bitfieldSize === 0) {
        walk(mt, m.name === "" ? prefix : `${prefix}${m.name}.`, at);
        continue;
      }
      if (m.name === "") throw new BtfError(`anonymous non-aggregate member in ${cTypeName(btf, t.id)}`);
      // Without kind_flag a bitfield is encoded in the INT itself (bits narrower than the type).
      let width = m.bitfieldSize;
      let pos = at;
      if (width === 0 && !t.kindFlag && mt.kind === "INT" && mt.bits !== mt.size * 8) {
        width = mt.bits;
        pos += mt.bitOffset;
      }
      out.push({ path: prefix + m.name, type: m.type, bitOffset: pos, bitfieldSize: width, seq: out.length });
    }
  };
  walk(root, basePath, baseBits);
  return out;
}

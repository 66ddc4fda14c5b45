// SPDX-License-Identifier: GPL-2.0-only
// A minimal BPF ELF loader of our own, enough for the objects clang builds
// from bpf-progs/*.bpf.c: ELF64 sections and symbols, `.rel<sec>`
// relocations, BTF-defined maps in `.maps`, global data sections
// (.rodata*, .data*, .bss*) as single-element array maps, and bpf-to-bpf
// calls / callback pointers into `.text` appended per program the way
// libbpf does (only the subprograms a program reaches, in the order it
// reaches them). It produces what a loader hands the kernel: map
// definitions and, per program, linked instructions whose map references
// carry the fds the maps will get. No Node API.

import { BTF_KIND, BTF_MAGIC } from "../../src/uapi/btf.ts";

export interface ElfSection {
  readonly index: number;
  readonly name: string;
  readonly type: number;
  readonly flags: bigint;
  readonly size: number;
  readonly link: number;
  readonly info: number;
  /** File bytes (zeros for SHT_NOBITS). */
  readonly data: Uint8Array;
}

export interface ElfSymbol {
  readonly name: string;
  readonly value: number;
  readonly size: number;
  readonly shndx: number;
  /** STT_* */
  readonly type: number;
  /** STB_* */
  readonly bind: number;
}

export interface ElfRel {
  readonly offset: number;
  readonly sym: number;
  readonly type: number;
}

export interface ElfFile {
  readonly sections: readonly ElfSection[];
  readonly symbols: readonly ElfSymbol[];
  /** Relocations keyed by the section index they apply to. */
  readonly rels: ReadonlyMap<number, readonly ElfRel[]>;
}

const SHT_NOBITS = 8;
const SHT_REL = 9;
const SHT_SYMTAB = 2;
const SHF_EXECINSTR = 4n;
export const STT_OBJECT = 1;
export const STT_FUNC = 2;
export const STT_SECTION = 3;
const STB_GLOBAL = 1;
const EM_BPF = 247;

function cstr(b: Uint8Array, off: number): string {
  let end = off;
  while (end < b.length && b[end] !== 0) end++;
  return new TextDecoder().decode(b.subarray(off, end));
}

export function parseElf(input: Uint8Array): ElfFile {
  // A plain copy: a Node Buffer's slice() is a view, and the fix-ups below write into slices.
  const buf = new Uint8Array(input);
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (v.getUint32(0, false) !== 0x7f454c46) throw new Error("not an ELF file");
  if (buf[4] !== 2 || buf[5] !== 1) throw new Error("not ELF64 little-endian");
  if (v.getUint16(18, true) !== EM_BPF) throw new Error(`e_machine ${v.getUint16(18, true)} is not EM_BPF`);
  const shoff = Number(v.getBigUint64(40, true));
  const shentsize = v.getUint16(58, true);
  const shnum = v.getUint16(60, true);
  const shstrndx = v.getUint16(62, true);
  const raw = [];
  for (let i = 0; i < shnum; i++) {
    const o = shoff + i * shentsize;
    raw.push({
      nameOff: v.getUint32(o, true),
      type: v.getUint32(o + 4, true),
      flags: v.getBigUint64(o + 8, true),
      offset: Number(v.getBigUint64(o + 24, true)),
      size: Number(v.getBigUint64(o + 32, true)),
      link: v.getUint32(o + 40, true),
      info: v.getUint32(o + 44, true),
    });
  }
  const shstr = raw[shstrndx]!;
  const shstrtab = buf.subarray(shstr.offset, shstr.offset + shstr.size);
  const sections: ElfSection[] = raw.map((s, index) => ({
    index,
    name: cstr(shstrtab, s.nameOff),
    type: s.type,
    flags: s.flags,
    size: s.size,
    link: s.link,
    info: s.info,
    data: s.type === SHT_NOBITS ? new Uint8Array(s.size) : buf.slice(s.offset, s.offset + s.size),
  }));
  const symtab = sections.find((s) => s.type === SHT_SYMTAB);
  const symbols: ElfSymbol[] = [];
  if (symtab) {
    const strtab = sections[symtab.link]!.data;
    const sv = new DataView(symtab.data.buffer, symtab.data.byteOffset, symtab.data.byteLength);
    for (let o = 0; o + 24 <= symtab.data.length; o += 24) {
      const info = sv.getUint8(o + 4);
      symbols.push({
        name: cstr(strtab, sv.getUint32(o, true)),
        type: info & 0xf,
        bind: info >> 4,
        shndx: sv.getUint16(o + 6, true),
        value: Number(sv.getBigUint64(o + 8, true)),
        size: Number(sv.getBigUint64(o + 16, true)),
      });
    }
  }
  const rels = new Map<number, ElfRel[]>();
  for (const s of sections) {
    if (s.type !== SHT_REL) continue;
    const rv = new DataView(s.data.buffer, s.data.byteOffset, s.data.byteLength);
    const list: ElfRel[] = [];
    for (let o = 0; o + 16 <= s.data.length; o += 16) {
      const info = rv.getBigUint64(o + 8, true);
      list.push({ offset: Number(rv.getBigUint64(o, true)), sym: Number(info >> 32n), type: Number(info & 0xffffffffn) });
    }
    rels.set(s.info, list);
  }
  return { sections, symbols, rels };
}

// ------------------------------------------------------------------- BTF maps

interface BtfType {
  /** Byte offset of the type record in the blob. */
  readonly pos: number;
  readonly name: string;
  readonly kind: number;
  readonly vlen: number;
  /** size or type, by kind */
  readonly sizeType: number;
  /** ARRAY: [elemType, indexType, nelems]; STRUCT/UNION/DATASEC members: [name, type, offset] */
  readonly members: readonly { name: string; type: number; offset: number; size: number }[];
  readonly array?: { type: number; nelems: number };
}

const K = BTF_KIND;

/** The type section of a raw .BTF blob, ids from 1. */
export function parseBtfTypes(btf: Uint8Array): BtfType[] {
  const v = new DataView(btf.buffer, btf.byteOffset, btf.byteLength);
  if (v.getUint16(0, true) !== BTF_MAGIC) throw new Error("bad BTF magic");
  const hdrLen = v.getUint32(4, true);
  const typeOff = hdrLen + v.getUint32(8, true);
  const typeLen = v.getUint32(12, true);
  const strOff = hdrLen + v.getUint32(16, true);
  const str = (o: number): string => cstr(btf, strOff + o);
  const types: BtfType[] = [{ pos: -1, name: "", kind: 0, vlen: 0, sizeType: 0, members: [] }];
  let o = typeOff;
  while (o < typeOff + typeLen) {
    const pos = o;
    const name = str(v.getUint32(o, true));
    const info = v.getUint32(o + 4, true);
    const sizeType = v.getUint32(o + 8, true);
    const kind = (info >>> 24) & 0x1f;
    const vlen = info & 0xffff;
    o += 12;
    const members: { name: string; type: number; offset: number; size: number }[] = [];
    let array: { type: number; nelems: number } | undefined;
    switch (kind) {
      case K.INT:
      case K.VAR:
      case K.DECL_TAG:
        o += 4;
        break;
      case K.ARRAY:
        array = { type: v.getUint32(o, true), nelems: v.getUint32(o + 8, true) };
        o += 12;
        break;
      case K.STRUCT:
      case K.UNION:
        for (let i = 0; i < vlen; i++, o += 12) members.push({ name: str(v.getUint32(o, true)), type: v.getUint32(o + 4, true), offset: v.getUint32(o + 8, true), size: 0 });
        break;
      case K.DATASEC:
        for (let i = 0; i < vlen; i++, o += 12) members.push({ name: "", type: v.getUint32(o, true), offset: v.getUint32(o + 4, true), size: v.getUint32(o + 8, true) });
        break;
      case K.ENUM:
      case K.FUNC_PROTO:
        o += 8 * vlen;
        break;
      case K.ENUM64:
        o += 12 * vlen;
        break;
      default:
        break;
    }
    types.push({ pos, name, kind, vlen, sizeType, members, ...(array ? { array } : {}) });
  }
  return types;
}

function skipMods(types: readonly BtfType[], id: number): number {
  for (;;) {
    const t = types[id]!;
    if (t.kind === K.TYPEDEF || t.kind === K.VOLATILE || t.kind === K.CONST || t.kind === K.RESTRICT || t.kind === K.TYPE_TAG) id = t.sizeType;
    else return id;
  }
}

function sizeOf(types: readonly BtfType[], id: number): number {
  const t = types[skipMods(types, id)]!;
  switch (t.kind) {
    case K.PTR:
      return 8;
    case K.ARRAY:
      return t.array!.nelems * sizeOf(types, t.array!.type);
    case K.INT:
    case K.STRUCT:
    case K.UNION:
    case K.ENUM:
    case K.ENUM64:
    case K.FLOAT:
    case K.DATASEC:
      return t.sizeType;
    default:
      throw new Error(`BTF type ${id} (kind ${t.kind}) has no size`);
  }
}

export interface MapDef {
  readonly name: string;
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags: number;
  /** Global data: the section whose bytes are the initial value. */
  readonly section?: ElfSection;
  /** .rodata: frozen after the initial update, as libbpf does. */
  readonly freeze?: boolean;
  /** BTF ids passed with MAP_CREATE (0: none). */
  readonly btfKeyTypeId: number;
  readonly btfValueTypeId: number;
}

// Map types libbpf creates without BTF ids (bpf_object__create_map).
const NO_BTF_MAP_TYPES: ReadonlySet<number> = new Set([4, 8, 7, 12, 13, 14, 25, 16, 17, 15, 18, 22, 23]);

/**
 * BTF-defined maps: each variable of the `.maps` DATASEC is a struct whose
 * `__uint(field, N)` members are pointers to arrays of N elements and whose
 * `__type(key|value, T)` members are pointers to T (libbpf's convention).
 */
export function btfMaps(btf: Uint8Array): MapDef[] {
  const types = parseBtfTypes(btf);
  const sec = types.find((t) => t.kind === K.DATASEC && t.name === ".maps");
  if (!sec) return [];
  return sec.members.map((m) => {
    const variable = types[m.type]!;
    const def = types[skipMods(types, variable.sizeType)]!;
    if (def.kind !== K.STRUCT) throw new Error(`map ${variable.name}: not a struct`);
    const f: Record<string, number> = {};
    for (const mem of def.members) {
      const ptr = types[skipMods(types, mem.type)]!;
      if (ptr.kind !== K.PTR) throw new Error(`map ${variable.name}.${mem.name}: not a pointer`);
      if (mem.name === "key" || mem.name === "value") {
        f[mem.name + "_size"] = sizeOf(types, ptr.sizeType);
        f[mem.name + "_id"] = ptr.sizeType;
      }
      else {
        const arr = types[skipMods(types, ptr.sizeType)]!;
        if (arr.kind !== K.ARRAY) throw new Error(`map ${variable.name}.${mem.name}: not a pointer to an array`);
        f[mem.name] = arr.array!.nelems;
      }
    }
    return {
      name: variable.name,
      type: f["type"] ?? 0,
      keySize: f["key_size"] ?? 0,
      valueSize: f["value_size"] ?? 0,
      maxEntries: f["max_entries"] ?? 0,
      flags: f["map_flags"] ?? 0,
      btfKeyTypeId: NO_BTF_MAP_TYPES.has(f["type"] ?? 0) ? 0 : f["key_id"] ?? 0,
      btfValueTypeId: NO_BTF_MAP_TYPES.has(f["type"] ?? 0) ? 0 : f["value_id"] ?? 0,
    };
  });
}

/**
 * libbpf's BTF fix-ups before BTF_LOAD (btf_fixup_datasec): clang leaves
 * DATASEC sizes and variable offsets to the linker, so each DATASEC gets its
 * ELF section's size, each variable its symbol's value, and the variables
 * are sorted by offset. Returns a fixed copy and the DATASEC ids by name.
 */
export function fixupBtf(btf: Uint8Array, elf: ElfFile): { btf: Uint8Array; datasecs: Map<string, number> } {
  const out = btf.slice();
  const v = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const types = parseBtfTypes(out);
  const datasecs = new Map<string, number>();
  types.forEach((t, id) => {
    if (t.kind !== K.DATASEC) return;
    datasecs.set(t.name, id);
    const sec = elf.sections.find((s) => s.name === t.name);
    if (sec) v.setUint32(t.pos + 8, sec.size, true);
    const vars = t.members.map((m) => {
      const name = types[m.type]!.name;
      const sym = elf.symbols.find((s) => s.name === name && (s.type === STT_OBJECT || s.type === 0) && (!sec || s.shndx === sec.index));
      return { type: m.type, offset: sym ? sym.value : m.offset, size: m.size };
    });
    vars.sort((a, b) => a.offset - b.offset);
    vars.forEach((x, i) => {
      const o = t.pos + 12 + i * 12;
      v.setUint32(o, x.type, true);
      v.setUint32(o + 4, x.offset, true);
      v.setUint32(o + 8, x.size, true);
    });
  });
  return { btf: out, datasecs };
}

/** One section's records from .BTF.ext (func_info or line_info). */
interface ExtBlock {
  readonly recSize: number;
  /** Section name -> records (raw bytes, insn_off still in bytes). */
  readonly bySection: Map<string, Uint8Array[]>;
}

export function parseBtfExt(ext: Uint8Array, btf: Uint8Array): { funcInfo: ExtBlock; lineInfo: ExtBlock } {
  const v = new DataView(ext.buffer, ext.byteOffset, ext.byteLength);
  if (v.getUint16(0, true) !== 0xeb9f) throw new Error("bad BTF.ext magic");
  const hdrLen = v.getUint32(4, true);
  const bv = new DataView(btf.buffer, btf.byteOffset, btf.byteLength);
  const strOff = bv.getUint32(4, true) + bv.getUint32(16, true);
  const block = (off: number, len: number): ExtBlock => {
    const bySection = new Map<string, Uint8Array[]>();
    if (len === 0) return { recSize: 0, bySection };
    let o = hdrLen + off;
    const end = o + len;
    const recSize = v.getUint32(o, true);
    o += 4;
    while (o < end) {
      const name = cstr(btf, strOff + v.getUint32(o, true));
      const n = v.getUint32(o + 4, true);
      o += 8;
      const recs: Uint8Array[] = [];
      for (let i = 0; i < n; i++, o += recSize) recs.push(ext.slice(o, o + recSize));
      bySection.set(name, recs);
    }
    return { recSize, bySection };
  };
  return { funcInfo: block(v.getUint32(8, true), v.getUint32(12, true)), lineInfo: block(v.getUint32(16, true), v.getUint32(20, true)) };
}

// ------------------------------------------------------------------- objects

export const BPF_F_RDONLY_PROG = 0x80;
export const BPF_F_MMAPABLE = 0x400;
const BPF_MAP_TYPE_ARRAY = 2;

export function isDataSection(name: string): boolean {
  return /^\.(rodata|data|bss)(\.|$)/.test(name);
}

/** libbpf's internal map name: a prefix of the object name, then the section name, 15 chars at most. */
export function internalMapName(objName: string, secName: string): string {
  const pfx = Math.min(15 - secName.length, objName.length);
  return (objName.slice(0, Math.max(0, pfx)) + secName).slice(0, 15).replace(/[^A-Za-z0-9_.]/g, "_");
}

export interface BpfProgram {
  readonly name: string;
  readonly section: string;
  /** Linked instructions (8 bytes each), map fds already in place. */
  readonly insns: Uint8Array;
  /** Indexes into the object's maps that the program references. */
  readonly usedMaps: readonly number[];
  /** bpf_func_info / bpf_line_info records for the linked program (insn_off in instructions), when the object has BTF. */
  readonly funcInfo?: { recSize: number; cnt: number; bytes: Uint8Array };
  readonly lineInfo?: { recSize: number; cnt: number; bytes: Uint8Array };
}

export interface BpfObject {
  readonly name: string;
  readonly license: string;
  /** The object's BTF after libbpf's fix-ups; loaded first (fd `firstFd`) when present. */
  readonly btf?: Uint8Array;
  readonly btfFd?: number;
  readonly maps: readonly MapDef[];
  /** The fd map i gets. */
  readonly mapFd: (i: number) => number;
  readonly programs: readonly BpfProgram[];
}

/**
 * Parses an object and links every program, assuming the objects get fds
 * from `firstFd` in libbpf's order: the BTF object (when the ELF has .BTF),
 * then the maps in `maps` order (BTF maps, then global data sections in
 * section order). With `btf: false` the BTF object is left out.
 */
export function loadObject(objName: string, buf: Uint8Array, firstFd: number, opts: { btf?: boolean } = {}): BpfObject {
  const elf = parseElf(buf);
  const secByName = new Map(elf.sections.map((s) => [s.name, s]));
  // Map definitions always come from .BTF; `btf: false` loads as libbpf does when the kernel refuses the object's BTF (no BTF fd, no ids, no func/line info).
  const useBtf = opts.btf ?? true;
  const mapBtf = secByName.get(".BTF");
  const btfSec = useBtf ? mapBtf : undefined;
  const fixed = btfSec ? fixupBtf(btfSec.data, elf) : undefined;
  const extSec = secByName.get(".BTF.ext");
  const ext = btfSec && extSec ? parseBtfExt(extSec.data, btfSec.data) : undefined;
  const mapBase = fixed ? firstFd + 1 : firstFd;
  const maps: MapDef[] = mapBtf ? btfMaps(mapBtf.data).map((m) => (useBtf ? m : { ...m, btfKeyTypeId: 0, btfValueTypeId: 0 })) : [];
  const mapsSec = secByName.get(".maps");
  const dataMapIdx = new Map<number, number>();
  for (const s of elf.sections) {
    if (!isDataSection(s.name) || s.size === 0 || s.type === SHT_REL) continue;
    dataMapIdx.set(s.index, maps.length);
    const ro = s.name.startsWith(".rodata");
    maps.push({
      name: internalMapName(objName, s.name),
      type: BPF_MAP_TYPE_ARRAY,
      keySize: 4,
      valueSize: s.size,
      maxEntries: 1,
      flags: (ro ? BPF_F_RDONLY_PROG : 0) | BPF_F_MMAPABLE,
      section: s,
      ...(ro ? { freeze: true } : {}),
      btfKeyTypeId: 0,
      btfValueTypeId: fixed?.datasecs.get(s.name) ?? 0,
    });
  }
  const licSec = secByName.get("license");
  const license = licSec ? cstr(licSec.data, 0) : "";
  const text = secByName.get(".text");
  const textFuncs = elf.symbols.filter((s) => text !== undefined && s.shndx === text.index && s.type === STT_FUNC).sort((a, b) => a.value - b.value);
  const firstMapFd = mapBase;

  const programs: BpfProgram[] = [];
  for (const sec of elf.sections) {
    if ((sec.flags & SHF_EXECINSTR) === 0n || sec.name === ".text" || sec.size === 0) continue;
    const funcs = elf.symbols.filter((s) => s.shndx === sec.index && s.type === STT_FUNC && s.bind === STB_GLOBAL);
    for (const f of funcs) programs.push(linkProgram(f, sec));
  }
  return {
    name: objName,
    license,
    ...(fixed ? { btf: fixed.btf, btfFd: firstFd } : {}),
    maps,
    mapFd: (i: number) => mapBase + i,
    programs,
  };

  /** The .BTF.ext records of the appended pieces, renumbered to the linked program's instructions. */
  function extRecords(block: ExtBlock | undefined, pieces: readonly { sec: ElfSection; start: number; count: number; base: number }[]): { recSize: number; cnt: number; bytes: Uint8Array } | undefined {
    if (!block || block.recSize === 0) return undefined;
    const out: Uint8Array[] = [];
    for (const p of pieces) {
      for (const r of block.bySection.get(p.sec.name) ?? []) {
        const rv = new DataView(r.buffer, r.byteOffset, r.byteLength);
        const idx = rv.getUint32(0, true) / 8;
        if (idx < p.start || idx >= p.start + p.count) continue;
        const c = r.slice();
        new DataView(c.buffer).setUint32(0, p.base + (idx - p.start), true);
        out.push(c);
      }
    }
    const bytes = new Uint8Array(out.length * block.recSize);
    out.forEach((c, i) => bytes.set(c, i * block.recSize));
    return { recSize: block.recSize, cnt: out.length, bytes };
  }

  function linkProgram(main: ElfSymbol, sec: ElfSection): BpfProgram {
    const chunks: Uint8Array[] = [];
    let len = 0; // in instructions
    const used = new Set<number>();
    /** .text function start (insn index) -> where it was appended. */
    const placed = new Map<number, number>();
    const pending: { sec: ElfSection; start: number; count: number; base: number }[] = [];
    const append = (s: ElfSection, startByte: number, size: number): number => {
      const base = len;
      chunks.push(s.data.slice(startByte, startByte + size));
      len += size / 8;
      pending.push({ sec: s, start: startByte / 8, count: size / 8, base });
      return base;
    };
    const placeText = (idx: number): number => {
      const fn = textFuncs.find((s) => s.value / 8 <= idx && idx < (s.value + s.size) / 8);
      if (!fn) throw new Error(`${objName}/${main.name}: no .text function holds insn ${idx}`);
      let base = placed.get(fn.value / 8);
      if (base === undefined) {
        base = append(text!, fn.value, fn.size);
        placed.set(fn.value / 8, base);
      }
      return base + (idx - fn.value / 8);
    };
    append(sec, main.value, main.size);
    const fixups: { at: number; fn: (insns: DataView) => void }[] = [];
    for (let p = 0; p < pending.length; p++) {
      const { sec: s, start, count, base } = pending[p]!;
      const code = s.data;
      const cv = new DataView(code.buffer, code.byteOffset, code.byteLength);
      for (const r of elf.rels.get(s.index) ?? []) {
        const i = r.offset / 8;
        if (i < start || i >= start + count) continue;
        const at = base + (i - start);
        const sym = elf.symbols[r.sym]!;
        const op = code[r.offset]!;
        const imm = cv.getInt32(r.offset + 4, true);
        if (op === 0x18) {
          if (mapsSec && sym.shndx === mapsSec.index) {
            const m = maps.findIndex((d) => d.name === sym.name && d.section === undefined);
            if (m < 0) throw new Error(`${objName}/${main.name}: no map ${sym.name}`);
            used.add(m);
            fixups.push({ at, fn: (d) => { d.setUint8(at * 8 + 1, (d.getUint8(at * 8 + 1) & 0x0f) | (1 << 4)); d.setInt32(at * 8 + 4, firstMapFd + m, true); } });
          } else if (dataMapIdx.has(sym.shndx)) {
            const m = dataMapIdx.get(sym.shndx)!;
            used.add(m);
            const off = imm + (sym.type === STT_SECTION ? 0 : sym.value);
            fixups.push({ at, fn: (d) => { d.setUint8(at * 8 + 1, (d.getUint8(at * 8 + 1) & 0x0f) | (2 << 4)); d.setInt32(at * 8 + 4, firstMapFd + m, true); d.setInt32(at * 8 + 12, off, true); } });
          } else if (text && sym.shndx === text.index) {
            const target = placeText((sym.value + imm) / 8);
            fixups.push({ at, fn: (d) => { d.setUint8(at * 8 + 1, (d.getUint8(at * 8 + 1) & 0x0f) | (4 << 4)); d.setInt32(at * 8 + 4, target - at - 1, true); } });
          } else throw new Error(`${objName}/${main.name}: ld_imm64 relocation against ${sym.name} in section ${elf.sections[sym.shndx]?.name}`);
        } else if (op === 0x85 && (code[r.offset + 1]! >> 4) === 1) {
          if (!text || sym.shndx !== text.index) throw new Error(`${objName}/${main.name}: call relocation against ${sym.name}`);
          const target = placeText(sym.value / 8 + imm + 1);
          fixups.push({ at, fn: (d) => d.setInt32(at * 8 + 4, target - at - 1, true) });
        } else throw new Error(`${objName}/${main.name}: relocation type ${r.type} on opcode 0x${op.toString(16)}`);
      }
    }
    const insns = new Uint8Array(len * 8);
    let o = 0;
    for (const c of chunks) {
      insns.set(c, o);
      o += c.length;
    }
    const d = new DataView(insns.buffer);
    for (const f of fixups) f.fn(d);
    const funcInfo = extRecords(ext?.funcInfo, pending);
    const lineInfo = extRecords(ext?.lineInfo, pending);
    return {
      name: main.name,
      section: sec.name,
      insns,
      usedMaps: [...used].sort((a, b) => a - b),
      ...(funcInfo ? { funcInfo } : {}),
      ...(lineInfo ? { lineInfo } : {}),
    };
  }
}

// SPDX-License-Identifier: GPL-2.0-only
// Render a parsed BTF in the line format of `bpftool btf dump file X` (raw
// mode), so the parser can be diffed type by type against libbpf's reader.
//
//   npx tsx scripts/btf/dump.ts [file]   (default /sys/kernel/btf/vmlinux)

import { readFileSync } from "node:fs";
import { resolve as resolvePath } from "node:path";
import { pathToFileURL } from "node:url";
import { gunzipSync } from "node:zlib";

import type { Btf, BtfType } from "./parse.ts";
import { BTF_INT_BOOL, BTF_INT_CHAR, BTF_INT_SIGNED, parseBtf } from "./parse.ts";

const LINKAGE = ["static", "global", "extern"] as const;
const linkage = (n: number): string => LINKAGE[n] ?? "(unknown)";
const nm = (s: string): string => `'${s === "" ? "(anon)" : s}'`;

function intEncoding(enc: number): string {
  switch (enc) {
    case 0:
      return "(none)";
    case BTF_INT_SIGNED:
      return "SIGNED";
    case BTF_INT_CHAR:
      return "CHAR";
    case BTF_INT_BOOL:
      return "BOOL";
    default:
      return "UNKN";
  }
}

/** One type as bpftool prints it: a header line, then tab-indented member lines. */
export function dumpType(btf: Btf, t: BtfType): string {
  const head = `[${t.id}] ${t.kind} ${nm(t.name)}`;
  switch (t.kind) {
    case "UNKN":
      return `[0] UNKN`;
    case "INT":
      return `${head} size=${t.size} bits_offset=${t.bitOffset} nr_bits=${t.bits} encoding=${intEncoding(t.encoding)}`;
    case "PTR":
    case "TYPEDEF":
    case "VOLATILE":
    case "CONST":
    case "RESTRICT":
    case "TYPE_TAG":
      return `${head} type_id=${t.type}`;
    case "ARRAY":
      return `${head} type_id=${t.type} index_type_id=${t.indexType} nr_elems=${t.nelems}`;
    case "STRUCT":
    case "UNION": {
      let s = `${head} size=${t.size} vlen=${t.members.length}`;
      for (const m of t.members) {
        s += `\n\t${nm(m.name)} type_id=${m.type} bits_offset=${m.bitOffset}`;
        if (m.bitfieldSize !== 0) s += ` bitfield_size=${m.bitfieldSize}`;
      }
      return s;
    }
    case "ENUM":
    case "ENUM64": {
      let s = `${head} encoding=${t.signed ? "SIGNED" : "UNSIGNED"} size=${t.size} vlen=${t.values.length}`;
      // bpftool marks 64-bit enumerators with a C literal suffix.
      const suffix = t.kind === "ENUM64" ? (t.signed ? "LL" : "ULL") : "";
      for (const v of t.values) s += `\n\t${nm(v.name)} val=${v.value}${suffix}`;
      return s;
    }
    case "FWD":
      return `${head} fwd_kind=${t.isUnion ? "union" : "struct"}`;
    case "FUNC":
      return `${head} type_id=${t.type} linkage=${linkage(t.linkage)}`;
    case "FUNC_PROTO": {
      let s = `${head} ret_type_id=${t.returnType} vlen=${t.params.length}`;
      for (const p of t.params) s += `\n\t${nm(p.name)} type_id=${p.type}`;
      return s;
    }
    case "VAR":
      return `${head} type_id=${t.type}, linkage=${linkage(t.linkage)}`;
    case "DATASEC": {
      let s = `${head} size=${t.size} vlen=${t.vars.length}`;
      for (const v of t.vars) {
        const vt = btf.types[v.type];
        const what = vt === undefined ? "" : ` (${vt.kind} ${nm(vt.name)})`;
        s += `\n\ttype_id=${v.type} offset=${v.offset} size=${v.size}${what}`;
      }
      return s;
    }
    case "FLOAT":
      return `${head} size=${t.size}`;
    case "DECL_TAG":
      return `${head} type_id=${t.type} component_idx=${t.componentIdx}`;
  }
}

/** Every type but void, one block per type, newline-terminated like bpftool's output. */
export function dumpBtf(btf: Btf): string {
  const parts: string[] = [];
  for (let id = 1; id < btf.types.length; id++) parts.push(dumpType(btf, btf.types[id]!));
  return parts.join("\n") + "\n";
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolvePath(process.argv[1])).href) {
  const path = process.argv[2] ?? "/sys/kernel/btf/vmlinux";
  const raw = readFileSync(path);
  const bytes = raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
  process.stdout.write(dumpBtf(parseBtf(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength))));
}

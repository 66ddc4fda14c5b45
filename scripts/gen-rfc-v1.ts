// SPDX-License-Identifier: GPL-2.0-only
// Generates src/uapi/profiles/rfc-v1.ts: the bpf() ABI of the original BPF
// token series ("[PATCH RESEND bpf-next 00/18] BPF token", 2023-06-02), i.e.
// bpf-next's include/uapi/linux/bpf.h at the series' base plus the UAPI
// additions of patches 01, 07, 10 and 14.
//
//   npx tsx scripts/gen-rfc-v1.ts --header <base bpf.h> [--check]
//
// The base header is not committed. It is libbpf's copy at libbpf commit
// bfb04542446167317c22d395db20b441a92895ec, whose git blob id 9273c654743c...
// is the "index 9273c654743c..01ab79f2ad9f" line of patch 01's uapi hunk, so the
// file is byte-identical to the one the series was written against:
//
//   git -C <libbpf clone> show bfb04542446167317c22d395db20b441a92895ec:include/uapi/linux/bpf.h > /tmp/bpf-base.h
//
// Pipeline: apply V1_EDITS to the header text, compile a translation unit that
// names every type of interest with gcc -g, encode its DWARF as BTF with
// pahole, then read offsets, sizes and enum values from that BTF. What the
// compiler cannot know (LAST_FIELDs, which u64s are pointers, which arm each
// command reads) is in the hand table below, with its source.

import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve as resolvePath } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

import type { Btf, BtfComposite, BtfEnum } from "./btf/parse.ts";
import { parseBtf } from "./btf/parse.ts";
import type { Leaf } from "./btf/layout.ts";
import { cTypeName, findComposite, findEnum, flatten, leafShape, sizeOf } from "./btf/layout.ts";
import type { CmdLayout, EnumDesc, FieldDesc, FieldKind, StructLayout, UapiTables } from "../src/uapi/layout.ts";

export const REPO_ROOT = resolvePath(dirname(fileURLToPath(import.meta.url)), "..");
export const OUT_FILE = "src/uapi/profiles/rfc-v1.ts";

/** git blob id of the series' base include/uapi/linux/bpf.h (patch 01: "index 9273c654743c..01ab79f2ad9f"). */
export const BASE_BLOB = "9273c654743ce519b14fc6daeb237ec450797bf4";
export const BASE_LIBBPF_COMMIT = "bfb04542446167317c22d395db20b441a92895ec";

// ---------------------------------------------------------------------------
// The UAPI additions of the v1 series, applied to the base header text.
// Each edit inserts declarations (written here, not copied) at an anchor that
// must occur exactly once, so a different base header fails loudly.
// ---------------------------------------------------------------------------

interface Edit {
  readonly what: string;
  /** Must match exactly once; the insertion goes where group 1 ends. */
  readonly anchor: RegExp;
  readonly insert: string;
}

export const V1_EDITS: readonly Edit[] = [
  // patch 01: new command after BPF_PROG_BIND_MAP, no __MAX_BPF_CMD.
  { what: "01 BPF_TOKEN_CREATE", anchor: /(\n\tBPF_PROG_BIND_MAP,\n)\};/, insert: "\tBPF_TOKEN_CREATE,\n" },
  // patch 07: sentinel of enum bpf_map_type.
  { what: "07 __MAX_BPF_MAP_TYPE", anchor: /(\n\tBPF_MAP_TYPE_CGRP_STORAGE,\n)\};/, insert: "\t__MAX_BPF_MAP_TYPE\n" },
  // patch 14: sentinel of enum bpf_prog_type.
  { what: "14 __MAX_BPF_PROG_TYPE", anchor: /(\n\tBPF_PROG_TYPE_NETFILTER,\n)\};/, insert: "\t__MAX_BPF_PROG_TYPE\n" },
  // patches 01/07/14: the token_create flag enum, placed after the kprobe-multi flag.
  {
    what: "01/07/14 BPF_F_TOKEN_* flags",
    anchor: /(\n#define BPF_F_KPROBE_MULTI_RETURN\t\(1U << 0\)\n)/,
    insert:
      "\nenum {\n\tBPF_F_TOKEN_IGNORE_UNKNOWN_CMDS = 1U << 0,\n\tBPF_F_TOKEN_IGNORE_UNKNOWN_MAP_TYPES = 1U << 1,\n" +
      "\tBPF_F_TOKEN_IGNORE_UNKNOWN_PROG_TYPES = 1U << 2,\n\tBPF_F_TOKEN_IGNORE_UNKNOWN_ATTACH_TYPES = 1U << 3,\n};\n",
  },
  // patch 07: BPF_MAP_CREATE gains a token fd after map_extra.
  { what: "07 map_token_fd", anchor: /(\n\t\t__u64\tmap_extra;\n)\t\};/, insert: "\t\t__u32\tmap_token_fd;\n" },
  // patch 14: BPF_PROG_LOAD gains a token fd after log_true_size.
  { what: "14 prog_token_fd", anchor: /(\n\t\t__u32\t\tlog_true_size;\n)\t\};/, insert: "\t\t__u32\t\tprog_token_fd;\n" },
  // patch 10: BPF_BTF_LOAD gains a token fd after btf_log_true_size.
  { what: "10 btf_token_fd", anchor: /(\n\t\t__u32\t\tbtf_log_true_size;\n)\t\};/, insert: "\t\t__u32\t\tbtf_token_fd;\n" },
  // patches 01/07/14: the BPF_TOKEN_CREATE arm, last in union bpf_attr.
  {
    what: "01/07/14 token_create",
    anchor: /(\n\t\} prog_bind_map;\n)/,
    insert:
      "\n\tstruct {\n\t\t__u32\t\tflags;\n\t\t__u32\t\ttoken_fd;\n\t\t__u64\t\tallowed_cmds;\n\t\t__u64\t\tallowed_map_types;\n" +
      "\t\t__u64\t\tallowed_prog_types;\n\t\t__u64\t\tallowed_attach_types;\n\t} token_create;\n",
  },
];

export class GenError extends Error {
  override readonly name = "GenError";
}

export function applyV1Edits(base: string): string {
  let text = base;
  for (const e of V1_EDITS) {
    const re = new RegExp(e.anchor.source, "g");
    const hits = [...text.matchAll(re)];
    if (hits.length !== 1) throw new GenError(`edit "${e.what}": anchor ${e.anchor} matched ${hits.length} times`);
    const h = hits[0]!;
    const at = h.index + h[1]!.length;
    text = text.slice(0, at) + e.insert + text.slice(at);
  }
  return text;
}

export function gitBlobId(bytes: Uint8Array): string {
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}

// ---------------------------------------------------------------------------
// HAND TABLE (2023 + v1). Sources:
//  [P01],[P07],[P10],[P14]: the v1 patches (bpf list archive, RESEND of 2023-06-02).
//  [RFC]: "[PATCH RFC bpf-next 1/3] bpf: revamp bpf_attr ..." (2023-05-24), same
//         base blob 9273c654743c; its syscall.c hunk lists the old LAST_FIELDs.
//  [TCX]: the tcx series (July 2023) removing "replace_bpf_fd"/"query.prog_attach_flags".
//  [UPM]: the uprobe_multi series (Aug 2023) removing "link_create.kprobe_multi.cookies".
//  [RTP]: the raw_tp cookie series (2024) removing "raw_tracepoint.prog_fd".
//  [SAME]: unchanged to 6.18, and the last member of its arm in the base header.
// ---------------------------------------------------------------------------

type ArmPick = { readonly anonWith: string } | { readonly named: string };
const ATTR_ARMS: Readonly<Record<string, ArmPick>> = {
  map_create: { anonWith: "map_type" },
  elem: { anonWith: "next_key" },
  batch: { named: "batch" },
  prog_load: { anonWith: "insns" },
  obj: { anonWith: "pathname" },
  attach: { anonWith: "attach_bpf_fd" },
  test: { named: "test" },
  get_id: { anonWith: "start_id" },
  info: { named: "info" },
  query: { named: "query" },
  raw_tracepoint: { named: "raw_tracepoint" },
  btf_load: { anonWith: "btf_log_buf" },
  task_fd_query: { named: "task_fd_query" },
  link_create: { named: "link_create" },
  link_update: { named: "link_update" },
  link_detach: { named: "link_detach" },
  enable_stats: { named: "enable_stats" },
  iter_create: { named: "iter_create" },
  prog_bind_map: { named: "prog_bind_map" },
  token_create: { named: "token_create" },
};
type ArmLabel = keyof typeof ATTR_ARMS;

const COMMANDS: readonly { readonly name: string; readonly arm: ArmLabel; readonly lastField: string; readonly src: string }[] = [
  { name: "MAP_CREATE", arm: "map_create", lastField: "map_token_fd", src: "P07" },
  { name: "MAP_LOOKUP_ELEM", arm: "elem", lastField: "flags", src: "RFC" },
  { name: "MAP_UPDATE_ELEM", arm: "elem", lastField: "flags", src: "RFC" },
  { name: "MAP_DELETE_ELEM", arm: "elem", lastField: "key", src: "RFC" },
  { name: "MAP_GET_NEXT_KEY", arm: "elem", lastField: "next_key", src: "RFC" },
  { name: "PROG_LOAD", arm: "prog_load", lastField: "prog_token_fd", src: "P14" },
  { name: "OBJ_PIN", arm: "obj", lastField: "path_fd", src: "RFC" },
  { name: "OBJ_GET", arm: "obj", lastField: "path_fd", src: "RFC" },
  { name: "PROG_ATTACH", arm: "attach", lastField: "replace_bpf_fd", src: "RFC,TCX" },
  { name: "PROG_DETACH", arm: "attach", lastField: "attach_type", src: "RFC" },
  { name: "PROG_TEST_RUN", arm: "test", lastField: "test.batch_size", src: "SAME" },
  { name: "PROG_GET_NEXT_ID", arm: "get_id", lastField: "next_id", src: "RFC" },
  { name: "MAP_GET_NEXT_ID", arm: "get_id", lastField: "next_id", src: "RFC" },
  { name: "PROG_GET_FD_BY_ID", arm: "get_id", lastField: "prog_id", src: "RFC" },
  { name: "MAP_GET_FD_BY_ID", arm: "get_id", lastField: "open_flags", src: "RFC" },
  { name: "OBJ_GET_INFO_BY_FD", arm: "info", lastField: "info.info", src: "SAME" },
  { name: "PROG_QUERY", arm: "query", lastField: "query.prog_attach_flags", src: "TCX" },
  { name: "RAW_TRACEPOINT_OPEN", arm: "raw_tracepoint", lastField: "raw_tracepoint.prog_fd", src: "RTP" },
  { name: "BTF_LOAD", arm: "btf_load", lastField: "btf_token_fd", src: "P10" },
  { name: "BTF_GET_FD_BY_ID", arm: "get_id", lastField: "btf_id", src: "RFC" },
  { name: "TASK_FD_QUERY", arm: "task_fd_query", lastField: "task_fd_query.probe_addr", src: "SAME" },
  { name: "MAP_LOOKUP_AND_DELETE_ELEM", arm: "elem", lastField: "flags", src: "RFC" },
  { name: "MAP_FREEZE", arm: "elem", lastField: "map_fd", src: "RFC" },
  { name: "BTF_GET_NEXT_ID", arm: "get_id", lastField: "next_id", src: "RFC" },
  { name: "MAP_LOOKUP_BATCH", arm: "batch", lastField: "batch.flags", src: "SAME" },
  { name: "MAP_LOOKUP_AND_DELETE_BATCH", arm: "batch", lastField: "batch.flags", src: "SAME" },
  { name: "MAP_UPDATE_BATCH", arm: "batch", lastField: "batch.flags", src: "SAME" },
  { name: "MAP_DELETE_BATCH", arm: "batch", lastField: "batch.flags", src: "SAME" },
  { name: "LINK_CREATE", arm: "link_create", lastField: "link_create.kprobe_multi.cookies", src: "UPM" },
  { name: "LINK_UPDATE", arm: "link_update", lastField: "link_update.old_prog_fd", src: "SAME" },
  { name: "LINK_GET_FD_BY_ID", arm: "get_id", lastField: "link_id", src: "RFC" },
  { name: "LINK_GET_NEXT_ID", arm: "get_id", lastField: "next_id", src: "RFC" },
  { name: "ENABLE_STATS", arm: "enable_stats", lastField: "enable_stats.type", src: "SAME" },
  { name: "ITER_CREATE", arm: "iter_create", lastField: "iter_create.flags", src: "SAME" },
  { name: "LINK_DETACH", arm: "link_detach", lastField: "link_detach.link_fd", src: "SAME" },
  { name: "PROG_BIND_MAP", arm: "prog_bind_map", lastField: "prog_bind_map.flags", src: "SAME" },
  { name: "TOKEN_CREATE", arm: "token_create", lastField: "token_create.allowed_attach_types", src: "P14" },
];

interface Wide {
  readonly uptr: readonly string[];
  readonly u64: readonly string[];
}
const STRUCTS = ["bpf_map_info", "bpf_prog_info", "bpf_btf_info", "bpf_link_info", "bpf_insn"] as const;
type StructName = (typeof STRUCTS)[number];

/** Every 64-bit member is a user pointer or a number; an unlisted or stale one fails generation. */
const WIDE: Readonly<Record<"bpf_attr" | StructName, Wide>> = {
  bpf_attr: {
    uptr: [
      "key",
      "value",
      "next_key",
      "batch.in_batch",
      "batch.out_batch",
      "batch.keys",
      "batch.values",
      "insns",
      "license",
      "log_buf",
      "func_info",
      "line_info",
      "fd_array",
      "core_relos",
      "pathname",
      "test.data_in",
      "test.data_out",
      "test.ctx_in",
      "test.ctx_out",
      "info.info",
      "query.prog_ids",
      "query.prog_attach_flags",
      "raw_tracepoint.name",
      "btf",
      "btf_log_buf",
      "task_fd_query.buf",
      "link_create.iter_info",
      "link_create.kprobe_multi.syms",
      "link_create.kprobe_multi.addrs",
      "link_create.kprobe_multi.cookies",
    ],
    u64: [
      "map_extra",
      "flags",
      "batch.elem_flags",
      "batch.flags",
      "task_fd_query.probe_offset",
      "task_fd_query.probe_addr",
      "link_create.perf_event.bpf_cookie",
      "link_create.tracing.cookie",
      "token_create.allowed_cmds",
      "token_create.allowed_map_types",
      "token_create.allowed_prog_types",
      "token_create.allowed_attach_types",
    ],
  },
  bpf_map_info: { uptr: [], u64: ["netns_dev", "netns_ino", "map_extra"] },
  bpf_prog_info: {
    uptr: ["jited_prog_insns", "xlated_prog_insns", "map_ids", "jited_ksyms", "jited_func_lens", "func_info", "line_info", "jited_line_info", "prog_tags"],
    u64: ["load_time", "netns_dev", "netns_ino", "run_time_ns", "run_cnt", "recursion_misses"],
  },
  bpf_btf_info: { uptr: ["btf", "name"], u64: [] },
  bpf_link_info: {
    uptr: ["raw_tracepoint.tp_name", "iter.target_name"],
    u64: ["cgroup.cgroup_id", "iter.cgroup.cgroup_id"],
  },
  bpf_insn: { uptr: [], u64: [] },
};

const KIND_OVERRIDES: Readonly<Record<string, FieldKind>> = { "bpf_insn.off": "u16" };

/** bpf_perf_event_type came with perf-event link info (6.6), after this ABI. */
const NAMED_ENUMS = ["bpf_cmd", "bpf_map_type", "bpf_prog_type", "bpf_attach_type", "bpf_link_type", "bpf_stats_type", "bpf_task_fd_type"] as const;

const isFlagEnum = (e: BtfEnum): boolean => e.name === "" && e.values.some((v) => v.name.startsWith("BPF_F_"));

// ---------------------------------------------------------------------------
// Header -> BTF
// ---------------------------------------------------------------------------

const PROBE_C = `#include <linux/bpf.h>
union bpf_attr rfc_v1_attr;
struct bpf_map_info rfc_v1_map_info;
struct bpf_prog_info rfc_v1_prog_info;
struct bpf_btf_info rfc_v1_btf_info;
struct bpf_link_info rfc_v1_link_info;
struct bpf_insn rfc_v1_insn;
`;

/** Compile the edited header and encode its DWARF as BTF (gcc + pahole). */
export function headerToBtf(headerText: string): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), "gen-rfc-v1-"));
  try {
    mkdirSync(join(dir, "inc/linux"), { recursive: true });
    writeFileSync(join(dir, "inc/linux/bpf.h"), headerText);
    writeFileSync(join(dir, "probe.c"), PROBE_C);
    // -fno-eliminate-unused-debug-types keeps the anonymous flag enums nobody references.
    execFileSync("gcc", ["-g", "-O0", "-fno-eliminate-unused-debug-types", "-I", join(dir, "inc"), "-c", "-o", join(dir, "probe.o"), join(dir, "probe.c")], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    execFileSync("pahole", ["-J", `--btf_encode_detached=${join(dir, "probe.btf")}`, join(dir, "probe.o")], { stdio: ["ignore", "ignore", "pipe"] });
    return new Uint8Array(readFileSync(join(dir, "probe.btf")));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------
// BTF -> UapiTables
// ---------------------------------------------------------------------------

function fieldKind(btf: Btf, owner: string, leaf: Leaf, wide: Wide): FieldKind {
  const override = KIND_OVERRIDES[`${owner}.${leaf.path}`];
  if (override !== undefined) return override;
  if (leaf.bitfieldSize !== 0) return "bits";
  const s = leafShape(btf, leaf.type);
  const where = `${owner}.${leaf.path} (${cTypeName(btf, leaf.type)})`;
  if (s.shape === "array") {
    if (s.elemIsInt && s.elemSize === 1) return "bytes";
    throw new GenError(`${where}: only byte arrays have a FieldKind`);
  }
  if (s.shape !== "int" && s.shape !== "enum") throw new GenError(`${where}: no FieldKind for ${s.shape}`);
  if (s.size === 8) {
    const isPtr = wide.uptr.includes(leaf.path);
    const isNum = wide.u64.includes(leaf.path);
    if (isPtr === isNum) throw new GenError(`${where}: 64-bit member must be in exactly one of WIDE.uptr / WIDE.u64`);
    if (isPtr) return "uptr";
    return s.signed ? "s64" : "u64";
  }
  if (s.size === 4) return s.signed ? "s32" : "u32";
  if (s.size === 2 && !s.signed) return "u16";
  if (s.size === 1 && !s.signed) return "u8";
  throw new GenError(`${where}: no FieldKind for a ${s.size}-byte integer`);
}

function describe(btf: Btf, owner: string, leaves: readonly Leaf[], wide: Wide): FieldDesc[] {
  const rows = leaves.map((leaf) => {
    const kind = fieldKind(btf, owner, leaf, wide);
    const size = sizeOf(btf, leaf.type);
    const type = cTypeName(btf, leaf.type);
    if (leaf.bitfieldSize === 0) {
      if (leaf.bitOffset % 8 !== 0) throw new GenError(`${owner}.${leaf.path}: not byte aligned`);
      return { bits: leaf.bitOffset, f: { name: leaf.path, offset: leaf.bitOffset / 8, size, type, kind } as FieldDesc };
    }
    // A bitfield is described by the naturally aligned storage unit of its declared type.
    const unitBits = size * 8;
    const unitStart = Math.floor(leaf.bitOffset / unitBits) * unitBits;
    const bitOffset = leaf.bitOffset - unitStart;
    if (bitOffset + leaf.bitfieldSize > unitBits) throw new GenError(`${owner}.${leaf.path}: bitfield straddles its unit`);
    return { bits: leaf.bitOffset, f: { name: leaf.path, offset: unitStart / 8, size, type, kind, bitOffset, bitSize: leaf.bitfieldSize } as FieldDesc };
  });
  const order = rows.map((r, i) => ({ ...r, i }));
  order.sort((a, b) => a.bits - b.bits || a.i - b.i);
  return order.map((r) => r.f);
}

function checkWideListed(owner: string, fields: readonly FieldDesc[], wide: Wide): void {
  const names = new Set(fields.map((f) => f.name));
  for (const p of [...wide.uptr, ...wide.u64]) if (!names.has(p)) throw new GenError(`${owner}: hand table lists ${p}, which the header does not have`);
}

function enumDesc(e: BtfEnum, key: string): EnumDesc {
  return {
    name: key,
    values: e.values.map((v) => {
      const n = Number(v.value);
      if (!Number.isSafeInteger(n)) throw new GenError(`enum ${key}: ${v.name} = ${v.value} does not fit a number`);
      return { name: v.name, value: n };
    }),
  };
}

export interface ArmLayout {
  readonly label: string;
  readonly member: string;
  readonly size: number;
  readonly fields: readonly FieldDesc[];
}

export interface Model {
  readonly tables: UapiTables;
  readonly arms: readonly ArmLayout[];
}

export function buildModel(btf: Btf, source: string): Model {
  const attr = findComposite(btf, "bpf_attr", "UNION");
  const claimed = new Set<number>();
  const arms: ArmLayout[] = [];
  const all: FieldDesc[] = [];
  for (const [label, pick] of Object.entries(ATTR_ARMS)) {
    const idx: number[] = [];
    attr.members.forEach((m, i) => {
      if ("named" in pick) {
        if (m.name === pick.named) idx.push(i);
      } else if (m.name === "") {
        const t = btf.types[m.type];
        if (t !== undefined && (t.kind === "STRUCT" || t.kind === "UNION") && flatten(btf, t).some((l) => l.path === pick.anonWith)) idx.push(i);
      }
    });
    if (idx.length !== 1) throw new GenError(`bpf_attr arm ${label}: matched ${idx.length} members`);
    const i = idx[0]!;
    claimed.add(i);
    const m = attr.members[i]!;
    const armType = btf.types[m.type] as BtfComposite;
    const fields = describe(btf, "bpf_attr", flatten(btf, armType, m.name === "" ? "" : `${m.name}.`), WIDE.bpf_attr);
    arms.push({ label, member: m.name, size: sizeOf(btf, m.type), fields });
    all.push(...fields);
  }
  attr.members.forEach((m, i) => {
    if (!claimed.has(i)) throw new GenError(`bpf_attr member #${i} (${m.name || "anonymous"}) is not in ATTR_ARMS`);
  });
  checkWideListed("bpf_attr", all, WIDE.bpf_attr);

  // enum bpf_cmd has no sentinel in this ABI: the command count is one past the largest value.
  const cmdEnum = findEnum(btf, "bpf_cmd");
  if (cmdEnum.values.some((v) => v.name === "__MAX_BPF_CMD")) throw new GenError("the v1 ABI has no __MAX_BPF_CMD");
  const ncmd = Math.max(...cmdEnum.values.map((v) => Number(v.value))) + 1;
  if (COMMANDS.length !== ncmd) throw new GenError(`hand table has ${COMMANDS.length} commands, enum bpf_cmd has ${ncmd}`);
  const commands: CmdLayout[] = COMMANDS.map((row, cmd) => {
    const v = cmdEnum.values.find((e) => e.name === `BPF_${row.name}`);
    if (v === undefined || Number(v.value) !== cmd) throw new GenError(`BPF_${row.name}: value ${v?.value} is not table position ${cmd}`);
    const arm = arms.find((a) => a.label === row.arm)!;
    const last = arm.fields.find((f) => f.name === row.lastField);
    if (last === undefined) throw new GenError(`BPF_${row.name}: LAST_FIELD ${row.lastField} is not in arm ${row.arm}`);
    return { cmd, name: row.name, lastField: row.lastField, end: last.offset + last.size, fields: arm.fields };
  });

  const structs: Record<string, StructLayout> = {};
  for (const name of STRUCTS) {
    const s = findComposite(btf, name, "STRUCT");
    const fields = describe(btf, name, flatten(btf, s), WIDE[name]);
    checkWideListed(name, fields, WIDE[name]);
    structs[name] = { name, size: s.size, fields };
  }

  const enums: Record<string, EnumDesc> = {};
  for (const name of NAMED_ENUMS) enums[name] = enumDesc(findEnum(btf, name), name);
  for (const t of btf.types) {
    if ((t.kind !== "ENUM" && t.kind !== "ENUM64") || !isFlagEnum(t)) continue;
    const key = t.values[0]!.name;
    if (key in enums) throw new GenError(`two anonymous flag enums start with ${key}`);
    enums[key] = enumDesc(t, key);
  }

  return { tables: { abi: "rfc-v1", source, attrSize: attr.size, commands, structs, enums }, arms };
}

// ---------------------------------------------------------------------------
// Emit
// ---------------------------------------------------------------------------

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const key = (k: string): string => (IDENT.test(k) ? k : JSON.stringify(k));
const q = (s: string): string => JSON.stringify(s);

function emitField(f: FieldDesc, indent: string): string {
  let s = `${indent}{ name: ${q(f.name)}, offset: ${f.offset}, size: ${f.size}, type: ${q(f.type)}, kind: ${q(f.kind)}`;
  if (f.bitOffset !== undefined) s += `, bitOffset: ${f.bitOffset}, bitSize: ${f.bitSize}`;
  return `${s} },\n`;
}

export function emit(model: Model): string {
  const { tables, arms } = model;
  let out = `// SPDX-License-Identifier: GPL-2.0-only\n// @generated from ${tables.source} by scripts/gen-rfc-v1.ts -- DO NOT EDIT\n`;
  out += `// The "rfc-v1" ABI profile: bpf-next's uapi at the base of the original BPF\n`;
  out += `// token series (June 2023) plus that series' UAPI. See docs/abi-rfc-v1.md.\n\n`;
  out += `import type { CmdLayout, EnumDesc, FieldDesc, StructLayout, UapiTables } from "../layout.ts";\n\n`;
  out += `// ---- union bpf_attr arms (offsets from the start of the union) ----\n\n`;
  for (const arm of arms) {
    out += `/** bpf_attr ${arm.member === "" ? "anonymous struct" : `member ${arm.member}`}, ${arm.size} bytes */\n`;
    out += `const attr_${arm.label}: readonly FieldDesc[] = [\n${arm.fields.map((f) => emitField(f, "  ")).join("")}];\n\n`;
  }
  out += `// ---- commands: end = offsetofend(union bpf_attr, LAST_FIELD) ----\n\n`;
  out += `const commands: readonly CmdLayout[] = [\n`;
  for (const c of tables.commands) {
    const arm = arms.find((a) => a.fields === c.fields)!;
    out += `  { cmd: ${c.cmd}, name: ${q(c.name)}, lastField: ${q(c.lastField)}, end: ${c.end}, fields: attr_${arm.label} },\n`;
  }
  out += `];\n\n// ---- structs ----\n\n`;
  for (const s of Object.values(tables.structs)) {
    out += `const ${s.name}: StructLayout = {\n  name: ${q(s.name)},\n  size: ${s.size},\n  fields: [\n${s.fields.map((f) => emitField(f, "    ")).join("")}  ],\n};\n\n`;
  }
  out += `// ---- enums (anonymous flag enums are keyed by their first entry) ----\n\n`;
  out += `const enums: Readonly<Record<string, EnumDesc>> = {\n`;
  for (const [k, e] of Object.entries(tables.enums)) {
    out += `  ${key(k)}: {\n    name: ${q(e.name)},\n    values: [\n`;
    for (const v of e.values) out += `      { name: ${q(v.name)}, value: ${v.value} },\n`;
    out += `    ],\n  },\n`;
  }
  out += `};\n\n`;
  out += `export const rfc_v1: UapiTables = {\n  abi: ${q(tables.abi)},\n  source: ${q(tables.source)},\n  attrSize: ${tables.attrSize},\n  commands,\n`;
  out += `  structs: {\n${Object.keys(tables.structs).map((n) => `    ${n},\n`).join("")}  },\n  enums,\n};\n`;
  return out;
}

// ---------------------------------------------------------------------------
// Driver
// ---------------------------------------------------------------------------

export interface Generated {
  readonly model: Model;
  readonly text: string;
  /** The edited header, for inspection. */
  readonly header: string;
}

export function generate(headerPath: string): Generated {
  const bytes = new Uint8Array(readFileSync(headerPath));
  const blob = gitBlobId(bytes);
  if (blob !== BASE_BLOB) throw new GenError(`${headerPath}: git blob ${blob} is not the v1 base ${BASE_BLOB} (libbpf ${BASE_LIBBPF_COMMIT})`);
  const header = applyV1Edits(new TextDecoder().decode(bytes));
  const source = `bpf-next uapi bpf.h blob ${BASE_BLOB.slice(0, 12)} (libbpf ${BASE_LIBBPF_COMMIT.slice(0, 12)}) + BPF token v1 UAPI (2023-06-02)`;
  const model = buildModel(parseBtf(headerToBtf(header)), source);
  return { model, text: emit(model), header };
}

function main(argv: readonly string[]): number {
  let headerPath: string | undefined;
  let check = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--check") check = true;
    else if (a === "--header" && argv[i + 1] !== undefined) headerPath = argv[++i]!;
    else headerPath = undefined;
  }
  if (headerPath === undefined) {
    process.stderr.write(`usage: tsx scripts/gen-rfc-v1.ts --header <base bpf.h> [--check]\n`);
    return 2;
  }
  const { text } = generate(headerPath);
  const abs = join(REPO_ROOT, OUT_FILE);
  if (check) {
    let onDisk = "";
    try {
      onDisk = readFileSync(abs, "utf8");
    } catch {
      onDisk = "";
    }
    if (onDisk !== text) {
      process.stderr.write(`gen-rfc-v1: ${OUT_FILE} is out of date\n`);
      return 1;
    }
    process.stdout.write(`gen-rfc-v1: ${OUT_FILE} up to date\n`);
    return 0;
  }
  mkdirSync(dirname(abs), { recursive: true });
  writeFileSync(abs, text);
  process.stdout.write(`gen-rfc-v1: wrote ${OUT_FILE}\n`);
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolvePath(process.argv[1])).href) {
  process.exitCode = main(process.argv.slice(2));
}

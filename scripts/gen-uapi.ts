// SPDX-License-Identifier: GPL-2.0-only
// Generates src/uapi/gen/linux-6.18.ts and src/uapi/gen/consts-6.18.ts from a
// kernel's BTF (default: the committed fixtures/btf/vmlinux-6.18.btf.gz).
//
//   npx tsx scripts/gen-uapi.ts [--btf path] [--check]
//
// Offsets, sizes, C type names, enum values and every command's CHECK_ATTR end
// come from BTF. What BTF cannot say (which arm of union bpf_attr a command
// reads, its LAST_FIELD, which u64s are user pointers, how anonymous enums are
// named) is decided in the HAND TABLE below and nowhere else.

import { createHash } from "node:crypto";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join, relative, resolve as resolvePath } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gunzipSync } from "node:zlib";

import type { Btf, BtfComposite, BtfEnum } from "./btf/parse.ts";
import { parseBtf } from "./btf/parse.ts";
import type { Leaf } from "./btf/layout.ts";
import { cTypeName, findComposite, findEnum, flatten, leafShape, sizeOf } from "./btf/layout.ts";
import type { CmdLayout, EnumDesc, FieldDesc, FieldKind, StructLayout, UapiTables } from "../src/uapi/layout.ts";

// ---------------------------------------------------------------------------
// HAND TABLE: every decision that is not in BTF.
// ---------------------------------------------------------------------------

/** The fixture the committed tables come from, and the kernel it was taken from (fixtures/btf/README.md). */
const FIXTURE = {
  path: "fixtures/btf/vmlinux-6.18.btf.gz",
  release: "6.18.44-fc-v657",
  abi: "linux-6.18",
  tablesExport: "linux_6_18",
  tablesFile: "src/uapi/gen/linux-6.18.ts",
  constsFile: "src/uapi/gen/consts-6.18.ts",
} as const;

/**
 * Arms of union bpf_attr. Anonymous arms have no C name, so each is picked by
 * a member only it contains and given a label for the generated file; named
 * arms are picked by name. Every top-level member of bpf_attr must be claimed
 * here, so a kernel that grows a new arm fails generation instead of being
 * silently ignored.
 */
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
  prog_stream_read: { named: "prog_stream_read" },
};
type ArmLabel = keyof typeof ATTR_ARMS;

/**
 * One row per enum bpf_cmd value: the arm its handler in kernel/bpf/syscall.c
 * reads and its BPF_<CMD>_LAST_FIELD spelled as syscall.c spells it. The
 * CHECK_ATTR end is computed from BTF, never written here. Names drop "BPF_";
 * cmd 10 uses its original name PROG_TEST_RUN (PROG_RUN is the alias).
 */
const COMMANDS: readonly { readonly name: string; readonly arm: ArmLabel; readonly lastField: string }[] = [
  { name: "MAP_CREATE", arm: "map_create", lastField: "excl_prog_hash_size" },
  { name: "MAP_LOOKUP_ELEM", arm: "elem", lastField: "flags" },
  { name: "MAP_UPDATE_ELEM", arm: "elem", lastField: "flags" },
  { name: "MAP_DELETE_ELEM", arm: "elem", lastField: "key" },
  { name: "MAP_GET_NEXT_KEY", arm: "elem", lastField: "next_key" },
  { name: "PROG_LOAD", arm: "prog_load", lastField: "keyring_id" },
  { name: "OBJ_PIN", arm: "obj", lastField: "path_fd" },
  { name: "OBJ_GET", arm: "obj", lastField: "path_fd" },
  { name: "PROG_ATTACH", arm: "attach", lastField: "expected_revision" },
  { name: "PROG_DETACH", arm: "attach", lastField: "expected_revision" },
  { name: "PROG_TEST_RUN", arm: "test", lastField: "test.batch_size" },
  { name: "PROG_GET_NEXT_ID", arm: "get_id", lastField: "next_id" },
  { name: "MAP_GET_NEXT_ID", arm: "get_id", lastField: "next_id" },
  { name: "PROG_GET_FD_BY_ID", arm: "get_id", lastField: "prog_id" },
  { name: "MAP_GET_FD_BY_ID", arm: "get_id", lastField: "open_flags" },
  { name: "OBJ_GET_INFO_BY_FD", arm: "info", lastField: "info.info" },
  { name: "PROG_QUERY", arm: "query", lastField: "query.revision" },
  { name: "RAW_TRACEPOINT_OPEN", arm: "raw_tracepoint", lastField: "raw_tracepoint.cookie" },
  { name: "BTF_LOAD", arm: "btf_load", lastField: "btf_token_fd" },
  { name: "BTF_GET_FD_BY_ID", arm: "get_id", lastField: "fd_by_id_token_fd" },
  { name: "TASK_FD_QUERY", arm: "task_fd_query", lastField: "task_fd_query.probe_addr" },
  { name: "MAP_LOOKUP_AND_DELETE_ELEM", arm: "elem", lastField: "flags" },
  { name: "MAP_FREEZE", arm: "elem", lastField: "map_fd" },
  { name: "BTF_GET_NEXT_ID", arm: "get_id", lastField: "next_id" },
  { name: "MAP_LOOKUP_BATCH", arm: "batch", lastField: "batch.flags" },
  { name: "MAP_LOOKUP_AND_DELETE_BATCH", arm: "batch", lastField: "batch.flags" },
  { name: "MAP_UPDATE_BATCH", arm: "batch", lastField: "batch.flags" },
  { name: "MAP_DELETE_BATCH", arm: "batch", lastField: "batch.flags" },
  { name: "LINK_CREATE", arm: "link_create", lastField: "link_create.uprobe_multi.pid" },
  { name: "LINK_UPDATE", arm: "link_update", lastField: "link_update.old_prog_fd" },
  { name: "LINK_GET_FD_BY_ID", arm: "get_id", lastField: "link_id" },
  { name: "LINK_GET_NEXT_ID", arm: "get_id", lastField: "next_id" },
  { name: "ENABLE_STATS", arm: "enable_stats", lastField: "enable_stats.type" },
  { name: "ITER_CREATE", arm: "iter_create", lastField: "iter_create.flags" },
  { name: "LINK_DETACH", arm: "link_detach", lastField: "link_detach.link_fd" },
  { name: "PROG_BIND_MAP", arm: "prog_bind_map", lastField: "prog_bind_map.flags" },
  { name: "TOKEN_CREATE", arm: "token_create", lastField: "token_create.bpffs_fd" },
  { name: "PROG_STREAM_READ_BY_FD", arm: "prog_stream_read", lastField: "prog_stream_read.prog_fd" },
];

/**
 * Every 64-bit member must be listed as either a user pointer ("uptr": the
 * kernel passes it through u64_to_user_ptr) or a plain number ("u64": flags,
 * cookies, revisions, kernel addresses reported back, counters). An unlisted
 * 64-bit member fails generation, so a new pointer field cannot slip through
 * as a number. Paths are the dotted leaf paths of the flattened type.
 */
interface Wide {
  readonly uptr: readonly string[];
  readonly u64: readonly string[];
}
const WIDE: Readonly<Record<"bpf_attr" | StructName, Wide>> = {
  bpf_attr: {
    uptr: [
      "excl_prog_hash",
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
      "signature",
      "pathname",
      "test.data_in",
      "test.data_out",
      "test.ctx_in",
      "test.ctx_out",
      "info.info",
      "query.prog_ids",
      "query.prog_attach_flags",
      "query.link_ids",
      "query.link_attach_flags",
      "raw_tracepoint.name",
      "btf",
      "btf_log_buf",
      "task_fd_query.buf",
      // points at a union bpf_iter_link_info of iter_info_len bytes
      "link_create.iter_info",
      "link_create.kprobe_multi.syms",
      "link_create.kprobe_multi.addrs",
      "link_create.kprobe_multi.cookies",
      "link_create.uprobe_multi.path",
      "link_create.uprobe_multi.offsets",
      "link_create.uprobe_multi.ref_ctr_offsets",
      "link_create.uprobe_multi.cookies",
      "prog_stream_read.stream_buf",
    ],
    u64: [
      "map_extra",
      "flags",
      "batch.elem_flags",
      "batch.flags",
      "expected_revision",
      "query.revision",
      "raw_tracepoint.cookie",
      // written back by the kernel: an offset and a kernel/user address as numbers, not buffers
      "task_fd_query.probe_offset",
      "task_fd_query.probe_addr",
      "link_create.perf_event.bpf_cookie",
      "link_create.tracing.cookie",
      "link_create.tcx.expected_revision",
      "link_create.netkit.expected_revision",
      "link_create.cgroup.expected_revision",
    ],
  },
  bpf_map_info: {
    // hash: buffer the kernel fills with the map's SHA-256 (hash_size bytes)
    uptr: ["hash"],
    u64: ["netns_dev", "netns_ino", "map_extra"],
  },
  bpf_prog_info: {
    uptr: [
      "jited_prog_insns",
      "xlated_prog_insns",
      "map_ids",
      "jited_ksyms",
      "jited_func_lens",
      "func_info",
      "line_info",
      "jited_line_info",
      "prog_tags",
    ],
    u64: ["load_time", "netns_dev", "netns_ino", "run_time_ns", "run_cnt", "recursion_misses"],
  },
  bpf_btf_info: {
    uptr: ["btf", "name"],
    u64: [],
  },
  bpf_link_info: {
    uptr: [
      "raw_tracepoint.tp_name",
      "iter.target_name",
      "kprobe_multi.addrs",
      "kprobe_multi.cookies",
      "uprobe_multi.path",
      "uprobe_multi.offsets",
      "uprobe_multi.ref_ctr_offsets",
      "uprobe_multi.cookies",
      "perf_event.uprobe.file_name",
      "perf_event.kprobe.func_name",
      "perf_event.tracepoint.tp_name",
    ],
    u64: [
      "raw_tracepoint.cookie",
      "tracing.cookie",
      "cgroup.cgroup_id",
      "iter.cgroup.cgroup_id",
      "kprobe_multi.missed",
      "perf_event.uprobe.cookie",
      "perf_event.uprobe.ref_ctr_offset",
      // kernel address of the probed function, reported as a number
      "perf_event.kprobe.addr",
      "perf_event.kprobe.missed",
      "perf_event.kprobe.cookie",
      "perf_event.tracepoint.cookie",
      "perf_event.event.config",
      "perf_event.event.cookie",
    ],
  },
  bpf_token_info: {
    uptr: [],
    u64: ["allowed_cmds", "allowed_maps", "allowed_progs", "allowed_attachs"],
  },
  bpf_insn: { uptr: [], u64: [] },
};

/** The structs the ABI reads or writes besides bpf_attr, in output order. */
const STRUCTS = ["bpf_map_info", "bpf_prog_info", "bpf_btf_info", "bpf_link_info", "bpf_token_info", "bpf_insn"] as const;
type StructName = (typeof STRUCTS)[number];

/**
 * Kinds FieldKind cannot express exactly. bpf_insn.off is __s16 and FieldKind
 * has no s16: it is read as u16 and the "__s16" type string keeps the sign.
 */
const KIND_OVERRIDES: Readonly<Record<string, FieldKind>> = {
  "bpf_insn.off": "u16",
};

/** Named enums emitted under their C name. */
const NAMED_ENUMS = [
  "bpf_cmd",
  "bpf_map_type",
  "bpf_prog_type",
  "bpf_attach_type",
  "bpf_link_type",
  "bpf_stats_type",
  "bpf_task_fd_type",
  "bpf_perf_event_type",
] as const;

/**
 * Anonymous enums: every anonymous enum with at least one BPF_F_* entry (that
 * covers BPF_ANY/BPF_NOEXIST/BPF_EXIST/BPF_F_LOCK too). BTF gives them no name,
 * so each is keyed by its FIRST entry's name ("BPF_ANY", "BPF_F_NO_PREALLOC").
 * Flags the uapi header declares with #define (prog_flags, attach_flags,
 * query_flags, test-run flags) are not in BTF and cannot appear here.
 */
const isFlagEnum = (e: BtfEnum): boolean => e.name === "" && e.values.some((v) => v.name.startsWith("BPF_F_"));

/** consts-6.18.ts: object name, source enum, prefix stripped from keys, sentinel exported separately. */
const CONST_OBJECTS = [
  { object: "BPF_CMD", enumName: "bpf_cmd", strip: "BPF_", sentinel: "__MAX_BPF_CMD", type: "BpfCmd" },
  { object: "BPF_MAP_TYPE", enumName: "bpf_map_type", strip: "BPF_MAP_TYPE_", sentinel: "__MAX_BPF_MAP_TYPE", type: "BpfMapType" },
  { object: "BPF_PROG_TYPE", enumName: "bpf_prog_type", strip: "BPF_PROG_TYPE_", sentinel: "__MAX_BPF_PROG_TYPE", type: "BpfProgType" },
  { object: "BPF_ATTACH_TYPE", enumName: "bpf_attach_type", strip: "BPF_", sentinel: "__MAX_BPF_ATTACH_TYPE", type: "BpfAttachType" },
  { object: "BPF_LINK_TYPE", enumName: "bpf_link_type", strip: "BPF_LINK_TYPE_", sentinel: "__MAX_BPF_LINK_TYPE", type: "BpfLinkType" },
] as const;

// ---------------------------------------------------------------------------
// Model: BTF -> UapiTables
// ---------------------------------------------------------------------------

export class GenError extends Error {
  override readonly name = "GenError";
}

export interface ArmLayout {
  readonly label: string;
  /** C member name in union bpf_attr, "" for anonymous arms. */
  readonly member: string;
  readonly size: number;
  readonly fields: readonly FieldDesc[];
}

export interface Model {
  readonly tables: UapiTables;
  /** Arms of bpf_attr in ATTR_ARMS order (the commands share these arrays). */
  readonly arms: readonly ArmLayout[];
  /** Anonymous flag enum keys, for the consts file. */
  readonly flagEnums: readonly string[];
}

function fieldKind(btf: Btf, owner: string, leaf: Leaf, wide: Wide): FieldKind {
  const override = KIND_OVERRIDES[`${owner}.${leaf.path}`];
  if (override !== undefined) return override;
  if (leaf.bitfieldSize !== 0) return "bits";
  const s = leafShape(btf, leaf.type);
  const where = `${owner}.${leaf.path} (${cTypeName(btf, leaf.type)})`;
  switch (s.shape) {
    case "array":
      if (s.elemIsInt && s.elemSize === 1) return "bytes";
      throw new GenError(`${where}: only byte arrays have a FieldKind`);
    case "int":
    case "enum":
      if (s.size === 8) {
        const isPtr = wide.uptr.includes(leaf.path);
        const isNum = wide.u64.includes(leaf.path);
        if (isPtr === isNum) {
          throw new GenError(`${where}: 64-bit member must be in exactly one of WIDE.uptr / WIDE.u64 in the hand table`);
        }
        if (isPtr) {
          if (s.signed) throw new GenError(`${where}: a user pointer cannot be signed`);
          return "uptr";
        }
        return s.signed ? "s64" : "u64";
      }
      if (s.size === 4) return s.signed ? "s32" : "u32";
      if (s.size === 2 && !s.signed) return "u16";
      if (s.size === 1 && !s.signed) return "u8";
      throw new GenError(`${where}: no FieldKind for a ${s.signed ? "signed" : "unsigned"} ${s.size}-byte integer; add a KIND_OVERRIDES entry`);
    default:
      throw new GenError(`${where}: no FieldKind for ${s.shape}`);
  }
}

/** Leaves of a flattened type as FieldDescs, in offset order (stable: union arms keep declaration order). */
function describe(btf: Btf, owner: string, leaves: readonly Leaf[], wide: Wide, baseBits = 0): FieldDesc[] {
  const fields = leaves.map((leaf) => {
    const kind = fieldKind(btf, owner, leaf, wide);
    const rel = leaf.bitOffset - baseBits;
    const size = sizeOf(btf, leaf.type);
    if (leaf.bitfieldSize === 0) {
      if (rel % 8 !== 0) throw new GenError(`${owner}.${leaf.path}: not byte aligned`);
      return { name: leaf.path, offset: rel / 8, size, type: cTypeName(btf, leaf.type), kind, bits: rel } as const;
    }
    // A bitfield is described by the naturally aligned storage unit of its
    // declared type that holds it, as pahole prints it ("84: 0 4").
    const unitBits = size * 8;
    const unitStart = Math.floor(rel / unitBits) * unitBits;
    const bitOffset = rel - unitStart;
    if (bitOffset + leaf.bitfieldSize > unitBits) throw new GenError(`${owner}.${leaf.path}: bitfield straddles its unit`);
    return {
      name: leaf.path,
      offset: unitStart / 8,
      size,
      type: cTypeName(btf, leaf.type),
      kind,
      bitOffset,
      bitSize: leaf.bitfieldSize,
      bits: rel,
    } as const;
  });
  // Sort by bit position so bitfields sharing a unit stay in bit order.
  const order = fields.map((f, i) => ({ f, i, bits: f.bits }));
  order.sort((a, b) => a.bits - b.bits || a.i - b.i);
  return order.map(({ f }) => {
    const { bits: _bits, ...desc } = f;
    return desc;
  });
}

function checkWideListed(owner: string, fields: readonly FieldDesc[], wide: Wide): void {
  // Stale hand-table entries are errors too: they would hide a renamed field.
  const names = new Set(fields.map((f) => f.name));
  for (const p of [...wide.uptr, ...wide.u64]) {
    if (!names.has(p)) throw new GenError(`${owner}: hand table lists ${p}, which BTF does not have`);
  }
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

export function buildModel(btf: Btf, source: string): Model {
  // union bpf_attr and its arms
  const attr = findComposite(btf, "bpf_attr", "UNION");
  const claimed = new Set<number>();
  const arms: ArmLayout[] = [];
  const allAttrFields: FieldDesc[] = [];
  for (const [label, pick] of Object.entries(ATTR_ARMS)) {
    const idx: number[] = [];
    attr.members.forEach((m, i) => {
      if ("named" in pick) {
        if (m.name === pick.named) idx.push(i);
      } else if (m.name === "") {
        const t = btf.types[m.type];
        const mt = t !== undefined && (t.kind === "STRUCT" || t.kind === "UNION") ? t : undefined;
        if (mt !== undefined && flatten(btf, mt).some((l) => l.path === pick.anonWith)) idx.push(i);
      }
    });
    if (idx.length !== 1) throw new GenError(`bpf_attr arm ${label}: ${JSON.stringify(pick)} matched ${idx.length} members`);
    const i = idx[0]!;
    if (claimed.has(i)) throw new GenError(`bpf_attr arm ${label}: member #${i} already claimed`);
    claimed.add(i);
    const m = attr.members[i]!;
    if (m.bitOffset !== 0) throw new GenError(`bpf_attr arm ${label} does not start at 0`);
    const armType = btf.types[m.type];
    if (armType === undefined || (armType.kind !== "STRUCT" && armType.kind !== "UNION")) {
      throw new GenError(`bpf_attr arm ${label} is not a struct or union`);
    }
    const leaves = flatten(btf, armType as BtfComposite, m.name === "" ? "" : `${m.name}.`);
    const fields = describe(btf, "bpf_attr", leaves, WIDE.bpf_attr);
    arms.push({ label, member: m.name, size: sizeOf(btf, m.type), fields });
    allAttrFields.push(...fields);
  }
  attr.members.forEach((m, i) => {
    if (!claimed.has(i)) throw new GenError(`bpf_attr member #${i} (${m.name || "anonymous"}) is not in ATTR_ARMS`);
  });
  checkWideListed("bpf_attr", allAttrFields, WIDE.bpf_attr);

  // commands
  const cmdEnum = findEnum(btf, "bpf_cmd");
  const cmdMax = cmdEnum.values.find((v) => v.name === "__MAX_BPF_CMD");
  if (cmdMax === undefined) throw new GenError("enum bpf_cmd has no __MAX_BPF_CMD");
  if (COMMANDS.length !== Number(cmdMax.value)) {
    throw new GenError(`hand table has ${COMMANDS.length} commands, BTF __MAX_BPF_CMD is ${cmdMax.value}`);
  }
  const commands: CmdLayout[] = COMMANDS.map((row, cmd) => {
    const v = cmdEnum.values.find((e) => e.name === `BPF_${row.name}`);
    if (v === undefined || Number(v.value) !== cmd) {
      throw new GenError(`BPF_${row.name}: BTF value ${v?.value} does not match table position ${cmd}`);
    }
    const arm = arms.find((a) => a.label === row.arm)!;
    const last = arm.fields.find((f) => f.name === row.lastField);
    if (last === undefined) throw new GenError(`BPF_${row.name}: LAST_FIELD ${row.lastField} is not in arm ${row.arm}`);
    if (last.kind === "bits") throw new GenError(`BPF_${row.name}: LAST_FIELD ${row.lastField} is a bitfield`);
    return { cmd, name: row.name, lastField: row.lastField, end: last.offset + last.size, fields: arm.fields };
  });

  // structs
  const structs: Record<string, StructLayout> = {};
  for (const name of STRUCTS) {
    const s = findComposite(btf, name, "STRUCT");
    const fields = describe(btf, name, flatten(btf, s), WIDE[name]);
    checkWideListed(name, fields, WIDE[name]);
    structs[name] = { name, size: s.size, fields };
  }
  for (const key of Object.keys(KIND_OVERRIDES)) {
    const [owner, ...rest] = key.split(".");
    const path = rest.join(".");
    const fields = owner === "bpf_attr" ? allAttrFields : structs[owner!]?.fields;
    if (fields === undefined || !fields.some((f) => f.name === path)) throw new GenError(`KIND_OVERRIDES: ${key} does not exist`);
  }

  // enums
  const enums: Record<string, EnumDesc> = {};
  for (const name of NAMED_ENUMS) enums[name] = enumDesc(findEnum(btf, name), name);
  const flagEnums: string[] = [];
  for (const t of btf.types) {
    if ((t.kind !== "ENUM" && t.kind !== "ENUM64") || !isFlagEnum(t)) continue;
    const key = t.values[0]!.name;
    if (key in enums) throw new GenError(`two anonymous flag enums start with ${key}`);
    enums[key] = enumDesc(t, key);
    flagEnums.push(key);
  }

  const tables: UapiTables = {
    abi: FIXTURE.abi,
    source,
    attrSize: attr.size,
    commands,
    structs,
    enums,
  };
  return { tables, arms, flagEnums };
}

// ---------------------------------------------------------------------------
// Emit
// ---------------------------------------------------------------------------

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const key = (k: string): string => (IDENT.test(k) ? k : JSON.stringify(k));
const q = (s: string): string => JSON.stringify(s);

function header(source: string): string {
  return `// SPDX-License-Identifier: GPL-2.0-only\n// @generated from ${source} by scripts/gen-uapi.ts -- DO NOT EDIT\n`;
}

function emitField(f: FieldDesc, indent: string): string {
  let s = `${indent}{ name: ${q(f.name)}, offset: ${f.offset}, size: ${f.size}, type: ${q(f.type)}, kind: ${q(f.kind)}`;
  if (f.bitOffset !== undefined) s += `, bitOffset: ${f.bitOffset}, bitSize: ${f.bitSize}`;
  return `${s} },\n`;
}

function emitFields(fields: readonly FieldDesc[], indent: string): string {
  return fields.map((f) => emitField(f, indent)).join("");
}

export function emitTables(model: Model): string {
  const { tables, arms } = model;
  let out = header(tables.source);
  out += `// Layouts of union bpf_attr per command, the info structs and the enums of\n`;
  out += `// this kernel. Decisions BTF cannot make are in the hand table of the generator.\n\n`;
  out += `import type { CmdLayout, EnumDesc, FieldDesc, StructLayout, UapiTables } from "../layout.ts";\n\n`;

  out += `// ---- union bpf_attr arms (offsets from the start of the union) ----\n\n`;
  for (const arm of arms) {
    const what = arm.member === "" ? "anonymous struct" : `member ${arm.member}`;
    out += `/** bpf_attr ${what}, ${arm.size} bytes */\n`;
    out += `const attr_${arm.label}: readonly FieldDesc[] = [\n${emitFields(arm.fields, "  ")}];\n\n`;
  }

  out += `// ---- commands: end = offsetofend(union bpf_attr, LAST_FIELD) ----\n\n`;
  out += `const commands: readonly CmdLayout[] = [\n`;
  for (const c of tables.commands) {
    const arm = arms.find((a) => a.fields === c.fields)!;
    out += `  { cmd: ${c.cmd}, name: ${q(c.name)}, lastField: ${q(c.lastField)}, end: ${c.end}, fields: attr_${arm.label} },\n`;
  }
  out += `];\n\n`;

  out += `// ---- structs ----\n\n`;
  for (const s of Object.values(tables.structs)) {
    out += `const ${s.name}: StructLayout = {\n  name: ${q(s.name)},\n  size: ${s.size},\n  fields: [\n`;
    out += emitFields(s.fields, "    ");
    out += `  ],\n};\n\n`;
  }

  out += `// ---- enums (anonymous flag enums are keyed by their first entry) ----\n\n`;
  out += `const enums: Readonly<Record<string, EnumDesc>> = {\n`;
  for (const [k, e] of Object.entries(tables.enums)) {
    out += `  ${key(k)}: {\n    name: ${q(e.name)},\n    values: [\n`;
    for (const v of e.values) out += `      { name: ${q(v.name)}, value: ${v.value} },\n`;
    out += `    ],\n  },\n`;
  }
  out += `};\n\n`;

  out += `export const ${FIXTURE.tablesExport}: UapiTables = {\n`;
  out += `  abi: ${q(tables.abi)},\n  source: ${q(tables.source)},\n  attrSize: ${tables.attrSize},\n  commands,\n`;
  out += `  structs: {\n${Object.keys(tables.structs).map((n) => `    ${n},\n`).join("")}  },\n`;
  out += `  enums,\n};\n`;
  return out;
}

/** A flag collected for BPF_F: stripped key, value and the enum it came from. */
interface FlagEntry {
  readonly key: string;
  readonly name: string;
  readonly value: number;
  readonly from: string;
}

/**
 * BPF_F_* entries of every flag enum. A name defined twice with the same value
 * is one key; a name defined twice with different values keeps the first
 * under its plain key and adds the others as KEY__<enum key>.
 */
export function collectFlags(model: Model): { readonly flags: readonly FlagEntry[]; readonly clashes: readonly string[] } {
  const flags: FlagEntry[] = [];
  const clashes: string[] = [];
  for (const ek of model.flagEnums) {
    for (const v of model.tables.enums[ek]!.values) {
      if (!v.name.startsWith("BPF_F_")) continue;
      const base = v.name.slice("BPF_F_".length);
      const prev = flags.find((f) => f.name === v.name);
      if (prev !== undefined) {
        if (prev.value === v.value) continue;
        clashes.push(`${v.name}: ${prev.value} in ${prev.from}, ${v.value} in ${ek}`);
        flags.push({ key: `${base}__${ek}`, name: v.name, value: v.value, from: ek });
        continue;
      }
      flags.push({ key: base, name: v.name, value: v.value, from: ek });
    }
  }
  return { flags, clashes };
}

export function emitConsts(model: Model): string {
  const { tables } = model;
  let out = header(tables.source);
  out += `// Enum values under the names kernel code uses, prefixes stripped.\n`;
  out += `// The full enums (with declaration order and aliases) are in ./linux-6.18.ts.\n\n`;
  for (const c of CONST_OBJECTS) {
    const e = tables.enums[c.enumName]!;
    const sentinel = e.values.find((v) => v.name === c.sentinel);
    if (sentinel === undefined) throw new GenError(`enum ${c.enumName} has no ${c.sentinel}`);
    out += `/** enum ${c.enumName}, "${c.strip}" stripped */\n`;
    out += `export const ${c.object} = {\n`;
    for (const v of e.values) {
      if (v.name === c.sentinel) continue;
      if (!v.name.startsWith(c.strip)) throw new GenError(`${v.name} lacks prefix ${c.strip}`);
      out += `  ${key(v.name.slice(c.strip.length))}: ${v.value},\n`;
    }
    out += `} as const;\n`;
    out += `export type ${c.type} = (typeof ${c.object})[keyof typeof ${c.object}];\n`;
    out += `export const ${c.sentinel} = ${sentinel.value};\n\n`;
  }

  const elem = tables.enums["BPF_ANY"];
  if (elem === undefined) throw new GenError("no anonymous enum starting with BPF_ANY");
  out += `// Element-op flags (anonymous enum BPF_ANY).\n`;
  for (const v of elem.values) {
    if (v.name.startsWith("BPF_F_")) continue;
    out += `export const ${v.name} = ${v.value};\n`;
  }
  out += `\n`;

  const { flags, clashes } = collectFlags(model);
  out += `/**\n * Every BPF_F_* entry of the anonymous flag enums, "BPF_F_" stripped.\n`;
  out += ` * Comments name the enum (by first entry) each flag comes from.\n`;
  if (clashes.length === 0) {
    out += ` * No name is defined twice with different values in this BTF.\n`;
  } else {
    out += ` * Names defined twice with different values keep both, the later as KEY__<enum>:\n`;
    for (const c of clashes) out += ` *   ${c}\n`;
  }
  out += ` * prog_flags, attach_flags, query_flags and test-run flags are #defines in\n`;
  out += ` * the uapi header, not enums, so BTF does not carry them.\n */\n`;
  out += `export const BPF_F = {\n`;
  let last = "";
  for (const f of flags) {
    if (f.from !== last) {
      out += `  // ${f.from}\n`;
      last = f.from;
    }
    out += `  ${key(f.key)}: ${f.value},\n`;
  }
  out += `} as const;\n`;
  return out;
}

// ---------------------------------------------------------------------------
// Driver
// ---------------------------------------------------------------------------

export const REPO_ROOT = resolvePath(dirname(fileURLToPath(import.meta.url)), "..");

/** Read a BTF file, gunzipping when it starts with the gzip magic. */
export function readBtfFile(path: string): Uint8Array {
  const raw = readFileSync(path);
  const bytes = raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export interface Generated {
  readonly model: Model;
  /** Repo-relative path -> file text. */
  readonly files: ReadonlyMap<string, string>;
}

/**
 * Describe where the tables came from. The fixture, or any file with the same
 * bytes (e.g. /sys/kernel/btf/vmlinux on the fixture's kernel), is named by its
 * kernel release so that `--btf /sys/kernel/btf/vmlinux --check` passes there.
 */
export function describeSource(path: string, bytes: Uint8Array): string {
  const sha = createHash("sha256").update(bytes).digest("hex").slice(0, 16);
  const fixture = join(REPO_ROOT, FIXTURE.path);
  const same =
    resolvePath(path) === fixture ||
    createHash("sha256").update(readBtfFile(fixture)).digest("hex").slice(0, 16) === sha;
  if (same) return `linux ${FIXTURE.release} BTF ${FIXTURE.path} (sha256 ${sha})`;
  const abs = resolvePath(path);
  const rel = relative(REPO_ROOT, abs);
  return `BTF ${rel.startsWith("..") ? abs : rel} (sha256 ${sha})`;
}

export function generate(btfPath: string = join(REPO_ROOT, FIXTURE.path)): Generated {
  const bytes = readBtfFile(btfPath);
  const model = buildModel(parseBtf(bytes), describeSource(btfPath, bytes));
  const files = new Map<string, string>([
    [FIXTURE.tablesFile, emitTables(model)],
    [FIXTURE.constsFile, emitConsts(model)],
  ]);
  return { model, files };
}

function main(argv: readonly string[]): number {
  let btfPath = join(REPO_ROOT, FIXTURE.path);
  let check = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--check") check = true;
    else if (a === "--btf" && argv[i + 1] !== undefined) btfPath = argv[++i]!;
    else {
      process.stderr.write(`usage: tsx scripts/gen-uapi.ts [--btf path] [--check]\n`);
      return 2;
    }
  }
  const t0 = performance.now();
  const { files } = generate(btfPath);
  const ms = (performance.now() - t0).toFixed(0);
  if (check) {
    const stale: string[] = [];
    for (const [rel, text] of files) {
      let onDisk: string | undefined;
      try {
        onDisk = readFileSync(join(REPO_ROOT, rel), "utf8");
      } catch {
        onDisk = undefined;
      }
      if (onDisk !== text) stale.push(rel);
    }
    if (stale.length > 0) {
      process.stderr.write(`gen-uapi: out of date (run npx tsx scripts/gen-uapi.ts): ${stale.join(", ")}\n`);
      return 1;
    }
    process.stdout.write(`gen-uapi: ${files.size} files up to date (${ms} ms)\n`);
    return 0;
  }
  for (const [rel, text] of files) {
    const abs = join(REPO_ROOT, rel);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, text);
  }
  process.stdout.write(`gen-uapi: wrote ${[...files.keys()].join(", ")} (${ms} ms)\n`);
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolvePath(process.argv[1])).href) {
  process.exitCode = main(process.argv.slice(2));
}

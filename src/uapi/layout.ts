// SPDX-License-Identifier: GPL-2.0-only
// Shapes of the declarative layout tables. The tables themselves are generated
// (src/uapi/gen/*) from a kernel's BTF by scripts/gen-uapi.ts; every codec,
// CHECK_ATTR bound, decoder and doc in bpfemu derives from them.

/** How a codec reads a field. u64-class kinds decode to bigint, the rest to number. */
export type FieldKind =
  | "u8"
  | "u16"
  | "u32"
  | "s32"
  | "u64"
  | "s64"
  /** a u64 that the kernel treats as a user pointer (__aligned_u64 / __u64 holding an address) */
  | "uptr"
  /** fixed-size byte array, e.g. char map_name[16], __u8 tag[8] */
  | "bytes"
  /** a bitfield inside a 32-bit storage unit: see bitOffset/bitSize */
  | "bits";

export interface FieldDesc {
  /** Dotted path from the start of the struct or union, as C names it: "map_flags", "batch.count", "link_create.tracing.cookie". */
  readonly name: string;
  /** Byte offset from the start of the outer struct (for bpf_attr: from the start of the union). */
  readonly offset: number;
  /** Size in bytes (for a bitfield: the size of its storage unit). */
  readonly size: number;
  /** The C type as BTF spells it: "__u32", "__aligned_u64", "char[16]", "__s32". */
  readonly type: string;
  readonly kind: FieldKind;
  /** Bitfields only: bit offset inside the storage unit that starts at `offset`, and width. */
  readonly bitOffset?: number;
  readonly bitSize?: number;
}

export interface StructLayout {
  readonly name: string;
  readonly size: number;
  /** Leaf fields in offset order; union arms are all listed (same offset, different names). */
  readonly fields: readonly FieldDesc[];
}

export interface CmdLayout {
  /** enum bpf_cmd value */
  readonly cmd: number;
  /** Name without the BPF_ prefix: "MAP_CREATE". */
  readonly name: string;
  /** The kernel's BPF_<CMD>_LAST_FIELD, dotted as in syscall.c: "excl_prog_hash_size", "test.batch_size". */
  readonly lastField: string;
  /** offsetofend(union bpf_attr, lastField): CHECK_ATTR looks at [end, attrSize). */
  readonly end: number;
  /** The union arm the command reads, leaf fields with their union-relative offsets. */
  readonly fields: readonly FieldDesc[];
}

export interface EnumDesc {
  readonly name: string;
  /** Entries in declaration order; aliases (BPF_PROG_RUN = BPF_PROG_TEST_RUN) included. */
  readonly values: readonly { readonly name: string; readonly value: number }[];
}

/**
 * Everything that differs between kernel ABIs lives in one of these: the
 * layouts, the CHECK_ATTR ends and the enum ranges. Handlers are shared.
 */
export interface UapiTables {
  /** "linux-6.18", "rfc-v1" */
  readonly abi: string;
  /** Where the tables came from (kernel release, BTF file, header commit). */
  readonly source: string;
  /** sizeof(union bpf_attr) */
  readonly attrSize: number;
  /** One entry per command, indexed by cmd number (0.. __MAX_BPF_CMD-1). */
  readonly commands: readonly CmdLayout[];
  /** Info structs and other structs the ABI writes: bpf_map_info, bpf_prog_info, bpf_btf_info, bpf_link_info, bpf_token_info, bpf_insn. */
  readonly structs: Readonly<Record<string, StructLayout>>;
  /** bpf_cmd, bpf_map_type, bpf_prog_type, bpf_attach_type, bpf_link_type, plus the anonymous flag enums by a chosen name. */
  readonly enums: Readonly<Record<string, EnumDesc>>;
}

// SPDX-License-Identifier: GPL-2.0-only
// BPF_TOKEN_CREATE of the original BPF token series ("[PATCH RESEND bpf-next
// 00/18] BPF token", 2023-06-02), the "rfc-v1" ABI profile: token_create() in
// kernel/bpf/syscall.c and bpf_token_alloc/bpf_token_new_fd in the series'
// kernel/bpf/token.c, in the final state after patches 01, 07 and 14. A v1
// token is an anonymous-inode object carrying four explicit bit sets; it is
// not tied to a bpffs instance or a user namespace. Source-level notes and the
// places where this profile keeps 6.18 behaviour are in docs/abi-rfc-v1.md.

import { EINVAL, ENOTSUPP, EPERM } from "../abi/errno.ts";
import type { BpfToken } from "./bpf.ts";
import { CAP } from "./capability.ts";
import { File, O_CLOEXEC, O_RDWR } from "./file.ts";
import type { Kernel } from "./kernel.ts";
import type { Call } from "./syscall.ts";
import type { Task } from "./task.ts";
import { bpf_token_allow_cmd, bpf_token_capable, bpf_token_fops, bpf_token_get_from_fd, bpf_token_put } from "./token.ts";

/** The BPF_F_TOKEN_IGNORE_UNKNOWN_* flags of token_create.flags (patches 01, 07, 14). */
export const BPF_F_TOKEN_IGNORE_UNKNOWN = {
  CMDS: 1 << 0,
  MAP_TYPES: 1 << 1,
  PROG_TYPES: 1 << 2,
  ATTACH_TYPES: 1 << 3,
} as const;

/** BPF_TOKEN_FLAGS_MASK after patch 14. */
export const BPF_TOKEN_FLAGS_MASK = 0xf;

/** The commands a v1 token can delegate (BPF_TOKEN_CMDS_MASK after patch 14). */
const TOKEN_CMDS = ["BPF_TOKEN_CREATE", "BPF_MAP_CREATE", "BPF_BTF_LOAD", "BPF_PROG_LOAD"] as const;

/** The kernel-internal masks the requested sets are validated against and stored through. */
export interface TokenMasks {
  readonly cmds: bigint;
  readonly maps: bigint;
  readonly progs: bigint;
  readonly attachs: bigint;
}

/**
 * BPF_TOKEN_CMDS_MASK, BPF_TOKEN_MAP_TYPES_MASK (UNSPEC excluded),
 * BPF_TOKEN_PROG_TYPES_MASK (UNSPEC excluded) and BPF_TOKEN_ATTACH_TYPES_MASK
 * (bit 0, CGROUP_INET_INGRESS, included), computed from the profile's enums so
 * that they follow the tables rather than hand-copied numbers.
 */
export function bpf_token_v1_masks(kernel: Kernel): TokenMasks {
  const cmdEnum = kernel.tables.enums["bpf_cmd"];
  let cmds = 0n;
  for (const name of TOKEN_CMDS) {
    const v = cmdEnum?.values.find((e) => e.name === name)?.value;
    if (v === undefined) throw new Error(`ABI ${kernel.abi} has no ${name}`);
    cmds |= 1n << BigInt(v);
  }
  const below = (enumName: string, sentinel: string): bigint => (1n << BigInt(sentinelOf(kernel, enumName, sentinel))) - 1n;
  return {
    cmds,
    maps: below("bpf_map_type", "__MAX_BPF_MAP_TYPE") & ~1n,
    progs: below("bpf_prog_type", "__MAX_BPF_PROG_TYPE") & ~1n,
    attachs: below("bpf_attach_type", "__MAX_BPF_ATTACH_TYPE"),
  };
}

/** A __MAX_BPF_*_TYPE sentinel from the profile's enum (the v1 series added the map and prog ones). */
function sentinelOf(kernel: Kernel, enumName: string, sentinel: string): number {
  const v = kernel.tables.enums[enumName]?.values.find((e) => e.name === sentinel)?.value;
  if (v === undefined) throw new Error(`ABI ${kernel.abi}: enum ${enumName} has no ${sentinel}`);
  return v;
}

const hex = (v: bigint): string => `0x${v.toString(16)}`;

/** bpf_token_alloc(): a zeroed token holding one reference. */
function bpf_token_alloc(): BpfToken {
  return { kind: "token", userns: null, allowed_cmds: 0n, allowed_maps: 0n, allowed_progs: 0n, allowed_attachs: 0n, refcnt: 1 };
}

/**
 * bpf_token_new_fd() of the v1 series: anon_inode_getfd("bpf-token",
 * &bpf_token_fops, token, O_CLOEXEC). The file is O_RDWR (its dummy read and
 * write handlers exist only so that both FMODE_CAN_* bits get set). The
 * caller's token reference moves into the file; on failure the caller still
 * owns it. Also used by BPF_OBJ_GET of a pinned token.
 */
export function bpf_token_new_fd_v1(t: Task, tok: BpfToken): number {
  return t.files.install(new File(bpf_token_fops, tok, O_RDWR | O_CLOEXEC));
}

/**
 * Hook for kernel/bpf/inode.c (src/kernel/inode_ops.ts): in the v1 ABI
 * bpf_fd_probe_obj() tries a token after prog, map and link, so BPF_OBJ_PIN
 * accepts token fds, and BPF_OBJ_GET of a pinned token returns a new token fd
 * (bpf_token_new_fd_v1) when the requested mode is O_RDWR, -EINVAL otherwise.
 * Upstream tokens cannot be pinned.
 */
export function bpf_token_v1_pinnable(kernel: Kernel): boolean {
  return kernel.abi === "rfc-v1";
}

/**
 * token_create() after CHECK_ATTR(BPF_TOKEN_CREATE) (which the caller has
 * done): the flags, the optional parent token, the unknown-bit checks, the
 * privilege check, the subset checks against the parent, then the new fd.
 */
export function bpf_token_create_v1(c: Call): number {
  const { t, attr } = c;
  const flags = attr.u32("token_create.flags");
  if (flags & ~BPF_TOKEN_FLAGS_MASK)
    return t.fail(-EINVAL, `token_create.flags 0x${flags.toString(16)} has bits outside BPF_TOKEN_FLAGS_MASK (0xf)`);

  // A parent token that does not delegate BPF_TOKEN_CREATE is dropped: the
  // checks below then fall back to the caller's own capabilities.
  let parent: BpfToken | null = null;
  let parentNote = "";
  const token_fd = attr.u32("token_create.token_fd");
  if (token_fd !== 0) {
    const r = bpf_token_get_from_fd(t, token_fd, "token_create.token_fd");
    if (typeof r === "number") return r;
    parent = r;
    if (!bpf_token_allow_cmd(parent, cmdValue(t, "BPF_TOKEN_CREATE"))) {
      bpf_token_put(parent);
      parent = null;
      parentNote = ` (token_fd ${token_fd} does not allow BPF_TOKEN_CREATE, so it was ignored)`;
    }
  }
  try {
    return create(c, flags, parent, parentNote);
  } finally {
    bpf_token_put(parent);
  }
}

function cmdValue(t: Task, name: string): number {
  const v = t.kernel.tables.enums["bpf_cmd"]?.values.find((e) => e.name === name)?.value;
  if (v === undefined) throw new Error(`ABI ${t.kernel.abi} has no ${name}`);
  return v;
}

function create(c: Call, flags: number, parent: BpfToken | null, parentNote: string): number {
  const { t, attr } = c;
  const masks = bpf_token_v1_masks(t.kernel);
  const cmds = attr.u64("token_create.allowed_cmds");
  const maps = attr.u64("token_create.allowed_map_types");
  const progs = attr.u64("token_create.allowed_prog_types");
  const attachs = attr.u64("token_create.allowed_attach_types");

  // Unknown bits: -ENOTSUPP unless the matching IGNORE flag is set. These run
  // before the privilege check, so an unprivileged caller sees them first.
  const sets = [
    [cmds, masks.cmds, BPF_F_TOKEN_IGNORE_UNKNOWN.CMDS, "allowed_cmds", "BPF_TOKEN_CMDS_MASK", "IGNORE_UNKNOWN_CMDS"],
    [maps, masks.maps, BPF_F_TOKEN_IGNORE_UNKNOWN.MAP_TYPES, "allowed_map_types", "BPF_TOKEN_MAP_TYPES_MASK", "IGNORE_UNKNOWN_MAP_TYPES"],
    [progs, masks.progs, BPF_F_TOKEN_IGNORE_UNKNOWN.PROG_TYPES, "allowed_prog_types", "BPF_TOKEN_PROG_TYPES_MASK", "IGNORE_UNKNOWN_PROG_TYPES"],
    [attachs, masks.attachs, BPF_F_TOKEN_IGNORE_UNKNOWN.ATTACH_TYPES, "allowed_attach_types", "BPF_TOKEN_ATTACH_TYPES_MASK", "IGNORE_UNKNOWN_ATTACH_TYPES"],
  ] as const;
  for (const [v, mask, flag, field, maskName, flagName] of sets) {
    if (!(flags & flag) && v & ~mask)
      return t.fail(-ENOTSUPP, `token_create.${field} ${hex(v)} has bits ${hex(v & ~mask)} outside ${maskName} (${hex(mask)}) and BPF_F_TOKEN_${flagName} is not set`);
  }

  if (!bpf_token_capable(t, parent, CAP.SYS_ADMIN))
    return t.fail(-EPERM, `creating a token needs CAP_SYS_ADMIN or a token_fd that allows BPF_TOKEN_CREATE${parentNote}`);

  // A derived token cannot widen its parent. The raw request is compared with
  // the parent's stored (masked) sets, so bits an IGNORE flag let through make
  // the subset check fail.
  if (parent !== null) {
    if ((parent.allowed_cmds & cmds) !== cmds)
      return t.fail(-EPERM, `token_create.allowed_cmds ${hex(cmds)} is not a subset of the parent token's ${hex(parent.allowed_cmds)}`);
    if ((parent.allowed_maps & maps) !== maps)
      return t.fail(-EPERM, `token_create.allowed_map_types ${hex(maps)} is not a subset of the parent token's ${hex(parent.allowed_maps)}`);
    if ((parent.allowed_progs & progs) !== progs || (parent.allowed_attachs & attachs) !== attachs)
      return t.fail(
        -EPERM,
        `token_create.allowed_prog_types ${hex(progs)} / allowed_attach_types ${hex(attachs)} are not subsets of the parent token's ${hex(parent.allowed_progs)} / ${hex(parent.allowed_attachs)}`,
      );
  }

  const tok = bpf_token_alloc();
  tok.allowed_cmds = cmds & masks.cmds;
  tok.allowed_maps = maps & masks.maps;
  tok.allowed_progs = progs & masks.progs;
  tok.allowed_attachs = attachs & masks.attachs;

  const fd = bpf_token_new_fd_v1(t, tok);
  if (fd < 0) {
    bpf_token_put(tok);
    return t.fail(fd, "no free fd for the token");
  }
  return fd;
}

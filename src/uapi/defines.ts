// SPDX-License-Identifier: GPL-2.0-only
// Flags that include/uapi/linux/bpf.h declares with #define, so BTF cannot
// carry them. Everything else comes from the generated tables; `BPF_F` here
// is the union of both, under names with "BPF_F_" stripped.

import { BPF_F as BPF_F_ENUMS } from "./gen/consts-6.18.ts";

/** prog_flags of BPF_PROG_LOAD */
export const BPF_F_PROG = {
  STRICT_ALIGNMENT: 1 << 0,
  ANY_ALIGNMENT: 1 << 1,
  TEST_RND_HI32: 1 << 2,
  TEST_STATE_FREQ: 1 << 3,
  SLEEPABLE: 1 << 4,
  XDP_HAS_FRAGS: 1 << 5,
  XDP_DEV_BOUND_ONLY: 1 << 6,
  TEST_REG_INVARIANTS: 1 << 7,
} as const;

/** attach_flags of BPF_PROG_ATTACH (BPF_F_LINK is the map-flag enum value) */
export const BPF_F_ATTACH = {
  ALLOW_OVERRIDE: 1 << 0,
  ALLOW_MULTI: 1 << 1,
  REPLACE: 1 << 2,
  BEFORE: 1 << 3,
  AFTER: 1 << 4,
  ID: 1 << 5,
  PREORDER: 1 << 6,
} as const;

/** query_flags of BPF_PROG_QUERY */
export const BPF_F_QUERY = { QUERY_EFFECTIVE: 1 << 0 } as const;

/** flags of BPF_PROG_TEST_RUN */
export const BPF_F_TEST = {
  TEST_RUN_ON_CPU: 1 << 0,
  TEST_XDP_LIVE_FRAMES: 1 << 1,
  TEST_SKB_CHECKSUM_COMPLETE: 1 << 2,
} as const;

/** token_create.flags of the original (v1, June 2023) token series */
export const BPF_F_TOKEN_V1 = {
  TOKEN_IGNORE_UNKNOWN_CMDS: 1 << 0,
  TOKEN_IGNORE_UNKNOWN_MAP_TYPES: 1 << 1,
  TOKEN_IGNORE_UNKNOWN_PROG_TYPES: 1 << 2,
  TOKEN_IGNORE_UNKNOWN_ATTACH_TYPES: 1 << 3,
} as const;

export const BPF_F = {
  ...BPF_F_ENUMS,
  ...BPF_F_PROG,
  ...BPF_F_ATTACH,
  ...BPF_F_QUERY,
  ...BPF_F_TEST,
  ...BPF_F_TOKEN_V1,
} as const;

export const BPF_STATS_RUN_TIME = 0;

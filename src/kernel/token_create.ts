// SPDX-License-Identifier: GPL-2.0-only
// BPF_TOKEN_CREATE: bpf_token_create() of kernel/bpf/token.c (upstream,
// from a delegated bpffs). The v1 series' variant is in token_v1.ts.

import { EBADF, EINVAL } from "../abi/errno.ts";
import type { Call } from "./syscall.ts";

/** Upstream bpf_token_create(), after CHECK_ATTR and the flags check. */
export function bpf_token_create(c: Call): number {
  const { t, attr } = c;
  const ufd = attr.u32("token_create.bpffs_fd");
  const f = t.files.get(ufd);
  if (f === undefined) return t.fail(-EBADF, `token_create.bpffs_fd ${ufd} is not open`);
  return t.fail(-EINVAL, `token_create.bpffs_fd ${ufd} is not the root of a BPF filesystem`);
}

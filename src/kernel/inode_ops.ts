// SPDX-License-Identifier: GPL-2.0-only
// BPF_OBJ_PIN and BPF_OBJ_GET (kernel/bpf/inode.c: bpf_obj_pin_user,
// bpf_obj_get_user) over the VFS of inode.ts.

import { EINVAL, ENOENT } from "../abi/errno.ts";
import type { Call } from "./syscall.ts";
import { bpf_map_fops } from "./maps.ts";

/** bpf_obj_pin_user(): bpf_fd_probe_obj tries map, prog, link; anything else (even a closed fd) is -EINVAL. */
export function bpf_obj_pin_user(c: Call): number {
  const { t, attr } = c;
  const ufd = attr.u32("bpf_fd");
  const f = t.files.get(ufd);
  if (f === undefined || f.f_op !== bpf_map_fops) return t.fail(-EINVAL, `bpf_fd ${ufd} is not a map, program or link (OBJ_PIN answers EINVAL even for a closed fd)`);
  return t.fail(-EINVAL, "pinning is not emulated yet");
}

/** bpf_obj_get_user() */
export function bpf_obj_get_user(c: Call, _f_flags: number): number {
  return c.t.fail(-ENOENT, "bpffs lookups are not emulated yet");
}

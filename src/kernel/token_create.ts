// SPDX-License-Identifier: GPL-2.0-only
// BPF_TOKEN_CREATE: bpf_token_create() of kernel/bpf/token.c (upstream,
// from the root of a delegated bpffs). The v1 series' variant (explicit
// masks) lives in token_v1.ts, which syscall.ts calls for the rfc-v1 ABI.

import { EBADF, EINVAL, EMFILE, ENOENT, EOPNOTSUPP, EPERM } from "../abi/errno.ts";
import type { BpfToken } from "./bpf.ts";
import { CAP } from "./capability.ts";
import { File, O_CLOEXEC, O_RDWR } from "./file.ts";
import { MAY_ACCESS, describeInode, fdget, fdgetRaw, filePath, inode_permission } from "./namei.ts";
import type { Call } from "./syscall.ts";
import { bpf_token_fops } from "./token.ts";

/**
 * Upstream bpf_token_create(), after CHECK_ATTR and the flags check, in the
 * order of docs/bpf-token-abis.md §3.1: the fd, that it is the root of its
 * superblock, that the superblock is bpffs, path_permission(MAY_ACCESS),
 * that the caller lives in the filesystem's user namespace and has CAP_BPF
 * there, that this is not the initial namespace, and that something is
 * delegated at all.
 */
export function bpf_token_create(c: Call): number {
  const { t, attr } = c;
  const ufd = attr.u32("token_create.bpffs_fd");
  // CLASS(fd): O_PATH files (such as fsmount()'s mount fd) are not found.
  const f = fdget(t, ufd);
  if (f === undefined) return t.fail(-EBADF, `token_create.bpffs_fd ${ufd} is not open${fdgetRaw(t, ufd) ? " (an O_PATH fd does not count)" : ""}`);
  const path = filePath(f);
  if (path === undefined || path.inode !== path.mnt.sb.root)
    return t.fail(-EINVAL, `token_create.bpffs_fd ${ufd} is not the root of a filesystem (${path === undefined ? f.f_op.name : describeInode(path.inode)})`);
  const sb = path.mnt.sb;
  if (sb.fstype !== "bpf") return t.fail(-EINVAL, `token_create.bpffs_fd ${ufd} is the root of a ${sb.fstype}, not of a BPF filesystem`);
  const err = inode_permission(t, path.inode, MAY_ACCESS);
  if (err) return t.fail(err, `token_create.bpffs_fd ${ufd}: path_permission(MAY_ACCESS) failed`);
  const userns = sb.s_user_ns;
  if (t.cred.userNs !== userns) return t.fail(-EPERM, "token_create: the caller is not in the user namespace the BPF filesystem belongs to");
  if (!t.ns_capable(userns, CAP.BPF)) return t.fail(-EPERM, "token_create: the caller lacks CAP_BPF in the BPF filesystem's user namespace");
  if (userns.parent === null) return t.fail(-EOPNOTSUPP, "token_create: tokens cannot be created in the initial user namespace");
  if (sb.delegate_cmds === 0n && sb.delegate_maps === 0n && sb.delegate_progs === 0n && sb.delegate_attachs === 0n)
    return t.fail(-ENOENT, "token_create: the BPF filesystem delegates nothing (no delegate_* mount option set)");
  const token: BpfToken = {
    kind: "token",
    userns,
    allowed_cmds: sb.delegate_cmds,
    allowed_maps: sb.delegate_maps,
    allowed_progs: sb.delegate_progs,
    allowed_attachs: sb.delegate_attachs,
    refcnt: 1,
  };
  // alloc_file_pseudo(..., "bpf-token", O_RDWR, &bpf_token_fops), installed with O_CLOEXEC.
  const fd = t.files.install(new File(bpf_token_fops, token, O_RDWR | O_CLOEXEC));
  if (fd < 0) return t.fail(-EMFILE, "token_create: no free fd below RLIMIT_NOFILE");
  return fd;
}

void EINVAL;

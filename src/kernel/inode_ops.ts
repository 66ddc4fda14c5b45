// SPDX-License-Identifier: GPL-2.0-only
// BPF_OBJ_PIN and BPF_OBJ_GET (kernel/bpf/inode.c: bpf_obj_pin_user,
// bpf_obj_do_pin, bpf_obj_get_user, bpf_obj_do_get) over the VFS of
// inode.ts and namei.ts. A pin holds a reference on its object (a user
// reference for maps) until the file is unlinked.

import { EACCES, EINVAL, EMFILE, ENOENT, EPERM } from "../abi/errno.ts";
import { BPF_F } from "../uapi/defines.ts";
import type { BpfMap, BpfToken } from "./bpf.ts";
import { File, O_CLOEXEC, O_RDWR, type FileOperations } from "./file.ts";
import { S_IFREG, type BpfObjKind } from "./inode.ts";
import { bpf_map_fops, bpf_map_put_with_uref } from "./maps.ts";
import { AT_FDCWD, ACC_MODE, describeInode, fdget, filenameCreate, getnameUser, inode_permission, pathLookup, vfsMkobj } from "./namei.ts";
import { bpf_link_fops, bpf_prog_fops } from "./objects.ts";
import type { Call } from "./syscall.ts";
import type { Task } from "./task.ts";
import { bpf_token_fops, bpf_token_put } from "./token.ts";
import { bpf_token_new_fd_v1, bpf_token_v1_pinnable } from "./token_v1.ts";

/** An object with a reference count, as progs and links are modelled so far. */
interface Counted {
  refcnt?: number;
}

interface Probed {
  readonly kind: BpfObjKind;
  readonly ref: unknown;
  /** bpf_any_put() for this object. */
  readonly put: () => void;
}

/** bpf_any_get(): takes the reference a pin or a new fd holds. */
function bpf_any_get(kind: BpfObjKind, ref: unknown): Probed {
  switch (kind) {
    case "map": {
      const map = ref as BpfMap;
      // bpf_map_inc_with_uref()
      map.refcnt++;
      map.usercnt++;
      return { kind, ref, put: () => bpf_map_put_with_uref(map) };
    }
    case "token": {
      const tok = ref as BpfToken;
      tok.refcnt++;
      return { kind, ref, put: () => bpf_token_put(tok) };
    }
    default: {
      const o = ref as Counted;
      if (typeof o.refcnt === "number") o.refcnt++;
      return {
        kind,
        ref,
        put: () => {
          if (typeof o.refcnt === "number") o.refcnt--;
        },
      };
    }
  }
}

/**
 * bpf_fd_probe_obj(): a map (with a user reference), else a program, else a
 * link; anything else, a closed fd included, is -EINVAL. The v1 token
 * series also accepted tokens here.
 */
function bpf_fd_probe_obj(t: Task, ufd: number): Probed | number {
  const f = fdget(t, ufd);
  if (f !== undefined) {
    if (f.f_op === bpf_map_fops) return bpf_any_get("map", f.private_data);
    if (f.f_op === bpf_prog_fops) return bpf_any_get("prog", f.private_data);
    if (f.f_op === bpf_link_fops) return bpf_any_get("link", f.private_data);
    if (f.f_op === bpf_token_fops && bpf_token_v1_pinnable(t.kernel)) return bpf_any_get("token", f.private_data);
  }
  const what = f === undefined ? "is not open" : `is ${f.f_op.name}`;
  return t.fail(-EINVAL, `bpf_fd ${ufd} ${what}: only maps, programs and links can be pinned (OBJ_PIN answers EINVAL even for a closed fd)`);
}

/** The dirfd paths are relative to: path_fd with BPF_F_PATH_FD, else AT_FDCWD. */
function pathFdOf(c: Call): number {
  return c.attr.u32("file_flags") & BPF_F.PATH_FD ? c.attr.s32("path_fd") : AT_FDCWD;
}

/** bpf_obj_pin_user(): probe the object first, then create the file (bpf_obj_do_pin). */
export function bpf_obj_pin_user(c: Call): number {
  const { t, attr } = c;
  const obj = bpf_fd_probe_obj(t, attr.u32("bpf_fd"));
  if (typeof obj === "number") return obj;
  const err = bpf_obj_do_pin(t, pathFdOf(c), attr.u64("pathname"), obj);
  if (err) obj.put();
  return err;
}

function bpf_obj_do_pin(t: Task, dfd: number, upath: bigint, obj: Probed): number {
  const what = "OBJ_PIN";
  const name = getnameUser(t, upath, `${what} pathname`);
  if (typeof name === "number") return name;
  const at = filenameCreate(t, dfd, name, false, what);
  if (typeof at === "number") return at;
  if (at.dir.inode.sb.fstype !== "bpf") return t.fail(-EPERM, `${what}: the parent directory ${describeInode(at.dir.inode)} is not in a BPF filesystem`);
  // S_IFREG | ((S_IRUSR | S_IWUSR) & ~current_umask())
  const mode = S_IFREG | (0o600 & ~t.fs.umask);
  return vfsMkobj(t, at, mode, obj, what);
}

/** The fd a gotten object comes back as (bpf_map_new_fd, bpf_prog_new_fd, bpf_link_new_fd). */
function newFdFor(t: Task, obj: Probed, f_flags: number): number {
  let fops: FileOperations;
  let flags: number;
  switch (obj.kind) {
    case "map":
      fops = bpf_map_fops;
      flags = f_flags | O_CLOEXEC;
      break;
    case "prog":
      // Programs always come back read-write, whatever the flags asked.
      fops = bpf_prog_fops;
      flags = O_RDWR | O_CLOEXEC;
      break;
    case "link":
      fops = bpf_link_fops;
      flags = O_CLOEXEC;
      break;
    case "token": {
      const fd = bpf_token_new_fd_v1(t, obj.ref as BpfToken);
      return fd < 0 ? t.fail(-EMFILE, "OBJ_GET: no free fd below RLIMIT_NOFILE") : fd;
    }
  }
  const fd = t.files.install(new File(fops, obj.ref, flags));
  if (fd < 0) return t.fail(-EMFILE, "OBJ_GET: no free fd below RLIMIT_NOFILE");
  return fd;
}

/** bpf_obj_get_user(): look the path up, check access for the requested mode, hand out a new fd. */
export function bpf_obj_get_user(c: Call, f_flags: number): number {
  const { t, attr } = c;
  const what = "OBJ_GET";
  const name = getnameUser(t, attr.u64("pathname"), `${what} pathname`);
  if (typeof name === "number") return name;
  const p = pathLookup(t, pathFdOf(c), name, what);
  if (typeof p === "number") return p;
  const inode = p.inode;
  // path_permission(&path, ACC_MODE(f_flags))
  const mask = ACC_MODE(f_flags);
  const perr = inode_permission(t, inode, mask);
  if (perr) return t.fail(perr, `${what}: no ${f_flags === 0 ? "read" : f_flags === 1 ? "write" : "read+write"} permission on ${describeInode(inode)} (mode ${(inode.mode & 0o7777).toString(8).padStart(4, "0")}, uid ${inode.uid})`);
  // bpf_inode_type(): only inodes made by a pin are BPF objects.
  if (inode.obj === null || inode.sb.fstype !== "bpf") return t.fail(-EACCES, `${what}: ${describeInode(inode)} is not a pinned BPF object`);
  if (inode.preload) return t.fail(-ENOENT, `${what}: bpf_preload's iterator link ${describeInode(inode)} cannot be opened (ENOENT on 6.18)`);
  const obj = bpf_any_get(inode.obj.kind, inode.obj.ref);
  if ((obj.kind === "link" || obj.kind === "token") && f_flags !== O_RDWR) {
    obj.put();
    return t.fail(-EINVAL, `${what}: a pinned ${obj.kind} can only be opened read-write (no BPF_F_RDONLY/BPF_F_WRONLY)`);
  }
  const fd = newFdFor(t, obj, f_flags);
  if (fd < 0) obj.put();
  return fd;
}

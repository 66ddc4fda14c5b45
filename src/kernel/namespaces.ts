// SPDX-License-Identifier: GPL-2.0-only
// User and mount namespaces, the new mount API for bpffs (fs/fsopen.c,
// fs/namespace.c: fsopen, fsconfig, fsmount, fspick, move_mount), fd
// passing between tasks, and the delegated-bpffs environment that
// spawn({ userns: "new", bpffs }) builds the way the upstream token
// selftests do (fsopen in the child's user namespace, fsconfig and fsmount
// by a privileged parent, move_mount and openat(mnt_fd, ".") by the child).

import { EBADF, EBUSY, EINVAL, EMFILE, ENODEV, ENOTDIR, EOPNOTSUPP, EPERM } from "../abi/errno.ts";
import { CAP, CAP_FULL_SET, type UserNamespace } from "./capability.ts";
import { File, O_CLOEXEC, O_PATH, O_RDONLY, O_RDWR, type FileOperations } from "./file.ts";
import {
  Mount,
  S_IALLUGO,
  bpfFillSuper,
  bpfMountOptsInit,
  isDelegateKey,
  parseDelegateValue,
  type BpfMountOpts,
  type Path,
  type SuperBlock,
} from "./inode.ts";
import type { Kernel, SpawnOptions } from "./kernel.ts";
import { AT_FDCWD, fdget, fdgetRaw, filePath, getnameStr, kgidHasMapping, kuidHasMapping, makeKuid, openPath, pathLookup, setIdMaps, type IdExtent } from "./namei.ts";
import type { Task } from "./task.ts";

export const FSOPEN_CLOEXEC = 0x1;
export const FSMOUNT_CLOEXEC = 0x1;
export const FSPICK_CLOEXEC = 0x1;
export const FSPICK_SYMLINK_NOFOLLOW = 0x2;
export const FSPICK_NO_AUTOMOUNT = 0x4;
export const FSPICK_EMPTY_PATH = 0x8;
export const MOVE_MOUNT_F_EMPTY_PATH = 0x4;
export const MOVE_MOUNT_T_EMPTY_PATH = 0x40;
const MOVE_MOUNT__MASK = 0x377;
/** MOUNT_ATTR_RDONLY | NOSUID | NODEV | NOEXEC | _ATIME | NODIRATIME | IDMAP | NOSYMFOLLOW */
const MOUNT_ATTR__MASK = 0x1 | 0x2 | 0x4 | 0x8 | 0x70 | 0x80 | 0x100000 | 0x200000;

export const FSCONFIG = {
  SET_FLAG: 0,
  SET_STRING: 1,
  SET_BINARY: 2,
  SET_PATH: 3,
  SET_PATH_EMPTY: 4,
  SET_FD: 5,
  CMD_CREATE: 6,
  CMD_RECONFIGURE: 7,
  CMD_CREATE_EXCL: 8,
} as const;

type FsContextPhase = "create-params" | "awaiting-mount" | "reconf-params" | "failed";

/** struct fs_context for a bpffs instance. */
export class FsContext {
  readonly purpose: "mount" | "reconfigure";
  /** fc->user_ns: the namespace the superblock will belong to. */
  readonly user_ns: UserNamespace;
  phase: FsContextPhase;
  readonly opts: BpfMountOpts;
  /** The superblock after CMD_CREATE, or the one being reconfigured. */
  sb: SuperBlock | null;
  source: string | null = null;

  constructor(purpose: "mount" | "reconfigure", userNs: UserNamespace, opts: BpfMountOpts, sb: SuperBlock | null) {
    this.purpose = purpose;
    this.user_ns = userNs;
    this.opts = opts;
    this.sb = sb;
    this.phase = purpose === "mount" ? "create-params" : "reconf-params";
  }
}

export const fscontext_fops: FileOperations = { name: "fscontext" };

/** may_mount(): CAP_SYS_ADMIN in the user namespace owning the caller's mount namespace. */
function may_mount(t: Task): boolean {
  return t.ns_capable(t.mntNs.userNs, CAP.SYS_ADMIN);
}

function installFile(t: Task, f: File, what: string): number {
  const fd = t.files.install(f);
  if (fd < 0) {
    f.put();
    return t.fail(-EMFILE, `${what}: no free fd below RLIMIT_NOFILE`);
  }
  return fd;
}

/** fsopen(fsname, flags) */
export function sys_fsopen(t: Task, fsname: string, flags: number): number {
  if (!may_mount(t)) return t.fail(-EPERM, "fsopen: needs CAP_SYS_ADMIN in the user namespace owning the caller's mount namespace");
  if (flags & ~FSOPEN_CLOEXEC) return t.fail(-EINVAL, `fsopen: flags 0x${flags.toString(16)}: only FSOPEN_CLOEXEC is allowed`);
  if (fsname !== "bpf") return t.fail(-ENODEV, `fsopen: filesystem "${fsname}" is not emulated (only "bpf")`);
  // fs_context_for_mount(): the context belongs to the caller's user namespace.
  const fc = new FsContext("mount", t.cred.userNs, bpfMountOptsInit(t.cred.euid, t.cred.gid), null);
  return installFile(t, new File(fscontext_fops, fc, O_RDWR | (flags & FSOPEN_CLOEXEC ? O_CLOEXEC : 0)), "fsopen");
}

/** fspick(dfd, path, flags): a reconfiguration context for the superblock at the root of a mount. */
export function sys_fspick(t: Task, dfd: number, path: string, flags: number): number {
  if (!may_mount(t)) return t.fail(-EPERM, "fspick: needs CAP_SYS_ADMIN in the user namespace owning the caller's mount namespace");
  if (flags & ~(FSPICK_CLOEXEC | FSPICK_SYMLINK_NOFOLLOW | FSPICK_NO_AUTOMOUNT | FSPICK_EMPTY_PATH)) return t.fail(-EINVAL, `fspick: flags 0x${flags.toString(16)} has unknown bits`);
  const p = resolveMaybeEmpty(t, dfd, path, (flags & FSPICK_EMPTY_PATH) !== 0, "fspick");
  if (typeof p === "number") return p;
  if (p.inode !== p.mnt.sb.root) return t.fail(-EINVAL, "fspick: the path is not the root of a superblock");
  if (p.mnt.sb.fstype !== "bpf") return t.fail(-EOPNOTSUPP, `fspick: reconfiguring ${p.mnt.sb.fstype} is not emulated`);
  const fc = new FsContext("reconfigure", p.mnt.sb.s_user_ns, bpfMountOptsInit(t.cred.euid, t.cred.gid), p.mnt.sb);
  return installFile(t, new File(fscontext_fops, fc, O_RDWR | (flags & FSPICK_CLOEXEC ? O_CLOEXEC : 0)), "fspick");
}

function resolveMaybeEmpty(t: Task, dfd: number, path: string, allowEmpty: boolean, what: string): Path | number {
  if (path === "" && allowEmpty) {
    if (dfd === AT_FDCWD) return t.fs.pwd;
    const f = fdgetRaw(t, dfd);
    if (f === undefined) return t.fail(-EBADF, `${what}: dirfd ${dfd} is not open`);
    const p = filePath(f);
    if (p === undefined) return t.fail(-EINVAL, `${what}: fd ${dfd} (${f.f_op.name}) has no path in this emulator`);
    return p;
  }
  const name = getnameStr(t, path, what);
  if (typeof name === "number") return name;
  return pathLookup(t, dfd, name, what);
}

/** kstrtouint(s, base) for the uid/gid/mode options (fs_param_is_u32). */
function kstrtouint(s: string, base: 0 | 8): number | undefined {
  let p = s.startsWith("+") ? s.slice(1) : s;
  let b = base === 0 ? 10 : 8;
  if (base === 0 && /^0[xX][0-9a-fA-F]/.test(p)) {
    b = 16;
    p = p.slice(2);
  } else if (base === 0 && p.startsWith("0")) b = 8;
  if (p.endsWith("\n")) p = p.slice(0, -1);
  const re = b === 16 ? /^[0-9a-fA-F]+$/ : b === 8 ? /^[0-7]+$/ : /^[0-9]+$/;
  if (!re.test(p)) return undefined;
  const v = parseInt(p, b);
  return v > 0xffffffff ? undefined : v;
}

/** vfs_parse_fs_param() → bpf_parse_param() for one key (value null for SET_FLAG). */
function bpf_parse_param(t: Task, fc: FsContext, key: string, value: string | null): number {
  // vfs_parse_sb_flag(): the generic superblock flags are taken before the filesystem sees anything.
  if (["dirsync", "lazytime", "mand", "ro", "sync", "async", "nolazytime", "nomand", "rw"].includes(key)) return 0;
  const known = key === "uid" || key === "gid" || key === "mode" || isDelegateKey(key);
  if (!known) {
    // fs_parse() → -ENOPARAM → vfs_parse_fs_param_source(); bpffs ignores every other unknown option.
    if (key === "source") {
      if (value === null) return t.fail(-EINVAL, "fsconfig: \"source\" must be a string");
      if (fc.source !== null) return t.fail(-EINVAL, "fsconfig: multiple sources");
      fc.source = value;
    }
    return 0;
  }
  if (value === null) return t.fail(-EINVAL, `fsconfig: "${key}" needs a string value, not a flag`);
  if (key === "uid" || key === "gid") {
    const v = kstrtouint(value, 0);
    if (v === undefined) return t.fail(-EINVAL, `fsconfig: bad value for '${key}'`);
    // make_kuid(current_user_ns()), which must also be representable in the filesystem's namespace.
    const k = makeKuid(t.cred.userNs, v, key);
    const has = key === "uid" ? kuidHasMapping : kgidHasMapping;
    if (k < 0 || !has(fc.user_ns, k)) return t.fail(-EINVAL, `fsconfig: bad value for '${key}': ${v} has no mapping in the filesystem's user namespace`);
    if (key === "uid") fc.opts.uid = k;
    else fc.opts.gid = k;
    return 0;
  }
  if (key === "mode") {
    const v = kstrtouint(value, 8);
    if (v === undefined) return t.fail(-EINVAL, "fsconfig: bad value for 'mode'");
    fc.opts.mode = v & S_IALLUGO;
    return 0;
  }
  if (!isDelegateKey(key)) return 0;
  const msk = parseDelegateValue(t.kernel.tables, key, value);
  if (typeof msk === "number") return t.fail(msk, `fsconfig: ${key}="${value}": an item is neither "any", a known enum name nor a number kstrtou64 accepts`);
  // Setting delegation needs CAP_SYS_ADMIN in the initial user namespace.
  if (msk !== 0n && !t.capable(CAP.SYS_ADMIN)) return t.fail(-EPERM, `fsconfig: ${key} needs CAP_SYS_ADMIN in the initial user namespace`);
  fc.opts[key] |= msk;
  return 0;
}

/** fsconfig(fd, cmd, key, value, aux): value is a string for SET_STRING, null otherwise. */
export function sys_fsconfig(t: Task, fd: number, cmd: number, key: string | null, value: string | null, aux: number): number {
  switch (cmd) {
    case FSCONFIG.SET_FLAG:
      if (key === null || value !== null || aux) return t.fail(-EINVAL, "fsconfig: SET_FLAG takes a key and no value or aux");
      break;
    case FSCONFIG.SET_STRING:
      if (key === null || value === null || aux) return t.fail(-EINVAL, "fsconfig: SET_STRING takes a key and a value, no aux");
      break;
    case FSCONFIG.CMD_CREATE:
    case FSCONFIG.CMD_CREATE_EXCL:
    case FSCONFIG.CMD_RECONFIGURE:
      if (key !== null || value !== null || aux) return t.fail(-EINVAL, "fsconfig: commands take no key, value or aux");
      break;
    case FSCONFIG.SET_BINARY:
    case FSCONFIG.SET_PATH:
    case FSCONFIG.SET_PATH_EMPTY:
    case FSCONFIG.SET_FD:
      return t.fail(-EOPNOTSUPP, `fsconfig: cmd ${cmd} is not emulated`);
    default:
      return t.fail(-EOPNOTSUPP, `fsconfig: unknown cmd ${cmd}`);
  }
  const f = fdget(t, fd);
  if (f === undefined) return t.fail(-EBADF, `fsconfig: fd ${fd} is not open`);
  if (f.f_op !== fscontext_fops) return t.fail(-EINVAL, `fsconfig: fd ${fd} is not a filesystem context (${f.f_op.name})`);
  const fc = f.private_data as FsContext;
  if (cmd === FSCONFIG.CMD_CREATE || cmd === FSCONFIG.CMD_CREATE_EXCL) {
    if (fc.phase !== "create-params") return t.fail(-EBUSY, `fsconfig: CMD_CREATE in phase ${fc.phase}`);
    // mount_capable(): bpffs is FS_USERNS_MOUNT, so CAP_SYS_ADMIN in the context's namespace.
    if (!t.ns_capable(fc.user_ns, CAP.SYS_ADMIN)) return t.fail(-EPERM, "fsconfig: CMD_CREATE needs CAP_SYS_ADMIN in the context's user namespace");
    // bpf_fill_super(): an instance for a non-initial namespace needs CAP_SYS_ADMIN in the initial one.
    if (fc.user_ns.parent !== null && !t.capable(CAP.SYS_ADMIN)) {
      fc.phase = "failed";
      return t.fail(-EPERM, "fsconfig: CMD_CREATE of a bpffs for a non-initial user namespace needs CAP_SYS_ADMIN in the initial user namespace");
    }
    fc.sb = bpfFillSuper(fc.user_ns, fc.opts, t.cred.euid, t.cred.gid);
    fc.phase = "awaiting-mount";
    return 0;
  }
  if (cmd === FSCONFIG.CMD_RECONFIGURE) {
    if (fc.phase !== "reconf-params") return t.fail(-EBUSY, `fsconfig: CMD_RECONFIGURE in phase ${fc.phase}`);
    if (!t.ns_capable(fc.sb!.s_user_ns, CAP.SYS_ADMIN)) return t.fail(-EPERM, "fsconfig: CMD_RECONFIGURE needs CAP_SYS_ADMIN in the superblock's user namespace");
    // bpffs has no ->reconfigure: nothing of the new options reaches the superblock.
    return 0;
  }
  if (fc.phase !== "create-params" && fc.phase !== "reconf-params") return t.fail(-EBUSY, `fsconfig: setting "${key}" in phase ${fc.phase}`);
  return bpf_parse_param(t, fc, key!, cmd === FSCONFIG.SET_STRING ? value : null);
}

/** fsmount(fs_fd, flags, attr_flags): an O_PATH fd on the root of a new detached mount. */
export function sys_fsmount(t: Task, fsfd: number, flags: number, attrFlags: number): number {
  if (!may_mount(t)) return t.fail(-EPERM, "fsmount: needs CAP_SYS_ADMIN in the user namespace owning the caller's mount namespace");
  if (flags & ~FSMOUNT_CLOEXEC) return t.fail(-EINVAL, `fsmount: flags 0x${flags.toString(16)}: only FSMOUNT_CLOEXEC is allowed`);
  if (attrFlags & ~MOUNT_ATTR__MASK) return t.fail(-EINVAL, `fsmount: attr_flags 0x${attrFlags.toString(16)} has unknown bits`);
  const f = fdget(t, fsfd);
  if (f === undefined) return t.fail(-EBADF, `fsmount: fd ${fsfd} is not open`);
  if (f.f_op !== fscontext_fops) return t.fail(-EINVAL, `fsmount: fd ${fsfd} is not a filesystem context (${f.f_op.name})`);
  const fc = f.private_data as FsContext;
  // A context without a superblock (never created, or its creation failed) is -EINVAL before the phase check.
  if (fc.sb === null) return t.fail(-EINVAL, "fsmount: the context has no superblock (FSCONFIG_CMD_CREATE has not succeeded)");
  if (fc.phase !== "awaiting-mount") return t.fail(-EBUSY, `fsmount: the context is in phase ${fc.phase}, not awaiting a mount`);
  const mnt = new Mount(fc.sb, fc.sb.root, null);
  return installFile(t, openPath({ mnt, inode: mnt.root }, O_PATH | (flags & FSMOUNT_CLOEXEC ? O_CLOEXEC : 0)), "fsmount");
}

/** move_mount(from_dfd, from_path, to_dfd, to_path, flags): attaches a mount (detached or ours) at a path. */
export function sys_move_mount(t: Task, fromDfd: number, fromPath: string, toDfd: number, toPath: string, flags: number): number {
  if (!may_mount(t)) return t.fail(-EPERM, "move_mount: needs CAP_SYS_ADMIN in the user namespace owning the caller's mount namespace");
  if (flags & ~MOVE_MOUNT__MASK) return t.fail(-EINVAL, `move_mount: flags 0x${flags.toString(16)} has unknown bits`);
  const from = resolveMaybeEmpty(t, fromDfd, fromPath, (flags & MOVE_MOUNT_F_EMPTY_PATH) !== 0, "move_mount(from)");
  if (typeof from === "number") return from;
  const to = resolveMaybeEmpty(t, toDfd, toPath, (flags & MOVE_MOUNT_T_EMPTY_PATH) !== 0, "move_mount(to)");
  if (typeof to === "number") return to;
  const mnt = from.mnt;
  if (mnt.ns !== null && mnt.ns !== t.mntNs) return t.fail(-EINVAL, "move_mount: the source mount is in another mount namespace");
  if (from.inode !== mnt.root) return t.fail(-EINVAL, "move_mount: the source is not the root of its mount");
  if (to.mnt.ns !== t.mntNs) return t.fail(-EINVAL, "move_mount: the target is not in the caller's mount namespace");
  if (mnt === t.mntNs.root) return t.fail(-EINVAL, "move_mount: cannot move the namespace root");
  if (!to.inode.isDir() && mnt.root.isDir()) return t.fail(-ENOTDIR, "move_mount: a directory mount needs a directory target");
  if (mnt.ns === t.mntNs) t.mntNs.mounts.splice(t.mntNs.mounts.indexOf(mnt), 1);
  t.mntNs.attach(mnt, to);
  return 0;
}

/** unshare(CLONE_NEWUSER) plus the parent writing the id maps (default "0 <euid> 1", "0 <gid> 1"). */
export function unshareUserns(t: Task, uidMap?: readonly IdExtent[], gidMap?: readonly IdExtent[]): number {
  const ns = t.kernel.newUserNs(t.cred.userNs, t.cred.euid);
  setIdMaps(ns, uidMap ?? [{ first: 0, lowerFirst: t.cred.euid, count: 1 }], gidMap ?? [{ first: 0, lowerFirst: t.cred.gid, count: 1 }]);
  // set_cred_user_ns(): the full capability set, valid in the new namespace only.
  t.cred = { ...t.cred, userNs: ns, capEffective: CAP_FULL_SET };
  return 0;
}

/** unshare(CLONE_NEWNS): a copy of the mount tree owned by the caller's user namespace; root and cwd move over. */
export function unshareMountNs(t: Task): number {
  if (!t.ns_capable(t.cred.userNs, CAP.SYS_ADMIN)) return t.fail(-EPERM, "unshare(CLONE_NEWNS): needs CAP_SYS_ADMIN in the caller's user namespace");
  const { ns, map } = t.mntNs.clone(t.cred.userNs);
  const move = (p: Path): Path => ({ mnt: map.get(p.mnt) ?? p.mnt, inode: p.inode });
  t.mntNs = ns;
  t.fs = { root: move(t.fs.root), pwd: move(t.fs.pwd), umask: t.fs.umask };
  return 0;
}

/** SCM_RIGHTS: installs the file behind `fd` in `other` at its lowest free fd. */
export function sendFd(t: Task, fd: number, other: Task): number {
  const f = fdgetRaw(t, fd);
  if (f === undefined) return t.fail(-EBADF, `sendFd: fd ${fd} is not open`);
  const nfd = other.files.install(f.get());
  if (nfd < 0) {
    f.put();
    return t.fail(-EMFILE, "sendFd: the receiver has no free fd");
  }
  return nfd;
}

// ---------------------------------------------------------------------------
// spawn({ userns: "new", bpffs })
// ---------------------------------------------------------------------------

function must(task: Task, r: number, what: string): number {
  if (r < 0) throw new Error(`spawn({userns: "new"}): ${what} failed with ${task.lastError?.name ?? r}: ${task.lastError?.reason ?? ""}`);
  return r;
}

/**
 * The delegated-bpffs environment of the upstream token selftests (and of
 * the live-kernel runner's "userns" env): uid 0 with every capability in a
 * new user namespace (kuid 0 mapped to 0, none in the initial namespace), its
 * own mount namespace, a bpffs whose options a privileged parent set mounted
 * at /sys/fs/bpf, and that bpffs root open as fd 3. Options left out or
 * empty are not set.
 */
export function spawnUserns(kernel: Kernel, opts: SpawnOptions): Task {
  if (opts.caps !== undefined || opts.uid !== undefined || opts.gid !== undefined)
    throw new RangeError("spawn({userns: 'new'}): caps/uid/gid are fixed (uid 0, all capabilities in the new namespace)");
  const parent = kernel.spawn();
  const child = kernel.spawnWith({ ...parent.cred }, kernel.initMntNs);
  child.unshareUserns();
  must(child, child.unshareMountNs(), "unshare(CLONE_NEWNS)");
  const fsfd = must(child, child.fsopen("bpf", 0), "fsopen(bpf)");
  const pfd = must(child, child.sendFd(fsfd, parent), "passing the fs fd");
  child.close(fsfd);
  for (const [k, v] of Object.entries(opts.bpffs ?? {})) {
    if (v === undefined || v === "") continue;
    must(parent, parent.fsconfig(pfd, FSCONFIG.SET_STRING, k, v, 0), `fsconfig ${k}=${v}`);
  }
  must(parent, parent.fsconfig(pfd, FSCONFIG.CMD_CREATE, null, null, 0), "fsconfig FSCONFIG_CMD_CREATE");
  const mfd = must(parent, parent.fsmount(pfd, 0, 0), "fsmount");
  const cm = must(parent, parent.sendFd(mfd, child), "passing the mount fd");
  parent.close(mfd);
  parent.close(pfd);
  must(child, child.move_mount(cm, "", AT_FDCWD, "/sys/fs/bpf", MOVE_MOUNT_F_EMPTY_PATH), "move_mount to /sys/fs/bpf");
  const root = must(child, child.openat(cm, ".", O_RDONLY), "openat(mnt_fd, \".\")");
  child.close(cm);
  // The runner dup2()s the root to fd 3 and closes everything else.
  const f = child.files.get(root)!;
  const three = child.files.install(f.get());
  child.close(root);
  if (three !== 3) throw new Error(`spawn({userns: "new"}): the bpffs root landed on fd ${three}, not 3`);
  child.lastError = null;
  return child;
}


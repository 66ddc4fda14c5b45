// SPDX-License-Identifier: GPL-2.0-only
// A task: credentials, an fd table, an address space and namespaces. Every
// piece of state a bpf() call depends on hangs off an explicit Kernel/Task
// object; nothing lives in module globals.

import { AddressSpace } from "../abi/uaccess.ts";
import { describeThrown, errnoName } from "../abi/errno.ts";
import type { Cred, UserNamespace } from "./capability.ts";
import { capCapable, CAP } from "./capability.ts";
import { FdTable, File, null_fops, O_RDWR } from "./file.ts";
import type { Kernel } from "./kernel.ts";
import type { MountNamespace } from "./inode.ts";
import * as abi from "../abi/sys_bpf.ts";
import { AT_FDCWD, do_mkdirat, do_sys_openat, do_unlinkat, readdir as vfs_readdir, type FsStruct, type IdExtent } from "./namei.ts";
import * as nsops from "./namespaces.ts";
import { capMask } from "./capability.ts";

// abi/sys_bpf.ts's entry as a const of this module: an imported binding is read through the exporting module's cell
// and checked for its temporal dead zone on every call. A function is hoisted, so it is there even while a module
// cycle is still evaluating.
const abiSysBpf = abi.sys_bpf;

export interface LastError {
  readonly errno: number;
  readonly name: string;
  /** Which check failed, naming the field or offset. */
  readonly reason: string;
}

export class Task {
  readonly kernel: Kernel;
  /** sizeof(union bpf_attr) of the kernel's ABI (kernel.tables.attrSize), read by every bpf() call's entry. */
  readonly attrSize: number;
  readonly pid: number;
  cred: Cred;
  readonly files: FdTable;
  readonly memory: AddressSpace;
  mntNs: MountNamespace;
  /** current->fs: root, cwd ("/" of the mount namespace) and umask (022). */
  fs: FsStruct;
  /**
   * The last failing call's errno (0 after a success) and reason. lastError
   * is made from them when someone reads it, and kept while they stay the
   * same, so that a failing call allocates nothing.
   */
  private errNo = 0;
  private errReason = "";
  private errObj: LastError | null = null;

  /** Set by the last failing sys_bpf (or fs call); null after a success. */
  get lastError(): LastError | null {
    if (this.errNo === 0) return null;
    let o = this.errObj;
    if (o === null || o.errno !== this.errNo || o.reason !== this.errReason) {
      o = { errno: this.errNo, name: errnoName(-this.errNo), reason: this.errReason };
      this.errObj = o;
    }
    return o;
  }

  set lastError(e: LastError | null) {
    if (e === null) this.errNo = 0;
    else {
      this.errNo = e.errno;
      this.errReason = e.reason;
      this.errObj = e;
    }
  }
  /** The reason recorded by the check that failed in the current call. */
  private pendingReason: string | null = null;

  constructor(kernel: Kernel, pid: number, cred: Cred, mntNs: MountNamespace) {
    this.kernel = kernel;
    this.attrSize = kernel.tables.attrSize;
    this.pid = pid;
    this.cred = cred;
    this.mntNs = mntNs;
    const root = { mnt: mntNs.root, inode: mntNs.root.root };
    this.fs = { root, pwd: root, umask: 0o022 };
    this.files = new FdTable();
    this.memory = new AddressSpace();
    // fds 0-2: ordinary non-BPF files, as a process started from a shell has.
    for (let i = 0; i < 3; i++) this.files.install(new File(null_fops, null, O_RDWR));
  }

  /** Records why the current call fails and returns `err` (a negative errno) for `return t.fail(...)`. */
  fail(err: number, reason: string): number {
    if (this.pendingReason === null) this.pendingReason = reason;
    return err;
  }

  /** Called by the syscall boundary at the start of each call. */
  beginCall(): void {
    this.pendingReason = null;
  }

  /** Called by the syscall boundary with the final return value. */
  endCall(ret: number, fallback: string): number {
    if (ret < 0) {
      this.errNo = -ret;
      const p = this.pendingReason;
      this.errReason = p === null ? fallback : p;
    } else {
      this.errNo = 0;
    }
    this.pendingReason = null;
    return ret;
  }

  /**
   * endCall() of a bpf() call: the fallback reason ("bpf() returned EINVAL")
   * is looked up only for a failure whose check named nothing (every check
   * names itself, so in practice never); endCall took it on every call.
   */
  endBpfCall(ret: number): number {
    return this.endCall(ret, ret < 0 && this.pendingReason === null ? bpfFallbackReason(ret) : "");
  }

  // --- system calls ---

  /**
   * bpf(cmd, attr, size). The attr is modelled as ending at a page boundary
   * with nothing mapped above it; the kernel's write-backs land in `attr`.
   * Returns an fd, 0 or -errno and never throws; lastError says why.
   */
  sys_bpf(cmd: number, attr: ArrayBuffer | Uint8Array, size: number): number {
    return abiSysBpf(this, cmd, attr, size);
  }

  /** close(fd): 0 or -EBADF. */
  close(fd: number): number {
    this.beginCall();
    const r = this.files.close(fd);
    return this.endCall(r, r < 0 ? `fd ${fd} is not open` : "");
  }

  // --- credentials (security/commoncap.c) ---

  /** capable(cap): the capability in the initial user namespace. */
  capable(cap: number): boolean {
    return capCapable(this.cred, this.kernel.initUserNs, cap);
  }

  /** ns_capable(ns, cap) */
  ns_capable(ns: UserNamespace, cap: number): boolean {
    return capCapable(this.cred, ns, cap);
  }

  /** bpf_capable(): CAP_BPF or CAP_SYS_ADMIN in the init namespace. */
  bpf_capable(): boolean {
    return this.capable(CAP.BPF) || this.capable(CAP.SYS_ADMIN);
  }

  /** bpf_net_capable(): CAP_NET_ADMIN or CAP_SYS_ADMIN in the init namespace. */
  bpf_net_capable(): boolean {
    return this.capable(CAP.NET_ADMIN) || this.capable(CAP.SYS_ADMIN);
  }

  /** perfmon_capable(): CAP_PERFMON or CAP_SYS_ADMIN in the init namespace. */
  perfmon_capable(): boolean {
    return this.capable(CAP.PERFMON) || this.capable(CAP.SYS_ADMIN);
  }

  /** Replaces the effective capability set (capset), valid in the task's own user namespace. Accepts a mask or names ("CAP_BPF", "bpf") / numbers. */
  setCaps(caps: bigint | readonly (string | number)[]): void {
    this.cred = { ...this.cred, capEffective: typeof caps === "bigint" ? caps : capMask(caps) };
  }

  // --- filesystem and namespace calls (namei.ts, namespaces.ts) ---
  // Each returns a result or -errno and never throws; lastError says why.

  private sys(ret: () => number, what: string): number {
    this.beginCall();
    let r: number;
    try {
      r = ret();
    } catch (e) {
      r = this.fail(-22, `internal error in bpfemu (${what}): ${describeThrown(e)}`);
    }
    // The fallback reason is only read when the call failed.
    return this.endCall(r, r < 0 ? `${what} failed` : "");
  }

  /** mkdir(path, mode), with the task's umask applied. */
  mkdir(path: string, mode: number): number {
    return this.sys(() => do_mkdirat(this, AT_FDCWD, path, mode), "mkdir");
  }

  /** unlink(path) */
  unlink(path: string): number {
    return this.sys(() => do_unlinkat(this, AT_FDCWD, path), "unlink");
  }

  /** open(path, flags, mode): an fd or -errno (Linux x86_64 O_* values). */
  open(path: string, flags: number, mode = 0): number {
    // sys() written out: no closure per open.
    this.beginCall();
    let r: number;
    try {
      r = do_sys_openat(this, AT_FDCWD, path, flags, mode);
    } catch (e) {
      r = this.fail(-22, `internal error in bpfemu (open): ${describeThrown(e)}`);
    }
    return this.endCall(r, r < 0 ? "open failed" : "");
  }

  /** openat(dirfd, path, flags, mode); dirfd -100 is AT_FDCWD. */
  openat(dirfd: number, path: string, flags: number, mode = 0): number {
    return this.sys(() => do_sys_openat(this, dirfd, path, flags, mode), "openat");
  }

  /** The names in a directory (creation order, no "." or ".."), or -errno. */
  readdir(path: string): string[] | number {
    let out: string[] | number = [];
    const r = this.sys(() => {
      out = vfs_readdir(this, AT_FDCWD, path);
      return typeof out === "number" ? out : 0;
    }, "readdir");
    return r < 0 ? r : out;
  }

  /** umask(mask): sets the file-creation mask, returns the old one. */
  umask(mask: number): number {
    const old = this.fs.umask;
    this.fs.umask = mask & 0o777;
    return old;
  }

  /** fsopen(fsname, flags): a filesystem context fd ("bpf" only). */
  fsopen(fsname: string, flags = 0): number {
    return this.sys(() => nsops.sys_fsopen(this, fsname, flags), "fsopen");
  }

  /** fsconfig(fd, cmd, key, value, aux) with FSCONFIG_* commands (SET_FLAG, SET_STRING, CMD_CREATE, CMD_RECONFIGURE). */
  fsconfig(fd: number, cmd: number, key: string | null, value: string | null, aux = 0): number {
    return this.sys(() => nsops.sys_fsconfig(this, fd, cmd, key, value, aux), "fsconfig");
  }

  /** fsmount(fs_fd, flags, attr_flags): an O_PATH fd on a new detached mount. */
  fsmount(fsfd: number, flags = 0, attrFlags = 0): number {
    return this.sys(() => nsops.sys_fsmount(this, fsfd, flags, attrFlags), "fsmount");
  }

  /** fspick(dfd, path, flags): a reconfiguration context for a mounted superblock. */
  fspick(dfd: number, path: string, flags = 0): number {
    return this.sys(() => nsops.sys_fspick(this, dfd, path, flags), "fspick");
  }

  /** move_mount(from_dfd, from_path, to_dfd, to_path, flags) */
  move_mount(fromDfd: number, fromPath: string, toDfd: number, toPath: string, flags = 0): number {
    return this.sys(() => nsops.sys_move_mount(this, fromDfd, fromPath, toDfd, toPath, flags), "move_mount");
  }

  /** unshare(CLONE_NEWUSER) with id maps written by a privileged parent (default: 0 maps to the current euid/gid). */
  unshareUserns(uidMap?: readonly IdExtent[], gidMap?: readonly IdExtent[]): number {
    return this.sys(() => nsops.unshareUserns(this, uidMap, gidMap), "unshare(CLONE_NEWUSER)");
  }

  /** unshare(CLONE_NEWNS) */
  unshareMountNs(): number {
    return this.sys(() => nsops.unshareMountNs(this), "unshare(CLONE_NEWNS)");
  }

  /** Passes fd to `other` as SCM_RIGHTS would: the new fd number in `other`, or -errno. */
  sendFd(fd: number, other: Task): number {
    return this.sys(() => nsops.sendFd(this, fd, other), "sendFd");
  }
}

/** "bpf() returned EINVAL" and the like, made once per errno. */
const fallbackByErrno: string[] = [];
function bpfFallbackReason(ret: number): string {
  const n = -ret;
  let s = fallbackByErrno[n];
  if (s === undefined) {
    s = `bpf() returned ${errnoName(ret)}`;
    if (n < 4096) fallbackByErrno[n] = s;
  }
  return s;
}

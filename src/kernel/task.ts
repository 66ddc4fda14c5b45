// SPDX-License-Identifier: GPL-2.0-only
// A task: credentials, an fd table, an address space and namespaces. Every
// piece of state a bpf() call depends on hangs off an explicit Kernel/Task
// object; nothing lives in module globals.

import { AddressSpace } from "../abi/uaccess.ts";
import { errnoName } from "../abi/errno.ts";
import type { Cred, UserNamespace } from "./capability.ts";
import { capCapable, CAP } from "./capability.ts";
import { FdTable, File, null_fops, O_RDWR } from "./file.ts";
import type { Kernel } from "./kernel.ts";
import type { MountNamespace } from "./inode.ts";
import { sys_bpf } from "../abi/sys_bpf.ts";

export interface LastError {
  readonly errno: number;
  readonly name: string;
  /** Which check failed, naming the field or offset. */
  readonly reason: string;
}

export class Task {
  readonly kernel: Kernel;
  readonly pid: number;
  cred: Cred;
  readonly files: FdTable;
  readonly memory: AddressSpace;
  mntNs: MountNamespace;
  /** Set by the last failing sys_bpf (or fs call); null after a success. */
  lastError: LastError | null = null;
  /** The reason recorded by the check that failed in the current call. */
  private pendingReason: string | null = null;

  constructor(kernel: Kernel, pid: number, cred: Cred, mntNs: MountNamespace) {
    this.kernel = kernel;
    this.pid = pid;
    this.cred = cred;
    this.mntNs = mntNs;
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
      this.lastError = { errno: -ret, name: errnoName(ret), reason: this.pendingReason ?? fallback };
    } else {
      this.lastError = null;
    }
    this.pendingReason = null;
    return ret;
  }

  // --- system calls ---

  /**
   * bpf(cmd, attr, size). The attr is modelled as ending at a page boundary
   * with nothing mapped above it; the kernel's write-backs land in `attr`.
   * Returns an fd, 0 or -errno and never throws; lastError says why.
   */
  sys_bpf(cmd: number, attr: ArrayBuffer | Uint8Array, size: number): number {
    return sys_bpf(this, cmd, attr, size);
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

  /** Replaces the effective capability set (capset). Accepts names ("CAP_BPF", "bpf") or numbers. */
  setCaps(mask: bigint): void {
    this.cred = { ...this.cred, capEffective: mask };
  }
}

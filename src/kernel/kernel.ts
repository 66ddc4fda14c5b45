// SPDX-License-Identifier: GPL-2.0-only
// The emulated kernel: the ABI profile it speaks, sysctls, the init
// namespaces and the idrs that give BPF objects their ids.

import type { UapiTables } from "../uapi/layout.ts";
import { tablesFor, type AbiName } from "../uapi/profiles.ts";
import { CAP_FULL_SET, UserNamespace, capMask } from "./capability.ts";
import { Idr, type BpfMap } from "./bpf.ts";
import { makeInitialMountNs, type Mount, type MountNamespace } from "./inode.ts";
import { Task } from "./task.ts";

export interface KernelOptions {
  /** "linux-6.18" (default) or "rfc-v1", the original BPF token series. */
  abi?: AbiName;
  /** num_possible_cpus(): sizes per-CPU values. Default 2. */
  possibleCpus?: number;
  /** kernel.unprivileged_bpf_disabled: 0, 1 or 2 (default 2). */
  unprivilegedBpfDisabled?: number;
  /** nr_node_ids: NUMA nodes for BPF_F_NUMA_NODE checks. Default 1. */
  numaNodes?: number;
}

export interface SpawnOptions {
  /** Effective capabilities; default all. `[]` drops every capability (capset to 0, uid stays 0). */
  caps?: readonly (string | number)[];
  uid?: number;
  gid?: number;
  /** "new": uid 0 with all capabilities inside a new user namespace, none in the init one. */
  userns?: "init" | "new";
  /** With userns "new": bpffs delegation options, set by a privileged task, for the bpffs at /sys/fs/bpf. */
  bpffs?: BpffsDelegation;
}

export interface BpffsDelegation {
  delegate_cmds?: string;
  delegate_maps?: string;
  delegate_progs?: string;
  delegate_attachs?: string;
}

/** Hook for the token/namespace code to build a delegated environment (see token.ts). */
export type SpawnUsernsHook = (kernel: Kernel, opts: SpawnOptions) => Task;

export class Kernel {
  readonly tables: UapiTables;
  readonly abi: AbiName;
  readonly possibleCpus: number;
  readonly numaNodes: number;
  /** sysctl kernel.unprivileged_bpf_disabled */
  unprivilegedBpfDisabled: number;
  readonly initUserNs: UserNamespace;
  readonly initMntNs: MountNamespace;
  readonly initBpffs: Mount;
  readonly map_idr = new Idr<BpfMap>();
  readonly prog_idr = new Idr<unknown>();
  readonly link_idr = new Idr<unknown>();
  readonly btf_idr = new Idr<unknown>();
  /** Count of ENABLE_STATS(RUN_TIME) fds open (bpf_stats_enabled_key). */
  statsEnabled = 0;
  /** Emulated tasks get pids from 100 up; 1 and 2 stand for the host's init and kthreadd. */
  private nextPid = 100;
  private readonly tasks = new Map<number, WeakRef<Task>>();
  private nextUserNsId = 1;
  /** Installed by token.ts so that spawn({userns: "new"}) can build a delegated bpffs. */
  static spawnUserns: SpawnUsernsHook | null = null;

  constructor(opts: KernelOptions = {}) {
    this.abi = opts.abi ?? "linux-6.18";
    this.tables = tablesFor(this.abi);
    this.possibleCpus = opts.possibleCpus ?? 2;
    this.numaNodes = opts.numaNodes ?? 1;
    this.unprivilegedBpfDisabled = opts.unprivilegedBpfDisabled ?? 2;
    this.initUserNs = new UserNamespace(null, 0, this.nextUserNsId++);
    const { ns, bpffs } = makeInitialMountNs(this.initUserNs, this.initUserNs);
    this.initMntNs = ns;
    this.initBpffs = bpffs;
    // The vmlinux BTF is always loaded, with id 1, so BTF_GET_NEXT_ID from 0 finds it.
    this.btf_idr.alloc({ kind: "btf", kernel: true, name: "vmlinux" });
  }

  newUserNs(parent: UserNamespace, owner: number): UserNamespace {
    return new UserNamespace(parent, owner, this.nextUserNsId++);
  }

  /** A new task. Without options: uid 0, every capability, init namespaces, bpffs at /sys/fs/bpf. */
  spawn(opts: SpawnOptions = {}): Task {
    if (opts.userns === "new") {
      if (Kernel.spawnUserns === null) throw new Error("spawn({userns: 'new'}) needs the token module (import from the package root)");
      return Kernel.spawnUserns(this, opts);
    }
    if (opts.bpffs !== undefined) throw new RangeError("spawn: bpffs delegation options need userns: 'new'");
    const uid = opts.uid ?? 0;
    const caps = opts.caps === undefined ? CAP_FULL_SET : capMask(opts.caps);
    return this.track(new Task(this, this.nextPid++, { uid, gid: opts.gid ?? 0, euid: uid, capEffective: caps, userNs: this.initUserNs }, this.initMntNs));
  }

  private track(t: Task): Task {
    this.tasks.set(t.pid, new WeakRef(t));
    return t;
  }

  /** find_get_task_by_vpid() */
  findTask(pid: number): Task | undefined {
    return this.tasks.get(pid)?.deref();
  }

  /** For the token module: a task with explicit credentials and namespaces. */
  spawnWith(cred: Task["cred"], mntNs: MountNamespace): Task {
    return this.track(new Task(this, this.nextPid++, cred, mntNs));
  }
}

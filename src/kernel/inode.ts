// SPDX-License-Identifier: GPL-2.0-only
// A small VFS and the BPF filesystem (kernel/bpf/inode.c): superblocks,
// inodes, mounts and mount namespaces, enough to resolve paths for
// BPF_OBJ_PIN/BPF_OBJ_GET and to model bpffs delegation for tokens.

import type { UserNamespace } from "./capability.ts";

export const S_IFMT = 0o170000;
export const S_IFDIR = 0o040000;
export const S_IFREG = 0o100000;

export type FsType = "rootfs" | "bpf";

export class SuperBlock {
  readonly fstype: FsType;
  readonly s_user_ns: UserNamespace;
  root!: Inode;
  private nextIno = 1;
  /** bpffs delegation masks (struct bpf_mount_opts). */
  delegate_cmds = 0n;
  delegate_maps = 0n;
  delegate_progs = 0n;
  delegate_attachs = 0n;

  constructor(fstype: FsType, userns: UserNamespace, rootMode: number) {
    this.fstype = fstype;
    this.s_user_ns = userns;
    this.root = new Inode(this, S_IFDIR | rootMode, 0, 0, null);
  }

  allocIno(): number {
    return this.nextIno++;
  }
}

/** What a bpffs inode refers to, as bpf_inode_type() tells. */
export type BpfObjKind = "map" | "prog" | "link" | "token";

export class Inode {
  readonly sb: SuperBlock;
  readonly ino: number;
  mode: number;
  uid: number;
  gid: number;
  parent: Inode | null;
  /** Directory entries (directories only). */
  readonly children: Map<string, Inode> | null;
  /** The pinned object (bpffs object inodes only). */
  obj: { kind: BpfObjKind; ref: unknown } | null = null;

  constructor(sb: SuperBlock, mode: number, uid: number, gid: number, parent: Inode | null) {
    this.sb = sb;
    this.ino = sb.allocIno();
    this.mode = mode;
    this.uid = uid;
    this.gid = gid;
    this.parent = parent;
    this.children = (mode & S_IFMT) === S_IFDIR ? new Map() : null;
  }

  isDir(): boolean {
    return (this.mode & S_IFMT) === S_IFDIR;
  }
}

export class Mount {
  readonly sb: SuperBlock;
  /** The mount's root dentry (usually sb.root). */
  readonly root: Inode;
  /** Where it is attached; null for a namespace root or a detached fsmount(). */
  mountpoint: { mount: Mount; inode: Inode } | null;

  constructor(sb: SuperBlock, root: Inode, mountpoint: { mount: Mount; inode: Inode } | null) {
    this.sb = sb;
    this.root = root;
    this.mountpoint = mountpoint;
  }
}

/** A resolved location: a mount and an inode inside it (struct path). */
export interface Path {
  readonly mnt: Mount;
  readonly inode: Inode;
}

export class MountNamespace {
  readonly userNs: UserNamespace;
  readonly root: Mount;
  readonly mounts: Mount[] = [];

  constructor(userNs: UserNamespace, root: Mount) {
    this.userNs = userNs;
    this.root = root;
    this.mounts.push(root);
  }

  /** The mount attached on (mnt, inode), if any (the top one when stacked). */
  mountedOn(mnt: Mount, inode: Inode): Mount | undefined {
    let found: Mount | undefined;
    for (const m of this.mounts) if (m.mountpoint !== null && m.mountpoint.mount === mnt && m.mountpoint.inode === inode) found = m;
    return found;
  }

  /** Follows mounts stacked on a location (follow_mount). */
  followMounts(p: Path): Path {
    let cur = p;
    for (;;) {
      const m = this.mountedOn(cur.mnt, cur.inode);
      if (m === undefined) return cur;
      cur = { mnt: m, inode: m.root };
    }
  }

  attach(mnt: Mount, at: Path): void {
    mnt.mountpoint = { mount: at.mnt, inode: at.inode };
    this.mounts.push(mnt);
  }
}

/** Builds the standard mount namespace: a root fs with /sys/fs/bpf, and a bpffs mounted there. */
export function makeInitialMountNs(userNs: UserNamespace, bpffsUserNs: UserNamespace): { ns: MountNamespace; bpffs: Mount } {
  const rootSb = new SuperBlock("rootfs", userNs, 0o755);
  const rootMnt = new Mount(rootSb, rootSb.root, null);
  const ns = new MountNamespace(userNs, rootMnt);
  let dir = rootSb.root;
  for (const name of ["sys", "fs", "bpf"]) {
    const child = new Inode(rootSb, S_IFDIR | 0o755, 0, 0, dir);
    dir.children!.set(name, child);
    dir = child;
  }
  // bpf_fill_super(): the root of a bpffs is sticky and world-writable (01777).
  const sb = new SuperBlock("bpf", bpffsUserNs, 0o1777);
  const bpffs = new Mount(sb, sb.root, null);
  ns.attach(bpffs, { mnt: rootMnt, inode: dir });
  return { ns, bpffs };
}

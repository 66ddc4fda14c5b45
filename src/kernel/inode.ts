// SPDX-License-Identifier: GPL-2.0-only
// A small VFS and the BPF filesystem (kernel/bpf/inode.c): superblocks,
// inodes (which double as dentries: there are no hard links here), mounts
// and mount namespaces, the bpffs mount options with the token delegation
// masks, and the initial mount tree every kernel starts with. Path walking
// and the fs system calls are in namei.ts.

import { EINVAL, EPERM, ERANGE } from "../abi/errno.ts";
import type { UserNamespace } from "./capability.ts";
import type { UapiTables } from "../uapi/layout.ts";

export const S_IFMT = 0o170000;
export const S_IFDIR = 0o040000;
export const S_IFREG = 0o100000;
export const S_IFCHR = 0o020000;
export const S_ISUID = 0o4000;
export const S_ISGID = 0o2000;
export const S_ISVTX = 0o1000;
export const S_IRWXUGO = 0o777;
export const S_IALLUGO = 0o7777;
export const S_IXUGO = 0o111;

/**
 * What a filesystem supports, which decides the errno of operations it lacks:
 * "rootfs" and "tmpfs" support everything, "sysfs" (kernfs) has no create,
 * mkdir or unlink, "bpf" has mkdir/unlink and objects only made by OBJ_PIN.
 */
export type FsType = "rootfs" | "tmpfs" | "sysfs" | "bpf";

/** struct bpf_mount_opts: set by fsconfig, read by bpf_fill_super and BPF_TOKEN_CREATE. */
export interface BpfMountOpts {
  uid: number;
  gid: number;
  mode: number;
  delegate_cmds: bigint;
  delegate_maps: bigint;
  delegate_progs: bigint;
  delegate_attachs: bigint;
}

export class SuperBlock {
  readonly fstype: FsType;
  readonly s_user_ns: UserNamespace;
  root!: Inode;
  private nextIno = 1;
  /** bpffs delegation masks (struct bpf_mount_opts in sb->s_fs_info). */
  delegate_cmds = 0n;
  delegate_maps = 0n;
  delegate_progs = 0n;
  delegate_attachs = 0n;

  constructor(fstype: FsType, userns: UserNamespace, rootMode: number, uid = 0, gid = 0) {
    this.fstype = fstype;
    this.s_user_ns = userns;
    this.root = new Inode(this, S_IFDIR | rootMode, uid, gid, null, "/");
  }

  allocIno(): number {
    return this.nextIno++;
  }
}

/** What a bpffs inode refers to, as bpf_inode_type() tells ("token" only in the v1 ABI). */
export type BpfObjKind = "map" | "prog" | "link" | "token";

export class Inode {
  readonly sb: SuperBlock;
  readonly ino: number;
  mode: number;
  uid: number;
  gid: number;
  /** The directory holding this entry; null for a superblock root or once unlinked. */
  parent: Inode | null;
  /** The entry's name in its parent. */
  name: string;
  /** Directory entries in creation order (directories only). */
  readonly children: Map<string, Inode> | null;
  /** The pinned object (bpffs object inodes only). */
  obj: { kind: BpfObjKind; ref: unknown } | null = null;
  /**
   * The iterator links bpf_preload pins into every new bpffs ("maps.debug",
   * "progs.debug"). On 6.18 they can be listed but OBJ_GET and open() answer
   * ENOENT and unlink() EPERM (probed).
   */
  preload = false;
  /**
   * Open files on this inode (namei.ts openPath/releasePath), and whether the
   * count was ever set: a release with no count yet reads it as 1. Fields
   * rather than a WeakMap, which cost a lookup and an insert per open and close.
   */
  openRefs = 0;
  openRefsSet = false;
  /**
   * How many times a mount was attached on this inode (Mount's constructor,
   * MountNamespace.attach); never lowered. Zero means nothing is mounted
   * here in any namespace, so a path walk skips the mount scan
   * (MountNamespace.mountedOn) for almost every component.
   */
  mountedHere = 0;
  /**
   * The last name a path walk found in this directory and its entry
   * (namei.ts lookupChild): a walk that passes the same directory again
   * compares one short string instead of hashing a freshly sliced name for
   * the Map. Reset by every change of `children` (link, unlinkChild), the
   * only two ways entries come and go.
   */
  lkName: string | null = null;
  lkChild: Inode | null = null;

  constructor(sb: SuperBlock, mode: number, uid: number, gid: number, parent: Inode | null, name: string) {
    this.sb = sb;
    this.ino = sb.allocIno();
    this.mode = mode;
    this.uid = uid;
    this.gid = gid;
    this.parent = parent;
    this.name = name;
    this.children = (mode & S_IFMT) === S_IFDIR ? new Map() : null;
  }

  isDir(): boolean {
    return (this.mode & S_IFMT) === S_IFDIR;
  }

  isReg(): boolean {
    return (this.mode & S_IFMT) === S_IFREG;
  }

  /** Adds `child` under `name` (d_instantiate + d_add). */
  link(name: string, child: Inode): void {
    child.parent = this;
    child.name = name;
    this.lkName = null;
    this.lkChild = null;
    this.children!.set(name, child);
  }

  /** Removes the entry `name` (d_delete); see link(). */
  unlinkChild(name: string): void {
    this.lkName = null;
    this.lkChild = null;
    this.children!.delete(name);
  }
}

export class Mount {
  readonly sb: SuperBlock;
  /** The mount's root dentry (usually sb.root). */
  readonly root: Inode;
  /** Where it is attached; null for a namespace root or a detached fsmount(). */
  mountpoint: { mount: Mount; inode: Inode } | null;
  /** The namespace it belongs to; null for a detached mount (fsmount's anonymous namespace). */
  ns: MountNamespace | null = null;

  constructor(sb: SuperBlock, root: Inode, mountpoint: { mount: Mount; inode: Inode } | null) {
    this.sb = sb;
    this.root = root;
    this.mountpoint = mountpoint;
    if (mountpoint !== null) mountpoint.inode.mountedHere++;
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
    root.ns = this;
    this.mounts.push(root);
  }

  /** The mount attached on (mnt, inode), if any (the top one when stacked). */
  mountedOn(mnt: Mount, inode: Inode): Mount | undefined {
    if (inode.mountedHere === 0) return undefined;
    // The top one is the last attached: scanned from the end, the first match (inode first, the rarer match).
    const ms = this.mounts;
    for (let i = ms.length - 1; i >= 0; i--) {
      const mp = ms[i]!.mountpoint;
      if (mp !== null && mp.inode === inode && mp.mount === mnt) return ms[i];
    }
    return undefined;
  }

  /** Follows mounts stacked on a location (traverse_mounts). */
  followMounts(p: Path): Path {
    let cur = p;
    for (;;) {
      const m = this.mountedOn(cur.mnt, cur.inode);
      if (m === undefined) return cur;
      cur = { mnt: m, inode: m.root };
    }
  }

  /** attach_recursive_mnt() for a single mount: later mounts on the same spot stack on top. */
  attach(mnt: Mount, at: Path): void {
    mnt.mountpoint = { mount: at.mnt, inode: at.inode };
    at.inode.mountedHere++;
    mnt.ns = this;
    this.mounts.push(mnt);
  }

  /**
   * copy_mnt_ns(): a new namespace owned by `userNs` with a copy of every
   * mount. Returns the map from old to new mounts so that a task's root and
   * cwd can be moved over, as copy_mnt_ns does for current->fs.
   */
  clone(userNs: UserNamespace): { ns: MountNamespace; map: Map<Mount, Mount> } {
    const map = new Map<Mount, Mount>();
    for (const m of this.mounts) map.set(m, new Mount(m.sb, m.root, null));
    const ns = new MountNamespace(userNs, map.get(this.root)!);
    for (const m of this.mounts) {
      if (m === this.root) continue;
      const copy = map.get(m)!;
      const mp = m.mountpoint!;
      ns.attach(copy, { mnt: map.get(mp.mount)!, inode: mp.inode });
    }
    return { ns, map };
  }
}

// ---------------------------------------------------------------------------
// bpffs mount options (bpf_parse_param) and superblock (bpf_fill_super)
// ---------------------------------------------------------------------------

const DELEGATE_ENUMS = {
  delegate_cmds: { enumName: "bpf_cmd", prefix: "BPF_" },
  delegate_maps: { enumName: "bpf_map_type", prefix: "BPF_MAP_TYPE_" },
  delegate_progs: { enumName: "bpf_prog_type", prefix: "BPF_PROG_TYPE_" },
  delegate_attachs: { enumName: "bpf_attach_type", prefix: "BPF_" },
} as const;
export type DelegateKey = keyof typeof DELEGATE_ENUMS;

export function isDelegateKey(k: string): k is DelegateKey {
  return Object.hasOwn(DELEGATE_ENUMS, k);
}

/**
 * find_btf_enum_const(): the first enumerator, in BTF order, whose name
 * starts with `prefix` (case-insensitively) and whose remainder equals `s`
 * case-insensitively. The prefix "BPF_" also matches aliases such as
 * BPF_PROG_RUN; sentinels like __MAX_BPF_CMD never match.
 */
export function findEnumConst(tables: UapiTables, key: DelegateKey, s: string): number | undefined {
  const { enumName, prefix } = DELEGATE_ENUMS[key];
  const e = tables.enums[enumName];
  if (e === undefined) return undefined;
  const want = s.toLowerCase();
  for (const v of e.values) {
    if (v.name.slice(0, prefix.length).toLowerCase() !== prefix.toLowerCase()) continue;
    if (v.name.slice(prefix.length).toLowerCase() === want) return v.value;
  }
  return undefined;
}

const U64_MAX = (1n << 64n) - 1n;

/**
 * kstrtou64(s, 0): an optional leading '+', then "0x"/"0X" hex, "0" octal or
 * decimal, one optional trailing newline, nothing else. -EINVAL for a
 * malformed string (including an empty one), -ERANGE for overflow.
 */
export function kstrtou64(s: string): bigint | number {
  let p = s;
  if (p.startsWith("+")) p = p.slice(1);
  let base = 10;
  if (p.length >= 2 && p[0] === "0" && (p[1] === "x" || p[1] === "X")) {
    // _parse_integer_fixup_radix: "0x" is only taken as a prefix when a hex digit follows.
    if (p.length > 2 && /[0-9a-fA-F]/.test(p[2]!)) {
      base = 16;
      p = p.slice(2);
    } else base = 8;
  } else if (p[0] === "0") base = 8;
  let v = 0n;
  let n = 0;
  let overflow = false;
  for (; n < p.length; n++) {
    const ch = p[n]!;
    const d = /[0-9]/.test(ch) ? ch.charCodeAt(0) - 48 : /[a-f]/i.test(ch) ? ch.toLowerCase().charCodeAt(0) - 87 : 99;
    if (d >= base) break;
    v = v * BigInt(base) + BigInt(d);
    if (v > U64_MAX) overflow = true;
  }
  if (n === 0) return -EINVAL;
  if (overflow) return -ERANGE;
  const rest = p.slice(n);
  if (rest !== "" && rest !== "\n") return -EINVAL;
  return v;
}

/**
 * The delegate_* branch of bpf_parse_param(): parses a ':'-separated list.
 * "any" (exact, case-sensitive) ORs in all 64 bits, an enum name ORs in its
 * bit, and a number REPLACES what has been accumulated so far. Returns the
 * mask or -errno; the capability check is the caller's.
 */
export function parseDelegateValue(tables: UapiTables, key: DelegateKey, value: string): bigint | number {
  let msk = 0n;
  for (const p of value.split(":")) {
    if (p === "any") {
      msk = U64_MAX;
      continue;
    }
    const v = findEnumConst(tables, key, p);
    if (v !== undefined) {
      msk |= 1n << BigInt(v & 63);
      continue;
    }
    const n = kstrtou64(p);
    if (typeof n === "number") return n;
    msk = n;
  }
  return msk;
}

/** bpf_init_fs_context(): mode 0777, owner = the fsopen() caller's fsuid/fsgid, no delegation. */
export function bpfMountOptsInit(fsuid: number, fsgid: number): BpfMountOpts {
  return { uid: fsuid, gid: fsgid, mode: S_IRWXUGO, delegate_cmds: 0n, delegate_maps: 0n, delegate_progs: 0n, delegate_attachs: 0n };
}

/** bpf_fill_super(): a root directory with opts' owner and mode | S_ISVTX, and the delegation masks. */
export function bpfFillSuper(userns: UserNamespace, opts: BpfMountOpts, fsuid = 0, fsgid = 0): SuperBlock {
  const sb = new SuperBlock("bpf", userns, S_ISVTX | (opts.mode & S_IALLUGO), opts.uid, opts.gid);
  sb.delegate_cmds = opts.delegate_cmds;
  sb.delegate_maps = opts.delegate_maps;
  sb.delegate_progs = opts.delegate_progs;
  sb.delegate_attachs = opts.delegate_attachs;
  // populate_bpffs(): bpf_preload pins its two iterator links (S_IFREG | S_IRUSR,
  // owned by whoever fills the superblock) while the root's mode is still 0,
  // which is how their dotted names get past bpf_lookup.
  for (const name of ["maps.debug", "progs.debug"]) {
    const inode = new Inode(sb, S_IFREG | 0o400, fsuid, fsgid, sb.root, name);
    inode.obj = { kind: "link", ref: { kind: "link", id: 0 } };
    inode.preload = true;
    sb.root.link(name, inode);
  }
  return sb;
}

/**
 * bpf_lookup(): a name with a '.' is refused with -EPERM in any bpffs
 * directory that has some permission bit set (dots are reserved for files
 * the kernel itself creates). 0 when the lookup may proceed.
 */
export function bpf_lookup_check(dir: Inode, name: string): number {
  if (dir.sb.fstype === "bpf" && dir.mode & S_IALLUGO && name.includes(".")) return -EPERM;
  return 0;
}

/**
 * The masks a token sees, rendered as /proc/mounts shows the mount options
 * (bpf_show_options): lower-case names without the prefix, "any" when every
 * known bit is set, and hex for bits without a name. Empty masks are left out.
 */
export function showDelegateOpts(tables: UapiTables, key: DelegateKey, mask: bigint, maxBits: number): string | null {
  const any = (1n << BigInt(maxBits)) - 1n;
  let m = mask & any;
  if (m === 0n) return null;
  if (m === any) return `${key}=any`;
  const { enumName, prefix } = DELEGATE_ENUMS[key];
  const parts: string[] = [];
  for (const v of tables.enums[enumName]?.values ?? []) {
    if (v.name.slice(0, prefix.length).toUpperCase() !== prefix) continue;
    const bit = 1n << BigInt(v.value & 63);
    if (m & bit) {
      parts.push(v.name.slice(prefix.length).toLowerCase());
      m &= ~bit;
    }
  }
  if (m) parts.push(`0x${m.toString(16)}`);
  return `${key}=${parts.join(":")}`;
}

// ---------------------------------------------------------------------------
// The initial mount tree
// ---------------------------------------------------------------------------

function mkdirIn(dir: Inode, name: string, mode: number): Inode {
  const child = new Inode(dir.sb, S_IFDIR | mode, 0, 0, dir, name);
  dir.link(name, child);
  return child;
}

/**
 * The standard mount namespace: a root filesystem with /tmp (01777), sysfs
 * on /sys with the empty /sys/fs/bpf mount point (0555, as
 * sysfs_create_mount_point makes it), and a bpffs mounted there, owned by
 * `bpffsUserNs` with no delegation.
 */
export function makeInitialMountNs(userNs: UserNamespace, bpffsUserNs: UserNamespace): { ns: MountNamespace; bpffs: Mount } {
  const rootSb = new SuperBlock("rootfs", userNs, 0o755);
  const rootMnt = new Mount(rootSb, rootSb.root, null);
  const ns = new MountNamespace(userNs, rootMnt);
  mkdirIn(rootSb.root, "tmp", 0o1777);
  const sysDir = mkdirIn(rootSb.root, "sys", 0o555);
  const sysfs = new SuperBlock("sysfs", userNs, 0o555);
  const sysMnt = new Mount(sysfs, sysfs.root, null);
  ns.attach(sysMnt, { mnt: rootMnt, inode: sysDir });
  const fsDir = mkdirIn(sysfs.root, "fs", 0o755);
  const bpfDir = mkdirIn(fsDir, "bpf", 0o555);
  const sb = bpfFillSuper(bpffsUserNs, bpfMountOptsInit(0, 0));
  const bpffs = new Mount(sb, sb.root, null);
  ns.attach(bpffs, { mnt: sysMnt, inode: bpfDir });
  return { ns, bpffs };
}

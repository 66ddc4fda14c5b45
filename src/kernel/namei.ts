// SPDX-License-Identifier: GPL-2.0-only
// Path walking and the fs system calls over the VFS of inode.ts, after
// fs/namei.c (link_path_walk, filename_create, do_mkdirat, do_unlinkat,
// path_openat), fs/open.c and the permission model of
// generic_permission(). Every function returns a value or a negative errno
// and names the failing check through t.fail().

import { EACCES, EBADF, EEXIST, EFAULT, EINVAL, EIO, EISDIR, EMFILE, ENAMETOOLONG, ENOENT, ENOTDIR, EOVERFLOW, EPERM } from "../abi/errno.ts";
import type { UserNamespace } from "./capability.ts";
import { CAP } from "./capability.ts";
import { File, O_ACCMODE, O_CLOEXEC, O_CREAT, O_DIRECTORY, O_EXCL, O_PATH, O_RDONLY, O_WRONLY, type FileOperations } from "./file.ts";
import { Inode, S_IALLUGO, S_IFDIR, S_IFREG, S_ISGID, S_ISVTX, S_IRWXUGO, S_IXUGO, bpf_lookup_check, type Mount, type Path } from "./inode.ts";
import type { Task } from "./task.ts";

export const AT_FDCWD = -100;
export const PATH_MAX = 4096;
export const NAME_MAX = 255;
export const O_TRUNC = 0o1000;
export const O_NOFOLLOW = 0o400000;

export const MAY_EXEC = 0x1;
export const MAY_WRITE = 0x2;
export const MAY_READ = 0x4;
export const MAY_APPEND = 0x8;
export const MAY_ACCESS = 0x10;
export const MAY_OPEN = 0x20;

/** ACC_MODE(): O_RDONLY → MAY_READ, O_WRONLY → MAY_WRITE, O_RDWR (and 3) → both. */
export function ACC_MODE(flags: number): number {
  const acc = flags & O_ACCMODE;
  return acc === O_RDONLY ? MAY_READ : acc === O_WRONLY ? MAY_WRITE : MAY_READ | MAY_WRITE;
}

/** current->fs: the task's root, working directory and umask. */
export interface FsStruct {
  root: Path;
  pwd: Path;
  umask: number;
}

// ---------------------------------------------------------------------------
// User-namespace id maps (kernel/user_namespace.c), in kuid terms: an extent
// says which global ids a namespace can name. The initial namespace maps all.
// ---------------------------------------------------------------------------

export interface IdExtent {
  /** First id as seen inside the namespace. */
  readonly first: number;
  /** The global (init namespace) id it maps to. */
  readonly lowerFirst: number;
  readonly count: number;
}

const idMaps = new WeakMap<UserNamespace, { uid: readonly IdExtent[]; gid: readonly IdExtent[] }>();

/** Writes /proc/<pid>/uid_map and gid_map of a namespace. */
export function setIdMaps(ns: UserNamespace, uid: readonly IdExtent[], gid: readonly IdExtent[]): void {
  idMaps.set(ns, { uid, gid });
}

function hasMapping(ns: UserNamespace, id: number, which: "uid" | "gid"): boolean {
  if (ns.parent === null) return true;
  const m = idMaps.get(ns);
  if (m === undefined) return false;
  return m[which].some((e) => id >= e.lowerFirst && id < e.lowerFirst + e.count);
}

/** kuid_has_mapping() */
export function kuidHasMapping(ns: UserNamespace, kuid: number): boolean {
  return hasMapping(ns, kuid, "uid");
}

/** kgid_has_mapping() */
export function kgidHasMapping(ns: UserNamespace, kgid: number): boolean {
  return hasMapping(ns, kgid, "gid");
}

/** make_kuid(): the global id of `uid` as named inside `ns`, or -1 when unmapped. */
export function makeKuid(ns: UserNamespace, uid: number, which: "uid" | "gid" = "uid"): number {
  if (ns.parent === null) return uid;
  for (const e of idMaps.get(ns)?.[which] ?? []) if (uid >= e.first && uid < e.first + e.count) return e.lowerFirst + (uid - e.first);
  return -1;
}

// ---------------------------------------------------------------------------
// Permissions (fs/namei.c: generic_permission, may_create, may_delete)
// ---------------------------------------------------------------------------

function fsuid(t: Task): number {
  return t.cred.euid;
}

function fsgid(t: Task): number {
  return t.cred.gid;
}

/** capable_wrt_inode_uidgid(): the cap in the caller's namespace, and the inode's owner mapped there. */
export function capable_wrt_inode_uidgid(t: Task, inode: Inode, cap: number): boolean {
  const ns = t.cred.userNs;
  return t.ns_capable(ns, cap) && kuidHasMapping(ns, inode.uid) && kgidHasMapping(ns, inode.gid);
}

/** generic_permission(): owner/group/other bits, then CAP_DAC_READ_SEARCH and CAP_DAC_OVERRIDE. */
export function inode_permission(t: Task, inode: Inode, mask: number): number {
  let mode = inode.mode;
  if (fsuid(t) === inode.uid) mode >>= 6;
  else if (fsgid(t) === inode.gid) mode >>= 3;
  const want = mask & (MAY_READ | MAY_WRITE | MAY_EXEC);
  if ((want & ~mode & 7) === 0) return 0;
  if (inode.isDir()) {
    if (!(want & MAY_WRITE) && capable_wrt_inode_uidgid(t, inode, CAP.DAC_READ_SEARCH)) return 0;
    if (capable_wrt_inode_uidgid(t, inode, CAP.DAC_OVERRIDE)) return 0;
    return -EACCES;
  }
  if (want === MAY_READ && capable_wrt_inode_uidgid(t, inode, CAP.DAC_READ_SEARCH)) return 0;
  if ((!(want & MAY_EXEC) || inode.mode & S_IXUGO) && capable_wrt_inode_uidgid(t, inode, CAP.DAC_OVERRIDE)) return 0;
  return -EACCES;
}

function maskName(mask: number): string {
  const p: string[] = [];
  if (mask & MAY_READ) p.push("read");
  if (mask & MAY_WRITE) p.push("write");
  if (mask & MAY_EXEC) p.push("search");
  return p.join("+") || "access";
}

function permFail(t: Task, inode: Inode, mask: number, what: string): number {
  const err = inode_permission(t, inode, mask);
  if (err) return t.fail(err, `${what}: no ${maskName(mask)} permission on ${describeInode(inode)} (mode ${(inode.mode & S_IALLUGO).toString(8).padStart(4, "0")}, uid ${inode.uid})`);
  return 0;
}

/** may_create(): the caller's fsuid/fsgid must be representable in the filesystem, then write+search on the directory. */
function may_create(t: Task, dir: Inode, what: string): number {
  const ns = dir.sb.s_user_ns;
  if (!kuidHasMapping(ns, fsuid(t)) || !kgidHasMapping(ns, fsgid(t))) return t.fail(-EOVERFLOW, `${what}: the caller's uid ${fsuid(t)} has no mapping in the filesystem's user namespace`);
  return permFail(t, dir, MAY_WRITE | MAY_EXEC, what);
}

/** A readable name for diagnostics: the inode's path inside its filesystem. */
export function describeInode(inode: Inode): string {
  const parts: string[] = [];
  let cur: Inode | null = inode;
  while (cur !== null && cur.parent !== null) {
    parts.unshift(cur.name);
    cur = cur.parent;
  }
  return `${inode.sb.fstype}:/${parts.join("/")}`;
}

// ---------------------------------------------------------------------------
// Files that carry a path
// ---------------------------------------------------------------------------

/** What vfs files keep in private_data. */
export interface VfsFile {
  readonly path: Path;
}

/** Directories (simple_dir_operations and friends). */
export const vfs_dir_fops: FileOperations = { name: "dir", release: releasePath };
/** Regular files of the root filesystem. */
export const vfs_reg_fops: FileOperations = { name: "file", release: releasePath };
/** O_PATH files and mount fds from fsmount() (empty_fops). */
export const vfs_opath_fops: FileOperations = { name: "O_PATH", release: releasePath };

const PATH_FOPS = new Set<FileOperations>([vfs_dir_fops, vfs_reg_fops, vfs_opath_fops]);

/** Open files pin their inode (Inode.openRefs): a pinned object unlinked while an O_PATH fd is open goes away on the last close. */
function releasePath(f: File): void {
  const inode = (f.private_data as VfsFile).path.inode;
  const n = (inode.openRefsSet ? inode.openRefs : 1) - 1;
  inode.openRefs = n;
  inode.openRefsSet = true;
  if (n === 0 && inode.parent === null && inode !== inode.sb.root) evictInode(inode);
}

/** bpf_destroy_inode(): drops the reference the pin held. */
function evictInode(inode: Inode): void {
  const obj = inode.obj as ({ put?: () => void } | null);
  inode.obj = null;
  obj?.put?.();
}

/** The struct path behind an fd's file, for files that have a meaningful one. */
export function filePath(f: File): Path | undefined {
  return PATH_FOPS.has(f.f_op) ? (f.private_data as VfsFile).path : undefined;
}

/** A new file on `path` (dentry_open). */
export function openPath(path: Path, flags: number): File {
  const inode = path.inode;
  const fops = flags & O_PATH ? vfs_opath_fops : inode.isDir() ? vfs_dir_fops : vfs_reg_fops;
  inode.openRefs = (inode.openRefsSet ? inode.openRefs : 0) + 1;
  inode.openRefsSet = true;
  return new File(fops, { path } satisfies VfsFile, flags);
}

/** fdget_raw(): any open file, O_PATH ones included (dirfds, SCM_RIGHTS). */
export function fdgetRaw(t: Task, fd: number): File | undefined {
  return t.files.getRaw(fd);
}

/**
 * fdget(): O_PATH files are invisible to it (they only work where the kernel
 * uses fdget_raw, such as a dirfd), so every fd-taking bpf() command answers
 * as for a closed fd (probed: MAP_LOOKUP_ELEM -EBADF, OBJ_GET_INFO_BY_FD
 * -EBADFD, TOKEN_CREATE -EBADF on an O_PATH fd).
 */
export function fdget(t: Task, fd: number): File | undefined {
  const f = fdgetRaw(t, fd);
  if (f === undefined || f.f_flags & O_PATH) return undefined;
  return f;
}

// ---------------------------------------------------------------------------
// getname() and the walk
// ---------------------------------------------------------------------------

/** A JS string as the kernel sees its bytes: UTF-8, one char per byte. */
export function toKernelName(s: string): string {
  // ASCII is its own UTF-8: most paths are, and the round trip below costs
  // more than the rest of an open's path walk.
  let i = 0;
  while (i < s.length && s.charCodeAt(i) < 0x80) i++;
  if (i === s.length) return s;
  // UTF-8 bytes as a binary string; the core has no TextEncoder (no DOM or Node lib).
  return unescape(encodeURIComponent(s));
}

/** The inverse of toKernelName, for readdir. */
export function fromKernelName(s: string): string {
  try {
    return decodeURIComponent(escape(s));
  } catch {
    // Not valid UTF-8 (names are bytes to the kernel): show the bytes as they are.
    return s;
  }
}

/** getname() of an API string: -ENOENT for "", -ENAMETOOLONG from PATH_MAX bytes on. */
export function getnameStr(t: Task, s: string, what: string): string | number {
  // The last accepted string and its kernel name: the result depends on the string alone, and programs open the same paths again.
  if (s === gnMemo.input) return gnMemo.out;
  const k = toKernelName(s);
  const r = k.includes("\0") ? getnameChecked(t, k.slice(0, k.indexOf("\0")), what) : getnameChecked(t, k, what);
  if (typeof r === "string") {
    gnMemo.input = s;
    gnMemo.out = r;
  }
  return r;
}
const gnMemo: { input: string | null; out: string } = { input: null, out: "" };

function getnameChecked(t: Task, k: string, what: string): string | number {
  if (k.length >= PATH_MAX) return t.fail(-ENAMETOOLONG, `${what}: the path is ${k.length} bytes; PATH_MAX is ${PATH_MAX} including the NUL`);
  if (k.length === 0) return t.fail(-ENOENT, `${what}: the path is empty`);
  return k;
}

/** getname() of a user pointer: -EFAULT, -ENAMETOOLONG or -ENOENT. */
export function getnameUser(t: Task, uptr: bigint, what: string): string | number {
  const buf = new Uint8Array(PATH_MAX);
  const n = t.memory.strncpyFromUser(buf, uptr, PATH_MAX);
  if (n < 0) return t.fail(-EFAULT, `${what}: reading the path string at 0x${uptr.toString(16)} faulted`);
  if (n === PATH_MAX) return t.fail(-ENAMETOOLONG, `${what}: no NUL within PATH_MAX (${PATH_MAX}) bytes`);
  if (n === 0) return t.fail(-ENOENT, `${what}: the path is empty`);
  let s = "";
  for (let i = 0; i < n; i++) s += String.fromCharCode(buf[i]!);
  return s;
}

export type LastType = "norm" | "dot" | "dotdot" | "root";

/** What link_path_walk leaves: the directory holding the last component, and that component. */
export interface Walked {
  readonly path: Path;
  readonly last: string;
  readonly type: LastType;
  /** The last component was followed by '/'. */
  readonly trailing: boolean;
}

function samePath(a: Path, b: Path): boolean {
  return a.mnt === b.mnt && a.inode === b.inode;
}

function followMounts(p: Path): Path {
  // Nothing was ever mounted on this inode (Inode.mountedHere): no mount list to scan.
  if (p.inode.mountedHere === 0) return p;
  return p.mnt.ns?.followMounts(p) ?? p;
}

/** follow_dotdot(): up one level, crossing mount roots, never above the task's root. */
export function followDotdot(t: Task, p: Path): Path {
  let cur = p;
  if (samePath(cur, t.fs.root)) return cur;
  while (cur.inode === cur.mnt.root) {
    const mp = cur.mnt.mountpoint;
    if (mp === null) return cur;
    cur = { mnt: mp.mount, inode: mp.inode };
    if (samePath(cur, t.fs.root)) return cur;
  }
  const parent = cur.inode.parent;
  if (parent === null) return cur;
  return followMounts({ mnt: cur.mnt, inode: parent });
}

/** The ->lookup of one name in a directory: bpf_lookup's dot rule, NAME_MAX, then the dcache. */
function lookupChild(t: Task, dir: Path, name: string, what: string): Inode | null | number {
  // bpffs keeps every dentry in the dcache, so ->lookup (and its dot rule) only runs for names that do not exist.
  const d = dir.inode;
  // The last name found here (Inode.lkName): most walks pass the same directories with the same names.
  if (name === d.lkName) return d.lkChild;
  const child = d.children?.get(name);
  if (child !== undefined) {
    d.lkName = name;
    d.lkChild = child;
    return child;
  }
  if (bpf_lookup_check(dir.inode, name)) return t.fail(-EPERM, `${what}: bpffs refuses names containing '.' ("${fromKernelName(name)}") in a directory with permission bits`);
  if (name.length > NAME_MAX) return t.fail(-ENAMETOOLONG, `${what}: component of ${name.length} bytes is over NAME_MAX (${NAME_MAX})`);
  return null;
}

/** walk_component() for a non-create lookup: "." and ".." handled by the VFS, names by lookupChild. */
function walkComponent(t: Task, cur: Path, name: string, type: LastType, what: string): Path | number {
  if (type === "dot" || type === "root") return cur;
  if (type === "dotdot") return followDotdot(t, cur);
  const c = lookupChild(t, cur, name, what);
  if (typeof c === "number") return c;
  if (c === null) return t.fail(-ENOENT, `${what}: "${fromKernelName(name)}" does not exist in ${describeInode(cur.inode)}`);
  return followMounts({ mnt: cur.mnt, inode: c });
}

/** path_init(): the starting point: the task's root for absolute paths, else the cwd or the dirfd. */
function pathInit(t: Task, dfd: number, name: string, what: string): Path | number {
  if (name.startsWith("/")) return t.fs.root;
  if (dfd === AT_FDCWD) return t.fs.pwd;
  // fdget_raw(): O_PATH files are fine here.
  const f = fdgetRaw(t, dfd);
  if (f === undefined) return t.fail(-EBADF, `${what}: dirfd ${dfd} is not open`);
  const p = filePath(f);
  if (p === undefined || !p.inode.isDir()) return t.fail(-ENOTDIR, `${what}: dirfd ${dfd} is not a directory (${f.f_op.name})`);
  return p;
}

/**
 * link_path_walk(): every component but the last, checking search
 * permission on each directory before looking anything up in it (the
 * directory holding the last component included).
 */
export function linkPathWalk(t: Task, dfd: number, name: string, what: string): Walked | number {
  const start = pathInit(t, dfd, name, what);
  if (typeof start === "number") return start;
  let cur = start;
  const sp = splitPath(name);
  const n = sp.comps.length;
  if (n === 0) return { path: cur, last: "", type: "root", trailing: false };
  for (let c = 0; ; c++) {
    const err = permFail(t, cur.inode, MAY_EXEC, what);
    if (err) return err;
    const comp = sp.comps[c]!;
    const type = sp.types[c]!;
    if (c === n - 1) return { path: cur, last: comp, type, trailing: sp.trailing };
    const next = walkComponent(t, cur, comp, type, what);
    if (typeof next === "number") return next;
    if (!next.inode.isDir()) return t.fail(-ENOTDIR, `${what}: "${fromKernelName(comp)}" is not a directory`);
    cur = next;
  }
}

/**
 * A path as link_path_walk() splits it: the components between runs of '/'
 * with their types, and whether the last one was followed by '/'. The split
 * depends on the string alone, so the last few made are kept: opening the
 * same path again skips the character scans, and its component strings are
 * the ones lookupChild remembered (Inode.lkName), so those compares are
 * pointer compares.
 */
interface SplitPath {
  readonly name: string;
  /** Empty for a path of slashes only (the root). */
  readonly comps: readonly string[];
  readonly types: readonly LastType[];
  readonly trailing: boolean;
}
/** The last few splits made (a program alternating between a few paths does not split them again each time). */
const splits: SplitPath[] = [];
const splitPos = { next: 0 };

function splitPath(name: string): SplitPath {
  for (let i = 0; i < splits.length; i++) {
    const m = splits[i]!;
    if (m.name === name) return m;
  }
  const comps: string[] = [];
  const types: LastType[] = [];
  let trailing = false;
  let i = 0;
  while (i < name.length && name.charCodeAt(i) === 0x2f /* / */) i++;
  while (i < name.length) {
    let j = i;
    while (j < name.length && name.charCodeAt(j) !== 0x2f) j++;
    const comp = name.slice(i, j);
    comps.push(comp);
    types.push(comp === "." ? "dot" : comp === ".." ? "dotdot" : "norm");
    let k = j;
    while (k < name.length && name.charCodeAt(k) === 0x2f) k++;
    if (k === name.length) trailing = k > j;
    i = k;
  }
  const sp: SplitPath = { name, comps, types, trailing };
  if (splits.length < 4) splits.push(sp);
  else {
    splits[splitPos.next] = sp;
    splitPos.next = (splitPos.next + 1) & 3;
  }
  return sp;
}

/** path_lookupat() / user_path_at(): the whole path, trailing '/' demanding a directory. */
export function pathLookup(t: Task, dfd: number, name: string, what: string, directory = false): Path | number {
  const w = linkPathWalk(t, dfd, name, what);
  if (typeof w === "number") return w;
  const p = walkComponent(t, w.path, w.last, w.type, what);
  if (typeof p === "number") return p;
  if ((directory || (w.trailing && w.type === "norm")) && !p.inode.isDir()) return t.fail(-ENOTDIR, `${what}: "${fromKernelName(w.last)}" is not a directory`);
  return p;
}

/** user_path_at() for an API string. */
export function userPathAt(t: Task, dfd: number, s: string, what: string): Path | number {
  const name = getnameStr(t, s, what);
  if (typeof name === "number") return name;
  return pathLookup(t, dfd, name, what);
}

/**
 * filename_create(): walk to the parent, refuse "."/".."/"/" with -EEXIST,
 * look the name up (bpf_lookup's dot rule applies), -EEXIST when it exists,
 * -ENOENT for a trailing '/' unless a directory is being made.
 */
export function filenameCreate(t: Task, dfd: number, name: string, wantDir: boolean, what: string): { dir: Path; name: string } | number {
  const w = linkPathWalk(t, dfd, name, what);
  if (typeof w === "number") return w;
  if (w.type !== "norm") return t.fail(-EEXIST, `${what}: the last component "${fromKernelName(w.last) || "/"}" always exists`);
  const c = lookupChild(t, w.path, w.last, what);
  if (typeof c === "number") return c;
  if (c !== null) return t.fail(-EEXIST, `${what}: "${fromKernelName(w.last)}" already exists in ${describeInode(w.path.inode)}`);
  if (w.trailing && !wantDir) return t.fail(-ENOENT, `${what}: trailing '/' on "${fromKernelName(w.last)}", which does not exist and is not being made a directory`);
  return { dir: w.path, name: w.last };
}

/** inode_init_owner(): the caller's fsuid, and the directory's group when it is setgid. */
function newInode(t: Task, dir: Inode, mode: number): Inode {
  let gid = fsgid(t);
  if (dir.mode & S_ISGID) {
    gid = dir.gid;
    if ((mode & 0o170000) === S_IFDIR) mode |= S_ISGID;
  }
  return new Inode(dir.sb, mode, fsuid(t), gid, dir, "");
}

/** vfs_mkobj() of bpffs: a regular inode holding a pinned object (the caller has checked the directory type). */
export function vfsMkobj(t: Task, at: { dir: Path; name: string }, mode: number, obj: { kind: "map" | "prog" | "link" | "token"; ref: unknown; put: () => void }, what: string): number {
  const err = may_create(t, at.dir.inode, what);
  if (err) return err;
  const inode = newInode(t, at.dir.inode, mode);
  inode.obj = obj;
  at.dir.inode.link(at.name, inode);
  return 0;
}

// ---------------------------------------------------------------------------
// The system calls
// ---------------------------------------------------------------------------

/** mkdirat(dfd, path, mode) */
export function do_mkdirat(t: Task, dfd: number, s: string, mode: number): number {
  const what = "mkdir";
  const name = getnameStr(t, s, what);
  if (typeof name === "number") return name;
  const at = filenameCreate(t, dfd, name, true, what);
  if (typeof at === "number") return at;
  const dir = at.dir.inode;
  const err = may_create(t, dir, what);
  if (err) return err;
  if (dir.sb.fstype === "sysfs") return t.fail(-EPERM, `${what}: ${describeInode(dir)} is on sysfs, which has no mkdir`);
  const inode = newInode(t, dir, S_IFDIR | (mode & ~t.fs.umask & (S_IRWXUGO | S_ISVTX)));
  dir.link(at.name, inode);
  return 0;
}

/** unlinkat(dfd, path, 0) */
export function do_unlinkat(t: Task, dfd: number, s: string): number {
  const what = "unlink";
  const name = getnameStr(t, s, what);
  if (typeof name === "number") return name;
  const w = linkPathWalk(t, dfd, name, what);
  if (typeof w === "number") return w;
  if (w.type !== "norm") return t.fail(-EISDIR, `${what}: "${fromKernelName(w.last) || "/"}" is a directory`);
  const dir = w.path.inode;
  const victim = lookupChild(t, w.path, w.last, what);
  if (typeof victim === "number") return victim;
  if (victim === null) return t.fail(-ENOENT, `${what}: "${fromKernelName(w.last)}" does not exist in ${describeInode(dir)}`);
  if (w.trailing) return t.fail(victim.isDir() ? -EISDIR : -ENOTDIR, `${what}: trailing '/' on "${fromKernelName(w.last)}"`);
  // may_delete()
  let err = permFail(t, dir, MAY_WRITE | MAY_EXEC, what);
  if (err) return err;
  if (dir.mode & S_ISVTX && fsuid(t) !== victim.uid && fsuid(t) !== dir.uid && !capable_wrt_inode_uidgid(t, victim, CAP.FOWNER))
    return t.fail(-EPERM, `${what}: ${describeInode(dir)} is sticky and the caller owns neither it nor "${fromKernelName(w.last)}" (and lacks CAP_FOWNER)`);
  if (victim.preload) return t.fail(-EPERM, `${what}: "${fromKernelName(w.last)}" is an iterator link pinned by bpf_preload, which cannot be removed`);
  if (victim.isDir()) return t.fail(-EISDIR, `${what}: "${fromKernelName(w.last)}" is a directory`);
  if (dir.sb.fstype === "sysfs") return t.fail(-EPERM, `${what}: ${describeInode(dir)} is on sysfs, which has no unlink`);
  err = 0;
  dir.unlinkChild(w.last);
  victim.parent = null;
  if ((victim.openRefsSet ? victim.openRefs : 0) === 0) evictInode(victim);
  return err;
}

/** bpffs files of pinned objects: bpffs_obj_fops, whose open() fails (maps here carry no BTF for seq_show). */
function vfsOpenCheck(t: Task, inode: Inode, what: string): number {
  if (inode.preload) return t.fail(-ENOENT, `${what}: opening bpf_preload's "${fromKernelName(inode.name)}" answers ENOENT on 6.18`);
  if (inode.obj !== null) return t.fail(-EIO, `${what}: opening a pinned BPF ${inode.obj.kind} (bpffs_obj_open answers EIO; use BPF_OBJ_GET)`);
  return 0;
}

/** openat(dfd, path, flags, mode): an fd or -errno. */
export function do_sys_openat(t: Task, dfd: number, s: string, flags: number, mode = 0): number {
  const what = "open";
  let acc = 0;
  if (flags & O_PATH) flags &= O_DIRECTORY | O_NOFOLLOW | O_PATH | O_CLOEXEC;
  else {
    acc = ACC_MODE(flags);
    if (flags & O_TRUNC) acc |= MAY_WRITE;
  }
  const name = getnameStr(t, s, what);
  if (typeof name === "number") return name;
  const w = linkPathWalk(t, dfd, name, what);
  if (typeof w === "number") return w;
  let path: Path;
  let created = false;
  if (!(flags & O_CREAT)) {
    const p = walkComponent(t, w.path, w.last, w.type, what);
    if (typeof p === "number") return p;
    path = p;
  } else {
    if (w.type !== "norm") {
      const p = walkComponent(t, w.path, w.last, w.type, what);
      if (typeof p === "number") return p;
      if (flags & O_EXCL) return t.fail(-EEXIST, `${what}: O_CREAT|O_EXCL on "${fromKernelName(w.last) || "/"}", which exists`);
      return t.fail(-EISDIR, `${what}: O_CREAT on a directory`);
    }
    if (w.trailing) return t.fail(-EISDIR, `${what}: O_CREAT with a trailing '/'`);
    const c = lookupChild(t, w.path, w.last, what);
    if (typeof c === "number") return c;
    if (c === null) {
      // may_o_create(), then the filesystem's ->create.
      const dir = w.path.inode;
      const err = may_create(t, dir, what);
      if (err) return err;
      if (dir.sb.fstype === "bpf" || dir.sb.fstype === "sysfs") return t.fail(-EACCES, `${what}: O_CREAT in ${describeInode(dir)}: ${dir.sb.fstype} has no ->create`);
      const inode = newInode(t, dir, S_IFREG | (mode & ~t.fs.umask & S_IALLUGO));
      dir.link(w.last, inode);
      path = { mnt: w.path.mnt, inode };
      created = true;
    } else {
      path = followMounts({ mnt: w.path.mnt, inode: c });
      if (flags & O_EXCL) return t.fail(-EEXIST, `${what}: O_CREAT|O_EXCL on "${fromKernelName(w.last)}", which exists`);
      if (path.inode.isDir()) return t.fail(-EISDIR, `${what}: O_CREAT on directory "${fromKernelName(w.last)}"`);
    }
  }
  const inode = path.inode;
  if ((flags & O_DIRECTORY || (w.trailing && w.type === "norm")) && !inode.isDir()) return t.fail(-ENOTDIR, `${what}: "${fromKernelName(w.last)}" is not a directory`);
  if (!(flags & O_PATH) && !created) {
    // may_open()
    if (inode.isDir() && acc & MAY_WRITE) return t.fail(-EISDIR, `${what}: a directory cannot be opened for writing`);
    const err = permFail(t, inode, MAY_OPEN | acc, what);
    if (err) return err;
    const e2 = vfsOpenCheck(t, inode, what);
    if (e2) return e2;
  }
  const fd = t.files.install(openPath(path, flags));
  if (fd < 0) return t.fail(-EMFILE, `${what}: no free fd below RLIMIT_NOFILE`);
  return fd;
}

/** The entries of a directory, newest first as dcache_readdir lists them (without "." and ".."). */
export function readdir(t: Task, dfd: number, s: string): string[] | number {
  const what = "readdir";
  const name = getnameStr(t, s, what);
  if (typeof name === "number") return name;
  const p = pathLookup(t, dfd, name, what, true);
  if (typeof p === "number") return p;
  const err = permFail(t, p.inode, MAY_READ, what);
  if (err) return err;
  // dcache_readdir() lists the newest entry first.
  return [...p.inode.children!.keys()].reverse().map(fromKernelName);
}

/** The mount a path is on, for callers that need sb/mnt details. */
export function mountOf(p: Path): Mount {
  return p.mnt;
}

void EINVAL;

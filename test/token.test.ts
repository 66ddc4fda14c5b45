// SPDX-License-Identifier: GPL-2.0-only
// bpffs delegation through the new mount API and BPF_TOKEN_CREATE, driven
// through the public Task API. Expected values come from a C probe run on
// Linux 6.18.44 (the upstream selftests' flow: child unshares a user and a
// mount namespace with "0 0 1" id maps and calls fsopen("bpf"), the
// privileged parent runs fsconfig/fsmount, the child fspick()s and
// move_mount()s), quoted in the comments as "probe: <line>", from the
// documents' probed rows (T7), and from the upstream selftest assertions.

import { describe, expect, it } from "vitest";
import { CAP, Kernel, type Task } from "../src/index.ts";
import { bpf_token_show_fdinfo } from "../src/kernel/token.ts";
import { showDelegateOpts } from "../src/kernel/inode.ts";
import type { BpfToken } from "../src/kernel/bpf.ts";
import { FSCONFIG, MOVE_MOUNT_F_EMPTY_PATH } from "../src/kernel/namespaces.ts";

const EPERM = -1, EBADF = -9, EBUSY = -16, ENODEV = -19, EINVAL = -22, ERANGE = -34, EOPNOTSUPP = -95;
const AT_FDCWD = -100;
const FSPICK_EMPTY_PATH = 8;
const { SET_FLAG, SET_STRING, CMD_CREATE, CMD_RECONFIGURE } = FSCONFIG;

function tokenCreate(t: Task, fd: number, flags = 0): number {
  const a = new Uint8Array(8);
  const v = new DataView(a.buffer);
  v.setUint32(0, flags, true);
  v.setUint32(4, fd >>> 0, true);
  return t.sys_bpf(36, a, 8);
}

/** The selftests' child: a new user namespace (0 → kuid 0) and its own mount namespace. */
function usernsChild(k: Kernel): Task {
  const c = k.spawn();
  expect(c.unshareUserns()).toBe(0);
  expect(c.unshareMountNs()).toBe(0);
  return c;
}

function tokenOf(t: Task, fd: number): BpfToken {
  return t.files.get(fd)!.private_data as BpfToken;
}

describe("fsopen/fsconfig/fsmount for bpffs (probe on 6.18)", () => {
  it("the child cannot set delegation in its own context, nor create the superblock", () => {
    const k = new Kernel();
    const child = usernsChild(k);
    const fs = child.fsopen("bpf");
    expect(fs).toBeGreaterThanOrEqual(3);
    // probe: child cmds 0x1 = -1 / any = -1 / 0 = 0 / bogus = -22 / maps 0x1 = -1 / uid 0 = 0
    expect(child.fsconfig(fs, SET_STRING, "delegate_cmds", "0x1")).toBe(EPERM);
    expect(child.fsconfig(fs, SET_STRING, "delegate_cmds", "any")).toBe(EPERM);
    expect(child.fsconfig(fs, SET_STRING, "delegate_cmds", "0")).toBe(0);
    expect(child.fsconfig(fs, SET_STRING, "delegate_cmds", "bogus")).toBe(EINVAL);
    expect(child.fsconfig(fs, SET_STRING, "delegate_maps", "0x1")).toBe(EPERM);
    expect(child.fsconfig(fs, SET_STRING, "uid", "0")).toBe(0);
    // probe: child fsopen tmpfs (an unknown name) = -19, fsopen flags 2 = -22
    expect(child.fsopen("nosuchfs")).toBe(ENODEV);
    expect(child.fsopen("bpf", 2)).toBe(EINVAL);
    // probe: child own create = -1, again = -16, set after failure = -16, fsmount of it = -22
    const fs2 = child.fsopen("bpf");
    expect(child.fsconfig(fs2, CMD_CREATE, null, null)).toBe(EPERM);
    expect(child.fsconfig(fs2, CMD_CREATE, null, null)).toBe(EBUSY);
    expect(child.fsconfig(fs2, SET_STRING, "mode", "0700")).toBe(EBUSY);
    expect(child.fsmount(fs2)).toBe(EINVAL);
  });

  it("parses the parent's options like the kernel", () => {
    const k = new Kernel();
    const child = usernsChild(k);
    const parent = k.spawn();
    const fs = child.sendFd(child.fsopen("bpf"), parent);
    const set = (key: string, v: string | null, cmd: number = SET_STRING): number => parent.fsconfig(fs, cmd, key, v);
    // probe: parent cmds bogus/1:bogus/Any/"map_create:"/""/-1/0x/08/bpf_map_create = -22, overflow = -34
    for (const v of ["bogus", "1:bogus", "Any", "map_create:", "", "-1", "0x", "08", "bpf_map_create"]) expect(set("delegate_cmds", v), v).toBe(EINVAL);
    expect(set("delegate_cmds", "0x1ffffffffffffffff")).toBe(ERANGE);
    expect(set("delegate_cmds", "99999999999999999999")).toBe(ERANGE);
    // probe: parent cmds flag = -22, foo string = 0, foo flag = 0
    expect(set("delegate_cmds", null, SET_FLAG)).toBe(EINVAL);
    expect(set("foo", "bar")).toBe(0);
    expect(set("foo", null, SET_FLAG)).toBe(0);
    // probe: uid 1000 = -22 (not mapped in the child's namespace), uid 0 = 0, uid x = -22, mode 999 = -22, mode 0755 = 0
    expect(set("uid", "1000")).toBe(EINVAL);
    expect(set("uid", "0")).toBe(0);
    expect(set("uid", "x")).toBe(EINVAL);
    expect(set("mode", "999")).toBe(EINVAL);
    expect(set("mode", "0755")).toBe(0);
    // probe: maps array, cmds map_create, cmds 0x100 (ORed into the option), progs any = 0
    expect(set("delegate_maps", "array")).toBe(0);
    expect(set("delegate_cmds", "map_create")).toBe(0);
    expect(set("delegate_cmds", "0x100")).toBe(0);
    expect(set("delegate_progs", "any")).toBe(0);
    // probe: fsmount early = -22, bad fd = -9, non-context fd = -22, unknown cmd = -95, SET_STRING without value = -22
    expect(parent.fsmount(fs)).toBe(EINVAL);
    expect(parent.fsconfig(99, SET_STRING, "mode", "0700")).toBe(EBADF);
    expect(parent.fsconfig(0, SET_STRING, "mode", "0700")).toBe(EINVAL);
    expect(parent.fsconfig(fs, 99, null, null)).toBe(EOPNOTSUPP);
    expect(parent.fsconfig(fs, SET_STRING, "mode", null)).toBe(EINVAL);
    // probe: create = 0, set after create = -16, create again = -16, fsmount bad flags = -22, fsmount = fd
    expect(parent.fsconfig(fs, CMD_CREATE, null, null)).toBe(0);
    expect(set("mode", "0700")).toBe(EBUSY);
    expect(parent.fsconfig(fs, CMD_CREATE, null, null)).toBe(EBUSY);
    expect(parent.fsmount(fs, 2)).toBe(EINVAL);
    const mnt = parent.fsmount(fs);
    expect(mnt).toBeGreaterThanOrEqual(0);

    const cm = parent.sendFd(mnt, child);
    // probe: child token from mnt fd (O_PATH) = -9
    expect(tokenCreate(child, cm)).toBe(EBADF);
    // probe: child fspick = fd; reconf cmds any = -1, maps any = -1, mode = 0, reconfigure = 0 (selftest: "any" must fail with EPERM)
    const pk = child.fspick(cm, "", FSPICK_EMPTY_PATH);
    expect(pk).toBeGreaterThanOrEqual(0);
    expect(child.fsconfig(pk, SET_STRING, "delegate_cmds", "any")).toBe(EPERM);
    expect(child.fsconfig(pk, SET_STRING, "delegate_maps", "any")).toBe(EPERM);
    expect(child.fsconfig(pk, SET_STRING, "mode", "0700")).toBe(0);
    expect(child.fsconfig(pk, CMD_RECONFIGURE, null, null)).toBe(0);
    // probe: child move_mount = 0, token = fd
    expect(child.move_mount(cm, "", AT_FDCWD, "/sys/fs/bpf", MOVE_MOUNT_F_EMPTY_PATH)).toBe(0);
    const root = child.openat(cm, ".", 0);
    const tok = tokenCreate(child, root);
    expect(tok).toBeGreaterThanOrEqual(0);
    // probe fdinfo: allowed_cmds 0x101, allowed_maps 0x4, allowed_progs any, allowed_attachs 0x0
    expect(bpf_token_show_fdinfo(k.tables, tokenOf(child, tok))).toBe("allowed_cmds:\t0x101\nallowed_maps:\t0x4\nallowed_progs:\tany\nallowed_attachs:\t0x0\n");
    // probe mounts: "mode=755,delegate_cmds=map_create:prog_attach,delegate_maps=array,delegate_progs=any"
    // (the child's reconfigured mode 0700 never reached the superblock).
    const sbRoot = (child.files.get(root)!.private_data as { path: { inode: { mode: number; sb: { delegate_cmds: bigint; delegate_maps: bigint; delegate_progs: bigint } } } }).path.inode;
    expect(sbRoot.mode & 0o777).toBe(0o755);
    expect(showDelegateOpts(k.tables, "delegate_cmds", sbRoot.sb.delegate_cmds, 38)).toBe("delegate_cmds=map_create:prog_attach");
    expect(showDelegateOpts(k.tables, "delegate_maps", sbRoot.sb.delegate_maps, 34)).toBe("delegate_maps=array");
    expect(showDelegateOpts(k.tables, "delegate_progs", sbRoot.sb.delegate_progs, 33)).toBe("delegate_progs=any");
  });
});

describe("BPF_TOKEN_CREATE", () => {
  it("T7: a caller in a new user namespace using the init-namespace bpffs gets EPERM", () => {
    const k = new Kernel();
    const c = k.spawn();
    expect(c.unshareUserns()).toBe(0);
    const fd = c.open("/sys/fs/bpf", 0);
    expect(fd).toBe(3);
    expect(tokenCreate(c, fd)).toBe(EPERM);
    expect(c.lastError?.reason).toMatch(/user namespace/);
  });

  it("T6: the init namespace gets EOPNOTSUPP even with every capability", () => {
    const t = new Kernel().spawn();
    expect(tokenCreate(t, t.open("/sys/fs/bpf", 0))).toBe(EOPNOTSUPP);
  });

  it("keeps the bpffs's user namespace and masks, as an O_RDWR|O_CLOEXEC bpf-token file", () => {
    const k = new Kernel();
    const t = k.spawn({ userns: "new", bpffs: { delegate_cmds: "map_create", delegate_progs: "xdp", delegate_attachs: "any" } });
    const fd = tokenCreate(t, 3);
    expect(fd).toBe(4);
    const f = t.files.get(fd)!;
    expect(f.f_op.name).toBe("bpf-token");
    expect(f.f_flags).toBe(0o2000002);
    const tok = tokenOf(t, fd);
    expect(tok.userns).toBe(t.cred.userNs);
    // Selftest bpf_token_info: allowed_cmds == 1<<MAP_CREATE, allowed_progs == 1<<XDP; "any" is all 64 bits.
    expect([tok.allowed_cmds, tok.allowed_maps, tok.allowed_progs, tok.allowed_attachs]).toEqual([1n, 0n, 1n << 6n, (1n << 64n) - 1n]);
    expect(bpf_token_show_fdinfo(k.tables, tok)).toBe("allowed_cmds:\t0x1\nallowed_maps:\t0x0\nallowed_progs:\t0x40\nallowed_attachs:\tany\n");
  });
});

describe("spawn({ userns: 'new', bpffs })", () => {
  it("is uid 0 with every capability in a new user namespace and none in the init one", () => {
    const k = new Kernel();
    const t = k.spawn({ userns: "new", bpffs: { delegate_cmds: "any" } });
    expect(t.cred.uid).toBe(0);
    expect(t.cred.euid).toBe(0);
    expect(t.cred.userNs).not.toBe(k.initUserNs);
    for (const cap of Object.values(CAP)) {
      expect(t.ns_capable(t.cred.userNs, cap)).toBe(true);
      expect(t.capable(cap)).toBe(false);
    }
    expect(t.mntNs).not.toBe(k.initMntNs);
  });

  it("has the delegated bpffs root open as fd 3 and mounted at /sys/fs/bpf", () => {
    const k = new Kernel();
    const t = k.spawn({ userns: "new", bpffs: { delegate_maps: "array:hash" } });
    expect(t.files.list()).toEqual([0, 1, 2, 3]);
    const p3 = (t.files.get(3)!.private_data as { path: { inode: unknown } }).path;
    const fd = t.open("/sys/fs/bpf", 0);
    expect(fd).toBe(4);
    expect((t.files.get(fd)!.private_data as { path: { inode: unknown } }).path.inode).toBe(p3.inode);
    // Only the options given are set: maps = {ARRAY, HASH}, nothing else.
    const tok = tokenOf(t, tokenCreate(t, 3));
    expect([tok.allowed_cmds, tok.allowed_maps, tok.allowed_progs, tok.allowed_attachs]).toEqual([0n, (1n << 1n) | (1n << 2n), 0n, 0n]);
    // The init namespace's bpffs is untouched by what the child does. A fresh
    // bpffs lists bpf_preload's links, newest first ("ls -U" of a new mount
    // with a, b, c made: c b a progs.debug maps.debug).
    expect(t.mkdir("/sys/fs/bpf/d", 0o755)).toBe(0);
    expect(k.spawn().readdir("/sys/fs/bpf")).toEqual(["progs.debug", "maps.debug"]);
    expect(t.readdir("/sys/fs/bpf")).toEqual(["d", "progs.debug", "maps.debug"]);
  });

  it("rejects options the kernel's mount would reject", () => {
    expect(() => new Kernel().spawn({ userns: "new", bpffs: { delegate_cmds: "bogus" } })).toThrow(/EINVAL/);
  });
});

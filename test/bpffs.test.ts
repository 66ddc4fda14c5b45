// SPDX-License-Identifier: GPL-2.0-only
// The bpffs VFS through the public Task API: modes under a umask, listing
// order, references held by pins, and fd passing. Expected values come from
// probes on Linux 6.18.44 (quoted as "probe:"): Python os.mkdir/os.umask and
// bpftool pins in a fresh bpffs, `stat -c "%n %a"` and `ls -U`.

import { describe, expect, it } from "vitest";
import { Kernel, type Task } from "../src/index.ts";
import type { BpfMap } from "../src/kernel/bpf.ts";
import type { Inode } from "../src/kernel/inode.ts";

const O_PATH = 0o10000000;

function inodeAt(t: Task, path: string): Inode {
  const fd = t.open(path, O_PATH);
  expect(fd, `${path}: ${t.lastError?.reason}`).toBeGreaterThanOrEqual(0);
  const inode = (t.files.getRaw(fd)!.private_data as { path: { inode: Inode } }).path.inode;
  t.close(fd);
  return inode;
}

function attr(len: number, fields: [number, 4 | 8, number | bigint][]): Uint8Array {
  const b = new Uint8Array(len);
  const v = new DataView(b.buffer);
  for (const [o, s, x] of fields) {
    if (s === 4) v.setUint32(o, Number(x) >>> 0, true);
    else v.setBigUint64(o, BigInt(x), true);
  }
  return b;
}

function mapCreate(t: Task): number {
  return t.sys_bpf(0, attr(96, [[0, 4, 2], [4, 4, 4], [8, 4, 4], [12, 4, 1]]), 96);
}

/** OBJ_PIN / OBJ_GET with the path placed in the task's memory. */
function objCmd(t: Task, cmd: 6 | 7, fd: number, path: string, flags = 0): number {
  const addr = 0x20000000n;
  const s = new TextEncoder().encode(path + "\0");
  t.memory.map(addr, 4096);
  t.memory.write(addr, s);
  return t.sys_bpf(cmd, attr(24, [[0, 8, addr], [8, 4, fd], [12, 4, flags]]), 24);
}

describe("bpffs modes and listing (probe on 6.18)", () => {
  it("applies the umask to mkdir and to pins, and drops setgid from mkdir's mode", () => {
    const t = new Kernel().spawn();
    // probe: umask 022: mkdir(0777) → 755, mkdir(03777) → 1755; umask 0277: mkdir(0777) → 500, pin → 400
    expect(t.umask(0o022)).toBe(0o022);
    expect(t.mkdir("/sys/fs/bpf/x", 0o777)).toBe(0);
    expect(t.mkdir("/sys/fs/bpf/s", 0o3777)).toBe(0);
    t.umask(0o277);
    expect(t.mkdir("/sys/fs/bpf/y", 0o777)).toBe(0);
    const m = mapCreate(t);
    expect(objCmd(t, 6, m, "/sys/fs/bpf/m")).toBe(0);
    expect(inodeAt(t, "/sys/fs/bpf/x").mode & 0o7777).toBe(0o755);
    expect(inodeAt(t, "/sys/fs/bpf/s").mode & 0o7777).toBe(0o1755);
    expect(inodeAt(t, "/sys/fs/bpf/y").mode & 0o7777).toBe(0o500);
    expect(inodeAt(t, "/sys/fs/bpf/m").mode & 0o7777).toBe(0o400);
    // probe: the bpffs root is 1777, owned by 0:0
    const root = inodeAt(t, "/sys/fs/bpf");
    expect([root.mode & 0o7777, root.uid, root.gid]).toEqual([0o1777, 0, 0]);
  });

  it("lists the newest entry first, after bpf_preload's two links", () => {
    const t = new Kernel().spawn();
    // probe: ls -U after mkdir x, g and two pins m, m2: m2 m g x progs.debug maps.debug
    t.mkdir("/sys/fs/bpf/x", 0o755);
    t.mkdir("/sys/fs/bpf/g", 0o755);
    const m = mapCreate(t);
    objCmd(t, 6, m, "/sys/fs/bpf/m");
    objCmd(t, 6, m, "/sys/fs/bpf/m2");
    expect(t.readdir("/sys/fs/bpf")).toEqual(["m2", "m", "g", "x", "progs.debug", "maps.debug"]);
    // probe: maps.debug and progs.debug are -r-------- root root
    expect(inodeAt(t, "/sys/fs/bpf/maps.debug").mode & 0o7777).toBe(0o400);
  });
});

describe("pins hold references", () => {
  it("a pinned map outlives its fds until it is unlinked", () => {
    // The kernel side of this is fixtures/traces/token/pin-refs.jsonl; here the counts behind it.
    const t = new Kernel().spawn();
    const fd = mapCreate(t);
    const map = t.files.get(fd)!.private_data as BpfMap;
    expect(objCmd(t, 6, fd, "/sys/fs/bpf/m")).toBe(0);
    expect([map.refcnt, map.usercnt]).toEqual([2, 2]);
    expect(t.close(fd)).toBe(0);
    expect([map.refcnt, map.usercnt]).toEqual([1, 1]);
    const again = objCmd(t, 7, 0, "/sys/fs/bpf/m");
    expect(again).toBe(fd);
    expect(t.files.get(again)!.private_data).toBe(map);
    t.close(again);
    expect(t.unlink("/sys/fs/bpf/m")).toBe(0);
    expect(map.refcnt).toBe(0);
    expect(objCmd(t, 7, 0, "/sys/fs/bpf/m")).toBe(-2);
  });

  it("a failed pin gives its reference back", () => {
    const t = new Kernel().spawn();
    const fd = mapCreate(t);
    const map = t.files.get(fd)!.private_data as BpfMap;
    expect(objCmd(t, 6, fd, "/tmp/x")).toBe(-1);
    expect(objCmd(t, 6, fd, "/sys/fs/bpf/a.b")).toBe(-1);
    expect([map.refcnt, map.usercnt]).toEqual([1, 1]);
  });
});

describe("fd passing", () => {
  it("sendFd installs the same open file at the receiver's lowest free fd", () => {
    const k = new Kernel();
    const a = k.spawn();
    const b = k.spawn();
    const fd = a.open("/sys/fs/bpf", 0);
    expect(b.sendFd(99, a)).toBe(-9);
    const got = a.sendFd(fd, b);
    expect(got).toBe(3);
    expect(b.files.get(got)).toBe(a.files.get(fd));
    // Closing the sender's copy leaves the receiver's working.
    a.close(fd);
    expect(b.openat(got, ".", 0)).toBe(4);
  });
});

// SPDX-License-Identifier: GPL-2.0-only
// Program objects on the emulator: PROG_LOAD's fd, ids that PROG_GET_NEXT_ID
// and PROG_GET_FD_BY_ID find while a reference (fd, pin, prog array) holds
// the program and lose once the last one goes, used maps kept alive by the
// program, PROG_BIND_MAP, and the probed rows P15/P16, I4, BM1-BM4,
// TR1-TR3 of ../shared/probes (expected values from the live 6.18 kernel).
// Byte-level agreement of loads, info and test runs is checked against
// recordings in test/prog-traces.test.ts.

import { describe, expect, it } from "vitest";
import { Kernel, linux_6_18, type Task } from "../src/index.ts";
import { encodeAttr } from "../src/abi/decode.ts";
import { EBADF, EINVAL, ENOENT, EPERM } from "../src/abi/errno.ts";
import * as A from "../src/corpus/bpf_asm.ts";

type V = Record<string, number | bigint | Uint8Array>;
const enc = (cmd: number, v: V): Uint8Array => encodeAttr(linux_6_18, cmd, v);
const CMD = { MAP_CREATE: 0, PROG_LOAD: 5, OBJ_PIN: 6, OBJ_GET: 7, PROG_TEST_RUN: 10, PROG_GET_NEXT_ID: 11, PROG_GET_FD_BY_ID: 13, MAP_GET_FD_BY_ID: 14, OBJ_GET_INFO_BY_FD: 15, PROG_BIND_MAP: 35 } as const;

let nextAddr = 0x10000000n;
function put(t: Task, bytes: Uint8Array): bigint {
  const a = nextAddr;
  nextAddr += BigInt(Math.ceil(Math.max(bytes.length, 1) / 4096) * 4096);
  t.memory.map(a, Math.max(bytes.length, 1));
  t.memory.write(a, bytes);
  return a;
}

function load(t: Task, type: number, insns: Uint8Array, extra: V = {}): number {
  const ins = put(t, insns);
  const lic = put(t, new TextEncoder().encode("GPL\0"));
  return t.sys_bpf(CMD.PROG_LOAD, enc(CMD.PROG_LOAD, { prog_type: type, insn_cnt: insns.length / 8, insns: ins, license: lic, ...extra }), 168);
}

function progId(t: Task, fd: number): number {
  const buf = put(t, new Uint8Array(232));
  expect(t.sys_bpf(CMD.OBJ_GET_INFO_BY_FD, enc(CMD.OBJ_GET_INFO_BY_FD, { "info.bpf_fd": fd, "info.info_len": 232, "info.info": buf }), 16)).toBe(0);
  return new DataView(t.memory.read(buf, 8).buffer).getUint32(4, true);
}

const ret0 = A.prog(A.mov64i(0, 0), A.exit());

describe("PROG_LOAD results (probes P15, P16)", () => {
  it("P15 SOCKET_FILTER r0=0; exit → an fd", () => {
    const t = new Kernel().spawn();
    expect(load(t, 1, ret0)).toBeGreaterThanOrEqual(0);
  });
  it("P16 XDP r0=0; exit → an fd", () => {
    const t = new Kernel().spawn();
    expect(load(t, 6, ret0)).toBeGreaterThanOrEqual(0);
  });
});

describe("ids and references", () => {
  it("I4 PROG_GET_FD_BY_ID id 0 → ENOENT", () => {
    const t = new Kernel().spawn();
    expect(t.sys_bpf(CMD.PROG_GET_FD_BY_ID, enc(CMD.PROG_GET_FD_BY_ID, { prog_id: 0 }), 4)).toBe(-ENOENT);
  });

  it("a loaded program is found by id until its last fd is closed", () => {
    const t = new Kernel().spawn();
    const fd = load(t, 1, ret0);
    const id = progId(t, fd);
    expect(id).toBeGreaterThan(0);
    const attr = enc(CMD.PROG_GET_NEXT_ID, { start_id: 0 });
    expect(t.sys_bpf(CMD.PROG_GET_NEXT_ID, attr, 8)).toBe(0);
    expect(new DataView(attr.buffer).getUint32(4, true)).toBe(id);
    const fd2 = t.sys_bpf(CMD.PROG_GET_FD_BY_ID, enc(CMD.PROG_GET_FD_BY_ID, { prog_id: id }), 4);
    expect(fd2).toBeGreaterThan(fd);
    expect(progId(t, fd2)).toBe(id);
    expect(t.close(fd)).toBe(0);
    expect(progId(t, fd2)).toBe(id);
    expect(t.close(fd2)).toBe(0);
    expect(t.sys_bpf(CMD.PROG_GET_FD_BY_ID, enc(CMD.PROG_GET_FD_BY_ID, { prog_id: id }), 4)).toBe(-ENOENT);
    expect(t.sys_bpf(CMD.PROG_GET_NEXT_ID, enc(CMD.PROG_GET_NEXT_ID, { start_id: 0 }), 8)).toBe(-ENOENT);
  });

  it("PROG_GET_FD_BY_ID needs CAP_SYS_ADMIN (C23)", () => {
    const k = new Kernel();
    const root = k.spawn();
    const id = progId(root, load(root, 1, ret0));
    const t = k.spawn({ caps: ["CAP_BPF"] });
    expect(t.sys_bpf(CMD.PROG_GET_FD_BY_ID, enc(CMD.PROG_GET_FD_BY_ID, { prog_id: id }), 4)).toBe(-EPERM);
  });

  it("a pin keeps the program (and its id) alive after the fds close", () => {
    const t = new Kernel().spawn();
    const fd = load(t, 1, ret0);
    const id = progId(t, fd);
    const path = put(t, new TextEncoder().encode("/sys/fs/bpf/p\0"));
    expect(t.sys_bpf(CMD.OBJ_PIN, enc(CMD.OBJ_PIN, { pathname: path, bpf_fd: fd }), 24)).toBe(0);
    expect(t.close(fd)).toBe(0);
    const got = t.sys_bpf(CMD.OBJ_GET, enc(CMD.OBJ_GET, { pathname: path }), 24);
    expect(got).toBeGreaterThanOrEqual(0);
    expect(progId(t, got)).toBe(id);
    expect(t.close(got)).toBe(0);
    expect(t.unlink("/sys/fs/bpf/p")).toBe(0);
    expect(t.sys_bpf(CMD.PROG_GET_FD_BY_ID, enc(CMD.PROG_GET_FD_BY_ID, { prog_id: id }), 4)).toBe(-ENOENT);
  });

  it("the maps a program uses live as long as the program", () => {
    const t = new Kernel().spawn();
    const mfd = t.sys_bpf(CMD.MAP_CREATE, enc(CMD.MAP_CREATE, { map_type: 2, key_size: 4, value_size: 8, max_entries: 1 }), 72);
    const minfo = put(t, new Uint8Array(104));
    t.sys_bpf(CMD.OBJ_GET_INFO_BY_FD, enc(CMD.OBJ_GET_INFO_BY_FD, { "info.bpf_fd": mfd, "info.info_len": 104, "info.info": minfo }), 16);
    const mapId = new DataView(t.memory.read(minfo, 8).buffer).getUint32(4, true);
    const pfd = load(t, 1, A.prog(A.ldMapFd(1, mfd), A.mov64i(0, 0), A.exit()));
    expect(pfd).toBeGreaterThanOrEqual(0);
    expect(t.close(mfd)).toBe(0);
    const again = t.sys_bpf(CMD.MAP_GET_FD_BY_ID, enc(CMD.MAP_GET_FD_BY_ID, { map_id: mapId }), 12);
    expect(again).toBeGreaterThanOrEqual(0);
    expect(t.close(again)).toBe(0);
    expect(t.close(pfd)).toBe(0);
    expect(t.sys_bpf(CMD.MAP_GET_FD_BY_ID, enc(CMD.MAP_GET_FD_BY_ID, { map_id: mapId }), 12)).toBe(-ENOENT);
  });
});

describe("PROG_BIND_MAP (probes BM1-BM4)", () => {
  const setup = (): { t: Task; pfd: number; mfd: number } => {
    const t = new Kernel().spawn();
    const mfd = t.sys_bpf(CMD.MAP_CREATE, enc(CMD.MAP_CREATE, { map_type: 2, key_size: 4, value_size: 8, max_entries: 1 }), 72);
    return { t, mfd, pfd: load(t, 1, ret0) };
  };
  const bind = (t: Task, prog: number, map: number, flags = 0): number => t.sys_bpf(CMD.PROG_BIND_MAP, enc(CMD.PROG_BIND_MAP, { "prog_bind_map.prog_fd": prog, "prog_bind_map.map_fd": map, "prog_bind_map.flags": flags }), 12);
  it("BM1 flags=1 → EINVAL", () => {
    const { t, pfd, mfd } = setup();
    expect(bind(t, pfd, mfd, 1)).toBe(-EINVAL);
  });
  it("BM2 prog_fd is a map → EINVAL", () => {
    const { t, mfd } = setup();
    expect(bind(t, mfd, mfd)).toBe(-EINVAL);
  });
  it("BM3 map_fd is a prog → EINVAL", () => {
    const { t, pfd } = setup();
    expect(bind(t, pfd, pfd)).toBe(-EINVAL);
  });
  it("BM4 ok → 0, and the bound map shows in nr_map_ids", () => {
    const { t, pfd, mfd } = setup();
    expect(bind(t, pfd, mfd)).toBe(0);
    expect(bind(t, pfd, mfd)).toBe(0);
    const buf = put(t, new Uint8Array(232));
    t.sys_bpf(CMD.OBJ_GET_INFO_BY_FD, enc(CMD.OBJ_GET_INFO_BY_FD, { "info.bpf_fd": pfd, "info.info_len": 232, "info.info": buf }), 16);
    expect(new DataView(t.memory.read(buf, 56).buffer).getUint32(52, true)).toBe(1);
  });
});

describe("PROG_TEST_RUN (probes TR1-TR3)", () => {
  it("TR1 ctx_size_in without ctx_in → EINVAL", () => {
    const t = new Kernel().spawn();
    const fd = load(t, 1, ret0);
    expect(t.sys_bpf(CMD.PROG_TEST_RUN, enc(CMD.PROG_TEST_RUN, { "test.prog_fd": fd, "test.ctx_size_in": 4 }), 80)).toBe(-EINVAL);
  });
  it("TR2 bad prog fd → EBADF", () => {
    const t = new Kernel().spawn();
    expect(t.sys_bpf(CMD.PROG_TEST_RUN, enc(CMD.PROG_TEST_RUN, { "test.prog_fd": 99 }), 80)).toBe(-EBADF);
  });
  it("TR3 socket filter with data_size_in 0 → EINVAL", () => {
    const t = new Kernel().spawn();
    const fd = load(t, 1, ret0);
    expect(t.sys_bpf(CMD.PROG_TEST_RUN, enc(CMD.PROG_TEST_RUN, { "test.prog_fd": fd }), 80)).toBe(-EINVAL);
  });
});

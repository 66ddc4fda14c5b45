// SPDX-License-Identifier: GPL-2.0-only
// Probed rows of ../shared/probes (probe_output.txt, probe2_output.txt) as
// unit tests: each expected value is what the live 6.18 kernel returned for
// the same bytes. IDs in the test names are the probe IDs.

import { describe, expect, it } from "vitest";
import { Kernel, linux_6_18 } from "../src/index.ts";
import { encodeAttr } from "../src/abi/decode.ts";
import { E2BIG, EBADF, EBADFD, EFAULT, EINVAL, ENOENT, EOPNOTSUPP, EPERM } from "../src/abi/errno.ts";

type V = Record<string, number | bigint | Uint8Array>;
const A = (cmd: number, v: V = {}): Uint8Array => encodeAttr(linux_6_18, cmd, v);
const arr = { map_type: 2, key_size: 4, value_size: 8, max_entries: 1 };

function run(cmd: number, attr: Uint8Array, size = 168, as: "root" | "nocap" = "root"): number {
  const k = new Kernel();
  const t = as === "root" ? k.spawn() : k.spawn({ caps: [] });
  return t.sys_bpf(cmd, attr, size);
}

function withByte(a: Uint8Array, off: number, v = 1): Uint8Array {
  const b = new Uint8Array(Math.max(a.length, off + 1));
  b.set(a);
  b[off] = v;
  return b;
}

describe("entry path (probes E1-E12)", () => {
  it("E1 size 4097 → E2BIG", () => expect(run(0, new Uint8Array(8192), 4097)).toBe(-E2BIG));
  it("E2 size 4097 with unknown cmd 99 → E2BIG (size first)", () => expect(run(99, new Uint8Array(8192), 4097)).toBe(-E2BIG));
  it("E3 byte 168 non-zero, size 169 → E2BIG", () => expect(run(0, withByte(A(0, arr), 168), 169)).toBe(-E2BIG));
  it("E4 byte 4095 non-zero, size 4096 → E2BIG", () => expect(run(0, withByte(A(0, arr), 4095), 4096)).toBe(-E2BIG));
  it("E6 cmd 38 → EINVAL", () => expect(run(38, new Uint8Array(168))).toBe(-EINVAL));
  it("E7 cmd -1 → EINVAL", () => expect(run(-1, new Uint8Array(168))).toBe(-EINVAL));
  it("E8 NULL attr, size 8 → EFAULT", () => expect(run(0, new Uint8Array(0), 8)).toBe(-EFAULT));
  it("E9 NULL attr, size 0 → EINVAL (map_type 0)", () => expect(run(0, new Uint8Array(0), 0)).toBe(-EINVAL));
  it("E10 NULL attr, size 4097 → E2BIG", () => expect(run(0, new Uint8Array(0), 4097)).toBe(-E2BIG));
  it("E11 NULL attr, size 200 → EFAULT (tail check faults)", () => expect(run(0, new Uint8Array(0), 200)).toBe(-EFAULT));
});

describe("MAP_CREATE errors (probes M1-M28)", () => {
  it("M1 byte 92 → EINVAL", () => expect(run(0, withByte(A(0, arr), 92))).toBe(-EINVAL));
  it("M2 byte 167 → EINVAL", () => expect(run(0, withByte(A(0, arr), 167))).toBe(-EINVAL));
  it("M3 map_type 34 → EINVAL", () => expect(run(0, A(0, { ...arr, map_type: 34 }))).toBe(-EINVAL));
  it("M4 map_type 0 → EINVAL", () => expect(run(0, A(0, { ...arr, map_type: 0 }))).toBe(-EINVAL));
  it("M5 RDONLY|WRONLY → EINVAL", () => expect(run(0, A(0, { ...arr, map_flags: 0x18 }))).toBe(-EINVAL));
  it("M6 HASH map_extra=1 → EINVAL", () => expect(run(0, A(0, { map_type: 1, key_size: 4, value_size: 8, max_entries: 1, map_extra: 1n }))).toBe(-EINVAL));
  it("M7 btf_key_type_id without value id → EINVAL", () => expect(run(0, A(0, { ...arr, btf_key_type_id: 1 }))).toBe(-EINVAL));
  it("M8 btf_vmlinux_value_type_id on HASH → EINVAL", () => expect(run(0, A(0, { map_type: 1, key_size: 4, value_size: 8, max_entries: 1, btf_vmlinux_value_type_id: 1 }))).toBe(-EINVAL));
  it("M9 NUMA_NODE numa_node=1000 → EINVAL", () => expect(run(0, A(0, { ...arr, map_flags: 4, numa_node: 1000 }))).toBe(-EINVAL));
  it("M11 map_name 'bad-name' → EINVAL", () => expect(run(0, A(0, { ...arr, map_name: new TextEncoder().encode("bad-name") }))).toBe(-EINVAL));
  it("M12 map_name 16 chars, no NUL → EINVAL", () => expect(run(0, A(0, { ...arr, map_name: new TextEncoder().encode("abcdefghijklmnop") }))).toBe(-EINVAL));
  it("M14 ARRAY key_size 8 → EINVAL", () => expect(run(0, A(0, { ...arr, key_size: 8 }))).toBe(-EINVAL));
  it("M15 ARRAY max_entries 0 → EINVAL", () => expect(run(0, A(0, { ...arr, max_entries: 0 }))).toBe(-EINVAL));
  it("M16 ARRAY value_size 0 → EINVAL", () => expect(run(0, A(0, { ...arr, value_size: 0 }))).toBe(-EINVAL));
  it("M17 ARRAY value_size 0x80000000 → E2BIG", () => expect(run(0, A(0, { ...arr, value_size: 0x80000000 }))).toBe(-E2BIG));
  it("M18 PERCPU_ARRAY value_size 40000 → E2BIG", () => expect(run(0, A(0, { ...arr, map_type: 6, value_size: 40000 }))).toBe(-E2BIG));
  it("M19 ARRAY NO_PREALLOC → EINVAL", () => expect(run(0, A(0, { ...arr, map_flags: 1 }))).toBe(-EINVAL));
  it("M20 HASH MMAPABLE → EINVAL", () => expect(run(0, A(0, { map_type: 1, key_size: 4, value_size: 8, max_entries: 1, map_flags: 0x400 }))).toBe(-EINVAL));
  it("M21 HASH key_size 0 → EINVAL", () => expect(run(0, A(0, { map_type: 1, key_size: 0, value_size: 8, max_entries: 1 }))).toBe(-EINVAL));
  it("M22 HASH NO_COMMON_LRU → EINVAL", () => expect(run(0, A(0, { map_type: 1, key_size: 4, value_size: 8, max_entries: 1, map_flags: 2 }))).toBe(-EINVAL));
  it("M23 LRU_HASH NO_PREALLOC → ENOTSUPP", () => expect(run(0, A(0, { map_type: 9, key_size: 4, value_size: 8, max_entries: 1, map_flags: 1 }))).toBe(-524));
  it("M24 HASH RDONLY_PROG|WRONLY_PROG → EINVAL", () => expect(run(0, A(0, { map_type: 1, key_size: 4, value_size: 8, max_entries: 1, map_flags: 0x180 }))).toBe(-EINVAL));
  it("M26 TOKEN_FD with map_token_fd -1 → EBADF", () => expect(run(0, A(0, { ...arr, map_flags: 0x10000, map_token_fd: -1 }))).toBe(-EBADF));
  it("M27 TOKEN_FD with map_token_fd 0 (not a token) → EINVAL", () => expect(run(0, A(0, { ...arr, map_flags: 0x10000, map_token_fd: 0 }))).toBe(-EINVAL));
  it("M28 bad map_type and bad token fd → EINVAL (type first)", () => expect(run(0, A(0, { ...arr, map_type: 99, map_flags: 0x10000, map_token_fd: -1 }))).toBe(-EINVAL));
  it("M34 map_ifindex 1 (lo) → EOPNOTSUPP", () => expect(run(0, A(0, { ...arr, map_ifindex: 1 }))).toBe(-EOPNOTSUPP));
});

describe("PROG_LOAD before the verifier (probes P1-P9, P17)", () => {
  const insns = 0x10000n;
  it("P1 prog_flags bit 30 → EINVAL", () => expect(run(5, A(5, { prog_type: 1, insn_cnt: 2, prog_flags: 1 << 30 }))).toBe(-EINVAL));
  it("P2 insn_cnt 0 → E2BIG", () => expect(run(5, A(5, { prog_type: 1, insn_cnt: 0 }))).toBe(-E2BIG));
  it("P3 insn_cnt 1000001 → E2BIG", () => expect(run(5, A(5, { prog_type: 1, insn_cnt: 1000001 }))).toBe(-E2BIG));
  it("P7 insns pointer invalid → EFAULT", () => expect(run(5, A(5, { prog_type: 1, insn_cnt: 2, insns }))).toBe(-EFAULT));
  it("P9 TOKEN_FD prog_token_fd -1 → EBADF", () => expect(run(5, A(5, { prog_type: 1, insn_cnt: 2, prog_flags: 0x10000, prog_token_fd: -1 }))).toBe(-EBADF));
  it("P17 attach_prog_fd bad → EINVAL", () => expect(run(5, A(5, { prog_type: 26, insn_cnt: 2, attach_prog_fd: 77 }))).toBe(-EINVAL));
});

describe("ids, info, pin, token (probes I, G, O, T)", () => {
  it("I1 PROG_GET_NEXT_ID start INT_MAX → EINVAL", () => expect(run(11, A(11, { start_id: 0x7fffffff }))).toBe(-EINVAL));
  it("I2 MAP_GET_NEXT_ID start INT_MAX-1 → ENOENT", () => expect(run(12, A(12, { start_id: 0x7ffffffe }))).toBe(-ENOENT));
  it("I3 BTF_GET_NEXT_ID byte 8 → EINVAL", () => expect(run(23, withByte(A(23), 8))).toBe(-EINVAL));
  it("I4 PROG_GET_FD_BY_ID id 0 → ENOENT", () => expect(run(13, A(13))).toBe(-ENOENT));
  it("I5 MAP_GET_FD_BY_ID open_flags 0x20 → EINVAL", () => expect(run(14, A(14, { open_flags: 0x20 }))).toBe(-EINVAL));
  it("I6 MAP_GET_FD_BY_ID RDONLY|WRONLY → EINVAL", () => expect(run(14, A(14, { open_flags: 0x18 }))).toBe(-EINVAL));
  it("I7 MAP_GET_FD_BY_ID byte 12 → EINVAL", () => expect(run(14, withByte(A(14), 12))).toBe(-EINVAL));
  it("I8 BTF_GET_FD_BY_ID open_flags 2 → EINVAL", () => expect(run(19, A(19, { open_flags: 2 }))).toBe(-EINVAL));
  it("I9 BTF_GET_FD_BY_ID TOKEN_FD bad → EBADF", () => expect(run(19, A(19, { open_flags: 0x10000, fd_by_id_token_fd: -1 }))).toBe(-EBADF));
  it("I10 LINK_GET_FD_BY_ID id 0 → ENOENT", () => expect(run(30, A(30))).toBe(-ENOENT));
  it("G1 GET_INFO bad fd → EBADFD", () => expect(run(15, A(15, { "info.bpf_fd": 99 }))).toBe(-EBADFD));
  it("G2 GET_INFO on stdin → EINVAL", () => expect(run(15, A(15, { "info.bpf_fd": 0 }))).toBe(-EINVAL));
  it("G9 GET_INFO byte 16 → EINVAL", () => expect(run(15, withByte(A(15), 16))).toBe(-EINVAL));
  it("O1 PIN file_flags 1 → EINVAL", () => expect(run(6, A(6, { file_flags: 1 }))).toBe(-EINVAL));
  it("O2 PIN path_fd without PATH_FD → EINVAL", () => expect(run(6, A(6, { path_fd: 3 }))).toBe(-EINVAL));
  it("O3 PIN bad bpf_fd → EINVAL", () => expect(run(6, A(6, { bpf_fd: 99 }))).toBe(-EINVAL));
  it("O4 PIN stdin → EINVAL", () => expect(run(6, A(6, { bpf_fd: 0 }))).toBe(-EINVAL));
  it("O8 GET with bpf_fd → EINVAL", () => expect(run(7, A(7, { bpf_fd: 1 }))).toBe(-EINVAL));
  it("O9 GET RDONLY|WRONLY → EINVAL", () => expect(run(7, A(7, { file_flags: 0x18 }))).toBe(-EINVAL));
  it("O10 GET file_flags 4 → EINVAL", () => expect(run(7, A(7, { file_flags: 4 }))).toBe(-EINVAL));
  it("T1 TOKEN_CREATE flags 1 → EINVAL", () => expect(run(36, A(36, { "token_create.flags": 1 }))).toBe(-EINVAL));
  it("T2 TOKEN_CREATE byte 8 → EINVAL", () => expect(run(36, withByte(A(36), 8))).toBe(-EINVAL));
  it("T3 TOKEN_CREATE bad bpffs_fd → EBADF", () => expect(run(36, A(36, { "token_create.bpffs_fd": 0xffffff }))).toBe(-EBADF));
});

describe("without capabilities (probes C1-C25)", () => {
  const nocap = (cmd: number, a: Uint8Array) => run(cmd, a, 168, "nocap");
  it("C1 MAP_CREATE ARRAY → EPERM", () => expect(nocap(0, A(0, arr))).toBe(-EPERM));
  it("C2 CHECK_ATTR first → EINVAL", () => expect(nocap(0, withByte(A(0, arr), 100))).toBe(-EINVAL));
  it("C3 map_type 34 → EINVAL", () => expect(nocap(0, A(0, { ...arr, map_type: 34 }))).toBe(-EINVAL));
  it("C4 alloc_check before permission → EINVAL", () => expect(nocap(0, A(0, { ...arr, key_size: 8 }))).toBe(-EINVAL));
  it("C5 HASH ZERO_SEED → EPERM (capable in alloc_check)", () => expect(nocap(0, A(0, { map_type: 1, key_size: 4, value_size: 8, max_entries: 1, map_flags: 0x40 }))).toBe(-EPERM));
  it("C6 PROG_LOAD SOCKET_FILTER → EPERM", () => expect(nocap(5, A(5, { prog_type: 1, insn_cnt: 2 }))).toBe(-EPERM));
  it("C7 PROG_LOAD insn_cnt 0 → EPERM (sysctl before E2BIG)", () => expect(nocap(5, A(5, { prog_type: 1, insn_cnt: 0 }))).toBe(-EPERM));
  it("C8 PROG_LOAD bad prog_flags → EINVAL", () => expect(nocap(5, A(5, { prog_type: 1, insn_cnt: 2, prog_flags: 1 << 30 }))).toBe(-EINVAL));
  it("C9 PROG_GET_NEXT_ID → EPERM", () => expect(nocap(11, A(11))).toBe(-EPERM));
  it("C10 PROG_GET_NEXT_ID INT_MAX → EINVAL first", () => expect(nocap(11, A(11, { start_id: 0x7fffffff }))).toBe(-EINVAL));
  it("C11 PROG_QUERY CHECK_ATTR violation → EPERM (capability first)", () => expect(nocap(16, withByte(A(16), 64))).toBe(-EPERM));
  it("C12 BTF_LOAD → EPERM", () => expect(nocap(18, A(18))).toBe(-EPERM));
  it("C13 BTF_LOAD btf_flags 2 → EINVAL", () => expect(nocap(18, A(18, { btf_flags: 2 }))).toBe(-EINVAL));
  it("C14 MAP_GET_FD_BY_ID open_flags 0x20 → EINVAL", () => expect(nocap(14, A(14, { map_id: 1, open_flags: 0x20 }))).toBe(-EINVAL));
  it("C15 MAP_GET_FD_BY_ID → EPERM", () => expect(nocap(14, A(14, { map_id: 1 }))).toBe(-EPERM));
  it("C16 BTF_GET_FD_BY_ID → EPERM", () => expect(nocap(19, A(19, { btf_id: 1 }))).toBe(-EPERM));
  it("C17 LINK_GET_FD_BY_ID → EPERM", () => expect(nocap(30, A(30, { link_id: 1 }))).toBe(-EPERM));
  it("C18 ENABLE_STATS → EPERM", () => expect(nocap(32, A(32))).toBe(-EPERM));
  it("C19 TASK_FD_QUERY → EPERM", () => expect(nocap(20, A(20, { "task_fd_query.pid": 100 }))).toBe(-EPERM));
  it("C23 PROG_GET_FD_BY_ID → EPERM", () => expect(nocap(13, A(13, { prog_id: 1 }))).toBe(-EPERM));
  it("C24 PROG_QUERY → EPERM", () => expect(nocap(16, A(16))).toBe(-EPERM));
  it("C25 TOKEN_CREATE bad fd → EBADF (no capability check first)", () => expect(nocap(36, A(36, { "token_create.bpffs_fd": 0xffffff }))).toBe(-EBADF));
});

describe("reasons", () => {
  it("every negative return names its check", () => {
    const t = new Kernel().spawn();
    expect(t.sys_bpf(0, withByte(A(0, arr), 93), 168)).toBe(-EINVAL);
    expect(t.lastError?.reason).toMatch(/CHECK_ATTR\(BPF_MAP_CREATE\): byte 93/);
    expect(t.sys_bpf(15, A(15, { "info.bpf_fd": 99 }), 168)).toBe(-EBADFD);
    expect(t.lastError?.name).toBe("EBADFD");
    expect(t.lastError?.reason).toMatch(/info\.bpf_fd 99/);
  });
});

describe("O_PATH fds look closed to bpf() (fdget ignores them; probed on 6.18 by the bpffs work)", () => {
  it("MAP_LOOKUP_ELEM → EBADF, OBJ_GET_INFO_BY_FD → EBADFD, TOKEN_CREATE → EBADF", () => {
    const t = new Kernel().spawn();
    const map = t.sys_bpf(0, A(0, arr), 168);
    expect(map).toBe(3);
    t.memory.map(0x10000n, 4096);
    t.memory.write(0x10000n, new TextEncoder().encode("/sys/fs/bpf/m\0"));
    expect(t.sys_bpf(6, A(6, { pathname: 0x10000n, bpf_fd: map }), 168)).toBe(0);
    const p = t.open("/sys/fs/bpf/m", 0o10000000 /* O_PATH */);
    expect(p).toBe(4);
    expect(t.sys_bpf(1, A(1, { map_fd: p, key: 0x10100n, value: 0x10200n }), 168)).toBe(-EBADF);
    expect(t.sys_bpf(15, A(15, { "info.bpf_fd": p }), 168)).toBe(-EBADFD);
    const dir = t.open("/sys/fs/bpf", 0o10000000);
    expect(t.sys_bpf(36, A(36, { "token_create.bpffs_fd": dir }), 168)).toBe(-EBADF);
    expect(t.close(p)).toBe(0);
  });
});

// SPDX-License-Identifier: GPL-2.0-only
// A program's tag and xlated dump are built when first read, from a snapshot
// taken at load (kernel/prog.ts), while the verifier reuses its instruction
// arrays for every load and program copies share slabs. This checks that the
// snapshot is the program's own: 400 programs loaded one after another, their
// prog info first read only after the last load, give byte for byte what a
// read right after each load gives on a second kernel. Those right-after reads
// are compared with the live kernel's by test/xlated.test.ts; this test needs
// no kernel. (It fails when program copies alias: checked by making every
// copy start at the same slab offset.)

import { describe, expect, it } from "vitest";
import { Kernel } from "../src/index.ts";
import { prog2Cases } from "../src/corpus/progs2.ts";
import { encodeAttr } from "../src/abi/decode.ts";
import { linux_6_18 } from "../src/uapi/gen/linux-6.18.ts";
import { BPF_CMD } from "../src/uapi/gen/consts-6.18.ts";

const INSNS = 0x10000000n;
const LICENSE = 0x10100000n;
const INFO = 0x10200000n;
const XLATED = 0x10300000n;
const INFO_LEN = 232;
const XL_MAX = 0x8000;

/** A task with the test's memory mapped, and prog info of `fd` as text (first 24 bytes of bpf_prog_info, then the xlated insns). */
function setup(): { load: (c: { type: number; insns: Uint8Array }) => number; info: (fd: number) => string } {
  const t = new Kernel().spawn();
  t.memory.map(INSNS, 0x100000);
  t.memory.map(LICENSE, 0x1000);
  t.memory.map(INFO, 0x1000);
  t.memory.map(XLATED, 0x10000);
  t.memory.write(LICENSE, new TextEncoder().encode("GPL\0"));
  const load = (c: { type: number; insns: Uint8Array }): number => {
    t.memory.write(INSNS, c.insns);
    const a = encodeAttr(linux_6_18, BPF_CMD.PROG_LOAD, { prog_type: c.type, insn_cnt: c.insns.length / 8, insns: INSNS, license: LICENSE }).slice(0, 148);
    return t.sys_bpf(BPF_CMD.PROG_LOAD, a, 148);
  };
  const info = (fd: number): string => {
    const ib = new Uint8Array(INFO_LEN);
    const dv = new DataView(ib.buffer);
    dv.setUint32(20, XL_MAX, true); // xlated_prog_len
    dv.setBigUint64(32, XLATED, true); // xlated_prog_insns
    t.memory.write(INFO, ib);
    t.memory.write(XLATED, new Uint8Array(XL_MAX));
    const a = encodeAttr(linux_6_18, BPF_CMD.OBJ_GET_INFO_BY_FD, { "info.bpf_fd": fd, "info.info_len": INFO_LEN, "info.info": INFO }).slice(0, 16);
    expect(t.sys_bpf(BPF_CMD.OBJ_GET_INFO_BY_FD, a, 16), t.lastError?.reason).toBe(0);
    const got = t.memory.read(INFO, INFO_LEN);
    const xlLen = new DataView(got.buffer, got.byteOffset).getUint32(20, true);
    // type, id, tag, jited_prog_len, xlated_prog_len; then the dump.
    return `${Buffer.from(got.subarray(0, 24)).toString("hex")}:${Buffer.from(t.memory.read(XLATED, xlLen)).toString("hex")}`;
  };
  return { load, info };
}

describe("prog info built on first read", () => {
  it("first read after 400 later loads is what a read right after the load gives (tag, lengths, xlated insns)", () => {
    const cases = prog2Cases().filter((c) => !c.maps?.length && !c.env && !c.o);
    // Right after each load, on one kernel.
    const a = setup();
    const early = new Map<number, string>();
    const loaded: typeof cases = [];
    for (const c of cases) {
      const fd = a.load(c);
      if (fd < 0) continue;
      early.set(fd, a.info(fd));
      loaded.push(c);
      if (loaded.length === 400) break;
    }
    expect(loaded.length).toBe(400);
    // The check means something only if the programs differ.
    expect(new Set(early.values()).size).toBeGreaterThan(100);
    // The same loads on a second kernel, every program's info first read at the end.
    const b = setup();
    const fds = loaded.map((c) => b.load(c));
    expect(fds).toEqual([...early.keys()]);
    const late = fds.filter((fd) => b.info(fd) !== early.get(fd));
    expect(late).toEqual([]);
  });
});

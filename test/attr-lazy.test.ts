// SPDX-License-Identifier: GPL-2.0-only
// MAP_CREATE, TOKEN_CREATE and BTF_LOAD run without the caller's attr
// installed in the address space until the handler reads user memory
// (sys_bpf_lazy in src/kernel/syscall.ts); the only user memory MAP_CREATE
// reads is excl_prog_hash, BTF_LOAD's are the blob, the log and
// btf_log_true_size. These ops point that hash into the attr itself, past its
// end, into the rest of its page and into ordinary memory, and pass attrs
// longer than `size`, recorded afresh on the live kernel (every expected
// value comes from there) and replayed on the emulator, with fresh attr
// arrays (the trace replayer) and with one array passed twice in a row (the
// copy through a word view of the caller's array).

import { describe, expect, it } from "vitest";
import { ATTR_END } from "../src/abi/uaccess.ts";
import { Kernel } from "../src/index.ts";
import { kernelAvailability, runTracesOnKernel } from "../src/oracle/native.ts";
import type { BpfOp, Trace, TraceOp } from "../src/trace/format.ts";
import { differences } from "./support/replay.ts";

const avail = kernelAvailability();
if (!avail.ok) console.log(`[attr-lazy.test] live-kernel comparison skipped: ${avail.reason}`);

const MAP_CREATE = 0, MAP_LOOKUP_ELEM = 1, BTF_LOAD = 18, TOKEN_CREATE = 36;
const ARRAY = 2;
const MEM = 0x10000000n;
// union bpf_attr offsets of MAP_CREATE (pahole, /work/shared/probes): map_name 28, excl_prog_hash 80, excl_prog_hash_size 88.
const MAP_NAME = 28, EXCL_HASH = 80, EXCL_SIZE = 88;

function createAttr(len: number, hash: bigint, hsize: number, name = "", junkFrom = -1): Uint8Array {
  const b = new Uint8Array(len);
  const v = new DataView(b.buffer);
  v.setUint32(0, ARRAY, true);
  v.setUint32(4, 4, true);
  v.setUint32(8, 8, true);
  v.setUint32(12, 1, true);
  for (let i = 0; i < name.length; i++) b[MAP_NAME + i] = name.charCodeAt(i);
  v.setBigUint64(EXCL_HASH, hash, true);
  v.setUint32(EXCL_SIZE, hsize, true);
  // Bytes past `size` that the kernel never copies.
  if (junkFrom >= 0) for (let i = junkFrom; i < len; i++) b[i] = 0xa5;
  return b;
}

/** BTF_LOAD attr (40 bytes): btf 0, btf_log_buf 8, btf_size 16, btf_log_size 20, btf_log_level 24 (btf_log_true_size 28 is written back). */
function btfAttr(btf: bigint, size: number, logBuf: bigint, logSize: number, level: number): Uint8Array {
  const b = new Uint8Array(40);
  const v = new DataView(b.buffer);
  v.setBigUint64(0, btf, true);
  v.setBigUint64(8, logBuf, true);
  v.setUint32(16, size, true);
  v.setUint32(20, logSize, true);
  v.setUint32(24, level, true);
  return b;
}

function bpf(cmd: number, size: number, attr: Uint8Array, note: string): BpfOp {
  return { op: "bpf", cmd, size, attr, note };
}

function ops(): TraceOp[] {
  const own = createAttr(96, ATTR_END - 96n, 32, "own");
  const page = createAttr(96, ATTR_END - 4096n, 32);
  const mem = createAttr(96, MEM, 32, "m");
  const longer = createAttr(128, ATTR_END - 128n, 32, "", 96);
  return [
    { op: "map", addr: MEM, len: 4096, bytes: new Uint8Array(32).fill(7) },
    bpf(MAP_CREATE, 96, own, "hash at the attr's own start"),
    bpf(MAP_CREATE, 96, own, "the same array again"),
    bpf(MAP_CREATE, 96, createAttr(96, ATTR_END - 16n, 32), "hash runs past the attr into the unmapped page"),
    bpf(MAP_CREATE, 96, createAttr(96, ATTR_END - 64n, 32), "hash in the attr's last 64 bytes"),
    bpf(MAP_CREATE, 96, page, "hash at the start of the attr's page, below the attr"),
    bpf(MAP_CREATE, 96, page, "the same array again"),
    bpf(MAP_CREATE, 96, mem, "hash in ordinary memory"),
    bpf(MAP_CREATE, 96, createAttr(96, 0n, 32), "size without hash"),
    bpf(MAP_CREATE, 96, createAttr(96, MEM, 16), "hash with size 16"),
    bpf(MAP_CREATE, 96, createAttr(96, 0x1000n, 32), "hash in an unmapped page"),
    bpf(MAP_CREATE, 96, longer, "attr longer than size, junk past it, hash at its start"),
    bpf(MAP_CREATE, 96, longer, "the same array again"),
    bpf(MAP_CREATE, 100, longer, "size 100 reaches the junk: CHECK_ATTR"),
    bpf(MAP_LOOKUP_ELEM, 32, new Uint8Array(32), "an element command between (fd 0 is not a map)"),
    bpf(MAP_CREATE, 96, mem, "hash in ordinary memory again"),
    bpf(BTF_LOAD, 40, btfAttr(MEM + 0x100n, 24, MEM + 0x200n, 256, 1), "a rejected blob, its log and btf_log_true_size"),
    bpf(BTF_LOAD, 40, btfAttr(ATTR_END - 40n, 40, MEM + 0x200n, 256, 1), "the attr itself as the blob"),
    bpf(BTF_LOAD, 40, btfAttr(MEM + 0x100n, 24, ATTR_END - 8n, 8, 1), "the log into the attr's last 8 bytes"),
    bpf(BTF_LOAD, 40, btfAttr(MEM + 0x100n, 24, 0n, 0, 0), "no log"),
    bpf(TOKEN_CREATE, 8, new Uint8Array(8), "TOKEN_CREATE on fd 0"),
    bpf(TOKEN_CREATE, 8, new Uint8Array(8), "and again"),
  ];
}

const trace = (): Trace => ({ name: "attr-lazy", description: "", abi: "linux-6.18", env: { kind: "root" }, recordedOn: null, ops: ops() });

describe("MAP_CREATE, TOKEN_CREATE and BTF_LOAD without the attr in the address space", () => {
  it.skipIf(!avail.ok)(
    "agree with the live kernel, fresh attr arrays and repeated ones",
    async () => {
      const orig = trace();
      const [fresh] = await runTracesOnKernel([orig], { timeoutMs: 20000 });
      // Fresh arrays per call (the trace replayer slices each attr).
      expect(differences([fresh!]).diffs).toEqual([]);
      // The trace's own arrays, one passed twice in a row where the trace repeats it.
      const t = new Kernel().spawn();
      const got: number[] = [];
      const want: number[] = [];
      orig.ops.forEach((op, i) => {
        const rec = fresh!.ops[i]!;
        if (op.op === "map") {
          t.memory.map(op.addr, op.len);
          if (op.bytes !== undefined) t.memory.write(op.addr, op.bytes);
        } else if (op.op === "bpf" && rec.op === "bpf") {
          got.push(t.sys_bpf(op.cmd, op.attr, op.size));
          want.push(rec.expect!.ret);
        }
      });
      console.log(`[attr-lazy.test] kernel: ${want.join(",")}`);
      expect(got).toEqual(want);
      // What the kernel said, so that a runner change that stops exercising the cases shows here.
      expect(want.filter((r) => r >= 0).length).toBeGreaterThanOrEqual(4);
      expect(want).toContain(-14);
    },
    60000,
  );
});

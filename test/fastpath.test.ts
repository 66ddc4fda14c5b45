// SPDX-License-Identifier: GPL-2.0-only
// The fast path (src/kernel/fastpath.ts) against the generic path, call by
// call. The fast path may only ever answer what __sys_bpf and the map
// handlers would; the generic path is the one checked against the kernel
// (maps.test.ts, traces.test.ts, entry-sweep.test.ts). Here two kernels get
// the same random stream of element calls, one through the fast path and one
// with it switched off, and every return, errno, reason and byte of user
// memory must agree. The stream is made to reach the fast path's edges:
// closed, reused and frozen fds, maps of types and sizes it must refuse,
// NULL, unmapped, untouched and page-straddling pointers, overlapping key and
// value, pointers into the attr itself, flags, short sizes and tails.

import { describe, expect, it } from "vitest";
import { Kernel, type Task } from "../src/index.ts";
import { bpf_fast, bpf_fast_tail, FAST_MISS, setFastPath } from "../src/kernel/fastpath.ts";
import { encodeAttr } from "../src/abi/decode.ts";
import { ATTR_END } from "../src/abi/uaccess.ts";
import { linux_6_18 } from "../src/uapi/gen/linux-6.18.ts";
import { BPF_CMD, BPF_MAP_TYPE } from "../src/uapi/gen/consts-6.18.ts";

const T = linux_6_18;
const BASE = 0x10000000n;
/** Pages 0, 1 and 3 mapped (3 never written by setup: untouched), page 2 unmapped. */
const PAGES = [0, 1, 3];

function xorshift(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

interface Side {
  t: Task;
  fast: boolean;
}

/** bpf() on one side; with the fast path on, counts the calls it answered itself. */
function call(s: Side, cmd: number, attr: Uint8Array, size: number, hits: { n: number }): number {
  if (s.fast) {
    // sys_bpf's fast branches (the entry's tail check for any command, then the element commands), to see whether the fast path answered.
    s.t.beginCall();
    const attrSize = s.t.kernel.tables.attrSize;
    if (size > attrSize) {
      const r = bpf_fast_tail(s.t, attr, size, attrSize);
      if (r !== FAST_MISS) {
        hits.n++;
        return s.t.endCall(r, "");
      }
    }
    const r = bpf_fast(s.t, cmd, attr, size);
    if (r !== FAST_MISS) {
      hits.n++;
      return s.t.endCall(r, "");
    }
    return s.t.sys_bpf(cmd, attr, size);
  }
  setFastPath(false);
  try {
    return s.t.sys_bpf(cmd, attr, size);
  } finally {
    setFastPath(true);
  }
}

function memoryOf(t: Task): Uint8Array[] {
  return PAGES.map((p) => t.memory.read(BASE + BigInt(p * 4096), 4096));
}

describe("fast path", () => {
  it("answers every element call exactly as the generic path does (random stream of 30000 steps)", () => {
    const rnd = xorshift(0x5eed7);
    const pick = <X>(xs: readonly X[]): X => xs[Math.floor(rnd() * xs.length)]!;
    const sides: Side[] = [false, true].map((fast) => {
      const t = new Kernel().spawn();
      for (const p of PAGES) t.memory.map(BASE + BigInt(p * 4096), 4096);
      return { t, fast };
    });
    const hits = { n: 0 };
    const mapKinds: [number, number, number, number][] = [
      // type, key, value, max_entries
      [BPF_MAP_TYPE.ARRAY, 4, 8, 16],
      [BPF_MAP_TYPE.ARRAY, 4, 3, 16],
      [BPF_MAP_TYPE.ARRAY, 4, 24, 4],
      [BPF_MAP_TYPE.HASH, 4, 8, 8],
      [BPF_MAP_TYPE.HASH, 8, 8, 8],
      [BPF_MAP_TYPE.HASH, 5, 4, 8],
      [BPF_MAP_TYPE.HASH, 16, 24, 4],
      [BPF_MAP_TYPE.HASH, 4, 8, 2],
      [BPF_MAP_TYPE.PERCPU_ARRAY, 4, 8, 4],
      [BPF_MAP_TYPE.LRU_HASH, 4, 8, 4],
    ];
    const fds: number[] = [];
    const both = (cmd: number, attr: Uint8Array, size: number): void => {
      // Each side gets its own copy: a call may write into its attr (a pointer into the attr's pages). The copies sit at
      // offset 0, 4 or 1 of a larger buffer: 8-byte, 4-byte and no word views of the attr.
      const at = pick([0, 0, 4, 1]);
      const place = (): Uint8Array => {
        const a = new Uint8Array(attr.length + 8).subarray(at, at + attr.length);
        a.set(attr);
        return a;
      };
      const aa = place();
      const ab = place();
      const ra = call(sides[0]!, cmd, aa, size, hits);
      const rb = call(sides[1]!, cmd, ab, size, hits);
      const ctx = `cmd ${cmd} size ${size} attr ${Buffer.from(attr).toString("hex")}`;
      expect(rb, ctx).toBe(ra);
      expect(sides[1]!.t.lastError, ctx).toEqual(sides[0]!.t.lastError);
      expect(Buffer.from(ab).equals(Buffer.from(aa)), ctx).toBe(true);
      if (cmd === BPF_CMD.MAP_CREATE && ra >= 0 && !fds.includes(ra)) fds.push(ra);
    };
    const create = (): void => {
      const [type, key, value, max] = pick(mapKinds);
      const a = encodeAttr(T, BPF_CMD.MAP_CREATE, { map_type: type, key_size: key, value_size: value, max_entries: max });
      both(BPF_CMD.MAP_CREATE, a, T.commands[BPF_CMD.MAP_CREATE]!.end);
    };
    for (let i = 0; i < 8; i++) create();
    // Addresses: keys and values in a few slots of page 0 and 1 (some overlapping, some not 4-aligned), the page ends, page 2 (unmapped),
    // page 3 (mapped, untouched until something writes it), NULL, the attr's own pages, above TASK_SIZE_MAX.
    const ptrs: bigint[] = [BASE, BASE + 8n, BASE + 16n, BASE + 4096n + 64n, BASE + 4096n + 68n, BASE + 4096n + 66n, BASE + 3n, BASE + 4090n, BASE + 8192n, BASE + 3n * 4096n, 0n, ATTR_END - 32n, ATTR_END - 4096n, 0x800000000000n];
    const cmds = [BPF_CMD.MAP_LOOKUP_ELEM, BPF_CMD.MAP_UPDATE_ELEM, BPF_CMD.MAP_DELETE_ELEM, BPF_CMD.MAP_GET_NEXT_KEY];
    const flagsChoices = [0n, 0n, 0n, 0n, 0n, 0n, 1n, 2n, 3n, 4n, 1n << 32n];
    for (let step = 0; step < 30000; step++) {
      const r = rnd();
      if (r < 0.1) {
        // Small keys, so lookups hit: a key word of 0..11 and a random value word.
        const at = pick([0n, 8n, 16n, 4096n + 64n, 4096n + 68n, 4096n + 66n, 3n]);
        const bytes = new Uint8Array(24);
        new DataView(bytes.buffer).setUint32(0, Math.floor(rnd() * 12), true);
        for (let k = 4; k < 24; k++) bytes[k] = rnd() < 0.5 ? 0 : Math.floor(rnd() * 256);
        for (const s of sides) s.t.memory.write(BASE + at, bytes);
        continue;
      }
      if (r < 0.103 && fds.length > 0) {
        const a = encodeAttr(T, BPF_CMD.MAP_FREEZE, { map_fd: pick(fds) });
        both(BPF_CMD.MAP_FREEZE, a, T.commands[BPF_CMD.MAP_FREEZE]!.end);
        continue;
      }
      if (r < 0.12 && fds.length > 0) {
        const fd = fds.splice(Math.floor(rnd() * fds.length), 1)[0]!;
        for (const s of sides) s.t.close(fd);
        continue;
      }
      if (r < 0.14) {
        create();
        continue;
      }
      const cmd = pick(cmds);
      const end = T.commands[cmd]!.end;
      const fd = rnd() < 0.85 && fds.length > 0 ? pick(fds) : pick([0, 1, 2, 40, 1000, -1]);
      const values: Record<string, number | bigint> = { map_fd: fd >>> 0, key: rnd() < 0.8 ? pick(ptrs.slice(0, 7)) : pick(ptrs) };
      const second = rnd() < 0.8 ? pick(ptrs.slice(0, 7)) : pick(ptrs);
      if (cmd === BPF_CMD.MAP_GET_NEXT_KEY) values.next_key = second;
      else if (cmd !== BPF_CMD.MAP_DELETE_ELEM) values.value = second;
      if (cmd === BPF_CMD.MAP_LOOKUP_ELEM || cmd === BPF_CMD.MAP_UPDATE_ELEM) values.flags = pick(flagsChoices);
      if (cmd === BPF_CMD.MAP_GET_NEXT_KEY && rnd() < 0.2) values.key = 0n;
      const full = encodeAttr(T, cmd, values);
      // Sizes: the command's end, a little more or less, the union, past the union (zero or not), over a page.
      const size = rnd() < 0.6 ? end : pick([end - 4, end + 8, T.attrSize, 256, 4097]);
      const attr = new Uint8Array(Math.max(size, end) + (rnd() < 0.5 ? 0 : 8));
      attr.set(full.subarray(0, Math.min(full.length, attr.length)));
      if (rnd() < 0.1) attr[Math.floor(rnd() * attr.length)] = 1 + Math.floor(rnd() * 255);
      both(cmd, attr, size);
      if (step % 50 === 0) {
        const ma = memoryOf(sides[0]!.t);
        const mb = memoryOf(sides[1]!.t);
        for (let p = 0; p < ma.length; p++) expect(Buffer.from(mb[p]!).equals(Buffer.from(ma[p]!)), `page ${PAGES[p]} after step ${step}`).toBe(true);
      }
    }
    // Both kernels' maps hold the same: every map walked and read through the generic path.
    setFastPath(false);
    try {
      for (const fd of fds) {
        for (const s of sides) s.t.memory.write(BASE + 1024n, new Uint8Array(64));
        for (let n = 0; n < 64; n++) {
          const a = encodeAttr(T, BPF_CMD.MAP_GET_NEXT_KEY, { map_fd: fd, key: n === 0 ? 0n : BASE + 1024n, next_key: BASE + 1024n });
          const rs = sides.map((s) => s.t.sys_bpf(BPF_CMD.MAP_GET_NEXT_KEY, a, T.commands[BPF_CMD.MAP_GET_NEXT_KEY]!.end));
          expect(rs[1]).toBe(rs[0]);
          if (rs[0]! < 0) break;
          const l = encodeAttr(T, BPF_CMD.MAP_LOOKUP_ELEM, { map_fd: fd, key: BASE + 1024n, value: BASE + 1536n });
          const ls = sides.map((s) => s.t.sys_bpf(BPF_CMD.MAP_LOOKUP_ELEM, l, T.commands[BPF_CMD.MAP_LOOKUP_ELEM]!.end));
          expect(ls[1]).toBe(ls[0]);
          const [ma, mb] = sides.map((s) => s.t.memory.read(BASE + 1024n, 1024));
          expect(Buffer.from(mb!).equals(Buffer.from(ma!))).toBe(true);
        }
      }
    } finally {
      setFastPath(true);
    }
    // The stream must exercise the fast path itself, not only its misses (a quarter of the attrs, at an odd offset, always miss).
    console.log(`fast path answered ${hits.n} of the fast side's calls`);
    expect(hits.n).toBeGreaterThan(3000);
  });
});

// SPDX-License-Identifier: GPL-2.0-only
// Map semantics through the public API. Expected values come from the live
// kernel: the recorded traces named in each test's comment
// (fixtures/traces/maps/..., recorded on 6.18.44 by scripts/record-map-traces.ts)
// and the probe noted for the bpf_map_info padding rule.

import { describe, expect, it } from "vitest";
import { Kernel } from "../src/index.ts";
import { jhash, jhash2 } from "../src/kernel/map_util.ts";

function attr(len: number, fields: [number, 4 | 8, number | bigint][]): Uint8Array {
  const b = new Uint8Array(len);
  const v = new DataView(b.buffer);
  for (const [o, s, x] of fields) s === 4 ? v.setUint32(o, Number(BigInt.asUintN(32, BigInt(x))), true) : v.setBigUint64(o, BigInt(x), true);
  return b;
}

function setup() {
  const t = new Kernel().spawn();
  const KEY = 0x10000000n;
  const VAL = 0x10001000n;
  const OUT = 0x10002000n;
  for (const a of [KEY, VAL, OUT]) t.memory.map(a, 4096);
  const create = (type: number, key: number, value: number, max: number, flags = 0) => t.sys_bpf(0, attr(96, [[0, 4, type], [4, 4, key], [8, 4, value], [12, 4, max], [16, 4, flags]]), 96);
  const elem = (cmd: number, fd: number, key: bigint, value: bigint, flags = 0) => t.sys_bpf(cmd, attr(32, [[0, 4, fd], [8, 8, key], [16, 8, value], [24, 8, flags]]), 32);
  return { t, KEY, VAL, OUT, create, elem };
}

describe("map creation", () => {
  // fixtures/traces/maps/misc/huge.jsonl: each refused at once, nothing allocated.
  it("refuses huge maps with the kernel's errno without allocating", () => {
    const { create } = setup();
    expect(create(2, 4, 8, 0xffffffff)).toBe(-12);
    expect(create(2, 4, 0x7fffffff, 0xffffffff)).toBe(-12);
    expect(create(6, 4, 8, 0xffffffff)).toBe(-12);
    expect(create(1, 8, 8, 0xffffffff)).toBe(-7);
    expect(create(1, 8, 8, 0x80000001)).toBe(-7);
    expect(create(1, 4, 4194303, 1)).toBe(-7);
    expect(create(5, 4, 32769, 1)).toBe(-7);
    expect(create(22, 0, 4194305, 1)).toBe(-7);
    expect(create(30, 0, 4194305, 1)).toBe(-7);
    expect(create(11, 8, 4194304, 1, 1)).toBe(-22);
    expect(create(1, 4, 4194240, 1)).toBe(3);
  });
});

describe("hash order and capacity", () => {
  // fixtures/traces/maps/hash/full-4.jsonl
  it("fills to max_entries, then E2BIG; get_next_key walks the kernel's bucket order (ZERO_SEED)", () => {
    const { t, KEY, VAL, OUT, create, elem } = setup();
    const fd = create(1, 4, 4, 4, 0x40);
    expect(fd).toBe(3);
    const rets: number[] = [];
    for (let i = 0; i < 7; i++) {
      t.memory.write(KEY, attr(4, [[0, 4, i * 0x01010101]]));
      t.memory.write(VAL, attr(4, [[0, 4, i]]));
      rets.push(elem(2, fd, KEY, VAL));
    }
    expect(rets).toEqual([0, 0, 0, 0, -7, -7, -7]);
    t.memory.write(KEY, attr(4, [[0, 4, 0]]));
    expect(elem(2, fd, KEY, VAL, 2)).toBe(0);
    expect(elem(2, fd, KEY, VAL, 1)).toBe(-17);
    const walk: string[] = [];
    let r = elem(4, fd, 0n, OUT);
    while (r === 0) {
      walk.push(Buffer.from(t.memory.read(OUT, 4)).toString("hex"));
      r = elem(4, fd, OUT, OUT);
    }
    expect(r).toBe(-2);
    expect(walk.slice(1)).toEqual(["03030303", "02020202", "01010101"]);
  });

  // fixtures/traces/maps/hash/full-4.jsonl, second map: 12 inserts into an LRU of 4 leave keys 8..11.
  it("LRU keeps the newest elements", () => {
    const { t, KEY, VAL, OUT, create, elem } = setup();
    const fd = create(9, 4, 4, 4, 0x40);
    for (let i = 0; i < 12; i++) {
      t.memory.write(KEY, attr(4, [[0, 4, i]]));
      t.memory.write(VAL, attr(4, [[0, 4, i]]));
      expect(elem(2, fd, KEY, VAL)).toBe(0);
    }
    const keys: number[] = [];
    let r = elem(4, fd, 0n, OUT);
    while (r === 0) {
      keys.push(new DataView(t.memory.read(OUT, 4).buffer).getUint32(0, true));
      r = elem(4, fd, OUT, OUT);
    }
    expect(keys).toEqual([8, 11, 10, 9]);
  });

  it("jhash/jhash2 agree on word-sized keys as the kernel's lookup3 does", () => {
    const k = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
    expect(jhash(k, 0, 16, 0)).toBe(jhash2(k, 0, 4, 0));
    expect(jhash(k, 0, 12, 7)).toBe(jhash2(k, 0, 3, 7));
  });
});

describe("freeze and info", () => {
  // fixtures/traces/maps/misc/info-and-hash.jsonl
  it("a frozen array refuses writes with EPERM, a second freeze is EPERM, and its hash can be read", () => {
    const { t, KEY, VAL, OUT, create, elem } = setup();
    const fd = create(2, 4, 8, 4, 0x84);
    const info = (fill?: Uint8Array) => {
      const buf = new Uint8Array(104);
      if (fill) buf.set(fill);
      t.memory.write(OUT, buf);
      return t.sys_bpf(15, attr(16, [[0, 4, fd], [4, 4, 104], [8, 8, OUT]]), 16);
    };
    const withHash = attr(104, [[88, 8, 0x10003000n], [96, 4, 32]]);
    t.memory.map(0x10003000n, 4096);
    expect(info(withHash)).toBe(-1); // not frozen
    // Probe (info buffer with only bytes [100, 104) set to 0xa5, info_len 104) gave -E2BIG on 6.18.44;
    // fixtures/traces/maps/misc/info-and-hash.jsonl op 36 (whole buffer 0xa5) shows the same.
    expect(info(attr(104, [[100, 4, 0xa5a5a5a5]]))).toBe(-7);
    t.memory.write(KEY, attr(4, [[0, 4, 1]]));
    t.memory.write(VAL, Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]));
    expect(elem(2, fd, KEY, VAL)).toBe(0);
    expect(t.sys_bpf(22, attr(8, [[0, 4, fd]]), 8)).toBe(0);
    expect(t.sys_bpf(22, attr(8, [[0, 4, fd]]), 8)).toBe(-1);
    expect(elem(2, fd, KEY, VAL)).toBe(-1);
    expect(info(withHash)).toBe(0);
    expect(Buffer.from(t.memory.read(0x10003000n, 32)).toString("hex")).toBe("c20d2557ab78aab89801ad6cfc44080532492f2f21052766740ff01c471dec5f");
    // map_flags: RDONLY_PROG | NUMA_NODE as given; the name is empty.
    expect(new DataView(t.memory.read(OUT, 24).buffer).getUint32(20, true)).toBe(0x84);
  });
});

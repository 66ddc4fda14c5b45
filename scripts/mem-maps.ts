// SPDX-License-Identifier: GPL-2.0-only
// Heap cost of map storage: an ARRAY of 1M 8-byte values and a HASH of 1M
// 8-byte keys and values, filled through bpf(). Run with
// `node --expose-gc --import tsx scripts/mem-maps.ts`.

import { Kernel } from "../src/index.ts";

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  console.error("run with node --expose-gc");
  process.exit(1);
}

function heap(): number {
  gc!();
  gc!();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

function attr(len: number, fields: [number, 4 | 8, number | bigint][]): Uint8Array {
  const b = new Uint8Array(len);
  const v = new DataView(b.buffer);
  for (const [o, s, x] of fields) s === 4 ? v.setUint32(o, Number(x), true) : v.setBigUint64(o, BigInt(x), true);
  return b;
}

const N = 1 << 20;
const k = new Kernel();
const t = k.spawn();
const KEY = 0x10000000n;
const VAL = 0x10001000n;
t.memory.map(KEY, 4096);
t.memory.map(VAL, 4096);

function measure(name: string, type: number, keySize: number, flags: number, fill: boolean): void {
  const before = heap();
  const fd = t.sys_bpf(0, attr(72, [[0, 4, type], [4, 4, keySize], [8, 4, 8], [12, 4, N], [16, 4, flags]]), 72);
  if (fd < 0) throw new Error(`${name}: create failed: ${t.lastError?.reason}`);
  const created = heap();
  const up = attr(32, [[0, 4, fd], [8, 8, KEY], [16, 8, VAL], [24, 8, 0]]);
  const kb = new Uint8Array(keySize);
  const vb = new Uint8Array(8);
  const kv = new DataView(kb.buffer);
  const vv = new DataView(vb.buffer);
  const t0 = Date.now();
  if (fill) {
    for (let i = 0; i < N; i++) {
      kv.setUint32(0, i, true);
      vv.setBigUint64(0, BigInt(i) * 3n, true);
      t.memory.write(KEY, kb);
      t.memory.write(VAL, vb);
      const r = t.sys_bpf(2, up, 32);
      if (r !== 0) throw new Error(`${name}: update ${i} failed: ${t.lastError?.reason}`);
    }
  }
  const after = heap();
  console.log(
    `${name.padEnd(28)} created ${((created - before) / 1e6).toFixed(1)} MB, filled ${((after - before) / 1e6).toFixed(1)} MB, ${((after - before) / N).toFixed(1)} bytes/entry, fill ${Date.now() - t0} ms`,
  );
  t.close(fd);
}

measure("ARRAY 1M x 8 (every slot)", 2, 4, 0, true);
measure("HASH 1M x (8, 8)", 1, 8, 0x40, true);
{
  const r = t.sys_bpf(0, attr(72, [[0, 4, 2], [4, 4, 4], [8, 4, 8], [12, 4, 0xffffffff]]), 72);
  console.log(`ARRAY 0xffffffff x 8: ${r} (${t.lastError?.reason})`);
}

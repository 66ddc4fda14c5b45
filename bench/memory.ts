// SPDX-License-Identifier: GPL-2.0-only
// Heap bytes per element of 1M-entry maps. Run as a child with --expose-gc
// (bench/run.ts does: node --expose-gc --import tsx bench/memory.ts); prints
// one JSON line. Measures process.memoryUsage().heapUsed + arrayBuffers
// before the map is created and after every element has been written, each
// after a full collection.

import { Kernel } from "../src/index.ts";
import { encodeAttr } from "../src/abi/decode.ts";
import { linux_6_18 } from "../src/uapi/gen/linux-6.18.ts";
import { BPF_CMD, BPF_MAP_TYPE } from "../src/uapi/gen/consts-6.18.ts";

export interface MemoryRow {
  readonly map: string;
  readonly entries: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly bytesPerEntry: number;
  /** bytesPerEntry / (keySize + valueSize) */
  readonly overhead: number;
  readonly seconds: number;
  readonly error?: string;
}

const gc = (globalThis as { gc?: () => void }).gc;

function used(): number {
  gc!();
  gc!();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

function measure(name: string, type: number, entries: number, keySize: number, valueSize: number): MemoryRow {
  const T = linux_6_18;
  const k = new Kernel();
  const t = k.spawn();
  const KEY = 0x10000000n;
  const VALUE = 0x10001000n;
  t.memory.map(KEY, 0x2000);
  const create = encodeAttr(T, BPF_CMD.MAP_CREATE, { map_type: type, key_size: keySize, value_size: valueSize, max_entries: entries }).slice(0, T.commands[BPF_CMD.MAP_CREATE]!.end);
  const upd = encodeAttr(T, BPF_CMD.MAP_UPDATE_ELEM, { map_fd: 3, key: KEY, value: VALUE, flags: 0n }).slice(0, 32);
  const keyBuf = new Uint8Array(keySize);
  const kv = new DataView(keyBuf.buffer);
  const valBuf = new Uint8Array(valueSize);
  const vv = new DataView(valBuf.buffer);
  const before = used();
  const t0 = performance.now();
  const fd = t.sys_bpf(BPF_CMD.MAP_CREATE, create, create.length);
  if (fd !== 3) return { map: name, entries, keySize, valueSize, bytesPerEntry: NaN, overhead: NaN, seconds: 0, error: `MAP_CREATE returned ${fd}: ${t.lastError?.reason}` };
  for (let i = 0; i < entries; i++) {
    kv.setUint32(0, i, true);
    vv.setUint32(0, i * 7, true);
    t.memory.write(KEY, keyBuf);
    t.memory.write(VALUE, valBuf);
    const r = t.sys_bpf(BPF_CMD.MAP_UPDATE_ELEM, upd, upd.length);
    if (r !== 0) return { map: name, entries, keySize, valueSize, bytesPerEntry: NaN, overhead: NaN, seconds: 0, error: `update ${i} returned ${r}: ${t.lastError?.reason}` };
  }
  const seconds = (performance.now() - t0) / 1000;
  const after = used();
  const bytesPerEntry = (after - before) / entries;
  // Keep the task (and so the map) alive across the measurement.
  if (t.files.get(fd) === undefined) throw new Error("map fd vanished");
  return { map: name, entries, keySize, valueSize, bytesPerEntry, overhead: bytesPerEntry / (keySize + valueSize), seconds };
}

if (gc === undefined) {
  console.log(JSON.stringify({ error: "run with node --expose-gc" }));
} else {
  const entries = Number(process.argv[2] ?? 1_000_000);
  const rows: MemoryRow[] = [];
  for (const [name, type, ks, vs] of [
    ["array", BPF_MAP_TYPE.ARRAY, 4, 8],
    ["hash", BPF_MAP_TYPE.HASH, 4, 8],
    ["array", BPF_MAP_TYPE.ARRAY, 4, 64],
    ["hash", BPF_MAP_TYPE.HASH, 8, 64],
  ] as const) {
    rows.push(measure(name, type, entries, ks, vs));
  }
  console.log(JSON.stringify({ memory: rows }));
}

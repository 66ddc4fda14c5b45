// SPDX-License-Identifier: GPL-2.0-only
// npx tsx bench/micro.ts: what the primitives on the bpf() path cost in this
// V8, in ns of CPU time per operation (best of 5 rounds). These numbers
// chose the hot-path changes described in docs/performance.md.

import { Kernel } from "../src/index.ts";
import { Attr, cmdFields } from "../src/abi/attr.ts";
import { encodeAttr } from "../src/abi/decode.ts";
import { linux_6_18 } from "../src/uapi/gen/linux-6.18.ts";
import { BPF_CMD, BPF_MAP_TYPE } from "../src/uapi/gen/consts-6.18.ts";

function cpuNs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
}

let sink = 0;
function bench(name: string, fn: () => number, n = 2_000_000): void {
  for (let i = 0; i < n / 10; i++) sink += fn();
  let best = Infinity;
  for (let r = 0; r < 5; r++) {
    const t0 = cpuNs();
    for (let i = 0; i < n; i++) sink += fn();
    best = Math.min(best, (cpuNs() - t0) / n);
  }
  console.log(`${name.padEnd(44)} ${best.toFixed(1).padStart(7)} ns`);
}

const T = linux_6_18;
const k = new Kernel();
const t = k.spawn();
t.memory.map(0x10000000n, 0x1000);

console.log("-- primitives");
bench("empty closure (harness floor)", () => 1);
bench("new Uint8Array(8) (on-heap)", () => new Uint8Array(8).length);
bench("new Uint8Array(168) (off-heap backing store)", () => new Uint8Array(168).length, 500_000);
const src48 = new Uint8Array(48);
const dst = new Uint8Array(168);
bench("byte loop, 48 bytes", () => {
  for (let i = 0; i < 48; i++) dst[i] = src48[i]!;
  return dst[0]!;
});
bench("dst.set(src) of a whole 48-byte array", () => (dst.set(src48, 0), dst[0]!));
bench("dst.set(src.subarray(0, 48))", () => (dst.set(src48.subarray(0, 48), 0), dst[0]!));
const big = [0x7ff0000fffd0n, 0x10000000n];
let bi = 0;
bench("Number(bigint)", () => Number(big[bi++ & 1]!));
const dv = new DataView(dst.buffer);
bench("DataView.getUint32", () => dv.getUint32(8, true));
bench("DataView.getBigUint64 (allocates)", () => Number(dv.getBigUint64(8, true) & 1n));
const fields = cmdFields(T, BPF_CMD.MAP_LOOKUP_ELEM)!;
const attr = new Attr(dst, fields);
bench("Attr.u32(name) (Map lookup + getUint32)", () => attr.u32("map_fd"));
dv.setBigUint64(8, 0x10000000n, true);
bench("Attr.u64(name), same value as last time", () => (attr.u64("key") === 0n ? 0 : 1));
bench("template string with two numbers", () => `byte ${bi & 0xff} past ${168}`.length);

console.log("-- sys_bpf through the public API");
const unk = new Uint8Array(8);
bench("unknown command (EINVAL)", () => t.sys_bpf(200, unk, 8));
const e2 = new Uint8Array(256);
e2[200] = 1;
bench("E2BIG tail (size 256)", () => t.sys_bpf(BPF_CMD.MAP_LOOKUP_ELEM, e2, 256));
const ca = new Uint8Array(48);
ca[40] = 1;
bench("CHECK_ATTR (MAP_LOOKUP_ELEM, size 48)", () => t.sys_bpf(BPF_CMD.MAP_LOOKUP_ELEM, ca, 48));
const badfd = encodeAttr(T, BPF_CMD.MAP_LOOKUP_ELEM, { map_fd: 77 }).slice(0, 32);
bench("MAP_LOOKUP_ELEM on a closed fd (EBADF)", () => t.sys_bpf(BPF_CMD.MAP_LOOKUP_ELEM, badfd, 32));
const create = encodeAttr(T, BPF_CMD.MAP_CREATE, { map_type: BPF_MAP_TYPE.ARRAY, key_size: 4, value_size: 8, max_entries: 16 }).slice(0, T.commands[BPF_CMD.MAP_CREATE]!.end);
const fd = t.sys_bpf(BPF_CMD.MAP_CREATE, create, create.length);
const lookup = encodeAttr(T, BPF_CMD.MAP_LOOKUP_ELEM, { map_fd: fd, key: 0x10000000n, value: 0x10000100n }).slice(0, 32);
bench("MAP_LOOKUP_ELEM, array, key 4 value 8", () => t.sys_bpf(BPF_CMD.MAP_LOOKUP_ELEM, lookup, 32));
bench("MAP_UPDATE_ELEM, array, key 4 value 8", () => t.sys_bpf(BPF_CMD.MAP_UPDATE_ELEM, lookup, 32));
if (sink === 0.5) console.log(sink);

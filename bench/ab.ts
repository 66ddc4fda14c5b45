// SPDX-License-Identifier: GPL-2.0-only
// npx tsx bench/ab.ts STREAM[,STREAM|all] [rounds]: the emulator side of
// streams with the fast path (src/kernel/fastpath.ts) on and off, in
// interleaved rounds in one process, so that the machine's load hits both
// alike. Prints the median ns of CPU per call of each.

import { allStreams } from "./streams.ts";
import { prepareOnEmulator } from "./emulator.ts";
import { setFastPath } from "../src/kernel/fastpath.ts";

const names = (process.argv[2] ?? "array-lookup").split(",");
const rounds = Number(process.argv[3] ?? "7");
const med = (a: number[]): number => [...a].sort((x, y) => x - y)[a.length >> 1]!;
for (const s of allStreams()) {
  if (!names.includes(s.name) && !names.includes("all")) continue;
  setFastPath(false);
  const slow = prepareOnEmulator(s);
  setFastPath(true);
  const fast = prepareOnEmulator(s);
  const ns: Record<"on" | "off", number[]> = { on: [], off: [] };
  for (let r = -1; r < rounds; r++) {
    setFastPath(false);
    const a = 1e9 / slow.round(60);
    setFastPath(true);
    const b = 1e9 / fast.round(60);
    if (r >= 0) {
      ns.off.push(a);
      ns.on.push(b);
    }
  }
  const same = JSON.stringify(slow.firstRets) === JSON.stringify(fast.firstRets);
  console.log(`${s.name.padEnd(24)} off ${med(ns.off).toFixed(1).padStart(8)}  on ${med(ns.on).toFixed(1).padStart(8)} ns/call  ${same ? "" : `RETS DIFFER ${slow.firstRets} / ${fast.firstRets}`}`);
}

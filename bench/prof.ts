// SPDX-License-Identifier: GPL-2.0-only
// npx tsx bench/prof.ts STREAM[,STREAM] [seconds]: the emulator side of
// streams alone, for `node --cpu-prof --import tsx bench/prof.ts ...`.
// Prints ns of CPU per call for each stream (median of 5 rounds).

import { allStreams } from "./streams.ts";
import { prepareOnEmulator } from "./emulator.ts";

const names = (process.argv[2] ?? "array-lookup").split(",");
const seconds = Number(process.argv[3] ?? "2");
for (const s of allStreams()) {
  if (!names.includes(s.name) && !names.includes("all")) continue;
  const p = prepareOnEmulator(s);
  p.round(200);
  const rates: number[] = [];
  for (let r = 0; r < 5; r++) rates.push(p.round((seconds * 1000) / 5));
  rates.sort((a, b) => a - b);
  console.log(`${s.name.padEnd(24)} ${(1e9 / rates[2]!).toFixed(1).padStart(8)} ns/call  rets ${p.firstRets.slice(0, 4).join(",")}`);
}

// SPDX-License-Identifier: GPL-2.0-only
// npx tsx bench/profsum.ts FILE.cpuprofile [N]: self time per function
// (name, file:line) of a V8 CPU profile, the top N.

import { readFileSync } from "node:fs";

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
const prof = JSON.parse(readFileSync(process.argv[2]!, "utf8")) as { nodes: Node[]; samples: number[] };
const n = Number(process.argv[3] ?? "40");
const byId = new Map<number, Node>();
for (const nd of prof.nodes) byId.set(nd.id, nd);
const self = new Map<string, number>();
for (const id of prof.samples) {
  const nd = byId.get(id)!;
  const f = nd.callFrame;
  const key = `${f.functionName || "(anon)"} ${f.url.replace(/^.*\/work\/main\//, "")}:${f.lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + 1);
}
const total = prof.samples.length;
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);

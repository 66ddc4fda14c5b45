// SPDX-License-Identifier: GPL-2.0-only
// In-process A/B of bench streams' emulator side: two checkouts of the tree
// imported into one process, each stream prepared on both, short rounds
// alternated (which side goes first alternates too). Prints per stream each
// side's least and median ns per call and the median of per-round B/A ratios.
// Only such alternated figures are comparable on a machine whose speed drifts.
//
//   git clone -q /work/main /tmp/base && ln -s /work/main/node_modules /tmp/base/node_modules
//   taskset -c 1 node --import tsx bench/stream-ab.mts /tmp/base /work/main hash-lookup,reject-e2big 21
const [dirA, dirB, names = "hash-lookup", roundsS = "21", msS = "40"] = process.argv.slice(2);
const rounds = Number(roundsS);
const ms = Number(msS);

interface Prepared {
  round(ms: number): number;
  firstRets: number[];
}
async function prep(dir: string, name: string): Promise<Prepared> {
  const st = await import(`${dir}/bench/streams.ts`);
  const em = await import(`${dir}/bench/emulator.ts`);
  const s = st.allStreams().find((x: { name: string }) => x.name === name);
  if (s === undefined) throw new Error(`no stream ${name} in ${dir}`);
  const p = em.prepareOnEmulator(s) as Prepared;
  em.warmUp(p, 150);
  return p;
}
const med = (x: number[]): number => [...x].sort((a, b) => a - b)[x.length >> 1]!;
for (const name of names.split(",")) {
  const A = await prep(dirA!, name);
  const B = await prep(dirB!, name);
  if (A.firstRets.join() !== B.firstRets.join()) console.log(`${name}: returns differ: A ${A.firstRets} B ${B.firstRets}`);
  const na: number[] = [];
  const nb: number[] = [];
  const ratio: number[] = [];
  for (let i = 0; i < rounds; i++) {
    let a: number;
    let b: number;
    if (i & 1) {
      b = 1e9 / B.round(ms);
      a = 1e9 / A.round(ms);
    } else {
      a = 1e9 / A.round(ms);
      b = 1e9 / B.round(ms);
    }
    na.push(a);
    nb.push(b);
    ratio.push(b / a);
  }
  console.log(
    `${name.padEnd(24)} A min ${Math.min(...na).toFixed(1).padStart(7)} med ${med(na).toFixed(1).padStart(7)}   B min ${Math.min(...nb).toFixed(1).padStart(7)} med ${med(nb).toFixed(1).padStart(7)}   B/A median ${med(ratio).toFixed(3)}`,
  );
}

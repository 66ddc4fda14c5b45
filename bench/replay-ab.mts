// SPDX-License-Identifier: GPL-2.0-only
// In-process A/B of trace replays: two checkouts of the tree (say a clone of
// HEAD and a copy with a change applied) imported into one process, the same
// recorded traces replayed through each, trace by trace, alternating which
// side goes first. The machine's speed drifts 2x between minutes, so only
// alternated runs in the same process are compared, never a figure from
// earlier. Prints, per family, the sum over traces of each side's least CPU
// time over the rounds (robust on a busy machine: load only adds time) and
// the median of the per-round B/A ratios.
//
//   git clone -q /work/main /tmp/base && ln -s /work/main/node_modules /tmp/base/node_modules
//   taskset -c 1 node --import tsx bench/replay-ab.mts /tmp/base /work/main real,progs,progs2 7
//
// FAMILY is a directory under fixtures/traces; both sides replay the traces of
// their own tree. An A/A run (the same directory twice) shows the noise.
import { join } from "node:path";

const [dirA, dirB, subs = "real", roundsS = "7"] = process.argv.slice(2);
const rounds = Number(roundsS);

interface Side {
  traces: unknown[];
  replay: (t: unknown) => void;
}

async function prep(dir: string, sub: string): Promise<Side> {
  await import(`${dir}/src/index.ts`);
  const tf = await import(`${dir}/src/cli/trace-files.ts`);
  const { replayOnEmulator } = await import(`${dir}/src/trace/replay.ts`);
  // sf-loop-unknown-bound takes the verifier through 1M insns: minutes, and not what these changes touch.
  const traces = tf.traceFilesUnder(join(tf.FIXTURE_TRACES, sub)).flatMap(tf.readTraceFile).filter((t: { name: string }) => !t.name.includes("sf-loop-unknown-bound"));
  for (const t of traces) replayOnEmulator(t);
  return { traces, replay: replayOnEmulator };
}

function cpu(f: () => void): number {
  const t0 = process.cpuUsage();
  f();
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / 1000;
}

const med = (x: number[]): number => [...x].sort((a, b) => a - b)[x.length >> 1]!;
for (const sub of subs.split(",")) {
  const A = await prep(dirA!, sub);
  const B = await prep(dirB!, sub);
  const ra: number[] = [];
  const rb: number[] = [];
  // Per trace, the least CPU time either side took over the rounds: a busy machine only ever adds time.
  const minA = A.traces.map(() => Infinity);
  const minB = A.traces.map(() => Infinity);
  for (let i = 0; i < rounds; i++) {
    // Trace by trace, alternating which side goes first, so that a drift of the machine's speed favours neither.
    let a = 0;
    let b = 0;
    for (let k = 0; k < A.traces.length; k++) {
      let ta: number;
      let tb: number;
      if ((i + k) & 1) {
        tb = cpu(() => B.replay(B.traces[k]));
        ta = cpu(() => A.replay(A.traces[k]));
      } else {
        ta = cpu(() => A.replay(A.traces[k]));
        tb = cpu(() => B.replay(B.traces[k]));
      }
      a += ta;
      b += tb;
      minA[k] = Math.min(minA[k]!, ta);
      minB[k] = Math.min(minB[k]!, tb);
    }
    ra.push(a);
    rb.push(b);
  }
  const sum = (x: number[]): number => x.reduce((p, q) => p + q, 0);
  console.log(`${sub}: sum of per-trace minima A ${sum(minA).toFixed(1)} ms  B ${sum(minB).toFixed(1)} ms  B/A ${(sum(minB) / sum(minA)).toFixed(3)}`);
  const ratios = ra.map((a, i) => rb[i]! / a);
  console.log(`${sub} (${A.traces.length} traces): A median ${med(ra).toFixed(1)} ms  B median ${med(rb).toFixed(1)} ms  per-round B/A median ${med(ratios).toFixed(3)} [${ratios.map((r) => r.toFixed(2)).join(" ")}]`);
}

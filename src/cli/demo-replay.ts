// SPDX-License-Identifier: GPL-2.0-only
// The last part of `npm start`: one bundled trace, recorded on Linux 6.18,
// replayed on the emulator and shown call by call as a table: the decoded
// call, the emulator's answer and the kernel's.

import { join } from "node:path";
import { decodeAttr, formatDecoded } from "../abi/decode.ts";
import { describeOp, explainDifference, formatRet, replayAndCompare } from "../corpus/report.ts";
import type { Trace } from "../trace/format.ts";
import { linux_6_18 } from "../uapi/gen/linux-6.18.ts";
import type { Io } from "./common.ts";
import { FIXTURE_TRACES, readTraceFile } from "./trace-files.ts";

const FILE = join(FIXTURE_TRACES, "core", "map-seq.jsonl.gz");
const NAME = "core/map-seq/type1/typical";

function clip(s: string, n: number): string {
  return s.length > n ? s.slice(0, n - 3) + "..." : s.padEnd(n);
}

/** Prints the trace as a table; returns false when the bundled trace is missing. */
export function replayWalkthrough(io: Io, file = FILE, name = NAME): boolean {
  let trace: Trace | undefined;
  try {
    trace = readTraceFile(file).find((t) => t.name === name);
  } catch {
    trace = undefined;
  }
  if (trace === undefined) {
    io.out(`(bundled trace ${name} not found in ${file})`);
    return false;
  }
  const r = replayAndCompare(trace);
  io.out(`\n# Replaying a trace recorded on Linux ${trace.recordedOn ?? "?"}: ${trace.name}`);
  io.out(`# ${trace.description}; every call runs on a fresh emulated kernel and is compared byte for byte`);
  io.out(`#  (attr after the call and the user memory it wrote) with what the real kernel did.\n`);
  const W = 96;
  io.out(`  #  ${"call".padEnd(W)}  ${"emulator".padEnd(12)}${"kernel".padEnd(12)}`);
  for (const o of r.ops) {
    const op = o.op;
    if (op.op === "map" || op.op === "write") continue;
    let call = describeOp(trace, op);
    if (op.op === "bpf") {
      const d = decodeAttr(linux_6_18, op.cmd, op.attr, op.size);
      if (d !== undefined) call = `${d.name} ${formatDecoded(d)}`;
    }
    const emu = o.actual === undefined ? "-" : formatRet(o.actual.ret);
    const ker = op.expect === undefined ? "-" : formatRet(op.expect.ret);
    io.out(`${String(o.index).padStart(3)}  ${clip(call, W)}  ${emu.padEnd(12)}${ker.padEnd(12)}${o.diffs.length ? "DIFFERS" : "="}`);
    if (o.actual?.reason && o.actual.ret < 0) io.out(`${" ".repeat(7)}why: ${o.actual.reason}`);
    for (const d of o.diffs) io.out(`${" ".repeat(7)}${explainDifference(trace, o.index, d)}`);
  }
  const agree = r.ops.filter((o) => o.compared && o.diffs.length === 0).length;
  const compared = r.ops.filter((o) => o.compared).length;
  io.out(`\n${agree}/${compared} calls agree. More: npx bpfemu replay fixtures/traces/core/map-seq.jsonl.gz, npx bpfemu diff (needs root).`);
  return true;
}

// SPDX-License-Identifier: GPL-2.0-only
// BTF: the recorded corpus of fixtures/traces/btf (src/corpus/btf.ts,
// recorded on Linux 6.18 by scripts/record-btf-traces.ts) replayed on the
// emulator byte for byte — every BTF_LOAD with its verifier log and
// btf_log_true_size, BTF info, maps created with BTF — a few recorded
// answers spelt out, and, with root and a working bpf(), the corpus run
// again on the live kernel and compared with the emulator.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import "../src/index.ts";
import { btfCorpus } from "../src/corpus/btf.ts";
import { parseTraceBundle } from "../src/corpus/index.ts";
import { kernelAvailability, runTracesOnKernel } from "../src/oracle/native.ts";
import type { Trace } from "../src/trace/format.ts";
import { differences } from "./support/replay.ts";

const FILE = join(import.meta.dirname, "..", "fixtures", "traces", "btf", "btf.jsonl.gz");
const traces: Trace[] = parseTraceBundle(gunzipSync(readFileSync(FILE)).toString("utf8"));

/** Ops that still differ from the recording (none now: special fields are zeroed on copy-out). */
const KNOWN = new Set<string>([]);


function trace(name: string): Trace {
  const t = traces.find((x) => x.name === `btf/${name}`);
  if (t === undefined) throw new Error(`no trace ${name}`);
  return t;
}

/** The recorded result of the first BTF_LOAD (cmd 18) of a trace: ret and the log text. */
function recordedLoad(name: string): { ret: number; log: string; trueSize: number } {
  const t = trace(name);
  const i = t.ops.findIndex((o) => o.op === "bpf" && o.cmd === 18);
  const op = t.ops[i]!;
  if (op.op !== "bpf" || op.expect === undefined) throw new Error(`${name}: no recorded BTF_LOAD`);
  const attr = op.expect.attr;
  const logBuf = attr.length >= 16 ? new DataView(attr.buffer, attr.byteOffset).getBigUint64(8, true) : 0n;
  const mem = op.expect.mem.find((m) => m.addr === logBuf);
  const bytes = mem?.bytes ?? new Uint8Array(0);
  const nul = bytes.indexOf(0);
  const log = String.fromCharCode(...bytes.subarray(0, nul < 0 ? bytes.length : nul));
  const trueSize = attr.length >= 32 ? new DataView(attr.buffer, attr.byteOffset).getUint32(28, true) : -1;
  return { ret: op.expect.ret, log, trueSize };
}

describe("BTF corpus (recorded on 6.18)", () => {
  it("is recorded and is what the generator produces", () => {
    expect(traces.length).toBeGreaterThan(400);
    expect(traces.every((t) => t.recordedOn !== null)).toBe(true);
    const names = traces.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    const gen = btfCorpus();
    expect(gen.map((t) => t.name)).toEqual(names);
    expect(gen.map((t) => t.ops.length)).toEqual(traces.map((t) => t.ops.length));
  });

  it("every recorded call agrees byte for byte (logs and btf_log_true_size included)", () => {
    const { ops, diffs } = differences(traces);
    const unknown = diffs.filter((d) => !KNOWN.has(d.split(" ")[0]!));
    const agreeing = ops - new Set(diffs.map((d) => d.split(" ")[0])).size;
    console.log(`btf traces: ${traces.length} traces, ${ops} compared ops, ${agreeing} agree, ${diffs.length} differences (${KNOWN.size} known)`);
    expect(ops).toBeGreaterThan(500);
    expect(unknown).toEqual([]);
    for (const k of KNOWN) expect(diffs.some((d) => d.startsWith(`${k} `)), `${k} is listed as differing but agrees now`).toBe(true);
  });

  // Recorded answers the validator was built against, named so that a regression says which rule broke.
  const cases: [string, number, string][] = [
    ["valid-int", 3, "[1] INT int size=4 bits_offset=0 nr_bits=32 encoding=SIGNED\n"],
    ["magic-bad", -22, "Invalid magic"],
    ["version-2", -524, "Unsupported version"],
    ["flags-1", -524, "Unsupported flags"],
    ["hdr-tail-nonzero", -7, "Unsupported btf_header"],
    ["strings-first", -22, "String section is not at the end"],
    ["overlap", -22, "Section overlap found"],
    ["type-off-unaligned", -22, "Unsupported section found"],
    ["no-types", -22, "No type found"],
    ["int-enc-3", -524, "Unsupported encoding"],
    ["int-bits-129", -22, "nr_bits exceeds 128"],
    ["ptr-self", -17, "Loop detected"],
    ["chain-33-down", -7, "Exceeded max resolving depth:32"],
    ["array-overflow", -22, "Array size overflows U32_MAX"],
    ["struct-kflag-too-wide", -22, "Invalid member bitfield_size"],
    ["enum-size-3", -22, "Unexpected size"],
    ["func-unnamed-arg", -22, "Invalid arg#1"],
    ["datasec-vsi-overlap", -22, "Invalid offset"],
    ["decl-tag-member-past", -22, "Invalid component_idx"],
    ["type-tag-after-const", -22, "Type tags don't precede modifiers"],
  ];
  it.each(cases)("%s: %i with %j in the log", (name, ret, line) => {
    const r = recordedLoad(name);
    expect(r.ret).toBe(ret);
    expect(r.log).toContain(line);
    expect(r.trueSize).toBe(r.log.length + 1);
  });

  it("a log that does not fit gives ENOSPC and the size it needed", () => {
    const r = recordedLoad("log-rotate-16");
    expect(r.ret).toBe(-28);
    expect(r.trueSize).toBeGreaterThan(16);
  });
});

const avail = kernelAvailability();
if (!avail.ok) console.log(`BTF live comparison skipped: ${avail.reason}`);

describe("BTF on the live kernel", () => {
  it.skipIf(!avail.ok)("the corpus recorded afresh still agrees with the emulator", async () => {
    const fresh = await runTracesOnKernel(traces, { timeoutMs: 20000 });
    const { diffs } = differences(fresh);
    expect(diffs.filter((d) => !KNOWN.has(d.split(" ")[0]!))).toEqual([]);
  }, 120000);
});

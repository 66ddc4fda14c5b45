// SPDX-License-Identifier: GPL-2.0-only
// Builds bpf-progs/*.bpf.c with clang, loads each object the way a loader
// would (scripts/real-progs/elf.ts: MAP_CREATE per map, global data
// updated and .rodata frozen, PROG_LOAD with the section's program type,
// expected_attach_type, name, license and a level-1 log), test-runs the
// packet programs, reads their info and the maps they wrote, and records
// every call on the live kernel into fixtures/traces/real/<object>.jsonl
// (one trace per program). Needs root, a working bpf() and clang.
// Usage: npx tsx scripts/record-real-progs.ts [name-filter]

import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { writeTraceFile } from "../src/cli/trace-files.ts";
import { serializeTraceBundle } from "../src/corpus/index.ts";
import { CMD, LOG_BASE, LOG_TRUE_SIZE_OFF, ProgBuilder } from "../src/corpus/prog_builder.ts";
import { kernelAvailability, runTracesOnKernelDetailed } from "../src/oracle/native.ts";
import { compareTrace, formatDifference, type OpOutcome } from "../src/trace/compare.ts";
import type { BpfOp, Mask, Trace, TraceOp } from "../src/trace/format.ts";
import { loadObject, type BpfObject, type BpfProgram, type MapDef } from "./real-progs/elf.ts";
import { concatBytes } from "../src/abi/bytes.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SRC = join(ROOT, "bpf-progs");
const OUT = join(ROOT, "fixtures", "traces", "real");
const BASE_CFLAGS = ["-O2", "-g", "-target", "bpf", "-mcpu=v3", "-I/usr/include/x86_64-linux-gnu", "-Wall", "-Wno-unused-variable"];
/** Biggest log buffer a trace carries; level 1 logs rotate, so a longer log keeps its tail (and loads report ENOSPC unless the verifier failed first). */
const MAX_LOG = 256 * 1024;
const PROBE_LOG = 1 << 20;

const PT = { SOCKET_FILTER: 1, KPROBE: 2, SCHED_CLS: 3, TRACEPOINT: 5, XDP: 6, CGROUP_SKB: 8 } as const;
const BPF_XDP = 37;
const BPF_TCX_INGRESS = 46;
const BPF_TCX_EGRESS = 47;
const MAP_ARRAY = 2;

/** libbpf's section-name conventions for the program types we use: [prefix, exact?, type, expected_attach_type]. */
const SECTIONS: readonly [string, boolean, number, number][] = [
  ["socket", true, PT.SOCKET_FILTER, 0],
  ["xdp", true, PT.XDP, BPF_XDP],
  ["tc", true, PT.SCHED_CLS, 0],
  ["classifier", true, PT.SCHED_CLS, 0],
  ["tcx/ingress", true, PT.SCHED_CLS, BPF_TCX_INGRESS],
  ["tcx/egress", true, PT.SCHED_CLS, BPF_TCX_EGRESS],
  ["cgroup_skb/ingress", true, PT.CGROUP_SKB, 0],
  ["cgroup_skb/egress", true, PT.CGROUP_SKB, 1],
  ["tracepoint/", false, PT.TRACEPOINT, 0],
  ["kprobe/", false, PT.KPROBE, 0],
  ["kretprobe/", false, PT.KPROBE, 0],
];

function progType(section: string): { type: number; eat: number } {
  for (const [p, exact, type, eat] of SECTIONS) if (exact ? section === p : section.startsWith(p)) return { type, eat };
  throw new Error(`unknown section ${section}`);
}

const PACKET_TYPES: ReadonlySet<number> = new Set([PT.SOCKET_FILTER, PT.SCHED_CLS, PT.XDP, PT.CGROUP_SKB]);

// ------------------------------------------------------------------ packets

const hex = (s: string): Uint8Array => Uint8Array.from(s.replace(/\s+/g, "").match(/../g)!.map((b) => parseInt(b, 16)));

function ipv4Checksum(h: Uint8Array): void {
  let s = 0;
  for (let i = 0; i < h.length; i += 2) if (i !== 10) s += (h[i]! << 8) | h[i + 1]!;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  const c = ~s & 0xffff;
  h[10] = c >> 8;
  h[11] = c & 0xff;
}

function ipv4(proto: number, ttl: number, payload: Uint8Array, options: Uint8Array = new Uint8Array()): Uint8Array {
  const h = new Uint8Array(20 + options.length);
  h[0] = 0x40 | (h.length / 4);
  const total = h.length + payload.length;
  h.set([total >> 8, total & 0xff, 0x12, 0x34, 0x40, 0, ttl, proto], 2);
  h.set([10, 0, 0, 1, 10, 0, 0, 2], 12);
  h.set(options, 20);
  ipv4Checksum(h);
  return concatBytes(h, payload);
}


const ETH = (type: string): Uint8Array => hex(`020000000002 020000000001 ${type}`);
const udp = (dport: number, payload: Uint8Array): Uint8Array => concatBytes(Uint8Array.of(0x30, 0x39, dport >> 8, dport & 0xff, 0, 8 + payload.length, 0, 0), payload);
const tcp = (dport: number): Uint8Array => hex(`c000 ${dport.toString(16).padStart(4, "0")} 00000001 00000000 5002ffff 0000 0000`);

/** The frames every packet program is test-run with: name and bytes. */
const PACKETS: readonly [string, Uint8Array][] = [
  ["ipv4/udp:53 ttl 128", concatBytes(ETH("0800"), ipv4(17, 128, udp(53, hex("ffff0001 00000000 0000ff00 ffffffff ffff"))))],
  ["ipv6/tcp:23", concatBytes(ETH("86dd"), hex("60000000 0014 06 40"), hex("00000000000000000000000000000001 00000000000000000000000000000002"), tcp(23))],
  ["ipv4+options/tcp:23 ttl 1", concatBytes(ETH("0800"), ipv4(6, 1, tcp(23), hex("01010100")))],
  ["802.1Q/ipv4/udp:9", concatBytes(hex("020000000002 020000000001 8100 0005 0800"), ipv4(17, 64, udp(9, hex("00000000"))))],
];

// ------------------------------------------------------------------- build

interface Source {
  file: string;
  obj: string;
  cflags: string[];
  updates: { map: string; key: Uint8Array; value: Uint8Array }[];
  lookups: { map: string; key: Uint8Array }[];
  /** Test-run return values depend on host state (e.g. uninitialized stack): masked. */
  maskRetval: boolean;
}

function readSource(file: string): Source {
  const text = readFileSync(join(SRC, file), "utf8");
  const obj = basename(file, ".bpf.c");
  const cflags: string[] = [];
  const updates: Source["updates"] = [];
  const lookups: Source["lookups"] = [];
  for (const l of text.split("\n")) {
    let m = /^\/\/ cflags: (.*)$/.exec(l);
    if (m) cflags.push(...m[1]!.trim().split(/\s+/));
    m = /^\/\/ update: (\S+) (\S+) (\S+)$/.exec(l);
    if (m) updates.push({ map: m[1]!, key: hex(m[2]!), value: hex(m[3]!) });
    m = /^\/\/ lookup: (\S+) (\S+)$/.exec(l);
    if (m) lookups.push({ map: m[1]!, key: hex(m[2]!) });
  }
  return { file, obj, cflags, updates, lookups, maskRetval: /^\/\/ mask-retval$/m.test(text) };
}

function compile(src: Source, dir: string): Uint8Array {
  const out = join(dir, `${src.obj}.o`);
  execFileSync("clang", [...BASE_CFLAGS, ...src.cflags, "-c", join(SRC, src.file), "-o", out], { stdio: ["ignore", "inherit", "inherit"] });
  return readFileSync(out);
}

// ------------------------------------------------------------------ traces

const enc = new TextEncoder();
const FIRST_FD = 3;

/** MAP_CREATE as libbpf sends it: name, and the BTF ids when the object has BTF. */
function mapCreate(b: ProgBuilder, m: MapDef, btfFd: number | undefined, note: string): void {
  const fields: [number, 1 | 2 | 4 | 8, number | bigint][] = [[0, 4, m.type], [4, 4, m.keySize], [8, 4, m.valueSize], [12, 4, m.maxEntries], [16, 4, m.flags]];
  enc.encode(m.name).slice(0, 15).forEach((c, i) => fields.push([28 + i, 1, c]));
  if (btfFd !== undefined && m.btfValueTypeId) fields.push([48, 4, btfFd], [52, 4, m.btfKeyTypeId], [56, 4, m.btfValueTypeId]);
  b.bpf(CMD.MAP_CREATE, 72, fields, note);
}

/** What the first recording taught: map creates with BTF that failed (libbpf retries those without BTF). */
interface Retry {
  readonly noBtf: ReadonlySet<number>;
}

/** One program's trace: the object's maps, their initial data, the load, and for packet programs test runs, info and map reads. */
/**
 * How much of a log is masked: nothing; `tail` (the bytes past the text's NUL, where a level-1 log keeps older,
 * discarded text that may name kernel addresses; the text itself and log_true_size are compared); or `whole`.
 */
type LogMask = { kind: "none" } | { kind: "tail"; from: number } | { kind: "whole" };

function buildTrace(src: Source, obj: BpfObject, prog: BpfProgram, logSize: number, logMask: LogMask, retry: Retry): Trace {
  const b = new ProgBuilder();
  const { type, eat } = progType(prog.section);
  if (obj.btf) {
    // BTF_LOAD without a log (libbpf only asks for one after a failure).
    const blob = b.region(obj.btf.length, obj.btf);
    b.bpf(18, 32, [[0, 8, blob], [16, 4, obj.btf.length]], "BTF_LOAD of the object's fixed-up .BTF");
  }
  obj.maps.forEach((m, i) => {
    if (retry.noBtf.has(i)) {
      mapCreate(b, m, obj.btfFd, `map ${m.name} with BTF`);
      mapCreate(b, m, undefined, `map ${m.name}: retry without BTF`);
    } else mapCreate(b, m, obj.btfFd, `map ${m.name}`);
  });
  const fdOf = (name: string): number => {
    const i = obj.maps.findIndex((m) => m.name === name);
    if (i < 0) throw new Error(`${src.obj}: no map ${name}`);
    return obj.mapFd(i);
  };
  obj.maps.forEach((m, i) => {
    if (!m.section) return;
    // Global data: the initial value, then .rodata frozen (bpf_object__populate_internal_map).
    b.mapUpdate(obj.mapFd(i), new Uint8Array(4), m.section.data);
    if (m.freeze) b.bpf(22, 4, [[0, 4, obj.mapFd(i)]], `freeze ${m.name}`);
  });
  for (const u of src.updates) b.mapUpdate(fdOf(u.map), u.key, u.value);
  const progFd = obj.mapFd(obj.maps.length);
  const ins = b.region(prog.insns.length, prog.insns);
  const lic = b.str(obj.license);
  const log = b.logRegion(logSize);
  const fields: [number, 1 | 2 | 4 | 8, number | bigint][] = [[0, 4, type], [4, 4, prog.insns.length / 8], [8, 8, ins], [16, 8, lic], [24, 4, 1], [28, 4, logSize], [32, 8, log], [68, 4, eat]];
  enc.encode(prog.name).slice(0, 15).forEach((c, i) => fields.push([48 + i, 1, c]));
  if (obj.btfFd !== undefined) {
    fields.push([72, 4, obj.btfFd]);
    if (prog.funcInfo) fields.push([76, 4, prog.funcInfo.recSize], [80, 8, b.region(prog.funcInfo.bytes.length, prog.funcInfo.bytes)], [88, 4, prog.funcInfo.cnt]);
    if (prog.lineInfo) fields.push([92, 4, prog.lineInfo.recSize], [96, 8, b.region(prog.lineInfo.bytes.length, prog.lineInfo.bytes)], [104, 4, prog.lineInfo.cnt]);
  }
  const mask: Mask | undefined =
    logMask.kind === "whole"
      ? { mem: [{ addr: log, len: logSize }], attr: [[LOG_TRUE_SIZE_OFF, 4]] }
      : logMask.kind === "tail" && logMask.from < logSize
        ? { mem: [{ addr: log + BigInt(logMask.from), len: logSize - logMask.from }] }
        : undefined;
  b.bpf(CMD.PROG_LOAD, 144, fields, `PROG_LOAD ${prog.section} ${prog.name}`, 144, mask);
  if (PACKET_TYPES.has(type)) {
    for (const [name, pkt] of PACKETS) {
      b.testRun(progFd, { data: pkt, dataOut: 256, repeat: 1, note: `test run: ${name}` });
      const op = b.ops[b.ops.length - 1] as BpfOp;
      // retval (attr offset 4) as well as duration (36), which testRun masks already.
      if (src.maskRetval) b.ops[b.ops.length - 1] = { ...op, mask: { attr: [[4, 4], [36, 4]] } };
    }
  }
  b.progInfo(progFd, 232, prog.usedMaps.length ? { mapIds: prog.usedMaps.length } : {});
  {
    // bpf_prog_info.btf_id (offset 128) is the global id of the program's BTF object: host-specific like the other ids.
    const op = b.ops[b.ops.length - 1] as BpfOp;
    const info = new DataView(op.attr.buffer, op.attr.byteOffset).getBigUint64(8, true);
    b.ops[b.ops.length - 1] = { ...op, mask: { ...op.mask, mem: [...(op.mask?.mem ?? []), { addr: info + 128n, len: 4 }] } };
  }
  obj.maps.forEach((m, i) => {
    if (m.type === MAP_ARRAY) b.mapLookup(obj.mapFd(i), new Uint8Array(4), m.valueSize);
  });
  for (const l of src.lookups) b.mapLookup(fdOf(l.map), l.key, obj.maps.find((m) => m.name === l.map)!.valueSize);
  return {
    name: `real/${src.obj}/${prog.name}${obj.btf ? "" : ".nobtf"}`,
    description:
      `bpf-progs/${src.file} section ${JSON.stringify(prog.section)} (clang ${[...BASE_CFLAGS.slice(4, 5), ...src.cflags].join(" ")}), ` +
      (obj.btf ? "loaded as libbpf does (BTF, map BTF ids, func/line info)" : "loaded without BTF (libbpf's fallback when the kernel refuses it)") +
      (PACKET_TYPES.has(type) ? "; test runs, info, map reads" : "; info, map reads"),
    abi: "linux-6.18",
    env: { kind: "root" },
    recordedOn: null,
    ops: b.ops,
  };
}

/** The PROG_LOAD op of a recorded trace. */
function loadOp(t: Trace): BpfOp {
  return t.ops.find((o): o is BpfOp => o.op === "bpf" && o.cmd === CMD.PROG_LOAD)!;
}

/** The log text up to its NUL, or with `whole` every byte of the buffer (a rotated level-1 log leaves older text past the NUL). */
function logText(op: BpfOp, whole = false): string {
  const logAddr = new DataView(op.attr.buffer, op.attr.byteOffset).getBigUint64(32, true);
  const img = op.expect && "mem" in op.expect ? op.expect.mem.find((m) => m.addr === logAddr) : undefined;
  if (!img) return "";
  const end = whole ? -1 : img.bytes.indexOf(0);
  return new TextDecoder().decode(img.bytes.subarray(0, end < 0 ? img.bytes.length : end));
}

function trueSize(op: BpfOp): number {
  return op.expect ? new DataView(op.expect.attr.buffer, op.expect.attr.byteOffset).getUint32(LOG_TRUE_SIZE_OFF, true) : 0;
}

/** Logs naming kernel addresses or object ids change from run to run. */
const HOST_SPECIFIC = /map\[id:\d+\]|0xffff[0-9a-f]{8,}/;

async function record(traces: Trace[]): Promise<Trace[]> {
  const res = await runTracesOnKernelDetailed(traces);
  const bad = res.filter((r) => !r.ok);
  for (const r of bad) console.error(`${r.trace.name}: ${(r as { error: string }).error}`);
  if (bad.length) process.exit(1);
  return res.map((r) => r.trace);
}

function sameOutcome(a: TraceOp, b: TraceOp): boolean {
  if (a.op !== "bpf" || b.op !== "bpf" || !a.expect || !b.expect) return true;
  return a.expect.ret === b.expect.ret;
}

// -------------------------------------------------------------------- main

const avail = kernelAvailability();
if (!avail.ok) {
  console.error(`cannot record: ${avail.reason}`);
  process.exit(1);
}
const filter = process.argv[2];
// `// record: skip <why>` keeps a program out of the committed traces (named on the command line, it is recorded anyway).
const files = readdirSync(SRC)
  .filter((f) => f.endsWith(".bpf.c") && (filter ? f.includes(filter) : !/^\/\/ record: skip/m.test(readFileSync(join(SRC, f), "utf8"))))
  .sort();
const work = mkdtempSync(join(tmpdir(), "bpf-progs-"));
const items: { src: Source; obj: BpfObject; prog: BpfProgram }[] = [];
try {
  for (const f of files) {
    const src = readSource(f);
    const elf = compile(src, work);
    // Each program twice: as libbpf loads it (BTF, map BTF ids, func/line
    // info) and as libbpf falls back when the kernel refuses the BTF.
    for (const btf of [true, false]) {
      const obj = loadObject(src.obj, elf, FIRST_FD, { btf });
      if (obj.programs.length === 0) throw new Error(`${f}: no programs`);
      for (const prog of obj.programs) items.push({ src, obj, prog });
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

// Pass 1: how long is each log? Pass 2 (twice): the recorded traces with
// buffers sized to fit; a log that differs between the two recordings or
// names kernel addresses/ids is masked (only past its NUL when the text itself is clean), and a third
// recording must reproduce the second under those masks.
const noRetry: Retry = { noBtf: new Set() };
const probe = await record(items.map((it) => buildTrace(it.src, it.obj, it.prog, PROBE_LOG, { kind: "whole" }, noRetry)));
const sizes = probe.map((t) => Math.min(MAX_LOG, Math.max(256, Math.ceil((trueSize(loadOp(t)) + 256) / 256) * 256)));
// MAP_CREATE ops come in map order; a failed one with BTF ids gets libbpf's retry without them.
const retries: Retry[] = probe.map((t, i) => {
  const creates = t.ops.filter((o): o is BpfOp => o.op === "bpf" && o.cmd === CMD.MAP_CREATE);
  const noBtf = new Set<number>();
  creates.forEach((o, k) => {
    if ((o.expect?.ret ?? 0) < 0 && items[i]!.obj.maps[k]!.btfValueTypeId) noBtf.add(k);
  });
  return { noBtf };
});
const build = (logMasks: LogMask[]): Trace[] => items.map((it, i) => buildTrace(it.src, it.obj, it.prog, sizes[i]!, logMasks[i]!, retries[i]!));
const first = await record(build(items.map(() => ({ kind: "none" }))));
const second = await record(build(items.map(() => ({ kind: "none" }))));
const masks = first.map((t, i): LogMask => {
  const a = loadOp(t);
  const b = loadOp(second[i]!);
  if (HOST_SPECIFIC.test(logText(a)) || logText(a) !== logText(b) || trueSize(a) !== trueSize(b)) return { kind: "whole" };
  if (HOST_SPECIFIC.test(logText(a, true)) || logText(a, true) !== logText(b, true)) return { kind: "tail", from: new TextEncoder().encode(logText(a)).length + 1 };
  return { kind: "none" };
});
const unstable = first.flatMap((t, i) => t.ops.filter((op, k) => !sameOutcome(op, second[i]!.ops[k]!)).map(() => t.name));
if (unstable.length) console.warn(`return values differ between two recordings: ${[...new Set(unstable)].join(", ")}`);
const final = await record(build(masks));
// The kernel must reproduce its own recording wherever nothing is masked.
const again = await record(build(masks));
const unstableOps = final.flatMap((t, i) =>
  compareTrace(t, again[i]!.ops.map((op): OpOutcome => (op.op === "bpf" && op.expect ? { ret: op.expect.ret, attr: op.expect.attr, mem: op.expect.mem } : { ret: op.op === "map" || op.op === "write" || !op.expect ? 0 : op.expect.ret })))
    .filter((c) => c.compared && c.diffs.length)
    .map((c) => `${t.name}#${c.index}: ${c.diffs.map(formatDifference).join("; ").slice(0, 200)}`),
);
if (unstableOps.length) {
  console.error(`the kernel did not reproduce ${unstableOps.length} ops under their masks:\n  ${unstableOps.join("\n  ")}`);
  process.exit(1);
}

mkdirSync(OUT, { recursive: true });
if (!filter) for (const f of readdirSync(OUT)) if (/\.jsonl(\.gz)?$/.test(f)) rmSync(join(OUT, f));
const byObj = new Map<string, Trace[]>();
for (const t of final) {
  const obj = t.name.split("/")[1]!;
  byObj.set(obj, [...(byObj.get(obj) ?? []), t]);
}
// Big logs (and their test runs) compress well: files over 64 KiB are gzipped; the fixture loader reads both.
for (const [obj, ts] of byObj) {
  const plain = serializeTraceBundle(ts);
  writeTraceFile(join(OUT, `${obj}.jsonl${plain.length > 64 * 1024 ? ".gz" : ""}`), ts);
}
let loaded = 0;
for (const [i, t] of final.entries()) {
  const op = loadOp(t);
  const ret = op.expect?.ret ?? 0;
  if (ret >= 0) loaded++;
  const first = logText(op).split("\n").filter((l) => l.length).slice(-2).join(" | ");
  const m = masks[i]!;
  console.log(`${t.name.padEnd(48)} ${String(ret).padStart(4)}${m.kind === "whole" ? " (log masked)" : m.kind === "tail" ? " (log tail masked)" : ""}  ${first.slice(0, 110)}`);
}
console.log(`recorded ${final.length} programs (${loaded} loaded, ${final.length - loaded} rejected) from ${files.length} objects into ${OUT}`);
void LOG_BASE;

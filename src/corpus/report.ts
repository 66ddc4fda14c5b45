// SPDX-License-Identifier: GPL-2.0-only
// What the CLI, the tests and the demo say about a replay: per-op lines with
// the decoded attr, differences named by field, divergence keys
// (<trace-name>#<op-index>), agreement per family and per command. No Node API.

import { decodeAttr, formatDecoded } from "../abi/decode.ts";
import { errnoName } from "../abi/errno.ts";
import { compareTrace, formatDifference, summarize, type AgreementCount, type Difference, type OpComparison, type OpOutcome } from "../trace/compare.ts";
import { bytesToHex, formatAddr, type Trace, type TraceOp } from "../trace/format.ts";
import { replayOnEmulator, type ReplayOptions, type ReplayResult } from "../trace/replay.ts";
import { tablesFor, type AbiName } from "../uapi/profiles.ts";
import type { UapiTables } from "../uapi/layout.ts";
import { familyOf } from "./index.ts";

export interface TraceResult {
  readonly trace: Trace;
  readonly replay: ReplayResult;
  readonly ops: readonly OpComparison[];
  /** Every compared op agreed and the replay ran to the end. */
  readonly agrees: boolean;
}

export function replayAndCompare(trace: Trace, opts: ReplayOptions = {}): TraceResult {
  const replay = replayOnEmulator(trace, opts);
  const ops = compareTrace(trace, replay.outcomes);
  return { trace, replay, ops, agrees: replay.stopped === undefined && ops.every((o) => o.diffs.length === 0) };
}

function tablesOf(trace: Trace): UapiTables {
  try {
    return tablesFor(trace.abi as AbiName);
  } catch {
    return tablesFor("linux-6.18");
  }
}

export function cmdNameFor(trace: Trace): (cmd: number) => string | undefined {
  const t = tablesOf(trace);
  return (cmd) => t.commands[cmd]?.name;
}

/** `-22 EINVAL`, `3`. */
export function formatRet(ret: number): string {
  if (Number.isNaN(ret)) return "threw";
  return ret < 0 ? `${ret} ${errnoName(-ret)}` : String(ret);
}

/** One line naming the op: the decoded bpf call, or the file-system call. */
export function describeOp(trace: Trace, op: TraceOp): string {
  switch (op.op) {
    case "bpf": {
      const tables = tablesOf(trace);
      const d = decodeAttr(tables, op.cmd, op.attr, op.size);
      if (d === undefined) return `bpf(${op.cmd}, <${op.attr.length} bytes>, ${op.size})  unknown command`;
      const extra: string[] = [];
      if (op.attr.length !== op.size) extra.push(`buffer ${op.attr.length} bytes`);
      if (d.pastLastField.length) extra.push(`non-zero past LAST_FIELD at ${d.pastLastField[0]}`);
      if (d.pastUnion.length) extra.push(`non-zero past the union at ${d.pastUnion[0]}`);
      return `bpf(BPF_${d.name}, ${formatDecoded(d)}, ${op.size})${extra.length ? `  [${extra.join("; ")}]` : ""}${op.note ? `  # ${op.note}` : ""}`;
    }
    case "map":
      return `map ${formatAddr(op.addr)} +${op.len}${op.bytes?.length ? ` = ${abbrevHex(op.bytes)}` : ""}`;
    case "write":
      return `write ${formatAddr(op.addr)} = ${abbrevHex(op.bytes)}`;
    case "close":
      return `close(${op.fd})`;
    case "mkdir":
      return `mkdir(${JSON.stringify(op.path)}, 0${op.mode.toString(8)})`;
    case "unlink":
      return `unlink(${JSON.stringify(op.path)})`;
    case "open":
      return `open(${JSON.stringify(op.path)}, 0x${op.flags.toString(16)})`;
  }
}

function abbrevHex(b: Uint8Array, max = 24): string {
  return b.length > max ? `${bytesToHex(b.subarray(0, max))}... (${b.length} bytes)` : bytesToHex(b);
}

/** Which object kind each fd holds before op `index`, from the kernel's recorded results. */
function fdKindsBefore(trace: Trace, index: number): Map<number, string> {
  const kinds = new Map<number, string>();
  const creates: Record<string, string> = { MAP_CREATE: "map", MAP_GET_FD_BY_ID: "map", PROG_LOAD: "prog", PROG_GET_FD_BY_ID: "prog", BTF_LOAD: "btf", BTF_GET_FD_BY_ID: "btf", LINK_CREATE: "link", LINK_GET_FD_BY_ID: "link", RAW_TRACEPOINT_OPEN: "link", TOKEN_CREATE: "token" };
  const name = cmdNameFor(trace);
  for (let i = 0; i < index && i < trace.ops.length; i++) {
    const op = trace.ops[i]!;
    if (op.op === "close") kinds.delete(op.fd);
    if (op.op !== "bpf" || op.expect === undefined || op.expect.ret < 0) continue;
    const k = creates[name(op.cmd) ?? ""];
    if (k !== undefined) kinds.set(op.expect.ret, k);
  }
  return kinds;
}

/** Field names covering [off, off+len) of a struct or command layout. */
function fieldsAt(fields: readonly { name: string; offset: number; size: number }[], off: number, len: number): string[] {
  const names = fields.filter((f) => f.offset < off + len && f.offset + f.size > off).map((f) => f.name);
  return [...new Set(names)];
}

/** A difference with the attr or info-struct fields it touches named. */
export function explainDifference(trace: Trace, index: number, d: Difference): string {
  const op = trace.ops[index];
  const base = formatDifference(d);
  if (op === undefined || op.op !== "bpf") return base;
  const tables = tablesOf(trace);
  const layout = tables.commands[op.cmd];
  if (d.kind === "attr" && layout !== undefined) {
    const names = fieldsAt(layout.fields, d.offset, d.expected.length);
    return `${base}  <- ${names.length ? names.join(", ") : "padding/past LAST_FIELD"}`;
  }
  if (d.kind === "mem" && layout !== undefined) {
    // The pointer field of the attr that points at (or just below) this address.
    const dec = decodeAttr(tables, op.cmd, op.attr, op.size);
    let best: { name: string; ptr: bigint } | undefined;
    for (const f of dec?.fields ?? []) {
      if (f.field.kind !== "uptr" || typeof f.value !== "bigint" || f.value === 0n) continue;
      if (f.value <= d.addr && (best === undefined || f.value > best.ptr)) best = { name: f.field.name, ptr: f.value };
    }
    if (best === undefined) return base;
    const off = Number(d.addr - best.ptr);
    let detail = `${best.name}+${off}`;
    if (layout.name === "OBJ_GET_INFO_BY_FD" && best.name === "info.info") {
      const fd = new DataView(op.attr.buffer, op.attr.byteOffset, op.attr.length).getUint32(0, true);
      const kind = op.attr.length >= 4 ? fdKindsBefore(trace, index).get(fd) : undefined;
      const st = kind === undefined ? undefined : tables.structs[`bpf_${kind}_info`];
      if (st !== undefined) detail += ` = bpf_${kind}_info.${fieldsAt(st.fields, off, d.expected.length).join("/") || "?"}`;
    }
    return `${base}  <- ${detail}`;
  }
  return base;
}

/** `<trace-name>#<op-index>` */
export const divergenceKey = (trace: Trace, index: number): string => `${trace.name}#${index}`;

export interface Divergence {
  readonly key: string;
  readonly trace: Trace;
  readonly index: number;
  /** One line: the first difference, explained. */
  readonly reason: string;
  readonly diffs: readonly Difference[];
}

/** Every diverging op of a result (a stopped replay reports the op it stopped at). */
export function divergencesOf(r: TraceResult): Divergence[] {
  const out: Divergence[] = [];
  for (const o of r.ops) {
    if (o.diffs.length === 0) continue;
    const first = explainDifference(r.trace, o.index, o.diffs[0]!);
    const more = o.diffs.length > 1 ? ` (+${o.diffs.length - 1} more)` : "";
    out.push({ key: divergenceKey(r.trace, o.index), trace: r.trace, index: o.index, reason: oneLine(first + more), diffs: o.diffs });
  }
  if (r.replay.stopped !== undefined && !out.some((d) => d.index === r.replay.stopped!.index)) {
    const i = r.replay.stopped.index;
    out.push({ key: divergenceKey(r.trace, i), trace: r.trace, index: i, reason: oneLine(`replay stopped: ${r.replay.stopped.error}`), diffs: [] });
  }
  return out;
}

function oneLine(s: string): string {
  const t = s.replace(/\s+/g, " ").trim();
  return t.length > 240 ? t.slice(0, 237) + "..." : t;
}

/** The per-call report for one trace: decoded call, emulator vs kernel, a mark and the explained differences. */
export function formatTraceReport(r: TraceResult, opts: { onlyDiffering?: boolean; showSetup?: boolean } = {}): string[] {
  const lines: string[] = [];
  const t = r.trace;
  lines.push(`${r.agrees ? "ok  " : "DIFF"} ${t.name}  (${t.env.kind}${t.description ? `: ${t.description}` : ""})`);
  for (const o of r.ops) {
    const op = o.op;
    if ((op.op === "map" || op.op === "write") && !opts.showSetup) continue;
    const differs = o.diffs.length > 0;
    if (opts.onlyDiffering && !differs) continue;
    lines.push(`  #${o.index} ${describeOp(t, op)}`);
    if (!o.compared && op.op !== "map" && op.op !== "write") {
      lines.push(`       emulator ${outcomeText(o.actual)}   kernel: not recorded`);
      continue;
    }
    if (op.op === "map" || op.op === "write") continue;
    const kernel = op.expect === undefined ? "-" : formatRet(op.expect.ret);
    lines.push(`       emulator ${outcomeText(o.actual).padEnd(28)} kernel ${kernel.padEnd(12)} ${differs ? "<-- DIFFERS" : "="}`);
    for (const d of o.diffs) lines.push(`         ${explainDifference(t, o.index, d)}`);
  }
  if (r.replay.stopped) lines.push(`  replay stopped at op #${r.replay.stopped.index}: ${r.replay.stopped.error}`);
  return lines;
}

function outcomeText(a: OpOutcome | undefined): string {
  if (a === undefined) return "(not run)";
  if (a.threw !== undefined) return `threw ${a.threw}`;
  return `${formatRet(a.ret)}${a.reason ? ` (${a.reason})` : ""}`;
}

// -------------------------------------------------------------- summaries

export interface FamilyCount {
  readonly family: string;
  total: number;
  agree: number;
}

/** Traces agreeing per family (family = familyOf(name), or `keyOf`). */
export function byFamily(results: readonly TraceResult[], keyOf: (t: Trace) => string = (t) => familyOf(t.name)): FamilyCount[] {
  const m = new Map<string, FamilyCount>();
  for (const r of results) {
    const k = keyOf(r.trace);
    let c = m.get(k);
    if (!c) m.set(k, (c = { family: k, total: 0, agree: 0 }));
    c.total++;
    if (r.agrees) c.agree++;
  }
  return [...m.values()];
}

export function formatFamilies(rows: readonly FamilyCount[], title = "family"): string {
  const w = Math.max(title.length, ...rows.map((r) => r.family.length));
  const out = [`${title.padEnd(w)}  agree/cases`];
  for (const r of rows) out.push(`${r.family.padEnd(w)}  ${String(r.agree).padStart(5)}/${String(r.total).padEnd(5)} ${pct(r.agree, r.total)}`);
  return out.join("\n");
}

/** Per bpf command, every command of the ABI listed (0 cases shown too), op level. */
export function commandSummary(results: readonly TraceResult[]): AgreementCount[] {
  const name = results.length ? cmdNameFor(results[0]!.trace) : () => undefined;
  return summarize(results.flatMap((r) => r.ops), name);
}

/** Percent with one decimal, never rounded up to 100.0 unless exact. */
export function pct(x: number, y: number): string {
  if (y === 0) return "(n/a)";
  return `(${(Math.floor((1000 * x) / y) / 10).toFixed(1)}%)`;
}

export function agreementLine(agree: number, total: number): string {
  return `agreement: ${agree}/${total} cases ${pct(agree, total)}`;
}

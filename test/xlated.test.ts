// SPDX-License-Identifier: GPL-2.0-only
// The xlated program of prog info (bpf_insn_prepare_dump after the verifier's
// rewrites, kernel/fixups.ts) against the live kernel: every program the
// recorded corpora load successfully gets an OBJ_GET_INFO_BY_FD right after
// its load asking for the xlated insns (and func_info / line_info), and the
// kernel's answer is compared with the emulator's. Map ids (host counters),
// helper call imms (kernel text offsets) and the kernel addresses in the
// inlined bpf_get_smp_processor_id / bpf_jiffies64 are host-specific and
// normalised on both sides. Needs root and a working bpf(); skipped otherwise.

import { describe, expect, it } from "vitest";
import { join } from "node:path";
import "../src/index.ts";
import { FIXTURE_TRACES, readTraceFile, traceFilesUnder } from "../src/cli/trace-files.ts";
import { kernelAvailability, runTracesOnKernelDetailed } from "../src/oracle/native.ts";
import type { BpfOp, MapOp, Trace, TraceOp } from "../src/trace/format.ts";
import { replayOnEmulator } from "../src/trace/replay.ts";

const avail = kernelAvailability();
if (!avail.ok) console.log(`[xlated.test] live-kernel tests skipped: ${avail.reason}`);

const PROG_LOAD = 5;
const OBJ_GET_INFO_BY_FD = 15;
const INFO_LEN = 232;
const XL_BASE = 0x50000000n;
const INFO_BASE = 0x60000000n;
const XL_LEN = 0x4000;
const FI_OFF = 0x4000n;
const LI_OFF = 0x5000n;

interface Probe {
  readonly trace: Trace;
  /** Index of each added info op, with its info and output addresses. */
  readonly infos: { op: number; info: bigint; out: bigint }[];
}

/** The trace with a prog info call (xlated insns, func_info, line_info) after each successful PROG_LOAD. */
function withInfoCalls(t: Trace): Probe | null {
  const ops: TraceOp[] = [];
  const infos: Probe["infos"] = [];
  for (const op of t.ops) {
    ops.push(op);
    if (op.op !== "bpf" || op.cmd !== PROG_LOAD || !op.expect || op.expect.ret < 0) continue;
    const k = BigInt(infos.length);
    const info = INFO_BASE + k * 0x1000n;
    const out = XL_BASE + k * 0x10000n;
    const ib = new Uint8Array(INFO_LEN);
    const dv = new DataView(ib.buffer);
    // bpf_prog_info: xlated_prog_len/insns (20, 32), func_info (132 rec size, 136, 144 count), line_info (148 count, 152, 172 rec size).
    dv.setUint32(20, XL_LEN, true);
    dv.setBigUint64(32, out, true);
    dv.setUint32(132, 8, true);
    dv.setBigUint64(136, out + FI_OFF, true);
    dv.setUint32(144, 64, true);
    dv.setUint32(148, 128, true);
    dv.setBigUint64(152, out + LI_OFF, true);
    dv.setUint32(172, 16, true);
    ops.push({ op: "map", addr: info, len: INFO_LEN, bytes: ib } satisfies MapOp);
    ops.push({ op: "map", addr: out, len: 0x8000 } satisfies MapOp);
    const attr = new Uint8Array(16);
    const av = new DataView(attr.buffer);
    av.setUint32(0, op.expect.ret, true);
    av.setUint32(4, INFO_LEN, true);
    av.setBigUint64(8, info, true);
    infos.push({ op: ops.length, info, out });
    ops.push({ op: "bpf", cmd: OBJ_GET_INFO_BY_FD, size: 16, attr, expect: { ret: 0, attr, mem: [] } } satisfies BpfOp);
  }
  return infos.length ? { trace: { ...t, ops }, infos } : null;
}

/** The dump with host-specific values zeroed (map ids renumbered by first use). */
function normalise(b: Uint8Array, len: number): string {
  const c = b.slice(0, len);
  const dv = new DataView(c.buffer);
  const ids = new Map<number, number>();
  for (let o = 0; o + 8 <= len; o += 8) {
    const code = c[o]!;
    const src = c[o + 1]! >> 4;
    if (code === 0x18) {
      if (src === 1 || src === 2) {
        const id = dv.getUint32(o + 4, true);
        if (!ids.has(id)) ids.set(id, ids.size);
        dv.setUint32(o + 4, ids.get(id)!, true);
      } else if (c[o + 1] === 0 && c[o + 16] === 0x79 && c[o + 17] === 0) {
        // bpf_jiffies64 inlined: the address of jiffies.
        dv.setUint32(o + 4, 0, true);
        dv.setUint32(o + 12, 0, true);
      }
      o += 8;
      continue;
    }
    if (code === 0x85 && src === 0) dv.setUint32(o + 4, 0, true);
    // bpf_get_smp_processor_id inlined: the per-CPU address of cpu_number, then a per-CPU move.
    if (code === 0xb7 && c[o + 1] === 0 && c[o + 8] === 0xbf && dv.getInt16(o + 10, true) === -1) dv.setUint32(o + 4, 0, true);
  }
  return Array.from(c, (x) => x.toString(16).padStart(2, "0")).join("");
}

const u32 = (b: Uint8Array | undefined, off: number): number => (b ? new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(off, true) : -1);

describe("xlated prog info (kernel/fixups.ts) vs the live kernel", () => {
  it.skipIf(!avail.ok)("every program the emulator loads dumps the kernel's xlated insns, func_info and line_info (numbers printed)", async () => {
    const traces = ["real", "progs", "progs2", "btfinfo", "extra"].flatMap((d) => traceFilesUnder(join(FIXTURE_TRACES, d)).flatMap(readTraceFile));
    const probes = traces.map(withInfoCalls).filter((p): p is Probe => p !== null);
    const kernel = await runTracesOnKernelDetailed(probes.map((p) => p.trace), { parallel: 2 });
    let calls = 0;
    let refused = 0;
    let lenAgree = 0;
    let agree = 0;
    let withBtf = 0;
    let btfAgree = 0;
    const bad: string[] = [];
    probes.forEach((p, i) => {
      const k = kernel[i]!;
      if (!k.ok) {
        bad.push(`${p.trace.name}: kernel run failed: ${k.error}`);
        return;
      }
      const emu = replayOnEmulator(p.trace);
      for (const { op, info, out } of p.infos) {
        const kop = k.trace.ops[op]!;
        if (kop.op !== "bpf" || kop.expect?.ret !== 0) continue;
        calls++;
        const eo = emu.outcomes[op];
        if (!eo || eo.ret !== 0) {
          // The emulator refused the load (or the call): not an xlated question.
          refused++;
          continue;
        }
        const kinfo = kop.expect.mem?.find((m) => m.addr === info)?.bytes;
        const einfo = eo.mem?.find((m) => m.addr === info)?.bytes;
        const kout = kop.expect.mem?.find((m) => m.addr === out)?.bytes ?? new Uint8Array(0x8000);
        const eout = eo.mem?.find((m) => m.addr === out)?.bytes ?? new Uint8Array(0x8000);
        const kl = u32(kinfo, 20);
        const el = u32(einfo, 20);
        if (kl === el) lenAgree++;
        if (kl === el && normalise(kout, kl) === normalise(eout, el)) agree++;
        else bad.push(`${p.trace.name} op#${op}: xlated_prog_len kernel ${kl}, emulator ${el}`);
        const nf = u32(kinfo, 144);
        const nl = u32(kinfo, 148);
        if (nf > 0 || nl > 0) {
          withBtf++;
          const recs = (b: Uint8Array): string => normalise(b.subarray(0x4000, 0x4000 + 8 * nf), 8 * nf) + "|" + normalise(b.subarray(0x5000, 0x5000 + 16 * nl), 16 * nl);
          if (nf === u32(einfo, 144) && nl === u32(einfo, 148) && recs(kout) === recs(eout)) btfAgree++;
          else bad.push(`${p.trace.name} op#${op}: func_info/line_info differ`);
        }
      }
    });
    console.log(
      `xlated prog info: ${calls} info calls after successful loads, ${refused} on programs the emulator refuses; ` +
        `of the others xlated_prog_len agrees ${lenAgree}/${calls - refused}, insns ${agree}/${calls - refused}; ` +
        `func_info/line_info ${btfAgree}/${withBtf}` + (bad.length ? `\n  ${bad.slice(0, 20).join("\n  ")}` : ""),
    );
    expect(calls).toBeGreaterThan(300);
    expect(bad).toEqual([]);
  }, 300_000);
});

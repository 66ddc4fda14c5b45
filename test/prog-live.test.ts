// SPDX-License-Identifier: GPL-2.0-only
// Live sweeps against the running kernel (skipped, with a printed reason,
// without root and bpf()): every context offset and size a program can read
// or write, for each program type, loaded on the kernel and on the emulator.
// The kernel's verdict is the expected value; the emulator must give the
// same errno class or say that it does not emulate the access ("bpfemu: ...").

import { describe, expect, it } from "vitest";
import "../src/index.ts";
import * as A from "../src/corpus/bpf_asm.ts";
import { ProgBuilder } from "../src/corpus/prog_builder.ts";
import { kernelAvailability, runTracesOnKernel } from "../src/oracle/native.ts";
import type { Trace } from "../src/trace/format.ts";
import { replayOnEmulator } from "../src/trace/replay.ts";

const avail = kernelAvailability();
if (!avail.ok) console.log(`[prog-live.test] live-kernel tests skipped: ${avail.reason}`);

/** (prog_type, expected_attach_type) pairs that load with expected_attach_type as given. */
const TYPES: readonly (readonly [number, number])[] = [
  [1, 0], [2, 0], [3, 0], [5, 0], [6, 0], [7, 0], [8, 0], [9, 0], [9, 12], [9, 13], [10, 0], [13, 0], [14, 0], [15, 0], [16, 0],
  [17, 0], [18, 8], [21, 0], [22, 0], [23, 0], [24, 0], [25, 21], [30, 36], [32, 45],
];

describe("context access sweep (live)", () => {
  it.skipIf(!avail.ok)("every read (1/2/4/8 bytes) and write (4/8 bytes) at offsets 0..238 agrees or is declared unsupported", async () => {
    const S = A.SZ;
    const traces: Trace[] = [];
    const names: string[][] = [];
    for (const [t, eat] of TYPES) {
      const b = new ProgBuilder();
      const n: string[] = [];
      for (let off = 0; off < 240; off += 2) {
        for (const [sz, code] of [[1, S.B], [2, S.H], [4, S.W], [8, S.DW]] as const) {
          if (off % sz) continue;
          b.load(t, A.prog(A.ldx(code, 0, 1, off), A.mov64i(0, 0), A.exit()), { eat });
          n.push(`type ${t}/${eat} read off ${off} size ${sz}`);
          if (sz >= 4) {
            b.load(t, A.prog(A.st(code, 1, off, 0), A.mov64i(0, 0), A.exit()), { eat });
            n.push(`type ${t}/${eat} write off ${off} size ${sz}`);
          }
        }
      }
      traces.push({ name: `ctx-${t}-${eat}`, description: "", abi: "linux-6.18", env: { kind: "root" }, recordedOn: null, ops: b.ops });
      names.push(n);
    }
    const recorded = await runTracesOnKernel(traces, { timeoutMs: 120_000 });
    let total = 0;
    let agree = 0;
    let unsupported = 0;
    const wrong: string[] = [];
    recorded.forEach((tr, i) => {
      const out = replayOnEmulator(tr).outcomes;
      let k = 0;
      tr.ops.forEach((op, j) => {
        if (op.op !== "bpf" || !op.expect) return;
        const name = names[i]![k++]!;
        total++;
        const kr = op.expect.ret >= 0 ? 0 : op.expect.ret;
        const e = out[j]!;
        const er = e.ret >= 0 ? 0 : e.ret;
        if (kr === er) agree++;
        else if ((e.reason ?? "").includes("bpfemu:")) unsupported++;
        else wrong.push(`${name}: kernel ${op.expect.ret}, emulator ${e.ret} (${e.reason ?? ""})`);
      });
    });
    console.log(`[prog-live.test] context sweep: ${agree}/${total} agree, ${unsupported} declared unsupported, ${wrong.length} wrong`);
    expect(wrong).toEqual([]);
  }, 300_000);

  it.skipIf(!avail.ok)("every opcode with eleven field combinations: the same verdict and the same verifier message", async () => {
    const variants: readonly (readonly [number, number, number, number])[] = [[1, 2, 0, 0], [1, 0, 0, 0], [1, 2, 1, 0], [1, 2, 0, 1], [1, 2, 0, 16], [1, 2, 8, 32], [10, 1, -8, 0], [1, 10, -8, 0], [0, 0, 0, 0], [1, 1, 0, 64], [1, 2, 1, 1]];
    const traces: Trace[] = [];
    const names: string[][] = [];
    for (let hi = 0; hi < 8; hi++) {
      const b = new ProgBuilder();
      const n: string[] = [];
      for (let code = hi * 32; code < hi * 32 + 32; code++) {
        for (const [d, s, off, imm] of variants) {
          b.load(1, A.prog(A.mov64i(1, 3), A.mov64i(2, 5), A.st(A.SZ.DW, 10, -8, 0), A.raw(code, d, s, off, imm), A.mov64i(0, 0), A.exit()), { logLevel: 1, logSize: 4096, compareLog: true });
          n.push(`code 0x${code.toString(16)} dst ${d} src ${s} off ${off} imm ${imm}`);
        }
      }
      traces.push({ name: `opcodes-${hi}`, description: "", abi: "linux-6.18", env: { kind: "root" }, recordedOn: null, ops: b.ops });
      names.push(n);
    }
    const recorded = await runTracesOnKernel(traces, { timeoutMs: 120_000 });
    const text = (mem: readonly { addr: bigint; bytes: Uint8Array }[] | undefined): string[] =>
      (mem ?? []).filter((m) => m.addr >= 0x30000000n).map((m) => new TextDecoder().decode(m.bytes).replace(/\0.*$/s, "")).join("").split("\n");
    let total = 0;
    let agree = 0;
    let unsupported = 0;
    const wrong: string[] = [];
    recorded.forEach((tr, i) => {
      const out = replayOnEmulator(tr).outcomes;
      let k = 0;
      tr.ops.forEach((op, j) => {
        if (op.op !== "bpf" || !op.expect) return;
        const name = names[i]![k++]!;
        total++;
        const e = out[j]!;
        const kr = op.expect.ret >= 0 ? 0 : op.expect.ret;
        const er = e.ret >= 0 ? 0 : e.ret;
        // The verifier's last message sits just above the "processed ..." line.
        const km = text(op.expect.mem).at(-3) ?? "";
        const em = text(e.mem).at(-3) ?? "";
        if (kr === er && km === em) agree++;
        else if ((e.reason ?? "").includes("bpfemu:")) unsupported++;
        else wrong.push(`${name}: kernel ${op.expect.ret} "${km}", emulator ${e.ret} "${em}"`);
      });
    });
    console.log(`[prog-live.test] opcode sweep: ${agree}/${total} agree (verdict and message), ${unsupported} declared unsupported, ${wrong.length} wrong`);
    expect(wrong).toEqual([]);
  }, 300_000);
});

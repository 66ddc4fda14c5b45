// SPDX-License-Identifier: GPL-2.0-only
// The comparison and replay machinery, driven by hand-made outcomes and a
// stub kernel: this checks how differences are found and masked, not what
// the emulator answers (test/oracle.test.ts and the conformance replays do).

import { describe, expect, it } from "vitest";
import { compareOp, compareTrace, formatDifference, formatSummary, summarize } from "../src/trace/compare.ts";
import type { OpOutcome } from "../src/trace/compare.ts";
import { parseTrace } from "../src/trace/format.ts";
import type { BpfExpect } from "../src/trace/format.ts";
import { replayOnEmulator } from "../src/trace/replay.ts";
import type { ReplayKernel, ReplayTask } from "../src/trace/replay.ts";

const b = (...x: number[]): Uint8Array => new Uint8Array(x);

describe("compareOp", () => {
  const expected: BpfExpect = {
    ret: 3,
    attr: b(1, 2, 3, 4, 5, 6),
    mem: [{ addr: 0x1000n, bytes: b(9, 9, 9, 9) }],
  };

  it("finds nothing when both sides agree", () => {
    expect(compareOp(expected, { ret: 3, attr: b(1, 2, 3, 4, 5, 6), mem: [{ addr: 0x1000n, bytes: b(9, 9, 9, 9) }] })).toEqual([]);
  });

  it("reports ret, coalesced attr runs and memory runs", () => {
    const d = compareOp(expected, {
      ret: -22,
      reason: "why",
      attr: b(1, 0, 0, 4, 5, 0),
      mem: [{ addr: 0x1000n, bytes: b(9, 9, 0, 9) }],
    });
    expect(d.map(formatDifference)).toEqual([
      "ret: kernel 3, emulator -22 (why)",
      "attr[1..3): kernel 0203, emulator 0000",
      "attr[5..6): kernel 06, emulator 00",
      "mem 0x1002+1: kernel 09, emulator 00",
    ]);
  });

  it("respects masks", () => {
    const actual: OpOutcome = { ret: 4, attr: b(1, 0, 0, 4, 5, 6), mem: [{ addr: 0x1000n, bytes: b(9, 9, 0, 9) }] };
    expect(compareOp(expected, actual).length).toBe(3);
    expect(compareOp(expected, actual, { ret: true, attr: [[1, 2]], mem: [{ addr: 0x1002n, len: 1 }] })).toEqual([]);
    // A masked ret still tells success from failure and errno from errno.
    expect(compareOp({ ret: -1 }, { ret: -13 }, { ret: true })).toHaveLength(1);
    expect(compareOp({ ret: 3 }, { ret: -1 }, { ret: true })).toHaveLength(1);
  });

  it("compares a region changed on one side with the other side's earlier contents", () => {
    const before = { expected: new Map([[0x1000n, b(9, 9, 0, 0)]]), actual: new Map([[0x1000n, b(9, 9, 0, 0)]]) };
    // The kernel wrote bytes 2-3, the emulator nothing.
    const d = compareOp(expected, { ret: 3, attr: expected.attr, mem: [] }, undefined, before);
    expect(d.map(formatDifference)).toEqual(["mem 0x1002+2: kernel 0909, emulator 0000"]);
    // Only masked bytes changed: no difference.
    expect(compareOp(expected, { ret: 3, attr: expected.attr, mem: [] }, { mem: [{ addr: 0x1002n, len: 2 }] }, before)).toEqual([]);
    // Without `before` the region can only be reported whole.
    expect(compareOp(expected, { ret: 3, attr: expected.attr, mem: [] })[0]).toEqual({
      kind: "error",
      detail: "region 0x1000 changed on the kernel side only",
    });
  });

  it("reports an emulator exception as an error", () => {
    expect(compareOp({ ret: 0 }, { ret: Number.NaN, threw: "TypeError: x" })).toEqual([{ kind: "error", detail: "emulator threw: TypeError: x" }]);
  });
});

const TRACE = `{"bpfemuTrace":1,"name":"t","description":"","abi":"linux-6.18","env":{"kind":"root"},"recordedOn":"x"}
{"op":"map","addr":"0x10000000","len":8,"hex":"0102"}
{"op":"bpf","cmd":1,"size":4,"attr":"00000000","expect":{"ret":0,"attr":"07000000","mem":[{"addr":"0x10000000","hex":"0102000000000005"}]}}
{"op":"write","addr":"0x10000004","hex":"ff"}
{"op":"bpf","cmd":2,"size":4,"attr":"","expect":{"ret":-14,"attr":"","mem":[]}}
{"op":"close","fd":3,"expect":{"ret":-9}}
{"op":"open","path":"/sys/fs/bpf","flags":0}
`;

/** A stub task whose bpf() writes attr[0] = 7 and mem[7] = 5 for cmd 1 and faults otherwise. */
function stubKernel(log: string[]): ReplayKernel {
  const mem = new Map<bigint, number>();
  let lastError: ReplayTask["lastError"] = null;
  const task: ReplayTask = {
    memory: {
      map: (addr, len) => {
        log.push(`map ${addr.toString(16)} ${len}`);
        for (let i = 0n; i < BigInt(len); i++) mem.set(addr + i, 0);
      },
      write: (addr, bytes) => bytes.forEach((v, i) => mem.set(addr + BigInt(i), v)),
      read: (addr, len) => Uint8Array.from({ length: len }, (_, i) => mem.get(addr + BigInt(i)) ?? 0),
    },
    sys_bpf(cmd, attr, size) {
      log.push(`bpf ${cmd} ${attr.byteLength} ${size}`);
      if (cmd !== 1) {
        lastError = { errno: 14, name: "EFAULT", reason: "stub fault" };
        return -14;
      }
      new Uint8Array(attr)[0] = 7;
      mem.set(0x10000007n, 5);
      return 0;
    },
    close: () => -9,
    mkdir: () => 0,
    unlink: () => 0,
    open: () => {
      throw new TypeError("open is not a function");
    },
    get lastError() {
      return lastError;
    },
  };
  return { spawn: () => task };
}

describe("replayOnEmulator and compareTrace", () => {
  it("replays each op, records attr and changed regions, stops at an exception", () => {
    const log: string[] = [];
    const trace = parseTrace(TRACE);
    const r = replayOnEmulator(trace, { createKernel: () => stubKernel(log) });
    expect(log).toEqual(["map 10000000 8", "bpf 1 4 4", "bpf 2 0 4"]);
    expect(r.stopped).toEqual({ index: 5, error: "open: TypeError: open is not a function" });
    expect(r.outcomes[1]).toEqual({ ret: 0, attr: b(7, 0, 0, 0), mem: [{ addr: 0x10000000n, bytes: b(1, 2, 0, 0, 0, 0, 0, 5) }] });
    expect(r.outcomes[3]).toEqual({ ret: -14, reason: "stub fault", attr: b(), mem: [] });

    const cmp = compareTrace(trace, r.outcomes);
    expect(cmp.map((c) => [c.compared, c.diffs.map(formatDifference)])).toEqual([
      [false, []],
      [true, []],
      [false, []],
      [true, []],
      [true, []],
      [false, []], // no expect on the open
    ]);
    const rows = summarize(cmp, (c) => (c === 1 ? "MAP_LOOKUP_ELEM" : undefined));
    expect(rows).toEqual([
      { key: "MAP_LOOKUP_ELEM", total: 1, agree: 1, retAgree: 1 },
      { key: "cmd 2", total: 1, agree: 1, retAgree: 1 },
      { key: "close", total: 1, agree: 1, retAgree: 1 },
    ]);
    expect(formatSummary(rows).split("\n").at(-1)).toMatch(/^total\s+3\/3\s+exact\s+3\/3\s+ret$/);
  });

  it("notices a write the emulator made that the kernel did not", () => {
    const trace = parseTrace(TRACE.replace(`"mem":[{"addr":"0x10000000","hex":"0102000000000005"}]`, `"mem":[]`));
    const r = replayOnEmulator(trace, { createKernel: () => stubKernel([]) });
    const diffs = compareTrace(trace, r.outcomes)[1]!.diffs.map(formatDifference);
    expect(diffs).toEqual(["mem 0x10000007+1: kernel 00, emulator 05"]);
  });
});

// SPDX-License-Identifier: GPL-2.0-only
// Links and program attachment: the recorded traces of fixtures/traces/links
// (recorded on Linux 6.18 by scripts/record-link-traces.ts, each in a
// private network namespace: XDP links on lo, sockmap slots and links, the
// flow dissector hook, tcx with its mprog ordering) replayed on the emulator, byte for byte; a few
// of the recorded answers spelt out; and, with root and a working bpf(), the
// same traces run again on the live kernel and compared with the emulator.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import "../src/index.ts";
import { encodeAttr } from "../src/abi/decode.ts";
import { Kernel } from "../src/kernel/kernel.ts";
import type { Task } from "../src/kernel/task.ts";
import { linux_6_18 } from "../src/uapi/gen/linux-6.18.ts";
import { kernelAvailability, runTracesOnKernel } from "../src/oracle/native.ts";
import { parseTrace, type Trace } from "../src/trace/format.ts";
import { replayOnEmulator } from "../src/trace/replay.ts";
import { differences } from "./support/replay.ts";

const DIR = join(import.meta.dirname, "..", "fixtures", "traces", "links");
const traces: Trace[] = readdirSync(DIR)
  .filter((f) => f.endsWith(".jsonl"))
  .sort()
  .map((f) => parseTrace(readFileSync(join(DIR, f), "utf8")));


/** The recorded return value of the op whose note is `note`. */
function recorded(name: string, note: string): number {
  const t = traces.find((x) => x.name === `links/${name}`);
  if (t === undefined) throw new Error(`no trace ${name}`);
  const op = t.ops.find((o) => o.op === "bpf" && o.note === note);
  if (op === undefined || op.op !== "bpf" || op.expect === undefined) throw new Error(`no recorded op "${note}" in ${name}`);
  return op.expect.ret;
}

/** The emulator's return value for the same op. */
function emulated(name: string, note: string): number {
  const t = traces.find((x) => x.name === `links/${name}`)!;
  const i = t.ops.findIndex((o) => o.op === "bpf" && o.note === note);
  return replayOnEmulator(t).outcomes[i]!.ret;
}

describe("links and attachment (recorded on 6.18)", () => {
  it("has the four hand-written recordings and the random ones (scripts/fuzz-links.ts --save)", () => {
    const names = traces.map((t) => t.name);
    expect(names.filter((n) => !n.startsWith("links/random-"))).toEqual(["links/flow-dissector", "links/sockmap-progs", "links/tcx", "links/xdp-lifecycle"]);
    expect(names.filter((n) => n.startsWith("links/random-")).length).toBeGreaterThanOrEqual(20);
    expect(traces.every((t) => t.recordedOn !== null)).toBe(true);
  });

  it("every recorded call agrees byte for byte", () => {
    const { ops, diffs } = differences(traces);
    console.log(`links traces: ${traces.length} traces, ${ops} compared ops, ${diffs.length} differences`);
    expect(ops).toBeGreaterThan(1000);
    expect(diffs).toEqual([]);
  });

  // The recorded answers the implementation was built against, named so that a regression says which rule broke.
  const cases: [string, string, number][] = [
    ["xdp-lifecycle", "second link in the same mode: EBUSY", -16],
    ["xdp-lifecycle", "DRV mode while generic is active: EEXIST", -17],
    ["xdp-lifecycle", "HW mode: lo has no ndo_bpf", -95],
    ["xdp-lifecycle", "update to an XDP prog with another expected_attach_type", -22],
    ["xdp-lifecycle", "REPLACE with the wrong old program", -1],
    ["xdp-lifecycle", "B again: no-op", 0],
    ["xdp-lifecycle", "a pinned link opened read-only: EINVAL", -22],
    ["xdp-lifecycle", "the pin keeps the link attached: EBUSY", -16],
    ["xdp-lifecycle", "the fd keeps the link attached: EBUSY", -16],
    ["xdp-lifecycle", "a DEVMAP program cannot go on a device", -22],
    ["xdp-lifecycle", "update after detach: ENOLINK", -67],
    ["xdp-lifecycle", "detach twice", 0],
    ["xdp-lifecycle", "info_len 72 with a non-zero tail byte: E2BIG", -7],
    ["sockmap-progs", "skb verdict while the stream verdict is set: EBUSY", -16],
    ["sockmap-progs", "an array map has no slots", -95],
    ["sockmap-progs", "detach a program that was replaced: ENOENT", -2],
    ["sockmap-progs", "the link owns the slot: EBUSY", -16],
    ["sockmap-progs", "PROG_DETACH of a link's program: EBUSY", -16],
    ["sockmap-progs", "update after detach: ENOLINK", -67],
    ["tcx", "no entry yet: count 0, revision 1", 0],
    ["tcx", "no device 2", -19],
    ["tcx", "A twice: EEXIST", -17],
    ["tcx", "count 2: ENOSPC", -28],
    ["tcx", "stale expected_revision", -116],
    ["tcx", "right expected_revision (A, B, C made it 4)", 0],
    ["tcx", "BEFORE and AFTER disagree", -34],
    ["tcx", "BPF_F_LINK with a program fd", -22],
    ["tcx", "A belongs to the link: EBUSY", -16],
    ["tcx", "update the link to B, which is attached already: EEXIST", -17],
    ["tcx", "update after detach: ENOLINK", -67],
    ["flow-dissector", "A again: EINVAL", -22],
    ["flow-dissector", "A is not attached: ENOENT", -2],
    ["flow-dissector", "detach with target_fd set", -22],
  ];
  it.each(cases)("%s: %s", (name, note, want) => {
    expect(recorded(name, note)).toBe(want);
    expect(emulated(name, note)).toBe(want);
  });
});

const avail = kernelAvailability();
if (!avail.ok) console.log(`links live comparison skipped: ${avail.reason}`);

describe("links on the live kernel", () => {
  it.skipIf(!avail.ok)("the traces recorded afresh still agree with the emulator", async () => {
    const fresh = await runTracesOnKernel(traces, { timeoutMs: 20000 });
    const { diffs } = differences(fresh);
    expect(diffs).toEqual([]);
  }, 60000);
});

// Probed on 6.18 (root, private net and mount namespaces; a CGROUP_SKB program, target_fd 0 = /dev/null,
// so nothing is attached): LINK_CREATE checks the cgroup link flags before the target, PROG_ATTACH goes
// straight to the target.
describe("cgroup link flags before the cgroup fd (probed)", () => {
  const probed: [number, number][] = [
    [0x0, -9],
    [0x1, -22],
    [0x2, -22],
    [0x4, -22],
    [0x8, -9],
    [0x10, -9],
    [0x20, -9],
    [0x40, -9],
    [0x2000, -9],
    [0x4000, -22],
  ];
  function setup(): { t: Task; prog: number } {
    const t = new Kernel().spawn();
    t.memory.map(0x10000000n, 4096);
    t.memory.write(0x10000000n, Uint8Array.of(0xb7, 0, 0, 0, 1, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0, 0x47, 0x50, 0x4c, 0));
    const prog = t.sys_bpf(5, encodeAttr(linux_6_18, 5, { prog_type: 8, insn_cnt: 2, insns: 0x10000000n, license: 0x10000010n, expected_attach_type: 0 }), 148);
    return { t, prog };
  }
  it.each(probed)("LINK_CREATE flags 0x%s", (flags, want) => {
    const { t, prog } = setup();
    expect(prog).toBe(3);
    expect(t.sys_bpf(28, encodeAttr(linux_6_18, 28, { "link_create.prog_fd": prog, "link_create.target_fd": 0, "link_create.attach_type": 0, "link_create.flags": flags }), 60)).toBe(want);
  });
  it("closed target and PROG_ATTACH to /dev/null: EBADF", () => {
    const { t, prog } = setup();
    expect(t.sys_bpf(28, encodeAttr(linux_6_18, 28, { "link_create.prog_fd": prog, "link_create.target_fd": 99, "link_create.attach_type": 0 }), 60)).toBe(-9);
    expect(t.sys_bpf(8, encodeAttr(linux_6_18, 8, { target_fd: 0, attach_bpf_fd: prog, attach_type: 0 }), 32)).toBe(-9);
  });
});

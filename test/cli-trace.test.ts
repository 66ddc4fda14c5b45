// SPDX-License-Identifier: GPL-2.0-only
// bpfemu record / replay / diff as a user runs them: arguments, exit codes,
// the per-call report, the summary lines. Traces come from the committed
// recordings (the kernel's answers); the one altered trace below exists only
// to check that a disagreement is marked, not to claim kernel behaviour.

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main, type Io } from "../src/cli/main.ts";
import { fixtureTraces, readTraceFile, writeTraceFile, REPO_ROOT } from "../src/cli/trace-files.ts";
import { parseTraceBundle, serializeTraceBundle } from "../src/corpus/index.ts";
import { kernelAvailability } from "../src/oracle/native.ts";
import type { Trace, TraceOp } from "../src/trace/format.ts";

function io(): Io & { lines: string[]; errs: string[] } {
  const lines: string[] = [];
  const errs: string[] = [];
  return { lines, errs, out: (s) => lines.push(...s.split("\n")), err: (s) => errs.push(...s.split("\n")) };
}

const dir = mkdtempSync(join(tmpdir(), "bpfemu-cli-trace-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fixtures = fixtureTraces();
/** A recorded core trace on which the emulator agrees with the kernel. */
const agreeing = fixtures.find((f) => f.trace.name === "core/check-attr/MAP_FREEZE.array/off-4")!.trace;

describe("bundles", () => {
  it("several traces in one file round-trip, plain and gzipped", () => {
    const ts = fixtures.slice(0, 3).map((f) => f.trace);
    expect(parseTraceBundle(serializeTraceBundle(ts)).map((t) => t.name)).toEqual(ts.map((t) => t.name));
    for (const name of ["b.jsonl", "b.jsonl.gz"]) {
      writeTraceFile(join(dir, name), ts);
      expect(readTraceFile(join(dir, name)).map((t) => t.name)).toEqual(ts.map((t) => t.name));
    }
  });

  it("a bundle error names the line of the whole file", () => {
    const text = serializeTraceBundle([agreeing, agreeing]).split("\n");
    const second = text.findIndex((l, i) => i > 0 && l.startsWith('{"bpfemuTrace"'));
    text[second + 1] = '{"op":"bpf","cmd":0}';
    expect(() => parseTraceBundle(text.join("\n"))).toThrow(new RegExp(`^line ${second + 2}, field "size"`));
  });
});

describe("bpfemu replay", () => {
  it("prints each call decoded with the emulator's and the kernel's answers, exit 0 when all agree", async () => {
    const f = join(dir, "agree.jsonl");
    writeTraceFile(f, [agreeing]);
    const o = io();
    expect(await main(["replay", f], o)).toBe(0);
    const text = o.lines.join("\n");
    expect(text).toContain("bpf(BPF_MAP_FREEZE, {map_fd=3");
    expect(text).toMatch(/emulator -22 EINVAL .*kernel -22 EINVAL\s+=/);
    expect(o.lines.at(-1)).toMatch(/^replayed 1 traces from 1 files: 1 agree, 0 differ/);
  });

  it("marks a disagreement with the fields that differ, exit 1", async () => {
    // The recorded MAP_CREATE of a map-info trace, with the info's key_size byte altered.
    const info = fixtures.find((x) => x.trace.name === "core/objects/info-len/map-104")!.trace;
    const ops: TraceOp[] = info.ops.map((op) => {
      if (op.op !== "bpf" || op.cmd !== 15 || op.expect === undefined) return op;
      const mem = op.expect.mem.map((m) => {
        const b = m.bytes.slice();
        b[8] = b[8]! ^ 0xff;
        return { addr: m.addr, bytes: b };
      });
      return { ...op, expect: { ...op.expect, mem } };
    });
    const altered: Trace = { ...info, ops };
    const f = join(dir, "differ.jsonl");
    writeTraceFile(f, [altered]);
    const o = io();
    expect(await main(["replay", f], o)).toBe(1);
    const text = o.lines.join("\n");
    expect(text).toContain("<-- DIFFERS");
    expect(text).toMatch(/info\.info\+8 = bpf_map_info\.key_size/);
  });

  it("--divergences prints <trace-name>#<op-index> <reason> lines", async () => {
    const o = io();
    await main(["replay", "--divergences", join(dir, "differ.jsonl")], o);
    expect(o.lines[0]).toMatch(/^core\/objects\/info-len\/map-104#\d+ mem 0x/);
  });

  it("usage errors exit 2", async () => {
    const o = io();
    expect(await main(["replay"], o)).toBe(2);
    expect(await main(["replay", join(dir, "nope.jsonl")], o)).toBe(2);
    expect(await main(["record", "size"], o)).toBe(2);
    expect(await main(["record", "no-such-generator", "-o", join(dir, "x.jsonl")], o)).toBe(2);
    expect(await main(["diff", "family:nope"], o)).toBe(2);
  });
});

const avail = kernelAvailability();
if (!avail.ok) console.log(`[cli-trace.test] record/diff on the live kernel skipped: ${avail.reason}`);

describe("without root", () => {
  const setpriv = ["/usr/bin/setpriv", "/bin/setpriv"].find(existsSync);
  it.skipIf(setpriv === undefined || process.getuid?.() !== 0)("record refuses with a clear message and exit 2", () => {
    if (setpriv === undefined) return;
    const tsx = join(REPO_ROOT, "node_modules", ".bin", "tsx");
    const r = spawnSync(setpriv, ["--reuid=65534", "--regid=65534", "--clear-groups", tsx, join(REPO_ROOT, "src/cli/main.ts"), "record", "family:objects", "-o", join(tmpdir(), "never-written.jsonl")], {
      encoding: "utf8",
      cwd: tmpdir(),
      env: { ...process.env, HOME: tmpdir() },
      timeout: 60000,
    });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/record needs the live kernel, which is not usable here: not running as root/);
  });
});

describe.skipIf(!avail.ok)("on the live kernel", () => {
  it("record writes a recorded bundle; diff ends with the agreement line", async () => {
    const out = join(dir, "rec.jsonl.gz");
    const o = io();
    expect(await main(["record", "core/check-attr/MAP_FREEZE*/*", "-o", out], o)).toBe(0);
    const ts = readTraceFile(out);
    expect(ts.length).toBeGreaterThan(10);
    expect(ts.every((t) => t.recordedOn !== null)).toBe(true);
    // The kernel's answers equal the committed ones.
    const committed = new Map(fixtures.map((f) => [f.trace.name, f.trace]));
    for (const t of ts) expect(t.ops.map((op) => op.expect?.ret)).toEqual(committed.get(t.name)!.ops.map((op) => op.expect?.ret));

    const d = io();
    const code = await main(["diff", "core/check-attr/MAP_FREEZE*/*", out], d);
    expect(d.lines.at(-1)).toMatch(/^agreement: \d+\/\d+ cases \(\d+\.\d%\)$/);
    expect(d.lines.join("\n")).toContain("per family (cases):");
    expect(code === 0 || code === 1).toBe(true);
    void readFileSync;
  });
});

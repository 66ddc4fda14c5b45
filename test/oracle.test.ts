// SPDX-License-Identifier: GPL-2.0-only
// The live-kernel runner against probed results. Every expected value here
// comes from /work/shared/probes/*_output.txt (ids in the comments), from
// the probed rows of /work/shared/docs/kernel-6.18-bpf-syscall.md, or from
// the upstream token selftests' assertions (docs/bpf-token-abis.md §4.2).

import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as errno from "../src/abi/errno.ts";
import { buildRunner, kernelAvailability, runTracesOnKernel, runTracesOnKernelDetailed } from "../src/oracle/native.ts";
import { parseTrace, serializeTrace } from "../src/trace/format.ts";
import type { BpfOp, Trace, TraceEnv, TraceOp } from "../src/trace/format.ts";

const avail = kernelAvailability();
const skip = !avail.ok;
if (!avail.ok) console.log(`[oracle.test] live-kernel tests skipped: ${avail.reason}`);

// ------------------------------------------------------------------ builders

const EPERM = -errno.EPERM, ENOENT = -errno.ENOENT, EBADF = -errno.EBADF, EFAULT = -errno.EFAULT;
const EINVAL = -errno.EINVAL, E2BIG = -errno.E2BIG, ENOTSUPP = -errno.ENOTSUPP, EOPNOTSUPP = -errno.EOPNOTSUPP;

/** attr bytes of `len` with little-endian fields [offset, byteSize, value]. */
function attr(len: number, fields: [number, 1 | 4 | 8, number | bigint][] = []): Uint8Array {
  const b = new Uint8Array(len);
  const v = new DataView(b.buffer);
  for (const [off, size, val] of fields) {
    if (size === 1) v.setUint8(off, Number(val));
    else if (size === 4) v.setUint32(off, Number(BigInt.asUintN(32, BigInt(val))), true);
    else v.setBigUint64(off, BigInt(val), true);
  }
  return b;
}

/** MAP_CREATE attr of `len` bytes: type, key, value, max_entries, flags. */
function mapCreate(len: number, type: number, key: number, value: number, max: number, flags = 0, extra: [number, 1 | 4 | 8, number | bigint][] = []): Uint8Array {
  return attr(len, [[0, 4, type], [4, 4, key], [8, 4, value], [12, 4, max], [16, 4, flags], ...extra]);
}

function bpf(cmd: number, size: number, a: Uint8Array, note?: string): BpfOp {
  return note === undefined ? { op: "bpf", cmd, size, attr: a } : { op: "bpf", cmd, size, attr: a, note };
}

function trace(name: string, ops: TraceOp[], env: TraceEnv = { kind: "root" }): Trace {
  return { name, description: "", abi: "linux-6.18", env, recordedOn: null, ops };
}

function rets(t: Trace): number[] {
  return t.ops.filter((o) => o.op !== "map" && o.op !== "write").map((o) => o.expect?.ret ?? Number.NaN);
}

const ARRAY = 2, LRU_HASH = 9, STACK = 23;
const BPF_F_TOKEN_FD = 1 << 16;
const BPF_F_NO_PREALLOC = 1;
const MAP = 0x10000000n;
/** r0 = 0; exit */
const EXIT0 = [0xb7, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0];
const GPL = [0x47, 0x50, 0x4c, 0];

// ---------------------------------------------------------------------- tests

describe.skipIf(skip)("live-kernel runner (native/bpfrun.c)", () => {
  it("entry path: E1-E12", async () => {
    const [t] = await runTracesOnKernel([
      trace("entry", [
        bpf(0, 4097, attr(168), "E1 size 4097"),
        bpf(99, 4097, attr(168), "E2 unknown cmd, size 4097"),
        bpf(0, 169, mapCreate(169, ARRAY, 4, 8, 1, 0, [[168, 1, 1]]), "E3 byte 168 nonzero"),
        bpf(0, 4096, mapCreate(4096, ARRAY, 4, 8, 1, 0, [[4095, 1, 1]]), "E4 byte 4095 nonzero"),
        bpf(0, 4096, mapCreate(4096, ARRAY, 4, 8, 1), "E5 zero tail, valid ARRAY"),
        { op: "close", fd: 3 },
        bpf(38, 168, attr(168), "E6 cmd 38"),
        bpf(-1, 168, attr(168), "E7 cmd -1"),
        bpf(0, 8, attr(0), "E8 attr unmapped, size 8"),
        bpf(0, 0, attr(0), "E9 attr unmapped, size 0"),
        bpf(0, 4097, attr(0), "E10 attr unmapped, size 4097"),
        bpf(0, 200, attr(0), "E11 attr unmapped, size 200"),
        bpf(0, 20, mapCreate(20, ARRAY, 4, 8, 1), "E12 size 20 ARRAY"),
      ]),
    ]);
    // E5 and E12 print fd/ok(3): the first fd a fresh process gets is 3.
    expect(rets(t!)).toEqual([E2BIG, E2BIG, E2BIG, E2BIG, 3, 0, EINVAL, EINVAL, EFAULT, EINVAL, E2BIG, EFAULT, 3]);
    expect(t!.recordedOn).not.toBeNull();
  });

  it("MAP_CREATE errnos: M3, M11, M14, M17, M23, M26, M27 (fd 0 is /dev/null)", async () => {
    const name = (s: string): [number, 1, number][] => [...s].map((c, i) => [28 + i, 1, c.charCodeAt(0)] as [number, 1, number]);
    const [t] = await runTracesOnKernel([
      trace("map-create", [
        bpf(0, 168, mapCreate(168, 34, 4, 8, 1), "M3"),
        bpf(0, 168, mapCreate(168, ARRAY, 4, 8, 1, 0, name("bad-name")), "M11"),
        bpf(0, 168, mapCreate(168, ARRAY, 8, 8, 1), "M14"),
        bpf(0, 168, mapCreate(168, ARRAY, 4, 0x80000000, 1), "M17"),
        bpf(0, 168, mapCreate(168, LRU_HASH, 4, 8, 1, BPF_F_NO_PREALLOC), "M23"),
        bpf(0, 168, mapCreate(168, ARRAY, 4, 8, 1, BPF_F_TOKEN_FD, [[76, 4, -1]]), "M26"),
        bpf(0, 168, mapCreate(168, ARRAY, 4, 8, 1, BPF_F_TOKEN_FD, [[76, 4, 0]]), "M27"),
      ]),
    ]);
    expect(rets(t!)).toEqual([EINVAL, EINVAL, EINVAL, E2BIG, ENOTSUPP, EBADF, EINVAL]);
  });

  it("records attr after the call and the regions a lookup wrote (L9, G6)", async () => {
    const value = [0x2a, 0, 0, 0, 0x11, 0x22, 0x33, 0x44];
    const [t] = await runTracesOnKernel([
      trace("lookup", [
        { op: "map", addr: MAP, len: 16 },
        { op: "map", addr: MAP + 0x1000n, len: 104 },
        bpf(0, 20, mapCreate(20, ARRAY, 4, 8, 1)),
        { op: "write", addr: MAP + 8n, bytes: new Uint8Array(value) },
        // MAP_UPDATE_ELEM fd 3, key @MAP (index 0), value @MAP+8
        bpf(2, 32, attr(32, [[0, 4, 3], [8, 8, MAP], [16, 8, MAP + 8n]])),
        { op: "write", addr: MAP + 8n, bytes: new Uint8Array(8) },
        // L9: MAP_LOOKUP_ELEM index 0 -> 0, value written to MAP+8
        bpf(1, 32, attr(32, [[0, 4, 3], [8, 8, MAP], [16, 8, MAP + 8n]])),
        // G6: OBJ_GET_INFO_BY_FD with info_len 8 -> 0, info_len written back 8, type 2
        bpf(15, 16, attr(16, [[0, 4, 3], [4, 4, 8], [8, 8, MAP + 0x1000n]])),
        { op: "close", fd: 3 },
        { op: "close", fd: 3 },
      ]),
    ]);
    const ops = t!.ops;
    const update = ops[4] as BpfOp, lookup = ops[6] as BpfOp, info = ops[7] as BpfOp;
    expect(update.expect?.ret).toBe(0);
    expect(update.expect?.mem).toEqual([]);
    expect(lookup.expect?.ret).toBe(0);
    expect(lookup.expect?.attr).toEqual(lookup.attr);
    expect(lookup.expect?.mem).toEqual([{ addr: MAP, bytes: new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, ...value]) }]);
    expect(info.expect?.ret).toBe(0);
    expect(info.expect?.attr).toEqual(info.attr);
    const img = info.expect?.mem[0];
    expect(img?.addr).toBe(MAP + 0x1000n);
    expect(new DataView(img!.bytes.buffer).getUint32(0, true)).toBe(2); // bpf_map_info.type = ARRAY
    expect(img!.bytes.slice(8).every((b) => b === 0)).toBe(true); // only info_len (8) bytes written
    // close(2): the map fd closes, then it is gone.
    expect(ops[8]!.expect?.ret).toBe(0);
    expect(ops[9]!.expect?.ret).toBe(EBADF);
    // The recorded trace survives serialization.
    expect(serializeTrace(parseTrace(serializeTrace(t!)))).toBe(serializeTrace(t!));
  });

  it("writes info_len back into the attr (G5: 208 -> 104)", async () => {
    const [t] = await runTracesOnKernel([
      trace("info-len", [
        { op: "map", addr: MAP, len: 208 },
        bpf(0, 20, mapCreate(20, ARRAY, 4, 8, 1)),
        bpf(15, 16, attr(16, [[0, 4, 3], [4, 4, 208], [8, 8, MAP]])),
      ]),
    ]);
    const info = t!.ops[2] as BpfOp;
    expect(info.expect?.ret).toBe(0);
    expect(new DataView(info.expect!.attr.buffer).getUint32(4, true)).toBe(104);
  });

  it("nocap env: all capabilities dropped (C1, C4, and EPERM for an LRU hash)", async () => {
    const [t] = await runTracesOnKernel([
      trace(
        "nocap",
        [
          bpf(0, 168, mapCreate(168, ARRAY, 4, 8, 1), "C1"),
          bpf(0, 168, mapCreate(168, ARRAY, 8, 8, 1), "C4 alloc_check before perm"),
          bpf(0, 168, mapCreate(168, LRU_HASH, 4, 8, 16), "LRU hash, unprivileged_bpf_disabled"),
        ],
        { kind: "nocap" },
      ),
    ]);
    expect(rets(t!)).toEqual([EPERM, EINVAL, EPERM]);
  });

  it("userns env: delegated bpffs root at fd 3, tokens (selftest map_token flow)", async () => {
    const tokenCreate = bpf(36, 8, attr(8, [[4, 4, 3]]));
    const stack = (flags: number, tokenFd: number): BpfOp =>
      bpf(0, 80, mapCreate(80, STACK, 0, 8, 1, flags, [[76, 4, tokenFd]]));
    const results = await runTracesOnKernel([
      trace("userns-map-token", [tokenCreate, stack(BPF_F_TOKEN_FD, 4), stack(0, 0)], {
        kind: "userns",
        bpffs: { delegate_cmds: "map_create", delegate_maps: "stack" },
      }),
      trace("userns-no-delegation", [tokenCreate, bpf(36, 8, attr(8, [[4, 4, 99]]))], { kind: "userns", bpffs: {} }),
      trace("root-token", [{ op: "open", path: "/sys/fs/bpf", flags: 0 }, bpf(36, 8, attr(8, [[4, 4, 3]]))]),
    ]);
    const [deleg, none, root] = results.map(rets);
    // token_create > 0 as fd 4 (the bpffs root holds 3); STACK with the token
    // succeeds, without it the caller lacks CAP_BPF in the init userns.
    expect(deleg![0]).toBe(4);
    expect(deleg![1]).toBeGreaterThanOrEqual(0);
    expect(deleg![2]).toBe(EPERM);
    // No delegate_* set: -ENOENT (token.c step 8); a bad fd: -EBADF (T3).
    expect(none).toEqual([ENOENT, EBADF]);
    // T6: from the init userns, -EOPNOTSUPP.
    expect(root).toEqual([3, EOPNOTSUPP]);
  });

  it("kills a trace that hangs (TEST_RUN with repeat 2^32-1) and reports a timeout", async () => {
    const hang = trace("hang", [
      { op: "map", addr: MAP, len: 0x2000, bytes: new Uint8Array([...EXIT0, ...GPL]) },
      bpf(5, 168, attr(168, [[0, 4, 1], [4, 4, 2], [8, 8, MAP], [16, 8, MAP + 16n]]), "SOCKET_FILTER"),
      bpf(10, 80, attr(80, [[0, 4, 3], [8, 4, 64], [16, 8, MAP + 0x1000n], [32, 4, 0xffffffff]]), "TEST_RUN forever"),
    ]);
    const quick = trace("quick", [bpf(0, 20, mapCreate(20, ARRAY, 4, 8, 1))]);
    const started = Date.now();
    const res = await runTracesOnKernelDetailed([hang, quick], { timeoutMs: 1500 });
    const took = Date.now() - started;
    expect(res[0]!.ok).toBe(false);
    expect(!res[0]!.ok && res[0]!.error).toMatch(/^timeout after 1500 ms/);
    expect(res[1]!.ok).toBe(true);
    expect(took).toBeLessThan(8000);
    await expect(runTracesOnKernel([hang], { timeoutMs: 500 })).rejects.toThrow(/hang: timeout/);
  });

  it("reports setup failures per trace and refuses host hooks", async () => {
    const res = await runTracesOnKernelDetailed([
      // The runner's own text segment lives at 0x555555554000 (no ASLR).
      trace("collide", [{ op: "map", addr: 0x555555554000n, len: 4096 }]),
      trace("write-unmapped", [{ op: "write", addr: 0x20000000n, bytes: new Uint8Array([1]) }]),
      // A raw tracepoint program would hook the whole host once attached.
      trace("raw-tp-attach", [
        { op: "map", addr: MAP, len: 20, bytes: new Uint8Array([...EXIT0, ...GPL]) },
        bpf(5, 168, attr(168, [[0, 4, 17], [4, 4, 2], [8, 8, MAP], [16, 8, MAP + 16n]]), "RAW_TRACEPOINT prog"),
        bpf(17, 16, attr(16, [[0, 8, MAP + 16n], [8, 4, 3]]), "RAW_TRACEPOINT_OPEN"),
      ]),
      trace("fine", [bpf(0, 20, mapCreate(20, ARRAY, 4, 8, 1))]),
    ]);
    expect(res.map((r) => r.ok)).toEqual([false, false, false, true]);
    expect(!res[0]!.ok && res[0]!.error).toMatch(/map 0x555555554000/);
    expect(!res[2]!.ok && res[2]!.error).toMatch(/refused: RAW_TRACEPOINT_OPEN/);
  });

  it("runs 5000 single-call traces quickly, fds start at 3 in each", async () => {
    const traces = Array.from({ length: 5000 }, (_, i) =>
      trace(`bulk-${i}`, [bpf(0, 20, mapCreate(20, ARRAY, 4, 8, 1 + (i % 7)))]),
    );
    const t0 = performance.now();
    const out = await runTracesOnKernel(traces);
    const secs = (performance.now() - t0) / 1000;
    console.log(`[oracle.test] 5000 single-call traces in ${secs.toFixed(2)} s (${Math.round(5000 / secs)} traces/s)`);
    expect(out.every((t) => t.ops[0]!.expect?.ret === 3)).toBe(true);
    expect(secs).toBeLessThan(60);
    // The same with a fresh network namespace per trace.
    const t1 = performance.now();
    const fresh = await runTracesOnKernel(traces.slice(0, 1000), { freshNetnsPerTrace: true });
    const secs1 = (performance.now() - t1) / 1000;
    console.log(`[oracle.test] 1000 traces with a fresh netns each in ${secs1.toFixed(2)} s (${Math.round(1000 / secs1)} traces/s)`);
    expect(fresh.every((t) => t.ops[0]!.expect?.ret === 3)).toBe(true);
  });

  it("diffs kernel and emulator: every op with an expectation is compared", async () => {
    // Emulator agreement is the conformance suites' business; this checks the
    // plumbing. Imported here so that the runner tests above do not depend on
    // the emulator loading.
    const { diffKernelAndEmulator } = await import("../src/oracle/diff.ts");
    const traces = [
      trace("d1", [bpf(0, 4097, attr(168)), bpf(0, 8, attr(0)), { op: "close", fd: 7 }]),
      trace("d2", [{ op: "map", addr: MAP, len: 64 }, bpf(0, 20, mapCreate(20, ARRAY, 4, 8, 1))], { kind: "nocap" }),
    ];
    const rep = await diffKernelAndEmulator(traces, { cmdName: (c) => (c === 0 ? "MAP_CREATE" : undefined) });
    expect(rep.kernelFailures).toEqual([]);
    expect(rep.diffs.map((d) => d.ops.filter((o) => o.compared).length)).toEqual([3, 1]);
    expect(rep.summary.reduce((n, r) => n + r.total, 0)).toBe(4);
    expect(rep.diffs[0]!.recorded.ops.map((o) => o.expect?.ret)).toEqual([E2BIG, EFAULT, EBADF]);
  });

  it("leaves nothing behind: host mounts unchanged, no runner processes", async () => {
    const before = readFileSync("/proc/self/mountinfo", "utf8");
    await runTracesOnKernel([
      trace("pin", [
        bpf(0, 20, mapCreate(20, ARRAY, 4, 8, 1)),
        { op: "mkdir", path: "/sys/fs/bpf/dir", mode: 0o755 },
        { op: "open", path: "/sys/fs/bpf/dir", flags: 0x10000 },
      ]),
      trace("pin-userns", [{ op: "mkdir", path: "/sys/fs/bpf/x", mode: 0o700 }], { kind: "userns", bpffs: { delegate_cmds: "any" } }),
    ]);
    const after = readFileSync("/proc/self/mountinfo", "utf8");
    expect(after).toBe(before);
    expect(after).not.toMatch(/ - bpf /);
    const bin = buildRunner();
    const alive = readdirSync("/proc")
      .filter((p) => /^\d+$/.test(p))
      .filter((p) => {
        try {
          return readlinkSync(`/proc/${p}/exe`) === bin;
        } catch {
          return false;
        }
      });
    expect(alive).toEqual([]);
  });
});

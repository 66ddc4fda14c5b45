// SPDX-License-Identifier: GPL-2.0-only
// Replays the func_info / line_info corpus (src/corpus/btfinfo.ts, recorded
// on Linux 6.18 by scripts/record-btfinfo-traces.ts into
// fixtures/traces/btfinfo) and checks that the emulator agrees with the
// recorded kernel results: return values, attrs written back (rec sizes,
// log_true_size), the verifier logs with their source lines, and prog info.
// The recorded traces are the expected values. Traces the emulator cannot
// follow would be listed in NOT_EMULATED and must fail with a "bpfemu:"
// reason; traces whose verifier walk differs for reasons outside BTF info
// are listed in VERIFIER_DIVERGENT and must still get the kernel's verdict.

import { describe, expect, it } from "vitest";
import "../src/index.ts";
import { readTraceFile, traceFilesUnder, FIXTURE_TRACES } from "../src/cli/trace-files.ts";
import { compareTrace, formatDifference } from "../src/trace/compare.ts";
import type { Trace } from "../src/trace/format.ts";
import { replayOnEmulator } from "../src/trace/replay.ts";
import { corpusBtf, T } from "../src/corpus/btfinfo.ts";
import { kernelAvailability } from "../src/oracle/native.ts";
import { Kernel } from "../src/index.ts";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const traces: Trace[] = traceFilesUnder(join(FIXTURE_TRACES, "btfinfo")).flatMap(readTraceFile);

/** Cases the emulator refuses with a "bpfemu:" reason (none at the moment). */
const NOT_EMULATED = new Set<string>([]);

/**
 * Verifier walks that differ for reasons outside func/line info (verifier.ts):
 * LD_ABS in a subprogram is also a way out of it for the 6.18 verifier
 * (the "returning from callee" path with R0=0), which the emulator does not walk.
 */
const VERIFIER_DIVERGENT = new Set(["btfinfo/func-ldabs-int-sub"]);

const PROG_LOAD = 5;

describe("func_info / line_info corpus (recorded on 6.18)", () => {
  it("has at least 60 recorded cases", () => {
    expect(traces.length).toBeGreaterThanOrEqual(60);
    expect(traces.every((t) => t.recordedOn !== null)).toBe(true);
  });

  it("agrees with the kernel on every op (numbers printed)", () => {
    let ops = 0;
    let exact = 0;
    let loads = 0;
    let loadsExact = 0;
    const bad: string[] = [];
    const notEmulated: string[] = [];
    const divergent: string[] = [];
    let tracesExact = 0;
    for (const t of traces) {
      const replay = replayOnEmulator(t);
      const cmp = compareTrace(t, replay.outcomes).filter((c) => c.compared && c.op.op === "bpf");
      const diffs = cmp.filter((c) => c.diffs.length);
      for (const c of cmp) {
        ops++;
        if (!c.diffs.length) exact++;
        if (c.op.op === "bpf" && c.op.cmd === PROG_LOAD) {
          loads++;
          if (!c.diffs.length) loadsExact++;
        }
      }
      if (!diffs.length && !replay.stopped) tracesExact++;
      const lines = diffs.map((c) => `${t.name}#${c.index}: ${c.diffs.map(formatDifference).join("; ").slice(0, 400)}`);
      if (NOT_EMULATED.has(t.name)) {
        notEmulated.push(t.name);
        // An honest refusal: the first differing load says it is not emulated.
        const first = diffs[0];
        expect(first?.actual?.reason ?? "", `${t.name} should fail with a bpfemu: reason`).toContain("bpfemu:");
        continue;
      }
      if (VERIFIER_DIVERGENT.has(t.name)) {
        // Same verdict, different walk: only the return values must agree.
        divergent.push(...(lines.length ? lines : [`${t.name}: agrees now (remove it from VERIFIER_DIVERGENT)`]));
        for (const c of diffs) expect(c.diffs.some((d) => d.kind === "ret"), `${t.name}#${c.index} verdict`).toBe(false);
        continue;
      }
      if (replay.stopped) lines.push(`${t.name}: replay stopped at #${replay.stopped.index}: ${replay.stopped.error}`);
      bad.push(...lines);
    }
    console.log(
      `btfinfo corpus: ${traces.length} traces, ${tracesExact} agree exactly; bpf calls exact ${exact}/${ops}, PROG_LOAD exact ${loadsExact}/${loads}` +
        (notEmulated.length ? `\n  not emulated (bpfemu:): ${notEmulated.join(", ")}` : "") +
        (divergent.length ? "\n  verifier walk differences (same verdict):\n    " + divergent.join("\n    ") : "") +
        (bad.length ? "\n  differences:\n    " + bad.join("\n    ") : ""),
    );
    expect(bad).toEqual([]);
  });
});

// --- the program holds its BTF (live: ids are host-wide, so no recorded trace can name them) ---

const avail = kernelAvailability();
let gcc = true;
try {
  execFileSync("gcc", ["--version"], { stdio: "ignore" });
} catch {
  gcc = false;
}
const liveReason = !avail.ok ? avail.reason : !gcc ? "gcc is not installed" : "";
if (liveReason) console.log(`[btfinfo-traces.test] BTF lifetime check on the live kernel skipped: ${liveReason}`);

/**
 * BTF_LOAD, PROG_LOAD with func/line info, close the BTF fd, read the program's btf_id,
 * BTF_GET_FD_BY_ID of it (and its size), close everything, then the id disappears
 * (the kernel frees it after an RCU grace period: polled for up to two seconds).
 */
const PROBE = String.raw`
#include <linux/bpf.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
static long sys(int cmd, union bpf_attr *a) { long r = syscall(__NR_bpf, cmd, a, sizeof(*a)); return r < 0 ? -errno : r; }
static const char *v(long r) { static char b[32]; if (r >= 0) return "ok"; snprintf(b, sizeof b, "errno %ld", -r); return b; }
int main(int argc, char **argv) {
  static unsigned char blob[65536];
  FILE *f = fopen(argv[1], "rb"); size_t n = fread(blob, 1, sizeof blob, f); fclose(f);
  unsigned main_id = atoi(argv[2]), file_off = atoi(argv[3]), line_off = atoi(argv[4]);
  union bpf_attr a;
  memset(&a, 0, sizeof a); a.btf = (uintptr_t)blob; a.btf_size = n;
  long btf = sys(BPF_BTF_LOAD, &a); printf("btf_load %s\n", v(btf));
  struct bpf_insn insns[2] = { { .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 }, { .code = BPF_JMP | BPF_EXIT } };
  struct bpf_func_info fi = { 0, main_id };
  struct bpf_line_info li = { 0, file_off, line_off, 1 << 10 };
  memset(&a, 0, sizeof a);
  a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER; a.insns = (uintptr_t)insns; a.insn_cnt = 2; a.license = (uintptr_t)"GPL";
  a.prog_btf_fd = btf; a.func_info = (uintptr_t)&fi; a.func_info_rec_size = 8; a.func_info_cnt = 1;
  a.line_info = (uintptr_t)&li; a.line_info_rec_size = 16; a.line_info_cnt = 1;
  long prog = sys(BPF_PROG_LOAD, &a); printf("prog_load %s\n", v(prog));
  printf("close_btf %d\n", close(btf));
  struct bpf_prog_info pi; memset(&pi, 0, sizeof pi);
  memset(&a, 0, sizeof a); a.info.bpf_fd = prog; a.info.info_len = sizeof pi; a.info.info = (uintptr_t)&pi;
  long pr = sys(BPF_OBJ_GET_INFO_BY_FD, &a);
  printf("prog_info %s btf_id %s\n", v(pr), pi.btf_id ? "set" : "0");
  memset(&a, 0, sizeof a); a.btf_id = pi.btf_id;
  long fd2 = sys(BPF_BTF_GET_FD_BY_ID, &a); printf("btf_get_fd_by_id %s\n", v(fd2));
  struct bpf_btf_info bi; memset(&bi, 0, sizeof bi);
  memset(&a, 0, sizeof a); a.info.bpf_fd = fd2; a.info.info_len = sizeof bi; a.info.info = (uintptr_t)&bi;
  long br = sys(BPF_OBJ_GET_INFO_BY_FD, &a);
  printf("btf_info %s size %u same_id %d\n", v(br), bi.btf_size, bi.id == pi.btf_id);
  close(fd2); close(prog);
  long r = 0;
  for (int i = 0; i < 200; i++) { memset(&a, 0, sizeof a); a.btf_id = pi.btf_id; r = sys(BPF_BTF_GET_FD_BY_ID, &a); if (r < 0) break; close(r); usleep(10000); }
  printf("after_close %s\n", v(r));
  return 0;
}
`;

/** The same steps on the emulator, printed the same way. */
function emulatorRun(blob: Uint8Array, mainId: number, fileOff: number, lineOff: number): string {
  const task = new Kernel().spawn();
  const out: string[] = [];
  const v = (r: number): string => (r >= 0 ? "ok" : `errno ${-r}`);
  const mem = task.memory;
  const base = 0x10000000n;
  mem.map(base, 0x10000);
  const put = (off: number, b: Uint8Array): bigint => {
    mem.write(base + BigInt(off), b);
    return base + BigInt(off);
  };
  const attr = (fields: [number, 4 | 8, number | bigint][]): ArrayBuffer => {
    const a = new ArrayBuffer(160);
    const dv = new DataView(a);
    for (const [o, sz, x] of fields) if (sz === 4) dv.setUint32(o, Number(x) >>> 0, true);
    else dv.setBigUint64(o, BigInt(x), true);
    return a;
  };
  const words = (...w: number[]): Uint8Array => {
    const b = new Uint8Array(w.length * 4);
    w.forEach((x, i) => new DataView(b.buffer).setUint32(i * 4, x >>> 0, true));
    return b;
  };
  const btf = task.sys_bpf(18, attr([[0, 8, put(0, blob)], [16, 4, blob.length]]), 160);
  out.push(`btf_load ${v(btf)}`);
  const insns = put(0x4000, words(0xb7, 0, 0x95, 0));
  const lic = put(0x4100, Uint8Array.from([0x47, 0x50, 0x4c, 0]));
  const fi = put(0x4200, words(0, mainId));
  const li = put(0x4300, words(0, fileOff, lineOff, 1 << 10));
  const prog = task.sys_bpf(5, attr([[0, 4, 1], [4, 4, 2], [8, 8, insns], [16, 8, lic], [72, 4, btf], [76, 4, 8], [80, 8, fi], [88, 4, 1], [92, 4, 16], [96, 8, li], [104, 4, 1]]), 160);
  out.push(`prog_load ${v(prog)}`);
  out.push(`close_btf ${task.close(btf)}`);
  const pinfo = base + 0x5000n;
  const pr = task.sys_bpf(15, attr([[0, 4, prog], [4, 4, 232], [8, 8, pinfo]]), 160);
  const btfId = new DataView(mem.read(pinfo, 232).buffer).getUint32(128, true);
  out.push(`prog_info ${v(pr)} btf_id ${btfId ? "set" : "0"}`);
  const fd2 = task.sys_bpf(19, attr([[0, 4, btfId]]), 160);
  out.push(`btf_get_fd_by_id ${v(fd2)}`);
  const binfo = base + 0x6000n;
  const br = task.sys_bpf(15, attr([[0, 4, fd2], [4, 4, 32], [8, 8, binfo]]), 160);
  const bdv = new DataView(mem.read(binfo, 32).buffer);
  out.push(`btf_info ${v(br)} size ${bdv.getUint32(8, true)} same_id ${bdv.getUint32(12, true) === btfId ? 1 : 0}`);
  task.close(fd2);
  task.close(prog);
  out.push(`after_close ${v(task.sys_bpf(19, attr([[0, 4, btfId]]), 160))}`);
  return out.join("\n") + "\n";
}

describe("a program holds its BTF (live)", () => {
  it.skipIf(liveReason !== "")("BTF_GET_FD_BY_ID of the program's btf_id works after the BTF fd is closed, and fails once the program is gone", () => {
    const btf = corpusBtf();
    const fileOff = btf.s("prog.bpf.c");
    const lineOff = btf.s("  int x = 1;");
    const dir = mkdtempSync(join(tmpdir(), "btfinfo-live-"));
    try {
      writeFileSync(join(dir, "probe.c"), PROBE);
      writeFileSync(join(dir, "btf.bin"), btf.blob);
      execFileSync("gcc", ["-O1", "-o", join(dir, "probe"), join(dir, "probe.c")]);
      // Private mount and network namespaces, as every probe here.
      const kernel = execFileSync("unshare", ["-m", "-n", join(dir, "probe"), join(dir, "btf.bin"), String(T.main), String(fileOff), String(lineOff)], { encoding: "utf8" });
      const emu = emulatorRun(btf.blob, T.main, fileOff, lineOff);
      console.log(`BTF lifetime, kernel:\n${kernel}emulator:\n${emu}`);
      expect(kernel).toContain("btf_get_fd_by_id ok");
      expect(emu).toBe(kernel);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// SPDX-License-Identifier: GPL-2.0-only
// Random sequences of attach, detach, query and link calls over a fixed set
// of programs and maps (XDP, SCHED_CLS, SK_SKB; a sockmap and a sockhash),
// run on the live kernel (each trace in its own network namespace) and on
// the emulator; prints every difference. With --save, traces that agree are
// written to fixtures/traces/links/random-<seed>.jsonl as regressions.
// Usage (root): npx tsx scripts/fuzz-links.ts [count] [first-seed] [--save]

import { writeFileSync } from "node:fs";
import { encodeAttr } from "../src/abi/decode.ts";
import { linux_6_18 as T } from "../src/uapi/gen/linux-6.18.ts";
import { BPF_ATTACH_TYPE as AT, BPF_CMD as CMD, BPF_MAP_TYPE as MT, BPF_PROG_TYPE as PT } from "../src/uapi/gen/consts-6.18.ts";
import { bytesToHex, parseTrace, serializeTrace, type Trace } from "../src/trace/format.ts";
import { runTracesOnKernel } from "../src/oracle/native.ts";
import { replayOnEmulator } from "../src/trace/replay.ts";
import { compareTrace, formatDifference } from "../src/trace/compare.ts";
import "../src/index.ts";

const MEM = 0x10000000n;
const INFO = MEM + 0x1000n;
const IDS = MEM + 0x2000n;
const hex = (v: bigint) => "0x" + v.toString(16);

/** mulberry32 */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function bpf(cmd: number, fields: Record<string, number | bigint>, size: number, note: string, mask?: object): object {
  const op: Record<string, unknown> = { op: "bpf", cmd, size, attr: bytesToHex(encodeAttr(T, cmd, fields).subarray(0, size)), note };
  if (mask) op.mask = mask;
  return op;
}

function randomTrace(seed: number, n: number): Trace {
  const r = rng(seed);
  const pick = <X>(xs: readonly X[]): X => xs[Math.floor(r() * xs.length)]!;
  const page = new Uint8Array(0x230);
  page.set(Uint8Array.of(0xb7, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0), 0);
  page.set(Uint8Array.of(0x47, 0x50, 0x4c, 0), 0x100);
  for (const [i, name] of ["/sys/fs/bpf/p1", "/sys/fs/bpf/p2", "/sys/fs/bpf/p3"].entries()) page.set([...name].map((ch) => ch.charCodeAt(0)), 0x200 + i * 0x10);
  const load = (type: number, eat: number, note: string) => bpf(CMD.PROG_LOAD, { prog_type: type, insn_cnt: 2, insns: MEM, license: MEM + 0x100n, expected_attach_type: eat }, 148, note);
  const ops: object[] = [
    { op: "map", addr: hex(MEM), len: 4096, hex: bytesToHex(page) },
    { op: "map", addr: hex(INFO), len: 4096 },
    { op: "map", addr: hex(IDS), len: 4096 },
    load(PT.XDP, AT.XDP, "fd 3 XDP"),
    load(PT.XDP, AT.XDP, "fd 4 XDP"),
    load(PT.SCHED_CLS, AT.TCX_INGRESS, "fd 5 tcx"),
    load(PT.SCHED_CLS, AT.TCX_EGRESS, "fd 6 tcx"),
    load(PT.SK_SKB, AT.SK_SKB_STREAM_VERDICT, "fd 7 sk_skb verdict"),
    load(PT.SK_SKB, AT.SK_SKB_STREAM_PARSER, "fd 8 sk_skb parser"),
    bpf(CMD.MAP_CREATE, { map_type: MT.SOCKMAP, key_size: 4, value_size: 4, max_entries: 4 }, 72, "fd 9 sockmap"),
    bpf(CMD.MAP_CREATE, { map_type: MT.SOCKHASH, key_size: 4, value_size: 4, max_entries: 4 }, 72, "fd 10 sockhash"),
    load(PT.FLOW_DISSECTOR, AT.FLOW_DISSECTOR, "fd 11 flow dissector"),
    load(PT.FLOW_DISSECTOR, AT.FLOW_DISSECTOR, "fd 12 flow dissector"),
  ];
  const progs = [3, 4, 5, 6, 7, 8];
  const links = [13, 14, 15, 16, 17, 18];
  const anyFd = [0, 3, 5, 6, 7, 9, 13, 14, 15, 99];
  /** BPF_F_ID anchors are ids, which are host-specific: only an id no host has is used. */
  const rel = (flags: number): number => (flags & (1 << 5) ? 0x7ffffff0 : !flags && r() < 0.8 ? 0 : pick(anyFd));
  /** Mostly a fitting choice, sometimes any: the sequences should reach the success paths. */
  const mostly = <X>(good: readonly X[], any: readonly X[]): X => (r() < 0.8 ? pick(good) : pick(any));
  const tcxFlag = (): number => (r() < 0.5 ? 0 : pick(tcxFlags));
  const tcxFlags = [0, 0, 1 << 3, 1 << 4, (1 << 3) | (1 << 13), (1 << 4) | (1 << 13), 1 << 5, 1 << 2];
  const sockAt = [AT.SK_SKB_STREAM_VERDICT, AT.SK_SKB_STREAM_PARSER, AT.SK_SKB_VERDICT, AT.SK_MSG_VERDICT];
  const tcxAt = [AT.TCX_INGRESS, AT.TCX_EGRESS];
  for (let i = 0; i < n; i++) {
    const k = Math.floor(r() * 16);
    switch (k) {
      case 0:
        ops.push(bpf(CMD.LINK_CREATE, { "link_create.prog_fd": mostly([3, 4], progs), "link_create.target_ifindex": pick([1, 1, 1, 2]), "link_create.attach_type": AT.XDP, "link_create.flags": pick([0, 0, 2, 4, 8]) }, 60, "xdp link"));
        break;
      case 1:
        ops.push(bpf(CMD.LINK_CREATE, { "link_create.prog_fd": mostly([5, 6], progs), "link_create.target_ifindex": 1, "link_create.attach_type": pick(tcxAt), ...(() => { const f = tcxFlag(); return { "link_create.flags": f, "link_create.tcx.relative_fd": rel(f) }; })() }, 60, "tcx link"));
        break;
      case 2:
        ops.push(bpf(CMD.LINK_CREATE, { "link_create.prog_fd": mostly([7, 8], progs), "link_create.target_fd": mostly([9, 10], [3, 9, 10]), "link_create.attach_type": mostly([AT.SK_SKB_STREAM_VERDICT, AT.SK_SKB_STREAM_PARSER], sockAt) }, 60, "sockmap link"));
        break;
      case 3:
        {
          const f = tcxFlag();
          ops.push(bpf(CMD.PROG_ATTACH, { target_fd: 1, attach_bpf_fd: mostly([5, 6], progs), attach_type: pick(tcxAt), attach_flags: f, relative_fd: rel(f), replace_bpf_fd: pick([5, 6]) }, 32, "tcx attach"));
        }
        break;
      case 4:
        ops.push(bpf(CMD.PROG_DETACH, { target_fd: 1, attach_bpf_fd: pick([0, 5, 6]), attach_type: pick(tcxAt), attach_flags: pick([0, 0, 1 << 3, 1 << 4]), relative_fd: pick([0, 0, 0, 5, 6]) }, 32, "tcx detach"));
        break;
      case 5:
        ops.push(bpf(CMD.PROG_ATTACH, { target_fd: pick([9, 10]), attach_bpf_fd: pick([7, 8]), attach_type: pick(sockAt) }, 32, "sockmap attach"));
        break;
      case 6:
        ops.push(bpf(CMD.PROG_DETACH, { target_fd: pick([9, 10]), attach_bpf_fd: pick([7, 8]), attach_type: pick(sockAt) }, 32, "sockmap detach"));
        break;
      case 7: {
        const tcx = r() < 0.5;
        const fields: Record<string, number | bigint> = tcx
          ? { "query.target_ifindex": 1, "query.attach_type": pick(tcxAt), "query.prog_ids": IDS, "query.count": pick([0, 1, 4]), "query.link_ids": IDS + 0x40n }
          : { "query.target_fd": pick([9, 10]), "query.attach_type": pick(sockAt), "query.prog_ids": IDS, "query.prog_cnt": pick([0, 4]) };
        ops.push(bpf(CMD.PROG_QUERY, fields, 64, "query", { mem: [{ addr: hex(IDS), len: 16 }, { addr: hex(IDS + 0x40n), len: 16 }] }));
        break;
      }
      case 8:
        {
          const flags = pick([0, 0, 4]);
          ops.push(bpf(CMD.LINK_UPDATE, { "link_update.link_fd": pick(links), "link_update.new_prog_fd": pick([...progs, 11, 12]), "link_update.flags": flags, "link_update.old_prog_fd": !flags && r() < 0.8 ? 0 : pick([0, ...progs]) }, 16, "update"));
        }
        break;
      case 9:
        ops.push(bpf(CMD.LINK_DETACH, { "link_detach.link_fd": pick(links) }, 4, "detach"));
        break;
      case 10:
        ops.push({ op: "close", fd: pick(links) });
        break;
      case 12:
        ops.push(bpf(CMD.PROG_ATTACH, { target_fd: pick([0, 0, 0, 3]), attach_bpf_fd: pick([11, 12, 7]), attach_type: AT.FLOW_DISSECTOR }, 32, "flow dissector attach"));
        break;
      case 13:
        ops.push(bpf(CMD.PROG_DETACH, { target_fd: 0, attach_bpf_fd: pick([11, 12, 7]), attach_type: AT.FLOW_DISSECTOR }, 32, "flow dissector detach"));
        break;
      case 14: {
        // Pins are never unlinked here: a pin's last put frees the link from a workqueue on the kernel.
        const path = MEM + 0x200n + BigInt(pick([0, 0x10, 0x20]));
        ops.push(r() < 0.5 ? bpf(CMD.OBJ_PIN, { pathname: path, bpf_fd: pick(links) }, 20, "pin") : bpf(CMD.OBJ_GET, { pathname: path }, 20, "get"));
        break;
      }
      case 15:
        if (r() < 0.2) ops.push({ op: "close", fd: pick([9, 10]) });
        else ops.push(bpf(CMD.LINK_UPDATE, { "link_update.link_fd": pick(links), "link_update.new_prog_fd": pick([7, 8, 11, 12]), "link_update.flags": 4, "link_update.old_prog_fd": pick([7, 8, 11, 12]) }, 16, "update with REPLACE"));
        break;
      default:
        // type, id, prog_id and the per-type words; +4..+12 and the sockmap map id (+16) are host ids.
        ops.push(bpf(CMD.OBJ_GET_INFO_BY_FD, { "info.bpf_fd": pick(links), "info.info_len": 64, "info.info": INFO }, 16, "info", { mem: [{ addr: hex(INFO + 4n), len: 8 }, { addr: hex(INFO + 16n), len: 4 }] }));
    }
  }
  const header = { bpfemuTrace: 1, name: `links/random-${seed}`, description: `random attach/link sequence, seed ${seed}`, abi: "linux-6.18", env: { kind: "root" } };
  return parseTrace([header, ...ops].map((l) => JSON.stringify(l)).join("\n"));
}

const args = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const save = process.argv.includes("--save");
/** --dump=DIR writes the traces that differ there (recorded, for `bpfemu replay`). */
const dumpDir = process.argv.find((a) => a.startsWith("--dump="))?.slice(7);
const count = Number(args[0] ?? 20);
const first = Number(args[1] ?? 1);
const traces = Array.from({ length: count }, (_, i) => randomTrace(first + i, 60));
const recorded = await runTracesOnKernel(traces, { timeoutMs: 20000 });
let bad = 0;
for (const t of recorded) {
  const diffs: string[] = [];
  for (const c of compareTrace(t, replayOnEmulator(t).outcomes)) for (const d of c.diffs) diffs.push(`  #${c.index} ${"note" in c.op ? c.op.note : c.op.op}: ${formatDifference(d)}`);
  if (diffs.length) {
    bad++;
    console.log(`${t.name}: ${diffs.length} differences\n${diffs.slice(0, 5).join("\n")}`);
    if (dumpDir) writeFileSync(`${dumpDir}/${t.name.replace(/^links\//, "")}.jsonl`, serializeTrace(t));
  } else if (save) writeFileSync(`fixtures/traces/links/${t.name.replace(/^links\//, "")}.jsonl`, serializeTrace(t));
}
// How often each kind of call succeeded on the kernel, to see that the sequences reach the success paths.
const tally = new Map<string, [number, number]>();
for (const t of recorded)
  for (const o of t.ops)
    if (o.op === "bpf" && o.expect && o.note) {
      const e = tally.get(o.note) ?? [0, 0];
      e[o.expect.ret >= 0 ? 0 : 1]++;
      tally.set(o.note, e);
    }
console.log([...tally].map(([k, [ok, err]]) => `${k}: ${ok} ok, ${err} failed`).join("\n"));
console.log(`${recorded.length} traces, ${bad} with differences`);

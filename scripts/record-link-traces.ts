// SPDX-License-Identifier: GPL-2.0-only
// Hand-written traces for links and program attachment (XDP links on lo,
// sockmap program slots and sockmap links, the flow dissector hook),
// recorded on the live kernel into fixtures/traces/links/. The runner puts
// every trace that attaches into a network namespace of its own, so nothing
// reaches the host's interfaces. Usage (root): npx tsx scripts/record-link-traces.ts

import { mkdirSync, writeFileSync } from "node:fs";
import { encodeAttr } from "../src/abi/decode.ts";
import { linux_6_18 as T } from "../src/uapi/gen/linux-6.18.ts";
import { BPF_ATTACH_TYPE as AT, BPF_CMD as CMD, BPF_MAP_TYPE as MT, BPF_PROG_TYPE as PT } from "../src/uapi/gen/consts-6.18.ts";
import { bytesToHex, parseTrace, serializeTrace, type Trace } from "../src/trace/format.ts";
import { runTracesOnKernel } from "../src/oracle/native.ts";
import { concatBytes } from "../src/abi/bytes.ts";

const MEM = 0x10000000n;
const INSNS = MEM;
const LICENSE = MEM + 0x100n;
const PATH = MEM + 0x200n;
/** Info structs and query ids get pages of their own, so that a masked id stays masked when a later call changes the page. */
const INFO = MEM + 0x1000n;
const IDS = MEM + 0x2000n;

const u64 = (v: bigint) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, v, true);
  return b;
};
const hex = (v: bigint) => "0x" + v.toString(16);
const ascii = (s: string) => Uint8Array.from([...s].map((ch) => ch.charCodeAt(0)));

/** The first page: r0 = 0; exit at 0, "GPL" at 0x100, the pin path at 0x200. */
function firstPage(): object {
  const page = new Uint8Array(0x240);
  page.set(concatBytes(u64(0xb7n), u64(0x95n)), 0);
  page.set(ascii("GPL\0"), 0x100);
  page.set(ascii("/sys/fs/bpf/lnk\0"), 0x200);
  return { op: "map", addr: hex(MEM), len: 4096, hex: bytesToHex(page) };
}
const otherPages = [
  { op: "map", addr: hex(INFO), len: 4096 },
  { op: "map", addr: hex(IDS), len: 4096 },
];

function bpf(cmd: number, fields: Record<string, number | bigint>, size: number, note: string, mask?: object): object {
  const op: Record<string, unknown> = { op: "bpf", cmd, size, attr: bytesToHex(encodeAttr(T, cmd, fields).subarray(0, size)), note };
  if (mask) op.mask = mask;
  return op;
}
const load = (type: number, eat: number, note: string) => bpf(CMD.PROG_LOAD, { prog_type: type, insn_cnt: 2, insns: INSNS, license: LICENSE, expected_attach_type: eat }, 148, note);
const mapCreate = (type: number, note: string) => bpf(CMD.MAP_CREATE, { map_type: type, key_size: 4, value_size: 4, max_entries: 4 }, 72, note);
const xdpLink = (prog: number, note: string, flags = 0, ifindex = 1) =>
  bpf(CMD.LINK_CREATE, { "link_create.prog_fd": prog, "link_create.target_ifindex": ifindex, "link_create.attach_type": AT.XDP, "link_create.flags": flags }, 60, note);
const update = (link: number, prog: number, note: string, flags = 0, old = 0) =>
  bpf(CMD.LINK_UPDATE, { "link_update.link_fd": link, "link_update.new_prog_fd": prog, "link_update.flags": flags, "link_update.old_prog_fd": old }, 16, note);
/** bpf_link_info: id (+4) and prog_id (+8) are host ids; for sockmap links the map id (+16) too. */
const linkInfo = (fd: number, note: string, len = 64, maskMapId = false) =>
  bpf(CMD.OBJ_GET_INFO_BY_FD, { "info.bpf_fd": fd, "info.info_len": len, "info.info": INFO }, 16, note, {
    mem: [{ addr: hex(INFO + 4n), len: 8 }, ...(maskMapId ? [{ addr: hex(INFO + 16n), len: 4 }] : [])],
  });
const attach = (target: number, prog: number, at: number, note: string, flags = 0) =>
  bpf(CMD.PROG_ATTACH, { target_fd: target, attach_bpf_fd: prog, attach_type: at, attach_flags: flags }, 32, note);
const detach = (target: number, prog: number, at: number, note: string) => bpf(CMD.PROG_DETACH, { target_fd: target, attach_bpf_fd: prog, attach_type: at }, 32, note);
/** PROG_QUERY with room for 4 ids at IDS; the ids are host ids. */
const query = (target: number, at: number, note: string, cnt = 4) =>
  bpf(CMD.PROG_QUERY, { "query.target_fd": target, "query.attach_type": at, "query.prog_ids": IDS, "query.prog_cnt": cnt }, 64, note, { mem: [{ addr: hex(IDS), len: 16 }] });

function trace(name: string, description: string, ops: object[]): Trace {
  const header = { bpfemuTrace: 1, name: `links/${name}`, description, abi: "linux-6.18", env: { kind: "root" } };
  return parseTrace([header, firstPage(), ...otherPages, ...ops].map((l) => JSON.stringify(l)).join("\n"));
}

function xdpLifecycle(): Trace {
  return trace("xdp-lifecycle", "XDP links on lo: one per mode, update rules, pin/get, detach, info", [
    load(PT.XDP, AT.XDP, "fd 3: XDP prog A"),
    load(PT.XDP, AT.XDP, "fd 4: XDP prog B"),
    load(PT.SOCKET_FILTER, 0, "fd 5: socket filter"),
    load(PT.XDP, AT.XDP_DEVMAP, "fd 6: XDP prog for devmaps"),
    load(PT.XDP, 0, "fd 7: XDP prog with expected_attach_type 0"),
    xdpLink(3, "fd 8: A on lo (generic mode)"),
    linkInfo(8, "XDP link info: type 6, ifindex 1"),
    xdpLink(4, "second link in the same mode: EBUSY"),
    xdpLink(4, "explicit SKB mode: EBUSY", 2),
    xdpLink(4, "DRV mode while generic is active: EEXIST", 4),
    xdpLink(4, "HW mode: lo has no ndo_bpf", 8),
    xdpLink(4, "two mode flags", 6),
    xdpLink(4, "UPDATE_IF_NOEXIST is not a link flag", 1),
    xdpLink(4, "no device 2", 0, 2),
    update(8, 5, "update to a socket filter: type differs"),
    update(8, 7, "update to an XDP prog with another expected_attach_type"),
    update(8, 4, "old_prog_fd without BPF_F_REPLACE", 0, 3),
    update(8, 4, "REPLACE with the wrong old program", 4, 4),
    update(8, 4, "REPLACE A by B", 4, 3),
    update(8, 4, "B again: no-op"),
    update(8, 3, "REPLACE naming A, which is gone", 4, 3),
    update(3, 4, "link_fd is a program"),
    update(99, 4, "link_fd is closed"),
    update(8, 99, "new_prog_fd is closed"),
    bpf(CMD.ITER_CREATE, { "iter_create.link_fd": 8 }, 8, "an XDP link is not an iterator"),
    bpf(CMD.LINK_DETACH, { "link_detach.link_fd": 3 }, 4, "LINK_DETACH of a program fd"),
    bpf(CMD.OBJ_PIN, { pathname: PATH, bpf_fd: 8 }, 20, "pin the link"),
    bpf(CMD.OBJ_GET, { pathname: PATH, file_flags: 1 }, 20, "a pinned link opened read-only: EINVAL"),
    bpf(CMD.OBJ_GET, { pathname: PATH }, 20, "fd 9: the pinned link"),
    linkInfo(9, "info through the pinned copy"),
    { op: "close", fd: 8 },
    { op: "close", fd: 9 },
    xdpLink(3, "the pin keeps the link attached: EBUSY"),
    bpf(CMD.OBJ_GET, { pathname: PATH }, 20, "fd 8: the pinned link again"),
    // A pin's reference is dropped with bpf_link_put(), which frees the link from a workqueue: only the
    // last fd's close (bpf_link_put_direct) frees it before the next call, so the fd goes last.
    { op: "unlink", path: "/sys/fs/bpf/lnk" },
    xdpLink(3, "the fd keeps the link attached: EBUSY"),
    { op: "close", fd: 8 },
    xdpLink(6, "a DEVMAP program cannot go on a device"),
    xdpLink(3, "fd 8: A again, now that the pinned link is gone"),
    bpf(CMD.LINK_DETACH, { "link_detach.link_fd": 8 }, 4, "detach"),
    linkInfo(8, "detached: ifindex 0"),
    update(8, 4, "update after detach: ENOLINK"),
    bpf(CMD.LINK_DETACH, { "link_detach.link_fd": 8 }, 4, "detach twice"),
    xdpLink(4, "fd 9: B on the freed hook"),
    { op: "close", fd: 9 },
    xdpLink(3, "fd 9: closing the only fd detached B"),
    linkInfo(9, "info_len 8: type and id only", 8),
    { op: "write", addr: hex(INFO + 64n), hex: "01" },
    linkInfo(9, "info_len 72 with a non-zero tail byte: E2BIG", 72),
    bpf(CMD.LINK_GET_NEXT_ID, { start_id: 0 }, 8, "some link exists", { attr: [[4, 4]] }),
  ]);
}

function sockmapProgs(): Trace {
  return trace("sockmap-progs", "program slots of SOCKMAP and SOCKHASH: attach, detach, query, sockmap links", [
    mapCreate(MT.SOCKMAP, "fd 3: sockmap"),
    mapCreate(MT.SOCKHASH, "fd 4: sockhash"),
    mapCreate(MT.ARRAY, "fd 5: array"),
    load(PT.SK_SKB, AT.SK_SKB_STREAM_VERDICT, "fd 6: stream verdict"),
    load(PT.SK_SKB, AT.SK_SKB_STREAM_PARSER, "fd 7: stream parser"),
    load(PT.SK_SKB, AT.SK_SKB_VERDICT, "fd 8: skb verdict"),
    load(PT.SK_MSG, AT.SK_MSG_VERDICT, "fd 9: msg verdict"),
    load(PT.SK_SKB, 0, "fd 10: SK_SKB with expected_attach_type 0"),
    query(3, AT.SK_SKB_STREAM_VERDICT, "empty slot: prog_cnt 0"),
    attach(3, 6, AT.SK_SKB_STREAM_VERDICT, "stream verdict"),
    query(3, AT.SK_SKB_STREAM_VERDICT, "one program"),
    query(3, AT.SK_SKB_STREAM_VERDICT, "prog_cnt 0 asks for the count only", 0),
    attach(3, 8, AT.SK_SKB_VERDICT, "skb verdict while the stream verdict is set: EBUSY"),
    attach(3, 10, AT.SK_SKB_STREAM_VERDICT, "replace the stream verdict"),
    attach(3, 7, AT.SK_SKB_STREAM_PARSER, "stream parser"),
    attach(3, 9, AT.SK_MSG_VERDICT, "msg verdict"),
    attach(5, 6, AT.SK_SKB_STREAM_VERDICT, "an array map has no slots"),
    attach(3, 6, AT.SK_SKB_STREAM_VERDICT, "attach_flags on a sockmap", 1),
    attach(99, 6, AT.SK_SKB_STREAM_VERDICT, "closed target"),
    attach(6, 6, AT.SK_SKB_STREAM_VERDICT, "target is a program"),
    attach(3, 9, AT.SK_SKB_STREAM_VERDICT, "SK_MSG program for an SK_SKB attach type"),
    query(5, AT.SK_SKB_STREAM_VERDICT, "query an array map"),
    query(3, AT.SK_SKB_VERDICT, "skb verdict slot blocked by the stream verdict"),
    query(3, AT.SK_MSG_VERDICT, "msg slot"),
    detach(3, 6, AT.SK_SKB_STREAM_VERDICT, "detach a program that was replaced: ENOENT"),
    detach(3, 10, AT.SK_SKB_STREAM_VERDICT, "detach the stream verdict"),
    detach(3, 10, AT.SK_SKB_STREAM_VERDICT, "twice: ENOENT"),
    detach(3, 9, AT.SK_SKB_STREAM_VERDICT, "detach names an SK_MSG program"),
    detach(3, 99, AT.SK_SKB_STREAM_VERDICT, "detach names a closed fd"),
    detach(5, 6, AT.SK_SKB_STREAM_VERDICT, "detach from an array map"),
    attach(3, 8, AT.SK_SKB_VERDICT, "skb verdict now fits"),
    query(3, AT.SK_SKB_STREAM_VERDICT, "stream verdict slot blocked by the skb verdict"),
    detach(3, 8, AT.SK_SKB_VERDICT, "detach the skb verdict"),
    bpf(CMD.LINK_CREATE, { "link_create.prog_fd": 6, "link_create.target_fd": 3, "link_create.attach_type": AT.SK_SKB_STREAM_VERDICT }, 60, "fd 11: sockmap link"),
    attach(3, 6, AT.SK_SKB_STREAM_VERDICT, "the link owns the slot: EBUSY"),
    detach(3, 6, AT.SK_SKB_STREAM_VERDICT, "PROG_DETACH of a link's program: EBUSY"),
    query(3, AT.SK_SKB_STREAM_VERDICT, "the link's program"),
    linkInfo(11, "sockmap link info", 64, true),
    bpf(CMD.LINK_CREATE, { "link_create.prog_fd": 6, "link_create.target_fd": 3, "link_create.attach_type": AT.SK_SKB_STREAM_VERDICT }, 60, "second link on the slot: EBUSY"),
    bpf(CMD.LINK_CREATE, { "link_create.prog_fd": 6, "link_create.target_fd": 5, "link_create.attach_type": AT.SK_SKB_STREAM_VERDICT }, 60, "link on an array map"),
    bpf(CMD.LINK_CREATE, { "link_create.prog_fd": 6, "link_create.target_fd": 3, "link_create.attach_type": AT.SK_SKB_STREAM_VERDICT, "link_create.flags": 1 }, 60, "flags"),
    bpf(CMD.LINK_CREATE, { "link_create.prog_fd": 6, "link_create.target_fd": 99, "link_create.attach_type": AT.SK_SKB_STREAM_VERDICT }, 60, "closed map fd"),
    update(11, 10, "update to a program with another expected_attach_type"),
    update(11, 6, "update to the same program"),
    update(11, 6, "REPLACE naming the wrong old program", 4, 10),
    bpf(CMD.LINK_DETACH, { "link_detach.link_fd": 11 }, 4, "detach the sockmap link"),
    query(3, AT.SK_SKB_STREAM_VERDICT, "empty again"),
    update(11, 6, "update after detach: ENOLINK"),
    linkInfo(11, "detached: map_id 0", 64, true),
    attach(4, 6, AT.SK_SKB_STREAM_VERDICT, "sockhash takes programs too"),
    query(4, AT.SK_SKB_STREAM_VERDICT, "sockhash query"),
  ]);
}

function flowDissector(): Trace {
  return trace("flow-dissector", "the flow dissector hook of the caller's network namespace", [
    load(PT.FLOW_DISSECTOR, AT.FLOW_DISSECTOR, "fd 3: flow dissector A"),
    load(PT.FLOW_DISSECTOR, AT.FLOW_DISSECTOR, "fd 4: flow dissector B"),
    load(PT.SK_SKB, AT.SK_SKB_STREAM_VERDICT, "fd 5: SK_SKB"),
    attach(0, 3, AT.FLOW_DISSECTOR, "attach A to the namespace"),
    attach(0, 3, AT.FLOW_DISSECTOR, "A again: EINVAL"),
    attach(0, 4, AT.FLOW_DISSECTOR, "B replaces A"),
    attach(3, 4, AT.FLOW_DISSECTOR, "target_fd must be 0"),
    attach(0, 4, AT.FLOW_DISSECTOR, "attach_flags must be 0", 1),
    attach(0, 5, AT.FLOW_DISSECTOR, "an SK_SKB program"),
    detach(0, 3, AT.FLOW_DISSECTOR, "A is not attached: ENOENT"),
    detach(1, 4, AT.FLOW_DISSECTOR, "detach with target_fd set"),
    detach(0, 5, AT.FLOW_DISSECTOR, "detach names an SK_SKB program"),
    detach(0, 99, AT.FLOW_DISSECTOR, "detach names a closed fd"),
    detach(0, 4, AT.FLOW_DISSECTOR, "detach B"),
    detach(0, 4, AT.FLOW_DISSECTOR, "twice: ENOENT"),
    query(3, AT.FLOW_DISSECTOR, "query needs a namespace fd, not a program"),
    query(99, AT.FLOW_DISSECTOR, "query with a closed fd"),
    bpf(CMD.LINK_CREATE, { "link_create.prog_fd": 3, "link_create.target_fd": 3, "link_create.attach_type": AT.FLOW_DISSECTOR }, 60, "netns link with a program fd as target"),
    bpf(CMD.LINK_CREATE, { "link_create.prog_fd": 3, "link_create.target_fd": 3, "link_create.attach_type": AT.FLOW_DISSECTOR, "link_create.flags": 1 }, 60, "netns link flags"),
    bpf(CMD.LINK_CREATE, { "link_create.prog_fd": 3, "link_create.target_fd": 99, "link_create.attach_type": AT.FLOW_DISSECTOR }, 60, "netns link with a closed target"),
  ]);
}

/** PROG_ATTACH/PROG_DETACH on lo's tcx hooks (target_ifindex shares target_fd's slot). */
const tcxAttach = (prog: number, note: string, at: number = AT.TCX_INGRESS, extra: Record<string, number | bigint> = {}) =>
  bpf(CMD.PROG_ATTACH, { target_fd: 1, attach_bpf_fd: prog, attach_type: at, ...extra }, 32, note);
const tcxDetach = (prog: number, note: string, extra: Record<string, number | bigint> = {}) =>
  bpf(CMD.PROG_DETACH, { target_fd: 1, attach_bpf_fd: prog, attach_type: AT.TCX_INGRESS, ...extra }, 32, note);
/** tcx query: program ids at IDS, link ids at IDS+0x40 (both host ids); revision and count are compared. */
const tcxQuery = (note: string, count = 4, ifindex = 1, at: number = AT.TCX_INGRESS) =>
  bpf(CMD.PROG_QUERY, { "query.target_ifindex": ifindex, "query.attach_type": at, "query.prog_ids": IDS, "query.count": count, "query.link_ids": IDS + 0x40n }, 64, note, {
    mem: [
      { addr: hex(IDS), len: 16 },
      { addr: hex(IDS + 0x40n), len: 16 },
    ],
  });

function tcx(): Trace {
  const F = { BEFORE: 1 << 3, AFTER: 1 << 4, REPLACE: 1 << 2, ID: 1 << 5, LINK: 1 << 13 };
  return trace("tcx", "tcx ingress/egress on lo: mprog ordering, revisions, queries, tcx links", [
    load(PT.SCHED_CLS, AT.TCX_INGRESS, "fd 3: A"),
    load(PT.SCHED_CLS, AT.TCX_INGRESS, "fd 4: B"),
    load(PT.SCHED_CLS, AT.TCX_INGRESS, "fd 5: C"),
    load(PT.SCHED_CLS, AT.TCX_INGRESS, "fd 6: D"),
    load(PT.XDP, AT.XDP, "fd 7: XDP"),
    tcxQuery("no entry yet: count 0, revision 1"),
    tcxQuery("no device 2", 4, 2),
    tcxAttach(3, "A"),
    tcxQuery("A, revision 2"),
    tcxAttach(3, "A twice: EEXIST"),
    tcxAttach(4, "B before A", AT.TCX_INGRESS, { attach_flags: F.BEFORE, relative_fd: 3 }),
    tcxAttach(5, "C after A", AT.TCX_INGRESS, { attach_flags: F.AFTER, relative_fd: 3 }),
    tcxQuery("B A C"),
    tcxQuery("count 2: ENOSPC", 2),
    tcxAttach(6, "stale expected_revision", AT.TCX_INGRESS, { expected_revision: 1n }),
    tcxAttach(6, "right expected_revision (A, B, C made it 4)", AT.TCX_INGRESS, { expected_revision: 4n }),
    tcxDetach(6, "detach D, the last one"),
    tcxAttach(6, "BEFORE and AFTER disagree", AT.TCX_INGRESS, { attach_flags: F.BEFORE | F.AFTER, relative_fd: 3 }),
    tcxAttach(7, "an XDP program", AT.TCX_INGRESS),
    tcxAttach(6, "relative_fd names a closed fd", AT.TCX_INGRESS, { attach_flags: F.BEFORE, relative_fd: 99 }),
    tcxAttach(6, "relative to the XDP program", AT.TCX_INGRESS, { attach_flags: F.BEFORE, relative_fd: 7 }),
    tcxAttach(6, "BPF_F_LINK with a program fd", AT.TCX_INGRESS, { attach_flags: F.BEFORE | F.LINK, relative_fd: 3 }),
    tcxDetach(6, "detach D again: ENOENT"),
    tcxAttach(6, "D replaces C", AT.TCX_INGRESS, { attach_flags: F.REPLACE, replace_bpf_fd: 5 }),
    tcxAttach(5, "REPLACE naming a program not attached", AT.TCX_INGRESS, { attach_flags: F.REPLACE, replace_bpf_fd: 5 }),
    tcxQuery("B A D"),
    tcxDetach(0, "no fd and no flags: the last one (D)"),
    tcxDetach(0, "BPF_F_BEFORE alone: the first one (B)", { attach_flags: F.BEFORE }),
    tcxDetach(4, "B is gone: ENOENT"),
    tcxDetach(3, "detach A, the entry empties"),
    tcxDetach(3, "no entry: ENOENT"),
    tcxQuery("empty again: revision 1"),
    bpf(CMD.LINK_CREATE, { "link_create.prog_fd": 3, "link_create.target_ifindex": 1, "link_create.attach_type": AT.TCX_INGRESS }, 60, "fd 8: tcx link with A"),
    linkInfo(8, "tcx link info"),
    tcxAttach(4, "B before the link", AT.TCX_INGRESS, { attach_flags: F.BEFORE | F.LINK, relative_fd: 8 }),
    tcxQuery("B A(link)"),
    tcxDetach(3, "A belongs to the link: EBUSY"),
    tcxDetach(0, "no fd: the last is the link's: EBUSY"),
    bpf(CMD.LINK_CREATE, { "link_create.prog_fd": 3, "link_create.target_ifindex": 1, "link_create.attach_type": AT.TCX_INGRESS }, 60, "A again through a link: EEXIST"),
    bpf(CMD.LINK_CREATE, { "link_create.prog_fd": 5, "link_create.target_ifindex": 1, "link_create.attach_type": AT.TCX_EGRESS, "link_create.flags": 1 }, 60, "unknown link flags"),
    bpf(CMD.LINK_CREATE, { "link_create.prog_fd": 5, "link_create.target_ifindex": 2, "link_create.attach_type": AT.TCX_EGRESS }, 60, "no device 2"),
    update(8, 4, "update the link to B, which is attached already: EEXIST"),
    update(8, 5, "update the link to C"),
    update(8, 5, "C again: no-op"),
    tcxQuery("B C(link)"),
    bpf(CMD.LINK_DETACH, { "link_detach.link_fd": 8 }, 4, "detach the link"),
    linkInfo(8, "detached: ifindex 0"),
    update(8, 3, "update after detach: ENOLINK"),
    tcxQuery("B"),
    tcxQuery("egress: nothing", 4, 1, AT.TCX_EGRESS),
  ]);
}

const traces = [xdpLifecycle(), sockmapProgs(), flowDissector(), tcx()];
const recorded = await runTracesOnKernel(traces);
mkdirSync("fixtures/traces/links", { recursive: true });
for (const t of recorded) writeFileSync(`fixtures/traces/links/${t.name.replace(/^links\//, "")}.jsonl`, serializeTrace(t));
for (const t of recorded) console.log(t.name, t.ops.map((o) => ("expect" in o && o.expect ? o.expect.ret : ".")).join(" "));

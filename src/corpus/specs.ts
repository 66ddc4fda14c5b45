// SPDX-License-Identifier: GPL-2.0-only
// One "base" call per bpf command: the setup that gives it live objects and
// field values a real caller would pass, so that fuzzing one field at a time
// reaches past the first checks. No Node API.

import type { Mask } from "../trace/format.ts";
import { BPF_ATTACH_TYPE as AT, BPF_CMD as CMD, BPF_MAP_TYPE as MT, BPF_PROG_TYPE as PT } from "../uapi/gen/consts-6.18.ts";
import { Builder, cstr, intBtf, u32le, u64le, type FieldValues } from "./builder.ts";

export interface BaseCall {
  readonly fields: FieldValues;
  /** Masks for host-global bytes of this call's result. */
  readonly mask?: Mask;
  /** When the masks depend on the final field values (a fuzzed info pointer): computes them. */
  readonly maskFor?: (fields: FieldValues) => Mask;
}

export interface CmdSpec {
  readonly cmd: number;
  /** A short label when a command has several bases. */
  readonly variant: string;
  readonly setup: (b: Builder) => BaseCall;
  /** Traces with this base must get a fresh netns on the kernel side (they attach). */
  readonly attaches?: boolean;
}

const NEXT_ID_MASK: Mask = { attr: [[4, 4]] };

function elemBase(kind: "array" | "hash", cmd: number): (b: Builder) => BaseCall {
  return (b) => {
    const fd = kind === "array" ? b.arrayMap() : b.hashMap();
    const key = b.region(4, u32le(kind === "array" ? 1 : 2));
    const value = b.region(8, cmd === CMD.MAP_UPDATE_ELEM ? u64le(0x1122334455667788n) : undefined);
    const f: FieldValues = { map_fd: fd, key };
    if (cmd !== CMD.MAP_DELETE_ELEM && cmd !== CMD.MAP_FREEZE) f[cmd === CMD.MAP_GET_NEXT_KEY ? "next_key" : "value"] = value;
    return { fields: f };
  };
}

function batchBase(kind: "array" | "hash", cmd: number): (b: Builder) => BaseCall {
  return (b) => {
    const fd = kind === "array" ? b.arrayMap() : b.hashMap(4);
    const update = cmd === CMD.MAP_UPDATE_BATCH || cmd === CMD.MAP_DELETE_BATCH;
    const keys = b.region(16, update ? (kind === "hash" ? u32le(1, 2, 3, 4) : u32le(0, 1, 2, 3)) : undefined);
    const values = b.region(32, update ? u64le(7n, 8n, 9n, 10n) : undefined);
    const outBatch = b.region(8);
    return { fields: { "batch.map_fd": fd, "batch.keys": keys, "batch.values": values, "batch.count": 4, "batch.out_batch": outBatch } };
  };
}

/**
 * *_GET_NEXT_ID walks the host's id spaces: the trace first creates an object
 * of the kind, so that a walk from 0 finds something on both sides, and the
 * id found (next_id) is masked. Start ids between 0 and the top of the range
 * would depend on what else lives on the host, so the corpus only uses 0 and
 * values at or above 0x7ffffff0.
 */
function idBase(cmd: number, start: number): (b: Builder) => BaseCall {
  return (b) => {
    if (cmd === CMD.MAP_GET_NEXT_ID) b.arrayMap();
    if (cmd === CMD.PROG_GET_NEXT_ID) b.progLoad();
    if (cmd === CMD.LINK_GET_NEXT_ID) b.xdpLink();
    return { fields: { start_id: start }, mask: NEXT_ID_MASK };
  };
}

const name16 = cstr("corpus_map", 16);

export const CMD_SPECS: readonly CmdSpec[] = [
  { cmd: CMD.MAP_CREATE, variant: "array", setup: () => ({ fields: { map_type: MT.ARRAY, key_size: 4, value_size: 8, max_entries: 4, map_name: name16 } }) },
  { cmd: CMD.MAP_CREATE, variant: "hash", setup: () => ({ fields: { map_type: MT.HASH, key_size: 8, value_size: 16, max_entries: 16 } }) },
  { cmd: CMD.MAP_CREATE, variant: "lru", setup: () => ({ fields: { map_type: MT.LRU_HASH, key_size: 4, value_size: 4, max_entries: 32 } }) },
  { cmd: CMD.MAP_CREATE, variant: "bloom", setup: () => ({ fields: { map_type: MT.BLOOM_FILTER, key_size: 0, value_size: 8, max_entries: 64, map_extra: 3n } }) },
  { cmd: CMD.MAP_LOOKUP_ELEM, variant: "array", setup: elemBase("array", CMD.MAP_LOOKUP_ELEM) },
  { cmd: CMD.MAP_LOOKUP_ELEM, variant: "hash", setup: elemBase("hash", CMD.MAP_LOOKUP_ELEM) },
  { cmd: CMD.MAP_UPDATE_ELEM, variant: "array", setup: elemBase("array", CMD.MAP_UPDATE_ELEM) },
  { cmd: CMD.MAP_UPDATE_ELEM, variant: "hash", setup: elemBase("hash", CMD.MAP_UPDATE_ELEM) },
  { cmd: CMD.MAP_DELETE_ELEM, variant: "hash", setup: elemBase("hash", CMD.MAP_DELETE_ELEM) },
  { cmd: CMD.MAP_GET_NEXT_KEY, variant: "hash", setup: elemBase("hash", CMD.MAP_GET_NEXT_KEY) },
  { cmd: CMD.MAP_GET_NEXT_KEY, variant: "array", setup: elemBase("array", CMD.MAP_GET_NEXT_KEY) },
  {
    cmd: CMD.PROG_LOAD,
    variant: "socket-filter",
    setup: (b) => {
      const insns = b.region(16, new Uint8Array([0xb7, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0]));
      return { fields: { prog_type: PT.SOCKET_FILTER, insn_cnt: 2, insns, license: b.str("GPL"), prog_name: cstr("corpus_prog", 16) } };
    },
  },
  {
    cmd: CMD.OBJ_PIN,
    variant: "map",
    setup: (b) => {
      const fd = b.arrayMap();
      return { fields: { pathname: b.str("/sys/fs/bpf/pinned"), bpf_fd: fd } };
    },
  },
  {
    cmd: CMD.OBJ_GET,
    variant: "map",
    setup: (b) => {
      const fd = b.arrayMap();
      const path = b.str("/sys/fs/bpf/pinned");
      b.call(CMD.OBJ_PIN, { pathname: path, bpf_fd: fd });
      return { fields: { pathname: path } };
    },
  },
  {
    cmd: CMD.PROG_ATTACH,
    variant: "sockmap",
    attaches: true,
    setup: (b) => {
      const map = b.mapCreate(MT.SOCKMAP, 4, 4, 4);
      const prog = b.progLoad(PT.SK_SKB, { expected_attach_type: AT.SK_SKB_STREAM_VERDICT });
      return { fields: { target_fd: map, attach_bpf_fd: prog, attach_type: AT.SK_SKB_STREAM_VERDICT } };
    },
  },
  {
    cmd: CMD.PROG_DETACH,
    variant: "sockmap",
    attaches: true,
    setup: (b) => {
      const map = b.mapCreate(MT.SOCKMAP, 4, 4, 4);
      const prog = b.progLoad(PT.SK_SKB, { expected_attach_type: AT.SK_SKB_STREAM_VERDICT });
      b.call(CMD.PROG_ATTACH, { target_fd: map, attach_bpf_fd: prog, attach_type: AT.SK_SKB_STREAM_VERDICT });
      return { fields: { target_fd: map, attach_bpf_fd: prog, attach_type: AT.SK_SKB_STREAM_VERDICT } };
    },
  },
  {
    cmd: CMD.PROG_TEST_RUN,
    variant: "socket-filter",
    attaches: true,
    setup: (b) => {
      const prog = b.progLoad();
      const data = b.region(64, new Uint8Array(64).map((_, i) => i));
      const out = b.region(64);
      return {
        fields: { "test.prog_fd": prog, "test.data_in": data, "test.data_size_in": 64, "test.data_out": out, "test.data_size_out": 64, "test.repeat": 1 },
        mask: { attr: [[36, 4]] },
      };
    },
  },
  { cmd: CMD.PROG_GET_NEXT_ID, variant: "from0", setup: idBase(CMD.PROG_GET_NEXT_ID, 0) },
  { cmd: CMD.PROG_GET_NEXT_ID, variant: "high", setup: idBase(CMD.PROG_GET_NEXT_ID, 0x7ffffff0) },
  { cmd: CMD.MAP_GET_NEXT_ID, variant: "from0", setup: idBase(CMD.MAP_GET_NEXT_ID, 0) },
  { cmd: CMD.MAP_GET_NEXT_ID, variant: "high", setup: idBase(CMD.MAP_GET_NEXT_ID, 0x7ffffff0) },
  { cmd: CMD.PROG_GET_FD_BY_ID, variant: "unknown", setup: () => ({ fields: { prog_id: 0x7ffffff0 } }) },
  { cmd: CMD.MAP_GET_FD_BY_ID, variant: "unknown", setup: () => ({ fields: { map_id: 0x7ffffff0 } }) },
  {
    cmd: CMD.OBJ_GET_INFO_BY_FD,
    variant: "map",
    setup: (b) => {
      const fd = b.arrayMap();
      const buf = b.region(104);
      return { fields: { "info.bpf_fd": fd, "info.info_len": 104, "info.info": buf }, maskFor: (f) => Builder.infoMask("map", BigInt(f["info.info"] as bigint)) };
    },
  },
  {
    cmd: CMD.OBJ_GET_INFO_BY_FD,
    variant: "btf",
    setup: (b) => {
      const fd = b.btfLoad();
      const data = b.region(64);
      const buf = b.region(32, u64le(data));
      b.write(buf + 8n, u32le(64));
      return { fields: { "info.bpf_fd": fd, "info.info_len": 32, "info.info": buf }, maskFor: (f) => Builder.infoMask("btf", BigInt(f["info.info"] as bigint)) };
    },
  },
  {
    cmd: CMD.PROG_QUERY,
    variant: "sockmap",
    setup: (b) => {
      const map = b.mapCreate(MT.SOCKMAP, 4, 4, 4);
      const ids = b.region(16);
      return { fields: { "query.target_fd": map, "query.attach_type": AT.SK_SKB_STREAM_VERDICT, "query.prog_ids": ids, "query.prog_cnt": 4 } };
    },
  },
  {
    cmd: CMD.RAW_TRACEPOINT_OPEN,
    variant: "socket-filter",
    setup: (b) => ({ fields: { "raw_tracepoint.name": b.str("sys_enter"), "raw_tracepoint.prog_fd": b.progLoad() } }),
  },
  {
    cmd: CMD.BTF_LOAD,
    variant: "int",
    setup: (b) => {
      const blob = intBtf();
      return { fields: { btf: b.region(blob.length, blob), btf_size: blob.length } };
    },
  },
  {
    cmd: CMD.BTF_LOAD,
    variant: "log",
    setup: (b) => {
      const blob = intBtf();
      return { fields: { btf: b.region(blob.length, blob), btf_size: blob.length, btf_log_buf: b.region(256), btf_log_size: 256, btf_log_level: 1 } };
    },
  },
  { cmd: CMD.BTF_GET_FD_BY_ID, variant: "vmlinux", setup: () => ({ fields: { btf_id: 1 } }) },
  {
    cmd: CMD.TASK_FD_QUERY,
    variant: "init",
    setup: (b) => ({ fields: { "task_fd_query.pid": 1, "task_fd_query.fd": 0, "task_fd_query.buf": b.region(64), "task_fd_query.buf_len": 64 } }),
  },
  { cmd: CMD.MAP_LOOKUP_AND_DELETE_ELEM, variant: "hash", setup: elemBase("hash", CMD.MAP_LOOKUP_AND_DELETE_ELEM) },
  {
    cmd: CMD.MAP_LOOKUP_AND_DELETE_ELEM,
    variant: "queue",
    setup: (b) => {
      const fd = b.mapCreate(MT.QUEUE, 0, 8, 4);
      b.call(CMD.MAP_UPDATE_ELEM, { map_fd: fd, value: b.region(8, u64le(42n)) });
      return { fields: { map_fd: fd, value: b.region(8) } };
    },
  },
  { cmd: CMD.MAP_FREEZE, variant: "array", setup: (b) => ({ fields: { map_fd: b.arrayMap() } }) },
  { cmd: CMD.BTF_GET_NEXT_ID, variant: "from0", setup: idBase(CMD.BTF_GET_NEXT_ID, 0) },
  { cmd: CMD.BTF_GET_NEXT_ID, variant: "high", setup: idBase(CMD.BTF_GET_NEXT_ID, 0x7ffffff0) },
  { cmd: CMD.MAP_LOOKUP_BATCH, variant: "hash", setup: batchBase("hash", CMD.MAP_LOOKUP_BATCH) },
  { cmd: CMD.MAP_LOOKUP_BATCH, variant: "array", setup: batchBase("array", CMD.MAP_LOOKUP_BATCH) },
  { cmd: CMD.MAP_LOOKUP_AND_DELETE_BATCH, variant: "hash", setup: batchBase("hash", CMD.MAP_LOOKUP_AND_DELETE_BATCH) },
  { cmd: CMD.MAP_UPDATE_BATCH, variant: "hash", setup: batchBase("hash", CMD.MAP_UPDATE_BATCH) },
  { cmd: CMD.MAP_UPDATE_BATCH, variant: "array", setup: batchBase("array", CMD.MAP_UPDATE_BATCH) },
  { cmd: CMD.MAP_DELETE_BATCH, variant: "hash", setup: batchBase("hash", CMD.MAP_DELETE_BATCH) },
  {
    cmd: CMD.LINK_CREATE,
    variant: "xdp",
    attaches: true,
    setup: (b) => {
      const prog = b.progLoad(PT.XDP, { expected_attach_type: AT.XDP }, 2);
      return { fields: { "link_create.prog_fd": prog, "link_create.target_ifindex": 1, "link_create.attach_type": AT.XDP } };
    },
  },
  {
    cmd: CMD.LINK_UPDATE,
    variant: "xdp",
    attaches: true,
    setup: (b) => {
      const link = b.xdpLink();
      const prog = b.progLoad(PT.XDP, { expected_attach_type: AT.XDP }, 2);
      return { fields: { "link_update.link_fd": link, "link_update.new_prog_fd": prog } };
    },
  },
  { cmd: CMD.LINK_GET_FD_BY_ID, variant: "unknown", setup: () => ({ fields: { link_id: 0x7ffffff0 } }) },
  { cmd: CMD.LINK_GET_NEXT_ID, variant: "from0", attaches: true, setup: idBase(CMD.LINK_GET_NEXT_ID, 0) },
  { cmd: CMD.LINK_GET_NEXT_ID, variant: "high", attaches: true, setup: idBase(CMD.LINK_GET_NEXT_ID, 0x7ffffff0) },
  { cmd: CMD.ENABLE_STATS, variant: "run-time", setup: () => ({ fields: { "enable_stats.type": 0 } }) },
  { cmd: CMD.ITER_CREATE, variant: "xdp-link", attaches: true, setup: (b) => ({ fields: { "iter_create.link_fd": b.xdpLink() } }) },
  { cmd: CMD.LINK_DETACH, variant: "xdp", attaches: true, setup: (b) => ({ fields: { "link_detach.link_fd": b.xdpLink() } }) },
  {
    cmd: CMD.PROG_BIND_MAP,
    variant: "socket-filter",
    setup: (b) => {
      const prog = b.progLoad();
      const map = b.arrayMap();
      return { fields: { "prog_bind_map.prog_fd": prog, "prog_bind_map.map_fd": map } };
    },
  },
  {
    cmd: CMD.TOKEN_CREATE,
    variant: "bpffs",
    setup: (b) => ({ fields: { "token_create.bpffs_fd": b.env.kind === "userns" ? 3 : b.fd("bpffs") } }),
  },
  {
    cmd: CMD.PROG_STREAM_READ_BY_FD,
    variant: "stdout",
    setup: (b) => {
      const prog = b.progLoad();
      return { fields: { "prog_stream_read.stream_buf": b.region(64), "prog_stream_read.stream_buf_len": 64, "prog_stream_read.stream_id": 1, "prog_stream_read.prog_fd": prog } };
    },
  },
];

/** The first base of each command, in command order. */
export function primarySpecs(): CmdSpec[] {
  const seen = new Set<number>();
  return CMD_SPECS.filter((s) => (seen.has(s.cmd) ? false : (seen.add(s.cmd), true))).sort((a, b) => a.cmd - b.cmd);
}

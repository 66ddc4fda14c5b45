// SPDX-License-Identifier: GPL-2.0-only
// The call streams of `npm run bench`. Each is a setup and a loop body of
// ops whose bytes are fixed here, so the emulator (bench/emulator.ts) and the
// native runner (native/bench.c via bench/native.ts) send exactly the same
// calls. Attrs are built from the generated layout tables, never by hand.

import { readFileSync, existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { encodeAttr } from "../src/abi/decode.ts";
import { linux_6_18 } from "../src/uapi/gen/linux-6.18.ts";
import { BPF_CMD, BPF_MAP_TYPE, BPF_PROG_TYPE } from "../src/uapi/gen/consts-6.18.ts";
import { parseTrace, type BpffsDelegation } from "../src/trace/format.ts";

const T = linux_6_18;

export type BenchOp =
  | { readonly op: "map"; readonly addr: bigint; readonly len: number; readonly bytes?: Uint8Array }
  | { readonly op: "write"; readonly addr: bigint; readonly bytes: Uint8Array }
  /** bpf(cmd, attr at ATTR_END - attr.length, size), `repeat` times in a row. */
  | { readonly op: "bpf"; readonly cmd: number; readonly size: number; readonly attr: Uint8Array; readonly repeat: number }
  /** close(fd); "last" = the fd the previous bpf op returned, skipped when that was an error. */
  | { readonly op: "close"; readonly fd: number | "last" }
  | { readonly op: "open"; readonly path: string; readonly flags: number }
  /** close every fd from the stream's first free fd up (not counted as a call). */
  | { readonly op: "reset" };

export type BenchEnv = { readonly kind: "root" } | { readonly kind: "userns"; readonly bpffs: BpffsDelegation };

export interface Stream {
  readonly name: string;
  readonly description: string;
  readonly env: BenchEnv;
  /** `map` ops first (both sides map them before anything else), then calls not timed. */
  readonly setup: readonly BenchOp[];
  readonly body: readonly BenchOp[];
}

/** Where streams keep keys, values, instructions: well away from the attr window. */
export const BASE = 0x10000000n;
const KEY = BASE;
const VALUE = BASE + 0x100n;
const INSNS = BASE + 0x10000n;
const LICENSE = BASE + 0x20000n;

function attr(cmd: number, values: Readonly<Record<string, number | bigint | Uint8Array>>, len: number): Uint8Array {
  return encodeAttr(T, cmd, values).slice(0, len);
}

function u32le(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, true);
  return b;
}

function u64le(v: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, v, true);
  return b;
}

const endOf = (cmd: number): number => T.commands[cmd]!.end;
const scratch: BenchOp = { op: "map", addr: BASE, len: 0x30000 };

/** MAP_CREATE of `type` (key 4, value 8) as the first fd after the env's own. */
function createMap(type: number, maxEntries: number): BenchOp {
  const a = attr(BPF_CMD.MAP_CREATE, { map_type: type, key_size: 4, value_size: 8, max_entries: maxEntries }, endOf(BPF_CMD.MAP_CREATE));
  return { op: "bpf", cmd: BPF_CMD.MAP_CREATE, size: a.length, attr: a, repeat: 1 };
}

function elemOp(cmd: number, fd: number, flags: bigint): BenchOp {
  const a = attr(cmd, { map_fd: fd, key: KEY, value: VALUE, flags }, endOf(cmd));
  return { op: "bpf", cmd, size: a.length, attr: a, repeat: 1 };
}

/** Fills keys 0..n-1 of the map at `fd` with value = key * 3 (setup only). */
function fill(fd: number, n: number): BenchOp[] {
  const out: BenchOp[] = [];
  const upd = elemOp(BPF_CMD.MAP_UPDATE_ELEM, fd, 0n);
  for (let i = 0; i < n; i++) {
    out.push({ op: "write", addr: KEY, bytes: u32le(i) });
    out.push({ op: "write", addr: VALUE, bytes: u64le(BigInt(i) * 3n) });
    out.push(upd);
  }
  out.push({ op: "write", addr: KEY, bytes: u32le(7) });
  return out;
}

/** 99 × `r0 = 0` then `exit`: a 100-instruction program the verifier walks once. */
function program100(): Uint8Array {
  const insns = new Uint8Array(100 * 8);
  for (let i = 0; i < 99; i++) insns[i * 8] = 0xb7; // BPF_ALU64 | BPF_MOV | BPF_K, dst r0, imm 0
  insns[99 * 8] = 0x95; // BPF_JMP | BPF_EXIT
  return insns;
}

function builtinStreams(): Stream[] {
  const root: BenchEnv = { kind: "root" };
  const lookup = BPF_CMD.MAP_LOOKUP_ELEM;
  const streams: Stream[] = [];

  // bpf_check_uarg_tail_zero(): a 256-byte attr with a non-zero byte past sizeof(union bpf_attr).
  {
    const a = new Uint8Array(256);
    a[200] = 1;
    streams.push({
      name: "reject-e2big",
      description: "MAP_LOOKUP_ELEM, size 256, byte 200 non-zero: E2BIG from the tail check",
      env: root,
      setup: [scratch],
      body: [{ op: "bpf", cmd: lookup, size: 256, attr: a, repeat: 1 }],
    });
  }
  // CHECK_ATTR: a byte past BPF_MAP_LOOKUP_ELEM_LAST_FIELD inside the union.
  {
    const a = new Uint8Array(48);
    a[40] = 1;
    streams.push({
      name: "reject-check-attr",
      description: "MAP_LOOKUP_ELEM, size 48, byte 40 non-zero: EINVAL from CHECK_ATTR",
      env: root,
      setup: [scratch],
      body: [{ op: "bpf", cmd: lookup, size: 48, attr: a, repeat: 1 }],
    });
  }
  for (const [kind, type] of [
    ["array", BPF_MAP_TYPE.ARRAY],
    ["hash", BPF_MAP_TYPE.HASH],
  ] as const) {
    const setup = [scratch, createMap(type, 1024), ...fill(3, 1000)];
    streams.push({
      name: `${kind}-lookup`,
      description: `MAP_LOOKUP_ELEM of key 7 in a ${kind} map (key 4, value 8, 1000 of 1024 entries set)`,
      env: root,
      setup,
      body: [elemOp(lookup, 3, 0n)],
    });
    streams.push({
      name: `${kind}-update`,
      description: `MAP_UPDATE_ELEM (BPF_ANY) of key 7 in a ${kind} map (key 4, value 8, 1000 of 1024 entries set)`,
      env: root,
      setup,
      body: [elemOp(BPF_CMD.MAP_UPDATE_ELEM, 3, 0n)],
    });
  }
  streams.push({
    name: "map-create-close",
    description: "MAP_CREATE of an ARRAY map (key 4, value 8, 1 entry), then close(fd)",
    env: root,
    setup: [scratch],
    body: [createMap(BPF_MAP_TYPE.ARRAY, 1), { op: "close", fd: "last" }],
  });
  {
    // The walk reads the key and writes the next one at the same address, so
    // the body needs no copying between calls: NULL key first, then 10000
    // steps (the last one answers ENOENT).
    const n = 10_000;
    const gnk = BPF_CMD.MAP_GET_NEXT_KEY;
    const first = attr(gnk, { map_fd: 3, key: 0n, next_key: KEY }, endOf(gnk));
    const step = attr(gnk, { map_fd: 3, key: KEY, next_key: KEY }, endOf(gnk));
    streams.push({
      name: "hash-get-next-key-walk",
      description: `MAP_GET_NEXT_KEY over a ${n}-key hash map, from NULL to ENOENT`,
      env: root,
      setup: [scratch, createMap(BPF_MAP_TYPE.HASH, n), ...fill(3, n)],
      body: [
        { op: "bpf", cmd: gnk, size: first.length, attr: first, repeat: 1 },
        { op: "bpf", cmd: gnk, size: step.length, attr: step, repeat: n },
      ],
    });
  }
  {
    const pl = BPF_CMD.PROG_LOAD;
    const a = attr(pl, { prog_type: BPF_PROG_TYPE.SOCKET_FILTER, insn_cnt: 100, insns: INSNS, license: LICENSE }, endOf(pl));
    streams.push({
      name: "prog-load-100",
      description: "PROG_LOAD of a 100-instruction SOCKET_FILTER program, then close(fd)",
      env: root,
      setup: [
        { op: "map", addr: BASE, len: 0x30000 },
        { op: "write", addr: INSNS, bytes: program100() },
        { op: "write", addr: LICENSE, bytes: new TextEncoder().encode("GPL\0") },
      ],
      body: [{ op: "bpf", cmd: pl, size: a.length, attr: a, repeat: 1 }, { op: "close", fd: "last" }],
    });
  }
  {
    const tc = BPF_CMD.TOKEN_CREATE;
    const a = attr(tc, { "token_create.flags": 0, "token_create.bpffs_fd": 3 }, endOf(tc));
    streams.push({
      name: "token-create",
      description: "TOKEN_CREATE from the delegated bpffs root (fd 3) in a user namespace, then close(fd)",
      env: { kind: "userns", bpffs: { delegate_cmds: "any", delegate_maps: "any", delegate_progs: "any", delegate_attachs: "any" } },
      setup: [scratch],
      body: [{ op: "bpf", cmd: tc, size: a.length, attr: a, repeat: 1 }, { op: "close", fd: "last" }],
    });
  }
  return streams;
}

const REPO_ROOT = join(import.meta.dirname, "..");
/** The default replay: a recorded trace with only bpf/open/close ops, so every iteration is the same. */
export const DEFAULT_TRACE = "fixtures/traces/token/map-token.jsonl";

function findTraces(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...findTraces(p));
    else if (e.endsWith(".jsonl")) out.push(p);
  }
  return out.sort();
}

/**
 * A recorded trace as a loop: its `map` ops become the setup (mapped once),
 * every other op the body, and a reset closes what an iteration opened so the
 * next one sees the same fd numbers. Traces that create files (mkdir, unlink)
 * would not repeat the same way and are refused.
 */
export function traceStream(path: string): Stream {
  const trace = parseTrace(readFileSync(path, "utf8"));
  if (trace.env.kind === "nocap") throw new Error(`${path}: nocap traces are not supported by the bench runner`);
  const setup: BenchOp[] = [];
  const body: BenchOp[] = [];
  for (const op of trace.ops) {
    switch (op.op) {
      case "map":
        setup.push(op.bytes === undefined ? { op: "map", addr: op.addr, len: op.len } : { op: "map", addr: op.addr, len: op.len, bytes: op.bytes });
        break;
      case "write":
        body.push({ op: "write", addr: op.addr, bytes: op.bytes });
        break;
      case "bpf":
        body.push({ op: "bpf", cmd: op.cmd, size: op.size, attr: op.attr, repeat: 1 });
        break;
      case "close":
        body.push({ op: "close", fd: op.fd });
        break;
      case "open":
        body.push({ op: "open", path: op.path, flags: op.flags });
        break;
      default:
        throw new Error(`${path}: ${op.op} ops do not repeat; pick a trace without them`);
    }
  }
  body.push({ op: "reset" });
  const env: BenchEnv = trace.env.kind === "userns" ? { kind: "userns", bpffs: trace.env.bpffs } : { kind: "root" };
  return {
    name: "trace-replay",
    description: `${trace.name} (${path.replace(`${REPO_ROOT}/`, "")}): ${trace.ops.filter((o) => o.op !== "map").length} ops per pass`,
    env,
    setup,
    body,
  };
}

export function allStreams(tracePath?: string): Stream[] {
  const streams = builtinStreams();
  let p = tracePath;
  if (p === undefined) {
    const def = join(REPO_ROOT, DEFAULT_TRACE);
    p = existsSync(def) ? def : findTraces(join(REPO_ROOT, "fixtures", "traces"))[0];
  }
  streams.push(p !== undefined ? traceStream(p) : builtTrace());
  return streams;
}

/**
 * The replay stream when no recorded trace is there: a map's life in one
 * pass (create, update, lookup, get_next_key, delete, close), in the shape a
 * recorded trace would have.
 */
export function builtTrace(): Stream {
  const C = BPF_CMD;
  const mk = (cmd: number, values: Readonly<Record<string, number | bigint>>): BenchOp => {
    const a = attr(cmd, values, endOf(cmd));
    return { op: "bpf", cmd, size: a.length, attr: a, repeat: 1 };
  };
  return {
    name: "trace-replay",
    description: "built trace (no fixtures/traces/**/*.jsonl found): create, update, lookup, get_next_key, delete, close",
    env: { kind: "root" },
    setup: [scratch, { op: "write", addr: KEY, bytes: u32le(1) }],
    body: [
      mk(C.MAP_CREATE, { map_type: BPF_MAP_TYPE.HASH, key_size: 4, value_size: 8, max_entries: 8 }),
      mk(C.MAP_UPDATE_ELEM, { map_fd: 3, key: KEY, value: VALUE, flags: 0n }),
      mk(C.MAP_LOOKUP_ELEM, { map_fd: 3, key: KEY, value: VALUE }),
      mk(C.MAP_GET_NEXT_KEY, { map_fd: 3, key: 0n, next_key: VALUE }),
      mk(C.MAP_DELETE_ELEM, { map_fd: 3, key: KEY }),
      { op: "close", fd: 3 },
      { op: "reset" },
    ],
  };
}

// SPDX-License-Identifier: GPL-2.0-only
// Building corpus traces: user-memory regions with unmapped guard pages, fd
// bookkeeping (the kernel hands out the lowest free fd), setups that create
// objects of every kind, and masks for host-global bytes. No Node API.

import { encodeAttr } from "../abi/decode.ts";
import type { Mask, Trace, TraceEnv, TraceOp } from "../trace/format.ts";
import { linux_6_18 } from "../uapi/gen/linux-6.18.ts";
import { BPF_ATTACH_TYPE, BPF_CMD, BPF_MAP_TYPE, BPF_PROG_TYPE } from "../uapi/gen/consts-6.18.ts";

export const TABLES = linux_6_18;
export const ATTR_SIZE = TABLES.attrSize;
export const REGION_BASE = 0x10000000n;
/** Never mapped by any corpus trace (regions stay far below it). */
export const UNMAPPED = 0x40000000n;
/** A kernel-half address: access_ok() refuses it. */
export const KERNEL_PTR = 0xffff888000000000n;
export const O_RDONLY = 0;
export const O_RDWR = 2;
export const O_DIRECTORY = 0o200000;
export const BPFFS = "/sys/fs/bpf";
/** BPF_F_ZERO_SEED: hash tables hash with seed 0, so iteration order is reproducible. */
export const ZERO_SEED = 0x40;

export type FieldValues = Record<string, number | bigint | Uint8Array>;

/** Kinds of fd a field can be given. */
export const FD_KINDS = ["never", "closed", "stdin", "neg", "map", "prog", "btf", "bpffs", "link", "stats", "token"] as const;
export type FdKind = (typeof FD_KINDS)[number];

export const PTR_KINDS = ["null", "mapped", "unmapped", "straddle", "kernel"] as const;
export type PtrKind = (typeof PTR_KINDS)[number];

/** Two instructions: r0 = <imm>; exit. */
export function retInsns(imm: number): Uint8Array {
  const b = new Uint8Array(16);
  b[0] = 0xb7; // BPF_ALU64 | BPF_MOV | BPF_K, dst r0
  new DataView(b.buffer).setInt32(4, imm, true);
  b[8] = 0x95; // BPF_JMP | BPF_EXIT
  return b;
}

/** A minimal valid BTF blob: one 32-bit signed INT named "int". */
export function intBtf(): Uint8Array {
  const strings = new TextEncoder().encode("\0int\0");
  const b = new Uint8Array(24 + 16 + strings.length);
  const v = new DataView(b.buffer);
  v.setUint16(0, 0xeb9f, true); // magic
  v.setUint8(2, 1); // version
  v.setUint32(4, 24, true); // hdr_len
  v.setUint32(8, 0, true); // type_off
  v.setUint32(12, 16, true); // type_len
  v.setUint32(16, 16, true); // str_off
  v.setUint32(20, strings.length, true); // str_len
  v.setUint32(24, 1, true); // name_off "int"
  v.setUint32(28, 0x01000000, true); // kind INT, vlen 0
  v.setUint32(32, 4, true); // size
  v.setUint32(36, (1 << 24) | 32, true); // BTF_INT_SIGNED, 32 bits
  b.set(strings, 40);
  return b;
}

export function u32le(...vals: number[]): Uint8Array {
  const b = new Uint8Array(vals.length * 4);
  const v = new DataView(b.buffer);
  vals.forEach((x, i) => v.setUint32(i * 4, x >>> 0, true));
  return b;
}

export function u64le(...vals: bigint[]): Uint8Array {
  const b = new Uint8Array(vals.length * 8);
  const v = new DataView(b.buffer);
  vals.forEach((x, i) => v.setBigUint64(i * 8, BigInt.asUintN(64, x), true));
  return b;
}

export function cstr(s: string, len?: number): Uint8Array {
  const e = new TextEncoder().encode(s);
  const out = new Uint8Array(len ?? e.length + 1);
  out.set(e.subarray(0, out.length));
  return out;
}

/** Host-specific bytes of each info struct (ids, times, JIT output, kernel pointers). */
const INFO_MASKS: Record<string, readonly (readonly [number, number])[]> = {
  map: [[4, 4], [64, 4], [76, 4]],
  // id, tag is deterministic; jited len, jited insns ptr, load_time, map ids, netns, ksyms, btf id,
  // jited line info, run time/cnt, verified_insns (stable but version-bound: kept), attach ids.
  prog: [[4, 4], [16, 4], [24, 8], [40, 8], [56, 8], [88, 16], [104, 24], [128, 4], [160, 8], [192, 24], [220, 4]],
  btf: [[12, 4]],
  link: [[4, 4], [8, 4], [16, 48]],
  token: [],
};

/**
 * The kernel allocates (and zeroes) a preallocated map's memory at MAP_CREATE;
 * a corpus case must never make the host allocate gigabytes (vmalloc grabs
 * pages one by one before it fails, squeezing every other process).
 */
export const MAP_BUDGET = 16 * 1024 * 1024;

/** An upper bound on what MAP_CREATE with these attr bytes may allocate. */
export function mapCreateCost(attr: Uint8Array): number {
  const b = new Uint8Array(20);
  b.set(attr.subarray(0, 20));
  const v = new DataView(b.buffer);
  const type = v.getUint32(0, true);
  const key = v.getUint32(4, true);
  const value = v.getUint32(8, true);
  const max = v.getUint32(12, true);
  const perElem = (key + value + 64) * (type === BPF_MAP_TYPE.ARENA ? 4096 : 1) * 2;
  return max * perElem;
}

export function mergeMasks(...masks: (Mask | undefined)[]): Mask | undefined {
  const ms = masks.filter((m): m is Mask => m !== undefined);
  if (ms.length === 0) return undefined;
  const out: { ret?: boolean; attr?: (readonly [number, number])[]; mem?: { addr: bigint; len: number }[] } = {};
  for (const m of ms) {
    if (m.ret) out.ret = true;
    if (m.attr) (out.attr ??= []).push(...m.attr);
    if (m.mem) (out.mem ??= []).push(...m.mem);
  }
  return out;
}

/**
 * BPF_LOG_STATS (log_level bit 2) makes the verifier and the BTF checker
 * report their run time: the log and its true size vary from run to run.
 */
function logStatsMask(cmd: number, full: Uint8Array): Mask | undefined {
  const v = new DataView(full.buffer, full.byteOffset, full.length);
  if (cmd === BPF_CMD.PROG_LOAD && v.getUint32(24, true) & 4) {
    const buf = v.getBigUint64(32, true);
    const len = v.getUint32(28, true);
    return { attr: [[140, 4]], ...(buf !== 0n && len > 0 ? { mem: [{ addr: buf, len: Math.min(len, 1 << 20) }] } : {}) };
  }
  if (cmd === BPF_CMD.BTF_LOAD && v.getUint32(24, true) & 4) {
    const buf = v.getBigUint64(8, true);
    const len = v.getUint32(20, true);
    return { attr: [[28, 4]], ...(buf !== 0n && len > 0 ? { mem: [{ addr: buf, len: Math.min(len, 1 << 20) }] } : {}) };
  }
  return undefined;
}

/** Builds one trace's ops. */
export class Builder {
  readonly ops: TraceOp[] = [];
  private next = REGION_BASE;
  /** fds open in the traced process; the kernel returns the lowest free one. */
  private readonly open = new Set<number>([0, 1, 2]);
  readonly env: TraceEnv;
  /** Set when a MAP_CREATE could allocate more than MAP_BUDGET on the kernel: such cases are dropped. */
  heavy = false;

  constructor(env: TraceEnv = { kind: "root" }) {
    this.env = env;
    if (env.kind === "userns") this.open.add(3);
  }

  /** A tracked region followed by an unmapped guard page. */
  region(len: number, bytes?: Uint8Array): bigint {
    const addr = this.next;
    const pages = Math.ceil(Math.max(len, 1) / 4096);
    this.next += BigInt((pages + 1) * 4096);
    this.ops.push(bytes === undefined ? { op: "map", addr, len } : { op: "map", addr, len, bytes });
    return addr;
  }

  /** A pointer of the given kind to `len` bytes (contents for the mapped kinds). */
  ptr(kind: PtrKind, len: number, bytes?: Uint8Array): bigint {
    switch (kind) {
      case "null":
        return 0n;
      case "unmapped":
        return UNMAPPED;
      case "kernel":
        return KERNEL_PTR;
      case "mapped":
        return this.region(Math.max(len, 1), bytes);
      case "straddle": {
        // The object starts 4 bytes before the end of a page whose successor is unmapped.
        const r = this.region(4096);
        const p = r + 4096n - 4n;
        if (bytes !== undefined) this.write(p, bytes.subarray(0, 4));
        return p;
      }
    }
  }

  str(s: string): bigint {
    return this.region(s.length + 1, cstr(s));
  }

  write(addr: bigint, bytes: Uint8Array): void {
    this.ops.push({ op: "write", addr, bytes });
  }

  private takeFd(): number {
    let fd = 0;
    while (this.open.has(fd)) fd++;
    this.open.add(fd);
    return fd;
  }

  bpf(cmd: number, attr: Uint8Array, opts: { size?: number; note?: string; mask?: Mask } = {}): void {
    if (cmd === BPF_CMD.MAP_CREATE && mapCreateCost(attr) > MAP_BUDGET) this.heavy = true;
    const op: { op: "bpf"; cmd: number; size: number; attr: Uint8Array; note?: string; mask?: Mask } = { op: "bpf", cmd, size: opts.size ?? attr.length, attr };
    if (opts.note !== undefined) op.note = opts.note;
    if (opts.mask !== undefined) op.mask = opts.mask;
    this.ops.push(op);
  }

  /** A bpf call whose attr is encoded from field values, `len` bytes long (default: the command's CHECK_ATTR end). */
  call(cmd: number, fields: FieldValues, opts: { len?: number; size?: number; note?: string; mask?: Mask } = {}): void {
    const full = encodeAttr(TABLES, cmd, fields);
    if (cmd === BPF_CMD.MAP_CREATE && mapCreateCost(full) > MAP_BUDGET) this.heavy = true;
    const len = opts.len ?? TABLES.commands[cmd]!.end;
    const attr = new Uint8Array(len);
    attr.set(full.subarray(0, Math.min(len, full.length)));
    const o: { size?: number; note?: string; mask?: Mask } = {};
    if (opts.size !== undefined) o.size = opts.size;
    if (opts.note !== undefined) o.note = opts.note;
    const mask = mergeMasks(opts.mask, logStatsMask(cmd, full));
    if (mask !== undefined) o.mask = mask;
    this.bpf(cmd, attr, o);
  }

  /** A call that the kernel answers with a new fd on success: the fd number it will get. */
  callFd(cmd: number, fields: FieldValues, note?: string): number {
    this.call(cmd, fields, note === undefined ? {} : { note });
    return this.takeFd();
  }

  close(fd: number): void {
    this.ops.push({ op: "close", fd });
    this.open.delete(fd);
  }

  openPath(path: string, flags: number): number {
    this.ops.push({ op: "open", path, flags });
    return this.takeFd();
  }

  mkdir(path: string, mode = 0o755): void {
    this.ops.push({ op: "mkdir", path, mode });
  }

  unlink(path: string): void {
    this.ops.push({ op: "unlink", path });
  }

  // ------------------------------------------------------------- setups

  mapCreate(type: number, key: number, value: number, max: number, extra: FieldValues = {}): number {
    return this.callFd(BPF_CMD.MAP_CREATE, { map_type: type, key_size: key, value_size: value, max_entries: max, ...extra });
  }

  arrayMap(): number {
    return this.mapCreate(BPF_MAP_TYPE.ARRAY, 4, 8, 4);
  }

  /**
   * A HASH map (key 4, value 8, 8 entries) holding keys 1..n with values
   * 100+k. BPF_F_ZERO_SEED: with a random hash seed the kernel's iteration
   * order (get_next_key, batches) would differ from run to run.
   */
  hashMap(n = 3): number {
    const fd = this.mapCreate(BPF_MAP_TYPE.HASH, 4, 8, 8, { map_flags: ZERO_SEED });
    for (let k = 1; k <= n; k++) this.update(fd, u32le(k), u64le(BigInt(100 + k)));
    return fd;
  }

  update(fd: number, key: Uint8Array, value: Uint8Array, flags = 0n): void {
    const kp = this.region(key.length || 1, key);
    const vp = this.region(value.length || 1, value);
    this.call(BPF_CMD.MAP_UPDATE_ELEM, { map_fd: fd, key: kp, value: vp, flags });
  }

  progLoad(type: number = BPF_PROG_TYPE.SOCKET_FILTER, extra: FieldValues = {}, imm = 0): number {
    const insns = this.region(16, retInsns(imm));
    const lic = this.str("GPL");
    return this.callFd(BPF_CMD.PROG_LOAD, { prog_type: type, insn_cnt: 2, insns, license: lic, ...extra });
  }

  btfLoad(): number {
    const blob = intBtf();
    const p = this.region(blob.length, blob);
    return this.callFd(BPF_CMD.BTF_LOAD, { btf: p, btf_size: blob.length });
  }

  /** An XDP program attached to lo (ifindex 1) in the trace's private netns: a link fd. */
  xdpLink(): number {
    const prog = this.progLoad(BPF_PROG_TYPE.XDP, { expected_attach_type: BPF_ATTACH_TYPE.XDP }, 2);
    return this.callFd(BPF_CMD.LINK_CREATE, { "link_create.prog_fd": prog, "link_create.target_ifindex": 1, "link_create.attach_type": BPF_ATTACH_TYPE.XDP });
  }

  /** An fd of the given kind (the objects it needs are created first). */
  fd(kind: FdKind): number {
    switch (kind) {
      case "never":
        return 77;
      case "stdin":
        return 0;
      case "neg":
        return 0xffffffff;
      case "closed": {
        const fd = this.arrayMap();
        this.close(fd);
        return fd;
      }
      case "map":
        return this.arrayMap();
      case "prog":
        return this.progLoad();
      case "btf":
        return this.btfLoad();
      case "bpffs":
        return this.openPath(BPFFS, O_RDONLY | O_DIRECTORY);
      case "link":
        return this.xdpLink();
      case "stats":
        return this.callFd(BPF_CMD.ENABLE_STATS, { "enable_stats.type": 0 });
      case "token":
        if (this.env.kind !== "userns") throw new RangeError("token fds need a userns trace");
        return this.callFd(BPF_CMD.TOKEN_CREATE, { "token_create.bpffs_fd": 3 });
    }
  }

  /** mem masks for an info struct of whatever kind the fd turns out to be. */
  static infoMaskAny(addr: bigint): Mask {
    return mergeMasks(...(["map", "prog", "btf", "link"] as const).map((k) => Builder.infoMask(k, addr)))!;
  }

  /** mem masks for an info struct of `kind` written at `addr`. */
  static infoMask(kind: keyof typeof INFO_MASKS, addr: bigint): Mask {
    return { mem: INFO_MASKS[kind]!.map(([o, l]) => ({ addr: addr + BigInt(o), len: l })) };
  }

  trace(name: string, description: string): Trace {
    return { name, description, abi: "linux-6.18", env: this.env, recordedOn: null, ops: this.ops };
  }
}

/** The userns environment with everything delegated (token fds are creatable). */
export const USERNS_ALL: TraceEnv = { kind: "userns", bpffs: { delegate_cmds: "any", delegate_maps: "any", delegate_progs: "any", delegate_attachs: "any" } };

/** Deterministic PRNG (mulberry32) for seeded choices. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// SPDX-License-Identifier: GPL-2.0-only
// Trace builder for the program corpus: PROG_LOAD with a log buffer in the
// log window, map creation, PROG_TEST_RUN, prog info and ids. Log buffers
// live at LOG_BASE and up, so that a comparison can tell the log's bytes
// (and their masks) apart from everything else. No Node API.

import type { Mask, TraceOp } from "../trace/format.ts";

export const CMD = {
  MAP_CREATE: 0,
  MAP_LOOKUP_ELEM: 1,
  MAP_UPDATE_ELEM: 2,
  PROG_LOAD: 5,
  OBJ_PIN: 6,
  OBJ_GET: 7,
  PROG_TEST_RUN: 10,
  PROG_GET_NEXT_ID: 11,
  PROG_GET_FD_BY_ID: 13,
  OBJ_GET_INFO_BY_FD: 15,
  PROG_BIND_MAP: 35,
} as const;

/** Log buffers are placed from here up; everything else from DATA_BASE. */
export const LOG_BASE = 0x30000000n;
export const DATA_BASE = 0x10000000n;
/** offsetof(union bpf_attr, log_true_size) */
export const LOG_TRUE_SIZE_OFF = 140;

type Field = readonly [offset: number, size: 1 | 2 | 4 | 8, value: number | bigint];

export function attrBytes(len: number, fields: readonly Field[]): Uint8Array {
  const b = new Uint8Array(len);
  const v = new DataView(b.buffer);
  for (const [off, size, val] of fields) {
    const x = BigInt.asUintN(64, BigInt(val));
    if (size === 1) v.setUint8(off, Number(x & 0xffn));
    else if (size === 2) v.setUint16(off, Number(x & 0xffffn), true);
    else if (size === 4) v.setUint32(off, Number(BigInt.asUintN(32, x)), true);
    else v.setBigUint64(off, x, true);
  }
  return b;
}

export interface LoadOpts {
  license?: string | bigint;
  logLevel?: number;
  /** Bytes of log buffer; 0 for none. Default 4096 when logLevel is set. */
  logSize?: number;
  /** Pass this log_buf pointer instead of a fresh buffer. */
  logBuf?: bigint;
  name?: string | Uint8Array;
  flags?: number;
  eat?: number;
  kernVersion?: number;
  /** attr size passed to bpf(); default 168 (whole PROG_LOAD arm). */
  size?: number;
  /** Insn pointer override (faults). */
  insnsPtr?: bigint;
  insnCnt?: number;
  /** Compare the log text (default: masked). */
  compareLog?: boolean;
  note?: string;
  /** ret: true mask (fd numbers are host-independent in fresh envs, so default false). */
  maskRet?: boolean;
  fdArray?: bigint;
  fdArrayCnt?: number;
}

/** Builds one trace's ops; regions get whole pages. */
export class ProgBuilder {
  readonly ops: TraceOp[] = [];
  private next = DATA_BASE;
  private nextLog = LOG_BASE;

  region(len: number, bytes?: Uint8Array): bigint {
    const addr = this.next;
    this.next += BigInt(Math.max(1, Math.ceil(len / 4096)) * 4096);
    this.ops.push(bytes === undefined ? { op: "map", addr, len } : { op: "map", addr, len, bytes });
    return addr;
  }

  logRegion(len: number): bigint {
    const addr = this.nextLog;
    this.nextLog += BigInt(Math.max(1, Math.ceil(len / 4096)) * 4096);
    this.ops.push({ op: "map", addr, len });
    return addr;
  }

  str(s: string): bigint {
    const b = new TextEncoder().encode(s);
    const out = new Uint8Array(b.length + 1);
    out.set(b);
    return this.region(out.length, out);
  }

  bpf(cmd: number, len: number, fields: readonly Field[], note?: string, size = len, mask?: Mask): this {
    const attr = attrBytes(len, fields);
    const op: TraceOp = { op: "bpf", cmd, size, attr, ...(note === undefined ? {} : { note }), ...(mask === undefined ? {} : { mask }) };
    this.ops.push(op);
    return this;
  }

  close(fd: number): this {
    this.ops.push({ op: "close", fd });
    return this;
  }

  mapCreate(type: number, key: number, value: number, max: number, flags = 0, note?: string): this {
    return this.bpf(CMD.MAP_CREATE, 72, [[0, 4, type], [4, 4, key], [8, 4, value], [12, 4, max], [16, 4, flags]], note);
  }

  /** MAP_UPDATE_ELEM with a u32 key and the given value bytes. */
  mapUpdate(fd: number, key: Uint8Array, value: Uint8Array, flags = 0): this {
    const k = this.region(key.length, key);
    const v = this.region(value.length, value);
    return this.bpf(CMD.MAP_UPDATE_ELEM, 32, [[0, 4, fd], [8, 8, k], [16, 8, v], [24, 8, flags]]);
  }

  mapLookup(fd: number, key: Uint8Array, valueSize: number): this {
    const k = this.region(key.length, key);
    const v = this.region(valueSize);
    return this.bpf(CMD.MAP_LOOKUP_ELEM, 32, [[0, 4, fd], [8, 8, k], [16, 8, v]]);
  }

  /** PROG_LOAD; the log region (if any) is masked unless compareLog. */
  load(type: number, insns: Uint8Array, o: LoadOpts = {}): this {
    const cnt = o.insnCnt ?? insns.length / 8;
    const ins = o.insnsPtr ?? (insns.length ? this.region(insns.length, insns) : 0n);
    const lic = o.license === undefined ? this.str("GPL") : typeof o.license === "bigint" ? o.license : this.str(o.license);
    const level = o.logLevel ?? 0;
    const logSize = o.logSize ?? (level ? 4096 : 0);
    let logBuf = o.logBuf ?? 0n;
    const memMask: { addr: bigint; len: number }[] = [];
    if (o.logBuf === undefined && logSize > 0) {
      logBuf = this.logRegion(Math.min(logSize, 1 << 20));
      if (!o.compareLog) memMask.push({ addr: logBuf, len: Math.min(logSize, 1 << 20) });
    }
    const fields: Field[] = [[0, 4, type], [4, 4, cnt], [8, 8, ins], [16, 8, lic], [24, 4, level], [28, 4, logSize], [32, 8, logBuf], [40, 4, o.kernVersion ?? 0], [44, 4, o.flags ?? 0], [68, 4, o.eat ?? 0]];
    if (o.name !== undefined) {
      const nb = typeof o.name === "string" ? new TextEncoder().encode(o.name) : o.name;
      for (let i = 0; i < Math.min(16, nb.length); i++) fields.push([48 + i, 1, nb[i]!]);
    }
    if (o.fdArray !== undefined) fields.push([120, 8, o.fdArray]);
    if (o.fdArrayCnt !== undefined) fields.push([148, 4, o.fdArrayCnt]);
    const len = 168;
    const mask: { ret?: boolean; attr?: [number, number][]; mem?: { addr: bigint; len: number }[] } = {};
    if (o.maskRet) mask.ret = true;
    if (memMask.length) {
      mask.mem = memMask;
      // log_true_size depends on the log text.
      mask.attr = [[LOG_TRUE_SIZE_OFF, 4]];
    }
    return this.bpf(CMD.PROG_LOAD, len, fields, o.note, o.size ?? len, Object.keys(mask).length ? mask : undefined);
  }

  /** OBJ_GET_INFO_BY_FD on a prog: ids, load_time, jited fields and uid-independent bits masked. */
  progInfo(fd: number, infoLen = 232, opts: { xlated?: number; jited?: number; mapIds?: number; note?: string; maskAll?: boolean } = {}): this {
    const fields: Field[] = [];
    const info = new Uint8Array(Math.max(infoLen, 8));
    const iv = new DataView(info.buffer);
    const extra: { addr: bigint; len: number }[] = [];
    if (opts.xlated !== undefined && infoLen >= 40) {
      const a = this.region(Math.max(opts.xlated, 8));
      iv.setUint32(20, opts.xlated, true);
      iv.setBigUint64(32, a, true);
    }
    if (opts.jited !== undefined && infoLen >= 32) {
      const a = this.region(Math.max(opts.jited, 8));
      iv.setUint32(16, opts.jited, true);
      iv.setBigUint64(24, a, true);
      extra.push({ addr: a, len: Math.max(opts.jited, 8) });
    }
    if (opts.mapIds !== undefined && infoLen >= 64) {
      const a = this.region(Math.max(opts.mapIds * 4, 8));
      iv.setUint32(52, opts.mapIds, true);
      iv.setBigUint64(56, a, true);
      extra.push({ addr: a, len: Math.max(opts.mapIds * 4, 8) });
    }
    const buf = this.region(info.length, info);
    fields.push([0, 4, fd], [4, 4, infoLen], [8, 8, buf]);
    // id (4), jited_prog_len (16), load_time (40), jited ksyms/func lens (104..128), run stats (192..216).
    const masked: [number, number][] = [[4, 4], [16, 4], [40, 8], [104, 8], [112, 16], [192, 24]];
    const mem = masked.filter(([o]) => o < infoLen).map(([o, l]) => ({ addr: buf + BigInt(o), len: Math.min(l, infoLen - o) }));
    if (opts.maskAll) mem.push({ addr: buf, len: infoLen });
    return this.bpf(CMD.OBJ_GET_INFO_BY_FD, 16, fields, opts.note, 16, { mem: [...mem, ...extra] });
  }

  testRun(fd: number, o: { data?: Uint8Array; dataOut?: number; ctx?: Uint8Array; ctxOut?: number; repeat?: number; flags?: number; cpu?: number; size?: number; note?: string; dataSizeOut?: number } = {}): this {
    const fields: Field[] = [[0, 4, fd]];
    if (o.data !== undefined) {
      const a = this.region(Math.max(o.data.length, 1), o.data);
      fields.push([8, 4, o.data.length], [16, 8, a]);
    }
    if (o.dataOut !== undefined) {
      const a = this.region(Math.max(o.dataOut, 1));
      fields.push([12, 4, o.dataSizeOut ?? o.dataOut], [24, 8, a]);
    }
    if (o.repeat !== undefined) fields.push([32, 4, o.repeat]);
    if (o.ctx !== undefined) {
      const a = this.region(Math.max(o.ctx.length, 1), o.ctx);
      fields.push([40, 4, o.ctx.length], [48, 8, a]);
    }
    if (o.ctxOut !== undefined) {
      const a = this.region(Math.max(o.ctxOut, 1));
      fields.push([44, 4, o.ctxOut], [56, 8, a]);
    }
    if (o.flags !== undefined) fields.push([64, 4, o.flags]);
    if (o.cpu !== undefined) fields.push([68, 4, o.cpu]);
    // duration (offset 36) is host time.
    return this.bpf(CMD.PROG_TEST_RUN, 80, fields, o.note, o.size ?? 80, { attr: [[36, 4]] });
  }

  getFdById(id: number, note?: string): this {
    return this.bpf(CMD.PROG_GET_FD_BY_ID, 16, [[0, 4, id]], note);
  }

  bindMap(progFd: number, mapFd: number, flags = 0): this {
    return this.bpf(CMD.PROG_BIND_MAP, 12, [[0, 4, progFd], [4, 4, mapFd], [8, 4, flags]]);
  }

  pin(fd: number, path: string): this {
    const p = this.str(path);
    return this.bpf(CMD.OBJ_PIN, 24, [[0, 8, p], [8, 4, fd]]);
  }

  get(path: string): this {
    const p = this.str(path);
    return this.bpf(CMD.OBJ_GET, 24, [[0, 8, p]]);
  }
}

// SPDX-License-Identifier: GPL-2.0-only
// What the programs tests share: the recorded traces' log masks taken off
// PROG_LOAD, so that agreement can also be counted with every log byte and
// log_true_size compared. The corpus builders put the log window at
// LOG_BASE (prog_builder.ts), below LOG_END.

import { LOG_BASE, LOG_TRUE_SIZE_OFF } from "../../src/corpus/prog_builder.ts";
import type { Trace, TraceOp } from "../../src/trace/format.ts";

const PROG_LOAD = 5;
export const LOG_END = LOG_BASE + 0x10000000n;

export interface UnmaskOptions {
  /** A log mask to keep all the same (e.g. a kernel address no emulator can know). */
  keepMem?: (m: { addr: bigint; len: number }) => boolean;
  /** A PROG_LOAD whose masks stay as recorded (e.g. a stats log that prints the host's verification time). */
  keepOp?: (op: Extract<TraceOp, { op: "bpf" }>) => boolean;
}

/** The trace with the log masks (log window and log_true_size) of every PROG_LOAD removed, but for what `opts` keeps. */
export function unmaskLogs(t: Trace, opts: UnmaskOptions = {}): Trace {
  const ops = t.ops.map((op): TraceOp => {
    if (op.op !== "bpf" || !op.mask || op.cmd !== PROG_LOAD || opts.keepOp?.(op)) return op;
    const mem = (op.mask.mem ?? []).filter((m) => m.addr < LOG_BASE || m.addr >= LOG_END || (opts.keepMem?.(m) ?? false));
    const attr = (op.mask.attr ?? []).filter(([o]) => o !== LOG_TRUE_SIZE_OFF);
    const mask = { ...(op.mask.ret ? { ret: true } : {}), ...(mem.length ? { mem } : {}), ...(attr.length ? { attr } : {}) };
    const { mask: _m, ...rest } = op;
    return Object.keys(mask).length ? { ...rest, mask } : rest;
  });
  return { ...t, ops };
}

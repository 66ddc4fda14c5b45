// SPDX-License-Identifier: GPL-2.0-only
// The entry-path corpus: every command (and some unknown ones) at every size
// 0..8192, with a zero tail and with a non-zero last byte, attrs that end
// exactly at `size` or are cut at the union's size, and a sweep that sets one
// byte at each offset of the union. Each case is one bpf() call from a fresh
// state; the same cases run on the kernel (native/sweep.c) and the emulator.

import { Kernel } from "../kernel/kernel.ts";

export interface EntryCase {
  readonly cmd: number;
  readonly size: number;
  /** Bytes of attr the caller provides; everything above is unmapped. */
  readonly buflen: number;
  /** Offset of the one non-zero byte, or -1. */
  readonly off: number;
  readonly val: number;
  readonly family: "size-zero-tail" | "size-last-byte" | "size-short-buffer" | "byte-sweep";
}

export const UNKNOWN_CMDS: readonly number[] = [-1, 38, 39, 99, 0x7fffffff, -0x80000000];

export function entryCases(opts: { cmds?: readonly number[]; maxSize?: number; attrSize?: number; sizeStep?: number } = {}): EntryCase[] {
  const attrSize = opts.attrSize ?? 168;
  const cmds = opts.cmds ?? [...Array.from({ length: 38 }, (_, i) => i), ...UNKNOWN_CMDS];
  const maxSize = opts.maxSize ?? 8192;
  const step = opts.sizeStep ?? 1;
  const out: EntryCase[] = [];
  for (const cmd of cmds) {
    for (let size = 0; size <= maxSize; size += step) {
      out.push({ cmd, size, buflen: size, off: -1, val: 0, family: "size-zero-tail" });
      if (size > 0) out.push({ cmd, size, buflen: size, off: size - 1, val: 1, family: "size-last-byte" });
      // A caller whose buffer is only the union: sizes past it read unmapped memory.
      if (size > attrSize && size % 8 === 0) out.push({ cmd, size, buflen: attrSize, off: -1, val: 0, family: "size-short-buffer" });
    }
    if (cmd >= 0 && cmd < 38) {
      for (let off = 0; off < attrSize; off++) {
        out.push({ cmd, size: attrSize, buflen: attrSize, off, val: 1, family: "byte-sweep" });
        out.push({ cmd, size: attrSize, buflen: attrSize, off, val: 0xff, family: "byte-sweep" });
      }
    }
  }
  return out;
}

/** Runs cases on the emulator exactly as the native sweep does: fresh state per call, fds closed. */
export function runEntryCasesOnEmulator(cases: readonly EntryCase[]): { ret: number; reason: string }[] {
  const kernel = new Kernel();
  const t = kernel.spawn();
  const out: { ret: number; reason: string }[] = [];
  for (const c of cases) {
    const attr = new Uint8Array(c.buflen);
    if (c.off >= 0 && c.off < c.buflen) attr[c.off] = c.val;
    const r = t.sys_bpf(c.cmd, attr, c.size);
    out.push({ ret: r, reason: r < 0 ? (t.lastError?.reason ?? "") : "" });
    if (r > 2) t.close(r);
  }
  return out;
}

export function encodeSweepInput(cases: readonly EntryCase[]): string {
  return cases.map((c) => `${c.cmd} ${c.size} ${c.buflen} ${c.off} ${c.val}\n`).join("");
}

// SPDX-License-Identifier: GPL-2.0-only
// struct bpf_verifier_log (kernel/bpf/log.c): the user's log buffer written
// as the kernel writes it — rotating by default (the buffer keeps the tail
// and is rotated into place at the end), BPF_LOG_FIXED keeping the head —
// with resets that leave stale bytes behind a NUL, len_max for
// log_true_size, and -ENOSPC when the log did not fit.

import { EFAULT, ENOSPC } from "../abi/errno.ts";
import type { Task } from "./task.ts";
import { encodeUtf8 } from "../abi/text.ts";

export const BPF_LOG_LEVEL1 = 1;
export const BPF_LOG_LEVEL2 = 2;
export const BPF_LOG_STATS = 4;
export const BPF_LOG_FIXED = 8;

/**
 * The kernel formats each message into log->kbuf before copying it out; here
 * that is one buffer shared by every log (a write never re-enters another),
 * grown to the longest message seen instead of a new array per message.
 */
let scratch = new Uint8Array(1024);
/** A message longer than this gets a buffer of its own, so one huge line does not stay allocated. */
const SCRATCH_KEEP = 1 << 16;

function growScratch(n: number): Uint8Array {
  if (n > SCRATCH_KEEP) return new Uint8Array(n);
  let size = scratch.length;
  while (size < n) size *= 2;
  scratch = new Uint8Array(size);
  return scratch;
}

/** The one NUL bpf_vlog_reset() writes. Only ever read. */
const NUL = new Uint8Array(1);

export class VLog {
  readonly level: number;
  private ubuf: bigint;
  readonly len_total: number;
  start_pos = 0;
  end_pos = 0;
  len_max = 0;
  private readonly t: Task;

  constructor(t: Task, level: number, ubuf: bigint, len_total: number) {
    this.t = t;
    this.level = level;
    this.ubuf = ubuf;
    this.len_total = len_total;
  }

  /** bpf_verifier_log_needed() */
  get needed(): boolean {
    return this.level !== 0;
  }

  /**
   * copy_to_user of buf[from, to) at ubuf + off. The address is a number
   * (exact below 2^53; a pointer above that is far past TASK_SIZE_MAX and
   * faults either way), so a write does no BigInt arithmetic.
   */
  private put(off: number, buf: Uint8Array, from: number, to: number): boolean {
    if (to === from) return true;
    return this.t.memory.copyOutAt(Number(this.ubuf) + off, buf.subarray(from, to)) === 0;
  }

  /**
   * bpf_verifier_vlog() of one formatted message. Most messages are ASCII:
   * their bytes are the char codes, written straight into the shared scratch
   * buffer; the first char above 0x7f sends the whole message through the
   * UTF-8 encoder instead (which also throws, as before, on a lone surrogate).
   */
  write(s: string): void {
    if (this.level === 0) return;
    const len = s.length;
    const buf = len < scratch.length ? scratch : growScratch(len + 1);
    for (let i = 0; i < len; i++) {
      const c = s.charCodeAt(i);
      if (c > 0x7f) {
        this.writeBytes(encodeUtf8(s));
        return;
      }
      buf[i] = c;
    }
    buf[len] = 0;
    this.emit(buf, len + 1);
  }

  /** bpf_verifier_vlog() of a message given as bytes (BTF names are raw bytes, not UTF-8). */
  writeBytes(msg: Uint8Array): void {
    if (this.level === 0) return;
    const len = msg.length;
    const buf = len < scratch.length ? scratch : growScratch(len + 1);
    buf.set(msg);
    buf[len] = 0;
    this.emit(buf, len + 1);
  }

  /**
   * The body of bpf_verifier_vlog() once the message is formatted: kbuf[0, n)
   * is the message and its NUL (the kernel's vsnprintf into log->kbuf). kbuf
   * is scratch, so it may be changed here (the fixed log's cut NUL).
   */
  private emit(kbuf: Uint8Array, n: number): void {
    // bpf_vlog_update_len_max()
    const len = this.end_pos + n;
    if (len > this.len_max) this.len_max = Math.min(len, 0xffffffff);
    if (this.level & BPF_LOG_FIXED) {
      let new_n = 0;
      if (this.end_pos < this.len_total) {
        new_n = Math.min(this.len_total - this.end_pos, n);
        kbuf[new_n - 1] = 0;
      }
      const cur = this.end_pos;
      this.end_pos += n - 1;
      if (this.ubuf !== 0n && new_n && !this.put(cur, kbuf, 0, new_n)) this.ubuf = 0n;
      return;
    }
    const new_end = this.end_pos + n;
    const new_start = new_end - this.start_pos >= this.len_total ? new_end - this.len_total : this.start_pos;
    this.start_pos = new_start;
    this.end_pos = new_end - 1;
    if (this.ubuf === 0n) return;
    const new_n = Math.min(n, this.len_total);
    const cur = new_end - new_n;
    const buf_start = cur % this.len_total;
    let buf_end = new_end % this.len_total;
    if (buf_end === 0) buf_end = this.len_total;
    let ok: boolean;
    if (buf_start < buf_end) ok = this.put(buf_start, kbuf, n - new_n, n - new_n + (buf_end - buf_start));
    else ok = this.put(buf_start, kbuf, n - new_n, n - new_n + (this.len_total - buf_start)) && this.put(0, kbuf, n - buf_end, n);
    if (!ok) this.ubuf = 0n;
  }

  /** bpf_vlog_reset(): back to an earlier position, with a NUL written there. */
  reset(new_pos: number): void {
    if (new_pos > this.end_pos) return;
    if (!this.needed) return;
    this.end_pos = new_pos;
    if (this.end_pos < this.start_pos) this.start_pos = this.end_pos;
    if (this.ubuf === 0n) return;
    const pos = this.level & BPF_LOG_FIXED ? this.end_pos + 1 : new_pos % this.len_total;
    if (pos < this.len_total && !this.put(pos, NUL, 0, 1)) this.ubuf = 0n;
  }

  /** bpf_vlog_finalize(): rotate a wrapped buffer into place; the true size and -ENOSPC/-EFAULT. */
  finalize(): { err: number; true_size: number } {
    if (this.level === 0) return { err: 0, true_size: 0 };
    if (this.ubuf !== 0n && this.start_pos !== 0) {
      const buf = new Uint8Array(this.len_total);
      if (this.t.memory.copyIn(buf, this.ubuf, this.len_total) !== 0) this.ubuf = 0n;
      else {
        const shift = this.start_pos % this.len_total;
        const out = new Uint8Array(this.len_total);
        out.set(buf.subarray(shift), 0);
        out.set(buf.subarray(0, shift), this.len_total - shift);
        if (!this.put(0, out, 0, out.length)) this.ubuf = 0n;
      }
    }
    const true_size = this.len_max;
    if ((this.ubuf !== 0n) !== (this.len_total !== 0)) return { err: -EFAULT, true_size };
    if (this.ubuf !== 0n && this.len_max > this.len_total) return { err: -ENOSPC, true_size };
    return { err: 0, true_size };
  }
}

// SPDX-License-Identifier: GPL-2.0-only
// An emulated user address space, page-granular like the real one, so that a
// pointer inside an attr faults (EFAULT) exactly where the kernel's access
// would. Pages are allocated lazily on first touch of a mapped range.

import { EFAULT } from "./errno.ts";

export const PAGE_SIZE = 4096;
const PAGE_SHIFT = 12n;
/** x86-64 TASK_SIZE_MAX: user pointers at or above it fail access_ok(). */
export const TASK_SIZE_MAX = 0x7ffffffff000n;

/**
 * The attr passed to sys_bpf is modelled as ending exactly at this page
 * boundary, with the page above it unmapped: bytes past attr.byteLength fault.
 * The native runner places it at the same address, so word-granular reads
 * (check_zeroed_user) see the same alignment on both sides.
 */
export const ATTR_END = 0x7ff000100000n;

interface Overlay {
  start: bigint;
  end: bigint;
  bytes: Uint8Array;
}

export class AddressSpace {
  /** page number -> page bytes; a mapped page that was never touched holds `null` until written. */
  private readonly pages = new Map<number, Uint8Array | null>();
  private overlay: Overlay | null = null;
  private static readonly ZERO_PAGE = new Uint8Array(PAGE_SIZE);

  /** mmap(addr, length, PROT_READ|PROT_WRITE, MAP_FIXED|MAP_ANONYMOUS): zero-filled, page-rounded. */
  map(addr: bigint, length: number): void {
    if (addr < 0n || addr % BigInt(PAGE_SIZE) !== 0n) throw new RangeError(`map: address 0x${addr.toString(16)} is not page-aligned`);
    if (!Number.isInteger(length) || length <= 0) throw new RangeError(`map: bad length ${length}`);
    if (addr + BigInt(length) > TASK_SIZE_MAX) throw new RangeError("map: range is above TASK_SIZE_MAX");
    const first = Number(addr >> PAGE_SHIFT);
    const n = Math.ceil(length / PAGE_SIZE);
    for (let p = first; p < first + n; p++) this.pages.set(p, null);
  }

  /** munmap */
  unmap(addr: bigint, length: number): void {
    const first = Number(addr >> PAGE_SHIFT);
    const n = Math.ceil(length / PAGE_SIZE);
    for (let p = first; p < first + n; p++) this.pages.delete(p);
  }

  isMapped(addr: bigint): boolean {
    return this.pageOf(addr, false) !== undefined;
  }

  /** Public API write: throws RangeError on unmapped memory (API misuse, not a syscall result). */
  write(addr: bigint, bytes: Uint8Array): void {
    if (this.copyOut(addr, bytes) !== 0) throw new RangeError(`write: 0x${addr.toString(16)}+${bytes.length} is not mapped`);
  }

  /** Public API read: throws RangeError on unmapped memory. */
  read(addr: bigint, length: number): Uint8Array {
    const out = new Uint8Array(length);
    if (this.copyIn(out, addr, length) !== 0) throw new RangeError(`read: 0x${addr.toString(16)}+${length} is not mapped`);
    return out;
  }

  /** Lists mapped ranges (merged), for tools that snapshot memory. */
  ranges(): { addr: bigint; length: number }[] {
    const keys = [...this.pages.keys()].sort((a, b) => a - b);
    const out: { addr: bigint; length: number }[] = [];
    for (const p of keys) {
      const last = out[out.length - 1];
      if (last && Number(last.addr >> PAGE_SHIFT) + last.length / PAGE_SIZE === p) last.length += PAGE_SIZE;
      else out.push({ addr: BigInt(p) << PAGE_SHIFT, length: PAGE_SIZE });
    }
    return out;
  }

  /** Installs the caller's attr buffer at [ATTR_END - len, ATTR_END) for the duration of one call. */
  setOverlay(bytes: Uint8Array | null): bigint {
    if (bytes === null) {
      this.overlay = null;
      return 0n;
    }
    const start = ATTR_END - BigInt(bytes.length);
    this.overlay = { start, end: ATTR_END, bytes };
    return start;
  }

  // --- kernel side: these return 0 or -EFAULT and never throw ---

  /**
   * copy_from_user: copies `len` bytes at `addr` into dst. Returns 0, or
   * -EFAULT when any byte is unmapped (the bytes before the fault are copied,
   * as the kernel's byte-wise fallback does; the rest of dst is left as is).
   */
  copyIn(dst: Uint8Array, addr: bigint, len: number, dstOff = 0): number {
    if (len === 0) return 0;
    if (addr < 0n || addr + BigInt(len) > TASK_SIZE_MAX) return -EFAULT;
    let done = 0;
    while (done < len) {
      const a = addr + BigInt(done);
      const ov = this.overlay;
      if (ov !== null && a >= ov.start && a < ov.end) {
        const off = Number(a - ov.start);
        const n = Math.min(len - done, ov.bytes.length - off);
        dst.set(ov.bytes.subarray(off, off + n), dstOff + done);
        done += n;
        continue;
      }
      const page = this.pageOf(a, false);
      if (page === undefined) return -EFAULT;
      const inPage = Number(a & 0xfffn);
      let n = Math.min(len - done, PAGE_SIZE - inPage);
      if (ov !== null && a < ov.start && a + BigInt(n) > ov.start) n = Number(ov.start - a);
      dst.set((page ?? AddressSpace.ZERO_PAGE).subarray(inPage, inPage + n), dstOff + done);
      done += n;
    }
    return 0;
  }

  /** copy_to_user: writes src at addr; bytes before a fault land, then -EFAULT. */
  copyOut(addr: bigint, src: Uint8Array): number {
    const len = src.length;
    if (len === 0) return 0;
    if (addr < 0n || addr + BigInt(len) > TASK_SIZE_MAX) return -EFAULT;
    let done = 0;
    while (done < len) {
      const a = addr + BigInt(done);
      const ov = this.overlay;
      if (ov !== null && a >= ov.start && a < ov.end) {
        const off = Number(a - ov.start);
        const n = Math.min(len - done, ov.bytes.length - off);
        ov.bytes.set(src.subarray(done, done + n), off);
        done += n;
        continue;
      }
      const page = this.pageOf(a, true);
      if (page === undefined || page === null) return -EFAULT;
      const inPage = Number(a & 0xfffn);
      let n = Math.min(len - done, PAGE_SIZE - inPage);
      if (ov !== null && a < ov.start && a + BigInt(n) > ov.start) n = Number(ov.start - a);
      page.set(src.subarray(done, done + n), inPage);
      done += n;
    }
    return 0;
  }

  /** clear_user / zero-fill of a user range. */
  clear(addr: bigint, len: number): number {
    return this.copyOut(addr, new Uint8Array(len));
  }

  /**
   * check_zeroed_user (lib/usercopy.c): reads aligned 8-byte words and stops
   * at the first non-zero one. Returns 1 when all zero, 0 when not, -EFAULT
   * when a word it reads is unmapped. The early exit matters: a non-zero byte
   * before an unmapped page gives E2BIG, not EFAULT.
   */
  checkZeroed(addr: bigint, size: number): number {
    if (size === 0) return 1;
    if (addr < 0n || addr + BigInt(size) > TASK_SIZE_MAX) return -EFAULT;
    const align = Number(addr & 7n);
    let from = addr - BigInt(align);
    let remain = size + align;
    const word = new Uint8Array(8);
    let first = true;
    for (;;) {
      if (this.copyIn(word, from, 8) !== 0) return -EFAULT;
      if (first && align > 0) word.fill(0, 0, align);
      first = false;
      if (remain > 8) {
        if (anyNonZero(word, 8)) return 0;
        from += 8n;
        remain -= 8;
        continue;
      }
      // Last word: only the first `remain` bytes belong to the range.
      return anyNonZero(word, remain) ? 0 : 1;
    }
  }

  /**
   * strncpy_from_user: copies up to `count` bytes, stopping after a NUL.
   * Returns the string length (without NUL) when a NUL was found, `count` when
   * none was, or -EFAULT when a byte before that is unmapped.
   */
  strncpyFromUser(dst: Uint8Array, addr: bigint, count: number): number {
    const one = new Uint8Array(1);
    for (let i = 0; i < count; i++) {
      if (this.copyIn(one, addr + BigInt(i), 1) !== 0) return -EFAULT;
      dst[i] = one[0]!;
      if (one[0] === 0) return i;
    }
    return count;
  }

  private pageOf(addr: bigint, forWrite: boolean): Uint8Array | null | undefined {
    const ov = this.overlay;
    if (ov !== null && addr < ov.end && addr >= ((ov.start >> PAGE_SHIFT) << PAGE_SHIFT)) {
      // The part of the attr's first page below the attr itself: mapped, reads as zero.
      if (!forWrite) return null;
    }
    const p = Number(addr >> PAGE_SHIFT);
    const page = this.pages.get(p);
    if (page === undefined) return undefined;
    if (page === null && forWrite) {
      const fresh = new Uint8Array(PAGE_SIZE);
      this.pages.set(p, fresh);
      return fresh;
    }
    return page;
  }
}

function anyNonZero(b: Uint8Array, n: number): boolean {
  for (let i = 0; i < n; i++) if (b[i] !== 0) return true;
  return false;
}

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
  /** Where the last checkZeroed() that answered 0 saw its first non-zero byte (for diagnostics). */
  lastNonZero = -1;
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
    const a = Number(addr);
    return this.pageOfNum(Math.floor(a / PAGE_SIZE), a, false) !== undefined;
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
  // Addresses are below 2^47, so plain numbers hold them exactly; the
  // arithmetic below stays in numbers for speed.

  /** The bytes that back [a, a + n) if they are contiguous in one page or in the attr, else null. */
  private span(a: number, n: number, forWrite: boolean): { buf: Uint8Array; off: number } | null | undefined {
    const ov = this.overlay;
    if (ov !== null) {
      const os = Number(ov.start);
      const oe = Number(ov.end);
      if (a >= os && a + n <= oe) return { buf: ov.bytes, off: a - os };
      if (a < oe && a + n > os) return null; // straddles the attr's edge: take the slow path
    }
    const p = Math.floor(a / PAGE_SIZE);
    const inPage = a - p * PAGE_SIZE;
    if (inPage + n > PAGE_SIZE) return null;
    const page = this.pageOfNum(p, a, forWrite);
    if (page === undefined) return undefined;
    return { buf: page ?? AddressSpace.ZERO_PAGE, off: inPage };
  }

  /**
   * copy_from_user: copies `len` bytes at `addr` into dst. Returns 0, or
   * -EFAULT when any byte is unmapped (the bytes before the fault are copied,
   * as the kernel's byte-wise fallback does; the rest of dst is left as is).
   */
  copyIn(dst: Uint8Array, addr: bigint, len: number, dstOff = 0): number {
    if (len === 0) return 0;
    if (addr < 0n || addr + BigInt(len) > TASK_SIZE_MAX) return -EFAULT;
    const a0 = Number(addr);
    const fast = this.span(a0, len, false);
    if (fast) {
      dst.set(fast.buf.subarray(fast.off, fast.off + len), dstOff);
      return 0;
    }
    if (fast === undefined) return -EFAULT;
    let done = 0;
    while (done < len) {
      const a = a0 + done;
      const n = this.chunk(a, len - done);
      const sp = this.span(a, n, false);
      if (!sp) return -EFAULT;
      dst.set(sp.buf.subarray(sp.off, sp.off + n), dstOff + done);
      done += n;
    }
    return 0;
  }

  /** copy_to_user: writes src at addr; bytes before a fault land, then -EFAULT. */
  copyOut(addr: bigint, src: Uint8Array): number {
    const len = src.length;
    if (len === 0) return 0;
    if (addr < 0n || addr + BigInt(len) > TASK_SIZE_MAX) return -EFAULT;
    const a0 = Number(addr);
    let done = 0;
    while (done < len) {
      const a = a0 + done;
      const n = this.chunk(a, len - done);
      const sp = this.span(a, n, true);
      if (!sp || sp.buf === AddressSpace.ZERO_PAGE) return -EFAULT;
      sp.buf.set(src.subarray(done, done + n), sp.off);
      done += n;
    }
    return 0;
  }

  /** The largest run from `a` that stays inside one page and on one side of the attr's edges. */
  private chunk(a: number, want: number): number {
    let n = Math.min(want, PAGE_SIZE - (a % PAGE_SIZE));
    const ov = this.overlay;
    if (ov !== null) {
      const os = Number(ov.start);
      const oe = Number(ov.end);
      if (a < os && a + n > os) n = os - a;
      else if (a >= os && a < oe && a + n > oe) n = oe - a;
    }
    return n;
  }

  /** clear_user / zero-fill of a user range. */
  clear(addr: bigint, len: number): number {
    return this.copyOut(addr, new Uint8Array(len));
  }

  /**
   * check_zeroed_user (lib/usercopy.c): reads aligned 8-byte words and stops
   * at the first non-zero one. Returns 1 when all zero, 0 when not, -EFAULT
   * when a word it reads is unmapped. The early exit matters: a non-zero byte
   * before an unmapped page gives E2BIG, not EFAULT. Equivalently: scan the
   * bytes up to the aligned word that holds the first unmapped byte.
   */
  checkZeroed(addr: bigint, size: number): number {
    if (size === 0) return 1;
    if (addr < 0n || addr + BigInt(size) > TASK_SIZE_MAX) return -EFAULT;
    const a0 = Number(addr);
    const end = a0 + size;
    let a = a0;
    while (a < end) {
      const n = this.chunk(a, end - a);
      const sp = this.span(a, n, false);
      if (!sp) {
        // The faulting word starts at the 8-byte boundary at or below `a`; the
        // bytes of that word before `a` (inside the range) are never examined.
        return -EFAULT;
      }
      const b = sp.buf;
      if (b !== AddressSpace.ZERO_PAGE) {
        // Words never cross pages, so the word holding a non-zero byte is mapped and read before any fault.
        for (let i = sp.off, e = sp.off + n; i < e; i++)
          if (b[i] !== 0) {
            this.lastNonZero = a + (i - sp.off);
            return 0;
          }
      }
      a += n;
    }
    return 1;
  }

  /**
   * strncpy_from_user: copies up to `count` bytes, stopping after a NUL.
   * Returns the string length (without NUL) when a NUL was found, `count` when
   * none was, or -EFAULT when a byte before that is unmapped.
   */
  strncpyFromUser(dst: Uint8Array, addr: bigint, count: number): number {
    if (addr < 0n) return -EFAULT;
    const a0 = Number(addr);
    let i = 0;
    while (i < count) {
      const n = this.chunk(a0 + i, count - i);
      const sp = this.span(a0 + i, n, false);
      if (!sp) return -EFAULT;
      for (let j = 0; j < n; j++) {
        const ch = sp.buf[sp.off + j]!;
        dst[i + j] = ch;
        if (ch === 0) return i + j;
      }
      i += n;
    }
    return count;
  }

  private pageOfNum(p: number, a: number, forWrite: boolean): Uint8Array | null | undefined {
    const ov = this.overlay;
    if (ov !== null && a < Number(ov.end) && a >= Math.floor(Number(ov.start) / PAGE_SIZE) * PAGE_SIZE) {
      // The part of the attr's first page below the attr itself: mapped, reads as zero.
      if (!forWrite) return null;
    }
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

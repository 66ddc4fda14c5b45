// SPDX-License-Identifier: GPL-2.0-only
// An emulated user address space, page-granular like the real one, so that a
// pointer inside an attr faults (EFAULT) exactly where the kernel's access
// would. Pages are allocated lazily on first touch of a mapped range.

import { EFAULT } from "./errno.ts";
import { firstNonZeroIn } from "./bytes.ts";
import type { Attr } from "./attr.ts";

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

const TASK_SIZE_MAX_NUM = Number(TASK_SIZE_MAX);

/**
 * The address of the attr sys_bpf() installed (ATTR_END - its length), as the
 * entry passes it on: the number itself (about 1.4e14) is not a small
 * integer to V8, and passing it to a function that is not inlined allocates
 * a HeapNumber per call.
 */
export const UA_OVERLAY = -1;
/** AddressSpace.fastBase when no page is cached: far enough below 0 that no address is within a page of it. */
const NO_FAST_BASE = -1e18;
const ATTR_END_NUM = Number(ATTR_END);

/**
 * uattr for an attr of each length, made once: BigInt arithmetic allocates,
 * and the syscall boundary would otherwise pay for it on every call.
 */
const uattrByLen: bigint[] = [];
export function uattrFor(len: number): bigint {
  let u = uattrByLen[len];
  if (u === undefined) {
    u = ATTR_END - BigInt(len);
    if (len <= 1 << 16) uattrByLen[len] = u;
  }
  return u;
}

export class AddressSpace {
  private static readonly ZERO_PAGE = new Uint8Array(PAGE_SIZE);
  private static readonly ZERO_WORDS = new Int32Array(AddressSpace.ZERO_PAGE.buffer);
  /** page number -> page bytes; a mapped page that was never touched holds `null` until written. */
  private readonly pages = new Map<number, Uint8Array | null>();
  /** Each written page's bytes as 4-byte words (the same buffer), made with the page, for pinWords. */
  private readonly pageWords = new Map<number, Int32Array>();
  /** One-entry cache of `pages` (most calls touch one key/value page over and over); -1 = empty. */
  private cachedPageNum = -1;
  private cachedPage: Uint8Array | null = null;
  /**
   * span()'s fast path: the last page span() found written, by its start
   * address, so that a key or value access is one subtraction and two
   * compares. Only a page with bytes (never an untouched one) and never one
   * the installed attr overlaps; setOverlay, map and unmap drop it.
   */
  private fastBase = NO_FAST_BASE;
  /**
   * fastBase as the two u32 halves of the address (int32 bits), for pin():
   * a pointer read from an attr as two words is checked against them without
   * ever becoming a double. fastLo is a page start, so the sentinel 1 never
   * matches.
   */
  private fastHi = 0;
  private fastLo = 1;
  private fastPage: Uint8Array = AddressSpace.ZERO_PAGE;
  private fastWords: Int32Array = AddressSpace.ZERO_WORDS;
  /**
   * The caller's attr while a call runs: [ovStart, ATTR_END) backed by
   * ovBytes; ovPageStart is the page boundary at or below ovStart (the rest
   * of that page reads as zero). Plain numbers, no per-call object.
   */
  private ovBytes: Uint8Array | null = null;
  private ovStart = 0;
  private ovPageStart = 0;
  /**
   * The installed attr's whole 4-byte words, when it is 4-aligned, for the
   * entry's copy of it (copyAttrAt). Made the second time in a row the same
   * array is installed (a caller reusing its attr buffer, as loops do), so a
   * caller that passes a fresh array each call pays for no view.
   */
  private ov32: Int32Array | null = null;
  private ovPrev: Uint8Array | null = null;
  private ovPrev32: Int32Array | null = null;
  /** The buffer behind the last successful span() (out-parameter, so span() allocates nothing). */
  private spanBuf: Uint8Array = AddressSpace.ZERO_PAGE;
  /** Where the last checkZeroed() that answered 0 saw its first non-zero byte (for diagnostics). */
  lastNonZero = -1;
  /** The same as an offset in the installed attr, for checkZeroedOverlay(). */
  lastNonZeroRel = -1;
  /**
   * The kernel's copy of the attr (__sys_bpf's `attr` on the stack) with its
   * DataView, made on this task's first call and reused by the next ones, so
   * that a call allocates no buffer. `kattrBusy` is set while a call uses it:
   * a nested call would get a fresh copy instead.
   */
  kattr: Attr | null = null;
  kattrBusy = false;

  /** mmap(addr, length, PROT_READ|PROT_WRITE, MAP_FIXED|MAP_ANONYMOUS): zero-filled, page-rounded. */
  map(addr: bigint, length: number): void {
    if (addr < 0n || addr % BigInt(PAGE_SIZE) !== 0n) throw new RangeError(`map: address 0x${addr.toString(16)} is not page-aligned`);
    if (!Number.isInteger(length) || length <= 0) throw new RangeError(`map: bad length ${length}`);
    if (addr + BigInt(length) > TASK_SIZE_MAX) throw new RangeError("map: range is above TASK_SIZE_MAX");
    const first = Number(addr >> PAGE_SHIFT);
    const n = Math.ceil(length / PAGE_SIZE);
    for (let p = first; p < first + n; p++) {
      this.pages.set(p, null);
      this.pageWords.delete(p);
    }
    this.cachedPageNum = -1;
    this.fastBase = NO_FAST_BASE;
    this.fastLo = 1;
  }

  /** munmap */
  unmap(addr: bigint, length: number): void {
    const first = Number(addr >> PAGE_SHIFT);
    const n = Math.ceil(length / PAGE_SIZE);
    for (let p = first; p < first + n; p++) {
      this.pages.delete(p);
      this.pageWords.delete(p);
    }
    this.cachedPageNum = -1;
    this.fastBase = NO_FAST_BASE;
    this.fastLo = 1;
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
      this.ovBytes = null;
      this.ov32 = null;
      return 0n;
    }
    const start = ATTR_END_NUM - bytes.length;
    if (bytes === this.ovPrev) {
      const w = this.ovPrev32;
      if (w === null || w.length !== bytes.length >> 2) this.ovPrev32 = (bytes.byteOffset & 3) === 0 ? new Int32Array(bytes.buffer, bytes.byteOffset, bytes.length >> 2) : null;
    } else {
      this.ovPrev = bytes;
      this.ovPrev32 = null;
    }
    this.ov32 = this.ovPrev32;
    this.ovBytes = bytes;
    this.ovStart = start;
    // ATTR_END is page-aligned, so the attr's first page starts this many whole pages below it (no fmod on a double).
    const ps = ATTR_END_NUM - ((bytes.length + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1));
    this.ovPageStart = ps;
    if (this.fastBase + PAGE_SIZE > ps && this.fastBase < ATTR_END_NUM) {
      this.fastBase = NO_FAST_BASE;
      this.fastLo = 1;
    }
    return uattrFor(bytes.length);
  }

  /** Where the installed attr starts (ATTR_END - its length), as a number. */
  get overlayStart(): number {
    return this.ovStart;
  }

  // --- kernel side: these return 0 or -EFAULT and never throw ---
  // Addresses are below 2^47, so plain numbers hold them exactly; a u64
  // above that converts to a number that is still above TASK_SIZE_MAX, so the
  // range checks stay right. Nothing here allocates on the success path.

  /**
   * Finds the bytes that back [a, a + n) when they are contiguous in one page
   * or in the attr: returns the offset and leaves the buffer in spanBuf.
   * -1: not contiguous (take the chunked path); -2: unmapped.
   */
  private span(a: number, n: number, forWrite: boolean): number {
    const d = a - this.fastBase;
    if (d >= 0 && d + n <= PAGE_SIZE) {
      this.spanBuf = this.fastPage;
      return d | 0;
    }
    const ov = this.ovBytes;
    if (ov !== null) {
      const os = this.ovStart;
      if (a >= os && a + n <= ATTR_END_NUM) {
        this.spanBuf = ov;
        // Offsets are made int32 (`| 0`) where they come from address
        // arithmetic: addresses are doubles above 2^31, and an index left a
        // double makes every typed-array access in the copy loops convert it.
        return (a - os) | 0;
      }
      if (a < ATTR_END_NUM && a + n > os) return -1; // straddles the attr's edge
    }
    const p = Math.floor(a / PAGE_SIZE);
    const inPage = (a - p * PAGE_SIZE) | 0;
    if (inPage + n > PAGE_SIZE) return -1;
    const page = this.pageOfNum(p, a, forWrite);
    if (page === undefined) return -2;
    if (page === null) {
      this.spanBuf = AddressSpace.ZERO_PAGE;
      return inPage;
    }
    this.spanBuf = page;
    const base = p * PAGE_SIZE;
    if (ov === null || base + PAGE_SIZE <= this.ovPageStart || base >= ATTR_END_NUM) {
      this.fastBase = base;
      this.fastHi = Math.floor(base / 4294967296) | 0;
      this.fastLo = base | 0;
      this.fastPage = page;
      this.fastWords = this.pageWords.get(p) ?? AddressSpace.ZERO_WORDS;
    }
    return inPage;
  }

  /** The buffer behind the last successful pin(). */
  pinBuf: Uint8Array = AddressSpace.ZERO_PAGE;
  /**
   * pinBuf as 4-byte words (the same bytes): a caller whose offset is a
   * multiple of 4 reads or writes whole words, one access instead of four.
   */
  pinWords: Int32Array = AddressSpace.ZERO_WORDS;

  /**
   * The bytes behind [lo + hi * 2^32, + n) (a u64 user pointer as the two
   * int32 words of the attr) for the kernel fast path (kernel/fastpath.ts),
   * which copies straight between user pages and map storage: the offset of
   * the range in pinBuf, or -1 when it is not inside one mapped page (for a
   * write: one with bytes; untouched pages get theirs) or when a call's attr
   * is installed. -1 sends the call down the generic path, which then faults
   * or copies chunk by chunk exactly as before; nothing here fails a call.
   * The page of the last access is checked on the words, so a pointer never
   * becomes a double (a heap number when not inlined).
   */
  pin(lo: number, hi: number, n: number, forWrite: boolean): number {
    const inPage = lo & (PAGE_SIZE - 1);
    if (hi === this.fastHi && (lo & ~(PAGE_SIZE - 1)) === this.fastLo && inPage + n <= PAGE_SIZE) {
      this.pinBuf = this.fastPage;
      this.pinWords = this.fastWords;
      return inPage;
    }
    return this.pinSlow(lo, hi, n, forWrite);
  }

  private pinSlow(lo: number, hi: number, n: number, forWrite: boolean): number {
    const a = (hi >>> 0) * 4294967296 + (lo >>> 0);
    if (this.ovBytes !== null || a + n > TASK_SIZE_MAX_NUM) return -1;
    const off = this.span(a, n, forWrite);
    if (off < 0) return -1;
    const buf = this.spanBuf;
    if (forWrite && buf === AddressSpace.ZERO_PAGE) return -1;
    // With no attr installed, span() leaves a written page as the fast page, or answers with the zero page.
    if (buf === this.fastPage) this.pinWords = this.fastWords;
    else if (buf === AddressSpace.ZERO_PAGE) this.pinWords = AddressSpace.ZERO_WORDS;
    else return -1;
    this.pinBuf = buf;
    return off;
  }

  /**
   * copy_from_user: copies `len` bytes at `addr` into dst. Returns 0, or
   * -EFAULT when any byte is unmapped (the bytes before the fault are copied,
   * as the kernel's byte-wise fallback does; the rest of dst is left as is).
   */
  copyIn(dst: Uint8Array, addr: bigint, len: number, dstOff = 0): number {
    return this.copyInAt(dst, Number(addr), len, dstOff);
  }

  /** copyIn() with the address as a number: Number(bigint) costs ~20 ns, which the entry path saves. */
  copyInAt(dst: Uint8Array, a0: number, len: number, dstOff = 0): number {
    // The page of the last key or value (see fastBase): small enough to be inlined into its callers.
    const d = a0 - this.fastBase;
    if (d >= 0 && d + len <= PAGE_SIZE) {
      copyBytes(dst, dstOff, this.fastPage, d | 0, len);
      return 0;
    }
    return this.copyInSlow(dst, a0, len, dstOff);
  }

  private copyInSlow(dst: Uint8Array, a0: number, len: number, dstOff: number): number {
    if (len === 0) return 0;
    if (a0 < 0 || a0 + len > TASK_SIZE_MAX_NUM) return -EFAULT;
    const off = this.span(a0, len, false);
    if (off >= 0) {
      copyBytes(dst, dstOff, this.spanBuf, off, len);
      return 0;
    }
    if (off === -2) return -EFAULT;
    let done = 0;
    while (done < len) {
      const a = a0 + done;
      const n = this.chunk(a, len - done);
      const o = this.span(a, n, false);
      if (o < 0) return -EFAULT;
      copyBytes(dst, dstOff + done, this.spanBuf, o, n);
      done += n;
    }
    return 0;
  }

  /**
   * copyInAt() of the attr itself into the kernel's copy (dst, with dst32 its
   * words): when the range is inside the installed attr at a word boundary,
   * a word at a time (TypedArray.set() costs ~25 ns whatever the length, a
   * byte loop ~1 ns a byte); otherwise copyInAt().
   */
  copyAttrAt(dst: Uint8Array, dst32: Int32Array, a0: number, len: number): number {
    if (a0 === UA_OVERLAY) {
      // The installed attr from its start: all of it is there unless the size runs past ATTR_END (then the generic copy faults).
      const ov = this.ovBytes;
      if (ov === null) return -EFAULT;
      if (len > ov.length) return this.copyInAt(dst, this.ovStart, len);
      const w0 = this.ov32;
      const n = len >> 2;
      if (w0 === null || n > dst32.length) {
        copyBytes(dst, 0, ov, 0, len);
        return 0;
      }
      for (let i = 0; i < n; i++) dst32[i] = w0[i]!;
      for (let i = n << 2; i < len; i++) dst[i] = ov[i]!;
      return 0;
    }
    const w = this.ov32;
    if (w !== null) {
      const d = a0 - this.ovStart;
      const n = len >> 2;
      if (d >= 0 && a0 + len <= ATTR_END_NUM && n <= dst32.length && (d & 3) === 0) {
        const rel = d | 0;
        const s0 = rel >> 2;
        for (let i = 0; i < n; i++) dst32[i] = w[s0 + i]!;
        if (len & 3) {
          const ov = this.ovBytes!;
          for (let i = n << 2; i < len; i++) dst[i] = ov[rel + i]!;
        }
        return 0;
      }
    }
    return this.copyInAt(dst, a0, len);
  }

  /** copy_to_user: writes src at addr; bytes before a fault land, then -EFAULT. */
  copyOut(addr: bigint, src: Uint8Array): number {
    return this.copyOutAt(Number(addr), src);
  }

  /** copyOut() with the address as a number (see Attr.ptrAt). */
  copyOutAt(a0: number, src: Uint8Array): number {
    const len = src.length;
    const d = a0 - this.fastBase;
    if (d >= 0 && d + len <= PAGE_SIZE) {
      copyBytes(this.fastPage, d | 0, src, 0, len);
      return 0;
    }
    return this.copyOutSlow(a0, src, len);
  }

  private copyOutSlow(a0: number, src: Uint8Array, len: number): number {
    if (len === 0) return 0;
    if (a0 < 0 || a0 + len > TASK_SIZE_MAX_NUM) return -EFAULT;
    // One page or all inside the attr (a value, a key): one span, as the loop's first and only chunk would be.
    const off = this.span(a0, len, true);
    if (off >= 0) {
      const buf = this.spanBuf;
      if (buf === AddressSpace.ZERO_PAGE) return -EFAULT;
      copyBytes(buf, off, src, 0, len);
      return 0;
    }
    if (off === -2) return -EFAULT;
    let done = 0;
    while (done < len) {
      const a = a0 + done;
      const n = this.chunk(a, len - done);
      const o = this.span(a, n, true);
      if (o < 0) return -EFAULT;
      const buf = this.spanBuf;
      if (buf === AddressSpace.ZERO_PAGE) return -EFAULT;
      copyBytes(buf, o, src, done, n);
      done += n;
    }
    return 0;
  }

  /** The largest run from `a` that stays inside one page and on one side of the attr's edges. */
  private chunk(a: number, want: number): number {
    let n = Math.min(want, PAGE_SIZE - (a - Math.floor(a / PAGE_SIZE) * PAGE_SIZE));
    if (this.ovBytes !== null) {
      const os = this.ovStart;
      if (a < os && a + n > os) n = os - a;
      else if (a >= os && a < ATTR_END_NUM && a + n > ATTR_END_NUM) n = ATTR_END_NUM - a;
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
    return this.checkZeroedAt(Number(addr), size);
  }

  /** checkZeroed() with the address as a number (no BigInt arithmetic for the caller). */
  checkZeroedAt(a0: number, size: number): number {
    if (size === 0) return 1;
    if (a0 < 0 || a0 + size > TASK_SIZE_MAX_NUM) return -EFAULT;
    const end = a0 + size;
    const ov = this.ovBytes;
    if (ov !== null && a0 >= this.ovStart && end <= ATTR_END_NUM) {
      // All inside the caller's attr (the tail past sizeof(union bpf_attr)): one plain scan.
      const i = firstNonZeroIn(ov, this.ov32, (a0 - this.ovStart) | 0, (end - this.ovStart) | 0);
      if (i < 0) return 1;
      this.lastNonZero = this.ovStart + i;
      return 0;
    }
    let a = a0;
    while (a < end) {
      const n = this.chunk(a, end - a);
      const off = this.span(a, n, false);
      if (off < 0) {
        // The faulting word starts at the 8-byte boundary at or below `a`; the
        // bytes of that word before `a` (inside the range) are never examined.
        return -EFAULT;
      }
      const b = this.spanBuf;
      if (b !== AddressSpace.ZERO_PAGE) {
        // Words never cross pages, so the word holding a non-zero byte is mapped and read before any fault.
        for (let i = off, e = off + n; i < e; i++)
          if (b[i] !== 0) {
            this.lastNonZero = a + (i - off);
            return 0;
          }
      }
      a += n;
    }
    return 1;
  }

  /**
   * checkZeroedAt() of [from, to) of the installed attr, by offset (see
   * UA_OVERLAY); -2 when that range is not all inside it (the caller then
   * takes checkZeroedAt() with the address). The same scan as checkZeroedAt's.
   */
  checkZeroedOverlay(from: number, to: number): number {
    const ov = this.ovBytes;
    if (ov === null || from < 0 || to > ov.length) return -2;
    const i = firstNonZeroIn(ov, this.ov32, from, to);
    if (i < 0) return 1;
    this.lastNonZero = this.ovStart + i;
    this.lastNonZeroRel = i;
    return 0;
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
      const off = this.span(a0 + i, n, false);
      if (off < 0) return -EFAULT;
      const buf = this.spanBuf;
      for (let j = 0; j < n; j++) {
        const ch = buf[off + j]!;
        dst[i + j] = ch;
        if (ch === 0) return i + j;
      }
      i += n;
    }
    return count;
  }

  private pageOfNum(p: number, a: number, forWrite: boolean): Uint8Array | null | undefined {
    if (this.ovBytes !== null && a < ATTR_END_NUM && a >= this.ovPageStart) {
      // The part of the attr's first page below the attr itself: mapped, reads as zero.
      if (!forWrite) return null;
    }
    let page: Uint8Array | null | undefined;
    if (p === this.cachedPageNum) page = this.cachedPage;
    else {
      page = this.pages.get(p);
      if (page === undefined) return undefined;
      this.cachedPageNum = p;
      this.cachedPage = page;
    }
    if (page === null && forWrite) {
      const fresh = new Uint8Array(PAGE_SIZE);
      this.pages.set(p, fresh);
      this.pageWords.set(p, new Int32Array(fresh.buffer));
      this.cachedPageNum = p;
      this.cachedPage = fresh;
      return fresh;
    }
    return page;
  }
}

/**
 * TypedArray.prototype.set, called through call(): `dst.set(...)` looked the
 * method up with a generic LoadIC on every call from optimized code (~5 ns,
 * a third of a 96-byte attr copy).
 */
export const u8set = Uint8Array.prototype.set;

/** copyBytes() of exactly 8 bytes: small enough for V8 to inline where copyBytes() is not. */
export function copy8(dst: Uint8Array, dstOff: number, src: Uint8Array, srcOff: number): void {
  dst[dstOff] = src[srcOff]!;
  dst[dstOff + 1] = src[srcOff + 1]!;
  dst[dstOff + 2] = src[srcOff + 2]!;
  dst[dstOff + 3] = src[srcOff + 3]!;
  dst[dstOff + 4] = src[srcOff + 4]!;
  dst[dstOff + 5] = src[srcOff + 5]!;
  dst[dstOff + 6] = src[srcOff + 6]!;
  dst[dstOff + 7] = src[srcOff + 7]!;
}

/**
 * dst[dstOff..] = src[srcOff..srcOff+n]. Measured on V8 (node 20): a byte
 * loop costs about 1.4 ns a byte, TypedArray.set() of a whole array about
 * 25 ns whatever its size, and subarray() adds about 50 ns for the view it
 * allocates. So: a loop for short runs (keys), set() when the run is all of
 * src (a kernel value, the caller's whole attr), a view only for long runs.
 */
export function copyBytes(dst: Uint8Array, dstOff: number, src: Uint8Array, srcOff: number, n: number): void {
  // 8 and 4 bytes (most keys and values) written out: a loop of 8 took ~11 ns here, the unrolled copy ~2.
  // Forward order, as the loop, so an overlapping copy gives the same bytes.
  if (n === 8) copy8(dst, dstOff, src, srcOff);
  else if (n === 4) {
    dst[dstOff] = src[srcOff]!;
    dst[dstOff + 1] = src[srcOff + 1]!;
    dst[dstOff + 2] = src[srcOff + 2]!;
    dst[dstOff + 3] = src[srcOff + 3]!;
  } else if (n <= 16) {
    for (let i = 0; i < n; i++) dst[dstOff + i] = src[srcOff + i]!;
  } else if (srcOff === 0 && n === src.length) u8set.call(dst, src, dstOff);
  else if (n <= 40) {
    for (let i = 0; i < n; i++) dst[dstOff + i] = src[srcOff + i]!;
  } else u8set.call(dst, src.subarray(srcOff, srcOff + n), dstOff);
}

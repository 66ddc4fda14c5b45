// SPDX-License-Identifier: GPL-2.0-only
// Byte-array helpers shared by the kernel model, the corpus builders and the
// scripts. No Node API (Buffer.concat is not available in the core).

/**
 * Whether typed arrays of more than one byte read the host's memory in
 * little-endian order, as the ABI is. Int32Array views of ABI bytes (the
 * fast path's attr words, keys and values; the verifier's instruction words)
 * are only taken on such a host; elsewhere the bytes are assembled.
 */
export const HOST_LE = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** The arrays one after the other in one new array. */
export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * memchr_inv(bytes + from, 0, to - from): the offset of the first non-zero
 * byte in [from, to), or -1. `words`, when given, is `bytes` as 4-byte words
 * (the same buffer, from byte 0): whole words are skipped first when `from`
 * is a multiple of 4, then the byte loop finds the first non-zero byte of the
 * word that has one. The entry's tail and CHECK_ATTR scans all come here.
 */
export function firstNonZeroIn(bytes: Uint8Array, words: Int32Array | null, from: number, to: number): number {
  let i = from;
  if (words !== null && (i & 3) === 0) {
    let wi = i >> 2;
    const we = to >> 2;
    // A word past the view reads undefined, which ends the skip: the byte loop then covers the rest.
    while (wi < we && words[wi] === 0) wi++;
    i = wi << 2;
  }
  for (; i < to; i++) if (bytes[i] !== 0) return i;
  return -1;
}

/**
 * firstNonZeroIn() with `quads`, `bytes` as 8-byte words (BigInt64Array, the
 * same buffer from byte 0), skipping whole quads first when `from` is a
 * multiple of 8. V8 compares a BigInt64Array element with 0n without making a
 * BigInt, and a step of this loop costs about what a step over an Int32Array
 * does, for twice the bytes (~20% less for the entry's 88-byte tail). The
 * byte loop then finds the first non-zero byte of the quad that has one.
 */
export function firstNonZeroIn64(bytes: Uint8Array, quads: BigInt64Array | null, from: number, to: number): number {
  let i = from;
  if (quads !== null && (i & 7) === 0) {
    let qi = i >> 3;
    const qe = to >> 3;
    // A quad past the view reads undefined, which ends the skip: the byte loop then covers the rest.
    while (qi < qe && quads[qi] === 0n) qi++;
    i = qi << 3;
  }
  for (; i < to; i++) if (bytes[i] !== 0) return i;
  return -1;
}

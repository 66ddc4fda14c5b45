// SPDX-License-Identifier: GPL-2.0-only
// Byte-array helpers shared by the kernel model, the corpus builders and the
// scripts. No Node API (Buffer.concat is not available in the core).

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

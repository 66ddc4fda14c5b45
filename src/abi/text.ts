// SPDX-License-Identifier: GPL-2.0-only
// UTF-8 text <-> bytes for the core, which builds without the DOM or Node
// libraries (so no TextEncoder/TextDecoder there).

/** UTF-8 bytes of a string. */
export function encodeUtf8(s: string): Uint8Array<ArrayBuffer> {
  const bin = unescape(encodeURIComponent(s));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** A string from UTF-8 bytes; bytes that are not valid UTF-8 come out as Latin-1, one char each. */
export function decodeUtf8(b: Uint8Array): string {
  let bin = "";
  for (let i = 0; i < b.length; i++) bin += String.fromCharCode(b[i]!);
  try {
    return decodeURIComponent(escape(bin));
  } catch {
    return bin;
  }
}

/** One char per byte (ISO-8859-1). */
export function decodeLatin1(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!);
  return s;
}

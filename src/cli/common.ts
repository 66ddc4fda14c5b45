// SPDX-License-Identifier: GPL-2.0-only
// Shared pieces of the CLI: argument parsing, byte input, the attr description.

import { readFileSync } from "node:fs";
import { decodeAttr, formatDecoded, parseCmd } from "../abi/decode.ts";
import { knownAbis, type AbiName } from "../uapi/profiles.ts";
import type { UapiTables } from "../uapi/layout.ts";

export class UsageError extends Error {}

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

/** Minimal option parser: --flag, --key value, positionals. */
export function parseArgs(argv: readonly string[], valued: readonly string[]): { pos: string[]; opts: Map<string, string | true> } {
  const pos: string[] = [];
  const opts = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith("--") || (a.startsWith("-") && a.length === 2 && !/^-\d/.test(a))) {
      const eq = a.indexOf("=");
      const key = (eq > 0 ? a.slice(0, eq) : a).replace(/^-+/, "");
      if (eq > 0) opts.set(key, a.slice(eq + 1));
      else if (valued.includes(key)) {
        const v = argv[++i];
        if (v === undefined) throw new UsageError(`option --${key} needs a value`);
        opts.set(key, v);
      } else opts.set(key, true);
    } else pos.push(a);
  }
  return { pos, opts };
}

export function abiOf(opts: Map<string, string | true>): AbiName {
  const a = opts.get("abi");
  if (a === undefined) return "linux-6.18";
  if (a === true || !knownAbis().includes(a)) throw new UsageError(`unknown ABI ${String(a)} (known: ${knownAbis().join(", ")})`);
  return a as AbiName;
}

/** Hex (spaces, commas, 0x and \x allowed) or @file (raw bytes) into bytes. */
export function readBytesArg(s: string): Uint8Array {
  if (s.startsWith("@")) {
    try {
      return new Uint8Array(readFileSync(s.slice(1)));
    } catch (e) {
      throw new UsageError(`cannot read ${s.slice(1)}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
  }
  const hex = s.replace(/0x|\\x|[\s,:]/gi, "");
  if (!/^[0-9a-f]*$/i.test(hex)) throw new UsageError(`not hex: ${JSON.stringify(s.slice(0, 40))}`);
  if (hex.length % 2) throw new UsageError(`odd-length hex (${hex.length} digits)`);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function cmdArg(tables: UapiTables, s: string | undefined): number {
  if (s === undefined) throw new UsageError("missing <cmd>");
  const c = parseCmd(tables, s);
  if (c === undefined) throw new UsageError(`unknown command ${JSON.stringify(s)}`);
  return c;
}

export function sizeOf(opts: Map<string, string | true>, bytes: Uint8Array): number {
  const s = opts.get("size");
  if (s === undefined) return bytes.length;
  if (s === true || !/^\d+$/.test(s)) throw new UsageError(`--size takes a number, not ${String(s)}`);
  return Number(s);
}

export function describe(tables: UapiTables, cmd: number, bytes: Uint8Array, size: number, all = false): string {
  const d = decodeAttr(tables, cmd, bytes, size);
  if (d === undefined) return `bpf(${cmd}, ..., ${size}): unknown command in ${tables.abi} (the kernel answers EINVAL)`;
  const lines = [`bpf(BPF_${d.name}, ${formatDecoded(d, { all })}, ${size})`];
  lines.push(`  ${tables.abi}: LAST_FIELD ${tables.commands[cmd]!.lastField}, CHECK_ATTR end ${d.end}, sizeof(union bpf_attr) ${d.attrSize}`);
  if (size > bytes.length) lines.push(`  ! size ${size} is larger than the ${bytes.length} bytes given: bytes past ${bytes.length} are unmapped (EFAULT)`);
  if (size > 4096) lines.push("  ! size is over PAGE_SIZE: E2BIG before anything else");
  if (d.pastUnion.length) lines.push(`  ! non-zero bytes past sizeof(union bpf_attr) at ${ranges(d.pastUnion)}: E2BIG`);
  if (d.pastLastField.length) lines.push(`  ! non-zero bytes past LAST_FIELD at ${ranges(d.pastLastField)}: CHECK_ATTR fails with EINVAL`);
  return lines.join("\n");
}

export function ranges(offs: readonly number[]): string {
  const out: string[] = [];
  let i = 0;
  while (i < offs.length) {
    let j = i;
    while (j + 1 < offs.length && offs[j + 1] === offs[j]! + 1) j++;
    out.push(i === j ? `${offs[i]}` : `${offs[i]}..${offs[j]}`);
    i = j + 1;
  }
  return out.length > 8 ? `${out.slice(0, 8).join(", ")}, ... (${offs.length} bytes)` : out.join(", ");
}


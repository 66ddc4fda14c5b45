// SPDX-License-Identifier: GPL-2.0-only
// BPF token (kernel/bpf/token.c): lookup from an fd, the allow-predicates and
// bpf_token_capable. Token creation and the bpffs delegation that feeds it
// are added on top of these.

import { EBADF, EINVAL } from "../abi/errno.ts";
import type { BpfToken } from "./bpf.ts";
import { CAP } from "./capability.ts";
import type { FileOperations } from "./file.ts";
import type { Task } from "./task.ts";
import type { UapiTables } from "../uapi/layout.ts";
import { fdget } from "./namei.ts";

export const bpf_token_fops: FileOperations = {
  name: "bpf-token",
  release: (f) => {
    const tok = f.private_data as BpfToken;
    tok.refcnt--;
  },
};

/** bpf_token_get_from_fd(): -EBADF for a closed fd, -EINVAL for an fd that is not a token. */
export function bpf_token_get_from_fd(t: Task, ufd: number, field: string): BpfToken | number {
  // CLASS(fd): an O_PATH fd is as good as closed here.
  const f = fdget(t, ufd);
  if (f === undefined) return t.fail(-EBADF, badTokenReason(field, ufd, null));
  if (f.f_op !== bpf_token_fops) return t.fail(-EINVAL, badTokenReason(field, ufd, f.f_op));
  const tok = f.private_data as BpfToken;
  tok.refcnt++;
  return tok;
}

/*
 * The last few reasons of a refused token fd, by field, fd and file kind (the
 * f_op table, null for a closed fd): token traces try the same wrong fds over
 * and over, and a template string per call was a good part of such a call.
 * The f_op's name is only read to build a reason.
 */
const badTokenMemo: { field: string; ufd: number; fop: FileOperations | null; reason: string }[] = [];
/**
 * next: the slot the next new reason goes to; last: where the last lookup
 * found its entry (the search starts after it, so a trace cycling through its
 * bad fds hits on the first compare). Fields of a const object: a
 * module-level let is checked for its temporal dead zone on every read.
 */
const badTokenPos = { next: 0, last: 0 };

function badTokenReason(field: string, ufd: number, fop: FileOperations | null): string {
  const n = badTokenMemo.length;
  let i = badTokenPos.last;
  for (let k = 0; k < n; k++) {
    i = i + 1 < n ? i + 1 : 0;
    const m = badTokenMemo[i]!;
    if (m.ufd === ufd && m.fop === fop && m.field === field) {
      badTokenPos.last = i;
      return m.reason;
    }
  }
  const reason = fop === null ? `${field}: fd ${ufd} is not open` : `${field}: fd ${ufd} is not a BPF token (${fop.name})`;
  const e = { field, ufd, fop, reason };
  if (n < 8) {
    badTokenMemo.push(e);
    badTokenPos.last = n;
  } else {
    badTokenMemo[badTokenPos.next] = e;
    badTokenPos.last = badTokenPos.next;
    badTokenPos.next = (badTokenPos.next + 1) & 7;
  }
  return reason;
}

export function bpf_token_put(tok: BpfToken | null): void {
  if (tok !== null) tok.refcnt--;
}

/** bpf_token_allow_cmd(): bit `cmd` of allowed_cmds (no LSM policy is loaded, so the hook allows). */
export function bpf_token_allow_cmd(tok: BpfToken | null, cmd: number): boolean {
  if (tok === null) return false;
  return cmd < 64 && bit64(tok.allowed_cmds, cmd);
}

export function bpf_token_allow_map_type(t: Task, tok: BpfToken | null, type: number): boolean {
  if (tok === null || type >= maxMapType(t)) return false;
  return bit64(tok.allowed_maps, type);
}

/*
 * Bit n (0..63) of a u64 mask. `mask & (1n << BigInt(n))` made two BigInts
 * per test; a token's masks are few and fixed, so the two words of the last
 * two masks seen are kept and the test is on numbers.
 */
const bitMemo: { maskA: bigint | null; loA: number; hiA: number; maskB: bigint | null; loB: number; hiB: number } = { maskA: null, loA: 0, hiA: 0, maskB: null, loB: 0, hiB: 0 };

function bit64(mask: bigint, n: number): boolean {
  if (n < 0 || n > 63) return (mask & (1n << BigInt(n))) !== 0n;
  let lo: number;
  let hi: number;
  if (mask === bitMemo.maskA) {
    lo = bitMemo.loA;
    hi = bitMemo.hiA;
  } else if (mask === bitMemo.maskB) {
    lo = bitMemo.loB;
    hi = bitMemo.hiB;
  } else {
    lo = Number(BigInt.asUintN(32, mask)) | 0;
    hi = Number(BigInt.asUintN(32, mask >> 32n)) | 0;
    bitMemo.maskB = bitMemo.maskA;
    bitMemo.loB = bitMemo.loA;
    bitMemo.hiB = bitMemo.hiA;
    bitMemo.maskA = mask;
    bitMemo.loA = lo;
    bitMemo.hiA = hi;
  }
  return n < 32 ? ((lo >>> n) & 1) !== 0 : ((hi >>> (n - 32)) & 1) !== 0;
}

/** Both the prog type bit and the attach type bit must be delegated. */
export function bpf_token_allow_prog_type(t: Task, tok: BpfToken | null, prog_type: number, attach_type: number): boolean {
  if (tok === null || prog_type >= maxOf(t, "__MAX_BPF_PROG_TYPE") || attach_type >= maxOf(t, "__MAX_BPF_ATTACH_TYPE")) return false;
  return bit64(tok.allowed_progs, prog_type) && bit64(tok.allowed_attachs, attach_type);
}

/**
 * bpf_token_capable(): upstream checks `cap` (or CAP_SYS_ADMIN as a superset)
 * in the token's user namespace, or in the init namespace without a token.
 * In the v1 series any token that survived the allow-checks satisfied every
 * capability check.
 */
export function bpf_token_capable(t: Task, tok: BpfToken | null, cap: number): boolean {
  if (t.kernel.abi === "rfc-v1") {
    if (tok !== null) return true;
    return t.capable(cap) || (cap !== CAP.SYS_ADMIN && t.capable(CAP.SYS_ADMIN));
  }
  const ns = tok?.userns ?? t.kernel.initUserNs;
  return t.ns_capable(ns, cap) || (cap !== CAP.SYS_ADMIN && t.ns_capable(ns, CAP.SYS_ADMIN));
}

type Sentinel = "__MAX_BPF_MAP_TYPE" | "__MAX_BPF_PROG_TYPE" | "__MAX_BPF_ATTACH_TYPE" | "__MAX_BPF_CMD";

/**
 * The four sentinels of a table set, looked up once: maxOf() runs on every
 * MAP_CREATE and PROG_LOAD (and the token checks), and searching the enum's
 * values by name each time was most of a token trace's replay. Almost every
 * call uses the same table set as the one before, so that one is kept aside.
 */
interface Sentinels {
  map: number;
  prog: number;
  attach: number;
  cmd: number;
}
const sentinelCache = new WeakMap<UapiTables, Sentinels>();
const sentinelMemo: { tables: UapiTables | null; sentinels: Sentinels } = { tables: null, sentinels: { map: 0, prog: 0, attach: 0, cmd: 0 } };

function sentinelsOf(tables: UapiTables): Sentinels {
  if (tables === sentinelMemo.tables) return sentinelMemo.sentinels;
  let s = sentinelCache.get(tables);
  if (s === undefined) {
    s = {
      map: maxOfTables(tables, "bpf_map_type", "__MAX_BPF_MAP_TYPE"),
      prog: maxOfTables(tables, "bpf_prog_type", "__MAX_BPF_PROG_TYPE"),
      attach: maxOfTables(tables, "bpf_attach_type", "__MAX_BPF_ATTACH_TYPE"),
      cmd: maxOfTables(tables, "bpf_cmd", "__MAX_BPF_CMD"),
    };
    sentinelCache.set(tables, s);
  }
  sentinelMemo.tables = tables;
  sentinelMemo.sentinels = s;
  return s;
}

/** The __MAX_BPF_*_TYPE sentinel of the kernel's ABI profile (one past the largest value when the enum has none). */
export function maxOf(t: Task, sentinel: Sentinel): number {
  const s = sentinelsOf(t.kernel.tables);
  return sentinel === "__MAX_BPF_MAP_TYPE" ? s.map : sentinel === "__MAX_BPF_PROG_TYPE" ? s.prog : sentinel === "__MAX_BPF_ATTACH_TYPE" ? s.attach : s.cmd;
}

/** maxOf(t, "__MAX_BPF_MAP_TYPE") without the name comparisons: every MAP_CREATE asks for it. */
export function maxMapType(t: Task): number {
  const tables = t.kernel.tables;
  return tables === sentinelMemo.tables ? sentinelMemo.sentinels.map : sentinelsOf(tables).map;
}

/** One __MAX_BPF_*_TYPE sentinel from an ABI's tables (one past the largest value when the enum has none). */
function maxOfTables(tables: UapiTables, enumName: string, sentinel: string): number {
  const e = tables.enums[enumName];
  const v = e?.values.find((x) => x.name === sentinel)?.value;
  if (v !== undefined) return v;
  let max = -1;
  for (const x of e?.values ?? []) if (x.value > max) max = x.value;
  return max + 1;
}

/**
 * bpf_token_show_fdinfo(): the lines /proc/<pid>/fdinfo/<fd> shows for a
 * token. Each mask reads "any" when every bit below its __MAX_BPF_* sentinel
 * is set, else the whole mask in hex ("0x%llx", unknown bits included).
 * Exported for the CLI.
 */
export function bpf_token_show_fdinfo(tables: UapiTables, tok: Pick<BpfToken, "allowed_cmds" | "allowed_maps" | "allowed_progs" | "allowed_attachs">): string {
  const rows: [string, bigint, string, string][] = [
    ["allowed_cmds", tok.allowed_cmds, "bpf_cmd", "__MAX_BPF_CMD"],
    ["allowed_maps", tok.allowed_maps, "bpf_map_type", "__MAX_BPF_MAP_TYPE"],
    ["allowed_progs", tok.allowed_progs, "bpf_prog_type", "__MAX_BPF_PROG_TYPE"],
    ["allowed_attachs", tok.allowed_attachs, "bpf_attach_type", "__MAX_BPF_ATTACH_TYPE"],
  ];
  let out = "";
  for (const [name, v, enumName, sentinel] of rows) {
    const mask = (1n << BigInt(maxOfTables(tables, enumName, sentinel))) - 1n;
    out += (v & mask) === mask ? `${name}:\tany\n` : `${name}:\t0x${BigInt.asUintN(64, v).toString(16)}\n`;
  }
  return out;
}

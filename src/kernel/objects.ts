// SPDX-License-Identifier: GPL-2.0-only
// Programs, links, BTF objects, stats fds and OBJ_GET_INFO_BY_FD dispatch:
// the object halves of the syscall.c handlers. PROG_LOAD ends in the
// verifier core (verifier.ts) and the program object (prog.ts); test runs
// are in test_run.ts.

import type { Attr, CmdFields } from "../abi/attr.ts";
import { E2BIG, EBADF, EFAULT, EINVAL, ENOENT, ENOSPC, EOPNOTSUPP, EPERM } from "../abi/errno.ts";
import { BPF_PROG_TYPE as PT } from "../uapi/gen/consts-6.18.ts";
import { File, O_CLOEXEC, O_RDONLY, O_RDWR, type FileOperations } from "./file.ts";
import type { BpfMap, BpfProgLike, BpfToken } from "./bpf.ts";
import { bpf_map_fops, bpf_map_get, bpf_map_put } from "./maps.ts";
import { BpfProg, bpf_prog_alloc_id, bpf_prog_fops, bpf_prog_insns_alloc, bpf_prog_new_fd, license_from_buf, license_is_gpl_compatible, prog_bind_map, prog_get_fd_by_id as prog_fd_by_id } from "./prog.ts";
import { bpf_check } from "./verifier.ts";
import { VLog } from "./vlog.ts";
import { ProgBtfLoad } from "./verifier_btf.ts";
import { bpf_prog_test_run } from "./test_run.ts";
import { bpf_obj_name_cpy, put_user_u32 } from "./syscall.ts";
import * as info from "./info.ts";
import type { Call } from "./syscall.ts";
import type { Task } from "./task.ts";
import { bpf_token_fops } from "./token.ts";
import * as links from "./link.ts";
import { bpf_link_fops, type BpfLink } from "./link.ts";
import { btf_fops, btf_get_fd_by_id as btf_fd_by_id, btf_new_fd_parsed } from "./btf.ts";

export { bpf_prog_fops };
export { bpf_link_fops };
export { btf_fops };
export const bpf_stats_fops: FileOperations = {
  name: "bpf-stats",
  release: (f) => {
    (f.private_data as { kernel: { statsEnabled: number } }).kernel.statsEnabled--;
  },
};

export interface BtfObject {
  readonly kind: "btf";
  readonly kernel: boolean;
  readonly name: string;
  id?: number;
}

export interface BpfLinkLike {
  readonly kind: "link";
  id: number;
}

export function isProgFile(f: File): boolean {
  return f.f_op === bpf_prog_fops;
}

export function isBtfFile(f: File): boolean {
  return f.f_op === btf_fops;
}

export function btfIsKernel(f: File): boolean {
  return (f.private_data as BtfObject).kernel;
}

/** bpf_prog_get(): -EBADF for a closed fd, -EINVAL for a file that is not a program. */
export function bpf_prog_get(t: Task, ufd: number, field: string): BpfProgLike | number {
  const f = t.files.get(ufd);
  if (f === undefined) return t.fail(-EBADF, `${field}: fd ${ufd} is not open`);
  if (f.f_op !== bpf_prog_fops) return t.fail(-EINVAL, `${field}: fd ${ufd} is not a program (${f.f_op.name})`);
  return f.private_data as BpfProgLike;
}

/** bpf_prog_get_type(): as bpf_prog_get, and the program must have type `pt`. */
export function bpf_prog_get_type(t: Task, ufd: number, pt: number, field: string): BpfProgLike | number {
  const p = bpf_prog_get(t, ufd, field);
  if (typeof p === "number") return p;
  if (p.type !== pt) return t.fail(-EINVAL, `${field}: program type ${p.type} is not the ${pt} this attach type needs`);
  return p;
}

/** bpf_link_get_from_fd(): -EBADF / -EINVAL like the others. */
export function bpf_link_get_from_fd(t: Task, ufd: number, field: string): BpfLinkLike | number {
  const f = t.files.get(ufd);
  if (f === undefined) return t.fail(-EBADF, `${field}: fd ${ufd} is not open`);
  if (f.f_op !== bpf_link_fops) return t.fail(-EINVAL, `${field}: fd ${ufd} is not a link (${f.f_op.name})`);
  return f.private_data as BpfLinkLike;
}

// --- PROG_LOAD after the attach checks ---------------------------------------------

/**
 * Byte offsets of union bpf_attr's PROG_LOAD fields in one layout (-1: the
 * ABI has no such field, which reads as 0), resolved once per layout. A load
 * reads ~25 fields on its common path (bpf_prog_load, its attach checks,
 * bpf_prog_load_rest/_verify, check_btf_info); by name each was a sequence
 * compare and a call. The rarer paths still read their fields by name.
 */
export class LoadOffs {
  readonly fields: CmdFields;
  readonly prog_type: number;
  readonly insn_cnt: number;
  readonly insns: number;
  readonly license: number;
  readonly log_level: number;
  readonly log_size: number;
  readonly log_buf: number;
  readonly prog_flags: number;
  readonly prog_name: number;
  readonly prog_name_size: number;
  readonly prog_ifindex: number;
  readonly expected_attach_type: number;
  readonly func_info_cnt: number;
  readonly line_info_cnt: number;
  readonly attach_btf_id: number;
  readonly attach_prog_fd: number;
  readonly prog_token_fd: number;
  readonly fd_array_cnt: number;
  readonly signature: number;

  constructor(f: CmdFields) {
    const at = (name: string): number => f.get(name)?.offset ?? -1;
    this.fields = f;
    this.prog_type = at("prog_type");
    this.insn_cnt = at("insn_cnt");
    this.insns = at("insns");
    this.license = at("license");
    this.log_level = at("log_level");
    this.log_size = at("log_size");
    this.log_buf = at("log_buf");
    this.prog_flags = at("prog_flags");
    this.prog_name = at("prog_name");
    this.prog_name_size = f.get("prog_name")?.size ?? 0;
    this.prog_ifindex = at("prog_ifindex");
    this.expected_attach_type = at("expected_attach_type");
    this.func_info_cnt = at("func_info_cnt");
    this.line_info_cnt = at("line_info_cnt");
    this.attach_btf_id = at("attach_btf_id");
    this.attach_prog_fd = at("attach_prog_fd");
    this.prog_token_fd = at("prog_token_fd");
    this.fd_array_cnt = at("fd_array_cnt");
    this.signature = at("signature");
  }
}

// The last layout's offsets first (almost every load uses the same ABI as the one before), then one per layout.
const loadOffsMemo: { last: LoadOffs | null } = { last: null };
const loadOffsByFields = new WeakMap<CmdFields, LoadOffs>();

/** The PROG_LOAD offsets of attr's layout. */
export function loadOffs(attr: Attr): LoadOffs {
  const f = attr.fields;
  const last = loadOffsMemo.last;
  if (last !== null && last.fields === f) return last;
  let o = loadOffsByFields.get(f);
  if (o === undefined) {
    o = new LoadOffs(f);
    loadOffsByFields.set(f, o);
  }
  loadOffsMemo.last = o;
  return o;
}

/** strncpy_from_user()'s destination for the license (128 bytes, the last always NUL). */
const LICENSE_BUF = new Uint8Array(128);

/** The name of every program loaded with an empty prog_name (char prog_name[BPF_OBJ_NAME_LEN]); never written. */
const UNNAMED_PROG = new Uint8Array(16);

export function bpf_prog_load_rest(c: Call, _token: BpfToken | null): number {
  const { t, attr } = c;
  const o = loadOffs(attr);
  const insn_cnt = attr.u32At(o.insn_cnt);
  // copy_from_bpfptr of the instructions, then strncpy_from_user of the license (127 bytes max).
  const insns = bpf_prog_insns_alloc(insn_cnt * 8);
  // The address as a number (ptrAt: exact below TASK_SIZE_MAX, and any larger u64 still faults), without Number(bigint).
  if (t.memory.copyInAt(insns, attr.ptrAt(o.insns), insns.length) !== 0) return t.fail(-EFAULT, `insns: reading ${insn_cnt} instructions at 0x${attr.u64At(o.insns).toString(16)} faulted`);
  // The license is read into one buffer shared by every load: it becomes a string before anything else can load.
  // Not cleared first: strncpy_from_user writes the NUL it stops at, byte 127 is never written (stays 0), and
  // nothing reads past the first NUL (license_from_buf compares whole names, NUL included).
  const license = LICENSE_BUF;
  if (t.memory.strncpyFromUser(license, attr.u64At(o.license), 127) < 0) return t.fail(-EFAULT, `license: reading the string at 0x${attr.u64At(o.license).toString(16)} faulted`);
  if (attr.u64At(o.signature) !== 0n) return t.fail(-EOPNOTSUPP, "signature: this kernel was built without program signature verification (answered before the signature is read)");
  const pt = attr.u32At(o.prog_type);
  const ifindex = attr.u32At(o.prog_ifindex);
  if (ifindex) {
    // bpf_prog_dev_bound_init()
    const flags = attr.u32At(o.prog_flags);
    if (pt !== PT.SCHED_CLS && pt !== PT.XDP) return t.fail(-EINVAL, "prog_ifindex: only SCHED_CLS and XDP programs can be device-bound");
    if (flags & ~(0x40 | 0x20)) return t.fail(-EINVAL, "prog_ifindex: only XDP_DEV_BOUND_ONLY and XDP_HAS_FRAGS are allowed with a device");
    if (pt === PT.SCHED_CLS && flags & 0x40) return t.fail(-EINVAL, "prog_ifindex: XDP_DEV_BOUND_ONLY on a SCHED_CLS program");
    if (pt === PT.XDP && flags & 0x20 && !(flags & 0x40)) return t.fail(-EINVAL, "prog_ifindex: XDP_HAS_FRAGS needs XDP_DEV_BOUND_ONLY");
    if (ifindex !== 1) return t.fail(-EINVAL, `prog_ifindex ${ifindex}: no such device`);
    return t.fail(-EOPNOTSUPP, "prog_ifindex 1 (lo) cannot offload programs");
  }
  // find_prog_type()
  // This kernel is built without LIRC_MODE2 support: that type has no ops either.
  if (pt >= 33 || pt === PT.UNSPEC || pt === PT.LIRC_MODE2) return t.fail(-EINVAL, `prog_type ${pt} is unknown (or not built into this kernel)`);
  // bpf_obj_name_cpy() of a prog_name starting with NUL is 16 zero bytes: such programs share one (a name is only
  // ever read, and copied out by OBJ_GET_INFO_BY_FD), as unnamed maps do, instead of a new array per load.
  const name =
    o.prog_name_size === UNNAMED_PROG.length && (attr.u32At(o.prog_name) & 0xff) === 0 ? UNNAMED_PROG : bpf_obj_name_cpy(t, attr.bytesAt(o.prog_name, o.prog_name_size), "prog_name");
  if (typeof name === "number") return name;
  return bpf_prog_load_verify(c, pt, insns, license, name, _token);
}

/**
 * The end of bpf_prog_load(): security_bpf_prog_load (no LSM policy: allowed),
 * bpf_check (log attributes first, log_true_size written back at its end),
 * bpf_prog_select_runtime, bpf_prog_alloc_id and bpf_prog_new_fd.
 */
function bpf_prog_load_verify(c: Call, pt: number, insns: Uint8Array, licenseBuf: Uint8Array, name: Uint8Array<ArrayBuffer>, token: BpfToken | null): number {
  const { t, attr } = c;
  const o = loadOffs(attr);
  // The string up to the NUL (at most 127 bytes), Latin-1 as decodeLatin1 reads it, without a view of the buffer.
  const license = license_from_buf(licenseBuf);
  // bpf_obj_name_cpy() made the name's copy for the program alone.
  const prog = new BpfProg(t.kernel, pt, attr.u32At(o.expected_attach_type), insns, name);
  prog.license = license;
  prog.gpl_compatible = license_is_gpl_compatible(license);
  prog.prog_flags = attr.u32At(o.prog_flags);
  prog.created_by_uid = t.cred.uid;
  prog.attach_btf_id = attr.u32At(o.attach_btf_id);
  // security_bpf_prog_load(): on the reference host, EXT, LSM and fentry/fexit-style TRACING loads are refused
  // here with EPERM before the verifier runs (observed; the emulated kernel mirrors that host).
  if (pt === PT.EXT || pt === PT.LSM || (pt === PT.TRACING && prog.expected_attach_type !== 0))
    return t.fail(-EPERM, `security_bpf_prog_load: prog_type ${pt} refused before the verifier (as on the reference host)`);
  // bpf_check(): bpf_vlog_init() rejects bad log attributes before anything is written.
  const level = attr.u32At(o.log_level);
  const logBuf = attr.u64At(o.log_buf);
  const logSize = attr.u32At(o.log_size);
  const err0 = bpf_vlog_init(c, level, logBuf, logSize, "");
  if (err0) return err0;
  const log = new VLog(t, level, logBuf, logSize);
  // bpf_check(): process_fd_array first, then check_btf_info_early (prog_btf_fd, func_info) and,
  // after the subprograms are known, check_btf_info (func_info against them, line_info).
  const btfi = new ProgBtfLoad(c, log, attr.u32At(o.fd_array_cnt) ? () => process_fd_array(c, log) : null);
  const res = bpf_check(t, prog, log, token, btfi);
  const fin = log.finalize();
  let err = res.err;
  let reason = res.reason;
  if (fin.err) {
    err = fin.err;
    reason = fin.err === -ENOSPC ? `log: ${fin.true_size} bytes do not fit in log_size ${logSize}` : "log: writing the log faulted";
  }
  // log_true_size goes back when the caller's attr reaches it.
  if (c.size >= LOG_TRUE_SIZE_END) {
    const e = put_user_u32(c, "log_true_size", fin.true_size);
    if (e) err = e;
  }
  if (err) {
    for (const m of prog.used_maps) bpf_map_put(m);
    prog.used_maps.length = 0;
    btfi.release();
    return t.fail(err, `verifier: ${reason}`);
  }
  // adjust_btf_func(); the program now holds the BTF reference taken by check_btf_info_early.
  prog.btf_info = btfi.commit(prog.subprog_starts);
  // The tag (bpf_prog_calc_tag) is computed when first read (BpfProg.tag).
  prog.loadTimeMs = Date.now();
  const idErr = bpf_prog_alloc_id(t, prog);
  if (idErr) {
    prog.refcnt = 0;
    return idErr;
  }
  const fd = bpf_prog_new_fd(t, prog);
  if (fd < 0) {
    prog.refcnt = 0;
    return t.fail(fd, "no free fd for the program");
  }
  return fd;
}

/** offsetofend(union bpf_attr, log_true_size) */
const LOG_TRUE_SIZE_END = 144;

// --- attach / detach / query / test run / raw tracepoints / links --------------------
// No program object can exist until PROG_LOAD is emulated, so these run only
// after a successful prog lookup, which cannot happen yet.

export function prog_attach_rest(c: Call, prog: BpfProgLike, ptype: number): number {
  return links.bpf_prog_attach_rest(c, prog as BpfProg, ptype);
}

export function prog_detach_rest(c: Call, ptype: number): number {
  return links.bpf_prog_detach_rest(c, ptype);
}

export function prog_test_run_rest(c: Call, prog: BpfProgLike): number {
  return bpf_prog_test_run(c, prog as BpfProg);
}

export function prog_query_rest(c: Call): number {
  return links.bpf_prog_query_rest(c);
}

export function raw_tp_open_rest(c: Call, _prog: BpfProgLike): number {
  return c.t.fail(-EINVAL, "raw tracepoints are not emulated");
}

export function task_fd_query_rest(c: Call, _f: File): number {
  return c.t.fail(-524, "fd is neither a raw tracepoint link nor a perf event");
}

export function link_create_struct_ops(c: Call): number {
  const m = bpf_map_get(c.t, c.attr.u32("link_create.map_fd"), "link_create.map_fd");
  if (typeof m === "number") return m;
  return c.t.fail(-EINVAL, "link_create.map_fd is not a STRUCT_OPS map");
}

export function link_create_rest(c: Call, prog: BpfProgLike): number {
  return links.link_create_rest(c, prog as BpfProg);
}

export function link_update_rest(c: Call, link: BpfLinkLike): number {
  return links.link_update_rest(c, link as BpfLink);
}

export function link_detach_rest(c: Call, link: BpfLinkLike): number {
  return links.link_detach_rest(c, link as BpfLink);
}

export function iter_create_rest(c: Call, link: BpfLinkLike): number {
  return links.iter_create_rest(c, link as BpfLink);
}

export function prog_bind_map_rest(_c: Call, prog: BpfProgLike, map: unknown): number {
  return prog_bind_map(prog as BpfProg, map as BpfMap);
}

export function prog_stream_read_rest(c: Call, _prog: BpfProgLike): number {
  const id = c.attr.u32("prog_stream_read.stream_id");
  if (id !== 1 && id !== 2) return c.t.fail(-ENOENT, `stream_id ${id}: only 1 (stdout) and 2 (stderr) exist`);
  return 0;
}

// --- ids -------------------------------------------------------------------------------

export function prog_get_fd_by_id(c: Call, id: number): number {
  return prog_fd_by_id(c.t, id);
}

export function link_get_fd_by_id(c: Call, id: number): number {
  return links.link_get_fd_by_id(c, id);
}

export function btf_get_fd_by_id(c: Call, id: number): number {
  const { t } = c;
  return btf_fd_by_id(t, id);
}

// --- BTF_LOAD ---------------------------------------------------------------------------

export function btf_new_fd(c: Call): number {
  const { t, attr } = c;
  // btf_parse(): the size limit comes first, then the log attributes (bpf_vlog_init), then the copy.
  const size = attr.u32("btf_size");
  if (size > 16 * 1024 * 1024) return t.fail(-E2BIG, `btf_size ${size} is over BTF_MAX_SIZE (16 MiB)`);
  const err = bpf_vlog_init(c, attr.u32("btf_log_level"), attr.u64("btf_log_buf"), attr.u32("btf_log_size"), "btf_");
  if (err) return err;
  const data = new Uint8Array(size);
  if (t.memory.copyIn(data, attr.u64("btf"), size) !== 0) return t.fail(-EFAULT, `btf: reading ${size} bytes faulted`);
  return btf_new_fd_parsed(c, data);
}

/** BPF_LOG_LEVEL1 | BPF_LOG_LEVEL2 | BPF_LOG_STATS | BPF_LOG_FIXED */
const BPF_LOG_MASK = 0xf;

/** bpf_vlog_init() → bpf_verifier_log_attr_valid(): buffer and size together, a level with a buffer, known bits, a sane size. */
export function bpf_vlog_init(c: Call, level: number, ubuf: bigint, size: number, prefix: string): number {
  const { t } = c;
  if ((ubuf !== 0n) !== (size !== 0)) return t.fail(-EINVAL, `${prefix}log_buf and ${prefix}log_size must be given together`);
  if (ubuf !== 0n && level === 0) return t.fail(-EINVAL, `${prefix}log_buf without ${prefix}log_level`);
  if (level & ~BPF_LOG_MASK) return t.fail(-EINVAL, `${prefix}log_level 0x${level.toString(16)} has unknown bits`);
  if (size > 0xffffffff >>> 2) return t.fail(-EINVAL, `${prefix}log_size ${size} is over UINT_MAX >> 2`);
  return 0;
}

// --- ENABLE_STATS -------------------------------------------------------------------------

export function bpf_enable_runtime_stats(c: Call): number {
  const { t } = c;
  t.kernel.statsEnabled++;
  const fd = t.files.install(new File(bpf_stats_fops, { kernel: t.kernel }, O_RDONLY | O_CLOEXEC));
  if (fd < 0) {
    t.kernel.statsEnabled--;
    return t.fail(fd, "no free fd");
  }
  return fd;
}

// --- OBJ_GET_INFO_BY_FD ------------------------------------------------------------------

export function obj_get_info(c: Call, f: File): number {
  if (f.f_op === bpf_map_fops) return info.bpf_map_get_info_by_fd(c, f);
  if (f.f_op === bpf_token_fops) return info.bpf_token_get_info_by_fd(c, f);
  if (f.f_op === btf_fops) return info.btf_get_info_by_fd(c, f);
  if (f.f_op === bpf_prog_fops) return info.bpf_prog_get_info_by_fd(c, f);
  if (f.f_op === bpf_link_fops) return links.bpf_link_get_info_by_fd(c, f);
  return c.t.fail(-EINVAL, `info.bpf_fd refers to ${f.f_op.name}, not a BPF object`);
}

void O_RDWR;

/**
 * process_fd_array(): with fd_array_cnt, every fd of fd_array is read one at a
 * time and must be a map or a BTF object. The faults and bad fds are the
 * kernel's; binding the maps to the program is not emulated yet.
 */
function process_fd_array(c: Call, log: VLog): { err: number; reason: string } {
  const { t, attr } = c;
  const cnt = attr.u32("fd_array_cnt");
  if (cnt >= Math.floor(0xffffffff / 4)) {
    log.write(`fd_array_cnt is too big (${cnt})\n`);
    return { err: -EINVAL, reason: `fd_array_cnt ${cnt} is too big` };
  }
  const base = attr.u64("fd_array");
  const b = new Uint8Array(4);
  for (let i = 0; i < cnt; i++) {
    if (t.memory.copyIn(b, base + BigInt(i * 4), 4) !== 0) return { err: -EFAULT, reason: `fd_array[${i}] at 0x${(base + BigInt(i * 4)).toString(16)} is not readable` };
    const fd = new DataView(b.buffer).getInt32(0, true);
    const f = t.files.get(fd);
    if (f === undefined || (f.f_op.name !== "bpf_map_fops" && f.f_op !== btf_fops)) {
      // add_fd_from_fd_array() returns the map lookup's error: EBADF for a closed fd.
      log.write(`fd ${fd} is not pointing to valid bpf_map or btf\n`);
      return { err: f === undefined ? -EBADF : -EINVAL, reason: `fd_array[${i}] = ${fd} is ${f === undefined ? "not open" : "neither a map nor a BTF object"}` };
    }
  }
  return { err: -EINVAL, reason: "bpfemu: fd_array_cnt (maps bound through fd_array) is not emulated" };
}

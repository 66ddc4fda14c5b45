// SPDX-License-Identifier: GPL-2.0-only
// OBJ_GET_INFO_BY_FD for each object kind (bpf_map_get_info_by_fd,
// bpf_token_get_info_by_fd, btf_get_info_by_fd): the tail check against the
// kernel's struct size, the clamp, the copy in of input fields, the fill and
// the write-back of info and info_len. Layouts come from the ABI tables.

import { E2BIG, EFAULT, EINVAL, EPERM } from "../abi/errno.ts";
import type { StructLayout } from "../uapi/layout.ts";
import type { BpfMap, BpfToken } from "./bpf.ts";
import type { File } from "./file.ts";
import { bpf_map_btf, btf_get_info_by_fd as btfInfo, type BtfObj } from "./btf.ts";
import { xlatedOffset } from "./fixups.ts";
import type { BpfProg } from "./prog.ts";
import { CAP } from "./capability.ts";
import { bpf_check_uarg_tail_zero, put_user_u32, type Call } from "./syscall.ts";

/** A struct being filled, addressed by field name through its layout. */
export class InfoBuf {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  private readonly offs = new Map<string, number>();

  constructor(layout: StructLayout) {
    this.bytes = new Uint8Array(layout.size);
    this.view = new DataView(this.bytes.buffer);
    for (const f of layout.fields) this.offs.set(f.name, f.offset);
  }

  private o(name: string): number {
    return this.offs.get(name) ?? -1;
  }

  u32(name: string): number {
    const o = this.o(name);
    return o < 0 ? 0 : this.view.getUint32(o, true);
  }

  u64(name: string): bigint {
    const o = this.o(name);
    return o < 0 ? 0n : this.view.getBigUint64(o, true);
  }

  setU32(name: string, v: number): void {
    const o = this.o(name);
    if (o >= 0) this.view.setUint32(o, v >>> 0, true);
  }

  setU64(name: string, v: bigint): void {
    const o = this.o(name);
    if (o >= 0) this.view.setBigUint64(o, BigInt.asUintN(64, v), true);
  }

  setBytes(name: string, b: Uint8Array): void {
    const o = this.o(name);
    if (o >= 0) this.bytes.set(b, o);
  }
}

/**
 * The common prologue: bpf_check_uarg_tail_zero on the user's info buffer,
 * clamp info_len to the kernel's struct, zero it and copy the user's prefix in.
 */
function infoPrologue(c: Call, layout: StructLayout): { buf: InfoBuf; len: number; uinfo: bigint } | number {
  const { t, attr } = c;
  const uinfo = attr.u64("info.info");
  let len = attr.u32("info.info_len");
  const err = bpf_check_uarg_tail_zero(t, uinfo, layout.size, len, `info (${layout.name})`);
  if (err) return err;
  len = Math.min(len, layout.size);
  const buf = new InfoBuf(layout);
  if (t.memory.copyIn(buf.bytes, uinfo, len) !== 0) return t.fail(-EFAULT, `info: reading ${len} bytes of ${layout.name} at 0x${uinfo.toString(16)} faulted`);
  return { buf, len, uinfo };
}

/** The common epilogue: copy info_len bytes out, then put_user(info_len). */
function infoEpilogue(c: Call, buf: InfoBuf, len: number, uinfo: bigint, zeroed: boolean): number {
  const { t } = c;
  const out = zeroed ? buf.bytes.subarray(0, len) : buf.bytes.subarray(0, len);
  if (t.memory.copyOut(uinfo, out) !== 0) return t.fail(-EFAULT, `info: writing ${len} bytes at 0x${uinfo.toString(16)} faulted`);
  return put_user_u32(c, "info.info_len", len);
}

/**
 * bpf_map_get_info_by_fd(): the struct starts as the caller's own bytes
 * (zeroed past info_len) and only the fields the kernel fills are
 * overwritten, so anything else the caller left there comes back as is.
 */
export function bpf_map_get_info_by_fd(c: Call, f: File): number {
  const { t } = c;
  const layout = t.kernel.tables.structs["bpf_map_info"];
  if (layout === undefined) return t.fail(-EINVAL, "this ABI has no bpf_map_info");
  const p = infoPrologue(c, layout);
  if (typeof p === "number") return p;
  const { len, uinfo } = p;
  const map = f.private_data as BpfMap;
  const info = p.buf;
  // Probed on 6.18 (test/maps.test.ts): a non-zero byte in the struct's tail padding [100, 104) is refused
  // with E2BIG, before any field is looked at, as if the struct ended at hash_size.
  for (let i = 100; i < Math.min(len, layout.size); i++) if (info.bytes[i] !== 0) return t.fail(-E2BIG, `info: padding byte ${i} after hash_size is not zero`);
  info.setU32("type", map.map_type);
  info.setU32("id", map.id);
  info.setU32("key_size", map.key_size);
  info.setU32("value_size", map.value_size);
  info.setU32("max_entries", map.max_entries);
  info.setU32("map_flags", map.map_flags);
  info.setU64("map_extra", map.map_extra);
  info.setBytes("name", map.name);
  // btf_id and the key/value type ids are only written for a map with BTF.
  const mapBtf = bpf_map_btf(map);
  if (mapBtf !== undefined) {
    info.setU32("btf_id", mapBtf.id ?? 0);
    info.setU32("btf_key_type_id", map.btf_key_type_id);
    info.setU32("btf_value_type_id", map.btf_value_type_id);
  }
  info.setU32("btf_vmlinux_value_type_id", map.btf_vmlinux_value_type_id);
  const hash = info.u64("hash");
  const hash_size = info.u32("hash_size");
  if (hash !== 0n) {
    const get_hash = (map.ops as { map_get_hash?: (m: BpfMap) => Uint8Array }).map_get_hash;
    if (get_hash === undefined) return t.fail(-EINVAL, `info.hash: ${map.ops.name} has no map_get_hash (only ARRAY maps can be hashed)`);
    if (hash_size !== 32) return t.fail(-EINVAL, `info.hash_size ${hash_size} must be 32 (SHA256_DIGEST_SIZE)`);
    // Only a frozen map's contents are final, so only those are hashed.
    if (!map.frozen) return t.fail(-EPERM, "info.hash: the map must be frozen first");
    if (t.memory.copyOut(hash, get_hash(map)) !== 0) return t.fail(-EFAULT, "info.hash: writing 32 bytes faulted");
  } else if (hash_size) {
    return t.fail(-EINVAL, "info.hash_size is set without info.hash");
  }
  return infoEpilogue(c, info, len, uinfo, true);
}

export function bpf_token_get_info_by_fd(c: Call, f: File): number {
  const { t } = c;
  const layout = t.kernel.tables.structs["bpf_token_info"];
  if (layout === undefined) return t.fail(-EINVAL, "this ABI has no bpf_token_info");
  // bpf_token_get_info_by_fd(): tail check, then fill without reading the user's buffer.
  const uinfo = c.attr.u64("info.info");
  let len = c.attr.u32("info.info_len");
  const err = bpf_check_uarg_tail_zero(t, uinfo, layout.size, len, "info (bpf_token_info)");
  if (err) return err;
  len = Math.min(len, layout.size);
  const tok = f.private_data as BpfToken;
  const info = new InfoBuf(layout);
  info.setU64("allowed_cmds", tok.allowed_cmds);
  info.setU64("allowed_maps", tok.allowed_maps);
  info.setU64("allowed_progs", tok.allowed_progs);
  info.setU64("allowed_attachs", tok.allowed_attachs);
  return infoEpilogue(c, info, len, uinfo, true);
}

export function btf_get_info_by_fd(c: Call, f: File): number {
  return btfInfo(c, f.private_data as BtfObj);
}

/**
 * bpf_insn_prepare_dump() for a reader without bpf_dump_raw_ok(): every call's
 * imm (kernel text offsets, subprogram numbers) reads 0. kallsyms_show_value()
 * with kptr_restrict 0 and perf_event_paranoid 2 (the reference host) asks for
 * CAP_SYSLOG; the caller stands in for the credentials the fd was opened with.
 */
function hideCallImms(xlated: Uint8Array): Uint8Array {
  const out = xlated.slice();
  const dv = new DataView(out.buffer);
  for (let o = 0; o + 8 <= out.length; o += 8) {
    if (out[o] === 0x85) dv.setInt32(o + 4, 0, true);
    else if (out[o] === 0x18) o += 8;
  }
  return out;
}

/** bpf_prog_info's *_rec_size values: sizeof(bpf_func_info), sizeof(bpf_line_info), sizeof(__u64). */
const FUNC_INFO_REC = 8;
const LINE_INFO_REC = 16;
const JITED_LINE_INFO_REC = 8;

/**
 * bpf_prog_get_info_by_fd(): the caller's bytes are the starting point (the
 * counts and pointers are inputs), map ids are written before the record
 * sizes are checked, and a caller without CAP_BPF sees no instruction
 * dumps. The emulator has no JIT image: jited_prog_len is 0, one ksym and
 * one function length are counted (both written as 0).
 */
export function bpf_prog_get_info_by_fd(c: Call, f: File): number {
  const { t } = c;
  const layout = t.kernel.tables.structs["bpf_prog_info"];
  if (layout === undefined) return t.fail(-EINVAL, "this ABI has no bpf_prog_info");
  const p = infoPrologue(c, layout);
  if (typeof p === "number") return p;
  const { len, uinfo } = p;
  const info = p.buf;
  const prog = f.private_data as BpfProg;
  const funcCnt = prog.subprog_starts.length > 1 ? prog.subprog_starts.length : 0;
  info.setU32("type", prog.type);
  info.setU32("id", prog.id);
  info.setU64("load_time", prog.load_time);
  info.setU32("created_by_uid", prog.created_by_uid);
  info.setU32("gpl_compatible", (info.u32("gpl_compatible") & ~1) | (prog.gpl_compatible ? 1 : 0));
  info.setBytes("tag", prog.tag);
  info.setBytes("name", prog.name);

  let ulen = info.u32("nr_map_ids");
  info.setU32("nr_map_ids", prog.used_maps.length);
  ulen = Math.min(ulen, prog.used_maps.length);
  const ids = new Uint8Array(4);
  for (let i = 0; i < ulen; i++) {
    new DataView(ids.buffer).setUint32(0, prog.used_maps[i]!.id, true);
    if (t.memory.copyOut(info.u64("map_ids") + BigInt(i * 4), ids) !== 0) return t.fail(-EFAULT, `info.map_ids: writing map id ${i} faulted`);
  }
  // set_info_rec_size()
  if ((info.u32("nr_func_info") || info.u32("func_info_rec_size")) && info.u32("func_info_rec_size") !== FUNC_INFO_REC) return t.fail(-EINVAL, `info.func_info_rec_size ${info.u32("func_info_rec_size")} must be ${FUNC_INFO_REC}`);
  if ((info.u32("nr_line_info") || info.u32("line_info_rec_size")) && info.u32("line_info_rec_size") !== LINE_INFO_REC) return t.fail(-EINVAL, `info.line_info_rec_size ${info.u32("line_info_rec_size")} must be ${LINE_INFO_REC}`);
  if ((info.u32("nr_jited_line_info") || info.u32("jited_line_info_rec_size")) && info.u32("jited_line_info_rec_size") !== JITED_LINE_INFO_REC) return t.fail(-EINVAL, `info.jited_line_info_rec_size ${info.u32("jited_line_info_rec_size")} must be ${JITED_LINE_INFO_REC}`);
  info.setU32("func_info_rec_size", FUNC_INFO_REC);
  info.setU32("line_info_rec_size", LINE_INFO_REC);
  info.setU32("jited_line_info_rec_size", JITED_LINE_INFO_REC);
  // bpf_prog_get_stats(): run statistics are only gathered with ENABLE_STATS, which test runs here do not count.
  info.setU64("run_time_ns", 0n);
  info.setU64("run_cnt", 0n);
  info.setU64("recursion_misses", 0n);
  info.setU32("verified_insns", prog.verified_insns);

  if (!t.bpf_capable()) {
    for (const n of ["jited_prog_len", "xlated_prog_len", "nr_jited_ksyms", "nr_jited_func_lens", "nr_func_info", "nr_line_info", "nr_jited_line_info"]) info.setU32(n, 0);
    return infoEpilogue(c, info, len, uinfo, true);
  }

  ulen = info.u32("xlated_prog_len");
  info.setU32("xlated_prog_len", prog.xlated.length);
  if (prog.xlated.length && ulen) {
    const n = Math.min(prog.xlated.length, ulen);
    const dump = t.capable(CAP.SYSLOG) ? prog.xlated : hideCallImms(prog.xlated);
    if (t.memory.copyOut(info.u64("xlated_prog_insns"), dump.subarray(0, n)) !== 0) return t.fail(-EFAULT, "info.xlated_prog_insns: writing the instructions faulted");
  }
  // No JIT image: jited_prog_len 0, so nothing is copied.
  info.setU32("jited_prog_len", 0);
  const zero8 = new Uint8Array(8);
  ulen = info.u32("nr_jited_ksyms");
  info.setU32("nr_jited_ksyms", funcCnt || 1);
  for (let i = 0; i < Math.min(ulen, funcCnt || 1); i++)
    if (t.memory.copyOut(info.u64("jited_ksyms") + BigInt(i * 8), zero8) !== 0) return t.fail(-EFAULT, "info.jited_ksyms: write faulted");
  ulen = info.u32("nr_jited_func_lens");
  info.setU32("nr_jited_func_lens", funcCnt || 1);
  for (let i = 0; i < Math.min(ulen, funcCnt || 1); i++)
    if (t.memory.copyOut(info.u64("jited_func_lens") + BigInt(i * 4), zero8.subarray(0, 4)) !== 0) return t.fail(-EFAULT, "info.jited_func_lens: write faulted");
  // The program's BTF (check_btf_info_early); without one the caller's btf_id stays as it was.
  const bi = prog.btf_info;
  if (bi && bi.btf.id !== undefined) info.setU32("btf_id", bi.btf.id);
  info.setU32("attach_btf_id", 0);
  // func_info: the kernel's records, insn_off moved to the xlated starts (adjust_btf_func after the fixups).
  ulen = info.u32("nr_func_info");
  const fi = bi?.func_info ?? [];
  info.setU32("nr_func_info", fi.length);
  if (fi.length && ulen) {
    const n = Math.min(fi.length, ulen);
    const out = new Uint8Array(n * FUNC_INFO_REC);
    const dv = new DataView(out.buffer);
    for (let i = 0; i < n; i++) {
      dv.setUint32(i * 8, xlatedOffset(prog, fi[i]!.insn_off), true);
      dv.setUint32(i * 8 + 4, fi[i]!.type_id, true);
    }
    if (t.memory.copyOut(info.u64("func_info"), out) !== 0) return t.fail(-EFAULT, "info.func_info: writing the records faulted");
  }
  ulen = info.u32("nr_line_info");
  const li = bi?.linfo ?? [];
  info.setU32("nr_line_info", li.length);
  if (li.length && ulen) {
    const n = Math.min(li.length, ulen);
    const out = new Uint8Array(n * LINE_INFO_REC);
    const dv = new DataView(out.buffer);
    for (let i = 0; i < n; i++) {
      const r = li[i]!;
      dv.setUint32(i * 16, xlatedOffset(prog, r.insn_off), true);
      dv.setUint32(i * 16 + 4, r.file_name_off, true);
      dv.setUint32(i * 16 + 8, r.line_off, true);
      dv.setUint32(i * 16 + 12, r.line_col, true);
    }
    if (t.memory.copyOut(info.u64("line_info"), out) !== 0) return t.fail(-EFAULT, "info.line_info: writing the records faulted");
  }
  // jited_line_info: the reference host JITs every program, so there is one address per line_info
  // record (aux->jited_linfo); the emulator has no image and writes each address as 0, as jited_ksyms.
  ulen = info.u32("nr_jited_line_info");
  info.setU32("nr_jited_line_info", li.length);
  if (li.length && ulen) {
    const n = Math.min(li.length, ulen);
    for (let i = 0; i < n; i++)
      if (t.memory.copyOut(info.u64("jited_line_info") + BigInt(i * 8), zero8) !== 0) return t.fail(-EFAULT, "info.jited_line_info: write faulted");
  }
  ulen = info.u32("nr_prog_tags");
  info.setU32("nr_prog_tags", funcCnt || 1);
  if (ulen) {
    // Per-subprogram tags would need the split functions; the whole program's tag stands for the first.
    for (let i = 0; i < Math.min(ulen, funcCnt || 1); i++)
      if (t.memory.copyOut(info.u64("prog_tags") + BigInt(i * 8), prog.tag) !== 0) return t.fail(-EFAULT, "info.prog_tags: write faulted");
  }
  return infoEpilogue(c, info, len, uinfo, true);
}

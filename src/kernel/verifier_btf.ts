// SPDX-License-Identifier: GPL-2.0-only
// BTF func_info / line_info of PROG_LOAD (kernel/bpf/verifier.c): the
// prog_btf_fd lookup and the func_info records read before the subprograms
// are found (check_btf_info_early, check_btf_func_early), their match with
// the subprograms and the line_info records afterwards (check_btf_info,
// check_btf_func, check_btf_line), the source lines the verifier log prints
// (verbose_linfo, kernel/bpf/log.c) and what the loaded program keeps
// (adjust_btf_func). bpf_check (verifier.ts) calls these through the
// BtfInfoHooks interface.

import { E2BIG, EACCES, EBADF, EFAULT, EINVAL, ENOMEM } from "../abi/errno.ts";
import { BTF_KIND, btf_get, btf_put, btf_fops, type Btf, type BtfObj } from "./btf.ts";
import { bpf_check_uarg_tail_zero, INT_MAX, put_user_u32, type Call } from "./syscall.ts";
import type { VLog } from "./vlog.ts";
import { loadOffs } from "./objects.ts";
import { decodeLatin1 } from "../abi/text.ts";
import { concatBytes } from "../abi/bytes.ts";

export interface FuncInfoRec {
  insn_off: number;
  type_id: number;
}

export interface LineInfoRec {
  insn_off: number;
  file_name_off: number;
  line_off: number;
  line_col: number;
}

/** What a loaded program keeps of its BTF (prog->aux->btf, func_info, func_info_aux, linfo). */
export interface ProgBtfInfo {
  readonly btf: BtfObj;
  readonly func_info: readonly FuncInfoRec[];
  /** func_info_aux[i].linkage: BTF_FUNC_STATIC 0, GLOBAL 1, EXTERN 2. */
  readonly linkage: readonly number[];
  readonly linfo: readonly LineInfoRec[];
}

export interface HookResult {
  err: number;
  reason: string;
}

/** The calls bpf_check makes into this module (verifier.ts imports only this type). */
export interface BtfInfoHooks {
  /** check_btf_info_early(), before add_subprog_and_kfunc. */
  early(): HookResult | null;
  /** check_btf_info(), after check_subprogs; `starts` are the subprogram starts, `insns` the raw instructions. */
  late(starts: readonly number[], insns: Uint8Array): HookResult | null;
  /** do_check_common(): env->prev_linfo = NULL. */
  resetLinfo(): void;
  /** verbose_linfo(): the source line of an instruction when it differs from the last one printed. */
  verboseLinfo(insn_off: number, prefix: string): void;
  /** btf_prepare_func_args() of the main program, for its log lines. */
  prepareMain(progType: number): void;
  /**
   * btf_check_subprog_call(): the caller's registers against the callee's BTF prototype. A mismatch marks
   * the BTF unreliable; the verifier refuses the call only for a global callee (the result is its error).
   */
  checkSubprogCall(subprog: number, reg: (regno: number) => ArgReg): HookResult | null;
  /** The argument kinds of a global subprogram for its own walk (do_check_common), or a bpfemu refusal. */
  globalArgs(subprog: number): ArgKind[] | HookResult;
  /** Whether subprogram i has global linkage (subprog_is_global). */
  isGlobal(i: number): boolean;
  /** The subprogram's BTF name, for the log. */
  subprogName(i: number): string;
}

/** sizeof(struct bpf_func_info), the minimum user record (MIN_BPF_FUNCINFO_SIZE) and the maximum (MAX_FUNCINFO_REC_SIZE). */
const FUNC_INFO_SIZE = 8;
const MIN_FUNCINFO_SIZE = 8;
const MAX_REC_SIZE = 252;
/** sizeof(struct bpf_line_info) = MIN_BPF_LINEINFO_SIZE (offsetofend(line_col)). */
const LINE_INFO_SIZE = 16;
/** sizeof(struct bpf_core_relo) */
const CORE_RELO_SIZE = 16;

const BPF_FUNC_tail_call = 12;


/** The records of a load without func_info, linkage or line_info: shared and frozen. */
const NO_RECORDS: readonly never[] = Object.freeze([]);

/** The per-load state: created by bpf_prog_load_verify, handed to bpf_check, kept by the program on success. */
export class ProgBtfLoad implements BtfInfoHooks {
  private readonly c: Call;
  private readonly log: VLog;
  btf: BtfObj | null = null;
  // Until the load brings records, one shared empty array each (most loads have none): each is replaced, never written into.
  func_info: readonly FuncInfoRec[] = NO_RECORDS;
  linkage: readonly number[] = NO_RECORDS;
  linfo: readonly LineInfoRec[] = NO_RECORDS;
  private prev_linfo = -1;
  // Made on first use: a load without BTF func_info never needs them.
  private unreliableOrNull: Set<number> | null = null;
  private argsOrNull: Map<number, ArgKind[]> | null = null;
  /** func_info_aux[i].unreliable: the BTF prototype did not match a call. */
  private get unreliable(): Set<number> {
    return (this.unreliableOrNull ??= new Set());
  }
  /** sub->args once btf_prepare_func_args succeeded. */
  private get args(): Map<number, ArgKind[]> {
    return (this.argsOrNull ??= new Map());
  }
  private progType = 0;
  /** prog->len, for find_linfo's bound. */
  private len = 0;

  /** process_fd_array(), which bpf_check runs just before check_btf_info_early (objects.ts). */
  private readonly pre: (() => HookResult) | null;

  constructor(c: Call, log: VLog, pre: (() => HookResult) | null = null) {
    this.c = c;
    this.log = log;
    this.pre = pre;
  }

  private get parsed(): Btf {
    return this.btf!.parsed!;
  }

  private fail(err: number, msg: string | null, reason?: string): HookResult {
    if (msg !== null) this.log.write(msg);
    return { err, reason: reason ?? (msg ?? "").trim() };
  }

  /** check_btf_info_early() */
  early(): HookResult | null {
    const { attr } = this.c;
    if (this.pre) {
      const r = this.pre();
      if (r.err) return r;
    }
    const o = loadOffs(attr);
    if (!attr.u32At(o.func_info_cnt) && !attr.u32At(o.line_info_cnt)) return null;
    // btf_get_by_fd(): EBADF for a closed fd, EINVAL for a file that is not BTF; the kernel's own BTF is refused.
    const fd = attr.u32("prog_btf_fd");
    const f = this.c.t.files.get(fd | 0);
    if (f === undefined) return this.fail(-EBADF, null, `prog_btf_fd ${fd | 0} is not open`);
    if (f.f_op !== btf_fops) return this.fail(-EINVAL, null, `prog_btf_fd ${fd} is not a BTF object (${f.f_op.name})`);
    const b = f.private_data as BtfObj;
    if (b.kernel || b.parsed === undefined) return this.fail(-EACCES, null, `prog_btf_fd ${fd} is the kernel's BTF`);
    btf_get(b);
    this.btf = b;
    return this.funcEarly();
  }

  /** check_btf_func_early(): record size, each record's tail, insn_off order, FUNC type ids. */
  private funcEarly(): HookResult | null {
    const { t, attr } = this.c;
    const nfuncs = attr.u32("func_info_cnt");
    if (!nfuncs) return null;
    const urec = attr.u32("func_info_rec_size");
    if (urec < MIN_FUNCINFO_SIZE || urec > MAX_REC_SIZE || urec % 4) return this.fail(-EINVAL, `invalid func info rec size ${urec}\n`);
    // kvcalloc(nfuncs, 8): more than INT_MAX bytes is refused before anything is read.
    if (nfuncs * FUNC_INFO_SIZE > INT_MAX) return this.fail(-ENOMEM, null, `func_info_cnt ${nfuncs}: kvcalloc of ${nfuncs * 8} bytes fails`);
    const btf = this.parsed;
    const min = Math.min(FUNC_INFO_SIZE, urec);
    let uaddr = attr.u64("func_info");
    let prev = 0;
    const rec = new Uint8Array(8);
    const dv = new DataView(rec.buffer);
    const out: FuncInfoRec[] = [];
    for (let i = 0; i < nfuncs; i++) {
      const e = bpf_check_uarg_tail_zero(t, uaddr, FUNC_INFO_SIZE, urec, `func_info[${i}]`);
      if (e) {
        if (e === -E2BIG) {
          this.log.write("nonzero tailing record in func info");
          // The kernel tells the loader the size it expects, so that it can zero the rest.
          if (put_user_u32(this.c, "func_info_rec_size", min)) return { err: -EFAULT, reason: "writing func_info_rec_size back faulted" };
          return { err: e, reason: `func_info[${i}]: nonzero bytes past the 8 the kernel knows` };
        }
        return { err: e, reason: `func_info[${i}]: the record's tail is not readable` };
      }
      if (t.memory.copyIn(rec, uaddr, min) !== 0) return { err: -EFAULT, reason: `func_info[${i}] at 0x${uaddr.toString(16)} is not readable` };
      const r = { insn_off: dv.getUint32(0, true), type_id: dv.getUint32(4, true) };
      if (i === 0) {
        if (r.insn_off) return this.fail(-EINVAL, `nonzero insn_off ${r.insn_off} for the first func info record`);
      } else if (r.insn_off <= prev) return this.fail(-EINVAL, `same or smaller insn offset (${r.insn_off}) than previous func info record (${prev})`);
      const ty = btf.typeById(r.type_id);
      if (ty === undefined || btf.kind(ty) !== BTF_KIND.FUNC) return this.fail(-EINVAL, `invalid type id ${r.type_id | 0} in func info`);
      // BTF_LOAD already checked that a FUNC points at a FUNC_PROTO (btf_func_check).
      prev = r.insn_off;
      out.push(r);
      uaddr += BigInt(urec);
    }
    this.func_info = out;
    return null;
  }

  /** check_btf_info() */
  late(starts: readonly number[], insns: Uint8Array): HookResult | null {
    const { attr } = this.c;
    this.len = insns.length / 8;
    const o = loadOffs(attr);
    const noInfo = !attr.u32At(o.func_info_cnt) && !attr.u32At(o.line_info_cnt);
    // check_abnormal_return() looks at subprograms past the main one only: with none, the flags are not needed.
    if (noInfo && starts.length === 1) return null;
    const flags = subprogFlags(starts, insns);
    if (noInfo) return checkAbnormalReturn(this.log, flags);
    return this.func(starts, flags) ?? this.line(starts, insns) ?? this.coreRelo(insns);
  }

  /** check_core_relo(): the records are checked as in the kernel; applying one (bpf_core_apply) is not emulated. */
  private coreRelo(insns: Uint8Array): HookResult | null {
    const { t, attr } = this.c;
    const nr = attr.u32("core_relo_cnt");
    if (!nr) return null;
    if (nr > Math.floor(INT_MAX / CORE_RELO_SIZE)) return { err: -EINVAL, reason: `core_relo_cnt ${nr} is over INT_MAX / 16` };
    const rs = attr.u32("core_relo_rec_size");
    if (rs < CORE_RELO_SIZE || rs > MAX_REC_SIZE || rs % 4) return { err: -EINVAL, reason: `core_relo_rec_size ${rs} is not a multiple of 4 in [16, 252]` };
    const uaddr = attr.u64("core_relos");
    const len = insns.length / 8;
    const e = bpf_check_uarg_tail_zero(t, uaddr, CORE_RELO_SIZE, rs, "core_relos[0]");
    if (e) {
      if (e === -E2BIG) {
        this.log.write("nonzero tailing record in core_relo");
        if (put_user_u32(this.c, "core_relo_rec_size", CORE_RELO_SIZE)) return { err: -EFAULT, reason: "writing core_relo_rec_size back faulted" };
      }
      return { err: e, reason: "core_relos[0]: nonzero or unreadable bytes past the 16 the kernel knows" };
    }
    const rec = new Uint8Array(4);
    if (t.memory.copyIn(rec, uaddr, 4) !== 0) return { err: -EFAULT, reason: `core_relos[0] at 0x${uaddr.toString(16)} is not readable` };
    const off = new DataView(rec.buffer).getUint32(0, true);
    if (off % 8 || Math.floor(off / 8) >= len) return this.fail(-EINVAL, `Invalid core_relo[0].insn_off:${off} prog->len:${len}\n`);
    return { err: -EINVAL, reason: "bpfemu: CO-RE relocations (bpf_core_apply) are not emulated" };
  }

  /** check_btf_func(): one record per subprogram, at its start; LD_ABS and tail calls only in int-returning subprograms. */
  private func(starts: readonly number[], flags: readonly SubFlags[]): HookResult | null {
    const nfuncs = this.c.attr.u32("func_info_cnt");
    if (!nfuncs) return checkAbnormalReturn(this.log, flags);
    if (nfuncs !== starts.length) return this.fail(-EINVAL, "number of funcs in func_info doesn't match number of subprogs\n");
    const btf = this.parsed;
    const linkage: number[] = [];
    for (let i = 0; i < nfuncs; i++) {
      const r = this.func_info[i]!;
      if (starts[i] !== r.insn_off) return this.fail(-EINVAL, "func_info BTF section doesn't match subprog layout in BPF program\n");
      const ty = btf.typeById(r.type_id)!;
      linkage.push(btf.vlen(ty));
      const proto = btf.typeById(btf.sizeType(ty))!;
      const ret = skipModifiers(btf, btf.sizeType(proto));
      const scalar = ret !== undefined && ((btf.kind(ret) === BTF_KIND.INT && btf.sizeType(ret) <= 8) || btf.kind(ret) === BTF_KIND.ENUM || btf.kind(ret) === BTF_KIND.ENUM64);
      if (i && !scalar && flags[i]!.ld_abs) return this.fail(-EINVAL, "LD_ABS is only allowed in functions that return 'int'.\n");
      if (i && !scalar && flags[i]!.tail_call) return this.fail(-EINVAL, "tail_call is only allowed in functions that return 'int'.\n");
    }
    this.linkage = linkage;
    return null;
  }

  /** check_btf_line(): strictly increasing offsets inside the program, on real instructions, valid strings, one at each subprogram start. */
  private line(starts: readonly number[], insns: Uint8Array): HookResult | null {
    const { t, attr } = this.c;
    const nr = attr.u32("line_info_cnt");
    if (!nr) return null;
    if (nr > Math.floor(INT_MAX / LINE_INFO_SIZE)) return { err: -EINVAL, reason: `line_info_cnt ${nr} is over INT_MAX / 16` };
    const rs = attr.u32("line_info_rec_size");
    if (rs < LINE_INFO_SIZE || rs > MAX_REC_SIZE || rs & 3) return { err: -EINVAL, reason: `line_info_rec_size ${rs} is not a multiple of 4 in [16, 252]` };
    const btf = this.parsed;
    const len = insns.length / 8;
    const ncopy = Math.min(LINE_INFO_SIZE, rs);
    let uaddr = attr.u64("line_info");
    let prev = 0;
    let s = 0;
    const rec = new Uint8Array(LINE_INFO_SIZE);
    const dv = new DataView(rec.buffer);
    const out: LineInfoRec[] = [];
    for (let i = 0; i < nr; i++) {
      const e = bpf_check_uarg_tail_zero(t, uaddr, LINE_INFO_SIZE, rs, `line_info[${i}]`);
      if (e) {
        if (e === -E2BIG) {
          this.log.write("nonzero tailing record in line_info");
          if (put_user_u32(this.c, "line_info_rec_size", LINE_INFO_SIZE)) return { err: -EFAULT, reason: "writing line_info_rec_size back faulted" };
          return { err: e, reason: `line_info[${i}]: nonzero bytes past the 16 the kernel knows` };
        }
        return { err: e, reason: `line_info[${i}]: the record's tail is not readable` };
      }
      if (t.memory.copyIn(rec, uaddr, ncopy) !== 0) return { err: -EFAULT, reason: `line_info[${i}] at 0x${uaddr.toString(16)} is not readable` };
      const r = { insn_off: dv.getUint32(0, true), file_name_off: dv.getUint32(4, true), line_off: dv.getUint32(8, true), line_col: dv.getUint32(12, true) };
      if ((i && r.insn_off <= prev) || r.insn_off >= len)
        return this.fail(-EINVAL, `Invalid line_info[${i}].insn_off:${r.insn_off} (prev_offset:${prev} prog->len:${len})\n`);
      if (insns[r.insn_off * 8] === 0) return this.fail(-EINVAL, `Invalid insn code at line_info[${i}].insn_off\n`);
      if (btf.nameBytes(r.line_off) === null || btf.nameBytes(r.file_name_off) === null) return this.fail(-EINVAL, `Invalid line_info[${i}].line_off or .file_name_off\n`);
      if (s !== starts.length) {
        if (r.insn_off === starts[s]) s++;
        else if (starts[s]! < r.insn_off) return this.fail(-EINVAL, `missing bpf_line_info for func#${s}\n`);
      }
      prev = r.insn_off;
      out.push(r);
      uaddr += BigInt(rs);
    }
    if (s !== starts.length) return this.fail(-EINVAL, `missing bpf_line_info for ${starts.length - s} funcs starting from func#${s}\n`);
    this.linfo = out;
    return null;
  }

  resetLinfo(): void {
    this.prev_linfo = -1;
  }

  /** find_linfo(): the last record at or before the instruction. */
  private findLinfo(insn_off: number, len: number): number {
    const l = this.linfo;
    if (!l.length || insn_off >= len) return -1;
    let lo = 0;
    let hi = l.length - 1;
    while (lo < hi) {
      const m = lo + ((hi - lo + 1) >> 1);
      if (l[m]!.insn_off <= insn_off) lo = m;
      else hi = m - 1;
    }
    return lo;
  }

  /** verbose_linfo(): "<prefix><source line, leading blanks trimmed> @ <file's last path component>:<line>" (three log writes, as the kernel's). */
  verboseLinfo(insn_off: number, prefix: string): void {
    if (!this.log.needed) return;
    const i = this.findLinfo(insn_off, this.len);
    const p = this.prev_linfo;
    if (i < 0 || i === p) return;
    const r = this.linfo[i]!;
    // Records that differ only in the column print nothing new: the log has no columns.
    if (p >= 0 && r.file_name_off === this.linfo[p]!.file_name_off && r.line_col >>> 10 === this.linfo[p]!.line_col >>> 10) return;
    const btf = this.parsed;
    if (prefix) this.log.write(prefix);
    const src = btf.nameBytes(r.line_off) ?? new Uint8Array();
    let k = 0;
    // ltrim(): isspace is ' ', \t, \n, \v, \f, \r.
    while (k < src.length && (src[k] === 0x20 || (src[k]! >= 9 && src[k]! <= 13))) k++;
    this.log.writeBytes(src.subarray(k));
    const file = btf.nameBytes(r.file_name_off) ?? new Uint8Array();
    const slash = file.lastIndexOf(0x2f);
    this.log.writeBytes(concatBytes(encodeAscii(" @ "), slash < 0 ? file : file.subarray(slash + 1), encodeAscii(`:${r.line_col >>> 10}\n`)));
    this.prev_linfo = i;
  }

  /**
   * do_check_common() for the main program: with func_info, btf_prepare_func_args(env, 0)
   * runs for its log messages only (a failure marks the BTF unreliable, the walk goes on).
   */
  prepareMain(progType: number): void {
    this.progType = progType;
    if (!this.btf || !this.func_info.length) return;
    const r = this.prepare(0);
    // do_check_common(): a main program whose prototype is not (ctx) has unreliable BTF.
    if (!Array.isArray(r) || r.length !== 1 || r[0] !== "ctx") this.unreliable.add(0);
  }

  checkSubprogCall(subprog: number, reg: (regno: number) => ArgReg): HookResult | null {
    // Without func_info there is nothing to check (-EINVAL, which no caller looks at).
    if (!this.btf || !this.func_info.length || subprog < 0) return { err: -EINVAL, reason: "no func_info" };
    if (this.unreliable.has(subprog)) return { err: -EINVAL, reason: "unreliable BTF" };
    const r = this.prepare(subprog);
    if (!Array.isArray(r)) {
      this.unreliable.add(subprog);
      return r;
    }
    // btf_check_func_arg_match()
    const bad = (msg: string): HookResult => {
      this.log.write(msg);
      this.unreliable.add(subprog);
      return { err: -EINVAL, reason: msg.trim() };
    };
    for (let i = 0; i < r.length; i++) {
      const a = reg(i + 1);
      if (r[i] === "any" && a.kind !== "scalar") return bad(`R${i + 1} is not a scalar\n`);
      if (r[i] === "ctx") {
        // check_func_arg_reg_off() → __check_ptr_off_reg(): -EACCES for a moved ctx pointer.
        if (a.kind === "ctx" && a.off) {
          const e = bad(a.off < 0 ? `negative offset ctx ptr R${i + 1} off=${a.off} disallowed\n` : `dereference of modified ctx ptr R${i + 1} off=${a.off} disallowed\n`);
          return { err: -EACCES, reason: e.reason };
        }
        if (a.kind !== "ctx") return bad(`arg#${i} expects pointer to ctx\n`);
      }
      if (r[i] === "mem") {
        // check_mem_reg(): NULL is fine (the argument may be NULL); a scalar is no memory.
        if (a.kind === "scalar" && a.isNull) continue;
        if (a.kind === "scalar") {
          this.log.write(`R${i + 1} type=scalar `);
          this.log.write("expected=fp\n");
          this.unreliable.add(subprog);
          return { err: -EINVAL, reason: `R${i + 1} type=scalar expected=fp` };
        }
        return { err: -EINVAL, reason: `bpfemu: arg#${i} of ${this.subprogName(subprog)}() is a pointer to memory (PTR_TO_MEM), which is not emulated` };
      }
    }
    return null;
  }

  /** btf_prepare_func_args() with its result cached (sub->args_cached); failures are not cached and log again. */
  private prepare(subprog: number): ArgKind[] | HookResult {
    const cached = this.args.get(subprog);
    if (cached) return cached;
    const r = prepareFuncArgs(this.parsed, this.func_info[subprog]!.type_id, this.linkage[subprog] === 1, this.progType, this.log);
    if (r.err || !r.args) return { err: r.err, reason: r.reason };
    this.args.set(subprog, r.args);
    return r.args;
  }

  globalArgs(subprog: number): ArgKind[] | HookResult {
    const r = this.prepare(subprog);
    if (Array.isArray(r) && r.includes("mem")) return { err: -EINVAL, reason: `bpfemu: ${this.subprogName(subprog)}() takes a pointer to memory (PTR_TO_MEM), which is not emulated` };
    return r;
  }

  isGlobal(i: number): boolean {
    return this.linkage[i] === 1;
  }

  subprogName(i: number): string {
    if (!this.btf || !this.func_info[i]) return "";
    const btf = this.parsed;
    const ty = btf.typeById(this.func_info[i]!.type_id);
    if (ty === undefined) return "";
    return decodeLatin1(btf.nameBytes(btf.nameOff(ty)) ?? new Uint8Array());
  }

  /** adjust_btf_func() and the hand-over to the program: func_info insn_off become the (xlated) subprogram starts. */
  commit(starts: readonly number[]): ProgBtfInfo | null {
    if (this.btf === null) return null;
    const fi = this.func_info.map((r, i) => ({ insn_off: starts[i] ?? r.insn_off, type_id: r.type_id }));
    const info: ProgBtfInfo = { btf: this.btf, func_info: fi, linkage: this.linkage, linfo: this.linfo };
    this.btf = null;
    return info;
  }

  /** The failed load drops its BTF reference (__bpf_prog_put_noref → btf_put). */
  release(): void {
    if (this.btf) btf_put(this.btf);
    this.btf = null;
  }
}

interface SubFlags {
  ld_abs: boolean;
  tail_call: boolean;
}

/** check_subprogs()'s has_ld_abs / has_tail_call per subprogram. */
function subprogFlags(starts: readonly number[], insns: Uint8Array): SubFlags[] {
  const dv = new DataView(insns.buffer, insns.byteOffset, insns.byteLength);
  const out: SubFlags[] = starts.map(() => ({ ld_abs: false, tail_call: false }));
  let cur = 0;
  const n = insns.length / 8;
  for (let i = 0; i < n; i++) {
    while (cur + 1 < starts.length && i >= starts[cur + 1]!) cur++;
    const code = insns[i * 8]!;
    // BPF_LD | BPF_ABS / BPF_IND
    if ((code & 7) === 0 && ((code & 0xe0) === 0x20 || (code & 0xe0) === 0x40)) out[cur]!.ld_abs = true;
    if (code === 0x85 && insns[i * 8 + 1]! >> 4 === 0 && dv.getInt32(i * 8 + 4, true) === BPF_FUNC_tail_call) out[cur]!.tail_call = true;
  }
  return out;
}

/** check_abnormal_return(): without BTF, no subprogram may use LD_ABS or tail calls. */
function checkAbnormalReturn(log: VLog, flags: readonly SubFlags[]): HookResult | null {
  for (let i = 1; i < flags.length; i++) {
    if (flags[i]!.ld_abs) {
      log.write("LD_ABS is not allowed in subprogs without BTF\n");
      return { err: -EINVAL, reason: "LD_ABS is not allowed in subprogs without BTF" };
    }
    if (flags[i]!.tail_call) {
      log.write("tail_call is not allowed in subprogs without BTF\n");
      return { err: -EINVAL, reason: "tail_call is not allowed in subprogs without BTF" };
    }
  }
  return null;
}

/** btf_type_skip_modifiers(): through typedef, volatile, const, restrict and type tags. */
function skipModifiers(btf: Btf, id: number): number | undefined {
  let ty = btf.typeById(id);
  let guard = 0;
  while (ty !== undefined && id !== 0 && guard++ < 64) {
    const k = btf.kind(ty);
    if (k !== BTF_KIND.TYPEDEF && k !== BTF_KIND.VOLATILE && k !== BTF_KIND.CONST && k !== BTF_KIND.RESTRICT && k !== BTF_KIND.TYPE_TAG) break;
    id = btf.sizeType(ty);
    ty = btf.typeById(id);
  }
  return id === 0 ? undefined : ty;
}

function encodeAscii(s: string): Uint8Array {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i) & 0xff;
  return b;
}


/** The BTF object a program holds, for prog info and the final put. */
export function prog_btf_put(info: ProgBtfInfo | null): void {
  if (info) btf_put(info.btf);
}

const KIND_STR = ["UNKNOWN", "INT", "PTR", "ARRAY", "STRUCT", "UNION", "ENUM", "FWD", "TYPEDEF", "VOLATILE", "CONST", "RESTRICT", "FUNC", "FUNC_PROTO", "VAR", "DATASEC", "FLOAT", "DECL_TAG", "TYPE_TAG", "ENUM64"] as const;
/** MAX_BPF_FUNC_REG_ARGS */
const MAX_ARGS = 5;

/** btf_type_str() */
function typeStr(btf: Btf, ty: number): string {
  return KIND_STR[btf.kind(ty)] ?? "UNKNOWN";
}

function nameOf(btf: Btf, ty: number): string {
  return decodeLatin1(btf.nameBytes(btf.nameOff(ty)) ?? new Uint8Array());
}

/** btf_type_is_modifier(): typedef, volatile, const, restrict, type tag. */
function isModifier(btf: Btf, ty: number): boolean {
  const k = btf.kind(ty);
  return k === BTF_KIND.TYPEDEF || k === BTF_KIND.VOLATILE || k === BTF_KIND.CONST || k === BTF_KIND.RESTRICT || k === BTF_KIND.TYPE_TAG;
}

/** Follows modifiers from type id `id`; returns the type's offset (VOID is btf.typeById(0)). */
function skipMods(btf: Btf, id: number): number {
  let ty = btf.typeById(id) ?? btf.typeById(0)!;
  for (let g = 0; g < 64 && isModifier(btf, ty); g++) ty = btf.typeById(btf.sizeType(ty)) ?? btf.typeById(0)!;
  return ty;
}

/** __btf_resolve_size(): the byte size of a type through modifiers and arrays, or null (-EINVAL). */
function resolveSize(btf: Btf, ty: number): number | null {
  let nelems = 1;
  for (let i = 0; i < 32; i++) {
    const k = btf.kind(ty);
    if (k === BTF_KIND.INT || k === BTF_KIND.STRUCT || k === BTF_KIND.UNION || k === BTF_KIND.ENUM || k === BTF_KIND.FLOAT || k === BTF_KIND.ENUM64) {
      const size = btf.sizeType(ty);
      if (nelems && size > Math.floor(0xffffffff / nelems)) return null;
      return nelems * size;
    }
    if (k === BTF_KIND.PTR) return nelems * 8;
    if (isModifier(btf, ty)) ty = btf.typeById(btf.sizeType(ty)) ?? btf.typeById(0)!;
    else if (k === BTF_KIND.ARRAY) {
      const n = btf.u32(ty + 12 + 8);
      if (nelems && n > Math.floor(0xffffffff / nelems)) return null;
      nelems *= n;
      ty = btf.typeById(btf.u32(ty + 12)) ?? btf.typeById(0)!;
    } else return null;
  }
  return null;
}

/** The context struct each program type's BTF may name (find_canonical_prog_ctx_type); "" for none. */
function ctxTypeName(progType: number): string {
  switch (progType) {
    case 1: case 3: case 4: case 8: case 10: case 11: case 12: case 14: case 17: case 22:
      return "__sk_buff";
    case 6:
      return "xdp_md";
    case 2: case 16: case 19:
      return "pt_regs";
    case 9:
      return "bpf_sock";
    case 13:
      return "bpf_sock_ops";
    default:
      return "";
  }
}

/** btf_is_prog_ctx_type(): a pointer to the program type's context struct (or the kernel struct it projects). */
function isProgCtxType(btf: Btf, ptr: number, progType: number): boolean {
  let ty = btf.typeById(btf.sizeType(ptr)) ?? btf.typeById(0)!;
  if (progType === 2) {
    // KPROBE accepts the bpf_user_pt_regs_t typedef by name.
    let k = ty;
    while (isModifier(btf, k) && btf.kind(k) !== BTF_KIND.TYPEDEF) k = btf.typeById(btf.sizeType(k)) ?? btf.typeById(0)!;
    if (btf.kind(k) === BTF_KIND.TYPEDEF && nameOf(btf, k) === "bpf_user_pt_regs_t") return true;
  }
  while (isModifier(btf, ty)) ty = btf.typeById(btf.sizeType(ty)) ?? btf.typeById(0)!;
  if (btf.kind(ty) !== BTF_KIND.STRUCT && btf.kind(ty) !== BTF_KIND.UNION) return false;
  const tname = nameOf(btf, ty);
  const want = ctxTypeName(progType);
  if (!want) return false;
  if ((want === "__sk_buff" && tname === "sk_buff") || (want === "xdp_md" && tname === "xdp_buff")) return true;
  return tname === want;
}

/** decl tags "arg:..." on a function's parameter (btf_find_next_decl_tag). */
function hasArgTag(btf: Btf, funcId: number, arg: number): boolean {
  for (let id = 1; id < btf.nr_types; id++) {
    const ty = btf.typeById(id)!;
    if (btf.kind(ty) !== BTF_KIND.DECL_TAG || btf.sizeType(ty) !== funcId || btf.s32(ty + 12) !== arg) continue;
    const n = btf.nameBytes(btf.nameOff(ty));
    if (n && n.length >= 4 && n[0] === 0x61 && n[1] === 0x72 && n[2] === 0x67 && n[3] === 0x3a) return true;
  }
  return false;
}

/**
 * btf_prepare_func_args() for the argument kinds the emulator knows (ctx,
 * scalar, pointer to sized memory); the log lines are the kernel's. Returns
 * 0 or -errno; arg tags are not emulated (-EINVAL with a bpfemu reason).
 */
export function prepareFuncArgs(btf: Btf, funcId: number, global: boolean, progType: number, log: VLog): { err: number; reason: string; args?: ArgKind[] } {
  const fn = btf.typeById(funcId)!;
  const tname = nameOf(btf, fn);
  const proto = btf.typeById(btf.sizeType(fn))!;
  const nargs = btf.vlen(proto);
  const bad = (msg: string | null, err = -EINVAL): { err: number; reason: string } => {
    if (msg !== null) log.write(msg);
    return { err, reason: (msg ?? `btf_prepare_func_args: ${tname}() has an argument a static function cannot take`).trim() };
  };
  if (nargs > MAX_ARGS) return bad(global ? `Global function ${tname}() with ${nargs} > ${MAX_ARGS} args. Buggy compiler.\n` : null);
  const ret = skipMods(btf, btf.sizeType(proto));
  const rk = btf.kind(ret);
  // 6.18 wants an int or enum return (void is no scalar here).
  if (btf.sizeType(proto) === 0 || (rk !== BTF_KIND.INT && rk !== BTF_KIND.ENUM && rk !== BTF_KIND.ENUM64))
    return bad(global ? `Global function ${tname}() doesn't return scalar. Only those are supported.\n` : null);
  const args: ArgKind[] = [];
  for (let i = 0; i < nargs; i++) {
    if (hasArgTag(btf, funcId, i)) return { err: -EINVAL, reason: "bpfemu: arg: decl tags of function arguments are not emulated" };
    const argType = btf.u32(proto + 12 + i * 8 + 4);
    const ty = skipMods(btf, argType);
    if (btf.kind(ty) === BTF_KIND.PTR && argType !== 0) {
      if (isProgCtxType(btf, ty, progType)) {
        args.push("ctx");
        continue;
      }
      if (global) {
        const pointee = skipMods(btf, btf.sizeType(ty));
        if (resolveSize(btf, pointee) === null)
          return bad(`arg#${i} reference type('${typeStr(btf, pointee)} ${nameOf(btf, pointee)}') size cannot be determined: -22\n`);
        args.push("mem");
        continue;
      }
    }
    if (btf.kind(ty) === BTF_KIND.INT || btf.kind(ty) === BTF_KIND.ENUM || btf.kind(ty) === BTF_KIND.ENUM64) {
      args.push("any");
      continue;
    }
    return bad(global ? `Arg#${i} type ${typeStr(btf, ty)} in ${tname}() is not supported yet.\n` : null);
  }
  return { err: 0, reason: "", args };
}

/** What btf_prepare_func_args makes of an argument: ARG_ANYTHING, ARG_PTR_TO_CTX, ARG_PTR_TO_MEM. */
export type ArgKind = "any" | "ctx" | "mem";

/** The caller's register as btf_check_func_arg_match looks at it. */
export interface ArgReg {
  kind: "scalar" | "ctx" | "other";
  off: number;
  /** register_is_null(): a scalar known to be 0. */
  isNull: boolean;
}

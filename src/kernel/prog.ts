// SPDX-License-Identifier: GPL-2.0-only
// struct bpf_prog (kernel/bpf/core.c, syscall.c): the loaded program with its
// original and translated instructions, license, name, id and used maps;
// its reference counting (fds, pins, prog arrays), the prog tag
// (bpf_prog_calc_tag, SHA-1) and the fd it is handed out as.

import { EINVAL, ENOENT, ENOMEM } from "../abi/errno.ts";
import type { BpfMap } from "./bpf.ts";
import { File, O_CLOEXEC, O_RDWR, type FileOperations } from "./file.ts";
import type { Kernel } from "./kernel.ts";
import { bpf_map_put } from "./maps.ts";
import { Sha256 } from "./sha256.ts";
import type { Task } from "./task.ts";
import { prog_btf_put, type ProgBtfInfo } from "./verifier_btf.ts";

/** BPF_PSEUDO_MAP_FD / BPF_PSEUDO_MAP_VALUE, the ld_imm64 forms whose imm the tag ignores. */
const BPF_PSEUDO_MAP_FD = 1;
const BPF_PSEUDO_MAP_VALUE = 2;

/** The initial stack depths and subprogram starts of every program (one subprogram at 0), shared: nothing writes into them. */
const ONE_ZERO: readonly number[] = Object.freeze([0]);

export class BpfProg {
  readonly kind = "prog" as const;
  type: number;
  expected_attach_type: number;
  id = 0;
  /** Instructions as loaded (after nothing): what the tag is computed over. */
  readonly orig: Uint8Array;
  /**
   * Translated instructions as OBJ_GET_INFO_BY_FD dumps them (bpf_insn_prepare_dump).
   * Built on first read (see the xlated getter): most loads never dump them.
   */
  private xlatedBytes: Uint8Array | null = null;
  private xlatedBuild: (() => Uint8Array) | null = null;
  /** The loaded instructions with map references in dump form, for the interpreter (fixups.ts mapRefDump). */
  mapRefDumpBytes: Uint8Array | null = null;
  /** The xlated index of each loaded instruction when the fixups moved any (fixups.ts xlatedOffset). */
  xlatedIndex: readonly number[] | null = null;
  license = "";
  gpl_compatible = false;
  /** bpf_obj_name_cpy()'s copy of prog_name, made for this program alone (given to the constructor: no array made here only to be replaced). */
  name: Uint8Array;
  /** aux->used_maps, in the order the verifier met them, then PROG_BIND_MAP additions. */
  readonly used_maps: BpfMap[] = [];
  /** The tag once computed (see the tag getter). */
  private tagBytes: Uint8Array | null = null;
  /** Date.now() at the load; load_time (ns) is made from it when read. */
  loadTimeMs = 0;
  created_by_uid = 0;
  verified_insns = 0;
  /** Stack depth per subprogram (stack depth the log's BPF_LOG_STATS line reports); bpf_check() sets it on success. */
  stack_depth: readonly number[] = ONE_ZERO;
  /** Instruction index where each subprogram starts; bpf_check() sets it on success. */
  subprog_starts: readonly number[] = ONE_ZERO;
  prog_flags = 0;
  attach_btf_id = 0;
  /** prog->aux->btf with func_info and linfo (verifier_btf.ts); the program holds a BTF reference. */
  btf_info: ProgBtfInfo | null = null;
  private readonly kernel: Kernel;
  private refs = 1;

  constructor(kernel: Kernel, type: number, eat: number, insns: Uint8Array, name: Uint8Array) {
    this.kernel = kernel;
    this.name = name;
    this.type = type;
    this.expected_attach_type = eat;
    this.orig = insns;
  }

  /**
   * The xlated dump. bpf_check() leaves a builder over a snapshot of what the
   * dump depends on (setXlatedBuilder); it runs on the first read, which
   * gives the same bytes as building it at load time would. Without one (a
   * program that never passed the verifier) the dump is the loaded code.
   */
  get xlated(): Uint8Array {
    let x = this.xlatedBytes;
    if (x === null) {
      const build = this.xlatedBuild;
      this.xlatedBuild = null;
      x = this.xlatedBytes = build !== null ? build() : this.orig.slice();
    }
    return x;
  }

  set xlated(v: Uint8Array) {
    this.xlatedBuild = null;
    this.xlatedBytes = v;
  }

  /** bpf_check(): the dump, map-reference dump and xlated index come from `build` when first read. */
  setXlatedBuilder(build: () => Uint8Array): void {
    this.xlatedBytes = null;
    this.xlatedBuild = build;
  }

  /**
   * The prog tag (bpf_prog_calc_tag), computed on first read. Its input,
   * the loaded instructions (orig), is never written after the copy-in, so
   * a late computation hashes the bytes a load-time one would.
   */
  get tag(): Uint8Array {
    return (this.tagBytes ??= bpf_prog_calc_tag(this.orig));
  }

  set tag(v: Uint8Array) {
    this.tagBytes = v;
  }

  /** bpf_prog_info.load_time: nanoseconds, with the millisecond clock the emulator reads. */
  get load_time(): bigint {
    return BigInt(this.loadTimeMs) * 1_000_000n;
  }

  get len(): number {
    return this.orig.length / 8;
  }

  /**
   * The reference count. Pins (inode_ops.ts) decrement it directly, so the
   * setter is where the last reference frees the program (__bpf_prog_put).
   */
  get refcnt(): number {
    return this.refs;
  }

  set refcnt(v: number) {
    const was = this.refs;
    this.refs = v;
    if (v === 0 && was > 0) this.free();
  }

  /** __bpf_prog_put_noref(): the id goes first, then the used maps. */
  private free(): void {
    if (this.id) {
      this.kernel.prog_idr.remove(this.id);
      this.id = 0;
    }
    for (const m of this.used_maps) bpf_map_put(m);
    this.used_maps.length = 0;
    prog_btf_put(this.btf_info);
    this.btf_info = null;
  }
}

/** Slab size and the longest instruction copy cut from a slab (bpf_prog_insns_alloc). */
const INSNS_SLAB_SIZE = 16384;
const INSNS_SLAB_MAX = 2048;
const slab: { buf: ArrayBuffer | null; off: number } = { buf: null, off: 0 };

/**
 * The program's copy of its instructions (what bpf_prog_alloc's prog->insnsi
 * holds), zeroed like a fresh array. A typed array of more than 64 bytes gets
 * a backing store of its own, which costs about as much as verifying tens of
 * instructions, so copies of up to 2 KiB are cut from 16 KiB slabs, 8-byte
 * aligned. Nothing writes into a copy after the copy-in, and each is its own
 * region. A slab is freed with the last copy cut from it: a live program
 * keeps at most 16 KiB (the kernel's struct bpf_prog alone takes a page).
 */
export function bpf_prog_insns_alloc(len: number): Uint8Array {
  if (len > INSNS_SLAB_MAX) return new Uint8Array(len);
  if (slab.buf === null || slab.off + len > INSNS_SLAB_SIZE) {
    slab.buf = new ArrayBuffer(INSNS_SLAB_SIZE);
    slab.off = 0;
  }
  const v = new Uint8Array(slab.buf, slab.off, len);
  slab.off += (len + 7) & ~7;
  return v;
}

export function bpf_prog_inc(p: BpfProg): void {
  p.refcnt++;
}

export function bpf_prog_put(p: BpfProg): void {
  p.refcnt--;
}

export const bpf_prog_fops: FileOperations = {
  name: "bpf_prog_fops",
  release: (f) => bpf_prog_put(f.private_data as BpfProg),
};

/** bpf_prog_new_fd(): O_RDWR | O_CLOEXEC; the file takes over one reference. */
export function bpf_prog_new_fd(t: Task, p: BpfProg): number {
  return t.files.install(new File(bpf_prog_fops, p, O_RDWR | O_CLOEXEC));
}

/** bpf_prog_alloc_id() */
export function bpf_prog_alloc_id(t: Task, p: BpfProg): number {
  const id = t.kernel.prog_idr.alloc(p);
  if (id < 0) return t.fail(-ENOMEM, "prog_idr is full");
  p.id = id;
  return 0;
}

/** bpf_prog_get_fd_by_id() after the capability check: bpf_prog_inc_not_zero, then a new fd. */
export function prog_get_fd_by_id(t: Task, id: number): number {
  const p = t.kernel.prog_idr.find(id) as BpfProg | undefined;
  if (p === undefined || p.refcnt === 0) return t.fail(-ENOENT, `no program with id ${id}`);
  p.refcnt++;
  const fd = bpf_prog_new_fd(t, p);
  if (fd < 0) {
    p.refcnt--;
    return t.fail(fd, "no free fd");
  }
  return fd;
}

/** bpf_prog_bind_map(): a map already in used_maps is a no-op; otherwise it is added with a reference. */
export function prog_bind_map(p: BpfProg, map: BpfMap): number {
  if (p.used_maps.includes(map)) return 0;
  map.refcnt++;
  p.used_maps.push(map);
  return 0;
}

/** The licenses license_is_gpl_compatible() accepts, as the strings it compares with. */
const GPL_LICENSES: readonly string[] = ["GPL", "GPL v2", "GPL and additional rights", "Dual BSD/GPL", "Dual MIT/GPL", "Dual MPL/GPL"];

/**
 * The license string of a PROG_LOAD (strncpy_from_bpfptr's copy, up to the
 * NUL and at most 127 bytes, Latin-1): one of the GPL-compatible names is
 * returned as that shared string when the bytes spell it, so the usual
 * license makes no string char by char; any other is built from its bytes.
 */
export function license_from_buf(buf: Uint8Array): string {
  for (let k = 0; k < GPL_LICENSES.length; k++) {
    const l = GPL_LICENSES[k]!;
    const n = l.length;
    if (buf[n] !== 0) continue;
    let i = 0;
    while (i < n && buf[i] === l.charCodeAt(i)) i++;
    if (i === n) return l;
  }
  let license = "";
  for (let i = 0; i < 127 && buf[i] !== 0; i++) license += String.fromCharCode(buf[i]!);
  return license;
}

/** license_is_gpl_compatible() (include/linux/license.h) */
export function license_is_gpl_compatible(license: string): boolean {
  return (
    license === "GPL" ||
    license === "GPL v2" ||
    license === "GPL and additional rights" ||
    license === "Dual BSD/GPL" ||
    license === "Dual MIT/GPL" ||
    license === "Dual MPL/GPL"
  );
}

/**
 * bpf_prog_calc_tag(): SHA-256 over the instructions with the imm of map
 * ld_imm64 pairs (both halves) cleared, so the tag does not depend on fd
 * numbers; the tag is the digest's first 8 bytes.
 */
export function bpf_prog_calc_tag(insns: Uint8Array): Uint8Array {
  const b = insns.slice();
  let wasLdMap = false;
  for (let i = 0; i + 8 <= b.length; i += 8) {
    const code = b[i]!;
    const src = b[i + 1]! >> 4;
    const dst = b[i + 1]! & 0xf;
    const off = b[i + 2]! | (b[i + 3]! << 8);
    if (!wasLdMap && code === 0x18 && (src === BPF_PSEUDO_MAP_FD || src === BPF_PSEUDO_MAP_VALUE)) {
      wasLdMap = true;
      b.fill(0, i + 4, i + 8);
    } else if (wasLdMap && code === 0 && dst === 0 && src === 0 && off === 0) {
      wasLdMap = false;
      b.fill(0, i + 4, i + 8);
    } else {
      wasLdMap = false;
    }
  }
  // 6.18 hashes with SHA-256 (prog->digest); the tag is its first 8 bytes.
  return new Sha256().update(b).digest().subarray(0, 8);
}

/** SHA-1 (FIPS 180-4), for the prog tag. */
export function sha1(msg: Uint8Array): Uint8Array {
  const ml = msg.length;
  const total = Math.ceil((ml + 9) / 64) * 64;
  const buf = new Uint8Array(total);
  buf.set(msg);
  buf[ml] = 0x80;
  const dv = new DataView(buf.buffer);
  dv.setUint32(total - 8, Math.floor((ml * 8) / 2 ** 32), false);
  dv.setUint32(total - 4, (ml * 8) >>> 0, false);
  let h0 = 0x67452301, h1 = 0xefcdab89, h2 = 0x98badcfe, h3 = 0x10325476, h4 = 0xc3d2e1f0;
  const w = new Uint32Array(80);
  for (let o = 0; o < total; o += 64) {
    for (let i = 0; i < 16; i++) w[i] = dv.getUint32(o + i * 4, false);
    for (let i = 16; i < 80; i++) {
      const x = w[i - 3]! ^ w[i - 8]! ^ w[i - 14]! ^ w[i - 16]!;
      w[i] = (x << 1) | (x >>> 31);
    }
    let a = h0, b = h1, c = h2, d = h3, e = h4;
    for (let i = 0; i < 80; i++) {
      let f: number, k: number;
      if (i < 20) { f = (b & c) | (~b & d); k = 0x5a827999; }
      else if (i < 40) { f = b ^ c ^ d; k = 0x6ed9eba1; }
      else if (i < 60) { f = (b & c) | (b & d) | (c & d); k = 0x8f1bbcdc; }
      else { f = b ^ c ^ d; k = 0xca62c1d6; }
      const tmp = (((a << 5) | (a >>> 27)) + f + e + k + w[i]!) >>> 0;
      e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = tmp;
    }
    h0 = (h0 + a) >>> 0; h1 = (h1 + b) >>> 0; h2 = (h2 + c) >>> 0; h3 = (h3 + d) >>> 0; h4 = (h4 + e) >>> 0;
  }
  const out = new Uint8Array(20);
  const ov = new DataView(out.buffer);
  [h0, h1, h2, h3, h4].forEach((h, i) => ov.setUint32(i * 4, h, false));
  return out;
}

void EINVAL;

// SPDX-License-Identifier: GPL-2.0-only
// BPF_PROG_TEST_RUN (net/bpf/test_run.c) for SOCKET_FILTER, SCHED_CLS,
// SCHED_ACT, CGROUP_SKB (bpf_prog_test_run_skb) and XDP (bpf_prog_test_run_xdp): the
// packet from data_in, the program run `repeat` times on the interpreter,
// then bpf_test_finish's write-backs: data_out (-ENOSPC when it does not
// fit, after everything else is written), data_size_out, retval, duration.

import { EFAULT, EINVAL, ENOSPC, ENOTSUPP } from "../abi/errno.ts";
import { BPF_PROG_TYPE as PT } from "../uapi/gen/consts-6.18.ts";
import type { BpfMap } from "./bpf.ts";
import { bpf_prog_run, type PktOps, type Region, type RunCtx } from "./interp.ts";
import type { BpfProg } from "./prog.ts";
import type { Task } from "./task.ts";
import { bpf_check_uarg_tail_zero, put_user_u32, type Call } from "./syscall.ts";

const ETH_HLEN = 14;
const CTX_BASE = 0x5f0000000000n;
const PKT_BASE = 0x4f0000000000n;
/** XDP_PACKET_HEADROOM + the skb_shared_info tailroom, as bpf_test_init sizes its page. */
const XDP_MAX = 4096 - 256 - 320;

/** struct __sk_buff fields convert___skb_to_skb() takes from ctx_in; every other byte must be zero. */
const SKB_CTX_ALLOWED: readonly (readonly [number, number])[] = [[8, 4], [32, 4], [36, 4], [40, 4], [48, 20], [152, 8], [160, 4], [164, 4], [176, 4], [184, 8]];
const SKB_CTX_SIZE = 192;
const XDP_MD_SIZE = 24;

/** bpf_ctx_init(): the context buffer, from ctx_in (tail beyond the kernel struct must be zero) or zeros. */
function ctxInit(c: Call, max: number): Uint8Array | null | number {
  const { t, attr } = c;
  const uin = attr.u64("test.ctx_in");
  const uout = attr.u64("test.ctx_out");
  if (uin === 0n && uout === 0n) return null;
  const data = new Uint8Array(max);
  if (uin !== 0n) {
    const size = attr.u32("test.ctx_size_in");
    const err = bpf_check_uarg_tail_zero(t, uin, max, size, "test.ctx_in");
    if (err) return err;
    if (t.memory.copyIn(data, uin, Math.min(max, size)) !== 0) return t.fail(-EFAULT, "test.ctx_in: read faulted");
  }
  return data;
}

/** bpf_ctx_finish(): ctx_out gets the context (ENOSPC when it is cut short), then ctx_size_out. */
function ctxFinish(c: Call, data: Uint8Array | null): number {
  const { t, attr } = c;
  const uout = attr.u64("test.ctx_out");
  if (data === null || uout === 0n) return 0;
  let n = data.length;
  let err = 0;
  if (n > attr.u32("test.ctx_size_out")) {
    n = attr.u32("test.ctx_size_out");
    err = -ENOSPC;
  }
  if (t.memory.copyOut(uout, data.subarray(0, n)) !== 0) return t.fail(-EFAULT, "test.ctx_out: write faulted");
  const e = put_user_u32(c, "test.ctx_size_out", data.length);
  if (e) return e;
  return err ? t.fail(err, `test.ctx_size_out is smaller than the ${data.length}-byte context`) : 0;
}

/**
 * One test run's packet and context, as the interpreter sees them (RunCtx)
 * and as the packet helpers change them (PktOps). A class with methods, made
 * once per BPF_PROG_TEST_RUN and reset before each of the `repeat` runs:
 * under tsx every named closure costs a defineProperty when it is made, and
 * a closure per helper per run was most of a long repeat's time.
 */
class TestRun implements RunCtx, PktOps {
  readonly t: Task;
  readonly prog: BpfProg;
  readonly ctx = CTX_BASE;
  readonly pkt: PktOps = this;
  readonly regions: Region[] = [];
  mapValueSlot = 0;
  /** The stacks, kept across the repeats (bpf_prog_run() zeroes one whenever it maps it). */
  readonly stacks: Region[] = [];
  /** The packet buffer: XDP_PACKET_HEADROOM (or NET_SKB_PAD + NET_IP_ALIGN) before the data, room after it. */
  readonly buf: Uint8Array;
  readonly head: number;
  dataOff: number;
  len: number;
  private readonly data_in: Uint8Array;
  private readonly size: number;
  private readonly xdp: boolean;
  /** Where skb->data is in the packet: past the Ethernet header for non-L2 types. */
  private readonly start: number;
  /** What XDP sees as linear (the rest would be fragments). */
  private readonly linear: number;
  private readonly pktRegion: Region;
  private readonly ctxRegion: Region;

  constructor(t: Task, prog: BpfProg, data_in: Uint8Array, size: number, xdp: boolean, start: number, linear: number, ctxBytes: Uint8Array) {
    this.t = t;
    this.prog = prog;
    this.data_in = data_in;
    this.size = size;
    this.xdp = xdp;
    this.start = start;
    this.linear = linear;
    this.head = xdp ? 256 : 64;
    this.buf = new Uint8Array(this.head + Math.max(size, linear) + 4096);
    this.dataOff = this.head;
    this.len = size;
    // `written` true: the first reset() copies data_in in.
    this.pktRegion = { base: Number(PKT_BASE), bytes: this.buf, written: true };
    this.ctxRegion = { base: Number(CTX_BASE), bytes: ctxBytes };
  }

  /**
   * Before each run: the packet as data_in gave it, and only the packet and
   * the context mapped (the stack and map values of the last run are gone).
   */
  reset(): void {
    // The 4 KiB and more of the buffer are rebuilt only when the last run wrote into it (a store, an atomic,
    // bpf_skb_store_bytes, a grown tail, a helper filling packet memory): otherwise they are as this left them.
    const pr = this.pktRegion;
    if (pr.written !== false) {
      const buf = this.buf;
      buf.fill(0);
      buf.set(this.data_in, this.head);
      pr.written = false;
    }
    this.dataOff = this.head;
    this.len = this.size;
    const regions = this.regions;
    regions.length = 0;
    regions.push(this.pktRegion, this.ctxRegion);
    this.mapValueSlot = 0;
  }

  /** bpf_xdp_adjust_head(): the data start stays past the xdp_frame (40 bytes) and keeps ETH_HLEN. */
  adjustHead(delta: number): number {
    if (!this.xdp) return -EINVAL;
    const nd = this.dataOff + delta;
    if (nd < 40 || nd > this.dataOff + Math.min(this.len, this.linear) - ETH_HLEN) return -EINVAL;
    this.len -= delta;
    this.dataOff = nd;
    return 0;
  }

  /** bpf_xdp_adjust_tail(): within the frame's tailroom; grown bytes are zeroed. */
  adjustTail(delta: number): number {
    if (!this.xdp) return -EINVAL;
    const nl = this.len + delta;
    if (this.dataOff + nl > 4096 - 320 || nl < ETH_HLEN) return -EINVAL;
    if (delta > 0) {
      this.buf.fill(0, this.dataOff + this.len, this.dataOff + nl);
      this.pktRegion.written = true;
    }
    this.len = nl;
    return 0;
  }

  /** bpf_skb_load_bytes(): offsets from skb->data, within skb->len. */
  loadBytes(off: number, n: number): Uint8Array | null {
    const at = this.dataOff + this.start + off;
    return off < 0 || off + n > this.len - this.start ? null : this.buf.slice(at, at + n);
  }

  /** bpf_skb_store_bytes(): the same bounds. */
  storeBytes(off: number, src: Uint8Array): number {
    if (off < 0 || off + src.length > this.len - this.start) return -EFAULT;
    this.buf.set(src, this.dataOff + this.start + off);
    this.pktRegion.written = true;
    return 0;
  }

  /** bpf_tail_call(): the program in the slot, when it has this program's type. */
  tailCall(map: BpfMap, index: number): BpfProg | null {
    const slots = (map as { ptrs?: Map<number, unknown> }).ptrs;
    const p = slots?.get(index) as BpfProg | undefined;
    return p && p.type === this.prog.type ? p : null;
  }

  /** The context fields that are pointers into the packet, or that the test run fixes. */
  ctxLoad(off: number, sz: number): bigint | undefined {
    if (sz !== 4) return undefined;
    if (this.xdp) {
      if (off === 0 || off === 8) return PKT_BASE + BigInt(this.dataOff);
      if (off === 4) return PKT_BASE + BigInt(this.dataOff + Math.min(this.len, this.linear));
      // xdp_convert_md_to_buff(): the rx queue is lo's queue 0 (ifindex 1) whatever ctx_in says.
      if (off === 12) return 1n;
      if (off === 16) return 0n;
      return undefined;
    }
    if (off === 76 || off === 140) return PKT_BASE + BigInt(this.dataOff + this.start);
    if (off === 80) return PKT_BASE + BigInt(this.dataOff + this.len);
    return undefined;
  }

  /** LD_ABS/LD_IND's bytes: from skb->data to the end. */
  skbData(): Uint8Array {
    return this.buf.subarray(this.dataOff + this.start, this.dataOff + this.len);
  }
}

export function bpf_prog_test_run(c: Call, prog: BpfProg): number {
  const { t, attr } = c;
  const pt = prog.type;
  const skbTypes: readonly number[] = [PT.SOCKET_FILTER, PT.SCHED_CLS, PT.SCHED_ACT, PT.CGROUP_SKB, PT.LWT_IN, PT.LWT_OUT, PT.LWT_XMIT];
  if (!skbTypes.includes(pt) && pt !== PT.XDP) {
    // Types whose prog_ops have no .test_run.
    const none: readonly number[] = [PT.KPROBE, PT.TRACEPOINT, PT.PERF_EVENT, PT.CGROUP_SOCK, PT.SOCK_OPS, PT.SK_SKB, PT.CGROUP_DEVICE, PT.SK_MSG, PT.CGROUP_SOCK_ADDR, PT.LWT_SEG6LOCAL, PT.SK_REUSEPORT, PT.CGROUP_SYSCTL, PT.RAW_TRACEPOINT_WRITABLE, PT.CGROUP_SOCKOPT];
    if (none.includes(pt)) return t.fail(-ENOTSUPP, `prog_type ${pt} has no test_run`);
    return t.fail(-EINVAL, `bpfemu: test runs of prog_type ${pt} are not emulated`);
  }
  const xdp = pt === PT.XDP;
  if (xdp) {
    // bpf_prog_test_run_xdp(): only BPF_F_TEST_XDP_LIVE_FRAMES, and batch_size only with it.
    if (attr.u32("test.flags") & ~2) return t.fail(-EINVAL, "test.flags: XDP takes only BPF_F_TEST_XDP_LIVE_FRAMES");
    if (attr.u32("test.flags") & 2) return t.fail(-EINVAL, "bpfemu: XDP live-frames test runs are not emulated");
    if (attr.u32("test.batch_size")) return t.fail(-EINVAL, "test.batch_size needs BPF_F_TEST_XDP_LIVE_FRAMES");
  } else if (attr.u32("test.flags") & ~4 /* BPF_F_TEST_SKB_CHECKSUM_COMPLETE */ || attr.u32("test.cpu") || attr.u32("test.batch_size")) {
    // bpf_prog_test_run_skb(): CHECKSUM_COMPLETE is the one flag; the checksum it then verifies after the
    // run is not recomputed here (a program that rewrites the packet without fixing the csum would get EBADMSG).
    return t.fail(-EINVAL, "test.flags (other than BPF_F_TEST_SKB_CHECKSUM_COMPLETE), test.cpu and test.batch_size must be 0 for skb test runs");
  }
  const ctx = ctxInit(c, xdp ? XDP_MD_SIZE : SKB_CTX_SIZE);
  if (typeof ctx === "number") return ctx;
  const size = attr.u32("test.data_size_in");
  // bpf_test_init(): an Ethernet header at least; skb data must fit the page, XDP may spill into frags.
  if (size < ETH_HLEN || size > (xdp ? 17 * 4096 : 4096 - 64 - 320)) return t.fail(-EINVAL, `test.data_size_in ${size} must be at least ETH_HLEN (14) and fit the test buffer`);
  const pkt = new Uint8Array(size);
  if (t.memory.copyIn(pkt, attr.u64("test.data_in"), size) !== 0) return t.fail(-EFAULT, "test.data_in: read faulted");
  if (ctx !== null) {
    if (xdp) {
      const v = new DataView(ctx.buffer);
      if (v.getUint32(8, true) || v.getUint32(0, true) || v.getUint32(20, true)) return t.fail(-EINVAL, "ctx_in: xdp_md data/data_meta/egress_ifindex must be 0");
      const ing = v.getUint32(12, true);
      if (ing > 1) return t.fail(-19, `ctx_in: ingress_ifindex ${ing}: no such device`);
      if (ing && v.getUint32(16, true) >= 1) return t.fail(-EINVAL, "ctx_in: rx_queue_index is past lo's queues");
    } else {
      // convert___skb_to_skb(): only the listed fields may be set.
      let pos = 0;
      for (const [o, l] of [...SKB_CTX_ALLOWED, [SKB_CTX_SIZE, 0] as const]) {
        for (let i = pos; i < o; i++) if (ctx[i]) return t.fail(-EINVAL, `ctx_in: __sk_buff byte ${i} must be zero`);
        pos = o + l;
      }
      const v = new DataView(ctx.buffer);
      const ifindex = v.getUint32(40, true);
      if (ifindex > 1) return t.fail(-19, `ctx_in: ifindex ${ifindex}: no such device`);
      const wire = v.getUint32(160, true);
      if (wire && (wire < size - ETH_HLEN || wire > 65536)) return t.fail(-EINVAL, "ctx_in: wire_len is below the packet length or above GSO_LEGACY_MAX_SIZE");
      if (v.getUint32(164, true) > 65535) return t.fail(-EINVAL, "ctx_in: gso_segs is above GSO_MAX_SEGS");
    }
  }
  let repeat = attr.u32("test.repeat");
  if (!repeat) repeat = 1;
  // The skb path strips the Ethernet header for non-L2 types (eth_type_trans) and puts it back afterwards.
  const l2 = pt === PT.SCHED_CLS || pt === PT.SCHED_ACT || xdp;
  const start = l2 ? 0 : ETH_HLEN;
  // XDP sees the linear part of the buffer; the rest would be fragments.
  const linear = xdp ? Math.min(size, XDP_MAX) : size;
  const ctxBytes = new Uint8Array(xdp ? 24 : SKB_CTX_SIZE);
  const cv = new DataView(ctxBytes.buffer);
  if (!xdp) {
    if (ctx !== null) ctxBytes.set(ctx);
    cv.setUint32(0, size - start, true); // len
    cv.setUint32(16, (pkt[13]! << 8) | pkt[12]!, true); // protocol (eth_type_trans), network order
    cv.setUint32(40, 1, true); // ifindex: lo
    const wire = cv.getUint32(160, true);
    cv.setUint32(160, wire || size - start, true);
  } else if (ctx !== null) {
    cv.setUint32(12, new DataView(ctx.buffer).getUint32(12, true), true);
  }
  let retval = 0n;
  const run = new TestRun(t, prog, pkt, size, xdp, start, linear, ctxBytes);
  for (let i = 0; i < repeat; i++) {
    run.reset();
    const r = bpf_prog_run(run);
    if ("fault" in r) return t.fail(-EINVAL, `bpfemu: the program faulted in the interpreter: ${r.fault}`);
    retval = r.r0;
  }
  const { buf, dataOff, len } = run;
  let data = buf.slice(dataOff, dataOff + len);
  // The skb path zeroes the Ethernet header it pushes back for non-L2 types.
  if (!l2) data = Uint8Array.from(data, (b, i) => (i < ETH_HLEN ? 0 : b));
  // bpf_test_finish()
  const dataOut = attr.u64("test.data_out");
  const sizeOut = attr.u32("test.data_size_out");
  let err = 0;
  if (dataOut !== 0n) {
    let n = data.length;
    if (sizeOut && n > sizeOut) {
      n = sizeOut;
      err = -ENOSPC;
    }
    if (t.memory.copyOut(dataOut, data.subarray(0, n)) !== 0) return t.fail(-EFAULT, "test.data_out: write faulted");
  }
  let e = put_user_u32(c, "test.data_size_out", data.length);
  if (e) return e;
  e = put_user_u32(c, "test.retval", Number(BigInt.asUintN(32, retval)));
  if (e) return e;
  e = put_user_u32(c, "test.duration", 0);
  if (e) return e;
  if (err) return t.fail(err, `test.data_size_out ${sizeOut} is smaller than the ${data.length}-byte packet`);
  // convert_skb_to___skb(): what the program left in the context goes back; XDP's xdp_md is returned as given.
  let out: Uint8Array | null = ctx;
  if (ctx !== null && !xdp) {
    out = new Uint8Array(SKB_CTX_SIZE);
    out.set(ctx);
    for (const [o, l] of [[8, 4], [32, 4], [36, 4], [40, 4], [48, 20], [152, 8], [160, 4], [164, 4], [184, 8]] as const) out.set(ctxBytes.subarray(o, o + l), o);
  }
  return ctxFinish(c, out);
}

// SPDX-License-Identifier: GPL-2.0-only
// BPF_PROG_TEST_RUN (net/bpf/test_run.c) for SOCKET_FILTER, SCHED_CLS,
// SCHED_ACT (bpf_prog_test_run_skb) and XDP (bpf_prog_test_run_xdp): the
// packet from data_in, the program run `repeat` times on the interpreter,
// then bpf_test_finish's write-backs: data_out (-ENOSPC when it does not
// fit, after everything else is written), data_size_out, retval, duration.

import { EFAULT, EINVAL, ENOSPC, ENOTSUPP } from "../abi/errno.ts";
import { BPF_PROG_TYPE as PT } from "../uapi/gen/consts-6.18.ts";
import { bpf_prog_run, type Region, type RunCtx } from "./interp.ts";
import type { BpfProg } from "./prog.ts";
import { put_user_u32, type Call } from "./syscall.ts";

const ETH_HLEN = 14;
const CTX_BASE = 0x5f0000000000n;
const PKT_BASE = 0x4f0000000000n;
/** XDP_PACKET_HEADROOM + the skb_shared_info tailroom, as bpf_test_init sizes its page. */
const XDP_MAX = 4096 - 256 - 320;

export function bpf_prog_test_run(c: Call, prog: BpfProg): number {
  const { t, attr } = c;
  const pt = prog.type;
  if (pt !== PT.SOCKET_FILTER && pt !== PT.SCHED_CLS && pt !== PT.SCHED_ACT && pt !== PT.XDP) {
    if (pt === PT.KPROBE || pt === PT.TRACEPOINT) return t.fail(-ENOTSUPP, `prog_type ${pt} has no test_run`);
    return t.fail(-EINVAL, `bpfemu: test runs of prog_type ${pt} are not emulated`);
  }
  const xdp = pt === PT.XDP;
  if (attr.u32("test.flags") || attr.u32("test.cpu")) return t.fail(-EINVAL, "test.flags and test.cpu must be 0 for this program type");
  const size = attr.u32("test.data_size_in");
  // bpf_test_init(): an Ethernet header at least, one page at most.
  if (size < ETH_HLEN || size > (xdp ? XDP_MAX : 4096 - 64 - 320)) return t.fail(-EINVAL, `test.data_size_in ${size} must be at least ETH_HLEN (14) and fit the test page`);
  const pkt = new Uint8Array(size);
  if (t.memory.copyIn(pkt, attr.u64("test.data_in"), size) !== 0) return t.fail(-EFAULT, "test.data_in: read faulted");
  const ctxIn = attr.u32("test.ctx_size_in");
  if (ctxIn) {
    const ctx = new Uint8Array(ctxIn);
    if (t.memory.copyIn(ctx, attr.u64("test.ctx_in"), ctxIn) !== 0) return t.fail(-EFAULT, "test.ctx_in: read faulted");
    if (ctx.some((b) => b !== 0)) return t.fail(-EINVAL, "bpfemu: non-zero ctx_in is not emulated");
  }
  if (attr.u32("test.ctx_size_out")) return t.fail(-EINVAL, "bpfemu: ctx_out is not emulated");
  let repeat = attr.u32("test.repeat");
  if (!repeat) repeat = 1;
  // The skb path strips the Ethernet header for non-L2 types (eth_type_trans) and puts it back afterwards.
  const l2 = pt === PT.SCHED_CLS || pt === PT.SCHED_ACT || xdp;
  let retval = 0n;
  let data = pkt;
  for (let i = 0; i < repeat; i++) {
    data = pkt;
    const regions: Region[] = [];
    const pktRegion: Region = { base: PKT_BASE, bytes: pkt };
    regions.push(pktRegion);
    const start = l2 ? 0 : ETH_HLEN;
    const ctxBytes = new Uint8Array(xdp ? 24 : 192);
    const cv = new DataView(ctxBytes.buffer);
    if (!xdp) {
      cv.setUint32(0, size - start, true); // len
      cv.setUint32(16, (pkt[12]! << 8 | pkt[13]!) << 16 >>> 16 === 0 ? 0 : ((pkt[13]! << 8) | pkt[12]!), true); // protocol, network order
      cv.setUint32(36, 1, true); // ingress_ifindex: lo
      cv.setUint32(40, 1, true);
    } else {
      cv.setUint32(12, 1, true);
    }
    regions.push({ base: CTX_BASE, bytes: ctxBytes });
    const rc: RunCtx = {
      t,
      prog,
      regions,
      ctx: CTX_BASE,
      ctxLoad: (off, sz) => {
        if (sz !== 4) return undefined;
        if (xdp) {
          if (off === 0 || off === 8) return PKT_BASE;
          if (off === 4) return PKT_BASE + BigInt(size);
          return undefined;
        }
        if (off === 76 || off === 140) return PKT_BASE + BigInt(start);
        if (off === 80) return PKT_BASE + BigInt(size);
        return undefined;
      },
      skbData: () => pkt.subarray(start),
    };
    const r = bpf_prog_run(rc);
    if ("fault" in r) return t.fail(-EINVAL, `bpfemu: the program faulted in the interpreter: ${r.fault}`);
    retval = r.r0;
  }
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
  return 0;
}

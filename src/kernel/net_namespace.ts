// SPDX-License-Identifier: GPL-2.0-only
// The network namespace the emulated tasks live in (struct net), with its
// one device, lo (ifindex 1, as in the private namespaces the recorded
// traces ran in), and the per-namespace BPF attach points of
// kernel/bpf/net_namespace.c: flow dissector and sk_lookup, each either one
// directly attached program or a list of links.
//
// Nothing here touches a real namespace: it is the state the emulated
// kernel keeps so that attach, query, detach and link calls answer as the
// kernel did in the runner's private namespaces.

import { E2BIG, EEXIST, EFAULT, EINVAL, ENOENT, ENOSPC, EPERM } from "../abi/errno.ts";
import { BPF_ATTACH_TYPE as AT, BPF_LINK_TYPE as LT, BPF_PROG_TYPE as PT } from "../uapi/gen/consts-6.18.ts";
import type { Kernel } from "./kernel.ts";
import { BpfLink, bpf_link_cleanup, bpf_link_prime, bpf_link_settle, progGet, type BpfLinkOps } from "./link.ts";
import { bpf_prog_put, type BpfProg } from "./prog.ts";
import { put_user_u32, type Call } from "./syscall.ts";
import type { Task } from "./task.ts";
import type { BpfLinkPrimer } from "./link.ts";

/** ENOLINK */
const ENOLINK = 67;

/** enum bpf_xdp_mode */
export const XDP_MODE_SKB = 0;
export const XDP_MODE_DRV = 1;
export const XDP_MODE_HW = 2;

/** struct bpf_xdp_entity: the program or link installed in one XDP mode. */
export interface XdpEntity {
  prog: BpfProg | null;
  link: BpfLink | null;
}

/** struct net_device, as much of it as BPF attachment sees. */
export interface NetDevice {
  readonly ifindex: number;
  readonly name: string;
  /** lo has no ndo_bpf: only generic (skb) XDP can be installed. */
  readonly hasNdoBpf: boolean;
  /** dev->xdp_state[XDP_MODE_SKB..XDP_MODE_HW] */
  readonly xdp: [XdpEntity, XdpEntity, XdpEntity];
  /** The tcx ingress and egress entries (tcx.ts), created on first attach. */
  tcx: { ingress: unknown; egress: unknown };
}

/** enum netns_bpf_attach_type */
export const NETNS_BPF_FLOW_DISSECTOR = 0;
export const NETNS_BPF_SK_LOOKUP = 1;

/** struct net: the devices by ifindex and net->bpf (struct netns_bpf). */
export class Net {
  readonly devices = new Map<number, NetDevice>();
  /** net->bpf.progs[type]: a directly attached program (PROG_ATTACH). */
  readonly progs: (BpfProg | null)[] = [null, null];
  /** net->bpf.links[type]: attached netns links, in attach order. */
  readonly links: BpfLink[][] = [[], []];
  /** The inode number of the namespace file (netns_ino in link info). */
  readonly ino: number;

  constructor(ino: number) {
    this.ino = ino;
    const lo: NetDevice = {
      ifindex: 1,
      name: "lo",
      hasNdoBpf: false,
      xdp: [
        { prog: null, link: null },
        { prog: null, link: null },
        { prog: null, link: null },
      ],
      tcx: { ingress: null, egress: null },
    };
    this.devices.set(1, lo);
  }
}

const nets = new WeakMap<Kernel, Net>();

/**
 * current->nsproxy->net_ns. The emulated tasks share one namespace per
 * kernel, standing for the runner's private one (never init_net).
 */
export function current_net(t: Task): Net {
  let n = nets.get(t.kernel);
  if (n === undefined) {
    // An inode number in the proc namespace range, as a fresh namespace gets.
    n = new Net(0xf0000000 + 0x1000);
    nets.set(t.kernel, n);
  }
  return n;
}

/** dev_get_by_index() */
export function dev_get_by_index(net: Net, ifindex: number): NetDevice | undefined {
  return net.devices.get(ifindex);
}

// --- flow dissector and sk_lookup (kernel/bpf/net_namespace.c) ---------------------------

/** to_netns_bpf_attach_type() */
function to_netns_bpf_attach_type(at: number): number {
  if (at === AT.FLOW_DISSECTOR) return NETNS_BPF_FLOW_DISSECTOR;
  if (at === AT.SK_LOOKUP) return NETNS_BPF_SK_LOOKUP;
  return -1;
}

/** netns_bpf_max_progs(): one flow dissector; 64 sk_lookup links (BPF_MAX_PROGS). */
function netns_bpf_max_progs(type: number): number {
  return type === NETNS_BPF_FLOW_DISSECTOR ? 1 : 64;
}

/**
 * flow_dissector_bpf_prog_attach_check(): a namespace other than init_net
 * cannot take a flow dissector while init_net has one; the host's init_net
 * has none.
 */
function flow_dissector_bpf_prog_attach_check(net: Net, prog: BpfProg): number {
  void net;
  void prog;
  return 0;
}

/** netns_bpf_prog_attach() (PROG_ATTACH of a FLOW_DISSECTOR program). */
export function netns_bpf_prog_attach(c: Call, prog: BpfProg): number {
  const { t, attr } = c;
  if (attr.u32("target_fd") || attr.u32("attach_flags") || attr.u32("replace_bpf_fd"))
    return t.fail(-EINVAL, "flow dissector attach: target_fd, attach_flags and replace_bpf_fd must be 0 (the caller's namespace is used)");
  const type = to_netns_bpf_attach_type(attr.u32("attach_type"));
  if (type < 0) return t.fail(-EINVAL, "attach_type is not a network namespace hook");
  const net = current_net(t);
  // Attaching a program directly does not mix with links.
  if (net.links[type]!.length) return t.fail(-EEXIST, "a link is already attached to this hook of the namespace");
  if (type !== NETNS_BPF_FLOW_DISSECTOR) return t.fail(-EINVAL, "only the flow dissector takes directly attached programs");
  const err = flow_dissector_bpf_prog_attach_check(net, prog);
  if (err) return err;
  const attached = net.progs[type]!;
  if (attached === prog) return t.fail(-EINVAL, "this program is already attached to the namespace");
  net.progs[type] = prog;
  if (attached) bpf_prog_put(attached);
  return 0;
}

/**
 * netns_bpf_prog_detach(): target_fd must be 0 (the caller's namespace is
 * meant), then the program named by attach_bpf_fd, of the hook's type,
 * must be the one attached.
 */
export function netns_bpf_prog_detach(c: Call, ptype: number): number {
  const { t, attr } = c;
  if (attr.u32("target_fd")) return t.fail(-EINVAL, "flow dissector detach: target_fd must be 0");
  const type = to_netns_bpf_attach_type(attr.u32("attach_type"));
  if (type < 0) return t.fail(-EINVAL, "attach_type is not a network namespace hook");
  // bpf_prog_get_type()
  const prog = progGet(t, attr.u32("attach_bpf_fd"), "attach_bpf_fd");
  if (typeof prog === "number") return prog;
  if (prog.type !== ptype) return t.fail(-EINVAL, `attach_bpf_fd: program type ${prog.type} is not ${ptype}`);
  const net = current_net(t);
  // __netns_bpf_prog_detach()
  if (net.links[type]!.length) return t.fail(-EINVAL, "the hook is held by links, which PROG_DETACH does not remove");
  const attached = net.progs[type]!;
  if (!attached || attached !== prog) return t.fail(-ENOENT, "that program is not attached to this namespace");
  net.progs[type] = null;
  bpf_prog_put(attached);
  return 0;
}

/**
 * netns_bpf_prog_query() once the namespace is known: attach_flags 0, the
 * ids of the attached program or links up to prog_cnt, and prog_cnt.
 */
export function netns_bpf_prog_query_net(c: Call, net: Net, type: number): number {
  const { t, attr } = c;
  const ids: number[] = [];
  if (net.progs[type]) ids.push(net.progs[type]!.id);
  else for (const l of net.links[type]!) if (l.prog) ids.push(l.prog.id);
  let err = put_user_u32(c, "query.attach_flags", 0);
  if (err) return err;
  err = put_user_u32(c, "query.prog_cnt", ids.length);
  if (err) return err;
  const uids = attr.u64("query.prog_ids");
  const cnt = attr.u32("query.prog_cnt");
  if (!cnt || uids === 0n || !ids.length) return 0;
  // bpf_prog_array_copy_to_user(): all `cnt` slots are written, zero past the attached ones.
  const b = new Uint8Array(cnt * 4);
  const dv = new DataView(b.buffer);
  ids.slice(0, cnt).forEach((id, i) => dv.setUint32(i * 4, id, true));
  if (t.memory.copyOut(uids, b) !== 0) return t.fail(-EFAULT, "query.prog_ids: writing the ids faulted");
  if (ids.length > cnt) return t.fail(-ENOSPC, `query.prog_cnt ${cnt} is below the ${ids.length} attached programs`);
  return 0;
}

// --- netns links ----------------------------------------------------------------------------

interface NetnsLink extends BpfLink {
  net: Net | null;
  netnsType: number;
}

function netnsLinkOf(link: BpfLink): NetnsLink {
  return link as NetnsLink;
}

/** bpf_netns_link_release(): off the namespace's list. */
function bpf_netns_link_release(link: BpfLink): void {
  const nl = netnsLinkOf(link);
  const net = nl.net;
  if (net === null) return;
  const list = net.links[nl.netnsType]!;
  const i = list.indexOf(link);
  if (i >= 0) list.splice(i, 1);
  nl.net = null;
}

const bpf_netns_link_ops: BpfLinkOps = {
  name: "bpf_netns_link_ops",
  release: bpf_netns_link_release,
  detach: (_t, link) => {
    bpf_netns_link_release(link);
    return 0;
  },
  // bpf_netns_link_update_prog()
  update_prog: (t, link, newProg, oldProg) => {
    const nl = netnsLinkOf(link);
    if (oldProg && oldProg !== link.prog) return t.fail(-EPERM, "link_update.old_prog_fd is not the link's program");
    if (newProg.type !== link.prog!.type) return t.fail(-EINVAL, "the new program's type differs from the link's");
    if (nl.net === null) return t.fail(-ENOLINK, "the link's namespace is gone or the link was detached");
    const old = link.prog!;
    link.prog = newProg;
    bpf_prog_put(old);
    return 0;
  },
  // bpf_netns_link_fill_info()
  fill_link_info: (_t, link, info) => {
    const nl = netnsLinkOf(link);
    info.setU32("netns.netns_ino", nl.net ? nl.net.ino : 0);
    info.setU32("netns.attach_type", link.attach_type);
    return 0;
  },
};

/** netns_bpf_link_create() (LINK_CREATE of FLOW_DISSECTOR and SK_LOOKUP programs). */
export function netns_bpf_link_create(c: Call, prog: BpfProg): number {
  const { t, attr } = c;
  void prog;
  if (attr.u32("link_create.flags")) return t.fail(-EINVAL, "link_create.flags must be 0 for a netns link");
  const at = attr.u32("link_create.attach_type");
  const type = to_netns_bpf_attach_type(at);
  if (type < 0) return t.fail(-EINVAL, "link_create.attach_type is not a network namespace hook");
  // get_net_ns_by_fd(target_fd): the emulated tasks have no namespace files to name.
  const fd = attr.u32("link_create.target_fd");
  const f = t.files.get(fd);
  if (f === undefined) return t.fail(-9, `link_create.target_fd ${fd} is not open`);
  return t.fail(-EINVAL, `link_create.target_fd ${fd} is not a network namespace file`);
}

/** netns_bpf_link_attach(): the link joins the namespace's list, within the hook's limit. */
export function netns_bpf_link_attach(t: Task, net: Net, link: BpfLink, type: number): number {
  const list = net.links[type]!;
  if (list.length >= netns_bpf_max_progs(type)) return t.fail(-E2BIG, "the hook has as many links as it takes");
  if (net.progs[type]) return t.fail(-EEXIST, "a program is attached directly to this hook");
  if (type === NETNS_BPF_FLOW_DISSECTOR) {
    const err = flow_dissector_bpf_prog_attach_check(net, link.prog!);
    if (err) return err;
  }
  list.push(link);
  const nl = netnsLinkOf(link);
  nl.net = net;
  nl.netnsType = type;
  return 0;
}

/** A netns link (for callers that have resolved the namespace). */
export function netns_link_create_in(c: Call, net: Net, prog: BpfProg, type: number): number {
  const { t, attr } = c;
  const link = new BpfLink(t.kernel, LT.NETNS, bpf_netns_link_ops, prog, attr.u32("link_create.attach_type")) as NetnsLink;
  link.net = null;
  link.netnsType = type;
  const p: BpfLinkPrimer | number = bpf_link_prime(t, link);
  if (typeof p === "number") return p;
  const err = netns_bpf_link_attach(t, net, link, type);
  if (err) {
    bpf_link_cleanup(t, p);
    return err;
  }
  return bpf_link_settle(t, p);
}

void PT;

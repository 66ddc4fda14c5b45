// SPDX-License-Identifier: GPL-2.0-only
// tcx (kernel/bpf/tcx.c) over the multi-program attach logic of
// kernel/bpf/mprog.c, and the netkit hooks. A device has an ingress and an
// egress entry, each an ordered list of up to 64 (program, link) tuples with
// a revision that every successful change bumps; an entry that empties is
// freed (lo has no clsact qdisc keeping it alive), so the next attach starts
// again at revision 1. lo is the only device.

import { EAGAIN, EBADF, EBUSY, EEXIST, EFAULT, EINVAL, ENODEV, ENOENT, ENOSPC, EPERM, ERANGE } from "../abi/errno.ts";
import { BPF_ATTACH_TYPE as AT, BPF_LINK_TYPE as LT } from "../uapi/gen/consts-6.18.ts";
import { BpfLink, bpf_link_cleanup, bpf_link_fops, bpf_link_prime, bpf_link_settle, progGet, type BpfLinkOps } from "./link.ts";
import { current_net, dev_get_by_index, type NetDevice } from "./net_namespace.ts";
import { bpf_prog_put, type BpfProg } from "./prog.ts";
import { put_user_u32, type Call } from "./syscall.ts";
import type { Task } from "./task.ts";

/** ENOLINK */
const ENOLINK = 67;
/** ESTALE: expected_revision is not the entry's revision. */
const ESTALE = 116;

/** BPF_F_* attach flags of the mprog API */
const BPF_F_REPLACE = 1 << 2;
const BPF_F_BEFORE = 1 << 3;
const BPF_F_AFTER = 1 << 4;
const BPF_F_ID = 1 << 5;
const BPF_F_LINK = 1 << 13;

/** BPF_MPROG_MAX */
const BPF_MPROG_MAX = 64;

/** struct bpf_tuple */
interface Tuple {
  prog: BpfProg | null;
  link: BpfLink | null;
}

/** struct bpf_mprog_entry with its bundle's revision. */
class MprogEntry {
  items: Tuple[] = [];
  /** bpf_mprog_bundle_init() starts at 1. */
  revision = 1n;
}

interface TcxState {
  ingress: MprogEntry | null;
  egress: MprogEntry | null;
}

function tcxOf(dev: NetDevice): TcxState {
  return dev.tcx as TcxState;
}

function tcx_entry_fetch(dev: NetDevice, ingress: boolean): MprogEntry | null {
  const s = tcxOf(dev);
  return ingress ? s.ingress : s.egress;
}

function tcx_entry_update(dev: NetDevice, e: MprogEntry | null, ingress: boolean): void {
  const s = tcxOf(dev);
  if (ingress) s.ingress = e;
  else s.egress = e;
}

// --- bpf_mprog --------------------------------------------------------------------------

/** bpf_mprog_tuple_relative(): the relative_fd/relative_id anchor, as a link (BPF_F_LINK) or a program. */
function bpf_mprog_tuple_relative(t: Task, idOrFd: number, flags: number, type: number): Tuple | number {
  const id = (flags & BPF_F_ID) !== 0;
  if (flags & BPF_F_LINK) {
    // bpf_mprog_link()
    let link: BpfLink;
    if (id) {
      const l = t.kernel.link_idr.find(idOrFd) as BpfLink | undefined;
      if (!idOrFd || l === undefined || l.refcnt === 0) return t.fail(-ENOENT, `relative id ${idOrFd}: no such link`);
      if (!l.id) return t.fail(-EAGAIN, `relative id ${idOrFd}: the link is not settled`);
      link = l;
    } else if (idOrFd) {
      const f = t.files.get(idOrFd);
      if (f === undefined) return t.fail(-EBADF, `relative_fd ${idOrFd} is not open`);
      if (f.f_op !== bpf_link_fops) return t.fail(-EINVAL, `relative_fd ${idOrFd} is not a link`);
      link = f.private_data as BpfLink;
    } else {
      return t.fail(-EINVAL, "BPF_F_LINK without a relative link");
    }
    if (type && link.prog && link.prog.type !== type) return t.fail(-EINVAL, "the relative link's program has another type");
    return { prog: link.prog, link };
  }
  if (!id && !idOrFd) return { prog: null, link: null };
  // bpf_mprog_prog()
  let prog: BpfProg;
  if (id) {
    const p = idOrFd ? (t.kernel.prog_idr.find(idOrFd) as BpfProg | undefined) : undefined;
    if (p === undefined || p.refcnt === 0) return t.fail(-ENOENT, `relative id ${idOrFd}: no such program`);
    prog = p;
  } else {
    const p = progGet(t, idOrFd, "relative_fd");
    if (typeof p === "number") return p;
    prog = p;
  }
  if (type && prog.type !== type) return t.fail(-EINVAL, "the relative program has another type");
  return { prog, link: null };
}

function pos_exact(e: MprogEntry, tu: Tuple): number {
  for (let i = 0; i < e.items.length; i++) if (tu.prog === e.items[i]!.prog) return tu.link === e.items[i]!.link ? i : -EBUSY;
  return -ENOENT;
}

function pos_before(e: MprogEntry, tu: Tuple): number {
  for (let i = 0; i < e.items.length; i++) if (tu.prog === e.items[i]!.prog && (!tu.link || tu.link === e.items[i]!.link)) return i - 1;
  return tu.prog ? -ENOENT : -1;
}

function pos_after(e: MprogEntry, tu: Tuple): number {
  for (let i = 0; i < e.items.length; i++) if (tu.prog === e.items[i]!.prog && (!tu.link || tu.link === e.items[i]!.link)) return i + 1;
  return tu.prog ? -ENOENT : e.items.length;
}

/** The BEFORE/AFTER agreement shared by attach and detach; returns the index or a negative errno. */
function relativePosition(t: Task, e: MprogEntry, r: Tuple, flags: number, idx: number): { idx: number; flags: number } | number {
  if (flags & BPF_F_BEFORE) {
    const tidx = pos_before(e, r);
    if (tidx < -1 || (idx >= -1 && tidx !== idx)) return t.fail(tidx < -1 ? tidx : -ERANGE, "BPF_F_BEFORE: the anchor is not where the other rules put it");
    idx = tidx;
  }
  if (flags & BPF_F_AFTER) {
    const tidx = pos_after(e, r);
    if (tidx < -1 || (idx >= -1 && tidx !== idx)) return t.fail(tidx < 0 ? tidx : -ERANGE, "BPF_F_AFTER: the anchor is not where the other rules put it");
    idx = tidx;
  }
  if (idx < -1) {
    if (r.prog || flags) return t.fail(-EINVAL, "the attach flags name no position");
    idx = e.items.length;
    flags = BPF_F_AFTER;
  }
  if (idx >= BPF_MPROG_MAX) return t.fail(-ERANGE, "position past the 64 programs an entry holds");
  return { idx, flags };
}

/**
 * bpf_mprog_attach(): on success the entry holds the new tuple (taking the
 * caller's program reference unless a link owns it) and its revision is
 * bumped (bpf_mprog_commit).
 */
function bpf_mprog_attach(t: Task, e: MprogEntry, progNew: BpfProg, link: BpfLink | null, progOld: BpfProg | null, flags: number, idOrFd: number, revision: bigint): number {
  if (revision && revision !== e.revision) return t.fail(-ESTALE, `expected_revision ${revision} is not the entry's ${e.revision}`);
  if (e.items.some((x) => x.prog === progNew)) return t.fail(-EEXIST, "the program is already in this entry");
  const r = bpf_mprog_tuple_relative(t, idOrFd, flags & ~BPF_F_REPLACE, progNew.type);
  if (typeof r === "number") return r;
  let idx = -ERANGE;
  if (flags & BPF_F_REPLACE) {
    const tidx = pos_exact(e, { prog: progOld, link });
    if (tidx < 0) return t.fail(tidx, "BPF_F_REPLACE: the program to replace is not in the entry (or belongs to a link)");
    idx = tidx;
  } else if (e.items.length === BPF_MPROG_MAX) {
    return t.fail(-ERANGE, "the entry already holds 64 programs");
  }
  const pos = relativePosition(t, e, r, flags, idx);
  if (typeof pos === "number") return pos;
  const nt: Tuple = { prog: progNew, link };
  if (flags & BPF_F_REPLACE) {
    // bpf_mprog_replace()
    const old = e.items[pos.idx]!.prog!;
    e.items[pos.idx] = nt;
    if (!link) bpf_prog_put(old);
  } else {
    // bpf_mprog_insert()
    let at = pos.idx;
    if (at !== e.items.length && pos.flags & BPF_F_BEFORE) at += 1;
    e.items.splice(at, 0, nt);
  }
  e.revision++;
  return 0;
}

/** bpf_mprog_detach(): on success the tuple is gone (its program reference too, for a non-link) and the revision bumped. */
function bpf_mprog_detach(t: Task, e: MprogEntry, prog: BpfProg | null, link: BpfLink | null, flags: number, idOrFd: number, revision: bigint): number {
  if (flags & BPF_F_REPLACE) return t.fail(-EINVAL, "BPF_F_REPLACE makes no sense for a detach");
  if (revision && revision !== e.revision) return t.fail(-ESTALE, `expected_revision ${revision} is not the entry's ${e.revision}`);
  if (!e.items.length) return t.fail(-ENOENT, "the entry is empty");
  const r = bpf_mprog_tuple_relative(t, idOrFd, flags, prog ? prog.type : 0);
  if (typeof r === "number") return r;
  let idx = -ERANGE;
  if (prog) {
    const tidx = pos_exact(e, { prog, link });
    if (tidx < 0) return t.fail(tidx, tidx === -EBUSY ? "the program belongs to a link" : "the program is not in the entry");
    idx = tidx;
  }
  const pos = relativePosition(t, e, r, flags, idx);
  if (typeof pos === "number") return pos;
  // bpf_mprog_fetch()
  let i = pos.idx;
  if (i === -1) i = 0;
  else if (i === e.items.length) i = e.items.length - 1;
  const victim = e.items[i]!;
  if (victim.link && !link) return t.fail(-EBUSY, "the program at that position belongs to a link");
  e.items.splice(i, 1);
  if (!victim.link) bpf_prog_put(victim.prog!);
  e.revision++;
  return 0;
}

/** bpf_mprog_query() */
function bpf_mprog_query(c: Call, e: MprogEntry | null): number {
  const { t, attr } = c;
  if (attr.u32("query.query_flags") || attr.u32("query.attach_flags")) return t.fail(-EINVAL, "query_flags and attach_flags must be 0 for tcx queries");
  const revision = e ? e.revision : 1n;
  let count = e ? e.items.length : 0;
  let err = put_user_u32(c, "query.attach_flags", 0);
  if (err) return err;
  const rev = new Uint8Array(8);
  new DataView(rev.buffer).setBigUint64(0, revision, true);
  if (t.memory.copyOut(c.uattr + BigInt(attr.fields.offsetOf("query.revision")), rev) !== 0) return t.fail(-EFAULT, "writing query.revision faulted");
  err = put_user_u32(c, "query.count", count);
  if (err) return err;
  const uprog = attr.u64("query.prog_ids");
  const uprogFlags = attr.u64("query.prog_attach_flags");
  const ulink = attr.u64("query.link_ids");
  const ulinkFlags = attr.u64("query.link_attach_flags");
  if (attr.u32("query.count") === 0 || uprog === 0n || !count) return 0;
  let ret = 0;
  if (attr.u32("query.count") < count) {
    count = attr.u32("query.count");
    ret = t.fail(-ENOSPC, `query.count ${count} is below the ${e!.items.length} attached programs`);
  }
  const w = (base: bigint, i: number, v: number): boolean => {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v >>> 0, true);
    return t.memory.copyOut(base + BigInt(i * 4), b) === 0;
  };
  for (let i = 0; i < e!.items.length; i++) {
    const it = e!.items[i]!;
    if (!w(uprog, i, it.prog!.id)) return t.fail(-EFAULT, "query.prog_ids: write faulted");
    if (uprogFlags && !w(uprogFlags, i, 0)) return t.fail(-EFAULT, "query.prog_attach_flags: write faulted");
    if (ulink && !w(ulink, i, it.link ? it.link.id : 0)) return t.fail(-EFAULT, "query.link_ids: write faulted");
    if (ulinkFlags && !w(ulinkFlags, i, 0)) return t.fail(-EFAULT, "query.link_attach_flags: write faulted");
    if (i + 1 === count) break;
  }
  return ret;
}

// --- tcx --------------------------------------------------------------------------------------

function tcxDev(t: Task, ifindex: number, field: string): NetDevice | number {
  const dev = dev_get_by_index(current_net(t), ifindex);
  if (dev === undefined) return t.fail(-ENODEV, `${field} ${ifindex}: no such device in the namespace`);
  return dev;
}

/** tcx_prog_attach() (the caller holds a reference on `prog` for the entry). */
export function tcx_prog_attach(c: Call, prog: BpfProg): number {
  const { t, attr } = c;
  const ingress = attr.u32("attach_type") === AT.TCX_INGRESS;
  const dev = tcxDev(t, attr.u32("target_ifindex"), "target_ifindex");
  if (typeof dev === "number") return dev;
  const flags = attr.u32("attach_flags");
  let replace: BpfProg | null = null;
  if (flags & BPF_F_REPLACE) {
    // bpf_prog_get_type(replace_bpf_fd, prog->type)
    const r = progGet(t, attr.u32("replace_bpf_fd"), "replace_bpf_fd");
    if (typeof r === "number") return r;
    if (r.type !== prog.type) return t.fail(-EINVAL, "replace_bpf_fd: the program has another type");
    replace = r;
  }
  // tcx_entry_fetch_or_create()
  const existing = tcx_entry_fetch(dev, ingress);
  const e = existing ?? new MprogEntry();
  const err = bpf_mprog_attach(t, e, prog, null, replace, flags, attr.u32("relative_fd"), attr.u64("expected_revision"));
  if (!err && existing === null) tcx_entry_update(dev, e, ingress);
  return err;
}

/** tcx_prog_detach(): the program named by attach_bpf_fd (optional) or the first/last by the flags. */
export function tcx_prog_detach(c: Call): number {
  const { t, attr } = c;
  const ingress = attr.u32("attach_type") === AT.TCX_INGRESS;
  let prog: BpfProg | null = null;
  if (attr.u32("attach_bpf_fd")) {
    const p = progGet(t, attr.u32("attach_bpf_fd"), "attach_bpf_fd");
    if (typeof p === "number") return p;
    prog = p;
  }
  const dev = tcxDev(t, attr.u32("target_ifindex"), "target_ifindex");
  if (typeof dev === "number") return dev;
  const e = tcx_entry_fetch(dev, ingress);
  if (e === null) return t.fail(-ENOENT, `no tcx ${ingress ? "ingress" : "egress"} entry on ${dev.name}`);
  const err = bpf_mprog_detach(t, e, prog, null, attr.u32("attach_flags"), attr.u32("relative_fd"), attr.u64("expected_revision"));
  if (!err && e.items.length === 0) tcx_entry_update(dev, null, ingress);
  return err;
}

/** tcx_prog_query() */
export function tcx_prog_query(c: Call): number {
  const { t, attr } = c;
  const dev = tcxDev(t, attr.u32("query.target_ifindex"), "query.target_ifindex");
  if (typeof dev === "number") return dev;
  return bpf_mprog_query(c, tcx_entry_fetch(dev, attr.u32("query.attach_type") === AT.TCX_INGRESS));
}

interface TcxLink extends BpfLink {
  dev: NetDevice | null;
}

/** tcx_link_release(): out of the entry; the device is forgotten. */
function tcx_link_release(link: BpfLink): void {
  const tl = link as TcxLink;
  const dev = tl.dev;
  if (!dev) return;
  const ingress = link.attach_type === AT.TCX_INGRESS;
  const e = tcx_entry_fetch(dev, ingress);
  if (!e) return;
  const i = pos_exact(e, { prog: link.prog, link });
  if (i < 0) return;
  e.items.splice(i, 1);
  e.revision++;
  if (!e.items.length) tcx_entry_update(dev, null, ingress);
  tl.dev = null;
}

const tcx_link_lops: BpfLinkOps = {
  name: "tcx_link",
  release: tcx_link_release,
  detach: (_t, link) => {
    tcx_link_release(link);
    return 0;
  },
  // tcx_link_update()
  update_prog: (t, link, nprog, oprog) => {
    const tl = link as TcxLink;
    if (!tl.dev) return t.fail(-ENOLINK, "the tcx link was detached");
    if (oprog && link.prog !== oprog) return t.fail(-EPERM, "link_update.old_prog_fd is not the link's program");
    const old = link.prog!;
    if (old === nprog) {
      bpf_prog_put(nprog);
      return 0;
    }
    const e = tcx_entry_fetch(tl.dev, link.attach_type === AT.TCX_INGRESS);
    if (!e) return t.fail(-ENOENT, "no tcx entry");
    const err = bpf_mprog_attach(t, e, nprog, link, old, BPF_F_REPLACE | BPF_F_ID, old.id, 0n);
    if (err) return err;
    link.prog = nprog;
    bpf_prog_put(old);
    return 0;
  },
  // tcx_link_fill_info()
  fill_link_info: (_t, link, info) => {
    const tl = link as TcxLink;
    info.setU32("tcx.ifindex", tl.dev ? tl.dev.ifindex : 0);
    info.setU32("tcx.attach_type", link.attach_type);
    return 0;
  },
};

/** tcx_link_attach() */
export function tcx_link_attach(c: Call, prog: BpfProg): number {
  const { t, attr } = c;
  const dev = tcxDev(t, attr.u32("link_create.target_ifindex"), "link_create.target_ifindex");
  if (typeof dev === "number") return dev;
  const at = attr.u32("link_create.attach_type");
  const link = new BpfLink(t.kernel, LT.TCX, tcx_link_lops, prog, at) as TcxLink;
  link.dev = dev;
  const p = bpf_link_prime(t, link);
  if (typeof p === "number") return p;
  // tcx_link_prog_attach()
  const ingress = at === AT.TCX_INGRESS;
  const existing = tcx_entry_fetch(dev, ingress);
  const e = existing ?? new MprogEntry();
  const err = bpf_mprog_attach(t, e, prog, link, null, attr.u32("link_create.flags"), attr.u32("link_create.tcx.relative_fd"), attr.u64("link_create.tcx.expected_revision"));
  if (err) {
    link.dev = null;
    bpf_link_cleanup(t, p);
    return err;
  }
  if (existing === null) tcx_entry_update(dev, e, ingress);
  return bpf_link_settle(t, p);
}

// --- netkit -------------------------------------------------------------------------------------

/**
 * The netkit hooks: this kernel is built without CONFIG_NETKIT, so
 * include/net/netkit.h's stubs answer -EINVAL whatever the device (recorded:
 * PROG_QUERY of NETKIT_PRIMARY/PEER with ifindex 0 and 3 both give EINVAL).
 */
function netkit_stub(t: Task): number {
  return t.fail(-EINVAL, "this kernel has no netkit support (CONFIG_NETKIT is off)");
}

export function netkit_prog_attach(c: Call): number {
  return netkit_stub(c.t);
}

export function netkit_prog_detach(c: Call): number {
  return netkit_stub(c.t);
}

export function netkit_prog_query(c: Call): number {
  return netkit_stub(c.t);
}

export function netkit_link_attach(c: Call): number {
  return netkit_stub(c.t);
}

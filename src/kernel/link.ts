// SPDX-License-Identifier: GPL-2.0-only
// struct bpf_link (kernel/bpf/syscall.c): the object a LINK_CREATE hands out
// as an fd. A link holds one reference on its program, has an id from
// link_idr once it is settled, and a per-type ops table (bpf_link_ops) that
// releases the attachment, detaches it, swaps its program and fills its part
// of struct bpf_link_info. The link-type code lives in dev_xdp.ts,
// sock_map.ts, net_namespace.ts and tcx.ts.

import { EBADF, EFAULT, EINVAL, EOPNOTSUPP, ENOENT, EPERM } from "../abi/errno.ts";
import { BPF_ATTACH_TYPE as AT, BPF_PROG_TYPE as PT } from "../uapi/gen/consts-6.18.ts";
import type { BpfMap } from "./bpf.ts";
import { CAP } from "./capability.ts";
import { bpf_xdp_link_attach } from "./dev_xdp.ts";
import { File, O_CLOEXEC, type FileOperations } from "./file.ts";
import { bpf_map_fops } from "./maps.ts";
import { netns_bpf_link_create, netns_bpf_prog_attach, netns_bpf_prog_detach } from "./net_namespace.ts";
import { sock_map_bpf_prog_query, sock_map_get_from_fd, sock_map_link_create, sock_map_prog_detach } from "./sock_map.ts";
import { netkit_link_attach, netkit_prog_attach, netkit_prog_detach, netkit_prog_query, tcx_link_attach, tcx_prog_attach, tcx_prog_detach, tcx_prog_query } from "./tcx.ts";
import { InfoBuf } from "./info.ts";
import type { Kernel } from "./kernel.ts";
import { bpf_prog_fops, bpf_prog_put, type BpfProg } from "./prog.ts";
import { attach_type_to_prog_type, bpf_check_uarg_tail_zero, is_cgroup_prog_type, put_user_u32, type Call } from "./syscall.ts";
import type { Task } from "./task.ts";

/** struct bpf_link_ops: what a link type provides. A missing op means the kernel's NULL op. */
export interface BpfLinkOps {
  readonly name: string;
  /** Undoes the attachment; called once, when the last reference goes (and by LINK_DETACH for most types). */
  readonly release: (link: BpfLink) => void;
  /** LINK_DETACH; absent: -EOPNOTSUPP. */
  readonly detach?: (t: Task, link: BpfLink) => number;
  /** LINK_UPDATE with a program; absent: -EINVAL. Takes over the reference on `newProg` when it returns 0. */
  readonly update_prog?: (t: Task, link: BpfLink, newProg: BpfProg, oldProg: BpfProg | null) => number;
  /** The per-type union of struct bpf_link_info. */
  readonly fill_link_info?: (t: Task, link: BpfLink, info: InfoBuf) => number;
}

export class BpfLink {
  readonly kind = "link" as const;
  /** 0 until bpf_link_settle(): an unsettled link cannot be found by id. */
  id = 0;
  readonly type: number;
  readonly attach_type: number;
  /** NULL after bpf_link_cleanup(): a link that never got attached drops no program reference. */
  prog: BpfProg | null;
  readonly ops: BpfLinkOps;
  readonly kernel: Kernel;
  private refs = 1;

  constructor(kernel: Kernel, type: number, ops: BpfLinkOps, prog: BpfProg, attach_type: number) {
    this.kernel = kernel;
    this.type = type;
    this.ops = ops;
    this.prog = prog;
    this.attach_type = attach_type;
  }

  /**
   * The reference count: one per fd and per pin (inode_ops.ts changes it
   * directly), so the setter is where the last reference frees the link
   * (bpf_link_put_direct -> bpf_link_free).
   */
  get refcnt(): number {
    return this.refs;
  }

  set refcnt(v: number) {
    const was = this.refs;
    this.refs = v;
    if (v === 0 && was > 0) bpf_link_free(this);
  }
}

/** bpf_link_free(): the id goes, the attachment is released, then the program reference (bpf_link_dealloc). */
function bpf_link_free(link: BpfLink): void {
  if (link.id) {
    link.kernel.link_idr.remove(link.id);
    link.id = 0;
  }
  if (link.prog) {
    link.ops.release(link);
    bpf_prog_put(link.prog);
    link.prog = null;
  }
}

export const bpf_link_fops: FileOperations = {
  name: "bpf_link_fops",
  release: (f) => {
    (f.private_data as BpfLink).refcnt--;
  },
};

/** What bpf_link_prime() reserved: the fd number (not installed until settle) and the id. */
export interface BpfLinkPrimer {
  readonly link: BpfLink;
  readonly fd: number;
  readonly id: number;
}

/** A slot taken and given back to learn the fd get_unused_fd_flags() reserves. */
const reserved_fops: FileOperations = { name: "reserved fd" };

/**
 * bpf_link_prime(): an fd first (get_unused_fd_flags, -EMFILE), then an id
 * from link_idr (idr_alloc_cyclic, so a link that fails to attach still
 * moves the cursor on), then the anon inode file "bpf_link". The reserved fd
 * is not installed: while the hook attaches, that fd number is still closed
 * (a relative_fd naming it is -EBADF, as recorded for tcx links).
 */
export function bpf_link_prime(t: Task, link: BpfLink): BpfLinkPrimer | number {
  const fd = t.files.install(new File(reserved_fops, null, O_CLOEXEC));
  if (fd < 0) return t.fail(fd, "bpf_link_prime: no free fd");
  t.files.close(fd);
  const id = t.kernel.link_idr.alloc(link);
  if (id < 0) return t.fail(id, "bpf_link_prime: link_idr is full");
  return { link, fd, id };
}

/** bpf_link_settle(): the link becomes visible by id, then its file is installed at the reserved fd. */
export function bpf_link_settle(t: Task, p: BpfLinkPrimer): number {
  p.link.id = p.id;
  // The hooks open no files, so the lowest free fd is still the reserved one.
  return t.files.install(new File(bpf_link_fops, p.link, O_CLOEXEC));
}

/**
 * bpf_link_cleanup(): the attach failed. The link forgets its program (the
 * caller still owns that reference) and the reserved id is freed; the link
 * never had a file, so nothing else refers to it.
 */
export function bpf_link_cleanup(t: Task, p: BpfLinkPrimer): void {
  p.link.prog = null;
  t.kernel.link_idr.remove(p.id);
}

/** bpf_link_new_fd(): another fd on an existing link (LINK_GET_FD_BY_ID). */
export function bpf_link_new_fd(t: Task, link: BpfLink): number {
  return t.files.install(new File(bpf_link_fops, link, O_CLOEXEC));
}

// --- the LINK_* commands after the syscall.c prologues ----------------------------------

/**
 * link_update() after the link lookup: the new program (bpf_prog_get), the
 * old one only with BPF_F_REPLACE, then the type's update_prog.
 */
export function link_update_rest(c: Call, link: BpfLink): number {
  const { t, attr } = c;
  const flags = attr.u32("link_update.flags");
  const newProg = progGet(t, attr.u32("link_update.new_prog_fd"), "link_update.new_prog_fd");
  if (typeof newProg === "number") return newProg;
  let oldProg: BpfProg | null = null;
  if (flags & BPF_F_REPLACE) {
    const o = progGet(t, attr.u32("link_update.old_prog_fd"), "link_update.old_prog_fd");
    if (typeof o === "number") return o;
    oldProg = o;
  } else if (attr.u32("link_update.old_prog_fd")) {
    return t.fail(-EINVAL, "link_update.old_prog_fd is set without BPF_F_REPLACE");
  }
  if (link.ops.update_prog === undefined) return t.fail(-EINVAL, `${link.ops.name} links cannot change their program`);
  // The new program's reference moves to the link only on success.
  newProg.refcnt++;
  const err = link.ops.update_prog(t, link, newProg, oldProg);
  if (err) newProg.refcnt--;
  return err;
}

/** link_detach() after the link lookup. */
export function link_detach_rest(c: Call, link: BpfLink): number {
  if (link.ops.detach === undefined) return c.t.fail(-EOPNOTSUPP, `${link.ops.name} links cannot be detached`);
  return link.ops.detach(c.t, link);
}

/** bpf_iter_new_fd(): only iterator links (BPF_TRACE_ITER), which need BTF-typed tracing programs, make an iterator. */
export function iter_create_rest(c: Call, link: BpfLink): number {
  return c.t.fail(-EINVAL, `iter_create.link_fd: a ${link.ops.name} link is not an iterator link`);
}

/** bpf_link_get_fd_by_id() after the capability check: bpf_link_by_id, then bpf_link_new_fd. */
export function link_get_fd_by_id(c: Call, id: number): number {
  const { t } = c;
  if (!id) return t.fail(-ENOENT, "link_id 0 never names a link");
  const link = t.kernel.link_idr.find(id) as BpfLink | undefined;
  if (link === undefined || link.refcnt === 0) return t.fail(-ENOENT, `no link with id ${id}`);
  link.refcnt++;
  const fd = bpf_link_new_fd(t, link);
  if (fd < 0) {
    link.refcnt--;
    return t.fail(fd, "no free fd");
  }
  return fd;
}

/**
 * bpf_link_get_info_by_fd(): the tail check, the caller's prefix copied in,
 * type, id and prog_id, the type's union, then info and info_len back.
 */
export function bpf_link_get_info_by_fd(c: Call, f: File): number {
  const { t, attr } = c;
  const layout = t.kernel.tables.structs["bpf_link_info"];
  if (layout === undefined) return t.fail(-EINVAL, "this ABI has no bpf_link_info");
  const link = f.private_data as BpfLink;
  const uinfo = attr.u64("info.info");
  let len = attr.u32("info.info_len");
  const err = bpf_check_uarg_tail_zero(t, uinfo, layout.size, len, "info (bpf_link_info)");
  if (err) return err;
  len = Math.min(len, layout.size);
  const info = new InfoBuf(layout);
  if (t.memory.copyIn(info.bytes, uinfo, len) !== 0) return t.fail(-EFAULT, `info: reading ${len} bytes of bpf_link_info faulted`);
  info.setU32("type", link.type);
  info.setU32("id", link.id);
  if (link.prog) info.setU32("prog_id", link.prog.id);
  if (link.ops.fill_link_info) {
    const e = link.ops.fill_link_info(t, link, info);
    if (e) return e;
  }
  if (t.memory.copyOut(uinfo, info.bytes.subarray(0, len)) !== 0) return t.fail(-EFAULT, `info: writing ${len} bytes faulted`);
  return put_user_u32(c, "info.info_len", len);
}

/** BPF_F_REPLACE */
export const BPF_F_REPLACE = 1 << 2;

/** bpf_prog_get(): -EBADF for a closed fd, -EINVAL for another kind of file. */
export function progGet(t: Task, ufd: number, field: string): BpfProg | number {
  const f = t.files.get(ufd);
  if (f === undefined) return t.fail(-EBADF, `${field}: fd ${ufd} is not open`);
  if (f.f_op !== bpf_prog_fops) return t.fail(-EINVAL, `${field}: fd ${ufd} is not a program (${f.f_op.name})`);
  return f.private_data as BpfProg;
}

// --- attach-type checks and the per-hook dispatch of PROG_ATTACH, PROG_DETACH, PROG_QUERY
// --- and LINK_CREATE (the tails of their syscall.c handlers) -----------------------------

/**
 * bpf_prog_attach_check_attach_type(): whether `prog` may go to attach type
 * `at`. Returns 0, -EINVAL, or -EPERM for a CGROUP_SKB program without
 * CAP_NET_ADMIN (cg-skb programs can be loaded unprivileged).
 */
export function bpf_prog_attach_check_attach_type(t: Task, prog: BpfProg, at: number): number {
  switch (prog.type) {
    case PT.CGROUP_SOCK:
    case PT.CGROUP_SOCK_ADDR:
    case PT.CGROUP_SOCKOPT:
    case PT.SK_LOOKUP:
      return at === prog.expected_attach_type ? 0 : t.fail(-EINVAL, `attach type ${at} is not the program's expected_attach_type ${prog.expected_attach_type}`);
    case PT.CGROUP_SKB:
      // bpf_token_capable(prog->aux->token, CAP_NET_ADMIN): CAP_SYS_ADMIN stands in for any capability but itself.
      if (!t.capable(CAP.NET_ADMIN) && !t.capable(CAP.SYS_ADMIN)) return t.fail(-EPERM, "CGROUP_SKB programs need CAP_NET_ADMIN to attach");
      if (attach_type_to_prog_type(at) !== prog.type) return t.fail(-EINVAL, `attach type ${at} is not a CGROUP_SKB hook`);
      // enforce_expected_attach_type is set when the program was loaded with a non-zero expected_attach_type.
      return prog.expected_attach_type && prog.expected_attach_type !== at ? t.fail(-EINVAL, `attach type ${at} is not the program's expected_attach_type`) : 0;
    case PT.EXT:
      return 0;
    case PT.NETFILTER:
      return at === AT.NETFILTER ? 0 : t.fail(-EINVAL, "NETFILTER programs attach only as BPF_NETFILTER");
    case PT.PERF_EVENT:
    case PT.TRACEPOINT:
      return at === AT.PERF_EVENT ? 0 : t.fail(-EINVAL, "PERF_EVENT and TRACEPOINT programs attach only as BPF_PERF_EVENT");
    case PT.KPROBE: {
      const eat = prog.expected_attach_type;
      for (const multi of [AT.TRACE_KPROBE_MULTI, AT.TRACE_KPROBE_SESSION, AT.TRACE_UPROBE_MULTI, AT.TRACE_UPROBE_SESSION])
        if (eat === multi && at !== multi) return t.fail(-EINVAL, `a program loaded for attach type ${eat} attaches only as that`);
      if (at !== AT.PERF_EVENT && at !== AT.TRACE_KPROBE_MULTI && at !== AT.TRACE_KPROBE_SESSION && at !== AT.TRACE_UPROBE_MULTI && at !== AT.TRACE_UPROBE_SESSION)
        return t.fail(-EINVAL, `attach type ${at} is not a kprobe hook`);
      return 0;
    }
    case PT.SCHED_CLS:
      if (at !== AT.TCX_INGRESS && at !== AT.TCX_EGRESS && at !== AT.NETKIT_PRIMARY && at !== AT.NETKIT_PEER) return t.fail(-EINVAL, `attach type ${at} is not a tcx or netkit hook`);
      return 0;
    default: {
      const pt = attach_type_to_prog_type(at);
      if (pt === PT.UNSPEC || pt !== prog.type) return t.fail(-EINVAL, `attach type ${at} does not take program type ${prog.type}`);
      return 0;
    }
  }
}

/** cgroup_get_from_fd(): the emulated tasks have no cgroup directories open, so any fd is -EBADF. */
function cgroup_get_from_fd(t: Task, fd: number, field: string): number {
  const f = t.files.get(fd);
  return t.fail(-EBADF, `${field} ${fd} ${f === undefined ? "is not open" : "is not a cgroup directory"}`);
}

/**
 * bpf_prog_attach() after bpf_prog_get_type(): the attach-type check (any
 * failure is -EINVAL here), then the hook. The hook keeps the reference the
 * lookup took when it succeeds.
 */
export function bpf_prog_attach_rest(c: Call, prog: BpfProg, ptype: number): number {
  const { t, attr } = c;
  const at = attr.u32("attach_type");
  if (bpf_prog_attach_check_attach_type(t, prog, at)) return -EINVAL;
  prog.refcnt++;
  const ret = prog_attach_hook(c, prog, ptype);
  if (ret) prog.refcnt--;
  return ret;
}

function prog_attach_hook(c: Call, prog: BpfProg, ptype: number): number {
  const { t, attr } = c;
  if (is_cgroup_prog_type(ptype, prog.expected_attach_type, true)) return cgroup_get_from_fd(t, attr.u32("target_fd"), "target_fd");
  switch (ptype) {
    case PT.SK_SKB:
    case PT.SK_MSG:
      return sock_map_get_from_fd(c, prog);
    case PT.LIRC_MODE2:
      return t.fail(-EINVAL, "this kernel has no LIRC_MODE2 support");
    case PT.FLOW_DISSECTOR:
      return netns_bpf_prog_attach(c, prog);
    case PT.SCHED_CLS:
      if (attr.u32("attach_type") === AT.TCX_INGRESS || attr.u32("attach_type") === AT.TCX_EGRESS) return tcx_prog_attach(c, prog);
      return netkit_prog_attach(c);
    default:
      return t.fail(-EINVAL, `program type ${ptype} has no PROG_ATTACH hook`);
  }
}

/** bpf_prog_detach() after the flag checks: the hook for the program type. */
export function bpf_prog_detach_rest(c: Call, ptype: number): number {
  const { t, attr } = c;
  const at = attr.u32("attach_type");
  switch (ptype) {
    case PT.SK_MSG:
    case PT.SK_SKB:
      return sock_map_prog_detach(c, ptype);
    case PT.LIRC_MODE2: {
      const f = t.files.get(attr.u32("target_fd"));
      if (f === undefined) return t.fail(-EBADF, "target_fd is not open");
      return t.fail(-EINVAL, "target_fd is not a lirc device");
    }
    case PT.FLOW_DISSECTOR:
      return netns_bpf_prog_detach(c, ptype);
    case PT.CGROUP_DEVICE:
    case PT.CGROUP_SKB:
    case PT.CGROUP_SOCK:
    case PT.CGROUP_SOCK_ADDR:
    case PT.CGROUP_SOCKOPT:
    case PT.CGROUP_SYSCTL:
    case PT.SOCK_OPS:
    case PT.LSM:
      return cgroup_get_from_fd(t, attr.u32("target_fd"), "target_fd");
    case PT.SCHED_CLS:
      if (at === AT.TCX_INGRESS || at === AT.TCX_EGRESS) return tcx_prog_detach(c);
      if (at === AT.NETKIT_PRIMARY || at === AT.NETKIT_PEER) return netkit_prog_detach(c);
      return t.fail(-EINVAL, "unknown attach type");
    default:
      return t.fail(-EINVAL, `attach_type ${at} has no detach path`);
  }
}

/** The hook family PROG_QUERY dispatches an attach type to. */
function attachQueryKind(at: number): "cgroup" | "lirc" | "netns" | "sockmap" | "tcx" | "netkit" | "none" {
  switch (at) {
    case AT.CGROUP_INET_INGRESS:
    case AT.CGROUP_INET_EGRESS:
    case AT.CGROUP_INET_SOCK_CREATE:
    case AT.CGROUP_INET_SOCK_RELEASE:
    case AT.CGROUP_INET4_BIND:
    case AT.CGROUP_INET6_BIND:
    case AT.CGROUP_INET4_POST_BIND:
    case AT.CGROUP_INET6_POST_BIND:
    case AT.CGROUP_INET4_CONNECT:
    case AT.CGROUP_INET6_CONNECT:
    case AT.CGROUP_UNIX_CONNECT:
    case AT.CGROUP_INET4_GETPEERNAME:
    case AT.CGROUP_INET6_GETPEERNAME:
    case AT.CGROUP_UNIX_GETPEERNAME:
    case AT.CGROUP_INET4_GETSOCKNAME:
    case AT.CGROUP_INET6_GETSOCKNAME:
    case AT.CGROUP_UNIX_GETSOCKNAME:
    case AT.CGROUP_UDP4_SENDMSG:
    case AT.CGROUP_UDP6_SENDMSG:
    case AT.CGROUP_UNIX_SENDMSG:
    case AT.CGROUP_UDP4_RECVMSG:
    case AT.CGROUP_UDP6_RECVMSG:
    case AT.CGROUP_UNIX_RECVMSG:
    case AT.CGROUP_SOCK_OPS:
    case AT.CGROUP_DEVICE:
    case AT.CGROUP_SYSCTL:
    case AT.CGROUP_GETSOCKOPT:
    case AT.CGROUP_SETSOCKOPT:
    case AT.LSM_CGROUP:
      return "cgroup";
    case AT.LIRC_MODE2:
      return "lirc";
    case AT.FLOW_DISSECTOR:
    case AT.SK_LOOKUP:
      return "netns";
    case AT.SK_SKB_STREAM_PARSER:
    case AT.SK_SKB_STREAM_VERDICT:
    case AT.SK_MSG_VERDICT:
    case AT.SK_SKB_VERDICT:
      return "sockmap";
    case AT.TCX_INGRESS:
    case AT.TCX_EGRESS:
      return "tcx";
    case AT.NETKIT_PRIMARY:
    case AT.NETKIT_PEER:
      return "netkit";
    default:
      return "none";
  }
}

/** bpf_prog_query() after the flag check: the per-hook query. */
export function bpf_prog_query_rest(c: Call): number {
  const { t, attr } = c;
  const at = attr.u32("query.attach_type");
  switch (attachQueryKind(at)) {
    case "cgroup":
      return cgroup_get_from_fd(t, attr.u32("query.target_fd"), "query.target_fd");
    case "lirc": {
      if (attr.u32("query.query_flags")) return t.fail(-EINVAL, "query_flags must be 0 for lirc");
      const f = t.files.get(attr.u32("query.target_fd"));
      if (f === undefined) return t.fail(-EBADF, "query.target_fd is not open");
      return t.fail(-EINVAL, "query.target_fd is not a lirc device");
    }
    case "netns": {
      // netns_bpf_prog_query(): get_net_ns_by_fd() needs a namespace file, which no emulated fd is.
      if (attr.u32("query.query_flags")) return t.fail(-EINVAL, "query_flags must be 0 for netns queries");
      const f = t.files.get(attr.u32("query.target_fd"));
      if (f === undefined) return t.fail(-EBADF, "query.target_fd is not open");
      return t.fail(-EINVAL, "query.target_fd is not a network namespace");
    }
    case "sockmap": {
      // sock_map_bpf_prog_query()
      if (attr.u32("query.query_flags")) return t.fail(-EINVAL, "query_flags must be 0 for sockmap queries");
      const f = t.files.get(attr.u32("query.target_fd"));
      if (f === undefined) return t.fail(-EBADF, `query.target_fd ${attr.u32("query.target_fd")} is not open`);
      if (f.f_op !== bpf_map_fops) return t.fail(-EINVAL, `query.target_fd is not a map (${f.f_op.name})`);
      return sock_map_bpf_prog_query(c, f.private_data as BpfMap);
    }
    case "tcx":
      return tcx_prog_query(c);
    case "netkit":
      return netkit_prog_query(c);
    default:
      return t.fail(-EINVAL, `query.attach_type ${at} cannot be queried`);
  }
}

/**
 * link_create() after bpf_prog_get(): the attach-type check (its own errno
 * here), then the link type for the program type. The link keeps the
 * reference the lookup took when it is created.
 */
export function link_create_rest(c: Call, prog: BpfProg): number {
  const { t, attr } = c;
  const at = attr.u32("link_create.attach_type");
  const err = bpf_prog_attach_check_attach_type(t, prog, at);
  if (err) return err;
  prog.refcnt++;
  const ret = link_create_hook(c, prog, at);
  if (ret < 0) prog.refcnt--;
  return ret;
}

function link_create_hook(c: Call, prog: BpfProg, at: number): number {
  const { t, attr } = c;
  switch (prog.type) {
    case PT.CGROUP_SKB:
    case PT.CGROUP_SOCK:
    case PT.CGROUP_SOCK_ADDR:
    case PT.SOCK_OPS:
    case PT.CGROUP_DEVICE:
    case PT.CGROUP_SYSCTL:
    case PT.CGROUP_SOCKOPT: {
      // cgroup_bpf_link_attach(): only the mprog flags, then the cgroup (probed on 6.18 with /dev/null as target).
      const flags = attr.u32("link_create.flags");
      if (flags & ~BPF_F_LINK_ATTACH_MASK) return t.fail(-EINVAL, `link_create.flags 0x${flags.toString(16)}: a cgroup link takes only ID, BEFORE, AFTER, PREORDER and LINK`);
      return cgroup_get_from_fd(t, attr.u32("link_create.target_fd"), "link_create.target_fd");
    }
    case PT.LSM:
    case PT.TRACING:
      if (at !== prog.expected_attach_type) return t.fail(-EINVAL, "link_create.attach_type must be the program's expected_attach_type");
      return t.fail(-EINVAL, "bpfemu: tracing and LSM links (BTF attach targets, trampolines) are not emulated");
    case PT.EXT:
      return t.fail(-EINVAL, "bpfemu: freplace links are not emulated");
    case PT.FLOW_DISSECTOR:
    case PT.SK_LOOKUP:
      return netns_bpf_link_create(c, prog);
    case PT.SK_MSG:
    case PT.SK_SKB:
      return sock_map_link_create(c, prog);
    case PT.XDP:
      return bpf_xdp_link_attach(c, prog);
    case PT.SCHED_CLS:
      if (at === AT.TCX_INGRESS || at === AT.TCX_EGRESS) return tcx_link_attach(c, prog);
      return netkit_link_attach(c);
    case PT.NETFILTER:
      return t.fail(-EINVAL, "bpfemu: netfilter links are not emulated");
    case PT.PERF_EVENT:
    case PT.TRACEPOINT:
      return bpf_perf_link_attach(c);
    case PT.KPROBE:
      if (at === AT.PERF_EVENT) return bpf_perf_link_attach(c);
      return t.fail(-EINVAL, "bpfemu: kprobe and uprobe multi links are not emulated");
    default:
      return t.fail(-EINVAL, `program type ${prog.type} has no link type`);
  }
}

/** BPF_F_LINK_ATTACH_MASK: BPF_F_BEFORE | BPF_F_AFTER | BPF_F_ID | BPF_F_PREORDER | BPF_F_LINK */
const BPF_F_LINK_ATTACH_MASK = (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 13);

/** bpf_perf_link_attach(): flags must be 0 and target_fd a perf event, which no emulated fd is (-EBADF). */
function bpf_perf_link_attach(c: Call): number {
  const { t, attr } = c;
  if (attr.u32("link_create.flags")) return t.fail(-EINVAL, "link_create.flags must be 0 for a perf event link");
  const fd = attr.u32("link_create.target_fd");
  return t.fail(-EBADF, `link_create.target_fd ${fd} ${t.files.get(fd) === undefined ? "is not open" : "is not a perf event"}`);
}

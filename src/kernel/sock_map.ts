// SPDX-License-Identifier: GPL-2.0-only
// The program slots of SOCKMAP and SOCKHASH maps (net/core/sock_map.c:
// struct sk_psock_progs, sock_map_prog_update, sock_map_get_from_fd,
// sock_map_prog_detach, sock_map_bpf_prog_query and the sockmap link). A map
// holds one msg parser, one stream parser and one stream or skb verdict
// program, each either attached directly or owned by a link. The maps
// themselves (element storage) are in map_misc.ts.

import { EBADF, EBUSY, EFAULT, EINVAL, ENOENT, EOPNOTSUPP, EPERM } from "../abi/errno.ts";
import { BPF_ATTACH_TYPE as AT, BPF_LINK_TYPE as LT, BPF_MAP_TYPE as MT } from "../uapi/gen/consts-6.18.ts";
import type { BpfMap } from "./bpf.ts";
import { BpfLink, bpf_link_cleanup, bpf_link_prime, bpf_link_settle, progGet, type BpfLinkOps } from "./link.ts";
import { bpf_map_fops, bpf_map_put_with_uref } from "./maps.ts";
import { bpf_prog_put, type BpfProg } from "./prog.ts";
import { put_user_u32, type Call } from "./syscall.ts";
import type { Task } from "./task.ts";
import { ENOLINK } from "./dev_xdp.ts";

/** struct sk_psock_progs: a program and the link that owns it (if any) per slot. */
interface SockProgs {
  msg_parser: BpfProg | null;
  stream_parser: BpfProg | null;
  stream_verdict: BpfProg | null;
  skb_verdict: BpfProg | null;
  msg_parser_link: BpfLink | null;
  stream_parser_link: BpfLink | null;
  stream_verdict_link: BpfLink | null;
  skb_verdict_link: BpfLink | null;
}

type Slot = "msg_parser" | "stream_parser" | "stream_verdict" | "skb_verdict";

const progsOf = new WeakMap<BpfMap, SockProgs>();

/** sock_map_progs(): only SOCKMAP and SOCKHASH have program slots. */
function sock_map_progs(map: BpfMap): SockProgs | null {
  if (map.map_type !== MT.SOCKMAP && map.map_type !== MT.SOCKHASH) return null;
  let p = progsOf.get(map);
  if (p === undefined) {
    p = {
      msg_parser: null,
      stream_parser: null,
      stream_verdict: null,
      skb_verdict: null,
      msg_parser_link: null,
      stream_parser_link: null,
      stream_verdict_link: null,
      skb_verdict_link: null,
    };
    progsOf.set(map, p);
  }
  return p;
}

/**
 * sock_map_prog_link_lookup(): the slot an attach type names. The stream
 * verdict and the skb verdict exclude each other (-EBUSY); an attach type
 * without a slot is -EOPNOTSUPP, as is a map without slots. This kernel has
 * CONFIG_BPF_STREAM_PARSER (the stream parser slot exists).
 */
function sock_map_prog_link_lookup(t: Task, map: BpfMap, which: number): { progs: SockProgs; slot: Slot } | number {
  const progs = sock_map_progs(map);
  if (progs === null) return t.fail(-EOPNOTSUPP, `map type ${map.map_type} is not a SOCKMAP or SOCKHASH: it has no program slots`);
  switch (which) {
    case AT.SK_MSG_VERDICT:
      return { progs, slot: "msg_parser" };
    case AT.SK_SKB_STREAM_PARSER:
      return { progs, slot: "stream_parser" };
    case AT.SK_SKB_STREAM_VERDICT:
      if (progs.skb_verdict) return t.fail(-EBUSY, "an SK_SKB_VERDICT program holds the verdict slot");
      return { progs, slot: "stream_verdict" };
    case AT.SK_SKB_VERDICT:
      if (progs.stream_verdict) return t.fail(-EBUSY, "an SK_SKB_STREAM_VERDICT program holds the verdict slot");
      return { progs, slot: "skb_verdict" };
    default:
      return t.fail(-EOPNOTSUPP, `attach_type ${which} has no sockmap program slot`);
  }
}

function linkKey(slot: Slot): `${Slot}_link` {
  return `${slot}_link`;
}

/** psock_set_prog(): the slot takes `prog` (and its reference); the previous program's reference is dropped. */
function psock_set_prog(progs: SockProgs, slot: Slot, prog: BpfProg | null): void {
  const old = progs[slot];
  progs[slot] = prog;
  if (old) bpf_prog_put(old);
}

/** psock_replace_prog(): only when the slot still holds `old` (-ENOENT otherwise). */
function psock_replace_prog(progs: SockProgs, slot: Slot, prog: BpfProg | null, old: BpfProg): number {
  if (progs[slot] !== old) return -ENOENT;
  progs[slot] = prog;
  bpf_prog_put(old);
  return 0;
}

/**
 * sock_map_prog_update(), for its four callers: prog attach (prog),
 * prog detach (old), link attach (prog, link), link detach (old, link). A
 * slot owned by a link refuses everything but its own link's detach.
 */
function sock_map_prog_update(t: Task, map: BpfMap, prog: BpfProg | null, old: BpfProg | null, link: BpfLink | null, which: number): number {
  const r = sock_map_prog_link_lookup(t, map, which);
  if (typeof r === "number") return r;
  const { progs, slot } = r;
  const lk = linkKey(slot);
  if ((!link || prog) && progs[lk]) return t.fail(-EBUSY, "a sockmap link owns this program slot");
  if (old) {
    const err = psock_replace_prog(progs, slot, prog, old);
    if (err) return t.fail(err, "that program is not the one attached to this slot of the map");
    progs[lk] = null;
    return 0;
  }
  psock_set_prog(progs, slot, prog);
  if (link) progs[lk] = link;
  return 0;
}

/** __bpf_map_get() */
function mapFromFd(t: Task, ufd: number, field: string): BpfMap | number {
  const f = t.files.get(ufd);
  if (f === undefined) return t.fail(-EBADF, `${field}: fd ${ufd} is not open`);
  if (f.f_op !== bpf_map_fops) return t.fail(-EINVAL, `${field}: fd ${ufd} is not a map (${f.f_op.name})`);
  return f.private_data as BpfMap;
}

/** sock_map_get_from_fd() (PROG_ATTACH of SK_SKB and SK_MSG programs). */
export function sock_map_get_from_fd(c: Call, prog: BpfProg): number {
  const { t, attr } = c;
  if (attr.u32("attach_flags") || attr.u32("replace_bpf_fd")) return t.fail(-EINVAL, "attach_flags and replace_bpf_fd must be 0 for a sockmap attach");
  const map = mapFromFd(t, attr.u32("target_fd"), "target_fd");
  if (typeof map === "number") return map;
  return sock_map_prog_update(t, map, prog, null, null, attr.u32("attach_type"));
}

/** sock_map_prog_detach(): the map, then the program named by attach_bpf_fd, which must be of the right type. */
export function sock_map_prog_detach(c: Call, ptype: number): number {
  const { t, attr } = c;
  if (attr.u32("attach_flags") || attr.u32("replace_bpf_fd")) return t.fail(-EINVAL, "attach_flags and replace_bpf_fd must be 0 for a sockmap detach");
  const map = mapFromFd(t, attr.u32("target_fd"), "target_fd");
  if (typeof map === "number") return map;
  const prog = progGet(t, attr.u32("attach_bpf_fd"), "attach_bpf_fd");
  if (typeof prog === "number") return prog;
  if (prog.type !== ptype) return t.fail(-EINVAL, `attach_bpf_fd: program type ${prog.type} is not the ${ptype} this attach type needs`);
  return sock_map_prog_update(t, map, null, prog, null, attr.u32("attach_type"));
}

/**
 * sock_map_bpf_prog_query() after the flag check and map lookup: the slot's
 * program id (when the caller gave room for it) and the count; attach_flags
 * and prog_cnt are written back even when the slot lookup fails.
 */
export function sock_map_bpf_prog_query(c: Call, map: BpfMap): number {
  const { t, attr } = c;
  const r = sock_map_prog_link_lookup(t, map, attr.u32("query.attach_type"));
  let ret = typeof r === "number" ? r : 0;
  let prog_cnt = 0;
  let id = 0;
  if (typeof r !== "number") {
    const prog = r.progs[r.slot];
    prog_cnt = prog ? 1 : 0;
    if (attr.u32("query.prog_cnt") && attr.u64("query.prog_ids") !== 0n && prog_cnt) {
      id = prog!.id;
      if (id === 0) prog_cnt = 0;
    }
  }
  let fault = put_user_u32(c, "query.attach_flags", 0) !== 0;
  if (!fault && id !== 0) {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, id, true);
    fault = t.memory.copyOut(attr.u64("query.prog_ids"), b) !== 0;
  }
  if (!fault) fault = put_user_u32(c, "query.prog_cnt", prog_cnt) !== 0;
  if (fault) ret = t.fail(-EFAULT, "query: writing attach_flags, prog_ids or prog_cnt faulted");
  return ret;
}

/** sock_map_release_progs() (map_release_uref): the last user reference drops every attached program. */
export function sock_map_release_progs(map: BpfMap): void {
  const progs = progsOf.get(map);
  if (progs === undefined) return;
  for (const s of ["msg_parser", "stream_parser", "stream_verdict", "skb_verdict"] as const) psock_set_prog(progs, s, null);
}

// --- sockmap links ----------------------------------------------------------------------------

interface SockmapLink extends BpfLink {
  /** Holds a user reference on the map until the link is released or detached. */
  map: BpfMap | null;
}

/** sock_map_link_release(): the slot is emptied and the map reference dropped. */
function sock_map_link_release(link: BpfLink): void {
  const sl = link as SockmapLink;
  if (!sl.map) return;
  const map = sl.map;
  const progs = sock_map_progs(map)!;
  // sock_map_prog_update(map, NULL, link->prog, link, attach_type) cannot fail here.
  const slot = slotOf(link.attach_type);
  if (slot !== null && progs[slot] === link.prog) {
    progs[slot] = null;
    bpf_prog_put(link.prog!);
    progs[linkKey(slot)] = null;
  }
  sl.map = null;
  bpf_map_put_with_uref(map);
}

function slotOf(at: number): Slot | null {
  switch (at) {
    case AT.SK_MSG_VERDICT:
      return "msg_parser";
    case AT.SK_SKB_STREAM_PARSER:
      return "stream_parser";
    case AT.SK_SKB_STREAM_VERDICT:
      return "stream_verdict";
    case AT.SK_SKB_VERDICT:
      return "skb_verdict";
    default:
      return null;
  }
}

const sock_map_link_ops: BpfLinkOps = {
  name: "sock_map_link",
  release: sock_map_link_release,
  detach: (_t, link) => {
    sock_map_link_release(link);
    return 0;
  },
  // sock_map_link_update_prog()
  update_prog: (t, link, prog, old) => {
    const sl = link as SockmapLink;
    if (old && link.prog !== old) return t.fail(-EPERM, "link_update.old_prog_fd is not the link's program");
    if (link.prog!.type !== prog.type || link.prog!.expected_attach_type !== prog.expected_attach_type)
      return t.fail(-EINVAL, "the new program's type or expected_attach_type differs from the link's");
    if (!sl.map) return t.fail(-ENOLINK, "the sockmap link was detached");
    const r = sock_map_prog_link_lookup(t, sl.map, link.attach_type);
    if (typeof r === "number") return r;
    const { progs, slot } = r;
    if (progs[linkKey(slot)] !== link) return t.fail(-EBUSY, "the slot is no longer owned by this link");
    if (old) {
      const err = psock_replace_prog(progs, slot, prog, old);
      if (err) return t.fail(err, "the slot does not hold the old program");
    } else {
      psock_set_prog(progs, slot, prog);
    }
    // The slot and the link each hold a reference on the new program.
    prog.refcnt++;
    const prev = link.prog!;
    link.prog = prog;
    bpf_prog_put(prev);
    return 0;
  },
  // sock_map_link_fill_info()
  fill_link_info: (_t, link, info) => {
    const sl = link as SockmapLink;
    info.setU32("sockmap.map_id", sl.map ? sl.map.id : 0);
    info.setU32("sockmap.attach_type", link.attach_type);
    return 0;
  },
};

/** sock_map_link_create() (LINK_CREATE of SK_SKB and SK_MSG programs). */
export function sock_map_link_create(c: Call, prog: BpfProg): number {
  const { t, attr } = c;
  if (attr.u32("link_create.flags")) return t.fail(-EINVAL, "link_create.flags must be 0 for a sockmap link");
  // bpf_map_get_with_uref()
  const map = mapFromFd(t, attr.u32("link_create.target_fd"), "link_create.target_fd");
  if (typeof map === "number") return map;
  map.refcnt++;
  map.usercnt++;
  if (map.map_type !== MT.SOCKMAP && map.map_type !== MT.SOCKHASH) {
    bpf_map_put_with_uref(map);
    return t.fail(-EINVAL, "link_create.target_fd is not a SOCKMAP or SOCKHASH");
  }
  const at = attr.u32("link_create.attach_type");
  const link = new BpfLink(t.kernel, LT.SOCKMAP, sock_map_link_ops, prog, at) as SockmapLink;
  link.map = map;
  const p = bpf_link_prime(t, link);
  if (typeof p === "number") {
    bpf_map_put_with_uref(map);
    return p;
  }
  const err = sock_map_prog_update(t, map, prog, null, link, at);
  if (err) {
    // bpf_link_cleanup() frees the link without its release op; the map reference goes here.
    link.map = null;
    bpf_link_cleanup(t, p);
    bpf_map_put_with_uref(map);
    return err;
  }
  // The slot holds a reference of its own besides the link's.
  prog.refcnt++;
  return bpf_link_settle(t, p);
}

// SPDX-License-Identifier: GPL-2.0-only
// tcx (kernel/bpf/tcx.c) and netkit (drivers/net/netkit.c) attachment of
// SCHED_CLS programs: the device lookups and their errnos. lo is the only
// device.

import { EINVAL, ENODEV, ENOENT } from "../abi/errno.ts";
import { current_net, dev_get_by_index } from "./net_namespace.ts";
import type { BpfProg } from "./prog.ts";
import type { Call } from "./syscall.ts";
import type { Task } from "./task.ts";

function tcxDev(t: Task, ifindex: number, field: string): number {
  if (dev_get_by_index(current_net(t), ifindex) === undefined) return t.fail(-ENODEV, `${field} ${ifindex}: no such device in the namespace`);
  return 0;
}

/** tcx_prog_attach() */
export function tcx_prog_attach(c: Call, prog: BpfProg): number {
  void prog;
  const err = tcxDev(c.t, c.attr.u32("target_ifindex"), "target_ifindex");
  if (err) return err;
  return c.t.fail(-EINVAL, "bpfemu: tcx multi-program attachment is not emulated");
}

/** tcx_prog_detach(): nothing has been attached to lo's tcx hooks. */
export function tcx_prog_detach(c: Call): number {
  const err = tcxDev(c.t, c.attr.u32("target_ifindex"), "target_ifindex");
  if (err) return err;
  return c.t.fail(-ENOENT, "no tcx entry on this device");
}

/** tcx_prog_query() */
export function tcx_prog_query(c: Call): number {
  const err = tcxDev(c.t, c.attr.u32("query.target_ifindex"), "query.target_ifindex");
  if (err) return err;
  return c.t.fail(-EINVAL, "bpfemu: tcx queries are not emulated");
}

/** tcx_link_attach() */
export function tcx_link_attach(c: Call, prog: BpfProg): number {
  void prog;
  const err = tcxDev(c.t, c.attr.u32("link_create.target_ifindex"), "link_create.target_ifindex");
  if (err) return err;
  return c.t.fail(-EINVAL, "bpfemu: tcx links are not emulated");
}

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

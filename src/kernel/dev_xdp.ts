// SPDX-License-Identifier: GPL-2.0-only
// XDP attachment to a network device through BPF links (net/core/dev.c:
// dev_xdp_attach, the bpf_xdp_link ops and bpf_xdp_link_attach). The only
// device is the namespace's lo, which has no ndo_bpf: generic (skb-mode)
// XDP is what a link installs, native and offloaded modes are refused.

import { EBUSY, EEXIST, EINVAL, EOPNOTSUPP, EPERM } from "../abi/errno.ts";
import { BPF_ATTACH_TYPE as AT, BPF_LINK_TYPE as LT } from "../uapi/gen/consts-6.18.ts";
import { BpfLink, bpf_link_cleanup, bpf_link_prime, bpf_link_settle, type BpfLinkOps } from "./link.ts";
import { current_net, dev_get_by_index, XDP_MODE_DRV, XDP_MODE_HW, XDP_MODE_SKB, type NetDevice } from "./net_namespace.ts";
import { bpf_prog_put, type BpfProg } from "./prog.ts";
import type { Call } from "./syscall.ts";
import type { Task } from "./task.ts";

/** ENOLINK: a link whose attachment is gone. */
export const ENOLINK = 67;

/** XDP_FLAGS_* (include/uapi/linux/if_link.h) */
const XDP_FLAGS_UPDATE_IF_NOEXIST = 1 << 0;
const XDP_FLAGS_SKB_MODE = 1 << 1;
const XDP_FLAGS_DRV_MODE = 1 << 2;
const XDP_FLAGS_HW_MODE = 1 << 3;
const XDP_FLAGS_REPLACE = 1 << 4;
const XDP_FLAGS_MODES = XDP_FLAGS_SKB_MODE | XDP_FLAGS_DRV_MODE | XDP_FLAGS_HW_MODE;

interface XdpLink extends BpfLink {
  /** NULL once detached (or auto-detached with the device). */
  dev: NetDevice | null;
  flags: number;
}

/** dev_xdp_mode(): an explicit mode flag, else native when the driver has ndo_bpf, else generic. */
function dev_xdp_mode(dev: NetDevice, flags: number): number {
  if (flags & XDP_FLAGS_HW_MODE) return XDP_MODE_HW;
  if (flags & XDP_FLAGS_DRV_MODE) return XDP_MODE_DRV;
  if (flags & XDP_FLAGS_SKB_MODE) return XDP_MODE_SKB;
  return dev.hasNdoBpf ? XDP_MODE_DRV : XDP_MODE_SKB;
}

/** dev_xdp_bpf_op(): generic_xdp_install for skb mode, the driver's ndo_bpf otherwise. */
function dev_xdp_has_bpf_op(dev: NetDevice, mode: number): boolean {
  return mode === XDP_MODE_SKB || dev.hasNdoBpf;
}

/** dev_xdp_prog(): the program of the link or the directly installed one. */
function dev_xdp_prog(dev: NetDevice, mode: number): BpfProg | null {
  const e = dev.xdp[mode]!;
  return e.link ? e.link.prog : e.prog;
}

/** dev_xdp_prog_count() */
function dev_xdp_prog_count(dev: NetDevice): number {
  let n = 0;
  for (let m = XDP_MODE_SKB; m <= XDP_MODE_HW; m++) if (dev.xdp[m]!.prog || dev.xdp[m]!.link) n++;
  return n;
}

function hweight32(v: number): number {
  let n = 0;
  for (let x = v >>> 0; x; x &= x - 1) n++;
  return n;
}

/**
 * dev_xdp_attach() for a link (new_prog and old_prog NULL): the flag rules,
 * one XDP user per mode, generic and native never together, no DEVMAP or
 * CPUMAP programs, and a driver hook for the mode.
 */
function dev_xdp_attach_link(t: Task, dev: NetDevice, link: XdpLink): number {
  const flags = link.flags;
  const num_modes = hweight32(flags & XDP_FLAGS_MODES);
  if (flags & ~XDP_FLAGS_MODES) return t.fail(-EINVAL, `link_create.flags 0x${flags.toString(16)}: an XDP link takes only the mode flags (SKB/DRV/HW)`);
  if (num_modes > 1) return t.fail(-EINVAL, "link_create.flags: only one XDP mode flag can be set");
  if (!num_modes && dev_xdp_prog_count(dev) > 1) return t.fail(-EINVAL, "more than one XDP program is installed: an unset mode is ambiguous");
  void XDP_FLAGS_UPDATE_IF_NOEXIST;
  void XDP_FLAGS_REPLACE;
  const mode = dev_xdp_mode(dev, flags);
  if (dev.xdp[mode]!.link) return t.fail(-EBUSY, `${dev.name} already has an XDP link in this mode`);
  const cur = dev_xdp_prog(dev, mode);
  if (cur) return t.fail(-EBUSY, `${dev.name} has an XDP program installed without a link in this mode`);
  const prog = link.prog!;
  const offload = mode === XDP_MODE_HW;
  const other = mode === XDP_MODE_SKB ? XDP_MODE_DRV : XDP_MODE_SKB;
  if (!offload && dev_xdp_prog(dev, other)) return t.fail(-EEXIST, "native and generic XDP cannot be active at the same time");
  if (prog.expected_attach_type === AT.XDP_DEVMAP) return t.fail(-EINVAL, "BPF_XDP_DEVMAP programs cannot be attached to a device");
  if (prog.expected_attach_type === AT.XDP_CPUMAP) return t.fail(-EINVAL, "BPF_XDP_CPUMAP programs cannot be attached to a device");
  if (!dev_xdp_has_bpf_op(dev, mode)) return t.fail(-EOPNOTSUPP, `${dev.name}'s driver has no native or offloaded XDP (ndo_bpf)`);
  dev.xdp[mode]!.link = link;
  return 0;
}

/** dev_xdp_detach_link() */
function dev_xdp_detach_link(dev: NetDevice, link: XdpLink): void {
  const mode = dev_xdp_mode(dev, link.flags);
  if (dev.xdp[mode]!.link !== link) return;
  dev.xdp[mode]!.link = null;
}

/** bpf_xdp_link_release(): off the device, unless the device already dropped it. */
function bpf_xdp_link_release(link: BpfLink): void {
  const xl = link as XdpLink;
  if (xl.dev) {
    dev_xdp_detach_link(xl.dev, xl);
    xl.dev = null;
  }
}

const bpf_xdp_link_lops: BpfLinkOps = {
  name: "bpf_xdp_link",
  release: bpf_xdp_link_release,
  // bpf_xdp_link_detach()
  detach: (_t, link) => {
    bpf_xdp_link_release(link);
    return 0;
  },
  // bpf_xdp_link_fill_link_info(): ifindex 0 once detached.
  fill_link_info: (_t, link, info) => {
    const xl = link as XdpLink;
    info.setU32("xdp.ifindex", xl.dev ? xl.dev.ifindex : 0);
    return 0;
  },
  // bpf_xdp_link_update()
  update_prog: (t, link, newProg, oldProg) => {
    const xl = link as XdpLink;
    if (!xl.dev) return t.fail(-ENOLINK, "the XDP link was detached from its device");
    if (oldProg && link.prog !== oldProg) return t.fail(-EPERM, "link_update.old_prog_fd is not the link's program");
    const old = link.prog!;
    if (old.type !== newProg.type || old.expected_attach_type !== newProg.expected_attach_type)
      return t.fail(-EINVAL, "the new program's type or expected_attach_type differs from the link's");
    if (old === newProg) {
      // Nothing changes: the reference LINK_UPDATE took is dropped here.
      bpf_prog_put(newProg);
      return 0;
    }
    // dev_xdp_install() in the link's mode: generic XDP on lo accepts any XDP program.
    link.prog = newProg;
    bpf_prog_put(old);
    return 0;
  },
};

/** bpf_xdp_link_attach() (LINK_CREATE of an XDP program). */
export function bpf_xdp_link_attach(c: Call, prog: BpfProg): number {
  const { t, attr } = c;
  const ifindex = attr.u32("link_create.target_ifindex");
  const dev = dev_get_by_index(current_net(t), ifindex);
  if (dev === undefined) return t.fail(-EINVAL, `link_create.target_ifindex ${ifindex}: no such device in the namespace`);
  const link = new BpfLink(t.kernel, LT.XDP, bpf_xdp_link_lops, prog, attr.u32("link_create.attach_type")) as XdpLink;
  link.dev = dev;
  link.flags = attr.u32("link_create.flags");
  const p = bpf_link_prime(t, link);
  if (typeof p === "number") return p;
  const err = dev_xdp_attach_link(t, dev, link);
  if (err) {
    bpf_link_cleanup(t, p);
    return err;
  }
  return bpf_link_settle(t, p);
}

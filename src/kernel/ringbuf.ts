// SPDX-License-Identifier: GPL-2.0-only
// kernel/bpf/ringbuf.c: RINGBUF and USER_RINGBUF. Their data is reached
// through mmap, which the emulator does not model; from bpf() every element
// command answers -ENOTSUPP.

import type { Attr } from "../abi/attr.ts";
import { EINVAL, ENOMEM, ENOTSUPP } from "../abi/errno.ts";
import { BPF_F } from "../uapi/defines.ts";
import { BpfMap } from "./bpf.ts";
import { bpf_map_meta_equal } from "./arraymap.ts";
import { PAGE_SIZE, bpf_map_area_alloc_ok, bpf_map_flags_retain_permanent } from "./map_util.ts";
import type { MapOps } from "./maps.ts";
import type { Task } from "./task.ts";

const RINGBUF_CREATE_FLAG_MASK = BPF_F.NUMA_NODE;

/** ringbuf_map_alloc() */
function ringbuf_map_alloc(ops: MapOps) {
  return (t: Task, attr: Attr): BpfMap | number => {
    const flags = attr.u32("map_flags");
    if (flags & ~RINGBUF_CREATE_FLAG_MASK) return t.fail(-EINVAL, `ringbuf: map_flags 0x${flags.toString(16)}: only BPF_F_NUMA_NODE`);
    const max = attr.u32("max_entries");
    const pow2 = max !== 0 && (max & (max - 1)) === 0;
    if (attr.u32("key_size") || attr.u32("value_size") || !pow2 || max % PAGE_SIZE)
      return t.fail(-EINVAL, "ringbuf: key_size and value_size must be 0 and max_entries a power of two and a multiple of the page size");
    // bpf_ringbuf_area_alloc(): every data page is allocated (and mapped twice).
    if (!bpf_map_area_alloc_ok(t.kernel, max + 2 * PAGE_SIZE)) return t.fail(-ENOMEM, "ringbuf: pages do not fit in RAM");
    const m = new BpfMap(ops);
    m.initFromAttr(attr);
    m.map_flags = bpf_map_flags_retain_permanent(m.map_flags);
    return m;
  };
}

function rbOps(name: string): MapOps {
  const ops: MapOps = {
    name,
    map_meta_equal: bpf_map_meta_equal,
    map_alloc: (t, attr) => ringbuf_map_alloc(ops)(t, attr),
    map_lookup_sys: () => -ENOTSUPP,
    map_update_sys: () => -ENOTSUPP,
    map_delete_elem: () => -ENOTSUPP,
    map_get_next_key: () => -ENOTSUPP,
    map_mem_usage: (m) => BigInt(m.max_entries + 2 * PAGE_SIZE),
  };
  return ops;
}

export const ringbuf_map_ops = rbOps("ringbuf_map_ops");
export const user_ringbuf_map_ops = rbOps("user_ringbuf_map_ops");

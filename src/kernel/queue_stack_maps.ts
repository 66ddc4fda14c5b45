// SPDX-License-Identifier: GPL-2.0-only
// kernel/bpf/queue_stack_maps.c: QUEUE and STACK, a ring of max_entries + 1
// slots with head and tail indexes, exactly as the kernel keeps them.

import type { Attr } from "../abi/attr.ts";
import { E2BIG, EINVAL, ENOENT, ENOMEM } from "../abi/errno.ts";
import { BPF_F } from "../uapi/defines.ts";
import { BpfMap, createOffs } from "./bpf.ts";
import { bpf_map_meta_equal } from "./arraymap.ts";
import { BPF_EXIST, BPF_F_ACCESS_MASK, BPF_NOEXIST, KMALLOC_MAX_SIZE, LazyBytes, bpf_map_area_alloc_ok, bpf_map_flags_access_ok, bpf_map_flags_retain_permanent } from "./map_util.ts";
import type { MapOps } from "./maps.ts";
import type { Task } from "./task.ts";

const QUEUE_STACK_CREATE_FLAG_MASK = BPF_F.NUMA_NODE | BPF_F_ACCESS_MASK;

/** The store of a queue/stack before queue_stack_map_alloc() gives it its own (empty, never written). */
const NO_ELEMENTS = new LazyBytes(0);

class BpfQueueStack extends BpfMap {
  head = 0;
  tail = 0;
  size = 0;
  elements: LazyBytes = NO_ELEMENTS;
}

function qs(m: BpfMap): BpfQueueStack {
  return m as BpfQueueStack;
}

/** queue_stack_map_alloc_check(); fields at the layout's fixed offsets (bpf.ts createOffs), not by name. */
function queue_stack_map_alloc_check(t: Task, attr: Attr): number {
  const o = createOffs(attr);
  const flags = attr.u32At(o.map_flags);
  const value_size = attr.u32At(o.value_size);
  if (attr.u32At(o.max_entries) === 0 || attr.u32At(o.key_size) !== 0 || value_size === 0 || flags & ~QUEUE_STACK_CREATE_FLAG_MASK || !bpf_map_flags_access_ok(flags))
    return t.fail(-EINVAL, "queue/stack: needs max_entries > 0, key_size 0, value_size > 0 and only NUMA_NODE/access flags");
  if (value_size > KMALLOC_MAX_SIZE) return t.fail(-E2BIG, `queue/stack: value_size ${value_size} is over KMALLOC_MAX_SIZE`);
  return 0;
}

/** queue_stack_map_alloc() */
function queue_stack_map_alloc(ops: MapOps, t: Task, attr: Attr): BpfMap | number {
  const o = createOffs(attr);
  const size = attr.u32At(o.max_entries) + 1;
  const queue_size = 64 + size * attr.u32At(o.value_size);
  if (!bpf_map_area_alloc_ok(t.kernel, queue_size)) return t.fail(-ENOMEM, `queue/stack: ${queue_size} bytes do not fit in RAM`);
  const m = new BpfQueueStack(ops);
  m.initFromAttr(attr);
  m.map_flags = bpf_map_flags_retain_permanent(m.map_flags);
  m.size = size;
  m.elements = new LazyBytes(size * m.value_size);
  return m;
}

function is_full(q: BpfQueueStack): boolean {
  let head = q.head + 1;
  if (head >= q.size) head = 0;
  return head === q.tail;
}

/** __queue_map_get() */
function queue_get(del: boolean) {
  return (m: BpfMap, value: Uint8Array): number => {
    const q = qs(m);
    if (q.head === q.tail) return -ENOENT;
    q.elements.read(q.tail * q.value_size, value, 0, q.value_size);
    if (del && ++q.tail >= q.size) q.tail = 0;
    return 0;
  };
}

/** __stack_map_get() */
function stack_get(del: boolean) {
  return (m: BpfMap, value: Uint8Array): number => {
    const q = qs(m);
    if (q.head === q.tail) return -ENOENT;
    let index = q.head - 1;
    if (index < 0 || index >= q.size) index = q.size - 1;
    q.elements.read(index * q.value_size, value, 0, q.value_size);
    if (del) q.head = index;
    return 0;
  };
}

/** queue_stack_map_push_elem(): BPF_EXIST overwrites the oldest element of a full map. */
function push(m: BpfMap, value: Uint8Array, flags: bigint): number {
  const q = qs(m);
  const replace = (flags & BigInt(BPF_EXIST)) !== 0n;
  if (flags & BigInt(BPF_NOEXIST) || flags > BigInt(BPF_EXIST)) return -EINVAL;
  if (is_full(q)) {
    if (!replace) return -E2BIG;
    if (++q.tail >= q.size) q.tail = 0;
  }
  q.elements.write(q.head * q.value_size, value, 0, q.value_size);
  if (++q.head >= q.size) q.head = 0;
  return 0;
}

function qsOps(name: string, isStack: boolean): MapOps {
  const ops: MapOps = {
    name,
    map_alloc_check: queue_stack_map_alloc_check,
    map_alloc: (t, attr) => queue_stack_map_alloc(ops, t, attr),
    map_meta_equal: bpf_map_meta_equal,
    map_lookup_sys: () => -ENOENT,
    map_update_sys: () => -EINVAL,
    map_delete_elem: () => -EINVAL,
    map_get_next_key: () => -EINVAL,
    map_push_elem: push,
    map_pop_elem: isStack ? stack_get(true) : queue_get(true),
    map_peek_elem: isStack ? stack_get(false) : queue_get(false),
    map_mem_usage: (m) => BigInt(64 + (m.max_entries + 1) * m.value_size),
  };
  return ops;
}

export const queue_map_ops = qsOps("queue_map_ops", false);
export const stack_map_ops = qsOps("stack_map_ops", true);

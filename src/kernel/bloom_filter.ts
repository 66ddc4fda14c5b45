// SPDX-License-Identifier: GPL-2.0-only
// kernel/bpf/bloom_filter.c: a bitset of a power-of-two size tested with
// nr_hash_funcs seeded jhash values. With BPF_F_ZERO_SEED the bits are the
// kernel's exactly; without it the kernel seeds randomly and false
// positives differ (the emulator seeds with 0).

import type { Attr } from "../abi/attr.ts";
import { E2BIG, EINVAL, ENOENT, ENOMEM, EOPNOTSUPP } from "../abi/errno.ts";
import { BPF_F } from "../uapi/defines.ts";
import { BpfMap } from "./bpf.ts";
import { bpf_map_meta_equal } from "./arraymap.ts";
import { BPF_ANY, BPF_F_ACCESS_MASK, KMALLOC_MAX_SIZE, bpf_map_area_alloc_ok, bpf_map_flags_access_ok, bpf_map_flags_retain_permanent, jhash, jhash2, roundup_pow_of_two } from "./map_util.ts";
import type { MapOps } from "./maps.ts";
import type { Task } from "./task.ts";

const BLOOM_CREATE_FLAG_MASK = BPF_F.NUMA_NODE | BPF_F.ZERO_SEED | BPF_F_ACCESS_MASK;

class BpfBloomFilter extends BpfMap {
  bitset_mask = 0;
  hash_seed = 0;
  nr_hash_funcs = 5;
  /** Set bit numbers; a bitset of up to 2^32 bits is sparse in practice. */
  bits = new Set<number>();
}

function bl(m: BpfMap): BpfBloomFilter {
  return m as BpfBloomFilter;
}

/** hash(): jhash2 over words when value_size is a multiple of 4. */
function hash(b: BpfBloomFilter, value: Uint8Array, index: number): number {
  const seed = (b.hash_seed + index) >>> 0;
  const h = b.value_size % 4 === 0 ? jhash2(value, 0, b.value_size / 4, seed) : jhash(value, 0, b.value_size, seed);
  return (h & b.bitset_mask) >>> 0;
}

/** bloom_map_alloc() */
function bloom_map_alloc(t: Task, attr: Attr): BpfMap | number {
  const flags = attr.u32("map_flags");
  const extra = attr.u64("map_extra");
  if (attr.u32("key_size") !== 0 || attr.u32("value_size") === 0 || attr.u32("max_entries") === 0 || flags & ~BLOOM_CREATE_FLAG_MASK || !bpf_map_flags_access_ok(flags) || extra & ~0xfn)
    return t.fail(-EINVAL, "bloom: needs key_size 0, value_size > 0, max_entries > 0, only NUMA_NODE/ZERO_SEED/access flags and map_extra <= 15");
  const nr_hash_funcs = Number(extra) || 5;
  // n * k / ln(2) bits, approximated by 7/5, in u32 arithmetic with overflow checks.
  let nr_bits = attr.u32("max_entries") * nr_hash_funcs;
  let bitset_bytes: number;
  let bitset_mask: number;
  if (nr_bits > 0xffffffff || Math.floor(nr_bits / 5) * 7 > 0xffffffff || Math.floor(nr_bits / 5) * 7 > 2 ** 31) {
    bitset_bytes = Math.ceil(0xffffffff / 8);
    bitset_mask = 0xffffffff;
  } else {
    nr_bits = Math.floor(nr_bits / 5) * 7;
    nr_bits = nr_bits <= 64 ? 64 : roundup_pow_of_two(nr_bits);
    bitset_bytes = Math.ceil(nr_bits / 8);
    bitset_mask = nr_bits - 1;
  }
  bitset_bytes = Math.ceil(bitset_bytes / 8) * 8;
  if (!bpf_map_area_alloc_ok(t.kernel, 64 + bitset_bytes)) return t.fail(-ENOMEM, "bloom: bitset does not fit in RAM");
  const b = new BpfBloomFilter(bloom_filter_map_ops);
  b.initFromAttr(attr);
  b.map_flags = bpf_map_flags_retain_permanent(b.map_flags);
  b.nr_hash_funcs = nr_hash_funcs;
  b.bitset_mask = bitset_mask;
  b.hash_seed = 0;
  return b;
}

export const bloom_filter_map_ops: MapOps = {
  name: "bloom_filter_map_ops",
  map_meta_equal: bpf_map_meta_equal,
  map_alloc_check: (t, attr) => (attr.u32("value_size") > KMALLOC_MAX_SIZE ? t.fail(-E2BIG, "bloom: value_size is over KMALLOC_MAX_SIZE") : 0),
  map_alloc: bloom_map_alloc,
  map_get_next_key: () => -EOPNOTSUPP,
  // bloom_map_push_elem()
  map_push_elem: (m, value, flags) => {
    if (flags !== BigInt(BPF_ANY)) return -EINVAL;
    const b = bl(m);
    for (let i = 0; i < b.nr_hash_funcs; i++) b.bits.add(hash(b, value, i));
    return 0;
  },
  // bloom_map_peek_elem()
  map_peek_elem: (m, value) => {
    const b = bl(m);
    for (let i = 0; i < b.nr_hash_funcs; i++) if (!b.bits.has(hash(b, value, i))) return -ENOENT;
    return 0;
  },
  map_pop_elem: () => -EOPNOTSUPP,
  map_lookup_sys: () => -EINVAL,
  map_update_sys: () => -EINVAL,
  map_delete_elem: () => -EOPNOTSUPP,
  map_mem_usage: (m) => BigInt(64 + Math.ceil((bl(m).bitset_mask + 1) / 8)),
  map_check_btf: true,
};

// SPDX-License-Identifier: GPL-2.0-only
// kernel/bpf/lpm_trie.c: a path-compressed binary trie with intermediate
// nodes, so longest-prefix match and the postorder get_next_key walk give
// the kernel's answers. Keys are struct bpf_lpm_trie_key_u8: a u32 prefixlen
// then data_size bytes.

import type { Attr } from "../abi/attr.ts";
import { EEXIST, EINVAL, ENOENT, ENOMEM, ENOSPC } from "../abi/errno.ts";
import { BPF_F } from "../uapi/defines.ts";
import { BpfMap } from "./bpf.ts";
import { bpf_map_meta_equal } from "./arraymap.ts";
import { BPF_EXIST, BPF_F_ACCESS_MASK, BPF_NOEXIST, KMALLOC_MAX_SIZE, bpf_map_flags_access_ok, bpf_map_flags_retain_permanent } from "./map_util.ts";
import { generic_map_lookup_batch, type MapOps } from "./maps.ts";
import type { Task } from "./task.ts";

const LPM_DATA_SIZE_MAX = 256;
const LPM_DATA_SIZE_MIN = 1;
/** sizeof(struct lpm_trie_node) */
const SIZEOF_NODE = 24;
const LPM_VAL_SIZE_MAX = KMALLOC_MAX_SIZE - LPM_DATA_SIZE_MAX - SIZEOF_NODE;
const LPM_KEY_SIZE_MAX = 4 + LPM_DATA_SIZE_MAX;
const LPM_KEY_SIZE_MIN = 4 + LPM_DATA_SIZE_MIN;
const LPM_CREATE_FLAG_MASK = BPF_F.NO_PREALLOC | BPF_F.NUMA_NODE | BPF_F_ACCESS_MASK;

interface Node {
  prefixlen: number;
  im: boolean;
  data: Uint8Array;
  value: Uint8Array | null;
  child: [Node | null, Node | null];
}

class LpmTrie extends BpfMap {
  data_size = 0;
  max_prefixlen = 0;
  n_entries = 0;
  root: Node | null = null;
}

function tr(m: BpfMap): LpmTrie {
  return m as LpmTrie;
}

function prefixOf(key: Uint8Array): number {
  return (key[0]! | (key[1]! << 8) | (key[2]! << 16) | (key[3]! << 24)) >>> 0;
}

/** extract_bit(): bit `index` of the data, most significant first. */
function extract_bit(data: Uint8Array, index: number): 0 | 1 {
  return ((data[index >>> 3]! >>> (7 - (index & 7))) & 1) as 0 | 1;
}

/** longest_prefix_match(): common leading bits of node and key, capped at both prefix lengths. */
function longest_prefix_match(t: LpmTrie, node: Node, kdata: Uint8Array, kplen: number): number {
  const limit = Math.min(node.prefixlen, kplen);
  let prefixlen = 0;
  for (let i = 0; i < t.data_size; i++) {
    const diff = node.data[i]! ^ kdata[i]!;
    if (diff === 0) {
      prefixlen += 8;
      if (prefixlen >= limit) return limit;
      continue;
    }
    prefixlen += Math.clz32(diff) - 24;
    return prefixlen >= limit ? limit : prefixlen;
  }
  return Math.min(prefixlen, limit);
}

/** trie_alloc() */
function trie_alloc(t: Task, attr: Attr): BpfMap | number {
  const flags = attr.u32("map_flags");
  const ks = attr.u32("key_size");
  const vs = attr.u32("value_size");
  if (attr.u32("max_entries") === 0 || !(flags & BPF_F.NO_PREALLOC) || flags & ~LPM_CREATE_FLAG_MASK || !bpf_map_flags_access_ok(flags) || ks < LPM_KEY_SIZE_MIN || ks > LPM_KEY_SIZE_MAX || vs < 1 || vs > LPM_VAL_SIZE_MAX)
    return t.fail(-EINVAL, "lpm_trie: needs max_entries > 0, BPF_F_NO_PREALLOC, key_size 5..260 and value_size 1..KMALLOC_MAX_SIZE-288");
  const m = new LpmTrie(trie_map_ops);
  m.initFromAttr(attr);
  m.map_flags = bpf_map_flags_retain_permanent(m.map_flags);
  m.data_size = ks - 4;
  m.max_prefixlen = m.data_size * 8;
  return m;
}

/** trie_lookup_elem(): the deepest non-intermediate node that matches. */
function trie_lookup_sys(_t: Task, m: BpfMap, key: Uint8Array, value: Uint8Array): number {
  const t = tr(m);
  const plen = prefixOf(key);
  if (plen > t.max_prefixlen) return -ENOENT;
  const kdata = key.subarray(4);
  let found: Node | null = null;
  for (let node = t.root; node; ) {
    const matchlen = longest_prefix_match(t, node, kdata, plen);
    if (matchlen === t.max_prefixlen) {
      found = node;
      break;
    }
    if (matchlen < node.prefixlen) break;
    if (!node.im) found = node;
    node = node.child[extract_bit(kdata, node.prefixlen)];
  }
  if (!found) return -ENOENT;
  value.set(found.value!);
  return 0;
}

function check_add(t: LpmTrie, flags: bigint): number {
  if (flags === BigInt(BPF_EXIST)) return -ENOENT;
  if (t.n_entries === t.max_entries) return -ENOSPC;
  t.n_entries++;
  return 0;
}

/** trie_update_elem() */
function trie_update_sys(_t: Task, m: BpfMap, key: Uint8Array, value: Uint8Array, flags: bigint): number {
  const t = tr(m);
  if (flags > BigInt(BPF_EXIST)) return -EINVAL;
  const plen = prefixOf(key);
  if (plen > t.max_prefixlen) return -EINVAL;
  const kdata = key.subarray(4, 4 + t.data_size);
  const nn: Node = { prefixlen: plen, im: false, data: kdata.slice(), value: value.slice(0, t.value_size), child: [null, null] };
  // Walk down as far as the key matches, remembering the slot to fill.
  let parent: Node | null = null;
  let bit: 0 | 1 = 0;
  let node = t.root;
  let matchlen = 0;
  while (node) {
    matchlen = longest_prefix_match(t, node, kdata, plen);
    if (node.prefixlen !== matchlen || node.prefixlen === plen) break;
    parent = node;
    bit = extract_bit(kdata, node.prefixlen);
    node = node.child[bit];
  }
  const setSlot = (n: Node): void => {
    if (parent) parent.child[bit] = n;
    else t.root = n;
  };
  if (!node) {
    const err = check_add(t, flags);
    if (err) return err;
    setSlot(nn);
    return 0;
  }
  if (node.prefixlen === matchlen) {
    if (!node.im) {
      if (flags === BigInt(BPF_NOEXIST)) return -EEXIST;
    } else {
      const err = check_add(t, flags);
      if (err) return err;
    }
    nn.child = [node.child[0], node.child[1]];
    setSlot(nn);
    return 0;
  }
  const err = check_add(t, flags);
  if (err) return err;
  if (matchlen === plen) {
    nn.child[extract_bit(node.data, matchlen)] = node;
    setSlot(nn);
    return 0;
  }
  const im: Node = { prefixlen: matchlen, im: true, data: node.data.slice(), value: null, child: [null, null] };
  if (extract_bit(kdata, matchlen)) im.child = [node, nn];
  else im.child = [nn, node];
  setSlot(im);
  return 0;
}

/** trie_delete_elem() */
function trie_delete(_t: Task, m: BpfMap, key: Uint8Array): number {
  const t = tr(m);
  const plen = prefixOf(key);
  if (plen > t.max_prefixlen) return -EINVAL;
  const kdata = key.subarray(4);
  // trim = the slot pointing at node; trim2 = the slot pointing at parent.
  let parent: Node | null = null;
  let grand: Node | null = null;
  let pbit: 0 | 1 = 0;
  let gbit: 0 | 1 = 0;
  let node = t.root;
  let matchlen = 0;
  while (node) {
    matchlen = longest_prefix_match(t, node, kdata, plen);
    if (node.prefixlen !== matchlen || node.prefixlen === plen) break;
    grand = parent;
    gbit = pbit;
    parent = node;
    pbit = extract_bit(kdata, node.prefixlen);
    node = node.child[pbit];
  }
  if (!node || node.prefixlen !== plen || node.prefixlen !== matchlen || node.im) return -ENOENT;
  t.n_entries--;
  if (node.child[0] && node.child[1]) {
    node.im = true;
    node.value = null;
    return 0;
  }
  const setTrim = (n: Node | null): void => {
    if (parent) parent.child[pbit] = n;
    else t.root = n;
  };
  if (parent && parent.im && !node.child[0] && !node.child[1]) {
    const other = parent.child[0] === node ? parent.child[1] : parent.child[0];
    if (grand) grand.child[gbit] = other;
    else t.root = other;
    return 0;
  }
  setTrim(node.child[0] ?? node.child[1] ?? null);
  return 0;
}

/** trie_get_next_key(): postorder, more specific prefixes first. */
function trie_get_next_key(m: BpfMap, key: Uint8Array | null, next: Uint8Array): number {
  const t = tr(m);
  let search_root = t.root;
  if (!search_root) return -ENOENT;
  let next_node: Node | null = null;
  const leftmost = (root: Node): Node => {
    let nn: Node | null = null;
    for (let node: Node | null = root; node; ) {
      if (node.im) node = node.child[0];
      else {
        nn = node;
        node = node.child[0] ?? nn.child[1];
      }
    }
    return nn!;
  };
  const copy = (n: Node): number => {
    new DataView(next.buffer, next.byteOffset, 4).setUint32(0, n.prefixlen, true);
    next.set(n.data, 4);
    return 0;
  };
  const plen = key ? prefixOf(key) : 0;
  if (!key || plen > t.max_prefixlen) return copy(leftmost(search_root));
  const kdata = key.subarray(4);
  const stack: Node[] = [];
  let node: Node | null = search_root;
  let matchlen = 0;
  while (node) {
    stack.push(node);
    matchlen = longest_prefix_match(t, node, kdata, plen);
    if (node.prefixlen !== matchlen || node.prefixlen === plen) break;
    node = node.child[extract_bit(kdata, node.prefixlen)];
  }
  if (!node || node.prefixlen !== matchlen || node.im) return copy(leftmost(search_root));
  let sp = stack.length - 1;
  node = stack[sp]!;
  while (sp > 0) {
    const par = stack[sp - 1]!;
    if (par.child[0] === node) {
      search_root = par.child[1];
      if (search_root) return copy(leftmost(search_root));
    }
    if (!par.im) {
      next_node = par;
      return copy(next_node);
    }
    node = par;
    sp--;
  }
  return -ENOENT;
}

export const trie_map_ops: MapOps = {
  name: "trie_map_ops",
  map_meta_equal: bpf_map_meta_equal,
  map_alloc: trie_alloc,
  map_lookup_sys: trie_lookup_sys,
  map_update_sys: trie_update_sys,
  map_delete_elem: trie_delete,
  map_get_next_key: trie_get_next_key,
  // The generic walker over trie_get_next_key (the recorded kernel answers LOOKUP_BATCH on a trie).
  map_lookup_batch: generic_map_lookup_batch,
  map_mem_usage: (m) => BigInt(tr(m).n_entries * (SIZEOF_NODE + tr(m).data_size + m.value_size)),
  map_check_btf: true,
};
void ENOMEM;

// SPDX-License-Identifier: GPL-2.0-only
// include/linux/bpf_types.h for maps: which ops serve which map type. Loaded
// by maps.ts, so importing the package root registers every type.

import { BPF_MAP_TYPE as MT } from "../uapi/gen/consts-6.18.ts";
import { array_map_ops, array_of_maps_map_ops, cgroup_array_map_ops, percpu_array_map_ops, perf_event_array_map_ops, prog_array_map_ops } from "./arraymap.ts";
import { bloom_filter_map_ops } from "./bloom_filter.ts";
import { htab_lru_map_ops, htab_lru_percpu_map_ops, htab_map_ops, htab_of_maps_map_ops, htab_percpu_map_ops } from "./hashtab.ts";
import { trie_map_ops } from "./lpm_trie.ts";
import {
  arena_map_ops,
  bpf_struct_ops_map_ops,
  cgroup_storage_map_ops,
  cgrp_storage_map_ops,
  cpu_map_ops,
  dev_map_hash_ops,
  dev_map_ops,
  inode_storage_map_ops,
  percpu_cgroup_storage_map_ops,
  reuseport_array_ops,
  sk_storage_map_ops,
  sock_hash_ops,
  sock_map_ops,
  stack_trace_map_ops,
  task_storage_map_ops,
  xsk_map_ops,
} from "./map_misc.ts";
import { registerMapOps } from "./map_util.ts";
import { queue_map_ops, stack_map_ops } from "./queue_stack_maps.ts";
import { ringbuf_map_ops, user_ringbuf_map_ops } from "./ringbuf.ts";

registerMapOps(MT.HASH, htab_map_ops);
registerMapOps(MT.ARRAY, array_map_ops);
registerMapOps(MT.PROG_ARRAY, prog_array_map_ops);
registerMapOps(MT.PERF_EVENT_ARRAY, perf_event_array_map_ops);
registerMapOps(MT.PERCPU_HASH, htab_percpu_map_ops);
registerMapOps(MT.PERCPU_ARRAY, percpu_array_map_ops);
registerMapOps(MT.STACK_TRACE, stack_trace_map_ops);
registerMapOps(MT.CGROUP_ARRAY, cgroup_array_map_ops);
registerMapOps(MT.LRU_HASH, htab_lru_map_ops);
registerMapOps(MT.LRU_PERCPU_HASH, htab_lru_percpu_map_ops);
registerMapOps(MT.LPM_TRIE, trie_map_ops);
registerMapOps(MT.ARRAY_OF_MAPS, array_of_maps_map_ops);
registerMapOps(MT.HASH_OF_MAPS, htab_of_maps_map_ops);
registerMapOps(MT.DEVMAP, dev_map_ops);
registerMapOps(MT.SOCKMAP, sock_map_ops);
registerMapOps(MT.CPUMAP, cpu_map_ops);
registerMapOps(MT.XSKMAP, xsk_map_ops);
registerMapOps(MT.SOCKHASH, sock_hash_ops);
registerMapOps(MT.CGROUP_STORAGE, cgroup_storage_map_ops);
registerMapOps(MT.REUSEPORT_SOCKARRAY, reuseport_array_ops);
registerMapOps(MT.PERCPU_CGROUP_STORAGE, percpu_cgroup_storage_map_ops);
registerMapOps(MT.QUEUE, queue_map_ops);
registerMapOps(MT.STACK, stack_map_ops);
registerMapOps(MT.SK_STORAGE, sk_storage_map_ops);
registerMapOps(MT.DEVMAP_HASH, dev_map_hash_ops);
registerMapOps(MT.STRUCT_OPS, bpf_struct_ops_map_ops);
registerMapOps(MT.RINGBUF, ringbuf_map_ops);
registerMapOps(MT.INODE_STORAGE, inode_storage_map_ops);
registerMapOps(MT.TASK_STORAGE, task_storage_map_ops);
registerMapOps(MT.BLOOM_FILTER, bloom_filter_map_ops);
registerMapOps(MT.USER_RINGBUF, user_ringbuf_map_ops);
registerMapOps(MT.CGRP_STORAGE, cgrp_storage_map_ops);
registerMapOps(MT.ARENA, arena_map_ops);

// SPDX-License-Identifier: GPL-2.0-only
/* cgroup_skb ingress and egress in one object: allow everything, count
 * bytes per direction in an array map. */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} dir_bytes SEC(".maps");

static __always_inline void add_bytes(__u32 dir, __u32 len)
{
	__u64 *v = bpf_map_lookup_elem(&dir_bytes, &dir);

	if (v)
		__sync_fetch_and_add(v, len);
}

SEC("cgroup_skb/ingress")
int cg_ingress(struct __sk_buff *skb)
{
	add_bytes(0, skb->len);
	return 1;
}

SEC("cgroup_skb/egress")
int cg_egress(struct __sk_buff *skb)
{
	add_bytes(1, skb->len);
	return 1;
}

char LICENSE[] SEC("license") = "GPL";

// SPDX-License-Identifier: GPL-2.0-only
/* cgroup_skb ingress with direct packet access (data/data_end) and a
 * per-CPU counter of IPv4 packets with options. */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} with_opts SEC(".maps");

SEC("cgroup_skb/ingress")
int cg_ip_opts(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct iphdr *ip = data;
	__u32 key = 0;
	__u64 *v;

	if ((void *)(ip + 1) > data_end)
		return 1;
	if (ip->version != 4 || ip->ihl <= 5)
		return 1;
	v = bpf_map_lookup_elem(&with_opts, &key);
	if (v)
		*v += 1;
	return 1;
}

char LICENSE[] SEC("license") = "GPL";

// SPDX-License-Identifier: GPL-2.0-only
/* tc with direct packet access: counts IPv4 flows (saddr, daddr, proto) in a
 * hash map, inserting new flows with BPF_NOEXIST. */
// lookup: flows 0a0000010a00000211000000
#include "common.h"

struct flow {
	__u32 saddr;
	__u32 daddr;
	__u8 proto;
	__u8 pad[3];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct flow);
	__type(value, __u64);
} flows SEC(".maps");

SEC("tc")
int tc_flows(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct flow f = {};
	__u64 one = 1, *cnt;

	if ((void *)(ip + 1) > data_end)
		return TC_ACT_OK;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	f.saddr = ip->saddr;
	f.daddr = ip->daddr;
	f.proto = ip->protocol;
	cnt = bpf_map_lookup_elem(&flows, &f);
	if (cnt)
		__sync_fetch_and_add(cnt, 1);
	else
		bpf_map_update_elem(&flows, &f, &one, BPF_NOEXIST);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";

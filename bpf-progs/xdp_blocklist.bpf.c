// SPDX-License-Identifier: GPL-2.0-only
/* XDP: drops IPv4 sources found in a hash map and counts the hits there. */
// update: blocked 0a000001 0000000000000000
// lookup: blocked 0a000001
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} blocked SEC(".maps");

SEC("xdp")
int xdp_blocklist(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	__u32 saddr;
	__u64 *hits;

	if ((void *)(ip + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	saddr = ip->saddr;
	hits = bpf_map_lookup_elem(&blocked, &saddr);
	if (!hits)
		return XDP_PASS;
	__sync_fetch_and_add(hits, 1);
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";

// SPDX-License-Identifier: GPL-2.0-only
/* REJECTED: reads the IPv4 protocol after checking only the Ethernet header
 * against data_end (out-of-bounds packet access). */
#include "common.h"

SEC("xdp")
int xdp_oob(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto == bpf_htons(ETH_P_IP) && ip->protocol == IPPROTO_ICMP)
		return XDP_DROP;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";

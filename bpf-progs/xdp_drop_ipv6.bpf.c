// SPDX-License-Identifier: GPL-2.0-only
/* XDP: drops IPv6, passes the rest; the Ethernet header is bounds-checked. */
#include "common.h"

SEC("xdp")
int drop_ipv6(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return XDP_ABORTED;
	if (eth->h_proto == bpf_htons(ETH_P_IPV6))
		return XDP_DROP;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";

// SPDX-License-Identifier: GPL-2.0-only
/* REJECTED: keeps using a packet pointer across bpf_xdp_adjust_head, which
 * invalidates every packet pointer. */
#include "common.h"

SEC("xdp")
int xdp_stale(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u16 proto;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	if (bpf_xdp_adjust_head(ctx, -4))
		return XDP_ABORTED;
	asm volatile("" : "+r"(eth));
	proto = eth->h_proto;
	return proto == bpf_htons(ETH_P_IP) ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";

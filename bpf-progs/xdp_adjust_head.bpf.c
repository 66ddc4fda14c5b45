// SPDX-License-Identifier: GPL-2.0-only
/* XDP: strips an outer Ethernet header that carries another Ethernet frame
 * (ETH_P_TEB) with bpf_xdp_adjust_head, re-checking bounds afterwards. */
#include "common.h"

SEC("xdp")
int xdp_decap(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	if (eth->h_proto != bpf_htons(ETH_P_TEB))
		return XDP_PASS;
	if (bpf_xdp_adjust_head(ctx, sizeof(struct ethhdr)))
		return XDP_ABORTED;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	eth = data;
	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";

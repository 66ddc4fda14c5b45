// SPDX-License-Identifier: GPL-2.0-only
/* XDP with bpf-to-bpf calls: a non-inlined parser and a non-inlined
 * verdict function live in .text and are appended by the loader. */
#include "common.h"

static __noinline int l3_proto(void *data, void *data_end)
{
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return -1;
	return bpf_ntohs(eth->h_proto);
}

static __noinline int verdict(int proto)
{
	if (proto < 0)
		return XDP_DROP;
	if (proto == ETH_P_ARP || proto == ETH_P_IP)
		return XDP_PASS;
	return XDP_DROP;
}

SEC("xdp")
int xdp_calls(struct xdp_md *ctx)
{
	return verdict(l3_proto((void *)(long)ctx->data, (void *)(long)ctx->data_end));
}

char LICENSE[] SEC("license") = "GPL";

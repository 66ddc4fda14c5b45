// SPDX-License-Identifier: GPL-2.0-only
/* XDP with a load-time configuration in .rodata (const volatile, as
 * skeletons set it) and a drop counter in .bss. */
#include "common.h"

const volatile __u16 blocked_port = 7;
const volatile __u8 verbose = 0;
__u64 dropped;

SEC("xdp")
int xdp_cfg_drop(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp = (void *)(ip + 1);

	if ((void *)(udp + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP) || ip->protocol != IPPROTO_UDP)
		return XDP_PASS;
	if (udp->dest != bpf_htons(blocked_port))
		return XDP_PASS;
	if (verbose)
		__sync_fetch_and_add(&dropped, 2);
	else
		__sync_fetch_and_add(&dropped, 1);
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";

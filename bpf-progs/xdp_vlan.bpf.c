// SPDX-License-Identifier: GPL-2.0-only
/* XDP: skips up to two VLAN tags in a bounded loop, then passes IPv4 only. */
// cflags: -mcpu=v3
#include "common.h"

struct vlan_hdr {
	__be16 tci;
	__be16 encap_proto;
};

SEC("xdp")
int xdp_vlan_skip(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	void *cur = eth + 1;
	__be16 proto;

	if (cur > data_end)
		return XDP_DROP;
	proto = eth->h_proto;
#pragma clang loop unroll(disable)
	for (int i = 0; i < 2; i++) {
		struct vlan_hdr *vh = cur;

		if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
			break;
		if ((void *)(vh + 1) > data_end)
			return XDP_DROP;
		proto = vh->encap_proto;
		cur = vh + 1;
	}
	return proto == bpf_htons(ETH_P_IP) ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";

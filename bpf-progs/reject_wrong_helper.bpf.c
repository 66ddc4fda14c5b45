// SPDX-License-Identifier: GPL-2.0-only
/* REJECTED: XDP programs cannot call bpf_skb_load_bytes (the helper is not
 * in the XDP function table). */
#include "common.h"

SEC("xdp")
int xdp_skb_helper(struct xdp_md *ctx)
{
	__u8 b = 0;

	bpf_skb_load_bytes(ctx, 0, &b, 1);
	return b ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";

// SPDX-License-Identifier: GPL-2.0-only
/* XDP: redirects through a device map slot, falling back to XDP_PASS. */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u32);
} tx_ports SEC(".maps");

SEC("xdp")
int xdp_redirect_port(struct xdp_md *ctx)
{
	return bpf_redirect_map(&tx_ports, ctx->rx_queue_index & 7, XDP_PASS);
}

char LICENSE[] SEC("license") = "GPL";

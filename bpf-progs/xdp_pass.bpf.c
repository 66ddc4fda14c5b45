// SPDX-License-Identifier: GPL-2.0-only
/* The smallest XDP program: pass everything. */
#include "common.h"

SEC("xdp")
int xdp_pass_all(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";

// SPDX-License-Identifier: GPL-2.0-only
/* REJECTED: spins until a map value changes; every iteration reaches the
 * same verifier state, so the loop is reported as infinite. */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} flag SEC(".maps");

SEC("xdp")
int xdp_spin(struct xdp_md *ctx)
{
	__u32 key = 0;
	__u32 *f = bpf_map_lookup_elem(&flag, &key);

	if (!f)
		return XDP_PASS;
	while (*(volatile __u32 *)f == 0)
		;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";

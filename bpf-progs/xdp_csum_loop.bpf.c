// SPDX-License-Identifier: GPL-2.0-only
/* XDP: ones' complement sum over the first 32 bytes of the frame in a
 * bounded loop with a packet bounds check on every step; the sum goes to an
 * array map. */
// cflags: -mcpu=v3
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} last_sum SEC(".maps");

SEC("xdp")
int xdp_csum(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 sum = 0, key = 0, *out;
	__u16 *p = data;

#pragma clang loop unroll(disable)
	for (int i = 0; i < 16; i++) {
		if ((void *)(p + i + 1) > data_end)
			break;
		sum += p[i];
	}
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	out = bpf_map_lookup_elem(&last_sum, &key);
	if (out)
		*out = ~sum & 0xffff;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";

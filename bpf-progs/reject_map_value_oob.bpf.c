// SPDX-License-Identifier: GPL-2.0-only
/* REJECTED: indexes an array inside a map value with a packet byte and no
 * upper bound check. */
#include "common.h"

struct slots {
	__u64 v[8];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct slots);
} table SEC(".maps");

SEC("xdp")
int xdp_slot(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u8 *p = data;
	__u32 key = 0;
	struct slots *s;

	if ((void *)(p + 1) > data_end)
		return XDP_PASS;
	s = bpf_map_lookup_elem(&table, &key);
	if (!s)
		return XDP_PASS;
	s->v[*p]++;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";

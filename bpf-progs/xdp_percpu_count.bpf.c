// SPDX-License-Identifier: GPL-2.0-only
/* XDP: per-CPU packet and byte counters keyed by the action taken. */
#include "common.h"

struct datarec {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XDP_REDIRECT + 1);
	__type(key, __u32);
	__type(value, struct datarec);
} xdp_stats SEC(".maps");

static __always_inline __u32 account(struct xdp_md *ctx, __u32 action)
{
	struct datarec *rec = bpf_map_lookup_elem(&xdp_stats, &action);

	if (!rec)
		return XDP_ABORTED;
	rec->packets++;
	rec->bytes += ctx->data_end - ctx->data;
	return action;
}

SEC("xdp")
int xdp_count(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	if (data + sizeof(struct ethhdr) > data_end)
		return account(ctx, XDP_DROP);
	return account(ctx, XDP_PASS);
}

char LICENSE[] SEC("license") = "GPL";

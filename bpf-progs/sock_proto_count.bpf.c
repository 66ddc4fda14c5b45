// SPDX-License-Identifier: GPL-2.0-only
/* Socket filter counting packets and bytes per IP protocol in an array map. */
#include "common.h"

struct counters {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, struct counters);
} proto_stats SEC(".maps");

SEC("socket")
int proto_count(struct __sk_buff *skb)
{
	__u32 proto;
	struct counters *c;

	if (ld_abs_u16(skb, ETH_OFF_PROTO) != ETH_P_IP)
		return 0;
	proto = ld_abs_u8(skb, IP_OFF + offsetof(struct iphdr, protocol));
	c = bpf_map_lookup_elem(&proto_stats, &proto);
	if (!c)
		return 0;
	__sync_fetch_and_add(&c->packets, 1);
	__sync_fetch_and_add(&c->bytes, skb->len);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

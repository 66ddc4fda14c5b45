// SPDX-License-Identifier: GPL-2.0-only
/* tc: lowers the IPv4 TTL to 64 with bpf_skb_store_bytes and fixes the
 * header checksum with bpf_l3_csum_replace. */
#include "common.h"

#define TTL_OFF (IP_OFF + offsetof(struct iphdr, ttl))
#define CSUM_OFF (IP_OFF + offsetof(struct iphdr, check))

SEC("tc")
int tc_clamp_ttl(struct __sk_buff *skb)
{
	__u8 ttl, new_ttl = 64;

	if (skb->protocol != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	if (bpf_skb_load_bytes(skb, TTL_OFF, &ttl, 1))
		return TC_ACT_OK;
	if (ttl <= 64)
		return TC_ACT_OK;
	bpf_l3_csum_replace(skb, CSUM_OFF, bpf_htons(ttl << 8), bpf_htons(new_ttl << 8), 2);
	bpf_skb_store_bytes(skb, TTL_OFF, &new_ttl, 1, 0);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";

// SPDX-License-Identifier: GPL-2.0-only
/* tc: copies the IPv4 header with bpf_skb_load_bytes and drops packets whose
 * TTL is about to expire. */
#include "common.h"

SEC("tc")
int tc_ttl(struct __sk_buff *skb)
{
	struct iphdr ip;

	if (skb->protocol != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	if (bpf_skb_load_bytes(skb, IP_OFF, &ip, sizeof(ip)))
		return TC_ACT_OK;
	return ip.ttl <= 1 ? TC_ACT_SHOT : TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";

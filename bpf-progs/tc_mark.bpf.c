// SPDX-License-Identifier: GPL-2.0-only
/* tc classifier: marks IPv4 packets and lets everything through. */
#include "common.h"

SEC("tc")
int tc_set_mark(struct __sk_buff *skb)
{
	if (skb->protocol == bpf_htons(ETH_P_IP))
		skb->mark = 0x42;
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";

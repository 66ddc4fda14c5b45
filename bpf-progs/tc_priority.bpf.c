// SPDX-License-Identifier: GPL-2.0-only
/* tc classifier ("classifier" section name): priority and tc_classid from
 * the packet length and protocol. */
// cflags: -mcpu=v2
#include "common.h"

SEC("classifier")
int tc_prio(struct __sk_buff *skb)
{
	if (skb->len < 128)
		skb->priority = 6;
	else
		skb->priority = 0;
	if (skb->protocol == bpf_htons(ETH_P_IPV6))
		skb->tc_classid = 0x10002;
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";

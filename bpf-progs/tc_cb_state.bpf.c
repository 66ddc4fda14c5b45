// SPDX-License-Identifier: GPL-2.0-only
/* tc: keeps per-packet scratch state in skb->cb[] and reads it back. */
#include "common.h"

SEC("tc")
int tc_cb(struct __sk_buff *skb)
{
	skb->cb[0] = skb->len;
	skb->cb[1] = skb->ifindex;
	skb->cb[4] = skb->cb[0] ^ skb->cb[1];
	return skb->cb[4] == 0 ? TC_ACT_SHOT : TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";

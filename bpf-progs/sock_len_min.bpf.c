// SPDX-License-Identifier: GPL-2.0-only
/* Socket filter: drops runts, truncates everything else to 128 bytes. */
#include "common.h"

SEC("socket")
int len_min(struct __sk_buff *skb)
{
	if (skb->len < 60)
		return 0;
	return skb->len > 128 ? 128 : skb->len;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";

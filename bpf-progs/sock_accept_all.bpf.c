// SPDX-License-Identifier: GPL-2.0-only
/* Socket filter that keeps every packet whole: returns skb->len. */
#include "common.h"

SEC("socket")
int accept_all(struct __sk_buff *skb)
{
	return skb->len;
}

char LICENSE[] SEC("license") = "GPL";

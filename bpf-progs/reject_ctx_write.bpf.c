// SPDX-License-Identifier: GPL-2.0-only
/* REJECTED: socket filters may not write skb->mark. */
#include "common.h"

SEC("socket")
int sock_write_mark(struct __sk_buff *skb)
{
	skb->mark = 1;
	return skb->len;
}

char LICENSE[] SEC("license") = "GPL";

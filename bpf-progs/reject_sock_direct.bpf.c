// SPDX-License-Identifier: GPL-2.0-only
/* REJECTED: socket filters have no direct packet access (skb->data is not
 * a readable context field for them). */
#include "common.h"

SEC("socket")
int sock_direct(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;

	if (data + 14 > data_end)
		return 0;
	return *(__u8 *)data;
}

char LICENSE[] SEC("license") = "GPL";

// SPDX-License-Identifier: GPL-2.0-only
/* Socket filter with a bounded loop: sums the first 16 payload bytes with
 * bpf_skb_load_bytes and keeps the packet when the sum is odd. */
// cflags: -mcpu=v3
#include "common.h"

SEC("socket")
int loop_sum(struct __sk_buff *skb)
{
	__u32 sum = 0;
	__u8 b;

#pragma clang loop unroll(disable)
	for (int i = 0; i < 16; i++) {
		if (bpf_skb_load_bytes(skb, IP_OFF + i, &b, 1) < 0)
			break;
		sum += b;
	}
	return (sum & 1) ? skb->len : 0;
}

char LICENSE[] SEC("license") = "GPL";

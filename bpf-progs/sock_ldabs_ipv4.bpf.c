// SPDX-License-Identifier: GPL-2.0-only
/* Socket filter with classic absolute loads: IPv4 only, no fragments. */
// cflags: -mcpu=v1
#include "common.h"

SEC("socket")
int ipv4_only(struct __sk_buff *skb)
{
	if (ld_abs_u16(skb, ETH_OFF_PROTO) != ETH_P_IP)
		return 0;
	/* frag_off: MF flag or a non-zero offset means a fragment */
	if (ld_abs_u16(skb, IP_OFF + 6) & 0x3fff)
		return 0;
	return -1;
}

char LICENSE[] SEC("license") = "GPL";

// SPDX-License-Identifier: GPL-2.0-only
/* Socket filter: UDP to port 53 over IPv4, the UDP header found through the
 * IHL with indirect loads (BPF_LD | BPF_IND). */
#include "common.h"

SEC("socket")
int dns_only(struct __sk_buff *skb)
{
	__u64 ihl;

	if (ld_abs_u16(skb, ETH_OFF_PROTO) != ETH_P_IP)
		return 0;
	if (ld_abs_u8(skb, IP_OFF + offsetof(struct iphdr, protocol)) != IPPROTO_UDP)
		return 0;
	ihl = (ld_abs_u8(skb, IP_OFF) & 0x0f) << 2;
	if (ld_abs_u16(skb, IP_OFF + ihl + offsetof(struct udphdr, dest)) != 53)
		return 0;
	return skb->len;
}

char LICENSE[] SEC("license") = "GPL";

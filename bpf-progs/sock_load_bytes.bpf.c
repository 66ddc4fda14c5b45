// SPDX-License-Identifier: GPL-2.0-only
/* Socket filter copying the Ethernet header out with bpf_skb_load_bytes. */
#include "common.h"

SEC("socket")
int eth_copy(struct __sk_buff *skb)
{
	struct ethhdr eth;

	if (bpf_skb_load_bytes(skb, 0, &eth, sizeof(eth)) < 0)
		return 0;
	if (eth.h_proto == bpf_htons(ETH_P_IPV6))
		return 0;
	/* broadcast destination: keep only the headers */
	if (eth.h_dest[0] == 0xff && eth.h_dest[1] == 0xff)
		return 64;
	return skb->len;
}

char LICENSE[] SEC("license") = "GPL";

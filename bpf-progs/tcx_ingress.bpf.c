// SPDX-License-Identifier: GPL-2.0-only
/* tcx ingress program (expected_attach_type BPF_TCX_INGRESS): drops
 * packets shorter than an Ethernet + IPv4 header. */
#include "common.h"

/* tcx verdicts (linux/bpf.h of 6.6+; the build host's uapi headers may be older) */
#ifndef TCX_NEXT
#define TCX_NEXT -1
#define TCX_PASS 0
#define TCX_DROP 2
#endif

SEC("tcx/ingress")
int tcx_min_len(struct __sk_buff *skb)
{
	if (skb->len < sizeof(struct ethhdr) + sizeof(struct iphdr))
		return TCX_DROP;
	return TCX_NEXT;
}

char LICENSE[] SEC("license") = "GPL";

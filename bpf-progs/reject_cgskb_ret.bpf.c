// SPDX-License-Identifier: GPL-2.0-only
/* REJECTED: a cgroup_skb program may only return 0 or 1 (with optional
 * congestion bits on egress); this one returns 2 for IPv6. */
#include "common.h"

SEC("cgroup_skb/ingress")
int cg_bad_ret(struct __sk_buff *skb)
{
	if (skb->protocol == bpf_htons(ETH_P_IPV6))
		return 2;
	return 1;
}

char LICENSE[] SEC("license") = "GPL";

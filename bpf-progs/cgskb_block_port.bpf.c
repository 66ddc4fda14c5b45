// SPDX-License-Identifier: GPL-2.0-only
/* cgroup_skb egress: denies TCP to port 23, reading the headers with
 * bpf_skb_load_bytes (cgroup skbs start at the network header). */
#include "common.h"

SEC("cgroup_skb/egress")
int cg_no_telnet(struct __sk_buff *skb)
{
	struct iphdr ip;
	__be16 dport;

	if (skb->protocol != bpf_htons(ETH_P_IP))
		return 1;
	if (bpf_skb_load_bytes(skb, 0, &ip, sizeof(ip)))
		return 1;
	if (ip.protocol != IPPROTO_TCP)
		return 1;
	if (bpf_skb_load_bytes(skb, ip.ihl * 4 + offsetof(struct tcphdr, dest), &dport, sizeof(dport)))
		return 1;
	return dport == bpf_htons(23) ? 0 : 1;
}

char LICENSE[] SEC("license") = "GPL";

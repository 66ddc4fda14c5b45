// SPDX-License-Identifier: GPL-2.0-only
/* tc dispatcher: tail-calls into a program array by IP protocol and falls
 * through to TC_ACT_OK when the slot is empty. */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u32);
} by_proto SEC(".maps");

SEC("tc")
int tc_dispatch(struct __sk_buff *skb)
{
	__u8 proto;

	if (skb->protocol != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	if (bpf_skb_load_bytes(skb, IP_OFF + offsetof(struct iphdr, protocol), &proto, 1))
		return TC_ACT_OK;
	bpf_tail_call(skb, &by_proto, proto);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";

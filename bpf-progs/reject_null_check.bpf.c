// SPDX-License-Identifier: GPL-2.0-only
/* REJECTED: dereferences a map lookup result without the NULL check. */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

SEC("socket")
int no_null_check(struct __sk_buff *skb)
{
	__u32 key = skb->protocol;
	__u64 *v = bpf_map_lookup_elem(&counts, &key);

	*v += 1;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

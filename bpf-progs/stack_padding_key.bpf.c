// SPDX-License-Identifier: GPL-2.0-only
/* A hash key with a padding hole that is never written: the helper reads
 * uninitialized stack bytes. Unprivileged loaders are rejected for this;
 * root may read uninitialized stack (allow_uninit_stack). */
#include "common.h"

struct key {
	__u32 ifindex;
	/* 4 bytes of padding */
	__u64 cookie;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, struct key);
	__type(value, __u32);
} seen SEC(".maps");

SEC("tc")
int tc_padding(struct __sk_buff *skb)
{
	struct key k;
	__u32 one = 1;

	k.ifindex = skb->ifindex;
	k.cookie = skb->hash;
	bpf_map_update_elem(&seen, &k, &one, BPF_ANY);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";

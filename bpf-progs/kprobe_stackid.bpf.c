// SPDX-License-Identifier: GPL-2.0-only
/* kprobe on tcp_sendmsg: collects kernel stack ids in a stack trace map and
 * counts them in a hash map. */
#include "common.h"

#define MAX_DEPTH 32

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 1024);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, MAX_DEPTH * sizeof(__u64));
} stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __s32);
	__type(value, __u64);
} stack_counts SEC(".maps");

SEC("kprobe/tcp_sendmsg")
int sendmsg_stack(void *ctx)
{
	__s32 id = bpf_get_stackid(ctx, &stacks, 0);
	__u64 one = 1, *n;

	if (id < 0)
		return 0;
	n = bpf_map_lookup_elem(&stack_counts, &id);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&stack_counts, &id, &one, BPF_NOEXIST);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

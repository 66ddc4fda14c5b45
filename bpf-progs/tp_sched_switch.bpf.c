// SPDX-License-Identifier: GPL-2.0-only
/* Tracepoint sched/sched_switch: on-CPU time per pid, start stamps in one
 * hash map and totals in another. */
#include "common.h"

struct sched_switch_args {
	__u64 common;
	char prev_comm[16];
	__s32 prev_pid;
	__s32 prev_prio;
	__s64 prev_state;
	char next_comm[16];
	__s32 next_pid;
	__s32 next_prio;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, __u64);
} start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, __u64);
} oncpu_ns SEC(".maps");

SEC("tracepoint/sched/sched_switch")
int on_switch(struct sched_switch_args *ctx)
{
	__u64 now = bpf_ktime_get_ns();
	__u32 prev = ctx->prev_pid, next = ctx->next_pid;
	__u64 *ts, *total, delta;

	ts = bpf_map_lookup_elem(&start, &prev);
	if (ts) {
		delta = now - *ts;
		total = bpf_map_lookup_elem(&oncpu_ns, &prev);
		if (total)
			__sync_fetch_and_add(total, delta);
		else
			bpf_map_update_elem(&oncpu_ns, &prev, &delta, BPF_ANY);
		bpf_map_delete_elem(&start, &prev);
	}
	bpf_map_update_elem(&start, &next, &now, BPF_ANY);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

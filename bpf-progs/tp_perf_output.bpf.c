// SPDX-License-Identifier: GPL-2.0-only
/* Tracepoint syscalls/sys_enter_execve: pid and timestamp to a perf event
 * array on the current CPU. */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(max_entries, 2);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} exec_events SEC(".maps");

struct exec_event {
	__u64 ts;
	__u32 pid;
	__u32 uid;
};

SEC("tracepoint/syscalls/sys_enter_execve")
int trace_execve(void *ctx)
{
	struct exec_event ev = {};

	ev.ts = bpf_ktime_get_ns();
	ev.pid = bpf_get_current_pid_tgid() >> 32;
	ev.uid = (__u32)bpf_get_current_uid_gid();
	bpf_perf_event_output(ctx, &exec_events, BPF_F_CURRENT_CPU, &ev, sizeof(ev));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

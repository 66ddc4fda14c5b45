// SPDX-License-Identifier: GPL-2.0-only
/* Tracepoint syscalls/sys_enter_openat: sends pid, flags and comm to a ring
 * buffer (reserve/submit), filtered by a target pid in .rodata. */
#include "common.h"

struct openat_args {
	__u64 common;
	__s32 syscall_nr;
	__u32 pad;
	__s64 dfd;
	const char *filename;
	__s64 flags;
	__u64 mode;
};

struct event {
	__u32 pid;
	__u32 flags;
	char comm[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} events SEC(".maps");

const volatile __u32 target_pid = 0;

SEC("tracepoint/syscalls/sys_enter_openat")
int trace_openat(struct openat_args *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	struct event *e;

	if (target_pid && pid != target_pid)
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->pid = pid;
	e->flags = ctx->flags;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

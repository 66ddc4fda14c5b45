// SPDX-License-Identifier: GPL-2.0-only
/* REJECTED: reserves ring buffer space and returns without submitting or
 * discarding it on one path (an unreleased reference). */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} rb SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_getpid")
int leak(void *ctx)
{
	__u64 *e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);

	if (!e)
		return 0;
	*e = bpf_ktime_get_ns();
	if (*e & 1)
		return 0;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

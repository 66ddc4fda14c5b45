// SPDX-License-Identifier: GPL-2.0-only
/* Tracepoint with bpf_printk: the format string lives in .rodata (clang
 * emits it as a read-only global), so the loader creates a frozen map. */
#include "common.h"

SEC("tracepoint/syscalls/sys_enter_kill")
int trace_kill(void *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();

	bpf_printk("kill from %u/%u", (__u32)(id >> 32), (__u32)id);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

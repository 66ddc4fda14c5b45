// SPDX-License-Identifier: GPL-2.0-only
/* kprobe on do_unlinkat: reads the dfd argument from pt_regs and the pid,
 * and counts unlinks per pid in a hash map. */
// cflags: -D__TARGET_ARCH_x86
#include "common.h"
#include <linux/ptrace.h>
#include <bpf/bpf_tracing.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} unlinks SEC(".maps");

SEC("kprobe/do_unlinkat")
int BPF_KPROBE(on_unlinkat, int dfd)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	__u64 one = 1, *n;

	if (dfd == -1)
		return 0;
	n = bpf_map_lookup_elem(&unlinks, &pid);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&unlinks, &pid, &one, BPF_NOEXIST);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

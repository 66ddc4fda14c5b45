// SPDX-License-Identifier: GPL-2.0-only
/* kretprobe on vfs_read: counts negative return values (errors) by errno
 * in an array map. */
// cflags: -D__TARGET_ARCH_x86
#include "common.h"
#include <linux/ptrace.h>
#include <bpf/bpf_tracing.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 512);
	__type(key, __u32);
	__type(value, __u64);
} errs SEC(".maps");

SEC("kretprobe/vfs_read")
int BPF_KRETPROBE(vfs_read_ret, long ret)
{
	__u32 e;
	__u64 *n;

	if (ret >= 0)
		return 0;
	e = -ret;
	n = bpf_map_lookup_elem(&errs, &e);
	if (n)
		__sync_fetch_and_add(n, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

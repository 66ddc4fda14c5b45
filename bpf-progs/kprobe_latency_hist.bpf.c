// SPDX-License-Identifier: GPL-2.0-only
/* kprobe/kretprobe pair timing vfs_fsync: entry stamps by tid in a hash map,
 * a log2 histogram of the latency (bounded loop) in an array map. */
// cflags: -D__TARGET_ARCH_x86 -mcpu=v3
#include "common.h"
#include <linux/ptrace.h>
#include <bpf/bpf_tracing.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u64);
} entry_ts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} hist SEC(".maps");

SEC("kprobe/vfs_fsync")
int fsync_entry(struct pt_regs *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 ts = bpf_ktime_get_ns();

	bpf_map_update_elem(&entry_ts, &tid, &ts, BPF_ANY);
	return 0;
}

SEC("kretprobe/vfs_fsync")
int fsync_exit(struct pt_regs *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 *ts = bpf_map_lookup_elem(&entry_ts, &tid);
	__u64 delta, *slot;
	__u32 bucket = 0;

	if (!ts)
		return 0;
	delta = bpf_ktime_get_ns() - *ts;
	bpf_map_delete_elem(&entry_ts, &tid);
#pragma clang loop unroll(disable)
	for (int i = 0; i < 63; i++) {
		if (delta <= 1)
			break;
		delta >>= 1;
		bucket++;
	}
	slot = bpf_map_lookup_elem(&hist, &bucket);
	if (slot)
		__sync_fetch_and_add(slot, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

// SPDX-License-Identifier: GPL-2.0-only
/* kprobe reading a kernel pointer argument with bpf_probe_read_kernel and a
 * user string with bpf_probe_read_user_str into a per-CPU scratch buffer. */
// cflags: -D__TARGET_ARCH_x86
#include "common.h"
#include <linux/ptrace.h>
#include <bpf/bpf_tracing.h>

struct scratch {
	__u64 word;
	char path[64];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} buf SEC(".maps");

SEC("kprobe/do_sys_openat2")
int BPF_KPROBE(openat2_entry, int dfd, const char *filename, void *how)
{
	__u32 zero = 0;
	struct scratch *s = bpf_map_lookup_elem(&buf, &zero);

	if (!s)
		return 0;
	bpf_probe_read_kernel(&s->word, sizeof(s->word), how);
	bpf_probe_read_user_str(s->path, sizeof(s->path), filename);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

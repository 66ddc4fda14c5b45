// SPDX-License-Identifier: GPL-2.0-only
/* REJECTED: a non-GPL-compatible license calling a GPL-only helper
 * (bpf_probe_read_kernel) from a kprobe. The C source is GPL; the license
 * string the program declares to the kernel is deliberately not. */
#include "common.h"

SEC("kprobe/security_file_open")
int proprietary_probe(void *ctx)
{
	__u64 v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), ctx);
	return v == 0;
}

char LICENSE[] SEC("license") = "Proprietary";

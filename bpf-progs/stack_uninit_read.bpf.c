// SPDX-License-Identifier: GPL-2.0-only
/* ACCEPTED as root: reads a stack slot nothing wrote (inline assembly, as a miscompiled or
 * hand-written program would). Root loads may read uninitialized stack;
 * what the test runs return depends on old kernel stack contents (masked);
 * the interesting part is the kernel's verdict and log. Also returns a
 * value computed from it. */
// mask-retval
#include "common.h"

SEC("socket")
int uninit_read(struct __sk_buff *skb)
{
	long v;

	asm volatile("%0 = *(u64 *)(r10 - 64)" : "=r"(v));
	return v & 1;
}

char LICENSE[] SEC("license") = "GPL";

// SPDX-License-Identifier: GPL-2.0-only
/* XDP with initialised globals in .data and zeroed ones in .bss, updated
 * through direct map value loads. */
#include "common.h"

__u32 sample_every = 4;
__u64 seen;
__u64 sampled;

SEC("xdp")
int xdp_sample(struct xdp_md *ctx)
{
	__u64 n = __sync_fetch_and_add(&seen, 1);

	if (sample_every && n % sample_every == 0)
		__sync_fetch_and_add(&sampled, 1);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";

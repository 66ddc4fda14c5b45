// SPDX-License-Identifier: GPL-2.0-only
/* REJECTED: a loop whose bound is a 32-bit value from the packet; the
 * verifier cannot prove it terminates within its instruction budget. */
// cflags: -mcpu=v3
// record: skip: the verifier walks its whole 1M-instruction budget before refusing; the emulator needs minutes for that (reject_infinite_loop covers loop rejection)
#include "common.h"

SEC("xdp")
int xdp_unbounded(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 *n = data;
	__u32 acc = 0;

	if ((void *)(n + 1) > data_end)
		return XDP_PASS;
#pragma clang loop unroll(disable)
	for (__u32 i = 0; i < *n; i++)
		acc ^= i * 2654435761u;
	return acc & 1 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";

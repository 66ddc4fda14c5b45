// SPDX-License-Identifier: GPL-2.0-only
/* Socket filter using bpf_loop with a callback (a BPF_PSEUDO_FUNC ld_imm64
 * to a .text function): counts 0xff bytes in the first 32 bytes. */
#include "common.h"

struct loop_ctx {
	struct __sk_buff *skb;
	__u32 ff;
};

static int count_ff(__u32 i, void *data)
{
	struct loop_ctx *lc = data;
	__u8 b;

	if (bpf_skb_load_bytes(lc->skb, i, &b, 1))
		return 1;
	if (b == 0xff)
		lc->ff++;
	return 0;
}

SEC("socket")
int loop_ff(struct __sk_buff *skb)
{
	struct loop_ctx lc = { .skb = skb, .ff = 0 };

	bpf_loop(32, count_ff, &lc, 0);
	return lc.ff ? skb->len : 0;
}

char LICENSE[] SEC("license") = "GPL";

/* SPDX-License-Identifier: GPL-2.0-only */
/* Shared includes and small helpers for the bpf-progs/ corpus. */
#ifndef BPFEMU_PROGS_COMMON_H
#define BPFEMU_PROGS_COMMON_H

#include <linux/types.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <linux/tcp.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* Classic packet loads (BPF_LD | BPF_ABS/BPF_IND): LLVM exposes them as intrinsics. */
unsigned long long ld_abs_u8(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");
unsigned long long ld_abs_u16(void *skb, unsigned long long off) asm("llvm.bpf.load.half");
unsigned long long ld_abs_u32(void *skb, unsigned long long off) asm("llvm.bpf.load.word");

#define ETH_OFF_PROTO 12
#define IP_OFF (sizeof(struct ethhdr))

#endif

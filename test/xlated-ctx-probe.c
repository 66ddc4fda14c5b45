// SPDX-License-Identifier: GPL-2.0-only
#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <stdint.h>
static long bpf(int cmd, union bpf_attr *a) { return syscall(__NR_bpf, cmd, a, sizeof(*a)); }
static void dump(int type, int eat, struct bpf_insn *in, int n, const char *what) {
  union bpf_attr a; memset(&a, 0, sizeof a);
  a.prog_type = type; a.expected_attach_type = eat; a.insns = (uintptr_t)in; a.insn_cnt = n; a.license = (uintptr_t)"GPL";
  int fd = bpf(BPF_PROG_LOAD, &a);
  if (fd < 0) { printf("%d %s: load failed\n", type, what); return; }
  struct bpf_insn x[64]; struct bpf_prog_info info; memset(&info, 0, sizeof info);
  info.xlated_prog_len = sizeof x; info.xlated_prog_insns = (uintptr_t)x;
  memset(&a, 0, sizeof a); a.info.bpf_fd = fd; a.info.info_len = sizeof info; a.info.info = (uintptr_t)&info;
  if (bpf(BPF_OBJ_GET_INFO_BY_FD, &a)) { printf("info failed\n"); close(fd); return; }
  printf("%d %s:", type, what);
  for (unsigned i = 0; i < info.xlated_prog_len / 8; i++) { unsigned char *b = (unsigned char *)&x[i]; printf(" "); for (int k = 0; k < 8; k++) printf("%02x", b[k]); }
  printf("\n"); close(fd);
}
#define LDX(sz, d, s, o) ((struct bpf_insn){ BPF_LDX | BPF_MEM | sz, d, s, o, 0 })
#define STX(sz, d, s, o) ((struct bpf_insn){ BPF_STX | BPF_MEM | sz, d, s, o, 0 })
#define MOV0 ((struct bpf_insn){ BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0 })
#define EXIT ((struct bpf_insn){ BPF_JMP | BPF_EXIT, 0, 0, 0, 0 })
int main(void) {
  int types[] = { BPF_PROG_TYPE_SOCKET_FILTER, BPF_PROG_TYPE_SCHED_CLS, BPF_PROG_TYPE_CGROUP_SKB, BPF_PROG_TYPE_XDP };
  char w[64];
  for (int t = 0; t < 4; t++) {
    int max = types[t] == BPF_PROG_TYPE_XDP ? 28 : 192;
    for (int off = 0; off < max; off += 4) {
      struct bpf_insn p[3] = { LDX(BPF_W, 2, 1, off), MOV0, EXIT };
      snprintf(w, sizeof w, "ldx w r2=r1+%d", off); dump(types[t], 0, p, 3, w);
      struct bpf_insn q[4] = { MOV0, STX(BPF_W, 1, 0, off), MOV0, EXIT };
      snprintf(w, sizeof w, "stx w r1+%d=r0", off); dump(types[t], 0, q, 4, w);
    }
    if (types[t] != BPF_PROG_TYPE_XDP) for (int off = 0; off < 192; off += 1) {
      struct bpf_insn p[3] = { LDX(BPF_B, 2, 1, off), MOV0, EXIT };
      snprintf(w, sizeof w, "ldx b r2=r1+%d", off); dump(types[t], 0, p, 3, w);
      struct bpf_insn h[3] = { LDX(BPF_H, 2, 1, off), MOV0, EXIT };
      snprintf(w, sizeof w, "ldx h r2=r1+%d", off); dump(types[t], 0, h, 3, w);
    }
  }
  return 0;
}

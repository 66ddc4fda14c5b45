// SPDX-License-Identifier: GPL-2.0-only
// Records how the kernel rewrites context accesses (convert_ctx_accesses):
// for each program type, one program per load (BPF_LDX), store (BPF_STX) and
// immediate store (BPF_ST) of every width at every context offset, its
// xlated insns read back with OBJ_GET_INFO_BY_FD. Its output, through
// test/xlated-ctx-gen.py, is src/kernel/ctx_xlated.ts.
//   gcc -O1 -o /tmp/ctx test/xlated-ctx-probe.c && unshare -m -n /tmp/ctx > /tmp/ctx.out
//   python3 test/xlated-ctx-gen.py /tmp/ctx.out src/kernel/ctx_xlated.ts
// Programs are only loaded and read back (never attached), in private namespaces.
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
  if (fd < 0) { return; }
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
#define ST(sz, d, o, imm) ((struct bpf_insn){ BPF_ST | BPF_MEM | sz, d, 0, o, imm })
int main(void) {
  int types[][2] = { {1,0}, {3,0}, {4,0}, {8,0}, {6,0}, {9,0}, {10,0}, {11,0}, {12,0}, {13,0}, {14,0}, {16,0}, {18,8}, {18,10}, {19,0}, {20,0}, {21,0}, {22,0}, {23,0}, {25,21}, {25,22}, {30,36}, {15,0} };
  int ntypes = sizeof types / sizeof types[0];
  char w[64];
  for (int t = 0; t < ntypes; t++) {
    int ty = types[t][0], eat = types[t][1];
    for (int off = 0; off < 256; off++) {
      int szs[4] = { BPF_B, BPF_H, BPF_W, BPF_DW }; const char *nm = "bhwd";
      for (int z = 0; z < 4; z++) {
        int bytes = 1 << z;
        if (off % bytes) continue;
        struct bpf_insn p[3] = { LDX(szs[z], 2, 1, off), MOV0, EXIT };
        snprintf(w, sizeof w, "%d ldx %c r2=r1+%d", eat, nm[z], off); dump(ty, eat, p, 3, w);
        struct bpf_insn q[4] = { MOV0, STX(szs[z], 1, 0, off), MOV0, EXIT };
        snprintf(w, sizeof w, "%d stx %c r1+%d=r0", eat, nm[z], off); dump(ty, eat, q, 4, w);
        struct bpf_insn r[3] = { ST(szs[z], 1, off, 7), MOV0, EXIT };
        snprintf(w, sizeof w, "%d st %c r1+%d=7", eat, nm[z], off); dump(ty, eat, r, 3, w);
      }
    }
  }
  return 0;
}

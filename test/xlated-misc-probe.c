// SPDX-License-Identifier: GPL-2.0-only
// Records do_misc_fixups() rewrites on 6.18 for kernel/fixups.ts: division and
// modulo by a register (and signed ones by -1), inlined helpers, inlined map
// lookups per map type. Programs are only loaded and read back, never attached.
//   gcc -O1 -o /tmp/misc test/xlated-misc-probe.c && unshare -m -n /tmp/misc
#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <stdint.h>
static long bpf(int cmd, union bpf_attr *a) { return syscall(__NR_bpf, cmd, a, sizeof(*a)); }
static void dump(int type, struct bpf_insn *in, int n, const char *what) {
  union bpf_attr a; memset(&a, 0, sizeof a);
  a.prog_type = type; a.insns = (uintptr_t)in; a.insn_cnt = n; a.license = (uintptr_t)"GPL";
  int fd = bpf(BPF_PROG_LOAD, &a);
  if (fd < 0) { printf("%s: load failed\n", what); return; }
  struct bpf_insn x[64]; struct bpf_prog_info info; memset(&info, 0, sizeof info);
  info.xlated_prog_len = sizeof x; info.xlated_prog_insns = (uintptr_t)x;
  memset(&a, 0, sizeof a); a.info.bpf_fd = fd; a.info.info_len = sizeof info; a.info.info = (uintptr_t)&info;
  if (bpf(BPF_OBJ_GET_INFO_BY_FD, &a)) { printf("info failed\n"); close(fd); return; }
  printf("%s:", what);
  for (unsigned i = 0; i < info.xlated_prog_len / 8; i++) { unsigned char *b = (unsigned char *)&x[i]; printf(" "); for (int k = 0; k < 8; k++) printf("%02x", b[k]); }
  printf("\n"); close(fd);
}
static int mapc(int type, int ks, int vs, int max) {
  union bpf_attr a; memset(&a, 0, sizeof a);
  a.map_type = type; a.key_size = ks; a.value_size = vs; a.max_entries = max;
  return bpf(BPF_MAP_CREATE, &a);
}
#define I(c, d, s, o, i) ((struct bpf_insn){ c, d, s, o, i })
#define EXIT I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
int main(void) {
  char w[80];
  int cls[2] = { BPF_ALU, BPF_ALU64 };
  for (int c = 0; c < 2; c++) for (int op = 0; op < 2; op++) for (int s = 0; s < 2; s++) {
    int o = op ? BPF_MOD : BPF_DIV;
    struct bpf_insn p[5] = { I(BPF_ALU64 | BPF_MOV | BPF_K, 3, 0, 0, 7), I(BPF_ALU64 | BPF_MOV | BPF_K, 2, 0, 0, 3), I(cls[c] | o | BPF_X, 3, 2, s, 0), I(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0), EXIT };
    snprintf(w, sizeof w, "x cls=%d op=%x off=%d", cls[c], o, s); dump(1, p, 5, w);
    struct bpf_insn q[4] = { I(BPF_ALU64 | BPF_MOV | BPF_K, 3, 0, 0, 7), I(cls[c] | o | BPF_K, 3, 0, s, -1), I(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0), EXIT };
    snprintf(w, sizeof w, "k-1 cls=%d op=%x off=%d", cls[c], o, s); dump(1, q, 4, w);
    struct bpf_insn r[4] = { I(BPF_ALU64 | BPF_MOV | BPF_K, 3, 0, 0, 7), I(cls[c] | o | BPF_K, 3, 0, s, 5), I(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0), EXIT };
    snprintf(w, sizeof w, "k5 cls=%d op=%x off=%d", cls[c], o, s); dump(1, r, 4, w);
  }
  int helpers[] = { 8, 118, 35, 14, 5, 7, 125, 160 };
  for (int h = 0; h < 8; h++) {
    struct bpf_insn p[3] = { I(BPF_JMP | BPF_CALL, 0, 0, 0, helpers[h]), I(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0), EXIT };
    snprintf(w, sizeof w, "helper %d sk", helpers[h]); dump(1, p, 3, w);
    snprintf(w, sizeof w, "helper %d kprobe", helpers[h]); dump(2, p, 3, w);
  }
  int mt[][4] = { { BPF_MAP_TYPE_LRU_HASH, 4, 8, 4 }, { BPF_MAP_TYPE_PERCPU_HASH, 4, 8, 4 }, { BPF_MAP_TYPE_LRU_PERCPU_HASH, 4, 8, 4 }, { BPF_MAP_TYPE_ARRAY, 4, 12, 4 }, { BPF_MAP_TYPE_HASH, 12, 8, 4 }, { BPF_MAP_TYPE_PERCPU_ARRAY, 4, 12, 4 }, { BPF_MAP_TYPE_ARRAY, 4, 8, 3 }, { BPF_MAP_TYPE_LPM_TRIE, 8, 8, 4 } };
  for (int m = 0; m < 8; m++) {
    int fd = mapc(mt[m][0], mt[m][1], mt[m][2], mt[m][3]);
    if (mt[m][0] == BPF_MAP_TYPE_LPM_TRIE) { union bpf_attr a; memset(&a, 0, sizeof a); a.map_type = mt[m][0]; a.key_size = 8; a.value_size = 8; a.max_entries = 4; a.map_flags = BPF_F_NO_PREALLOC; fd = bpf(BPF_MAP_CREATE, &a); }
    if (fd < 0) { printf("map %d failed\n", mt[m][0]); continue; }
    struct bpf_insn p[12] = {
      I(BPF_ST | BPF_MEM | BPF_DW, 10, 0, -16, 0), I(BPF_ST | BPF_MEM | BPF_DW, 10, 0, -8, 0),
      I(BPF_ALU64 | BPF_MOV | BPF_X, 2, 10, 0, 0), I(BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 0, -16),
      I(BPF_LD | BPF_DW | BPF_IMM, 1, BPF_PSEUDO_MAP_FD, 0, fd), I(0, 0, 0, 0, 0),
      I(BPF_JMP | BPF_CALL, 0, 0, 0, 1), I(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0), EXIT };
    snprintf(w, sizeof w, "lookup map type %d ks %d vs %d max %d", mt[m][0], mt[m][1], mt[m][2], mt[m][3]); dump(1, p, 9, w);
    close(fd);
  }
  return 0;
}

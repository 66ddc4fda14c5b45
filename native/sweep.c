// SPDX-License-Identifier: GPL-2.0-only
/*
 * bpfemu entry-path sweep: runs many single bpf() calls with attrs that are
 * zero except for at most one byte, placed so that they end at a page
 * boundary with an unmapped page above (the emulator's ATTR_END model).
 * Input lines:  <cmd> <size> <buflen> <off> <val>   (off < 0: no byte set)
 * Output lines: <ret or -errno>
 * Runs in a child with private mount and network namespaces; any fd a call
 * returns is closed at once, so every call starts from the same state.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define ATTR_END 0x7ff000100000UL
#define WINDOW (16 * 4096UL) /* room for attrs up to 8192 bytes and more */

static int child(void)
{
	/* Only 0-2 stay open, as in the emulator's fresh task. */
	syscall(SYS_close_range, 3U, ~0U, 0U);
	if (unshare(CLONE_NEWNS | CLONE_NEWNET)) { perror("unshare"); return 1; }
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) { perror("mount private"); return 1; }
	char *base = mmap((void *)(ATTR_END - WINDOW), WINDOW, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (base == MAP_FAILED) { perror("mmap"); return 1; }
	/* The page at ATTR_END must stay unmapped. */
	munmap((void *)ATTR_END, 4096);
	char line[256];
	while (fgets(line, sizeof line, stdin)) {
		long cmd, size, buflen, off, val;
		if (sscanf(line, "%ld %ld %ld %ld %ld", &cmd, &size, &buflen, &off, &val) != 5) continue;
		if (buflen < 0 || (unsigned long)buflen > WINDOW) { printf("!bad buflen\n"); continue; }
		char *attr = (char *)(ATTR_END - buflen);
		memset(base, 0, WINDOW);
		if (off >= 0 && off < buflen) attr[off] = (char)val;
		long r = syscall(SYS_bpf, (int)cmd, attr, (unsigned int)size);
		if (r < 0) r = -errno;
		else if (r > 2) close((int)r);
		printf("%ld\n", r);
	}
	fflush(stdout);
	return 0;
}

int main(void)
{
	pid_t pid = fork();
	if (pid < 0) { perror("fork"); return 1; }
	if (pid == 0) _exit(child());
	int st;
	if (waitpid(pid, &st, 0) < 0) return 1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

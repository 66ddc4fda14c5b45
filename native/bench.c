// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench: the live-kernel side of `npm run bench`.
 *
 * Built at bench time by bench/native.ts with the machine's cc (never
 * committed as a binary). It reads call streams from stdin, runs each one in
 * a forked child inside private mount and network namespaces (and, for
 * userns streams, a new user namespace with a delegated bpffs at fd 3, the
 * upstream token selftests' flow), and times the stream's loop body.
 *
 * Usage: bench [-r rounds] [-m round_ms] [-w warmup_ms]
 *
 * Input (hex strings, "-" = empty):
 *   S <namehex> root
 *   S <namehex> userns <cmds|-> <maps|-> <progs|-> <attachs|->   delegate_* values, hex
 *   M <addrhex> <len> <hex|->          setup: map anonymous rw pages at addr
 *   L                                  the ops after this line are the timed loop body
 *   W <addrhex> <hex>                  write user memory (not counted as a call)
 *   B <cmd> <size> <hex|-> <repeat>    bpf(cmd, ATTR_END - len, size), repeat times
 *   C <fd>                             close(fd); fd -1 = the last B op's return, skipped when < 0
 *   O <flags> <pathhex>                openat(AT_FDCWD, path, flags)
 *   Z                                  close every fd from the stream's first free fd up
 *   E                                  end of stream: run it
 *
 * Output per stream, on stdout:
 *   S <namehex>
 *   F <ret> ...       the return of every call of the body's first iteration
 *                     (for a repeated B op: its first and its last call)
 *   T <calls> <ns>    one line per round (ns of process CPU time)
 *   K ok              or  K err <message>
 *
 * Timing: process CPU time (user + system: a syscall's kernel work counts),
 * so other jobs on the machine do not count against either side. Each round
 * runs whole iterations of the body and reads the clock after batches whose
 * size doubles until a batch takes at least 1 ms, so the clock costs nothing
 * measurable; bench/emulator.ts does the same.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>

#ifndef SYS_bpf
#error "SYS_bpf is not defined for this architecture"
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif

#define FSCONFIG_SET_STRING_ 1
#define FSCONFIG_CMD_CREATE_ 6
#define MOVE_MOUNT_F_EMPTY_PATH_ 0x4

/* The attr ends here with the page above unmapped (src/abi/uaccess.ts). */
#define ATTR_END 0x7ff000100000ULL
#define ATTR_WINDOW 0x100000ULL
#define PAGE 4096ULL

enum { OP_MAP, OP_WRITE, OP_BPF, OP_CLOSE, OP_OPEN, OP_RESET };

struct op {
	int kind;
	long num;           /* cmd, fd or flags */
	unsigned long size; /* bpf size */
	long repeat;
	uint64_t addr;
	unsigned char *data; /* attr, bytes or path */
	size_t len;
};

struct stream {
	char *name; /* hex */
	int userns;
	char *delegate[4];
	struct op *setup, *body;
	size_t nsetup, nbody, capsetup, capbody;
};

static const char *const delegate_names[4] = { "delegate_cmds", "delegate_maps", "delegate_progs", "delegate_attachs" };
static long rounds = 5, round_ms = 200, warmup_ms = 200;

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p) {
		fprintf(stderr, "bench: out of memory\n");
		exit(2);
	}
	return p;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

/* Decodes hex ("-" = empty) into a fresh buffer; returns the length or -1. */
static long unhex(const char *s, unsigned char **out)
{
	if (strcmp(s, "-") == 0) {
		*out = xmalloc(1);
		(*out)[0] = 0;
		return 0;
	}
	size_t n = strlen(s);
	if (n % 2) return -1;
	unsigned char *b = xmalloc(n / 2 + 1);
	for (size_t i = 0; i < n / 2; i++) {
		int h = hexval(s[2 * i]), l = hexval(s[2 * i + 1]);
		if (h < 0 || l < 0) {
			free(b);
			return -1;
		}
		b[i] = (unsigned char)(h << 4 | l);
	}
	b[n / 2] = 0; /* paths are used as C strings */
	*out = b;
	return (long)(n / 2);
}

/* --------------------------------------------------------------- output */

/* The child reports through stdout; fully written lines keep the parent's
 * parser simple even when a child dies half-way. */
static void out(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n < 0) return;
	if ((size_t)n >= sizeof buf) n = sizeof buf - 1;
	size_t done = 0;
	while (done < (size_t)n) {
		ssize_t w = write(1, buf + done, (size_t)n - done);
		if (w <= 0) {
			if (errno == EINTR) continue;
			_exit(5);
		}
		done += (size_t)w;
	}
}

static void __attribute__((noreturn, format(printf, 1, 2))) child_fail(const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	for (char *p = msg; *p; p++)
		if (*p == '\n') *p = ' ';
	out("K err %s: %s\n", msg, strerror(errno));
	_exit(3);
}

/* ------------------------------------------------------ namespace setup */

static int send_fd(int sock, int fd)
{
	char byte = 'F';
	struct iovec iov = { &byte, 1 };
	union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int))]; } u;
	struct msghdr m = { 0 };
	memset(&u, 0, sizeof u);
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = u.buf;
	m.msg_controllen = sizeof u.buf;
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof fd);
	return sendmsg(sock, &m, 0) == 1 ? 0 : -1;
}

static int recv_fd(int sock)
{
	char byte;
	struct iovec iov = { &byte, 1 };
	union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int))]; } u;
	struct msghdr m = { 0 };
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = u.buf;
	m.msg_controllen = sizeof u.buf;
	if (recvmsg(sock, &m, MSG_CMSG_CLOEXEC) != 1) {
		if (!errno) errno = EPIPE;
		return -1;
	}
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	if (!c || c->cmsg_type != SCM_RIGHTS) {
		errno = EPROTO;
		return -1;
	}
	int fd;
	memcpy(&fd, CMSG_DATA(c), sizeof fd);
	return fd;
}

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) return -1;
	ssize_t n = write(fd, s, strlen(s));
	int e = errno;
	close(fd);
	errno = e;
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

/* fds 0-2 stay (stdout carries the results); keep_fd (if >= 0) becomes fd 3;
 * nothing else is open, so the emulator and the kernel hand out the same
 * fd numbers. Returns the first free fd. */
static int setup_fds(int keep_fd)
{
	int first = 3;
	if (keep_fd >= 0) {
		if (keep_fd != 3) {
			if (dup2(keep_fd, 3) < 0) child_fail("dup2 bpffs root");
			close(keep_fd);
		}
		int fl = fcntl(3, F_GETFD);
		fcntl(3, F_SETFD, fl & ~FD_CLOEXEC);
		first = 4;
	}
	if (syscall(SYS_close_range, first, ~0U, 0) < 0)
		for (int fd = first; fd < 65536; fd++) close(fd);
	return first;
}

static void mount_private_root(void)
{
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) child_fail("make / private");
}

/* ------------------------------------------------------------ op running */

static size_t attr_mapped;
static int first_fd;

static void ensure_attr_area(size_t len)
{
	size_t need = (len + PAGE - 1) & ~(PAGE - 1);
	if (need == 0) need = PAGE;
	if (need <= attr_mapped) return;
	if (need > ATTR_WINDOW) child_fail("attr longer than the attr window");
	void *want = (void *)(uintptr_t)(ATTR_END - need);
	void *p = mmap(want, need - attr_mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (p == MAP_FAILED || p != want) child_fail("map attr area at 0x%llx", (unsigned long long)(uintptr_t)want);
	attr_mapped = need;
}

static void prepare(struct stream *s)
{
	for (size_t i = 0; i < s->nsetup; i++) {
		struct op *o = &s->setup[i];
		if (o->kind == OP_MAP) {
			size_t len = (o->size + PAGE - 1) & ~(PAGE - 1);
			void *p = mmap((void *)(uintptr_t)o->addr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
			if (p == MAP_FAILED || p != (void *)(uintptr_t)o->addr) child_fail("map 0x%llx", (unsigned long long)o->addr);
			if (o->len) memcpy(p, o->data, o->len);
		}
	}
	size_t maxattr = 0;
	for (size_t i = 0; i < s->nsetup; i++)
		if (s->setup[i].kind == OP_BPF && s->setup[i].len > maxattr) maxattr = s->setup[i].len;
	for (size_t i = 0; i < s->nbody; i++)
		if (s->body[i].kind == OP_BPF && s->body[i].len > maxattr) maxattr = s->body[i].len;
	ensure_attr_area(maxattr);
}

static const struct op *placed; /* whose bytes are in the attr window now */

static inline long do_bpf(const struct op *o)
{
	unsigned char *a = (unsigned char *)(uintptr_t)(ATTR_END - o->len);
	if (placed != o) {
		memcpy(a, o->data, o->len);
		placed = o;
	}
	long r = syscall(SYS_bpf, (int)o->num, a, (unsigned int)o->size);
	return r < 0 ? -errno : r;
}

static long *first_rets;
static size_t nfirst, capfirst;

static void record(long r)
{
	if (nfirst == capfirst) {
		capfirst = capfirst ? capfirst * 2 : 64;
		long *n = xmalloc(capfirst * sizeof *n);
		if (nfirst) memcpy(n, first_rets, nfirst * sizeof *n);
		free(first_rets);
		first_rets = n;
	}
	first_rets[nfirst++] = r;
}

/* One pass over ops; returns the number of calls made. rec: record returns. */
static long run_ops(const struct op *ops, size_t n, int rec)
{
	long calls = 0, last = -1;
	for (size_t i = 0; i < n; i++) {
		const struct op *o = &ops[i];
		long r = 0;
		switch (o->kind) {
		case OP_MAP:
			break;
		case OP_WRITE:
			memcpy((void *)(uintptr_t)o->addr, o->data, o->len);
			break;
		case OP_BPF:
			for (long k = 0; k < o->repeat; k++) {
				r = do_bpf(o);
				if (rec && (k == 0 || k == o->repeat - 1)) record(r);
			}
			last = r;
			calls += o->repeat;
			break;
		case OP_CLOSE: {
			long fd = o->num;
			if (fd == -1) {
				if (last < 0) break;
				fd = last;
			}
			r = close((int)fd) < 0 ? -errno : 0;
			if (rec) record(r);
			calls++;
			break;
		}
		case OP_OPEN:
			r = openat(AT_FDCWD, (const char *)o->data, (int)o->num);
			if (r < 0) r = -errno;
			if (rec) record(r);
			calls++;
			break;
		case OP_RESET:
			syscall(SYS_close_range, first_fd, ~0U, 0);
			break;
		}
	}
	return calls;
}

static inline long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Runs whole iterations for at least `ns`; returns calls and elapsed time. */
static void timed(const struct stream *s, long long ns, long *calls_out, long long *elapsed_out)
{
	long calls = 0;
	long batch = 1;
	long long t0 = now_ns(), t = t0;
	while (t - t0 < ns) {
		long long b0 = t;
		for (long i = 0; i < batch; i++) calls += run_ops(s->body, s->nbody, 0);
		t = now_ns();
		if (t - b0 < 1000000 && batch < (1L << 24)) batch *= 2;
	}
	*calls_out = calls;
	*elapsed_out = t - t0;
}

static void __attribute__((noreturn)) run_stream(struct stream *s)
{
	prepare(s);
	run_ops(s->setup, s->nsetup, 0);
	/* First iteration: the returns, to compare with the emulator's. */
	run_ops(s->body, s->nbody, 1);
	char line[64];
	out("F");
	for (size_t i = 0; i < nfirst; i++) {
		snprintf(line, sizeof line, " %ld", first_rets[i]);
		out("%s", line);
	}
	out("\n");
	long calls;
	long long el;
	timed(s, warmup_ms * 1000000LL, &calls, &el);
	for (long r = 0; r < rounds; r++) {
		timed(s, round_ms * 1000000LL, &calls, &el);
		out("T %ld %lld\n", calls, el);
	}
	out("K ok\n");
	_exit(0);
}

/* The privileged parent of a userns stream configures the bpffs context the
 * child opened inside its user namespace and hands back a detached mount. */
static void delegate_bpffs(struct stream *s, int sock)
{
	int fs_fd = recv_fd(sock);
	if (fs_fd < 0) child_fail("receive fsopen fd from userns child");
	for (int i = 0; i < 4; i++) {
		if (!s->delegate[i]) continue;
		if (syscall(SYS_fsconfig, fs_fd, FSCONFIG_SET_STRING_, delegate_names[i], s->delegate[i], 0) < 0)
			child_fail("fsconfig %s=%s", delegate_names[i], s->delegate[i]);
	}
	if (syscall(SYS_fsconfig, fs_fd, FSCONFIG_CMD_CREATE_, NULL, NULL, 0) < 0) child_fail("fsconfig FSCONFIG_CMD_CREATE");
	int mnt_fd = (int)syscall(SYS_fsmount, fs_fd, 0, 0);
	if (mnt_fd < 0) child_fail("fsmount");
	if (send_fd(sock, mnt_fd) < 0) child_fail("send mount fd to userns child");
	close(mnt_fd);
	close(fs_fd);
}

static void __attribute__((noreturn)) stream_child(struct stream *s)
{
	if (chdir("/") < 0) child_fail("chdir /");
	if (unshare(CLONE_NEWNS) < 0) child_fail("unshare(CLONE_NEWNS)");
	mount_private_root();
	/* Host cgroups stay out of reach. */
	if (mount("none", "/sys/fs/cgroup", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k") < 0 && errno != ENOENT)
		child_fail("mask /sys/fs/cgroup");
	if (!s->userns) {
		if (mount("bpf", "/sys/fs/bpf", "bpf", 0, NULL) < 0) child_fail("mount bpffs at /sys/fs/bpf");
		first_fd = setup_fds(-1);
		run_stream(s);
	}
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) child_fail("socketpair");
	pid_t pid = fork();
	if (pid < 0) child_fail("fork userns child");
	if (pid == 0) {
		close(sv[0]);
		int so = sv[1];
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (unshare(CLONE_NEWUSER) < 0) child_fail("unshare(CLONE_NEWUSER)");
		char c = 'u';
		if (write(so, &c, 1) != 1 || read(so, &c, 1) != 1 || c != 'm') child_fail("userns id map handshake");
		if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0) child_fail("setresuid(0) in userns");
		if (unshare(CLONE_NEWNS) < 0) child_fail("unshare(CLONE_NEWNS) in userns");
		mount_private_root();
		int fs_fd = (int)syscall(SYS_fsopen, "bpf", 0);
		if (fs_fd < 0) child_fail("fsopen(bpf) in userns");
		if (send_fd(so, fs_fd) < 0) child_fail("send fsopen fd");
		close(fs_fd);
		int mnt_fd = recv_fd(so);
		if (mnt_fd < 0) child_fail("receive bpffs mount fd");
		if (syscall(SYS_move_mount, mnt_fd, "", AT_FDCWD, "/sys/fs/bpf", MOVE_MOUNT_F_EMPTY_PATH_) < 0)
			child_fail("move_mount bpffs to /sys/fs/bpf");
		int root = openat(mnt_fd, ".", O_RDONLY);
		if (root < 0) child_fail("open bpffs root");
		close(mnt_fd);
		close(so);
		first_fd = setup_fds(root);
		run_stream(s);
	}
	close(sv[1]);
	char c;
	if (read(sv[0], &c, 1) != 1 || c != 'u') {
		int st;
		waitpid(pid, &st, 0);
		_exit(3);
	}
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/uid_map", (int)pid);
	if (write_file(path, "0 0 1") < 0) child_fail("write uid_map");
	snprintf(path, sizeof path, "/proc/%d/gid_map", (int)pid);
	if (write_file(path, "0 0 1") < 0) child_fail("write gid_map");
	c = 'm';
	if (write(sv[0], &c, 1) != 1) child_fail("userns handshake");
	delegate_bpffs(s, sv[0]);
	close(sv[0]);
	int st;
	if (waitpid(pid, &st, 0) < 0) child_fail("wait userns child");
	_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128);
}

/* ---------------------------------------------------------------- input */

static struct op *push(struct op **arr, size_t *n, size_t *cap)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		struct op *a = xmalloc(*cap * sizeof **arr);
		if (*n) memcpy(a, *arr, *n * sizeof **arr);
		free(*arr);
		*arr = a;
	}
	struct op *o = &(*arr)[(*n)++];
	memset(o, 0, sizeof *o);
	return o;
}

static void bad(long lineno, const char *what)
{
	fprintf(stderr, "bench: input line %ld: %s\n", lineno, what);
	exit(2);
}

int main(int argc, char **argv)
{
	int opt;
	while ((opt = getopt(argc, argv, "r:m:w:")) != -1) {
		switch (opt) {
		case 'r': rounds = atol(optarg); break;
		case 'm': round_ms = atol(optarg); break;
		case 'w': warmup_ms = atol(optarg); break;
		default:
			fprintf(stderr, "usage: bench [-r rounds] [-m round_ms] [-w warmup_ms] < streams\n");
			return 2;
		}
	}
	if (rounds < 1 || round_ms < 1 || warmup_ms < 0) {
		fprintf(stderr, "bench: bad -r/-m/-w\n");
		return 2;
	}
	/* The runner and every stream live in a private network namespace. */
	if (unshare(CLONE_NEWNET) < 0) {
		fprintf(stderr, "bench: unshare(CLONE_NEWNET): %s\n", strerror(errno));
		return 2;
	}

	size_t cap = 1 << 16, len = 0;
	char *line = xmalloc(cap);
	long lineno = 0;
	struct stream *s = NULL;
	int in_body = 0;
	for (;;) {
		/* getline-like read of arbitrarily long lines */
		int c;
		len = 0;
		while ((c = getchar()) != EOF && c != '\n') {
			if (len + 1 >= cap) {
				cap *= 2;
				char *n = xmalloc(cap);
				memcpy(n, line, len);
				free(line);
				line = n;
			}
			line[len++] = (char)c;
		}
		if (c == EOF && len == 0) break;
		line[len] = 0;
		lineno++;
		char *tok[8];
		int nt = 0;
		for (char *p = strtok(line, " "); p && nt < 8; p = strtok(NULL, " ")) tok[nt++] = p;
		if (nt == 0) continue;
		char k = tok[0][0];
		if (k == 'S') {
			if (nt < 3) bad(lineno, "S needs a name and an env");
			s = xmalloc(sizeof *s);
			memset(s, 0, sizeof *s);
			s->name = strdup(tok[1]);
			in_body = 0;
			if (strcmp(tok[2], "userns") == 0) {
				if (nt != 7) bad(lineno, "S userns needs four delegate values");
				s->userns = 1;
				for (int i = 0; i < 4; i++) {
					unsigned char *v;
					if (strcmp(tok[3 + i], "-") == 0) continue;
					if (unhex(tok[3 + i], &v) < 0) bad(lineno, "bad delegate hex");
					s->delegate[i] = (char *)v;
				}
			} else if (strcmp(tok[2], "root") != 0) {
				bad(lineno, "env must be root or userns");
			}
			continue;
		}
		if (!s) bad(lineno, "op before S");
		if (k == 'L') {
			in_body = 1;
			continue;
		}
		if (k == 'E') {
			fflush(stdout);
			out("S %s\n", s->name);
			pid_t pid = fork();
			if (pid < 0) {
				out("K err fork: %s\n", strerror(errno));
				continue;
			}
			if (pid == 0) stream_child(s);
			int st;
			waitpid(pid, &st, 0);
			if (!WIFEXITED(st) || WEXITSTATUS(st) == 5) out("K err stream child died (status 0x%x)\n", st);
			else if (WEXITSTATUS(st) != 0 && WEXITSTATUS(st) != 3) out("K err stream child exited %d\n", WEXITSTATUS(st));
			s = NULL;
			continue;
		}
		struct op *o = in_body ? push(&s->body, &s->nbody, &s->capbody) : push(&s->setup, &s->nsetup, &s->capsetup);
		switch (k) {
		case 'M':
			if (nt != 4 || in_body) bad(lineno, "M <addrhex> <len> <hex|-> (setup only)");
			o->kind = OP_MAP;
			o->addr = strtoull(tok[1], NULL, 16);
			o->size = strtoul(tok[2], NULL, 10);
			if (unhex(tok[3], &o->data) < 0) bad(lineno, "bad hex");
			o->len = strlen(tok[3]) / 2;
			if (strcmp(tok[3], "-") == 0) o->len = 0;
			break;
		case 'W': {
			if (nt != 3) bad(lineno, "W <addrhex> <hex>");
			o->kind = OP_WRITE;
			o->addr = strtoull(tok[1], NULL, 16);
			long n = unhex(tok[2], &o->data);
			if (n < 0) bad(lineno, "bad hex");
			o->len = (size_t)n;
			break;
		}
		case 'B': {
			if (nt != 5) bad(lineno, "B <cmd> <size> <hex|-> <repeat>");
			o->kind = OP_BPF;
			o->num = strtol(tok[1], NULL, 10);
			o->size = strtoul(tok[2], NULL, 10);
			long n = unhex(tok[3], &o->data);
			if (n < 0) bad(lineno, "bad hex");
			o->len = (size_t)n;
			o->repeat = strtol(tok[4], NULL, 10);
			if (o->repeat < 1) bad(lineno, "repeat must be >= 1");
			break;
		}
		case 'C':
			if (nt != 2) bad(lineno, "C <fd>");
			o->kind = OP_CLOSE;
			o->num = strtol(tok[1], NULL, 10);
			break;
		case 'O':
			if (nt != 3) bad(lineno, "O <flags> <pathhex>");
			o->kind = OP_OPEN;
			o->num = strtol(tok[1], NULL, 10);
			if (unhex(tok[2], &o->data) < 0) bad(lineno, "bad hex");
			break;
		case 'Z':
			o->kind = OP_RESET;
			break;
		default:
			bad(lineno, "unknown op");
		}
	}
	return 0;
}

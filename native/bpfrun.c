// SPDX-License-Identifier: GPL-2.0-only
/*
 * bpfrun: replays bpfemu traces on the live kernel.
 *
 * Built on demand by src/oracle/native.ts with the machine's cc; never
 * committed as a binary. One runner process handles a whole batch: it reads
 * traces from stdin, forks one child per trace (no exec, so thousands of
 * traces take seconds), and prints each trace's results on stdout. Up to
 * -j children run at once; output blocks are tagged with the trace index and
 * may arrive out of order.
 *
 * Usage: bpfrun [-j parallel] [-t timeout_ms] [-N]
 *   -N  a fresh network namespace for every trace (default: only for traces
 *       that attach, detach, create links or test-run; see trace_needs_own_netns)
 *
 * Input (one token per space, strings hex-encoded so they never contain
 * blanks; "-" means absent):
 *   T <idx> root|nocap
 *   T <idx> userns <cmds> <maps> <progs> <attachs>   delegate_* values
 *   M <addrhex> <len> <hex|->       map anonymous rw pages (MAP_FIXED_NOREPLACE)
 *   W <addrhex> <hex>               write user memory
 *   B <cmd> <size> <hex|->          bpf(cmd, ATTR_END - len, size)
 *   C <fd>                          close
 *   D <mode> <pathhex>              mkdir
 *   U <pathhex>                     unlink
 *   O <flags> <pathhex>             openat(AT_FDCWD, path, flags)
 *   E                               end of trace: run it
 *
 * Output per trace:
 *   S <idx>
 *   R <ret> <attrhex|-> [<addrhex>:<hex> ...]   one line per op, in order
 *   K <idx> ok          or      K <idx> err <message hex>
 *
 * Ret is the syscall's return value or -errno. For B ops the attr bytes after
 * the call follow, then every tracked region (from M ops) whose bytes changed
 * during the call, with its full contents.
 *
 * Children write their results into a MAP_SHARED buffer rather than a pipe,
 * so that the trace sees exactly fds 0-2 (/dev/null) and nothing else: fd
 * numbers returned by bpf() then start at 3 (or 4 with the userns bpffs root
 * at 3), as the trace format promises.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
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
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

/* Our own names for the new mount API constants: older glibc lacks them and
 * newer glibc defines them in sys/mount.h, which clashes with linux/mount.h. */
#define BR_FSCONFIG_SET_STRING 1
#define BR_FSCONFIG_CMD_CREATE 6
#define BR_MOVE_MOUNT_F_EMPTY_PATH 0x4

#define CGROUP_SUPER_MAGIC_ 0x27e0eb
#define CGROUP2_SUPER_MAGIC_ 0x63677270

/* Must match ATTR_END in src/trace/format.ts. */
#define ATTR_END 0x7ff000100000ULL
/* map ops may not touch [ATTR_END - ATTR_WINDOW, ATTR_END + PAGE): the attr
 * lives below ATTR_END and the page at ATTR_END must stay unmapped. */
#define ATTR_WINDOW 0x100000ULL
#define PAGE 4096ULL

#define RESULT_CAP (256UL << 20) /* per-slot shared result buffer, lazily backed */

enum { OP_MAP, OP_WRITE, OP_BPF, OP_CLOSE, OP_MKDIR, OP_UNLINK, OP_OPEN };
enum { ENV_ROOT, ENV_NOCAP, ENV_USERNS };

struct op {
	int kind;
	uint64_t addr;   /* MAP, WRITE */
	uint64_t len;    /* MAP */
	long num;        /* BPF cmd, CLOSE fd, MKDIR mode, OPEN flags */
	unsigned long size; /* BPF size */
	unsigned char *data; /* MAP init, WRITE bytes, BPF attr, path (NUL-terminated) */
	size_t dlen;
};

struct trace {
	long idx;
	int env;
	char *delegate[4]; /* cmds, maps, progs, attachs; NULL = not set */
	struct op *ops;
	size_t nops, cap;
	char *error;       /* parse error: reported instead of running */
};

static const char *const delegate_names[4] = {
	"delegate_cmds", "delegate_maps", "delegate_progs", "delegate_attachs"
};

static long timeout_ms = 10000;
static int parallel = 0;

/* ------------------------------------------------------------------ utils */

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p) {
		fprintf(stderr, "bpfrun: out of memory\n");
		exit(1);
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

/* Decodes a hex token; "-" is the empty byte string. Returns -1 if malformed. */
static long unhex(const char *s, unsigned char **out)
{
	size_t n = strlen(s);
	if (n == 1 && s[0] == '-') n = 0;
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
	b[n / 2] = 0;
	*out = b;
	return (long)(n / 2);
}

/* --------------------------------------------------- child result buffer */

static char *rbuf;  /* current slot's shared buffer: u64 length, then text */
static int rbuf_overflow;

static void rput(const char *s, size_t n)
{
	uint64_t *len = (uint64_t *)rbuf;
	if (*len + n + 16 > RESULT_CAP) {
		rbuf_overflow = 1;
		return;
	}
	memcpy(rbuf + 8 + *len, s, n);
	*len += n;
}

static void rputs(const char *s) { rput(s, strlen(s)); }

static void rprintf(const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n > 0) rput(tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

static void rhex(const unsigned char *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[4096];
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		tmp[k++] = digits[p[i] >> 4];
		tmp[k++] = digits[p[i] & 15];
		if (k == sizeof tmp) {
			rput(tmp, k);
			k = 0;
		}
	}
	rput(tmp, k);
}

/* Setup failure in a child: discard partial results, leave a message, exit. */
static void __attribute__((noreturn, format(printf, 1, 2))) child_fail(const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	int e = errno;
	va_start(ap, fmt);
	int n = vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (n < 0) n = 0;
	if ((size_t)n < sizeof msg - 1)
		snprintf(msg + n, sizeof msg - n, ": %s", strerror(e));
	*(uint64_t *)rbuf = 0;
	rputs("X ");
	rhex((const unsigned char *)msg, strlen(msg));
	rputs("\n");
	_exit(3);
}

/* A refusal is not a setup error with an errno: keep the message as given. */
static void __attribute__((noreturn)) child_refuse(const char *msg)
{
	*(uint64_t *)rbuf = 0;
	rputs("X ");
	rhex((const unsigned char *)msg, strlen(msg));
	rputs("\n");
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

/* fds 0-2 on /dev/null; keep_fd (if >= 0) moved to fd 3; nothing else open. */
static void setup_fds(int keep_fd)
{
	int nul = open("/dev/null", O_RDWR);
	if (nul < 0) child_fail("open /dev/null");
	if (keep_fd >= 0 && keep_fd <= 2) {
		int moved = fcntl(keep_fd, F_DUPFD_CLOEXEC, 10);
		if (moved < 0) child_fail("dup");
		keep_fd = moved;
	}
	for (int i = 0; i < 3; i++)
		if (nul != i && dup2(nul, i) < 0) child_fail("dup2 /dev/null");
	if (nul > 2 && nul != keep_fd) close(nul);
	int lowest_closed = 3;
	if (keep_fd >= 0) {
		if (keep_fd != 3) {
			if (dup2(keep_fd, 3) < 0) child_fail("dup2 bpffs root");
			close(keep_fd);
		}
		int fl = fcntl(3, F_GETFD);
		fcntl(3, F_SETFD, fl & ~FD_CLOEXEC);
		lowest_closed = 4;
	}
	if (syscall(SYS_close_range, lowest_closed, ~0U, 0) < 0) {
		/* Kernels before 5.9: close by hand. */
		for (int fd = lowest_closed; fd < 65536; fd++) close(fd);
	}
}

/* The parent side of a userns trace: configures the bpffs context that the
 * child opened inside its user namespace, mounts it detached, and hands the
 * mount back (the upstream token selftests' flow). Returns or child_fail()s. */
static void delegate_bpffs(struct trace *t, int sock, pid_t child)
{
	int fs_fd = recv_fd(sock);
	if (fs_fd < 0) {
		/* The grandchild failed before sending its fs fd: its own message
		 * (already in rbuf) is the better one. */
		int st, e = errno;
		if (waitpid(child, &st, 0) == child && WIFEXITED(st) && WEXITSTATUS(st) == 3) _exit(3);
		errno = e;
		child_fail("receive fsopen fd from userns child");
	}
	for (int i = 0; i < 4; i++) {
		if (!t->delegate[i]) continue;
		if (syscall(SYS_fsconfig, fs_fd, BR_FSCONFIG_SET_STRING, delegate_names[i], t->delegate[i], 0) < 0)
			child_fail("fsconfig %s=%s", delegate_names[i], t->delegate[i]);
	}
	if (syscall(SYS_fsconfig, fs_fd, BR_FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		child_fail("fsconfig FSCONFIG_CMD_CREATE");
	int mnt_fd = (int)syscall(SYS_fsmount, fs_fd, 0, 0);
	if (mnt_fd < 0) child_fail("fsmount");
	if (send_fd(sock, mnt_fd) < 0) child_fail("send mount fd to userns child");
	close(mnt_fd);
	close(fs_fd);
}

/* ------------------------------------------------------------ op running */

struct region {
	unsigned char *p;
	size_t len;
	unsigned char *shadow;
};

static struct region *regions;
static size_t nregions;
static size_t attr_mapped; /* bytes mapped below ATTR_END */

static void ensure_attr_area(size_t len)
{
	size_t need = (len + PAGE - 1) & ~(PAGE - 1);
	if (need <= attr_mapped) return;
	if (need > ATTR_WINDOW) child_refuse("attr longer than the 1 MiB attr window");
	void *want = (void *)(uintptr_t)(ATTR_END - need);
	void *p = mmap(want, need - attr_mapped, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (p == MAP_FAILED || p != want) child_fail("map attr area at 0x%llx", (unsigned long long)(uintptr_t)want);
	attr_mapped = need;
}

static int fd_fstype_is_cgroup(int fd)
{
	struct statfs s;
	if (fd < 0 || fstatfs(fd, &s) < 0) return 0;
	return s.f_type == CGROUP_SUPER_MAGIC_ || s.f_type == CGROUP2_SUPER_MAGIC_;
}

/* Reads "prog_type:" / "map_type:" from /proc/self/fdinfo; -1 if absent. */
static long fdinfo_field(int fd, const char *key)
{
	char path[64], buf[2048];
	if (fd < 0) return -1;
	snprintf(path, sizeof path, "/proc/self/fdinfo/%d", fd);
	int f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0) return -1;
	ssize_t n = read(f, buf, sizeof buf - 1);
	close(f);
	if (n <= 0) return -1;
	buf[n] = 0;
	size_t kl = strlen(key);
	for (char *l = buf; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (!strncmp(l, key, kl) && l[kl] == ':') return strtol(l + kl + 1, NULL, 10);
	return -1;
}

static int prog_type_is_tracing(long t)
{
	/* KPROBE, TRACEPOINT, PERF_EVENT, RAW_TRACEPOINT, RAW_TRACEPOINT_WRITABLE,
	 * TRACING, LSM: attaching any of these hooks the whole host kernel. */
	return t == 2 || t == 5 || t == 7 || t == 17 || t == 24 || t == 26 || t == 29;
}

static uint32_t attr_u32(const struct op *o, size_t off)
{
	uint32_t v = 0;
	if (o->dlen >= off + 4 && o->size >= off + 4) memcpy(&v, o->data + off, 4);
	return v;
}

/* The runner must never hook the host: private mount and net namespaces
 * cover network devices, but cgroups and tracing hooks are global. Refuse
 * the few calls that could attach there (returns a message or NULL). */
static const char *safety_check(const struct op *o)
{
	long cmd = o->num;
	if (cmd == 8 /* PROG_ATTACH */) {
		if (fd_fstype_is_cgroup((int)attr_u32(o, 0))) return "refused: PROG_ATTACH to a cgroup";
	} else if (cmd == 28 /* LINK_CREATE */) {
		int fd = (int)attr_u32(o, 0);
		if (prog_type_is_tracing(fdinfo_field(fd, "prog_type")))
			return "refused: LINK_CREATE with a tracing/LSM program";
		if (fdinfo_field(fd, "map_type") == 26)
			return "refused: LINK_CREATE of a struct_ops map";
		if (fd_fstype_is_cgroup((int)attr_u32(o, 4))) return "refused: LINK_CREATE on a cgroup";
	} else if (cmd == 17 /* RAW_TRACEPOINT_OPEN */) {
		if (prog_type_is_tracing(fdinfo_field((int)attr_u32(o, 8), "prog_type")))
			return "refused: RAW_TRACEPOINT_OPEN would attach to the host";
	} else if (cmd == 2 /* MAP_UPDATE_ELEM */) {
		/* Updating a struct_ops map registers the ops kernel-wide. */
		if (fdinfo_field((int)attr_u32(o, 0), "map_type") == 26)
			return "refused: MAP_UPDATE_ELEM on a struct_ops map";
	}
	return NULL;
}

static void run_ops(struct trace *t)
{
	regions = xmalloc(sizeof *regions * (t->nops + 1));
	nregions = 0;
	attr_mapped = 0;
	for (size_t i = 0; i < t->nops; i++) {
		struct op *o = &t->ops[i];
		long ret = 0;
		switch (o->kind) {
		case OP_MAP: {
			size_t len = (o->len + PAGE - 1) & ~(PAGE - 1);
			void *p = mmap((void *)(uintptr_t)o->addr, len, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
			if (p == MAP_FAILED || (uintptr_t)p != o->addr)
				child_fail("op %zu: map 0x%llx+%llu", i, (unsigned long long)o->addr,
					   (unsigned long long)o->len);
			memcpy(p, o->data, o->dlen);
			struct region *r = &regions[nregions++];
			r->p = p;
			r->len = o->len;
			r->shadow = xmalloc(o->len);
			memcpy(r->shadow, p, o->len);
			rputs("R 0 -\n");
			continue;
		}
		case OP_WRITE:
			/* Writing outside a mapped region faults here, as it would in a
			 * real process: report instead of dying of SIGSEGV. */
			{
				int ok = 0;
				for (size_t k = 0; k < nregions; k++) {
					uintptr_t b = (uintptr_t)regions[k].p;
					size_t rl = (regions[k].len + PAGE - 1) & ~(PAGE - 1);
					if (o->addr >= b && o->addr + o->dlen <= b + rl) ok = 1;
				}
				if (!ok) child_refuse("write outside the mapped regions");
			}
			memcpy((void *)(uintptr_t)o->addr, o->data, o->dlen);
			for (size_t k = 0; k < nregions; k++)
				memcpy(regions[k].shadow, regions[k].p, regions[k].len);
			rputs("R 0 -\n");
			continue;
		case OP_BPF: {
			const char *why = safety_check(o);
			if (why) child_refuse(why);
			ensure_attr_area(o->dlen);
			unsigned char *attr = (unsigned char *)(uintptr_t)(ATTR_END - o->dlen);
			/* Whatever lies below the attr in the window is zero, not a
			 * leftover of an earlier, longer attr. */
			memset((void *)(uintptr_t)(ATTR_END - attr_mapped), 0, attr_mapped - o->dlen);
			memcpy(attr, o->data, o->dlen);
			ret = syscall(SYS_bpf, (int)o->num, attr, (unsigned int)o->size);
			if (ret < 0) ret = -errno;
			rprintf("R %ld ", ret);
			if (o->dlen) rhex(attr, o->dlen);
			else rputs("-");
			for (size_t k = 0; k < nregions; k++) {
				struct region *r = &regions[k];
				if (!memcmp(r->p, r->shadow, r->len)) continue;
				rprintf(" %llx:", (unsigned long long)(uintptr_t)r->p);
				rhex(r->p, r->len);
				memcpy(r->shadow, r->p, r->len);
			}
			rputs("\n");
			continue;
		}
		case OP_CLOSE: ret = close((int)o->num); break;
		case OP_MKDIR: ret = mkdir((const char *)o->data, (mode_t)o->num); break;
		case OP_UNLINK: ret = unlink((const char *)o->data); break;
		case OP_OPEN: ret = openat(AT_FDCWD, (const char *)o->data, (int)o->num, 0); break;
		}
		if (ret < 0) ret = -errno;
		rprintf("R %ld -\n", ret);
	}
	if (rbuf_overflow) child_refuse("results exceed the runner's buffer");
}

static void drop_all_caps(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	memset(d, 0, sizeof d);
	if (syscall(SYS_capset, &h, d) < 0) child_fail("capset");
}

static void mount_private_root(void)
{
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) child_fail("make / private");
}

/*
 * Creating a network namespace is most of a trace's cost (sysctl tables,
 * loopback). The runner therefore lives in a private netns of its own, and
 * a trace only gets a fresh one when it might change netns state that would
 * outlive it: attaching or detaching (legacy attachments to a netns persist),
 * links, and test runs (XDP live frames transmit). The shared netns stays
 * pristine, so results do not depend on which traces ran before. -N gives
 * every trace a fresh one.
 */
static int fresh_netns_always;

static int trace_needs_own_netns(const struct trace *t)
{
	if (fresh_netns_always) return 1;
	for (size_t i = 0; i < t->nops; i++) {
		const struct op *o = &t->ops[i];
		if (o->kind != OP_BPF) continue;
		switch (o->num) {
		case 8:  /* PROG_ATTACH */
		case 9:  /* PROG_DETACH */
		case 10: /* PROG_TEST_RUN */
		case 28: /* LINK_CREATE */
		case 29: /* LINK_UPDATE */
		case 34: /* LINK_DETACH */
			return 1;
		}
	}
	return 0;
}

/* Runs in the forked child; never returns. */
static void __attribute__((noreturn)) run_child(struct trace *t)
{
	if (chdir("/") < 0) child_fail("chdir /");
	int flags = CLONE_NEWNS | (trace_needs_own_netns(t) ? CLONE_NEWNET : 0);
	if (unshare(flags) < 0) child_fail("unshare(CLONE_NEWNS%s)", flags & CLONE_NEWNET ? "|CLONE_NEWNET" : "");
	mount_private_root();
	/* Host cgroups stay out of reach even if a trace opens their path. */
	if (mount("none", "/sys/fs/cgroup", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k") < 0 && errno != ENOENT)
		child_fail("mask /sys/fs/cgroup");

	if (t->env != ENV_USERNS) {
		if (mount("bpf", "/sys/fs/bpf", "bpf", 0, NULL) < 0) child_fail("mount bpffs at /sys/fs/bpf");
		setup_fds(-1);
		if (t->env == ENV_NOCAP) drop_all_caps();
		run_ops(t);
		_exit(0);
	}

	/* userns: this process stays privileged in the init user namespace and
	 * plays the selftest's parent; the grandchild runs the trace. */
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) child_fail("socketpair");
	pid_t pid = fork();
	if (pid < 0) child_fail("fork userns child");
	if (pid == 0) {
		close(sv[0]);
		int s = sv[1];
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() == 1) _exit(4);
		if (unshare(CLONE_NEWUSER) < 0) child_fail("unshare(CLONE_NEWUSER)");
		char c = 'u';
		if (write(s, &c, 1) != 1 || read(s, &c, 1) != 1 || c != 'm') child_fail("userns id map handshake");
		if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0) child_fail("setresuid(0) in userns");
		if (unshare(CLONE_NEWNS) < 0) child_fail("unshare(CLONE_NEWNS) in userns");
		mount_private_root();
		int fs_fd = (int)syscall(SYS_fsopen, "bpf", 0);
		if (fs_fd < 0) child_fail("fsopen(bpf) in userns");
		if (send_fd(s, fs_fd) < 0) child_fail("send fsopen fd");
		close(fs_fd);
		int mnt_fd = recv_fd(s);
		if (mnt_fd < 0) child_fail("receive bpffs mount fd");
		if (syscall(SYS_move_mount, mnt_fd, "", AT_FDCWD, "/sys/fs/bpf", BR_MOVE_MOUNT_F_EMPTY_PATH) < 0)
			child_fail("move_mount bpffs to /sys/fs/bpf");
		int root = openat(mnt_fd, ".", O_RDONLY);
		if (root < 0) child_fail("open bpffs root");
		close(mnt_fd);
		close(s);
		setup_fds(root);
		run_ops(t);
		_exit(0);
	}
	close(sv[1]);
	char c;
	if (read(sv[0], &c, 1) != 1 || c != 'u') {
		int st;
		waitpid(pid, &st, 0);
		if (WIFEXITED(st) && WEXITSTATUS(st) == 3) _exit(3); /* its message is in rbuf */
		child_fail("userns child did not start");
	}
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/uid_map", (int)pid);
	if (write_file(path, "0 0 1") < 0) child_fail("write uid_map");
	snprintf(path, sizeof path, "/proc/%d/gid_map", (int)pid);
	if (write_file(path, "0 0 1") < 0) child_fail("write gid_map");
	c = 'm';
	if (write(sv[0], &c, 1) != 1) child_fail("userns handshake");
	delegate_bpffs(t, sv[0], pid);
	close(sv[0]);
	int st;
	if (waitpid(pid, &st, 0) < 0) child_fail("wait userns child");
	if (WIFEXITED(st)) _exit(WEXITSTATUS(st));
	_exit(128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0));
}

/* ------------------------------------------------------------ scheduling */

struct slot {
	int busy;
	pid_t pid;
	int pidfd;
	struct trace *t;
	char *buf;
	struct timespec deadline;
};

static void out_err(long idx, const char *msg)
{
	static const char digits[] = "0123456789abcdef";
	printf("S %ld\nK %ld err ", idx, idx);
	for (const unsigned char *p = (const unsigned char *)msg; *p; p++)
		putchar(digits[*p >> 4]), putchar(digits[*p & 15]);
	putchar('\n');
}

static void free_trace(struct trace *t)
{
	for (size_t i = 0; i < t->nops; i++) free(t->ops[i].data);
	free(t->ops);
	for (int i = 0; i < 4; i++) free(t->delegate[i]);
	free(t->error);
	free(t);
}

static long ms_left(const struct timespec *d)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (d->tv_sec - now.tv_sec) * 1000 + (d->tv_nsec - now.tv_nsec) / 1000000;
}

static void finish_slot(struct slot *s, int timed_out)
{
	int st = 0;
	if (timed_out) {
		kill(-s->pid, SIGKILL);
		kill(s->pid, SIGKILL);
	}
	while (waitpid(s->pid, &st, 0) < 0 && errno == EINTR)
		;
	/* Anything left in the child's process group (a userns grandchild
	 * whose parent died) goes too. */
	kill(-s->pid, SIGKILL);
	close(s->pidfd);
	uint64_t len = *(uint64_t *)s->buf;
	char *text = s->buf + 8;
	char msg[600];
	if (timed_out) {
		snprintf(msg, sizeof msg, "timeout after %ld ms", timeout_ms);
		out_err(s->t->idx, msg);
	} else if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
		printf("S %ld\n", s->t->idx);
		fwrite(text, 1, len, stdout);
		printf("K %ld ok\n", s->t->idx);
	} else if (len >= 2 && text[0] == 'X' && text[1] == ' ') {
		/* The child's own explanation (already hex). */
		printf("S %ld\nK %ld err ", s->t->idx, s->t->idx);
		size_t n = 2;
		while (n < len && text[n] != '\n') n++;
		fwrite(text + 2, 1, n - 2, stdout);
		putchar('\n');
	} else if (WIFSIGNALED(st)) {
		snprintf(msg, sizeof msg, "child killed by signal %d", WTERMSIG(st));
		out_err(s->t->idx, msg);
	} else {
		snprintf(msg, sizeof msg, "child exited with status %d", WEXITSTATUS(st));
		out_err(s->t->idx, msg);
	}
	fflush(stdout);
	free_trace(s->t);
	s->busy = 0;
}

static void start_slot(struct slot *s, struct trace *t)
{
	*(uint64_t *)s->buf = 0;
	rbuf = s->buf;
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0) {
		out_err(t->idx, "fork failed");
		free_trace(t);
		return;
	}
	if (pid == 0) {
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		signal(SIGPIPE, SIG_DFL);
		run_child(t);
	}
	setpgid(pid, pid);
	int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pfd < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		out_err(t->idx, "pidfd_open failed");
		free_trace(t);
		return;
	}
	s->busy = 1;
	s->pid = pid;
	s->pidfd = pfd;
	s->t = t;
	clock_gettime(CLOCK_MONOTONIC, &s->deadline);
	s->deadline.tv_sec += timeout_ms / 1000;
	s->deadline.tv_nsec += (timeout_ms % 1000) * 1000000;
	if (s->deadline.tv_nsec >= 1000000000) {
		s->deadline.tv_sec++;
		s->deadline.tv_nsec -= 1000000000;
	}
}

/* Waits until at least one running child finished or timed out. */
static void reap_some(struct slot *slots, int n)
{
	for (;;) {
		struct pollfd pf[64];
		int idx[64], np = 0;
		long wait = -1;
		for (int i = 0; i < n; i++) {
			if (!slots[i].busy) continue;
			long left = ms_left(&slots[i].deadline);
			if (left <= 0) {
				finish_slot(&slots[i], 1);
				return;
			}
			if (wait < 0 || left < wait) wait = left;
			pf[np].fd = slots[i].pidfd;
			pf[np].events = POLLIN;
			pf[np].revents = 0;
			idx[np++] = i;
		}
		if (!np) return;
		int r = poll(pf, np, (int)wait);
		if (r < 0 && errno != EINTR) {
			perror("bpfrun: poll");
			exit(1);
		}
		int done = 0;
		for (int k = 0; k < np; k++)
			if (pf[k].revents) {
				finish_slot(&slots[idx[k]], 0);
				done = 1;
			}
		if (done) return;
	}
}

/* ----------------------------------------------------------------- input */

static void add_op(struct trace *t, struct op o)
{
	if (t->nops == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 8;
		struct op *n = xmalloc(sizeof *n * t->cap);
		if (t->nops) memcpy(n, t->ops, sizeof *n * t->nops);
		free(t->ops);
		t->ops = n;
	}
	t->ops[t->nops++] = o;
}

static void set_error(struct trace *t, const char *msg, const char *line)
{
	if (t->error) return;
	size_t n = strlen(msg) + strlen(line) + 8;
	t->error = xmalloc(n);
	snprintf(t->error, n, "%s: %.60s", msg, line);
}

/* Splits line in place into at most max tokens. */
static int tokens(char *line, char **tok, int max)
{
	int n = 0;
	char *save = NULL;
	for (char *p = strtok_r(line, " \n", &save); p && n < max; p = strtok_r(NULL, " \n", &save))
		tok[n++] = p;
	return n;
}

static int parse_op_line(struct trace *t, char *line)
{
	char copy[64];
	snprintf(copy, sizeof copy, "%s", line);
	char *tok[8];
	int n = tokens(line, tok, 8);
	if (n == 0) return 0;
	struct op o;
	memset(&o, 0, sizeof o);
	long dl;
	switch (tok[0][0]) {
	case 'M':
		if (n != 4) goto bad;
		o.kind = OP_MAP;
		o.addr = strtoull(tok[1], NULL, 16);
		o.len = strtoull(tok[2], NULL, 10);
		if ((dl = unhex(tok[3], &o.data)) < 0) goto bad;
		o.dlen = (size_t)dl;
		if (o.addr % PAGE || o.len == 0 || o.dlen > o.len) goto bad;
		if (o.addr < ATTR_END + PAGE && o.addr + o.len > ATTR_END - ATTR_WINDOW) {
			set_error(t, "map overlaps the attr window", copy);
			free(o.data);
			return 0;
		}
		break;
	case 'W':
		if (n != 3) goto bad;
		o.kind = OP_WRITE;
		o.addr = strtoull(tok[1], NULL, 16);
		if ((dl = unhex(tok[2], &o.data)) < 0) goto bad;
		o.dlen = (size_t)dl;
		break;
	case 'B':
		if (n != 4) goto bad;
		o.kind = OP_BPF;
		o.num = strtol(tok[1], NULL, 10);
		o.size = strtoul(tok[2], NULL, 10);
		if ((dl = unhex(tok[3], &o.data)) < 0) goto bad;
		o.dlen = (size_t)dl;
		if (o.dlen > ATTR_WINDOW) goto bad;
		break;
	case 'C':
		if (n != 2) goto bad;
		o.kind = OP_CLOSE;
		o.num = strtol(tok[1], NULL, 10);
		break;
	case 'D':
	case 'O':
		if (n != 3) goto bad;
		o.kind = tok[0][0] == 'D' ? OP_MKDIR : OP_OPEN;
		o.num = strtol(tok[1], NULL, 10);
		if ((dl = unhex(tok[2], &o.data)) < 0) goto bad;
		o.dlen = (size_t)dl;
		break;
	case 'U':
		if (n != 2) goto bad;
		o.kind = OP_UNLINK;
		if ((dl = unhex(tok[1], &o.data)) < 0) goto bad;
		o.dlen = (size_t)dl;
		break;
	default:
		goto bad;
	}
	add_op(t, o);
	return 0;
bad:
	free(o.data);
	set_error(t, "malformed runner input", copy);
	return 0;
}

static struct trace *parse_header(char *line)
{
	char copy[64];
	snprintf(copy, sizeof copy, "%s", line);
	char *tok[8];
	int n = tokens(line, tok, 8);
	struct trace *t = xmalloc(sizeof *t);
	memset(t, 0, sizeof *t);
	t->idx = n >= 2 ? strtol(tok[1], NULL, 10) : -1;
	if (n == 3 && !strcmp(tok[2], "root")) t->env = ENV_ROOT;
	else if (n == 3 && !strcmp(tok[2], "nocap")) t->env = ENV_NOCAP;
	else if (n == 7 && !strcmp(tok[2], "userns")) {
		t->env = ENV_USERNS;
		for (int i = 0; i < 4; i++) {
			if (!strcmp(tok[3 + i], "-")) continue;
			unsigned char *v;
			if (unhex(tok[3 + i], &v) < 0) set_error(t, "bad delegate value", copy);
			else t->delegate[i] = (char *)v;
		}
	} else set_error(t, "bad trace header", copy);
	return t;
}

static int self_check_no_aslr(char **argv)
{
	/* Fixed-address regions must not collide with the runner's own
	 * libraries and heap: run without address randomisation so they sit at
	 * the same well-known places (0x5555..., 0x7ffff7...) every time. */
	int pers = personality(0xffffffff);
	if (pers == -1 || (pers & ADDR_NO_RANDOMIZE)) return 0;
	if (personality((unsigned long)pers | ADDR_NO_RANDOMIZE) == -1) return 0;
	execv("/proc/self/exe", argv);
	return -1; /* exec failed: carry on with randomisation */
}

int main(int argc, char **argv)
{
	self_check_no_aslr(argv);
	int opt;
	while ((opt = getopt(argc, argv, "j:t:N")) != -1) {
		if (opt == 'j') parallel = atoi(optarg);
		else if (opt == 't') timeout_ms = atol(optarg);
		else if (opt == 'N') fresh_netns_always = 1;
		else {
			fprintf(stderr, "usage: bpfrun [-j parallel] [-t timeout_ms] [-N] < input\n");
			return 2;
		}
	}
	/* The runner's own netns is the pristine one that most traces share;
	 * it must never be the host's. */
	if (unshare(CLONE_NEWNET) < 0) {
		perror("bpfrun: unshare(CLONE_NEWNET)");
		return 1;
	}
	if (parallel <= 0) {
		long c = sysconf(_SC_NPROCESSORS_ONLN);
		parallel = c > 0 ? (int)c : 1;
	}
	if (parallel > 64) parallel = 64;
	if (timeout_ms <= 0) timeout_ms = 10000;
	signal(SIGPIPE, SIG_IGN);

	struct slot *slots = xmalloc(sizeof *slots * parallel);
	for (int i = 0; i < parallel; i++) {
		slots[i].busy = 0;
		slots[i].buf = mmap(NULL, RESULT_CAP, PROT_READ | PROT_WRITE,
				    MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (slots[i].buf == MAP_FAILED) {
			perror("bpfrun: mmap result buffer");
			return 1;
		}
	}

	char *line = NULL;
	size_t lcap = 0;
	ssize_t len;
	struct trace *cur = NULL;
	while ((len = getline(&line, &lcap, stdin)) > 0) {
		if (line[0] == 'T') {
			if (cur) free_trace(cur);
			cur = parse_header(line);
			continue;
		}
		if (!cur) continue;
		if (line[0] == 'E') {
			if (cur->error) {
				out_err(cur->idx, cur->error);
				fflush(stdout);
				free_trace(cur);
				cur = NULL;
				continue;
			}
			int free_slot = -1;
			for (;;) {
				for (int i = 0; i < parallel; i++)
					if (!slots[i].busy) { free_slot = i; break; }
				if (free_slot >= 0) break;
				reap_some(slots, parallel);
			}
			start_slot(&slots[free_slot], cur);
			cur = NULL;
			continue;
		}
		parse_op_line(cur, line);
	}
	if (cur) free_trace(cur);
	for (;;) {
		int any = 0;
		for (int i = 0; i < parallel; i++) any |= slots[i].busy;
		if (!any) break;
		reap_some(slots, parallel);
	}
	free(line);
	return 0;
}

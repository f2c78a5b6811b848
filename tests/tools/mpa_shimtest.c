// SPDX-License-Identifier: MIT
/*
 * mpa-shimtest: runs under LD_PRELOAD=libmptcp_auto.so and checks, one
 * subcommand each, the reliability rules of docs/reliability.md.
 * Exit 0 when the rule holds; a line on stderr says what broke.
 *
 *   eligibility mptcp|tcp   protocol of each kind of socket() call
 *   flags                   SOCK_NONBLOCK/SOCK_CLOEXEC survive
 *   nonblock HOST PORT      blackholed O_NONBLOCK connect is immediate
 *   errno HOST PORT         a successful call leaves errno alone
 *   epoll HOST PORT         epoll registration survives connect()
 *   fork HOST PORT          connect() in children forked mid-hook
 *   vfork                   socket() in a vfork()ed child
 *   spawn                   posix_spawn of a child that uses the shim
 *   stress THREADS CYCLES   socket/connect/close against our listener
 *   mallocs HOST PORT N     no allocation in socket()/connect() (needs
 *                           libmalloc_count.so preloaded too)
 *   logfd HOST PORT FILE    the program closes and reuses the log's fd
 *   fds HOST PORT           no descriptor of ours survives exec
 *   countfds                (helper of fds)
 *   burst HOST PORT N ROUNDS HOLD_MS
 *                           N concurrent connections to mpa-testsrv, each
 *                           doing ROUNDS PING/PONG exchanges, then held
 *                           HOLD_MS and asked how many subflows the server
 *                           sees (MPA_BURST_NATIVE=1: ask for
 *                           IPPROTO_MPTCP ourselves, without the shim)
 *   state HOST PORT         connect, exchange, wait 1 s, print the
 *                           server's view of the subflows (HOST may be a
 *                           v4-mapped IPv6 address: a dual-stack socket)
 *   rate N                  N socket/connect/close cycles against our own
 *                           listener, one thread: prints us per cycle
 *                           (MPA_RATE_NATIVE=1: IPPROTO_MPTCP ourselves;
 *                           MPA_RATE_SPLIT=1: every other connect() goes
 *                           past the preload, to libc's),
 *                           and connect()'s instructions where the
 *                           machine counts them
 *   rss HOST PORT           resident memory and threads, before and after
 *                           a connection (for the benchmarks)
 *   mem HOST PORT           the whole process's Private_Dirty and Rss
 *                           (/proc/self/smaps_rollup) and threads, before
 *                           any connection and after one that got its
 *                           extra subflow (waited for, up to 3 s) and 0.5 s
 *                           more for the helper thread to settle; the
 *                           connection stays open (for the benchmarks;
 *                           MPA_MEM_MAPS=1: each mapping's Private_Dirty
 *                           on standard error too)
 *   connect HOST PORT [N]   connect, read the greeting, N times
 *   short HOST PORT N       N short connections one after the other:
 *                           greeting, one PING/PONG, close
 *   proto HOST PORT         print the connected socket's protocol
 *   idle HOST PORT SECS     connect, hold 1 s (its subflows come), close,
 *                           print "idle", then do nothing for SECS
 *   tokens HOST PORT N      N connections at once: print each one's MPTCP
 *                           token, hold them (see hold()), close
 *   vforkconn HOST PORT     connect A, then a vfork()ed child connects
 *                           C on A's number in its own table: prints
 *                           "A token" and "C token"
 *   reuse HOST PORT         with standard error a pipe nobody reads:
 *                           fill the pipe (the shim's next log line then
 *                           waits), connect A, close it, connect B on
 *                           the same number; print "A token" and "B
 *                           token", hold B
 *   privdrop HOST PORT UID after|before|thread
 *                           drop to UID (and its gid: the same number)
 *                           after a first connection, once the file
 *                           $MPA_DROP_WHEN exists (setresuid: every
 *                           thread), before any (the helper starts as
 *                           UID), or after one with the raw system call
 *                           (this thread alone); then connect again;
 *                           print every token, hold the connections
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <grp.h>
#include <linux/mptcp.h>
#include <linux/perf_event.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "io.h"

extern char **environ;

static const char *host;
static int port;

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static socklen_t target(struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (strchr(host, ':')) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		in6->sin6_family = AF_INET6;
		inet_pton(AF_INET6, host, &in6->sin6_addr);
		in6->sin6_port = htons((unsigned short)port);
		return sizeof(*in6);
	}
	((struct sockaddr_in *)ss)->sin_family = AF_INET;
	inet_pton(AF_INET, host, &((struct sockaddr_in *)ss)->sin_addr);
	((struct sockaddr_in *)ss)->sin_port = htons((unsigned short)port);
	return sizeof(struct sockaddr_in);
}

static int sock_proto(int fd)
{
	int proto = -1;
	socklen_t len = sizeof(proto);

	getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len);
	return proto;
}

/* Connect to the test server and read its greeting; fd or -1. */
static int connect_greeted(void)
{
	struct sockaddr_storage ss;
	socklen_t len = target(&ss);
	char line[16];
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&ss, len) < 0 ||
	    io_read_line(fd, line, sizeof(line)) || strcmp(line, "OK")) {
		close(fd);
		return -1;
	}
	return fd;
}

static const struct elig_case {
	const char *name;
	int domain, type, proto;
	int plain; /* SO_PROTOCOL without the shim */
	bool convertible; /* becomes MPTCP when the policy says so */
} elig_cases[] = {
	{ "inet stream 0", AF_INET, SOCK_STREAM, 0, IPPROTO_TCP, true },
	{ "inet stream tcp", AF_INET, SOCK_STREAM, IPPROTO_TCP, IPPROTO_TCP,
	  true },
	{ "inet6 stream 0", AF_INET6, SOCK_STREAM, 0, IPPROTO_TCP, true },
	{ "inet stream|nonblock|cloexec", AF_INET,
	  SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, IPPROTO_TCP, true },
	{ "inet stream mptcp", AF_INET, SOCK_STREAM, IPPROTO_MPTCP,
	  IPPROTO_MPTCP, false },
	{ "inet dgram", AF_INET, SOCK_DGRAM, 0, IPPROTO_UDP, false },
	{ "inet6 dgram", AF_INET6, SOCK_DGRAM, 0, IPPROTO_UDP, false },
	{ "inet stream sctp", AF_INET, SOCK_STREAM, IPPROTO_SCTP, IPPROTO_SCTP,
	  false },
	{ "inet raw tcp", AF_INET, SOCK_RAW, IPPROTO_TCP, IPPROTO_TCP, false },
	{ "unix stream", AF_UNIX, SOCK_STREAM, 0, 0, false },
	{ "netlink raw", AF_NETLINK, SOCK_RAW, 0, 0, false },
};

static int cmd_eligibility(bool expect_mptcp)
{
	size_t i;
	int bad = 0;

	for (i = 0; i < sizeof(elig_cases) / sizeof(elig_cases[0]); i++) {
		const struct elig_case *c = &elig_cases[i];
		int fd = socket(c->domain, c->type, c->proto), got, want;

		if (fd < 0) {
			/* SCTP may be missing; raw needs privilege. */
			if (!c->convertible &&
			    (errno == EPROTONOSUPPORT || errno == EPERM ||
			     errno == ESOCKTNOSUPPORT))
				continue;
			bad |= fail("%s: socket: %s", c->name, strerror(errno));
			continue;
		}
		got = sock_proto(fd);
		want = c->convertible && expect_mptcp ? IPPROTO_MPTCP :
							c->plain;
		if (got != want)
			bad |= fail("%s: protocol %d, expected %d", c->name,
				    got, want);
		close(fd);
	}
	return bad;
}

static int cmd_flags(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return fail("socket: %s", strerror(errno));
	if (!(fcntl(fd, F_GETFL) & O_NONBLOCK))
		return fail("O_NONBLOCK lost");
	if (!(fcntl(fd, F_GETFD) & FD_CLOEXEC))
		return fail("FD_CLOEXEC lost");
	close(fd);
	fd = socket(AF_INET6, SOCK_STREAM, 0);
	if ((fcntl(fd, F_GETFL) & O_NONBLOCK) ||
	    (fcntl(fd, F_GETFD) & FD_CLOEXEC))
		return fail("flags appeared that were not asked for");
	close(fd);
	return 0;
}

static int cmd_nonblock(void)
{
	struct sockaddr_storage ss;
	socklen_t len = target(&ss);
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK, 0);
	int before = fcntl(fd, F_GETFL), rc, err;
	double t0 = now_ms(), took;

	rc = connect(fd, (struct sockaddr *)&ss, len);
	err = errno;
	took = now_ms() - t0;
	if (rc != -1 || err != EINPROGRESS)
		return fail("connect: rc %d errno %s", rc, strerror(err));
	/*
	 * EINPROGRESS proves connect() did not wait for the handshake; the
	 * bound proves nothing else waited for the network either: a SYN
	 * to a blackhole is first sent again after 1 s. Not a speed goal
	 * (make bench measures the hook's cost), so a busy machine passes.
	 */
	if (took >= 1000.0)
		return fail("non-blocking connect took %.2f ms", took);
	if (fcntl(fd, F_GETFL) != before)
		return fail("file status flags changed");
	close(fd);
	printf("EINPROGRESS in %.3f ms\n", took);
	return 0;
}

static int cmd_errno(void)
{
	struct sockaddr_storage ss;
	socklen_t len = target(&ss);
	int fd, want;

	errno = 4242;
	fd = socket(ss.ss_family, SOCK_STREAM, 0);
	if (fd < 0 || errno != 4242)
		return fail("socket: errno %d after success", errno);
	errno = 4243;
	if (connect(fd, (struct sockaddr *)&ss, len) < 0)
		return fail("connect: %s", strerror(errno));
	if (errno != 4243)
		return fail("connect: errno %d after success", errno);
	close(fd);
	/* A failing call reports the kernel's errno, as without the shim. */
	if (syscall(SYS_socket, AF_INET, SOCK_STREAM, 9999) != -1)
		return fail("protocol 9999 accepted?");
	want = errno;
	errno = 0;
	if (socket(AF_INET, SOCK_STREAM, 9999) != -1 || errno != want)
		return fail("bad protocol: errno %d, without the shim %d",
			    errno, want);
	errno = 0;
	if (socket(AF_INET6, SOCK_STREAM, IPPROTO_UDP) != -1)
		return fail("TCP stream with IPPROTO_UDP accepted?");
	want = errno;
	if (syscall(SYS_socket, AF_INET6, SOCK_STREAM, IPPROTO_UDP) != -1 ||
	    errno != want)
		return fail("stream/udp: errno %d, without the shim %d", want,
			    errno);
	return 0;
}

static int cmd_epoll(void)
{
	struct sockaddr_storage ss;
	socklen_t len = target(&ss);
	struct epoll_event ev = { .events = EPOLLOUT }, out;
	int ep = epoll_create1(EPOLL_CLOEXEC);
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK, 0);

	ev.data.fd = fd;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0)
		return fail("epoll_ctl: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&ss, len) < 0 &&
	    errno != EINPROGRESS)
		return fail("connect: %s", strerror(errno));
	if (epoll_wait(ep, &out, 1, 2000) != 1 || out.data.fd != fd ||
	    !(out.events & EPOLLOUT))
		return fail("no EPOLLOUT for the registered fd");
	close(fd);
	close(ep);
	return 0;
}

static atomic_int busy_stop;

static void *busy_loop(void *arg)
{
	(void)arg;
	while (!atomic_load(&busy_stop)) {
		int fd = connect_greeted();

		if (fd >= 0)
			close(fd);
	}
	return NULL;
}

static int cmd_fork(void)
{
	pthread_t th;
	int i, bad = 0, status;

	/* Another thread is inside the hooks while we fork. */
	pthread_create(&th, NULL, busy_loop, NULL);
	for (i = 0; i < 40; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			int fd;

			alarm(10); /* a deadlock must not hang the suite */
			fd = connect_greeted();
			_exit(fd < 0 ? 3 : 0);
		}
		if (pid < 0 || waitpid(pid, &status, 0) != pid ||
		    !WIFEXITED(status) || WEXITSTATUS(status))
			bad |= fail("child %d failed (status %#x)", i, status);
		usleep(2000);
	}
	atomic_store(&busy_stop, 1);
	pthread_join(th, NULL);
	return bad;
}

static int cmd_vfork(void)
{
	int status = -1;
	pid_t pid = vfork();

	if (pid == 0) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		_exit(fd < 0 ? 3 : 0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		return fail("vfork child failed (status %#x)", status);
	return 0;
}

static int cmd_spawn(const char *self)
{
	char *argv[] = { (char *)self, "flags", NULL };
	int status = -1;
	pid_t pid;

	if (posix_spawn(&pid, self, NULL, NULL, argv, environ))
		return fail("posix_spawn failed");
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		return fail("spawned child failed (status %#x)", status);
	return 0;
}

struct stress_arg {
	int cycles;
	atomic_int *failures;
};

static void *stress_thread(void *p)
{
	struct stress_arg *a = p;
	struct sockaddr_storage ss;
	socklen_t len = target(&ss);
	struct linger lg = { 1, 0 };
	int i;

	for (i = 0; i < a->cycles; i++) {
		int fd = socket(ss.ss_family, SOCK_STREAM, 0);

		if (fd < 0 || connect(fd, (struct sockaddr *)&ss, len) < 0)
			atomic_fetch_add(a->failures, 1);
		/* RST on close: no TIME_WAIT pile-up over many cycles. */
		if (fd >= 0) {
			setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
			close(fd);
		}
	}
	return NULL;
}

/* The stress test's own listener: accept and close, as fast as it can. */
static void *accept_loop(void *arg)
{
	int lfd = (int)(intptr_t)arg;

	for (;;) {
		int fd = accept(lfd, NULL, NULL);

		if (fd >= 0)
			close(fd);
	}
	return NULL;
}

static int local_listener(void)
{
	struct sockaddr_in in = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(in);
	int lfd = socket(AF_INET, SOCK_STREAM, 0);
	pthread_t th;

	if (lfd < 0 || bind(lfd, (struct sockaddr *)&in, len) < 0 ||
	    listen(lfd, 4096) < 0 ||
	    getsockname(lfd, (struct sockaddr *)&in, &len) < 0)
		return -1;
	pthread_create(&th, NULL, accept_loop, (void *)(intptr_t)lfd);
	pthread_detach(th);
	return ntohs(in.sin_port);
}

static int cmd_stress(int threads, int cycles)
{
	pthread_t *th = calloc((size_t)threads, sizeof(*th));
	atomic_int failures = 0;
	struct stress_arg a = { cycles, &failures };
	double t0;
	int i;

	host = "127.0.0.1";
	port = local_listener();
	if (port < 0)
		return fail("listener: %s", strerror(errno));
	t0 = now_ms();
	for (i = 0; i < threads; i++)
		pthread_create(&th[i], NULL, stress_thread, &a);
	for (i = 0; i < threads; i++)
		pthread_join(th[i], NULL);
	printf("%d x %d cycles in %.0f ms, %d failures\n", threads, cycles,
	       now_ms() - t0, atomic_load(&failures));
	free(th);
	return atomic_load(&failures) ? 1 : 0;
}

static int cmd_mallocs(int n)
{
	long (*count)(void) =
		(long (*)(void))dlsym(RTLD_DEFAULT, "mpa_malloc_count");
	struct sockaddr_storage ss;
	socklen_t len = target(&ss);
	long before, after;
	int i, fd;

	if (!count)
		return fail("libmalloc_count.so is not preloaded");
	/* Warm-up: the first multipath connection starts the helper. */
	fd = connect_greeted();
	if (fd < 0)
		return fail("warm-up connect failed");
	close(fd);
	usleep(200 * 1000);
	before = count();
	for (i = 0; i < n; i++) {
		fd = socket(ss.ss_family, SOCK_STREAM, 0);
		if (fd < 0 || connect(fd, (struct sockaddr *)&ss, len) < 0)
			return fail("cycle %d: %s", i, strerror(errno));
		close(fd);
	}
	after = count();
	printf("%ld allocations in %d socket+connect cycles\n", after - before,
	       n);
	/* The counter is this thread's: the helper's work is not in it. */
	return after == before ? 0 : 1;
}

static int cmd_logfd(const char *file)
{
	char buf[64];
	int fd, app, logfd = -1, d;
	ssize_t n;

	/* Find the shim's log descriptor: the one at or above 100. */
	for (d = 100; d < 200 && logfd < 0; d++)
		if (fcntl(d, F_GETFD) >= 0)
			logfd = d;
	if (logfd < 0)
		return fail("no log descriptor above 100");
	if (!(fcntl(logfd, F_GETFD) & FD_CLOEXEC))
		return fail("log descriptor without FD_CLOEXEC");
	/* The program closes everything, then reuses the number. */
	if (syscall(SYS_close_range, 3, ~0U, 0) < 0)
		return fail("close_range: %s", strerror(errno));
	app = open(file, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (app < 0 || dup2(app, logfd) < 0)
		return fail("cannot set up the program's file");
	fd = connect_greeted();
	if (fd < 0)
		return fail("connect after close_range failed");
	close(fd);
	socket(AF_INET, SOCK_STREAM, 9999); /* a failure, logged at debug */
	n = pread(logfd, buf, sizeof(buf), 0);
	if (n != 0)
		return fail("the shim wrote %zd bytes into the program's file",
			    n);
	if (fcntl(logfd, F_GETFD) < 0)
		return fail("the shim closed the program's descriptor");
	return 0;
}

static int cmd_countfds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	while ((de = readdir(d))) {
		char path[300], target[300] = "";

		if (de->d_name[0] == '.')
			continue;
		n++;
		snprintf(path, sizeof(path), "/proc/self/fd/%s", de->d_name);
		if (readlink(path, target, sizeof(target) - 1) > 0)
			fprintf(stderr, "fd %s -> %s\n", de->d_name, target);
	}
	closedir(d);
	printf("%d\n", n - 1); /* not counting the directory's own fd */
	return 0;
}

static int cmd_fds(const char *self)
{
	char *argv[] = { (char *)self, "countfds", NULL };
	int fd = connect_greeted();

	if (fd < 0)
		return fail("connect failed");
	/* Give the helper thread time to open its sockets. */
	usleep(300 * 1000);
	close(fd);
	fflush(stdout);
	/* The new image must not load a shim of its own (and a log fd). */
	unsetenv("LD_PRELOAD");
	execv(self, argv);
	return fail("exec: %s", strerror(errno));
}

struct burst_arg {
	int rounds, hold_ms;
	bool native;
	long latency_us; /* socket() to the last PONG */
	bool done; /* got the greeting and every PONG */
	int subflows; /* as the server sees them (with HOLD_MS) */
};

static void *burst_thread(void *p)
{
	struct burst_arg *a = p;
	struct sockaddr_storage ss;
	socklen_t len = target(&ss);
	char line[160];
	double t0 = now_ms();
	int fd = socket(ss.ss_family, SOCK_STREAM,
			a->native ? IPPROTO_MPTCP : 0);
	int i;

	if (fd < 0)
		return NULL;
	if (connect(fd, (struct sockaddr *)&ss, len) < 0 ||
	    io_read_line(fd, line, sizeof(line)) || strcmp(line, "OK"))
		goto out;
	for (i = 0; i < a->rounds; i++)
		if (io_write_all(fd, "PING\n", 5) ||
		    io_read_line(fd, line, sizeof(line)) ||
		    strcmp(line, "PONG"))
			goto out;
	a->latency_us = (long)((now_ms() - t0) * 1000);
	a->done = true;
	if (!a->hold_ms)
		goto out;
	usleep((useconds_t)a->hold_ms * 1000);
	if (io_write_all(fd, "STATE\n", 6))
		goto out;
	while (!io_read_line(fd, line, sizeof(line)) && strcmp(line, "END"))
		a->subflows++;
out:
	close(fd);
	return NULL;
}

static int cmp_long(const void *x, const void *y)
{
	long a = *(const long *)x, b = *(const long *)y;

	return a < b ? -1 : a > b;
}

static int cmd_burst(int n, int rounds, int hold_ms)
{
	struct burst_arg *a = calloc((size_t)n, sizeof(*a));
	pthread_t *th = calloc((size_t)n, sizeof(*th));
	long *lat = calloc((size_t)n, sizeof(*lat));
	const char *native = getenv("MPA_BURST_NATIVE");
	int i, ok = 0, two = 0;
	double t0 = now_ms(), wall;

	for (i = 0; i < n; i++) {
		a[i].rounds = rounds;
		a[i].hold_ms = hold_ms;
		a[i].native = native && *native == '1';
		pthread_create(&th[i], NULL, burst_thread, &a[i]);
	}
	for (i = 0; i < n; i++) {
		pthread_join(th[i], NULL);
		if (a[i].done)
			lat[ok++] = a[i].latency_us;
		two += a[i].subflows >= 2;
	}
	wall = now_ms() - t0 - hold_ms;
	qsort(lat, (size_t)ok, sizeof(*lat), cmp_long);
	printf("ok=%d fail=%d subflows2=%d p50_us=%ld p95_us=%ld wall_ms=%.0f\n",
	       ok, n - ok, two, ok ? lat[ok / 2] : 0,
	       ok ? lat[ok * 95 / 100] : 0, wall);
	free(a);
	free(th);
	free(lat);
	return ok == n ? 0 : 1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * This thread's instructions, user and kernel, in one counter group:
 * its descriptor, or -errno where the machine has no such counter (a
 * virtual machine without a PMU: ENOENT or EOPNOTSUPP) or may not count
 * (EACCES: kernel.perf_event_paranoid).
 */
static int ins_open(void)
{
	struct perf_event_attr a = {
		.type = PERF_TYPE_HARDWARE,
		.size = sizeof(a),
		.config = PERF_COUNT_HW_INSTRUCTIONS,
		.exclude_kernel = 1,
		.exclude_hv = 1,
		.read_format = PERF_FORMAT_GROUP,
	};
	int lead, k, err;

	lead = (int)syscall(SYS_perf_event_open, &a, 0, -1, -1,
			    PERF_FLAG_FD_CLOEXEC);
	if (lead < 0)
		return -errno;
	a.exclude_kernel = 0;
	a.exclude_user = 1;
	k = (int)syscall(SYS_perf_event_open, &a, 0, -1, lead,
			 PERF_FLAG_FD_CLOEXEC);
	if (k < 0) {
		err = -errno;
		close(lead);
		return err;
	}
	return lead; /* k lives as long as the process: one group */
}

/* The group's user and kernel counts into @v; false if unread. */
static bool ins_read(int fd, uint64_t v[2])
{
	uint64_t buf[3]; /* nr, then one value per counter */

	if (read(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf) || buf[0] != 2)
		return false;
	v[0] = buf[1];
	v[1] = buf[2];
	return true;
}

/*
 * us_per_cycle is the whole loop's time per cycle: it also counts what
 * other threads and processes take from this one on a busy machine.
 * median_us is the median of the cycles timed one by one: what one
 * socket + connect + close costs the program when nothing interferes.
 * thread_cpu_us is this thread's CPU per cycle (the system calls' work
 * included), whatever other threads take. vcsw and ivcsw are this
 * thread's voluntary and involuntary context switches per cycle: a
 * wake-up of another thread that takes this one's CPU shows in ivcsw.
 * connect_us and connect_cpu_us are the same for the connect()
 * call alone (the median of its wall time; its mean CPU time, which
 * counts rare costs too): close() may cost a shimmed program less, when
 * the helper still holds the socket and the last close is someone else's.
 * With MPA_RATE_SPLIT=1, every other cycle calls libc's connect() itself
 * (dlsym RTLD_NEXT), past a preloaded hook, on the same kind of socket:
 * hook_cpu_us is the mean CPU of the hooked calls minus that of the
 * others, what the hook itself adds on this thread, with the load of the
 * machine and of every other thread alike on both halves.
 * connect_ins_user and connect_ins_kernel are the instructions this
 * thread ran in connect(), on average (the counter reads around it add
 * the same to every run); where the machine cannot count them, ins_errno
 * says why instead.
 */
static int cmd_rate(int n)
{
	const char *native = getenv("MPA_RATE_NATIVE");
	const char *split = getenv("MPA_RATE_SPLIT");
	int proto = native && *native == '1' ? IPPROTO_MPTCP : 0;
	int (*libc_connect)(int, const struct sockaddr *, socklen_t) = NULL;
	double half[2] = { 0, 0 };
	struct sockaddr_in in = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(in);
	struct linger lg = { 1, 0 };
	struct timespec cpu0, cpu1;
	struct rusage ru0, ru1;
	double t0, t1, *cyc, *con, ccpu = 0;
	uint64_t ins[2] = { 0, 0 }, i0[2], i1[2];
	bool ins_ok;
	pthread_t th;
	int lfd, i, ifd;

	if (n < 1 || !(cyc = calloc((size_t)n, sizeof(*cyc))) ||
	    !(con = calloc((size_t)n, sizeof(*con))))
		return fail("rate: a count of at least 1");
	lfd = socket(AF_INET, SOCK_STREAM, proto);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&in, len) < 0 ||
	    listen(lfd, 4096) < 0 ||
	    getsockname(lfd, (struct sockaddr *)&in, &len) < 0)
		return fail("listener: %s", strerror(errno));
	pthread_create(&th, NULL, accept_loop, (void *)(intptr_t)lfd);
	if (split && *split == '1')
		libc_connect = (int (*)(int, const struct sockaddr *,
					socklen_t))dlsym(RTLD_NEXT, "connect");
	ifd = ins_open();
	ins_ok = ifd >= 0;
	getrusage(RUSAGE_THREAD, &ru0);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu0);
	t0 = now_ms();
	for (i = 0; i < n; i++) {
		double c0 = now_ms(), c1, cpu_us;
		int fd = socket(AF_INET, SOCK_STREAM, proto), rc = -1;
		struct timespec u0, u1;

		if (fd >= 0) {
			clock_gettime(CLOCK_THREAD_CPUTIME_ID, &u0);
			c1 = now_ms();
			if (ins_ok)
				ins_ok = ins_read(ifd, i0);
			if (libc_connect && i % 2)
				rc = libc_connect(fd, (struct sockaddr *)&in,
						  len);
			else
				rc = connect(fd, (struct sockaddr *)&in, len);
			if (ins_ok && (ins_ok = ins_read(ifd, i1))) {
				ins[0] += i1[0] - i0[0];
				ins[1] += i1[1] - i0[1];
			}
			con[i] = (now_ms() - c1) * 1000;
			clock_gettime(CLOCK_THREAD_CPUTIME_ID, &u1);
			cpu_us = (double)(u1.tv_sec - u0.tv_sec) * 1e6 +
				 (double)(u1.tv_nsec - u0.tv_nsec) / 1e3;
			ccpu += cpu_us;
			half[i % 2] += cpu_us;
		}
		if (rc < 0)
			return fail("cycle %d: %s", i, strerror(errno));
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(fd);
		cyc[i] = (now_ms() - c0) * 1000;
	}
	t1 = now_ms();
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu1);
	getrusage(RUSAGE_THREAD, &ru1);
	qsort(cyc, (size_t)n, sizeof(*cyc), cmp_double);
	qsort(con, (size_t)n, sizeof(*con), cmp_double);
	printf("us_per_cycle=%.2f cycles_per_s=%.0f median_us=%.2f "
	       "p90_us=%.2f thread_cpu_us=%.2f vcsw=%.3f ivcsw=%.3f "
	       "connect_us=%.2f connect_cpu_us=%.2f",
	       (t1 - t0) * 1000 / n, n / ((t1 - t0) / 1000), cyc[n / 2],
	       cyc[n * 9 / 10],
	       ((double)(cpu1.tv_sec - cpu0.tv_sec) * 1e6 +
		(double)(cpu1.tv_nsec - cpu0.tv_nsec) / 1e3) /
		       n,
	       (double)(ru1.ru_nvcsw - ru0.ru_nvcsw) / n,
	       (double)(ru1.ru_nivcsw - ru0.ru_nivcsw) / n, con[n / 2],
	       ccpu / n);
	if (libc_connect)
		printf(" hook_cpu_us=%.2f",
		       n < 2 ? 0 : half[0] / ((n + 1) / 2) - half[1] / (n / 2));
	if (ins_ok)
		printf(" connect_ins_user=%.0f connect_ins_kernel=%.0f\n",
		       (double)ins[0] / n, (double)ins[1] / n);
	else
		printf(" ins_errno=%d\n", ifd < 0 ? -ifd : EIO);
	free(cyc);
	free(con);
	return 0;
}

/* VmRSS (kB) and Threads of this process. */
static void self_status(long *rss_kb, long *threads)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "re");

	*rss_kb = *threads = -1;
	while (f && fgets(line, sizeof(line), f)) {
		sscanf(line, "VmRSS: %ld", rss_kb);
		sscanf(line, "Threads: %ld", threads);
	}
	if (f)
		fclose(f);
}

static int cmd_rss(void)
{
	long rss0, th0, rss1, th1;
	int fd;

	self_status(&rss0, &th0);
	fd = connect_greeted();
	if (fd < 0)
		return fail("connect failed");
	/* Time for the helper thread, if any, to start and settle. */
	usleep(500 * 1000);
	self_status(&rss1, &th1);
	close(fd);
	printf("rss_kb_before=%ld threads_before=%ld rss_kb_after=%ld "
	       "threads_after=%ld\n",
	       rss0, th0, rss1, th1);
	return 0;
}

/*
 * The number after "KEY:" in /proc/self/FILE, in kB (-1 if none). Read
 * into the stack with read(2): stdio's buffer would add heap pages to
 * the very figure measured.
 */
static long proc_kb(const char *file, const char *key)
{
	char path[64], buf[4096];
	size_t klen = strlen(key);
	ssize_t n, got = 0;
	const char *p;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/%s", file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while (got < (ssize_t)sizeof(buf) - 1 &&
	       (n = read(fd, buf + got, sizeof(buf) - 1 - (size_t)got)) > 0)
		got += n;
	close(fd);
	buf[got] = '\0';
	for (p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, key, klen) && p[klen] == ':')
			return strtol(p + klen + 1, NULL, 10);
	return -1;
}

/* Each mapping's Private_Dirty, summed by name, on standard error. */
static void dirty_maps(void)
{
	char line[512], name[128] = "", names[64][128];
	long kb, sums[64] = { 0 };
	unsigned long lo, hi;
	int i, n = 0, off;
	FILE *f = fopen("/proc/self/smaps", "re");

	while (f && fgets(line, sizeof(line), f)) {
		off = 0;
		/* A mapping's first line: its name, if any, comes last. */
		if (sscanf(line, "%lx-%lx %*s %*s %*s %*s %n", &lo, &hi,
			   &off) == 2 &&
		    off) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(name, sizeof(name), "%s",
				 line[off] ? line + off : "[anon]");
			continue;
		}
		if (sscanf(line, "Private_Dirty: %ld", &kb) != 1 || !kb)
			continue;
		for (i = 0; i < n && strcmp(names[i], name); i++)
			;
		if (i == n && n < 64)
			snprintf(names[n++], sizeof(names[0]), "%s", name);
		if (i < n)
			sums[i] += kb;
	}
	if (f)
		fclose(f);
	for (i = 0; i < n; i++)
		fprintf(stderr, "%6ld kB %s\n", sums[i], names[i]);
}

/* The connection's extra subflows (MPTCP_INFO), -1 if it has none. */
static int sock_subflows(int fd)
{
	struct mptcp_info info;
	socklen_t len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (getsockopt(fd, SOL_MPTCP, MPTCP_INFO, &info, &len) < 0 ||
	    len < offsetof(struct mptcp_info, mptcpi_subflows) + 1)
		return -1;
	return info.mptcpi_subflows;
}

static int cmd_mem(void)
{
	long dirty0, rss0, th0, dirty1, rss1, th1;
	int fd, i, subflows = -1;

	dirty0 = proc_kb("smaps_rollup", "Private_Dirty");
	rss0 = proc_kb("smaps_rollup", "Rss");
	th0 = proc_kb("status", "Threads");
	fd = connect_greeted();
	if (fd < 0)
		return fail("connect failed");
	/* An MPTCP connection: until its extra subflow is there (3 s). */
	for (i = 0; sock_proto(fd) == IPPROTO_MPTCP && i < 300; i++) {
		subflows = sock_subflows(fd);
		if (subflows > 0)
			break;
		usleep(10 * 1000);
	}
	/* Time for the helper thread, if any, to settle. */
	usleep(500 * 1000);
	dirty1 = proc_kb("smaps_rollup", "Private_Dirty");
	rss1 = proc_kb("smaps_rollup", "Rss");
	th1 = proc_kb("status", "Threads");
	printf("private_dirty_kb_before=%ld rss_kb_before=%ld "
	       "threads_before=%ld private_dirty_kb_after=%ld "
	       "rss_kb_after=%ld threads_after=%ld subflows=%d\n",
	       dirty0, rss0, th0, dirty1, rss1, th1, subflows);
	fflush(stdout);
	if (getenv("MPA_MEM_MAPS"))
		dirty_maps();
	close(fd);
	return 0;
}

static int cmd_connect(int n)
{
	int i;

	for (i = 0; i < n; i++) {
		int fd = connect_greeted();

		if (fd < 0)
			return fail("connect %d failed", i);
		close(fd);
	}
	return 0;
}

/*
 * A program that made one connection and then idles: what its helper
 * thread does meanwhile is what other processes' connections cost it.
 */
static int cmd_idle(int secs)
{
	int fd = connect_greeted();

	if (fd < 0)
		return fail("connect failed");
	sleep(1);
	close(fd);
	printf("idle\n");
	fflush(stdout);
	sleep((unsigned int)secs);
	return 0;
}

/* N short connections: greeting, one PING/PONG (fully established), close. */
static int cmd_short(int n)
{
	char line[16];
	int i;

	for (i = 0; i < n; i++) {
		int fd = connect_greeted();

		if (fd < 0 || io_write_all(fd, "PING\n", 5) ||
		    io_read_line(fd, line, sizeof(line)) ||
		    strcmp(line, "PONG"))
			return fail("short connection %d failed", i);
		close(fd);
	}
	return 0;
}

/*
 * Hold the connection: until the file $MPA_HOLD_UNTIL exists (at most
 * 30 s), so that a test looks at it while it lives however slow the
 * machine; one second without it.
 */
static void wait_file(const char *env)
{
	const char *until = getenv(env);
	int i;

	if (!until || !*until) {
		sleep(1);
		return;
	}
	for (i = 0; i < 1500 && access(until, F_OK) != 0; i++)
		usleep(20 * 1000);
}

static void hold(void)
{
	wait_file("MPA_HOLD_UNTIL");
}

static int cmd_state(void)
{
	char line[160];
	int fd = connect_greeted();

	if (fd < 0)
		return fail("connect failed: %s", strerror(errno));
	hold();
	if (io_write_all(fd, "STATE\n", 6))
		return fail("write: %s", strerror(errno));
	while (!io_read_line(fd, line, sizeof(line)) && strcmp(line, "END"))
		printf("%s\n", line);
	close(fd);
	return 0;
}

static int cmd_proto(void)
{
	int fd = connect_greeted();

	if (fd < 0)
		return fail("connect failed: %s", strerror(errno));
	printf("%d\n", sock_proto(fd));
	close(fd);
	return 0;
}

/* The connection's MPTCP token, 0 if it has none. */
static uint32_t sock_token(int fd)
{
	struct mptcp_info info;
	socklen_t len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (getsockopt(fd, SOL_MPTCP, MPTCP_INFO, &info, &len) < 0 ||
	    len < offsetof(struct mptcp_info, mptcpi_token) + 4)
		return 0;
	return info.mptcpi_token;
}

#define MAX_TOKENS 512

static int cmd_tokens(int n)
{
	int fds[MAX_TOKENS], i;

	if (n < 1 || n > MAX_TOKENS)
		return fail("1 to %d connections", MAX_TOKENS);
	for (i = 0; i < n; i++) {
		fds[i] = connect_greeted();
		if (fds[i] < 0)
			return fail("connect %d failed", i);
		printf("%08x\n", sock_token(fds[i]));
	}
	fflush(stdout);
	hold();
	for (i = 0; i < n; i++)
		close(fds[i]);
	return 0;
}

/*
 * Standard error's pipe full: whoever writes to it next waits until the
 * pipe is read. The shim's helper thread logs its mode before it takes
 * any connection, so it waits there while A is closed and its number
 * reused: by the time it takes A's request, the number holds B.
 */
static int fill_stderr(void)
{
	int fl = fcntl(2, F_GETFL);
	char byte = '.';

	if (fl < 0 || fcntl(2, F_SETFL, fl | O_NONBLOCK) < 0)
		return -1;
	while (write(2, &byte, 1) == 1)
		;
	if (errno != EAGAIN)
		return -1;
	return fcntl(2, F_SETFL, fl);
}

static int cmd_reuse(void)
{
	uint32_t ta, tb;
	int a, b;

	if (fill_stderr() < 0)
		return 1; /* standard error is not a pipe: nothing said */
	a = connect_greeted();
	if (a < 0)
		return 1;
	ta = sock_token(a);
	close(a);
	b = connect_greeted();
	if (b != a) {
		printf("B got fd %d, not %d\n", b, a);
		return 1;
	}
	tb = sock_token(b);
	printf("A %08x\nB %08x\n", ta, tb);
	fflush(stdout);
	hold();
	close(b);
	return 0;
}

/*
 * A, then a vfork()ed child that closes A's number in its own table and
 * connects C on it, held a while: the helper, copying that number from
 * the process's table, finds A, whose token is not C's. Prints both
 * tokens; only A may be registered, once.
 */
static int cmd_vforkconn(void)
{
	char line[32];
	uint32_t ta;
	int a, status;
	pid_t pid;

	a = connect_greeted();
	if (a < 0)
		return 1;
	ta = sock_token(a);
	printf("A %08x\n", ta);
	fflush(stdout);
	usleep(300 * 1000); /* A registered, the helper asleep again */
	pid = vfork();
	if (pid == 0) {
		int c, n;

		close(a);
		c = connect_greeted();
		if (c != a)
			_exit(2);
		n = snprintf(line, sizeof(line), "C %08x\n", sock_token(c));
		if (write(1, line, (size_t)n) != n)
			_exit(3);
		usleep(300 * 1000); /* the helper takes C's request meanwhile */
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		return fail("vfork child failed");
	usleep(300 * 1000);
	close(a);
	return 0;
}

static int drop_to(uid_t uid, bool raw)
{
	if (raw)
		return (int)syscall(SYS_setresuid, uid, uid, uid);
	if (setgroups(0, NULL) < 0 || setresgid(uid, uid, uid) < 0)
		return -1;
	return setresuid(uid, uid, uid);
}

static int cmd_privdrop(uid_t uid, const char *how)
{
	bool before = !strcmp(how, "before"), raw = !strcmp(how, "thread");
	int fds[2], i;

	if (!before && !raw && strcmp(how, "after"))
		return fail("after, before or thread");
	if (before && drop_to(uid, false) < 0)
		return fail("setresuid: %s", strerror(errno));
	for (i = 0; i < 2; i++) {
		fds[i] = connect_greeted();
		if (fds[i] < 0)
			return fail("connect %d failed", i);
		printf("%08x\n", sock_token(fds[i]));
		fflush(stdout);
		/*
		 * Dropped once the file $MPA_DROP_WHEN exists (the test
		 * makes it when the first connection is registered).
		 */
		if (i == 0 && !before) {
			wait_file("MPA_DROP_WHEN");
			if (drop_to(uid, raw) < 0)
				return fail("setresuid: %s", strerror(errno));
		}
	}
	if (geteuid() != uid)
		return fail("still uid %u", (unsigned)geteuid());
	hold();
	for (i = 0; i < 2; i++)
		close(fds[i]);
	return 0;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	signal(SIGPIPE, SIG_IGN);
	if (argc > 3 && strcmp(cmd, "stress")) {
		host = argv[2];
		port = atoi(argv[3]);
	}
	if (!strcmp(cmd, "eligibility") && argc == 3)
		return cmd_eligibility(!strcmp(argv[2], "mptcp"));
	if (!strcmp(cmd, "flags"))
		return cmd_flags();
	if (!strcmp(cmd, "vfork"))
		return cmd_vfork();
	if (!strcmp(cmd, "spawn"))
		return cmd_spawn(argv[0]);
	if (!strcmp(cmd, "countfds"))
		return cmd_countfds();
	if (!strcmp(cmd, "stress") && argc == 4)
		return cmd_stress(atoi(argv[2]), atoi(argv[3]));
	if (!strcmp(cmd, "rate") && argc == 3)
		return cmd_rate(atoi(argv[2]));
	if (!host)
		return fail("usage: see the comment at the top of the source");
	if (!strcmp(cmd, "nonblock"))
		return cmd_nonblock();
	if (!strcmp(cmd, "errno"))
		return cmd_errno();
	if (!strcmp(cmd, "epoll"))
		return cmd_epoll();
	if (!strcmp(cmd, "fork"))
		return cmd_fork();
	if (!strcmp(cmd, "mallocs") && argc == 5)
		return cmd_mallocs(atoi(argv[4]));
	if (!strcmp(cmd, "logfd") && argc == 5)
		return cmd_logfd(argv[4]);
	if (!strcmp(cmd, "fds"))
		return cmd_fds(argv[0]);
	if (!strcmp(cmd, "connect"))
		return cmd_connect(argc > 4 ? atoi(argv[4]) : 1);
	if (!strcmp(cmd, "short") && argc == 5)
		return cmd_short(atoi(argv[4]));
	if (!strcmp(cmd, "burst") && argc == 7)
		return cmd_burst(atoi(argv[4]), atoi(argv[5]), atoi(argv[6]));
	if (!strcmp(cmd, "proto"))
		return cmd_proto();
	if (!strcmp(cmd, "idle") && argc == 5)
		return cmd_idle(atoi(argv[4]));
	if (!strcmp(cmd, "tokens") && argc == 5)
		return cmd_tokens(atoi(argv[4]));
	if (!strcmp(cmd, "reuse"))
		return cmd_reuse();
	if (!strcmp(cmd, "vforkconn"))
		return cmd_vforkconn();
	if (!strcmp(cmd, "privdrop") && argc == 6)
		return cmd_privdrop((uid_t)atoi(argv[4]), argv[5]);
	if (!strcmp(cmd, "state"))
		return cmd_state();
	if (!strcmp(cmd, "rss"))
		return cmd_rss();
	if (!strcmp(cmd, "mem"))
		return cmd_mem();
	return fail("unknown command %s", cmd);
}

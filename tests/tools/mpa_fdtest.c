// SPDX-License-Identifier: MIT
/*
 * mpa-fdtest: a program that treats descriptors the way daemons and
 * Python do (closes every number it did not open, reuses them, dup2()s
 * over them), run under the shim against mpa-testsrv. Each subcommand
 * exits 0 when the program saw nothing of the shim's helper thread; a
 * line on stderr says what broke.
 *
 *   closerange HOST PORT BYTES  after the helper started: close 3..1023,
 *                               open a file, download BYTES and check
 *                               every byte; the file stays usable; the
 *                               helper stays idle and still works
 *   dup2null HOST PORT          after the helper started: /dev/null on
 *                               every number 3..63; the helper stays idle
 *                               and still works
 *   dropuid HOST PORT           after the helper started: close 3..99,
 *                               open files, become nobody so that the
 *                               helper's next request fails (EPERM): every
 *                               file stays open and writable
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "io.h"

#define NFILES 16

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

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Connect to mpa-testsrv and read its greeting; fd or -1. */
static int connect_greeted(void)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t len = sizeof(struct sockaddr_in);
	char line[16];
	int fd;

	if (strchr(host, ':')) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

		in6->sin6_family = AF_INET6;
		inet_pton(AF_INET6, host, &in6->sin6_addr);
		in6->sin6_port = htons((unsigned short)port);
		len = sizeof(*in6);
	} else {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;

		in->sin_family = AF_INET;
		inet_pton(AF_INET, host, &in->sin_addr);
		in->sin_port = htons((unsigned short)port);
	}
	fd = socket(ss.ss_family, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&ss, len) < 0 ||
	    io_read_line(fd, line, sizeof(line)) || strcmp(line, "OK")) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The shim's helper thread ("mptcp-auto"): its tid, or 0. */
static int helper_tid(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *de;
	int tid = 0;

	if (!d)
		return 0;
	while (!tid && (de = readdir(d))) {
		char path[300], comm[32] = "";
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm",
			 de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f) &&
		    !strcmp(comm, "mptcp-auto\n"))
			tid = atoi(de->d_name);
		fclose(f);
	}
	closedir(d);
	return tid;
}

/* CPU time of thread @tid in clock ticks, or -1 (thread gone). */
static long thread_ticks(int tid)
{
	char path[64], buf[1024], *p;
	unsigned long ut, st;
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	if (!p || !(p = strrchr(buf, ')')))
		return -1;
	/* Fields 14 and 15 (utime, stime); field 3 follows the ')'. */
	for (i = 3; i < 14 && p; i++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p, " %lu %lu", &ut, &st) != 2)
		return -1;
	return (long)(ut + st);
}

/* Start the helper with one connection; its tid or 0. */
static int start_helper(void)
{
	int fd = connect_greeted(), tid = 0, i;

	if (fd < 0)
		return 0;
	for (i = 0; i < 50 && !tid; i++) {
		tid = helper_tid();
		sleep_ms(20);
	}
	/* Let it subscribe and open its sockets before the program acts. */
	sleep_ms(300);
	close(fd);
	return tid;
}

/* The helper, given 2 s with nothing to do, used less than 0.2 s of CPU. */
static int check_idle(int tid)
{
	long before = thread_ticks(tid), after;

	sleep_ms(2000);
	after = thread_ticks(tid);
	if (before < 0 || after < 0)
		return fail("the helper thread died");
	if ((after - before) * 1000 / sysconf(_SC_CLK_TCK) >= 200)
		return fail("the helper used %ld ms of CPU in 2 s while idle",
			    (after - before) * 1000 / sysconf(_SC_CLK_TCK));
	return 0;
}

/* The helper still opens subflows: the server sees two. */
static int check_still_works(void)
{
	char line[128];
	int fd = connect_greeted(), n = 0;

	if (fd < 0)
		return fail("connect after the cleanup failed");
	sleep_ms(1000);
	if (io_write_all(fd, "STATE\n", 6))
		return fail("STATE: %s", strerror(errno));
	while (!io_read_line(fd, line, sizeof(line)) && strcmp(line, "END"))
		n++;
	close(fd);
	if (n != 2)
		return fail("after the cleanup the server sees %d subflow(s), "
			    "not 2: the helper stopped working",
			    n);
	return 0;
}

/* As Python's os.closerange(3, @end) does: one close() each. */
static void close_from_3(int end)
{
	int fd;

	for (fd = 3; fd < end; fd++)
		close(fd);
}

static int cmd_closerange(unsigned long long want)
{
	char cmd[64], buf[65536];
	unsigned long long got = 0;
	int tid = start_helper(), file, fd, rc;
	ssize_t n, i;

	if (!tid)
		return fail("the helper thread did not start");
	close_from_3(1024);
	file = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
	fd = connect_greeted();
	if (file < 0 || fd < 0)
		return fail("open or connect after closerange failed");
	snprintf(cmd, sizeof(cmd), "SEND %llu\n", want);
	if (io_write_all(fd, cmd, strlen(cmd)))
		return fail("SEND: %s", strerror(errno));
	while ((n = read(fd, buf, sizeof(buf))) > 0 ||
	       (n < 0 && errno == EINTR)) {
		for (i = 0; i < n; i++)
			if (buf[i] != 'x')
				return fail("byte %llu is 0x%02x, not 'x'",
					    got + (unsigned long long)i,
					    (unsigned char)buf[i]);
		if (n > 0)
			got += (unsigned long long)n;
	}
	close(fd);
	if (got != want)
		return fail("received %llu of %llu bytes", got, want);
	if (read(file, buf, 1) != 1)
		return fail("the program's file was taken: %s",
			    strerror(errno));
	rc = check_idle(tid);
	return rc ? rc : check_still_works();
}

static int cmd_dup2null(void)
{
	int tid = start_helper(), null, fd, rc;

	if (!tid)
		return fail("the helper thread did not start");
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0)
		return fail("/dev/null: %s", strerror(errno));
	for (fd = 3; fd < 64; fd++)
		if (fd != null && dup2(null, fd) < 0)
			return fail("dup2: %s", strerror(errno));
	rc = check_idle(tid);
	for (fd = 3; fd < 64; fd++)
		close(fd);
	return rc ? rc : check_still_works();
}

/*
 * As apt's download helper does: become another user. glibc applies it to
 * every thread, the helper included, whose next request then fails.
 */
static int drop_privileges(void)
{
	if (setgroups(0, NULL) < 0 || setresgid(65534, 65534, 65534) < 0)
		return -1;
	return setresuid(65534, 65534, 65534);
}

static int cmd_dropuid(void)
{
	int files[NFILES], tid = start_helper(), fd, i;
	char name[] = "/tmp/mpa-fdtest-XXXXXX";

	if (!tid)
		return fail("the helper thread did not start");
	/* Below the shim's log (fd 100 and up): the test reads the log. */
	close_from_3(100);
	for (i = 0; i < NFILES; i++) {
		files[i] = mkstemp(name);
		if (files[i] < 0)
			return fail("mkstemp: %s", strerror(errno));
		unlink(name);
		memcpy(name + strlen(name) - 6, "XXXXXX", 6);
	}
	if (drop_privileges() < 0)
		return fail("setresuid: %s", strerror(errno));
	/* The helper's request for this one fails with EPERM. */
	fd = connect_greeted();
	if (fd < 0)
		return fail("connect without CAP_NET_ADMIN failed");
	sleep_ms(1500);
	if (io_write_all(fd, "PING\n", 5))
		return fail("PING: %s", strerror(errno));
	close(fd);
	for (i = 0; i < NFILES; i++)
		if (fcntl(files[i], F_GETFD) < 0 ||
		    write(files[i], "ok", 2) != 2)
			return fail("the program's descriptor %d: %s", files[i],
				    strerror(errno));
	return 0;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	if (argc < 4)
		return fail("usage: see the comment at the top of the source");
	host = argv[2];
	port = atoi(argv[3]);
	if (!strcmp(cmd, "closerange") && argc == 5)
		return cmd_closerange(strtoull(argv[4], NULL, 10));
	if (!strcmp(cmd, "dup2null"))
		return cmd_dup2null();
	if (!strcmp(cmd, "dropuid"))
		return cmd_dropuid();
	return fail("unknown command %s", cmd);
}

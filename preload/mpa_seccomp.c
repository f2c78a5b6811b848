// SPDX-License-Identifier: MIT
/*
 * Seccomp: read a thread's filter state, and find out, in throw-away
 * children, which of the shim's own system calls the filter lets live.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/netlink.h>

#include "cmn_syscall.h"
#include "mpa_seccomp.h"

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif
/* "Name:\tvalue" of one field, or -1. */
static int status_field(const char *status, const char *name)
{
	size_t len = strlen(name);
	const char *p = status;

	while (p && *p) {
		if (!strncmp(p, name, len) && p[len] == ':')
			return atoi(p + len + 1);
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -1;
}

void mpa_seccomp_parse(const char *status, struct mpa_seccomp *out)
{
	out->mode = status_field(status, "Seccomp");
	out->filters = status_field(status, "Seccomp_filters");
}

int mpa_seccomp_read(struct mpa_seccomp *out)
{
	char buf[4096];
	ssize_t n;
	int fd, err = 0;

	out->mode = out->filters = -1;
	fd = open("/proc/thread-self/status", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		err = -errno;
	close(fd);
	if (err)
		return err;
	buf[n] = '\0';
	mpa_seccomp_parse(buf, out);
	return out->mode < 0 ? -ENOENT : 0;
}

static void close_fd(long fd)
{
	if (fd >= 0)
		syscall(SYS_close, (int)fd);
}

/* The probed calls, with the arguments the shim really uses. */
static void probe_call(enum mpa_probe p)
{
	sigset_t set;
	long fd;

	switch (p) {
	case MPA_PROBE_MPTCP:
		close_fd(syscall(SYS_socket, AF_INET,
				 SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_MPTCP));
		break;
	case MPA_PROBE_NETLINK_GENERIC:
		close_fd(syscall(SYS_socket, AF_NETLINK,
				 SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC));
		break;
	case MPA_PROBE_NETLINK_ROUTE:
		close_fd(syscall(SYS_socket, AF_NETLINK,
				 SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
		break;
	case MPA_PROBE_CLOSE_RANGE:
		/* The child's own copy of the table: nothing of ours. */
		syscall(SYS_close_range, 0U, ~0U, CLOSE_RANGE_UNSHARE);
		break;
	case MPA_PROBE_PIDFD:
		fd = syscall(SYS_pidfd_open, (pid_t)syscall(SYS_getpid), 0);
		if (fd >= 0)
			close_fd(syscall(SYS_pidfd_getfd, (int)fd, (int)fd, 0));
		close_fd(fd);
		break;
	case MPA_PROBE_WAKE:
		sigemptyset(&set);
		sigaddset(&set, SIGURG);
		close_fd(signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC));
		/* Signal 0: the permission check, nothing is sent. */
		syscall(SYS_tgkill, (pid_t)syscall(SYS_getpid),
			(pid_t)syscall(SYS_gettid), 0);
		break;
	case MPA_PROBE_UNIX:
		/* Each call the registration makes, none can succeed here. */
		fd = syscall(SYS_socket, AF_UNIX,
			     SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd >= 0) {
			struct sockaddr_un un = { .sun_family = AF_UNIX };
			struct msghdr msg = { 0 };

			syscall(SYS_connect, (int)fd, &un,
				(socklen_t)sizeof(sa_family_t));
			syscall(SYS_sendmsg, (int)fd, &msg,
				MSG_DONTWAIT | MSG_NOSIGNAL);
			syscall(SYS_recvmsg, (int)fd, &msg, MSG_DONTWAIT);
		}
		close_fd(fd);
		break;
	case MPA_PROBE_COUNT:
		break;
	}
}

static int probe_child(void *arg)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };

	/*
	 * Our signal handlers are a copy (no CLONE_SIGHAND): a filter that
	 * traps (SIGSYS) kills this child instead of running the program's
	 * handler.
	 */
	sigaction(SIGSYS, &dfl, NULL);
	probe_call(*(const enum mpa_probe *)arg);
	return 0;
}

unsigned int mpa_seccomp_probe(void)
{
	/* The child runs on this stack while we wait (CLONE_VFORK). */
	static char stack[32 * 1024] __attribute__((aligned(16)));
	unsigned int ok = 0;
	enum mpa_probe p;

	for (p = 0; p < MPA_PROBE_COUNT; p++) {
		int status;
		pid_t pid;

		/*
		 * No exit signal: the program's SIGCHLD handler and its
		 * wait() calls never see this child (only __WALL does).
		 */
		pid = clone(probe_child, stack + sizeof(stack),
			    CLONE_VM | CLONE_VFORK, &p);
		if (pid < 0)
			break; /* cannot probe: assume the worst */
		if (waitpid(pid, &status, __WALL) < 0)
			break;
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			ok |= 1u << p;
	}
	return ok;
}

// SPDX-License-Identifier: MIT
/*
 * mpa-fakepm: a stand-in for mptcp-autod's socket, for testing the shim's
 * registrations (tests/integration/shim_daemon.sh). It checks what the
 * shim passes as the daemon would, and prints one line per registration.
 *
 *   mpa-fakepm listen PATH [--refuse REASON] [--note TEXT] [--backlog N]
 *       listen at PATH (mode 0666; PATH appears only once it listens, so
 *       a test that sees the file may stop the stand-in at once);
 *       for each REGISTER datagram: exactly
 *       one descriptor, an MPTCP stream socket, not listening, whose token
 *       is the one claimed. Prints
 *         REGISTER token=1a2b3c4d uid=1000 pid=42 narrow=none
 *         (narrow=subflows=1;interfaces=c2,eth*;backup=c2 when narrowed)
 *       or "BAD <what> uid=... pid=..." when a check fails; closes every
 *       descriptor, then answers OK (with the note TEXT with --note;
 *       REFUSED REASON with --refuse, or
 *       REFUSED when a check failed) with the same seq. SIGTERM ends it.
 *       Can be SIGSTOPped: it then answers nothing and accepts nothing.
 *   mpa-fakepm fill PATH
 *       connect to PATH without accepting anything until the listener's
 *       queue of new connections is full, print "FULL n", then wait to
 *       be killed (a stopped daemon with a full backlog).
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "eng_wire.h"
#include "mptcplib.h"

#define MAX_CLIENTS 64
#define MAX_FDS 8

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static int addr_of(const char *path, struct sockaddr_un *un)
{
	memset(un, 0, sizeof(*un));
	un->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(un->sun_path))
		return -1;
	strcpy(un->sun_path, path);
	return 0;
}

static int sockopt_int(int fd, int level, int name)
{
	int v = -1;
	socklen_t len = sizeof(v);

	if (getsockopt(fd, level, name, &v, &len) < 0)
		return -1;
	return v;
}

/* What the daemon checks of the passed socket; NULL when it is fine. */
static const char *check_fd(int fd, uint32_t claimed, char *why, size_t len)
{
	int domain = sockopt_int(fd, SOL_SOCKET, SO_DOMAIN);
	uint32_t token = 0;

	if (domain != AF_INET && domain != AF_INET6)
		return "not an IPv4 or IPv6 socket";
	if (sockopt_int(fd, SOL_SOCKET, SO_TYPE) != SOCK_STREAM ||
	    sockopt_int(fd, SOL_SOCKET, SO_PROTOCOL) != IPPROTO_MPTCP)
		return "not an MPTCP socket";
	if (sockopt_int(fd, SOL_SOCKET, SO_ACCEPTCONN) != 0)
		return "a listening socket";
	if (mptcplib_get_token(fd, &token) || !token)
		return "no token";
	if (token != claimed) {
		snprintf(why, len, "token claimed=%08x actual=%08x", claimed,
			 token);
		return why;
	}
	return NULL;
}

static void print_narrow(const struct eng_wire_msg *m)
{
	const char *sep = "";
	int i;

	printf(" narrow=");
	if (!m->narrow) {
		printf("none\n");
		return;
	}
	if (m->user_subflows >= 0) {
		printf("subflows=%d", m->user_subflows);
		sep = ";";
	}
	if (m->ninterfaces) {
		printf("%sinterfaces=", sep);
		for (i = 0; i < m->ninterfaces; i++)
			printf("%s%s", i ? "," : "", m->interfaces[i]);
		sep = ";";
	}
	if (m->nbackup) {
		printf("%sbackup=", sep);
		for (i = 0; i < m->nbackup; i++)
			printf("%s%s", i ? "," : "", m->backup[i]);
	}
	printf("\n");
}

/* One datagram from client @c: check, print, close, answer. */
static int serve_one(int c, const char *refuse, const char *note)
{
	char buf[ENG_WIRE_MAX + 1], why[96], out[ENG_WIRE_MAX + 1];
	union {
		char buf[CMSG_SPACE(MAX_FDS * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = ctl.buf,
		.msg_controllen = sizeof(ctl.buf),
	};
	int fds[MAX_FDS], nfds = 0, i, n;
	const char *bad = NULL, *perr;
	struct eng_wire_msg m, reply;
	struct cmsghdr *cm;
	struct ucred cred = { 0 };
	socklen_t clen = sizeof(cred);
	ssize_t got;

	got = recvmsg(c, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (got < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	if (got == 0)
		return -1;
	getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cred, &clen);
	for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		n = (int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		for (i = 0; i < n && nfds < MAX_FDS; i++)
			memcpy(&fds[nfds++], CMSG_DATA(cm) + i * sizeof(int),
			       sizeof(int));
	}
	/* A message that does not parse is refused too (seq 0). */
	eng_wire_init(&m, ENG_WIRE_REGISTER, 0);
	if (eng_wire_parse(buf, (size_t)got, &m, &perr) < 0)
		bad = perr;
	else if (m.type != ENG_WIRE_REGISTER)
		bad = "not a REGISTER";
	else if (msg.msg_flags & MSG_CTRUNC)
		bad = "too many descriptors";
	else if (nfds != 1)
		bad = nfds ? "more than one descriptor" : "no descriptor";
	else
		bad = check_fd(fds[0], m.token, why, sizeof(why));
	/* Closed before the answer: the program's close() is never held. */
	for (i = 0; i < nfds; i++)
		close(fds[i]);
	if (bad) {
		printf("BAD %s uid=%u pid=%d\n", bad, (unsigned)cred.uid,
		       (int)cred.pid);
	} else {
		printf("REGISTER token=%08x uid=%u pid=%d", m.token,
		       (unsigned)cred.uid, (int)cred.pid);
		print_narrow(&m);
	}
	fflush(stdout);
	eng_wire_init(&reply, bad || refuse ? ENG_WIRE_REFUSED : ENG_WIRE_OK,
		      m.seq);
	if (reply.type == ENG_WIRE_REFUSED)
		snprintf(reply.reason, sizeof(reply.reason), "%s",
			 refuse ? refuse : bad);
	else if (note)
		snprintf(reply.reason, sizeof(reply.reason), "%s", note);
	n = eng_wire_format(&reply, out, sizeof(out));
	if (n > 0)
		send(c, out, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL);
	return 0;
}

static int cmd_listen(const char *path, const char *refuse, const char *note,
		      int backlog)
{
	struct pollfd pfd[1 + MAX_CLIENTS];
	struct sigaction sa = { .sa_handler = on_term };
	struct sockaddr_un un;
	char tmp[sizeof(un.sun_path)];
	int lfd, n = 1, i;

	/*
	 * Bound at PATH.new and renamed once listening: a socket file seen
	 * between bind() and listen() refuses connections, and a test that
	 * stops the stand-in as soon as the file is there must not catch
	 * that moment.
	 */
	if (snprintf(tmp, sizeof(tmp), "%s.new", path) >= (int)sizeof(tmp) ||
	    addr_of(tmp, &un) < 0)
		return 2;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	unlink(path);
	unlink(tmp);
	lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&un, sizeof(un)) < 0 ||
	    chmod(tmp, 0666) < 0 || listen(lfd, backlog) < 0 ||
	    rename(tmp, path) < 0) {
		perror("mpa-fakepm: listen");
		return 1;
	}
	pfd[0].fd = lfd;
	pfd[0].events = POLLIN;
	while (!stop) {
		if (poll(pfd, (nfds_t)n, -1) < 0)
			continue;
		if ((pfd[0].revents & POLLIN) && n < 1 + MAX_CLIENTS) {
			int c = accept4(lfd, NULL, NULL,
					SOCK_NONBLOCK | SOCK_CLOEXEC);

			if (c >= 0) {
				pfd[n].fd = c;
				pfd[n].events = POLLIN;
				pfd[n++].revents = 0;
			}
		}
		for (i = 1; i < n; i++) {
			if (!pfd[i].revents)
				continue;
			if ((pfd[i].revents & POLLIN) &&
			    serve_one(pfd[i].fd, refuse, note) == 0)
				continue;
			if (pfd[i].revents & (POLLHUP | POLLERR | POLLIN)) {
				close(pfd[i].fd);
				pfd[i--] = pfd[--n];
			}
		}
	}
	unlink(path);
	return 0;
}

static int cmd_fill(const char *path)
{
	struct sockaddr_un un;
	int n = 0;

	if (addr_of(path, &un) < 0)
		return 2;
	for (;;) {
		int fd = socket(AF_UNIX,
				SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC,
				0);

		if (fd < 0)
			return 1;
		if (connect(fd, (struct sockaddr *)&un, sizeof(un)) < 0) {
			if (errno != EAGAIN) {
				perror("mpa-fakepm: fill");
				return 1;
			}
			close(fd);
			break;
		}
		n++;
	}
	printf("FULL %d\n", n);
	fflush(stdout);
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	const char *refuse = NULL, *note = NULL;
	int backlog = 16, i;

	if (argc == 3 && !strcmp(argv[1], "fill"))
		return cmd_fill(argv[2]);
	if (argc < 3 || strcmp(argv[1], "listen")) {
		fprintf(stderr, "usage: see the comment at the top of the "
				"source\n");
		return 2;
	}
	for (i = 3; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--refuse"))
			refuse = argv[i + 1];
		else if (!strcmp(argv[i], "--note"))
			note = argv[i + 1];
		else if (!strcmp(argv[i], "--backlog"))
			backlog = atoi(argv[i + 1]);
		else
			return 2;
	}
	return cmd_listen(argv[2], refuse, note, backlog);
}

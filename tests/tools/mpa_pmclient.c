// SPDX-License-Identifier: MIT
/*
 * mpa-pmclient: a client of mptcp-autod for the tests. It makes an MPTCP
 * connection to an mpa-testsrv and registers it with the daemon as the
 * shim would, or sends one of the bad variants a hostile user might, and
 * prints the daemon's reply; then it can watch the connection's subflows
 * (the server's STATE), download, and keep the connection open.
 *
 *   mpa-pmclient [OPTIONS] HOST PORT
 *     --socket PATH     the daemon's socket (else $MPTCP_AUTO_PM_SOCKET,
 *                       else /run/mptcp-auto/pm.sock)
 *     --mode MODE       good (default); forged (a wrong token), tcp (a TCP
 *                       socket), listen (a listening MPTCP socket), nofd,
 *                       twofds, garbage (text), foreign (a socket received
 *                       from a give-fd helper: --fd-from), native (no
 *                       registration at all: a program without the shim)
 *     --fd-from PATH    the give-fd helper's socket
 *     --flood N         N registrations (or garbage texts) as fast as it
 *                       can, then counts
 *     --conns K         with --flood: K connections, registered in turn
 *                       (K different tokens: what a busy host sends)
 *     --nonblock        non-blocking connect(), registered in SYN-SENT,
 *                       never waiting for the daemon (read at the end)
 *     --wait-ms N       how long to wait for the reply (default 2000)
 *     --subflows N      wait (5 s at most) until the server sees N
 *                       subflows, print them ("state: ADDR PORT BACKUP")
 *     --hold-ms N       then keep the connection this long (default 0)
 *     --get BYTES       then download BYTES (the server closes after)
 *     --narrow LINES    user-* lines for the message ("user-subflows 1")
 *
 *   mpa-pmclient give-fd PATH HOST PORT
 *     connect to HOST PORT (MPTCP, in this process's namespace), hand the
 *     socket to the first client of the Unix socket PATH, then wait for
 *     that client to go.
 *
 * Output: "connect-us N" (socket() to the registration sent), "token X",
 * "reply: OK" (then "note: TEXT" if the daemon served less than asked) /
 * "reply: REFUSED REASON" / "reply: none" / "reply: no daemon (ERR)",
 * "state: ..." lines, "got N bytes", "flood: ...". Exit status 0 unless
 * the connection or download failed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "eng_wire.h"
#include "io.h"
#include "mptcplib.h"

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif

/* Not the protocol: what a confused or hostile client sends. */
#define GARBAGE "GET /pm.sock HTTP/1.1\r\n\r\n"

struct opts {
	const char *socket, *mode, *fd_from, *narrow;
	const char *host, *port;
	long flood, conns, wait_ms, subflows, hold_ms;
	unsigned long long get;
	int nonblock;
};

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static int resolve(const char *host, const char *port,
		   struct sockaddr_storage *ss, socklen_t *len)
{
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV,
				  .ai_socktype = SOCK_STREAM };
	struct addrinfo *ai;

	if (getaddrinfo(host, port, &hints, &ai))
		return -1;
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*len = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

/* A stream socket of @proto to HOST PORT; non-blocking when asked. */
static int dial(const char *host, const char *port, int proto, int nonblock)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd;

	if (resolve(host, port, &ss, &len))
		return -1;
	fd = socket(ss.ss_family,
		    SOCK_STREAM | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0),
		    proto);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&ss, len) < 0 &&
	    !(nonblock && errno == EINPROGRESS)) {
		close(fd);
		return -1;
	}
	return fd;
}

static int set_blocking(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
}

static int send_msg(int us, const char *text, size_t len, const int *fds,
		    int nfds, int flags)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * 4)];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = (void *)text, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;

	if (nfds) {
		mh.msg_control = ctl.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
		memcpy(CMSG_DATA(cm), fds, sizeof(int) * (size_t)nfds);
	}
	return sendmsg(us, &mh, flags | MSG_NOSIGNAL) < 0 ? -errno : 0;
}

/* A REGISTER for @token with the --narrow lines. */
static int register_text(const struct opts *o, uint32_t seq, uint32_t token,
			 char *buf, size_t len)
{
	struct eng_wire_msg m;
	int n;

	eng_wire_init(&m, ENG_WIRE_REGISTER, seq);
	m.token = token;
	n = eng_wire_format(&m, buf, len);
	if (n > 0 && o->narrow) {
		/* Appended as given: the tests may send what a shim would
		 * not. "\n" in the argument separates lines. */
		const char *p;

		for (p = o->narrow; *p && (size_t)n + 2 < len; p++) {
			if (p[0] == '\\' && p[1] == 'n') {
				buf[n++] = '\n';
				p++;
			} else {
				buf[n++] = *p;
			}
		}
		if (buf[n - 1] != '\n')
			buf[n++] = '\n';
		buf[n] = '\0';
	}
	return n;
}

static const char *reply_line(const char *buf, ssize_t n, char *out, size_t len)
{
	struct eng_wire_msg m;
	const char *why;

	if (eng_wire_parse(buf, (size_t)n, &m, &why))
		snprintf(out, len, "unreadable (%s)", why);
	else if (m.type == ENG_WIRE_OK)
		snprintf(out, len, "OK");
	else if (m.type == ENG_WIRE_REFUSED)
		snprintf(out, len, "REFUSED %s", m.reason);
	else
		snprintf(out, len, "unexpected");
	return out;
}

/* The reply within @ms (0: only if there already), printed. */
static void print_reply(int us, long ms)
{
	char buf[ENG_WIRE_MAX + 1], line[300];
	struct eng_wire_msg m;
	const char *why;
	struct pollfd p = { .fd = us, .events = POLLIN };
	ssize_t n;

	if (poll(&p, 1, (int)ms) <= 0) {
		printf("reply: none\n");
		return;
	}
	n = recv(us, buf, sizeof(buf), MSG_DONTWAIT);
	/* Closed with our message unread: said once, before what is queued
	 * (a turned-away client's reason). */
	if (n < 0 && errno == ECONNRESET)
		n = recv(us, buf, sizeof(buf), MSG_DONTWAIT);
	if (n <= 0) {
		printf("reply: none (%s)\n",
		       n == 0 ? "closed" : strerror(errno));
		return;
	}
	printf("reply: %s\n", reply_line(buf, n, line, sizeof(line)));
	/* What the daemon did not grant, on a line of its own. */
	if (!eng_wire_parse(buf, (size_t)n, &m, &why) &&
	    m.type == ENG_WIRE_OK && m.reason[0])
		printf("note: %s\n", m.reason);
}

/*
 * N registrations of the @nfds sockets @fds (tokens @tokens) in turn,
 * replies read as they come; the time from the first send to the last
 * reply.
 */
static void flood(int us, const struct opts *o, const int *fds,
		  const uint32_t *tokens, int nfds)
{
	struct {
		char reason[300];
		long n;
	} reasons[8];
	long sent = 0, replies = 0, ok = 0, refused = 0;
	int nreasons = 0, i, idle = 0;
	char text[ENG_WIRE_MAX + 1], buf[ENG_WIRE_MAX + 1], line[300];
	long long t0 = now_us(), last = t0;

	fcntl(us, F_SETFL, O_NONBLOCK);
	while ((sent < o->flood || replies < sent) && idle < 20) {
		struct pollfd p = { .fd = us, .events = POLLIN };
		ssize_t n;
		int len;

		while (sent < o->flood) {
			if (!strcmp(o->mode, "garbage"))
				len = snprintf(text, sizeof(text), GARBAGE);
			else
				len = register_text(o, (uint32_t)sent + 1,
						    tokens[sent % nfds], text,
						    sizeof(text));
			if (send_msg(us, text, (size_t)len, &fds[sent % nfds],
				     1, MSG_DONTWAIT))
				break;
			sent++;
		}
		if (sent < o->flood)
			p.events |= POLLOUT;
		if (poll(&p, 1, 100) <= 0) {
			idle++;
			continue;
		}
		idle = 0;
		while ((n = recv(us, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
			replies++;
			last = now_us();
			reply_line(buf, n, line, sizeof(line));
			if (!strcmp(line, "OK")) {
				ok++;
				continue;
			}
			refused++;
			for (i = 0; i < nreasons; i++)
				if (!strcmp(reasons[i].reason, line))
					break;
			if (i == nreasons && nreasons < 8) {
				snprintf(reasons[i].reason,
					 sizeof(reasons[i].reason), "%s", line);
				reasons[i].n = 0;
				nreasons++;
			}
			if (i < nreasons)
				reasons[i].n++;
		}
		if (n == 0)
			break; /* disconnected */
	}
	printf("flood: sent %ld replies %ld ok %ld refused %ld\n", sent,
	       replies, ok, refused);
	printf("flood-time-us: %lld\n", last - t0);
	for (i = 0; i < nreasons; i++)
		printf("flood-reply: %s x%ld\n", reasons[i].reason,
		       reasons[i].n);
}

/* --flood over --conns connections: @fd and K - 1 more. */
static int flood_many(int us, const struct opts *o, int fd, uint32_t token)
{
	long k = o->conns > 1 ? o->conns : 1, i, n = 1;
	uint32_t *tokens = calloc((size_t)k, sizeof(*tokens));
	int *fds = calloc((size_t)k, sizeof(*fds)), rc = 0;

	if (!tokens || !fds) {
		free(tokens);
		free(fds);
		return 1;
	}
	fds[0] = fd;
	tokens[0] = token;
	for (i = 1; i < k; i++, n++) {
		fds[i] = dial(o->host, o->port, IPPROTO_MPTCP, 0);
		if (fds[i] < 0 || mptcplib_get_token(fds[i], &tokens[i])) {
			fprintf(stderr, "connection %ld: %s\n", i + 1,
				strerror(errno));
			rc = 1;
			break;
		}
	}
	if (!rc)
		flood(us, o, fds, tokens, (int)k);
	for (i = 1; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(tokens);
	free(fds);
	return rc;
}

/* A socket from the give-fd helper at @path. */
static int fd_from(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	char c;
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	struct msghdr mh = { .msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = ctl.buf,
			     .msg_controllen = sizeof(ctl.buf) };
	struct cmsghdr *cm;
	int us, fd = -1;

	us = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	if (connect(us, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    recvmsg(us, &mh, MSG_CMSG_CLOEXEC) <= 0) {
		close(us);
		return -1;
	}
	cm = CMSG_FIRSTHDR(&mh);
	if (cm && cm->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(cm), sizeof(fd));
	close(us); /* the helper may go */
	return fd;
}

static int give_fd(const char *path, const char *host, const char *port)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	char line[64];
	int s, l, c;

	s = dial(host, port, IPPROTO_MPTCP, 0);
	if (s < 0 || io_read_line(s, line, sizeof(line))) {
		perror("give-fd: connect");
		return 1;
	}
	l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	unlink(path);
	if (bind(l, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(l, 1) < 0) {
		perror("give-fd: listen");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	c = accept(l, NULL, NULL);
	if (c < 0 || send_msg(c, "x", 1, &s, 1, 0)) {
		perror("give-fd: send");
		return 1;
	}
	/* Until the client is done with it. */
	while (read(c, line, sizeof(line)) > 0)
		;
	unlink(path);
	return 0;
}

/* Wait for the server to list @want subflows; print what it lists. */
static int watch_subflows(int fd, long want, long ms)
{
	long long until = now_us() + ms * 1000;
	char lines[8][128], line[128];
	int n;

	do {
		n = 0;
		if (io_write_all(fd, "STATE\n", 6))
			return -1;
		for (;;) {
			if (io_read_line(fd, line, sizeof(line)))
				return -1;
			if (!strcmp(line, "END"))
				break;
			if (n < 8)
				snprintf(lines[n++], sizeof(lines[0]), "%s",
					 line);
		}
		if (n >= want)
			break;
		usleep(50000);
	} while (now_us() < until);
	for (int i = 0; i < n; i++)
		printf("state: %s\n", lines[i]);
	return 0;
}

static int download(int fd, unsigned long long want)
{
	char cmd[64], buf[65536];
	unsigned long long got = 0;
	ssize_t n;

	snprintf(cmd, sizeof(cmd), "SEND %llu\n", want);
	if (io_write_all(fd, cmd, strlen(cmd)))
		return -1;
	while ((n = read(fd, buf, sizeof(buf))) > 0 ||
	       (n < 0 && errno == EINTR))
		if (n > 0)
			got += (unsigned long long)n;
	printf("got %llu bytes\n", got);
	return got == want ? 0 : -1;
}

static int usage(void)
{
	fprintf(stderr, "usage: mpa-pmclient [OPTIONS] HOST PORT\n"
			"       mpa-pmclient give-fd PATH HOST PORT\n"
			"(see tests/tools/mpa_pmclient.c)\n");
	return 2;
}

static int parse(int argc, char **argv, struct opts *o)
{
	int i;

	memset(o, 0, sizeof(*o));
	o->mode = "good";
	o->wait_ms = 2000;
	o->socket = getenv("MPTCP_AUTO_PM_SOCKET");
	if (!o->socket)
		o->socket = "/run/mptcp-auto/pm.sock";
	for (i = 1; i < argc && !strncmp(argv[i], "--", 2); i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--nonblock")) {
			o->nonblock = 1;
			continue;
		}
		if (!v)
			return -1;
		i++;
		if (!strcmp(a, "--socket"))
			o->socket = v;
		else if (!strcmp(a, "--mode"))
			o->mode = v;
		else if (!strcmp(a, "--fd-from"))
			o->fd_from = v;
		else if (!strcmp(a, "--narrow"))
			o->narrow = v;
		else if (!strcmp(a, "--flood"))
			o->flood = atol(v);
		else if (!strcmp(a, "--conns"))
			o->conns = atol(v);
		else if (!strcmp(a, "--wait-ms"))
			o->wait_ms = atol(v);
		else if (!strcmp(a, "--subflows"))
			o->subflows = atol(v);
		else if (!strcmp(a, "--hold-ms"))
			o->hold_ms = atol(v);
		else if (!strcmp(a, "--get"))
			o->get = strtoull(v, NULL, 10);
		else
			return -1;
	}
	if (argc - i != 2)
		return -1;
	o->host = argv[i];
	o->port = argv[i + 1];
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	char text[ENG_WIRE_MAX + 1], line[64];
	int fd, us, other = -1, fds[2], nfds = 1, rc = 0, len;
	long long t0, t1;
	uint32_t token = 0;
	struct opts o;

	if (argc == 5 && !strcmp(argv[1], "give-fd"))
		return give_fd(argv[2], argv[3], argv[4]);
	if (parse(argc, argv, &o))
		return usage();

	t0 = now_us();
	fd = dial(o.host, o.port, IPPROTO_MPTCP, o.nonblock);
	if (fd < 0) {
		perror("connect");
		return 1;
	}
	if (mptcplib_get_token(fd, &token))
		fprintf(stderr, "no token: %s\n", mptcplib_last_error());
	fds[0] = fd;
	if (!strcmp(o.mode, "forged")) {
		token ^= 0x5a5a5a5a;
	} else if (!strcmp(o.mode, "tcp")) {
		other = dial(o.host, o.port, IPPROTO_TCP, 0);
		fds[0] = other;
	} else if (!strcmp(o.mode, "listen")) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);

		getsockname(fd, (struct sockaddr *)&ss, &sl);
		other = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC,
			       IPPROTO_MPTCP);
		if (other < 0 || listen(other, 1) < 0) {
			perror("listen");
			return 1;
		}
		fds[0] = other;
	} else if (!strcmp(o.mode, "nofd")) {
		nfds = 0;
	} else if (!strcmp(o.mode, "twofds")) {
		fds[1] = fd;
		nfds = 2;
	} else if (!strcmp(o.mode, "foreign")) {
		other = o.fd_from ? fd_from(o.fd_from) : -1;
		if (other < 0 || mptcplib_get_token(other, &token)) {
			fprintf(stderr, "no socket from the helper\n");
			return 1;
		}
		fds[0] = other;
	} else if (strcmp(o.mode, "good") && strcmp(o.mode, "garbage") &&
		   strcmp(o.mode, "native")) {
		return usage();
	}
	if (fds[0] < 0) {
		perror("the socket to pass");
		return 1;
	}

	us = socket(AF_UNIX,
		    SOCK_SEQPACKET | SOCK_CLOEXEC |
			    (o.nonblock ? SOCK_NONBLOCK : 0),
		    0);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", o.socket);
	if (!strcmp(o.mode, "native")) {
		/* A program without the shim: nothing registered. */
		close(us);
		us = -1;
	} else if (connect(us, (struct sockaddr *)&a, sizeof(a)) < 0) {
		t1 = now_us();
		printf("connect-us %lld\n", t1 - t0);
		printf("reply: no daemon (%s)\n", strerror(errno));
		close(us);
		us = -1;
	} else if (o.flood) {
		rc = flood_many(us, &o, fds[0], token);
	} else {
		if (!strcmp(o.mode, "garbage"))
			len = snprintf(text, sizeof(text), GARBAGE);
		else
			len = register_text(&o, 1, token, text, sizeof(text));
		/* Like the shim: never wait on the daemon's socket. */
		if (send_msg(us, text, (size_t)len, fds, nfds,
			     o.nonblock ? MSG_DONTWAIT : 0))
			printf("send: %s\n", strerror(errno));
		t1 = now_us();
		printf("connect-us %lld\n", t1 - t0);
		if (!o.nonblock)
			print_reply(us, o.wait_ms);
	}
	printf("token %08x\n", token);
	fflush(stdout);
	if (other >= 0)
		close(other);

	if (o.nonblock) {
		struct pollfd p = { .fd = fd, .events = POLLOUT };

		poll(&p, 1, 5000);
		set_blocking(fd);
	}
	if (io_read_line(fd, line, sizeof(line)) || strcmp(line, "OK")) {
		fprintf(stderr, "no greeting from the server\n");
		rc = 1;
	}
	if (!rc && o.subflows && watch_subflows(fd, o.subflows, 5000))
		rc = 1;
	fflush(stdout);
	if (o.hold_ms)
		usleep((useconds_t)o.hold_ms * 1000);
	if (!rc && o.get && download(fd, o.get))
		rc = 1;
	if (o.nonblock && us >= 0)
		print_reply(us, 0);
	fflush(stdout);
	close(fd);
	if (us >= 0)
		close(us);
	return rc;
}

// SPDX-License-Identifier: MIT
/*
 * Verification of a registration: the facts of the passed socket and of
 * the sender, gathered from the kernel, and the pure decisions on them.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cmn_syscall.h"
#include "dmn_verify.h"
#include "mptcplib.h"

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif
#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71 /* 5.14 */
#endif
#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77 /* 6.5 */
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

enum dmn_verdict dmn_verify_decide(const struct dmn_facts *f, uint32_t claimed,
				   const char **why)
{
	const char *r = NULL;

	if (f->nfds == 0 && !f->fds_cut)
		r = "no socket passed with the message";
	else if (f->nfds > 1 || f->fds_cut)
		r = "more than one descriptor passed";
	else if (f->sock_err == -ENOTSOCK)
		r = "the descriptor is not a socket";
	else if (f->sock_err)
		r = "the socket cannot be read";
	else if (f->family != AF_INET && f->family != AF_INET6)
		r = "not an IPv4 or IPv6 socket";
	else if (f->type != SOCK_STREAM)
		r = "not a stream socket";
	else if (f->protocol != IPPROTO_MPTCP)
		r = "not an MPTCP socket";
	else if (f->listening != 0)
		r = "a listening socket";
	/* Before the token: a token means nothing in another namespace. */
	else if (f->netns_err)
		r = "the socket's network namespace cannot be read";
	else if (f->netns != f->own_netns)
		r = "a socket of another network namespace";
	else if (f->info_err == -EOPNOTSUPP)
		r = "the connection fell back to TCP";
	else if (f->info_err)
		r = "MPTCP_INFO cannot be read";
	else if (f->token == 0)
		r = "the socket is not connected";
	else if (f->token != claimed)
		r = "the token is not the socket's";
	if (r) {
		*why = r;
		return DMN_VERDICT_REFUSE;
	}
	*why = NULL;
	return f->connected ? DMN_VERDICT_CONNECTED : DMN_VERDICT_CONNECTING;
}

static int sockopt_int(int fd, int opt, int *out)
{
	socklen_t len = sizeof(*out);

	if (getsockopt(fd, SOL_SOCKET, opt, out, &len) < 0)
		return -errno;
	return 0;
}

int dmn_verify_netns(int fd, uint64_t *cookie)
{
	socklen_t len = sizeof(*cookie);

	if (getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, cookie, &len) < 0)
		return -errno;
	return len == sizeof(*cookie) ? 0 : -EINVAL;
}

void dmn_verify_gather(int fd, int nfds, bool cut, uint64_t own_netns,
		       struct dmn_facts *f)
{
	socklen_t len;

	memset(f, 0, sizeof(*f));
	f->nfds = nfds;
	f->fds_cut = cut;
	f->own_netns = own_netns;
	f->family = f->type = f->protocol = f->listening = -1;
	if (fd < 0)
		return;
	f->sock_err = sockopt_int(fd, SO_DOMAIN, &f->family);
	if (!f->sock_err)
		f->sock_err = sockopt_int(fd, SO_TYPE, &f->type);
	if (!f->sock_err)
		f->sock_err = sockopt_int(fd, SO_PROTOCOL, &f->protocol);
	if (!f->sock_err)
		f->sock_err = sockopt_int(fd, SO_ACCEPTCONN, &f->listening);
	if (f->sock_err)
		return;
	f->netns_err = dmn_verify_netns(fd, &f->netns);
	if (f->protocol != IPPROTO_MPTCP)
		return;
	/* Positive errno from the library (its public convention). */
	f->info_err = -mptcplib_get_token(fd, &f->token);
	len = sizeof(f->local);
	if (getsockname(fd, (struct sockaddr *)&f->local, &len) < 0)
		f->local.ss_family = AF_UNSPEC;
	len = sizeof(f->remote);
	/* ENOTCONN while the SYN is out: a non-blocking connect(). */
	f->connected = getpeername(fd, (struct sockaddr *)&f->remote, &len) ==
			       0 &&
		       f->local.ss_family != AF_UNSPEC;
}

int dmn_peer_read(int client_fd, struct dmn_peer *p)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int pidfd;

	p->pidfd = -1;
	if (getsockopt(client_fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return -errno;
	p->uid = cred.uid;
	p->gid = cred.gid;
	p->pid = cred.pid;
	len = sizeof(pidfd);
	if (getsockopt(client_fd, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &len) ==
	    0) {
		p->pidfd = pidfd;
		return 0;
	}
	/*
	 * Before 6.5: a pidfd taken now, just after the peer connected; the
	 * pid could have been reused in between only if the peer exited.
	 */
	if (cred.pid > 0)
		p->pidfd = (int)syscall(SYS_pidfd_open, cred.pid, 0);
	if (p->pidfd >= 0)
		fcntl(p->pidfd, F_SETFD, FD_CLOEXEC);
	else
		p->pidfd = -1;
	return 0;
}

void dmn_peer_fini(struct dmn_peer *p)
{
	if (p->pidfd >= 0)
		close(p->pidfd);
	p->pidfd = -1;
}

/* @src up to its first NUL or @len bytes, into @dst of @size. */
static void copy_arg(char *dst, size_t size, const char *src, size_t len)
{
	size_t n = strnlen(src, len);

	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* The names of @cmdline's first two arguments into @a0 and @a1. */
static void split_args(const char *cmdline, size_t len, char *a0, char *a1,
		       size_t size)
{
	size_t n0;

	a0[0] = a1[0] = '\0';
	if (!cmdline || !len)
		return;
	copy_arg(a0, size, cmdline, len);
	n0 = strnlen(cmdline, len);
	if (n0 + 1 < len)
		copy_arg(a1, size, cmdline + n0 + 1, len - n0 - 1);
}

void dmn_prog_from(const char *exe, const char *comm, const char *cmdline,
		   size_t len, struct dmn_prog *out)
{
	char e[PATH_MAX], c[64], a0[PATH_MAX], a1[PATH_MAX];
	const char *del = " (deleted)";
	size_t n0;

	e[0] = c[0] = '\0';
	if (exe) {
		snprintf(e, sizeof(e), "%s", exe);
		n0 = strlen(e);
		if (n0 > strlen(del) && !strcmp(e + n0 - strlen(del), del))
			e[n0 - strlen(del)] = '\0';
	}
	if (comm) {
		snprintf(c, sizeof(c), "%s", comm);
		c[strcspn(c, "\n")] = '\0';
	}
	split_args(cmdline, len, a0, a1, sizeof(a0));
	mpa_prog_id_init(&out->id, &out->names, e[0] ? e : c, a0[0] ? a0 : c,
			 a1);
}

void dmn_prog_add_argv(struct dmn_prog *p, const char *cmdline, size_t len)
{
	char a0[PATH_MAX], a1[PATH_MAX];
	struct mpa_prog_names was = p->names;

	split_args(cmdline, len, a0, a1, sizeof(a0));
	/*
	 * The executable's name is already a basename (its own, or comm's),
	 * and argv0 is comm's until now: what dmn_prog_from() falls back to.
	 */
	mpa_prog_id_init(&p->id, &p->names, p->id.exe ? was.exe : NULL,
			 a0[0]	     ? a0 :
			 p->id.argv0 ? was.argv0 :
				       NULL,
			 a1);
}

static ssize_t read_proc(const char *procdir, pid_t pid, const char *what,
			 char *buf, size_t len)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%d/%s", procdir, (int)pid, what);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

ssize_t dmn_prog_read_cmdline(const char *procdir, pid_t pid, char *buf,
			      size_t len)
{
	return read_proc(procdir, pid, "cmdline", buf, len);
}

bool dmn_peer_alive(const struct dmn_peer *p)
{
	/*
	 * EPERM says it runs too: the daemon, with CAP_NET_ADMIN alone as
	 * its unit gives it, may not signal another user's process, not
	 * even with signal 0.
	 */
	return p->pidfd < 0 ||
	       syscall(SYS_pidfd_send_signal, p->pidfd, 0, NULL, 0) == 0 ||
	       errno == EPERM;
}

int dmn_prog_read(const struct dmn_peer *p, const char *procdir,
		  struct dmn_prog *out)
{
	char path[PATH_MAX], exe[PATH_MAX], comm[64];
	ssize_t ne, nc;

	mpa_prog_id_init(&out->id, &out->names, NULL, NULL, NULL);
	if (p->pid <= 0)
		return -ESRCH;
	/*
	 * Neither touches the process's memory: the kernel answers from its
	 * task (comm) and the file its mm maps (exe), so the process cannot
	 * make these reads wait. Its command line is another matter.
	 */
	snprintf(path, sizeof(path), "%s/%d/exe", procdir, (int)p->pid);
	ne = readlink(path, exe, sizeof(exe) - 1);
	if (ne >= 0)
		exe[ne] = '\0';
	nc = read_proc(procdir, p->pid, "comm", comm, sizeof(comm));
	if (ne < 0 && nc < 0)
		return -ESRCH;
	/* The process still runs, so the pid was its own while we read. */
	if (!dmn_peer_alive(p))
		return -ESRCH;
	dmn_prog_from(ne >= 0 ? exe : NULL, nc >= 0 ? comm : NULL, NULL, 0,
		      out);
	return 0;
}

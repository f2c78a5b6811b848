// SPDX-License-Identifier: MIT
/*
 * The one place where the shim changes its socket() decision: a converted
 * socket that refuses an option TCP takes, before connect or listen, is
 * replaced on the program's descriptor by an equivalent TCP socket.
 * Every step before the final dup3() can be abandoned without a trace.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "mpa_log.h"
#include "mpa_shim.h"
#include "mpa_sockopt.h"
#include "mpa_swap.h"
#include "mpl_uapi.h"

/* One carried option as the MPTCP socket has it. */
struct carried {
	bool ok; /* read from the MPTCP socket: set and checked on TCP */
	socklen_t len;
	unsigned char val[MPA_CARRY_MAX];
};

static int sock_get(int fd, int level, int optname, void *val, socklen_t *len)
{
	return getsockopt(fd, level, optname, val, len) < 0 ? -errno : 0;
}

/* Internal sets go to the C library's function, never to our hook. */
static int sock_set(int fd, int level, int optname, const void *val,
		    socklen_t len)
{
	return mpa_shim.real_setsockopt(fd, level, optname, val, len) < 0 ?
		       -errno :
		       0;
}

static int sock_get_int(int fd, int level, int optname, int *v)
{
	socklen_t len = sizeof(*v);

	return sock_get(fd, level, optname, v, &len);
}

/*
 * State read from the kernel, never remembered by us: an MPTCP socket in
 * TCP state CLOSE (not listening, not connecting: getpeername() would say
 * ENOTCONN during SYN-SENT too) that has no token yet, which the kernel
 * assigns at connect and keeps after the connection has ended.
 */
static bool swap_is_fresh(int fd)
{
	struct mpl_mptcp_info mi;
	struct tcp_info ti;
	socklen_t len = sizeof(ti);
	int proto;

	if (sock_get_int(fd, SOL_SOCKET, SO_PROTOCOL, &proto) ||
	    proto != MPL_IPPROTO_MPTCP)
		return false;
	memset(&ti, 0, sizeof(ti));
	if (sock_get(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) || len < 1 ||
	    ti.tcpi_state != TCP_CLOSE)
		return false;
	memset(&mi, 0, sizeof(mi));
	len = sizeof(mi);
	return !sock_get(fd, MPL_SOL_MPTCP, MPL_MPTCP_INFO, &mi, &len) &&
	       len >= offsetof(struct mpl_mptcp_info, token) +
			       sizeof(mi.token) &&
	       !mi.token;
}

/* Does @tfd have @c's option as @want has it? */
static bool carry_same(int tfd, const struct mpa_carry *c,
		       const struct carried *want)
{
	unsigned char val[MPA_CARRY_MAX];
	socklen_t len = sizeof(val);

	memset(val, 0, sizeof(val));
	return !sock_get(tfd, c->level, c->optname, val, &len) &&
	       len == want->len && !memcmp(val, want->val, len);
}

/*
 * Copy onto @tfd (fresh) every option of the table that @fd has otherwise
 * than a fresh socket. Options left at their default are not set, so that
 * the kernel keeps treating them as defaults (a buffer size set, even to
 * its default, turns off the kernel's buffer tuning).
 */
static int carry_options(int fd, int tfd, int domain, struct carried *cv)
{
	unsigned char set[MPA_CARRY_MAX];
	socklen_t setlen;
	size_t i;
	int err;

	for (i = 0; i < MPA_CARRY_COUNT; i++) {
		const struct mpa_carry *c = &mpa_carry_table[i];
		struct carried *v = &cv[i];

		v->ok = false;
		if (!mpa_carry_applies(c, domain))
			continue;
		memset(v->val, 0, sizeof(v->val));
		v->len = sizeof(v->val);
		/* Not readable on this kernel's MPTCP: not settable there. */
		if (sock_get(fd, c->level, c->optname, v->val, &v->len))
			continue;
		v->ok = true;
		if (carry_same(tfd, c, v))
			continue;
		err = mpa_carry_value(c, v->val, v->len, set, &setlen);
		if (!err)
			err = sock_set(tfd, c->level, c->optname, set, setlen);
		/* Past the sysctl limit: the program had the right to force. */
		if (!err && c->force && !carry_same(tfd, c, v))
			err = sock_set(tfd, c->level, c->force, set, setlen);
		if (err) {
			if (mpa_log_enabled(CMN_LOG_DEBUG))
				mpa_log(CMN_LOG_DEBUG,
					"fd %d: %s not carried: %s", fd,
					c->name, strerror(-err));
			return err;
		}
	}
	return 0;
}

/* Everything carried reads back the same once all of it is set. */
static int carry_check(int fd, int tfd, const struct carried *cv)
{
	size_t i;

	for (i = 0; i < MPA_CARRY_COUNT; i++) {
		if (cv[i].ok && !carry_same(tfd, &mpa_carry_table[i], &cv[i])) {
			mpa_log(CMN_LOG_DEBUG, "fd %d: %s differs on TCP", fd,
				mpa_carry_table[i].name);
			return -EIO;
		}
	}
	return 0;
}

/*
 * Bind @tfd where @fd is bound while @fd still holds the port: two
 * sockets may share a port when both have SO_REUSEADDR and neither
 * listens. Both get back the program's setting afterwards, so that the
 * MPTCP socket is as it was if we give up later.
 */
static int swap_bind(int fd, int tfd, const struct sockaddr_storage *ss,
		     socklen_t len, int reuse)
{
	int one = 1, err, undo;

	err = sock_set(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (!err)
		err = sock_set(tfd, SOL_SOCKET, SO_REUSEADDR, &one,
			       sizeof(one));
	if (!err && bind(tfd, (const struct sockaddr *)ss, len) < 0)
		err = -errno;
	undo = sock_set(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, sizeof(reuse));
	if (!err)
		err = undo;
	if (!err)
		err = sock_set(tfd, SOL_SOCKET, SO_REUSEADDR, &reuse,
			       sizeof(reuse));
	return err;
}

/* O_NONBLOCK is given at socket(); owner, signal, O_ASYNC here. */
static int copy_fcntl(int fd, int tfd, int fl)
{
	struct f_owner_ex own = { 0 };
	int sig;

	if (fcntl(fd, F_GETOWN_EX, &own) < 0)
		return -errno;
	if (own.pid && fcntl(tfd, F_SETOWN_EX, &own) < 0)
		return -errno;
	sig = fcntl(fd, F_GETSIG);
	if (sig < 0 || (sig && fcntl(tfd, F_SETSIG, sig) < 0))
		return -errno;
	if (fcntl(tfd, F_GETFL) != fl && fcntl(tfd, F_SETFL, fl) < 0)
		return -errno;
	return 0;
}

int mpa_swap_to_tcp(int fd, int level, int optname, const void *val,
		    socklen_t len)
{
	struct carried cv[MPA_CARRY_COUNT];
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof(ss);
	int domain, fl, fdfl, tfd, err, reuse = 0;

	if (!swap_is_fresh(fd))
		return -EBUSY;
	if (sock_get_int(fd, SOL_SOCKET, SO_DOMAIN, &domain) ||
	    (domain != AF_INET && domain != AF_INET6))
		return -EAFNOSUPPORT;
	fl = fcntl(fd, F_GETFL);
	fdfl = fcntl(fd, F_GETFD);
	if (fl < 0 || fdfl < 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &sslen) < 0)
		return -errno;
	sock_get_int(fd, SOL_SOCKET, SO_REUSEADDR, &reuse);
	/*
	 * The new socket briefly has a descriptor number of its own, seen
	 * by the program's other threads only as one number less free; it
	 * is close-on-exec and closed before we return.
	 */
	tfd = mpa_shim.real_socket(domain,
				   SOCK_STREAM | SOCK_CLOEXEC |
					   (fl & O_NONBLOCK ? SOCK_NONBLOCK :
							      0),
				   IPPROTO_TCP);
	if (tfd < 0)
		return -errno;
	err = carry_options(fd, tfd, domain, cv);
	/* Before bind(), which has its own say (IPV6_V6ONLY on ::1). */
	if (!err)
		err = carry_check(fd, tfd, cv);
	if (!err && mpa_sockaddr_is_bound(&ss, sslen))
		err = swap_bind(fd, tfd, &ss, sslen, reuse);
	/* TCP has the last word on the program's option: refused, no swap. */
	if (!err)
		err = sock_set(tfd, level, optname, val, len);
	if (!err)
		err = copy_fcntl(fd, tfd, fl);
	/* The point of no return: atomic, fd is never missing or closed. */
	if (!err && dup3(tfd, fd, fdfl & FD_CLOEXEC ? O_CLOEXEC : 0) < 0)
		err = -errno;
	close(tfd);
	if (err) {
		if (mpa_log_enabled(CMN_LOG_DEBUG))
			mpa_log(CMN_LOG_DEBUG,
				"fd %d: option %d/%d refused by MPTCP; kept "
				"MPTCP, no TCP socket would do (%s)",
				fd, level, optname, strerror(-err));
		return err;
	}
	mpa_log(CMN_LOG_DEBUG,
		"fd %d: option %d/%d refused by MPTCP: now a TCP socket", fd,
		level, optname);
	return 0;
}

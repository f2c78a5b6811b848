// SPDX-License-Identifier: MIT
/*
 * The only three functions the shim exports. Each does what the program
 * asked; everything else is an addition that fails open: if anything goes
 * wrong, the program sees exactly what it would without the shim.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "mpa_log.h"
#include "mpa_shim.h"
#include "mpa_sockopt.h"
#include "mpa_swap.h"

#define MPA_EXPORT __attribute__((visibility("default")))

MPA_EXPORT int socket(int domain, int type, int protocol);
MPA_EXPORT int connect(int fd, const struct sockaddr *addr, socklen_t len);
MPA_EXPORT int setsockopt(int fd, int level, int optname, const void *val,
			  socklen_t len);

#ifdef MPA_HOOK_DEPTH_CHECK
#include <stdlib.h>
/*
 * Debug builds (make shim-debug) prove that nothing the shim does calls
 * back into its own hooks: the tests run them and a nested hook aborts.
 */
static __thread int hook_depth;
#define HOOK_ENTER()                  \
	do {                          \
		if (++hook_depth > 1) \
			abort();      \
	} while (0)
#define HOOK_LEAVE() (hook_depth--)
#else
#define HOOK_ENTER() ((void)0)
#define HOOK_LEAVE() ((void)0)
#endif

static int socket_hooked(int domain, int type, int protocol)
{
	int saved = errno, fd;

	/* Called before our constructor (another library's): pass through. */
	if (!mpa_shim.real_socket)
		return (int)syscall(SYS_socket, domain, type, protocol);
	if (!mpa_shim.ready || !mpa_shim.convert ||
	    !mpa_socket_eligible(domain, type, protocol))
		return mpa_shim.real_socket(domain, type, protocol);
	fd = mpa_shim.real_socket(domain, type, IPPROTO_MPTCP);
	if (fd >= 0) {
		errno = saved;
		return fd;
	}
	/*
	 * Refused (MPTCP disabled, not in the kernel, a seccomp filter, no
	 * memory...): make the socket the program asked for, so that result
	 * and errno are exactly those of a run without the shim.
	 */
	if (mpa_log_enabled(CMN_LOG_DEBUG))
		mpa_log(CMN_LOG_DEBUG, "MPTCP socket refused (%s): plain TCP",
			strerror(errno));
	errno = saved;
	return mpa_shim.real_socket(domain, type, protocol);
}

int socket(int domain, int type, int protocol)
{
	int fd;

	HOOK_ENTER();
	fd = socket_hooked(domain, type, protocol);
	HOOK_LEAVE();
	return fd;
}

static int connect_hooked(int fd, const struct sockaddr *addr, socklen_t len)
{
	int rc, saved;

	if (!mpa_shim.real_connect)
		return (int)syscall(SYS_connect, fd, addr, len);
	rc = mpa_shim.real_connect(fd, addr, len);
	if (!mpa_shim.ready)
		return rc;
	if (!mpa_shim.subflows) {
		/* Until said: why the policy's subflows will not come. */
		if (atomic_load_explicit(&mpa_shim.say_at_connect,
					 memory_order_relaxed) == CMN_SAY_NONE)
			return rc;
		saved = errno;
		if (rc == 0 || saved == EINPROGRESS)
			mpa_say_connect(addr, len);
		errno = saved;
		return rc;
	}
	saved = errno;
	if (rc == 0 || saved == EINPROGRESS)
		mpa_track(fd, addr, len);
	errno = saved;
	return rc;
}

int connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	int rc;

	HOOK_ENTER();
	rc = connect_hooked(fd, addr, len);
	HOOK_LEAVE();
	return rc;
}

static int setsockopt_hooked(int fd, int level, int optname, const void *val,
			     socklen_t len)
{
	int saved = errno, rc, err;

	if (!mpa_shim.real_setsockopt)
		return (int)syscall(SYS_setsockopt, fd, level, optname, val,
				    len);
	rc = mpa_shim.real_setsockopt(fd, level, optname, val, len);
	if (rc == 0 || !mpa_shim.ready || !mpa_shim.convert)
		return rc;
	err = errno;
	/* Most refusals are final: decided here without a system call. */
	if (!mpa_sockopt_swap_case(level, err))
		return rc;
	/*
	 * MPTCP may have refused what TCP takes (TCP_USER_TIMEOUT...): the
	 * program asked for a TCP socket, so it gets one, while that is
	 * still possible. Otherwise it gets the kernel's answer as is.
	 */
	if (mpa_swap_to_tcp(fd, level, optname, val, len) == 0) {
		errno = saved;
		return 0;
	}
	errno = err;
	return rc;
}

int setsockopt(int fd, int level, int optname, const void *val, socklen_t len)
{
	int rc;

	HOOK_ENTER();
	rc = setsockopt_hooked(fd, level, optname, val, len);
	HOOK_LEAVE();
	return rc;
}

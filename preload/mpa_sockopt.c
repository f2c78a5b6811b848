// SPDX-License-Identifier: MIT
/*
 * Which setsockopt() refusals give the program a TCP socket back, and the
 * table of options that TCP socket inherits from the MPTCP one. Pure.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#include "mpa_sockopt.h"

/* Newer than some system headers; values from the kernel's uapi. */
#ifndef SO_BINDTOIFINDEX
#define SO_BINDTOIFINDEX 62
#endif
#ifndef IP_LOCAL_PORT_RANGE
#define IP_LOCAL_PORT_RANGE 51
#endif
#ifndef IPV6_FREEBIND
#define IPV6_FREEBIND 78
#endif

/*
 * What MPTCP lets a program set before connect and read back (measured in
 * docs/sockopts.md), and so what the program may have set before the
 * option MPTCP refused. Options MPTCP refuses need no row: the program
 * cannot have set them.
 *
 * Order matters where one option changes another; rows are set in order:
 * - everything bind() looks at (reuse, device, v6only, freebind,
 *   transparent, port range) comes before the bind, which follows the
 *   table;
 * - IP_TOS comes before SO_PRIORITY, because setting the TOS also resets
 *   the priority;
 * - SO_TIMESTAMP before SO_TIMESTAMPNS, which implies it.
 *
 * Not carried, because MPTCP accepts them without keeping them (they read
 * back as unset): SO_DONTROUTE, SO_BROADCAST, SO_RXQ_OVFL, SO_WIFI_STATUS,
 * SO_NOFCS, SO_SELECT_ERR_QUEUE; nor SO_BUSY_POLL_BUDGET, which cannot be
 * read back. A program that set one of them before the swap loses it (see
 * preload/DESIGN.md).
 */
const struct mpa_carry mpa_carry_table[] = {
	/* bind()'s inputs: before the bind that follows the table */
	{ "SO_REUSEADDR", SOL_SOCKET, SO_REUSEADDR, 0, 0 },
	{ "SO_REUSEPORT", SOL_SOCKET, SO_REUSEPORT, 0, 0 },
	/* SO_BINDTODEVICE's index form: an int, no name to copy */
	{ "SO_BINDTOIFINDEX", SOL_SOCKET, SO_BINDTOIFINDEX, 0, 0 },
	{ "IPV6_V6ONLY", IPPROTO_IPV6, IPV6_V6ONLY, 0, MPA_CARRY_V6 },
	{ "IPV6_FREEBIND", IPPROTO_IPV6, IPV6_FREEBIND, 0, MPA_CARRY_V6 },
	{ "IPV6_TRANSPARENT", IPPROTO_IPV6, IPV6_TRANSPARENT, 0, MPA_CARRY_V6 },
	{ "IP_FREEBIND", IPPROTO_IP, IP_FREEBIND, 0, 0 },
	{ "IP_TRANSPARENT", IPPROTO_IP, IP_TRANSPARENT, 0, 0 },
	{ "IP_BIND_ADDRESS_NO_PORT", IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, 0,
	  0 },
	{ "IP_LOCAL_PORT_RANGE", IPPROTO_IP, IP_LOCAL_PORT_RANGE, 0, 0 },
	/* buffers: getsockopt() reports the doubled size the kernel keeps */
	{ "SO_RCVBUF", SOL_SOCKET, SO_RCVBUF, SO_RCVBUFFORCE, MPA_CARRY_HALVE },
	{ "SO_SNDBUF", SOL_SOCKET, SO_SNDBUF, SO_SNDBUFFORCE, MPA_CARRY_HALVE },
	/* IP_TOS resets SO_PRIORITY: TOS first */
	{ "IP_TOS", IPPROTO_IP, IP_TOS, 0, 0 },
	{ "SO_PRIORITY", SOL_SOCKET, SO_PRIORITY, 0, 0 },
	{ "SO_MARK", SOL_SOCKET, SO_MARK, 0, 0 },
	{ "SO_KEEPALIVE", SOL_SOCKET, SO_KEEPALIVE, 0, 0 },
	{ "SO_LINGER", SOL_SOCKET, SO_LINGER, 0, 0 },
	{ "SO_RCVLOWAT", SOL_SOCKET, SO_RCVLOWAT, 0, 0 },
	{ "SO_RCVTIMEO", SOL_SOCKET, SO_RCVTIMEO, 0, 0 },
	{ "SO_SNDTIMEO", SOL_SOCKET, SO_SNDTIMEO, 0, 0 },
	{ "SO_TIMESTAMP", SOL_SOCKET, SO_TIMESTAMP, 0, 0 },
	{ "SO_TIMESTAMPNS", SOL_SOCKET, SO_TIMESTAMPNS, 0, 0 },
	{ "SO_TIMESTAMPING", SOL_SOCKET, SO_TIMESTAMPING, 0, 0 },
	{ "SO_BUSY_POLL", SOL_SOCKET, SO_BUSY_POLL, 0, 0 },
	{ "SO_PREFER_BUSY_POLL", SOL_SOCKET, SO_PREFER_BUSY_POLL, 0, 0 },
	{ "SO_INCOMING_CPU", SOL_SOCKET, SO_INCOMING_CPU, 0, 0 },
	{ "SO_DEBUG", SOL_SOCKET, SO_DEBUG, 0, 0 },
	{ "TCP_NODELAY", IPPROTO_TCP, TCP_NODELAY, 0, 0 },
	{ "TCP_CORK", IPPROTO_TCP, TCP_CORK, 0, 0 },
	{ "TCP_KEEPIDLE", IPPROTO_TCP, TCP_KEEPIDLE, 0, 0 },
	{ "TCP_KEEPINTVL", IPPROTO_TCP, TCP_KEEPINTVL, 0, 0 },
	{ "TCP_KEEPCNT", IPPROTO_TCP, TCP_KEEPCNT, 0, 0 },
	{ "TCP_MAXSEG", IPPROTO_TCP, TCP_MAXSEG, 0, 0 },
	{ "TCP_CONGESTION", IPPROTO_TCP, TCP_CONGESTION, 0, MPA_CARRY_STRING },
	{ "TCP_NOTSENT_LOWAT", IPPROTO_TCP, TCP_NOTSENT_LOWAT, 0, 0 },
	{ "TCP_DEFER_ACCEPT", IPPROTO_TCP, TCP_DEFER_ACCEPT, 0, 0 },
	{ "TCP_FASTOPEN", IPPROTO_TCP, TCP_FASTOPEN, 0, 0 },
	{ "TCP_FASTOPEN_CONNECT", IPPROTO_TCP, TCP_FASTOPEN_CONNECT, 0, 0 },
	{ "TCP_FASTOPEN_NO_COOKIE", IPPROTO_TCP, TCP_FASTOPEN_NO_COOKIE, 0, 0 },
	{ "TCP_INQ", IPPROTO_TCP, TCP_INQ, 0, 0 },
};

_Static_assert(sizeof(mpa_carry_table) / sizeof(mpa_carry_table[0]) ==
		       MPA_CARRY_COUNT,
	       "MPA_CARRY_COUNT is the number of rows");

bool mpa_sockopt_swap_case(int level, int err)
{
	/*
	 * Only "not on this protocol": EINVAL, EPERM and the like would be
	 * the same on TCP, so a swap could not help.
	 */
	if (err != ENOPROTOOPT && err != EOPNOTSUPP)
		return false;
	return level == SOL_SOCKET || level == IPPROTO_TCP ||
	       level == IPPROTO_IP || level == IPPROTO_IPV6;
}

bool mpa_carry_applies(const struct mpa_carry *c, int domain)
{
	if (c->flags & MPA_CARRY_V6)
		return domain == AF_INET6;
	return domain == AF_INET || domain == AF_INET6;
}

int mpa_carry_value(const struct mpa_carry *c, const void *got,
		    socklen_t gotlen, void *set, socklen_t *setlen)
{
	int v;

	if (gotlen > MPA_CARRY_MAX)
		return -EINVAL;
	if (c->flags & MPA_CARRY_HALVE) {
		if (gotlen != sizeof(int))
			return -EINVAL;
		memcpy(&v, got, sizeof(v));
		v /= 2;
		memcpy(set, &v, sizeof(v));
		*setlen = sizeof(v);
		return 0;
	}
	if (c->flags & MPA_CARRY_STRING) {
		*setlen = (socklen_t)strnlen(got, gotlen);
		if (!*setlen)
			return -EINVAL;
		memcpy(set, got, *setlen);
		return 0;
	}
	memcpy(set, got, gotlen);
	*setlen = gotlen;
	return 0;
}

bool mpa_sockaddr_is_bound(const struct sockaddr_storage *ss, socklen_t len)
{
	const struct sockaddr_in *in = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;

	if (ss->ss_family == AF_INET && len >= sizeof(*in))
		return in->sin_port || in->sin_addr.s_addr != htonl(INADDR_ANY);
	if (ss->ss_family == AF_INET6 && len >= sizeof(*in6))
		return in6->sin6_port ||
		       !IN6_IS_ADDR_UNSPECIFIED(&in6->sin6_addr);
	return false;
}

/* SPDX-License-Identifier: MIT */
/*
 * Socket options that MPTCP refuses and TCP takes: when such a refusal
 * calls for giving the program back a TCP socket, and which options that
 * TCP socket must carry over from the MPTCP one. Pure: no system call;
 * preload/mpa_swap.c does the swap itself (see preload/DESIGN.md).
 */
#ifndef MPA_SOCKOPT_H
#define MPA_SOCKOPT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

enum mpa_carry_flags {
	/* getsockopt() reports twice what setsockopt() was given */
	MPA_CARRY_HALVE = 1 << 0,
	/* a NUL-padded name: set only its characters (TCP_CONGESTION) */
	MPA_CARRY_STRING = 1 << 1,
	/* AF_INET6 sockets only (IPV6_* options) */
	MPA_CARRY_V6 = 1 << 2,
};

/* One option to read from the MPTCP socket and set on its replacement. */
struct mpa_carry {
	const char *name;
	int level, optname;
	int force; /* optname past the sysctl limit (SO_RCVBUFFORCE), or 0 */
	unsigned int flags; /* enum mpa_carry_flags */
};

/* The options carried, in the order they are set (see mpa_sockopt.c). */
#define MPA_CARRY_COUNT 40
extern const struct mpa_carry mpa_carry_table[];

/* Largest option value in mpa_carry_table (struct linger, timeval...). */
#define MPA_CARRY_MAX 32

/*
 * mpa_sockopt_swap_case() - may a setsockopt() at @level that failed with
 * @err on an MPTCP socket be worth a TCP socket? True for the "not on this
 * protocol" answers (ENOPROTOOPT, EOPNOTSUPP) at the levels a TCP socket
 * has (SOL_SOCKET, IPPROTO_TCP, IPPROTO_IP, IPPROTO_IPV6), whatever the
 * option: which ones MPTCP refuses differs from kernel to kernel, and
 * whether TCP takes this one is for the kernel to say, on the TCP socket,
 * before anything is changed.
 */
bool mpa_sockopt_swap_case(int level, int err);

/* mpa_carry_applies() - is @c an option of sockets of @domain? */
bool mpa_carry_applies(const struct mpa_carry *c, int domain);

/*
 * mpa_carry_value() - the setsockopt() argument that recreates the value
 * getsockopt() returned (@got, @gotlen bytes): halved for buffer sizes,
 * only the name's characters for strings. Writes at most MPA_CARRY_MAX
 * bytes to @set. Returns 0, or -EINVAL for a value it cannot carry.
 */
int mpa_carry_value(const struct mpa_carry *c, const void *got,
		    socklen_t gotlen, void *set, socklen_t *setlen);

/*
 * mpa_sockaddr_is_bound() - does @ss (@len bytes, from getsockname())
 * show a bind(): a port, or an address other than the wildcard?
 */
bool mpa_sockaddr_is_bound(const struct sockaddr_storage *ss, socklen_t len);

#endif /* MPA_SOCKOPT_H */

// SPDX-License-Identifier: MIT
/*
 * The shim's socket-option decisions (preload/mpa_sockopt.c): which
 * setsockopt() refusals may be worth a TCP socket, the table of options
 * carried over, and the values and addresses it copies.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>

#include "mpa_sockopt.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct swap_case {
	int level, err;
	bool swap;
} swap_cases[] = {
	/* "not on this protocol", at a level TCP sockets have */
	{ IPPROTO_TCP, ENOPROTOOPT, true }, /* TCP_USER_TIMEOUT on 6.18 */
	{ IPPROTO_TCP, EOPNOTSUPP, true },
	{ SOL_SOCKET, EOPNOTSUPP, true }, /* SO_ZEROCOPY */
	{ IPPROTO_IP, EOPNOTSUPP, true }, /* IP_TTL */
	{ IPPROTO_IP, ENOPROTOOPT, true }, /* IP_OPTIONS */
	{ IPPROTO_IPV6, EOPNOTSUPP, true }, /* IPV6_TCLASS */
	/* answers TCP would give as well */
	{ IPPROTO_TCP, EINVAL, false },
	{ IPPROTO_TCP, EPERM, false },
	{ SOL_SOCKET, EBADF, false },
	{ SOL_SOCKET, ENOTSOCK, false },
	{ IPPROTO_IP, EFAULT, false },
	{ IPPROTO_TCP, 0, false },
	/* levels of other protocols: nothing TCP could take */
	{ 284 /* SOL_MPTCP */, ENOPROTOOPT, false },
	{ IPPROTO_UDP, ENOPROTOOPT, false },
	{ 270 /* SOL_NETLINK */, ENOPROTOOPT, false },
	{ -1, EOPNOTSUPP, false },
};

static void test_swap_cases(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < N(swap_cases); i++) {
		bool got = mpa_sockopt_swap_case(swap_cases[i].level,
						 swap_cases[i].err);

		if (got != swap_cases[i].swap)
			fail_msg("level %d errno %d: %d, want %d",
				 swap_cases[i].level, swap_cases[i].err, got,
				 swap_cases[i].swap);
	}
}

static int row_of(int level, int optname)
{
	size_t i;

	for (i = 0; i < MPA_CARRY_COUNT; i++)
		if (mpa_carry_table[i].level == level &&
		    mpa_carry_table[i].optname == optname)
			return (int)i;
	return -1;
}

/* What a program sets before connect, with its level, must be carried. */
static const struct {
	int level, optname;
} must_carry[] = {
	{ SOL_SOCKET, SO_REUSEADDR },
	{ SOL_SOCKET, SO_REUSEPORT },
	{ SOL_SOCKET, SO_KEEPALIVE },
	{ SOL_SOCKET, SO_RCVBUF },
	{ SOL_SOCKET, SO_SNDBUF },
	{ SOL_SOCKET, SO_LINGER },
	{ SOL_SOCKET, SO_MARK },
	{ SOL_SOCKET, SO_PRIORITY },
	{ SOL_SOCKET, SO_RCVTIMEO },
	{ SOL_SOCKET, SO_SNDTIMEO },
	{ IPPROTO_TCP, TCP_NODELAY },
	{ IPPROTO_TCP, TCP_CORK },
	{ IPPROTO_TCP, TCP_KEEPIDLE },
	{ IPPROTO_TCP, TCP_KEEPINTVL },
	{ IPPROTO_TCP, TCP_KEEPCNT },
	{ IPPROTO_TCP, TCP_CONGESTION },
	{ IPPROTO_TCP, TCP_NOTSENT_LOWAT },
	{ IPPROTO_IP, IP_TOS },
	{ IPPROTO_IP, IP_FREEBIND },
	{ IPPROTO_IP, IP_TRANSPARENT },
	{ IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT },
	{ IPPROTO_IPV6, IPV6_V6ONLY },
};

static void test_table_shape(void **state)
{
	size_t i, j;

	(void)state;
	for (i = 0; i < N(must_carry); i++)
		if (row_of(must_carry[i].level, must_carry[i].optname) < 0)
			fail_msg("option %d/%d is not carried",
				 must_carry[i].level, must_carry[i].optname);
	for (i = 0; i < MPA_CARRY_COUNT; i++) {
		const struct mpa_carry *c = &mpa_carry_table[i];

		assert_non_null(c->name);
		/* IPv6 options, and only they, are for IPv6 sockets only. */
		assert_int_equal(!!(c->flags & MPA_CARRY_V6),
				 c->level == IPPROTO_IPV6);
		/* A halved size needs the forced set past the sysctl cap. */
		if (c->flags & MPA_CARRY_HALVE)
			assert_int_not_equal(c->force, 0);
		for (j = i + 1; j < MPA_CARRY_COUNT; j++)
			if (mpa_carry_table[j].level == c->level &&
			    mpa_carry_table[j].optname == c->optname)
				fail_msg("%s twice", c->name);
	}
}

/* Rows that change others come first: they are set in table order. */
static void test_table_order(void **state)
{
	(void)state;
	/* Setting the TOS resets the priority. */
	assert_true(row_of(IPPROTO_IP, IP_TOS) <
		    row_of(SOL_SOCKET, SO_PRIORITY));
	/* SO_TIMESTAMPNS implies SO_TIMESTAMP: after it, not undone by it. */
	assert_true(row_of(SOL_SOCKET, SO_TIMESTAMP) <
		    row_of(SOL_SOCKET, SO_TIMESTAMPNS));
}

static const struct carry_case {
	int level, optname;
	int domain;
	bool applies;
} applies_cases[] = {
	{ IPPROTO_IPV6, IPV6_V6ONLY, AF_INET6, true },
	{ IPPROTO_IPV6, IPV6_V6ONLY, AF_INET, false },
	{ IPPROTO_IP, IP_TOS, AF_INET, true },
	/* an IPv6 socket carries IPv4 traffic too (v4-mapped) */
	{ IPPROTO_IP, IP_TOS, AF_INET6, true },
	{ SOL_SOCKET, SO_MARK, AF_INET6, true },
	{ SOL_SOCKET, SO_MARK, AF_UNIX, false },
};

static void test_carry_applies(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < N(applies_cases); i++) {
		int row = row_of(applies_cases[i].level,
				 applies_cases[i].optname);

		assert_true(row >= 0);
		assert_int_equal(mpa_carry_applies(&mpa_carry_table[row],
						   applies_cases[i].domain),
				 applies_cases[i].applies);
	}
}

static const struct mpa_carry *row_ptr(int level, int optname)
{
	int row = row_of(level, optname);

	assert_true(row >= 0);
	return &mpa_carry_table[row];
}

static void test_carry_value_buffers_halved(void **state)
{
	unsigned char set[MPA_CARRY_MAX];
	socklen_t setlen = 0;
	int got = 100000, v = 0; /* what SO_RCVBUF(50000) reads back */

	(void)state;
	assert_int_equal(mpa_carry_value(row_ptr(SOL_SOCKET, SO_RCVBUF), &got,
					 sizeof(got), set, &setlen),
			 0);
	assert_int_equal(setlen, sizeof(int));
	memcpy(&v, set, sizeof(v));
	assert_int_equal(v, 50000);
	/* A size that is not an int is not a buffer size we understand. */
	assert_int_equal(mpa_carry_value(row_ptr(SOL_SOCKET, SO_SNDBUF), &got,
					 2, set, &setlen),
			 -EINVAL);
}

static void test_carry_value_strings(void **state)
{
	const char got[16] = "reno"; /* TCP_CONGESTION: NUL-padded */
	const char empty[16] = "";
	unsigned char set[MPA_CARRY_MAX];
	socklen_t setlen = 0;
	const struct mpa_carry *cc = row_ptr(IPPROTO_TCP, TCP_CONGESTION);

	(void)state;
	assert_int_equal(mpa_carry_value(cc, got, sizeof(got), set, &setlen),
			 0);
	assert_int_equal(setlen, 4);
	assert_memory_equal(set, "reno", 4);
	assert_int_equal(mpa_carry_value(cc, empty, sizeof(empty), set,
					 &setlen),
			 -EINVAL);
}

static void test_carry_value_copied(void **state)
{
	const struct linger got = { 1, 7 };
	unsigned char set[MPA_CARRY_MAX], big[MPA_CARRY_MAX + 1] = { 0 };
	socklen_t setlen = 0;
	const struct mpa_carry *lc = row_ptr(SOL_SOCKET, SO_LINGER);

	(void)state;
	assert_int_equal(mpa_carry_value(lc, &got, sizeof(got), set, &setlen),
			 0);
	assert_int_equal(setlen, sizeof(got));
	assert_memory_equal(set, &got, sizeof(got));
	/* Never more than the caller's buffer holds. */
	assert_int_equal(mpa_carry_value(lc, big, sizeof(big), set, &setlen),
			 -EINVAL);
}

static const struct bound_case {
	int family;
	const char *addr;
	unsigned short port;
	socklen_t len; /* 0: the family's full size */
	bool bound;
} bound_cases[] = {
	{ AF_INET, "0.0.0.0", 0, 0, false }, /* never bound */
	{ AF_INET, "0.0.0.0", 8080, 0, true }, /* a port on all addresses */
	{ AF_INET, "127.0.0.1", 0, 0, true }, /* IP_BIND_ADDRESS_NO_PORT */
	{ AF_INET, "127.0.0.1", 8080, 0, true },
	{ AF_INET, "127.0.0.1", 8080, 4, false }, /* truncated */
	{ AF_INET6, "::", 0, 0, false },
	{ AF_INET6, "::", 443, 0, true },
	{ AF_INET6, "::1", 0, 0, true },
	{ AF_INET6, "::ffff:127.0.0.1", 0, 0, true },
	{ AF_UNSPEC, "", 0, 0, false },
};

static void test_sockaddr_is_bound(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < N(bound_cases); i++) {
		const struct bound_case *b = &bound_cases[i];
		struct sockaddr_storage ss;
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
		socklen_t len = b->len;

		memset(&ss, 0, sizeof(ss));
		ss.ss_family = (sa_family_t)b->family;
		if (b->family == AF_INET) {
			inet_pton(AF_INET, b->addr, &in->sin_addr);
			in->sin_port = htons(b->port);
			len = len ? len : sizeof(*in);
		} else if (b->family == AF_INET6) {
			inet_pton(AF_INET6, b->addr, &in6->sin6_addr);
			in6->sin6_port = htons(b->port);
			len = len ? len : sizeof(*in6);
		} else {
			len = sizeof(sa_family_t);
		}
		if (mpa_sockaddr_is_bound(&ss, len) != b->bound)
			fail_msg("%s port %u (len %u): want %d", b->addr,
				 b->port, len, b->bound);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_swap_cases),
		cmocka_unit_test(test_table_shape),
		cmocka_unit_test(test_table_order),
		cmocka_unit_test(test_carry_applies),
		cmocka_unit_test(test_carry_value_buffers_halved),
		cmocka_unit_test(test_carry_value_strings),
		cmocka_unit_test(test_carry_value_copied),
		cmocka_unit_test(test_sockaddr_is_bound),
	};

	return cmocka_run_group_tests_name("preload-sockopt", tests, NULL,
					   NULL);
}

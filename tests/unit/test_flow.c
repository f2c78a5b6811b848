// SPDX-License-Identifier: MIT
/* Flow helpers: make_flow, the free functions and sockaddr utilities. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmn_addr.h"
#include "mptcplib.h"

/*
 * Numeric addresses only, and names no resolver answers: the test must not
 * depend on the host's name resolution (a minimal system may have no
 * /etc/hosts, so not even "localhost"). A DNS label is at most 63
 * characters, so a name with a longer one is refused by the resolver
 * before any query is sent, and no hosts file lists it.
 */
#define UNRESOLVABLE                                                          \
	"a-label-longer-than-sixty-three-characters-that-no-resolver-answers" \
	".invalid"

static const struct flow_case {
	char *src;
	unsigned short sport;
	char *dst;
	unsigned short dport;
	int family; /* AF_UNSPEC: must fail */
	const char *want_src, *want_dst;
} flow_cases[] = {
	{ "10.0.2.1", 40000, "10.0.2.2", 80, AF_INET, "10.0.2.1:40000",
	  "10.0.2.2:80" },
	{ "fd00:2::1", 0, "fd00:2::2", 443, AF_INET6, "[fd00:2::1]:0",
	  "[fd00:2::2]:443" },
	{ NULL, 0, "10.0.1.2", 7001, AF_INET, "0.0.0.0:0", "10.0.1.2:7001" },
	{ NULL, 0, "::1", 7001, AF_INET6, "[::]:0", "[::1]:7001" },
	{ "127.0.0.1", 1, "127.0.0.1", 2, AF_INET, "127.0.0.1:1",
	  "127.0.0.1:2" },
	{ UNRESOLVABLE, 0, "10.0.1.2", 1, AF_UNSPEC, NULL, NULL },
	{ "10.0.2.1", 0, UNRESOLVABLE, 1, AF_UNSPEC, NULL, NULL },
	{ "10.0.2.1", 0, NULL, 1, AF_UNSPEC, NULL, NULL },
	/* A v6 source cannot serve a v4 destination. */
	{ "fd00:2::1", 0, "10.0.2.2", 1, AF_UNSPEC, NULL, NULL },
};

static void test_make_flow_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(flow_cases) / sizeof(flow_cases[0]); i++) {
		const struct flow_case *c = &flow_cases[i];
		struct mptcplib_flow f;
		char buf[CMN_ADDRSTRLEN];

		errno = 0;
		f = mptcplib_make_flow(c->src, c->sport, c->dst, c->dport);
		print_message("case %zu: %s -> %s\n", i,
			      c->src ? c->src : "(null)",
			      c->dst ? c->dst : "(null)");
		if (c->family == AF_UNSPEC) {
			assert_null(f.local);
			assert_null(f.remote);
			assert_int_equal(f.local_len, 0);
			assert_int_equal(errno, EADDRNOTAVAIL);
			mptcplib_free_flow(f);
			continue;
		}
		assert_non_null(f.local);
		assert_non_null(f.remote);
		assert_int_equal(f.local->sa_family, c->family);
		assert_int_equal(f.remote->sa_family, c->family);
		assert_int_equal(f.local_len, cmn_sa_len(c->family));
		assert_int_equal(f.id, 0);
		assert_int_equal(f.low_prio, 0);
		assert_string_equal(cmn_sa_fmt(f.local, buf, sizeof(buf)),
				    c->want_src);
		assert_string_equal(cmn_sa_fmt(f.remote, buf, sizeof(buf)),
				    c->want_dst);
		mptcplib_free_flow(f);
	}
}

static void test_free_functions_accept_empty(void **state)
{
	struct mptcplib_intarray arr = { 0 };
	struct mptcplib_flow flow = { 0 };
	struct mptcplib_getsubsockopt_result r = { 0 };

	(void)state;
	mptcplib_free_intarray(arr);
	mptcplib_free_flow(flow);
	mptcplib_free_getsubsockopt_result(r);
	/* The original spelling still works. */
	r.value = malloc(8);
	mptcplib_free_getsubtockopt_result(r);
}

static void test_sa_load_unmaps_and_validates(void **state)
{
	struct sockaddr_in6 m = { .sin6_family = AF_INET6,
				  .sin6_port = htons(9) };
	struct sockaddr_storage ss;
	struct sockaddr_in *in = (struct sockaddr_in *)&ss;
	struct sockaddr_un_like {
		sa_family_t f;
	} other = { AF_UNIX };

	(void)state;
	inet_pton(AF_INET6, "::ffff:10.0.2.1", &m.sin6_addr);
	assert_int_equal(cmn_sa_load(&ss, (struct sockaddr *)&m, sizeof(m)), 0);
	assert_int_equal(in->sin_family, AF_INET);
	assert_int_equal(in->sin_addr.s_addr, inet_addr("10.0.2.1"));
	assert_int_equal(ntohs(in->sin_port), 9);
	assert_int_equal(cmn_sa_load(&ss, (struct sockaddr *)&m, 8), -EINVAL);
	assert_int_equal(cmn_sa_load(&ss, NULL, 0), -EINVAL);
	assert_int_equal(cmn_sa_load(&ss, (struct sockaddr *)&other,
				     sizeof(other)),
			 -EAFNOSUPPORT);
}

static void test_sa_compare(void **state)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(1) };
	struct sockaddr_in b = a;
	struct sockaddr_in6 c = { .sin6_family = AF_INET6 };

	(void)state;
	a.sin_addr.s_addr = b.sin_addr.s_addr = inet_addr("10.0.0.1");
	assert_true(cmn_sa_equal((struct sockaddr *)&a, (struct sockaddr *)&b));
	b.sin_port = htons(2);
	assert_false(
		cmn_sa_equal((struct sockaddr *)&a, (struct sockaddr *)&b));
	assert_true(cmn_sa_addr_equal((struct sockaddr *)&a,
				      (struct sockaddr *)&b));
	assert_false(cmn_sa_addr_equal((struct sockaddr *)&a,
				       (struct sockaddr *)&c));
	assert_true(cmn_sa_is_any((struct sockaddr *)&c));
	assert_false(cmn_sa_is_any((struct sockaddr *)&a));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_make_flow_table),
		cmocka_unit_test(test_free_functions_accept_empty),
		cmocka_unit_test(test_sa_load_unmaps_and_validates),
		cmocka_unit_test(test_sa_compare),
	};

	return cmocka_run_group_tests_name("flow", tests, NULL, NULL);
}

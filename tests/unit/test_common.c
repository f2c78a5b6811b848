// SPDX-License-Identifier: MIT
/* common/: prefix matching and address formatting that every room uses. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <string.h>

#include "cmn_addr.h"

/* @s as raw bytes of its family, for the prefix cases. */
static void raw(const char *s, uint8_t out[16])
{
	memset(out, 0, 16);
	if (inet_pton(AF_INET, s, out) != 1)
		assert_int_equal(inet_pton(AF_INET6, s, out), 1);
}

static const struct prefix_case {
	const char *prefix;
	int len;
	const char *addr;
	bool want;
} prefix_cases[] = {
	{ "10.0.0.0", 8, "10.200.3.4", true },
	{ "10.0.0.0", 8, "11.0.0.1", false },
	/* A length that is not a multiple of 8: the partial byte counts. */
	{ "192.168.0.0", 23, "192.168.1.255", true },
	{ "192.168.0.0", 23, "192.168.2.0", false },
	{ "10.0.0.1", 32, "10.0.0.1", true },
	{ "10.0.0.1", 32, "10.0.0.2", false },
	{ "0.0.0.0", 0, "203.0.113.9", true },
	{ "fd00::", 8, "fd12:3456::1", true },
	{ "fd00::", 8, "fe80::1", false },
	{ "2001:db8::", 33, "2001:db8:7fff::1", true },
	{ "2001:db8::", 33, "2001:db8:8000::1", false },
	{ "2001:db8::1", 128, "2001:db8::1", true },
	{ "2001:db8::1", 128, "2001:db8::2", false },
};

static void test_prefix_covers_table(void **state)
{
	uint8_t prefix[16], addr[16];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(prefix_cases) / sizeof(prefix_cases[0]); i++) {
		const struct prefix_case *c = &prefix_cases[i];

		print_message("%s/%d covers %s: %d\n", c->prefix, c->len,
			      c->addr, c->want);
		raw(c->prefix, prefix);
		raw(c->addr, addr);
		assert_int_equal(cmn_prefix_covers(prefix, c->len, addr),
				 c->want);
	}
}

static void test_sa_format(void **state)
{
	struct sockaddr_in in = { .sin_family = AF_INET,
				  .sin_port = htons(7001) };
	struct sockaddr_in6 in6 = { .sin6_family = AF_INET6,
				    .sin6_port = htons(443) };
	struct sockaddr_storage none = { .ss_family = AF_UNSPEC };
	struct sockaddr_storage unix_sa = { .ss_family = AF_UNIX };
	char buf[CMN_ADDRSTRLEN];
	size_t len;

	(void)state;
	inet_pton(AF_INET, "10.0.2.1", &in.sin_addr);
	inet_pton(AF_INET6, "fd00::1", &in6.sin6_addr);
	assert_string_equal(cmn_sa_fmt((struct sockaddr *)&in, buf,
				       sizeof(buf)),
			    "10.0.2.1:7001");
	assert_string_equal(cmn_sa_fmt((struct sockaddr *)&in6, buf,
				       sizeof(buf)),
			    "[fd00::1]:443");
	assert_string_equal(
		cmn_sa_fmt((struct sockaddr *)&none, buf, sizeof(buf)), "-");
	assert_string_equal(cmn_sa_fmt((struct sockaddr *)&unix_sa, buf,
				       sizeof(buf)),
			    "(family 1)");
	assert_string_equal(cmn_sa_ntop((struct sockaddr *)&in, buf,
					sizeof(buf)),
			    "10.0.2.1");
	assert_string_equal(cmn_sa_ntop((struct sockaddr *)&in6, buf,
					sizeof(buf)),
			    "fd00::1");
	assert_string_equal(
		cmn_sa_ntop((struct sockaddr *)&none, buf, sizeof(buf)), "?");
	assert_ptr_equal(cmn_sa_addr((struct sockaddr *)&in, &len),
			 &in.sin_addr);
	assert_int_equal(len, 4);
	assert_ptr_equal(cmn_sa_addr((struct sockaddr *)&in6, &len),
			 &in6.sin6_addr);
	assert_int_equal(len, 16);
	assert_null(cmn_sa_addr((struct sockaddr *)&none, &len));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefix_covers_table),
		cmocka_unit_test(test_sa_format),
	};

	return cmocka_run_group_tests_name("common", tests, NULL, NULL);
}

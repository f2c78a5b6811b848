// SPDX-License-Identifier: MIT
/*
 * Policy resolution against real interfaces: run by policy_ns.sh inside a
 * namespace holding veth interfaces wlan0, wlan1 (down), eth1, wwan0,
 * tun0, each with an IPv4 and an IPv6 address.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <net/if.h>
#include <string.h>

#include "mpa_policy.h"
#include "eng_resolve.h"

static void decide(struct mpa_policy **p, struct mpa_decision *d,
		   const char *text, const char *dst_ip)
{
	const char *name = "ns.ini";
	size_t len = strlen(text);
	struct sockaddr_storage dst = { 0 };
	struct mpa_prog_id id = { .exe = "curl" };

	*p = mpa_policy_load_buffers(&name, &text, &len, 1);
	assert_non_null(*p);
	assert_int_equal((*p)->ndiags, 0);
	if (strchr(dst_ip, ':')) {
		dst.ss_family = AF_INET6;
		inet_pton(AF_INET6, dst_ip,
			  &((struct sockaddr_in6 *)&dst)->sin6_addr);
	} else {
		dst.ss_family = AF_INET;
		inet_pton(AF_INET, dst_ip,
			  &((struct sockaddr_in *)&dst)->sin_addr);
	}
	mpa_policy_match(*p, &id, (struct sockaddr *)&dst, d);
	assert_true(d->open_subflows);
}

static const char *ip(const struct mpa_local *l, char *buf)
{
	const void *a = l->addr.ss_family == AF_INET ?
				(const void *)&((struct sockaddr_in *)&l->addr)
					->sin_addr :
				(const void *)&((struct sockaddr_in6 *)&l->addr)
					->sin6_addr;

	return inet_ntop(l->addr.ss_family, a, buf, INET6_ADDRSTRLEN);
}

static void test_resolve_ipv4(void **state)
{
	struct mpa_policy *p;
	struct mpa_decision d;
	struct mpa_local out[8];
	char buf[INET6_ADDRSTRLEN];
	int n;

	(void)state;
	decide(&p, &d,
	       "[default]\ninterfaces = wlan*, eth1, tun*\nbackup = wwan0\n"
	       "exclude-interfaces = tun*\nsubflows = 8\n",
	       "198.51.100.1");
	n = eng_resolve(&d, AF_INET, NULL, out, 8);
	assert_int_equal(n, 3);
	assert_string_equal(out[0].ifname, "wlan0");
	assert_string_equal(ip(&out[0], buf), "192.168.10.1");
	assert_int_equal(out[0].ifindex, (int)if_nametoindex("wlan0"));
	assert_false(out[0].backup);
	assert_string_equal(out[1].ifname, "eth1");
	assert_string_equal(out[2].ifname, "wwan0");
	assert_true(out[2].backup);
	mpa_policy_free(p);
}

static void test_resolve_ipv6_and_own_source(void **state)
{
	struct mpa_policy *p;
	struct mpa_decision d;
	struct mpa_local out[8];
	struct sockaddr_in6 own = { .sin6_family = AF_INET6 };
	char buf[INET6_ADDRSTRLEN];
	int n;

	(void)state;
	decide(&p, &d, "[default]\ninterfaces = *\nsubflows = 8\n",
	       "2001:db8:ffff::1");
	inet_pton(AF_INET6, "fd00:10::1", &own.sin6_addr);
	n = eng_resolve(&d, AF_INET6, (struct sockaddr *)&own, out, 8);
	/* eth1, wwan0, tun0: wlan0 is the own source, wlan1 is down. */
	assert_int_equal(n, 3);
	for (int i = 0; i < n; i++) {
		assert_string_not_equal(out[i].ifname, "wlan0");
		assert_string_not_equal(out[i].ifname, "wlan1");
		assert_string_not_equal(out[i].ifname, "lo");
		/* Global addresses only: link-local fe80:: is skipped. */
		assert_true(strncmp(ip(&out[i], buf), "fe80", 4) != 0);
	}
	mpa_policy_free(p);
}

static void test_resolve_cap(void **state)
{
	struct mpa_policy *p;
	struct mpa_decision d;
	struct mpa_local out[8];

	(void)state;
	decide(&p, &d, "[default]\ninterfaces = *\nsubflows = 2\n",
	       "198.51.100.1");
	assert_int_equal(eng_resolve(&d, AF_INET, NULL, out, 8), 2);
	mpa_policy_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resolve_ipv4),
		cmocka_unit_test(test_resolve_ipv6_and_own_source),
		cmocka_unit_test(test_resolve_cap),
	};

	return cmocka_run_group_tests_name("policy-resolve-netns", tests, NULL,
					   NULL);
}

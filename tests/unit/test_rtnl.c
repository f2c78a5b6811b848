// SPDX-License-Identifier: MIT
/*
 * common/cmn_rtnl: rtnetlink announcements (canned bytes from an
 * independent encoder, canned_rtnl.h) to struct cmn_rtnl_event, and the
 * subscribed socket on the running kernel.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "canned_rtnl.h"
#include "cmn_addr.h"
#include "cmn_rtnl.h"

static const struct want {
	enum cmn_rtnl_kind kind;
	int ifindex;
	const char *ifname;
	bool up, tentative, multipath;
	const char *addr; /* "" for none */
	int prefixlen;
} batch_want[] = {
	{ CMN_RTNL_LINK, 3, "c2", true, false, false, "", 0 },
	{ CMN_RTNL_LINK, 3, "c2", false, false, false, "", 0 },
	{ CMN_RTNL_LINK_GONE, 4, "wlan0", false, false, false, "", 0 },
	{ CMN_RTNL_ADDR_NEW, 3, "c2", false, false, false, "10.0.2.1", 24 },
	{ CMN_RTNL_ADDR_DEL, 3, "", false, false, false, "fd00:2::1", 64 },
	{ CMN_RTNL_ADDR_NEW, 5, "", false, true, false, "fd00:3::1", 64 },
	{ CMN_RTNL_ROUTE_NEW, 3, "", false, false, false, "0.0.0.0", 0 },
	{ CMN_RTNL_ROUTE_DEL, 3, "", false, false, false, "10.0.2.0", 24 },
	/* the local table's two routes, the neighbour, the clone: skipped */
	{ CMN_RTNL_ROUTE_NEW, 2, "", false, false, true, "fd00:9::", 64 },
};
#define NWANT (int)(sizeof(batch_want) / sizeof(batch_want[0]))

static void test_parse_batch(void **state)
{
	struct cmn_rtnl_event ev[32];
	char a[CMN_ADDRSTRLEN];
	int n, i;

	(void)state;
	n = cmn_rtnl_parse(canned_rtnl_batch, sizeof(canned_rtnl_batch), ev,
			   32);
	assert_int_equal(n, NWANT);
	for (i = 0; i < n; i++) {
		const struct want *w = &batch_want[i];

		print_message("event %d\n", i);
		assert_int_equal(ev[i].kind, w->kind);
		assert_int_equal(ev[i].ifindex, w->ifindex);
		assert_string_equal(ev[i].ifname, w->ifname);
		assert_int_equal(ev[i].up, w->up);
		assert_int_equal(ev[i].tentative, w->tentative);
		assert_int_equal(ev[i].multipath, w->multipath);
		assert_int_equal(ev[i].prefixlen, w->prefixlen);
		if (!w->addr[0]) {
			assert_int_equal(ev[i].addr.ss_family, 0);
			continue;
		}
		assert_int_equal(ev[i].family, ev[i].addr.ss_family);
		assert_string_equal(cmn_sa_ntop((struct sockaddr *)&ev[i].addr,
						a, sizeof(a)),
				    w->addr);
	}
}

/* A full @out stops the parse: no write past it. */
static void test_parse_cap(void **state)
{
	struct cmn_rtnl_event ev[3];

	(void)state;
	memset(ev, 0x5a, sizeof(ev));
	assert_int_equal(cmn_rtnl_parse(canned_rtnl_batch,
					sizeof(canned_rtnl_batch), ev, 2),
			 2);
	assert_int_equal(ev[1].kind, CMN_RTNL_LINK);
	assert_int_equal(((unsigned char *)&ev[2])[0], 0x5a);
}

/* A message cut short is not read past its end. */
static void test_parse_truncated(void **state)
{
	struct cmn_rtnl_event ev[4];

	(void)state;
	assert_int_equal(cmn_rtnl_parse(canned_rtnl_truncated,
					sizeof(canned_rtnl_truncated), ev, 4),
			 0);
	assert_int_equal(cmn_rtnl_parse(canned_rtnl_batch, 10, ev, 4), 0);
}

/* The socket: opens without privilege needed, nothing queued yet. */
static void test_socket(void **state)
{
	struct cmn_rtnl_event ev[4];
	char buf[8192];
	int fd, rc;

	(void)state;
	fd = cmn_rtnl_open();
	if (fd == -EPERM || fd == -EAFNOSUPPORT)
		skip();
	assert_true(fd >= 0);
	rc = cmn_rtnl_read(fd, buf, sizeof(buf), ev, 4);
	/* Another program may change a link meanwhile: then events. */
	assert_true(rc == -EAGAIN || rc >= 0);
	cmn_rtnl_close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_batch),
		cmocka_unit_test(test_parse_cap),
		cmocka_unit_test(test_parse_truncated),
		cmocka_unit_test(test_socket),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

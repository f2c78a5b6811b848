// SPDX-License-Identifier: MIT
/*
 * mptcp-autod's word to systemd (sd_notify without libsystemd): the
 * messages and $NOTIFY_SOCKET's addresses (pure, tables of cases), then
 * real datagrams to a path and to an abstract name.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dmn_notify.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static void test_format(void **state)
{
	static const struct {
		enum dmn_notify_state state;
		const char *status;
		uint64_t usec;
		const char *expect;
	} cases[] = {
		{ DMN_NOTIFY_READY, "serving /run/mptcp-auto/pm.sock", 0,
		  "READY=1\nSTATUS=serving /run/mptcp-auto/pm.sock\n" },
		{ DMN_NOTIFY_READY, NULL, 0, "READY=1\n" },
		{ DMN_NOTIFY_READY, "", 0, "READY=1\n" },
		{ DMN_NOTIFY_RELOADING, "reloading the policy", 123456789,
		  "RELOADING=1\nMONOTONIC_USEC=123456789\n"
		  "STATUS=reloading the policy\n" },
		{ DMN_NOTIFY_STOPPING, "stopping", 42,
		  "STOPPING=1\nSTATUS=stopping\n" },
		/* A status is one line: no assignment can hide in it. */
		{ DMN_NOTIFY_READY, "a\nREADY=0", 0,
		  "READY=1\nSTATUS=a READY=0\n" },
	};
	char buf[256];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		int n = dmn_notify_format(cases[i].state, cases[i].status,
					  cases[i].usec, buf, sizeof(buf));

		assert_int_equal(n, (int)strlen(cases[i].expect));
		assert_string_equal(buf, cases[i].expect);
	}
	assert_int_equal(dmn_notify_format(DMN_NOTIFY_READY, "long enough", 0,
					   buf, 12),
			 -ENOSPC);
	assert_int_equal(dmn_notify_format(DMN_NOTIFY_RELOADING, NULL, 1, buf,
					   13),
			 -ENOSPC);
}

static void test_addr(void **state)
{
	static const struct {
		const char *env;
		int err;
		bool abstract;
	} cases[] = {
		{ "/run/systemd/notify", 0, false },
		{ "@/org/freedesktop/systemd1/notify/42", 0, true },
		{ "", -EINVAL, false },
		{ "run/systemd/notify", -EINVAL, false },
		{ "vsock:2:1234", -EAFNOSUPPORT, false },
	};
	char toolong[200];
	struct sockaddr_un a;
	socklen_t alen;
	size_t i, n;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		assert_int_equal(dmn_notify_addr(cases[i].env, &a, &alen),
				 cases[i].err);
		if (cases[i].err)
			continue;
		n = strlen(cases[i].env);
		assert_int_equal(a.sun_family, AF_UNIX);
		/* Abstract: a NUL first, and no NUL counted at the end. */
		assert_int_equal(alen, offsetof(struct sockaddr_un, sun_path) +
					       n + !cases[i].abstract);
		assert_int_equal(a.sun_path[0], cases[i].abstract ? '\0' : '/');
		assert_memory_equal(a.sun_path + 1, cases[i].env + 1, n - 1);
	}
	memset(toolong, 'x', sizeof(toolong) - 1);
	toolong[0] = '/';
	toolong[sizeof(toolong) - 1] = '\0';
	assert_int_equal(dmn_notify_addr(toolong, &a, &alen), -ENAMETOOLONG);
}

/*
 * A datagram socket bound at @name: a path, or '@' and an abstract name,
 * made here as systemd makes it, not by the code under test.
 */
static int listener(const char *name)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	socklen_t alen = sizeof(a);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", name);
	if (name[0] == '@') {
		a.sun_path[0] = '\0';
		alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
				   strlen(name));
	}
	assert_int_equal(bind(fd, (struct sockaddr *)&a, alen), 0);
	return fd;
}

static void receive(int fd, char *buf, size_t len)
{
	ssize_t n = recv(fd, buf, len - 1, MSG_DONTWAIT);

	assert_true(n > 0);
	buf[n] = '\0';
}

static void test_send(void **state)
{
	char dir[] = "/tmp/mpa-notify-XXXXXX", path[64], name[64], buf[512];
	struct dmn_notify n;
	unsigned long long usec;
	struct timespec ts;
	int fd;

	(void)state;
	/* Nobody to tell: nothing sent, nothing failed. */
	assert_int_equal(dmn_notify_open(&n, NULL), 0);
	assert_int_equal(n.fd, -1);
	assert_int_equal(dmn_notify_send(&n, DMN_NOTIFY_READY, "x"), 0);
	dmn_notify_close(&n);
	assert_int_equal(dmn_notify_open(&n, "vsock:2:1"), -EAFNOSUPPORT);
	assert_int_equal(n.fd, -1);

	/* A path. */
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/notify", dir);
	fd = listener(path);
	assert_int_equal(dmn_notify_open(&n, path), 0);
	assert_int_equal(dmn_notify_send(&n, DMN_NOTIFY_READY, "serving"), 0);
	receive(fd, buf, sizeof(buf));
	assert_string_equal(buf, "READY=1\nSTATUS=serving\n");
	dmn_notify_close(&n);
	dmn_notify_close(&n);
	close(fd);
	unlink(path);
	rmdir(dir);

	/* An abstract name; RELOADING carries the monotonic clock. */
	snprintf(name, sizeof(name), "@mpa-notify-%d-%d", (int)getpid(),
		 rand());
	fd = listener(name);
	assert_int_equal(dmn_notify_open(&n, name), 0);
	assert_int_equal(dmn_notify_send(&n, DMN_NOTIFY_RELOADING, "r"), 0);
	receive(fd, buf, sizeof(buf));
	assert_int_equal(
		sscanf(buf, "RELOADING=1\nMONOTONIC_USEC=%llu\n", &usec), 1);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	assert_true(usec <= (unsigned long long)ts.tv_sec * 1000000 +
				    (unsigned long long)ts.tv_nsec / 1000);
	assert_true(usec + 10000000 >= (unsigned long long)ts.tv_sec * 1000000);
	assert_non_null(strstr(buf, "\nSTATUS=r\n"));
	assert_int_equal(dmn_notify_send(&n, DMN_NOTIFY_STOPPING, NULL), 0);
	receive(fd, buf, sizeof(buf));
	assert_string_equal(buf, "STOPPING=1\n");
	close(fd);
	/* Nobody listens any more: the message is lost, and said so. */
	assert_int_equal(dmn_notify_send(&n, DMN_NOTIFY_READY, NULL),
			 -ECONNREFUSED);
	dmn_notify_close(&n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_addr),
		cmocka_unit_test(test_send),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

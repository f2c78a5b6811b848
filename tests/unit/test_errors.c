// SPDX-License-Identifier: MIT
/*
 * The public error convention: kernel answers mapped to documented errno
 * values with readable text, and argument errors caught before any
 * kernel call (these need no privilege and no MPTCP).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mpl_err.h"
#include "mpl_pm.h"
#include "mpl_uapi.h"
#include "mptcplib.h"

/* mpl_fail() takes the public convention's positive errno... */
static void test_fail_positive_errno(void **state)
{
	(void)state;
	errno = 0;
	assert_int_equal(mpl_fail(EINVAL, "open_sub: bad %s", "tuple"), EINVAL);
	assert_int_equal(errno, EINVAL);
	assert_string_equal(mptcplib_last_error(),
			    "open_sub: bad tuple (Invalid argument)");
}

/*
 * ...and a caller that passes an internal -errno (or 0) is caught: the
 * test build (MPA_DEBUG) aborts, here in a child process.
 */
static void test_fail_wrong_sign_aborts(void **state)
{
	static const int wrong[] = { -EINVAL, -ENOENT, 0 };
	struct rlimit no_core = { 0, 0 };
	size_t i;
	int st;

	(void)state;
	for (i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++) {
		pid_t pid = fork();

		assert_true(pid >= 0);
		if (pid == 0) {
			setrlimit(RLIMIT_CORE, &no_core);
			mpl_fail(wrong[i], "a caller's wrong sign");
			_exit(0);
		}
		assert_int_equal(waitpid(pid, &st, 0), pid);
		print_message("mpl_fail(%d): %s %d\n", wrong[i],
			      WIFSIGNALED(st) ? "signal" : "exit",
			      WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
		assert_true(WIFSIGNALED(st));
		assert_int_equal(WTERMSIG(st), SIGABRT);
	}
}

/*
 * Decided by errno, blamed attribute and connection state; the kernel's
 * text is only quoted, so the same text leads to different answers.
 */
static const struct map_case {
	int err;
	const char *ext;
	int bad_attr;
	enum mpl_pm_conn conn;
	int want;
	const char *text;
} map_cases[] = {
	/* 6.18 blames the token for both; 6.1 blames nothing for the PM. */
	{ -EINVAL, "userspace PM not selected", MPL_PM_ATTR_TOKEN,
	  MPL_PM_CONN_LIVE, ENOPROTOOPT, "net.mptcp.path_manager=userspace" },
	{ -EINVAL, "invalid request; userspace PM not selected", -1,
	  MPL_PM_CONN_LIVE, ENOPROTOOPT, "in-kernel path manager" },
	{ -EINVAL, "invalid token", MPL_PM_ATTR_TOKEN, MPL_PM_CONN_GONE, ESRCH,
	  "does not know this connection" },
	{ -EINVAL, "userspace PM not selected", MPL_PM_ATTR_TOKEN,
	  MPL_PM_CONN_GONE, ESRCH, "(kernel: userspace PM not selected)" },
	{ -EINVAL, "invalid token", MPL_PM_ATTR_TOKEN, MPL_PM_CONN_FALLBACK,
	  ESRCH, "fell back" },
	{ -EINVAL, "", -1, MPL_PM_CONN_UNCHECKED, EINVAL, "open_sub" },
	{ -EINVAL, "families mismatch", MPL_PM_ATTR_ADDR, MPL_PM_CONN_UNCHECKED,
	  EINVAL, "refused the local address" },
	{ -EINVAL, "", MPL_PM_ATTR_ADDR_REMOTE, MPL_PM_CONN_LIVE, EINVAL,
	  "refused the remote address" },
	{ -ENOTCONN, "connect error: -107", -1, MPL_PM_CONN_UNCHECKED, ENOTCONN,
	  "not fully established" },
	{ -ENOTCONN, "", -1, MPL_PM_CONN_UNCHECKED, ENOTCONN,
	  "not fully established" },
	{ -EADDRNOTAVAIL, "connect error: -99", -1, MPL_PM_CONN_UNCHECKED,
	  EADDRNOTAVAIL,
	  "not one of this host's (kernel: connect error: -99)" },
	{ -ESRCH, "subflow not found", -1, MPL_PM_CONN_UNCHECKED, ENOENT,
	  "subflow not found" },
	{ -ESRCH, "", -1, MPL_PM_CONN_UNCHECKED, ENOENT, "subflow not found" },
	{ -EPERM, "", -1, MPL_PM_CONN_UNCHECKED, EPERM, "CAP_NET_ADMIN" },
	{ -EHOSTUNREACH, "connect error: -113", -1, MPL_PM_CONN_UNCHECKED,
	  EHOSTUNREACH, "kernel: connect error: -113" },
};

/* A live connection and a subflow of the other family: the kernel's rule. */
static const struct family_case {
	int conn_family;
	bool v6only;
	int req_family;
	int want;
	const char *text;
} family_cases[] = {
	{ AF_INET, false, AF_INET6, EAFNOSUPPORT,
	  "IPv4 connection cannot have IPv6 subflows" },
	{ AF_INET6, true, AF_INET, EAFNOSUPPORT,
	  "IPv6-only connection cannot have IPv4 subflows" },
	/* Dual-stack: families are fine, so the path manager is to blame. */
	{ AF_INET6, false, AF_INET, ENOPROTOOPT, "in-kernel path manager" },
	{ AF_INET, false, AF_INET, ENOPROTOOPT, "in-kernel path manager" },
	/* Not an open: no family to compare. */
	{ AF_INET, false, 0, ENOPROTOOPT, "in-kernel path manager" },
};

static void test_pm_error_mapping(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(map_cases) / sizeof(map_cases[0]); i++) {
		const struct map_case *c = &map_cases[i];
		struct mpl_pm_failure f = { .err = c->err,
					    .ext = c->ext,
					    .bad_attr = c->bad_attr,
					    .conn = c->conn,
					    .conn_family = AF_INET };

		errno = 0;
		assert_int_equal(mpl_pm_map_err(&f, "open_sub"), c->want);
		assert_int_equal(errno, c->want);
		print_message("%s\n", mptcplib_last_error());
		assert_non_null(strstr(mptcplib_last_error(), c->text));
		assert_non_null(strstr(mptcplib_last_error(), "open_sub"));
	}
}

static void test_pm_family_mismatch(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(family_cases) / sizeof(family_cases[0]); i++) {
		const struct family_case *c = &family_cases[i];
		struct mpl_pm_failure f = { .err = -EINVAL,
					    .ext = "families mismatch",
					    .bad_attr = -1,
					    .req_family = c->req_family,
					    .conn = MPL_PM_CONN_LIVE,
					    .conn_family = c->conn_family,
					    .conn_v6only = c->v6only };

		assert_int_equal(mpl_pm_map_err(&f, "open_sub"), c->want);
		print_message("%s\n", mptcplib_last_error());
		assert_non_null(strstr(mptcplib_last_error(), c->text));
	}
	assert_true(mpl_pm_families_match(AF_INET6, false, AF_INET));
	assert_false(mpl_pm_families_match(AF_INET, false, AF_INET6));
	assert_false(mpl_pm_families_match(AF_INET6, true, AF_INET));
	assert_true(mpl_pm_families_match(AF_INET6, true, AF_INET6));
}

/*
 * SET_FLAGS for a subflow the connection does not have fails with an
 * EINVAL that blames nothing (worded "subflow not found" on 6.12 and 6.18,
 * silent on 6.1): the in-kernel path manager's answer too. When inet_diag
 * does not find the subflow among the connection's, it is ENOENT, as the
 * header documents; when it does, the path manager is to blame.
 */
static void test_pm_subflow_not_found(void **state)
{
	static const char *const texts[] = { "subflow not found", "" };
	struct mpl_pm_failure f = { .err = -EINVAL,
				    .bad_attr = -1,
				    .conn = MPL_PM_CONN_LIVE,
				    .conn_family = AF_INET };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		f.ext = texts[i];
		f.sub_gone = true;
		errno = 0;
		assert_int_equal(mpl_pm_map_err(&f, "set_sub_prio"), ENOENT);
		assert_int_equal(errno, ENOENT);
		print_message("%s\n", mptcplib_last_error());
		assert_non_null(strstr(mptcplib_last_error(),
				       "set_sub_prio: subflow not found"));
		assert_null(strstr(mptcplib_last_error(), "path manager"));
		f.sub_gone = false;
		assert_int_equal(mpl_pm_map_err(&f, "set_sub_prio"),
				 ENOPROTOOPT);
	}
	/* A connection that is gone explains itself first. */
	f.conn = MPL_PM_CONN_GONE;
	f.sub_gone = true;
	assert_int_equal(mpl_pm_map_err(&f, "set_sub_prio"), ESRCH);
}

/* Only an EINVAL that blames no address needs the connection looked up. */
static void test_pm_needs_conn(void **state)
{
	struct mpl_pm_failure f = { .err = -EINVAL, .ext = "", .bad_attr = -1 };

	(void)state;
	assert_true(mpl_pm_needs_conn(&f));
	f.bad_attr = MPL_PM_ATTR_TOKEN;
	assert_true(mpl_pm_needs_conn(&f));
	f.bad_attr = MPL_PM_ATTR_ADDR;
	assert_false(mpl_pm_needs_conn(&f));
	f.bad_attr = MPL_PM_ATTR_ADDR_REMOTE;
	assert_false(mpl_pm_needs_conn(&f));
	f.bad_attr = -1;
	f.err = -ENOTCONN;
	assert_false(mpl_pm_needs_conn(&f));
}

static void test_open_sub_argument_errors(void **state)
{
	struct mptcplib_flow f = { 0 };

	(void)state;
	assert_int_equal(mptcplib_open_sub(0, NULL), EINVAL);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(mptcplib_open_sub(0, &f), EINVAL);
	assert_non_null(strstr(mptcplib_last_error(), "tuple->local is NULL"));
}

static void test_close_sub_bad_how(void **state)
{
	(void)state;
	assert_int_equal(mptcplib_close_sub(0, 1, SHUT_RD), EINVAL);
	assert_int_equal(mptcplib_close_sub(0, 1, 42), EINVAL);
	assert_non_null(strstr(mptcplib_last_error(), "SHUT_RDWR"));
}

static void test_not_a_socket(void **state)
{
	struct mptcplib_getsubids_result r;
	enum mptcplib_kind kind;
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	r = mptcplib_get_sub_ids(p[0]);
	assert_int_equal(r.errnoValue, ENOTSOCK);
	assert_null(r.ids.values);
	assert_int_equal(mptcplib_get_kind(p[0], &kind), ENOTSOCK);
	close(p[0]);
	close(p[1]);
	r = mptcplib_get_sub_ids(p[0]);
	assert_int_equal(r.errnoValue, EBADF);
}

static const struct kind_case {
	int family, type, proto;
	enum mptcplib_kind want;
} kind_cases[] = {
	{ AF_INET, SOCK_STREAM, 0, MPTCPLIB_KIND_TCP },
	{ AF_INET6, SOCK_STREAM, IPPROTO_TCP, MPTCPLIB_KIND_TCP },
	{ AF_INET, SOCK_DGRAM, 0, MPTCPLIB_KIND_OTHER },
	{ AF_UNIX, SOCK_STREAM, 0, MPTCPLIB_KIND_OTHER },
	{ AF_INET, SOCK_STREAM, 262, MPTCPLIB_KIND_MPTCP },
};

static void test_kind_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(kind_cases) / sizeof(kind_cases[0]); i++) {
		const struct kind_case *c = &kind_cases[i];
		enum mptcplib_kind kind;
		int fd = socket(c->family, c->type, c->proto);

		if (fd < 0 && c->proto == 262) {
			print_message("MPTCP sockets unavailable here: %s\n",
				      strerror(errno));
			continue;
		}
		assert_true(fd >= 0);
		assert_int_equal(mptcplib_get_kind(fd, &kind), 0);
		assert_int_equal(kind, c->want);
		close(fd);
	}
}

/* A plain TCP socket: every subflow call says "not MPTCP", and why. */
static void test_tcp_socket_is_not_mptcp(void **state)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	struct mptcplib_getsubsockopt_result r;
	struct mptcplib_conn_info info;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(mptcplib_close_sub(fd, 1, SHUT_RDWR), EOPNOTSUPP);
	assert_non_null(strstr(mptcplib_last_error(), "not an MPTCP socket"));
	assert_int_equal(mptcplib_set_sub_prio(fd, 1, 1), EOPNOTSUPP);
	assert_int_equal(mptcplib_get_conn_info(fd, &info), EOPNOTSUPP);
	r = mptcplib_get_sub_sockopt(fd, 1, IPPROTO_TCP, TCP_INFO, 64);
	assert_int_equal(r.errnoValue, EOPNOTSUPP);
	assert_null(r.value);
	assert_int_equal(mptcplib_set_sub_sockopt(fd, 1, IPPROTO_TCP,
						  TCP_NODELAY, &one,
						  sizeof(one)),
			 EOPNOTSUPP);
	assert_non_null(strstr(mptcplib_last_error(), "MPTCP socket"));
	close(fd);
}

/* last_error is per thread: another thread's failure does not leak in. */
static void *fail_in_thread(void *arg)
{
	(void)arg;
	mptcplib_close_sub(0, 1, 42);
	return NULL;
}

static void test_last_error_is_per_thread(void **state)
{
	pthread_t th;

	(void)state;
	assert_int_equal(mptcplib_open_sub(0, NULL), EINVAL);
	assert_int_equal(pthread_create(&th, NULL, fail_in_thread, NULL), 0);
	pthread_join(th, NULL);
	assert_non_null(strstr(mptcplib_last_error(), "tuple->local"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fail_positive_errno),
		cmocka_unit_test(test_fail_wrong_sign_aborts),
		cmocka_unit_test(test_pm_error_mapping),
		cmocka_unit_test(test_pm_needs_conn),
		cmocka_unit_test(test_pm_subflow_not_found),
		cmocka_unit_test(test_pm_family_mismatch),
		cmocka_unit_test(test_open_sub_argument_errors),
		cmocka_unit_test(test_close_sub_bad_how),
		cmocka_unit_test(test_not_a_socket),
		cmocka_unit_test(test_kind_table),
		cmocka_unit_test(test_tcp_socket_is_not_mptcp),
		cmocka_unit_test(test_last_error_is_per_thread),
	};

	return cmocka_run_group_tests_name("errors", tests, NULL, NULL);
}

// SPDX-License-Identifier: MIT
/*
 * The shim's mode: a daemon that answers wins whatever the privileges;
 * without one, the host decides as before the daemon existed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "mpa_mode.h"

static const struct mode_case {
	const char *name;
	struct mpa_host host;
	enum mpa_mode want;
} mode_cases[] = {
	{ "daemon answers, root",
	  { MPA_DAEMON_UP, true, MPTCPLIB_PM_USERSPACE, true, true },
	  MPA_MODE_DAEMON },
	{ "daemon answers, a user",
	  { MPA_DAEMON_UP, true, MPTCPLIB_PM_USERSPACE, false, true },
	  MPA_MODE_DAEMON },
	{ "daemon answers, namespace still on the kernel's",
	  { MPA_DAEMON_UP, true, MPTCPLIB_PM_KERNEL, true, true },
	  MPA_MODE_DAEMON },
	{ "daemon answers, engine calls forbidden",
	  { MPA_DAEMON_UP, true, MPTCPLIB_PM_USERSPACE, true, false },
	  MPA_MODE_DAEMON },
	{ "socket file, not asked yet",
	  { MPA_DAEMON_MAYBE, true, MPTCPLIB_PM_USERSPACE, true, true },
	  MPA_MODE_PROBE },
	{ "socket file, the filter forbids registering: no engine",
	  { MPA_DAEMON_MAYBE, false, MPTCPLIB_PM_USERSPACE, true, true },
	  MPA_MODE_UNREACHABLE },
	{ "socket we may not use, root: no engine",
	  { MPA_DAEMON_UNREACHABLE, true, MPTCPLIB_PM_USERSPACE, true, true },
	  MPA_MODE_UNREACHABLE },
	{ "no daemon, userspace, root",
	  { MPA_DAEMON_NONE, true, MPTCPLIB_PM_USERSPACE, true, true },
	  MPA_MODE_ENGINE },
	{ "no daemon, userspace, root, registering forbidden too",
	  { MPA_DAEMON_NONE, false, MPTCPLIB_PM_USERSPACE, true, true },
	  MPA_MODE_ENGINE },
	{ "no daemon, userspace, a user",
	  { MPA_DAEMON_NONE, true, MPTCPLIB_PM_USERSPACE, false, true },
	  MPA_MODE_NO_CAP },
	{ "no daemon, userspace, root, netlink forbidden",
	  { MPA_DAEMON_NONE, true, MPTCPLIB_PM_USERSPACE, true, false },
	  MPA_MODE_SECCOMP },
	{ "no daemon, kernel path manager, root",
	  { MPA_DAEMON_NONE, true, MPTCPLIB_PM_KERNEL, true, true },
	  MPA_MODE_KERNEL },
	{ "no daemon, no MPTCP",
	  { MPA_DAEMON_NONE, true, MPTCPLIB_PM_UNKNOWN, true, true },
	  MPA_MODE_NO_MPTCP },
};

static void test_mode_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(mode_cases) / sizeof(mode_cases[0]); i++) {
		print_message("%s\n", mode_cases[i].name);
		assert_int_equal(mpa_mode_decide(&mode_cases[i].host),
				 mode_cases[i].want);
	}
}

/* Two path managers never act on one namespace: every combination. */
static void test_daemon_wins_whatever_the_privileges(void **state)
{
	static const enum mptcplib_pm pms[] = { MPTCPLIB_PM_UNKNOWN,
						MPTCPLIB_PM_KERNEL,
						MPTCPLIB_PM_USERSPACE };
	struct mpa_host h = { .daemon_calls = true };
	size_t p;
	int cap, calls;

	(void)state;
	for (p = 0; p < 3; p++)
		for (cap = 0; cap < 2; cap++)
			for (calls = 0; calls < 2; calls++) {
				h.pm = pms[p];
				h.cap_net_admin = cap;
				h.engine_calls = calls;
				h.daemon = MPA_DAEMON_UP;
				assert_int_equal(mpa_mode_decide(&h),
						 MPA_MODE_DAEMON);
				h.daemon = MPA_DAEMON_UNREACHABLE;
				assert_int_not_equal(mpa_mode_decide(&h),
						     MPA_MODE_ENGINE);
			}
}

static void test_helper_and_texts(void **state)
{
	enum cmn_log_level level;
	int m;

	(void)state;
	for (m = MPA_MODE_PROBE; m <= MPA_MODE_NO_MPTCP; m++) {
		const char *text = mpa_mode_text(m, &level);

		assert_int_equal(mpa_mode_has_helper(m),
				 m == MPA_MODE_PROBE || m == MPA_MODE_DAEMON ||
					 m == MPA_MODE_ENGINE);
		/* Every decided mode is said; probing says nothing yet. */
		if (m == MPA_MODE_PROBE) {
			assert_null(text);
			continue;
		}
		assert_non_null(text);
		assert_true(level == CMN_LOG_INFO || level == CMN_LOG_WARN);
	}
	assert_non_null(strstr(mpa_mode_text(MPA_MODE_NO_CAP, &level),
			       "no CAP_NET_ADMIN"));
	assert_non_null(
		strstr(mpa_mode_text(MPA_MODE_DAEMON, &level), "mptcp-autod"));
	mpa_mode_text(MPA_MODE_UNREACHABLE, &level);
	assert_int_equal(level, CMN_LOG_WARN);
}

/*
 * The local address costs connect() a system call: read only for a
 * helper that may become the in-process engine, which opens subflows
 * from it; never for registrations with mptcp-autod.
 */
static void test_local_address_only_for_the_engine(void **state)
{
	static const struct {
		enum mpa_mode mode;
		bool needs;
	} cases[] = {
		{ MPA_MODE_PROBE, true },    { MPA_MODE_ENGINE, true },
		{ MPA_MODE_DAEMON, false },  { MPA_MODE_UNREACHABLE, false },
		{ MPA_MODE_KERNEL, false },  { MPA_MODE_NO_CAP, false },
		{ MPA_MODE_SECCOMP, false }, { MPA_MODE_NO_MPTCP, false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(mpa_mode_needs_local(cases[i].mode),
				 cases[i].needs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mode_table),
		cmocka_unit_test(test_daemon_wins_whatever_the_privileges),
		cmocka_unit_test(test_helper_and_texts),
		cmocka_unit_test(test_local_address_only_for_the_engine),
	};

	return cmocka_run_group_tests_name("preload-mode", tests, NULL, NULL);
}

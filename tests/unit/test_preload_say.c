// SPDX-License-Identifier: MIT
/*
 * The shim's one unasked line: which reason each mode and each Go program
 * gives, whether mptcp-auto run said it already, and the sentence.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "mpa_say.h"

static const struct mode_case {
	enum mpa_mode mode;
	bool had_cap;
	enum cmn_say want;
} mode_cases[] = {
	/* The modes that open the policy's subflows, or decide later. */
	{ MPA_MODE_DAEMON, false, CMN_SAY_NONE },
	{ MPA_MODE_ENGINE, true, CMN_SAY_NONE },
	{ MPA_MODE_PROBE, false, CMN_SAY_NONE },
	{ MPA_MODE_KERNEL, false, CMN_SAY_KERNEL_PM },
	{ MPA_MODE_NO_CAP, false, CMN_SAY_NO_CAP },
	/* Root at start, none now: a drop, not a user without privilege. */
	{ MPA_MODE_NO_CAP, true, CMN_SAY_DROPPED },
	{ MPA_MODE_UNREACHABLE, false, CMN_SAY_UNREACHABLE },
	{ MPA_MODE_SECCOMP, true, CMN_SAY_SECCOMP },
	{ MPA_MODE_NO_MPTCP, false, CMN_SAY_NO_MPTCP },
};

static void test_for_mode(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(mode_cases) / sizeof(mode_cases[0]); i++)
		assert_int_equal(mpa_say_for_mode(mode_cases[i].mode,
						  mode_cases[i].had_cap),
				 mode_cases[i].want);
}

static const struct go_case {
	int err;
	const char *ver;
	bool godebug;
	enum cmn_say want;
} go_cases[] = {
	{ -ENOENT, "", true, CMN_SAY_NONE }, /* not a Go program */
	{ -EIO, "", true, CMN_SAY_NONE },
	{ -EOPNOTSUPP, "go1.17 or older", true, CMN_SAY_GO_OLD },
	{ 0, "go1.19.8", true, CMN_SAY_GO_OLD }, /* Debian 12's */
	{ 0, "go1.20.14", true, CMN_SAY_GO_OLD },
	{ 0, "go1.21.0", true, CMN_SAY_GO_UNSEEN },
	{ 0, "go1.22.2", false, CMN_SAY_GO_NO_GODEBUG },
	{ 0, "devel go1.24-abc", true, CMN_SAY_GO_UNSEEN },
};

static void test_for_go(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(go_cases) / sizeof(go_cases[0]); i++)
		assert_int_equal(mpa_say_for_go(go_cases[i].err,
						go_cases[i].ver,
						go_cases[i].godebug),
				 go_cases[i].want);
}

/* MPTCP_AUTO_SAID: what mptcp-auto run said, or "quiet". */
static void test_allowed(void **state)
{
	(void)state;
	assert_true(cmn_say_allowed(NULL, CMN_SAY_NO_CAP));
	assert_false(cmn_say_allowed("no-cap", CMN_SAY_NO_CAP));
	assert_true(cmn_say_allowed("kernel-pm", CMN_SAY_NO_CAP));
	assert_true(cmn_say_allowed("none", CMN_SAY_DROPPED));
	assert_false(cmn_say_allowed("quiet", CMN_SAY_DROPPED));
	assert_false(cmn_say_allowed(NULL, CMN_SAY_NONE));
	assert_false(cmn_say_allowed(NULL, CMN_SAY_COUNT));
	assert_string_equal(cmn_say_word(CMN_SAY_DROPPED),
			    "dropped-privileges");
	assert_string_equal(cmn_say_word(CMN_SAY_COUNT), "none");
}

static void test_format(void **state)
{
	char out[600];
	int r;

	(void)state;
	/* Every reason has a sentence, and says what to do or what is. */
	for (r = CMN_SAY_NONE + 1; r < CMN_SAY_COUNT; r++)
		assert_true(strlen(mpa_say_format((enum cmn_say)r, "x", out,
						  sizeof(out))) > 40);
	mpa_say_format(CMN_SAY_GO_OLD, "go1.19.8", out, sizeof(out));
	assert_non_null(strstr(out, "this Go program (go1.19.8) makes"));
	assert_null(strstr(out, "%s"));
	mpa_say_format(CMN_SAY_DROPPED, "it runs as uid 42 now", out,
		       sizeof(out));
	assert_non_null(strstr(out, "(it runs as uid 42 now)"));
	assert_non_null(strstr(out, "systemctl enable --now mptcp-autod"));
	/* No detail where the sentence wants one: a mark, not a hole. */
	mpa_say_format(CMN_SAY_GO_OLD, "", out, sizeof(out));
	assert_non_null(strstr(out, "(?)"));
	/* A detail that looks like a format is text. */
	mpa_say_format(CMN_SAY_GO_OLD, "%n%s", out, sizeof(out));
	assert_non_null(strstr(out, "(%n%s)"));
	assert_string_equal(mpa_say_format(CMN_SAY_NONE, "x", out, sizeof(out)),
			    "");
	mpa_say_format(CMN_SAY_NO_CAP, "", out, 10);
	assert_int_equal(strlen(out), 9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_for_mode),
		cmocka_unit_test(test_for_go),
		cmocka_unit_test(test_allowed),
		cmocka_unit_test(test_format),
	};

	return cmocka_run_group_tests_name("preload-say", tests, NULL, NULL);
}

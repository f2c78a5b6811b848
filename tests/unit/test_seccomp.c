// SPDX-License-Identifier: MIT
/*
 * The seccomp state the shim reads from /proc/thread-self/status, and the
 * probe on this test's own (unfiltered) thread.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "mpa_seccomp.h"

static const struct parse_case {
	const char *status;
	int mode, filters;
} parse_cases[] = {
	{ "Name:\tcurl\nSeccomp:\t0\nSeccomp_filters:\t0\n", 0, 0 },
	{ "Name:\tcurl\nSeccomp:\t2\nSeccomp_filters:\t3\nVoluntary:\t1\n", 2,
	  3 },
	/* Before Linux 5.9 there is no filter count. */
	{ "Seccomp:\t2\nSpeculation_Store_Bypass:\tvulnerable\n", 2, -1 },
	{ "Seccomp:\t1\n", 1, -1 },
	/* A prefix of another field's name is not the field. */
	{ "SeccompX:\t2\nName:\tSeccomp:\t2\n", -1, -1 },
	{ "", -1, -1 },
};

static void test_parse(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		const struct parse_case *c = &parse_cases[i];
		struct mpa_seccomp s;

		mpa_seccomp_parse(c->status, &s);
		assert_int_equal(s.mode, c->mode);
		assert_int_equal(s.filters, c->filters);
	}
}

/* No filter on this thread: the kernel says so, and every probe lives. */
static void test_unfiltered_thread(void **state)
{
	struct mpa_seccomp s;

	(void)state;
	assert_int_equal(mpa_seccomp_read(&s), 0);
	assert_int_equal(s.mode, 0);
	assert_int_equal(mpa_seccomp_probe(), (1u << MPA_PROBE_COUNT) - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_unfiltered_thread),
	};

	return cmocka_run_group_tests_name("seccomp", tests, NULL, NULL);
}

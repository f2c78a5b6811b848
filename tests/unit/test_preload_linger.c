// SPDX-License-Identifier: MIT
/*
 * The helper's wakeful window after a connection (preload/mpa_linger.h):
 * awake, it looks at the queue every MPA_LINGER_POLL_US, so that the
 * program's next connect() wakes nobody; past MPA_LINGER_US without a
 * connection it sleeps until one wakes it, and costs nothing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "mpa_linger.h"

static const struct linger_case {
	const char *name;
	int64_t idle_us;
	int want;
} linger_cases[] = {
	{ "never given a connection: sleeps", -1, -1 },
	{ "just took one: looks again soon", 0, MPA_LINGER_POLL_US },
	{ "within the window", MPA_LINGER_US / 2, MPA_LINGER_POLL_US },
	{ "the window's last look ends on time", MPA_LINGER_US - 100, 100 },
	{ "the window is over: sleeps", MPA_LINGER_US, -1 },
	{ "long idle: sleeps", 10 * 1000 * 1000, -1 },
};

static void test_linger_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(linger_cases) / sizeof(linger_cases[0]); i++) {
		const struct linger_case *c = &linger_cases[i];

		print_message("%s\n", c->name);
		assert_int_equal(mpa_linger_timeout_us(c->idle_us), c->want);
	}
}

/*
 * Staying awake is bounded: from a connection on, the waits add up to the
 * window and no more, then the helper sleeps (an idle process's helper
 * uses no CPU).
 */
static void test_linger_ends(void **state)
{
	int64_t idle = 0;
	int t, looks = 0;

	(void)state;
	while ((t = mpa_linger_timeout_us(idle)) >= 0) {
		assert_true(t > 0 && t <= MPA_LINGER_POLL_US);
		idle += t;
		looks++;
		assert_true(looks <= MPA_LINGER_US / MPA_LINGER_POLL_US + 1);
	}
	assert_int_equal(idle, MPA_LINGER_US);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_linger_table),
		cmocka_unit_test(test_linger_ends),
	};

	return cmocka_run_group_tests_name("preload-linger", tests, NULL, NULL);
}

// SPDX-License-Identifier: MIT
/*
 * subflow-delay: the duration values it takes, and how it inherits from
 * [default] and the built-in default.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "mpa_parse.h"
#include "mpa_policy.h"

static const struct duration_case {
	const char *value;
	int ms; /* -1: refused */
} duration_cases[] = {
	{ "0", 0 },
	{ "0s", 0 },
	{ "250ms", 250 },
	{ " 2s ", 2000 },
	{ "1.5s", 1500 },
	{ "0.25s", 250 },
	{ "0.0005s", 0 }, /* below a millisecond: rounds down */
	{ "60s", 60000 },
	{ "60000ms", 60000 },
	{ "60.001s", -1 }, /* over the limit */
	{ "61s", -1 },
	{ "99999999999999s", -1 },
	{ "250", -1 }, /* a unit is needed but for 0 */
	{ "1.5ms", -1 },
	{ "s", -1 },
	{ "", -1 },
	{ "-1s", -1 },
	{ "2 s", -1 },
	{ "2min", -1 },
};

static void test_durations(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(duration_cases) / sizeof(duration_cases[0]);
	     i++) {
		const struct duration_case *c = &duration_cases[i];
		char err[160] = "";
		int ms = -7, rc;

		rc = mpa_parse_duration("subflow-delay", c->value,
					MPA_MAX_DELAY_MS, &ms, err, sizeof(err));
		if (c->ms < 0) {
			assert_int_equal(rc, -EINVAL);
			assert_int_equal(ms, -7);
			assert_non_null(strstr(err, "is not a duration"));
		} else {
			assert_int_equal(rc, 0);
			assert_int_equal(ms, c->ms);
		}
	}
}

static void test_inheritance(void **state)
{
	static const char text[] = "[default]\nsubflow-delay = 300ms\n"
				   "[program apt-get]\nsubflow-delay = 2s\n"
				   "[program curl]\nsubflows = 1\n";
	const char *names[] = { "p.ini" }, *texts[] = { text };
	size_t lens[] = { sizeof(text) - 1 };
	struct mpa_policy *p;
	int i;

	(void)state;
	p = mpa_policy_load_buffers(names, texts, lens, 1);
	assert_non_null(p);
	assert_int_equal(p->nerrors, 0);
	assert_int_equal(p->def.subflow_delay, 300);
	for (i = 0; i < p->nprograms; i++) {
		if (!strcmp(p->programs[i].program, "apt-get"))
			assert_int_equal(p->programs[i].subflow_delay, 2000);
		else
			assert_int_equal(p->programs[i].subflow_delay, 300);
	}
	mpa_policy_free(p);

	/* Nothing said: at once, as the in-kernel path manager does. */
	texts[0] = "[program curl]\nsubflows = 1\n";
	lens[0] = strlen(texts[0]);
	p = mpa_policy_load_buffers(names, texts, lens, 1);
	assert_non_null(p);
	assert_int_equal(p->def.subflow_delay, 0);
	assert_int_equal(p->programs[0].subflow_delay, 0);
	mpa_policy_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_inheritance),
	};

	return cmocka_run_group_tests_name("policy-delay", tests, NULL, NULL);
}

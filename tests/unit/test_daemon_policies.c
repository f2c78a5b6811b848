// SPDX-License-Identifier: MIT
/*
 * mptcp-autod's policies across reloads (SIGHUP): a user whose policy
 * narrows is still served after many reloads (the narrowings of a
 * replaced policy no longer count against the user's share), and a
 * replaced policy, with its narrowings, is kept exactly while one of its
 * rules is in use (ASan says whether anything was freed early or leaked).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "dmn_policies.h"

static const char policy_text[] = "[default]\n"
				  "interfaces = eth1\n"
				  "\n"
				  "[program curl]\n"
				  "interfaces = eth1, wlan0\n"
				  "subflows = 2\n";

static struct mpa_policy *load(void)
{
	const char *name = "policy.ini", *text = policy_text;
	size_t len = strlen(policy_text);
	struct mpa_policy *p = mpa_policy_load_buffers(&name, &text, &len, 1);

	assert_non_null(p);
	assert_int_equal(p->nerrors, 0);
	assert_int_equal(p->nprograms, 1);
	return p;
}

static const struct mpa_rule *curl_rule(const struct dmn_policies *ps)
{
	struct mpa_prog_id id = { .exe = "curl" };

	return mpa_policy_program(dmn_policies_current(ps), &id);
}

/* A registration of @uid whose user policy asks for one subflow. */
static const struct mpa_rule *narrowed(struct dmn_policies *ps, uid_t uid)
{
	const struct mpa_rule *r = NULL;
	struct eng_wire_msg m;

	eng_wire_init(&m, ENG_WIRE_REGISTER, 1);
	m.narrow = true;
	m.user_subflows = 1;
	assert_int_equal(dmn_narrow_intern(dmn_policies_narrow(ps),
					   curl_rule(ps), &m, uid, &r),
			 0);
	assert_int_equal(r->subflows, 1);
	return r;
}

/*
 * The regression: every reload used to leave the user's narrowing behind
 * in the one table, where it still counted against the user's share;
 * after DMN_NARROW_PER_UID reloads its registrations were refused.
 */
static void test_narrowing_served_after_many_reloads(void **state)
{
	struct dmn_policies *ps = dmn_policies_new(load());
	const struct mpa_rule *inuse[1];
	int i;

	(void)state;
	for (i = 0; i < 3 * DMN_NARROW_PER_UID; i++) {
		/* A connection registered under the policy in force... */
		inuse[0] = narrowed(ps, 1000);
		/* ...which stays open across the reload. */
		assert_int_equal(dmn_policies_replace(ps, load()), 0);
		dmn_policies_release(ps, inuse, 1);
		assert_int_equal(dmn_policies_retired(ps), 1);
		assert_int_equal(dmn_narrow_count(dmn_policies_narrow(ps)), 0);
	}
	dmn_policies_free(ps);
}

static void test_kept_while_in_use(void **state)
{
	struct dmn_policies *ps = dmn_policies_new(load());
	const struct mpa_rule *inuse[2], *prog, *def, *narrow, *now;
	struct mpa_policy *first = dmn_policies_current(ps);

	(void)state;
	prog = curl_rule(ps);
	def = &first->def;
	narrow = narrowed(ps, 1000);
	assert_int_equal(dmn_policies_replace(ps, load()), 0);
	now = curl_rule(ps);
	/* Nothing replaced is freed while any of its rules is in use. */
	inuse[0] = now;
	inuse[1] = prog;
	assert_int_equal(dmn_policies_release(ps, inuse, 2), 0);
	inuse[0] = def;
	assert_int_equal(dmn_policies_release(ps, inuse, 1), 0);
	inuse[0] = narrow;
	assert_int_equal(dmn_policies_release(ps, inuse, 1), 0);
	assert_int_equal(dmn_policies_retired(ps), 1);
	/* Still readable (ASan would say otherwise). */
	assert_int_equal(narrow->subflows, 1);
	assert_int_equal(prog->subflows, 2);
	/* Only the rules of the policy in force: the old one goes. */
	inuse[0] = now;
	assert_int_equal(dmn_policies_release(ps, inuse, 1), 1);
	assert_int_equal(dmn_policies_retired(ps), 0);
	/* The policy in force is never freed, used or not. */
	assert_int_equal(dmn_policies_release(ps, NULL, 0), 0);
	assert_int_equal(curl_rule(ps)->subflows, 2);
	dmn_policies_free(ps);
}

/* Of several replaced policies, exactly the unused ones go. */
static void test_generations(void **state)
{
	struct dmn_policies *ps = dmn_policies_new(load());
	const struct mpa_rule *inuse[2], *first, *third;

	(void)state;
	first = narrowed(ps, 1000);
	assert_int_equal(dmn_policies_replace(ps, load()), 0);
	narrowed(ps, 1001);
	assert_int_equal(dmn_policies_replace(ps, load()), 0);
	third = curl_rule(ps);
	assert_int_equal(dmn_policies_replace(ps, load()), 0);
	assert_int_equal(dmn_policies_retired(ps), 3);
	/* In any order: the list is sorted inside. */
	inuse[0] = third;
	inuse[1] = first;
	assert_int_equal(dmn_policies_release(ps, inuse, 2), 1);
	assert_int_equal(dmn_policies_retired(ps), 2);
	inuse[0] = first;
	assert_int_equal(dmn_policies_release(ps, inuse, 1), 1);
	assert_int_equal(first->subflows, 1);
	assert_int_equal(dmn_policies_release(ps, NULL, 0), 1);
	assert_int_equal(dmn_policies_retired(ps), 0);
	/* Freed with everything still kept. */
	assert_int_equal(dmn_policies_replace(ps, load()), 0);
	dmn_policies_free(ps);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_narrowing_served_after_many_reloads),
		cmocka_unit_test(test_kept_while_in_use),
		cmocka_unit_test(test_generations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: MIT
/*
 * mptcp-autod's client slots: the decision (pure, a table of cases), the
 * limits the descriptor limit allows, the count per uid (one user at its
 * share does not stop another, root included; thousands of users), and
 * when a turned-away client is worth a log line.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>

#include "dmn_slots.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static void test_decide(void **state)
{
	static const struct {
		int used, max, of_uid, per_uid;
		enum dmn_slot_verdict expect;
	} cases[] = {
		{ 0, 8, 0, 2, DMN_SLOT_TAKEN },
		{ 7, 8, 1, 2, DMN_SLOT_TAKEN },
		/* The user holds its share: refused, whatever is free. */
		{ 2, 8, 2, 2, DMN_SLOT_USER_FULL },
		{ 3, 8, 3, 2, DMN_SLOT_USER_FULL },
		/* Every slot taken, by others. */
		{ 8, 8, 0, 2, DMN_SLOT_FULL },
		{ 8, 8, 1, 2, DMN_SLOT_FULL },
		/* Both: the user's own limit is the one that refuses it. */
		{ 8, 8, 2, 2, DMN_SLOT_USER_FULL },
		/* A share as large as the total. */
		{ 7, 8, 7, 8, DMN_SLOT_TAKEN },
		{ 8, 8, 8, 8, DMN_SLOT_USER_FULL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		assert_int_equal(dmn_slot_decide(cases[i].used, cases[i].max,
						 cases[i].of_uid,
						 cases[i].per_uid),
				 cases[i].expect);
}

static void test_limits(void **state)
{
	static const struct {
		int want, want_per_uid;
		uint64_t nofile;
		int max, per_uid;
		bool max_cut, per_uid_cut;
	} cases[] = {
		/* The defaults, with descriptors enough. */
		{ 0, 0, UINT64_MAX, DMN_MAX_CLIENTS,
		  DMN_MAX_CLIENTS / DMN_PER_UID_SHARE, false, false },
		{ 0, 0, DMN_MAX_CLIENTS + DMN_FD_RESERVE, DMN_MAX_CLIENTS,
		  DMN_MAX_CLIENTS / DMN_PER_UID_SHARE, false, false },
		/* A soft limit of 1024 that could not be raised. */
		{ 0, 0, 1024, 1024 - DMN_FD_RESERVE,
		  (1024 - DMN_FD_RESERVE) / DMN_PER_UID_SHARE, true, false },
		/* Asked: taken as asked. */
		{ 100, 10, UINT64_MAX, 100, 10, false, false },
		{ 100, 0, UINT64_MAX, 100, 25, false, false },
		/* A share larger than the total is the total. */
		{ 100, 500, UINT64_MAX, 100, 100, false, true },
		/* A lowered total lowers an asked share above it. */
		{ 100, 90, 64 + DMN_FD_RESERVE, 64, 64, true, true },
		/* Tiny totals: a user may still have one. */
		{ 3, 0, UINT64_MAX, 3, 1, false, false },
		{ 0, 0, 10, 1, 1, true, false },
	};
	struct dmn_slot_limits l;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		dmn_slots_limits(cases[i].want, cases[i].want_per_uid,
				 cases[i].nofile, &l);
		assert_int_equal(l.max, cases[i].max);
		assert_int_equal(l.per_uid, cases[i].per_uid);
		assert_int_equal(l.max_cut, cases[i].max_cut);
		assert_int_equal(l.per_uid_cut, cases[i].per_uid_cut);
	}
	assert_int_equal(dmn_slots_nofile(4096), 4096 + DMN_FD_RESERVE);
}

/* One user holding its whole share does not stop another, nor root. */
static void test_share_per_user(void **state)
{
	struct dmn_slots *s = dmn_slots_new(10, 4);
	int i;

	(void)state;
	assert_int_equal(dmn_slots_max(s), 10);
	assert_int_equal(dmn_slots_per_uid(s), 4);
	for (i = 0; i < 4; i++)
		assert_int_equal(dmn_slots_take(s, 1000, 0), DMN_SLOT_TAKEN);
	assert_int_equal(dmn_slots_take(s, 1000, 0), DMN_SLOT_USER_FULL);
	assert_int_equal(dmn_slots_of(s, 1000), 4);
	/* Another user, and root, counted like any user. */
	assert_int_equal(dmn_slots_take(s, 1001, 0), DMN_SLOT_TAKEN);
	for (i = 0; i < 4; i++)
		assert_int_equal(dmn_slots_take(s, 0, 0), DMN_SLOT_TAKEN);
	assert_int_equal(dmn_slots_take(s, 0, 0), DMN_SLOT_USER_FULL);
	assert_int_equal(dmn_slots_used(s), 9);
	/* The last slot; then every newcomer is refused as full. */
	assert_int_equal(dmn_slots_take(s, 1002, 0), DMN_SLOT_TAKEN);
	assert_int_equal(dmn_slots_take(s, 1003, 0), DMN_SLOT_FULL);
	assert_int_equal(dmn_slots_take(s, 1001, 0), DMN_SLOT_FULL);
	/* A slot given back is anyone's. */
	dmn_slots_put(s, 1000);
	assert_int_equal(dmn_slots_of(s, 1000), 3);
	assert_int_equal(dmn_slots_take(s, 1003, 0), DMN_SLOT_TAKEN);
	/* Given back more often than taken: nothing goes negative. */
	dmn_slots_put(s, 4242);
	dmn_slots_put(s, 1003);
	dmn_slots_put(s, 1003);
	assert_int_equal(dmn_slots_of(s, 1003), 0);
	assert_int_equal(dmn_slots_used(s), 9);
	dmn_slots_free(s);
}

/* Thousands of users, coming and going: every count stays its own. */
static void test_many_users(void **state)
{
	struct dmn_slots *s = dmn_slots_new(20000, 2);
	uid_t u;

	(void)state;
	for (u = 0; u < 5000; u++) {
		assert_int_equal(dmn_slots_take(s, u * 7919, 0),
				 DMN_SLOT_TAKEN);
		if (u % 3 == 0)
			assert_int_equal(dmn_slots_take(s, u * 7919, 0),
					 DMN_SLOT_TAKEN);
	}
	/* Every other user leaves: their entries go, the others move. */
	for (u = 0; u < 5000; u += 2) {
		dmn_slots_put(s, u * 7919);
		if (u % 3 == 0)
			dmn_slots_put(s, u * 7919);
	}
	for (u = 0; u < 5000; u++)
		assert_int_equal(dmn_slots_of(s, u * 7919),
				 u % 2 ? 1 + (u % 3 == 0) : 0);
	assert_int_equal(dmn_slots_used(s), 2500 + 833);
	dmn_slots_free(s);
}

static void test_said_once_a_minute(void **state)
{
	struct dmn_slots *s = dmn_slots_new(4, 2);
	int64_t t = 1000;

	(void)state;
	dmn_slots_take(s, 1000, t);
	dmn_slots_take(s, 1000, t);
	/* The first is said; the next ones within the minute are counted. */
	assert_int_equal(dmn_slots_turned_away(s, 1000, DMN_SLOT_USER_FULL, t),
			 1);
	assert_int_equal(
		dmn_slots_turned_away(s, 1000, DMN_SLOT_USER_FULL, t + 10), 0);
	assert_int_equal(dmn_slots_turned_away(s, 1000, DMN_SLOT_USER_FULL,
					       t + DMN_SLOTS_SAY_MS - 1),
			 0);
	/* Another user is said on its own. */
	dmn_slots_take(s, 1001, t);
	dmn_slots_take(s, 1001, t);
	assert_int_equal(
		dmn_slots_turned_away(s, 1001, DMN_SLOT_USER_FULL, t + 20), 1);
	/* A minute on: said, with the ones not said meanwhile. */
	assert_int_equal(dmn_slots_turned_away(s, 1000, DMN_SLOT_USER_FULL,
					       t + DMN_SLOTS_SAY_MS),
			 3);
	/* Leaving and coming back does not make it said again sooner. */
	t += DMN_SLOTS_SAY_MS;
	dmn_slots_put(s, 1000);
	dmn_slots_put(s, 1000);
	assert_int_equal(dmn_slots_of(s, 1000), 0);
	assert_int_equal(dmn_slots_take(s, 1000, t + 1), DMN_SLOT_TAKEN);
	assert_int_equal(dmn_slots_take(s, 1000, t + 1), DMN_SLOT_TAKEN);
	assert_int_equal(
		dmn_slots_turned_away(s, 1000, DMN_SLOT_USER_FULL, t + 2), 0);
	/* Every slot taken: said for all users together. */
	assert_int_equal(dmn_slots_turned_away(s, 1002, DMN_SLOT_FULL, t), 1);
	assert_int_equal(dmn_slots_turned_away(s, 1003, DMN_SLOT_FULL, t), 0);
	assert_int_equal(dmn_slots_turned_away(s, 1003, DMN_SLOT_FULL,
					       t + DMN_SLOTS_SAY_MS),
			 2);
	assert_int_equal(dmn_slots_turned_away(s, 1003, DMN_SLOT_TAKEN, t), 0);
	dmn_slots_free(s);
}

/* A said user's entry outlives its slots for a minute, not for ever. */
static void test_said_users_forgotten(void **state)
{
	struct dmn_slots *s = dmn_slots_new(8, 1);
	uid_t u;

	(void)state;
	for (u = 0; u < 3000; u++) {
		int64_t t = (int64_t)u * 1000;

		assert_int_equal(dmn_slots_take(s, u, t), DMN_SLOT_TAKEN);
		assert_int_equal(dmn_slots_take(s, u, t), DMN_SLOT_USER_FULL);
		assert_int_equal(
			dmn_slots_turned_away(s, u, DMN_SLOT_USER_FULL, t), 1);
		dmn_slots_put(s, u);
	}
	/* Only about the last minute's 60 users are still known. */
	assert_int_equal(dmn_slots_used(s), 0);
	assert_true(dmn_slots_users(s) >= 60);
	assert_true(dmn_slots_users(s) < 200);
	assert_int_equal(dmn_slots_take(s, 99999, 3000 * 1000), DMN_SLOT_TAKEN);
	dmn_slots_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decide),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_share_per_user),
		cmocka_unit_test(test_many_users),
		cmocka_unit_test(test_said_once_a_minute),
		cmocka_unit_test(test_said_users_forgotten),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

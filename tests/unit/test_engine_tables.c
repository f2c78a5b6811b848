// SPDX-License-Identifier: MIT
/*
 * The engine's two tables: connections by token (eng_index.h) against a
 * plain array that knows the answers, through thousands of additions,
 * moves and removals; and the timer heap (eng_timers.h), which must give
 * back every entry in order of due time.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "eng_index.h"
#include "eng_timers.h"

#define NTOK 6000

/* A small deterministic generator: the same run every time. */
static uint32_t next_rand(uint32_t *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 1;
}

static void test_index_matches_reference(void **state)
{
	static uint32_t tokens[NTOK];
	static int where[NTOK]; /* -1: not in */
	struct eng_index x = { 0 };
	uint32_t seed = 7;
	int i, k, n = 0;

	(void)state;
	for (i = 0; i < NTOK; i++) {
		/* Distinct, non-zero, some of them neighbours. */
		tokens[i] = i % 3 ? 0x1000u + (uint32_t)i :
				    next_rand(&seed) | 1;
		for (k = 0; k < i; k++)
			if (tokens[k] == tokens[i])
				tokens[i] ^= 0x80000000u;
		where[i] = -1;
	}
	assert_int_equal(eng_index_fit(&x, NTOK), 0);
	for (k = 0; k < 60000; k++) {
		i = (int)(next_rand(&seed) % NTOK);
		switch (next_rand(&seed) % 3) {
		case 0: /* added, or moved to another slot */
			if (where[i] < 0)
				n++;
			where[i] = (int)(next_rand(&seed) % 100000);
			eng_index_put(&x, tokens[i], where[i]);
			break;
		case 1:
			if (where[i] >= 0)
				n--;
			where[i] = -1;
			eng_index_del(&x, tokens[i]);
			break;
		default:
			assert_int_equal(eng_index_get(&x, tokens[i]),
					 where[i]);
		}
		assert_int_equal(x.n, n);
	}
	for (i = 0; i < NTOK; i++)
		assert_int_equal(eng_index_get(&x, tokens[i]), where[i]);
	assert_int_equal(eng_index_get(&x, 0), -1);
	eng_index_free(&x);
}

/* Growing keeps every entry, at a size that keeps it half empty. */
static void test_index_grows(void **state)
{
	struct eng_index x = { 0 };
	uint32_t t;

	(void)state;
	assert_int_equal(eng_index_fit(&x, 10), 0);
	assert_int_equal(x.mask + 1, 64);
	for (t = 1; t <= 32; t++)
		eng_index_put(&x, t * 64, (int)t);
	assert_int_equal(eng_index_fit(&x, 1000), 0);
	assert_true(x.mask + 1 >= 2000);
	for (t = 1; t <= 32; t++)
		assert_int_equal(eng_index_get(&x, t * 64), (int)t);
	/* One removed, the others still found; forgotten, none. */
	eng_index_del(&x, 16 * 64);
	for (t = 1; t <= 32; t++)
		assert_int_equal(eng_index_get(&x, t * 64),
				 t == 16 ? -1 : (int)t);
	eng_index_forget(&x);
	assert_int_equal(x.n, 0);
	assert_int_equal(eng_index_get(&x, 64), -1);
	eng_index_free(&x);
}

static void test_timers_in_order(void **state)
{
	struct eng_timers t = { 0 };
	struct eng_timer e;
	uint32_t seed = 3;
	int64_t last = -1;
	int i, n = 0;

	(void)state;
	assert_int_equal(eng_timers_next(&t), -1);
	for (i = 0; i < 5000; i++)
		assert_int_equal(eng_timers_add(&t, next_rand(&seed) % 10000,
						(uint32_t)i + 1),
				 0);
	/* Nothing before its time. */
	assert_false(eng_timers_pop_due(&t, eng_timers_next(&t) - 1, &e));
	while (eng_timers_pop_due(&t, 10000, &e)) {
		assert_true(e.due >= last);
		last = e.due;
		n++;
		/* Some added while others fire, as timers rearm. */
		if (n % 7 == 0 && n < 3000)
			assert_int_equal(eng_timers_add(&t, last + 5, 9), 0);
	}
	assert_int_equal(n, 5000 + 428);
	assert_int_equal(eng_timers_next(&t), -1);
	eng_timers_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_index_matches_reference),
		cmocka_unit_test(test_index_grows),
		cmocka_unit_test(test_timers_in_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

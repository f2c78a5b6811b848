// SPDX-License-Identifier: MIT
/*
 * A client's identity while its command line is read (daemon/dmn_ident.h):
 * its states, and the book of asked reads: deadlines, the stuck read, the
 * clients behind it and after it, and the stuck read's return. Pure.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>

#include "dmn_ident.h"

static const struct state_case {
	enum dmn_ident_state from;
	enum dmn_ident_event ev;
	enum dmn_ident_state want;
} state_cases[] = {
	{ DMN_IDENT_PENDING, DMN_IDENT_EV_READ, DMN_IDENT_KNOWN },
	{ DMN_IDENT_PENDING, DMN_IDENT_EV_WITHOUT, DMN_IDENT_PARTIAL },
	/* Final: a late answer changes nothing, nor does a deadline. */
	{ DMN_IDENT_PARTIAL, DMN_IDENT_EV_READ, DMN_IDENT_PARTIAL },
	{ DMN_IDENT_KNOWN, DMN_IDENT_EV_WITHOUT, DMN_IDENT_KNOWN },
	{ DMN_IDENT_KNOWN, DMN_IDENT_EV_READ, DMN_IDENT_KNOWN },
	{ DMN_IDENT_PARTIAL, DMN_IDENT_EV_WITHOUT, DMN_IDENT_PARTIAL },
};

static void test_states(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(state_cases) / sizeof(state_cases[0]); i++) {
		const struct state_case *c = &state_cases[i];

		print_message("case %zu\n", i);
		assert_int_equal(dmn_ident_next(c->from, c->ev), c->want);
	}
	/* Its messages wait while it is pending, and only then. */
	assert_false(dmn_ident_serves(DMN_IDENT_PENDING));
	assert_true(dmn_ident_serves(DMN_IDENT_KNOWN));
	assert_true(dmn_ident_serves(DMN_IDENT_PARTIAL));
}

enum op { ASK, ANSWER, DUE, TIMEOUT, PENDING };

/*
 * One step on the book: the operation at @now on @id, and what it must
 * give (ASK: 0 or -errno; ANSWER: the answer, and for BACK the ms stuck
 * in @ms; DUE: the verdict, and its id in @id_out; TIMEOUT: the ms;
 * PENDING: the count).
 */
struct step {
	enum op op;
	int64_t now;
	uint64_t id;
	int want;
	uint64_t id_out;
	int64_t ms;
};

static const struct step steps[] = {
	{ ASK, 0, 1, 0, 0, 0 },
	{ ASK, 10, 2, 0, 0, 0 },
	{ TIMEOUT, 0, 0, 200, 0, 0 },
	{ DUE, 199, 0, DMN_IDENT_DUE_NONE, 0, 0 },
	{ PENDING, 0, 0, 2, 0, 0 },
	/* Answered in time: known. */
	{ ANSWER, 50, 1, DMN_IDENT_ANSWER_READ, 0, 0 },
	{ PENDING, 0, 0, 1, 0, 0 },
	{ TIMEOUT, 50, 0, 160, 0, 0 },
	{ DUE, 209, 0, DMN_IDENT_DUE_NONE, 0, 0 },
	/* Not back at its deadline: the reader is stuck in it. */
	{ DUE, 210, 0, DMN_IDENT_DUE_STUCK, 2, 0 },
	{ PENDING, 0, 0, 0, 0, 0 },
	{ TIMEOUT, 210, 0, -1, 0, 0 },
	/* While it is stuck, nothing more is asked of the reader. */
	{ ASK, 211, 3, -EBUSY, 0, 0 },
	{ ASK, 400, 3, -EBUSY, 0, 0 },
	{ DUE, 5000, 0, DMN_IDENT_DUE_NONE, 0, 0 },
	/* Its return: how long it was stuck; then reads are asked again. */
	{ ANSWER, 500, 2, DMN_IDENT_ANSWER_BACK, 0, 290 },
	{ ANSWER, 501, 2, DMN_IDENT_ANSWER_STALE, 0, 0 },
	{ ASK, 600, 4, 0, 0, 0 },
	{ ASK, 601, 5, 0, 0, 0 },
	{ ASK, 602, 6, 0, 0, 0 },
	/* The oldest late: stuck; those asked after it are behind it, due
	 * at once, not at their own deadlines. */
	{ DUE, 800, 0, DMN_IDENT_DUE_STUCK, 4, 0 },
	{ TIMEOUT, 800, 0, 0, 0, 0 },
	{ DUE, 800, 0, DMN_IDENT_DUE_BEHIND, 5, 0 },
	{ DUE, 800, 0, DMN_IDENT_DUE_BEHIND, 6, 0 },
	{ DUE, 800, 0, DMN_IDENT_DUE_NONE, 0, 0 },
	{ PENDING, 0, 0, 0, 0, 0 },
	/* A client given up: its answer is dropped. */
	{ ANSWER, 900, 5, DMN_IDENT_ANSWER_STALE, 0, 0 },
	{ ANSWER, 900, 4, DMN_IDENT_ANSWER_BACK, 0, 100 },
	{ ANSWER, 900, 99, DMN_IDENT_ANSWER_STALE, 0, 0 },
	/* An answer out of order takes only its own. */
	{ ASK, 1000, 7, 0, 0, 0 },
	{ ASK, 1000, 8, 0, 0, 0 },
	{ ANSWER, 1001, 8, DMN_IDENT_ANSWER_READ, 0, 0 },
	{ PENDING, 0, 0, 1, 0, 0 },
	{ DUE, 1200, 0, DMN_IDENT_DUE_STUCK, 7, 0 },
};

static void test_book(void **state)
{
	struct dmn_ident_book b;
	uint64_t id;
	int64_t ms;
	size_t i;

	(void)state;
	dmn_ident_book_init(&b, 200);
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		const struct step *s = &steps[i];

		print_message("step %zu\n", i);
		switch (s->op) {
		case ASK:
			assert_int_equal(dmn_ident_book_ask(&b, s->id, s->now),
					 s->want);
			break;
		case ANSWER:
			ms = -1;
			assert_int_equal(dmn_ident_book_answered(&b, s->id,
								 s->now, &ms),
					 s->want);
			if (s->want == DMN_IDENT_ANSWER_BACK)
				assert_int_equal(ms, s->ms);
			break;
		case DUE:
			id = 0;
			assert_int_equal(dmn_ident_book_due(&b, s->now, &id),
					 s->want);
			if (s->want != DMN_IDENT_DUE_NONE)
				assert_int_equal(id, s->id_out);
			break;
		case TIMEOUT:
			assert_int_equal(dmn_ident_book_timeout(&b, s->now),
					 s->want);
			break;
		case PENDING:
			assert_int_equal(dmn_ident_book_pending(&b), s->want);
			break;
		}
	}
	dmn_ident_book_fini(&b);
}

/* Many asked at once (a burst of new processes): each answered. */
static void test_book_burst(void **state)
{
	struct dmn_ident_book b;
	int64_t ms;
	uint64_t id;

	(void)state;
	dmn_ident_book_init(&b, 200);
	for (id = 1; id <= 1000; id++)
		assert_int_equal(dmn_ident_book_ask(&b, id, (int64_t)id / 10),
				 0);
	/* Half answered, half asked again: the ring wraps and grows. */
	for (id = 1; id <= 500; id++)
		assert_int_equal(dmn_ident_book_answered(&b, id, 100, &ms),
				 DMN_IDENT_ANSWER_READ);
	for (id = 1001; id <= 1700; id++)
		assert_int_equal(dmn_ident_book_ask(&b, id, 100), 0);
	assert_int_equal(dmn_ident_book_pending(&b), 1200);
	for (id = 501; id <= 1700; id++)
		assert_int_equal(dmn_ident_book_answered(&b, id, 101, &ms),
				 DMN_IDENT_ANSWER_READ);
	assert_int_equal(dmn_ident_book_pending(&b), 0);
	assert_int_equal(dmn_ident_book_due(&b, 100000, &id),
			 DMN_IDENT_DUE_NONE);
	dmn_ident_book_fini(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_states),
		cmocka_unit_test(test_book),
		cmocka_unit_test(test_book_burst),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

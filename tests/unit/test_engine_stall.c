// SPDX-License-Identifier: MIT
/*
 * The stalled-subflow rule (eng_stall.h) over canned readings: a table of
 * two-subflow connections, each with the verdict on subflow 0, and the
 * memory each reading leaves.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <netinet/tcp.h>
#include <string.h>

#include "eng_stall.h"

/* A reading: established, 10 ms round trip, the given counters. */
#define R(a_, r_, ldr_, lar_, out_, bo_)                                  \
	{                                                                 \
		.found = true, .state = TCP_ESTABLISHED, .rtt_us = 10000, \
		.bytes_acked = (a_), .bytes_received = (r_),              \
		.last_data_recv = (ldr_), .last_ack_recv = (lar_),        \
		.unacked = (out_), .backoff = (bo_)                       \
	}

/* A subflow: two readings, memory (carrying). */
#define SUB(p_, c_, carry_)                                      \
	{                                                        \
		.prev = p_, .cur = c_, .have_prev = true,        \
		.carrying = (carry_), .streak = (carry_) ? 2 : 0 \
	}

/* The sibling, receiving now: 1 MB more than before, data 5 ms ago. */
#define RECEIVING \
	SUB(R(0, 1000000, 0, 0, 0, 0), R(0, 2000000, 5, 5, 0, 0), true)
/* The sibling, sending now: 1 MB more acknowledged, an ACK 5 ms ago. */
#define SENDING \
	SUB(R(1000000, 0, 9000, 0, 10, 0), R(2000000, 0, 9250, 5, 10, 0), false)
/* The sibling, quiet too: nothing since the last reading. */
#define QUIET \
	SUB(R(0, 2000000, 300, 300, 0, 0), R(0, 2000000, 550, 550, 0, 0), true)

static const struct stall_case {
	const char *name;
	struct eng_stall_sub subs[2];
	enum eng_stall_kind want;
	uint32_t rtt_us; /* subflow 0's, when not 10 ms */
} cases[] = {
	{ "receiving, then nothing for 400 ms while the sibling receives",
	  { SUB(R(0, 900000, 150, 150, 0, 0), R(0, 900000, 400, 400, 0, 0),
		true),
	    RECEIVING },
	  ENG_STALL_RECEIVING,
	  0 },
	{ "quiet for 290 ms: within the 300 ms floor",
	  { SUB(R(0, 900000, 40, 40, 0, 0), R(0, 900000, 290, 290, 0, 0), true),
	    RECEIVING },
	  ENG_STALL_NONE,
	  0 },
	{ "a 100 ms round trip: 399 ms is within 4 round trips",
	  { SUB(R(0, 900000, 150, 150, 0, 0), R(0, 900000, 399, 399, 0, 0),
		true),
	    RECEIVING },
	  ENG_STALL_NONE,
	  100000 },
	{ "a 100 ms round trip: 400 ms is 4 round trips",
	  { SUB(R(0, 900000, 150, 150, 0, 0), R(0, 900000, 400, 400, 0, 0),
		true),
	    RECEIVING },
	  ENG_STALL_RECEIVING,
	  100000 },
	{ "never carrying: an idle subflow's quiet means nothing",
	  { SUB(R(0, 1000, 5000, 5000, 0, 0), R(0, 1000, 5250, 5250, 0, 0),
		false),
	    RECEIVING },
	  ENG_STALL_NONE,
	  0 },
	{ "the whole connection quiet: a pause, not a stall",
	  { SUB(R(0, 900000, 150, 150, 0, 0), R(0, 900000, 400, 400, 0, 0),
		true),
	    QUIET },
	  ENG_STALL_NONE,
	  0 },
	{ "the sibling heard from its peer before this one last did",
	  { SUB(R(0, 900000, 150, 150, 0, 0), R(0, 900000, 400, 400, 0, 0),
		true),
	    SUB(R(0, 1000000, 0, 0, 0, 0), R(0, 2000000, 450, 450, 0, 0),
		false) },
	  ENG_STALL_NONE,
	  0 },
	{ "segments out, no ACK for 350 ms, the sibling acknowledged",
	  { SUB(R(5000000, 0, 9000, 100, 40, 0),
		R(5000000, 0, 9250, 350, 40, 1), false),
	    SENDING },
	  ENG_STALL_SENDING,
	  0 },
	{ "segments out, an ACK 100 ms ago: a slow path, not a stall",
	  { SUB(R(5000000, 0, 9000, 20, 40, 0), R(5100000, 0, 9250, 100, 40, 0),
		false),
	    SENDING },
	  ENG_STALL_NONE,
	  0 },
	{ "two timeouts in a row: stalled before the window is up",
	  { SUB(R(5000000, 0, 9000, 100, 40, 1),
		R(5000000, 0, 9250, 250, 40, 2), false),
	    SENDING },
	  ENG_STALL_SENDING,
	  0 },
	{ "nothing out, nothing received, never carrying: idle sender",
	  { SUB(R(5000000, 0, 9000, 800, 0, 0), R(5000000, 0, 9250, 1050, 0, 0),
		false),
	    SENDING },
	  ENG_STALL_NONE,
	  0 },
	{ "the sibling is stalled too: neither has a working path",
	  { SUB(R(5000000, 0, 9000, 100, 40, 0),
		R(5000000, 0, 9250, 350, 40, 1), false),
	    SUB(R(1000000, 0, 9000, 100, 10, 0),
		R(1000100, 0, 9250, 340, 10, 1), false) },
	  ENG_STALL_NONE,
	  0 },
	{ "the kernel no longer has it",
	  { { .prev = R(0, 900000, 150, 150, 0, 0),
	      .cur = { .found = false },
	      .have_prev = true,
	      .carrying = true },
	    RECEIVING },
	  ENG_STALL_NONE,
	  0 },
	{ "closing (FIN-WAIT-1), not established",
	  { { .prev = R(0, 900000, 150, 150, 0, 0),
	      .cur = { .found = true,
		       .state = TCP_FIN_WAIT1,
		       .bytes_received = 900000,
		       .last_data_recv = 900,
		       .last_ack_recv = 900,
		       .unacked = 1 },
	      .have_prev = true,
	      .carrying = true },
	    RECEIVING },
	  ENG_STALL_NONE,
	  0 },
	{ "a sibling read for the first time: no progress known yet",
	  { SUB(R(0, 900000, 150, 150, 0, 0), R(0, 900000, 400, 400, 0, 0),
		true),
	    { .cur = R(0, 2000000, 5, 5, 0, 0) } },
	  ENG_STALL_NONE,
	  0 },
};

static void test_judge_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct eng_stall_sub subs[2];

		memcpy(subs, cases[i].subs, sizeof(subs));
		if (cases[i].rtt_us)
			subs[0].cur.rtt_us = cases[i].rtt_us;
		print_message("case: %s\n", cases[i].name);
		assert_int_equal(eng_stall_judge(subs, 2, 0), cases[i].want);
	}
}

/*
 * The window: 4 round trips, never under 300 ms; the round trip of what
 * the subflow does.
 */
static void test_window(void **state)
{
	static const struct {
		uint32_t rtt_us, rcv_rtt_us, unacked, want;
	} w[] = {
		{ 0, 0, 0, 300 },
		{ 10000, 0, 0, 300 },
		{ 75000, 0, 0, 300 },
		{ 76000, 0, 0, 304 },
		{ 250000, 0, 1, 1000 },
		/* Receiving: its own estimate, not the handshake's. */
		{ 878000, 4000, 0, 300 },
		{ 10000, 200000, 0, 800 },
		/* Sending: the smoothed round trip. */
		{ 10000, 200000, 5, 300 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
		struct eng_sf_sample s = { .rtt_us = w[i].rtt_us,
					   .rcv_rtt_us = w[i].rcv_rtt_us,
					   .unacked = w[i].unacked };

		assert_int_equal(eng_stall_window(&s), w[i].want);
	}
}

/*
 * Memory: two readings in a row with data make a subflow carrying; a gap
 * ends the streak but not the carrying; a quiet connection ends both.
 */
static void test_remember(void **state)
{
	struct eng_stall_sub subs[2] = { { .prev = R(0, 100, 0, 0, 0, 0),
					   .cur = R(0, 200, 0, 0, 0, 0),
					   .have_prev = true },
					 RECEIVING };
	uint8_t streak;
	bool carrying;

	(void)state;
	eng_stall_remember(subs, 2, 0, &streak, &carrying);
	assert_int_equal(streak, 1);
	assert_false(carrying);
	subs[0].streak = streak;
	subs[0].prev = subs[0].cur;
	subs[0].cur.bytes_received = 300;
	eng_stall_remember(subs, 2, 0, &streak, &carrying);
	assert_int_equal(streak, 2);
	assert_true(carrying);
	/* Nothing new, quiet 100 ms: the streak ends, carrying stays. */
	subs[0].streak = streak;
	subs[0].carrying = carrying;
	subs[0].prev = subs[0].cur;
	subs[0].cur.last_data_recv = subs[0].cur.last_ack_recv = 100;
	eng_stall_remember(subs, 2, 0, &streak, &carrying);
	assert_int_equal(streak, 0);
	assert_true(carrying);
	/* Quiet for its window while the sibling receives: still carrying
	 * (what the rule then calls a stall). */
	subs[0].cur.last_data_recv = subs[0].cur.last_ack_recv = 400;
	eng_stall_remember(subs, 2, 0, &streak, &carrying);
	assert_true(carrying);
	/* ... while nothing moves anywhere: the transfer is over. */
	subs[1] = (struct eng_stall_sub)QUIET;
	eng_stall_remember(subs, 2, 0, &streak, &carrying);
	assert_false(carrying);
	/* Gone from the kernel: nothing to remember. */
	subs[0].cur.found = false;
	subs[0].carrying = true;
	eng_stall_remember(subs, 2, 0, &streak, &carrying);
	assert_false(carrying);
	assert_int_equal(streak, 0);
}

/* Moving: progress since the last reading, or segments out. */
static void test_moving(void **state)
{
	struct eng_stall_sub rx = RECEIVING, tx = SENDING, quiet = QUIET;
	struct eng_stall_sub out =
		SUB(R(7, 0, 900, 900, 3, 0), R(7, 0, 1150, 1150, 3, 0), false);

	(void)state;
	assert_true(eng_stall_moving(&rx));
	assert_true(eng_stall_moving(&tx));
	assert_false(eng_stall_moving(&quiet));
	assert_true(eng_stall_moving(&out));
}

/* The log line says what the reading showed. */
static void test_why(void **state)
{
	struct eng_sf_sample s = R(0, 0, 612, 612, 12, 1);
	char buf[160];

	(void)state;
	assert_string_equal(eng_stall_why(&s, ENG_STALL_SENDING, buf,
					  sizeof(buf)),
			    "no ACK for 612 ms of 300, 12 segments out");
	s.backoff = 3;
	assert_string_equal(eng_stall_why(&s, ENG_STALL_SENDING, buf,
					  sizeof(buf)),
			    "3 retransmission timeouts in a row, 12 segments "
			    "unacknowledged");
	assert_string_equal(
		eng_stall_why(&s, ENG_STALL_RECEIVING, buf, sizeof(buf)),
		"nothing received for 612 ms of 300, after it carried data");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_judge_table),
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_remember),
		cmocka_unit_test(test_moving),
		cmocka_unit_test(test_why),
	};

	return cmocka_run_group_tests_name("engine stall rule", tests, NULL,
					   NULL);
}

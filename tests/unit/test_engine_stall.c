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

/* A connection holding @v bytes out of order, not stuck. */
#define H(v) (&(struct eng_stall_conn){ .held = (v) })

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

/*
 * Each case's subflow 0 has seen its connection hold the sibling's data
 * behind a hole since it last received (its memory), unless the case
 * says "held" (then what the connection holds now, in bytes, decides).
 */
static const struct stall_case {
	const char *name;
	struct eng_stall_sub subs[2];
	enum eng_stall_kind want;
	uint32_t rtt_us; /* subflow 0's, when not 10 ms */
	bool by_held; /* no hole remembered: the connection holds @held */
	uint64_t held, others, held_at; /* and subflow 0's memory */
} cases[] = {
	{ "receiving, then nothing for 400 ms while the sibling receives",
	  { SUB(R(0, 900000, 150, 150, 0, 0), R(0, 900000, 400, 400, 0, 0),
		true),
	    RECEIVING },
	  ENG_STALL_RECEIVING,
	  0,
	  false,
	  0,
	  0,
	  0 },
	{ "quiet for 90 ms: within the 100 ms floor of what it receives",
	  { SUB(R(0, 900000, 40, 40, 0, 0), R(0, 900000, 90, 90, 0, 0), true),
	    RECEIVING },
	  ENG_STALL_NONE,
	  0,
	  false,
	  0,
	  0,
	  0 },
	{ "a 100 ms round trip: 399 ms is within 4 round trips",
	  { SUB(R(0, 900000, 150, 150, 0, 0), R(0, 900000, 399, 399, 0, 0),
		true),
	    RECEIVING },
	  ENG_STALL_NONE,
	  100000,
	  false,
	  0,
	  0,
	  0 },
	{ "a 100 ms round trip: 400 ms is 4 round trips",
	  { SUB(R(0, 900000, 150, 150, 0, 0), R(0, 900000, 400, 400, 0, 0),
		true),
	    RECEIVING },
	  ENG_STALL_RECEIVING,
	  100000,
	  false,
	  0,
	  0,
	  0 },
	{ "never carrying: an idle subflow's quiet means nothing",
	  { SUB(R(0, 1000, 5000, 5000, 0, 0), R(0, 1000, 5250, 5250, 0, 0),
		false),
	    RECEIVING },
	  ENG_STALL_NONE,
	  0,
	  false,
	  0,
	  0,
	  0 },
	{ "the whole connection quiet: a pause, not a stall",
	  { SUB(R(0, 900000, 150, 150, 0, 0), R(0, 900000, 400, 400, 0, 0),
		true),
	    QUIET },
	  ENG_STALL_NONE,
	  0,
	  false,
	  0,
	  0,
	  0 },
	{ "the sibling heard from its peer before this one last did",
	  { SUB(R(0, 900000, 150, 150, 0, 0), R(0, 900000, 400, 400, 0, 0),
		true),
	    SUB(R(0, 1000000, 0, 0, 0, 0), R(0, 2000000, 450, 450, 0, 0),
		false) },
	  ENG_STALL_NONE,
	  0,
	  false,
	  0,
	  0,
	  0 },
	{ "segments out, no ACK for 350 ms, the sibling acknowledged",
	  { SUB(R(5000000, 0, 9000, 100, 40, 0),
		R(5000000, 0, 9250, 350, 40, 1), false),
	    SENDING },
	  ENG_STALL_SENDING,
	  0,
	  false,
	  0,
	  0,
	  0 },
	{ "segments out, an ACK 100 ms ago: a slow path, not a stall",
	  { SUB(R(5000000, 0, 9000, 20, 40, 0), R(5100000, 0, 9250, 100, 40, 0),
		false),
	    SENDING },
	  ENG_STALL_NONE,
	  0,
	  false,
	  0,
	  0,
	  0 },
	{ "two timeouts in a row: stalled before the window is up",
	  { SUB(R(5000000, 0, 9000, 100, 40, 1),
		R(5000000, 0, 9250, 250, 40, 2), false),
	    SENDING },
	  ENG_STALL_SENDING,
	  0,
	  false,
	  0,
	  0,
	  0 },
	{ "nothing out, nothing received, never carrying: idle sender",
	  { SUB(R(5000000, 0, 9000, 800, 0, 0), R(5000000, 0, 9250, 1050, 0, 0),
		false),
	    SENDING },
	  ENG_STALL_NONE,
	  0,
	  false,
	  0,
	  0,
	  0 },
	{ "the sibling is stalled too: neither has a working path",
	  { SUB(R(5000000, 0, 9000, 100, 40, 0),
		R(5000000, 0, 9250, 350, 40, 1), false),
	    SUB(R(1000000, 0, 9000, 100, 10, 0),
		R(1000100, 0, 9250, 340, 10, 1), false) },
	  ENG_STALL_NONE,
	  0,
	  false,
	  0,
	  0,
	  0 },
	{ "the kernel no longer has it",
	  { { .prev = R(0, 900000, 150, 150, 0, 0),
	      .cur = { .found = false },
	      .have_prev = true,
	      .carrying = true },
	    RECEIVING },
	  ENG_STALL_NONE,
	  0,
	  false,
	  0,
	  0,
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
	  0,
	  false,
	  0,
	  0,
	  0 },
	{ "a sibling read for the first time: no progress known yet",
	  { SUB(R(0, 900000, 150, 150, 0, 0), R(0, 900000, 400, 400, 0, 0),
		true),
	    { .cur = R(0, 2000000, 5, 5, 0, 0) } },
	  ENG_STALL_NONE,
	  0,
	  false,
	  0,
	  0,
	  0 },
	{ "quiet 400 ms, and now the sibling's 1 MB is held behind it",
	  { SUB(R(0, 900000, 150, 150, 0, 0), R(0, 900000, 400, 400, 0, 0),
		true),
	    RECEIVING },
	  ENG_STALL_RECEIVING,
	  0,
	  true,
	  1000000,
	  0,
	  0 },
	{ "quiet 400 ms, the sibling's data in order: a download's end",
	  { SUB(R(0, 900000, 150, 150, 0, 0), R(0, 900000, 400, 400, 0, 0),
		true),
	    RECEIVING },
	  ENG_STALL_NONE,
	  0,
	  true,
	  0,
	  0,
	  0 },
	{ "held: a few segments less than the least a hole holds",
	  { SUB(R(0, 900000, 150, 150, 0, 0), R(0, 900000, 400, 400, 0, 0),
		true),
	    RECEIVING },
	  ENG_STALL_NONE,
	  0,
	  true,
	  ENG_STALL_HOLE_MIN - 1,
	  0,
	  0 },
	{ "held: less than a quarter of what the sibling received since (3 MB)",
	  { SUB(R(0, 900000, 150, 150, 0, 0), R(0, 900000, 400, 400, 0, 0),
		true),
	    RECEIVING },
	  ENG_STALL_NONE,
	  0,
	  true,
	  400000,
	  2000000,
	  0 },
	{ "held: a quarter of it (2 MB before this reading, 1 MB since)",
	  { SUB(R(0, 900000, 150, 150, 0, 0), R(0, 900000, 400, 400, 0, 0),
		true),
	    RECEIVING },
	  ENG_STALL_RECEIVING,
	  0,
	  true,
	  750000,
	  2000000,
	  0 },
	{ "held: as much as when it last received, nothing more",
	  { SUB(R(0, 900000, 150, 150, 0, 0), R(0, 900000, 400, 400, 0, 0),
		true),
	    RECEIVING },
	  ENG_STALL_NONE,
	  0,
	  true,
	  3000000,
	  0,
	  3000000 },
	{ "held, but it received since the last reading",
	  { SUB(R(0, 800000, 150, 150, 0, 0), R(0, 900000, 400, 400, 0, 0),
		true),
	    RECEIVING },
	  ENG_STALL_NONE,
	  0,
	  true,
	  1000000,
	  0,
	  0 },
	{ "a hole, but it sends: the sender's rule",
	  { SUB(R(5000000, 0, 9000, 20, 40, 0), R(5100000, 0, 9250, 100, 40, 0),
		false),
	    SENDING },
	  ENG_STALL_NONE,
	  0,
	  true,
	  1000000,
	  0,
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
		subs[0].hole = !cases[i].by_held;
		subs[0].others = cases[i].others;
		subs[0].held_at = cases[i].held_at;
		print_message("case: %s\n", cases[i].name);
		assert_int_equal(eng_stall_judge(subs, 2, 0, H(cases[i].held)),
				 cases[i].want);
	}
}

/*
 * The window: 4 round trips of what the subflow does, never under 300 ms
 * while it sends, 100 ms while it receives.
 */
static void test_window(void **state)
{
	static const struct {
		uint32_t rtt_us, rcv_rtt_us, unacked, want;
	} w[] = {
		/* Receiving: no delayed ACK to wait for, 100 ms at least. */
		{ 0, 0, 0, 100 },
		{ 10000, 0, 0, 100 },
		{ 25000, 0, 0, 100 },
		{ 26000, 0, 0, 104 },
		{ 76000, 0, 0, 304 },
		/* Receiving: its own estimate, not the handshake's. */
		{ 878000, 4000, 0, 100 },
		{ 10000, 200000, 0, 800 },
		/* Sending: the smoothed round trip, 300 ms at least. */
		{ 0, 0, 1, 300 },
		{ 75000, 0, 1, 300 },
		{ 250000, 0, 1, 1000 },
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
	struct eng_stall_sub m;

	int k;

	(void)state;
	eng_stall_remember(subs, 2, 0, H(4000), &m);
	assert_int_equal(m.streak, 1);
	assert_false(m.carrying);
	/* Carrying once it received in ENG_STALL_BUSY readings in a row;
	 * the connection holds 5000 bytes at the last. */
	for (k = 2; k <= ENG_STALL_BUSY; k++) {
		subs[0] = m;
		subs[0].prev = subs[0].cur;
		subs[0].cur.bytes_received += 100;
		eng_stall_remember(subs, 2, 0,
				   H(k < ENG_STALL_BUSY ? 4000 : 5000), &m);
		assert_int_equal(m.streak, k);
		assert_int_equal(m.carrying, k == ENG_STALL_BUSY);
	}
	/* What the connection held at the reading before, the lesser (the
	 * cut may have come in between), and what the sibling received. */
	assert_int_equal(m.held_at, 4000);
	assert_int_equal(m.others, 1000000);
	/* Nothing new, quiet 100 ms: the streak ends, carrying stays; the
	 * sibling's 1 MB more is counted; held in order: no hole. */
	subs[0] = m;
	subs[0].prev = subs[0].cur;
	subs[0].cur.last_data_recv = subs[0].cur.last_ack_recv = 100;
	eng_stall_remember(subs, 2, 0, H(5000), &m);
	assert_int_equal(m.streak, 0);
	assert_true(m.carrying);
	assert_int_equal(m.others, 2000000);
	assert_false(m.hole);
	/* Quiet for its window while the sibling receives, and now its 1 MB
	 * more is held too: a hole, remembered. */
	subs[0] = m;
	subs[0].cur.last_data_recv = subs[0].cur.last_ack_recv = 400;
	eng_stall_remember(subs, 2, 0, H(5000 + 1000000), &m);
	assert_true(m.carrying);
	assert_true(m.hole);
	assert_int_equal(m.others, 3000000);
	/* ... remembered when the connection holds nothing any more (the
	 * kernel moved the data), until it receives again. */
	subs[0] = m;
	eng_stall_remember(subs, 2, 0, H(0), &m);
	assert_true(m.hole);
	assert_int_equal(eng_stall_judge(subs, 2, 0, H(0)),
			 ENG_STALL_RECEIVING);
	subs[0] = m;
	subs[0].prev = subs[0].cur;
	subs[0].cur.bytes_received += 1;
	eng_stall_remember(subs, 2, 0, H(0), &m);
	assert_false(m.hole);
	assert_int_equal(m.others, 1000000);
	/* Quiet while nothing moves anywhere: the transfer is over. */
	subs[0] = m;
	subs[0].prev = subs[0].cur;
	subs[0].cur.last_data_recv = subs[0].cur.last_ack_recv = 400;
	subs[1] = (struct eng_stall_sub)QUIET;
	eng_stall_remember(subs, 2, 0, H(0), &m);
	assert_false(m.carrying);
	/* Gone from the kernel: nothing to remember. */
	subs[0].cur.found = false;
	subs[0].carrying = true;
	subs[0].hole = true;
	eng_stall_remember(subs, 2, 0, H(0), &m);
	assert_false(m.carrying);
	assert_false(m.hole);
	assert_int_equal(m.streak, 0);
}

/* @c's reading of the two subflows @subs, having held @before: its held. */
static uint64_t update(const struct eng_stall_sub *subs,
		       struct eng_stall_conn *c, uint64_t before)
{
	c->held = before;
	eng_stall_conn_update(subs, 2, c);
	return c->held;
}

/*
 * What the connection holds out of order: what its subflows received
 * less how far its in-order data went, from reading to reading; nothing
 * known without two readings of each.
 */
static void test_held(void **state)
{
	struct eng_stall_sub subs[2] = { SUB(R(0, 900000, 150, 150, 0, 0),
					     R(0, 900000, 250, 250, 0, 0),
					     true),
					 RECEIVING };
	struct eng_stall_conn c = { .prev = { true, 7000000 },
				    .cur = { true, 7000000 },
				    .have_prev = true };

	(void)state;
	/* The sibling's 1 MB, none of it in order: held, and stuck. */
	assert_int_equal(update(subs, &c, 0), 1000000);
	assert_true(c.stuck);
	/* All of it in order. */
	c.cur.rcv_nxt = 8000000;
	assert_int_equal(update(subs, &c, 0), 0);
	assert_false(c.stuck);
	/* Held before, released now, and more: never below 0. */
	c.cur.rcv_nxt = 7000000 + 1200000;
	assert_int_equal(update(subs, &c, 500000), 300000);
	c.cur.rcv_nxt = 7000000 + 2000000;
	assert_int_equal(update(subs, &c, 500000), 0);
	/* Not known: the connection or a subflow not read twice. */
	c.cur.rcv_nxt = 7000000;
	c.have_prev = false;
	assert_int_equal(update(subs, &c, 500000), 0);
	assert_false(c.stuck);
	c.have_prev = true;
	c.cur.found = false;
	assert_int_equal(update(subs, &c, 500000), 0);
	assert_false(c.stuck);
	c.cur.found = true;
	subs[1].have_prev = false;
	assert_int_equal(update(subs, &c, 500000), 0);
	assert_false(c.stuck);
	/* Stuck: nothing in order while the sibling received 1 MB, whatever
	 * was held before. */
	subs[1].have_prev = true;
	update(subs, &c, 2000000);
	assert_true(c.stuck);
	c.cur.rcv_nxt += 1;
	update(subs, &c, 0);
	assert_false(c.stuck);
	c.cur.rcv_nxt -= 1;
	subs[1].cur.bytes_received =
		subs[1].prev.bytes_received + ENG_STALL_HOLE_MIN - 1;
	update(subs, &c, 0);
	assert_false(c.stuck);
}

/*
 * Stuck at this reading: a hole, though the connection held as much
 * before (reordering between two paths of different delays) and holds
 * no more now than a quarter of what the sibling received.
 */
static void test_stuck_judged(void **state)
{
	struct eng_stall_sub subs[2] = { SUB(R(0, 900000, 150, 150, 0, 0),
					     R(0, 900000, 400, 400, 0, 0),
					     true),
					 RECEIVING };
	struct eng_stall_conn c = { .held = 700000 };

	(void)state;
	subs[0].held_at = 700000;
	subs[0].others = 3000000;
	assert_int_equal(eng_stall_judge(subs, 2, 0, &c), ENG_STALL_NONE);
	c.stuck = true;
	assert_int_equal(eng_stall_judge(subs, 2, 0, &c), ENG_STALL_RECEIVING);
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
	/* Carrying, quiet within its window: watched closely still. */
	quiet.cur.last_data_recv = quiet.cur.last_ack_recv = 100;
	assert_true(eng_stall_moving(&quiet));
	quiet.carrying = false;
	assert_false(eng_stall_moving(&quiet));
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
		cmocka_unit_test(test_held),
		cmocka_unit_test(test_stuck_judged),
		cmocka_unit_test(test_moving),
		cmocka_unit_test(test_why),
	};

	return cmocka_run_group_tests_name("engine stall rule", tests, NULL,
					   NULL);
}

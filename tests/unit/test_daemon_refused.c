// SPDX-License-Identifier: MIT
/* daemon/dmn_refused: the joins a peer refused, per open connection. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "dmn_refused.h"

static struct mptcplib_event event(int type, uint32_t token, int error,
				   int server_side)
{
	struct mptcplib_event e;

	memset(&e, 0, sizeof(e));
	e.type = type;
	e.token = token;
	e.error = error;
	e.server_side = server_side;
	return e;
}

static void feed(struct dmn_refused *t, int type, uint32_t token, int error,
		 int server_side)
{
	struct mptcplib_event e = event(type, token, error, server_side);

	dmn_refused_event(t, &e);
}

static void test_counts_refused_joins(void **state)
{
	struct dmn_refused t = { 0 };
	struct eng_wire_msg m;

	(void)state;
	/* A reset answering our join: refused. Twice on one connection. */
	feed(&t, MPTCPLIB_EVENT_SUB_CLOSED, 0xa, ECONNREFUSED, 0);
	feed(&t, MPTCPLIB_EVENT_SUB_CLOSED, 0xa, ECONNREFUSED, 0);
	/* Not refusals: another error, none, a subflow up, the server side. */
	feed(&t, MPTCPLIB_EVENT_SUB_CLOSED, 0xb, ECONNRESET, 0);
	feed(&t, MPTCPLIB_EVENT_SUB_CLOSED, 0xb, 0, 0);
	feed(&t, MPTCPLIB_EVENT_SUB_ESTABLISHED, 0xb, 0, 0);
	feed(&t, MPTCPLIB_EVENT_SUB_CLOSED, 0xc, ECONNREFUSED, 1);
	feed(&t, MPTCPLIB_EVENT_SUB_CLOSED, 0xd, ECONNREFUSED, 0);
	eng_wire_init(&m, ENG_WIRE_STATE, 1);
	dmn_refused_fill(&t, &m);
	assert_int_equal(m.nrefused, 2);
	assert_int_equal(m.refused[0].token, 0xa);
	assert_int_equal(m.refused[0].count, 2);
	assert_int_equal(m.refused[1].token, 0xd);
	assert_int_equal(m.refused[1].count, 1);
	/* Its connection closed: forgotten. */
	feed(&t, MPTCPLIB_EVENT_CLOSED, 0xa, 0, 0);
	feed(&t, MPTCPLIB_EVENT_CLOSED, 0xe, 0, 0);
	dmn_refused_fill(&t, &m);
	assert_int_equal(m.nrefused, 1);
	assert_int_equal(m.refused[0].token, 0xd);
}

/* Full: the oldest slot goes; the table never grows past the bound. */
static void test_bounded(void **state)
{
	struct dmn_refused t = { 0 };
	struct eng_wire_msg m;
	uint32_t i;

	(void)state;
	for (i = 1; i <= ENG_WIRE_MAX_REFUSED + 3; i++)
		feed(&t, MPTCPLIB_EVENT_SUB_CLOSED, i, ECONNREFUSED, 0);
	eng_wire_init(&m, ENG_WIRE_STATE, 1);
	dmn_refused_fill(&t, &m);
	assert_int_equal(m.nrefused, ENG_WIRE_MAX_REFUSED);
	for (i = 0; i < 3; i++)
		assert_int_equal(m.refused[i].token,
				 ENG_WIRE_MAX_REFUSED + 1 + i);
	assert_int_equal(m.refused[3].token, 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts_refused_joins),
		cmocka_unit_test(test_bounded),
	};

	return cmocka_run_group_tests_name("daemon-refused", tests, NULL, NULL);
}

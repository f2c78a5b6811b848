// SPDX-License-Identifier: MIT
/*
 * mptcp-autod's view of the namespace's connections: the grace after
 * which a connection counts as unregistered, registrations that wait for
 * their addresses, and the table's limits. Canned events, a fake clock.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <string.h>

#include "dmn_conns.h"

static struct mptcplib_event ev(int type, uint32_t token)
{
	struct mptcplib_event e;
	struct sockaddr_in *l = (struct sockaddr_in *)&e.local;
	struct sockaddr_in *r = (struct sockaddr_in *)&e.remote;

	memset(&e, 0, sizeof(e));
	e.type = type;
	e.token = token;
	if (type == MPTCPLIB_EVENT_CREATED ||
	    type == MPTCPLIB_EVENT_ESTABLISHED) {
		l->sin_family = r->sin_family = AF_INET;
		l->sin_addr.s_addr = htonl(0x0a000101);
		l->sin_port = htons(40000);
		r->sin_addr.s_addr = htonl(0x0a090001);
		r->sin_port = htons(7001);
	}
	return e;
}

static void feed(struct dmn_conns *t, int type, uint32_t token, int64_t now)
{
	struct mptcplib_event e = ev(type, token);

	dmn_conns_event(t, &e, now);
}

static void test_grace(void **state)
{
	struct dmn_conns *t = dmn_conns_new(64);
	struct dmn_conn *c;

	(void)state;
	assert_int_equal(dmn_conns_timeout(t, 0), -1);
	feed(t, MPTCPLIB_EVENT_CREATED, 1, 0);
	/* CREATED alone starts nothing: the grace runs from ESTABLISHED. */
	assert_int_equal(dmn_conns_timeout(t, 0), -1);
	feed(t, MPTCPLIB_EVENT_ESTABLISHED, 1, 10);
	feed(t, MPTCPLIB_EVENT_ESTABLISHED, 2, 20);
	feed(t, MPTCPLIB_EVENT_ESTABLISHED, 3, 30);
	assert_int_equal(dmn_conns_timeout(t, 40),
			 10 + ENG_UNREG_GRACE_MS - 40);
	/* 2 is registered in time, 3 closes in time. */
	assert_non_null(dmn_conns_register(t, 2, 60));
	feed(t, MPTCPLIB_EVENT_CLOSED, 3, 70);
	/* Not a millisecond early. */
	assert_null(dmn_conns_unregistered(t, 10 + ENG_UNREG_GRACE_MS - 1));
	c = dmn_conns_unregistered(t, 10 + ENG_UNREG_GRACE_MS);
	assert_non_null(c);
	assert_int_equal(c->token, 1);
	assert_true(c->reported);
	assert_int_equal(((struct sockaddr_in *)&c->remote)->sin_port,
			 htons(7001));
	/* Once only; 2 and 3 never. */
	assert_null(dmn_conns_unregistered(t, 1000));
	assert_int_equal(dmn_conns_timeout(t, 1000), -1);
	/* A second ESTABLISHED (a lost-event resync) starts no new grace. */
	feed(t, MPTCPLIB_EVENT_ESTABLISHED, 1, 2000);
	assert_null(dmn_conns_unregistered(t, 5000));
	/* A registration that comes late is still taken. */
	c = dmn_conns_register(t, 1, 5000);
	assert_true(c->registered && c->reported);
	dmn_conns_free(t);
}

static void test_server_side(void **state)
{
	struct dmn_conns *t = dmn_conns_new(64);
	struct mptcplib_event e = ev(MPTCPLIB_EVENT_ESTABLISHED, 9);
	struct dmn_conn *c;

	(void)state;
	e.server_side = 1;
	dmn_conns_event(t, &e, 0);
	c = dmn_conns_unregistered(t, ENG_UNREG_GRACE_MS);
	assert_non_null(c);
	assert_true(c->server_side);
	dmn_conns_free(t);
}

/* A registration while the SYN was out: its addresses come later. */
static void test_waiting_registration(void **state)
{
	struct dmn_conns *t = dmn_conns_new(64);
	struct mptcplib_event e;
	struct dmn_conn *c;

	(void)state;
	c = dmn_conns_register(t, 5, 0);
	assert_non_null(c);
	assert_int_equal(c->local.ss_family, AF_UNSPEC);
	c->waiting = true;
	c->waiting_since = 0;
	/* Events of other kinds, or without addresses, do not free it. */
	e = ev(MPTCPLIB_EVENT_SUB_ESTABLISHED, 5);
	assert_null(dmn_conns_event(t, &e, 1));
	e = ev(MPTCPLIB_EVENT_CREATED, 5);
	e.remote.ss_family = AF_UNSPEC;
	assert_null(dmn_conns_event(t, &e, 2));
	e = ev(MPTCPLIB_EVENT_CREATED, 5);
	c = dmn_conns_event(t, &e, 3);
	assert_non_null(c);
	assert_int_equal(c->token, 5);
	assert_int_equal(c->local.ss_family, AF_INET);
	c->waiting = false;
	/* Registered: its ESTABLISHED is no unregistered connection. */
	feed(t, MPTCPLIB_EVENT_ESTABLISHED, 5, 10);
	assert_null(dmn_conns_unregistered(t, 1000));
	dmn_conns_free(t);
}

/* Many tokens that collide in the table: found, removed, found again. */
static void test_table(void **state)
{
	struct dmn_conns *t = dmn_conns_new(256);
	uint32_t tok;
	int i;

	(void)state;
	assert_null(dmn_conns_new(100)); /* not a power of two */
	for (i = 1; i <= 256; i++)
		assert_non_null(dmn_conns_register(t, (uint32_t)i * 512, 0));
	assert_int_equal(dmn_conns_count(t), 256);
	for (i = 1; i <= 256; i += 2) {
		feed(t, MPTCPLIB_EVENT_CLOSED, (uint32_t)i * 512, 1);
		assert_null(dmn_conns_find(t, (uint32_t)i * 512));
	}
	assert_int_equal(dmn_conns_count(t), 128);
	for (i = 2; i <= 256; i += 2)
		assert_non_null(dmn_conns_find(t, (uint32_t)i * 512));
	/* Full of registered (finished) ones: the new one takes a slot. */
	for (tok = 1; dmn_conns_count(t) < 256; tok++)
		assert_non_null(dmn_conns_register(t, tok, 2));
	assert_non_null(dmn_conns_register(t, 777777, 3));
	assert_int_equal(dmn_conns_count(t), 256);
	assert_non_null(dmn_conns_find(t, 777777));
	dmn_conns_free(t);
}

/*
 * Full of registrations waiting for their first event (connections kept
 * in SYN-SENT, which any user can make by the thousand): the one that has
 * waited longest makes room, so that they cannot shut out everyone else's
 * registrations and events for DMN_WAIT_MS.
 */
static void test_full_of_waiting(void **state)
{
	struct dmn_conns *t = dmn_conns_new(4);
	struct mptcplib_event e;
	struct dmn_conn *c;
	uint32_t tok;

	(void)state;
	for (tok = 1; tok <= 4; tok++) {
		c = dmn_conns_register(t, tok, tok);
		assert_non_null(c);
		c->waiting = true;
		c->waiting_since = tok;
	}
	c = dmn_conns_register(t, 9, 10);
	assert_non_null(c);
	c->waiting = true;
	c->waiting_since = 10;
	assert_null(dmn_conns_find(t, 1));
	for (tok = 2; tok <= 4; tok++)
		assert_non_null(dmn_conns_find(t, tok));
	/* Another's connection, from its event: room as well. */
	e = ev(MPTCPLIB_EVENT_ESTABLISHED, 5);
	dmn_conns_event(t, &e, 11);
	assert_non_null(dmn_conns_find(t, 5));
	assert_null(dmn_conns_find(t, 2));
	assert_int_equal(dmn_conns_count(t), 4);
	dmn_conns_free(t);
}

/* Full of unregistered connections still in their grace: no room. */
static void test_full_of_pending(void **state)
{
	struct dmn_conns *t = dmn_conns_new(4);
	struct mptcplib_event e;
	struct dmn_conn *c;
	uint32_t tok;

	(void)state;
	for (tok = 1; tok <= 4; tok++)
		feed(t, MPTCPLIB_EVENT_ESTABLISHED, tok, 0);
	e = ev(MPTCPLIB_EVENT_ESTABLISHED, 5);
	assert_null(dmn_conns_event(t, &e, 1));
	assert_null(dmn_conns_find(t, 5));
	assert_null(dmn_conns_register(t, 6, 1));
	/* Once reported, they may go. */
	while ((c = dmn_conns_unregistered(t, ENG_UNREG_GRACE_MS)))
		;
	assert_non_null(dmn_conns_register(t, 6, 200));
	dmn_conns_free(t);
}

/* The rules registered connections hold, until they close. */
static void test_rules(void **state)
{
	struct dmn_conns *t = dmn_conns_new(64);
	struct mpa_rule rules[2];
	const struct mpa_rule *out[4];
	struct dmn_conn *c;

	(void)state;
	feed(t, MPTCPLIB_EVENT_ESTABLISHED, 1, 0); /* unregistered */
	c = dmn_conns_register(t, 2, 0);
	c->rule = &rules[0];
	c = dmn_conns_register(t, 3, 0); /* waiting for its addresses */
	c->rule = &rules[1];
	c->waiting = true;
	assert_int_equal(dmn_conns_rules(t, out, 4), 2);
	assert_true((out[0] == &rules[0] && out[1] == &rules[1]) ||
		    (out[0] == &rules[1] && out[1] == &rules[0]));
	/* Past @max: counted, not written. */
	out[1] = NULL;
	assert_int_equal(dmn_conns_rules(t, out, 1), 2);
	assert_null(out[1]);
	feed(t, MPTCPLIB_EVENT_CLOSED, 2, 10);
	assert_int_equal(dmn_conns_rules(t, out, 4), 1);
	assert_ptr_equal(out[0], &rules[1]);
	dmn_conns_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grace),
		cmocka_unit_test(test_server_side),
		cmocka_unit_test(test_waiting_registration),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_full_of_pending),
		cmocka_unit_test(test_full_of_waiting),
		cmocka_unit_test(test_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

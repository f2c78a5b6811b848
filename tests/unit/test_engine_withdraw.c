// SPDX-License-Identifier: MIT
/*
 * Which removal tells the peer (eng_withdraw.h): a table of connections,
 * each with the subflow removed and the answer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "eng_withdraw.h"

static struct sockaddr_in addrs[4];

/* Local addresses: A the initial subflow's, B and C two others. */
enum { A, B, C };

static const struct sockaddr *at(int k)
{
	return (const struct sockaddr *)&addrs[k];
}

#define MAXS 4

static const struct {
	const char *what;
	enum eng_wd_cause cause;
	int n, i; /* subflows, the one asked about */
	struct {
		int addr, id;
		bool live, going;
	} s[MAXS];
	enum eng_wd_how want;
} table[] = {
	{ "c2 down: the extra subflow, id 1, the initial one stays",
	  ENG_WD_PATH,
	  2,
	  1,
	  { { A, 0, true, false }, { B, 1, true, true } },
	  ENG_WD_REMOVE },
	{ "c1 down: the initial subflow, id 0: the peer told too (its FIN "
	  "may never reach it)",
	  ENG_WD_PATH,
	  2,
	  0,
	  { { A, 0, true, true }, { B, 1, true, false } },
	  ENG_WD_REMOVE },
	{ "c1 down: a subflow re-opened from c1 has an id of its own",
	  ENG_WD_PATH,
	  2,
	  0,
	  { { A, 2, true, true }, { B, 1, true, false } },
	  ENG_WD_REMOVE },
	{ "a stall, found before the peer's first timeout: the peer told",
	  ENG_WD_STALL,
	  2,
	  1,
	  { { A, 0, true, false }, { B, 1, true, true } },
	  ENG_WD_REMOVE },
	{ "a stall of the initial subflow (id 0): destroy only",
	  ENG_WD_STALL,
	  2,
	  0,
	  { { A, 0, true, true }, { B, 1, true, false } },
	  ENG_WD_DESTROY },
	{ "its id not known (no id in its event)",
	  ENG_WD_PATH,
	  2,
	  1,
	  { { A, 0, true, false }, { B, -1, true, true } },
	  ENG_WD_DESTROY },
	{ "an id out of range",
	  ENG_WD_PATH,
	  2,
	  1,
	  { { A, 0, true, false }, { B, 256, true, true } },
	  ENG_WD_DESTROY },
	{ "not live (waiting to be re-opened): nothing to remove",
	  ENG_WD_PATH,
	  2,
	  1,
	  { { A, 0, true, false }, { B, 1, false, true } },
	  ENG_WD_DESTROY },
	{ "another subflow that stays shares its id: it would close too",
	  ENG_WD_PATH,
	  3,
	  1,
	  { { A, 0, true, false }, { B, 1, true, true }, { C, 1, true, false } },
	  ENG_WD_DESTROY },
	{ "another subflow that stays, being opened, from the same address",
	  ENG_WD_PATH,
	  3,
	  1,
	  { { A, 0, true, false },
	    { B, 1, true, true },
	    { B, -1, true, false } },
	  ENG_WD_DESTROY },
	{ "the same address, not live any more: no matter",
	  ENG_WD_PATH,
	  3,
	  1,
	  { { A, 0, true, false },
	    { B, 1, true, true },
	    { B, 2, false, false } },
	  ENG_WD_REMOVE },
	{ "two going with one id: the first sends it",
	  ENG_WD_PATH,
	  3,
	  1,
	  { { A, 0, true, false }, { B, 1, true, true }, { B, 1, true, true } },
	  ENG_WD_REMOVE },
	{ "two going with one id: the second does not",
	  ENG_WD_PATH,
	  3,
	  2,
	  { { A, 0, true, false }, { B, 1, true, true }, { B, 1, true, true } },
	  ENG_WD_DESTROY },
	{ "two going, the first's id unknown: the second sends its own",
	  ENG_WD_PATH,
	  3,
	  2,
	  { { A, 0, true, false }, { B, -1, true, true }, { B, 1, true, true } },
	  ENG_WD_REMOVE },
	{ "other ids and addresses going or staying: no matter",
	  ENG_WD_PATH,
	  4,
	  2,
	  { { A, 0, true, true },
	    { B, 1, true, false },
	    { C, 2, true, true },
	    { C, 2, false, false } },
	  ENG_WD_REMOVE },
};

static void test_table(void **state)
{
	struct eng_wd_sub v[MAXS];
	size_t t;
	int k;

	(void)state;
	for (t = 0; t < sizeof(table) / sizeof(table[0]); t++) {
		for (k = 0; k < table[t].n; k++)
			v[k] = (struct eng_wd_sub){
				.local = at(table[t].s[k].addr),
				.id = table[t].s[k].id,
				.live = table[t].s[k].live,
				.going = table[t].s[k].going,
			};
		print_message("%s\n", table[t].what);
		assert_int_equal(eng_wd_decide(v, table[t].n, table[t].i,
					       table[t].cause),
				 table[t].want);
	}
}

/* Out of range, and a subflow not going: never REMOVE. */
static void test_bounds(void **state)
{
	struct eng_wd_sub v[2] = {
		{ .local = at(A), .id = 0, .live = true },
		{ .local = at(B), .id = 1, .live = true, .going = true },
	};

	(void)state;
	assert_int_equal(eng_wd_decide(v, 2, 2, ENG_WD_PATH), ENG_WD_DESTROY);
	assert_int_equal(eng_wd_decide(v, 2, -1, ENG_WD_PATH), ENG_WD_DESTROY);
	assert_int_equal(eng_wd_decide(v, 2, 0, ENG_WD_PATH), ENG_WD_DESTROY);
	assert_int_equal(eng_wd_decide(v, 2, 1, ENG_WD_PATH), ENG_WD_REMOVE);
}

static int setup(void **state)
{
	const char *ip[] = { "10.0.0.1", "10.0.1.1", "10.0.2.1" };
	int k;

	(void)state;
	for (k = 0; k < 3; k++) {
		memset(&addrs[k], 0, sizeof(addrs[k]));
		addrs[k].sin_family = AF_INET;
		addrs[k].sin_port = htons((uint16_t)(40000 + k));
		assert_int_equal(inet_pton(AF_INET, ip[k], &addrs[k].sin_addr),
				 1);
	}
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_bounds),
	};

	return cmocka_run_group_tests_name("engine address withdrawal", tests,
					   setup, NULL);
}

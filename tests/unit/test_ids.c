// SPDX-License-Identifier: MIT
/* Local address id choice: stable per address, never shared. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "mpl_ids.h"

static struct mpl_pm_addr A(const char *ip, int id) {
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct mpl_pm_addr a;

	inet_pton(AF_INET, ip, &sin.sin_addr);
	mpl_pm_addr_init(&a, (struct sockaddr *)&sin);
	a.id = id;
	return a;
}

static void
test_choose_table(void **state)
{
	struct mpl_pm_addr want = A("10.0.2.1", -1);
	struct mpl_pm_addr k_same[] = { A("10.0.3.1", 1), A("10.0.2.1", 7) };
	struct mpl_pm_addr k_other[] = { A("10.0.3.1", 1), A("10.0.4.1", 2) };
	struct mpl_pm_addr r_mine[] = { A("10.0.2.1", 4) };
	struct mpl_pm_addr r_other[] = { A("10.0.5.1", 3) };
	struct mpl_pm_addr k_steals[] = { A("10.0.3.1", 4) };

	(void)state;
	/* Nothing known: the lowest id, never 0 (the initial subflow's). */
	assert_int_equal(mpl_ids_choose(&want, NULL, 0, NULL, 0), 1);
	/* The kernel's pairing wins. */
	assert_int_equal(mpl_ids_choose(&want, k_same, 2, r_mine, 1), 7);
	/* Others' ids are skipped. */
	assert_int_equal(mpl_ids_choose(&want, k_other, 2, NULL, 0), 3);
	/* Remembered after the kernel forgot it. */
	assert_int_equal(mpl_ids_choose(&want, k_other, 2, r_mine, 1), 4);
	/* Ids we handed to other addresses stay theirs. */
	assert_int_equal(mpl_ids_choose(&want, k_other, 2, r_other, 1), 4);
	/* If the kernel gave our old id to another address, pick anew. */
	assert_int_equal(mpl_ids_choose(&want, k_steals, 1, r_mine, 1), 1);
	/* A fixed source port makes another entry, with another id. */
	want.port = 40123;
	assert_int_equal(mpl_ids_choose(&want, k_same, 2, NULL, 0), 2);
}

static void test_choose_exhausted(void **state)
{
	struct mpl_pm_addr kernel[MPL_IDS_MAX], want = A("10.0.2.1", -1);
	char ip[32];
	int i;

	(void)state;
	for (i = 0; i < MPL_IDS_MAX; i++) {
		snprintf(ip, sizeof(ip), "10.1.%d.%d", i / 200, i % 200 + 1);
		kernel[i] = A(ip, i + 1);
	}
	assert_int_equal(mpl_ids_choose(&want, kernel, MPL_IDS_MAX, NULL, 0),
			 -ENOSPC);
}

/* The process-wide memory, across a kernel that forgets entries. */
static void test_pick_is_stable(void **state)
{
	struct mpl_pm_addr a = A("10.0.2.1", -1), b = A("10.0.3.1", -1);
	struct mpl_pm_addr kernel[2];
	int ida, idb;

	(void)state;
	ida = mpl_ids_pick(0x1234, &a, NULL, 0);
	kernel[0] = A("10.0.2.1", ida);
	idb = mpl_ids_pick(0x1234, &b, kernel, 1);
	assert_int_not_equal(ida, idb);
	/* The kernel dropped a's entry (a subflow from it was closed). */
	kernel[0] = A("10.0.3.1", idb);
	assert_int_equal(mpl_ids_pick(0x1234, &a, kernel, 1), ida);
	/* Another connection starts from scratch. */
	assert_int_equal(mpl_ids_pick(0x9999, &b, NULL, 0), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_choose_table),
		cmocka_unit_test(test_choose_exhausted),
		cmocka_unit_test(test_pick_is_stable),
	};

	return cmocka_run_group_tests_name("ids", tests, NULL, NULL);
}

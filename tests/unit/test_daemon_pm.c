// SPDX-License-Identifier: MIT
/*
 * mptcp-autod's path-manager switch: which knob, what is put back at the
 * stop (also after a killed daemon), and the switch itself on files that
 * stand in for /proc/sys/net/mptcp.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dmn_pm.h"

static void test_knob_pick(void **state)
{
	(void)state;
	assert_int_equal(dmn_pm_knob_pick(true, true), DMN_PM_KNOB_NAME);
	assert_int_equal(dmn_pm_knob_pick(true, false), DMN_PM_KNOB_NAME);
	assert_int_equal(dmn_pm_knob_pick(false, true), DMN_PM_KNOB_TYPE);
	assert_int_equal(dmn_pm_knob_pick(false, false), DMN_PM_KNOB_NONE);
	assert_string_equal(dmn_pm_knob_file(DMN_PM_KNOB_NAME), "path_manager");
	assert_string_equal(dmn_pm_knob_file(DMN_PM_KNOB_TYPE), "pm_type");
	assert_string_equal(dmn_pm_userspace(DMN_PM_KNOB_NAME), "userspace");
	assert_string_equal(dmn_pm_userspace(DMN_PM_KNOB_TYPE), "1");
}

static const struct decide_case {
	enum dmn_pm_knob knob;
	const char *current, *recorded;
	int rc;
	const char *restore;
	bool switch_now, from_record;
} decide_cases[] = {
	/* A fresh start: record what is there, switch. */
	{ DMN_PM_KNOB_NAME, "kernel\n", NULL, 0, "kernel", true, false },
	{ DMN_PM_KNOB_TYPE, "0\n", NULL, 0, "0", true, false },
	/* Already userspace, set by hand: that is what to keep. */
	{ DMN_PM_KNOB_NAME, "userspace\n", NULL, 0, "userspace", false, false },
	{ DMN_PM_KNOB_TYPE, "1", NULL, 0, "1", false, false },
	/* Left at userspace by a killed daemon: its record wins. */
	{ DMN_PM_KNOB_NAME, "userspace\n", "path_manager kernel\n", 0, "kernel",
	  false, true },
	{ DMN_PM_KNOB_TYPE, "1\n", "pm_type 0\n", 0, "0", false, true },
	/* A record does not override a value set by hand since. */
	{ DMN_PM_KNOB_NAME, "kernel\n", "path_manager userspace\n", 0, "kernel",
	  true, false },
	/* A record of the other knob, or garbled, is ignored. */
	{ DMN_PM_KNOB_TYPE, "1\n", "path_manager kernel\n", 0, "1", false,
	  false },
	{ DMN_PM_KNOB_NAME, "userspace\n", "path_manager ker nel\n", 0,
	  "userspace", false, false },
	{ DMN_PM_KNOB_NAME, "userspace\n", "path_manager\n", 0, "userspace",
	  false, false },
	{ DMN_PM_KNOB_TYPE, "1\n", "pm_type x\n", 0, "1", false, false },
	/* Values that are not the knob's. */
	{ DMN_PM_KNOB_NAME, "", NULL, -EINVAL, "", false, false },
	{ DMN_PM_KNOB_NAME, "kernel extra\n", NULL, -EINVAL, "", false, false },
	{ DMN_PM_KNOB_NAME, "Kernel\n", NULL, -EINVAL, "", false, false },
	{ DMN_PM_KNOB_TYPE, "kernel\n", NULL, -EINVAL, "", false, false },
	{ DMN_PM_KNOB_TYPE, "-1\n", NULL, -EINVAL, "", false, false },
	{ DMN_PM_KNOB_NONE, "0\n", NULL, -EINVAL, "", false, false },
};

static void test_decide(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(decide_cases) / sizeof(decide_cases[0]); i++) {
		const struct decide_case *c = &decide_cases[i];
		struct dmn_pm_plan plan;

		print_message("case %zu\n", i);
		assert_int_equal(dmn_pm_decide(c->knob, c->current, c->recorded,
					       &plan),
				 c->rc);
		if (c->rc)
			continue;
		assert_string_equal(plan.restore, c->restore);
		assert_int_equal(plan.switch_now, c->switch_now);
		assert_int_equal(plan.from_record, c->from_record);
	}
}

static void test_record_text(void **state)
{
	struct dmn_pm_plan plan;
	char buf[64];

	(void)state;
	assert_int_equal(dmn_pm_record_text(DMN_PM_KNOB_TYPE, "0", buf,
					    sizeof(buf)),
			 10);
	assert_string_equal(buf, "pm_type 0\n");
	/* What one daemon writes, the next one reads. */
	assert_int_equal(dmn_pm_record_text(DMN_PM_KNOB_NAME, "kernel", buf,
					    sizeof(buf)),
			 20);
	assert_int_equal(
		dmn_pm_decide(DMN_PM_KNOB_NAME, "userspace", buf, &plan), 0);
	assert_string_equal(plan.restore, "kernel");
	assert_int_equal(dmn_pm_record_text(DMN_PM_KNOB_NAME, "kernel", buf, 8),
			 -ENOSPC);
}

/* ---- the switch on files: a directory in place of /proc/sys/net/mptcp -- */

struct fake_dir {
	char dir[64], record[96];
};

static void put(const char *dir, const char *name, const char *text)
{
	char path[160];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static const char *get(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static const char *knob(const struct fake_dir *d, const char *name, char *buf)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/%s", d->dir, name);
	return get(path, buf, 64);
}

static int setup(void **state)
{
	struct fake_dir *d = calloc(1, sizeof(*d));

	snprintf(d->dir, sizeof(d->dir), "/tmp/mpa-pm-XXXXXX");
	if (!mkdtemp(d->dir))
		return -1;
	snprintf(d->record, sizeof(d->record), "%s/record", d->dir);
	*state = d;
	return 0;
}

static int teardown(void **state)
{
	struct fake_dir *d = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d->dir);
	if (system(cmd))
		return -1;
	free(d);
	return 0;
}

static void test_take_and_restore_path_manager(void **state)
{
	struct fake_dir *d = *state;
	char buf[64], why[200];
	struct dmn_pm pm;

	put(d->dir, "path_manager", "kernel\n");
	put(d->dir, "pm_type", "0\n");
	assert_int_equal(dmn_pm_take(&pm, d->dir, d->record, why, sizeof(why)),
			 0);
	assert_int_equal(pm.knob, DMN_PM_KNOB_NAME);
	assert_string_equal(knob(d, "path_manager", buf), "userspace");
	/* pm_type is left to the kernel, which keeps the two in sync. */
	assert_string_equal(knob(d, "pm_type", buf), "0\n");
	assert_string_equal(get(d->record, buf, sizeof(buf)),
			    "path_manager kernel\n");
	assert_int_equal(dmn_pm_restore(&pm, why, sizeof(why)), 0);
	assert_string_equal(knob(d, "path_manager", buf), "kernel");
	assert_null(get(d->record, buf, sizeof(buf)));
	/* Twice is harmless. */
	assert_int_equal(dmn_pm_restore(&pm, why, sizeof(why)), 0);
}

static void test_take_pm_type_after_a_kill(void **state)
{
	struct fake_dir *d = *state;
	char buf[64], why[200];
	struct dmn_pm first, second;

	put(d->dir, "pm_type", "0\n");
	assert_int_equal(
		dmn_pm_take(&first, d->dir, d->record, why, sizeof(why)), 0);
	assert_int_equal(first.knob, DMN_PM_KNOB_TYPE);
	assert_string_equal(knob(d, "pm_type", buf), "1");
	/* Killed: no restore. The next daemon finds userspace and the
	 * record, and puts back what the host had. */
	assert_int_equal(
		dmn_pm_take(&second, d->dir, d->record, why, sizeof(why)), 0);
	assert_string_equal(second.restore, "0");
	assert_string_equal(get(d->record, buf, sizeof(buf)), "pm_type 0\n");
	assert_int_equal(dmn_pm_restore(&second, why, sizeof(why)), 0);
	assert_string_equal(knob(d, "pm_type", buf), "0");
	assert_null(get(d->record, buf, sizeof(buf)));
}

static void test_take_refusals(void **state)
{
	struct fake_dir *d = *state;
	char buf[64], why[200];
	struct dmn_pm pm;

	/* No knob at all. */
	assert_int_equal(dmn_pm_take(&pm, d->dir, d->record, why, sizeof(why)),
			 -ENOENT);
	assert_non_null(strstr(why, "no MPTCP"));
	assert_int_equal(dmn_pm_restore(&pm, why, sizeof(why)), 0);
	/* A value it does not know: nothing written, nothing recorded. */
	put(d->dir, "path_manager", "bpf-thing x\n");
	assert_int_equal(dmn_pm_take(&pm, d->dir, d->record, why, sizeof(why)),
			 -EINVAL);
	assert_non_null(strstr(why, "unknown value"));
	assert_string_equal(knob(d, "path_manager", buf), "bpf-thing x\n");
	assert_null(get(d->record, buf, sizeof(buf)));
	/* No record file wanted: none written. */
	put(d->dir, "path_manager", "kernel\n");
	assert_int_equal(dmn_pm_take(&pm, d->dir, "", why, sizeof(why)), 0);
	assert_null(get(d->record, buf, sizeof(buf)));
	assert_int_equal(dmn_pm_restore(&pm, why, sizeof(why)), 0);
	assert_string_equal(knob(d, "path_manager", buf), "kernel");
}

static const struct mode_case {
	enum dmn_pm_knob k;
	const char *text, *name; /* NULL: -EINVAL */
} mode_cases[] = {
	{ DMN_PM_KNOB_NAME, "userspace\n", "userspace" },
	{ DMN_PM_KNOB_NAME, "kernel", "kernel" },
	{ DMN_PM_KNOB_TYPE, "1\n", "userspace" },
	{ DMN_PM_KNOB_TYPE, "0\n", "kernel" },
	{ DMN_PM_KNOB_TYPE, "2\n", "2" },
	{ DMN_PM_KNOB_TYPE, "kernel", NULL },
	{ DMN_PM_KNOB_NAME, "", NULL },
	{ DMN_PM_KNOB_NONE, "kernel", NULL },
};

static void test_mode_name(void **state)
{
	char out[16];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(mode_cases) / sizeof(mode_cases[0]); i++) {
		const struct mode_case *c = &mode_cases[i];
		int err = dmn_pm_mode_name(c->k, c->text, out, sizeof(out));

		print_message("case %zu: %s\n", i, c->text);
		if (!c->name) {
			assert_int_equal(err, -EINVAL);
			continue;
		}
		assert_int_equal(err, 0);
		assert_string_equal(out, c->name);
	}
	/* Too long for the caller's room. */
	assert_int_equal(dmn_pm_mode_name(DMN_PM_KNOB_NAME, "userspace", out,
					  4),
			 -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_knob_pick),
		cmocka_unit_test(test_decide),
		cmocka_unit_test(test_record_text),
		cmocka_unit_test(test_mode_name),
		cmocka_unit_test_setup_teardown(
			test_take_and_restore_path_manager, setup, teardown),
		cmocka_unit_test_setup_teardown(test_take_pm_type_after_a_kill,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_take_refusals, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

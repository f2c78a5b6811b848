// SPDX-License-Identifier: MIT
/* The launcher's pure parts: environment merging, static binaries, drop-in. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mpa_cli.h"

#define SHIM "/usr/$LIB/libmptcp_auto.so"

static const struct preload_case {
	const char *current, *want;
} preload_cases[] = {
	{ NULL, SHIM },
	{ "", SHIM },
	{ "/lib/a.so", "/lib/a.so:" SHIM },
	{ "/lib/a.so:/lib/b.so", "/lib/a.so:/lib/b.so:" SHIM },
	/* Already there (colon- or space-separated): not twice. */
	{ SHIM, SHIM },
	{ "/lib/a.so:" SHIM, "/lib/a.so:" SHIM },
	{ SHIM " /lib/a.so", SHIM " /lib/a.so" },
	/* A longer name that merely contains ours is another library. */
	{ SHIM ".old", SHIM ".old:" SHIM },
};

static void test_ld_preload_add(void **state)
{
	char out[512], again[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(preload_cases) / sizeof(preload_cases[0]); i++) {
		assert_int_equal(ld_preload_add(preload_cases[i].current, SHIM,
						out, sizeof(out)),
				 0);
		assert_string_equal(out, preload_cases[i].want);
		/* Running the launcher twice changes nothing more. */
		assert_int_equal(
			ld_preload_add(out, SHIM, again, sizeof(again)), 0);
		assert_string_equal(again, preload_cases[i].want);
	}
	assert_int_equal(ld_preload_add("/x", SHIM, out, 8), -ENOSPC);
}

static const struct godebug_case {
	const char *current, *want;
} godebug_cases[] = {
	{ NULL, "multipathtcp=1" },
	{ "", "multipathtcp=1" },
	{ "http2client=0", "http2client=0,multipathtcp=1" },
	{ "multipathtcp=0", "multipathtcp=0" },
	{ "a=1,multipathtcp=2", "a=1,multipathtcp=2" },
	{ "xmultipathtcp=0", "xmultipathtcp=0,multipathtcp=1" },
};

static void test_godebug_add(void **state)
{
	char out[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(godebug_cases) / sizeof(godebug_cases[0]); i++) {
		assert_int_equal(godebug_add(godebug_cases[i].current, out,
					     sizeof(out)),
				 0);
		assert_string_equal(out, godebug_cases[i].want);
	}
}

static void test_elf_is_static(void **state)
{
	(void)state;
	assert_int_equal(elf_is_static("/bin/sh"), 0); /* dynamic */
	assert_int_equal(elf_is_static("/etc/hostname"), 0); /* not ELF */
	assert_int_equal(elf_is_static("/nonexistent"), -ENOENT);
	if (!access(FIXTURES "/../../build/tests/static-hello", X_OK))
		assert_int_equal(elf_is_static(
					 FIXTURES
					 "/../../build/tests/static-hello"),
				 1);
}

static void test_dropin_render(void **state)
{
	char out[1024];
	int n;

	(void)state;
	n = dropin_render("nginx.service", SHIM, NULL, out, sizeof(out));
	assert_int_equal(n, (int)strlen(out));
	assert_string_equal(out,
			    "# Written by `mptcp-auto enable nginx.service`; "
			    "removed by `mptcp-auto disable nginx.service`.\n"
			    "# The unit's own file is left untouched.\n"
			    "[Service]\n"
			    "Environment=\"LD_PRELOAD=" SHIM "\"\n");
	n = dropin_render("a.service", SHIM, "/etc/p.ini", out, sizeof(out));
	assert_non_null(strstr(out, "Environment=\"MPTCP_AUTO_POLICY=/etc/"
				    "p.ini\"\n"));
	assert_int_equal(dropin_render("a.service", SHIM, NULL, out, 16),
			 -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ld_preload_add),
		cmocka_unit_test(test_godebug_add),
		cmocka_unit_test(test_elf_is_static),
		cmocka_unit_test(test_dropin_render),
	};

	return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}

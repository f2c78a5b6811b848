// SPDX-License-Identifier: MIT
/* mptcp-autod's log lines: "mptcp-autod: LEVEL: text", one whole line. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "dmn_log.h"

static void test_line(void **state)
{
	char buf[64];

	(void)state;
	assert_int_equal(dmn_log_line(buf, sizeof(buf), "info", "up"), 22);
	assert_string_equal(buf, "mptcp-autod: info: up\n");
	dmn_log_line(buf, sizeof(buf), NULL, "no socket");
	assert_string_equal(buf, "mptcp-autod: error: no socket\n");
}

/* Cut to fit, still one line ending in its newline. */
static void test_cut(void **state)
{
	char buf[24], text[100];
	size_t n;

	(void)state;
	memset(text, 'x', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	n = dmn_log_line(buf, sizeof(buf), "warning", text);
	assert_int_equal(n, sizeof(buf) - 1);
	assert_int_equal(strlen(buf), n);
	assert_int_equal(buf[n - 1], '\n');
	assert_int_equal(strncmp(buf, "mptcp-autod: warning: x", n - 1), 0);
	assert_int_equal(dmn_log_line(buf, 1, "info", "x"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_line),
		cmocka_unit_test(test_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: MIT
/*
 * The shim's settings from the environment: log levels, log file, policy
 * sources; and secure execution, where no variable counts.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "mpa_config.h"

static const char *const *env_now;

/* A fake environment: NULL-terminated "NAME=value" strings. */
static const char *fake_get(const char *name)
{
	size_t len = strlen(name);
	int i;

	for (i = 0; env_now && env_now[i]; i++)
		if (!strncmp(env_now[i], name, len) && env_now[i][len] == '=')
			return env_now[i] + len + 1;
	return NULL;
}

static const char *const full_env[] = {
	"MPTCP_AUTO_POLICY=/srv/policy.ini",	"MPTCP_AUTO_LOG=debug",
	"MPTCP_AUTO_LOG_FILE=/var/log/mpa.log", "HOME=/home/u",
	"MPTCP_AUTO_PM_SOCKET=/tmp/t/pm.sock",	"MPTCP_AUTO_SAID=no-cap",
	"GODEBUG=http2client=0,multipathtcp=1", NULL
};

static void test_environment_read(void **state)
{
	struct mpa_config c;

	(void)state;
	env_now = full_env;
	mpa_config_init(&c, fake_get, false, "/etc/mptcp-auto");
	assert_int_equal(c.log_level, CMN_LOG_DEBUG);
	assert_string_equal(c.log_file, "/var/log/mpa.log");
	assert_string_equal(c.sources.env_file, "/srv/policy.ini");
	assert_string_equal(c.sources.user_file,
			    "/home/u/.config/mptcp-auto/policy.ini");
	assert_false(c.bad_log_level);
	assert_string_equal(c.pm_socket, "/tmp/t/pm.sock");
	assert_true(c.say);
	assert_string_equal(c.said, "no-cap");
	assert_true(c.godebug_mptcp);
}

/* Go takes the last setting of a key; only multipathtcp=1 turns it on. */
static void test_godebug(void **state)
{
	static const struct {
		const char *v;
		bool want;
	} cases[] = {
		{ NULL, false },
		{ "", false },
		{ "multipathtcp=1", true },
		{ "http2client=0,multipathtcp=1", true },
		{ "multipathtcp=1,http2client=0", true },
		{ "multipathtcp=1,multipathtcp=0", false },
		{ "multipathtcp=0,multipathtcp=1", true },
		{ "multipathtcp=10", false },
		{ "xmultipathtcp=1", false },
		{ "multipathtcp=", false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (mpa_godebug_mptcp(cases[i].v) != cases[i].want)
			fail_msg("GODEBUG=%s: %d", cases[i].v ? cases[i].v : "",
				 !cases[i].want);
}

static void test_secure_execution_ignores_environment(void **state)
{
	struct mpa_config c;

	(void)state;
	env_now = full_env;
	mpa_config_init(&c, fake_get, true, "/etc/mptcp-auto");
	assert_int_equal(c.log_level, CMN_LOG_OFF);
	assert_false(c.say); /* nothing at all, not even the one line */
	assert_string_equal(c.said, "");
	assert_false(c.godebug_mptcp);
	assert_string_equal(c.log_file, "");
	assert_string_equal(c.sources.env_file, "");
	assert_string_equal(c.sources.user_file, "");
	assert_string_equal(c.sources.system_file,
			    "/etc/mptcp-auto/policy.ini");
	/* The daemon is looked for where the system runs it. */
	assert_string_equal(c.pm_socket, "/run/mptcp-auto/pm.sock");
}

static const struct sock_case {
	const char *env; /* MPTCP_AUTO_PM_SOCKET, NULL: unset */
	const char *want; /* "": look for no daemon */
	bool bad;
} sock_cases[] = {
	{ NULL, "/run/mptcp-auto/pm.sock", false },
	{ "", "/run/mptcp-auto/pm.sock", false },
	{ "/srv/pm.sock", "/srv/pm.sock", false },
	/* Relative, or longer than sun_path: no daemon, said once. */
	{ "pm.sock", "", true },
	{ "/0123456789012345678901234567890123456789012345678901234567890123"
	  "4567890123456789012345678901234567890123456",
	  "", true },
	{ "/012345678901234567890123456789012345678901234567890123456789012"
	  "3456789012345678901234567890123456789012345",
	  "/012345678901234567890123456789012345678901234567890123456789012"
	  "3456789012345678901234567890123456789012345",
	  false },
};

static void test_daemon_socket(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(sock_cases) / sizeof(sock_cases[0]); i++) {
		const char *env[2] = { NULL, NULL };
		char var[200];
		struct mpa_config c;

		if (sock_cases[i].env) {
			snprintf(var, sizeof(var), "MPTCP_AUTO_PM_SOCKET=%s",
				 sock_cases[i].env);
			env[0] = var;
		}
		env_now = env;
		mpa_config_init(&c, fake_get, false, "/etc/mptcp-auto");
		assert_string_equal(c.pm_socket, sock_cases[i].want);
		assert_int_equal(c.bad_pm_socket, sock_cases[i].bad);
	}
}

/*
 * say: the one unasked line (preload/mpa_say.h) is written unless
 * MPTCP_AUTO_LOG=off, whatever the level.
 */
static const struct level_case {
	const char *env;
	enum cmn_log_level level;
	bool bad, say;
} level_cases[] = {
	{ NULL, CMN_LOG_OFF, false, true },
	{ "", CMN_LOG_OFF, false, true },
	{ "off", CMN_LOG_OFF, false, false },
	{ "OFF", CMN_LOG_OFF, false, false },
	{ "warn", CMN_LOG_WARN, false, true },
	{ "INFO", CMN_LOG_INFO, false, true },
	{ "debug", CMN_LOG_DEBUG, false, true },
	{ "verbose", CMN_LOG_WARN, true, true },
};

static void test_log_levels(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(level_cases) / sizeof(level_cases[0]); i++) {
		const char *env[3] = { NULL, "MPTCP_AUTO_LOG_FILE=relative.log",
				       NULL };
		char var[64];
		struct mpa_config c;

		if (level_cases[i].env) {
			snprintf(var, sizeof(var), "MPTCP_AUTO_LOG=%s",
				 level_cases[i].env);
			env[0] = var;
		} else {
			env[0] = env[1];
			env[1] = NULL;
		}
		env_now = env;
		mpa_config_init(&c, fake_get, false, "/etc/mptcp-auto");
		assert_int_equal(c.log_level, level_cases[i].level);
		assert_int_equal(c.bad_log_level, level_cases[i].bad);
		assert_int_equal(c.say, level_cases[i].say);
		/* Relative paths would depend on the current directory. */
		assert_string_equal(c.log_file, "");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_environment_read),
		cmocka_unit_test(test_secure_execution_ignores_environment),
		cmocka_unit_test(test_log_levels),
		cmocka_unit_test(test_godebug),
		cmocka_unit_test(test_daemon_socket),
	};

	return cmocka_run_group_tests_name("preload-config", tests, NULL, NULL);
}

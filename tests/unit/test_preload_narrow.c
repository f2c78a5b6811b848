// SPDX-License-Identifier: MIT
/*
 * The narrowing a REGISTER message carries: what the user's own policy
 * files say for the program and the destination, read as the shim reads
 * them (the user's layers alone), and the message's exact text.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eng_narrow.h"

#define HEAD "MPTCP-AUTO/1 REGISTER\nseq 1\ntoken 00000001\n"

static const struct narrow_case {
	const char *name;
	const char *policy; /* the user's file; NULL: none */
	const char *program;
	const char *dst; /* "address port" */
	const char *want; /* the lines after HEAD */
	unsigned int lost;
} narrow_cases[] = {
	{ "no user policy: nothing narrowed", NULL, "curl", "10.9.0.1 80", "",
	  0 },
	{ "a policy that sets nothing that narrows",
	  "[default]\nskip-local = yes\n", "curl", "10.9.0.1 80", "", 0 },
	{ "reopen = no: lost subflows stay gone", "[default]\nreopen = no\n",
	  "curl", "10.9.0.1 80", "user-reopen no\n", 0 },
	{ "reopen = yes, said (the daemon tells if it gives less)",
	  "[default]\nreopen = yes\n", "curl", "10.9.0.1 80",
	  "user-reopen yes\n", 0 },
	{ "fewer subflows", "[default]\nsubflows = 1\n", "curl", "10.9.0.1 80",
	  "user-subflows 1\n", 0 },
	{ "fewer interfaces", "[default]\ninterfaces = wlan*, eth1\n", "curl",
	  "10.9.0.1 80", "user-interfaces wlan*,eth1\n", 0 },
	{ "interfaces and backup: both kept, the latter as backup",
	  "[default]\ninterfaces = eth0\nbackup = eth1\n", "curl",
	  "10.9.0.1 80", "user-interfaces eth0,eth1\nuser-backup eth1\n", 0 },
	{ "backup alone keeps every interface", "[default]\nbackup = eth1\n",
	  "curl", "10.9.0.1 80", "user-backup eth1\n", 0 },
	{ "a name in both lists is kept once",
	  "[default]\ninterfaces = eth1, eth0\nbackup = eth1\n", "curl",
	  "10.9.0.1 80", "user-interfaces eth1,eth0\nuser-backup eth1\n", 0 },
	{ "subflows and interfaces",
	  "[default]\nsubflows = 2\ninterfaces = c2\n", "curl", "10.9.0.1 80",
	  "user-subflows 2\nuser-interfaces c2\n", 0 },
	{ "subflows = 0", "[default]\nsubflows = 0\ninterfaces = c2\n", "curl",
	  "10.9.0.1 80", "user-subflows 0\n", 0 },
	{ "mptcp = no", "[default]\nmptcp = no\n", "curl", "10.9.0.1 80",
	  "user-subflows 0\n", 0 },
	{ "an empty interfaces list", "[default]\ninterfaces =\n", "curl",
	  "10.9.0.1 80", "user-subflows 0\n", 0 },
	{ "an empty interfaces list, backup named",
	  "[default]\ninterfaces =\nbackup = eth1\n", "curl", "10.9.0.1 80",
	  "user-interfaces eth1\nuser-backup eth1\n", 0 },
	{ "destination excluded",
	  "[default]\nexclude-destinations = 10.9.0.0/16\n", "curl",
	  "10.9.0.1 80", "user-subflows 0\n", 0 },
	{ "another destination is not",
	  "[default]\nexclude-destinations = 10.9.0.0/16\n", "curl",
	  "10.8.0.1 80", "", 0 },
	{ "destination not listed", "[default]\ndestinations = 10.8.0.0/16\n",
	  "curl", "10.9.0.1 80", "user-subflows 0\n", 0 },
	{ "port not listed", "[default]\nports = 443\n", "curl", "10.9.0.1 80",
	  "user-subflows 0\n", 0 },
	{ "port listed", "[default]\nports = 443\nsubflows = 1\n", "curl",
	  "10.9.0.1 443", "user-subflows 1\n", 0 },
	{ "IPv6 destination excluded",
	  "[default]\nexclude-destinations = fd00:9::/64\n", "curl",
	  "fd00:9::1 80", "user-subflows 0\n", 0 },
	{ "skip-local said by the user", "[default]\nskip-local = yes\n",
	  "curl", "127.0.0.1 80", "user-subflows 0\n", 0 },
	{ "skip-local not said: the user narrows nothing",
	  "[default]\nsubflows = 1\n", "curl", "127.0.0.1 80",
	  "user-subflows 1\n", 0 },
	{ "the program's section", "[program curl]\nsubflows = 1\n", "curl",
	  "10.9.0.1 80", "user-subflows 1\n", 0 },
	{ "another program's section", "[program curl]\nsubflows = 1\n", "wget",
	  "10.9.0.1 80", "", 0 },
	{ "the program's section inherits the user's [default]",
	  "[default]\nsubflows = 1\n[program curl]\ninterfaces = eth1\n",
	  "curl", "10.9.0.1 80", "user-subflows 1\nuser-interfaces eth1\n", 0 },
	{ "exclude-interfaces cannot be said",
	  "[default]\nexclude-interfaces = eth1\nsubflows = 2\n", "curl",
	  "10.9.0.1 80", "user-subflows 2\n", ENG_NARROW_LOST_EXCLUDE },
	{ "a name the protocol cannot carry is left out",
	  "[default]\ninterfaces = eth+0, eth1\n", "curl", "10.9.0.1 80",
	  "user-interfaces eth1\n", ENG_NARROW_LOST_PATTERN },
	{ "no name can be carried: no subflow",
	  "[default]\ninterfaces = eth+0\n", "curl", "10.9.0.1 80",
	  "user-subflows 0\n", ENG_NARROW_LOST_PATTERN },
	{ "past 16 names the rest is left out",
	  "[default]\ninterfaces = a0,a1,a2,a3,a4,a5,a6,a7,a8,a9,a10,a11,a12,"
	  "a13,a14,a15\nbackup = b0\n",
	  "curl", "10.9.0.1 80",
	  "user-interfaces a0,a1,a2,a3,a4,a5,a6,a7,a8,a9,a10,a11,a12,a13,a14,"
	  "a15\nuser-backup b0\n",
	  ENG_NARROW_LOST_COUNT },
};

static void dst_parse(const char *s, struct sockaddr_storage *ss)
{
	char addr[64];
	int port;

	memset(ss, 0, sizeof(*ss));
	assert_int_equal(sscanf(s, "%63s %d", addr, &port), 2);
	if (strchr(addr, ':')) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		assert_int_equal(inet_pton(AF_INET6, addr, &in6->sin6_addr), 1);
	} else {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)port);
		assert_int_equal(inet_pton(AF_INET, addr, &in->sin_addr), 1);
	}
}

/*
 * The user's layers alone, from a launch file; a system policy that would
 * narrow is there too, and must not count.
 */
static struct mpa_policy *user_policy(const char *text, char *dir)
{
	char sys[160], file[160];
	struct mpa_sources src;
	struct mpa_policy *p;
	FILE *f;

	snprintf(sys, sizeof(sys), "%s/policy.ini", dir);
	f = fopen(sys, "w");
	assert_non_null(f);
	fputs("[default]\nsubflows = 1\ninterfaces = sys0\n", f);
	fclose(f);
	snprintf(file, sizeof(file), "%s/user.ini", dir);
	unlink(file);
	if (text) {
		f = fopen(file, "w");
		assert_non_null(f);
		fputs(text, f);
		fclose(f);
	}
	mpa_sources_init(&src, dir, text ? file : NULL, NULL, NULL, false);
	p = mpa_policy_load_user(&src);
	assert_non_null(p);
	assert_int_equal(p->nerrors, 0);
	return p;
}

/* A folder for the files, removed after the test, also when it fails. */
static int setup(void **state)
{
	static char dir[] = "/tmp/mpa-narrow-XXXXXX";

	if (!mkdtemp(dir))
		return -1;
	*state = dir;
	return 0;
}

static int teardown(void **state)
{
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", (char *)*state);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_narrowing_table(void **state)
{
	char *dir = *state;
	size_t i;

	for (i = 0; i < sizeof(narrow_cases) / sizeof(narrow_cases[0]); i++) {
		const struct narrow_case *c = &narrow_cases[i];
		struct mpa_prog_id id = { .exe = c->program };
		char buf[ENG_WIRE_MAX + 1], want[ENG_WIRE_MAX + 1];
		struct sockaddr_storage dst;
		const struct mpa_rule *r;
		struct eng_wire_msg m;
		struct mpa_policy *p;
		unsigned int lost;

		print_message("%s\n", c->name);
		p = user_policy(c->policy, dir);
		r = mpa_policy_program(p, &id);
		dst_parse(c->dst, &dst);
		eng_wire_init(&m, ENG_WIRE_REGISTER, 1);
		m.token = 1;
		lost = eng_narrow_build(r, (struct sockaddr *)&dst, &m);
		assert_true(eng_wire_format(&m, buf, sizeof(buf)) > 0);
		snprintf(want, sizeof(want), HEAD "%s", c->want);
		assert_string_equal(buf, want);
		assert_int_equal(lost, c->lost);
		assert_int_equal(eng_narrow_none(r, (struct sockaddr *)&dst),
				 strstr(c->want, "user-subflows 0") != NULL &&
					 !(lost & ENG_NARROW_LOST_PATTERN));
		mpa_policy_free(p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_narrowing_table, setup,
						teardown),
	};

	return cmocka_run_group_tests_name("preload-narrow", tests, NULL, NULL);
}

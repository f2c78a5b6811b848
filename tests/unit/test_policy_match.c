// SPDX-License-Identifier: MIT
/*
 * Matching: programs (exe, argv[0], script, wildcards, first match wins,
 * default), destination prefixes, ports, families, exclusions, and the
 * resolution of a rule against a given interface list.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <string.h>

#include "mpa_policy.h"
#include "eng_resolve.h"

static struct mpa_policy *load(const char *text)
{
	const char *name = "test.ini";
	size_t len = strlen(text);
	struct mpa_policy *p = mpa_policy_load_buffers(&name, &text, &len, 1);

	assert_non_null(p);
	assert_int_equal(p->ndiags, 0);
	return p;
}

static const char policy_text[] =
	"[default]\n"
	"interfaces = eth1\n"
	"exclude-destinations = 10.0.0.0/8, fd00::/8\n"
	"exclude-ports = 53\n"
	"[program curl]\n"
	"interfaces = wlan*\n"
	"backup = wwan0\n"
	"[program java]\n"
	"mptcp = off\n"
	"[program python3*]\n"
	"destinations = 192.0.2.0/24, 2001:db8::/32\n"
	"ports = 443, 8000-8999\n"
	"[program backup.sh]\n"
	"subflows = 1\n"
	"[program cur?]\n"
	"subflows = 0\n";

static const struct prog_case {
	const char *exe, *argv0, *script;
	const char *want; /* "" for [default] */
} prog_cases[] = {
	{ "curl", "curl", NULL, "curl" },
	{ "curl", NULL, NULL, "curl" },
	/* argv[0] counts when the executable's name does not match. */
	{ "ld-linux-x86-64.so.2", "curl", NULL, "curl" },
	{ "java", "java", NULL, "java" },
	{ "python3.11", "python3", NULL, "python3*" },
	/* Scripts run by an interpreter: the script's name matches. */
	{ "bash", "bash", "backup.sh", "backup.sh" },
	{ "wget", "wget", NULL, "" },
	/* First match in file order wins: curl before cur?. */
	{ "curl", "curl", NULL, "curl" },
	{ "curb", NULL, NULL, "cur?" },
	{ NULL, NULL, NULL, "" },
};

static void test_program_table(void **state)
{
	struct mpa_policy *p = load(policy_text);
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(prog_cases) / sizeof(prog_cases[0]); i++) {
		const struct prog_case *c = &prog_cases[i];
		struct mpa_prog_id id = { c->exe, c->argv0, c->script };

		print_message("case %zu\n", i);
		assert_string_equal(mpa_policy_program(p, &id)->program,
				    c->want);
	}
	mpa_policy_free(p);
}

static const struct id_case {
	const char *exe, *argv0, *argv1;
	const char *want_exe, *want_argv0, *want_script;
} id_cases[] = {
	{ "/usr/bin/curl", "curl", "-O", "curl", "curl", NULL },
	{ "/usr/bin/python3.11", "/usr/bin/python3", "/opt/backup.py",
	  "python3.11", "python3", "backup.py" },
	{ "/usr/bin/bash", "bash", "./nightly.sh", "bash", "bash",
	  "nightly.sh" },
	/* An option is not a script. */
	{ "/usr/bin/python3.11", "python3", "-m", "python3.11", "python3",
	  NULL },
	/* Not an interpreter: argv[1] is just an argument. */
	{ "/usr/bin/git", "git", "clone", "git", "git", NULL },
	{ NULL, NULL, NULL, NULL, NULL, NULL },
};

static void check_name(const char *got, const char *want)
{
	if (want)
		assert_string_equal(got, want);
	else
		assert_null(got);
}

static void test_prog_id(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(id_cases) / sizeof(id_cases[0]); i++) {
		const struct id_case *c = &id_cases[i];
		struct mpa_prog_names names;
		struct mpa_prog_id id;

		mpa_prog_id_init(&id, &names, c->exe, c->argv0, c->argv1);
		check_name(id.exe, c->want_exe);
		check_name(id.argv0, c->want_argv0);
		check_name(id.script, c->want_script);
	}
}

static void sa(struct sockaddr_storage *ss, const char *ip, int port)
{
	memset(ss, 0, sizeof(*ss));
	if (strchr(ip, ':')) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		in6->sin6_family = AF_INET6;
		assert_int_equal(inet_pton(AF_INET6, ip, &in6->sin6_addr), 1);
		in6->sin6_port = htons((uint16_t)port);
	} else {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		in->sin_family = AF_INET;
		assert_int_equal(inet_pton(AF_INET, ip, &in->sin_addr), 1);
		in->sin_port = htons((uint16_t)port);
	}
}

static const struct dest_case {
	const char *prog, *ip;
	int port;
	bool open;
	const char *why;
} dest_cases[] = {
	{ "curl", "198.51.100.1", 443, true, NULL },
	{ "curl", "2001:db8::1", 80, true, NULL },
	{ "curl", "10.1.2.3", 443, false,
	  "destination in exclude-destinations" },
	{ "curl", "::ffff:10.1.2.3", 443, false,
	  "destination in exclude-destinations" },
	{ "curl", "fd00::5", 443, false,
	  "destination in exclude-destinations" },
	/* Its first byte is 10, but an IPv4 prefix never covers IPv6. */
	{ "curl", "a00::1", 443, true, NULL },
	{ "curl", "198.51.100.1", 53, false, "port in exclude-ports" },
	{ "curl", "127.0.0.1", 443, false,
	  "loopback or link-local destination" },
	{ "curl", "::1", 443, false, "loopback or link-local destination" },
	{ "curl", "169.254.1.1", 443, false,
	  "loopback or link-local destination" },
	{ "curl", "fe80::1", 443, false, "loopback or link-local destination" },
	{ "java", "198.51.100.1", 443, false, "MPTCP is off for this program" },
	{ "python3", "192.0.2.77", 443, true, NULL },
	{ "python3", "192.0.2.77", 8500, true, NULL },
	{ "python3", "192.0.2.77", 80, false, "port not in ports" },
	{ "python3", "198.51.100.1", 443, false,
	  "destination not in destinations" },
	{ "python3", "2001:db8:1::1", 443, true, NULL },
	{ "python3", "2001:db9::1", 443, false,
	  "destination not in destinations" },
	{ "curb", "198.51.100.1", 443, false, "subflows = 0" },
	{ "wget", "198.51.100.1", 443, true, NULL },
};

static void test_destination_table(void **state)
{
	struct mpa_policy *p = load(policy_text);
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(dest_cases) / sizeof(dest_cases[0]); i++) {
		const struct dest_case *c = &dest_cases[i];
		struct mpa_prog_id id = { .exe = c->prog };
		struct sockaddr_storage ss;
		struct mpa_decision d;

		print_message("%s -> [%s]:%d\n", c->prog, c->ip, c->port);
		sa(&ss, c->ip, c->port);
		mpa_policy_match(p, &id, (struct sockaddr *)&ss, &d);
		assert_int_equal(d.open_subflows, c->open);
		if (c->why)
			assert_string_equal(d.why, c->why);
		else
			assert_null(d.why);
	}
	mpa_policy_free(p);
}

static void test_no_interfaces_no_subflows(void **state)
{
	struct mpa_policy *p = load("[default]\nsubflows = 4\n");
	struct mpa_prog_id id = { .exe = "curl" };
	struct sockaddr_storage ss;
	struct mpa_decision d;

	(void)state;
	sa(&ss, "198.51.100.1", 443);
	mpa_policy_match(p, &id, (struct sockaddr *)&ss, &d);
	assert_true(d.mptcp);
	assert_false(d.open_subflows);
	assert_string_equal(d.why, "the policy names no interfaces");
	mpa_policy_free(p);
}

static void test_skip_local_off(void **state)
{
	struct mpa_policy *p =
		load("[default]\ninterfaces = eth1\nskip-local = no\n");
	struct mpa_prog_id id = { .exe = "x" };
	struct sockaddr_storage ss;
	struct mpa_decision d;

	(void)state;
	sa(&ss, "127.0.0.1", 80);
	mpa_policy_match(p, &id, (struct sockaddr *)&ss, &d);
	assert_true(d.open_subflows);
	mpa_policy_free(p);
}

/*
 * A rule without destination filters is decided once per process: only
 * where each destination would get the same answer from
 * mpa_rule_decide(), whichever filter is set.
 */
static void test_opens_for_all(void **state)
{
	static const struct {
		const char *text;
		bool all;
	} cases[] = {
		{ "[default]\ninterfaces = eth1\nskip-local = no\n", true },
		{ "[default]\nbackup = eth1\nskip-local = no\n", true },
		/* skip-local is yes by default: loopback is refused. */
		{ "[default]\ninterfaces = eth1\n", false },
		{ "[default]\ninterfaces = eth1\nskip-local = no\n"
		  "destinations = 192.0.2.0/24\n",
		  false },
		{ "[default]\ninterfaces = eth1\nskip-local = no\n"
		  "exclude-destinations = 10.0.0.0/8\n",
		  false },
		{ "[default]\ninterfaces = eth1\nskip-local = no\n"
		  "ports = 443\n",
		  false },
		{ "[default]\ninterfaces = eth1\nskip-local = no\n"
		  "exclude-ports = 53\n",
		  false },
		/* No subflow anywhere: nothing to open for all. */
		{ "[default]\nskip-local = no\n", false },
		{ "[default]\ninterfaces = eth1\nskip-local = no\n"
		  "subflows = 0\n",
		  false },
		{ "[default]\ninterfaces = eth1\nskip-local = no\n"
		  "mptcp = off\n",
		  false },
	};
	static const struct {
		const char *ip;
		int port;
	} dsts[] = {
		{ "198.51.100.1", 443 }, { "127.0.0.1", 80 },
		{ "169.254.1.1", 80 },	 { "10.1.2.3", 53 },
		{ "::1", 80 },		 { "2001:db8::1", 443 },
		{ "fe80::1", 22 },	 { "::ffff:10.1.2.3", 53 },
	};
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mpa_policy *p = load(cases[i].text);
		struct mpa_prog_id id = { .exe = "x" };
		const struct mpa_rule *r = mpa_policy_program(p, &id);
		bool all = true;

		print_message("%s", cases[i].text);
		assert_int_equal(mpa_rule_opens_for_all(r), cases[i].all);
		for (j = 0; j < sizeof(dsts) / sizeof(dsts[0]); j++) {
			struct sockaddr_storage ss;
			struct mpa_decision d;

			sa(&ss, dsts[j].ip, dsts[j].port);
			mpa_rule_decide(r, (struct sockaddr *)&ss, &d);
			all = all && d.open_subflows;
		}
		/* Said for all exactly when every destination gets it. */
		assert_int_equal(all, cases[i].all);
		mpa_policy_free(p);
	}
}

static void test_glob(void **state)
{
	(void)state;
	assert_true(mpa_glob_match("wlan*", "wlan0"));
	assert_true(mpa_glob_match("wlan*", "wlan"));
	assert_true(mpa_glob_match("*", ""));
	assert_true(mpa_glob_match("e?h*1", "eth0.1"));
	assert_true(mpa_glob_match("*a*b*c", "xxaxxbxxc"));
	assert_false(mpa_glob_match("wlan?", "wlan"));
	assert_false(mpa_glob_match("eth1", "eth10"));
	assert_false(mpa_glob_match("*a*b*c", "xxaxxbxxcx"));
	assert_false(mpa_glob_match("", "x"));
}

/* A fake getifaddrs() list. */
struct fake_if {
	struct ifaddrs ifa;
	struct sockaddr_storage addr;
};

static void fake(struct fake_if *f, const char *name, const char *ip,
		 unsigned int flags, struct fake_if *next)
{
	memset(f, 0, sizeof(*f));
	sa(&f->addr, ip, 0);
	f->ifa.ifa_name = (char *)name;
	f->ifa.ifa_flags = flags;
	f->ifa.ifa_addr = (struct sockaddr *)&f->addr;
	f->ifa.ifa_next = next ? &next->ifa : NULL;
}

static void test_resolve_list(void **state)
{
	struct mpa_policy *p =
		load("[default]\ninterfaces = wlan*, eth1, tun0\n"
		     "backup = wwan0, wlan1\nexclude-interfaces = tun*\n"
		     "subflows = 8\n");
	struct fake_if f[10];
	struct mpa_local out[8];
	struct sockaddr_storage own;
	struct mpa_prog_id id = { .exe = "x" };
	struct sockaddr_storage dst;
	struct mpa_decision d;
	unsigned int up = IFF_UP;
	int n;

	(void)state;
	fake(&f[9], "wwan0", "100.64.0.9", up, NULL);
	fake(&f[8], "lo", "127.0.0.1", up | IFF_LOOPBACK, &f[9]);
	fake(&f[7], "tun0", "10.8.0.2", up, &f[8]);
	fake(&f[6], "eth2", "192.168.2.5", up, &f[7]);
	fake(&f[5], "eth1", "fe80::1", up, &f[6]);
	fake(&f[4], "eth1", "2001:db8::5", up, &f[5]);
	fake(&f[3], "eth1", "192.168.1.5", up, &f[4]);
	fake(&f[2], "wlan1", "192.168.3.5", up, &f[3]);
	fake(&f[1], "wlan0", "192.168.4.5", 0, &f[2]); /* down */
	fake(&f[0], "eth0", "192.168.0.5", up, &f[1]);
	sa(&dst, "198.51.100.1", 443);
	mpa_policy_match(p, &id, (struct sockaddr *)&dst, &d);
	assert_true(d.open_subflows);

	sa(&own, "192.168.0.5", 0);
	n = eng_resolve_list(&d, &f[0].ifa, AF_INET, (struct sockaddr *)&own,
			     out, 8);
	assert_int_equal(n, 3);
	/* wlan* first: wlan0 is down, wlan1 is backup: none here. */
	assert_string_equal(out[0].ifname, "eth1");
	assert_false(out[0].backup);
	assert_string_equal(out[1].ifname, "wwan0");
	assert_true(out[1].backup);
	assert_string_equal(out[2].ifname, "wlan1");
	assert_true(out[2].backup);

	/* IPv6: the global address only, never link-local. */
	n = eng_resolve_list(&d, &f[0].ifa, AF_INET6, NULL, out, 8);
	assert_int_equal(n, 1);
	assert_string_equal(out[0].ifname, "eth1");

	/* The connection's own source is never an extra subflow. */
	sa(&own, "192.168.1.5", 0);
	n = eng_resolve_list(&d, &f[0].ifa, AF_INET, (struct sockaddr *)&own,
			     out, 8);
	assert_int_equal(n, 2);
	assert_string_equal(out[0].ifname, "wwan0");

	/* The cap. */
	n = eng_resolve_list(&d, &f[0].ifa, AF_INET, NULL, out, 1);
	assert_int_equal(n, 1);
	mpa_policy_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_program_table),
		cmocka_unit_test(test_prog_id),
		cmocka_unit_test(test_destination_table),
		cmocka_unit_test(test_no_interfaces_no_subflows),
		cmocka_unit_test(test_skip_local_off),
		cmocka_unit_test(test_opens_for_all),
		cmocka_unit_test(test_glob),
		cmocka_unit_test(test_resolve_list),
	};

	return cmocka_run_group_tests_name("policy-match", tests, NULL, NULL);
}

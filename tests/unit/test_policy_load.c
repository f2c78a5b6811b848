// SPDX-License-Identifier: MIT
/*
 * Policy loading: one fixture per feature, one bad fixture per error
 * class with its exact diagnostic, and layering of several files.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "mpa_policy.h"
#include "policy_fixture.h"

static const struct bad_case {
	const char *file;
	const char *diag; /* formatted, exact */
	bool applied; /* warnings only: the file still counts */
} bad_cases[] = {
	{ .file = "bad_empty_iface.ini",
	  .diag = "bad_empty_iface.ini:2: error: wlan0,, eth1: empty interface name" },
	{ .file = "bad_port.ini",
	  .diag = "bad_port.ini:3: error: ports: 70000 is not a port" },
	{ .file = "bad_port_range.ini",
	  .diag = "bad_port_range.ini:2: error: exclude-ports: 9000-8000 is an empty "
		  "range" },
	{ .file = "bad_prefix_length.ini",
	  .diag = "bad_prefix_length.ini:2: error: destinations: '10.0.0.0/33': prefix "
		  "length must be 0 to 32" },
	{ .file = "bad_prefix_address.ini",
	  .diag = "bad_prefix_address.ini:2: error: exclude-destinations: '10.0.0.300' "
		  "is not an address or prefix" },
	{ .file = "bad_prefix_host_bits.ini",
	  .diag = "bad_prefix_host_bits.ini:2: error: destinations: '10.0.0.1/8' has "
		  "bits set past its prefix length" },
	{ .file = "bad_bool.ini",
	  .diag = "bad_bool.ini:2: error: mptcp: 'maybe' is not yes or "
		  "no" },
	{ .file = "bad_subflows.ini",
	  .diag = "bad_subflows.ini:2: error: subflows: '9' is not a number from 0 to "
		  "8" },
	{ .file = "bad_iface_too_long.ini",
	  .diag = "bad_iface_too_long.ini:2: error: interfaces: 'averyveryverylongname0' "
		  "is longer than an interface name (15 characters)" },
	{ .file = "bad_iface_chars.ini",
	  .diag = "bad_iface_chars.ini:2: error: interfaces: 'eth0/1' is not an "
		  "interface name" },
	{ .file = "bad_too_many_ifaces.ini",
	  .diag = "bad_too_many_ifaces.ini:2: error: interfaces: more than 16 "
		  "interfaces" },
	{ .file = "warn_unknown_key.ini",
	  .diag = "warn_unknown_key.ini:2: warning: unknown key 'subflow' (did you mean "
		  "'subflows'?)",
	  .applied = true },
	{ .file = "bad_unknown_section.ini",
	  .diag = "bad_unknown_section.ini:1: error: unknown section [programme curl] "
		  "(expected [default] or [program NAME])" },
	{ .file = "bad_section_bracket.ini",
	  .diag = "bad_section_bracket.ini:1: error: missing ']' in the section "
		  "header" },
	{ .file = "bad_no_equals.ini",
	  .diag = "bad_no_equals.ini:2: error: expected 'key = value', a [section] or a "
		  "comment" },
	{ .file = "bad_no_key.ini",
	  .diag = "bad_no_key.ini:2: error: missing key name before '='" },
	{ .file = "bad_outside_section.ini",
	  .diag = "bad_outside_section.ini:1: error: 'mptcp' is outside any section; "
		  "put it under [default] or [program NAME]" },
	{ .file = "bad_section_too_long.ini",
	  .diag = "bad_section_too_long.ini:1: error: section name longer than 49 "
		  "characters" },
	{ .file = "bad_key_too_long.ini",
	  .diag = "bad_key_too_long.ini:2: error: key name longer than 49 characters" },
	{ .file = "bad_line_too_long.ini",
	  .diag = "bad_line_too_long.ini:2: error: line longer than 198 characters" },
	{ .file = "bad_duplicate_key.ini",
	  .diag = "bad_duplicate_key.ini:3: error: 'interfaces' is set twice in this "
		  "section (first at line 2)" },
	{ .file = "bad_duplicate_section.ini",
	  .diag = "bad_duplicate_section.ini:4: error: section [program curl] repeated "
		  "(first at line 1)" },
	/* To inih, a ';' after a blank starts a comment, even in a header. */
	{ .file = "bad_section_comment.ini",
	  .diag = "bad_section_comment.ini:1: error: missing ']' in the section "
		  "header (';' after a blank starts a comment)" },
	/* ... and in a key line, so that this one has no '='. */
	{ .file = "bad_key_in_comment.ini",
	  .diag = "bad_key_in_comment.ini:2: error: expected 'key = value', a "
		  "[section] or a comment" },
};

static void test_bad_fixtures(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		struct mpa_policy *p = fixture_load1(c->file);
		char buf[400], want[400];

		print_message("%s\n", c->file);
		assert_non_null(p);
		assert_true(p->ndiags >= 1);
		assert_string_equal(mpa_diag_format(&p->diags[0], buf,
						    sizeof(buf)),
				    c->diag);
		if (c->applied) {
			assert_int_equal(p->nfiles, 1);
			assert_int_equal(p->nerrors, 0);
			assert_int_equal(p->ndiags, 1);
		} else {
			/* One error, then the file is reported unapplied. */
			assert_int_equal(p->nerrors, 1);
			assert_int_equal(p->nfiles, 0);
			assert_int_equal(p->ndiags, 2);
			snprintf(want, sizeof(want),
				 "%s: warning: file not applied: 1 error",
				 c->file);
			assert_string_equal(mpa_diag_format(&p->diags[1], buf,
							    sizeof(buf)),
					    want);
		}
		mpa_policy_free(p);
	}
}

static bool has_iface(const struct mpa_iface_pat *v, int n, const char *pat)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(v[i].pat, pat))
			return true;
	return false;
}

static void test_ok_all_keys(void **state)
{
	struct mpa_policy *p = fixture_load1("ok_all_keys.ini");
	const struct mpa_rule *d;
	char a[INET6_ADDRSTRLEN];

	(void)state;
	assert_non_null(p);
	assert_int_equal(p->ndiags, 0);
	assert_int_equal(p->nfiles, 1);
	d = &p->def;
	assert_int_equal(d->mptcp, MPA_YES);
	assert_int_equal(d->ifaces.n, 2);
	assert_string_equal(d->ifaces.v[0].pat, "eth1");
	assert_string_equal(d->ifaces.v[1].pat, "wlan0");
	assert_int_equal(d->backup_ifaces.n, 1);
	assert_string_equal(d->backup_ifaces.v[0].pat, "wwan0");
	assert_true(has_iface(d->exclude_ifaces.v, d->exclude_ifaces.n, "wg*"));
	assert_int_equal(d->subflows, 3);
	assert_int_equal(d->dests.n, 2);
	assert_int_equal(d->dests.v[1].family, AF_INET6);
	assert_int_equal(d->dests.v[1].len, 0);
	assert_int_equal(d->exclude_dests.n, 2);
	assert_int_equal(d->exclude_dests.v[0].len, 8);
	assert_string_equal(inet_ntop(AF_INET6, d->exclude_dests.v[1].addr, a,
				      sizeof(a)),
			    "fd00::");
	assert_int_equal(d->ports.n, 3);
	assert_int_equal(d->ports.v[2].lo, 8000);
	assert_int_equal(d->ports.v[2].hi, 8999);
	assert_int_equal(d->exclude_ports.v[0].lo, 8080);
	assert_int_equal(d->skip_local, MPA_NO);
	assert_int_equal(d->reopen, MPA_YES);
	assert_int_equal(d->subflow_delay, 1500);
	assert_string_equal(d->origin, "ok_all_keys.ini:2");
	mpa_policy_free(p);
}

static void test_ok_programs_inherit(void **state)
{
	struct mpa_policy *p = fixture_load1("ok_program.ini");

	(void)state;
	assert_non_null(p);
	assert_int_equal(p->ndiags, 0);
	assert_int_equal(p->nprograms, 2);
	assert_string_equal(p->programs[0].program, "curl");
	assert_string_equal(p->programs[0].ifaces.v[0].pat, "wlan0");
	assert_string_equal(p->programs[0].backup_ifaces.v[0].pat, "wwan0");
	/* Unset keys come from [default], then from the built-ins. */
	assert_int_equal(p->programs[0].mptcp, MPA_YES);
	assert_int_equal(p->programs[0].subflows, 2);
	assert_string_equal(p->programs[1].program, "java");
	assert_int_equal(p->programs[1].mptcp, MPA_NO);
	assert_string_equal(p->programs[1].ifaces.v[0].pat, "eth1");
	assert_string_equal(p->programs[1].origin, "ok_program.ini:8");
	mpa_policy_free(p);
}

static void test_ok_syntax_variants(void **state)
{
	struct mpa_policy *p = fixture_load1("ok_syntax.ini");

	(void)state;
	assert_non_null(p);
	assert_int_equal(p->ndiags, 0);
	assert_int_equal(p->def.ifaces.n, 1);
	assert_string_equal(p->def.ifaces.v[0].pat, "eth1");
	/* "backup =" sets an empty list, it does not inherit. */
	assert_true(p->def.backup_ifaces.set);
	assert_int_equal(p->def.backup_ifaces.n, 0);
	assert_int_equal(p->nprograms, 1);
	assert_string_equal(p->programs[0].program, "my-app");
	assert_int_equal(p->programs[0].reopen, MPA_YES);
	assert_string_equal(p->programs[0].origin, "ok_syntax.ini:7");
	mpa_policy_free(p);
}

static void test_other_ok_fixtures_load_clean(void **state)
{
	static const char *const files[] = { "ok_wildcards.ini",
					     "ok_destinations.ini",
					     "ok_ports.ini" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct mpa_policy *p = fixture_load1(files[i]);

		assert_non_null(p);
		assert_int_equal(p->ndiags, 0);
		assert_int_equal(p->nfiles, 1);
		mpa_policy_free(p);
	}
}

static void test_every_error_is_reported(void **state)
{
	struct mpa_policy *p = fixture_load1("bad_many_errors.ini");
	char buf[300];

	(void)state;
	assert_non_null(p);
	assert_int_equal(p->nerrors, 3);
	assert_string_equal(
		mpa_diag_format(&p->diags[0], buf, sizeof(buf)),
		"bad_many_errors.ini:3: error: ports: 0 is not a port");
	assert_string_equal(mpa_diag_format(&p->diags[1], buf, sizeof(buf)),
			    "bad_many_errors.ini:4: error: subflows: '-1' is "
			    "not a number from 0 to 8");
	assert_string_equal(mpa_diag_format(&p->diags[2], buf, sizeof(buf)),
			    "bad_many_errors.ini:5: error: mptcp: 'of' is not "
			    "yes or no");
	/* Nothing of it applies, not even the valid line 2. */
	assert_int_equal(p->def.ifaces.n, 0);
	mpa_policy_free(p);
}

static void test_nul_byte(void **state)
{
	static const char text[] = "[default]\nmptcp = o\0n\n";
	const char *name = "nul.ini", *t = text;
	size_t len = sizeof(text) - 1;
	struct mpa_policy *p = mpa_policy_load_buffers(&name, &t, &len, 1);
	char buf[300];

	(void)state;
	assert_non_null(p);
	assert_string_equal(mpa_diag_format(&p->diags[0], buf, sizeof(buf)),
			    "nul.ini:2: error: binary data (a NUL byte) in the "
			    "line");
	mpa_policy_free(p);
}

/*
 * Line numbers count every line whatever it holds (BOM, CRLF, blanks,
 * comments, indentation, no final newline), and an indented line is a
 * key of its own, never the continuation of the value before it.
 */
static void test_line_numbers(void **state)
{
	static const char text[] =
		"\xEF\xBB\xBF# policy\r\n" /* 1 */
		"\r\n" /* 2 */
		"[default]\r\n" /* 3 */
		"   ; indented comment\r\n" /* 4 */
		"\tinterfaces = eth1\r\n" /* 5 */
		"  x\r\n" /* 6: not a continuation of line 5 */
		"\n" /* 7 */
		"subflows = 9\n" /* 8 */
		"[program a]\n" /* 9 */
		"  subflow = 1\n" /* 10 */
		"  backup ;= eth2\n" /* 11 */
		"[program a]\n" /* 12 */
		"[default\n" /* 13 */
		"mptcp = on\n" /* 14: in no section, unchecked */
		"[program b]\n" /* 15 */
		"reopen = yes\n" /* 16 */
		"reopen = no\n" /* 17 */
		"x"; /* 18 */
	static const char *const want[] = {
		"t.ini:6: error: expected 'key = value', a [section] or a "
		"comment",
		"t.ini:8: error: subflows: '9' is not a number from 0 to 8",
		"t.ini:10: warning: unknown key 'subflow' (did you mean "
		"'subflows'?)",
		"t.ini:11: error: expected 'key = value', a [section] or a "
		"comment",
		"t.ini:12: error: section [program a] repeated (first at line "
		"9)",
		"t.ini:13: error: missing ']' in the section header",
		"t.ini:17: error: 'reopen' is set twice in this section (first "
		"at line 16)",
		"t.ini:18: error: expected 'key = value', a [section] or a "
		"comment",
		"t.ini: warning: file not applied: 7 errors",
	};
	const char *name = "t.ini", *t = text;
	size_t len = sizeof(text) - 1, i;
	struct mpa_policy *p = mpa_policy_load_buffers(&name, &t, &len, 1);
	char buf[300];

	(void)state;
	assert_non_null(p);
	for (i = 0; i < sizeof(want) / sizeof(want[0]) && i < (size_t)p->ndiags;
	     i++)
		assert_string_equal(mpa_diag_format(&p->diags[i], buf,
						    sizeof(buf)),
				    want[i]);
	assert_int_equal(p->ndiags, sizeof(want) / sizeof(want[0]));
	mpa_policy_free(p);
}

static const struct name_case {
	const char *line2; /* under [default] */
	const char *diag; /* the one diagnostic, formatted; NULL: none */
} name_cases[] = {
	/* 49 characters: kept whole (and unknown), not cut to fit. */
	{ "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghi = 1",
	  "n.ini:2: warning: unknown key "
	  "'abcdefghijabcdefghijabcdefghijabcdefghijabcdefghi'" },
	{ "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghij = 1",
	  "n.ini:2: error: key name longer than 49 characters" },
	/* "program " and a 41-character pattern: 49 in all. */
	{ "[program abcdefghijabcdefghijabcdefghijabcdefghijA]", NULL },
	{ "[program abcdefghijabcdefghijabcdefghijabcdefghijAB]",
	  "n.ini:2: error: section name longer than 49 characters" },
	{ "[  program abcdefghijabcdefghijabcdefghijabcdefghijA  ]", NULL },
};

/* Names of 49 characters are kept whole; 50 are refused, never cut. */
static void test_name_limits(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(name_cases) / sizeof(name_cases[0]); i++) {
		const struct name_case *c = &name_cases[i];
		const char *name = "n.ini", *t;
		struct mpa_policy *p;
		char text[400], buf[400];
		size_t len;

		print_message("%s\n", c->line2);
		len = (size_t)snprintf(text, sizeof(text), "[default]\n%s\n",
				       c->line2);
		t = text;
		p = mpa_policy_load_buffers(&name, &t, &len, 1);
		assert_non_null(p);
		if (!c->diag) {
			assert_int_equal(p->ndiags, 0);
		} else {
			assert_true(p->ndiags >= 1);
			assert_string_equal(mpa_diag_format(&p->diags[0], buf,
							    sizeof(buf)),
					    c->diag);
		}
		if (strstr(c->line2, "[  program")) {
			assert_int_equal(p->nprograms, 1);
			assert_string_equal(p->programs[0].program,
					    "abcdefghijabcdefghijabcdefghijabcd"
					    "efghijA");
		}
		mpa_policy_free(p);
	}
}

/*
 * A line holds 198 characters, not counting the blanks around it (nor a
 * CRLF's '\r'): the room in inih's buffer once '\n' and NUL are in.
 */
static void test_line_length(void **state)
{
	const char *name = "l.ini", *t;
	struct mpa_policy *p;
	char text[300], buf[300];
	size_t len;
	int n;

	(void)state;
	for (n = 198; n <= 199; n++) {
		len = (size_t)snprintf(text, sizeof(text),
				       "[default]\n    ;%0*d  \r\n", n - 1, 0);
		t = text;
		p = mpa_policy_load_buffers(&name, &t, &len, 1);
		assert_non_null(p);
		if (n == 198) {
			assert_int_equal(p->ndiags, 0);
		} else {
			assert_int_equal(p->nerrors, 1);
			assert_string_equal(mpa_diag_format(&p->diags[0], buf,
							    sizeof(buf)),
					    "l.ini:2: error: line longer than "
					    "198 characters");
		}
		mpa_policy_free(p);
	}
}

/* A [program] section that sets nothing gets every key of [default]. */
static void test_every_key_inherits(void **state)
{
	static const char text[] = "[default]\n"
				   "mptcp = no\n"
				   "interfaces = eth1, eth2\n"
				   "backup = wwan0\n"
				   "exclude-interfaces = tun*\n"
				   "subflows = 5\n"
				   "destinations = 10.0.0.0/8\n"
				   "exclude-destinations = 10.1.0.0/16\n"
				   "ports = 443\n"
				   "exclude-ports = 8443\n"
				   "skip-local = no\n"
				   "reopen = yes\n"
				   "subflow-delay = 250ms\n"
				   "[program quiet]\n";
	const char *name = "i.ini", *t = text;
	size_t len = sizeof(text) - 1;
	struct mpa_policy *p = mpa_policy_load_buffers(&name, &t, &len, 1);
	const struct mpa_rule *d, *r;

	(void)state;
	assert_non_null(p);
	assert_int_equal(p->ndiags, 0);
	assert_int_equal(p->nprograms, 1);
	d = &p->def;
	r = &p->programs[0];
	assert_int_equal(r->mptcp, MPA_NO);
	assert_int_equal(r->subflows, 5);
	assert_int_equal(r->skip_local, MPA_NO);
	assert_int_equal(r->reopen, MPA_YES);
	assert_int_equal(r->subflow_delay, 250);
	assert_int_equal(r->ifaces.n, 2);
	assert_memory_equal(&r->ifaces, &d->ifaces, sizeof(d->ifaces));
	assert_int_equal(r->backup_ifaces.n, 1);
	assert_memory_equal(&r->backup_ifaces, &d->backup_ifaces,
			    sizeof(d->backup_ifaces));
	assert_int_equal(r->exclude_ifaces.n, 1);
	assert_memory_equal(&r->exclude_ifaces, &d->exclude_ifaces,
			    sizeof(d->exclude_ifaces));
	assert_int_equal(r->dests.n, 1);
	assert_memory_equal(&r->dests, &d->dests, sizeof(d->dests));
	assert_int_equal(r->exclude_dests.n, 1);
	assert_memory_equal(&r->exclude_dests, &d->exclude_dests,
			    sizeof(d->exclude_dests));
	assert_int_equal(r->ports.n, 1);
	assert_memory_equal(&r->ports, &d->ports, sizeof(d->ports));
	assert_int_equal(r->exclude_ports.n, 1);
	assert_memory_equal(&r->exclude_ports, &d->exclude_ports,
			    sizeof(d->exclude_ports));
	mpa_policy_free(p);
}

/* Later files override earlier ones key by key; a bad one changes nothing. */
static void test_layering(void **state)
{
	static const char *const names[] = { "ok_program.ini", "override.ini",
					     "broken.ini" };
	static const char over[] = "[program curl]\nsubflows = 1\n"
				   "[default]\ninterfaces = eth9\n";
	static const char broken[] = "[program curl]\nsubflows = 7\n"
				     "ports = x\n";
	const char *texts[3];
	size_t lens[3];
	struct mpa_policy *p;

	(void)state;
	texts[0] = fixture_read(names[0], &lens[0]);
	texts[1] = over;
	lens[1] = sizeof(over) - 1;
	texts[2] = broken;
	lens[2] = sizeof(broken) - 1;
	p = mpa_policy_load_buffers(names, texts, lens, 3);
	free((char *)texts[0]);
	assert_non_null(p);
	assert_int_equal(p->nfiles, 2);
	assert_int_equal(p->nerrors, 1);
	assert_string_equal(p->programs[0].program, "curl");
	assert_int_equal(p->programs[0].subflows, 1);
	/* Keys the override did not touch keep the first file's values. */
	assert_string_equal(p->programs[0].ifaces.v[0].pat, "wlan0");
	assert_string_equal(p->def.ifaces.v[0].pat, "eth9");
	/* java inherits the new default interfaces. */
	assert_string_equal(p->programs[1].ifaces.v[0].pat, "eth9");
	mpa_policy_free(p);
}

/* The shipped example is a valid policy, with no warning. */
static void test_conf_example_is_clean(void **state)
{
	const char *name = "conf/policy.ini", *text;
	size_t len;
	struct mpa_policy *p;
	struct mpa_prog_id id = { .exe = "java" };

	(void)state;
	text = fixture_read_path(FIXTURES "/../../conf/policy.ini", &len);
	assert_non_null(text);
	p = mpa_policy_load_buffers(&name, &text, &len, 1);
	free((char *)text);
	assert_non_null(p);
	assert_int_equal(p->ndiags, 0);
	assert_int_equal(p->nprograms, 3);
	assert_int_equal(mpa_policy_program(p, &id)->mptcp, MPA_NO);
	mpa_policy_free(p);
}

static void test_builtin_defaults(void **state)
{
	struct mpa_policy *p = mpa_policy_load_buffers(NULL, NULL, NULL, 0);

	(void)state;
	assert_non_null(p);
	assert_int_equal(p->ndiags, 0);
	assert_int_equal(p->def.mptcp, MPA_YES);
	assert_int_equal(p->def.subflows, 2);
	assert_int_equal(p->def.skip_local, MPA_YES);
	assert_int_equal(p->def.reopen, MPA_YES);
	assert_int_equal(p->def.ifaces.n, 0);
	assert_string_equal(p->def.origin, "built-in");
	mpa_policy_free(p);
}

/* @n lines "@head<i>]", i from 0: section headers. */
static char *gen_text(const char *head, int n, size_t *len)
{
	size_t cap = (size_t)n * 48 + 256;
	char *text = malloc(cap);
	int i;

	assert_non_null(text);
	*len = 0;
	for (i = 0; i < n; i++)
		*len += (size_t)snprintf(text + *len, cap - *len, "%s%d]\n",
					 head, i);
	return text;
}

/*
 * Regression, unbounded diagnostics: 1 MiB of bad lines kept 524k
 * diagnostics (240 MB) and the shim logged every one of them at start.
 * At most MPA_DIAG_MAX are kept, then one line says how many more.
 */
static void test_diagnostics_capped(void **state)
{
	static const char *const names[] = { "first.ini", "second.ini" };
	const char *texts[2];
	size_t lens[2];
	struct mpa_policy *p;
	char *bad, buf[400];
	int i;

	(void)state;
	assert_int_equal(MPA_DIAG_MAX, 100);
	/* 1,000 lines with no '=': 1,000 errors, 1 "not applied". */
	bad = malloc(2000);
	assert_non_null(bad);
	for (i = 0; i < 1000; i++)
		memcpy(bad + 2 * i, "x\n", 2);
	texts[0] = bad;
	lens[0] = 2000;
	p = mpa_policy_load_buffers(names, texts, lens, 1);
	assert_non_null(p);
	assert_int_equal(p->ndiags, MPA_DIAG_MAX + 1);
	assert_int_equal(p->nerrors, 1000);
	assert_string_equal(mpa_diag_format(&p->diags[99], buf, sizeof(buf)),
			    "first.ini:100: error: expected 'key = value', a "
			    "[section] or a comment");
	assert_string_equal(mpa_diag_format(&p->diags[100], buf, sizeof(buf)),
			    "first.ini: warning: 901 more problems not shown "
			    "(only the first 100 are kept)");
	mpa_policy_free(p);

	/* Over several files: one line in all, at the first hidden one. */
	texts[0] = texts[1] = bad;
	lens[0] = lens[1] = 120; /* 60 errors + "not applied", each */
	p = mpa_policy_load_buffers(names, texts, lens, 2);
	assert_non_null(p);
	assert_int_equal(p->ndiags, MPA_DIAG_MAX + 1);
	assert_int_equal(p->nerrors, 120);
	assert_string_equal(mpa_diag_format(&p->diags[100], buf, sizeof(buf)),
			    "second.ini: warning: 22 more problems not shown "
			    "(only the first 100 are kept)");
	mpa_policy_free(p);

	/* Exactly the cap: every problem shown, no summary. */
	lens[0] = 198; /* 99 errors + "not applied" */
	p = mpa_policy_load_buffers(names, texts, lens, 1);
	assert_int_equal(p->ndiags, 100);
	assert_string_equal(mpa_diag_format(&p->diags[99], buf, sizeof(buf)),
			    "first.ini: warning: file not applied: 99 errors");
	mpa_policy_free(p);
	free(bad);
}

static void on_alarm(int sig)
{
	static const char msg[] = "loading 3,000 sections: alarm fired\n";

	(void)sig;
	if (write(2, msg, sizeof(msg) - 1) < 0)
		_exit(2);
	_exit(1);
}

/*
 * Regression, quadratic loading: each [program] header was compared with
 * every earlier rule, then with every section of its file, and each file
 * worked on a copy of all rules. A big generated policy, changed by a
 * second file and left alone by a broken third one, loads whole and
 * right; the alarm is a hang guard, not a timing.
 */
static void test_many_program_sections(void **state)
{
	static const char *const names[] = { "big.ini", "over.ini",
					     "broken.ini" };
	static const char tail[] = "[program last]\nsubflows = 7\n"
				   "interfaces = eth7\n";
	static const char over[] = "[program p2999]\nsubflows = 1\n"
				   "[program p5]\nsubflows = 3\n"
				   "[program new]\nsubflows = 4\n";
	struct mpa_prog_id id = { .exe = "last" };
	const struct mpa_rule *r;
	const char *texts[3];
	struct mpa_policy *p;
	size_t lens[3], len;
	char *text, *broken, want[32];
	int i;

	(void)state;
	text = gen_text("[program p", 3000, &len);
	text = realloc(text, len + sizeof(tail));
	assert_non_null(text);
	memcpy(text + len, tail, sizeof(tail));
	len += sizeof(tail) - 1;
	/* Overrides some, adds 500 new ones and sets [default], then fails. */
	broken = gen_text("[program q", 500, &lens[2]);
	broken = realloc(broken, lens[2] + 64);
	assert_non_null(broken);
	lens[2] += (size_t)snprintf(broken + lens[2], 64,
				    "[program p7]\nsubflows = 8\n[default]\n"
				    "subflows = 8\nx\n");
	texts[0] = text;
	lens[0] = len;
	texts[1] = over;
	lens[1] = sizeof(over) - 1;
	texts[2] = broken;

	signal(SIGALRM, on_alarm);
	alarm(20);
	p = mpa_policy_load_buffers(names, texts, lens, 3);
	alarm(0);
	free(text);
	free(broken);
	assert_non_null(p);
	assert_int_equal(p->nerrors, 1);
	assert_int_equal(p->nfiles, 2);
	assert_int_equal(p->nprograms, 3002);
	for (i = 0; i < 3000; i++) {
		snprintf(want, sizeof(want), "p%d", i);
		assert_string_equal(p->programs[i].program, want);
	}
	assert_string_equal(p->programs[3000].program, "last");
	assert_string_equal(p->programs[3001].program, "new");
	r = mpa_policy_program(p, &id);
	assert_ptr_equal(r, &p->programs[3000]);
	assert_int_equal(r->subflows, 7);
	assert_int_equal(r->ifaces.n, 1);
	assert_string_equal(r->ifaces.v[0].pat, "eth7");
	assert_string_equal(r->origin, "big.ini:3001");
	/* The second file changed its sections in place. */
	assert_int_equal(p->programs[2999].subflows, 1);
	assert_string_equal(p->programs[2999].origin, "over.ini:1");
	assert_int_equal(p->programs[5].subflows, 3);
	assert_int_equal(p->programs[3001].subflows, 4);
	/* The broken third file left nothing behind. */
	assert_int_equal(p->programs[7].subflows, 2);
	assert_string_equal(p->programs[7].origin, "big.ini:8");
	assert_int_equal(p->def.subflows, 2);
	assert_string_equal(p->def.origin, "built-in");
	mpa_policy_free(p);
}

/*
 * Each rule is a few KiB and every shimmed program loads the policy at
 * start: past MPA_MAX_PROGRAMS [program] sections a file is refused.
 */
static void test_program_section_limit(void **state)
{
	static const char *const names[] = { "a.ini", "b.ini" };
	const char *texts[2];
	struct mpa_policy *p;
	size_t lens[2];
	char buf[512];
	char *a, *b;

	(void)state;
	a = gen_text("[program a", MPA_MAX_PROGRAMS - 1, &lens[0]);
	b = gen_text("[program b", 2, &lens[1]);
	texts[0] = a;
	texts[1] = b;
	p = mpa_policy_load_buffers(names, texts, lens, 2);
	assert_non_null(p);
	/* The first file fits; the second would make one too many. */
	assert_int_equal(p->nfiles, 1);
	assert_int_equal(p->nprograms, MPA_MAX_PROGRAMS - 1);
	assert_int_equal(p->nerrors, 1);
	assert_string_equal(mpa_diag_format(&p->diags[0], buf, sizeof(buf)),
			    "b.ini:2: error: more than 4096 [program] "
			    "sections in all files");
	mpa_policy_free(p);
	free(a);
	free(b);
}

/*
 * A file with an error is undone: rules it changed get their old values
 * back, rules it added are gone, and a later file finds the names again.
 */
static void test_failed_layer_is_undone(void **state)
{
	static const char *const names[] = { "a.ini", "bad.ini", "c.ini" };
	static const char a[] = "[default]\ninterfaces = eth1\n"
				"[program curl]\nsubflows = 1\n";
	static const char c[] = "[program q3]\nsubflows = 5\n"
				"[program curl]\nreopen = yes\n";
	const char *texts[3];
	size_t lens[3];
	struct mpa_policy *p;
	char *bad;

	(void)state;
	/* 100 new sections grow the name index past its first size. */
	bad = gen_text("[program q", 100, &lens[1]);
	bad = realloc(bad, lens[1] + 80);
	assert_non_null(bad);
	lens[1] +=
		(size_t)snprintf(bad + lens[1], 80,
				 "[program curl]\nsubflows = 8\n"
				 "[default]\ninterfaces = eth9\nports = x\n");
	texts[0] = a;
	lens[0] = sizeof(a) - 1;
	texts[1] = bad;
	texts[2] = c;
	lens[2] = sizeof(c) - 1;
	p = mpa_policy_load_buffers(names, texts, lens, 3);
	free(bad);
	assert_non_null(p);
	assert_int_equal(p->nfiles, 2);
	assert_int_equal(p->nprograms, 2);
	assert_string_equal(p->programs[0].program, "curl");
	assert_int_equal(p->programs[0].subflows, 1);
	assert_int_equal(p->programs[0].reopen, MPA_YES);
	assert_string_equal(p->programs[0].origin, "c.ini:3");
	assert_string_equal(p->programs[1].program, "q3");
	assert_int_equal(p->programs[1].subflows, 5);
	assert_string_equal(p->def.ifaces.v[0].pat, "eth1");
	assert_string_equal(p->def.origin, "a.ini:1");
	mpa_policy_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_fixtures),
		cmocka_unit_test(test_ok_all_keys),
		cmocka_unit_test(test_ok_programs_inherit),
		cmocka_unit_test(test_ok_syntax_variants),
		cmocka_unit_test(test_other_ok_fixtures_load_clean),
		cmocka_unit_test(test_every_error_is_reported),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_line_numbers),
		cmocka_unit_test(test_name_limits),
		cmocka_unit_test(test_line_length),
		cmocka_unit_test(test_every_key_inherits),
		cmocka_unit_test(test_layering),
		cmocka_unit_test(test_builtin_defaults),
		cmocka_unit_test(test_conf_example_is_clean),
		cmocka_unit_test(test_diagnostics_capped),
		cmocka_unit_test(test_many_program_sections),
		cmocka_unit_test(test_program_section_limit),
		cmocka_unit_test(test_failed_layer_is_undone),
	};

	return cmocka_run_group_tests_name("policy-load", tests, NULL, NULL);
}

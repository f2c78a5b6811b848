// SPDX-License-Identifier: MIT
/*
 * mptcp-autod's narrowing of a system rule by a registration: worked
 * examples, then "never widens" over many random rules and narrowings,
 * judged by the engine's own resolver (eng_resolve_list) on a fake
 * machine's interfaces; and the interning of the results.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmn_narrow.h"
#include "eng_resolve.h"

/* "a,b" into a list (NULL: unset). */
static void set_list(struct mpa_iface_list *l, const char *csv)
{
	char buf[256], *p, *s;

	memset(l, 0, sizeof(*l));
	if (!csv)
		return;
	l->set = true;
	snprintf(buf, sizeof(buf), "%s", csv);
	s = buf;
	while ((p = strsep(&s, ",")) && *p)
		snprintf(l->v[l->n++].pat, IFNAMSIZ, "%s", p);
}

static void set_pats(char (*pats)[IFNAMSIZ], int *n, const char *csv)
{
	char buf[256], *p, *s;

	*n = 0;
	if (!csv)
		return;
	snprintf(buf, sizeof(buf), "%s", csv);
	s = buf;
	while ((p = strsep(&s, ",")) && *p)
		snprintf(pats[(*n)++], IFNAMSIZ, "%s", p);
}

static void list_str(const struct mpa_iface_list *l, char *buf, size_t len)
{
	size_t off = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < l->n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
					i ? "," : "", l->v[i].pat);
}

static void sys_rule(struct mpa_rule *r, const char *ifaces, const char *backup,
		     const char *exclude, int subflows)
{
	memset(r, 0, sizeof(*r));
	r->mptcp = MPA_YES;
	r->subflows = subflows;
	set_list(&r->ifaces, ifaces);
	set_list(&r->backup_ifaces, backup);
	set_list(&r->exclude_ifaces, exclude);
	snprintf(r->origin, sizeof(r->origin), "policy.ini:3");
}

/* A REGISTER narrowing by the user-* lines (NULL / -1: unsaid). */
static void msg(struct eng_wire_msg *m, const char *ifaces, const char *backup,
		int subflows)
{
	eng_wire_init(m, ENG_WIRE_REGISTER, 1);
	m->token = 1;
	set_pats(m->interfaces, &m->ninterfaces, ifaces);
	set_pats(m->backup, &m->nbackup, backup);
	m->user_subflows = subflows;
	m->narrow = ifaces || backup || subflows >= 0;
}

static const struct narrow_case {
	const char *sys_if, *sys_bk;
	int sys_sub;
	const char *u_if, *u_bk;
	int u_sub;
	const char *want_if, *want_bk;
	int want_sub;
} narrow_cases[] = {
	/* Nothing narrowed: the system rule as it is. */
	{ "eth*,wlan0", "usb0", 2, NULL, NULL, -1, "eth*,wlan0", "usb0", 2 },
	/* Fewer interfaces, by name or by the same pattern. */
	{ "eth*,wlan0", NULL, 2, "wlan0", NULL, -1, "wlan0", "", 2 },
	{ "eth*,wlan0", NULL, 2, "eth*", NULL, -1, "eth*", "", 2 },
	{ "eth*,wlan0", NULL, 2, "*", NULL, -1, "eth*,wlan0", "", 2 },
	/* A name within a system pattern: that name only. */
	{ "eth*,wlan0", NULL, 2, "eth1", NULL, -1, "eth1", "", 2 },
	/* A user wildcard covering a system name. */
	{ "eth1,wlan0", NULL, 2, "eth*", NULL, -1, "eth1", "", 2 },
	/* An interface the system does not give: never added. */
	{ "eth0", NULL, 2, "wlan0", NULL, -1, "", "", 2 },
	{ "eth0", NULL, 2, "eth0,wlan0", NULL, -1, "eth0", "", 2 },
	/* Two overlapping wildcards: dropped (narrower, never wider). */
	{ "eth*", NULL, 2, "eth1*", NULL, -1, "", "", 2 },
	/* Backup interfaces narrow alike, and stay backup. */
	{ "eth0", "usb*", 2, "usb0,eth0", NULL, -1, "eth0", "usb0", 2 },
	{ "eth0", "usb*", 2, "eth0", NULL, -1, "eth0", "", 2 },
	/* user-backup: regular becomes backup. */
	{ "eth0,wlan0", NULL, 2, NULL, "wlan0", -1, "eth0", "wlan0", 2 },
	{ "eth*", NULL, 2, NULL, "eth1", -1, "eth*", "eth1", 2 },
	{ "eth0,wlan*", NULL, 2, NULL, "wlan*", -1, "eth0", "wlan*", 2 },
	/* A backup pattern within a regular one: all of it backup. */
	{ "eth*", NULL, 2, NULL, "eth?", -1, "", "eth*", 2 },
	/* ... but not what it cannot name. */
	{ "eth*,wlan*", NULL, 2, NULL, "wlan?", -1, "eth*", "wlan*", 2 },
	/* user-backup naming what the system does not give adds nothing. */
	{ "eth0", NULL, 2, NULL, "wlan0", -1, "eth0", "", 2 },
	/* Backup never turns regular: the regular pattern that named the
	 * backup interface goes when the backup pattern went. */
	{ "eth1", "eth?", 2, "eth*", NULL, -1, "", "", 2 },
	{ "eth*", "eth1", 2, "eth1", NULL, -1, "eth1", "eth1", 2 },
	/* Subflows: the smaller cap; 0 means none. */
	{ "eth0", NULL, 2, NULL, NULL, 1, "eth0", "", 1 },
	{ "eth0", NULL, 2, NULL, NULL, 8, "eth0", "", 2 },
	{ "eth0", NULL, 2, NULL, NULL, 0, "eth0", "", 0 },
	{ "eth0", NULL, 0, NULL, NULL, 3, "eth0", "", 0 },
};

static void test_narrow_cases(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(narrow_cases) / sizeof(narrow_cases[0]); i++) {
		const struct narrow_case *c = &narrow_cases[i];
		struct mpa_rule sys, out;
		struct eng_wire_msg m;
		char got[256];

		print_message("case %zu\n", i);
		sys_rule(&sys, c->sys_if, c->sys_bk, NULL, c->sys_sub);
		msg(&m, c->u_if, c->u_bk, c->u_sub);
		eng_narrow_rule(&sys, &m, &out);
		list_str(&out.ifaces, got, sizeof(got));
		assert_string_equal(got, c->want_if);
		list_str(&out.backup_ifaces, got, sizeof(got));
		assert_string_equal(got, c->want_bk);
		assert_int_equal(out.subflows, c->want_sub);
		if (m.narrow)
			assert_non_null(strstr(out.origin, "narrowed"));
		else
			assert_string_equal(out.origin, sys.origin);
	}
}

/* ---- never widens: the engine's resolver on a fake machine -------------- */

static const char *const names[] = { "eth0",  "eth1", "eth2", "wlan0",
				     "wlan1", "c1",   "c2",   "usb0" };
#define NNAMES (int)(sizeof(names) / sizeof(names[0]))

static const char *const pool[] = { "eth0",  "eth1",  "eth*", "e?h1", "eth?",
				    "wlan0", "wlan*", "*",    "c2",   "c?",
				    "usb0",  "eth1*", "w*0",  "nope" };
#define NPOOL (int)(sizeof(pool) / sizeof(pool[0]))

struct machine {
	struct ifaddrs ifa[NNAMES];
	struct sockaddr_in addr[NNAMES];
};

static void machine_init(struct machine *mc)
{
	int i;

	memset(mc, 0, sizeof(*mc));
	for (i = 0; i < NNAMES; i++) {
		mc->addr[i].sin_family = AF_INET;
		mc->addr[i].sin_addr.s_addr = htonl(0x0a000001 + (i << 8));
		mc->ifa[i].ifa_name = (char *)names[i];
		mc->ifa[i].ifa_flags = IFF_UP;
		mc->ifa[i].ifa_addr = (struct sockaddr *)&mc->addr[i];
		mc->ifa[i].ifa_next = i + 1 < NNAMES ? &mc->ifa[i + 1] : NULL;
	}
}

enum use { USE_NONE, USE_REGULAR, USE_BACKUP };

/* What @r gives each interface, as the engine would resolve it. */
static void usage(const struct machine *mc, const struct mpa_rule *r,
		  enum use *out)
{
	struct mpa_decision d = { .rule = r,
				  .mptcp = true,
				  .open_subflows = true,
				  .max_subflows = 16 };
	struct mpa_local loc[16];
	int n, i, k;

	n = eng_resolve_list(&d, mc->ifa, AF_INET, NULL, loc, 16);
	for (i = 0; i < NNAMES; i++) {
		out[i] = USE_NONE;
		for (k = 0; k < n; k++)
			if (!strcmp(loc[k].ifname, names[i]))
				out[i] = loc[k].backup ? USE_BACKUP :
							 USE_REGULAR;
	}
}

static void random_pats(unsigned int *seed, char *buf, size_t len, int max)
{
	int n = rand_r(seed) % (max + 1), i;
	size_t off = 0;

	buf[0] = '\0';
	for (i = 0; i < n; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
					i ? "," : "",
					pool[rand_r(seed) % NPOOL]);
}

static bool any_match(char (*pats)[IFNAMSIZ], int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (mpa_glob_match(pats[i], name))
			return true;
	return false;
}

static void test_never_widens(void **state)
{
	unsigned int seed = 11;
	struct machine mc;
	int iter, i, narrowed_some = 0, kept_some = 0;

	(void)state;
	machine_init(&mc);
	for (iter = 0; iter < 20000; iter++) {
		char si[128], sb[128], sx[128], ui[128], ub[128];
		enum use before[NNAMES], after[NNAMES];
		struct mpa_rule sys, out;
		struct eng_wire_msg m;
		int usub;

		random_pats(&seed, si, sizeof(si), 4);
		random_pats(&seed, sb, sizeof(sb), 2);
		random_pats(&seed, sx, sizeof(sx), 1);
		random_pats(&seed, ui, sizeof(ui), 3);
		random_pats(&seed, ub, sizeof(ub), 2);
		usub = rand_r(&seed) % 5 - 1;
		sys_rule(&sys, si, sb, sx, rand_r(&seed) % 4);
		msg(&m, ui[0] ? ui : NULL, ub[0] ? ub : NULL, usub);
		eng_narrow_rule(&sys, &m, &out);
		usage(&mc, &sys, before);
		usage(&mc, &out, after);
		assert_true(out.subflows <= sys.subflows);
		if (usub >= 0)
			assert_true(out.subflows <= usub);
		for (i = 0; i < NNAMES; i++) {
			const char *nm = names[i];

			if (after[i] != before[i] &&
			    !(before[i] == USE_REGULAR &&
			      after[i] == USE_BACKUP) &&
			    after[i] != USE_NONE) {
				print_message("iter %d: %s %d -> %d: sys "
					      "if=%s bk=%s ex=%s, user if=%s "
					      "bk=%s\n",
					      iter, nm, before[i], after[i], si,
					      sb, sx, ui, ub);
				fail();
			}
			/* Not among the user's interfaces: unused. */
			if (m.ninterfaces &&
			    !any_match(m.interfaces, m.ninterfaces, nm))
				assert_int_equal(after[i], USE_NONE);
			/* Among the user's backups: not regular. */
			if (any_match(m.backup, m.nbackup, nm))
				assert_int_not_equal(after[i], USE_REGULAR);
			narrowed_some += after[i] != before[i];
			kept_some += after[i] != USE_NONE;
		}
	}
	/* The random cases did exercise both outcomes. */
	assert_true(narrowed_some > 1000);
	assert_true(kept_some > 1000);
}

/* ---- interning --------------------------------------------------------- */

/* Asking for more than the system gives is served narrowed, and said. */
static void test_widening_said(void **state)
{
	static const struct {
		const char *sys_if;
		int sys_sub;
		const char *u_if;
		int u_sub;
		const char *said; /* NULL: nothing to say */
	} cases[] = {
		{ "eth0", 2, "wlan0", -1, "interface wlan0 is not one" },
		{ "eth0", 2, "eth0,wlan9", -1, "interface wlan9 is not one" },
		{ "eth*", 2, "eth1*", -1, "interface eth1* is not one" },
		{ "eth0", 2, NULL, 5,
		  "5 subflows are more than the system "
		  "policy's 2" },
		{ "eth*,wlan0", 2, "eth1", -1, NULL },
		{ "eth0", 2, "*", 1, NULL },
		{ "eth0", 2, NULL, 2, NULL },
		{ "eth0", 2, NULL, -1, NULL },
	};
	struct eng_wire_msg m;
	struct mpa_rule sys;
	char why[200];
	size_t i;
	int got;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		sys_rule(&sys, cases[i].sys_if, NULL, NULL, cases[i].sys_sub);
		msg(&m, cases[i].u_if, NULL, cases[i].u_sub);
		why[0] = '\0';
		got = eng_narrow_widens(&sys, &m, why, sizeof(why));
		print_message("case %zu: %s\n", i, why);
		assert_int_equal(got, cases[i].said != NULL);
		if (cases[i].said) {
			assert_non_null(strstr(why, cases[i].said));
			assert_non_null(strstr(why, "policy.ini:3"));
		}
	}
}

/*
 * reopen: a user's "no" keeps lost subflows gone (a narrowing), a "yes"
 * over a system "no" is not granted and is said; interned apart.
 */
static void test_reopen(void **state)
{
	struct dmn_narrow_table *t = dmn_narrow_table_new();
	const struct mpa_rule *a, *b;
	struct eng_wire_msg m;
	struct mpa_rule sys, r;
	char why[200] = "";

	(void)state;
	sys_rule(&sys, "eth0", NULL, NULL, 2);
	sys.reopen = MPA_YES;
	msg(&m, NULL, NULL, -1);
	m.user_reopen = 0;
	m.narrow = true;
	eng_narrow_rule(&sys, &m, &r);
	assert_int_equal(r.reopen, MPA_NO);
	assert_int_equal(eng_narrow_widens(&sys, &m, why, sizeof(why)), 0);
	assert_int_equal(dmn_narrow_intern(t, &sys, &m, 7, &a), 0);
	m.user_subflows = 2; /* the same as the system's: only reopen differs */
	m.user_reopen = 1;
	assert_int_equal(dmn_narrow_intern(t, &sys, &m, 7, &b), 0);
	assert_ptr_not_equal(a, b);
	assert_int_equal(a->reopen, MPA_NO);
	assert_int_equal(b->reopen, MPA_YES);
	sys.reopen = MPA_NO;
	eng_narrow_rule(&sys, &m, &r);
	assert_int_equal(r.reopen, MPA_NO);
	assert_int_equal(eng_narrow_widens(&sys, &m, why, sizeof(why)), 1);
	assert_non_null(strstr(why, "reopen = yes"));
	dmn_narrow_table_free(t);
}

static void test_intern(void **state)
{
	struct dmn_narrow_table *t = dmn_narrow_table_new();
	const struct mpa_rule *a, *b, *c, *d;
	struct mpa_rule sys, sys2;
	struct eng_wire_msg m;

	(void)state;
	assert_non_null(t);
	sys_rule(&sys, "eth*,wlan0", NULL, NULL, 2);
	sys_rule(&sys2, "eth*,wlan0", NULL, NULL, 2);
	/* No narrowing: the system rule itself. */
	msg(&m, NULL, NULL, -1);
	assert_int_equal(dmn_narrow_intern(t, &sys, &m, 1000, &a), 0);
	assert_ptr_equal(a, &sys);
	assert_int_equal(dmn_narrow_count(t), 0);
	/* The same narrowing, the same pointer, whoever asks. */
	msg(&m, "wlan0", NULL, 1);
	assert_int_equal(dmn_narrow_intern(t, &sys, &m, 1000, &a), 0);
	assert_int_equal(dmn_narrow_intern(t, &sys, &m, 1001, &b), 0);
	assert_ptr_equal(a, b);
	assert_ptr_not_equal(a, &sys);
	assert_int_equal(a->subflows, 1);
	assert_string_equal(a->ifaces.v[0].pat, "wlan0");
	/* Another system rule (a reloaded policy): another copy. */
	assert_int_equal(dmn_narrow_intern(t, &sys2, &m, 1000, &c), 0);
	assert_ptr_not_equal(a, c);
	/* Two messages with one result: one copy. */
	msg(&m, "wlan0,nope", NULL, 1);
	assert_int_equal(dmn_narrow_intern(t, &sys, &m, 1000, &d), 0);
	assert_ptr_equal(a, d);
	assert_int_equal(dmn_narrow_count(t), 2);
	dmn_narrow_table_free(t);
}

/* Distinct results: system rule @i / 2, narrowed to @i % 2 subflows. */
static int intern_nth(struct dmn_narrow_table *t, struct mpa_rule *sys, int i,
		      uid_t uid, const struct mpa_rule **r)
{
	struct eng_wire_msg m;

	msg(&m, NULL, NULL, i % 2);
	return dmn_narrow_intern(t, &sys[i / 2], &m, uid, r);
}

static void test_intern_limits(void **state)
{
	struct dmn_narrow_table *t = dmn_narrow_table_new();
	int nsys = DMN_NARROW_MAX / 2 + 8, i, u;
	struct mpa_rule *sys = calloc((size_t)nsys, sizeof(*sys));
	const struct mpa_rule *r, *kept;

	(void)state;
	for (i = 0; i < nsys; i++)
		sys_rule(&sys[i], "eth0", NULL, NULL, 2);
	/* uid 7 takes its share, then is refused; uid 8 is still served. */
	for (i = 0; i < DMN_NARROW_PER_UID; i++)
		assert_int_equal(intern_nth(t, sys, i, 7, &r), 0);
	assert_int_equal(dmn_narrow_count(t), DMN_NARROW_PER_UID);
	assert_int_equal(intern_nth(t, sys, i, 7, &r), -ENOSPC);
	assert_int_equal(intern_nth(t, sys, i, 8, &kept), 0);
	/* What uid 8 made, uid 7 may use: nothing new is kept for it. */
	assert_int_equal(intern_nth(t, sys, i, 7, &r), 0);
	assert_ptr_equal(r, kept);
	/* Up to the table's size, then everyone is refused. */
	for (u = 9, i++; dmn_narrow_count(t) < DMN_NARROW_MAX; i++) {
		if (intern_nth(t, sys, i, (uid_t)u, &r) == -ENOSPC)
			u++, i--;
	}
	assert_int_equal(intern_nth(t, sys, i, 100, &r), -ENOSPC);
	/* What is there is still handed out. */
	assert_int_equal(intern_nth(t, sys, 0, 100, &r), 0);
	dmn_narrow_table_free(t);
	free(sys);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_narrow_cases),
		cmocka_unit_test(test_never_widens),
		cmocka_unit_test(test_widening_said),
		cmocka_unit_test(test_reopen),
		cmocka_unit_test(test_intern),
		cmocka_unit_test(test_intern_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: MIT
/* A system rule narrowed by a user's registration, and interned. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmn_narrow.h"

static bool has_wildcard(const char *p)
{
	return strpbrk(p, "*?") != NULL;
}

/* Does user pattern @u cover every name system pattern @s matches? */
static bool covers(const char *u, const char *s)
{
	return !strcmp(u, s) || !strcmp(u, "*") ||
	       (!has_wildcard(s) && mpa_glob_match(u, s));
}

static bool list_has(const struct mpa_iface_list *l, const char *p)
{
	int i;

	for (i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].pat, p))
			return true;
	return false;
}

/* Append @p unless there, or full (dropping one only narrows). */
static void list_add(struct mpa_iface_list *l, const char *p)
{
	if (list_has(l, p) || l->n == MPA_MAX_IFACES)
		return;
	snprintf(l->v[l->n++].pat, sizeof(l->v[0].pat), "%s", p);
}

static bool pats_cover(const char (*pats)[IFNAMSIZ], int n, const char *s)
{
	int i;

	for (i = 0; i < n; i++)
		if (covers(pats[i], s))
			return true;
	return false;
}

/*
 * The part of @in that the user's patterns allow, in @in's order: each
 * system pattern they cover, else the user's plain names it matches.
 */
static void keep_allowed(const struct mpa_iface_list *in,
			 const struct eng_wire_msg *m,
			 struct mpa_iface_list *out)
{
	int i, j;

	out->n = 0;
	for (i = 0; i < in->n; i++) {
		const char *s = in->v[i].pat;

		if (pats_cover(m->interfaces, m->ninterfaces, s)) {
			list_add(out, s);
			continue;
		}
		for (j = 0; j < m->ninterfaces; j++)
			if (!has_wildcard(m->interfaces[j]) &&
			    mpa_glob_match(s, m->interfaces[j]))
				list_add(out, m->interfaces[j]);
	}
}

/* Length of the plain text after @p's last wildcard. */
static size_t plain_tail(const char *p)
{
	size_t n = strlen(p), t = 0;

	while (t < n && !strchr("*?", p[n - 1 - t]))
		t++;
	return t;
}

/*
 * May a name match both @p and @b? Exact when either is a plain name; two
 * wildcard patterns overlap unless their plain beginnings or ends differ
 * (taken to overlap when unsure: narrower when wrong).
 */
static bool may_overlap(const char *p, const char *b)
{
	size_t n, tp, tb;

	if (!has_wildcard(p))
		return mpa_glob_match(b, p);
	if (!has_wildcard(b))
		return mpa_glob_match(p, b);
	n = strcspn(p, "*?");
	if (strcspn(b, "*?") < n)
		n = strcspn(b, "*?");
	if (strncmp(p, b, n))
		return false;
	tp = plain_tail(p);
	tb = plain_tail(b);
	n = tp < tb ? tp : tb;
	return !n || !strcmp(p + strlen(p) - n, b + strlen(b) - n);
}

/*
 * Named in both lists, backup wins (docs/policy.md): an interface the
 * system makes backup must not become regular because the user's patterns
 * kept a regular pattern naming it but not the backup one. Such a regular
 * pattern is dropped, unless every name it shares with a system backup
 * pattern is still backup.
 */
static void keep_backup_winning(struct mpa_rule *r, const struct mpa_rule *sys)
{
	struct mpa_iface_list kept = { .set = r->ifaces.set };
	int i, j;

	for (i = 0; i < r->ifaces.n; i++) {
		const char *p = r->ifaces.v[i].pat;
		bool ok = true;

		for (j = 0; ok && j < sys->backup_ifaces.n; j++) {
			const char *b = sys->backup_ifaces.v[j].pat;

			if (may_overlap(p, b) &&
			    !list_has(&r->backup_ifaces, b) &&
			    (has_wildcard(p) ||
			     !list_has(&r->backup_ifaces, p)))
				ok = false;
		}
		if (ok)
			list_add(&kept, p);
	}
	r->ifaces = kept;
}

/*
 * user-backup: a regular pattern the user's backup patterns cover moves
 * to backup; a plain name within one becomes a backup entry of its own
 * (named in both lists, backup wins). A backup pattern that only partly
 * overlaps a regular one makes all of it backup, and a pattern whose plain
 * name found no room among the backups is dropped: never left regular.
 */
static void make_backup(struct mpa_rule *r, const struct eng_wire_msg *m)
{
	struct mpa_iface_list regular = { .set = r->ifaces.set };
	int i, j;

	for (i = 0; i < r->ifaces.n; i++) {
		const char *s = r->ifaces.v[i].pat;
		bool whole = false, lost = false;

		for (j = 0; j < m->nbackup && !whole; j++) {
			const char *u = m->backup[j];

			if (covers(u, s) ||
			    (has_wildcard(u) && may_overlap(s, u)))
				whole = true;
			else if (!has_wildcard(u) && mpa_glob_match(s, u)) {
				list_add(&r->backup_ifaces, u);
				lost |= !list_has(&r->backup_ifaces, u);
			}
		}
		if (whole)
			list_add(&r->backup_ifaces, s); /* no room: dropped */
		else if (!lost)
			list_add(&regular, s);
	}
	r->ifaces = regular;
	r->backup_ifaces.set = r->backup_ifaces.set || r->backup_ifaces.n;
}

void dmn_narrow_rule(const struct mpa_rule *sys, const struct eng_wire_msg *m,
		     struct mpa_rule *out)
{
	struct mpa_iface_list l;

	*out = *sys;
	if (!m->narrow)
		return;
	if (m->ninterfaces > 0) {
		keep_allowed(&sys->ifaces, m, &l);
		l.set = sys->ifaces.set;
		out->ifaces = l;
		keep_allowed(&sys->backup_ifaces, m, &l);
		l.set = sys->backup_ifaces.set;
		out->backup_ifaces = l;
		keep_backup_winning(out, sys);
	}
	if (m->nbackup > 0)
		make_backup(out, m);
	if (m->user_subflows >= 0 && m->user_subflows < out->subflows)
		out->subflows = m->user_subflows;
	/* Subflows that stay gone once lost: fewer, never more. */
	if (m->user_reopen == 0)
		out->reopen = MPA_NO;
	snprintf(out->origin, sizeof(out->origin), "%.*s, narrowed by the user",
		 (int)sizeof(out->origin) - 32, sys->origin);
}

int dmn_narrow_widens(const struct mpa_rule *sys, const struct eng_wire_msg *m,
		      char *why, size_t len)
{
	struct eng_wire_msg one;
	struct mpa_rule r;
	int i;

	if (!m->narrow)
		return 0;
	for (i = 0; i < m->ninterfaces; i++) {
		/* This pattern alone: does it keep anything? */
		one = *m;
		one.ninterfaces = 1;
		memcpy(one.interfaces[0], m->interfaces[i],
		       sizeof(one.interfaces[0]));
		one.nbackup = 0;
		one.user_subflows = -1;
		dmn_narrow_rule(sys, &one, &r);
		if (r.ifaces.n == 0 && r.backup_ifaces.n == 0) {
			snprintf(why, len,
				 "your policy's interface %s is not one the "
				 "system policy (%s) gives this program: not "
				 "used",
				 m->interfaces[i], sys->origin);
			return 1;
		}
	}
	if (m->user_reopen == 1 && sys->reopen == MPA_NO) {
		snprintf(why, len,
			 "your policy's reopen = yes is more than the system "
			 "policy gives (%s): lost subflows stay gone",
			 sys->origin);
		return 1;
	}
	if (sys->subflows >= 0 && m->user_subflows > sys->subflows) {
		snprintf(why, len,
			 "your policy's %d subflows are more than the system "
			 "policy's %d (%s): %d used",
			 m->user_subflows, sys->subflows, sys->origin,
			 sys->subflows);
		return 1;
	}
	return 0;
}

struct narrowed {
	const struct mpa_rule *sys;
	uid_t uid;
	struct mpa_rule rule;
};

struct dmn_narrow_table {
	struct narrowed *v[DMN_NARROW_MAX];
	int n;
};

struct dmn_narrow_table *dmn_narrow_table_new(void)
{
	return calloc(1, sizeof(struct dmn_narrow_table));
}

static bool list_equal(const struct mpa_iface_list *a,
		       const struct mpa_iface_list *b)
{
	int i;

	if (a->set != b->set || a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (strcmp(a->v[i].pat, b->v[i].pat))
			return false;
	return true;
}

/* Only what narrowing changes decides whether two results are one. */
static bool same_result(const struct mpa_rule *a, const struct mpa_rule *b)
{
	return a->subflows == b->subflows && a->reopen == b->reopen &&
	       list_equal(&a->ifaces, &b->ifaces) &&
	       list_equal(&a->backup_ifaces, &b->backup_ifaces);
}

int dmn_narrow_intern(struct dmn_narrow_table *t, const struct mpa_rule *sys,
		      const struct eng_wire_msg *m, uid_t uid,
		      const struct mpa_rule **out)
{
	struct narrowed *e;
	struct mpa_rule r;
	int i, mine = 0;

	if (!m->narrow) {
		*out = sys;
		return 0;
	}
	dmn_narrow_rule(sys, m, &r);
	for (i = 0; i < t->n; i++) {
		e = t->v[i];
		if (e->sys == sys && same_result(&e->rule, &r)) {
			*out = &e->rule;
			return 0;
		}
		mine += e->uid == uid;
	}
	/*
	 * One user cannot take every slot from the others; past the limits
	 * the registration is refused (one path), never served wider.
	 */
	if (t->n == DMN_NARROW_MAX || mine >= DMN_NARROW_PER_UID)
		return -ENOSPC;
	e = malloc(sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->sys = sys;
	e->uid = uid;
	e->rule = r;
	t->v[t->n++] = e;
	*out = &e->rule;
	return 0;
}

int dmn_narrow_count(const struct dmn_narrow_table *t)
{
	return t->n;
}

const struct mpa_rule *dmn_narrow_rule_at(const struct dmn_narrow_table *t,
					  int i)
{
	return &t->v[i]->rule;
}

void dmn_narrow_table_free(struct dmn_narrow_table *t)
{
	int i;

	if (!t)
		return;
	for (i = 0; i < t->n; i++)
		free(t->v[i]);
	free(t);
}

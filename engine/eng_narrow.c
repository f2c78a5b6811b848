// SPDX-License-Identifier: MIT
/*
 * A user's narrowing of a system rule under mptcp-autod, both halves,
 * pure: the shim builds it from the user's rule, the daemon applies it,
 * and `mptcp-auto explain` does both to say what a program gets.
 */
#include <stdio.h>
#include <string.h>

#include "eng_narrow.h"

bool eng_narrow_none(const struct mpa_rule *user, const struct sockaddr *dst)
{
	if (user->mptcp == MPA_NO || user->subflows == 0)
		return true;
	if (user->ifaces.set && !user->ifaces.n &&
	    !(user->backup_ifaces.set && user->backup_ifaces.n))
		return true;
	return !mpa_rule_dest_allowed(user, dst, NULL);
}

/*
 * Append @list's names to @out (*@n of them so far), each once; returns
 * the lost bits.
 */
static unsigned int put_names(const struct mpa_iface_list *list,
			      char (*out)[IFNAMSIZ], int *n)
{
	unsigned int lost = 0;
	int i, j;

	for (i = 0; i < list->n; i++) {
		const char *pat = list->v[i].pat;

		if (!eng_wire_pattern_ok(pat)) {
			lost |= ENG_NARROW_LOST_PATTERN;
			continue;
		}
		for (j = 0; j < *n && strcmp(out[j], pat); j++)
			;
		if (j < *n)
			continue;
		if (*n == ENG_WIRE_MAX_PATTERNS) {
			lost |= ENG_NARROW_LOST_COUNT;
			continue;
		}
		strcpy(out[(*n)++], pat);
	}
	return lost;
}

unsigned int eng_narrow_build(const struct mpa_rule *user,
			      const struct sockaddr *dst,
			      struct eng_wire_msg *m)
{
	const struct mpa_iface_list *backup = &user->backup_ifaces;
	unsigned int lost = 0;

	if (eng_narrow_none(user, dst)) {
		m->narrow = true;
		m->user_subflows = 0;
		return 0;
	}
	if (user->subflows > 0) {
		m->narrow = true;
		m->user_subflows = user->subflows;
	}
	if (user->ifaces.set) {
		lost |= put_names(&user->ifaces, m->interfaces,
				  &m->ninterfaces);
		if (backup->set)
			lost |= put_names(backup, m->interfaces,
					  &m->ninterfaces);
		m->narrow = true;
		/* Named, but none can be said: nothing is the narrow side. */
		if (!m->ninterfaces)
			m->user_subflows = 0;
	}
	if (backup->set && backup->n) {
		lost |= put_names(backup, m->backup, &m->nbackup);
		m->narrow = true;
	}
	if (user->reopen != MPA_UNSET) {
		m->user_reopen = user->reopen == MPA_YES;
		m->narrow = true;
	}
	if (user->exclude_ifaces.set && user->exclude_ifaces.n)
		lost |= ENG_NARROW_LOST_EXCLUDE;
	return lost;
}

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

void eng_narrow_rule(const struct mpa_rule *sys, const struct eng_wire_msg *m,
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

int eng_narrow_widens(const struct mpa_rule *sys, const struct eng_wire_msg *m,
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
		eng_narrow_rule(sys, &one, &r);
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

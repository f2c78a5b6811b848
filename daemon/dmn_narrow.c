// SPDX-License-Identifier: MIT
/* Narrowed rules, interned for the engine (engine/eng_narrow narrows). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmn_narrow.h"

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
	eng_narrow_rule(sys, m, &r);
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

// SPDX-License-Identifier: MIT
/* The policy in force and the replaced ones its connections still use. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "dmn_policies.h"

struct gen {
	struct mpa_policy *policy;
	struct dmn_narrow_table *narrow;
};

struct dmn_policies {
	struct gen cur;
	struct gen *old; /* replaced, oldest first */
	int nold;
};

static void gen_free(struct gen *g)
{
	dmn_narrow_table_free(g->narrow);
	mpa_policy_free(g->policy);
}

struct dmn_policies *dmn_policies_new(struct mpa_policy *p)
{
	struct dmn_policies *ps = calloc(1, sizeof(*ps));

	if (!ps)
		return NULL;
	ps->cur.narrow = dmn_narrow_table_new();
	if (!ps->cur.narrow) {
		free(ps);
		return NULL;
	}
	ps->cur.policy = p;
	return ps;
}

struct mpa_policy *dmn_policies_current(const struct dmn_policies *ps)
{
	return ps->cur.policy;
}

struct dmn_narrow_table *dmn_policies_narrow(const struct dmn_policies *ps)
{
	return ps->cur.narrow;
}

int dmn_policies_replace(struct dmn_policies *ps, struct mpa_policy *p)
{
	struct dmn_narrow_table *t = dmn_narrow_table_new();
	struct gen *old;

	if (!t)
		return -ENOMEM;
	old = realloc(ps->old, sizeof(*old) * (size_t)(ps->nold + 1));
	if (!old) {
		dmn_narrow_table_free(t);
		return -ENOMEM;
	}
	ps->old = old;
	ps->old[ps->nold++] = ps->cur;
	ps->cur.policy = p;
	ps->cur.narrow = t;
	return 0;
}

int dmn_policies_retired(const struct dmn_policies *ps)
{
	return ps->nold;
}

static int by_address(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t) * (const struct mpa_rule *const *)a;
	uintptr_t y = (uintptr_t) * (const struct mpa_rule *const *)b;

	return x < y ? -1 : x > y;
}

/* Is one of sorted @v[@n] within [@lo, @hi)? */
static bool any_within(const struct mpa_rule **v, int n,
		       const struct mpa_rule *lo, const struct mpa_rule *hi)
{
	int a = 0, b = n;

	/* The first at or above @lo. */
	while (a < b) {
		int m = a + (b - a) / 2;

		if ((uintptr_t)v[m] < (uintptr_t)lo)
			a = m + 1;
		else
			b = m;
	}
	return a < n && (uintptr_t)v[a] < (uintptr_t)hi;
}

static bool gen_in_use(const struct gen *g, const struct mpa_rule **v, int n)
{
	const struct mpa_policy *p = g->policy;
	int i;

	if (any_within(v, n, &p->def, &p->def + 1) ||
	    (p->nprograms &&
	     any_within(v, n, p->programs, p->programs + p->nprograms)))
		return true;
	for (i = 0; i < dmn_narrow_count(g->narrow); i++) {
		const struct mpa_rule *r = dmn_narrow_rule_at(g->narrow, i);

		if (any_within(v, n, r, r + 1))
			return true;
	}
	return false;
}

int dmn_policies_release(struct dmn_policies *ps, const struct mpa_rule **inuse,
			 int n)
{
	int i, kept = 0, freed;

	if (!ps->nold)
		return 0;
	if (n > 0)
		qsort(inuse, (size_t)n, sizeof(*inuse), by_address);
	for (i = 0; i < ps->nold; i++) {
		if (gen_in_use(&ps->old[i], inuse, n))
			ps->old[kept++] = ps->old[i];
		else
			gen_free(&ps->old[i]);
	}
	freed = ps->nold - kept;
	ps->nold = kept;
	if (!kept) {
		free(ps->old);
		ps->old = NULL;
	}
	return freed;
}

void dmn_policies_free(struct dmn_policies *ps)
{
	int i;

	if (!ps)
		return;
	gen_free(&ps->cur);
	for (i = 0; i < ps->nold; i++)
		gen_free(&ps->old[i]);
	free(ps->old);
	free(ps);
}

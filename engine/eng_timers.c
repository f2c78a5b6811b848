// SPDX-License-Identifier: MIT
/*
 * The engine's timers (eng_timers.h): a binary min-heap by due time.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "eng_timers.h"

static bool before(const struct eng_timer *a, const struct eng_timer *b)
{
	return a->due < b->due;
}

/*
 * A bigger array: filled before it is published, published before its
 * size, the old one freed last (as eng_index_fit(), for fork()).
 */
static int grow(struct eng_timers *t)
{
	int cap = t->cap ? t->cap * 2 : 64;
	struct eng_timer *n = malloc((size_t)cap * sizeof(*n)), *old = t->v;

	if (!n)
		return -ENOMEM;
	if (t->n)
		memcpy(n, old, (size_t)t->n * sizeof(*n));
	__atomic_store_n(&t->v, n, __ATOMIC_RELEASE);
	__atomic_store_n(&t->cap, cap, __ATOMIC_RELEASE);
	free(old);
	return 0;
}

int eng_timers_add(struct eng_timers *t, int64_t due, uint32_t token)
{
	struct eng_timer e = { .due = due, .token = token };
	int i;

	if (t->n == t->cap && grow(t))
		return -ENOMEM;
	for (i = t->n++; i > 0 && before(&e, &t->v[(i - 1) / 2]);
	     i = (i - 1) / 2)
		t->v[i] = t->v[(i - 1) / 2];
	t->v[i] = e;
	return 0;
}

int64_t eng_timers_next(const struct eng_timers *t)
{
	return t->n ? t->v[0].due : -1;
}

bool eng_timers_pop_due(struct eng_timers *t, int64_t now,
			struct eng_timer *out)
{
	struct eng_timer last;
	int i = 0, c;

	if (!t->n || t->v[0].due > now)
		return false;
	*out = t->v[0];
	last = t->v[--t->n];
	for (;;) {
		c = 2 * i + 1;
		if (c >= t->n)
			break;
		if (c + 1 < t->n && before(&t->v[c + 1], &t->v[c]))
			c++;
		if (!before(&t->v[c], &last))
			break;
		t->v[i] = t->v[c];
		i = c;
	}
	if (t->n)
		t->v[i] = last;
	return true;
}

void eng_timers_clear(struct eng_timers *t)
{
	t->n = 0;
}

void eng_timers_forget(struct eng_timers *t)
{
	t->n = 0;
}

void eng_timers_free(struct eng_timers *t)
{
	free(t->v);
	memset(t, 0, sizeof(*t));
}

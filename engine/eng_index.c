// SPDX-License-Identifier: MIT
/*
 * Connections by token (eng_index.h): open addressing, linear probing,
 * backward-shift removal.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "eng_index.h"

/* Tokens are random already; the multiply spreads runs of near ones. */
static unsigned int home(uint32_t token, unsigned int mask)
{
	return (unsigned int)((token * 2654435761u) >> 7) & mask;
}

static void insert(struct eng_index_slot *slots, unsigned int mask,
		   uint32_t token, int pos)
{
	unsigned int i = home(token, mask);

	while (slots[i].token && slots[i].token != token)
		i = (i + 1) & mask;
	slots[i].token = token;
	slots[i].pos = pos;
}

int eng_index_fit(struct eng_index *x, int count)
{
	unsigned int size = 64, i, mask = x->mask;
	struct eng_index_slot *n, *old = x->slots;

	while (size < (unsigned int)count * 2)
		size *= 2;
	if (old && size <= mask + 1)
		return 0;
	n = calloc(size, sizeof(*n));
	if (!n)
		return -ENOMEM;
	for (i = 0; old && i <= mask; i++)
		if (old[i].token)
			insert(n, size - 1, old[i].token, old[i].pos);
	__atomic_store_n(&x->slots, n, __ATOMIC_RELEASE);
	__atomic_store_n(&x->mask, size - 1, __ATOMIC_RELEASE);
	free(old);
	return 0;
}

int eng_index_get(const struct eng_index *x, uint32_t token)
{
	unsigned int i;

	if (!x->slots || !token)
		return -1;
	for (i = home(token, x->mask); x->slots[i].token; i = (i + 1) & x->mask)
		if (x->slots[i].token == token)
			return x->slots[i].pos;
	return -1;
}

void eng_index_put(struct eng_index *x, uint32_t token, int pos)
{
	if (!token || !x->slots)
		return;
	if (eng_index_get(x, token) < 0)
		x->n++;
	insert(x->slots, x->mask, token, pos);
}

void eng_index_del(struct eng_index *x, uint32_t token)
{
	unsigned int i, j, h;

	if (!token || !x->slots)
		return;
	for (i = home(token, x->mask); x->slots[i].token != token;
	     i = (i + 1) & x->mask)
		if (!x->slots[i].token)
			return;
	x->n--;
	/*
	 * Shift back every later entry of the run that may sit in the hole:
	 * one whose home is not cyclically in (i, j].
	 */
	for (j = (i + 1) & x->mask; x->slots[j].token; j = (j + 1) & x->mask) {
		h = home(x->slots[j].token, x->mask);
		if (i <= j ? (i < h && h <= j) : (i < h || h <= j))
			continue;
		x->slots[i] = x->slots[j];
		i = j;
	}
	x->slots[i].token = 0;
}

void eng_index_forget(struct eng_index *x)
{
	struct eng_index_slot *s = __atomic_load_n(&x->slots, __ATOMIC_ACQUIRE);
	unsigned int mask = __atomic_load_n(&x->mask, __ATOMIC_ACQUIRE);

	if (s)
		memset(s, 0, ((size_t)mask + 1) * sizeof(*s));
	x->n = 0;
}

void eng_index_free(struct eng_index *x)
{
	free(x->slots);
	memset(x, 0, sizeof(*x));
}

// SPDX-License-Identifier: MIT
/* A client's identity while its command line is read: states, deadlines. */
#include <errno.h>
#include <stdlib.h>

#include "dmn_ident.h"

enum dmn_ident_state dmn_ident_next(enum dmn_ident_state s,
				    enum dmn_ident_event ev)
{
	if (s != DMN_IDENT_PENDING)
		return s;
	return ev == DMN_IDENT_EV_READ ? DMN_IDENT_KNOWN : DMN_IDENT_PARTIAL;
}

bool dmn_ident_serves(enum dmn_ident_state s)
{
	return s != DMN_IDENT_PENDING;
}

void dmn_ident_book_init(struct dmn_ident_book *b, int deadline_ms)
{
	*b = (struct dmn_ident_book){ .deadline_ms = deadline_ms };
}

void dmn_ident_book_fini(struct dmn_ident_book *b)
{
	free(b->v);
	b->v = NULL;
	b->n = b->cap = b->head = 0;
}

static struct dmn_ident_ask *at(const struct dmn_ident_book *b, int i)
{
	return &b->v[(b->head + i) % b->cap];
}

/* Twice the room, the ring unrolled. 0 or -ENOMEM (the old one stays). */
static int grow(struct dmn_ident_book *b)
{
	int cap = b->cap ? 2 * b->cap : 16, i;
	struct dmn_ident_ask *v = malloc(sizeof(*v) * (size_t)cap);

	if (!v)
		return -ENOMEM;
	for (i = 0; i < b->n; i++)
		v[i] = *at(b, i);
	free(b->v);
	b->v = v;
	b->cap = cap;
	b->head = 0;
	return 0;
}

int dmn_ident_book_ask(struct dmn_ident_book *b, uint64_t id, int64_t now)
{
	if (b->stuck)
		return -EBUSY;
	if (b->n == b->cap && grow(b))
		return -ENOMEM;
	/* One deadline for all: the ring stays in deadline order. */
	*at(b, b->n++) =
		(struct dmn_ident_ask){ .id = id,
					.deadline = now + b->deadline_ms };
	return 0;
}

static void pop(struct dmn_ident_book *b)
{
	b->head = (b->head + 1) % b->cap;
	b->n--;
}

enum dmn_ident_answer dmn_ident_book_answered(struct dmn_ident_book *b,
					      uint64_t id, int64_t now,
					      int64_t *stuck_ms)
{
	int i;

	if (b->stuck && id == b->stuck_id) {
		b->stuck = false;
		*stuck_ms = now - b->stuck_since;
		return DMN_IDENT_ANSWER_BACK;
	}
	/* The reader answers in order: the oldest, unless it was given up. */
	for (i = 0; i < b->n; i++) {
		if (at(b, i)->id != id)
			continue;
		for (; i > 0; i--)
			*at(b, i) = *at(b, i - 1);
		pop(b);
		return DMN_IDENT_ANSWER_READ;
	}
	return DMN_IDENT_ANSWER_STALE;
}

enum dmn_ident_due dmn_ident_book_due(struct dmn_ident_book *b, int64_t now,
				      uint64_t *id)
{
	if (!b->n)
		return DMN_IDENT_DUE_NONE;
	*id = at(b, 0)->id;
	/* Behind a stuck read: no use waiting for it. */
	if (b->stuck) {
		pop(b);
		return DMN_IDENT_DUE_BEHIND;
	}
	if (at(b, 0)->deadline > now)
		return DMN_IDENT_DUE_NONE;
	/*
	 * The oldest is late: the reader is in its read, or was not even
	 * given the time to start it; either way it stays the reader's, and
	 * nothing is asked of the reader until it returns.
	 */
	pop(b);
	b->stuck = true;
	b->stuck_id = *id;
	b->stuck_since = now;
	return DMN_IDENT_DUE_STUCK;
}

int dmn_ident_book_timeout(const struct dmn_ident_book *b, int64_t now)
{
	int64_t left;

	if (!b->n)
		return -1;
	if (b->stuck)
		return 0;
	left = at(b, 0)->deadline - now;
	return left < 0		     ? 0 :
	       left > b->deadline_ms ? b->deadline_ms :
				       (int)left;
}

int dmn_ident_book_pending(const struct dmn_ident_book *b)
{
	return b->n;
}

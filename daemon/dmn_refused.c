// SPDX-License-Identifier: MIT
/* The joins a peer refused, per connection still open, for STATE. */
#include <errno.h>
#include <string.h>

#include "dmn_refused.h"

static int find(const struct dmn_refused *t, uint32_t token)
{
	int i;

	for (i = 0; i < t->n; i++)
		if (t->v[i].token == token)
			return i;
	return -1;
}

void dmn_refused_event(struct dmn_refused *t, const struct mptcplib_event *ev)
{
	int i = find(t, ev->token);

	if (ev->type == MPTCPLIB_EVENT_CLOSED && i >= 0) {
		memmove(&t->v[i], &t->v[i + 1],
			(size_t)(t->n - i - 1) * sizeof(t->v[0]));
		t->n--;
		t->next = 0;
		return;
	}
	/* A join we asked for, answered by a reset: no listener took it. */
	if (ev->type != MPTCPLIB_EVENT_SUB_CLOSED ||
	    ev->error != ECONNREFUSED || ev->server_side)
		return;
	if (i >= 0) {
		t->v[i].count++;
		return;
	}
	if (t->n < ENG_WIRE_MAX_REFUSED) {
		i = t->n++;
	} else {
		/* Full: the oldest goes (slots fill in order, then rotate). */
		i = (int)(t->next++ % ENG_WIRE_MAX_REFUSED);
	}
	t->v[i] = (struct eng_wire_refused){ ev->token, 1 };
}

void dmn_refused_fill(const struct dmn_refused *t, struct eng_wire_msg *m)
{
	m->nrefused = t->n;
	memcpy(m->refused, t->v, sizeof(t->v[0]) * (size_t)t->n);
}

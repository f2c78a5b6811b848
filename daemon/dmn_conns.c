// SPDX-License-Identifier: MIT
/*
 * The namespace's connections by token (open addressing), and the queue
 * of those whose registration grace runs out.
 */
#include <stdlib.h>
#include <string.h>

#include "dmn_conns.h"

struct grace {
	uint32_t token;
	int64_t due;
};

struct dmn_conns {
	struct dmn_conn *slots; /* 2 * max, linear probing */
	unsigned int mask;
	int n, max;
	/* ESTABLISHED events in time order: a ring of max entries. */
	struct grace *ring;
	unsigned int head, len;
};

struct dmn_conns *dmn_conns_new(int max)
{
	struct dmn_conns *t;

	if (max <= 0 || (max & (max - 1)))
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->slots = calloc((size_t)max * 2, sizeof(*t->slots));
	t->ring = calloc((size_t)max, sizeof(*t->ring));
	if (!t->slots || !t->ring) {
		dmn_conns_free(t);
		return NULL;
	}
	t->mask = (unsigned int)max * 2 - 1;
	t->max = max;
	return t;
}

void dmn_conns_free(struct dmn_conns *t)
{
	if (!t)
		return;
	free(t->slots);
	free(t->ring);
	free(t);
}

/* Tokens are random already; this only spreads neighbours. */
static unsigned int slot_of(const struct dmn_conns *t, uint32_t token)
{
	return (token * 2654435761u) & t->mask;
}

struct dmn_conn *dmn_conns_find(struct dmn_conns *t, uint32_t token)
{
	unsigned int i;

	if (!token)
		return NULL;
	for (i = slot_of(t, token); t->slots[i].token; i = (i + 1) & t->mask)
		if (t->slots[i].token == token)
			return &t->slots[i];
	return NULL;
}

/* Free slot @c, moving back the entries of the run after it. */
static void conn_remove(struct dmn_conns *t, struct dmn_conn *c)
{
	unsigned int hole = (unsigned int)(c - t->slots), i, home;

	memset(c, 0, sizeof(*c));
	t->n--;
	for (i = (hole + 1) & t->mask; t->slots[i].token;
	     i = (i + 1) & t->mask) {
		home = slot_of(t, t->slots[i].token);
		/* Movable when its home is not in (hole, i], cyclically. */
		if (((i - home) & t->mask) >= ((i - hole) & t->mask)) {
			t->slots[hole] = t->slots[i];
			memset(&t->slots[i], 0, sizeof(t->slots[i]));
			hole = i;
		}
	}
}

/* A finished entry may go: registered, reported, or waiting for ages. */
static bool evictable(const struct dmn_conn *c, int64_t now)
{
	if (c->waiting)
		return now - c->waiting_since >= DMN_WAIT_MS;
	return c->registered || c->reported;
}

static struct dmn_conn *conn_add(struct dmn_conns *t, uint32_t token,
				 int64_t now)
{
	unsigned int i;

	if (t->n == t->max) {
		struct dmn_conn *oldest = NULL;

		/* CLOSED events can be lost: make room from what is done. */
		for (i = 0; i <= t->mask; i++) {
			struct dmn_conn *s = &t->slots[i];

			if (!s->token)
				continue;
			if (evictable(s, now))
				break;
			if (s->waiting &&
			    (!oldest ||
			     s->waiting_since < oldest->waiting_since))
				oldest = s;
		}
		/*
		 * Else the registration that has waited longest for its first
		 * event: one user's connections kept in SYN-SENT must not
		 * shut out every other registration and event.
		 */
		if (i <= t->mask)
			conn_remove(t, &t->slots[i]);
		else if (oldest)
			conn_remove(t, oldest);
		else
			return NULL;
	}
	for (i = slot_of(t, token); t->slots[i].token; i = (i + 1) & t->mask)
		;
	memset(&t->slots[i], 0, sizeof(t->slots[i]));
	t->slots[i].token = token;
	t->n++;
	return &t->slots[i];
}

static void grace_push(struct dmn_conns *t, uint32_t token, int64_t due)
{
	/* Full: the oldest is looked at early rather than never. */
	if (t->len == (unsigned int)t->max) {
		t->head = (t->head + 1) % (unsigned int)t->max;
		t->len--;
	}
	t->ring[(t->head + t->len) % (unsigned int)t->max] =
		(struct grace){ token, due };
	t->len++;
}

static void take_addrs(struct dmn_conn *c, const struct mptcplib_event *ev)
{
	if (ev->local.ss_family == AF_UNSPEC ||
	    ev->remote.ss_family == AF_UNSPEC)
		return;
	c->local = ev->local;
	c->remote = ev->remote;
}

struct dmn_conn *dmn_conns_event(struct dmn_conns *t,
				 const struct mptcplib_event *ev, int64_t now)
{
	struct dmn_conn *c = dmn_conns_find(t, ev->token);

	switch (ev->type) {
	case MPTCPLIB_EVENT_CREATED:
	case MPTCPLIB_EVENT_ESTABLISHED:
		if (!c)
			c = conn_add(t, ev->token, now);
		if (!c)
			return NULL;
		take_addrs(c, ev);
		c->server_side |= ev->server_side != 0;
		if (ev->type == MPTCPLIB_EVENT_ESTABLISHED && !c->established) {
			c->established = true;
			c->established_at = now;
			if (!c->registered)
				grace_push(t, c->token,
					   now + ENG_UNREG_GRACE_MS);
		}
		if (c->waiting && c->local.ss_family != AF_UNSPEC)
			return c;
		return NULL;
	case MPTCPLIB_EVENT_CLOSED:
		if (c)
			conn_remove(t, c);
		return NULL;
	default:
		return NULL;
	}
}

struct dmn_conn *dmn_conns_register(struct dmn_conns *t, uint32_t token,
				    int64_t now)
{
	struct dmn_conn *c = dmn_conns_find(t, token);

	if (!c)
		c = conn_add(t, token, now);
	if (c)
		c->registered = true;
	return c;
}

struct dmn_conn *dmn_conns_unregistered(struct dmn_conns *t, int64_t now)
{
	while (t->len && t->ring[t->head].due <= now) {
		struct dmn_conn *c = dmn_conns_find(t, t->ring[t->head].token);

		t->head = (t->head + 1) % (unsigned int)t->max;
		t->len--;
		if (c && c->established && !c->registered && !c->reported) {
			c->reported = true;
			return c;
		}
	}
	return NULL;
}

int dmn_conns_timeout(const struct dmn_conns *t, int64_t now)
{
	int64_t left;

	if (!t->len)
		return -1;
	left = t->ring[t->head].due - now;
	return left < 0 ? 0 : left > 60000 ? 60000 : (int)left;
}

int dmn_conns_count(const struct dmn_conns *t)
{
	return t->n;
}

int dmn_conns_rules(const struct dmn_conns *t, const struct mpa_rule **out,
		    int max)
{
	unsigned int i;
	int n = 0;

	for (i = 0; i <= t->mask; i++) {
		if (!t->slots[i].token || !t->slots[i].rule)
			continue;
		if (n < max)
			out[n] = t->slots[i].rule;
		n++;
	}
	return n;
}

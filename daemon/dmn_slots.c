// SPDX-License-Identifier: MIT
/* Client slots: the total, each user's share, and a count per uid. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dmn_slots.h"

/* The first table; it doubles as users come. */
#define FIRST_CAP 16

struct uid_slots {
	bool used;
	uid_t uid;
	int n; /* slots held */
	/* Turned away at its share: since the last line, and when said. */
	unsigned int turned;
	bool said;
	int64_t said_at;
};

struct dmn_slots {
	int max, per_uid, used;
	/*
	 * Open addressing, linear probing: a user's entry lives while it
	 * holds a slot, and while a line about it keeps the next one waiting
	 * (else a user could leave and come back to be said again).
	 */
	struct uid_slots *v;
	unsigned int mask;
	int nent;
	/* Every slot taken: said for all users together. */
	unsigned int full_turned;
	bool full_said;
	int64_t full_said_at;
};

enum dmn_slot_verdict dmn_slot_decide(int used, int max, int of_uid,
				      int per_uid)
{
	if (of_uid >= per_uid)
		return DMN_SLOT_USER_FULL;
	if (used >= max)
		return DMN_SLOT_FULL;
	return DMN_SLOT_TAKEN;
}

uint64_t dmn_slots_nofile(int max)
{
	return (uint64_t)(max > 0 ? max : 0) + DMN_FD_RESERVE;
}

void dmn_slots_limits(int want, int want_per_uid, uint64_t nofile,
		      struct dmn_slot_limits *out)
{
	uint64_t room = nofile > DMN_FD_RESERVE ? nofile - DMN_FD_RESERVE : 0;
	int max = want > 0 ? want : DMN_MAX_CLIENTS, per;

	memset(out, 0, sizeof(*out));
	if ((uint64_t)max > room) {
		/* One client at least: a daemon that serves none is useless. */
		max = room ? (int)room : 1;
		out->max_cut = true;
	}
	per = want_per_uid > 0 ? want_per_uid : max / DMN_PER_UID_SHARE;
	if (per < 1)
		per = 1;
	if (per > max) {
		per = max;
		out->per_uid_cut = true;
	}
	out->max = max;
	out->per_uid = per;
}

struct dmn_slots *dmn_slots_new(int max, int per_uid)
{
	struct dmn_slot_limits l;
	struct dmn_slots *s;

	dmn_slots_limits(max, per_uid, UINT64_MAX, &l);
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->v = calloc(FIRST_CAP, sizeof(*s->v));
	if (!s->v) {
		free(s);
		return NULL;
	}
	s->mask = FIRST_CAP - 1;
	s->max = l.max;
	s->per_uid = l.per_uid;
	return s;
}

void dmn_slots_free(struct dmn_slots *s)
{
	if (!s)
		return;
	free(s->v);
	free(s);
}

static unsigned int home_of(unsigned int mask, uid_t uid)
{
	return ((uint32_t)uid * 2654435761u) & mask;
}

static struct uid_slots *find(const struct dmn_slots *s, uid_t uid)
{
	unsigned int i;

	for (i = home_of(s->mask, uid); s->v[i].used; i = (i + 1) & s->mask)
		if (s->v[i].uid == uid)
			return &s->v[i];
	return NULL;
}

/* Free entry @e, moving back the entries of the run after it. */
static void remove_entry(struct dmn_slots *s, struct uid_slots *e)
{
	unsigned int hole = (unsigned int)(e - s->v), i, home;

	memset(e, 0, sizeof(*e));
	s->nent--;
	for (i = (hole + 1) & s->mask; s->v[i].used; i = (i + 1) & s->mask) {
		home = home_of(s->mask, s->v[i].uid);
		/* Movable when its home is not in (hole, i], cyclically. */
		if (((i - home) & s->mask) >= ((i - hole) & s->mask)) {
			s->v[hole] = s->v[i];
			memset(&s->v[i], 0, sizeof(s->v[i]));
			hole = i;
		}
	}
}

static bool keeps(const struct uid_slots *e, int64_t now)
{
	return e->n > 0 || (e->said && now - e->said_at < DMN_SLOTS_SAY_MS);
}

/*
 * A table at most half full with room for one more, without the entries
 * whose line no longer holds anything back. 0 or -ENOMEM (the old table
 * stays).
 */
static int rebuild(struct dmn_slots *s, int64_t now)
{
	unsigned int cap = FIRST_CAP, i, j;
	struct uid_slots *v;
	int live = 0;

	for (i = 0; i <= s->mask; i++)
		live += s->v[i].used && keeps(&s->v[i], now);
	while (cap < 2 * ((unsigned int)live + 1))
		cap *= 2;
	v = calloc(cap, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (i = 0; i <= s->mask; i++) {
		if (!s->v[i].used || !keeps(&s->v[i], now))
			continue;
		for (j = home_of(cap - 1, s->v[i].uid); v[j].used;
		     j = (j + 1) & (cap - 1))
			;
		v[j] = s->v[i];
	}
	free(s->v);
	s->v = v;
	s->mask = cap - 1;
	s->nent = live;
	return 0;
}

static struct uid_slots *insert(struct dmn_slots *s, uid_t uid, int64_t now)
{
	unsigned int i;

	if (2 * ((unsigned int)s->nent + 1) > s->mask + 1 && rebuild(s, now))
		return NULL;
	for (i = home_of(s->mask, uid); s->v[i].used; i = (i + 1) & s->mask)
		;
	memset(&s->v[i], 0, sizeof(s->v[i]));
	s->v[i].used = true;
	s->v[i].uid = uid;
	s->nent++;
	return &s->v[i];
}

enum dmn_slot_verdict dmn_slots_take(struct dmn_slots *s, uid_t uid,
				     int64_t now)
{
	struct uid_slots *e = find(s, uid);
	enum dmn_slot_verdict v =
		dmn_slot_decide(s->used, s->max, e ? e->n : 0, s->per_uid);

	if (v != DMN_SLOT_TAKEN)
		return v;
	if (!e)
		e = insert(s, uid, now);
	/* No memory for one more user: as if every slot were taken. */
	if (!e)
		return DMN_SLOT_FULL;
	e->n++;
	s->used++;
	return v;
}

void dmn_slots_put(struct dmn_slots *s, uid_t uid)
{
	struct uid_slots *e = find(s, uid);

	if (!e || e->n <= 0)
		return;
	e->n--;
	s->used--;
	/* A user that was said stays until the next rebuild forgets it. */
	if (!e->n && !e->said)
		remove_entry(s, e);
}

int dmn_slots_of(const struct dmn_slots *s, uid_t uid)
{
	const struct uid_slots *e = find(s, uid);

	return e ? e->n : 0;
}

int dmn_slots_used(const struct dmn_slots *s)
{
	return s->used;
}

int dmn_slots_users(const struct dmn_slots *s)
{
	return s->nent;
}

int dmn_slots_max(const struct dmn_slots *s)
{
	return s->max;
}

int dmn_slots_per_uid(const struct dmn_slots *s)
{
	return s->per_uid;
}

/* Count one in @turned; a line is due the first time, then once a while. */
static unsigned int due(unsigned int *turned, bool *said, int64_t *said_at,
			int64_t now)
{
	unsigned int n;

	(*turned)++;
	if (*said && now - *said_at < DMN_SLOTS_SAY_MS)
		return 0;
	*said = true;
	*said_at = now;
	n = *turned;
	*turned = 0;
	return n;
}

unsigned int dmn_slots_turned_away(struct dmn_slots *s, uid_t uid,
				   enum dmn_slot_verdict v, int64_t now)
{
	struct uid_slots *e;

	if (v == DMN_SLOT_TAKEN)
		return 0;
	/* At its share, the user holds slots: its entry is there. */
	e = v == DMN_SLOT_USER_FULL ? find(s, uid) : NULL;
	if (e)
		return due(&e->turned, &e->said, &e->said_at, now);
	return due(&s->full_turned, &s->full_said, &s->full_said_at, now);
}

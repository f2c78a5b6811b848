/* SPDX-License-Identifier: MIT */
/*
 * The daemon's client slots. Every process under the shim holds one
 * connection to the daemon for its life, so a busy host has thousands of
 * clients, of every user. Each user (root too: it counts like any other)
 * may hold only its share of the slots, so that no user can keep the
 * others from registering by holding every slot. A count per uid, in a
 * hash table: taking or giving back a slot looks at one uid, never at
 * every client. The decision is pure; so is what the descriptor limit
 * allows, and when a turned-away client is worth a log line.
 */
#ifndef DMN_SLOTS_H
#define DMN_SLOTS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Clients connected at once, by default (--max-clients). */
#define DMN_MAX_CLIENTS 4096
/* Each user's share by default: this part of the total. */
#define DMN_PER_UID_SHARE 4
/*
 * Descriptors the daemon keeps for itself beyond one per client: its
 * sockets, netlink, the descriptors of the message being handled, /proc.
 */
#define DMN_FD_RESERVE 64
/* A turned-away client is said at most this often per user. */
#define DMN_SLOTS_SAY_MS 60000

enum dmn_slot_verdict {
	DMN_SLOT_TAKEN, /* counted: serve it */
	DMN_SLOT_USER_FULL, /* its user holds its whole share */
	DMN_SLOT_FULL, /* every slot is taken */
};

/*
 * dmn_slot_decide() - pure: may a client of a user holding @of_uid slots
 * connect, with @used of @max taken and @per_uid allowed to each user?
 * A user at its share is told so even when the total is full too: that
 * is what would refuse it anyway.
 */
enum dmn_slot_verdict dmn_slot_decide(int used, int max, int of_uid,
				      int per_uid);

struct dmn_slot_limits {
	int max, per_uid;
	bool max_cut; /* lowered to what the descriptors allow */
	bool per_uid_cut; /* lowered to the total */
};

/*
 * dmn_slots_limits() - pure: the limits for @want clients in all (0:
 * DMN_MAX_CLIENTS) and @want_per_uid per user (0: the total's
 * DMN_PER_UID_SHARE-th part, at least 1), when the process may hold
 * @nofile descriptors (RLIMIT_NOFILE): each client holds one, and
 * DMN_FD_RESERVE are kept. A user's share is never more than the total;
 * there is always room for one client.
 */
void dmn_slots_limits(int want, int want_per_uid, uint64_t nofile,
		      struct dmn_slot_limits *out);

/* dmn_slots_nofile() - descriptors @max clients need (RLIMIT_NOFILE). */
uint64_t dmn_slots_nofile(int max);

struct dmn_slots;

/*
 * dmn_slots_new() - no slot taken, at most @max (0: DMN_MAX_CLIENTS), and
 * @per_uid (0: the default share) per user. NULL if out of memory.
 */
struct dmn_slots *dmn_slots_new(int max, int per_uid);

void dmn_slots_free(struct dmn_slots *s);

/*
 * dmn_slots_take() - a client of @uid connects at @now (ms): a slot is
 * counted for it when the verdict is DMN_SLOT_TAKEN. -ENOMEM is not
 * possible: a table that cannot grow refuses as full.
 */
enum dmn_slot_verdict dmn_slots_take(struct dmn_slots *s, uid_t uid,
				     int64_t now);

/* dmn_slots_put() - a client of @uid (which took a slot) has gone. */
void dmn_slots_put(struct dmn_slots *s, uid_t uid);

/* dmn_slots_of() - the slots @uid holds. */
int dmn_slots_of(const struct dmn_slots *s, uid_t uid);

/* dmn_slots_used() - the slots taken. */
int dmn_slots_used(const struct dmn_slots *s);

/*
 * dmn_slots_users() - the users the table holds: those with slots, and
 * some that were said within DMN_SLOTS_SAY_MS (forgotten as it grows).
 */
int dmn_slots_users(const struct dmn_slots *s);

int dmn_slots_max(const struct dmn_slots *s);
int dmn_slots_per_uid(const struct dmn_slots *s);

/*
 * dmn_slots_turned_away() - a client of @uid was turned away at @now for
 * @v: is a log line due? The first one is, then one per DMN_SLOTS_SAY_MS:
 * for @uid when it was at its share, for all users together when every
 * slot was taken. The clients turned away for it since the last line,
 * this one included, when a line is due; 0 when not.
 */
unsigned int dmn_slots_turned_away(struct dmn_slots *s, uid_t uid,
				   enum dmn_slot_verdict v, int64_t now);

#endif /* DMN_SLOTS_H */

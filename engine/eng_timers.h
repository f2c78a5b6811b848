/* SPDX-License-Identifier: MIT */
/*
 * The engine's timers: a binary min-heap of (due, token), so that the
 * next timer is known at once and a timer that fires costs a logarithm of
 * the connections waiting, not a look at every connection followed.
 *
 * Entries are never removed early: a connection whose timer changed or
 * that went away leaves its old entry behind, and the engine checks each
 * entry it pops against the connection (due time, still waiting). A stale
 * entry only wakes the engine once, for nothing. Fork: eng_timers_forget()
 * as eng_index_forget() (eng_index.h).
 */
#ifndef ENG_TIMERS_H
#define ENG_TIMERS_H

#include <stdbool.h>
#include <stdint.h>

struct eng_timer {
	int64_t due; /* ms */
	uint32_t token;
};

struct eng_timers {
	struct eng_timer *v;
	int n, cap;
};

/* eng_timers_add() - @token's timer at @due. 0 or -ENOMEM. */
int eng_timers_add(struct eng_timers *t, int64_t due, uint32_t token);

/* eng_timers_next() - the earliest due time, -1: none. */
int64_t eng_timers_next(const struct eng_timers *t);

/*
 * eng_timers_pop_due() - the earliest entry if it is due at @now (into
 * @out, then true), else false.
 */
bool eng_timers_pop_due(struct eng_timers *t, int64_t now,
			struct eng_timer *out);

/* eng_timers_clear() - no entry left (the memory kept). */
void eng_timers_clear(struct eng_timers *t);

/* eng_timers_forget() - in a fork()ed child: as eng_timers_clear(). */
void eng_timers_forget(struct eng_timers *t);

void eng_timers_free(struct eng_timers *t);

#endif /* ENG_TIMERS_H */

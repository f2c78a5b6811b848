/* SPDX-License-Identifier: MIT */
/*
 * Connections by token: an open-addressing table from an MPTCP token to
 * the connection's slot in the engine's table, so that an event or a
 * submission finds its connection in constant time however many the
 * engine follows (mptcp-autod follows a whole host's).
 *
 * Linear probing; a removal shifts the entries after it back, so that no
 * tombstone ever lengthens a search. The table holds at most half its
 * slots. Fork: see eng_index_forget().
 */
#ifndef ENG_INDEX_H
#define ENG_INDEX_H

#include <stdint.h>

struct eng_index_slot {
	uint32_t token; /* 0: empty (the kernel never hands out token 0) */
	int32_t pos; /* the connection's slot */
};

struct eng_index {
	struct eng_index_slot *slots;
	unsigned int mask; /* slots - 1; 0 before the first eng_index_fit() */
	int n;
};

/*
 * eng_index_fit() - room for @count entries (at most half the slots):
 * a bigger table, filled again from the current one, published before
 * its size and the old one freed last. 0 or -ENOMEM (the table as it
 * was).
 */
int eng_index_fit(struct eng_index *x, int count);

/* eng_index_get() - the slot of @token, -1: none. */
int eng_index_get(const struct eng_index *x, uint32_t token);

/*
 * eng_index_put() - @token is at @pos (added, or moved). The table must
 * have room (eng_index_fit()). Token 0 is never stored.
 */
void eng_index_put(struct eng_index *x, uint32_t token, int pos);

/* eng_index_del() - @token is gone (nothing when it was not there). */
void eng_index_del(struct eng_index *x, uint32_t token);

/*
 * eng_index_forget() - in a fork()ed child whose parent's engine thread
 * may have been anywhere: empty, keeping the memory (whatever pointer
 * and size the child sees are a valid pair: the size is published after
 * the pointer, and a replaced table is freed only after both).
 */
void eng_index_forget(struct eng_index *x);

void eng_index_free(struct eng_index *x);

#endif /* ENG_INDEX_H */

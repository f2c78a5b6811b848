/* SPDX-License-Identifier: MIT */
/*
 * Which removal of a subflow also tells the peer: the userspace path
 * manager's REMOVE (RM_ADDR over the other subflows) before
 * SUBFLOW_DESTROY, or SUBFLOW_DESTROY alone. Pure: the engine gives a
 * connection's subflows and acts (eng_engine.c, "Paths");
 * docs/kernel-facts.md §20 and §21 say why.
 */
#ifndef ENG_WITHDRAW_H
#define ENG_WITHDRAW_H

#include <stdbool.h>
#include <sys/socket.h>

/* Why a subflow is removed. */
enum eng_wd_cause {
	ENG_WD_PATH, /* its link went down, its address or route went */
	ENG_WD_STALL, /* it stalled with its link up (eng_stall.h) */
};

enum eng_wd_how {
	ENG_WD_DESTROY, /* SUBFLOW_DESTROY only: the peer is not told */
	ENG_WD_REMOVE, /* REMOVE of its local id first, then the destroy */
};

/* One subflow of a connection, as far as the choice goes. */
struct eng_wd_sub {
	const struct sockaddr *local; /* its local address (port ignored) */
	int id; /* its local address id, -1: not known */
	bool live; /* up, or asked for and not up yet */
	bool going; /* removed in this same pass */
};

/*
 * How to remove @v[@i], one of the @n subflows of a connection, for
 * @cause (a path that died or a stall alike). REMOVE when the id is known
 * (id 0, the initial subflow's address, only for a path that died, not
 * for a stall), when no other live
 * subflow of the connection that stays has that id or that local address
 * (the peer closes every subflow of the id), and only for the first of
 * those going with it (the others go with the same RM_ADDR).
 */
enum eng_wd_how eng_wd_decide(const struct eng_wd_sub *v, int n, int i,
			      enum eng_wd_cause cause);

#endif

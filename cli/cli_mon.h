/* SPDX-License-Identifier: MIT */
/*
 * What `mptcp-auto monitor` says about what it sees: the MPTCP events and
 * the namespace's link, address and route changes, with the subflows that
 * end or come back tied to the change that explains it. The engine runs
 * inside other processes and cannot be asked; what it did shows in the
 * kernel's events, next to what it saw.
 *
 * Pure: the caller reads the sockets and gives each thing seen, in the
 * order read, to mon_feed(), then prints it with mon_print().
 */
#ifndef CLI_MON_H
#define CLI_MON_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "cmn_rtnl.h"
#include "mptcplib.h"

/*
 * A subflow that closes at most this long after its link went down (or
 * its address or its route to the peer went) was removed because of it.
 * The engine removes it at once; the kernel alone would keep it for its
 * retransmission timeouts, many seconds.
 */
#define MON_CAUSE_MS 2000

/* One thing seen: an MPTCP event, or a link, address or route change. */
struct mon_event {
	bool path; /* @rt holds it, else @mp */
	struct mptcplib_event mp;
	struct cmn_rtnl_event rt;
	int64_t ms; /* when it was read (CLOCK_MONOTONIC) */
	struct timespec ts; /* the same on the wall clock, for --json */
	/* the name of its interface as the reader found it, "" if none:
	 * used when mon_seed() and the links seen since do not know it */
	char ifname[IFNAMSIZ];
};

enum mon_story {
	MON_PLAIN, /* the event alone */
	MON_REMOVED, /* SUB_CLOSED: its path went (a cause is known) */
	MON_REOPENED, /* SUB_ESTABLISHED: the connection had lost one there */
};

/* What one event says. */
struct mon_line {
	bool hidden; /* nothing new to say (a link's state again, ...) */
	const char *name; /* "LINK_DOWN", "ADDR_ADDED", "SUB_CLOSED", ... */
	char ifname[IFNAMSIZ]; /* its interface, "" if none or unknown */
	enum mon_story story;
	/* the change that explains it, "link c2 down", "link c2 up"; ""
	 * for a re-open whose path never went away (the subflow died) */
	char cause[160];
};

/* What has been seen so far: links, addresses, recent changes, subflows. */
struct mon_state;

/* mon_new() - an empty state, or NULL when out of memory. */
struct mon_state *mon_new(void);

/* mon_free() - free it (nothing for NULL). */
void mon_free(struct mon_state *st);

/*
 * mon_seed() - a link or an address that is there at the start (a dump's
 * CMN_RTNL_LINK or CMN_RTNL_ADDR_NEW; others are ignored): learnt, so
 * that a repeat of it later says nothing, and names and interfaces of
 * subflows are known. Not a change.
 */
void mon_seed(struct mon_state *st, const struct cmn_rtnl_event *ev);

/*
 * mon_feed() - what @ev, the next thing read, says, into @out. Links: a
 * LINK_UP or LINK_DOWN when their state changes (or is new), LINK_GONE;
 * addresses: ADDR_ADDED when new or no longer tentative, ADDR_REMOVED;
 * routes: ROUTE_ADDED, ROUTE_REMOVED; CMN_RTNL_LOST is hidden. A
 * SUB_CLOSED within MON_CAUSE_MS of a link down or gone on its interface,
 * of its address removed, or of a route to its peer through its interface
 * removed is MON_REMOVED, with the most telling of those (the link, then
 * the address, then the route; the latest of a kind). A SUB_ESTABLISHED
 * of a connection that lost a subflow (seen up, or removed) on the same
 * interface or address is MON_REOPENED, with the latest link up, address
 * added or route added there since the loss, if any.
 */
void mon_feed(struct mon_state *st, const struct mon_event *ev,
	      struct mon_line *out);

/*
 * mon_print() - @ev as @l says, on @f: one line, then an indented line
 * telling a removal or a re-open ("token 1a2b3c4d: subflow 10.0.2.1 ->
 * 10.9.0.1 removed (link c2 down)"); or, with @json, one JSON object on
 * one line, with "cause" (when known) and "reopened" on such events.
 * Nothing for a hidden line.
 */
void mon_print(FILE *f, const struct mon_event *ev, const struct mon_line *l,
	       bool json);

#endif /* CLI_MON_H */

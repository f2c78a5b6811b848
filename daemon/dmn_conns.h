/* SPDX-License-Identifier: MIT */
/*
 * The connections of the namespace as the daemon sees them: from the
 * path-manager events (addresses, ESTABLISHED, CLOSED) and from the
 * registrations. It answers two questions of the event loop:
 *   - a registration made while the SYN was out (a non-blocking connect)
 *     has no addresses yet: which one just got them from its event?
 *   - which connections are unregistered: ESTABLISHED for
 *     ENG_UNREG_GRACE_MS with no registration? Those belong to the host's
 *     own path-manager behaviour (daemon/dmn_host), not to a program's rule.
 * Pure bookkeeping on a clock the caller passes; no I/O.
 */
#ifndef DMN_CONNS_H
#define DMN_CONNS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "eng_engine.h"
#include "mpa_policy.h"
#include "mptcplib.h"

/* How long a registration waits for its connection's first event. */
#define DMN_WAIT_MS 180000

struct dmn_conn {
	uint32_t token; /* local token; 0: free slot */
	bool server_side; /* accepted by this host */
	bool established; /* its ESTABLISHED event came */
	int64_t established_at; /* ms */
	bool registered; /* a verified registration came */
	bool reported; /* handed over as unregistered */
	/* From CREATED or ESTABLISHED; AF_UNSPEC until then. */
	struct sockaddr_storage local, remote;
	/* The rule it was registered with (the caller's to set). */
	const struct mpa_rule *rule;
	/* Registered before its addresses were known: not submitted yet. */
	bool waiting;
	int64_t waiting_since;
};

struct dmn_conns;

/*
 * dmn_conns_new() - room for @max connections (a power of two; past it
 * the oldest finished ones are forgotten). NULL if out of memory.
 */
struct dmn_conns *dmn_conns_new(int max);

void dmn_conns_free(struct dmn_conns *t);

/*
 * dmn_conns_event() - follow @ev at @now. Returns the connection whose
 * waiting registration has just got its addresses (the caller hands it
 * to the engine and clears its waiting flag), else NULL.
 */
struct dmn_conn *dmn_conns_event(struct dmn_conns *t,
				 const struct mptcplib_event *ev, int64_t now);

/*
 * dmn_conns_register() - a verified registration of @token at @now: its
 * connection, marked registered (made if no event came yet). When the
 * table is full, a finished entry makes room, else the registration that
 * has waited longest for its first event; NULL when there is neither.
 */
struct dmn_conn *dmn_conns_register(struct dmn_conns *t, uint32_t token,
				    int64_t now);

/* dmn_conns_find() - the connection of @token, or NULL. */
struct dmn_conn *dmn_conns_find(struct dmn_conns *t, uint32_t token);

/*
 * dmn_conns_unregistered() - the next connection that has been
 * ESTABLISHED for ENG_UNREG_GRACE_MS at @now without a registration, or
 * NULL. Each is returned once (then marked reported); call until NULL.
 */
struct dmn_conn *dmn_conns_unregistered(struct dmn_conns *t, int64_t now);

/*
 * dmn_conns_timeout() - ms from @now until dmn_conns_unregistered() may
 * have one, -1: none pending.
 */
int dmn_conns_timeout(const struct dmn_conns *t, int64_t now);

/* dmn_conns_count() - connections followed now. */
int dmn_conns_count(const struct dmn_conns *t);

/*
 * dmn_conns_rules() - the rules registered connections were given (the
 * caller's pointers), up to @max into @out; the count there is.
 */
int dmn_conns_rules(const struct dmn_conns *t, const struct mpa_rule **out,
		    int max);

#endif /* DMN_CONNS_H */

/* SPDX-License-Identifier: MIT */
/*
 * The daemon's policies: the one in force, and those a reload (SIGHUP)
 * replaced. A connection's rule lives in a policy (a [program] section,
 * [default]) or in the narrowing table made for that policy
 * (dmn_narrow.h), and the engine and the connection table keep a pointer
 * to it for the connection's life: a policy and its narrowings are one
 * generation.
 *
 * A reload starts a new generation with an empty narrowing table. The
 * old narrowings are keyed by the old policy's rules, which no
 * registration finds any more: kept in one table, they would still count
 * against each user's share of it, and a user whose policy narrows would
 * be refused after enough reloads. A replaced generation is freed as soon
 * as none of its rules is in use (dmn_policies_release()), so that
 * reloads do not pile policies up for the daemon's life.
 */
#ifndef DMN_POLICIES_H
#define DMN_POLICIES_H

#include "dmn_narrow.h"
#include "mpa_policy.h"

struct dmn_policies;

/*
 * dmn_policies_new() - @p in force, with an empty narrowing table; @p is
 * the set's from then on. NULL if out of memory (@p is not taken).
 */
struct dmn_policies *dmn_policies_new(struct mpa_policy *p);

/* dmn_policies_current() - the policy in force. */
struct mpa_policy *dmn_policies_current(const struct dmn_policies *ps);

/* dmn_policies_narrow() - the narrowings of the policy in force. */
struct dmn_narrow_table *dmn_policies_narrow(const struct dmn_policies *ps);

/*
 * dmn_policies_replace() - @p in force, in a new generation; the previous
 * one is kept until dmn_policies_release() finds it unused. 0, or -ENOMEM
 * (nothing changed, @p is not taken).
 */
int dmn_policies_replace(struct dmn_policies *ps, struct mpa_policy *p);

/* dmn_policies_retired() - replaced generations still kept. */
int dmn_policies_retired(const struct dmn_policies *ps);

/*
 * dmn_policies_release() - free every replaced generation none of whose
 * rules (a policy's, a narrowing's) is among the @n rules in @inuse, all
 * that anything still points to (@inuse is sorted in place). The
 * generations freed.
 */
int dmn_policies_release(struct dmn_policies *ps, const struct mpa_rule **inuse,
			 int n);

void dmn_policies_free(struct dmn_policies *ps);

#endif /* DMN_POLICIES_H */

/* SPDX-License-Identifier: MIT */
/*
 * A registration's rule: the system policy's rule for the verified
 * program, narrowed by what the user's own policy asks (the message's
 * user-* keys). Narrowing never widens:
 *   - user-interfaces: of the rule's interfaces (and backup interfaces),
 *     only those that also match one of the user's patterns are kept;
 *   - user-backup: of those, the ones that match become backup;
 *   - user-subflows: the cap is the smaller of the two (0: none).
 * It never adds an interface, never raises the cap, never turns a backup
 * interface into a regular one; exclusions and destination filters stay.
 *
 * Interface patterns against patterns: a system pattern is kept when a
 * user pattern covers all of it (the same pattern, "*", or a plain name
 * the user pattern matches); a user's plain name that a system pattern
 * matches is kept as that name. Anything else (two overlapping wildcard
 * patterns, say eth* and eth1*) is dropped: narrower than asked, never
 * wider.
 *
 * The engine keeps a pointer to each connection's rule for the
 * connection's life, so narrowed rules are interned: one copy per system
 * rule and narrowing, kept until the table is freed. A table serves one
 * policy: a reload makes a new one, and the old one goes with its policy
 * (dmn_policies.h).
 */
#ifndef DMN_NARROW_H
#define DMN_NARROW_H

#include <stddef.h>
#include <sys/types.h>

#include "eng_wire.h"
#include "mpa_policy.h"

/*
 * dmn_narrow_rule() - pure: @sys narrowed by @m into @out (a copy of
 * @sys when @m narrows nothing). Its origin says it was narrowed.
 */
void dmn_narrow_rule(const struct mpa_rule *sys, const struct eng_wire_msg *m,
		     struct mpa_rule *out);

/*
 * dmn_narrow_widens() - pure: does @m ask for more than @sys gives (an
 * interface pattern that keeps none of the rule's interfaces, or more
 * subflows than the rule's cap)? Such a request is served narrowed all
 * the same; 1 with a sentence for the user in @why, else 0.
 */
int dmn_narrow_widens(const struct mpa_rule *sys, const struct eng_wire_msg *m,
		      char *why, size_t len);

/* Distinct narrowed rules kept at most, and per user. */
#define DMN_NARROW_MAX 1024
#define DMN_NARROW_PER_UID 128

struct dmn_narrow_table;

/* dmn_narrow_table_new() - an empty table; NULL if out of memory. */
struct dmn_narrow_table *dmn_narrow_table_new(void);

/*
 * dmn_narrow_intern() - the rule for a registration of @uid under @sys
 * with message @m, valid until the table is freed: @sys itself when @m
 * narrows nothing, else the interned narrowed rule (the same pointer for
 * the same @sys and result). 0, -ENOSPC when the table, or @uid's share
 * of it, is full, or -ENOMEM.
 */
int dmn_narrow_intern(struct dmn_narrow_table *t, const struct mpa_rule *sys,
		      const struct eng_wire_msg *m, uid_t uid,
		      const struct mpa_rule **out);

/* dmn_narrow_count() - rules interned so far. */
int dmn_narrow_count(const struct dmn_narrow_table *t);

/* dmn_narrow_rule_at() - the @i-th of them (0 <= @i < the count). */
const struct mpa_rule *dmn_narrow_rule_at(const struct dmn_narrow_table *t,
					  int i);

void dmn_narrow_table_free(struct dmn_narrow_table *t);

#endif /* DMN_NARROW_H */

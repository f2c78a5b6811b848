/* SPDX-License-Identifier: MIT */
/*
 * Under mptcp-autod, the user's own policy may only narrow the system
 * policy's rule for a program. Two halves, pure, no allocation:
 *   - the shim's: what the user's rule narrows, as a REGISTER message
 *     carries it (engine/eng_wire.h): eng_narrow_none(), eng_narrow_build();
 *   - the daemon's: a system rule narrowed by such a message:
 *     eng_narrow_rule(), eng_narrow_widens().
 * `mptcp-auto explain` runs both, to say what a program really gets.
 */
#ifndef ENG_NARROW_H
#define ENG_NARROW_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "eng_wire.h"
#include "mpa_policy.h"

/* What a user rule says that the message cannot carry (bits). */
enum eng_narrow_lost {
	ENG_NARROW_LOST_EXCLUDE = 1u << 0, /* exclude-interfaces */
	/* An interface name outside the protocol's characters: left out. */
	ENG_NARROW_LOST_PATTERN = 1u << 1,
	/* More than ENG_WIRE_MAX_PATTERNS names: the rest left out. */
	ENG_NARROW_LOST_COUNT = 1u << 2,
};

/*
 * eng_narrow_none() - the user's rule @user (of mpa_policy_load_user():
 * what it leaves unset says nothing) wants no extra subflow for @dst:
 * mptcp = no, subflows = 0, an empty interfaces list (and no backup), or
 * its destination filters leave @dst out.
 */
bool eng_narrow_none(const struct mpa_rule *user, const struct sockaddr *dst);

/*
 * eng_narrow_build() - @m's narrowing (m->narrow and the user-* fields,
 * which must be unset, as eng_wire_init() leaves them) from @user for a
 * connection to @dst:
 *   - no subflow at all (eng_narrow_none()): user-subflows 0;
 *   - subflows: user-subflows;
 *   - interfaces: user-interfaces, the interfaces then the backup names
 *     (both are used, the latter as backup);
 *   - backup: user-backup.
 * Leaving a name out of user-interfaces only narrows further; a backup
 * name that cannot be carried leaves that interface as the system rule
 * has it. Returns the enum eng_narrow_lost bits of what could not be said.
 */
unsigned int eng_narrow_build(const struct mpa_rule *user,
			      const struct sockaddr *dst,
			      struct eng_wire_msg *m);

/*
 * The daemon's half. A registration's rule: the system policy's rule for the verified
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
 */

/*
 * eng_narrow_rule() - pure: @sys narrowed by @m into @out (a copy of
 * @sys when @m narrows nothing). Its origin says it was narrowed.
 */
void eng_narrow_rule(const struct mpa_rule *sys, const struct eng_wire_msg *m,
		     struct mpa_rule *out);

/*
 * eng_narrow_widens() - pure: does @m ask for more than @sys gives (an
 * interface pattern that keeps none of the rule's interfaces, or more
 * subflows than the rule's cap)? Such a request is served narrowed all
 * the same; 1 with a sentence for the user in @why, else 0.
 */
int eng_narrow_widens(const struct mpa_rule *sys, const struct eng_wire_msg *m,
		      char *why, size_t len);

#endif /* ENG_NARROW_H */

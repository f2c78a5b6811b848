/* SPDX-License-Identifier: MIT */
/*
 * What the user's own policy narrows, as a REGISTER message carries it to
 * mptcp-autod (engine/eng_wire.h). The daemon applies the system policy's
 * rule for the program it verified; the user's files may only narrow it.
 * Pure: no I/O, no allocation.
 */
#ifndef MPA_NARROW_H
#define MPA_NARROW_H

#include <stdbool.h>
#include <sys/socket.h>

#include "eng_wire.h"
#include "mpa_policy.h"

/* What a user rule says that the message cannot carry (bits). */
enum mpa_narrow_lost {
	MPA_NARROW_LOST_EXCLUDE = 1u << 0, /* exclude-interfaces */
	/* An interface name outside the protocol's characters: left out. */
	MPA_NARROW_LOST_PATTERN = 1u << 1,
	/* More than ENG_WIRE_MAX_PATTERNS names: the rest left out. */
	MPA_NARROW_LOST_COUNT = 1u << 2,
};

/*
 * mpa_narrow_none() - the user's rule @user (of mpa_policy_load_user():
 * what it leaves unset says nothing) wants no extra subflow for @dst:
 * mptcp = no, subflows = 0, an empty interfaces list (and no backup), or
 * its destination filters leave @dst out.
 */
bool mpa_narrow_none(const struct mpa_rule *user, const struct sockaddr *dst);

/*
 * mpa_narrow_build() - @m's narrowing (m->narrow and the user-* fields,
 * which must be unset, as eng_wire_init() leaves them) from @user for a
 * connection to @dst:
 *   - no subflow at all (mpa_narrow_none()): user-subflows 0;
 *   - subflows: user-subflows;
 *   - interfaces: user-interfaces, the interfaces then the backup names
 *     (both are used, the latter as backup);
 *   - backup: user-backup.
 * Leaving a name out of user-interfaces only narrows further; a backup
 * name that cannot be carried leaves that interface as the system rule
 * has it. Returns the enum mpa_narrow_lost bits of what could not be said.
 */
unsigned int mpa_narrow_build(const struct mpa_rule *user,
			      const struct sockaddr *dst,
			      struct eng_wire_msg *m);

#endif /* MPA_NARROW_H */

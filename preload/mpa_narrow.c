// SPDX-License-Identifier: MIT
/* The user's narrowing of a registration, from the user's rule: pure. */
#include <string.h>

#include "mpa_narrow.h"

bool mpa_narrow_none(const struct mpa_rule *user, const struct sockaddr *dst)
{
	if (user->mptcp == MPA_NO || user->subflows == 0)
		return true;
	if (user->ifaces.set && !user->ifaces.n &&
	    !(user->backup_ifaces.set && user->backup_ifaces.n))
		return true;
	return !mpa_rule_dest_allowed(user, dst, NULL);
}

/*
 * Append @list's names to @out (*@n of them so far), each once; returns
 * the lost bits.
 */
static unsigned int put_names(const struct mpa_iface_list *list,
			      char (*out)[IFNAMSIZ], int *n)
{
	unsigned int lost = 0;
	int i, j;

	for (i = 0; i < list->n; i++) {
		const char *pat = list->v[i].pat;

		if (!eng_wire_pattern_ok(pat)) {
			lost |= MPA_NARROW_LOST_PATTERN;
			continue;
		}
		for (j = 0; j < *n && strcmp(out[j], pat); j++)
			;
		if (j < *n)
			continue;
		if (*n == ENG_WIRE_MAX_PATTERNS) {
			lost |= MPA_NARROW_LOST_COUNT;
			continue;
		}
		strcpy(out[(*n)++], pat);
	}
	return lost;
}

unsigned int mpa_narrow_build(const struct mpa_rule *user,
			      const struct sockaddr *dst,
			      struct eng_wire_msg *m)
{
	const struct mpa_iface_list *backup = &user->backup_ifaces;
	unsigned int lost = 0;

	if (mpa_narrow_none(user, dst)) {
		m->narrow = true;
		m->user_subflows = 0;
		return 0;
	}
	if (user->subflows > 0) {
		m->narrow = true;
		m->user_subflows = user->subflows;
	}
	if (user->ifaces.set) {
		lost |= put_names(&user->ifaces, m->interfaces,
				  &m->ninterfaces);
		if (backup->set)
			lost |= put_names(backup, m->interfaces,
					  &m->ninterfaces);
		m->narrow = true;
		/* Named, but none can be said: nothing is the narrow side. */
		if (!m->ninterfaces)
			m->user_subflows = 0;
	}
	if (backup->set && backup->n) {
		lost |= put_names(backup, m->backup, &m->nbackup);
		m->narrow = true;
	}
	if (user->reopen != MPA_UNSET) {
		m->user_reopen = user->reopen == MPA_YES;
		m->narrow = true;
	}
	if (user->exclude_ifaces.set && user->exclude_ifaces.n)
		lost |= MPA_NARROW_LOST_EXCLUDE;
	return lost;
}

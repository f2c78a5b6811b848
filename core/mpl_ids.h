/* SPDX-License-Identifier: MIT */
/*
 * Local address ids for the userspace path manager.
 *
 * The kernel binds one id to one local address (and source port, when one
 * is given) per connection and rejects a request that pairs them
 * differently. It also forgets an address's entry
 * whenever one subflow from it is closed, even if another still uses it
 * (docs/kernel-facts.md §10). We remember the pairs process-wide so an address
 * keeps its id for the connection's life and no other address takes it.
 */
#ifndef MPL_IDS_H
#define MPL_IDS_H

#include <stdint.h>
#include <sys/socket.h>

#include "mpl_nl.h"

#define MPL_IDS_MAX 255

/*
 * mpl_ids_choose() - pure decision: the id for address @want, given the
 * kernel's current entries and the pairs remembered for this connection.
 * The kernel's pairing wins, then ours; a new address gets the lowest id
 * nobody holds. Returns 1..255, or -ENOSPC.
 */
int mpl_ids_choose(const struct mpl_pm_addr *want,
		   const struct mpl_pm_addr *kernel, int nkernel,
		   const struct mpl_pm_addr *remembered, int nremembered);

/*
 * mpl_ids_pick() - mpl_ids_choose() against this process's memory for
 * connection @token, remembering the answer. Thread-safe.
 */
int mpl_ids_pick(uint32_t token, const struct mpl_pm_addr *want,
		 const struct mpl_pm_addr *kernel, int nkernel);

/* mpl_ids_remember() - record that @a (with a->id set) belongs to @token. */
void mpl_ids_remember(uint32_t token, const struct mpl_pm_addr *a);

#endif /* MPL_IDS_H */

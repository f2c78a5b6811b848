// SPDX-License-Identifier: MIT
/*
 * The choice between telling the peer that a subflow's address is gone
 * (RM_ADDR) and removing the subflow locally only (eng_withdraw.h).
 */
#include "cmn_addr.h"
#include "eng_withdraw.h"

/* Do @a and @b share a local id or a local address? */
static bool same_address(const struct eng_wd_sub *a, const struct eng_wd_sub *b)
{
	if (a->id >= 0 && a->id == b->id)
		return true;
	return a->local && b->local && cmn_sa_addr_equal(a->local, b->local);
}

enum eng_wd_how eng_wd_decide(const struct eng_wd_sub *v, int n, int i,
			      enum eng_wd_cause cause)
{
	int j;

	/*
	 * A link down and a stall alike: a destroy is local, its FIN never
	 * crosses a dead path, and the peer goes on sending there until
	 * its own retransmission timer fires; RM_ADDR has it send the data
	 * over the others at once. A stall is found within the peer's first
	 * timeout (eng_stall.h), before it moved much of that data
	 * (docs/kernel-facts.md §21).
	 */
	if (i < 0 || i >= n || (cause != ENG_WD_PATH && cause != ENG_WD_STALL))
		return ENG_WD_DESTROY;
	if (!v[i].live || !v[i].going || v[i].id < 0 || v[i].id > 255)
		return ENG_WD_DESTROY;
	/*
	 * The initial subflow's address (id 0), its path gone: withdrawn too.
	 * Bound to no interface, the subflow's FIN may leave by another route
	 * and reach the peer from the dead path's address, but not through a
	 * NAT or a network that drops foreign sources: there only RM_ADDR
	 * tells the peer (a stall of 340 ms without it, 78 with it;
	 * docs/benchmarks.md, 10f). A kernel that refuses id 0 (6.1 as
	 * released, docs/kernel-facts.md §19) has it removed here only. A
	 * stall of it keeps the destroy alone, as measured in §21.
	 */
	if (v[i].id == 0 && cause == ENG_WD_STALL)
		return ENG_WD_DESTROY;
	for (j = 0; j < n; j++) {
		if (j == i || !same_address(&v[i], &v[j]))
			continue;
		/* It would close at the peer too. */
		if (v[j].live && !v[j].going)
			return ENG_WD_DESTROY;
		/* One RM_ADDR for them all: the first one sends it. */
		if (j < i && v[j].live && v[j].going && v[j].id == v[i].id)
			return ENG_WD_DESTROY;
	}
	return ENG_WD_REMOVE;
}

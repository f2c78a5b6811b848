/* SPDX-License-Identifier: MIT */
/*
 * The joins a peer refused, per connection, for `mptcp-auto status`: a
 * server that accepted one connection and closed its listener (socat
 * without fork) answers every new subflow with a reset, and the
 * connection goes on with one path. Kept from the path-manager events
 * until the connection closes, the latest ENG_WIRE_MAX_REFUSED of them
 * (STATE's refused lines). Pure: no I/O, no allocation.
 */
#ifndef DMN_REFUSED_H
#define DMN_REFUSED_H

#include "eng_wire.h"
#include "mptcplib.h"

struct dmn_refused {
	struct eng_wire_refused v[ENG_WIRE_MAX_REFUSED];
	int n;
	unsigned int next; /* full: the slot taken next (the oldest) */
};

/*
 * dmn_refused_event() - follow event @ev: a subflow of ours that closed
 * with ECONNREFUSED (its SYN answered by a reset) counts for its
 * connection; the connection's CLOSED forgets it.
 */
void dmn_refused_event(struct dmn_refused *t, const struct mptcplib_event *ev);

/* dmn_refused_fill() - STATE's refused lines, from @t. */
void dmn_refused_fill(const struct dmn_refused *t, struct eng_wire_msg *m);

#endif /* DMN_REFUSED_H */

/* SPDX-License-Identifier: MIT */
/*
 * The kernel's side of the stall rule (eng_stall.h): the state of given
 * subflows, read from inet_diag, which any process of the network
 * namespace may read without holding the connection's socket.
 */
#ifndef ENG_DIAG_H
#define ENG_DIAG_H

#include "eng_engine.h"

/*
 * eng_diag_read() - each of the @n subflows @v names (ends with ports, and
 * the interface it is bound to), found by its ends (and its connection's
 * token, when the kernel shows it): its state and tcp_info into v[i].s,
 * found false when the kernel has no such subflow. A few are looked up
 * one by one; many, and any a lookup missed, come from one dump per
 * address family of the TCP sockets with their ports (the kernel
 * filters; past MPL_DIAG_PORTS_MAX, of every TCP socket). For the probes
 * with conn set, their connection too, by MPTCP's inet_diag (one lookup by
 * its token, over the same socket): the next byte it expects in order.
 * Reorders @v. 0 or -errno.
 */
int eng_diag_read(struct eng_probe *v, int n);

#endif /* ENG_DIAG_H */

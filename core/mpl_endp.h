/* SPDX-License-Identifier: MIT */
/* The pure parts of the endpoint and announcement calls (mpl_endp.c). */
#ifndef MPL_ENDP_H
#define MPL_ENDP_H

#include <sys/socket.h>

#include "mpl_nl.h"
#include "mptcplib.h"

/*
 * mpl_endp_from_pm() - the public form of GET_ADDR entry @a: the port in
 * network order, only the flags mptcplib.h names, id 0 when absent.
 */
void mpl_endp_from_pm(struct mptcplib_endpoint *e, const struct mpl_pm_addr *a);

/*
 * mpl_endp_announce_addr() - the ADDR nest of an ANNOUNCE of @addr
 * (@len bytes; IPv4-mapped becomes IPv4) with @id: its port, if any, in
 * the host order netlink wants, and the SIGNAL flag the kernel requires.
 * 0, or -EINVAL (@id not in 1..255, or a bad address).
 */
int mpl_endp_announce_addr(struct mpl_pm_addr *a, const struct sockaddr *addr,
			   socklen_t len, int id);

#endif /* MPL_ENDP_H */

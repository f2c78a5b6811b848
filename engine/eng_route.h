/* SPDX-License-Identifier: MIT */
/*
 * Does the host route a destination through a given interface? A subflow
 * bound to an interface only works when it does (two default routes with
 * metrics, or per-source policy routing); otherwise Linux assumes the
 * destination is on-link and ARPs for it in vain.
 */
#ifndef ENG_ROUTE_H
#define ENG_ROUTE_H

#include <sys/socket.h>

/*
 * eng_route_via() - 1 if some unicast route, in any routing table, covers
 * @dst and leaves through interface @ifindex (directly or as one of its
 * nexthops); 0 if none; -errno on failure. Reads the routing tables with
 * an rtnetlink dump: call it from a helper thread, never a hook.
 */
int eng_route_via(const struct sockaddr *dst, int ifindex);

#endif /* ENG_ROUTE_H */

/* SPDX-License-Identifier: MIT */
/*
 * Links, addresses and routes as rtnetlink announces them: a socket
 * subscribed to the groups of links (RTMGRP_LINK), addresses and routes
 * (IPv4 and IPv6), and a pure parser from the bytes it receives to a
 * small struct per change, so that decisions above never see netlink.
 * Knows nothing of MPTCP.
 */
#ifndef CMN_RTNL_H
#define CMN_RTNL_H

#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

enum cmn_rtnl_kind {
	CMN_RTNL_LINK, /* a link's state: up or not (RTM_NEWLINK) */
	CMN_RTNL_LINK_GONE, /* a link removed (RTM_DELLINK) */
	CMN_RTNL_ADDR_NEW, /* an address added or changed */
	CMN_RTNL_ADDR_DEL, /* an address removed */
	CMN_RTNL_ROUTE_NEW, /* a unicast route added or changed */
	CMN_RTNL_ROUTE_DEL, /* a unicast route removed */
	CMN_RTNL_LOST, /* the socket overflowed: changes were missed */
};

struct cmn_rtnl_event {
	enum cmn_rtnl_kind kind;
	int ifindex; /* the link; a route's output interface, 0 if none */
	char ifname[IFNAMSIZ]; /* links, and IPv4 addresses; else "" */
	/* LINK: administratively up and with carrier (IFF_UP, IFF_RUNNING) */
	bool up;
	/* ADDR_NEW: still tentative (IPv6 duplicate address detection) */
	bool tentative;
	/* a route with several next hops: ifindex is the first one's */
	bool multipath;
	int family; /* addresses and routes: AF_INET or AF_INET6 */
	/* ADDR: the address (port 0); ROUTE: the destination prefix */
	struct sockaddr_storage addr;
	int prefixlen; /* ROUTE: of the destination (0: default route) */
};

/* The groups cmn_rtnl_open() joins. */
#define CMN_RTNL_GROUPS                                          \
	(RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR | \
	 RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE)

/*
 * cmn_rtnl_open() - a NETLINK_ROUTE socket (system calls, O_CLOEXEC,
 * cmn_nl.h) subscribed to CMN_RTNL_GROUPS. Needs no privilege. The
 * descriptor, or -errno.
 */
int cmn_rtnl_open(void);

/* cmn_rtnl_close() - close it (nothing for a negative @fd). */
void cmn_rtnl_close(int fd);

/*
 * cmn_rtnl_parse() - pure: the changes in one datagram (@buf, @len) into
 * @out, at most @cap, in order. Messages of other types (errors, done,
 * neighbours), routes that are not unicast, the local table's routes and
 * cached clones are skipped; a truncated message ends the parse. The
 * count stored.
 */
int cmn_rtnl_parse(const void *buf, size_t len, struct cmn_rtnl_event *out,
		   int cap);

/*
 * cmn_rtnl_read() - one datagram from @fd without waiting, parsed into
 * @out (@cap entries) with @buf (@len bytes) as the receive buffer. The
 * count (0: nothing of interest in it), -EAGAIN when nothing is queued,
 * or -errno; an overflow (ENOBUFS) is reported as one CMN_RTNL_LOST
 * event instead.
 */
int cmn_rtnl_read(int fd, void *buf, size_t len, struct cmn_rtnl_event *out,
		  int cap);

#endif /* CMN_RTNL_H */

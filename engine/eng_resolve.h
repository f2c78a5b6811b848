/* SPDX-License-Identifier: MIT */
/*
 * Resolving a decision against the machine's interfaces, kept apart from
 * matching so that matching stays pure. Allocates (getifaddrs): call it
 * from a helper thread or a command, never from a hook.
 */
#ifndef ENG_RESOLVE_H
#define ENG_RESOLVE_H

#include <ifaddrs.h>
#include <net/if.h>
#include <stdbool.h>
#include <sys/socket.h>

#include "mpa_policy.h"

struct mpa_local {
	char ifname[IFNAMSIZ];
	int ifindex;
	struct sockaddr_storage addr; /* port 0 */
	bool backup;
};

/*
 * eng_resolve_list() - pure part: from @ifa (a getifaddrs() list), the
 * addresses of @family that the rule of @d selects: interface up, not
 * loopback, not IPv6 link-local, not the connection's own source @own
 * (may be NULL), name matching interfaces or backup (backup wins) and not
 * exclude-interfaces. Ordered by the rule's patterns, interfaces first,
 * then the list order; at most min(@cap, d->max_subflows). Returns the
 * count.
 */
int eng_resolve_list(const struct mpa_decision *d, const struct ifaddrs *ifa,
		     int family, const struct sockaddr *own,
		     struct mpa_local *out, int cap);

/* eng_resolve() - eng_resolve_list() on the current interfaces, or -errno. */
int eng_resolve(const struct mpa_decision *d, int family,
		const struct sockaddr *own, struct mpa_local *out, int cap);

/*
 * eng_resolve_addr_list() - pure part: the interface of @ifa (a
 * getifaddrs() list) that has local address @addr (IPv4-mapped counts as
 * IPv4; up or not): its index, and its name into @ifname (IFNAMSIZ); 0
 * when none has it.
 */
int eng_resolve_addr_list(const struct ifaddrs *ifa,
			  const struct sockaddr *addr, char *ifname);

/* eng_resolve_addr() - eng_resolve_addr_list() now, or -errno. */
int eng_resolve_addr(const struct sockaddr *addr, char *ifname);

#endif /* ENG_RESOLVE_H */

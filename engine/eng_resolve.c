// SPDX-License-Identifier: MIT
/* A decision resolved to this machine's local interface addresses. */
#include <errno.h>
#include <linux/if_packet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "cmn_addr.h"
#include "eng_resolve.h"

static bool pats_match(const struct mpa_iface_pat *v, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (mpa_glob_match(v[i].pat, name))
			return true;
	return false;
}

/* Usable for a subflow of @family at all, whatever the policy says. */
static bool usable(const struct ifaddrs *i, int family,
		   const struct sockaddr *own)
{
	if (!i->ifa_addr || i->ifa_addr->sa_family != family)
		return false;
	if (!(i->ifa_flags & IFF_UP) || (i->ifa_flags & IFF_LOOPBACK))
		return false;
	if (family == AF_INET6 &&
	    IN6_IS_ADDR_LINKLOCAL(
		    &((const struct sockaddr_in6 *)i->ifa_addr)->sin6_addr))
		return false;
	return !own || !cmn_sa_addr_equal(i->ifa_addr, own);
}

/*
 * @name's index, from its AF_PACKET entry in the same list: not from
 * if_nametoindex(), whose AF_UNIX socket a seccomp filter may forbid.
 */
static int ifindex_of(const struct ifaddrs *ifa, const char *name)
{
	for (; ifa; ifa = ifa->ifa_next)
		if (ifa->ifa_addr && ifa->ifa_addr->sa_family == AF_PACKET &&
		    !strcmp(ifa->ifa_name, name))
			return ((const struct sockaddr_ll *)ifa->ifa_addr)
				->sll_ifindex;
	return 0;
}

/* Append @i of list @all unless listed; false when @out is full. */
static bool add_local(const struct ifaddrs *all, const struct ifaddrs *i,
		      bool backup, struct mpa_local *out, int *n, int cap)
{
	struct mpa_local *l;
	int k;

	for (k = 0; k < *n; k++)
		if (cmn_sa_addr_equal((const struct sockaddr *)&out[k].addr,
				      i->ifa_addr))
			return true;
	if (*n >= cap)
		return false;
	l = &out[(*n)++];
	memset(l, 0, sizeof(*l));
	snprintf(l->ifname, sizeof(l->ifname), "%s", i->ifa_name);
	l->ifindex = ifindex_of(all, i->ifa_name);
	memcpy(&l->addr, i->ifa_addr,
	       i->ifa_addr->sa_family == AF_INET ? sizeof(struct sockaddr_in) :
						   sizeof(struct sockaddr_in6));
	l->backup = backup;
	return true;
}

int eng_resolve_list(const struct mpa_decision *d, const struct ifaddrs *ifa,
		     int family, const struct sockaddr *own,
		     struct mpa_local *out, int cap)
{
	const struct mpa_rule *r = d->rule;
	const struct ifaddrs *i;
	int n = 0, p, pass;

	if (!d->open_subflows)
		return 0;
	if (d->max_subflows < cap)
		cap = d->max_subflows;
	for (pass = 0; pass < 2; pass++) {
		const struct mpa_iface_pat *pats = pass ? r->backup_ifaces.v :
							  r->ifaces.v;
		int npats = pass ? r->backup_ifaces.n : r->ifaces.n;

		for (p = 0; p < npats; p++) {
			for (i = ifa; i; i = i->ifa_next) {
				if (!usable(i, family, own) ||
				    !mpa_glob_match(pats[p].pat, i->ifa_name) ||
				    pats_match(r->exclude_ifaces.v,
					       r->exclude_ifaces.n,
					       i->ifa_name))
					continue;
				/* Named in both lists: backup wins. */
				if (!pass &&
				    pats_match(r->backup_ifaces.v,
					       r->backup_ifaces.n, i->ifa_name))
					continue;
				if (!add_local(ifa, i, pass == 1, out, &n, cap))
					return n;
			}
		}
	}
	return n;
}

int eng_resolve(const struct mpa_decision *d, int family,
		const struct sockaddr *own, struct mpa_local *out, int cap)
{
	struct ifaddrs *ifa;
	int n;

	if (getifaddrs(&ifa) < 0)
		return -errno;
	n = eng_resolve_list(d, ifa, family, own, out, cap);
	freeifaddrs(ifa);
	return n;
}

int eng_resolve_addr_list(const struct ifaddrs *ifa,
			  const struct sockaddr *addr, char *ifname)
{
	struct sockaddr_storage want;
	const struct ifaddrs *i;

	memset(&want, 0, sizeof(want));
	if (cmn_sa_load(&want, addr, cmn_sa_len(addr->sa_family)))
		return 0;
	for (i = ifa; i; i = i->ifa_next) {
		if (!i->ifa_addr ||
		    (i->ifa_addr->sa_family != AF_INET &&
		     i->ifa_addr->sa_family != AF_INET6) ||
		    !cmn_sa_addr_equal(i->ifa_addr,
				       (const struct sockaddr *)&want))
			continue;
		snprintf(ifname, IFNAMSIZ, "%s", i->ifa_name);
		return ifindex_of(ifa, i->ifa_name);
	}
	return 0;
}

int eng_resolve_addr(const struct sockaddr *addr, char *ifname)
{
	struct ifaddrs *ifa;
	int n;

	if (getifaddrs(&ifa) < 0)
		return -errno;
	n = eng_resolve_addr_list(ifa, addr, ifname);
	freeifaddrs(ifa);
	return n;
}

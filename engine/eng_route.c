// SPDX-License-Identifier: MIT
/* Does a unicast route take a destination out through a given interface? */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cmn_addr.h"
#include "cmn_nl.h"
#include "eng_route.h"

struct route_match {
	int family;
	uint8_t dst[16];
	int ifindex;
	bool found;
};

struct route_attrs {
	const struct nlattr *dst, *oif, *multipath;
};

static int route_attr_cb(const struct nlattr *attr, void *data)
{
	struct route_attrs *a = data;

	switch (mnl_attr_get_type(attr)) {
	case RTA_DST:
		a->dst = attr;
		break;
	case RTA_OIF:
		if (mnl_attr_get_payload_len(attr) == 4)
			a->oif = attr;
		break;
	case RTA_MULTIPATH:
		a->multipath = attr;
		break;
	}
	return MNL_CB_OK;
}

static bool multipath_has(const struct nlattr *mp, int ifindex)
{
	const struct rtnexthop *nh = mnl_attr_get_payload(mp);
	int left = (int)mnl_attr_get_payload_len(mp);

	while (left >= (int)sizeof(*nh) && nh->rtnh_len >= sizeof(*nh) &&
	       nh->rtnh_len <= left) {
		if (nh->rtnh_ifindex == ifindex)
			return true;
		left -= RTNH_ALIGN(nh->rtnh_len);
		nh = RTNH_NEXT(nh);
	}
	return false;
}

static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	struct route_match *m = data;
	struct route_attrs a = { 0 };
	uint8_t prefix[16] = { 0 };
	size_t alen = m->family == AF_INET ? 4 : 16;

	if (rtm->rtm_family != m->family || rtm->rtm_type != RTN_UNICAST)
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*rtm), route_attr_cb, &a);
	if (a.dst) {
		if (mnl_attr_get_payload_len(a.dst) != alen)
			return MNL_CB_OK;
		memcpy(prefix, mnl_attr_get_payload(a.dst), alen);
	}
	if (!cmn_prefix_covers(prefix, rtm->rtm_dst_len, m->dst))
		return MNL_CB_OK;
	if ((a.oif && (int)mnl_attr_get_u32(a.oif) == m->ifindex) ||
	    (a.multipath && multipath_has(a.multipath, m->ifindex)))
		m->found = true;
	return MNL_CB_OK;
}

int eng_route_via(const struct sockaddr *dst, int ifindex)
{
	char buf[8192];
	struct route_match m = { .family = dst->sa_family, .ifindex = ifindex };
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	struct cmn_nl nl;
	const void *a;
	size_t alen;
	int err;

	a = cmn_sa_addr(dst, &alen);
	if (!a)
		return -EAFNOSUPPORT;
	memcpy(m.dst, a, alen);
	err = cmn_nl_open(NETLINK_ROUTE, &nl);
	if (err)
		return err;
	memset(buf, 0, MNL_NLMSG_HDRLEN + sizeof(*rtm));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = 1;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (unsigned char)dst->sa_family;
	err = cmn_nl_talk(&nl, nlh, buf, sizeof(buf), route_cb, &m);
	cmn_nl_close(&nl);
	return err ? err : m.found;
}

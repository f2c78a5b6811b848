// SPDX-License-Identifier: MIT
/*
 * rtnetlink's link, address and route announcements: the subscribed
 * socket and the parser from its bytes to struct cmn_rtnl_event.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cmn_nl.h"
#include "cmn_rtnl.h"

int cmn_rtnl_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK,
				  .nl_groups = CMN_RTNL_GROUPS };
	int fd = cmn_nl_socket(NETLINK_ROUTE), err;

	if (fd < 0)
		return fd;
	if (syscall(SYS_bind, fd, &sa, sizeof(sa)) < 0) {
		err = -errno;
		syscall(SYS_close, fd);
		return err;
	}
	return fd;
}

void cmn_rtnl_close(int fd)
{
	if (fd >= 0)
		syscall(SYS_close, fd);
}

/* The attributes of one message, by type, up to IFLA/IFA/RTA's highest. */
#define RTNL_MAX_ATTR 64

static int attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(a);

	if (type < RTNL_MAX_ATTR && mnl_attr_type_valid(a, RTNL_MAX_ATTR) >= 0)
		tb[type] = a;
	return MNL_CB_OK;
}

/* @len bytes of @a as the address of @family into @ss; false otherwise. */
static bool load_addr(const struct nlattr *a, int family,
		      struct sockaddr_storage *ss)
{
	size_t n = family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;

	memset(ss, 0, sizeof(*ss));
	ss->ss_family = (sa_family_t)family;
	if (!a)
		return true; /* a default route has no RTA_DST */
	if (!n || mnl_attr_get_payload_len(a) != n)
		return false;
	if (family == AF_INET)
		memcpy(&((struct sockaddr_in *)ss)->sin_addr,
		       mnl_attr_get_payload(a), n);
	else
		memcpy(&((struct sockaddr_in6 *)ss)->sin6_addr,
		       mnl_attr_get_payload(a), n);
	return true;
}

static void copy_name(char *dst, const struct nlattr *a)
{
	size_t n;

	dst[0] = '\0';
	if (!a)
		return;
	n = strnlen(mnl_attr_get_payload(a), mnl_attr_get_payload_len(a));
	if (n >= IFNAMSIZ)
		n = IFNAMSIZ - 1;
	memcpy(dst, mnl_attr_get_payload(a), n);
	dst[n] = '\0';
}

static bool parse_link(const struct nlmsghdr *nlh, struct cmn_rtnl_event *ev)
{
	const struct nlattr *tb[RTNL_MAX_ATTR] = { 0 };
	const struct ifinfomsg *ifi;

	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(*ifi))
		return false;
	ifi = mnl_nlmsg_get_payload(nlh);
	mnl_attr_parse(nlh, sizeof(*ifi), attr_cb, tb);
	ev->kind = nlh->nlmsg_type == RTM_DELLINK ? CMN_RTNL_LINK_GONE :
						    CMN_RTNL_LINK;
	ev->ifindex = ifi->ifi_index;
	/* Up for traffic: up by the administrator, and with a carrier. */
	ev->up = (ifi->ifi_flags & IFF_UP) && (ifi->ifi_flags & IFF_RUNNING);
	copy_name(ev->ifname, tb[IFLA_IFNAME]);
	return true;
}

static bool parse_addr(const struct nlmsghdr *nlh, struct cmn_rtnl_event *ev)
{
	const struct nlattr *tb[RTNL_MAX_ATTR] = { 0 };
	const struct ifaddrmsg *ifa;
	const struct nlattr *a;
	uint32_t flags;

	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(*ifa))
		return false;
	ifa = mnl_nlmsg_get_payload(nlh);
	if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
		return false;
	mnl_attr_parse(nlh, sizeof(*ifa), attr_cb, tb);
	/* IFA_LOCAL is the address itself; IFA_ADDRESS the peer's on a
	 * point-to-point link, and the only one IPv6 sends. */
	a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!a || !load_addr(a, ifa->ifa_family, &ev->addr))
		return false;
	flags = tb[IFA_FLAGS] && mnl_attr_get_payload_len(tb[IFA_FLAGS]) == 4 ?
			mnl_attr_get_u32(tb[IFA_FLAGS]) :
			ifa->ifa_flags;
	ev->kind = nlh->nlmsg_type == RTM_DELADDR ? CMN_RTNL_ADDR_DEL :
						    CMN_RTNL_ADDR_NEW;
	ev->family = ifa->ifa_family;
	ev->ifindex = (int)ifa->ifa_index;
	ev->prefixlen = ifa->ifa_prefixlen;
	ev->tentative = flags & IFA_F_TENTATIVE;
	copy_name(ev->ifname, tb[IFA_LABEL]);
	return true;
}

static bool parse_route(const struct nlmsghdr *nlh, struct cmn_rtnl_event *ev)
{
	const struct nlattr *tb[RTNL_MAX_ATTR] = { 0 };
	const struct rtmsg *rtm;
	uint32_t table;

	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(*rtm))
		return false;
	rtm = mnl_nlmsg_get_payload(nlh);
	if (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6)
		return false;
	/* Only routes that carry traffic out: not local, broadcast or
	 * multicast ones, not the per-destination cache. */
	if (rtm->rtm_type != RTN_UNICAST || (rtm->rtm_flags & RTM_F_CLONED))
		return false;
	mnl_attr_parse(nlh, sizeof(*rtm), attr_cb, tb);
	table = tb[RTA_TABLE] && mnl_attr_get_payload_len(tb[RTA_TABLE]) == 4 ?
			mnl_attr_get_u32(tb[RTA_TABLE]) :
			rtm->rtm_table;
	if (table == RT_TABLE_LOCAL)
		return false;
	if (!load_addr(tb[RTA_DST], rtm->rtm_family, &ev->addr))
		return false;
	ev->kind = nlh->nlmsg_type == RTM_DELROUTE ? CMN_RTNL_ROUTE_DEL :
						     CMN_RTNL_ROUTE_NEW;
	ev->family = rtm->rtm_family;
	ev->prefixlen = rtm->rtm_dst_len;
	if (tb[RTA_OIF] && mnl_attr_get_payload_len(tb[RTA_OIF]) == 4)
		ev->ifindex = (int)mnl_attr_get_u32(tb[RTA_OIF]);
	if (tb[RTA_MULTIPATH]) {
		const struct rtnexthop *nh =
			mnl_attr_get_payload(tb[RTA_MULTIPATH]);

		ev->multipath = true;
		if (mnl_attr_get_payload_len(tb[RTA_MULTIPATH]) >= sizeof(*nh))
			ev->ifindex = nh->rtnh_ifindex;
	}
	return true;
}

int cmn_rtnl_parse(const void *buf, size_t len, struct cmn_rtnl_event *out,
		   int cap)
{
	const struct nlmsghdr *nlh = buf;
	int left = (int)len, n = 0;

	while (n < cap && mnl_nlmsg_ok(nlh, left)) {
		struct cmn_rtnl_event *ev = &out[n];
		bool ok = false;

		memset(ev, 0, sizeof(*ev));
		switch (nlh->nlmsg_type) {
		case RTM_NEWLINK:
		case RTM_DELLINK:
			ok = parse_link(nlh, ev);
			break;
		case RTM_NEWADDR:
		case RTM_DELADDR:
			ok = parse_addr(nlh, ev);
			break;
		case RTM_NEWROUTE:
		case RTM_DELROUTE:
			ok = parse_route(nlh, ev);
			break;
		}
		n += ok;
		nlh = mnl_nlmsg_next(nlh, &left);
	}
	return n;
}

int cmn_rtnl_read(int fd, void *buf, size_t len, struct cmn_rtnl_event *out,
		  int cap)
{
	ssize_t n;

	if (cap < 1)
		return -EINVAL;
	do
		n = cmn_nl_recv(fd, buf, len, MSG_DONTWAIT);
	while (n == -EINTR);
	if (n == -ENOBUFS) {
		/* Missed changes: the caller looks at everything again. */
		memset(out, 0, sizeof(*out));
		out->kind = CMN_RTNL_LOST;
		return 1;
	}
	if (n < 0)
		return (int)n == -EWOULDBLOCK ? -EAGAIN : (int)n;
	return cmn_rtnl_parse(buf, (size_t)n, out, cap);
}

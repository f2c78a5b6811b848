// SPDX-License-Identifier: MIT
/* The mptcp_pm_events stream: subscription, reading, decoding. */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "cmn_clock.h"
#include "cmn_nl.h"
#include "mpl_err.h"
#include "mpl_event.h"
#include "mpl_nl.h"
#include "mpl_uapi.h"

#define EV_RCVBUF (8 << 20)

struct mptcplib_events {
	struct mpl_nl nl;
	char buf[MPL_NL_BUFSIZE];
	int len; /* bytes of unread messages at buf + off */
	int off;
};

struct ev_raw {
	struct mptcplib_event *ev;
	const void *saddr4, *daddr4, *saddr6, *daddr6;
	uint16_t sport, dport; /* network order */
	int family;
};

static int ev_attr_cb(const struct nlattr *attr, void *data)
{
	struct ev_raw *r = data;
	struct mptcplib_event *ev = r->ev;
	uint16_t len = mnl_attr_get_payload_len(attr);
	const void *p = mnl_attr_get_payload(attr);

	switch (mnl_attr_get_type(attr)) {
	case MPL_ATTR_TOKEN:
		if (len == 4)
			ev->token = mnl_attr_get_u32(attr);
		break;
	case MPL_ATTR_FAMILY:
		if (len == 2)
			r->family = mnl_attr_get_u16(attr);
		break;
	case MPL_ATTR_LOC_ID:
		if (len == 1)
			ev->local_addr_id = mnl_attr_get_u8(attr);
		break;
	case MPL_ATTR_REM_ID:
		if (len == 1)
			ev->remote_addr_id = mnl_attr_get_u8(attr);
		break;
	case MPL_ATTR_SADDR4:
		if (len == 4)
			r->saddr4 = p;
		break;
	case MPL_ATTR_DADDR4:
		if (len == 4)
			r->daddr4 = p;
		break;
	case MPL_ATTR_SADDR6:
		if (len == 16)
			r->saddr6 = p;
		break;
	case MPL_ATTR_DADDR6:
		if (len == 16)
			r->daddr6 = p;
		break;
	case MPL_ATTR_SPORT:
		if (len == 2)
			memcpy(&r->sport, p, 2);
		break;
	case MPL_ATTR_DPORT:
		if (len == 2)
			memcpy(&r->dport, p, 2);
		break;
	case MPL_ATTR_BACKUP:
		if (len == 1)
			ev->backup = mnl_attr_get_u8(attr);
		break;
	case MPL_ATTR_ERROR:
		if (len == 1)
			ev->error = mnl_attr_get_u8(attr);
		break;
	case MPL_ATTR_FLAGS:
		if (len == 2)
			ev->flags = mnl_attr_get_u16(attr);
		break;
	case MPL_ATTR_IF_IDX:
		if (len == 4)
			ev->ifindex = (int)mnl_attr_get_u32(attr);
		break;
	case MPL_ATTR_RESET_REASON:
		if (len == 4)
			ev->reset_reason = mnl_attr_get_u32(attr);
		break;
	case MPL_ATTR_SERVER_SIDE:
		if (len == 1 && mnl_attr_get_u8(attr))
			ev->server_side = 1;
		break;
	}
	return MNL_CB_OK;
}

/* Fill @ss from a raw address and a network-order port, if present. */
static void ev_put_addr(struct sockaddr_storage *ss, int family, const void *a4,
			const void *a6, uint16_t port)
{
	if (a4 && family != AF_INET6) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		in->sin_family = AF_INET;
		memcpy(&in->sin_addr, a4, 4);
		in->sin_port = port;
	} else if (a6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		in6->sin6_family = AF_INET6;
		memcpy(&in6->sin6_addr, a6, 16);
		in6->sin6_port = port;
	}
}

int mpl_event_parse(const struct nlmsghdr *nlh, struct mptcplib_event *ev)
{
	const struct genlmsghdr *genl;
	struct ev_raw r = { .ev = ev };

	memset(ev, 0, sizeof(*ev));
	ev->local_addr_id = -1;
	ev->remote_addr_id = -1;
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*genl))
		return -EINVAL;
	genl = mnl_nlmsg_get_payload(nlh);
	ev->type = genl->cmd;
	if (mnl_attr_parse(nlh, sizeof(*genl), ev_attr_cb, &r) < 0)
		return -EINVAL;
	ev_put_addr(&ev->local, r.family, r.saddr4, r.saddr6, r.sport);
	ev_put_addr(&ev->remote, r.family, r.daddr4, r.daddr6, r.dport);
	if (ev->flags & MPL_EV_FLAG_SERVER_SIDE)
		ev->server_side = 1;
	return 0;
}

int mptcplib_events_open(struct mptcplib_events **out)
{
	struct mptcplib_events *ev;
	int err, grp;

	mpl_clear();
	*out = NULL;
	ev = calloc(1, sizeof(*ev));
	if (!ev)
		return mpl_fail(ENOMEM, "events: out of memory");
	err = mpl_nl_open(&ev->nl);
	if (err) {
		free(ev);
		return mpl_fail(-err, "events: cannot reach the mptcp_pm "
				      "netlink family");
	}
	grp = (int)ev->nl.events_group;
	if (!grp) {
		mpl_nl_close(&ev->nl);
		free(ev);
		return mpl_fail(ENOSYS, "events: the kernel has no "
					"mptcp_pm_events group");
	}
	err = -cmn_nl_setsockopt(ev->nl.fd, NETLINK_ADD_MEMBERSHIP, grp);
	if (err) {
		mpl_nl_close(&ev->nl);
		free(ev);
		return mpl_fail(err, "events: joining mptcp_pm_events needs "
				     "CAP_NET_ADMIN");
	}
	/*
	 * Events of every connection in the namespace share this buffer: make
	 * it large, so that a burst of connections does not overflow it.
	 * Best effort; without privilege the kernel caps it at rmem_max.
	 */
	if (syscall(SYS_setsockopt, mpl_nl_fd(&ev->nl), SOL_SOCKET,
		    SO_RCVBUFFORCE, &(int){ EV_RCVBUF }, sizeof(int)) < 0)
		syscall(SYS_setsockopt, mpl_nl_fd(&ev->nl), SOL_SOCKET,
			SO_RCVBUF, &(int){ EV_RCVBUF }, sizeof(int));
	*out = ev;
	return 0;
}

int mptcplib_events_fd(const struct mptcplib_events *ev)
{
	return mpl_nl_fd(&ev->nl);
}

/* Next event message already buffered, or NULL. */
static const struct nlmsghdr *ev_pending(struct mptcplib_events *ev)
{
	while (ev->len > 0) {
		const struct nlmsghdr *nlh =
			(const struct nlmsghdr *)(ev->buf + ev->off);
		int before = ev->len;

		if (!mnl_nlmsg_ok(nlh, ev->len)) {
			ev->len = 0;
			break;
		}
		mnl_nlmsg_next(nlh, &ev->len);
		ev->off += before - ev->len;
		if (nlh->nlmsg_type == ev->nl.family_id)
			return nlh;
	}
	return NULL;
}

int mpl_events_next(struct mptcplib_events *ev, struct mptcplib_event *out,
		    int timeout_ms)
{
	int64_t deadline = cmn_now_ms() + timeout_ms;
	const struct nlmsghdr *nlh;
	struct pollfd pfd = { .fd = mptcplib_events_fd(ev), .events = POLLIN };
	ssize_t n;
	int wait, rc;

	for (;;) {
		while ((nlh = ev_pending(ev)))
			if (mpl_event_parse(nlh, out) == 0)
				return 0;
		wait = timeout_ms < 0 ? -1 : (int)(deadline - cmn_now_ms());
		if (timeout_ms >= 0 && wait < 0)
			wait = 0;
		rc = poll(&pfd, 1, wait);
		if (rc < 0)
			return -errno;
		if (rc == 0)
			return -ETIMEDOUT;
		n = cmn_nl_recv(pfd.fd, ev->buf, sizeof(ev->buf), MSG_DONTWAIT);
		if (n == -EAGAIN || n == -EINTR)
			continue;
		if (n < 0)
			return (int)n;
		ev->off = 0;
		ev->len = (int)n;
	}
}

int mptcplib_events_next(struct mptcplib_events *ev, struct mptcplib_event *out,
			 int timeout_ms)
{
	int err;

	mpl_clear();
	err = mpl_events_next(ev, out, timeout_ms);
	switch (err) {
	case 0:
		return 0;
	case -ETIMEDOUT:
		return mpl_fail(-err, "events: none within %d ms", timeout_ms);
	case -ENOBUFS:
		return mpl_fail(-err, "events: the kernel dropped events "
				      "(the reader was too slow)");
	default:
		return mpl_fail(-err, "events: receive");
	}
}

void mptcplib_events_close(struct mptcplib_events *ev)
{
	if (!ev)
		return;
	mpl_nl_close(&ev->nl);
	free(ev);
}

const char *mptcplib_event_name(int type)
{
	switch (type) {
	case MPTCPLIB_EVENT_CREATED:
		return "CREATED";
	case MPTCPLIB_EVENT_ESTABLISHED:
		return "ESTABLISHED";
	case MPTCPLIB_EVENT_CLOSED:
		return "CLOSED";
	case MPTCPLIB_EVENT_ANNOUNCED:
		return "ANNOUNCED";
	case MPTCPLIB_EVENT_REMOVED:
		return "REMOVED";
	case MPTCPLIB_EVENT_SUB_ESTABLISHED:
		return "SUB_ESTABLISHED";
	case MPTCPLIB_EVENT_SUB_CLOSED:
		return "SUB_CLOSED";
	case MPTCPLIB_EVENT_SUB_PRIORITY:
		return "SUB_PRIORITY";
	case MPTCPLIB_EVENT_LISTENER_CREATED:
		return "LISTENER_CREATED";
	case MPTCPLIB_EVENT_LISTENER_CLOSED:
		return "LISTENER_CLOSED";
	default:
		return "UNKNOWN";
	}
}

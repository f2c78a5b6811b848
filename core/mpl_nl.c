// SPDX-License-Identifier: MIT
/* The mptcp_pm generic netlink family: messages and requests. */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cmn_addr.h"
#include "cmn_nl.h"
#include "mpl_nl.h"
#include "mpl_uapi.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif
#ifndef NLM_F_CAPPED
#define NLM_F_CAPPED 0x100
#endif
#ifndef NLM_F_ACK_TLVS
#define NLM_F_ACK_TLVS 0x200
#endif

int mpl_pm_addr_init(struct mpl_pm_addr *a, const struct sockaddr *sa)
{
	size_t len;
	const void *raw = cmn_sa_addr(sa, &len);

	memset(a, 0, sizeof(*a));
	a->id = -1;
	a->flags = -1;
	a->family = sa->sa_family;
	if (!raw)
		return -EAFNOSUPPORT;
	memcpy(&a->addr, raw, len);
	return 0;
}

bool mpl_pm_addr_same(const struct mpl_pm_addr *a, const struct mpl_pm_addr *b)
{
	if (a->family != b->family)
		return false;
	if (a->family == AF_INET)
		return a->addr.v4.s_addr == b->addr.v4.s_addr;
	return !memcmp(&a->addr.v6, &b->addr.v6, sizeof(a->addr.v6));
}

static struct nlmsghdr *nl_put_genl(void *buf, uint16_t type, uint16_t flags,
				    uint32_t seq, uint8_t cmd, uint8_t version)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = version;
	return nlh;
}

struct nlmsghdr *mpl_nl_put_getfamily(void *buf, uint32_t seq)
{
	struct nlmsghdr *nlh = nl_put_genl(buf, GENL_ID_CTRL,
					   NLM_F_REQUEST | NLM_F_ACK, seq,
					   CTRL_CMD_GETFAMILY, 1);

	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, MPL_PM_NAME);
	return nlh;
}

static void nl_put_addr(struct nlmsghdr *nlh, uint16_t type,
			const struct mpl_pm_addr *a)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, type);

	/* pm_nl_ctl marks nests explicitly; the kernel accepts both forms. */
	nest->nla_type |= NLA_F_NESTED;
	mnl_attr_put_u16(nlh, MPL_PM_ADDR_ATTR_FAMILY, (uint16_t)a->family);
	if (a->family == AF_INET)
		mnl_attr_put(nlh, MPL_PM_ADDR_ATTR_ADDR4, sizeof(a->addr.v4),
			     &a->addr.v4);
	else
		mnl_attr_put(nlh, MPL_PM_ADDR_ATTR_ADDR6, sizeof(a->addr.v6),
			     &a->addr.v6);
	if (a->id >= 0)
		mnl_attr_put_u8(nlh, MPL_PM_ADDR_ATTR_ID, (uint8_t)a->id);
	/* Host order: the kernel reads it raw (docs/kernel-facts.md §8). */
	if (a->port)
		mnl_attr_put_u16(nlh, MPL_PM_ADDR_ATTR_PORT, a->port);
	if (a->flags >= 0)
		mnl_attr_put_u32(nlh, MPL_PM_ADDR_ATTR_FLAGS,
				 (uint32_t)a->flags);
	if (a->ifindex)
		mnl_attr_put_u32(nlh, MPL_PM_ADDR_ATTR_IF_IDX,
				 (uint32_t)a->ifindex);
	mnl_attr_nest_end(nlh, nest);
}

struct nlmsghdr *mpl_nl_put_pm_cmd(void *buf, uint16_t family_id, uint32_t seq,
				   uint8_t cmd, uint32_t token,
				   const struct mpl_pm_addr *local,
				   const struct mpl_pm_addr *remote)
{
	struct nlmsghdr *nlh = nl_put_genl(buf, family_id,
					   NLM_F_REQUEST | NLM_F_ACK, seq, cmd,
					   MPL_PM_VER);

	mnl_attr_put_u32(nlh, MPL_PM_ATTR_TOKEN, token);
	nl_put_addr(nlh, MPL_PM_ATTR_ADDR, local);
	if (remote)
		nl_put_addr(nlh, MPL_PM_ATTR_ADDR_REMOTE, remote);
	return nlh;
}

struct nlmsghdr *mpl_nl_put_get_addrs(void *buf, uint16_t family_id,
				      uint32_t seq, uint32_t token)
{
	struct nlmsghdr *nlh = nl_put_genl(buf, family_id,
					   NLM_F_REQUEST | NLM_F_DUMP, seq,
					   MPL_PM_CMD_GET_ADDR, MPL_PM_VER);

	mnl_attr_put_u32(nlh, MPL_PM_ATTR_TOKEN, token);
	return nlh;
}

struct nlmsghdr *mpl_nl_put_get_endpoints(void *buf, uint16_t family_id,
					  uint32_t seq)
{
	return nl_put_genl(buf, family_id, NLM_F_REQUEST | NLM_F_DUMP, seq,
			   MPL_PM_CMD_GET_ADDR, MPL_PM_VER);
}

struct nlmsghdr *mpl_nl_put_get_limits(void *buf, uint16_t family_id,
				       uint32_t seq)
{
	return nl_put_genl(buf, family_id, NLM_F_REQUEST | NLM_F_ACK, seq,
			   MPL_PM_CMD_GET_LIMITS, MPL_PM_VER);
}

struct nlmsghdr *mpl_nl_put_remove(void *buf, uint16_t family_id, uint32_t seq,
				   uint32_t token, uint8_t id)
{
	struct nlmsghdr *nlh = nl_put_genl(buf, family_id,
					   NLM_F_REQUEST | NLM_F_ACK, seq,
					   MPL_PM_CMD_REMOVE, MPL_PM_VER);

	mnl_attr_put_u32(nlh, MPL_PM_ATTR_TOKEN, token);
	mnl_attr_put_u8(nlh, MPL_PM_ATTR_LOC_ID, id);
	return nlh;
}

struct err_tlvs {
	const char *msg;
	int miss_type;
	long offs;
};

static int nl_err_attr_cb(const struct nlattr *attr, void *data)
{
	struct err_tlvs *t = data;

	switch (mnl_attr_get_type(attr)) {
	case MPL_NLMSGERR_ATTR_MSG:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
			t->msg = mnl_attr_get_str(attr);
		break;
	case MPL_NLMSGERR_ATTR_MISS_TYPE:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			t->miss_type = (int)mnl_attr_get_u32(attr);
		break;
	case MPL_NLMSGERR_ATTR_OFFS:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			t->offs = (long)mnl_attr_get_u32(attr);
		break;
	}
	return MNL_CB_OK;
}

int mpl_nl_parse_err(const struct nlmsghdr *nlh, char *msg, size_t msglen,
		     long *bad_off)
{
	struct err_tlvs tlvs = { NULL, -1, -1 };
	size_t off;
	int error;

	if (msglen)
		msg[0] = '\0';
	if (nlh->nlmsg_type == NLMSG_DONE) {
		if (mnl_nlmsg_get_payload_len(nlh) < sizeof(int))
			return 0;
		error = *(const int *)mnl_nlmsg_get_payload(nlh);
		off = sizeof(int);
	} else {
		const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

		if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e))
			return -EBADMSG;
		error = e->error;
		off = sizeof(*e);
		/* Without NETLINK_CAP_ACK the request is echoed first. */
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	}
	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) &&
	    off < mnl_nlmsg_get_payload_len(nlh))
		mnl_attr_parse(nlh, (unsigned int)off, nl_err_attr_cb, &tlvs);
	if (bad_off)
		*bad_off = tlvs.offs;
	if (!msglen)
		return error;
	if (tlvs.msg)
		snprintf(msg, msglen, "%s", tlvs.msg);
	else if (tlvs.miss_type >= 0)
		snprintf(msg, msglen, "missing attribute %d", tlvs.miss_type);
	return error;
}

int mpl_nl_attr_at(const struct nlmsghdr *req, long off)
{
	const struct nlattr *attr;

	if (off < 0 || (size_t)off >= req->nlmsg_len)
		return -1;
	mnl_attr_for_each(attr, req, sizeof(struct genlmsghdr)) {
		long start = (const char *)attr - (const char *)req;

		if (off >= start &&
		    off < start + (long)MNL_ALIGN(attr->nla_len))
			return mnl_attr_get_type(attr);
	}
	return -1;
}

struct family_info {
	uint16_t id;
	uint32_t group;
	uint32_t ops;
};

static void nl_family_groups(const struct nlattr *groups,
			     struct family_info *fi)
{
	const struct nlattr *grp, *a;

	mnl_attr_for_each_nested(grp, groups) {
		const char *name = NULL;
		uint32_t id = 0;

		mnl_attr_for_each_nested(a, grp) {
			if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_NAME &&
			    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
				name = mnl_attr_get_str(a);
			else if (mnl_attr_get_type(a) ==
					 CTRL_ATTR_MCAST_GRP_ID &&
				 mnl_attr_validate(a, MNL_TYPE_U32) == 0)
				id = mnl_attr_get_u32(a);
		}
		if (name && !strcmp(name, MPL_PM_EV_GRP_NAME))
			fi->group = id;
	}
}

static void nl_family_ops(const struct nlattr *ops, struct family_info *fi)
{
	const struct nlattr *op, *a;

	mnl_attr_for_each_nested(op, ops) {
		mnl_attr_for_each_nested(a, op) {
			if (mnl_attr_get_type(a) == CTRL_ATTR_OP_ID &&
			    mnl_attr_validate(a, MNL_TYPE_U32) == 0 &&
			    mnl_attr_get_u32(a) < 32)
				fi->ops |= 1u << mnl_attr_get_u32(a);
		}
	}
}

static int nl_family_attr_cb(const struct nlattr *attr, void *data)
{
	struct family_info *fi = data;

	switch (mnl_attr_get_type(attr)) {
	case CTRL_ATTR_FAMILY_ID:
		if (mnl_attr_validate(attr, MNL_TYPE_U16) == 0)
			fi->id = mnl_attr_get_u16(attr);
		break;
	case CTRL_ATTR_MCAST_GROUPS:
		nl_family_groups(attr, fi);
		break;
	case CTRL_ATTR_OPS:
		nl_family_ops(attr, fi);
		break;
	}
	return MNL_CB_OK;
}

int mpl_nl_parse_family(const struct nlmsghdr *nlh, uint16_t *family_id,
			uint32_t *events_group, uint32_t *ops)
{
	struct family_info fi = { 0 };

	if (nlh->nlmsg_type != GENL_ID_CTRL)
		return -EINVAL;
	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), nl_family_attr_cb, &fi);
	if (!fi.id)
		return -EINVAL;
	*family_id = fi.id;
	*events_group = fi.group;
	*ops = fi.ops;
	return 0;
}

static int nl_addr_attr_cb(const struct nlattr *attr, void *data)
{
	struct mpl_pm_addr *a = data;
	uint16_t len = mnl_attr_get_payload_len(attr);

	switch (mnl_attr_get_type(attr)) {
	case MPL_PM_ADDR_ATTR_FAMILY:
		if (len == 2)
			a->family = mnl_attr_get_u16(attr);
		break;
	case MPL_PM_ADDR_ATTR_ID:
		if (len == 1)
			a->id = mnl_attr_get_u8(attr);
		break;
	case MPL_PM_ADDR_ATTR_ADDR4:
		if (len == sizeof(a->addr.v4))
			memcpy(&a->addr.v4, mnl_attr_get_payload(attr), len);
		break;
	case MPL_PM_ADDR_ATTR_ADDR6:
		if (len == sizeof(a->addr.v6))
			memcpy(&a->addr.v6, mnl_attr_get_payload(attr), len);
		break;
	case MPL_PM_ADDR_ATTR_PORT:
		if (len == 2)
			a->port = mnl_attr_get_u16(attr);
		break;
	case MPL_PM_ADDR_ATTR_FLAGS:
		if (len == 4)
			a->flags = (int)mnl_attr_get_u32(attr);
		break;
	case MPL_PM_ADDR_ATTR_IF_IDX:
		if (len == 4)
			a->ifindex = (int)mnl_attr_get_u32(attr);
		break;
	}
	return MNL_CB_OK;
}

static int nl_addr_top_cb(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) == MPL_PM_ATTR_ADDR)
		mnl_attr_parse_nested(attr, nl_addr_attr_cb, data);
	return MNL_CB_OK;
}

int mpl_nl_parse_addr(const struct nlmsghdr *nlh, struct mpl_pm_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->id = -1;
	a->flags = -1;
	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), nl_addr_top_cb, a);
	if (a->family != AF_INET && a->family != AF_INET6)
		return -EINVAL;
	return 0;
}

struct limits {
	int subflows, accepted;
};

static int nl_limits_cb(const struct nlattr *attr, void *data)
{
	struct limits *l = data;

	if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
		return MNL_CB_OK;
	switch (mnl_attr_get_type(attr)) {
	case MPL_PM_ATTR_SUBFLOWS:
		l->subflows = (int)mnl_attr_get_u32(attr);
		break;
	case MPL_PM_ATTR_RCV_ADD_ADDRS:
		l->accepted = (int)mnl_attr_get_u32(attr);
		break;
	}
	return MNL_CB_OK;
}

int mpl_nl_parse_limits(const struct nlmsghdr *nlh, int *subflows,
			int *add_addr_accepted)
{
	struct limits l = { -1, -1 };

	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), nl_limits_cb, &l);
	if (l.subflows < 0 || l.accepted < 0)
		return -EINVAL;
	*subflows = l.subflows;
	*add_addr_accepted = l.accepted;
	return 0;
}

typedef int (*nl_reply_cb)(const struct nlmsghdr *nlh, void *data);

/*
 * Send @req and read until its ack, NLMSG_DONE or error; data messages go
 * to @cb. The kernel always terminates a request, so this cannot hang on
 * a live socket.
 */
static int nl_talk(struct mpl_nl *nl, struct nlmsghdr *req, nl_reply_cb cb,
		   void *data)
{
	char buf[MPL_NL_BUFSIZE];
	const struct nlmsghdr *nlh;
	ssize_t len;
	int len_left;

	nl->ext_msg[0] = '\0';
	nl->bad_attr = -1;
	req->nlmsg_seq = ++nl->seq;
	len = cmn_nl_send(nl->fd, req, req->nlmsg_len);
	if (len < 0)
		return (int)len;
	for (;;) {
		len = cmn_nl_recv(nl->fd, buf, sizeof(buf), 0);
		if (len == -EINTR)
			continue;
		if (len < 0)
			return (int)len;
		len_left = (int)len;
		for (nlh = (const struct nlmsghdr *)buf;
		     mnl_nlmsg_ok(nlh, len_left);
		     nlh = mnl_nlmsg_next(nlh, &len_left)) {
			if (nlh->nlmsg_seq != nl->seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR ||
			    nlh->nlmsg_type == NLMSG_DONE) {
				long off = -1;
				int err = mpl_nl_parse_err(nlh, nl->ext_msg,
							   sizeof(nl->ext_msg),
							   &off);

				nl->bad_attr = mpl_nl_attr_at(req, off);
				return err;
			}
			if (nlh->nlmsg_type == NLMSG_NOOP || !cb)
				continue;
			cb(nlh, data);
		}
	}
}

/*
 * Generic-netlink family ids are fixed while the kernel runs (MPTCP is
 * built in): resolve "mptcp_pm" once per process, not once per request.
 */
static struct {
	atomic_uint id, group, ops;
	atomic_int ready;
} nl_family_cache;

static int nl_family_cb(const struct nlmsghdr *nlh, void *data)
{
	struct mpl_nl *nl = data;

	return mpl_nl_parse_family(nlh, &nl->family_id, &nl->events_group,
				   &nl->ops);
}

int mpl_nl_open(struct mpl_nl *nl)
{
	char buf[MPL_NL_REQSIZE] = { 0 }; /* zeroed: attribute padding */
	struct cmn_nl sock;
	int err;

	memset(nl, 0, sizeof(*nl));
	nl->fd = -1;
	err = cmn_nl_open(NETLINK_GENERIC, &sock);
	if (err)
		return err;
	nl->fd = sock.fd;
	nl->portid = sock.portid;
	/* Both are best effort: without them errors just carry no text. */
	cmn_nl_setsockopt(nl->fd, NETLINK_EXT_ACK, 1);
	cmn_nl_setsockopt(nl->fd, NETLINK_CAP_ACK, 1);
	if (atomic_load_explicit(&nl_family_cache.ready,
				 memory_order_acquire)) {
		nl->family_id = (uint16_t)atomic_load(&nl_family_cache.id);
		nl->events_group = atomic_load(&nl_family_cache.group);
		nl->ops = atomic_load(&nl_family_cache.ops);
		return 0;
	}
	err = nl_talk(nl, mpl_nl_put_getfamily(buf, 0), nl_family_cb, nl);
	if (err == 0 && !nl->family_id)
		err = -ENOENT;
	if (err)
		goto fail;
	atomic_store(&nl_family_cache.id, nl->family_id);
	atomic_store(&nl_family_cache.group, nl->events_group);
	atomic_store(&nl_family_cache.ops, nl->ops);
	atomic_store_explicit(&nl_family_cache.ready, 1, memory_order_release);
	return 0;
fail:
	mpl_nl_close(nl);
	return err;
}

void mpl_nl_close(struct mpl_nl *nl)
{
	struct cmn_nl sock = { .fd = nl->fd };

	cmn_nl_close(&sock);
	nl->fd = -1;
}

int mpl_nl_fd(const struct mpl_nl *nl)
{
	return nl->fd;
}

bool mpl_nl_has_op(const struct mpl_nl *nl, int cmd)
{
	return cmd >= 0 && cmd < 32 && (nl->ops & (1u << cmd));
}

int mpl_nl_pm_cmd(struct mpl_nl *nl, uint8_t cmd, uint32_t token,
		  const struct mpl_pm_addr *local,
		  const struct mpl_pm_addr *remote)
{
	char buf[MPL_NL_REQSIZE] = { 0 }; /* zeroed: attribute padding */

	return nl_talk(nl,
		       mpl_nl_put_pm_cmd(buf, nl->family_id, 0, cmd, token,
					 local, remote),
		       NULL, NULL);
}

struct addr_dump {
	struct mpl_pm_addr *out;
	int cap;
	int n; /* stored */
	int total; /* listed */
};

static int nl_addr_dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct addr_dump *d = data;
	struct mpl_pm_addr a;

	if (mpl_nl_parse_addr(nlh, &a))
		return 0;
	d->total++;
	if (d->n < d->cap)
		d->out[d->n++] = a;
	return 0;
}

int mpl_nl_get_addrs(struct mpl_nl *nl, uint32_t token, struct mpl_pm_addr *out,
		     int cap, int *n)
{
	char buf[MPL_NL_REQSIZE] = { 0 }; /* zeroed: attribute padding */
	struct addr_dump d = { out, cap, 0, 0 };
	int err;

	err = nl_talk(nl, mpl_nl_put_get_addrs(buf, nl->family_id, 0, token),
		      nl_addr_dump_cb, &d);
	*n = d.n;
	return err;
}

int mpl_nl_get_endpoints(struct mpl_nl *nl, struct mpl_pm_addr *out, int cap,
			 int *n)
{
	char buf[MPL_NL_REQSIZE] = { 0 }; /* zeroed: attribute padding */
	struct addr_dump d = { out, cap, 0, 0 };
	int err;

	err = nl_talk(nl, mpl_nl_put_get_endpoints(buf, nl->family_id, 0),
		      nl_addr_dump_cb, &d);
	*n = d.total;
	return err;
}

static int nl_limits_reply_cb(const struct nlmsghdr *nlh, void *data)
{
	struct limits *l = data;

	return mpl_nl_parse_limits(nlh, &l->subflows, &l->accepted);
}

int mpl_nl_get_limits(struct mpl_nl *nl, int *subflows, int *add_addr_accepted)
{
	char buf[MPL_NL_REQSIZE] = { 0 }; /* zeroed: attribute padding */
	struct limits l = { -1, -1 };
	int err;

	err = nl_talk(nl, mpl_nl_put_get_limits(buf, nl->family_id, 0),
		      nl_limits_reply_cb, &l);
	if (!err && (l.subflows < 0 || l.accepted < 0))
		err = -EBADMSG; /* acked without a reply */
	if (err)
		return err;
	*subflows = l.subflows;
	*add_addr_accepted = l.accepted;
	return 0;
}

int mpl_nl_remove(struct mpl_nl *nl, uint32_t token, uint8_t id)
{
	char buf[MPL_NL_REQSIZE] = { 0 }; /* zeroed: attribute padding */

	return nl_talk(nl, mpl_nl_put_remove(buf, nl->family_id, 0, token, id),
		       NULL, NULL);
}

// SPDX-License-Identifier: MIT
#include <errno.h>
#include <netinet/tcp.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "cmn_nl.h"
#include "cmn_addr.h"
#include "mpl_diag.h"
#include "mpl_nl.h"
#include "mpl_uapi.h"

struct diag_match {
	const struct sockaddr *local, *remote;
	struct mpl_diag_sf *out;
	int found;
};

static int diag_mptcp_cb(const struct nlattr *attr, void *data)
{
	struct mpl_diag_sf *sf = data;
	uint16_t len = mnl_attr_get_payload_len(attr);

	switch (mnl_attr_get_type(attr)) {
	case MPL_SUBFLOW_ATTR_FLAGS:
		if (len == 4)
			sf->flags = mnl_attr_get_u32(attr);
		break;
	case MPL_SUBFLOW_ATTR_ID_LOC:
		if (len == 1)
			sf->local_id = mnl_attr_get_u8(attr);
		break;
	case MPL_SUBFLOW_ATTR_ID_REM:
		if (len == 1)
			sf->remote_id = mnl_attr_get_u8(attr);
		break;
	}
	return MNL_CB_OK;
}

static int diag_ulp_cb(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) == MPL_INET_ULP_INFO_MPTCP)
		mnl_attr_parse_nested(attr, diag_mptcp_cb, data);
	return MNL_CB_OK;
}

static int diag_attr_cb(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) == INET_DIAG_ULP_INFO)
		mnl_attr_parse_nested(attr, diag_ulp_cb, data);
	return MNL_CB_OK;
}

/* The endpoint a diag id describes, unmapped like our own addresses. */
static void diag_sa(struct sockaddr_storage *ss, int family, const __be32 *a,
		    __be16 port)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		in->sin_family = AF_INET;
		in->sin_addr.s_addr = a[0];
		in->sin_port = port;
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		in6->sin6_family = AF_INET6;
		memcpy(&in6->sin6_addr, a, 16);
		in6->sin6_port = port;
		cmn_sa_unmap(ss);
	}
}

static int diag_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct inet_diag_msg *msg = mnl_nlmsg_get_payload(nlh);
	struct diag_match *m = data;
	struct sockaddr_storage src, dst;

	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY || m->found)
		return MNL_CB_OK;
	diag_sa(&src, msg->idiag_family, msg->id.idiag_src,
		msg->id.idiag_sport);
	diag_sa(&dst, msg->idiag_family, msg->id.idiag_dst,
		msg->id.idiag_dport);
	if (!cmn_sa_equal((struct sockaddr *)&src, m->local) ||
	    !cmn_sa_equal((struct sockaddr *)&dst, m->remote))
		return MNL_CB_OK;
	memset(m->out, 0, sizeof(*m->out));
	m->out->local_id = -1;
	m->out->remote_id = -1;
	m->out->state = msg->idiag_state;
	m->out->ifindex = (int)msg->id.idiag_if;
	mnl_attr_parse(nlh, sizeof(*msg), diag_attr_cb, m->out);
	m->found = 1;
	return MNL_CB_OK;
}

/* The tuple in a diag request, v4-mapped when asking the IPv6 table. */
static void diag_put_id(struct inet_diag_sockid *id, int family,
			const struct sockaddr *local,
			const struct sockaddr *remote)
{
	const struct sockaddr *ends[2] = { local, remote };
	__be32 *addrs[2] = { id->idiag_src, id->idiag_dst };
	int i;

	id->idiag_sport = htons(cmn_sa_port(local));
	id->idiag_dport = htons(cmn_sa_port(remote));
	id->idiag_cookie[0] = INET_DIAG_NOCOOKIE;
	id->idiag_cookie[1] = INET_DIAG_NOCOOKIE;
	for (i = 0; i < 2; i++) {
		if (ends[i]->sa_family == AF_INET6) {
			memcpy(addrs[i],
			       &((const struct sockaddr_in6 *)ends[i])
					->sin6_addr,
			       16);
		} else if (family == AF_INET6) {
			addrs[i][2] = htonl(0xffff);
			addrs[i][3] = ((const struct sockaddr_in *)ends[i])
					      ->sin_addr.s_addr;
		} else {
			addrs[i][0] = ((const struct sockaddr_in *)ends[i])
					      ->sin_addr.s_addr;
		}
	}
}

/*
 * One diag request for @family. @exact looks the tuple up directly (cheap,
 * but it cannot see device-bound sockets); otherwise the namespace's TCP
 * sockets are dumped and matched here.
 */
static int diag_query(struct mnl_socket *nl, int family, bool exact,
		      struct diag_match *m)
{
	char buf[MPL_NL_BUFSIZE] = { 0 }; /* zeroed: attribute padding */
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct inet_diag_req_v2 *req;
	int ret;

	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST | (exact ? 0 : NLM_F_DUMP);
	nlh->nlmsg_seq = 1;
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = (uint8_t)family;
	req->sdiag_protocol = IPPROTO_TCP;
	req->idiag_states = ~((1u << TCP_LISTEN) | (1u << TCP_TIME_WAIT));
	req->idiag_ext = 1 << (INET_DIAG_INFO - 1);
	if (exact)
		diag_put_id(&req->id, family, m->local, m->remote);
	ret = cmn_nl_talk(nl, nlh, buf, sizeof(buf), diag_msg_cb, m);
	/* An exact lookup of a socket that is not there. */
	return ret == -ENOENT ? 0 : ret;
}

int mpl_diag_subflow(const struct sockaddr *local,
		     const struct sockaddr *remote, struct mpl_diag_sf *out)
{
	struct diag_match m = { local, remote, out, 0 };
	/* The initial subflow of a dual-stack socket is AF_INET6, v4-mapped. */
	int families[2] = { local->sa_family, AF_INET6 };
	int nfam = local->sa_family == AF_INET ? 2 : 1;
	struct mnl_socket *nl;
	int err, i, exact;

	err = cmn_nl_open(NETLINK_SOCK_DIAG, &nl);
	if (err)
		return err;
	for (exact = 1; exact >= 0 && !m.found; exact--)
		for (i = 0; i < nfam && !m.found && !err; i++)
			err = diag_query(nl, families[i], exact, &m);
	mnl_socket_close(nl);
	if (err)
		return err;
	return m.found ? 0 : -ENOENT;
}

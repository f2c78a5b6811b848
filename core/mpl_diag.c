// SPDX-License-Identifier: MIT
/* inet_diag requests and the one parser of their replies. */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#include "cmn_addr.h"
#include "cmn_nl.h"
#include "mpl_diag.h"
#include "mpl_nl.h"
#include "mpl_uapi.h"

/* Sockets of no interest to MPTCP: listeners and TIME-WAIT leftovers. */
#define DIAG_STATES (~((1u << TCP_LISTEN) | (1u << TCP_TIME_WAIT)))

static int diag_mptcp_cb(const struct nlattr *attr, void *data)
{
	struct mpl_diag_sock *s = data;
	uint16_t len = mnl_attr_get_payload_len(attr);

	switch (mnl_attr_get_type(attr)) {
	case MPL_SUBFLOW_ATTR_TOKEN_LOC:
		if (len == sizeof(uint32_t))
			s->token = mnl_attr_get_u32(attr);
		break;
	case MPL_SUBFLOW_ATTR_FLAGS:
		if (len == sizeof(uint32_t))
			s->flags = mnl_attr_get_u32(attr);
		break;
	case MPL_SUBFLOW_ATTR_ID_LOC:
		if (len == sizeof(uint8_t))
			s->local_id = mnl_attr_get_u8(attr);
		break;
	case MPL_SUBFLOW_ATTR_ID_REM:
		if (len == sizeof(uint8_t))
			s->remote_id = mnl_attr_get_u8(attr);
		break;
	}
	return MNL_CB_OK;
}

static int diag_ulp_cb(const struct nlattr *attr, void *data)
{
	struct mpl_diag_sock *s = data;

	if (mnl_attr_get_type(attr) != MPL_INET_ULP_INFO_MPTCP)
		return MNL_CB_OK;
	s->subflow = true;
	mnl_attr_parse_nested(attr, diag_mptcp_cb, data);
	return MNL_CB_OK;
}

struct diag_attrs {
	const struct nlattr *info, *ulp, *v6only;
};

static int diag_attr_cb(const struct nlattr *attr, void *data)
{
	struct diag_attrs *a = data;

	if (mnl_attr_get_type(attr) == INET_DIAG_INFO)
		a->info = attr;
	else if (mnl_attr_get_type(attr) == INET_DIAG_ULP_INFO)
		a->ulp = attr;
	else if (mnl_attr_get_type(attr) == INET_DIAG_SKV6ONLY &&
		 mnl_attr_get_payload_len(attr) >= 1)
		a->v6only = attr;
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
	} else if (family == AF_INET6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		in6->sin6_family = AF_INET6;
		memcpy(&in6->sin6_addr, a, sizeof(in6->sin6_addr));
		in6->sin6_port = port;
		cmn_sa_unmap(ss);
	}
}

/*
 * INET_DIAG_INFO into @dst: a struct mptcp_info or tcp_info as long as the
 * kernel sent it; what an older kernel lacks stays 0.
 */
static void diag_info_copy(const struct nlattr *info, void *dst, size_t size)
{
	size_t n = mnl_attr_get_payload_len(info);

	memset(dst, 0, size);
	memcpy(dst, mnl_attr_get_payload(info), n < size ? n : size);
}

static void diag_info(const struct nlattr *info, int protocol,
		      struct mpl_diag_sock *s)
{
	struct mpl_mptcp_info mi;
	struct mpl_tcp_info ti;

	if (protocol == MPL_IPPROTO_MPTCP) {
		diag_info_copy(info, &mi, sizeof(mi));
		s->token = mi.token;
		s->mptcp_flags = mi.flags;
		s->mptcp_rcv_nxt = mi.rcv_nxt;
	} else {
		size_t n = mnl_attr_get_payload_len(info);

		diag_info_copy(info, &ti, sizeof(ti));
		s->bytes_acked = ti.bytes_acked;
		s->bytes_received = ti.bytes_received;
		s->tcpinfo_len = n < sizeof(s->tcpinfo) ? n :
							  sizeof(s->tcpinfo);
		memcpy(s->tcpinfo, mnl_attr_get_payload(info), s->tcpinfo_len);
	}
}

int mpl_diag_parse(const struct nlmsghdr *nlh, int protocol,
		   struct mpl_diag_sock *out)
{
	const struct inet_diag_msg *msg = mnl_nlmsg_get_payload(nlh);
	struct diag_attrs a = { 0 };

	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*msg))
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->local_id = -1;
	out->remote_id = -1;
	diag_sa(&out->local, msg->idiag_family, msg->id.idiag_src,
		msg->id.idiag_sport);
	diag_sa(&out->remote, msg->idiag_family, msg->id.idiag_dst,
		msg->id.idiag_dport);
	out->state = msg->idiag_state;
	out->family = msg->idiag_family;
	out->inode = msg->idiag_inode;
	out->ifindex = (int)msg->id.idiag_if;
	if (mnl_attr_parse(nlh, sizeof(*msg), diag_attr_cb, &a) < 0)
		return -EINVAL;
	if (a.info)
		diag_info(a.info, protocol, out);
	if (a.ulp)
		mnl_attr_parse_nested(a.ulp, diag_ulp_cb, out);
	if (a.v6only)
		out->v6only = mnl_attr_get_u8(a.v6only) != 0;
	return 0;
}

/* The tuple in a diag request, v4-mapped when asking the IPv6 table. */
static void diag_put_id(struct inet_diag_sockid *id, int family,
			const struct sockaddr *local,
			const struct sockaddr *remote)
{
	const struct sockaddr *ends[2] = { local, remote };
	__be32 *addrs[2] = { id->idiag_src, id->idiag_dst };
	struct sockaddr_in6 mapped = { .sin6_family = AF_INET6 };
	const struct sockaddr *sa;
	const void *a;
	size_t len;
	int i;

	id->idiag_sport = htons(cmn_sa_port(local));
	id->idiag_dport = htons(cmn_sa_port(remote));
	id->idiag_cookie[0] = INET_DIAG_NOCOOKIE;
	id->idiag_cookie[1] = INET_DIAG_NOCOOKIE;
	for (i = 0; i < 2; i++) {
		sa = ends[i];
		if (sa->sa_family == AF_INET && family == AF_INET6) {
			/* ::ffff:a.b.c.d, the form of a dual-stack socket. */
			mapped.sin6_addr.s6_addr[10] = 0xff;
			mapped.sin6_addr.s6_addr[11] = 0xff;
			memcpy(&mapped.sin6_addr.s6_addr[12],
			       &((const struct sockaddr_in *)sa)->sin_addr,
			       sizeof(struct in_addr));
			sa = (const struct sockaddr *)&mapped;
		}
		a = cmn_sa_addr(sa, &len);
		if (a)
			memcpy(addrs[i], a, len);
	}
}

/* What a request asks, beyond the family and protocol. */
struct diag_req {
	/* A lookup of the one socket @local -> @remote; NULL: a dump. */
	const struct sockaddr *local, *remote;
	int ifindex; /* lookup: the device it is bound to, 0 for none */
	const void *bc; /* dump: a filter of @bclen bytes, if any */
	size_t bclen;
	/* MPTCP: a lookup of the connection with this local token */
	bool by_token;
	uint32_t token;
};

/*
 * A sock_diag request for @protocol sockets of @family into @buf (zeroed),
 * with INET_DIAG_INFO, as @q says.
 */
static struct nlmsghdr *diag_put_req(void *buf, int family, int protocol,
				     const struct diag_req *q)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct inet_diag_req_v2 *req;

	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST |
			   (q->local || q->by_token ? 0 : NLM_F_DUMP);
	nlh->nlmsg_seq = 1;
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = (uint8_t)family;
	req->idiag_states = DIAG_STATES;
	req->idiag_ext = 1 << (INET_DIAG_INFO - 1);
	if (q->local) {
		diag_put_id(&req->id, family, q->local, q->remote);
		req->id.idiag_if = (uint32_t)q->ifindex;
	}
	if (q->by_token) {
		/* The MPTCP handler looks the connection up by its token. */
		req->id.idiag_cookie[0] = q->token;
		req->id.idiag_cookie[1] = 0;
	}
	/* A protocol number past 255 (MPTCP's) goes in an attribute. */
	if (protocol > UINT8_MAX) {
		req->sdiag_protocol = IPPROTO_TCP;
		mnl_attr_put_u32(nlh, INET_DIAG_REQ_PROTOCOL,
				 (uint32_t)protocol);
	} else {
		req->sdiag_protocol = (uint8_t)protocol;
	}
	if (q->bclen)
		mnl_attr_put(nlh, INET_DIAG_REQ_BYTECODE, q->bclen, q->bc);
	return nlh;
}

struct diag_walk {
	int protocol;
	mpl_diag_cb cb;
	void *data;
};

static int diag_walk_cb(const struct nlmsghdr *nlh, void *data)
{
	struct diag_walk *w = data;
	struct mpl_diag_sock s;

	if (mpl_diag_parse(nlh, w->protocol, &s) == 0)
		w->cb(&s, w->data);
	return MNL_CB_OK;
}

/* One request built by diag_put_req(), each socket of the reply to @cb. */
static int diag_ask(const struct cmn_nl *nl, int family, int protocol,
		    const struct diag_req *q, mpl_diag_cb cb, void *data)
{
	char buf[MPL_NL_BUFSIZE] = { 0 }; /* zeroed: attribute padding */
	struct diag_walk w = { protocol, cb, data };

	return cmn_nl_talk(nl, diag_put_req(buf, family, protocol, q), buf,
			   sizeof(buf), diag_walk_cb, &w);
}

static int diag_talk(const struct cmn_nl *nl, int family, int protocol,
		     const struct sockaddr *local,
		     const struct sockaddr *remote, mpl_diag_cb cb, void *data)
{
	struct diag_req q = { .local = local, .remote = remote };

	return diag_ask(nl, family, protocol, &q, cb, data);
}

int mpl_diag_dump(const struct cmn_nl *nl, int family, int protocol,
		  mpl_diag_cb cb, void *data)
{
	return diag_talk(nl, family, protocol, NULL, NULL, cb, data);
}

/* One operation of inet_diag bytecode (struct inet_diag_bc_op). */
static void bc_op(unsigned char *at, int code, int yes, int no)
{
	struct inet_diag_bc_op op = { (unsigned char)code, (unsigned char)yes,
				      (unsigned short)no };

	memcpy(at, &op, sizeof(op));
}

int mpl_diag_bc_ports(void *buf, size_t len, const struct mpl_diag_ports *p,
		      int n)
{
	/* Per pair: S_EQ, its port, D_EQ, its port, JMP. */
	const int op = (int)sizeof(struct inet_diag_bc_op), block = 5 * op;
	unsigned char *bc = buf;
	int i, total = n * block;

	if (n <= 0 || n > MPL_DIAG_PORTS_MAX || (size_t)total > len)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		unsigned char *b = bc + i * block;
		/* A mismatch goes to the next pair; past the last, 4 bytes
		 * beyond the end: the kernel's "reject". */
		int next = i + 1 < n ? 0 : op;

		bc_op(b, INET_DIAG_BC_S_EQ, 2 * op, block + next);
		bc_op(b + op, 0, 0, p[i].sport);
		bc_op(b + 2 * op, INET_DIAG_BC_D_EQ, 2 * op,
		      block - 2 * op + next);
		bc_op(b + 3 * op, 0, 0, p[i].dport);
		/* Both matched: to the end, the kernel's "accept". A jump
		 * always takes its "no"; its "yes" is what the kernel's
		 * check walks along. */
		bc_op(b + 4 * op, INET_DIAG_BC_JMP, op,
		      total - i * block - 4 * op);
	}
	return total;
}

int mpl_diag_dump_ports(const struct cmn_nl *nl, int family,
			const struct mpl_diag_ports *p, int n, mpl_diag_cb cb,
			void *data)
{
	unsigned char
		bc[MPL_DIAG_PORTS_MAX * 5 * sizeof(struct inet_diag_bc_op)];
	int len = mpl_diag_bc_ports(bc, sizeof(bc), p, n);

	struct diag_req q = { .bc = bc };

	if (len < 0)
		return len;
	q.bclen = (size_t)len;
	return diag_ask(nl, family, IPPROTO_TCP, &q, cb, data);
}

struct diag_match {
	const struct sockaddr *local, *remote;
	struct mpl_diag_sock *out;
	bool found;
};

static void diag_match_cb(const struct mpl_diag_sock *s, void *data)
{
	struct diag_match *m = data;

	if (m->found ||
	    !cmn_sa_equal((const struct sockaddr *)&s->local, m->local) ||
	    !cmn_sa_equal((const struct sockaddr *)&s->remote, m->remote))
		return;
	*m->out = *s;
	m->found = true;
}

int mpl_diag_subflow_nl(const struct cmn_nl *nl, const struct sockaddr *local,
			const struct sockaddr *remote,
			struct mpl_diag_sock *out)
{
	struct diag_match m = { local, remote, out, false };
	/* The initial subflow of a dual-stack socket is AF_INET6, v4-mapped. */
	int families[2] = { local->sa_family, AF_INET6 };
	int nfam = local->sa_family == AF_INET ? 2 : 1;
	int err = 0, i, exact;

	/*
	 * The exact lookup is cheap but cannot see device-bound sockets;
	 * then the namespace's TCP sockets are dumped and matched here.
	 */
	for (exact = 1; exact >= 0 && !m.found && !err; exact--) {
		for (i = 0; i < nfam && !m.found && !err; i++) {
			err = diag_talk(nl, families[i], IPPROTO_TCP,
					exact ? local : NULL,
					exact ? remote : NULL, diag_match_cb,
					&m);
			/* An exact lookup of a socket that is not there. */
			if (err == -ENOENT)
				err = 0;
		}
	}
	if (err)
		return err;
	return m.found ? 0 : -ENOENT;
}

int mpl_diag_lookup_nl(const struct cmn_nl *nl, const struct sockaddr *local,
		       const struct sockaddr *remote, int ifindex,
		       struct mpl_diag_sock *out)
{
	struct diag_match m = { local, remote, out, false };
	/* The initial subflow of a dual-stack socket is AF_INET6, v4-mapped. */
	int families[2] = { local->sa_family, AF_INET6 };
	int nfam = local->sa_family == AF_INET ? 2 : 1;
	struct diag_req q = { .local = local,
			      .remote = remote,
			      .ifindex = ifindex };
	int err = 0, i;

	for (i = 0; i < nfam && !m.found && !err; i++) {
		err = diag_ask(nl, families[i], IPPROTO_TCP, &q, diag_match_cb,
			       &m);
		if (err == -ENOENT)
			err = 0;
	}
	if (err)
		return err;
	return m.found ? 0 : -ENOENT;
}

int mpl_diag_subflow(const struct sockaddr *local,
		     const struct sockaddr *remote, struct mpl_diag_sock *out)
{
	struct cmn_nl nl;
	int err;

	err = cmn_nl_open(NETLINK_SOCK_DIAG, &nl);
	if (err)
		return err;
	err = mpl_diag_subflow_nl(&nl, local, remote, out);
	cmn_nl_close(&nl);
	return err;
}

struct diag_token {
	uint32_t token;
	struct mpl_diag_sock *out;
	bool found;
};

static void diag_token_cb(const struct mpl_diag_sock *s, void *data)
{
	struct diag_token *t = data;

	if (t->found || s->token != t->token)
		return;
	*t->out = *s;
	t->found = true;
}

int mpl_diag_token(uint32_t token, struct mpl_diag_sock *out)
{
	static const int families[] = { AF_INET, AF_INET6 };
	struct diag_token t = { token, out, false };
	struct cmn_nl nl;
	size_t i;
	int err;

	err = cmn_nl_open(NETLINK_SOCK_DIAG, &nl);
	if (err)
		return err;
	for (i = 0; i < 2 && !t.found && !err; i++)
		err = mpl_diag_dump(&nl, families[i], MPL_IPPROTO_MPTCP,
				    diag_token_cb, &t);
	cmn_nl_close(&nl);
	if (err)
		return err;
	return t.found ? 0 : -ENOENT;
}

int mpl_diag_conn_nl(const struct cmn_nl *nl, uint32_t token,
		     struct mpl_diag_sock *out)
{
	struct diag_req q = { .by_token = true, .token = token };
	struct diag_token t = { token, out, false };
	int err;

	err = diag_ask(nl, AF_INET, MPL_IPPROTO_MPTCP, &q, diag_token_cb, &t);
	if (err)
		return err;
	return t.found ? 0 : -ENOENT;
}

// SPDX-License-Identifier: MIT
/* getsockopt(SOL_MPTCP): socket kind, MPTCP_INFO and the subflow list. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cmn_addr.h"
#include "cmn_nl.h"
#include "mpl_diag.h"
#include "mpl_sock.h"

_Static_assert(sizeof(struct mpl_mptcp_info) == 96, "mptcp_info layout");
_Static_assert(offsetof(struct mpl_mptcp_info, token) == 12, "token offset");
_Static_assert(offsetof(struct mpl_mptcp_info, retransmits) == 44,
	       "6.5 fields offset");
_Static_assert(sizeof(struct mpl_subflow_info) == 264, "subflow_info size");
_Static_assert(offsetof(struct mpl_full_info, mptcp_info) ==
		       MPL_FULL_INFO_HDR_LEN,
	       "full_info header");

/* Larger than any kernel's tcp_info (280 on 6.18); the kernel lowers it. */
#define SOCK_TCPINFO_MAX MPL_DIAG_TCPINFO_MAX
#define SOCK_FIRST_GUESS 8

/*
 * A fallen-back socket answers SOL_MPTCP with EOPNOTSUPP over IPv4 and
 * ENOPROTOOPT over IPv6 (docs/kernel-facts.md §4); callers see one value.
 */
static int sock_norm_err(int err)
{
	return err == ENOPROTOOPT ? -EOPNOTSUPP : -err;
}

int mpl_sock_info(int fd, struct mpl_mptcp_info *info, socklen_t *len)
{
	socklen_t optlen = sizeof(*info);

	memset(info, 0, sizeof(*info));
	if (getsockopt(fd, MPL_SOL_MPTCP, MPL_MPTCP_INFO, info, &optlen) < 0)
		return sock_norm_err(errno);
	if (len)
		*len = optlen;
	return 0;
}

int mpl_sock_token(int fd, uint32_t *token)
{
	struct mpl_mptcp_info info;
	/*
	 * The kernel copies only as much as asked: the token is all a
	 * connect() hook needs, and the rest would be copied for nothing.
	 */
	socklen_t need =
		offsetof(struct mpl_mptcp_info, token) + sizeof(info.token);
	socklen_t optlen = need;

	*token = 0;
	if (getsockopt(fd, MPL_SOL_MPTCP, MPL_MPTCP_INFO, &info, &optlen) < 0)
		return sock_norm_err(errno);
	if (optlen >= need)
		*token = info.token;
	return 0;
}

int mpl_sock_kind(int fd, enum mptcplib_kind *kind)
{
	int type = 0, proto = 0, domain = 0, is_mptcp = 0;
	socklen_t len = sizeof(int);

	*kind = MPTCPLIB_KIND_OTHER;
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0)
		return -errno;
	len = sizeof(int);
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0)
		return -errno;
	len = sizeof(int);
	if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len) < 0)
		return -errno;
	if (type != SOCK_STREAM || (domain != AF_INET && domain != AF_INET6))
		return 0;
	if (proto == IPPROTO_TCP) {
		*kind = MPTCPLIB_KIND_TCP;
		return 0;
	}
	if (proto != MPL_IPPROTO_MPTCP)
		return 0;
	/* TCP_IS_MPTCP (6.9+) first, then the optlen-0 MPTCP_INFO probe. */
	len = sizeof(int);
	if (getsockopt(fd, IPPROTO_TCP, MPL_TCP_IS_MPTCP, &is_mptcp, &len) == 0)
		*kind = is_mptcp ? MPTCPLIB_KIND_MPTCP : MPTCPLIB_KIND_FALLBACK;
	else if (getsockopt(fd, MPL_SOL_MPTCP, MPL_MPTCP_INFO, NULL,
			    &(socklen_t){ 0 }) == 0)
		*kind = MPTCPLIB_KIND_MPTCP;
	else
		*kind = MPTCPLIB_KIND_FALLBACK;
	return 0;
}

void mpl_sf_list_free(struct mpl_sf_list *list)
{
	free(list->sf);
	free(list->tcpinfo);
	memset(list, 0, sizeof(*list));
}

/* One MPTCP_FULL_INFO call with room for @cap subflows. */
static int sock_full_info(int fd, uint32_t cap, struct mpl_subflow_info *sfi,
			  unsigned char *tcpi, struct mpl_full_info *mfi,
			  socklen_t *optlen)
{
	memset(mfi, 0, sizeof(*mfi));
	mfi->size_tcpinfo_user = SOCK_TCPINFO_MAX;
	mfi->size_sfinfo_user = sizeof(*sfi);
	mfi->size_arrays_user = cap;
	mfi->subflow_info = (uintptr_t)sfi;
	mfi->tcp_info = (uintptr_t)tcpi;
	*optlen = sizeof(*mfi);
	if (getsockopt(fd, MPL_SOL_MPTCP, MPL_MPTCP_FULL_INFO, mfi, optlen) < 0)
		return -errno;
	return 0;
}

/* FNV-1a over the bytes that name one end of a subflow. */
static uint32_t sock_hash_end(uint32_t h, const struct sockaddr *sa)
{
	unsigned char port[2] = { (unsigned char)(cmn_sa_port(sa) >> 8),
				  (unsigned char)cmn_sa_port(sa) };
	const unsigned char *p;
	size_t len = 0, i;

	p = cmn_sa_addr(sa, &len);
	h = (h ^ (uint32_t)sa->sa_family) * 16777619u;
	for (i = 0; p && i < len; i++)
		h = (h ^ p[i]) * 16777619u;
	for (i = 0; i < sizeof(port); i++)
		h = (h ^ port[i]) * 16777619u;
	return h;
}

int mpl_sf_legacy_id(const struct sockaddr *local,
		     const struct sockaddr *remote,
		     const struct sockaddr *conn_local,
		     const struct sockaddr *conn_remote)
{
	uint32_t h = 2166136261u;

	if (cmn_sa_equal(local, conn_local) &&
	    cmn_sa_equal(remote, conn_remote))
		return 1;
	h = sock_hash_end(sock_hash_end(h, local), remote);
	/* 2..INT_MAX: 1 is the initial subflow's. */
	return 2 + (int)(h % ((uint32_t)INT32_MAX - 1));
}

/*
 * MPTCP_SUBFLOW_ADDRS into a fresh array of @list->count tuples. The answer
 * is a struct mpl_subflow_data header and one element per subflow, as
 * many as fitted, each of the size the kernel wrote back in size_user.
 */
static int sock_addrs(int fd, struct mpl_subflow_addrs **out, int *count)
{
	uint32_t cap = SOCK_FIRST_GUESS, n = 0, i;
	struct mpl_subflow_data *hdr;
	unsigned char *buf = NULL;
	socklen_t optlen;
	int attempt;

	for (attempt = 0; attempt < 2; attempt++) {
		free(buf);
		optlen = sizeof(*hdr) + cap * sizeof(**out);
		buf = calloc(1, optlen);
		if (!buf)
			return -ENOMEM;
		hdr = (struct mpl_subflow_data *)buf;
		hdr->size_subflow_data = sizeof(*hdr);
		hdr->size_user = sizeof(**out);
		if (getsockopt(fd, MPL_SOL_MPTCP, MPL_MPTCP_SUBFLOW_ADDRS, buf,
			       &optlen) < 0) {
			free(buf);
			return sock_norm_err(errno);
		}
		if (hdr->num_subflows <= cap)
			break;
		cap = hdr->num_subflows + 4;
	}
	/* What the kernel copied: whole elements after the header. */
	if (hdr->size_user && hdr->size_subflow_data <= optlen)
		n = (optlen - hdr->size_subflow_data) / hdr->size_user;
	if (n > hdr->num_subflows)
		n = hdr->num_subflows;
	*out = calloc(n ? n : 1, sizeof(**out));
	if (!*out) {
		free(buf);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++)
		memcpy(&(*out)[i],
		       buf + hdr->size_subflow_data +
			       (size_t)i * hdr->size_user,
		       hdr->size_user < sizeof(**out) ? hdr->size_user :
							sizeof(**out));
	*count = (int)n;
	free(buf);
	return 0;
}

/*
 * Kernels before 6.5 (Debian 12's 6.1) have no MPTCP_FULL_INFO, so no
 * subflow ids. Their MPTCP_SUBFLOW_ADDRS lists the subflows' tuples, and
 * inet_diag reports each subflow's state and tcp_info to any user (its
 * address ids only to CAP_NET_ADMIN there): ids are made from the tuples
 * (mpl_sf_legacy_id()), the same for every caller (docs/kernel-facts.md
 * §18). A listed subflow that inet_diag no longer finds has closed.
 */
static int sock_subflows_legacy(int fd, struct mpl_sf_list *list)
{
	struct sockaddr_storage conn_local, conn_remote;
	socklen_t llen = sizeof(conn_local), rlen = sizeof(conn_remote);
	struct mpl_subflow_addrs *addrs = NULL;
	struct mpl_diag_sock *diag = NULL;
	struct cmn_nl nl = { .fd = -1 };
	int err, i, n = 0;

	memset(list, 0, sizeof(*list));
	/* The MPTCP socket's own ends are those of its initial subflow. */
	memset(&conn_local, 0, sizeof(conn_local));
	memset(&conn_remote, 0, sizeof(conn_remote));
	if (getsockname(fd, (struct sockaddr *)&conn_local, &llen) == 0)
		cmn_sa_unmap(&conn_local);
	if (getpeername(fd, (struct sockaddr *)&conn_remote, &rlen) == 0)
		cmn_sa_unmap(&conn_remote);
	err = mpl_sock_info(fd, &list->info, &list->info_len);
	if (!err)
		err = sock_addrs(fd, &addrs, &n);
	if (!err)
		err = cmn_nl_open(NETLINK_SOCK_DIAG, &nl);
	if (err)
		goto out;
	list->sf = calloc(n ? n : 1, sizeof(*list->sf));
	list->tcpinfo = calloc(n ? n : 1, SOCK_TCPINFO_MAX);
	diag = malloc(sizeof(*diag));
	if (!list->sf || !list->tcpinfo || !diag) {
		err = -ENOMEM;
		goto out;
	}
	list->tcpinfo_len = SOCK_TCPINFO_MAX;
	for (i = 0; i < n; i++) {
		struct mpl_sf *sf = &list->sf[i];

		memcpy(&sf->local, &addrs[i].ss_local, sizeof(sf->local));
		memcpy(&sf->remote, &addrs[i].ss_remote, sizeof(sf->remote));
		cmn_sa_unmap(&sf->local);
		cmn_sa_unmap(&sf->remote);
		sf->tcpinfo = list->tcpinfo + (size_t)i * SOCK_TCPINFO_MAX;
		sf->tcp_state = TCP_CLOSE;
		sf->id = (uint32_t)mpl_sf_legacy_id(
			(struct sockaddr *)&sf->local,
			(struct sockaddr *)&sf->remote,
			(struct sockaddr *)&conn_local,
			(struct sockaddr *)&conn_remote);
		err = mpl_diag_subflow_nl(&nl, (struct sockaddr *)&sf->local,
					  (struct sockaddr *)&sf->remote, diag);
		if (err == -ENOENT) {
			err = 0;
			continue;
		}
		if (err)
			goto out;
		sf->tcp_state = diag->state;
		memcpy(list->tcpinfo + (size_t)i * SOCK_TCPINFO_MAX,
		       diag->tcpinfo, diag->tcpinfo_len);
		if (diag->tcpinfo_len && diag->tcpinfo_len < list->tcpinfo_len)
			list->tcpinfo_len = diag->tcpinfo_len;
	}
	list->count = n;
out:
	cmn_nl_close(&nl);
	free(diag);
	free(addrs);
	if (err)
		mpl_sf_list_free(list);
	return err;
}

int mpl_sock_subflows(int fd, struct mpl_sf_list *list)
{
	struct mpl_subflow_info *sfi = NULL;
	struct mpl_full_info mfi;
	uint32_t cap = SOCK_FIRST_GUESS, n, i;
	socklen_t optlen;
	int err, attempt;

	memset(list, 0, sizeof(*list));
	/*
	 * Two attempts at most: the second is sized from the first answer's
	 * count, plus slack for subflows that appeared in between. If even
	 * more appeared, we report the first ones rather than loop.
	 */
	for (attempt = 0; attempt < 2; attempt++) {
		free(sfi);
		free(list->tcpinfo);
		sfi = calloc(cap, sizeof(*sfi));
		list->tcpinfo = calloc(cap, SOCK_TCPINFO_MAX);
		if (!sfi || !list->tcpinfo) {
			err = -ENOMEM;
			goto fail;
		}
		err = sock_full_info(fd, cap, sfi, list->tcpinfo, &mfi,
				     &optlen);
		if (err)
			goto fail_probe;
		if (mfi.num_subflows <= cap)
			break;
		cap = mfi.num_subflows + 4;
	}
	n = mfi.num_subflows < cap ? mfi.num_subflows : cap;
	list->sf = calloc(n ? n : 1, sizeof(*list->sf));
	if (!list->sf) {
		err = -ENOMEM;
		goto fail;
	}
	list->tcpinfo_len = mfi.size_tcpinfo_user;
	for (i = 0; i < n; i++) {
		struct mpl_sf *sf = &list->sf[i];
		const unsigned char *ti =
			list->tcpinfo + (size_t)i * list->tcpinfo_len;

		sf->id = sfi[i].id;
		sf->tcp_state = list->tcpinfo_len ? ti[0] : TCP_ESTABLISHED;
		sf->tcpinfo = ti;
		memcpy(&sf->local, &sfi[i].addrs.ss_local, sizeof(sf->local));
		memcpy(&sf->remote, &sfi[i].addrs.ss_remote,
		       sizeof(sf->remote));
		cmn_sa_unmap(&sf->local);
		cmn_sa_unmap(&sf->remote);
	}
	list->count = (int)n;
	list->info = mfi.mptcp_info;
	list->info_len = optlen > MPL_FULL_INFO_HDR_LEN ?
				 optlen - MPL_FULL_INFO_HDR_LEN :
				 0;
	free(sfi);
	return 0;

fail_probe:
	/*
	 * Kernels before 6.5 reject the unknown optname with the same errno
	 * as a fallen-back socket; MPTCP_INFO tells the two apart, and such
	 * a kernel's subflows are listed the older way.
	 */
	if (err == -EOPNOTSUPP || err == -ENOPROTOOPT) {
		free(sfi);
		mpl_sf_list_free(list);
		if (getsockopt(fd, MPL_SOL_MPTCP, MPL_MPTCP_INFO, NULL,
			       &(socklen_t){ 0 }) == 0)
			return sock_subflows_legacy(fd, list);
		return -EOPNOTSUPP;
	}
fail:
	free(sfi);
	mpl_sf_list_free(list);
	return err;
}

int mpl_sf_is_live(const struct mpl_sf *sf)
{
	/*
	 * A destroyed initial subflow stays listed, in FIN_WAIT* or CLOSE;
	 * only a subflow that is (or is becoming) established carries data.
	 */
	return sf->tcp_state == TCP_ESTABLISHED ||
	       sf->tcp_state == TCP_SYN_SENT || sf->tcp_state == TCP_SYN_RECV;
}

const struct mpl_sf *mpl_sf_find(const struct mpl_sf_list *list, int id)
{
	int i;

	for (i = 0; i < list->count; i++)
		if ((int)list->sf[i].id == id && mpl_sf_is_live(&list->sf[i]))
			return &list->sf[i];
	return NULL;
}

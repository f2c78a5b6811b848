// SPDX-License-Identifier: MIT
/* getsockopt(SOL_MPTCP): socket kind, MPTCP_INFO and the subflow list. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cmn_addr.h"
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
#define SOCK_TCPINFO_MAX 512
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
	 * as a fallen-back socket; MPTCP_INFO tells the two apart.
	 */
	if (err == -EOPNOTSUPP || err == -ENOPROTOOPT) {
		err = getsockopt(fd, MPL_SOL_MPTCP, MPL_MPTCP_INFO, NULL,
				 &(socklen_t){ 0 }) == 0 ?
			      -ENOSYS :
			      -EOPNOTSUPP;
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

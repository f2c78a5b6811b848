/* SPDX-License-Identifier: MIT */
/* Socket-level MPTCP state: getsockopt(SOL_MPTCP) and friends. */
#ifndef MPL_SOCK_H
#define MPL_SOCK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "mptcplib.h"
#include "mpl_uapi.h"

/* One subflow as MPTCP_FULL_INFO lists it. */
struct mpl_sf {
	uint32_t id; /* the kernel's, or mpl_sf_legacy_id() before 6.5 */
	int tcp_state; /* tcpi_state */
	struct sockaddr_storage local, remote; /* v4-mapped already unmapped */
	const void *tcpinfo; /* into mpl_sf_list.tcpinfo */
};

struct mpl_sf_list {
	int count; /* entries in sf[] */
	struct mpl_sf *sf;
	size_t tcpinfo_len; /* bytes of tcp_info per subflow */
	unsigned char *tcpinfo;
	struct mpl_mptcp_info info; /* valid up to info_len */
	socklen_t info_len;
};

/* mpl_sock_kind() - classify @fd. 0 or -errno. */
int mpl_sock_kind(int fd, enum mptcplib_kind *kind);

/*
 * mpl_sock_info() - MPTCP_INFO of @fd into @info (zeroed first); @len gets
 * the byte count the kernel filled. 0, -EOPNOTSUPP (not MPTCP: plain TCP or
 * fallback, whatever the family), or another -errno.
 */
int mpl_sock_info(int fd, struct mpl_mptcp_info *info, socklen_t *len);

/*
 * mpl_sock_token() - the local token of @fd's MPTCP connection in *@token
 * (0 before the kernel gave it one), read without the rest of MPTCP_INFO.
 * 0, -EOPNOTSUPP (not MPTCP: plain TCP or fallback), or another -errno.
 */
int mpl_sock_token(int fd, uint32_t *token);

/*
 * mpl_sf_legacy_id() - pure: the id of subflow @local -> @remote on a
 * kernel without subflow ids (before 6.5), given the MPTCP socket's own
 * ends: 1 for the initial subflow (whose ends they are), as on newer
 * kernels; for the others a hash of the 4-tuple in 2..INT_MAX, stable for
 * the subflow's life and the same in every process.
 */
int mpl_sf_legacy_id(const struct sockaddr *local,
		     const struct sockaddr *remote,
		     const struct sockaddr *conn_local,
		     const struct sockaddr *conn_remote);

/*
 * mpl_sock_subflows() - every subflow the kernel lists for @fd (including a
 * closed initial one, tcp_state TCP_CLOSE). Free with mpl_sf_list_free().
 * Uses MPTCP_FULL_INFO, or on kernels without it MPTCP_SUBFLOW_ADDRS and
 * inet_diag. 0, -EOPNOTSUPP (not MPTCP), -ENOMEM or another -errno.
 */
int mpl_sock_subflows(int fd, struct mpl_sf_list *list);

void mpl_sf_list_free(struct mpl_sf_list *list);

/* mpl_sf_is_live() - established or connecting (not closing or closed). */
int mpl_sf_is_live(const struct mpl_sf *sf);

/* mpl_sf_find() - live subflow with id @id, or NULL. */
const struct mpl_sf *mpl_sf_find(const struct mpl_sf_list *list, int id);

#endif /* MPL_SOCK_H */

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
	uint32_t id;
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
 * mpl_sock_subflows() - every subflow the kernel lists for @fd (including a
 * closed initial one, tcp_state TCP_CLOSE). Free with mpl_sf_list_free().
 * 0, -EOPNOTSUPP (not MPTCP), -ENOSYS (no MPTCP_FULL_INFO), -ENOMEM.
 */
int mpl_sock_subflows(int fd, struct mpl_sf_list *list);

void mpl_sf_list_free(struct mpl_sf_list *list);

/* mpl_sf_is_live() - established or connecting (not closing or closed). */
int mpl_sf_is_live(const struct mpl_sf *sf);

/* mpl_sf_find() - live subflow with id @id, or NULL. */
const struct mpl_sf *mpl_sf_find(const struct mpl_sf_list *list, int id);

#endif /* MPL_SOCK_H */

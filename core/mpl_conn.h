/* SPDX-License-Identifier: MIT */
/* Helpers shared by the public calls: load a connection's subflows. */
#ifndef MPL_CONN_H
#define MPL_CONN_H

#include "mpl_sock.h"

/*
 * mpl_conn_subflows() - list @fd's subflows for public call @what, turning
 * failures into the public convention (positive errno + last_error text).
 */
int mpl_conn_subflows(int fd, struct mpl_sf_list *list, const char *what);

/*
 * mpl_conn_find() - as mpl_conn_subflows(), then the live subflow @id in
 * *sf (ENOENT if none). On failure the list is already freed.
 */
int mpl_conn_find(int fd, int id, struct mpl_sf_list *list,
		  const struct mpl_sf **sf, const char *what);

/*
 * mpl_conn_not_mptcp() - record why @fd is no usable MPTCP connection
 * (plain TCP or fallback). Returns EOPNOTSUPP.
 */
int mpl_conn_not_mptcp(int fd, const char *what);

/* mpl_conn_live() - how many subflows of @list are live. */
int mpl_conn_live(const struct mpl_sf_list *list);

#endif /* MPL_CONN_H */

/* SPDX-License-Identifier: MIT */
/*
 * Per-subflow state that only inet_diag exposes: the MPTCP subflow flags
 * (backup, fully established), address ids and the bound interface.
 * Readable without privilege for any socket of the network namespace.
 */
#ifndef MPL_DIAG_H
#define MPL_DIAG_H

#include <stdint.h>
#include <sys/socket.h>

struct mpl_diag_sf {
	int state; /* TCP state */
	uint32_t flags; /* MPL_SUBFLOW_FLAG_* */
	int local_id, remote_id; /* address ids, -1 if not reported */
	int ifindex; /* bound device, 0 if none */
};

/*
 * mpl_diag_subflow() - find the TCP subflow socket with this exact 4-tuple
 * (v4 tuples also match v4-mapped IPv6 sockets). 0, -ENOENT if none, or
 * another -errno.
 */
int mpl_diag_subflow(const struct sockaddr *local,
		     const struct sockaddr *remote, struct mpl_diag_sf *out);

#endif /* MPL_DIAG_H */

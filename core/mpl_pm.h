/* SPDX-License-Identifier: MIT */
/* Subflow-changing calls through the userspace path manager. */
#ifndef MPL_PM_H
#define MPL_PM_H

#include <stdbool.h>

#include "mpl_diag.h"
#include "mpl_nl.h"
#include "mpl_sock.h"

/* The connection of a failed command, as inet_diag sees it afterwards. */
enum mpl_pm_conn {
	MPL_PM_CONN_UNCHECKED, /* not looked up */
	MPL_PM_CONN_LIVE, /* an MPTCP connection has this token */
	MPL_PM_CONN_GONE, /* none has: closed, or never was */
	MPL_PM_CONN_FALLBACK, /* it has, but fell back to TCP */
};

/* What is known of a failed mptcp_pm command. */
struct mpl_pm_failure {
	int err; /* the kernel's answer, a negative errno */
	const char *ext; /* its extended-ack text, "" if none */
	int bad_attr; /* the request attribute it blamed (MPL_PM_ATTR_*), -1 */
	int req_family; /* of the subflow asked for, 0 if none */
	enum mpl_pm_conn conn;
	int conn_family; /* LIVE: the MPTCP socket's family */
	bool conn_v6only; /* LIVE: an AF_INET6 socket that refuses IPv4 */
	bool sub_gone; /* LIVE: the subflow named is none of its (inet_diag) */
};

/*
 * mpl_pm_families_match() - pure: may a connection of @conn_family
 * (@v6only) have a subflow of @req_family? The kernel's rule: IPv4 ones
 * only IPv4, IPv6-only ones only IPv6, dual-stack ones either.
 */
bool mpl_pm_families_match(int conn_family, bool v6only, int req_family);

/*
 * mpl_pm_needs_conn() - pure: must the connection be looked up before
 * @f can be explained? An EINVAL that blames no address comes from the
 * token: unknown, or owned by the in-kernel path manager.
 */
int mpl_pm_needs_conn(const struct mpl_pm_failure *f);

/*
 * mpl_pm_sub_of() - pure: is the socket an inet_diag lookup of a subflow's
 * 4-tuple found (@diag_err 0, in @d) a subflow of connection @token? 1
 * yes; 0 no: nothing has that tuple (@diag_err -ENOENT), or a subflow of
 * another connection has; -1 cannot tell (the lookup failed, or the kernel
 * hid the subflow's MPTCP attributes, as 6.1 does from unprivileged
 * callers).
 */
int mpl_pm_sub_of(int diag_err, const struct mpl_diag_sock *d, uint32_t token);

/*
 * mpl_pm_prio_action() - pure: what mptcplib_token_set_sub_prio() does
 * with priority @low_prio for the subflow whose inet_diag lookup gave
 * @diag_err and @d, in connection @token: -ENOENT (no such subflow of that
 * connection), 0 (the lookup shows it has that priority already: nothing
 * to send) or 1 (send SET_FLAGS).
 */
int mpl_pm_prio_action(int diag_err, const struct mpl_diag_sock *d,
		       uint32_t token, int low_prio);

/*
 * mpl_pm_map_err() - pure: the public API's documented errno for failure
 * @f, recording a sentence for mptcplib_last_error(). Decided by the errno,
 * the blamed attribute and the connection's state, never by the kernel's
 * text, which differs between kernels and is only quoted. Returns the
 * positive errno.
 */
int mpl_pm_map_err(const struct mpl_pm_failure *f, const char *what);

/*
 * mpl_pm_open_undo() - pure decision of a synchronous open that failed
 * with @err (positive errno) for subflow @sf (NULL if it was not listed
 * after its creation): must the subflow be destroyed, so that it cannot
 * come up after the caller was told it failed? Yes when the wait timed
 * out, or when @unwanted: it exists but not as asked (a kernel that
 * ignored its interface or backup flag). 1 with the SUBFLOW_DESTROY
 * endpoints in @local and @remote, else 0 (nothing to destroy, or no
 * subflow known to name).
 */
int mpl_pm_open_undo(int err, bool unwanted, const struct mpl_sf *sf,
		     struct mpl_pm_addr *local, struct mpl_pm_addr *remote);

/*
 * mpl_pm_failure_of() - what is known of the failure @err (-errno) of the
 * last command on @nl about connection @token, the connection (and the
 * subflow @sf the command named, if not NULL) looked up when the errno
 * alone cannot tell (mpl_pm_needs_conn()).
 */
void mpl_pm_failure_of(const struct mpl_nl *nl, int err, uint32_t token,
		       int req_family, const struct mpl_sf *sf,
		       struct mpl_pm_failure *out);

/*
 * mpl_pm_fail() - mpl_pm_failure_of() mapped by mpl_pm_map_err(): the
 * positive errno of the public API, with its sentence recorded.
 */
int mpl_pm_fail(const struct mpl_nl *nl, int err, uint32_t token,
		const char *what);

/*
 * mpl_pm_open() - open the mptcp_pm family and check that the kernel has
 * command @cmd. 0, or the positive errno recorded for the public API:
 * ENOSYS without the family or the command, another errno from netlink.
 */
int mpl_pm_open(struct mpl_nl *nl, int cmd, const char *what);

#endif /* MPL_PM_H */

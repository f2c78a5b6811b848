/* SPDX-License-Identifier: MIT */
/* Subflow-changing calls through the userspace path manager. */
#ifndef MPL_PM_H
#define MPL_PM_H

#include "mpl_nl.h"
#include "mpl_sock.h"

/*
 * mpl_pm_map_err() - turn a failed mptcp_pm command (@err, a negative
 * errno, plus the extended ack text @ext, "" if none) into the public
 * API's documented errno, recording a sentence for mptcplib_last_error().
 * Returns the positive errno.
 */
int mpl_pm_map_err(int err, const char *ext, const char *what);

/*
 * mpl_pm_open_undo() - pure decision of a synchronous open that failed
 * with @err (positive errno) while waiting for subflow @sf (NULL if it was
 * not listed after its creation): must the subflow be destroyed, so that
 * it cannot come up after the caller was told it failed? 1 with the
 * SUBFLOW_DESTROY endpoints in @local and @remote, else 0 (nothing to
 * destroy, or no subflow known to name).
 */
int mpl_pm_open_undo(int err, const struct mpl_sf *sf,
		     struct mpl_pm_addr *local, struct mpl_pm_addr *remote);

#endif /* MPL_PM_H */

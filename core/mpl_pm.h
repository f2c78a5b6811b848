/* SPDX-License-Identifier: MIT */
/* Subflow-changing calls through the userspace path manager. */
#ifndef MPL_PM_H
#define MPL_PM_H

/*
 * mpl_pm_map_err() - turn a failed mptcp_pm command (-errno plus extended
 * ack text @ext) into the public API's documented errno, recording a
 * sentence for mptcplib_last_error(). Returns the positive errno.
 */
int mpl_pm_map_err(int err, const char *ext, const char *what);

#endif /* MPL_PM_H */

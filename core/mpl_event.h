/* SPDX-License-Identifier: MIT */
/* Parsing of "mptcp_pm_events" messages; the stream API is in mptcplib.h. */
#ifndef MPL_EVENT_H
#define MPL_EVENT_H

#include <linux/netlink.h>
#include <stdint.h>

#include "mptcplib.h"

/*
 * mpl_event_parse() - decode one event message into @ev.
 * Returns 0, or -EINVAL when it is not a well-formed event.
 */
int mpl_event_parse(const struct nlmsghdr *nlh, struct mptcplib_event *ev);

/*
 * mpl_events_next() - mptcplib_events_next() for internal callers: 0 or
 * -errno, and mptcplib_last_error() is left alone.
 */
int mpl_events_next(struct mptcplib_events *ev, struct mptcplib_event *out,
		    int timeout_ms);

#endif /* MPL_EVENT_H */

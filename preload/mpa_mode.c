// SPDX-License-Identifier: MIT
/* The shim's mode: a table from what the host offers to who opens subflows. */
#include <stddef.h>

#include "mpa_mode.h"

#define ANY (-1)

/* One row: each condition is a value or ANY; the first match decides. */
static const struct mode_row {
	int daemon; /* enum mpa_daemon */
	int daemon_calls;
	int pm; /* enum mptcplib_pm */
	int cap;
	int engine_calls;
	enum mpa_mode mode;
} mode_table[] = {
	/* A daemon runs: it is the path manager, whoever we are. */
	{ MPA_DAEMON_UP, 1, ANY, ANY, ANY, MPA_MODE_DAEMON },
	{ MPA_DAEMON_UP, 0, ANY, ANY, ANY, MPA_MODE_UNREACHABLE },
	{ MPA_DAEMON_MAYBE, 1, ANY, ANY, ANY, MPA_MODE_PROBE },
	{ MPA_DAEMON_MAYBE, 0, ANY, ANY, ANY, MPA_MODE_UNREACHABLE },
	{ MPA_DAEMON_UNREACHABLE, ANY, ANY, ANY, ANY, MPA_MODE_UNREACHABLE },
	/* No daemon: as before it existed. */
	{ MPA_DAEMON_NONE, ANY, MPTCPLIB_PM_KERNEL, ANY, ANY, MPA_MODE_KERNEL },
	{ MPA_DAEMON_NONE, ANY, MPTCPLIB_PM_USERSPACE, 0, ANY,
	  MPA_MODE_NO_CAP },
	{ MPA_DAEMON_NONE, ANY, MPTCPLIB_PM_USERSPACE, 1, 0, MPA_MODE_SECCOMP },
	{ MPA_DAEMON_NONE, ANY, MPTCPLIB_PM_USERSPACE, 1, 1, MPA_MODE_ENGINE },
	{ ANY, ANY, ANY, ANY, ANY, MPA_MODE_NO_MPTCP },
};

static bool cond(int want, int have)
{
	return want == ANY || want == have;
}

enum mpa_mode mpa_mode_decide(const struct mpa_host *h)
{
	size_t i;

	for (i = 0; i < sizeof(mode_table) / sizeof(mode_table[0]); i++) {
		const struct mode_row *r = &mode_table[i];

		if (cond(r->daemon, (int)h->daemon) &&
		    cond(r->daemon_calls, h->daemon_calls) &&
		    cond(r->pm, (int)h->pm) && cond(r->cap, h->cap_net_admin) &&
		    cond(r->engine_calls, h->engine_calls))
			return r->mode;
	}
	return MPA_MODE_NO_MPTCP;
}

bool mpa_mode_has_helper(enum mpa_mode m)
{
	return m == MPA_MODE_PROBE || m == MPA_MODE_DAEMON ||
	       m == MPA_MODE_ENGINE;
}

bool mpa_mode_needs_local(enum mpa_mode m)
{
	/*
	 * The engine opens subflows from the initial one's source; the
	 * daemon reads all it needs from the socket it is passed. Until the
	 * helper has decided (PROBE), it may become the engine.
	 */
	return m == MPA_MODE_PROBE || m == MPA_MODE_ENGINE;
}

static const struct {
	enum mpa_mode mode;
	enum cmn_log_level level;
	const char *text;
} mode_texts[] = {
	{ MPA_MODE_DAEMON, CMN_LOG_INFO,
	  "mptcp-autod answers: each connection is registered with it, and "
	  "it opens the subflows" },
	{ MPA_MODE_UNREACHABLE, CMN_LOG_WARN,
	  "mptcp-autod's socket is there but cannot be used: connections "
	  "stay one-path (no path manager in this process while a daemon "
	  "may run)" },
	{ MPA_MODE_ENGINE, CMN_LOG_INFO,
	  "userspace path manager and no mptcp-autod: this process opens the "
	  "subflows per policy" },
	{ MPA_MODE_KERNEL, CMN_LOG_INFO,
	  "in-kernel path manager: sockets become MPTCP, the kernel's "
	  "endpoints decide the subflows" },
	{ MPA_MODE_NO_CAP, CMN_LOG_INFO,
	  "no CAP_NET_ADMIN: sockets become MPTCP, subflows are not opened "
	  "(run mptcp-autod, or run as root or with "
	  "AmbientCapabilities=CAP_NET_ADMIN)" },
	{ MPA_MODE_SECCOMP, CMN_LOG_WARN,
	  "the seccomp filter would kill the process on the netlink calls "
	  "subflows need: sockets become MPTCP, subflows are not opened" },
	{ MPA_MODE_NO_MPTCP, CMN_LOG_INFO,
	  "no MPTCP in this kernel: plain TCP" },
};

const char *mpa_mode_text(enum mpa_mode m, enum cmn_log_level *level)
{
	size_t i;

	for (i = 0; i < sizeof(mode_texts) / sizeof(mode_texts[0]); i++)
		if (mode_texts[i].mode == m) {
			*level = mode_texts[i].level;
			return mode_texts[i].text;
		}
	return NULL;
}

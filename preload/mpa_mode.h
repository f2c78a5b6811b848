/* SPDX-License-Identifier: MIT */
/*
 * Which path manager serves this process's connections: mptcp-autod, the
 * in-process engine, the kernel's endpoints, or none. A daemon that runs
 * wins whatever the process's privileges: two path managers must never
 * act on one namespace. Pure: the facts are gathered by the caller
 * (preload/DESIGN.md, "Start-up").
 */
#ifndef MPA_MODE_H
#define MPA_MODE_H

#include <stdbool.h>

#include "cmn_log.h"
#include "mptcplib.h"

/* What is known of mptcp-autod. */
enum mpa_daemon {
	MPA_DAEMON_NONE, /* no socket file, or nothing accepts on it */
	/* A socket file: whether it answers is found out when needed. */
	MPA_DAEMON_MAYBE,
	/* It took our connection, or its queue of connections is full. */
	MPA_DAEMON_UP,
	/* A daemon may run, but we cannot reach it (permissions). */
	MPA_DAEMON_UNREACHABLE,
};

struct mpa_host {
	enum mpa_daemon daemon;
	/* The seccomp filter allows what registering needs. */
	bool daemon_calls;
	enum mptcplib_pm pm; /* the namespace's path manager */
	bool cap_net_admin;
	/* The seccomp filter allows the engine's netlink calls. */
	bool engine_calls;
};

enum mpa_mode {
	MPA_MODE_PROBE, /* ask the daemon's socket at the first connection */
	MPA_MODE_DAEMON, /* register each connection with mptcp-autod */
	MPA_MODE_UNREACHABLE, /* a daemon may run: one path, no engine */
	MPA_MODE_ENGINE, /* the in-process engine opens the subflows */
	MPA_MODE_KERNEL, /* the kernel's endpoints decide */
	MPA_MODE_NO_CAP, /* userspace path manager, no privilege */
	MPA_MODE_SECCOMP, /* the filter forbids the engine's calls */
	MPA_MODE_NO_MPTCP, /* no MPTCP in this kernel */
};

/* mpa_mode_decide() - the mode for @h (first matching row of a table). */
enum mpa_mode mpa_mode_decide(const struct mpa_host *h);

/*
 * mpa_mode_has_helper() - connections are handed to the helper thread in
 * mode @m (to register them, to open their subflows, or to find out which
 * of the two).
 */
bool mpa_mode_has_helper(enum mpa_mode m);

/*
 * mpa_mode_needs_local() - the connect() hook reads the connection's local
 * address for the helper in mode @m (a system call on the program's
 * thread: only where the helper uses it).
 */
bool mpa_mode_needs_local(enum mpa_mode m);

/*
 * mpa_mode_text() - the line that says mode @m once, and its level in
 * *@level; NULL for MPA_MODE_PROBE (nothing is decided yet).
 */
const char *mpa_mode_text(enum mpa_mode m, enum cmn_log_level *level);

#endif /* MPA_MODE_H */

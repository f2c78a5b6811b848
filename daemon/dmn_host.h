/* SPDX-License-Identifier: MIT */
/*
 * The host's former path manager, for the connections no shim registers.
 *
 * When mptcp-autod switches its namespace to the userspace path manager,
 * the kernel stops acting on the `ip mptcp endpoint` entries for new
 * connections (docs/kernel-facts.md §6). This module does for them what the
 * in-kernel path manager did (§19), from a snapshot of the endpoints and
 * limits taken before the switch:
 *
 *   client side, once ESTABLISHED and still unregistered DMN_UNREG_GRACE_MS
 *   later: the `signal` endpoints are announced, then one subflow from each
 *   `subflow` endpoint to the peer (bound to its device when it names one,
 *   backup when it is), a `fullmesh` one to every known peer address,
 *   at most `limits.subflows` at a time; a subflow that closes makes room
 *   for the next unused endpoint. An address the peer announces
 *   (ANNOUNCED), while fewer than `limits.add_addr_accepted` were acted on:
 *   one subflow to it, from each `fullmesh` endpoint if there are any,
 *   else from the wildcard address (routing picks the source), counting
 *   towards `limits.subflows`.
 *
 *   server side (accepted connections, never registered), at ESTABLISHED:
 *   each `signal` endpoint is announced, at most DMN_HOST_MAX_SIGNAL;
 *   the peer's joins need nothing more (the userspace path manager takes
 *   them without limits, §6).
 *
 *   either side: an initial subflow whose source is a `backup` endpoint
 *   is made backup. No endpoint is used twice for one connection, and
 *   none whose address is the initial subflow's own.
 *
 * Registration: the module asks ops->is_registered() at ESTABLISHED, when
 * the grace period ends, and before every later action (an ANNOUNCED
 * event, a subflow that closed); the main loop may also hand it
 * DMN_HOST_IN_REGISTERED. A registered connection is forgotten at once:
 * before the grace period ends the module has done nothing to it; after,
 * what it opened stays (the subflows are the host's rule, within its
 * limits), and it opens nothing more. The engine then adds the program's
 * rule on top, so a connection registered that late may have both sets:
 * at most one subflow per endpoint and per accepted announcement from the
 * host's rule, never a repeat of one.
 *
 * A state machine in the engine's manner (engine/eng_engine.h):
 * dmn_host_step() takes one input and acts only through struct
 * dmn_host_ops; unit tests drive it with a fake world. Not thread-safe:
 * one thread, the daemon's loop, owns it.
 */
#ifndef DMN_HOST_H
#define DMN_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "cmn_log.h"
#include "mptcplib.h"

/* How long an established connection waits for its shim's REGISTER. */
#define DMN_UNREG_GRACE_MS 100

/* Announcements per connection: as many as a namespace has endpoints. */
#define DMN_HOST_MAX_SIGNAL 8

/* Connections followed at once; past it, new ones are left alone. */
#define DMN_HOST_MAX_CONNS 8192

/* What the in-kernel path manager had, read before the switch. */
struct dmn_host_config {
	struct mptcplib_endpoint endpoints[MPTCPLIB_ENDPOINTS_MAX];
	int nendpoints;
	struct mptcplib_limits limits;
};

/*
 * dmn_host_snapshot() - the namespace's endpoints and limits, now
 * (mptcplib_get_endpoints(), mptcplib_get_limits()): call it before
 * switching to the userspace path manager. Endpoints past
 * MPTCPLIB_ENDPOINTS_MAX are left out. 0 or -errno.
 */
int dmn_host_snapshot(struct dmn_host_config *cfg);

/* What the module does to the world, and how it reads the clock. */
struct dmn_host_ops {
	/* Monotonic milliseconds. */
	int64_t (*now)(void *ctx);
	/* Has a shim registered connection @token? (the main loop knows) */
	bool (*is_registered)(void *ctx, uint32_t token);
	/*
	 * Ask for a subflow of @token from @local (its address; the
	 * wildcard lets routing choose; port 0), bound to @ifindex (0:
	 * none), backup or not, to @remote (address and port). 0 when the
	 * kernel queued it, or -errno: -ESRCH no such connection, -ENOPROTOOPT
	 * it is under the in-kernel path manager, -EPERM no privilege; a
	 * readable reason in @why.
	 */
	int (*open_subflow)(void *ctx, uint32_t token,
			    const struct sockaddr *local, int ifindex,
			    bool backup, const struct sockaddr *remote,
			    char *why, size_t len);
	/* Announce @addr (its port, if any) with id @id. As open_subflow. */
	int (*announce)(void *ctx, uint32_t token, const struct sockaddr *addr,
			int id, char *why, size_t len);
	/*
	 * Make subflow @local -> @remote (ports included) backup if it is
	 * not: the initial subflow from a backup endpoint, and joins on
	 * kernels that ignore the backup flag of a new subflow (6.1).
	 * As open_subflow. May be NULL.
	 */
	int (*set_backup)(void *ctx, uint32_t token,
			  const struct sockaddr *local,
			  const struct sockaddr *remote, char *why, size_t len);
	void *ctx;
};

/*
 * dmn_host_kernel_ops() - @ops on this machine: the monotonic clock and
 * mptcplib's token calls, with the main loop's @is_registered and @ctx.
 */
void dmn_host_kernel_ops(struct dmn_host_ops *ops,
			 bool (*is_registered)(void *ctx, uint32_t token),
			 void *ctx);

/* Counters, for logs and tests. */
struct dmn_host_stats {
	unsigned int served; /* connections the module acted on */
	unsigned int registered; /* left to their shim's rule */
	unsigned int requested; /* subflows the kernel queued */
	unsigned int established; /* of those, SUB_ESTABLISHED */
	unsigned int failed; /* refused at once, or closed before up */
	unsigned int announced; /* ANNOUNCE accepted by the kernel */
	unsigned int untracked; /* not followed: too many connections */
};

struct dmn_host;

/*
 * dmn_host_new() - a module acting on @cfg (copied) through @ops (must
 * outlive it). @log may be NULL. NULL when out of memory.
 */
struct dmn_host *dmn_host_new(const struct dmn_host_config *cfg,
			      const struct dmn_host_ops *ops, cmn_log_fn log);

enum dmn_host_input_type {
	DMN_HOST_IN_EVENT, /* a path-manager event: event */
	DMN_HOST_IN_TIMER, /* time passed: end the grace periods due */
	DMN_HOST_IN_REGISTERED, /* a shim registered connection token */
};

struct dmn_host_input {
	enum dmn_host_input_type type;
	const struct mptcplib_event *event;
	uint32_t token;
};

/*
 * dmn_host_step() - one input, acted on at ops->now(). 0, or -ECANCELED
 * once the module has given up (no privilege): it does nothing more.
 */
int dmn_host_step(struct dmn_host *h, const struct dmn_host_input *in);

/* dmn_host_next_timer() - when the next grace period ends (ms), -1: none. */
int64_t dmn_host_next_timer(const struct dmn_host *h);

/* dmn_host_timeout() - ms from ops->now() until then, -1: no timer. */
int dmn_host_timeout(const struct dmn_host *h);

/* dmn_host_nconns() - connections followed now. */
int dmn_host_nconns(const struct dmn_host *h);

const struct dmn_host_stats *dmn_host_stats(const struct dmn_host *h);

void dmn_host_free(struct dmn_host *h);

#endif /* DMN_HOST_H */

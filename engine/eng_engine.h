/* SPDX-License-Identifier: MIT */
/*
 * The subflow engine: given MPTCP connections (by token) and their policy
 * rule, it opens the rule's extra subflows once each connection is fully
 * established (and has lived the rule's subflow-delay), and confirms every
 * join from the path-manager events. It knows no file descriptor of the
 * application and nothing of LD_PRELOAD: the shim feeds it from connect().
 *
 * It also follows the paths: a link that goes down, an address removed or
 * a route to the peer gone takes the subflows that used them away at once
 * (the kernel moves their data to the others); a link, address or route
 * that comes (back) re-opens the missing subflows of connections whose
 * rule says `reopen = yes`, and subflows that die while their path works
 * are re-opened with backoff (eng_engine.c, "Paths"). A subflow that
 * stalls while its link stays up (the path cut further away) is found in
 * the kernel's per-subflow state, read while a connection has two or more
 * subflows up, and removed like one whose path died (eng_stall.h; "Stalls"
 * in eng_engine.c).
 *
 * It is a state machine. eng_engine_step() takes one input (a connection,
 * a path-manager event, a change of links, addresses or routes, or the
 * passing of time) and acts only through
 * struct eng_ops: the clock, the subflow requests, the reading of the
 * subflows' state, and the plan's look at interfaces and routes
 * (eng_plan.h). The thread loop, eng_engine_run()
 * (eng_run.h), feeds it from the queue and the kernel's events; unit tests
 * feed it canned inputs and a fake clock, with no kernel and no thread.
 *
 * Threading: eng_engine_submit() may be called from any thread, including
 * a hook: it is lock-free and allocation-free. eng_engine_stop() and
 * eng_engine_disable() may be called from any thread. Everything else
 * belongs to the one thread that runs the engine.
 */
#ifndef ENG_ENGINE_H
#define ENG_ENGINE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "cmn_log.h"
#include "cmn_rtnl.h"
#include "eng_plan.h"
#include "eng_queue.h"
#include "eng_stall.h"
#include "mptcplib.h"

/* Counters, for logs, tests and benchmarks. */
struct eng_engine_stats {
	atomic_uint submitted, dropped; /* queue in, queue full */
	atomic_uint woken; /* submissions that woke the engine's thread */
	atomic_uint untracked; /* not followed: too many connections */
	atomic_uint requested; /* SUBFLOW_CREATE accepted by the kernel */
	atomic_uint established; /* confirmed by SUB_ESTABLISHED */
	atomic_uint failed; /* refused, reset or failed at once */
	atomic_uint too_early; /* refused as not fully established yet */
	atomic_uint no_route; /* interface skipped: no route through it */
	atomic_uint unbound; /* up, but the kernel did not bind its interface */
	atomic_uint removed; /* SUBFLOW_DESTROY accepted: its path died */
	atomic_uint withdrawn; /* REMOVE accepted: the peer was told */
	atomic_uint reopened; /* of requested: re-opening a lost subflow */
	atomic_uint path_events; /* link, address and route changes taken */
	atomic_uint readings; /* reads of the subflows' state (stalls) */
	atomic_uint stalled; /* of removed: it stalled, its link up */
};

/* One subflow whose state is read (eng_ops.read_subflows). */
struct eng_probe {
	/* In: which. */
	uint32_t token;
	struct sockaddr_storage local, remote; /* ports included, unmapped */
	int ifindex; /* the interface it is bound to, 0 if none or unknown */
	int slot; /* the engine's own */
	/* In: also read the connection itself (one probe per connection) */
	bool conn;
	/* Out: what the kernel says; found false if it has no such one. */
	struct eng_sf_sample s;
	/* Out, with conn: the connection's in-order data; conn_err the
	 * error of that lookup (0, -ENOENT no such connection, ...) */
	struct eng_conn_sample c;
	int conn_err;
};

/* What the engine does to the world, and how it reads the clock. */
struct eng_ops {
	/* Monotonic milliseconds. */
	int64_t (*now)(void *ctx);
	/*
	 * Ask for a subflow of connection @token from @from to @to. 0 or
	 * -errno: -ENOTCONN not fully established yet, -ESRCH no such
	 * connection (closed, or fell back to TCP), -EPERM no privilege,
	 * -ENOPROTOOPT another path manager; a readable reason in @why.
	 */
	int (*open_subflow)(void *ctx, uint32_t token,
			    const struct mpa_local *from,
			    const struct sockaddr *to, char *why, size_t len);
	/*
	 * Make the established subflow @local -> @remote (ports included)
	 * of @token a backup one, if it is not: kernels that ignore the
	 * backup flag of a new subflow (6.1) need it. 0 or -errno, a
	 * readable reason in @why. May be NULL (nothing to do).
	 */
	int (*set_backup)(void *ctx, uint32_t token,
			  const struct sockaddr *local,
			  const struct sockaddr *remote, char *why, size_t len);
	/*
	 * Remove the subflow @local -> @remote (ports included) of @token:
	 * its path died. 0 or -errno (-ENOENT: it is gone already), a
	 * readable reason in @why. May be NULL (subflows are then only
	 * forgotten, and the kernel finds out by itself).
	 */
	int (*close_subflow)(void *ctx, uint32_t token,
			     const struct sockaddr *local,
			     const struct sockaddr *remote, char *why,
			     size_t len);
	/*
	 * Withdraw local address id @id from connection @token: the peer
	 * gets RM_ADDR over the other subflows and closes its end of every
	 * subflow from that id (docs/kernel-facts.md §19, §20). Asked
	 * before close_subflow() for a subflow whose path died. 0 or
	 * -errno (-EINVAL: refused, the kernel has no such id for it), a
	 * readable reason in @why. May be NULL: the peer is not told.
	 */
	int (*remove_addr)(void *ctx, uint32_t token, int id, char *why,
			   size_t len);
	/*
	 * The interface that has the local address @addr now: its index
	 * and name into @ifname (IFNAMSIZ), 0 when none has it, or -errno.
	 * The initial subflow's interface, which no plan names. May be
	 * NULL (the initial subflow then does not follow its interface).
	 */
	int (*ifindex_of)(void *ctx, const struct sockaddr *addr, char *ifname);
	/*
	 * Read the state of the @n subflows @v names into each one's s, and
	 * for those with conn set their connection into c and conn_err (the
	 * array may be reordered). 0 or -errno. May be NULL: stalls are not
	 * looked for. A connection that cannot be read: a subflow that only
	 * receives is then never found stalled (nothing tells a cut from
	 * the end of its data).
	 */
	int (*read_subflows)(void *ctx, struct eng_probe *v, int n);
	const struct eng_plan_ops *plan; /* interfaces and routes */
	void *ctx;
};

/*
 * A connection handed over just after the engine subscribed may have had
 * its ESTABLISHED event before: the hook's thread can be preempted between
 * starting the engine's thread and queueing the connection, while the
 * engine subscribes and the connection becomes established. Such
 * connections are tried at once (a too-early try only costs a request and
 * waits for the event as usual), unless their CREATED event was seen:
 * then their ESTABLISHED will be too.
 */
#define ENG_SUBSCRIBE_GRACE_MS 2000

/*
 * mptcp-autod: a connection that no program registered within this time
 * after its ESTABLISHED event is unregistered (a native MPTCP program, an
 * accepted connection): the host's path-manager behaviour serves it. A
 * shim registers at connect(), well before a connection is established.
 */
#define ENG_UNREG_GRACE_MS 100

/*
 * Re-opening (rules with reopen = yes): a subflow that dies while its path
 * works waits ENG_REOPEN_FIRST_MS, doubled at each new death, up to
 * ENG_REOPEN_MAX_MS, each wait stretched by up to a quarter at random (so
 * that the connections of one program do not all knock at once); one that
 * lived ENG_REOPEN_STABLE_MS starts again from the first wait. A path
 * that comes back re-opens at once, but never sooner after the previous
 * request for the same subflow than that wait: a flapping link costs a
 * few requests per connection and interface, whatever its rate.
 */
#define ENG_REOPEN_FIRST_MS 1000
#define ENG_REOPEN_MAX_MS 30000
#define ENG_REOPEN_STABLE_MS 10000
/*
 * A subflow asked for this many times in a row without ever coming up
 * (the peer refuses joins beyond its limit, a firewall drops them) is not
 * asked for again: the reason lasts, and every try would cost a request
 * and a log line for as long as the connection lives. One that came up
 * and died is re-opened however often (with the backoff above).
 */
#define ENG_REOPEN_TRIES 3
/* Changes that come in bursts (a link up, its addresses, its routes). */
#define ENG_PATH_SETTLE_MS 100
/*
 * The links, addresses and routes are followed while some connection has
 * extra subflows or may get them, and this long after the last one went,
 * so that a program making one connection after another does not open
 * and close a socket for each.
 */
#define ENG_PATHS_LINGER_MS 5000
/*
 * The in-process host holds its subscription to the namespace's MPTCP
 * events while the engine follows a connection, and this long after the
 * last one went: an idle process is then woken by nobody's connections,
 * and one making a connection every second or so keeps it.
 */
#define ENG_EVENTS_LINGER_MS 2000

/*
 * Subflows read at once for stalls (ENG_STALL_POLL_MS); past it, the rest
 * are read at the next reading, in turn.
 */
#define ENG_STALL_MAX_READ 4096

/* Connections followed at once; past it, finished ones are forgotten. */
#define ENG_MAX_CONNS 8192

struct eng_config {
	unsigned int queue_slots; /* pending submissions: a power of two */
	int max_conns; /* 0: ENG_MAX_CONNS */
	cmn_log_fn log; /* may be NULL */
	const struct eng_ops *ops; /* must outlive the engine */
};

struct eng_engine;

/* eng_engine_new() - an engine. Allocates: call at init. NULL on error. */
struct eng_engine *eng_engine_new(const struct eng_config *cfg);

/*
 * eng_engine_submit() - hand over a connection. Lock-free, no allocation,
 * never blocks, keeps errno; wakes the engine's thread if it sleeps. 0,
 * -ENOSPC when the queue is full, -ECANCELED when the engine gave up.
 */
int eng_engine_submit(struct eng_engine *e, const struct mpa_conn_req *req);

enum eng_input_type {
	ENG_IN_SUBMIT, /* a connection: req, maybe_established */
	ENG_IN_EVENT, /* a path-manager event: event */
	ENG_IN_TIMER, /* time passed: fire what is due */
	ENG_IN_PATH, /* a link, address or route changed: path */
};

struct eng_input {
	enum eng_input_type type;
	const struct mpa_conn_req *req;
	/* It may have become established before the events were followed. */
	bool maybe_established;
	const struct mptcplib_event *event;
	const struct cmn_rtnl_event *path;
};

/*
 * eng_engine_step() - one input, acted on at ops->now(). 0, or -ECANCELED
 * once the engine has given up (no privilege): it does nothing more.
 */
int eng_engine_step(struct eng_engine *e, const struct eng_input *in);

/*
 * eng_engine_drain() - every queued submission, as ENG_IN_SUBMIT steps
 * (those queued before eng_engine_subscribed() maybe established). The
 * count taken.
 */
int eng_engine_drain(struct eng_engine *e);

/*
 * eng_engine_subscribed() - the events are followed from now on: what is
 * queued already may have become established unseen, and is tried at
 * once instead of waiting for its ESTABLISHED event.
 */
void eng_engine_subscribed(struct eng_engine *e);

/* eng_engine_next_timer() - when the next timer is due (ms), -1: none. */
int64_t eng_engine_next_timer(const struct eng_engine *e);

/* eng_engine_timeout() - ms from ops->now() until then, -1: no timer. */
int eng_engine_timeout(const struct eng_engine *e);

/*
 * eng_engine_follows_paths() - should the links, addresses and routes be
 * followed now (ENG_IN_PATH)? True while a connection has extra subflows
 * or may get them, and for ENG_PATHS_LINGER_MS after; the host opens its
 * rtnetlink socket (cmn_rtnl.h) then, and closes it otherwise.
 */
bool eng_engine_follows_paths(struct eng_engine *e);

/*
 * eng_engine_follows_events() - should the host hold its subscription to
 * the MPTCP events now? True while a connection is followed, and for
 * ENG_EVENTS_LINGER_MS after the last one went (or after the host
 * subscribed, eng_engine_subscribed()). Into *@left_ms, when true with no
 * connection followed, the ms until it turns false, else -1. A host that
 * drops its subscription subscribes again before it drains the queue
 * (connections queued meanwhile are then tried at once, as at start-up).
 * mptcp-autod, which serves connections nobody hands over, never drops it.
 */
bool eng_engine_follows_events(struct eng_engine *e, int *left_ms);

/* eng_engine_nconns() - connections followed now. */
int eng_engine_nconns(const struct eng_engine *e);

/*
 * eng_engine_rules() - the rules the engine may still read: those of the
 * connections it follows, and those of its plans young enough to be
 * reused (a plan is found by its rule's address). Up to @max of them into
 * @out, duplicates included; the count there is (past @max, the rest were
 * left out). Submissions still queued are not seen: a host that frees
 * rules (mptcp-autod, at a policy reload) steps the engine itself and
 * queues nothing.
 */
int eng_engine_rules(struct eng_engine *e, const struct mpa_rule **out,
		     int max);

/* eng_engine_queue() - the submission queue, for the thread loop. */
struct eng_queue *eng_engine_queue(struct eng_engine *e);

/* eng_engine_logger() - the log callback it was given (may be NULL). */
cmn_log_fn eng_engine_logger(const struct eng_engine *e);

/* eng_engine_stopped() - stop asked, or the engine gave up. */
bool eng_engine_stopped(const struct eng_engine *e);

/* eng_engine_stop() - any thread: the loop returns soon. */
void eng_engine_stop(struct eng_engine *e);

/*
 * eng_engine_disable() - any thread: the engine will not work (its host
 * could not start it, or its loop ended): submissions fail with
 * -ECANCELED from now on.
 */
void eng_engine_disable(struct eng_engine *e);

/*
 * eng_engine_reset_after_fork() - in a fork()ed child: the engine's thread
 * did not survive; forget its connections, plans and queue, so that a new
 * thread can run the engine. The tables are kept, not freed: the parent's
 * thread keeps a valid one at every moment (see eng_engine.c).
 */
void eng_engine_reset_after_fork(struct eng_engine *e);

const struct eng_engine_stats *eng_engine_stats(const struct eng_engine *e);

/* eng_engine_free() - once no thread runs it. */
void eng_engine_free(struct eng_engine *e);

#endif /* ENG_ENGINE_H */

/* SPDX-License-Identifier: MIT */
/*
 * The subflow engine: given MPTCP connections (by token) and their policy
 * rule, it opens the rule's extra subflows once each connection is fully
 * established, and confirms every join from the path-manager events. It
 * knows no file descriptor of the application and nothing of LD_PRELOAD:
 * the shim feeds it from connect(), and a privileged helper daemon can
 * feed it from a socket.
 *
 * Threading: mpa_engine_submit() may be called from any thread, including
 * a hook: it is lock-free and allocation-free. Everything else happens in
 * the one thread that runs mpa_engine_run().
 */
#ifndef ENG_ENGINE_H
#define ENG_ENGINE_H

#include <stdatomic.h>
#include <stdint.h>
#include <sys/socket.h>

#include "cmn_log.h"
#include "mpa_policy.h"

/* One connection to work on, as known at connect(). */
struct mpa_conn_req {
	uint32_t token; /* local MPTCP token */
	struct sockaddr_storage local; /* source of the initial subflow */
	struct sockaddr_storage remote; /* the peer, port included */
	const struct mpa_rule *rule; /* must outlive the engine */
};

/* Counters, for logs, tests and benchmarks. */
struct mpa_engine_stats {
	atomic_uint submitted, dropped; /* queue in, queue full */
	atomic_uint requested; /* SUBFLOW_CREATE accepted by the kernel */
	atomic_uint established; /* confirmed by SUB_ESTABLISHED */
	atomic_uint failed; /* refused, reset or failed at once */
	atomic_uint no_route; /* interface skipped: no route through it */
};

struct mpa_engine;

/*
 * mpa_engine_new() - an engine with room for @queue_slots (a power of two)
 * pending submissions. Allocates: call at init. @log may be NULL.
 */
struct mpa_engine *mpa_engine_new(unsigned int queue_slots, cmn_log_fn log);

/*
 * mpa_engine_submit() - hand over a connection. Lock-free, no allocation,
 * never blocks. 0, -ENOSPC when the queue is full, -ECANCELED when the
 * engine gave up (no privilege).
 */
int mpa_engine_submit(struct mpa_engine *e, const struct mpa_conn_req *req);

/*
 * mpa_engine_run() - the engine's loop: returns when mpa_engine_stop() is
 * called, or at once when it cannot work here (no CAP_NET_ADMIN to follow
 * the events); then later submissions fail with -ECANCELED.
 */
void mpa_engine_run(struct mpa_engine *e);

void mpa_engine_stop(struct mpa_engine *e);

/*
 * mpa_engine_disable() - the engine will not run here (its host could not
 * start it): later submissions fail with -ECANCELED at once.
 */
void mpa_engine_disable(struct mpa_engine *e);

/*
 * mpa_engine_reset_after_fork() - in a fork()ed child: the running thread
 * did not survive; forget its state (without freeing: another thread may
 * have been changing it) so that a new thread can run the engine.
 */
void mpa_engine_reset_after_fork(struct mpa_engine *e);

const struct mpa_engine_stats *mpa_engine_stats(const struct mpa_engine *e);

/* mpa_engine_free() - after run() returned. */
void mpa_engine_free(struct mpa_engine *e);

#endif /* ENG_ENGINE_H */

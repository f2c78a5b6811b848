/* SPDX-License-Identifier: MIT */
/*
 * The engine on this machine: struct eng_ops backed by the kernel
 * (mptcplib's subflow requests, the monotonic clock, eng_plan_kernel,
 * inet_diag's subflow state: eng_diag.h),
 * and the thread loop that feeds the state machine (eng_engine.h) from
 * its queue and the path-manager events.
 */
#ifndef ENG_RUN_H
#define ENG_RUN_H

#include <stdbool.h>

#include "eng_engine.h"

/* The kernel's operations. */
extern const struct eng_ops eng_kernel_ops;

/*
 * Without the wake-up signal (eng_queue.h), how often the loop looks at
 * the queue.
 */
#define ENG_TICK_MS 50

/*
 * eng_run_new() - an engine on the kernel's operations, with room for
 * @queue_slots (a power of two) pending submissions. Allocates: call at
 * init. @log may be NULL. NULL on error.
 */
struct eng_engine *eng_run_new(unsigned int queue_slots, cmn_log_fn log);

/*
 * The links, addresses and routes (cmn_rtnl.h), followed while the engine
 * wants them (eng_engine_follows_paths()): the socket of a host's loop.
 */
struct eng_paths {
	int fd; /* -1 while not followed */
	bool failed; /* the socket could not be had or broke: not again */
};

/* eng_paths_init() - not followed yet. */
void eng_paths_init(struct eng_paths *p);

/*
 * eng_paths_sync() - open or close the socket as @e wants now. True when
 * a socket was opened: the caller watches p->fd from now on (a closed
 * one leaves every poll and epoll set by itself).
 */
bool eng_paths_sync(struct eng_paths *p, struct eng_engine *e);

/*
 * eng_paths_run() - every change the socket holds, as ENG_IN_PATH steps.
 * A socket that fails with anything but "nothing more now" is closed and
 * not opened again (said once): subflows then only follow the kernel's
 * events.
 */
void eng_paths_run(struct eng_paths *p, struct eng_engine *e);

/* eng_paths_close() - stop following. */
void eng_paths_close(struct eng_paths *p);

/*
 * eng_engine_run() - the engine's loop, in the calling thread: follows the
 * path-manager events (and the links, addresses and routes while some
 * connection's subflows depend on them), takes each submission as soon as it is queued
 * (woken by it with @wake_signal, else within ENG_TICK_MS) and sleeps in
 * between until the next event, submission or timer. Returns when
 * eng_engine_stop() is called, or when the engine cannot work here (no
 * CAP_NET_ADMIN to follow the events, a broken socket); the engine is
 * disabled then, and no submission signals the thread any more. With
 * @wake_signal, SIGURG stays blocked in the calling thread.
 */
void eng_engine_run(struct eng_engine *e, bool wake_signal);

#endif /* ENG_RUN_H */

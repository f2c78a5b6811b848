/* SPDX-License-Identifier: MIT */
/*
 * The engine's in-tray: a bounded ring that any thread pushes connections
 * into without a lock or an allocation (the connect() hook does), and one
 * thread, the consumer, pops from; and the signal that wakes the consumer
 * when a push finds it asleep.
 *
 * The wake-up is a thread-directed SIGURG (tgkill) that the consumer keeps
 * blocked and reads from a signalfd of its own, polled together with its
 * other descriptors. A signal needs no descriptor in the pusher's table:
 * a hook running in a program thread can wake a consumer whose descriptor
 * table is private (preload/DESIGN.md, "The helper thread"). A blocked
 * signal stays pending on the thread it was sent to (it is never discarded
 * as ignored), and no handler is installed: the program's dispositions
 * are untouched and none of its threads gets the signal.
 */
#ifndef ENG_QUEUE_H
#define ENG_QUEUE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "mpa_policy.h"

/* One connection to work on, as known at connect(). */
struct mpa_conn_req {
	uint32_t token; /* local MPTCP token */
	struct sockaddr_storage local; /* source of the initial subflow */
	struct sockaddr_storage remote; /* the peer, port included */
	const struct mpa_rule *rule; /* must outlive the engine */
	/*
	 * The program's descriptor, for a registration with mptcp-autod
	 * (preload/mpa_daemon.c); the engine works by token and ignores it.
	 */
	int fd;
};

struct eng_cell;

/* Embedded in its owner; the fields are the module's own. */
struct eng_queue {
	/* Bounded multi-producer ring (Vyukov), single consumer. */
	struct eng_cell *cells;
	unsigned int mask;
	atomic_uint enq;
	unsigned int deq; /* the consumer's */
	/*
	 * The consumer has gone round the ring once: every cell may have
	 * been written, whatever enq says (it wraps at 2^32).
	 */
	atomic_bool lapped;
	/* The wake-up. */
	atomic_int sleeping; /* the consumer is about to poll, or polls */
	atomic_int tid; /* consumer thread with a signalfd, 0 if none */
	atomic_int senders; /* pushers between reading tid and tgkill() */
	pid_t tgid; /* the consumer's process */
};

/*
 * eng_queue_init() - @slots (a power of two) entries. Allocates: call at
 * start-up. The entries' memory is not written until pushes reach it:
 * a process owns only the part of the ring it has used. 0, -EINVAL or
 * -ENOMEM.
 */
int eng_queue_init(struct eng_queue *q, unsigned int slots);

void eng_queue_fini(struct eng_queue *q);

/*
 * eng_queue_push() - any thread: queue @req and, if the consumer sleeps,
 * wake it. Lock-free and allocation-free; errno is kept. 1 when it sent a
 * wake-up, 0 when it did not need to, -ENOSPC when the ring is full.
 */
int eng_queue_push(struct eng_queue *q, const struct mpa_conn_req *req);

/*
 * eng_queue_pop() - consumer: the oldest entry into @out and its position
 * in the push order into @pos (may be NULL). False when empty.
 */
bool eng_queue_pop(struct eng_queue *q, struct mpa_conn_req *out,
		   unsigned int *pos);

/*
 * eng_queue_pushed() - how many pushes have claimed a slot so far: every
 * entry whose position is below it was pushed before this call.
 */
unsigned int eng_queue_pushed(struct eng_queue *q);

/*
 * eng_queue_pending() - consumer: has anything been pushed that it has
 * not popped yet (a push that claimed its slot counts)?
 */
bool eng_queue_pending(struct eng_queue *q);

/* eng_queue_wake() - any thread: wake the consumer if it sleeps. */
void eng_queue_wake(struct eng_queue *q);

/*
 * eng_queue_wake_open() - consumer thread: block SIGURG in it and open a
 * signalfd for it (O_NONBLOCK, O_CLOEXEC) in its descriptor table; from
 * now on pushes that find it asleep send it SIGURG. The descriptor, or
 * -errno (then pushes never signal: poll the ring now and then).
 */
int eng_queue_wake_open(struct eng_queue *q);

/*
 * eng_queue_wake_close() - consumer thread, before it ends: no push
 * signals it any more, and none is still about to (its thread id could
 * be reused by a program thread once it has ended); closes @fd.
 */
void eng_queue_wake_close(struct eng_queue *q, int fd);

/*
 * eng_queue_sleep() - consumer, before it polls: announce the sleep. False
 * if the ring is not empty (do not sleep; call eng_queue_awake()). A push
 * that lands after this call sees the announcement, so a wake-up is never
 * lost between the last look at the ring and the poll.
 */
bool eng_queue_sleep(struct eng_queue *q);

/* eng_queue_awake() - consumer, after its poll returned. */
void eng_queue_awake(struct eng_queue *q);

/*
 * eng_queue_wake_read() - consumer: take the wake-ups pending on @fd. A
 * SIGURG that is not ours (sent to the whole process, and taken from the
 * process's queue before a program thread took it) must not be kept: it
 * is given back to the process after @fd has been closed and the wake-up
 * turned off, so that it cannot be taken again. 0, or -EBUSY when that
 * happened (@fd is closed then: poll the ring now and then).
 */
int eng_queue_wake_read(struct eng_queue *q, int fd);

/*
 * eng_queue_reset() - in a fork()ed child: empty, and no consumer (its
 * thread did not survive the fork). Nothing is freed or allocated, and
 * only entries that pushes have written are written again.
 */
void eng_queue_reset(struct eng_queue *q);

#endif /* ENG_QUEUE_H */

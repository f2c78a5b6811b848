/* SPDX-License-Identifier: MIT */
/*
 * The command-line reader: one helper thread that reads
 * /proc/PID/cmdline for the loop, which never waits for it. The loop asks
 * (dmn_argv_ask()), and takes the answers and the deadlines that have
 * passed (dmn_argv_next()) when the reader's descriptor is readable or its
 * timeout has come. The decisions are dmn_ident.h's; at most one read is
 * ever stuck, with the one thread and the one descriptor it holds.
 *
 * Not thread-safe on the loop's side: one thread, the loop, calls these.
 */
#ifndef DMN_ARGV_H
#define DMN_ARGV_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "dmn_ident.h"

/* The part of a command line that is read: argv0 and argv1 are in it. */
#define DMN_ARGV_MAX 4096

enum dmn_argv_kind {
	DMN_ARGV_READ, /* @id's command line: @len bytes of @buf (0: none) */
	DMN_ARGV_STUCK, /* @id's read is late: without it; reader stuck */
	DMN_ARGV_BEHIND, /* @id was asked after the stuck read: without it */
	DMN_ARGV_BACK, /* the stuck read (@id's) returned after @ms */
};

struct dmn_argv_answer {
	enum dmn_argv_kind kind;
	uint64_t id;
	pid_t pid; /* the process it was asked for */
	int64_t ms; /* DMN_ARGV_BACK: how long it was stuck */
	size_t len;
	char buf[DMN_ARGV_MAX];
};

struct dmn_argv;

/*
 * dmn_argv_new() - a reader of @procdir/PID/cmdline ("/proc", or a
 * test's), whose reads are due @deadline_ms after they are asked; its
 * thread started. NULL, with errno set, when it cannot start.
 */
struct dmn_argv *dmn_argv_new(const char *procdir, int deadline_ms);

/*
 * dmn_argv_free() - stop the reader. A read in progress (stuck, perhaps)
 * is left to its thread, which ends when that read returns.
 */
void dmn_argv_free(struct dmn_argv *r);

/* dmn_argv_fd() - readable when the reader has answered. */
int dmn_argv_fd(const struct dmn_argv *r);

/*
 * dmn_argv_ask() - read process @pid's command line for @id (not 0) at
 * @now. 0: its answer comes by dmn_argv_next(); -EBUSY: a read is stuck,
 * the client goes without; -ENOMEM.
 */
int dmn_argv_ask(struct dmn_argv *r, uint64_t id, pid_t pid, int64_t now);

/*
 * dmn_argv_next() - the next answer at @now, into @a: 1, or 0 when there
 * is none now. Call until 0.
 */
int dmn_argv_next(struct dmn_argv *r, int64_t now, struct dmn_argv_answer *a);

/* dmn_argv_timeout() - ms from @now until dmn_argv_next() is due, -1. */
int dmn_argv_timeout(const struct dmn_argv *r, int64_t now);

/* dmn_argv_pending() - clients whose command line is asked for. */
int dmn_argv_pending(const struct dmn_argv *r);

#endif /* DMN_ARGV_H */

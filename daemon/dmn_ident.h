/* SPDX-License-Identifier: MIT */
/*
 * A client's program identity while its command line is read. The
 * executable (/proc/PID/exe) and comm are read in the daemon's loop: the
 * kernel answers them without touching the process's memory. The command
 * line is the process's own memory (its argv pages): reading it takes the
 * process's mmap lock and may fault its pages in, so the process can make
 * that read last as long as it likes (a FUSE file behind its argv, a
 * thread stuck in a fault while another waits to write the lock). It is
 * read by a helper thread (dmn_argv.h), and the loop waits for it only so
 * long:
 *
 *   PENDING  exe and comm read; the command line asked for. The client's
 *            messages wait in its socket.
 *   KNOWN    the command line came (or was found unreadable at once).
 *   PARTIAL  it did not come within DMN_IDENT_DEADLINE_MS, or it was not
 *            asked for because the reader is stuck in another client's,
 *            or the process had gone when it came: the client is known
 *            by exe and comm alone (argv0 is comm).
 *
 * KNOWN and PARTIAL are final: a client's program does not change while
 * it is connected, and a read that comes back late is dropped.
 *
 * The reader reads one command line at a time, in the order asked. When
 * one is not back by its deadline, the reader is stuck in it: that
 * client is PARTIAL, so are those asked after it (they would wait behind
 * it), and every new client is PARTIAL at once until the stuck read
 * returns. So at most one read is ever stuck, in the one helper thread,
 * holding one descriptor, however many clients try.
 *
 * The book below is the loop's side of it: pure bookkeeping on a clock the
 * caller passes (ms), no I/O, no threads.
 */
#ifndef DMN_IDENT_H
#define DMN_IDENT_H

#include <stdbool.h>
#include <stdint.h>

/* How long a client's messages wait for its command line. */
#define DMN_IDENT_DEADLINE_MS 200

enum dmn_ident_state {
	DMN_IDENT_PENDING,
	DMN_IDENT_KNOWN,
	DMN_IDENT_PARTIAL,
};

enum dmn_ident_event {
	DMN_IDENT_EV_READ, /* the reader answered: argv, or that it has none */
	/*
	 * Without argv: the deadline passed, the reader is stuck, or what it
	 * read cannot be trusted (the process has gone since its exe and
	 * comm were read: its pid may be another's now).
	 */
	DMN_IDENT_EV_WITHOUT,
};

/* dmn_ident_next() - pure: the state after @ev in state @s. */
enum dmn_ident_state dmn_ident_next(enum dmn_ident_state s,
				    enum dmn_ident_event ev);

/*
 * dmn_ident_serves() - pure: are the messages of a client in state @s
 * read and answered? False while PENDING: they wait in its socket.
 */
bool dmn_ident_serves(enum dmn_ident_state s);

/* One command line asked for. Ids are the caller's, never 0. */
struct dmn_ident_ask {
	uint64_t id;
	int64_t deadline; /* ms */
};

struct dmn_ident_book {
	int deadline_ms;
	/* Asked and not answered, oldest first (a ring of cap). */
	struct dmn_ident_ask *v;
	int head, n, cap;
	/* The read the reader is stuck in: since when, for which id. */
	bool stuck;
	uint64_t stuck_id;
	int64_t stuck_since;
};

/* dmn_ident_book_init() - nothing asked; reads due @deadline_ms after. */
void dmn_ident_book_init(struct dmn_ident_book *b, int deadline_ms);

void dmn_ident_book_fini(struct dmn_ident_book *b);

/*
 * dmn_ident_book_ask() - @id's command line asked for at @now. 0, -EBUSY
 * when the reader is stuck (the client goes without: PARTIAL), -ENOMEM.
 */
int dmn_ident_book_ask(struct dmn_ident_book *b, uint64_t id, int64_t now);

enum dmn_ident_answer {
	DMN_IDENT_ANSWER_READ, /* @id's client is KNOWN */
	DMN_IDENT_ANSWER_BACK, /* the stuck read returned: not stuck now */
	DMN_IDENT_ANSWER_STALE, /* nothing asked that: dropped */
};

/*
 * dmn_ident_book_answered() - the reader answered @id at @now. When that
 * is the stuck read's return, how long it was stuck into *@stuck_ms.
 */
enum dmn_ident_answer dmn_ident_book_answered(struct dmn_ident_book *b,
					      uint64_t id, int64_t now,
					      int64_t *stuck_ms);

enum dmn_ident_due {
	DMN_IDENT_DUE_NONE, /* nothing due now */
	/* @id's read is past its deadline: PARTIAL, and the reader is
	 * stuck in it from now on (it stays with the reader) */
	DMN_IDENT_DUE_STUCK,
	/* @id was asked after the stuck read: PARTIAL, and no longer asked
	 * (the caller takes it back from the reader's queue) */
	DMN_IDENT_DUE_BEHIND,
};

/*
 * dmn_ident_book_due() - what is due at @now: one client at a time (its
 * id into *@id, forgotten by the book); call until DMN_IDENT_DUE_NONE.
 */
enum dmn_ident_due dmn_ident_book_due(struct dmn_ident_book *b, int64_t now,
				      uint64_t *id);

/* dmn_ident_book_timeout() - ms from @now until something is due, -1. */
int dmn_ident_book_timeout(const struct dmn_ident_book *b, int64_t now);

/* dmn_ident_book_pending() - asked and not answered yet. */
int dmn_ident_book_pending(const struct dmn_ident_book *b);

#endif /* DMN_IDENT_H */

/* SPDX-License-Identifier: MIT */
/*
 * Stalled subflows: the rule that tells, from two readings of one
 * connection's subflows (their tcp_info, by inet_diag, ENG_STALL_POLL_MS
 * apart), that one of them stopped carrying data while its link stays up
 * (the path is cut further away) and another one still carries. Pure: no
 * clock, no kernel. The engine reads and acts (eng_engine.c, "Stalls");
 * docs/policy.md states the rule, docs/kernel-facts.md §21 what it rests
 * on.
 */
#ifndef ENG_STALL_H
#define ENG_STALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * How often the subflows of connections with two or more subflows up are
 * read while data moves; readings that show nothing moving and nothing
 * outstanding double the wait, up to ENG_STALL_IDLE_MS, so that an idle
 * connection costs a reading every few seconds. Often enough that a
 * download's cut path is found within ENG_STALL_RECV_MIN_MS and a reading
 * or two, before the sender's own first retransmission timeout (200 ms or
 * more) moves its data; a reading costs a few microseconds a subflow.
 */
#define ENG_STALL_POLL_MS 50
#define ENG_STALL_IDLE_MS 4000
/*
 * A subflow is stalled once it went this long without progress: at
 * least ENG_STALL_MIN_MS while it sends, ENG_STALL_RECV_MIN_MS while it
 * receives, and ENG_STALL_RTTS round trips on a slow path. A healthy path
 * acknowledges within one round trip plus the delayed-ACK time (40 to
 * 200 ms); what the peer sends needs no such wait, and a receiving
 * subflow is stalled only with the connection's data held behind it (a
 * hole, below). A pause of the whole connection is ENG_STALL_MIN_MS of
 * quiet on every subflow.
 */
#define ENG_STALL_MIN_MS 300
#define ENG_STALL_RECV_MIN_MS 100
#define ENG_STALL_RTTS 4
/* Retransmission timeouts in a row that make it stalled in any case. */
#define ENG_STALL_BACKOFF 2
/*
 * A subflow counts as carrying data once it received in every reading for
 * ENG_STALL_BUSY_MS: one that the peer's scheduler uses now and then (a
 * second path while one suffices) going quiet again is not a stall.
 */
#define ENG_STALL_BUSY_MS 500
#define ENG_STALL_BUSY (ENG_STALL_BUSY_MS / ENG_STALL_POLL_MS)

/* What tcp_info says of a subflow, as far as the rule goes. */
struct eng_sf_sample {
	bool found; /* the kernel has it */
	uint8_t state; /* TCP_ESTABLISHED (1), ... */
	uint8_t backoff; /* retransmission timeouts in a row, no ACK since */
	/*
	 * Smoothed round trip, from ACKs of what it sent; a subflow that
	 * only receives keeps its handshake's (§21). The receiver's own
	 * estimate, from the data it receives; 0 until it has one.
	 */
	uint32_t rtt_us, rcv_rtt_us;
	uint32_t unacked; /* segments sent, not acknowledged */
	uint32_t last_data_recv, last_ack_recv; /* ms since */
	uint64_t bytes_acked, bytes_received;
};

/*
 * A subflow that stops receiving is cut only if it holds the connection's
 * data back: what the other subflows receive then waits out of order
 * behind a hole (docs/kernel-facts.md §21). At the end of a download, or
 * when the peer's scheduler leaves a subflow, what the others receive is
 * in order, and nothing more is held. The hole is seen once what the
 * connection holds grew, since it last received, by a quarter of what the
 * others received meanwhile (the kernel may be filling the hole already,
 * and what it held when this one last received may be part of it), and
 * by at least ENG_STALL_HOLE_MIN bytes (segments: not one reordered).
 */
#define ENG_STALL_HOLE_MIN 16384

/* One subflow of a connection: its last two readings, and its memory. */
struct eng_stall_sub {
	struct eng_sf_sample prev, cur;
	bool have_prev; /* prev is the reading before cur */
	uint8_t streak; /* readings in a row, up to prev, that it received */
	bool carrying; /* it was receiving steadily, and has not paused */
	/* Up to prev: since it last received, what the other subflows did */
	uint64_t others; /* bytes they received */
	/* What the connection held when it last received, or at the
	 * reading before if that was less (the cut came in between) */
	uint64_t held_at;
	uint64_t held_last; /* what it held at prev */
	bool hole; /* what they received was held behind a hole */
};

/*
 * The connection itself, read with its subflows (MPTCP's inet_diag): the
 * next byte it expects in order; found false when it could not be read.
 */
struct eng_conn_sample {
	bool found;
	uint64_t rcv_nxt;
};

/* A connection's last two readings, and what it holds out of order. */
struct eng_stall_conn {
	struct eng_conn_sample prev, cur;
	bool have_prev; /* prev was read with its subflows' prev */
	uint64_t held; /* what it holds out of order; 0 when not known */
	/* Since prev, nothing came in order while its subflows received
	 * ENG_STALL_HOLE_MIN bytes or more */
	bool stuck;
};

enum eng_stall_kind {
	ENG_STALL_NONE,
	ENG_STALL_SENDING, /* data out, and no ACK for the window */
	ENG_STALL_RECEIVING, /* it was receiving, and nothing came since */
};

/*
 * eng_stall_window() - how long @s may go without progress before it is
 * stalled (ms): ENG_STALL_RTTS round trips of what it does, at least its
 * floor: sending (segments out) its smoothed round trip and
 * ENG_STALL_MIN_MS, receiving the receiver's estimate when it has one and
 * ENG_STALL_RECV_MIN_MS.
 */
uint32_t eng_stall_window(const struct eng_sf_sample *s);

/*
 * eng_stall_conn_update() - connection @c's held and stuck at its latest
 * reading, from its @n subflows @subs:
 *  - held: what it held before, plus what the subflows received since
 *    the previous reading, less how far its in-order data went (never
 *    below 0: data received twice is counted once); 0 when it or a
 *    subflow that received was not read both times (not known: no hole
 *    is seen);
 *  - stuck: its in-order data did not move since the previous reading
 *    while the subflows received at least ENG_STALL_HOLE_MIN bytes: a
 *    hole, whatever it held before; false when not known.
 */
void eng_stall_conn_update(const struct eng_stall_sub *subs, int n,
			   struct eng_stall_conn *c);

/*
 * eng_stall_judge() - is subflow @i of the @n subflows @subs of connection
 * @c stalled at its latest reading (@c's held and stuck are those of this
 * reading: eng_stall_conn_update())? It is when
 *  - sending: it has segments out and no ACK came for its window, or
 *    ENG_STALL_BACKOFF retransmission timeouts in a row; or
 *  - receiving: it was carrying data (eng_stall_remember()), nothing came
 *    from its peer for its window, and since it stopped the connection
 *    held what the others received behind a hole (ENG_STALL_HOLE_MIN),
 *    or was stuck at a reading;
 * and another subflow of the connection, itself not stalled, made
 * progress since the previous reading (bytes acknowledged or received)
 * and heard from its peer after this one last did: the data has a path
 * that works, and what stopped is this one's. The kind, or ENG_STALL_NONE.
 */
enum eng_stall_kind eng_stall_judge(const struct eng_stall_sub *subs, int n,
				    int i, const struct eng_stall_conn *c);

/*
 * eng_stall_remember() - subflow @i's memory after its latest reading
 * (of connection @c, as for eng_stall_judge()), into *@m (a copy of subs[@i] to
 * update): the streak grows when it received data since the previous
 * reading and ends otherwise; it is carrying from the reading its streak
 * reaches ENG_STALL_BUSY until it has been quiet for its window, and
 * ENG_STALL_MIN_MS at least, while every other subflow was quiet that long
 * too (the connection paused: what it carried is over). While it receives nothing, the others' bytes add up,
 * and a hole seen stays seen until it receives again.
 */
void eng_stall_remember(const struct eng_stall_sub *subs, int n, int i,
			const struct eng_stall_conn *c,
			struct eng_stall_sub *m);

/*
 * eng_stall_quiet_unheld() - subflow @i was carrying data, has been quiet
 * for its window while another made progress, and no hole was seen since
 * it stopped: the end of its data, or a subflow the peer leaves; what
 * eng_stall_judge() does not call a stall for want of a hole.
 */
bool eng_stall_quiet_unheld(const struct eng_stall_sub *subs, int n, int i,
			    const struct eng_stall_conn *c);

/*
 * eng_stall_moving() - does data move in subflow @x: bytes acknowledged or
 * received since its previous reading, segments out, or it was carrying
 * and has been quiet less than ENG_STALL_MIN_MS? Readings of connections
 * where none does space out (ENG_STALL_IDLE_MS).
 */
bool eng_stall_moving(const struct eng_stall_sub *x);

/*
 * eng_stall_why() - why subflow @s (of @kind) is stalled, for a log line,
 * into @buf. @buf.
 */
const char *eng_stall_why(const struct eng_sf_sample *s,
			  enum eng_stall_kind kind, char *buf, size_t len);

#endif /* ENG_STALL_H */

// SPDX-License-Identifier: MIT
/*
 * The stalled-subflow rule (eng_stall.h): pure functions over two
 * readings of a connection's subflows.
 */
#include <netinet/tcp.h>
#include <stdio.h>

#include "eng_stall.h"

uint32_t eng_stall_window(const struct eng_sf_sample *s)
{
	uint32_t rtt = !s->unacked && s->rcv_rtt_us ? s->rcv_rtt_us : s->rtt_us;
	uint64_t rtts = (uint64_t)rtt * ENG_STALL_RTTS / 1000;
	/* No delayed ACK to wait for in what the peer sends. */
	uint32_t floor = s->unacked ? ENG_STALL_MIN_MS : ENG_STALL_RECV_MIN_MS;

	return rtts > floor ? (uint32_t)rtts : floor;
}

/* ms since it last heard anything from its peer, data or ACK. */
static uint32_t quiet(const struct eng_sf_sample *s)
{
	return s->last_data_recv < s->last_ack_recv ? s->last_data_recv :
						      s->last_ack_recv;
}

static bool up(const struct eng_sf_sample *s)
{
	return s->found && s->state == TCP_ESTABLISHED;
}

/* How long the whole connection must be quiet to be paused (ms). */
static uint32_t pause_ms(const struct eng_sf_sample *s)
{
	uint32_t w = eng_stall_window(s);

	return w > ENG_STALL_MIN_MS ? w : ENG_STALL_MIN_MS;
}

/* Bytes acknowledged or received since the previous reading. */
static bool progressed(const struct eng_stall_sub *x)
{
	return x->have_prev && up(&x->cur) && x->prev.found &&
	       (x->cur.bytes_acked > x->prev.bytes_acked ||
		x->cur.bytes_received > x->prev.bytes_received);
}

/* Bytes received since the previous reading; 0 if not read both times. */
static uint64_t received(const struct eng_stall_sub *x)
{
	if (!x->have_prev || !x->prev.found || !x->cur.found ||
	    x->cur.bytes_received < x->prev.bytes_received)
		return 0;
	return x->cur.bytes_received - x->prev.bytes_received;
}

/* What the subflows other than @i received since the previous reading. */
static uint64_t others_received(const struct eng_stall_sub *subs, int n, int i)
{
	uint64_t sum = 0;
	int j;

	for (j = 0; j < n; j++)
		if (j != i)
			sum += received(&subs[j]);
	return sum;
}

void eng_stall_conn_update(const struct eng_stall_sub *subs, int n,
			   struct eng_stall_conn *c)
{
	bool both = c->have_prev && c->prev.found && c->cur.found;
	bool all_read = true;
	uint64_t in = 0, went;
	int j;

	for (j = 0; j < n; j++) {
		/* One that received and was not read before: not known. */
		if (up(&subs[j].cur) && !subs[j].have_prev)
			all_read = false;
		in += received(&subs[j]);
	}
	c->stuck = both && c->cur.rcv_nxt == c->prev.rcv_nxt &&
		   in >= ENG_STALL_HOLE_MIN;
	if (!both || !all_read || c->cur.rcv_nxt < c->prev.rcv_nxt) {
		c->held = 0;
		return;
	}
	went = c->cur.rcv_nxt - c->prev.rcv_nxt;
	c->held = c->held + in > went ? c->held + in - went : 0;
}

/*
 * Since @x last received, did the connection hold what the others
 * received behind a hole: remembered, or seen at this reading?
 */
static bool hole(const struct eng_stall_sub *subs, int n, int i,
		 const struct eng_stall_conn *c)
{
	const struct eng_stall_sub *x = &subs[i];
	uint64_t others, grown, held = c->held;

	if (x->hole)
		return true;
	if (!x->have_prev || received(x))
		return false;
	if (c->stuck)
		return true;
	others = x->others + others_received(subs, n, i);
	/* What was held already (reordering, data received twice) is not
	 * this one's doing. */
	grown = held > x->held_at ? held - x->held_at : 0;
	return grown >= ENG_STALL_HOLE_MIN && grown * 4 >= others;
}

/* Its own evidence, before any look at the other subflows. */
static enum eng_stall_kind evidence(const struct eng_stall_sub *subs, int n,
				    int i, const struct eng_stall_conn *c)
{
	const struct eng_stall_sub *x = &subs[i];
	const struct eng_sf_sample *s = &x->cur;
	uint32_t w = eng_stall_window(s);

	if (!up(s))
		return ENG_STALL_NONE;
	if (s->unacked)
		return s->backoff >= ENG_STALL_BACKOFF ||
				       s->last_ack_recv >= w ?
			       ENG_STALL_SENDING :
			       ENG_STALL_NONE;
	return x->carrying && quiet(s) >= w && hole(subs, n, i, c) ?
		       ENG_STALL_RECEIVING :
		       ENG_STALL_NONE;
}

enum eng_stall_kind eng_stall_judge(const struct eng_stall_sub *subs, int n,
				    int i, const struct eng_stall_conn *c)
{
	enum eng_stall_kind kind = evidence(subs, n, i, c);
	int j;

	if (kind == ENG_STALL_NONE)
		return kind;
	for (j = 0; j < n; j++) {
		if (j == i || !progressed(&subs[j]) ||
		    evidence(subs, n, j, c) != ENG_STALL_NONE)
			continue;
		if (quiet(&subs[j].cur) < quiet(&subs[i].cur))
			return kind;
	}
	return ENG_STALL_NONE;
}

bool eng_stall_quiet_unheld(const struct eng_stall_sub *subs, int n, int i,
			    const struct eng_stall_conn *c)
{
	const struct eng_stall_sub *x = &subs[i];
	int j;

	if (!up(&x->cur) || x->cur.unacked || !x->carrying ||
	    quiet(&x->cur) < eng_stall_window(&x->cur) || hole(subs, n, i, c))
		return false;
	for (j = 0; j < n; j++)
		if (j != i && progressed(&subs[j]))
			return true;
	return false;
}

bool eng_stall_moving(const struct eng_stall_sub *x)
{
	/* One that was carrying and just went quiet is watched closely:
	 * behind a cut one's hole, the others wait too. */
	return progressed(x) ||
	       (up(&x->cur) &&
		(x->cur.unacked ||
		 (x->carrying && quiet(&x->cur) < pause_ms(&x->cur))));
}

void eng_stall_remember(const struct eng_stall_sub *subs, int n, int i,
			const struct eng_stall_conn *c, struct eng_stall_sub *m)
{
	uint64_t held = c->held;
	const struct eng_stall_sub *x = &subs[i];
	int j;

	*m = *x;
	if (!up(&x->cur)) {
		m->streak = 0;
		m->carrying = false;
		m->others = 0;
		m->hole = false;
		m->held_at = 0;
		m->held_last = 0;
		return;
	}
	if (x->have_prev && x->cur.bytes_received > x->prev.bytes_received) {
		if (m->streak < UINT8_MAX)
			m->streak++;
		if (m->streak >= ENG_STALL_BUSY)
			m->carrying = true;
		/*
		 * The cut may have come since the previous reading: what
		 * was held then, and what the others received since, are
		 * the baseline.
		 */
		m->others = others_received(subs, n, i);
		m->hole = false;
		m->held_at = x->held_last < held ? x->held_last : held;
		m->held_last = held;
		return;
	}
	m->hole = hole(subs, n, i, c);
	m->others = x->others + others_received(subs, n, i);
	m->held_last = held;
	m->streak = 0;
	if (quiet(&x->cur) < pause_ms(&x->cur))
		return;
	/*
	 * A pause is every subflow quiet for the window, not only since
	 * the previous reading: behind a cut one's hole, the others wait
	 * too, for about 100 ms (§21), which a reading can fall into.
	 */
	for (j = 0; j < n; j++)
		if (j != i && up(&subs[j].cur) &&
		    (progressed(&subs[j]) ||
		     quiet(&subs[j].cur) < pause_ms(&x->cur)))
			return;
	m->carrying = false;
}

const char *eng_stall_why(const struct eng_sf_sample *s,
			  enum eng_stall_kind kind, char *buf, size_t len)
{
	uint32_t w = eng_stall_window(s);

	if (kind == ENG_STALL_SENDING && s->backoff >= ENG_STALL_BACKOFF)
		snprintf(buf, len,
			 "%u retransmission timeouts in a row, %u segments "
			 "unacknowledged",
			 s->backoff, s->unacked);
	else if (kind == ENG_STALL_SENDING)
		snprintf(buf, len, "no ACK for %u ms of %u, %u segments out",
			 s->last_ack_recv, w, s->unacked);
	else
		snprintf(buf, len,
			 "nothing received for %u ms of %u, after it carried "
			 "data",
			 quiet(s), w);
	return buf;
}

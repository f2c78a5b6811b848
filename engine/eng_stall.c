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

	return rtts > ENG_STALL_MIN_MS ? (uint32_t)rtts : ENG_STALL_MIN_MS;
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

/* Its own evidence, before any look at the other subflows. */
static enum eng_stall_kind evidence(const struct eng_stall_sub *x)
{
	const struct eng_sf_sample *s = &x->cur;
	uint32_t w = eng_stall_window(s);

	if (!up(s))
		return ENG_STALL_NONE;
	if (s->unacked)
		return s->backoff >= ENG_STALL_BACKOFF ||
				       s->last_ack_recv >= w ?
			       ENG_STALL_SENDING :
			       ENG_STALL_NONE;
	return x->carrying && quiet(s) >= w ? ENG_STALL_RECEIVING :
					      ENG_STALL_NONE;
}

/* Bytes acknowledged or received since the previous reading. */
static bool progressed(const struct eng_stall_sub *x)
{
	return x->have_prev && up(&x->cur) && x->prev.found &&
	       (x->cur.bytes_acked > x->prev.bytes_acked ||
		x->cur.bytes_received > x->prev.bytes_received);
}

enum eng_stall_kind eng_stall_judge(const struct eng_stall_sub *subs, int n,
				    int i)
{
	enum eng_stall_kind kind = evidence(&subs[i]);
	int j;

	if (kind == ENG_STALL_NONE)
		return kind;
	for (j = 0; j < n; j++) {
		if (j == i || !progressed(&subs[j]) ||
		    evidence(&subs[j]) != ENG_STALL_NONE)
			continue;
		if (quiet(&subs[j].cur) < quiet(&subs[i].cur))
			return kind;
	}
	return ENG_STALL_NONE;
}

bool eng_stall_moving(const struct eng_stall_sub *x)
{
	return progressed(x) || (up(&x->cur) && x->cur.unacked);
}

void eng_stall_remember(const struct eng_stall_sub *subs, int n, int i,
			uint8_t *streak, bool *carrying)
{
	const struct eng_stall_sub *x = &subs[i];
	int j;

	*streak = x->streak;
	*carrying = x->carrying;
	if (!up(&x->cur)) {
		*streak = 0;
		*carrying = false;
		return;
	}
	if (x->have_prev && x->cur.bytes_received > x->prev.bytes_received) {
		if (*streak < UINT8_MAX)
			(*streak)++;
		if (*streak >= ENG_STALL_BUSY)
			*carrying = true;
		return;
	}
	*streak = 0;
	if (quiet(&x->cur) < eng_stall_window(&x->cur))
		return;
	for (j = 0; j < n; j++)
		if (j != i && progressed(&subs[j]))
			return;
	*carrying = false;
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

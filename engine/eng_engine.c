// SPDX-License-Identifier: MIT
#include <arpa/inet.h>
#include <errno.h>
#include <linux/futex.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "cmn_clock.h"
#include "eng_engine.h"
#include "eng_resolve.h"
#include "eng_route.h"
#include "mptcplib.h"

/*
 * A submission cannot interrupt poll() (hooks write to no file
 * descriptor), so while connections come and go new ones are looked at
 * every ENG_POLL_MS; after ENG_CALM_MS without any, every ENG_SLOW_MS.
 */
#define ENG_POLL_MS 20
#define ENG_SLOW_MS 250
#define ENG_CALM_MS 2000
/* Idle: sleep until a submission, waking now and then to drain events. */
#define ENG_IDLE_MS 1000
/* Retries of a connection that is not fully established yet. */
#define ENG_RETRY_FIRST_MS 250
#define ENG_RETRIES 8
#define ENG_MAX_CONNS 8192
/*
 * ESTABLISHED events for tokens not submitted yet (the event can beat the
 * queue): remembered briefly, so that the submission acts at once.
 */
#define ENG_EARLY_SLOTS 256
#define ENG_EARLY_MS 5000
/*
 * Plans (interfaces resolved, routes checked) are reused for connections
 * to the same peer under the same rule for a moment: a burst of
 * connections would otherwise re-read the interfaces and routing tables
 * for each one.
 */
#define ENG_PLAN_SLOTS 16
#define ENG_PLAN_MS 1000

struct eng_plan_cache {
	const struct mpa_rule *rule;
	struct sockaddr_storage local, remote; /* remote port ignored */
	int64_t at;
	int nsubs;
	struct mpa_local locals[MPA_MAX_SUBFLOWS];
};

struct eng_cell {
	atomic_uint seq;
	struct mpa_conn_req req;
};

enum sub_state { SUB_PLANNED, SUB_PENDING, SUB_UP, SUB_FAILED, SUB_CLOSED };

struct eng_sub {
	struct mpa_local local;
	enum sub_state state;
};

enum conn_state { CONN_WAIT_ESTABLISHED, CONN_WAIT_AGE, CONN_DONE };

struct eng_conn {
	struct mpa_conn_req req;
	enum conn_state state;
	bool planned; /* interfaces resolved and routes checked */
	bool aged; /* the rule's subflow-delay was waited out */
	int tries;
	int64_t retry_at; /* ms, CONN_WAIT_ESTABLISHED only */
	int nsubs;
	struct eng_sub subs[MPA_MAX_SUBFLOWS];
};

struct mpa_engine {
	/* Bounded multi-producer queue (Vyukov), single consumer. */
	struct eng_cell *cells;
	unsigned int mask;
	atomic_uint enq;
	unsigned int deq;
	atomic_uint wake; /* futex word: bumped by every submission */
	atomic_int sleeping;
	atomic_int stop, disabled;

	cmn_log_fn log;
	struct mpa_engine_stats stats;

	/* Owned by the thread in mpa_engine_run(). */
	struct mptcplib_events *events;
	int64_t last_submission; /* ms */
	struct {
		uint32_t token;
		int64_t at;
	} early[ENG_EARLY_SLOTS];
	unsigned int early_next;
	struct eng_plan_cache plans[ENG_PLAN_SLOTS];
	unsigned int plan_next;
	struct eng_conn *conns;
	int nconns, capconns;
};

#define LOG(e, level, ...)                            \
	do {                                          \
		if ((e)->log)                         \
			(e)->log(level, __VA_ARGS__); \
	} while (0)

static const char *eng_addr(const struct sockaddr_storage *ss, char *buf,
			    size_t len)
{
	const void *a = ss->ss_family == AF_INET6 ?
				(const void *)&((const struct sockaddr_in6 *)ss)
					->sin6_addr :
				(const void *)&((const struct sockaddr_in *)ss)
					->sin_addr;

	if (!inet_ntop(ss->ss_family, a, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

struct mpa_engine *mpa_engine_new(unsigned int queue_slots, cmn_log_fn log)
{
	struct mpa_engine *e;
	unsigned int i;

	if (!queue_slots || (queue_slots & (queue_slots - 1)))
		return NULL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->cells = calloc(queue_slots, sizeof(*e->cells));
	if (!e->cells) {
		free(e);
		return NULL;
	}
	for (i = 0; i < queue_slots; i++)
		atomic_init(&e->cells[i].seq, i);
	e->mask = queue_slots - 1;
	e->log = log;
	return e;
}

int mpa_engine_submit(struct mpa_engine *e, const struct mpa_conn_req *req)
{
	unsigned int pos = atomic_load_explicit(&e->enq, memory_order_relaxed);
	struct eng_cell *cell;

	if (atomic_load_explicit(&e->disabled, memory_order_relaxed))
		return -ECANCELED;
	for (;;) {
		int diff;

		cell = &e->cells[pos & e->mask];
		diff = (int)(atomic_load_explicit(&cell->seq,
						  memory_order_acquire) -
			     pos);
		if (diff == 0) {
			if (atomic_compare_exchange_weak_explicit(
				    &e->enq, &pos, pos + 1,
				    memory_order_relaxed, memory_order_relaxed))
				break;
		} else if (diff < 0) {
			atomic_fetch_add(&e->stats.dropped, 1);
			return -ENOSPC;
		} else {
			pos = atomic_load_explicit(&e->enq,
						   memory_order_relaxed);
		}
	}
	cell->req = *req;
	atomic_store_explicit(&cell->seq, pos + 1, memory_order_release);
	atomic_fetch_add(&e->stats.submitted, 1);
	atomic_fetch_add(&e->wake, 1);
	if (atomic_load(&e->sleeping))
		syscall(SYS_futex, &e->wake, FUTEX_WAKE_PRIVATE, 1, NULL, NULL,
			0);
	return 0;
}

static bool eng_dequeue(struct mpa_engine *e, struct mpa_conn_req *out)
{
	struct eng_cell *cell = &e->cells[e->deq & e->mask];
	unsigned int seq =
		atomic_load_explicit(&cell->seq, memory_order_acquire);

	if ((int)(seq - (e->deq + 1)) < 0)
		return false;
	*out = cell->req;
	atomic_store_explicit(&cell->seq, e->deq + e->mask + 1,
			      memory_order_release);
	e->deq++;
	return true;
}

static struct eng_conn *eng_find(struct mpa_engine *e, uint32_t token)
{
	int i;

	for (i = 0; i < e->nconns; i++)
		if (e->conns[i].req.token == token)
			return &e->conns[i];
	return NULL;
}

static void eng_drop(struct mpa_engine *e, struct eng_conn *c)
{
	*c = e->conns[--e->nconns];
}

static int eng_count(const struct eng_conn *c, enum sub_state st)
{
	int i, n = 0;

	for (i = 0; i < c->nsubs; i++)
		n += c->subs[i].state == st;
	return n;
}

static bool eng_same_addr(const struct sockaddr_storage *a,
			  const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	if (a->ss_family == AF_INET6)
		return IN6_ARE_ADDR_EQUAL(
			&((const struct sockaddr_in6 *)a)->sin6_addr,
			&((const struct sockaddr_in6 *)b)->sin6_addr);
	return true;
}

static struct eng_plan_cache *eng_plan_cached(struct mpa_engine *e,
					      const struct eng_conn *c)
{
	int64_t now = cmn_now_ms();
	int i;

	for (i = 0; i < ENG_PLAN_SLOTS; i++) {
		struct eng_plan_cache *p = &e->plans[i];

		if (p->rule == c->req.rule && now - p->at < ENG_PLAN_MS &&
		    eng_same_addr(&p->remote, &c->req.remote) &&
		    eng_same_addr(&p->local, &c->req.local))
			return p;
	}
	return NULL;
}

/*
 * Which local addresses this connection should use, now: the rule's
 * interfaces as they are at this moment, minus those without a route to
 * the peer (a bound subflow would only ARP for it on-link).
 */
static void eng_plan(struct mpa_engine *e, struct eng_conn *c)
{
	struct mpa_decision d = { .rule = c->req.rule, .open_subflows = true };
	struct mpa_local locals[MPA_MAX_SUBFLOWS];
	struct eng_plan_cache *p = eng_plan_cached(e, c);
	char a[INET6_ADDRSTRLEN], r[INET6_ADDRSTRLEN];
	int n, i;

	if (p) {
		for (i = 0; i < p->nsubs; i++) {
			c->subs[i].local = p->locals[i];
			c->subs[i].state = SUB_PLANNED;
		}
		c->nsubs = p->nsubs;
		return;
	}
	d.max_subflows = c->req.rule->subflows;
	n = mpa_resolve(&d, c->req.remote.ss_family,
			(const struct sockaddr *)&c->req.local, locals,
			MPA_MAX_SUBFLOWS);
	for (i = 0; i < n; i++) {
		int via = mpa_route_via((const struct sockaddr *)&c->req.remote,
					locals[i].ifindex);

		if (via == 0) {
			atomic_fetch_add(&e->stats.no_route, 1);
			LOG(e, CMN_LOG_INFO,
			    "token %08x: not using %s (%s): no route to %s "
			    "through %s; add a default route via %s (with a "
			    "higher metric) or a source rule for %s",
			    c->req.token, locals[i].ifname,
			    eng_addr(&locals[i].addr, a, sizeof(a)),
			    eng_addr(&c->req.remote, r, sizeof(r)),
			    locals[i].ifname, locals[i].ifname, a);
			continue;
		}
		c->subs[c->nsubs].local = locals[i];
		c->subs[c->nsubs].state = SUB_PLANNED;
		c->nsubs++;
	}
	if (!c->nsubs)
		LOG(e, CMN_LOG_DEBUG,
		    "token %08x: no usable interface for %s (rule %s)",
		    c->req.token, eng_addr(&c->req.remote, r, sizeof(r)),
		    c->req.rule->origin);
	p = &e->plans[e->plan_next++ % ENG_PLAN_SLOTS];
	p->rule = c->req.rule;
	p->local = c->req.local;
	p->remote = c->req.remote;
	p->at = cmn_now_ms();
	p->nsubs = c->nsubs;
	for (i = 0; i < c->nsubs; i++)
		p->locals[i] = c->subs[i].local;
}

/* Ask for every planned subflow; stop at the first connection-wide error. */
static void eng_try(struct mpa_engine *e, struct eng_conn *c)
{
	char a[INET6_ADDRSTRLEN];
	int i, err;

	if (!c->planned) {
		c->planned = true;
		eng_plan(e, c);
	}
	for (i = 0; i < c->nsubs; i++) {
		struct eng_sub *s = &c->subs[i];
		struct mptcplib_flow flow = {
			.low_prio = s->local.backup,
			.local = (struct sockaddr *)&s->local.addr,
			.local_len = sizeof(s->local.addr),
			.remote = (struct sockaddr *)&c->req.remote,
			.remote_len = sizeof(c->req.remote),
		};
		struct mptcplib_open_opts opts = { .ifindex =
							   s->local.ifindex };

		if (s->state != SUB_PLANNED)
			continue;
		err = mptcplib_token_open_sub(c->req.token, &flow, &opts);
		if (!err) {
			s->state = SUB_PENDING;
			atomic_fetch_add(&e->stats.requested, 1);
			LOG(e, CMN_LOG_DEBUG,
			    "token %08x: subflow requested from %s (%s)%s",
			    c->req.token,
			    eng_addr(&s->local.addr, a, sizeof(a)),
			    s->local.ifname, s->local.backup ? ", backup" : "");
			continue;
		}
		switch (err) {
		case ENOTCONN:
			/* Not fully established yet: the ESTABLISHED event
			 * or a retry brings us back. */
			if (c->tries++ < ENG_RETRIES) {
				c->state = CONN_WAIT_ESTABLISHED;
				c->retry_at = cmn_now_ms() +
					      (ENG_RETRY_FIRST_MS << c->tries);
			} else {
				c->state = CONN_DONE;
				LOG(e, CMN_LOG_DEBUG,
				    "token %08x: never fully established",
				    c->req.token);
			}
			return;
		case ESRCH:
			LOG(e, CMN_LOG_DEBUG,
			    "token %08x: gone (closed or fell back to TCP)",
			    c->req.token);
			eng_drop(e, c);
			return;
		case EPERM:
			LOG(e, CMN_LOG_WARN,
			    "no CAP_NET_ADMIN: connections "
			    "stay MPTCP, but no subflow is "
			    "opened");
			atomic_store(&e->disabled, 1);
			c->state = CONN_DONE;
			return;
		case ENOPROTOOPT:
			LOG(e, CMN_LOG_INFO,
			    "token %08x: uses the in-kernel path manager; its "
			    "endpoints decide the subflows",
			    c->req.token);
			c->state = CONN_DONE;
			return;
		default:
			s->state = SUB_FAILED;
			atomic_fetch_add(&e->stats.failed, 1);
			LOG(e, CMN_LOG_WARN,
			    "token %08x: subflow from %s (%s): %s",
			    c->req.token,
			    eng_addr(&s->local.addr, a, sizeof(a)),
			    s->local.ifname, mptcplib_last_error());
		}
	}
	c->state = CONN_DONE;
}

/*
 * @c is fully established (or its event was lost): open its subflows now,
 * or once it has lived the rule's subflow-delay. Short connections gain
 * nothing from a second path, and each extra subflow takes a local port
 * (and a TIME-WAIT entry after it closes).
 */
static void eng_ready(struct mpa_engine *e, struct eng_conn *c)
{
	int delay = c->req.rule->subflow_delay;

	if (delay > 0 && !c->aged) {
		c->aged = true;
		c->state = CONN_WAIT_AGE;
		c->retry_at = cmn_now_ms() + delay;
		return;
	}
	eng_try(e, c);
}

/*
 * Room for one more connection: grow the table, or at the limit forget
 * a finished one (its CLOSED event may have been lost).
 */
static bool eng_grow(struct mpa_engine *e)
{
	int cap = e->capconns ? e->capconns * 2 : 64, i;
	struct eng_conn *n;

	if (cap <= ENG_MAX_CONNS &&
	    (n = realloc(e->conns, (size_t)cap * sizeof(*n)))) {
		e->conns = n;
		e->capconns = cap;
		return true;
	}
	for (i = 0; i < e->nconns; i++) {
		if (e->conns[i].state == CONN_DONE) {
			memmove(&e->conns[i], &e->conns[i + 1],
				(size_t)(e->nconns - i - 1) *
					sizeof(e->conns[0]));
			e->nconns--;
			return true;
		}
	}
	return false;
}

/* An IPv4-mapped IPv6 address (dual-stack socket) as plain IPv4. */
static void eng_unmap(struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in in = { .sin_family = AF_INET };

	if (ss->ss_family != AF_INET6 || !IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr))
		return;
	in.sin_port = in6->sin6_port;
	memcpy(&in.sin_addr, &in6->sin6_addr.s6_addr[12], 4);
	memset(ss, 0, sizeof(*ss));
	memcpy(ss, &in, sizeof(in));
}

static void eng_note_early(struct mpa_engine *e, uint32_t token)
{
	unsigned int i = e->early_next++ % ENG_EARLY_SLOTS;

	e->early[i].token = token;
	e->early[i].at = cmn_now_ms();
}

static bool eng_early_established(struct mpa_engine *e, uint32_t token)
{
	int64_t now = cmn_now_ms();
	int i;

	for (i = 0; i < ENG_EARLY_SLOTS; i++)
		if (e->early[i].token == token &&
		    now - e->early[i].at < ENG_EARLY_MS)
			return true;
	return false;
}

/*
 * @early_ok: the connection may have become established before we listened
 * to the events (submitted before this thread subscribed), so its
 * ESTABLISHED event may be lost to us: try at once.
 */
static void eng_add(struct mpa_engine *e, const struct mpa_conn_req *req,
		    bool early_ok)
{
	char p[INET6_ADDRSTRLEN];
	struct eng_conn *c = eng_find(e, req->token);

	if (c)
		eng_drop(e, c); /* a reused token: the old one is gone */
	if (e->nconns == e->capconns && !eng_grow(e)) {
		LOG(e, CMN_LOG_WARN, "token %08x: too many connections tracked",
		    req->token);
		return;
	}
	c = &e->conns[e->nconns++];
	memset(c, 0, sizeof(*c));
	c->req = *req;
	eng_unmap(&c->req.local);
	eng_unmap(&c->req.remote);
	LOG(e, CMN_LOG_DEBUG, "token %08x: to %s, rule %s", req->token,
	    eng_addr(&c->req.remote, p, sizeof(p)), req->rule->origin);
	/*
	 * A connection is fully established only once data has flowed, so
	 * it is normally too early: wait for its ESTABLISHED event (a timer
	 * covers a lost one) rather than load the program's busiest moment
	 * with work that would fail. If the event came first, act now.
	 */
	if (early_ok || eng_early_established(e, req->token)) {
		eng_ready(e, c);
	} else {
		c->state = CONN_WAIT_ESTABLISHED;
		c->retry_at = cmn_now_ms() + ENG_RETRY_FIRST_MS * 4;
	}
}

/* The subflow of @c whose local address is the event's, if any. */
static struct eng_sub *eng_event_sub(struct eng_conn *c,
				     const struct mptcplib_event *ev)
{
	struct sockaddr_storage l = ev->local;
	int i;

	if (l.ss_family == AF_INET6 &&
	    IN6_IS_ADDR_V4MAPPED(&((struct sockaddr_in6 *)&l)->sin6_addr)) {
		struct sockaddr_in in = { .sin_family = AF_INET };

		memcpy(&in.sin_addr,
		       &((struct sockaddr_in6 *)&l)->sin6_addr.s6_addr[12], 4);
		memcpy(&l, &in, sizeof(in));
	}
	for (i = 0; i < c->nsubs; i++) {
		const struct sockaddr_storage *a = &c->subs[i].local.addr;

		if (a->ss_family != l.ss_family)
			continue;
		if (a->ss_family == AF_INET &&
		    ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
			    ((struct sockaddr_in *)&l)->sin_addr.s_addr)
			return &c->subs[i];
		if (a->ss_family == AF_INET6 &&
		    IN6_ARE_ADDR_EQUAL(
			    &((const struct sockaddr_in6 *)a)->sin6_addr,
			    &((struct sockaddr_in6 *)&l)->sin6_addr))
			return &c->subs[i];
	}
	return NULL;
}

static void eng_event(struct mpa_engine *e, const struct mptcplib_event *ev)
{
	struct eng_conn *c = eng_find(e, ev->token);
	struct eng_sub *s;
	char a[INET6_ADDRSTRLEN];

	if (!c) {
		if (ev->type == MPTCPLIB_EVENT_ESTABLISHED)
			eng_note_early(e, ev->token);
		return;
	}
	switch (ev->type) {
	case MPTCPLIB_EVENT_ESTABLISHED:
		if (c->state == CONN_WAIT_ESTABLISHED)
			eng_ready(e, c);
		break;
	case MPTCPLIB_EVENT_SUB_ESTABLISHED:
		s = eng_event_sub(c, ev);
		if (!s || s->state != SUB_PENDING)
			break;
		s->state = SUB_UP;
		atomic_fetch_add(&e->stats.established, 1);
		LOG(e, CMN_LOG_DEBUG, "token %08x: subflow from %s (%s) is up",
		    c->req.token, eng_addr(&s->local.addr, a, sizeof(a)),
		    s->local.ifname);
		break;
	case MPTCPLIB_EVENT_SUB_CLOSED:
		s = eng_event_sub(c, ev);
		if (!s || (s->state != SUB_PENDING && s->state != SUB_UP))
			break;
		if (s->state == SUB_PENDING)
			atomic_fetch_add(&e->stats.failed, 1);
		LOG(e, s->state == SUB_PENDING ? CMN_LOG_WARN : CMN_LOG_DEBUG,
		    "token %08x: subflow from %s (%s) %s%s%s", c->req.token,
		    eng_addr(&s->local.addr, a, sizeof(a)), s->local.ifname,
		    s->state == SUB_PENDING ? "failed" : "closed",
		    ev->error ? ": " : "",
		    ev->error ? strerror(ev->error) : "");
		s->state = s->state == SUB_PENDING ? SUB_FAILED : SUB_CLOSED;
		break;
	case MPTCPLIB_EVENT_CLOSED:
		LOG(e, CMN_LOG_DEBUG,
		    "token %08x: closed; %d of %d extra subflows came up",
		    c->req.token,
		    eng_count(c, SUB_UP) + eng_count(c, SUB_CLOSED), c->nsubs);
		eng_drop(e, c);
		break;
	}
}

static void eng_timers(struct mpa_engine *e, int64_t now, int *timeout)
{
	int i;

	for (i = 0; i < e->nconns; i++) {
		struct eng_conn *c = &e->conns[i];
		int left;

		if (c->state != CONN_WAIT_ESTABLISHED &&
		    c->state != CONN_WAIT_AGE)
			continue;
		left = (int)(c->retry_at - now);
		if (left <= 0) {
			eng_ready(e, c);
			/* eng_try() may have dropped it: look at i again. */
			if (i < e->nconns && &e->conns[i] != c)
				i--;
		} else if (left < *timeout) {
			*timeout = left;
		}
	}
}

static bool eng_queue_empty(struct mpa_engine *e)
{
	unsigned int seq = atomic_load_explicit(&e->cells[e->deq & e->mask].seq,
						memory_order_acquire);

	return (int)(seq - (e->deq + 1)) < 0;
}

/*
 * Sleep until a submission. `sleeping` is set before the last look at
 * the queue, and the futex only sleeps while `wake` is unchanged, so a
 * submission racing with us is never missed.
 */
static void eng_idle(struct mpa_engine *e)
{
	struct timespec ts = { ENG_IDLE_MS / 1000,
			       (ENG_IDLE_MS % 1000) * 1000000L };
	unsigned int seen = atomic_load(&e->wake);

	atomic_store(&e->sleeping, 1);
	if (eng_queue_empty(e) && !atomic_load(&e->stop))
		syscall(SYS_futex, &e->wake, FUTEX_WAIT_PRIVATE, seen, &ts,
			NULL, 0);
	atomic_store(&e->sleeping, 0);
}

void mpa_engine_run(struct mpa_engine *e)
{
	struct mpa_conn_req req;
	struct mptcplib_event ev;
	bool subscribed_late = true;
	int err;

	err = mptcplib_events_open(&e->events);
	if (err) {
		LOG(e, CMN_LOG_WARN,
		    "%s: connections stay MPTCP, but no subflow is opened",
		    mptcplib_last_error());
		atomic_store(&e->disabled, 1);
		return;
	}
	while (!atomic_load(&e->stop) && !atomic_load(&e->disabled)) {
		struct pollfd pfd = { .fd = mptcplib_events_fd(e->events),
				      .events = POLLIN };
		int timeout = ENG_POLL_MS;

		int64_t now = cmn_now_ms();

		while (eng_dequeue(e, &req)) {
			e->last_submission = now;
			eng_add(e, &req, subscribed_late);
			/* Later ones were submitted while we listened. */
			subscribed_late = false;
		}
		if (!e->nconns) {
			/*
			 * Nothing to follow yet, but an ESTABLISHED event may
			 * already be here for a connection still on its way
			 * through the queue: remember it, then sleep.
			 */
			while (mptcplib_events_next(e->events, &ev, 0) == 0)
				eng_event(e, &ev);
			eng_idle(e);
			continue;
		}
		if (now - e->last_submission > ENG_CALM_MS)
			timeout = ENG_SLOW_MS;
		eng_timers(e, now, &timeout);
		if (poll(&pfd, 1, timeout) <= 0)
			continue;
		for (;;) {
			/* Public API: last_error is this thread's own. */
			err = mptcplib_events_next(e->events, &ev, 0);
			if (err == ENOBUFS) {
				/* Lost events: the retry timers resync. */
				LOG(e, CMN_LOG_DEBUG, "events were dropped");
				continue;
			}
			if (err)
				break;
			eng_event(e, &ev);
		}
		/*
		 * Anything but "no more for now" means the socket is broken:
		 * stop rather than spin on a descriptor that polls ready.
		 */
		if (err != ETIMEDOUT && err != EAGAIN && err != EINTR) {
			LOG(e, CMN_LOG_WARN,
			    "%s: no more subflows are opened in this process",
			    mptcplib_last_error());
			atomic_store(&e->disabled, 1);
		}
	}
	mptcplib_events_close(e->events);
	e->events = NULL;
}

void mpa_engine_stop(struct mpa_engine *e)
{
	atomic_store(&e->stop, 1);
	atomic_fetch_add(&e->wake, 1);
	syscall(SYS_futex, &e->wake, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

void mpa_engine_disable(struct mpa_engine *e)
{
	atomic_store(&e->disabled, 1);
}

void mpa_engine_reset_after_fork(struct mpa_engine *e)
{
	unsigned int i;

	/* The thread's private state may be half-updated: abandon it. */
	e->events = NULL;
	e->conns = NULL;
	e->nconns = e->capconns = 0;
	for (i = 0; i <= e->mask; i++)
		atomic_init(&e->cells[i].seq, i);
	atomic_init(&e->enq, 0);
	e->deq = 0;
	atomic_init(&e->sleeping, 0);
	atomic_init(&e->stop, 0);
}

const struct mpa_engine_stats *mpa_engine_stats(const struct mpa_engine *e)
{
	return &e->stats;
}

void mpa_engine_free(struct mpa_engine *e)
{
	if (!e)
		return;
	free(e->conns);
	free(e->cells);
	free(e);
}

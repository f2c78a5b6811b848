// SPDX-License-Identifier: MIT
/*
 * The subflow engine's state machine: connections by token, what each
 * waits for, and what every input (a connection, an event, a timer) does
 * to it. It acts only through struct eng_ops.
 */
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "cmn_addr.h"
#include "eng_engine.h"
#include "eng_index.h"
#include "eng_timers.h"

/*
 * A connection is fully established only once data has flowed, so at
 * connect() it is normally too early: its ESTABLISHED event says when. If
 * that event is lost (the socket buffer overflowed), a timer tries anyway
 * after ENG_FIRST_WAIT_MS, then backs off from ENG_RETRY_FIRST_MS.
 */
#define ENG_FIRST_WAIT_MS 1000
#define ENG_RETRY_FIRST_MS 250
#define ENG_RETRIES 8
/*
 * ESTABLISHED events for tokens not submitted yet (the event can beat the
 * queue): remembered briefly, so that the submission acts at once. Sets
 * of a few by token, the oldest of a set replaced: a look costs
 * ENG_EARLY_WAYS comparisons, however many are remembered.
 */
#define ENG_EARLY_SETS 64
#define ENG_EARLY_WAYS 4
#define ENG_EARLY_SLOTS (ENG_EARLY_SETS * ENG_EARLY_WAYS)
#define ENG_EARLY_MS 5000
/* The first table; it doubles up to max_conns. */
#define ENG_FIRST_CONNS 64

enum sub_state { SUB_PLANNED, SUB_PENDING, SUB_UP, SUB_FAILED, SUB_CLOSED };

struct eng_sub {
	struct mpa_local local;
	enum sub_state state;
};

enum conn_state {
	CONN_WAIT_ESTABLISHED, /* its ESTABLISHED event, or a retry */
	CONN_WAIT_AGE, /* the rule's subflow-delay */
	CONN_DONE, /* every subflow asked for: events only */
};

struct eng_conn {
	struct mpa_conn_req req; /* addresses unmapped */
	enum conn_state state;
	bool planned; /* subs[] holds the plan */
	bool aged; /* the subflow-delay was waited out (or is being) */
	int tries; /* subflow requests refused as too early */
	int64_t due; /* ms, while waiting */
	int nsubs;
	struct eng_sub subs[MPA_MAX_SUBFLOWS];
};

struct eng_engine {
	struct eng_queue q;
	atomic_int stop, disabled;
	struct eng_engine_stats stats;
	cmn_log_fn log;
	const struct eng_ops *ops;
	int max_conns;

	/* The engine thread's own. */
	bool late_set; /* eng_engine_subscribed() was called */
	unsigned int late_until; /* queue positions below: maybe established */
	int64_t subscribed_at; /* ms; and a while after it: maybe as well */
	struct {
		uint32_t token; /* 0: free */
		int64_t at;
	} early[ENG_EARLY_SLOTS];
	struct eng_plan_cache plans;
	struct eng_index index; /* token -> slot in conns */
	struct eng_timers timers; /* of the connections that wait */
	/*
	 * Replaced, never realloc()ed, and published before its size, so
	 * that a fork() at any moment leaves the child a valid table of at
	 * least capconns entries (eng_engine_reset_after_fork()).
	 */
	struct eng_conn *conns;
	int nconns, capconns;
};

#define LOG(e, level, ...)                            \
	do {                                          \
		if ((e)->log)                         \
			(e)->log(level, __VA_ARGS__); \
	} while (0)

static const char *ip(const struct sockaddr_storage *ss, char *buf)
{
	return cmn_sa_ntop((const struct sockaddr *)ss, buf, INET6_ADDRSTRLEN);
}

struct eng_engine *eng_engine_new(const struct eng_config *cfg)
{
	struct eng_engine *e;

	if (!cfg->ops)
		return NULL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	if (eng_queue_init(&e->q, cfg->queue_slots)) {
		free(e);
		return NULL;
	}
	e->log = cfg->log;
	e->ops = cfg->ops;
	e->max_conns = cfg->max_conns > 0 ? cfg->max_conns : ENG_MAX_CONNS;
	return e;
}

int eng_engine_submit(struct eng_engine *e, const struct mpa_conn_req *req)
{
	int rc;

	if (atomic_load_explicit(&e->disabled, memory_order_relaxed))
		return -ECANCELED;
	rc = eng_queue_push(&e->q, req);
	if (rc < 0) {
		atomic_fetch_add(&e->stats.dropped, 1);
		return rc;
	}
	atomic_fetch_add(&e->stats.submitted, 1);
	if (rc > 0)
		atomic_fetch_add(&e->stats.woken, 1);
	return 0;
}

static struct eng_conn *conn_find(struct eng_engine *e, uint32_t token)
{
	int pos = eng_index_get(&e->index, token);

	return pos < 0 ? NULL : &e->conns[pos];
}

/* Forget @c: the last connection takes its slot. */
static void conn_drop(struct eng_engine *e, struct eng_conn *c)
{
	int pos = (int)(c - e->conns);

	eng_index_del(&e->index, c->req.token);
	*c = e->conns[--e->nconns];
	if (pos != e->nconns)
		eng_index_put(&e->index, c->req.token, pos);
}

/* @c waits until @due: its timer. */
static void conn_due(struct eng_engine *e, struct eng_conn *c, int64_t due)
{
	c->due = due;
	if (eng_timers_add(&e->timers, due, c->req.token))
		/* Without memory its timer is lost, not the connection:
		 * its ESTABLISHED event still brings it back. */
		LOG(e, CMN_LOG_WARN, "token %08x: no memory for a timer",
		    c->req.token);
}

static int conn_count(const struct eng_conn *c, enum sub_state st)
{
	int i, n = 0;

	for (i = 0; i < c->nsubs; i++)
		n += c->subs[i].state == st;
	return n;
}

/* @c's subflows, from the plan cache or a new plan. */
static void conn_plan(struct eng_engine *e, struct eng_conn *c, int64_t now)
{
	const struct sockaddr *own = (const struct sockaddr *)&c->req.local;
	const struct sockaddr *peer = (const struct sockaddr *)&c->req.remote;
	const struct eng_plan_entry *cached;
	char a[INET6_ADDRSTRLEN], r[INET6_ADDRSTRLEN];
	struct eng_plan p;
	int i;

	c->planned = true;
	cached = eng_plan_cache_get(&e->plans, c->req.rule, own, peer, now);
	if (cached) {
		for (i = 0; i < cached->nsubs; i++) {
			c->subs[i].local = cached->subs[i];
			c->subs[i].state = SUB_PLANNED;
		}
		c->nsubs = cached->nsubs;
		return;
	}
	eng_plan_make(e->ops->plan, c->req.rule, peer, own, &p);
	for (i = 0; i < p.ncands; i++) {
		const struct mpa_local *l = &p.cands[i].local;

		if (p.cands[i].route != ENG_ROUTE_NO)
			continue;
		atomic_fetch_add(&e->stats.no_route, 1);
		LOG(e, CMN_LOG_INFO,
		    "token %08x: not using %s (%s): no route to %s through "
		    "%s; add a default route via %s (with a higher metric) or "
		    "a source rule for %s",
		    c->req.token, l->ifname, ip(&l->addr, a),
		    ip(&c->req.remote, r), l->ifname, l->ifname, a);
	}
	for (i = 0; i < p.nsubs; i++) {
		c->subs[i].local = p.subs[i];
		c->subs[i].state = SUB_PLANNED;
	}
	c->nsubs = p.nsubs;
	if (!c->nsubs) {
		const char *why = !p.d.open_subflows ? p.d.why :
				  p.err ? "cannot read the interfaces" :
					  "no usable interface";

		LOG(e, CMN_LOG_DEBUG, "token %08x: no extra subflow to %s: %s",
		    c->req.token, ip(&c->req.remote, r), why);
	}
	eng_plan_cache_put(&e->plans, c->req.rule, own, peer, &p, now);
}

/*
 * Ask for every planned subflow; stop at the first connection-wide error.
 * False when @c was dropped (its slot now holds another connection).
 */
static bool conn_try(struct eng_engine *e, struct eng_conn *c, int64_t now)
{
	char a[INET6_ADDRSTRLEN], why[200];
	int i, err;

	if (!c->planned)
		conn_plan(e, c, now);
	for (i = 0; i < c->nsubs; i++) {
		struct eng_sub *s = &c->subs[i];

		if (s->state != SUB_PLANNED)
			continue;
		why[0] = '\0';
		err = e->ops->open_subflow(
			e->ops->ctx, c->req.token, &s->local,
			(const struct sockaddr *)&c->req.remote, why,
			sizeof(why));
		if (!err) {
			s->state = SUB_PENDING;
			atomic_fetch_add(&e->stats.requested, 1);
			LOG(e, CMN_LOG_DEBUG,
			    "token %08x: subflow requested from %s (%s)%s",
			    c->req.token, ip(&s->local.addr, a),
			    s->local.ifname, s->local.backup ? ", backup" : "");
			continue;
		}
		switch (-err) {
		case ENOTCONN:
			/* Not fully established yet: the ESTABLISHED event
			 * or a retry brings us back. */
			atomic_fetch_add(&e->stats.too_early, 1);
			LOG(e, CMN_LOG_DEBUG,
			    "token %08x: not fully established yet",
			    c->req.token);
			if (c->tries++ < ENG_RETRIES) {
				c->state = CONN_WAIT_ESTABLISHED;
				conn_due(e, c,
					 now + (ENG_RETRY_FIRST_MS
						<< c->tries));
			} else {
				c->state = CONN_DONE;
				LOG(e, CMN_LOG_DEBUG,
				    "token %08x: never fully established",
				    c->req.token);
			}
			return true;
		case ESRCH:
			LOG(e, CMN_LOG_DEBUG,
			    "token %08x: gone (closed or fell back to TCP)",
			    c->req.token);
			conn_drop(e, c);
			return false;
		case EPERM:
			LOG(e, CMN_LOG_WARN,
			    "no CAP_NET_ADMIN: connections stay MPTCP, but no "
			    "subflow is opened");
			atomic_store(&e->disabled, 1);
			c->state = CONN_DONE;
			return true;
		case ENOPROTOOPT:
			LOG(e, CMN_LOG_INFO,
			    "token %08x: uses the in-kernel path manager; its "
			    "endpoints decide the subflows",
			    c->req.token);
			c->state = CONN_DONE;
			return true;
		default:
			s->state = SUB_FAILED;
			atomic_fetch_add(&e->stats.failed, 1);
			LOG(e, CMN_LOG_WARN,
			    "token %08x: subflow from %s (%s): %s",
			    c->req.token, ip(&s->local.addr, a),
			    s->local.ifname, why[0] ? why : strerror(-err));
		}
	}
	c->state = CONN_DONE;
	return true;
}

/*
 * @c is fully established (or its event was lost): open its subflows now,
 * or once it has lived the rule's subflow-delay. Short connections gain
 * nothing from a second path, and each extra subflow takes a local port
 * (and a TIME-WAIT entry after it closes). False when @c was dropped.
 */
static bool conn_ready(struct eng_engine *e, struct eng_conn *c, int64_t now)
{
	int delay = c->req.rule->subflow_delay;

	if (delay > 0 && !c->aged) {
		c->aged = true;
		c->state = CONN_WAIT_AGE;
		conn_due(e, c, now + delay);
		return true;
	}
	return conn_try(e, c, now);
}

/*
 * A table of @cap entries in place of the current one: the new table is
 * complete before it is published, and published before its size, and the
 * old one is freed last (eng_engine_reset_after_fork()).
 */
static bool conns_resize(struct eng_engine *e, int cap)
{
	struct eng_conn *n, *old = e->conns;

	if (eng_index_fit(&e->index, cap))
		return false;
	n = malloc((size_t)cap * sizeof(*n));
	if (!n)
		return false;
	if (e->nconns)
		memcpy(n, old, (size_t)e->nconns * sizeof(*n));
	__atomic_store_n(&e->conns, n, __ATOMIC_RELEASE);
	__atomic_store_n(&e->capconns, cap, __ATOMIC_RELEASE);
	free(old);
	return true;
}

/*
 * Room for one more connection: grow the table, or at the limit forget
 * a finished one (its CLOSED event may have been lost).
 */
static bool conns_make_room(struct eng_engine *e)
{
	int cap = e->capconns ? e->capconns * 2 : ENG_FIRST_CONNS, i;

	if (cap > e->max_conns)
		cap = e->max_conns;
	if (cap > e->capconns && conns_resize(e, cap))
		return true;
	for (i = 0; i < e->nconns; i++) {
		if (e->conns[i].state == CONN_DONE) {
			conn_drop(e, &e->conns[i]);
			return true;
		}
	}
	return false;
}

/* The first of @token's set of early slots. */
static int early_set(uint32_t token)
{
	return (int)((token * 2654435761u) >> 11) % ENG_EARLY_SETS *
	       ENG_EARLY_WAYS;
}

static void early_note(struct eng_engine *e, uint32_t token, int64_t now)
{
	int first = early_set(token), i, old = first;

	for (i = first; i < first + ENG_EARLY_WAYS; i++) {
		if (!e->early[i].token) {
			old = i;
			break;
		}
		if (e->early[i].at < e->early[old].at)
			old = i;
	}
	e->early[old].token = token;
	e->early[old].at = now;
}

/* Was @token's ESTABLISHED event seen lately? Each is used once. */
static bool early_take(struct eng_engine *e, uint32_t token, int64_t now)
{
	int first = early_set(token), i;

	for (i = first; token && i < first + ENG_EARLY_WAYS; i++) {
		if (e->early[i].token != token)
			continue;
		e->early[i].token = 0;
		if (now - e->early[i].at < ENG_EARLY_MS)
			return true;
	}
	return false;
}

static void conn_add(struct eng_engine *e, const struct mpa_conn_req *req,
		     bool maybe_established, int64_t now)
{
	char r[CMN_ADDRSTRLEN];
	struct eng_conn *c = conn_find(e, req->token);

	if (c)
		conn_drop(e, c); /* a reused token: the old one is gone */
	if (e->nconns == e->capconns && !conns_make_room(e)) {
		atomic_fetch_add(&e->stats.untracked, 1);
		LOG(e, CMN_LOG_WARN, "token %08x: too many connections tracked",
		    req->token);
		return;
	}
	c = &e->conns[e->nconns];
	memset(c, 0, sizeof(*c));
	c->req = *req;
	eng_index_put(&e->index, req->token, e->nconns++);
	cmn_sa_unmap(&c->req.local);
	cmn_sa_unmap(&c->req.remote);
	LOG(e, CMN_LOG_DEBUG, "token %08x: to %s, rule %s", req->token,
	    cmn_sa_fmt((const struct sockaddr *)&c->req.remote, r, sizeof(r)),
	    req->rule->origin);
	/*
	 * Wait for the ESTABLISHED event rather than load the program's
	 * busiest moment with work that would fail; if the event came first
	 * (or may have come before we listened), act now.
	 */
	if (early_take(e, req->token, now) || maybe_established) {
		conn_ready(e, c, now);
	} else {
		c->state = CONN_WAIT_ESTABLISHED;
		conn_due(e, c, now + ENG_FIRST_WAIT_MS);
	}
}

/* The subflow of @c whose local address is the event's, if any. */
static struct eng_sub *event_sub(struct eng_conn *c,
				 const struct mptcplib_event *ev)
{
	struct sockaddr_storage l = ev->local;
	int i;

	cmn_sa_unmap(&l);
	for (i = 0; i < c->nsubs; i++)
		if (cmn_sa_addr_equal(
			    (const struct sockaddr *)&c->subs[i].local.addr,
			    (const struct sockaddr *)&l))
			return &c->subs[i];
	return NULL;
}

/*
 * A subflow that came up otherwise than asked: 6.1's SUBFLOW_CREATE takes
 * neither the interface nor the backup flag (docs/kernel-facts.md §18).
 * The event tells the interface (it names the bound one); the backup flag
 * is set now. An unbound subflow leaves by the routing table for its
 * source address: said once, for the engine's life.
 */
static void sub_conform(struct eng_engine *e, const struct eng_conn *c,
			const struct eng_sub *s,
			const struct mptcplib_event *ev)
{
	char a[INET6_ADDRSTRLEN], why[256] = "";
	int err;

	if (s->local.ifindex && ev->ifindex != s->local.ifindex &&
	    atomic_fetch_add(&e->stats.unbound, 1) == 0)
		LOG(e, CMN_LOG_WARN,
		    "this kernel does not bind subflows to an interface: the "
		    "one from %s (%s) leaves by the route for its source "
		    "address (a policy rule, ip rule add from ADDRESS table "
		    "N, keeps it on %s)",
		    ip(&s->local.addr, a), s->local.ifname, s->local.ifname);
	if (!s->local.backup || !e->ops->set_backup)
		return;
	err = e->ops->set_backup(e->ops->ctx, c->req.token,
				 (const struct sockaddr *)&ev->local,
				 (const struct sockaddr *)&ev->remote, why,
				 sizeof(why));
	if (err)
		LOG(e, CMN_LOG_WARN,
		    "token %08x: subflow from %s (%s) could not be made "
		    "backup: %s",
		    c->req.token, ip(&s->local.addr, a), s->local.ifname, why);
}

/*
 * Why a subflow closed, in words. A join answered by a reset (111) is the
 * peer's refusal: nothing accepts a new subflow on that port, typically a
 * server that accepted one connection and closed its listener.
 */
static const char *sub_error_text(int error)
{
	if (error == ECONNREFUSED)
		return "refused by the peer (nothing accepts a new subflow "
		       "there: a server that closed its listener after one "
		       "connection, like socat without fork)";
	return strerror(error);
}

static void on_event(struct eng_engine *e, const struct mptcplib_event *ev,
		     int64_t now)
{
	struct eng_conn *c = conn_find(e, ev->token);
	char a[INET6_ADDRSTRLEN];
	struct eng_sub *s;
	bool pending;

	if (!c) {
		if (ev->type == MPTCPLIB_EVENT_ESTABLISHED)
			early_note(e, ev->token, now);
		return;
	}
	switch (ev->type) {
	case MPTCPLIB_EVENT_ESTABLISHED:
		if (c->state == CONN_WAIT_ESTABLISHED)
			conn_ready(e, c, now);
		break;
	case MPTCPLIB_EVENT_SUB_ESTABLISHED:
		s = event_sub(c, ev);
		if (!s || s->state != SUB_PENDING)
			break;
		s->state = SUB_UP;
		atomic_fetch_add(&e->stats.established, 1);
		LOG(e, CMN_LOG_DEBUG, "token %08x: subflow from %s (%s) is up",
		    c->req.token, ip(&s->local.addr, a), s->local.ifname);
		sub_conform(e, c, s, ev);
		break;
	case MPTCPLIB_EVENT_SUB_CLOSED:
		s = event_sub(c, ev);
		if (!s || (s->state != SUB_PENDING && s->state != SUB_UP))
			break;
		pending = s->state == SUB_PENDING;
		if (pending)
			atomic_fetch_add(&e->stats.failed, 1);
		LOG(e, pending ? CMN_LOG_WARN : CMN_LOG_DEBUG,
		    "token %08x: subflow from %s (%s) %s%s%s", c->req.token,
		    ip(&s->local.addr, a), s->local.ifname,
		    pending ? "failed" : "closed", ev->error ? ": " : "",
		    ev->error ? sub_error_text(ev->error) : "");
		s->state = pending ? SUB_FAILED : SUB_CLOSED;
		break;
	case MPTCPLIB_EVENT_CLOSED:
		LOG(e, CMN_LOG_DEBUG,
		    "token %08x: closed; %d of %d extra subflows came up",
		    c->req.token,
		    conn_count(c, SUB_UP) + conn_count(c, SUB_CLOSED),
		    c->nsubs);
		conn_drop(e, c);
		break;
	}
}

static bool conn_waits(const struct eng_conn *c)
{
	return c->state == CONN_WAIT_ESTABLISHED || c->state == CONN_WAIT_AGE;
}

/* Is @t the timer @c waits for now (not one it left behind)? */
static bool timer_live(struct eng_engine *e, const struct eng_timer *t,
		       struct eng_conn **c)
{
	*c = conn_find(e, t->token);
	return *c && conn_waits(*c) && (*c)->due == t->due;
}

/* Every connection whose timer is due. */
static void on_timers(struct eng_engine *e, int64_t now)
{
	struct eng_conn *c;
	struct eng_timer t;

	while (!atomic_load(&e->disabled) &&
	       eng_timers_pop_due(&e->timers, now, &t))
		if (timer_live(e, &t, &c))
			conn_ready(e, c, now);
}

/*
 * Timers left behind at the top of the heap go, so that the next timer
 * (eng_engine_next_timer()) is one a connection waits for.
 */
static void timers_prune(struct eng_engine *e)
{
	struct eng_conn *c;
	struct eng_timer t;

	while (e->timers.n) {
		t = e->timers.v[0];
		if (timer_live(e, &t, &c))
			break;
		eng_timers_pop_due(&e->timers, t.due, &t);
	}
}

int eng_engine_step(struct eng_engine *e, const struct eng_input *in)
{
	int64_t now;

	if (atomic_load(&e->disabled))
		return -ECANCELED;
	now = e->ops->now(e->ops->ctx);
	switch (in->type) {
	case ENG_IN_SUBMIT:
		conn_add(e, in->req, in->maybe_established, now);
		break;
	case ENG_IN_EVENT:
		on_event(e, in->event, now);
		break;
	case ENG_IN_TIMER:
		on_timers(e, now);
		break;
	}
	timers_prune(e);
	return atomic_load(&e->disabled) ? -ECANCELED : 0;
}

int eng_engine_drain(struct eng_engine *e)
{
	struct eng_input in = { .type = ENG_IN_SUBMIT };
	struct mpa_conn_req req;
	unsigned int pos;
	int n = 0;

	in.req = &req;
	while (!atomic_load(&e->disabled) && eng_queue_pop(&e->q, &req, &pos)) {
		in.maybe_established =
			e->late_set &&
			((int)(e->late_until - pos) > 0 ||
			 e->ops->now(e->ops->ctx) - e->subscribed_at <
				 ENG_SUBSCRIBE_GRACE_MS);
		eng_engine_step(e, &in);
		n++;
	}
	return n;
}

void eng_engine_subscribed(struct eng_engine *e)
{
	e->late_until = eng_queue_pushed(&e->q);
	e->subscribed_at = e->ops->now(e->ops->ctx);
	e->late_set = true;
}

int64_t eng_engine_next_timer(const struct eng_engine *e)
{
	return eng_timers_next(&e->timers);
}

int eng_engine_timeout(const struct eng_engine *e)
{
	int64_t next = eng_engine_next_timer(e), left;

	if (next < 0)
		return -1;
	left = next - e->ops->now(e->ops->ctx);
	return left < 0 ? 0 : left > INT_MAX ? INT_MAX : (int)left;
}

int eng_engine_nconns(const struct eng_engine *e)
{
	return e->nconns;
}

struct eng_queue *eng_engine_queue(struct eng_engine *e)
{
	return &e->q;
}

cmn_log_fn eng_engine_logger(const struct eng_engine *e)
{
	return e->log;
}

bool eng_engine_stopped(const struct eng_engine *e)
{
	return atomic_load(&e->stop) || atomic_load(&e->disabled);
}

void eng_engine_stop(struct eng_engine *e)
{
	atomic_store(&e->stop, 1);
	eng_queue_wake(&e->q);
}

void eng_engine_disable(struct eng_engine *e)
{
	atomic_store(&e->disabled, 1);
	eng_queue_wake(&e->q);
}

void eng_engine_reset_after_fork(struct eng_engine *e)
{
	/*
	 * The parent's thread may have been anywhere: its table is valid
	 * (conns_resize()), but what is in it is not. Keep the memory,
	 * forget the contents.
	 */
	e->nconns = 0;
	eng_index_forget(&e->index);
	eng_timers_forget(&e->timers);
	e->late_set = false;
	memset(e->early, 0, sizeof(e->early));
	eng_plan_cache_clear(&e->plans);
	eng_queue_reset(&e->q);
	atomic_init(&e->stop, 0);
}

const struct eng_engine_stats *eng_engine_stats(const struct eng_engine *e)
{
	return &e->stats;
}

void eng_engine_free(struct eng_engine *e)
{
	if (!e)
		return;
	eng_queue_fini(&e->q);
	eng_index_free(&e->index);
	eng_timers_free(&e->timers);
	free(e->conns);
	free(e);
}

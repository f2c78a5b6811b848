// SPDX-License-Identifier: MIT
/*
 * The subflow engine's state machine: connections by token, what each
 * waits for, and what every input (a connection, an event, a timer) does
 * to it. It acts only through struct eng_ops.
 */
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmn_addr.h"
#include "eng_engine.h"
#include "eng_index.h"
#include "eng_timers.h"
#include "eng_withdraw.h"

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
 * CREATED and ESTABLISHED events for tokens not submitted yet (the events
 * can beat the queue): remembered briefly, so that the submission acts at
 * once when its connection is established already, and waits for the
 * event when only its CREATED went by (then its ESTABLISHED is still to
 * come and will be seen). Sets of a few by token, the oldest of a set
 * replaced: a look costs ENG_EARLY_WAYS comparisons, however many are
 * remembered.
 */
#define ENG_EARLY_SETS 64
#define ENG_EARLY_WAYS 4
#define ENG_EARLY_SLOTS (ENG_EARLY_SETS * ENG_EARLY_WAYS)
/*
 * Connections a step touched, whose timer is looked at again after it;
 * past this many, all of them are.
 */
#define ENG_TOUCHED 16
#define ENG_EARLY_MS 5000
/* The first table; it doubles up to max_conns. */
#define ENG_FIRST_CONNS 64

enum sub_state {
	SUB_PLANNED, /* to be asked for */
	SUB_PENDING, /* asked for: its SUB_ESTABLISHED or SUB_CLOSED next */
	SUB_UP,
	SUB_FAILED, /* never came up; not re-opened */
	SUB_CLOSED, /* came up, then closed; not re-opened */
	SUB_LOST, /* its path died: removed, back when the path is */
	SUB_WAIT, /* to be re-opened at due */
};

struct eng_sub {
	struct mpa_local local;
	enum sub_state state;
	bool initial; /* the connection's first subflow, or its replacement */
	bool ends; /* l and r hold its ends, ports included */
	int id; /* its local address id, -1: not known */
	struct sockaddr_storage l, r;
	int64_t due; /* SUB_WAIT: when */
	int64_t next_ok; /* no request for it before (ms) */
	int64_t up_at; /* when it came up, 0 if it did not */
	int fails; /* requests in a row that never came up */
	int backoff; /* ms: the next wait */
	struct eng_stall_sub st; /* SUB_UP: its readings (stalls) */
	int64_t read_at; /* when st.cur was read, 0: never */
	int64_t prev_at; /* when st.prev was */
	bool told_quiet; /* its quiet spell without a hole was logged */
};

/*
 * Extra subflows, and room for as many again on new addresses while the
 * old ones are still known (an address replaced on the same interface).
 */
#define ENG_SLOTS (MPA_MAX_SUBFLOWS + 2)

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
	int64_t timer_at; /* its entry in the timer heap, -1: none */
	/* Paths: set when planned. */
	bool paths; /* has extra subflows or may get them: follows paths */
	bool reopen; /* the rule's reopen = yes, and it opens subflows */
	bool init_routed; /* a route to the peer left by the initial's link */
	int cap; /* extra subflows at once: the rule's max */
	struct eng_sub init; /* the initial subflow */
	struct eng_stall_conn stc; /* its readings, with its subflows' */
	int64_t stc_at; /* when stc.cur was read, 0: never */
	/* The reading of it that came with its subflows', at stc_read_at */
	struct eng_conn_sample stc_read;
	int stc_err;
	int64_t stc_read_at;
	int nsubs;
	struct eng_sub subs[ENG_SLOTS];
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
		bool established; /* its ESTABLISHED, else only its CREATED */
		int64_t at;
	} early[ENG_EARLY_SLOTS];
	struct eng_plan_cache plans;
	struct eng_index index; /* token -> slot in conns */
	/* One entry per connection's next due time (waits or re-opens). */
	struct eng_timers timers;
	uint32_t touched[ENG_TOUCHED];
	int ntouched; /* > ENG_TOUCHED: every connection */
	int npaths; /* connections that follow paths */
	/* Paths. */
	int64_t resync_due; /* re-plan connections that re-open, -1: none */
	int64_t route_due; /* re-check routes, -1: none */
	int route_ifs[8], nroute_ifs; /* of these interfaces; > 8: all */
	int64_t paths_seen; /* last time a connection followed paths, 0 */
	int64_t events_seen; /* last time a connection was followed, 0 */
	/* Stalls. */
	int64_t watch_due; /* the next reading of the subflows, -1: none */
	int watch_wait; /* ms between readings now */
	int watch_from; /* the connection the next reading starts from */
	bool watch_said; /* a failed reading was logged */
	bool conn_said; /* a connection that could not be read, logged */
	bool withdraw_said; /* a refused REMOVE was logged */
	struct eng_probe *probes; /* published like conns, for fork() */
	int cap_probes;
	uint32_t rng; /* jitter */
	struct {
		struct sockaddr_storage addr, peer;
		int ifindex;
		char ifname[IFNAMSIZ];
		bool routed;
		int64_t at;
	} own; /* the last initial subflow's interface and route lookup */
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

/* @ss's address, port 0, into @out. */
static void addr_only(struct sockaddr_storage *out,
		      const struct sockaddr_storage *ss)
{
	*out = *ss;
	if (out->ss_family == AF_INET)
		((struct sockaddr_in *)out)->sin_port = 0;
	else if (out->ss_family == AF_INET6)
		((struct sockaddr_in6 *)out)->sin6_port = 0;
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
	e->resync_due = -1;
	e->route_due = -1;
	e->watch_due = -1;
	e->watch_wait = ENG_STALL_POLL_MS;
	e->rng = 0x9e3779b9u;
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

/* @token's timer is to be looked at again at the end of the step. */
static void touch(struct eng_engine *e, uint32_t token)
{
	if (e->ntouched < ENG_TOUCHED)
		e->touched[e->ntouched] = token;
	if (e->ntouched <= ENG_TOUCHED)
		e->ntouched++;
}

/* A step that may have changed any connection's timer. */
static void touch_all(struct eng_engine *e)
{
	e->ntouched = ENG_TOUCHED + 1;
}

static struct eng_conn *conn_at(struct eng_engine *e, uint32_t token)
{
	int pos = eng_index_get(&e->index, token);

	return pos < 0 ? NULL : &e->conns[pos];
}

/* @token's connection, which the caller may change. */
static struct eng_conn *conn_find(struct eng_engine *e, uint32_t token)
{
	struct eng_conn *c = conn_at(e, token);

	if (c)
		touch(e, token);
	return c;
}

static void conn_set_paths(struct eng_engine *e, struct eng_conn *c, bool v)
{
	e->npaths += (int)v - (int)c->paths;
	c->paths = v;
}

/* Forget @c: the last connection takes its slot. */
static void conn_drop(struct eng_engine *e, struct eng_conn *c)
{
	int pos = (int)(c - e->conns);

	conn_set_paths(e, c, false);
	eng_index_del(&e->index, c->req.token);
	*c = e->conns[--e->nconns];
	if (pos != e->nconns)
		eng_index_put(&e->index, c->req.token, pos);
}

static int conn_count(const struct eng_conn *c, enum sub_state st)
{
	int i, n = 0;

	for (i = 0; i < c->nsubs; i++)
		n += c->subs[i].state == st;
	return n;
}

/*
 * Slot @i of @c, for @i below conn_nslots(): its extra subflows, then the
 * initial one.
 */
static int conn_nslots(const struct eng_conn *c)
{
	return c->nsubs + 1;
}

static struct eng_sub *conn_slot(struct eng_conn *c, int i)
{
	return i < c->nsubs ? &c->subs[i] : &c->init;
}

/* Extra subflows up or on their way: what the rule's cap counts. */
static int conn_live(const struct eng_conn *c)
{
	return conn_count(c, SUB_PENDING) + conn_count(c, SUB_UP);
}

static uint32_t rnd(struct eng_engine *e)
{
	uint32_t x = e->rng;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return e->rng = x;
}

/* @ms, stretched by up to a quarter. */
static int jitter(struct eng_engine *e, int ms)
{
	return ms + (int)(rnd(e) % (uint32_t)(ms / 4 + 1));
}

static void sub_init(struct eng_sub *s, const struct mpa_local *l)
{
	memset(s, 0, sizeof(*s));
	s->local = *l;
	s->state = SUB_PLANNED;
	s->backoff = ENG_REOPEN_FIRST_MS;
	s->id = -1;
}

/* A request for @s went out at @now: the next one waits longer. */
static void sub_asked(struct eng_engine *e, struct eng_sub *s, int64_t now)
{
	s->next_ok = now + jitter(e, s->backoff);
	s->backoff = s->backoff * 2 > ENG_REOPEN_MAX_MS ? ENG_REOPEN_MAX_MS :
							  s->backoff * 2;
	s->ends = false;
	s->id = -1;
	s->up_at = 0;
}

/* @s ends: a subflow that lived long enough starts its backoff anew. */
static void sub_ended(struct eng_sub *s, int64_t now)
{
	if (s->up_at && now - s->up_at >= ENG_REOPEN_STABLE_MS) {
		s->backoff = ENG_REOPEN_FIRST_MS;
		s->next_ok = 0;
	}
	s->up_at = 0;
}

/* @s died while its path works: re-opened after a wait (reopen). */
static void sub_retry(struct eng_engine *e, const struct eng_conn *c,
		      struct eng_sub *s, int64_t now)
{
	int64_t at = now + jitter(e, ENG_REOPEN_FIRST_MS);

	if (s->fails >= ENG_REOPEN_TRIES) {
		char a[INET6_ADDRSTRLEN];

		LOG(e, CMN_LOG_INFO,
		    "token %08x: subflow from %s (%s) not asked for again: "
		    "%d requests in a row never came up",
		    c->req.token, ip(&s->local.addr, a), s->local.ifname,
		    s->fails);
		sub_ended(s, now);
		s->state = SUB_FAILED;
		return;
	}

	sub_ended(s, now);
	s->state = SUB_WAIT;
	s->due = at > s->next_ok ? at : s->next_ok;
}

/*
 * The interface that has local address @addr (the initial subflow's), 0
 * if none or unknown, and whether a route to @peer leaves through it
 * into *@routed; looked up once for a burst of connections from the same
 * source to the same peer.
 */
static int own_ifindex(struct eng_engine *e, const struct sockaddr *addr,
		       const struct sockaddr *peer, char *ifname, bool *routed,
		       int64_t now)
{
	int idx;

	*routed = false;
	if (!e->ops->ifindex_of || addr->sa_family == AF_UNSPEC)
		return 0;
	if (e->own.at && now - e->own.at < ENG_PLAN_MS && now >= e->own.at &&
	    cmn_sa_addr_equal((const struct sockaddr *)&e->own.addr, addr) &&
	    cmn_sa_addr_equal((const struct sockaddr *)&e->own.peer, peer)) {
		memcpy(ifname, e->own.ifname, IFNAMSIZ);
		*routed = e->own.routed;
		return e->own.ifindex;
	}
	ifname[0] = '\0';
	idx = e->ops->ifindex_of(e->ops->ctx, addr, ifname);
	if (idx < 0)
		idx = 0;
	*routed = idx > 0 &&
		  e->ops->plan->route_via(e->ops->plan->ctx, peer, idx) > 0;
	memcpy(&e->own.addr, addr, cmn_sa_len(addr->sa_family));
	memcpy(&e->own.peer, peer, cmn_sa_len(peer->sa_family));
	e->own.ifindex = idx;
	e->own.routed = *routed;
	memcpy(e->own.ifname, ifname, IFNAMSIZ);
	e->own.at = now;
	return idx;
}

/*
 * Once planned: does @c follow its paths? It does when it has extra
 * subflows to lose, or may get them (reopen = yes for a destination that
 * gets subflows). Its initial subflow's interface is looked up then.
 */
static void conn_paths_init(struct eng_engine *e, struct eng_conn *c,
			    int64_t now)
{
	const struct sockaddr *peer = (const struct sockaddr *)&c->req.remote;
	struct mpa_decision d;
	struct eng_sub *s = &c->init;

	mpa_rule_decide(c->req.rule, peer, &d);
	c->cap = d.max_subflows;
	c->reopen = d.open_subflows && c->req.rule->reopen == MPA_YES;
	conn_set_paths(e, c, c->nsubs > 0 || c->reopen);
	if (!c->paths)
		return;
	s->local.ifindex = own_ifindex(e, (const struct sockaddr *)&s->l, peer,
				       s->local.ifname, &c->init_routed, now);
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
		for (i = 0; i < cached->nsubs; i++)
			sub_init(&c->subs[i], &cached->subs[i]);
		c->nsubs = cached->nsubs;
		conn_paths_init(e, c, now);
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
	for (i = 0; i < p.nsubs; i++)
		sub_init(&c->subs[i], &p.subs[i]);
	c->nsubs = p.nsubs;
	if (!c->nsubs) {
		const char *why = !p.d.open_subflows ? p.d.why :
				  p.err ? "cannot read the interfaces" :
					  "no usable interface";

		LOG(e, CMN_LOG_DEBUG, "token %08x: no extra subflow to %s: %s",
		    c->req.token, ip(&c->req.remote, r), why);
	}
	eng_plan_cache_put(&e->plans, c->req.rule, own, peer, &p, now);
	conn_paths_init(e, c, now);
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
			sub_asked(e, s, now);
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
				c->due = now + (ENG_RETRY_FIRST_MS << c->tries);
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
			conn_set_paths(e, c, false);
			c->reopen = false;
			return true;
		default:
			s->state = SUB_FAILED;
			s->fails++;
			sub_asked(e, s, now);
			atomic_fetch_add(&e->stats.failed, 1);
			LOG(e, CMN_LOG_WARN,
			    "token %08x: subflow from %s (%s): %s",
			    c->req.token, ip(&s->local.addr, a),
			    s->local.ifname, why[0] ? why : strerror(-err));
			if (c->reopen)
				sub_retry(e, c, s, now);
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
		c->due = now + delay;
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

static void early_note(struct eng_engine *e, uint32_t token, bool established,
		       int64_t now)
{
	int first = early_set(token), i, at = -1;

	/* Its own slot (its CREATED, now its ESTABLISHED), a free one, else
	 * the set's oldest. */
	for (i = first; i < first + ENG_EARLY_WAYS && at < 0; i++)
		if (e->early[i].token == token)
			at = i;
	for (i = first; i < first + ENG_EARLY_WAYS && at < 0; i++)
		if (!e->early[i].token)
			at = i;
	if (at < 0) {
		at = first;
		for (i = first + 1; i < first + ENG_EARLY_WAYS; i++)
			if (e->early[i].at < e->early[at].at)
				at = i;
	}
	e->early[at].token = token;
	e->early[at].established = established;
	e->early[at].at = now;
}

enum early_seen { EARLY_NONE, EARLY_CREATED, EARLY_ESTABLISHED };

/* Which of @token's events were seen lately? Each is used once. */
static enum early_seen early_take(struct eng_engine *e, uint32_t token,
				  int64_t now)
{
	int first = early_set(token), i;

	for (i = first; token && i < first + ENG_EARLY_WAYS; i++) {
		if (e->early[i].token != token)
			continue;
		e->early[i].token = 0;
		if (now - e->early[i].at >= ENG_EARLY_MS)
			return EARLY_NONE;
		return e->early[i].established ? EARLY_ESTABLISHED :
						 EARLY_CREATED;
	}
	return EARLY_NONE;
}

static bool sub_lose(struct eng_engine *e, struct eng_conn *c,
		     struct eng_sub *s, enum eng_wd_how how, int64_t now);
static void conn_resync(struct eng_engine *e, struct eng_conn *c, int64_t now);

/* Is @req the connection @c follows (a token the kernel did not reuse)? */
static bool conn_same(const struct eng_conn *c, const struct mpa_conn_req *req)
{
	struct sockaddr_storage l = req->local, r = req->remote;

	cmn_sa_unmap(&l);
	cmn_sa_unmap(&r);
	return cmn_sa_equal((const struct sockaddr *)&c->req.local,
			    (const struct sockaddr *)&l) &&
	       cmn_sa_equal((const struct sockaddr *)&c->req.remote,
			    (const struct sockaddr *)&r);
}

/*
 * @c handed over again under another rule: mptcp-autod gave a connection
 * the [default] rule when no registration had come in time, and the
 * program's came later. Planned afresh, it would get a second subflow
 * from every address beside the first; so its subflows stay, those the
 * new rule does not plan go (a user may narrow), and those it plans and
 * the connection lacks come.
 */
static void conn_rerule(struct eng_engine *e, struct eng_conn *c,
			const struct mpa_conn_req *req, int64_t now)
{
	const struct sockaddr *own = (const struct sockaddr *)&c->req.local;
	const struct sockaddr *peer = (const struct sockaddr *)&c->req.remote;
	struct eng_plan p;
	int i, k;

	LOG(e, CMN_LOG_DEBUG, "token %08x: rule %s in place of %s",
	    c->req.token, req->rule->origin, c->req.rule->origin);
	c->req.rule = req->rule;
	touch(e, c->req.token);
	/* Not planned yet: it is, with this rule, once established. */
	if (!c->planned)
		return;
	eng_plan_make(e->ops->plan, c->req.rule, peer, own, &p);
	for (i = 0; i < c->nsubs; i++) {
		struct eng_sub *s = &c->subs[i];
		bool kept = false;

		for (k = 0; k < p.nsubs && !kept; k++)
			kept = cmn_sa_addr_equal(
				(const struct sockaddr *)&s->local.addr,
				(const struct sockaddr *)&p.subs[k].addr);
		if (kept || s->state == SUB_CLOSED)
			continue;
		sub_lose(e, c, s, ENG_WD_DESTROY, now);
		s->state = SUB_CLOSED;
	}
	conn_paths_init(e, c, now);
	conn_resync(e, c, now);
}

static void conn_add(struct eng_engine *e, const struct mpa_conn_req *req,
		     bool maybe_established, int64_t now)
{
	enum early_seen seen = early_take(e, req->token, now);
	char r[CMN_ADDRSTRLEN];
	struct eng_conn *c = conn_find(e, req->token);

	if (c && conn_same(c, req)) {
		conn_rerule(e, c, req, now);
		return;
	}
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
	c->timer_at = -1;
	eng_index_put(&e->index, req->token, e->nconns++);
	touch(e, req->token);
	cmn_sa_unmap(&c->req.local);
	cmn_sa_unmap(&c->req.remote);
	c->init.state = SUB_UP;
	c->init.initial = true;
	/* The initial subflow's address always has id 0. */
	c->init.id = 0;
	c->init.backoff = ENG_REOPEN_FIRST_MS;
	c->init.l = c->req.local;
	c->init.r = c->req.remote;
	c->init.ends = cmn_sa_port((const struct sockaddr *)&c->init.l) &&
		       cmn_sa_port((const struct sockaddr *)&c->init.r);
	c->init.up_at = now;
	addr_only(&c->init.local.addr, &c->req.local);
	LOG(e, CMN_LOG_DEBUG, "token %08x: to %s, rule %s", req->token,
	    cmn_sa_fmt((const struct sockaddr *)&c->req.remote, r, sizeof(r)),
	    req->rule->origin);
	/*
	 * Wait for the ESTABLISHED event rather than load the program's
	 * busiest moment with work that would fail; if the event came first
	 * (or may have come before we listened: none of its events was
	 * seen), act now. A connection whose CREATED was seen will have its
	 * ESTABLISHED seen too: trying it early would cost a refused request
	 * for each connection of a burst.
	 */
	if (seen == EARLY_ESTABLISHED ||
	    (seen == EARLY_NONE && maybe_established)) {
		conn_ready(e, c, now);
	} else {
		c->state = CONN_WAIT_ESTABLISHED;
		c->due = now + ENG_FIRST_WAIT_MS;
	}
}

/*
 * The subflow of @c the event is about: the one with both its ends, else
 * one not up yet from the event's local address (asked for, its ends not
 * known yet), preferring the one asked for.
 */
static struct eng_sub *event_sub(struct eng_conn *c,
				 const struct mptcplib_event *ev)
{
	struct sockaddr_storage l = ev->local, r = ev->remote;
	struct eng_sub *s, *best = NULL;
	int i;

	cmn_sa_unmap(&l);
	cmn_sa_unmap(&r);
	for (i = 0; i < conn_nslots(c); i++) {
		s = conn_slot(c, i);
		if (s->ends &&
		    cmn_sa_equal((const struct sockaddr *)&s->l,
				 (const struct sockaddr *)&l) &&
		    cmn_sa_equal((const struct sockaddr *)&s->r,
				 (const struct sockaddr *)&r))
			return s;
	}
	for (i = 0; i < conn_nslots(c); i++) {
		s = conn_slot(c, i);
		if (s->ends ||
		    !cmn_sa_addr_equal((const struct sockaddr *)&s->local.addr,
				       (const struct sockaddr *)&l))
			continue;
		if (!best || s->state == SUB_PENDING)
			best = s;
	}
	return best;
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

/* ---- Stalls ----------------------------------------------------------------
 *
 * A subflow whose path is cut further away keeps its link, its address
 * and its route: nothing in rtnetlink says so. While a connection has two
 * or more subflows up, their state is read (inet_diag's tcp_info, through
 * ops->read_subflows) every ENG_STALL_POLL_MS while data moves, less
 * often while nothing does, never when no connection has two up; the
 * rule (eng_stall.h) finds the one that stopped while another carries on,
 * and it is removed like a subflow whose path died: the kernel has then
 * usually moved its data already (docs/kernel-facts.md §21), and the
 * removal ends its retransmissions into the cut and frees its place.
 * With reopen = yes it is re-opened with backoff, like any subflow that
 * died while its link works; over a path still cut the join never comes
 * up, and after ENG_REOPEN_TRIES of those it is not asked for again.
 */

/* A reading soon: a subflow came up, and may be the second. */
static void watch_soon(struct eng_engine *e, int64_t now)
{
	if (!e->ops->read_subflows || !e->ops->close_subflow)
		return;
	e->watch_wait = ENG_STALL_POLL_MS;
	if (e->watch_due < 0 || e->watch_due > now + ENG_STALL_POLL_MS)
		e->watch_due = now + ENG_STALL_POLL_MS;
}

static bool sub_readable(const struct eng_sub *s)
{
	return s->state == SUB_UP && s->ends;
}

/* Has @c two or more subflows up whose ends are known? */
static bool conn_watched(struct eng_conn *c)
{
	int i, n = 0;

	for (i = 0; i < conn_nslots(c) && n < 2; i++)
		n += sub_readable(conn_slot(c, i));
	return n >= 2;
}

/* Has @c a subflow up that received at its last reading, or carries? */
static bool conn_receives(struct eng_conn *c)
{
	int i;

	for (i = 0; i < conn_nslots(c); i++) {
		const struct eng_sub *s = conn_slot(c, i);

		if (sub_readable(s) && (s->st.streak || s->st.carrying))
			return true;
	}
	return false;
}

/*
 * Room for @n probes. The new array is published before its size and the
 * old one freed last, as conns_resize() does, for a fork() at any moment.
 */
static bool probes_fit(struct eng_engine *e, int n)
{
	struct eng_probe *p, *old = e->probes;
	int cap = e->cap_probes ? e->cap_probes : 16;

	if (n <= e->cap_probes)
		return true;
	while (cap < n)
		cap *= 2;
	p = calloc((size_t)cap, sizeof(*p));
	if (!p)
		return false;
	/* watch_collect() may grow it midway: what it collected stays. */
	if (old)
		memcpy(p, old, (size_t)e->cap_probes * sizeof(*p));
	__atomic_store_n(&e->probes, p, __ATOMIC_RELEASE);
	__atomic_store_n(&e->cap_probes, cap, __ATOMIC_RELEASE);
	free(old);
	return true;
}

/*
 * The readable subflows of the watched connections, in turn: past
 * ENG_STALL_MAX_READ, the next reading starts where this one stopped.
 * Their count.
 */
static int watch_collect(struct eng_engine *e)
{
	int start = e->nconns ? e->watch_from % e->nconns : 0, k, j, n = 0;

	e->watch_from = 0;
	for (k = 0; k < e->nconns; k++) {
		int at = (start + k) % e->nconns;
		struct eng_conn *c = &e->conns[at];

		/* The connection itself, with its first subflow, only once
		 * a subflow receives: what tells a cut from the end of its
		 * data (eng_stall.h). */
		bool conn_wanted = conn_receives(c);

		if (!conn_watched(c))
			continue;
		if (n + conn_nslots(c) > ENG_STALL_MAX_READ ||
		    !probes_fit(e, n + conn_nslots(c))) {
			e->watch_from = at;
			break;
		}
		for (j = 0; j < conn_nslots(c); j++) {
			const struct eng_sub *s = conn_slot(c, j);
			struct eng_probe *p = &e->probes[n];

			if (!sub_readable(s))
				continue;
			memset(p, 0, sizeof(*p));
			p->token = c->req.token;
			p->local = s->l;
			p->remote = s->r;
			p->ifindex = s->local.ifindex;
			p->slot = j;
			p->conn = conn_wanted;
			conn_wanted = false; /* asked once */
			n++;
		}
	}
	return n;
}

static bool sub_withdraw(struct eng_engine *e, struct eng_conn *c,
			 struct eng_sub *s);

/* How to remove @s, stalled: the peer told (REMOVE) or not. */
static enum eng_wd_how stall_how(struct eng_conn *c, const struct eng_sub *s)
{
	struct eng_wd_sub wd[ENG_SLOTS + 1];
	int i, at = -1, ns = conn_nslots(c);

	for (i = 0; i < ns; i++) {
		const struct eng_sub *x = conn_slot(c, i);

		wd[i] = (struct eng_wd_sub){
			.local = (const struct sockaddr *)&x->local.addr,
			.id = x->ends ? x->id : -1,
			.live = x->state == SUB_UP || x->state == SUB_PENDING,
			.going = x == s,
		};
		if (x == s)
			at = i;
	}
	return eng_wd_decide(wd, ns, at, ENG_WD_STALL);
}

/*
 * Remove @s, stalled (@kind, as reading @r says). Like a subflow whose
 * path died, it is gone for the engine whatever the kernel answers; with
 * reopen it comes back after the backoff. The peer is told when
 * eng_wd_decide() says so.
 */
static void stall_remove(struct eng_engine *e, struct eng_conn *c,
			 struct eng_sub *s, enum eng_stall_kind kind,
			 const struct eng_sf_sample *r, int64_t now)
{
	char a[INET6_ADDRSTRLEN], why[160], err_why[200] = "";
	bool told = false;
	int err;

	/*
	 * The peer told first (the destroy drops the id REMOVE looks for):
	 * it closes its end and sends the data it had there over the other
	 * subflows at once, not at its next retransmission timeout.
	 */
	if (e->ops->remove_addr && stall_how(c, s) == ENG_WD_REMOVE)
		told = sub_withdraw(e, c, s);
	err = e->ops->close_subflow(e->ops->ctx, c->req.token,
				    (const struct sockaddr *)&s->l,
				    (const struct sockaddr *)&s->r, err_why,
				    sizeof(err_why));
	/* REMOVE may have closed it already. */
	if (told && err == -ENOENT)
		err = 0;
	atomic_fetch_add(&e->stats.stalled, 1);
	if (!err)
		atomic_fetch_add(&e->stats.removed, 1);
	LOG(e, err && err != -ENOENT ? CMN_LOG_WARN : CMN_LOG_INFO,
	    "token %08x: %ssubflow from %s (%s) stalled (%s): %s%s%s",
	    c->req.token, s->initial ? "initial " : "", ip(&s->local.addr, a),
	    s->local.ifname, eng_stall_why(r, kind, why, sizeof(why)),
	    !err	   ? "removed" :
	    err == -ENOENT ? "gone already" :
			     "not removed: ",
	    err && err != -ENOENT ? (err_why[0] ? err_why : strerror(-err)) :
				    "",
	    told ? ", the peer told" : "");
	s->ends = false;
	touch(e, c->req.token);
	if (c->reopen) {
		sub_retry(e, c, s, now);
		return;
	}
	sub_ended(s, now);
	s->state = SUB_CLOSED;
}

/*
 * Read @c itself at @now, after its subflows: its previous reading counts
 * only if it was taken at @before, with its subflows' previous one.
 */
static void conn_read(struct eng_engine *e, struct eng_conn *c, int64_t before,
		      int64_t now)
{
	struct eng_conn_sample cur = { 0 };
	int err = -ENOENT;

	/* Read with its subflows (on_watch()), once one receives. */
	if (c->stc_read_at == now) {
		cur = c->stc_read;
		err = c->stc_err;
	}
	if (err && err != -ENOENT && !e->conn_said) {
		LOG(e, CMN_LOG_WARN,
		    "token %08x: the connection's state cannot be read (%s): a "
		    "subflow that stops receiving is not found stalled",
		    c->req.token, strerror(-err));
		e->conn_said = true;
	}
	cur.found = cur.found && !err;
	c->stc.prev = c->stc.cur;
	c->stc.have_prev = c->stc_at && c->stc_at == before;
	if (!c->stc.have_prev)
		c->stc.held = 0;
	c->stc.cur = cur;
	c->stc_at = now;
}

/*
 * The rule over @c's subflows read at @now. True when data moves in it
 * (bytes acknowledged or received since the previous reading, or
 * segments out).
 */
static bool conn_judge(struct eng_engine *e, struct eng_conn *c, int64_t now,
		       bool *watched)
{
	struct eng_stall_sub v[ENG_SLOTS + 1];
	enum eng_stall_kind kind[ENG_SLOTS + 1];
	int idx[ENG_SLOTS + 1], i, m = 0;
	int64_t before = 0;
	bool moving = false;

	for (i = 0; i < conn_nslots(c); i++) {
		struct eng_sub *s = conn_slot(c, i);

		if (s->state != SUB_UP || s->read_at != now)
			continue;
		if (s->st.have_prev && s->prev_at > before)
			before = s->prev_at;
		v[m] = s->st;
		idx[m++] = i;
	}
	conn_read(e, c, before, now);
	eng_stall_conn_update(v, m, &c->stc);
	for (i = 0; i < m; i++) {
		kind[i] = eng_stall_judge(v, m, i, &c->stc);
		/* Read for the first time: whether it moves is not known. */
		moving |= !v[i].have_prev || eng_stall_moving(&v[i]);
	}
	for (i = 0; i < m; i++) {
		struct eng_sub *s = conn_slot(c, idx[i]);

		eng_stall_remember(v, m, i, &c->stc, &s->st);
		if (kind[i] != ENG_STALL_NONE) {
			stall_remove(e, c, s, kind[i], &v[i].cur, now);
			continue;
		}
		if (s->st.streak)
			s->told_quiet = false;
		else if (!s->told_quiet &&
			 eng_stall_quiet_unheld(v, m, i, &c->stc)) {
			/* Why a quiet subflow stays: once per quiet spell. */
			char a[INET6_ADDRSTRLEN];

			LOG(e, CMN_LOG_DEBUG,
			    "token %08x: subflow from %s (%s) quiet for %u ms "
			    "while another receives, its data in order (held "
			    "%llu bytes, the others received %llu): not a cut",
			    c->req.token, ip(&s->local.addr, a),
			    s->local.ifname, v[i].cur.last_data_recv,
			    (unsigned long long)c->stc.held,
			    (unsigned long long)s->st.others);
			s->told_quiet = true;
		}
	}
	*watched |= conn_watched(c);
	return moving;
}

/* A reading is due: read, judge, remove; and when to read again. */
static void on_watch(struct eng_engine *e, int64_t now)
{
	bool moving = false, watched;
	int i, n, err;

	if (e->watch_due < 0 || e->watch_due > now)
		return;
	e->watch_due = -1;
	n = watch_collect(e);
	/* Connections left for the next reading are watched still. */
	watched = e->watch_from != 0;
	if (!n) {
		/* Nothing to watch: no reading until a subflow comes up. */
		e->watch_wait = ENG_STALL_POLL_MS;
		return;
	}
	err = e->ops->read_subflows(e->ops->ctx, e->probes, n);
	atomic_fetch_add(&e->stats.readings, 1);
	if (err) {
		if (!e->watch_said)
			LOG(e, CMN_LOG_WARN,
			    "the subflows' state cannot be read (%s): stalled "
			    "subflows are not found",
			    strerror(-err));
		e->watch_said = true;
		e->watch_due = now + ENG_STALL_IDLE_MS;
		return;
	}
	for (i = 0; i < n; i++) {
		const struct eng_probe *p = &e->probes[i];
		struct eng_conn *c = conn_at(e, p->token);
		struct eng_sub *s;

		if (!c || p->slot >= conn_nslots(c))
			continue;
		s = conn_slot(c, p->slot);
		s->st.prev = s->st.cur;
		s->st.have_prev = s->read_at != 0;
		s->st.cur = p->s;
		s->prev_at = s->read_at;
		s->read_at = now;
		if (p->conn) {
			c->stc_read = p->c;
			c->stc_err = p->conn_err;
			c->stc_read_at = now;
		}
	}
	/* Each connection read once, whatever the order the reading left. */
	for (i = 0; i < e->nconns; i++) {
		struct eng_conn *c = &e->conns[i];
		int j;

		for (j = 0; j < conn_nslots(c); j++)
			if (conn_slot(c, j)->read_at == now)
				break;
		if (j < conn_nslots(c))
			moving |= conn_judge(e, c, now, &watched);
	}
	if (!watched) {
		/* The last one that had two subflows up lost one. */
		e->watch_wait = ENG_STALL_POLL_MS;
		return;
	}
	/* Quiet readings space out; data moving again brings them back. */
	if (moving)
		e->watch_wait = ENG_STALL_POLL_MS;
	else if (e->watch_wait < ENG_STALL_IDLE_MS)
		e->watch_wait = e->watch_wait * 2 > ENG_STALL_IDLE_MS ?
					ENG_STALL_IDLE_MS :
					e->watch_wait * 2;
	e->watch_due = now + e->watch_wait;
}

static void on_event(struct eng_engine *e, const struct mptcplib_event *ev,
		     int64_t now)
{
	struct eng_conn *c = conn_find(e, ev->token);
	char a[INET6_ADDRSTRLEN];
	struct eng_sub *s;
	bool pending;

	if (!c) {
		if (ev->type == MPTCPLIB_EVENT_ESTABLISHED ||
		    ev->type == MPTCPLIB_EVENT_CREATED)
			early_note(e, ev->token,
				   ev->type == MPTCPLIB_EVENT_ESTABLISHED, now);
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
		s->up_at = now;
		s->fails = 0;
		memset(&s->st, 0, sizeof(s->st));
		s->read_at = 0;
		s->l = ev->local;
		s->r = ev->remote;
		cmn_sa_unmap(&s->l);
		cmn_sa_unmap(&s->r);
		s->ends = cmn_sa_port((const struct sockaddr *)&s->l) &&
			  cmn_sa_port((const struct sockaddr *)&s->r);
		s->id = ev->local_addr_id;
		atomic_fetch_add(&e->stats.established, 1);
		LOG(e, CMN_LOG_DEBUG, "token %08x: subflow from %s (%s) is up",
		    c->req.token, ip(&s->local.addr, a), s->local.ifname);
		sub_conform(e, c, s, ev);
		watch_soon(e, now);
		break;
	case MPTCPLIB_EVENT_SUB_CLOSED:
		s = event_sub(c, ev);
		if (!s || (s->state != SUB_PENDING && s->state != SUB_UP))
			break;
		pending = s->state == SUB_PENDING;
		if (pending) {
			atomic_fetch_add(&e->stats.failed, 1);
			s->fails++;
		}
		LOG(e, pending ? CMN_LOG_WARN : CMN_LOG_DEBUG,
		    "token %08x: subflow from %s (%s) %s%s%s", c->req.token,
		    ip(&s->local.addr, a), s->local.ifname,
		    pending ? "failed" : "closed", ev->error ? ": " : "",
		    ev->error ? sub_error_text(ev->error) : "");
		s->state = pending ? SUB_FAILED : SUB_CLOSED;
		s->ends = false;
		/* Its path still works, or its loss would have come first. */
		if (c->reopen)
			sub_retry(e, c, s, now);
		else
			sub_ended(s, now);
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

/* ---- Paths ---------------------------------------------------------------
 *
 * A path dies (its link down or gone, its address removed, no route to the
 * peer through its interface any more): the subflows on it are removed at
 * once, the initial one included (the kernel allows it under the
 * userspace path manager: docs/kernel-facts.md §20), so that the kernel
 * sends their data over the others instead of waiting for retransmission
 * timeouts; but never the last subflow that is up, which may still come
 * back by itself when the link does. Removed subflows are SUB_LOST.
 *
 * A path comes (a link up, an address added, a route added): after
 * ENG_PATH_SETTLE_MS, the connections whose rule says reopen = yes are
 * planned again, and what the plan has and they lack is re-opened (SUB_WAIT
 * until then): lost subflows, subflows from new addresses (one replaced
 * on the same interface included), new interfaces the rule's patterns
 * match, and the initial subflow's own address when that one was lost.
 * Each re-open waits for the subflow's backoff (ENG_REOPEN_*), and never
 * takes a connection past its rule's cap.
 */

/* What a path change removes: a subflow on @ifindex, or from @addr. */
struct lose_match {
	int ifindex; /* 0: any */
	const struct sockaddr *addr; /* NULL: any */
	bool routes; /* only those without a route to the peer */
};

/* Route checks of one pass: the same peer and interface asked once. */
struct route_memo {
	int n;
	struct {
		struct sockaddr_storage peer;
		int ifindex, via;
	} v[16];
};

static int memo_route_via(struct eng_engine *e, struct route_memo *m,
			  const struct sockaddr_storage *peer, int ifindex)
{
	int i, via;

	for (i = 0; i < m->n; i++)
		if (m->v[i].ifindex == ifindex &&
		    cmn_sa_addr_equal((const struct sockaddr *)&m->v[i].peer,
				      (const struct sockaddr *)peer))
			return m->v[i].via;
	via = e->ops->plan->route_via(e->ops->plan->ctx,
				      (const struct sockaddr *)peer, ifindex);
	i = m->n < 16 ? m->n++ : 15;
	m->v[i].peer = *peer;
	m->v[i].ifindex = ifindex;
	m->v[i].via = via;
	return via;
}

static bool route_checked(const struct eng_engine *e, int ifindex)
{
	int i;

	if (e->nroute_ifs > 8)
		return true;
	for (i = 0; i < e->nroute_ifs; i++)
		if (e->route_ifs[i] == ifindex)
			return true;
	return false;
}

static bool sub_matches(struct eng_engine *e, struct eng_conn *c,
			const struct eng_sub *s, const struct lose_match *m,
			struct route_memo *memo)
{
	if (s->state != SUB_UP && s->state != SUB_PENDING &&
	    s->state != SUB_WAIT)
		return false;
	if (m->addr)
		return cmn_sa_addr_equal(
			(const struct sockaddr *)&s->local.addr, m->addr);
	if (!s->local.ifindex)
		return false;
	if (!m->routes)
		return s->local.ifindex == m->ifindex;
	/* The initial subflow, when a route to the peer left by its link. */
	if (s == &c->init && !c->init_routed)
		return false;
	return route_checked(e, s->local.ifindex) &&
	       memo_route_via(e, memo, &c->req.remote, s->local.ifindex) == 0;
}

/*
 * Tell the peer that @s's address is gone (REMOVE, RM_ADDR over the
 * other subflows), so that it closes its end and sends the data it had
 * in flight there over the others at once, not when its retransmission
 * timer fires. True if the kernel took it. Refused (a kernel that has no
 * such id for the connection): said once, and the removal is local only.
 */
static bool sub_withdraw(struct eng_engine *e, struct eng_conn *c,
			 struct eng_sub *s)
{
	char a[INET6_ADDRSTRLEN], why[200] = "";
	int err;

	err = e->ops->remove_addr(e->ops->ctx, c->req.token, s->id, why,
				  sizeof(why));
	if (!err) {
		atomic_fetch_add(&e->stats.withdrawn, 1);
		return true;
	}
	LOG(e, e->withdraw_said ? CMN_LOG_DEBUG : CMN_LOG_INFO,
	    "token %08x: the peer is not told that %s (id %d) is gone (%s): "
	    "the subflow is removed here only%s",
	    c->req.token, ip(&s->local.addr, a), s->id,
	    why[0] ? why : strerror(-err),
	    e->withdraw_said ? "" : " (said once)");
	e->withdraw_said = true;
	return false;
}

/*
 * Remove @s, whose path died, telling the peer first when @how says so.
 * True if the kernel took the removal (a subflow not up yet, or without
 * known ends, is only forgotten: its SYN fails on the dead path).
 */
static bool sub_lose(struct eng_engine *e, struct eng_conn *c,
		     struct eng_sub *s, enum eng_wd_how how, int64_t now)
{
	bool live = s->state == SUB_UP || s->state == SUB_PENDING;
	char a[INET6_ADDRSTRLEN], why[200] = "";
	bool removed = false, told = false;
	int err;

	if (live && s->ends && e->ops->close_subflow) {
		/* Before the destroy, which drops the id REMOVE looks for. */
		if (how == ENG_WD_REMOVE && e->ops->remove_addr)
			told = sub_withdraw(e, c, s);
		err = e->ops->close_subflow(e->ops->ctx, c->req.token,
					    (const struct sockaddr *)&s->l,
					    (const struct sockaddr *)&s->r, why,
					    sizeof(why));
		/* REMOVE may have closed it already. */
		if (told && err == -ENOENT)
			err = 0;
		removed = !err;
		if (!err)
			atomic_fetch_add(&e->stats.removed, 1);
		LOG(e, CMN_LOG_DEBUG,
		    "token %08x: %ssubflow from %s (%s) %s%s%s", c->req.token,
		    s->initial ? "initial " : "", ip(&s->local.addr, a),
		    s->local.ifname, err ? "not removed: " : "removed",
		    err ? (why[0] ? why : strerror(-err)) : "",
		    told ? ", the peer told" : "");
	}
	sub_ended(s, now);
	s->state = SUB_LOST;
	s->ends = false;
	return removed;
}

/*
 * The subflows of @c that @m names lose their path. The last one up stays
 * (a connection with no subflow has nothing to carry its data when the
 * link comes back by itself). The count removed.
 */
static int conn_lose(struct eng_engine *e, struct eng_conn *c,
		     const struct lose_match *m, struct route_memo *memo,
		     int64_t now)
{
	struct eng_wd_sub wd[ENG_SLOTS + 1];
	enum eng_wd_how how[ENG_SLOTS + 1];
	int i, n = 0, up_left = 0, live_hit = 0, ns = conn_nslots(c);

	for (i = 0; i < ns; i++) {
		struct eng_sub *s = conn_slot(c, i);

		wd[i] = (struct eng_wd_sub){
			.local = (const struct sockaddr *)&s->local.addr,
			.id = s->ends ? s->id : -1,
			.live = s->state == SUB_UP || s->state == SUB_PENDING,
			.going = sub_matches(e, c, s, m, memo),
		};
		up_left += !wd[i].going && s->state == SUB_UP;
		live_hit += wd[i].going && s->state != SUB_WAIT;
	}
	if (live_hit && !up_left) {
		LOG(e, CMN_LOG_DEBUG,
		    "token %08x: its path died, but it has no other: kept",
		    c->req.token);
		return 0;
	}
	/* Decided over the whole connection before any of it goes. */
	for (i = 0; i < ns; i++)
		how[i] = eng_wd_decide(wd, ns, i, ENG_WD_PATH);
	for (i = 0; i < ns; i++)
		if (wd[i].going)
			n += sub_lose(e, c, conn_slot(c, i), how[i], now);
	return n;
}

/* Every connection's subflows that @m names; one line says what went. */
static void paths_lose(struct eng_engine *e, const struct lose_match *m,
		       const char *what, int64_t now)
{
	struct route_memo memo = { 0 };
	int i, n, subs = 0, conns = 0;

	for (i = 0; i < e->nconns; i++) {
		if (!e->conns[i].paths)
			continue;
		n = conn_lose(e, &e->conns[i], m, &memo, now);
		subs += n;
		conns += n > 0;
	}
	LOG(e, subs ? CMN_LOG_INFO : CMN_LOG_DEBUG,
	    "%s: %d subflow%s of %d connection%s removed", what, subs,
	    subs == 1 ? "" : "s", conns, conns == 1 ? "" : "s");
}

/* The name of interface @ifindex as a subflow knows it, or its index. */
static const char *ifname_of(struct eng_engine *e, int ifindex, char *buf,
			     size_t len)
{
	int i, j;

	for (i = 0; i < e->nconns; i++) {
		struct eng_conn *c = &e->conns[i];

		for (j = 0; j < conn_nslots(c); j++) {
			const struct eng_sub *s = conn_slot(c, j);

			if (s->local.ifindex == ifindex && s->local.ifname[0]) {
				snprintf(buf, len, "%s", s->local.ifname);
				return buf;
			}
		}
	}
	snprintf(buf, len, "interface %d", ifindex);
	return buf;
}

/* A slot of @c for a subflow from @l: its own, a free one, or a dead one. */
static struct eng_sub *conn_slot_for(struct eng_conn *c,
				     const struct mpa_local *l,
				     const struct eng_plan *p)
{
	int i, k;

	for (i = 0; i < c->nsubs; i++)
		if (cmn_sa_addr_equal(
			    (const struct sockaddr *)&c->subs[i].local.addr,
			    (const struct sockaddr *)&l->addr))
			return &c->subs[i];
	if (c->nsubs < ENG_SLOTS) {
		sub_init(&c->subs[c->nsubs], l);
		c->subs[c->nsubs].state = SUB_LOST;
		return &c->subs[c->nsubs++];
	}
	/* Full: one lost or dead on an address the plan no longer has. */
	for (i = 0; i < c->nsubs; i++) {
		struct eng_sub *s = &c->subs[i];
		bool planned = false;

		if (s->state == SUB_UP || s->state == SUB_PENDING ||
		    s->state == SUB_WAIT)
			continue;
		for (k = 0; k < p->nsubs && !planned; k++)
			planned = cmn_sa_addr_equal(
				(const struct sockaddr *)&s->local.addr,
				(const struct sockaddr *)&p->subs[k].addr);
		if (planned)
			continue;
		sub_init(s, l);
		s->state = SUB_LOST;
		return s;
	}
	return NULL;
}

static void sub_revive(struct eng_sub *s, int64_t now)
{
	s->state = SUB_WAIT;
	s->due = now > s->next_ok ? now : s->next_ok;
}

/* @c (reopen = yes) planned again: what it lacks is to be re-opened. */
static void conn_resync(struct eng_engine *e, struct eng_conn *c, int64_t now)
{
	const struct sockaddr *own = (const struct sockaddr *)&c->req.local;
	const struct sockaddr *peer = (const struct sockaddr *)&c->req.remote;
	const struct eng_plan_entry *cached;
	struct eng_sub *s = &c->init;
	struct eng_plan p;
	bool routed;
	int i, idx;

	cached = eng_plan_cache_get(&e->plans, c->req.rule, own, peer, now);
	if (cached) {
		p.nsubs = cached->nsubs;
		memcpy(p.subs, cached->subs, sizeof(p.subs));
	} else {
		eng_plan_make(e->ops->plan, c->req.rule, peer, own, &p);
		eng_plan_cache_put(&e->plans, c->req.rule, own, peer, &p, now);
	}
	for (i = 0; i < p.nsubs; i++) {
		struct eng_sub *t = conn_slot_for(c, &p.subs[i], &p);

		if (!t)
			continue;
		t->local = p.subs[i];
		if (t->state == SUB_LOST)
			sub_revive(t, now);
	}
	/* The initial subflow's address, back on some link with a route. */
	if (s->state != SUB_LOST)
		return;
	idx = own_ifindex(e, (const struct sockaddr *)&s->local.addr, peer,
			  s->local.ifname, &routed, now);
	/* Back with its link, and routed again if it was at the start. */
	if (idx <= 0 || (c->init_routed && !routed))
		return;
	s->local.ifindex = idx;
	sub_revive(s, now);
}

/*
 * The subflows of @c whose re-open is due, within the rule's cap. False
 * when @c was dropped.
 */
static bool conn_reopen(struct eng_engine *e, struct eng_conn *c, int64_t now)
{
	char a[INET6_ADDRSTRLEN], why[200];
	int i, err;

	for (i = 0; i < conn_nslots(c); i++) {
		struct eng_sub *s = conn_slot(c, i);

		if (s->state != SUB_WAIT || s->due > now)
			continue;
		if (!s->initial && conn_live(c) >= c->cap) {
			/* A resync brings it back when there is room. */
			s->state = SUB_LOST;
			continue;
		}
		why[0] = '\0';
		err = e->ops->open_subflow(
			e->ops->ctx, c->req.token, &s->local,
			(const struct sockaddr *)&c->req.remote, why,
			sizeof(why));
		sub_asked(e, s, now);
		if (!err) {
			s->state = SUB_PENDING;
			atomic_fetch_add(&e->stats.requested, 1);
			atomic_fetch_add(&e->stats.reopened, 1);
			LOG(e, CMN_LOG_INFO,
			    "token %08x: subflow from %s (%s) re-opened%s",
			    c->req.token, ip(&s->local.addr, a),
			    s->local.ifname,
			    s->initial ? " in place of the initial one" : "");
			continue;
		}
		switch (-err) {
		case ESRCH:
			LOG(e, CMN_LOG_DEBUG,
			    "token %08x: gone (closed or fell back to TCP)",
			    c->req.token);
			conn_drop(e, c);
			return false;
		case EPERM:
			atomic_store(&e->disabled, 1);
			return true;
		}
		atomic_fetch_add(&e->stats.failed, 1);
		s->fails++;
		LOG(e, CMN_LOG_DEBUG,
		    "token %08x: subflow from %s (%s) not re-opened: %s",
		    c->req.token, ip(&s->local.addr, a), s->local.ifname,
		    why[0] ? why : strerror(-err));
		sub_retry(e, c, s, now);
	}
	return true;
}

/* The earliest re-open of @c, -1: none. */
static int64_t conn_reopen_due(struct eng_conn *c)
{
	int64_t next = -1;
	int i;

	if (c->state != CONN_DONE)
		return -1;
	for (i = 0; i < conn_nslots(c); i++) {
		const struct eng_sub *s = conn_slot(c, i);

		if (s->state == SUB_WAIT && (next < 0 || s->due < next))
			next = s->due;
	}
	return next;
}

static void resync_soon(struct eng_engine *e, int64_t now)
{
	if (e->resync_due < 0)
		e->resync_due = now + ENG_PATH_SETTLE_MS;
}

static void route_check_soon(struct eng_engine *e, int ifindex, int64_t now)
{
	if (!ifindex || e->nroute_ifs > 8) {
		e->nroute_ifs = 9; /* every interface */
	} else if (!route_checked(e, ifindex)) {
		if (e->nroute_ifs < 8)
			e->route_ifs[e->nroute_ifs++] = ifindex;
		else
			e->nroute_ifs = 9;
	}
	if (e->route_due < 0)
		e->route_due = now;
}

static void on_path(struct eng_engine *e, const struct cmn_rtnl_event *ev,
		    int64_t now)
{
	struct lose_match m = { .ifindex = ev->ifindex };
	char what[160], name[IFNAMSIZ + 16], a[CMN_ADDRSTRLEN];

	atomic_fetch_add(&e->stats.path_events, 1);
	/* Interfaces or routes changed: no plan made before holds. */
	eng_plan_cache_clear(&e->plans);
	e->own.at = 0;
	switch (ev->kind) {
	case CMN_RTNL_LINK:
	case CMN_RTNL_LINK_GONE:
		if (ev->kind == CMN_RTNL_LINK && ev->up) {
			resync_soon(e, now);
			break;
		}
		snprintf(what, sizeof(what), "link %s %s",
			 ev->ifname[0] ?
				 ev->ifname :
				 ifname_of(e, ev->ifindex, name, sizeof(name)),
			 ev->kind == CMN_RTNL_LINK ? "down" : "gone");
		paths_lose(e, &m, what, now);
		break;
	case CMN_RTNL_ADDR_NEW:
		if (!ev->tentative)
			resync_soon(e, now);
		break;
	case CMN_RTNL_ADDR_DEL:
		m.addr = (const struct sockaddr *)&ev->addr;
		snprintf(what, sizeof(what), "address %s removed from %s",
			 ip(&ev->addr, a),
			 ifname_of(e, ev->ifindex, name, sizeof(name)));
		paths_lose(e, &m, what, now);
		break;
	case CMN_RTNL_ROUTE_NEW:
		resync_soon(e, now);
		break;
	case CMN_RTNL_ROUTE_DEL:
		route_check_soon(e, ev->multipath ? 0 : ev->ifindex, now);
		break;
	case CMN_RTNL_LOST:
		LOG(e, CMN_LOG_DEBUG,
		    "link, address or route changes were "
		    "lost: looking at every path again");
		route_check_soon(e, 0, now);
		resync_soon(e, now);
		break;
	}
}

/* Due path work: routes re-checked, connections planned again. */
static void on_path_timers(struct eng_engine *e, int64_t now)
{
	struct lose_match m = { .routes = true };
	int i;

	if (e->route_due >= 0 && e->route_due <= now) {
		touch_all(e);
		e->route_due = -1;
		paths_lose(e, &m, "routes to the peers removed", now);
		e->nroute_ifs = 0;
	}
	if (e->resync_due >= 0 && e->resync_due <= now) {
		touch_all(e);
		e->resync_due = -1;
		for (i = 0; i < e->nconns; i++) {
			struct eng_conn *c = &e->conns[i];

			if (c->reopen && c->planned && c->state == CONN_DONE)
				conn_resync(e, c, now);
		}
	}
}

static bool conn_waits(const struct eng_conn *c)
{
	return c->state == CONN_WAIT_ESTABLISHED || c->state == CONN_WAIT_AGE;
}

/* The earliest re-open of @c, -1: none. */
static int64_t conn_next_due(struct eng_conn *c)
{
	int64_t r = conn_reopen_due(c);

	if (conn_waits(c) && (r < 0 || c->due < r))
		return c->due;
	return r;
}

/* Is @t the entry @c has in the heap now (not one it left behind)? */
static struct eng_conn *timer_live(struct eng_engine *e,
				   const struct eng_timer *t)
{
	struct eng_conn *c = conn_at(e, t->token);

	return c && c->timer_at == t->due ? c : NULL;
}

/* @c's entry in the heap, for its next due time. */
static void timer_set(struct eng_engine *e, struct eng_conn *c)
{
	int64_t next = conn_next_due(c);

	if (next == c->timer_at)
		return;
	c->timer_at = -1;
	if (next < 0)
		return;
	if (eng_timers_add(&e->timers, next, c->req.token)) {
		/* Its events still bring it back; only the timer is lost. */
		LOG(e, CMN_LOG_WARN, "token %08x: no memory for a timer",
		    c->req.token);
		return;
	}
	c->timer_at = next;
}

/*
 * After a step: the timers of the connections it touched, then the
 * entries left behind at the heap's top go, so that the next timer
 * (eng_engine_next_timer()) is one a connection waits for.
 */
static void timers_sync(struct eng_engine *e)
{
	struct eng_conn *c;
	struct eng_timer t;
	int i;

	if (e->ntouched > ENG_TOUCHED) {
		for (i = 0; i < e->nconns; i++)
			timer_set(e, &e->conns[i]);
	} else {
		for (i = 0; i < e->ntouched; i++) {
			c = conn_at(e, e->touched[i]);
			if (c)
				timer_set(e, c);
		}
	}
	e->ntouched = 0;
	while (e->timers.n && !timer_live(e, &e->timers.v[0]))
		eng_timers_pop_due(&e->timers, e->timers.v[0].due, &t);
}

/* Every connection whose timer is due. */
static void on_timers(struct eng_engine *e, int64_t now)
{
	struct eng_conn *c;
	struct eng_timer t;
	int64_t due;

	on_path_timers(e, now);
	on_watch(e, now);
	/* What it re-planned may be due now. */
	timers_sync(e);
	while (!atomic_load(&e->disabled) &&
	       eng_timers_pop_due(&e->timers, now, &t)) {
		c = timer_live(e, &t);
		if (!c)
			continue;
		c->timer_at = -1;
		touch(e, t.token);
		if (conn_waits(c) && c->due <= now && !conn_ready(e, c, now))
			continue;
		due = conn_reopen_due(c);
		if (due >= 0 && due <= now)
			conn_reopen(e, c, now);
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
	case ENG_IN_PATH:
		on_path(e, in->path, now);
		touch_all(e);
		break;
	}
	timers_sync(e);
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
	e->events_seen = e->subscribed_at;
}

static void earliest(int64_t *next, int64_t t)
{
	if (t >= 0 && (*next < 0 || t < *next))
		*next = t;
}

int64_t eng_engine_next_timer(const struct eng_engine *e)
{
	int64_t next = eng_timers_next(&e->timers);

	earliest(&next, e->resync_due);
	earliest(&next, e->route_due);
	earliest(&next, e->watch_due);
	/* The end of the linger: the host then stops following paths. */
	if (!e->npaths && e->paths_seen)
		earliest(&next, e->paths_seen + ENG_PATHS_LINGER_MS);
	return next;
}

bool eng_engine_follows_paths(struct eng_engine *e)
{
	int64_t now = e->ops->now(e->ops->ctx);

	if (e->npaths) {
		e->paths_seen = now;
		return true;
	}
	if (e->paths_seen && now - e->paths_seen < ENG_PATHS_LINGER_MS)
		return true;
	e->paths_seen = 0;
	return false;
}

bool eng_engine_follows_events(struct eng_engine *e, int *left_ms)
{
	int64_t now = e->ops->now(e->ops->ctx), left;

	*left_ms = -1;
	if (e->nconns) {
		e->events_seen = now;
		return true;
	}
	left = e->events_seen + ENG_EVENTS_LINGER_MS - now;
	if (!e->events_seen || left <= 0) {
		e->events_seen = 0;
		return false;
	}
	*left_ms = left > INT_MAX ? INT_MAX : (int)left;
	return true;
}

int eng_engine_timeout(const struct eng_engine *e)
{
	int64_t next = eng_engine_next_timer(e), left;

	if (next < 0)
		return -1;
	left = next - e->ops->now(e->ops->ctx);
	return left < 0 ? 0 : left > INT_MAX ? INT_MAX : (int)left;
}

int eng_engine_rules(struct eng_engine *e, const struct mpa_rule **out, int max)
{
	int64_t now = e->ops->now(e->ops->ctx);
	int i, n = 0;

	for (i = 0; i < e->nconns; i++, n++)
		if (n < max)
			out[n] = e->conns[i].req.rule;
	/* An older plan is never reused: its rule may go. */
	for (i = 0; i < ENG_PLAN_SLOTS; i++) {
		const struct eng_plan_entry *p = &e->plans.slots[i];

		if (!p->rule || now < p->at || now - p->at >= ENG_PLAN_MS)
			continue;
		if (n < max)
			out[n] = p->rule;
		n++;
	}
	return n;
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
	e->ntouched = 0;
	e->npaths = 0;
	e->late_set = false;
	memset(e->early, 0, sizeof(e->early));
	e->resync_due = e->route_due = -1;
	e->nroute_ifs = 0;
	e->paths_seen = 0;
	e->events_seen = 0;
	e->own.at = 0;
	e->watch_due = -1;
	e->watch_wait = ENG_STALL_POLL_MS;
	e->watch_from = 0;
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
	free(e->probes);
	free(e);
}

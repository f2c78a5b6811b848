// SPDX-License-Identifier: MIT
/*
 * The host's former in-kernel path manager for unregistered connections:
 * the state machine (what each event and timer does to a connection), and
 * its operations on this machine.
 */
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "cmn_addr.h"
#include "cmn_clock.h"
#include "dmn_host.h"
#include "eng_index.h"
#include "eng_run.h"
#include "eng_timers.h"

/* Subflows asked for per connection: endpoints times peer addresses. */
#define HOST_MAX_SUBS 24
/* Peer announcements remembered per connection (the kernel takes 8). */
#define HOST_MAX_PEERS 8
#define HOST_FIRST_CONNS 64

/* An address with its port, small enough for thousands of connections. */
union haddr {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
};

enum hsub_state { HS_PENDING, HS_UP, HS_GONE };

/* A subflow the module asked for. */
struct hsub {
	union haddr local; /* the endpoint's address, or the wildcard */
	union haddr remote;
	int endp; /* index in the snapshot, -1 for the wildcard */
	bool backup;
	enum hsub_state state;
};

/* An address the peer announced. */
struct hpeer {
	union haddr addr; /* with the port to join */
	int id;
	bool seen; /* looked at (acted on or refused) */
	bool accepted; /* a subflow was asked for: counts in add_addr */
};

enum hconn_state {
	HC_NEW, /* CREATED (or an early ANNOUNCED): not established yet */
	HC_GRACE, /* established, waiting for its shim until due */
	HC_ACTIVE, /* unregistered: the host's rule applies */
};

struct hconn {
	uint32_t token;
	enum hconn_state state;
	bool server, known; /* known: local and remote are set */
	union haddr local, remote; /* the initial subflow's, with ports */
	int64_t due; /* HC_GRACE: its end; HC_NEW: when first seen */
	unsigned int used; /* endpoints used, bit per snapshot index */
	int active; /* subflows asked for and not closed */
	int accepted; /* peer announcements acted on */
	int nsubs, npeers;
	struct hsub subs[HOST_MAX_SUBS];
	struct hpeer peers[HOST_MAX_PEERS];
};

struct dmn_host {
	struct dmn_host_config cfg;
	const struct dmn_host_ops *ops;
	cmn_log_fn log;
	struct dmn_host_stats stats;
	bool disabled;
	bool fullmesh; /* some endpoint is fullmesh */
	struct hconn *conns;
	int nconns, capconns;
	/* A whole host's connections: found by token, timers in a heap. */
	struct eng_index index;
	struct eng_timers timers; /* of those in HC_GRACE */
};

#define LOG(h, level, ...)                            \
	do {                                          \
		if ((h)->log)                         \
			(h)->log(level, __VA_ARGS__); \
	} while (0)

_Static_assert(MPTCPLIB_ENDPOINTS_MAX <= sizeof(unsigned int) * CHAR_BIT,
	       "one bit per endpoint");

static void haddr_set(union haddr *a, const struct sockaddr_storage *ss)
{
	struct sockaddr_storage u = *ss;

	cmn_sa_unmap(&u);
	memset(a, 0, sizeof(*a));
	memcpy(a, &u, cmn_sa_len(u.ss_family));
}

/* The wildcard address of @family, port 0. */
static void haddr_any(union haddr *a, int family)
{
	memset(a, 0, sizeof(*a));
	a->sa.sa_family = (sa_family_t)family;
}

static void haddr_set_port(union haddr *a, unsigned short port)
{
	if (a->sa.sa_family == AF_INET)
		a->in.sin_port = htons(port);
	else if (a->sa.sa_family == AF_INET6)
		a->in6.sin6_port = htons(port);
}

static const char *fmt(const union haddr *a, char *buf)
{
	return cmn_sa_fmt(&a->sa, buf, CMN_ADDRSTRLEN);
}

static const struct mptcplib_endpoint *endp(const struct dmn_host *h, int i)
{
	return &h->cfg.endpoints[i];
}

/* The endpoint's address, without its port: a subflow's source. */
static void endp_addr(const struct mptcplib_endpoint *e, union haddr *a)
{
	haddr_set(a, &e->addr);
	haddr_set_port(a, 0);
}

struct dmn_host *dmn_host_new(const struct dmn_host_config *cfg,
			      const struct dmn_host_ops *ops, cmn_log_fn log)
{
	struct dmn_host *h = calloc(1, sizeof(*h));
	int i;

	if (!h)
		return NULL;
	h->cfg = *cfg;
	if (h->cfg.nendpoints > MPTCPLIB_ENDPOINTS_MAX)
		h->cfg.nendpoints = MPTCPLIB_ENDPOINTS_MAX;
	if (h->cfg.nendpoints < 0)
		h->cfg.nendpoints = 0;
	h->ops = ops;
	h->log = log;
	for (i = 0; i < h->cfg.nendpoints; i++)
		if (endp(h, i)->flags & MPTCPLIB_ENDPOINT_FULLMESH)
			h->fullmesh = true;
	return h;
}

void dmn_host_free(struct dmn_host *h)
{
	if (!h)
		return;
	eng_index_free(&h->index);
	eng_timers_free(&h->timers);
	free(h->conns);
	free(h);
}

static struct hconn *conn_find(struct dmn_host *h, uint32_t token)
{
	int pos = eng_index_get(&h->index, token);

	return pos < 0 ? NULL : &h->conns[pos];
}

/* Forget @c: the last connection takes its slot. */
static void conn_drop(struct dmn_host *h, struct hconn *c)
{
	int pos = (int)(c - h->conns);

	eng_index_del(&h->index, c->token);
	*c = h->conns[--h->nconns];
	if (pos != h->nconns)
		eng_index_put(&h->index, c->token, pos);
}

/*
 * A table at DMN_HOST_MAX_CONNS: forget the oldest connection that never
 * became established (its CLOSED event may have been lost). False if none.
 */
static bool conns_evict(struct dmn_host *h)
{
	struct hconn *old = NULL;
	int i;

	for (i = 0; i < h->nconns; i++)
		if (h->conns[i].state == HC_NEW &&
		    (!old || h->conns[i].due < old->due))
			old = &h->conns[i];
	if (old)
		conn_drop(h, old);
	return old;
}

static struct hconn *conn_add(struct dmn_host *h, uint32_t token, int64_t now)
{
	struct hconn *c;

	if (h->nconns == DMN_HOST_MAX_CONNS && !conns_evict(h)) {
		h->stats.untracked++;
		LOG(h, CMN_LOG_WARN,
		    "token %08x: not followed (too many connections); the "
		    "host's endpoints do not apply to it",
		    token);
		return NULL;
	}
	if (h->nconns == h->capconns) {
		int cap = h->capconns ? h->capconns * 2 : HOST_FIRST_CONNS;

		if (cap > DMN_HOST_MAX_CONNS)
			cap = DMN_HOST_MAX_CONNS;
		c = eng_index_fit(&h->index, cap) ?
			    NULL :
			    realloc(h->conns, (size_t)cap * sizeof(*c));
		if (!c) {
			h->stats.untracked++;
			LOG(h, CMN_LOG_WARN,
			    "token %08x: not followed (too many connections); "
			    "the host's endpoints do not apply to it",
			    token);
			return NULL;
		}
		h->conns = c;
		h->capconns = cap;
	}
	c = &h->conns[h->nconns];
	memset(c, 0, sizeof(*c));
	c->token = token;
	eng_index_put(&h->index, token, h->nconns++);
	c->due = now; /* while HC_NEW: when it was first seen */
	return c;
}

/* The connection's ends and side, from CREATED or ESTABLISHED. */
static void conn_learn(struct hconn *c, const struct mptcplib_event *ev)
{
	if (ev->local.ss_family == AF_UNSPEC ||
	    ev->remote.ss_family == AF_UNSPEC)
		return;
	haddr_set(&c->local, &ev->local);
	haddr_set(&c->remote, &ev->remote);
	c->server = ev->server_side;
	c->known = true;
}

/*
 * An error that ends the module's work on @c: gone, another path manager,
 * or no privilege at all (then on every connection). True when @c must be
 * dropped.
 */
static bool conn_fatal(struct dmn_host *h, const struct hconn *c, int err,
		       const char *why)
{
	switch (-err) {
	case ESRCH:
		LOG(h, CMN_LOG_DEBUG,
		    "token %08x: gone (closed or fell back to TCP)", c->token);
		return true;
	case ENOPROTOOPT:
		LOG(h, CMN_LOG_DEBUG,
		    "token %08x: under the in-kernel path manager (made "
		    "before the switch): its endpoints still apply",
		    c->token);
		return true;
	case EPERM:
		LOG(h, CMN_LOG_WARN,
		    "no CAP_NET_ADMIN: the host's endpoints are not applied "
		    "(%s)",
		    why);
		h->disabled = true;
		return true;
	}
	return false;
}

/* Do @c's subflows reach @r (address and port) already, or soon? */
static bool conn_reaches(const struct hconn *c, const union haddr *r)
{
	int i;

	if (c->known && cmn_sa_equal(&c->remote.sa, &r->sa))
		return true;
	for (i = 0; i < c->nsubs; i++)
		if (c->subs[i].state != HS_GONE &&
		    cmn_sa_equal(&c->subs[i].remote.sa, &r->sa))
			return true;
	return false;
}

/* Was a subflow from endpoint @e to @r asked for already? */
static bool conn_has_pair(const struct hconn *c, int e, const union haddr *r)
{
	int i;

	for (i = 0; i < c->nsubs; i++)
		if (c->subs[i].endp == e &&
		    cmn_sa_equal(&c->subs[i].remote.sa, &r->sa))
			return true;
	return false;
}

/*
 * Ask for one subflow from endpoint @e (-1: the wildcard) to @r. 0 when
 * asked (or refused for this subflow alone), -1 when @c was dropped.
 */
static int conn_open(struct dmn_host *h, struct hconn *c, int e,
		     const union haddr *r)
{
	char why[200] = "", a[CMN_ADDRSTRLEN], b[CMN_ADDRSTRLEN];
	struct hsub *s;
	union haddr local;
	int ifindex = 0, err;
	bool backup = false;

	if (c->nsubs == HOST_MAX_SUBS) {
		LOG(h, CMN_LOG_WARN, "token %08x: no room for another subflow",
		    c->token);
		return 0;
	}
	if (e >= 0) {
		endp_addr(endp(h, e), &local);
		ifindex = endp(h, e)->ifindex;
		backup = !!(endp(h, e)->flags & MPTCPLIB_ENDPOINT_BACKUP);
	} else {
		haddr_any(&local, r->sa.sa_family);
	}
	err = h->ops->open_subflow(h->ops->ctx, c->token, &local.sa, ifindex,
				   backup, &r->sa, why, sizeof(why));
	if (conn_fatal(h, c, err, why)) {
		conn_drop(h, c);
		return -1;
	}
	if (err) {
		h->stats.failed++;
		LOG(h, CMN_LOG_WARN, "token %08x: subflow from %s to %s: %s",
		    c->token, e >= 0 ? fmt(&local, a) : "any address",
		    fmt(r, b), why[0] ? why : strerror(-err));
		return 0;
	}
	s = &c->subs[c->nsubs++];
	s->local = local;
	s->remote = *r;
	s->endp = e;
	s->backup = backup;
	s->state = HS_PENDING;
	c->active++;
	h->stats.requested++;
	LOG(h, CMN_LOG_DEBUG, "token %08x: subflow requested from %s to %s%s",
	    c->token, e >= 0 ? fmt(&local, a) : "any address", fmt(r, b),
	    backup ? ", backup" : "");
	return 0;
}

static bool same_family(const union haddr *a, const union haddr *b)
{
	return a->sa.sa_family == b->sa.sa_family;
}

/* Is endpoint @e the initial subflow's own address? */
static bool endp_is_initial(const struct dmn_host *h, const struct hconn *c,
			    int e)
{
	union haddr a;

	endp_addr(endp(h, e), &a);
	return cmn_sa_addr_equal(&a.sa, &c->local.sa);
}

/*
 * Act on peer announcement @p: one subflow to it, from each fullmesh
 * endpoint or from the wildcard, within the limits. -1 when @c was
 * dropped.
 */
static int peer_act(struct dmn_host *h, struct hconn *c, struct hpeer *p)
{
	const struct mptcplib_limits *lim = &h->cfg.limits;
	bool asked = false;
	int e, before;

	p->seen = true;
	/* Without a port of its own, the peer's port is joined. */
	if (!cmn_sa_port(&p->addr.sa))
		haddr_set_port(&p->addr, cmn_sa_port(&c->remote.sa));
	if (c->accepted >= lim->add_addr_accepted ||
	    c->active >= lim->subflows || conn_reaches(c, &p->addr))
		return 0;
	if (h->fullmesh) {
		for (e = 0; e < h->cfg.nendpoints; e++) {
			union haddr a;

			if (!(endp(h, e)->flags & MPTCPLIB_ENDPOINT_FULLMESH) ||
			    c->active >= lim->subflows)
				continue;
			endp_addr(endp(h, e), &a);
			if (!same_family(&a, &p->addr) ||
			    conn_has_pair(c, e, &p->addr))
				continue;
			before = c->nsubs;
			if (conn_open(h, c, e, &p->addr) < 0)
				return -1;
			asked |= c->nsubs > before;
		}
	} else {
		before = c->nsubs;
		if (conn_open(h, c, -1, &p->addr) < 0)
			return -1;
		asked = c->nsubs > before;
	}
	if (asked) {
		p->accepted = true;
		c->accepted++;
	}
	return 0;
}

/*
 * The subflow endpoints not used yet, in the snapshot's order, while the
 * limit allows, each to the peer. A fullmesh endpoint reaches the peer's
 * other addresses through peer_act(): announcements are acted on only
 * once every endpoint is used or the limit is reached, so none is
 * accepted before this ran. -1 when @c was dropped.
 */
static int conn_fill(struct dmn_host *h, struct hconn *c)
{
	const struct mptcplib_limits *lim = &h->cfg.limits;
	int e;

	for (e = 0; e < h->cfg.nendpoints && c->active < lim->subflows; e++) {
		const struct mptcplib_endpoint *ep = endp(h, e);
		union haddr a;

		if (!(ep->flags & MPTCPLIB_ENDPOINT_SUBFLOW) ||
		    (c->used & (1u << e)))
			continue;
		c->used |= 1u << e;
		endp_addr(ep, &a);
		if (endp_is_initial(h, c, e) || !same_family(&a, &c->remote))
			continue;
		if (conn_open(h, c, e, &c->remote) < 0)
			return -1;
	}
	return 0;
}

/*
 * Announce the signal endpoints (at most DMN_HOST_MAX_SIGNAL), before any
 * subflow: an announced (address, id) pair must not clash with the ids
 * the library picks for subflows (docs/kernel-facts.md §19). -1 when @c
 * was dropped.
 */
static int conn_announce(struct dmn_host *h, struct hconn *c)
{
	char why[200] = "", a[CMN_ADDRSTRLEN];
	int e, n = 0, err;

	for (e = 0; e < h->cfg.nendpoints && n < DMN_HOST_MAX_SIGNAL; e++) {
		const struct mptcplib_endpoint *ep = endp(h, e);
		union haddr addr;

		if (!(ep->flags & MPTCPLIB_ENDPOINT_SIGNAL) ||
		    endp_is_initial(h, c, e))
			continue;
		/* Of any family, as the kernel does: the peer picks. */
		haddr_set(&addr, &ep->addr);
		n++;
		err = h->ops->announce(h->ops->ctx, c->token, &addr.sa, ep->id,
				       why, sizeof(why));
		if (conn_fatal(h, c, err, why)) {
			conn_drop(h, c);
			return -1;
		}
		if (err) {
			LOG(h, CMN_LOG_WARN, "token %08x: announcing %s: %s",
			    c->token, fmt(&addr, a),
			    why[0] ? why : strerror(-err));
			continue;
		}
		h->stats.announced++;
		LOG(h, CMN_LOG_DEBUG, "token %08x: announced %s (id %d)",
		    c->token, fmt(&addr, a), ep->id);
	}
	return 0;
}

/* The initial subflow leaves from a backup endpoint: mark it backup. */
static void conn_initial_backup(struct dmn_host *h, const struct hconn *c)
{
	char why[200] = "";
	int e, err;

	if (!h->ops->set_backup)
		return;
	for (e = 0; e < h->cfg.nendpoints; e++) {
		if (!(endp(h, e)->flags & MPTCPLIB_ENDPOINT_BACKUP) ||
		    !endp_is_initial(h, c, e))
			continue;
		err = h->ops->set_backup(h->ops->ctx, c->token, &c->local.sa,
					 &c->remote.sa, why, sizeof(why));
		if (err)
			LOG(h, CMN_LOG_WARN,
			    "token %08x: initial subflow not made backup: %s",
			    c->token, why[0] ? why : strerror(-err));
		return;
	}
}

/*
 * The host's rule, once: announcements, the initial subflow's priority,
 * the subflow endpoints, then what the peer announced meanwhile. -1 when
 * @c was dropped.
 */
static int conn_act(struct dmn_host *h, struct hconn *c)
{
	int i;

	c->state = HC_ACTIVE;
	h->stats.served++;
	LOG(h, CMN_LOG_DEBUG,
	    "token %08x: unregistered %s: the host's "
	    "endpoints apply",
	    c->token, c->server ? "server connection" : "connection");
	if (conn_announce(h, c) < 0)
		return -1;
	conn_initial_backup(h, c);
	if (c->server)
		return 0;
	if (conn_fill(h, c) < 0)
		return -1;
	for (i = 0; i < c->npeers; i++)
		if (!c->peers[i].seen && peer_act(h, c, &c->peers[i]) < 0)
			return -1;
	return 0;
}

/*
 * Registered since: forget it, keeping what was opened (see dmn_host.h).
 * True when @c was dropped.
 */
static bool conn_check_registered(struct dmn_host *h, struct hconn *c)
{
	if (!h->ops->is_registered(h->ops->ctx, c->token))
		return false;
	h->stats.registered++;
	LOG(h, CMN_LOG_DEBUG, "token %08x: registered%s", c->token,
	    c->state == HC_ACTIVE ? " late: the host's subflows stay" : "");
	conn_drop(h, c);
	return true;
}

static void on_established(struct dmn_host *h, struct hconn *c,
			   const struct mptcplib_event *ev, int64_t now)
{
	if (c->state != HC_NEW)
		return;
	conn_learn(c, ev);
	if (!c->known) {
		conn_drop(h, c);
		return;
	}
	/* Accepted connections have no shim: the rule applies at once. */
	if (c->server) {
		if (conn_act(h, c) == 0)
			conn_drop(h, c); /* nothing more happens on this side */
		return;
	}
	if (conn_check_registered(h, c))
		return;
	c->state = HC_GRACE;
	c->due = now + DMN_UNREG_GRACE_MS;
	if (eng_timers_add(&h->timers, c->due, c->token))
		/* Without its timer it stays unserved, and is said. */
		LOG(h, CMN_LOG_WARN,
		    "token %08x: no memory for a timer; the host's endpoints "
		    "do not apply to it",
		    c->token);
}

static void on_announced(struct dmn_host *h, struct hconn *c,
			 const struct mptcplib_event *ev)
{
	struct hpeer *p;
	int i;

	if (c->server || ev->remote.ss_family == AF_UNSPEC)
		return;
	for (i = 0; i < c->npeers; i++)
		if (c->peers[i].id == ev->remote_addr_id)
			return; /* the peer repeats it until echoed */
	if (c->npeers == HOST_MAX_PEERS)
		return;
	p = &c->peers[c->npeers++];
	memset(p, 0, sizeof(*p));
	haddr_set(&p->addr, &ev->remote);
	p->id = ev->remote_addr_id;
	if (c->state != HC_ACTIVE || conn_check_registered(h, c))
		return;
	peer_act(h, c, p);
}

/* The peer withdrew an address: an accepted one makes room (as 6.18). */
static void on_removed(struct hconn *c, const struct mptcplib_event *ev)
{
	int i;

	for (i = 0; i < c->npeers; i++) {
		struct hpeer *p = &c->peers[i];

		if (p->id != ev->remote_addr_id)
			continue;
		if (p->accepted)
			c->accepted--;
		*p = c->peers[--c->npeers];
		return;
	}
}

/* Our subflow the event is about: by its ends (the local may be any). */
static struct hsub *event_sub(struct hconn *c, const struct mptcplib_event *ev)
{
	union haddr l, r;
	int i;

	haddr_set(&l, &ev->local);
	haddr_set(&r, &ev->remote);
	for (i = 0; i < c->nsubs; i++) {
		struct hsub *s = &c->subs[i];

		if (s->state == HS_GONE || !cmn_sa_equal(&s->remote.sa, &r.sa))
			continue;
		if (cmn_sa_is_any(&s->local.sa) ||
		    cmn_sa_addr_equal(&s->local.sa, &l.sa))
			return s;
	}
	return NULL;
}

static void on_sub_established(struct dmn_host *h, struct hconn *c,
			       const struct mptcplib_event *ev)
{
	char why[200] = "", a[CMN_ADDRSTRLEN];
	struct hsub *s = event_sub(c, ev);
	union haddr l, r;
	int err;

	if (!s || s->state != HS_PENDING)
		return;
	s->state = HS_UP;
	h->stats.established++;
	if (!s->backup || !h->ops->set_backup)
		return;
	/* 6.1 ignores the backup flag of SUBFLOW_CREATE: say it again. */
	haddr_set(&l, &ev->local);
	haddr_set(&r, &ev->remote);
	err = h->ops->set_backup(h->ops->ctx, c->token, &l.sa, &r.sa, why,
				 sizeof(why));
	if (err)
		LOG(h, CMN_LOG_WARN,
		    "token %08x: subflow from %s not made backup: %s", c->token,
		    fmt(&l, a), why[0] ? why : strerror(-err));
}

static void on_sub_closed(struct dmn_host *h, struct hconn *c,
			  const struct mptcplib_event *ev)
{
	struct hsub *s = event_sub(c, ev);

	if (!s)
		return;
	if (s->state == HS_PENDING)
		h->stats.failed++;
	s->state = HS_GONE;
	c->active--;
	/* Its place goes to the next unused endpoint, as in the kernel. */
	if (c->state == HC_ACTIVE && !conn_check_registered(h, c))
		conn_fill(h, c);
}

static void on_event(struct dmn_host *h, const struct mptcplib_event *ev,
		     int64_t now)
{
	struct hconn *c = conn_find(h, ev->token);

	/*
	 * Records start at CREATED (or ESTABLISHED, if that was lost): an
	 * announcement can come before ESTABLISHED, never before CREATED.
	 * A connection forgotten once (registered, or served on the server
	 * side) gets no new record from its later events.
	 */
	if (!c && (ev->type == MPTCPLIB_EVENT_CREATED ||
		   ev->type == MPTCPLIB_EVENT_ESTABLISHED))
		c = conn_add(h, ev->token, now);
	if (!c)
		return;
	switch (ev->type) {
	case MPTCPLIB_EVENT_CREATED:
		if (c->state == HC_NEW)
			conn_learn(c, ev);
		break;
	case MPTCPLIB_EVENT_ESTABLISHED:
		on_established(h, c, ev, now);
		break;
	case MPTCPLIB_EVENT_ANNOUNCED:
		on_announced(h, c, ev);
		break;
	case MPTCPLIB_EVENT_REMOVED:
		on_removed(c, ev);
		break;
	case MPTCPLIB_EVENT_SUB_ESTABLISHED:
		on_sub_established(h, c, ev);
		break;
	case MPTCPLIB_EVENT_SUB_CLOSED:
		on_sub_closed(h, c, ev);
		break;
	case MPTCPLIB_EVENT_CLOSED:
		conn_drop(h, c);
		break;
	}
}

/* Is @t the grace period @c is in now (not one it left behind)? */
static struct hconn *timer_live(struct dmn_host *h, const struct eng_timer *t)
{
	struct hconn *c = conn_find(h, t->token);

	return c && c->state == HC_GRACE && c->due == t->due ? c : NULL;
}

/* Every grace period that ended. */
static void on_timers(struct dmn_host *h, int64_t now)
{
	struct eng_timer t;
	struct hconn *c;

	while (!h->disabled && eng_timers_pop_due(&h->timers, now, &t)) {
		c = timer_live(h, &t);
		if (c && !conn_check_registered(h, c))
			conn_act(h, c);
	}
}

/* Timers left behind at the heap's top go: the next one is real. */
static void timers_prune(struct dmn_host *h)
{
	struct eng_timer t;

	while (h->timers.n && !timer_live(h, &h->timers.v[0]))
		eng_timers_pop_due(&h->timers, h->timers.v[0].due, &t);
}

int dmn_host_step(struct dmn_host *h, const struct dmn_host_input *in)
{
	struct hconn *c;
	int64_t now;

	if (h->disabled)
		return -ECANCELED;
	now = h->ops->now(h->ops->ctx);
	switch (in->type) {
	case DMN_HOST_IN_EVENT:
		on_event(h, in->event, now);
		break;
	case DMN_HOST_IN_TIMER:
		on_timers(h, now);
		break;
	case DMN_HOST_IN_REGISTERED:
		c = conn_find(h, in->token);
		if (c && !c->server) {
			h->stats.registered++;
			conn_drop(h, c);
		}
		break;
	}
	timers_prune(h);
	return h->disabled ? -ECANCELED : 0;
}

int64_t dmn_host_next_timer(const struct dmn_host *h)
{
	return eng_timers_next(&h->timers);
}

int dmn_host_timeout(const struct dmn_host *h)
{
	int64_t next = dmn_host_next_timer(h), left;

	if (next < 0)
		return -1;
	left = next - h->ops->now(h->ops->ctx);
	return left < 0 ? 0 : left > INT_MAX ? INT_MAX : (int)left;
}

int dmn_host_nconns(const struct dmn_host *h)
{
	return h->nconns;
}

const struct dmn_host_stats *dmn_host_stats(const struct dmn_host *h)
{
	return &h->stats;
}

/* ---- on this machine ----------------------------------------------------- */

int dmn_host_snapshot(struct dmn_host_config *cfg)
{
	int err, n = 0;

	memset(cfg, 0, sizeof(*cfg));
	err = mptcplib_get_endpoints(cfg->endpoints, MPTCPLIB_ENDPOINTS_MAX,
				     &n);
	if (err)
		return -err;
	cfg->nendpoints = n < MPTCPLIB_ENDPOINTS_MAX ? n :
						       MPTCPLIB_ENDPOINTS_MAX;
	err = mptcplib_get_limits(&cfg->limits);
	return err ? -err : 0;
}

static int64_t kernel_now(void *ctx)
{
	(void)ctx;
	return cmn_now_ms();
}

/* mptcplib's answer as -errno, its sentence in @why. */
static int kernel_result(int err, char *why, size_t len)
{
	if (!err)
		return 0;
	strncpy(why, mptcplib_last_error(), len - 1);
	why[len - 1] = '\0';
	return -err;
}

static int kernel_open(void *ctx, uint32_t token, const struct sockaddr *local,
		       int ifindex, bool backup, const struct sockaddr *remote,
		       char *why, size_t len)
{
	struct mptcplib_flow flow = {
		.local = (struct sockaddr *)local,
		.local_len = cmn_sa_len(local->sa_family),
		.remote = (struct sockaddr *)remote,
		.remote_len = cmn_sa_len(remote->sa_family),
		.low_prio = backup,
	};
	struct mptcplib_open_opts opts = { .ifindex = ifindex };

	(void)ctx;
	return kernel_result(mptcplib_token_open_sub(token, &flow, &opts), why,
			     len);
}

static int kernel_announce(void *ctx, uint32_t token,
			   const struct sockaddr *addr, int id, char *why,
			   size_t len)
{
	(void)ctx;
	return kernel_result(
		mptcplib_token_announce(token, addr,
					cmn_sa_len(addr->sa_family), id),
		why, len);
}

void dmn_host_kernel_ops(struct dmn_host_ops *ops,
			 bool (*is_registered)(void *ctx, uint32_t token),
			 void *ctx)
{
	*ops = (struct dmn_host_ops){ .now = kernel_now,
				      .is_registered = is_registered,
				      .open_subflow = kernel_open,
				      .announce = kernel_announce,
				      /* The engine's: the same call. */
				      .set_backup = eng_kernel_ops.set_backup,
				      .ctx = ctx };
}

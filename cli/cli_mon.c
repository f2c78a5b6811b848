// SPDX-License-Identifier: MIT
/*
 * The pure part of `mptcp-auto monitor`: which link, address and route
 * changes are worth a line, which of them explains a subflow's end or
 * return, and how each line reads, in text and in JSON.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli_mon.h"
#include "cmn_addr.h"
#include "mpa_cli.h"

/* Bounds of what is remembered; the oldest entry makes room when full. */
#define MON_LINKS 64
#define MON_ADDRS 128
#define MON_CHANGES 128 /* recent changes, enough for a link that flaps */
#define MON_SUBS 256 /* subflows seen up */
#define MON_LOST 64 /* subflows lost, until re-opened or their end */

enum change_kind {
	CH_LINK_DOWN,
	CH_LINK_GONE,
	CH_ADDR_DEL,
	CH_ROUTE_DEL,
	CH_LINK_UP,
	CH_ADDR_NEW,
	CH_ROUTE_NEW,
};

/*
 * Each kind of change: its event name, whether it takes a path away or
 * brings one, and how telling it is as a cause (a link down also takes
 * its routes, and on IPv6 its addresses: the link is the story).
 */
static const struct {
	const char *name;
	bool loss;
	int rank;
} kinds[] = {
	[CH_LINK_DOWN] = { "LINK_DOWN", true, 3 },
	[CH_LINK_GONE] = { "LINK_GONE", true, 3 },
	[CH_ADDR_DEL] = { "ADDR_REMOVED", true, 2 },
	[CH_ROUTE_DEL] = { "ROUTE_REMOVED", true, 1 },
	[CH_LINK_UP] = { "LINK_UP", false, 3 },
	[CH_ADDR_NEW] = { "ADDR_ADDED", false, 2 },
	[CH_ROUTE_NEW] = { "ROUTE_ADDED", false, 1 },
};

struct link {
	int ifindex; /* 0: a free entry */
	char name[IFNAMSIZ];
	bool up;
};

struct addr {
	struct sockaddr_storage a; /* AF_UNSPEC: a free entry */
	int ifindex;
	bool present; /* removed ones stay, for the interface of a subflow
		       * that closes after its address went */
	bool tentative;
};

struct change {
	uint64_t seq; /* 0: none */
	int64_t ms;
	enum change_kind kind;
	int ifindex;
	struct sockaddr_storage a; /* the address, or the route's prefix */
	int prefixlen;
	char what[160]; /* "link c2 down" */
};

struct sub {
	uint32_t token;
	struct sockaddr_storage local, remote; /* AF_UNSPEC: a free entry */
};

struct lost {
	bool used;
	uint32_t token;
	int ifindex;
	struct sockaddr_storage local;
	uint64_t since; /* a comeback is a change after this one */
};

struct mon_state {
	struct link links[MON_LINKS];
	struct addr addrs[MON_ADDRS];
	struct change changes[MON_CHANGES]; /* by seq % MON_CHANGES */
	uint64_t seq; /* the last change's */
	struct sub subs[MON_SUBS];
	struct lost lost[MON_LOST];
	int next_link, next_addr, next_sub, next_lost; /* the next evicted */
};

struct mon_state *mon_new(void)
{
	return calloc(1, sizeof(struct mon_state));
}

void mon_free(struct mon_state *st)
{
	free(st);
}

static const struct sockaddr *sa(const struct sockaddr_storage *ss)
{
	return (const struct sockaddr *)ss;
}

/* ---- links and addresses ------------------------------------------------ */

static struct link *link_find(struct mon_state *st, int ifindex)
{
	int i;

	for (i = 0; ifindex && i < MON_LINKS; i++)
		if (st->links[i].ifindex == ifindex)
			return &st->links[i];
	return NULL;
}

static struct link *link_get(struct mon_state *st, int ifindex, bool *is_new)
{
	struct link *l = link_find(st, ifindex);
	int i;

	*is_new = !l;
	if (l)
		return l;
	for (i = 0; i < MON_LINKS && !l; i++)
		if (!st->links[i].ifindex)
			l = &st->links[i];
	if (!l) {
		l = &st->links[st->next_link];
		st->next_link = (st->next_link + 1) % MON_LINKS;
	}
	memset(l, 0, sizeof(*l));
	l->ifindex = ifindex;
	return l;
}

/* The name of @ifindex into @buf: as last seen, else @fallback, else "". */
static void link_name(struct mon_state *st, int ifindex, const char *fallback,
		      char *buf)
{
	const struct link *l = link_find(st, ifindex);

	buf[0] = '\0';
	if (l && l->name[0])
		snprintf(buf, IFNAMSIZ, "%s", l->name);
	else if (ifindex && fallback)
		snprintf(buf, IFNAMSIZ, "%s", fallback);
}

static struct addr *addr_find(struct mon_state *st,
			      const struct sockaddr_storage *a)
{
	int i;

	for (i = 0; i < MON_ADDRS; i++)
		if (st->addrs[i].a.ss_family &&
		    cmn_sa_addr_equal(sa(&st->addrs[i].a), sa(a)))
			return &st->addrs[i];
	return NULL;
}

static struct addr *addr_get(struct mon_state *st,
			     const struct sockaddr_storage *a, bool *is_new)
{
	struct addr *e = addr_find(st, a);
	int i;

	*is_new = !e;
	if (e)
		return e;
	for (i = 0; i < MON_ADDRS && !e; i++)
		if (!st->addrs[i].a.ss_family)
			e = &st->addrs[i];
	if (!e) {
		e = &st->addrs[st->next_addr];
		st->next_addr = (st->next_addr + 1) % MON_ADDRS;
	}
	memset(e, 0, sizeof(*e));
	e->a = *a;
	return e;
}

void mon_seed(struct mon_state *st, const struct cmn_rtnl_event *ev)
{
	struct link *l;
	struct addr *a;
	bool is_new;

	if (ev->kind == CMN_RTNL_LINK && ev->ifindex) {
		l = link_get(st, ev->ifindex, &is_new);
		l->up = ev->up;
		if (ev->ifname[0])
			snprintf(l->name, sizeof(l->name), "%s", ev->ifname);
	} else if (ev->kind == CMN_RTNL_ADDR_NEW) {
		a = addr_get(st, &ev->addr, &is_new);
		a->ifindex = ev->ifindex;
		a->present = true;
		a->tentative = ev->tentative;
	}
}

/* The interface of a subflow: its own, else its address's, else 0. */
static int sub_ifindex(struct mon_state *st, const struct mptcplib_event *e)
{
	const struct addr *a;

	if (e->ifindex)
		return e->ifindex;
	if (!e->local.ss_family)
		return 0;
	a = addr_find(st, &e->local);
	return a ? a->ifindex : 0;
}

/* ---- changes ------------------------------------------------------------ */

/* "10.9.0.0/24" or "default". */
static const char *prefix_fmt(const struct cmn_rtnl_event *ev, char *buf,
			      size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (!ev->prefixlen)
		snprintf(buf, len, "default");
	else
		snprintf(buf, len, "%s/%d",
			 cmn_sa_ntop(sa(&ev->addr), a, sizeof(a)),
			 ev->prefixlen);
	return buf;
}

/* What @kind on @ifname says as a cause: "link c2 down", ... */
static void change_what(enum change_kind kind, const struct cmn_rtnl_event *ev,
			const char *ifname, char *buf, size_t len)
{
	char dev[IFNAMSIZ + 16], a[INET6_ADDRSTRLEN], p[INET6_ADDRSTRLEN + 8];

	if (ifname[0])
		snprintf(dev, sizeof(dev), "%s", ifname);
	else
		snprintf(dev, sizeof(dev), "interface %d", ev->ifindex);
	cmn_sa_ntop(sa(&ev->addr), a, sizeof(a));
	prefix_fmt(ev, p, sizeof(p));
	switch (kind) {
	case CH_LINK_DOWN:
	case CH_LINK_GONE:
	case CH_LINK_UP:
		snprintf(buf, len, "link %s %s", dev,
			 kind == CH_LINK_DOWN ? "down" :
			 kind == CH_LINK_GONE ? "gone" :
						"up");
		break;
	case CH_ADDR_DEL:
		snprintf(buf, len, "address %s removed from %s", a, dev);
		break;
	case CH_ADDR_NEW:
		snprintf(buf, len, "address %s added to %s", a, dev);
		break;
	case CH_ROUTE_DEL:
	case CH_ROUTE_NEW:
		if (ev->prefixlen)
			snprintf(buf, len, "route to %s through %s %s", p, dev,
				 kind == CH_ROUTE_DEL ? "removed" : "added");
		else
			snprintf(buf, len, "default route through %s %s", dev,
				 kind == CH_ROUTE_DEL ? "removed" : "added");
		break;
	}
}

static void change_add(struct mon_state *st, enum change_kind kind,
		       const struct mon_event *ev, const char *ifname)
{
	struct change *c = &st->changes[++st->seq % MON_CHANGES];

	memset(c, 0, sizeof(*c));
	c->seq = st->seq;
	c->ms = ev->ms;
	c->kind = kind;
	c->ifindex = ev->rt.ifindex;
	c->a = ev->rt.addr;
	c->prefixlen = ev->rt.prefixlen;
	change_what(kind, &ev->rt, ifname, c->what, sizeof(c->what));
}

/* Does route @c lead to @remote? */
static bool route_covers(const struct change *c,
			 const struct sockaddr_storage *remote)
{
	const void *p, *r;
	size_t plen, rlen;

	if (c->a.ss_family != remote->ss_family)
		return false;
	p = cmn_sa_addr(sa(&c->a), &plen);
	r = cmn_sa_addr(sa(remote), &rlen);
	if (!p || !r || plen != rlen || (size_t)c->prefixlen > plen * 8)
		return false;
	return cmn_prefix_covers(p, c->prefixlen, r);
}

/* Is @c about the path of a subflow on @ifindex from @e's addresses? */
static bool change_hits(const struct change *c, int ifindex,
			const struct mptcplib_event *e)
{
	switch (c->kind) {
	case CH_LINK_DOWN:
	case CH_LINK_GONE:
	case CH_LINK_UP:
		return ifindex && c->ifindex == ifindex;
	case CH_ADDR_DEL:
		return cmn_sa_addr_equal(sa(&c->a), sa(&e->local));
	case CH_ADDR_NEW:
		/* its address back, or a new one on its interface */
		return cmn_sa_addr_equal(sa(&c->a), sa(&e->local)) ||
		       (ifindex && c->ifindex == ifindex);
	case CH_ROUTE_DEL:
	case CH_ROUTE_NEW:
		return ifindex && c->ifindex == ifindex &&
		       route_covers(c, &e->remote);
	}
	return false;
}

/*
 * The most telling change that took (@loss) or brought a path of the
 * subflow of @e on @ifindex, after change @after and not before @from_ms;
 * NULL if none.
 */
static const struct change *change_best(const struct mon_state *st, bool loss,
					uint64_t after, int64_t from_ms,
					int ifindex,
					const struct mptcplib_event *e)
{
	const struct change *best = NULL;
	int i;

	for (i = 0; i < MON_CHANGES; i++) {
		const struct change *c = &st->changes[i];

		if (!c->seq || c->seq <= after || c->ms < from_ms ||
		    kinds[c->kind].loss != loss || !change_hits(c, ifindex, e))
			continue;
		if (!best || kinds[c->kind].rank > kinds[best->kind].rank ||
		    (kinds[c->kind].rank == kinds[best->kind].rank &&
		     c->seq > best->seq))
			best = c;
	}
	return best;
}

static void feed_link(struct mon_state *st, const struct mon_event *ev,
		      struct mon_line *out)
{
	const struct cmn_rtnl_event *rt = &ev->rt;
	enum change_kind kind;
	struct link *l;
	bool is_new, same;

	if (rt->kind == CMN_RTNL_LINK_GONE) {
		link_name(st, rt->ifindex, rt->ifname[0] ? rt->ifname : NULL,
			  out->ifname);
		l = link_find(st, rt->ifindex);
		if (l)
			memset(l, 0, sizeof(*l));
		kind = CH_LINK_GONE;
	} else {
		l = link_get(st, rt->ifindex, &is_new);
		/* Links are announced again for many reasons (carrier,
		 * statistics, flags): only a new state is a change. */
		same = !is_new && l->up == rt->up;
		l->up = rt->up;
		if (rt->ifname[0])
			snprintf(l->name, sizeof(l->name), "%s", rt->ifname);
		snprintf(out->ifname, sizeof(out->ifname), "%s", l->name);
		if (same) {
			out->hidden = true;
			out->name = rt->up ? "LINK_UP" : "LINK_DOWN";
			return;
		}
		kind = rt->up ? CH_LINK_UP : CH_LINK_DOWN;
	}
	out->name = kinds[kind].name;
	change_add(st, kind, ev, out->ifname);
}

static void feed_addr(struct mon_state *st, const struct mon_event *ev,
		      struct mon_line *out)
{
	const struct cmn_rtnl_event *rt = &ev->rt;
	struct addr *a;
	bool is_new, news;

	/* An IPv4 label is the interface's name or an alias of it: the
	 * link's own name first. */
	link_name(st, rt->ifindex, rt->ifname[0] ? rt->ifname : ev->ifname,
		  out->ifname);
	a = addr_get(st, &rt->addr, &is_new);
	if (rt->kind == CMN_RTNL_ADDR_DEL) {
		a->ifindex = rt->ifindex;
		a->present = false;
		out->name = kinds[CH_ADDR_DEL].name;
		change_add(st, CH_ADDR_DEL, ev, out->ifname);
		return;
	}
	/* New, back, moved, or usable now (duplicate address detection
	 * done); IPv6 announces lifetimes again, which says nothing. */
	news = is_new || !a->present || a->ifindex != rt->ifindex ||
	       (a->tentative && !rt->tentative);
	a->ifindex = rt->ifindex;
	a->present = true;
	a->tentative = rt->tentative;
	out->name = kinds[CH_ADDR_NEW].name;
	if (!news) {
		out->hidden = true;
		return;
	}
	change_add(st, CH_ADDR_NEW, ev, out->ifname);
}

static void feed_path(struct mon_state *st, const struct mon_event *ev,
		      struct mon_line *out)
{
	const struct cmn_rtnl_event *rt = &ev->rt;
	enum change_kind kind;

	switch (rt->kind) {
	case CMN_RTNL_LINK:
	case CMN_RTNL_LINK_GONE:
		feed_link(st, ev, out);
		return;
	case CMN_RTNL_ADDR_NEW:
	case CMN_RTNL_ADDR_DEL:
		feed_addr(st, ev, out);
		return;
	case CMN_RTNL_ROUTE_NEW:
	case CMN_RTNL_ROUTE_DEL:
		kind = rt->kind == CMN_RTNL_ROUTE_NEW ? CH_ROUTE_NEW :
							CH_ROUTE_DEL;
		link_name(st, rt->ifindex, ev->ifname, out->ifname);
		out->name = kinds[kind].name;
		change_add(st, kind, ev, out->ifname);
		return;
	case CMN_RTNL_LOST:
		break;
	}
	/* The caller says that changes were missed. */
	out->hidden = true;
	out->name = "LOST";
}

/* ---- subflows -------------------------------------------------------------- */

static void sub_up(struct mon_state *st, const struct mptcplib_event *e)
{
	struct sub *s = NULL;
	int i;

	if (!e->local.ss_family)
		return;
	for (i = 0; i < MON_SUBS && !s; i++)
		if (!st->subs[i].local.ss_family)
			s = &st->subs[i];
	if (!s) {
		s = &st->subs[st->next_sub];
		st->next_sub = (st->next_sub + 1) % MON_SUBS;
	}
	s->token = e->token;
	s->local = e->local;
	s->remote = e->remote;
}

/* Forget the subflow of @e (its ends, ports included); was it up? */
static bool sub_down(struct mon_state *st, const struct mptcplib_event *e)
{
	int i;

	for (i = 0; i < MON_SUBS; i++) {
		struct sub *s = &st->subs[i];

		if (s->local.ss_family && s->token == e->token &&
		    cmn_sa_equal(sa(&s->local), sa(&e->local)) &&
		    cmn_sa_equal(sa(&s->remote), sa(&e->remote))) {
			memset(s, 0, sizeof(*s));
			return true;
		}
	}
	return false;
}

static void lost_add(struct mon_state *st, const struct mptcplib_event *e,
		     int ifindex, uint64_t since)
{
	struct lost *l = NULL;
	int i;

	for (i = 0; i < MON_LOST && !l; i++)
		if (!st->lost[i].used)
			l = &st->lost[i];
	if (!l) {
		l = &st->lost[st->next_lost];
		st->next_lost = (st->next_lost + 1) % MON_LOST;
	}
	l->used = true;
	l->token = e->token;
	l->ifindex = ifindex;
	l->local = e->local;
	l->since = since;
}

/* The loss of a subflow of @e's connection on @ifindex or its address. */
static struct lost *lost_find(struct mon_state *st,
			      const struct mptcplib_event *e, int ifindex)
{
	int i;

	for (i = 0; i < MON_LOST; i++) {
		struct lost *l = &st->lost[i];

		if (l->used && l->token == e->token &&
		    ((ifindex && l->ifindex == ifindex) ||
		     cmn_sa_addr_equal(sa(&l->local), sa(&e->local))))
			return l;
	}
	return NULL;
}

static void conn_forget(struct mon_state *st, uint32_t token)
{
	int i;

	for (i = 0; i < MON_SUBS; i++)
		if (st->subs[i].token == token)
			memset(&st->subs[i], 0, sizeof(st->subs[i]));
	for (i = 0; i < MON_LOST; i++)
		if (st->lost[i].token == token)
			st->lost[i].used = false;
}

static void feed_mptcp(struct mon_state *st, const struct mon_event *ev,
		       struct mon_line *out)
{
	const struct mptcplib_event *e = &ev->mp;
	const struct change *c;
	struct lost *l;
	bool was_up;
	int idx;

	out->name = mptcplib_event_name(e->type);
	link_name(st, e->ifindex, ev->ifname, out->ifname);
	switch (e->type) {
	case MPTCPLIB_EVENT_ESTABLISHED: /* its initial subflow is up */
		sub_up(st, e);
		break;
	case MPTCPLIB_EVENT_CLOSED:
		conn_forget(st, e->token);
		break;
	case MPTCPLIB_EVENT_SUB_CLOSED:
		idx = sub_ifindex(st, e);
		was_up = sub_down(st, e);
		c = change_best(st, true, 0, ev->ms - MON_CAUSE_MS, idx, e);
		if (c) {
			out->story = MON_REMOVED;
			snprintf(out->cause, sizeof(out->cause), "%s", c->what);
		}
		/* A join that never came up was not lost: its retry is
		 * no re-open. One removed is, even if seen up before we
		 * started. */
		if (was_up || c)
			lost_add(st, e, idx, c ? c->seq : st->seq);
		break;
	case MPTCPLIB_EVENT_SUB_ESTABLISHED:
		sub_up(st, e);
		idx = sub_ifindex(st, e);
		l = lost_find(st, e, idx);
		if (!l)
			break;
		out->story = MON_REOPENED;
		c = change_best(st, false, l->since, INT64_MIN, idx, e);
		if (c)
			snprintf(out->cause, sizeof(out->cause), "%s", c->what);
		l->used = false;
		break;
	}
}

void mon_feed(struct mon_state *st, const struct mon_event *ev,
	      struct mon_line *out)
{
	memset(out, 0, sizeof(*out));
	if (ev->path)
		feed_path(st, ev, out);
	else
		feed_mptcp(st, ev, out);
}

/* ---- printing ---------------------------------------------------------------- */

static const char *ep(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	return cmn_sa_fmt(sa(ss), buf, len);
}

static void print_path_text(FILE *f, const struct mon_event *ev,
			    const struct mon_line *l)
{
	const struct cmn_rtnl_event *rt = &ev->rt;
	char a[INET6_ADDRSTRLEN], p[INET6_ADDRSTRLEN + 8], dev[IFNAMSIZ + 16];

	if (l->ifname[0])
		snprintf(dev, sizeof(dev), "%s", l->ifname);
	else
		snprintf(dev, sizeof(dev), "interface %d", rt->ifindex);
	fprintf(f, "%-16s ", l->name);
	switch (rt->kind) {
	case CMN_RTNL_ADDR_NEW:
	case CMN_RTNL_ADDR_DEL:
		fprintf(f, "%s/%d dev %s%s",
			cmn_sa_ntop(sa(&rt->addr), a, sizeof(a)), rt->prefixlen,
			dev, rt->tentative ? "  tentative" : "");
		break;
	case CMN_RTNL_ROUTE_NEW:
	case CMN_RTNL_ROUTE_DEL:
		fputs(prefix_fmt(rt, p, sizeof(p)), f);
		if (rt->ifindex)
			fprintf(f, " dev %s", dev);
		if (rt->multipath)
			fputs("  multipath", f);
		break;
	default:
		fputs(dev, f);
		break;
	}
	fputc('\n', f);
}

static void print_path_json(FILE *f, const struct mon_event *ev,
			    const struct mon_line *l)
{
	const struct cmn_rtnl_event *rt = &ev->rt;
	char a[INET6_ADDRSTRLEN];

	fprintf(f, "{\"ts\":%lld.%06ld,\"event\":\"%s\",\"interface\":",
		(long long)ev->ts.tv_sec, ev->ts.tv_nsec / 1000, l->name);
	json_str(f, l->ifname);
	fprintf(f, ",\"ifindex\":%d", rt->ifindex);
	switch (rt->kind) {
	case CMN_RTNL_ADDR_NEW:
	case CMN_RTNL_ADDR_DEL:
		fprintf(f, ",\"address\":");
		json_str(f, cmn_sa_ntop(sa(&rt->addr), a, sizeof(a)));
		fprintf(f, ",\"prefixlen\":%d,\"tentative\":%s", rt->prefixlen,
			rt->tentative ? "true" : "false");
		break;
	case CMN_RTNL_ROUTE_NEW:
	case CMN_RTNL_ROUTE_DEL:
		fprintf(f, ",\"destination\":");
		json_str(f, cmn_sa_ntop(sa(&rt->addr), a, sizeof(a)));
		fprintf(f, ",\"prefixlen\":%d,\"multipath\":%s", rt->prefixlen,
			rt->multipath ? "true" : "false");
		break;
	default:
		break;
	}
	fputs("}\n", f);
}

/*
 * A join the peer refused: its SYN was answered by a reset (error 111 on
 * the subflow), typically because nothing listens on that port any more:
 * a server that accepts one connection and closes its listener, as socat
 * without fork does. Only the connection's first path is then used.
 */
static bool refused_by_peer(const struct mptcplib_event *e)
{
	return e->type == MPTCPLIB_EVENT_SUB_CLOSED && e->error == ECONNREFUSED;
}

static void print_mptcp_text(FILE *f, const struct mptcplib_event *e,
			     const struct mon_line *l)
{
	char a[CMN_ADDRSTRLEN], b[CMN_ADDRSTRLEN];

	fprintf(f, "%-16s token %08x", l->name, e->token);
	if (e->local.ss_family || e->remote.ss_family)
		fprintf(f, "  %s -> %s", ep(&e->local, a, sizeof(a)),
			ep(&e->remote, b, sizeof(b)));
	if (e->local_addr_id >= 0)
		fprintf(f, "  ids %d/%d", e->local_addr_id, e->remote_addr_id);
	if (e->backup)
		fputs("  backup", f);
	if (l->ifname[0])
		fprintf(f, "  dev %s", l->ifname);
	if (refused_by_peer(e))
		fputs("  refused by the peer (nothing accepts a new subflow "
		      "there)",
		      f);
	else if (e->error)
		fprintf(f, "  error %d (%s)", e->error, strerror(e->error));
	if (e->server_side)
		fputs("  server-side", f);
	fputc('\n', f);
	if (l->story == MON_PLAIN)
		return;
	/* What the path manager did, in words, under the event. */
	fprintf(f, "%-16s token %08x: subflow %s -> %s %s", "", e->token,
		cmn_sa_ntop(sa(&e->local), a, sizeof(a)),
		cmn_sa_ntop(sa(&e->remote), b, sizeof(b)),
		l->story == MON_REMOVED ? "removed" : "re-opened");
	if (l->cause[0])
		fprintf(f, " (%s)", l->cause);
	fputc('\n', f);
}

static void print_mptcp_json(FILE *f, const struct mon_event *ev,
			     const struct mon_line *l)
{
	const struct mptcplib_event *e = &ev->mp;
	char a[CMN_ADDRSTRLEN];

	fprintf(f,
		"{\"ts\":%lld.%06ld,\"event\":\"%s\",\"token\":"
		"\"%08x\",\"local\":",
		(long long)ev->ts.tv_sec, ev->ts.tv_nsec / 1000, l->name,
		e->token);
	json_str(f, ep(&e->local, a, sizeof(a)));
	fprintf(f, ",\"remote\":");
	json_str(f, ep(&e->remote, a, sizeof(a)));
	fprintf(f,
		",\"local_id\":%d,\"remote_id\":%d,\"backup\":%d,"
		"\"error\":%d,\"interface\":",
		e->local_addr_id, e->remote_addr_id, e->backup, e->error);
	json_str(f, l->ifname);
	fprintf(f, ",\"server_side\":%s,\"refused_by_peer\":%s",
		e->server_side ? "true" : "false",
		refused_by_peer(e) ? "true" : "false");
	if (l->story == MON_REOPENED)
		fputs(",\"reopened\":true", f);
	if (l->story != MON_PLAIN && l->cause[0]) {
		fputs(",\"cause\":", f);
		json_str(f, l->cause);
	}
	fputs("}\n", f);
}

void mon_print(FILE *f, const struct mon_event *ev, const struct mon_line *l,
	       bool json)
{
	if (l->hidden)
		return;
	if (ev->path && json)
		print_path_json(f, ev, l);
	else if (ev->path)
		print_path_text(f, ev, l);
	else if (json)
		print_mptcp_json(f, ev, l);
	else
		print_mptcp_text(f, &ev->mp, l);
}

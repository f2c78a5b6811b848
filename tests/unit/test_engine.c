// SPDX-License-Identifier: MIT
/*
 * The subflow engine's state machine, driven with canned inputs: fake
 * interfaces and routes, a fake clock, and a subflow request that records
 * what it is asked and answers from a script. No kernel, no thread.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmn_addr.h"
#include "eng_engine.h"
#include "eng_plan.h"
#include "mpa_policy.h"

/* ---- the fake world ------------------------------------------------------ */

#define MANY 6000
#define MANY_BASE 0x70000000u

#define NIFS 4

/* An interface of the fake machine: an address and its AF_PACKET entry. */
struct fake_if {
	struct ifaddrs addr_ifa, link_ifa;
	struct sockaddr_storage addr;
	struct sockaddr_ll link;
};

struct opened {
	uint32_t token;
	char ifname[IFNAMSIZ];
	struct sockaddr_storage from, to;
	int64_t at;
};

struct world {
	int64_t now;
	struct fake_if ifs[NIFS];
	int route[NIFS + 1]; /* by ifindex: 1, 0 or -errno */
	int resolve_calls, route_calls;
	int script[32], nscript, next; /* open_subflow answers, then 0 */
	int backups; /* set_backup calls */
	struct sockaddr_storage backup_local; /* the last one's */
	struct opened opened[64];
	int nopened;
	/* Many connections: requests counted by token - MANY_BASE only. */
	unsigned char *many;
	struct opened closed[64]; /* close_subflow calls: local address */
	int nclosed;
	/* remove_addr calls: the id, and the destroys made before it. */
	int removed_id[16], removed_after[16], nremoved, remove_rc;
	/* read_subflows: what the kernel says, by the local address's
	 * interface index (the connection's own: eth0, 1). */
	struct eng_sf_sample sample[NIFS + 1];
	int reads, read_err, last_read; /* calls, answer, subflows asked */
	/* The connections' own reading (read_conn): one for all of them. */
	struct eng_conn_sample conn;
	int conn_reads, conn_err;
	struct eng_plan_ops plan_ops;
	struct eng_ops ops;
	struct mpa_policy *policy;
	struct eng_engine *e;
};

/* eth0 is the connection's own source; the rule names the other three. */
static const struct {
	const char *name, *ip;
} if_table[NIFS] = {
	{ "eth0", "10.0.0.1" },
	{ "wlan0", "10.0.1.1" },
	{ "eth1", "10.0.2.1" },
	{ "wwan0", "10.0.3.1" },
};

static void sa(struct sockaddr_storage *ss, const char *ip, int port)
{
	memset(ss, 0, sizeof(*ss));
	if (strchr(ip, ':')) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		assert_int_equal(inet_pton(AF_INET6, ip, &in6->sin6_addr), 1);
	} else {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)port);
		assert_int_equal(inet_pton(AF_INET, ip, &in->sin_addr), 1);
	}
}

static int fake_resolve(void *ctx, const struct mpa_decision *d, int family,
			const struct sockaddr *own, struct mpa_local *out,
			int cap)
{
	struct world *w = ctx;

	w->resolve_calls++;
	return eng_resolve_list(d, &w->ifs[0].addr_ifa, family, own, out, cap);
}

static int fake_route_via(void *ctx, const struct sockaddr *dst, int ifindex)
{
	struct world *w = ctx;

	(void)dst;
	w->route_calls++;
	assert_true(ifindex >= 1 && ifindex <= NIFS);
	return w->route[ifindex];
}

static int64_t fake_now(void *ctx)
{
	return ((struct world *)ctx)->now;
}

static int fake_open(void *ctx, uint32_t token, const struct mpa_local *from,
		     const struct sockaddr *to, char *why, size_t len)
{
	struct world *w = ctx;
	struct opened *o;
	int rc = w->next < w->nscript ? w->script[w->next++] : 0;

	if (w->many) {
		w->many[token - MANY_BASE]++;
		return rc;
	}
	o = &w->opened[w->nopened++];
	assert_true(w->nopened <= 64);
	o->token = token;
	strcpy(o->ifname, from->ifname);
	o->from = from->addr;
	o->at = w->now;
	memcpy(&o->to, to, cmn_sa_len(to->sa_family));
	if (rc)
		snprintf(why, len, "scripted %d", rc);
	return rc;
}

static int fake_set_backup(void *ctx, uint32_t token,
			   const struct sockaddr *local,
			   const struct sockaddr *remote, char *why, size_t len)
{
	struct world *w = ctx;

	(void)token;
	(void)remote;
	(void)why;
	(void)len;
	w->backups++;
	memcpy(&w->backup_local, local, cmn_sa_len(local->sa_family));
	return 0;
}

static int fake_close(void *ctx, uint32_t token, const struct sockaddr *local,
		      const struct sockaddr *remote, char *why, size_t len)
{
	struct world *w = ctx;
	struct opened *o = &w->closed[w->nclosed++];

	(void)why;
	(void)len;
	assert_true(w->nclosed <= 64);
	/* Removing needs both ends with their ports. */
	assert_true(cmn_sa_port(local) && cmn_sa_port(remote));
	o->token = token;
	memcpy(&o->from, local, cmn_sa_len(local->sa_family));
	o->at = w->now;
	return 0;
}

static int fake_remove(void *ctx, uint32_t token, int id, char *why, size_t len)
{
	struct world *w = ctx;

	(void)token;
	assert_true(w->nremoved < 16);
	w->removed_id[w->nremoved] = id;
	w->removed_after[w->nremoved++] = w->nclosed;
	if (w->remove_rc)
		snprintf(why, len, "scripted %d", w->remove_rc);
	return w->remove_rc;
}

static int if_of(const char *ip);

static int fake_read(void *ctx, struct eng_probe *v, int n)
{
	struct world *w = ctx;
	char a[INET6_ADDRSTRLEN];
	int i;

	w->reads++;
	w->last_read = n;
	if (w->read_err)
		return w->read_err;
	for (i = 0; i < n; i++) {
		/* Asked by both ends, ports included. */
		assert_true(cmn_sa_port((struct sockaddr *)&v[i].local) &&
			    cmn_sa_port((struct sockaddr *)&v[i].remote));
		v[i].s = w->sample[if_of(cmn_sa_ntop(
			(struct sockaddr *)&v[i].local, a, sizeof(a)))];
		if (!v[i].conn)
			continue;
		/* The connection, once per connection and reading. */
		w->conn_reads++;
		v[i].conn_err = w->conn_err;
		v[i].c = w->conn_err ? (struct eng_conn_sample){ 0 } : w->conn;
	}
	return 0;
}

static int fake_ifindex_of(void *ctx, const struct sockaddr *addr, char *ifname)
{
	struct world *w = ctx;

	return eng_resolve_addr_list(&w->ifs[0].addr_ifa, addr, ifname);
}

/* What the engine logged since the world's policy was set. */
static char logged[16384];

static void log_keep(enum cmn_log_level level, const char *fmt, ...)
{
	size_t at = strlen(logged);
	va_list ap;

	(void)level;
	va_start(ap, fmt);
	vsnprintf(logged + at, sizeof(logged) - at, fmt, ap);
	va_end(ap);
	at = strlen(logged);
	if (at + 1 < sizeof(logged)) {
		logged[at] = '\n';
		logged[at + 1] = '\0';
	}
}

/* How many lines the engine logged that hold @what. */
static int said(const struct world *w, const char *what)
{
	const char *p = logged;
	int n = 0;

	(void)w;
	while ((p = strstr(p, what))) {
		n++;
		p += strlen(what);
	}
	return n;
}

static void world_policy(struct world *w, const char *text, int max_conns)
{
	const char *name = "engine.ini";
	size_t len = strlen(text);
	struct eng_config cfg = {
		.queue_slots = 8,
		.max_conns = max_conns,
		.log = log_keep,
		.ops = &w->ops,
	};

	logged[0] = '\0';
	w->policy = mpa_policy_load_buffers(&name, &text, &len, 1);
	assert_non_null(w->policy);
	assert_int_equal(w->policy->ndiags, 0);
	w->e = eng_engine_new(&cfg);
	assert_non_null(w->e);
}

static const char rule_text[] = "[default]\n"
				"interfaces = wlan0, eth1, eth0\n"
				"backup = wwan0\n"
				"subflows = 8\n";

static int setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));
	int i;

	assert_non_null(w);
	for (i = NIFS - 1; i >= 0; i--) {
		struct fake_if *f = &w->ifs[i];
		struct fake_if *next = i + 1 < NIFS ? &w->ifs[i + 1] : NULL;

		sa(&f->addr, if_table[i].ip, 0);
		f->link.sll_family = AF_PACKET;
		f->link.sll_ifindex = i + 1;
		f->addr_ifa.ifa_name = (char *)if_table[i].name;
		f->addr_ifa.ifa_flags = IFF_UP;
		f->addr_ifa.ifa_addr = (struct sockaddr *)&f->addr;
		f->addr_ifa.ifa_next = &f->link_ifa;
		f->link_ifa = f->addr_ifa;
		f->link_ifa.ifa_addr = (struct sockaddr *)&f->link;
		f->link_ifa.ifa_next = next ? &next->addr_ifa : NULL;
		w->route[i + 1] = 1;
	}
	w->plan_ops = (struct eng_plan_ops){ fake_resolve, fake_route_via, w };
	w->ops = (struct eng_ops){ .now = fake_now,
				   .open_subflow = fake_open,
				   .set_backup = fake_set_backup,
				   .close_subflow = fake_close,
				   .remove_addr = fake_remove,
				   .ifindex_of = fake_ifindex_of,
				   .plan = &w->plan_ops,
				   .ctx = w };
	w->now = 100000;
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	struct world *w = *state;

	eng_engine_free(w->e);
	mpa_policy_free(w->policy);
	free(w->many);
	free(w);
	return 0;
}

/* ---- driving it ---------------------------------------------------------- */

static struct mpa_conn_req req(struct world *w, uint32_t token,
			       const char *peer, int port)
{
	struct mpa_conn_req r = { .token = token, .rule = &w->policy->def };

	sa(&r.local, "10.0.0.1", 40000);
	sa(&r.remote, peer, port);
	return r;
}

static int submit(struct world *w, uint32_t token, bool maybe_established)
{
	struct mpa_conn_req r = req(w, token, "10.9.0.1", 443);
	struct eng_input in = { .type = ENG_IN_SUBMIT,
				.req = &r,
				.maybe_established = maybe_established };

	return eng_engine_step(w->e, &in);
}

static int event(struct world *w, int type, uint32_t token, const char *local,
		 int error)
{
	struct mptcplib_event ev = { .type = type,
				     .token = token,
				     .error = error };
	struct eng_input in = { .type = ENG_IN_EVENT, .event = &ev };

	if (local)
		sa(&ev.local, local, 50000);
	return eng_engine_step(w->e, &in);
}

/* event() of a subflow bound (as the event says) to interface @ifindex. */
static int event_if(struct world *w, int type, uint32_t token,
		    const char *local, int ifindex)
{
	struct mptcplib_event ev = { .type = type,
				     .token = token,
				     .ifindex = ifindex };
	struct eng_input in = { .type = ENG_IN_EVENT, .event = &ev };

	sa(&ev.local, local, 50000);
	sa(&ev.remote, "10.9.0.1", 443);
	return eng_engine_step(w->e, &in);
}

static int timer(struct world *w, int64_t at)
{
	struct eng_input in = { .type = ENG_IN_TIMER };

	w->now = at;
	return eng_engine_step(w->e, &in);
}

/* Subflow requests made for @token so far. */
static int opens_for(const struct world *w, uint32_t token)
{
	int i, n = 0;

	for (i = 0; i < w->nopened; i++)
		n += w->opened[i].token == token;
	return n;
}

static void script(struct world *w, int n, const int *answers)
{
	memcpy(w->script + w->nscript, answers, (size_t)n * sizeof(int));
	w->nscript += n;
}

static const struct eng_engine_stats *stats(const struct world *w)
{
	return eng_engine_stats(w->e);
}

/* ---- the tests ------------------------------------------------------------ */

/* The usual order: connect() first, its ESTABLISHED event later. */
static void test_submit_then_established(void **state)
{
	struct world *w = *state;

	world_policy(w, rule_text, 0);
	assert_int_equal(submit(w, 0x11, false), 0);
	/* Too early for subflows: nothing asked, a timer covers a lost event. */
	assert_int_equal(w->nopened, 0);
	assert_int_equal(eng_engine_next_timer(w->e), w->now + 1000);
	assert_int_equal(eng_engine_timeout(w->e), 1000);
	w->now += 30;
	assert_int_equal(event(w, MPTCPLIB_EVENT_ESTABLISHED, 0x11, NULL, 0),
			 0);
	/* The rule's order, minus the own source (eth0), backup last. */
	assert_int_equal(w->nopened, 3);
	assert_string_equal(w->opened[0].ifname, "wlan0");
	assert_string_equal(w->opened[1].ifname, "eth1");
	assert_string_equal(w->opened[2].ifname, "wwan0");
	assert_int_equal(w->opened[0].token, 0x11);
	assert_int_equal(stats(w)->requested, 3);
	/* Done: no timer left, and a second ESTABLISHED changes nothing. */
	assert_int_equal(eng_engine_next_timer(w->e), -1);
	assert_int_equal(eng_engine_timeout(w->e), -1);
	event(w, MPTCPLIB_EVENT_ESTABLISHED, 0x11, NULL, 0);
	assert_int_equal(w->nopened, 3);
	/* Joins confirmed by their events, and the connection forgotten. */
	event(w, MPTCPLIB_EVENT_SUB_ESTABLISHED, 0x11, "10.0.1.1", 0);
	event(w, MPTCPLIB_EVENT_SUB_ESTABLISHED, 0x11, "::ffff:10.0.2.1", 0);
	assert_int_equal(stats(w)->established, 2);
	assert_int_equal(eng_engine_nconns(w->e), 1);
	event(w, MPTCPLIB_EVENT_CLOSED, 0x11, NULL, 0);
	assert_int_equal(eng_engine_nconns(w->e), 0);
}

/*
 * 6.1 makes a backup subflow a regular one and binds none: the backup
 * flag is set once it is up, only for backup subflows, and the missing
 * binding is counted (and said once).
 */
static void test_conform_backup_and_binding(void **state)
{
	struct world *w = *state;
	char a[INET6_ADDRSTRLEN];

	world_policy(w, rule_text, 0);
	submit(w, 0x13, false);
	event(w, MPTCPLIB_EVENT_ESTABLISHED, 0x13, NULL, 0);
	assert_int_equal(w->nopened, 3);
	/* wlan0 (ifindex 2), bound as asked: nothing to do. */
	event_if(w, MPTCPLIB_EVENT_SUB_ESTABLISHED, 0x13, "10.0.1.1", 2);
	assert_int_equal(w->backups, 0);
	assert_int_equal(stats(w)->unbound, 0);
	/* eth1 (3), unbound: counted, still no backup business. */
	event_if(w, MPTCPLIB_EVENT_SUB_ESTABLISHED, 0x13, "10.0.2.1", 0);
	assert_int_equal(w->backups, 0);
	assert_int_equal(stats(w)->unbound, 1);
	/* wwan0 (4), the backup one: made backup, with the event's ends. */
	event_if(w, MPTCPLIB_EVENT_SUB_ESTABLISHED, 0x13, "10.0.3.1", 0);
	assert_int_equal(w->backups, 1);
	assert_string_equal(cmn_sa_ntop((struct sockaddr *)&w->backup_local, a,
					sizeof(a)),
			    "10.0.3.1");
	assert_int_equal(stats(w)->unbound, 2);
	/* A second event for it changes nothing. */
	event_if(w, MPTCPLIB_EVENT_SUB_ESTABLISHED, 0x13, "10.0.3.1", 0);
	assert_int_equal(w->backups, 1);
}

/* The event can beat the queue: the submission then acts at once. */
static void test_established_before_submit(void **state)
{
	struct world *w = *state;

	world_policy(w, rule_text, 0);
	event(w, MPTCPLIB_EVENT_ESTABLISHED, 0x22, NULL, 0);
	assert_int_equal(eng_engine_nconns(w->e), 0);
	w->now += 100;
	submit(w, 0x22, false);
	assert_int_equal(opens_for(w, 0x22), 3);
	/* An early event is used once, and only while it is recent. */
	event(w, MPTCPLIB_EVENT_ESTABLISHED, 0x23, NULL, 0);
	w->now += 5000;
	submit(w, 0x23, false);
	assert_int_equal(opens_for(w, 0x23), 0);
	assert_int_equal(eng_engine_nconns(w->e), 2);
}

/*
 * Submitted before the engine followed the events, or just after: its
 * ESTABLISHED event may have gone by unseen, so it is tried at once;
 * later ones wait for their event.
 */
static void test_queued_before_subscription(void **state)
{
	struct world *w = *state;
	struct mpa_conn_req a, b, c;

	world_policy(w, rule_text, 0);
	a = req(w, 0x31, "10.9.0.1", 443);
	b = req(w, 0x32, "10.9.0.2", 443);
	c = req(w, 0x33, "10.9.0.3", 443);
	assert_int_equal(eng_engine_submit(w->e, &a), 0);
	eng_engine_subscribed(w->e);
	/*
	 * Handed over just after the subscription (the hook's thread was
	 * preempted): its event may be lost as well, so it is tried at once.
	 */
	w->now += ENG_SUBSCRIBE_GRACE_MS - 1;
	assert_int_equal(eng_engine_submit(w->e, &c), 0);
	assert_int_equal(eng_engine_drain(w->e), 2);
	assert_int_equal(opens_for(w, 0x31), 3);
	assert_int_equal(opens_for(w, 0x33), 3);
	/* Long after it: the connection's ESTABLISHED event says when. */
	w->now += 1;
	assert_int_equal(eng_engine_submit(w->e, &b), 0);
	assert_int_equal(eng_engine_drain(w->e), 1);
	assert_int_equal(opens_for(w, 0x32), 0);
	assert_int_equal(stats(w)->submitted, 3);
}

/*
 * A burst right after the subscription: a connection whose CREATED event
 * was seen is not tried before its ESTABLISHED (each would cost a refused
 * request); one whose events were all seen before it was handed over is
 * tried at once.
 */
static void test_created_seen_waits(void **state)
{
	struct world *w = *state;
	struct mpa_conn_req a, b;

	world_policy(w, rule_text, 0);
	a = req(w, 0x36, "10.9.0.1", 443);
	b = req(w, 0x37, "10.9.0.2", 443);
	eng_engine_subscribed(w->e);
	event(w, MPTCPLIB_EVENT_CREATED, 0x36, NULL, 0);
	event(w, MPTCPLIB_EVENT_CREATED, 0x37, NULL, 0);
	event(w, MPTCPLIB_EVENT_ESTABLISHED, 0x37, NULL, 0);
	w->now += 10;
	assert_int_equal(eng_engine_submit(w->e, &a), 0);
	assert_int_equal(eng_engine_submit(w->e, &b), 0);
	assert_int_equal(eng_engine_drain(w->e), 2);
	assert_int_equal(opens_for(w, 0x36), 0);
	assert_int_equal(opens_for(w, 0x37), 3);
	event(w, MPTCPLIB_EVENT_ESTABLISHED, 0x36, NULL, 0);
	assert_int_equal(opens_for(w, 0x36), 3);
	assert_int_equal(stats(w)->too_early, 0);
}

/* A lost ESTABLISHED event: the timer tries anyway, then backs off. */
static void test_event_lost_timer_resync(void **state)
{
	struct world *w = *state;
	const int too_early[] = { -ENOTCONN };
	int64_t t0 = w->now, due;

	world_policy(w, rule_text, 0);
	submit(w, 0x41, false);
	timer(w, t0 + 999);
	assert_int_equal(w->nopened, 0);
	/* Still not fully established: asked once, retried 500 ms later. */
	script(w, 1, too_early);
	timer(w, t0 + 1000);
	assert_int_equal(w->nopened, 1);
	due = eng_engine_next_timer(w->e);
	assert_int_equal(due, t0 + 1500);
	timer(w, due - 1);
	assert_int_equal(w->nopened, 1);
	timer(w, due);
	assert_int_equal(opens_for(w, 0x41), 4);
	assert_int_equal(eng_engine_next_timer(w->e), -1);
}

/* Never fully established: the retries end. */
static void test_retries_end(void **state)
{
	struct world *w = *state;
	int answers[9], i;

	world_policy(w, rule_text, 0);
	for (i = 0; i < 9; i++)
		answers[i] = -ENOTCONN;
	script(w, 9, answers);
	submit(w, 0x42, true);
	for (i = 0; i < 8; i++)
		timer(w, eng_engine_next_timer(w->e));
	assert_int_equal(w->nopened, 9);
	assert_int_equal(eng_engine_next_timer(w->e), -1);
}

/* ESRCH: the connection fell back to TCP (or closed): forgotten at once. */
static void test_fallback_esrch(void **state)
{
	struct world *w = *state;
	const int gone[] = { -ESRCH };

	world_policy(w, rule_text, 0);
	script(w, 1, gone);
	submit(w, 0x51, true);
	assert_int_equal(w->nopened, 1); /* no second request */
	assert_int_equal(eng_engine_nconns(w->e), 0);
	assert_int_equal(eng_engine_next_timer(w->e), -1);
	event(w, MPTCPLIB_EVENT_SUB_ESTABLISHED, 0x51, "10.0.1.1", 0);
	assert_int_equal(stats(w)->established, 0);
	assert_int_equal(stats(w)->failed, 0);
}

/* Closed while its subflows were pending: their late events count not. */
static void test_closed_while_pending(void **state)
{
	struct world *w = *state;

	world_policy(w, rule_text, 0);
	submit(w, 0x61, true);
	submit(w, 0x62, true);
	assert_int_equal(stats(w)->requested, 6);
	event(w, MPTCPLIB_EVENT_CLOSED, 0x61, NULL, 0);
	assert_int_equal(eng_engine_nconns(w->e), 1);
	event(w, MPTCPLIB_EVENT_SUB_ESTABLISHED, 0x61, "10.0.1.1", 0);
	event(w, MPTCPLIB_EVENT_SUB_CLOSED, 0x61, "10.0.2.1", 111);
	assert_int_equal(stats(w)->established, 0);
	assert_int_equal(stats(w)->failed, 0);
	/* The other connection is untouched. */
	event(w, MPTCPLIB_EVENT_SUB_ESTABLISHED, 0x62, "10.0.1.1", 0);
	assert_int_equal(stats(w)->established, 1);
}

/* A refused subflow: failed at once, or later by its SUB_CLOSED event. */
static void test_subflow_refused(void **state)
{
	struct world *w = *state;
	const int answers[] = { -EADDRNOTAVAIL, 0, 0 };

	/* Without reopen: failed is final (the re-open tests do the rest). */
	world_policy(w,
		     "[default]\ninterfaces = wlan0, eth1, eth0\n"
		     "backup = wwan0\nsubflows = 8\nreopen = no\n",
		     0);
	script(w, 3, answers);
	submit(w, 0x71, true);
	/* One failed request does not stop the others. */
	assert_int_equal(w->nopened, 3);
	assert_int_equal(stats(w)->failed, 1);
	assert_int_equal(stats(w)->requested, 2);
	assert_int_equal(eng_engine_next_timer(w->e), -1);
	/* The peer refused eth1's join. */
	event(w, MPTCPLIB_EVENT_SUB_CLOSED, 0x71, "10.0.2.1", ECONNREFUSED);
	assert_int_equal(stats(w)->failed, 2);
	/* wwan0 came up, then closed: a close, not a failure. */
	event(w, MPTCPLIB_EVENT_SUB_ESTABLISHED, 0x71, "10.0.3.1", 0);
	event(w, MPTCPLIB_EVENT_SUB_CLOSED, 0x71, "10.0.3.1", 0);
	assert_int_equal(stats(w)->established, 1);
	assert_int_equal(stats(w)->failed, 2);
	/* Events for a failed subflow change nothing. */
	event(w, MPTCPLIB_EVENT_SUB_ESTABLISHED, 0x71, "10.0.1.1", 0);
	assert_int_equal(stats(w)->established, 1);
	/* Nothing is asked again. */
	assert_int_equal(w->nopened, 3);
}

/* At the limit a finished connection makes room; else the new one waits
 * outside. */
static void test_table_full(void **state)
{
	struct world *w = *state;
	int i;

	world_policy(w, rule_text, 4);
	for (i = 0; i < 4; i++)
		submit(w, 0x81 + (uint32_t)i, false);
	assert_int_equal(eng_engine_nconns(w->e), 4);
	submit(w, 0x85, false);
	assert_int_equal(eng_engine_nconns(w->e), 4);
	assert_int_equal(stats(w)->untracked, 1);
	/* Not followed: its ESTABLISHED only goes to the early table. */
	event(w, MPTCPLIB_EVENT_ESTABLISHED, 0x85, NULL, 0);
	assert_int_equal(opens_for(w, 0x85), 0);
	/* 0x82 is done: the next connection takes its place. */
	event(w, MPTCPLIB_EVENT_ESTABLISHED, 0x82, NULL, 0);
	assert_int_equal(opens_for(w, 0x82), 3);
	submit(w, 0x86, false);
	assert_int_equal(eng_engine_nconns(w->e), 4);
	assert_int_equal(stats(w)->untracked, 1);
	event(w, MPTCPLIB_EVENT_ESTABLISHED, 0x86, NULL, 0);
	assert_int_equal(opens_for(w, 0x86), 3);
	/* The waiting ones are all still there. */
	event(w, MPTCPLIB_EVENT_ESTABLISHED, 0x84, NULL, 0);
	assert_int_equal(opens_for(w, 0x84), 3);
}

/* Two connections to one peer under one rule: one plan. */
static void test_shared_plan(void **state)
{
	struct world *w = *state;
	struct mpa_conn_req r;
	struct eng_input in = { .type = ENG_IN_SUBMIT,
				.req = &r,
				.maybe_established = true };

	world_policy(w, rule_text, 0);
	r = req(w, 0x92, "10.9.0.1", 8443);
	submit(w, 0x91, true);
	assert_int_equal(w->resolve_calls, 1);
	/* The three interfaces, and the initial subflow's (eth0). */
	assert_int_equal(w->route_calls, 4);
	w->now += 10;
	eng_engine_step(w->e, &in); /* another port, same peer */
	assert_int_equal(w->resolve_calls, 1);
	assert_int_equal(w->route_calls, 4);
	assert_int_equal(opens_for(w, 0x92), 3);
	assert_string_equal(w->opened[3].ifname, "wlan0");
	assert_string_equal(w->opened[5].ifname, "wwan0");
	assert_int_equal(cmn_sa_port((struct sockaddr *)&w->opened[3].to),
			 8443);
	/* Another peer: a plan of its own. */
	r = req(w, 0x93, "10.9.0.2", 443);
	eng_engine_step(w->e, &in);
	assert_int_equal(w->resolve_calls, 2);
}

/* A plan is reused for ENG_PLAN_MS, then made again. */
static void test_plan_expiry(void **state)
{
	struct world *w = *state;
	int64_t t0 = w->now;

	world_policy(w, rule_text, 0);
	submit(w, 0xa1, true);
	w->now = t0 + ENG_PLAN_MS - 1;
	submit(w, 0xa2, true);
	assert_int_equal(w->resolve_calls, 1);
	/* The machine changed meanwhile: wlan0 lost its route. */
	w->route[2] = 0;
	w->now = t0 + ENG_PLAN_MS;
	submit(w, 0xa3, true);
	assert_int_equal(w->resolve_calls, 2);
	assert_int_equal(opens_for(w, 0xa2), 3);
	assert_int_equal(opens_for(w, 0xa3), 2);
}

/*
 * The rules the engine may still read (mptcp-autod frees a replaced
 * policy only when none of its rules is among them): each followed
 * connection's, and a plan's while it may be reused, not after.
 */
static void test_rules_in_use(void **state)
{
	struct world *w = *state;
	const struct mpa_rule *out[4];
	int64_t t0 = w->now;

	world_policy(w, rule_text, 0);
	assert_int_equal(eng_engine_rules(w->e, out, 4), 0);
	submit(w, 0xb1, false);
	assert_int_equal(eng_engine_rules(w->e, out, 4), 1);
	assert_ptr_equal(out[0], &w->policy->def);
	/* Planned: the connection's rule and its plan's. */
	event(w, MPTCPLIB_EVENT_ESTABLISHED, 0xb1, NULL, 0);
	assert_int_equal(eng_engine_rules(w->e, out, 4), 2);
	assert_ptr_equal(out[1], &w->policy->def);
	/* Closed: the plan may still be reused for a while. */
	event(w, MPTCPLIB_EVENT_CLOSED, 0xb1, NULL, 0);
	assert_int_equal(eng_engine_rules(w->e, out, 4), 1);
	assert_ptr_equal(out[0], &w->policy->def);
	w->now = t0 + ENG_PLAN_MS;
	assert_int_equal(eng_engine_rules(w->e, out, 4), 0);
	/* Past @max: counted, not written. */
	submit(w, 0xb2, false);
	submit(w, 0xb3, false);
	out[1] = NULL;
	assert_int_equal(eng_engine_rules(w->e, out, 1), 2);
	assert_null(out[1]);
}

/*
 * fork(): the child's engine forgets the parent's connections, queue and
 * plans, and works for its own.
 */
static void test_fork_reset(void **state)
{
	struct world *w = *state;
	struct mpa_conn_req a, b, c;

	world_policy(w, rule_text, 0);
	a = req(w, 0xb1, "10.9.0.1", 443);
	b = req(w, 0xb2, "10.9.0.1", 443);
	c = req(w, 0xb3, "10.9.0.1", 443);
	eng_engine_subscribed(w->e);
	w->now += ENG_SUBSCRIBE_GRACE_MS; /* a waits for its event */
	assert_int_equal(eng_engine_submit(w->e, &a), 0);
	assert_int_equal(eng_engine_drain(w->e), 1);
	assert_int_equal(eng_engine_nconns(w->e), 1);
	event(w, MPTCPLIB_EVENT_ESTABLISHED, 0xb9, NULL, 0); /* early */
	submit(w, 0xb8, true); /* a plan for 10.9.0.1 */
	assert_int_equal(eng_engine_submit(w->e, &b), 0); /* still queued */
	eng_engine_reset_after_fork(w->e);
	assert_int_equal(eng_engine_nconns(w->e), 0);
	assert_int_equal(eng_engine_next_timer(w->e), -1);
	assert_int_equal(eng_engine_drain(w->e), 0);
	/* The parent's early event is not the child's. */
	submit(w, 0xb9, false);
	assert_int_equal(opens_for(w, 0xb9), 0);
	event(w, MPTCPLIB_EVENT_CLOSED, 0xb9, NULL, 0);
	event(w, MPTCPLIB_EVENT_ESTABLISHED, 0xb1, NULL, 0);
	assert_int_equal(opens_for(w, 0xb1), 0);
	/* The child's own connections: queued, planned afresh, opened. */
	assert_int_equal(eng_engine_submit(w->e, &c), 0);
	assert_int_equal(eng_engine_drain(w->e), 1);
	assert_int_equal(opens_for(w, 0xb3), 0); /* waits for its event */
	event(w, MPTCPLIB_EVENT_ESTABLISHED, 0xb3, NULL, 0);
	assert_int_equal(opens_for(w, 0xb3), 3);
	assert_int_equal(w->resolve_calls, 2);
}

static const char delay_text[] = "[default]\n"
				 "interfaces = wlan0\n"
				 "subflow-delay = 500ms\n";

/* subflow-delay: subflows only for a connection that lived that long. */
static void test_subflow_delay(void **state)
{
	struct world *w = *state;
	int64_t t0 = w->now;

	world_policy(w, delay_text, 0);
	submit(w, 0xc1, false);
	submit(w, 0xc2, false);
	w->now = t0 + 20;
	event(w, MPTCPLIB_EVENT_ESTABLISHED, 0xc1, NULL, 0);
	event(w, MPTCPLIB_EVENT_ESTABLISHED, 0xc2, NULL, 0);
	assert_int_equal(w->nopened, 0);
	assert_int_equal(eng_engine_next_timer(w->e), t0 + 520);
	assert_int_equal(eng_engine_timeout(w->e), 500);
	/* 0xc2 is closed before: it never gets one. */
	w->now = t0 + 300;
	event(w, MPTCPLIB_EVENT_CLOSED, 0xc2, NULL, 0);
	timer(w, t0 + 519);
	assert_int_equal(w->nopened, 0);
	timer(w, t0 + 520);
	assert_int_equal(opens_for(w, 0xc1), 1);
	assert_int_equal(opens_for(w, 0xc2), 0);
	timer(w, t0 + 60000);
	assert_int_equal(w->nopened, 1);
}

/* EPERM: no privilege here; the engine gives up for good. */
static void test_eperm_disables(void **state)
{
	struct world *w = *state;
	const int denied[] = { -EPERM };
	struct mpa_conn_req r;

	world_policy(w, rule_text, 0);
	submit(w, 0xd2, false);
	script(w, 1, denied);
	assert_int_equal(submit(w, 0xd1, true), -ECANCELED);
	assert_int_equal(w->nopened, 1);
	assert_true(eng_engine_stopped(w->e));
	r = req(w, 0xd3, "10.9.0.1", 443);
	assert_int_equal(eng_engine_submit(w->e, &r), -ECANCELED);
	assert_int_equal(event(w, MPTCPLIB_EVENT_ESTABLISHED, 0xd2, NULL, 0),
			 -ECANCELED);
	assert_int_equal(timer(w, w->now + 60000), -ECANCELED);
	assert_int_equal(w->nopened, 1);
}

/*
 * Regression: the timer walk skipped the connection that a drop moved into
 * the current slot, until the next round.
 */
static void test_timer_walk_after_drop(void **state)
{
	struct world *w = *state;
	const int answers[] = { -ESRCH };
	int64_t t0 = w->now;

	world_policy(w, rule_text, 0);
	submit(w, 0xe1, false);
	submit(w, 0xe2, false);
	submit(w, 0xe3, false);
	script(w, 1, answers); /* 0xe1 fell back: dropped, 0xe3 moves */
	timer(w, t0 + 1000);
	assert_int_equal(opens_for(w, 0xe1), 1);
	assert_int_equal(opens_for(w, 0xe2), 3);
	assert_int_equal(opens_for(w, 0xe3), 3);
	assert_int_equal(eng_engine_nconns(w->e), 2);
}

/* Interfaces without a route to the peer are skipped, before the cap. */
static void test_no_route_then_cap(void **state)
{
	struct world *w = *state;

	world_policy(w,
		     "[default]\ninterfaces = wlan0, eth1\nbackup = wwan0\n"
		     "subflows = 1\n",
		     0);
	w->route[2] = 0; /* wlan0 */
	submit(w, 0xf1, true);
	assert_int_equal(w->nopened, 1);
	assert_string_equal(w->opened[0].ifname, "eth1");
	assert_int_equal(stats(w)->no_route, 1);
	/* A check that cannot be made does not cost the subflow. */
	w->route[3] = -ENOBUFS; /* eth1 */
	w->now += ENG_PLAN_MS;
	submit(w, 0xf2, true);
	assert_string_equal(w->opened[1].ifname, "eth1");
}

/* A token the kernel gave again: the old connection is gone. */
static void test_reused_token(void **state)
{
	struct world *w = *state;

	struct mpa_conn_req r;
	struct eng_input in = { .type = ENG_IN_SUBMIT, .req = &r };

	world_policy(w, rule_text, 0);
	submit(w, 0xf3, false);
	w->now += 500;
	/* Another connection: its ends are not the old one's. */
	r = req(w, 0xf3, "10.9.0.2", 443);
	assert_int_equal(eng_engine_step(w->e, &in), 0);
	assert_int_equal(eng_engine_nconns(w->e), 1);
	/* Its timer is the new connection's. */
	assert_int_equal(eng_engine_timeout(w->e), 1000);
	event(w, MPTCPLIB_EVENT_ESTABLISHED, 0xf3, NULL, 0);
	assert_int_equal(opens_for(w, 0xf3), 3);
}

/* A dual-stack socket's IPv4-mapped peer is an IPv4 peer. */
static void test_mapped_peer(void **state)
{
	struct world *w = *state;
	struct mpa_conn_req r;
	struct eng_input in = { .type = ENG_IN_SUBMIT,
				.req = &r,
				.maybe_established = true };

	world_policy(w, rule_text, 0);
	r = req(w, 0xf5, "::ffff:10.9.0.1", 443);
	sa(&r.local, "::ffff:10.0.0.1", 40000);
	eng_engine_step(w->e, &in);
	assert_int_equal(w->nopened, 3);
	assert_int_equal(w->opened[0].to.ss_family, AF_INET);
	assert_int_equal(cmn_sa_port((struct sockaddr *)&w->opened[0].to), 443);
}

/* The same plan for explain: decide, resolve, route check, cap. */
static void test_plan_make(void **state)
{
	struct world *w = *state;
	struct sockaddr_storage dst;
	struct eng_plan p;

	world_policy(w,
		     "[default]\ninterfaces = *\nsubflows = 2\n"
		     "exclude-ports = 53\n",
		     0);
	w->route[1] = 0;
	sa(&dst, "10.9.0.1", 443);
	eng_plan_make(&w->plan_ops, &w->policy->def, (struct sockaddr *)&dst,
		      NULL, &p);
	assert_true(p.d.open_subflows);
	assert_int_equal(p.ncands, 4);
	assert_int_equal(p.cands[0].route, ENG_ROUTE_NO);
	assert_false(p.cands[0].use);
	assert_true(p.cands[1].use && p.cands[2].use);
	assert_int_equal(p.cands[3].route, ENG_ROUTE_UNCHECKED);
	assert_int_equal(p.nsubs, 2);
	assert_string_equal(p.subs[0].ifname, "wlan0");
	assert_string_equal(p.subs[1].ifname, "eth1");
	sa(&dst, "10.9.0.1", 53);
	eng_plan_make(&w->plan_ops, &w->policy->def, (struct sockaddr *)&dst,
		      NULL, &p);
	assert_false(p.d.open_subflows);
	assert_int_equal(p.ncands + p.nsubs, 0);
}

/*
 * Thousands of connections, as mptcp-autod follows for a whole host: each
 * event reaches its own connection, each timer fires for its own, in
 * order, whatever the table's moves when others close.
 */
static void test_many_connections(void **state)
{
	struct world *w = *state;
	const struct eng_engine_stats *st;
	int64_t t0;
	uint32_t i;

	w->many = calloc(MANY + MANY / 3, 1);
	assert_non_null(w->many);
	world_policy(w, "[default]\ninterfaces = wlan0\n", 0);
	st = stats(w);
	t0 = w->now;
	/* Submitted over 120 ms: the timers are due at different times. */
	for (i = 0; i < MANY; i++) {
		if (i % 50 == 0)
			w->now++;
		assert_int_equal(submit(w, MANY_BASE + i, false), 0);
	}
	assert_int_equal(eng_engine_nconns(w->e), MANY);
	assert_int_equal(eng_engine_next_timer(w->e), t0 + 1 + 1000);
	/* Every third established: asked for at once, and only those. */
	for (i = 0; i < MANY; i += 3)
		assert_int_equal(event(w, MPTCPLIB_EVENT_ESTABLISHED,
				       MANY_BASE + i, NULL, 0),
				 0);
	for (i = 0; i < MANY; i++)
		assert_int_equal(w->many[i], i % 3 == 0);
	/* Every third + 1 closes: the table moves others into their slots. */
	for (i = 1; i < MANY; i += 3)
		assert_int_equal(event(w, MPTCPLIB_EVENT_CLOSED, MANY_BASE + i,
				       NULL, 0),
				 0);
	assert_int_equal(eng_engine_nconns(w->e), MANY - MANY / 3);
	/* New ones take the slots at the end that the moves left. */
	for (i = MANY; i < MANY + MANY / 3; i++)
		assert_int_equal(submit(w, MANY_BASE + i, false), 0);
	for (i = MANY; i < MANY + MANY / 3; i++)
		assert_int_equal(event(w, MPTCPLIB_EVENT_CLOSED, MANY_BASE + i,
				       NULL, 0),
				 0);
	assert_int_equal(eng_engine_nconns(w->e), MANY - MANY / 3);
	/* The first timers fire: the first 50 that still wait, no other. */
	assert_int_equal(timer(w, t0 + 1 + 1000), 0);
	for (i = 0; i < MANY; i++)
		assert_int_equal(w->many[i],
				 i % 3 == 0 || (i % 3 == 2 && i < 50));
	assert_int_equal(eng_engine_next_timer(w->e), t0 + 2 + 1000);
	/* Then all of them; nothing is left to wait for. */
	assert_int_equal(timer(w, t0 + 200 + 1000), 0);
	for (i = 0; i < MANY; i++)
		assert_int_equal(w->many[i], i % 3 != 1);
	assert_int_equal(eng_engine_next_timer(w->e), -1);
	assert_int_equal(atomic_load(&st->requested), MANY - MANY / 3);
	/* Each subflow's event finds its connection among the moved ones. */
	for (i = 0; i < MANY; i++)
		if (i % 3 != 1)
			assert_int_equal(event(w,
					       MPTCPLIB_EVENT_SUB_ESTABLISHED,
					       MANY_BASE + i, "10.0.1.1", 0),
					 0);
	assert_int_equal(atomic_load(&st->established), MANY - MANY / 3);
	for (i = 0; i < MANY; i++)
		if (i % 3 != 1)
			event(w, MPTCPLIB_EVENT_CLOSED, MANY_BASE + i, NULL, 0);
	assert_int_equal(eng_engine_nconns(w->e), 0);
}

/* ---- paths: links, addresses, routes -------------------------------------- */

static const char reopen_text[] = "[default]\n"
				  "interfaces = wlan0, eth1\n"
				  "subflows = 8\n"
				  "reopen = yes\n";

/* The fake interface @ifindex up or down, as getifaddrs() would say. */
static void link_set(struct world *w, int ifindex, bool up)
{
	struct fake_if *f = &w->ifs[ifindex - 1];

	f->addr_ifa.ifa_flags = f->link_ifa.ifa_flags = up ? IFF_UP : 0;
}

static int path(struct world *w, enum cmn_rtnl_kind kind, int ifindex,
		const char *addr)
{
	struct cmn_rtnl_event ev = { .kind = kind, .ifindex = ifindex };
	struct eng_input in = { .type = ENG_IN_PATH, .path = &ev };

	if (kind == CMN_RTNL_LINK) {
		ev.up = w->ifs[ifindex - 1].addr_ifa.ifa_flags & IFF_UP;
		strcpy(ev.ifname, if_table[ifindex - 1].name);
	}
	if (addr) {
		sa(&ev.addr, addr, 0);
		ev.family = ev.addr.ss_family;
	}
	return eng_engine_step(w->e, &in);
}

static void link_down(struct world *w, int ifindex)
{
	link_set(w, ifindex, false);
	assert_int_equal(path(w, CMN_RTNL_LINK, ifindex, NULL), 0);
}

static void link_up(struct world *w, int ifindex)
{
	link_set(w, ifindex, true);
	assert_int_equal(path(w, CMN_RTNL_LINK, ifindex, NULL), 0);
}

/* Requests from @ip (any port) for @token: opened or closed. */
static int count_from(const struct opened *v, int n, uint32_t token,
		      const char *ip)
{
	struct sockaddr_storage a;
	int i, k = 0;

	sa(&a, ip, 0);
	for (i = 0; i < n; i++)
		k += v[i].token == token &&
		     cmn_sa_addr_equal((const struct sockaddr *)&v[i].from,
				       (const struct sockaddr *)&a);
	return k;
}

static int opens_from(const struct world *w, uint32_t token, const char *ip)
{
	return count_from(w->opened, w->nopened, token, ip);
}

static int closes_from(const struct world *w, uint32_t token, const char *ip)
{
	return count_from(w->closed, w->nclosed, token, ip);
}

/* The interface index of the fake address @ip. */
static int if_of(const char *ip)
{
	int i;

	for (i = 0; i < NIFS; i++)
		if (!strcmp(if_table[i].ip, ip))
			return i + 1;
	return 0;
}

/* SUB_ESTABLISHED for @token's subflow from @ip, with ports. */
static void sub_up(struct world *w, uint32_t token, const char *ip)
{
	event_if(w, MPTCPLIB_EVENT_SUB_ESTABLISHED, token, ip, if_of(ip));
}

/* sub_up() with the local address id the kernel gives it. */
static void sub_up_id(struct world *w, uint32_t token, const char *ip, int id)
{
	struct mptcplib_event ev = { .type = MPTCPLIB_EVENT_SUB_ESTABLISHED,
				     .token = token,
				     .ifindex = if_of(ip),
				     .local_addr_id = id };
	struct eng_input in = { .type = ENG_IN_EVENT, .event = &ev };

	sa(&ev.local, ip, 50000);
	sa(&ev.remote, "10.9.0.1", 443);
	assert_int_equal(eng_engine_step(w->e, &in), 0);
}

static void sub_closed(struct world *w, uint32_t token, const char *ip)
{
	event_if(w, MPTCPLIB_EVENT_SUB_CLOSED, token, ip, if_of(ip));
}

/* @token submitted, established, and every subflow asked for up. */
static void conn_up(struct world *w, uint32_t token)
{
	char a[INET6_ADDRSTRLEN];
	int i, first = w->nopened;

	submit(w, token, false);
	event(w, MPTCPLIB_EVENT_ESTABLISHED, token, NULL, 0);
	for (i = first; i < w->nopened; i++)
		sub_up(w, token,
		       cmn_sa_ntop((struct sockaddr *)&w->opened[i].from, a,
				   sizeof(a)));
}

/*
 * The same connection handed over again under another rule (mptcp-autod:
 * served by [default] until the program's late registration): it keeps
 * its subflows, loses those the new rule leaves out, gets those it adds,
 * and never a second one from an address it has.
 */
static void test_rerule_keeps_subflows(void **state)
{
	struct world *w = *state;
	const char *name = "narrow.ini";
	const char *text = "[default]\ninterfaces = eth1, eth0\n"
			   "backup = wwan0\n";
	size_t len = strlen(text);
	struct mpa_policy *narrow;
	struct mpa_conn_req r;
	struct eng_input in = { .type = ENG_IN_SUBMIT, .req = &r };

	narrow = mpa_policy_load_buffers(&name, &text, &len, 1);
	assert_non_null(narrow);
	world_policy(w, rule_text, 0);
	conn_up(w, 0xf6);
	assert_int_equal(opens_for(w, 0xf6), 3);
	/* The same rule again: nothing more asked. */
	r = req(w, 0xf6, "10.9.0.1", 443);
	assert_int_equal(eng_engine_step(w->e, &in), 0);
	timer(w, w->now + 1000);
	assert_int_equal(opens_for(w, 0xf6), 3);
	assert_int_equal(w->nclosed, 0);
	/* A narrower one: wlan0's subflow goes, eth1's and wwan0's stay. */
	r.rule = &narrow->def;
	assert_int_equal(eng_engine_step(w->e, &in), 0);
	timer(w, w->now + 1000);
	assert_int_equal(opens_for(w, 0xf6), 3);
	assert_int_equal(w->nclosed, 1);
	assert_int_equal(closes_from(w, 0xf6, "10.0.1.1"), 1);
	assert_int_equal(eng_engine_nconns(w->e), 1);
	eng_engine_free(w->e);
	w->e = NULL;
	mpa_policy_free(narrow);
}

/*
 * A link goes down: its subflow is removed at once (its ends named), once;
 * without reopen it does not come back with the link.
 */
static void test_link_down_removes(void **state)
{
	struct world *w = *state;

	world_policy(w, "[default]\ninterfaces = wlan0, eth1\nreopen = no\n",
		     0);
	conn_up(w, 0x41);
	assert_int_equal(w->nopened, 2);
	assert_true(eng_engine_follows_paths(w->e));
	link_down(w, 2);
	assert_int_equal(w->nclosed, 1);
	assert_int_equal(closes_from(w, 0x41, "10.0.1.1"), 1);
	assert_int_equal(cmn_sa_port((struct sockaddr *)&w->closed[0].from),
			 50000);
	assert_int_equal(stats(w)->removed, 1);
	/* Said again, and the kernel's echo: nothing more. */
	link_down(w, 2);
	sub_closed(w, 0x41, "10.0.1.1");
	assert_int_equal(w->nclosed, 1);
	link_up(w, 2);
	timer(w, w->now + ENG_PATH_SETTLE_MS);
	timer(w, w->now + 60000);
	assert_int_equal(w->nopened, 2);
	assert_int_equal(eng_engine_next_timer(w->e), -1);
}

/*
 * A link goes down under a subflow whose local id the kernel gave: the
 * peer is told (REMOVE of that id) before the destroy, the initial
 * subflow's id 0 included. Refused, the destroy goes on.
 */
static void test_link_down_tells_peer(void **state)
{
	struct world *w = *state;

	world_policy(
		w,
		"[default]\ninterfaces = wlan0, eth1, wwan0\nsubflows = 4\n"
		"reopen = no\n",
		0);
	submit(w, 0x45, false);
	event(w, MPTCPLIB_EVENT_ESTABLISHED, 0x45, NULL, 0);
	assert_int_equal(w->nopened, 3);
	sub_up_id(w, 0x45, "10.0.1.1", 3);
	sub_up_id(w, 0x45, "10.0.2.1", 4);
	sub_up_id(w, 0x45, "10.0.3.1", 5);
	/* The initial subflow's link: id 0, told, then destroyed. */
	link_down(w, 1);
	assert_int_equal(w->nremoved, 1);
	assert_int_equal(w->removed_id[0], 0);
	assert_int_equal(w->removed_after[0], 0);
	assert_int_equal(closes_from(w, 0x45, "10.0.0.1"), 1);
	link_down(w, 2);
	assert_int_equal(w->nremoved, 2);
	assert_int_equal(w->removed_id[1], 3);
	/* Asked before its destroy: only the initial one's came before. */
	assert_int_equal(w->removed_after[1], 1);
	assert_int_equal(closes_from(w, 0x45, "10.0.1.1"), 1);
	assert_int_equal(stats(w)->withdrawn, 2);
	assert_int_equal(stats(w)->removed, 2);
	/* Refused: destroyed all the same. */
	w->remove_rc = -EINVAL;
	link_down(w, 3);
	assert_int_equal(w->nremoved, 3);
	assert_int_equal(w->removed_id[2], 4);
	assert_int_equal(closes_from(w, 0x45, "10.0.2.1"), 1);
	assert_int_equal(stats(w)->withdrawn, 2);
	assert_int_equal(stats(w)->removed, 3);
}

/*
 * Subflows without a known id (events without LOC_ID), and a subflow
 * whose id another one that stays shares: destroyed only, the peer not
 * told (RM_ADDR would close the other one at the peer as well).
 */
static void test_link_down_shared_id_not_told(void **state)
{
	struct world *w = *state;

	world_policy(w, "[default]\ninterfaces = wlan0, eth1\nreopen = no\n",
		     0);
	submit(w, 0x46, false);
	event(w, MPTCPLIB_EVENT_ESTABLISHED, 0x46, NULL, 0);
	sub_up_id(w, 0x46, "10.0.1.1", 5);
	sub_up_id(w, 0x46, "10.0.2.1", 5);
	link_down(w, 2);
	assert_int_equal(closes_from(w, 0x46, "10.0.1.1"), 1);
	assert_int_equal(w->nremoved, 0);
	/* Events without LOC_ID. */
	submit(w, 0x47, false);
	event(w, MPTCPLIB_EVENT_ESTABLISHED, 0x47, NULL, 0);
	sub_up_id(w, 0x47, "10.0.1.1", -1);
	sub_up_id(w, 0x47, "10.0.2.1", -1);
	/* 0x46's other subflow has id 5 to itself now: told. */
	link_down(w, 3);
	assert_int_equal(closes_from(w, 0x47, "10.0.2.1"), 1);
	assert_int_equal(closes_from(w, 0x46, "10.0.2.1"), 1);
	assert_int_equal(w->nremoved, 1);
	assert_int_equal(w->removed_id[0], 5);
}

/*
 * reopen = yes: the link back re-opens its subflow once it is routed
 * (after the settling time), not before.
 */
static void test_link_up_reopens(void **state)
{
	struct world *w = *state;

	world_policy(w, reopen_text, 0);
	conn_up(w, 0x42);
	assert_int_equal(w->nopened, 2);
	link_down(w, 2);
	assert_int_equal(closes_from(w, 0x42, "10.0.1.1"), 1);
	w->now += 2000;
	/* Up, but no route to the peer through it yet: nothing asked. */
	w->route[2] = 0;
	link_up(w, 2);
	assert_int_equal(eng_engine_next_timer(w->e),
			 w->now + ENG_PATH_SETTLE_MS);
	timer(w, w->now + ENG_PATH_SETTLE_MS);
	assert_int_equal(w->nopened, 2);
	/* The route comes (a DHCP client adds it): re-opened. */
	w->route[2] = 1;
	assert_int_equal(path(w, CMN_RTNL_ROUTE_NEW, 2, "0.0.0.0"), 0);
	timer(w, w->now + ENG_PATH_SETTLE_MS);
	assert_int_equal(opens_from(w, 0x42, "10.0.1.1"), 2);
	assert_string_equal(w->opened[2].ifname, "wlan0");
	assert_int_equal(stats(w)->reopened, 1);
	sub_up(w, 0x42, "10.0.1.1");
	/* Up again: one more link change re-opens nothing. */
	path(w, CMN_RTNL_ADDR_NEW, 3, "10.0.2.1");
	timer(w, w->now + ENG_PATH_SETTLE_MS);
	assert_int_equal(w->nopened, 3);
}

/*
 * The initial subflow's link goes down: the initial subflow is removed
 * (the extra one carries on); back up, a subflow from its address is
 * re-opened in its place.
 */
static void test_initial_lost_and_back(void **state)
{
	struct world *w = *state;

	world_policy(w, "[default]\ninterfaces = wlan0\nreopen = yes\n", 0);
	conn_up(w, 0x43);
	link_down(w, 1);
	assert_int_equal(w->nclosed, 1);
	assert_int_equal(closes_from(w, 0x43, "10.0.0.1"), 1);
	assert_int_equal(cmn_sa_port((struct sockaddr *)&w->closed[0].from),
			 40000);
	/* Its own SUB_CLOSED, the echo of the removal: nothing asked. */
	event_if(w, MPTCPLIB_EVENT_SUB_CLOSED, 0x43, "10.0.0.1", 0);
	timer(w, w->now + 5000);
	assert_int_equal(w->nopened, 1);
	w->now += 3000;
	link_up(w, 1);
	timer(w, w->now + ENG_PATH_SETTLE_MS);
	assert_int_equal(opens_from(w, 0x43, "10.0.0.1"), 1);
	assert_string_equal(w->opened[1].ifname, "eth0");
	assert_int_equal(stats(w)->reopened, 1);
}

/* The last subflow up is never removed: nothing else would carry data. */
static void test_last_subflow_kept(void **state)
{
	struct world *w = *state;

	world_policy(w, "[default]\ninterfaces = wlan0\nreopen = yes\n", 0);
	submit(w, 0x44, false);
	event(w, MPTCPLIB_EVENT_ESTABLISHED, 0x44, NULL, 0);
	assert_int_equal(w->nopened, 1);
	/* wlan0's subflow is not up: the initial one is all there is. */
	link_down(w, 1);
	assert_int_equal(w->nclosed, 0);
	sub_up(w, 0x44, "10.0.1.1");
	link_down(w, 1);
	assert_int_equal(closes_from(w, 0x44, "10.0.0.1"), 1);
}

/*
 * A subflow that dies while its link works comes back after 1 s, then
 * 2, 4... up to 30 s (each up to a quarter longer); one that lived 10 s
 * starts again from 1 s. Without reopen it stays closed.
 */
static void test_died_backoff(void **state)
{
	struct world *w = *state;
	int64_t last, gap, want;
	int k;

	world_policy(w, reopen_text, 0);
	conn_up(w, 0x45);
	last = w->now;
	for (k = 0; k < 8; k++) {
		int before = opens_from(w, 0x45, "10.0.1.1");

		sub_closed(w, 0x45, "10.0.1.1");
		want = (int64_t)ENG_REOPEN_FIRST_MS << k;
		if (want > ENG_REOPEN_MAX_MS)
			want = ENG_REOPEN_MAX_MS;
		timer(w, last + want - 1);
		assert_int_equal(opens_from(w, 0x45, "10.0.1.1"), before);
		timer(w, eng_engine_next_timer(w->e));
		assert_int_equal(opens_from(w, 0x45, "10.0.1.1"), before + 1);
		gap = w->now - last;
		assert_true(gap >= want && gap <= want + want / 4);
		last = w->now;
		sub_up(w, 0x45, "10.0.1.1");
	}
	/* Lived 10 s: the next death waits 1 s again. */
	w->now += ENG_REOPEN_STABLE_MS;
	last = w->now;
	sub_closed(w, 0x45, "10.0.1.1");
	gap = eng_engine_next_timer(w->e) - last;
	assert_true(gap >= ENG_REOPEN_FIRST_MS &&
		    gap <= ENG_REOPEN_FIRST_MS * 5 / 4);
	assert_int_equal(w->nclosed, 0);
}

static void test_died_no_reopen(void **state)
{
	struct world *w = *state;

	world_policy(w, "[default]\ninterfaces = wlan0\nreopen = no\n", 0);
	conn_up(w, 0x49);
	sub_closed(w, 0x49, "10.0.1.1");
	assert_int_equal(eng_engine_next_timer(w->e), -1);
	timer(w, w->now + 100000);
	assert_int_equal(w->nopened, 1);
}

/*
 * A join that never comes up (a peer refusing joins past its limit) is
 * asked for ENG_REOPEN_TRIES times, then no more; one that came up each
 * time is re-opened however often it dies. reopen is on by default.
 */
static void test_reopen_gives_up_refused_joins(void **state)
{
	struct world *w = *state;
	int i;

	world_policy(w, "[default]\ninterfaces = wlan0\n", 0);
	submit(w, 0x4e, false);
	event(w, MPTCPLIB_EVENT_ESTABLISHED, 0x4e, NULL, 0);
	for (i = 1; i <= ENG_REOPEN_TRIES; i++) {
		assert_int_equal(opens_from(w, 0x4e, "10.0.1.1"), i);
		sub_closed(w, 0x4e, "10.0.1.1"); /* refused: never up */
		timer(w, w->now + ENG_REOPEN_MAX_MS * 2);
	}
	assert_int_equal(opens_from(w, 0x4e, "10.0.1.1"), ENG_REOPEN_TRIES);
	assert_int_equal(eng_engine_next_timer(w->e), -1);
	/* Up each time, then dead: back every time. */
	conn_up(w, 0x4f);
	for (i = 1; i <= ENG_REOPEN_TRIES + 2; i++) {
		assert_int_equal(opens_from(w, 0x4f, "10.0.1.1"), i);
		sub_closed(w, 0x4f, "10.0.1.1");
		timer(w, w->now + ENG_REOPEN_MAX_MS * 2);
		sub_up(w, 0x4f, "10.0.1.1");
	}
	assert_int_equal(opens_from(w, 0x4f, "10.0.1.1"), ENG_REOPEN_TRIES + 3);
}

/*
 * 50 flaps in 5 s (down 30 ms, up 70 ms, the subflow up at once whenever
 * it is asked for): a handful of requests, not hundreds; and the link up
 * for good gets its subflow back.
 */
static void test_flapping_bounded(void **state)
{
	struct world *w = *state;
	int64_t t0;
	int i, t, opens;

	world_policy(w, reopen_text, 0);
	conn_up(w, 0x46);
	t0 = w->now;
	for (t = 0; t < 5000; t += 10) {
		int before = w->nopened;

		w->now = t0 + t;
		if (t % 100 == 0)
			link_down(w, 2);
		if (t % 100 == 30)
			link_up(w, 2);
		timer(w, t0 + t);
		for (i = before; i < w->nopened; i++)
			sub_up(w, 0x46, "10.0.1.1");
	}
	opens = opens_from(w, 0x46, "10.0.1.1");
	assert_true(opens >= 2 && opens <= 5);
	assert_true(w->nclosed <= opens);
	assert_int_equal(opens_from(w, 0x46, "10.0.2.1"), 1);
	link_up(w, 2);
	timer(w, t0 + 5000 + ENG_PATH_SETTLE_MS);
	timer(w, eng_engine_next_timer(w->e));
	assert_int_equal(opens_from(w, 0x46, "10.0.1.1"), opens + 1);
}

/* A new address on the same interface: the old subflow goes, one comes. */
static void test_address_change(void **state)
{
	struct world *w = *state;

	world_policy(w, reopen_text, 0);
	conn_up(w, 0x47);
	assert_int_equal(path(w, CMN_RTNL_ADDR_DEL, 2, "10.0.1.1"), 0);
	assert_int_equal(closes_from(w, 0x47, "10.0.1.1"), 1);
	assert_int_equal(closes_from(w, 0x47, "10.0.2.1"), 0);
	sa(&w->ifs[1].addr, "10.0.1.7", 0);
	assert_int_equal(path(w, CMN_RTNL_ADDR_NEW, 2, "10.0.1.7"), 0);
	timer(w, w->now + ENG_PATH_SETTLE_MS);
	assert_int_equal(opens_from(w, 0x47, "10.0.1.7"), 1);
	assert_int_equal(opens_from(w, 0x47, "10.0.1.1"), 1);
	sub_up(w, 0x47, "10.0.1.7");
	assert_int_equal(stats(w)->established, 3);
}

/* The route to the peer through eth1 goes: its subflow is removed. */
static void test_route_gone(void **state)
{
	struct world *w = *state;

	world_policy(w, "[default]\ninterfaces = wlan0, eth1\n", 0);
	conn_up(w, 0x48);
	/* Another interface's route: eth1's subflow is not looked at. */
	w->route[3] = 0;
	path(w, CMN_RTNL_ROUTE_DEL, 4, "10.0.3.0");
	timer(w, w->now);
	assert_int_equal(w->nclosed, 0);
	path(w, CMN_RTNL_ROUTE_DEL, 3, "0.0.0.0");
	timer(w, w->now);
	assert_int_equal(w->nclosed, 1);
	assert_int_equal(closes_from(w, 0x48, "10.0.2.1"), 1);
}

/* An interface that appears later and matches the rule's pattern. */
static void test_new_interface(void **state)
{
	struct world *w = *state;

	link_set(w, 2, false);
	world_policy(w, "[default]\ninterfaces = wl*\nreopen = yes\n", 0);
	submit(w, 0x4b, false);
	event(w, MPTCPLIB_EVENT_ESTABLISHED, 0x4b, NULL, 0);
	assert_int_equal(w->nopened, 0);
	/* Nothing to lose, but something to gain: paths are followed. */
	assert_true(eng_engine_follows_paths(w->e));
	link_up(w, 2);
	timer(w, w->now + ENG_PATH_SETTLE_MS);
	assert_int_equal(opens_from(w, 0x4b, "10.0.1.1"), 1);
}

/* Never more than the rule's subflows at once, whatever comes back. */
static void test_reopen_cap(void **state)
{
	struct world *w = *state;

	world_policy(w,
		     "[default]\ninterfaces = wlan0, eth1\nsubflows = 1\n"
		     "reopen = yes\n",
		     0);
	conn_up(w, 0x4a);
	assert_int_equal(w->nopened, 1);
	link_down(w, 2);
	/* Another path comes: eth1 stands in for wlan0. */
	path(w, CMN_RTNL_ROUTE_NEW, 3, "0.0.0.0");
	timer(w, w->now + ENG_PATH_SETTLE_MS);
	assert_int_equal(opens_from(w, 0x4a, "10.0.2.1"), 1);
	sub_up(w, 0x4a, "10.0.2.1");
	/* wlan0 back: the cap is reached, nothing more is asked. */
	link_up(w, 2);
	timer(w, w->now + ENG_PATH_SETTLE_MS);
	timer(w, w->now + 60000);
	assert_int_equal(w->nopened, 2);
}

/*
 * Paths are followed while a connection has subflows or may get them,
 * and ENG_PATHS_LINGER_MS after; one without either costs nothing.
 */
static void test_follows_paths(void **state)
{
	struct world *w = *state;

	world_policy(w, "[default]\ninterfaces = wlan0\n", 0);
	assert_false(eng_engine_follows_paths(w->e));
	submit(w, 0x4c, false);
	/* Not planned yet: nothing depends on a path. */
	assert_false(eng_engine_follows_paths(w->e));
	event(w, MPTCPLIB_EVENT_ESTABLISHED, 0x4c, NULL, 0);
	assert_true(eng_engine_follows_paths(w->e));
	event(w, MPTCPLIB_EVENT_CLOSED, 0x4c, NULL, 0);
	w->now += 1000;
	assert_true(eng_engine_follows_paths(w->e));
	assert_int_equal(eng_engine_next_timer(w->e),
			 w->now - 1000 + ENG_PATHS_LINGER_MS);
	w->now += ENG_PATHS_LINGER_MS;
	assert_false(eng_engine_follows_paths(w->e));
	assert_int_equal(eng_engine_next_timer(w->e), -1);
	/* A rule with no interface and no reopen: nothing to follow. */
	mpa_policy_free(w->policy);
	eng_engine_free(w->e);
	world_policy(w, "[default]\n", 0);
	submit(w, 0x4d, false);
	event(w, MPTCPLIB_EVENT_ESTABLISHED, 0x4d, NULL, 0);
	assert_false(eng_engine_follows_paths(w->e));
}

/*
 * The MPTCP events are wanted while a connection is followed, and
 * ENG_EVENTS_LINGER_MS after the last one went (or after the host
 * subscribed): an idle process then holds no subscription, and is not
 * woken by other processes' connections.
 */
static void test_follows_events(void **state)
{
	struct world *w = *state;
	int left;

	world_policy(w, "[default]\ninterfaces = wlan0\n", 0);
	/* Never subscribed, nothing followed. */
	assert_false(eng_engine_follows_events(w->e, &left));
	assert_int_equal(left, -1);
	eng_engine_subscribed(w->e);
	assert_true(eng_engine_follows_events(w->e, &left));
	assert_int_equal(left, ENG_EVENTS_LINGER_MS);
	submit(w, 0x4e, false);
	w->now += 3 * ENG_EVENTS_LINGER_MS;
	/* Followed, however long: no end in sight. */
	assert_true(eng_engine_follows_events(w->e, &left));
	assert_int_equal(left, -1);
	event(w, MPTCPLIB_EVENT_ESTABLISHED, 0x4e, NULL, 0);
	w->now += 500;
	assert_true(eng_engine_follows_events(w->e, &left));
	event(w, MPTCPLIB_EVENT_CLOSED, 0x4e, NULL, 0);
	w->now += 500;
	/* Gone: the linger counts from the last time it was followed. */
	assert_true(eng_engine_follows_events(w->e, &left));
	assert_int_equal(left, ENG_EVENTS_LINGER_MS - 500);
	w->now += ENG_EVENTS_LINGER_MS - 500;
	assert_false(eng_engine_follows_events(w->e, &left));
	assert_int_equal(left, -1);
	/* Subscribed again: the linger starts again. */
	w->now += 10000;
	eng_engine_subscribed(w->e);
	assert_true(eng_engine_follows_events(w->e, &left));
	assert_int_equal(left, ENG_EVENTS_LINGER_MS);
}

/* ---- stalls ---------------------------------------------------------------- */

static const char stall_text[] = "[default]\n"
				 "interfaces = wlan0\n"
				 "reopen = yes\n";

/* Subflows are read: a world whose kernel answers read_subflows. */
static void world_reads(struct world *w, const char *text)
{
	w->ops.read_subflows = fake_read;
	w->conn = (struct eng_conn_sample){ .found = true };
	world_policy(w, text, 0);
}

/* What the kernel says of the subflow on @ifindex from now on. */
static void reading_is(struct world *w, int ifindex, uint64_t acked,
		       uint64_t rcvd, uint32_t quiet, uint32_t unacked,
		       uint8_t backoff)
{
	w->sample[ifindex] = (struct eng_sf_sample){
		.found = true,
		.state = 1, /* TCP_ESTABLISHED */
		.rtt_us = 10000,
		.bytes_acked = acked,
		.bytes_received = rcvd,
		.last_data_recv = quiet,
		.last_ack_recv = quiet,
		.unacked = unacked,
		.backoff = backoff,
	};
}

/* The next reading, which must be due @wait ms from now. */
static void read_after(struct world *w, int64_t wait)
{
	int reads = w->reads;

	assert_int_equal(eng_engine_next_timer(w->e), w->now + wait);
	timer(w, w->now + wait);
	assert_int_equal(w->reads, reads + 1);
}

/*
 * Both of @token's subflows (eth0, wlan0) receiving: @k readings, the
 * connection's data in order. Where the callers leave w->conn.rcv_nxt
 * after that, what eth0 receives is held behind wlan0's hole.
 */
static uint64_t both_receive(struct world *w, uint64_t bytes, int k)
{
	while (k--) {
		bytes += 1000000;
		reading_is(w, 1, 0, bytes, 2, 0, 0);
		reading_is(w, 2, 0, bytes, 3, 0, 0);
		w->conn.rcv_nxt += 2000000;
		read_after(w, ENG_STALL_POLL_MS);
	}
	return bytes;
}

/*
 * Connection @token under stall_text, both its subflows carrying: what
 * each received so far.
 */
static uint64_t carrying(struct world *w, uint32_t token)
{
	world_reads(w, stall_text);
	conn_up(w, token);
	return both_receive(w, 0, ENG_STALL_BUSY + 1);
}

/*
 * A download whose path through wlan0 is cut: wlan0 stops receiving
 * while eth0 goes on. Once its quiet passes the window, it is removed
 * (both ends named), said, counted, and re-opened after 1 s (reopen).
 */
static void test_stall_receiving_removed(void **state)
{
	struct world *w = *state;
	uint64_t b;
	int64_t gap;

	world_reads(w, stall_text);
	/* wlan0's subflow with an id of its own (2), as the kernel gives. */
	submit(w, 0x61, false);
	event(w, MPTCPLIB_EVENT_ESTABLISHED, 0x61, NULL, 0);
	sub_up_id(w, 0x61, "10.0.1.1", 2);
	b = both_receive(w, 0, ENG_STALL_BUSY + 1);
	assert_int_equal(w->last_read, 2);
	assert_int_equal(w->nclosed, 0);
	/* wlan0 quiet 60 ms, eth0's data held behind it: not yet. */
	reading_is(w, 1, 0, b + 1000000, 2, 0, 0);
	reading_is(w, 2, 0, b, 60, 0, 0);
	read_after(w, ENG_STALL_POLL_MS);
	assert_int_equal(w->nclosed, 0);
	/* 110 ms: stalled. */
	reading_is(w, 1, 0, b + 2000000, 2, 0, 0);
	reading_is(w, 2, 0, b, 110, 0, 0);
	read_after(w, ENG_STALL_POLL_MS);
	assert_int_equal(w->nclosed, 1);
	assert_int_equal(closes_from(w, 0x61, "10.0.1.1"), 1);
	assert_int_equal(stats(w)->stalled, 1);
	assert_int_equal(stats(w)->removed, 1);
	/* The peer told first (REMOVE of its id), then the destroy: it
	 * sends what it had there over eth0 without waiting. */
	assert_int_equal(w->nremoved, 1);
	assert_int_equal(w->removed_id[0], 2);
	assert_int_equal(w->removed_after[0], 0);
	assert_int_equal(said(w, "stalled"), 1);
	assert_int_equal(said(w, "the peer told"), 1);
	/* One subflow up: no more readings. Re-opened after about 1 s. */
	gap = eng_engine_next_timer(w->e) - w->now;
	assert_true(gap >= ENG_REOPEN_FIRST_MS &&
		    gap <= ENG_REOPEN_FIRST_MS * 5 / 4);
	timer(w, w->now + gap);
	assert_int_equal(opens_from(w, 0x61, "10.0.1.1"), 2);
	assert_int_equal(eng_engine_next_timer(w->e), -1);
	/* Up again: read again, its history forgotten. */
	sub_up(w, 0x61, "10.0.1.1");
	reading_is(w, 2, 0, 0, 5000, 0, 0);
	read_after(w, ENG_STALL_POLL_MS);
	read_after(w, ENG_STALL_POLL_MS);
	assert_int_equal(w->nclosed, 1);
}

/*
 * Sending: segments out and no ACK for the window, or two retransmission
 * timeouts in a row, while the other subflow is acknowledged. The
 * initial subflow is removed like any other, and re-opened in its place.
 */
static void test_stall_sending_initial(void **state)
{
	struct world *w = *state;

	world_reads(w, stall_text);
	conn_up(w, 0x62);
	reading_is(w, 1, 1000000, 0, 9000, 20, 0);
	reading_is(w, 2, 1000000, 0, 9000, 20, 0);
	read_after(w, ENG_STALL_POLL_MS);
	/* eth0: an ACK 250 ms ago, but the second timeout in a row. */
	reading_is(w, 1, 1000000, 0, 250, 20, 2);
	reading_is(w, 2, 2000000, 0, 4, 20, 0);
	read_after(w, ENG_STALL_POLL_MS);
	assert_int_equal(closes_from(w, 0x62, "10.0.0.1"), 1);
	assert_int_equal(cmn_sa_port((struct sockaddr *)&w->closed[0].from),
			 40000);
	timer(w, eng_engine_next_timer(w->e));
	assert_int_equal(opens_from(w, 0x62, "10.0.0.1"), 1);
}

/*
 * What is not a stall: both quiet (the transfer paused or ended), a
 * subflow that never carried data going quiet (one the peer does not
 * need), the other one's data older than this one's quiet. And without
 * reopen, a stalled subflow stays gone.
 */
static void test_stall_not(void **state)
{
	struct world *w = *state;
	uint64_t b;
	int i;

	world_reads(w, "[default]\ninterfaces = wlan0\nreopen = no\n");
	conn_up(w, 0x63);
	b = both_receive(w, 0, ENG_STALL_BUSY + 1);
	/* Both quiet 2 s: a pause (and the next reading later). */
	reading_is(w, 1, 0, b, 2000, 0, 0);
	reading_is(w, 2, 0, b, 2000, 0, 0);
	read_after(w, ENG_STALL_POLL_MS);
	assert_int_equal(w->nclosed, 0);
	/* eth0 only, from now on: wlan0's carrying ended with the pause. */
	for (i = 1; i <= 4; i++) {
		reading_is(w, 1, 0, b + i * 1000000, 2, 0, 0);
		reading_is(w, 2, 0, b, 2000 + i * 250, 0, 0);
		read_after(w,
			   i == 1 ? 2 * ENG_STALL_POLL_MS : ENG_STALL_POLL_MS);
	}
	assert_int_equal(w->nclosed, 0);
	/* wlan0 carries again, then stops: removed, not re-opened. */
	b = both_receive(w, b + 4000000, ENG_STALL_BUSY);
	reading_is(w, 1, 0, b + 1000000, 2, 0, 0);
	reading_is(w, 2, 0, b, 400, 0, 0);
	read_after(w, ENG_STALL_POLL_MS);
	assert_int_equal(closes_from(w, 0x63, "10.0.1.1"), 1);
	assert_int_equal(eng_engine_next_timer(w->e), -1);
	timer(w, w->now + 100000);
	assert_int_equal(opens_from(w, 0x63, "10.0.1.1"), 1);
}

/*
 * The end of a download, or a subflow the peer leaves: wlan0 receives
 * nothing more while eth0 goes on, and what eth0 receives is in order
 * (the connection holds nothing back): wlan0 is no stall, however long
 * its quiet. A connection that cannot be read is no evidence either:
 * said once. Then a real hole behind wlan0: removed.
 */
static void test_stall_tail_not(void **state)
{
	struct world *w = *state;
	uint64_t b;
	int i;

	b = carrying(w, 0x66);
	for (i = 1; i <= 8; i++) {
		reading_is(w, 1, 0, b + i * 1000000, 2, 0, 0);
		reading_is(w, 2, 0, b, i * ENG_STALL_POLL_MS, 0, 0);
		w->conn.rcv_nxt += 1000000;
		read_after(w, ENG_STALL_POLL_MS);
	}
	assert_int_equal(w->nclosed, 0);
	assert_true(w->conn_reads >= 8);
	/* A few segments held (reordering), no more: still no stall. */
	b += 8000000;
	reading_is(w, 1, 0, b + 1000000, 2, 0, 0);
	reading_is(w, 2, 0, b - 8000000, 900, 0, 0);
	w->conn.rcv_nxt += 1000000 - (ENG_STALL_HOLE_MIN - 1);
	read_after(w, ENG_STALL_POLL_MS);
	assert_int_equal(w->nclosed, 0);
	/* Both carry again; then wlan0 stops, its connection unreadable. */
	b = both_receive(w, b + 1000000, ENG_STALL_BUSY);
	w->conn_err = -EPERM;
	for (i = 1; i <= 4; i++) {
		reading_is(w, 1, 0, b + i * 1000000, 2, 0, 0);
		reading_is(w, 2, 0, b, i * 150, 0, 0);
		read_after(w, ENG_STALL_POLL_MS);
	}
	assert_int_equal(w->nclosed, 0);
	assert_int_equal(said(w, "connection's state cannot be read"), 1);
	/* Readable again, a hole: eth0's data held, wlan0 removed. */
	w->conn_err = 0;
	b = both_receive(w, b + 4000000, ENG_STALL_BUSY);
	reading_is(w, 1, 0, b + 1000000, 2, 0, 0);
	reading_is(w, 2, 0, b, 60, 0, 0);
	read_after(w, ENG_STALL_POLL_MS);
	assert_int_equal(w->nclosed, 0);
	reading_is(w, 1, 0, b + 2000000, 2, 0, 0);
	reading_is(w, 2, 0, b, 110, 0, 0);
	read_after(w, ENG_STALL_POLL_MS);
	assert_int_equal(closes_from(w, 0x66, "10.0.1.1"), 1);
}

/*
 * Readings: none while no connection has two subflows up; every ENG_STALL_POLL_MS
 * while data moves; doubling up to ENG_STALL_IDLE_MS while none does;
 * none once the connection is gone. A reading the kernel refuses is
 * tried again after ENG_STALL_IDLE_MS.
 */
static void test_stall_readings(void **state)
{
	struct world *w = *state;
	int wait;

	world_reads(w, stall_text);
	submit(w, 0x64, false);
	event(w, MPTCPLIB_EVENT_ESTABLISHED, 0x64, NULL, 0);
	/* One subflow up (the initial one): nothing read. */
	assert_int_equal(eng_engine_next_timer(w->e), -1);
	sub_up(w, 0x64, "10.0.1.1");
	reading_is(w, 1, 0, 5, 9000, 0, 0);
	reading_is(w, 2, 0, 5, 9000, 0, 0);
	/* The first reading tells nothing of movement: ENG_STALL_POLL_MS again. */
	read_after(w, ENG_STALL_POLL_MS);
	read_after(w, ENG_STALL_POLL_MS);
	for (wait = ENG_STALL_POLL_MS * 2; wait < ENG_STALL_IDLE_MS; wait *= 2)
		read_after(w, wait);
	read_after(w, ENG_STALL_IDLE_MS);
	read_after(w, ENG_STALL_IDLE_MS);
	/* Data moves: every ENG_STALL_POLL_MS again. */
	reading_is(w, 2, 0, 6, 1, 0, 0);
	read_after(w, ENG_STALL_IDLE_MS);
	reading_is(w, 2, 0, 7, 1, 0, 0);
	read_after(w, ENG_STALL_POLL_MS);
	/* The kernel refuses: said once, tried again later. */
	w->read_err = -ENOMEM;
	read_after(w, ENG_STALL_POLL_MS);
	read_after(w, ENG_STALL_IDLE_MS);
	w->read_err = 0;
	read_after(w, ENG_STALL_IDLE_MS);
	assert_int_equal(w->nclosed, 0);
	/* Closed: the next reading finds nothing, and there is no other. */
	event(w, MPTCPLIB_EVENT_CLOSED, 0x64, NULL, 0);
	timer(w, eng_engine_next_timer(w->e));
	assert_int_equal(eng_engine_next_timer(w->e), -1);
	assert_int_equal(stats(w)->readings, (unsigned int)w->reads);
}

/*
 * Re-opened over a path still cut, the join never comes up: after
 * ENG_REOPEN_TRIES such requests it is not asked for again.
 */
static void test_stall_reopen_gives_up(void **state)
{
	struct world *w = *state;
	uint64_t b;
	int i;

	b = carrying(w, 0x65);
	reading_is(w, 1, 0, b + 1000000, 2, 0, 0);
	reading_is(w, 2, 0, b, 400, 0, 0);
	read_after(w, ENG_STALL_POLL_MS);
	assert_int_equal(closes_from(w, 0x65, "10.0.1.1"), 1);
	for (i = 1; i <= ENG_REOPEN_TRIES; i++) {
		timer(w, eng_engine_next_timer(w->e));
		assert_int_equal(opens_from(w, 0x65, "10.0.1.1"), 1 + i);
		/* Its SYN timed out. */
		sub_closed(w, 0x65, "10.0.1.1");
	}
	assert_int_equal(eng_engine_next_timer(w->e), -1);
	timer(w, w->now + 1000000);
	assert_int_equal(opens_from(w, 0x65, "10.0.1.1"), 1 + ENG_REOPEN_TRIES);
}

/*
 * More readable subflows than the first room for probes (16): the room
 * grows midway through one reading, and every subflow collected before
 * that is still asked for, by both ends, in the same reading.
 */
static void test_stall_many_read(void **state)
{
	struct world *w = *state;
	uint32_t t;

	world_reads(w, stall_text);
	for (t = 0x70; t < 0x79; t++)
		conn_up(w, t);
	reading_is(w, 1, 0, 5, 2, 0, 0);
	reading_is(w, 2, 0, 5, 3, 0, 0);
	/* fake_read() asserts both ports of each probe. */
	read_after(w, ENG_STALL_POLL_MS);
	assert_int_equal(w->last_read, 18);
	/* Nothing received yet: the connections themselves not read. */
	assert_int_equal(w->conn_reads, 0);
	/* Receiving: each connection itself read once, with its subflows. */
	reading_is(w, 1, 0, 500, 2, 0, 0);
	reading_is(w, 2, 0, 500, 3, 0, 0);
	read_after(w, ENG_STALL_POLL_MS);
	read_after(w, ENG_STALL_POLL_MS);
	assert_int_equal(w->conn_reads, 9);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_submit_then_established),
		T(test_many_connections),
		T(test_conform_backup_and_binding),
		T(test_established_before_submit),
		T(test_queued_before_subscription),
		T(test_created_seen_waits),
		T(test_event_lost_timer_resync),
		T(test_retries_end),
		T(test_fallback_esrch),
		T(test_closed_while_pending),
		T(test_subflow_refused),
		T(test_table_full),
		T(test_shared_plan),
		T(test_plan_expiry),
		T(test_rules_in_use),
		T(test_fork_reset),
		T(test_subflow_delay),
		T(test_eperm_disables),
		T(test_timer_walk_after_drop),
		T(test_no_route_then_cap),
		T(test_reused_token),
		T(test_rerule_keeps_subflows),
		T(test_mapped_peer),
		T(test_plan_make),
		T(test_link_down_removes),
		T(test_link_down_tells_peer),
		T(test_link_down_shared_id_not_told),
		T(test_link_up_reopens),
		T(test_initial_lost_and_back),
		T(test_last_subflow_kept),
		T(test_died_backoff),
		T(test_died_no_reopen),
		T(test_reopen_gives_up_refused_joins),
		T(test_flapping_bounded),
		T(test_address_change),
		T(test_route_gone),
		T(test_new_interface),
		T(test_reopen_cap),
		T(test_follows_paths),
		T(test_follows_events),
		T(test_stall_receiving_removed),
		T(test_stall_sending_initial),
		T(test_stall_not),
		T(test_stall_tail_not),
		T(test_stall_readings),
		T(test_stall_reopen_gives_up),
		T(test_stall_many_read),
	};

	return cmocka_run_group_tests_name("engine", tests, NULL, NULL);
}

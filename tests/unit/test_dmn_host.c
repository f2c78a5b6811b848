// SPDX-License-Identifier: MIT
/*
 * The daemon's stand-in for the in-kernel path manager (daemon/dmn_host.c),
 * driven with canned events in a fake world: a clock, a set of registered
 * tokens, and subflow, announce and backup requests that are recorded and
 * answered from a script. No kernel.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmn_addr.h"
#include "dmn_host.h"

/* ---- the fake world ------------------------------------------------------ */

struct call {
	uint32_t token;
	char local[CMN_ADDRSTRLEN], remote[CMN_ADDRSTRLEN];
	int ifindex, id;
	bool backup;
};

struct world {
	int64_t now;
	uint32_t registered[8];
	int nregistered, asked; /* is_registered calls */
	int script[16], nscript, next; /* open_subflow answers, then 0 */
	int announce_err;
	struct call opened[DMN_HOST_MAX_CONNS + 64], announced[16], backups[16];
	int nopened, nannounced, nbackups;
	struct dmn_host_config cfg;
	struct dmn_host_ops ops;
	struct dmn_host *h;
};

static int64_t fake_now(void *ctx)
{
	return ((struct world *)ctx)->now;
}

static bool fake_registered(void *ctx, uint32_t token)
{
	struct world *w = ctx;
	int i;

	w->asked++;
	for (i = 0; i < w->nregistered; i++)
		if (w->registered[i] == token)
			return true;
	return false;
}

static void fmt(const struct sockaddr *sa, char *buf)
{
	cmn_sa_fmt(sa, buf, CMN_ADDRSTRLEN);
}

static int fake_open(void *ctx, uint32_t token, const struct sockaddr *local,
		     int ifindex, bool backup, const struct sockaddr *remote,
		     char *why, size_t len)
{
	struct world *w = ctx;
	struct call *c = &w->opened[w->nopened++];
	int rc = w->next < w->nscript ? w->script[w->next++] : 0;

	assert_true(w->nopened <= DMN_HOST_MAX_CONNS + 64);
	c->token = token;
	fmt(local, c->local);
	fmt(remote, c->remote);
	c->ifindex = ifindex;
	c->backup = backup;
	if (rc)
		snprintf(why, len, "scripted %d", rc);
	return rc;
}

static int fake_announce(void *ctx, uint32_t token, const struct sockaddr *a,
			 int id, char *why, size_t len)
{
	struct world *w = ctx;
	struct call *c = &w->announced[w->nannounced++];

	(void)why;
	(void)len;
	assert_true(w->nannounced <= 16);
	c->token = token;
	fmt(a, c->local);
	c->id = id;
	return w->announce_err;
}

static int fake_set_backup(void *ctx, uint32_t token,
			   const struct sockaddr *local,
			   const struct sockaddr *remote, char *why, size_t len)
{
	struct world *w = ctx;
	struct call *c = &w->backups[w->nbackups++];

	(void)why;
	(void)len;
	assert_true(w->nbackups <= 16);
	c->token = token;
	fmt(local, c->local);
	fmt(remote, c->remote);
	return 0;
}

/* "10.0.2.1" or "10.0.2.1:7001" or "[fd00::1]:80" into @ss. */
static void sa(struct sockaddr_storage *ss, const char *text)
{
	char buf[64];
	char *colon;
	int port = 0;

	memset(ss, 0, sizeof(*ss));
	snprintf(buf, sizeof(buf), "%s", text);
	if (buf[0] == '[') {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		colon = strstr(buf, "]:");
		if (colon) {
			port = atoi(colon + 2);
			*colon = '\0';
		} else {
			buf[strlen(buf) - 1] = '\0';
		}
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		assert_int_equal(inet_pton(AF_INET6, buf + 1, &in6->sin6_addr),
				 1);
	} else {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		colon = strchr(buf, ':');
		if (colon) {
			port = atoi(colon + 1);
			*colon = '\0';
		}
		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)port);
		assert_int_equal(inet_pton(AF_INET, buf, &in->sin_addr), 1);
	}
}

/* Endpoint @addr with @flags and @ifindex, id = its position + 1. */
static void endpoint(struct world *w, const char *addr, unsigned int flags,
		     int ifindex)
{
	struct mptcplib_endpoint *e = &w->cfg.endpoints[w->cfg.nendpoints];

	e->id = ++w->cfg.nendpoints;
	sa(&e->addr, addr);
	e->flags = flags;
	e->ifindex = ifindex;
}

static void start(struct world *w, int subflows, int accepted)
{
	w->cfg.limits.subflows = subflows;
	w->cfg.limits.add_addr_accepted = accepted;
	w->h = dmn_host_new(&w->cfg, &w->ops, NULL);
	assert_non_null(w->h);
}

static int step_event(struct world *w, int type, uint32_t token,
		      const char *local, const char *remote, bool server,
		      int rem_id)
{
	struct mptcplib_event ev = { .type = type,
				     .token = token,
				     .local_addr_id = -1,
				     .remote_addr_id = rem_id,
				     .server_side = server };
	struct dmn_host_input in = { .type = DMN_HOST_IN_EVENT, .event = &ev };

	if (local)
		sa(&ev.local, local);
	if (remote)
		sa(&ev.remote, remote);
	return dmn_host_step(w->h, &in);
}

static int timer_at(struct world *w, int64_t now)
{
	struct dmn_host_input in = { .type = DMN_HOST_IN_TIMER };

	w->now = now;
	return dmn_host_step(w->h, &in);
}

#define T0 100000
#define TOKEN 0x1234
#define OWN "10.0.1.1:40000"
#define PEER "10.0.1.2:7001"

/* A client connection, established at T0. */
static void client_established(struct world *w, uint32_t token)
{
	w->now = T0;
	assert_int_equal(step_event(w, MPTCPLIB_EVENT_CREATED, token, OWN, PEER,
				    false, 0),
			 0);
	assert_int_equal(step_event(w, MPTCPLIB_EVENT_ESTABLISHED, token, OWN,
				    PEER, false, 0),
			 0);
}

static void assert_call(const struct call *c, const char *local,
			const char *remote)
{
	assert_string_equal(c->local, local);
	if (remote)
		assert_string_equal(c->remote, remote);
}

static int setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));

	assert_non_null(w);
	w->ops = (struct dmn_host_ops){ .now = fake_now,
					.is_registered = fake_registered,
					.open_subflow = fake_open,
					.announce = fake_announce,
					.set_backup = fake_set_backup,
					.ctx = w };
	w->now = T0;
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	struct world *w = *state;

	dmn_host_free(w->h);
	free(w);
	return 0;
}

/* ---- client side --------------------------------------------------------- */

/*
 * Nothing before the grace period ends; then one subflow per subflow
 * endpoint to the peer, bound and backup as the endpoint says, after the
 * signal endpoints were announced.
 */
static void test_client_after_grace(void **state)
{
	struct world *w = *state;

	endpoint(w, "10.0.2.1", MPTCPLIB_ENDPOINT_SUBFLOW, 3);
	endpoint(w, "10.0.3.1",
		 MPTCPLIB_ENDPOINT_SUBFLOW | MPTCPLIB_ENDPOINT_BACKUP, 0);
	endpoint(w, "10.0.4.1", MPTCPLIB_ENDPOINT_SIGNAL, 0);
	start(w, 2, 0);
	client_established(w, TOKEN);
	assert_int_equal(dmn_host_next_timer(w->h), T0 + DMN_UNREG_GRACE_MS);
	assert_int_equal(dmn_host_timeout(w->h), DMN_UNREG_GRACE_MS);
	assert_int_equal(timer_at(w, T0 + DMN_UNREG_GRACE_MS - 1), 0);
	assert_int_equal(w->nopened + w->nannounced, 0);

	assert_int_equal(timer_at(w, T0 + DMN_UNREG_GRACE_MS), 0);
	assert_int_equal(w->nopened, 2);
	assert_call(&w->opened[0], "10.0.2.1:0", PEER);
	assert_int_equal(w->opened[0].ifindex, 3);
	assert_false(w->opened[0].backup);
	assert_call(&w->opened[1], "10.0.3.1:0", PEER);
	assert_int_equal(w->opened[1].ifindex, 0);
	assert_true(w->opened[1].backup);
	assert_int_equal(w->opened[0].token, TOKEN);
	/* The kernel announced a client's signal endpoints too (§19). */
	assert_int_equal(w->nannounced, 1);
	assert_call(&w->announced[0], "10.0.4.1:0", NULL);
	assert_int_equal(w->announced[0].id, 3);
	assert_int_equal(dmn_host_next_timer(w->h), -1);
	assert_int_equal(dmn_host_stats(w->h)->served, 1);
	assert_int_equal(dmn_host_stats(w->h)->requested, 2);
	/* Another timer, another ESTABLISHED: nothing twice. */
	assert_int_equal(timer_at(w, T0 + 5000), 0);
	assert_int_equal(step_event(w, MPTCPLIB_EVENT_ESTABLISHED, TOKEN, OWN,
				    PEER, false, 0),
			 0);
	assert_int_equal(timer_at(w, T0 + 10000), 0);
	assert_int_equal(w->nopened, 2);
	assert_int_equal(w->nannounced, 1);
	/* Closed: forgotten. */
	step_event(w, MPTCPLIB_EVENT_CLOSED, TOKEN, NULL, NULL, false, -1);
	assert_int_equal(dmn_host_nconns(w->h), 0);
}

/*
 * The subflows limit: at most that many at a time; a closed one gives its
 * place to the next unused endpoint, and no endpoint is used twice.
 */
static void test_client_limits(void **state)
{
	struct world *w = *state;

	endpoint(w, "10.0.2.1", MPTCPLIB_ENDPOINT_SUBFLOW, 0);
	endpoint(w, "10.0.3.1", MPTCPLIB_ENDPOINT_SUBFLOW, 0);
	endpoint(w, "10.0.4.1", MPTCPLIB_ENDPOINT_SUBFLOW, 0);
	start(w, 2, 0);
	client_established(w, TOKEN);
	timer_at(w, T0 + DMN_UNREG_GRACE_MS);
	assert_int_equal(w->nopened, 2);
	assert_call(&w->opened[0], "10.0.2.1:0", PEER);
	assert_call(&w->opened[1], "10.0.3.1:0", PEER);
	/* The first comes up, the second fails: the third takes its place. */
	step_event(w, MPTCPLIB_EVENT_SUB_ESTABLISHED, TOKEN, "10.0.2.1:41000",
		   PEER, false, 0);
	step_event(w, MPTCPLIB_EVENT_SUB_CLOSED, TOKEN, "10.0.3.1:41001", PEER,
		   false, 0);
	assert_int_equal(w->nopened, 3);
	assert_call(&w->opened[2], "10.0.4.1:0", PEER);
	/* Every endpoint used: a closed subflow is not reopened. */
	step_event(w, MPTCPLIB_EVENT_SUB_CLOSED, TOKEN, "10.0.2.1:41000", PEER,
		   false, 0);
	assert_int_equal(w->nopened, 3);
	assert_int_equal(dmn_host_stats(w->h)->established, 1);
	assert_int_equal(dmn_host_stats(w->h)->failed, 1);
	/* Someone else's subflow closing frees nothing. */
	step_event(w, MPTCPLIB_EVENT_SUB_CLOSED, TOKEN, "10.0.9.1:41009", PEER,
		   false, 0);
	assert_int_equal(w->nopened, 3);
}

/* A subflows limit of 0: endpoints give nothing. */
static void test_client_limit_zero(void **state)
{
	struct world *w = *state;

	endpoint(w, "10.0.2.1", MPTCPLIB_ENDPOINT_SUBFLOW, 0);
	start(w, 0, 1);
	client_established(w, TOKEN);
	step_event(w, MPTCPLIB_EVENT_ANNOUNCED, TOKEN, NULL, "10.0.2.2:7001",
		   false, 1);
	timer_at(w, T0 + DMN_UNREG_GRACE_MS);
	assert_int_equal(w->nopened, 0);
}

/*
 * Backup: a backup subflow is marked again once up (6.1 ignores the flag
 * at creation), a regular one is not; an initial subflow from a backup
 * endpoint is marked, and that endpoint opens no subflow of its own.
 */
static void test_client_backup(void **state)
{
	struct world *w = *state;

	endpoint(w, "10.0.1.1",
		 MPTCPLIB_ENDPOINT_SUBFLOW | MPTCPLIB_ENDPOINT_BACKUP, 0);
	endpoint(w, "10.0.2.1",
		 MPTCPLIB_ENDPOINT_SUBFLOW | MPTCPLIB_ENDPOINT_BACKUP, 0);
	endpoint(w, "10.0.3.1", MPTCPLIB_ENDPOINT_SUBFLOW, 0);
	start(w, 8, 0);
	client_established(w, TOKEN);
	timer_at(w, T0 + DMN_UNREG_GRACE_MS);
	assert_int_equal(w->nopened, 2);
	assert_call(&w->opened[0], "10.0.2.1:0", PEER);
	assert_true(w->opened[0].backup);
	assert_call(&w->opened[1], "10.0.3.1:0", PEER);
	assert_false(w->opened[1].backup);
	assert_int_equal(w->nbackups, 1);
	assert_call(&w->backups[0], OWN, PEER);
	step_event(w, MPTCPLIB_EVENT_SUB_ESTABLISHED, TOKEN, "10.0.3.1:41001",
		   PEER, false, 0);
	assert_int_equal(w->nbackups, 1);
	step_event(w, MPTCPLIB_EVENT_SUB_ESTABLISHED, TOKEN, "10.0.2.1:41000",
		   PEER, false, 0);
	assert_int_equal(w->nbackups, 2);
	assert_call(&w->backups[1], "10.0.2.1:41000", PEER);
}

/*
 * Fullmesh: to the peer and to every address it announced (when
 * accepted), from each fullmesh endpoint; an announcement then needs no
 * wildcard subflow.
 */
static void test_client_fullmesh(void **state)
{
	struct world *w = *state;

	endpoint(w, "10.0.2.1",
		 MPTCPLIB_ENDPOINT_SUBFLOW | MPTCPLIB_ENDPOINT_FULLMESH, 0);
	endpoint(w, "10.0.3.1",
		 MPTCPLIB_ENDPOINT_SUBFLOW | MPTCPLIB_ENDPOINT_FULLMESH, 0);
	start(w, 8, 2);
	client_established(w, TOKEN);
	/* Announced during the grace period: kept for later. */
	step_event(w, MPTCPLIB_EVENT_ANNOUNCED, TOKEN, NULL, "10.0.9.2:7001",
		   false, 5);
	assert_int_equal(w->nopened, 0);
	timer_at(w, T0 + DMN_UNREG_GRACE_MS);
	assert_int_equal(w->nopened, 4);
	assert_call(&w->opened[0], "10.0.2.1:0", PEER);
	assert_call(&w->opened[1], "10.0.3.1:0", PEER);
	assert_call(&w->opened[2], "10.0.2.1:0", "10.0.9.2:7001");
	assert_call(&w->opened[3], "10.0.3.1:0", "10.0.9.2:7001");
	/* Announced once established: each fullmesh endpoint to it. */
	step_event(w, MPTCPLIB_EVENT_ANNOUNCED, TOKEN, NULL, "10.0.8.2:7001",
		   false, 6);
	assert_int_equal(w->nopened, 6);
	assert_call(&w->opened[4], "10.0.2.1:0", "10.0.8.2:7001");
	assert_call(&w->opened[5], "10.0.3.1:0", "10.0.8.2:7001");
}

/* The fullmesh fan-out stops at the subflows limit. */
static void test_client_fullmesh_limit(void **state)
{
	struct world *w = *state;

	endpoint(w, "10.0.2.1",
		 MPTCPLIB_ENDPOINT_SUBFLOW | MPTCPLIB_ENDPOINT_FULLMESH, 0);
	endpoint(w, "10.0.3.1",
		 MPTCPLIB_ENDPOINT_SUBFLOW | MPTCPLIB_ENDPOINT_FULLMESH, 0);
	start(w, 3, 2);
	client_established(w, TOKEN);
	step_event(w, MPTCPLIB_EVENT_ANNOUNCED, TOKEN, NULL, "10.0.9.2:7001",
		   false, 5);
	timer_at(w, T0 + DMN_UNREG_GRACE_MS);
	assert_int_equal(w->nopened, 3);
	assert_call(&w->opened[2], "10.0.2.1:0", "10.0.9.2:7001");
}

/*
 * An announcement, without fullmesh endpoints: one subflow from the
 * wildcard address (routing picks the source) to it, within
 * add_addr_accepted and the subflows limit; the peer's own address, a
 * repeat and one over the limit are left alone.
 */
static void test_client_announced(void **state)
{
	struct world *w = *state;

	start(w, 8, 1);
	client_established(w, TOKEN);
	timer_at(w, T0 + DMN_UNREG_GRACE_MS);
	assert_int_equal(w->nopened, 0);
	/* The peer's initial address and port: joined already. */
	step_event(w, MPTCPLIB_EVENT_ANNOUNCED, TOKEN, NULL, PEER, false, 0);
	assert_int_equal(w->nopened, 0);
	step_event(w, MPTCPLIB_EVENT_ANNOUNCED, TOKEN, NULL, "10.0.2.2:7001",
		   false, 1);
	assert_int_equal(w->nopened, 1);
	assert_call(&w->opened[0], "0.0.0.0:0", "10.0.2.2:7001");
	assert_false(w->opened[0].backup);
	/* Repeated until echoed: still one. */
	step_event(w, MPTCPLIB_EVENT_ANNOUNCED, TOKEN, NULL, "10.0.2.2:7001",
		   false, 1);
	assert_int_equal(w->nopened, 1);
	/* add_addr_accepted 1: the next is not acted on... */
	step_event(w, MPTCPLIB_EVENT_ANNOUNCED, TOKEN, NULL, "10.0.3.2:7001",
		   false, 2);
	assert_int_equal(w->nopened, 1);
	/* ...until the peer withdraws the accepted one. */
	step_event(w, MPTCPLIB_EVENT_REMOVED, TOKEN, NULL, NULL, false, 1);
	step_event(w, MPTCPLIB_EVENT_ANNOUNCED, TOKEN, NULL, "10.0.4.2:7001",
		   false, 3);
	assert_int_equal(w->nopened, 2);
	assert_call(&w->opened[1], "0.0.0.0:0", "10.0.4.2:7001");
}

/* No announcement is acted on with add_addr_accepted 0 (the default). */
static void test_client_announced_not_accepted(void **state)
{
	struct world *w = *state;

	start(w, 8, 0);
	client_established(w, TOKEN);
	timer_at(w, T0 + DMN_UNREG_GRACE_MS);
	step_event(w, MPTCPLIB_EVENT_ANNOUNCED, TOKEN, NULL, "10.0.2.2:7001",
		   false, 1);
	assert_int_equal(w->nopened, 0);
}

/*
 * An announcement is looked at once: the peer repeats it until echoed,
 * and a repeat does not retry a subflow the kernel refused.
 */
static void test_client_announced_repeat(void **state)
{
	struct world *w = *state;

	start(w, 8, 8);
	client_established(w, TOKEN);
	timer_at(w, T0 + DMN_UNREG_GRACE_MS);
	w->script[w->nscript++] = -ENETUNREACH;
	step_event(w, MPTCPLIB_EVENT_ANNOUNCED, TOKEN, NULL, "10.0.2.2:7001",
		   false, 1);
	assert_int_equal(w->nopened, 1);
	step_event(w, MPTCPLIB_EVENT_ANNOUNCED, TOKEN, NULL, "10.0.2.2:7001",
		   false, 1);
	assert_int_equal(w->nopened, 1);
	assert_int_equal(dmn_host_stats(w->h)->failed, 1);
}

/* Announced subflows count towards the subflows limit, and it to them. */
static void test_client_announced_counts(void **state)
{
	struct world *w = *state;

	endpoint(w, "10.0.2.1", MPTCPLIB_ENDPOINT_SUBFLOW, 0);
	start(w, 2, 8);
	client_established(w, TOKEN);
	timer_at(w, T0 + DMN_UNREG_GRACE_MS);
	step_event(w, MPTCPLIB_EVENT_ANNOUNCED, TOKEN, NULL, "10.0.3.2:7001",
		   false, 1);
	step_event(w, MPTCPLIB_EVENT_ANNOUNCED, TOKEN, NULL, "10.0.4.2:7001",
		   false, 2);
	assert_int_equal(w->nopened, 2);
	assert_call(&w->opened[0], "10.0.2.1:0", PEER);
	assert_call(&w->opened[1], "0.0.0.0:0", "10.0.3.2:7001");
}

/*
 * Registered before the grace period ends: nothing is done, the
 * connection is forgotten; registered at ESTABLISHED: no timer at all.
 */
static void test_registered_in_time(void **state)
{
	struct world *w = *state;

	endpoint(w, "10.0.2.1", MPTCPLIB_ENDPOINT_SUBFLOW, 0);
	endpoint(w, "10.0.4.1", MPTCPLIB_ENDPOINT_SIGNAL, 0);
	start(w, 8, 8);
	client_established(w, TOKEN);
	w->registered[w->nregistered++] = TOKEN;
	timer_at(w, T0 + DMN_UNREG_GRACE_MS);
	assert_int_equal(w->nopened + w->nannounced, 0);
	assert_int_equal(dmn_host_nconns(w->h), 0);
	assert_int_equal(dmn_host_stats(w->h)->registered, 1);

	/* The shim registered in SYN-SENT, before ESTABLISHED. */
	w->registered[w->nregistered++] = TOKEN + 1;
	client_established(w, TOKEN + 1);
	assert_int_equal(dmn_host_next_timer(w->h), -1);
	assert_int_equal(dmn_host_nconns(w->h), 0);

	/* The main loop says so itself. */
	client_established(w, TOKEN + 2);
	{
		struct dmn_host_input in = { .type = DMN_HOST_IN_REGISTERED,
					     .token = TOKEN + 2 };

		assert_int_equal(dmn_host_step(w->h, &in), 0);
	}
	assert_int_equal(dmn_host_nconns(w->h), 0);
	timer_at(w, T0 + 1000);
	assert_int_equal(w->nopened + w->nannounced, 0);
}

/*
 * Registered after the module acted: what it opened stays, and it opens
 * nothing more: a closed subflow's place does not go to the next
 * endpoint.
 */
static void test_registered_late_closed(void **state)
{
	struct world *w = *state;

	endpoint(w, "10.0.2.1", MPTCPLIB_ENDPOINT_SUBFLOW, 0);
	endpoint(w, "10.0.3.1", MPTCPLIB_ENDPOINT_SUBFLOW, 0);
	start(w, 1, 8);
	client_established(w, TOKEN);
	timer_at(w, T0 + DMN_UNREG_GRACE_MS);
	assert_int_equal(w->nopened, 1);
	w->registered[w->nregistered++] = TOKEN;
	step_event(w, MPTCPLIB_EVENT_SUB_CLOSED, TOKEN, "10.0.2.1:41000", PEER,
		   false, 0);
	assert_int_equal(w->nopened, 1);
	assert_int_equal(dmn_host_nconns(w->h), 0);
	assert_int_equal(dmn_host_stats(w->h)->registered, 1);
	assert_int_equal(dmn_host_stats(w->h)->served, 1);
	/* Forgotten: its later events make no new record. */
	step_event(w, MPTCPLIB_EVENT_ANNOUNCED, TOKEN, NULL, "10.0.2.2:7001",
		   false, 1);
	assert_int_equal(dmn_host_nconns(w->h), 0);
	assert_int_equal(w->nopened, 1);
}

/* ...nor is an address the peer announces afterwards acted on. */
static void test_registered_late_announced(void **state)
{
	struct world *w = *state;

	endpoint(w, "10.0.2.1", MPTCPLIB_ENDPOINT_SUBFLOW, 0);
	start(w, 2, 8);
	client_established(w, TOKEN);
	timer_at(w, T0 + DMN_UNREG_GRACE_MS);
	assert_int_equal(w->nopened, 1);
	w->registered[w->nregistered++] = TOKEN;
	step_event(w, MPTCPLIB_EVENT_ANNOUNCED, TOKEN, NULL, "10.0.2.2:7001",
		   false, 1);
	assert_int_equal(w->nopened, 1);
	assert_int_equal(dmn_host_nconns(w->h), 0);
}

/* Closed during the grace period: nothing is done, nothing is kept. */
static void test_closed_in_grace(void **state)
{
	struct world *w = *state;

	endpoint(w, "10.0.2.1", MPTCPLIB_ENDPOINT_SUBFLOW, 0);
	start(w, 8, 8);
	client_established(w, TOKEN);
	w->now = T0 + 50;
	step_event(w, MPTCPLIB_EVENT_CLOSED, TOKEN, NULL, NULL, false, -1);
	assert_int_equal(dmn_host_nconns(w->h), 0);
	assert_int_equal(dmn_host_next_timer(w->h), -1);
	timer_at(w, T0 + DMN_UNREG_GRACE_MS);
	assert_int_equal(w->nopened + w->nannounced, 0);
	assert_int_equal(w->asked, 1); /* at ESTABLISHED only */
}

/* Many connections: each its own grace period and its own subflows. */
static void test_two_connections(void **state)
{
	struct world *w = *state;

	endpoint(w, "10.0.2.1", MPTCPLIB_ENDPOINT_SUBFLOW, 0);
	start(w, 8, 8);
	client_established(w, TOKEN);
	w->now = T0 + 60;
	step_event(w, MPTCPLIB_EVENT_ESTABLISHED, TOKEN + 1, "10.0.1.1:40001",
		   PEER, false, 0);
	assert_int_equal(dmn_host_next_timer(w->h), T0 + DMN_UNREG_GRACE_MS);
	timer_at(w, T0 + DMN_UNREG_GRACE_MS);
	assert_int_equal(w->nopened, 1);
	assert_int_equal(dmn_host_next_timer(w->h),
			 T0 + 60 + DMN_UNREG_GRACE_MS);
	timer_at(w, T0 + 60 + DMN_UNREG_GRACE_MS);
	assert_int_equal(w->nopened, 2);
	assert_int_equal(w->opened[1].token, TOKEN + 1);
}

/*
 * Endpoints that do not fit: of the other family, or the initial
 * subflow's own address (neither announced nor used). IPv4-mapped
 * addresses count as IPv4.
 */
static void test_client_skips(void **state)
{
	struct world *w = *state;

	endpoint(w, "[fd00:2::1]", MPTCPLIB_ENDPOINT_SUBFLOW, 0);
	endpoint(w, "10.0.1.1", MPTCPLIB_ENDPOINT_SUBFLOW, 0);
	endpoint(w, "10.0.1.1", MPTCPLIB_ENDPOINT_SIGNAL, 0);
	endpoint(w, "10.0.2.1", MPTCPLIB_ENDPOINT_SUBFLOW, 0);
	start(w, 8, 0);
	w->now = T0;
	step_event(w, MPTCPLIB_EVENT_ESTABLISHED, TOKEN,
		   "[::ffff:10.0.1.1]:40000", "[::ffff:10.0.1.2]:7001", false,
		   0);
	timer_at(w, T0 + DMN_UNREG_GRACE_MS);
	assert_int_equal(w->nopened, 1);
	assert_call(&w->opened[0], "10.0.2.1:0", PEER);
	assert_int_equal(w->nannounced, 0);
}

/* ---- server side --------------------------------------------------------- */

/*
 * An accepted connection: its signal endpoints are announced at
 * ESTABLISHED, without a grace period or a registration check; subflow
 * endpoints open nothing on this side, and nothing is kept.
 */
static void test_server_announces(void **state)
{
	struct world *w = *state;

	endpoint(w, "10.0.2.2", MPTCPLIB_ENDPOINT_SIGNAL, 0);
	endpoint(w, "10.0.1.2", MPTCPLIB_ENDPOINT_SIGNAL, 0); /* its own */
	endpoint(w, "[fd00:3::2]:7002", MPTCPLIB_ENDPOINT_SIGNAL, 0);
	endpoint(w, "10.0.5.2", MPTCPLIB_ENDPOINT_SUBFLOW, 0);
	start(w, 8, 8);
	step_event(w, MPTCPLIB_EVENT_CREATED, TOKEN, PEER, OWN, true, 0);
	assert_int_equal(w->nannounced, 0);
	step_event(w, MPTCPLIB_EVENT_ESTABLISHED, TOKEN, PEER, OWN, true, 0);
	assert_int_equal(w->nannounced, 2);
	assert_call(&w->announced[0], "10.0.2.2:0", NULL);
	assert_int_equal(w->announced[0].id, 1);
	/* With its port, the endpoint's listener's. */
	assert_call(&w->announced[1], "[fd00:3::2]:7002", NULL);
	assert_int_equal(w->announced[1].id, 3);
	assert_int_equal(w->nopened, 0);
	assert_int_equal(w->asked, 0);
	assert_int_equal(dmn_host_nconns(w->h), 0);
	assert_int_equal(dmn_host_next_timer(w->h), -1);
	/* The client's join and its announcement need nothing. */
	step_event(w, MPTCPLIB_EVENT_SUB_ESTABLISHED, TOKEN, "10.0.2.2:7001",
		   "10.0.2.1:41000", false, 1);
	timer_at(w, T0 + 1000);
	assert_int_equal(w->nopened, 0);
	assert_int_equal(w->nannounced, 2);
	assert_int_equal(dmn_host_stats(w->h)->announced, 2);
}

/* ---- errors -------------------------------------------------------------- */

/*
 * A subflow refused alone is counted and the next endpoint tried; a
 * connection that is gone, or under the in-kernel path manager, is
 * dropped; no privilege stops the module.
 */
static void test_errors(void **state)
{
	struct world *w = *state;

	endpoint(w, "10.0.2.1", MPTCPLIB_ENDPOINT_SUBFLOW, 0);
	endpoint(w, "10.0.3.1", MPTCPLIB_ENDPOINT_SUBFLOW, 0);
	start(w, 8, 8);
	w->script[w->nscript++] = -EADDRNOTAVAIL;
	w->script[w->nscript++] = 0;
	client_established(w, TOKEN);
	timer_at(w, T0 + DMN_UNREG_GRACE_MS);
	assert_int_equal(w->nopened, 2);
	assert_int_equal(dmn_host_stats(w->h)->failed, 1);
	assert_int_equal(dmn_host_stats(w->h)->requested, 1);
	assert_int_equal(dmn_host_nconns(w->h), 1);

	w->script[w->nscript++] = -ESRCH;
	client_established(w, TOKEN + 1);
	timer_at(w, T0 + DMN_UNREG_GRACE_MS);
	assert_int_equal(w->nopened, 3); /* stopped at the first */
	assert_int_equal(dmn_host_nconns(w->h), 1);

	w->script[w->nscript++] = -ENOPROTOOPT;
	client_established(w, TOKEN + 2);
	timer_at(w, T0 + DMN_UNREG_GRACE_MS);
	assert_int_equal(w->nopened, 4);
	assert_int_equal(dmn_host_nconns(w->h), 1);

	w->script[w->nscript++] = -EPERM;
	client_established(w, TOKEN + 3);
	assert_int_equal(timer_at(w, T0 + DMN_UNREG_GRACE_MS), -ECANCELED);
	assert_int_equal(w->nopened, 5);
	assert_int_equal(step_event(w, MPTCPLIB_EVENT_ESTABLISHED, TOKEN + 4,
				    OWN, PEER, false, 0),
			 -ECANCELED);
}

/*
 * A full table forgets the oldest connection that never became
 * established; with none of those, a new connection is not followed.
 */
static void test_table_full(void **state)
{
	struct world *w = *state;
	uint32_t t;
	int i;

	endpoint(w, "10.0.2.1", MPTCPLIB_ENDPOINT_SUBFLOW, 0);
	start(w, 8, 8);
	w->now = T0;
	step_event(w, MPTCPLIB_EVENT_CREATED, 1, OWN, PEER, false, 0);
	for (t = 2; t <= DMN_HOST_MAX_CONNS; t++)
		step_event(w, MPTCPLIB_EVENT_ESTABLISHED, t, OWN, PEER, false,
			   0);
	assert_int_equal(dmn_host_nconns(w->h), DMN_HOST_MAX_CONNS);
	step_event(w, MPTCPLIB_EVENT_ESTABLISHED, t++, OWN, PEER, false, 0);
	assert_int_equal(dmn_host_nconns(w->h), DMN_HOST_MAX_CONNS);
	assert_int_equal(dmn_host_stats(w->h)->untracked, 0);
	step_event(w, MPTCPLIB_EVENT_ESTABLISHED, t, OWN, PEER, false, 0);
	assert_int_equal(dmn_host_stats(w->h)->untracked, 1);
	timer_at(w, T0 + DMN_UNREG_GRACE_MS);
	assert_int_equal(w->nopened, DMN_HOST_MAX_CONNS);
	/* Token 1 was forgotten, the last one not followed: 2..t-1 served. */
	for (i = 0; i < w->nopened; i++)
		assert_true(w->opened[i].token >= 2 && w->opened[i].token < t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_client_after_grace, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_client_limits, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_client_limit_zero, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_client_backup, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_client_fullmesh, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_client_fullmesh_limit,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_client_announced, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_client_announced_not_accepted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_client_announced_repeat,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_client_announced_counts,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_registered_in_time, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_registered_late_closed,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_registered_late_announced,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_closed_in_grace, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_two_connections, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_client_skips, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_server_announces, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_table_full, setup,
						teardown),
	};

	return cmocka_run_group_tests_name("dmn_host", tests, NULL, NULL);
}

// SPDX-License-Identifier: MIT
/*
 * mptcp-autod: the network namespace's path manager. It switches the
 * namespace to the userspace path manager, serves registrations (a
 * program's connection, proven by the socket itself) with the program's
 * rule from the system policy, narrowed by the user, through the engine,
 * and puts the path manager back at a clean stop (SIGTERM, SIGINT).
 * SIGHUP reloads the policy. One epoll loop, which never waits for a
 * client; a helper thread reads the clients' command lines, which a
 * process can keep waiting (dmn_ident.h).
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "cmn_addr.h"
#include "cmn_clock.h"
#include "dmn_conns.h"
#include "dmn_host.h"
#include "dmn_log.h"
#include "dmn_narrow.h"
#include "dmn_notify.h"
#include "dmn_pm.h"
#include "dmn_policies.h"
#include "dmn_refused.h"
#include "dmn_server.h"
#include "dmn_slots.h"
#include "dmn_verify.h"
#include "eng_engine.h"
#include "eng_run.h"

static const char usage[] =
	"usage: mptcp-autod [--socket PATH] [--policy FILE] [--verbose]\n"
	"                   [--rate N] [--burst N]\n"
	"                   [--max-clients N] [--max-clients-per-user N]\n"
	"                   [--procdir DIR]\n"
	"\n"
	"The network namespace's MPTCP path manager: switches it to the\n"
	"userspace path manager, opens the subflows of the connections that\n"
	"programs register (the shim does) by their program's rule, and puts\n"
	"the previous path manager back on SIGTERM or SIGINT. SIGHUP reloads\n"
	"the policy. Needs CAP_NET_ADMIN. Logs to standard error; tells\n"
	"systemd when it is ready (sd_notify, $NOTIFY_SOCKET).\n"
	"\n"
	"  --socket PATH  registration socket (env " DMN_ENV_SOCKET ";\n"
	"                 default " DMN_SOCKET_DEFAULT ")\n"
	"  --policy FILE  the policy, instead of the system's (%s)\n"
	"  --verbose      debug lines too\n"
	"  --rate N       registrations per second per user (default 2000)\n"
	"  --burst N      registrations a user may make at once (default 4000)\n"
	"  --max-clients N\n"
	"                 processes connected at once (default 4096; each\n"
	"                 process under the shim holds one connection): past\n"
	"                 it, a process is turned away and its connections\n"
	"                 are not registered.\n"
	"                 Lowered to what the descriptor limit allows\n"
	"                 (RLIMIT_NOFILE, whose soft limit is raised up to\n"
	"                 the hard one as needed)\n"
	"  --max-clients-per-user N\n"
	"                 of those, the most one user may hold (root counts\n"
	"                 like any user; default a quarter of --max-clients),\n"
	"                 so that no user can take every one\n"
	"  --procdir DIR  read the programs of the clients from DIR/PID/\n"
	"                 (exe, comm, cmdline) instead of /proc: for tests\n";

/*
 * The loop's descriptors, one slot each; the epoll data of each is its
 * slot. A source of work is a slot and a handler in slot_ops[].
 */
enum dmn_slot {
	DMN_SLOT_SIGNALS, /* signalfd: SIGTERM, SIGINT, SIGHUP */
	DMN_SLOT_EVENTS, /* the path-manager events (mptcp_pm genl) */
	DMN_SLOT_CLIENTS, /* the registration server's own epoll */
	DMN_SLOT_LINKS, /* rtnetlink links, addresses, routes (eng_paths) */
	DMN_NSLOTS,
};

struct dmn {
	int ep;
	int fds[DMN_NSLOTS];
	bool stop;
	int status; /* the exit status */

	const char *socket_path;
	const char *policy_file; /* NULL: the system policy */
	const char *procdir; /* NULL: /proc */
	int rate, burst; /* 0: the server's defaults */
	int max_clients, max_per_uid; /* asked; 0: the defaults */
	/* The policy in force, and replaced ones still in use. */
	struct dmn_policies *pols;
	int64_t release_at; /* ms: look for unused replaced ones again */
	struct dmn_notify notify; /* systemd's, if it listens */

	struct dmn_server *srv;
	uint64_t netns; /* this namespace's cookie */
	struct mptcplib_events *evs;
	struct eng_engine *eng;
	struct eng_paths paths; /* followed while the engine wants them */
	struct dmn_conns *conns;
	struct dmn_pm pm;
	/*
	 * Connections nobody registered: the system policy's [default] rule
	 * when it has one, else the host's former endpoints (host), as they
	 * were before the switch (host_cfg; NULL: not read). Decided again
	 * at each reload.
	 */
	bool default_rule;
	time_t started; /* wall clock, for `mptcp-auto status` */
	struct dmn_host_config *host_cfg;
	struct dmn_refused refused; /* joins the peers refused, for status */
	struct dmn_host_ops host_ops;
	struct dmn_host *host;
	bool host_gave_up; /* no privilege for it: not tried again */
};

static void on_signals(struct dmn *d);
static void on_events(struct dmn *d);
static void on_clients(struct dmn *d);
static void on_links(struct dmn *d);
static int unregistered_apply(struct dmn *d);

static const struct {
	const char *name;
	void (*ready)(struct dmn *d);
} slot_ops[DMN_NSLOTS] = {
	[DMN_SLOT_SIGNALS] = { "signals", on_signals },
	[DMN_SLOT_EVENTS] = { "path-manager events", on_events },
	[DMN_SLOT_CLIENTS] = { "registrations", on_clients },
	[DMN_SLOT_LINKS] = { "links, addresses and routes", on_links },
};

static int slot_watch(struct dmn *d, enum dmn_slot slot, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = slot };

	if (epoll_ctl(d->ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
		dmn_log_error("epoll (%s): %s", slot_ops[slot].name,
			      strerror(errno));
		return -errno;
	}
	d->fds[slot] = fd;
	return 0;
}

static void fatal_stop(struct dmn *d)
{
	d->stop = true;
	d->status = 1;
}

/* ---- the policy ---------------------------------------------------------- */

/* The system policy as the policy module loads it for root, or FILE. */
static struct mpa_policy *policy_load(const struct dmn *d)
{
	struct mpa_sources src;

	if (d->policy_file)
		return mpa_policy_load_files(&d->policy_file, 1);
	/* Secure: no user or environment layer, only /etc/mptcp-auto. */
	mpa_sources_init(&src, mpa_system_dir, NULL, NULL, NULL, true);
	return mpa_policy_load(&src);
}

static void policy_diags(const struct mpa_policy *p)
{
	char line[512];
	int i;

	for (i = 0; i < p->ndiags; i++)
		dmn_log(p->diags[i].severity == MPA_ERROR ? CMN_LOG_WARN :
							    CMN_LOG_INFO,
			"%s",
			mpa_diag_format(&p->diags[i], line, sizeof(line)));
}

/* The policy in force. */
static struct mpa_policy *policy(const struct dmn *d)
{
	return dmn_policies_current(d->pols);
}

/* How often replaced policies are looked at while some are kept. */
#define DMN_RELEASE_MS 10000

/*
 * Free the replaced policies, with their narrowings, that no connection
 * uses any more. The engine (its connections and fresh plans) and the
 * registered connections hold every pointer to a rule there is.
 */
static void policies_release(struct dmn *d)
{
	const struct mpa_rule **inuse;
	int max, n, m, freed;

	d->release_at = cmn_now_ms() + DMN_RELEASE_MS;
	if (!dmn_policies_retired(d->pols))
		return;
	max = eng_engine_nconns(d->eng) + ENG_PLAN_SLOTS +
	      dmn_conns_count(d->conns);
	inuse = malloc(sizeof(*inuse) * (size_t)max);
	if (!inuse)
		return; /* the next time */
	n = eng_engine_rules(d->eng, inuse, max);
	m = n <= max ? dmn_conns_rules(d->conns, inuse + n, max - n) : max;
	/* Only with every rule in use seen: else one could be freed. */
	if (n + m <= max) {
		freed = dmn_policies_release(d->pols, inuse, n + m);
		if (freed)
			dmn_log(CMN_LOG_DEBUG,
				"%d replaced polic%s freed: no connection uses "
				"%s any more; %d kept",
				freed, freed == 1 ? "y" : "ies",
				freed == 1 ? "it" : "them",
				dmn_policies_retired(d->pols));
	}
	free(inuse);
}

/*
 * SIGHUP: a policy with errors is not taken (the running one stays). The
 * replaced one is kept while connections use its rules. What came of it
 * into @status (for systemd).
 */
static void policy_reload(struct dmn *d, char *status, size_t len)
{
	struct mpa_policy *p = policy_load(d);

	if (!p)
		goto nomem;
	policy_diags(p);
	if (p->nerrors) {
		snprintf(status, len,
			 "policy not reloaded: %d error%s; the running one "
			 "stays",
			 p->nerrors, p->nerrors == 1 ? "" : "s");
		dmn_log(CMN_LOG_WARN, "%s", status);
		mpa_policy_free(p);
		return;
	}
	if (dmn_policies_replace(d->pols, p)) {
		mpa_policy_free(p);
		goto nomem;
	}
	snprintf(status, len, "policy reloaded: %d file%s, %d program rule%s",
		 p->nfiles, p->nfiles == 1 ? "" : "s", p->nprograms,
		 p->nprograms == 1 ? "" : "s");
	dmn_log(CMN_LOG_INFO, "%s", status);
	/* A [default] added or removed: unregistered connections follow. */
	unregistered_apply(d);
	policies_release(d);
	return;
nomem:
	snprintf(status, len, "policy not reloaded: out of memory");
	dmn_log(CMN_LOG_WARN, "%s", status);
}

/* ---- the engine ----------------------------------------------------------- */

static void engine_step(struct dmn *d, const struct eng_input *in)
{
	if (eng_engine_step(d->eng, in) < 0 && !d->stop) {
		dmn_log_error("the engine cannot open subflows here (see "
			      "above): stopping");
		fatal_stop(d);
	}
}

/*
 * A connection to the engine. @maybe_established: its ESTABLISHED event
 * was seen, or none of its events was (it is older than the daemon's
 * subscription, or its events were lost): it is tried at once. Otherwise
 * the engine waits for the event: a try before it would only fail, and
 * under a burst each failed try delays every other connection's.
 */
static void engine_submit(struct dmn *d, uint32_t token,
			  const struct sockaddr_storage *local,
			  const struct sockaddr_storage *remote,
			  const struct mpa_rule *rule, bool maybe_established)
{
	struct mpa_conn_req req = {
		.token = token, .local = *local, .remote = *remote, .rule = rule
	};
	struct eng_input in = { .type = ENG_IN_SUBMIT,
				.req = &req,
				.maybe_established = maybe_established };

	engine_step(d, &in);
}

/* ---- registrations -------------------------------------------------------- */

static const char *prog_name(const struct dmn_prog *p)
{
	return p->id.exe ? p->id.exe : p->id.argv0 ? p->id.argv0 : "unknown";
}

/*
 * The server's handler: verify the passed socket (dmn_verify.h), pick the
 * program's rule, narrow it, and hand the connection to the engine, now or
 * once its addresses come with its first event.
 */
static int on_register(void *ctx, const struct dmn_request *rq, char *why,
		       size_t len)
{
	const struct mpa_rule *sys, *rule;
	struct dmn *d = ctx;
	enum dmn_verdict v;
	struct dmn_facts f;
	struct dmn_conn *c;
	const char *r;
	bool seen;
	int err;

	dmn_verify_gather(rq->fd, rq->nfds, rq->fds_cut, d->netns, &f);
	v = dmn_verify_decide(&f, rq->msg->token, &r);
	if (v == DMN_VERDICT_REFUSE) {
		snprintf(why, len, "%s", r);
		return -EPERM;
	}
	sys = mpa_policy_program(policy(d), &rq->prog->id);
	err = dmn_narrow_intern(dmn_policies_narrow(d->pols), sys, rq->msg,
				rq->peer->uid, &rule);
	/* More than the system gives: served narrowed, and said. */
	if (!err && eng_narrow_widens(sys, rq->msg, why, len))
		dmn_log(CMN_LOG_INFO, "uid %u pid %d (%s): %s",
			(unsigned int)rq->peer->uid, (int)rq->peer->pid,
			prog_name(rq->prog), why);
	if (err) {
		snprintf(why, len, "%s",
			 err == -ENOSPC ? "too many different narrowings" :
					  strerror(-err));
		return err;
	}
	/*
	 * Registered again (a shim retrying, or a user flooding): the engine
	 * has it already; asking it again would only repeat its requests.
	 */
	/*
	 * The kernel queued the connection's CREATED event before connect()
	 * returned, so before this registration was sent: read what is
	 * queued, and a connection without a record is one whose events the
	 * daemon did not see.
	 */
	on_events(d);
	c = dmn_conns_find(d->conns, f.token);
	if (c && c->registered && c->rule == rule)
		return 0;
	seen = c != NULL;
	c = dmn_conns_register(d->conns, f.token, cmn_now_ms());
	if (!c) {
		snprintf(why, len, "too many connections followed");
		return -ENOSPC;
	}
	c->rule = rule;
	if (d->host) {
		struct dmn_host_input hin = { .type = DMN_HOST_IN_REGISTERED,
					      .token = f.token };

		dmn_host_step(d->host, &hin);
	}
	dmn_log(CMN_LOG_DEBUG, "uid %u pid %d (%s): token %08x registered%s",
		(unsigned int)rq->peer->uid, (int)rq->peer->pid,
		prog_name(rq->prog), f.token,
		v == DMN_VERDICT_CONNECTING ? " while connecting" : "");
	if (v == DMN_VERDICT_CONNECTED) {
		engine_submit(d, f.token, &f.local, &f.remote, rule,
			      c->established || !seen);
	} else if (c->local.ss_family != AF_UNSPEC) {
		engine_submit(d, f.token, &c->local, &c->remote, rule,
			      c->established || !seen);
	} else {
		/* The SYN is out: the addresses come with its event. */
		c->waiting = true;
		c->waiting_since = cmn_now_ms();
	}
	return 0;
}

static void on_clients(struct dmn *d)
{
	dmn_server_run(d->srv);
}

/* ---- unregistered connections --------------------------------------------- */

/*
 * The hook for the connections no program registered within
 * ENG_UNREG_GRACE_MS of their ESTABLISHED event: native MPTCP programs,
 * mptcpize, Go, accepted server connections. daemon/dmn_host gives them
 * what the host's endpoints gave them before the switch (or the policy's
 * [default] rule); until then they keep their initial subflow.
 */
static void on_unregistered(struct dmn *d, const struct dmn_conn *c)
{
	char r[CMN_ADDRSTRLEN];

	dmn_log(CMN_LOG_DEBUG,
		"token %08x: %s connection to %s not registered within %d ms%s",
		c->token, c->server_side ? "an accepted" : "a",
		cmn_sa_fmt((const struct sockaddr *)&c->remote, r, sizeof(r)),
		ENG_UNREG_GRACE_MS,
		d->default_rule ? ": the [default] rule" : "");
	/*
	 * The [default] rule opens extra subflows from the client side;
	 * an accepted connection keeps what its client makes of it.
	 */
	if (d->default_rule && !c->server_side &&
	    c->local.ss_family != AF_UNSPEC)
		engine_submit(d, c->token, &c->local, &c->remote,
			      &policy(d)->def, true);
}

/* dmn_host's question: did a shim register connection @token? */
static bool host_is_registered(void *ctx, uint32_t token)
{
	struct dmn *d = ctx;
	const struct dmn_conn *c = dmn_conns_find(d->conns, token);

	return c && c->registered;
}

static void host_step(struct dmn *d, const struct dmn_host_input *in)
{
	if (d->host && dmn_host_step(d->host, in) < 0) {
		dmn_log(CMN_LOG_WARN, "the host's endpoints are no longer "
				      "served (no privilege)");
		dmn_host_free(d->host);
		d->host = NULL;
		d->host_gave_up = true;
	}
}

static void sweep_unregistered(struct dmn *d)
{
	struct dmn_conn *c;

	while ((c = dmn_conns_unregistered(d->conns, cmn_now_ms())))
		on_unregistered(d, c);
}

/* ---- path-manager events -------------------------------------------------- */

static void on_events(struct dmn *d)
{
	struct eng_input in = { .type = ENG_IN_EVENT };
	struct mptcplib_event ev;
	struct dmn_host_input hin = { .type = DMN_HOST_IN_EVENT, .event = &ev };
	struct dmn_conn *c;
	int err;

	in.event = &ev;
	while (!d->stop) {
		err = mptcplib_events_next(d->evs, &ev, 0);
		if (err == ENOBUFS) {
			/* Lost events: the engine's retry timers resync. */
			dmn_log(CMN_LOG_INFO, "path-manager events were lost");
			continue;
		}
		if (err == ETIMEDOUT || err == EAGAIN || err == EINTR)
			return;
		if (err) {
			dmn_log_error("path-manager events: %s",
				      mptcplib_last_error());
			fatal_stop(d);
			return;
		}
		dmn_refused_event(&d->refused, &ev);
		c = dmn_conns_event(d->conns, &ev, cmn_now_ms());
		if (c) {
			c->waiting = false;
			engine_submit(d, c->token, &c->local, &c->remote,
				      c->rule, c->established);
		}
		engine_step(d, &in);
		host_step(d, &hin);
	}
}

/* ---- links, addresses and routes ------------------------------------------ */

static void on_links(struct dmn *d)
{
	eng_paths_run(&d->paths, d->eng);
	if (eng_engine_stopped(d->eng) && !d->stop) {
		dmn_log_error("the engine cannot open subflows here (see "
			      "above): stopping");
		fatal_stop(d);
	}
}

/*
 * Follow them while the engine wants them: a socket opened now joins the
 * loop; a closed one has left the epoll set by itself.
 */
static void links_sync(struct dmn *d)
{
	if (eng_paths_sync(&d->paths, d->eng) &&
	    slot_watch(d, DMN_SLOT_LINKS, d->paths.fd) < 0) {
		eng_paths_close(&d->paths);
		d->paths.failed = true;
	}
	d->fds[DMN_SLOT_LINKS] = d->paths.fd;
}

/* ---- signals -------------------------------------------------------------- */

static void on_signals(struct dmn *d)
{
	struct signalfd_siginfo si;
	char status[256];

	while (read(d->fds[DMN_SLOT_SIGNALS], &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
			dmn_log(CMN_LOG_INFO, "%s: stopping",
				strsignal((int)si.ssi_signo));
			d->stop = true;
			break;
		case SIGHUP:
			/* systemd waits for READY=1 to end `systemctl reload`. */
			dmn_notify_send(&d->notify, DMN_NOTIFY_RELOADING,
					"reloading the policy");
			policy_reload(d, status, sizeof(status));
			dmn_notify_send(&d->notify, DMN_NOTIFY_READY, status);
			break;
		}
	}
}

/* ---- start, loop, stop ------------------------------------------------------ */

/* The earliest of the timeouts @t (-1: none). */
static int earliest(const int *t, int n)
{
	int best = -1, i;

	for (i = 0; i < n; i++)
		if (t[i] >= 0 && (best < 0 || t[i] < best))
			best = t[i];
	return best;
}

/* ms until replaced policies are looked at again, -1: none kept. */
static int release_timeout(const struct dmn *d, int64_t now)
{
	int64_t left = d->release_at - now;

	if (!dmn_policies_retired(d->pols))
		return -1;
	return left < 0		     ? 0 :
	       left > DMN_RELEASE_MS ? DMN_RELEASE_MS :
				       (int)left;
}

static int loop_timeout(const struct dmn *d)
{
	int64_t now = cmn_now_ms();
	int t[4] = { eng_engine_timeout(d->eng),
		     dmn_conns_timeout(d->conns, now),
		     d->host ? dmn_host_timeout(d->host) : -1,
		     release_timeout(d, now) };

	return earliest(t, 4);
}

static void run(struct dmn *d)
{
	struct eng_input timer = { .type = ENG_IN_TIMER };
	struct dmn_host_input host_timer = { .type = DMN_HOST_IN_TIMER };
	struct epoll_event evs[DMN_NSLOTS];
	int n, i;

	while (!d->stop) {
		n = epoll_wait(d->ep, evs, DMN_NSLOTS, loop_timeout(d));
		if (n < 0 && errno != EINTR) {
			dmn_log_error("epoll: %s", strerror(errno));
			fatal_stop(d);
			break;
		}
		for (i = 0; i < n && !d->stop; i++) {
			uint32_t slot = evs[i].data.u32;

			if (slot < DMN_NSLOTS && slot_ops[slot].ready)
				slot_ops[slot].ready(d);
		}
		if (d->stop)
			break;
		engine_step(d, &timer);
		host_step(d, &host_timer);
		sweep_unregistered(d);
		if (release_timeout(d, cmn_now_ms()) == 0)
			policies_release(d);
		links_sync(d);
	}
}

/* The record of the path manager to put back: next to the socket. */
static void record_path(const char *socket_path, char *buf, size_t len)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s", socket_path);
	snprintf(buf, len, "%s/path-manager.saved", dirname(dir));
}

/*
 * What the in-kernel path manager's endpoints and limits are: read at the
 * start, before the switch, and kept for the reloads. 0 or -errno.
 */
static int host_snapshot(struct dmn *d)
{
	struct dmn_host_config *cfg = calloc(1, sizeof(*cfg));
	int err;

	if (!cfg)
		return -ENOMEM;
	err = dmn_host_snapshot(cfg);
	if (err) {
		free(cfg);
		return err;
	}
	d->host_cfg = cfg;
	return 0;
}

/*
 * What unregistered connections get: the [default] rule of the policy in
 * force when it has one, else what the host's endpoints gave them. At the
 * start, and at each reload (a [default] added or removed): the
 * connections the host module followed keep what it opened. Said when it
 * changes. 0 or -errno (nothing for them then).
 */
static int unregistered_apply(struct dmn *d)
{
	bool want = strcmp(policy(d)->def.origin, "built-in") != 0;
	const struct dmn_host_config *cfg;
	int err;

	if (want) {
		if (!d->default_rule)
			dmn_log(CMN_LOG_INFO,
				"connections no program registers: the "
				"[default] rule (%s)",
				policy(d)->def.origin);
		d->default_rule = true;
		dmn_host_free(d->host);
		d->host = NULL;
		return 0;
	}
	d->default_rule = false;
	if (d->host || d->host_gave_up)
		return 0;
	/* Read now if the start could not: the kernel keeps them. */
	err = d->host_cfg ? 0 : host_snapshot(d);
	if (err) {
		dmn_log_error("connections no program registers get nothing: "
			      "the host's MPTCP endpoints cannot be read: %s",
			      mptcplib_last_error());
		return err;
	}
	cfg = d->host_cfg;
	d->host = dmn_host_new(cfg, &d->host_ops, dmn_log);
	if (!d->host) {
		dmn_log_error("connections no program registers get nothing: "
			      "out of memory");
		return -ENOMEM;
	}
	dmn_log(CMN_LOG_INFO,
		"connections no program registers: the host's %d endpoint%s "
		"(subflows %d, add_addr_accepted %d)",
		cfg->nendpoints, cfg->nendpoints == 1 ? "" : "s",
		cfg->limits.subflows, cfg->limits.add_addr_accepted);
	return 0;
}

/*
 * The endpoints read before the switch (a policy with [default] does
 * without them, until a reload drops it), and what unregistered
 * connections get now.
 */
static int host_start(struct dmn *d)
{
	int err;

	dmn_host_kernel_ops(&d->host_ops, host_is_registered, d);
	err = host_snapshot(d);
	if (err && strcmp(policy(d)->def.origin, "built-in") == 0) {
		dmn_log_error("the host's MPTCP endpoints: %s",
			      mptcplib_last_error());
		return err;
	}
	if (err)
		dmn_log(CMN_LOG_WARN,
			"the host's MPTCP endpoints cannot be read (%s): a "
			"reload that drops [default] tries again",
			mptcplib_last_error());
	return unregistered_apply(d);
}

/* The daemon's part of a STATE: what `mptcp-auto status` shows. */
static void on_status(void *ctx, struct eng_wire_msg *m)
{
	struct dmn *d = ctx;
	char path[PATH_MAX];

	/* Read now: someone may have switched the namespace back by hand. */
	if (d->pm.taken && dmn_pm_mode(&d->pm, m->mode, sizeof(m->mode)))
		m->mode[0] = '\0';
	if (d->host)
		m->unregistered = ENG_WIRE_UNREG_ENDPOINTS;
	else if (d->default_rule)
		m->unregistered = ENG_WIRE_UNREG_DEFAULT;
	m->since = d->started;
	/* Where the rules come from, for explain and run to read the same. */
	if (!d->policy_file)
		snprintf(m->policy, sizeof(m->policy), "%s", mpa_system_dir);
	else if (realpath(d->policy_file, path) && eng_wire_path_ok(path))
		memcpy(m->policy, path, strlen(path) + 1); /* it fits */
	dmn_refused_fill(&d->refused, m);
}

/*
 * Room for the clients asked for: each holds a descriptor of the daemon,
 * so RLIMIT_NOFILE's soft limit is raised (up to the hard one) to what
 * they need, and the total lowered to what it then allows. The limits
 * into @l; said.
 */
static void client_limits(const struct dmn *d, struct dmn_slot_limits *l)
{
	struct rlimit rl;
	uint64_t need, have = UINT64_MAX;

	dmn_slots_limits(d->max_clients, d->max_per_uid, UINT64_MAX, l);
	need = dmn_slots_nofile(l->max);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		have = rl.rlim_cur;
	if (have < need) {
		struct rlimit up = { .rlim_cur = need,
				     .rlim_max = rl.rlim_max };

		if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need)
			up.rlim_cur = rl.rlim_max;
		if (up.rlim_cur > have && setrlimit(RLIMIT_NOFILE, &up) == 0) {
			dmn_log(CMN_LOG_INFO,
				"descriptor limit (RLIMIT_NOFILE) raised from "
				"%llu to %llu for the clients",
				(unsigned long long)have,
				(unsigned long long)up.rlim_cur);
			have = up.rlim_cur;
		}
	}
	dmn_slots_limits(d->max_clients, d->max_per_uid, have, l);
	if (l->max_cut)
		dmn_log(CMN_LOG_WARN,
			"%llu descriptors allowed (RLIMIT_NOFILE, hard limit "
			"%llu): at most %d clients, not %llu (raise the hard "
			"limit, LimitNOFILE= under systemd)",
			(unsigned long long)have,
			(unsigned long long)rl.rlim_max, l->max,
			(unsigned long long)need - DMN_FD_RESERVE);
	if (l->per_uid_cut)
		dmn_log(CMN_LOG_WARN,
			"--max-clients-per-user %d is more than the %d clients "
			"in all: %d",
			d->max_per_uid, l->max, l->per_uid);
	dmn_log(CMN_LOG_INFO, "clients: at most %d at once, %d per user",
		l->max, l->per_uid);
}

/* 0 once it serves, with a line for systemd's status in @status. */
static int start(struct dmn *d, char *status, size_t len)
{
	struct dmn_server_config cfg = { .path = d->socket_path,
					 .rate = d->rate,
					 .burst = d->burst,
					 .handle = on_register,
					 .state = on_status,
					 .ctx = d,
					 .log = dmn_log,
					 .procdir = d->procdir };
	char why[512], record[PATH_MAX];
	struct dmn_slot_limits lim;
	struct mpa_policy *p;
	sigset_t mask;
	int err, fd;

	d->started = time(NULL);
	p = policy_load(d);
	d->pols = p ? dmn_policies_new(p) : NULL;
	if (p && !d->pols)
		mpa_policy_free(p);
	d->conns = dmn_conns_new(ENG_MAX_CONNS);
	d->eng = eng_run_new(2, dmn_log);
	if (!d->pols || !d->conns || !d->eng) {
		dmn_log_error("out of memory");
		return -ENOMEM;
	}
	policy_diags(policy(d));
	client_limits(d, &lim);
	cfg.max_clients = lim.max;
	cfg.max_per_uid = lim.per_uid;
	/*
	 * Events first: a connection made once the path manager is
	 * userspace must not find the daemon deaf to it.
	 */
	err = mptcplib_events_open(&d->evs);
	if (err) {
		/* The library's text already names CAP_NET_ADMIN on EPERM. */
		dmn_log_error("path-manager events: %s", mptcplib_last_error());
		return -err;
	}
	eng_engine_subscribed(d->eng);
	err = dmn_server_open(&cfg, &d->srv, why, sizeof(why));
	if (err) {
		dmn_log_error("%s", why);
		return err;
	}
	err = dmn_verify_netns(dmn_server_listen_fd(d->srv), &d->netns);
	if (err) {
		dmn_log_error("the namespace's cookie (SO_NETNS_COOKIE, 5.14): "
			      "%s",
			      strerror(-err));
		return err;
	}
	err = host_start(d);
	if (err)
		return err;
	record_path(d->socket_path, record, sizeof(record));
	err = dmn_pm_take(&d->pm, DMN_PM_SYSCTL_DIR, record, why, sizeof(why));
	if (err) {
		dmn_log_error("cannot switch the path manager: %s", why);
		return err;
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	d->ep = epoll_create1(EPOLL_CLOEXEC);
	if (fd < 0 || d->ep < 0) {
		dmn_log_error("signalfd, epoll: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	if (slot_watch(d, DMN_SLOT_SIGNALS, fd) ||
	    slot_watch(d, DMN_SLOT_EVENTS, mptcplib_events_fd(d->evs)) ||
	    slot_watch(d, DMN_SLOT_CLIENTS, dmn_server_fd(d->srv)))
		return -EIO;
	dmn_log(CMN_LOG_INFO,
		"serving %s; path manager: userspace (%s %s at the stop)",
		d->socket_path, dmn_pm_knob_file(d->pm.knob), d->pm.restore);
	snprintf(status, len,
		 "serving %s, at most %d clients, %d per user; path manager "
		 "userspace",
		 d->socket_path, lim.max, lim.per_uid);
	return 0;
}

static void finish(struct dmn *d)
{
	char why[512];

	dmn_notify_send(&d->notify, DMN_NOTIFY_STOPPING,
			"stopping: putting the path manager back");
	if (dmn_pm_restore(&d->pm, why, sizeof(why))) {
		dmn_log_error("the path manager stays userspace: %s", why);
		d->status = 1;
	}
	dmn_server_close(d->srv);
	if (d->evs)
		mptcplib_events_close(d->evs);
	eng_paths_close(&d->paths);
	if (d->fds[DMN_SLOT_SIGNALS] >= 0)
		close(d->fds[DMN_SLOT_SIGNALS]);
	if (d->ep >= 0)
		close(d->ep);
	eng_engine_free(d->eng);
	dmn_host_free(d->host);
	free(d->host_cfg);
	dmn_conns_free(d->conns);
	dmn_policies_free(d->pols);
	dmn_notify_close(&d->notify);
}

/* A positive number of at most 1000000, or -1. */
static int count_arg(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	return errno || *end || end == s || v < 1 || v > 1000000 ? -1 : (int)v;
}

/* Where option @o's count goes, and the option's name. */
static int *count_dest(struct dmn *d, int o, const char **name)
{
	switch (o) {
	case 'r':
		*name = "rate";
		return &d->rate;
	case 'b':
		*name = "burst";
		return &d->burst;
	case 'm':
		*name = "max-clients";
		return &d->max_clients;
	default:
		*name = "max-clients-per-user";
		return &d->max_per_uid;
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "policy", required_argument, NULL, 'p' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "rate", required_argument, NULL, 'r' },
		{ "burst", required_argument, NULL, 'b' },
		{ "max-clients", required_argument, NULL, 'm' },
		{ "max-clients-per-user", required_argument, NULL, 'u' },
		{ "procdir", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct dmn d = { .ep = -1,
			 .socket_path = getenv(DMN_ENV_SOCKET),
			 .notify.fd = -1 };
	char status[512];
	const char *name;
	int o, i, err, *dst;
	sigset_t mask;

	for (i = 0; i < DMN_NSLOTS; i++)
		d.fds[i] = -1;
	eng_paths_init(&d.paths);
	while ((o = getopt_long(argc, argv, "s:p:vh", opts, NULL)) != -1) {
		switch (o) {
		case 's':
			d.socket_path = optarg;
			break;
		case 'p':
			d.policy_file = optarg;
			break;
		case 'P':
			d.procdir = optarg;
			break;
		case 'v':
			dmn_log_set_level(CMN_LOG_DEBUG);
			break;
		case 'r':
		case 'b':
		case 'm':
		case 'u':
			dst = count_dest(&d, o, &name);
			if (count_arg(optarg) < 0) {
				dmn_log_error("--%s: a number from 1 to "
					      "1000000",
					      name);
				return 2;
			}
			*dst = count_arg(optarg);
			break;
		case 'h':
			printf(usage, mpa_system_dir);
			return 0;
		default:
			fprintf(stderr, usage, mpa_system_dir);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, usage, mpa_system_dir);
		return 2;
	}
	if (!d.socket_path || !d.socket_path[0])
		d.socket_path = DMN_SOCKET_DEFAULT;
	/*
	 * Blocked before anything else: a stop asked during the start waits
	 * in the signalfd, and is served once the path manager is recorded.
	 */
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	/*
	 * A $NOTIFY_SOCKET that cannot be used is said, and the daemon serves
	 * all the same: systemd will give up waiting, and say so too.
	 */
	err = dmn_notify_open(&d.notify, getenv("NOTIFY_SOCKET"));
	if (err)
		dmn_log(CMN_LOG_WARN,
			"$NOTIFY_SOCKET %s: %s: systemd is not told "
			"when the daemon is ready",
			getenv("NOTIFY_SOCKET"), strerror(-err));
	if (start(&d, status, sizeof(status)) == 0) {
		dmn_notify_send(&d.notify, DMN_NOTIFY_READY, status);
		run(&d);
	} else {
		d.status = 1;
	}
	finish(&d);
	if (!d.status)
		dmn_log(CMN_LOG_INFO, "stopped; %s is %s again",
			dmn_pm_knob_file(d.pm.knob), d.pm.restore);
	return d.status;
}

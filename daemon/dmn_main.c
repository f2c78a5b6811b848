// SPDX-License-Identifier: MIT
/*
 * mptcp-autod: the network namespace's path manager. It switches the
 * namespace to the userspace path manager, serves registrations (a
 * program's connection, proven by the socket itself) with the program's
 * rule from the system policy, narrowed by the user, through the engine,
 * and puts the path manager back at a clean stop (SIGTERM, SIGINT).
 * SIGHUP reloads the policy. One thread, one epoll loop.
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
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "cmn_addr.h"
#include "cmn_clock.h"
#include "dmn_conns.h"
#include "dmn_host.h"
#include "dmn_log.h"
#include "dmn_narrow.h"
#include "dmn_pm.h"
#include "dmn_refused.h"
#include "dmn_server.h"
#include "dmn_verify.h"
#include "eng_engine.h"
#include "eng_run.h"

static const char usage[] =
	"usage: mptcp-autod [--socket PATH] [--policy FILE] [--verbose]\n"
	"                   [--rate N] [--burst N]\n"
	"\n"
	"The network namespace's MPTCP path manager: switches it to the\n"
	"userspace path manager, opens the subflows of the connections that\n"
	"programs register (the shim does) by their program's rule, and puts\n"
	"the previous path manager back on SIGTERM or SIGINT. SIGHUP reloads\n"
	"the policy. Needs CAP_NET_ADMIN. Logs to standard error.\n"
	"\n"
	"  --socket PATH  registration socket (env " DMN_ENV_SOCKET ";\n"
	"                 default " DMN_SOCKET_DEFAULT ")\n"
	"  --policy FILE  the policy, instead of the system's (%s)\n"
	"  --verbose      debug lines too\n"
	"  --rate N       registrations per second per user (default 2000)\n"
	"  --burst N      registrations a user may make at once (default 4000)\n";

/*
 * The loop's descriptors, one slot each; the epoll data of each is its
 * slot. A source of work is a slot and a handler in slot_ops[].
 */
enum dmn_slot {
	DMN_SLOT_SIGNALS, /* signalfd: SIGTERM, SIGINT, SIGHUP */
	DMN_SLOT_EVENTS, /* the path-manager events (mptcp_pm genl) */
	DMN_SLOT_CLIENTS, /* the registration server's own epoll */
	DMN_SLOT_LINKS, /* rtnetlink links and addresses: not yet */
	DMN_NSLOTS,
};

struct dmn {
	int ep;
	int fds[DMN_NSLOTS];
	bool stop;
	int status; /* the exit status */

	const char *socket_path;
	const char *policy_file; /* NULL: the system policy */
	struct mpa_policy *policy;
	/* Earlier policies: the engine's connections point into them. */
	struct mpa_policy **old;
	int nold;
	struct dmn_narrow_table *narrow;

	struct dmn_server *srv;
	uint64_t netns; /* this namespace's cookie */
	struct mptcplib_events *evs;
	struct eng_engine *eng;
	struct dmn_conns *conns;
	struct dmn_pm pm;
	/*
	 * Connections nobody registered: the system policy's [default] rule
	 * when it has one, else the host's former endpoints (host).
	 */
	bool default_rule;
	time_t started; /* wall clock, for `mptcp-auto status` */
	struct dmn_refused refused; /* joins the peers refused, for status */
	struct dmn_host_ops host_ops;
	struct dmn_host *host;
};

static void on_signals(struct dmn *d);
static void on_events(struct dmn *d);
static void on_clients(struct dmn *d);

static const struct {
	const char *name;
	void (*ready)(struct dmn *d);
} slot_ops[DMN_NSLOTS] = {
	[DMN_SLOT_SIGNALS] = { "signals", on_signals },
	[DMN_SLOT_EVENTS] = { "path-manager events", on_events },
	[DMN_SLOT_CLIENTS] = { "registrations", on_clients },
	/* The path-change work adds its rtnetlink socket and handler. */
	[DMN_SLOT_LINKS] = { "links and addresses", NULL },
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

/*
 * SIGHUP: a policy with errors is not taken (the running one stays);
 * the old one is kept, since the engine's connections point into it.
 */
static void policy_reload(struct dmn *d)
{
	struct mpa_policy *p = policy_load(d), **old;

	if (!p) {
		dmn_log(CMN_LOG_WARN, "policy not reloaded: out of memory");
		return;
	}
	policy_diags(p);
	if (p->nerrors) {
		dmn_log(CMN_LOG_WARN,
			"policy not reloaded: %d error%s; the running one "
			"stays",
			p->nerrors, p->nerrors == 1 ? "" : "s");
		mpa_policy_free(p);
		return;
	}
	old = realloc(d->old, sizeof(*old) * (size_t)(d->nold + 1));
	if (!old) {
		dmn_log(CMN_LOG_WARN, "policy not reloaded: out of memory");
		mpa_policy_free(p);
		return;
	}
	d->old = old;
	d->old[d->nold++] = d->policy;
	d->policy = p;
	dmn_log(CMN_LOG_INFO, "policy reloaded: %d file%s, %d program rule%s",
		p->nfiles, p->nfiles == 1 ? "" : "s", p->nprograms,
		p->nprograms == 1 ? "" : "s");
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
	sys = mpa_policy_program(d->policy, &rq->prog->id);
	err = dmn_narrow_intern(d->narrow, sys, rq->msg, rq->peer->uid, &rule);
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
			      &d->policy->def, true);
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

/* ---- signals -------------------------------------------------------------- */

static void on_signals(struct dmn *d)
{
	struct signalfd_siginfo si;

	while (read(d->fds[DMN_SLOT_SIGNALS], &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
			dmn_log(CMN_LOG_INFO, "%s: stopping",
				strsignal((int)si.ssi_signo));
			d->stop = true;
			break;
		case SIGHUP:
			policy_reload(d);
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

static int loop_timeout(const struct dmn *d)
{
	int t[3] = { eng_engine_timeout(d->eng),
		     dmn_conns_timeout(d->conns, cmn_now_ms()),
		     d->host ? dmn_host_timeout(d->host) : -1 };

	return earliest(t, 3);
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
 * What unregistered connections get: the [default] rule of a policy that
 * has one, else what the in-kernel path manager's endpoints and limits
 * gave them, read now, before the switch.
 */
static int host_start(struct dmn *d)
{
	struct dmn_host_config *cfg;
	int err;

	d->default_rule = strcmp(d->policy->def.origin, "built-in") != 0;
	if (d->default_rule) {
		dmn_log(CMN_LOG_INFO,
			"connections no program registers: the [default] "
			"rule (%s)",
			d->policy->def.origin);
		return 0;
	}
	cfg = calloc(1, sizeof(*cfg));
	if (!cfg)
		return -ENOMEM;
	err = dmn_host_snapshot(cfg);
	if (err) {
		dmn_log_error("the host's MPTCP endpoints: %s",
			      mptcplib_last_error());
		free(cfg);
		return err;
	}
	dmn_host_kernel_ops(&d->host_ops, host_is_registered, d);
	d->host = dmn_host_new(cfg, &d->host_ops, dmn_log);
	if (d->host)
		dmn_log(CMN_LOG_INFO,
			"connections no program registers: the host's %d "
			"endpoint%s (subflows %d, add_addr_accepted %d)",
			cfg->nendpoints, cfg->nendpoints == 1 ? "" : "s",
			cfg->limits.subflows, cfg->limits.add_addr_accepted);
	free(cfg);
	return d->host ? 0 : -ENOMEM;
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

static int start(struct dmn *d, int rate, int burst)
{
	struct dmn_server_config cfg = { .path = d->socket_path,
					 .rate = rate,
					 .burst = burst,
					 .handle = on_register,
					 .state = on_status,
					 .ctx = d,
					 .log = dmn_log };
	char why[512], record[PATH_MAX];
	sigset_t mask;
	int err, fd;

	d->started = time(NULL);
	d->policy = policy_load(d);
	d->narrow = dmn_narrow_table_new();
	d->conns = dmn_conns_new(ENG_MAX_CONNS);
	d->eng = eng_run_new(2, dmn_log);
	if (!d->policy || !d->narrow || !d->conns || !d->eng) {
		dmn_log_error("out of memory");
		return -ENOMEM;
	}
	policy_diags(d->policy);
	/*
	 * Events first: a connection made once the path manager is
	 * userspace must not find the daemon deaf to it.
	 */
	err = mptcplib_events_open(&d->evs);
	if (err) {
		dmn_log_error("path-manager events: %s%s",
			      mptcplib_last_error(),
			      err == EPERM ? " (needs CAP_NET_ADMIN)" : "");
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
	return 0;
}

static void finish(struct dmn *d)
{
	char why[512];
	int i;

	if (dmn_pm_restore(&d->pm, why, sizeof(why))) {
		dmn_log_error("the path manager stays userspace: %s", why);
		d->status = 1;
	}
	dmn_server_close(d->srv);
	if (d->evs)
		mptcplib_events_close(d->evs);
	if (d->fds[DMN_SLOT_SIGNALS] >= 0)
		close(d->fds[DMN_SLOT_SIGNALS]);
	if (d->ep >= 0)
		close(d->ep);
	eng_engine_free(d->eng);
	dmn_host_free(d->host);
	dmn_conns_free(d->conns);
	dmn_narrow_table_free(d->narrow);
	mpa_policy_free(d->policy);
	for (i = 0; i < d->nold; i++)
		mpa_policy_free(d->old[i]);
	free(d->old);
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

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "policy", required_argument, NULL, 'p' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "rate", required_argument, NULL, 'r' },
		{ "burst", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct dmn d = { .ep = -1, .socket_path = getenv(DMN_ENV_SOCKET) };
	int rate = 0, burst = 0, o, i;
	sigset_t mask;

	for (i = 0; i < DMN_NSLOTS; i++)
		d.fds[i] = -1;
	while ((o = getopt_long(argc, argv, "s:p:vh", opts, NULL)) != -1) {
		switch (o) {
		case 's':
			d.socket_path = optarg;
			break;
		case 'p':
			d.policy_file = optarg;
			break;
		case 'v':
			dmn_log_set_level(CMN_LOG_DEBUG);
			break;
		case 'r':
		case 'b':
			if (count_arg(optarg) < 0) {
				dmn_log_error("--%s: a number from 1 to "
					      "1000000",
					      o == 'r' ? "rate" : "burst");
				return 2;
			}
			*(o == 'r' ? &rate : &burst) = count_arg(optarg);
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
	if (start(&d, rate, burst) == 0)
		run(&d);
	else
		d.status = 1;
	finish(&d);
	if (!d.status)
		dmn_log(CMN_LOG_INFO, "stopped; %s is %s again",
			dmn_pm_knob_file(d.pm.knob), d.pm.restore);
	return d.status;
}

// SPDX-License-Identifier: MIT
/*
 * The engine's thread loop and its kernel operations: a thin wrapper
 * around the state machine (eng_engine.c), which makes every decision.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "cmn_addr.h"
#include "cmn_clock.h"
#include "cmn_rtnl.h"
#include "eng_diag.h"
#include "eng_run.h"

#define LOG(log, level, ...)                     \
	do {                                     \
		if (log)                         \
			log(level, __VA_ARGS__); \
	} while (0)

static int64_t kernel_now(void *ctx)
{
	(void)ctx;
	return cmn_now_ms();
}

static int kernel_open_subflow(void *ctx, uint32_t token,
			       const struct mpa_local *from,
			       const struct sockaddr *to, char *why, size_t len)
{
	struct mptcplib_flow flow = {
		.low_prio = from->backup,
		.local = (struct sockaddr *)&from->addr,
		.local_len = cmn_sa_len(from->addr.ss_family),
		.remote = (struct sockaddr *)to,
		.remote_len = cmn_sa_len(to->sa_family),
	};
	struct mptcplib_open_opts opts = { .ifindex = from->ifindex };
	int err;

	(void)ctx;
	err = mptcplib_token_open_sub(token, &flow, &opts);
	/* Public API: last_error is this thread's own. */
	if (err)
		snprintf(why, len, "%s", mptcplib_last_error());
	return -err;
}

static int kernel_set_backup(void *ctx, uint32_t token,
			     const struct sockaddr *local,
			     const struct sockaddr *remote, char *why,
			     size_t len)
{
	struct mptcplib_flow flow = {
		.local = (struct sockaddr *)local,
		.local_len = cmn_sa_len(local->sa_family),
		.remote = (struct sockaddr *)remote,
		.remote_len = cmn_sa_len(remote->sa_family),
	};
	int err;

	(void)ctx;
	err = mptcplib_token_set_sub_prio(token, &flow, 1);
	if (err)
		snprintf(why, len, "%s", mptcplib_last_error());
	return -err;
}

static int kernel_close_subflow(void *ctx, uint32_t token,
				const struct sockaddr *local,
				const struct sockaddr *remote, char *why,
				size_t len)
{
	struct mptcplib_flow flow = {
		.local = (struct sockaddr *)local,
		.local_len = cmn_sa_len(local->sa_family),
		.remote = (struct sockaddr *)remote,
		.remote_len = cmn_sa_len(remote->sa_family),
	};
	int err;

	(void)ctx;
	err = mptcplib_token_close_sub(token, &flow);
	if (err)
		snprintf(why, len, "%s", mptcplib_last_error());
	return -err;
}

static int kernel_remove_addr(void *ctx, uint32_t token, int id, char *why,
			      size_t len)
{
	int err;

	(void)ctx;
	err = mptcplib_token_remove(token, id);
	if (err)
		snprintf(why, len, "%s", mptcplib_last_error());
	return -err;
}

static int kernel_ifindex_of(void *ctx, const struct sockaddr *addr,
			     char *ifname)
{
	(void)ctx;
	return eng_resolve_addr(addr, ifname);
}

static int kernel_read_subflows(void *ctx, struct eng_probe *v, int n)
{
	(void)ctx;
	return eng_diag_read(v, n);
}

const struct eng_ops eng_kernel_ops = {
	.now = kernel_now,
	.open_subflow = kernel_open_subflow,
	.set_backup = kernel_set_backup,
	.close_subflow = kernel_close_subflow,
	.remove_addr = kernel_remove_addr,
	.ifindex_of = kernel_ifindex_of,
	.read_subflows = kernel_read_subflows,
	.plan = &eng_plan_kernel,
};

struct eng_engine *eng_run_new(unsigned int queue_slots, cmn_log_fn log)
{
	struct eng_config cfg = {
		.queue_slots = queue_slots,
		.log = log,
		.ops = &eng_kernel_ops,
	};

	return eng_engine_new(&cfg);
}

void eng_paths_init(struct eng_paths *p)
{
	p->fd = -1;
	p->failed = false;
}

void eng_paths_close(struct eng_paths *p)
{
	cmn_rtnl_close(p->fd);
	p->fd = -1;
}

bool eng_paths_sync(struct eng_paths *p, struct eng_engine *e)
{
	cmn_log_fn log = eng_engine_logger(e);
	bool want = eng_engine_follows_paths(e);

	if (!want && p->fd >= 0) {
		eng_paths_close(p);
		LOG(log, CMN_LOG_DEBUG,
		    "links, addresses and routes: no longer "
		    "followed (no connection needs them)");
	}
	if (!want || p->fd >= 0 || p->failed)
		return false;
	p->fd = cmn_rtnl_open();
	if (p->fd < 0) {
		LOG(log, CMN_LOG_WARN,
		    "links, addresses and routes cannot be followed (%s): "
		    "subflows do not follow them",
		    strerror(-p->fd));
		p->fd = -1;
		p->failed = true;
		return false;
	}
	LOG(log, CMN_LOG_DEBUG, "links, addresses and routes: followed");
	return true;
}

void eng_paths_run(struct eng_paths *p, struct eng_engine *e)
{
	struct eng_input in = { .type = ENG_IN_PATH };
	struct cmn_rtnl_event evs[32];
	char buf[16384];
	int n, i;

	while (p->fd >= 0 && !eng_engine_stopped(e)) {
		n = cmn_rtnl_read(p->fd, buf, sizeof(buf), evs, 32);
		if (n == -EAGAIN)
			return;
		if (n < 0) {
			LOG(eng_engine_logger(e), CMN_LOG_WARN,
			    "links, addresses and routes: %s: no longer "
			    "followed",
			    strerror(-n));
			eng_paths_close(p);
			p->failed = true;
			return;
		}
		for (i = 0; i < n; i++) {
			in.path = &evs[i];
			if (eng_engine_step(e, &in) < 0)
				return;
		}
	}
}

/*
 * Every event the socket holds (the library may have buffered several
 * from one read, which poll() would not show). 0, or -1 when the socket
 * is broken.
 */
static int run_events(struct eng_engine *e, struct mptcplib_events *evs)
{
	cmn_log_fn log = eng_engine_logger(e);
	struct eng_input in = { .type = ENG_IN_EVENT };
	struct mptcplib_event ev;
	int err;

	in.event = &ev;
	for (;;) {
		err = mptcplib_events_next(evs, &ev, 0);
		if (err == ENOBUFS) {
			/* Lost events: the retry timers resync. */
			LOG(log, CMN_LOG_DEBUG, "events were dropped");
			continue;
		}
		if (err)
			break;
		if (eng_engine_step(e, &in) < 0)
			return 0;
	}
	/*
	 * Anything but "no more for now" means the socket is broken: stop
	 * rather than spin on a descriptor that polls ready.
	 */
	if (err != ETIMEDOUT && err != EAGAIN && err != EINTR) {
		LOG(log, CMN_LOG_WARN,
		    "%s: no more subflows are opened in this process",
		    mptcplib_last_error());
		return -1;
	}
	return 0;
}

/*
 * Subscribe to the MPTCP events into *@evs, and tell the engine (the
 * connections queued before were maybe established unseen). 0, or -1
 * when the socket cannot be had: said, the engine disabled.
 */
static int events_subscribe(struct eng_engine *e, struct mptcplib_events **evs)
{
	cmn_log_fn log = eng_engine_logger(e);
	int err = mptcplib_events_open(evs);

	if (err) {
		*evs = NULL;
		LOG(log, CMN_LOG_WARN,
		    "%s: connections stay MPTCP, but no subflow is opened",
		    mptcplib_last_error());
		eng_engine_disable(e);
		return -1;
	}
	eng_engine_subscribed(e);
	return 0;
}

void eng_engine_run(struct eng_engine *e, bool wake_signal)
{
	struct eng_input timer = { .type = ENG_IN_TIMER };
	struct eng_queue *q = eng_engine_queue(e);
	cmn_log_fn log = eng_engine_logger(e);
	struct mptcplib_events *evs = NULL;
	struct eng_paths paths;
	int wfd = -1;

	/* The helper starts with a connection to serve: subscribe now. */
	if (events_subscribe(e, &evs) < 0)
		return;
	if (wake_signal) {
		wfd = eng_queue_wake_open(q);
		if (wfd < 0)
			LOG(log, CMN_LOG_DEBUG,
			    "no wake-up signal (%s): the queue is looked at "
			    "every %d ms",
			    strerror(-wfd), ENG_TICK_MS);
	}
	eng_paths_init(&paths);
	while (!eng_engine_stopped(e)) {
		struct pollfd pfd[3] = {
			{ .fd = -1, .events = POLLIN },
			{ .fd = wfd, .events = POLLIN },
			{ .fd = -1, .events = POLLIN },
		};
		int timeout, left = -1;

		/*
		 * Back from idle with connections to serve: subscribe before
		 * taking them, so that none of their later events is missed.
		 */
		if (!evs && eng_queue_pending(q) &&
		    events_subscribe(e, &evs) < 0)
			break;
		/*
		 * Events first: a submission then finds its connection's
		 * CREATED seen, and waits for its ESTABLISHED rather than try
		 * too early.
		 */
		if (evs && run_events(e, evs) < 0)
			break;
		/*
		 * Not subscribed: a push that came after the look above stays
		 * queued (the sleep below then does not), and is taken once
		 * subscribed.
		 */
		if (evs)
			eng_engine_drain(e);
		eng_paths_run(&paths, e);
		eng_engine_step(e, &timer);
		eng_paths_sync(&paths, e);
		/*
		 * No connection followed for a while: every connection of
		 * the namespace would wake us for nothing.
		 */
		if (evs && !eng_engine_follows_events(e, &left)) {
			mptcplib_events_close(evs);
			evs = NULL;
			LOG(log, CMN_LOG_DEBUG,
			    "MPTCP events: no longer followed (no connection "
			    "needs them)");
		}
		/* A negative descriptor is ignored by poll(). */
		pfd[0].fd = evs ? mptcplib_events_fd(evs) : -1;
		pfd[2].fd = paths.fd;
		/* No timer, no tick: only an event or a submission wakes us. */
		timeout = eng_engine_timeout(e);
		if (evs && left >= 0 && (timeout < 0 || timeout > left))
			timeout = left;
		if (wfd < 0 && (timeout < 0 || timeout > ENG_TICK_MS))
			timeout = ENG_TICK_MS;
		if (!eng_queue_sleep(q) || eng_engine_stopped(e)) {
			eng_queue_awake(q);
			continue;
		}
		poll(pfd, 3, timeout);
		eng_queue_awake(q);
		if (wfd >= 0 && (pfd[1].revents & POLLIN) &&
		    eng_queue_wake_read(q, wfd) < 0) {
			wfd = -1;
			LOG(log, CMN_LOG_INFO,
			    "SIGURG sent to the process: given back to it; the "
			    "queue is looked at every %d ms from now on",
			    ENG_TICK_MS);
		}
	}
	/*
	 * Submissions fail from here on; then no submitter is left that may
	 * still signal this thread, whose id another thread may get once
	 * this one has ended.
	 */
	eng_engine_disable(e);
	if (wfd >= 0)
		eng_queue_wake_close(q, wfd);
	eng_paths_close(&paths);
	if (evs)
		mptcplib_events_close(evs);
}

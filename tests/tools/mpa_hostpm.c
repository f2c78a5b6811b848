// SPDX-License-Identifier: MIT
/*
 * mpa-hostpm: the daemon's host module (daemon/dmn_host.c) alone, on the
 * real kernel, for tests/integration/host_pm.sh: what the in-kernel path
 * manager did for unregistered connections, before the daemon exists.
 *
 * In the namespace it runs in: reads the endpoints and limits, records the
 * path manager and switches to the userspace one, follows the
 * path-manager events and feeds them to the module until SIGTERM or
 * SIGINT, then puts the path manager back and exits 0.
 *
 *   mpa-hostpm [--registered] [--verbose] READY-FILE
 *
 * READY-FILE is created once the events are followed and the namespace
 * switched. --registered answers "registered" for every connection (the
 * module must then leave them all alone). At exit, one line on standard
 * output: "served N requested N established N announced N failed N".
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmn_addr.h"
#include "dmn_host.h"
#include "mptcplib.h"

static volatile sig_atomic_t stop;
static bool verbose;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void log_line(enum cmn_log_level level, const char *f, ...)
{
	va_list ap;

	if (level == CMN_LOG_DEBUG && !verbose)
		return;
	va_start(ap, f);
	fprintf(stderr, "mpa-hostpm: ");
	vfprintf(stderr, f, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static bool all_registered;

static bool is_registered(void *ctx, uint32_t token)
{
	(void)ctx;
	(void)token;
	return all_registered;
}

/* The knob and its values: the string one (6.15+), else pm_type. */
struct pm_knob {
	const char *path;
	const char *userspace;
	char saved[32];
};

static int knob_read(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int knob_write(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, value, strlen(value)) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

static int knob_switch(struct pm_knob *k)
{
	k->path = "/proc/sys/net/mptcp/path_manager";
	k->userspace = "userspace";
	if (knob_read(k->path, k->saved, sizeof(k->saved))) {
		k->path = "/proc/sys/net/mptcp/pm_type";
		k->userspace = "1";
		if (knob_read(k->path, k->saved, sizeof(k->saved)))
			return -ENOENT;
	}
	return knob_write(k->path, k->userspace);
}

static void print_config(const struct dmn_host_config *cfg)
{
	char a[CMN_ADDRSTRLEN];
	int i;

	fprintf(stderr, "mpa-hostpm: limits subflows %d add_addr_accepted %d\n",
		cfg->limits.subflows, cfg->limits.add_addr_accepted);
	for (i = 0; i < cfg->nendpoints; i++) {
		const struct mptcplib_endpoint *e = &cfg->endpoints[i];

		fprintf(stderr,
			"mpa-hostpm: endpoint id %d %s flags 0x%x ifindex %d\n",
			e->id,
			cmn_sa_fmt((const struct sockaddr *)&e->addr, a,
				   sizeof(a)),
			e->flags, e->ifindex);
	}
}

int main(int argc, char **argv)
{
	struct dmn_host_input in = { .type = DMN_HOST_IN_EVENT };
	struct mptcplib_events *evs = NULL;
	struct mptcplib_event ev;
	struct dmn_host_config cfg;
	struct dmn_host_ops ops;
	const struct dmn_host_stats *st;
	struct sigaction sa = { .sa_handler = on_signal };
	struct dmn_host *h;
	struct pm_knob knob;
	struct pollfd pfd;
	const char *ready;
	int i, rc = 1, fd;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--registered"))
			all_registered = true;
		else if (!strcmp(argv[i], "--verbose"))
			verbose = true;
		else
			break;
	}
	if (i != argc - 1) {
		fprintf(stderr, "usage: mpa-hostpm [--registered] [--verbose] "
				"READY-FILE\n");
		return 2;
	}
	ready = argv[i];
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	/* Before the switch: afterwards the endpoints no longer act. */
	rc = dmn_host_snapshot(&cfg);
	if (rc) {
		fprintf(stderr, "mpa-hostpm: snapshot: %s\n", strerror(-rc));
		return 1;
	}
	print_config(&cfg);
	dmn_host_kernel_ops(&ops, is_registered, NULL);
	h = dmn_host_new(&cfg, &ops, log_line);
	if (!h)
		return 1;
	/* Follow the events first: no connection of the new regime unseen. */
	rc = mptcplib_events_open(&evs);
	if (rc) {
		fprintf(stderr, "mpa-hostpm: events: %s\n",
			mptcplib_last_error());
		dmn_host_free(h);
		return 1;
	}
	rc = knob_switch(&knob);
	if (rc) {
		fprintf(stderr, "mpa-hostpm: switching the path manager: %s\n",
			strerror(-rc));
		goto out;
	}
	fd = open(ready, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0)
		close(fd);
	pfd = (struct pollfd){ .fd = mptcplib_events_fd(evs),
			       .events = POLLIN };
	while (!stop) {
		int timeout = dmn_host_timeout(h);

		/* Drain what is there; then sleep until an event or timer. */
		while ((rc = mptcplib_events_next(evs, &ev, 0)) == 0) {
			in.event = &ev;
			if (verbose)
				log_line(CMN_LOG_DEBUG, "event %s token %08x",
					 mptcplib_event_name(ev.type),
					 ev.token);
			dmn_host_step(h, &in);
		}
		if (rc == ENOBUFS)
			log_line(CMN_LOG_WARN, "events were lost");
		in.type = DMN_HOST_IN_TIMER;
		dmn_host_step(h, &in);
		in.type = DMN_HOST_IN_EVENT;
		if (poll(&pfd, 1,
			 timeout < 0 || timeout > 200 ? 200 : timeout) < 0 &&
		    errno != EINTR)
			break;
	}
	rc = 0;
	if (knob_write(knob.path, knob.saved)) {
		fprintf(stderr, "mpa-hostpm: could not restore %s=%s\n",
			knob.path, knob.saved);
		rc = 1;
	}
out:
	st = dmn_host_stats(h);
	printf("served %u requested %u established %u announced %u failed "
	       "%u\n",
	       st->served, st->requested, st->established, st->announced,
	       st->failed);
	mptcplib_events_close(evs);
	dmn_host_free(h);
	return rc;
}

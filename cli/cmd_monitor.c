// SPDX-License-Identifier: MIT
/*
 * mptcp-auto monitor: the path-manager events and the namespace's link,
 * address and route changes, live, one line each (cli_mon.h says what
 * each line says; this file reads the sockets).
 */
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli_mon.h"
#include "cmn_clock.h"
#include "cmn_nl.h"
#include "cmn_rtnl.h"
#include "mpa_cli.h"
#include "mptcplib.h"

static const char monitor_help[] =
	"usage: mptcp-auto monitor [--json]\n"
	"\n"
	"Print the MPTCP path-manager events of this network namespace and\n"
	"its link, address and route changes as they happen, one line each\n"
	"(one JSON object per line with --json), until interrupted. A\n"
	"subflow closed within 2 s of its link going down, its address\n"
	"removed or its route to the peer removed is said to be removed\n"
	"because of it; one that comes back on an interface or address where\n"
	"its connection lost one is said to be re-opened, with the link up\n"
	"or address added that brought it back. A join the peer refused (a\n"
	"server that accepted one connection and closed its listener, like\n"
	"socat without fork) is a SUB_CLOSED \"refused by the peer\". Needs\n"
	"CAP_NET_ADMIN.\n";

struct monitor {
	struct mptcplib_events *ev;
	int rt_fd; /* -1: links, addresses and routes not followed */
	struct mon_state *st;
	bool json;
};

/* One thing read: stamped, named, told. */
static void show(struct monitor *m, struct mon_event *me, int ifindex)
{
	struct mon_line line;

	me->ms = cmn_now_ms();
	clock_gettime(CLOCK_REALTIME, &me->ts);
	/* The kernel's name now, for an interface no dump or change told
	 * us of. */
	if (ifindex)
		if_indextoname((unsigned)ifindex, me->ifname);
	mon_feed(m->st, me, &line);
	mon_print(stdout, me, &line, m->json);
}

/* Learn a link or address of a dump (mnl callback). */
static int seed_cb(const struct nlmsghdr *nlh, void *data)
{
	struct cmn_rtnl_event ev;

	if (cmn_rtnl_parse(nlh, nlh->nlmsg_len, &ev, 1) == 1)
		mon_seed(data, &ev);
	return MNL_CB_OK;
}

/*
 * The links and addresses there are now, so that only changes are shown
 * and a subflow's interface is known from its address. A failure only
 * means less is known: the changes still show.
 */
static void seed(struct mon_state *st)
{
	static const int types[] = { RTM_GETLINK, RTM_GETADDR };
	char buf[32768];
	struct nlmsghdr *nlh;
	struct rtgenmsg *g;
	struct cmn_nl nl;
	size_t i;

	if (cmn_nl_open(NETLINK_ROUTE, &nl))
		return;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		memset(buf, 0, MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(*g)));
		nlh = mnl_nlmsg_put_header(buf);
		nlh->nlmsg_type = (uint16_t)types[i];
		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
		nlh->nlmsg_seq = (uint32_t)i + 1;
		g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
		g->rtgen_family = AF_UNSPEC;
		cmn_nl_talk(&nl, nlh, buf, sizeof(buf), seed_cb, st);
	}
	cmn_nl_close(&nl);
}

/* Every link, address and route change waiting. */
static void drain_paths(struct monitor *m)
{
	static char buf[65536];
	struct cmn_rtnl_event rt[64];
	struct mon_event me;
	int n, i;

	for (;;) {
		n = cmn_rtnl_read(m->rt_fd, buf, sizeof(buf), rt, 64);
		if (n == -EAGAIN)
			return;
		if (n < 0) {
			cli_error(0,
				  "monitor: links, addresses and routes: "
				  "%s; no longer followed",
				  strerror(-n));
			cmn_rtnl_close(m->rt_fd);
			m->rt_fd = -1;
			return;
		}
		for (i = 0; i < n; i++) {
			if (rt[i].kind == CMN_RTNL_LOST)
				cli_error(0, "monitor: link, address or route "
					     "changes were dropped (too many "
					     "at once)");
			memset(&me, 0, sizeof(me));
			me.path = true;
			me.rt = rt[i];
			show(m, &me, rt[i].ifindex);
		}
	}
}

/* Every MPTCP event waiting. 0, or the error that ends the monitor. */
static int drain_events(struct monitor *m)
{
	struct mon_event me;
	int err;

	for (;;) {
		memset(&me, 0, sizeof(me));
		err = mptcplib_events_next(m->ev, &me.mp, 0);
		if (err == 0)
			show(m, &me, me.mp.ifindex);
		else if (err == ENOBUFS)
			cli_error(0, "monitor: events were dropped (too many "
				     "at once)");
		else if (err == ETIMEDOUT)
			return 0;
		else if (err != EINTR)
			return err;
	}
}

int cmd_monitor(int argc, char **argv)
{
	struct monitor m = { .rt_fd = -1 };
	struct pollfd pfd[2];
	int i, err;

	for (i = 1; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			fputs(monitor_help, stdout);
			return 0;
		} else if (!strcmp(argv[i], "--json")) {
			m.json = true;
		} else {
			return cli_error(2, "monitor: unexpected argument %s",
					 argv[i]);
		}
	}
	if (mptcplib_events_open(&m.ev))
		return cli_error(1, "monitor: %s", mptcplib_last_error());
	m.st = mon_new();
	if (!m.st) {
		mptcplib_events_close(m.ev);
		return cli_error(1, "monitor: %s", strerror(ENOMEM));
	}
	/* Subscribed before the dump: what changes in between is known
	 * either way (told, or found in the dump and then hidden as a
	 * repeat), never missed. */
	m.rt_fd = cmn_rtnl_open();
	if (m.rt_fd < 0)
		cli_error(0,
			  "monitor: links, addresses and routes: %s; "
			  "only the MPTCP events are shown",
			  strerror(-m.rt_fd));
	seed(m.st);
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (;;) {
		pfd[0] = (struct pollfd){ .fd = m.rt_fd, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = mptcplib_events_fd(m.ev),
					  .events = POLLIN };
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			err = cli_error(1, "monitor: %s", strerror(errno));
			break;
		}
		/* Changes first: a link goes down before the engine removes
		 * its subflows, never after. */
		if (m.rt_fd >= 0)
			drain_paths(&m);
		if (drain_events(&m)) {
			err = cli_error(1, "monitor: %s",
					mptcplib_last_error());
			break;
		}
	}
	cmn_rtnl_close(m.rt_fd);
	mon_free(m.st);
	mptcplib_events_close(m.ev);
	return err;
}

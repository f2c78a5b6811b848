// SPDX-License-Identifier: MIT
/* mptcp-auto monitor: the path-manager events, live, one line each. */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cmn_addr.h"
#include "mpa_cli.h"
#include "mptcplib.h"

static const char monitor_help[] =
	"usage: mptcp-auto monitor [--json]\n"
	"\n"
	"Print the MPTCP path-manager events of this network namespace as\n"
	"they happen, one line each (one JSON object per line with --json),\n"
	"until interrupted. A join the peer refused (a server that accepted\n"
	"one connection and closed its listener, like socat without fork)\n"
	"is a SUB_CLOSED event \"refused by the peer\". Needs CAP_NET_ADMIN.\n";

static const char *ep(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	return cmn_sa_fmt((const struct sockaddr *)ss, buf, len);
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

static void print_event(const struct mptcplib_event *e, bool json)
{
	char l[CMN_ADDRSTRLEN], r[CMN_ADDRSTRLEN], ifn[IF_NAMESIZE] = "";

	if (e->ifindex)
		if_indextoname((unsigned)e->ifindex, ifn);
	if (json) {
		struct timespec ts;

		/* When we saw it, for measurements (time to aggregate). */
		clock_gettime(CLOCK_REALTIME, &ts);
		printf("{\"ts\":%lld.%06ld,\"event\":\"%s\",\"token\":"
		       "\"%08x\",\"local\":",
		       (long long)ts.tv_sec, ts.tv_nsec / 1000,
		       mptcplib_event_name(e->type), e->token);
		json_str(stdout, ep(&e->local, l, sizeof(l)));
		printf(",\"remote\":");
		json_str(stdout, ep(&e->remote, r, sizeof(r)));
		printf(",\"local_id\":%d,\"remote_id\":%d,\"backup\":%d,"
		       "\"error\":%d,\"interface\":",
		       e->local_addr_id, e->remote_addr_id, e->backup,
		       e->error);
		json_str(stdout, ifn);
		printf(",\"server_side\":%s,\"refused_by_peer\":%s}\n",
		       e->server_side ? "true" : "false",
		       refused_by_peer(e) ? "true" : "false");
		return;
	}
	printf("%-16s token %08x", mptcplib_event_name(e->type), e->token);
	if (e->local.ss_family || e->remote.ss_family)
		printf("  %s -> %s", ep(&e->local, l, sizeof(l)),
		       ep(&e->remote, r, sizeof(r)));
	if (e->local_addr_id >= 0)
		printf("  ids %d/%d", e->local_addr_id, e->remote_addr_id);
	if (e->backup)
		printf("  backup");
	if (*ifn)
		printf("  dev %s", ifn);
	if (refused_by_peer(e))
		printf("  refused by the peer (nothing accepts a new subflow "
		       "there)");
	else if (e->error)
		printf("  error %d (%s)", e->error, strerror(e->error));
	if (e->server_side)
		printf("  server-side");
	putchar('\n');
}

int cmd_monitor(int argc, char **argv)
{
	struct mptcplib_events *ev;
	struct mptcplib_event e;
	bool json = false;
	int i, err;

	for (i = 1; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			fputs(monitor_help, stdout);
			return 0;
		} else if (!strcmp(argv[i], "--json")) {
			json = true;
		} else {
			return cli_error(2, "monitor: unexpected argument %s",
					 argv[i]);
		}
	}
	if (mptcplib_events_open(&ev))
		return cli_error(1, "monitor: %s", mptcplib_last_error());
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (;;) {
		err = mptcplib_events_next(ev, &e, -1);
		if (err == 0)
			print_event(&e, json);
		else if (err == ENOBUFS)
			fprintf(stderr, "mptcp-auto: monitor: events were "
					"dropped (too many at once)\n");
		else if (err != EINTR)
			break;
	}
	err = cli_error(1, "monitor: %s", mptcplib_last_error());
	mptcplib_events_close(ev);
	return err;
}

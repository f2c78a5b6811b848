// SPDX-License-Identifier: MIT
/*
 * cli/cli_mon: what `mptcp-auto monitor` says for canned sequences of
 * MPTCP events and link, address and route changes: which changes show,
 * which subflows are told as removed because of one, and which as
 * re-opened, in text and in JSON.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_mon.h"

/* The lab's client: c1 carries the initial subflow, c2 the extra one. */
enum { LO = 1, C1 = 2, C2 = 3, WLAN = 4 };
#define TOK 0x1a2b3c4du
#define OTHER 0x0badf00du

/* Kinds of steps besides CMN_RTNL_*: an MPTCP event of type T. */
#define MP(t) (100 + (t))

struct step {
	int64_t ms;
	int kind; /* enum cmn_rtnl_kind, or MP(type) */
	int ifindex;
	/* link: its name; address: the address; route: the prefix;
	 * MPTCP: the local end "addr:port" */
	const char *a;
	/* link: up; address and route: the prefix length; MPTCP: token */
	unsigned n;
	/* MPTCP: the remote end; address: "tentative" or NULL */
	const char *b;
	const char *say; /* exactly what is printed ("" nothing) */
};

/* "10.0.2.1", "10.0.2.1:80", "fd00::1" or "[fd00::1]:80" into @ss. */
static void to_sa(const char *s, struct sockaddr_storage *ss)
{
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	char buf[64];
	const char *port = NULL;
	char *end;

	memset(ss, 0, sizeof(*ss));
	if (!s)
		return;
	snprintf(buf, sizeof(buf), "%s", s);
	if (buf[0] == '[') {
		end = strchr(buf, ']');
		*end = '\0';
		port = end[1] == ':' ? end + 2 : NULL;
		memmove(buf, buf + 1, strlen(buf));
	} else if (strchr(buf, '.') && strchr(buf, ':')) {
		end = strchr(buf, ':');
		*end = '\0';
		port = end + 1;
	}
	if (inet_pton(AF_INET, buf, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons(port ? (uint16_t)atoi(port) : 0);
	} else {
		assert_int_equal(inet_pton(AF_INET6, buf, &in6->sin6_addr), 1);
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port ? (uint16_t)atoi(port) : 0);
	}
}

static void to_event(const struct step *s, struct mon_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->ms = s->ms;
	ev->ts.tv_sec = 1700000000 + s->ms / 1000;
	ev->ts.tv_nsec = (long)(s->ms % 1000) * 1000000;
	if (s->kind >= MP(0)) {
		ev->mp.type = s->kind - MP(0);
		ev->mp.token = s->n;
		ev->mp.ifindex = s->ifindex;
		ev->mp.local_addr_id = -1;
		ev->mp.remote_addr_id = -1;
		to_sa(s->a, &ev->mp.local);
		to_sa(s->b, &ev->mp.remote);
		return;
	}
	ev->path = true;
	ev->rt.kind = (enum cmn_rtnl_kind)s->kind;
	ev->rt.ifindex = s->ifindex;
	switch (s->kind) {
	case CMN_RTNL_LINK:
	case CMN_RTNL_LINK_GONE:
		snprintf(ev->rt.ifname, sizeof(ev->rt.ifname), "%s", s->a);
		ev->rt.up = s->n;
		break;
	default:
		to_sa(s->a, &ev->rt.addr);
		ev->rt.family = ev->rt.addr.ss_family;
		ev->rt.prefixlen = (int)s->n;
		ev->rt.tentative = s->b != NULL;
		break;
	}
}

/* What the monitor knows at its start: the lab's links and addresses. */
static struct mon_state *lab(void)
{
	static const struct step seed[] = {
		{ 0, CMN_RTNL_LINK, LO, "lo", 1, NULL, NULL },
		{ 0, CMN_RTNL_LINK, C1, "c1", 1, NULL, NULL },
		{ 0, CMN_RTNL_LINK, C2, "c2", 1, NULL, NULL },
		{ 0, CMN_RTNL_ADDR_NEW, C1, "10.0.1.1", 24, NULL, NULL },
		{ 0, CMN_RTNL_ADDR_NEW, C2, "10.0.2.1", 24, NULL, NULL },
		{ 0, CMN_RTNL_ADDR_NEW, C2, "fd00:2::1", 64, NULL, NULL },
	};
	struct mon_state *st = mon_new();
	struct mon_event ev;
	size_t i;

	assert_non_null(st);
	for (i = 0; i < sizeof(seed) / sizeof(seed[0]); i++) {
		to_event(&seed[i], &ev);
		mon_seed(st, &ev.rt);
	}
	return st;
}

/* Feed @steps in order; each prints exactly what it says. */
static void run(const struct step *steps, size_t n, bool json)
{
	struct mon_state *st = lab();
	struct mon_event ev;
	struct mon_line l;
	size_t i, len;
	char *out;
	FILE *f;

	for (i = 0; i < n; i++) {
		to_event(&steps[i], &ev);
		mon_feed(st, &ev, &l);
		f = open_memstream(&out, &len);
		assert_non_null(f);
		mon_print(f, &ev, &l, json);
		fclose(f);
		print_message("step %zu: %s", i, out[0] ? out : "(nothing)\n");
		assert_string_equal(out, steps[i].say);
		free(out);
	}
	mon_free(st);
}

#define RUN(steps, json) run(steps, sizeof(steps) / sizeof(steps[0]), json)

/* The subflow lines, for brevity. */
#define SUB_UP(tok, l, r, dev) \
	"SUB_ESTABLISHED  token " tok "  " l " -> " r "  dev " dev "\n"
#define SUB_DOWN(tok, l, r, dev) \
	"SUB_CLOSED       token " tok "  " l " -> " r "  dev " dev "\n"
#define STORY "                 token "

/* c2 down: its subflow removed; c2 back with its route: re-opened. */
static void test_link_down_and_up(void **state)
{
	static const struct step s[] = {
		{ 0, MP(MPTCPLIB_EVENT_SUB_ESTABLISHED), C2, "10.0.2.1:40000",
		  TOK, "10.9.0.1:7002",
		  SUB_UP("1a2b3c4d", "10.0.2.1:40000", "10.9.0.1:7002", "c2") },
		{ 1000, CMN_RTNL_LINK, C2, "c2", 0, NULL,
		  "LINK_DOWN        c2\n" },
		{ 1001, CMN_RTNL_ROUTE_DEL, C2, "0.0.0.0", 0, NULL,
		  "ROUTE_REMOVED    default dev c2\n" },
		{ 1003, MP(MPTCPLIB_EVENT_SUB_CLOSED), C2, "10.0.2.1:40000",
		  TOK, "10.9.0.1:7002",
		  SUB_DOWN("1a2b3c4d", "10.0.2.1:40000", "10.9.0.1:7002", "c2")
			  STORY "1a2b3c4d: subflow 10.0.2.1 -> 10.9.0.1 "
				"removed (link c2 down)\n" },
		{ 3000, CMN_RTNL_LINK, C2, "c2", 1, NULL,
		  "LINK_UP          c2\n" },
		{ 3001, CMN_RTNL_ROUTE_NEW, C2, "10.0.2.0", 24, NULL,
		  "ROUTE_ADDED      10.0.2.0/24 dev c2\n" },
		{ 3002, CMN_RTNL_ROUTE_NEW, C2, "0.0.0.0", 0, NULL,
		  "ROUTE_ADDED      default dev c2\n" },
		{ 3150, MP(MPTCPLIB_EVENT_SUB_ESTABLISHED), C2,
		  "10.0.2.1:40002", TOK, "10.9.0.1:7002",
		  SUB_UP("1a2b3c4d", "10.0.2.1:40002", "10.9.0.1:7002", "c2")
			  STORY "1a2b3c4d: subflow 10.0.2.1 -> 10.9.0.1 "
				"re-opened (link c2 up)\n" },
		/* Re-opened once: a later subflow there is only itself. */
		{ 9000, MP(MPTCPLIB_EVENT_SUB_ESTABLISHED), C2,
		  "10.0.2.1:40004", TOK, "10.9.0.1:7002",
		  SUB_UP("1a2b3c4d", "10.0.2.1:40004", "10.9.0.1:7002", "c2") },
	};

	(void)state;
	RUN(s, false);
}

/*
 * The initial subflow is bound to no interface: its address tells it is
 * c1's. The monitor read the link's return before the removal (both were
 * waiting): still removed by the link down, re-opened by the link up.
 */
static void test_initial_subflow_read_late(void **state)
{
	static const struct step s[] = {
		{ 0, MP(MPTCPLIB_EVENT_ESTABLISHED), 0, "10.0.1.1:39000", TOK,
		  "10.9.0.1:7002",
		  "ESTABLISHED      token 1a2b3c4d  10.0.1.1:39000 -> "
		  "10.9.0.1:7002\n" },
		{ 5000, CMN_RTNL_LINK, C1, "c1", 0, NULL,
		  "LINK_DOWN        c1\n" },
		{ 5000, CMN_RTNL_LINK, C1, "c1", 1, NULL,
		  "LINK_UP          c1\n" },
		{ 5000, MP(MPTCPLIB_EVENT_SUB_CLOSED), 0, "10.0.1.1:39000", TOK,
		  "10.9.0.1:7002",
		  "SUB_CLOSED       token 1a2b3c4d  10.0.1.1:39000 -> "
		  "10.9.0.1:7002\n" STORY
		  "1a2b3c4d: subflow 10.0.1.1 -> 10.9.0.1 removed (link c1 "
		  "down)\n" },
		{ 5000, MP(MPTCPLIB_EVENT_SUB_ESTABLISHED), C1,
		  "10.0.1.1:39002", TOK, "10.9.0.1:7002",
		  SUB_UP("1a2b3c4d", "10.0.1.1:39002", "10.9.0.1:7002", "c1")
			  STORY "1a2b3c4d: subflow 10.0.1.1 -> 10.9.0.1 "
				"re-opened (link c1 up)\n" },
	};

	(void)state;
	RUN(s, false);
}

/* A new DHCP lease: the old address goes, a subflow from the new one. */
static void test_address_replaced(void **state)
{
	static const struct step s[] = {
		{ 0, MP(MPTCPLIB_EVENT_SUB_ESTABLISHED), C2, "10.0.2.1:40000",
		  TOK, "10.9.0.1:7002",
		  SUB_UP("1a2b3c4d", "10.0.2.1:40000", "10.9.0.1:7002", "c2") },
		{ 100, CMN_RTNL_ADDR_DEL, C2, "10.0.2.1", 24, NULL,
		  "ADDR_REMOVED     10.0.2.1/24 dev c2\n" },
		{ 101, CMN_RTNL_ROUTE_DEL, C2, "10.0.2.0", 24, NULL,
		  "ROUTE_REMOVED    10.0.2.0/24 dev c2\n" },
		{ 102, MP(MPTCPLIB_EVENT_SUB_CLOSED), C2, "10.0.2.1:40000", TOK,
		  "10.9.0.1:7002",
		  SUB_DOWN("1a2b3c4d", "10.0.2.1:40000", "10.9.0.1:7002", "c2")
			  STORY
		  "1a2b3c4d: subflow 10.0.2.1 -> 10.9.0.1 "
		  "removed (address 10.0.2.1 removed from c2)\n" },
		{ 200, CMN_RTNL_ADDR_NEW, C2, "10.0.2.5", 24, NULL,
		  "ADDR_ADDED       10.0.2.5/24 dev c2\n" },
		{ 300, MP(MPTCPLIB_EVENT_SUB_ESTABLISHED), C2, "10.0.2.5:40010",
		  TOK, "10.9.0.1:7002",
		  SUB_UP("1a2b3c4d", "10.0.2.5:40010", "10.9.0.1:7002", "c2")
			  STORY "1a2b3c4d: subflow 10.0.2.5 -> 10.9.0.1 "
				"re-opened (address 10.0.2.5 added to c2)\n" },
	};

	(void)state;
	RUN(s, false);
}

/*
 * A route to the peer through c2 removed: its subflow goes because of it;
 * a route that does not lead to the peer explains nothing.
 */
static void test_route_removed(void **state)
{
	static const struct step s[] = {
		{ 0, MP(MPTCPLIB_EVENT_SUB_ESTABLISHED), C2, "10.0.2.1:40000",
		  TOK, "10.9.0.1:7002",
		  SUB_UP("1a2b3c4d", "10.0.2.1:40000", "10.9.0.1:7002", "c2") },
		{ 0, MP(MPTCPLIB_EVENT_SUB_ESTABLISHED), C2, "10.0.2.1:40001",
		  OTHER, "192.0.2.7:443",
		  SUB_UP("0badf00d", "10.0.2.1:40001", "192.0.2.7:443", "c2") },
		{ 100, CMN_RTNL_ROUTE_DEL, C2, "10.9.0.0", 16, NULL,
		  "ROUTE_REMOVED    10.9.0.0/16 dev c2\n" },
		{ 101, MP(MPTCPLIB_EVENT_SUB_CLOSED), C2, "10.0.2.1:40000", TOK,
		  "10.9.0.1:7002",
		  SUB_DOWN("1a2b3c4d", "10.0.2.1:40000", "10.9.0.1:7002", "c2")
			  STORY "1a2b3c4d: subflow 10.0.2.1 -> 10.9.0.1 "
				"removed (route to 10.9.0.0/16 through c2 "
				"removed)\n" },
		{ 102, MP(MPTCPLIB_EVENT_SUB_CLOSED), C2, "10.0.2.1:40001",
		  OTHER, "192.0.2.7:443",
		  SUB_DOWN("0badf00d", "10.0.2.1:40001", "192.0.2.7:443",
			   "c2") },
	};

	(void)state;
	RUN(s, false);
}

/*
 * IPv6 on a link set down: its routes and addresses go with it, in any
 * order; the link is what is told.
 */
static void test_link_is_the_story(void **state)
{
	static const struct step s[] = {
		{ 0, MP(MPTCPLIB_EVENT_SUB_ESTABLISHED), C2,
		  "[fd00:2::1]:40000", TOK, "[fd00:9::1]:7002",
		  SUB_UP("1a2b3c4d", "[fd00:2::1]:40000", "[fd00:9::1]:7002",
			 "c2") },
		{ 100, CMN_RTNL_ROUTE_DEL, C2, "::", 0, NULL,
		  "ROUTE_REMOVED    default dev c2\n" },
		{ 100, CMN_RTNL_LINK, C2, "c2", 0, NULL,
		  "LINK_DOWN        c2\n" },
		{ 100, CMN_RTNL_ADDR_DEL, C2, "fd00:2::1", 64, NULL,
		  "ADDR_REMOVED     fd00:2::1/64 dev c2\n" },
		{ 101, MP(MPTCPLIB_EVENT_SUB_CLOSED), C2, "[fd00:2::1]:40000",
		  TOK, "[fd00:9::1]:7002",
		  SUB_DOWN("1a2b3c4d", "[fd00:2::1]:40000", "[fd00:9::1]:7002",
			   "c2") STORY
		  "1a2b3c4d: subflow fd00:2::1 -> fd00:9::1 removed (link c2 "
		  "down)\n" },
	};

	(void)state;
	RUN(s, false);
}

/* Changes too old, or on another path, explain nothing. */
static void test_no_cause(void **state)
{
	static const struct step s[] = {
		{ 0, MP(MPTCPLIB_EVENT_SUB_ESTABLISHED), C2, "10.0.2.1:40000",
		  TOK, "10.9.0.1:7002",
		  SUB_UP("1a2b3c4d", "10.0.2.1:40000", "10.9.0.1:7002", "c2") },
		{ 1000, CMN_RTNL_LINK, C2, "c2", 0, NULL,
		  "LINK_DOWN        c2\n" },
		{ 1000, CMN_RTNL_LINK, C1, "c1", 0, NULL,
		  "LINK_DOWN        c1\n" },
		{ 1000 + MON_CAUSE_MS + 1, MP(MPTCPLIB_EVENT_SUB_CLOSED), C2,
		  "10.0.2.1:40000", TOK, "10.9.0.1:7002",
		  SUB_DOWN("1a2b3c4d", "10.0.2.1:40000", "10.9.0.1:7002",
			   "c2") },
		{ 9000, CMN_RTNL_LINK, C2, "c2", 1, NULL,
		  "LINK_UP          c2\n" },
		{ 9001, MP(MPTCPLIB_EVENT_SUB_ESTABLISHED), C2,
		  "10.0.2.1:40002", TOK, "10.9.0.1:7002",
		  SUB_UP("1a2b3c4d", "10.0.2.1:40002", "10.9.0.1:7002", "c2")
			  STORY "1a2b3c4d: subflow 10.0.2.1 -> 10.9.0.1 "
				"re-opened (link c2 up)\n" },
		{ 9050, CMN_RTNL_LINK, C1, "c1", 1, NULL,
		  "LINK_UP          c1\n" },
		{ 9060, CMN_RTNL_LINK, C1, "c1", 0, NULL,
		  "LINK_DOWN        c1\n" },
		/* c1 went down, but the subflow on c2 ends for its own
		 * reason. */
		{ 9100, MP(MPTCPLIB_EVENT_SUB_CLOSED), C2, "10.0.2.1:40002",
		  TOK, "10.9.0.1:7002",
		  SUB_DOWN("1a2b3c4d", "10.0.2.1:40002", "10.9.0.1:7002",
			   "c2") },
	};

	(void)state;
	RUN(s, false);
}

/*
 * A subflow that died while its link stayed up comes back: re-opened,
 * with no change to name. A join that never came up (refused) is no
 * loss: its retry is only itself. Nor is another connection's.
 */
static void test_reopen_without_change(void **state)
{
	static const struct step s[] = {
		{ 0, MP(MPTCPLIB_EVENT_SUB_ESTABLISHED), C2, "10.0.2.1:40000",
		  TOK, "10.9.0.1:7002",
		  SUB_UP("1a2b3c4d", "10.0.2.1:40000", "10.9.0.1:7002", "c2") },
		{ 100, MP(MPTCPLIB_EVENT_SUB_CLOSED), C2, "10.0.2.1:40000", TOK,
		  "10.9.0.1:7002",
		  SUB_DOWN("1a2b3c4d", "10.0.2.1:40000", "10.9.0.1:7002",
			   "c2") },
		{ 1200, MP(MPTCPLIB_EVENT_SUB_ESTABLISHED), C2,
		  "10.0.2.1:40002", OTHER, "10.9.0.1:7002",
		  SUB_UP("0badf00d", "10.0.2.1:40002", "10.9.0.1:7002", "c2") },
		{ 1300, MP(MPTCPLIB_EVENT_SUB_ESTABLISHED), C2,
		  "10.0.2.1:40004", TOK, "10.9.0.1:7002",
		  SUB_UP("1a2b3c4d", "10.0.2.1:40004", "10.9.0.1:7002", "c2")
			  STORY "1a2b3c4d: subflow 10.0.2.1 -> 10.9.0.1 "
				"re-opened\n" },
		/* A refused join of the other connection, then its retry. */
		{ 2000, MP(MPTCPLIB_EVENT_SUB_CLOSED), C1, "10.0.1.1:41000",
		  OTHER, "10.9.0.1:7002",
		  SUB_DOWN("0badf00d", "10.0.1.1:41000", "10.9.0.1:7002",
			   "c1") },
		{ 3000, MP(MPTCPLIB_EVENT_SUB_ESTABLISHED), C1,
		  "10.0.1.1:41002", OTHER, "10.9.0.1:7002",
		  SUB_UP("0badf00d", "10.0.1.1:41002", "10.9.0.1:7002", "c1") },
	};

	(void)state;
	RUN(s, false);
}

/* The end of a connection forgets what it lost. */
static void test_closed_forgets(void **state)
{
	static const struct step s[] = {
		{ 0, CMN_RTNL_LINK, C2, "c2", 0, NULL,
		  "LINK_DOWN        c2\n" },
		{ 1, MP(MPTCPLIB_EVENT_SUB_CLOSED), C2, "10.0.2.1:40000", TOK,
		  "10.9.0.1:7002",
		  SUB_DOWN("1a2b3c4d", "10.0.2.1:40000", "10.9.0.1:7002", "c2")
			  STORY "1a2b3c4d: subflow 10.0.2.1 -> 10.9.0.1 "
				"removed (link c2 down)\n" },
		{ 2, MP(MPTCPLIB_EVENT_CLOSED), 0, NULL, TOK, NULL,
		  "CLOSED           token 1a2b3c4d\n" },
		{ 3, CMN_RTNL_LINK, C2, "c2", 1, NULL,
		  "LINK_UP          c2\n" },
		{ 4, MP(MPTCPLIB_EVENT_SUB_ESTABLISHED), C2, "10.0.2.1:40002",
		  TOK, "10.9.0.1:7002",
		  SUB_UP("1a2b3c4d", "10.0.2.1:40002", "10.9.0.1:7002", "c2") },
	};

	(void)state;
	RUN(s, false);
}

/*
 * Only changes show: a link announced again in the same state, an
 * address announced again (IPv6 lifetimes) say nothing; an address
 * that finishes duplicate address detection, a new link, a link gone do.
 */
static void test_repeats_hidden(void **state)
{
	static const struct step s[] = {
		{ 0, CMN_RTNL_LINK, C2, "c2", 1, NULL, "" },
		{ 1, CMN_RTNL_LINK, C2, "c2", 0, NULL,
		  "LINK_DOWN        c2\n" },
		{ 2, CMN_RTNL_LINK, C2, "c2", 0, NULL, "" },
		{ 3, CMN_RTNL_ADDR_NEW, C2, "10.0.2.1", 24, NULL, "" },
		{ 4, CMN_RTNL_ADDR_NEW, C2, "fd00:2::7", 64, "tentative",
		  "ADDR_ADDED       fd00:2::7/64 dev c2  tentative\n" },
		{ 5, CMN_RTNL_ADDR_NEW, C2, "fd00:2::7", 64, "tentative", "" },
		{ 6, CMN_RTNL_ADDR_NEW, C2, "fd00:2::7", 64, NULL,
		  "ADDR_ADDED       fd00:2::7/64 dev c2\n" },
		{ 7, CMN_RTNL_ADDR_NEW, C2, "fd00:2::7", 64, NULL, "" },
		{ 8, CMN_RTNL_LINK, WLAN, "wlan0", 0, NULL,
		  "LINK_DOWN        wlan0\n" },
		{ 9, CMN_RTNL_LINK, WLAN, "wlan0", 1, NULL,
		  "LINK_UP          wlan0\n" },
		{ 10, CMN_RTNL_ADDR_NEW, WLAN, "192.168.1.20", 24, NULL,
		  "ADDR_ADDED       192.168.1.20/24 dev wlan0\n" },
		{ 11, CMN_RTNL_LINK_GONE, WLAN, "wlan0", 0, NULL,
		  "LINK_GONE        wlan0\n" },
		/* Missed changes are the caller's to say. */
		{ 12, CMN_RTNL_LOST, 0, NULL, 0, NULL, "" },
	};

	(void)state;
	RUN(s, false);
}

/* --json: one object per line; "cause" and "reopened" when told. */
static void test_json(void **state)
{
	static const struct step s[] = {
		{ 0, MP(MPTCPLIB_EVENT_SUB_ESTABLISHED), C2, "10.0.2.1:40000",
		  TOK, "10.9.0.1:7002",
		  "{\"ts\":1700000000.000000,\"event\":\"SUB_ESTABLISHED\","
		  "\"token\":\"1a2b3c4d\",\"local\":\"10.0.2.1:40000\","
		  "\"remote\":\"10.9.0.1:7002\",\"local_id\":-1,"
		  "\"remote_id\":-1,\"backup\":0,\"error\":0,"
		  "\"interface\":\"c2\",\"server_side\":false,"
		  "\"refused_by_peer\":false}\n" },
		{ 1500, CMN_RTNL_LINK, C2, "c2", 0, NULL,
		  "{\"ts\":1700000001.500000,\"event\":\"LINK_DOWN\","
		  "\"interface\":\"c2\",\"ifindex\":3}\n" },
		{ 1501, CMN_RTNL_ROUTE_DEL, C2, "0.0.0.0", 0, NULL,
		  "{\"ts\":1700000001.501000,\"event\":\"ROUTE_REMOVED\","
		  "\"interface\":\"c2\",\"ifindex\":3,"
		  "\"destination\":\"0.0.0.0\",\"prefixlen\":0,"
		  "\"multipath\":false}\n" },
		{ 1502, MP(MPTCPLIB_EVENT_SUB_CLOSED), C2, "10.0.2.1:40000",
		  TOK, "10.9.0.1:7002",
		  "{\"ts\":1700000001.502000,\"event\":\"SUB_CLOSED\","
		  "\"token\":\"1a2b3c4d\",\"local\":\"10.0.2.1:40000\","
		  "\"remote\":\"10.9.0.1:7002\",\"local_id\":-1,"
		  "\"remote_id\":-1,\"backup\":0,\"error\":0,"
		  "\"interface\":\"c2\",\"server_side\":false,"
		  "\"refused_by_peer\":false,\"cause\":\"link c2 down\"}\n" },
		{ 4000, CMN_RTNL_LINK, C2, "c2", 1, NULL,
		  "{\"ts\":1700000004.000000,\"event\":\"LINK_UP\","
		  "\"interface\":\"c2\",\"ifindex\":3}\n" },
		{ 4001, CMN_RTNL_ADDR_NEW, C2, "fd00:2::9", 64, "tentative",
		  "{\"ts\":1700000004.001000,\"event\":\"ADDR_ADDED\","
		  "\"interface\":\"c2\",\"ifindex\":3,"
		  "\"address\":\"fd00:2::9\",\"prefixlen\":64,"
		  "\"tentative\":true}\n" },
		{ 4100, MP(MPTCPLIB_EVENT_SUB_ESTABLISHED), C2,
		  "10.0.2.1:40002", TOK, "10.9.0.1:7002",
		  "{\"ts\":1700000004.100000,\"event\":\"SUB_ESTABLISHED\","
		  "\"token\":\"1a2b3c4d\",\"local\":\"10.0.2.1:40002\","
		  "\"remote\":\"10.9.0.1:7002\",\"local_id\":-1,"
		  "\"remote_id\":-1,\"backup\":0,\"error\":0,"
		  "\"interface\":\"c2\",\"server_side\":false,"
		  "\"refused_by_peer\":false,\"reopened\":true,"
		  "\"cause\":\"link c2 up\"}\n" },
	};

	(void)state;
	RUN(s, true);
}

/*
 * Names: a route's interface is named from the links known, a name the
 * reader found is used for a link nobody announced, and an interface
 * with no name at all is told by its index.
 */
static void test_names(void **state)
{
	struct mon_state *st = lab();
	struct mon_event ev;
	struct mon_line l;

	(void)state;
	memset(&ev, 0, sizeof(ev));
	ev.path = true;
	ev.rt.kind = CMN_RTNL_ROUTE_NEW;
	ev.rt.ifindex = 9;
	to_sa("198.51.100.0", &ev.rt.addr);
	ev.rt.prefixlen = 24;
	snprintf(ev.ifname, sizeof(ev.ifname), "tun0");
	mon_feed(st, &ev, &l);
	assert_string_equal(l.name, "ROUTE_ADDED");
	assert_string_equal(l.ifname, "tun0");
	ev.ifname[0] = '\0';
	ev.rt.kind = CMN_RTNL_ROUTE_DEL;
	mon_feed(st, &ev, &l);
	assert_string_equal(l.ifname, "");
	memset(&ev, 0, sizeof(ev));
	ev.mp.type = MPTCPLIB_EVENT_SUB_CLOSED;
	ev.mp.token = TOK;
	ev.mp.ifindex = 9;
	to_sa("10.0.9.1:40000", &ev.mp.local);
	to_sa("10.9.0.1:7002", &ev.mp.remote);
	ev.ms = 100;
	mon_feed(st, &ev, &l);
	/* The route to 198.51.100.0/24 does not lead to 10.9.0.1. */
	assert_int_equal(l.story, MON_PLAIN);
	to_sa("198.51.100.7:443", &ev.mp.remote);
	mon_feed(st, &ev, &l);
	assert_int_equal(l.story, MON_REMOVED);
	assert_string_equal(l.cause,
			    "route to 198.51.100.0/24 through interface 9 "
			    "removed");
	mon_free(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_link_down_and_up),
		cmocka_unit_test(test_initial_subflow_read_late),
		cmocka_unit_test(test_address_replaced),
		cmocka_unit_test(test_route_removed),
		cmocka_unit_test(test_link_is_the_story),
		cmocka_unit_test(test_no_cause),
		cmocka_unit_test(test_reopen_without_change),
		cmocka_unit_test(test_closed_forgets),
		cmocka_unit_test(test_repeats_hidden),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests_name("monitor", tests, NULL, NULL);
}

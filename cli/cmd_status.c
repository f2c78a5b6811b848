// SPDX-License-Identifier: MIT
/*
 * mptcp-auto status: this network namespace's MPTCP connections and their
 * subflows, from inet_diag (readable without privilege), with the owning
 * process when /proc lets us see it.
 */
#include <dirent.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmn_addr.h"
#include "cmn_nl.h"
#include "mpa_cli.h"
#include "mpl_diag.h"
#include "mpl_uapi.h"
#include "mptcplib.h"

#define MAX_CONNS 4096
#define MAX_SUBS 16384

static const char status_help[] =
	"usage: mptcp-auto status [--json]\n"
	"\n"
	"Whether mptcp-autod serves this network namespace (its socket:\n"
	"$MPTCP_AUTO_PM_SOCKET, else " ENG_WIRE_SOCKET_DEFAULT "), and the\n"
	"registrations it served per user and program; what the shim can do\n"
	"here; and the MPTCP connections of the namespace, each with its\n"
	"subflows (addresses, interface, backup flag, bytes, state) and, where\n"
	"/proc allows, the owning process. Under mptcp-autod, the joins a\n"
	"connection's peer refused (a server that accepted one connection\n"
	"and closed its listener, like socat without fork): \"refused by the\n"
	"peer\".\n";

struct conn {
	struct mpl_diag_sock s; /* the MPTCP socket */
	int pid;
	char comm[32];
};

struct snapshot {
	struct conn *conns;
	int nconns;
	struct mpl_diag_sock *subs; /* TCP subflows, any connection's */
	int nsubs;
};

/* The TCP states as ss(8) names them; MPTCP sockets use the same. */
static const char *const tcp_states[] = {
	[TCP_ESTABLISHED] = "ESTAB",	[TCP_SYN_SENT] = "SYN-SENT",
	[TCP_SYN_RECV] = "SYN-RECV",	[TCP_FIN_WAIT1] = "FIN-WAIT-1",
	[TCP_FIN_WAIT2] = "FIN-WAIT-2", [TCP_TIME_WAIT] = "TIME-WAIT",
	[TCP_CLOSE] = "CLOSE",		[TCP_CLOSE_WAIT] = "CLOSE-WAIT",
	[TCP_LAST_ACK] = "LAST-ACK",	[TCP_LISTEN] = "LISTEN",
	[TCP_CLOSING] = "CLOSING",
};

static const char *state_name(int s)
{
	if (s < 0 || (size_t)s >= sizeof(tcp_states) / sizeof(tcp_states[0]) ||
	    !tcp_states[s])
		return "?";
	return tcp_states[s];
}

static const char *ep_str(const struct sockaddr_storage *ss, char *buf,
			  size_t len)
{
	return cmn_sa_fmt((const struct sockaddr *)ss, buf, len);
}

static void conn_add(const struct mpl_diag_sock *s, void *data)
{
	struct snapshot *sn = data;

	/* The rest of the slot stays zeroed (calloc) until find_owners(). */
	if (sn->nconns < MAX_CONNS)
		sn->conns[sn->nconns++].s = *s;
}

static void sub_add(const struct mpl_diag_sock *s, void *data)
{
	struct snapshot *sn = data;

	/* Plain TCP, or another ULP: not a subflow. */
	if (!s->subflow || sn->nsubs >= MAX_SUBS)
		return;
	sn->subs[sn->nsubs++] = *s;
}

/* Owning processes: which /proc/PID/fd/N is socket:[inode]. */
static void find_owners(struct snapshot *sn)
{
	DIR *proc = opendir("/proc"), *fds;
	struct dirent *p, *f;
	char path[300], link[64];
	int i;

	while (proc && (p = readdir(proc))) {
		int pid = atoi(p->d_name);

		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fd", pid);
		fds = opendir(path);
		while (fds && (f = readdir(fds))) {
			unsigned int inode;
			ssize_t n;

			snprintf(path, sizeof(path), "/proc/%d/fd/%s", pid,
				 f->d_name);
			n = readlink(path, link, sizeof(link) - 1);
			if (n <= 0)
				continue;
			link[n] = '\0';
			if (sscanf(link, "socket:[%u]", &inode) != 1)
				continue;
			for (i = 0; i < sn->nconns; i++) {
				if (sn->conns[i].s.inode != inode ||
				    sn->conns[i].pid)
					continue;
				sn->conns[i].pid = pid;
				snprintf(path, sizeof(path), "/proc/%d/comm",
					 pid);
				FILE *c = fopen(path, "re");
				if (c) {
					if (fgets(sn->conns[i].comm,
						  sizeof(sn->conns[i].comm), c))
						sn->conns[i].comm[strcspn(
							sn->conns[i].comm,
							"\n")] = '\0';
					fclose(c);
				}
			}
		}
		if (fds)
			closedir(fds);
	}
	if (proc)
		closedir(proc);
}

/* The MPTCP sockets first, then the TCP sockets among which the subflows. */
static const struct {
	int family, protocol;
	mpl_diag_cb add;
} status_dumps[] = {
	{ AF_INET, MPL_IPPROTO_MPTCP, conn_add },
	{ AF_INET6, MPL_IPPROTO_MPTCP, conn_add },
	{ AF_INET, IPPROTO_TCP, sub_add },
	{ AF_INET6, IPPROTO_TCP, sub_add },
};

static int snapshot_take(struct snapshot *sn)
{
	struct cmn_nl nl;
	size_t i;
	int err;

	sn->conns = calloc(MAX_CONNS, sizeof(*sn->conns));
	sn->subs = calloc(MAX_SUBS, sizeof(*sn->subs));
	if (!sn->conns || !sn->subs)
		return -ENOMEM;
	err = cmn_nl_open(NETLINK_SOCK_DIAG, &nl);
	if (err)
		return err;
	for (i = 0; i < sizeof(status_dumps) / sizeof(status_dumps[0]) && !err;
	     i++)
		err = mpl_diag_dump(&nl, status_dumps[i].family,
				    status_dumps[i].protocol,
				    status_dumps[i].add, sn);
	cmn_nl_close(&nl);
	find_owners(sn);
	return err;
}

static const char *mode_line(const struct cli_daemon *dmn, bool *can)
{
	enum mptcplib_pm pm = MPTCPLIB_PM_UNKNOWN;

	*can = false;
	if (mptcplib_get_path_manager(&pm))
		return "no MPTCP in this kernel";
	/* The daemon acts for every user: the shim registers with it. */
	if (dmn->running && pm == MPTCPLIB_PM_USERSPACE) {
		*can = true;
		return "userspace path manager, run by mptcp-autod: programs "
		       "of any user get subflows per policy";
	}
	if (pm == MPTCPLIB_PM_KERNEL)
		return "in-kernel path manager: the kernel's endpoints decide "
		       "the subflows; the shim converts sockets only";
	*can = geteuid() == 0;
	return *can ? "userspace path manager: the shim opens subflows per "
		      "policy (as root or with CAP_NET_ADMIN)" :
		      "userspace path manager: the shim opens subflows for "
		      "programs with CAP_NET_ADMIN";
}

/* The subflow's interface name, or "" when it is bound to none. */
static const char *sub_ifname(const struct mpl_diag_sock *s, char *ifn)
{
	if (s->ifindex && if_indextoname((unsigned int)s->ifindex, ifn))
		return ifn;
	return "";
}

/*
 * The joins @c's peer refused, as mptcp-autod counted them (0 when it
 * does not serve the namespace): only the daemon sees the events of
 * every connection; the shim's own engine lives in its program.
 */
static uint32_t refused_joins(const struct cli_daemon *dmn, uint32_t token)
{
	int i;

	if (!dmn->running)
		return 0;
	for (i = 0; i < dmn->state.nrefused; i++)
		if (dmn->state.refused[i].token == token)
			return dmn->state.refused[i].count;
	return 0;
}

static void print_text(const struct snapshot *sn, const struct cli_daemon *dmn)
{
	char a[CMN_ADDRSTRLEN], b[CMN_ADDRSTRLEN], ifn[IF_NAMESIZE];
	uint32_t n;
	int i, j;

	for (i = 0; i < sn->nconns; i++) {
		const struct conn *c = &sn->conns[i];

		printf("connection token %08x %s -> %s %s", c->s.token,
		       ep_str(&c->s.local, a, sizeof(a)),
		       ep_str(&c->s.remote, b, sizeof(b)),
		       state_name(c->s.state));
		if (c->pid)
			printf("  %s[%d]", c->comm, c->pid);
		putchar('\n');
		for (j = 0; j < sn->nsubs; j++) {
			const struct mpl_diag_sock *s = &sn->subs[j];

			if (s->token != c->s.token)
				continue;
			printf("  subflow %s -> %s  %s%s  sent %llu  received "
			       "%llu  %s\n",
			       ep_str(&s->local, a, sizeof(a)),
			       ep_str(&s->remote, b, sizeof(b)),
			       *sub_ifname(s, ifn) ? ifn : "-",
			       s->flags & MPL_SUBFLOW_FLAG_BKUP_LOC ?
				       " backup" :
				       "",
			       (unsigned long long)s->bytes_acked,
			       (unsigned long long)s->bytes_received,
			       state_name(s->state));
		}
		n = refused_joins(dmn, c->s.token);
		if (n)
			printf("  %u join%s refused by the peer: nothing "
			       "accepts a new subflow at %s (a server that "
			       "closed its listener after one connection, like "
			       "socat without fork); one path\n",
			       n, n == 1 ? "" : "s",
			       ep_str(&c->s.remote, b, sizeof(b)));
	}
	if (!sn->nconns)
		puts("no MPTCP connection");
}

static const char *const unreg_json[] = {
	[ENG_WIRE_UNREG_DEFAULT] = "default",
	[ENG_WIRE_UNREG_ENDPOINTS] = "endpoints",
};

static void print_daemon_json(const struct cli_daemon *d)
{
	const struct eng_wire_msg *st = &d->state;
	int i;

	printf("\"daemon\":{\"running\":%s,\"socket\":",
	       d->running ? "true" : "false");
	json_str(stdout, d->path);
	if (!d->running) {
		printf(",\"why\":");
		json_str(stdout, d->why);
		printf("}");
		return;
	}
	printf(",\"pid\":%d,\"since\":%lld,\"mode\":", d->pid,
	       (long long)st->since);
	json_str(stdout, st->mode);
	printf(",\"unregistered\":");
	json_str(stdout, st->unregistered > 0 && st->unregistered <= 2 ?
				 unreg_json[st->unregistered] :
				 "");
	printf(",\"registrations\":%llu,\"served\":[",
	       (unsigned long long)cli_daemon_total(d));
	for (i = 0; i < st->nserved; i++) {
		printf("%s{\"uid\":%u,\"program\":", i ? "," : "",
		       st->served[i].uid);
		json_str(stdout, st->served[i].prog);
		printf(",\"count\":%u}", st->served[i].count);
	}
	printf("],\"served_other\":%u}", st->served_other);
}

static void print_json(const struct snapshot *sn, const struct cli_daemon *dmn,
		       const char *mode, bool can)
{
	char a[CMN_ADDRSTRLEN], ifn[IF_NAMESIZE];
	int i, j, k;

	printf("{");
	print_daemon_json(dmn);
	printf(",\"mode\":");
	json_str(stdout, mode);
	printf(",\"can_open_subflows\":%s,\"connections\":[",
	       can ? "true" : "false");
	for (i = 0; i < sn->nconns; i++) {
		const struct conn *c = &sn->conns[i];

		printf("%s{\"token\":\"%08x\",\"local\":", i ? "," : "",
		       c->s.token);
		json_str(stdout, ep_str(&c->s.local, a, sizeof(a)));
		printf(",\"remote\":");
		json_str(stdout, ep_str(&c->s.remote, a, sizeof(a)));
		printf(",\"state\":\"%s\",\"pid\":%d,\"process\":",
		       state_name(c->s.state), c->pid);
		json_str(stdout, c->comm);
		printf(",\"subflows\":[");
		for (j = 0, k = 0; j < sn->nsubs; j++) {
			const struct mpl_diag_sock *s = &sn->subs[j];

			if (s->token != c->s.token)
				continue;
			printf("%s{\"local\":", k++ ? "," : "");
			json_str(stdout, ep_str(&s->local, a, sizeof(a)));
			printf(",\"remote\":");
			json_str(stdout, ep_str(&s->remote, a, sizeof(a)));
			printf(",\"interface\":");
			json_str(stdout, sub_ifname(s, ifn));
			printf(",\"backup\":%s,\"bytes_sent\":%llu,"
			       "\"bytes_received\":%llu,\"state\":\"%s\"}",
			       s->flags & MPL_SUBFLOW_FLAG_BKUP_LOC ? "true" :
								      "false",
			       (unsigned long long)s->bytes_acked,
			       (unsigned long long)s->bytes_received,
			       state_name(s->state));
		}
		printf("],\"refused_joins\":%u}",
		       refused_joins(dmn, c->s.token));
	}
	puts("]}");
}

int cmd_status(int argc, char **argv)
{
	struct snapshot sn = { 0 };
	struct cli_daemon dmn;
	char line[2048];
	const char *mode;
	bool json = false, can;
	int i, err;

	for (i = 1; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			fputs(status_help, stdout);
			return 0;
		} else if (!strcmp(argv[i], "--json")) {
			json = true;
		} else {
			return cli_error(2, "status: unexpected argument %s",
					 argv[i]);
		}
	}
	cli_daemon_probe(&dmn);
	mode = mode_line(&dmn, &can);
	err = snapshot_take(&sn);
	if (err) {
		free(sn.conns);
		free(sn.subs);
		return cli_error(1, "status: inet_diag: %s", strerror(-err));
	}
	if (json) {
		print_json(&sn, &dmn, mode, can);
	} else {
		cli_daemon_line(&dmn, line, sizeof(line));
		printf("%s\n%s\n", line, mode);
		print_text(&sn, &dmn);
	}
	free(sn.conns);
	free(sn.subs);
	return 0;
}

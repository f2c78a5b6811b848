// SPDX-License-Identifier: MIT
/*
 * mptcp-auto status: this network namespace's MPTCP connections and their
 * subflows, from inet_diag (readable without privilege), with the owning
 * process when /proc lets us see it.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/mptcp.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cmn_nl.h"
#include "mpa_cli.h"
#include "mptcplib.h"

#define MAX_CONNS 4096
#define MAX_SUBS 16384

static const char status_help[] =
	"usage: mptcp-auto status [--json]\n"
	"\n"
	"The MPTCP connections of this network namespace, each with its\n"
	"subflows (addresses, interface, backup flag, bytes, state) and, where\n"
	"/proc allows, the owning process; and what the shim can do here.\n";

struct endpoint {
	int family;
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
};

struct conn {
	uint32_t token;
	struct endpoint ep;
	int state;
	unsigned int inode;
	int pid;
	char comm[32];
};

struct sub {
	uint32_t token;
	struct endpoint ep;
	int state, ifindex;
	uint32_t flags;
	uint64_t sent, received;
};

struct snapshot {
	struct conn *conns;
	int nconns;
	struct sub *subs;
	int nsubs;
};

static const char *const tcp_states[] = {
	"?",	      "ESTAB",	    "SYN-SENT",	 "SYN-RECV",
	"FIN-WAIT-1", "FIN-WAIT-2", "TIME-WAIT", "CLOSE",
	"CLOSE-WAIT", "LAST-ACK",   "LISTEN",	 "CLOSING",
};

static const char *state_name(int s)
{
	return s >= 0 && s < 12 ? tcp_states[s] : "?";
}

static void ep_load(struct endpoint *ep, const struct inet_diag_msg *m)
{
	memset(ep, 0, sizeof(*ep));
	ep->family = m->idiag_family;
	memcpy(ep->src, m->id.idiag_src, 16);
	memcpy(ep->dst, m->id.idiag_dst, 16);
	ep->sport = ntohs(m->id.idiag_sport);
	ep->dport = ntohs(m->id.idiag_dport);
}

static const char *ep_str(const struct endpoint *ep, bool dst, char *buf,
			  size_t len)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(ep->family, dst ? ep->dst : ep->src, a, sizeof(a));
	snprintf(buf, len, ep->family == AF_INET6 ? "[%s]:%u" : "%s:%u", a,
		 dst ? ep->dport : ep->sport);
	return buf;
}

struct attrs {
	const struct nlattr *info, *ulp;
};

static int attr_cb(const struct nlattr *a, void *data)
{
	struct attrs *at = data;

	if (mnl_attr_get_type(a) == INET_DIAG_INFO)
		at->info = a;
	else if (mnl_attr_get_type(a) == INET_DIAG_ULP_INFO)
		at->ulp = a;
	return MNL_CB_OK;
}

static int ulp_cb(const struct nlattr *a, void *data)
{
	struct sub *s = data;
	const struct nlattr *in;

	if (mnl_attr_get_type(a) != INET_ULP_INFO_MPTCP)
		return MNL_CB_OK;
	mnl_attr_for_each_nested(in, a) {
		if (mnl_attr_get_type(in) == MPTCP_SUBFLOW_ATTR_TOKEN_LOC &&
		    mnl_attr_get_payload_len(in) == 4)
			s->token = mnl_attr_get_u32(in);
		else if (mnl_attr_get_type(in) == MPTCP_SUBFLOW_ATTR_FLAGS &&
			 mnl_attr_get_payload_len(in) == 4)
			s->flags = mnl_attr_get_u32(in);
	}
	return MNL_CB_OK;
}

static int conn_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct inet_diag_msg *m = mnl_nlmsg_get_payload(nlh);
	struct snapshot *sn = data;
	struct attrs at = { 0 };
	struct conn *c;

	if (m->idiag_state == 10 /* LISTEN */ || sn->nconns >= MAX_CONNS)
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*m), attr_cb, &at);
	c = &sn->conns[sn->nconns++];
	memset(c, 0, sizeof(*c));
	ep_load(&c->ep, m);
	c->state = m->idiag_state;
	c->inode = m->idiag_inode;
	/* struct mptcp_info: the local token is at offset 12. */
	if (at.info && mnl_attr_get_payload_len(at.info) >= 16)
		memcpy(&c->token,
		       (const char *)mnl_attr_get_payload(at.info) + 12, 4);
	return MNL_CB_OK;
}

static int sub_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct inet_diag_msg *m = mnl_nlmsg_get_payload(nlh);
	struct snapshot *sn = data;
	struct attrs at = { 0 };
	struct sub s = { 0 };

	mnl_attr_parse(nlh, sizeof(*m), attr_cb, &at);
	if (!at.ulp || sn->nsubs >= MAX_SUBS)
		return MNL_CB_OK;
	mnl_attr_parse_nested(at.ulp, ulp_cb, &s);
	if (!s.token)
		return MNL_CB_OK; /* another ULP, or not a subflow */
	ep_load(&s.ep, m);
	s.state = m->idiag_state;
	s.ifindex = (int)m->id.idiag_if;
	if (at.info) {
		struct tcp_info ti = { 0 };
		size_t n = mnl_attr_get_payload_len(at.info);

		memcpy(&ti, mnl_attr_get_payload(at.info),
		       n < sizeof(ti) ? n : sizeof(ti));
		s.sent = ti.tcpi_bytes_acked;
		s.received = ti.tcpi_bytes_received;
	}
	sn->subs[sn->nsubs++] = s;
	return MNL_CB_OK;
}

static int dump(struct mnl_socket *nl, int family, unsigned int proto,
		mnl_cb_t cb, void *data)
{
	char buf[16384] = { 0 };
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct inet_diag_req_v2 *req;

	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = 1;
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = (uint8_t)family;
	req->sdiag_protocol = IPPROTO_TCP;
	req->idiag_states = ~0u;
	req->idiag_ext = 1 << (INET_DIAG_INFO - 1);
	/* Protocol numbers past 255 (MPTCP is 262) go in an attribute. */
	if (proto > 255)
		mnl_attr_put_u32(nlh, INET_DIAG_REQ_PROTOCOL, proto);
	return cmn_nl_talk(nl, nlh, buf, sizeof(buf), cb, data);
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
				if (sn->conns[i].inode != inode ||
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

static int snapshot_take(struct snapshot *sn)
{
	struct mnl_socket *nl;
	int err;

	sn->conns = calloc(MAX_CONNS, sizeof(*sn->conns));
	sn->subs = calloc(MAX_SUBS, sizeof(*sn->subs));
	if (!sn->conns || !sn->subs)
		return -ENOMEM;
	err = cmn_nl_open(NETLINK_SOCK_DIAG, &nl);
	if (err)
		return err;
	err = dump(nl, AF_INET, IPPROTO_MPTCP, conn_cb, sn);
	if (!err)
		err = dump(nl, AF_INET6, IPPROTO_MPTCP, conn_cb, sn);
	if (!err)
		err = dump(nl, AF_INET, IPPROTO_TCP, sub_cb, sn);
	if (!err)
		err = dump(nl, AF_INET6, IPPROTO_TCP, sub_cb, sn);
	mnl_socket_close(nl);
	find_owners(sn);
	return err;
}

static const char *mode_line(bool *can)
{
	enum mptcplib_pm pm = MPTCPLIB_PM_UNKNOWN;

	*can = false;
	if (mptcplib_get_path_manager(&pm))
		return "no MPTCP in this kernel";
	if (pm == MPTCPLIB_PM_KERNEL)
		return "in-kernel path manager: the kernel's endpoints decide "
		       "the subflows; the shim converts sockets only";
	*can = geteuid() == 0;
	return *can ? "userspace path manager: the shim opens subflows per "
		      "policy (as root or with CAP_NET_ADMIN)" :
		      "userspace path manager: the shim opens subflows for "
		      "programs with CAP_NET_ADMIN";
}

static void print_text(const struct snapshot *sn)
{
	char a[80], b[80], ifn[IF_NAMESIZE];
	int i, j;

	for (i = 0; i < sn->nconns; i++) {
		const struct conn *c = &sn->conns[i];

		printf("connection token %08x %s -> %s %s", c->token,
		       ep_str(&c->ep, false, a, sizeof(a)),
		       ep_str(&c->ep, true, b, sizeof(b)),
		       state_name(c->state));
		if (c->pid)
			printf("  %s[%d]", c->comm, c->pid);
		putchar('\n');
		for (j = 0; j < sn->nsubs; j++) {
			const struct sub *s = &sn->subs[j];

			if (s->token != c->token)
				continue;
			printf("  subflow %s -> %s  %s%s  sent %llu  received "
			       "%llu  %s\n",
			       ep_str(&s->ep, false, a, sizeof(a)),
			       ep_str(&s->ep, true, b, sizeof(b)),
			       s->ifindex && if_indextoname((unsigned)s->ifindex,
							    ifn) ?
				       ifn :
				       "-",
			       s->flags & MPTCP_SUBFLOW_FLAG_BKUP_LOC ?
				       " backup" :
				       "",
			       (unsigned long long)s->sent,
			       (unsigned long long)s->received,
			       state_name(s->state));
		}
	}
	if (!sn->nconns)
		puts("no MPTCP connection");
}

static void print_json(const struct snapshot *sn, const char *mode, bool can)
{
	char a[80], ifn[IF_NAMESIZE], tok[16];
	int i, j, k;

	printf("{\"mode\":");
	json_str(stdout, mode);
	printf(",\"can_open_subflows\":%s,\"connections\":[",
	       can ? "true" : "false");
	for (i = 0; i < sn->nconns; i++) {
		const struct conn *c = &sn->conns[i];

		snprintf(tok, sizeof(tok), "%08x", c->token);
		printf("%s{\"token\":\"%s\",\"local\":", i ? "," : "", tok);
		json_str(stdout, ep_str(&c->ep, false, a, sizeof(a)));
		printf(",\"remote\":");
		json_str(stdout, ep_str(&c->ep, true, a, sizeof(a)));
		printf(",\"state\":\"%s\",\"pid\":%d,\"process\":",
		       state_name(c->state), c->pid);
		json_str(stdout, c->comm);
		printf(",\"subflows\":[");
		for (j = 0, k = 0; j < sn->nsubs; j++) {
			const struct sub *s = &sn->subs[j];

			if (s->token != c->token)
				continue;
			printf("%s{\"local\":", k++ ? "," : "");
			json_str(stdout, ep_str(&s->ep, false, a, sizeof(a)));
			printf(",\"remote\":");
			json_str(stdout, ep_str(&s->ep, true, a, sizeof(a)));
			printf(",\"interface\":");
			json_str(stdout,
				 s->ifindex && if_indextoname(
						       (unsigned)s->ifindex,
						       ifn) ?
					 ifn :
					 "");
			printf(",\"backup\":%s,\"bytes_sent\":%llu,"
			       "\"bytes_received\":%llu,\"state\":\"%s\"}",
			       s->flags & MPTCP_SUBFLOW_FLAG_BKUP_LOC ? "true" :
									"false",
			       (unsigned long long)s->sent,
			       (unsigned long long)s->received,
			       state_name(s->state));
		}
		printf("]}");
	}
	puts("]}");
}

int cmd_status(int argc, char **argv)
{
	struct snapshot sn = { 0 };
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
	mode = mode_line(&can);
	err = snapshot_take(&sn);
	if (err) {
		free(sn.conns);
		free(sn.subs);
		return cli_error(1, "status: inet_diag: %s", strerror(-err));
	}
	if (json) {
		print_json(&sn, mode, can);
	} else {
		printf("%s\n", mode);
		print_text(&sn);
	}
	free(sn.conns);
	free(sn.subs);
	return 0;
}

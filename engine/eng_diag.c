// SPDX-License-Identifier: MIT
/*
 * Subflows' state from inet_diag, for the stall rule: the kernel's own
 * lookup of each subflow for a few, dumps for many (or for those not
 * where the lookup asked), each dumped socket matched to the subflow
 * asked for by its ports (a sorted array, searched), then its addresses.
 */
#include <errno.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "cmn_addr.h"
#include "cmn_nl.h"
#include "eng_diag.h"
#include "mpl_diag.h"
#include "mpl_uapi.h"

static uint32_t ports_of(const struct eng_probe *p)
{
	return (uint32_t)cmn_sa_port((const struct sockaddr *)&p->local) << 16 |
	       cmn_sa_port((const struct sockaddr *)&p->remote);
}

static int probe_cmp(const void *a, const void *b)
{
	uint32_t x = ports_of(a), y = ports_of(b);

	return x < y ? -1 : x > y;
}

/*
 * Past this many subflows, one dump per family costs less than a lookup
 * for each.
 */
#define ENG_DIAG_LOOKUPS 32

struct reading {
	struct eng_probe *v;
	int n;
};

static void sample_fill(struct eng_sf_sample *s, const struct mpl_diag_sock *d)
{
	struct mpl_tcp_info ti;

	memset(&ti, 0, sizeof(ti));
	memcpy(&ti, d->tcpinfo,
	       d->tcpinfo_len < sizeof(ti) ? d->tcpinfo_len : sizeof(ti));
	s->found = true;
	s->state = (uint8_t)d->state;
	s->backoff = ti.backoff;
	s->rtt_us = ti.rtt;
	s->rcv_rtt_us = ti.rcv_rtt;
	s->unacked = ti.unacked;
	s->last_data_recv = ti.last_data_recv;
	s->last_ack_recv = ti.last_ack_recv;
	s->bytes_acked = ti.bytes_acked;
	s->bytes_received = ti.bytes_received;
}

/* Is @d the subflow @p asks for? */
static bool is_it(const struct eng_probe *p, const struct mpl_diag_sock *d)
{
	return cmn_sa_equal((const struct sockaddr *)&p->local,
			    (const struct sockaddr *)&d->local) &&
	       cmn_sa_equal((const struct sockaddr *)&p->remote,
			    (const struct sockaddr *)&d->remote) &&
	       /* The token shows with the privilege the engine has. */
	       (!d->token || d->token == p->token);
}

static void on_sock(const struct mpl_diag_sock *d, void *data)
{
	const struct sockaddr *l = (const struct sockaddr *)&d->local;
	const struct sockaddr *r = (const struct sockaddr *)&d->remote;
	struct reading *rd = data;
	uint32_t key = (uint32_t)cmn_sa_port(l) << 16 | cmn_sa_port(r);
	int lo = 0, hi = rd->n;

	/* The first probe with these ports. */
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (ports_of(&rd->v[mid]) < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < rd->n && ports_of(&rd->v[lo]) == key; lo++) {
		struct eng_probe *p = &rd->v[lo];

		if (!p->s.found && is_it(p, d)) {
			sample_fill(&p->s, d);
			return;
		}
	}
}

/*
 * The probes not found yet, from one dump per address family in use: of
 * the TCP sockets with their ports (the kernel filters), or of all when
 * there are more than one filter holds.
 */
static int read_dump(const struct cmn_nl *nl, struct reading *rd)
{
	struct mpl_diag_ports ports[MPL_DIAG_PORTS_MAX];
	int i, k = 0, err = 0;
	bool v4 = false;

	for (i = 0; i < rd->n; i++) {
		const struct eng_probe *p = &rd->v[i];

		if (p->s.found)
			continue;
		v4 |= p->local.ss_family == AF_INET;
		if (k < MPL_DIAG_PORTS_MAX)
			ports[k] = (struct mpl_diag_ports){
				cmn_sa_port((const struct sockaddr *)&p->local),
				cmn_sa_port((const struct sockaddr *)&p->remote)
			};
		k++;
	}
	if (!k)
		return 0;
	/*
	 * IPv4 subflows in the IPv4 table; the initial subflow of a
	 * dual-stack socket in the IPv6 one, v4-mapped (§13).
	 */
	if (v4)
		err = k <= MPL_DIAG_PORTS_MAX ?
			      mpl_diag_dump_ports(nl, AF_INET, ports, k,
						  on_sock, rd) :
			      mpl_diag_dump(nl, AF_INET, IPPROTO_TCP, on_sock,
					    rd);
	if (!err)
		err = k <= MPL_DIAG_PORTS_MAX ?
			      mpl_diag_dump_ports(nl, AF_INET6, ports, k,
						  on_sock, rd) :
			      mpl_diag_dump(nl, AF_INET6, IPPROTO_TCP, on_sock,
					    rd);
	return err;
}

int eng_diag_read(struct eng_probe *v, int n)
{
	struct reading rd = { v, n };
	struct mpl_diag_sock d;
	struct cmn_nl nl;
	int err = 0, i;

	if (n <= 0)
		return 0;
	qsort(v, (size_t)n, sizeof(*v), probe_cmp);
	for (i = 0; i < n; i++) {
		memset(&v[i].s, 0, sizeof(v[i].s));
		memset(&v[i].c, 0, sizeof(v[i].c));
		v[i].conn_err = -ENODATA;
	}
	err = cmn_nl_open(NETLINK_SOCK_DIAG, &nl);
	if (err)
		return err;
	/*
	 * A lookup costs a few microseconds, a dump a walk of the whole
	 * table (some 300 us on the development machine, §21): one lookup
	 * each for a few subflows, by the interface each is bound to.
	 */
	for (i = 0; n <= ENG_DIAG_LOOKUPS && i < n && !err; i++) {
		err = mpl_diag_lookup_nl(&nl,
					 (const struct sockaddr *)&v[i].local,
					 (const struct sockaddr *)&v[i].remote,
					 v[i].ifindex, &d);
		if (!err && is_it(&v[i], &d))
			sample_fill(&v[i].s, &d);
		if (err == -ENOENT)
			err = 0;
	}
	/* The rest, and any bound elsewhere than the engine thinks. */
	if (!err)
		err = read_dump(&nl, &rd);
	for (i = 0; i < n && !err; i++) {
		if (!v[i].conn)
			continue;
		v[i].conn_err = mpl_diag_conn_nl(&nl, v[i].token, &d);
		if (!v[i].conn_err) {
			v[i].c.found = true;
			v[i].c.rcv_nxt = d.mptcp_rcv_nxt;
		}
	}
	cmn_nl_close(&nl);
	return err;
}

// SPDX-License-Identifier: MIT
/*
 * inet_diag decoding against canned replies (canned_netlink.h): the one
 * parser that the subflow lookup and the status command share.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/mptcp.h>
#include <linux/tcp.h>
#include <string.h>

#include "canned_netlink.h"
#include "cmn_addr.h"
#include "mpl_diag.h"
#include "mpl_pm.h"
#include "mpl_sock.h"
#include "mpl_uapi.h"

/* Our copies of the kernel structs read the fields where the kernel has them. */
_Static_assert(offsetof(struct mpl_tcp_info, bytes_acked) ==
		       offsetof(struct tcp_info, tcpi_bytes_acked),
	       "tcp_info: bytes_acked");
_Static_assert(offsetof(struct mpl_tcp_info, bytes_received) ==
		       offsetof(struct tcp_info, tcpi_bytes_received),
	       "tcp_info: bytes_received");
_Static_assert(offsetof(struct mpl_mptcp_info, token) ==
		       offsetof(struct mptcp_info, mptcpi_token),
	       "mptcp_info: token");
_Static_assert(MPL_SUBFLOW_ATTR_TOKEN_LOC == MPTCP_SUBFLOW_ATTR_TOKEN_LOC &&
		       MPL_SUBFLOW_ATTR_FLAGS == MPTCP_SUBFLOW_ATTR_FLAGS &&
		       MPL_SUBFLOW_ATTR_ID_LOC == MPTCP_SUBFLOW_ATTR_ID_LOC &&
		       MPL_SUBFLOW_ATTR_ID_REM == MPTCP_SUBFLOW_ATTR_ID_REM,
	       "MPTCP subflow diag attributes");

static const struct diag_case {
	const char *name;
	const unsigned char *msg;
	int protocol;
	const char *local, *remote; /* cmn_sa_fmt() form */
	int state;
	unsigned int inode;
	int ifindex;
	uint32_t token;
	bool subflow;
	uint32_t flags;
	int local_id, remote_id;
	uint64_t bytes_acked, bytes_received;
} diag_cases[] = {
	/* A dual-stack MPTCP socket: v4-mapped ends come out as IPv4. */
	{ "MPTCP socket, v4-mapped", canned_diag_mptcp_v4mapped,
	  MPL_IPPROTO_MPTCP, "10.0.1.1:50000", "10.9.0.1:7001", 1, 4242, 0,
	  0x0a0b0c0d, false, 0, -1, -1, 0, 0 },
	{ "TCP subflow", canned_diag_subflow_v4, IPPROTO_TCP, "10.0.2.1:40000",
	  "10.9.0.1:7001", 1, 0, 3, 0x0a0b0c0d, true,
	  MPL_SUBFLOW_FLAG_BKUP_LOC | MPL_SUBFLOW_FLAG_FULLY_ESTABLISHED |
		  MPL_SUBFLOW_FLAG_CONNECTED,
	  2, 0, 123456789012ULL, 654321 },
	/* A kernel's short tcp_info: counters it did not send stay 0. */
	{ "plain TCP, short tcp_info", canned_diag_tcp_short_info, IPPROTO_TCP,
	  "[fd00::1]:443", "[fd00::2]:50001", 8, 77, 0, 0, false, 0, -1, -1, 0,
	  0 },
};

static void test_diag_parse_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(diag_cases) / sizeof(diag_cases[0]); i++) {
		const struct diag_case *c = &diag_cases[i];
		char a[CMN_ADDRSTRLEN], b[CMN_ADDRSTRLEN];
		struct mpl_diag_sock s;

		print_message("case: %s\n", c->name);
		assert_int_equal(mpl_diag_parse((const struct nlmsghdr *)c->msg,
						c->protocol, &s),
				 0);
		assert_string_equal(cmn_sa_fmt((struct sockaddr *)&s.local, a,
					       sizeof(a)),
				    c->local);
		assert_string_equal(cmn_sa_fmt((struct sockaddr *)&s.remote, b,
					       sizeof(b)),
				    c->remote);
		assert_int_equal(s.state, c->state);
		assert_int_equal(s.inode, c->inode);
		assert_int_equal(s.ifindex, c->ifindex);
		assert_int_equal(s.token, c->token);
		assert_int_equal(s.subflow, c->subflow);
		assert_int_equal(s.flags, c->flags);
		assert_int_equal(s.local_id, c->local_id);
		assert_int_equal(s.remote_id, c->remote_id);
		assert_true(s.bytes_acked == c->bytes_acked);
		assert_true(s.bytes_received == c->bytes_received);
		/* The whole tcp_info travels, for subflow listings. */
		if (c->protocol == IPPROTO_TCP) {
			struct mpl_tcp_info ti;

			assert_true(s.tcpinfo_len > 0);
			memset(&ti, 0, sizeof(ti));
			memcpy(&ti, s.tcpinfo,
			       s.tcpinfo_len < sizeof(ti) ? s.tcpinfo_len :
							    sizeof(ti));
			assert_true(ti.bytes_acked == c->bytes_acked);
		} else {
			assert_int_equal(s.tcpinfo_len, 0);
		}
	}
}

/* A sockaddr from "a.b.c.d" or "v6" text and a port. */
static struct sockaddr_storage sa_of(const char *ip, unsigned short port)
{
	struct sockaddr_storage ss;

	memset(&ss, 0, sizeof(ss));
	if (strchr(ip, ':')) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		inet_pton(AF_INET6, ip, &in6->sin6_addr);
	} else {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;

		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		inet_pton(AF_INET, ip, &in->sin_addr);
	}
	return ss;
}

#define SA(ss) ((const struct sockaddr *)&(ss))

/*
 * Kernels before 6.5 have no subflow ids: ours come from the tuples, 1 for
 * the initial subflow (the MPTCP socket's own ends), distinct and stable
 * for the others, whoever asks.
 */
static void test_legacy_subflow_ids(void **state)
{
	struct sockaddr_storage cl = sa_of("10.0.1.1", 40000),
				cr = sa_of("10.9.0.1", 7001),
				l2 = sa_of("10.0.2.1", 40000),
				l3 = sa_of("10.0.2.1", 40001),
				r2 = sa_of("10.9.0.2", 7001),
				v6 = sa_of("fd00:2::1", 40000),
				v6r = sa_of("fd00:9::1", 7001);
	int ids[5], i, j;

	(void)state;
	assert_int_equal(mpl_sf_legacy_id(SA(cl), SA(cr), SA(cl), SA(cr)), 1);
	ids[0] = mpl_sf_legacy_id(SA(l2), SA(cr), SA(cl), SA(cr));
	ids[1] = mpl_sf_legacy_id(SA(l3), SA(cr), SA(cl), SA(cr));
	ids[2] = mpl_sf_legacy_id(SA(l2), SA(r2), SA(cl), SA(cr));
	ids[3] = mpl_sf_legacy_id(SA(cl), SA(r2), SA(cl), SA(cr));
	ids[4] = mpl_sf_legacy_id(SA(v6), SA(v6r), SA(cl), SA(cr));
	for (i = 0; i < 5; i++) {
		assert_true(ids[i] >= 2);
		for (j = 0; j < i; j++)
			assert_int_not_equal(ids[i], ids[j]);
	}
	/* The same tuple, the same id: stable across calls. */
	assert_int_equal(mpl_sf_legacy_id(SA(l2), SA(cr), SA(cl), SA(cr)),
			 ids[0]);
	/* Not the initial subflow once only one end matches. */
	assert_int_not_equal(mpl_sf_legacy_id(SA(cl), SA(cr), SA(cl), SA(r2)),
			     1);
}

/*
 * Whose subflow a tuple is, from the lookup of that tuple: the decision
 * that tells "no such subflow" from "in-kernel path manager" after a
 * SET_FLAGS that failed with EINVAL, and what set_sub_prio by token may
 * skip.
 */
static void test_subflow_of_connection(void **state)
{
	struct mpl_diag_sock sub, tcp;

	(void)state;
	assert_int_equal(
		mpl_diag_parse((const struct nlmsghdr *)canned_diag_subflow_v4,
			       IPPROTO_TCP, &sub),
		0);
	assert_int_equal(mpl_diag_parse((const struct nlmsghdr *)
						canned_diag_tcp_short_info,
					IPPROTO_TCP, &tcp),
			 0);
	/* Its token: ours. */
	assert_int_equal(mpl_pm_sub_of(0, &sub, 0x0a0b0c0d), 1);
	/* Another connection's subflow, or no socket with that tuple. */
	assert_int_equal(mpl_pm_sub_of(0, &sub, 0x01020304), 0);
	assert_int_equal(mpl_pm_sub_of(-ENOENT, NULL, 0x0a0b0c0d), 0);
	/* No MPTCP attributes (6.1, unprivileged), or no answer: unknown. */
	assert_int_equal(mpl_pm_sub_of(0, &tcp, 0x0a0b0c0d), -1);
	assert_int_equal(mpl_pm_sub_of(-EPERM, NULL, 0x0a0b0c0d), -1);
	assert_int_equal(mpl_pm_sub_of(-ENOBUFS, NULL, 0x0a0b0c0d), -1);
}

/*
 * set_sub_prio by token skips the MP_PRIO only when the lookup showed the
 * subflow, of that connection, with that priority already; a tuple of
 * another connection is no subflow of this one.
 */
static void test_prio_by_token_action(void **state)
{
	static const uint32_t tok = 0x0a0b0c0d, other = 0x01020304;
	struct mpl_diag_sock sub, tcp;

	(void)state;
	/* Backup, of connection tok. */
	assert_int_equal(
		mpl_diag_parse((const struct nlmsghdr *)canned_diag_subflow_v4,
			       IPPROTO_TCP, &sub),
		0);
	/* No MPTCP attributes: 6.1 hides them from unprivileged callers. */
	assert_int_equal(mpl_diag_parse((const struct nlmsghdr *)
						canned_diag_tcp_short_info,
					IPPROTO_TCP, &tcp),
			 0);
	assert_int_equal(mpl_pm_prio_action(0, &sub, tok, 1), 0);
	assert_int_equal(mpl_pm_prio_action(0, &sub, tok, 0), 1);
	assert_int_equal(mpl_pm_prio_action(0, &sub, other, 1), -ENOENT);
	assert_int_equal(mpl_pm_prio_action(0, &sub, other, 0), -ENOENT);
	assert_int_equal(mpl_pm_prio_action(-ENOENT, NULL, tok, 1), -ENOENT);
	/* Nothing known of its priority: ask the kernel, whatever it is. */
	assert_int_equal(mpl_pm_prio_action(0, &tcp, tok, 0), 1);
	assert_int_equal(mpl_pm_prio_action(0, &tcp, tok, 1), 1);
	assert_int_equal(mpl_pm_prio_action(-EPERM, NULL, tok, 0), 1);
}

static void test_diag_info_follows_protocol(void **state)
{
	struct mpl_diag_sock s;

	(void)state;
	assert_int_equal(mpl_diag_parse((const struct nlmsghdr *)
						canned_diag_mptcp_v4mapped,
					IPPROTO_TCP, &s),
			 0);
	assert_int_equal(s.token, 0);
}

static void test_diag_parse_refuses_malformed(void **state)
{
	struct mpl_diag_sock s;

	(void)state;
	assert_int_equal(
		mpl_diag_parse((const struct nlmsghdr *)canned_diag_truncated,
			       IPPROTO_TCP, &s),
		-EINVAL);
	/* Not a sock_diag message at all. */
	assert_int_equal(mpl_diag_parse((const struct nlmsghdr *)canned_ack_ok,
					IPPROTO_TCP, &s),
			 -EINVAL);
}

/*
 * The kernel's inet_diag bytecode, modelled on net/ipv4/inet_diag.c: the
 * check a request's bytecode must pass (every operation reached along
 * "yes" jumps, every "no" jump onto one of them, the end or 4 past it)
 * and the run over one socket's ports (accepted when it ends exactly at
 * the end). Only the operations the port filter uses.
 */
static bool bc_reachable(const unsigned char *bc, int len, int cc)
{
	while (len >= 0) {
		const struct inet_diag_bc_op *op = (const void *)bc;

		if (cc > len)
			return false;
		if (cc == len)
			return true;
		if (op->yes < 4 || op->yes & 3)
			return false;
		len -= op->yes;
		bc += op->yes;
	}
	return false;
}

static bool bc_audit(const unsigned char *bytecode, int bytecode_len)
{
	const unsigned char *bc = bytecode;
	int len = bytecode_len;

	while (len > 0) {
		const struct inet_diag_bc_op *op = (const void *)bc;
		int min_len = sizeof(*op);

		switch (op->code) {
		case INET_DIAG_BC_S_EQ:
		case INET_DIAG_BC_D_EQ:
			min_len += sizeof(*op);
			if (len < min_len)
				return false;
			break;
		case INET_DIAG_BC_JMP:
			break;
		default:
			return false;
		}
		if (op->no < min_len || op->no > len + 4 || op->no & 3)
			return false;
		if (op->no < len &&
		    !bc_reachable(bytecode, bytecode_len, len - op->no))
			return false;
		if (op->yes < min_len || op->yes > len + 4 || op->yes & 3)
			return false;
		bc += op->yes;
		len -= op->yes;
	}
	return len == 0;
}

static bool bc_run(const unsigned char *bc, int len, uint16_t sport,
		   uint16_t dport)
{
	while (len > 0) {
		const struct inet_diag_bc_op *op = (const void *)bc;
		bool yes = true;

		switch (op->code) {
		case INET_DIAG_BC_JMP:
			yes = false;
			break;
		case INET_DIAG_BC_S_EQ:
			yes = sport == op[1].no;
			break;
		case INET_DIAG_BC_D_EQ:
			yes = dport == op[1].no;
			break;
		}
		if (yes) {
			len -= op->yes;
			bc += op->yes;
		} else {
			len -= op->no;
			bc += op->no;
		}
	}
	return len == 0;
}

/*
 * The port filter of the stall readings: the kernel's check takes it, and
 * it passes exactly the sockets whose (own, peer) ports are one of the
 * pairs, for one pair, several, and the most one request holds.
 */
static void test_diag_port_filter(void **state)
{
	static const struct mpl_diag_ports pairs[] = {
		{ 40000, 443 },
		{ 50001, 8080 },
		{ 443, 40000 },
		{ 7, 7 },
	};
	static const struct {
		uint16_t sport, dport;
	} probes[] = { { 40000, 443 }, { 50001, 8080 }, { 443, 40000 },
		       { 7, 7 },       { 40000, 8080 }, { 50001, 443 },
		       { 443, 443 },   { 0, 0 },	{ 8080, 50001 },
		       { 40001, 443 } };
	struct mpl_diag_ports many[MPL_DIAG_PORTS_MAX];
	unsigned char bc[MPL_DIAG_PORTS_MAX * 20];
	int n, len, i, k;

	(void)state;
	for (n = 1; n <= 4; n++) {
		len = mpl_diag_bc_ports(bc, sizeof(bc), pairs, n);
		assert_int_equal(len, n * 20);
		assert_true(bc_audit(bc, len));
		for (i = 0; i < (int)(sizeof(probes) / sizeof(probes[0]));
		     i++) {
			bool want = false;

			for (k = 0; k < n; k++)
				want |= pairs[k].sport == probes[i].sport &&
					pairs[k].dport == probes[i].dport;
			assert_int_equal(bc_run(bc, len, probes[i].sport,
						probes[i].dport),
					 want);
		}
	}
	for (i = 0; i < MPL_DIAG_PORTS_MAX; i++)
		many[i] = (struct mpl_diag_ports){ (uint16_t)(1000 + i),
						   (uint16_t)(2000 + i) };
	len = mpl_diag_bc_ports(bc, sizeof(bc), many, MPL_DIAG_PORTS_MAX);
	assert_true(bc_audit(bc, len));
	assert_true(bc_run(bc, len, 1000, 2000));
	assert_true(bc_run(bc, len, 1000 + MPL_DIAG_PORTS_MAX - 1,
			   2000 + MPL_DIAG_PORTS_MAX - 1));
	assert_false(bc_run(bc, len, 1000, 2001));
	assert_false(bc_run(bc, len, 999, 1999));
	/* Nothing to filter on, too many, or no room: refused. */
	assert_int_equal(mpl_diag_bc_ports(bc, sizeof(bc), pairs, 0), -EINVAL);
	assert_int_equal(mpl_diag_bc_ports(bc, sizeof(bc), many,
					   MPL_DIAG_PORTS_MAX + 1),
			 -EINVAL);
	assert_int_equal(mpl_diag_bc_ports(bc, 39, pairs, 2), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_diag_parse_table),
		cmocka_unit_test(test_diag_port_filter),
		cmocka_unit_test(test_diag_info_follows_protocol),
		cmocka_unit_test(test_diag_parse_refuses_malformed),
		cmocka_unit_test(test_legacy_subflow_ids),
		cmocka_unit_test(test_subflow_of_connection),
		cmocka_unit_test(test_prio_by_token_action),
	};

	return cmocka_run_group_tests_name("diag", tests, NULL, NULL);
}

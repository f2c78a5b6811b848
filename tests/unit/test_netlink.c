// SPDX-License-Identifier: MIT
/* Netlink encoding and decoding against canned bytes (canned_netlink.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <errno.h>
#include <string.h>

#include "canned_netlink.h"
#include "mpl_endp.h"
#include "mpl_event.h"
#include "mpl_nl.h"
#include "mpl_pm.h"
#include "mpl_uapi.h"

static void pm_addr4(struct mpl_pm_addr *a, const char *ip, uint16_t port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };

	inet_pton(AF_INET, ip, &sin.sin_addr);
	assert_int_equal(mpl_pm_addr_init(a, (struct sockaddr *)&sin), 0);
	a->port = port;
}

static void pm_addr6(struct mpl_pm_addr *a, const char *ip, uint16_t port)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };

	inet_pton(AF_INET6, ip, &sin6.sin6_addr);
	assert_int_equal(mpl_pm_addr_init(a, (struct sockaddr *)&sin6), 0);
	a->port = port;
}

static void assert_msg(const struct nlmsghdr *nlh, const unsigned char *want,
		       size_t len)
{
	assert_int_equal(nlh->nlmsg_len, len);
	assert_memory_equal(nlh, want, len);
}

static void test_put_subflow_create_v4(void **state)
{
	char buf[MPL_NL_REQSIZE] = { 0 };
	struct mpl_pm_addr local, remote;

	(void)state;
	pm_addr4(&local, "10.0.2.1", 0);
	local.id = 1;
	local.flags = MPL_PM_ADDR_FLAG_BACKUP;
	local.ifindex = 3;
	pm_addr4(&remote, "10.0.2.2", 7001);
	assert_msg(mpl_nl_put_pm_cmd(buf, 28, 7, MPL_PM_CMD_SUBFLOW_CREATE,
				     0x11223344, &local, &remote),
		   canned_subflow_create_v4, sizeof(canned_subflow_create_v4));
}

static void test_put_subflow_destroy_v6(void **state)
{
	char buf[MPL_NL_REQSIZE] = { 0 };
	struct mpl_pm_addr local, remote;

	(void)state;
	pm_addr6(&local, "fd00:2::1", 40000);
	pm_addr6(&remote, "fd00:2::2", 7001);
	assert_msg(mpl_nl_put_pm_cmd(buf, 28, 8, MPL_PM_CMD_SUBFLOW_DESTROY,
				     0xdeadbeef, &local, &remote),
		   canned_subflow_destroy_v6,
		   sizeof(canned_subflow_destroy_v6));
}

/* A listed subflow, as MPTCP_FULL_INFO gives it (ends already unmapped). */
static void sf_v6(struct mpl_sf *sf, const char *local, uint16_t lport,
		  const char *remote, uint16_t rport)
{
	struct sockaddr_in6 *l = (struct sockaddr_in6 *)&sf->local;
	struct sockaddr_in6 *r = (struct sockaddr_in6 *)&sf->remote;

	memset(sf, 0, sizeof(*sf));
	l->sin6_family = AF_INET6;
	inet_pton(AF_INET6, local, &l->sin6_addr);
	l->sin6_port = htons(lport);
	r->sin6_family = AF_INET6;
	inet_pton(AF_INET6, remote, &r->sin6_addr);
	r->sin6_port = htons(rport);
}

static const struct undo_case {
	const char *name;
	int err; /* what the wait ended with */
	bool listed; /* the new subflow was found in MPTCP_FULL_INFO */
	bool unwanted; /* it exists, but not as asked (interface, backup) */
	int want;
} undo_cases[] = {
	{ "timed out: destroy the half-open subflow", ETIMEDOUT, true, false,
	  1 },
	/* Regression: this one destroyed through a NULL subflow pointer. */
	{ "timed out before the first event, subflow never listed", ETIMEDOUT,
	  false, false, 0 },
	{ "refused by the peer", ECONNREFUSED, true, false, 0 },
	{ "connection closed", ECONNRESET, false, false, 0 },
	{ "established", 0, true, false, 0 },
	/* A kernel that ignored the interface or the backup flag. */
	{ "not bound as asked", EOPNOTSUPP, true, true, 1 },
	{ "backup flag refused", EPERM, true, true, 1 },
	{ "unwanted but gone", EOPNOTSUPP, false, true, 0 },
};

/*
 * open_sub's clean-up after a failed wait: only a timed-out subflow that
 * was listed is destroyed, with exactly its 4-tuple (canned bytes).
 */
static void test_open_timeout_undo(void **state)
{
	struct mpl_pm_addr local, remote;
	struct mpl_sf sf;
	size_t i;

	(void)state;
	sf_v6(&sf, "fd00:2::1", 40000, "fd00:2::2", 7001);
	for (i = 0; i < sizeof(undo_cases) / sizeof(undo_cases[0]); i++) {
		const struct undo_case *c = &undo_cases[i];
		char buf[MPL_NL_REQSIZE] = { 0 };

		print_message("case: %s\n", c->name);
		assert_int_equal(mpl_pm_open_undo(c->err, c->unwanted,
						  c->listed ? &sf : NULL,
						  &local, &remote),
				 c->want);
		if (!c->want)
			continue;
		assert_msg(mpl_nl_put_pm_cmd(buf, 28, 8,
					     MPL_PM_CMD_SUBFLOW_DESTROY,
					     0xdeadbeef, &local, &remote),
			   canned_subflow_destroy_v6,
			   sizeof(canned_subflow_destroy_v6));
	}
}

/* Flags 0 must be sent (it clears backup), unlike "not set" (-1). */
static void test_put_set_flags_clear(void **state)
{
	char buf[MPL_NL_REQSIZE] = { 0 };
	struct mpl_pm_addr local, remote;

	(void)state;
	pm_addr4(&local, "10.0.2.1", 40000);
	local.flags = 0;
	pm_addr4(&remote, "10.0.2.2", 7001);
	assert_msg(mpl_nl_put_pm_cmd(buf, 28, 9, MPL_PM_CMD_SET_FLAGS, 1,
				     &local, &remote),
		   canned_set_flags_clear, sizeof(canned_set_flags_clear));
}

static void test_put_get_addrs_and_family(void **state)
{
	char buf[MPL_NL_REQSIZE] = { 0 };

	(void)state;
	assert_msg(mpl_nl_put_get_addrs(buf, 28, 10, 0x01020304),
		   canned_get_addrs, sizeof(canned_get_addrs));
	memset(buf, 0, sizeof(buf));
	assert_msg(mpl_nl_put_getfamily(buf, 11), canned_getfamily,
		   sizeof(canned_getfamily));
}

static const struct err_case {
	const char *name;
	const unsigned char *msg;
	int error;
	const char *text;
} err_cases[] = {
	{ "extack text", canned_err_invalid_token, -EINVAL, "invalid token" },
	{ "missing attribute only", canned_err_miss_type, -EINVAL,
	  "missing attribute 4" },
	{ "request echoed (not capped)", canned_err_uncapped, -ENOTCONN,
	  "connect error: -107" },
	{ "plain ack", canned_ack_ok, 0, "" },
	{ "dump done with error", canned_done_invalid_token, -EINVAL,
	  "invalid token" },
};

static void test_parse_err_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(err_cases) / sizeof(err_cases[0]); i++) {
		char text[160];
		int err = mpl_nl_parse_err(
			(const struct nlmsghdr *)err_cases[i].msg, text,
			sizeof(text), NULL);

		print_message("case: %s\n", err_cases[i].name);
		assert_int_equal(err, err_cases[i].error);
		assert_string_equal(text, err_cases[i].text);
	}
}

/*
 * The kernel names the attribute it rejects by its offset in the request
 * (NLMSGERR_ATTR_OFFS): 20 is the token, right after the headers, in the
 * SUBFLOW_CREATE request built above; any byte of the local address nest
 * is that nest. An error built the kernel's way carries the offset back.
 */
static void test_blamed_attribute(void **state)
{
	char buf[MPL_NL_REQSIZE] = { 0 }, ack[256] = { 0 }, text[160];
	struct mpl_pm_addr local, remote;
	struct nlmsghdr *req, *nlh;
	struct nlmsgerr *e;
	long off = 0;

	(void)state;
	pm_addr4(&local, "10.0.2.1", 0);
	local.id = 1;
	pm_addr4(&remote, "10.0.2.2", 7001);
	req = mpl_nl_put_pm_cmd(buf, 28, 7, MPL_PM_CMD_SUBFLOW_CREATE,
				0x11223344, &local, &remote);
	assert_int_equal(mpl_nl_attr_at(req, 20), MPL_PM_ATTR_TOKEN);
	assert_int_equal(mpl_nl_attr_at(req, 23), MPL_PM_ATTR_TOKEN);
	assert_int_equal(mpl_nl_attr_at(req, 28), MPL_PM_ATTR_ADDR);
	assert_int_equal(mpl_nl_attr_at(req, (long)req->nlmsg_len - 1),
			 MPL_PM_ATTR_ADDR_REMOTE);
	assert_int_equal(mpl_nl_attr_at(req, 4), -1); /* a header */
	assert_int_equal(mpl_nl_attr_at(req, -1), -1);
	assert_int_equal(mpl_nl_attr_at(req, (long)req->nlmsg_len), -1);

	nlh = mnl_nlmsg_put_header(ack);
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = 0x100 | 0x200; /* NLM_F_CAPPED | NLM_F_ACK_TLVS */
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = -EINVAL;
	e->msg.nlmsg_len = req->nlmsg_len;
	mnl_attr_put_strz(nlh, MPL_NLMSGERR_ATTR_MSG, "whatever it says");
	mnl_attr_put_u32(nlh, MPL_NLMSGERR_ATTR_OFFS, 20);
	assert_int_equal(mpl_nl_parse_err(nlh, text, sizeof(text), &off),
			 -EINVAL);
	assert_int_equal(off, 20);
	assert_string_equal(text, "whatever it says");
	/* No OFFS attribute: nothing blamed. */
	assert_int_equal(
		mpl_nl_parse_err((const struct nlmsghdr *)canned_err_miss_type,
				 text, sizeof(text), &off),
		-EINVAL);
	assert_int_equal(off, -1);
}

static void test_parse_family(void **state)
{
	uint16_t id = 0;
	uint32_t grp = 0, ops = 0;

	(void)state;
	assert_int_equal(mpl_nl_parse_family(
				 (const struct nlmsghdr *)canned_family_reply,
				 &id, &grp, &ops),
			 0);
	assert_int_equal(id, 28);
	assert_int_equal(grp, 9);
	assert_int_equal(ops, (1u << 3) | (1u << 10) | (1u << 11));
	/* A message of another family is not a family reply. */
	assert_int_equal(
		mpl_nl_parse_family((const struct nlmsghdr *)canned_ev_closed,
				    &id, &grp, &ops),
		-EINVAL);
}

static void test_parse_addr_v6(void **state)
{
	struct mpl_pm_addr a, want;

	(void)state;
	assert_int_equal(
		mpl_nl_parse_addr((const struct nlmsghdr *)canned_addr_reply_v6,
				  &a),
		0);
	pm_addr6(&want, "fd00:2::1", 0);
	assert_int_equal(a.family, AF_INET6);
	assert_memory_equal(&a.addr.v6, &want.addr.v6, 16);
	assert_int_equal(a.id, 5);
	assert_int_equal(a.flags, MPL_PM_ADDR_FLAG_SUBFLOW);
	assert_int_equal(a.ifindex, 4);
	assert_int_equal(a.port, 0);
}

static void test_event_sub_established_v4(void **state)
{
	struct mptcplib_event ev;
	struct sockaddr_in *l = (struct sockaddr_in *)&ev.local;
	struct sockaddr_in *r = (struct sockaddr_in *)&ev.remote;

	(void)state;
	assert_int_equal(mpl_event_parse((const struct nlmsghdr *)
						 canned_ev_sub_established_v4,
					 &ev),
			 0);
	assert_int_equal(ev.type, MPTCPLIB_EVENT_SUB_ESTABLISHED);
	assert_int_equal(ev.token, 0xcafef00d);
	assert_int_equal(l->sin_family, AF_INET);
	assert_int_equal(l->sin_addr.s_addr, inet_addr("10.0.2.1"));
	assert_int_equal(ntohs(l->sin_port), 40000);
	assert_int_equal(r->sin_addr.s_addr, inet_addr("10.0.2.2"));
	assert_int_equal(ntohs(r->sin_port), 7001);
	assert_int_equal(ev.local_addr_id, 1);
	assert_int_equal(ev.remote_addr_id, 0);
	assert_int_equal(ev.backup, 1);
	assert_int_equal(ev.ifindex, 3);
	assert_int_equal(ev.error, 0);
	assert_int_equal(ev.server_side, 0);
}

static void test_event_sub_closed_v6(void **state)
{
	struct mptcplib_event ev;
	struct sockaddr_in6 *l = (struct sockaddr_in6 *)&ev.local, want;

	(void)state;
	assert_int_equal(
		mpl_event_parse(
			(const struct nlmsghdr *)canned_ev_sub_closed_v6, &ev),
		0);
	assert_int_equal(ev.type, MPTCPLIB_EVENT_SUB_CLOSED);
	assert_int_equal(l->sin6_family, AF_INET6);
	inet_pton(AF_INET6, "fd00:2::1", &want.sin6_addr);
	assert_memory_equal(&l->sin6_addr, &want.sin6_addr, 16);
	assert_int_equal(ntohs(l->sin6_port), 40001);
	assert_int_equal(ev.error, 111);
	assert_int_equal(ev.reset_reason, 3);
	assert_int_equal(ev.local_addr_id, 2);
	assert_int_equal(ev.ifindex, 0);
}

static void test_event_server_side_and_closed(void **state)
{
	struct mptcplib_event ev;

	(void)state;
	assert_int_equal(
		mpl_event_parse(
			(const struct nlmsghdr *)canned_ev_created_server, &ev),
		0);
	assert_int_equal(ev.type, MPTCPLIB_EVENT_CREATED);
	assert_int_equal(ev.server_side, 1);
	assert_int_equal(ev.flags, 2);
	assert_int_equal(
		mpl_event_parse((const struct nlmsghdr *)canned_ev_closed, &ev),
		0);
	assert_int_equal(ev.type, MPTCPLIB_EVENT_CLOSED);
	assert_int_equal(ev.token, 9);
	assert_int_equal(ev.local.ss_family, AF_UNSPEC);
	assert_int_equal(ev.local_addr_id, -1);
	assert_int_equal(
		mpl_event_parse((const struct nlmsghdr *)canned_ev_truncated,
				&ev),
		-EINVAL);
	assert_string_equal(mptcplib_event_name(MPTCPLIB_EVENT_SUB_PRIORITY),
			    "SUB_PRIORITY");
	assert_string_equal(mptcplib_event_name(99), "UNKNOWN");
}

/* The in-kernel path manager's configuration: both requests. */
static void test_put_get_endpoints_and_limits(void **state)
{
	char buf[MPL_NL_REQSIZE] = { 0 };

	(void)state;
	assert_msg(mpl_nl_put_get_endpoints(buf, 28, 12), canned_get_endpoints,
		   sizeof(canned_get_endpoints));
	memset(buf, 0, sizeof(buf));
	assert_msg(mpl_nl_put_get_limits(buf, 28, 13), canned_get_limits,
		   sizeof(canned_get_limits));
}

static void test_parse_limits(void **state)
{
	int subflows = -1, accepted = -1;

	(void)state;
	assert_int_equal(mpl_nl_parse_limits(
				 (const struct nlmsghdr *)canned_limits_reply,
				 &subflows, &accepted),
			 0);
	assert_int_equal(subflows, 2);
	assert_int_equal(accepted, 1);
	/* A reply without one of them is not taken for zero. */
	subflows = accepted = 5;
	assert_int_equal(mpl_nl_parse_limits((const struct nlmsghdr *)
						     canned_limits_reply_short,
					     &subflows, &accepted),
			 -EINVAL);
	assert_int_equal(subflows, 5);
	assert_int_equal(accepted, 5);
}

/*
 * Endpoint entries as the kernel dumps them, into the public form: port
 * to network order, flags as named, the interface kept.
 */
static void test_parse_endpoints(void **state)
{
	struct mptcplib_endpoint e;
	struct sockaddr_in *in = (struct sockaddr_in *)&e.addr;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&e.addr;
	struct mpl_pm_addr a, want;

	(void)state;
	assert_int_equal(
		mpl_nl_parse_addr((const struct nlmsghdr *)canned_endpoint_v4,
				  &a),
		0);
	mpl_endp_from_pm(&e, &a);
	assert_int_equal(e.id, 2);
	assert_int_equal(e.flags, MPTCPLIB_ENDPOINT_SUBFLOW |
					  MPTCPLIB_ENDPOINT_BACKUP |
					  MPTCPLIB_ENDPOINT_FULLMESH);
	assert_int_equal(e.ifindex, 3);
	assert_int_equal(in->sin_family, AF_INET);
	assert_int_equal(in->sin_addr.s_addr, inet_addr("10.0.2.1"));
	assert_int_equal(in->sin_port, 0);

	assert_int_equal(
		mpl_nl_parse_addr(
			(const struct nlmsghdr *)canned_endpoint_v6_port, &a),
		0);
	mpl_endp_from_pm(&e, &a);
	pm_addr6(&want, "fd00:3::1", 0);
	assert_int_equal(e.id, 7);
	/* 0x20 (laminar, 6.18) is not one of the flags the API names. */
	assert_int_equal(e.flags, MPTCPLIB_ENDPOINT_SIGNAL);
	assert_int_equal(e.ifindex, 0);
	assert_int_equal(in6->sin6_family, AF_INET6);
	assert_memory_equal(&in6->sin6_addr, &want.addr.v6, 16);
	assert_int_equal(ntohs(in6->sin6_port), 7002);
}

/* ANNOUNCE from a caller's sockaddr: host-order port, SIGNAL, the id. */
static void test_put_announce(void **state)
{
	char buf[MPL_NL_REQSIZE] = { 0 };
	struct sockaddr_in6 mapped = { .sin6_family = AF_INET6,
				       .sin6_port = htons(7002) };
	struct sockaddr_in6 v6 = { .sin6_family = AF_INET6 };
	struct mpl_pm_addr a;

	(void)state;
	/* An IPv4-mapped address is announced as IPv4. */
	inet_pton(AF_INET6, "::ffff:10.0.2.2", &mapped.sin6_addr);
	assert_int_equal(mpl_endp_announce_addr(&a, (struct sockaddr *)&mapped,
						sizeof(mapped), 3),
			 0);
	assert_msg(mpl_nl_put_pm_cmd(buf, 28, 14, MPL_PM_CMD_ANNOUNCE,
				     0x11223344, &a, NULL),
		   canned_announce_v4_port, sizeof(canned_announce_v4_port));
	memset(buf, 0, sizeof(buf));
	inet_pton(AF_INET6, "fd00:2::2", &v6.sin6_addr);
	assert_int_equal(mpl_endp_announce_addr(&a, (struct sockaddr *)&v6,
						sizeof(v6), 9),
			 0);
	assert_msg(mpl_nl_put_pm_cmd(buf, 28, 15, MPL_PM_CMD_ANNOUNCE,
				     0xdeadbeef, &a, NULL),
		   canned_announce_v6, sizeof(canned_announce_v6));
	/* Id 0 is the initial subflow's: never announced. */
	assert_int_equal(mpl_endp_announce_addr(&a, (struct sockaddr *)&v6,
						sizeof(v6), 0),
			 -EINVAL);
	assert_int_equal(mpl_endp_announce_addr(&a, (struct sockaddr *)&v6,
						sizeof(v6), 256),
			 -EINVAL);
	assert_int_equal(mpl_endp_announce_addr(&a, (struct sockaddr *)&v6, 8,
						1),
			 -EINVAL);
}

static void test_put_remove(void **state)
{
	char buf[MPL_NL_REQSIZE] = { 0 };

	(void)state;
	assert_msg(mpl_nl_put_remove(buf, 28, 16, 0x11223344, 3), canned_remove,
		   sizeof(canned_remove));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_subflow_create_v4),
		cmocka_unit_test(test_put_subflow_destroy_v6),
		cmocka_unit_test(test_put_set_flags_clear),
		cmocka_unit_test(test_open_timeout_undo),
		cmocka_unit_test(test_put_get_addrs_and_family),
		cmocka_unit_test(test_parse_err_table),
		cmocka_unit_test(test_blamed_attribute),
		cmocka_unit_test(test_parse_family),
		cmocka_unit_test(test_parse_addr_v6),
		cmocka_unit_test(test_event_sub_established_v4),
		cmocka_unit_test(test_event_sub_closed_v6),
		cmocka_unit_test(test_event_server_side_and_closed),
		cmocka_unit_test(test_put_get_endpoints_and_limits),
		cmocka_unit_test(test_parse_limits),
		cmocka_unit_test(test_parse_endpoints),
		cmocka_unit_test(test_put_announce),
		cmocka_unit_test(test_put_remove),
	};

	return cmocka_run_group_tests_name("netlink", tests, NULL, NULL);
}

// SPDX-License-Identifier: MIT
/* The shim <-> mptcp-autod messages: round trips and every refusal. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "eng_wire.h"

static void test_register_round_trip(void **state)
{
	struct eng_wire_msg m, back;
	char buf[ENG_WIRE_MAX + 1];
	const char *why = NULL;
	int n;

	(void)state;
	eng_wire_init(&m, ENG_WIRE_REGISTER, 42);
	m.token = 0x1a2b3c4d;
	m.narrow = true;
	m.user_subflows = 1;
	strcpy(m.interfaces[m.ninterfaces++], "wlan*");
	strcpy(m.interfaces[m.ninterfaces++], "eth1");
	strcpy(m.backup[m.nbackup++], "eth1");
	m.user_reopen = 0;
	n = eng_wire_format(&m, buf, sizeof(buf));
	assert_true(n > 0);
	assert_string_equal(buf,
			    "MPTCP-AUTO/1 REGISTER\nseq 42\ntoken 1a2b3c4d\n"
			    "user-subflows 1\nuser-interfaces wlan*,eth1\n"
			    "user-backup eth1\nuser-reopen no\n");
	assert_int_equal(eng_wire_parse(buf, (size_t)n, &back, &why), 0);
	assert_int_equal(back.type, ENG_WIRE_REGISTER);
	assert_int_equal(back.seq, 42);
	assert_int_equal(back.token, 0x1a2b3c4d);
	assert_true(back.narrow);
	assert_int_equal(back.user_subflows, 1);
	assert_int_equal(back.ninterfaces, 2);
	assert_string_equal(back.interfaces[1], "eth1");
	assert_int_equal(back.nbackup, 1);
	assert_int_equal(back.user_reopen, 0);
	/* Only yes or no. */
	strcpy(buf, "MPTCP-AUTO/1 REGISTER\nseq 1\ntoken 00000001\n"
		    "user-reopen yes\n");
	assert_int_equal(eng_wire_parse(buf, strlen(buf), &back, &why), 0);
	assert_int_equal(back.user_reopen, 1);
	strcpy(strstr(buf, "yes"), "maybe\n");
	assert_int_not_equal(eng_wire_parse(buf, strlen(buf), &back, &why), 0);
	/* No narrowing: no user-* line, and none read back. */
	eng_wire_init(&m, ENG_WIRE_REGISTER, 7);
	m.token = 5;
	n = eng_wire_format(&m, buf, sizeof(buf));
	assert_string_equal(buf,
			    "MPTCP-AUTO/1 REGISTER\nseq 7\ntoken 00000005\n");
	assert_int_equal(eng_wire_parse(buf, (size_t)n, &back, &why), 0);
	assert_false(back.narrow);
	assert_int_equal(back.user_subflows, -1);
	assert_int_equal(back.user_reopen, -1);
	assert_int_equal(back.token, 5);
}

static void test_replies(void **state)
{
	struct eng_wire_msg m, back;
	char buf[ENG_WIRE_MAX + 1];
	int n;

	(void)state;
	eng_wire_init(&m, ENG_WIRE_REFUSED, 9);
	strcpy(m.reason, "not an MPTCP socket");
	n = eng_wire_format(&m, buf, sizeof(buf));
	assert_string_equal(buf, "MPTCP-AUTO/1 REFUSED\nseq 9\n"
				 "reason not an MPTCP socket\n");
	assert_int_equal(eng_wire_parse(buf, (size_t)n, &back, NULL), 0);
	assert_string_equal(back.reason, "not an MPTCP socket");
	eng_wire_init(&m, ENG_WIRE_OK, 10);
	n = eng_wire_format(&m, buf, sizeof(buf));
	assert_int_equal(eng_wire_parse(buf, (size_t)n, &back, NULL), 0);
	assert_int_equal(back.type, ENG_WIRE_OK);
	assert_int_equal(back.seq, 10);
	/* An OK may carry a note for the user; a REFUSED has no note. */
	eng_wire_init(&m, ENG_WIRE_OK, 11);
	strcpy(m.reason, "less than asked");
	n = eng_wire_format(&m, buf, sizeof(buf));
	assert_string_equal(buf,
			    "MPTCP-AUTO/1 OK\nseq 11\nnote less than asked\n");
	assert_int_equal(eng_wire_parse(buf, (size_t)n, &back, NULL), 0);
	assert_string_equal(back.reason, "less than asked");
	assert_int_equal(
		eng_wire_parse("MPTCP-AUTO/1 REFUSED\nseq 1\nreason x\n"
			       "note y\n",
			       strlen("MPTCP-AUTO/1 REFUSED\nseq 1\n"
				      "reason x\nnote y\n"),
			       &back, NULL),
		-EPROTO);
	/* A reason is one line. */
	eng_wire_init(&m, ENG_WIRE_REFUSED, 9);
	strcpy(m.reason, "two\nlines");
	assert_int_equal(eng_wire_format(&m, buf, sizeof(buf)), -EINVAL);
}

static const struct bad_case {
	const char *name, *text;
} bad_cases[] = {
	{ "empty", "" },
	{ "no newline at the end", "MPTCP-AUTO/1 OK\nseq 1" },
	{ "other protocol", "HTTP/1.1 OK\nseq 1\n" },
	{ "other version", "MPTCP-AUTO/2 OK\nseq 1\n" },
	{ "unknown type", "MPTCP-AUTO/1 HELLO\nseq 1\n" },
	{ "no seq", "MPTCP-AUTO/1 OK\n" },
	{ "seq twice", "MPTCP-AUTO/1 OK\nseq 1\nseq 2\n" },
	{ "seq not a number", "MPTCP-AUTO/1 OK\nseq x\n" },
	{ "seq with a sign", "MPTCP-AUTO/1 OK\nseq -1\n" },
	{ "seq leading zero", "MPTCP-AUTO/1 OK\nseq 01\n" },
	{ "seq too large", "MPTCP-AUTO/1 OK\nseq 4294967296\n" },
	{ "register without token", "MPTCP-AUTO/1 REGISTER\nseq 1\n" },
	{ "token too short", "MPTCP-AUTO/1 REGISTER\nseq 1\ntoken abc\n" },
	{ "token upper case",
	  "MPTCP-AUTO/1 REGISTER\nseq 1\ntoken ABCDEF01\n" },
	{ "token on a reply", "MPTCP-AUTO/1 OK\nseq 1\ntoken 00000001\n" },
	{ "unknown key", "MPTCP-AUTO/1 OK\nseq 1\ncolour red\n" },
	{ "empty line", "MPTCP-AUTO/1 OK\n\nseq 1\n" },
	{ "key without value", "MPTCP-AUTO/1 OK\nseq\n" },
	{ "subflows too many",
	  "MPTCP-AUTO/1 REGISTER\nseq 1\ntoken 00000001\nuser-subflows 256\n" },
	{ "pattern with a slash",
	  "MPTCP-AUTO/1 REGISTER\nseq 1\ntoken 00000001\n"
	  "user-interfaces ../etc\n" },
	{ "pattern too long", "MPTCP-AUTO/1 REGISTER\nseq 1\ntoken 00000001\n"
			      "user-interfaces abcdefghijklmnop\n" },
	{ "empty pattern", "MPTCP-AUTO/1 REGISTER\nseq 1\ntoken 00000001\n"
			   "user-interfaces eth0,,eth1\n" },
	{ "too many patterns",
	  "MPTCP-AUTO/1 REGISTER\nseq 1\ntoken 00000001\n"
	  "user-interfaces a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q\n" },
	{ "refused without reason", "MPTCP-AUTO/1 REFUSED\nseq 1\n" },
	{ "status with a key", "MPTCP-AUTO/1 STATUS\nseq 1\nmode userspace\n" },
	{ "served on a reply", "MPTCP-AUTO/1 OK\nseq 1\nserved 0 curl 1\n" },
	{ "state without seq", "MPTCP-AUTO/1 STATE\nmode userspace\n" },
	{ "mode upper case", "MPTCP-AUTO/1 STATE\nseq 1\nmode Userspace\n" },
	{ "mode too long",
	  "MPTCP-AUTO/1 STATE\nseq 1\nmode abcdefghijklmnop\n" },
	{ "mode twice",
	  "MPTCP-AUTO/1 STATE\nseq 1\nmode kernel\nmode userspace\n" },
	{ "unregistered unknown",
	  "MPTCP-AUTO/1 STATE\nseq 1\nunregistered nothing\n" },
	{ "since negative", "MPTCP-AUTO/1 STATE\nseq 1\nsince -5\n" },
	{ "served two fields", "MPTCP-AUTO/1 STATE\nseq 1\nserved 0 curl\n" },
	{ "served four fields",
	  "MPTCP-AUTO/1 STATE\nseq 1\nserved 0 curl 1 2\n" },
	{ "served two spaces",
	  "MPTCP-AUTO/1 STATE\nseq 1\nserved 0  curl 1\n" },
	{ "served uid too large",
	  "MPTCP-AUTO/1 STATE\nseq 1\nserved 4294967296 curl 1\n" },
	{ "served count not a number",
	  "MPTCP-AUTO/1 STATE\nseq 1\nserved 0 curl many\n" },
	{ "served program too long",
	  "MPTCP-AUTO/1 STATE\nseq 1\n"
	  "served 0 abcdefghijklmnopqrstuvwxyz0123456 1\n" },
	{ "served program with a tab",
	  "MPTCP-AUTO/1 STATE\nseq 1\nserved 0 cu\trl 1\n" },
	{ "served-other twice",
	  "MPTCP-AUTO/1 STATE\nseq 1\nserved-other 1\nserved-other 2\n" },
	{ "policy relative", "MPTCP-AUTO/1 STATE\nseq 1\npolicy etc/p.ini\n" },
	{ "policy with a tab", "MPTCP-AUTO/1 STATE\nseq 1\npolicy /a\tb\n" },
	{ "policy twice", "MPTCP-AUTO/1 STATE\nseq 1\npolicy /a\npolicy /b\n" },
	{ "policy on a reply", "MPTCP-AUTO/1 OK\nseq 1\npolicy /a\n" },
	{ "refused without a count",
	  "MPTCP-AUTO/1 STATE\nseq 1\nrefused 1a2b3c4d\n" },
	{ "refused zero", "MPTCP-AUTO/1 STATE\nseq 1\nrefused 1a2b3c4d 0\n" },
	{ "refused short token",
	  "MPTCP-AUTO/1 STATE\nseq 1\nrefused 1a2b3c 1\n" },
	{ "refused upper case",
	  "MPTCP-AUTO/1 STATE\nseq 1\nrefused 1A2B3C4D 1\n" },
};

static void test_refusals(void **state)
{
	struct eng_wire_msg m;
	char big[ENG_WIRE_MAX + 2];
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		why = NULL;
		print_message("case: %s\n", bad_cases[i].name);
		assert_int_equal(eng_wire_parse(bad_cases[i].text,
						strlen(bad_cases[i].text), &m,
						&why),
				 -EPROTO);
		assert_non_null(why);
	}
	/* A NUL inside, and a datagram past the limit. */
	assert_int_equal(eng_wire_parse("MPTCP-AUTO/1 OK\nseq 1\0\n", 23, &m,
					&why),
			 -EPROTO);
	memset(big, 'a', sizeof(big));
	big[sizeof(big) - 1] = '\n';
	assert_int_equal(eng_wire_parse(big, sizeof(big), &m, &why), -EPROTO);
	/* Sixteen patterns are fine. */
	assert_int_equal(
		eng_wire_parse("MPTCP-AUTO/1 REGISTER\nseq 1\ntoken "
			       "00000001\nuser-interfaces a,b,c,d,e,"
			       "f,g,h,i,j,k,l,m,n,o,p\n",
			       strlen("MPTCP-AUTO/1 REGISTER\nseq 1\n"
				      "token 00000001\nuser-interfaces "
				      "a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,"
				      "p\n"),
			       &m, &why),
		0);
	assert_int_equal(m.ninterfaces, 16);
}

static void test_status_and_state(void **state)
{
	struct eng_wire_msg m, back;
	char buf[ENG_WIRE_MAX + 1], text[ENG_WIRE_MAX + 1];
	size_t off = 0;
	int n, i;

	(void)state;
	eng_wire_init(&m, ENG_WIRE_STATUS, 3);
	n = eng_wire_format(&m, buf, sizeof(buf));
	assert_string_equal(buf, "MPTCP-AUTO/1 STATUS\nseq 3\n");
	assert_int_equal(eng_wire_parse(buf, (size_t)n, &back, NULL), 0);
	assert_int_equal(back.type, ENG_WIRE_STATUS);
	assert_int_equal(back.seq, 3);

	eng_wire_init(&m, ENG_WIRE_STATE, 3);
	strcpy(m.mode, "userspace");
	m.unregistered = ENG_WIRE_UNREG_ENDPOINTS;
	m.since = 1790000000;
	m.served[m.nserved++] = (struct eng_wire_served){ 1000, "curl", 12 };
	m.served[m.nserved++] = (struct eng_wire_served){ 0, "apt", 3 };
	m.served_other = 5;
	strcpy(m.policy, "/etc/my policy.ini");
	m.refused[m.nrefused++] = (struct eng_wire_refused){ 0x1a2b3c4d, 1 };
	m.refused[m.nrefused++] = (struct eng_wire_refused){ 0xff, 3 };
	n = eng_wire_format(&m, buf, sizeof(buf));
	assert_string_equal(buf, "MPTCP-AUTO/1 STATE\nseq 3\nmode userspace\n"
				 "unregistered endpoints\nsince 1790000000\n"
				 "served 1000 curl 12\nserved 0 apt 3\n"
				 "served-other 5\npolicy /etc/my policy.ini\n"
				 "refused 1a2b3c4d 1\nrefused 000000ff 3\n");
	assert_int_equal(eng_wire_parse(buf, (size_t)n, &back, NULL), 0);
	assert_int_equal(back.type, ENG_WIRE_STATE);
	assert_string_equal(back.mode, "userspace");
	assert_int_equal(back.unregistered, ENG_WIRE_UNREG_ENDPOINTS);
	assert_int_equal(back.since, 1790000000);
	assert_int_equal(back.nserved, 2);
	assert_int_equal(back.served[0].uid, 1000);
	assert_string_equal(back.served[0].prog, "curl");
	assert_int_equal(back.served[0].count, 12);
	assert_int_equal(back.served[1].uid, 0);
	assert_string_equal(back.served[1].prog, "apt");
	assert_int_equal(back.served_other, 5);
	assert_string_equal(back.policy, "/etc/my policy.ini");
	assert_int_equal(back.nrefused, 2);
	assert_int_equal(back.refused[0].token, 0x1a2b3c4d);
	assert_int_equal(back.refused[1].count, 3);
	assert_memory_equal(&m, &back, sizeof(m));

	/* Nothing said: only the seq, and nothing read back. */
	eng_wire_init(&m, ENG_WIRE_STATE, 4);
	n = eng_wire_format(&m, buf, sizeof(buf));
	assert_string_equal(buf, "MPTCP-AUTO/1 STATE\nseq 4\n");
	assert_int_equal(eng_wire_parse(buf, (size_t)n, &back, NULL), 0);
	assert_int_equal(back.since, -1);
	assert_int_equal(back.unregistered, 0);
	assert_int_equal(back.nserved, 0);

	/* The fullest STATE fits in one datagram. */
	eng_wire_init(&m, ENG_WIRE_STATE, UINT32_MAX);
	strcpy(m.mode, "abcdefghijklmno");
	m.unregistered = ENG_WIRE_UNREG_DEFAULT;
	m.since = INT64_MAX;
	for (i = 0; i < ENG_WIRE_MAX_SERVED; i++) {
		m.served[i].uid = UINT32_MAX;
		memset(m.served[i].prog, 'p', ENG_WIRE_PROG_MAX - 1);
		m.served[i].count = UINT32_MAX;
	}
	m.nserved = ENG_WIRE_MAX_SERVED;
	m.served_other = UINT32_MAX;
	m.policy[0] = '/';
	memset(m.policy + 1, 'x', ENG_WIRE_PATH_MAX - 2);
	for (i = 0; i < ENG_WIRE_MAX_REFUSED; i++)
		m.refused[i] =
			(struct eng_wire_refused){ UINT32_MAX, UINT32_MAX };
	m.nrefused = ENG_WIRE_MAX_REFUSED;
	n = eng_wire_format(&m, buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal(eng_wire_parse(buf, (size_t)n, &back, NULL), 0);
	assert_memory_equal(&m, &back, sizeof(m));

	/* One served line past the bound is refused. */
	off = (size_t)snprintf(text, sizeof(text),
			       "MPTCP-AUTO/1 STATE\nseq 1\n");
	for (i = 0; i <= ENG_WIRE_MAX_SERVED; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off,
					"served %d p 1\n", i);
	assert_int_equal(eng_wire_parse(text, off, &back, NULL), -EPROTO);
	/* ... and exactly the bound is taken. */
	off = (size_t)snprintf(text, sizeof(text),
			       "MPTCP-AUTO/1 STATE\nseq 1\n");
	for (i = 0; i < ENG_WIRE_MAX_SERVED; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off,
					"served %d p 1\n", i);
	assert_int_equal(eng_wire_parse(text, off, &back, NULL), 0);
	assert_int_equal(back.nserved, ENG_WIRE_MAX_SERVED);

	/* What the sender could not say is not formatted. */
	eng_wire_init(&m, ENG_WIRE_STATE, 1);
	m.served[m.nserved++] = (struct eng_wire_served){ 0, "a b", 1 };
	assert_int_equal(eng_wire_format(&m, buf, sizeof(buf)), -EINVAL);
	eng_wire_init(&m, ENG_WIRE_STATE, 1);
	strcpy(m.mode, "User space");
	assert_int_equal(eng_wire_format(&m, buf, sizeof(buf)), -EINVAL);
	eng_wire_init(&m, ENG_WIRE_STATE, 1);
	m.nserved = ENG_WIRE_MAX_SERVED + 1;
	assert_int_equal(eng_wire_format(&m, buf, sizeof(buf)), -EINVAL);
	eng_wire_init(&m, ENG_WIRE_STATE, 1);
	m.unregistered = 7;
	assert_int_equal(eng_wire_format(&m, buf, sizeof(buf)), -EINVAL);
	eng_wire_init(&m, ENG_WIRE_STATE, 1);
	strcpy(m.policy, "relative/p.ini");
	assert_int_equal(eng_wire_format(&m, buf, sizeof(buf)), -EINVAL);
	eng_wire_init(&m, ENG_WIRE_STATE, 1);
	m.nrefused = ENG_WIRE_MAX_REFUSED + 1;
	assert_int_equal(eng_wire_format(&m, buf, sizeof(buf)), -EINVAL);
	/* One refused line past the bound is refused. */
	off = (size_t)snprintf(text, sizeof(text),
			       "MPTCP-AUTO/1 STATE\nseq 1\n");
	for (i = 0; i <= ENG_WIRE_MAX_REFUSED; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off,
					"refused %08x 1\n", i);
	assert_int_equal(eng_wire_parse(text, off, &back, NULL), -EPROTO);
}

static const struct prog_case {
	const char *in, *out;
} prog_cases[] = {
	{ NULL, "-" },
	{ "", "-" },
	{ "curl", "curl" },
	{ "my prog\t\x80", "my?prog??" },
	{ "abcdefghijklmnopqrstuvwxyz0123456789",
	  "abcdefghijklmnopqrstuvwxyz012345" },
};

static void test_prog_clean(void **state)
{
	char out[ENG_WIRE_PROG_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(prog_cases) / sizeof(prog_cases[0]); i++) {
		eng_wire_prog_clean(prog_cases[i].in, out);
		assert_string_equal(out, prog_cases[i].out);
		assert_true(eng_wire_prog_ok(out));
	}
}

static void test_format_limits(void **state)
{
	struct eng_wire_msg m;
	char small[20], buf[ENG_WIRE_MAX + 1];

	(void)state;
	eng_wire_init(&m, ENG_WIRE_REGISTER, 1);
	assert_int_equal(eng_wire_format(&m, small, sizeof(small)), -ENOSPC);
	m.narrow = true;
	m.ninterfaces = 1;
	strcpy(m.interfaces[0], "a b");
	assert_int_equal(eng_wire_format(&m, buf, sizeof(buf)), -EINVAL);
	m.ninterfaces = ENG_WIRE_MAX_PATTERNS + 1;
	assert_int_equal(eng_wire_format(&m, buf, sizeof(buf)), -EINVAL);
	m.type = 0;
	assert_int_equal(eng_wire_format(&m, buf, sizeof(buf)), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_register_round_trip),
		cmocka_unit_test(test_replies),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_format_limits),
		cmocka_unit_test(test_status_and_state),
		cmocka_unit_test(test_prog_clean),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

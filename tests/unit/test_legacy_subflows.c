// SPDX-License-Identifier: MIT
/*
 * The subflow list of kernels before 6.5 (mpl_sock_subflows() without
 * MPTCP_FULL_INFO), which this host's kernel never takes: getsockopt(),
 * getsockname() and getpeername() of one fake descriptor answer as 6.1
 * does (docs/kernel-facts.md §18); inet_diag is the real one.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cmn_addr.h"
#include "mpl_sock.h"
#include "mpl_uapi.h"

#define K_MAX 64

/* What the emulated kernel holds for the fake MPTCP socket. */
static struct {
	int fd;
	int nsub, grow, calls; /* subflows; more from the second call on */
	uint32_t elem; /* its struct mptcp_subflow_addrs size (256) */
	struct mpl_subflow_addrs subs[K_MAX];
	struct sockaddr_storage name, peer;
} k = { .fd = -1 };

static struct sockaddr_storage sa_of(const char *ip, unsigned short port)
{
	struct sockaddr_storage ss;

	memset(&ss, 0, sizeof(ss));
	if (strchr(ip, ':')) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		assert_int_equal(inet_pton(AF_INET6, ip, &in6->sin6_addr), 1);
	} else {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;

		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		assert_int_equal(inet_pton(AF_INET, ip, &in->sin_addr), 1);
	}
	return ss;
}

#define SA(ss) ((const struct sockaddr *)&(ss))

static void k_reset(const char *name, unsigned short nport, const char *peer,
		    unsigned short pport)
{
	memset(k.subs, 0, sizeof(k.subs));
	k.nsub = k.grow = k.calls = 0;
	k.elem = sizeof(struct mpl_subflow_addrs);
	k.name = sa_of(name, nport);
	k.peer = sa_of(peer, pport);
}

static void k_sub(int i, const char *l, unsigned short lport, const char *r,
		  unsigned short rport)
{
	k.subs[i].ss_local = sa_of(l, lport);
	k.subs[i].ss_remote = sa_of(r, rport);
}

/* 6.1's mptcp_getsockopt_subflow_addrs(), its checks included. */
static int k_subflow_addrs(void *optval, socklen_t *optlen)
{
	struct mpl_subflow_data sfd;
	unsigned int copied = 0, hdr;
	int len = (int)*optlen, n, i;
	char *p;

	if (len < (int)sizeof(sfd)) {
		errno = EINVAL;
		return -1;
	}
	memcpy(&sfd, optval, sizeof(sfd));
	if (sfd.size_subflow_data < sizeof(sfd) ||
	    sfd.size_subflow_data > (unsigned int)len || sfd.num_subflows ||
	    sfd.size_kernel) {
		errno = EINVAL;
		return -1;
	}
	len -= (int)sfd.size_subflow_data;
	sfd.size_kernel = k.elem;
	if (sfd.size_user > k.elem)
		sfd.size_user = k.elem;
	p = (char *)optval + sfd.size_subflow_data;
	n = k.nsub + (k.calls++ ? k.grow : 0);
	assert_true(n <= K_MAX);
	for (i = 0; i < n; i++) {
		if (!len || len < (int)sfd.size_user)
			continue;
		memcpy(p, &k.subs[i], sfd.size_user);
		p += sfd.size_user;
		copied += sfd.size_user;
		len -= (int)sfd.size_user;
	}
	sfd.num_subflows = (uint32_t)n;
	hdr = sfd.size_subflow_data < sizeof(sfd) ? sfd.size_subflow_data :
						    sizeof(sfd);
	*optlen = copied ? copied + sfd.size_subflow_data : hdr;
	memcpy(optval, &sfd, hdr);
	return 0;
}

/* The library's getsockopt(): 6.1's SOL_MPTCP for the fake descriptor. */
int getsockopt(int fd, int level, int optname, void *optval, socklen_t *optlen)
{
	struct mpl_mptcp_info mi = { .token = 0x11223344 };
	socklen_t n;

	if (fd != k.fd)
		return (int)syscall(SYS_getsockopt, fd, level, optname, optval,
				    optlen);
	if (level == MPL_SOL_MPTCP && optname == MPL_MPTCP_INFO) {
		n = *optlen < MPL_MPTCP_INFO_LEN_V0 ? *optlen :
						      MPL_MPTCP_INFO_LEN_V0;
		if (optval)
			memcpy(optval, &mi, n);
		*optlen = n;
		return 0;
	}
	if (level == MPL_SOL_MPTCP && optname == MPL_MPTCP_SUBFLOW_ADDRS)
		return k_subflow_addrs(optval, optlen);
	/* MPTCP_FULL_INFO among them: unknown before 6.5. */
	errno = EOPNOTSUPP;
	return -1;
}

static int k_name(const struct sockaddr_storage *ss, struct sockaddr *sa,
		  socklen_t *len)
{
	socklen_t n = cmn_sa_len(ss->ss_family);

	memcpy(sa, ss, *len < n ? *len : n);
	*len = n;
	return 0;
}

int getsockname(int fd, struct sockaddr *sa, socklen_t *len)
{
	if (fd != k.fd)
		return (int)syscall(SYS_getsockname, fd, sa, len);
	return k_name(&k.name, sa, len);
}

int getpeername(int fd, struct sockaddr *sa, socklen_t *len)
{
	if (fd != k.fd)
		return (int)syscall(SYS_getpeername, fd, sa, len);
	return k_name(&k.peer, sa, len);
}

/*
 * A dual-stack connection: its initial subflow listed v4-mapped, as the
 * socket's own ends, is 1; a joined IPv4 one gets its tuple's id; both
 * unmapped, the same ids at every call. Test-net addresses that no
 * socket here has: inet_diag finds neither, so both count as closed.
 */
static void test_ids_and_unmapping(void **state)
{
	struct sockaddr_storage l2 = sa_of("192.0.2.2", 40001),
				r = sa_of("198.51.100.1", 7001),
				l1 = sa_of("192.0.2.1", 40000);
	struct mpl_sf_list list, again;
	int i;

	(void)state;
	k_reset("::ffff:192.0.2.1", 40000, "::ffff:198.51.100.1", 7001);
	k_sub(0, "::ffff:192.0.2.1", 40000, "::ffff:198.51.100.1", 7001);
	k_sub(1, "192.0.2.2", 40001, "198.51.100.1", 7001);
	k.nsub = 2;
	assert_int_equal(mpl_sock_subflows(k.fd, &list), 0);
	assert_int_equal(list.count, 2);
	assert_int_equal(list.sf[0].id, 1);
	assert_true(cmn_sa_equal(SA(list.sf[0].local), SA(l1)));
	assert_true(cmn_sa_equal(SA(list.sf[0].remote), SA(r)));
	assert_int_equal(list.sf[1].id,
			 mpl_sf_legacy_id(SA(l2), SA(r), SA(l1), SA(r)));
	assert_true(list.sf[1].id >= 2);
	assert_true(cmn_sa_equal(SA(list.sf[1].local), SA(l2)));
	for (i = 0; i < 2; i++)
		assert_int_equal(list.sf[i].tcp_state, TCP_CLOSE);
	assert_int_equal(list.info.token, 0x11223344);
	assert_int_equal(list.info_len, MPL_MPTCP_INFO_LEN_V0);

	assert_int_equal(mpl_sock_subflows(k.fd, &again), 0);
	assert_int_equal(again.count, 2);
	for (i = 0; i < 2; i++)
		assert_int_equal(again.sf[i].id, list.sf[i].id);
	mpl_sf_list_free(&list);
	mpl_sf_list_free(&again);
}

/*
 * What the kernel copied decides, never the count it reports: more
 * subflows at the second call than room for, a kernel element shorter
 * than ours, none at all. (ASan catches any read past the answer.)
 */
static void test_short_answers(void **state)
{
	struct mpl_sf_list list;
	int i;

	(void)state;
	k_reset("192.0.2.1", 40000, "198.51.100.1", 7001);
	for (i = 0; i < K_MAX; i++)
		k_sub(i, "192.0.2.1", (unsigned short)(40000 + i),
		      "198.51.100.1", 7001);
	/* 10, then 40: the second call has room for 10 + 4. */
	k.nsub = 10;
	k.grow = 30;
	assert_int_equal(mpl_sock_subflows(k.fd, &list), 0);
	assert_int_equal(k.calls, 2);
	assert_int_equal(list.count, 14);
	assert_int_equal(cmn_sa_port(SA(list.sf[13].local)), 40013);
	mpl_sf_list_free(&list);

	k.nsub = 3;
	k.grow = 0;
	k.calls = 0;
	k.elem = 128; /* the local end only */
	assert_int_equal(mpl_sock_subflows(k.fd, &list), 0);
	assert_int_equal(list.count, 3);
	assert_int_equal(cmn_sa_port(SA(list.sf[2].local)), 40002);
	mpl_sf_list_free(&list);

	k.nsub = 0;
	k.elem = sizeof(struct mpl_subflow_addrs);
	assert_int_equal(mpl_sock_subflows(k.fd, &list), 0);
	assert_int_equal(list.count, 0);
	mpl_sf_list_free(&list);
}

/* A loopback TCP connection from a socket of @family to 127.0.0.1. */
static void tcp_pair(int family, int *c, int *a)
{
	struct sockaddr_storage ss =
		sa_of(family == AF_INET ? "0.0.0.0" : "::", 0);
	socklen_t len = cmn_sa_len(family);
	int l = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(l >= 0);
	assert_int_equal(bind(l, SA(ss), len), 0);
	assert_int_equal(listen(l, 1), 0);
	assert_int_equal(getsockname(l, (struct sockaddr *)&ss, &len), 0);
	ss = sa_of(family == AF_INET ? "127.0.0.1" : "::ffff:127.0.0.1",
		   cmn_sa_port(SA(ss)));
	*c = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(*c >= 0);
	assert_int_equal(connect(*c, SA(ss), len), 0);
	*a = accept(l, NULL, NULL);
	assert_true(*a >= 0);
	close(l);
}

/*
 * A subflow's state and tcp_info come from inet_diag: a real connection,
 * listed as 6.1 lists an initial subflow (for a dual-stack socket in its
 * v4-mapped form, found in the IPv6 table).
 */
static void test_state_from_inet_diag(void **state)
{
	static const int families[] = { AF_INET, AF_INET6 };
	struct mpl_sf_list list;
	socklen_t len;
	size_t i;
	int c, a;

	(void)state;
	for (i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		tcp_pair(families[i], &c, &a);
		k_reset("192.0.2.1", 1, "192.0.2.1", 1);
		len = sizeof(k.name);
		assert_int_equal(syscall(SYS_getsockname, c, &k.name, &len), 0);
		len = sizeof(k.peer);
		assert_int_equal(syscall(SYS_getpeername, c, &k.peer, &len), 0);
		k.subs[0].ss_local = k.name;
		k.subs[0].ss_remote = k.peer;
		k.nsub = 1;
		assert_int_equal(mpl_sock_subflows(k.fd, &list), 0);
		assert_int_equal(list.count, 1);
		assert_int_equal(list.sf[0].id, 1);
		assert_int_equal(list.sf[0].local.ss_family, AF_INET);
		assert_int_equal(list.sf[0].tcp_state, TCP_ESTABLISHED);
		assert_true(mpl_sf_is_live(&list.sf[0]));
		assert_true(list.tcpinfo_len > 0);
		assert_int_equal(((const uint8_t *)list.sf[0].tcpinfo)[0],
				 TCP_ESTABLISHED);
		mpl_sf_list_free(&list);
		close(c);
		close(a);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids_and_unmapping),
		cmocka_unit_test(test_short_answers),
		cmocka_unit_test(test_state_from_inet_diag),
	};

	/* Any descriptor: only its number matters to the fakes above. */
	k.fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_true(k.fd >= 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: MIT
/*
 * mptcplib on the real kernel: the client side of every documented
 * behaviour, against mpa-testsrv in another namespace. Run by
 * tests/integration/core.sh once for IPv4 and once for IPv6.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <linux/tcp.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pthread.h>
#include <grp.h>
#include <sys/wait.h>

#include "mptcplib.h"
#include "itest.h"

#define MB (1024 * 1024)

/* Backup bit the server sees on the subflow whose client port is @port. */
static int srv_backup_of(int fd, unsigned short port)
{
	char line[160], host[64];
	unsigned int p;
	int b, found = -1;

	if (io_write_all(fd, "STATE\n", 6))
		return -2;
	while (io_read_line(fd, line, sizeof(line)) == 0 &&
	       strcmp(line, "END")) {
		if (sscanf(line, "%63s %u %d", host, &p, &b) == 3 && p == port)
			found = b;
	}
	return found;
}

static unsigned short local_port_of(int fd, int id)
{
	struct mptcplib_getsubtuple_result t = mptcplib_get_sub_tuple(fd, id);
	unsigned short port = 0;

	if (!t.errnoValue)
		port = ntohs(
			t.flow.local->sa_family == AF_INET ?
				((struct sockaddr_in *)t.flow.local)->sin_port :
				((struct sockaddr_in6 *)t.flow.local)
					->sin6_port);
	mptcplib_free_flow(t.flow);
	return port;
}

static int open_path2(int fd, int low_prio)
{
	struct mptcplib_flow f = it_flow(2, 2);
	int err;

	f.low_prio = low_prio;
	err = mptcplib_open_sub(fd, &f);
	mptcplib_free_flow(f);
	return err ? -err : f.id;
}

static void test_open_sub_second_path(void **state)
{
	struct mptcplib_flow f = it_flow(2, 2);
	struct mptcplib_getsubids_result ids;
	struct mptcplib_getsubtuple_result t;
	struct mptcplib_conn_info info;
	enum mptcplib_kind kind;
	int fd = it_connect(262, "MPA_PORT", 1);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(mptcplib_get_kind(fd, &kind), 0);
	assert_int_equal(kind, MPTCPLIB_KIND_MPTCP);
	assert_int_equal(mptcplib_open_sub(fd, &f), 0);
	assert_true(f.id > 1);

	ids = mptcplib_get_sub_ids(fd);
	assert_int_equal(ids.errnoValue, 0);
	assert_int_equal(ids.ids.count, 2);
	assert_true(it_has_id(&ids.ids, 1));
	assert_true(it_has_id(&ids.ids, f.id));

	t = mptcplib_get_sub_tuple(fd, f.id);
	assert_int_equal(t.errnoValue, 0);
	assert_int_equal(t.flow.low_prio, 0);
	assert_int_equal(t.flow.local->sa_family, f.local->sa_family);
	assert_int_equal(t.flow.remote_len, f.remote_len);
	/* Same address as asked, a real source port, the server's port. */
	if (f.local->sa_family == AF_INET) {
		struct sockaddr_in *l = (void *)t.flow.local,
				   *want = (void *)f.local;

		assert_int_equal(l->sin_addr.s_addr, want->sin_addr.s_addr);
		assert_int_not_equal(l->sin_port, 0);
	} else {
		struct sockaddr_in6 *l = (void *)t.flow.local,
				    *want = (void *)f.local;

		assert_memory_equal(&l->sin6_addr, &want->sin6_addr, 16);
		assert_int_not_equal(l->sin6_port, 0);
	}
	assert_memory_equal(t.flow.remote, f.remote, f.remote_len);

	assert_int_equal(mptcplib_get_conn_info(fd, &info), 0);
	assert_int_equal(info.subflows, 2);
	assert_int_not_equal(info.token, 0);
	assert_int_equal(info.remote_key_received, 1);

	mptcplib_free_flow(t.flow);
	mptcplib_free_intarray(ids.ids);
	mptcplib_free_flow(f);
	close(fd);
}

/* The wildcard source lets routing choose; a given source port is kept. */
static void test_wildcard_source_and_fixed_port(void **state)
{
	int fd = it_connect(262, "MPA_PORT", 1);
	struct mptcplib_flow any =
		mptcplib_make_flow(NULL, 0, it_v6() ? "fd00:2::2" : "10.0.2.2",
				   it_port("MPA_PORT"));
	struct mptcplib_flow fixed = it_flow(2, 2), want = it_flow(2, 2);
	struct mptcplib_getsubtuple_result t;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(mptcplib_open_sub(fd, &any), 0);
	t = mptcplib_get_sub_tuple(fd, any.id);
	assert_int_equal(t.errnoValue, 0);
	/* Routing picks the path-2 address for a path-2 destination. */
	if (it_v6())
		assert_memory_equal(
			&((struct sockaddr_in6 *)t.flow.local)->sin6_addr,
			&((struct sockaddr_in6 *)want.local)->sin6_addr, 16);
	else
		assert_int_equal(
			((struct sockaddr_in *)t.flow.local)->sin_addr.s_addr,
			((struct sockaddr_in *)want.local)->sin_addr.s_addr);
	mptcplib_free_flow(t.flow);

	if (it_v6())
		((struct sockaddr_in6 *)fixed.local)->sin6_port = htons(40123);
	else
		((struct sockaddr_in *)fixed.local)->sin_port = htons(40123);
	assert_int_equal(mptcplib_open_sub(fd, &fixed), 0);
	assert_int_equal(local_port_of(fd, fixed.id), 40123);
	mptcplib_free_flow(any);
	mptcplib_free_flow(fixed);
	mptcplib_free_flow(want);
	close(fd);
}

static uint64_t sub_bytes_acked(int fd, int id)
{
	struct mptcplib_getsubsockopt_result r = mptcplib_get_sub_sockopt(
		fd, id, IPPROTO_TCP, TCP_INFO, sizeof(struct tcp_info));
	uint64_t acked = 0;

	assert_int_equal(r.errnoValue, 0);
	assert_true(r.retsize >=
		    offsetof(struct tcp_info, tcpi_bytes_acked) + 8);
	acked = ((struct tcp_info *)r.value)->tcpi_bytes_acked;
	mptcplib_free_getsubsockopt_result(r);
	return acked;
}

static void send_zeros(int fd, size_t total)
{
	static char buf[65536];

	while (total) {
		size_t n = total < sizeof(buf) ? total : sizeof(buf);

		assert_int_equal(io_write_all(fd, buf, n), 0);
		total -= n;
	}
}

/* Ask the server to count the next @n bytes. */
static int sink_start(int fd, unsigned long long n)
{
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "SINK %llu\n", n);
	return io_write_all(fd, cmd, strlen(cmd));
}

static void expect_got(int fd, unsigned long long want)
{
	char line[64];
	unsigned long long got = 0;

	assert_int_equal(io_read_line(fd, line, sizeof(line)), 0);
	assert_int_equal(sscanf(line, "GOT %llu", &got), 1);
	assert_int_equal(got, want);
}

/* Both paths are shaped, so 10 MB must use both subflows. */
static void test_push_10mb_uses_new_subflow(void **state)
{
	int fd = it_connect(262, "MPA_PORT", 1), id;
	uint64_t first, second;

	(void)state;
	assert_true(fd >= 0);
	id = open_path2(fd, 0);
	assert_true(id > 1);
	assert_int_equal(sink_start(fd, 10ull * MB), 0);
	send_zeros(fd, 10 * MB);
	expect_got(fd, 10ull * MB);
	first = sub_bytes_acked(fd, 1);
	second = sub_bytes_acked(fd, id);
	print_message("bytes acked: initial %llu, new %llu\n",
		      (unsigned long long)first, (unsigned long long)second);
	assert_true(second > 1 * MB);
	assert_true(first + second >= 10ull * MB);
	close(fd);
}

/* The server's view of a subflow's backup bit changes asynchronously. */
static int wait_srv_backup(int fd, unsigned short port, int want)
{
	int64_t end = it_now_ms() + 2000;
	int b;

	do {
		b = srv_backup_of(fd, port);
		if (b == want)
			return b;
		usleep(20000);
	} while (it_now_ms() < end);
	return b;
}

static void test_backup_and_priority(void **state)
{
	int fd = it_connect(262, "MPA_PORT", 1), id, one = 1, v;
	struct mptcplib_getsubtuple_result t;
	struct mptcplib_getsubsockopt_result r;
	unsigned short port;

	(void)state;
	assert_true(fd >= 0);
	id = open_path2(fd, 1);
	assert_true(id > 1);
	port = local_port_of(fd, id);

	t = mptcplib_get_sub_tuple(fd, id);
	assert_int_equal(t.flow.low_prio, 1);
	mptcplib_free_flow(t.flow);
	t = mptcplib_get_sub_tuple(fd, 1);
	assert_int_equal(t.flow.low_prio, 0);
	mptcplib_free_flow(t.flow);
	assert_int_equal(wait_srv_backup(fd, port, 1), 1);

	assert_int_equal(mptcplib_set_sub_prio(fd, id, 0), 0);
	t = mptcplib_get_sub_tuple(fd, id);
	assert_int_equal(t.flow.low_prio, 0);
	mptcplib_free_flow(t.flow);
	assert_int_equal(wait_srv_backup(fd, port, 0), 0);

	assert_int_equal(mptcplib_set_sub_sockopt(fd, id, MPTCPLIB_SOL,
						  MPTCPLIB_SUB_LOW_PRIO, &one,
						  sizeof(one)),
			 0);
	r = mptcplib_get_sub_sockopt(fd, id, MPTCPLIB_SOL,
				     MPTCPLIB_SUB_LOW_PRIO, sizeof(int));
	assert_int_equal(r.errnoValue, 0);
	v = *(int *)r.value;
	assert_int_equal(v, 1);
	mptcplib_free_getsubsockopt_result(r);
	assert_int_equal(wait_srv_backup(fd, port, 1), 1);
	close(fd);
}

struct sender {
	int fd;
	size_t total;
};

static void *sender_main(void *arg)
{
	struct sender *s = arg;
	static char buf[65536];
	size_t left = s->total;

	while (left) {
		size_t n = left < sizeof(buf) ? left : sizeof(buf);

		if (io_write_all(s->fd, buf, n))
			break;
		left -= n;
	}
	s->total -= left;
	return NULL;
}

static void test_close_during_transfer(void **state)
{
	int fd = it_connect(262, "MPA_PORT", 1), id;
	struct mptcplib_getsubids_result ids;
	struct sender s = { fd, 20 * MB };
	pthread_t th;

	(void)state;
	assert_true(fd >= 0);
	id = open_path2(fd, 0);
	assert_true(id > 1);
	assert_int_equal(sink_start(fd, 20ull * MB), 0);
	assert_int_equal(pthread_create(&th, NULL, sender_main, &s), 0);
	usleep(300 * 1000);
	assert_true(sub_bytes_acked(fd, id) > 0);
	assert_int_equal(mptcplib_close_sub(fd, id, SHUT_RDWR), 0);
	ids = mptcplib_get_sub_ids(fd);
	assert_int_equal(ids.errnoValue, 0);
	assert_false(it_has_id(&ids.ids, id));
	assert_true(it_has_id(&ids.ids, 1));
	mptcplib_free_intarray(ids.ids);
	pthread_join(th, NULL);
	assert_int_equal(s.total, 20 * MB);
	expect_got(fd, 20ull * MB);
	close(fd);
}

/*
 * Two subflows from the same local address: closing one makes the kernel
 * drop the address entry; the other must stay alive and usable, and a new
 * subflow from that address must get the same address id back.
 */
static void test_close_shared_local_address(void **state)
{
	int fd = it_connect(262, "MPA_PORT", 1), a, b, c;
	struct mptcplib_flow f = it_flow(2, 1);
	struct mptcplib_sub_state sb, sc;
	struct mptcplib_getsubids_result ids;

	(void)state;
	assert_true(fd >= 0);
	a = open_path2(fd, 0);
	assert_true(a > 1);
	assert_int_equal(mptcplib_open_sub(fd, &f),
			 0); /* path-2 addr -> path-1 server addr */
	b = f.id;
	mptcplib_free_flow(f);
	assert_int_equal(mptcplib_get_sub_state(fd, b, &sb), 0);

	assert_int_equal(mptcplib_close_sub(fd, a, SHUT_RDWR), 0);
	ids = mptcplib_get_sub_ids(fd);
	assert_false(it_has_id(&ids.ids, a));
	assert_true(it_has_id(&ids.ids, b));
	mptcplib_free_intarray(ids.ids);

	assert_int_equal(mptcplib_set_sub_prio(fd, b, 1), 0);
	c = open_path2(fd, 0);
	/* A new subflow, a new id (made from its ports before 6.5). */
	assert_true(c > 1 && c != a && c != b);
	assert_int_equal(mptcplib_get_sub_state(fd, c, &sc), 0);
	assert_int_equal(sc.local_addr_id, sb.local_addr_id);
	assert_true(sc.local_addr_id > 0);

	assert_int_equal(sink_start(fd, 2ull * MB), 0);
	send_zeros(fd, 2 * MB);
	expect_got(fd, 2ull * MB);
	close(fd);
}

/* Closing the initial subflow: it stays listed by the kernel, not by us. */
static void test_initial_subflow_closed_not_listed(void **state)
{
	int fd = it_connect(262, "MPA_PORT", 1), id;
	struct mptcplib_getsubids_result ids;
	struct mptcplib_getsubtuple_result t;

	(void)state;
	assert_true(fd >= 0);
	id = open_path2(fd, 0);
	assert_true(id > 1);
	assert_int_equal(mptcplib_close_sub(fd, 1, SHUT_RDWR), 0);
	ids = mptcplib_get_sub_ids(fd);
	assert_int_equal(ids.errnoValue, 0);
	assert_int_equal(ids.ids.count, 1);
	assert_int_equal(ids.ids.values[0], id);
	mptcplib_free_intarray(ids.ids);
	t = mptcplib_get_sub_tuple(fd, 1);
	assert_int_equal(t.errnoValue, ENOENT);
	assert_null(t.flow.local);
	assert_int_equal(sink_start(fd, 1ull * MB), 0);
	send_zeros(fd, MB);
	expect_got(fd, 1ull * MB);
	close(fd);
}

static void test_last_subflow_needs_insisting(void **state)
{
	int fd = it_connect(262, "MPA_PORT", 1);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(mptcplib_close_sub(fd, 1, SHUT_RD), EINVAL);
	assert_int_equal(mptcplib_close_sub(fd, 1, SHUT_WR), EINVAL);
	assert_int_equal(mptcplib_close_sub(fd, 1, SHUT_RDWR), EBUSY);
	assert_int_equal(errno, EBUSY);
	assert_non_null(
		strstr(mptcplib_last_error(), "MPTCPLIB_SHUT_RDWR_LAST"));
	assert_int_equal(mptcplib_close_sub(fd, 1, MPTCPLIB_SHUT_RDWR_LAST), 0);
	close(fd);
}

static void test_bogus_id(void **state)
{
	int fd = it_connect(262, "MPA_PORT", 1);
	struct mptcplib_getsubtuple_result t;
	struct mptcplib_getsubsockopt_result r;

	(void)state;
	assert_true(fd >= 0);
	t = mptcplib_get_sub_tuple(fd, 999);
	assert_int_equal(t.errnoValue, ENOENT);
	assert_int_equal(mptcplib_close_sub(fd, 999, SHUT_RDWR), ENOENT);
	assert_int_equal(mptcplib_set_sub_prio(fd, 999, 1), ENOENT);
	r = mptcplib_get_sub_sockopt(fd, -3, IPPROTO_TCP, TCP_INFO, 64);
	assert_int_equal(r.errnoValue, ENOENT);
	assert_null(r.value);
	close(fd);
}

static void test_plain_tcp_socket(void **state)
{
	int fd = it_connect(IPPROTO_TCP, "MPA_PORT", 1);
	struct mptcplib_flow f = it_flow(2, 2);
	struct mptcplib_getsubids_result ids;
	enum mptcplib_kind kind;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(mptcplib_get_kind(fd, &kind), 0);
	assert_int_equal(kind, MPTCPLIB_KIND_TCP);
	assert_int_equal(mptcplib_open_sub(fd, &f), EOPNOTSUPP);
	assert_non_null(strstr(mptcplib_last_error(), "not an MPTCP socket"));
	ids = mptcplib_get_sub_ids(fd);
	assert_int_equal(ids.errnoValue, EOPNOTSUPP);
	assert_null(ids.ids.values);
	mptcplib_free_flow(f);
	close(fd);
}

static void test_fallback_to_tcp_server(void **state)
{
	int fd = it_connect(262, "MPA_PORT_TCP", 1);
	struct mptcplib_flow f = it_flow(2, 2);
	enum mptcplib_kind kind;
	struct mptcplib_conn_info info;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(mptcplib_get_kind(fd, &kind), 0);
	assert_int_equal(kind, MPTCPLIB_KIND_FALLBACK);
	assert_int_equal(mptcplib_open_sub(fd, &f), EOPNOTSUPP);
	assert_non_null(strstr(mptcplib_last_error(), "fell back"));
	assert_int_equal(mptcplib_get_conn_info(fd, &info), EOPNOTSUPP);
	mptcplib_free_flow(f);
	close(fd);
}

static void test_not_fully_established(void **state)
{
	int fd = it_connect(262, "MPA_PORT_SILENT", 0), err;
	struct mptcplib_flow f = it_flow(2, 2);

	(void)state;
	assert_true(fd >= 0);
	/* Joins go to the connection's own port: a silent server's. */
	if (f.remote->sa_family == AF_INET)
		((struct sockaddr_in *)f.remote)->sin_port =
			htons((unsigned short)it_port("MPA_PORT_SILENT"));
	else
		((struct sockaddr_in6 *)f.remote)->sin6_port =
			htons((unsigned short)it_port("MPA_PORT_SILENT"));
	assert_int_equal(mptcplib_open_sub(fd, &f), ENOTCONN);
	assert_non_null(strstr(mptcplib_last_error(), "fully established"));
	/* Once data flowed, the same request works. */
	assert_int_equal(io_write_all(fd, "STATE\n", 6), 0);
	{
		char line[160];

		while (io_read_line(fd, line, sizeof(line)) == 0 &&
		       strcmp(line, "END"))
			;
	}
	err = mptcplib_open_sub(fd, &f);
	assert_int_equal(err, 0);
	mptcplib_free_flow(f);
	close(fd);
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ok;

	if (fd < 0)
		return -1;
	ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text);
	close(fd);
	return ok ? 0 : -1;
}

/*
 * Switch this namespace's path manager: the string knob since 6.15,
 * pm_type (0 kernel, 1 userspace) before.
 */
static int set_path_manager(const char *pm)
{
	if (access("/proc/sys/net/mptcp/path_manager", F_OK) == 0)
		return write_file("/proc/sys/net/mptcp/path_manager", pm);
	return write_file("/proc/sys/net/mptcp/pm_type",
			  strcmp(pm, "userspace") ? "0" : "1");
}

static void test_kernel_path_manager(void **state)
{
	struct mptcplib_flow f = it_flow(2, 2);
	enum mptcplib_pm pm;
	int fd;

	(void)state;
	assert_int_equal(mptcplib_get_path_manager(&pm), 0);
	assert_int_equal(pm, MPTCPLIB_PM_USERSPACE);
	assert_int_equal(set_path_manager("kernel"), 0);
	assert_int_equal(mptcplib_get_path_manager(&pm), 0);
	assert_int_equal(pm, MPTCPLIB_PM_KERNEL);
	fd = it_connect(262, "MPA_PORT", 1);
	set_path_manager("userspace");
	assert_true(fd >= 0);
	assert_int_equal(mptcplib_open_sub(fd, &f), ENOPROTOOPT);
	assert_non_null(
		strstr(mptcplib_last_error(), "in-kernel path manager"));
	mptcplib_free_flow(f);
	close(fd);
}

/* The same call from a process without CAP_NET_ADMIN (uid nobody). */
static void test_unprivileged_caller(void **state)
{
	int fd = it_connect(262, "MPA_PORT", 1), status = -1;
	pid_t pid;

	(void)state;
	assert_true(fd >= 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct mptcplib_flow f = it_flow(2, 2);
		struct mptcplib_getsubids_result ids;
		struct mptcplib_sub_state st;
		int err;

		/* Leaving uid 0 without KEEPCAPS drops every capability. */
		if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(100);
		err = mptcplib_open_sub(fd, &f);
		if (err != EPERM ||
		    !strstr(mptcplib_last_error(), "CAP_NET_ADMIN"))
			_exit(101);
		/* Reading needs no privilege. */
		ids = mptcplib_get_sub_ids(fd);
		if (ids.errnoValue || ids.ids.count != 1)
			_exit(102);
		/*
		 * The initial subflow is established: 1, or -1 where the
		 * kernel hides MPTCP attributes from this caller (6.1);
		 * never a wrong 0.
		 */
		if (mptcplib_get_sub_state(fd, ids.ids.values[0], &st) ||
		    st.tcp_state != 1 /* TCP_ESTABLISHED */ ||
		    (st.fully_established != 1 && st.fully_established != -1))
			_exit(103);
		mptcplib_free_intarray(ids.ids);
		mptcplib_free_flow(f);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	close(fd);
}

static void test_refused_join(void **state)
{
	int fd, err;
	struct mptcplib_getsubids_result ids;

	(void)state;
	assert_int_equal(
		it_srv("ip mptcp limits set subflows 0 add_addr_accepted 8"),
		0);
	fd = it_connect(262, "MPA_PORT", 1);
	err = open_path2(fd, 0);
	it_srv("ip mptcp limits set subflows 8 add_addr_accepted 8");
	assert_true(fd >= 0);
	assert_int_equal(-err, ECONNREFUSED);
	ids = mptcplib_get_sub_ids(fd);
	assert_int_equal(ids.ids.count, 1);
	mptcplib_free_intarray(ids.ids);
	close(fd);
}

static void test_unreachable_and_timeout(void **state)
{
	int fd = it_connect(262, "MPA_PORT", 1);
	struct mptcplib_flow f = it_flow(2, 2);
	struct mptcplib_open_opts opts = { .timeout_ms = 400 };
	struct mptcplib_getsubids_result ids;
	int64_t t0;

	(void)state;
	assert_true(fd >= 0);
	/* Nobody answers ARP for .99 on path 2: no SYN-ACK ever comes. */
	if (f.remote->sa_family == AF_INET)
		inet_pton(AF_INET, "10.0.2.99",
			  &((struct sockaddr_in *)f.remote)->sin_addr);
	else
		inet_pton(AF_INET6, "fd00:2::99",
			  &((struct sockaddr_in6 *)f.remote)->sin6_addr);
	t0 = it_now_ms();
	assert_int_equal(mptcplib_open_sub_ext(fd, &f, &opts), ETIMEDOUT);
	assert_true(it_now_ms() - t0 < 2000);
	assert_int_equal(f.id, -1);
	/* The pending attempt was withdrawn, not left to come up later. */
	ids = mptcplib_get_sub_ids(fd);
	assert_int_equal(ids.ids.count, 1);
	mptcplib_free_intarray(ids.ids);

	/* With time to wait, the kernel's own reason comes back. */
	opts.timeout_ms = 9000;
	assert_int_equal(mptcplib_open_sub_ext(fd, &f, &opts), EHOSTUNREACH);
	mptcplib_free_flow(f);
	close(fd);
}

static void test_local_address_not_here(void **state)
{
	int fd = it_connect(262, "MPA_PORT", 1);
	struct mptcplib_flow f = it_flow(2, 2);

	(void)state;
	assert_true(fd >= 0);
	if (f.local->sa_family == AF_INET)
		inet_pton(AF_INET, "10.9.9.9",
			  &((struct sockaddr_in *)f.local)->sin_addr);
	else
		inet_pton(AF_INET6, "fd00:9::9",
			  &((struct sockaddr_in6 *)f.local)->sin6_addr);
	assert_int_equal(mptcplib_open_sub(fd, &f), EADDRNOTAVAIL);
	assert_non_null(
		strstr(mptcplib_last_error(), "not one of this host's"));
	mptcplib_free_flow(f);
	close(fd);
}

/*
 * IPv6 endpoints on an IPv4 connection. (The reverse is legal: a
 * dual-stack IPv6 socket may have IPv4 subflows.)
 */
static void test_wrong_family(void **state)
{
	struct mptcplib_flow c =
		mptcplib_make_flow(NULL, 0, "10.0.1.2", it_port("MPA_PORT"));
	struct mptcplib_flow f = mptcplib_make_flow("fd00:2::1", 0, "fd00:2::2",
						    it_port("MPA_PORT"));
	int fd = socket(AF_INET, SOCK_STREAM, 262);
	char line[8];

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, c.remote, c.remote_len), 0);
	assert_int_equal(io_read_line(fd, line, sizeof(line)), 0);
	mptcplib_free_flow(c);
	assert_non_null(f.local);
	assert_int_equal(mptcplib_open_sub(fd, &f), EAFNOSUPPORT);
	mptcplib_free_flow(f);
	close(fd);
}

static void test_nonblocking_open_bound_to_interface(void **state)
{
	int fd = it_connect(262, "MPA_PORT", 1);
	struct mptcplib_flow f = it_flow(2, 2);
	struct mptcplib_open_opts opts = { .flags = MPTCPLIB_OPEN_NONBLOCK,
					   .ifname = "c2" };
	struct mptcplib_sub_state st = { 0 };
	struct mptcplib_getsubids_result ids;
	int64_t t0, end;
	int err;

	(void)state;
	assert_true(fd >= 0);
	t0 = it_now_ms();
	err = mptcplib_open_sub_ext(fd, &f, &opts);
	assert_true(it_now_ms() - t0 < 1000);
	if (err == EOPNOTSUPP) {
		/*
		 * A kernel that does not bind subflows (6.1): said so, and
		 * the unbound subflow it made instead is not kept.
		 */
		print_message("%s\n", mptcplib_last_error());
		assert_non_null(strstr(mptcplib_last_error(),
				       "does not bind a subflow"));
		assert_int_equal(f.id, -1);
		ids = mptcplib_get_sub_ids(fd);
		assert_int_equal(ids.errnoValue, 0);
		assert_int_equal(ids.ids.count, 1);
		mptcplib_free_intarray(ids.ids);
		goto bad_name;
	}
	assert_int_equal(err, 0);
	assert_true(f.id > 1);
	end = it_now_ms() + 3000;
	while (it_now_ms() < end) {
		if (mptcplib_get_sub_state(fd, f.id, &st) == 0 &&
		    st.fully_established)
			break;
		usleep(10000);
	}
	assert_int_equal(st.fully_established, 1);
	assert_int_equal(st.ifindex, (int)if_nametoindex("c2"));

bad_name:
	opts.ifname = "no-such-if0";
	assert_int_equal(mptcplib_open_sub_ext(fd, &f, &opts), ENODEV);
	mptcplib_free_flow(f);
	close(fd);
}

/* Wait for an event of @type for @token; 0 if it came. */
static int wait_event(struct mptcplib_events *ev, int type, uint32_t token,
		      struct mptcplib_event *out)
{
	int64_t end = it_now_ms() + 3000;

	while (it_now_ms() < end)
		if (mptcplib_events_next(ev, out, 100) == 0 &&
		    out->type == type && out->token == token)
			return 0;
	return -1;
}

static void test_events(void **state)
{
	struct mptcplib_events *ev = NULL;
	struct mptcplib_conn_info info;
	struct mptcplib_event e;
	struct mptcplib_flow f = it_flow(2, 2);
	int fd, id;

	(void)state;
	assert_int_equal(mptcplib_events_open(&ev), 0);
	assert_true(mptcplib_events_fd(ev) >= 0);
	fd = it_connect(262, "MPA_PORT", 1);
	assert_true(fd >= 0);
	assert_int_equal(mptcplib_get_conn_info(fd, &info), 0);
	assert_int_equal(wait_event(ev, MPTCPLIB_EVENT_CREATED, info.token, &e),
			 0);
	assert_int_equal(e.server_side, 0);
	assert_int_equal(
		wait_event(ev, MPTCPLIB_EVENT_ESTABLISHED, info.token, &e), 0);
	assert_int_equal(mptcplib_open_sub(fd, &f), 0);
	id = f.id;
	assert_int_equal(wait_event(ev, MPTCPLIB_EVENT_SUB_ESTABLISHED,
				    info.token, &e),
			 0);
	assert_int_equal(e.local.ss_family, f.local->sa_family);
	assert_int_equal(memcmp(&e.remote, f.remote, f.remote_len), 0);
	assert_true(e.local_addr_id > 0);
	assert_string_equal(mptcplib_event_name(e.type), "SUB_ESTABLISHED");
	assert_int_equal(mptcplib_close_sub(fd, id, SHUT_RDWR), 0);
	assert_int_equal(
		wait_event(ev, MPTCPLIB_EVENT_SUB_CLOSED, info.token, &e), 0);
	close(fd);
	assert_int_equal(wait_event(ev, MPTCPLIB_EVENT_CLOSED, info.token, &e),
			 0);
	assert_int_equal(mptcplib_events_next(ev, &e, 0), ETIMEDOUT);
	mptcplib_events_close(ev);
	mptcplib_free_flow(f);
}

/* The fd-less form a helper daemon uses: by token, outcome as an event. */
static void test_token_open_sub(void **state)
{
	struct mptcplib_events *ev = NULL;
	struct mptcplib_conn_info info;
	struct mptcplib_flow f = it_flow(2, 2);
	struct mptcplib_event e;
	int fd = it_connect(262, "MPA_PORT", 1);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(mptcplib_events_open(&ev), 0);
	assert_int_equal(mptcplib_get_conn_info(fd, &info), 0);
	f.low_prio = 1;
	assert_int_equal(mptcplib_token_open_sub(info.token, &f, NULL), 0);
	assert_int_equal(wait_event(ev, MPTCPLIB_EVENT_SUB_ESTABLISHED,
				    info.token, &e),
			 0);
	assert_int_equal(memcmp(&e.remote, f.remote, f.remote_len), 0);
	assert_int_equal(mptcplib_get_conn_info(fd, &info), 0);
	assert_int_equal(info.subflows, 2);
	/* A token nobody has. */
	assert_int_equal(mptcplib_token_open_sub(info.token ^ 0x5a5a5a5a, &f,
						 NULL),
			 ESRCH);
	assert_non_null(
		strstr(mptcplib_last_error(), "does not know this connection"));
	mptcplib_events_close(ev);
	mptcplib_free_flow(f);
	close(fd);
}

/*
 * Removal by token, the engine's form when a path dies: an extra subflow
 * by the ends of its SUB_ESTABLISHED event, then the initial one by the
 * socket's own (docs/kernel-facts.md §20), the connection still carrying
 * data over what is left; ends without ports are refused, another
 * connection's subflow is none of this one's.
 */
static void test_token_close_sub(void **state)
{
	struct mptcplib_events *ev = NULL;
	struct mptcplib_getsubtuple_result t1, other;
	struct mptcplib_flow f = it_flow(2, 2), sub, noports;
	struct mptcplib_conn_info info;
	struct mptcplib_event e;
	int fd = it_connect(262, "MPA_PORT", 1),
	    b = it_connect(262, "MPA_PORT", 1);
	char buf[64];

	(void)state;
	assert_true(fd >= 0);
	assert_true(b >= 0);
	assert_int_equal(mptcplib_events_open(&ev), 0);
	assert_int_equal(mptcplib_get_conn_info(fd, &info), 0);
	t1 = mptcplib_get_sub_tuple(fd, 1);
	other = mptcplib_get_sub_tuple(b, 1);
	assert_int_equal(t1.errnoValue, 0);
	assert_int_equal(other.errnoValue, 0);

	/* No ports: refused before the kernel is asked. */
	noports = f;
	assert_int_equal(mptcplib_token_close_sub(info.token, &noports),
			 EINVAL);
	assert_int_equal(mptcplib_token_close_sub(info.token, &other.flow),
			 ENOENT);

	/* An extra subflow, removed by the ends its event gave. */
	assert_int_equal(mptcplib_token_open_sub(info.token, &f, NULL), 0);
	assert_int_equal(wait_event(ev, MPTCPLIB_EVENT_SUB_ESTABLISHED,
				    info.token, &e),
			 0);
	sub = (struct mptcplib_flow){
		.local = (struct sockaddr *)&e.local,
		.local_len = sizeof(e.local),
		.remote = (struct sockaddr *)&e.remote,
		.remote_len = sizeof(e.remote),
	};
	assert_int_equal(mptcplib_token_close_sub(info.token, &sub), 0);
	assert_int_equal(
		wait_event(ev, MPTCPLIB_EVENT_SUB_CLOSED, info.token, &e), 0);

	/* Another one, then the initial subflow itself. */
	assert_int_equal(mptcplib_token_open_sub(info.token, &f, NULL), 0);
	assert_int_equal(wait_event(ev, MPTCPLIB_EVENT_SUB_ESTABLISHED,
				    info.token, &e),
			 0);
	assert_int_equal(mptcplib_token_close_sub(info.token, &t1.flow), 0);
	assert_int_equal(
		wait_event(ev, MPTCPLIB_EVENT_SUB_CLOSED, info.token, &e), 0);
	/* The connection works over the subflow left. */
	assert_int_equal(write(fd, "PING\n", 5), 5);
	assert_true(read(fd, buf, sizeof(buf)) > 0);

	mptcplib_events_close(ev);
	mptcplib_free_flow(f);
	mptcplib_free_flow(t1.flow);
	mptcplib_free_flow(other.flow);
	close(fd);
	close(b);
}

/*
 * Priority by token, the engine's form: nothing sent when the subflow has
 * that priority already, and ENOENT for a tuple that is no subflow of that
 * connection (here another connection's initial subflow), which is left
 * as it was.
 */
static void test_token_set_sub_prio(void **state)
{
	int a = it_connect(262, "MPA_PORT", 1),
	    b = it_connect(262, "MPA_PORT", 1);
	struct mptcplib_getsubtuple_result ta, tb, t;
	struct mptcplib_conn_info info;

	(void)state;
	assert_true(a >= 0);
	assert_true(b >= 0);
	assert_int_equal(mptcplib_get_conn_info(a, &info), 0);
	ta = mptcplib_get_sub_tuple(a, 1);
	tb = mptcplib_get_sub_tuple(b, 1);
	assert_int_equal(ta.errnoValue, 0);
	assert_int_equal(tb.errnoValue, 0);

	assert_int_equal(mptcplib_token_set_sub_prio(info.token, &tb.flow, 1),
			 ENOENT);
	print_message("%s\n", mptcplib_last_error());
	assert_null(strstr(mptcplib_last_error(), "path manager"));
	assert_int_equal(mptcplib_token_set_sub_prio(info.token, &tb.flow, 0),
			 ENOENT);
	t = mptcplib_get_sub_tuple(b, 1);
	assert_int_equal(t.flow.low_prio, 0);
	mptcplib_free_flow(t.flow);

	assert_int_equal(mptcplib_token_set_sub_prio(info.token, &ta.flow, 1),
			 0);
	t = mptcplib_get_sub_tuple(a, 1);
	assert_int_equal(t.flow.low_prio, 1);
	mptcplib_free_flow(t.flow);
	assert_int_equal(mptcplib_token_set_sub_prio(info.token, &ta.flow, 1),
			 0);
	assert_int_equal(mptcplib_token_set_sub_prio(info.token, &ta.flow, 0),
			 0);
	t = mptcplib_get_sub_tuple(a, 1);
	assert_int_equal(t.flow.low_prio, 0);
	mptcplib_free_flow(t.flow);

	mptcplib_free_flow(ta.flow);
	mptcplib_free_flow(tb.flow);
	close(a);
	close(b);
}

/*
 * The in-kernel path manager's configuration read back, and the
 * announcements a userspace path manager makes in its place.
 */
static void test_endpoints_and_announce(void **state)
{
	struct mptcplib_endpoint e[MPTCPLIB_ENDPOINTS_MAX];
	struct mptcplib_limits lim;
	struct mptcplib_conn_info info;
	struct sockaddr_storage a;
	socklen_t alen;
	int n = -1, fd;

	(void)state;
	assert_int_equal(system(it_v6() ? "ip mptcp endpoint add fd00:2::1 "
					  "dev c2 subflow backup" :
					  "ip mptcp endpoint add 10.0.2.1 "
					  "dev c2 subflow backup"),
			 0);
	assert_int_equal(system("ip mptcp limits set subflows 3 "
				"add_addr_accepted 1"),
			 0);
	assert_int_equal(mptcplib_get_endpoints(e, MPTCPLIB_ENDPOINTS_MAX, &n),
			 0);
	assert_int_equal(n, 1);
	it_addr(&a, &alen, 2, 1, 0);
	assert_int_equal(e[0].addr.ss_family, a.ss_family);
	assert_int_equal(memcmp(&e[0].addr, &a, alen), 0);
	assert_int_equal(e[0].flags,
			 MPTCPLIB_ENDPOINT_SUBFLOW | MPTCPLIB_ENDPOINT_BACKUP);
	assert_true(e[0].id > 0);
	assert_true(e[0].ifindex > 0);
	/* No room: the count still says how many there are. */
	assert_int_equal(mptcplib_get_endpoints(NULL, 0, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(mptcplib_get_limits(&lim), 0);
	assert_int_equal(lim.subflows, 3);
	assert_int_equal(lim.add_addr_accepted, 1);
	assert_int_equal(system("ip mptcp endpoint flush"), 0);
	assert_int_equal(mptcplib_get_endpoints(e, MPTCPLIB_ENDPOINTS_MAX, &n),
			 0);
	assert_int_equal(n, 0);

	fd = it_connect(262, "MPA_PORT", 1);
	assert_true(fd >= 0);
	assert_int_equal(mptcplib_get_conn_info(fd, &info), 0);
	assert_int_equal(mptcplib_token_announce(
				 info.token, (struct sockaddr *)&a, alen, 7),
			 0);
	/* Id 0 is the initial subflow's; id 7 is this address's now. */
	assert_int_equal(mptcplib_token_announce(
				 info.token, (struct sockaddr *)&a, alen, 0),
			 EINVAL);
	it_addr(&a, &alen, 1, 1, 0);
	assert_int_equal(mptcplib_token_announce(
				 info.token, (struct sockaddr *)&a, alen, 7),
			 EINVAL);
	assert_int_equal(mptcplib_token_announce(info.token ^ 0x5a5a5a5a,
						 (struct sockaddr *)&a, alen,
						 8),
			 ESRCH);
	assert_int_equal(mptcplib_token_remove(info.token, 7), 0);
	assert_int_equal(mptcplib_token_remove(info.token, 7), EINVAL);
	assert_non_null(strstr(mptcplib_last_error(), "no address with id 7"));
	assert_int_equal(mptcplib_token_remove(info.token ^ 0x5a5a5a5a, 7),
			 ESRCH);
	assert_int_equal(mptcplib_token_remove(info.token, 256), EINVAL);
	close(fd);
	assert_int_equal(system("ip mptcp limits set subflows 2 "
				"add_addr_accepted 0"),
			 0);
}

static void test_sub_sockopts(void **state)
{
	int fd = it_connect(262, "MPA_PORT", 1), mark = 0x42, id;
	struct mptcplib_getsubsockopt_result r;

	(void)state;
	assert_true(fd >= 0);
	id = open_path2(fd, 0);
	assert_true(id > 1);
	assert_int_equal(
		setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)), 0);
	r = mptcplib_get_sub_sockopt(fd, id, SOL_SOCKET, SO_MARK, sizeof(int));
	assert_int_equal(r.errnoValue, 0);
	assert_int_equal(r.retsize, sizeof(int));
	assert_int_equal(*(int *)r.value, 0x42);
	mptcplib_free_getsubsockopt_result(r);

	r = mptcplib_get_sub_sockopt(fd, id, IPPROTO_TCP, TCP_USER_TIMEOUT, 4);
	assert_int_equal(r.errnoValue, EOPNOTSUPP);
	assert_null(r.value);

	assert_int_equal(mptcplib_set_sub_sockopt(fd, id, SOL_SOCKET, SO_MARK,
						  &mark, sizeof(mark)),
			 EOPNOTSUPP);
	assert_non_null(strstr(mptcplib_last_error(), "MPTCP socket"));
	assert_int_equal(mptcplib_set_sub_sockopt(fd, id, SOL_SOCKET,
						  SO_BINDTODEVICE, "c2", 3),
			 EOPNOTSUPP);
	assert_non_null(strstr(mptcplib_last_error(), "open_sub_ext"));
	assert_int_equal(mptcplib_set_sub_sockopt(fd, id, MPTCPLIB_SOL,
						  MPTCPLIB_SUB_LOW_PRIO, &mark,
						  1),
			 EINVAL);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_sub_second_path),
		cmocka_unit_test(test_wildcard_source_and_fixed_port),
		cmocka_unit_test(test_push_10mb_uses_new_subflow),
		cmocka_unit_test(test_backup_and_priority),
		cmocka_unit_test(test_close_during_transfer),
		cmocka_unit_test(test_close_shared_local_address),
		cmocka_unit_test(test_initial_subflow_closed_not_listed),
		cmocka_unit_test(test_last_subflow_needs_insisting),
		cmocka_unit_test(test_bogus_id),
		cmocka_unit_test(test_plain_tcp_socket),
		cmocka_unit_test(test_fallback_to_tcp_server),
		cmocka_unit_test(test_not_fully_established),
		cmocka_unit_test(test_kernel_path_manager),
		cmocka_unit_test(test_unprivileged_caller),
		cmocka_unit_test(test_refused_join),
		cmocka_unit_test(test_unreachable_and_timeout),
		cmocka_unit_test(test_local_address_not_here),
		cmocka_unit_test(test_wrong_family),
		cmocka_unit_test(test_nonblocking_open_bound_to_interface),
		cmocka_unit_test(test_events),
		cmocka_unit_test(test_sub_sockopts),
		cmocka_unit_test(test_token_open_sub),
		cmocka_unit_test(test_token_set_sub_prio),
		cmocka_unit_test(test_token_close_sub),
		cmocka_unit_test(test_endpoints_and_announce),
	};

	return cmocka_run_group_tests_name(it_v6() ? "core-integration-ipv6" :
						     "core-integration-ipv4",
					   tests, NULL, NULL);
}

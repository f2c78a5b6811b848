// SPDX-License-Identifier: MIT
/*
 * mptcp-autod's verification: the decision on canned facts (every
 * refusal, and the two ways to pass), the facts of real sockets of this
 * machine (MPTCP over loopback when the kernel has it), and the program's
 * identity from what /proc shows.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmn_syscall.h"
#include "dmn_verify.h"

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif

#define OWN_NS 0x1234
#define TOKEN 0xa1b2c3d4

/* The facts of a good, connected registration; cases change one thing. */
static struct dmn_facts good(void)
{
	struct dmn_facts f;

	memset(&f, 0, sizeof(f));
	f.nfds = 1;
	f.family = AF_INET;
	f.type = SOCK_STREAM;
	f.protocol = IPPROTO_MPTCP;
	f.netns = f.own_netns = OWN_NS;
	f.token = TOKEN;
	f.connected = true;
	return f;
}

enum change {
	C_NONE,
	C_CONNECTING,
	C_V6,
	C_NO_FD,
	C_TWO_FDS,
	C_CUT,
	C_NOT_SOCKET,
	C_SOCK_ERR,
	C_UNIX,
	C_DGRAM,
	C_TCP,
	C_LISTENING,
	C_NETNS_ERR,
	C_OTHER_NETNS,
	C_FALLBACK,
	C_INFO_ERR,
	C_NO_TOKEN,
	C_FORGED,
	C_FORGED_OTHER_NETNS,
};

static const struct decide_case {
	enum change change;
	enum dmn_verdict verdict;
	const char *why;
} decide_cases[] = {
	{ C_NONE, DMN_VERDICT_CONNECTED, NULL },
	{ C_CONNECTING, DMN_VERDICT_CONNECTING, NULL },
	{ C_V6, DMN_VERDICT_CONNECTED, NULL },
	{ C_NO_FD, DMN_VERDICT_REFUSE, "no socket passed with the message" },
	{ C_TWO_FDS, DMN_VERDICT_REFUSE, "more than one descriptor passed" },
	{ C_CUT, DMN_VERDICT_REFUSE, "more than one descriptor passed" },
	{ C_NOT_SOCKET, DMN_VERDICT_REFUSE, "the descriptor is not a socket" },
	{ C_SOCK_ERR, DMN_VERDICT_REFUSE, "the socket cannot be read" },
	{ C_UNIX, DMN_VERDICT_REFUSE, "not an IPv4 or IPv6 socket" },
	{ C_DGRAM, DMN_VERDICT_REFUSE, "not a stream socket" },
	{ C_TCP, DMN_VERDICT_REFUSE, "not an MPTCP socket" },
	{ C_LISTENING, DMN_VERDICT_REFUSE, "a listening socket" },
	{ C_NETNS_ERR, DMN_VERDICT_REFUSE,
	  "the socket's network namespace cannot be read" },
	{ C_OTHER_NETNS, DMN_VERDICT_REFUSE,
	  "a socket of another network namespace" },
	{ C_FALLBACK, DMN_VERDICT_REFUSE, "the connection fell back to TCP" },
	{ C_INFO_ERR, DMN_VERDICT_REFUSE, "MPTCP_INFO cannot be read" },
	{ C_NO_TOKEN, DMN_VERDICT_REFUSE, "the socket is not connected" },
	{ C_FORGED, DMN_VERDICT_REFUSE, "the token is not the socket's" },
	/* Even with the right token: another namespace's connection. */
	{ C_FORGED_OTHER_NETNS, DMN_VERDICT_REFUSE,
	  "a socket of another network namespace" },
};

static void apply(struct dmn_facts *f, uint32_t *claimed, enum change c)
{
	switch (c) {
	case C_NONE:
		break;
	case C_CONNECTING:
		f->connected = false;
		break;
	case C_V6:
		f->family = AF_INET6;
		break;
	case C_NO_FD:
		f->nfds = 0;
		break;
	case C_TWO_FDS:
		f->nfds = 2;
		break;
	case C_CUT:
		f->fds_cut = true;
		break;
	case C_NOT_SOCKET:
		f->sock_err = -ENOTSOCK;
		break;
	case C_SOCK_ERR:
		f->sock_err = -EBADF;
		break;
	case C_UNIX:
		f->family = AF_UNIX;
		break;
	case C_DGRAM:
		f->type = SOCK_DGRAM;
		break;
	case C_TCP:
		f->protocol = IPPROTO_TCP;
		break;
	case C_LISTENING:
		f->listening = 1;
		break;
	case C_NETNS_ERR:
		f->netns_err = -ENOPROTOOPT;
		break;
	case C_OTHER_NETNS:
		f->netns = OWN_NS + 1;
		break;
	case C_FALLBACK:
		f->info_err = -EOPNOTSUPP;
		break;
	case C_INFO_ERR:
		f->info_err = -EINVAL;
		break;
	case C_NO_TOKEN:
		f->token = 0;
		*claimed = 0;
		break;
	case C_FORGED:
		*claimed = TOKEN + 1;
		break;
	case C_FORGED_OTHER_NETNS:
		f->netns = OWN_NS + 1;
		break;
	}
}

static void test_decide(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(decide_cases) / sizeof(decide_cases[0]); i++) {
		const struct decide_case *c = &decide_cases[i];
		struct dmn_facts f = good();
		uint32_t claimed = TOKEN;
		const char *why = "unset";

		print_message("case %zu\n", i);
		apply(&f, &claimed, c->change);
		assert_int_equal(dmn_verify_decide(&f, claimed, &why),
				 c->verdict);
		if (c->why)
			assert_string_equal(why, c->why);
		else
			assert_null(why);
	}
}

/* ---- real descriptors ------------------------------------------------- */

static uint64_t own_ns(void)
{
	uint64_t c = 0;
	int s = socket(AF_UNIX, SOCK_STREAM, 0);

	assert_true(s >= 0);
	assert_int_equal(dmn_verify_netns(s, &c), 0);
	close(s);
	assert_true(c != 0);
	return c;
}

static enum dmn_verdict verdict_of(int fd, uint32_t claimed, const char **why)
{
	struct dmn_facts f;

	dmn_verify_gather(fd, fd >= 0, false, own_ns(), &f);
	return dmn_verify_decide(&f, claimed, why);
}

static void test_gather_not_mptcp(void **state)
{
	const char *why;
	int p[2], s;

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(verdict_of(p[0], 1, &why), DMN_VERDICT_REFUSE);
	assert_string_equal(why, "the descriptor is not a socket");
	close(p[0]);
	close(p[1]);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, p), 0);
	assert_int_equal(verdict_of(p[0], 1, &why), DMN_VERDICT_REFUSE);
	assert_string_equal(why, "not an IPv4 or IPv6 socket");
	close(p[0]);
	close(p[1]);
	s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
	assert_int_equal(verdict_of(s, 1, &why), DMN_VERDICT_REFUSE);
	assert_string_equal(why, "not an MPTCP socket");
	close(s);
	s = socket(AF_INET, SOCK_DGRAM, 0);
	assert_int_equal(verdict_of(s, 1, &why), DMN_VERDICT_REFUSE);
	assert_string_equal(why, "not a stream socket");
	close(s);
	assert_int_equal(verdict_of(-1, 1, &why), DMN_VERDICT_REFUSE);
	assert_string_equal(why, "no socket passed with the message");
}

/* MPTCP over loopback: a listener, a connection, their facts. */
static void test_gather_mptcp(void **state)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	struct dmn_facts f;
	const char *why;
	int l, c, s;

	(void)state;
	l = socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP);
	if (l < 0) {
		print_message("no MPTCP here (%s): skipped\n", strerror(errno));
		skip();
	}
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(l, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(l, 4), 0);
	assert_int_equal(getsockname(l, (struct sockaddr *)&a, &len), 0);
	assert_int_equal(verdict_of(l, 0, &why), DMN_VERDICT_REFUSE);
	assert_string_equal(why, "a listening socket");

	c = socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP);
	assert_true(c >= 0);
	/* Never connected: no token yet. */
	assert_int_equal(verdict_of(c, 0, &why), DMN_VERDICT_REFUSE);
	assert_string_equal(why, "the socket is not connected");
	assert_int_equal(connect(c, (struct sockaddr *)&a, sizeof(a)), 0);
	s = accept(l, NULL, NULL);
	assert_true(s >= 0);
	dmn_verify_gather(c, 1, false, own_ns(), &f);
	assert_int_equal(f.protocol, IPPROTO_MPTCP);
	assert_true(f.token != 0);
	assert_true(f.connected);
	assert_int_equal(f.remote.ss_family, AF_INET);
	assert_int_equal(((struct sockaddr_in *)&f.remote)->sin_port,
			 a.sin_port);
	assert_int_equal(dmn_verify_decide(&f, f.token, &why),
			 DMN_VERDICT_CONNECTED);
	assert_int_equal(dmn_verify_decide(&f, f.token ^ 1, &why),
			 DMN_VERDICT_REFUSE);
	assert_string_equal(why, "the token is not the socket's");
	close(s);
	close(c);
	close(l);
}

/* ---- the sender and its program -------------------------------------- */

static void test_peer_read(void **state)
{
	struct dmn_peer p;
	struct dmn_prog prog;
	char cmd[4096];
	ssize_t n;
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	assert_int_equal(dmn_peer_read(sv[0], &p), 0);
	assert_int_equal(p.uid, getuid());
	assert_int_equal(p.pid, getpid());
	assert_true(p.pidfd >= 0);
	assert_true(dmn_peer_alive(&p));
	/* This very test program, from the real /proc. */
	assert_int_equal(dmn_prog_read(&p, "/proc", &prog), 0);
	assert_non_null(prog.id.exe);
	assert_string_equal(prog.id.exe, "test_daemon_verify");
	/* Without its command line, argv0 is comm (cut at 15). */
	assert_string_equal(prog.id.argv0, "test_daemon_ver");
	n = dmn_prog_read_cmdline("/proc", p.pid, cmd, sizeof(cmd));
	assert_true(n > 0);
	dmn_prog_add_argv(&prog, cmd, (size_t)n);
	assert_string_equal(prog.id.exe, "test_daemon_verify");
	assert_string_equal(prog.id.argv0, "test_daemon_verify");
	dmn_peer_fini(&p);
	assert_int_equal(p.pidfd, -1);
	close(sv[0]);
	close(sv[1]);
}

/*
 * A sender that has gone: its pid number may be another process's by now.
 * The number here is this test's own (readable); the pidfd is the dead
 * child's, and says so.
 */
static void test_prog_read_gone(void **state)
{
	struct dmn_peer p = { .pid = getpid() };
	struct dmn_prog prog;
	pid_t pid;

	(void)state;
	pid = fork();
	if (pid == 0) {
		pause();
		_exit(0);
	}
	assert_true(pid > 0);
	p.pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	assert_true(p.pidfd >= 0);
	/* Alive: read. */
	assert_int_equal(dmn_prog_read(&p, "/proc", &prog), 0);
	assert_non_null(prog.id.exe);
	assert_true(dmn_peer_alive(&p));
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	assert_false(dmn_peer_alive(&p));
	assert_int_equal(dmn_prog_read(&p, "/proc", &prog), -ESRCH);
	assert_null(prog.id.exe);
	assert_null(prog.id.argv0);
	dmn_peer_fini(&p);
}

/*
 * The daemon as its systemd unit runs it: root with CAP_NET_ADMIN alone.
 * Another user's process cannot be signalled then (no CAP_KILL), not even
 * with signal 0, and its /proc/PID/exe cannot be read (no
 * CAP_SYS_PTRACE): the program is still known, by its comm and argv0.
 */
static int as_unit_reads(pid_t pid)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3
	};
	struct __user_cap_data_struct d[2] = { { 0 } };
	struct dmn_peer p = { .pid = pid };
	struct dmn_prog prog;

	d[CAP_NET_ADMIN / 32].effective = 1u << (CAP_NET_ADMIN % 32);
	d[CAP_NET_ADMIN / 32].permitted = 1u << (CAP_NET_ADMIN % 32);
	if (syscall(SYS_capset, &h, d) < 0)
		return 10;
	p.pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (p.pidfd < 0)
		return 11;
	if (dmn_prog_read(&p, "/proc", &prog) < 0)
		return 12;
	if (!prog.id.exe || strcmp(prog.id.exe, "mpa-other-user"))
		return 13;
	return 0;
}

static void test_prog_read_other_user(void **state)
{
	pid_t other, reader;
	int status, go[2];
	char c;

	(void)state;
	if (geteuid() != 0) {
		skip();
		return;
	}
	assert_int_equal(pipe(go), 0);
	other = fork();
	if (other == 0) {
		prctl(PR_SET_NAME, "mpa-other-user");
		if (setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(1);
		close(go[1]);
		(void)!read(go[0], &c, 1); /* until the test closes it */
		_exit(0);
	}
	assert_true(other > 0);
	close(go[0]);
	/* Its comm set and its uid changed before it is looked at. */
	for (int i = 0; i < 200; i++) {
		char path[64], comm[32] = "";
		FILE *f;

		snprintf(path, sizeof(path), "/proc/%d/comm", (int)other);
		f = fopen(path, "r");
		if (f) {
			(void)!fgets(comm, sizeof(comm), f);
			fclose(f);
		}
		if (!strcmp(comm, "mpa-other-user\n"))
			break;
		usleep(10000);
	}
	usleep(50000);
	reader = fork();
	if (reader == 0)
		_exit(as_unit_reads(other));
	assert_true(reader > 0);
	assert_int_equal(waitpid(reader, &status, 0), reader);
	close(go[1]);
	assert_int_equal(waitpid(other, NULL, 0), other);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static const struct prog_case {
	const char *exe, *comm;
	const char *cmdline;
	size_t len;
	const char *want_exe, *want_argv0, *want_script;
} prog_cases[] = {
	{ "/usr/bin/curl", "curl\n", "curl\0-s\0https://x\0", 19, "curl",
	  "curl", NULL },
	/* argv0 is what the program says it is. */
	{ "/usr/lib/apt/methods/http", "http\n", "/usr/lib/apt/methods/https\0",
	  27, "http", "https", NULL },
	/* An interpreter: the script. */
	{ "/usr/bin/python3.13", "backup.py\n",
	  "/usr/bin/python3\0/opt/backup.py\0--now\0", 38, "python3.13",
	  "python3", "backup.py" },
	/* Unreadable exe (another user's process without CAP_SYS_PTRACE):
	 * comm stands in for it. */
	{ NULL, "wget\n", "wget\0http://x\0", 14, "wget", "wget", NULL },
	/* A replaced binary. */
	{ "/usr/sbin/sshd (deleted)", "sshd\n", "sshd: user\0", 11, "sshd",
	  "sshd: user", NULL },
	/* No cmdline (a zombie): comm for both. */
	{ NULL, "zombie\n", NULL, 0, "zombie", "zombie", NULL },
	/* A cmdline without its NUL, cut at the buffer. */
	{ "/bin/x", "x\n", "abcdef", 3, "x", "abc", NULL },
	/* Nothing at all: unknown, the [default] rule. */
	{ NULL, NULL, NULL, 0, NULL, NULL, NULL },
};

static void check_name(const char *got, const char *want)
{
	if (want)
		assert_string_equal(got, want);
	else
		assert_null(got);
}

static void test_prog_from(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(prog_cases) / sizeof(prog_cases[0]); i++) {
		const struct prog_case *c = &prog_cases[i];
		struct dmn_prog p;

		print_message("case %zu\n", i);
		dmn_prog_from(c->exe, c->comm, c->cmdline, c->len, &p);
		check_name(p.id.exe, c->want_exe);
		check_name(p.id.argv0, c->want_argv0);
		check_name(p.id.script, c->want_script);
		/* The same in two steps, as the daemon reads it. */
		dmn_prog_from(c->exe, c->comm, NULL, 0, &p);
		dmn_prog_add_argv(&p, c->cmdline, c->len);
		check_name(p.id.exe, c->want_exe);
		check_name(p.id.argv0, c->want_argv0);
		check_name(p.id.script, c->want_script);
	}
}

/* A /proc of our own making: the rule's names come from its files. */
static void test_prog_read_fake_proc(void **state)
{
	char dir[] = "/tmp/mpa-proc-XXXXXX", path[128], cmd[160];
	struct dmn_peer p = { .pid = 4242, .pidfd = -1 };
	struct dmn_prog prog;
	char cmdline[64];
	ssize_t n;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/4242", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/4242/exe", dir);
	assert_int_equal(symlink("/usr/bin/rsync", path), 0);
	snprintf(path, sizeof(path), "%s/4242/cmdline", dir);
	f = fopen(path, "w");
	fwrite("rsync\0-a\0", 1, 9, f);
	fclose(f);
	/* The command line is not read with the rest. */
	assert_int_equal(dmn_prog_read(&p, dir, &prog), 0);
	assert_string_equal(prog.id.exe, "rsync");
	assert_null(prog.id.argv0);
	n = dmn_prog_read_cmdline(dir, p.pid, cmdline, sizeof(cmdline));
	assert_int_equal(n, 9);
	dmn_prog_add_argv(&prog, cmdline, (size_t)n);
	assert_string_equal(prog.id.exe, "rsync");
	assert_string_equal(prog.id.argv0, "rsync");
	/* Nothing readable: unknown. */
	p.pid = 4343;
	assert_int_equal(dmn_prog_read_cmdline(dir, p.pid, cmdline,
					       sizeof(cmdline)),
			 -1);
	assert_int_equal(dmn_prog_read(&p, dir, &prog), -ESRCH);
	assert_null(prog.id.exe);
	assert_null(prog.id.argv0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decide),
		cmocka_unit_test(test_gather_not_mptcp),
		cmocka_unit_test(test_gather_mptcp),
		cmocka_unit_test(test_peer_read),
		cmocka_unit_test(test_prog_read_gone),
		cmocka_unit_test(test_prog_read_other_user),
		cmocka_unit_test(test_prog_from),
		cmocka_unit_test(test_prog_read_fake_proc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

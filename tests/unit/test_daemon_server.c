// SPDX-License-Identifier: MIT
/*
 * mptcp-autod's registration socket, on real AF_UNIX sockets in a temp
 * directory with a stand-in handler: replies, descriptors closed before
 * the reply, refusals, the bad-message streak, the rate per uid (and its
 * token buckets, pure), the client limits (in all, per user), the listen
 * queue under a burst, accept() short of descriptors, replies that never
 * block, the socket file's life (and two daemons starting on it at
 * once), and the program's identity, whose command line is read off the
 * loop (a read that hangs, a process gone).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dmn_ident.h"
#include "dmn_server.h"

#define GOOD_TOKEN 0x600d

/* ---- token buckets: pure ---------------------------------------------- */

static void test_bucket(void **state)
{
	struct dmn_bucket b;
	int i;

	(void)state;
	dmn_bucket_init(&b, 3, 0);
	for (i = 0; i < 3; i++)
		assert_true(dmn_bucket_take(&b, 1000, 3, 0));
	assert_false(dmn_bucket_take(&b, 1000, 3, 0));
	/* 1000 per second: one per millisecond. */
	assert_true(dmn_bucket_take(&b, 1000, 3, 1));
	assert_false(dmn_bucket_take(&b, 1000, 3, 1));
	/* Idle for long: never more than the burst. */
	for (i = 0; i < 3; i++)
		assert_true(dmn_bucket_take(&b, 1000, 3, 100000));
	assert_false(dmn_bucket_take(&b, 1000, 3, 100000));
	/* A slow rate: 2 per second is one per 500 ms. */
	dmn_bucket_init(&b, 1, 0);
	assert_true(dmn_bucket_take(&b, 2, 1, 0));
	assert_false(dmn_bucket_take(&b, 2, 1, 499));
	assert_true(dmn_bucket_take(&b, 2, 1, 500));
	/* The clock going back gives nothing. */
	assert_false(dmn_bucket_take(&b, 2, 1, 100));
}

static void test_rate_per_uid(void **state)
{
	struct dmn_rate *r = malloc(sizeof(*r));
	uid_t u;

	(void)state;
	dmn_rate_init(r, 1, 2);
	assert_true(dmn_rate_take(r, 1000, 0));
	assert_true(dmn_rate_take(r, 1000, 0));
	assert_false(dmn_rate_take(r, 1000, 0));
	/* Another user is not affected. */
	assert_true(dmn_rate_take(r, 1001, 0));
	assert_true(dmn_rate_take(r, 1001, 0));
	/* Many users come and go: the empty bucket of 1000 is kept (the
	 * fuller ones are reused), so coming back later gains nothing. */
	for (u = 2000; u < 2000 + 2 * DMN_RATE_UIDS; u++)
		assert_true(dmn_rate_take(r, u, 0));
	assert_false(dmn_rate_take(r, 1000, 0));
	assert_true(dmn_rate_take(r, 1000, 1000));
	free(r);
}

/* ---- registrations served: pure ----------------------------------------- */

static void test_served_table(void **state)
{
	struct dmn_served *t = calloc(1, sizeof(*t));
	struct eng_wire_msg m;
	char name[16];
	int i;

	(void)state;
	dmn_served_add(t, 1000, "curl");
	dmn_served_add(t, 1000, "curl");
	dmn_served_add(t, 0, "curl"); /* another user: another line */
	dmn_served_add(t, 1000, "wget");
	dmn_served_add(t, 1000, NULL); /* unknown */
	dmn_served_add(t, 1000, "my prog"); /* what STATE can carry */
	assert_int_equal(t->n, 5);
	assert_int_equal(t->v[0].uid, 1000);
	assert_string_equal(t->v[0].prog, "curl");
	assert_int_equal(t->v[0].count, 2);
	assert_int_equal(t->v[1].uid, 0);
	assert_int_equal(t->v[1].count, 1);
	assert_string_equal(t->v[2].prog, "wget");
	assert_string_equal(t->v[3].prog, "-");
	assert_string_equal(t->v[4].prog, "my?prog");
	/* Full: new pairs are summed apart, known ones still counted. */
	for (i = 0; i < 2 * DMN_SERVED_MAX; i++) {
		snprintf(name, sizeof(name), "p%d", i);
		dmn_served_add(t, 2000, name);
	}
	assert_int_equal(t->n, DMN_SERVED_MAX);
	assert_int_equal(t->other, 2 * DMN_SERVED_MAX - (DMN_SERVED_MAX - 5));
	dmn_served_add(t, 1000, "curl");
	assert_int_equal(t->v[0].count, 3);
	/* A count stops at its top. */
	t->v[1].count = UINT32_MAX;
	dmn_served_add(t, 0, "curl");
	assert_int_equal(t->v[1].count, UINT32_MAX);
	eng_wire_init(&m, ENG_WIRE_STATE, 1);
	dmn_served_fill(t, &m);
	assert_int_equal(m.nserved, DMN_SERVED_MAX);
	assert_int_equal(m.served[0].count, 3);
	assert_int_equal(m.served_other, t->other);
	free(t);
}

/* ---- the server, with a stand-in handler -------------------------------- */

struct seen {
	int calls;
	uid_t uid;
	pid_t pid;
	char exe[64], argv0[64];
	uint32_t token;
	int nfds;
	bool fds_cut;
	bool fd_open; /* the descriptor was open while handled */
};

static struct seen seen;
static int64_t fake_now;

static int64_t now_fn(void)
{
	return fake_now;
}

static int handle(void *ctx, const struct dmn_request *rq, char *why,
		  size_t len)
{
	(void)ctx;
	seen.calls++;
	seen.uid = rq->peer->uid;
	seen.pid = rq->peer->pid;
	snprintf(seen.exe, sizeof(seen.exe), "%s",
		 rq->prog->id.exe ? rq->prog->id.exe : "");
	snprintf(seen.argv0, sizeof(seen.argv0), "%s",
		 rq->prog->id.argv0 ? rq->prog->id.argv0 : "");
	seen.token = rq->msg->token;
	seen.nfds = rq->nfds;
	seen.fds_cut = rq->fds_cut;
	seen.fd_open = rq->fd >= 0 && fcntl(rq->fd, F_GETFD) >= 0;
	if (rq->msg->token == GOOD_TOKEN && rq->nfds == 1 && !rq->fds_cut)
		return 0;
	snprintf(why, len, "stand-in refusal");
	return -EPERM;
}

struct fixture {
	char dir[64], path[96];
	struct dmn_server *s;
};

static void state_fn(void *ctx, struct eng_wire_msg *m)
{
	(void)ctx;
	strcpy(m->mode, "userspace");
	m->unregistered = ENG_WIRE_UNREG_DEFAULT;
	m->since = 1790000000;
}

static int open_server(struct fixture *f, int rate, int burst)
{
	struct dmn_server_config cfg = {
		.path = f->path,
		.rate = rate,
		.burst = burst,
		.handle = handle,
		.state = state_fn,
		.now = now_fn,
	};
	char why[200];

	return dmn_server_open(&cfg, &f->s, why, sizeof(why));
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/mpa-srv-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/run/pm.sock", f->dir);
	memset(&seen, 0, sizeof(seen));
	fake_now = 1000;
	*state = f;
	return open_server(f, 0, 0);
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	dmn_server_close(f->s);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd))
		return -1;
	free(f);
	return 0;
}

static int client(const struct fixture *f)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", f->path);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	return fd;
}

/*
 * One run of the server, then more while a client's identity is pending:
 * its command line comes from the reader's thread, in its own time (5 s
 * at most here).
 */
static void settle(struct dmn_server *s)
{
	struct pollfd p = { .fd = dmn_server_fd(s), .events = POLLIN };
	int i;

	dmn_server_run(s);
	for (i = 0; i < 100 && dmn_server_pending(s); i++) {
		poll(&p, 1, 50);
		dmn_server_run(s);
	}
	assert_int_equal(dmn_server_pending(s), 0);
}

/* Send @text with @nfds descriptors; -errno on failure. */
static int send_text(int fd, const char *text, const int *fds, int nfds,
		     int flags)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * 8)];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = (void *)text,
			     .iov_len = strlen(text) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;

	if (nfds) {
		mh.msg_control = ctl.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
		memcpy(CMSG_DATA(cm), fds, sizeof(int) * (size_t)nfds);
	}
	return sendmsg(fd, &mh, flags | MSG_NOSIGNAL) < 0 ? -errno : 0;
}

static int send_register(int fd, uint32_t seq, uint32_t token, const int *fds,
			 int nfds, int flags)
{
	char text[128];

	snprintf(text, sizeof(text),
		 "MPTCP-AUTO/1 REGISTER\nseq %u\ntoken %08x\n", seq, token);
	return send_text(fd, text, fds, nfds, flags);
}

/* The next reply, already queued: 1, 0 at EOF, -1 when none is there. */
static int get_reply(int fd, struct eng_wire_msg *m)
{
	char buf[ENG_WIRE_MAX + 1];
	ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	const char *why;

	if (n < 0)
		return -1;
	if (n == 0)
		return 0;
	assert_int_equal(eng_wire_parse(buf, (size_t)n, m, &why), 0);
	return 1;
}

/* A pipe whose write end is sent; ours is closed: EOF says all are. */
struct probe {
	int r, w;
};

static struct probe probe_new(void)
{
	int p[2];

	assert_int_equal(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
	return (struct probe){ p[0], p[1] };
}

static bool probe_closed(struct probe *p)
{
	char c;
	bool eof = read(p->r, &c, 1) == 0;

	close(p->r);
	return eof;
}

static void test_register_ok(void **state)
{
	struct fixture *f = *state;
	struct probe p = probe_new();
	struct eng_wire_msg m;
	struct stat st;
	char dir[128];
	int c;

	/* The socket any user may use, in a directory anyone can reach. */
	assert_int_equal(stat(f->path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0666);
	snprintf(dir, sizeof(dir), "%s/run", f->dir);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0755);

	c = client(f);
	settle(f->s); /* accepts */
	assert_int_equal(dmn_server_nclients(f->s), 1);
	assert_int_equal(send_register(c, 42, GOOD_TOKEN, &p.w, 1, 0), 0);
	close(p.w);
	settle(f->s);
	assert_int_equal(get_reply(c, &m), 1);
	assert_int_equal(m.type, ENG_WIRE_OK);
	assert_int_equal(m.seq, 42);
	/* Closed by the time the reply came. */
	assert_true(probe_closed(&p));
	assert_int_equal(seen.calls, 1);
	assert_true(seen.fd_open);
	assert_int_equal(seen.token, GOOD_TOKEN);
	assert_int_equal(seen.uid, getuid());
	assert_int_equal(seen.pid, getpid());
	assert_string_equal(seen.exe, "test_daemon_server");
	assert_int_equal(dmn_server_stats(f->s)->registered, 1);
	close(c);
	settle(f->s);
	assert_int_equal(dmn_server_nclients(f->s), 0);
}

static void expect_refused(int c, uint32_t seq, const char *reason)
{
	struct eng_wire_msg m;

	assert_int_equal(get_reply(c, &m), 1);
	assert_int_equal(m.type, ENG_WIRE_REFUSED);
	assert_int_equal(m.seq, seq);
	assert_string_equal(m.reason, reason);
}

static void test_refusals(void **state)
{
	struct fixture *f = *state;
	struct probe p[6];
	int c = client(f), fds[6], i;

	settle(f->s);
	/* Garbage: the handler never sees it. */
	assert_int_equal(send_text(c, "GET / HTTP/1.0\r\n\r\n", NULL, 0, 0), 0);
	settle(f->s);
	expect_refused(c, 0, "bad message: not MPTCP-AUTO/1");
	assert_int_equal(seen.calls, 0);
	/* Not a registration. */
	assert_int_equal(send_text(c, "MPTCP-AUTO/1 OK\nseq 5\n", NULL, 0, 0),
			 0);
	settle(f->s);
	expect_refused(c, 5, "not a REGISTER or STATUS");
	assert_int_equal(seen.calls, 0);
	/* The handler's refusal, with its reason. */
	assert_int_equal(send_register(c, 6, GOOD_TOKEN + 1, NULL, 0, 0), 0);
	settle(f->s);
	expect_refused(c, 6, "stand-in refusal");
	assert_int_equal(seen.nfds, 0);
	/* Two descriptors: both closed. */
	for (i = 0; i < 2; i++) {
		p[i] = probe_new();
		fds[i] = p[i].w;
	}
	assert_int_equal(send_register(c, 7, GOOD_TOKEN, fds, 2, 0), 0);
	for (i = 0; i < 2; i++)
		close(fds[i]);
	settle(f->s);
	expect_refused(c, 7, "stand-in refusal");
	assert_int_equal(seen.nfds, 2);
	for (i = 0; i < 2; i++)
		assert_true(probe_closed(&p[i]));
	/* More than there is room for: cut, and every one closed. */
	for (i = 0; i < 6; i++) {
		p[i] = probe_new();
		fds[i] = p[i].w;
	}
	assert_int_equal(send_register(c, 8, GOOD_TOKEN, fds, 6, 0), 0);
	for (i = 0; i < 6; i++)
		close(fds[i]);
	settle(f->s);
	expect_refused(c, 8, "stand-in refusal");
	assert_true(seen.fds_cut);
	for (i = 0; i < 6; i++)
		assert_true(probe_closed(&p[i]));
	close(c);
}

/*
 * A datagram of no bytes still carries its descriptors (recvmsg() returns
 * 0, as at the end of the connection): they are closed, and it is
 * answered as the bad message it is, not taken for the client leaving.
 */
static void test_empty_with_fds(void **state)
{
	struct fixture *f = *state;
	struct probe p[2];
	int c = client(f), fds[2], i, round;

	settle(f->s);
	for (round = 0; round < 2; round++) {
		for (i = 0; i < 2; i++) {
			p[i] = probe_new();
			fds[i] = p[i].w;
		}
		assert_int_equal(send_text(c, "", fds, 2, 0), 0);
		for (i = 0; i < 2; i++)
			close(fds[i]);
		settle(f->s);
		for (i = 0; i < 2; i++)
			assert_true(probe_closed(&p[i]));
		expect_refused(c, 0, "bad message: empty or too long");
	}
	assert_int_equal(seen.calls, 0);
	assert_int_equal(dmn_server_nclients(f->s), 1);
	close(c);
	settle(f->s);
	assert_int_equal(dmn_server_nclients(f->s), 0);
}

/* 16 bad messages in a row: disconnected; a good one resets the count. */
static void test_bad_streak(void **state)
{
	struct fixture *f = *state;
	struct probe p = probe_new();
	struct eng_wire_msg m;
	int c = client(f), i;

	settle(f->s);
	for (i = 0; i < DMN_MAX_BAD - 1; i++)
		assert_int_equal(send_text(c, "junk\n", NULL, 0, 0), 0);
	assert_int_equal(send_register(c, 1, GOOD_TOKEN, &p.w, 1, 0), 0);
	close(p.w);
	close(p.r);
	for (i = 0; i < DMN_MAX_BAD - 1; i++)
		assert_int_equal(send_text(c, "junk\n", NULL, 0, 0), 0);
	settle(f->s);
	for (i = 0; i < DMN_MAX_BAD - 1; i++)
		expect_refused(c, 0, "bad message: not MPTCP-AUTO/1");
	assert_int_equal(get_reply(c, &m), 1);
	assert_int_equal(m.type, ENG_WIRE_OK);
	for (i = 0; i < DMN_MAX_BAD - 1; i++)
		expect_refused(c, 0, "bad message: not MPTCP-AUTO/1");
	assert_int_equal(dmn_server_nclients(f->s), 1);
	/* The 16th in a row: answered, then disconnected. */
	assert_int_equal(send_text(c, "junk\n", NULL, 0, 0), 0);
	settle(f->s);
	expect_refused(c, 0, "bad message: not MPTCP-AUTO/1");
	assert_int_equal(get_reply(c, &m), 0);
	assert_int_equal(dmn_server_nclients(f->s), 0);
	assert_int_equal(dmn_server_stats(f->s)->disconnected, 1);
	close(c);
}

/* Over the rate: refused, not counted as bad; served again later. */
static void test_status(void **state)
{
	struct fixture *f = *state;
	struct eng_wire_msg m;
	struct probe p;
	int c, i;

	/* A rate of one registration: STATUS must not use it up. */
	dmn_server_close(f->s);
	assert_int_equal(open_server(f, 1, 1), 0);
	c = client(f);
	settle(f->s);
	for (i = 0; i < 3; i++) {
		assert_int_equal(send_text(c, "MPTCP-AUTO/1 STATUS\nseq 7\n",
					   NULL, 0, 0),
				 0);
		settle(f->s);
		assert_int_equal(get_reply(c, &m), 1);
		assert_int_equal(m.type, ENG_WIRE_STATE);
		assert_int_equal(m.seq, 7);
		assert_string_equal(m.mode, "userspace");
		assert_int_equal(m.unregistered, ENG_WIRE_UNREG_DEFAULT);
		assert_int_equal(m.since, 1790000000);
		assert_int_equal(m.nserved, 0);
	}
	assert_int_equal(seen.calls, 0);
	p = probe_new();
	assert_int_equal(send_register(c, 8, GOOD_TOKEN, &p.w, 1, 0), 0);
	close(p.w);
	close(p.r);
	settle(f->s);
	assert_int_equal(get_reply(c, &m), 1);
	assert_int_equal(m.type, ENG_WIRE_OK);
	/* The registration is counted for this user and program. */
	assert_int_equal(
		send_text(c, "MPTCP-AUTO/1 STATUS\nseq 9\n", NULL, 0, 0), 0);
	settle(f->s);
	assert_int_equal(get_reply(c, &m), 1);
	assert_int_equal(m.type, ENG_WIRE_STATE);
	assert_int_equal(m.nserved, 1);
	assert_int_equal(m.served[0].uid, getuid());
	assert_string_equal(m.served[0].prog, "test_daemon_server");
	assert_int_equal(m.served[0].count, 1);
	/* A refused registration is not. */
	assert_int_equal(send_register(c, 10, 0xbad, NULL, 0, 0), 0);
	settle(f->s);
	assert_int_equal(get_reply(c, &m), 1);
	assert_int_equal(m.type, ENG_WIRE_REFUSED);
	assert_int_equal(dmn_server_served(f->s)->v[0].count, 1);
	/* A STATUS with a descriptor is bad; the descriptor is closed. */
	p = probe_new();
	assert_int_equal(
		send_text(c, "MPTCP-AUTO/1 STATUS\nseq 11\n", &p.w, 1, 0), 0);
	close(p.w);
	settle(f->s);
	assert_true(probe_closed(&p));
	expect_refused(c, 11, "a STATUS carries no descriptor");
	assert_int_equal(dmn_server_stats(f->s)->statuses, 4);
	close(c);
}

static void test_rate(void **state)
{
	struct fixture *f = *state;
	struct eng_wire_msg m;
	struct probe p;
	int c, other, i;

	dmn_server_close(f->s);
	assert_int_equal(open_server(f, 1, 3), 0);
	c = client(f);
	settle(f->s);
	for (i = 0; i < 3 + 2 * DMN_MAX_BAD; i++) {
		p = probe_new();
		assert_int_equal(send_register(c, (uint32_t)i, GOOD_TOKEN, &p.w,
					       1, 0),
				 0);
		close(p.w);
		settle(f->s);
		assert_true(probe_closed(&p));
		if (i < 3) {
			assert_int_equal(get_reply(c, &m), 1);
			assert_int_equal(m.type, ENG_WIRE_OK);
		} else {
			expect_refused(c, (uint32_t)i,
				       "too many registrations from this user");
		}
	}
	assert_int_equal(seen.calls, 3);
	assert_int_equal(dmn_server_nclients(f->s), 1);
	/* Another connection of the same user shares the bucket. */
	other = client(f);
	settle(f->s);
	assert_int_equal(send_register(other, 99, GOOD_TOKEN, NULL, 0, 0), 0);
	settle(f->s);
	expect_refused(other, 99, "too many registrations from this user");
	/* A second later: one more. */
	fake_now += 1000;
	p = probe_new();
	assert_int_equal(send_register(c, 100, GOOD_TOKEN, &p.w, 1, 0), 0);
	close(p.w);
	close(p.r);
	settle(f->s);
	assert_int_equal(get_reply(c, &m), 1);
	assert_int_equal(m.type, ENG_WIRE_OK);
	close(c);
	close(other);
}

/* Lines the server logs, counted by their beginning. */
static int said_user_full, said_full;

static void count_log(enum cmn_log_level level, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	(void)level;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	said_user_full += strstr(line, "(--max-clients-per-user)") != NULL;
	said_full += strstr(line, "(--max-clients)") != NULL;
}

/* The server of @f again, with @max clients, @per_uid per user. */
static void reopen_slots(struct fixture *f, int max, int per_uid)
{
	struct dmn_server_config cfg = { .path = f->path,
					 .handle = handle,
					 .now = now_fn,
					 .log = count_log,
					 .max_clients = max,
					 .max_per_uid = per_uid };
	char why[200];

	dmn_server_close(f->s);
	f->s = NULL;
	assert_int_equal(dmn_server_open(&cfg, &f->s, why, sizeof(why)), 0);
	said_user_full = said_full = 0;
}

/* A client turned away hears why at once (seq 0), then the close. */
static void expect_turned_away(int c, const char *reason)
{
	struct eng_wire_msg m;

	expect_refused(c, 0, reason);
	assert_int_equal(get_reply(c, &m), 0);
	close(c);
}

#define USER_FULL_3                                              \
	"too many clients of this user (3): this program's "     \
	"connections are not registered; the administrator may " \
	"raise mptcp-autod --max-clients-per-user"
/*
 * A user at its share is turned away, said once a minute at most; its
 * slots come back as its clients leave. (Every slot taken by several
 * users, and users apart, are in test_daemon_slots.c: the clients here
 * are all one user.)
 */
static void test_max_clients(void **state)
{
	struct fixture *f = *state;
	int c[3], late, i;
	struct eng_wire_msg m;

	reopen_slots(f, 8, 3);
	for (i = 0; i < 3; i++)
		c[i] = client(f);
	settle(f->s);
	assert_int_equal(dmn_slots_of(dmn_server_slots(f->s), getuid()), 3);
	/* Five more within the minute: each told, one line. */
	for (i = 0; i < 5; i++) {
		late = client(f);
		fake_now += 1000;
		settle(f->s);
		expect_turned_away(late, USER_FULL_3);
	}
	assert_int_equal(said_user_full, 1);
	assert_int_equal(said_full, 0);
	assert_int_equal(dmn_server_nclients(f->s), 3);
	/* A minute after that line: the next one. */
	fake_now += DMN_SLOTS_SAY_MS;
	late = client(f);
	settle(f->s);
	expect_turned_away(late, USER_FULL_3);
	assert_int_equal(said_user_full, 2);
	/* Its slot given back, the user connects again. */
	close(c[1]);
	settle(f->s);
	assert_int_equal(dmn_slots_of(dmn_server_slots(f->s), getuid()), 2);
	late = client(f);
	settle(f->s);
	assert_int_equal(get_reply(late, &m), -1);
	assert_int_equal(dmn_server_nclients(f->s), 3);
	close(late);
	close(c[0]);
	close(c[2]);
	settle(f->s);
	assert_int_equal(dmn_slots_used(dmn_server_slots(f->s)), 0);
}

/*
 * New clients are taken a batch (64) per run: the clients already there
 * get their turn in between.
 */
static void test_accept_in_batches(void **state)
{
	struct fixture *f = *state;
	int c[100], i;

	for (i = 0; i < 100; i++)
		c[i] = client(f);
	dmn_server_run(f->s);
	assert_int_equal(dmn_server_nclients(f->s), 64);
	dmn_server_run(f->s);
	assert_int_equal(dmn_server_nclients(f->s), 100);
	for (i = 0; i < 100; i++)
		close(c[i]);
}

/*
 * A burst of process starts, each connecting before the daemon accepts
 * any: the listen queue holds them all (it held 128, and the next ones
 * got EAGAIN: their programs' connections went unregistered).
 */
#define BURST 300
static void test_listen_queue_burst(void **state)
{
	struct fixture *f = *state;
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int c[BURST], i, queued = 0;
	FILE *max = fopen("/proc/sys/net/core/somaxconn", "r");

	if (!max || fscanf(max, "%d", &i) != 1 || i < BURST) {
		if (max)
			fclose(max);
		skip(); /* the namespace's own cap is lower */
		return;
	}
	fclose(max);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", f->path);
	for (i = 0; i < BURST; i++) {
		c[i] = socket(AF_UNIX,
			      SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		assert_true(c[i] >= 0);
		queued += connect(c[i], (struct sockaddr *)&a, sizeof(a)) == 0;
	}
	assert_int_equal(queued, BURST);
	for (i = 0; i < BURST / 64 + 1; i++)
		settle(f->s);
	assert_int_equal(dmn_server_nclients(f->s), BURST);
	for (i = 0; i < BURST; i++)
		close(c[i]);
}

/* ---- accept() when the daemon is short of descriptors ------------------ */

static const struct accept_case {
	int err;
	enum dmn_accept_next want;
} accept_cases[] = {
	{ EAGAIN, DMN_ACCEPT_DONE },
	{ EINTR, DMN_ACCEPT_NEXT },
	{ ECONNABORTED, DMN_ACCEPT_NEXT },
	{ EPROTO, DMN_ACCEPT_NEXT },
	{ EMFILE, DMN_ACCEPT_PAUSE },
	{ ENFILE, DMN_ACCEPT_PAUSE },
	{ ENOBUFS, DMN_ACCEPT_PAUSE },
	{ ENOMEM, DMN_ACCEPT_PAUSE },
	/* A security module's refusal leaves the client queued. */
	{ EPERM, DMN_ACCEPT_PAUSE },
	{ EINVAL, DMN_ACCEPT_PAUSE },
};

static void test_accept_decide(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(accept_cases) / sizeof(accept_cases[0]); i++) {
		print_message("case %zu\n", i);
		assert_int_equal(dmn_accept_decide(accept_cases[i].err),
				 accept_cases[i].want);
	}
}

/* Lines about accept(): the trouble, and its end. */
static int said_short, said_again;

static void accept_log(enum cmn_log_level level, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	(void)level;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	said_short += strstr(line, "Too many open files: new clients wait") !=
		      NULL;
	said_again += strstr(line, "clients taken again") != NULL;
}

/*
 * Every descriptor number below the limit taken: the limit lowered to
 * just above the highest in use, the gaps filled. Undone by unfill().
 */
struct fill {
	struct rlimit was;
	int base, fds[1024], n;
};

static void fill(struct fill *fl)
{
	struct rlimit low;
	int top = 0, fd;

	fl->base = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_true(fl->base >= 0);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &fl->was), 0);
	for (fd = 0; fd < 65536 && fd < (int)fl->was.rlim_cur; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			top = fd;
	low = fl->was;
	low.rlim_cur = (rlim_t)top + 1;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	fl->n = 0;
	while (fl->n < 1024 && (fd = dup(fl->base)) >= 0)
		fl->fds[fl->n++] = fd;
	assert_int_equal(dup(fl->base), -1);
	assert_int_equal(errno, EMFILE);
}

static void unfill(struct fill *fl)
{
	while (fl->n > 0)
		close(fl->fds[--fl->n]);
	close(fl->base);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &fl->was), 0);
}

static int64_t real_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * accept() fails with EMFILE while the listener stays readable: the loop
 * would spin on it. The listener rests instead: it is not tried again
 * until DMN_ACCEPT_PAUSE_MS have passed or a client has left, and the
 * trouble is said once, its end once.
 */
static void test_accept_out_of_descriptors(void **state)
{
	struct fixture *f = *state;
	struct dmn_server_config cfg = { .path = f->path,
					 .handle = handle,
					 .now = now_fn,
					 .log = accept_log };
	struct pollfd p = { .events = POLLIN };
	struct fill fl;
	char why[200];
	int c1, c2, c3, i, readable;
	int64_t t0;

	dmn_server_close(f->s);
	f->s = NULL;
	assert_int_equal(dmn_server_open(&cfg, &f->s, why, sizeof(why)), 0);
	said_short = said_again = 0;
	c1 = client(f);
	settle(f->s);
	assert_int_equal(dmn_server_nclients(f->s), 1);
	c2 = client(f);
	fill(&fl);
	t0 = real_ms();
	dmn_server_run(f->s);
	p.fd = dmn_server_fd(f->s);
	readable = poll(&p, 1, 0);
	t0 = real_ms() - t0;
	for (i = 0; i < 5; i++)
		dmn_server_run(f->s);
	unfill(&fl);
	/* Unless this machine took the whole rest for it, nothing is due. */
	if (t0 < DMN_ACCEPT_PAUSE_MS / 2)
		assert_int_equal(readable, 0);
	/* Tried once: not again at each run. */
	assert_int_equal(dmn_server_stats(f->s)->accept_paused, 1);
	assert_int_equal(dmn_server_nclients(f->s), 1);
	assert_int_equal(said_short, 1);
	dmn_server_run(f->s);
	assert_int_equal(dmn_server_nclients(f->s), 1);
	/* A client leaves: its descriptor is back, the listener wakes. */
	close(c1);
	dmn_server_run(f->s);
	assert_int_equal(dmn_server_nclients(f->s), 0);
	settle(f->s);
	assert_int_equal(dmn_server_nclients(f->s), 1);
	assert_int_equal(said_again, 1);
	/* Another time: said again, and woken by the clock this time. */
	c3 = client(f);
	fill(&fl);
	dmn_server_run(f->s);
	dmn_server_run(f->s);
	unfill(&fl);
	assert_int_equal(dmn_server_stats(f->s)->accept_paused, 2);
	assert_int_equal(said_short, 2);
	fake_now += DMN_ACCEPT_PAUSE_MS - 1;
	dmn_server_run(f->s);
	assert_int_equal(dmn_server_nclients(f->s), 1);
	fake_now += 1;
	settle(f->s);
	assert_int_equal(dmn_server_nclients(f->s), 2);
	assert_int_equal(said_again, 2);
	assert_int_equal(dmn_server_stats(f->s)->accept_paused, 2);
	close(c2);
	close(c3);
}

/* A client that never reads: its replies are dropped, nothing waits. */
static void test_replies_never_block(void **state)
{
	struct fixture *f = *state;
	struct eng_wire_msg m;
	int c = client(f), null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int round, sent = 0, got = 0;

	settle(f->s);
	for (round = 0; round < 50; round++) {
		while (send_register(c, 1, GOOD_TOKEN, &null, 1,
				     MSG_DONTWAIT) == 0)
			sent++;
		settle(f->s);
	}
	assert_true(sent > 100);
	/* A bounded turn per run: what is still queued comes next. */
	for (round = 0;
	     round < 1000 && (int)dmn_server_stats(f->s)->registered < sent;
	     round++)
		settle(f->s);
	assert_int_equal(dmn_server_stats(f->s)->registered, sent);
	assert_true(dmn_server_stats(f->s)->replies_dropped > 0);
	/* Still served once it reads again. */
	while (get_reply(c, &m) == 1)
		got++;
	assert_int_equal(got + (int)dmn_server_stats(f->s)->replies_dropped,
			 sent);
	assert_int_equal(send_register(c, 2, GOOD_TOKEN, &null, 1, 0), 0);
	settle(f->s);
	assert_int_equal(get_reply(c, &m), 1);
	assert_int_equal(m.type, ENG_WIRE_OK);
	assert_int_equal(m.seq, 2);
	close(null);
	close(c);
}

/* ---- the program's identity, read off the loop ------------------------ */

/*
 * A client connected by a child process (the peer the server sees), which
 * lives until child_end(): its socket comes back to the test. It connects
 * once told to, so that its entries of a fake /proc can be made first.
 */
struct child {
	pid_t pid;
	int ctl;
};

static void child_main(int ctl, const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} cbuf;
	char c = 0;
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	struct msghdr mh = { .msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = cbuf.buf,
			     .msg_controllen = sizeof(cbuf.buf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	int fd;

	if (read(ctl, &c, 1) != 1)
		_exit(1);
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		_exit(2);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	if (sendmsg(ctl, &mh, 0) != 1)
		_exit(3);
	/* Alive (its pidfd says so) until the test lets it go. */
	(void)!read(ctl, &c, 1);
	_exit(0);
}

static struct child child_new(const char *path)
{
	struct child ch;
	int sv[2];

	assert_int_equal(
		socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	ch.pid = fork();
	assert_true(ch.pid >= 0);
	if (ch.pid == 0) {
		close(sv[0]);
		child_main(sv[1], path);
	}
	close(sv[1]);
	ch.ctl = sv[0];
	return ch;
}

/* The child connects now: the client's socket. */
static int child_connect(struct child *ch)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} cbuf;
	char c = 'g';
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	struct msghdr mh = { .msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = cbuf.buf,
			     .msg_controllen = sizeof(cbuf.buf) };
	int fd;

	assert_int_equal(write(ch->ctl, &c, 1), 1);
	assert_int_equal(recvmsg(ch->ctl, &mh, MSG_CMSG_CLOEXEC), 1);
	assert_non_null(CMSG_FIRSTHDR(&mh));
	memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&mh)), sizeof(int));
	return fd;
}

static void child_end(struct child *ch)
{
	/* Its end of ctl may be in a later child too: no EOF to wait for. */
	close(ch->ctl);
	kill(ch->pid, SIGKILL);
	assert_int_equal(waitpid(ch->pid, NULL, 0), ch->pid);
}

/* @dir/PID/comm, and cmdline: a FIFO with @cmdline NULL, else a file. */
static void fake_proc(const char *dir, pid_t pid, const char *comm,
		      const char *cmdline, size_t len)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%d", dir, (int)pid);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/%d/comm", dir, (int)pid);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "%s\n", comm);
	fclose(f);
	snprintf(path, sizeof(path), "%s/%d/cmdline", dir, (int)pid);
	if (!cmdline) {
		assert_int_equal(mkfifo(path, 0600), 0);
		return;
	}
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(cmdline, 1, len, f), len);
	fclose(f);
}

/* The server's lines about command lines not read, and read again. */
static int said_late, said_back;
static char said_last[512];

static void ident_log(enum cmn_log_level level, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	(void)level;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (strstr(line, "its command line was not read within")) {
		said_late++;
		snprintf(said_last, sizeof(said_last), "%s", line);
	}
	if (strstr(line, "command lines are read again")) {
		said_back++;
		snprintf(said_last, sizeof(said_last), "%s", line);
	}
}

/* A registration of @c, and the OK it gets at once. */
static void register_ok(struct fixture *f, int c, uint32_t seq)
{
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	struct eng_wire_msg m;

	assert_int_equal(send_register(c, seq, GOOD_TOKEN, &null, 1, 0), 0);
	close(null);
	seen.calls = 0;
	dmn_server_run(f->s);
	assert_int_equal(get_reply(c, &m), 1);
	assert_int_equal(m.type, ENG_WIRE_OK);
	assert_int_equal(m.seq, seq);
}

/*
 * A process can make the read of its command line (its own memory) hang:
 * here a FIFO nobody writes stands for it. The server serves on: that
 * client's registration waits for its identity until the deadline, then
 * is served by its executable and comm; a client that comes while the
 * read hangs is served at once, without its command line (the one stuck
 * read is all there is); once the read returns, command lines are read
 * again.
 */
static void test_identity_stall(void **state)
{
	struct fixture *f = *state;
	struct dmn_server_config cfg = { .path = f->path,
					 .handle = handle,
					 .now = now_fn,
					 .log = ident_log };
	char dir[128], fifo[160], cmd[128], why[200];
	struct pollfd p;
	struct child a, b, c;
	struct eng_wire_msg m;
	int ca, cb, cc, wfd, i;

	/* Were the read in the loop, it would hang: the watchdog says so. */
	alarm(60);
	snprintf(dir, sizeof(dir), "%s/proc", f->dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	cfg.procdir = dir;
	dmn_server_close(f->s);
	f->s = NULL;
	assert_int_equal(dmn_server_open(&cfg, &f->s, why, sizeof(why)), 0);
	said_late = said_back = 0;

	a = child_new(f->path);
	fake_proc(dir, a.pid, "mpa-stall", NULL, 0);
	ca = child_connect(&a);
	dmn_server_run(f->s);
	assert_int_equal(dmn_server_nclients(f->s), 1);
	assert_int_equal(dmn_server_pending(f->s), 1);
	/* Its registration waits for its identity... */
	wfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_int_equal(send_register(ca, 1, GOOD_TOKEN, &wfd, 1, 0), 0);
	close(wfd);
	dmn_server_run(f->s);
	fake_now += DMN_IDENT_DEADLINE_MS - 1;
	dmn_server_run(f->s);
	assert_int_equal(get_reply(ca, &m), -1);
	assert_int_equal(seen.calls, 0);
	/* ...until the deadline: then it is served, known by its comm. */
	fake_now += 1;
	dmn_server_run(f->s);
	assert_int_equal(dmn_server_pending(f->s), 0);
	dmn_server_run(f->s);
	assert_int_equal(get_reply(ca, &m), 1);
	assert_int_equal(m.type, ENG_WIRE_OK);
	assert_int_equal(m.seq, 1);
	assert_string_equal(seen.exe, "mpa-stall");
	assert_string_equal(seen.argv0, "mpa-stall");
	assert_int_equal(said_late, 1);
	snprintf(cmd, sizeof(cmd),
		 "uid %u pid %d (mpa-stall): ", (unsigned int)getuid(),
		 (int)a.pid);
	assert_non_null(strstr(said_last, cmd));

	/* Another client while the read hangs: served at once, by comm. */
	b = child_new(f->path);
	fake_proc(dir, b.pid, "mpa-b", "mpa-b-argv\0", 11);
	cb = child_connect(&b);
	dmn_server_run(f->s);
	assert_int_equal(dmn_server_pending(f->s), 0);
	register_ok(f, cb, 2);
	assert_string_equal(seen.exe, "mpa-b");
	assert_string_equal(seen.argv0, "mpa-b");
	assert_int_equal(dmn_server_stats(f->s)->ident_partial, 2);
	assert_int_equal(said_late, 1);

	/* The read returns: said, with the one client that went without. */
	snprintf(fifo, sizeof(fifo), "%s/%d/cmdline", dir, (int)a.pid);
	wfd = open(fifo, O_WRONLY | O_CLOEXEC);
	assert_true(wfd >= 0);
	assert_int_equal(write(wfd, "late\0", 5), 5);
	close(wfd);
	p = (struct pollfd){ .fd = dmn_server_fd(f->s), .events = POLLIN };
	for (i = 0; i < 100 && !said_back; i++) {
		poll(&p, 1, 50);
		dmn_server_run(f->s);
	}
	assert_int_equal(said_back, 1);
	assert_non_null(strstr(said_last, "1 client was identified without"));
	/* The late answer changed nothing for the client it was for. */
	register_ok(f, ca, 3);
	assert_string_equal(seen.argv0, "mpa-stall");

	/* Read again: a new client is known by its command line. */
	c = child_new(f->path);
	fake_proc(dir, c.pid, "mpa-c", "/usr/bin/mpa-c-argv\0-x\0", 23);
	cc = child_connect(&c);
	settle(f->s);
	register_ok(f, cc, 4);
	assert_string_equal(seen.exe, "mpa-c");
	assert_string_equal(seen.argv0, "mpa-c-argv");
	assert_int_equal(dmn_server_stats(f->s)->ident_partial, 2);

	close(ca);
	close(cb);
	close(cc);
	child_end(&a);
	child_end(&b);
	child_end(&c);
	alarm(0);
}

/*
 * A process that has gone by the time its command line comes (a short
 * program): its pid may be another process's by then, so the command
 * line is not taken; the executable and comm, read while it ran, stand.
 */
static void test_identity_gone(void **state)
{
	struct fixture *f = *state;
	struct dmn_server_config cfg = { .path = f->path,
					 .handle = handle,
					 .now = now_fn };
	char dir[128], fifo[160], why[200];
	struct pollfd p;
	struct child a;
	int ca, wfd, i;

	snprintf(dir, sizeof(dir), "%s/proc", f->dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	cfg.procdir = dir;
	dmn_server_close(f->s);
	f->s = NULL;
	assert_int_equal(dmn_server_open(&cfg, &f->s, why, sizeof(why)), 0);
	a = child_new(f->path);
	/* Its command line comes when the test writes it: once it is gone. */
	fake_proc(dir, a.pid, "mpa-gone", NULL, 0);
	ca = child_connect(&a);
	dmn_server_run(f->s);
	assert_int_equal(dmn_server_pending(f->s), 1);
	child_end(&a);
	snprintf(fifo, sizeof(fifo), "%s/%d/cmdline", dir, (int)a.pid);
	wfd = open(fifo, O_WRONLY | O_CLOEXEC);
	assert_true(wfd >= 0);
	assert_int_equal(write(wfd, "/usr/bin/someone-else\0", 22), 22);
	close(wfd);
	p = (struct pollfd){ .fd = dmn_server_fd(f->s), .events = POLLIN };
	for (i = 0; i < 100 && dmn_server_pending(f->s); i++) {
		poll(&p, 1, 50);
		dmn_server_run(f->s);
	}
	assert_int_equal(dmn_server_pending(f->s), 0);
	register_ok(f, ca, 1);
	assert_string_equal(seen.exe, "mpa-gone");
	assert_string_equal(seen.argv0, "mpa-gone");
	assert_int_equal(dmn_server_stats(f->s)->ident_partial, 1);
	close(ca);
}

/* A socket bound at @path; listening when @listening, else closed: stale. */
static int socket_at(const char *path, bool listening)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	if (listening) {
		assert_int_equal(listen(fd, 8), 0);
		return fd;
	}
	close(fd);
	return -1;
}

/* Did a connection reach the listener of @s (in @ms at most)? */
static bool reached(const struct dmn_server *s, int ms)
{
	struct pollfd p = { .fd = dmn_server_listen_fd(s), .events = POLLIN };

	return poll(&p, 1, ms) == 1;
}

/* The names in @dir, but . and .. */
static int entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

static void test_socket_file(void **state)
{
	struct fixture *f = *state;
	struct dmn_server *second;
	struct dmn_server_config cfg = { .path = f->path, .handle = handle };
	struct stat st, before;
	char why[200], name[sizeof(f->path) + 16], longp[120], run[96];
	int fd, live;
	size_t n;

	snprintf(run, sizeof(run), "%s/run", f->dir);
	/*
	 * The longest path there is room for (with PATH.new.PID, any pid)
	 * serves; one more character is refused, and said how long.
	 */
	n = (size_t)snprintf(longp, sizeof(longp), "%s/", f->dir);
	memset(longp + n, 'a', 92 - n);
	longp[92] = '\0';
	cfg.path = longp;
	assert_int_equal(dmn_server_open(&cfg, &second, why, sizeof(why)), 0);
	dmn_server_close(second);
	strcat(longp, "a");
	assert_int_equal(dmn_server_open(&cfg, &second, why, sizeof(why)),
			 -ENAMETOOLONG);
	assert_non_null(strstr(why, "at most 92 characters"));
	cfg.path = f->path;
	/*
	 * A live daemon is never replaced: its file stays, and still takes
	 * it to the first; nothing of the second is left.
	 */
	assert_int_equal(stat(f->path, &before), 0);
	assert_int_equal(dmn_server_open(&cfg, &second, why, sizeof(why)),
			 -EADDRINUSE);
	assert_non_null(strstr(why, "another mptcp-autod serves"));
	assert_non_null(strstr(why, "--socket"));
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_ino, before.st_ino);
	fd = client(f);
	assert_true(reached(f->s, 1000));
	close(fd);
	assert_int_equal(entries(run), 1);
	/* Stale (a killed daemon's): replaced. */
	dmn_server_close(f->s);
	f->s = NULL;
	socket_at(f->path, false);
	/*
	 * And the temporary names daemons killed at their start left,
	 * stale: removed, but only those names, only sockets, only when
	 * nobody listens there.
	 */
	snprintf(name, sizeof(name), "%s.new", f->path); /* older daemons' */
	socket_at(name, false);
	snprintf(name, sizeof(name), "%s.new.4194304", f->path);
	socket_at(name, false);
	snprintf(name, sizeof(name), "%s.new.99", f->path);
	live = socket_at(name, true);
	snprintf(name, sizeof(name), "%s.new.12x", f->path);
	socket_at(name, false);
	snprintf(name, sizeof(name), "%s.new.7", f->path);
	close(open(name, O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
	assert_int_equal(entries(run), 6);
	assert_int_equal(open_server(f, 0, 0), 0);
	fd = client(f);
	assert_true(reached(f->s, 1000));
	close(fd);
	assert_int_equal(entries(run), 4);
	snprintf(name, sizeof(name), "%s.new", f->path);
	assert_int_equal(stat(name, &st), -1);
	snprintf(name, sizeof(name), "%s.new.4194304", f->path);
	assert_int_equal(stat(name, &st), -1);
	snprintf(name, sizeof(name), "%s.new.99", f->path);
	assert_int_equal(stat(name, &st), 0);
	unlink(name);
	close(live);
	snprintf(name, sizeof(name), "%s.new.12x", f->path);
	assert_int_equal(stat(name, &st), 0);
	unlink(name);
	snprintf(name, sizeof(name), "%s.new.7", f->path);
	assert_int_equal(stat(name, &st), 0);
	unlink(name);
	/* Listening before it had its name: nothing left under the other. */
	assert_int_equal(entries(run), 1);
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0666);
	/* Gone at the close. */
	dmn_server_close(f->s);
	f->s = NULL;
	assert_int_equal(stat(f->path, &st), -1);
	/* Not a socket: left alone. */
	fd = open(f->path, O_CREAT | O_WRONLY, 0600);
	close(fd);
	assert_int_equal(dmn_server_open(&cfg, &second, why, sizeof(why)),
			 -EEXIST);
	assert_non_null(strstr(why, "not a socket"));
	assert_int_equal(stat(f->path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(entries(run), 1);
	unlink(f->path);
	/* Closing an old server leaves a newer one's file. */
	assert_int_equal(open_server(f, 0, 0), 0);
	unlink(f->path);
	assert_int_equal(dmn_server_open(&cfg, &second, why, sizeof(why)), 0);
	dmn_server_close(f->s);
	f->s = second;
	assert_int_equal(stat(f->path, &st), 0);
}

/*
 * Two daemons start at once on one path, again and again, on no socket
 * or on a stale one: exactly one serves, the other says that one does,
 * and the file at the path takes connections to the one that serves (it
 * used to be possible for both to succeed, one on a file replaced by the
 * other's).
 */
#define RACE_ROUNDS 200
#define RACE_WAIT_MS 5000

/*
 * Did the test's connection, which sends "P", reach @s (in RACE_WAIT_MS
 * at most)? Another daemon's look whether it lives is one too, silent.
 */
static bool racer_reached(const struct dmn_server *s)
{
	struct pollfd p = { .fd = dmn_server_listen_fd(s), .events = POLLIN };
	struct timeval tv = { .tv_sec = RACE_WAIT_MS / 1000 };
	char c = 0;
	int fd;

	while (c != 'P' && poll(&p, 1, RACE_WAIT_MS) == 1) {
		fd = accept4(p.fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		/* Read until it says something, or ends (a look). */
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		if (recv(fd, &c, 1, 0) != 1)
			c = 0;
		close(fd);
	}
	return c == 'P';
}

/* A racer: W served (and reached through the path), L refused, else E. */
static void racer(const char *path, int go, int res)
{
	struct dmn_server_config cfg = { .path = path, .handle = handle };
	struct dmn_server *s;
	char why[200], c;
	int err;

	/* Every racer starts when the test closes its end of @go. */
	while (read(go, &c, 1) < 0 && errno == EINTR)
		;
	err = dmn_server_open(&cfg, &s, why, sizeof(why));
	c = !err ? 'W' :
	    err == -EADDRINUSE && strstr(why, "another mptcp-autod serves") ?
		   'L' :
		   'E';
	if (write(res, &c, 1) != 1 || err)
		_exit(err ? 0 : 3);
	err = racer_reached(s) ? 0 : 3;
	dmn_server_close(s);
	_exit(err);
}

static void test_socket_race(void **state)
{
	struct fixture *f = *state;
	char got[2], run[96];
	int round, i, go[2], res[2], status[2], n, fd, won, lost, reach;
	pid_t pid[2];

	snprintf(run, sizeof(run), "%s/run", f->dir);
	dmn_server_close(f->s);
	f->s = NULL;
	for (round = 0; round < RACE_ROUNDS; round++) {
		/* Every other round, a killed daemon's socket is there. */
		if (round % 2)
			socket_at(f->path, false);
		assert_int_equal(pipe2(go, O_CLOEXEC), 0);
		assert_int_equal(pipe2(res, O_CLOEXEC), 0);
		for (i = 0; i < 2; i++) {
			pid[i] = fork();
			assert_true(pid[i] >= 0);
			if (pid[i] == 0) {
				close(go[1]);
				close(res[0]);
				racer(f->path, go[0], res[1]);
			}
		}
		close(go[0]);
		close(res[1]);
		close(go[1]); /* off they go */
		for (n = 0; n < 2;) {
			i = (int)read(res[0], got + n, (size_t)(2 - n));
			if (i <= 0)
				break;
			n += i;
		}
		close(res[0]);
		won = (n > 0 && got[0] == 'W') + (n > 1 && got[1] == 'W');
		lost = (n > 0 && got[0] == 'L') + (n > 1 && got[1] == 'L');
		/* Through the path, to the one that says it serves. */
		fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
		{
			struct sockaddr_un a = { .sun_family = AF_UNIX };

			snprintf(a.sun_path, sizeof(a.sun_path), "%s", f->path);
			reach = connect(fd, (struct sockaddr *)&a, sizeof(a));
			if (!reach && send(fd, "P", 1, 0) != 1)
				reach = -1;
		}
		for (i = 0; i < 2; i++)
			assert_int_equal(waitpid(pid[i], &status[i], 0),
					 pid[i]);
		close(fd);
		assert_int_equal(n, 2);
		assert_int_equal(won, 1);
		assert_int_equal(lost, 1);
		assert_int_equal(reach, 0);
		for (i = 0; i < 2; i++) {
			assert_true(WIFEXITED(status[i]));
			assert_int_equal(WEXITSTATUS(status[i]), 0);
		}
		/* The one that served removed its file; nothing else is left. */
		assert_int_equal(entries(run), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bucket),
		cmocka_unit_test(test_rate_per_uid),
		cmocka_unit_test(test_served_table),
		cmocka_unit_test_setup_teardown(test_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_register_ok, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_with_fds, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bad_streak, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_max_clients, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_accept_in_batches, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_listen_queue_burst, setup,
						teardown),
		cmocka_unit_test(test_accept_decide),
		cmocka_unit_test_setup_teardown(test_accept_out_of_descriptors,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_replies_never_block, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_socket_file, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_socket_race, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_identity_stall, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_identity_gone, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

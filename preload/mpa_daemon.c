// SPDX-License-Identifier: MIT
/*
 * Registering connections with mptcp-autod, from the helper thread: one
 * REGISTER datagram per connection with a copy of its socket, sent
 * without waiting; replies read when they come.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "cmn_clock.h"
#include "cmn_syscall.h"
#include "eng_narrow.h"
#include "mpa_daemon.h"
#include "mpa_linger.h"
#include "mpa_log.h"
#include "mpa_shim.h"

/* Refusals and notes said once each; past these, no new one is said. */
#define REASONS_SAID 16

struct reg {
	struct eng_queue *q;
	int sock; /* -1: no daemon now */
	int pidfd;
	uint32_t sent; /* seq of the last registration sent */
	uint32_t answered; /* seq of the last reply */
	int64_t tried_at; /* ms: last connection attempt */
	bool said_gone; /* "went away" said for this outage */
	/* No slot for this process at the daemon (it said so, then closed). */
	bool turned_away;
	bool said_stall; /* "does not answer" said for this stall */
	unsigned int said_lost; /* enum eng_narrow_lost bits said */
	uint32_t reasons[REASONS_SAID]; /* hashes of the reasons said */
	int nreasons;
};

enum mpa_daemon mpa_daemon_probe(const char *path, int *sock, int *err)
{
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	int fd;

	*sock = -1;
	*err = 0;
	snprintf(un.sun_path, sizeof(un.sun_path), "%s", path);
	/* The raw calls: the helper never goes through our own hooks. */
	fd = (int)syscall(SYS_socket, AF_UNIX,
			  SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		*err = errno;
		return MPA_DAEMON_UNREACHABLE;
	}
	if (syscall(SYS_connect, fd, &un, (socklen_t)sizeof(un)) == 0) {
		*sock = fd;
		return MPA_DAEMON_UP;
	}
	*err = errno;
	close(fd);
	switch (*err) {
	case EAGAIN:
		/* Its backlog is full: it runs, but is stopped or busy. */
		return MPA_DAEMON_UP;
	case ENOENT:
	case ENOTDIR:
	case ECONNREFUSED:
		/* No socket, or one left by a daemon that is gone. */
		return MPA_DAEMON_NONE;
	default:
		return MPA_DAEMON_UNREACHABLE;
	}
}

static bool reg_read(struct reg *r, int *err);

/* The daemon's end is gone (@err, 0: it closed the connection). */
static void reg_gone(struct reg *r, int err)
{
	int ignored;

	/* Its last word may wait in front of the end: why it closed. */
	reg_read(r, &ignored);
	close(r->sock);
	r->sock = -1;
	r->tried_at = cmn_now_ms();
	/* Turned away: said once already, and tried again later. */
	if (r->turned_away)
		return;
	if (!r->said_gone)
		mpa_log(CMN_LOG_INFO,
			"mptcp-autod at %s went away (%s): connections stay "
			"one-path until it answers again",
			mpa_shim.pm_socket,
			err ? strerror(err) : "it closed the connection");
	r->said_gone = true;
}

/*
 * A connection to the daemon, at most once a MPA_DAEMON_RETRY_MS: a
 * daemon that is not there costs one attempt a second, whatever the rate
 * of connections; one that turned this process away, one attempt per
 * MPA_DAEMON_TURNED_AWAY_MS. 0 when connected.
 */
static int reg_connect(struct reg *r)
{
	int64_t now = cmn_now_ms();
	int err;

	if (now - r->tried_at <
	    (r->turned_away ? MPA_DAEMON_TURNED_AWAY_MS : MPA_DAEMON_RETRY_MS))
		return -EAGAIN;
	r->tried_at = now;
	mpa_daemon_probe(mpa_shim.pm_socket, &r->sock, &err);
	if (r->sock < 0) {
		if (!r->said_gone)
			mpa_log(CMN_LOG_INFO,
				"mptcp-autod at %s does not take connections "
				"(%s): connections stay one-path until it does",
				mpa_shim.pm_socket, strerror(err));
		r->said_gone = true;
		return -err;
	}
	if (r->said_gone)
		mpa_log(CMN_LOG_INFO, "mptcp-autod at %s answers again",
			mpa_shim.pm_socket);
	r->said_gone = false;
	r->answered = r->sent;
	return 0;
}

/* One datagram with one descriptor; never waits. 0 or -errno. */
static int send_with_fd(int sock, const char *buf, size_t len, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = ctl.buf,
		.msg_controllen = sizeof(ctl.buf),
	};
	struct cmsghdr *c;

	memset(&ctl, 0, sizeof(ctl));
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	if (sendmsg(sock, &msg, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		return -errno;
	return 0;
}

static void reg_stalled(struct reg *r)
{
	if (!r->said_stall)
		mpa_log(CMN_LOG_INFO,
			"mptcp-autod does not answer (stopped or overloaded): "
			"new connections stay one-path until it does");
	r->said_stall = true;
}

/* What the user's policy says that the message cannot: said once each. */
static void reg_lost(struct reg *r, unsigned int lost)
{
	static const struct {
		unsigned int bit;
		const char *text;
	} lost_texts[] = {
		{ ENG_NARROW_LOST_EXCLUDE,
		  "exclude-interfaces of the user's policy cannot be passed "
		  "to mptcp-autod: list the interfaces to keep instead" },
		{ ENG_NARROW_LOST_PATTERN,
		  "an interface name of the user's policy cannot be passed to "
		  "mptcp-autod: left out" },
		{ ENG_NARROW_LOST_COUNT,
		  "more than 16 interface names in the user's policy: the rest "
		  "are left out" },
	};
	size_t i;

	for (i = 0; i < sizeof(lost_texts) / sizeof(lost_texts[0]); i++)
		if ((lost & lost_texts[i].bit) &&
		    !(r->said_lost & lost_texts[i].bit)) {
			r->said_lost |= lost_texts[i].bit;
			mpa_log(CMN_LOG_INFO, "%s", lost_texts[i].text);
		}
}

static uint32_t reg_inflight(const struct reg *r)
{
	return r->sent - r->answered;
}

static void reg_replies(struct reg *r);

/*
 * One queued connection. The program may have closed its descriptor, or
 * reused the number for another socket, since connect() queued it: the
 * copy's token must still be the one queued, or nothing is sent.
 */
static void reg_one(struct reg *r, const struct mpa_conn_req *req)
{
	char buf[ENG_WIRE_MAX + 1];
	struct eng_wire_msg m;
	uint32_t token = 0;
	int copy, n, err;

	if (r->sock < 0 && reg_connect(r) < 0)
		return; /* one path: said once per outage */
	if (reg_inflight(r) >= MPA_DAEMON_INFLIGHT) {
		reg_replies(r);
		if (r->sock < 0)
			return;
		if (reg_inflight(r) >= MPA_DAEMON_INFLIGHT) {
			reg_stalled(r);
			return;
		}
	}
	copy = (int)syscall(SYS_pidfd_getfd, r->pidfd, req->fd, 0);
	if (copy < 0) {
		mpa_log(CMN_LOG_DEBUG,
			"token %08x: fd %d closed before it was registered",
			req->token, req->fd);
		return;
	}
	if (mptcplib_get_token(copy, &token) || token != req->token) {
		mpa_log(CMN_LOG_DEBUG,
			"token %08x: fd %d is another socket now: not "
			"registered",
			req->token, req->fd);
		close(copy);
		return;
	}
	eng_wire_init(&m, ENG_WIRE_REGISTER, r->sent + 1);
	m.token = req->token;
	if (mpa_shim.user_rule)
		reg_lost(r, eng_narrow_build(
				    mpa_shim.user_rule,
				    (const struct sockaddr *)&req->remote, &m));
	n = eng_wire_format(&m, buf, sizeof(buf));
	err = n < 0 ? n : send_with_fd(r->sock, buf, (size_t)n, copy);
	/* Our copy is not needed any more: the datagram holds its own. */
	close(copy);
	switch (err) {
	case 0:
		r->sent++;
		mpa_log(CMN_LOG_DEBUG, "token %08x: registered (seq %u)",
			req->token, r->sent);
		break;
	case -EAGAIN:
	case -ENOBUFS:
		reg_stalled(r);
		break;
	case -EPIPE:
	case -ECONNRESET:
	case -ECONNREFUSED:
	case -ENOTCONN:
		reg_gone(r, -err);
		break;
	default:
		mpa_log(CMN_LOG_DEBUG, "token %08x: not registered: %s",
			req->token, strerror(-err));
	}
}

static uint32_t reason_hash(const char *s)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

/*
 * What the daemon says back, once per text: a refusal, or the note of a
 * registration it served (the user's policy asked for more than the
 * system's gives).
 */
static void reg_say(struct reg *r, const char *what, const char *text)
{
	uint32_t h = reason_hash(text);
	int i;

	for (i = 0; i < r->nreasons; i++)
		if (r->reasons[i] == h)
			return;
	if (r->nreasons == REASONS_SAID)
		return;
	r->reasons[r->nreasons++] = h;
	/* With logging off, the first of them is the process's one line. */
	if (mpa_log_enabled(CMN_LOG_WARN))
		mpa_log(CMN_LOG_WARN, "mptcp-autod %s: %s (said once)", what,
			text);
	else
		mpa_say(CMN_SAY_DAEMON_NONE, text);
}

/* One reply of the daemon, @n bytes in @buf. */
static void reg_reply(struct reg *r, const char *buf, size_t n)
{
	struct eng_wire_msg m;
	const char *why;

	if (eng_wire_parse(buf, n, &m, &why) < 0 ||
	    m.type == ENG_WIRE_REGISTER) {
		mpa_log(CMN_LOG_DEBUG, "a bad reply from mptcp-autod");
		return;
	}
	/*
	 * Seq 0 answers no registration: the daemon has no slot for this
	 * process (eng_wire.h) and closes the connection next. Connections
	 * stay one-path, said once; it is asked again now and then.
	 */
	if (m.type == ENG_WIRE_REFUSED && m.seq == 0) {
		r->turned_away = true;
		reg_say(r, "turned this process away", m.reason);
		return;
	}
	if (r->turned_away)
		mpa_log(CMN_LOG_INFO, "mptcp-autod takes this process's "
				      "registrations again");
	r->turned_away = false;
	/* Replies come in order; one the daemon dropped is skipped. */
	if ((int32_t)(m.seq - r->answered) > 0 &&
	    (int32_t)(r->sent - m.seq) >= 0)
		r->answered = m.seq;
	r->said_stall = false;
	if (m.type == ENG_WIRE_REFUSED)
		reg_say(r, "refused a registration", m.reason);
	else if (m.type == ENG_WIRE_OK && m.reason[0])
		reg_say(r, "served a registration narrower than asked",
			m.reason);
}

/*
 * Every reply there is, without waiting. True when the daemon's end is
 * gone, with *@err its errno (0: it closed the connection).
 */
static bool reg_read(struct reg *r, int *err)
{
	char buf[ENG_WIRE_MAX + 1];
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	bool reset = false;
	ssize_t n;

	for (;;) {
		n = recvmsg(r->sock, &msg, MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR) && !reset)
			return false;
		/*
		 * A daemon that closes with a registration of ours unread
		 * makes the kernel say ECONNRESET once, before the replies
		 * still queued: the reason it turned us away among them.
		 */
		if (n < 0 && errno == ECONNRESET && !reset) {
			reset = true;
			continue;
		}
		if (n <= 0) {
			*err = reset ? ECONNRESET : n < 0 ? errno : 0;
			return true;
		}
		reg_reply(r, buf, (size_t)n);
	}
}

/* Every reply there is; the daemon's end closing is seen here too. */
static void reg_replies(struct reg *r)
{
	int err;

	if (r->sock >= 0 && reg_read(r, &err))
		reg_gone(r, err);
}

/* CLOCK_MONOTONIC in microseconds, for the helper's wakeful window. */
static int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void mpa_daemon_run(struct eng_engine *e, int sock, int pidfd, bool wake)
{
	struct reg r = {
		.q = eng_engine_queue(e),
		.sock = sock,
		.pidfd = pidfd,
		.tried_at = cmn_now_ms(),
	};
	struct mpa_conn_req req;
	int64_t took_at = -1; /* us: the last connection taken */
	int wfd = -1;

	if (wake) {
		wfd = eng_queue_wake_open(r.q);
		if (wfd < 0)
			mpa_log(CMN_LOG_DEBUG,
				"no wake-up signal (%s): the queue is looked "
				"at every %d ms",
				strerror(-wfd), ENG_TICK_MS);
	}
	while (!eng_engine_stopped(e)) {
		struct pollfd pfd[2] = {
			{ .fd = r.sock, .events = POLLIN },
			{ .fd = wfd, .events = POLLIN },
		};
		struct timespec ts;
		int linger;

		while (eng_queue_pop(r.q, &req, NULL)) {
			reg_one(&r, &req);
			took_at = now_us();
		}
		reg_replies(&r);
		pfd[0].fd = r.sock; /* -1 (ignored by poll) once gone */
		/*
		 * Awake a while after a connection: the program's next
		 * connect() finds us so and pays no wake-up (mpa_linger.h).
		 */
		linger = wfd < 0 ?
				 -1 :
				 mpa_linger_timeout_us(
					 took_at < 0 ? -1 : now_us() - took_at);
		if (linger >= 0) {
			ts.tv_sec = 0;
			ts.tv_nsec = (long)linger * 1000;
			ppoll(pfd, 2, &ts, NULL);
		} else if (!eng_queue_sleep(r.q) || eng_engine_stopped(e)) {
			eng_queue_awake(r.q);
			continue;
		} else {
			/* No timer: reconnecting waits for something to do. */
			poll(pfd, 2, wfd < 0 ? ENG_TICK_MS : -1);
			eng_queue_awake(r.q);
		}
		if (wfd >= 0 && (pfd[1].revents & POLLIN) &&
		    eng_queue_wake_read(r.q, wfd) < 0) {
			wfd = -1;
			mpa_log(CMN_LOG_INFO,
				"SIGURG sent to the process: given back to it; "
				"the queue is looked at every %d ms from now on",
				ENG_TICK_MS);
		}
	}
	/* As eng_engine_run(): no submitter may still signal this thread. */
	eng_engine_disable(e);
	if (wfd >= 0)
		eng_queue_wake_close(r.q, wfd);
	if (r.sock >= 0)
		close(r.sock);
}

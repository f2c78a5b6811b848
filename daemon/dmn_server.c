// SPDX-License-Identifier: MIT
/* The registration socket: clients, their messages, the replies. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <unistd.h>

#include "cmn_clock.h"
#include "dmn_argv.h"
#include "dmn_ident.h"
#include "dmn_server.h"

#define LOG(s, level, ...)                                \
	do {                                              \
		if ((s)->cfg.log)                         \
			(s)->cfg.log(level, __VA_ARGS__); \
	} while (0)

/* ---- token buckets ------------------------------------------------------ */

void dmn_bucket_init(struct dmn_bucket *b, int burst, int64_t now)
{
	b->milli = (int64_t)burst * 1000;
	b->at = now;
}

static void bucket_refill(struct dmn_bucket *b, int rate, int burst,
			  int64_t now)
{
	int64_t cap = (int64_t)burst * 1000;

	/* rate per second is rate thousandths per millisecond. */
	if (now > b->at) {
		b->milli += (now - b->at) * rate;
		if (b->milli > cap)
			b->milli = cap;
	}
	b->at = now;
}

bool dmn_bucket_take(struct dmn_bucket *b, int rate, int burst, int64_t now)
{
	bucket_refill(b, rate, burst, now);
	if (b->milli < 1000)
		return false;
	b->milli -= 1000;
	return true;
}

void dmn_rate_init(struct dmn_rate *r, int rate, int burst)
{
	memset(r, 0, sizeof(*r));
	r->rate = rate;
	r->burst = burst;
}

bool dmn_rate_take(struct dmn_rate *r, uid_t uid, int64_t now)
{
	int i, pick = -1;

	for (i = 0; i < DMN_RATE_UIDS; i++) {
		if (r->v[i].used && r->v[i].uid == uid)
			return dmn_bucket_take(&r->v[i].b, r->rate, r->burst,
					       now);
		if (!r->v[i].used && pick < 0)
			pick = i;
	}
	/* No free slot: the fullest bucket goes (a full one loses nothing). */
	if (pick < 0) {
		pick = 0;
		for (i = 0; i < DMN_RATE_UIDS; i++) {
			bucket_refill(&r->v[i].b, r->rate, r->burst, now);
			if (r->v[i].b.milli > r->v[pick].b.milli)
				pick = i;
		}
	}
	r->v[pick].used = true;
	r->v[pick].uid = uid;
	dmn_bucket_init(&r->v[pick].b, r->burst, now);
	return dmn_bucket_take(&r->v[pick].b, r->rate, r->burst, now);
}

/* ---- the server --------------------------------------------------------- */

struct client {
	int fd; /* -1: free */
	int next_free; /* the next free slot while free, -1: none */
	struct dmn_peer peer;
	struct dmn_prog prog;
	/* Its messages wait in its socket while its identity is pending. */
	enum dmn_ident_state ident;
	uint64_t ident_id; /* what its command line was asked for as */
	int bad; /* bad messages in a row */
	unsigned int limited; /* refused for the rate, not logged yet */
	int64_t limited_said; /* ms of the last line about it; 0: never */
};

struct dmn_server {
	struct dmn_server_config cfg;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	ino_t ino; /* of the socket file we made */
	int lfd, ep;
	int tfd; /* a timerfd: the next deadline of the reader */
	struct dmn_argv *argv; /* the command-line reader */
	uint32_t ident_gen; /* the last ask's generation */
	int npending; /* clients whose identity is pending */
	unsigned int behind; /* identified without: since the read stuck */
	/* The listener rests (not watched) until resume_at, or a leave. */
	bool resting, left;
	int64_t resume_at;
	/* accept() has failed since short_since: said once, then its end. */
	bool short_of;
	int64_t short_since;
	struct dmn_rate rate;
	struct dmn_slots *slots; /* who may connect */
	/*
	 * One entry per slot, indexed by the epoll data of its socket;
	 * entries below top have been used, the free ones are chained.
	 */
	struct client *clients;
	int top, free_head;
	int nclients;
	struct dmn_server_stats stats;
	struct dmn_served served;
};

/* Epoll data of the server's own descriptors; clients have their index. */
#define LISTENER UINT32_MAX
#define ARGV (UINT32_MAX - 1)
#define TIMER (UINT32_MAX - 2)
/* Ready clients taken from epoll per run: the rest come next run. */
#define RUN_EVENTS 256
/* New clients accepted per run, the same. */
#define RUN_ACCEPTS 64

static int64_t server_now(const struct dmn_server *s)
{
	return s->cfg.now ? s->cfg.now() : cmn_now_ms();
}

/*
 * Is @path a socket someone listens on? Stale after a killed daemon: then
 * it is replaced. 1 live, 0 stale or absent, -EEXIST when it is not a
 * socket at all, or -errno.
 */
static int socket_live(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, rc;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	/* A live listener answers at once, even with its backlog full. */
	rc = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0 ||
	     errno == EAGAIN;
	close(fd);
	return rc;
}

/*
 * The socket is bound at PATH.new.PID, and takes its name PATH once it
 * listens: between bind() and listen() the file refuses connections, and a
 * program starting then would take mptcp-autod for absent. The pid keeps
 * two daemons starting together apart; the path keeps room for any pid
 * (an int). PATH.new is the name older daemons used.
 */
#define TMP_SUFFIX ".new."
#define TMP_PID_DIGITS 10
/* A stale socket at PATH removed, and one there again: tries, then no. */
#define TAKE_TRIES 8
/* The directory's lock, held by another daemon: tries, and the pause. */
#define LOCK_TRIES 500
#define LOCK_PAUSE_MS 10

/*
 * Daemons starting on one directory take turns: each holds an flock() on
 * it from before its bind() until its socket has its name. Without turns,
 * one could find a stale socket at PATH, a second replace it with its own,
 * and the first then unlink that live one and put its own there: the
 * second would serve a file that no longer exists. The lock in @fd, or -1
 * without one (a directory it cannot read, a file system without locks).
 * Then only that stale-socket case stays open: the link() of path_take()
 * never replaces a socket that answers. 0, or -EWOULDBLOCK when another
 * process keeps the lock for long: any user who can read the directory
 * can take it, so the caller goes on without it.
 */
static int dir_lock(const char *dir, int *fd)
{
	struct timespec pause = { .tv_nsec = LOCK_PAUSE_MS * 1000000L };
	int i;

	*fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*fd < 0)
		return 0; /* not readable: no turns, as without locks */
	for (i = 0; i < LOCK_TRIES; i++) {
		if (flock(*fd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR)
			break;
		nanosleep(&pause, NULL);
	}
	close(*fd);
	*fd = -1;
	return i < LOCK_TRIES ? 0 : -EWOULDBLOCK;
}

/*
 * Give the listening socket at @tmp its name, s->path, with link(), which
 * never replaces a file: a live socket there is another daemon's, and is
 * refused, as is anything that is not a socket; a stale one is removed
 * and the link tried again. 0, or -errno with a reason in @why.
 */
static int path_take(struct dmn_server *s, const char *tmp, char *why,
		     size_t len)
{
	int i, live, err;

	for (i = 0; i < TAKE_TRIES; i++) {
		if (link(tmp, s->path) == 0)
			return 0;
		err = -errno;
		live = err == -EEXIST ? socket_live(s->path) : err;
		if (live > 0) {
			snprintf(why, len,
				 "%s: another mptcp-autod serves this socket: "
				 "stop it first, or give this one another "
				 "--socket",
				 s->path);
			return -EADDRINUSE;
		}
		if (live == -EEXIST) {
			snprintf(why, len,
				 "%s: exists and is not a socket: remove it, "
				 "or give another --socket",
				 s->path);
			return -EEXIST;
		}
		if (live < 0) {
			snprintf(why, len, "%s: %s", s->path, strerror(-live));
			return live;
		}
		/* Stale, or gone since the link(): tried again. */
		if (unlink(s->path) < 0 && errno != ENOENT) {
			err = -errno;
			snprintf(why, len, "%s: %s", s->path, strerror(-err));
			return err;
		}
		LOG(s, CMN_LOG_INFO,
		    "%s: a stale socket, of a daemon that is gone: replaced",
		    s->path);
	}
	snprintf(why, len, "%s: a stale socket there came back %d times",
		 s->path, TAKE_TRIES);
	return -EAGAIN;
}

/* Is @name (in the socket's directory) PATH.new or PATH.new.DIGITS? */
static bool is_tmp_name(const char *name, const char *base)
{
	size_t n = strlen(base), d;

	if (strncmp(name, base, n) || strncmp(name + n, ".new", 4))
		return false;
	name += n + 4;
	if (!*name)
		return true;
	d = strspn(name + 1, "0123456789");
	return *name == '.' && d > 0 && !name[1 + d];
}

/*
 * Remove the temporary names daemons killed at their start left: only
 * those names, only sockets, only ones nobody listens on. With the
 * directory's lock held, no other daemon is between its bind() and its
 * link(), when its name does not answer yet.
 */
static void tmp_sweep(struct dmn_server *s)
{
	const char *slash = strrchr(s->path, '/');
	const char *base = slash ? slash + 1 : s->path;
	char dir[sizeof(s->path)], p[sizeof(s->path)];
	int dlen = (int)(base - s->path);
	struct dirent *e;
	DIR *d;

	snprintf(dir, sizeof(dir), "%.*s", dlen ? dlen : 1,
		 dlen ? s->path : ".");
	d = opendir(dir);
	if (!d)
		return;
	while ((e = readdir(d))) {
		if (!is_tmp_name(e->d_name, base) ||
		    snprintf(p, sizeof(p), "%.*s%s", dlen, s->path,
			     e->d_name) >= (int)sizeof(p) ||
		    socket_live(p) != 0 || unlink(p) < 0)
			continue;
		LOG(s, CMN_LOG_INFO,
		    "%s: removed, left by a daemon killed at its start", p);
	}
	closedir(d);
}

static int server_listen(struct dmn_server *s, char *why, size_t len)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	size_t room =
		sizeof(a.sun_path) - 1 - strlen(TMP_SUFFIX) - TMP_PID_DIGITS;
	char dir[PATH_MAX];
	const char *d;
	struct stat st;
	int lock, err;

	if (strlen(s->cfg.path) > room) {
		snprintf(
			why, len,
			"%s: path too long for a socket (at most %zu characters)",
			s->cfg.path, room);
		return -ENAMETOOLONG;
	}
	snprintf(s->path, sizeof(s->path), "%s", s->cfg.path);
	snprintf(dir, sizeof(dir), "%s", s->path);
	d = dirname(dir);
	/* Any user may connect: the directory only needs to be reachable. */
	if (mkdir(d, 0755) < 0 && errno != EEXIST) {
		err = -errno;
		snprintf(why, len, "%s: %s", d, strerror(-err));
		return err;
	}
	if (dir_lock(d, &lock) < 0)
		LOG(s, CMN_LOG_WARN,
		    "%s: another process keeps its lock (flock) for %d s: "
		    "going on without taking turns",
		    d, LOCK_TRIES * LOCK_PAUSE_MS / 1000);
	if (snprintf(a.sun_path, sizeof(a.sun_path), "%s" TMP_SUFFIX "%d",
		     s->path, (int)getpid()) >= (int)sizeof(a.sun_path)) {
		err = -ENAMETOOLONG; /* checked above; said for the compiler */
		snprintf(why, len, "%s: %s", s->path, strerror(-err));
		goto out;
	}
	s->lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC,
			0);
	if (s->lfd < 0) {
		err = -errno;
		snprintf(why, len, "%s: %s", s->path, strerror(-err));
		goto out;
	}
	/* Our pid's name, left by a daemon gone that had it. */
	if (socket_live(a.sun_path) == 0)
		unlink(a.sun_path);
	if (bind(s->lfd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		err = -errno;
		snprintf(why, len, "%s: %s", a.sun_path, strerror(-err));
		goto out;
	}
	/*
	 * As deep as the namespace allows (net.core.somaxconn caps it): at a
	 * burst of process starts, a client the queue has no room for gets
	 * EAGAIN, and its connections stay unregistered.
	 */
	if (chmod(a.sun_path, 0666) < 0 || stat(a.sun_path, &st) < 0 ||
	    listen(s->lfd, SOMAXCONN) < 0) {
		err = -errno;
		snprintf(why, len, "%s: %s", a.sun_path, strerror(-err));
	} else {
		err = path_take(s, a.sun_path, why, len);
	}
	/* What dmn_server_close() removes: only the file it made its own. */
	if (!err)
		s->ino = st.st_ino;
	/* Bound under its name now, or refused: the other goes either way. */
	unlink(a.sun_path);
	if (!err && lock >= 0)
		tmp_sweep(s);
out:
	if (lock >= 0)
		close(lock); /* the next daemon's turn */
	return err;
}

static int watch(struct dmn_server *s, int op, int fd, uint32_t data)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = data };

	return epoll_ctl(s->ep, op, fd, &ev) < 0 ? -errno : 0;
}

int dmn_server_open(const struct dmn_server_config *cfg,
		    struct dmn_server **out, char *why, size_t len)
{
	struct dmn_server *s = calloc(1, sizeof(*s));
	int err;

	*out = NULL;
	if (!s) {
		snprintf(why, len, "out of memory");
		return -ENOMEM;
	}
	s->cfg = *cfg;
	s->lfd = s->ep = s->tfd = -1;
	s->free_head = -1;
	s->slots = dmn_slots_new(cfg->max_clients, cfg->max_per_uid);
	/* Not touched before use: a large --max-clients costs nothing idle. */
	s->clients = s->slots ? calloc((size_t)dmn_slots_max(s->slots),
				       sizeof(*s->clients)) :
				NULL;
	if (!s->clients) {
		snprintf(why, len, "out of memory");
		err = -ENOMEM;
		goto fail;
	}
	dmn_rate_init(&s->rate, cfg->rate > 0 ? cfg->rate : DMN_RATE,
		      cfg->burst > 0 ? cfg->burst : DMN_BURST);
	err = server_listen(s, why, len);
	if (err)
		goto fail;
	s->ep = epoll_create1(EPOLL_CLOEXEC);
	s->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	err = s->ep < 0 || s->tfd < 0 ?
		      -errno :
		      watch(s, EPOLL_CTL_ADD, s->lfd, LISTENER);
	if (!err)
		err = watch(s, EPOLL_CTL_ADD, s->tfd, TIMER);
	if (err) {
		snprintf(why, len, "epoll: %s", strerror(-err));
		goto fail;
	}
	s->argv = dmn_argv_new(cfg->procdir ? cfg->procdir : "/proc",
			       DMN_IDENT_DEADLINE_MS);
	err = s->argv ? watch(s, EPOLL_CTL_ADD, dmn_argv_fd(s->argv), ARGV) :
			-errno;
	if (err) {
		snprintf(why, len, "the command-line reader: %s",
			 strerror(-err));
		goto fail;
	}
	*out = s;
	return 0;
fail:
	dmn_server_close(s);
	return err;
}

int dmn_server_fd(const struct dmn_server *s)
{
	return s->ep;
}

int dmn_server_listen_fd(const struct dmn_server *s)
{
	return s->lfd;
}

int dmn_server_nclients(const struct dmn_server *s)
{
	return s->nclients;
}

const struct dmn_slots *dmn_server_slots(const struct dmn_server *s)
{
	return s->slots;
}

const struct dmn_server_stats *dmn_server_stats(const struct dmn_server *s)
{
	return &s->stats;
}

const struct dmn_served *dmn_server_served(const struct dmn_server *s)
{
	return &s->served;
}

int dmn_server_pending(const struct dmn_server *s)
{
	return s->npending;
}

void dmn_served_add(struct dmn_served *t, uid_t uid, const char *prog)
{
	char name[ENG_WIRE_PROG_MAX];
	uint32_t *count = &t->other;
	int i;

	eng_wire_prog_clean(prog, name);
	for (i = 0; i < t->n; i++)
		if (t->v[i].uid == (uint32_t)uid && !strcmp(t->v[i].prog, name))
			break;
	if (i < t->n) {
		count = &t->v[i].count;
	} else if (t->n < DMN_SERVED_MAX) {
		t->v[t->n].uid = (uint32_t)uid;
		strcpy(t->v[t->n].prog, name);
		t->v[t->n].count = 0;
		count = &t->v[t->n++].count;
	}
	if (*count < UINT32_MAX)
		(*count)++;
}

void dmn_served_fill(const struct dmn_served *t, struct eng_wire_msg *m)
{
	m->nserved = t->n;
	memcpy(m->served, t->v, sizeof(t->v[0]) * (size_t)t->n);
	m->served_other = t->other;
}

/* Never waits: a client that does not read its replies loses them. */
static void reply(struct dmn_server *s, int fd, const struct eng_wire_msg *m)
{
	char buf[ENG_WIRE_MAX + 1];
	int n = eng_wire_format(m, buf, sizeof(buf));

	if (n < 0)
		return;
	if (send(fd, buf, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		s->stats.replies_dropped++;
}

static void client_drop(struct dmn_server *s, struct client *c)
{
	s->left = true; /* a descriptor given back: the listener may wake */
	/* Not served yet, so not watched; its answer will be stale. */
	if (!dmn_ident_serves(c->ident))
		s->npending--;
	else
		epoll_ctl(s->ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = -1;
	dmn_peer_fini(&c->peer);
	dmn_slots_put(s->slots, c->peer.uid);
	c->next_free = s->free_head;
	s->free_head = (int)(c - s->clients);
	s->nclients--;
}

/* A free entry; there is one for every slot dmn_slots_take() gave. */
static struct client *client_new(struct dmn_server *s)
{
	struct client *c;

	if (s->free_head >= 0) {
		c = &s->clients[s->free_head];
		s->free_head = c->next_free;
	} else {
		c = &s->clients[s->top++];
	}
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->next_free = -1;
	return c;
}

/* The uid of @fd's peer, as the kernel recorded it at connect(). */
static int peer_uid(int fd, uid_t *uid)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return -errno;
	*uid = cred.uid;
	return 0;
}

/*
 * No slot for @fd, a client of @uid: it hears why (seq 0: no message of
 * its own was refused), then is closed. The log says it at most once a
 * minute per user at its share (once a minute in all when every slot is
 * taken), with how many were turned away meanwhile: a flood of
 * connections must not flood the log.
 */
static void turn_away(struct dmn_server *s, int fd, uid_t uid,
		      enum dmn_slot_verdict v)
{
	int per_uid = dmn_slots_per_uid(s->slots),
	    max = dmn_slots_max(s->slots);
	struct eng_wire_msg m;
	unsigned int n;

	s->stats.turned_away++;
	n = dmn_slots_turned_away(s->slots, uid, v, server_now(s));
	eng_wire_init(&m, ENG_WIRE_REFUSED, 0);
	if (v == DMN_SLOT_USER_FULL) {
		if (n)
			LOG(s, CMN_LOG_WARN,
			    "uid %u holds its %d clients "
			    "(--max-clients-per-user): %u more turned away "
			    "(said at most once a minute)",
			    (unsigned int)uid, per_uid, n);
		snprintf(m.reason, sizeof(m.reason),
			 "too many clients of this user (%d): this "
			 "program's connections are not registered; the "
			 "administrator may raise mptcp-autod "
			 "--max-clients-per-user",
			 per_uid);
	} else {
		if (n)
			LOG(s, CMN_LOG_WARN,
			    "all %d clients connected (--max-clients): %u "
			    "more turned away, the last of uid %u (said at "
			    "most once a minute)",
			    max, n, (unsigned int)uid);
		snprintf(m.reason, sizeof(m.reason),
			 "too many clients (%d): this program's connections "
			 "are not registered; the administrator may raise "
			 "mptcp-autod --max-clients",
			 max);
	}
	reply(s, fd, &m);
	close(fd);
}

static const char *prog_name(const struct dmn_prog *p)
{
	return p->id.exe ? p->id.exe : "program unknown";
}

/*
 * @c's identity is settled (its state says how): its pidfd has served
 * (one descriptor per client, not two), and its messages are read from
 * now on.
 */
static void client_identified(struct dmn_server *s, struct client *c)
{
	dmn_peer_fini(&c->peer);
	if (watch(s, EPOLL_CTL_ADD, c->fd, (uint32_t)(c - s->clients)) < 0) {
		client_drop(s, c);
		return;
	}
	if (c->ident == DMN_IDENT_PARTIAL)
		s->stats.ident_partial++;
	if (c->ident == DMN_IDENT_KNOWN)
		LOG(s, CMN_LOG_DEBUG,
		    "client uid %u pid %d (%s, argv0 %s) connected",
		    (unsigned int)c->peer.uid, (int)c->peer.pid,
		    prog_name(&c->prog),
		    c->prog.id.argv0 ? c->prog.id.argv0 : "unknown");
	else
		LOG(s, CMN_LOG_DEBUG,
		    "client uid %u pid %d (%s) connected, identified without "
		    "its command line",
		    (unsigned int)c->peer.uid, (int)c->peer.pid,
		    prog_name(&c->prog));
}

static void client_accept(struct dmn_server *s, int fd)
{
	const char *procdir = s->cfg.procdir ? s->cfg.procdir : "/proc";
	enum dmn_slot_verdict v;
	uid_t uid = (uid_t)-1;
	struct client *c;
	int err;

	if (peer_uid(fd, &uid) < 0) {
		close(fd);
		return;
	}
	v = dmn_slots_take(s->slots, uid, server_now(s));
	if (v != DMN_SLOT_TAKEN) {
		turn_away(s, fd, uid, v);
		return;
	}
	c = client_new(s);
	c->fd = fd;
	c->peer.uid = uid; /* the slot's, whatever happens next */
	c->peer.pidfd = -1;
	c->ident = DMN_IDENT_KNOWN;
	s->nclients++;
	if (dmn_peer_read(fd, &c->peer) < 0) {
		client_drop(s, c);
		return;
	}
	s->stats.accepted++;
	/*
	 * Read once: the program of a connected client does not change (an
	 * exec() closes the socket, which is O_CLOEXEC in the shim). Its
	 * executable and comm now; its command line by the reader, which the
	 * process may keep waiting: its messages wait for it, not the loop.
	 */
	if (dmn_prog_read(&c->peer, procdir, &c->prog) < 0) {
		client_identified(s, c); /* unknown: nothing to wait for */
		return;
	}
	/*
	 * The entry's index, to find it, and a generation (never 0, nor is
	 * the id), to tell a reused entry's answers from its own.
	 */
	if (++s->ident_gen == 0)
		s->ident_gen = 1;
	c->ident_id = (uint64_t)s->ident_gen << 32 | (uint32_t)(c - s->clients);
	err = dmn_argv_ask(s->argv, c->ident_id, c->peer.pid, server_now(s));
	if (!err) {
		c->ident = DMN_IDENT_PENDING;
		s->npending++;
		return;
	}
	c->ident = DMN_IDENT_PARTIAL;
	if (err == -EBUSY)
		s->behind++;
	else
		LOG(s, CMN_LOG_WARN,
		    "uid %u pid %d: its command line is not read: %s",
		    (unsigned int)c->peer.uid, (int)c->peer.pid,
		    strerror(-err));
	client_identified(s, c);
}

/* The pending client that @id was asked for, or NULL (it has gone). */
static struct client *client_of_ident(struct dmn_server *s, uint64_t id)
{
	uint32_t i = (uint32_t)id;
	struct client *c;

	if (i >= (uint32_t)s->top)
		return NULL;
	c = &s->clients[i];
	return c->fd >= 0 && c->ident == DMN_IDENT_PENDING &&
			       c->ident_id == id ?
		       c :
		       NULL;
}

/* What the reader has answered, and the deadlines that have passed. */
static void identities(struct dmn_server *s)
{
	struct dmn_argv_answer a;
	struct client *c;

	while (dmn_argv_next(s->argv, server_now(s), &a) == 1) {
		if (a.kind == DMN_ARGV_BACK) {
			LOG(s, CMN_LOG_INFO,
			    "the read of pid %d's command line returned after "
			    "%lld ms; %u client%s identified without theirs "
			    "meanwhile; command lines are read again",
			    (int)a.pid, (long long)a.ms, s->behind,
			    s->behind == 1 ? " was" : "s were");
			s->behind = 0;
			continue;
		}
		c = client_of_ident(s, a.id);
		if (!c)
			continue;
		s->npending--;
		/*
		 * Gone since its exe and comm were read (a short-lived
		 * program), its pid may be another's: those two stand.
		 */
		if (a.kind == DMN_ARGV_READ && dmn_peer_alive(&c->peer)) {
			c->ident = dmn_ident_next(c->ident, DMN_IDENT_EV_READ);
			dmn_prog_add_argv(&c->prog, a.buf, a.len);
		} else {
			c->ident =
				dmn_ident_next(c->ident, DMN_IDENT_EV_WITHOUT);
		}
		if (a.kind == DMN_ARGV_STUCK)
			LOG(s, CMN_LOG_WARN,
			    "uid %u pid %d (%s): its command line was not read "
			    "within %d ms: identified by its executable and "
			    "comm alone; so are new clients until that read "
			    "returns",
			    (unsigned int)c->peer.uid, (int)c->peer.pid,
			    prog_name(&c->prog), DMN_IDENT_DEADLINE_MS);
		if (a.kind == DMN_ARGV_BEHIND)
			s->behind++;
		client_identified(s, c);
	}
}

/* The timer at the next deadline or the listener's wake-up, or off. */
static void timer_arm(struct dmn_server *s)
{
	int64_t now = server_now(s);
	int ms = dmn_argv_timeout(s->argv, now);
	struct itimerspec it = { { 0, 0 }, { 0, 0 } };

	if (s->resting) {
		int64_t left = s->resume_at > now ? s->resume_at - now : 0;

		if (left > DMN_ACCEPT_PAUSE_MS)
			left = DMN_ACCEPT_PAUSE_MS;
		if (ms < 0 || left < ms)
			ms = (int)left;
	}
	if (ms >= 0) {
		it.it_value.tv_sec = ms / 1000;
		/* Never 0, which would disarm it. */
		it.it_value.tv_nsec = (long)(ms % 1000) * 1000000 + 1;
	}
	timerfd_settime(s->tfd, 0, &it, NULL);
}

enum dmn_accept_next dmn_accept_decide(int err)
{
	switch (err) {
	case EAGAIN:
		return DMN_ACCEPT_DONE;
	/* That client's trouble (it is off the queue), or a signal. */
	case EINTR:
	case ECONNABORTED:
	case EPROTO:
		return DMN_ACCEPT_NEXT;
	default:
		/*
		 * EMFILE, ENFILE, ENOBUFS, ENOMEM, and what else may come (an
		 * EPERM of a security module leaves the client queued): each
		 * would come again at once.
		 */
		return DMN_ACCEPT_PAUSE;
	}
}

/*
 * accept() failed with @err, which the next try would repeat at once: the
 * listener rests. Said at the first failure of an episode, and at its end.
 */
static void accept_rest(struct dmn_server *s, int err)
{
	int64_t now = server_now(s);

	s->stats.accept_paused++;
	if (!s->resting && epoll_ctl(s->ep, EPOLL_CTL_DEL, s->lfd, NULL) == 0)
		s->resting = true;
	s->left = false;
	s->resume_at = now + DMN_ACCEPT_PAUSE_MS;
	if (s->short_of)
		return;
	s->short_of = true;
	s->short_since = now;
	LOG(s, CMN_LOG_WARN,
	    "accept: %s: new clients wait in the listen queue, tried again "
	    "every %d ms and when a client leaves (%d clients connected%s)",
	    strerror(err), DMN_ACCEPT_PAUSE_MS, s->nclients,
	    err == EMFILE ? "; the descriptor limit is RLIMIT_NOFILE, "
			    "LimitNOFILE= under systemd" :
			    "");
}

/* The rest is over when its time has come, or a client left. */
static void accept_wake(struct dmn_server *s)
{
	if (!s->resting || (!s->left && server_now(s) < s->resume_at))
		return;
	if (watch(s, EPOLL_CTL_ADD, s->lfd, LISTENER) == 0)
		s->resting = false;
}

/*
 * New clients, RUN_ACCEPTS at most: one who connects as fast as it is
 * turned away must not keep the clients already there waiting. The rest
 * come next run (the listener stays readable).
 */
static void accept_some(struct dmn_server *s)
{
	int fd, k;

	for (k = 0; k < RUN_ACCEPTS; k++) {
		fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			enum dmn_accept_next next = dmn_accept_decide(errno);

			if (next == DMN_ACCEPT_NEXT)
				continue;
			if (next == DMN_ACCEPT_PAUSE)
				accept_rest(s, errno);
			return;
		}
		if (s->short_of) {
			LOG(s, CMN_LOG_INFO,
			    "accept: clients taken again, after %lld ms",
			    (long long)(server_now(s) - s->short_since));
			s->short_of = false;
		}
		client_accept(s, fd);
	}
}

/* The descriptors of @msg's SCM_RIGHTS into @fds; their count. */
static int take_fds(struct msghdr *msg, int *fds, int max)
{
	struct cmsghdr *cm;
	int n = 0;

	for (cm = CMSG_FIRSTHDR(msg); cm; cm = CMSG_NXTHDR(msg, cm)) {
		size_t k, cnt;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		cnt = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (k = 0; k < cnt && n < max; k++)
			memcpy(&fds[n++], CMSG_DATA(cm) + k * sizeof(int),
			       sizeof(int));
	}
	return n;
}

/* A line about a client over the rate: the first, then one per 10 s. */
static void limited_log(struct dmn_server *s, struct client *c)
{
	int64_t now = server_now(s);

	if (c->limited_said && now - c->limited_said < 10000)
		return;
	LOG(s, CMN_LOG_WARN,
	    "uid %u pid %d: over %d registrations per second: %u refused",
	    (unsigned int)c->peer.uid, (int)c->peer.pid, s->rate.rate,
	    c->limited);
	c->limited_said = now ? now : 1;
	c->limited = 0;
}

/*
 * One message of @c, answered. False when there was none (or the client
 * is gone, or was dropped).
 */
static bool client_message(struct dmn_server *s, struct client *c)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * DMN_MAX_FDS)];
		struct cmsghdr align;
	} ctl;
	char text[ENG_WIRE_MAX + 1], why[ENG_WIRE_REASON_MAX];
	char note[ENG_WIRE_REASON_MAX] = "";
	struct iovec iov = { .iov_base = text, .iov_len = sizeof(text) };
	struct msghdr mh = { .msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = ctl.buf,
			     .msg_controllen = sizeof(ctl.buf) };
	struct eng_wire_msg in, out;
	struct dmn_request rq;
	int fds[DMN_MAX_FDS], nfds, i, err;
	const char *perr = NULL;
	ssize_t n;

	n = recvmsg(c->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return false;
	if (n < 0) {
		client_drop(s, c);
		return false;
	}
	/*
	 * 0 is the end of the connection, or a datagram of no bytes: that
	 * one may carry descriptors, which must not stay open here.
	 */
	nfds = take_fds(&mh, fds, DMN_MAX_FDS);
	if (n == 0 && !nfds && !(mh.msg_flags & MSG_CTRUNC)) {
		client_drop(s, c);
		return false;
	}
	why[0] = '\0';
	eng_wire_init(&in, ENG_WIRE_REGISTER, 0);
	if (mh.msg_flags & MSG_TRUNC)
		snprintf(why, sizeof(why), "message too long");
	else if (eng_wire_parse(text, (size_t)n, &in, &perr))
		snprintf(why, sizeof(why), "bad message: %s", perr);
	else if (in.type == ENG_WIRE_STATUS && !nfds) {
		/* Anyone may ask; it costs no registration of the rate. */
		s->stats.statuses++;
		eng_wire_init(&out, ENG_WIRE_STATE, in.seq);
		if (s->cfg.state)
			s->cfg.state(s->cfg.ctx, &out);
		dmn_served_fill(&s->served, &out);
		reply(s, c->fd, &out);
		return true;
	} else if (in.type == ENG_WIRE_STATUS)
		snprintf(why, sizeof(why), "a STATUS carries no descriptor");
	else if (in.type != ENG_WIRE_REGISTER)
		snprintf(why, sizeof(why), "not a REGISTER or STATUS");
	else if (!dmn_rate_take(&s->rate, c->peer.uid, server_now(s))) {
		/* Over the rate is no fault: not counted as bad. */
		s->stats.limited++;
		c->limited++;
		limited_log(s, c);
		for (i = 0; i < nfds; i++)
			close(fds[i]);
		eng_wire_init(&out, ENG_WIRE_REFUSED, in.seq);
		snprintf(out.reason, sizeof(out.reason),
			 "too many registrations from this user");
		reply(s, c->fd, &out);
		return true;
	} else {
		rq = (struct dmn_request){ .peer = &c->peer,
					   .prog = &c->prog,
					   .msg = &in,
					   .fd = nfds ? fds[0] : -1,
					   .nfds = nfds,
					   .fds_cut = (mh.msg_flags &
						       MSG_CTRUNC) != 0 };
		err = s->cfg.handle(s->cfg.ctx, &rq, why, sizeof(why));
		/* Served: what @why says then is a note for the user. */
		if (!err) {
			snprintf(note, sizeof(note), "%s", why);
			why[0] = '\0';
		} else if (!why[0]) {
			snprintf(why, sizeof(why), "%s", strerror(-err));
		}
	}
	/* Every descriptor is closed before the client hears back. */
	for (i = 0; i < nfds; i++)
		close(fds[i]);
	if (!why[0]) {
		c->bad = 0;
		s->stats.registered++;
		/* Without ptrace rights over another user's process the
		 * daemon may see no executable: argv[0] names it then. */
		dmn_served_add(&s->served, c->peer.uid,
			       c->prog.id.exe ? c->prog.id.exe :
						c->prog.id.argv0);
		eng_wire_init(&out, ENG_WIRE_OK, in.seq);
		snprintf(out.reason, sizeof(out.reason), "%s", note);
		reply(s, c->fd, &out);
		return true;
	}
	s->stats.refused++;
	c->bad++;
	LOG(s, CMN_LOG_INFO, "uid %u pid %d (%s): refused: %s",
	    (unsigned int)c->peer.uid, (int)c->peer.pid, prog_name(&c->prog),
	    why);
	eng_wire_init(&out, ENG_WIRE_REFUSED, in.seq);
	snprintf(out.reason, sizeof(out.reason), "%s", why);
	reply(s, c->fd, &out);
	if (c->bad >= DMN_MAX_BAD) {
		LOG(s, CMN_LOG_WARN,
		    "uid %u pid %d: %d bad messages in a row: disconnected",
		    (unsigned int)c->peer.uid, (int)c->peer.pid, c->bad);
		s->stats.disconnected++;
		client_drop(s, c);
		return false;
	}
	return true;
}

void dmn_server_run(struct dmn_server *s)
{
	struct epoll_event evs[RUN_EVENTS];
	int n, i, k;

	accept_wake(s);
	n = epoll_wait(s->ep, evs, RUN_EVENTS, 0);
	for (i = 0; i < n; i++) {
		uint32_t who = evs[i].data.u32;
		struct client *c;

		if (who == LISTENER) {
			accept_some(s);
			continue;
		}
		if (who == ARGV)
			continue; /* below */
		if (who == TIMER) {
			uint64_t ticks;

			if (read(s->tfd, &ticks, sizeof(ticks)) < 0) {
				/* EAGAIN: re-armed since; nothing is lost. */
			}
			continue;
		}
		c = &s->clients[who];
		/* A bounded turn each: the next run serves the rest. */
		for (k = 0; k < DMN_TURN && c->fd >= 0; k++)
			if (!client_message(s, c))
				break;
	}
	identities(s);
	timer_arm(s);
}

void dmn_server_close(struct dmn_server *s)
{
	struct stat st;
	int i;

	if (!s)
		return;
	for (i = 0; i < s->top; i++)
		if (s->clients[i].fd >= 0)
			client_drop(s, &s->clients[i]);
	if (s->lfd >= 0) {
		/* Only our own file: a newer daemon may have replaced it. */
		if (stat(s->path, &st) == 0 && st.st_ino == s->ino)
			unlink(s->path);
		close(s->lfd);
	}
	if (s->ep >= 0)
		close(s->ep);
	if (s->tfd >= 0)
		close(s->tfd);
	dmn_argv_free(s->argv);
	free(s->clients);
	dmn_slots_free(s->slots);
	free(s);
}

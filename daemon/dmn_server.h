/* SPDX-License-Identifier: MIT */
/*
 * The registration socket: AF_UNIX SOCK_SEQPACKET, one message per
 * datagram (engine/eng_wire.h). It never blocks on a client: every socket
 * is non-blocking, each client gets a bounded turn, and a reply that does
 * not fit in the client's buffer is dropped. It takes each message's
 * descriptors (SCM_RIGHTS, MSG_CMSG_CLOEXEC), hands the message to the
 * daemon's handler, closes every descriptor, then answers OK or REFUSED
 * with the message's seq. It refuses what it can tell is bad by itself
 * (unparsable text, another message type, a user over its rate), and
 * drops a client after DMN_MAX_BAD bad messages in a row. A client beyond
 * the slots (dmn_slots.h: the total, and each user's share) is turned
 * away at once: a REFUSED with seq 0 that says which limit, then the
 * close. It answers a STATUS (from anyone, without a descriptor, outside
 * the rate) with a STATE: the daemon's part from its state callback, and
 * the registrations it served per uid and program, which it counts
 * itself. A new client's messages wait in its socket until its program
 * is known: its executable and comm at once, its command line from the
 * reader's thread, DMN_IDENT_DEADLINE_MS at most (dmn_ident.h).
 *
 * It has an epoll descriptor of its own (its listener and clients): the
 * daemon's loop polls that one and calls dmn_server_run() when it is
 * readable.
 */
#ifndef DMN_SERVER_H
#define DMN_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cmn_log.h"
#include "dmn_slots.h"
#include "dmn_verify.h"
#include "eng_wire.h"

#define DMN_SOCKET_DEFAULT ENG_WIRE_SOCKET_DEFAULT
#define DMN_ENV_SOCKET ENG_WIRE_ENV_SOCKET

#define DMN_MAX_BAD 16 /* bad messages in a row, then disconnected */
#define DMN_TURN 32 /* messages taken from one client per turn */
#define DMN_MAX_FDS 4 /* room for descriptors per message: more are cut */
#define DMN_RATE 2000 /* registrations per second per uid */
#define DMN_BURST 4000

/* ---- per-uid token bucket: pure ---------------------------------------- */

/* Tokens in thousandths, refilled at rate per second up to burst. */
struct dmn_bucket {
	int64_t milli;
	int64_t at; /* ms of the last refill */
};

/* dmn_bucket_init() - a full bucket at @now. */
void dmn_bucket_init(struct dmn_bucket *b, int burst, int64_t now);

/* dmn_bucket_take() - one token at @now, if there is one. */
bool dmn_bucket_take(struct dmn_bucket *b, int rate, int burst, int64_t now);

/*
 * Buckets kept. Past it, the fullest bucket is reused: a user that
 * registers little loses nothing by it, one that floods keeps its empty
 * bucket while any other is fuller.
 */
#define DMN_RATE_UIDS 256

struct dmn_rate {
	int rate, burst;
	struct {
		bool used;
		uid_t uid;
		struct dmn_bucket b;
	} v[DMN_RATE_UIDS];
};

void dmn_rate_init(struct dmn_rate *r, int rate, int burst);

/*
 * dmn_rate_take() - one registration of @uid at @now, if its bucket has a
 * token. A user not seen yet starts full; when the table is full, the
 * bucket closest to full is reused (a full bucket is as good as none, so
 * a user can gain nothing by coming back).
 */
bool dmn_rate_take(struct dmn_rate *r, uid_t uid, int64_t now);

/* ---- accept() failures: pure --------------------------------------------- */

/* How long the listener rests after accept() found the daemon short. */
#define DMN_ACCEPT_PAUSE_MS 100

enum dmn_accept_next {
	DMN_ACCEPT_DONE, /* nobody is waiting */
	DMN_ACCEPT_NEXT, /* that client failed (it left): the next one */
	/*
	 * The daemon is short of descriptors or memory (EMFILE, ENFILE,
	 * ENOBUFS, ENOMEM), or something unforeseen: the listener would stay
	 * readable and the loop spin on it, so it is not watched for
	 * DMN_ACCEPT_PAUSE_MS, or until a client leaves. The clients wait in
	 * the listen queue meanwhile.
	 */
	DMN_ACCEPT_PAUSE,
};

/* dmn_accept_decide() - pure: what follows an accept() that failed @err. */
enum dmn_accept_next dmn_accept_decide(int err);

/* ---- registrations served per (uid, program): pure ---------------------- */

/* Pairs counted one by one; the registrations of any later pair are
 * summed in other, so that a user cannot grow the table. */
#define DMN_SERVED_MAX ENG_WIRE_MAX_SERVED

struct dmn_served {
	int n;
	struct eng_wire_served v[DMN_SERVED_MAX];
	uint32_t other;
};

/*
 * dmn_served_add() - one registration of @uid's program @prog (its name
 * as the daemon read it; NULL: unknown), counted under the name
 * eng_wire_prog_clean() makes of it. Counts stop at UINT32_MAX.
 */
void dmn_served_add(struct dmn_served *t, uid_t uid, const char *prog);

/* dmn_served_fill() - the table into STATE message @m. */
void dmn_served_fill(const struct dmn_served *t, struct eng_wire_msg *m);

/* ---- the server --------------------------------------------------------- */

/* One registration, as the handler sees it. */
struct dmn_request {
	const struct dmn_peer *peer; /* the client process (SO_PEERCRED) */
	const struct dmn_prog *prog; /* its program; unknown: all NULL */
	const struct eng_wire_msg *msg; /* a parsed REGISTER */
	int fd; /* the first descriptor passed, -1 if none */
	int nfds; /* how many came */
	bool fds_cut; /* more than DMN_MAX_FDS came: the rest were closed */
};

/*
 * The daemon's part: verify and act. 0 to answer OK (with a note for the
 * user when @why is not empty), or -errno to refuse with a reason in
 * @why. The server closes the descriptors afterwards.
 */
typedef int (*dmn_handle_fn)(void *ctx, const struct dmn_request *rq, char *why,
			     size_t len);

/*
 * The daemon's part of a STATE (mode, unregistered, since) into @m, an
 * initialised STATE; the server adds the registrations served.
 */
typedef void (*dmn_state_fn)(void *ctx, struct eng_wire_msg *m);

struct dmn_server_config {
	const char *path; /* the socket; its directory is made if missing */
	int rate, burst; /* 0: DMN_RATE, DMN_BURST */
	/* Clients at once, and per user (dmn_slots_new(): 0, the defaults). */
	int max_clients, max_per_uid;
	dmn_handle_fn handle;
	dmn_state_fn state; /* may be NULL: only the counts */
	void *ctx;
	cmn_log_fn log; /* may be NULL */
	int64_t (*now)(void); /* NULL: the monotonic clock */
	const char *procdir; /* NULL: /proc */
};

struct dmn_server_stats {
	unsigned int accepted, turned_away, disconnected;
	unsigned int registered, refused, limited, replies_dropped;
	unsigned int statuses; /* STATUS requests answered */
	unsigned int ident_partial; /* clients known without their argv */
	unsigned int accept_paused; /* accept() failures that rested it */
};

struct dmn_server;

/*
 * dmn_server_open() - listen on cfg->path (mode 0666, in a directory made
 * 0755 if missing; at most 92 characters: room is kept for the temporary
 * name cfg->path.new.PID), which appears only once it listens. A stale
 * socket file there is replaced; a live one (another daemon: -EADDRINUSE)
 * or anything that is not a socket (-EEXIST) never is. Of daemons starting
 * together on one path, exactly one takes it. Stale temporary names of
 * daemons killed at their start are removed. 0, or -errno with a reason
 * in @why.
 */
int dmn_server_open(const struct dmn_server_config *cfg,
		    struct dmn_server **out, char *why, size_t len);

/* dmn_server_fd() - readable when dmn_server_run() has work. */
int dmn_server_fd(const struct dmn_server *s);

/* dmn_server_listen_fd() - the listening socket (its namespace). */
int dmn_server_listen_fd(const struct dmn_server *s);

/* dmn_server_run() - the work that is ready now; never blocks. */
void dmn_server_run(struct dmn_server *s);

/* dmn_server_nclients() - clients connected now. */
int dmn_server_nclients(const struct dmn_server *s);

/*
 * dmn_server_pending() - clients whose identity is pending: their command
 * line is being read (dmn_ident.h), their messages wait.
 */
int dmn_server_pending(const struct dmn_server *s);

/* dmn_server_slots() - the client slots: the limits, and who holds them. */
const struct dmn_slots *dmn_server_slots(const struct dmn_server *s);

const struct dmn_server_stats *dmn_server_stats(const struct dmn_server *s);

/* dmn_server_served() - the registrations served per (uid, program). */
const struct dmn_served *dmn_server_served(const struct dmn_server *s);

/*
 * dmn_server_close() - drop every client, close the socket and remove its
 * file (if it is still the one this server made).
 */
void dmn_server_close(struct dmn_server *s);

#endif /* DMN_SERVER_H */

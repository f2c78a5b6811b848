/* SPDX-License-Identifier: MIT */
/*
 * The registration protocol between the shim and mptcp-autod: one message
 * per SOCK_SEQPACKET datagram, in text, so that a log or strace shows it
 * as it is. A registration travels with the connected socket itself
 * (SCM_RIGHTS): the daemon believes the socket, not the text, which only
 * names what the user's own policy narrows. Pure: build and parse, no I/O.
 *
 *   MPTCP-AUTO/1 REGISTER      MPTCP-AUTO/1 OK       MPTCP-AUTO/1 REFUSED
 *   seq 42                     seq 42                seq 42
 *   token 1a2b3c4d             note ... (optional)   reason not an MPTCP socket
 *   user-subflows 1            (user-* lines: optional, a narrowing)
 *   user-interfaces wlan*,eth1
 *   user-backup eth1
 *   user-reopen no
 *
 * An OK's note tells the user what the daemon did not grant: a user's
 * policy that asks for more than the system policy gives (an interface it
 * does not give, more subflows) is served narrowed all the same.
 *
 * Seq 0 is no registration's (the shim counts from 1): a REFUSED with seq
 * 0 answers a message the daemon could not read, or no message at all
 * when the daemon has no client slot for the connection (too many
 * clients, or too many of this user): its reason says which, and the
 * daemon closes the connection next.
 *
 * Anyone may ask the daemon how it is (no descriptor, no rate):
 *
 *   MPTCP-AUTO/1 STATUS        MPTCP-AUTO/1 STATE
 *   seq 3                      seq 3
 *                              mode userspace
 *                              unregistered endpoints
 *                              since 1790000000
 *                              served 1000 curl 12
 *                              served 0 apt 3
 *                              served-other 5
 *                              policy /etc/mptcp-auto
 *                              refused 1a2b3c4d 1
 *
 * STATE: the namespace's path manager as the daemon set it, what
 * connections no program registers get ("default": the policy's
 * [default] rule, "endpoints": the host's former endpoints), its start
 * (seconds since the epoch), registrations served per uid and program
 * (at most ENG_WIRE_MAX_SERVED lines; "served-other": the rest), where
 * its policy comes from (the system policy's folder, or the one file it
 * was given), and the joins the peer refused, per connection still
 * followed (at most ENG_WIRE_MAX_REFUSED lines, the latest ones).
 */
#ifndef ENG_WIRE_H
#define ENG_WIRE_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where mptcp-autod listens, and the variable that moves it (tests). */
#define ENG_WIRE_SOCKET_DEFAULT "/run/mptcp-auto/pm.sock"
#define ENG_WIRE_ENV_SOCKET "MPTCP_AUTO_PM_SOCKET"

/* Largest message either side sends or takes (a full STATE fits). */
#define ENG_WIRE_MAX 4096
/* Interface patterns per list. */
#define ENG_WIRE_MAX_PATTERNS 16
#define ENG_WIRE_REASON_MAX 160
/* STATE: served lines, a program's name (with its NUL), a mode word. */
#define ENG_WIRE_MAX_SERVED 32
#define ENG_WIRE_PROG_MAX 33
#define ENG_WIRE_WORD_MAX 16
/* STATE: a policy path (with its NUL), refused lines. */
#define ENG_WIRE_PATH_MAX 256
#define ENG_WIRE_MAX_REFUSED 16

enum eng_wire_type {
	ENG_WIRE_REGISTER = 1,
	ENG_WIRE_OK,
	ENG_WIRE_REFUSED,
	ENG_WIRE_STATUS,
	ENG_WIRE_STATE,
};

/* STATE: what unregistered connections get; 0: unsaid. */
enum eng_wire_unreg {
	ENG_WIRE_UNREG_DEFAULT = 1, /* the policy's [default] rule */
	ENG_WIRE_UNREG_ENDPOINTS, /* the host's former endpoints */
};

/* STATE: the joins a connection's peer refused. */
struct eng_wire_refused {
	uint32_t token;
	uint32_t count;
};

/* STATE: registrations served for one user's program. */
struct eng_wire_served {
	uint32_t uid;
	char prog[ENG_WIRE_PROG_MAX]; /* eng_wire_prog_ok() */
	uint32_t count;
};

struct eng_wire_msg {
	enum eng_wire_type type;
	uint32_t seq;
	/* REGISTER */
	uint32_t token; /* as the shim read it; the daemon reads its own */
	bool narrow; /* the user's own policy narrows the rule: */
	int user_subflows; /* at most this many (0: none); -1 unsaid */
	int ninterfaces; /* only these interfaces (patterns); 0: unsaid */
	char interfaces[ENG_WIRE_MAX_PATTERNS][IFNAMSIZ];
	int nbackup; /* these as backup */
	char backup[ENG_WIRE_MAX_PATTERNS][IFNAMSIZ];
	int user_reopen; /* 0 no, 1 yes (only no narrows); -1 unsaid */
	/* REFUSED: why (reason); OK: a note for the user, "" if none (note) */
	char reason[ENG_WIRE_REASON_MAX];
	/* STATE (each unsaid when empty, 0 or -1) */
	char mode[ENG_WIRE_WORD_MAX]; /* [a-z0-9_-] */
	enum eng_wire_unreg unregistered;
	int64_t since; /* -1 unsaid */
	int nserved;
	struct eng_wire_served served[ENG_WIRE_MAX_SERVED];
	uint32_t served_other; /* registrations of pairs not listed */
	char policy[ENG_WIRE_PATH_MAX]; /* absolute, printable; "" unsaid */
	int nrefused;
	struct eng_wire_refused refused[ENG_WIRE_MAX_REFUSED];
};

/* eng_wire_init() - an empty message of @type: nothing narrowed. */
void eng_wire_init(struct eng_wire_msg *m, enum eng_wire_type type,
		   uint32_t seq);

/*
 * eng_wire_format() - @m as text into @buf. The length (without a NUL;
 * the buffer holds one), or -EINVAL if @m breaks the protocol's limits,
 * -ENOSPC if @len is too small.
 */
int eng_wire_format(const struct eng_wire_msg *m, char *buf, size_t len);

/*
 * eng_wire_parse() - a datagram of @len bytes into @m. Strict: the header
 * line, then known keys for the type, each at most once, values within
 * the limits; anything else is refused. 0, or -EPROTO with a short
 * reason in *why (static text).
 */
int eng_wire_parse(const char *buf, size_t len, struct eng_wire_msg *m,
		   const char **why);

/*
 * eng_wire_path_ok() - a policy path STATE carries: absolute, printable
 * ASCII (spaces too), shorter than ENG_WIRE_PATH_MAX.
 */
bool eng_wire_path_ok(const char *p);

/* eng_wire_pattern_ok() - an interface pattern the protocol carries. */
bool eng_wire_pattern_ok(const char *p);

/*
 * eng_wire_prog_ok() - a program name STATE carries: 1 to
 * ENG_WIRE_PROG_MAX - 1 printable ASCII characters, no space.
 */
bool eng_wire_prog_ok(const char *p);

/*
 * eng_wire_prog_clean() - @name (may be NULL: unknown) as STATE can carry
 * it, into @out of ENG_WIRE_PROG_MAX bytes: cut, and every character the
 * protocol does not take turned into '?'; "-" for none.
 */
void eng_wire_prog_clean(const char *name, char *out);

#endif /* ENG_WIRE_H */

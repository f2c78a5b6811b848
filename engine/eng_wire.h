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
 *   token 1a2b3c4d                                   reason not an MPTCP socket
 *   user-subflows 1            (user-* lines: optional, a narrowing)
 *   user-interfaces wlan*,eth1
 *   user-backup eth1
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

/* Largest message either side sends or takes. */
#define ENG_WIRE_MAX 1024
/* Interface patterns per list. */
#define ENG_WIRE_MAX_PATTERNS 16
#define ENG_WIRE_REASON_MAX 160

enum eng_wire_type {
	ENG_WIRE_REGISTER = 1,
	ENG_WIRE_OK,
	ENG_WIRE_REFUSED,
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
	/* REFUSED */
	char reason[ENG_WIRE_REASON_MAX];
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

/* eng_wire_pattern_ok() - an interface pattern the protocol carries. */
bool eng_wire_pattern_ok(const char *p);

#endif /* ENG_WIRE_H */

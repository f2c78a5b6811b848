/* SPDX-License-Identifier: MIT */
/*
 * What the daemon believes about a registration: only what the kernel
 * says. The connection is the socket passed with the message (never the
 * text's token, which must merely agree); the sender is the peer of the
 * Unix connection (SO_PEERCRED, and a pidfd so that a reused pid is not
 * taken for it); the program is read from /proc for that process.
 *
 * Each check gathers facts with system calls into a struct (thin, not
 * unit-tested) and decides with a pure function (tested on canned facts).
 */
#ifndef DMN_VERIFY_H
#define DMN_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "mpa_policy.h"

/* ---- the passed socket -------------------------------------------------- */

/* What a received message and its descriptor are; -1: could not tell. */
struct dmn_facts {
	int nfds; /* descriptors that came with the message */
	bool fds_cut; /* more than there was room for (MSG_CTRUNC) */
	int sock_err; /* reading SO_DOMAIN: 0 or -errno (-ENOTSOCK) */
	int family, type, protocol;
	int listening; /* SO_ACCEPTCONN */
	int netns_err; /* SO_NETNS_COOKIE: 0 or -errno */
	uint64_t netns, own_netns; /* the socket's, the daemon's */
	int info_err; /* MPTCP_INFO: 0 or -errno (-EOPNOTSUPP: fallback) */
	uint32_t token; /* local token: 0 before connect() */
	bool connected; /* getpeername() worked: addresses known */
	struct sockaddr_storage local, remote;
};

enum dmn_verdict {
	DMN_VERDICT_REFUSE, /* reason given */
	DMN_VERDICT_CONNECTED, /* addresses in the facts */
	DMN_VERDICT_CONNECTING, /* SYN sent: addresses come with its event */
};

/*
 * dmn_verify_decide() - is @f one connected (or connecting) MPTCP socket
 * of the daemon's namespace whose token is @claimed? The verdict, and on
 * refusal a short reason (static text) in *@why.
 */
enum dmn_verdict dmn_verify_decide(const struct dmn_facts *f, uint32_t claimed,
				   const char **why);

/*
 * dmn_verify_gather() - the facts of @fd (the one descriptor received,
 * or -1 when none was) into @f, for a message that came with @nfds
 * descriptors (@cut: some were cut off). @own_netns is the daemon's
 * namespace cookie (dmn_verify_netns()).
 */
void dmn_verify_gather(int fd, int nfds, bool cut, uint64_t own_netns,
		       struct dmn_facts *f);

/* dmn_verify_netns() - the namespace cookie of socket @fd. 0 or -errno. */
int dmn_verify_netns(int fd, uint64_t *cookie);

/* ---- the sender --------------------------------------------------------- */

/* The process at the other end of a client connection. */
struct dmn_peer {
	uid_t uid;
	gid_t gid;
	pid_t pid;
	int pidfd; /* -1 if none: the pid alone, which may be reused */
};

/*
 * dmn_peer_read() - the credentials of @client_fd's peer as the kernel
 * recorded them at connect(); its pidfd from SO_PEERPIDFD (6.5+) or, on
 * older kernels, pidfd_open() now. 0 or -errno; the pidfd is the
 * caller's (dmn_peer_fini()).
 */
int dmn_peer_read(int client_fd, struct dmn_peer *p);

/* dmn_peer_fini() - close the pidfd. */
void dmn_peer_fini(struct dmn_peer *p);

/* How the program that registers is known. */
struct dmn_prog {
	struct mpa_prog_names names;
	struct mpa_prog_id id; /* points into names; all NULL: unknown */
};

/*
 * dmn_prog_from() - pure: the identity from what /proc showed: @exe the
 * link of /proc/PID/exe (NULL when it could not be read, as without
 * CAP_SYS_PTRACE for another user's process; a " (deleted)" suffix is
 * dropped), @comm /proc/PID/comm, @cmdline the first @len bytes of
 * /proc/PID/cmdline (NUL-separated arguments; NULL: not read). The
 * executable's name is @exe's basename, else @comm; argv0 is the first
 * argument, else @comm; the script (for an interpreter) is the second
 * argument.
 */
void dmn_prog_from(const char *exe, const char *comm, const char *cmdline,
		   size_t len, struct dmn_prog *out);

/*
 * dmn_prog_add_argv() - pure: @p, made by dmn_prog_from() without a
 * command line, with the first @len bytes of @cmdline now: the same
 * identity as dmn_prog_from() with all three at once.
 */
void dmn_prog_add_argv(struct dmn_prog *p, const char *cmdline, size_t len);

/*
 * dmn_prog_read() - the identity of @p's process from @procdir ("/proc",
 * or a test's), by what the kernel tells without touching the process's
 * memory: its executable and comm (argv0 is comm until
 * dmn_prog_add_argv()). When the process cannot be read, or has gone
 * while it was read (its pidfd says so: the pid may then be another
 * process's), the identity is unknown, and the [default] rule applies.
 * 0, or -ESRCH (unknown).
 */
int dmn_prog_read(const struct dmn_peer *p, const char *procdir,
		  struct dmn_prog *out);

/*
 * dmn_prog_read_cmdline() - the first @len - 1 bytes of process @pid's
 * command line (@procdir/PID/cmdline) into @buf, NUL-terminated. That is
 * the process's own memory: the read may block for as long as the process
 * wants (dmn_argv.h reads it off the loop). The count, or -1.
 */
ssize_t dmn_prog_read_cmdline(const char *procdir, pid_t pid, char *buf,
			      size_t len);

/*
 * dmn_peer_alive() - is @p's process still the one that connected? True
 * without a pidfd (the pid is all there is). Then what was read of its
 * pid was its own.
 */
bool dmn_peer_alive(const struct dmn_peer *p);

#endif /* DMN_VERIFY_H */

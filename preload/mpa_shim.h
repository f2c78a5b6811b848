/* SPDX-License-Identifier: MIT */
/*
 * State shared by the shim's init and hooks. Written once by the
 * constructor, read-only afterwards (the engine start flag is atomic).
 * See preload/DESIGN.md for the thread, fork and errno rules.
 */
#ifndef MPA_SHIM_H
#define MPA_SHIM_H

#include <stdatomic.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "cmn_say.h"
#include "eng_run.h"
#include "mpa_config.h"
#include "mpa_mode.h"
#include "mpa_policy.h"
#include "mpa_seccomp.h"

typedef int (*socket_fn)(int, int, int);
typedef int (*connect_fn)(int, const struct sockaddr *, socklen_t);
typedef int (*setsockopt_fn)(int, int, int, const void *, socklen_t);

struct mpa_shim {
	socket_fn real_socket; /* NULL until the constructor ran */
	connect_fn real_connect;
	setsockopt_fn real_setsockopt;
	bool ready; /* constructor done: the fields below are valid */
	bool convert; /* this program's sockets become MPTCP */
	/*
	 * Connections are handed to the helper thread: the start-up mode
	 * has one (mpa_mode_has_helper()). It registers them with
	 * mptcp-autod or opens their subflows itself, as it finds out.
	 */
	bool subflows;
	struct mpa_host host; /* what the constructor found */
	atomic_int mode; /* enum mpa_mode: the helper's, once it decided */
	char pm_socket[MPA_SOCKET_PATH_MAX]; /* the daemon's; "": none */
	const struct mpa_rule *rule;
	/*
	 * The rule opens subflows to every destination
	 * (mpa_rule_opens_for_all()): connect() decides nothing per call.
	 */
	bool rule_for_all;
	struct mpa_policy *policy; /* owns rule; kept for the process */
	/* The user's own layers' rule (the narrowing), or NULL. */
	const struct mpa_rule *user_rule;
	struct mpa_policy *user_policy; /* owns user_rule */
	struct eng_engine *engine;
	atomic_int engine_state; /* enum mpa_engine_state */
	pid_t pid; /* ours; differs in a vfork()ed child */
	struct mpa_seccomp seccomp; /* the constructor's thread's filter */
	unsigned int probes; /* bit n: enum mpa_probe n survives the filter */
	/*
	 * The one unasked line (preload/mpa_say.h): said yet; what to say at
	 * the first connection that wants subflows (enum cmn_say, in a mode
	 * decided at start that opens none), with its detail; what
	 * MPTCP_AUTO_SAID says was said already ("" unset).
	 */
	atomic_bool said;
	atomic_int say_at_connect;
	char say_detail[160];
	char said_env[32];
	bool had_cap; /* CAP_NET_ADMIN at start */
	bool go; /* a Go program: its own sockets never reach the hooks */
};

enum mpa_engine_state { ENGINE_IDLE, ENGINE_RUNNING, ENGINE_FAILED };

extern struct mpa_shim mpa_shim;

/* mpa_socket_eligible() - TCP over IPv4/IPv6 that we may turn into MPTCP. */
bool mpa_socket_eligible(int domain, int type, int protocol);

/*
 * mpa_track() - after a successful or in-progress connect() on @fd: hand
 * the connection to the helper thread if the policy wants subflows for
 * @addr (or, under mptcp-autod, the user's own policy wants none: the
 * daemon is told so). Never changes the connect() result; keeps errno.
 */
void mpa_track(int fd, const struct sockaddr *addr, socklen_t len);

/*
 * mpa_say() - the one unasked line of this process, for reason @r with
 * @detail ("" or NULL for none): written once (the first reason wins),
 * unless MPTCP_AUTO_LOG=off, or `mptcp-auto run` said @r already
 * (MPTCP_AUTO_SAID). Any thread; keeps errno.
 */
void mpa_say(enum cmn_say r, const char *detail);

/*
 * mpa_say_connect() - after a successful or in-progress connect() in a
 * process whose mode opens no subflow: the line decided at start, when
 * the policy wants subflows for @addr (once).
 */
void mpa_say_connect(const struct sockaddr *addr, socklen_t len);

/* mpa_has_cap_net_admin() - the calling thread's effective set has it. */
bool mpa_has_cap_net_admin(void);

#endif /* MPA_SHIM_H */

/* SPDX-License-Identifier: MIT */
/*
 * Why a program will not get its policy's subflows: the reasons that
 * `mptcp-auto run` says before it starts a program, and that the shim
 * says once per process when it was loaded without the command. Each has
 * a word, which `run` leaves in MPTCP_AUTO_SAID for the programs it
 * starts, so that the shim in them does not say the same thing again (a
 * different reason, found only in the process, is still said); "quiet"
 * (`run --quiet`) keeps the shim from saying anything.
 */
#ifndef CMN_SAY_H
#define CMN_SAY_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#define CMN_ENV_SAID "MPTCP_AUTO_SAID"

enum cmn_say {
	CMN_SAY_NONE, /* nothing to say: the subflows come, or none are asked */
	CMN_SAY_NO_MPTCP, /* no MPTCP in this kernel */
	CMN_SAY_KERNEL_PM, /* the in-kernel path manager: its endpoints decide */
	CMN_SAY_NO_CAP, /* no daemon, no CAP_NET_ADMIN */
	CMN_SAY_DROPPED, /* the process dropped its privileges after start */
	CMN_SAY_UNREACHABLE, /* the daemon's socket cannot be used */
	CMN_SAY_SECCOMP, /* a seccomp filter forbids what subflows need */
	CMN_SAY_GO_OLD, /* a Go program older than 1.21: plain TCP */
	CMN_SAY_GO_NO_GODEBUG, /* Go 1.21+, without GODEBUG=multipathtcp=1 */
	CMN_SAY_GO_UNSEEN, /* a Go program: the shim does not see its sockets */
	/* The daemon's rule gives none, or less than the user asks. */
	CMN_SAY_DAEMON_NONE,
	CMN_SAY_COUNT,
};

/* cmn_say_word() - @r's word, as MPTCP_AUTO_SAID carries it. */
static inline const char *cmn_say_word(enum cmn_say r)
{
	static const char *const words[CMN_SAY_COUNT] = {
		[CMN_SAY_NONE] = "none",
		[CMN_SAY_NO_MPTCP] = "no-mptcp",
		[CMN_SAY_KERNEL_PM] = "kernel-pm",
		[CMN_SAY_NO_CAP] = "no-cap",
		[CMN_SAY_DROPPED] = "dropped-privileges",
		[CMN_SAY_UNREACHABLE] = "daemon-unreachable",
		[CMN_SAY_SECCOMP] = "seccomp",
		[CMN_SAY_GO_OLD] = "go-old",
		[CMN_SAY_GO_NO_GODEBUG] = "go-no-godebug",
		[CMN_SAY_GO_UNSEEN] = "go-unseen",
		[CMN_SAY_DAEMON_NONE] = "daemon-none",
	};

	return (unsigned int)r < CMN_SAY_COUNT ? words[r] : "none";
}

/*
 * cmn_say_allowed() - may reason @r be said, given @said (the value of
 * MPTCP_AUTO_SAID, NULL when unset)? Not when it says "quiet", nor when
 * it is @r's own word (the command said it already); never CMN_SAY_NONE.
 */
static inline bool cmn_say_allowed(const char *said, enum cmn_say r)
{
	if (r == CMN_SAY_NONE || (unsigned int)r >= CMN_SAY_COUNT)
		return false;
	return !said ||
	       (strcmp(said, "quiet") && strcmp(said, cmn_say_word(r)));
}

#endif /* CMN_SAY_H */

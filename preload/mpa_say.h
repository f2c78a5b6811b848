/* SPDX-License-Identifier: MIT */
/*
 * What the shim tells the user, once per process and without being asked
 * (MPTCP_AUTO_LOG=off silences it), when the policy wants subflows that
 * this process cannot get: why, and what to do (common/cmn_say.h has the
 * reasons). Pure: which reason a mode or a Go program gives, and the
 * sentence; preload/mpa_init.c says it.
 */
#ifndef MPA_SAY_H
#define MPA_SAY_H

#include <stdbool.h>
#include <stddef.h>

#include "cmn_say.h"
#include "mpa_mode.h"

/*
 * mpa_say_for_mode() - the reason mode @m leaves the policy's subflows
 * unopened; CMN_SAY_NONE for the modes that open them (the daemon, the
 * in-process engine) or have not decided yet. @had_cap: the process had
 * CAP_NET_ADMIN at start, so that its lack now is a drop (CMN_SAY_DROPPED)
 * rather than CMN_SAY_NO_CAP.
 */
enum cmn_say mpa_say_for_mode(enum mpa_mode m, bool had_cap);

/*
 * mpa_say_for_go() - the reason for a Go program whose build information
 * gave @go_err (cmn_go_version_read(): 0, -EOPNOTSUPP for a release
 * before 1.18) and the version @ver, with @godebug_mptcp when GODEBUG
 * asks for multipathtcp=1: its runtime makes its own sockets, which the
 * shim never sees. CMN_SAY_NONE when it is no Go program.
 */
enum cmn_say mpa_say_for_go(int go_err, const char *ver, bool godebug_mptcp);

/* The detail of CMN_SAY_SECCOMP for a filter that forbids netlink. */
#define MPA_SAY_SECCOMP_NETLINK \
	"the netlink calls that subflows need (its sockets are MPTCP, on one path)"

/*
 * mpa_say_format() - the sentence for @r into @out, with @detail (a
 * version, a uid, a reason; "" for none) where the sentence has room for
 * it. Returns @out.
 */
const char *mpa_say_format(enum cmn_say r, const char *detail, char *out,
			   size_t len);

#endif /* MPA_SAY_H */

// SPDX-License-Identifier: MIT
/* The shim's one unasked line: which reason, and its sentence (pure). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmn_goinfo.h"
#include "mpa_say.h"

/* The modes that leave the policy's subflows unopened, and why. */
static const struct {
	enum mpa_mode mode;
	enum cmn_say reason;
} mode_reasons[] = {
	{ MPA_MODE_UNREACHABLE, CMN_SAY_UNREACHABLE },
	{ MPA_MODE_KERNEL, CMN_SAY_KERNEL_PM },
	{ MPA_MODE_NO_CAP, CMN_SAY_NO_CAP },
	{ MPA_MODE_SECCOMP, CMN_SAY_SECCOMP },
	{ MPA_MODE_NO_MPTCP, CMN_SAY_NO_MPTCP },
};

enum cmn_say mpa_say_for_mode(enum mpa_mode m, bool had_cap)
{
	size_t i;

	for (i = 0; i < sizeof(mode_reasons) / sizeof(mode_reasons[0]); i++)
		if (mode_reasons[i].mode == m)
			return m == MPA_MODE_NO_CAP && had_cap ?
				       CMN_SAY_DROPPED :
				       mode_reasons[i].reason;
	return CMN_SAY_NONE;
}

enum cmn_say mpa_say_for_go(int go_err, const char *ver, bool godebug_mptcp)
{
	if (go_err == -EOPNOTSUPP)
		return CMN_SAY_GO_OLD;
	if (go_err)
		return CMN_SAY_NONE;
	/* A version that names no release ("devel ..."): assume it is new. */
	if (!cmn_go_version_at_least(ver, CMN_GO_MPTCP_MAJOR,
				     CMN_GO_MPTCP_MINOR))
		return CMN_SAY_GO_OLD;
	return godebug_mptcp ? CMN_SAY_GO_UNSEEN : CMN_SAY_GO_NO_GODEBUG;
}

/*
 * Each sentence says what happens instead and what to do. "%s", where a
 * sentence has one, takes the detail (not a printf format: a plain
 * splice, so that no text here is ever a format).
 */
static const char *const texts[CMN_SAY_COUNT] = {
	[CMN_SAY_NO_MPTCP] =
		"this kernel has no MPTCP (or net.mptcp.enabled is 0): this "
		"program's connections stay plain TCP, without the policy's "
		"subflows",
	[CMN_SAY_KERNEL_PM] =
		"the in-kernel path manager serves this network namespace and "
		"no mptcp-autod runs: the kernel's endpoints (ip mptcp "
		"endpoint) decide this program's subflows, not the policy. "
		"Start mptcp-autod (systemctl enable --now mptcp-autod), or as "
		"root set net.mptcp.path_manager=userspace",
	[CMN_SAY_NO_CAP] =
		"no extra subflow for this program: it has no CAP_NET_ADMIN "
		"and no mptcp-autod answers (its sockets are MPTCP, on one "
		"path). Start mptcp-autod (systemctl enable --now "
		"mptcp-autod), or run it as root",
	[CMN_SAY_DROPPED] =
		"no extra subflow for this program: it gave up CAP_NET_ADMIN "
		"after it started (%s) and no mptcp-autod answers (its "
		"sockets are MPTCP, on one path). Start mptcp-autod "
		"(systemctl enable --now mptcp-autod): it serves such programs",
	[CMN_SAY_UNREACHABLE] =
		"no extra subflow for this program: mptcp-autod's socket is "
		"there but this process cannot use it (%s), and no other path "
		"manager may act while a daemon may run",
	[CMN_SAY_SECCOMP] =
		"no extra subflow for this program: its seccomp filter would "
		"kill it on %s",
	[CMN_SAY_GO_OLD] =
		"this Go program (%s) makes its own system calls, out of the "
		"shim's reach, and Go before 1.21 ignores "
		"GODEBUG=multipathtcp=1: its connections stay plain TCP, "
		"without the policy's subflows. Built with Go 1.21 or newer, "
		"it would use MPTCP",
	[CMN_SAY_GO_NO_GODEBUG] =
		"this Go program (%s) makes its own system calls, out of the "
		"shim's reach: without GODEBUG=multipathtcp=1 (mptcp-auto run "
		"sets it) its connections stay plain TCP",
	[CMN_SAY_GO_UNSEEN] =
		"this Go program (%s) makes its own MPTCP sockets "
		"(GODEBUG=multipathtcp=1), which the shim never sees: no "
		"subflow from the policy's rule for it. mptcp-autod gives such "
		"connections its [default] rule or the host's endpoints; "
		"without it, the kernel's endpoints decide",
	[CMN_SAY_DAEMON_NONE] =
		"mptcp-autod serves this program less than its policy asks "
		"(%s): a user's policy can only narrow the daemon's rule",
};

const char *mpa_say_format(enum cmn_say r, const char *detail, char *out,
			   size_t len)
{
	const char *t = (unsigned int)r < CMN_SAY_COUNT ? texts[r] : NULL;
	const char *mark;

	if (!len)
		return out;
	if (!t) {
		out[0] = '\0';
		return out;
	}
	mark = strstr(t, "%s");
	if (!mark)
		snprintf(out, len, "%s", t);
	else
		snprintf(out, len, "%.*s%s%s", (int)(mark - t), t,
			 detail && *detail ? detail : "?", mark + 2);
	return out;
}

// SPDX-License-Identifier: MIT
/*
 * What a program started by this caller will get, as `run` says it before
 * starting it and `explain` states it: the reason the policy's subflows
 * will not come, and the sentence. Pure.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "mpa_cli.h"

/* Programs known to run their connections as another, unprivileged user. */
static const struct {
	const char *prog, *user;
} droppers[] = {
	/* apt hands its downloads to its methods, which run as _apt. */
	{ "apt", "_apt" },
	{ "apt-get", "_apt" },
	{ "aptitude", "_apt" },
};

const char *cli_prog_drops_to(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(droppers) / sizeof(droppers[0]); i++)
		if (!strcmp(droppers[i].prog, name))
			return droppers[i].user;
	return NULL;
}

static bool is_go(const struct cli_prog *p)
{
	return p && (p->go_err == 0 || p->go_err == -EOPNOTSUPP);
}

static bool go_old(const struct cli_prog *p)
{
	return p->go_err == -EOPNOTSUPP ||
	       !cmn_go_version_at_least(p->go_ver, CMN_GO_MPTCP_MAJOR,
					CMN_GO_MPTCP_MINOR);
}

enum cmn_say cli_outlook_reason(const struct cli_outlook_in *in)
{
	if (!in->converts)
		return CMN_SAY_NONE;
	/* Whatever the path: a Go runtime before 1.21 makes TCP sockets. */
	if (is_go(in->prog) && go_old(in->prog))
		return CMN_SAY_GO_OLD;
	if (!in->host.mptcp)
		return in->wants ? CMN_SAY_NO_MPTCP : CMN_SAY_NONE;
	if (!in->wants)
		return CMN_SAY_NONE;
	switch (in->path) {
	case CLI_PATH_DAEMON:
		if (is_go(in->prog))
			return CMN_SAY_GO_UNSEEN;
		return in->daemon_gives == 0 ? CMN_SAY_DAEMON_NONE :
					       CMN_SAY_NONE;
	case CLI_PATH_ENDPOINTS:
		/* Go's own MPTCP sockets get the endpoints as any other. */
		return CMN_SAY_KERNEL_PM;
	case CLI_PATH_IN_PROCESS:
		if (is_go(in->prog))
			return CMN_SAY_GO_UNSEEN;
		return in->prog && in->prog->drops_to ? CMN_SAY_DROPPED :
							CMN_SAY_NONE;
	case CLI_PATH_NONE:
		if (in->host.unreachable)
			return CMN_SAY_UNREACHABLE;
		if (is_go(in->prog))
			return CMN_SAY_GO_UNSEEN;
		return in->host.pm == MPTCPLIB_PM_USERSPACE ? CMN_SAY_NO_CAP :
							      CMN_SAY_NONE;
	}
	return CMN_SAY_NONE;
}

/* "no subflow endpoint: one path", "2 subflow endpoints", ... */
static void endpoints_text(int n, char *out, size_t len)
{
	if (n < 0)
		snprintf(out, len, "ip mptcp endpoint show lists them");
	else if (n == 0)
		snprintf(out, len, "there is no subflow endpoint: one path");
	else
		snprintf(out, len, "%d subflow endpoint%s", n,
			 n == 1 ? "" : "s");
}

#define START_DAEMON "Start mptcp-autod (systemctl enable --now mptcp-autod)"

const char *cli_outlook_line(const struct cli_outlook_in *in, enum cmn_say r,
			     char *out, size_t len)
{
	const char *name = in->prog && in->prog->name[0] ? in->prog->name :
							   "the program";
	const char *ver = in->prog ? in->prog->go_ver : "";
	char ep[64];

	switch (r) {
	case CMN_SAY_NO_MPTCP:
		snprintf(out, len,
			 "%s will run on plain TCP: this kernel has no MPTCP "
			 "(or net.mptcp.enabled is 0)",
			 name);
		break;
	case CMN_SAY_KERNEL_PM:
		endpoints_text(in->endpoints, ep, sizeof(ep));
		snprintf(out, len,
			 "%s will not get the policy's subflows: the in-kernel "
			 "path manager serves this network namespace and no "
			 "mptcp-autod runs, so the kernel's endpoints decide "
			 "(%s). " START_DAEMON
			 ", or as root set net.mptcp.path_manager=userspace",
			 name, ep);
		break;
	case CMN_SAY_NO_CAP:
		snprintf(out, len,
			 "%s will get no extra subflow (its sockets become "
			 "MPTCP, on one path): no CAP_NET_ADMIN, and no "
			 "mptcp-autod runs. " START_DAEMON
			 ", or run it as root",
			 name);
		break;
	case CMN_SAY_DROPPED:
		snprintf(out, len,
			 "%s will get no extra subflow for its downloads: they "
			 "run as user %s, without CAP_NET_ADMIN, and no "
			 "mptcp-autod runs. " START_DAEMON
			 ": it serves them whatever their user",
			 name, in->prog->drops_to);
		break;
	case CMN_SAY_UNREACHABLE:
		snprintf(out, len,
			 "%s will get no extra subflow: mptcp-autod's socket "
			 "(%s) is there but cannot be used (%s), and no other "
			 "path manager may act while a daemon may run",
			 name, in->daemon_socket ? in->daemon_socket : "?",
			 in->daemon_why ? in->daemon_why : "?");
		break;
	case CMN_SAY_GO_OLD:
		snprintf(out, len,
			 "%s is a Go program (%s): Go makes its own system "
			 "calls, out of the shim's reach, and Go before 1.21 "
			 "ignores GODEBUG=multipathtcp=1: it will run on plain "
			 "TCP. Built with Go 1.21 or newer, it would use MPTCP",
			 name, ver);
		break;
	case CMN_SAY_GO_UNSEEN:
		snprintf(
			out, len,
			"%s is a Go program (%s): with GODEBUG=multipathtcp=1 "
			"its runtime makes MPTCP sockets, which the shim never "
			"sees: %s",
			name, ver,
			in->path == CLI_PATH_DAEMON ?
				"mptcp-autod gives them what it gives "
				"connections no program registers (its "
				"[default] rule, or the host's endpoints), "
				"not the policy's rule for the program" :
				"no extra subflow from the policy "
				"(mptcp-autod or the kernel's endpoints can "
				"give them some)");
		break;
	case CMN_SAY_DAEMON_NONE:
		snprintf(
			out, len,
			"%s will get no extra subflow: mptcp-autod serves it "
			"by its own policy (%s), whose rule for it opens none, "
			"and a user's policy can only narrow that rule",
			name,
			in->daemon_policy && *in->daemon_policy ?
				in->daemon_policy :
				"the system's");
		break;
	default:
		snprintf(out, len, "%s gets what its policy asks", name);
	}
	return out;
}

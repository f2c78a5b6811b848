// SPDX-License-Identifier: MIT
/* mptcp-auto run: start a program with the shim preloaded. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mpa_cli.h"

static const char run_help[] =
	"usage: mptcp-auto run [--policy FILE] [--quiet] [--] PROGRAM [ARGS...]\n"
	"\n"
	"Run PROGRAM with libmptcp_auto.so preloaded: its TCP connections\n"
	"become MPTCP, with extra subflows as the policy says. The library is\n"
	"appended to an existing LD_PRELOAD, unless a libmptcp_auto.so is\n"
	"already there (at any path), and GODEBUG=multipathtcp=1 is added\n"
	"for Go programs, which do not go through the C library. A statically\n"
	"linked PROGRAM runs unchanged, with a warning. Like a shell, exits\n"
	"127 if PROGRAM is not found and 126 if it cannot be run.\n"
	"\n"
	"Before it starts PROGRAM, run checks what PROGRAM will get (as\n"
	"`mptcp-auto explain` does) and, when the policy wants subflows that\n"
	"it will not get, prints one line saying what happens instead and\n"
	"what to do: no CAP_NET_ADMIN and no mptcp-autod, the in-kernel path\n"
	"manager, a program that runs its downloads as another user (apt),\n"
	"a Go program older than Go 1.21, a daemon whose policy gives none.\n"
	"\n"
	"  --policy FILE   a policy file for this run, layered over the system\n"
	"                  files and the user's (MPTCP_AUTO_POLICY)\n"
	"  --quiet         say nothing of the above (nor the library, once\n"
	"                  the program runs)\n";

/* The shim beside this binary (a build tree), else the installed one. */
static void shim_path(char *out, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			snprintf(slash + 1,
				 sizeof(exe) - (size_t)(slash + 1 - exe),
				 "libmptcp_auto.so");
			if (access(exe, R_OK) == 0) {
				snprintf(out, len, "%s", exe);
				return;
			}
		}
	}
	snprintf(out, len, "%s", MPA_SHIM_INSTALLED);
}

/*
 * What @prog (found at @path, started with @args) will get, said in one
 * line when its policy's subflows will not come. Returns the reason's
 * word for MPTCP_AUTO_SAID: the shim in the program says it no more.
 */
static const char *outlook(const char *path, char **args)
{
	static struct mpa_prog_names names;
	struct mptcplib_endpoint ep[MPTCPLIB_ENDPOINTS_MAX];
	struct cli_outlook_in in = { .daemon_gives = -1, .endpoints = -1 };
	struct cli_daemon dmn;
	struct mpa_prog_id id;
	struct cli_view view;
	struct cli_prog prog;
	const char *path_why, *base = strrchr(path, '/');
	struct mpa_rule r;
	char line[1024];
	enum cmn_say why;
	int i, n;

	cli_prog_read(path, base ? base + 1 : path, &prog);
	if (prog.is_static && prog.go_err && prog.go_err != -EOPNOTSUPP) {
		cli_error(0,
			  "warning: %s is statically linked: the preload "
			  "cannot reach it; it runs without MPTCP",
			  path);
		return cmn_say_word(CMN_SAY_NONE);
	}
	cli_path_facts_read(&in.host, &dmn);
	in.path = cli_path_decide(&in.host, &path_why);
	in.prog = &prog;
	in.daemon_socket = dmn.path;
	in.daemon_why = dmn.why;
	mpa_prog_id_init(&id, &names, path, args[0], args[0] ? args[1] : NULL);
	if (cli_view_load(&view, &id, &dmn)) {
		cli_view_free(&view);
		return cmn_say_word(CMN_SAY_NONE);
	}
	in.converts = view.rule->mptcp == MPA_YES;
	in.wants = mpa_rule_wants_subflows(view.rule, NULL);
	in.daemon_policy = view.daemon_from;
	if (in.path == CLI_PATH_DAEMON && cli_daemon_rule(&view, NULL, &r))
		in.daemon_gives = mpa_rule_wants_subflows(&r, NULL);
	if (in.path == CLI_PATH_ENDPOINTS &&
	    !mptcplib_get_endpoints(ep, MPTCPLIB_ENDPOINTS_MAX, &n))
		for (i = 0, in.endpoints = 0;
		     i < n && i < MPTCPLIB_ENDPOINTS_MAX; i++)
			in.endpoints +=
				!!(ep[i].flags & MPTCPLIB_ENDPOINT_SUBFLOW);
	why = cli_outlook_reason(&in);
	if (why != CMN_SAY_NONE)
		cli_error(0, "warning: %s",
			  cli_outlook_line(&in, why, line, sizeof(line)));
	cli_view_free(&view);
	return cmn_say_word(why);
}

int cmd_run(int argc, char **argv)
{
	char shim[PATH_MAX], preload[8192], godebug[4096], prog[PATH_MAX];
	const char *other, *said;
	size_t other_len;
	bool quiet = false;
	int i = 1, err;

	for (; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			fputs(run_help, stdout);
			return 0;
		} else if (!strcmp(argv[i], "--policy") && i + 1 < argc) {
			err = cli_policy_env(argv[++i]);
			if (err)
				return cli_error(2, "policy %s: %s", argv[i],
						 strerror(-err));
		} else if (!strcmp(argv[i], "--quiet")) {
			quiet = true;
		} else if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else if (argv[i][0] == '-') {
			return cli_error(2,
					 "run: unknown option %s (see "
					 "mptcp-auto run --help)",
					 argv[i]);
		} else {
			break;
		}
	}
	if (i >= argc)
		return cli_error(2, "run: no program given (see mptcp-auto run "
				    "--help)");
	/* Exit codes and messages as a shell's: 127 not found, 126 else. */
	err = program_find(argv[i], getenv("PATH"), prog, sizeof(prog));
	if (err == -ENOENT && !strchr(argv[i], '/'))
		return cli_error(127, "run: %s: command not found", argv[i]);
	if (err == -ENOENT)
		return cli_error(127, "run: %s: no such file or directory",
				 argv[i]);
	if (err == -EACCES)
		return cli_error(126, "run: %s: permission denied", prog);
	if (err == -EISDIR)
		return cli_error(126, "run: %s: is a directory", prog);
	if (err)
		return cli_error(126, "run: %s: %s", argv[i], strerror(-err));
	/* Said once here, the shim in the program says it no more. */
	said = quiet ? "quiet" : outlook(prog, argv + i);
	if (setenv(CMN_ENV_SAID, said, 1))
		return cli_error(2, "run: %s", strerror(errno));
	shim_path(shim, sizeof(shim));
	other = ld_preload_find(getenv("LD_PRELOAD"), shim, &other_len);
	if (!quiet && other &&
	    (other_len != strlen(shim) || strncmp(other, shim, other_len)))
		cli_error(0,
			  "note: LD_PRELOAD already has %.*s; %s is not "
			  "added",
			  (int)other_len, other, shim);
	if (ld_preload_add(getenv("LD_PRELOAD"), shim, preload,
			   sizeof(preload)) ||
	    godebug_add(getenv("GODEBUG"), godebug, sizeof(godebug)))
		return cli_error(2, "run: LD_PRELOAD or GODEBUG too long");
	setenv("LD_PRELOAD", preload, 1);
	setenv("GODEBUG", godebug, 1);
	execv(prog, argv + i);
	/* The file is there, so ENOENT means its interpreter is not. */
	if (errno == ENOENT)
		return cli_error(127,
				 "run: %s: cannot execute: its interpreter "
				 "was not found",
				 prog);
	return cli_error(126, "run: %s: %s", prog, strerror(errno));
}

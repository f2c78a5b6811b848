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
	"usage: mptcp-auto run [--policy FILE] [--] PROGRAM [ARGS...]\n"
	"\n"
	"Run PROGRAM with libmptcp_auto.so preloaded: its TCP connections\n"
	"become MPTCP, with extra subflows as the policy says. The library is\n"
	"appended to an existing LD_PRELOAD (never twice), and\n"
	"GODEBUG=multipathtcp=1 is added for Go programs, which do not go\n"
	"through the C library. A statically linked PROGRAM runs unchanged,\n"
	"with a warning.\n"
	"\n"
	"  --policy FILE   use this policy file for this run (MPTCP_AUTO_POLICY)\n";

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

/* @prog as execvp() would find it, for the static-binary check. */
static int find_program(const char *prog, char *out, size_t len)
{
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL;

	if (strchr(prog, '/')) {
		snprintf(out, len, "%s", prog);
		return access(out, X_OK);
	}
	copy = strdup(path ? path : "/usr/local/bin:/usr/bin:/bin");
	for (dir = strtok_r(copy, ":", &save); dir;
	     dir = strtok_r(NULL, ":", &save)) {
		snprintf(out, len, "%s/%s", *dir ? dir : ".", prog);
		if (access(out, X_OK) == 0) {
			free(copy);
			return 0;
		}
	}
	free(copy);
	return -1;
}

int cmd_run(int argc, char **argv)
{
	char shim[PATH_MAX], preload[8192], godebug[4096], prog[PATH_MAX];
	char policy[PATH_MAX];
	int i = 1;

	for (; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			fputs(run_help, stdout);
			return 0;
		} else if (!strcmp(argv[i], "--policy") && i + 1 < argc) {
			if (!realpath(argv[++i], policy))
				return cli_error(2, "policy %s: %s", argv[i],
						 strerror(errno));
			setenv("MPTCP_AUTO_POLICY", policy, 1);
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
	if (find_program(argv[i], prog, sizeof(prog)))
		return cli_error(127, "run: %s: command not found", argv[i]);
	if (elf_is_static(prog) == 1)
		cli_error(0,
			  "warning: %s is statically linked: the preload "
			  "cannot reach it; it runs without MPTCP",
			  prog);
	shim_path(shim, sizeof(shim));
	if (ld_preload_add(getenv("LD_PRELOAD"), shim, preload,
			   sizeof(preload)) ||
	    godebug_add(getenv("GODEBUG"), godebug, sizeof(godebug)))
		return cli_error(2, "run: LD_PRELOAD or GODEBUG too long");
	setenv("LD_PRELOAD", preload, 1);
	setenv("GODEBUG", godebug, 1);
	execv(prog, argv + i);
	return cli_error(126, "run: %s: %s", prog, strerror(errno));
}

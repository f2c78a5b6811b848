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
	"appended to an existing LD_PRELOAD, unless a libmptcp_auto.so is\n"
	"already there (at any path), and GODEBUG=multipathtcp=1 is added\n"
	"for Go programs, which do not go through the C library. A statically\n"
	"linked PROGRAM runs unchanged, with a warning. Like a shell, exits\n"
	"127 if PROGRAM is not found and 126 if it cannot be run.\n"
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

int cmd_run(int argc, char **argv)
{
	char shim[PATH_MAX], preload[8192], godebug[4096], prog[PATH_MAX];
	char policy[PATH_MAX];
	const char *other;
	size_t other_len;
	int i = 1, err;

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
	if (elf_is_static(prog) == 1)
		cli_error(0,
			  "warning: %s is statically linked: the preload "
			  "cannot reach it; it runs without MPTCP",
			  prog);
	shim_path(shim, sizeof(shim));
	other = ld_preload_find(getenv("LD_PRELOAD"), shim, &other_len);
	if (other &&
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

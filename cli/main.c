// SPDX-License-Identifier: MIT
/* mptcp-auto: the front door of the project. */
#include <stdio.h>
#include <string.h>

#include "mpa_cli.h"

static const char usage[] =
	"usage: mptcp-auto COMMAND [ARGS...]\n"
	"\n"
	"Multipath TCP for unmodified programs, under a policy.\n"
	"\n"
	"  run PROGRAM [ARGS]   run a program with the shim preloaded\n"
	"  enable UNIT          preload the shim into a systemd service\n"
	"  disable UNIT         undo enable\n"
	"  check [FILE...]      validate policy files\n"
	"  explain DEST[:PORT]  which rule and interfaces a connection gets\n"
	"  status               MPTCP connections and their subflows\n"
	"  monitor              path-manager events and path changes, live\n"
	"\n"
	"`mptcp-auto COMMAND --help` describes each command. Policy format:\n"
	"mptcp-auto-policy(5).\n";

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{ "run", cmd_run },	    { "enable", cmd_enable },
	{ "disable", cmd_disable }, { "check", cmd_check },
	{ "explain", cmd_explain }, { "status", cmd_status },
	{ "monitor", cmd_monitor },
};

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2 || cli_is_help(argv[1])) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fputs(usage, stderr);
	return cli_error(2, "unknown command '%s'", argv[1]);
}

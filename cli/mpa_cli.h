/* SPDX-License-Identifier: MIT */
/* The mptcp-auto command: shared declarations of its subcommands. */
#ifndef MPA_CLI_H
#define MPA_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Where `make install` puts the shim; $LIB is expanded by ld.so. */
#ifndef MPA_SHIM_INSTALLED
#define MPA_SHIM_INSTALLED "/usr/local/$LIB/libmptcp_auto.so"
#endif

int cmd_run(int argc, char **argv);
int cmd_enable(int argc, char **argv);
int cmd_disable(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_monitor(int argc, char **argv);

/* "mptcp-auto: " + message on stderr; returns @code. */
int cli_error(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Is @arg one of "-h", "--help"? */
bool cli_is_help(const char *arg);

/* A JSON string literal of @s on @f. */
void json_str(FILE *f, const char *s);

/*
 * Pure helpers of `run`, unit-tested.
 * ld_preload_add() - @current (may be NULL) with @shim appended after ':',
 * unless an entry equal to @shim is already there. 0, or -ENOSPC. @out
 * must not overlap @current (nor @current of godebug_add()).
 */
int ld_preload_add(const char *current, const char *shim, char *out,
		   size_t len);

/* godebug_add() - @current with multipathtcp=1 added after ',', unless
 * the user already set multipathtcp. 0, or -ENOSPC. */
int godebug_add(const char *current, char *out, size_t len);

/*
 * elf_is_static() - 1 if @path is an ELF executable without an interpreter
 * (statically linked: LD_PRELOAD cannot reach it), 0 if dynamic or not
 * ELF (a script), -errno if unreadable.
 */
int elf_is_static(const char *path);

/*
 * dropin_render() - the systemd drop-in that enables the shim for a unit.
 * @policy may be NULL. Returns the length written, or -ENOSPC.
 */
int dropin_render(const char *unit, const char *shim, const char *policy,
		  char *out, size_t len);

#endif /* MPA_CLI_H */

/* SPDX-License-Identifier: MIT */
/* The mptcp-auto command: shared declarations of its subcommands. */
#ifndef MPA_CLI_H
#define MPA_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cmn_goinfo.h"
#include "cmn_say.h"
#include "eng_wire.h"
#include "mpa_policy.h"
#include "mptcplib.h"

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
 * ld_preload_find() - the first entry of the LD_PRELOAD list @list (':' or
 * ' ' separated, may be NULL) whose file name is that of @shim, at another
 * path or the same; its length in *@n. NULL if there is none.
 */
const char *ld_preload_find(const char *list, const char *shim, size_t *n);

/*
 * ld_preload_add() - @current (may be NULL) with @shim appended after ':',
 * unless an entry with @shim's file name is already there (at any path:
 * two copies of the shim must not load). 0, or -ENOSPC. @out must not
 * overlap @current (nor @current of godebug_add()).
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
 * program_find() - @prog as a shell would find it to run it, in @out.
 * With a '/', @prog itself; else the first executable file (not a
 * directory) @prog in the directories of @path (the PATH value, NULL for
 * a default; an empty entry is the current directory). 0; -ENOENT if there
 * is no such file (shells exit 127); -EACCES if it is not executable, or
 * the PATH search found only non-executable ones: @out is then the first
 * of those, as bash reports it (126); -EISDIR for a directory named with
 * a '/' (126); another -errno from stat() (126).
 */
int program_find(const char *prog, const char *path, char *out, size_t len);

/* Unit names longer than this are refused by systemd. */
#define MPA_UNIT_NAME_MAX 255

/*
 * unit_name_parse() - @arg as a service unit name in @out (at least
 * MPA_UNIT_NAME_MAX + 1 bytes): "nginx" becomes "nginx.service", as
 * systemctl does, then the name must pass systemd's rules: not empty, at
 * most MPA_UNIT_NAME_MAX characters with the suffix, only letters, digits
 * and ":-_.\", '@' only after a non-empty prefix (templates, instances),
 * and ending in ".service". 0, or -EINVAL with a sentence saying what is
 * wrong in @why (@arg itself is quoted only when it is printable).
 */
int unit_name_parse(const char *arg, char *out, size_t len, char *why,
		    size_t why_len);

/*
 * socket_unit_name() - the socket unit that may activate service @unit (a
 * name unit_name_parse() accepted): "foo.socket" for "foo.service", and
 * for a template or an instance ("foo@.service", "foo@1.service", started
 * per connection by a socket with Accept=yes) "foo.socket". 0, or
 * -ENOSPC.
 */
int socket_unit_name(const char *unit, char *out, size_t len);

/*
 * env_value_check() - can @value be written into a unit file's
 * Environment= setting and reach the program as it is? 0; -EINVAL if it
 * holds a control character (a newline would end the setting), its
 * offset in *@bad; -EILSEQ if it is not valid UTF-8 (systemd drops the
 * whole assignment), the offset of the first bad byte in *@bad.
 */
int env_value_check(const char *value, size_t *bad);

/*
 * env_quote() - the Environment= item "NAME=VALUE" in double quotes, by
 * systemd.syntax(7): '\' and '"' escaped with a backslash, and '%'
 * written "%%" because systemd expands specifiers in Environment=.
 * Returns the length written, -EINVAL if env_value_check() refuses
 * @value, or -ENOSPC.
 */
int env_quote(const char *name, const char *value, char *out, size_t len);

/*
 * dropin_render() - the systemd drop-in that enables the shim for @unit
 * (a name unit_name_parse() accepted). @policy may be NULL. Every value
 * goes through env_quote(). Returns the length written, -EINVAL if a
 * value cannot be written (see env_value_check()), or -ENOSPC.
 */
int dropin_render(const char *unit, const char *shim, const char *policy,
		  char *out, size_t len);

/* ---- mptcp-autod, as status and explain see it ---------------------- */

/* What the daemon said, or why it said nothing. */
struct cli_daemon {
	bool running; /* its socket answered STATUS */
	bool connected; /* its socket took the connection */
	int connect_err; /* why not (errno), 0 if it did */
	char path[128]; /* the socket asked */
	char why[ENG_WIRE_REASON_MAX + 64]; /* not running: why */
	int pid; /* its pid (SO_PEERCRED), 0 unknown */
	struct eng_wire_msg state; /* its STATE */
};

/* cli_daemon_socket() - $MPTCP_AUTO_PM_SOCKET, else the default. */
const char *cli_daemon_socket(void);

/* cli_daemon_probe() - ask the daemon for its STATE (I/O, 1 s at most). */
void cli_daemon_probe(struct cli_daemon *d);

/* cli_daemon_total() - registrations it served, listed and other. */
uint64_t cli_daemon_total(const struct cli_daemon *d);

/* cli_daemon_line() - pure: the "daemon: ..." line of status, cut to
 * @len. */
void cli_daemon_line(const struct cli_daemon *d, char *out, size_t len);

/* The way a program's connections get their subflows. */
enum cli_path {
	CLI_PATH_DAEMON, /* registered with mptcp-autod */
	CLI_PATH_IN_PROCESS, /* the shim's own engine */
	CLI_PATH_ENDPOINTS, /* the in-kernel path manager */
	CLI_PATH_NONE, /* none: MPTCP sockets at most */
};

struct cli_path_facts {
	bool daemon; /* its socket takes a connection */
	bool mptcp; /* the kernel has MPTCP */
	enum mptcplib_pm pm; /* the namespace's path manager */
	bool privileged; /* root or CAP_NET_ADMIN */
	bool unreachable; /* its socket is there, but refuses us */
};

/*
 * cli_path_decide() - pure: the path, as the shim chooses it at start;
 * for CLI_PATH_NONE a sentence saying why in *@why (static text).
 */
enum cli_path cli_path_decide(const struct cli_path_facts *f, const char **why);

/* cli_path_name() - "daemon", "in-process", "kernel endpoints", "nothing". */
const char *cli_path_name(enum cli_path p);

/* cli_path_text() - a sentence on what the path does; @why for NONE. */
const char *cli_path_text(enum cli_path p, const char *why);

/* cli_path_facts_read() - the facts of this process and namespace, the
 * daemon probed into @d (I/O). */
void cli_path_facts_read(struct cli_path_facts *f, struct cli_daemon *d);

/* cli_has_cap_net_admin() - this process's effective set has it. */
bool cli_has_cap_net_admin(void);

/* ---- what a program run by this caller gets (run, explain) ----------- */

/* The program, as run would start it. */
struct cli_prog {
	char name[64]; /* its file's name, for sentences and rules */
	bool is_static; /* statically linked: the preload cannot reach it */
	/* cmn_go_version_read(): 0 a Go program, -EOPNOTSUPP an old Go one */
	int go_err;
	char go_ver[CMN_GO_VERSION_MAX];
	/* A program that hands its connections to another user ("_apt"). */
	const char *drops_to;
};

/*
 * cli_prog_drops_to() - pure: the user that program @name (a file name)
 * runs its connections as, for the programs known to drop their
 * privileges for that (apt's download helpers run as _apt); NULL.
 */
const char *cli_prog_drops_to(const char *name);

/*
 * cli_prog_read() - @p for the executable @path (NULL: only @name is
 * known), named @name: statically linked, Go and its release, known to
 * drop its privileges (when that user exists). I/O.
 */
void cli_prog_read(const char *path, const char *name, struct cli_prog *p);

/* What decides the outlook; the facts gathered by the caller. */
struct cli_outlook_in {
	struct cli_path_facts host;
	enum cli_path path; /* cli_path_decide() of host */
	const struct cli_prog *prog;
	bool converts; /* the shim's rule for it: mptcp = yes */
	bool wants; /* ... and extra subflows */
	/* Under the daemon: its rule, narrowed by the user's, opens some
	 * (1), none (0), or it cannot be read (-1). */
	int daemon_gives;
	int endpoints; /* the in-kernel path manager's subflow endpoints, -1 */
	const char *daemon_policy; /* where the daemon's rules come from */
	const char *daemon_socket, *daemon_why; /* an unusable socket: why */
};

/*
 * cli_outlook_reason() - pure: why the program will not get its policy's
 * subflows (common/cmn_say.h), or CMN_SAY_NONE: they come, or none are
 * asked. The same reasons the shim says in the program itself.
 */
enum cmn_say cli_outlook_reason(const struct cli_outlook_in *in);

/*
 * cli_outlook_line() - pure: the sentence `run` prints for reason @r
 * (not CMN_SAY_NONE), naming the program: what will happen instead and
 * what to do. Returns @out.
 */
const char *cli_outlook_line(const struct cli_outlook_in *in, enum cmn_say r,
			     char *out, size_t len);

/* The policy as the shim and the daemon read it for one program. */
struct cli_view {
	struct mpa_policy *shim; /* the shim's layers: system, user, env */
	const struct mpa_rule *rule; /* the program's rule there */
	struct mpa_policy *user; /* the user's own layers (the narrowing) */
	const struct mpa_rule *user_rule;
	struct mpa_policy *daemon; /* the daemon's policy, NULL: unread */
	const struct mpa_rule *daemon_rule;
	char daemon_from[ENG_WIRE_PATH_MAX]; /* its file or folder */
};

/*
 * cli_view_load() - the policies for program @id, read as the shim in a
 * program started now would (the environment's MPTCP_AUTO_POLICY, which
 * --policy sets, layered over the system files and the user's), and,
 * when @d runs, as the daemon does (the policy its STATE names, else the
 * system folder). 0, or -ENOMEM.
 */
int cli_view_load(struct cli_view *v, const struct mpa_prog_id *id,
		  const struct cli_daemon *d);

void cli_view_free(struct cli_view *v);

/*
 * cli_daemon_rule() - pure: under the daemon, the rule a connection to
 * @dst gets: the daemon's rule narrowed by the user's (as the shim
 * registers it and the daemon applies it), into @out. With @dst NULL, any
 * destination the user's filters let through. False when the daemon's
 * policy could not be read.
 */
bool cli_daemon_rule(const struct cli_view *v, const struct sockaddr *dst,
		     struct mpa_rule *out);

/*
 * cli_policy_env() - --policy @file made absolute into
 * MPTCP_AUTO_POLICY, for this process and what it runs: every command
 * reads it the same way. 0, or -errno.
 */
int cli_policy_env(const char *file);

#endif /* MPA_CLI_H */

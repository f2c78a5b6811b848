/* SPDX-License-Identifier: MIT */
/*
 * Policy: which programs get MPTCP sockets and, per destination, which
 * extra interfaces their connections open subflows from. The format is
 * documented in docs/policy.md; conf/policy.ini shows every key.
 *
 * Loading reads INI files (inih) into an immutable object plus a list of
 * diagnostics. A file with errors is not applied at all. Matching is pure,
 * allocation-free and thread-safe; resolving a decision against the
 * machine's interfaces is separate (mpa_resolve.h).
 */
#ifndef MPA_POLICY_H
#define MPA_POLICY_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* Limits of one section; exceeding one is a diagnosed error. */
#define MPA_MAX_IFACES 16
#define MPA_MAX_PREFIXES 32
#define MPA_MAX_PORT_RANGES 32
#define MPA_MAX_SUBFLOWS 8
/* Longest subflow-delay: past a minute a connection has long been busy. */
#define MPA_MAX_DELAY_MS 60000
/*
 * [program] sections across all files: each rule is a few KiB, and every
 * shimmed program loads the policy at start, so a bound keeps start-up
 * within milliseconds whatever the files hold.
 */
#define MPA_MAX_PROGRAMS 4096
#define MPA_NAME_MAX 49 /* longest section or key name inih keeps */

enum mpa_tristate { MPA_UNSET = -1, MPA_NO = 0, MPA_YES = 1 };

struct mpa_iface_pat {
	char pat[IFNAMSIZ]; /* name with * and ? wildcards */
};

struct mpa_prefix {
	int family; /* AF_INET or AF_INET6 */
	uint8_t addr[16]; /* network order; IPv4 in the first 4 bytes */
	uint8_t len; /* prefix length */
};

struct mpa_port_range {
	uint16_t lo, hi;
};

/*
 * List values: set (possibly empty) or inherited. Each starts with the
 * same two members, set first, so that the loader handles them alike.
 */
struct mpa_iface_list {
	bool set;
	int n;
	struct mpa_iface_pat v[MPA_MAX_IFACES];
};

struct mpa_prefix_list {
	bool set;
	int n;
	struct mpa_prefix v[MPA_MAX_PREFIXES];
};

struct mpa_port_list {
	bool set;
	int n;
	struct mpa_port_range v[MPA_MAX_PORT_RANGES];
};

/* One section: [default] or [program PATTERN]. */
struct mpa_rule {
	char program[MPA_NAME_MAX + 1]; /* "" for [default] */
	int mptcp; /* enum mpa_tristate */
	int subflows; /* cap on extra subflows, -1 unset */
	int skip_local; /* loopback and link-local destinations */
	int reopen; /* re-open subflows that die */
	int subflow_delay; /* ms a connection lives before extra subflows */
	struct mpa_iface_list ifaces;
	struct mpa_iface_list backup_ifaces;
	struct mpa_iface_list exclude_ifaces;
	struct mpa_prefix_list dests;
	struct mpa_prefix_list exclude_dests;
	struct mpa_port_list ports;
	struct mpa_port_list exclude_ports;
	char origin[160]; /* "file:line" of the section header that set it */
};

enum mpa_severity { MPA_WARNING, MPA_ERROR };

/*
 * Diagnostics kept per policy; past it they are only counted, and one
 * last diagnostic says how many more there were (so ndiags is at most
 * MPA_DIAG_MAX + 1, and the shim logs at most that many lines).
 */
#define MPA_DIAG_MAX 100

struct mpa_diag {
	enum mpa_severity severity;
	char file[256];
	int line; /* 0: about the whole file */
	char msg[200];
};

struct mpa_policy {
	struct mpa_rule def; /* [default], fully resolved */
	struct mpa_rule *programs; /* [program ...], defaults merged in */
	int nprograms;
	struct mpa_diag *diags;
	int ndiags;
	int nhidden; /* problems past MPA_DIAG_MAX: counted, not kept */
	int nerrors; /* every error, kept or not */
	int nfiles; /* files applied */
};

/* Where the policy comes from, highest precedence last. */
struct mpa_sources {
	char system_file[256]; /* mpa_system_dir/policy.ini */
	char dropin_dir[256]; /* mpa_system_dir/policy.d: *.ini, sorted */
	char user_file[256]; /* XDG config; "" when unknown or secure */
	char env_file[256]; /* the launch's file; "" when unset or secure */
};

/*
 * The system policy's folder: SYSCONFDIR/mptcp-auto of the build, compiled
 * in (the Makefile: /etc/mptcp-auto for PREFIX=/usr, else
 * PREFIX/etc/mptcp-auto).
 */
extern const char mpa_system_dir[];

/*
 * mpa_sources_init() - the policy files of this process. @env_policy,
 * @xdg_config_home and @home are the environment's values (NULL if unset);
 * @secure is getauxval(AT_SECURE): a setuid/setcap process ignores every
 * environment-derived path. @sysdir is mpa_system_dir outside tests.
 */
void mpa_sources_init(struct mpa_sources *src, const char *sysdir,
		      const char *env_policy, const char *xdg_config_home,
		      const char *home, bool secure);

/*
 * mpa_policy_load() - read every source that exists, in precedence order
 * (system, drop-ins, user, environment); a later file overrides earlier
 * ones key by key within the same section. A file with an error is
 * skipped whole and reported. Returns NULL only when out of memory.
 */
struct mpa_policy *mpa_policy_load(const struct mpa_sources *src);

/*
 * mpa_policy_load_user() - the user's own layers alone: @src's user and
 * environment files (never the system's), for what a user's policy
 * narrows under mptcp-autod. Unlike mpa_policy_load(), a key no user
 * file sets stays unset (MPA_UNSET, a list with set false) instead of
 * taking its built-in default, so that it narrows nothing; [program]
 * sections still inherit from the user's [default]. Returns NULL only
 * when out of memory.
 */
struct mpa_policy *mpa_policy_load_user(const struct mpa_sources *src);

/*
 * mpa_policy_load_buffers() - the same from memory: @n (name, text) pairs
 * in precedence order. For tests, the fuzzer and `mptcp-auto check`.
 */
struct mpa_policy *mpa_policy_load_buffers(const char *const *names,
					   const char *const *texts,
					   const size_t *lens, int n);

/*
 * mpa_policy_load_files() - the same from @n named files, each required
 * (a missing one is an error). For `mptcp-auto check FILE...`.
 */
struct mpa_policy *mpa_policy_load_files(const char *const *paths, int n);

void mpa_policy_free(struct mpa_policy *p);

/* mpa_diag_format() - "file:line: error: message" into @buf. */
const char *mpa_diag_format(const struct mpa_diag *d, char *buf, size_t len);

/* How the running program is known; unused names are NULL. */
struct mpa_prog_id {
	const char *exe; /* basename of /proc/self/exe */
	const char *argv0; /* basename of argv[0] */
	const char *script; /* basename of the script an interpreter runs */
};

/* Storage for a program's names; mpa_prog_id points into it. */
struct mpa_prog_names {
	char exe[64], argv0[64], script[64];
};

/*
 * mpa_prog_id_init() - this program's identity from the path of its
 * executable (readlink of /proc/self/exe), argv[0] and argv[1] (each may
 * be NULL). The script name is argv[1]'s basename when the executable is
 * an interpreter (sh, bash, dash, zsh, python*, perl*, ruby*, node) and
 * argv[1] is not an option.
 */
void mpa_prog_id_init(struct mpa_prog_id *id, struct mpa_prog_names *names,
		      const char *exe_path, const char *argv0,
		      const char *argv1);

/*
 * mpa_policy_program() - the rule for this program: the first
 * [program PATTERN] section (in file order) whose pattern matches exe,
 * argv0 or script, else [default]. Never NULL.
 */
const struct mpa_rule *mpa_policy_program(const struct mpa_policy *p,
					  const struct mpa_prog_id *id);

/* What to do for one connection. */
struct mpa_decision {
	const struct mpa_rule *rule; /* interfaces to use are in here */
	bool mptcp; /* the program's sockets become MPTCP */
	bool open_subflows; /* extra subflows for this destination */
	int max_subflows;
	const char *why; /* when !open_subflows: a short, static reason */
};

/*
 * mpa_rule_decide() - apply @rule's destination filters to @dst (an
 * AF_INET or AF_INET6 sockaddr with port; v4-mapped counts as IPv4).
 * Pure and allocation-free; cost linear in the rule's list sizes.
 */
void mpa_rule_decide(const struct mpa_rule *rule, const struct sockaddr *dst,
		     struct mpa_decision *out);

/*
 * mpa_rule_wants_subflows() - @rule opens extra subflows for some
 * destination: MPTCP on, interfaces (or backup interfaces) named, a cap
 * above 0. When not, the first reason of mpa_rule_decide() in *@why (may
 * be NULL). Pure.
 */
bool mpa_rule_wants_subflows(const struct mpa_rule *rule, const char **why);

/*
 * mpa_rule_opens_for_all() - @rule opens extra subflows to every IPv4 and
 * IPv6 destination: it wants subflows and has no destination filter that
 * could refuse one (skip-local not yes, no destination or port list). Its
 * mpa_rule_decide() is then the same for every such destination, and a
 * caller may decide once. Pure.
 */
bool mpa_rule_opens_for_all(const struct mpa_rule *rule);

/*
 * mpa_rule_dest_allowed() - @rule's destination filters alone (skip-local
 * when it is yes, exclude-destinations, destinations, exclude-ports,
 * ports; unset lists filter nothing) let @dst have extra subflows. When
 * not, a short static reason in *@why (may be NULL). A @dst that is not
 * IPv4 or IPv6 is not allowed. Pure and allocation-free.
 */
bool mpa_rule_dest_allowed(const struct mpa_rule *rule,
			   const struct sockaddr *dst, const char **why);

/*
 * mpa_policy_match() - mpa_policy_program() then mpa_rule_decide(): the
 * whole decision for program @id connecting to @dst.
 */
void mpa_policy_match(const struct mpa_policy *p, const struct mpa_prog_id *id,
		      const struct sockaddr *dst, struct mpa_decision *out);

/* mpa_glob_match() - @name against @pat with * and ? wildcards. */
bool mpa_glob_match(const char *pat, const char *name);

#endif /* MPA_POLICY_H */

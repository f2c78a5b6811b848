// SPDX-License-Identifier: MIT
/*
 * Start-up (the constructor) and the connection tracking behind the
 * connect() hook. The constructor reads the environment once, loads the
 * policy and works out what this host allows; it starts no thread. The
 * helper thread starts with the first connection that wants subflows,
 * and finds out then whether mptcp-autod answers.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cmn_compat.h"
#include "cmn_goinfo.h"
#include "eng_narrow.h"
#include "mpa_config.h"
#include "mpa_helper.h"
#include "mpa_log.h"
#include "mpa_say.h"
#include "mpa_shim.h"
#include "mptcplib.h"

/*
 * Connections queued for the helper thread: the engine's bursts need
 * room; a registration is taken at once. The queue's memory becomes the
 * program's only as connections use it (engine/eng_queue.c).
 */
#define ENGINE_QUEUE 4096
#define DAEMON_QUEUE 512
#define SOCK_TYPE_MASK 0xf /* SOCK_NONBLOCK and SOCK_CLOEXEC are flags */

struct mpa_shim mpa_shim = { .engine_state = ENGINE_IDLE,
			     .say_at_connect = CMN_SAY_NONE };

/*
 * Exported (the one symbol besides the hooks) so that a second copy of
 * the shim in the same process, loaded from another path, finds the first
 * one and stays out of the way: two copies would each open every subflow.
 */
static const int shim_marker = 1;
extern const int mptcp_auto_shim
	__attribute__((visibility("default"), alias("shim_marker")));

/* The seccomp probes the helper thread needs to survive its first call. */
#define PROBES_SUBFLOWS                                                    \
	(1u << MPA_PROBE_NETLINK_GENERIC | 1u << MPA_PROBE_NETLINK_ROUTE | \
	 1u << MPA_PROBE_CLOSE_RANGE)
/* And to register with mptcp-autod. */
#define PROBES_DAEMON                                          \
	(1u << MPA_PROBE_CLOSE_RANGE | 1u << MPA_PROBE_PIDFD | \
	 1u << MPA_PROBE_UNIX)

bool mpa_socket_eligible(int domain, int type, int protocol)
{
	return (domain == AF_INET || domain == AF_INET6) &&
	       (type & SOCK_TYPE_MASK) == SOCK_STREAM &&
	       (protocol == 0 || protocol == IPPROTO_TCP);
}

static void engine_log(enum cmn_log_level level, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	if (!mpa_log_enabled(level))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	mpa_log(level, "%s", msg);
}

/*
 * Under mptcp-autod, a connection the user's own policy wants no subflow
 * for is registered all the same, saying so: left unregistered, it would
 * get what the daemon gives connections that no shim registers.
 */
static bool user_says_none(const struct sockaddr *addr)
{
	return mpa_shim.user_rule &&
	       atomic_load_explicit(&mpa_shim.mode, memory_order_relaxed) !=
		       MPA_MODE_ENGINE &&
	       eng_narrow_none(mpa_shim.user_rule, addr);
}

void mpa_track(int fd, const struct sockaddr *addr, socklen_t len)
{
	struct mpa_conn_req req;
	struct mpa_decision d;
	socklen_t slen = sizeof(req.local);
	int state, mode, err;

	if (!addr ||
	    (addr->sa_family != AF_INET && addr->sa_family != AF_INET6) ||
	    len < (addr->sa_family == AF_INET ? sizeof(struct sockaddr_in) :
						sizeof(struct sockaddr_in6)))
		return;
	/* The helper found nothing to do in this process: nothing more. */
	state = atomic_load_explicit(&mpa_shim.engine_state,
				     memory_order_relaxed);
	if (state == ENGINE_FAILED)
		return;
	/*
	 * The pure decision first: most connections need no system call.
	 * A rule without destination filters was decided at start-up.
	 */
	if (!mpa_shim.rule_for_all) {
		mpa_rule_decide(mpa_shim.rule, addr, &d);
		if (!d.open_subflows && !user_says_none(addr)) {
			mpa_log(CMN_LOG_DEBUG, "fd %d: no extra subflow: %s",
				fd, d.why);
			return;
		}
	}
	/*
	 * A vfork()ed child shares our memory: start nothing there, and
	 * queue nothing either. Its wake-up of the helper would come from
	 * another pid, which the helper takes for the program's own SIGURG:
	 * it would hand it to the process and stop using wake-ups.
	 */
	if (getpid() != mpa_shim.pid)
		return;
	mode = atomic_load_explicit(&mpa_shim.mode, memory_order_relaxed);
	/*
	 * State comes from the kernel, never from our own bookkeeping: only
	 * an MPTCP socket that has not fallen back has a token.
	 */
	req.token = 0;
	err = mptcplib_get_token(fd, &req.token);
	if (err || !req.token) {
		mpa_log(CMN_LOG_DEBUG,
			"fd %d: not MPTCP (plain TCP or fell "
			"back)",
			fd);
		return;
	}
	/* Only now the request itself: most connect()s never build one. */
	req.rule = mpa_shim.rule;
	req.fd = fd;
	memset(&req.remote, 0, sizeof(req.remote));
	memcpy(&req.remote, addr,
	       len < sizeof(req.remote) ? len : sizeof(req.remote));
	memset(&req.local, 0, sizeof(req.local));
	/*
	 * Before this process's helper has started, the mode may be a
	 * parent's from before fork(): the child's helper probes again and
	 * may become the engine, which needs the source.
	 */
	if ((state == ENGINE_IDLE ||
	     mpa_mode_needs_local((enum mpa_mode)mode)) &&
	    getsockname(fd, (struct sockaddr *)&req.local, &slen) < 0)
		memset(&req.local, 0, sizeof(req.local));
	if (state == ENGINE_IDLE)
		mpa_helper_start();
	err = eng_engine_submit(mpa_shim.engine, &req);
	if (err)
		mpa_log(CMN_LOG_DEBUG, "token %08x: not tracked (%s)",
			req.token,
			err == -ENOSPC ? "queue full" : "engine stopped");
}

/* In the child of fork(): no engine thread there yet. */
static void at_fork_child(void)
{
	mpa_shim.pid = getpid();
	mpa_helper_after_fork();
}

bool mpa_has_cap_net_admin(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3,
						0 };
	struct __user_cap_data_struct data[2] = { 0 };

	if (syscall(SYS_capget, &hdr, data) < 0)
		return false;
	return data[CAP_NET_ADMIN / 32].effective &
	       (1u << (CAP_NET_ADMIN % 32));
}

void mpa_say(enum cmn_say r, const char *detail)
{
	char text[600];
	bool no = false;
	int saved = errno;

	if (r == CMN_SAY_NONE)
		return;
	mpa_say_format(r, detail, text, sizeof(text));
	/*
	 * One unasked line per process: the first reason wins. Said
	 * already (by mptcp-auto run, or another reason), it is still
	 * logged when logging is on.
	 */
	if (cmn_say_allowed(mpa_shim.said_env[0] ? mpa_shim.said_env : NULL,
			    r) &&
	    mpa_log_can_say() &&
	    atomic_compare_exchange_strong(&mpa_shim.said, &no, true))
		mpa_log_say("%s", text);
	else
		mpa_log(CMN_LOG_INFO, "%s", text);
	errno = saved;
}

void mpa_say_connect(const struct sockaddr *addr, socklen_t len)
{
	struct mpa_decision d;
	int r;

	if (!addr ||
	    (addr->sa_family != AF_INET && addr->sa_family != AF_INET6) ||
	    len < (addr->sa_family == AF_INET ? sizeof(struct sockaddr_in) :
						sizeof(struct sockaddr_in6)))
		return;
	/* Only a connection the policy wants subflows for is told about. */
	mpa_rule_decide(mpa_shim.rule, addr, &d);
	if (!d.open_subflows)
		return;
	r = atomic_exchange(&mpa_shim.say_at_connect, CMN_SAY_NONE);
	if (r != CMN_SAY_NONE)
		mpa_say((enum cmn_say)r, mpa_shim.say_detail);
}

/* This program's names: /proc/self/exe, argv[0] and argv[1]. */
static void program_id(struct mpa_prog_id *id, struct mpa_prog_names *names)
{
	char exe[512] = "", cmd[1024] = "";
	const char *argv0 = NULL, *argv1 = NULL;
	ssize_t n;
	int fd;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, cmd, sizeof(cmd) - 1);
		close(fd);
		if (n > 0) {
			cmd[n] = '\0';
			argv0 = cmd;
			if ((size_t)n > strlen(cmd) + 1)
				argv1 = cmd + strlen(cmd) + 1;
		}
	}
	mpa_prog_id_init(id, names, exe, argv0, argv1);
}

static const char *env_get(const char *name)
{
	return getenv(name);
}

/* Log the policy's problems: files with errors apply as if absent. */
static void log_policy(const struct mpa_policy *p)
{
	char line[512];
	int i;

	for (i = 0; i < p->ndiags; i++)
		mpa_log(CMN_LOG_WARN, "policy: %s",
			mpa_diag_format(&p->diags[i], line, sizeof(line)));
}

/* A socket file at @path (stat only: whether it answers is asked later). */
static bool socket_file(const char *path)
{
	struct stat st;

	return path[0] && cmn_stat(path, &st) == 0 && S_ISSOCK(st.st_mode);
}

/*
 * The one unasked line for a mode decided now that opens no subflow: said
 * at the first connection the policy wants subflows for, if any comes (a
 * program that never connects is told nothing).
 */
static bool say_later(enum cmn_say r, const char *detail)
{
	if (r == CMN_SAY_NONE || !mpa_rule_wants_subflows(mpa_shim.rule, NULL))
		return false;
	snprintf(mpa_shim.say_detail, sizeof(mpa_shim.say_detail), "%s",
		 detail);
	atomic_store(&mpa_shim.say_at_connect, r);
	return true;
}

/*
 * A Go program makes its own system calls: its sockets never reach the
 * hooks, and only its runtime (Go 1.21 and newer, with
 * GODEBUG=multipathtcp=1) makes them MPTCP. Said now, once, when the
 * policy wants subflows for it: no connection will ever tell.
 */
static void check_go(const struct mpa_config *cfg)
{
	char ver[CMN_GO_VERSION_MAX];
	enum cmn_say r;
	int fd, err;

	if (mpa_shim.rule->mptcp != MPA_YES ||
	    !mpa_rule_wants_subflows(mpa_shim.rule, NULL) ||
	    (!mpa_log_can_say() && !mpa_log_enabled(CMN_LOG_INFO)))
		return;
	fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	err = cmn_go_version_read(fd, ver, sizeof(ver));
	close(fd);
	r = mpa_say_for_go(err, ver, cfg->godebug_mptcp);
	if (r == CMN_SAY_NONE)
		return;
	mpa_shim.go = true;
	mpa_say(r, ver);
}

/*
 * What this host lets us do. Where a helper thread may be needed, it
 * decides at the first connection that wants subflows, and says it then;
 * every other mode is final and said now, once.
 */
static void decide_mode(void)
{
	struct mpa_host *h = &mpa_shim.host;
	enum cmn_log_level level;
	enum mpa_mode mode;
	const char *text;

	if (mpa_shim.rule->mptcp == MPA_YES && !mpa_shim.convert) {
		if (!say_later(CMN_SAY_SECCOMP, "an MPTCP socket: plain TCP"))
			mpa_log(CMN_LOG_WARN,
				"the seccomp filter would kill the process on "
				"an MPTCP socket: sockets stay plain TCP");
		return;
	}
	if (!mpa_shim.convert) {
		mpa_log(CMN_LOG_INFO, "policy %s: MPTCP off for this program",
			mpa_shim.rule->origin);
		return;
	}
	h->daemon = socket_file(mpa_shim.pm_socket) ? MPA_DAEMON_MAYBE :
						      MPA_DAEMON_NONE;
	h->daemon_calls = (mpa_shim.probes & PROBES_DAEMON) == PROBES_DAEMON;
	h->pm = MPTCPLIB_PM_UNKNOWN;
	mptcplib_get_path_manager(&h->pm);
	h->cap_net_admin = mpa_has_cap_net_admin();
	mpa_shim.had_cap = h->cap_net_admin;
	h->engine_calls = (mpa_shim.probes & PROBES_SUBFLOWS) ==
			  PROBES_SUBFLOWS;
	mode = mpa_mode_decide(h);
	atomic_store(&mpa_shim.mode, mode);
	mpa_shim.subflows = mpa_mode_has_helper(mode);
	/*
	 * A Go program was told what it gets (check_go()): its runtime's
	 * sockets never reach the hooks, whatever the mode says of others.
	 */
	if (mpa_shim.subflows || mpa_shim.go)
		return;
	text = mpa_mode_text(mode, &level);
	/* A line for the user comes at the connection it is about. */
	if (say_later(mpa_say_for_mode(mode, false),
		      mode == MPA_MODE_UNREACHABLE ? mpa_shim.pm_socket :
		      mode == MPA_MODE_SECCOMP	   ? MPA_SAY_SECCOMP_NETLINK :
						     ""))
		level = CMN_LOG_DEBUG;
	if (mode == MPA_MODE_UNREACHABLE)
		mpa_log(level, "%s (%s)", text, mpa_shim.pm_socket);
	else
		mpa_log(level, "%s", text);
}

/*
 * The user's own layers, for what registrations with mptcp-autod narrow:
 * read only where a daemon may answer (the helper looks for one).
 */
static void load_user_layers(const struct mpa_sources *src,
			     const struct mpa_prog_id *id)
{
	if (!mpa_shim.pm_socket[0] || !mpa_shim.host.daemon_calls)
		return;
	mpa_shim.user_policy = mpa_policy_load_user(src);
	if (mpa_shim.user_policy)
		mpa_shim.user_rule =
			mpa_policy_program(mpa_shim.user_policy, id);
}

__attribute__((constructor)) static void mpa_init(void)
{
	int saved = errno;
	/* The names the rule was chosen by; they live with the process. */
	static struct mpa_prog_names names;
	struct mpa_config cfg;
	struct mpa_prog_id id;
	const void *first;

	/* Before anything that may call socket() or connect(). */
	mpa_shim.real_socket = (socket_fn)dlsym(RTLD_NEXT, "socket");
	mpa_shim.real_connect = (connect_fn)dlsym(RTLD_NEXT, "connect");
	mpa_shim.real_setsockopt =
		(setsockopt_fn)dlsym(RTLD_NEXT, "setsockopt");
	if (!mpa_shim.real_socket || !mpa_shim.real_connect)
		goto out;
	/*
	 * Only the copy first in the lookup order acts (LD_PRELOAD naming the
	 * shim twice by different paths); the others pass every call on.
	 */
	first = dlsym(RTLD_DEFAULT, "mptcp_auto_shim");
	/* shim_marker, unlike the exported name, is never interposed. */
	if (first && first != &shim_marker)
		goto out;
	mpa_shim.pid = getpid();
	mpa_config_init(&cfg, env_get, getauxval(AT_SECURE) != 0,
			mpa_system_dir);
	mpa_log_open(cfg.log_level, cfg.log_file, cfg.say);
	snprintf(mpa_shim.said_env, sizeof(mpa_shim.said_env), "%s", cfg.said);
	if (cfg.bad_log_level)
		mpa_log(CMN_LOG_WARN, "%s: expected debug, info, warn or off",
			MPA_ENV_LOG);
	if (cfg.bad_pm_socket)
		mpa_log(CMN_LOG_WARN,
			"%s: expected an absolute path shorter than %d "
			"characters: no mptcp-autod is looked for",
			MPA_ENV_PM_SOCKET, MPA_SOCKET_PATH_MAX);
	snprintf(mpa_shim.pm_socket, sizeof(mpa_shim.pm_socket), "%s",
		 cfg.pm_socket);
	mpa_shim.policy = mpa_policy_load(&cfg.sources);
	if (!mpa_shim.policy)
		goto out; /* out of memory: stay out of the way */
	log_policy(mpa_shim.policy);
	program_id(&id, &names);
	mpa_shim.rule = mpa_policy_program(mpa_shim.policy, &id);
	mpa_shim.rule_for_all = mpa_rule_opens_for_all(mpa_shim.rule);
	/*
	 * Under a seccomp filter, a call the program never makes could kill
	 * it: try each of ours in a throw-away child first (only then).
	 */
	if (mpa_shim.rule->mptcp != MPA_YES)
		mpa_shim.probes = 0; /* the shim makes no call of its own */
	else if (mpa_seccomp_read(&mpa_shim.seccomp) == 0 &&
		 mpa_shim.seccomp.mode == 0)
		mpa_shim.probes = ~0u;
	else
		mpa_shim.probes = mpa_seccomp_probe();
	mpa_shim.convert = mpa_shim.rule->mptcp == MPA_YES &&
			   (mpa_shim.probes & 1u << MPA_PROBE_MPTCP);
	check_go(&cfg);
	decide_mode();
	if (mpa_shim.subflows) {
		load_user_layers(&cfg.sources, &id);
		mpa_shim.engine = eng_run_new(atomic_load(&mpa_shim.mode) ==
							      MPA_MODE_PROBE ?
						      DAEMON_QUEUE :
						      ENGINE_QUEUE,
					      engine_log);
		mpa_shim.subflows = mpa_shim.engine &&
				    !pthread_atfork(NULL, NULL, at_fork_child);
	}
	mpa_log(CMN_LOG_DEBUG, "program %s (argv[0] %s%s%s): rule %s",
		id.exe ? id.exe : "?", id.argv0 ? id.argv0 : "?",
		id.script ? ", script " : "", id.script ? id.script : "",
		mpa_shim.rule->origin);
	/* The policy and names live as long as the process. */
	mpa_shim.ready = true;
out:
	errno = saved;
}

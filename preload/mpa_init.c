// SPDX-License-Identifier: MIT
/*
 * Start-up (the constructor) and the connection tracking behind the
 * connect() hook. The constructor reads the environment once, loads the
 * policy and works out what this host allows; it starts no thread. The
 * engine's thread starts with the first connection that wants subflows.
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
#include <sys/syscall.h>
#include <unistd.h>

#include "mpa_config.h"
#include "mpa_log.h"
#include "mpa_shim.h"
#include "mptcplib.h"

#define ENGINE_QUEUE 4096
#define ENGINE_STACK (256 * 1024)
#define SOCK_TYPE_MASK 0xf /* SOCK_NONBLOCK and SOCK_CLOEXEC are flags */

struct mpa_shim mpa_shim = { .engine_state = ENGINE_IDLE };

bool mpa_socket_eligible(int domain, int type, int protocol)
{
	return (domain == AF_INET || domain == AF_INET6) &&
	       (type & SOCK_TYPE_MASK) == SOCK_STREAM &&
	       (protocol == 0 || protocol == IPPROTO_TCP);
}

static void engine_log(enum mpa_log_level level, const char *fmt, ...)
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

static void *engine_main(void *arg)
{
	(void)arg;
	/* Lower priority than the program's own threads: it can wait. */
	setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 10);
	mpa_engine_run(mpa_shim.engine);
	return NULL;
}

/* Start the engine's thread once per process (again after fork()). */
static void engine_start(void)
{
	int idle = ENGINE_IDLE;
	sigset_t all, old;
	pthread_attr_t attr;
	pthread_t th;
	int rc;

	if (!atomic_compare_exchange_strong(&mpa_shim.engine_state, &idle,
					    ENGINE_RUNNING))
		return;
	/* The program's signals are for its own threads, not ours. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, ENGINE_STACK);
	rc = pthread_create(&th, &attr, engine_main, NULL);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		atomic_store(&mpa_shim.engine_state, ENGINE_FAILED);
		mpa_log(MPA_LOG_WARN, "cannot start the subflow thread: %s",
			strerror(rc));
		return;
	}
	pthread_setname_np(th, "mptcp-auto");
}

void mpa_track(int fd, const struct sockaddr *addr, socklen_t len)
{
	struct mpa_conn_req req = { .rule = mpa_shim.rule };
	struct mpa_decision d;
	socklen_t slen = sizeof(req.local);
	int err;

	if (!addr ||
	    (addr->sa_family != AF_INET && addr->sa_family != AF_INET6) ||
	    len < (addr->sa_family == AF_INET ? sizeof(struct sockaddr_in) :
						sizeof(struct sockaddr_in6)))
		return;
	/* The pure decision first: most connections need no system call. */
	mpa_rule_decide(mpa_shim.rule, addr, &d);
	if (!d.open_subflows) {
		mpa_log(MPA_LOG_DEBUG, "fd %d: no extra subflow: %s", fd,
			d.why);
		return;
	}
	/* A vfork()ed child shares our memory: start nothing there. */
	if (getpid() != mpa_shim.pid)
		return;
	/*
	 * State comes from the kernel, never from our own bookkeeping: only
	 * an MPTCP socket that has not fallen back has a token.
	 */
	err = mptcplib_get_token(fd, &req.token);
	if (err || !req.token) {
		mpa_log(MPA_LOG_DEBUG,
			"fd %d: not MPTCP (plain TCP or fell "
			"back)",
			fd);
		return;
	}
	memcpy(&req.remote, addr,
	       len < sizeof(req.remote) ? len : sizeof(req.remote));
	if (getsockname(fd, (struct sockaddr *)&req.local, &slen) < 0)
		memset(&req.local, 0, sizeof(req.local));
	if (atomic_load(&mpa_shim.engine_state) == ENGINE_IDLE)
		engine_start();
	err = mpa_engine_submit(mpa_shim.engine, &req);
	if (err)
		mpa_log(MPA_LOG_DEBUG, "token %08x: not tracked (%s)",
			req.token,
			err == -ENOSPC ? "queue full" : "engine stopped");
}

/* In the child of fork(): no engine thread there yet. */
static void at_fork_child(void)
{
	mpa_shim.pid = getpid();
	if (mpa_shim.engine)
		mpa_engine_reset_after_fork(mpa_shim.engine);
	atomic_store(&mpa_shim.engine_state, ENGINE_IDLE);
}

static bool has_cap_net_admin(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3,
						0 };
	struct __user_cap_data_struct data[2] = { 0 };

	if (syscall(SYS_capget, &hdr, data) < 0)
		return false;
	return data[CAP_NET_ADMIN / 32].effective &
	       (1u << (CAP_NET_ADMIN % 32));
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
		mpa_log(MPA_LOG_WARN, "policy: %s",
			mpa_diag_format(&p->diags[i], line, sizeof(line)));
}

/* What this host lets us do, said once. */
static void decide_mode(void)
{
	enum mptcplib_pm pm = MPTCPLIB_PM_UNKNOWN;

	mptcplib_get_path_manager(&pm);
	if (!mpa_shim.convert) {
		mpa_log(MPA_LOG_INFO, "policy %s: MPTCP off for this program",
			mpa_shim.rule->origin);
	} else if (pm == MPTCPLIB_PM_KERNEL) {
		mpa_log(MPA_LOG_INFO, "in-kernel path manager: sockets become "
				      "MPTCP, the kernel's endpoints decide "
				      "the subflows");
	} else if (pm == MPTCPLIB_PM_USERSPACE && !has_cap_net_admin()) {
		mpa_log(MPA_LOG_INFO,
			"no CAP_NET_ADMIN: sockets become MPTCP, subflows are "
			"not opened (run as root or with "
			"AmbientCapabilities=CAP_NET_ADMIN)");
	} else if (pm == MPTCPLIB_PM_USERSPACE) {
		mpa_shim.subflows = true;
		mpa_log(MPA_LOG_INFO,
			"userspace path manager: subflows per policy %s",
			mpa_shim.rule->origin);
	} else {
		mpa_log(MPA_LOG_INFO, "no MPTCP in this kernel: plain TCP");
	}
}

__attribute__((constructor)) static void mpa_init(void)
{
	int saved = errno;
	struct mpa_config cfg;
	struct mpa_prog_names *names;
	struct mpa_prog_id id;
	struct mpa_policy *policy;

	/* Before anything that may call socket() or connect(). */
	mpa_shim.real_socket = (socket_fn)dlsym(RTLD_NEXT, "socket");
	mpa_shim.real_connect = (connect_fn)dlsym(RTLD_NEXT, "connect");
	mpa_shim.real_setsockopt =
		(setsockopt_fn)dlsym(RTLD_NEXT, "setsockopt");
	if (!mpa_shim.real_socket || !mpa_shim.real_connect)
		goto out;
	mpa_shim.pid = getpid();
	mpa_config_init(&cfg, env_get, getauxval(AT_SECURE) != 0,
			MPA_SYSTEM_DIR);
	mpa_log_open(cfg.log_level, cfg.log_file);
	if (cfg.bad_log_level)
		mpa_log(MPA_LOG_WARN, "%s: expected debug, info, warn or off",
			MPA_ENV_LOG);
	policy = mpa_policy_load(&cfg.sources);
	names = malloc(sizeof(*names));
	if (!policy || !names) {
		free(names);
		goto out; /* out of memory: stay out of the way */
	}
	log_policy(policy);
	program_id(&id, names);
	mpa_shim.rule = mpa_policy_program(policy, &id);
	mpa_shim.convert = mpa_shim.rule->mptcp == MPA_YES;
	decide_mode();
	if (mpa_shim.subflows) {
		mpa_shim.engine = mpa_engine_new(ENGINE_QUEUE, engine_log);
		mpa_shim.subflows = mpa_shim.engine &&
				    !pthread_atfork(NULL, NULL, at_fork_child);
	}
	mpa_log(MPA_LOG_DEBUG, "program %s (argv[0] %s%s%s): rule %s",
		id.exe ? id.exe : "?", id.argv0 ? id.argv0 : "?",
		id.script ? ", script " : "", id.script ? id.script : "",
		mpa_shim.rule->origin);
	/* The policy and names live as long as the process. */
	mpa_shim.ready = true;
out:
	errno = saved;
}

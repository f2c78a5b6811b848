// SPDX-License-Identifier: MIT
/*
 * The helper thread: starts with the first connection that wants
 * subflows, moves into a descriptor table of its own, finds out whether
 * mptcp-autod answers, then registers connections with it, or runs the
 * subflow engine itself, until the process ends.
 */
#include <errno.h>
#include <stdbool.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cmn_syscall.h"
#include "cmn_compat.h"
#include "mpa_daemon.h"
#include "mpa_helper.h"
#include "mpa_log.h"
#include "mpa_say.h"
#include "mpa_seccomp.h"
#include "mpa_shim.h"

#define HELPER_STACK (256 * 1024)

/*
 * Give this thread a new, empty descriptor table. With the range covering
 * every descriptor, CLOSE_RANGE_UNSHARE copies none of the program's into
 * it (Linux 5.9): the helper never holds a reference to a program file,
 * so a program's close() takes effect at once, and no number the program
 * can see, close or reuse ever names one of the helper's sockets.
 */
static int helper_own_table(void)
{
	if (syscall(SYS_close_range, 0U, ~0U, CLOSE_RANGE_UNSHARE) < 0)
		return -errno;
	return 0;
}

/*
 * A mode that opens none of the subflows the connection at hand wants:
 * the one unasked line says why (@err: the daemon's socket's error).
 */
static void say_mode(enum mpa_mode mode, int err)
{
	enum cmn_say r = mpa_say_for_mode(mode, mpa_shim.had_cap);
	char detail[sizeof(mpa_shim.pm_socket) + 64];

	if (r == CMN_SAY_DROPPED)
		snprintf(detail, sizeof(detail), "it runs as uid %u now",
			 (unsigned int)getuid());
	else if (r == CMN_SAY_UNREACHABLE)
		snprintf(detail, sizeof(detail), "%s: %s", mpa_shim.pm_socket,
			 strerror(err));
	else if (r == CMN_SAY_SECCOMP)
		snprintf(detail, sizeof(detail), "%s", MPA_SAY_SECCOMP_NETLINK);
	else
		detail[0] = '\0';
	mpa_say(r, detail);
}

/*
 * Which mode, now that a connection wants subflows: the daemon is asked
 * (again: one may have started since start-up, and while one runs this
 * process must not be a path manager too), the rest is the constructor's
 * finding. Said once. The daemon's socket, connected, in *@sock.
 */
static enum mpa_mode helper_mode(int *sock)
{
	struct mpa_host h = mpa_shim.host;
	enum cmn_log_level level;
	enum mpa_mode mode;
	const char *text;
	int err = 0;

	*sock = -1;
	if (mpa_shim.pm_socket[0] && h.daemon_calls)
		h.daemon = mpa_daemon_probe(mpa_shim.pm_socket, sock, &err);
	/*
	 * The privileges this thread has now, which subflow requests are
	 * made with: a program that dropped them since start (apt's
	 * download helpers run as _apt) has none left.
	 */
	h.cap_net_admin = mpa_has_cap_net_admin();
	mode = mpa_mode_decide(&h);
	atomic_store(&mpa_shim.mode, mode);
	text = mpa_mode_text(mode, &level);
	if (!text)
		return mode;
	/* A mode that opens none: the user's line says it, this at debug. */
	if (mpa_say_for_mode(mode, mpa_shim.had_cap) != CMN_SAY_NONE) {
		say_mode(mode, err);
		level = CMN_LOG_DEBUG;
	}
	if (mode == MPA_MODE_DAEMON && *sock < 0)
		mpa_log(level,
			"%s (%s; it takes no connection now, stopped or busy: "
			"connecting again later)",
			text, mpa_shim.pm_socket);
	else if (mode == MPA_MODE_DAEMON)
		mpa_log(level, "%s (%s)", text, mpa_shim.pm_socket);
	else if (mode == MPA_MODE_UNREACHABLE)
		mpa_log(level, "%s (%s: %s)", text, mpa_shim.pm_socket,
			strerror(err));
	else if (mpa_shim.host.daemon == MPA_DAEMON_MAYBE)
		mpa_log(level, "no mptcp-autod answers at %s (%s): %s",
			mpa_shim.pm_socket, strerror(err), text);
	else if (mode == MPA_MODE_ENGINE)
		mpa_log(level, "%s %s", text, mpa_shim.rule->origin);
	else
		mpa_log(level, "%s", text);
	return mode;
}

static void *helper_main(void *arg)
{
	int err, pidfd, sock;
	enum mpa_mode mode;
	bool wake;

	(void)arg;
	/* Lower priority than the program's own threads: it can wait. */
	setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 10);
	err = helper_own_table();
	if (err) {
		mpa_log(CMN_LOG_WARN,
			"cannot give the subflow thread descriptors of its own "
			"(%s): connections stay MPTCP, no subflow is opened",
			strerror(-err));
		eng_engine_disable(mpa_shim.engine);
		return NULL;
	}
	/*
	 * Our log lines go to the program's log descriptor, which is not in
	 * this table: reach it through a pidfd of our own process (a copy
	 * taken per line, checked, written, dropped). Without one, this
	 * thread does not log.
	 */
	pidfd = (int)syscall(SYS_pidfd_open, mpa_shim.pid, 0);
	mpa_log_private_table(pidfd);
	/*
	 * Submissions wake us with SIGURG, read from a signalfd in our own
	 * table (preload/DESIGN.md), unless the seccomp filter would kill
	 * the process on signalfd4 or tgkill: then the engine looks at its
	 * queue every ENG_TICK_MS instead. The engine is disabled, and no
	 * hook can be about to signal this thread, when it returns.
	 */
	wake = (mpa_shim.probes & 1u << MPA_PROBE_WAKE) != 0;
	mode = helper_mode(&sock);
	if (!wake && mpa_mode_has_helper(mode))
		mpa_log(CMN_LOG_INFO,
			"the seccomp filter would kill the process on signalfd4 "
			"or tgkill: new connections are looked at every %d ms",
			ENG_TICK_MS);
	if (mode == MPA_MODE_DAEMON && pidfd < 0) {
		mpa_log(CMN_LOG_WARN,
			"no pidfd of this process (%s): connections are not "
			"registered with mptcp-autod, they stay one-path",
			strerror(errno));
		close(sock);
		mode = MPA_MODE_UNREACHABLE;
	}
	if (mode == MPA_MODE_DAEMON) {
		mpa_daemon_run(mpa_shim.engine, sock, pidfd, wake);
	} else if (mode == MPA_MODE_ENGINE) {
		eng_engine_run(mpa_shim.engine, wake);
		/*
		 * The engine stops on EPERM: the process gave up its
		 * privileges while it ran (this thread's went with them).
		 */
		if (!mpa_has_cap_net_admin())
			say_mode(MPA_MODE_NO_CAP, 0);
	} else {
		/* Nothing to do in this process: hooks stop handing over. */
		atomic_store(&mpa_shim.engine_state, ENGINE_FAILED);
		eng_engine_disable(mpa_shim.engine);
	}
	/* The thread's table, and every socket in it, goes with the thread. */
	return NULL;
}

/*
 * A filter attached after start-up (a program sandboxing itself) was not
 * probed: the helper's system calls could kill the process under it. The
 * constructor's filter was, and the mode it chose allows for it.
 */
static const char *helper_seccomp_refusal(void)
{
	struct mpa_seccomp now;

	if (mpa_seccomp_read(&now) < 0)
		now.mode = now.filters = -1;
	if (now.mode != mpa_shim.seccomp.mode ||
	    now.filters != mpa_shim.seccomp.filters)
		return "a seccomp filter was attached after start-up";
	return NULL;
}

void mpa_helper_start(void)
{
	int idle = ENGINE_IDLE;
	sigset_t all, old;
	pthread_attr_t attr;
	const char *why;
	pthread_t th;
	int rc;

	if (!atomic_compare_exchange_strong(&mpa_shim.engine_state, &idle,
					    ENGINE_RUNNING))
		return;
	why = helper_seccomp_refusal();
	if (why) {
		atomic_store(&mpa_shim.engine_state, ENGINE_FAILED);
		eng_engine_disable(mpa_shim.engine);
		mpa_log(CMN_LOG_WARN,
			"%s: connections stay MPTCP, no subflow is opened",
			why);
		return;
	}
	/* The program's signals are for its own threads, not ours. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, HELPER_STACK);
	rc = pthread_create(&th, &attr, helper_main, NULL);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		atomic_store(&mpa_shim.engine_state, ENGINE_FAILED);
		eng_engine_disable(mpa_shim.engine);
		mpa_log(CMN_LOG_WARN, "cannot start the subflow thread: %s",
			strerror(rc));
		return;
	}
	pthread_setname_np(th, "mptcp-auto");
}

void mpa_helper_after_fork(void)
{
	if (mpa_shim.engine)
		eng_engine_reset_after_fork(mpa_shim.engine);
	atomic_store(&mpa_shim.engine_state, ENGINE_IDLE);
}

// SPDX-License-Identifier: MIT
/* The shim's log: one write(2) a line, off by default, never stdout. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cmn_syscall.h"
#include "cmn_compat.h"

#include "mpa_log.h"

#define LOG_FD_MIN 100

static enum cmn_log_level log_level = CMN_LOG_OFF;
/* The one unasked line may go to standard error even with logging off. */
static bool say_on;
static atomic_int log_fd = -1;
/* What our descriptor is, to notice when the program replaced it. */
static dev_t log_dev;
static ino_t log_ino;
/*
 * A thread with a descriptor table of its own (the helper) reaches the
 * log's descriptor through a pidfd of the process; -1: it cannot log.
 */
static __thread bool log_private;
static __thread int log_pidfd = -1;

void mpa_log_open(enum cmn_log_level level, const char *file, bool say)
{
	struct stat st;
	int fd, high;

	log_level = level;
	say_on = say;
	if (level == CMN_LOG_OFF && !say)
		return;
	/* Logging off: the one line goes to standard error, never a file. */
	if (level == CMN_LOG_OFF || !file[0]) {
		fd = 2;
	} else {
		fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
			  0600);
		if (fd < 0) {
			log_level = CMN_LOG_OFF;
			say_on = false;
			return;
		}
		/* Out of the way of programs that assume small fds. */
		high = fcntl(fd, F_DUPFD_CLOEXEC, LOG_FD_MIN);
		close(fd);
		fd = high;
	}
	if (fd < 0 || cmn_fstat(fd, &st) < 0) {
		log_level = CMN_LOG_OFF;
		say_on = false;
		return;
	}
	log_dev = st.st_dev;
	log_ino = st.st_ino;
	atomic_store(&log_fd, fd);
}

int mpa_log_enabled(enum cmn_log_level level)
{
	return level >= log_level && log_level != CMN_LOG_OFF &&
	       atomic_load_explicit(&log_fd, memory_order_relaxed) >= 0;
}

bool mpa_log_can_say(void)
{
	return (say_on || mpa_log_enabled(CMN_LOG_WARN)) &&
	       atomic_load_explicit(&log_fd, memory_order_relaxed) >= 0;
}

/* One line at @level to the log's descriptor, whatever the level allows. */
static void write_line(enum cmn_log_level level, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

static void write_line(enum cmn_log_level level, const char *fmt, va_list ap)
{
	static const char *const names[] = { "debug", "info", "warn" };
	char line[768];
	struct stat st;
	int saved = errno, fd, n, own = -1;

	fd = atomic_load(&log_fd);
	if (fd < 0)
		goto out;
	if (log_private) {
		/* A copy of the program's descriptor, dropped after the line. */
		if (log_pidfd < 0)
			goto out;
		own = (int)syscall(SYS_pidfd_getfd, log_pidfd, fd, 0);
		if (own < 0)
			goto out;
		fd = own;
	}
	/* Closed or reused by the program (close_range, dup2): stop. */
	if (cmn_fstat(fd, &st) < 0 || st.st_dev != log_dev ||
	    st.st_ino != log_ino) {
		/* The program's side finds out by itself. */
		if (own < 0)
			atomic_store(&log_fd, -1);
		goto out;
	}
	n = snprintf(line, sizeof(line), "mptcp-auto[%d]: %s: ", (int)getpid(),
		     names[level]);
	n += vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	if (write(fd, line, (size_t)n) < 0) {
		/* Nothing to do about it: the program must not notice. */
	}
out:
	if (own >= 0)
		close(own);
	errno = saved;
}

void mpa_log(enum cmn_log_level level, const char *fmt, ...)
{
	va_list ap;

	if (!mpa_log_enabled(level))
		return;
	va_start(ap, fmt);
	write_line(level, fmt, ap);
	va_end(ap);
}

void mpa_log_say(const char *fmt, ...)
{
	va_list ap;

	if (!mpa_log_can_say())
		return;
	va_start(ap, fmt);
	write_line(CMN_LOG_WARN, fmt, ap);
	va_end(ap);
}

void mpa_log_private_table(int pidfd)
{
	log_private = true;
	log_pidfd = pidfd;
}

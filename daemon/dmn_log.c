// SPDX-License-Identifier: MIT
/* The daemon's log lines on standard error. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dmn_log.h"

#define LOG_PREFIX "mptcp-autod: "
#define LOG_LINE_MAX 1024

static enum cmn_log_level log_level = CMN_LOG_INFO;

static const char *const level_names[] = {
	[CMN_LOG_DEBUG] = "debug",
	[CMN_LOG_INFO] = "info",
	[CMN_LOG_WARN] = "warning",
};

void dmn_log_set_level(enum cmn_log_level level)
{
	log_level = level;
}

size_t dmn_log_line(char *buf, size_t len, const char *level, const char *text)
{
	int n;

	if (len < 2)
		return 0;
	n = snprintf(buf, len - 1, LOG_PREFIX "%s: %s", level ? level : "error",
		     text);
	if (n < 0)
		n = 0;
	/* Cut, but always one whole line. */
	if ((size_t)n > len - 2)
		n = (int)(len - 2);
	buf[n++] = '\n';
	buf[n] = '\0';
	return (size_t)n;
}

static void log_write(const char *level, const char *fmt, va_list ap)
{
	char text[LOG_LINE_MAX], line[LOG_LINE_MAX + 64];
	size_t n;
	ssize_t w;

	vsnprintf(text, sizeof(text), fmt, ap);
	n = dmn_log_line(line, sizeof(line), level, text);
	/* Nothing to do about a log that cannot be written. */
	w = write(STDERR_FILENO, line, n);
	(void)w;
}

void dmn_log(enum cmn_log_level level, const char *fmt, ...)
{
	va_list ap;

	if (level < log_level || level >= CMN_LOG_OFF)
		return;
	va_start(ap, fmt);
	log_write(level_names[level], fmt, ap);
	va_end(ap);
}

void dmn_log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_write(NULL, fmt, ap);
	va_end(ap);
}

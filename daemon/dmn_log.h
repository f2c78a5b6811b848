/* SPDX-License-Identifier: MIT */
/*
 * The daemon's log: standard error, one line per message, written with
 * one write(2) so that lines from a crash or a restart never interleave,
 * in the form "mptcp-autod: LEVEL: text" that journald keeps as it is.
 */
#ifndef DMN_LOG_H
#define DMN_LOG_H

#include <stddef.h>

#include "cmn_log.h"

/* dmn_log_set_level() - lines below @level are dropped (CMN_LOG_INFO). */
void dmn_log_set_level(enum cmn_log_level level);

/* dmn_log() - a cmn_log_fn: the engine logs through it too. */
void dmn_log(enum cmn_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* dmn_log_error() - a line at level "error", always written. */
void dmn_log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * dmn_log_line() - "mptcp-autod: LEVEL: @text\n" into @buf, cut to fit
 * (the newline kept); @level NULL means "error". The length written.
 */
size_t dmn_log_line(char *buf, size_t len, const char *level, const char *text);

#endif /* DMN_LOG_H */

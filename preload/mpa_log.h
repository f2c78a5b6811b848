/* SPDX-License-Identifier: MIT */
/*
 * The shim's log: off by default; one write(2) per line to a file opened
 * O_APPEND|O_CLOEXEC and kept above fd 100, or to standard error. Never
 * stdio, syslog or standard output. Keeps errno. If the program closes or
 * reuses our descriptor, logging stops rather than write into its file.
 */
#ifndef MPA_LOG_H
#define MPA_LOG_H

#include <stdbool.h>

#include "eng_engine.h"

/*
 * mpa_log_open() - at init; @file "" means standard error. With @say,
 * mpa_log_say() writes its line even when @level is CMN_LOG_OFF: to
 * standard error then.
 */
void mpa_log_open(enum cmn_log_level level, const char *file, bool say);

/* mpa_log_enabled() - would a line at @level be written? */
int mpa_log_enabled(enum cmn_log_level level);

/* mpa_log() - one line; no allocation, safe in hooks and any thread. */
void mpa_log(enum cmn_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * mpa_log_say() - one line at warn, also with logging off when
 * mpa_log_open() was given @say (the shim's one unasked line,
 * preload/mpa_say.h); the caller says it once.
 */
void mpa_log_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* mpa_log_can_say() - would mpa_log_say() write? */
bool mpa_log_can_say(void);

/*
 * mpa_log_private_table() - the calling thread has a descriptor table of
 * its own: log through copies of the program's log descriptor taken with
 * @pidfd (a pidfd of this process, or -1: this thread does not log).
 */
void mpa_log_private_table(int pidfd);

#endif /* MPA_LOG_H */

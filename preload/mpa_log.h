/* SPDX-License-Identifier: MIT */
/*
 * The shim's log: off by default; one write(2) per line to a file opened
 * O_APPEND|O_CLOEXEC and kept above fd 100, or to standard error. Never
 * stdio, syslog or standard output. Keeps errno. If the program closes or
 * reuses our descriptor, logging stops rather than write into its file.
 */
#ifndef MPA_LOG_H
#define MPA_LOG_H

#include "eng_engine.h"

/* mpa_log_open() - at init; @file "" means standard error. */
void mpa_log_open(enum cmn_log_level level, const char *file);

/* mpa_log_enabled() - would a line at @level be written? */
int mpa_log_enabled(enum cmn_log_level level);

/* mpa_log() - one line; no allocation, safe in hooks and any thread. */
void mpa_log(enum cmn_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * mpa_log_private_table() - the calling thread has a descriptor table of
 * its own: log through copies of the program's log descriptor taken with
 * @pidfd (a pidfd of this process, or -1: this thread does not log).
 */
void mpa_log_private_table(int pidfd);

#endif /* MPA_LOG_H */

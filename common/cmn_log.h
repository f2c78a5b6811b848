/* SPDX-License-Identifier: MIT */
/*
 * Log levels and the logging callback that the rooms above core take from
 * their host (the shim's log, the command's standard error), so that no
 * module prints by itself.
 */
#ifndef CMN_LOG_H
#define CMN_LOG_H

enum cmn_log_level { CMN_LOG_DEBUG, CMN_LOG_INFO, CMN_LOG_WARN, CMN_LOG_OFF };

typedef void (*cmn_log_fn)(enum cmn_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* CMN_LOG_H */

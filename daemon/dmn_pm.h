/* SPDX-License-Identifier: MIT */
/*
 * The namespace's path manager: the daemon records which one new MPTCP
 * connections get, switches to the userspace one (it is that one), and
 * at a clean stop puts the recorded one back, so that stopping the daemon
 * gives the host its kernel path manager again.
 *
 * The knob is net.mptcp.path_manager ("kernel", "userspace") where it
 * exists (6.15+), else net.mptcp.pm_type (0 kernel, 1 userspace). The
 * kernel reads it when a connection is created: switching affects new
 * connections only (docs/kernel-facts.md §6).
 *
 * A daemon that was killed cannot switch back, and the next one would
 * record "userspace" as what was there. So the recorded value is also
 * kept in a file (next to the daemon's socket) until the clean stop: the
 * next daemon restores that one instead.
 *
 * The decisions (which knob, what to restore) are pure; dmn_pm_take()
 * and dmn_pm_restore() do the reading and writing.
 */
#ifndef DMN_PM_H
#define DMN_PM_H

#include <stdbool.h>
#include <stddef.h>

#define DMN_PM_SYSCTL_DIR "/proc/sys/net/mptcp"
/* Longest value either knob takes ("userspace" and whatever comes). */
#define DMN_PM_VALUE_MAX 32

enum dmn_pm_knob {
	DMN_PM_KNOB_NONE, /* no MPTCP in this kernel */
	DMN_PM_KNOB_NAME, /* path_manager */
	DMN_PM_KNOB_TYPE, /* pm_type */
};

/* dmn_pm_knob_pick() - path_manager when it exists, else pm_type. */
enum dmn_pm_knob dmn_pm_knob_pick(bool has_path_manager, bool has_pm_type);

/* dmn_pm_knob_file() - the knob's file name under DMN_PM_SYSCTL_DIR. */
const char *dmn_pm_knob_file(enum dmn_pm_knob k);

/* dmn_pm_userspace() - the knob's value for the userspace path manager. */
const char *dmn_pm_userspace(enum dmn_pm_knob k);

/*
 * dmn_pm_mode_name() - the knob's value @text (as read) by name, as
 * `mptcp-auto status` shows it: pm_type's 0 and 1 are "kernel" and
 * "userspace", path_manager's names are themselves. 0, or -EINVAL if
 * @text is not a value of @k or does not fit in @len.
 */
int dmn_pm_mode_name(enum dmn_pm_knob k, const char *text, char *out,
		     size_t len);

/* What to do at start. */
struct dmn_pm_plan {
	char restore[DMN_PM_VALUE_MAX]; /* the value to put back at the stop */
	bool switch_now; /* the knob is not at userspace yet */
	bool from_record; /* restore comes from a killed daemon's record */
};

/*
 * dmn_pm_decide() - from the knob's value now (@current, as read: a
 * trailing newline is fine) and a killed daemon's record (@recorded, the
 * record file's text, NULL if none): what to restore at the clean stop.
 * The record counts only when it is for the same knob and the knob is at
 * userspace now (a value set by hand since is what to keep). 0, or
 * -EINVAL if @current is not a value of the knob.
 */
int dmn_pm_decide(enum dmn_pm_knob k, const char *current, const char *recorded,
		  struct dmn_pm_plan *out);

/*
 * dmn_pm_record_text() - the record file's text for @value of @k (one
 * line, "KNOB VALUE"). The length, or -ENOSPC.
 */
int dmn_pm_record_text(enum dmn_pm_knob k, const char *value, char *buf,
		       size_t len);

struct dmn_pm {
	enum dmn_pm_knob knob;
	char dir[128]; /* DMN_PM_SYSCTL_DIR, or a test's */
	char record[256]; /* the record file, "" for none */
	char restore[DMN_PM_VALUE_MAX];
	bool taken; /* switched, or found switched: restore at the stop */
};

/*
 * dmn_pm_take() - record the path manager of the namespace (the knob in
 * @dir, normally DMN_PM_SYSCTL_DIR) and switch to userspace; @record is
 * the record file's path ("" for none). 0, or -errno with a reason in
 * @why: -ENOENT no knob (no MPTCP), -EINVAL an unknown value, or the
 * error of reading or writing the knob.
 */
int dmn_pm_take(struct dmn_pm *pm, const char *dir, const char *record,
		char *why, size_t len);

/*
 * dmn_pm_restore() - write the recorded value back and remove the record
 * file. 0 (also when nothing was taken), or -errno with a reason in @why.
 */
int dmn_pm_restore(struct dmn_pm *pm, char *why, size_t len);

/*
 * dmn_pm_mode() - the namespace's path manager now, by name (see
 * dmn_pm_mode_name()), read from @pm's knob. 0 or -errno.
 */
int dmn_pm_mode(const struct dmn_pm *pm, char *out, size_t len);

#endif /* DMN_PM_H */

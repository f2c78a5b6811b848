// SPDX-License-Identifier: MIT
/* The namespace's path manager: recorded, switched, put back. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dmn_pm.h"

static const struct {
	const char *file;
	const char *userspace;
	const char *chars; /* what a value is made of */
} knobs[] = {
	[DMN_PM_KNOB_NONE] = { "", "", "" },
	[DMN_PM_KNOB_NAME] = { "path_manager", "userspace",
			       "abcdefghijklmnopqrstuvwxyz0123456789_-" },
	[DMN_PM_KNOB_TYPE] = { "pm_type", "1", "0123456789" },
};

enum dmn_pm_knob dmn_pm_knob_pick(bool has_path_manager, bool has_pm_type)
{
	/* The two stay in sync where both exist; pm_type is deprecated. */
	if (has_path_manager)
		return DMN_PM_KNOB_NAME;
	return has_pm_type ? DMN_PM_KNOB_TYPE : DMN_PM_KNOB_NONE;
}

const char *dmn_pm_knob_file(enum dmn_pm_knob k)
{
	return knobs[k].file;
}

const char *dmn_pm_userspace(enum dmn_pm_knob k)
{
	return knobs[k].userspace;
}

/* @text without surrounding blanks into @out, if it is a value of @k. */
static int pm_value(enum dmn_pm_knob k, const char *text, char *out, size_t len)
{
	size_t n;

	text += strspn(text, " \t\n");
	n = strcspn(text, " \t\n");
	if (k == DMN_PM_KNOB_NONE || n == 0 || n >= len ||
	    strspn(text, knobs[k].chars) < n ||
	    text[n + strspn(text + n, " \t\n")])
		return -EINVAL;
	memcpy(out, text, n);
	out[n] = '\0';
	return 0;
}

int dmn_pm_mode_name(enum dmn_pm_knob k, const char *text, char *out,
		     size_t len)
{
	static const char *const types[] = { "kernel", "userspace" };
	char v[DMN_PM_VALUE_MAX];

	if (pm_value(k, text, v, sizeof(v)))
		return -EINVAL;
	if (k == DMN_PM_KNOB_TYPE && strlen(v) == 1 && v[0] <= '1')
		snprintf(v, sizeof(v), "%s", types[v[0] - '0']);
	if (strlen(v) >= len)
		return -EINVAL;
	strcpy(out, v);
	return 0;
}

int dmn_pm_decide(enum dmn_pm_knob k, const char *current, const char *recorded,
		  struct dmn_pm_plan *out)
{
	char now[DMN_PM_VALUE_MAX], rec[DMN_PM_VALUE_MAX];
	const char *file = knobs[k].file;
	size_t flen = strlen(file);

	memset(out, 0, sizeof(*out));
	if (pm_value(k, current, now, sizeof(now)))
		return -EINVAL;
	out->switch_now = strcmp(now, knobs[k].userspace) != 0;
	snprintf(out->restore, sizeof(out->restore), "%s", now);
	/*
	 * Already at userspace: a daemon killed before its clean stop may
	 * have left it so; its record says what the host had.
	 */
	if (out->switch_now || !recorded || strncmp(recorded, file, flen) ||
	    recorded[flen] != ' ' ||
	    pm_value(k, recorded + flen + 1, rec, sizeof(rec)))
		return 0;
	snprintf(out->restore, sizeof(out->restore), "%s", rec);
	out->from_record = true;
	return 0;
}

int dmn_pm_record_text(enum dmn_pm_knob k, const char *value, char *buf,
		       size_t len)
{
	int n = snprintf(buf, len, "%s %s\n", knobs[k].file, value);

	return n < 0 || (size_t)n >= len ? -ENOSPC : n;
}

/* The whole of a small file into @buf. 0 or -errno. */
static int read_small(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0)
		err = -errno;
	else
		buf[n] = '\0';
	close(fd);
	return err;
}

/*
 * @text into @path, truncated first (as a shell's `echo >` does: a sysctl
 * ignores it, a plain file, as in the tests, needs it). 0 or -errno.
 */
static int write_small(const char *path, const char *text, int flags)
{
	size_t n = strlen(text);
	ssize_t w;
	int fd, err = 0;

	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW | flags,
		  0644);
	if (fd < 0)
		return -errno;
	w = write(fd, text, n);
	if (w < 0)
		err = -errno;
	else if ((size_t)w != n)
		err = -EIO;
	if (close(fd) && !err)
		err = -errno;
	return err;
}

static int knob_path(const struct dmn_pm *pm, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%s", pm->dir, knobs[pm->knob].file);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int dmn_pm_take(struct dmn_pm *pm, const char *dir, const char *record,
		char *why, size_t len)
{
	char path[256], cur[64], rec[64], text[64];
	struct dmn_pm_plan plan;
	bool has_name, has_type;
	int err;

	memset(pm, 0, sizeof(*pm));
	snprintf(pm->dir, sizeof(pm->dir), "%s", dir);
	snprintf(pm->record, sizeof(pm->record), "%s", record);
	snprintf(path, sizeof(path), "%s/path_manager", dir);
	has_name = access(path, F_OK) == 0;
	snprintf(path, sizeof(path), "%s/pm_type", dir);
	has_type = access(path, F_OK) == 0;
	pm->knob = dmn_pm_knob_pick(has_name, has_type);
	if (pm->knob == DMN_PM_KNOB_NONE) {
		snprintf(why, len,
			 "%s has neither path_manager nor pm_type: "
			 "no MPTCP in this kernel",
			 dir);
		return -ENOENT;
	}
	err = knob_path(pm, path, sizeof(path));
	if (!err)
		err = read_small(path, cur, sizeof(cur));
	if (err) {
		snprintf(why, len, "%s: %s", path, strerror(-err));
		return err;
	}
	if (!record[0] || read_small(record, rec, sizeof(rec)))
		rec[0] = '\0';
	if (dmn_pm_decide(pm->knob, cur, rec[0] ? rec : NULL, &plan)) {
		snprintf(why, len, "%s: unknown value \"%.*s\"", path,
			 (int)strcspn(cur, "\n"), cur);
		return -EINVAL;
	}
	snprintf(pm->restore, sizeof(pm->restore), "%s", plan.restore);
	/* The record first: a kill right after the switch must find it. */
	if (record[0] && !plan.from_record &&
	    dmn_pm_record_text(pm->knob, plan.restore, text, sizeof(text)) >
		    0) {
		err = write_small(record, text, O_CREAT);
		if (err) {
			snprintf(why, len, "%s: %s", record, strerror(-err));
			return err;
		}
	}
	if (plan.switch_now) {
		err = write_small(path, dmn_pm_userspace(pm->knob), 0);
		if (err) {
			snprintf(why, len, "%s: %s", path, strerror(-err));
			if (record[0] && !plan.from_record)
				unlink(record);
			return err;
		}
	}
	pm->taken = true;
	return 0;
}

int dmn_pm_restore(struct dmn_pm *pm, char *why, size_t len)
{
	char path[256];
	int err;

	if (!pm->taken)
		return 0;
	err = knob_path(pm, path, sizeof(path));
	if (!err)
		err = write_small(path, pm->restore, 0);
	if (err) {
		/* The record stays: the next daemon restores from it. */
		snprintf(why, len, "%s: %s", path, strerror(-err));
		return err;
	}
	pm->taken = false;
	if (pm->record[0])
		unlink(pm->record);
	return 0;
}

int dmn_pm_mode(const struct dmn_pm *pm, char *out, size_t len)
{
	char path[PATH_MAX], cur[DMN_PM_VALUE_MAX];
	int err;

	err = knob_path(pm, path, sizeof(path));
	if (!err)
		err = read_small(path, cur, sizeof(cur));
	return err ? err : dmn_pm_mode_name(pm->knob, cur, out, len);
}

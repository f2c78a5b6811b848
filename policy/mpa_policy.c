// SPDX-License-Identifier: MIT
/* Policy sources: which files, in which order, read how. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmn_compat.h"

#include "mpa_load.h"
#include "mpa_policy.h"

#define POLICY_FILE_MAX (1024 * 1024)
#define DROPIN_MAX 1024

/* Given by the Makefile (SYSCONFDIR); this is its default prefix's. */
#ifndef MPA_SYSCONFDIR
#define MPA_SYSCONFDIR "/usr/local/etc"
#endif

const char mpa_system_dir[] = MPA_SYSCONFDIR "/mptcp-auto";

void mpa_sources_init(struct mpa_sources *src, const char *sysdir,
		      const char *env_policy, const char *xdg_config_home,
		      const char *home, bool secure)
{
	memset(src, 0, sizeof(*src));
	snprintf(src->system_file, sizeof(src->system_file), "%s/policy.ini",
		 sysdir);
	snprintf(src->dropin_dir, sizeof(src->dropin_dir), "%s/policy.d",
		 sysdir);
	/*
	 * A setuid or setcap program must not let its caller's environment
	 * choose its policy; relative paths would depend on the current
	 * directory, which is never a policy source.
	 */
	if (secure)
		return;
	if (env_policy && env_policy[0] == '/')
		snprintf(src->env_file, sizeof(src->env_file), "%s",
			 env_policy);
	if (xdg_config_home && xdg_config_home[0] == '/')
		snprintf(src->user_file, sizeof(src->user_file),
			 "%s/mptcp-auto/policy.ini", xdg_config_home);
	else if (home && home[0] == '/')
		snprintf(src->user_file, sizeof(src->user_file),
			 "%s/.config/mptcp-auto/policy.ini", home);
}

/*
 * Whole file into a heap buffer. 0 or -errno: -EFBIG past the limit;
 * -EINVAL for anything but a regular file, with its type in @mode.
 *
 * Only regular files are opened, and never in a way that can wait: the
 * shim loads the policy in every program it is loaded into, and opening
 * a FIFO for reading blocks until a writer comes (opening a device may
 * also do something of its own). So the type is looked at first; then
 * O_NONBLOCK keeps a FIFO swapped in meanwhile from blocking open() or
 * read(), and fstat() on the open file decides.
 */
static int read_file(const char *path, char **text, size_t *len, mode_t *mode)
{
	struct stat st;
	ssize_t n;
	size_t got = 0;
	int fd, err = 0;

	*mode = 0;
	if (cmn_stat(path, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode)) {
		*mode = st.st_mode;
		return -EINVAL;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (cmn_fstat(fd, &st) < 0) {
		err = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		*mode = st.st_mode;
		err = -EINVAL;
		goto out;
	}
	if (st.st_size > POLICY_FILE_MAX) {
		err = -EFBIG;
		goto out;
	}
	*text = malloc((size_t)st.st_size + 1);
	if (!*text) {
		err = -ENOMEM;
		goto out;
	}
	while (got < (size_t)st.st_size) {
		n = read(fd, *text + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	*len = got;
out:
	close(fd);
	return err;
}

/* Why read_file() failed, for a diagnostic. */
static const char *read_problem(int err, mode_t mode)
{
	if (mode)
		return S_ISDIR(mode) ? "is a directory" : "not a regular file";
	if (err == -EFBIG)
		return "larger than 1 MiB";
	return strerror(-err);
}

/*
 * Layer one file. A missing optional file is normal; a missing file the
 * user named explicitly (the environment variable) is an error.
 */
static int load_path(struct mpa_policy *p, void *state, const char *path,
		     bool required)
{
	char *text = NULL, msg[160];
	size_t len = 0;
	mode_t mode;
	int err;

	err = read_file(path, &text, &len, &mode);
	if (err == -ENOENT && !required)
		return 0;
	if (err == -ENOMEM)
		return err;
	if (err) {
		snprintf(msg, sizeof(msg), "cannot read: %s",
			 read_problem(err, mode));
		mpa_load_file_diag(p, required ? MPA_ERROR : MPA_WARNING, path,
				   msg);
		return 0;
	}
	err = mpa_load_layer(p, state, path, text, len);
	free(text);
	return err;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The drop-in folder's *.ini files (not hidden ones), in name order: the
 * first DROPIN_MAX by name, and a warning naming what is left out. All
 * names are sorted, so which files apply never depends on the order the
 * folder lists them in.
 */
static int load_dropins(struct mpa_policy *p, void *state, const char *dir)
{
	char **names = NULL, **more, path[512], msg[200];
	size_t n = 0, cap = 0, i;
	struct dirent *de;
	int err = 0;
	DIR *d = opendir(dir);

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (de->d_name[0] == '.' || len < 5 ||
		    strcmp(de->d_name + len - 4, ".ini"))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			more = realloc(names, cap * sizeof(*names));
			if (!more) {
				err = -ENOMEM;
				break;
			}
			names = more;
		}
		names[n] = strdup(de->d_name);
		if (!names[n]) {
			err = -ENOMEM;
			break;
		}
		n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(names[0]), cmp_names);
	/* Said first, before whatever the files themselves report. */
	if (!err && n > DROPIN_MAX) {
		snprintf(msg, sizeof(msg),
			 "%zu drop-ins ignored: only the first %d by name are "
			 "read (the first ignored is %s)",
			 n - DROPIN_MAX, DROPIN_MAX, names[DROPIN_MAX]);
		mpa_load_file_diag(p, MPA_WARNING, dir, msg);
	}
	for (i = 0; i < n && i < DROPIN_MAX && !err; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		err = load_path(p, state, path, false);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return err;
}

/* One of the ways to load: layer the sources, 0 or -ENOMEM. */
typedef int (*load_fn)(struct mpa_policy *p, void *state, const void *ctx);

/*
 * A policy object, its layers from @fn, inheritance resolved (down to the
 * built-in defaults with @builtin).
 */
static struct mpa_policy *load_with(load_fn fn, const void *ctx, bool builtin)
{
	struct mpa_policy *p = calloc(1, sizeof(*p));
	void *state = mpa_load_begin();

	if (!p || !state || fn(p, state, ctx)) {
		mpa_load_abort(state);
		mpa_policy_free(p);
		return NULL;
	}
	mpa_load_finish(p, state, builtin);
	return p;
}

static int load_sources(struct mpa_policy *p, void *state, const void *ctx)
{
	const struct mpa_sources *src = ctx;

	return load_path(p, state, src->system_file, false) ||
	       load_dropins(p, state, src->dropin_dir) ||
	       (src->user_file[0] &&
		load_path(p, state, src->user_file, false)) ||
	       (src->env_file[0] && load_path(p, state, src->env_file, true));
}

struct mpa_policy *mpa_policy_load(const struct mpa_sources *src)
{
	return load_with(load_sources, src, true);
}

/* The user's own files, in their order; never the system's. */
static int load_user_sources(struct mpa_policy *p, void *state, const void *ctx)
{
	const struct mpa_sources *src = ctx;

	return (src->user_file[0] &&
		load_path(p, state, src->user_file, false)) ||
	       (src->env_file[0] && load_path(p, state, src->env_file, true));
}

struct mpa_policy *mpa_policy_load_user(const struct mpa_sources *src)
{
	return load_with(load_user_sources, src, false);
}

struct buffers {
	const char *const *names, *const *texts;
	const size_t *lens;
	int n;
};

static int load_buffers(struct mpa_policy *p, void *state, const void *ctx)
{
	const struct buffers *b = ctx;
	int i;

	for (i = 0; i < b->n; i++)
		if (mpa_load_layer(p, state, b->names[i], b->texts[i],
				   b->lens[i]))
			return -ENOMEM;
	return 0;
}

struct mpa_policy *mpa_policy_load_buffers(const char *const *names,
					   const char *const *texts,
					   const size_t *lens, int n)
{
	struct buffers b = { names, texts, lens, n };

	return load_with(load_buffers, &b, true);
}

struct files {
	const char *const *paths;
	int n;
};

static int load_files(struct mpa_policy *p, void *state, const void *ctx)
{
	const struct files *f = ctx;
	int i;

	for (i = 0; i < f->n; i++)
		if (load_path(p, state, f->paths[i], true))
			return -ENOMEM;
	return 0;
}

struct mpa_policy *mpa_policy_load_files(const char *const *paths, int n)
{
	struct files f = { paths, n };

	return load_with(load_files, &f, true);
}

void mpa_policy_free(struct mpa_policy *p)
{
	if (!p)
		return;
	free(p->programs);
	free(p->diags);
	free(p);
}

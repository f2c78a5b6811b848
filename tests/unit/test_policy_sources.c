// SPDX-License-Identifier: MIT
/*
 * Where policies come from and who wins: system file, drop-in folder,
 * per-user file, environment file; each alone and combined, secure
 * execution, HOME unset; files that are not regular files, and the
 * drop-in limit. Real files in a temporary folder.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mpa_policy.h"

struct tree {
	char root[64];
	char sys[128], home[128], xdg[128], env[160];
};

static void put(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void mkdirs(const char *root, const char *sub)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", root, sub);
	assert_int_equal(mkdir(path, 0755), 0);
}

static int setup(void **state)
{
	struct tree *t = calloc(1, sizeof(*t));

	snprintf(t->root, sizeof(t->root), "/tmp/mpa-policy-XXXXXX");
	if (!mkdtemp(t->root))
		return -1;
	snprintf(t->sys, sizeof(t->sys), "%s/etc", t->root);
	snprintf(t->home, sizeof(t->home), "%s/home", t->root);
	snprintf(t->xdg, sizeof(t->xdg), "%s/xdg", t->root);
	snprintf(t->env, sizeof(t->env), "%s/launch.ini", t->root);
	mkdirs(t->root, "etc");
	mkdirs(t->root, "etc/policy.d");
	mkdirs(t->root, "home");
	mkdirs(t->root, "home/.config");
	mkdirs(t->root, "home/.config/mptcp-auto");
	mkdirs(t->root, "xdg");
	mkdirs(t->root, "xdg/mptcp-auto");
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct tree *t = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->root);
	if (system(cmd) != 0)
		return -1;
	free(t);
	return 0;
}

/* Each source sets subflows to its own number; the winner shows. */
static void write_all_sources(struct tree *t)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/policy.ini", t->sys);
	put(path, "[default]\nsubflows = 1\ninterfaces = sys0\n");
	snprintf(path, sizeof(path), "%s/policy.d/20-curl.ini", t->sys);
	put(path, "[program curl]\nsubflows = 2\n");
	snprintf(path, sizeof(path), "%s/policy.d/10-curl.ini", t->sys);
	put(path, "[program curl]\nsubflows = 3\nbackup = drop0\n");
	snprintf(path, sizeof(path), "%s/policy.d/notes.txt", t->sys);
	put(path, "not a policy");
	snprintf(path, sizeof(path), "%s/home/.config/mptcp-auto/policy.ini",
		 t->root);
	put(path, "[program curl]\nsubflows = 4\n");
	snprintf(path, sizeof(path), "%s/mptcp-auto/policy.ini", t->xdg);
	put(path, "[program curl]\nsubflows = 5\n");
	put(t->env, "[program curl]\nsubflows = 6\n");
}

static const struct mpa_rule *curl(const struct mpa_policy *p)
{
	struct mpa_prog_id id = { .exe = "curl" };

	return mpa_policy_program(p, &id);
}

static const struct src_case {
	const char *name;
	bool env, xdg, home, secure;
	int want_subflows;
	int want_files;
} src_cases[] = {
	{ "system and drop-ins only", false, false, false, false, 2, 3 },
	{ "plus per-user (HOME)", false, false, true, false, 4, 4 },
	{ "XDG_CONFIG_HOME beats HOME", false, true, true, false, 5, 4 },
	{ "environment file wins", true, true, true, false, 6, 5 },
	{ "secure execution ignores env and user", true, true, true, true, 2,
	  3 },
};

static void test_precedence_table(void **state)
{
	struct tree *t = *state;
	size_t i;

	write_all_sources(t);
	for (i = 0; i < sizeof(src_cases) / sizeof(src_cases[0]); i++) {
		const struct src_case *c = &src_cases[i];
		struct mpa_sources src;
		struct mpa_policy *p;

		print_message("%s\n", c->name);
		mpa_sources_init(&src, t->sys, c->env ? t->env : NULL,
				 c->xdg ? t->xdg : NULL,
				 c->home ? t->home : NULL, c->secure);
		p = mpa_policy_load(&src);
		assert_non_null(p);
		assert_int_equal(p->ndiags, 0);
		assert_int_equal(p->nfiles, c->want_files);
		assert_int_equal(curl(p)->subflows, c->want_subflows);
		/* Drop-ins load in name order; keys they leave alone stay. */
		assert_string_equal(curl(p)->backup_ifaces.v[0].pat, "drop0");
		assert_string_equal(curl(p)->ifaces.v[0].pat, "sys0");
		assert_int_equal(p->def.subflows, 1);
		mpa_policy_free(p);
	}
}

static void test_each_source_alone(void **state)
{
	struct tree *t = *state;
	struct mpa_sources src;
	struct mpa_policy *p;
	char path[256];

	/* Nothing at all: built-in defaults, no diagnostic. */
	mpa_sources_init(&src, t->sys, NULL, NULL, NULL, false);
	p = mpa_policy_load(&src);
	assert_int_equal(p->nfiles, 0);
	assert_int_equal(p->ndiags, 0);
	assert_int_equal(curl(p)->subflows, 2);
	mpa_policy_free(p);

	put(t->env, "[program curl]\nsubflows = 6\n");
	mpa_sources_init(&src, t->sys, t->env, NULL, NULL, false);
	p = mpa_policy_load(&src);
	assert_int_equal(p->nfiles, 1);
	assert_int_equal(curl(p)->subflows, 6);
	mpa_policy_free(p);
	unlink(t->env);

	snprintf(path, sizeof(path), "%s/home/.config/mptcp-auto/policy.ini",
		 t->root);
	put(path, "[program curl]\nsubflows = 4\n");
	mpa_sources_init(&src, t->sys, NULL, NULL, t->home, false);
	p = mpa_policy_load(&src);
	assert_int_equal(p->nfiles, 1);
	assert_int_equal(curl(p)->subflows, 4);
	mpa_policy_free(p);
	unlink(path);

	snprintf(path, sizeof(path), "%s/policy.d/50-curl.ini", t->sys);
	put(path, "[program curl]\nsubflows = 7\n");
	mpa_sources_init(&src, t->sys, NULL, NULL, NULL, false);
	p = mpa_policy_load(&src);
	assert_int_equal(p->nfiles, 1);
	assert_int_equal(curl(p)->subflows, 7);
	mpa_policy_free(p);
	unlink(path);

	snprintf(path, sizeof(path), "%s/policy.ini", t->sys);
	put(path, "[program curl]\nsubflows = 8\n");
	mpa_sources_init(&src, t->sys, NULL, NULL, NULL, false);
	p = mpa_policy_load(&src);
	assert_int_equal(p->nfiles, 1);
	assert_int_equal(curl(p)->subflows, 8);
	mpa_policy_free(p);
	unlink(path);
}

/*
 * The user's layers alone (what a user's policy narrows under the
 * daemon): never the system files, and a key no user file sets stays
 * unset instead of taking its built-in default.
 */
static void test_user_layers_alone(void **state)
{
	struct tree *t = *state;
	const struct mpa_rule *r;
	struct mpa_sources src;
	struct mpa_policy *p;
	char path[256];

	write_all_sources(t);
	put(t->env, "[default]\nbackup = env0\n[program curl]\nsubflows = 6\n");
	mpa_sources_init(&src, t->sys, t->env, t->xdg, t->home, false);
	p = mpa_policy_load_user(&src);
	assert_non_null(p);
	assert_int_equal(p->ndiags, 0);
	assert_int_equal(p->nfiles, 2); /* XDG's and the environment's */
	r = curl(p);
	assert_int_equal(r->subflows, 6);
	/* From the user's [default], not from the system's interfaces. */
	assert_true(r->backup_ifaces.set);
	assert_string_equal(r->backup_ifaces.v[0].pat, "env0");
	assert_false(r->ifaces.set);
	assert_int_equal(r->ifaces.n, 0);
	/* Unset, not the built-in yes/no/2. */
	assert_int_equal(r->mptcp, MPA_UNSET);
	assert_int_equal(r->skip_local, MPA_UNSET);
	assert_int_equal(p->def.subflows, MPA_UNSET);
	mpa_policy_free(p);

	/* No user file at all: everything unset, whatever the system says. */
	mpa_sources_init(&src, t->sys, NULL, NULL, NULL, false);
	p = mpa_policy_load_user(&src);
	assert_int_equal(p->nfiles, 0);
	assert_int_equal(curl(p)->subflows, MPA_UNSET);
	assert_false(curl(p)->ifaces.set);
	mpa_policy_free(p);

	/* Secure execution: no user layer is read. */
	mpa_sources_init(&src, t->sys, t->env, t->xdg, t->home, true);
	p = mpa_policy_load_user(&src);
	assert_int_equal(p->nfiles, 0);
	mpa_policy_free(p);

	/* HOME's file when XDG_CONFIG_HOME is unset. */
	snprintf(path, sizeof(path), "%s/home/.config/mptcp-auto/policy.ini",
		 t->root);
	mpa_sources_init(&src, t->sys, NULL, NULL, t->home, false);
	p = mpa_policy_load_user(&src);
	assert_int_equal(p->nfiles, 1);
	assert_int_equal(curl(p)->subflows, 4);
	mpa_policy_free(p);
}

static void test_paths(void **state)
{
	struct mpa_sources src;

	(void)state;
	mpa_sources_init(&src, "/etc/mptcp-auto", "/srv/p.ini", NULL, "/home/u",
			 false);
	assert_string_equal(src.system_file, "/etc/mptcp-auto/policy.ini");
	assert_string_equal(src.dropin_dir, "/etc/mptcp-auto/policy.d");
	assert_string_equal(src.user_file,
			    "/home/u/.config/mptcp-auto/policy.ini");
	assert_string_equal(src.env_file, "/srv/p.ini");
	/* HOME unset (systemd services): no per-user file, no crash. */
	mpa_sources_init(&src, "/etc/mptcp-auto", NULL, NULL, NULL, false);
	assert_string_equal(src.user_file, "");
	assert_string_equal(src.env_file, "");
	/* Relative paths would mean the current directory: never. */
	mpa_sources_init(&src, "/etc/mptcp-auto", "policy.ini", "cfg", "home",
			 false);
	assert_string_equal(src.env_file, "");
	assert_string_equal(src.user_file, "");
	/* setuid/setcap: only the system files. */
	mpa_sources_init(&src, "/etc/mptcp-auto", "/srv/p.ini", "/x", "/h",
			 true);
	assert_string_equal(src.env_file, "");
	assert_string_equal(src.user_file, "");
	assert_string_equal(src.system_file, "/etc/mptcp-auto/policy.ini");
}

static void test_missing_env_file_is_an_error(void **state)
{
	struct tree *t = *state;
	struct mpa_sources src;
	struct mpa_policy *p;
	char buf[400], want[400];

	mpa_sources_init(&src, t->sys, "/nonexistent/mpa.ini", NULL, NULL,
			 false);
	p = mpa_policy_load(&src);
	assert_non_null(p);
	assert_int_equal(p->nerrors, 1);
	snprintf(want, sizeof(want),
		 "/nonexistent/mpa.ini: error: cannot "
		 "read: No such file or directory");
	assert_string_equal(mpa_diag_format(&p->diags[0], buf, sizeof(buf)),
			    want);
	mpa_policy_free(p);
}

/* A loader that blocks fails the suite instead of hanging it. */
static void on_alarm(int sig)
{
	static const char msg[] = "policy loading blocked (alarm fired)\n";

	(void)sig;
	if (write(2, msg, sizeof(msg) - 1) < 0)
		_exit(2);
	_exit(1);
}

static void guard(unsigned int seconds)
{
	signal(SIGALRM, on_alarm);
	alarm(seconds);
}

/* @p has the diagnostic @want (formatted, exact). */
static bool has_diag(const struct mpa_policy *p, const char *want)
{
	char buf[512];
	int i;

	for (i = 0; i < p->ndiags; i++)
		if (!strcmp(mpa_diag_format(&p->diags[i], buf, sizeof(buf)),
			    want))
			return true;
	return false;
}

static void print_diags(const struct mpa_policy *p)
{
	char buf[512];
	int i;

	for (i = 0; i < p->ndiags; i++)
		print_message("  %s\n",
			      mpa_diag_format(&p->diags[i], buf, sizeof(buf)));
}

enum source_kind { ENV_FILE, DROPIN, USER_FILE };

/*
 * Regression, a FIFO as a policy file: the loader opened it before looking
 * at its type, so every program started under the shim (and `mptcp-auto
 * check`) blocked in open() until a writer came. Only regular files are
 * read; anything else is reported, and the other sources still apply.
 */
static void test_fifo_is_not_read(void **state)
{
	static const struct fifo_case {
		const char *name;
		enum source_kind kind;
		const char *severity;
	} cases[] = {
		{ "environment file", ENV_FILE, "error" },
		{ "drop-in", DROPIN, "warning" },
		{ "per-user file", USER_FILE, "warning" },
	};
	struct tree *t = *state;
	char sys[256], fifo[256], want[512];
	size_t i;

	snprintf(sys, sizeof(sys), "%s/policy.ini", t->sys);
	put(sys, "[default]\nsubflows = 3\n");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct fifo_case *c = &cases[i];
		struct mpa_sources src;
		struct mpa_policy *p;

		print_message("%s\n", c->name);
		if (c->kind == ENV_FILE)
			snprintf(fifo, sizeof(fifo), "%s", t->env);
		else if (c->kind == DROPIN)
			snprintf(fifo, sizeof(fifo), "%s/policy.d/50-fifo.ini",
				 t->sys);
		else
			snprintf(fifo, sizeof(fifo),
				 "%s/.config/mptcp-auto/policy.ini", t->home);
		assert_int_equal(mkfifo(fifo, 0644), 0);
		mpa_sources_init(&src, t->sys,
				 c->kind == ENV_FILE ? t->env : NULL, NULL,
				 c->kind == USER_FILE ? t->home : NULL, false);
		guard(5);
		p = mpa_policy_load(&src);
		alarm(0);
		assert_non_null(p);
		print_diags(p);
		snprintf(want, sizeof(want),
			 "%s: %s: cannot read: not a regular file", fifo,
			 c->severity);
		assert_true(has_diag(p, want));
		assert_int_equal(p->ndiags, 1);
		assert_int_equal(p->nfiles, 1);
		assert_int_equal(p->def.subflows, 3);
		mpa_policy_free(p);
		assert_int_equal(unlink(fifo), 0);
	}
}

/* mptcp-auto check FILE: the same through mpa_policy_load_files(). */
static void test_fifo_named_file(void **state)
{
	struct tree *t = *state;
	const char *path = t->env;
	struct mpa_policy *p;
	char want[512];

	assert_int_equal(mkfifo(path, 0644), 0);
	guard(5);
	p = mpa_policy_load_files(&path, 1);
	alarm(0);
	assert_non_null(p);
	snprintf(want, sizeof(want),
		 "%s: error: cannot read: not a regular file", path);
	assert_true(has_diag(p, want));
	assert_int_equal(p->nerrors, 1);
	mpa_policy_free(p);
}

/* Devices and folders are named for what they are, never read. */
static void test_other_non_regular_files(void **state)
{
	struct tree *t = *state;
	static const struct {
		const char *path, *diag;
	} cases[] = {
		{ "/dev/zero",
		  "/dev/zero: error: cannot read: not a regular file" },
		{ "/dev/null",
		  "/dev/null: error: cannot read: not a regular file" },
		{ "/tmp", "/tmp: error: cannot read: is a directory" },
	};
	char link[256], want[512];
	struct mpa_sources src;
	struct mpa_policy *p;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("%s\n", cases[i].path);
		mpa_sources_init(&src, t->sys, cases[i].path, NULL, NULL,
				 false);
		guard(5);
		p = mpa_policy_load(&src);
		alarm(0);
		assert_non_null(p);
		print_diags(p);
		assert_int_equal(p->ndiags, 1);
		assert_true(has_diag(p, cases[i].diag));
		mpa_policy_free(p);
	}

	/* A symbolic link to a regular file is read; one to a FIFO is not. */
	put(t->env, "[program curl]\nsubflows = 6\n");
	snprintf(link, sizeof(link), "%s/link.ini", t->root);
	assert_int_equal(symlink(t->env, link), 0);
	mpa_sources_init(&src, t->sys, link, NULL, NULL, false);
	p = mpa_policy_load(&src);
	assert_int_equal(p->ndiags, 0);
	assert_int_equal(curl(p)->subflows, 6);
	mpa_policy_free(p);
	assert_int_equal(unlink(t->env), 0);
	assert_int_equal(mkfifo(t->env, 0644), 0);
	guard(5);
	p = mpa_policy_load(&src);
	alarm(0);
	snprintf(want, sizeof(want),
		 "%s: error: cannot read: not a regular file", link);
	assert_true(has_diag(p, want));
	mpa_policy_free(p);
}

#define DROPINS 1030

/*
 * Regression, more than 1,024 drop-ins: the first 1,024 names readdir()
 * returned were kept, then sorted, so an arbitrary subset applied,
 * silently. Now the first 1,024 by name apply, and the rest is reported.
 * The files are created in a shuffled order.
 */
static void test_dropin_limit(void **state)
{
	struct tree *t = *state;
	char path[256], text[128], want[512];
	struct mpa_sources src;
	struct mpa_policy *p;
	int i, k;

	for (k = 0; k < DROPINS; k++) {
		i = (k * 7) % DROPINS; /* 7 and 1030 are coprime */
		snprintf(path, sizeof(path), "%s/policy.d/%04d.ini", t->sys, i);
		snprintf(text, sizeof(text),
			 "[program p%04d]\nsubflows = 1\n%s", i,
			 i == 1023	  ? "[default]\nsubflows = 5\n" :
			 i == DROPINS - 1 ? "[default]\nsubflows = 7\n" :
					    "");
		put(path, text);
	}
	/* Not *.ini: never counted. */
	snprintf(path, sizeof(path), "%s/policy.d/0000.ini.bak", t->sys);
	put(path, "[default]\nsubflows = 8\n");
	snprintf(path, sizeof(path), "%s/policy.d/.0000.ini", t->sys);
	put(path, "[default]\nsubflows = 8\n");

	mpa_sources_init(&src, t->sys, NULL, NULL, NULL, false);
	p = mpa_policy_load(&src);
	assert_non_null(p);
	print_diags(p);
	assert_int_equal(p->nfiles, 1024);
	assert_int_equal(p->nprograms, 1024);
	for (i = 0; i < 1024; i++) {
		snprintf(text, sizeof(text), "p%04d", i);
		assert_string_equal(p->programs[i].program, text);
	}
	/* The 1,024th by name applies, the last by name does not. */
	assert_int_equal(p->def.subflows, 5);
	assert_int_equal(p->ndiags, 1);
	snprintf(want, sizeof(want),
		 "%s/policy.d: warning: %d drop-ins ignored: only the first "
		 "1024 by name are read (the first ignored is 1024.ini)",
		 t->sys, DROPINS - 1024);
	assert_true(has_diag(p, want));
	mpa_policy_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_precedence_table, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_each_source_alone, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_user_layers_alone, setup,
						teardown),
		cmocka_unit_test(test_paths),
		cmocka_unit_test_setup_teardown(
			test_missing_env_file_is_an_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fifo_is_not_read, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_fifo_named_file, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_other_non_regular_files,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_dropin_limit, setup,
						teardown),
	};

	return cmocka_run_group_tests_name("policy-sources", tests, NULL, NULL);
}

// SPDX-License-Identifier: MIT
/*
 * The command's pure parts: environment merging, static binaries, program
 * lookup, unit names, Environment= quoting and the drop-in; the daemon's
 * status line and the path a program takes; what run says a program
 * will get, and the rule under the daemon that explain states.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mpa_cli.h"

#define SHIM "/usr/$LIB/libmptcp_auto.so"

static const struct preload_case {
	const char *current, *want;
} preload_cases[] = {
	{ NULL, SHIM },
	{ "", SHIM },
	{ "/lib/a.so", "/lib/a.so:" SHIM },
	{ "/lib/a.so:/lib/b.so", "/lib/a.so:/lib/b.so:" SHIM },
	/* Already there (colon- or space-separated): not twice. */
	{ SHIM, SHIM },
	{ "/lib/a.so:" SHIM, "/lib/a.so:" SHIM },
	{ SHIM " /lib/a.so", SHIM " /lib/a.so" },
	/* A longer name that merely contains ours is another library. */
	{ SHIM ".old", SHIM ".old:" SHIM },
	{ "/opt/xlibmptcp_auto.so", "/opt/xlibmptcp_auto.so:" SHIM },
	{ "/opt/libmptcp_auto.so/a.so", "/opt/libmptcp_auto.so/a.so:" SHIM },
	/*
	 * The shim at another path (installed, a build tree, bare for the
	 * library path): it is loaded already, so a second copy must not be.
	 */
	{ "/usr/local/lib/x86_64-linux-gnu/libmptcp_auto.so",
	  "/usr/local/lib/x86_64-linux-gnu/libmptcp_auto.so" },
	{ "/lib/a.so:build/libmptcp_auto.so",
	  "/lib/a.so:build/libmptcp_auto.so" },
	{ "libmptcp_auto.so /lib/a.so", "libmptcp_auto.so /lib/a.so" },
	{ "/usr/local/$LIB/libmptcp_auto.so",
	  "/usr/local/$LIB/libmptcp_auto.so" },
};

static void test_ld_preload_add(void **state)
{
	char out[512], again[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(preload_cases) / sizeof(preload_cases[0]); i++) {
		assert_int_equal(ld_preload_add(preload_cases[i].current, SHIM,
						out, sizeof(out)),
				 0);
		assert_string_equal(out, preload_cases[i].want);
		/* Running the launcher twice changes nothing more. */
		assert_int_equal(
			ld_preload_add(out, SHIM, again, sizeof(again)), 0);
		assert_string_equal(again, preload_cases[i].want);
	}
	assert_int_equal(ld_preload_add("/x", SHIM, out, 8), -ENOSPC);
}

static const struct find_case {
	const char *list;
	int at, len; /* -1: not found */
} find_cases[] = {
	{ NULL, -1, 0 },
	{ "", -1, 0 },
	{ "/lib/a.so", -1, 0 },
	{ "/lib/a.so:/opt/libmptcp_auto.so b.so", 10, 21 },
	{ "libmptcp_auto.so", 0, 16 },
	{ "/a/libmptcp_auto.so:" SHIM, 0, 19 }, /* the first one */
	{ "/a/libmptcp_auto.so.1", -1, 0 },
};

static void test_ld_preload_find(void **state)
{
	const char *p;
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(find_cases) / sizeof(find_cases[0]); i++) {
		n = 0;
		p = ld_preload_find(find_cases[i].list, SHIM, &n);
		if (find_cases[i].at < 0) {
			assert_null(p);
			continue;
		}
		assert_ptr_equal(p, find_cases[i].list + find_cases[i].at);
		assert_int_equal(n, find_cases[i].len);
	}
}

static const struct godebug_case {
	const char *current, *want;
} godebug_cases[] = {
	{ NULL, "multipathtcp=1" },
	{ "", "multipathtcp=1" },
	{ "http2client=0", "http2client=0,multipathtcp=1" },
	{ "multipathtcp=0", "multipathtcp=0" },
	{ "a=1,multipathtcp=2", "a=1,multipathtcp=2" },
	{ "xmultipathtcp=0", "xmultipathtcp=0,multipathtcp=1" },
};

static void test_godebug_add(void **state)
{
	char out[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(godebug_cases) / sizeof(godebug_cases[0]); i++) {
		assert_int_equal(godebug_add(godebug_cases[i].current, out,
					     sizeof(out)),
				 0);
		assert_string_equal(out, godebug_cases[i].want);
	}
}

static void test_elf_is_static(void **state)
{
	(void)state;
	assert_int_equal(elf_is_static("/bin/sh"), 0); /* dynamic */
	assert_int_equal(elf_is_static("/etc/hostname"), 0); /* not ELF */
	assert_int_equal(elf_is_static("/nonexistent"), -ENOENT);
	if (!access(FIXTURES "/../../build/tests/static-hello", X_OK))
		assert_int_equal(elf_is_static(
					 FIXTURES
					 "/../../build/tests/static-hello"),
				 1);
}

/*
 * program_find(), in a directory of its own: d1/foo and d4/foo are not
 * executable, d2/foo is, d3/foo is a directory; ./exe, ./noexec, ./dir.
 * The results are bash's (tests/integration/cli.sh compares the two).
 */
static const struct prog_case {
	const char *prog, *path;
	int rc;
	const char *out;
} prog_cases[] = {
	{ "foo", "d2", 0, "d2/foo" },
	{ "foo", "d1:d2", 0, "d2/foo" },
	{ "foo", "nowhere:d3:d2", 0, "d2/foo" },
	/* Only non-executable files: the first is reported, 126. */
	{ "foo", "d1", -EACCES, "d1/foo" },
	{ "foo", "d1:d4", -EACCES, "d1/foo" },
	{ "foo", "d4:d1", -EACCES, "d4/foo" },
	/* A directory first: bash says "not found", 127. */
	{ "foo", "d3", -ENOENT, NULL },
	{ "foo", "d3:d1", -ENOENT, NULL },
	{ "foo", "nowhere", -ENOENT, NULL },
	/* Empty entries are the current directory. */
	{ "exe", "", 0, "./exe" },
	{ "exe", "d1::d2", 0, "./exe" },
	{ "exe", "d1:d2", -ENOENT, NULL },
	{ "", "d2", -ENOENT, NULL },
	/* With a '/': the file itself, PATH unused. */
	{ "./exe", "d2", 0, "./exe" },
	{ "d2/foo", "", 0, "d2/foo" },
	{ "./noexec", NULL, -EACCES, "./noexec" },
	{ "d1/foo", "d2", -EACCES, "d1/foo" },
	{ "./dir", NULL, -EISDIR, "./dir" },
	{ "./missing", NULL, -ENOENT, NULL },
	{ "./noexec/x", NULL, -ENOTDIR, NULL },
};

static void make_file(const char *path, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, "#!/bin/sh\n", 10), 10);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static void test_program_find(void **state)
{
	char dir[] = "/tmp/mpa-test-cli-XXXXXX", out[PATH_MAX], cmd[64];
	int cwd = open(".", O_RDONLY | O_DIRECTORY), rc;
	size_t i;

	(void)state;
	assert_true(cwd >= 0);
	assert_non_null(mkdtemp(dir));
	assert_int_equal(chdir(dir), 0);
	assert_int_equal(mkdir("d1", 0755) | mkdir("d2", 0755) |
				 mkdir("d3", 0755) | mkdir("d3/foo", 0755) |
				 mkdir("d4", 0755) | mkdir("dir", 0755),
			 0);
	make_file("d1/foo", 0644);
	make_file("d2/foo", 0755);
	make_file("d4/foo", 0644);
	make_file("exe", 0755);
	make_file("noexec", 0644);
	for (i = 0; i < sizeof(prog_cases) / sizeof(prog_cases[0]); i++) {
		const struct prog_case *c = &prog_cases[i];

		out[0] = '\0';
		rc = program_find(c->prog, c->path, out, sizeof(out));
		if (rc != c->rc)
			fail_msg("program_find(\"%s\", \"%s\"): %d, want %d",
				 c->prog, c->path ? c->path : "(null)", rc,
				 c->rc);
		if (c->out)
			assert_string_equal(out, c->out);
	}
	/* Found, but the caller's buffer cannot hold the path. */
	assert_int_equal(program_find("foo", "d2", out, 4), -ENAMETOOLONG);
	assert_int_equal(fchdir(cwd), 0);
	close(cwd);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static const struct unit_case {
	const char *arg;
	const char *want; /* the name, or a piece of the reason */
	int rc;
} unit_cases[] = {
	{ "nginx", "nginx.service", 0 },
	{ "nginx.service", "nginx.service", 0 },
	{ "getty@tty1.service", "getty@tty1.service", 0 },
	{ "getty@", "getty@.service", 0 }, /* a template */
	{ "a@b@c", "a@b@c.service", 0 },
	{ "sys-dev\\x2dx:a_b", "sys-dev\\x2dx:a_b.service", 0 },
	{ "a.b.service", "a.b.service", 0 },
	{ "", "the unit name is empty", -EINVAL },
	{ "we b", "character 3 is a space (byte 0x20)", -EINVAL },
	{ "a/b", "unit name \"a/b\": '/' is not allowed", -EINVAL },
	{ "../x.service", "'/' is not allowed", -EINVAL },
	{ "a\nb", "character 2 is a newline", -EINVAL },
	{ "a\tb", "character 2 is a control character (byte 0x09)", -EINVAL },
	{ "a/b\n", "character 2, '/', is not allowed", -EINVAL },
	{ "caf\xc3\xa9", "character 4 is not ASCII (byte 0xc3)", -EINVAL },
	{ "a\"b", "'\"' is not allowed", -EINVAL },
	{ "a%i", "'%' is not allowed", -EINVAL },
	{ "@x", "unit name \"@x.service\": nothing before the '@'", -EINVAL },
	{ ".service", "nothing before the suffix", -EINVAL },
	{ "foo.socket", "foo.socket is not a service unit name", -EINVAL },
	{ "foo.", "foo. is not a service unit name", -EINVAL },
	{ "foo.Service", "is not a service unit name", -EINVAL },
};

static void test_unit_name_parse(void **state)
{
	char out[MPA_UNIT_NAME_MAX + 1], why[512], arg[4096];
	static const struct {
		size_t len;
		bool dot;
		int rc;
	} lengths[] = {
		{ 247, false, 0 }, /* + ".service": 255 */
		{ 248, false, -EINVAL },  { 255, true, 0 },
		{ 256, true, -EINVAL },	  { 256, false, -EINVAL },
		{ 4000, false, -EINVAL },
	};
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(unit_cases) / sizeof(unit_cases[0]); i++) {
		const struct unit_case *c = &unit_cases[i];

		out[0] = why[0] = '\0';
		rc = unit_name_parse(c->arg, out, sizeof(out), why,
				     sizeof(why));
		if (rc != c->rc)
			fail_msg("unit_name_parse(\"%s\"): %d (%s), want %d",
				 c->arg, rc, why, c->rc);
		if (!rc)
			assert_string_equal(out, c->want);
		else if (!strstr(why, c->want))
			fail_msg("unit_name_parse(\"%s\"): \"%s\" lacks "
				 "\"%s\"",
				 c->arg, why, c->want);
	}
	/* Long names: refused, never truncated (or crashing). */
	for (i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
		size_t n = lengths[i].len;

		memset(arg, 'a', n);
		if (lengths[i].dot)
			memcpy(arg + n - 8, ".service", 8);
		arg[n] = '\0';
		rc = unit_name_parse(arg, out, sizeof(out), why, sizeof(why));
		assert_int_equal(rc, lengths[i].rc);
		if (rc)
			assert_non_null(strstr(why, "too long"));
		else
			assert_int_equal(strlen(out), MPA_UNIT_NAME_MAX);
	}
}

static const struct env_case {
	const char *value;
	int check; /* env_value_check(), and the byte it points at */
	size_t bad;
	const char *quoted; /* env_quote("N", value); NULL: -EINVAL */
} env_cases[] = {
	{ "/etc/p.ini", 0, 0, "\"N=/etc/p.ini\"" },
	{ "", 0, 0, "\"N=\"" },
	{ "/a b/p.ini", 0, 0, "\"N=/a b/p.ini\"" },
	{ "/a\"b", 0, 0, "\"N=/a\\\"b\"" },
	{ "/a\\b", 0, 0, "\"N=/a\\\\b\"" },
	{ "\\\"", 0, 0, "\"N=\\\\\\\"\"" },
	{ "100%", 0, 0, "\"N=100%%\"" },
	{ "%n%%", 0, 0, "\"N=%%n%%%%\"" },
	{ "/usr/$LIB/x.so", 0, 0, "\"N=/usr/$LIB/x.so\"" }, /* $ is literal */
	{ "it's", 0, 0, "\"N=it's\"" },
	{ "/p \"q\" 100% a\\b.ini", 0, 0,
	  "\"N=/p \\\"q\\\" 100%% a\\\\b.ini\"" },
	{ "/caf\xc3\xa9/\xf0\x9f\x98\x80", 0, 0,
	  "\"N=/caf\xc3\xa9/\xf0\x9f\x98\x80\"" },
	/* Control characters: a newline would start a new directive. */
	{ "/p\nExecStartPre=/bin/sh", -EINVAL, 2, NULL },
	{ "/p\"\nExecStartPre=/bin/sh", -EINVAL, 3, NULL },
	{ "\t", -EINVAL, 0, NULL },
	{ "a\r", -EINVAL, 1, NULL },
	{ "a\x7f", -EINVAL, 1, NULL },
	{ "a\x1b[31m", -EINVAL, 1, NULL },
	/* Not UTF-8: systemd drops the whole assignment. */
	{ "/p\xff", -EILSEQ, 2, NULL },
	{ "/p\xc3", -EILSEQ, 2, NULL }, /* cut short */
	{ "\xc0\xaf", -EILSEQ, 0, NULL }, /* overlong '/' */
	{ "a\xed\xa0\x80", -EILSEQ, 1, NULL }, /* a surrogate */
	{ "\xef\xbf\xbf", -EILSEQ, 0, NULL }, /* U+FFFF */
	{ "\xf4\x90\x80\x80", -EILSEQ, 0, NULL }, /* above U+10FFFF */
};

/* The socket unit that may activate a service, templates included. */
static void test_socket_unit_name(void **state)
{
	static const struct {
		const char *unit, *want;
	} cases[] = {
		{ "ssh.service", "ssh.socket" },
		{ "my.web.service", "my.web.socket" },
		{ "ssh@.service", "ssh.socket" },
		{ "ssh@1-10.0.0.1:22.service", "ssh.socket" },
	};
	char out[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(
			socket_unit_name(cases[i].unit, out, sizeof(out)), 0);
		assert_string_equal(out, cases[i].want);
	}
	assert_int_equal(socket_unit_name("ssh.service", out, 10), -ENOSPC);
}

static void test_env_quote(void **state)
{
	size_t i, len, bad;
	char *out;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(env_cases) / sizeof(env_cases[0]); i++) {
		const struct env_case *c = &env_cases[i];

		bad = 99;
		rc = env_value_check(c->value, &bad);
		if (rc != c->check)
			fail_msg("env_value_check(case %zu): %d, want %d", i,
				 rc, c->check);
		if (rc)
			assert_int_equal(bad, c->bad);
		out = malloc(256);
		rc = env_quote("N", c->value, out, 256);
		if (!c->quoted) {
			assert_int_equal(rc, -EINVAL);
			free(out);
			continue;
		}
		assert_int_equal(rc, (int)strlen(c->quoted));
		assert_string_equal(out, c->quoted);
		free(out);
		/* Every shorter buffer: -ENOSPC, no byte written past it
		 * (ASan watches the exact-size allocation). */
		for (len = 0; len <= strlen(c->quoted); len++) {
			out = malloc(len ? len : 1);
			assert_int_equal(env_quote("N", c->value, out, len),
					 -ENOSPC);
			free(out);
		}
	}
}

#define HEAD(u)                                               \
	"# Written by `mptcp-auto enable " u "`; removed by " \
	"`mptcp-auto disable " u "`.\n"                       \
	"# The unit's own file is left untouched.\n"          \
	"[Service]\n"
#define HEAD_A HEAD("a.service")

static void test_dropin_render(void **state)
{
	static const char with_policy[] = HEAD_A
		"Environment=\"LD_PRELOAD=" SHIM "\"\n"
		"Environment=\"MPTCP_AUTO_POLICY=/etc/p.ini\"\n";
	static const char quoted[] = HEAD_A
		"Environment=\"LD_PRELOAD=/opt/100%%/libmptcp_auto.so\"\n"
		"Environment=\"MPTCP_AUTO_POLICY=/etc/a \\\"b\\\" 100%% "
		"c\\\\d.ini\"\n";
	char out[1024], *small;
	size_t len;
	int n;

	(void)state;
	n = dropin_render("nginx.service", SHIM, NULL, out, sizeof(out));
	assert_int_equal(n, (int)strlen(out));
	assert_string_equal(out,
			    HEAD("nginx.service") "Environment=\""
						  "LD_PRELOAD=" SHIM "\"\n");
	n = dropin_render("a.service", SHIM, "/etc/p.ini", out, sizeof(out));
	assert_int_equal(n, (int)strlen(out));
	assert_string_equal(out, with_policy);
	/* Both values quoted and escaped, one line each. */
	n = dropin_render("a.service", "/opt/100%/libmptcp_auto.so",
			  "/etc/a \"b\" 100% c\\d.ini", out, sizeof(out));
	assert_int_equal(n, (int)strlen(quoted));
	assert_string_equal(out, quoted);
	/* A newline cannot be carried: refused, not written. */
	assert_int_equal(dropin_render("a.service", SHIM,
				       "/p\nExecStartPre=/bin/sh", out,
				       sizeof(out)),
			 -EINVAL);
	assert_int_equal(dropin_render("a.service", "/x\n", NULL, out,
				       sizeof(out)),
			 -EINVAL);
	for (len = 0; len <= strlen(quoted); len++) {
		small = malloc(len ? len : 1);
		assert_int_equal(
			dropin_render("a.service", "/opt/100%/libmptcp_auto.so",
				      "/etc/a \"b\" 100% c\\d.ini", small, len),
			-ENOSPC);
		free(small);
	}
}

static const struct path_case {
	const char *name;
	struct cli_path_facts f;
	enum cli_path want;
} path_cases[] = {
	{ "no MPTCP",
	  { true, false, MPTCPLIB_PM_UNKNOWN, true, false },
	  CLI_PATH_NONE },
	{ "daemon, user",
	  { true, true, MPTCPLIB_PM_USERSPACE, false, false },
	  CLI_PATH_DAEMON },
	{ "daemon, root: still the daemon",
	  { true, true, MPTCPLIB_PM_USERSPACE, true, false },
	  CLI_PATH_DAEMON },
	{ "daemon, kernel PM (switched back by hand)",
	  { true, true, MPTCPLIB_PM_KERNEL, false, false },
	  CLI_PATH_DAEMON },
	{ "no daemon, root, userspace",
	  { false, true, MPTCPLIB_PM_USERSPACE, true, false },
	  CLI_PATH_IN_PROCESS },
	{ "no daemon, user, userspace",
	  { false, true, MPTCPLIB_PM_USERSPACE, false, false },
	  CLI_PATH_NONE },
	{ "no daemon, kernel PM",
	  { false, true, MPTCPLIB_PM_KERNEL, true, false },
	  CLI_PATH_ENDPOINTS },
	{ "no daemon, unknown PM",
	  { false, true, MPTCPLIB_PM_UNKNOWN, true, false },
	  CLI_PATH_NONE },
	/* As the shim: no path manager of its own while a daemon may run. */
	{ "a daemon's socket we may not use, root",
	  { false, true, MPTCPLIB_PM_USERSPACE, true, true },
	  CLI_PATH_NONE },
};

static void test_path_decide(void **state)
{
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(path_cases) / sizeof(path_cases[0]); i++) {
		enum cli_path got;

		print_message("case: %s\n", path_cases[i].name);
		got = cli_path_decide(&path_cases[i].f, &why);
		assert_int_equal(got, path_cases[i].want);
		/* Nothing always says why; the others say what they do. */
		if (got == CLI_PATH_NONE)
			assert_non_null(why);
		assert_true(*cli_path_text(got, why));
	}
	assert_string_equal(cli_path_name(CLI_PATH_DAEMON), "daemon");
	assert_string_equal(cli_path_name(CLI_PATH_IN_PROCESS), "in-process");
	assert_string_equal(cli_path_name(CLI_PATH_ENDPOINTS),
			    "kernel endpoints");
	assert_string_equal(cli_path_name(CLI_PATH_NONE), "nothing");
}

/* Hosts, by what they are. */
#define H_USER                                                   \
	{                                                        \
		false, true, MPTCPLIB_PM_USERSPACE, false, false \
	}
#define H_ROOT                                                  \
	{                                                       \
		false, true, MPTCPLIB_PM_USERSPACE, true, false \
	}
#define H_KERNEL                                             \
	{                                                    \
		false, true, MPTCPLIB_PM_KERNEL, true, false \
	}
#define H_DAEMON                                                \
	{                                                       \
		true, true, MPTCPLIB_PM_USERSPACE, false, false \
	}
#define H_NOMPTCP                                              \
	{                                                      \
		false, false, MPTCPLIB_PM_UNKNOWN, true, false \
	}
#define H_LOCKED                                               \
	{                                                      \
		false, true, MPTCPLIB_PM_USERSPACE, true, true \
	}

static const struct cli_prog p_c = { "curl", false, -ENOENT, "", NULL };
static const struct cli_prog p_apt = { "apt-get", false, -ENOENT, "", "_apt" };
static const struct cli_prog p_go19 = { "hugo", true, 0, "go1.19.8", NULL };
static const struct cli_prog p_go17 = { "old", true, -EOPNOTSUPP,
					"go1.17 or older", NULL };
static const struct cli_prog p_go22 = { "hugo", false, 0, "go1.22.2", NULL };

static const struct outlook_case {
	const char *name;
	struct cli_path_facts host;
	const struct cli_prog *prog;
	bool converts, wants;
	int daemon_gives;
	enum cmn_say want;
	const char *says; /* in the sentence */
} outlook_cases[] = {
	{ "user, no daemon", H_USER, &p_c, true, true, -1, CMN_SAY_NO_CAP,
	  "curl will get no extra subflow" },
	{ "root, userspace: the subflows come", H_ROOT, &p_c, true, true, -1,
	  CMN_SAY_NONE, NULL },
	{ "the policy asks none", H_USER, &p_c, true, false, -1, CMN_SAY_NONE,
	  NULL },
	{ "the policy turns MPTCP off", H_USER, &p_go19, false, false, -1,
	  CMN_SAY_NONE, NULL },
	{ "kernel path manager", H_KERNEL, &p_c, true, true, -1,
	  CMN_SAY_KERNEL_PM, "net.mptcp.path_manager=userspace" },
	{ "no MPTCP", H_NOMPTCP, &p_c, true, true, -1, CMN_SAY_NO_MPTCP,
	  "plain TCP" },
	{ "apt as root, no daemon", H_ROOT, &p_apt, true, true, -1,
	  CMN_SAY_DROPPED, "run as user _apt" },
	{ "apt under the daemon", H_DAEMON, &p_apt, true, true, 1, CMN_SAY_NONE,
	  NULL },
	{ "the daemon's rule gives none", H_DAEMON, &p_c, true, true, 0,
	  CMN_SAY_DAEMON_NONE, "can only narrow" },
	{ "the daemon's policy unread: nothing claimed", H_DAEMON, &p_c, true,
	  true, -1, CMN_SAY_NONE, NULL },
	{ "an unusable daemon socket", H_LOCKED, &p_c, true, true, -1,
	  CMN_SAY_UNREACHABLE, "cannot be used" },
	/* Go: before 1.21 plain TCP on every path, even with no subflows. */
	{ "Go 1.19, root", H_ROOT, &p_go19, true, false, -1, CMN_SAY_GO_OLD,
	  "Go before 1.21 ignores GODEBUG=multipathtcp=1" },
	{ "Go 1.17, daemon", H_DAEMON, &p_go17, true, true, 1, CMN_SAY_GO_OLD,
	  "(go1.17 or older)" },
	{ "Go 1.22, root", H_ROOT, &p_go22, true, true, -1, CMN_SAY_GO_UNSEEN,
	  "no extra subflow from the policy" },
	{ "Go 1.22, daemon", H_DAEMON, &p_go22, true, true, 1,
	  CMN_SAY_GO_UNSEEN, "connections no program registers" },
	{ "Go 1.22, kernel: the endpoints as for any", H_KERNEL, &p_go22, true,
	  true, -1, CMN_SAY_KERNEL_PM, "endpoints decide" },
	{ "Go 1.22, no subflows asked", H_ROOT, &p_go22, true, false, -1,
	  CMN_SAY_NONE, NULL },
};

static void test_outlook(void **state)
{
	char line[1024];
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(outlook_cases) / sizeof(outlook_cases[0]); i++) {
		const struct outlook_case *c = &outlook_cases[i];
		struct cli_outlook_in in = { .host = c->host,
					     .prog = c->prog,
					     .converts = c->converts,
					     .wants = c->wants,
					     .daemon_gives = c->daemon_gives,
					     .endpoints = 0,
					     .daemon_socket = "/run/x.sock",
					     .daemon_why =
						     "Permission denied" };
		enum cmn_say got;

		print_message("case: %s\n", c->name);
		in.path = cli_path_decide(&c->host, &why);
		got = cli_outlook_reason(&in);
		assert_int_equal(got, c->want);
		if (got == CMN_SAY_NONE)
			continue;
		cli_outlook_line(&in, got, line, sizeof(line));
		if (!strstr(line, c->says))
			fail_msg("\"%s\" lacks \"%s\"", line, c->says);
		/* What happens instead, and what to do or what would. */
		assert_non_null(strstr(line, c->prog->name));
	}
	assert_string_equal(cli_prog_drops_to("apt-get"), "_apt");
	assert_string_equal(cli_prog_drops_to("aptitude"), "_apt");
	assert_null(cli_prog_drops_to("curl"));
	assert_null(cli_prog_drops_to("apt-getx"));
}

/* A user's rule as mpa_policy_load_user() leaves it: nothing set. */
static void user_rule_unset(struct mpa_rule *u)
{
	memset(u, 0, sizeof(*u));
	u->mptcp = u->subflows = u->skip_local = u->reopen = MPA_UNSET;
	u->subflow_delay = -1;
}

/* Under the daemon: its rule, narrowed by the user's, as both sides do. */
static void test_daemon_rule(void **state)
{
	static const char *const name = "daemon.ini";
	static const char *const text =
		"[default]\ninterfaces = c2, c3\nsubflows = 2\n";
	struct sockaddr_in in10 = { .sin_family = AF_INET,
				    .sin_port = htons(80),
				    .sin_addr.s_addr = htonl(0x0a000001) };
	struct mpa_prog_id id = { 0 };
	struct cli_view v = { 0 };
	struct mpa_rule user, r;
	size_t len = strlen(text);

	(void)state;
	v.daemon = mpa_policy_load_buffers(&name, &text, &len, 1);
	assert_non_null(v.daemon);
	v.daemon_rule = mpa_policy_program(v.daemon, &id);
	v.user_rule = &user;
	/* The user's policy says nothing: the daemon's rule. */
	user_rule_unset(&user);
	assert_true(cli_daemon_rule(&v, NULL, &r));
	assert_int_equal(r.ifaces.n, 2);
	assert_int_equal(r.subflows, 2);
	/* Only c3. */
	user.ifaces.set = true;
	user.ifaces.n = 1;
	strcpy(user.ifaces.v[0].pat, "c3");
	assert_true(cli_daemon_rule(&v, NULL, &r));
	assert_int_equal(r.ifaces.n, 1);
	assert_string_equal(r.ifaces.v[0].pat, "c3");
	/* No subflow at all. */
	user_rule_unset(&user);
	user.subflows = 0;
	assert_true(cli_daemon_rule(&v, NULL, &r));
	assert_int_equal(r.subflows, 0);
	/* A destination filter is per connection: any destination passes,
	 * but not one it excludes (registered with user-subflows 0). */
	user_rule_unset(&user);
	user.exclude_dests.set = true;
	user.exclude_dests.n = 1;
	user.exclude_dests.v[0] = (struct mpa_prefix){ AF_INET, { 10 }, 8 };
	assert_true(cli_daemon_rule(&v, NULL, &r));
	assert_int_equal(r.subflows, 2);
	assert_true(cli_daemon_rule(&v, (const struct sockaddr *)&in10, &r));
	assert_int_equal(r.subflows, 0);
	/* The daemon's policy could not be read: nothing claimed. */
	mpa_policy_free(v.daemon);
	v.daemon_rule = NULL;
	assert_false(cli_daemon_rule(&v, NULL, &r));
}

static void test_daemon_line(void **state)
{
	struct cli_daemon *d = calloc(1, sizeof(*d));
	char line[512], small[30];

	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	strcpy(d->path, "/run/x/pm.sock");
	strcpy(d->why, "No such file or directory");
	cli_daemon_line(d, line, sizeof(line));
	assert_string_equal(line, "daemon: not running (socket /run/x/pm.sock: "
				  "No such file or directory)");
	d->running = true;
	d->pid = 42;
	eng_wire_init(&d->state, ENG_WIRE_STATE, 1);
	d->state.since = 86400;
	cli_daemon_line(d, line, sizeof(line));
	assert_string_equal(line, "daemon: running (pid 42, since 1970-01-02 "
				  "00:00:00, serving 0 registrations)");
	d->state.served[d->state.nserved++] =
		(struct eng_wire_served){ 1000, "curl", 2 };
	d->state.served[d->state.nserved++] =
		(struct eng_wire_served){ 0, "apt", 1 };
	d->state.served_other = 4;
	assert_int_equal(cli_daemon_total(d), 7);
	cli_daemon_line(d, line, sizeof(line));
	assert_string_equal(line, "daemon: running (pid 42, since 1970-01-02 "
				  "00:00:00, serving 7 registrations: uid 1000 "
				  "prog curl 2, uid 0 prog apt 1, others 4)");
	/* Cut, never past the buffer. */
	cli_daemon_line(d, small, sizeof(small));
	assert_int_equal(strlen(small), sizeof(small) - 1);
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_decide),
		cmocka_unit_test(test_daemon_line),
		cmocka_unit_test(test_outlook),
		cmocka_unit_test(test_daemon_rule),
		cmocka_unit_test(test_ld_preload_add),
		cmocka_unit_test(test_ld_preload_find),
		cmocka_unit_test(test_godebug_add),
		cmocka_unit_test(test_elf_is_static),
		cmocka_unit_test(test_program_find),
		cmocka_unit_test(test_unit_name_parse),
		cmocka_unit_test(test_socket_unit_name),
		cmocka_unit_test(test_env_quote),
		cmocka_unit_test(test_dropin_render),
	};

	return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}

// SPDX-License-Identifier: MIT
/*
 * mptcp-auto enable/disable: a systemd drop-in that preloads the shim for
 * one unit. The unit's own file is never touched.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mpa_cli.h"

#define DROPIN_NAME "mptcp-auto.conf"

static const char enable_help[] =
	"usage: mptcp-auto enable UNIT [--policy FILE] [--dry-run] [--root DIR]\n"
	"\n"
	"Preload libmptcp_auto.so into a systemd service through a drop-in,\n"
	"/etc/systemd/system/UNIT.d/" DROPIN_NAME
	", then reload systemd if it\n"
	"runs. Restart the unit for it to take effect. UNIT is a service\n"
	"name (nginx means nginx.service) of letters, digits, \":-_.\\\" and\n"
	"'@', at most 255 characters.\n"
	"\n"
	"  --policy FILE   policy file for this unit (MPTCP_AUTO_POLICY)\n"
	"  --dry-run       print what would be written, write nothing\n"
	"  --root DIR      operate on DIR, an existing directory, as the root\n"
	"                  directory (no reload)\n";

static const char disable_help[] =
	"usage: mptcp-auto disable UNIT [--dry-run] [--root DIR]\n"
	"\n"
	"Remove the drop-in written by `mptcp-auto enable UNIT` (and nothing\n"
	"else), then reload systemd if it runs.\n";

struct unit_args {
	char unit[MPA_UNIT_NAME_MAX + 1];
	const char *policy;
	const char *root;
	bool dry_run;
};

/* --root must name an existing directory: a typo creates nothing. */
static int check_root(const char *cmd, const char *root)
{
	struct stat st;

	if (stat(root, &st) < 0)
		return cli_error(2, "%s: --root %s: %s", cmd, root,
				 errno == ENOENT ? "no such directory" :
						   strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return cli_error(2, "%s: --root %s: not a directory", cmd,
				 root);
	return 0;
}

/* The policy path goes into Environment=: refuse what it cannot carry. */
static int check_policy(const char *policy)
{
	size_t bad;
	int err = env_value_check(policy, &bad);

	if (err == -EINVAL)
		return cli_error(2,
				 "enable: --policy: the file's path has a %s "
				 "(byte %zu), which a systemd drop-in cannot "
				 "carry; move or rename the file",
				 policy[bad] == '\n' ? "newline" :
						       "control character",
				 bad + 1);
	if (err)
		return cli_error(2,
				 "enable: --policy: the file's path is not "
				 "valid UTF-8 (byte %zu), which systemd "
				 "ignores in Environment=; move or rename the "
				 "file",
				 bad + 1);
	return 0;
}

static int parse(int argc, char **argv, struct unit_args *a, bool enable)
{
	static char policy[PATH_MAX];
	const char *cmd = enable ? "enable" : "disable", *unit = NULL;
	char why[512];
	int i;

	memset(a, 0, sizeof(*a));
	a->root = "";
	for (i = 1; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			fputs(enable ? enable_help : disable_help, stdout);
			return 1;
		} else if (!strcmp(argv[i], "--dry-run")) {
			a->dry_run = true;
		} else if (!strcmp(argv[i], "--root") && i + 1 < argc) {
			a->root = argv[++i];
			if (check_root(cmd, a->root))
				return 2;
		} else if (enable && !strcmp(argv[i], "--policy") &&
			   i + 1 < argc) {
			if (!realpath(argv[++i], policy))
				return cli_error(2, "policy %s: %s", argv[i],
						 strerror(errno));
			if (check_policy(policy))
				return 2;
			a->policy = policy;
		} else if (argv[i][0] == '-' || unit) {
			return cli_error(2, "%s: unexpected argument %s", cmd,
					 argv[i]);
		} else {
			unit = argv[i];
		}
	}
	if (!unit)
		return cli_error(2, "%s: no unit given", cmd);
	if (unit_name_parse(unit, a->unit, sizeof(a->unit), why, sizeof(why)))
		return cli_error(2, "%s: %s", cmd, why);
	return 0;
}

/* systemctl daemon-reload, when systemd runs and we work on "/". */
static void reload(const struct unit_args *a)
{
	pid_t pid;
	int status;

	if (a->root[0] || access("/run/systemd/system", F_OK))
		return;
	pid = fork();
	if (pid == 0) {
		execlp("systemctl", "systemctl", "daemon-reload", (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		cli_error(0, "warning: systemctl daemon-reload failed; run it "
			     "yourself");
}

/* Where units and their .wants/.requires links live, first wins. */
static const char *const unit_dirs[] = { "/etc/systemd/system",
					 "/run/systemd/system",
					 "/usr/lib/systemd/system",
					 "/lib/systemd/system" };

#define NDIRS (sizeof(unit_dirs) / sizeof(unit_dirs[0]))

/*
 * Is unit @name enabled below @root: its file is there, it is not masked
 * (the first file found is a link to /dev/null), and a *.wants or
 * *.requires folder of a unit directory names it (what systemctl enable,
 * or a vendor's preset, leaves). The folder's name in @by.
 */
static bool unit_enabled(const char *root, const char *name, char *by,
			 size_t by_len)
{
	char path[PATH_MAX], target[PATH_MAX];
	bool found = false;
	struct dirent *de;
	struct stat st;
	size_t i, len;
	ssize_t n;
	DIR *d;

	/* The first file found is the unit, as systemd looks it up. */
	for (i = 0; i < NDIRS && !found; i++) {
		snprintf(path, sizeof(path), "%s%s/%s", root, unit_dirs[i],
			 name);
		if (lstat(path, &st) < 0)
			continue;
		n = readlink(path, target, sizeof(target) - 1);
		if (n > 0) {
			target[n] = '\0';
			if (!strcmp(target, "/dev/null"))
				return false; /* masked */
		}
		found = true;
	}
	if (!found)
		return false;
	for (i = 0; i < NDIRS; i++) {
		snprintf(path, sizeof(path), "%s%s", root, unit_dirs[i]);
		d = opendir(path);
		while (d && (de = readdir(d))) {
			len = strlen(de->d_name);
			if (!((len > 6 &&
			       !strcmp(de->d_name + len - 6, ".wants")) ||
			      (len > 9 &&
			       !strcmp(de->d_name + len - 9, ".requires"))))
				continue;
			snprintf(path, sizeof(path), "%s%s/%s/%s", root,
				 unit_dirs[i], de->d_name, name);
			if (faccessat(AT_FDCWD, path, F_OK,
				      AT_SYMLINK_NOFOLLOW) == 0) {
				snprintf(by, by_len, "%s/%s", unit_dirs[i],
					 de->d_name);
				closedir(d);
				return true;
			}
		}
		if (d)
			closedir(d);
	}
	return false;
}

/*
 * Socket activation: systemd, not the service, creates the listeners,
 * which the preload cannot reach. Said only when the unit's socket unit
 * is enabled: a socket unit shipped but not enabled (Debian's ssh.socket)
 * activates nothing.
 */
static void warn_socket_activation(const struct unit_args *a)
{
	char name[MPA_UNIT_NAME_MAX + 1], by[PATH_MAX];

	if (socket_unit_name(a->unit, name, sizeof(name)))
		return;
	if (!unit_enabled(a->root, name, by, sizeof(by)))
		return;
	cli_error(0,
		  "warning: %s is socket-activated (%s is enabled, in %s): "
		  "systemd creates its listening sockets, which the preload "
		  "cannot see; add SocketProtocol=mptcp to %s (a drop-in in "
		  "%s.d/ will do)",
		  a->unit, name, by, name, name);
}

#define FILE_MAX (PATH_MAX + 64)

/* The drop-in's folder and file; -1 if --root makes them too long. */
static int dropin_path(const struct unit_args *a, char *dir, char *file)
{
	int n = snprintf(dir, PATH_MAX, "%s/etc/systemd/system/%s.d", a->root,
			 a->unit);

	if (n < 0 || n >= PATH_MAX)
		return cli_error(-1, "%s: path too long", a->root);
	snprintf(file, FILE_MAX, "%s/%s", dir, DROPIN_NAME);
	return 0;
}

static int mkdirs(char *path)
{
	char *p;

	for (p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return mkdir(path, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

int cmd_enable(int argc, char **argv)
{
	char dir[PATH_MAX], file[FILE_MAX], text[3 * PATH_MAX],
		tmp[FILE_MAX + 8];
	struct unit_args a;
	int rc = parse(argc, argv, &a, true), fd, n;

	if (rc)
		return rc == 1 ? 0 : rc;
	if (dropin_path(&a, dir, file))
		return 2;
	n = dropin_render(a.unit, MPA_SHIM_INSTALLED, a.policy, text,
			  sizeof(text));
	if (n == -EINVAL) /* the policy was checked: the built-in shim path */
		return cli_error(2,
				 "enable: the library path %s cannot be "
				 "written into a drop-in",
				 MPA_SHIM_INSTALLED);
	if (n < 0)
		return cli_error(2, "enable: path too long");
	warn_socket_activation(&a);
	if (a.dry_run) {
		printf("would write %s:\n%s", file, text);
		return 0;
	}
	if (mkdirs(dir))
		return cli_error(1, "enable: %s: %s", dir, strerror(errno));
	/* Write then rename: systemd never reads a half-written file. */
	snprintf(tmp, sizeof(tmp), "%s.tmp", file);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, text, (size_t)n) != n || close(fd) < 0 ||
	    rename(tmp, file) < 0) {
		rc = errno;
		unlink(tmp);
		return cli_error(1, "enable: %s: %s", file, strerror(rc));
	}
	printf("wrote %s\n", file);
	reload(&a);
	printf("restart %s to apply it\n", a.unit);
	return 0;
}

int cmd_disable(int argc, char **argv)
{
	char dir[PATH_MAX], file[FILE_MAX];
	struct unit_args a;
	int rc = parse(argc, argv, &a, false);

	if (rc)
		return rc == 1 ? 0 : rc;
	if (dropin_path(&a, dir, file))
		return 2;
	if (access(file, F_OK)) {
		printf("%s is not enabled (no %s)\n", a.unit, file);
		return 0;
	}
	if (a.dry_run) {
		printf("would remove %s\n", file);
		return 0;
	}
	if (unlink(file) < 0)
		return cli_error(1, "disable: %s: %s", file, strerror(errno));
	rmdir(dir); /* only if now empty: other drop-ins stay */
	printf("removed %s\n", file);
	reload(&a);
	printf("restart %s to apply it\n", a.unit);
	return 0;
}

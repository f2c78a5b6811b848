// SPDX-License-Identifier: MIT
/*
 * The facts behind what `run` says and `explain` states: the program
 * (static, Go, known to drop its privileges) and the policies as the shim
 * and mptcp-autod read them for it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "eng_narrow.h"
#include "mpa_cli.h"

void cli_prog_read(const char *path, const char *name, struct cli_prog *p)
{
	const char *user;
	int fd;

	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->go_err = -ENOENT;
	/* apt drops to _apt only where that user exists. */
	user = cli_prog_drops_to(name);
	if (user && getpwnam(user))
		p->drops_to = user;
	if (!path)
		return;
	p->is_static = elf_is_static(path) == 1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	p->go_err = cmn_go_version_read(fd, p->go_ver, sizeof(p->go_ver));
	close(fd);
}

int cli_policy_env(const char *file)
{
	char abs[PATH_MAX];

	if (!realpath(file, abs))
		return -errno;
	return setenv("MPTCP_AUTO_POLICY", abs, 1) ? -errno : 0;
}

/* The daemon's rules: its --policy file, or a system folder. */
static struct mpa_policy *daemon_policy(const char *from)
{
	struct mpa_sources src;
	struct stat st;

	if (stat(from, &st) == 0 && !S_ISDIR(st.st_mode))
		return mpa_policy_load_files(&from, 1);
	/* As the daemon reads it: no user layer, no environment. */
	mpa_sources_init(&src, from, NULL, NULL, NULL, true);
	return mpa_policy_load(&src);
}

int cli_view_load(struct cli_view *v, const struct mpa_prog_id *id,
		  const struct cli_daemon *d)
{
	struct mpa_sources src;

	memset(v, 0, sizeof(*v));
	mpa_sources_init(&src, mpa_system_dir, getenv("MPTCP_AUTO_POLICY"),
			 getenv("XDG_CONFIG_HOME"), getenv("HOME"), false);
	v->shim = mpa_policy_load(&src);
	v->user = mpa_policy_load_user(&src);
	if (!v->shim || !v->user)
		return -ENOMEM;
	v->rule = mpa_policy_program(v->shim, id);
	v->user_rule = mpa_policy_program(v->user, id);
	if (!d || !d->running)
		return 0;
	snprintf(v->daemon_from, sizeof(v->daemon_from), "%s",
		 d->state.policy[0] ? d->state.policy : mpa_system_dir);
	v->daemon = daemon_policy(v->daemon_from);
	if (!v->daemon)
		return -ENOMEM;
	/* A policy with errors is not what the daemon runs: unknown. */
	if (v->daemon->nerrors) {
		mpa_policy_free(v->daemon);
		v->daemon = NULL;
		return 0;
	}
	v->daemon_rule = mpa_policy_program(v->daemon, id);
	return 0;
}

void cli_view_free(struct cli_view *v)
{
	mpa_policy_free(v->shim);
	mpa_policy_free(v->user);
	mpa_policy_free(v->daemon);
	memset(v, 0, sizeof(*v));
}

bool cli_daemon_rule(const struct cli_view *v, const struct sockaddr *dst,
		     struct mpa_rule *out)
{
	struct sockaddr_in any = { .sin_family = AF_INET,
				   .sin_port = htons(443) };
	struct mpa_rule user;
	struct eng_wire_msg m;

	if (!v->daemon_rule)
		return false;
	user = *v->user_rule;
	if (!dst) {
		/* Any destination: the user's filters are per connection. */
		user.dests.set = user.exclude_dests.set = false;
		user.dests.n = user.exclude_dests.n = 0;
		user.ports.set = user.exclude_ports.set = false;
		user.ports.n = user.exclude_ports.n = 0;
		user.skip_local = MPA_UNSET;
		inet_pton(AF_INET, "192.0.2.1", &any.sin_addr);
		dst = (const struct sockaddr *)&any;
	}
	/* What the shim registers, and what the daemon makes of it. */
	eng_wire_init(&m, ENG_WIRE_REGISTER, 0);
	eng_narrow_build(&user, dst, &m);
	eng_narrow_rule(v->daemon_rule, &m, out);
	return true;
}

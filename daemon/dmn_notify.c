// SPDX-License-Identifier: MIT
/* sd_notify without libsystemd: readiness, reloads and the stop. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dmn_notify.h"

static const char *const state_line[] = {
	[DMN_NOTIFY_READY] = "READY=1",
	[DMN_NOTIFY_RELOADING] = "RELOADING=1",
	[DMN_NOTIFY_STOPPING] = "STOPPING=1",
};

int dmn_notify_format(enum dmn_notify_state state, const char *status,
		      uint64_t usec, char *buf, size_t len)
{
	size_t off;
	int n;

	if ((size_t)state >= sizeof(state_line) / sizeof(state_line[0]))
		return -EINVAL;
	n = snprintf(buf, len, "%s\n", state_line[state]);
	if (n >= 0 && state == DMN_NOTIFY_RELOADING && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, "MONOTONIC_USEC=%llu\n",
			      (unsigned long long)usec);
	if (n >= 0 && status && status[0] && (size_t)n < len) {
		off = (size_t)n;
		n += snprintf(buf + off, len - off, "STATUS=%s\n", status);
		/* One assignment per line: a newline would start another. */
		for (; off < len && buf[off]; off++)
			if (buf[off] == '\n' && buf[off + 1])
				buf[off] = ' ';
	}
	return n < 0 || (size_t)n >= len ? -ENOSPC : n;
}

int dmn_notify_addr(const char *env, struct sockaddr_un *a, socklen_t *alen)
{
	size_t n;

	if (!env || !env[0])
		return -EINVAL;
	if (env[0] != '/' && env[0] != '@')
		return strchr(env, ':') ? -EAFNOSUPPORT : -EINVAL;
	n = strlen(env);
	if (n >= sizeof(a->sun_path))
		return -ENAMETOOLONG;
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	memcpy(a->sun_path, env, n);
	/* An abstract name starts with a NUL and has no NUL at its end. */
	if (env[0] == '@')
		a->sun_path[0] = '\0';
	*alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n +
			    (env[0] == '/'));
	return 0;
}

int dmn_notify_open(struct dmn_notify *n, const char *env)
{
	int err;

	n->fd = -1;
	if (!env || !env[0])
		return 0;
	err = dmn_notify_addr(env, &n->addr, &n->alen);
	if (err)
		return err;
	n->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	return n->fd < 0 ? -errno : 0;
}

int dmn_notify_send(const struct dmn_notify *n, enum dmn_notify_state state,
		    const char *status)
{
	struct timespec ts;
	uint64_t usec = 0;
	char buf[512];
	int len;

	if (n->fd < 0)
		return 0;
	if (state == DMN_NOTIFY_RELOADING &&
	    clock_gettime(CLOCK_MONOTONIC, &ts) == 0)
		usec = (uint64_t)ts.tv_sec * 1000000 +
		       (uint64_t)ts.tv_nsec / 1000;
	len = dmn_notify_format(state, status, usec, buf, sizeof(buf));
	if (len < 0)
		return len;
	/* Never waits: systemd reads at once, or the message is lost. */
	if (sendto(n->fd, buf, (size_t)len, MSG_DONTWAIT | MSG_NOSIGNAL,
		   (const struct sockaddr *)&n->addr, n->alen) < 0)
		return -errno;
	return 0;
}

void dmn_notify_close(struct dmn_notify *n)
{
	if (n->fd >= 0)
		close(n->fd);
	n->fd = -1;
}

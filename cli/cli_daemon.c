// SPDX-License-Identifier: MIT
/*
 * mptcp-autod as the command sees it: asked over its socket (STATUS), put
 * in words for `status`, and which path a program's connections take.
 */
#include <errno.h>
#include <linux/capability.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "mpa_cli.h"

/* Long enough for a busy daemon, short enough for a stopped one. */
#define PROBE_TIMEOUT_MS 1000

const char *cli_daemon_socket(void)
{
	const char *env = getenv(ENG_WIRE_ENV_SOCKET);

	return env && *env ? env : ENG_WIRE_SOCKET_DEFAULT;
}

/* The exchange itself; -errno, or 0 with the reply in d->state. */
static int probe(int fd, struct cli_daemon *d)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	struct eng_wire_msg m;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char buf[ENG_WIRE_MAX + 1];
	const char *why = NULL;
	uint32_t seq = (uint32_t)getpid();
	ssize_t n;
	int len;

	if (strlen(d->path) >= sizeof(a.sun_path)) {
		snprintf(d->why, sizeof(d->why), "path too long");
		return -ENAMETOOLONG;
	}
	strcpy(a.sun_path, d->path);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		d->connect_err = errno;
		return -errno;
	}
	d->connected = true;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) == 0)
		d->pid = cred.pid;
	eng_wire_init(&m, ENG_WIRE_STATUS, seq);
	len = eng_wire_format(&m, buf, sizeof(buf));
	if (len < 0)
		return len;
	if (send(fd, buf, (size_t)len, MSG_NOSIGNAL) < 0)
		return -errno;
	n = poll(&pfd, 1, PROBE_TIMEOUT_MS);
	if (n < 0)
		return -errno;
	if (n == 0) {
		snprintf(d->why, sizeof(d->why), "no answer within %d ms",
			 PROBE_TIMEOUT_MS);
		return -ETIMEDOUT;
	}
	n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n < 0)
		return -errno;
	if (n == 0) {
		snprintf(d->why, sizeof(d->why), "closed without an answer");
		return -ECONNRESET;
	}
	if (eng_wire_parse(buf, (size_t)n, &d->state, &why)) {
		snprintf(d->why, sizeof(d->why), "a bad answer (%s)", why);
		return -EPROTO;
	}
	if (d->state.type == ENG_WIRE_REFUSED) {
		/* An older daemon: it registers, but does not say how. */
		snprintf(d->why, sizeof(d->why), "STATUS refused: %s",
			 d->state.reason);
		return -EPROTO;
	}
	if (d->state.type != ENG_WIRE_STATE || d->state.seq != seq) {
		snprintf(d->why, sizeof(d->why), "not an answer to STATUS");
		return -EPROTO;
	}
	return 0;
}

void cli_daemon_probe(struct cli_daemon *d)
{
	int fd, err;

	memset(d, 0, sizeof(*d));
	snprintf(d->path, sizeof(d->path), "%s", cli_daemon_socket());
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	err = fd < 0 ? -errno : probe(fd, d);
	if (fd >= 0)
		close(fd);
	d->running = err == 0;
	if (err && !d->why[0])
		snprintf(d->why, sizeof(d->why), "%s", strerror(-err));
}

/* snprintf at *@off, never past @len; the text is cut if it must be. */
static void put(char *out, size_t len, size_t *off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void put(char *out, size_t len, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (*off >= len)
		return;
	va_start(ap, fmt);
	w = vsnprintf(out + *off, len - *off, fmt, ap);
	va_end(ap);
	*off = w < 0 ? len : *off + (size_t)w;
}

uint64_t cli_daemon_total(const struct cli_daemon *d)
{
	uint64_t total = d->state.served_other;
	int i;

	for (i = 0; i < d->state.nserved; i++)
		total += d->state.served[i].count;
	return total;
}

void cli_daemon_line(const struct cli_daemon *d, char *out, size_t len)
{
	size_t off = 0;
	char when[32];
	struct tm tm;
	time_t t;
	int i;

	if (!len)
		return;
	out[0] = '\0';
	if (!d->running) {
		put(out, len, &off, "daemon: not running (socket %s: %s)",
		    d->path, d->why);
		return;
	}
	put(out, len, &off, "daemon: running (pid %d", d->pid);
	t = (time_t)d->state.since;
	if (d->state.since >= 0 && localtime_r(&t, &tm) &&
	    strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm))
		put(out, len, &off, ", since %s", when);
	put(out, len, &off, ", serving %llu registration%s",
	    (unsigned long long)cli_daemon_total(d),
	    cli_daemon_total(d) == 1 ? "" : "s");
	for (i = 0; i < d->state.nserved; i++)
		put(out, len, &off, "%s uid %u prog %s %u", i ? "," : ":",
		    d->state.served[i].uid, d->state.served[i].prog,
		    d->state.served[i].count);
	if (d->state.served_other)
		put(out, len, &off, "%s others %u",
		    d->state.nserved ? "," : ":", d->state.served_other);
	put(out, len, &off, ")");
}

static const struct {
	enum cli_path path;
	const char *name, *text;
} paths[] = {
	{ CLI_PATH_DAEMON, "daemon",
	  "mptcp-autod opens the subflows (the shim registers each "
	  "connection with it, whatever the program's privileges)" },
	{ CLI_PATH_IN_PROCESS, "in-process",
	  "the shim opens the subflows itself (userspace path manager, "
	  "root or CAP_NET_ADMIN, no daemon)" },
	{ CLI_PATH_ENDPOINTS, "kernel endpoints",
	  "the in-kernel path manager's endpoints decide the subflows; the "
	  "shim converts sockets only" },
	{ CLI_PATH_NONE, "nothing", NULL },
};

enum cli_path cli_path_decide(const struct cli_path_facts *f, const char **why)
{
	*why = NULL;
	if (!f->mptcp) {
		*why = "no MPTCP in this kernel";
		return CLI_PATH_NONE;
	}
	/* A daemon owns the namespace's path manager: the shim defers to
	 * it even when it could act itself, so that two never act. */
	if (f->daemon)
		return CLI_PATH_DAEMON;
	/* As the shim: no path manager of its own while a daemon may run. */
	if (f->unreachable) {
		*why = "mptcp-autod's socket is there but cannot be used "
		       "(permissions): sockets become MPTCP, no subflow is "
		       "opened";
		return CLI_PATH_NONE;
	}
	if (f->pm == MPTCPLIB_PM_KERNEL)
		return CLI_PATH_ENDPOINTS;
	if (f->pm != MPTCPLIB_PM_USERSPACE) {
		*why = "the path manager is unknown";
		return CLI_PATH_NONE;
	}
	if (f->privileged)
		return CLI_PATH_IN_PROCESS;
	*why = "userspace path manager, no daemon, and the program has no "
	       "CAP_NET_ADMIN: sockets become MPTCP, no subflow is opened";
	return CLI_PATH_NONE;
}

const char *cli_path_name(enum cli_path p)
{
	size_t i;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (paths[i].path == p)
			return paths[i].name;
	return "?";
}

const char *cli_path_text(enum cli_path p, const char *why)
{
	size_t i;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (paths[i].path == p && paths[i].text)
			return paths[i].text;
	return why ? why : "";
}

bool cli_has_cap_net_admin(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3,
						0 };
	struct __user_cap_data_struct data[2] = { 0 };

	if (syscall(SYS_capget, &hdr, data) < 0)
		return false;
	return data[CAP_NET_ADMIN / 32].effective &
	       (1u << (CAP_NET_ADMIN % 32));
}

void cli_path_facts_read(struct cli_path_facts *f, struct cli_daemon *d)
{
	memset(f, 0, sizeof(*f));
	cli_daemon_probe(d);
	/*
	 * As the shim decides: a daemon that took the connection serves,
	 * even if it did not answer in time (stopped, busy); a socket that
	 * refuses us for any reason but "nobody there" is unusable.
	 */
	f->daemon = d->running || d->connected;
	f->unreachable =
		!d->connected && d->connect_err && d->connect_err != ENOENT &&
		d->connect_err != ENOTDIR && d->connect_err != ECONNREFUSED;
	f->mptcp = mptcplib_get_path_manager(&f->pm) == 0;
	f->privileged = geteuid() == 0 || cli_has_cap_net_admin();
}

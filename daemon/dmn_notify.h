/* SPDX-License-Identifier: MIT */
/*
 * Telling systemd how the daemon is (Type=notify), without libsystemd:
 * one datagram per state to the AF_UNIX socket that $NOTIFY_SOCKET names,
 * a path or, with a leading '@', an abstract name (sd_notify(3)). READY=1
 * once the daemon serves its socket (so that units ordered after it find
 * it there), RELOADING=1 with MONOTONIC_USEC= then READY=1 around a
 * policy reload, STOPPING=1 at the stop; each with a STATUS= line that
 * `systemctl status` shows. The message and the address are made by pure
 * functions; sending never blocks, and a failure only loses the message.
 */
#ifndef DMN_NOTIFY_H
#define DMN_NOTIFY_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/un.h>

enum dmn_notify_state {
	DMN_NOTIFY_READY,
	DMN_NOTIFY_RELOADING,
	DMN_NOTIFY_STOPPING,
};

/*
 * dmn_notify_format() - pure: the message for @state, with "STATUS=" and
 * @status when it is not NULL or empty (made one line), and for
 * RELOADING "MONOTONIC_USEC=" and @usec (CLOCK_MONOTONIC, microseconds:
 * systemd wants it to tell this reload from an older one). Its length,
 * or -ENOSPC when @len is too small.
 */
int dmn_notify_format(enum dmn_notify_state state, const char *status,
		      uint64_t usec, char *buf, size_t len);

/*
 * dmn_notify_addr() - pure: the address in $NOTIFY_SOCKET @env into @a,
 * its length into @alen: an absolute path, or '@' and an abstract name.
 * 0, -EINVAL (empty, relative), -ENAMETOOLONG, or -EAFNOSUPPORT (another
 * family, such as "vsock:").
 */
int dmn_notify_addr(const char *env, struct sockaddr_un *a, socklen_t *alen);

struct dmn_notify {
	int fd; /* -1: nobody to tell */
	struct sockaddr_un addr;
	socklen_t alen;
};

/*
 * dmn_notify_open() - ready to tell @env ($NOTIFY_SOCKET; NULL or empty:
 * nobody, and every send does nothing). 0, or -errno (nobody is told).
 */
int dmn_notify_open(struct dmn_notify *n, const char *env);

/*
 * dmn_notify_send() - @state with @status, now (RELOADING with the
 * monotonic clock's time). 0, or -errno (the message is lost).
 */
int dmn_notify_send(const struct dmn_notify *n, enum dmn_notify_state state,
		    const char *status);

/* dmn_notify_close() - done telling (the state can be closed twice). */
void dmn_notify_close(struct dmn_notify *n);

#endif /* DMN_NOTIFY_H */

// SPDX-License-Identifier: MIT
/* Netlink sockets and their I/O by system call, and the request loop. */
#include <errno.h>
#include <linux/netlink.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cmn_nl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

int cmn_nl_socket(int proto)
{
	long fd =
		syscall(SYS_socket, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, proto);

	return fd < 0 ? -errno : (int)fd;
}

int cmn_nl_open(int proto, struct cmn_nl *nl)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	socklen_t len = sizeof(sa);
	int err;

	nl->fd = cmn_nl_socket(proto);
	nl->portid = 0;
	if (nl->fd < 0) {
		err = nl->fd;
		nl->fd = -1;
		return err;
	}
	if (syscall(SYS_bind, nl->fd, &sa, sizeof(sa)) < 0 ||
	    syscall(SYS_getsockname, nl->fd, &sa, &len) < 0) {
		err = -errno;
		cmn_nl_close(nl);
		return err;
	}
	nl->portid = sa.nl_pid;
	return 0;
}

void cmn_nl_close(struct cmn_nl *nl)
{
	if (nl->fd >= 0)
		syscall(SYS_close, nl->fd);
	nl->fd = -1;
}

int cmn_nl_send(int fd, const void *buf, size_t len)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };

	if (syscall(SYS_sendto, fd, buf, len, 0, &kernel, sizeof(kernel)) < 0)
		return -errno;
	return 0;
}

ssize_t cmn_nl_recv(int fd, void *buf, size_t len, int flags)
{
	long n = syscall(SYS_recvfrom, fd, buf, len, flags, NULL, NULL);

	return n < 0 ? -errno : (ssize_t)n;
}

int cmn_nl_setsockopt(int fd, int opt, int val)
{
	if (syscall(SYS_setsockopt, fd, SOL_NETLINK, opt, &val, sizeof(val)) <
	    0)
		return -errno;
	return 0;
}

int cmn_nl_talk(const struct cmn_nl *nl, const struct nlmsghdr *req, void *buf,
		size_t len, mnl_cb_t cb, void *data)
{
	bool dump = req->nlmsg_flags & NLM_F_DUMP;
	ssize_t n;
	int ret, err;

	err = cmn_nl_send(nl->fd, req, req->nlmsg_len);
	if (err)
		return err;
	for (;;) {
		n = cmn_nl_recv(nl->fd, buf, len, 0);
		if (n == -EINTR)
			continue;
		if (n < 0)
			return (int)n;
		ret = mnl_cb_run(buf, (size_t)n, req->nlmsg_seq, nl->portid, cb,
				 data);
		/* A dump goes on until NLMSG_DONE (MNL_CB_STOP). */
		if (!dump || ret <= MNL_CB_STOP)
			break;
	}
	return ret < 0 ? -errno : 0;
}

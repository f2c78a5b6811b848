// SPDX-License-Identifier: MIT
/* Netlink sockets out of the hooks' sight, and the request/reply loop. */
#include <errno.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cmn_nl.h"

int cmn_nl_socket(int proto)
{
	long fd =
		syscall(SYS_socket, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, proto);

	return fd < 0 ? -errno : (int)fd;
}

int cmn_nl_open(int proto, struct mnl_socket **out)
{
	int fd = cmn_nl_socket(proto), err;

	if (fd < 0)
		return fd;
	*out = mnl_socket_fdopen(fd);
	if (!*out) {
		err = -errno;
		close(fd);
		return err;
	}
	if (mnl_socket_bind(*out, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		mnl_socket_close(*out);
		*out = NULL;
		return err;
	}
	return 0;
}

int cmn_nl_talk(struct mnl_socket *nl, const struct nlmsghdr *req, void *buf,
		size_t len, mnl_cb_t cb, void *data)
{
	unsigned int portid = mnl_socket_get_portid(nl);
	bool dump = req->nlmsg_flags & NLM_F_DUMP;
	ssize_t n;
	int ret;

	if (mnl_socket_sendto(nl, req, req->nlmsg_len) < 0)
		return -errno;
	do {
		n = mnl_socket_recvfrom(nl, buf, len);
		if (n < 0)
			return -errno;
		ret = mnl_cb_run(buf, (size_t)n, req->nlmsg_seq, portid, cb,
				 data);
	} while (dump && ret > MNL_CB_STOP);
	return ret < 0 ? -errno : 0;
}

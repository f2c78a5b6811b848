/* SPDX-License-Identifier: MIT */
/*
 * Helpers for the integration tests, which run inside the client namespace
 * of tests/lib/topo.sh against mpa-testsrv in the server namespace.
 *
 * Environment (set by the driver script):
 *   MPA_FAMILY   4 or 6
 *   MPA_SRV_NS   server namespace name (for server-side settings)
 *   MPA_PORT     mpa-testsrv (MPTCP, greeting)
 *   MPA_PORT_SILENT  mpa-testsrv --silent
 *   MPA_PORT_TCP     mpa-testsrv --tcp
 */
#ifndef ITEST_H
#define ITEST_H

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "io.h"

static int it_v6(void)
{
	const char *f = getenv("MPA_FAMILY");

	return f && !strcmp(f, "6");
}

static int it_port(const char *var)
{
	const char *p = getenv(var);

	return p ? atoi(p) : 0;
}

/* Address of host @host (1 client, 2 server) on path @path (1 or 2). */
static void it_addr(struct sockaddr_storage *ss, socklen_t *len, int path,
		    int host, int port)
{
	char buf[64];

	memset(ss, 0, sizeof(*ss));
	if (it_v6()) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		snprintf(buf, sizeof(buf), "fd00:%d::%d", path, host);
		in6->sin6_family = AF_INET6;
		inet_pton(AF_INET6, buf, &in6->sin6_addr);
		in6->sin6_port = htons((unsigned short)port);
		*len = sizeof(*in6);
	} else {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		snprintf(buf, sizeof(buf), "10.0.%d.%d", path, host);
		in->sin_family = AF_INET;
		inet_pton(AF_INET, buf, &in->sin_addr);
		in->sin_port = htons((unsigned short)port);
		*len = sizeof(*in);
	}
}

/*
 * Connect over path 1 with @proto to the server's @port_var port; when the
 * server greets, read the greeting so the connection is fully established.
 */
static int it_connect(int proto, const char *port_var, int greeting)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char line[16];
	int fd;

	it_addr(&ss, &len, 1, 2, it_port(port_var));
	fd = socket(ss.ss_family, SOCK_STREAM, proto);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&ss, len) < 0) {
		close(fd);
		return -1;
	}
	if (greeting &&
	    (io_read_line(fd, line, sizeof(line)) || strcmp(line, "OK"))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A flow from the client's path-@path address to the server's. */
static struct mptcplib_flow it_flow(int lpath, int rpath)
{
	struct sockaddr_storage l, r;
	socklen_t llen, rlen;
	struct mptcplib_flow f = { 0 };

	it_addr(&l, &llen, lpath, 1, 0);
	it_addr(&r, &rlen, rpath, 2, it_port("MPA_PORT"));
	f.local = malloc(llen);
	f.remote = malloc(rlen);
	memcpy(f.local, &l, llen);
	memcpy(f.remote, &r, rlen);
	f.local_len = llen;
	f.remote_len = rlen;
	return f;
}

/* Run a shell command in the server namespace; its exit status. */
static int it_srv(const char *cmd)
{
	char buf[512];

	snprintf(buf, sizeof(buf), "ip netns exec %s %s", getenv("MPA_SRV_NS"),
		 cmd);
	return system(buf);
}

static int64_t it_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int it_has_id(const struct mptcplib_intarray *ids, int id)
{
	int i;

	for (i = 0; i < ids->count; i++)
		if (ids->values[i] == id)
			return 1;
	return 0;
}

#endif /* ITEST_H */

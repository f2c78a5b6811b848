// SPDX-License-Identifier: MIT
/*
 * mpa-testsrv: the MPTCP server of the integration tests.
 *
 * Listens on one port (dual-stack) and speaks a line protocol on each
 * connection, which makes the client fully established and lets it ask
 * what the server side sees:
 *   greeting   "OK\n" right after accept (not with --silent)
 *   SINK <n>   read n bytes (or until EOF), answer "GOT <bytes>\n"; the
 *              connection stays open for more commands
 *   SEND <n>   send n bytes, then close
 *   PING       answer "PONG"
 *   STATE      one line per live subflow, "<peer-addr> <peer-port>
 *              <backup_remote>", then "END\n"
 * --tcp listens with plain TCP instead of MPTCP. --once serves one
 * connection and closes the listener after accepting it, as socat
 * without fork does: every join the client asks for is then refused.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "io.h"
#include "server.h"
#include "mptcplib.h"

static int silent;

static void do_sink(int fd, unsigned long long want)
{
	char buf[65536], line[64];
	unsigned long long total = 0;
	ssize_t n;

	while (total < want) {
		size_t chunk = want - total < sizeof(buf) ? want - total :
							    sizeof(buf);

		n = read(fd, buf, chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		total += (unsigned long long)n;
	}
	snprintf(line, sizeof(line), "GOT %llu\n", total);
	io_write_all(fd, line, strlen(line));
}

static void do_send(int fd, unsigned long long n)
{
	char buf[65536];

	memset(buf, 'x', sizeof(buf));
	while (n) {
		size_t chunk = n < sizeof(buf) ? (size_t)n : sizeof(buf);

		if (io_write_all(fd, buf, chunk))
			return;
		n -= chunk;
	}
}

static void do_state(int fd)
{
	struct mptcplib_getsubids_result ids = mptcplib_get_sub_ids(fd);
	char line[160], host[INET6_ADDRSTRLEN];
	int i;

	for (i = 0; !ids.errnoValue && i < ids.ids.count; i++) {
		struct mptcplib_getsubtuple_result t =
			mptcplib_get_sub_tuple(fd, ids.ids.values[i]);
		struct mptcplib_sub_state st;
		const struct sockaddr *r = t.flow.remote;
		unsigned short port;

		if (t.errnoValue ||
		    mptcplib_get_sub_state(fd, ids.ids.values[i], &st)) {
			mptcplib_free_flow(t.flow);
			continue;
		}
		if (r->sa_family == AF_INET) {
			inet_ntop(AF_INET, &((struct sockaddr_in *)r)->sin_addr,
				  host, sizeof(host));
			port = ntohs(((struct sockaddr_in *)r)->sin_port);
		} else {
			inet_ntop(AF_INET6,
				  &((struct sockaddr_in6 *)r)->sin6_addr, host,
				  sizeof(host));
			port = ntohs(((struct sockaddr_in6 *)r)->sin6_port);
		}
		snprintf(line, sizeof(line), "%s %u %d\n", host, port,
			 st.backup_remote);
		io_write_all(fd, line, strlen(line));
		mptcplib_free_flow(t.flow);
	}
	mptcplib_free_intarray(ids.ids);
	io_write_all(fd, "END\n", 4);
}

static void *serve(void *arg)
{
	int fd = (int)(intptr_t)arg;
	char line[128];
	unsigned long long n;

	if (!silent && io_write_all(fd, "OK\n", 3))
		goto out;
	while (io_read_line(fd, line, sizeof(line)) == 0) {
		if (sscanf(line, "SINK %llu", &n) == 1) {
			do_sink(fd, n);
		} else if (sscanf(line, "SEND %llu", &n) == 1) {
			do_send(fd, n);
			break;
		} else if (!strcmp(line, "PING")) {
			io_write_all(fd, "PONG\n", 5);
		} else if (!strcmp(line, "STATE")) {
			do_state(fd);
		} else {
			break;
		}
	}
out:
	close(fd);
	return NULL;
}

int main(int argc, char **argv)
{
	int proto = 262, port = 0, once = 0, i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--tcp"))
			proto = IPPROTO_TCP;
		else if (!strcmp(argv[i], "--silent"))
			silent = 1;
		else if (!strcmp(argv[i], "--once"))
			once = 1;
		else
			port = atoi(argv[i]);
	}
	if (port <= 0 || port > 65535) {
		fprintf(stderr,
			"usage: mpa-testsrv [--tcp] [--silent] [--once] PORT\n");
		return 2;
	}
	return server_run_mode(port, proto, serve, once);
}

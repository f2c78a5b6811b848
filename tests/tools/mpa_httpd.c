// SPDX-License-Identifier: MIT
/*
 * mpa-httpd: the HTTP server of the end-to-end tests. Serves one file for
 * any GET, over MPTCP (or TCP with --tcp), dual-stack. When a response is
 * done and the client has closed, prints one line per connection and one
 * per subflow with the bytes each subflow carried (the server's bytes
 * acked) and whether the client marked it backup, then one per subflow
 * that carried data during the response but was gone at its end (the
 * bytes it had acked when last seen; the file is sent 1 MiB at a time,
 * the subflows looked at after each):
 *   conn <peer> bytes=<n> subflows=<k> mptcp=<0|1>
 *   sub <client-addr> <client-port> acked=<n> backup=<0|1>
 *   gone <client-addr> <client-port> acked=<n>
 * Usage: mpa-httpd [--tcp] PORT FILE
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io.h"
#include "server.h"
#include "mptcplib.h"

static const char *file_path;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

static void addr_str(const struct sockaddr *sa, char *host, size_t len,
		     unsigned short *port)
{
	if (sa->sa_family == AF_INET) {
		inet_ntop(AF_INET, &((struct sockaddr_in *)sa)->sin_addr, host,
			  (socklen_t)len);
		*port = ntohs(((struct sockaddr_in *)sa)->sin_port);
	} else {
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)sa)->sin6_addr,
			  host, (socklen_t)len);
		*port = ntohs(((struct sockaddr_in6 *)sa)->sin6_port);
	}
}

/* A subflow seen during a response: the most it had acked. */
struct seen_sub {
	char host[INET6_ADDRSTRLEN];
	unsigned short port;
	unsigned long long acked;
	bool now; /* there at the latest look */
};

#define MAX_SEEN 16

struct seen {
	struct seen_sub v[MAX_SEEN];
	int n;
};

/*
 * Remember that @host:@port, there now, had acked @acked (past MAX_SEEN
 * subflows in one response, the later ones are not remembered: a "gone"
 * line may be missing then, never a "sub" line).
 */
static void seen_note(struct seen *sn, const char *host, unsigned short port,
		      unsigned long long acked)
{
	int i;

	for (i = 0; i < sn->n; i++)
		if (sn->v[i].port == port && !strcmp(sn->v[i].host, host))
			break;
	if (i == sn->n) {
		if (sn->n == MAX_SEEN)
			return;
		snprintf(sn->v[i].host, sizeof(sn->v[i].host), "%s", host);
		sn->v[i].port = port;
		sn->v[i].acked = 0;
		sn->n++;
	}
	if (acked > sn->v[i].acked)
		sn->v[i].acked = acked;
	sn->v[i].now = true;
}

/*
 * Each subflow of @fd now, into @sn, and as a "sub" line into @out when
 * not NULL. How many there are, or -1 when @fd is not MPTCP.
 */
static int subs_sample(int fd, struct seen *sn, FILE *out)
{
	struct mptcplib_getsubids_result ids = mptcplib_get_sub_ids(fd);
	char host[INET6_ADDRSTRLEN];
	unsigned short port = 0;
	int i, n;

	for (i = 0; i < sn->n; i++)
		sn->v[i].now = false;
	for (i = 0; !ids.errnoValue && i < ids.ids.count; i++) {
		int id = ids.ids.values[i];
		struct mptcplib_getsubtuple_result t =
			mptcplib_get_sub_tuple(fd, id);
		struct mptcplib_getsubsockopt_result r =
			mptcplib_get_sub_sockopt(fd, id, IPPROTO_TCP, TCP_INFO,
						 sizeof(struct tcp_info));
		struct mptcplib_sub_state st = { 0 };
		unsigned long long acked = 0;

		if (!r.errnoValue &&
		    r.retsize >=
			    offsetof(struct tcp_info, tcpi_bytes_acked) + 8)
			acked = ((struct tcp_info *)r.value)->tcpi_bytes_acked;
		if (!t.errnoValue) {
			addr_str(t.flow.remote, host, sizeof(host), &port);
			seen_note(sn, host, port, acked);
		}
		if (!t.errnoValue && out) {
			mptcplib_get_sub_state(fd, id, &st);
			fprintf(out, "sub %s %u acked=%llu backup=%d\n", host,
				port, acked, st.backup_remote);
		}
		mptcplib_free_flow(t.flow);
		mptcplib_free_getsubsockopt_result(r);
	}
	n = ids.errnoValue ? -1 : ids.ids.count;
	mptcplib_free_intarray(ids.ids);
	return n;
}

/*
 * The report, while the subflows are still there: those of one look at
 * them (the count before them), then those gone before.
 */
static void report(int fd, unsigned long long sent, struct seen *sn)
{
	struct sockaddr_storage peer;
	socklen_t plen = sizeof(peer);
	char host[INET6_ADDRSTRLEN], *subs = NULL;
	unsigned short port = 0;
	size_t len = 0;
	FILE *m = open_memstream(&subs, &len);
	int i, n;

	pthread_mutex_lock(&out_lock);
	host[0] = '\0';
	if (getpeername(fd, (struct sockaddr *)&peer, &plen) == 0)
		addr_str((struct sockaddr *)&peer, host, sizeof(host), &port);
	n = subs_sample(fd, sn, m);
	if (m)
		fclose(m);
	printf("conn %s bytes=%llu subflows=%d mptcp=%d\n", host, sent,
	       n < 0 ? 1 : n, n >= 0);
	fputs(subs ? subs : "", stdout);
	free(subs);
	for (i = 0; i < sn->n; i++)
		if (!sn->v[i].now && sn->v[i].acked)
			printf("gone %s %u acked=%llu\n", sn->v[i].host,
			       sn->v[i].port, sn->v[i].acked);
	fflush(stdout);
	pthread_mutex_unlock(&out_lock);
}

static void *serve(void *arg)
{
	int fd = (int)(intptr_t)arg, in = -1;
	char req[4096], hdr[256], sink[4096];
	unsigned long long sent = 0;
	struct seen sn = { .n = 0 };
	struct stat st;
	size_t got = 0;
	off_t off = 0;
	ssize_t n;

	while (got < sizeof(req) - 1) {
		n = read(fd, req + got, sizeof(req) - 1 - got);
		if (n <= 0)
			goto out;
		got += (size_t)n;
		req[got] = '\0';
		if (strstr(req, "\r\n\r\n"))
			break;
	}
	in = open(file_path, O_RDONLY | O_CLOEXEC);
	if (in < 0 || fstat(in, &st) < 0)
		goto out;
	snprintf(hdr, sizeof(hdr),
		 "HTTP/1.0 200 OK\r\nContent-Type: application/octet-stream"
		 "\r\nContent-Length: %lld\r\nConnection: close\r\n\r\n",
		 (long long)st.st_size);
	if (io_write_all(fd, hdr, strlen(hdr)))
		goto out;
	while (off < st.st_size) {
		size_t chunk = (size_t)(st.st_size - off);

		if (chunk > 1 << 20)
			chunk = 1 << 20;
		n = sendfile(fd, in, &off, chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto out;
		sent += (unsigned long long)n;
		subs_sample(fd, &sn, NULL);
	}
	/* The client closes once it has everything: all of it was acked. */
	while ((n = read(fd, sink, sizeof(sink))) > 0 ||
	       (n < 0 && errno == EINTR))
		;
	report(fd, sent, &sn);
out:
	if (in >= 0)
		close(in);
	close(fd);
	return NULL;
}

int main(int argc, char **argv)
{
	int proto = 262, argi = 1;

	if (argc > 1 && !strcmp(argv[1], "--tcp")) {
		proto = IPPROTO_TCP;
		argi++;
	}
	if (argc - argi != 2) {
		fprintf(stderr, "usage: mpa-httpd [--tcp] PORT FILE\n");
		return 2;
	}
	file_path = argv[argi + 1];
	return server_run(atoi(argv[argi]), proto, serve);
}

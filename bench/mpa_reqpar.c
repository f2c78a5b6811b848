// SPDX-License-Identifier: MIT
/*
 * mpa-reqpar: does the kernel serve subflow requests side by side? Makes N
 * MPTCP connections to an mpa-testsrv, then asks for one more subflow of
 * each (SUBFLOW_CREATE from LOCAL, by token, as the engine does) from
 * THREADS threads at once, each its share, and prints the wall time of all
 * the requests and each request's own time:
 *   usage: mpa-reqpar HOST PORT LOCAL N THREADS [IFNAME]
 *   "threads T requests N wall_us W each_us_p50 A each_us_p90 B"
 * If the kernel ran two requests at once, two threads would take about
 * half the wall time of one on a machine with two cores (make bench
 * section 2b, docs/benchmarks.md section 13).
 * IFNAME binds the subflows to that interface, as the engine does. IPv4
 * only; needs the userspace path manager in its namespace.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "mptcplib.h"

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif
#define MAX_THREADS 16

static struct sockaddr_in local, remote;
static struct mptcplib_open_opts opts;
static uint32_t *tokens;
static double *took_us;
static int n_conns, n_threads, n_failed;
static pthread_mutex_t failed_lock = PTHREAD_MUTEX_INITIALIZER;

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* Thread k asks for the subflows of connections k, k + T, k + 2T... */
static void *requester(void *arg)
{
	long k = (long)arg;
	int i, rc;

	for (i = (int)k; i < n_conns; i += n_threads) {
		struct mptcplib_flow f = {
			.local = (struct sockaddr *)&local,
			.remote = (struct sockaddr *)&remote,
			.local_len = sizeof(local),
			.remote_len = sizeof(remote),
		};
		double t0 = now_us();

		rc = mptcplib_token_open_sub(tokens[i], &f, &opts);
		took_us[i] = now_us() - t0;
		if (rc) {
			pthread_mutex_lock(&failed_lock);
			if (!n_failed++)
				fprintf(stderr, "mpa-reqpar: request %d: %s\n",
					i, strerror(rc));
			pthread_mutex_unlock(&failed_lock);
		}
	}
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* One connection, fully established (the server's greeting read). */
static int connect_one(uint32_t *token)
{
	char greeting[3];
	int fd, rc;

	fd = socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&remote, sizeof(remote)) < 0 ||
	    read(fd, greeting, sizeof(greeting)) <= 0) {
		rc = -errno;
		close(fd);
		return rc ? rc : -ECONNRESET;
	}
	rc = mptcplib_get_token(fd, token);
	if (rc) {
		close(fd);
		return -rc;
	}
	return fd;
}

int main(int argc, char **argv)
{
	pthread_t th[MAX_THREADS];
	double t0, wall;
	int i, fd;
	long k;

	if (argc < 6 || argc > 7 ||
	    inet_pton(AF_INET, argv[1], &remote.sin_addr) != 1 ||
	    inet_pton(AF_INET, argv[3], &local.sin_addr) != 1) {
		fprintf(stderr,
			"usage: mpa-reqpar HOST PORT LOCAL N THREADS [IFNAME] "
			"(IPv4)\n");
		return 2;
	}
	remote.sin_family = local.sin_family = AF_INET;
	remote.sin_port = htons((uint16_t)atoi(argv[2]));
	n_conns = atoi(argv[4]);
	n_threads = atoi(argv[5]);
	opts.ifname = argc == 7 ? argv[6] : NULL;
	if (n_conns < 1 || n_threads < 1 || n_threads > MAX_THREADS) {
		fprintf(stderr, "mpa-reqpar: N >= 1, 1 <= THREADS <= %d\n",
			MAX_THREADS);
		return 2;
	}
	tokens = calloc((size_t)n_conns, sizeof(*tokens));
	took_us = calloc((size_t)n_conns, sizeof(*took_us));
	if (!tokens || !took_us)
		return 1;
	for (i = 0; i < n_conns; i++) {
		fd = connect_one(&tokens[i]);
		if (fd < 0) {
			fprintf(stderr, "mpa-reqpar: connection %d: %s\n", i,
				strerror(-fd));
			return 1;
		}
	}
	/* The handshakes' last work done before the clock starts. */
	usleep(200000);
	t0 = now_us();
	for (k = 0; k < n_threads; k++)
		if (pthread_create(&th[k], NULL, requester, (void *)k))
			return 1;
	for (k = 0; k < n_threads; k++)
		pthread_join(th[k], NULL);
	wall = now_us() - t0;
	qsort(took_us, (size_t)n_conns, sizeof(*took_us), cmp_double);
	printf("threads %d requests %d wall_us %.0f each_us_p50 %.0f "
	       "each_us_p90 %.0f failed %d\n",
	       n_threads, n_conns, wall, took_us[n_conns / 2],
	       took_us[n_conns * 9 / 10], n_failed);
	/* The connections close with the process. */
	return n_failed ? 1 : 0;
}

// SPDX-License-Identifier: MIT
/*
 * The example from the original simpler-mptcp-api README, adapted to the
 * upstream kernel and to the two-path lab of tests/lib/topo.sh:
 * connect over path 1, exchange data (a connection must be fully
 * established before it can get subflows), open one subflow over path 2
 * and a backup one, list them, then close one.
 *
 *   readme_example [LOCAL1 LOCAL2 SERVER1 SERVER2 PORT]
 *   defaults: 10.0.1.1 10.0.2.1 10.0.1.2 10.0.2.2 7001
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mptcplib.h"

static void print_flow(const struct mptcplib_flow *flow)
{
	char l[INET6_ADDRSTRLEN], r[INET6_ADDRSTRLEN];
	const void *la, *ra;
	unsigned short lp, rp;

	if (flow->local->sa_family == AF_INET) {
		la = &((struct sockaddr_in *)flow->local)->sin_addr;
		ra = &((struct sockaddr_in *)flow->remote)->sin_addr;
		lp = ntohs(((struct sockaddr_in *)flow->local)->sin_port);
		rp = ntohs(((struct sockaddr_in *)flow->remote)->sin_port);
	} else {
		la = &((struct sockaddr_in6 *)flow->local)->sin6_addr;
		ra = &((struct sockaddr_in6 *)flow->remote)->sin6_addr;
		lp = ntohs(((struct sockaddr_in6 *)flow->local)->sin6_port);
		rp = ntohs(((struct sockaddr_in6 *)flow->remote)->sin6_port);
	}
	inet_ntop(flow->local->sa_family, la, l, sizeof(l));
	inet_ntop(flow->remote->sa_family, ra, r, sizeof(r));
	printf("subflow %d: %s port %u -> %s port %u, priority: %s\n", flow->id,
	       l, lp, r, rp, flow->low_prio ? "backup" : "normal");
}

int main(int argc, char **argv)
{
	char *local1 = "10.0.1.1", *local2 = "10.0.2.1";
	char *server1 = "10.0.1.2", *server2 = "10.0.2.2";
	unsigned short port = 7001;
	struct mptcplib_getsubids_result subids;
	struct mptcplib_flow main_flow, flow1, flow2;
	char greeting[8];
	int sockfd, i, err, status = 1;

	if (argc == 6) {
		local1 = argv[1];
		local2 = argv[2];
		server1 = argv[3];
		server2 = argv[4];
		port = (unsigned short)atoi(argv[5]);
	}

	/* Establish a connection: MPTCP is asked for at socket() time. */
	main_flow = mptcplib_make_flow(local1, 0, server1, port);
	if (!main_flow.local) {
		fprintf(stderr, "cannot resolve %s or %s\n", local1, server1);
		return 1;
	}
	sockfd = socket(main_flow.remote->sa_family, SOCK_STREAM, 262);
	if (sockfd < 0) {
		perror("socket(IPPROTO_MPTCP)");
		goto out_main;
	}
	if (bind(sockfd, main_flow.local, main_flow.local_len) != 0) {
		perror("bind");
		goto out_sock;
	}
	if (connect(sockfd, main_flow.remote, main_flow.remote_len) != 0) {
		perror("connect");
		goto out_sock;
	}
	/* The server speaks first; after that the connection can grow. */
	if (read(sockfd, greeting, 3) != 3) {
		perror("read");
		goto out_sock;
	}

	/* Open some subflows: one over the second path, one backup. */
	flow1 = mptcplib_make_flow(local2, 0, server2, port);
	flow2 = mptcplib_make_flow(local2, 0, server1, port);
	flow2.low_prio = 1;
	err = mptcplib_open_sub(sockfd, &flow1);
	if (err)
		fprintf(stderr, "%s\n", mptcplib_last_error());
	err = mptcplib_open_sub(sockfd, &flow2);
	if (err)
		fprintf(stderr, "%s\n", mptcplib_last_error());
	mptcplib_free_flow(flow1);
	mptcplib_free_flow(flow2);

	/* List the subflows. */
	subids = mptcplib_get_sub_ids(sockfd);
	if (subids.errnoValue) {
		fprintf(stderr, "%s\n", mptcplib_last_error());
		goto out_sock;
	}
	for (i = 0; i < subids.ids.count; i++) {
		struct mptcplib_getsubtuple_result tuple =
			mptcplib_get_sub_tuple(sockfd, subids.ids.values[i]);

		if (tuple.errnoValue == 0)
			print_flow(&tuple.flow);
		mptcplib_free_flow(tuple.flow);
	}

	/* Close one subflow: the first one, the connection keeps going. */
	err = mptcplib_close_sub(sockfd, subids.ids.values[0], SHUT_RDWR);
	if (err)
		fprintf(stderr, "%s\n", mptcplib_last_error());
	else
		printf("closed subflow %d, %d left\n", subids.ids.values[0],
		       subids.ids.count - 1);
	status = err || subids.ids.count != 3;
	mptcplib_free_intarray(subids.ids);
out_sock:
	close(sockfd);
out_main:
	mptcplib_free_flow(main_flow);
	return status;
}

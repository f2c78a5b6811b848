/* SPDX-License-Identifier: MIT */
/* The listening half shared by the test servers: one thread per client. */
#ifndef TESTS_SERVER_H
#define TESTS_SERVER_H

#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

/*
 * Listen on [::]:@port (IPv4 too) with @proto (IPPROTO_MPTCP or TCP) and
 * run @serve(fd) in a detached thread per connection, forever; with
 * @once, accept one connection, close the listener (as socat without
 * fork does: a join to that port is refused from then on), serve it and
 * return 0. Returns 1 if the listener cannot be set up.
 */
static inline int server_run_mode(int port, int proto, void *(*serve)(void *),
				  int once)
{
	struct sockaddr_in6 addr = { .sin6_family = AF_INET6,
				     .sin6_addr = IN6ADDR_ANY_INIT,
				     .sin6_port = htons((uint16_t)port) };
	int one = 1, zero = 0, lfd;

	signal(SIGPIPE, SIG_IGN);
	lfd = socket(AF_INET6, SOCK_STREAM, proto);
	if (lfd < 0) {
		perror("socket");
		return 1;
	}
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(lfd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    listen(lfd, 4096) < 0) {
		perror("bind/listen");
		return 1;
	}
	for (;;) {
		pthread_t th;
		int fd = accept(lfd, NULL, NULL);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			/* Out of descriptors or memory: wait, do not quit. */
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				usleep(10000);
				continue;
			}
			perror("accept");
			return 1;
		}
		if (once) {
			close(lfd);
			serve((void *)(intptr_t)fd);
			return 0;
		}
		if (pthread_create(&th, NULL, serve, (void *)(intptr_t)fd)) {
			close(fd);
			continue;
		}
		pthread_detach(th);
	}
}

static inline int server_run(int port, int proto, void *(*serve)(void *))
{
	return server_run_mode(port, proto, serve, 0);
}

#endif /* TESTS_SERVER_H */

// SPDX-License-Identifier: MIT
/*
 * libctor_helper.so: a library whose constructor uses the network, as some
 * real ones do. Preloaded with the shim in either order, the program must
 * still work: no crash, hang or recursion (the shim's hooks may run before
 * the shim's own constructor). Target: MPA_CTOR_HOST and MPA_CTOR_PORT.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

__attribute__((constructor)) static void ctor_helper(void)
{
	const char *h = getenv("MPA_CTOR_HOST"), *p = getenv("MPA_CTOR_PORT");
	struct sockaddr_in in = { .sin_family = AF_INET };
	int fd;

	if (!h || !p)
		return;
	in.sin_port = htons((unsigned short)atoi(p));
	inet_pton(AF_INET, h, &in.sin_addr);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&in, sizeof(in)) < 0)
		_exit(66); /* visible to the test: the helper could not connect */
	close(fd);
}

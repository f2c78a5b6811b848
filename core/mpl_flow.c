// SPDX-License-Identifier: MIT
/* Flow construction and the public free functions. */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "mptcplib.h"

/* Resolve @host in @family (AF_UNSPEC: any) into a heap sockaddr. */
static struct sockaddr *flow_resolve(const char *host, unsigned short port,
				     int family, size_t *len)
{
	struct addrinfo hints = {
		.ai_family = family,
		.ai_socktype = SOCK_STREAM,
		.ai_flags = AI_ADDRCONFIG,
	};
	struct addrinfo *res = NULL;
	struct sockaddr *sa = NULL;

	/*
	 * AI_ADDRCONFIG hides IPv6 results on a host without a global IPv6
	 * address, yet a numeric v6 literal must still work in a v6-only lab.
	 */
	if (getaddrinfo(host, NULL, &hints, &res) != 0) {
		hints.ai_flags = 0;
		if (getaddrinfo(host, NULL, &hints, &res) != 0)
			return NULL;
	}
	sa = malloc(res->ai_addrlen);
	if (sa) {
		memcpy(sa, res->ai_addr, res->ai_addrlen);
		*len = res->ai_addrlen;
		if (sa->sa_family == AF_INET)
			((struct sockaddr_in *)sa)->sin_port = htons(port);
		else
			((struct sockaddr_in6 *)sa)->sin6_port = htons(port);
	}
	freeaddrinfo(res);
	return sa;
}

struct mptcplib_flow mptcplib_make_flow(char *source_host,
					unsigned short source_port,
					char *dest_host,
					unsigned short dest_port)
{
	struct mptcplib_flow flow = { 0 };
	int family;

	if (!dest_host)
		goto fail;
	flow.remote =
		flow_resolve(dest_host, dest_port, AF_UNSPEC, &flow.remote_len);
	if (!flow.remote)
		goto fail;
	family = flow.remote->sa_family;
	if (!source_host)
		source_host = family == AF_INET ? "0.0.0.0" : "::";
	flow.local =
		flow_resolve(source_host, source_port, family, &flow.local_len);
	if (!flow.local)
		goto fail;
	return flow;
fail:
	mptcplib_free_flow(flow);
	flow = (struct mptcplib_flow){ 0 };
	errno = EADDRNOTAVAIL;
	return flow;
}

void mptcplib_free_intarray(struct mptcplib_intarray arr)
{
	free(arr.values);
}

void mptcplib_free_flow(struct mptcplib_flow tuple)
{
	free(tuple.local);
	free(tuple.remote);
}

void mptcplib_free_getsubsockopt_result(
	struct mptcplib_getsubsockopt_result sockopt)
{
	free(sockopt.value);
}

void mptcplib_free_getsubtockopt_result(
	struct mptcplib_getsubsockopt_result sockopt)
{
	mptcplib_free_getsubsockopt_result(sockopt);
}

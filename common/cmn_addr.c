// SPDX-License-Identifier: MIT
/* sockaddr helpers and prefix matching shared by every room. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "cmn_addr.h"

socklen_t cmn_sa_len(int family)
{
	switch (family) {
	case AF_INET:
		return sizeof(struct sockaddr_in);
	case AF_INET6:
		return sizeof(struct sockaddr_in6);
	default:
		return 0;
	}
}

void cmn_sa_unmap(struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in in4 = { .sin_family = AF_INET };

	if (ss->ss_family != AF_INET6 || !IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr))
		return;
	in4.sin_port = in6->sin6_port;
	memcpy(&in4.sin_addr, &in6->sin6_addr.s6_addr[12], 4);
	memset(ss, 0, sizeof(*ss));
	memcpy(ss, &in4, sizeof(in4));
}

int cmn_sa_load(struct sockaddr_storage *dst, const struct sockaddr *src,
		size_t len)
{
	socklen_t need;

	if (!src || len < sizeof(sa_family_t))
		return -EINVAL;
	need = cmn_sa_len(src->sa_family);
	if (!need)
		return -EAFNOSUPPORT;
	if (len < need)
		return -EINVAL;
	memset(dst, 0, sizeof(*dst));
	memcpy(dst, src, need);
	cmn_sa_unmap(dst);
	return 0;
}

bool cmn_sa_addr_equal(const struct sockaddr *a, const struct sockaddr *b)
{
	if (a->sa_family != b->sa_family)
		return false;
	if (a->sa_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	if (a->sa_family == AF_INET6)
		return IN6_ARE_ADDR_EQUAL(
			&((const struct sockaddr_in6 *)a)->sin6_addr,
			&((const struct sockaddr_in6 *)b)->sin6_addr);
	return false;
}

unsigned short cmn_sa_port(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)sa)->sin_port);
	if (sa->sa_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	return 0;
}

bool cmn_sa_equal(const struct sockaddr *a, const struct sockaddr *b)
{
	return cmn_sa_addr_equal(a, b) && cmn_sa_port(a) == cmn_sa_port(b);
}

bool cmn_sa_is_any(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return ((const struct sockaddr_in *)sa)->sin_addr.s_addr ==
		       htonl(INADDR_ANY);
	if (sa->sa_family == AF_INET6)
		return IN6_IS_ADDR_UNSPECIFIED(
			&((const struct sockaddr_in6 *)sa)->sin6_addr);
	return false;
}

const void *cmn_sa_addr(const struct sockaddr *sa, size_t *len)
{
	if (sa->sa_family == AF_INET) {
		*len = sizeof(struct in_addr);
		return &((const struct sockaddr_in *)sa)->sin_addr;
	}
	if (sa->sa_family == AF_INET6) {
		*len = sizeof(struct in6_addr);
		return &((const struct sockaddr_in6 *)sa)->sin6_addr;
	}
	*len = 0;
	return NULL;
}

const char *cmn_sa_ntop(const struct sockaddr *sa, char *buf, size_t len)
{
	size_t alen;
	const void *a = cmn_sa_addr(sa, &alen);

	if (!a || !inet_ntop(sa->sa_family, a, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

const char *cmn_sa_fmt(const struct sockaddr *sa, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN];

	cmn_sa_ntop(sa, host, sizeof(host));
	if (sa->sa_family == AF_INET)
		snprintf(buf, len, "%s:%u", host, cmn_sa_port(sa));
	else if (sa->sa_family == AF_INET6)
		snprintf(buf, len, "[%s]:%u", host, cmn_sa_port(sa));
	else if (sa->sa_family == AF_UNSPEC)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "(family %d)", sa->sa_family);
	return buf;
}

bool cmn_prefix_covers(const uint8_t *prefix, int len, const uint8_t *addr)
{
	int full = len / 8, rest = len % 8;

	if (memcmp(prefix, addr, (size_t)full))
		return false;
	return !rest ||
	       !((prefix[full] ^ addr[full]) & (uint8_t)(0xff << (8 - rest)));
}

/* SPDX-License-Identifier: MIT */
/* sockaddr helpers shared by the core modules. */
#ifndef CMN_ADDR_H
#define CMN_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#define CMN_ADDRSTRLEN 64 /* "[v6%scope]:port" */

/* cmn_sa_len() - sockaddr size of @family, 0 if not AF_INET/AF_INET6. */
socklen_t cmn_sa_len(int family);

/*
 * cmn_sa_load() - copy a caller's sockaddr of @len bytes into @dst and turn
 * an IPv4-mapped IPv6 address into AF_INET, the form netlink and
 * MPTCP_FULL_INFO use. Returns 0, -EINVAL (NULL or short) or -EAFNOSUPPORT.
 */
int cmn_sa_load(struct sockaddr_storage *dst, const struct sockaddr *src,
		size_t len);

/* cmn_sa_unmap() - IPv4-mapped AF_INET6 in place to AF_INET. */
void cmn_sa_unmap(struct sockaddr_storage *ss);

/* Same family and address (ports ignored). */
bool cmn_sa_addr_equal(const struct sockaddr *a, const struct sockaddr *b);

/* Same family, address and port. */
bool cmn_sa_equal(const struct sockaddr *a, const struct sockaddr *b);

/* 0.0.0.0 or :: */
bool cmn_sa_is_any(const struct sockaddr *sa);

/* Port in host order, 0 for other families. */
unsigned short cmn_sa_port(const struct sockaddr *sa);

/* "10.0.2.1:80", "[fd00::1]:80" into @buf; returns @buf. */
const char *cmn_sa_fmt(const struct sockaddr *sa, char *buf, size_t len);

#endif /* CMN_ADDR_H */

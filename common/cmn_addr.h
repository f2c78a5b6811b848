/* SPDX-License-Identifier: MIT */
/*
 * Addresses as every room handles them: sockaddr helpers (IPv4-mapped
 * unmapping, comparison, formatting) and prefix matching on raw bytes.
 */
#ifndef CMN_ADDR_H
#define CMN_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
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

/*
 * cmn_sa_addr() - the address bytes of @sa, network order, and their count
 * in *@len: 4 for AF_INET, 16 for AF_INET6. NULL for other families.
 */
const void *cmn_sa_addr(const struct sockaddr *sa, size_t *len);

/*
 * cmn_sa_ntop() - the address alone, "10.0.2.1" or "fd00::1", into @buf
 * (INET6_ADDRSTRLEN bytes are enough); "?" for other families. Returns @buf.
 */
const char *cmn_sa_ntop(const struct sockaddr *sa, char *buf, size_t len);

/*
 * cmn_sa_fmt() - address and port, "10.0.2.1:80" or "[fd00::1]:80", into
 * @buf; "-" for AF_UNSPEC (no address), "(family N)" for other families.
 * Returns @buf.
 */
const char *cmn_sa_fmt(const struct sockaddr *sa, char *buf, size_t len);

/*
 * cmn_prefix_covers() - are the first @len bits of @addr those of @prefix?
 * Both are raw addresses in network order, of at least (@len + 7) / 8
 * bytes; @len 0 covers everything.
 */
bool cmn_prefix_covers(const uint8_t *prefix, int len, const uint8_t *addr);

#endif /* CMN_ADDR_H */

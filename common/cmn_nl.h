/* SPDX-License-Identifier: MIT */
/*
 * Netlink plumbing every room uses: raw sockets and their I/O made with
 * the system calls themselves, and one request/reply loop over libmnl's
 * message helpers for dumps and lookups (sock_diag, rtnetlink).
 *
 * Why system calls and not the C library's wrappers: an interposed
 * socket() (the shim's) must never see these sockets, and the shim's
 * helper thread has a descriptor table of its own (preload/mpa_helper.c),
 * which tools that model one table per process (ThreadSanitizer's
 * interceptors) would take for races on the program's descriptors.
 */
#ifndef CMN_NL_H
#define CMN_NL_H

#include <libmnl/libmnl.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* A bound netlink socket. */
struct cmn_nl {
	int fd; /* -1 when closed */
	uint32_t portid; /* the kernel's choice */
};

/*
 * cmn_nl_socket() - a netlink socket of @proto, O_CLOEXEC. The
 * descriptor, or -errno.
 */
int cmn_nl_socket(int proto);

/* cmn_nl_open() - cmn_nl_socket(), bound (the kernel picks the port id). */
int cmn_nl_open(int proto, struct cmn_nl *nl);

/* cmn_nl_close() - close it (nothing if closed); fd becomes -1. */
void cmn_nl_close(struct cmn_nl *nl);

/* cmn_nl_send() - one message to the kernel. 0 or -errno. */
int cmn_nl_send(int fd, const void *buf, size_t len);

/* cmn_nl_recv() - one datagram (recvfrom @flags). Its length or -errno. */
ssize_t cmn_nl_recv(int fd, void *buf, size_t len, int flags);

/* cmn_nl_setsockopt() - an int option at SOL_NETLINK. 0 or -errno. */
int cmn_nl_setsockopt(int fd, int opt, int val);

/*
 * cmn_nl_talk() - send @req (its sequence number set by the caller) and
 * give every reply message to @cb: until NLMSG_DONE for a dump
 * (NLM_F_DUMP in @req), else the one reply. @buf (@len bytes) receives.
 * 0, or -errno (a netlink error reply's errno included).
 */
int cmn_nl_talk(const struct cmn_nl *nl, const struct nlmsghdr *req, void *buf,
		size_t len, mnl_cb_t cb, void *data);

#endif /* CMN_NL_H */

/* SPDX-License-Identifier: MIT */
/*
 * Netlink plumbing every room uses: a raw socket no interposed socket()
 * can see, and one request/reply loop over libmnl for dumps and lookups
 * (sock_diag, rtnetlink).
 */
#ifndef CMN_NL_H
#define CMN_NL_H

#include <libmnl/libmnl.h>
#include <stddef.h>

/*
 * cmn_nl_socket() - a netlink socket of @proto, O_CLOEXEC, made with the
 * system call itself: an interposed socket() (the shim's) never sees it.
 * The descriptor, or -errno.
 */
int cmn_nl_socket(int proto);

/*
 * cmn_nl_open() - cmn_nl_socket() wrapped by libmnl and bound (the kernel
 * picks the port id). 0 and *@out, or -errno.
 */
int cmn_nl_open(int proto, struct mnl_socket **out);

/*
 * cmn_nl_talk() - send @req (its sequence number set by the caller) and
 * give every reply message to @cb: until NLMSG_DONE for a dump
 * (NLM_F_DUMP in @req), else the one reply. @buf (@len bytes) receives.
 * 0, or -errno (a netlink error reply's errno included).
 */
int cmn_nl_talk(struct mnl_socket *nl, const struct nlmsghdr *req, void *buf,
		size_t len, mnl_cb_t cb, void *data);

#endif /* CMN_NL_H */

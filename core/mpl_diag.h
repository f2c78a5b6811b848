/* SPDX-License-Identifier: MIT */
/*
 * inet_diag, the kernel's view of every socket of the network namespace,
 * readable without privilege: one parser of its messages for all readers,
 * the dumps the status command shows, and the per-subflow state that only
 * inet_diag exposes (backup and fully-established flags, address ids, the
 * bound interface).
 */
#ifndef MPL_DIAG_H
#define MPL_DIAG_H

#include <libmnl/libmnl.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "cmn_nl.h"

/* Room for a tcp_info of any kernel (280 bytes on 6.18). */
#define MPL_DIAG_TCPINFO_MAX 512

/* One socket of a sock_diag reply, as far as MPTCP cares. */
struct mpl_diag_sock {
	struct sockaddr_storage local, remote; /* v4-mapped ones unmapped */
	int state; /* TCP_ESTABLISHED... (netinet/tcp.h), MPTCP sockets too */
	unsigned int inode; /* of the socket's file; 0 for subflows */
	int ifindex; /* bound device, 0 if none */
	uint32_t token; /* the MPTCP connection's local token, 0 if none */
	uint32_t mptcp_flags; /* MPTCP socket: mptcp_info flags (MPL_INFO_*) */
	int family; /* of the socket: AF_INET6 for a dual-stack one */
	bool v6only; /* AF_INET6 socket that refuses IPv4 */
	bool subflow; /* a TCP socket carrying MPTCP subflow info */
	uint32_t flags; /* subflow: MPL_SUBFLOW_FLAG_* */
	int local_id, remote_id; /* subflow: address ids, -1 if not reported */
	uint64_t bytes_acked, bytes_received; /* TCP: tcp_info, 0 if absent */
	size_t tcpinfo_len; /* TCP: bytes of tcpinfo[] the kernel sent */
	unsigned char tcpinfo[MPL_DIAG_TCPINFO_MAX];
};

/*
 * mpl_diag_parse() - one SOCK_DIAG_BY_FAMILY message of a @protocol
 * request (IPPROTO_TCP or IPPROTO_MPTCP: it decides whether INET_DIAG_INFO
 * holds a tcp_info or an mptcp_info) into @out. 0, or -EINVAL if @nlh is
 * not a well-formed inet_diag message.
 */
int mpl_diag_parse(const struct nlmsghdr *nlh, int protocol,
		   struct mpl_diag_sock *out);

/* A socket of a dump; @s is valid during the call only. */
typedef void (*mpl_diag_cb)(const struct mpl_diag_sock *s, void *data);

/*
 * mpl_diag_dump() - every @protocol socket of @family in this network
 * namespace that is neither listening nor in TIME-WAIT, parsed, to @cb.
 * @nl is a NETLINK_SOCK_DIAG socket (cmn_nl_open()). 0 or -errno.
 */
int mpl_diag_dump(const struct cmn_nl *nl, int family, int protocol,
		  mpl_diag_cb cb, void *data);

/*
 * mpl_diag_subflow() - find the TCP subflow socket with this exact 4-tuple
 * (v4 tuples also match v4-mapped IPv6 sockets). 0, -ENOENT if none, or
 * another -errno.
 */
int mpl_diag_subflow(const struct sockaddr *local,
		     const struct sockaddr *remote, struct mpl_diag_sock *out);

/*
 * mpl_diag_token() - the MPTCP connection with local token @token in this
 * network namespace, into @out. 0, -ENOENT if none, or another -errno.
 */
int mpl_diag_token(uint32_t token, struct mpl_diag_sock *out);

/* mpl_diag_subflow() over @nl, an open NETLINK_SOCK_DIAG socket. */
int mpl_diag_subflow_nl(const struct cmn_nl *nl, const struct sockaddr *local,
			const struct sockaddr *remote,
			struct mpl_diag_sock *out);

#endif /* MPL_DIAG_H */

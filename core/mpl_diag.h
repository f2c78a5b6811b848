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
	/* MPTCP socket: the next byte the connection expects in order */
	uint64_t mptcp_rcv_nxt;
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

/* The ports of a TCP socket, host byte order: its own, then its peer's. */
struct mpl_diag_ports {
	uint16_t sport, dport;
};

/*
 * Pairs one filtered dump takes: the bytecode (20 bytes a pair) and the
 * request must fit the request buffer (MPL_NL_BUFSIZE).
 */
#define MPL_DIAG_PORTS_MAX 128

/*
 * mpl_diag_bc_ports() - inet_diag bytecode (INET_DIAG_REQ_BYTECODE) that
 * passes the sockets whose ports are one of the @n pairs @p, into @buf
 * (@len bytes). Its length, or -EINVAL (@n out of 1..MPL_DIAG_PORTS_MAX,
 * or @buf too small).
 */
int mpl_diag_bc_ports(void *buf, size_t len, const struct mpl_diag_ports *p,
		      int n);

/*
 * mpl_diag_dump_ports() - mpl_diag_dump() of the TCP sockets of @family
 * whose ports are one of the @n pairs @p (1..MPL_DIAG_PORTS_MAX): the
 * kernel filters, so that a host with many sockets sends only these. 0 or
 * -errno.
 */
int mpl_diag_dump_ports(const struct cmn_nl *nl, int family,
			const struct mpl_diag_ports *p, int n, mpl_diag_cb cb,
			void *data);

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

/*
 * mpl_diag_conn_nl() - the MPTCP connection with local token @token, by
 * the kernel's own lookup (a request for one socket, its token where a
 * TCP lookup puts the socket's cookie), over @nl: a few microseconds,
 * where mpl_diag_token() dumps them all. 0, -ENOENT if none, or another
 * -errno.
 */
int mpl_diag_conn_nl(const struct cmn_nl *nl, uint32_t token,
		     struct mpl_diag_sock *out);

/*
 * mpl_diag_lookup_nl() - the TCP socket with this exact 4-tuple, by the
 * kernel's own lookup (the IPv4 table, then the IPv6 one v4-mapped, for a
 * v4 tuple): a few microseconds, where a dump walks the whole table. A
 * socket bound to a device is found only when @ifindex names it; an
 * unbound one with any @ifindex (docs/kernel-facts.md §21). 0, -ENOENT
 * if none, or another -errno.
 */
int mpl_diag_lookup_nl(const struct cmn_nl *nl, const struct sockaddr *local,
		       const struct sockaddr *remote, int ifindex,
		       struct mpl_diag_sock *out);

/* mpl_diag_subflow() over @nl, an open NETLINK_SOCK_DIAG socket. */
int mpl_diag_subflow_nl(const struct cmn_nl *nl, const struct sockaddr *local,
			const struct sockaddr *remote,
			struct mpl_diag_sock *out);

#endif /* MPL_DIAG_H */

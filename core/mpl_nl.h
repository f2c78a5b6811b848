/* SPDX-License-Identifier: MIT */
/*
 * Generic netlink client for the "mptcp_pm" family: message builders and
 * parsers (pure, tested against canned bytes) and a small request engine
 * that reports the kernel's extended-ack text.
 */
#ifndef MPL_NL_H
#define MPL_NL_H

#include <linux/netlink.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Room for any reply we expect, and for any request we build. */
#define MPL_NL_BUFSIZE 8192
#define MPL_NL_REQSIZE 512

/* An address nest (MPTCP_PM_ATTR_ADDR / ADDR_REMOTE). */
struct mpl_pm_addr {
	int family; /* AF_INET or AF_INET6 */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} addr;
	uint16_t port; /* host order; 0: not sent */
	int id; /* address id 0..255; -1: not sent */
	int flags; /* MPL_PM_ADDR_FLAG_*; -1: not sent */
	int ifindex; /* 0: not sent */
};

struct mpl_nl {
	int fd; /* netlink socket (common/cmn_nl.h), -1 when closed */
	uint16_t family_id;
	uint32_t events_group;
	uint32_t ops; /* bit n set: the kernel has command n */
	uint32_t seq;
	uint32_t portid;
	char ext_msg[160]; /* extended-ack text of the last failure */
	int bad_attr; /* request attribute the kernel blamed (MPL_PM_ATTR_*), -1 */
};

/*
 * mpl_pm_addr_init() - family and address from @sa; nothing else sent.
 * 0, or -EAFNOSUPPORT (then only the family is set).
 */
int mpl_pm_addr_init(struct mpl_pm_addr *a, const struct sockaddr *sa);

/* mpl_pm_addr_same() - same family and address (port, id, flags ignored). */
bool mpl_pm_addr_same(const struct mpl_pm_addr *a, const struct mpl_pm_addr *b);

/*
 * mpl_nl_put_getfamily() - CTRL_CMD_GETFAMILY for "mptcp_pm" into @buf.
 * Returns the message.
 */
struct nlmsghdr *mpl_nl_put_getfamily(void *buf, uint32_t seq);

/*
 * mpl_nl_put_pm_cmd() - a mptcp_pm command (SUBFLOW_CREATE, DESTROY,
 * SET_FLAGS) with TOKEN, ADDR and ADDR_REMOTE (@remote may be NULL).
 */
struct nlmsghdr *mpl_nl_put_pm_cmd(void *buf, uint16_t family_id, uint32_t seq,
				   uint8_t cmd, uint32_t token,
				   const struct mpl_pm_addr *local,
				   const struct mpl_pm_addr *remote);

/* mpl_nl_put_get_addrs() - GET_ADDR dump of one connection's entries. */
struct nlmsghdr *mpl_nl_put_get_addrs(void *buf, uint16_t family_id,
				      uint32_t seq, uint32_t token);

/*
 * mpl_nl_put_get_endpoints() - GET_ADDR dump without a token: the
 * in-kernel path manager's endpoints of the namespace.
 */
struct nlmsghdr *mpl_nl_put_get_endpoints(void *buf, uint16_t family_id,
					  uint32_t seq);

/* mpl_nl_put_get_limits() - GET_LIMITS (a request answered by one reply). */
struct nlmsghdr *mpl_nl_put_get_limits(void *buf, uint16_t family_id,
				       uint32_t seq);

/*
 * mpl_nl_put_remove() - REMOVE: withdraw the announcement of local
 * address @id from connection @token (TOKEN and LOC_ID).
 */
struct nlmsghdr *mpl_nl_put_remove(void *buf, uint16_t family_id, uint32_t seq,
				   uint32_t token, uint8_t id);

/*
 * mpl_nl_parse_err() - the status carried by an NLMSG_ERROR or NLMSG_DONE
 * message: 0 or -errno, with the extended-ack text (or "missing attribute
 * N" when only NLMSGERR_ATTR_MISS_TYPE came) copied into @msg, and into
 * @bad_off (if not NULL) the offset in the request of the attribute the
 * kernel blamed (NLMSGERR_ATTR_OFFS), -1 if it named none.
 */
int mpl_nl_parse_err(const struct nlmsghdr *nlh, char *msg, size_t msglen,
		     long *bad_off);

/*
 * mpl_nl_attr_at() - the type of the top-level attribute of generic
 * netlink request @req that spans byte @off of it, -1 if none does.
 */
int mpl_nl_attr_at(const struct nlmsghdr *req, long off);

/*
 * mpl_nl_parse_family() - family id, events group id and the command set
 * from a CTRL_CMD_NEWFAMILY reply. 0 or -EINVAL if the id is missing.
 */
int mpl_nl_parse_family(const struct nlmsghdr *nlh, uint16_t *family_id,
			uint32_t *events_group, uint32_t *ops);

/* mpl_nl_parse_addr() - one GET_ADDR reply entry. 0 or -EINVAL. */
int mpl_nl_parse_addr(const struct nlmsghdr *nlh, struct mpl_pm_addr *a);

/*
 * mpl_nl_parse_limits() - a GET_LIMITS reply: the subflows and
 * add_addr_accepted limits. 0, or -EINVAL when either is missing.
 */
int mpl_nl_parse_limits(const struct nlmsghdr *nlh, int *subflows,
			int *add_addr_accepted);

/*
 * mpl_nl_open() - a netlink socket with extended acks, the family resolved.
 * -ENOENT if the kernel has no mptcp_pm family, other -errno on failure.
 */
int mpl_nl_open(struct mpl_nl *nl);

void mpl_nl_close(struct mpl_nl *nl);

/* mpl_nl_fd() - the socket's fd, for poll(). */
int mpl_nl_fd(const struct mpl_nl *nl);

bool mpl_nl_has_op(const struct mpl_nl *nl, int cmd);

/*
 * mpl_nl_pm_cmd() - run one mptcp_pm command and wait for its ack.
 * 0 or -errno; on failure nl->ext_msg holds the kernel's text (or "") and
 * nl->bad_attr the attribute it blamed. The text differs between kernels:
 * show it, never decide by it.
 */
int mpl_nl_pm_cmd(struct mpl_nl *nl, uint8_t cmd, uint32_t token,
		  const struct mpl_pm_addr *local,
		  const struct mpl_pm_addr *remote);

/*
 * mpl_nl_get_addrs() - the connection's local address entries (userspace
 * PM). At most @cap are stored, *n gets how many. 0 or -errno.
 */
int mpl_nl_get_addrs(struct mpl_nl *nl, uint32_t token, struct mpl_pm_addr *out,
		     int cap, int *n);

/*
 * mpl_nl_get_endpoints() - the in-kernel path manager's endpoints. At
 * most @cap are stored; *n gets how many the kernel listed (more than
 * @cap when they did not fit). 0 or -errno.
 */
int mpl_nl_get_endpoints(struct mpl_nl *nl, struct mpl_pm_addr *out, int cap,
			 int *n);

/* mpl_nl_get_limits() - the in-kernel path manager's limits. 0 or -errno. */
int mpl_nl_get_limits(struct mpl_nl *nl, int *subflows, int *add_addr_accepted);

/* mpl_nl_remove() - run REMOVE and wait for its ack. As mpl_nl_pm_cmd(). */
int mpl_nl_remove(struct mpl_nl *nl, uint32_t token, uint8_t id);

#endif /* MPL_NL_H */

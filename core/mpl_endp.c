// SPDX-License-Identifier: MIT
/*
 * The in-kernel path manager's configuration (endpoints and limits), read
 * so that a userspace path manager can do what it did, and the
 * announcements such a path manager makes (ANNOUNCE, REMOVE).
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "cmn_addr.h"
#include "mpl_endp.h"
#include "mpl_err.h"
#include "mpl_nl.h"
#include "mpl_pm.h"
#include "mpl_uapi.h"
#include "mptcplib.h"

/* The flags a caller sees: the kernel's values, those we name. */
#define ENDP_FLAGS                                              \
	(MPTCPLIB_ENDPOINT_SIGNAL | MPTCPLIB_ENDPOINT_SUBFLOW | \
	 MPTCPLIB_ENDPOINT_BACKUP | MPTCPLIB_ENDPOINT_FULLMESH)

_Static_assert(MPTCPLIB_ENDPOINT_SIGNAL == MPL_PM_ADDR_FLAG_SIGNAL &&
		       MPTCPLIB_ENDPOINT_SUBFLOW == MPL_PM_ADDR_FLAG_SUBFLOW &&
		       MPTCPLIB_ENDPOINT_BACKUP == MPL_PM_ADDR_FLAG_BACKUP &&
		       MPTCPLIB_ENDPOINT_FULLMESH == MPL_PM_ADDR_FLAG_FULLMESH,
	       "endpoint flags are the kernel's");

void mpl_endp_from_pm(struct mptcplib_endpoint *e, const struct mpl_pm_addr *a)
{
	memset(e, 0, sizeof(*e));
	e->id = a->id < 0 ? 0 : a->id;
	e->flags = a->flags < 0 ? 0 : (unsigned int)a->flags & ENDP_FLAGS;
	e->ifindex = a->ifindex;
	if (a->family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&e->addr;

		in->sin_family = AF_INET;
		in->sin_addr = a->addr.v4;
		in->sin_port = htons(a->port);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&e->addr;

		in6->sin6_family = AF_INET6;
		in6->sin6_addr = a->addr.v6;
		in6->sin6_port = htons(a->port);
	}
}

int mptcplib_get_endpoints(struct mptcplib_endpoint *out, int cap, int *count)
{
	struct mpl_pm_addr a[MPTCPLIB_ENDPOINTS_MAX * 4];
	struct mpl_nl nl;
	int err, n = 0, i;

	mpl_clear();
	*count = 0;
	if (cap < 0 || (cap && !out))
		return mpl_fail(EINVAL, "get_endpoints: no room given");
	err = mpl_pm_open(&nl, MPL_PM_CMD_GET_ADDR, "get_endpoints");
	if (err)
		return err;
	err = mpl_nl_get_endpoints(&nl, a, (int)(sizeof(a) / sizeof(a[0])), &n);
	mpl_nl_close(&nl);
	if (err == -EPERM)
		return mpl_fail(EPERM, "get_endpoints: this kernel lists the "
				       "endpoints to CAP_NET_ADMIN only");
	if (err)
		return mpl_fail(-err, "get_endpoints: GET_ADDR%s%s",
				nl.ext_msg[0] ? ": " : "", nl.ext_msg);
	for (i = 0; i < n && i < cap && i < (int)(sizeof(a) / sizeof(a[0]));
	     i++)
		mpl_endp_from_pm(&out[i], &a[i]);
	*count = n;
	return 0;
}

int mptcplib_get_limits(struct mptcplib_limits *lim)
{
	struct mpl_nl nl;
	int err;

	mpl_clear();
	memset(lim, 0, sizeof(*lim));
	err = mpl_pm_open(&nl, MPL_PM_CMD_GET_LIMITS, "get_limits");
	if (err)
		return err;
	err = mpl_nl_get_limits(&nl, &lim->subflows, &lim->add_addr_accepted);
	mpl_nl_close(&nl);
	if (err == -EPERM)
		return mpl_fail(EPERM, "get_limits: this kernel shows the "
				       "limits to CAP_NET_ADMIN only");
	if (err)
		return mpl_fail(-err, "get_limits: GET_LIMITS%s%s",
				nl.ext_msg[0] ? ": " : "", nl.ext_msg);
	return 0;
}

int mpl_endp_announce_addr(struct mpl_pm_addr *a, const struct sockaddr *addr,
			   socklen_t len, int id)
{
	struct sockaddr_storage ss;

	if (id < 1 || id > 255 || !addr || cmn_sa_load(&ss, addr, len))
		return -EINVAL;
	mpl_pm_addr_init(a, (const struct sockaddr *)&ss);
	a->port = cmn_sa_port((const struct sockaddr *)&ss);
	a->id = id;
	a->flags = MPL_PM_ADDR_FLAG_SIGNAL; /* refused without it */
	return 0;
}

int mptcplib_token_announce(uint32_t token, const struct sockaddr *addr,
			    socklen_t addrlen, int id)
{
	struct mpl_pm_addr a;
	struct mpl_pm_failure f;
	struct mpl_nl nl;
	int err;

	mpl_clear();
	if (id < 1 || id > 255)
		return mpl_fail(EINVAL,
				"announce: address id %d is not in "
				"1..255 (0 is the initial subflow's)",
				id);
	if (mpl_endp_announce_addr(&a, addr, addrlen, id))
		return mpl_fail(EINVAL, "announce: bad address");
	err = mpl_pm_open(&nl, MPL_PM_CMD_ANNOUNCE, "announce");
	if (err)
		return err;
	err = mpl_nl_pm_cmd(&nl, MPL_PM_CMD_ANNOUNCE, token, &a, NULL);
	if (err) {
		mpl_pm_failure_of(&nl, err, token, 0, NULL, &f);
		/*
		 * Before 6.15 a live connection's EINVAL that blames no
		 * attribute is an id or address already paired otherwise, or
		 * the in-kernel path manager; only the kernel's text tells,
		 * and it is quoted, never parsed (docs/kernel-facts.md §18).
		 */
		if (mpl_pm_needs_conn(&f) && f.conn == MPL_PM_CONN_LIVE)
			err = mpl_fail(EINVAL,
				       "announce: the kernel refused id %d for "
				       "this address (one of them is paired "
				       "otherwise), or the connection uses the "
				       "in-kernel path manager (kernel: %s)",
				       id, nl.ext_msg[0] ? nl.ext_msg : "-");
		else
			err = mpl_pm_map_err(&f, "announce");
	}
	mpl_nl_close(&nl);
	return err;
}

int mptcplib_token_remove(uint32_t token, int id)
{
	struct mpl_pm_failure f;
	struct mpl_nl nl;
	int err;

	mpl_clear();
	if (id < 0 || id > 255)
		return mpl_fail(EINVAL,
				"remove: address id %d is not in "
				"0..255",
				id);
	err = mpl_pm_open(&nl, MPL_PM_CMD_REMOVE, "remove");
	if (err)
		return err;
	err = mpl_nl_remove(&nl, token, (uint8_t)id);
	if (err) {
		mpl_pm_failure_of(&nl, err, token, 0, NULL, &f);
		/*
		 * A live connection's EINVAL is an unknown id or the in-kernel
		 * path manager: the kernel says which only in its text, which
		 * is quoted, never parsed.
		 */
		if (mpl_pm_needs_conn(&f) && f.conn == MPL_PM_CONN_LIVE)
			err = mpl_fail(EINVAL,
				       "remove: the connection has no address "
				       "with id %d, or it uses the in-kernel "
				       "path manager (kernel: %s)",
				       id, nl.ext_msg[0] ? nl.ext_msg : "-");
		else
			err = mpl_pm_map_err(&f, "remove");
	}
	mpl_nl_close(&nl);
	return err;
}

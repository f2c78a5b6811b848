// SPDX-License-Identifier: MIT
/* open_sub, close_sub and priority: SUBFLOW_CREATE/DESTROY and SET_FLAGS. */
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "cmn_clock.h"
#include "cmn_addr.h"
#include "mpl_conn.h"
#include "mpl_diag.h"
#include "mpl_err.h"
#include "mpl_event.h"
#include "mpl_ids.h"
#include "mpl_nl.h"
#include "mpl_pm.h"
#include "mpl_uapi.h"
#include "mptcplib.h"

/* How often a synchronous open re-reads the subflow's state. */
#define PM_POLL_MS 20

bool mpl_pm_families_match(int conn_family, bool v6only, int req_family)
{
	if (conn_family == AF_INET)
		return req_family == AF_INET;
	return !v6only || req_family == AF_INET6;
}

int mpl_pm_needs_conn(const struct mpl_pm_failure *f)
{
	return f->err == -EINVAL && f->bad_attr != MPL_PM_ATTR_ADDR &&
	       f->bad_attr != MPL_PM_ATTR_ADDR_REMOTE;
}

int mpl_pm_sub_of(int diag_err, const struct mpl_diag_sock *d, uint32_t token)
{
	if (diag_err == -ENOENT)
		return 0;
	if (diag_err || !d->subflow)
		return -1;
	return d->token == token;
}

int mpl_pm_prio_action(int diag_err, const struct mpl_diag_sock *d,
		       uint32_t token, int low_prio)
{
	int of = mpl_pm_sub_of(diag_err, d, token);

	if (of == 0)
		return -ENOENT;
	/* Flags the kernel did not show (6.1, unprivileged) say nothing. */
	if (of == 1 && !!(d->flags & MPL_SUBFLOW_FLAG_BKUP_LOC) == !!low_prio)
		return 0;
	return 1;
}

int mpl_pm_map_err(const struct mpl_pm_failure *f, const char *what)
{
	const char *ext = f->ext && *f->ext ? f->ext : NULL;
	char kernel[192] = "";

	if (ext)
		snprintf(kernel, sizeof(kernel), " (kernel: %s)", ext);
	switch (f->err) {
	case -EPERM:
		return mpl_fail(EPERM,
				"%s: changing subflows needs "
				"CAP_NET_ADMIN",
				what);
	case -ENOTCONN:
		return mpl_fail(ENOTCONN,
				"%s: the connection is not fully "
				"established yet; exchange data first%s",
				what, kernel);
	case -EADDRNOTAVAIL:
		return mpl_fail(EADDRNOTAVAIL,
				"%s: the local address is not one of this "
				"host's%s",
				what, kernel);
	case -ESRCH:
		return mpl_fail(ENOENT, "%s: subflow not found%s", what,
				kernel);
	}
	if (mpl_pm_needs_conn(f)) {
		switch (f->conn) {
		case MPL_PM_CONN_GONE:
			return mpl_fail(ESRCH,
					"%s: the kernel does not know this "
					"connection: closed, or never "
					"MPTCP%s",
					what, kernel);
		case MPL_PM_CONN_FALLBACK:
			return mpl_fail(ESRCH,
					"%s: the connection fell back to "
					"plain TCP%s",
					what, kernel);
		case MPL_PM_CONN_LIVE:
			/*
			 * SET_FLAGS names a subflow: the kernel's EINVAL for
			 * one it does not have is the path manager's too.
			 */
			if (f->sub_gone)
				return mpl_fail(ENOENT,
						"%s: subflow not found%s", what,
						kernel);
			if (f->req_family &&
			    !mpl_pm_families_match(f->conn_family,
						   f->conn_v6only,
						   f->req_family))
				return mpl_fail(
					EAFNOSUPPORT,
					"%s: an %s connection cannot "
					"have %s subflows%s",
					what,
					f->conn_family == AF_INET ? "IPv4" :
								    "IPv6-only",
					f->req_family == AF_INET ? "IPv4" :
								   "IPv6",
					kernel);
			return mpl_fail(ENOPROTOOPT,
					"%s: the connection uses the "
					"in-kernel path manager; set "
					"net.mptcp.path_manager=userspace "
					"(net.mptcp.pm_type=1 before Linux "
					"6.15) before connecting%s",
					what, kernel);
		case MPL_PM_CONN_UNCHECKED:
			break;
		}
	}
	if (f->err == -EINVAL && (f->bad_attr == MPL_PM_ATTR_ADDR ||
				  f->bad_attr == MPL_PM_ATTR_ADDR_REMOTE))
		return mpl_fail(
			EINVAL, "%s: the kernel refused the %s address%s", what,
			f->bad_attr == MPL_PM_ATTR_ADDR ? "local" : "remote",
			kernel);
	return mpl_fail(-f->err, "%s%s", what, kernel);
}

/* Is subflow @sf, named by a failed command, none of @token's subflows? */
static bool pm_sub_gone(uint32_t token, const struct mpl_sf *sf)
{
	struct mpl_diag_sock d;
	int err = mpl_diag_subflow((const struct sockaddr *)&sf->local,
				   (const struct sockaddr *)&sf->remote, &d);

	return mpl_pm_sub_of(err, &d, token) == 0;
}

void mpl_pm_failure_of(const struct mpl_nl *nl, int err, uint32_t token,
		       int req_family, const struct mpl_sf *sf,
		       struct mpl_pm_failure *out)
{
	struct mpl_pm_failure f = { .err = err,
				    .ext = nl->ext_msg,
				    .bad_attr = nl->bad_attr,
				    .req_family = req_family };
	struct mpl_diag_sock conn;
	int found;

	if (mpl_pm_needs_conn(&f)) {
		found = mpl_diag_token(token, &conn);
		if (found == 0 && (conn.mptcp_flags & MPL_INFO_FLAG_FALLBACK)) {
			f.conn = MPL_PM_CONN_FALLBACK;
		} else if (found == 0) {
			f.conn = MPL_PM_CONN_LIVE;
			f.conn_family = conn.family;
			f.conn_v6only = conn.v6only;
			f.sub_gone = sf && pm_sub_gone(token, sf);
		} else if (found == -ENOENT) {
			f.conn = MPL_PM_CONN_GONE;
		}
	}
	*out = f;
}

/*
 * mpl_pm_map_err() for the last command on @nl about connection @token,
 * looking the connection (and the subflow @sf the command named, if not
 * NULL) up first when the errno alone cannot tell.
 */
static int pm_fail(const struct mpl_nl *nl, int err, uint32_t token,
		   int req_family, const struct mpl_sf *sf, const char *what)
{
	struct mpl_pm_failure f;

	mpl_pm_failure_of(nl, err, token, req_family, sf, &f);
	return mpl_pm_map_err(&f, what);
}

int mpl_pm_fail(const struct mpl_nl *nl, int err, uint32_t token,
		const char *what)
{
	return pm_fail(nl, err, token, 0, NULL, what);
}

int mpl_pm_open(struct mpl_nl *nl, int cmd, const char *what)
{
	int err = mpl_nl_open(nl);

	if (err == -ENOENT)
		return mpl_fail(ENOSYS,
				"%s: the kernel has no mptcp_pm netlink "
				"family",
				what);
	if (err)
		return mpl_fail(-err, "%s: netlink", what);
	if (!mpl_nl_has_op(nl, cmd)) {
		mpl_nl_close(nl);
		return mpl_fail(ENOSYS,
				"%s: the kernel lacks this mptcp_pm "
				"command (Linux 5.19 or newer)",
				what);
	}
	return 0;
}

/* Netlink form of a subflow endpoint: address and port. */
static void pm_endpoint(struct mpl_pm_addr *a,
			const struct sockaddr_storage *ss)
{
	mpl_pm_addr_init(a, (const struct sockaddr *)ss);
	a->port = cmn_sa_port((const struct sockaddr *)ss);
}

static int pm_subflow_cmd(struct mpl_nl *nl, uint8_t cmd, uint32_t token,
			  const struct mpl_sf *sf, int flags)
{
	struct mpl_pm_addr local, remote;

	pm_endpoint(&local, &sf->local);
	pm_endpoint(&remote, &sf->remote);
	local.flags = flags;
	return mpl_nl_pm_cmd(nl, cmd, token, &local, &remote);
}

int mpl_pm_open_undo(int err, bool unwanted, const struct mpl_sf *sf,
		     struct mpl_pm_addr *local, struct mpl_pm_addr *remote)
{
	/*
	 * Only a wait that timed out may leave a subflow that still comes up
	 * later, besides one the kernel made otherwise than asked. Without
	 * @sf, the subflow was not listed right after its creation: it had
	 * failed already, and there is no 4-tuple to name.
	 */
	if (!err || (err != ETIMEDOUT && !unwanted) || !sf)
		return 0;
	pm_endpoint(local, &sf->local);
	pm_endpoint(remote, &sf->remote);
	return 1;
}

struct open_req {
	uint32_t token;
	struct sockaddr_storage local, remote;
	int ifindex;
	int low_prio;
	int timeout_ms;
	int nonblock;
};

/*
 * The request's ends and options. A NULL tuple->remote means the peer of
 * @fd (which must then be >= 0).
 */
static int open_parse_flow(int fd, const struct mptcplib_flow *tuple,
			   const struct mptcplib_open_opts *opts,
			   struct open_req *req)
{
	socklen_t len = sizeof(req->remote);
	int err;

	memset(req, 0, sizeof(*req));
	if (!tuple || !tuple->local)
		return mpl_fail(EINVAL, "open_sub: tuple->local is NULL (use "
					"the wildcard address to let routing "
					"choose)");
	err = cmn_sa_load(&req->local, tuple->local, tuple->local_len);
	if (err)
		return mpl_fail(-err, "open_sub: bad local address");
	if (tuple->remote) {
		err = cmn_sa_load(&req->remote, tuple->remote,
				  tuple->remote_len);
		if (err)
			return mpl_fail(-err, "open_sub: bad remote address");
	} else if (fd < 0) {
		return mpl_fail(EINVAL, "open_sub: tuple->remote is NULL");
	} else if (getpeername(fd, (struct sockaddr *)&req->remote, &len) < 0) {
		return mpl_fail(errno, "open_sub: fd %d has no peer", fd);
	}
	cmn_sa_unmap(&req->remote);
	if (!cmn_sa_port((struct sockaddr *)&req->remote))
		return mpl_fail(EINVAL, "open_sub: remote port is 0");
	if (req->local.ss_family != req->remote.ss_family)
		return mpl_fail(EAFNOSUPPORT, "open_sub: local and remote "
					      "address families differ");
	req->low_prio = tuple->low_prio > 0;
	req->timeout_ms = MPTCPLIB_OPEN_TIMEOUT_MS;
	if (!opts)
		return 0;
	req->nonblock = !!(opts->flags & MPTCPLIB_OPEN_NONBLOCK);
	if (opts->timeout_ms > 0)
		req->timeout_ms = opts->timeout_ms;
	req->ifindex = opts->ifindex;
	if (!req->ifindex && opts->ifname) {
		req->ifindex = (int)if_nametoindex(opts->ifname);
		if (!req->ifindex)
			return mpl_fail(ENODEV, "open_sub: no interface %s",
					opts->ifname);
	}
	return 0;
}

/* open_parse_flow(), then the connection's token from @fd. */
static int open_parse(int fd, const struct mptcplib_flow *tuple,
		      const struct mptcplib_open_opts *opts,
		      struct open_req *req)
{
	struct mpl_mptcp_info info;
	int err = open_parse_flow(fd, tuple, opts, req);

	if (err)
		return err;
	err = mpl_sock_info(fd, &info, NULL);
	if (err == -EOPNOTSUPP)
		return mpl_conn_not_mptcp(fd, "open_sub");
	if (err)
		return mpl_fail(-err, "open_sub: fd %d", fd);
	if (!info.token)
		return mpl_fail(ENOTCONN, "open_sub: fd %d is not connected",
				fd);
	req->token = info.token;
	return 0;
}

/* Does listed subflow @sf look like the one @req asked for? */
static int open_matches(const struct open_req *req, const struct mpl_sf *sf)
{
	const struct sockaddr *want = (const struct sockaddr *)&req->local;

	if (!cmn_sa_equal((const struct sockaddr *)&sf->remote,
			  (const struct sockaddr *)&req->remote))
		return 0;
	if (!cmn_sa_is_any(want) &&
	    !cmn_sa_addr_equal((const struct sockaddr *)&sf->local, want))
		return 0;
	return !cmn_sa_port(want) ||
	       cmn_sa_port(want) ==
		       cmn_sa_port((const struct sockaddr *)&sf->local);
}

/* The newest subflow in @after that is not in @before and matches @req. */
static const struct mpl_sf *open_find_new(const struct open_req *req,
					  const struct mpl_sf_list *before,
					  const struct mpl_sf_list *after)
{
	const struct mpl_sf *best = NULL;
	int i, j, old;

	for (i = 0; i < after->count; i++) {
		for (old = 0, j = 0; j < before->count && !old; j++)
			old = before->sf[j].id == after->sf[i].id;
		if (old || !open_matches(req, &after->sf[i]))
			continue;
		if (!best || after->sf[i].id > best->id)
			best = &after->sf[i];
	}
	return best;
}

/*
 * Is event @ev about our subflow? With @sf known, by its exact 4-tuple;
 * without (it vanished before we could list it), by the requested ends.
 */
static int open_event_is(const struct mptcplib_event *ev,
			 const struct open_req *req, const struct mpl_sf *sf)
{
	struct sockaddr_storage l = ev->local, r = ev->remote;
	const struct sockaddr *want = (const struct sockaddr *)&req->local;

	if (ev->token != req->token)
		return 0;
	cmn_sa_unmap(&l);
	cmn_sa_unmap(&r);
	if (sf)
		return cmn_sa_equal((struct sockaddr *)&l,
				    (const struct sockaddr *)&sf->local) &&
		       cmn_sa_equal((struct sockaddr *)&r,
				    (const struct sockaddr *)&sf->remote);
	return cmn_sa_equal((struct sockaddr *)&r,
			    (const struct sockaddr *)&req->remote) &&
	       (cmn_sa_is_any(want) ||
		cmn_sa_addr_equal((struct sockaddr *)&l, want));
}

/* The reason a SUB_CLOSED event gives, as the public errno. */
static int open_closed_err(const struct mptcplib_event *ev, const char *ep)
{
	/* A reset right after the handshake: the peer refused the join. */
	int err = ev->error && ev->error != ECONNRESET ? ev->error :
							 ECONNREFUSED;

	return mpl_fail(err, "open_sub: subflow from %s %s", ep,
			err == ECONNREFUSED ? "was refused by the peer" :
					      "failed");
}

/*
 * Wait until subflow @sf is fully established (the peer acknowledged the
 * join), it closes, or the deadline passes. The SUB_ESTABLISHED event comes
 * at the SYN-ACK, before the peer has validated the join: a peer over its
 * join limit resets right after, so only the diag flag proves success.
 * Events give the reason of a failure; inet_diag is the ground truth when
 * events were lost (ENOBUFS) or when @sf is NULL because the subflow was
 * already gone when listed.
 */
static int open_wait(struct mptcplib_events *evs, const struct open_req *req,
		     const struct mpl_sf *sf, int64_t deadline, uint32_t *flags)
{
	struct pollfd pfd = { .fd = mptcplib_events_fd(evs), .events = POLLIN };
	struct mptcplib_event ev;
	struct mpl_diag_sock diag;
	char ep[CMN_ADDRSTRLEN];
	int err, left, gone = 0;

	cmn_sa_fmt((const struct sockaddr *)(sf ? &sf->local : &req->local), ep,
		   sizeof(ep));
	for (;;) {
		while (mpl_events_next(evs, &ev, 0) == 0) {
			if (ev.type == MPTCPLIB_EVENT_CLOSED &&
			    ev.token == req->token)
				return mpl_fail(ECONNRESET,
						"open_sub: the "
						"connection closed");
			if (ev.type == MPTCPLIB_EVENT_SUB_CLOSED &&
			    open_event_is(&ev, req, sf))
				return open_closed_err(&ev, ep);
		}
		err = -ENOENT;
		if (sf)
			err = mpl_diag_subflow(
				(const struct sockaddr *)&sf->local,
				(const struct sockaddr *)&sf->remote, &diag);
		if (!err && (diag.flags & MPL_SUBFLOW_FLAG_FULLY_ESTABLISHED)) {
			*flags = diag.flags;
			return 0;
		}
		/* Gone: one more round lets its SUB_CLOSED event arrive. */
		if (err == -ENOENT && gone++)
			return mpl_fail(ECONNREFUSED,
					"open_sub: subflow from "
					"%s closed before it "
					"was established",
					ep);
		left = (int)(deadline - cmn_now_ms());
		if (left <= 0)
			return mpl_fail(ETIMEDOUT,
					"open_sub: subflow from %s "
					"not established within "
					"%d ms",
					ep, req->timeout_ms);
		poll(&pfd, 1, left < PM_POLL_MS ? left : PM_POLL_MS);
	}
}

/*
 * Kernels before 6.x (6.1 among them) ignore the interface SUBFLOW_CREATE
 * names (docs/kernel-facts.md §18): the new subflow @sf is then bound to
 * none. Asked of the kernel, not of its version. 0 if the binding holds or
 * the subflow is already gone, else the error to report (positive).
 */
static int open_check_bound(const struct open_req *req, const struct mpl_sf *sf)
{
	struct mpl_diag_sock diag;

	if (!req->ifindex || !sf ||
	    mpl_diag_subflow((const struct sockaddr *)&sf->local,
			     (const struct sockaddr *)&sf->remote, &diag))
		return 0;
	if (diag.ifindex == req->ifindex)
		return 0;
	return mpl_fail(EOPNOTSUPP,
			"open_sub: this kernel does not bind a subflow to an "
			"interface (Linux 6.1 does not, 6.12 does); leave the "
			"interface out and route the source address with a "
			"policy rule (ip rule add from ADDRESS table N)");
}

/* Ask the kernel for the subflow; the id sent is stable per address. */
static int open_request(struct mpl_nl *nl, const struct open_req *req)
{
	struct mpl_pm_addr kernel[MPL_IDS_MAX], local, remote;
	int n = 0, err, id;

	err = mpl_nl_get_addrs(nl, req->token, kernel, MPL_IDS_MAX, &n);
	if (err)
		return pm_fail(nl, err, req->token, 0, NULL, "open_sub");
	pm_endpoint(&local, &req->local);
	pm_endpoint(&remote, &req->remote);
	id = mpl_ids_pick(req->token, &local, kernel, n);
	if (id < 0)
		return mpl_fail(ENOSPC, "open_sub: all 255 local address ids "
					"of this connection are in use");
	local.id = id;
	local.ifindex = req->ifindex;
	if (req->low_prio)
		local.flags = MPL_PM_ADDR_FLAG_BACKUP;
	err = mpl_nl_pm_cmd(nl, MPL_PM_CMD_SUBFLOW_CREATE, req->token, &local,
			    &remote);
	return err ? pm_fail(nl, err, req->token, req->local.ss_family, NULL,
			     "open_sub") :
		     0;
}

int mptcplib_open_sub_ext(int sockfd, struct mptcplib_flow *tuple,
			  const struct mptcplib_open_opts *opts)
{
	struct mpl_sf_list before = { 0 }, after = { 0 };
	struct mptcplib_events *evs = NULL;
	struct mpl_pm_addr local, remote;
	const struct mpl_sf *sf;
	struct open_req req;
	struct mpl_nl nl;
	uint32_t flags = 0;
	bool unwanted = false;
	int64_t deadline;
	int err;

	mpl_clear();
	err = open_parse(sockfd, tuple, opts, &req);
	if (err)
		return err;
	deadline = cmn_now_ms() + req.timeout_ms;
	err = mpl_pm_open(&nl, MPL_PM_CMD_SUBFLOW_CREATE, "open_sub");
	if (err)
		return err;
	/* Subscribe before asking, or a fast peer's answer is missed. */
	if (!req.nonblock) {
		err = mptcplib_events_open(&evs);
		if (err) {
			struct mpl_pm_failure f = { .err = -err,
						    .bad_attr = -1 };

			err = mpl_pm_map_err(&f, "open_sub");
			goto out;
		}
	}
	err = mpl_conn_subflows(sockfd, &before, "open_sub");
	if (err)
		goto out;
	err = open_request(&nl, &req);
	if (err)
		goto out;
	err = mpl_conn_subflows(sockfd, &after, "open_sub");
	if (err)
		goto out;
	sf = open_find_new(&req, &before, &after);
	tuple->id = sf ? (int)sf->id : -1;
	err = open_check_bound(&req, sf);
	unwanted = err != 0;
	if (err)
		goto undo;
	if (req.nonblock)
		goto out;
	/* Not listed: it already failed; open_wait() finds out why. */
	err = open_wait(evs, &req, sf, deadline, &flags);
	/*
	 * A kernel that ignores the backup flag of SUBFLOW_CREATE (6.1) made
	 * a regular subflow: mark it once it is up, as set_sub_prio() would.
	 */
	if (!err && req.low_prio && !(flags & MPL_SUBFLOW_FLAG_BKUP_LOC)) {
		err = pm_subflow_cmd(&nl, MPL_PM_CMD_SET_FLAGS, req.token, sf,
				     MPL_PM_ADDR_FLAG_BACKUP);
		if (err)
			err = pm_fail(&nl, err, req.token, 0, sf, "open_sub");
		unwanted = err != 0;
	}
undo:
	if (err)
		tuple->id = -1;
	if (mpl_pm_open_undo(err, unwanted, sf, &local, &remote)) {
		/* Do not leave a half-open subflow that may come up later. */
		mpl_nl_pm_cmd(&nl, MPL_PM_CMD_SUBFLOW_DESTROY, req.token,
			      &local, &remote);
		errno = err;
	}
out:
	mpl_sf_list_free(&before);
	mpl_sf_list_free(&after);
	mptcplib_events_close(evs);
	mpl_nl_close(&nl);
	return err;
}

int mptcplib_open_sub(int sockfd, struct mptcplib_flow *tuple)
{
	return mptcplib_open_sub_ext(sockfd, tuple, NULL);
}

int mptcplib_token_open_sub(uint32_t token, const struct mptcplib_flow *tuple,
			    const struct mptcplib_open_opts *opts)
{
	struct open_req req;
	struct mpl_nl nl;
	int err;

	mpl_clear();
	err = open_parse_flow(-1, tuple, opts, &req);
	if (err)
		return err;
	req.token = token;
	err = mpl_pm_open(&nl, MPL_PM_CMD_SUBFLOW_CREATE, "open_sub");
	if (err)
		return err;
	err = open_request(&nl, &req);
	mpl_nl_close(&nl);
	return err;
}

/* Record the kernel's id for @sf's local address before it forgets it. */
static void close_keep_id(struct mpl_nl *nl, uint32_t token,
			  const struct mpl_sf *sf)
{
	struct mpl_pm_addr kernel[MPL_IDS_MAX], local;
	int n = 0, i;

	if (mpl_nl_get_addrs(nl, token, kernel, MPL_IDS_MAX, &n))
		return;
	mpl_pm_addr_init(&local, (const struct sockaddr *)&sf->local);
	/* Every entry of that address, whatever its port. */
	for (i = 0; i < n; i++)
		if (mpl_pm_addr_same(&kernel[i], &local))
			mpl_ids_remember(token, &kernel[i]);
}

int mptcplib_close_sub(int sockfd, int id, int how)
{
	struct mpl_sf_list list;
	const struct mpl_sf *sf;
	struct mpl_nl nl;
	int err;

	mpl_clear();
	if (how != SHUT_RDWR && how != MPTCPLIB_SHUT_RDWR_LAST)
		return mpl_fail(EINVAL, "close_sub: the kernel closes subflows "
					"in both directions only; pass "
					"SHUT_RDWR");
	err = mpl_conn_find(sockfd, id, &list, &sf, "close_sub");
	if (err)
		return err;
	if (mpl_conn_live(&list) == 1 && how != MPTCPLIB_SHUT_RDWR_LAST) {
		err = mpl_fail(EBUSY,
			       "close_sub: subflow %d is the last one; "
			       "pass MPTCPLIB_SHUT_RDWR_LAST to close "
			       "it anyway",
			       id);
		goto out_list;
	}
	err = mpl_pm_open(&nl, MPL_PM_CMD_SUBFLOW_DESTROY, "close_sub");
	if (err)
		goto out_list;
	close_keep_id(&nl, list.info.token, sf);
	err = pm_subflow_cmd(&nl, MPL_PM_CMD_SUBFLOW_DESTROY, list.info.token,
			     sf, -1);
	if (err)
		err = pm_fail(&nl, err, list.info.token, 0, sf, "close_sub");
	mpl_nl_close(&nl);
out_list:
	mpl_sf_list_free(&list);
	return err;
}

/* @tuple's two ends into @sf: -EINVAL unless both are there, with ports. */
static int tuple_load(const struct mptcplib_flow *tuple, struct mpl_sf *sf)
{
	if (!tuple || !tuple->local || !tuple->remote ||
	    cmn_sa_load(&sf->local, tuple->local, tuple->local_len) ||
	    cmn_sa_load(&sf->remote, tuple->remote, tuple->remote_len) ||
	    !cmn_sa_port((struct sockaddr *)&sf->local) ||
	    !cmn_sa_port((struct sockaddr *)&sf->remote))
		return -EINVAL;
	return 0;
}

int mptcplib_token_close_sub(uint32_t token, const struct mptcplib_flow *tuple)
{
	struct mpl_sf sf = { 0 };
	struct mpl_nl nl;
	int err;

	mpl_clear();
	if (tuple_load(tuple, &sf))
		return mpl_fail(EINVAL, "close_sub: both ends of the subflow, "
					"with their ports, are needed");
	cmn_sa_unmap(&sf.local);
	cmn_sa_unmap(&sf.remote);
	err = mpl_pm_open(&nl, MPL_PM_CMD_SUBFLOW_DESTROY, "close_sub");
	if (err)
		return err;
	close_keep_id(&nl, token, &sf);
	err = pm_subflow_cmd(&nl, MPL_PM_CMD_SUBFLOW_DESTROY, token, &sf, -1);
	if (err)
		err = pm_fail(&nl, err, token, 0, &sf, "close_sub");
	mpl_nl_close(&nl);
	return err;
}

int mptcplib_set_sub_prio(int sockfd, int id, int low_prio)
{
	struct mpl_sf_list list;
	const struct mpl_sf *sf;
	struct mpl_nl nl;
	int err;

	mpl_clear();
	err = mpl_conn_find(sockfd, id, &list, &sf, "set_sub_prio");
	if (err)
		return err;
	err = mpl_pm_open(&nl, MPL_PM_CMD_SET_FLAGS, "set_sub_prio");
	if (err)
		goto out_list;
	err = pm_subflow_cmd(&nl, MPL_PM_CMD_SET_FLAGS, list.info.token, sf,
			     low_prio ? MPL_PM_ADDR_FLAG_BACKUP : 0);
	if (err)
		err = pm_fail(&nl, err, list.info.token, 0, sf, "set_sub_prio");
	mpl_nl_close(&nl);
out_list:
	mpl_sf_list_free(&list);
	return err;
}

int mptcplib_token_set_sub_prio(uint32_t token,
				const struct mptcplib_flow *tuple, int low_prio)
{
	struct mpl_diag_sock diag;
	struct mpl_sf sf = { 0 };
	struct mpl_nl nl;
	int err;

	mpl_clear();
	if (tuple_load(tuple, &sf))
		return mpl_fail(EINVAL, "set_sub_prio: both ends of the "
					"subflow, with their ports, are "
					"needed");
	err = mpl_diag_subflow((struct sockaddr *)&sf.local,
			       (struct sockaddr *)&sf.remote, &diag);
	switch (mpl_pm_prio_action(err, &diag, token, low_prio)) {
	case -ENOENT:
		return mpl_fail(ENOENT,
				"set_sub_prio: connection %08x has no such "
				"subflow",
				token);
	case 0:
		/* Already as asked: no MP_PRIO for nothing. */
		return 0;
	}
	err = mpl_pm_open(&nl, MPL_PM_CMD_SET_FLAGS, "set_sub_prio");
	if (err)
		return err;
	err = pm_subflow_cmd(&nl, MPL_PM_CMD_SET_FLAGS, token, &sf,
			     low_prio ? MPL_PM_ADDR_FLAG_BACKUP : 0);
	if (err)
		err = pm_fail(&nl, err, token, 0, &sf, "set_sub_prio");
	mpl_nl_close(&nl);
	return err;
}

int mptcplib_set_sub_sockopt(int sockfd, int id, int level, int opt, void *val,
			     size_t size)
{
	mpl_clear();
	if (level == MPTCPLIB_SOL && opt == MPTCPLIB_SUB_LOW_PRIO) {
		if (!val || size != sizeof(int))
			return mpl_fail(EINVAL, "set_sub_sockopt: "
						"MPTCPLIB_SUB_LOW_PRIO takes "
						"an int");
		return mptcplib_set_sub_prio(sockfd, id, *(int *)val);
	}
	if (level == SOL_SOCKET &&
	    (opt == SO_BINDTODEVICE || opt == SO_BINDTOIFINDEX))
		return mpl_fail(EOPNOTSUPP,
				"set_sub_sockopt: a subflow's "
				"interface is chosen when it is "
				"opened: use mptcplib_open_sub_ext() "
				"with ifindex or ifname");
	return mpl_fail(EOPNOTSUPP,
			"set_sub_sockopt: upstream Linux cannot "
			"set option (%d, %d) on one subflow; set "
			"it on the MPTCP socket to apply it to "
			"all subflows, or use a cgroup sock_ops "
			"BPF program",
			level, opt);
}

// SPDX-License-Identifier: MIT
/* The read-only public calls: ids, tuples, options, state. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmn_addr.h"
#include "mpl_conn.h"
#include "mpl_diag.h"
#include "mpl_err.h"
#include "mptcplib.h"

int mpl_conn_not_mptcp(int fd, const char *what)
{
	enum mptcplib_kind kind;

	if (mpl_sock_kind(fd, &kind) == 0 && kind == MPTCPLIB_KIND_FALLBACK)
		return mpl_fail(EOPNOTSUPP,
				"%s: fd %d fell back to plain TCP "
				"(the peer or a middlebox does "
				"not speak MPTCP)",
				what, fd);
	return mpl_fail(EOPNOTSUPP, "%s: fd %d is not an MPTCP socket", what,
			fd);
}

int mpl_conn_subflows(int fd, struct mpl_sf_list *list, const char *what)
{
	int err = mpl_sock_subflows(fd, list);

	switch (err) {
	case 0:
		return 0;
	case -EOPNOTSUPP:
		return mpl_conn_not_mptcp(fd, what);
	case -EBADF:
	case -ENOTSOCK:
		return mpl_fail(-err, "%s: fd %d", what, fd);
	default:
		/* Before 6.5 the list comes from SUBFLOW_ADDRS and inet_diag. */
		return mpl_fail(
			-err,
			"%s: listing the subflows (MPTCP_FULL_INFO, or "
			"MPTCP_SUBFLOW_ADDRS and inet_diag before Linux "
			"6.5)",
			what);
	}
}

int mpl_conn_live(const struct mpl_sf_list *list)
{
	int i, n = 0;

	for (i = 0; i < list->count; i++)
		n += mpl_sf_is_live(&list->sf[i]);
	return n;
}

int mpl_conn_find(int fd, int id, struct mpl_sf_list *list,
		  const struct mpl_sf **sf, const char *what)
{
	int err = mpl_conn_subflows(fd, list, what);

	if (err)
		return err;
	*sf = mpl_sf_find(list, id);
	if (!*sf) {
		mpl_sf_list_free(list);
		return mpl_fail(ENOENT, "%s: no live subflow with id %d", what,
				id);
	}
	return 0;
}

/* Heap copy of @ss, sized for its family. */
static struct sockaddr *sa_dup(const struct sockaddr_storage *ss, size_t *len)
{
	struct sockaddr *sa;

	*len = cmn_sa_len(ss->ss_family);
	sa = malloc(*len ? *len : 1);
	if (sa)
		memcpy(sa, ss, *len);
	return sa;
}

struct mptcplib_getsubids_result mptcplib_get_sub_ids(int sockfd)
{
	struct mptcplib_getsubids_result res = { 0 };
	struct mpl_sf_list list;
	int i;

	mpl_clear();
	res.errnoValue = mpl_conn_subflows(sockfd, &list, "get_sub_ids");
	if (res.errnoValue)
		return res;
	res.ids.values = calloc(list.count ? list.count : 1, sizeof(int));
	if (!res.ids.values) {
		res.errnoValue = mpl_fail(ENOMEM, "get_sub_ids");
		goto out;
	}
	for (i = 0; i < list.count; i++)
		if (mpl_sf_is_live(&list.sf[i]))
			res.ids.values[res.ids.count++] = (int)list.sf[i].id;
out:
	mpl_sf_list_free(&list);
	return res;
}

struct mptcplib_getsubtuple_result mptcplib_get_sub_tuple(int sockfd, int id)
{
	struct mptcplib_getsubtuple_result res = { .flow = { .id = id } };
	struct mpl_sf_list list;
	const struct mpl_sf *sf;
	struct mpl_diag_sock diag;

	mpl_clear();
	res.errnoValue = mpl_conn_find(sockfd, id, &list, &sf, "get_sub_tuple");
	if (res.errnoValue)
		return res;
	res.flow.local = sa_dup(&sf->local, &res.flow.local_len);
	res.flow.remote = sa_dup(&sf->remote, &res.flow.remote_len);
	if (!res.flow.local || !res.flow.remote) {
		mptcplib_free_flow(res.flow);
		res.flow = (struct mptcplib_flow){ .id = id };
		res.errnoValue = mpl_fail(ENOMEM, "get_sub_tuple");
		goto out;
	}
	/* The priority lives only in the subflow's diag info; -1: unknown. */
	res.flow.low_prio = -1;
	if (mpl_diag_subflow((const struct sockaddr *)&sf->local,
			     (const struct sockaddr *)&sf->remote,
			     &diag) == 0 &&
	    diag.subflow)
		res.flow.low_prio = !!(diag.flags & MPL_SUBFLOW_FLAG_BKUP_LOC);
out:
	mpl_sf_list_free(&list);
	return res;
}

int mptcplib_get_sub_state(int sockfd, int id, struct mptcplib_sub_state *st)
{
	struct mpl_sf_list list;
	const struct mpl_sf *sf;
	struct mpl_diag_sock diag;
	int err;

	mpl_clear();
	memset(st, 0, sizeof(*st));
	err = mpl_conn_find(sockfd, id, &list, &sf, "get_sub_state");
	if (err)
		return err;
	st->id = id;
	st->tcp_state = sf->tcp_state;
	err = mpl_diag_subflow((const struct sockaddr *)&sf->local,
			       (const struct sockaddr *)&sf->remote, &diag);
	mpl_sf_list_free(&list);
	if (err)
		return mpl_fail(-err,
				"get_sub_state: subflow %d not found in "
				"inet_diag",
				id);
	st->ifindex = diag.ifindex;
	st->local_addr_id = diag.local_id;
	st->remote_addr_id = diag.remote_id;
	/* 6.1 shows a subflow's MPTCP attributes to CAP_NET_ADMIN only. */
	if (!diag.subflow) {
		st->fully_established = -1;
		st->backup_local = -1;
		st->backup_remote = -1;
		return 0;
	}
	st->fully_established =
		!!(diag.flags & MPL_SUBFLOW_FLAG_FULLY_ESTABLISHED);
	st->backup_local = !!(diag.flags & MPL_SUBFLOW_FLAG_BKUP_LOC);
	st->backup_remote = !!(diag.flags & MPL_SUBFLOW_FLAG_BKUP_REM);
	return 0;
}

/* Options the kernel copies to every subflow (docs/kernel-facts.md §15). */
static const struct {
	int level, opt;
} uniform_opts[] = {
	{ SOL_SOCKET, SO_MARK },	{ SOL_SOCKET, SO_PRIORITY },
	{ SOL_SOCKET, SO_KEEPALIVE },	{ SOL_SOCKET, SO_SNDBUF },
	{ SOL_SOCKET, SO_RCVBUF },	{ IPPROTO_TCP, TCP_CONGESTION },
	{ IPPROTO_TCP, TCP_NODELAY },	{ IPPROTO_TCP, TCP_KEEPIDLE },
	{ IPPROTO_TCP, TCP_KEEPINTVL }, { IPPROTO_TCP, TCP_KEEPCNT },
	{ IPPROTO_TCP, TCP_MAXSEG },	{ IPPROTO_IP, IP_TOS },
};

static int is_uniform_opt(int level, int opt)
{
	size_t i;

	for (i = 0; i < sizeof(uniform_opts) / sizeof(uniform_opts[0]); i++)
		if (uniform_opts[i].level == level &&
		    uniform_opts[i].opt == opt)
			return 1;
	return 0;
}

struct mptcplib_getsubsockopt_result
mptcplib_get_sub_sockopt(int sockfd, int id, int level, int opt, size_t size)
{
	struct mptcplib_getsubsockopt_result res = { 0 };
	struct mpl_sf_list list;
	const struct mpl_sf *sf;
	struct mpl_diag_sock diag;
	socklen_t len = (socklen_t)size;
	int err;

	mpl_clear();
	err = mpl_conn_find(sockfd, id, &list, &sf, "get_sub_sockopt");
	if (err)
		goto fail;
	res.value = calloc(1, size ? size : 1);
	if (!res.value) {
		err = mpl_fail(ENOMEM, "get_sub_sockopt");
		goto fail_list;
	}
	if (level == IPPROTO_TCP && opt == TCP_INFO) {
		res.retsize = size < list.tcpinfo_len ? size : list.tcpinfo_len;
		memcpy(res.value, sf->tcpinfo, res.retsize);
	} else if (level == MPTCPLIB_SOL && opt == MPTCPLIB_SUB_LOW_PRIO) {
		if (size < sizeof(int)) {
			err = mpl_fail(EINVAL, "get_sub_sockopt: "
					       "MPTCPLIB_SUB_LOW_PRIO needs an "
					       "int");
			goto fail_list;
		}
		err = mpl_diag_subflow((const struct sockaddr *)&sf->local,
				       (const struct sockaddr *)&sf->remote,
				       &diag);
		if (err) {
			err = mpl_fail(-err,
				       "get_sub_sockopt: subflow %d not "
				       "found in inet_diag",
				       id);
			goto fail_list;
		}
		if (!diag.subflow) {
			err = mpl_fail(EACCES,
				       "get_sub_sockopt: this kernel shows a "
				       "subflow's priority to CAP_NET_ADMIN "
				       "only (Linux 6.1; 6.12 shows it to "
				       "all)");
			goto fail_list;
		}
		*(int *)res.value = !!(diag.flags & MPL_SUBFLOW_FLAG_BKUP_LOC);
		res.retsize = sizeof(int);
	} else if (is_uniform_opt(level, opt)) {
		if (getsockopt(sockfd, level, opt, res.value, &len) < 0) {
			err = mpl_fail(errno,
				       "get_sub_sockopt: getsockopt(%d, "
				       "%d) on the MPTCP socket",
				       level, opt);
			goto fail_list;
		}
		res.retsize = len;
	} else {
		err = mpl_fail(EOPNOTSUPP,
			       "get_sub_sockopt: option (%d, %d) "
			       "cannot be read per subflow on "
			       "upstream Linux; read it on the "
			       "MPTCP socket, or use inet_diag "
			       "(ss -tiM)",
			       level, opt);
		goto fail_list;
	}
	mpl_sf_list_free(&list);
	return res;

fail_list:
	mpl_sf_list_free(&list);
fail:
	free(res.value);
	res.value = NULL;
	res.retsize = 0;
	res.errnoValue = err;
	return res;
}

int mptcplib_get_kind(int sockfd, enum mptcplib_kind *kind)
{
	int err;

	mpl_clear();
	err = mpl_sock_kind(sockfd, kind);
	return err ? mpl_fail(-err, "get_kind: fd %d", sockfd) : 0;
}

int mptcplib_get_token(int sockfd, uint32_t *token)
{
	int err;

	mpl_clear();
	err = mpl_sock_token(sockfd, token);
	/* No probing of why here: this call sits on a connect() hook path. */
	if (err == -EOPNOTSUPP)
		return mpl_fail(EOPNOTSUPP,
				"get_token: fd %d is not an MPTCP "
				"connection (plain TCP or fell "
				"back)",
				sockfd);
	if (err)
		return mpl_fail(-err, "get_token: fd %d", sockfd);
	return 0;
}

int mptcplib_get_conn_info(int sockfd, struct mptcplib_conn_info *info)
{
	struct mpl_sf_list list;
	int err;

	mpl_clear();
	memset(info, 0, sizeof(*info));
	err = mpl_conn_subflows(sockfd, &list, "get_conn_info");
	if (err)
		return err;
	info->token = list.info.token;
	info->subflows = mpl_conn_live(&list);
	info->remote_key_received =
		!!(list.info.flags & MPL_INFO_FLAG_REMOTE_KEY_RECEIVED);
	/* Counters exist from 6.5 on: trust only what the kernel wrote. */
	if (list.info_len >= MPL_MPTCP_INFO_LEN_V1) {
		info->bytes_sent = list.info.bytes_sent;
		info->bytes_received = list.info.bytes_received;
		info->bytes_acked = list.info.bytes_acked;
		info->bytes_retrans = list.info.bytes_retrans;
		info->retransmits = list.info.retransmits;
	}
	mpl_sf_list_free(&list);
	return 0;
}

/* First line of @path into @buf; 0 or -errno. */
static int read_line(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

int mptcplib_get_path_manager(enum mptcplib_pm *pm)
{
	char buf[32];

	mpl_clear();
	*pm = MPTCPLIB_PM_UNKNOWN;
	/* The string knob exists since 6.15; pm_type since 5.19. */
	if (read_line("/proc/sys/net/mptcp/path_manager", buf, sizeof(buf)) ==
	    0) {
		if (!strcmp(buf, "kernel"))
			*pm = MPTCPLIB_PM_KERNEL;
		else if (!strcmp(buf, "userspace"))
			*pm = MPTCPLIB_PM_USERSPACE;
		return 0;
	}
	if (read_line("/proc/sys/net/mptcp/pm_type", buf, sizeof(buf)) == 0) {
		*pm = atoi(buf) == 1 ? MPTCPLIB_PM_USERSPACE :
				       MPTCPLIB_PM_KERNEL;
		return 0;
	}
	if (access("/proc/sys/net/mptcp", F_OK) == 0) {
		*pm = MPTCPLIB_PM_KERNEL;
		return 0;
	}
	return mpl_fail(ENOENT, "get_path_manager: no /proc/sys/net/mptcp "
				"(kernel without MPTCP)");
}

/* SPDX-License-Identifier: MIT */
/*
 * mptcplib: steer the subflows of a Multipath TCP connection from an
 * application, on the upstream Linux MPTCP stack (tested on 6.1, 6.12 and
 * 6.18; where they differ: docs/kernel-facts.md §18).
 *
 * The API is the one of the original simpler-mptcp-api library (written for
 * the out-of-tree multipath-tcp.org kernel), so code written for it compiles
 * unchanged; the implementation uses getsockopt(SOL_MPTCP, MPTCP_FULL_INFO;
 * before 6.5 MPTCP_SUBFLOW_ADDRS), the generic-netlink family "mptcp_pm"
 * and inet_diag.
 *
 * Error convention (as the original library): functions return 0 on success
 * or a positive errno value, which is also left in errno; result structs
 * carry it in errnoValue. mptcplib_last_error() gives a readable description
 * of the calling thread's last failure, including the kernel's own text.
 *
 * Errors every call may return:
 *   EBADF, ENOTSOCK  sockfd is not an open socket.
 *   EOPNOTSUPP       not an MPTCP connection: a plain TCP socket, or an MPTCP
 *                    socket that fell back to TCP (peer without MPTCP).
 *   ENOSYS           the kernel is too old for the call: no mptcp_pm
 *                    netlink family, command or events group (before 5.19).
 *   ENOMEM           out of memory.
 * Subflow-changing calls (open, close, priority) may also return:
 *   EPERM            the process lacks CAP_NET_ADMIN in the user namespace
 *                    owning its network namespace.
 *   ENOPROTOOPT      the connection uses the in-kernel path manager; select
 *                    the userspace one with
 *                    `sysctl net.mptcp.path_manager=userspace` (or
 *                    net.mptcp.pm_type=1 before 6.15) before connecting.
 *   ENOTCONN         the connection is not fully established yet: a client
 *                    is, once data was exchanged in either direction.
 *
 * Thread safety: every call may be used from any thread; the library keeps
 * one small process-wide table (local address ids, see open_sub) behind a
 * mutex. Nothing is cached per socket, so fds may be closed or reused freely.
 */
#ifndef MPTCPLIB_H
#define MPTCPLIB_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MPTCPLIB_API __attribute__((visibility("default")))

/* A subflow: its id, priority and the two endpoints (heap-allocated). */
struct mptcplib_flow {
	int id;
	int low_prio;
	struct sockaddr *local, *remote;
	size_t local_len, remote_len;
};

struct mptcplib_intarray {
	int count;
	int *values;
};

struct mptcplib_getsubtuple_result {
	int errnoValue;
	struct mptcplib_flow flow;
};

struct mptcplib_getsubids_result {
	int errnoValue;
	struct mptcplib_intarray ids;
};

struct mptcplib_getsubsockopt_result {
	int errnoValue;
	void *value;
	size_t retsize;
};

/* Default bound for a synchronous mptcplib_open_sub(). */
#define MPTCPLIB_OPEN_TIMEOUT_MS 10000

/*
 * mptcplib_open_sub() - open a subflow and wait until it is established.
 *
 * tuple->local is the source: its address selects the local address (the
 * wildcard 0.0.0.0 or :: lets routing choose) and its port the source port
 * (0: any). tuple->remote is the destination, or NULL for the connection's
 * peer. tuple->low_prio = 1 opens a backup subflow. Both endpoints must be
 * of the connection's family (an IPv4 endpoint on a dual-stack socket may be
 * given as AF_INET or as v4-mapped AF_INET6).
 *
 * Returns once the peer has accepted the join (the subflow is fully
 * established) and writes the kernel's subflow id into tuple->id, or fails
 * (tuple->id = -1 once the request reached the kernel) with the reason the
 * kernel reports for that subflow:
 *   ECONNREFUSED   the peer refused the join (RST, e.g. its join limit);
 *   ETIMEDOUT      no answer within MPTCPLIB_OPEN_TIMEOUT_MS; the pending
 *                  subflow is closed again;
 *   EADDRNOTAVAIL  the local address does not exist on this host;
 *   EAFNOSUPPORT   endpoint families do not match the connection;
 *   EINVAL         tuple or tuple->local is NULL;
 *   any other errno the subflow's socket reported (EHOSTUNREACH, ...).
 *
 * Each local address gets one address id (1..255) per connection, stable for
 * the connection's life even after the kernel forgets it (see close_sub).
 * A backup subflow on a kernel that ignores the flag at creation (6.1) is
 * marked backup once it is up. Needs CAP_NET_ADMIN and the userspace path
 * manager (see above).
 */
MPTCPLIB_API int mptcplib_open_sub(int sockfd, struct mptcplib_flow *tuple);

/* Options for mptcplib_open_sub_ext(). Zero-initialise unused fields. */
struct mptcplib_open_opts {
	unsigned int flags; /* MPTCPLIB_OPEN_* */
	int ifindex; /* bind the subflow to this interface (0: none) */
	const char *ifname; /* same, by name; used when ifindex is 0 */
	int timeout_ms; /* synchronous bound; 0: MPTCPLIB_OPEN_TIMEOUT_MS */
};

/* Return as soon as the kernel accepted the request (SYN queued). */
#define MPTCPLIB_OPEN_NONBLOCK 0x1

/*
 * mptcplib_open_sub_ext() - mptcplib_open_sub() with options.
 *
 * With MPTCPLIB_OPEN_NONBLOCK it never waits for the network: it returns 0
 * once the kernel has queued the SYN, tuple->id holds the new subflow's id
 * (-1 if the attempt failed at once), and the outcome shows later in the
 * events (MPTCPLIB_EVENT_SUB_ESTABLISHED or SUB_CLOSED) or in
 * mptcplib_get_sub_state(); a backup subflow is then not marked on a
 * kernel that ignores the flag at creation (6.1): call
 * mptcplib_set_sub_prio() once it is up. An interface given by index
 * or name binds the subflow to it (SO_BINDTODEVICE semantics); ENODEV if no
 * such interface; EOPNOTSUPP if the kernel made the subflow without binding
 * it (Linux 6.1 does, 6.12 does not): that subflow is removed again.
 * opts may be NULL. Same errors as mptcplib_open_sub().
 */
MPTCPLIB_API int mptcplib_open_sub_ext(int sockfd, struct mptcplib_flow *tuple,
				       const struct mptcplib_open_opts *opts);

/*
 * mptcplib_token_open_sub() - ask for a subflow of the connection whose
 * local token is @token, without its fd: the form a path manager that runs
 * beside the application (a helper thread or daemon) uses. Always
 * non-blocking: returns once the kernel queued the SYN; the outcome is an
 * MPTCPLIB_EVENT_SUB_ESTABLISHED or SUB_CLOSED event for the token.
 * tuple->local and tuple->remote are both required; tuple->low_prio and
 * opts' interface go to the kernel, opts' flags and timeout are ignored.
 * Linux 6.1 ignores the interface and the backup flag and nothing here
 * checks (docs/kernel-facts.md §18): mark a backup subflow with
 * mptcplib_token_set_sub_prio() once its SUB_ESTABLISHED event came, as
 * the engine does. Errors as
 * mptcplib_open_sub(), plus ESRCH for a token the kernel does not know
 * (the connection closed or fell back to TCP).
 */
MPTCPLIB_API int mptcplib_token_open_sub(uint32_t token,
					 const struct mptcplib_flow *tuple,
					 const struct mptcplib_open_opts *opts);

/*
 * mptcplib_token_set_sub_prio() - mark the subflow @tuple of connection
 * @token as backup (1) or regular (0), without the connection's fd: the
 * token form of mptcplib_set_sub_prio(). tuple->local and tuple->remote
 * need their ports (the ends a MPTCPLIB_EVENT_SUB_ESTABLISHED event
 * gives). Nothing is sent when the subflow already has that priority, so
 * calling it after every join costs no MP_PRIO; kernels that ignore the
 * backup flag of a new subflow (6.1) need it. 0 or a positive errno:
 * ENOENT if connection @token has no such subflow (a tuple of another
 * connection included), otherwise as mptcplib_set_sub_prio().
 */
MPTCPLIB_API int mptcplib_token_set_sub_prio(uint32_t token,
					     const struct mptcplib_flow *tuple,
					     int low_prio);

/*
 * mptcplib_token_close_sub() - remove the subflow @tuple of connection
 * @token, without the connection's fd: the token form of
 * mptcplib_close_sub(), for a path manager beside the application (the
 * engine removes the subflows of an interface that went down).
 * tuple->local and tuple->remote need their ports (the ends a
 * MPTCPLIB_EVENT_SUB_ESTABLISHED event gives, or the connection's own for
 * its initial subflow, which the kernel removes too: docs/kernel-facts.md
 * §10, §20). The kernel closes it and sends its data over the other
 * subflows, also when its link is down already. Nothing checks that another subflow is
 * left: removing the last one leaves the connection without a path. The
 * address id stays this process's for later subflows from that address,
 * as with mptcplib_close_sub(). 0 or a positive errno: EINVAL without
 * both ends and ports, ENOENT if connection @token has no such subflow,
 * ESRCH if the kernel knows no connection @token, EPERM without
 * CAP_NET_ADMIN.
 */
MPTCPLIB_API int mptcplib_token_close_sub(uint32_t token,
					  const struct mptcplib_flow *tuple);

/* close_sub: also allow closing the last live subflow (kills the data path) */
#define MPTCPLIB_SHUT_RDWR_LAST (SHUT_RDWR | 0x100)

/*
 * mptcplib_close_sub() - close subflow @id of the connection.
 *
 * The kernel can only close a subflow in both directions, so @how must be
 * SHUT_RDWR (EINVAL otherwise). Closing the last live subflow would leave
 * the connection without a path, so it is refused with EBUSY unless @how is
 * MPTCPLIB_SHUT_RDWR_LAST. ENOENT if no live subflow has this id. Other
 * subflows from the same local address stay alive and usable: the kernel
 * forgets the address's entry on every close, and the library keeps its id
 * so that later subflows from that address reuse it.
 */
MPTCPLIB_API int mptcplib_close_sub(int sockfd, int id, int how);

/*
 * mptcplib_get_sub_ids() - ids of the connection's live subflows.
 *
 * Ids are the kernel's (MPTCP_FULL_INFO, 6.5+): per connection, starting at
 * 1 (the initial subflow), never reused, with gaps for failed attempts.
 * Older kernels have none: the initial subflow is 1 there too, and the
 * others get an id made from their addresses and ports (a large number,
 * the same in every process, stable for the subflow's life). Only
 * live subflows (established or connecting) are listed: a destroyed initial
 * subflow that the kernel still lists while closing or in TCP_CLOSE is not.
 * Free ids.values with mptcplib_free_intarray().
 */
MPTCPLIB_API struct mptcplib_getsubids_result mptcplib_get_sub_ids(int sockfd);

/*
 * mptcplib_get_sub_tuple() - endpoints and priority of subflow @id.
 *
 * flow.local/flow.remote are heap copies (free with mptcplib_free_flow());
 * ports in network order as in any sockaddr. flow.low_prio is 1 when this
 * host marked the subflow as backup (at open or by set_sub_prio), 0 when
 * not, -1 if inet_diag could not tell.
 * ENOENT if no live subflow has this id.
 */
MPTCPLIB_API struct mptcplib_getsubtuple_result
mptcplib_get_sub_tuple(int sockfd, int id);

/*
 * The option mptcplib_set_sub_sockopt() accepts, at level MPTCPLIB_SOL:
 * an int, 1 to make the subflow a backup (MP_PRIO), 0 to make it regular.
 */
#define MPTCPLIB_SOL 284 /* SOL_MPTCP */
#define MPTCPLIB_SUB_LOW_PRIO 0x4d01

/*
 * mptcplib_set_sub_sockopt() - set an option on one subflow.
 *
 * Upstream Linux has no per-subflow setsockopt. The one supported option is
 * (MPTCPLIB_SOL, MPTCPLIB_SUB_LOW_PRIO). Anything else fails with
 * EOPNOTSUPP, and mptcplib_last_error() says what to do instead: set the
 * option on the MPTCP socket itself (the kernel copies SO_MARK,
 * TCP_CONGESTION, TCP_NODELAY, keepalive, IP_TOS, ... to every subflow), or
 * pick interface, source and backup when opening the subflow.
 * EINVAL if val is NULL or size is not sizeof(int).
 */
MPTCPLIB_API int mptcplib_set_sub_sockopt(int sockfd, int id, int level,
					  int opt, void *val, size_t size);

/*
 * mptcplib_get_sub_sockopt() - read an option of one subflow.
 *
 * (IPPROTO_TCP, TCP_INFO) returns that subflow's own struct tcp_info, at
 * most @size bytes (retsize: how many were written). Options the kernel
 * keeps identical on every subflow are answered from the MPTCP socket:
 *   SOL_SOCKET:  SO_MARK, SO_PRIORITY, SO_KEEPALIVE, SO_SNDBUF, SO_RCVBUF
 *   IPPROTO_TCP: TCP_CONGESTION, TCP_NODELAY, TCP_KEEPIDLE, TCP_KEEPINTVL,
 *                TCP_KEEPCNT, TCP_MAXSEG
 *   IPPROTO_IP:  IP_TOS
 * (MPTCPLIB_SOL, MPTCPLIB_SUB_LOW_PRIO) reads the backup flag as an int.
 * Anything else: EOPNOTSUPP. On error value is NULL. Free value with
 * mptcplib_free_getsubsockopt_result().
 */
MPTCPLIB_API struct mptcplib_getsubsockopt_result
mptcplib_get_sub_sockopt(int sockfd, int id, int level, int opt, size_t size);

/*
 * mptcplib_set_sub_prio() - mark subflow @id as backup (1) or regular (0).
 *
 * Sends MP_PRIO to the peer (SET_FLAGS); the peer then prefers the other
 * subflows while they work. ENOENT if no live subflow has this id.
 */
MPTCPLIB_API int mptcplib_set_sub_prio(int sockfd, int id, int low_prio);

/*
 * mptcplib_make_flow() - build a flow from host names or numeric addresses.
 *
 * source_host NULL means the wildcard address of dest_host's family. Names
 * are resolved with getaddrinfo(); the source is resolved in the family of
 * the destination. If either cannot be resolved, local and remote are NULL,
 * both lengths 0 and errno is EADDRNOTAVAIL; it never crashes.
 * Free with mptcplib_free_flow().
 */
MPTCPLIB_API struct mptcplib_flow mptcplib_make_flow(char *source_host,
						     unsigned short source_port,
						     char *dest_host,
						     unsigned short dest_port);

MPTCPLIB_API void mptcplib_free_intarray(struct mptcplib_intarray arr);
MPTCPLIB_API void mptcplib_free_flow(struct mptcplib_flow tuple);
/* The original library's spelling, kept for source compatibility. */
MPTCPLIB_API void mptcplib_free_getsubtockopt_result(
	struct mptcplib_getsubsockopt_result sockopt);
MPTCPLIB_API void mptcplib_free_getsubsockopt_result(
	struct mptcplib_getsubsockopt_result sockopt);

/*
 * mptcplib_last_error() - what the calling thread's last failed call did.
 *
 * A readable sentence that includes the kernel's extended-ack text when
 * there was one, e.g. "SUBFLOW_CREATE: connect error: -99 (Cannot assign
 * requested address)". Empty string before any failure. The pointer is
 * valid until the thread's next mptcplib call.
 */
MPTCPLIB_API const char *mptcplib_last_error(void);

/* What a socket is, as far as MPTCP goes. */
enum mptcplib_kind {
	MPTCPLIB_KIND_OTHER = 0, /* not a TCP or MPTCP stream socket */
	MPTCPLIB_KIND_TCP, /* a plain TCP socket */
	MPTCPLIB_KIND_MPTCP, /* MPTCP, not fallen back */
	MPTCPLIB_KIND_FALLBACK, /* created as MPTCP, fell back to plain TCP */
};

/*
 * mptcplib_get_kind() - tell an MPTCP connection from fallback or TCP.
 *
 * Works on any socket, before or after connect. Returns 0 or EBADF/ENOTSOCK.
 */
MPTCPLIB_API int mptcplib_get_kind(int sockfd, enum mptcplib_kind *kind);

/*
 * mptcplib_get_token() - the connection's local token (0 before connect),
 * the key of the path-manager events and of mptcplib_token_open_sub().
 * One getsockopt(), no allocation: usable in an LD_PRELOAD hook. 0,
 * EOPNOTSUPP (not MPTCP, or fell back) or the getsockopt() errno.
 */
MPTCPLIB_API int mptcplib_get_token(int sockfd, uint32_t *token);

/* Connection-level state (MPTCP_INFO). */
struct mptcplib_conn_info {
	uint32_t token; /* local token; 0 before connect */
	int subflows; /* live subflows, the initial one included */
	int remote_key_received; /* MPTCP handshake with the peer completed */
	uint64_t bytes_sent, bytes_received, bytes_acked, bytes_retrans;
	uint32_t retransmits;
};

/* mptcplib_get_conn_info() - read connection info. 0 or positive errno. */
MPTCPLIB_API int mptcplib_get_conn_info(int sockfd,
					struct mptcplib_conn_info *info);

enum mptcplib_pm {
	MPTCPLIB_PM_UNKNOWN = 0,
	MPTCPLIB_PM_KERNEL, /* in-kernel: endpoints decide the subflows */
	MPTCPLIB_PM_USERSPACE, /* userspace: mptcplib may open subflows */
};

/*
 * mptcplib_get_path_manager() - the path manager that new connections in
 * the caller's network namespace get. ENOENT if MPTCP is not in the kernel.
 */
MPTCPLIB_API int mptcplib_get_path_manager(enum mptcplib_pm *pm);

/*
 * An endpoint of the in-kernel path manager, as `ip mptcp endpoint show`
 * lists it: the host's own addresses that connections under that path
 * manager use, for extra subflows (SUBFLOW), announcements to the peer
 * (SIGNAL), as backup paths (BACKUP), or towards every address of the
 * peer (FULLMESH).
 */
struct mptcplib_endpoint {
	int id; /* its address id, 1..255 */
	struct sockaddr_storage addr; /* AF_INET or AF_INET6; the port, in
				       * network order, or 0 if it has none */
	unsigned int flags; /* MPTCPLIB_ENDPOINT_* */
	int ifindex; /* the interface it names ("dev"), 0 if none */
};

#define MPTCPLIB_ENDPOINT_SIGNAL 0x1
#define MPTCPLIB_ENDPOINT_SUBFLOW 0x2
#define MPTCPLIB_ENDPOINT_BACKUP 0x4
#define MPTCPLIB_ENDPOINT_FULLMESH 0x8

/* The most endpoints a namespace can have (the kernel's limit, 5.7+). */
#define MPTCPLIB_ENDPOINTS_MAX 8

/*
 * mptcplib_get_endpoints() - the in-kernel path manager's endpoints of
 * the caller's network namespace (GET_ADDR without a token), in the
 * kernel's order. At most @cap are written to the caller's @out; *count
 * gets how many the kernel has, which is more than @cap when they did not
 * fit (MPTCPLIB_ENDPOINTS_MAX always fits). The endpoints are there
 * whichever path manager new connections get. Needs no privilege on 6.18
 * (older kernels may ask for CAP_NET_ADMIN: EPERM). 0, or ENOSYS (no
 * mptcp_pm family), or the netlink errno. Linux 5.7+.
 */
MPTCPLIB_API int mptcplib_get_endpoints(struct mptcplib_endpoint *out, int cap,
					int *count);

/* The in-kernel path manager's limits (`ip mptcp limits`). */
struct mptcplib_limits {
	int subflows; /* extra subflows per connection, 0..8 */
	int add_addr_accepted; /* peer announcements acted on, 0..8 */
};

/*
 * mptcplib_get_limits() - the in-kernel path manager's limits of the
 * caller's network namespace (GET_LIMITS). Privileges and errors as
 * mptcplib_get_endpoints(). Linux 5.7+.
 */
MPTCPLIB_API int mptcplib_get_limits(struct mptcplib_limits *lim);

/*
 * mptcplib_token_announce() - announce local address @addr (@addrlen
 * bytes, AF_INET or AF_INET6; IPv4-mapped counts as IPv4) with address
 * id @id (1..255) to the peer of connection @token (ADD_ADDR). A non-zero
 * port in @addr is announced with it: joins then go to that port, which
 * needs a listener there (a `signal` endpoint with a port has one). The
 * kernel sends the announcement and repeats it until the peer echoes it;
 * an id the connection already pairs with another address is refused
 * (EINVAL). Needs CAP_NET_ADMIN and the userspace path manager. 0 or a
 * positive errno: EINVAL (bad @id or @addr, or refused), ESRCH (no such
 * connection), ENOPROTOOPT, EPERM, ENOSYS as mptcplib_token_open_sub().
 * Linux 5.19+.
 */
MPTCPLIB_API int mptcplib_token_announce(uint32_t token,
					 const struct sockaddr *addr,
					 socklen_t addrlen, int id);

/*
 * mptcplib_token_remove() - withdraw the address with local id @id (as
 * given to mptcplib_token_announce(), or a subflow's) from connection
 * @token (REMOVE_ADDR to the peer; the subflows from that address close).
 * 0 or a positive errno: EINVAL (@id out of 0..255; or refused: the
 * connection has no address with that id, or is under the in-kernel path
 * manager, which the kernel's answer does not tell apart), ESRCH, EPERM,
 * ENOSYS as mptcplib_token_announce(). Linux 5.19+.
 */
MPTCPLIB_API int mptcplib_token_remove(uint32_t token, int id);

/*
 * Per-subflow state beyond the tuple, from inet_diag. Linux 6.1 shows a
 * subflow's MPTCP attributes to CAP_NET_ADMIN only: other callers get -1
 * in the four fields marked so.
 */
struct mptcplib_sub_state {
	int id;
	int tcp_state; /* TCP_ESTABLISHED, TCP_SYN_SENT, ... */
	int fully_established; /* the peer acknowledged the join (-1) */
	int backup_local; /* this host marked it backup (-1) */
	int backup_remote; /* the peer marked it backup (-1) */
	int local_addr_id, remote_addr_id; /* MPTCP address ids (-1) */
	int ifindex; /* interface it is bound to, 0 if none */
};

/* mptcplib_get_sub_state() - read subflow @id's state. 0 or positive errno. */
MPTCPLIB_API int mptcplib_get_sub_state(int sockfd, int id,
					struct mptcplib_sub_state *st);

/* Path-manager events (genl group "mptcp_pm_events"). */
enum mptcplib_event_type {
	MPTCPLIB_EVENT_CREATED = 1,
	MPTCPLIB_EVENT_ESTABLISHED = 2,
	MPTCPLIB_EVENT_CLOSED = 3,
	MPTCPLIB_EVENT_ANNOUNCED = 6,
	MPTCPLIB_EVENT_REMOVED = 7,
	MPTCPLIB_EVENT_SUB_ESTABLISHED = 10,
	MPTCPLIB_EVENT_SUB_CLOSED = 11,
	MPTCPLIB_EVENT_SUB_PRIORITY = 13,
	MPTCPLIB_EVENT_LISTENER_CREATED = 15,
	MPTCPLIB_EVENT_LISTENER_CLOSED = 16,
};

/*
 * One event. Fields the kernel did not send are 0 (family AF_UNSPEC for an
 * absent address). Ports in the sockaddrs are in network order.
 */
struct mptcplib_event {
	int type; /* enum mptcplib_event_type, or another kernel value */
	uint32_t token; /* local token of the connection */
	struct sockaddr_storage local, remote;
	int local_addr_id, remote_addr_id; /* -1 when absent */
	int backup; /* the peer's backup bit as seen here */
	int error; /* the subflow's socket error (SUB_CLOSED), e.g. 111 */
	int ifindex; /* bound interface, when the subflow has one */
	int server_side; /* this host accepted the connection */
	uint32_t flags; /* raw MPTCP_ATTR_FLAGS */
	uint32_t reset_reason; /* MPTCP_RST_* on a reset */
};

struct mptcplib_events;

/*
 * mptcplib_events_open() - subscribe to the events of every MPTCP connection
 * in the caller's network namespace. Needs CAP_NET_ADMIN (EPERM otherwise).
 * Close with mptcplib_events_close().
 */
MPTCPLIB_API int mptcplib_events_open(struct mptcplib_events **out);

/* A file descriptor that polls readable when an event may be waiting. */
MPTCPLIB_API int mptcplib_events_fd(const struct mptcplib_events *ev);

/*
 * mptcplib_events_next() - wait up to @timeout_ms (-1: forever, 0: poll)
 * for the next event. 0 and *out filled, ETIMEDOUT when none came, EINTR,
 * or ENOBUFS when the kernel dropped events because the reader was slow
 * (the stream goes on after that).
 */
MPTCPLIB_API int mptcplib_events_next(struct mptcplib_events *ev,
				      struct mptcplib_event *out,
				      int timeout_ms);

MPTCPLIB_API void mptcplib_events_close(struct mptcplib_events *ev);

/* "SUB_ESTABLISHED", ...; "UNKNOWN" for other values. */
MPTCPLIB_API const char *mptcplib_event_name(int type);

#ifdef __cplusplus
}
#endif

#endif /* MPTCPLIB_H */

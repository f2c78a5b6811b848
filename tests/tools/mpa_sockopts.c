// SPDX-License-Identifier: MIT
/*
 * mpa-sockopts: which socket options the kernel takes on a TCP and on an
 * MPTCP socket before connect, and what the shim's setsockopt() makes of
 * the ones MPTCP refuses (docs/sockopts.md, tests/integration/sockopts.sh).
 *
 *   table 4|6       one line per option: NAME TCP MPTCP, each "ok" or the
 *                   errno name; fresh sockets, system calls made directly,
 *                   so the kernel's own answers even under the shim
 *   swap 4|6        under the shim (policy mptcp = yes): every option of
 *                   the table on a converted socket that already carries
 *                   options and a bind; prints PASS:/FAIL: lines
 *   carry 4|6       under the shim: every option the shim promises to
 *                   carry, set on the MPTCP socket, reads back the same
 *                   after a swap
 *   listen 4|6      under the shim: a swap between bind() and listen()
 *   after 4|6       under the shim: no swap once connecting, connected,
 *                   listening or closed: the kernel's answer unchanged
 *   mallocs N       under the shim and libmalloc_count.so: N swaps
 *                   allocate nothing in the calling thread
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/net_tstamp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* Options newer than this system's headers (values from the uapi). */
#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif
#ifndef SO_PASSPIDFD
#define SO_PASSPIDFD 76
#endif
#ifndef SO_RCVPRIORITY
#define SO_RCVPRIORITY 82
#endif
#ifndef SO_PASSRIGHTS
#define SO_PASSRIGHTS 83
#endif
#ifndef TCP_RTO_MAX_MS
#define TCP_RTO_MAX_MS 44
#endif
#ifndef TCP_RTO_MIN_US
#define TCP_RTO_MIN_US 45
#endif
#ifndef TCP_DELACK_MAX_US
#define TCP_DELACK_MAX_US 46
#endif
#ifndef IP_LOCAL_PORT_RANGE
#define IP_LOCAL_PORT_RANGE 51
#endif
#ifndef IPV6_FLOWINFO_SEND /* linux/in6.h, which clashes with glibc's */
#define IPV6_FLOWINFO_SEND 33
#endif
#ifndef IPV6_PREFER_SRC_PUBLIC
#define IPV6_PREFER_SRC_PUBLIC 0x0002
#endif
#ifndef SO_BINDTOIFINDEX
#define SO_BINDTOIFINDEX 62
#endif

#define SENTINEL 4242 /* errno before a call that must leave it alone */
#define WAIT_MS 3000

/* A test value for one option; family 0 = both, AF_INET6 = IPv6 only. */
struct opt {
	const char *name;
	int level, optname;
	const void *val;
	socklen_t len;
	int family;
};

#define INT(v) &(const int){ v }, sizeof(int)

static const struct sock_filter accept_all[] = {
	BPF_STMT(BPF_RET | BPF_K, 0xffffffff),
};
static const struct sock_fprog accept_all_prog = { 1, (void *)accept_all };
static const struct linger linger_on = { 1, 5 };
static const struct timeval three_s = { 3, 0 };
static const struct sock_txtime txtime = { CLOCK_MONOTONIC, 0 };
static const unsigned char tfo_key[16] = { 1, 2, 3, 4, 5, 6, 7, 8 };
static struct tcp_md5sig md5; /* filled in main(), per family */

/* Every option of the four levels a TCP socket answers to. */
static const struct opt opts[] = {
	{ "SO_DEBUG", SOL_SOCKET, SO_DEBUG, INT(1), 0 },
	{ "SO_REUSEADDR", SOL_SOCKET, SO_REUSEADDR, INT(1), 0 },
	{ "SO_REUSEPORT", SOL_SOCKET, SO_REUSEPORT, INT(1), 0 },
	{ "SO_KEEPALIVE", SOL_SOCKET, SO_KEEPALIVE, INT(1), 0 },
	{ "SO_DONTROUTE", SOL_SOCKET, SO_DONTROUTE, INT(1), 0 },
	{ "SO_BROADCAST", SOL_SOCKET, SO_BROADCAST, INT(1), 0 },
	{ "SO_OOBINLINE", SOL_SOCKET, SO_OOBINLINE, INT(1), 0 },
	{ "SO_LINGER", SOL_SOCKET, SO_LINGER, &linger_on, sizeof(linger_on),
	  0 },
	{ "SO_SNDBUF", SOL_SOCKET, SO_SNDBUF, INT(65536), 0 },
	{ "SO_RCVBUF", SOL_SOCKET, SO_RCVBUF, INT(65536), 0 },
	{ "SO_SNDBUFFORCE", SOL_SOCKET, SO_SNDBUFFORCE, INT(65536), 0 },
	{ "SO_RCVBUFFORCE", SOL_SOCKET, SO_RCVBUFFORCE, INT(65536), 0 },
	{ "SO_RCVLOWAT", SOL_SOCKET, SO_RCVLOWAT, INT(2), 0 },
	{ "SO_SNDLOWAT", SOL_SOCKET, SO_SNDLOWAT, INT(2), 0 },
	{ "SO_RCVTIMEO", SOL_SOCKET, SO_RCVTIMEO, &three_s, sizeof(three_s),
	  0 },
	{ "SO_SNDTIMEO", SOL_SOCKET, SO_SNDTIMEO, &three_s, sizeof(three_s),
	  0 },
	{ "SO_PRIORITY", SOL_SOCKET, SO_PRIORITY, INT(4), 0 },
	{ "SO_MARK", SOL_SOCKET, SO_MARK, INT(0x7e), 0 },
	{ "SO_BINDTODEVICE", SOL_SOCKET, SO_BINDTODEVICE, "lo", 3, 0 },
	{ "SO_BINDTOIFINDEX", SOL_SOCKET, SO_BINDTOIFINDEX, INT(1), 0 },
	{ "SO_PASSCRED", SOL_SOCKET, SO_PASSCRED, INT(1), 0 },
	{ "SO_PASSSEC", SOL_SOCKET, SO_PASSSEC, INT(1), 0 },
	{ "SO_PASSPIDFD", SOL_SOCKET, SO_PASSPIDFD, INT(1), 0 },
	{ "SO_PASSRIGHTS", SOL_SOCKET, SO_PASSRIGHTS, INT(1), 0 },
	{ "SO_TIMESTAMP", SOL_SOCKET, SO_TIMESTAMP, INT(1), 0 },
	{ "SO_TIMESTAMPNS", SOL_SOCKET, SO_TIMESTAMPNS, INT(1), 0 },
	{ "SO_TIMESTAMPING", SOL_SOCKET, SO_TIMESTAMPING,
	  INT(SOF_TIMESTAMPING_SOFTWARE | SOF_TIMESTAMPING_RX_SOFTWARE), 0 },
	{ "SO_RXQ_OVFL", SOL_SOCKET, SO_RXQ_OVFL, INT(1), 0 },
	{ "SO_WIFI_STATUS", SOL_SOCKET, SO_WIFI_STATUS, INT(1), 0 },
	{ "SO_PEEK_OFF", SOL_SOCKET, SO_PEEK_OFF, INT(0), 0 },
	{ "SO_NOFCS", SOL_SOCKET, SO_NOFCS, INT(1), 0 },
	{ "SO_SELECT_ERR_QUEUE", SOL_SOCKET, SO_SELECT_ERR_QUEUE, INT(1), 0 },
	{ "SO_BUSY_POLL", SOL_SOCKET, SO_BUSY_POLL, INT(10), 0 },
	{ "SO_PREFER_BUSY_POLL", SOL_SOCKET, SO_PREFER_BUSY_POLL, INT(1), 0 },
	{ "SO_BUSY_POLL_BUDGET", SOL_SOCKET, SO_BUSY_POLL_BUDGET, INT(8), 0 },
	{ "SO_INCOMING_CPU", SOL_SOCKET, SO_INCOMING_CPU, INT(0), 0 },
	{ "SO_CNX_ADVICE", SOL_SOCKET, SO_CNX_ADVICE, INT(1), 0 },
	{ "SO_ATTACH_FILTER", SOL_SOCKET, SO_ATTACH_FILTER, &accept_all_prog,
	  sizeof(accept_all_prog), 0 },
	{ "SO_LOCK_FILTER", SOL_SOCKET, SO_LOCK_FILTER, INT(1), 0 },
	{ "SO_MAX_PACING_RATE", SOL_SOCKET, SO_MAX_PACING_RATE, INT(10000000),
	  0 },
	{ "SO_ZEROCOPY", SOL_SOCKET, SO_ZEROCOPY, INT(1), 0 },
	{ "SO_TXTIME", SOL_SOCKET, SO_TXTIME, &txtime, sizeof(txtime), 0 },
	{ "SO_BUF_LOCK", SOL_SOCKET, SO_BUF_LOCK, INT(3), 0 },
	{ "SO_RESERVE_MEM", SOL_SOCKET, SO_RESERVE_MEM, INT(4096), 0 },
	{ "SO_TXREHASH", SOL_SOCKET, SO_TXREHASH, INT(1), 0 },
	{ "SO_RCVMARK", SOL_SOCKET, SO_RCVMARK, INT(1), 0 },
	{ "SO_RCVPRIORITY", SOL_SOCKET, SO_RCVPRIORITY, INT(1), 0 },

	{ "TCP_NODELAY", IPPROTO_TCP, TCP_NODELAY, INT(1), 0 },
	{ "TCP_MAXSEG", IPPROTO_TCP, TCP_MAXSEG, INT(1200), 0 },
	{ "TCP_CORK", IPPROTO_TCP, TCP_CORK, INT(1), 0 },
	{ "TCP_KEEPIDLE", IPPROTO_TCP, TCP_KEEPIDLE, INT(30), 0 },
	{ "TCP_KEEPINTVL", IPPROTO_TCP, TCP_KEEPINTVL, INT(5), 0 },
	{ "TCP_KEEPCNT", IPPROTO_TCP, TCP_KEEPCNT, INT(3), 0 },
	{ "TCP_SYNCNT", IPPROTO_TCP, TCP_SYNCNT, INT(3), 0 },
	{ "TCP_LINGER2", IPPROTO_TCP, TCP_LINGER2, INT(10), 0 },
	{ "TCP_DEFER_ACCEPT", IPPROTO_TCP, TCP_DEFER_ACCEPT, INT(5), 0 },
	{ "TCP_WINDOW_CLAMP", IPPROTO_TCP, TCP_WINDOW_CLAMP, INT(65536), 0 },
	{ "TCP_QUICKACK", IPPROTO_TCP, TCP_QUICKACK, INT(1), 0 },
	{ "TCP_CONGESTION", IPPROTO_TCP, TCP_CONGESTION, "reno", 4, 0 },
	{ "TCP_MD5SIG", IPPROTO_TCP, TCP_MD5SIG, &md5, sizeof(md5), 0 },
	{ "TCP_THIN_LINEAR_TIMEOUTS", IPPROTO_TCP, TCP_THIN_LINEAR_TIMEOUTS,
	  INT(1), 0 },
	{ "TCP_THIN_DUPACK", IPPROTO_TCP, TCP_THIN_DUPACK, INT(1), 0 },
	{ "TCP_USER_TIMEOUT", IPPROTO_TCP, TCP_USER_TIMEOUT, INT(30000), 0 },
	{ "TCP_REPAIR", IPPROTO_TCP, TCP_REPAIR, INT(0), 0 },
	{ "TCP_FASTOPEN", IPPROTO_TCP, TCP_FASTOPEN, INT(5), 0 },
	{ "TCP_FASTOPEN_CONNECT", IPPROTO_TCP, TCP_FASTOPEN_CONNECT, INT(1),
	  0 },
	{ "TCP_FASTOPEN_KEY", IPPROTO_TCP, TCP_FASTOPEN_KEY, tfo_key,
	  sizeof(tfo_key), 0 },
	{ "TCP_FASTOPEN_NO_COOKIE", IPPROTO_TCP, TCP_FASTOPEN_NO_COOKIE, INT(1),
	  0 },
	{ "TCP_NOTSENT_LOWAT", IPPROTO_TCP, TCP_NOTSENT_LOWAT, INT(16384), 0 },
	{ "TCP_SAVE_SYN", IPPROTO_TCP, TCP_SAVE_SYN, INT(1), 0 },
	{ "TCP_ULP", IPPROTO_TCP, TCP_ULP, "tls", 3, 0 },
	{ "TCP_INQ", IPPROTO_TCP, TCP_INQ, INT(1), 0 },
	{ "TCP_TX_DELAY", IPPROTO_TCP, TCP_TX_DELAY, INT(0), 0 },
	{ "TCP_RTO_MAX_MS", IPPROTO_TCP, TCP_RTO_MAX_MS, INT(60000), 0 },
	{ "TCP_RTO_MIN_US", IPPROTO_TCP, TCP_RTO_MIN_US, INT(200000), 0 },
	{ "TCP_DELACK_MAX_US", IPPROTO_TCP, TCP_DELACK_MAX_US, INT(40000), 0 },

	{ "IP_TOS", IPPROTO_IP, IP_TOS, INT(0x20), 0 },
	{ "IP_TTL", IPPROTO_IP, IP_TTL, INT(64), 0 },
	{ "IP_MINTTL", IPPROTO_IP, IP_MINTTL, INT(1), 0 },
	{ "IP_OPTIONS", IPPROTO_IP, IP_OPTIONS, "", 0, 0 },
	{ "IP_HDRINCL", IPPROTO_IP, IP_HDRINCL, INT(1), 0 },
	{ "IP_RECVOPTS", IPPROTO_IP, IP_RECVOPTS, INT(1), 0 },
	{ "IP_RETOPTS", IPPROTO_IP, IP_RETOPTS, INT(1), 0 },
	{ "IP_PKTINFO", IPPROTO_IP, IP_PKTINFO, INT(1), 0 },
	{ "IP_RECVTTL", IPPROTO_IP, IP_RECVTTL, INT(1), 0 },
	{ "IP_RECVTOS", IPPROTO_IP, IP_RECVTOS, INT(1), 0 },
	{ "IP_MTU_DISCOVER", IPPROTO_IP, IP_MTU_DISCOVER, INT(IP_PMTUDISC_DO),
	  0 },
	{ "IP_RECVERR", IPPROTO_IP, IP_RECVERR, INT(1), 0 },
	{ "IP_RECVERR_RFC4884", IPPROTO_IP, IP_RECVERR_RFC4884, INT(1), 0 },
	{ "IP_PASSSEC", IPPROTO_IP, IP_PASSSEC, INT(1), 0 },
	{ "IP_RECVORIGDSTADDR", IPPROTO_IP, IP_RECVORIGDSTADDR, INT(1), 0 },
	{ "IP_RECVFRAGSIZE", IPPROTO_IP, IP_RECVFRAGSIZE, INT(1), 0 },
	{ "IP_CHECKSUM", IPPROTO_IP, IP_CHECKSUM, INT(1), 0 },
	{ "IP_NODEFRAG", IPPROTO_IP, IP_NODEFRAG, INT(1), 0 },
	{ "IP_UNICAST_IF", IPPROTO_IP, IP_UNICAST_IF, INT(0), 0 },
	{ "IP_MULTICAST_TTL", IPPROTO_IP, IP_MULTICAST_TTL, INT(1), 0 },
	{ "IP_FREEBIND", IPPROTO_IP, IP_FREEBIND, INT(1), 0 },
	{ "IP_TRANSPARENT", IPPROTO_IP, IP_TRANSPARENT, INT(1), 0 },
	{ "IP_BIND_ADDRESS_NO_PORT", IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT,
	  INT(1), 0 },
	{ "IP_LOCAL_PORT_RANGE", IPPROTO_IP, IP_LOCAL_PORT_RANGE,
	  INT(40000 | 50000 << 16), 0 },

	{ "IPV6_V6ONLY", IPPROTO_IPV6, IPV6_V6ONLY, INT(1), AF_INET6 },
	{ "IPV6_TCLASS", IPPROTO_IPV6, IPV6_TCLASS, INT(0x20), AF_INET6 },
	{ "IPV6_UNICAST_HOPS", IPPROTO_IPV6, IPV6_UNICAST_HOPS, INT(64),
	  AF_INET6 },
	{ "IPV6_MINHOPCOUNT", IPPROTO_IPV6, IPV6_MINHOPCOUNT, INT(1),
	  AF_INET6 },
	{ "IPV6_MTU_DISCOVER", IPPROTO_IPV6, IPV6_MTU_DISCOVER,
	  INT(IPV6_PMTUDISC_DO), AF_INET6 },
	{ "IPV6_MTU", IPPROTO_IPV6, IPV6_MTU, INT(1280), AF_INET6 },
	{ "IPV6_RECVERR", IPPROTO_IPV6, IPV6_RECVERR, INT(1), AF_INET6 },
	{ "IPV6_DONTFRAG", IPPROTO_IPV6, IPV6_DONTFRAG, INT(1), AF_INET6 },
	{ "IPV6_AUTOFLOWLABEL", IPPROTO_IPV6, IPV6_AUTOFLOWLABEL, INT(1),
	  AF_INET6 },
	{ "IPV6_FLOWINFO_SEND", IPPROTO_IPV6, IPV6_FLOWINFO_SEND, INT(1),
	  AF_INET6 },
	{ "IPV6_RECVPKTINFO", IPPROTO_IPV6, IPV6_RECVPKTINFO, INT(1),
	  AF_INET6 },
	{ "IPV6_RECVTCLASS", IPPROTO_IPV6, IPV6_RECVTCLASS, INT(1), AF_INET6 },
	{ "IPV6_RECVHOPLIMIT", IPPROTO_IPV6, IPV6_RECVHOPLIMIT, INT(1),
	  AF_INET6 },
	{ "IPV6_RECVORIGDSTADDR", IPPROTO_IPV6, IPV6_RECVORIGDSTADDR, INT(1),
	  AF_INET6 },
	{ "IPV6_ADDR_PREFERENCES", IPPROTO_IPV6, IPV6_ADDR_PREFERENCES,
	  INT(IPV6_PREFER_SRC_PUBLIC), AF_INET6 },
	{ "IPV6_UNICAST_IF", IPPROTO_IPV6, IPV6_UNICAST_IF, INT(0), AF_INET6 },
	{ "IPV6_MULTICAST_HOPS", IPPROTO_IPV6, IPV6_MULTICAST_HOPS, INT(1),
	  AF_INET6 },
	{ "IPV6_FREEBIND", IPPROTO_IPV6, IPV6_FREEBIND, INT(1), AF_INET6 },
	{ "IPV6_TRANSPARENT", IPPROTO_IPV6, IPV6_TRANSPARENT, INT(1),
	  AF_INET6 },
};

#define NOPTS (sizeof(opts) / sizeof(opts[0]))

/*
 * What the shim promises to carry from the MPTCP socket to its TCP
 * replacement (preload/mpa_sockopt.c), each with a value that is not the
 * default, listed here on their own so that a row missing there fails.
 */
static const struct timeval four_s = { 4, 0 };
static const struct linger linger_7 = { 1, 7 };
static const struct opt carried[] = {
	{ "SO_REUSEADDR", SOL_SOCKET, SO_REUSEADDR, INT(1), 0 },
	{ "SO_REUSEPORT", SOL_SOCKET, SO_REUSEPORT, INT(1), 0 },
	{ "SO_KEEPALIVE", SOL_SOCKET, SO_KEEPALIVE, INT(1), 0 },
	{ "SO_RCVBUF", SOL_SOCKET, SO_RCVBUF, INT(50000), 0 },
	/* past net.core.wmem_max (4 MiB here): needs the forced set */
	{ "SO_SNDBUFFORCE", SOL_SOCKET, SO_SNDBUFFORCE, INT(10000000), 0 },
	{ "SO_LINGER", SOL_SOCKET, SO_LINGER, &linger_7, sizeof(linger_7), 0 },
	{ "SO_MARK", SOL_SOCKET, SO_MARK, INT(0x55), 0 },
	{ "SO_BINDTOIFINDEX", SOL_SOCKET, SO_BINDTOIFINDEX, INT(1), 0 },
	{ "SO_RCVTIMEO", SOL_SOCKET, SO_RCVTIMEO, &three_s, sizeof(three_s),
	  0 },
	{ "SO_SNDTIMEO", SOL_SOCKET, SO_SNDTIMEO, &four_s, sizeof(four_s), 0 },
	{ "SO_RCVLOWAT", SOL_SOCKET, SO_RCVLOWAT, INT(7), 0 },
	{ "SO_TIMESTAMP", SOL_SOCKET, SO_TIMESTAMP, INT(1), 0 },
	{ "SO_TIMESTAMPNS", SOL_SOCKET, SO_TIMESTAMPNS, INT(1), 0 },
	{ "SO_TIMESTAMPING", SOL_SOCKET, SO_TIMESTAMPING,
	  INT(SOF_TIMESTAMPING_SOFTWARE | SOF_TIMESTAMPING_RX_SOFTWARE), 0 },
	{ "SO_BUSY_POLL", SOL_SOCKET, SO_BUSY_POLL, INT(10), 0 },
	{ "SO_PREFER_BUSY_POLL", SOL_SOCKET, SO_PREFER_BUSY_POLL, INT(1), 0 },
	{ "SO_INCOMING_CPU", SOL_SOCKET, SO_INCOMING_CPU, INT(1), 0 },
	{ "SO_DEBUG", SOL_SOCKET, SO_DEBUG, INT(1), 0 },
	{ "TCP_NODELAY", IPPROTO_TCP, TCP_NODELAY, INT(1), 0 },
	{ "TCP_CORK", IPPROTO_TCP, TCP_CORK, INT(1), 0 },
	{ "TCP_KEEPIDLE", IPPROTO_TCP, TCP_KEEPIDLE, INT(77), 0 },
	{ "TCP_KEEPINTVL", IPPROTO_TCP, TCP_KEEPINTVL, INT(11), 0 },
	{ "TCP_KEEPCNT", IPPROTO_TCP, TCP_KEEPCNT, INT(4), 0 },
	{ "TCP_MAXSEG", IPPROTO_TCP, TCP_MAXSEG, INT(1200), 0 },
	{ "TCP_CONGESTION", IPPROTO_TCP, TCP_CONGESTION, "reno", 4, 0 },
	{ "TCP_NOTSENT_LOWAT", IPPROTO_TCP, TCP_NOTSENT_LOWAT, INT(12345), 0 },
	{ "TCP_DEFER_ACCEPT", IPPROTO_TCP, TCP_DEFER_ACCEPT, INT(5), 0 },
	{ "TCP_FASTOPEN", IPPROTO_TCP, TCP_FASTOPEN, INT(7), 0 },
	{ "TCP_FASTOPEN_CONNECT", IPPROTO_TCP, TCP_FASTOPEN_CONNECT, INT(1),
	  0 },
	{ "TCP_FASTOPEN_NO_COOKIE", IPPROTO_TCP, TCP_FASTOPEN_NO_COOKIE, INT(1),
	  0 },
	{ "TCP_INQ", IPPROTO_TCP, TCP_INQ, INT(1), 0 },
	{ "IP_TOS", IPPROTO_IP, IP_TOS, INT(0x28), 0 },
	{ "SO_PRIORITY", SOL_SOCKET, SO_PRIORITY, INT(5), 0 },
	{ "IP_FREEBIND", IPPROTO_IP, IP_FREEBIND, INT(1), 0 },
	{ "IP_TRANSPARENT", IPPROTO_IP, IP_TRANSPARENT, INT(1), 0 },
	{ "IP_BIND_ADDRESS_NO_PORT", IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT,
	  INT(1), 0 },
	{ "IP_LOCAL_PORT_RANGE", IPPROTO_IP, IP_LOCAL_PORT_RANGE,
	  INT(40000 | 50000 << 16), 0 },
	{ "IPV6_V6ONLY", IPPROTO_IPV6, IPV6_V6ONLY, INT(1), AF_INET6 },
	{ "IPV6_FREEBIND", IPPROTO_IPV6, IPV6_FREEBIND, INT(1), AF_INET6 },
	{ "IPV6_TRANSPARENT", IPPROTO_IPV6, IPV6_TRANSPARENT, INT(1),
	  AF_INET6 },
};

#define NCARRIED (sizeof(carried) / sizeof(carried[0]))

static int family = AF_INET;
static int failures;

static void pass(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void pass(const char *fmt, ...)
{
	va_list ap;

	fputs("PASS: ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void fail(const char *fmt, ...)
{
	va_list ap;

	fputs("FAIL: ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	failures++;
}

static const char *ipv(void)
{
	return family == AF_INET ? "IPv4" : "IPv6";
}

static bool applies(const struct opt *o)
{
	return !o->family || o->family == family;
}

/* The kernel's sockets, not the shim's: system calls made directly. */
static int raw_socket(int proto)
{
	return (int)syscall(SYS_socket, family, SOCK_STREAM | SOCK_CLOEXEC,
			    proto);
}

static int raw_setsockopt(int fd, const struct opt *o)
{
	return syscall(SYS_setsockopt, fd, o->level, o->optname, o->val,
		       o->len) < 0 ?
		       errno :
		       0;
}

/*
 * Does this kernel's MPTCP take @o before connect? Which options it refuses
 * differs between kernels (6.1 and 6.12 refuse TCP_MAXSEG, 6.18 takes
 * it): the carry check sets only what MPTCP takes, so that the swap
 * happens at TCP_QUICKACK and not before.
 */
static bool mptcp_takes(const struct opt *o)
{
	int fd = raw_socket(IPPROTO_MPTCP), err;

	if (fd < 0)
		return false;
	err = raw_setsockopt(fd, o);
	close(fd);
	return err == 0;
}

static bool carries(const struct opt *o)
{
	return applies(o) && mptcp_takes(o);
}

static socklen_t loopback(struct sockaddr_storage *ss, unsigned short port)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_addr = in6addr_loopback;
		in6->sin6_port = htons(port);
		return sizeof(*in6);
	}
	((struct sockaddr_in *)ss)->sin_family = AF_INET;
	((struct sockaddr_in *)ss)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	((struct sockaddr_in *)ss)->sin_port = htons(port);
	return sizeof(struct sockaddr_in);
}

/*
 * 0 or the errno of setting @o on a fresh socket of @proto, first bound
 * to a loopback port if @bound (some options are for unbound sockets).
 */
static int kernel_answer(const struct opt *o, int proto, bool bound)
{
	struct sockaddr_storage ss;
	socklen_t len = loopback(&ss, 0);
	int fd = raw_socket(proto), err;

	if (fd < 0)
		return errno;
	if (bound && bind(fd, (struct sockaddr *)&ss, len) < 0)
		err = errno;
	else
		err = raw_setsockopt(fd, o);
	close(fd);
	return err;
}

static const char *result(int err)
{
	const char *name = err ? strerrorname_np(err) : "ok";

	return name ? name : "?";
}

static int sock_int(int fd, int level, int optname)
{
	int v = -1;
	socklen_t len = sizeof(v);

	if (getsockopt(fd, level, optname, &v, &len) < 0)
		return -1;
	return v;
}

static int proto_of(int fd)
{
	return sock_int(fd, SOL_SOCKET, SO_PROTOCOL);
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1; /* the directory's own descriptor */
}

/*
 * A listener on loopback; @proto 0 goes through the shim. With @reuseport
 * others may bind its port too (a swap could, if it did not check the
 * socket's state).
 */
static int listener(int proto, int backlog, bool reuseport,
		    struct sockaddr_storage *ss, socklen_t *len)
{
	int fd = proto ? raw_socket(proto) :
			 socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	*len = loopback(ss, 0);
	if (fd < 0 ||
	    (reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &(int){ 1 },
				     sizeof(int)) < 0) ||
	    bind(fd, (struct sockaddr *)ss, *len) < 0 ||
	    listen(fd, backlog) < 0 ||
	    getsockname(fd, (struct sockaddr *)ss, len) < 0) {
		fprintf(stderr, "listener: %s\n", strerror(errno));
		exit(1);
	}
	return fd;
}

static bool wait_for(int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };

	return poll(&p, 1, WAIT_MS) == 1 && (p.revents & events);
}

/*
 * Connect @fd (non-blocking) to the listener @lfd, send a byte and take it
 * out on the accepted side: NULL when all of that worked, else what broke.
 */
static const char *exchange(int fd, int lfd, const struct sockaddr_storage *ss,
			    socklen_t len)
{
	const char *why = NULL;
	char c = 'x';
	int a, err;

	if (connect(fd, (const struct sockaddr *)ss, len) < 0 &&
	    errno != EINPROGRESS)
		return "connect failed";
	if (!wait_for(fd, POLLOUT))
		return "not connected in time";
	err = sock_int(fd, SOL_SOCKET, SO_ERROR);
	if (err)
		return "SO_ERROR after connect";
	if (write(fd, &c, 1) != 1)
		return "write failed";
	if (!wait_for(lfd, POLLIN))
		return "nothing to accept";
	a = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (a < 0)
		return "accept failed";
	if (!wait_for(a, POLLIN) || read(a, &c, 1) != 1 || c != 'x')
		why = "byte not received";
	close(a);
	return why;
}

static void cmd_table(void)
{
	size_t i;

	printf("# %s, before connect: option, TCP socket, MPTCP socket\n",
	       ipv());
	for (i = 0; i < NOPTS; i++)
		if (applies(&opts[i]))
			printf("%-26s %-12s %s\n", opts[i].name,
			       result(kernel_answer(&opts[i], IPPROTO_TCP,
						    false)),
			       result(kernel_answer(&opts[i], IPPROTO_MPTCP,
						    false)));
}

/* What the program set before the option under test, and reads back. */
struct before {
	int rcvbuf, nodelay, keepalive, tos;
	struct sockaddr_storage addr;
	socklen_t addrlen;
};

static const struct opt pre_opts[] = {
	/* not 65536, which gives the default size */
	{ "SO_RCVBUF", SOL_SOCKET, SO_RCVBUF, INT(50000), 0 },
	{ "TCP_NODELAY", IPPROTO_TCP, TCP_NODELAY, INT(1), 0 },
	{ "SO_KEEPALIVE", SOL_SOCKET, SO_KEEPALIVE, INT(1), 0 },
	{ "IP_TOS", IPPROTO_IP, IP_TOS, INT(0x20), 0 },
};

/* A converted socket with pre_opts set and bound to loopback port 0. */
static int prepared_socket(struct before *b)
{
	struct sockaddr_storage ss;
	socklen_t len = loopback(&ss, 0);
	size_t i;
	int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	for (i = 0; i < sizeof(pre_opts) / sizeof(pre_opts[0]); i++)
		if (setsockopt(fd, pre_opts[i].level, pre_opts[i].optname,
			       pre_opts[i].val, pre_opts[i].len) < 0)
			fprintf(stderr, "%s on MPTCP: %s\n", pre_opts[i].name,
				strerror(errno));
	if (bind(fd, (struct sockaddr *)&ss, len) < 0) {
		close(fd);
		return -1;
	}
	b->rcvbuf = sock_int(fd, SOL_SOCKET, SO_RCVBUF);
	b->nodelay = sock_int(fd, IPPROTO_TCP, TCP_NODELAY);
	b->keepalive = sock_int(fd, SOL_SOCKET, SO_KEEPALIVE);
	b->tos = sock_int(fd, IPPROTO_IP, IP_TOS);
	b->addrlen = sizeof(b->addr);
	getsockname(fd, (struct sockaddr *)&b->addr, &b->addrlen);
	return fd;
}

/* The forced buffer sizes read back as the plain ones. */
static int read_name(const struct opt *o)
{
	if (o->level == SOL_SOCKET && o->optname == SO_SNDBUFFORCE)
		return SO_SNDBUF;
	if (o->level == SOL_SOCKET && o->optname == SO_RCVBUFFORCE)
		return SO_RCVBUF;
	return o->optname;
}

/* Is @o (just set) the option at @level/@optname, or its forced form? */
static bool is_opt(const struct opt *o, int level, int optname)
{
	return o->level == level && read_name(o) == optname;
}

/*
 * NULL when everything set before @o is still there, else what is lost;
 * an earlier option that @o itself sets again is @o's business.
 */
static const char *kept(int fd, const struct before *b, const struct opt *o)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (!is_opt(o, SOL_SOCKET, SO_RCVBUF) &&
	    sock_int(fd, SOL_SOCKET, SO_RCVBUF) != b->rcvbuf)
		return "SO_RCVBUF lost";
	if (!is_opt(o, IPPROTO_TCP, TCP_NODELAY) &&
	    sock_int(fd, IPPROTO_TCP, TCP_NODELAY) != b->nodelay)
		return "TCP_NODELAY lost";
	if (!is_opt(o, SOL_SOCKET, SO_KEEPALIVE) &&
	    sock_int(fd, SOL_SOCKET, SO_KEEPALIVE) != b->keepalive)
		return "SO_KEEPALIVE lost";
	if (!is_opt(o, IPPROTO_IP, IP_TOS) &&
	    sock_int(fd, IPPROTO_IP, IP_TOS) != b->tos)
		return "IP_TOS lost";
	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0 ||
	    len != b->addrlen || memcmp(&ss, &b->addr, len))
		return "bound address lost";
	if (!(fcntl(fd, F_GETFL) & O_NONBLOCK))
		return "O_NONBLOCK lost";
	if (!(fcntl(fd, F_GETFD) & FD_CLOEXEC))
		return "FD_CLOEXEC lost";
	return NULL;
}

/* One option under the shim, on a converted socket with a history. */
static void swap_one(const struct opt *o, int lfd,
		     const struct sockaddr_storage *ls, socklen_t llen)
{
	/* The kernel's answers on sockets bound as ours is. */
	int tcp_err = kernel_answer(o, IPPROTO_TCP, true);
	int mptcp_err = kernel_answer(o, IPPROTO_MPTCP, true);
	int want = mptcp_err ? IPPROTO_TCP : IPPROTO_MPTCP;
	int nfds = count_fds(), fd, rc, err, proto;
	struct before b;
	const char *why;

	fd = prepared_socket(&b);
	if (fd < 0 || proto_of(fd) != IPPROTO_MPTCP) {
		fail("%s %s: the shim did not make an MPTCP socket", ipv(),
		     o->name);
		if (fd >= 0)
			close(fd);
		return;
	}
	errno = SENTINEL;
	rc = setsockopt(fd, o->level, o->optname, o->val, o->len);
	err = errno;
	proto = proto_of(fd);
	if (tcp_err) {
		/* TCP refuses it too: nothing to gain, MPTCP's answer. */
		if (rc != (mptcp_err ? -1 : 0) ||
		    (mptcp_err && err != mptcp_err) || proto != IPPROTO_MPTCP ||
		    count_fds() != nfds + 1)
			fail("%s %s (TCP refuses it): rc %d %s, protocol %d; "
			     "want MPTCP's answer (%s) on the MPTCP socket",
			     ipv(), o->name, rc, result(err), proto,
			     result(mptcp_err));
		else
			pass("%s %s: TCP refuses it, MPTCP's answer (%s) "
			     "unchanged",
			     ipv(), o->name, result(mptcp_err));
		close(fd);
		return;
	}
	if (rc != 0)
		why = "refused";
	else if (err != SENTINEL)
		why = "errno changed on success";
	else if (proto != want)
		why = "wrong protocol";
	else if (count_fds() != nfds + 1)
		why = "descriptor count changed";
	else
		why = kept(fd, &b, o);
	if (!why)
		why = exchange(fd, lfd, ls, llen);
	if (why)
		fail("%s %s: %s (rc %d errno %s, protocol %d, want %d)", ipv(),
		     o->name, why, rc, result(err), proto, want);
	else
		pass("%s %s: accepted, %s socket, earlier options, bind and "
		     "flags kept, connects",
		     ipv(), o->name, want == IPPROTO_TCP ? "TCP" : "MPTCP");
	close(fd);
}

static void cmd_swap(void)
{
	struct sockaddr_storage ls;
	socklen_t llen;
	int lfd = listener(IPPROTO_TCP, 64, false, &ls, &llen);
	size_t i;

	for (i = 0; i < NOPTS; i++)
		if (applies(&opts[i]))
			swap_one(&opts[i], lfd, &ls, llen);
	close(lfd);
}

static const struct opt quickack = { "TCP_QUICKACK", IPPROTO_TCP, TCP_QUICKACK,
				     INT(1), 0 };

/* Raw bytes of an option, for comparing before and after a swap. */
struct value {
	int err;
	socklen_t len;
	unsigned char buf[64];
};

static void read_value(int fd, const struct opt *o, struct value *v)
{
	v->len = sizeof(v->buf);
	memset(v->buf, 0, sizeof(v->buf));
	v->err = getsockopt(fd, o->level, read_name(o), v->buf, &v->len) < 0 ?
			 errno :
			 0;
}

/* Descriptor state the swap keeps: F_GETFL, F_GETFD, owner, signal. */
struct fdstate {
	int fl, fd, sig;
	pid_t owner;
};

static void read_fdstate(int fd, struct fdstate *f)
{
	f->fl = fcntl(fd, F_GETFL);
	f->fd = fcntl(fd, F_GETFD);
	f->sig = fcntl(fd, F_GETSIG);
	f->owner = fcntl(fd, F_GETOWN);
}

static void cmd_carry(void)
{
	struct value before[NCARRIED], after;
	struct sockaddr_storage ls, ss;
	struct fdstate fb, fa;
	socklen_t llen, len;
	int lfd = listener(IPPROTO_TCP, 64, false, &ls, &llen), fd;
	bool all = true;
	const char *why;
	size_t i;

	/*
	 * Blocking, inherited across exec, signal-driven: the flags the swap
	 * test's socket does not have.
	 */
	signal(SIGIO, SIG_IGN);
	signal(SIGUSR2, SIG_IGN);
	fd = socket(family, SOCK_STREAM, 0);
	if (fd < 0 || proto_of(fd) != IPPROTO_MPTCP) {
		fail("%s carry: the shim did not make an MPTCP socket", ipv());
		return;
	}
	if (fcntl(fd, F_SETOWN, getpid()) < 0 ||
	    fcntl(fd, F_SETSIG, SIGUSR2) < 0 ||
	    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_ASYNC) < 0)
		fail("%s carry: fcntl: %s", ipv(), strerror(errno));
	for (i = 0; i < NCARRIED; i++)
		if (carries(&carried[i]) &&
		    setsockopt(fd, carried[i].level, carried[i].optname,
			       carried[i].val, carried[i].len) < 0)
			fail("%s carry: %s refused by MPTCP: %s", ipv(),
			     carried[i].name, strerror(errno));
	len = loopback(&ss, 0);
	if (bind(fd, (struct sockaddr *)&ss, len) < 0)
		fail("%s carry: bind: %s", ipv(), strerror(errno));
	for (i = 0; i < NCARRIED; i++)
		if (carries(&carried[i]))
			read_value(fd, &carried[i], &before[i]);
	read_fdstate(fd, &fb);
	/* All of them are MPTCP's own: no swap yet. */
	if (proto_of(fd) != IPPROTO_MPTCP)
		fail("%s carry: swapped before TCP_QUICKACK", ipv());
	if (setsockopt(fd, quickack.level, quickack.optname, quickack.val,
		       quickack.len) < 0 ||
	    proto_of(fd) != IPPROTO_TCP) {
		fail("%s carry: no swap to TCP (%s)", ipv(), strerror(errno));
		close(fd);
		close(lfd);
		return;
	}
	for (i = 0; i < NCARRIED; i++) {
		if (!carries(&carried[i]))
			continue;
		read_value(fd, &carried[i], &after);
		if (after.err != before[i].err || after.len != before[i].len ||
		    memcmp(after.buf, before[i].buf, after.len)) {
			fail("%s carry: %s not carried (%s, %u bytes; before "
			     "%s, %u bytes)",
			     ipv(), carried[i].name, result(after.err),
			     after.len, result(before[i].err), before[i].len);
			all = false;
		}
	}
	if (all)
		pass("%s carry: every carried option reads back the same on "
		     "the TCP socket",
		     ipv());
	read_fdstate(fd, &fa);
	if (fa.fl != fb.fl || fa.fd != fb.fd || fa.sig != fb.sig ||
	    fa.owner != fb.owner || !(fa.fl & O_ASYNC) || fa.owner != getpid())
		fail("%s carry: descriptor state: flags %#x/%#x, fd flags "
		     "%d/%d, signal %d/%d, owner %d/%d (after/before)",
		     ipv(), fa.fl, fb.fl, fa.fd, fb.fd, fa.sig, fb.sig,
		     (int)fa.owner, (int)fb.owner);
	else
		pass("%s carry: O_ASYNC, owner, signal, no O_NONBLOCK, no "
		     "FD_CLOEXEC: as before",
		     ipv());
	why = exchange(fd, lfd, &ls, llen);
	if (why)
		fail("%s carry: the TCP socket with every option: %s", ipv(),
		     why);
	else
		pass("%s carry: the TCP socket with every option connects",
		     ipv());
	close(fd);
	close(lfd);
}

static void cmd_listen(void)
{
	struct sockaddr_storage ss, before, after;
	socklen_t len = loopback(&ss, 0), blen = sizeof(before),
		  alen = sizeof(after);
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0), c;
	const char *why = NULL;

	if (fd < 0 || proto_of(fd) != IPPROTO_MPTCP) {
		fail("%s listen: the shim did not make an MPTCP socket", ipv());
		return;
	}
	/* No SO_REUSEADDR: the port must pass from MPTCP to TCP alone. */
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 ||
	    getsockname(fd, (struct sockaddr *)&before, &blen) < 0) {
		fail("%s listen: bind: %s", ipv(), strerror(errno));
		return;
	}
	if (setsockopt(fd, IPPROTO_TCP, TCP_WINDOW_CLAMP, &(int){ 65536 },
		       sizeof(int)) < 0)
		why = "TCP_WINDOW_CLAMP refused";
	else if (proto_of(fd) != IPPROTO_TCP)
		why = "not swapped to TCP";
	else if (listen(fd, 8) < 0)
		why = "listen failed";
	else if (getsockname(fd, (struct sockaddr *)&after, &alen) < 0 ||
		 alen != blen || memcmp(&after, &before, alen))
		why = "not listening on the address bound before";
	else if ((c = raw_socket(IPPROTO_TCP)) < 0)
		why = "client socket";
	else {
		fcntl(c, F_SETFL, O_NONBLOCK);
		why = exchange(c, fd, &after, alen);
		close(c);
	}
	if (why)
		fail("%s listen: swap between bind and listen: %s", ipv(), why);
	else
		pass("%s listen: swapped between bind and listen, listens on "
		     "the same port, accepts",
		     ipv());
	close(fd);
}

/* No swap on a socket past its start: the kernel's ENOPROTOOPT as is. */
static void expect_no_swap(const char *what, int fd)
{
	int nfds = count_fds(), rc, err;

	errno = 0;
	rc = setsockopt(fd, quickack.level, quickack.optname, quickack.val,
			quickack.len);
	err = errno;
	if (rc == 0 || err != ENOPROTOOPT || proto_of(fd) != IPPROTO_MPTCP ||
	    count_fds() != nfds)
		fail("%s %s: TCP_QUICKACK gave rc %d %s, protocol %d; want "
		     "ENOPROTOOPT on the same MPTCP socket",
		     ipv(), what, rc, result(err), proto_of(fd));
	else
		pass("%s %s: TCP_QUICKACK refused with ENOPROTOOPT, socket "
		     "unchanged",
		     ipv(), what);
}

static int tcp_state(int fd)
{
	struct tcp_info ti = { 0 };
	socklen_t len = sizeof(ti);

	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
		return -1;
	return ti.tcpi_state;
}

static void cmd_after(void)
{
	struct sockaddr_storage ls, fs;
	socklen_t llen, flen;
	int lfd = listener(IPPROTO_MPTCP, 8, true, &ls, &llen);
	int full, filler, fd, a, i;
	char c = 'x';

	/*
	 * Connected to an MPTCP listener: stays MPTCP, data flows. An
	 * option of its own that every kernel's MPTCP takes, so that only
	 * the socket's state stands between it and a swap once closed.
	 */
	fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 ||
	    setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &(int){ 77 },
		       sizeof(int)) < 0 ||
	    connect(fd, (struct sockaddr *)&ls, llen) < 0 ||
	    (a = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) < 0) {
		fail("%s after: connection: %s", ipv(), strerror(errno));
		return;
	}
	expect_no_swap("connected", fd);
	if (write(fd, &c, 1) != 1 || read(a, &c, 1) != 1)
		fail("%s after: data no longer flows", ipv());
	/* Closed on both sides: CLOSE again, yet it has had a connection. */
	close(a);
	shutdown(fd, SHUT_WR);
	for (i = 0; i < 100 && tcp_state(fd) != TCP_CLOSE; i++)
		usleep(20 * 1000);
	if (tcp_state(fd) == TCP_CLOSE)
		expect_no_swap("connection closed", fd);
	else
		fail("%s after: the closed connection never reached CLOSE",
		     ipv());
	close(fd);
	/* The listener itself (SO_REUSEPORT: a TCP socket could share). */
	expect_no_swap("listening", lfd);
	close(lfd);

	/*
	 * Connecting: a listener whose accept queue is full drops SYNs, so
	 * the connection stays in SYN-SENT (and a getpeername() check would
	 * wrongly say "not connected").
	 */
	full = listener(IPPROTO_TCP, 0, false, &fs, &flen);
	filler = raw_socket(IPPROTO_TCP);
	if (filler < 0 || connect(filler, (struct sockaddr *)&fs, flen) < 0) {
		fail("%s after: filler connection: %s", ipv(), strerror(errno));
		return;
	}
	fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (connect(fd, (struct sockaddr *)&fs, flen) == 0 ||
	    errno != EINPROGRESS || tcp_state(fd) != TCP_SYN_SENT)
		fail("%s after: no connection in SYN-SENT to test (state %d)",
		     ipv(), tcp_state(fd));
	else
		expect_no_swap("connecting (SYN-SENT)", fd);
	close(fd);
	close(filler);
	close(full);
}

static int cmd_mallocs(int n)
{
	long (*count)(void) =
		(long (*)(void))dlsym(RTLD_DEFAULT, "mpa_malloc_count");
	struct before b;
	long before = 0, after;
	int i, fd;

	if (!count) {
		fail("libmalloc_count.so is not preloaded");
		return 1;
	}
	for (i = -1; i < n; i++) {
		if (i == 0) /* after one warm-up round */
			before = count();
		fd = prepared_socket(&b);
		if (fd < 0 ||
		    setsockopt(fd, quickack.level, quickack.optname,
			       quickack.val, quickack.len) < 0 ||
		    proto_of(fd) != IPPROTO_TCP) {
			fail("%s mallocs: swap %d did not happen", ipv(), i);
			return 1;
		}
		close(fd);
	}
	after = count();
	if (after != before)
		fail("%s mallocs: %ld allocations in %d swaps", ipv(),
		     after - before, n);
	else
		pass("%s mallocs: %d swaps, no allocation", ipv(), n);
	return 0;
}

static void md5_key(struct tcp_md5sig *m, int fam)
{
	/* A key for a peer we never talk to: our own SYNs go unsigned. */
	memset(m, 0, sizeof(*m));
	m->tcpm_keylen = 4;
	memcpy(m->tcpm_key, "key!", 4);
	m->tcpm_addr.ss_family = (sa_family_t)fam;
	if (fam == AF_INET)
		inet_pton(AF_INET, "192.0.2.1",
			  &((struct sockaddr_in *)&m->tcpm_addr)->sin_addr);
	else
		inet_pton(AF_INET6, "2001:db8::1",
			  &((struct sockaddr_in6 *)&m->tcpm_addr)->sin6_addr);
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 2 && !strcmp(argv[2], "6"))
		family = AF_INET6;
	md5_key(&md5, family);
	if (!strcmp(cmd, "table"))
		cmd_table();
	else if (!strcmp(cmd, "swap"))
		cmd_swap();
	else if (!strcmp(cmd, "carry"))
		cmd_carry();
	else if (!strcmp(cmd, "listen"))
		cmd_listen();
	else if (!strcmp(cmd, "after"))
		cmd_after();
	else if (!strcmp(cmd, "mallocs") && argc == 3)
		return cmd_mallocs(atoi(argv[2]));
	else {
		fprintf(stderr, "usage: see the comment at the top of %s\n",
			__FILE__);
		return 2;
	}
	return failures ? 1 : 0;
}

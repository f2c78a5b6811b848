/* SPDX-License-Identifier: MIT */
/*
 * Kernel interface definitions that the system headers lack or may lack.
 *
 * Debian 12 ships 6.1 uapi headers: no MPTCP_FULL_INFO, no TCP_IS_MPTCP, no
 * newer mptcp_info fields. We carry our own copies under an MPL_ prefix so
 * that the build does not depend on which linux-libc-dev is installed.
 * Layouts were checked against the 6.18 kernel's BTF (docs/kernel-facts.md §1).
 * Kernel structs are always sized by the optlen the kernel returns.
 */
#ifndef MPL_UAPI_H
#define MPL_UAPI_H

#include <stdint.h>
#include <netinet/in.h>
#include <sys/socket.h>

#define MPL_IPPROTO_MPTCP 262
#define MPL_SOL_MPTCP 284
#define MPL_TCP_IS_MPTCP 43

/* getsockopt(SOL_MPTCP, ...) option names */
#define MPL_MPTCP_INFO 1
#define MPL_MPTCP_TCPINFO 2
#define MPL_MPTCP_SUBFLOW_ADDRS 3
#define MPL_MPTCP_FULL_INFO 4

#define MPL_INFO_FLAG_FALLBACK 0x1
#define MPL_INFO_FLAG_REMOTE_KEY_RECEIVED 0x2

/* struct mptcp_info as of 6.18: 48 bytes on 5.16, 80 on 6.5, 96 since ~6.10 */
struct mpl_mptcp_info {
	uint8_t subflows; /* extra subflows, the initial one not counted */
	uint8_t add_addr_signal;
	uint8_t add_addr_accepted;
	uint8_t subflows_max;
	uint8_t add_addr_signal_max;
	uint8_t add_addr_accepted_max;
	uint32_t flags;
	uint32_t token; /* local token, the one netlink uses */
	uint64_t write_seq;
	uint64_t snd_una;
	uint64_t rcv_nxt;
	uint8_t local_addr_used;
	uint8_t local_addr_max;
	uint8_t csum_enabled;
	uint32_t retransmits; /* 6.5 */
	uint64_t bytes_retrans;
	uint64_t bytes_sent;
	uint64_t bytes_received;
	uint64_t bytes_acked;
	uint8_t subflows_total; /* ~6.10 */
	uint8_t endp_laminar_max;
	uint16_t reserved;
	uint32_t last_data_sent;
	uint32_t last_data_recv;
	uint32_t last_ack_recv;
};

/*
 * struct tcp_info (linux/tcp.h) up to its byte counters (4.1), which the C
 * library's copy in netinet/tcp.h lacks. The kernel's is longer: read it
 * by the length the kernel sends.
 */
struct mpl_tcp_info {
	uint8_t state, ca_state, retransmits, probes, backoff, options;
	uint8_t wscale; /* snd_wscale : 4, rcv_wscale : 4 */
	uint8_t app_limited; /* delivery_rate_app_limited : 1, ... */
	uint32_t rto, ato, snd_mss, rcv_mss;
	uint32_t unacked, sacked, lost, retrans, fackets;
	uint32_t last_data_sent, last_ack_sent, last_data_recv, last_ack_recv;
	uint32_t pmtu, rcv_ssthresh, rtt, rttvar, snd_ssthresh, snd_cwnd;
	uint32_t advmss, reordering, rcv_rtt, rcv_space, total_retrans;
	uint64_t pacing_rate, max_pacing_rate;
	uint64_t bytes_acked; /* RFC 4898 tcpEStatsAppHCThruOctetsAcked */
	uint64_t bytes_received; /* tcpEStatsAppHCThruOctetsReceived */
};

#define MPL_MPTCP_INFO_LEN_V0 48
#define MPL_MPTCP_INFO_LEN_V1 80

/* One element of MPTCP_SUBFLOW_ADDRS; also embedded in mpl_subflow_info. */
struct mpl_subflow_addrs {
	union {
		sa_family_t sa_family;
		struct sockaddr sa_local;
		struct sockaddr_in sin_local;
		struct sockaddr_in6 sin6_local;
		struct sockaddr_storage ss_local;
	};
	union {
		struct sockaddr sa_remote;
		struct sockaddr_in sin_remote;
		struct sockaddr_in6 sin6_remote;
		struct sockaddr_storage ss_remote;
	};
};

struct mpl_subflow_info {
	uint32_t id;
	struct mpl_subflow_addrs addrs;
};

/* MPTCP_FULL_INFO request and answer, 6.5+ */
struct mpl_full_info {
	uint32_t size_tcpinfo_kernel; /* must be 0 on input */
	uint32_t size_tcpinfo_user;
	uint32_t size_sfinfo_kernel; /* must be 0 on input */
	uint32_t size_sfinfo_user;
	uint32_t num_subflows; /* must be 0 on input; total on output */
	uint32_t size_arrays_user;
	uint64_t subflow_info; /* user pointer to mpl_subflow_info[] */
	uint64_t tcp_info; /* user pointer to tcp_info[] */
	struct mpl_mptcp_info mptcp_info;
};

#define MPL_FULL_INFO_HDR_LEN 40

/*
 * Header of the MPTCP_TCPINFO and MPTCP_SUBFLOW_ADDRS answers (5.16+), the
 * only per-subflow getsockopt()s of kernels before 6.5: an array of
 * size_kernel-byte elements follows at offset size_subflow_data.
 */
struct mpl_subflow_data {
	uint32_t size_subflow_data; /* size of this header, in and out */
	uint32_t num_subflows; /* must be 0 on input; total on output */
	uint32_t size_kernel; /* must be 0 on input */
	uint32_t size_user; /* bytes per element the caller has room for */
};

/* Generic netlink family "mptcp_pm" */
#define MPL_PM_NAME "mptcp_pm"
#define MPL_PM_VER 1
#define MPL_PM_EV_GRP_NAME "mptcp_pm_events"

enum {
	MPL_PM_CMD_GET_ADDR = 3,
	MPL_PM_CMD_GET_LIMITS = 6,
	MPL_PM_CMD_SET_FLAGS = 7,
	MPL_PM_CMD_ANNOUNCE = 8,
	MPL_PM_CMD_REMOVE = 9,
	MPL_PM_CMD_SUBFLOW_CREATE = 10,
	MPL_PM_CMD_SUBFLOW_DESTROY = 11,
	MPL_PM_CMD_MAX = 11,
};

enum {
	MPL_PM_ATTR_ADDR = 1,
	MPL_PM_ATTR_RCV_ADD_ADDRS = 2, /* u32: limit add_addr_accepted */
	MPL_PM_ATTR_SUBFLOWS = 3, /* u32: limit subflows */
	MPL_PM_ATTR_TOKEN = 4,
	MPL_PM_ATTR_LOC_ID = 5,
	MPL_PM_ATTR_ADDR_REMOTE = 6,
};

enum {
	MPL_PM_ADDR_ATTR_FAMILY = 1, /* u16 */
	MPL_PM_ADDR_ATTR_ID = 2, /* u8 */
	MPL_PM_ADDR_ATTR_ADDR4 = 3, /* in_addr, network order */
	MPL_PM_ADDR_ATTR_ADDR6 = 4, /* in6_addr */
	MPL_PM_ADDR_ATTR_PORT = 5, /* u16 host order, docs/kernel-facts.md §8 */
	MPL_PM_ADDR_ATTR_FLAGS = 6, /* u32 */
	MPL_PM_ADDR_ATTR_IF_IDX = 7, /* s32 */
	MPL_PM_ADDR_ATTR_MAX = 7,
};

#define MPL_PM_ADDR_FLAG_SIGNAL 0x1
#define MPL_PM_ADDR_FLAG_SUBFLOW 0x2
#define MPL_PM_ADDR_FLAG_BACKUP 0x4
#define MPL_PM_ADDR_FLAG_FULLMESH 0x8

/* Event attributes; ports here are network order, unlike the PM port. */
enum {
	MPL_ATTR_TOKEN = 1, /* u32 */
	MPL_ATTR_FAMILY = 2, /* u16 */
	MPL_ATTR_LOC_ID = 3, /* u8 */
	MPL_ATTR_REM_ID = 4, /* u8 */
	MPL_ATTR_SADDR4 = 5, /* be32 */
	MPL_ATTR_SADDR6 = 6,
	MPL_ATTR_DADDR4 = 7,
	MPL_ATTR_DADDR6 = 8,
	MPL_ATTR_SPORT = 9, /* be16 */
	MPL_ATTR_DPORT = 10, /* be16 */
	MPL_ATTR_BACKUP = 11, /* u8 */
	MPL_ATTR_ERROR = 12, /* u8 */
	MPL_ATTR_FLAGS = 13, /* u16 */
	MPL_ATTR_TIMEOUT = 14, /* u32 */
	MPL_ATTR_IF_IDX = 15, /* s32 */
	MPL_ATTR_RESET_REASON = 16, /* u32 */
	MPL_ATTR_RESET_FLAGS = 17, /* u32 */
	MPL_ATTR_SERVER_SIDE = 18, /* u8, deprecated by the flags bit */
	MPL_ATTR_MAX = 18,
};

#define MPL_EV_FLAG_SERVER_SIDE 0x2

/* inet_diag ULP info for MPTCP subflows (linux/mptcp.h, since 5.7) */
#define MPL_INET_ULP_INFO_MPTCP 3
#define MPL_SUBFLOW_ATTR_TOKEN_LOC 2
#define MPL_SUBFLOW_ATTR_FLAGS 8
#define MPL_SUBFLOW_ATTR_ID_REM 9
#define MPL_SUBFLOW_ATTR_ID_LOC 10
#define MPL_SUBFLOW_ATTR_MAX 11

#define MPL_SUBFLOW_FLAG_BKUP_REM (1u << 4)
#define MPL_SUBFLOW_FLAG_BKUP_LOC (1u << 5)
#define MPL_SUBFLOW_FLAG_FULLY_ESTABLISHED (1u << 6)
#define MPL_SUBFLOW_FLAG_CONNECTED (1u << 7)

/* Netlink extended-ack TLVs (linux/netlink.h; MISS_TYPE since 6.0) */
#define MPL_NLMSGERR_ATTR_MSG 1
#define MPL_NLMSGERR_ATTR_OFFS 2 /* u32: offset of the blamed attribute */
#define MPL_NLMSGERR_ATTR_MISS_TYPE 5
#define MPL_NLMSGERR_ATTR_MAX 8

#endif /* MPL_UAPI_H */

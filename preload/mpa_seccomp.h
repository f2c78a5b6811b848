/* SPDX-License-Identifier: MIT */
/*
 * Seccomp: what the shim may try under the program's system-call filter.
 * A filter can kill the process on a call the program itself never makes
 * (an MPTCP socket, a netlink socket), so under a filter every such call
 * is first tried in a throw-away child process; see preload/DESIGN.md.
 */
#ifndef MPA_SECCOMP_H
#define MPA_SECCOMP_H

#include <stdbool.h>

/* The shim's own system calls that a filter may single out. */
enum mpa_probe {
	MPA_PROBE_MPTCP, /* socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP) */
	MPA_PROBE_NETLINK_GENERIC, /* the mptcp_pm family and its events */
	MPA_PROBE_NETLINK_ROUTE, /* interfaces, addresses and routes */
	MPA_PROBE_CLOSE_RANGE, /* the helper's own descriptor table */
	MPA_PROBE_PIDFD, /* pidfd_open + pidfd_getfd, for the helper's log */
	MPA_PROBE_WAKE, /* signalfd4 + tgkill: a submission wakes the helper */
	MPA_PROBE_UNIX, /* AF_UNIX SOCK_SEQPACKET: registering with the daemon */
	MPA_PROBE_COUNT
};

/* Seccomp state of one thread, from /proc/thread-self/status. */
struct mpa_seccomp {
	int mode; /* 0 none, 1 strict, 2 filter; -1 unknown */
	int filters; /* filters attached (Seccomp_filters:), -1 unknown */
};

/*
 * mpa_seccomp_parse() - the Seccomp: and Seccomp_filters: fields of a
 * status file's text (NUL-terminated). Missing fields stay -1.
 */
void mpa_seccomp_parse(const char *status, struct mpa_seccomp *out);

/* mpa_seccomp_read() - the calling thread's state. 0 or -errno. */
int mpa_seccomp_read(struct mpa_seccomp *out);

/*
 * mpa_seccomp_probe() - under the calling thread's filter, which of the
 * probes can be made without the process being killed: bit n of the
 * result set means probe n survived (whatever it returned). Each is made
 * in a child that shares our memory but not our signal handlers or
 * descriptors (clone(CLONE_VM | CLONE_VFORK), as posix_spawn does).
 * Clobbers errno.
 */
unsigned int mpa_seccomp_probe(void);

#endif /* MPA_SECCOMP_H */

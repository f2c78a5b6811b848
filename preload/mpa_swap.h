/* SPDX-License-Identifier: MIT */
/*
 * Giving the program the TCP socket it asked for when the MPTCP socket
 * the shim made refuses one of its options before connect or listen
 * (preload/DESIGN.md, "The setsockopt() exception").
 */
#ifndef MPA_SWAP_H
#define MPA_SWAP_H

#include <sys/socket.h>

/*
 * mpa_swap_to_tcp() - the program's setsockopt(@fd, @level, @optname,
 * @val, @len) has just failed. If @fd is an MPTCP socket that has never
 * been connected or listened on, and a TCP socket takes the option, put
 * such a TCP socket on @fd: same domain, the MPTCP socket's options
 * (mpa_carry_table), bound address, file status flags, owner and
 * close-on-exec flag, then the program's option.
 *
 * Returns 0 when @fd now is that TCP socket, else a negative errno and
 * @fd is untouched. Changes errno. No allocation, no lock.
 */
int mpa_swap_to_tcp(int fd, int level, int optname, const void *val,
		    socklen_t len);

#endif /* MPA_SWAP_H */

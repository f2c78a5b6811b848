/* SPDX-License-Identifier: MIT */
/*
 * System calls newer than the oldest C library headers we build with:
 * their numbers (x86_64) and flags, for syscall(2).
 */
#ifndef CMN_SYSCALL_H
#define CMN_SYSCALL_H

#include <sys/syscall.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif
#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1U << 1)
#endif

#endif /* CMN_SYSCALL_H */

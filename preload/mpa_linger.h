/* SPDX-License-Identifier: MIT */
/*
 * How long the helper thread stays awake after registering connections.
 * Waking a sleeping thread costs the thread that wakes it the kernel's
 * wake-up (an inter-processor interrupt to an idle CPU: 10 to 20 us on a
 * virtual machine, docs/benchmarks.md section 9), and that thread is the
 * program's, in connect(). A program that makes one connection after
 * another would pay it at each; so after a connection the helper looks at
 * the queue now and then for a while, awake, and connect() finds it awake
 * and wakes nobody. Pure: the caller reads the clock.
 */
#ifndef MPA_LINGER_H
#define MPA_LINGER_H

#include <stdint.h>

/*
 * While awake with nothing to do, the helper looks at the queue this
 * often: the most a connection made meanwhile waits to be registered.
 */
#define MPA_LINGER_POLL_US 500
/* It stays awake this long after the last connection it was given. */
#define MPA_LINGER_US 20000

/*
 * mpa_linger_timeout_us() - the helper has nothing to do, @idle_us after
 * it last took a connection from the queue (negative: it never did): how
 * long to wait for its socket while staying awake, in microseconds, or -1
 * when it is to sleep until a connection wakes it.
 */
int mpa_linger_timeout_us(int64_t idle_us);

#endif /* MPA_LINGER_H */

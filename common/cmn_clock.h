/* SPDX-License-Identifier: MIT */
/* The monotonic clock in milliseconds, for deadlines and timers. */
#ifndef CMN_CLOCK_H
#define CMN_CLOCK_H

#include <stdint.h>

/* cmn_now_ms() - CLOCK_MONOTONIC in ms. */
int64_t cmn_now_ms(void);

#endif /* CMN_CLOCK_H */

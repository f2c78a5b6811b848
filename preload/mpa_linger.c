// SPDX-License-Identifier: MIT
/*
 * When the helper thread sleeps and when it stays awake looking at the
 * queue (mpa_linger.h): a connect() that finds it awake wakes nobody.
 */
#include "mpa_linger.h"

int mpa_linger_timeout_us(int64_t idle_us)
{
	/* Never given a connection, or none for a while: sleep for real. */
	if (idle_us < 0 || idle_us >= MPA_LINGER_US)
		return -1;
	/* The last look of the window ends it, not later. */
	if (MPA_LINGER_US - idle_us < MPA_LINGER_POLL_US)
		return (int)(MPA_LINGER_US - idle_us);
	return MPA_LINGER_POLL_US;
}

// SPDX-License-Identifier: MIT
/*
 * When the helper thread sleeps and when it stays awake looking at the
 * queue (eng_linger.h): a connect() that finds it awake wakes nobody.
 */
#include "eng_linger.h"

int eng_linger_timeout_us(int64_t idle_us)
{
	/* Never given a connection, or none for a while: sleep for real. */
	if (idle_us < 0 || idle_us >= ENG_LINGER_US)
		return -1;
	/* The last look of the window ends it, not later. */
	if (ENG_LINGER_US - idle_us < ENG_LINGER_POLL_US)
		return (int)(ENG_LINGER_US - idle_us);
	return ENG_LINGER_POLL_US;
}

// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpl_err.h"
#include "mptcplib.h"

static __thread char mpl_last_error[256];

int mpl_fail(int err, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	err = abs(err);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(mpl_last_error, sizeof(mpl_last_error), "%s (%s)", msg,
		 strerror(err));
	errno = err;
	return err;
}

void mpl_clear(void)
{
	mpl_last_error[0] = '\0';
}

const char *mptcplib_last_error(void)
{
	return mpl_last_error;
}

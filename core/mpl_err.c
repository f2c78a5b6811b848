// SPDX-License-Identifier: MIT
/* mptcplib_last_error() and the one function that records a failure. */
#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mpl_err.h"
#include "mptcplib.h"

static __thread char mpl_last_error[256];

int mpl_fail(int err, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

#ifdef MPA_DEBUG
	/* The sign convention of mpl_err.h: a caller passed -errno or 0. */
	assert(err > 0);
#endif
	/* Whatever the caller got wrong, the application gets an errno. */
	if (err <= 0)
		err = err ? -err : EIO;
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

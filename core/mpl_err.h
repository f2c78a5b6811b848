/* SPDX-License-Identifier: MIT */
/* The public API's error convention: positive errno plus a readable text. */
#ifndef MPL_ERR_H
#define MPL_ERR_H

/*
 * mpl_fail() - record why the current call failed, for mptcplib_last_error().
 * @err may be positive or negative; errno is set to its positive value.
 * Returns the positive errno value, so callers can `return mpl_fail(...)`.
 */
int mpl_fail(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* mpl_clear() - forget the previous failure at the start of a public call. */
void mpl_clear(void);

#endif /* MPL_ERR_H */

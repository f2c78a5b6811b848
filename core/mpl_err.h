/* SPDX-License-Identifier: MIT */
/* The public API's error convention: positive errno plus a readable text. */
#ifndef MPL_ERR_H
#define MPL_ERR_H

/*
 * mpl_fail() - record why the current public call failed, for
 * mptcplib_last_error(), and set errno to @err.
 *
 * @err is a positive errno value, the public API's convention: EINVAL,
 * never -EINVAL. A caller holding an internal result (0 or -errno) passes
 * its negation, mpl_fail(-err, ...). A zero or negative @err is a bug in
 * the caller: builds with MPA_DEBUG (the unit tests, under sanitizers)
 * abort on it; other builds turn it into its absolute value (EIO for 0),
 * so that the application never sees a negative or zero error.
 *
 * Returns the positive errno value, so callers can `return mpl_fail(...)`.
 */
int mpl_fail(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* mpl_clear() - forget the previous failure at the start of a public call. */
void mpl_clear(void);

#endif /* MPL_ERR_H */

/* SPDX-License-Identifier: MIT */
/*
 * Bind the few C library functions whose symbol version moved in recent
 * glibc (libpthread and libdl merged into libc in 2.34) to their original
 * versions, so that the shim also loads into programs on older systems
 * than the one it was built on. Every file that calls one of them, or
 * cmn_fstat()/cmn_stat(), includes this header; tests/abi.sh checks the
 * resulting floor of both libraries.
 */
#ifndef CMN_COMPAT_H
#define CMN_COMPAT_H

#include <features.h> /* __GLIBC__ */

#if defined(__x86_64__) && defined(__GLIBC__)
__asm__(".symver pthread_create,pthread_create@GLIBC_2.2.5");
__asm__(".symver pthread_once,pthread_once@GLIBC_2.2.5");
__asm__(".symver pthread_sigmask,pthread_sigmask@GLIBC_2.2.5");
__asm__(".symver pthread_attr_setstacksize,"
	"pthread_attr_setstacksize@GLIBC_2.2.5");
__asm__(".symver pthread_setname_np,pthread_setname_np@GLIBC_2.12");
__asm__(".symver dlsym,dlsym@GLIBC_2.2.5");
#endif

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/*
 * fstat() became a versioned function of its own in glibc 2.33; the system
 * call has the same struct stat layout on x86_64.
 */
static inline int cmn_fstat(int fd, struct stat *st)
{
#if defined(__x86_64__)
	return (int)syscall(SYS_fstat, fd, st);
#else
	return fstat(fd, st);
#endif
}

/* stat() likewise (glibc 2.33). */
static inline int cmn_stat(const char *path, struct stat *st)
{
#if defined(__x86_64__)
	return (int)syscall(SYS_newfstatat, AT_FDCWD, path, st, 0);
#else
	return stat(path, st);
#endif
}

#endif /* CMN_COMPAT_H */

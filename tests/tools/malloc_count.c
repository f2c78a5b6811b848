// SPDX-License-Identifier: MIT
/*
 * libmalloc_count.so: counts the calling thread's heap allocations, for
 * the "no allocation in hooks" test. Preload it next to the shim; the
 * program reads its own thread's count with mpa_malloc_count().
 */
#include <stddef.h>
#include <stdlib.h>

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);
extern void *__libc_memalign(size_t align, size_t size);

static __thread long allocations;

/*
 * Built with -fvisibility=hidden like everything here: the functions that
 * interpose the C library's must be exported, or nothing is counted.
 */
#define EXPORT __attribute__((visibility("default")))

EXPORT long mpa_malloc_count(void);
EXPORT void *malloc(size_t size);
EXPORT void *calloc(size_t n, size_t size);
EXPORT void *realloc(void *p, size_t size);
EXPORT int posix_memalign(void **out, size_t align, size_t size);

long mpa_malloc_count(void)
{
	return allocations;
}

void *malloc(size_t size)
{
	allocations++;
	return __libc_malloc(size);
}

void *calloc(size_t n, size_t size)
{
	allocations++;
	return __libc_calloc(n, size);
}

void *realloc(void *p, size_t size)
{
	allocations++;
	return __libc_realloc(p, size);
}

int posix_memalign(void **out, size_t align, size_t size)
{
	allocations++;
	*out = __libc_memalign(align, size);
	return *out ? 0 : 12; /* ENOMEM */
}

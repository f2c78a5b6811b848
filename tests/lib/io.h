/* SPDX-License-Identifier: MIT */
/* Blocking line and buffer I/O shared by the test server and clients. */
#ifndef TESTS_IO_H
#define TESTS_IO_H

#include <errno.h>
#include <stddef.h>
#include <unistd.h>

/* One '\n'-terminated line into @buf (newline dropped). 0 or -1. */
static inline int io_read_line(int fd, char *buf, size_t len)
{
	size_t i = 0;

	while (i + 1 < len) {
		ssize_t n = read(fd, buf + i, 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		if (buf[i] == '\n')
			break;
		i++;
	}
	buf[i] = '\0';
	return 0;
}

static inline int io_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

#endif /* TESTS_IO_H */

/* SPDX-License-Identifier: MIT */
/*
 * The Go release an executable was built with, from the build information
 * the Go linker leaves in its .go.buildinfo section. Go programs make
 * their own system calls, out of LD_PRELOAD's reach; only their runtime
 * can make their sockets MPTCP, and it honours GODEBUG=multipathtcp=1
 * from Go 1.21 on. No go tool is needed.
 *
 * The section begins with a 32-byte header: the 14 bytes "\xff Go
 * buildinf:", the pointer size, a flags byte. Since Go 1.18 (flag 0x2)
 * the version follows the header inline, as a length (unsigned LEB128
 * varint) and the text ("go1.19.8"); before, the header holds pointers to
 * it instead, which is enough to know the release is older than 1.18.
 */
#ifndef CMN_GOINFO_H
#define CMN_GOINFO_H

#include <stddef.h>
#include <stdint.h>

/* Room for a version text ("go1.21.13", "devel go1.24-abcdef 2024..."). */
#define CMN_GO_VERSION_MAX 64

/* The first release whose runtime honours GODEBUG=multipathtcp=1. */
#define CMN_GO_MPTCP_MAJOR 1
#define CMN_GO_MPTCP_MINOR 21

/*
 * cmn_go_buildinfo_parse() - pure: the version in @buf, @len bytes from
 * the start of a .go.buildinfo section, into @ver (@vlen bytes). 0; or
 * -ENOENT when @buf is not Go build information, -EOPNOTSUPP for the
 * format of releases before Go 1.18 (@ver is then "go1.17 or older"),
 * -EINVAL when it is cut short or malformed.
 */
int cmn_go_buildinfo_parse(const uint8_t *buf, size_t len, char *ver,
			   size_t vlen);

/*
 * cmn_go_version_read() - the same from the ELF executable open on @fd
 * (its section headers, then that section; pread() only, nothing
 * allocated). 0 with the version in @ver; -ENOENT for an executable
 * without the section (not Go, or not ELF); -EOPNOTSUPP as above; another
 * -errno when it cannot be read.
 */
int cmn_go_version_read(int fd, char *ver, size_t vlen);

/*
 * cmn_go_version_at_least() - pure: is @ver ("go1.19.8", "go1.21rc2",
 * "devel go1.23-..."; as cmn_go_buildinfo_parse() gives it) release
 * @major.@minor or newer? 1 or 0; -EINVAL if @ver names no release.
 */
int cmn_go_version_at_least(const char *ver, int major, int minor);

#endif /* CMN_GOINFO_H */

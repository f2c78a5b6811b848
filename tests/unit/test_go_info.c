// SPDX-License-Identifier: MIT
/* common/cmn_goinfo: a Go executable's release from its build information. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cmn_goinfo.h"

#define MAGIC "\xff Go buildinf:"

/*
 * A .go.buildinfo section as Go 1.18 and later write it: the 32-byte
 * header (magic, pointer size 8, flags), then the version with its
 * varint length, then the module information; its length.
 */
static size_t buildinfo(uint8_t *out, uint8_t flags, const char *version)
{
	size_t n = strlen(version);

	memset(out, 0, 32);
	memcpy(out, MAGIC, 14);
	out[14] = 8;
	out[15] = flags;
	out[32] = (uint8_t)n;
	memcpy(out + 33, version, n);
	memcpy(out + 33 + n, "\x05mod..", 6);
	return 33 + n + 6;
}

static void test_parse(void **state)
{
	uint8_t b[256];
	char ver[CMN_GO_VERSION_MAX];
	size_t n;

	(void)state;
	/* Debian 12's Go, and a flags byte with the big-endian bit too. */
	n = buildinfo(b, 0x2, "go1.19.8");
	assert_int_equal(cmn_go_buildinfo_parse(b, n, ver, sizeof(ver)), 0);
	assert_string_equal(ver, "go1.19.8");
	n = buildinfo(b, 0x3, "go1.22.2");
	assert_int_equal(cmn_go_buildinfo_parse(b, n, ver, sizeof(ver)), 0);
	assert_string_equal(ver, "go1.22.2");
	/* Before 1.18: pointers instead of the strings. */
	n = buildinfo(b, 0x0, "go1.16");
	assert_int_equal(cmn_go_buildinfo_parse(b, n, ver, sizeof(ver)),
			 -EOPNOTSUPP);
	assert_string_equal(ver, "go1.17 or older");
	/* Not Go at all, and cut short or malformed. */
	n = buildinfo(b, 0x2, "go1.21.0");
	b[1] = 'g';
	assert_int_equal(cmn_go_buildinfo_parse(b, n, ver, sizeof(ver)),
			 -ENOENT);
	b[1] = ' ';
	assert_int_equal(cmn_go_buildinfo_parse(b, 20, ver, sizeof(ver)),
			 -ENOENT);
	assert_int_equal(cmn_go_buildinfo_parse(b, 32, ver, sizeof(ver)),
			 -EINVAL);
	assert_int_equal(cmn_go_buildinfo_parse(b, 36, ver, sizeof(ver)),
			 -EINVAL);
	b[32] = 0x80; /* a varint that never ends */
	memset(b + 33, 0xff, 8);
	assert_int_equal(cmn_go_buildinfo_parse(b, 41, ver, sizeof(ver)),
			 -EINVAL);
	n = buildinfo(b, 0x2, "go1.21.0");
	assert_int_equal(cmn_go_buildinfo_parse(b, n, ver, 6), -EINVAL);
	b[35] = '\0'; /* a NUL inside the text */
	assert_int_equal(cmn_go_buildinfo_parse(b, n, ver, sizeof(ver)),
			 -EINVAL);
}

static const struct at_least_case {
	const char *ver;
	int want;
} at_least_cases[] = {
	{ "go1.19.8", 0 },	  { "go1.20.14", 0 },
	{ "go1.21.0", 1 },	  { "go1.21rc2", 1 },
	{ "go1.22.2", 1 },	  { "go1.100", 1 },
	{ "go2.0", 1 },		  { "go1.9", 0 },
	{ "go1.17 or older", 0 }, { "devel go1.23-abcdef Tue Jan 1", 1 },
	{ "", -EINVAL },	  { "go", -EINVAL },
	{ "gox.y", -EINVAL },	  { "go1", -EINVAL },
};

static void test_at_least(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(at_least_cases) / sizeof(at_least_cases[0]);
	     i++) {
		int got = cmn_go_version_at_least(at_least_cases[i].ver, 1, 21);

		if (got != at_least_cases[i].want)
			fail_msg("\"%s\": %d, want %d", at_least_cases[i].ver,
				 got, at_least_cases[i].want);
	}
}

/*
 * A small ELF64 file: the header, the names, the section's bytes, and
 * three section headers (none, .shstrtab, @section). Written to a
 * memory file, whose descriptor is returned.
 */
static int elf_file(const char *section, const uint8_t *data, size_t len)
{
	static const char names[] = "\0.shstrtab\0";
	Elf64_Ehdr eh = { 0 };
	Elf64_Shdr sh[3] = { { 0 } };
	size_t names_off = sizeof(eh), data_off, sh_off;
	char all[64];
	int fd = memfd_create("elf", MFD_CLOEXEC);

	assert_true(fd >= 0);
	memcpy(all, names, sizeof(names) - 1);
	strcpy(all + sizeof(names) - 1, section);
	data_off = names_off + sizeof(names) - 1 + strlen(section) + 1;
	sh_off = (data_off + len + 7) & ~(size_t)7;
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_EXEC;
	eh.e_shoff = sh_off;
	eh.e_shentsize = sizeof(Elf64_Shdr);
	eh.e_shnum = 3;
	eh.e_shstrndx = 1;
	sh[1].sh_name = 1;
	sh[1].sh_offset = names_off;
	sh[1].sh_size = sizeof(names) - 1 + strlen(section) + 1;
	sh[2].sh_name = sizeof(names) - 1;
	sh[2].sh_offset = data_off;
	sh[2].sh_size = len;
	assert_int_equal(pwrite(fd, &eh, sizeof(eh), 0), sizeof(eh));
	assert_int_equal(pwrite(fd, all, sh[1].sh_size, (off_t)names_off),
			 (ssize_t)sh[1].sh_size);
	assert_int_equal(pwrite(fd, data, len, (off_t)data_off), (ssize_t)len);
	assert_int_equal(pwrite(fd, sh, sizeof(sh), (off_t)sh_off), sizeof(sh));
	return fd;
}

static void test_read(void **state)
{
	uint8_t b[256];
	char ver[CMN_GO_VERSION_MAX];
	size_t n = buildinfo(b, 0x2, "go1.19.8");
	int fd;

	(void)state;
	fd = elf_file(".go.buildinfo", b, n);
	assert_int_equal(cmn_go_version_read(fd, ver, sizeof(ver)), 0);
	assert_string_equal(ver, "go1.19.8");
	close(fd);
	/* The same bytes in a section of another name: not Go. */
	fd = elf_file(".data.other", b, n);
	assert_int_equal(cmn_go_version_read(fd, ver, sizeof(ver)), -ENOENT);
	close(fd);
	/* Not ELF (a script), and empty. */
	fd = memfd_create("sh", MFD_CLOEXEC);
	assert_int_equal(cmn_go_version_read(fd, ver, sizeof(ver)), -ENOENT);
	assert_int_equal(write(fd, "#!/bin/sh\n", 10), 10);
	assert_int_equal(cmn_go_version_read(fd, ver, sizeof(ver)), -ENOENT);
	close(fd);
}

/* This test program itself: an ELF executable without Go in it. */
static void test_read_self(void **state)
{
	char ver[CMN_GO_VERSION_MAX];
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(cmn_go_version_read(fd, ver, sizeof(ver)), -ENOENT);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_at_least),
		cmocka_unit_test(test_read),
		cmocka_unit_test(test_read_self),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
